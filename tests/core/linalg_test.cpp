#include <cmath>

#include <gtest/gtest.h>

#include "escapade/core/linalg.hpp"

using namespace escapade::linalg;

namespace {
std::vector<double> spd3() { return {4, 1, 0.5, 1, 3, -0.2, 0.5, -0.2, 2}; }
}  // namespace

TEST(Linalg, CholeskyReproducesTheMatrix) {
  const auto a = spd3();
  std::vector<double> l;
  ASSERT_TRUE(cholesky(a, 3, l));
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      double s = 0;
      for (std::size_t k = 0; k < 3; ++k) s += l[i * 3 + k] * l[j * 3 + k];
      EXPECT_NEAR(s, a[i * 3 + j], 1e-13);
    }
}

TEST(Linalg, CholeskyHandlesRankDeficientAndRejectsIndefinite) {
  // u uᵀ with u = (1, 2): rank one.
  std::vector<double> l;
  ASSERT_TRUE(cholesky({1, 2, 2, 4}, 2, l));
  EXPECT_NEAR(l[0], 1, 1e-15);
  EXPECT_NEAR(l[2], 2, 1e-15);
  EXPECT_NEAR(l[3], 0, 1e-7);
  EXPECT_FALSE(cholesky({1, 0, 0, -1}, 2, l));
}

TEST(Linalg, SymmetricEigenGivesOrthonormalEigenpairs) {
  const auto a = spd3();
  std::vector<double> w, v;
  symmetric_eigen(a, 3, w, v);
  EXPECT_LE(w[0], w[1]);
  EXPECT_LE(w[1], w[2]);
  EXPECT_NEAR(w[0] + w[1] + w[2], 9.0, 1e-12);
  for (std::size_t k = 0; k < 3; ++k) {
    double x[3] = {v[0 * 3 + k], v[1 * 3 + k], v[2 * 3 + k]}, y[3];
    matvec(a, 3, x, y);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(y[i], w[k] * x[i], 1e-12);
    EXPECT_NEAR(x[0] * x[0] + x[1] * x[1] + x[2] * x[2], 1.0, 1e-12);
  }
}

TEST(Linalg, SolveSpdAndTraces) {
  const auto a = spd3();
  const auto x = solve_spd(a, 3, {1, 2, 3});
  double y[3];
  matvec(a, 3, x.data(), y);
  EXPECT_NEAR(y[0], 1, 1e-13);
  EXPECT_NEAR(y[1], 2, 1e-13);
  EXPECT_NEAR(y[2], 3, 1e-13);
  EXPECT_DOUBLE_EQ(trace(a, 3), 9.0);
  EXPECT_NEAR(trace_product(a, a, 3), 16 + 9 + 4 + 2 * (1 + 0.25 + 0.04), 1e-12);
  EXPECT_THROW(solve_spd({1, 0, 0, 0}, 2, {1, 1}), std::invalid_argument);
}
