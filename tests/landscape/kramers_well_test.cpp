#include <cmath>

#include <gtest/gtest.h>

#include "escapade/landscape/kramers_well.hpp"

using escapade::landscape::KramersWell;

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
  EXPECT_DOUBLE_EQ(escapade::landscape::hessian(w, {w.barrier_top()})[0], -0.5);
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

