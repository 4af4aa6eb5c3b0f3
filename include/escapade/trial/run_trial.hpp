#pragma once
// One trial: iterate the step of SCIENCE.md §1 from θ* until the escape criterion holds
// (escaped), max_steps pass (censored) or θ becomes non-finite (diverged).
//
//   θ_0 = θ*;  for k = 1, 2, ..., max_steps:
//     g ← ∇L(θ_{k−1});  ξ ← noise(θ_{k−1});  θ_k = θ_{k−1} − η (g + ξ)
//     (models that replace the gradient draw G = g + ξ in one go: θ_k = θ_{k−1} − η G)
//     θ_k non-finite → diverged at k;  escaped(θ_k) → escaped at k
//   (escaped(θ_0) → escaped at 0)
//
// Everything here is a template over concrete types: the loop has no virtual call, allocation,
// exception or I/O. Buffers are allocated once per trial.
#include <concepts>
#include <cstdint>

#include "escapade/core/types.hpp"
#include "escapade/dynamics/sgd_step.hpp"
#include "escapade/landscape/concepts.hpp"
#include "escapade/noise/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::trial {

struct TrialSpec {
  std::uint32_t config = 0;
  std::uint64_t trial = 0;
  std::uint64_t max_steps = 0;
};

// Observes the final state of a trial (tests read moments from it).
struct NoObserver {
  template <class V>
  void operator()(const V&, const TrialResult&) const {}
};

template <landscape::Landscape L, class N, class E, class Observer = NoObserver>
  requires noise::NoiseFor<N, L>
TrialResult run_trial(const L& land, const N& noise, const E& criterion,
                      const dynamics::SgdStep& step, const TrialSpec& spec, rng::Stream& stream,
                      Observer&& observe = {}) {
  using V = typename L::Vector;
  V theta = land.minimum();
  V g = theta, xi = theta;
  auto ws = noise.workspace(land);
  if constexpr (N::replaces_gradient)
    for (auto& v : xi) v = 0.0;
  TrialResult r{spec.config, TrialStatus::censored, spec.trial, spec.max_steps};
  if (criterion.escaped(theta)) {
    r.status = TrialStatus::escaped;
    r.steps = 0;
    observe(theta, r);
    return r;
  }
  for (std::uint64_t k = 1; k <= spec.max_steps; ++k) {
    if constexpr (N::replaces_gradient) {
      noise.stochastic_gradient(land, theta, stream, g, ws);
    } else {
      land.gradient(theta, g);
      if constexpr (!N::is_zero) noise.sample(land, theta, stream, xi, ws);
    }
    if (!step.template apply<V, N::is_zero || N::replaces_gradient>(theta, g, xi)) {
      r.status = TrialStatus::diverged;
      r.steps = k;
      break;
    }
    if (criterion.escaped(theta)) {
      r.status = TrialStatus::escaped;
      r.steps = k;
      break;
    }
  }
  observe(theta, r);
  return r;
}

}  // namespace escapade::trial
