#include "escapade/stats/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace escapade::stats {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// Out-of-domain arguments give NaN and p = 1 gives +inf instead of throwing: statistics are data.
using QuietPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

// The k-th smallest (1-based) escape step, with memory bounded whatever the number of trials:
// while more than `direct` escapes lie in the candidate range [lo, hi], one replay counts them in
// `buckets` equal-width buckets and the range shrinks to the bucket holding the k-th; then the
// escapes of the range are collected and nth_element picks it. Exact, a few replays at most.
std::uint64_t kth_escape(const TrialReplay& replay, std::uint64_t k, std::uint64_t lo, std::uint64_t hi,
                         std::uint64_t in_range) {
  constexpr std::uint64_t direct = 1u << 20;
  constexpr std::uint64_t buckets = 4096;
  while (in_range > direct && hi > lo) {
    const std::uint64_t width = (hi - lo) / buckets + 1;
    std::vector<std::uint64_t> count(buckets, 0);
    replay([&](std::span<const TrialResult> batch) {
      for (const auto& t : batch)
        if (t.status == TrialStatus::escaped && t.steps >= lo && t.steps <= hi) ++count[(t.steps - lo) / width];
    });
    std::uint64_t below = 0, b = 0;
    while (below + count[b] < k) below += count[b++];
    k -= below;
    in_range = count[b];
    const std::uint64_t new_lo = lo + b * width;
    hi = std::min(hi, new_lo + (width - 1));
    lo = new_lo;
  }
  if (lo == hi) return lo;  // every candidate ties (possibly more than `direct` of them)
  std::vector<std::uint64_t> steps;
  steps.reserve(static_cast<std::size_t>(std::min(in_range, direct)));
  replay([&](std::span<const TrialResult> batch) {
    for (const auto& t : batch)
      if (t.status == TrialStatus::escaped && t.steps >= lo && t.steps <= hi) steps.push_back(t.steps);
  });
  const auto kth = steps.begin() + static_cast<std::ptrdiff_t>(k - 1);
  std::nth_element(steps.begin(), kth, steps.end());
  return *kth;
}

// Kaplan–Meier median for the one censoring time this reducer sees: every censored trial is
// censored at max_steps, and every escape happens at a step ≤ max_steps, so all censored trials
// stay in the risk set through the last escape and the product telescopes,
//   Ŝ(t) = Π_{t_j ≤ t} (1 − d_j / n_j) = (m − F(t)) / m,   m = escaped + censored,
// F(t) the number of escapes at or before t. Ŝ(t) ≤ 1/2 ⇔ 2 F(t) ≥ m, decided in integers so a
// survival of exactly 1/2 is recognised (a floating-point product can land one ulp either side).
double kaplan_meier_median(const TrialReplay& replay, std::uint64_t escaped, std::uint64_t at_risk,
                           std::uint64_t lo, std::uint64_t hi) {
  if (at_risk == 0) return nan;
  const std::uint64_t needed = (at_risk + 1) / 2;  // smallest F with 2F ≥ m
  if (needed > escaped) return nan;
  return static_cast<double>(kth_escape(replay, needed, lo, hi, escaped));
}

}  // namespace

double chi2_quantile(double p, double k) {
  if (!(k > 0) || !(p >= 0 && p <= 1)) return nan;
  const boost::math::chi_squared_distribution<double, QuietPolicy> dist(k);
  return boost::math::quantile(dist, p);
}

EscapeStats reduce(std::span<const TrialResult> results, std::uint64_t max_steps) {
  return reduce_stream([&](const std::function<void(std::span<const TrialResult>)>& visit) { visit(results); },
                       max_steps);
}

EscapeStats reduce_stream(const TrialReplay& replay, std::uint64_t max_steps) {
  EscapeStats st;
  double along_top_sum = 0, along_flat_sum = 0;
  // Sums run in the given (trial-id) order. Step counts are integers, so these double sums are
  // exact (hence order-independent) up to 2^53 total steps, and deterministic beyond.
  double escaped_sum = 0;
  std::uint64_t lo = std::numeric_limits<std::uint64_t>::max(), hi = 0;
  replay([&](std::span<const TrialResult> batch) {
    for (const TrialResult& t : batch) {
      ++st.trials;
      if ((t.flags & trial_flags::final_asked) != 0) {
        ++st.final_asked;
        if ((t.flags & trial_flags::final_in_region) != 0) ++st.final_in_region;
      }
      if (t.status == TrialStatus::escaped && (t.flags & trial_flags::direction) != 0) {
        ++st.directions;
        along_top_sum += static_cast<double>(t.along_top);
        along_flat_sum += static_cast<double>(t.along_flat);
      }
      switch (t.status) {
        case TrialStatus::escaped:
          ++st.escaped;
          escaped_sum += static_cast<double>(t.steps);
          lo = std::min(lo, t.steps);
          hi = std::max(hi, t.steps);
          break;
        case TrialStatus::censored: ++st.censored; break;
        case TrialStatus::diverged: ++st.diverged; break;
      }
    }
  });
  const std::uint64_t r = st.escaped;

  if (st.censored == 0) {
    st.estimator = "sample_mean";
    if (r == 0) {
      st.mean_steps = st.mean_steps_ci_low = st.mean_steps_ci_high = nan;
    } else {
      const double mean = escaped_sum / static_cast<double>(r);
      st.mean_steps = mean;
      st.mean_steps_ci_low = st.mean_steps_ci_high = nan;  // one escape says nothing about spread
      if (r >= 2) {
        double ss = 0;  // two-pass variance: no cancellation for long escape times
        replay([&](std::span<const TrialResult> batch) {
          for (const TrialResult& t : batch) {
            if (t.status != TrialStatus::escaped) continue;
            const double d = static_cast<double>(t.steps) - mean;
            ss += d * d;
          }
        });
        const double sd = std::sqrt(ss / static_cast<double>(r - 1));
        const double t = boost::math::quantile(
            boost::math::students_t_distribution<double>(static_cast<double>(r - 1)), 0.975);
        const double half = t * sd / std::sqrt(static_cast<double>(r));
        st.mean_steps_ci_low = mean - half;
        st.mean_steps_ci_high = mean + half;
      }
    }
  } else {
    st.estimator = "exponential_mle";
    const double total_on_test =
        escaped_sum + static_cast<double>(st.censored) * static_cast<double>(max_steps);
    const double two_s = 2 * total_on_test;
    const double dr = static_cast<double>(r);
    st.mean_steps = r == 0 ? nan : total_on_test / dr;
    st.mean_steps_ci_low = two_s / chi2_quantile(0.975, 2 * dr + 2);
    st.mean_steps_ci_high = r == 0 ? inf : two_s / chi2_quantile(0.025, 2 * dr);
  }

  st.median_steps = kaplan_meier_median(replay, r, r + st.censored, lo, hi);
  st.p_escape = st.trials == 0 ? nan : static_cast<double>(r) / static_cast<double>(st.trials);
  st.p_final_in_region =
      st.final_asked == 0
          ? nan
          : static_cast<double>(st.final_in_region) / static_cast<double>(st.final_asked);
  if (st.directions > 0) {
    const auto m = static_cast<double>(st.directions);
    st.along_top_mean = along_top_sum / m;
    st.along_flat_mean = along_flat_sum / m;
  } else {
    st.along_top_mean = st.along_flat_mean = nan;
  }
  return st;
}

}  // namespace escapade::stats
