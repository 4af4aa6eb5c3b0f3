#include "escapade/landscape/zhu2d.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "escapade/core/linalg.hpp"
#include "escapade/rng/stream.hpp"

namespace {

using escapade::landscape::Zhu2d;
using escapade::rng::Purpose;
using escapade::rng::Stream;
using V = Zhu2d::Vector;

constexpr std::size_t n_paper = 100;
const double k1 = std::cos(std::numbers::pi / 4), k2 = std::sin(std::numbers::pi / 4);
// a = (1, −1)/√2 (the flat direction of the sharp minimum), b = (1, 1)/√2 (the sharp one).
const V dir_a = {k1, -k2}, dir_b = {k2, k1};

Stream data_stream() { return Stream(20240601, 7, 3, Purpose::landscape_data); }

Zhu2d paper_landscape(double scale = 1.0) {
  Stream s = data_stream();
  return Zhu2d(Zhu2d::draw_data(s, n_paper), scale);
}

double quad(const std::vector<double>& m, const V& x, const V& y) {
  return x[0] * (m[0] * y[0] + m[1] * y[1]) + x[1] * (m[2] * y[0] + m[3] * y[1]);
}

// Population (1/N) covariance of 2-vectors.
std::vector<double> covariance(const std::vector<V>& xs) {
  const double n = static_cast<double>(xs.size());
  V m{};
  for (const V& x : xs) m = {m[0] + x[0] / n, m[1] + x[1] / n};
  std::vector<double> c(4, 0.0);
  for (const V& x : xs)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) c[i * 2 + j] += (x[i] - m[i]) * (x[j] - m[j]) / n;
  return c;
}

// Points away from every sample's branch switch (checked: they are deep in one basin or the
// other, or in the middle of the flat region).
const std::vector<V> probe_points = {{1.02, 0.99}, {0.9, 1.2}, {1.3, 0.6}, {-1.0, -1.0},
                                     {-0.4, 0.3},  {0.2, -0.7}, {-1.5, -0.8}};

}  // namespace

TEST(Zhu2d, DrawDataIsTheReferenceCodesExpressionInStreamOrder) {
  Stream s = data_stream();
  const auto xs = Zhu2d::draw_data(s, 5);
  Stream r = data_stream();
  for (const auto& x : xs) {
    const double z1 = r.normal(), z2 = r.normal();
    // (randn(N,2) * [sqrt(10), 1]) @ K * 1e-2 for one row (z1, z2).
    const double row[2] = {std::sqrt(10.0) * z1, z2};
    const double ref0 = (row[0] * k1 + row[1] * k2) * 1e-2;   // column 0 of K = (K1, K2)
    const double ref1 = (row[0] * -k2 + row[1] * k1) * 1e-2;  // column 1 of K = (−K2, K1)
    EXPECT_NEAR(x[0], ref0, 1e-17);
    EXPECT_NEAR(x[1], ref1, 1e-17);
  }
}

TEST(Zhu2d, DrawDataIsReproducibleForTheSameStream) {
  Stream s1 = data_stream(), s2 = data_stream();
  EXPECT_EQ(Zhu2d::draw_data(s1, n_paper), Zhu2d::draw_data(s2, n_paper));
  Stream other(20240601, 7, 4, Purpose::landscape_data);
  Stream s3 = data_stream();
  EXPECT_NE(Zhu2d::draw_data(s3, n_paper), Zhu2d::draw_data(other, n_paper));
}

TEST(Zhu2d, MinimumIsOneOnePlusTheDataMeanWithZeroGradient) {
  const Zhu2d z = paper_landscape();
  V m{};
  for (const auto& x : z.data()) m = {m[0] + x[0], m[1] + x[1]};
  const double n = static_cast<double>(z.n_samples());
  EXPECT_NEAR(z.minimum()[0], 1.0 + m[0] / n, 1e-15);
  EXPECT_NEAR(z.minimum()[1], 1.0 + m[1] / n, 1e-15);
  V g{};
  z.gradient(z.minimum(), g);
  EXPECT_NEAR(g[0], 0.0, 1e-12);
  EXPECT_NEAR(g[1], 0.0, 1e-12);
  // A local minimum: L grows in every direction.
  const double l0 = z.value(z.minimum());
  for (int k = 0; k < 8; ++k) {
    const double phi = k * std::numbers::pi / 4;
    const V p = {z.minimum()[0] + 1e-3 * std::cos(phi), z.minimum()[1] + 1e-3 * std::sin(phi)};
    EXPECT_GT(z.value(p), l0);
  }
  // L(θ*) = mean of sharp_i(θ*) = (1/N) Σ (10 (a·(x̄ − x_i))² + 100 (b·(x̄ − x_i))²), about 10·1e-3 + 100·1e-4.
  EXPECT_GT(l0, 0.01);
  EXPECT_LT(l0, 0.04);
}

TEST(Zhu2d, HessianAtTheMinimumHasEigenvalues20And200AlongTheRotatedAxes) {
  const Zhu2d z = paper_landscape();
  const auto h = escapade::landscape::hessian(z, z.minimum());
  std::vector<double> w, v;
  escapade::linalg::symmetric_eigen(h, 2, w, v);
  EXPECT_NEAR(w[0], 20.0, 0.2);
  EXPECT_NEAR(w[1], 200.0, 2.0);
  EXPECT_NEAR(std::abs(v[0] * dir_a[0] + v[2] * dir_a[1]), 1.0, 1e-12);  // column 0 ∥ a
  EXPECT_NEAR(std::abs(v[1] * dir_b[0] + v[3] * dir_b[1]), 1.0, 1e-12);  // column 1 ∥ b
  EXPECT_NEAR(z.sharpness(), 200.0, 2.0);
  EXPECT_DOUBLE_EQ(z.sharpness(), w[1]);
}

TEST(Zhu2d, ScaleMultipliesTheSharpBranchOnly) {
  Stream s = data_stream();
  const auto data = Zhu2d::draw_data(s, n_paper);
  const Zhu2d z1(data, 1.0), z3(data, 3.0);
  EXPECT_NEAR(z3.sharpness() / z1.sharpness(), 3.0, 1e-12);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(z3.sample_value(i, {-1.0, -1.0}), z1.sample_value(i, {-1.0, -1.0}), 1e-15);
    EXPECT_NEAR(z3.sample_value(i, z3.minimum()), 3.0 * z1.sample_value(i, z1.minimum()), 1e-15);
  }
  const auto h = escapade::landscape::hessian(z3, {-1.0, -1.0});
  EXPECT_DOUBLE_EQ(h[0], 2.0);
  EXPECT_DOUBLE_EQ(h[1], 0.0);
  EXPECT_DOUBLE_EQ(h[3], 2.0);
}

TEST(Zhu2d, GradientsMatchCentralFiniteDifferences) {
  const Zhu2d z = paper_landscape();
  const double step = 1e-6;
  for (const V& p : probe_points) {
    V g{};
    z.gradient(p, g);
    for (int j = 0; j < 2; ++j) {
      V pp = p, pm = p;
      pp[j] += step;
      pm[j] -= step;
      const double fd = (z.value(pp) - z.value(pm)) / (2 * step);
      EXPECT_NEAR(g[j], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "at (" << p[0] << ", " << p[1] << ")";
    }
    for (std::size_t i : {std::size_t{0}, std::size_t{17}, std::size_t{99}}) {
      z.sample_gradient(i, p, g);
      for (int j = 0; j < 2; ++j) {
        V pp = p, pm = p;
        pp[j] += step;
        pm[j] -= step;
        const double fd = (z.sample_value(i, pp) - z.sample_value(i, pm)) / (2 * step);
        EXPECT_NEAR(g[j], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "sample " << i;
      }
    }
  }
}

TEST(Zhu2d, HessianMatchesFiniteDifferencesOfTheGradient) {
  const Zhu2d z = paper_landscape();
  const double step = 1e-6;
  std::vector<double> h(4);
  for (const V& p : probe_points) {
    z.hessian(p, h);
    for (int j = 0; j < 2; ++j) {
      V pp = p, pm = p, gp{}, gm{};
      pp[j] += step;
      pm[j] -= step;
      z.gradient(pp, gp);
      z.gradient(pm, gm);
      for (int i = 0; i < 2; ++i)
        EXPECT_NEAR(h[i * 2 + j], (gp[i] - gm[i]) / (2 * step), 1e-4) << "at (" << p[0] << ", " << p[1] << ")";
    }
  }
}

TEST(Zhu2d, MeansEqualTheMeansOfPerSampleQuantities) {
  const Zhu2d z = paper_landscape();
  const double n = static_cast<double>(z.n_samples());
  std::vector<double> hi(4), h(4);
  // Plus a point on the ridge, 0.257 from (1, 1) towards (−1, −1), where the samples are split
  // between the branches (so the Hessian mixes both branch Hessians).
  std::vector<V> points = probe_points;
  points.push_back({1.0 - 0.257 * dir_b[0], 1.0 - 0.257 * dir_b[1]});
  std::size_t flat = 0;
  for (std::size_t i = 0; i < z.n_samples(); ++i) flat += z.sample_on_flat_branch(i, points.back()) ? 1 : 0;
  EXPECT_GT(flat, 10u);
  EXPECT_LT(flat, 90u);
  for (const V& p : points) {
    double v = 0;
    V g{}, gi{}, gs{};
    std::vector<double> hs(4, 0.0);
    for (std::size_t i = 0; i < z.n_samples(); ++i) {
      v += z.sample_value(i, p) / n;
      z.sample_gradient(i, p, gi);
      gs = {gs[0] + gi[0] / n, gs[1] + gi[1] / n};
      z.sample_hessian(i, p, hi);
      for (int k = 0; k < 4; ++k) hs[k] += hi[k] / n;
    }
    z.gradient(p, g);
    z.hessian(p, h);
    EXPECT_NEAR(z.value(p), v, 1e-13 * std::max(1.0, v));
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(g[j], gs[j], 1e-12 * std::max(1.0, std::abs(gs[j])));
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(h[k], hs[k], 1e-12);
  }
}

// Per-sample gradient at θ*: H_s (θ* − (1,1) − x_i) = H_s (x̄ − x_i), so Σ_1 = H_s Ĉ H_s exactly, with
// Ĉ the (1/N) covariance of the drawn data. In the (a, b) frame, with σ_a² = 1e-3, σ_b² = 1e-4:
//   Σ_1,aa = 400 Ĉ_aa ≈ 0.4,  Σ_1,bb = 40000 Ĉ_bb ≈ 4,  Σ_1,ab = 4000 Ĉ_ab ≈ 0;
//   SE(Ĉ_aa)/σ_a² = SE(Ĉ_bb)/σ_b² = sqrt(2/N) = 0.141,  SE(Ĉ_ab) = σ_a σ_b / sqrt(N) = 3.16e-5,
//   so SE(Σ_1,ab) = 0.126 and the top eigenvector of Σ_1 is turned from b by about
//   Σ_1,ab / (Σ_1,bb − Σ_1,aa), SE 0.126 / 3.6 = 0.035 rad (4 SE: 0.14 rad, |cos| > 0.990);
//   log of the eigenvalue ratio: SE sqrt(2/N + 2/N) = 0.2 (4 SE: ratio within 10·e^{±0.8}).
TEST(Zhu2d, GradientCovarianceAtTheMinimumIsProportionalToTheHessian) {
  const Zhu2d z = paper_landscape();
  std::vector<V> grads(z.n_samples());
  for (std::size_t i = 0; i < z.n_samples(); ++i) z.sample_gradient(i, z.minimum(), grads[i]);
  const auto sigma1 = covariance(grads);
  const auto chat = covariance(z.data());
  std::vector<double> hs(4);
  z.sample_hessian(0, z.minimum(), hs);
  // Exact identity Σ_1 = H_s Ĉ H_s.
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      double s = 0;
      for (int k = 0; k < 2; ++k)
        for (int l = 0; l < 2; ++l) s += hs[i * 2 + k] * chat[k * 2 + l] * hs[l * 2 + j];
      EXPECT_NEAR(sigma1[i * 2 + j], s, 1e-12 * 4);
    }
  // The data covariance is the documented one, within 4 standard errors.
  const double se_rel = 4 * std::sqrt(2.0 / static_cast<double>(n_paper));
  EXPECT_NEAR(quad(chat, dir_a, dir_a) / 1e-3, 1.0, se_rel);
  EXPECT_NEAR(quad(chat, dir_b, dir_b) / 1e-4, 1.0, se_rel);
  EXPECT_NEAR(quad(chat, dir_a, dir_b), 0.0, 4 * 3.16e-5);
  // Σ_1 in H's eigenframe: 400 Ĉ_aa and 40000 Ĉ_bb.
  EXPECT_NEAR(quad(sigma1, dir_a, dir_a), 400 * quad(chat, dir_a, dir_a), 1e-12);
  EXPECT_NEAR(quad(sigma1, dir_b, dir_b), 40000 * quad(chat, dir_b, dir_b), 1e-11);
  // Eigenvectors aligned with H's, eigenvalues ≈ 0.4 and 4, ratio ≈ 10.
  std::vector<double> w, v;
  escapade::linalg::symmetric_eigen(sigma1, 2, w, v);
  EXPECT_GT(std::abs(v[1] * dir_b[0] + v[3] * dir_b[1]), std::cos(4 * 0.035));
  EXPECT_GT(std::abs(v[0] * dir_a[0] + v[2] * dir_a[1]), std::cos(4 * 0.035));
  EXPECT_NEAR(w[0] / 0.4, 1.0, se_rel + 0.18);  // + the shift Σ_1,ab²/3.6 (≤ 0.5²/3.6/0.4 = 0.17)
  EXPECT_NEAR(w[1] / 4.0, 1.0, se_rel + 0.02);  // the same shift, / 4
  EXPECT_NEAR(std::log(w[1] / w[0]), std::log(10.0), 4 * 0.2);
  // Proportional to H: Σ_1 ≈ c H with c = Tr Σ_1 / Tr H ≈ 4.4 / 220 = 0.02.
  const double c = (sigma1[0] + sigma1[3]) / (hs[0] + hs[3]);
  EXPECT_NEAR(c, 0.02, 0.02 * se_rel);
}

TEST(Zhu2d, BarrierIsCrossedOnlyWhenMostSamplesAreOnTheFlatBranch) {
  const Zhu2d z = paper_landscape();
  EXPECT_FALSE(z.crossed_barrier(z.minimum()));
  EXPECT_TRUE(z.crossed_barrier({-1.0, -1.0}));
  EXPECT_TRUE(z.crossed_barrier({0.0, 0.0}));
  // With one data point at the origin the branches meet 2√2/11 from (1, 1) towards (−1, −1),
  // where L = 100 s² ≈ 6.61 (seeds-spec §2.3(a)).
  const Zhu2d one({{0.0, 0.0}});
  const double s_star = 2 * std::numbers::sqrt2 / 11;
  auto along = [&](double s) { return V{1.0 - s * dir_b[0], 1.0 - s * dir_b[1]}; };
  EXPECT_FALSE(one.crossed_barrier(along(s_star - 1e-9)));
  EXPECT_TRUE(one.crossed_barrier(along(s_star + 1e-9)));
  EXPECT_NEAR(one.value(along(s_star)), 100 * s_star * s_star, 1e-9);
  EXPECT_NEAR(one.value(along(s_star)), 6.61, 0.01);
}

TEST(Zhu2d, RejectsDataWithoutASharpMinimumAndBadScale) {
  EXPECT_THROW(Zhu2d({{0.0, 0.0}, {-2.0, -2.0}}), std::invalid_argument);
  EXPECT_THROW(Zhu2d(std::vector<Zhu2d::Point>{}), std::invalid_argument);
  EXPECT_THROW(Zhu2d({{0.0, 0.0}}, 0.0), std::invalid_argument);
  EXPECT_THROW(Zhu2d({{0.0, 0.0}}, -1.0), std::invalid_argument);
}
