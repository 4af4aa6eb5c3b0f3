#pragma once
// noise.kind = "hessian" (Zhu et al.'s "GLD Hessian"): Gaussian noise shaped like the Hessian and
// rescaled to a fixed total variance (trace matching, SCIENCE.md §3):
//
//   Σ(θ) = trace · H₊(θ) / Tr H₊(θ),   H₊ = H − Σ_{λ_k<0} λ_k v_k v_kᵀ the positive semi-definite
//                                       part of H (negative eigenvalues set to 0),
//   ξ = V diag(sqrt(σ_k)) z,            σ_k = trace · max(λ_k, 0) / Σ_m max(λ_m, 0),
//
// with H = V diag(λ) Vᵀ (Jacobi, λ ascending, detail::symmetric_eigen_into) and z = d standard
// normals drawn in order from the trial's stream and read in H's eigenbasis (z_k multiplies the
// k-th eigenvector). d normals are drawn every step, also where Σ = 0.
//
//   at = minimum: H = H(θ*), θ* = land.minimum(), evaluated once by the constructor. H(θ*) must be
//     positive semi-definite up to rounding (eigenvalues ≥ −1e-10·max|λ|; the tiny negative ones
//     are set to 0) and Tr H₊(θ*) > 0, otherwise the constructor throws std::invalid_argument.
//     Then Σ = trace · H₊(θ*) / Tr H₊(θ*), which is c·H(θ*) with c = trace / Tr H(θ*) when no
//     eigenvalue was clipped, and the factor is fixed.
//   at = current: H = H(θ_k) at every step (Zhu et al.'s code rescales the current Hessian to the
//     fixed trace each time, seeds-spec §2.1). Where Tr H₊(θ) = 0 (no positive curvature) Σ = 0
//     and ξ = 0. Each step costs one Hessian and one Jacobi eigen-decomposition (O(d³)); no
//     allocation (the workspace holds the buffers).
//
// At θ* both modes draw bit-identical ξ. trace = Tr Σ ≥ 0 in gradient units, (loss/parameter)²:
// the step is θ − η(∇L + ξ); the job layer converts parameter units and SGD matching to this
// trace before calling us.
#include <cmath>
#include <cstddef>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/noise/concepts.hpp"
#include "escapade/noise/covariance.hpp"

namespace escapade::noise {

class HessianNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;

  struct Workspace {
    std::vector<double> h, work, v, w, z;  // H (d²), Jacobi scratch (d²), V (d²), λ (d), z (d)
  };

  // Throws std::invalid_argument for a negative or non-finite trace and, at = minimum, for an
  // H(θ*) that is not positive semi-definite or has no positive eigenvalue.
  template <landscape::Landscape L>
  HessianNoise(const L& land, double trace, At at) : d_(land.dim()), trace_(trace), at_(at) {
    detail::require_nonnegative(trace, "trace");
    if (at == At::minimum) init_minimum(landscape::hessian(land, land.minimum()));
  }

  std::size_t dim() const { return d_; }
  double trace() const { return trace_; }
  At at() const { return at_; }

  // Throws std::invalid_argument when land.dim() differs from dim().
  template <class L>
  Workspace workspace(const L& land) const {
    check_dim(land.dim());
    const std::size_t dd = at_ == At::current ? d_ * d_ : 0;
    return {std::vector<double>(dd), std::vector<double>(dd), std::vector<double>(dd),
            std::vector<double>(at_ == At::current ? d_ : 0), std::vector<double>(d_)};
  }

  template <class L, class V>
  void sample(const L& land, const V& theta, rng::Stream& s, V& xi, Workspace& ws) const {
    for (std::size_t j = 0; j < d_; ++j) ws.z[j] = s.normal();
    if (at_ == At::minimum) {
      detail::apply_factor(f_.data(), d_, ws.z.data(), xi.data());
      return;
    }
    land.hessian(theta, ws.h);
    current_factor(ws);
    detail::apply_factor(ws.v.data(), d_, ws.z.data(), xi.data());
  }

  // Σ(θ) as defined above (at = minimum: the same matrix for every θ).
  template <class L>
  std::vector<double> covariance(const L& land, const typename L::Vector& theta) const {
    if (at_ == At::minimum) return sigma_;
    return scaled_positive_part(landscape::hessian(land, theta));
  }

 private:
  void init_minimum(const std::vector<double>& h);
  void check_dim(std::size_t d) const;
  // ws.v ← V diag(sqrt σ_k) for H = ws.h (overwrites ws.v, ws.w, ws.work).
  void current_factor(Workspace& ws) const;
  // trace · H₊ / Tr H₊ (zero where Tr H₊ = 0).
  std::vector<double> scaled_positive_part(const std::vector<double>& h) const;

  std::size_t d_;
  double trace_;
  At at_;
  std::vector<double> f_, sigma_;  // at = minimum: the factor V diag(sqrt σ) and Σ
};

}  // namespace escapade::noise
