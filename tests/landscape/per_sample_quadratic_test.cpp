#include "escapade/landscape/per_sample_quadratic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "escapade/rng/stream.hpp"

namespace {

using escapade::landscape::Distribution;
using escapade::landscape::PerSampleQuadratic;
using escapade::rng::Purpose;
using escapade::rng::Stream;
using V = std::vector<double>;

Stream stream(std::uint64_t trial = 0) { return Stream(987654321, 11, trial, Purpose::landscape_data); }

// N = 3, d = 2 by hand.
PerSampleQuadratic small() {
  return PerSampleQuadratic({1.0, 4.0, 2.0, 1.0, 3.0, 0.5}, {0.0, 1.0, 1.0, -2.0, -1.0, 3.0}, 2);
}

PerSampleQuadratic generated_1d(std::size_t n = 200) {
  Stream s = stream();
  return PerSampleQuadratic::generate(n, 1, {"gamma", {2.0, 0.5}}, {"normal", {0.3, 1.0}}, s);
}

// Population variance over i of v_i.
double variance(const V& v) {
  double m = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

}  // namespace

TEST(PerSampleQuadratic, MinimumIsTheCurvatureWeightedMeanOfCentres) {
  const auto q = small();
  // θ*_0 = (1·0 + 2·1 + 3·(−1)) / 6, θ*_1 = (4·1 + 1·(−2) + 0.5·3) / 5.5.
  EXPECT_NEAR(q.minimum()[0], -1.0 / 6.0, 1e-15);
  EXPECT_NEAR(q.minimum()[1], 3.5 / 5.5, 1e-15);
  V g(2);
  q.gradient(q.minimum(), g);
  EXPECT_NEAR(g[0], 0.0, 1e-15);
  EXPECT_NEAR(g[1], 0.0, 1e-15);
  double v = 0;
  for (std::size_t i = 0; i < 3; ++i) v += q.sample_value(i, q.minimum()) / 3;
  EXPECT_NEAR(q.value(q.minimum()), v, 1e-15);
  EXPECT_DOUBLE_EQ(q.value_at_minimum(), q.value(q.minimum()));
}

TEST(PerSampleQuadratic, HessianIsTheDiagonalOfMeanCurvaturesAndSharpnessItsMaximum) {
  const auto q = small();
  const auto h = escapade::landscape::hessian(q, {0.3, -0.2});
  EXPECT_DOUBLE_EQ(h[0], 2.0);
  EXPECT_DOUBLE_EQ(h[1], 0.0);
  EXPECT_DOUBLE_EQ(h[2], 0.0);
  EXPECT_NEAR(h[3], 5.5 / 3, 1e-15);
  EXPECT_DOUBLE_EQ(q.sharpness(), 2.0);
}

TEST(PerSampleQuadratic, GradientsAndHessianMatchCentralFiniteDifferences) {
  Stream s = stream(1);
  const auto q = PerSampleQuadratic::generate(30, 3, {"lognormal", {0.0, 0.5}}, {"uniform", {-1.0, 1.0}}, s);
  const double step = 1e-6;
  std::vector<double> h(9);
  for (const V& p : {V{0.1, -0.3, 0.7}, V{2.0, 1.0, -1.5}, q.minimum()}) {
    V g(3), gi(3), gp(3), gm(3);
    q.gradient(p, g);
    q.hessian(p, h);
    for (std::size_t j = 0; j < 3; ++j) {
      V pp = p, pm = p;
      pp[j] += step;
      pm[j] -= step;
      EXPECT_NEAR(g[j], (q.value(pp) - q.value(pm)) / (2 * step), 1e-7);
      for (std::size_t i : {std::size_t{0}, std::size_t{29}}) {
        q.sample_gradient(i, p, gi);
        EXPECT_NEAR(gi[j], (q.sample_value(i, pp) - q.sample_value(i, pm)) / (2 * step), 1e-7);
      }
      q.gradient(pp, gp);
      q.gradient(pm, gm);
      for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(h[k * 3 + j], (gp[k] - gm[k]) / (2 * step), 1e-7);
    }
  }
}

TEST(PerSampleQuadratic, ValueAndGradientEqualTheMeansOfPerSampleOnes) {
  Stream s = stream(2);
  const auto q = PerSampleQuadratic::generate(50, 2, {"gamma", {3.0, 1.0}}, {"normal", {0.0, 2.0}}, s);
  for (const V& p : {V{0.0, 0.0}, V{5.0, -3.0}, q.minimum()}) {
    double v = 0;
    V g(2), gi(2), gs(2, 0.0);
    for (std::size_t i = 0; i < q.n_samples(); ++i) {
      v += q.sample_value(i, p) / 50;
      q.sample_gradient(i, p, gi);
      for (std::size_t j = 0; j < 2; ++j) gs[j] += gi[j] / 50;
    }
    q.gradient(p, g);
    EXPECT_NEAR(q.value(p), v, 1e-13 * std::max(1.0, v));
    for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(g[j], gs[j], 1e-13 * std::max(1.0, std::abs(gs[j])));
  }
}

TEST(PerSampleQuadratic, GradientVarianceIsExactlyQuadraticInW) {
  // Independent h and c (cross ≈ 0 only statistically), and c correlated with h (cross ≠ 0).
  const auto independent = generated_1d();
  V h, c;
  Stream s = stream(3);
  for (int i = 0; i < 40; ++i) {
    const double hi = 0.5 + s.uniform() * 3.0;
    h.push_back(hi);
    c.push_back(0.8 * hi + 0.3 * s.normal());
  }
  const PerSampleQuadratic correlated(h, c, 1);
  EXPECT_GT(std::abs(correlated.power_law_coefficients().cross), 0.05);
  for (const PerSampleQuadratic* q : {&independent, &correlated}) {
    const auto pl = q->power_law_coefficients();
    EXPECT_DOUBLE_EQ(pl.w_star, q->minimum()[0]);
    EXPECT_DOUBLE_EQ(pl.mean_h, q->sharpness());
    V hs(q->n_samples());
    for (std::size_t i = 0; i < hs.size(); ++i) hs[i] = q->curvatures()[i];
    EXPECT_NEAR(pl.var_h, variance(hs), 1e-12 * variance(hs));
    for (double dw : {-3.0, -0.5, 0.0, 0.25, 1.0, 10.0}) {
      const V w = {pl.w_star + dw};
      V gi(1), gs(q->n_samples());
      for (std::size_t i = 0; i < gs.size(); ++i) {
        q->sample_gradient(i, w, gi);
        gs[i] = gi[0];
      }
      const double exact = variance(gs);
      EXPECT_NEAR(pl.var_g + 2 * pl.cross * dw + pl.var_h * dw * dw, exact, 1e-11 * exact) << "w − w* = " << dw;
    }
  }
}

TEST(PerSampleQuadratic, PowerLawCoefficientsAreGivenPerCoordinate) {
  Stream s = stream(4);
  const auto q = PerSampleQuadratic::generate(25, 2, {"uniform", {0.5, 2.0}}, {"normal", {0.0, 1.0}}, s);
  const auto pl = q.power_law_coefficients(1);
  V h1(25);
  for (std::size_t i = 0; i < 25; ++i) h1[i] = q.curvatures()[i * 2 + 1];
  EXPECT_NEAR(pl.var_h, variance(h1), 1e-12);
  EXPECT_DOUBLE_EQ(pl.w_star, q.minimum()[1]);
  EXPECT_THROW((void)q.power_law_coefficients(2), std::invalid_argument);
}

// Each distribution's sample mean and variance, n = 20000 draws from a fixed stream, within 4
// standard errors: SE(mean) = σ/√n, SE(variance) = sqrt((m4 − s⁴)/n) with m4 the sample fourth
// central moment.
TEST(PerSampleQuadraticDistributions, SampleMomentsMatchWithinFourStandardErrors) {
  struct Case {
    Distribution dist;
    double mean, var;
  };
  const double mu = 0.2, sg = 0.5;
  const std::vector<Case> cases = {
      {{"normal", {1.5, 2.0}}, 1.5, 4.0},
      {{"uniform", {-1.0, 3.0}}, 1.0, 16.0 / 12.0},
      {{"lognormal", {mu, sg}}, std::exp(mu + sg * sg / 2), (std::exp(sg * sg) - 1) * std::exp(2 * mu + sg * sg)},
      {{"gamma", {3.0, 0.5}}, 1.5, 0.75},
      {{"gamma", {1.0, 2.0}}, 2.0, 4.0},
      {{"gamma", {0.4, 2.0}}, 0.8, 1.6},
  };
  const std::size_t n = 20000;
  std::uint64_t trial = 100;
  for (const Case& c : cases) {
    Stream s = stream(trial++);
    const V x = escapade::landscape::draw(c.dist, s, n);
    double m = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(n);
    double m2 = 0, m4 = 0;
    for (double v : x) {
      const double e = (v - m) * (v - m);
      m2 += e;
      m4 += e * e;
    }
    m2 /= static_cast<double>(n);
    m4 /= static_cast<double>(n);
    const double se_mean = std::sqrt(c.var / static_cast<double>(n));
    const double se_var = std::sqrt((m4 - m2 * m2) / static_cast<double>(n));
    const std::string name = escapade::landscape::describe(c.dist);
    EXPECT_NEAR(m, c.mean, 4 * se_mean) << name;
    EXPECT_NEAR(m2, c.var, 4 * se_var) << name;
    if (c.dist.kind == "gamma" || c.dist.kind == "lognormal") {
      EXPECT_GT(*std::min_element(x.begin(), x.end()), 0.0) << name;
    }
  }
  Stream s = stream();
  const V k = escapade::landscape::draw({"constant", {2.5}}, s, 10);
  EXPECT_TRUE(std::all_of(k.begin(), k.end(), [](double v) { return v == 2.5; }));
}

TEST(PerSampleQuadraticDistributions, DrawsConsumeTheStreamInTheDocumentedOrder) {
  Stream a = stream(5), b = stream(5);
  const V x = escapade::landscape::draw({"normal", {1.0, 3.0}}, a, 4);
  for (double v : x) EXPECT_EQ(v, 1.0 + 3.0 * b.normal());
  const V u = escapade::landscape::draw({"uniform", {-2.0, 2.0}}, a, 3);
  for (double v : u) EXPECT_EQ(v, -2.0 + 4.0 * b.uniform());
  const V l = escapade::landscape::draw({"lognormal", {0.1, 0.2}}, a, 3);
  for (double v : l) EXPECT_EQ(v, std::exp(0.1 + 0.2 * b.normal()));
  const V g = escapade::landscape::draw({"gamma", {0.7, 3.0}}, a, 3);
  for (double v : g) EXPECT_EQ(v, 3.0 * escapade::landscape::gamma_variate(0.7, b));
  (void)escapade::landscape::draw({"constant", {1.0}}, a, 5);  // draws nothing
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(PerSampleQuadraticDistributions, GenerateDrawsAllCurvaturesThenAllCentresRowMajor) {
  Stream a = stream(6), b = stream(6);
  const Distribution hd{"gamma", {2.0, 1.0}}, cd{"normal", {0.0, 1.0}};
  const auto q = PerSampleQuadratic::generate(4, 3, hd, cd, a);
  const V h = escapade::landscape::draw(hd, b, 12);
  const V c = escapade::landscape::draw(cd, b, 12);
  EXPECT_EQ(q.curvatures(), h);
  EXPECT_EQ(q.centres(), c);
  EXPECT_EQ(q.n_samples(), 4u);
  EXPECT_EQ(q.dim(), 3u);
}

TEST(PerSampleQuadraticDistributions, RejectsNonPositiveCurvaturesNamingTheDistribution) {
  Stream s = stream(7);
  try {
    (void)PerSampleQuadratic::generate(50, 1, {"normal", {0.0, 1.0}}, {"constant", {0.0}}, s);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("normal [0, 1]"), std::string::npos) << e.what();
  }
}

TEST(PerSampleQuadraticDistributions, RejectsUnknownKindsAndBadParameters) {
  Stream s = stream();
  EXPECT_THROW((void)escapade::landscape::draw({"cauchy", {0.0, 1.0}}, s, 1), std::invalid_argument);
  EXPECT_THROW((void)escapade::landscape::draw({"normal", {0.0}}, s, 1), std::invalid_argument);
  EXPECT_THROW((void)escapade::landscape::draw({"normal", {0.0, -1.0}}, s, 1), std::invalid_argument);
  EXPECT_THROW((void)escapade::landscape::draw({"uniform", {1.0, 1.0}}, s, 1), std::invalid_argument);
  EXPECT_THROW((void)escapade::landscape::draw({"gamma", {0.0, 1.0}}, s, 1), std::invalid_argument);
  EXPECT_THROW((void)escapade::landscape::draw({"gamma", {1.0, 0.0}}, s, 1), std::invalid_argument);
  try {
    escapade::landscape::check_distribution({"cauchy", {}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("allowed: constant, normal, uniform, lognormal, gamma"), std::string::npos);
  }
}

TEST(PerSampleQuadratic, RejectsInconsistentInput) {
  EXPECT_THROW(PerSampleQuadratic({1.0, 2.0}, {0.0}, 1), std::invalid_argument);
  EXPECT_THROW(PerSampleQuadratic({1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}, 2), std::invalid_argument);
  EXPECT_THROW(PerSampleQuadratic({1.0, 0.0}, {0.0, 0.0}, 1), std::invalid_argument);
  EXPECT_THROW(PerSampleQuadratic({}, {}, 1), std::invalid_argument);
  EXPECT_THROW(PerSampleQuadratic({1.0}, {0.0}, 0), std::invalid_argument);
}
