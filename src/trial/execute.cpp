#include <type_traits>

#include "escapade/escape/criteria.hpp"
#include "escapade/trial/models.hpp"
#include "escapade/trial/run_trial.hpp"

namespace escapade::trial {
namespace {

template <class L, class N, class E>
void run_range(const L& land, const N& noise, const E& criterion, const Model& m, const Instance& in,
               std::uint64_t seed, std::uint64_t max_steps, std::uint64_t begin, std::uint64_t end,
               std::vector<TrialResult>& out, const std::atomic<bool>* cancel) {
  const dynamics::SgdStep step{m.lr};
  TrialSpec spec{m.index, 0, max_steps, in.escape.final};
  if (in.escape.record_direction) {
    spec.top = &in.top;
    spec.flat = &in.flat;
  }
  for (std::uint64_t t = begin; t < end; ++t) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
    rng::Stream stream(seed, m.config_key, t, rng::Purpose::dynamics_noise);
    spec.trial = t;
    out.push_back(run_trial(land, noise, criterion, step, spec, stream));
  }
}

// One visit per batch of trials: the landscape, noise and criterion types are fixed below it.
void run_instance(const Model& m, const Instance& in, std::uint64_t seed, std::uint64_t max_steps,
                  std::uint64_t begin, std::uint64_t end, std::vector<TrialResult>& out,
                  const std::atomic<bool>* cancel) {
  std::visit(
      [&](const auto& land, const auto& noise) {
        using L = std::decay_t<decltype(land)>;
        using N = std::decay_t<decltype(noise)>;
        using V = typename L::Vector;
        if constexpr (noise::NoiseFor<N, L>) {
          const auto go = [&](const auto& criterion) {
            run_range(land, noise, criterion, m, in, seed, max_steps, begin, end, out, cancel);
          };
          switch (in.escape.kind) {
            case EscapeKind::ball: go(escape::BallEscape<V>{land.minimum(), in.escape.radius}); break;
            case EscapeKind::loss: go(escape::LossEscape<L>{&land, in.escape.threshold}); break;
            case EscapeKind::region: go(escape::RegionEscape<V>{land.dim(), in.escape.halfspaces}); break;
            case EscapeKind::barrier:
              if constexpr (landscape::HasBarrier<L>) go(escape::BarrierEscape<L>{&land});
              break;
          }
        }
      },
      in.landscape, in.noise);
}

}  // namespace

void run_trials(const Model& m, std::uint64_t seed, std::uint64_t max_steps, std::uint64_t begin,
                std::uint64_t end, std::vector<TrialResult>& out, const std::atomic<bool>* cancel) {
  if (!m.per_trial_data) {
    run_instance(m, m.instance, seed, max_steps, begin, end, out, cancel);
    return;
  }
  for (std::uint64_t t = begin; t < end; ++t) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
    rng::Stream data(seed, landscape_data_key, t + 1, rng::Purpose::landscape_data);
    const Instance in = build_instance(*m.job, *m.config, data);
    run_instance(m, in, seed, max_steps, t, t + 1, out, cancel);
  }
}

}  // namespace escapade::trial
