#include "escapade/landscape/least_squares.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "escapade/core/linalg.hpp"

namespace escapade::landscape {

namespace {

// Solves the Gram system G a = b (G = A Aᵀ or AᵀA, m×m). solve_spd alone accepts a pivot that is
// positive only by rounding, so rank deficiency is detected first with a relative pivot tolerance.
std::vector<double> solve_gram(const std::vector<double>& g, std::size_t m, const std::vector<double>& b,
                               const char* what) {
  std::vector<double> l;
  bool ok = linalg::cholesky(g, m, l, 1e-12);
  for (std::size_t i = 0; ok && i < m; ++i) ok = l[i * m + i] > 0;
  if (!ok)
    throw std::invalid_argument(std::string("least_squares: ") + what +
                                " is singular (the design X does not have full rank), so the "
                                "minimum-norm solution is not determined by a full-rank solve");
  return linalg::solve_spd(g, m, b);
}

}  // namespace

LeastSquares::LeastSquares(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
  n_ = y_.size();
  if (n_ == 0) throw std::invalid_argument("least_squares: no samples (y is empty)");
  if (x_.empty() || x_.size() % n_ != 0)
    throw std::invalid_argument("least_squares: X has " + std::to_string(x_.size()) +
                                " entries, not a positive multiple of N = " + std::to_string(n_));
  d_ = x_.size() / n_;
  for (double v : x_)
    if (!std::isfinite(v)) throw std::invalid_argument("least_squares: X has a non-finite entry");
  for (double v : y_)
    if (!std::isfinite(v)) throw std::invalid_argument("least_squares: y has a non-finite entry");

  const double inv_n = 1.0 / static_cast<double>(n_);
  std::vector<double> xtx(d_ * d_, 0.0);
  for (std::size_t i = 0; i < n_; ++i) {
    const double* xi = &x_[i * d_];
    for (std::size_t j = 0; j < d_; ++j)
      for (std::size_t k = j; k < d_; ++k) xtx[j * d_ + k] += xi[j] * xi[k];
  }
  for (std::size_t j = 0; j < d_; ++j)
    for (std::size_t k = 0; k < j; ++k) xtx[j * d_ + k] = xtx[k * d_ + j];
  h_.resize(d_ * d_);
  for (std::size_t k = 0; k < d_ * d_; ++k) h_[k] = xtx[k] * inv_n;

  if (n_ >= d_) {
    std::vector<double> xty(d_, 0.0);
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < d_; ++j) xty[j] += x_[i * d_ + j] * y_[i];
    theta_star_ = solve_gram(xtx, d_, xty, "XᵀX");
  } else {
    std::vector<double> xxt(n_ * n_, 0.0);
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t k = i; k < n_; ++k) {
        double s = 0;
        for (std::size_t j = 0; j < d_; ++j) s += x_[i * d_ + j] * x_[k * d_ + j];
        xxt[i * n_ + k] = s;
        xxt[k * n_ + i] = s;
      }
    const std::vector<double> alpha = solve_gram(xxt, n_, y_, "XXᵀ");
    theta_star_.assign(d_, 0.0);
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < d_; ++j) theta_star_[j] += x_[i * d_ + j] * alpha[i];
  }

  double s = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    const double r = residual(i, theta_star_);
    s += r * r;
  }
  value_at_minimum_ = 0.5 * s * inv_n;

  std::vector<double> eig, vec;
  linalg::symmetric_eigen(h_, d_, eig, vec);
  sharpness_ = eig.back();
  quadratic_form_ = d_ <= n_;
}

LeastSquares LeastSquares::generate(std::size_t n, std::size_t d, double label_noise, rng::Stream& stream) {
  if (n == 0 || d == 0) throw std::invalid_argument("least_squares: n_samples and dim must be >= 1");
  if (!(label_noise >= 0) || !std::isfinite(label_noise))
    throw std::invalid_argument("least_squares: label_noise must be a finite number >= 0");
  const double teacher_scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> teacher(d);
  for (double& t : teacher) t = stream.normal() * teacher_scale;
  std::vector<double> x(n * d);
  for (double& v : x) v = stream.normal();
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += x[i * d + j] * teacher[j];
    y[i] = s + label_noise * stream.normal();
  }
  return LeastSquares(std::move(x), std::move(y));
}

void LeastSquares::hessian(const Vector&, std::vector<double>& h) const {
  for (std::size_t k = 0; k < d_ * d_; ++k) h[k] = h_[k];
}

double LeastSquares::hessian_trace() const { return linalg::trace(h_, d_); }

}  // namespace escapade::landscape
