#pragma once
// per_sample_quadratic (SCIENCE.md §2; reference/seeds-spec.md §3.1): a finite sum of separable
// quadratics with per-sample curvatures and centres,
//
//   ℓ_i(θ) = ½ Σ_j h_ij (θ_j − c_ij)²,   i = 1..N, j = 1..d,   h_ij > 0,
//   L(θ)   = (1/N) Σ_i ℓ_i(θ).
//
// With H̄_j = (1/N) Σ_i h_ij:
//   θ*_j = Σ_i h_ij c_ij / Σ_i h_ij,    ∇L(θ)_j = H̄_j (θ_j − θ*_j),
//   ∇²L = diag(H̄) (constant),           sharpness = max_j H̄_j,
//   L(θ) = L(θ*) + ½ Σ_j H̄_j (θ_j − θ*_j)²   (exact; L(θ*) is computed once from the ℓ_i).
// value() and gradient() use these O(d) forms; they equal the means of ℓ_i and ∇ℓ_i to rounding.
//
// Exact noise facts (Meng et al.'s power-law dynamic; seeds-spec §3.1). For coordinate j (the
// whole model when d = 1) let g_i(w) = ∂_j ℓ_i = h_i (w − c_i), r_i = h_i (w* − c_i) (so mean r = 0)
// and define, with population moments over i (weights 1/N):
//   var_h = Var_i(h_i),   var_g = Var_i(r_i),   cross = Cov_i(h_i, r_i).
// Because g_i(w) = r_i + h_i (w − w*), for every w
//   Var_i(g_i(w)) = var_g + 2 · cross · (w − w*) + var_h · (w − w*)²      (exactly).
// Mini-batch SGD on this finite sum therefore has gradient-noise variance exactly quadratic in θ
// (σ_g = var_g, σ_H = var_h); cross vanishes when c is independent of h and w* = mean c.
// In d-D, power_law_coefficients(j) gives the diagonal entry (j, j) of the per-sample gradient
// covariance; its off-diagonal entries Cov_i(g_ij, g_ik) need not vanish.
//
// Data generator (generate): N·d curvatures h then N·d centres c, each drawn by draw() below from
// one stream (the trial's rng::Purpose::landscape_data stream for per-trial data), row-major
// (sample i, coordinate j at index i·d + j). Non-positive curvatures are rejected.
//
// Distributions (Distribution{kind, params}; draw(dist, stream, count) makes `count` values, one
// after another, each consuming the stream as stated):
//   "constant"  [v]            v; draws nothing.
//   "normal"    [mean, std]    mean + std · z, one stream.normal() each (std ≥ 0).
//   "uniform"   [lo, hi]       lo + (hi − lo) · u, one stream.uniform() each (lo < hi).
//   "lognormal" [mu, sigma]    exp(mu + sigma · z), one stream.normal() each (sigma ≥ 0);
//                              mu and sigma are the mean and std of the logarithm.
//   "gamma"     [shape, scale] scale · G(shape) (shape > 0, scale > 0), density
//                              x^{k−1} e^{−x/θ} / (Γ(k) θ^k), mean kθ, variance kθ².
//       G(k) for k ≥ 1 by Marsaglia & Tsang (2000): a = k − 1/3, b = 1 / sqrt(9a); repeat
//       { z = normal(); t = 1 + b z; if t ≤ 0 restart; v = t³; u = uniform();
//         accept a·v if u < 1 − 0.0331 z⁴ or log u < z²/2 + a (1 − v + log v) }.
//       For k < 1: G(k) = G(k + 1) · u^{1/k}, u = uniform() drawn after G(k + 1).
//
// Units: θ and c in parameter units, h in loss/parameter², losses in loss units.
// Job keys: landscape.kind = "per_sample_quadratic", landscape.samples (N ≥ 1), landscape.dim
// (d ≥ 1, default 1), landscape.h and landscape.c (each N·d numbers row-major, an N×d matrix, or a
// distribution to draw them from, written { gamma = [shape, scale] }, { normal = [mean, std] }, …),
// landscape.data = "per_trial" or "per_job" (where drawn data come from).
#include <cstddef>
#include <string>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::landscape {

// A scalar distribution for generated landscape data (kinds and parameters above).
struct Distribution {
  std::string kind;
  std::vector<double> params;
  friend bool operator==(const Distribution&, const Distribution&) = default;
};

// Throws std::invalid_argument (naming the kind, the parameters and what is allowed) if the kind
// is unknown or its parameters are wrong in number or value.
void check_distribution(const Distribution& dist);

// `count` values from `dist`, drawn in order from `stream` as documented above. Throws as
// check_distribution does.
std::vector<double> draw(const Distribution& dist, rng::Stream& stream, std::size_t count);

// A standard gamma variate G(shape) (scale 1) by the method above; shape > 0.
double gamma_variate(double shape, rng::Stream& stream);

// "gamma [4, 0.25]": for messages.
std::string describe(const Distribution& dist);

// The coefficients of the exact quadratic Var_i(∂_j ℓ_i(w)) (see above), for one coordinate.
struct PowerLawCoefficients {
  double w_star;  // θ*_j
  double mean_h;  // H̄_j, the curvature of L along j
  double var_h;   // Var_i(h_ij)                          (σ_H)
  double var_g;   // Var_i(h_ij (θ*_j − c_ij))            (σ_g)
  double cross;   // Cov_i(h_ij, h_ij (θ*_j − c_ij))
};

class PerSampleQuadratic {
 public:
  using Vector = std::vector<double>;

  // h and c are N×dim row-major (h[i·dim + j] = h_ij). Throws std::invalid_argument if dim = 0,
  // the sizes disagree or are not a positive multiple of dim, or some h_ij is not a finite
  // number > 0 or some c_ij is not finite.
  PerSampleQuadratic(std::vector<double> h, std::vector<double> c, std::size_t dim);

  // N·d curvatures from h_dist, then N·d centres from c_dist (row-major), from one stream.
  // Throws std::invalid_argument naming h_dist if a drawn curvature is ≤ 0.
  static PerSampleQuadratic generate(std::size_t n, std::size_t d, const Distribution& h_dist,
                                     const Distribution& c_dist, rng::Stream& stream);

  std::size_t dim() const { return d_; }
  Vector minimum() const { return theta_star_; }
  std::size_t n_samples() const { return n_; }

  double sample_value(std::size_t i, const Vector& x) const {
    const double* h = &h_[i * d_];
    const double* c = &c_[i * d_];
    double s = 0;
    for (std::size_t j = 0; j < d_; ++j) {
      const double e = x[j] - c[j];
      s += h[j] * e * e;
    }
    return 0.5 * s;
  }
  void sample_gradient(std::size_t i, const Vector& x, Vector& g) const {
    const double* h = &h_[i * d_];
    const double* c = &c_[i * d_];
    for (std::size_t j = 0; j < d_; ++j) g[j] = h[j] * (x[j] - c[j]);
  }

  double value(const Vector& x) const {
    double s = 0;
    for (std::size_t j = 0; j < d_; ++j) {
      const double e = x[j] - theta_star_[j];
      s += mean_h_[j] * e * e;
    }
    return value_at_minimum_ + 0.5 * s;
  }
  void gradient(const Vector& x, Vector& g) const {
    for (std::size_t j = 0; j < d_; ++j) g[j] = mean_h_[j] * (x[j] - theta_star_[j]);
  }
  void hessian(const Vector& x, std::vector<double>& h) const;
  double sharpness() const { return sharpness_; }

  // Coordinate j's exact gradient-variance quadratic (j < dim(); the whole model when d = 1).
  PowerLawCoefficients power_law_coefficients(std::size_t j = 0) const;

  const std::vector<double>& curvatures() const { return h_; }  // h, N×d row-major
  const std::vector<double>& centres() const { return c_; }     // c, N×d row-major
  const std::vector<double>& mean_curvature() const { return mean_h_; }  // H̄
  double value_at_minimum() const { return value_at_minimum_; }

 private:
  std::vector<double> h_, c_;
  std::size_t n_, d_;
  std::vector<double> mean_h_, theta_star_;
  double value_at_minimum_ = 0, sharpness_ = 0;
};

static_assert(FiniteSum<PerSampleQuadratic>);

}  // namespace escapade::landscape
