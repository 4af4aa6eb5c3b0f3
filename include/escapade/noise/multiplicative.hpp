#pragma once
// noise.kind = "multiplicative": per-sample multiplicative weights on a finite sum
// L = (1/N) Σ_i ℓ_i (Wu, Hu, Xiong, Huan, Braverman, Zhu, "On the noisy gradient descent that
// generalizes as SGD", ICML 2020; reference/seeds-spec.md §4). Each step draws fresh weights m_i
// with E m_i = 1 and returns the whole stochastic gradient
//
//   G = (1/N) Σ_i m_i ∇ℓ_i(θ) = ∇L(θ) + ξ,    E G = ∇L(θ),
//
// in gradient units (the step is θ − η G). With F(θ) = (1/N) Σ_i ∇ℓ_i ∇ℓ_iᵀ (second moment,
// "empirical Fisher") and Σ₁(θ) = F − ∇L ∇Lᵀ (per-sample gradient covariance), noise.weights is
//
//   "gaussian_fisher"  m_i = 1 + s z_i, z_i iid N(0, 1):          Cov ξ = (s²/N) · F(θ)
//   "gaussian_cov"     m_i = 1 + s (z_i − z̄), z̄ = (1/N) Σ_j z_j:  Cov ξ = (s²/N) · Σ₁(θ)
//   "bernoulli"        m_i = b_i / p, b_i = [uniform() < p]:       Cov ξ = ((1 − p)/(p N)) · F(θ)
//
// Derivations. Write ∇ℓ = [∇ℓ_1 … ∇ℓ_N] (d×N), so ξ = (1/N) ∇ℓ (m − 𝟙) and
// Cov ξ = (1/N²) ∇ℓ Cov(m) ∇ℓᵀ. Fisher: Cov(m) = s² I gives (s²/N²) Σ_i ∇ℓ_i∇ℓ_iᵀ = (s²/N) F.
// Cov: m − 𝟙 = s P z with the centring projector P = I − 𝟙𝟙ᵀ/N (P Pᵀ = P), so
// Cov ξ = (s²/N²) ∇ℓ P ∇ℓᵀ = (s²/N²)(Σ_i ∇ℓ_i∇ℓ_iᵀ − N ∇L∇Lᵀ) = (s²/N) Σ₁, using ∇ℓ 𝟙 = N ∇L.
// Bernoulli: the m_i are independent with Var m_i = (1 − p)/p, so Cov ξ = ((1 − p)/(p N)) F.
//
// Magnitude (noise.batch_size = B, 1 ≤ B ≤ N): matched to SGD without replacement at batch B,
//
//   s² = N (N − B) / (B (N − 1)),    p = 1 / (1 + N (N − B) / (B (N − 1))),
//
// so that (s²/N) = (1 − p)/(p N) = c_B := (N − B)/(B (N − 1)) (both 0 at B = N: s = 0, p = 1, and
// G = ∇L). "gaussian_cov" then has Cov ξ = c_B Σ₁(θ), SGD's covariance, at every θ. The
// Fisher-based "gaussian_fisher" and "bernoulli" have c_B F = c_B (Σ₁ + ∇L∇Lᵀ): equal to SGD's at a
// minimum (∇L = 0) and larger by c_B ∇L∇Lᵀ away from it, as in Wu et al. (Wu et al.'s code uses
// p = B/N, weight N/B, i.e. (1 − p)/(p N) = (N − B)/(B N); the exact match here differs from it
// by the factor N/(N − 1).)
//
// Draw order, per step: "gaussian_*" N normals z_0..z_{N−1}, "bernoulli" N uniforms u_0..u_{N−1},
// in index order, all drawn before any gradient is used. The cost is N sample gradients per step
// ("bernoulli" skips the samples with b_i = 0); the weights live in the per-trial workspace, so a
// step allocates nothing.
#include <cmath>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/noise/concepts.hpp"
#include "escapade/noise/sgd.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::noise {

// Per-trial scratch of MultiplicativeNoise: the step's weights, one sample gradient, and s and p
// for this landscape's N.
template <class V>
struct MultiplicativeWorkspace {
  std::vector<double> m;
  V grad;
  double s = 0;  // Gaussian scale
  double p = 1;  // Bernoulli inclusion probability
};

struct MultiplicativeNoise {
  enum class Weights { gaussian_fisher, gaussian_cov, bernoulli };

  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = true;
  Weights weights = Weights::gaussian_fisher;
  std::size_t batch_size = 1;  // B, the SGD batch the magnitude is matched to

  // c_B = (N − B)/(B (N − 1)), 0 at B = N: the matched covariance factor.
  double matched_factor(std::size_t n) const {
    if (batch_size >= n) return 0.0;
    const auto nd = static_cast<double>(n), b = static_cast<double>(batch_size);
    return (nd - b) / (b * (nd - 1.0));
  }
  // s² = N c_B.
  double s2(std::size_t n) const { return static_cast<double>(n) * matched_factor(n); }
  // p = 1 / (1 + N c_B).
  double bernoulli_p(std::size_t n) const { return 1.0 / (1.0 + s2(n)); }
  // The factor of Cov ξ in front of F ("gaussian_fisher", "bernoulli") or Σ₁ ("gaussian_cov"),
  // from the s and p actually used: s²/N, or (1 − p)/(p N).
  double factor(std::size_t n) const {
    const auto nd = static_cast<double>(n);
    if (weights == Weights::bernoulli) {
      const double p = bernoulli_p(n);
      return (1.0 - p) / (p * nd);
    }
    return s2(n) / nd;
  }

  // Throws std::invalid_argument unless 1 ≤ B ≤ N (the job layer reports it as a ConfigError
  // before any trial runs; here it guards direct use).
  template <landscape::FiniteSum L>
  MultiplicativeWorkspace<typename L::Vector> workspace(const L& land) const {
    const std::size_t n = land.n_samples();
    if (batch_size < 1 || batch_size > n)
      throw std::invalid_argument("multiplicative noise: batch_size must be in [1, n_samples]");
    return {std::vector<double>(n), land.minimum(), std::sqrt(s2(n)), bernoulli_p(n)};
  }

  // G ← (1/N) Σ_i m_i ∇ℓ_i(θ) with fresh weights (draw order in the header comment).
  template <landscape::FiniteSum L, class V>
  void stochastic_gradient(const L& land, const V& theta, rng::Stream& s, V& g,
                           MultiplicativeWorkspace<V>& ws) const {
    const std::size_t n = ws.m.size(), d = g.size();
    auto& m = ws.m;
    for (auto& v : g) v = 0.0;
    if (weights == Weights::bernoulli) {  // m holds b_i; the 1/p is applied to the sum
      for (std::size_t i = 0; i < n; ++i) m[i] = s.uniform() < ws.p ? 1.0 : 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        if (m[i] == 0.0) continue;
        land.sample_gradient(i, theta, ws.grad);
        for (std::size_t c = 0; c < d; ++c) g[c] += ws.grad[c];
      }
      const double scale = ws.p * static_cast<double>(n);
      for (auto& v : g) v /= scale;
      return;
    }
    for (std::size_t i = 0; i < n; ++i) m[i] = s.normal();
    double shift = 0;  // z̄ for "gaussian_cov"
    if (weights == Weights::gaussian_cov) {
      for (std::size_t i = 0; i < n; ++i) shift += m[i];
      shift /= static_cast<double>(n);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double w = 1.0 + ws.s * (m[i] - shift);
      land.sample_gradient(i, theta, ws.grad);
      for (std::size_t c = 0; c < d; ++c) g[c] += w * ws.grad[c];
    }
    const auto nd = static_cast<double>(n);
    for (auto& v : g) v /= nd;
  }

  // The exact Cov ξ = Cov G at fixed θ for the chosen weighting (formulas above), d×d row-major
  // in gradient units².
  template <landscape::FiniteSum L>
  std::vector<double> covariance(const L& land, const typename L::Vector& theta) const {
    auto c = weights == Weights::gaussian_cov ? per_sample_gradient_covariance(land, theta)
                                              : per_sample_gradient_second_moment(land, theta);
    const double f = factor(land.n_samples());
    for (auto& v : c) v *= f;
    return c;
  }
};

// Job-file names of the weightings: "gaussian_fisher", "gaussian_cov", "bernoulli".
std::string_view to_string(MultiplicativeNoise::Weights w);
// The weighting named `name`, or nullopt when it is none of them.
std::optional<MultiplicativeNoise::Weights> parse_weights(std::string_view name);
// The allowed names, comma-separated, for error messages.
inline constexpr std::string_view multiplicative_weights_allowed = "gaussian_fisher, gaussian_cov, bernoulli";

}  // namespace escapade::noise
