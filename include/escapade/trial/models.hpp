#pragma once
// From a job's configuration to concrete models, resolved once per configuration: the run-time
// choice (std::variant) is visited once per batch of trials, never per step.
#include <atomic>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "escapade/core/types.hpp"
#include "escapade/job/job.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/isotropic.hpp"
#include "escapade/noise/none.hpp"

namespace escapade::trial {

using AnyLandscape = std::variant<landscape::KramersWell, landscape::Quadratic>;
using AnyNoise = std::variant<noise::NoNoise, noise::IsotropicNoise>;

static_assert(noise::NoiseFor<noise::NoNoise, landscape::KramersWell>);
static_assert(noise::NoiseFor<noise::IsotropicNoise, landscape::KramersWell>);
static_assert(noise::NoiseFor<noise::NoNoise, landscape::Quadratic>);
static_assert(noise::NoiseFor<noise::IsotropicNoise, landscape::Quadratic>);

enum class EscapeKind { barrier, ball };
struct EscapeChoice {
  EscapeKind kind = EscapeKind::barrier;
  double radius = 0;  // ball only
};

struct Model {
  std::uint32_t index = 0;       // configuration index
  std::uint64_t config_key = 0;  // the configuration's stable key (feeds the random streams)
  AnyLandscape landscape;
  AnyNoise noise;
  EscapeChoice escape;
  double lr = 0;          // η
  double sharpness = 0;   // λ_max(H) at θ*
};

// Throws ConfigError naming the job file, the key, the value and what is allowed.
Model build_model(const job::Job& job, const job::Configuration& config);
std::vector<Model> build_models(const job::Job& job);

// Runs trials [begin, end) of `model` and appends their results to `out`, in trial order.
// Each trial draws from its own stream (seed, config_key, trial, dynamics_noise). When `cancel`
// becomes true it stops between trials (the results are then incomplete and must be dropped).
void run_trials(const Model& model, std::uint64_t seed, std::uint64_t max_steps,
                std::uint64_t begin, std::uint64_t end, std::vector<TrialResult>& out,
                const std::atomic<bool>* cancel = nullptr);

// Human-readable one-line description, e.g. "kramers_well(a=1, b=1, barrier=1)".
std::string describe(const Model& model);

}  // namespace escapade::trial
