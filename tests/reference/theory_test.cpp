#include "escapade/reference/theory.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>
#include <utility>

#include "escapade/reference/mfpt1d.hpp"

namespace escapade::reference {
namespace {

double rel_err(double got, double want) { return std::abs(got - want) / std::abs(want); }

// --- Kramers: first hitting of the saddle --------------------------------------------------

// kramers_well(a, b, ΔU): parabola a x²/2 up to the junction s, then the saddle parabola
// ΔU − b (x − x_b)²/2 (as in mfpt1d_test.cpp).
struct Well {
  double a, b, barrier;
  double s() const { return std::sqrt(2 * barrier / (a * (1 + a / b))); }
  double x_b() const { return s() + a * s() / b; }
};

// For a potential that is exactly quadratic at the minimum and at the saddle the Laplace
// corrections, generically O(D/ΔU), are absent: only the junction contributes, with relative
// size ~ e^{−q}(D/g)(D(a + b)/g²)/sqrt(πD/(2b)) (see mfpt1d_test.cpp, g = a s, q = U(s)/D or
// (ΔU − U(s))/D), about 5e-4 at ΔU/D = 10 and 1e-6 at ΔU/D = 20 for a = b = 1, and the exact
// time is the larger. So the bounds below (2e-3 and 1e-5) are far tighter than "O(D/ΔU)".
TEST(KramersFirstHitting, MatchesTheKramersWellQuadratureAtHighBarrier) {
  const Well w{1.0, 1.0, 1.0};
  double prev = 1;
  for (const auto& [ratio, bound] : {std::pair{10.0, 2e-3}, std::pair{20.0, 1e-5}}) {
    const double D = w.barrier / ratio;
    const TheoryValue k = kramers_first_hitting(w.a, w.b, w.barrier, D);
    EXPECT_EQ(k.formula, "kramers");
    const double exact = kramers_well_mfpt(w.a, w.b, w.barrier, D, w.x_b());
    const double delta = (exact - k.time) / k.time;
    EXPECT_GT(delta, 0) << "ΔU/D=" << ratio;
    EXPECT_LT(delta, bound) << "ΔU/D=" << ratio;
    EXPECT_LT(delta, prev) << "ΔU/D=" << ratio;
    prev = delta;
  }
  // An asymmetric well: the relative error still shrinks with D/ΔU and is below 3% at 20.
  const Well v{4.0, 1.0, 1.0};
  const double d10 = rel_err(kramers_first_hitting(v.a, v.b, v.barrier, 0.1).time,
                             kramers_well_mfpt(v.a, v.b, v.barrier, 0.1, v.x_b()));
  const double d20 = rel_err(kramers_first_hitting(v.a, v.b, v.barrier, 0.05).time,
                             kramers_well_mfpt(v.a, v.b, v.barrier, 0.05, v.x_b()));
  EXPECT_LT(d20, d10);
  EXPECT_LT(d20, 0.03);
}

// A smooth cubic, U = x²/2 − x³/3: minimum 0 (U'' = 1), saddle 1 (U'' = −1, U''' = c = −2),
// ΔU = 1/6. Here the finish line at the saddle sees the cubic term in the half Gaussian:
// ∫_{−∞}^0 e^{−b y²/(2D)}(1 + c y³/(6D)) dy = sqrt(πD/(2b)) − c D/(3b²), a relative correction
// −(c/3) sqrt(2D/(π b³)) = (2/3) sqrt(2D/π): 6.9% at ΔU/D = 10, 4.9% at 20 — O(sqrt(D/ΔU)),
// not O(D/ΔU). At O(D) the factors e^{c x³/(6D)} contribute (c²/72D²)·15D³ = 5D/6 each (the
// well's full Gaussian and the saddle's half Gaussian alike), 5D/3 = (5/18)·D/ΔU in all, so
//   exact/kramers − 1 = (2/3) sqrt(2D/π) + (5/18) D/ΔU + O((D/ΔU)^{3/2});
// the test bounds the remainder by 0.4·(D/ΔU)^{3/2} (observed about 0.32, 0.25, 0.22 times it).
TEST(KramersFirstHitting, SmoothCubicHasTheHalfGaussianSqrtDCorrection) {
  const double barrier = 1.0 / 6;
  double prev = 1;
  for (double ratio : {10.0, 20.0, 40.0}) {
    const double D = barrier / ratio;
    const Diffusion1d p{[](double x) { return x - x * x; }, [D](double) { return D; }};
    // U(−1.5) = 2.25 ≥ ΔU + 80·D here, so the reflecting end does not matter.
    const double exact = mfpt_reflecting(p, -1.5, 0.0, 1.0, 400000);
    const double k = kramers_first_hitting(1, 1, barrier, D).time;
    const double delta = (exact - k) / k;
    const double predicted = (2.0 / 3) * std::sqrt(2 * D / std::numbers::pi) + (5.0 / 18) / ratio;
    EXPECT_GT(delta, 0) << "ΔU/D=" << ratio;
    EXPECT_LT(delta, prev) << "ΔU/D=" << ratio;
    EXPECT_LT(std::abs(delta - predicted), 0.4 * std::pow(ratio, -1.5))
        << "ΔU/D=" << ratio << " delta " << delta << " predicted " << predicted;
    prev = delta;
  }
}

// --- Quadratic well cut at ±ℓ ----------------------------------------------------------------

// Exact: T = (1/D)∫_0^ℓ e^{hy²/(2D)} ∫_0^y e^{−hz²/(2D)} dz dy (reflecting at 0 by symmetry).
// With q = hℓ²/(2D), exact/asymptote = 1 + 1/(2q) + 3/(4q²) + 15/(8q³) + … (the outer integral's
// asymptotic series; the inner one is erfc-small). At q = 15 the leading correction D/(hℓ²) is
// 3.3%; the test checks the ratio against 1 + 1/(2q) + 3/(4q²) to within 2·15/(8q³) = 1.1e-3.
TEST(QuadraticExit1d, MatchesTheReflectingQuadratureAtQ15) {
  for (const auto& [h, D] : {std::pair{1.0, 0.1}, std::pair{3.0, 0.02}}) {
    const double q = 15;
    const double ell = std::sqrt(2 * D * q / h);
    const TheoryValue t = quadratic_exit_1d(h, ell, D);
    EXPECT_EQ(t.formula, "quadratic_exit");
    const Diffusion1d p{[h](double x) { return h * x; }, [D](double) { return D; }};
    const double exact = mfpt_reflecting(p, 0, 0, ell, 200000);
    const double ratio = exact / t.time;
    EXPECT_GT(ratio - 1, 0.9 / (2 * q)) << "h=" << h;  // the stated O(D/(hℓ²)) correction
    EXPECT_LT(ratio - 1, 1.2 / (2 * q)) << "h=" << h;
    EXPECT_NEAR(ratio, 1 + 1 / (2 * q) + 3 / (4 * q * q), 2 * 15 / (8 * q * q * q)) << "h=" << h;
  }
}

// --- Power-law escape (seeds-spec §3.3) ----------------------------------------------------

// h = 1, D0 = 0.25, r = 1 ⇒ κ = 1 + h/(2 D0 r) = 3, T ∝ ℓ^5. The leading relative correction
// is (κ−1)(2κ−1)/((2κ−3) r ℓ²) = 10/(3ℓ²): 3.3% at ℓ = 10, 0.83% at ℓ = 20, plus O(ℓ^{−4}) and
// O(ℓ^{−5} ln ℓ); the test asks for it within 5% of itself (observed 1.3% and 0.35%) and for
// the error at 2ℓ to be smaller and below 1.2%.
TEST(PowerLawExit, ApproachesTheReflectingQuadratureAsTheWidthGrows) {
  const double h = 1, D0 = 0.25, r = 1;
  const Diffusion1d p{[h](double x) { return h * x; },
                      [D0, r](double x) { return D0 * (1 + r * x * x); }};
  double errs[2] = {0, 0};
  int i = 0;
  for (double ell : {10.0, 20.0}) {
    const TheoryValue t = power_law_exit(h, ell, D0, r);
    EXPECT_EQ(t.formula, "power_law_asymptote");
    const double exact = mfpt_reflecting(p, 0, 0, ell, 200000);
    const double predicted = 10.0 / (3 * ell * ell);
    errs[i] = (exact - t.time) / t.time;
    EXPECT_NEAR(errs[i], predicted, 0.05 * predicted) << "ℓ=" << ell;
    ++i;
  }
  EXPECT_LT(std::abs(errs[1]), std::abs(errs[0]));
  EXPECT_LT(std::abs(errs[1]), 0.012);
}

TEST(PowerLawExit, MatchesItsClosedFormAndScaling) {
  // κ = 2 (h = 1, D0 = 0.5, r = 1): Γ(3/2)/Γ(2) = √π/2, I_∞ = 2·π/4 = π/2, T = (π/2) ℓ³/3.
  EXPECT_NEAR(power_law_exit(1, 7, 0.5, 1).time, std::numbers::pi / 2 * 343 / 3, 1e-10 * 343);
  // T ∝ ℓ^{2κ−1}: doubling ℓ at κ = 3 multiplies T by 32.
  EXPECT_NEAR(power_law_exit(1, 20, 0.25, 1).time / power_law_exit(1, 10, 0.25, 1).time, 32, 1e-11);
  EXPECT_TRUE(std::isnan(power_law_exit(1, 10, 0.25, 0).time));
  EXPECT_TRUE(std::isnan(power_law_exit(1, 10, -0.25, 1).time));
}

// --- Imkeller–Pavlyukevich ---------------------------------------------------------------

TEST(ImkellerPavlyukevich, SymmetricBasinAndTheConstant) {
  // c_1 = Γ(2) sin(π/2)/π = 1/π; symmetric basin α w^α/(2 c_α ε^α) = π w/(2ε) at α = 1.
  EXPECT_NEAR(stable_levy_measure_constant(1), 1 / std::numbers::pi, 1e-15);
  const TheoryValue v = imkeller_pavlyukevich(1, 0.1, 2, 2);
  EXPECT_EQ(v.formula, "imkeller_pavlyukevich");
  EXPECT_NEAR(v.time, std::numbers::pi * 2 / (2 * 0.1), 1e-12);
  // α = 1.5: c = Γ(2.5) sin(3π/4)/π = (3√π/4)(√2/2)/π.
  const double c15 = 0.75 * std::sqrt(std::numbers::pi) * std::sqrt(0.5) / std::numbers::pi;
  EXPECT_NEAR(stable_levy_measure_constant(1.5), c15, 1e-15);
  const double w = 0.7, eps = 0.05;
  EXPECT_NEAR(imkeller_pavlyukevich(1.5, eps, w, w).time,
              1.5 * std::pow(w, 1.5) / (2 * c15 * std::pow(eps, 1.5)), 1e-10);
  // Asymmetric: 1/λ with λ = (c_α/α) ε^α (left^{−α} + right^{−α}); wider side matters less.
  const double lam = c15 / 1.5 * std::pow(eps, 1.5) * (std::pow(0.5, -1.5) + std::pow(3.0, -1.5));
  EXPECT_NEAR(imkeller_pavlyukevich(1.5, eps, 0.5, 3.0).time * lam, 1, 1e-14);
  EXPECT_DOUBLE_EQ(imkeller_pavlyukevich(1.5, eps, 0.5, 3.0).time,
                   imkeller_pavlyukevich(1.5, eps, 3.0, 0.5).time);
  // Polynomial in 1/ε: halving ε multiplies the time by 2^α.
  EXPECT_NEAR(imkeller_pavlyukevich(1.2, 0.05, 1, 1).time /
                  imkeller_pavlyukevich(1.2, 0.1, 1, 1).time,
              std::pow(2.0, 1.2), 1e-12);
}

TEST(ImkellerPavlyukevich, OnlyForAlphaBelowTwo) {
  // c_α → 0 as α → 2 (Γ(3) sin(π)/π = 0): the Brownian limit has no jumps, the formula diverges.
  EXPECT_LT(stable_levy_measure_constant(1.999), 0.01);
  EXPECT_TRUE(std::isnan(stable_levy_measure_constant(2)));
  EXPECT_TRUE(std::isnan(imkeller_pavlyukevich(2, 0.1, 1, 1).time));
  EXPECT_TRUE(std::isnan(imkeller_pavlyukevich(2.5, 0.1, 1, 1).time));
  EXPECT_TRUE(std::isnan(imkeller_pavlyukevich(0, 0.1, 1, 1).time));
  EXPECT_TRUE(std::isnan(imkeller_pavlyukevich(1.5, 0, 1, 1).time));
  EXPECT_TRUE(std::isnan(imkeller_pavlyukevich(1.5, 0.1, -1, 1).time));
}

// --- 2-D ball exit -------------------------------------------------------------------------

// Brute-force composite Simpson of (1/h)∫_0^R (e^{hρ²/(2D)} − 1)/ρ dρ (integrand → 0 at ρ = 0).
double ball_brute_force(double h, double R, double D, std::size_t n) {
  const auto f = [&](double rho) {
    return rho == 0 ? 0.0 : std::expm1(h * rho * rho / (2 * D)) / rho;
  };
  const double dx = R / static_cast<double>(n);
  double sum = f(0) + f(R);
  for (std::size_t i = 1; i < n; ++i) sum += (i % 2 ? 4 : 2) * f(dx * static_cast<double>(i));
  return sum * dx / 3 / h;
}

TEST(BallExit2d, SmallRadiusIsFreeDiffusion) {
  // Q = hR²/(2D) → 0: T = R²/(2·d·D) with d = 2, times 1 + Q/4 + …
  const double h = 1.3, D = 0.4, R = 1e-3;
  const TheoryValue t = ball_exit_2d_isotropic(h, R, D);
  EXPECT_EQ(t.formula, "ball_exit_2d");
  const double q = h * R * R / (2 * D);
  EXPECT_LT(rel_err(t.time, R * R / (4 * D)), 1e-5);
  EXPECT_LT(rel_err(t.time, R * R / (4 * D) * (1 + q / 4)), 1e-12);
}

TEST(BallExit2d, MatchesBruteForceSimpson) {
  // Q = 0.5 (series only), 1.8, 7.5, 30 (series + adaptive Simpson).
  for (const auto& [h, R, D] : {std::tuple{1.0, 1.0, 1.0}, std::tuple{0.9, 2.0, 1.0},
                                std::tuple{2.0, 1.5, 0.3}, std::tuple{3.0, 2.0, 0.2}}) {
    const double want = ball_brute_force(h, R, D, 400000);
    EXPECT_LT(rel_err(ball_exit_2d_isotropic(h, R, D).time, want), 1e-11)
        << "h=" << h << " R=" << R << " D=" << D;
  }
}

TEST(BallExit2d, LargeBarrierAsymptoteAndNoOverflow) {
  // Q ≫ 1: T = e^{Q}/(2hQ)(1 + 1/Q + 2/Q² + 6/Q³ + 24/Q⁴ + 120/Q⁵ + O(720/Q⁶)).
  for (double Q : {200.0, 600.0, 999.0, 1001.0}) {
    const double h = 2, D = 0.5, R = std::sqrt(2 * D * Q / h);
    const double x = 1 / Q;
    const double want_log =
        Q - std::log(2 * h * Q) + std::log(1 + x * (1 + x * (2 + x * (6 + x * (24 + x * 120)))));
    const double got = ball_exit_2d_isotropic(h, R, D).time;
    if (Q < 700) {
      ASSERT_TRUE(std::isfinite(got)) << "Q=" << Q;
      EXPECT_NEAR(std::log(got), want_log, 1000 * std::pow(x, 6) + 5e-13) << "Q=" << Q;
    } else {
      EXPECT_EQ(got, std::numeric_limits<double>::infinity()) << "Q=" << Q;
    }
  }
  EXPECT_TRUE(std::isnan(ball_exit_2d_isotropic(0, 1, 1).time));
  EXPECT_TRUE(std::isnan(ball_exit_2d_isotropic(1, 1, 0).time));
}

// --- Eyring–Kramers -------------------------------------------------------------------------

// Separable quadratic saddle: minimum curvatures (a, c) = (1, 3), saddle curvatures (−2, 3),
// ΔU = 1, D = 1/4: T = π/2 · sqrt(6/3) · e⁴ = (π/√2) e⁴ ≈ 121.2866.
TEST(EyringKramers, SeparableQuadraticSaddleByHand) {
  const TheoryValue t = eyring_kramers_first_hitting(2, 2 * 3, 1 * 3, 1, 0.25);
  EXPECT_EQ(t.formula, "eyring_kramers");
  EXPECT_NEAR(t.time, std::numbers::pi / std::sqrt(2.0) * std::exp(4.0), 1e-12 * t.time);
  EXPECT_NEAR(t.time, 121.2866, 1e-4);
  // The y curvature cancels when it is the same at the minimum and the saddle: the 1-D Kramers.
  for (double c : {0.5, 3.0, 40.0})
    EXPECT_NEAR(eyring_kramers_first_hitting(2, 2 * c, 1 * c, 1, 0.25).time,
                kramers_first_hitting(1, 2, 1, 0.25).time, 1e-12 * t.time);
  // Stiffer across the saddle than in the well: a narrower gate, a longer time (√(c_s/c_m)).
  EXPECT_NEAR(eyring_kramers_first_hitting(2, 2 * 12, 1 * 3, 1, 0.25).time / t.time, 2, 1e-12);
  EXPECT_TRUE(std::isnan(eyring_kramers_first_hitting(0, 6, 3, 1, 0.25).time));
  EXPECT_TRUE(std::isnan(eyring_kramers_first_hitting(2, 6, -3, 1, 0.25).time));
  EXPECT_TRUE(std::isnan(eyring_kramers_first_hitting(2, 6, 3, 1, 0).time));
}

// --- 2-D gates ------------------------------------------------------------------------------

// A smooth double well with a coupled transverse direction, rotated by θ and shifted by c:
// (ξ, η) = Rᵀ(x − c), U = ΔU (ξ² − 1)² + ½ k (1 + β ξ²) η². Minimum ξ = −1 (Hessian diag(8ΔU,
// k(1 + β))), index-1 saddle at ξ = 0 (diag(−4ΔU, k)); by the symmetry ξ → −ξ the line ξ = 0 is
// the separatrix. The escape set is ξ ≥ tan(tilt)·η (tilt = 0: the separatrix).
struct CoupledWell {
  double barrier = 1, k = 2, beta = 1, theta = 0.4, tilt = 0;
  std::array<double, 2> c{0.3, -0.2};

  std::array<double, 2> to_local(const double* x) const {
    const double dx = x[0] - c[0], dy = x[1] - c[1];
    return {std::cos(theta) * dx + std::sin(theta) * dy, -std::sin(theta) * dx + std::cos(theta) * dy};
  }
  std::array<double, 2> minimum() const {
    return {c[0] - std::cos(theta), c[1] - std::sin(theta)};
  }
  Surface2d surface() const {
    Surface2d s;
    s.value = [this](const double* x) {
      const auto [xi, eta] = to_local(x);
      return barrier * (xi * xi - 1) * (xi * xi - 1) + 0.5 * k * (1 + beta * xi * xi) * eta * eta;
    };
    s.gradient = [this](const double* x, double* g) {
      const auto [xi, eta] = to_local(x);
      const double gx = 4 * barrier * xi * (xi * xi - 1) + k * beta * xi * eta * eta;
      const double ge = k * (1 + beta * xi * xi) * eta;
      g[0] = std::cos(theta) * gx - std::sin(theta) * ge;
      g[1] = std::sin(theta) * gx + std::cos(theta) * ge;
    };
    s.hessian = [this](const double* x, double* h) {
      const auto [xi, eta] = to_local(x);
      const double a = 4 * barrier * (3 * xi * xi - 1) + k * beta * eta * eta;
      const double b = 2 * k * beta * xi * eta;
      const double d = k * (1 + beta * xi * xi);
      const double co = std::cos(theta), si = std::sin(theta);
      // R [[a, b], [b, d]] Rᵀ with R = [[co, −si], [si, co]].
      h[0] = co * co * a - 2 * co * si * b + si * si * d;
      h[1] = co * si * a + (co * co - si * si) * b - co * si * d;
      h[2] = h[1];
      h[3] = si * si * a + 2 * co * si * b + co * co * d;
    };
    s.escaped = [this](const double* x) {
      const auto [xi, eta] = to_local(x);
      return xi >= std::tan(tilt) * eta;
    };
    return s;
  }
};

TEST(FindGate2d, FindsTheIndexOneSaddleOnTheSeparatrix) {
  const CoupledWell w;
  const Surface2d s = w.surface();
  const auto m = w.minimum();
  const Gate2d g = find_gate_2d(s, m, {m[0] - 2.5, m[1] - 2.5}, {m[0] + 2.5, m[1] + 2.5});
  ASSERT_EQ(g.kind, GateKind::saddle) << g.why;
  ASSERT_EQ(g.saddles.size(), 1u);
  EXPECT_NEAR(g.point[0], w.c[0], 1e-9);
  EXPECT_NEAR(g.point[1], w.c[1], 1e-9);
  EXPECT_NEAR(g.barrier, 1, 1e-12);
  EXPECT_NEAR(g.saddles[0].curv_unstable, 4, 1e-9);
  EXPECT_NEAR(g.saddles[0].curv_stable, 2, 1e-9);
  EXPECT_NEAR(g.det_h_min, 8 * 4, 1e-9);
  EXPECT_EQ(g.slope, 0);
}

// The same saddle with the escape boundary tilted by 20° from the separatrix: the saddle is still
// the lowest boundary point, but the boundary is not its separatrix, so neither formula applies.
TEST(FindGate2d, RejectsABoundaryThatIsNotTheSeparatrix) {
  CoupledWell w;
  w.tilt = 20 * std::numbers::pi / 180;
  const auto m = w.minimum();
  const Gate2d g = find_gate_2d(w.surface(), m, {m[0] - 2.5, m[1] - 2.5}, {m[0] + 2.5, m[1] + 2.5});
  EXPECT_EQ(g.kind, GateKind::none);
  EXPECT_TRUE(g.saddles.empty());
  EXPECT_NE(g.why.find("separatrix"), std::string::npos) << g.why;
}

// U = 2x² − x⁴ + ε(3x − x³)/2 + y², escape |x| ≥ 1: saddles at (±1, 0) (the ε term has zero
// slope there) of heights 1 ± ε and curvatures −8 ∓ 3ε along x; both are found, lowest first.
TEST(FindGate2d, ListsSeveralSaddlesLowestFirst) {
  const double eps = 0.05;
  Surface2d s;
  s.value = [eps](const double* x) {
    return 2 * x[0] * x[0] - std::pow(x[0], 4) + 0.5 * eps * (3 * x[0] - std::pow(x[0], 3)) + x[1] * x[1];
  };
  s.gradient = [eps](const double* x, double* g) {
    g[0] = 4 * x[0] - 4 * std::pow(x[0], 3) + 1.5 * eps * (1 - x[0] * x[0]);
    g[1] = 2 * x[1];
  };
  s.hessian = [eps](const double* x, double* h) {
    h[0] = 4 - 12 * x[0] * x[0] - 3 * eps * x[0];
    h[1] = h[2] = 0;
    h[3] = 2;
  };
  s.escaped = [](const double* x) { return std::abs(x[0]) >= 1; };
  std::array<double, 2> m{0, 0};  // the minimum, x ≈ −3ε/8, by Newton
  for (int i = 0; i < 50; ++i) {
    double g[2], h[4];
    s.gradient(m.data(), g);
    s.hessian(m.data(), h);
    m[0] -= g[0] / h[0];
  }
  const Gate2d g = find_gate_2d(s, m, {-1.1, -2.5}, {1.1, 2.5});
  ASSERT_EQ(g.kind, GateKind::saddle) << g.why;
  ASSERT_EQ(g.saddles.size(), 2u);
  EXPECT_NEAR(g.saddles[0].point[0], -1, 1e-9);
  EXPECT_NEAR(g.saddles[1].point[0], 1, 1e-9);
  EXPECT_NEAR(g.saddles[1].value - g.saddles[0].value, 2 * eps, 1e-12);
  EXPECT_NEAR(g.saddles[0].curv_unstable, 8 - 3 * eps, 1e-9);
  EXPECT_NEAR(g.saddles[1].curv_unstable, 8 + 3 * eps, 1e-9);
}

// A crease: U = min(½(4x² + y²), ½((x − 2)² + y²) + 1.5) rises from the minimum 0 into the switch
// between the branches with a slope and no critical point (both Hessians positive definite), as
// zhu2d's ridge does. The switching curve meets the x axis where 2x² = ½(x − 2)² + 1.5, x = 1,
// U = 2, with the inner slope ∂U/∂x = 4.
TEST(FindGate2d, ACreaseIsABoundaryGateWithoutSaddles) {
  Surface2d s;
  const auto inner = [](const double* x) { return 0.5 * (4 * x[0] * x[0] + x[1] * x[1]); };
  const auto outer = [](const double* x) { return 0.5 * ((x[0] - 2) * (x[0] - 2) + x[1] * x[1]) + 1.5; };
  s.value = [=](const double* x) { return std::min(inner(x), outer(x)); };
  s.gradient = [=](const double* x, double* g) {
    if (inner(x) <= outer(x)) {
      g[0] = 4 * x[0];
      g[1] = x[1];
    } else {
      g[0] = x[0] - 2;
      g[1] = x[1];
    }
  };
  s.hessian = [=](const double* x, double* h) {
    h[0] = inner(x) <= outer(x) ? 4 : 1;
    h[1] = h[2] = 0;
    h[3] = 1;
  };
  s.escaped = [=](const double* x) { return outer(x) < inner(x); };
  const Gate2d g = find_gate_2d(s, {0, 0}, {-3, -3}, {3, 3});
  ASSERT_EQ(g.kind, GateKind::boundary) << g.why;
  EXPECT_TRUE(g.saddles.empty());
  EXPECT_NEAR(g.point[0], 1, 1e-7);
  EXPECT_NEAR(g.point[1], 0, 1e-7);
  EXPECT_NEAR(g.barrier, 2, 1e-7);
  EXPECT_NEAR(g.slope, 4, 1e-6);
  EXPECT_NEAR(g.det_h_min, 4, 1e-12);
  // An escape set beyond a higher ridge (the region x ≥ 1.8, in the outer basin): U falls on the
  // way, so its boundary is not the barrier.
  s.escaped = [](const double* x) { return x[0] >= 1.8; };
  const Gate2d beyond = find_gate_2d(s, {0, 0}, {-3, -3}, {3, 3});
  EXPECT_EQ(beyond.kind, GateKind::none);
  EXPECT_NE(beyond.why.find("monotone"), std::string::npos) << beyond.why;
}

// --- boundary_flux --------------------------------------------------------------------------

// A rotated anisotropic quadratic U = ½(h₁ξ² + h₂η²) with the half-plane ξ ≥ ℓ: ξ(t) is a 1-D
// Ornstein–Uhlenbeck process, so the exact time is the 1-D reflecting quadrature. Here the flux
// picture is exact but for e^{−ΔU/D}-small terms (the normal integral is the outer integral of
// the quadrature, the tangential Gaussian and the well are exact), so boundary_flux must match to
// its numerical tolerances (1e-5 relative); and its closed-form limit sqrt(2πDκ/det H)/F · e^{q}
// (κ = h₂, F = h₁ℓ) is short by the quadratic_exit correction 1/(2q) + 3/(4q²) + ….
TEST(BoundaryFlux, HalfPlaneExitOfARotatedQuadraticIsExact) {
  const double h1 = 2, h2 = 5, theta = 0.7, q = 12, D = 0.1;
  const double ell = std::sqrt(2 * D * q / h1);
  const double co = std::cos(theta), si = std::sin(theta);
  Surface2d s;
  const auto local = [=](const double* x) {
    return std::array<double, 2>{co * x[0] + si * x[1], -si * x[0] + co * x[1]};
  };
  s.value = [=](const double* x) {
    const auto [xi, eta] = local(x);
    return 0.5 * (h1 * xi * xi + h2 * eta * eta);
  };
  s.gradient = [=](const double* x, double* g) {
    const auto [xi, eta] = local(x);
    g[0] = co * h1 * xi - si * h2 * eta;
    g[1] = si * h1 * xi + co * h2 * eta;
  };
  s.hessian = [=](const double*, double* h) {
    h[0] = co * co * h1 + si * si * h2;
    h[1] = h[2] = co * si * (h1 - h2);
    h[3] = si * si * h1 + co * co * h2;
  };
  s.escaped = [=](const double* x) { return local(x)[0] >= ell; };
  const Gate2d g = find_gate_2d(s, {0, 0}, {-4, -4}, {4, 4});
  ASSERT_EQ(g.kind, GateKind::boundary) << g.why;
  EXPECT_NEAR(g.barrier / D, q, 1e-9);
  EXPECT_NEAR(g.slope, h1 * ell, 1e-6);
  const TheoryValue t = boundary_flux_first_hitting(s, g, D);
  EXPECT_EQ(t.formula, "boundary_flux");
  const Diffusion1d p{[h1](double x) { return h1 * x; }, [D](double) { return D; }};
  const double lo = -std::sqrt(2 * (q + 40) * D / h1);
  const double exact = mfpt_reflecting(p, lo, 0, ell, 400000);
  EXPECT_NEAR(t.time / exact - 1, 0, 1e-4) << t.time << " vs " << exact;
  const double closed = std::sqrt(2 * std::numbers::pi * D * h2 / (h1 * h2)) / (h1 * ell) * std::exp(q);
  EXPECT_NEAR(t.time / closed, 1 + 1 / (2 * q) + 3 / (4 * q * q), 2 * 15 / (8 * q * q * q));
  std::printf("half-plane exit, q = %g: boundary_flux %.10g, exact %.10g (rel %.1e)\n", q, t.time, exact,
              t.time / exact - 1);
  EXPECT_TRUE(std::isnan(boundary_flux_first_hitting(s, g, 0).time));
  EXPECT_TRUE(std::isnan(boundary_flux_first_hitting(s, Gate2d{}, D).time));
}

}  // namespace
}  // namespace escapade::reference
