// Set-up and per-step factorisations of the Gaussian noise models (diagonal, covariance, hessian,
// hessian_top, gradient_covariance, power_law).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "escapade/core/linalg.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/covariance.hpp"
#include "escapade/noise/diagonal.hpp"
#include "escapade/noise/gradient_covariance.hpp"
#include "escapade/noise/hessian.hpp"
#include "escapade/noise/hessian_top.hpp"
#include "escapade/noise/power_law.hpp"

namespace escapade::noise {

static_assert(NoiseFor<DiagonalNoise, landscape::Quadratic>);
static_assert(NoiseFor<DiagonalNoise, landscape::KramersWell>);
static_assert(NoiseFor<CovarianceNoise, landscape::Quadratic>);
static_assert(NoiseFor<CovarianceNoise, landscape::KramersWell>);
static_assert(NoiseFor<HessianNoise, landscape::Quadratic>);
static_assert(NoiseFor<HessianNoise, landscape::KramersWell>);
static_assert(NoiseFor<HessianTopNoise, landscape::Quadratic>);
static_assert(NoiseFor<HessianTopNoise, landscape::KramersWell>);
static_assert(NoiseFor<PowerLawNoise, landscape::Quadratic>);
static_assert(NoiseFor<PowerLawNoise, landscape::KramersWell>);

namespace {

void check_dim_equal(std::size_t model, std::size_t land, const char* kind) {
  if (model != land)
    throw std::invalid_argument(std::string(kind) + " noise was built for dimension " +
                                std::to_string(model) + " but the landscape has dimension " +
                                std::to_string(land));
}

// Σ_k max(λ_k, 0).
double positive_trace(const std::vector<double>& w) {
  double t = 0;
  for (double x : w) t += std::max(x, 0.0);
  return t;
}

// c · (H − Σ_{λ_k<0} λ_k v_k v_kᵀ): subtracting only the negative part leaves H bit for bit when
// no eigenvalue is negative.
std::vector<double> scaled_positive(const std::vector<double>& h, const std::vector<double>& w,
                                    const std::vector<double>& v, std::size_t d, double c) {
  std::vector<double> s = h;
  for (std::size_t k = 0; k < d; ++k) {
    if (!(w[k] < 0)) continue;
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) s[i * d + j] -= w[k] * v[i * d + k] * v[j * d + k];
  }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < i; ++j) s[i * d + j] = s[j * d + i] = 0.5 * (s[i * d + j] + s[j * d + i]);
  for (auto& x : s) x *= c;
  return s;
}

// v ← V diag(sqrt(c · max(λ_k, 0))), column by column, in place.
void scale_columns(double* v, const double* w, std::size_t d, double c) {
  for (std::size_t k = 0; k < d; ++k) {
    const double a = std::sqrt(c * std::max(w[k], 0.0));
    for (std::size_t i = 0; i < d; ++i) v[i * d + k] *= a;
  }
}

}  // namespace

namespace detail {

void symmetric_eigen_into(const double* a, std::size_t d, double* w, double* v, double* work) noexcept {
  linalg::symmetric_eigen_into(a, d, w, v, work);
}

double top_eigenvector_into(const double* a, std::size_t d, double* u, double* w, double* v,
                            double* work) noexcept {
  symmetric_eigen_into(a, d, w, v, work);
  const std::size_t k = d - 1;
  std::size_t big = 0;
  for (std::size_t i = 1; i < d; ++i)
    if (std::abs(v[i * d + k]) > std::abs(v[big * d + k])) big = i;
  const double sign = v[big * d + k] < 0 ? -1.0 : 1.0;
  for (std::size_t i = 0; i < d; ++i) u[i] = sign * v[i * d + k];
  return w[k];
}

void psd_cholesky_into(const double* a, std::size_t d, double* l) noexcept {
  std::fill(l, l + d * d, 0.0);
  double scale = 0;
  for (std::size_t i = 0; i < d; ++i) scale = std::max(scale, std::abs(a[i * d + i]));
  const double floor = 1e-12 * scale;
  for (std::size_t j = 0; j < d; ++j) {
    double diag = a[j * d + j];
    for (std::size_t k = 0; k < j; ++k) diag -= l[j * d + k] * l[j * d + k];
    // A rounding-level (or, from rounding, slightly negative) pivot is a zero direction.
    if (!(diag > floor)) continue;
    const double ljj = std::sqrt(diag);
    l[j * d + j] = ljj;
    for (std::size_t i = j + 1; i < d; ++i) {
      double s = a[i * d + j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = s / ljj;
    }
  }
}

std::vector<double> outer_square(const std::vector<double>& f, std::size_t d) {
  std::vector<double> s(d * d);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      double x = 0;
      for (std::size_t k = 0; k < d; ++k) x += f[i * d + k] * f[j * d + k];
      s[i * d + j] = x;
    }
  return s;
}

void require_nonnegative(double x, const char* what) {
  if (!(std::isfinite(x) && x >= 0))
    throw std::invalid_argument(std::string(what) + " must be finite and >= 0, got " + std::to_string(x));
}

}  // namespace detail

// --- diagonal -------------------------------------------------------------------------------

DiagonalNoise::DiagonalNoise(std::vector<double> variances) : v_(std::move(variances)) {
  if (v_.empty()) throw std::invalid_argument("diagonal noise needs at least one variance");
  for (std::size_t j = 0; j < v_.size(); ++j) {
    detail::require_nonnegative(v_[j], ("variance " + std::to_string(j)).c_str());
    sd_.push_back(std::sqrt(v_[j]));
  }
}

DiagonalNoise DiagonalNoise::diagonal_of(const std::vector<double>& sigma, std::size_t d, double trace) {
  if (d == 0 || sigma.size() != d * d)
    throw std::invalid_argument("covariance must be a " + std::to_string(d) + "x" + std::to_string(d) +
                                " matrix, got " + std::to_string(sigma.size()) + " entries");
  detail::require_nonnegative(trace, "trace");
  double tr = 0;
  for (std::size_t j = 0; j < d; ++j) {
    detail::require_nonnegative(sigma[j * d + j], "covariance diagonal entry");
    tr += sigma[j * d + j];
  }
  if (!(tr > 0)) throw std::invalid_argument("covariance has zero trace; it cannot be rescaled");
  std::vector<double> v(d);
  for (std::size_t j = 0; j < d; ++j) v[j] = trace * sigma[j * d + j] / tr;
  return DiagonalNoise(std::move(v));
}

void DiagonalNoise::check_dim(std::size_t d) const { check_dim_equal(v_.size(), d, "diagonal"); }

// --- covariance -----------------------------------------------------------------------------

CovarianceNoise::CovarianceNoise(std::vector<double> sigma, std::size_t d) : d_(d), sigma_(std::move(sigma)) {
  if (d == 0 || sigma_.size() != d * d)
    throw std::invalid_argument("covariance must be a " + std::to_string(d) + "x" + std::to_string(d) +
                                " matrix, got " + std::to_string(sigma_.size()) + " entries");
  double big = 0;
  for (double x : sigma_) {
    if (!std::isfinite(x)) throw std::invalid_argument("covariance has a non-finite entry");
    big = std::max(big, std::abs(x));
  }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const double a = sigma_[i * d + j], b = sigma_[j * d + i];
      if (std::abs(a - b) > 1e-12 * big)
        throw std::invalid_argument("covariance is not symmetric: entries (" + std::to_string(i) + ", " +
                                    std::to_string(j) + ") and (" + std::to_string(j) + ", " +
                                    std::to_string(i) + ") differ");
      sigma_[i * d + j] = sigma_[j * d + i] = 0.5 * (a + b);
    }
  std::vector<double> w, v;
  linalg::symmetric_eigen(sigma_, d, w, v);
  const double wmax = std::max(std::abs(w.front()), std::abs(w.back()));
  if (w.front() < -1e-10 * wmax)
    throw std::invalid_argument("covariance is not positive semi-definite (smallest eigenvalue " +
                                std::to_string(w.front()) + ", largest " + std::to_string(w.back()) + ")");
  // A PSD Σ always factors; the check guards against an eigen-solver/Cholesky disagreement at the
  // rounding threshold, where a silently wrong factor would be worse than an error.
  if (!linalg::cholesky(sigma_, d, l_))
    throw std::invalid_argument("covariance could not be factored (not positive semi-definite)");
  const std::vector<double> back = detail::outer_square(l_, d);
  for (std::size_t i = 0; i < d * d; ++i)
    if (std::abs(back[i] - sigma_[i]) > 1e-6 * big)
      throw std::invalid_argument("covariance is too close to indefinite to factor reliably");
}

void CovarianceNoise::check_dim(std::size_t d) const { check_dim_equal(d_, d, "covariance"); }

// --- hessian --------------------------------------------------------------------------------

void HessianNoise::init_minimum(const std::vector<double>& h) {
  const std::size_t d = d_;
  std::vector<double> w(d), v(d * d), work(d * d);
  detail::symmetric_eigen_into(h.data(), d, w.data(), v.data(), work.data());
  const double wmax = std::max(std::abs(w.front()), std::abs(w.back()));
  if (w.front() < -1e-10 * wmax)
    throw std::invalid_argument("hessian noise at the minimum needs a positive semi-definite H(θ*), but its "
                                "smallest eigenvalue is " + std::to_string(w.front()));
  const double tr = positive_trace(w);
  if (!(tr > 0)) throw std::invalid_argument("hessian noise at the minimum needs Tr H(θ*) > 0");
  const double c = trace_ / tr;
  sigma_ = scaled_positive(h, w, v, d, c);
  scale_columns(v.data(), w.data(), d, c);
  f_ = std::move(v);
}

void HessianNoise::current_factor(Workspace& ws) const {
  detail::symmetric_eigen_into(ws.h.data(), d_, ws.w.data(), ws.v.data(), ws.work.data());
  double tr = 0;
  for (std::size_t k = 0; k < d_; ++k) tr += std::max(ws.w[k], 0.0);
  scale_columns(ws.v.data(), ws.w.data(), d_, tr > 0 ? trace_ / tr : 0.0);
}

std::vector<double> HessianNoise::scaled_positive_part(const std::vector<double>& h) const {
  std::vector<double> w(d_), v(d_ * d_), work(d_ * d_);
  detail::symmetric_eigen_into(h.data(), d_, w.data(), v.data(), work.data());
  const double tr = positive_trace(w);
  return scaled_positive(h, w, v, d_, tr > 0 ? trace_ / tr : 0.0);
}

void HessianNoise::check_dim(std::size_t d) const { check_dim_equal(d_, d, "hessian"); }

// --- hessian_top ----------------------------------------------------------------------------

std::vector<double> HessianTopNoise::top_of(const std::vector<double>& h) const {
  std::vector<double> u(d_), w(d_), v(d_ * d_), work(d_ * d_);
  detail::top_eigenvector_into(h.data(), d_, u.data(), w.data(), v.data(), work.data());
  return u;
}

std::vector<double> HessianTopNoise::scaled_outer(const std::vector<double>& u) const {
  std::vector<double> s(d_ * d_);
  for (std::size_t i = 0; i < d_; ++i)
    for (std::size_t j = 0; j < d_; ++j) s[i * d_ + j] = trace_ * (u[i] * u[j]);
  return s;
}

void HessianTopNoise::check_dim(std::size_t d) const { check_dim_equal(d_, d, "hessian_top"); }

// --- gradient_covariance --------------------------------------------------------------------

void GradientCovarianceNoise::init_minimum(std::vector<double> sigma1_star) {
  if (scaling_ == Scaling::trace && !(linalg::trace(sigma1_star, d_) > 0))
    throw std::invalid_argument("gradient_covariance noise at the minimum: the per-sample gradients at θ* "
                                "all agree (Tr Σ₁(θ*) = 0), so Σ₁ cannot be rescaled to a trace");
  scale(sigma1_star.data());
  sigma_ = std::move(sigma1_star);
  l_.assign(d_ * d_, 0.0);
  detail::psd_cholesky_into(sigma_.data(), d_, l_.data());
}

void GradientCovarianceNoise::scale(double* c) const {
  double f = value_;
  if (scaling_ == Scaling::trace) {
    double tr = 0;
    for (std::size_t i = 0; i < d_; ++i) tr += c[i * d_ + i];
    f = tr > 0 ? value_ / tr : 0.0;
  }
  for (std::size_t i = 0; i < d_ * d_; ++i) c[i] *= f;
}

void GradientCovarianceNoise::check_dim(std::size_t d) const {
  check_dim_equal(d_, d, "gradient_covariance");
}

// --- power_law ------------------------------------------------------------------------------

PowerLawNoise::PowerLawNoise(double var_g, double var_h) : var_g_(var_g), var_h_(var_h) {
  detail::require_nonnegative(var_g, "var_g");
  detail::require_nonnegative(var_h, "var_h");
}

}  // namespace escapade::noise
