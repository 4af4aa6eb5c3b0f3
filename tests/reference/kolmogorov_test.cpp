#include "escapade/reference/kolmogorov.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "escapade/core/error.hpp"
#include "escapade/reference/mfpt1d.hpp"

namespace {

using escapade::reference::KolmogorovProblem;
using escapade::reference::PetscSession;
using escapade::reference::solve_mfpt;
using escapade::reference::solve_mfpt_on_grid;

class PetscEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { session_ = std::make_unique<PetscSession>(); }
  void TearDown() override { session_.reset(); }

 private:
  std::unique_ptr<PetscSession> session_;
};

[[maybe_unused]] ::testing::Environment* const petsc_environment =
    ::testing::AddGlobalTestEnvironment(new PetscEnvironment);

// kramers_well(a = 1, b = 1, ΔU = 1): s = 1, x_b = 2; D = 1/4 (ΔU/D = 4). The box [−6, 2] puts
// 0, s and x_b on nodes of both grids; U(−6) − ΔU = 17 = 68 D, so the reflecting end is as
// irrelevant as the reference's (40 D).
KolmogorovProblem kramers_problem(int points) {
  constexpr double a = 1, b = 1, x_b = 2, s = 1, D = 0.25;
  KolmogorovProblem p;
  p.dim = 1;
  p.lo = {-6, 0};
  p.hi = {x_b, 0};
  p.start = {0, 0};
  p.drift = [=](const double* x, double* out) { out[0] = x[0] <= s ? -a * x[0] : b * (x[0] - x_b); };
  p.diffusion = [=](const double*, double* out) { out[0] = D; };
  p.escaped = [=](const double* x) { return x[0] >= x_b; };
  p.points = points;
  return p;
}

// Power-law diffusion D(x) = D0 (1 + r x²) in U = h x²/2, absorbing at |x| ≥ ℓ.
constexpr double pl_h = 1, pl_d0 = 0.1, pl_r = 1, pl_l = 1.5;

KolmogorovProblem power_law_problem(int points) {
  KolmogorovProblem p;
  p.dim = 1;
  p.lo = {-pl_l, 0};
  p.hi = {pl_l, 0};
  p.start = {0, 0};
  p.drift = [](const double* x, double* out) { out[0] = -pl_h * x[0]; };
  p.diffusion = [](const double* x, double* out) { out[0] = pl_d0 * (1 + pl_r * x[0] * x[0]); };
  p.escaped = [](const double* x) { return std::abs(x[0]) >= pl_l; };
  p.points = points;
  return p;
}

double power_law_exact() {
  const escapade::reference::Diffusion1d d{
      [](double x) { return pl_h * x; },
      [](double x) { return pl_d0 * (1 + pl_r * x * x); },
  };
  return escapade::reference::mfpt_reflecting(d, 0, 0, pl_l, 200000);  // symmetric about 0
}

TEST(KolmogorovMfpt, OneDimensionalKramersWellMatchesQuadrature) {
  const double exact = escapade::reference::kramers_well_mfpt(1, 1, 1, 0.25, 2);
  const auto r = solve_mfpt(kramers_problem(1025));
  RecordProperty("iterations_fine", r.iterations_fine);
  EXPECT_NEAR(r.time / exact - 1, 0, 1e-6) << "T = " << r.time << ", exact " << exact
                                           << ", coarse " << r.coarse << ", fine " << r.fine;
  EXPECT_LE(std::abs(r.time - exact), 3 * r.error + 1e-9 * exact);
  EXPECT_LT(r.iterations_fine, 30);
}

TEST(KolmogorovMfpt, StateDependentDiffusionMatchesQuadrature) {
  const double exact = power_law_exact();
  const auto r = solve_mfpt(power_law_problem(1025));
  EXPECT_NEAR(r.time / exact - 1, 0, 1e-6) << "T = " << r.time << ", exact " << exact;
  EXPECT_LT(r.iterations_fine, 30);
}

TEST(KolmogorovMfpt, SingleGridErrorIsSecondOrder) {
  const double exact = power_law_exact();
  const double e_coarse = solve_mfpt_on_grid(power_law_problem(129), 129).value - exact;
  const double e_fine = solve_mfpt_on_grid(power_law_problem(129), 257).value - exact;
  const double ratio = e_coarse / e_fine;
  EXPECT_GT(ratio, 3.5) << e_coarse << " " << e_fine;
  EXPECT_LT(ratio, 4.5) << e_coarse << " " << e_fine;
}

// L = h‖θ‖²/2, D isotropic, escape at ‖θ‖ ≥ R: T(0) = (1/h) ∫₀^R (e^{h r²/(2D)} − 1)/r dr
// = (1/(2h)) Σ_{k≥1} u^k/(k·k!) with u = h R²/(2D).
double radial_exact(double h, double D, double R) {
  const double u = h * R * R / (2 * D);
  double term = 1;  // u^k / k!
  double sum = 0;
  for (int k = 1; k < 200; ++k) {
    term *= u / k;
    sum += term / k;
    if (term / k < 1e-18 * sum) break;
  }
  return sum / (2 * h);
}

TEST(KolmogorovMfpt, TwoDimensionalRadialWellMatchesExact) {
  constexpr double h = 1, D = 0.25, R = 1;  // u = 2
  KolmogorovProblem p;
  p.dim = 2;
  p.lo = {-1.2, -1.2};
  p.hi = {1.2, 1.2};
  p.start = {0, 0};
  p.drift = [](const double* x, double* out) { out[0] = -h * x[0]; out[1] = -h * x[1]; };
  p.diffusion = [](const double*, double* out) { out[0] = D; out[1] = 0; out[2] = 0; out[3] = D; };
  p.escaped = [](const double* x) { return x[0] * x[0] + x[1] * x[1] >= R * R; };
  p.points = 257;
  const double exact = radial_exact(h, D, R);
  const auto r = solve_mfpt(p);
  RecordProperty("iterations_fine", r.iterations_fine);
  EXPECT_NEAR(r.time / exact - 1, 0, 1e-3) << "T = " << r.time << ", exact " << exact
                                           << ", coarse " << r.coarse << ", fine " << r.fine;
  EXPECT_LT(r.iterations_fine, 40);
  std::printf("radial 2-D: T = %.10g exact %.10g rel %.2e (coarse %.2e, fine %.2e), its %d/%d\n",
              r.time, exact, r.time / exact - 1, r.coarse / exact - 1, r.fine / exact - 1,
              r.iterations_coarse, r.iterations_fine);
}

// Rotated, anisotropic quadratic with a correlated constant D; absorbing right of θ₁ = 0.8 (not
// on a node), reflecting on the rest of the box [−1, 1]².
KolmogorovProblem anisotropic_problem(int points) {
  KolmogorovProblem p;
  p.dim = 2;
  p.lo = {-1, -1};
  p.hi = {1, 1};
  p.start = {0, 0};
  p.drift = [](const double* x, double* out) {
    out[0] = -(2 * x[0] + 0.5 * x[1]);
    out[1] = -(0.5 * x[0] + 1 * x[1]);
  };
  p.diffusion = [](const double* x, double* out) {
    const double s = 1 + 0.5 * x[1] * x[1];
    out[0] = 0.3 * s;
    out[1] = 0.1 * s;
    out[2] = 0.1 * s;
    out[3] = 0.15 * s;
  };
  p.escaped = [](const double* x) { return x[0] >= 0.8; };
  p.points = points;
  return p;
}

TEST(KolmogorovMfpt, AnisotropicTwoDimensionalIsConsistentUnderRefinement) {
  const auto a = solve_mfpt(anisotropic_problem(129));
  const auto b = solve_mfpt(anisotropic_problem(257));
  std::printf("anisotropic 2-D: n=129: T = %.10g ± %.2e (its %d/%d); n=257: T = %.10g ± %.2e "
              "(its %d/%d)\n",
              a.time, a.error, a.iterations_coarse, a.iterations_fine, b.time, b.error,
              b.iterations_coarse, b.iterations_fine);
  EXPECT_GT(b.time, 0);
  EXPECT_LT(b.error, a.error);
  EXPECT_NEAR(a.time / b.time - 1, 0, 1e-3);
  EXPECT_LT(b.iterations_fine, 40);
}

TEST(KolmogorovMfpt, OptionsSelectTheKrylovMethod) {
  auto p = power_law_problem(257);
  p.petsc_options = "-kolmogorov_ksp_type bcgs";
  const auto bcgs = solve_mfpt(p);
  p.petsc_options.clear();
  const auto gmres = solve_mfpt(p);
  EXPECT_NEAR(bcgs.time / gmres.time - 1, 0, 1e-9);
}

TEST(KolmogorovMfpt, UnknownOptionValueThrowsPetscErrorWithPetscsMessage) {
  auto p = power_law_problem(65);
  p.petsc_options = "-kolmogorov_ksp_type no_such_method";
  try {
    solve_mfpt(p);
    FAIL() << "expected PetscError";
  } catch (const escapade::PetscError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_method"), std::string::npos) << e.what();
  }
}

TEST(KolmogorovMfpt, MalformedProblemThrowsConfigError) {
  auto p = power_law_problem(65);
  p.dim = 3;
  EXPECT_THROW(solve_mfpt(p), escapade::ConfigError);
}

}  // namespace
