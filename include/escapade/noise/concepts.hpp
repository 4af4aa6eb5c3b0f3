#pragma once
// The static interface of a noise model (STYLE.md "NoiseModel").
//
//   sample(landscape, θ, stream, ξ)   ξ ← one draw of the gradient noise ξ_k at state θ
//                                     (gradient units: the step is θ − η (∇L + ξ), SCIENCE.md §1)
//   is_zero                           true when ξ ≡ 0, so the step can skip it
// A model reads θ and the landscape only when it is state-dependent; draws come from the trial's
// own stream, in a fixed order, so a trial's bits never depend on anything else.
#include <concepts>

#include "escapade/landscape/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::noise {

template <class N, class L>
concept NoiseFor = landscape::Landscape<L> &&
    requires(const N& n, const L& l, const typename L::Vector& x, rng::Stream& s,
             typename L::Vector& xi) {
      n.sample(l, x, s, xi);
      { N::is_zero } -> std::convertible_to<bool>;
    };

}  // namespace escapade::noise
