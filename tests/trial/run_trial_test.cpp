// Deterministic properties of one trial: gradient descent without noise, the outcome rules.
#include <cmath>

#include <gtest/gtest.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/kramers_well.hpp"
#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/isotropic.hpp"
#include "escapade/noise/none.hpp"
#include "escapade/trial/run_trial.hpp"

using namespace escapade;

namespace {

// A quadratic whose trials start at `start` instead of at its minimum, so that noise-free runs
// have something to do.
struct StartedQuadratic : landscape::Quadratic {
  Vector start;
  StartedQuadratic(std::vector<double> eig, std::vector<double> rot, Vector s)
      : landscape::Quadratic(std::move(eig), std::move(rot), {}), start(std::move(s)) {}
  Vector minimum() const { return start; }
};

struct FinalState {
  std::vector<double>* out;
  void operator()(const std::vector<double>& theta, const TrialResult&) const { *out = theta; }
};

}  // namespace

TEST(SgdStep, WithoutNoiseIsGradientDescent) {
  const StartedQuadratic land({1.0, 4.0}, landscape::rotation_2d(0.4), {1.0, -0.5});
  const double eta = 0.05;
  const std::uint64_t K = 37;
  rng::Stream stream(1, 2, 3, rng::Purpose::dynamics_noise);
  std::vector<double> final_state;
  const auto r = trial::run_trial(land, noise::NoNoise{}, escape::BallEscape<std::vector<double>>{{0, 0}, 1e9},
                                  dynamics::SgdStep{eta}, trial::TrialSpec{0, 0, K}, stream,
                                  FinalState{&final_state});
  std::vector<double> theta = land.start, g(2);
  for (std::uint64_t k = 0; k < K; ++k) {
    land.gradient(theta, g);
    for (int i = 0; i < 2; ++i) theta[i] = theta[i] - eta * g[i];
  }
  EXPECT_EQ(r.status, TrialStatus::censored);
  EXPECT_EQ(r.steps, K);
  EXPECT_EQ(final_state, theta);  // bit for bit
  EXPECT_EQ(stream.blocks_used(), 0u) << "noise-free runs must not draw random numbers";
}

TEST(SgdStep, EscapeStepIsTheFirstStepOutsideTheBall) {
  // Gradient descent with η λ = 2.5 oscillates outwards by a factor 1.5 per step.
  const StartedQuadratic land({2.5}, {}, {0.01});
  rng::Stream stream(1, 2, 3, rng::Purpose::dynamics_noise);
  const auto r = trial::run_trial(land, noise::NoNoise{}, escape::BallEscape<std::vector<double>>{{0}, 1.0},
                                  dynamics::SgdStep{1.0}, trial::TrialSpec{0, 0, 1000}, stream);
  std::uint64_t k = 0;
  for (double x = 0.01; std::abs(x) <= 1.0; x = x - 2.5 * x) ++k;
  EXPECT_EQ(r.status, TrialStatus::escaped);
  EXPECT_EQ(r.steps, k);
}

TEST(RunTrial, GradientDescentStaysAtTheMinimumAndIsCensored) {
  const landscape::KramersWell w(1.0, 1.0, 1.0);
  rng::Stream stream(1, 2, 3, rng::Purpose::dynamics_noise);
  const auto r = trial::run_trial(w, noise::NoNoise{},
                                  escape::BarrierEscape<landscape::KramersWell>{&w},
                                  dynamics::SgdStep{0.1}, trial::TrialSpec{4, 9, 500}, stream);
  EXPECT_EQ(r.status, TrialStatus::censored);
  EXPECT_EQ(r.steps, 500u);
  EXPECT_EQ(r.config, 4u);
  EXPECT_EQ(r.trial, 9u);
}

TEST(RunTrial, UnstableStepSizeDivergesToNonFinite) {
  const landscape::Quadratic q({3000.0}, {}, {});
  rng::Stream stream(5, 6, 7, rng::Purpose::dynamics_noise);
  const auto r = trial::run_trial(q, noise::IsotropicNoise{1.0},
                                  escape::BallEscape<std::vector<double>>{{0.0}, 1e300},
                                  dynamics::SgdStep{1e-3}, trial::TrialSpec{0, 0, 100000}, stream);
  EXPECT_EQ(r.status, TrialStatus::diverged);
  EXPECT_LT(r.steps, 3000u);  // |1 − ηλ| = 2: about 1024 doublings reach infinity
  EXPECT_GT(r.steps, 900u);
}

TEST(RunTrial, SameStreamGivesTheSameTrial) {
  const landscape::KramersWell w(2.0, 1.0, 0.5);
  const escape::BarrierEscape<landscape::KramersWell> crit{&w};
  rng::Stream s1(11, 22, 33, rng::Purpose::dynamics_noise), s2(11, 22, 33, rng::Purpose::dynamics_noise);
  const auto a = trial::run_trial(w, noise::IsotropicNoise{10.0}, crit, dynamics::SgdStep{0.01},
                                  trial::TrialSpec{0, 33, 10000000}, s1);
  const auto b = trial::run_trial(w, noise::IsotropicNoise{10.0}, crit, dynamics::SgdStep{0.01},
                                  trial::TrialSpec{0, 33, 10000000}, s2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.status, TrialStatus::escaped);
}
