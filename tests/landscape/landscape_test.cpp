#include <cmath>

#include <gtest/gtest.h>

#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"

using escapade::landscape::KramersWell;
using escapade::landscape::Quadratic;

TEST(KramersWell, IsContinuouslyDifferentiableAtTheJunction) {
  const KramersWell w(3.0, 0.5, 2.0);
  const double s = w.junction();
  const double eps = 1e-9;
  EXPECT_NEAR(w.value({s - eps}), w.value({s + eps}), 1e-8);
  KramersWell::Vector gl{}, gr{};
  w.gradient({s - eps}, gl);
  w.gradient({s + eps}, gr);
  EXPECT_NEAR(gl[0], gr[0], 1e-7);
}

TEST(KramersWell, HasItsBarrierHeightAtTheBarrierTop) {
  const KramersWell w(3.0, 0.5, 2.0);
  EXPECT_DOUBLE_EQ(w.value({w.barrier_top()}), 2.0);
  KramersWell::Vector g{};
  w.gradient({w.barrier_top()}, g);
  EXPECT_DOUBLE_EQ(g[0], 0.0);
  EXPECT_DOUBLE_EQ(w.value({0.0}), 0.0);
  EXPECT_DOUBLE_EQ(w.sharpness(), 3.0);
  EXPECT_DOUBLE_EQ(w.hessian({w.barrier_top()})[0], -0.5);
}

TEST(KramersWell, GradientMatchesFiniteDifferences) {
  const KramersWell w(2.0, 1.0, 1.0);
  for (double x : {-1.0, 0.3, 0.9, 1.2, 1.9, 2.5}) {
    const double h = 1e-6;
    KramersWell::Vector g{};
    w.gradient({x}, g);
    EXPECT_NEAR(g[0], (w.value({x + h}) - w.value({x - h})) / (2 * h), 1e-6) << "x = " << x;
  }
}

TEST(Quadratic, GradientMatchesFiniteDifferencesWithRotation) {
  const Quadratic q({1.0, 4.0, 9.0}, {}, {0.5, -1.0, 2.0});
  const Quadratic r({1.0, 4.0}, escapade::landscape::rotation_2d(0.7), {1.0, -1.0});
  for (const Quadratic* l : {&q, &r}) {
    std::vector<double> x(l->dim()), g(l->dim());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3 * static_cast<double>(i) - 0.2;
    l->gradient(x, g);
    for (std::size_t i = 0; i < x.size(); ++i) {
      auto xp = x, xm = x;
      xp[i] += 1e-6;
      xm[i] -= 1e-6;
      EXPECT_NEAR(g[i], (l->value(xp) - l->value(xm)) / 2e-6, 1e-6);
    }
  }
}

TEST(Quadratic, RotationGivesTheStatedEigenpairs) {
  const double phi = 0.7;
  const Quadratic q({1.0, 4.0}, escapade::landscape::rotation_2d(phi), {});
  const auto H = q.hessian(q.minimum());
  // Column k of Q is the eigenvector of eigenvalue k: H q_k = λ_k q_k.
  const double q0[2] = {std::cos(phi), std::sin(phi)}, q1[2] = {-std::sin(phi), std::cos(phi)};
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(H[i * 2 + 0] * q0[0] + H[i * 2 + 1] * q0[1], 1.0 * q0[i], 1e-12);
    EXPECT_NEAR(H[i * 2 + 0] * q1[0] + H[i * 2 + 1] * q1[1], 4.0 * q1[i], 1e-12);
  }
  EXPECT_DOUBLE_EQ(q.sharpness(), 4.0);
}

TEST(Quadratic, RejectsMismatchedOrNonOrthogonalInput) {
  EXPECT_THROW(Quadratic({1.0, 2.0}, {1.0, 0.0, 0.0}, {}), std::invalid_argument);
  EXPECT_THROW(Quadratic({1.0, 2.0}, {1.0, 0.1, 0.0, 1.0}, {}), std::invalid_argument);
  EXPECT_THROW(Quadratic({1.0, 2.0}, {}, {0.0}), std::invalid_argument);
  EXPECT_THROW(Quadratic({}, {}, {}), std::invalid_argument);
}
