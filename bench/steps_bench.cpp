// Trial-steps per second per core (docs/PERFORMANCE.md). Run: build/bench/escapade_bench
#include <cmath>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/isotropic.hpp"
#include "escapade/rng/stream.hpp"
#include "escapade/job/job.hpp"
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
// sharpest configuration, built from a job file like every run.
void BM_KramersEscapeTrials(benchmark::State& state) {
  const job::Job job = job::parse_job(R"([job]
name = "bench"
seed = 7
trials = 16
max_steps = 50_000_000
[landscape]
kind = "kramers_well"
a = 10.0
b = 1.0
barrier = 1.0
[dynamics]
lr = 0.001
[noise]
kind = "isotropic"
sigma = 24.0
[escape]
kind = "barrier"
)",
                                      "bench");
  const trial::Model m = trial::build_model(job, job.configs[0]);
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

// Every noise kind on a landscape where it applies, trials censored after a fixed number of
// steps (the escape criterion is never met), so the counter is the pure step rate.
//   analytic: 2-D rotated quadratic (Gaussian kinds, power_law, levy)
//   zhu2d:    Zhu et al.'s 2-D finite sum, N = 100 (every kind, incl. sgd and multiplicative)
const char* const noise_tables[] = {
    "kind = \"none\"",
    "kind = \"isotropic\"\ntrace = 100.0",
    "kind = \"diagonal\"\nvariances = [40.0, 60.0]",
    "kind = \"covariance\"\nmatrix = [[40.0, 10.0], [10.0, 60.0]]",
    "kind = \"hessian\"\ntrace = 100.0",
    "kind = \"hessian\"\ntrace = 100.0\nat = \"current\"",
    "kind = \"hessian_top\"\ntrace = 100.0",
    "kind = \"gradient_covariance\"\ntrace = 100.0",
    "kind = \"gradient_covariance\"\ntrace = 100.0\nat = \"minimum\"",
    "kind = \"power_law\"\nvar_g = 50.0\nvar_h = 10.0",
    "kind = \"sgd\"\nbatch_size = 10",
    "kind = \"multiplicative\"\nweights = \"gaussian_cov\"\nbatch_size = 10",
    "kind = \"multiplicative\"\nweights = \"bernoulli\"\nbatch_size = 10",
    "kind = \"levy\"\nalpha = 1.5\nepsilon = 0.01",
};

std::string noise_job(const char* landscape, const char* noise) {
  return std::string(R"([job]
name = "bench"
seed = 1
trials = 1
max_steps = 1000
[landscape]
)") + landscape + "\n[dynamics]\nlr = 0.001\n[noise]\n" + noise +
         "\n[escape]\nkind = \"ball\"\nradius = 1e100\n";
}

void BM_NoiseKindSteps(benchmark::State& state, const char* landscape, const char* noise) {
  job::Job job;
  try {
    job = job::parse_job(noise_job(landscape, noise), "bench");
    (void)trial::build_models(job);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  const trial::Model m = trial::build_model(job, job.configs[0]);
  constexpr std::uint64_t steps = 1 << 16;
  std::vector<TrialResult> out;
  std::uint64_t next = 0, total = 0;
  for (auto _ : state) {
    out.clear();
    trial::run_trials(m, 1, steps, next, next + 1, out);
    ++next;
    total += out[0].steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}

const char* const quadratic_2d = "kind = \"quadratic\"\neigenvalues = [1.0, 10.0]\nrotation = 0.5";
const char* const zhu2d = "kind = \"zhu2d\"";

[[maybe_unused]] const bool registered = [] {
  for (const char* n : noise_tables) {
    std::string name(n);
    name = name.substr(8, name.find('"', 8) - 8);
    if (std::string(n).find("current") != std::string::npos) name += "/current";
    if (std::string(n).find("minimum") != std::string::npos) name += "/minimum";
    if (std::string(n).find("bernoulli") != std::string::npos) name += "/bernoulli";
    const bool finite_sum_only = name.starts_with("sgd") || name.starts_with("multiplicative") ||
                                 name.starts_with("gradient_covariance");
    if (!finite_sum_only)
      benchmark::RegisterBenchmark(("noise/quadratic2d/" + name).c_str(), BM_NoiseKindSteps, quadratic_2d, n)
          ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("noise/zhu2d/" + name).c_str(), BM_NoiseKindSteps, zhu2d, n)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

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
