#pragma once
// The update of SCIENCE.md §1 in gradient-noise form (one step of SGD-type dynamics):
//
//   θ_{k+1} = θ_k − η (∇L(θ_k) + ξ_k),   ξ_k drawn by the noise model at θ_k.
//
// As a scheme for the SDE dθ = −∇L dt + sqrt(η Σ) dW (t = k η) it is Euler–Maruyama: weak order 1,
// strong order 1/2 for additive noise. Here it is not an approximation but the dynamics itself.
// Units: η (dynamics.lr) in time per step, ∇L and ξ in gradient units.
#include <cstddef>

namespace escapade::dynamics {

struct SgdStep {
  double eta = 0;

  // θ ← θ − η (g + ξ); returns false when θ became non-finite.
  template <class V, bool NoiseIsZero>
  bool apply(V& theta, const V& g, const V& xi) const {
    bool finite = true;
    for (std::size_t i = 0; i < theta.size(); ++i) {
      if constexpr (NoiseIsZero) {
        theta[i] -= eta * g[i];
      } else {
        theta[i] -= eta * (g[i] + xi[i]);
      }
      finite = finite && (theta[i] - theta[i] == 0.0);  // false for ±inf and NaN
    }
    return finite;
  }
};

}  // namespace escapade::dynamics
