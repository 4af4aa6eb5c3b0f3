// Statistical tests (label `stats`): fixed seeds, tolerances in standard errors.
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/core/linalg.hpp"
#include "escapade/landscape/double_well.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/least_squares.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/isotropic.hpp"
#include "escapade/reference/mfpt1d.hpp"
#include "escapade/stats/summary.hpp"
#include "escapade/trial/run_trial.hpp"

using namespace escapade;

namespace {

// Mean escape time (time units) of kramers_well under isotropic noise, over n trials.
stats::EscapeStats kramers_escape(double a, double sigma, double eta, std::uint64_t n, std::uint64_t seed) {
  const landscape::KramersWell w(a, 1.0, 1.0);
  const escape::BarrierEscape<landscape::KramersWell> crit{&w};
  std::vector<TrialResult> results;
  for (std::uint64_t t = 0; t < n; ++t) {
    rng::Stream s(seed, 1000 + static_cast<std::uint64_t>(a * 10), t, rng::Purpose::dynamics_noise);
    results.push_back(trial::run_trial(w, noise::IsotropicNoise{sigma}, crit, dynamics::SgdStep{eta},
                                       trial::TrialSpec{0, t, 1'000'000'000}, s));
  }
  return stats::reduce(results, 1'000'000'000);
}

}  // namespace

// The discrete iterates are checked only at steps, so they cross later than the continuous path:
// to leading order the boundary moves out by β·sqrt(2Dη), β = 0.5826 (Siegmund; SCIENCE.md §1).
// We compare with the exact MFPT to the shifted boundary and allow, beyond 3 standard errors,
// 1.5% for the remaining O(η) discretisation error (ηa ≤ 4e-3 here; the drift error alone is
// O(ηa) ≈ 0.4%).
TEST(KramersWellEscape, MeanTimeMatchesExactFirstPassageTime) {
  const double eta = 1e-3;
  const double D = 1.0 / 3.0;  // ΔU/D = 3
  const double sigma = std::sqrt(2 * D / eta);
  for (double a : {1.0, 4.0}) {
    const landscape::KramersWell w(a, 1.0, 1.0);
    const double shift = 0.5826 * std::sqrt(2 * D * eta);
    const double exact = reference::kramers_well_mfpt(a, 1.0, 1.0, D, w.barrier_top() + shift);
    const double unshifted = reference::kramers_well_mfpt(a, 1.0, 1.0, D, w.barrier_top());
    const auto st = kramers_escape(a, sigma, eta, 2000, 20261123);
    ASSERT_EQ(st.escaped, 2000u);
    const double mean_time = st.mean_steps * eta;
    const double se = (st.mean_steps_ci_high - st.mean_steps) / 1.959963984540054 * eta;
    std::printf("a = %g: simulated %.4f ± %.4f, exact (shifted boundary) %.4f, unshifted %.4f, z = %.2f\n",
                a, mean_time, se, exact, unshifted, (mean_time - exact) / se);
    EXPECT_LT(std::abs(mean_time - exact), 3 * se + 0.015 * exact)
        << "a = " << a << ": simulated " << mean_time << " ± " << se << ", exact " << exact
        << " (unshifted boundary " << unshifted << ")";
  }
}

TEST(KramersWellEscape, SharperMinimaAreEscapedSoonerAtFixedBarrier) {
  const double eta = 1e-3, sigma = std::sqrt(2.0 / 3.0 / eta);
  const auto flat = kramers_escape(1.0, sigma, eta, 400, 99);
  const auto sharp = kramers_escape(8.0, sigma, eta, 400, 99);
  const double se = std::hypot(flat.mean_steps_ci_high - flat.mean_steps,
                               sharp.mean_steps_ci_high - sharp.mean_steps) / 1.96;
  EXPECT_GT(flat.mean_steps - sharp.mean_steps, 3 * se);
}

// θ_k = (I − ηH) θ_{k−1} − η ξ_k from θ* = 0, ξ ~ N(0, σ² I). In H's eigenbasis (λ_j, q_j) the
// coordinates are independent with variance η²σ² (1 − (1 − ηλ_j)^{2K}) / (1 − (1 − ηλ_j)²), so
// Cov θ_K = Q diag(v) Qᵀ and E θ_K = 0 exactly.
TEST(OrnsteinUhlenbeck, DiscreteMomentsOnARotatedQuadraticAreExact) {
  const double eta = 0.01, sigma = 3.0, phi = 0.3;
  const std::uint64_t K = 150, n = 40000;
  const landscape::Quadratic q({1.0, 20.0}, landscape::rotation_2d(phi), {0.5, -0.25});
  const escape::BallEscape<std::vector<double>> never{q.minimum(), 1e100};
  double m[2] = {0, 0}, c[3] = {0, 0, 0};  // c: xx, xy, yy
  for (std::uint64_t t = 0; t < n; ++t) {
    rng::Stream s(7, 77, t, rng::Purpose::dynamics_noise);
    std::vector<double> fin;
    trial::run_trial(q, noise::IsotropicNoise{sigma}, never, dynamics::SgdStep{eta},
                     trial::TrialSpec{0, t, K}, s,
                     [&](const std::vector<double>& th, const TrialResult&) { fin = th; });
    const double x = fin[0] - 0.5, y = fin[1] + 0.25;
    m[0] += x;
    m[1] += y;
    c[0] += x * x;
    c[1] += x * y;
    c[2] += y * y;
  }
  const double N = static_cast<double>(n);
  for (auto& v : m) v /= N;
  for (auto& v : c) v /= N;
  double var[2];
  const double lam[2] = {1.0, 20.0};
  for (int j = 0; j < 2; ++j) {
    const double r = 1 - eta * lam[j];
    var[j] = eta * eta * sigma * sigma * (1 - std::pow(r, 2.0 * K)) / (1 - r * r);
  }
  const double cs = std::cos(phi), sn = std::sin(phi);
  // Q = [[cs, -sn], [sn, cs]]: columns are the eigenvectors.
  const double exx = cs * cs * var[0] + sn * sn * var[1];
  const double exy = cs * sn * var[0] - sn * cs * var[1];
  const double eyy = sn * sn * var[0] + cs * cs * var[1];
  EXPECT_LT(std::abs(m[0]), 4 * std::sqrt(exx / N));
  EXPECT_LT(std::abs(m[1]), 4 * std::sqrt(eyy / N));
  // Gaussian sample (co)variances: Var(s_ij) = (C_ii C_jj + C_ij²) / N.
  EXPECT_LT(std::abs(c[0] - exx), 4 * std::sqrt(2 * exx * exx / N));
  EXPECT_LT(std::abs(c[1] - exy), 4 * std::sqrt((exx * eyy + exy * exy) / N));
  EXPECT_LT(std::abs(c[2] - eyy), 4 * std::sqrt(2 * eyy * eyy / N));
}

// double_well: escape from the left minimum −w over the barrier at 0 equals the exact 1-D mean
// first-passage time (reflecting far to the left, absorbing at the boundary shifted out by the
// discrete overshoot 0.5826·sqrt(2Dη)), within 3 standard errors plus 1.5% for the remaining
// O(η) discretisation error (η U''(−w) = 2e-3).
TEST(DoubleWellEscape, MeanTimeMatchesExactFirstPassageTime) {
  const double eta = 1e-3, barrier = 0.25, w = 1.0, D = 0.25 / 3.0;  // ΔU/D = 3
  const landscape::DoubleWell well(barrier, w);
  const escape::BarrierEscape<landscape::DoubleWell> crit{&well};
  const double sigma = std::sqrt(2 * D / eta);
  std::vector<TrialResult> results;
  for (std::uint64_t t = 0; t < 2000; ++t) {
    rng::Stream s(77, 5, t, rng::Purpose::dynamics_noise);
    results.push_back(trial::run_trial(well, noise::IsotropicNoise{sigma}, crit, dynamics::SgdStep{eta},
                                       trial::TrialSpec{0, t, 1'000'000'000}, s));
  }
  const auto st = stats::reduce(results, 1'000'000'000);
  ASSERT_EQ(st.escaped, 2000u);
  const reference::Diffusion1d p{
      [&](double x) { return barrier * (4 * x * x * x / (w * w * w * w) - 4 * x / (w * w)); },
      [&](double) { return D; }};
  const double shift = 0.5826 * std::sqrt(2 * D * eta);
  const double exact = reference::mfpt_reflecting(p, -3.0, -w, shift, 400000);
  const double mean = st.mean_steps * eta;
  const double se = (st.mean_steps_ci_high - st.mean_steps) / 1.96 * eta;
  std::printf("double well: simulated %.4f ± %.4f, exact %.4f, z = %.2f\n", mean, se, exact, (mean - exact) / se);
  EXPECT_LT(std::abs(mean - exact), 3 * se + 0.015 * exact);
}

// least_squares is exactly quadratic around θ*, so with isotropic noise the expected excess loss
// after k steps is Zhu et al.'s discrete indicator (seeds-spec §2.2):
//   E L(θ_k) − L* = ½ Σ_j λ_j η²σ² (1 − (1 − ηλ_j)^{2k}) / (1 − (1 − ηλ_j)²),
// λ_j the eigenvalues of H = XᵀX/N. Checked within 4 standard errors of the sample mean.
TEST(LeastSquaresLoss, ExcessLossFollowsTheDiscreteIndicator) {
  rng::Stream data(9, 9, 9, rng::Purpose::landscape_data);
  const auto ls = landscape::LeastSquares::generate(50, 5, 0.3, data);
  const double eta = 0.01, sigma = 2.0;
  const std::uint64_t k = 60, n = 20000;
  const double lstar = ls.value(ls.minimum());
  const escape::BallEscape<std::vector<double>> never{ls.minimum(), 1e100};
  double sum = 0, sum2 = 0;
  for (std::uint64_t t = 0; t < n; ++t) {
    rng::Stream s(3, 1, t, rng::Purpose::dynamics_noise);
    double excess = 0;
    trial::run_trial(ls, noise::IsotropicNoise{sigma}, never, dynamics::SgdStep{eta}, trial::TrialSpec{0, t, k}, s,
                     [&](const std::vector<double>& th, const TrialResult&) { excess = ls.value(th) - lstar; });
    sum += excess;
    sum2 += excess * excess;
  }
  const auto h = landscape::hessian(ls, ls.minimum());
  std::vector<double> lam, vec;
  linalg::symmetric_eigen(h, 5, lam, vec);
  double expected = 0;
  for (double l : lam) {
    const double r = 1 - eta * l;
    expected += 0.5 * l * eta * eta * sigma * sigma * (1 - std::pow(r, 2.0 * k)) / (1 - r * r);
  }
  const double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
  EXPECT_LT(std::abs(mean - expected), 4 * se) << mean << " vs " << expected << " ± " << se;
}
