#pragma once
// The static interface of a loss landscape L: R^d → R (STYLE.md "Landscape").
//
//   Vector            parameter vector type (std::array for fixed d, std::vector otherwise)
//   dim()             d
//   minimum()         θ*, where trials start
//   value(θ)          L(θ)
//   gradient(θ, g)    g ← ∇L(θ), into a caller-owned buffer of size d, no allocation
//   hessian(θ)        ∇²L(θ), d×d row-major (allocates; never called per step)
//   sharpness()       λ_max(∇²L(θ*)), the "sharpness" column of summary.csv
#include <concepts>
#include <cstddef>
#include <vector>

namespace escapade::landscape {

template <class L>
concept Landscape = requires(const L& l, const typename L::Vector& x, typename L::Vector& g) {
  typename L::Vector;
  { l.dim() } -> std::convertible_to<std::size_t>;
  { l.minimum() } -> std::convertible_to<typename L::Vector>;
  { l.value(x) } -> std::convertible_to<double>;
  l.gradient(x, g);
  { l.hessian(x) } -> std::convertible_to<std::vector<double>>;
  { l.sharpness() } -> std::convertible_to<double>;
};

// Landscapes with a saddle that separates the basin of θ* by a hyperplane n·θ = c (the
// "barrier" escape criterion): the basin is n·θ < c.
template <class L>
concept HasBarrierPlane = Landscape<L> && requires(const L& l) {
  { l.barrier_normal() } -> std::convertible_to<typename L::Vector>;
  { l.barrier_offset() } -> std::convertible_to<double>;
};

}  // namespace escapade::landscape
