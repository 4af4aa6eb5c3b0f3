#include <type_traits>

#include "escapade/escape/criteria.hpp"
#include "escapade/trial/models.hpp"
#include "escapade/trial/run_trial.hpp"

namespace escapade::trial {
namespace {

template <class L, class N, class E>
void run_range(const L& land, const N& noise, const E& criterion, const Model& m, std::uint64_t seed,
               std::uint64_t max_steps, std::uint64_t begin, std::uint64_t end,
               std::vector<TrialResult>& out, const std::atomic<bool>* cancel) {
  const dynamics::SgdStep step{m.lr};
  for (std::uint64_t t = begin; t < end; ++t) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
    rng::Stream stream(seed, m.config_key, t, rng::Purpose::dynamics_noise);
    out.push_back(run_trial(land, noise, criterion, step, TrialSpec{m.index, t, max_steps}, stream));
  }
}

}  // namespace

void run_trials(const Model& m, std::uint64_t seed, std::uint64_t max_steps, std::uint64_t begin,
                std::uint64_t end, std::vector<TrialResult>& out, const std::atomic<bool>* cancel) {
  std::visit(
      [&](const auto& land, const auto& noise) {
        using L = std::decay_t<decltype(land)>;
        using V = typename L::Vector;
        if (m.escape.kind == EscapeKind::ball) {
          run_range(land, noise, escape::BallEscape<V>{land.minimum(), m.escape.radius}, m, seed,
                    max_steps, begin, end, out, cancel);
        } else if constexpr (landscape::HasBarrier<L>) {
          run_range(land, noise, escape::BarrierEscape<L>{&land},
                    m, seed, max_steps, begin, end, out, cancel);
        }
      },
      m.landscape, m.noise);
}

}  // namespace escapade::trial
