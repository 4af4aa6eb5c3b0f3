#include <cmath>

#include <gtest/gtest.h>

#include "escapade/landscape/quadratic.hpp"

using escapade::landscape::Quadratic;

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
  const auto H = escapade::landscape::hessian(q, q.minimum());
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
