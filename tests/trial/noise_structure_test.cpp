// Statistical tests (label `stats`) of whole configurations built from job text, as a run builds
// them: fixed seeds, tolerances in standard errors.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "escapade/job/job.hpp"
#include "escapade/noise/sgd.hpp"
#include "escapade/stats/summary.hpp"
#include "escapade/trial/models.hpp"

using namespace escapade;

namespace {

job::Job job_from(const std::string& body, std::uint64_t trials, std::uint64_t max_steps) {
  return job::parse_job("[job]\nname = \"t\"\nseed = 2026\ntrials = " + std::to_string(trials) +
                            "\nmax_steps = " + std::to_string(max_steps) + "\n" + body,
                        "test.toml");
}

stats::EscapeStats run_config(const job::Job& job, std::size_t config) {
  const trial::Model m = trial::build_model(job, job.configs[config]);
  std::vector<TrialResult> out;
  trial::run_trials(m, job.seed, job.max_steps, 0, job.trials, out);
  return stats::reduce(out, job.max_steps);
}

double standard_error(const stats::EscapeStats& s) {
  // Both estimators' 95% intervals are close to mean ± 1.96 SE for hundreds of escapes; the
  // upper half-width is the conservative side.
  return (s.mean_steps_ci_high - s.mean_steps) / 1.96;
}

}  // namespace

// Zhu et al.'s claim on their own toy: at equal trace, noise aligned with the Hessian leaves the
// sharp minimum far sooner than isotropic noise. At lr = 1e-3 and Tr Σ = 3000 (gradient units)
// Tr(HΣ) is 4.4e5 for isotropic and 6.0e5 for Hessian-aligned noise, and the escape across the
// ridge (barrier) is an activated process along the sharp direction, so the ratio of mean times is
// exponential in the difference of effective temperatures along it: we require a factor ≥ 10
// with 3 standard errors taken against it.
TEST(Zhu2dEscape, HessianAlignedNoiseEscapesAnOrderOfMagnitudeFasterThanIsotropic) {
  const job::Job job = job_from(R"([landscape]
kind = "zhu2d"
[dynamics]
lr = 0.001
[noise]
kind = ["isotropic", "hessian"]
trace = 3000.0
[escape]
kind = "barrier"
)",
                                300, 5'000'000);
  ASSERT_EQ(job.configs.size(), 2u);
  const auto iso = run_config(job, 0);
  const auto hess = run_config(job, 1);
  ASSERT_EQ(iso.censored + hess.censored, 0u);
  const double low_iso = iso.mean_steps - 3 * standard_error(iso);
  const double high_hess = hess.mean_steps + 3 * standard_error(hess);
  std::printf("isotropic %.0f ± %.0f steps, hessian %.0f ± %.0f steps, ratio %.1f\n", iso.mean_steps,
              standard_error(iso), hess.mean_steps, standard_error(hess), iso.mean_steps / hess.mean_steps);
  EXPECT_GT(low_iso / high_hess, 10.0);
}

// Meng et al.'s construction made exact: for per-sample quadratics ℓ_i = ½ h_i (w − c_i)², the
// batch-size-1 gradient (SGD with replacement, B = 1) has variance var_g + 2·cross·x + var_h·x²,
// x = w − w*, exactly — a quadratic in the state. With c independent of h the cross term is
// small; the identity holds with it. Checked through the model a job builds: the noise's exact
// covariance, and the empirical variance of 10⁵ draws of G within 4 standard errors.
TEST(PerSampleQuadraticSgd, GradientVarianceIsExactlyQuadraticInTheState) {
  const job::Job job = job_from(R"([landscape]
kind = "per_sample_quadratic"
samples = 64
h = { gamma = [4.0, 0.25] }
c = { normal = [0.0, 1.0] }
[dynamics]
lr = 0.01
[noise]
kind = "sgd"
batch_size = 1
replacement = true
[escape]
kind = "ball"
radius = 10.0
)",
                                1, 10);
  const trial::Model m = trial::build_model(job, job.configs[0]);
  const auto& land = std::get<landscape::PerSampleQuadratic>(m.instance.landscape);
  const auto& sgd = std::get<noise::SgdNoise>(m.instance.noise);
  const auto pl = land.power_law_coefficients();
  for (double x : {-1.5, -0.3, 0.0, 0.8, 2.0}) {
    const std::vector<double> w{pl.w_star + x};
    const double exact = pl.var_g + 2 * pl.cross * x + pl.var_h * x * x;
    EXPECT_NEAR(sgd.covariance(land, w)[0], exact, 1e-12 * (1 + exact)) << "x = " << x;
    // Empirical: G − ∇L over many steps at a fixed w.
    rng::Stream s(3, 4, static_cast<std::uint64_t>(1000 * (x + 2)), rng::Purpose::dynamics_noise);
    auto ws = sgd.workspace(land);
    std::vector<double> g(1), grad(1);
    land.gradient(w, grad);
    const int n = 100000;
    double sum = 0, sum2 = 0, sum4 = 0;
    for (int k = 0; k < n; ++k) {
      sgd.stochastic_gradient(land, w, s, g, ws);
      const double e = g[0] - grad[0];
      sum += e;
      sum2 += e * e;
      sum4 += e * e * e * e;
    }
    const double var = sum2 / n - (sum / n) * (sum / n);
    const double se = std::sqrt((sum4 / n - (sum2 / n) * (sum2 / n)) / n);
    EXPECT_LT(std::abs(var - exact), 4 * se) << "x = " << x << ": " << var << " vs " << exact;
  }
}

// Wang & Wu's escape direction, in the limit where it is exact: with all noise along H's top
// eigenvector (hessian_top) from θ*, the iterate never leaves that line, so every escape
// displacement lies along it: along_top = 1, along_flat = 0 (to float rounding). With isotropic
// noise the flattest direction takes the larger share (its variance ∝ 1/λ is larger). Escape
// from the ball r = 0.5: ΔU/D ≈ 3 along the top direction for hessian_top (D = η·Tr Σ/2), ≈ 1.5
// along the flat one for isotropic noise of the same trace.
TEST(EscapeDirection, SharesFollowTheNoiseGeometry) {
  const job::Job job = job_from(R"([landscape]
kind = "quadratic"
eigenvalues = [1.0, 4.0]
rotation = 0.6
[dynamics]
lr = 0.001
[noise]
kind = ["hessian_top", "isotropic"]
trace = 333.0
[escape]
kind = "ball"
radius = 0.5
record_direction = true
)",
                                300, 10'000'000);
  const auto top = run_config(job, 0);
  const auto iso = run_config(job, 1);
  std::printf("hessian_top: along top %.6f, flat %.6f; isotropic: top %.3f, flat %.3f\n",
              top.along_top_mean, top.along_flat_mean, iso.along_top_mean, iso.along_flat_mean);
  ASSERT_EQ(top.censored + iso.censored, 0u);
  ASSERT_EQ(top.directions, top.escaped);
  EXPECT_NEAR(top.along_top_mean, 1.0, 1e-6);
  EXPECT_NEAR(top.along_flat_mean, 0.0, 1e-6);
  EXPECT_GT(iso.along_flat_mean, 0.5);
  EXPECT_NEAR(iso.along_top_mean + iso.along_flat_mean, 1.0, 1e-6);  // 2-D: the shares add up
}

// Zhu et al.'s outcome "final iterate in the region at the horizon": with region = the flat
// basin (w₀ < −0.5 and w₁ < −0.5) and final = true, trials run to max_steps and report both the
// first passage and the final membership; a trial in the flat basin at the horizon must have
// entered it, so p_final_in_region ≤ p_escape.
TEST(FinalIterate, IsReportedAlongsideTheFirstPassage) {
  const job::Job job = job_from(R"([landscape]
kind = "zhu2d"
[dynamics]
lr = 0.001
[noise]
kind = "hessian"
trace = 4000.0
[escape]
kind = "region"
halfspaces = [[1.0, 0.0, -0.5], [0.0, 1.0, -0.5]]
final = true
)",
                                200, 20000);
  const auto s = run_config(job, 0);
  EXPECT_EQ(s.final_asked, 200u);
  EXPECT_GT(s.escaped, 0u);
  EXPECT_GT(s.final_in_region, 0u);
  EXPECT_LE(s.final_in_region, s.escaped);
  EXPECT_LE(s.p_final_in_region, s.p_escape);
}

// Zhu et al.'s "GLD diag": diagonal noise without variances but with match takes the diagonal of
// SGD's covariance at θ*, and its trace is that of SGD's covariance (the match).
TEST(MatchedNoise, DiagonalTakesTheDiagonalOfSgdCovariance) {
  const job::Job job = job_from(R"([landscape]
kind = "zhu2d"
[dynamics]
lr = 0.001
[noise]
kind = ["diagonal", "sgd"]
match = { sgd_batch = 10 }
batch_size = 10
[escape]
kind = "barrier"
)",
                                1, 10);
  const trial::Model diag = trial::build_model(job, job.configs[0]);
  const trial::Model sgd = trial::build_model(job, job.configs[1]);
  const auto& land = std::get<landscape::Zhu2d>(diag.instance.landscape);
  const auto sgd_cov = std::get<noise::SgdNoise>(sgd.instance.noise).covariance(land, land.minimum());
  const auto diag_cov = std::get<noise::DiagonalNoise>(diag.instance.noise).covariance(land, land.minimum());
  EXPECT_NEAR(diag_cov[0], sgd_cov[0], 1e-12 * sgd_cov[0]);
  EXPECT_NEAR(diag_cov[3], sgd_cov[3], 1e-12 * sgd_cov[3]);
  EXPECT_EQ(diag_cov[1], 0.0);
  EXPECT_NEAR(diag.instance.trace_sigma, sgd.instance.trace_sigma, 1e-12 * sgd.instance.trace_sigma);
}

// With data = "per_trial", trial t of every configuration of a sweep runs on the same fresh data
// (as Zhu et al. run every method on each repetition's data), and different trials differ.
TEST(PerTrialData, IsSharedByTheConfigurationsOfASweep) {
  const job::Job job = job_from(R"([landscape]
kind = "zhu2d"
data = "per_trial"
[dynamics]
lr = 0.001
[noise]
kind = ["isotropic", "hessian"]
trace = 100.0
[escape]
kind = "barrier"
)",
                                3, 10);
  const auto data_of = [&](std::size_t config, std::uint64_t trial) {
    rng::Stream s(job.seed, trial::landscape_data_key, trial + 1, rng::Purpose::landscape_data);
    return std::get<landscape::Zhu2d>(trial::build_instance(job, job.configs[config], s).landscape).data();
  };
  EXPECT_EQ(data_of(0, 2), data_of(1, 2));
  EXPECT_NE(data_of(0, 1), data_of(0, 2));
}
