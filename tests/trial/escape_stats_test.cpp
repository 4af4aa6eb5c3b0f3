// Statistical tests (label `stats`): fixed seeds, tolerances in standard errors.
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/kramers_well.hpp"
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
