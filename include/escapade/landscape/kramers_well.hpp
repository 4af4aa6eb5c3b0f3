#pragma once
// kramers_well (SCIENCE.md §2): a C¹ piecewise-quadratic 1-D well.
//
//   U(x) = a x² / 2                       for x ≤ s
//   U(x) = ΔU − b (x − x_b)² / 2           for x > s
//   s   = sqrt(2 ΔU / (a (1 + a/b)))       (junction, where U and U' match)
//   x_b = s + a s / b                      (barrier top, U(x_b) = ΔU)
//
// Minimum θ* = 0 with curvature a (the sharpness), barrier top at x_b with curvature −b, barrier
// height ΔU, so varying a at fixed ΔU and b changes sharpness and nothing else that matters to
// Kramers' law. Units: x in parameter units, U in loss units; a, b in loss/parameter².
// Job keys: landscape.a, landscape.b, landscape.barrier (= ΔU).
#include <array>
#include <cmath>
#include <vector>

#include "escapade/landscape/concepts.hpp"

namespace escapade::landscape {

class KramersWell {
 public:
  using Vector = std::array<double, 1>;

  KramersWell(double a, double b, double barrier)
      : a_(a), b_(b), barrier_(barrier),
        s_(std::sqrt(2.0 * barrier / (a * (1.0 + a / b)))), xb_(s_ + a * s_ / b) {}

  static constexpr std::size_t dim() { return 1; }
  Vector minimum() const { return {0.0}; }

  double value(const Vector& x) const {
    const double y = x[0];
    if (y <= s_) return 0.5 * a_ * y * y;
    const double z = y - xb_;
    return barrier_ - 0.5 * b_ * z * z;
  }
  void gradient(const Vector& x, Vector& g) const {
    const double y = x[0];
    g[0] = y <= s_ ? a_ * y : b_ * (xb_ - y);
  }
  void hessian(const Vector& x, std::vector<double>& h) const { h[0] = x[0] <= s_ ? a_ : -b_; }
  double sharpness() const { return a_; }

  bool crossed_barrier(const Vector& x) const { return x[0] >= xb_; }

  double a() const { return a_; }
  double b() const { return b_; }
  double barrier() const { return barrier_; }
  double junction() const { return s_; }
  double barrier_top() const { return xb_; }

 private:
  double a_, b_, barrier_, s_, xb_;
};

static_assert(HasBarrier<KramersWell>);

}  // namespace escapade::landscape
