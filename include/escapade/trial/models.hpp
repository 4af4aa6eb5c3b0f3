#pragma once
// From a job's configuration to concrete models, resolved once per configuration (or once per
// trial where landscape data are redrawn per trial): the run-time choice (std::variant) is visited
// once per batch of trials, never per step.
//
// Unit conversions done here (SCIENCE.md §1), so that models only see gradient units:
//   noise.units = "parameter": a given per-step parameter covariance Σ_step = η² Σ, so
//     trace → trace/η², variances and matrices → /η², sigma → sigma/η.
//   noise.match = { sgd_batch = B, replacement = false }: the trace of SGD's gradient-noise
//     covariance at θ*, (N − B)/(B (N − 1))·Tr Σ₁(θ*) without replacement, Tr Σ₁(θ*)/B with;
//     needs a finite-sum landscape.
// Landscape data (zhu2d, per_sample_quadratic, least_squares): landscape.data = "per_job" draws
// them once for the whole job from the stream (seed, K, 0, landscape_data), K a fixed constant
// (landscape_data_key), so every configuration of a sweep sees the same data; "per_trial" draws
// them for trial t from (seed, K, t + 1, landscape_data): fresh data per repetition, the same for
// trial t of every configuration (as Zhu et al. run every method on each repetition's data). With
// per-trial data the summary's sharpness and noise-geometry columns describe the per-job draw.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "escapade/core/types.hpp"
#include "escapade/job/job.hpp"
#include "escapade/landscape/double_well.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/least_squares.hpp"
#include "escapade/landscape/per_sample_quadratic.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/landscape/zhu2d.hpp"
#include "escapade/noise/covariance.hpp"
#include "escapade/noise/diagonal.hpp"
#include "escapade/noise/gradient_covariance.hpp"
#include "escapade/noise/hessian.hpp"
#include "escapade/noise/hessian_top.hpp"
#include "escapade/noise/isotropic.hpp"
#include "escapade/noise/levy.hpp"
#include "escapade/noise/multiplicative.hpp"
#include "escapade/noise/none.hpp"
#include "escapade/noise/power_law.hpp"
#include "escapade/noise/sgd.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::trial {

using AnyLandscape = std::variant<landscape::KramersWell, landscape::Quadratic, landscape::DoubleWell,
                                  landscape::Zhu2d, landscape::PerSampleQuadratic,
                                  landscape::LeastSquares>;
using AnyNoise = std::variant<noise::NoNoise, noise::IsotropicNoise, noise::DiagonalNoise,
                              noise::CovarianceNoise, noise::HessianNoise, noise::HessianTopNoise,
                              noise::GradientCovarianceNoise, noise::PowerLawNoise, noise::SgdNoise,
                              noise::MultiplicativeNoise, noise::LevyNoise>;

enum class EscapeKind { barrier, ball, loss, region };
struct EscapeChoice {
  EscapeKind kind = EscapeKind::barrier;
  double radius = 0;              // ball
  double threshold = 0;           // loss: escaped iff L(θ) > threshold
  std::vector<double> halfspaces; // region: rows [n_1..n_d, c]
  bool final = false;             // region: also the final iterate's membership (to max_steps)
  bool record_direction = false;  // shares of the escape displacement along H's eigenvectors
};

// One configuration made concrete: what a trial needs, plus the numbers of summary.csv.
struct Instance {
  AnyLandscape landscape;
  AnyNoise noise;
  EscapeChoice escape;
  double sharpness = 0;           // λ_max(H(θ*))
  double trace_sigma = 0;         // Tr Σ(θ*), gradient units (NaN without a covariance)
  double tr_h_sigma = 0;          // Tr(H(θ*) Σ(θ*))
  double tr_h_sigma_iso = 0;      // Tr H · Tr Σ / d
  double alpha = 0;               // Lévy tail index, NaN otherwise
  std::vector<double> top, flat;  // unit eigenvectors of H(θ*), where record_direction
};

// The stream key of landscape data (ASCII "landscap").
inline constexpr std::uint64_t landscape_data_key = 0x6c616e6473636170ULL;

struct Model {
  std::uint32_t index = 0;       // configuration index
  std::uint64_t config_key = 0;  // the configuration's stable key (feeds the random streams)
  double lr = 0;                 // η
  bool per_trial_data = false;   // landscape data redrawn for every trial
  Instance instance;             // built from the per-job data
  // For per-trial rebuilding; both outlive the model (they belong to the job).
  const job::Job* job = nullptr;
  const job::Configuration* config = nullptr;
};

// Throws ConfigError naming the job file, the key, the value and what is allowed.
Model build_model(const job::Job& job, const job::Configuration& config);
std::vector<Model> build_models(const job::Job& job);
// The instance of `config` whose landscape data come from `data`.
Instance build_instance(const job::Job& job, const job::Configuration& config, rng::Stream& data);

// Runs trials [begin, end) of `model` and appends their results to `out`, in trial order.
// Each trial draws from its own stream (seed, config_key, trial, dynamics_noise). When `cancel`
// becomes true it stops between trials (the results are then incomplete and must be dropped).
void run_trials(const Model& model, std::uint64_t seed, std::uint64_t max_steps,
                std::uint64_t begin, std::uint64_t end, std::vector<TrialResult>& out,
                const std::atomic<bool>* cancel = nullptr);

// Human-readable one-line description, e.g. "kramers_well d=1 λmax=1 | isotropic | barrier".
std::string describe(const Model& model);

}  // namespace escapade::trial
