#pragma once
// noise.kind = "isotropic" (Langevin; Zhu et al.'s "GLD const"):
//
//   ξ_k ~ N(0, σ² I),  each component σ · Z, Z standard normal from the trial's stream.
//
// σ (noise.sigma) is the standard deviation of each gradient-noise component, in gradient units
// (loss/parameter). The per-step parameter noise is η ξ, with covariance η² σ² I, and the
// continuous limit dθ = −∇L dt + sqrt(η) σ dW has diffusion coefficient D = η σ² / 2
// (SCIENCE.md §1). Alternatively noise.trace = Tr Σ = d σ², so σ = sqrt(trace / d).
#include <cmath>

#include "escapade/noise/concepts.hpp"

namespace escapade::noise {

struct IsotropicNoise {
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;
  double sigma = 0;

  template <class L>
  NoWorkspace workspace(const L&) const {
    return {};
  }
  template <class L, class V>
  void sample(const L&, const V&, rng::Stream& s, V& xi, NoWorkspace&) const {
    for (auto& v : xi) v = sigma * s.normal();
  }
  // D = η σ² / 2: the diffusion coefficient of the continuous limit at learning rate eta.
  double diffusion(double eta) const { return 0.5 * eta * sigma * sigma; }
};

}  // namespace escapade::noise
