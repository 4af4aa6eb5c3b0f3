#pragma once
// Escape criteria (SCIENCE.md §4), first passage: a trial has escaped at the first step k with
// escaped(θ_k) true.
//
//   barrier   the iterate has crossed the landscape's separating saddle or ridge
//             (kramers_well: x ≥ x_b, the barrier top). Landscapes without one reject it.
//   ball      ‖θ − θ*‖ > r  (escape.radius = r, Euclidean norm, parameter units).
#include <cstddef>

namespace escapade::escape {

template <class L>
struct BarrierEscape {
  const L* landscape;
  bool escaped(const typename L::Vector& x) const { return landscape->crossed_barrier(x); }
};

template <class V>
struct BallEscape {
  V center;
  double radius = 0;
  bool escaped(const V& x) const {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double d = x[i] - center[i];
      s += d * d;
    }
    return s > radius * radius;
  }
};

}  // namespace escapade::escape
