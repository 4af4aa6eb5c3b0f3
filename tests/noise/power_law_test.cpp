// Statistical test (label `stats`) of the power-law noise: the mean escape time of the discrete
// dynamics equals the exact mean first-passage time of its state-dependent diffusion limit.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "escapade/dynamics/sgd_step.hpp"
#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/power_law.hpp"
#include "escapade/reference/mfpt1d.hpp"
#include "escapade/rng/stream.hpp"
#include "escapade/stats/summary.hpp"
#include "escapade/trial/run_trial.hpp"

using namespace escapade;

// U = h x²/2 with h = 1, θ* = 0; ξ with Var ξ(x) = var_g + var_h x², η = 1e-3 (ηh = 1e-3); escape
// when |x| > ℓ = 0.7 (ball). The diffusion limit has D(x) = η (var_g + var_h x²)/2 = D_0 (1 + r x²)
// with D_0 = 0.05, r = 5 (var_g = 100, var_h = 500), so κ = 1 + h/(η var_h) = 3: the stationary
// law ∝ (1 + 5x²)^{−3} is heavy-tailed. ΔU = hℓ²/2 = 0.245: ΔU/D_0 = 4.9, but D(ℓ) = 0.1725 and
// ΔU/D(ℓ) = 1.42. By symmetry (even U and D, start at the centre) the exit time from (−ℓ, ℓ)
// equals the reflecting-at-0 / absorbing-at-ℓ time of mfpt_reflecting: 12.53 time units.
// Discretisation: iterates are checked only at steps, so the exit boundary moves out by about
// 0.5826·sqrt(2 D(ℓ) η) = 0.0108 (Siegmund's constant, SCIENCE.md §1), which moves the exact time
// to 13.21 (+5.4%, about 4.5 standard errors here); we compare with the exact time to the shifted
// boundary. What remains is O(η): the drift error O(ηh) = 0.1%, the variation of D across the
// boundary layer (d ln D/dx · shift ≈ 2.2% of the 5.4% correction) and the O(η) term of the
// overshoot expansion. 40,000 trials (seeds 7 and 8, not this test's) measured it as
// +0.6% ± 0.5%; we allow 1.5% of the exact time for it, beyond 3 standard errors.
// Cost: 6000 trials × 13,200 steps ≈ 8·10⁷ steps, about 2 s.
TEST(PowerLawEscape, MeanTimeMatchesExactStateDependentFirstPassageTime) {
  const double h = 1.0, eta = 1e-3, var_g = 100.0, var_h = 500.0, ell = 0.7;
  const std::uint64_t n = 6000, max_steps = 1'000'000'000;
  const landscape::Quadratic well({h}, {}, {0.0});
  const noise::PowerLawNoise noise(var_g, var_h);
  const escape::BallEscape<std::vector<double>> ball{{0.0}, ell};
  std::vector<TrialResult> results;
  results.reserve(n);
  for (std::uint64_t t = 0; t < n; ++t) {
    rng::Stream s(20240611, 31, t, rng::Purpose::dynamics_noise);
    results.push_back(trial::run_trial(well, noise, ball, dynamics::SgdStep{eta},
                                       trial::TrialSpec{0, t, max_steps}, s));
  }
  const auto st = stats::reduce(results, max_steps);
  ASSERT_EQ(st.escaped, n);

  const reference::Diffusion1d p{[=](double x) { return h * x; },
                                 [&](double x) { return noise.diffusion(eta, x); }};
  const double shift = 0.5826 * std::sqrt(2 * noise.diffusion(eta, ell) * eta);
  const double exact = reference::mfpt_reflecting(p, 0.0, 0.0, ell + shift, 200000);
  const double unshifted = reference::mfpt_reflecting(p, 0.0, 0.0, ell, 200000);
  const double mean_time = st.mean_steps * eta;
  const double se = (st.mean_steps_ci_high - st.mean_steps) / 1.959963984540054 * eta;
  std::printf("power law: simulated %.4f ± %.4f, exact (shifted boundary) %.4f, unshifted %.4f, "
              "z = %.2f\n", mean_time, se, exact, unshifted, (mean_time - exact) / se);
  EXPECT_LT(std::abs(mean_time - exact), 3 * se + 0.015 * exact)
      << "simulated " << mean_time << " ± " << se << ", exact " << exact << " (unshifted " << unshifted
      << ")";
}
