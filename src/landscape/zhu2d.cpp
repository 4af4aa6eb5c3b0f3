#include "escapade/landscape/zhu2d.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "escapade/core/linalg.hpp"

namespace escapade::landscape {

namespace {
// cos and sin of π/4 as the reference code computes them (they differ in the last bit), so the
// landscape is the code's to rounding rather than a symmetrised variant.
double rotation_k1() { return std::cos(std::numbers::pi / 4); }
double rotation_k2() { return std::sin(std::numbers::pi / 4); }
}  // namespace

Zhu2d::Zhu2d(std::vector<Point> data, double scale)
    : data_(std::move(data)), scale_(scale), k1_(rotation_k1()), k2_(rotation_k2()) {
  if (data_.empty()) throw std::invalid_argument("zhu2d: the data set is empty (n_samples must be >= 1)");
  if (!(scale_ > 0) || !std::isfinite(scale_))
    throw std::invalid_argument("zhu2d: scale must be a finite number > 0");
  double m0 = 0, m1 = 0;
  for (const Point& x : data_) {
    if (!std::isfinite(x[0]) || !std::isfinite(x[1]))
      throw std::invalid_argument("zhu2d: a data point is not finite");
    m0 += x[0];
    m1 += x[1];
  }
  const double n = static_cast<double>(data_.size());
  theta_star_ = {1.0 + m0 / n, 1.0 + m1 / n};
  for (std::size_t i = 0; i < data_.size(); ++i)
    if (sample_on_flat_branch(i, theta_star_))
      throw std::invalid_argument(
          "zhu2d: sample " + std::to_string(i) +
          " is on the flat branch at the sharp minimum (1, 1) + mean(x); the data are too spread "
          "(or scale too large) for the sharp minimum to exist");
  std::vector<double> h(4), eig, vec;
  hessian(theta_star_, h);
  linalg::symmetric_eigen(h, 2, eig, vec);
  sharpness_ = eig[1];
}

std::vector<Zhu2d::Point> Zhu2d::draw_data(rng::Stream& stream, std::size_t n) {
  const double k1 = rotation_k1(), k2 = rotation_k2();
  const double sqrt10 = std::sqrt(10.0);
  std::vector<Point> xs(n);
  for (Point& x : xs) {
    const double z1 = stream.normal();
    const double z2 = stream.normal();
    const double a = sqrt10 * z1;
    x = {(a * k1 + z2 * k2) * 1e-2, (-a * k2 + z2 * k1) * 1e-2};
  }
  return xs;
}

void Zhu2d::sharp_hessian(double* h) const {
  h[0] = scale_ * (20.0 * k1_ * k1_ + 200.0 * k1_ * k1_);
  h[1] = scale_ * (-20.0 * k1_ * k2_ + 200.0 * k1_ * k2_);
  h[2] = h[1];
  h[3] = scale_ * (20.0 * k2_ * k2_ + 200.0 * k2_ * k2_);
}

void Zhu2d::sample_hessian(std::size_t i, const Vector& w, std::vector<double>& h) const {
  if (sample_on_flat_branch(i, w)) {
    h[0] = 2.0;
    h[1] = 0.0;
    h[2] = 0.0;
    h[3] = 2.0;
  } else {
    sharp_hessian(h.data());
  }
}

void Zhu2d::hessian(const Vector& w, std::vector<double>& h) const {
  // Every branch Hessian is constant, so the mean only needs the count on each branch.
  std::size_t flat = 0;
  for (std::size_t i = 0; i < data_.size(); ++i) flat += sample_on_flat_branch(i, w) ? 1 : 0;
  const double n = static_cast<double>(data_.size());
  const double f = static_cast<double>(flat) / n, s = static_cast<double>(data_.size() - flat) / n;
  double hs[4];
  sharp_hessian(hs);
  h[0] = s * hs[0] + f * 2.0;
  h[1] = s * hs[1];
  h[2] = s * hs[2];
  h[3] = s * hs[3] + f * 2.0;
}

bool Zhu2d::crossed_barrier(const Vector& w) const {
  std::size_t flat = 0;
  for (std::size_t i = 0; i < data_.size(); ++i) flat += sample_on_flat_branch(i, w) ? 1 : 0;
  return 2 * flat > data_.size();
}

}  // namespace escapade::landscape
