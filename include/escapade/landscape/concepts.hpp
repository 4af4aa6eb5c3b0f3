#pragma once
// The static interface of a loss landscape L: R^d → R (STYLE.md "Landscape").
//
//   Vector            parameter vector type (std::array for fixed d, std::vector otherwise)
//   dim()             d
//   minimum()         θ*, where trials start
//   value(θ)          L(θ)
//   gradient(θ, g)    g ← ∇L(θ), into a caller-owned buffer of size d, no allocation
//   hessian(θ, H)     H ← ∇²L(θ), d×d row-major, into a caller-owned buffer of size d²
//   sharpness()       λ_max(∇²L(θ*)), the "sharpness" column of summary.csv
//
// Finite sums L = (1/N) Σ_i ℓ_i add (concept FiniteSum):
//   n_samples()               N
//   sample_value(i, θ)        ℓ_i(θ)
//   sample_gradient(i, θ, g)  g ← ∇ℓ_i(θ), no allocation
#include <concepts>
#include <cstddef>
#include <vector>

namespace escapade::landscape {

template <class L>
concept Landscape = requires(const L& l, const typename L::Vector& x, typename L::Vector& g,
                             std::vector<double>& h) {
  typename L::Vector;
  { l.dim() } -> std::convertible_to<std::size_t>;
  { l.minimum() } -> std::convertible_to<typename L::Vector>;
  { l.value(x) } -> std::convertible_to<double>;
  l.gradient(x, g);
  l.hessian(x, h);
  { l.sharpness() } -> std::convertible_to<double>;
};

template <class L>
concept FiniteSum = Landscape<L> &&
    requires(const L& l, std::size_t i, const typename L::Vector& x, typename L::Vector& g) {
      { l.n_samples() } -> std::convertible_to<std::size_t>;
      { l.sample_value(i, x) } -> std::convertible_to<double>;
      l.sample_gradient(i, x, g);
    };

// ∇²L(θ) as a new d×d row-major matrix (allocates; for set-up code and tests).
template <Landscape L>
std::vector<double> hessian(const L& l, const typename L::Vector& x) {
  std::vector<double> h(l.dim() * l.dim());
  l.hessian(x, h);
  return h;
}

// Landscapes with a saddle or ridge separating the basin of θ* (the "barrier" escape criterion):
// crossed_barrier(θ) is true once θ is on the far side (kramers_well: x ≥ x_b).
template <class L>
concept HasBarrier = Landscape<L> && requires(const L& l, const typename L::Vector& x) {
  { l.crossed_barrier(x) } -> std::convertible_to<bool>;
};

}  // namespace escapade::landscape
