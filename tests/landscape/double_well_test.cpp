#include "escapade/landscape/double_well.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using escapade::landscape::DoubleWell;

TEST(DoubleWell, QuarterBarrierUnitWidthIsTheShiftedTextbookWell) {
  const DoubleWell w(0.25, 1.0);
  for (double x : {-2.0, -1.3, -1.0, -0.4, 0.0, 0.7, 1.5}) {
    EXPECT_NEAR(w.value({x}), x * x * x * x / 4 - x * x / 2 + 0.25, 1e-15) << "x = " << x;
    DoubleWell::Vector g{};
    w.gradient({x}, g);
    EXPECT_NEAR(g[0], x * x * x - x, 1e-14) << "x = " << x;
  }
}

TEST(DoubleWell, HasMinimaAtPlusMinusWidthAndBarrierAtZero) {
  const DoubleWell w(1.7, 0.6);
  EXPECT_DOUBLE_EQ(w.minimum()[0], -0.6);
  DoubleWell::Vector g{};
  for (double x : {-0.6, 0.0, 0.6}) {
    w.gradient({x}, g);
    EXPECT_NEAR(g[0], 0.0, 1e-14) << "x = " << x;
  }
  EXPECT_DOUBLE_EQ(w.value({-0.6}), 0.0);
  EXPECT_DOUBLE_EQ(w.value({0.6}), 0.0);
  EXPECT_DOUBLE_EQ(w.value({0.0}), 1.7);
  EXPECT_DOUBLE_EQ(w.barrier_top(), 0.0);
  // Everything else lies above the minima and, inside the wells, below the barrier.
  for (double x = -1.2; x <= 1.2; x += 0.01) EXPECT_GE(w.value({x}), 0.0);
  for (double x = -0.59; x <= 0.59; x += 0.01) EXPECT_LE(w.value({x}), 1.7 + 1e-15);
}

TEST(DoubleWell, CurvaturesAreEightAndMinusFourBarrierOverWidthSquared) {
  const DoubleWell w(1.7, 0.6);
  const double c = 1.7 / (0.6 * 0.6);
  std::vector<double> h(1);
  w.hessian({-0.6}, h);
  EXPECT_NEAR(h[0], 8 * c, 1e-12);
  w.hessian({0.6}, h);
  EXPECT_NEAR(h[0], 8 * c, 1e-12);
  w.hessian({0.0}, h);
  EXPECT_NEAR(h[0], -4 * c, 1e-12);
  EXPECT_NEAR(w.sharpness(), 8 * c, 1e-12);
  EXPECT_NEAR(w.barrier_curvature(), -4 * c, 1e-12);
}

TEST(DoubleWell, GradientAndHessianMatchCentralFiniteDifferences) {
  const DoubleWell w(2.0, 1.5);
  const double step = 1e-5;
  for (double x : {-2.3, -1.5, -0.8, -0.1, 0.0, 0.4, 1.1, 1.9}) {
    DoubleWell::Vector g{}, gp{}, gm{};
    w.gradient({x}, g);
    EXPECT_NEAR(g[0], (w.value({x + step}) - w.value({x - step})) / (2 * step), 1e-7) << "x = " << x;
    std::vector<double> h(1);
    w.hessian({x}, h);
    w.gradient({x + step}, gp);
    w.gradient({x - step}, gm);
    EXPECT_NEAR(h[0], (gp[0] - gm[0]) / (2 * step), 1e-7) << "x = " << x;
  }
}

TEST(DoubleWell, BarrierIsCrossedAtZero) {
  const DoubleWell w(1.0, 2.0);
  EXPECT_FALSE(w.crossed_barrier(w.minimum()));
  EXPECT_FALSE(w.crossed_barrier({-1e-12}));
  EXPECT_TRUE(w.crossed_barrier({0.0}));
  EXPECT_TRUE(w.crossed_barrier({2.0}));
}

TEST(DoubleWell, RejectsNonPositiveParameters) {
  EXPECT_THROW(DoubleWell(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(DoubleWell(1.0, -1.0), std::invalid_argument);
  EXPECT_THROW(DoubleWell(NAN, 1.0), std::invalid_argument);
}
