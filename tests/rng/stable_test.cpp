// α-stable variates (rng/stable.hpp) and the levy noise model (noise/levy.hpp): exact laws checked
// through characteristic functions, Laplace transforms and quantiles, in standard errors, with fixed
// seeds; draw counts and determinism checked bit for bit.
#include "escapade/rng/stable.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/levy.hpp"

namespace {

using escapade::landscape::Quadratic;
using escapade::noise::LevyForm;
using escapade::noise::LevyNoise;
using escapade::noise::NoWorkspace;
using escapade::rng::Purpose;
using escapade::rng::Stream;

static_assert(escapade::noise::NoiseFor<LevyNoise, Quadratic>);
static_assert(!LevyNoise::is_zero && !LevyNoise::replaces_gradient && !LevyNoise::has_covariance);

constexpr std::size_t n_draws = 200000;
constexpr double n_se = 4.0;  // every statistical comparison: |estimate − exact| < 4 SE
const std::array<double, 5> alphas{0.5, 1.0, 1.5, 1.9, 2.0};
const std::array<double, 3> us{0.5, 1.0, 2.0};

// Sample mean of f(x) over xs and its standard error (from the sample variance).
struct MeanSe {
  double mean, se;
};
template <class F>
MeanSe mean_se(const std::vector<double>& xs, F f) {
  double s = 0.0, s2 = 0.0;
  for (double x : xs) {
    const double y = f(x);
    s += y;
    s2 += y * y;
  }
  const double n = static_cast<double>(xs.size());
  const double mean = s / n;
  const double var = (s2 - n * mean * mean) / (n - 1.0);
  return {mean, std::sqrt(var / n)};
}

std::vector<double> symmetric_draws(double alpha, std::uint64_t trial, std::size_t n = n_draws) {
  Stream s(20240611, 1, trial, Purpose::dynamics_noise);
  std::vector<double> xs(n);
  for (auto& x : xs) x = escapade::rng::symmetric_stable(alpha, s);
  return xs;
}

// The Lévy–Khintchine target: E cos(uS) = exp(−|u|^α) for a standard SαS.
double chf(double alpha, double u) { return std::exp(-std::pow(std::abs(u), alpha)); }

}  // namespace

TEST(SymmetricStable, IsSymmetricWithMedianZero) {
  for (std::size_t i = 0; i < alphas.size(); ++i) {
    const double alpha = alphas[i];
    auto xs = symmetric_draws(alpha, i);
    const auto pos = mean_se(xs, [](double x) { return x > 0.0 ? 1.0 : 0.0; });
    EXPECT_LT(std::abs(pos.mean - 0.5), n_se * 0.5 / std::sqrt(static_cast<double>(n_draws)))
        << "alpha " << alpha << ": P(S > 0) = " << pos.mean;
    // The sample median has SE 1/(2 f(0) sqrt n); the SαS density at 0 is f(0) = Γ(1 + 1/α)/π.
    std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(n_draws / 2), xs.end());
    const double median = xs[n_draws / 2];
    const double f0 = std::tgamma(1.0 + 1.0 / alpha) / std::numbers::pi;
    EXPECT_LT(std::abs(median), n_se / (2.0 * f0 * std::sqrt(static_cast<double>(n_draws))))
        << "alpha " << alpha << ": median " << median;
  }
}

TEST(SymmetricStable, CharacteristicFunctionIsExpOfMinusAbsUToTheAlpha) {
  for (std::size_t i = 0; i < alphas.size(); ++i) {
    const double alpha = alphas[i];
    const auto xs = symmetric_draws(alpha, 10 + i);
    for (double u : us) {
      const auto c = mean_se(xs, [u](double x) { return std::cos(u * x); });
      EXPECT_LT(std::abs(c.mean - chf(alpha, u)), n_se * c.se)
          << "alpha " << alpha << ", u " << u << ": E cos(uS) = " << c.mean << " ± " << c.se
          << ", exact " << chf(alpha, u);
    }
  }
}

TEST(SymmetricStable, AlphaOneHasCauchyQuantiles) {
  const auto xs = symmetric_draws(1.0, 20);
  const double se_scale = 1.0 / std::sqrt(static_cast<double>(n_draws));
  for (double p : {0.1, 0.25, 0.75, 0.9}) {
    const double q = std::tan(std::numbers::pi * (p - 0.5));  // Cauchy quantile
    const auto cdf = mean_se(xs, [q](double x) { return x <= q ? 1.0 : 0.0; });
    EXPECT_LT(std::abs(cdf.mean - p), n_se * std::sqrt(p * (1.0 - p)) * se_scale)
        << "p " << p << ": empirical CDF at the Cauchy quantile " << q << " is " << cdf.mean;
  }
}

TEST(SymmetricStable, AlphaTwoIsNormalWithVarianceTwo) {
  const auto xs = symmetric_draws(2.0, 21);
  const auto m = mean_se(xs, [](double x) { return x; });
  EXPECT_LT(std::abs(m.mean), n_se * m.se);
  // The sample second moment about the known mean 0; its SE from the sample variance of x².
  const auto v = mean_se(xs, [](double x) { return x * x; });
  EXPECT_LT(std::abs(v.mean - 2.0), n_se * v.se) << "variance " << v.mean << " ± " << v.se;
}

TEST(SymmetricStable, IsContinuousAcrossAlphaOneAndAlphaTwo) {
  // The symmetric formula has no α = 1 singularity: at α = 1 ± 1e-9 it stays within 1e-6 relative
  // of tan V, and at α = 2 − 1e-9 within 1e-6 of 2 sqrt(E) sin V, draw by draw (same uniforms).
  for (const auto& [special, nearby] : {std::array<double, 2>{1.0, 1.0 - 1e-9},
                                        std::array<double, 2>{1.0, 1.0 + 1e-9},
                                        std::array<double, 2>{2.0, 2.0 - 1e-9}}) {
    Stream a(7, 7, 7, Purpose::dynamics_noise), b(7, 7, 7, Purpose::dynamics_noise);
    double worst = 0.0;
    for (int k = 0; k < 20000; ++k) {
      const double x = escapade::rng::symmetric_stable(special, a);
      const double y = escapade::rng::symmetric_stable(nearby, b);
      worst = std::max(worst, std::abs(y - x) / std::abs(x));
    }
    EXPECT_LT(worst, 1e-6) << "alpha " << nearby << " against " << special;
  }
}

TEST(SymmetricStable, DrawsExactlyTwoUniforms) {
  for (double alpha : {0.5, 1.0, 1.5, 2.0}) {
    Stream a(3, 4, 5, Purpose::dynamics_noise), b(3, 4, 5, Purpose::dynamics_noise);
    for (int k = 0; k < 1000; ++k) {
      (void)escapade::rng::symmetric_stable(alpha, a);
      (void)b.uniform();
      (void)b.uniform();
    }
    EXPECT_EQ(a.next_u64(), b.next_u64()) << "alpha " << alpha;
  }
  Stream a(3, 4, 5, Purpose::dynamics_noise), b(3, 4, 5, Purpose::dynamics_noise);
  for (int k = 0; k < 1000; ++k) {
    (void)escapade::rng::positive_stable(0.7, a);
    (void)b.uniform();
    (void)b.uniform();
  }
  EXPECT_EQ(a.next_u64(), b.next_u64()) << "positive_stable";
}

TEST(SymmetricStable, IsDeterministicForAFixedStream) {
  Stream a(11, 12, 13, Purpose::dynamics_noise), b(11, 12, 13, Purpose::dynamics_noise);
  Stream other(11, 12, 14, Purpose::dynamics_noise);
  int differ = 0;
  for (int k = 0; k < 1000; ++k) {
    const double x = escapade::rng::symmetric_stable(1.5, a);
    EXPECT_EQ(x, escapade::rng::symmetric_stable(1.5, b));
    differ += x != escapade::rng::symmetric_stable(1.5, other);
  }
  EXPECT_EQ(differ, 1000) << "another trial id must give another sequence";
}

TEST(PositiveStable, LaplaceTransformIsExpOfMinusSToTheA) {
  std::uint64_t trial = 30;
  for (double a : {0.25, 0.5, 0.75, 0.95}) {
    Stream s(20240611, 2, trial++, Purpose::dynamics_noise);
    std::vector<double> xs(n_draws);
    for (auto& x : xs) x = escapade::rng::positive_stable(a, s);
    EXPECT_GT(*std::min_element(xs.begin(), xs.end()), 0.0) << "a " << a;
    for (double sv : {0.5, 1.0, 2.0}) {
      const auto l = mean_se(xs, [sv](double x) { return std::exp(-sv * x); });
      const double exact = std::exp(-std::pow(sv, a));
      EXPECT_LT(std::abs(l.mean - exact), n_se * l.se)
          << "a " << a << ", s " << sv << ": E exp(−sA) = " << l.mean << " ± " << l.se
          << ", exact " << exact;
    }
  }
}

TEST(PositiveStable, HalfIsTheLevyDistribution) {
  // a = ½: E e^{−sA} = e^{−√s} is the law of 1/(2Z²), Z standard normal, so
  // P(A ≤ x) = P(|Z| ≥ 1/√(2x)) = erfc(1/(2√x)).
  Stream s(20240611, 2, 40, Purpose::dynamics_noise);
  std::vector<double> xs(n_draws);
  for (auto& x : xs) x = escapade::rng::positive_stable(0.5, s);
  for (double x : {0.05, 0.2, 1.0, 5.0}) {
    const double p = std::erfc(0.5 / std::sqrt(x));
    const auto cdf = mean_se(xs, [x](double y) { return y <= x ? 1.0 : 0.0; });
    EXPECT_LT(std::abs(cdf.mean - p), n_se * std::sqrt(p * (1.0 - p) / static_cast<double>(n_draws)))
        << "x " << x << ": empirical CDF " << cdf.mean << ", exact " << p;
  }
}

TEST(IsotropicStable, MarginalsAreStandardAndTheLawIsRotationInvariant) {
  // d = 3. Along the axis u = r e₁ and along the diagonal u = r (1, 1, 1)/√3 (same norm r),
  // E cos⟨u, X⟩ must both equal exp(−r^α); their paired difference must vanish.
  constexpr std::size_t d = 3;
  const double inv_sqrt3 = 1.0 / std::sqrt(3.0);
  for (std::size_t i = 0; i < alphas.size(); ++i) {
    const double alpha = alphas[i];
    Stream s(20240611, 6, i, Purpose::dynamics_noise);
    std::vector<double> axis(n_draws), diag(n_draws);
    std::array<double, d> x{};
    for (std::size_t k = 0; k < n_draws; ++k) {
      escapade::rng::isotropic_stable(alpha, s, x.data(), d);
      axis[k] = x[0];
      diag[k] = (x[0] + x[1] + x[2]) * inv_sqrt3;
    }
    for (double r : us) {
      const auto ca = mean_se(axis, [r](double y) { return std::cos(r * y); });
      const auto cd = mean_se(diag, [r](double y) { return std::cos(r * y); });
      EXPECT_LT(std::abs(ca.mean - chf(alpha, r)), n_se * ca.se)
          << "alpha " << alpha << ", axis, r " << r << ": " << ca.mean << ", exact " << chf(alpha, r);
      EXPECT_LT(std::abs(cd.mean - chf(alpha, r)), n_se * cd.se)
          << "alpha " << alpha << ", diagonal, r " << r << ": " << cd.mean << ", exact "
          << chf(alpha, r);
      double s1 = 0.0, s2 = 0.0;
      for (std::size_t k = 0; k < n_draws; ++k) {
        const double dd = std::cos(r * axis[k]) - std::cos(r * diag[k]);
        s1 += dd;
        s2 += dd * dd;
      }
      const double n = static_cast<double>(n_draws);
      const double mean = s1 / n, se = std::sqrt((s2 - n * mean * mean) / (n - 1.0) / n);
      EXPECT_LT(std::abs(mean), n_se * se) << "alpha " << alpha << ", r " << r
                                           << ": axis − diagonal = " << mean << " ± " << se;
    }
  }
}

TEST(IsotropicStable, DrawsTwoUniformsThenDNormals) {
  std::array<double, 4> x{};
  Stream a(3, 4, 5, Purpose::dynamics_noise), b(3, 4, 5, Purpose::dynamics_noise);
  escapade::rng::isotropic_stable(1.2, a, x.data(), x.size());
  const double scale = std::numbers::sqrt2 * std::sqrt(escapade::rng::positive_stable(0.6, b));
  for (double xi : x) EXPECT_EQ(xi, scale * b.normal());
  EXPECT_EQ(a.next_u64(), b.next_u64());
  // α = 2: sqrt(2) G with no uniforms.
  escapade::rng::isotropic_stable(2.0, a, x.data(), x.size());
  for (double xi : x) EXPECT_EQ(xi, std::numbers::sqrt2 * b.normal());
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(LevyNoise, RejectsParametersOutsideTheirRange) {
  EXPECT_THROW(LevyNoise(0.0, 1.0, 0.1), std::invalid_argument);
  EXPECT_THROW(LevyNoise(2.5, 1.0, 0.1), std::invalid_argument);
  EXPECT_THROW(LevyNoise(std::nan(""), 1.0, 0.1), std::invalid_argument);
  EXPECT_THROW(LevyNoise(1.5, -1.0, 0.1), std::invalid_argument);
  EXPECT_THROW(LevyNoise(1.5, 1.0, 0.0), std::invalid_argument);
  EXPECT_NO_THROW(LevyNoise(2.0, 0.0, 0.1, LevyForm::isotropic));
}

TEST(LevyNoise, IncrementIsEpsilonEtaToOneOverAlphaTimesS) {
  // ξ = −ε η^{1/α−1} S, drawn in coordinate order (coordinate form) or as one isotropic vector.
  const Quadratic land({1.0, 2.0, 3.0}, {}, {});
  const std::vector<double> theta(3, 0.0);
  NoWorkspace ws;
  for (LevyForm form : {LevyForm::coordinate, LevyForm::isotropic}) {
    const LevyNoise noise(1.3, 0.2, 0.01, form);
    EXPECT_DOUBLE_EQ(noise.gradient_scale(), 0.2 * std::pow(0.01, 1.0 / 1.3 - 1.0));
    EXPECT_DOUBLE_EQ(noise.increment_scale(), 0.2 * std::pow(0.01, 1.0 / 1.3));
    Stream a(1, 2, 3, Purpose::dynamics_noise), b(1, 2, 3, Purpose::dynamics_noise);
    std::vector<double> xi(3), s(3);
    for (int k = 0; k < 100; ++k) {
      noise.sample(land, theta, a, xi, ws);
      if (form == LevyForm::coordinate) {
        for (auto& v : s) v = escapade::rng::symmetric_stable(1.3, b);
      } else {
        escapade::rng::isotropic_stable(1.3, b, s.data(), s.size());
      }
      for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(xi[i], -noise.gradient_scale() * s[i]);
    }
  }
}

TEST(LevyNoise, AlphaTwoIsGaussianWithIncrementVarianceTwoEpsilonSquaredEta) {
  const Quadratic land({1.0, 5.0}, {}, {});
  const std::vector<double> theta(2, 0.0);
  const double eps = 0.3, eta = 0.01;
  NoWorkspace ws;
  std::uint64_t trial = 50;
  for (LevyForm form : {LevyForm::coordinate, LevyForm::isotropic}) {
    const LevyNoise noise(2.0, eps, eta, form);
    Stream s(20240611, 4, trial++, Purpose::dynamics_noise);
    std::vector<double> xi(2);
    std::array<std::vector<double>, 2> inc{std::vector<double>(n_draws), std::vector<double>(n_draws)};
    for (std::size_t k = 0; k < n_draws; ++k) {
      noise.sample(land, theta, s, xi, ws);
      for (std::size_t i = 0; i < 2; ++i) inc[i][k] = -eta * xi[i];  // θ_{k+1} − θ_k − (−η∇L)
    }
    for (std::size_t i = 0; i < 2; ++i) {
      const auto m = mean_se(inc[i], [](double x) { return x; });
      const auto v = mean_se(inc[i], [](double x) { return x * x; });
      EXPECT_LT(std::abs(m.mean), n_se * m.se) << to_string(form) << " coordinate " << i;
      EXPECT_LT(std::abs(v.mean - 2.0 * eps * eps * eta), n_se * v.se)
          << to_string(form) << " coordinate " << i << ": variance " << v.mean << " ± " << v.se
          << ", exact " << 2.0 * eps * eps * eta;
    }
  }
}

TEST(LevyNoise, CoordinateFormIsNotRotationInvariant) {
  // Independent SαS coordinates: E cos⟨u, S⟩ = exp(−Σ|u_i|^α), which along the diagonal of R²
  // (u = r (1, 1)/√2) is exp(−2^{1−α/2} r^α) ≠ exp(−r^α); the isotropic form gives exp(−r^α).
  const Quadratic land({1.0, 1.0}, {}, {});
  const std::vector<double> theta(2, 0.0);
  const double alpha = 1.0, r = 1.0;
  NoWorkspace ws;
  for (LevyForm form : {LevyForm::coordinate, LevyForm::isotropic}) {
    const LevyNoise noise(alpha, 0.5, 0.04, form);
    Stream s(20240611, 5, form == LevyForm::coordinate ? 0 : 1, Purpose::dynamics_noise);
    std::vector<double> xi(2), proj(n_draws);
    for (auto& p : proj) {
      noise.sample(land, theta, s, xi, ws);
      p = -(xi[0] + xi[1]) / std::numbers::sqrt2 / noise.gradient_scale();  // ⟨(1,1)/√2, S⟩
    }
    const auto c = mean_se(proj, [r](double x) { return std::cos(r * x); });
    const double exact = form == LevyForm::coordinate
                             ? std::exp(-std::pow(2.0, 1.0 - alpha / 2.0) * std::pow(r, alpha))
                             : chf(alpha, r);
    EXPECT_LT(std::abs(c.mean - exact), n_se * c.se) << to_string(form) << ": " << c.mean;
  }
}
