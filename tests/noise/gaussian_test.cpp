// Gaussian noise models: covariance() is the documented Σ(θ), draws have that covariance
// (2·10⁵ draws, entry-wise within 4 standard errors), draw counts and determinism are pinned.
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "escapade/core/linalg.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/covariance.hpp"
#include "escapade/noise/diagonal.hpp"
#include "escapade/noise/gradient_covariance.hpp"
#include "escapade/noise/hessian.hpp"
#include "escapade/noise/hessian_top.hpp"
#include "escapade/noise/power_law.hpp"

using namespace escapade;
using noise::At;

namespace {

constexpr std::size_t kDraws = 200000;

// L(x, y) = x²/2 − x⁴/12 + xy/2 + 2y²: minimum at 0 with H(0) = [[1, ½], [½, 4]], and
// H(θ) = [[1 − x², ½], [½, 4]], indefinite for |x| > 1.0308 — a Hessian that changes with θ.
struct Bent2d {
  using Vector = std::vector<double>;
  static std::size_t dim() { return 2; }
  Vector minimum() const { return {0.0, 0.0}; }
  double value(const Vector& t) const {
    const double x = t[0], y = t[1];
    return x * x / 2 - x * x * x * x / 12 + x * y / 2 + 2 * y * y;
  }
  void gradient(const Vector& t, Vector& g) const {
    g[0] = t[0] - t[0] * t[0] * t[0] / 3 + t[1] / 2;
    g[1] = t[0] / 2 + 4 * t[1];
  }
  void hessian(const Vector& t, std::vector<double>& h) const {
    h[0] = 1 - t[0] * t[0];
    h[1] = h[2] = 0.5;
    h[3] = 4;
  }
  double sharpness() const { return (5 + std::sqrt(10.0)) / 2; }
};
static_assert(landscape::Landscape<Bent2d>);

// A finite sum of per-sample quadratics ℓ_i = ½ h_i ‖θ − c_i‖² in 2-D (N = 5, hand-set h_i, c_i):
// ∇ℓ_i = h_i (θ − c_i), θ* = Σ h_i c_i / Σ h_i, H = mean(h) I. Its Σ₁(θ) = Cov_i[h_i(θ − c_i)] is
// a full matrix that changes with θ.
struct FiveQuadratics {
  using Vector = std::array<double, 2>;
  std::array<double, 5> h{0.5, 1.0, 2.0, 3.0, 1.5};
  std::array<Vector, 5> c{{{1.0, 0.0}, {-0.5, 0.8}, {0.2, -1.0}, {-0.3, -0.4}, {0.6, 0.9}}};

  static std::size_t dim() { return 2; }
  std::size_t n_samples() const { return h.size(); }
  double mean_h() const { return (h[0] + h[1] + h[2] + h[3] + h[4]) / 5; }
  Vector minimum() const {
    Vector m{0, 0};
    double s = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      m[0] += h[i] * c[i][0];
      m[1] += h[i] * c[i][1];
      s += h[i];
    }
    return {m[0] / s, m[1] / s};
  }
  double sample_value(std::size_t i, const Vector& x) const {
    const double a = x[0] - c[i][0], b = x[1] - c[i][1];
    return 0.5 * h[i] * (a * a + b * b);
  }
  void sample_gradient(std::size_t i, const Vector& x, Vector& g) const {
    g[0] = h[i] * (x[0] - c[i][0]);
    g[1] = h[i] * (x[1] - c[i][1]);
  }
  double value(const Vector& x) const {
    double s = 0;
    for (std::size_t i = 0; i < 5; ++i) s += sample_value(i, x);
    return s / 5;
  }
  void gradient(const Vector& x, Vector& g) const {
    Vector gi{};
    g = {0, 0};
    for (std::size_t i = 0; i < 5; ++i) {
      sample_gradient(i, x, gi);
      g[0] += gi[0] / 5;
      g[1] += gi[1] / 5;
    }
  }
  void hessian(const Vector&, std::vector<double>& hm) const {
    hm[0] = hm[3] = mean_h();
    hm[1] = hm[2] = 0;
  }
  double sharpness() const { return mean_h(); }
};
static_assert(landscape::FiniteSum<FiveQuadratics>);

// Every sample has the same gradient: Σ₁ ≡ 0.
struct OneQuadratic : FiveQuadratics {
  std::size_t n_samples() const { return 1; }
};

static_assert(noise::NoiseFor<noise::GradientCovarianceNoise, FiveQuadratics>);
static_assert(noise::NoiseFor<noise::HessianNoise, Bent2d>);
static_assert(noise::NoiseFor<noise::HessianTopNoise, Bent2d>);
static_assert(noise::NoiseFor<noise::PowerLawNoise, FiveQuadratics>);

// Q = R_z(0.5) R_x(0.7), orthogonal 3×3, row-major.
std::vector<double> rotation_3d() {
  const double cz = std::cos(0.5), sz = std::sin(0.5), cx = std::cos(0.7), sx = std::sin(0.7);
  const double rz[9] = {cz, -sz, 0, sz, cz, 0, 0, 0, 1};
  const double rx[9] = {1, 0, 0, 0, cx, -sx, 0, sx, cx};
  std::vector<double> q(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) q[i * 3 + j] += rz[i * 3 + k] * rx[k * 3 + j];
  return q;
}

// H = Q diag(0.5, 2, 10) Qᵀ, θ* = (0.3, −0.2, 0.1).
landscape::Quadratic rotated_quadratic() {
  return landscape::Quadratic({0.5, 2.0, 10.0}, rotation_3d(), {0.3, -0.2, 0.1});
}

rng::Stream stream(std::uint64_t key, std::uint64_t trial = 0) {
  return rng::Stream(20240611, key, trial, rng::Purpose::dynamics_noise);
}

struct Moments {
  std::vector<double> mean, second;  // (1/n) Σ ξ, (1/n) Σ ξ ξᵀ (row-major)
};

// Moments of n draws of ξ at θ (E ξ = 0, so the second moment estimates Σ).
template <class N, class L>
Moments draw_moments(const N& noise, const L& land, const typename L::Vector& theta,
                     std::uint64_t key, std::size_t n = kDraws) {
  const std::size_t d = land.dim();
  auto s = stream(key);
  auto ws = noise.workspace(land);
  typename L::Vector xi = theta;
  Moments m{std::vector<double>(d, 0.0), std::vector<double>(d * d, 0.0)};
  for (std::size_t t = 0; t < n; ++t) {
    noise.sample(land, theta, s, xi, ws);
    for (std::size_t i = 0; i < d; ++i) {
      m.mean[i] += xi[i];
      for (std::size_t j = 0; j < d; ++j) m.second[i * d + j] += xi[i] * xi[j];
    }
  }
  for (auto& v : m.mean) v /= static_cast<double>(n);
  for (auto& v : m.second) v /= static_cast<double>(n);
  return m;
}

// Sample mean within 4 SE (sqrt(Σ_ii/n)) of 0 and each second moment within 4 SE of Σ_ij, with
// Var(s_ij) = (Σ_ii Σ_jj + Σ_ij²)/n for Gaussian ξ with known mean 0.
void expect_matches(const Moments& m, const std::vector<double>& sigma, std::size_t d,
                    std::size_t n = kDraws) {
  const double nn = static_cast<double>(n);
  double scale = 0;
  for (double v : sigma) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < d; ++i) {
    EXPECT_LE(std::abs(m.mean[i]), 4 * std::sqrt(sigma[i * d + i] / nn) + 1e-14 * scale) << "mean " << i;
    for (std::size_t j = 0; j < d; ++j) {
      const double sij = sigma[i * d + j];
      const double se = std::sqrt((sigma[i * d + i] * sigma[j * d + j] + sij * sij) / nn);
      EXPECT_LE(std::abs(m.second[i * d + j] - sij), 4 * se + 1e-14 * scale)
          << "entry (" << i << ", " << j << "): sample " << m.second[i * d + j] << ", Σ " << sij
          << ", SE " << se;
    }
  }
}

// The largest entry-wise gap |A − B| in units of the sample SE of A (for "these differ").
double max_z(const Moments& m, const std::vector<double>& sigma, std::size_t d) {
  double z = 0;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      const double sij = sigma[i * d + j];
      const double se = std::sqrt((sigma[i * d + i] * sigma[j * d + j] + sij * sij) / kDraws);
      z = std::max(z, std::abs(m.second[i * d + j] - sij) / se);
    }
  return z;
}

void expect_near_matrix(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  double scale = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol * scale) << "entry " << i;
}

// Same stream key ⇒ the same bits; and one sample() consumes exactly `normals` normal() draws.
template <class N, class L>
void expect_deterministic(const N& noise, const L& land, const typename L::Vector& theta,
                          std::size_t normals) {
  auto a = stream(99, 3), b = stream(99, 3), c = stream(99, 3);
  auto wa = noise.workspace(land), wb = noise.workspace(land);
  typename L::Vector xa = theta, xb = theta;
  for (int t = 0; t < 50; ++t) {
    noise.sample(land, theta, a, xa, wa);
    noise.sample(land, theta, b, xb, wb);
    for (std::size_t i = 0; i < land.dim(); ++i) ASSERT_EQ(xa[i], xb[i]);
    for (std::size_t k = 0; k < normals; ++k) c.normal();
    ASSERT_EQ(a.next_u64(), c.next_u64()) << "draw count differs at step " << t;
    b.next_u64();
  }
}

}  // namespace

// ---- diagonal ------------------------------------------------------------------------------

TEST(DiagonalNoise, CovarianceIsDiagAndDrawsMatchIt) {
  const auto q = rotated_quadratic();
  const noise::DiagonalNoise n({0.5, 2.0, 0.0});
  const auto sigma = n.covariance(q, q.minimum());
  EXPECT_EQ(sigma, (std::vector<double>{0.5, 0, 0, 0, 2.0, 0, 0, 0, 0}));
  expect_matches(draw_moments(n, q, q.minimum(), 1), sigma, 3);
}

TEST(DiagonalNoise, DiagonalOfACovarianceIsTraceMatched) {
  const std::vector<double> c{4, 1, 0, 1, 2, 0.5, 0, 0.5, 2};
  const auto n = noise::DiagonalNoise::diagonal_of(c, 3, 3.0);
  EXPECT_NEAR(n.variances()[0], 1.5, 1e-15);
  EXPECT_NEAR(n.variances()[1], 0.75, 1e-15);
  EXPECT_NEAR(n.variances()[2], 0.75, 1e-15);
  EXPECT_THROW(noise::DiagonalNoise({1.0, -1e-3}), std::invalid_argument);
  EXPECT_THROW(noise::DiagonalNoise(std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(noise::DiagonalNoise::diagonal_of(c, 2, 1.0), std::invalid_argument);
  const auto q = rotated_quadratic();
  EXPECT_THROW(noise::DiagonalNoise({1.0, 1.0}).workspace(q), std::invalid_argument);
}

// ---- covariance ----------------------------------------------------------------------------

TEST(CovarianceNoise, DrawsHaveTheGivenCovariance) {
  const auto q = rotated_quadratic();
  const auto h = landscape::hessian(q, q.minimum());
  const noise::CovarianceNoise n(h, 3);
  expect_near_matrix(n.covariance(q, q.minimum()), h, 1e-15);
  expect_near_matrix(noise::detail::outer_square(n.factor(), 3), h, 1e-14);
  expect_matches(draw_moments(n, q, q.minimum(), 2), h, 3);
}

TEST(CovarianceNoise, RankDeficientIsAcceptedAndIndefiniteRejected) {
  // Σ = 2 u uᵀ + 0.5 w wᵀ, u = (1, 1, 1)/√3, w = (1, −1, 0)/√2: rank 2.
  std::vector<double> s(9);
  const double u[3] = {1 / std::sqrt(3.0), 1 / std::sqrt(3.0), 1 / std::sqrt(3.0)};
  const double w[3] = {1 / std::sqrt(2.0), -1 / std::sqrt(2.0), 0};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) s[i * 3 + j] = 2 * u[i] * u[j] + 0.5 * w[i] * w[j];
  const noise::CovarianceNoise n(s, 3);
  expect_near_matrix(noise::detail::outer_square(n.factor(), 3), s, 1e-12);
  const auto q = rotated_quadratic();
  expect_matches(draw_moments(n, q, q.minimum(), 3), n.covariance(q, q.minimum()), 3);

  EXPECT_THROW(noise::CovarianceNoise({0, 1, 1, 0}, 2), std::invalid_argument);   // indefinite
  EXPECT_THROW(noise::CovarianceNoise({1, 2, 2, 1}, 2), std::invalid_argument);   // indefinite
  EXPECT_THROW(noise::CovarianceNoise({1, 0.1, 0, 1}, 2), std::invalid_argument); // asymmetric
  EXPECT_THROW(noise::CovarianceNoise({1, 0, 0}, 2), std::invalid_argument);      // size
  EXPECT_THROW(noise::CovarianceNoise({1, 0, 0, NAN}, 2), std::invalid_argument); // non-finite
}

// ---- hessian -------------------------------------------------------------------------------

TEST(HessianNoise, AtMinimumIsTheTraceMatchedHessian) {
  const auto q = rotated_quadratic();
  const double trace = 3.7;
  const noise::HessianNoise n(q, trace, At::minimum);
  const auto h = landscape::hessian(q, q.minimum());
  const double c = trace / linalg::trace(h, 3);
  std::vector<double> want = h;
  for (auto& v : want) v *= c;
  const auto sigma = n.covariance(q, q.minimum());
  expect_near_matrix(sigma, want, 1e-14);
  EXPECT_NEAR(linalg::trace(sigma, 3), trace, 1e-12 * trace);
  expect_matches(draw_moments(n, q, q.minimum(), 4), sigma, 3);
  // A quadratic's Hessian is constant: current and minimum draw the same law (and, since the
  // eigen-decomposition is the same, the same bits).
  const noise::HessianNoise cur(q, trace, At::current);
  const std::vector<double> theta{1.0, -2.0, 0.5};
  EXPECT_EQ(cur.covariance(q, theta), sigma);
  auto s1 = stream(5), s2 = stream(5);
  auto w1 = n.workspace(q);
  auto w2 = cur.workspace(q);
  std::vector<double> x1(3), x2(3);
  for (int t = 0; t < 20; ++t) {
    n.sample(q, theta, s1, x1, w1);
    cur.sample(q, theta, s2, x2, w2);
    EXPECT_EQ(x1, x2);
  }
}

TEST(HessianNoise, AtCurrentUsesThePositivePartOfTheCurrentHessian) {
  const Bent2d b;
  const double trace = 2.0;
  const noise::HessianNoise cur(b, trace, At::current), fix(b, trace, At::minimum);
  // At θ = (2, 0.3): H = [[−3, ½], [½, 4]], one negative eigenvalue, clipped.
  const std::vector<double> theta{2.0, 0.3};
  const auto h = landscape::hessian(b, theta);
  std::vector<double> w, v;
  linalg::symmetric_eigen(h, 2, w, v);
  ASSERT_LT(w[0], 0);
  ASSERT_GT(w[1], 0);
  std::vector<double> want(4);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) want[i * 2 + j] = trace * v[i * 2 + 1] * v[j * 2 + 1];  // trace·v₂v₂ᵀ
  const auto sigma = cur.covariance(b, theta);
  expect_near_matrix(sigma, want, 1e-12);
  EXPECT_NEAR(linalg::trace(sigma, 2), trace, 1e-12 * trace);
  const auto m = draw_moments(cur, b, theta, 6);
  expect_matches(m, sigma, 2);
  // Away from θ*, at = minimum keeps Σ ∝ H(θ*), which these draws clearly do not have.
  const auto sigma_fixed = fix.covariance(b, theta);
  EXPECT_GT(max_z(m, sigma_fixed, 2), 50.0);
  expect_matches(draw_moments(fix, b, theta, 7), sigma_fixed, 2);
  // At a positive definite but different H(θ): Σ = trace · H(θ) / Tr H(θ).
  const std::vector<double> theta2{0.5, -1.0};
  const auto h2 = landscape::hessian(b, theta2);
  std::vector<double> want2 = h2;
  for (auto& x : want2) x *= trace / linalg::trace(h2, 2);
  expect_near_matrix(cur.covariance(b, theta2), want2, 1e-14);
  EXPECT_NE(cur.covariance(b, theta2), fix.covariance(b, theta2));
  // At θ* the two modes draw the same bits.
  auto s1 = stream(8), s2 = stream(8);
  auto w1 = cur.workspace(b);
  auto w2 = fix.workspace(b);
  std::vector<double> x1(2), x2(2);
  for (int t = 0; t < 20; ++t) {
    cur.sample(b, b.minimum(), s1, x1, w1);
    fix.sample(b, b.minimum(), s2, x2, w2);
    EXPECT_EQ(x1, x2);
  }
}

TEST(HessianNoise, IsZeroWithoutPositiveCurvatureAndRejectsABadMinimum) {
  // kramers_well beyond the junction: H = −b, so at = current gives Σ = 0 (d normals still drawn).
  const landscape::KramersWell k(1.0, 2.0, 1.0);
  const noise::HessianNoise cur(k, 1.0, At::current);
  const landscape::KramersWell::Vector x{k.barrier_top()};
  EXPECT_EQ(cur.covariance(k, x), std::vector<double>{0.0});
  auto s = stream(9);
  auto ws = cur.workspace(k);
  landscape::KramersWell::Vector xi{1.0};
  cur.sample(k, x, s, xi, ws);
  EXPECT_EQ(xi[0], 0.0);
  EXPECT_EQ(cur.covariance(k, k.minimum()), std::vector<double>{1.0});

  const landscape::Quadratic saddle({-1.0, 2.0}, {}, {});
  EXPECT_THROW(noise::HessianNoise(saddle, 1.0, At::minimum), std::invalid_argument);
  EXPECT_NO_THROW(noise::HessianNoise(saddle, 1.0, At::current));
  EXPECT_THROW(noise::HessianNoise(k, -1.0, At::current), std::invalid_argument);
  const landscape::Quadratic flat({0.0, 0.0}, {}, {});
  EXPECT_THROW(noise::HessianNoise(flat, 1.0, At::minimum), std::invalid_argument);
}

// ---- hessian_top ---------------------------------------------------------------------------

TEST(HessianTopNoise, AllVarianceAlongTheTopEigenvector) {
  const auto q = rotated_quadratic();
  const double trace = 1.3;
  const noise::HessianTopNoise n(q, trace, At::minimum);
  // The top eigenvector is Q's third column (eigenvalue 10), sign: largest entry positive.
  const auto rot = rotation_3d();
  std::vector<double> u{rot[2], rot[5], rot[8]};
  std::size_t big = 0;
  for (std::size_t i = 1; i < 3; ++i)
    if (std::abs(u[i]) > std::abs(u[big])) big = i;
  if (u[big] < 0)
    for (auto& x : u) x = -x;
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(n.top_eigenvector()[i], u[i], 1e-13);
  const auto sigma = n.covariance(q, q.minimum());
  std::vector<double> want(9);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) want[i * 3 + j] = trace * (n.top_eigenvector()[i] * n.top_eigenvector()[j]);
  EXPECT_EQ(sigma, want);
  EXPECT_NEAR(linalg::trace(sigma, 3), trace, 1e-12 * trace);
  expect_matches(draw_moments(n, q, q.minimum(), 10), sigma, 3);
}

TEST(HessianTopNoise, AtCurrentFollowsTheCurrentTopEigenvector) {
  const Bent2d b;
  const noise::HessianTopNoise cur(b, 2.0, At::current), fix(b, 2.0, At::minimum);
  const std::vector<double> theta{2.0, 0.3};
  const auto sigma = cur.covariance(b, theta);
  std::vector<double> w, v;
  linalg::symmetric_eigen(landscape::hessian(b, theta), 2, w, v);
  EXPECT_NEAR(std::abs(sigma[1]), 2.0 * std::abs(v[1] * v[3]), 1e-12);
  EXPECT_NEAR(linalg::trace(sigma, 2), 2.0, 1e-12);
  const auto m = draw_moments(cur, b, theta, 11);
  expect_matches(m, sigma, 2);
  EXPECT_GT(max_z(m, fix.covariance(b, theta), 2), 50.0);
  EXPECT_EQ(cur.covariance(b, b.minimum()), fix.covariance(b, b.minimum()));
}

// ---- gradient_covariance -------------------------------------------------------------------

namespace {
// Σ₁ by its definition (1/N) Σ ∇ℓ_i ∇ℓ_iᵀ − ∇L ∇Lᵀ, in long double.
std::vector<double> sigma1_by_definition(const FiveQuadratics& f, const FiveQuadratics::Vector& x) {
  FiveQuadratics::Vector g{}, gi{};
  f.gradient(x, g);
  std::vector<double> s(4);
  for (int j = 0; j < 2; ++j)
    for (int k = 0; k < 2; ++k) {
      long double acc = 0;
      for (std::size_t i = 0; i < f.n_samples(); ++i) {
        f.sample_gradient(i, x, gi);
        acc += static_cast<long double>(gi[j]) * gi[k];
      }
      s[j * 2 + k] = static_cast<double>(acc / f.n_samples() - static_cast<long double>(g[j]) * g[k]);
    }
  return s;
}
}  // namespace

TEST(GradientCovarianceNoise, Sigma1IsThePerSampleGradientCovariance) {
  const FiveQuadratics f;
  for (const auto& x : {f.minimum(), FiveQuadratics::Vector{0.7, -1.2}, FiveQuadratics::Vector{30, 40}}) {
    const auto s1 = noise::GradientCovarianceNoise::sigma1(f, x);
    expect_near_matrix(s1, sigma1_by_definition(f, x), 1e-12);
    EXPECT_EQ(s1[1], s1[2]);
  }
}

TEST(GradientCovarianceNoise, TraceMatchedAndScaledCovariances) {
  const FiveQuadratics f;
  const FiveQuadratics::Vector theta{0.7, -1.2};
  const auto s1 = noise::GradientCovarianceNoise::sigma1(f, theta);
  const auto cur = noise::GradientCovarianceNoise::trace_matched(f, 0.8, At::current);
  const auto sigma = cur.covariance(f, theta);
  expect_near_matrix(sigma, [&] {
    auto c = s1;
    for (auto& v : c) v *= 0.8 / linalg::trace(s1, 2);
    return c;
  }(), 1e-15);
  EXPECT_NEAR(linalg::trace(sigma, 2), 0.8, 1e-12 * 0.8);
  const auto m = draw_moments(cur, f, theta, 12);
  expect_matches(m, sigma, 2);

  const auto fix = noise::GradientCovarianceNoise::trace_matched(f, 0.8, At::minimum);
  const auto star = fix.covariance(f, f.minimum());
  EXPECT_EQ(fix.covariance(f, theta), star);
  EXPECT_NEAR(linalg::trace(star, 2), 0.8, 1e-12 * 0.8);
  EXPECT_GT(max_z(m, star, 2), 50.0);  // the current Σ differs from Σ at θ*
  expect_matches(draw_moments(fix, f, theta, 13), star, 2);

  // Scaled: Σ = factor·Σ₁, e.g. SGD without replacement at B = 2 of N = 5: (N−B)/(B(N−1)) = 3/8.
  const auto sgd = noise::GradientCovarianceNoise::scaled(f, 3.0 / 8.0, At::current);
  const auto ssgd = sgd.covariance(f, theta);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ssgd[i], s1[i] * (3.0 / 8.0));
  expect_matches(draw_moments(sgd, f, theta, 14), ssgd, 2);

  // At θ* the two modes draw the same bits.
  auto a = stream(15), b = stream(15);
  auto wa = cur.workspace(f);
  auto wb = fix.workspace(f);
  FiveQuadratics::Vector xa{}, xb{};
  for (int t = 0; t < 20; ++t) {
    cur.sample(f, f.minimum(), a, xa, wa);
    fix.sample(f, f.minimum(), b, xb, wb);
    EXPECT_EQ(xa, xb);
  }
}

TEST(GradientCovarianceNoise, RejectsRescalingAZeroCovariance) {
  const OneQuadratic one;
  EXPECT_THROW(noise::GradientCovarianceNoise::trace_matched(one, 1.0, At::minimum), std::invalid_argument);
  const auto cur = noise::GradientCovarianceNoise::trace_matched(one, 1.0, At::current);
  EXPECT_EQ(cur.covariance(one, one.minimum()), (std::vector<double>{0, 0, 0, 0}));
  const FiveQuadratics f;
  EXPECT_THROW(noise::GradientCovarianceNoise::scaled(f, -0.5, At::current), std::invalid_argument);
}

// ---- power_law -----------------------------------------------------------------------------

TEST(PowerLawNoise, VarianceGrowsQuadraticallyFromTheMinimum) {
  const auto q = rotated_quadratic();
  const noise::PowerLawNoise n(0.4, 2.5);
  const std::vector<double> theta{1.3, -0.2, -0.9};  // θ − θ* = (1, 0, −1)
  const auto sigma = n.covariance(q, theta);
  EXPECT_EQ(sigma, (std::vector<double>{0.4 + 2.5 * 1.0, 0, 0, 0, 0.4, 0, 0, 0, 0.4 + 2.5 * 1.0}));
  expect_matches(draw_moments(n, q, theta, 16), sigma, 3);
  EXPECT_EQ(n.diffusion(0.01, 2.0), 0.5 * 0.01 * (0.4 + 2.5 * 4.0));
  const landscape::KramersWell k(1.0, 1.0, 1.0);
  expect_matches(draw_moments(n, k, landscape::KramersWell::Vector{-0.5}, 17),
                 std::vector<double>{0.4 + 2.5 * 0.25}, 1);
  EXPECT_THROW(noise::PowerLawNoise(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(noise::PowerLawNoise(1.0, NAN), std::invalid_argument);
}

// ---- all of them ---------------------------------------------------------------------------

// d normals per step for every model but hessian_top (1); equal streams give equal bits.
TEST(GaussianNoise, DrawCountsAndDeterminism) {
  const auto q = rotated_quadratic();
  const std::vector<double> x{0.9, 0.4, -1.1};
  expect_deterministic(noise::DiagonalNoise({0.5, 2.0, 0.0}), q, x, 3);
  expect_deterministic(noise::CovarianceNoise(landscape::hessian(q, x), 3), q, x, 3);
  expect_deterministic(noise::HessianNoise(q, 1.0, At::minimum), q, x, 3);
  expect_deterministic(noise::HessianNoise(q, 1.0, At::current), q, x, 3);
  expect_deterministic(noise::HessianTopNoise(q, 1.0, At::minimum), q, x, 1);
  expect_deterministic(noise::HessianTopNoise(q, 1.0, At::current), q, x, 1);
  expect_deterministic(noise::PowerLawNoise(1.0, 3.0), q, x, 3);
  const FiveQuadratics f;
  const FiveQuadratics::Vector y{0.7, -1.2};
  expect_deterministic(noise::GradientCovarianceNoise::trace_matched(f, 1.0, At::current), f, y, 2);
  expect_deterministic(noise::GradientCovarianceNoise::trace_matched(f, 1.0, At::minimum), f, y, 2);
  const Bent2d b;
  expect_deterministic(noise::HessianNoise(b, 1.0, At::current), b, std::vector<double>{2.0, 0.3}, 2);
}

// The allocation-free eigen-solver agrees with linalg::symmetric_eigen.
TEST(GaussianNoise, AllocationFreeEigenMatchesLinalg) {
  const auto q = rotated_quadratic();
  const auto h = landscape::hessian(q, q.minimum());
  std::vector<double> w1, v1, w2(3), v2(9), work(9);
  linalg::symmetric_eigen(h, 3, w1, v1);
  noise::detail::symmetric_eigen_into(h.data(), 3, w2.data(), v2.data(), work.data());
  EXPECT_EQ(w1, w2);
  EXPECT_EQ(v1, v2);
  EXPECT_NEAR(w2[0], 0.5, 1e-13);
  EXPECT_NEAR(w2[2], 10.0, 1e-13);
}
