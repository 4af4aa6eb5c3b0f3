#pragma once
// double_well (SCIENCE.md §2): the textbook symmetric 1-D double well and its scaled family.
//
//   U(x) = ΔU · ((x/w)⁴ − 2 (x/w)² + 1) = ΔU · ((x/w)² − 1)²
//   U'(x) = (4 ΔU / w) · ((x/w)³ − x/w)
//   U''(x) = (4 ΔU / w²) · (3 (x/w)² − 1)
//
// Minima at x = ±w with U = 0 and curvature 8 ΔU / w² (the sharpness); barrier top (a local
// maximum) at x = 0 with U = ΔU and curvature −4 ΔU / w². With ΔU = 1/4, w = 1 this is
// x⁴/4 − x²/2 + 1/4, SCIENCE.md's U = x⁴/4 − x²/2 shifted so that U(minimum) = 0.
// Trials start in the left well, θ* = −w; the barrier is crossed once x ≥ 0.
// Units: x and w in parameter units, U and ΔU in loss units.
// Job keys: landscape.kind = "double_well", landscape.barrier (= ΔU > 0, default 1/4),
// landscape.width (= w > 0, default 1).
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "escapade/landscape/concepts.hpp"

namespace escapade::landscape {

class DoubleWell {
 public:
  using Vector = std::array<double, 1>;

  // Throws std::invalid_argument unless barrier > 0 and width > 0 (both finite).
  DoubleWell(double barrier, double width) : barrier_(barrier), width_(width) {
    if (!(barrier > 0) || !std::isfinite(barrier))
      throw std::invalid_argument("double_well: barrier must be a finite number > 0");
    if (!(width > 0) || !std::isfinite(width))
      throw std::invalid_argument("double_well: width must be a finite number > 0");
  }

  static constexpr std::size_t dim() { return 1; }
  Vector minimum() const { return {-width_}; }

  double value(const Vector& x) const {
    const double y = x[0] / width_;
    const double q = y * y - 1.0;
    return barrier_ * q * q;
  }
  void gradient(const Vector& x, Vector& g) const {
    const double y = x[0] / width_;
    g[0] = 4.0 * barrier_ / width_ * (y * y * y - y);
  }
  void hessian(const Vector& x, std::vector<double>& h) const {
    const double y = x[0] / width_;
    h[0] = 4.0 * barrier_ / (width_ * width_) * (3.0 * y * y - 1.0);
  }
  // U''(±w) = 8 ΔU / w².
  double sharpness() const { return 8.0 * barrier_ / (width_ * width_); }

  bool crossed_barrier(const Vector& x) const { return x[0] >= 0.0; }

  double barrier() const { return barrier_; }
  double width() const { return width_; }
  static constexpr double barrier_top() { return 0.0; }
  // U''(0) = −4 ΔU / w².
  double barrier_curvature() const { return -4.0 * barrier_ / (width_ * width_); }

 private:
  double barrier_, width_;
};

static_assert(HasBarrier<DoubleWell>);

}  // namespace escapade::landscape
