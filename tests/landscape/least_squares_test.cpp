#include "escapade/landscape/least_squares.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "escapade/core/linalg.hpp"
#include "escapade/rng/stream.hpp"

namespace {

using escapade::landscape::LeastSquares;
using escapade::rng::Purpose;
using escapade::rng::Stream;
using V = std::vector<double>;

Stream stream(std::uint64_t trial) { return Stream(31415, 5, trial, Purpose::landscape_data); }

LeastSquares tall() {  // N > d
  Stream s = stream(0);
  return LeastSquares::generate(60, 6, 0.3, s);
}
LeastSquares wide() {  // N < d, over-parameterised
  Stream s = stream(1);
  return LeastSquares::generate(7, 20, 0.3, s);
}

double dot(const double* a, const double* b, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}
double norm(const V& a) { return std::sqrt(dot(a.data(), a.data(), a.size())); }

}  // namespace

TEST(LeastSquares, MinimumSolvesTheNormalEquationsWhenTall) {
  const auto l = tall();
  const std::size_t n = l.n_samples(), d = l.dim();
  const V th = l.minimum();
  // Xᵀ (X θ* − y) = 0, relative to ‖Xᵀ y‖.
  V xtr(d, 0.0), xty(d, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double* xi = &l.inputs()[i * d];
    const double r = dot(xi, th.data(), d) - l.labels()[i];
    for (std::size_t j = 0; j < d; ++j) {
      xtr[j] += r * xi[j];
      xty[j] += l.labels()[i] * xi[j];
    }
  }
  EXPECT_LT(norm(xtr), 1e-12 * norm(xty));
  V g(d);
  l.gradient(th, g);
  EXPECT_LT(norm(g), 1e-13 * norm(xty));
  // With label noise 0.3 and N − d = 54 residual degrees of freedom, L(θ*) ≈ ½ 0.09 · 54/60.
  EXPECT_GT(l.value(th), 0.01);
  EXPECT_LT(l.value(th), 0.1);
}

TEST(LeastSquares, MinimumInterpolatesAndLiesInTheRowSpaceWhenWide) {
  const auto l = wide();
  const std::size_t n = l.n_samples(), d = l.dim();
  const V th = l.minimum();
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_NEAR(dot(&l.inputs()[i * d], th.data(), d), l.labels()[i], 1e-12);
  EXPECT_NEAR(l.value(th), 0.0, 1e-24);
  // Row space: θ* equals its projection Xᵀ (XXᵀ)⁻¹ X θ*.
  V xxt(n * n), xth(n);
  for (std::size_t i = 0; i < n; ++i) {
    xth[i] = dot(&l.inputs()[i * d], th.data(), d);
    for (std::size_t k = 0; k < n; ++k) xxt[i * n + k] = dot(&l.inputs()[i * d], &l.inputs()[k * d], d);
  }
  const V a = escapade::linalg::solve_spd(xxt, n, xth);
  V proj(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) proj[j] += l.inputs()[i * d + j] * a[i];
  for (std::size_t j = 0; j < d; ++j) EXPECT_NEAR(proj[j], th[j], 1e-12);
  // Minimum norm: adding a null-space direction lengthens θ* and keeps the loss at 0.
  V e(d, 0.0);
  e[0] = 1.0;
  V xe(n);
  for (std::size_t i = 0; i < n; ++i) xe[i] = l.inputs()[i * d];
  const V b = escapade::linalg::solve_spd(xxt, n, xe);
  V null_dir = e;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) null_dir[j] -= l.inputs()[i * d + j] * b[i];
  V moved = th;
  for (std::size_t j = 0; j < d; ++j) moved[j] += 0.5 * null_dir[j];
  EXPECT_GT(norm(moved), norm(th));
  EXPECT_NEAR(l.value(moved), 0.0, 1e-20);
}

TEST(LeastSquares, SharpnessIsTheLargestEigenvalueOfTheGramMatrixOverN) {
  for (const auto& l : {tall(), wide()}) {
    const std::size_t d = l.dim();
    const auto h = escapade::landscape::hessian(l, l.minimum());
    // Power iteration on H, independent of the Jacobi solver the model uses.
    V v(d, 1.0), w(d);
    double lambda = 0;
    for (int it = 0; it < 5000; ++it) {
      escapade::linalg::matvec(h, d, v.data(), w.data());
      lambda = norm(w);
      for (std::size_t j = 0; j < d; ++j) v[j] = w[j] / lambda;
    }
    EXPECT_NEAR(l.sharpness(), lambda, 1e-9 * lambda);
    // H = XᵀX / N entrywise, and Tr H = mean ‖x_i‖².
    const std::size_t n = l.n_samples();
    double tr = 0;
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += l.inputs()[i * d + j] * l.inputs()[i * d + k];
        EXPECT_NEAR(h[j * d + k], s / static_cast<double>(n), 1e-13);
        if (j == k) tr += s / static_cast<double>(n);
      }
    EXPECT_NEAR(l.hessian_trace(), tr, 1e-12 * tr);
  }
}

TEST(LeastSquares, GradientsAndHessianMatchCentralFiniteDifferences) {
  for (const auto& l : {tall(), wide()}) {
    const std::size_t d = l.dim();
    V p = l.minimum();
    for (std::size_t j = 0; j < d; ++j) p[j] += 0.1 * std::cos(static_cast<double>(j));
    const double step = 1e-6;
    V g(d), gi(d), gp(d), gm(d);
    std::vector<double> h(d * d);
    l.gradient(p, g);
    l.hessian(p, h);
    for (std::size_t j = 0; j < d; ++j) {
      V pp = p, pm = p;
      pp[j] += step;
      pm[j] -= step;
      EXPECT_NEAR(g[j], (l.value(pp) - l.value(pm)) / (2 * step), 1e-7);
      for (std::size_t i : {std::size_t{0}, l.n_samples() - 1}) {
        l.sample_gradient(i, p, gi);
        EXPECT_NEAR(gi[j], (l.sample_value(i, pp) - l.sample_value(i, pm)) / (2 * step), 1e-7);
      }
      l.gradient(pp, gp);
      l.gradient(pm, gm);
      for (std::size_t k = 0; k < d; ++k) EXPECT_NEAR(h[k * d + j], (gp[k] - gm[k]) / (2 * step), 1e-7);
    }
  }
}

TEST(LeastSquares, ValueAndGradientEqualTheMeansOfPerSampleOnes) {
  for (const auto& l : {tall(), wide()}) {
    const std::size_t d = l.dim(), n = l.n_samples();
    for (double shift : {0.0, 0.05, 2.0}) {
      V p = l.minimum();
      for (std::size_t j = 0; j < d; ++j) p[j] += shift * std::sin(1.0 + static_cast<double>(j));
      double v = 0;
      V g(d), gi(d), gs(d, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        v += l.sample_value(i, p) / static_cast<double>(n);
        l.sample_gradient(i, p, gi);
        for (std::size_t j = 0; j < d; ++j) gs[j] += gi[j] / static_cast<double>(n);
      }
      l.gradient(p, g);
      EXPECT_NEAR(l.value(p), v, 1e-13 * std::max(1.0, v)) << "shift " << shift;
      for (std::size_t j = 0; j < d; ++j) EXPECT_NEAR(g[j], gs[j], 1e-13) << "shift " << shift;
    }
  }
}

TEST(LeastSquares, GenerateDrawsTeacherThenInputsThenLabelNoise) {
  Stream a = stream(9), b = stream(9);
  const std::size_t n = 5, d = 3;
  const auto l = LeastSquares::generate(n, d, 0.7, a);
  V teacher(d);
  for (double& t : teacher) t = b.normal() / std::sqrt(3.0);
  V x(n * d);
  for (double& v : x) v = b.normal();
  EXPECT_EQ(l.inputs(), x);
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_DOUBLE_EQ(l.labels()[i], dot(&x[i * d], teacher.data(), d) + 0.7 * b.normal());
  // Without label noise a tall problem recovers the teacher exactly.
  Stream c = stream(10), e = stream(10);
  const auto exact = LeastSquares::generate(40, 4, 0.0, c);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_NEAR(exact.minimum()[j], e.normal() / 2.0, 1e-12);
  EXPECT_NEAR(exact.value(exact.minimum()), 0.0, 1e-24);
}

TEST(LeastSquares, RejectsRankDeficientOrInconsistentInput) {
  // Two equal columns: XᵀX is singular.
  EXPECT_THROW(LeastSquares({1, 1, 2, 2, 3, 3}, {1, 2, 3}), std::invalid_argument);
  // Two equal rows with N < d: XXᵀ is singular.
  EXPECT_THROW(LeastSquares({1, 2, 3, 1, 2, 3}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(LeastSquares({1, 2, 3}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(LeastSquares({}, {}), std::invalid_argument);
  Stream s = stream(0);
  EXPECT_THROW((void)LeastSquares::generate(0, 3, 0.1, s), std::invalid_argument);
  EXPECT_THROW((void)LeastSquares::generate(3, 3, -0.1, s), std::invalid_argument);
}
