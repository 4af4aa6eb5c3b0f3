#pragma once
// noise.kind = "gradient_covariance" (Zhu et al.'s "GLD leading" in their 2-D code): Gaussian
// noise with the covariance of the per-sample gradients of a finite sum L = (1/N) Σ_i ℓ_i
// (landscape::FiniteSum only):
//
//   Σ₁(θ) = (1/N) Σ_i ∇ℓ_i(θ) ∇ℓ_i(θ)ᵀ − ∇L(θ) ∇L(θ)ᵀ        (batch-size-1 gradient covariance),
//   trace_matched: Σ(θ) = trace · Σ₁(θ) / Tr Σ₁(θ)            (Σ = 0 where Tr Σ₁(θ) = 0),
//   scaled:        Σ(θ) = factor · Σ₁(θ)                      (e.g. factor = 1/B: SGD with
//                                                              replacement; (N−B)/(B(N−1)):
//                                                              without replacement),
//   ξ = C z,   C the lower-triangular Cholesky factor of Σ(θ) (detail::psd_cholesky_into: pivots
//              at rounding level are zero), z = d standard normals drawn in coordinate order.
//
// Σ₁ is accumulated in one pass over i = 1..N with Welford's co-moment update (∇L is the mean of
// the sample gradients), which stays accurate when the mean gradient is large, and is exactly
// symmetric. sigma1(land, θ) returns the same matrix, so others can compute SGD's covariance,
// e.g. for trace matching.
//
//   at = minimum: Σ at θ* = land.minimum(), computed and factored once by the factory; for
//     trace_matched Tr Σ₁(θ*) must be > 0 (otherwise std::invalid_argument).
//   at = current: Σ(θ_k) at every step: N sample gradients (O(N d)), the covariance (O(N d²)) and
//     a Cholesky factorisation (O(d³)); no allocation (the workspace holds the buffers).
//
// At θ* both modes draw bit-identical ξ. trace and factor ≥ 0; Σ in gradient units,
// (loss/parameter)²: the step is θ − η(∇L + ξ), so the continuous limit has diffusion ηΣ/2.
#include <cstddef>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/noise/concepts.hpp"
#include "escapade/noise/covariance.hpp"

namespace escapade::noise {

class GradientCovarianceNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;

  enum class Scaling { trace, factor };

  template <class V>
  struct Workspace {
    V g;                                   // one sample gradient
    std::vector<double> mean, c, l, z;     // running mean (d), Σ (d²), its factor (d²), z (d)
  };

  // Σ = trace · Σ₁ / Tr Σ₁. Throws std::invalid_argument for a negative or non-finite trace, and
  // at = minimum when Tr Σ₁(θ*) = 0.
  template <landscape::FiniteSum L>
  static GradientCovarianceNoise trace_matched(const L& land, double trace, At at) {
    return GradientCovarianceNoise(land, Scaling::trace, trace, at);
  }
  // Σ = factor · Σ₁. Throws std::invalid_argument for a negative or non-finite factor.
  template <landscape::FiniteSum L>
  static GradientCovarianceNoise scaled(const L& land, double factor, At at) {
    return GradientCovarianceNoise(land, Scaling::factor, factor, at);
  }

  // Σ₁(θ), d×d row-major (allocates).
  template <landscape::FiniteSum L>
  static std::vector<double> sigma1(const L& land, const typename L::Vector& theta) {
    const std::size_t d = land.dim();
    typename L::Vector g = theta;
    std::vector<double> mean(d), c(d * d);
    accumulate(land, theta, g, mean.data(), c.data());
    return c;
  }

  std::size_t dim() const { return d_; }
  Scaling scaling() const { return scaling_; }
  double magnitude() const { return value_; }  // the trace or the factor
  At at() const { return at_; }

  // Throws std::invalid_argument when land.dim() differs from dim().
  template <landscape::FiniteSum L>
  Workspace<typename L::Vector> workspace(const L& land) const {
    check_dim(land.dim());
    const std::size_t n = at_ == At::current ? d_ : 0, dd = n * d_;
    return {land.minimum(), std::vector<double>(n), std::vector<double>(dd),
            std::vector<double>(dd), std::vector<double>(d_)};
  }

  template <landscape::FiniteSum L, class V>
  void sample(const L& land, const V& theta, rng::Stream& s, V& xi, Workspace<V>& ws) const {
    for (std::size_t j = 0; j < d_; ++j) ws.z[j] = s.normal();
    const double* l = l_.data();
    if (at_ == At::current) {
      accumulate(land, theta, ws.g, ws.mean.data(), ws.c.data());
      scale(ws.c.data());
      detail::psd_cholesky_into(ws.c.data(), d_, ws.l.data());
      l = ws.l.data();
    }
    for (std::size_t i = 0; i < d_; ++i) {
      double x = 0;
      for (std::size_t j = 0; j <= i; ++j) x += l[i * d_ + j] * ws.z[j];
      xi[i] = x;
    }
  }

  // Σ(θ) as defined above (at = minimum: Σ(θ*) for every θ).
  template <landscape::FiniteSum L>
  std::vector<double> covariance(const L& land, const typename L::Vector& theta) const {
    if (at_ == At::minimum) return sigma_;
    std::vector<double> c = sigma1(land, theta);
    scale(c.data());
    return c;
  }

 private:
  template <class L>
  GradientCovarianceNoise(const L& land, Scaling scaling, double value, At at)
      : d_(land.dim()), scaling_(scaling), value_(value), at_(at) {
    detail::require_nonnegative(value, scaling == Scaling::trace ? "trace" : "factor");
    if (at == At::minimum) init_minimum(sigma1(land, land.minimum()));
  }

  // c ← Σ₁(θ) (d×d, symmetric); g is a sample-gradient buffer, mean a d-buffer. No allocation.
  template <class L, class V>
  static void accumulate(const L& land, const V& theta, V& g, double* mean, double* c) {
    const std::size_t d = land.dim(), n = land.n_samples();
    for (std::size_t j = 0; j < d; ++j) mean[j] = 0.0;
    for (std::size_t j = 0; j < d * d; ++j) c[j] = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      land.sample_gradient(i, theta, g);
      const double w = 1.0 / static_cast<double>(i + 1);
      const double f = static_cast<double>(i) * w;  // i/(i+1)
      for (std::size_t j = 0; j < d; ++j) {
        g[j] -= mean[j];  // δ = ∇ℓ_i − mean_{i−1}
        mean[j] += g[j] * w;
      }
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k <= j; ++k) c[j * d + k] += (g[j] * g[k]) * f;
    }
    const double nn = static_cast<double>(n > 0 ? n : 1);
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k <= j; ++k) c[k * d + j] = c[j * d + k] = c[j * d + k] / nn;
  }

  void init_minimum(std::vector<double> sigma1_star);
  void scale(double* c) const;  // c ← Σ from c = Σ₁ (in place)
  void check_dim(std::size_t d) const;

  std::size_t d_;
  Scaling scaling_;
  double value_;
  At at_;
  std::vector<double> sigma_, l_;  // at = minimum: Σ(θ*) and its Cholesky factor
};

}  // namespace escapade::noise
