// Trial-steps per second per core (docs/PERFORMANCE.md). Run: build/bench/escapade_bench
#include <cmath>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/isotropic.hpp"
#include "escapade/rng/stream.hpp"
#include "escapade/trial/models.hpp"
#include "escapade/trial/run_trial.hpp"

using namespace escapade;

namespace {

// The step loop alone: a barrier so high that no trial escapes, each trial censored after
// `steps` steps. Counter "steps/s" is trial-steps per second on one core.
void BM_KramersIsotropicSteps(benchmark::State& state) {
  const landscape::KramersWell w(4.0, 1.0, 1e6);
  const escape::BarrierEscape<landscape::KramersWell> crit{&w};
  const std::uint64_t steps = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t trial = 0, total = 0;
  for (auto _ : state) {
    rng::Stream s(1, 2, trial, rng::Purpose::dynamics_noise);
    auto r = trial::run_trial(w, noise::IsotropicNoise{20.0}, crit, dynamics::SgdStep{1e-3},
                              trial::TrialSpec{0, trial++, steps}, s);
    benchmark::DoNotOptimize(r);
    total += r.steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_KramersIsotropicSteps)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// Whole trials as the farm runs them (escapes, stream set-up, result collection): the demo's
// sharpest configuration.
void BM_KramersEscapeTrials(benchmark::State& state) {
  trial::Model m{0, 42, landscape::KramersWell(10.0, 1.0, 1.0), noise::IsotropicNoise{24.0}, {}, 1e-3, 10.0};
  std::vector<TrialResult> out;
  std::uint64_t next = 0, total = 0;
  for (auto _ : state) {
    out.clear();
    trial::run_trials(m, 7, 50'000'000, next, next + 16, out);
    next += 16;
    for (const auto& r : out) total += r.steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  state.counters["trials/s"] = benchmark::Counter(static_cast<double>(next), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_KramersEscapeTrials)->Unit(benchmark::kMillisecond);

// A 2-D rotated quadratic with a ball criterion (dynamic-size vectors).
void BM_Quadratic2dIsotropicSteps(benchmark::State& state) {
  const landscape::Quadratic q({1.0, 10.0}, landscape::rotation_2d(0.5), {});
  const escape::BallEscape<std::vector<double>> crit{q.minimum(), 1e100};
  std::uint64_t trial = 0, total = 0;
  for (auto _ : state) {
    rng::Stream s(1, 3, trial, rng::Purpose::dynamics_noise);
    auto r = trial::run_trial(q, noise::IsotropicNoise{20.0}, crit, dynamics::SgdStep{1e-3},
                              trial::TrialSpec{0, trial++, 1 << 20}, s);
    benchmark::DoNotOptimize(r);
    total += r.steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Quadratic2dIsotropicSteps)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
