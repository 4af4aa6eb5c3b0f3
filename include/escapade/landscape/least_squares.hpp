#pragma once
// least_squares (SCIENCE.md §2; Wang & Wu's linear model, Mori et al.'s linear regression): a
// finite sum of squared residuals of a linear model,
//
//   ℓ_i(θ) = ½ (x_iᵀ θ − y_i)²,   i = 1..N,   L(θ) = (1/N) Σ_i ℓ_i(θ),
//   ∇ℓ_i(θ) = (x_iᵀ θ − y_i) x_i,   ∇²L = H = XᵀX / N (constant),   sharpness = λ_max(H),
//
// X the N×d design (rows x_iᵀ), y the N labels.
// θ* (minimum(), where trials start) is the minimum-norm least-squares solution:
//   N ≥ d:  θ* = (XᵀX)⁻¹ Xᵀ y           (the unique minimiser; X must have rank d)
//   N < d:  θ* = Xᵀ (XXᵀ)⁻¹ y           (over-parameterised: interpolates, X θ* = y, and lies in
//                                         the row space of X; X must have rank N)
// both by Cholesky (linalg::solve_spd); a rank-deficient X throws std::invalid_argument.
// Evaluation: for d ≤ N, value and gradient use the exact quadratic forms
//   L(θ) = L(θ*) + ½ (θ − θ*)ᵀ H (θ − θ*),   ∇L(θ) = H (θ − θ*)        (O(d²), L(θ*) from the ℓ_i),
// otherwise the sums over samples (O(N d)); either way they equal the means of ℓ_i and ∇ℓ_i to
// rounding.
//
// Generator (generate, teacher–student data), all from one stream in this order:
//   1. the teacher θ_T: d values z / sqrt(d), z = stream.normal()  (components N(0, 1/d));
//   2. the inputs: N·d values stream.normal(), row-major (x_i = row i, so x_i ~ N(0, I_d));
//   3. the label noise: N values z_i = stream.normal(), y_i = x_iᵀ θ_T + label_noise · z_i.
// The label noise is drawn even when label_noise = 0, so the stream is consumed the same way.
// Per-trial data come from the trial's rng::Purpose::landscape_data stream.
//
// Units: θ in parameter units, y and label_noise in output units, losses in output units².
// Job keys: landscape.kind = "least_squares", landscape.samples (N ≥ 1), landscape.dim (d ≥ 1),
// landscape.label_noise (≥ 0, default 0.1), landscape.data = "per_trial" or "per_job".
#include <cstddef>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::landscape {

class LeastSquares {
 public:
  using Vector = std::vector<double>;

  // x: N×d row-major design, y: N labels; d = x.size() / y.size(). Throws std::invalid_argument
  // if y is empty, x.size() is not a positive multiple of N, an entry is not finite, or X does
  // not have full rank min(N, d).
  LeastSquares(std::vector<double> x, std::vector<double> y);

  // Teacher–student data as documented above. Throws std::invalid_argument if n or d is 0 or
  // label_noise is not a finite number ≥ 0 (or, with probability zero, if X is rank-deficient).
  static LeastSquares generate(std::size_t n, std::size_t d, double label_noise, rng::Stream& stream);

  std::size_t dim() const { return d_; }
  Vector minimum() const { return theta_star_; }
  std::size_t n_samples() const { return n_; }

  double sample_value(std::size_t i, const Vector& theta) const {
    const double r = residual(i, theta);
    return 0.5 * r * r;
  }
  void sample_gradient(std::size_t i, const Vector& theta, Vector& g) const {
    const double r = residual(i, theta);
    const double* xi = &x_[i * d_];
    for (std::size_t j = 0; j < d_; ++j) g[j] = r * xi[j];
  }

  double value(const Vector& theta) const {
    if (quadratic_form_) {
      double s = 0;
      for (std::size_t j = 0; j < d_; ++j) {
        double t = 0;
        const double* hj = &h_[j * d_];
        for (std::size_t k = 0; k < d_; ++k) t += hj[k] * (theta[k] - theta_star_[k]);
        s += (theta[j] - theta_star_[j]) * t;
      }
      return value_at_minimum_ + 0.5 * s;
    }
    double s = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double r = residual(i, theta);
      s += r * r;
    }
    return 0.5 * s / static_cast<double>(n_);
  }
  void gradient(const Vector& theta, Vector& g) const {
    if (quadratic_form_) {
      for (std::size_t j = 0; j < d_; ++j) {
        double t = 0;
        const double* hj = &h_[j * d_];
        for (std::size_t k = 0; k < d_; ++k) t += hj[k] * (theta[k] - theta_star_[k]);
        g[j] = t;
      }
      return;
    }
    for (std::size_t j = 0; j < d_; ++j) g[j] = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double r = residual(i, theta);
      const double* xi = &x_[i * d_];
      for (std::size_t j = 0; j < d_; ++j) g[j] += r * xi[j];
    }
    const double inv_n = 1.0 / static_cast<double>(n_);
    for (std::size_t j = 0; j < d_; ++j) g[j] *= inv_n;
  }
  void hessian(const Vector& theta, std::vector<double>& h) const;
  double sharpness() const { return sharpness_; }
  double hessian_trace() const;  // Tr H = (1/N) Σ_i ‖x_i‖²

  const std::vector<double>& inputs() const { return x_; }  // X, N×d row-major
  const std::vector<double>& labels() const { return y_; }  // y
  double value_at_minimum() const { return value_at_minimum_; }

 private:
  double residual(std::size_t i, const Vector& theta) const {
    const double* xi = &x_[i * d_];
    double s = 0;
    for (std::size_t j = 0; j < d_; ++j) s += xi[j] * theta[j];
    return s - y_[i];
  }

  std::vector<double> x_, y_;
  std::size_t n_ = 0, d_ = 0;
  std::vector<double> h_;  // XᵀX / N, d×d row-major
  std::vector<double> theta_star_;
  double value_at_minimum_ = 0, sharpness_ = 0;
  bool quadratic_form_ = true;  // d ≤ N: evaluate through H (cheaper)
};

static_assert(FiniteSum<LeastSquares>);

}  // namespace escapade::landscape
