#pragma once
// The static interface of a noise model (STYLE.md "NoiseModel").
//
// Every model N has
//   is_zero              true when ξ ≡ 0 (gradient descent): the step skips noise entirely
//   replaces_gradient    false: an additive model, ξ is drawn and the step uses ∇L + ξ;
//                        true: the model draws the whole stochastic gradient G = ∇L + ξ itself
//                        (mini-batch SGD and multiplicative weights on finite sums), so the full
//                        gradient is never computed
//   workspace(land)      per-trial scratch (index buffers, a Hessian...), built once per trial
//   additive:            sample(land, θ, stream, ξ, ws)             ξ ← one draw at state θ
//   replacing:           stochastic_gradient(land, θ, stream, G, ws) G ← ∇L(θ) + ξ
// ξ and G are in gradient units: the step is θ − η G (SCIENCE.md §1). A model reads θ and the
// landscape only when it is state-dependent; draws come from the trial's own stream, in a fixed
// order, so a trial's bits never depend on anything else.
#include <concepts>

#include "escapade/landscape/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::noise {

// The workspace of models that need none.
struct NoWorkspace {};

template <class N, class L>
concept NoiseFor = landscape::Landscape<L> &&
    requires(const N& n, const L& l) {
      { N::is_zero } -> std::convertible_to<bool>;
      { N::replaces_gradient } -> std::convertible_to<bool>;
      n.workspace(l);
    } &&
    (N::replaces_gradient
         ? requires(const N& n, const L& l, const typename L::Vector& x, rng::Stream& s,
                    typename L::Vector& g, decltype(std::declval<const N&>().workspace(l))& ws) {
             n.stochastic_gradient(l, x, s, g, ws);
           }
         : requires(const N& n, const L& l, const typename L::Vector& x, rng::Stream& s,
                    typename L::Vector& xi, decltype(std::declval<const N&>().workspace(l))& ws) {
             n.sample(l, x, s, xi, ws);
           });

}  // namespace escapade::noise
