#pragma once
// noise.kind = "levy": symmetric α-stable noise of intensity ε (Şimşekli et al. 2019;
// SCIENCE.md §1 and §3, reference/seeds-spec.md §6.1).
//
// The parameter increment of one step is ε η^{1/α} S (S standard SαS, E e^{iuS} = exp(−|u|^α)),
// so that the continuous limit (t = k η) is dθ = −∇L dt + ε dL^α with L^α the standard symmetric
// α-stable Lévy motion: ε is the intensity of first-exit theory, and one step's increment has
// exactly the law of ε (L^α_{t+η} − L^α_t). In escapade's gradient-noise form θ − η (∇L + ξ)
// that is
//
//   ξ_k = −ε η^{1/α − 1} S_k     (gradient units; the step adds −η ξ_k = ε η^{1/α} S_k),
//
// with, by form (job key noise.form):
//   coordinate  S_k has independent coordinates, each rng::symmetric_stable(α) (two uniforms
//               per coordinate, coordinates in order): Şimşekli et al.'s coordinate-wise model.
//   isotropic   S_k = rng::isotropic_stable(α): rotationally invariant, E e^{i⟨u,S⟩} = exp(−‖u‖^α),
//               every 1-D projection a standard SαS (two uniforms, then d normals).
// Parameters: α (noise.alpha) ∈ (0, 2], ε (noise.epsilon) ≥ 0 in parameter units per
// time^{1/α}, η the learning rate of the dynamics (the noise must know it: its gradient-unit
// scale is η^{1/α − 1}).
//
// For α < 2 the noise has no covariance (E|S|^p = ∞ for p ≥ α), so LevyNoise has no
// covariance(); code that matches or reports covariances checks has_covariance first.
// α = 2 is Gaussian: S ~ N(0, 2) per coordinate (both forms), so the per-step parameter
// increment has variance 2 ε² η per coordinate: the same law as IsotropicNoise with
// σ = ε sqrt(2/η), i.e. diffusion coefficient D = ε² (SCIENCE.md §1).
#include <cmath>
#include <cstddef>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

#include "escapade/noise/concepts.hpp"
#include "escapade/rng/stable.hpp"

namespace escapade::noise {

enum class LevyForm { coordinate, isotropic };

constexpr std::string_view to_string(LevyForm f) noexcept {
  return f == LevyForm::coordinate ? "coordinate" : "isotropic";
}

class LevyNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;
  static constexpr bool has_covariance = false;

  // Throws std::invalid_argument unless 0 < α ≤ 2, ε ≥ 0 and η > 0 (all finite); the job layer
  // turns it into a ConfigError naming the key.
  LevyNoise(double alpha, double epsilon, double eta, LevyForm form = LevyForm::coordinate)
      : alpha_(alpha), epsilon_(epsilon), eta_(eta), form_(form) {
    if (!(alpha > 0.0 && alpha <= 2.0))
      throw std::invalid_argument("levy noise: alpha = " + std::to_string(alpha) +
                                  " is not in (0, 2]");
    if (!(epsilon >= 0.0 && std::isfinite(epsilon)))
      throw std::invalid_argument("levy noise: epsilon = " + std::to_string(epsilon) +
                                  " must be finite and >= 0");
    if (!(eta > 0.0 && std::isfinite(eta)))
      throw std::invalid_argument("levy noise: eta = " + std::to_string(eta) +
                                  " must be finite and > 0");
    scale_ = epsilon * std::pow(eta, 1.0 / alpha - 1.0);
  }

  double alpha() const { return alpha_; }
  double epsilon() const { return epsilon_; }
  double eta() const { return eta_; }
  LevyForm form() const { return form_; }
  // ε η^{1/α − 1}: ξ = −gradient_scale() · S.
  double gradient_scale() const { return scale_; }
  // ε η^{1/α}: the parameter increment of one step is increment_scale() · S.
  double increment_scale() const { return scale_ * eta_; }

  template <class L>
  NoWorkspace workspace(const L&) const {
    return {};
  }
  template <class L, class V>
  void sample(const L&, const V&, rng::Stream& s, V& xi, NoWorkspace&) const {
    if (form_ == LevyForm::coordinate) {
      for (auto& v : xi) v = -scale_ * rng::symmetric_stable(alpha_, s);
    } else {
      rng::isotropic_stable(alpha_, s, std::data(xi), std::size(xi));
      for (auto& v : xi) v *= -scale_;
    }
  }

 private:
  double alpha_;
  double epsilon_;
  double eta_;
  LevyForm form_;
  double scale_ = 0;
};

}  // namespace escapade::noise
