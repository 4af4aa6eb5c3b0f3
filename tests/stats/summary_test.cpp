#include "escapade/stats/summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace escapade::stats {
namespace {

// Builds one configuration's results in trial-id order from a compact description.
struct Trials {
  std::vector<TrialResult> v;
  Trials& escaped(std::uint64_t steps) { return add(TrialStatus::escaped, steps); }
  Trials& censored(std::uint64_t steps) { return add(TrialStatus::censored, steps); }
  Trials& diverged(std::uint64_t steps) { return add(TrialStatus::diverged, steps); }
  Trials& add(TrialStatus s, std::uint64_t steps) {
    TrialResult t;
    t.config = 0;
    t.status = s;
    t.trial = v.size();
    t.steps = steps;
    v.push_back(t);
    return *this;
  }
  // Marks the last trial: its final iterate was asked for, and was (or was not) in the region.
  Trials& final_in(bool in) {
    v.back().flags |= trial_flags::final_asked;
    if (in) v.back().flags |= trial_flags::final_in_region;
    return *this;
  }
  // Marks the last trial with escape-direction shares.
  Trials& direction(float top, float flat) {
    v.back().flags |= trial_flags::direction;
    v.back().along_top = top;
    v.back().along_flat = flat;
    return *this;
  }
};

// The χ² CDF with an even number 2m of degrees of freedom (Erlang/Poisson identity):
// P(χ²_{2m} ≤ x) = 1 − e^{−x/2} Σ_{j<m} (x/2)^j / j!.
double chi2_cdf_even(double x, int m) {
  double term = 1, sum = 1;
  for (int j = 1; j < m; ++j) {
    term *= (x / 2) / j;
    sum += term;
  }
  return 1 - std::exp(-x / 2) * sum;
}

TEST(Chi2Quantile, MatchesTableValues) {
  EXPECT_NEAR(chi2_quantile(0.975, 10), 20.483, 5e-4);
  EXPECT_NEAR(chi2_quantile(0.025, 10), 3.247, 5e-4);
  EXPECT_NEAR(chi2_quantile(0.975, 8), 17.535, 5e-4);
  EXPECT_NEAR(chi2_quantile(0.025, 6), 1.237, 5e-4);
  EXPECT_NEAR(chi2_quantile(0.975, 4), 11.143, 5e-4);
  EXPECT_NEAR(chi2_quantile(0.95, 1), 3.841, 5e-4);
  EXPECT_NEAR(chi2_quantile(0.025, 200), 162.728, 5e-3);
  EXPECT_NEAR(chi2_quantile(0.975, 202), 243.7, 0.5);
}

TEST(Chi2Quantile, MatchesClosedFormsToRounding) {
  // k = 2: exponential with mean 2, quantile −2 ln(1 − p).
  for (double p : {0.025, 0.5, 0.975}) {
    EXPECT_NEAR(chi2_quantile(p, 2), -2 * std::log1p(-p), 1e-13 * (-2 * std::log1p(-p)));
  }
  // k = 1: the square of the normal quantile z_{(1+p)/2}.
  EXPECT_NEAR(chi2_quantile(0.95, 1), 1.959963984540054 * 1.959963984540054, 1e-12);
  // Even k: inverts the Erlang CDF.
  for (int m : {1, 2, 5, 30}) {
    for (double p : {0.025, 0.975}) {
      EXPECT_NEAR(chi2_cdf_even(chi2_quantile(p, 2.0 * m), m), p, 1e-12) << "k=" << 2 * m;
    }
  }
}

TEST(Chi2Quantile, OutOfDomainIsNaNAndOneIsInfinite) {
  EXPECT_TRUE(std::isnan(chi2_quantile(0.5, 0)));
  EXPECT_TRUE(std::isnan(chi2_quantile(-0.1, 3)));
  EXPECT_TRUE(std::isnan(chi2_quantile(1.1, 3)));
  EXPECT_EQ(chi2_quantile(0, 3), 0.0);
  EXPECT_TRUE(std::isinf(chi2_quantile(1, 3)));
}

TEST(Reduce, WithoutCensoringIsSampleMeanWithNormalInterval) {
  const auto t = Trials{}.escaped(10).escaped(40).escaped(30).escaped(20);
  const EscapeStats s = reduce(t.v, 1000);
  EXPECT_EQ(s.trials, 4u);
  EXPECT_EQ(s.escaped, 4u);
  EXPECT_EQ(s.censored, 0u);
  EXPECT_EQ(s.diverged, 0u);
  EXPECT_EQ(s.estimator, "sample_mean");
  EXPECT_DOUBLE_EQ(s.mean_steps, 25.0);
  // s² = (15² + 15² + 5² + 5²)/3 = 500/3; half width t_{0.975}(3)·sqrt(500/3)/2.
  const double half = 3.182446305284263 * std::sqrt(500.0 / 3.0) / 2.0;
  EXPECT_NEAR(s.mean_steps_ci_low, 25.0 - half, 1e-9);
  EXPECT_NEAR(s.mean_steps_ci_high, 25.0 + half, 1e-9);
  // Kaplan–Meier without censoring: Ŝ = 3/4, 1/2 at 10, 20 → the median is 20.
  EXPECT_EQ(s.median_steps, 20.0);
  EXPECT_EQ(s.p_escape, 1.0);
}

TEST(Reduce, DivergedTrialsAreCountedButLeftOutOfTimes) {
  const auto t = Trials{}.escaped(30).diverged(7).escaped(10).escaped(20);
  const EscapeStats s = reduce(t.v, 1000);
  EXPECT_EQ(s.trials, 4u);
  EXPECT_EQ(s.escaped, 3u);
  EXPECT_EQ(s.diverged, 1u);
  EXPECT_EQ(s.estimator, "sample_mean");
  EXPECT_DOUBLE_EQ(s.mean_steps, 20.0);
  const double half = 4.302652729911275 * 10.0 / std::sqrt(3.0);  // s = 10, t_{0.975}(2)
  EXPECT_NEAR(s.mean_steps_ci_low, 20.0 - half, 1e-8);
  EXPECT_NEAR(s.mean_steps_ci_high, 20.0 + half, 1e-8);
  EXPECT_EQ(s.median_steps, 20.0);  // Ŝ(10) = 2/3, Ŝ(20) = 1/3
  EXPECT_DOUBLE_EQ(s.p_escape, 0.75);
}

TEST(Reduce, WithCensoringIsExponentialMleWithChi2Interval) {
  // S = 10 + 20 + 30 + 2·100 = 260, r = 3.
  const auto t = Trials{}.escaped(10).censored(100).escaped(20).censored(100).escaped(30);
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.escaped, 3u);
  EXPECT_EQ(s.censored, 2u);
  EXPECT_EQ(s.estimator, "exponential_mle");
  EXPECT_DOUBLE_EQ(s.mean_steps, 260.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.mean_steps_ci_low, 520.0 / chi2_quantile(0.975, 8));
  EXPECT_DOUBLE_EQ(s.mean_steps_ci_high, 520.0 / chi2_quantile(0.025, 6));
  EXPECT_NEAR(s.mean_steps_ci_low, 520.0 / 17.5345, 1e-3);
  EXPECT_NEAR(s.mean_steps_ci_high, 520.0 / 1.2373, 0.05);
  // Kaplan–Meier: Ŝ(10) = 4/5, Ŝ(20) = 4/5·3/4 = 3/5, Ŝ(30) = 3/5·2/3 = 2/5 ≤ 1/2 → 30.
  EXPECT_EQ(s.median_steps, 30.0);
  EXPECT_DOUBLE_EQ(s.p_escape, 0.6);
}

TEST(Reduce, KaplanMeierMedianRecognisesSurvivalOfExactlyOneHalf) {
  // Ŝ(5) = 3/4, Ŝ(7) = 3/4·2/3 = 1/2 exactly → the median is 7, not "never".
  const auto u = Trials{}.censored(50).escaped(7).censored(50).escaped(5);
  EXPECT_EQ(reduce(u.v, 50).median_steps, 7.0);
  // One more escape: Ŝ = 4/5, 3/5, 2/5 at 5, 7, 9 → the median is 9.
  const auto t = Trials{}.censored(50).escaped(7).censored(50).escaped(5).escaped(9);
  EXPECT_EQ(reduce(t.v, 50).median_steps, 9.0);
}

TEST(Reduce, KaplanMeierMedianIsNaNWhenSurvivalStaysAboveOneHalf) {
  const auto t = Trials{}.escaped(5).censored(50).censored(50).censored(50);
  const EscapeStats s = reduce(t.v, 50);  // Ŝ(5) = 3/4 and no later escape
  EXPECT_TRUE(std::isnan(s.median_steps));
  EXPECT_DOUBLE_EQ(s.mean_steps, 155.0);
}

TEST(Reduce, EscapeAtTheHorizonCountsBeforeCensoringThere) {
  // An escape at step max_steps is an event; censored trials at max_steps are still at risk.
  const auto t = Trials{}.escaped(50).censored(50);
  const EscapeStats s = reduce(t.v, 50);
  EXPECT_EQ(s.median_steps, 50.0);  // Ŝ(50) = 1/2
  EXPECT_DOUBLE_EQ(s.mean_steps, 100.0);
}

TEST(Reduce, OneEscapeWithoutCensoringHasNoInterval) {
  const auto t = Trials{}.escaped(42).diverged(3);
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.estimator, "sample_mean");
  EXPECT_EQ(s.mean_steps, 42.0);
  EXPECT_TRUE(std::isnan(s.mean_steps_ci_low));
  EXPECT_TRUE(std::isnan(s.mean_steps_ci_high));
  EXPECT_EQ(s.median_steps, 42.0);
  EXPECT_DOUBLE_EQ(s.p_escape, 0.5);
}

TEST(Reduce, OneEscapeWithCensoringUsesTwoAndFourDegreesOfFreedom) {
  const auto t = Trials{}.censored(100).escaped(40);
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.estimator, "exponential_mle");
  EXPECT_DOUBLE_EQ(s.mean_steps, 140.0);
  EXPECT_DOUBLE_EQ(s.mean_steps_ci_low, 280.0 / chi2_quantile(0.975, 4));
  EXPECT_NEAR(s.mean_steps_ci_high, 280.0 / (-2 * std::log(0.975)), 1e-9);
  EXPECT_EQ(s.median_steps, 40.0);
}

TEST(Reduce, AllCensoredHasNoMeanButAFiniteLowerBound) {
  const auto t = Trials{}.censored(100).censored(100).censored(100);
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.censored, 3u);
  EXPECT_EQ(s.estimator, "exponential_mle");
  EXPECT_TRUE(std::isnan(s.mean_steps));
  EXPECT_NEAR(s.mean_steps_ci_low, 600.0 / (-2 * std::log(0.025)), 1e-9);  // 600/7.3778
  EXPECT_TRUE(std::isinf(s.mean_steps_ci_high));
  EXPECT_GT(s.mean_steps_ci_high, 0);
  EXPECT_TRUE(std::isnan(s.median_steps));
  EXPECT_EQ(s.p_escape, 0.0);
}

TEST(Reduce, AllDivergedHasNoTimeStatistics) {
  const auto t = Trials{}.diverged(3).diverged(8);
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.trials, 2u);
  EXPECT_EQ(s.diverged, 2u);
  EXPECT_EQ(s.estimator, "sample_mean");
  EXPECT_TRUE(std::isnan(s.mean_steps));
  EXPECT_TRUE(std::isnan(s.mean_steps_ci_low));
  EXPECT_TRUE(std::isnan(s.mean_steps_ci_high));
  EXPECT_TRUE(std::isnan(s.median_steps));
  EXPECT_EQ(s.p_escape, 0.0);
}

TEST(Reduce, ZeroTrialsIsAllNaN) {
  const EscapeStats s = reduce({}, 100);
  EXPECT_EQ(s.trials, 0u);
  EXPECT_EQ(s.estimator, "sample_mean");
  EXPECT_TRUE(std::isnan(s.mean_steps));
  EXPECT_TRUE(std::isnan(s.mean_steps_ci_low));
  EXPECT_TRUE(std::isnan(s.mean_steps_ci_high));
  EXPECT_TRUE(std::isnan(s.median_steps));
  EXPECT_TRUE(std::isnan(s.p_escape));
}

TEST(Reduce, FinalInRegionIsAFractionOfTheTrialsThatAskedForIt) {
  // Five trials asked (one diverged, which is not in the region), three were in the region; the
  // trial that did not ask is left out even though its in-region bit is set.
  auto t = Trials{}
               .escaped(10).final_in(true)
               .censored(100).final_in(true)
               .escaped(30).final_in(false)
               .diverged(4).final_in(false)
               .escaped(50).final_in(true)
               .escaped(60);
  t.v.back().flags = trial_flags::final_in_region;
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.final_asked, 5u);
  EXPECT_EQ(s.final_in_region, 3u);
  EXPECT_DOUBLE_EQ(s.p_final_in_region, 0.6);
  // The other statistics do not see the flags.
  EXPECT_EQ(s.escaped, 4u);
  EXPECT_EQ(s.estimator, "exponential_mle");
}

TEST(Reduce, DirectionMeansAverageTheEscapedTrialsWithTheFlag) {
  auto t = Trials{}
               .escaped(10).direction(0.75f, 0.125f)
               .escaped(20).direction(0.25f, 0.5f)
               .escaped(30)                      // escaped without the flag: left out
               .escaped(40).direction(0.5f, 0.375f)
               .censored(100);
  t.v.back().flags = trial_flags::direction;  // not escaped: left out whatever it holds
  t.v.back().along_top = 1000;
  t.v.back().along_flat = 1000;
  const EscapeStats s = reduce(t.v, 100);
  EXPECT_EQ(s.directions, 3u);
  EXPECT_DOUBLE_EQ(s.along_top_mean, 0.5);         // (0.75 + 0.25 + 0.5) / 3
  EXPECT_DOUBLE_EQ(s.along_flat_mean, 1.0 / 3.0);  // (0.125 + 0.5 + 0.375) / 3
  EXPECT_TRUE(std::isnan(s.p_final_in_region));    // nobody asked
}

TEST(Reduce, DirectionMeanIsOfTheFloatsAsRecorded) {
  // 0.1f is not 0.1; the mean is over the recorded floats, widened exactly to double.
  const auto t = Trials{}.escaped(1).direction(0.1f, 0.2f).escaped(2).direction(0.3f, 0.4f);
  const EscapeStats s = reduce(t.v, 10);
  EXPECT_EQ(s.along_top_mean, (static_cast<double>(0.1f) + static_cast<double>(0.3f)) / 2);
  EXPECT_EQ(s.along_flat_mean, (static_cast<double>(0.2f) + static_cast<double>(0.4f)) / 2);
}

TEST(Reduce, ObservablesAreNaNWhenNotRecorded) {
  for (const EscapeStats& s : {reduce({}, 100), reduce(Trials{}.escaped(3).censored(9).v, 9)}) {
    EXPECT_EQ(s.final_asked, 0u);
    EXPECT_EQ(s.final_in_region, 0u);
    EXPECT_EQ(s.directions, 0u);
    EXPECT_TRUE(std::isnan(s.p_final_in_region));
    EXPECT_TRUE(std::isnan(s.along_top_mean));
    EXPECT_TRUE(std::isnan(s.along_flat_mean));
  }
  // Asked, and none in the region: zero, not NaN.
  const EscapeStats s = reduce(Trials{}.censored(9).final_in(false).v, 9);
  EXPECT_EQ(s.p_final_in_region, 0.0);
}

TEST(Reduce, IsBitForBitDeterministic) {
  Trials t;
  for (std::uint64_t i = 0; i < 1000; ++i) t.escaped(1 + (i * 7919) % 1237);
  const EscapeStats a = reduce(t.v, 5000);
  const EscapeStats b = reduce(t.v, 5000);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean_steps_ci_low),
            std::bit_cast<std::uint64_t>(b.mean_steps_ci_low));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean_steps_ci_high),
            std::bit_cast<std::uint64_t>(b.mean_steps_ci_high));
  EXPECT_EQ(a.median_steps, b.median_steps);
}

// --- Coverage: the 95% intervals cover the true mean 95% of the time. ----------------------

// The test's own generator (splitmix64), independent of escapade's streams.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform on (0, 1), never 0 or 1.
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// Escape steps ⌈−μ ln u⌉: geometric, P(steps > k) = e^{−k/μ}, the discrete analogue of an
// exponential escape time (memoryless, as a high-barrier escape is). Its exact mean is
// 1/(1 − e^{−1/μ}) ≈ μ + 1/2, and the exponential MLE S/r is exactly its censored MLE.
double coverage(double mu, std::uint64_t max_steps, int reps, int n, std::uint64_t seed,
                const char* expected_estimator) {
  const double true_mean = 1 / -std::expm1(-1 / mu);
  SplitMix64 rng(seed);
  int covered = 0;
  std::vector<TrialResult> v(static_cast<std::size_t>(n));
  for (int rep = 0; rep < reps; ++rep) {
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<std::uint64_t>(std::ceil(-mu * std::log(rng.uniform())));
      TrialResult& t = v[static_cast<std::size_t>(i)];
      t.trial = static_cast<std::uint64_t>(i);
      t.status = k <= max_steps ? TrialStatus::escaped : TrialStatus::censored;
      t.steps = k <= max_steps ? k : max_steps;
    }
    const EscapeStats s = reduce(v, max_steps);
    EXPECT_EQ(s.estimator, expected_estimator);
    if (s.mean_steps_ci_low <= true_mean && true_mean <= s.mean_steps_ci_high) ++covered;
  }
  return static_cast<double>(covered) / reps;
}

constexpr int coverage_reps = 2000;
constexpr int coverage_trials = 200;
// Binomial standard error of the observed coverage when the true coverage is 95%.
const double coverage_se = std::sqrt(0.95 * 0.05 / coverage_reps);
// The intervals are not exactly 95%: the χ² interval of a censored exponential is conservative
// (its 2r + 2 lower degrees of freedom make it cover at least 95%), and the normal interval
// under-covers a little for skewed (exponential) data. Measured with 10^5 repetitions of these
// settings: 95.5% (horizon μ), 95.6% (horizon μ/2), 94.5% (no censoring), all inside the band.

TEST(ReduceCoverage, ExponentialMleIntervalCoversTrueMeanUnderCensoring) {
  // Horizon = μ: about 37% of the trials are censored.
  const double c = coverage(500, 500, coverage_reps, coverage_trials, 20240601, "exponential_mle");
  EXPECT_NEAR(c, 0.95, 3 * coverage_se) << "coverage " << c;
}

TEST(ReduceCoverage, ExponentialMleIntervalCoversTrueMeanWhenMostTrialsAreCensored) {
  // Horizon = μ/2: about 61% censored, about 79 escapes per configuration.
  const double c = coverage(1000, 500, coverage_reps, coverage_trials, 7, "exponential_mle");
  EXPECT_NEAR(c, 0.95, 3 * coverage_se) << "coverage " << c;
}

TEST(ReduceCoverage, SampleMeanIntervalCoversTrueMeanWithoutCensoring) {
  // A horizon no draw reaches (P ≈ e^{−100}): every trial escapes.
  const double c = coverage(500, 50000, coverage_reps, coverage_trials, 99, "sample_mean");
  EXPECT_NEAR(c, 0.95, 3 * coverage_se) << "coverage " << c;
}

// reduce_stream replays the results from "disk" in batches; it must give reduce()'s bits, and its
// bounded-memory median must be the exact order statistic also above 2^20 escapes, where it
// narrows the range by histogram passes (here: a wide range with ties and a narrow cluster).
TEST(ReduceStream, MatchesReduceBitForBitAboveTheDirectSelectionSize) {
  const std::uint64_t n = (1u << 20) + 300000, max_steps = 5'000'000'000ull;
  std::vector<TrialResult> rs;
  rs.reserve(n);
  std::uint64_t x = 88172645463325252ull;
  for (std::uint64_t t = 0; t < n; ++t) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
    TrialResult r{};
    r.trial = t;
    if (x % 10 == 0) {
      r.status = TrialStatus::censored;
      r.steps = max_steps;
    } else {
      r.status = TrialStatus::escaped;
      // 30% in a cluster [1000, 1010] (ties across one bucket), the rest spread to 4e9.
      r.steps = (x >> 8) % 10 < 3 ? 1000 + (x >> 20) % 11 : 1 + (x >> 12) % 4'000'000'000ull;
    }
    rs.push_back(r);
  }
  int replays = 0;
  const TrialReplay replay = [&](const std::function<void(std::span<const TrialResult>)>& visit) {
    ++replays;
    for (std::size_t i = 0; i < rs.size(); i += 1000)
      visit(std::span<const TrialResult>(rs.data() + i, std::min<std::size_t>(1000, rs.size() - i)));
  };
  const EscapeStats a = reduce_stream(replay, max_steps);
  EXPECT_GT(replays, 2) << "the median should have needed histogram passes";
  std::vector<std::uint64_t> esc;
  for (const auto& r : rs)
    if (r.status == TrialStatus::escaped) esc.push_back(r.steps);
  std::sort(esc.begin(), esc.end());
  const std::uint64_t m = esc.size() + (n - esc.size());  // escaped + censored
  EXPECT_EQ(a.median_steps, static_cast<double>(esc[(m + 1) / 2 - 1]));
  const EscapeStats b = reduce(rs, max_steps);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean_steps), std::bit_cast<std::uint64_t>(b.mean_steps));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean_steps_ci_high), std::bit_cast<std::uint64_t>(b.mean_steps_ci_high));
  EXPECT_EQ(a.median_steps, b.median_steps);
  EXPECT_EQ(a.escaped, b.escaped);
  EXPECT_EQ(a.censored, b.censored);
}

// More than 2^20 escapes at one step value: the selection ends on a one-value range and returns it
// without collecting the ties.
TEST(ReduceStream, MedianOfMassiveTies) {
  std::vector<TrialResult> rs((1u << 20) + 5000);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    rs[i].trial = i;
    rs[i].status = TrialStatus::escaped;
    rs[i].steps = i < 1000 ? 3 : 7;
  }
  EXPECT_EQ(reduce(rs, 100).median_steps, 7.0);
  for (std::size_t i = 0; i < rs.size(); ++i) rs[i].steps = i < rs.size() - 1000 ? 3 : 7;
  EXPECT_EQ(reduce(rs, 100).median_steps, 3.0);
}

}  // namespace
}  // namespace escapade::stats
