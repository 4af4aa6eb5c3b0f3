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
#include <cstdint>
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
};

// `results` must all belong to one configuration and be sorted by trial id.
EscapeStats reduce(std::span<const TrialResult> results, std::uint64_t max_steps);

// Quantile of the χ² distribution with k degrees of freedom (k > 0), by Boost.Math. Returns NaN
// for k ≤ 0 or p outside [0, 1], and +inf for p = 1; never throws.
double chi2_quantile(double p, double k);

}  // namespace escapade::stats
