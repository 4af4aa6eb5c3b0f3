#pragma once
// Escape criteria (SCIENCE.md §4), first passage: a trial has escaped at the first step k with
// escaped(θ_k) true.
//
//   barrier   the iterate has crossed the landscape's separating saddle or ridge
//             (kramers_well: x ≥ x_b, the barrier top). Landscapes without one reject it.
//   ball      ‖θ − θ*‖ > r  (escape.radius = r, Euclidean norm, parameter units).
//   loss      L(θ) − L(θ*) > δ (escape.delta), or L(θ) > c·L(θ*) (escape.factor = c > 1; needs
//             L(θ*) > 0). Loss units.
//   region    θ in the intersection of half-spaces n_j·θ < c_j (escape.halfspaces, rows
//             [n_1, ..., n_d, c]); e.g. Zhu et al.'s w₀ < −0.5 and w₁ < −0.5.
#include <cstddef>
#include <vector>

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

template <class L>
struct LossEscape {
  const L* landscape;
  double threshold = 0;  // escaped iff L(θ) > threshold (L* + δ, or c·L*)
  bool escaped(const typename L::Vector& x) const { return landscape->value(x) > threshold; }
};

template <class V>
struct RegionEscape {
  std::size_t dim = 0;
  std::vector<double> rows;  // each row: n_1..n_d, c
  bool escaped(const V& x) const {
    const std::size_t stride = dim + 1;
    for (std::size_t r = 0; r + stride <= rows.size(); r += stride) {
      double s = 0;
      for (std::size_t i = 0; i < dim; ++i) s += rows[r + i] * x[i];
      if (!(s < rows[r + dim])) return false;
    }
    return true;
  }
};

}  // namespace escapade::escape
