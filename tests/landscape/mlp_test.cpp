#include "escapade/landscape/mlp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "escapade/core/error.hpp"
#include "escapade/core/linalg.hpp"
#include "escapade/rng/stream.hpp"

namespace {

using escapade::IoError;
using escapade::landscape::Dataset;
using escapade::landscape::kDigitsPath;
using escapade::landscape::load_digits;
using escapade::landscape::Mlp;
using escapade::landscape::MlpSpec;
using escapade::rng::Purpose;
using escapade::rng::Stream;
using V = std::vector<double>;
using Act = MlpSpec::Activation;
using Loss = MlpSpec::Loss;

Stream stream(std::uint64_t trial) { return Stream(27182, 6, trial, Purpose::landscape_data); }

MlpSpec spec(Act a, Loss l) {
  MlpSpec s;
  s.width = 4;
  s.activation = a;
  s.loss = l;
  s.outputs = l == Loss::mse ? 1 : 3;
  return s;
}

// Smallest |z_j| over samples and hidden units: relu finite differences need it well above the
// perturbation of z, which is at most h (‖x‖₁ + 1) per unit step of θ.
double min_abs_preactivation(const Mlp& l, const V& theta) {
  const std::size_t p = l.input_dim(), m = l.spec().width;
  double best = INFINITY;
  for (std::size_t i = 0; i < l.n_samples(); ++i)
    for (std::size_t j = 0; j < m; ++j) {
      double z = theta[m * p + j];
      for (std::size_t q = 0; q < p; ++q) z += theta[j * p + q] * l.inputs()[i * p + q];
      best = std::min(best, std::fabs(z));
    }
  return best;
}

struct Case {
  Act act;
  Loss loss;
};

class MlpDerivatives : public ::testing::TestWithParam<Case> {
 protected:
  // A small landscape and a generic point θ = θ* + 0.3 ζ (not a minimum, so δ ≠ 0 and the
  // curvature of σ matters). For relu, trial ids are tried until every |z| ≥ 0.05.
  void SetUp() override {
    const Case c = GetParam();
    for (std::uint64_t trial = 0; trial < 50; ++trial) {
      Stream s = stream(trial);
      Mlp l = Mlp::generate(spec(c.act, c.loss), 10, 3, 0.5, s);
      V th = l.minimum();
      for (double& t : th) t += 0.3 * s.normal();
      if (c.act != Act::relu || min_abs_preactivation(l, th) >= 0.05) {
        land_ = std::make_unique<Mlp>(std::move(l));
        theta_ = th;
        dir_.resize(th.size());
        for (double& v : dir_) v = s.normal();
        return;
      }
    }
    FAIL() << "no relu point away from the kinks";
  }
  std::unique_ptr<Mlp> land_;
  V theta_, dir_;
};

// Central differences with h = 1e-5: truncation O(h²) ≈ 1e-10, rounding ≈ 1e-16 / h ≈ 1e-11.
// Tolerance 1e-7 (1 + |exact|).
TEST_P(MlpDerivatives, GradientMatchesCentralDifferences) {
  const Mlp& l = *land_;
  const double h = 1e-5;
  V g(l.dim());
  l.gradient(theta_, g);
  for (std::size_t t = 0; t < l.dim(); ++t) {
    V a = theta_, b = theta_;
    a[t] += h;
    b[t] -= h;
    const double fd = (l.value(a) - l.value(b)) / (2 * h);
    EXPECT_NEAR(g[t], fd, 1e-7 * (1 + std::fabs(g[t]))) << "component " << t;
  }
}

TEST_P(MlpDerivatives, SampleGradientMatchesCentralDifferences) {
  const Mlp& l = *land_;
  const double h = 1e-5;
  V g(l.dim());
  for (std::size_t i : {0u, 7u}) {
    l.sample_gradient(i, theta_, g);
    for (std::size_t t = 0; t < l.dim(); ++t) {
      V a = theta_, b = theta_;
      a[t] += h;
      b[t] -= h;
      const double fd = (l.sample_value(i, a) - l.sample_value(i, b)) / (2 * h);
      EXPECT_NEAR(g[t], fd, 1e-7 * (1 + std::fabs(g[t]))) << "sample " << i << " component " << t;
    }
  }
}

// H v against (∇L(θ + h v) − ∇L(θ − h v)) / 2h, h = 1e-5; tolerance 1e-6 (1 + |Hv|) (‖v‖ ≈ √d).
TEST_P(MlpDerivatives, HessianVectorProductMatchesCentralDifferences) {
  const Mlp& l = *land_;
  const double h = 1e-5;
  V hv(l.dim()), ga(l.dim()), gb(l.dim()), a = theta_, b = theta_;
  l.hvp(theta_, dir_, hv);
  for (std::size_t t = 0; t < l.dim(); ++t) a[t] += h * dir_[t], b[t] -= h * dir_[t];
  l.gradient(a, ga);
  l.gradient(b, gb);
  for (std::size_t t = 0; t < l.dim(); ++t)
    EXPECT_NEAR(hv[t], (ga[t] - gb[t]) / (2 * h), 1e-6 * (1 + std::fabs(hv[t]))) << "component " << t;
}

TEST_P(MlpDerivatives, HessianIsSymmetricAndAgreesWithHvp) {
  const Mlp& l = *land_;
  const std::size_t d = l.dim();
  V h(d * d), hv(d), col(d);
  l.hessian(theta_, h);
  l.hvp(theta_, dir_, hv);
  double asym = 0;
  V raw(d);
  for (std::size_t j = 0; j < d; ++j) {
    V e(d, 0.0);
    e[j] = 1;
    l.hvp(theta_, e, raw);
    for (std::size_t k = 0; k < d; ++k) asym = std::max(asym, std::fabs(raw[k] - h[k * d + j]));
  }
  EXPECT_LT(asym, 1e-12);
  for (std::size_t j = 0; j < d; ++j) {
    double s = 0;
    for (std::size_t k = 0; k < d; ++k) s += h[j * d + k] * dir_[k];
    EXPECT_NEAR(s, hv[j], 1e-12 * (1 + std::fabs(hv[j])));
  }
}

TEST_P(MlpDerivatives, MiniBatchGradientIsMeanOfPerSampleGradients) {
  const Mlp& l = *land_;
  const std::size_t d = l.dim();
  const std::vector<std::size_t> idx = {3, 1, 4, 1, 5, 9};
  V G(idx.size() * d), g(d), mean(d, 0.0);
  l.sample_gradients(idx.data(), idx.size(), theta_, G.data());
  l.batch_gradient(idx.data(), idx.size(), theta_, g);
  V gi(d);
  for (std::size_t r = 0; r < idx.size(); ++r) {
    l.sample_gradient(idx[r], theta_, gi);
    for (std::size_t t = 0; t < d; ++t) {
      EXPECT_EQ(G[r * d + t], gi[t]);
      mean[t] += gi[t] / static_cast<double>(idx.size());
    }
  }
  for (std::size_t t = 0; t < d; ++t) EXPECT_NEAR(g[t], mean[t], 1e-14 * (1 + std::fabs(mean[t])));
  // The full batch in index order is the gradient.
  std::vector<std::size_t> all(l.n_samples());
  std::iota(all.begin(), all.end(), 0);
  V full(d);
  l.batch_gradient(all.data(), all.size(), theta_, g);
  l.gradient(theta_, full);
  for (std::size_t t = 0; t < d; ++t) EXPECT_NEAR(g[t], full[t], 1e-14 * (1 + std::fabs(full[t])));
}

// With d < 64 Lanczos spans the whole space, so it must equal the dense eigen-solve.
TEST_P(MlpDerivatives, SharpnessIsTopEigenvalueOfDenseHessianAtThetaStar) {
  const Mlp& l = *land_;
  ASSERT_LT(l.dim(), 64u);
  V h, eig, vec;
  h = escapade::landscape::hessian(l, l.minimum());
  escapade::linalg::symmetric_eigen(h, l.dim(), eig, vec);
  EXPECT_NEAR(l.sharpness(), eig.back(), 1e-9 * (1 + std::fabs(eig.back())));
}

INSTANTIATE_TEST_SUITE_P(ActivationsAndLosses, MlpDerivatives,
                         ::testing::Values(Case{Act::tanh, Loss::mse}, Case{Act::relu, Loss::mse},
                                           Case{Act::softplus, Loss::mse}, Case{Act::tanh, Loss::cross_entropy},
                                           Case{Act::relu, Loss::cross_entropy},
                                           Case{Act::softplus, Loss::cross_entropy}),
                         [](const auto& info) {
                           return std::string(to_string(info.param.act)) + "_" + to_string(info.param.loss);
                         });

TEST(Mlp, ParameterCountAndOrder) {
  MlpSpec s;
  s.width = 5;
  s.outputs = 3;
  s.loss = Loss::cross_entropy;
  EXPECT_EQ(s.dim(7), 5u * 7 + 5 + 3 * 5 + 3);
  // Only c (the last K entries) moves the logits uniformly: softmax loss is invariant to it.
  Stream st = stream(0);
  Mlp l = Mlp::generate(s, 20, 7, 0.1, st);
  V th = l.minimum();
  const double v0 = l.value(th);
  for (std::size_t k = 0; k < 3; ++k) th[th.size() - 1 - k] += 0.7;
  EXPECT_NEAR(l.value(th), v0, 1e-13);
}

TEST(Mlp, NoiselessTeacherMseHasZeroLossAndGradientAtTeacher) {
  for (Act a : {Act::tanh, Act::relu, Act::softplus}) {
    Stream s = stream(3);
    Mlp l = Mlp::generate(spec(a, Loss::mse), 40, 5, 0.0, s);
    EXPECT_EQ(l.value(l.minimum()), 0.0) << to_string(a);
    V g(l.dim());
    l.gradient(l.minimum(), g);
    for (double v : g) EXPECT_EQ(v, 0.0);
    EXPECT_GE(l.sharpness(), 0.0);
  }
}

TEST(Mlp, GeneratorIsDeterministicAndConsumesNoiseAtZeroLabelNoise) {
  Stream a = stream(4), b = stream(4), c = stream(4);
  const Mlp la = Mlp::generate(spec(Act::tanh, Loss::mse), 8, 3, 0.2, a);
  const Mlp lb = Mlp::generate(spec(Act::tanh, Loss::mse), 8, 3, 0.2, b);
  const Mlp lc = Mlp::generate(spec(Act::tanh, Loss::mse), 8, 3, 0.0, c);
  EXPECT_EQ(la.labels(), lb.labels());
  EXPECT_EQ(la.inputs(), lc.inputs());
  EXPECT_EQ(a.normal(), c.normal());
}

TEST(Mlp, RejectsInconsistentInput) {
  MlpSpec s = spec(Act::tanh, Loss::mse);
  EXPECT_THROW(Mlp(s, V{1, 2}, V{1}, V(s.dim(2) - 1)), std::invalid_argument);
  EXPECT_THROW(Mlp(s, V{1, 2, 3}, V{1, 2}, V(s.dim(1))), std::invalid_argument);
  s.outputs = 2;
  EXPECT_THROW(Mlp(s, V{1, 2}, V{1}, V(s.dim(2))), std::invalid_argument);
  MlpSpec ce = spec(Act::tanh, Loss::cross_entropy);
  EXPECT_THROW(Mlp(ce, V{1, 2}, V{3}, V(ce.dim(2))), std::invalid_argument);    // label ≥ K
  EXPECT_THROW(Mlp(ce, V{1, 2}, V{0.5}, V(ce.dim(2))), std::invalid_argument);  // not integral
  EXPECT_THROW(escapade::landscape::parse_activation("sigmoid"), std::invalid_argument);
  EXPECT_EQ(escapade::landscape::parse_loss("cross_entropy"), Loss::cross_entropy);
}

// ---- digits ----

bool have_digits() { return std::filesystem::exists(kDigitsPath); }
#define REQUIRE_DIGITS()                                                                          \
  if (!have_digits())                                                                             \
  GTEST_SKIP() << kDigitsPath << " not found: install python3-sklearn (scripts/setup) to run this"

TEST(Digits, ReadsTheRealFile) {
  REQUIRE_DIGITS();
  const Dataset d = load_digits(kDigitsPath);
  EXPECT_EQ(d.n, 1797u);
  EXPECT_EQ(d.p, 64u);
  EXPECT_EQ(d.classes, 10u);
  ASSERT_EQ(d.x.size(), d.n * 64);
  EXPECT_EQ(d.x[2], 5.0 / 16);  // first line: 0,0,5,13,...
  EXPECT_EQ(d.y[0], 0.0);
  EXPECT_EQ(d.y[1], 1.0);
  EXPECT_EQ(*std::max_element(d.x.begin(), d.x.end()), 1.0);
  V count(10, 0.0);
  for (double y : d.y) count[static_cast<std::size_t>(y)] += 1;
  for (double c : count) EXPECT_GT(c, 170);
}

TEST(Digits, SelectsClassesAndSubsetAndTrainsAsCrossEntropy) {
  REQUIRE_DIGITS();
  const Dataset all = load_digits(kDigitsPath);
  const Dataset d = load_digits(kDigitsPath, 50, {8, 3});
  EXPECT_EQ(d.n, 50u);
  EXPECT_EQ(d.classes, 2u);
  // Rows keep file order; digit 8 becomes class 0, digit 3 class 1.
  std::size_t r = 0;
  for (std::size_t i = 0; i < all.n && r < d.n; ++i) {
    if (all.y[i] != 8 && all.y[i] != 3) continue;
    EXPECT_EQ(d.y[r], all.y[i] == 8 ? 0.0 : 1.0);
    EXPECT_TRUE(std::equal(d.x.begin() + r * 64, d.x.begin() + (r + 1) * 64, all.x.begin() + i * 64));
    ++r;
  }
  MlpSpec s;
  s.width = 6;
  s.outputs = 2;
  s.loss = Loss::cross_entropy;
  Stream st = stream(5);
  Mlp l(s, d, Mlp::random_parameters(s, d.p, st));
  EXPECT_TRUE(std::isfinite(l.value(l.minimum())));
  EXPECT_GT(l.sharpness(), 0.0);
  EXPECT_THROW(load_digits(kDigitsPath, 0, {3, 3}), std::invalid_argument);
  EXPECT_THROW(load_digits(kDigitsPath, 0, {10}), std::invalid_argument);
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("escapade_mlp_test_") + name)).string();
}

TEST(Digits, MissingFileIsAnIoErrorNamingIt) {
  const std::string path = temp_path("does_not_exist.csv.gz");
  try {
    load_digits(path);
    FAIL() << "no exception";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

void expect_io_error_mentioning(const std::string& path, const std::string& needle) {
  try {
    load_digits(path);
    FAIL() << "no exception for " << path;
  } catch (const IoError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  }
}

TEST(Digits, CorruptCopyIsAnIoErrorNamingFileAndLine) {
  const std::string good = "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,"
                           "0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0,0\n";
  const std::string path = temp_path("corrupt.csv");
  const auto write = [&](const std::string& third) {
    std::ofstream(path) << good << good << third << good;
  };
  write("0,0,5,13\n");
  expect_io_error_mentioning(path, "line 3");
  write(good.substr(0, good.size() - 2) + "x\n");
  expect_io_error_mentioning(path, "line 3");
  write("17" + good.substr(1));
  expect_io_error_mentioning(path, "line 3");
  std::ofstream(path) << good << good;
  EXPECT_EQ(load_digits(path).n, 2u);
  std::remove(path.c_str());

  if (have_digits()) {  // a truncated copy of the real gzip file
    std::ifstream in(kDigitsPath, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string cut = temp_path("truncated.csv.gz");
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    try {
      load_digits(cut);
      FAIL() << "no exception for a truncated gzip file";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
    }
    std::remove(cut.c_str());
  }
}

}  // namespace
