#pragma once
// Per-configuration escape statistics (SCIENCE.md §5), reduced in trial-id order so the bits do
// not depend on how trials were scheduled.
//
// Inputs: the configuration's TrialResults sorted by trial id, and max_steps.
// Let n = trials, r = escaped, c = censored, v = diverged. Diverged trials are counted and left
// out of the time statistics (their state left every bounded set, but not through the escape
// criterion; see docs/STATISTICS.md).
//  * No censoring (c = 0): mean = sample mean of the r escape steps; 95% CI = mean ± t·s/√r,
//    t = t_{0.975}(r − 1) the Student quantile (1.96 for large r), s the sample standard
//    deviation; with r = 1 the interval is NaN (one escape says nothing about the spread).
//    estimator = "sample_mean".
//  * Censoring (c > 0): exponential-rate MLE λ̂ = r / S, S = total steps on test (escape steps of
//    the escaped plus max_steps for each censored); mean = 1/λ̂ = S/r; exact χ² interval
//    [2S/χ²_{0.975}(2r+2), 2S/χ²_{0.025}(2r)] (time-censored exponential, Cox 1953).
//    estimator = "exponential_mle". With r = 0 the mean is NaN, the lower bound 2S/χ²_{0.975}(2)
//    and the upper bound +inf.
//  * median: Kaplan–Meier median, the smallest escape step t with Ŝ(t) ≤ 1/2 (NaN if never).
//    Censored trials are at risk up to max_steps (≥ every escape step), so Ŝ(t) = 1 − F(t)/(r + c)
//    with F(t) the escapes at or before t; the test Ŝ ≤ 1/2 is made exactly, in integers.
//  * p_escape = r / n: the probability of escape by max_steps (diverged trials count in n).
// Edge cases: no escape and no censoring (n = 0, or all diverged) gives NaN mean, interval and
// median (estimator "sample_mean"); n = 0 also gives p_escape NaN.
//
// Observables recorded where the job asks for them (TrialResult::flags, trial_flags):
//  * p_final_in_region = f_in / f_asked: f_asked = trials with final_asked, f_in = those of them
//    with final_in_region (the iterate at max_steps satisfies the escape criterion; Zhu et al.'s
//    outcome). Every status counts, a diverged trial as not in the region. NaN if f_asked = 0.
//  * along_top_mean = (1/m) Σ_i along_top_i, along_flat_mean = (1/m) Σ_i along_flat_i over the m
//    escaped trials with the direction flag: mean shares (u·Δ)²/‖Δ‖² of the escape displacement
//    along the top and the flattest Hessian eigenvector at θ* (dimensionless, in [0, 1]). The
//    floats are summed as doubles in trial-id order. NaN if m = 0.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>

#include "escapade/core/types.hpp"

namespace escapade::stats {

struct EscapeStats {
  std::uint64_t trials = 0;
  std::uint64_t escaped = 0;
  std::uint64_t censored = 0;
  std::uint64_t diverged = 0;
  double mean_steps = 0;
  double mean_steps_ci_low = 0;
  double mean_steps_ci_high = 0;
  double median_steps = 0;
  double p_escape = 0;
  std::string estimator;  // "sample_mean" | "exponential_mle"
  std::uint64_t final_asked = 0;      // f_asked: trials with flag final_asked
  std::uint64_t final_in_region = 0;  // f_in: of those, trials with flag final_in_region
  std::uint64_t directions = 0;       // m: escaped trials with flag direction
  double p_final_in_region = std::numeric_limits<double>::quiet_NaN();  // f_in / f_asked
  double along_top_mean = std::numeric_limits<double>::quiet_NaN();
  double along_flat_mean = std::numeric_limits<double>::quiet_NaN();
};

// `results` must all belong to one configuration and be sorted by trial id.
EscapeStats reduce(std::span<const TrialResult> results, std::uint64_t max_steps);

// The same statistics, bit for bit, from results that stay on disk: `replay(visit)` must hand
// `visit` the configuration's results, sorted by trial id, in batches, every time it is called
// (two to a few times: sums, the variance, and the median's bounded-memory selection). Memory is
// O(1) in the number of trials (at most 2^20 escape steps are held for the median).
using TrialReplay = std::function<void(const std::function<void(std::span<const TrialResult>)>&)>;
EscapeStats reduce_stream(const TrialReplay& replay, std::uint64_t max_steps);

// Quantile of the χ² distribution with k degrees of freedom (k > 0), by Boost.Math. Returns NaN
// for k ≤ 0 or p outside [0, 1], and +inf for p = 1; never throws.
double chi2_quantile(double p, double k);

}  // namespace escapade::stats
