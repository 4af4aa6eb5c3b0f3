#pragma once
// One trial: iterate the step of SCIENCE.md §1 from θ* until the escape criterion holds
// (escaped), max_steps pass (censored) or θ becomes non-finite (diverged).
//
//   θ_0 = θ*;  for k = 1, 2, ..., max_steps:
//     g ← ∇L(θ_{k−1});  ξ ← noise(θ_{k−1});  θ_k = θ_{k−1} − η (g + ξ)
//     (models that replace the gradient draw G = g + ξ in one go: θ_k = θ_{k−1} − η G)
//     θ_k non-finite → diverged at k;  escaped(θ_k) → escaped at k
//   (escaped(θ_0) → escaped at 0). With TrialSpec::to_horizon the loop goes on to max_steps
//   after the first passage and the final iterate's membership is reported too; divergence after
//   the first passage keeps the status escaped and makes the final iterate "not in the region".
//
// Everything here is a template over concrete types: the loop has no virtual call, allocation,
// exception or I/O. Buffers are allocated once per trial.
#include <concepts>
#include <cstdint>
#include <vector>

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
  // Zhu et al.'s outcome: keep stepping after the first passage until max_steps and report
  // whether the final iterate satisfies the criterion (flags final_asked / final_in_region).
  bool to_horizon = false;
  // Where set: unit eigenvectors of H(θ*) (top and flattest); at the first passage the shares
  // (u·Δ)²/‖Δ‖² of Δ = θ_escape − θ* are recorded (flag direction).
  const std::vector<double>* top = nullptr;
  const std::vector<double>* flat = nullptr;
};

// Observes the final state of a trial (tests read moments from it).
struct NoObserver {
  template <class V>
  void operator()(const V&, const TrialResult&) const {}
};

namespace detail {

template <class V>
void record_direction(const V& theta, const V& start, const TrialSpec& spec, TrialResult& r) {
  double norm2 = 0, top = 0, flat = 0;
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const double d = theta[i] - start[i];
    norm2 += d * d;
    top += (*spec.top)[i] * d;
    flat += (*spec.flat)[i] * d;
  }
  if (norm2 > 0) {
    r.along_top = static_cast<float>(top * top / norm2);
    r.along_flat = static_cast<float>(flat * flat / norm2);
    r.flags |= trial_flags::direction;
  }
}

}  // namespace detail

template <landscape::Landscape L, class N, class E, class Observer = NoObserver>
  requires noise::NoiseFor<N, L>
TrialResult run_trial(const L& land, const N& noise, const E& criterion,
                      const dynamics::SgdStep& step, const TrialSpec& spec, rng::Stream& stream,
                      Observer&& observe = {}) {
  using V = typename L::Vector;
  V theta = land.minimum();
  const V start = theta;
  V g = theta, xi = theta;
  auto ws = noise.workspace(land);
  if constexpr (N::replaces_gradient)
    for (auto& v : xi) v = 0.0;
  TrialResult r{spec.config, TrialStatus::censored, spec.trial, spec.max_steps};
  bool passed = false, finite = true;
  const auto first_passage = [&](std::uint64_t k) {
    passed = true;
    r.status = TrialStatus::escaped;
    r.steps = k;
    if (spec.top != nullptr && spec.flat != nullptr) detail::record_direction(theta, start, spec, r);
  };
  if (criterion.escaped(theta)) first_passage(0);
  if (!passed || spec.to_horizon) {
    for (std::uint64_t k = 1; k <= spec.max_steps; ++k) {
      if constexpr (N::replaces_gradient) {
        noise.stochastic_gradient(land, theta, stream, g, ws);
      } else {
        land.gradient(theta, g);
        if constexpr (!N::is_zero) noise.sample(land, theta, stream, xi, ws);
      }
      if (!step.template apply<V, N::is_zero || N::replaces_gradient>(theta, g, xi)) {
        finite = false;
        if (!passed) {
          r.status = TrialStatus::diverged;
          r.steps = k;
        }
        break;
      }
      if (!passed && criterion.escaped(theta)) {
        first_passage(k);
        if (!spec.to_horizon) break;
      }
    }
  }
  if (spec.to_horizon) {
    r.flags |= trial_flags::final_asked;
    if (finite && criterion.escaped(theta)) r.flags |= trial_flags::final_in_region;
  }
  observe(theta, r);
  return r;
}

}  // namespace escapade::trial
