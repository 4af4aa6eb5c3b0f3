#pragma once
// noise.kind = "hessian_top" (Zhu et al.'s "GLD 1st eigvec(H)"): all the noise variance along the
// top eigenvector u₁ of the Hessian:
//
//   ξ = sqrt(trace) · z₁ · u₁,   Σ = trace · u₁ u₁ᵀ,   Tr Σ = trace,
//
// with z₁ ONE standard normal from the trial's stream per step (not d: this model draws 1 normal
// per step). u₁ is the unit eigenvector of the algebraically largest eigenvalue of H (Jacobi,
// detail::top_eigenvector_into), its sign fixed so that its entry of largest magnitude is
// positive (the sign does not change the law of ξ, only the bits). Where the top eigenvalue is
// degenerate, u₁ is the vector of that eigenspace that Jacobi returns, deterministically.
//
//   at = minimum: u₁ of H(θ*), θ* = land.minimum(), computed once by the constructor.
//   at = current: u₁ of H(θ_k), recomputed every step (one Hessian and one Jacobi
//     eigen-decomposition, O(d³); no allocation).
//
// At θ* both modes draw bit-identical ξ. trace ≥ 0 is in gradient units, (loss/parameter)²: the
// step is θ − η(∇L + ξ). Zhu et al.'s 2-D code adds ε = sqrt(noise_std)·z₁·u₁ to the parameters
// (variance noise_std per step); the job layer converts that to this trace (noise_std / η²).
#include <cmath>
#include <cstddef>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/noise/concepts.hpp"
#include "escapade/noise/covariance.hpp"

namespace escapade::noise {

class HessianTopNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;

  struct Workspace {
    std::vector<double> h, work, v, w, u;  // H, Jacobi scratch, V (d² each), λ, u₁ (d each)
  };

  // Throws std::invalid_argument for a negative or non-finite trace.
  template <landscape::Landscape L>
  HessianTopNoise(const L& land, double trace, At at)
      : d_(land.dim()), trace_(trace), sd_(std::sqrt(trace)), at_(at) {
    detail::require_nonnegative(trace, "trace");
    if (at == At::minimum) u_ = top_of(landscape::hessian(land, land.minimum()));
  }

  std::size_t dim() const { return d_; }
  double trace() const { return trace_; }
  At at() const { return at_; }
  // u₁ at θ* (at = minimum only; empty otherwise).
  const std::vector<double>& top_eigenvector() const { return u_; }

  // Throws std::invalid_argument when land.dim() differs from dim().
  template <class L>
  Workspace workspace(const L& land) const {
    check_dim(land.dim());
    const std::size_t dd = at_ == At::current ? d_ * d_ : 0, n = at_ == At::current ? d_ : 0;
    return {std::vector<double>(dd), std::vector<double>(dd), std::vector<double>(dd),
            std::vector<double>(n), std::vector<double>(n)};
  }

  template <class L, class V>
  void sample(const L& land, const V& theta, rng::Stream& s, V& xi, Workspace& ws) const {
    const double a = sd_ * s.normal();
    const double* u = u_.data();
    if (at_ == At::current) {
      land.hessian(theta, ws.h);
      detail::top_eigenvector_into(ws.h.data(), d_, ws.u.data(), ws.w.data(), ws.v.data(),
                                   ws.work.data());
      u = ws.u.data();
    }
    for (std::size_t i = 0; i < d_; ++i) xi[i] = a * u[i];
  }

  // trace · u₁ u₁ᵀ with u₁ taken at θ* (at = minimum) or at θ (at = current).
  template <class L>
  std::vector<double> covariance(const L& land, const typename L::Vector& theta) const {
    return scaled_outer(at_ == At::minimum ? u_ : top_of(landscape::hessian(land, theta)));
  }

 private:
  std::vector<double> top_of(const std::vector<double>& h) const;
  std::vector<double> scaled_outer(const std::vector<double>& u) const;
  void check_dim(std::size_t d) const;

  std::size_t d_;
  double trace_, sd_;
  At at_;
  std::vector<double> u_;
};

}  // namespace escapade::noise
