#pragma once
// noise.kind = "sgd": true mini-batch sampling on a finite sum L = (1/N) Σ_i ℓ_i (SCIENCE.md §3,
// reference/seeds-spec.md §1).
//
// Each step draws a batch 𝓑 of B indices (noise.batch_size, 1 ≤ B ≤ N without replacement) and returns the whole
// stochastic gradient
//
//   G = (1/B) Σ_{i∈𝓑} ∇ℓ_i(θ) = ∇L(θ) + ξ,    E G = ∇L(θ),
//
// in gradient units (the step is θ − η G). The full gradient is never computed.
//
//   noise.replacement = false (default): 𝓑 is a uniformly random B-subset of {0..N−1}, drawn by a
//     partial Fisher–Yates shuffle of a per-trial index array (initialised to 0..N−1 once per
//     trial and never reset): for k = 0..B−1, j = k + uniform_below(N − k), swap(a[k], a[j]), and
//     a[k] joins the batch. Whatever the array's prior order, a[0..B−1] is then a uniform
//     B-subset (each ordered B-tuple of distinct indices has probability (N−B)!/N!).
//       Cov ξ = (N−B)/(B(N−1)) · Σ₁(θ)
//     B = N is full-batch gradient descent: no draws, the N gradients summed in index order, so
//     G is the same every step (ξ = 0 up to rounding of the sum).
//   noise.replacement = true: B independent indices, each uniform_below(N), in batch order.
//       Cov ξ = Σ₁(θ) / B
//
// where Σ₁(θ) = (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ − ∇L ∇Lᵀ is the per-sample gradient covariance (batch size 1).
// The per-step cost is B sample gradients and B (or a few more, see uniform_below) 64-bit words.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/noise/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::noise {

// A uniform integer in [0, m), m ≥ 1, by Lemire's multiply-and-reject method (D. Lemire, "Fast
// random integer generation in an interval", ACM TOMACS 29(1), 2019), on 64-bit words of `s`:
//
//   x = s.next_u64();  p = x · m (the full 128-bit product);  l = p mod 2^64
//   if l < m:  t = 2^64 mod m (computed as (2^64 − m) mod m);  while l < t: redraw x, recompute p, l
//   return ⌊p / 2^64⌋
//
// Why it is exactly uniform: as x runs over [0, 2^64), ⌊x m / 2^64⌋ = r for either ⌊2^64/m⌋ or
// ⌈2^64/m⌉ values of x; the products of those x form the interval [r 2^64, (r+1) 2^64) intersected
// with the multiples of m, and rejecting the ones whose low word is below t = 2^64 mod m removes
// exactly the surplus, leaving ⌊2^64/m⌋ accepted x for every r. The rejection probability is
// t / 2^64 < m / 2^64, so for the m of batch sampling (≪ 2^32) it is below 2^-32 and a draw costs
// one word; the division (t) is only computed when l < m. m = 1 returns 0 after one word.
// m = 0 is a precondition violation.
inline std::uint64_t uniform_below(rng::Stream& s, std::uint64_t m) noexcept {
  __extension__ using U128 = unsigned __int128;
  U128 p = static_cast<U128>(s.next_u64()) * m;
  auto low = static_cast<std::uint64_t>(p);
  if (low < m) [[unlikely]] {
    const std::uint64_t t = (0 - m) % m;
    while (low < t) {
      p = static_cast<U128>(s.next_u64()) * m;
      low = static_cast<std::uint64_t>(p);
    }
  }
  return static_cast<std::uint64_t>(p >> 64);
}

// F(θ) = (1/N) Σ_i ∇ℓ_i(θ) ∇ℓ_i(θ)ᵀ, the second moment of the per-sample gradients ("empirical
// Fisher"), d×d row-major. Allocates; for set-up code, summary columns and tests.
template <landscape::FiniteSum L>
std::vector<double> per_sample_gradient_second_moment(const L& land, const typename L::Vector& theta) {
  const std::size_t d = land.dim(), n = land.n_samples();
  std::vector<double> f(d * d, 0.0);
  typename L::Vector g = theta;
  for (std::size_t i = 0; i < n; ++i) {
    land.sample_gradient(i, theta, g);
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t b = 0; b < d; ++b) f[a * d + b] += g[a] * g[b];
  }
  for (auto& v : f) v /= static_cast<double>(n);
  return f;
}

// Σ₁(θ) = (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ − ∇L ∇Lᵀ = (1/N) Σ_i (∇ℓ_i − ∇L)(∇ℓ_i − ∇L)ᵀ, the covariance of one
// uniformly drawn per-sample gradient, d×d row-major in gradient units². Computed in two passes
// (mean, then centred products) with ∇L = (1/N) Σ ∇ℓ_i, so it is symmetric positive
// semi-definite to rounding. Allocates; for set-up code, summary columns and tests.
template <landscape::FiniteSum L>
std::vector<double> per_sample_gradient_covariance(const L& land, const typename L::Vector& theta) {
  const std::size_t d = land.dim(), n = land.n_samples();
  const auto nd = static_cast<double>(n);
  std::vector<double> mean(d, 0.0), c(d * d, 0.0);
  typename L::Vector g = theta;
  for (std::size_t i = 0; i < n; ++i) {
    land.sample_gradient(i, theta, g);
    for (std::size_t a = 0; a < d; ++a) mean[a] += g[a];
  }
  for (auto& v : mean) v /= nd;
  for (std::size_t i = 0; i < n; ++i) {
    land.sample_gradient(i, theta, g);
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t b = 0; b < d; ++b) c[a * d + b] += (g[a] - mean[a]) * (g[b] - mean[b]);
  }
  for (auto& v : c) v /= nd;
  return c;
}

// Per-trial scratch of SgdNoise: the index array the shuffle permutes, one sample gradient.
template <class V>
struct SgdWorkspace {
  std::vector<std::size_t> index;  // a permutation of 0..N−1
  V grad;
};

struct SgdNoise {
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = true;
  std::size_t batch_size = 1;  // B
  bool replacement = false;

  // Cov ξ = factor(N) · Σ₁: (N−B)/(B(N−1)) without replacement (0 when B = N), 1/B with.
  double factor(std::size_t n) const {
    const auto b = static_cast<double>(batch_size);
    if (replacement) return 1.0 / b;
    if (batch_size >= n) return 0.0;
    const auto nd = static_cast<double>(n);
    return (nd - b) / (b * (nd - 1.0));
  }

  // Throws std::invalid_argument unless 1 ≤ B, and B ≤ N without replacement (with replacement
  // any B is a well-defined batch); the job layer reports it as a ConfigError first.
  template <landscape::FiniteSum L>
  SgdWorkspace<typename L::Vector> workspace(const L& land) const {
    const std::size_t n = land.n_samples();
    if (batch_size < 1 || (!replacement && batch_size > n))
      throw std::invalid_argument("sgd noise: batch_size must be in [1, n_samples] without replacement");
    SgdWorkspace<typename L::Vector> ws{std::vector<std::size_t>(replacement ? 0 : n), land.minimum()};
    for (std::size_t i = 0; i < ws.index.size(); ++i) ws.index[i] = i;
    return ws;
  }

  // G ← (1/B) Σ_{i∈𝓑} ∇ℓ_i(θ) for a fresh batch 𝓑 (draw order in the header comment).
  template <landscape::FiniteSum L, class V>
  void stochastic_gradient(const L& land, const V& theta, rng::Stream& s, V& g,
                           SgdWorkspace<V>& ws) const {
    for (auto& v : g) v = 0.0;
    const std::size_t d = g.size();
    const auto add = [&](std::size_t i) {
      land.sample_gradient(i, theta, ws.grad);
      for (std::size_t c = 0; c < d; ++c) g[c] += ws.grad[c];
    };
    if (replacement) {
      const std::uint64_t n = land.n_samples();
      for (std::size_t k = 0; k < batch_size; ++k) add(static_cast<std::size_t>(uniform_below(s, n)));
    } else if (batch_size == ws.index.size()) {
      for (std::size_t i = 0; i < batch_size; ++i) add(i);
    } else {
      const std::size_t n = ws.index.size();
      for (std::size_t k = 0; k < batch_size; ++k) {
        const std::size_t j = k + static_cast<std::size_t>(uniform_below(s, n - k));
        std::swap(ws.index[k], ws.index[j]);
        add(ws.index[k]);
      }
    }
    const auto b = static_cast<double>(batch_size);
    for (auto& v : g) v /= b;
  }

  // The exact Cov ξ = Cov G at fixed θ (formulas above), d×d row-major in gradient units².
  template <landscape::FiniteSum L>
  std::vector<double> covariance(const L& land, const typename L::Vector& theta) const {
    auto c = per_sample_gradient_covariance(land, theta);
    const double f = factor(land.n_samples());
    for (auto& v : c) v *= f;
    return c;
  }
};

}  // namespace escapade::noise
