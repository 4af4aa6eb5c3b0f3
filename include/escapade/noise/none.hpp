#pragma once
// noise.kind = "none": ξ ≡ 0, so the dynamics is plain gradient descent θ_{k+1} = θ_k − η ∇L(θ_k).
#include "escapade/noise/concepts.hpp"

namespace escapade::noise {

struct NoNoise {
  static constexpr bool is_zero = true;
  static constexpr bool replaces_gradient = false;
  template <class L>
  NoWorkspace workspace(const L&) const {
    return {};
  }
  template <class L, class V>
  void sample(const L&, const V&, rng::Stream&, V& xi, NoWorkspace&) const {
    for (auto& v : xi) v = 0.0;
  }
};

}  // namespace escapade::noise
