// Finite-sum noises: mini-batch SGD (with and without replacement), Wu et al.'s multiplicative
// weights, and the uniform integers they draw. Statistical checks use fixed seeds and compare in
// standard errors (SE) against the exact covariances of sgd.hpp / multiplicative.hpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "escapade/landscape/quadratic.hpp"
#include "escapade/noise/multiplicative.hpp"
#include "escapade/noise/sgd.hpp"

using namespace escapade;

namespace {

// ℓ_i(θ) = ½ h_i ‖θ − c_i‖² on R², N = 12 hand-set samples. L = (1/N) Σ ℓ_i has Hessian h̄ I
// (h̄ = mean h_i) and minimum θ* = Σ h_i c_i / Σ h_i.
class TwoDimSamples {
 public:
  using Vector = std::array<double, 2>;
  static constexpr std::size_t n = 12;

  std::size_t dim() const { return 2; }
  std::size_t n_samples() const { return n; }
  Vector minimum() const {
    Vector m{0, 0};
    double hs = 0;
    for (std::size_t i = 0; i < n; ++i) {
      hs += h_[i];
      for (std::size_t a = 0; a < 2; ++a) m[a] += h_[i] * c_[i][a];
    }
    for (auto& v : m) v /= hs;
    return m;
  }
  double sample_value(std::size_t i, const Vector& x) const {
    const double dx = x[0] - c_[i][0], dy = x[1] - c_[i][1];
    return 0.5 * h_[i] * (dx * dx + dy * dy);
  }
  void sample_gradient(std::size_t i, const Vector& x, Vector& g) const {
    for (std::size_t a = 0; a < 2; ++a) g[a] = h_[i] * (x[a] - c_[i][a]);
  }
  double value(const Vector& x) const {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += sample_value(i, x);
    return s / static_cast<double>(n);
  }
  void gradient(const Vector& x, Vector& g) const {
    Vector gi{};
    g = {0, 0};
    for (std::size_t i = 0; i < n; ++i) {
      sample_gradient(i, x, gi);
      for (std::size_t a = 0; a < 2; ++a) g[a] += gi[a];
    }
    for (auto& v : g) v /= static_cast<double>(n);
  }
  void hessian(const Vector&, std::vector<double>& hm) const {
    hm = {h_bar(), 0, 0, h_bar()};
  }
  double sharpness() const { return h_bar(); }
  double h_bar() const {
    double s = 0;
    for (double v : h_) s += v;
    return s / static_cast<double>(n);
  }

 private:
  std::array<double, n> h_{0.5, 1.0, 1.5, 2.0, 0.8, 1.2, 3.0, 0.7, 2.5, 1.1, 0.9, 1.8};
  std::array<std::array<double, 2>, n> c_{{{1.0, 0.0},
                                           {-1.0, 0.5},
                                           {0.3, -1.2},
                                           {2.0, 1.0},
                                           {-0.5, -0.7},
                                           {0.8, 1.5},
                                           {-1.5, 0.2},
                                           {0.1, 0.4},
                                           {1.2, -0.3},
                                           {-0.9, -1.1},
                                           {0.6, 0.9},
                                           {-0.2, 1.3}}};
};

// ℓ_i(θ) = θ_i on R^N: ∇ℓ_i = e_i, so B·G is the batch's index-count vector and shows which
// indices a step drew (and how often).
class IndexSamples {
 public:
  using Vector = std::vector<double>;
  explicit IndexSamples(std::size_t n) : n_(n) {}
  std::size_t dim() const { return n_; }
  std::size_t n_samples() const { return n_; }
  Vector minimum() const { return Vector(n_, 0.0); }
  double sample_value(std::size_t i, const Vector& x) const { return x[i]; }
  void sample_gradient(std::size_t i, const Vector&, Vector& g) const {
    for (auto& v : g) v = 0.0;
    g[i] = 1.0;
  }
  double value(const Vector& x) const {
    double s = 0;
    for (double v : x) s += v;
    return s / static_cast<double>(n_);
  }
  void gradient(const Vector&, Vector& g) const {
    for (auto& v : g) v = 1.0 / static_cast<double>(n_);
  }
  void hessian(const Vector&, std::vector<double>& h) const {
    for (auto& v : h) v = 0.0;
  }
  double sharpness() const { return 0.0; }

 private:
  std::size_t n_;
};

static_assert(landscape::FiniteSum<TwoDimSamples>);
static_assert(landscape::FiniteSum<IndexSamples>);
static_assert(noise::NoiseFor<noise::SgdNoise, TwoDimSamples>);
static_assert(noise::NoiseFor<noise::MultiplicativeNoise, TwoDimSamples>);
static_assert(noise::NoiseFor<noise::SgdNoise, IndexSamples>);
static_assert(noise::NoiseFor<noise::MultiplicativeNoise, IndexSamples>);
// Not a finite sum: no per-sample gradients to draw from.
static_assert(!noise::NoiseFor<noise::SgdNoise, landscape::Quadratic>);
static_assert(!noise::NoiseFor<noise::MultiplicativeNoise, landscape::Quadratic>);

using Weights = noise::MultiplicativeNoise::Weights;
constexpr std::array<Weights, 3> all_weights{Weights::gaussian_fisher, Weights::gaussian_cov,
                                             Weights::bernoulli};

rng::Stream stream(std::uint64_t trial) { return rng::Stream(20240611, 77, trial, rng::Purpose::dynamics_noise); }

// `steps` draws of G at fixed θ, row after row (steps × d).
template <class N, class L>
std::vector<double> draw(const N& noise, const L& land, const typename L::Vector& theta, std::size_t steps,
                         std::uint64_t trial) {
  auto s = stream(trial);
  auto ws = noise.workspace(land);
  typename L::Vector g = theta;
  std::vector<double> out;
  out.reserve(steps * g.size());
  for (std::size_t k = 0; k < steps; ++k) {
    noise.stochastic_gradient(land, theta, s, g, ws);
    out.insert(out.end(), g.begin(), g.end());
  }
  return out;
}

template <class L>
std::vector<double> full_gradient(const L& land, const typename L::Vector& theta) {
  typename L::Vector g = theta;
  land.gradient(theta, g);
  return {g.begin(), g.end()};
}

// The sample mean of G within z SE of `mean` (SE² = C_aa / n, from the exact covariance), and
// each entry of the sample covariance within z SE of `cov`. G is not Gaussian, so the SE of
// Ĉ_ab is estimated from the fourth moments: SE = sd((x_a − x̄_a)(x_b − x̄_b)) / sqrt(n).
void expect_moments(const std::vector<double>& x, std::size_t d, const std::vector<double>& mean,
                    const std::vector<double>& cov, double z = 4.0) {
  const std::size_t n = x.size() / d;
  const auto nd = static_cast<double>(n);
  std::vector<double> xbar(d, 0.0);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t a = 0; a < d; ++a) xbar[a] += x[k * d + a];
  for (auto& v : xbar) v /= nd;
  for (std::size_t a = 0; a < d; ++a) {
    const double se = std::sqrt(cov[a * d + a] / nd);
    EXPECT_NEAR(xbar[a], mean[a], z * se + 1e-12) << "mean, component " << a;
  }
  for (std::size_t a = 0; a < d; ++a) {
    for (std::size_t b = a; b < d; ++b) {
      double s1 = 0, s2 = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double y = (x[k * d + a] - xbar[a]) * (x[k * d + b] - xbar[b]);
        s1 += y;
        s2 += y * y;
      }
      const double c = s1 / (nd - 1.0);
      const double var_y = (s2 - s1 * s1 / nd) / (nd - 1.0);
      const double se = std::sqrt(std::max(var_y, 0.0) / nd);
      EXPECT_NEAR(c, cov[a * d + b], z * se + 1e-12)
          << "covariance entry (" << a << ", " << b << "), SE " << se;
    }
  }
}

void expect_matrix_near(const std::vector<double>& a, const std::vector<double>& b, double rel) {
  ASSERT_EQ(a.size(), b.size());
  double scale = 0;
  for (double v : b) scale = std::max(scale, std::fabs(v));
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], rel * scale) << "entry " << i;
}

std::vector<double> scaled(std::vector<double> m, double f) {
  for (auto& v : m) v *= f;
  return m;
}

// The upper z = 4 point (p ≈ 3e-5) of χ² with df degrees of freedom, by Wilson–Hilferty.
double chi2_critical(double df) {
  const double a = 2.0 / (9.0 * df);
  const double c = 1.0 - a + 4.0 * std::sqrt(a);
  return df * c * c * c;
}

// Pearson's statistic of `counts` against equal expected counts.
double chi2_uniform(const std::vector<double>& counts) {
  double total = 0;
  for (double c : counts) total += c;
  const double e = total / static_cast<double>(counts.size());
  double x2 = 0;
  for (double c : counts) x2 += (c - e) * (c - e) / e;
  return x2;
}

const TwoDimSamples land2;
const TwoDimSamples::Vector theta_star = land2.minimum();
const TwoDimSamples::Vector theta_off{theta_star[0] + 1.0, theta_star[1] - 0.6};
constexpr std::size_t n_steps = 200000;

}  // namespace

// ---------------------------------------------------------------- uniform integers (Lemire)

TEST(LemireUniformBelow, IsUniformForSmallNonPowerOfTwo) {
  auto s = stream(1);
  const std::uint64_t m = 7;
  std::vector<double> counts(m, 0.0);
  for (int k = 0; k < 700000; ++k) {
    const std::uint64_t r = noise::uniform_below(s, m);
    ASSERT_LT(r, m);
    counts[r] += 1;
  }
  EXPECT_LT(chi2_uniform(counts), chi2_critical(static_cast<double>(m - 1)));
}

// m = 3·2^62: 2^64 mod m = 2^62, so a quarter of the words are rejected. A plain x mod m would put
// half the mass on [0, m/3) (seen by binning r into thirds); ⌊x m / 2^64⌋ = ⌊3x/4⌋ without the
// rejection would put half the mass on r ≡ 0 (mod 3) (seen by binning r mod 3). Both must be uniform.
TEST(LemireUniformBelow, IsUniformForLargeNonPowerOfTwo) {
  auto s = stream(2);
  const std::uint64_t m = 3ULL << 62;
  std::vector<double> thirds(3, 0.0), residues(3, 0.0);
  for (int k = 0; k < 300000; ++k) {
    const std::uint64_t r = noise::uniform_below(s, m);
    ASSERT_LT(r, m);
    thirds[r >> 62] += 1;
    residues[r % 3] += 1;
  }
  EXPECT_LT(chi2_uniform(thirds), chi2_critical(2.0));
  EXPECT_LT(chi2_uniform(residues), chi2_critical(2.0));
}

TEST(LemireUniformBelow, IsTheHighWordOfTheProductWhenNothingIsRejected) {
  auto a = stream(3), b = stream(3);
  for (std::uint64_t m : {1ULL, 2ULL, 12ULL, 1000003ULL}) {
    const std::uint64_t x = b.next_u64();
    __extension__ using U128 = unsigned __int128;
    const U128 p = static_cast<U128>(x) * m;
    ASSERT_GE(static_cast<std::uint64_t>(p), m);  // no rejection for these words
    EXPECT_EQ(noise::uniform_below(a, m), static_cast<std::uint64_t>(p >> 64)) << "m = " << m;
  }
}

// ---------------------------------------------------------------- SGD

TEST(SgdNoise, WithoutReplacementHasExactSamplingCovariance) {
  const std::size_t b = 4, n = TwoDimSamples::n;
  const noise::SgdNoise sgd{b, false};
  const double factor = static_cast<double>(n - b) / static_cast<double>(b * (n - 1));
  std::uint64_t trial = 10;
  for (const auto& theta : {theta_off, theta_star}) {
    SCOPED_TRACE(theta == theta_star ? "at theta*" : "away from theta*");
    const auto sigma1 = noise::per_sample_gradient_covariance(land2, theta);
    const auto cov = sgd.covariance(land2, theta);
    expect_matrix_near(cov, scaled(sigma1, factor), 1e-14);
    expect_moments(draw(sgd, land2, theta, n_steps, trial++), 2, full_gradient(land2, theta), cov);
  }
}

TEST(SgdNoise, WithReplacementHasCovarianceSigma1OverB) {
  const std::size_t b = 4;
  const noise::SgdNoise sgd{b, true};
  std::uint64_t trial = 20;
  for (const auto& theta : {theta_off, theta_star}) {
    SCOPED_TRACE(theta == theta_star ? "at theta*" : "away from theta*");
    const auto cov = sgd.covariance(land2, theta);
    expect_matrix_near(cov, scaled(noise::per_sample_gradient_covariance(land2, theta), 1.0 / 4.0), 1e-14);
    // The two samplings differ by (N−1)/(N−B) = 1.375 in covariance: far more than the SEs here.
    const auto without = noise::SgdNoise{b, false}.covariance(land2, theta);
    EXPECT_GT(cov[0], 1.3 * without[0]);
    expect_moments(draw(sgd, land2, theta, n_steps, trial++), 2, full_gradient(land2, theta), cov);
  }
}

TEST(SgdNoise, Sigma1IsSecondMomentMinusGradientOuterProduct) {
  const auto f = noise::per_sample_gradient_second_moment(land2, theta_off);
  const auto g = full_gradient(land2, theta_off);
  const auto s = noise::per_sample_gradient_covariance(land2, theta_off);
  for (std::size_t a = 0; a < 2; ++a)
    for (std::size_t b = 0; b < 2; ++b) EXPECT_NEAR(s[a * 2 + b], f[a * 2 + b] - g[a] * g[b], 1e-12);
}

TEST(SgdNoise, FullBatchWithoutReplacementIsGradientDescent) {
  const noise::SgdNoise sgd{TwoDimSamples::n, false};
  const auto x = draw(sgd, land2, theta_off, 1000, 30);
  const auto grad = full_gradient(land2, theta_off);
  for (std::size_t k = 0; k < 1000; ++k) {
    EXPECT_EQ(x[2 * k], x[0]);  // the same bits every step: zero variance
    EXPECT_EQ(x[2 * k + 1], x[1]);
  }
  EXPECT_NEAR(x[0], grad[0], 1e-12);
  EXPECT_NEAR(x[1], grad[1], 1e-12);
  for (double v : sgd.covariance(land2, theta_off)) EXPECT_EQ(v, 0.0);
}

// ℓ_i = θ_i: B·G counts each index's appearances in the batch. Without replacement every count is
// 0 or 1 and they sum to B. The marginal frequencies are then uniform (B/N each); since one step's
// indicators are negatively correlated (Cov = −(B/N)(1−B/N)/(N−1)), Pearson's statistic is
// rescaled by (N−1)/(N−B) to be χ² with N−1 degrees of freedom.
TEST(SgdNoise, WithoutReplacementBatchesHaveDistinctIndicesWithUniformFrequencies) {
  const std::size_t n = 13, b = 5, steps = 100000;
  const IndexSamples land(n);
  const noise::SgdNoise sgd{b, false};
  const auto x = draw(sgd, land, land.minimum(), steps, 40);
  std::vector<double> freq(n, 0.0);
  for (std::size_t k = 0; k < steps; ++k) {
    std::size_t in_batch = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double c = x[k * n + i] * static_cast<double>(b);
      ASSERT_TRUE(std::fabs(c) < 1e-9 || std::fabs(c - 1.0) < 1e-9) << "index " << i << " drawn " << c << " times";
      if (c > 0.5) {
        ++in_batch;
        freq[i] += 1;
      }
    }
    ASSERT_EQ(in_batch, b);
  }
  const double x2 = chi2_uniform(freq) * static_cast<double>(n - 1) / static_cast<double>(n - b);
  EXPECT_LT(x2, chi2_critical(static_cast<double>(n - 1)));
}

// The index array is never reset, yet every step's batch is a uniform B-subset independent of the
// previous one: over N = 6, B = 3 all 20 subsets are equally frequent (multinomial χ², 19 degrees
// of freedom), and so are all 400 (previous, next) pairs of consecutive batches (399 degrees of
// freedom; a shuffle that depended on the array's order, e.g. j drawn from [k+1, N), fails here).
TEST(SgdNoise, WithoutReplacementBatchIsAUniformSubsetIndependentOfThePrevious) {
  const std::size_t n = 6, b = 3, steps = 400000;
  const IndexSamples land(n);
  const auto x = draw(noise::SgdNoise{b, false}, land, land.minimum(), steps, 41);
  std::map<unsigned, double> subsets, pairs;
  unsigned previous = 0;
  for (std::size_t k = 0; k < steps; ++k) {
    unsigned mask = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (x[k * n + i] > 0.5 / static_cast<double>(b)) mask |= 1U << i;
    subsets[mask] += 1;
    if (k > 0) pairs[previous << n | mask] += 1;
    previous = mask;
  }
  ASSERT_EQ(subsets.size(), 20U);
  ASSERT_EQ(pairs.size(), 400U);
  std::vector<double> counts, pair_counts;
  for (const auto& [mask, c] : subsets) {
    EXPECT_EQ(__builtin_popcount(mask), static_cast<int>(b));
    counts.push_back(c);
  }
  for (const auto& [key, c] : pairs) pair_counts.push_back(c);
  EXPECT_LT(chi2_uniform(counts), chi2_critical(19.0));
  EXPECT_LT(chi2_uniform(pair_counts), chi2_critical(399.0));
}

// With replacement the N·steps·B draws are multinomial with equal cells.
TEST(SgdNoise, WithReplacementIndexFrequenciesAreUniform) {
  const std::size_t n = 13, b = 5, steps = 100000;
  const IndexSamples land(n);
  const auto x = draw(noise::SgdNoise{b, true}, land, land.minimum(), steps, 42);
  std::vector<double> freq(n, 0.0);
  bool repeated = false;
  for (std::size_t k = 0; k < steps; ++k) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double c = std::round(x[k * n + i] * static_cast<double>(b));
      freq[i] += c;
      total += c;
      repeated = repeated || c > 1.0;
    }
    ASSERT_EQ(total, static_cast<double>(b));
  }
  EXPECT_TRUE(repeated);  // with replacement, some batch holds an index twice
  EXPECT_LT(chi2_uniform(freq), chi2_critical(static_cast<double>(n - 1)));
}

TEST(SgdNoise, RejectsBatchSizesOutsideOneToNWithoutReplacement) {
  EXPECT_THROW(noise::SgdNoise({0, false}).workspace(land2), std::invalid_argument);
  EXPECT_THROW(noise::SgdNoise({TwoDimSamples::n + 1, false}).workspace(land2), std::invalid_argument);
  EXPECT_NO_THROW(noise::SgdNoise({TwoDimSamples::n + 1, true}).workspace(land2));  // with replacement any B
  EXPECT_NO_THROW(noise::SgdNoise({TwoDimSamples::n, true}).workspace(land2));
}

// ---------------------------------------------------------------- multiplicative (Wu et al.)

TEST(MultiplicativeNoise, EachWeightingHasItsExactCovarianceAwayFromTheMinimum) {
  const noise::SgdNoise sgd{4, false};
  std::uint64_t trial = 50;
  for (Weights w : all_weights) {
    SCOPED_TRACE(std::string(noise::to_string(w)));
    const noise::MultiplicativeNoise mult{w, 4};
    const auto cov = mult.covariance(land2, theta_off);
    const auto sgd_cov = sgd.covariance(land2, theta_off);
    if (w == Weights::gaussian_cov) {
      expect_matrix_near(cov, sgd_cov, 1e-12);  // Σ₁-based: SGD's covariance at every θ
    } else {
      // Fisher-based: c_B (Σ₁ + ∇L∇Lᵀ), visibly larger than SGD's away from the minimum.
      const auto g = full_gradient(land2, theta_off);
      const double c = mult.matched_factor(TwoDimSamples::n);
      std::vector<double> expected = sgd_cov;
      for (std::size_t a = 0; a < 2; ++a)
        for (std::size_t b = 0; b < 2; ++b) expected[a * 2 + b] += c * g[a] * g[b];
      expect_matrix_near(cov, expected, 1e-12);
      EXPECT_GT(cov[0], 1.2 * sgd_cov[0]);
    }
    expect_moments(draw(mult, land2, theta_off, n_steps, trial++), 2, full_gradient(land2, theta_off), cov);
  }
}

TEST(MultiplicativeNoise, EveryWeightingMatchesSgdAtTheMinimum) {
  const std::size_t b = 4, n = TwoDimSamples::n;
  const double factor = static_cast<double>(n - b) / static_cast<double>(b * (n - 1));
  const auto sgd_cov = scaled(noise::per_sample_gradient_covariance(land2, theta_star), factor);
  std::uint64_t trial = 60;
  for (Weights w : all_weights) {
    SCOPED_TRACE(std::string(noise::to_string(w)));
    const noise::MultiplicativeNoise mult{w, b};
    EXPECT_NEAR(mult.factor(n), factor, 1e-15);
    expect_matrix_near(mult.covariance(land2, theta_star), sgd_cov, 1e-12);
    expect_moments(draw(mult, land2, theta_star, n_steps, trial++), 2, full_gradient(land2, theta_star),
                   sgd_cov);
  }
}

TEST(MultiplicativeNoise, MatchedParametersFollowTheBatchSize) {
  const std::size_t n = 12, b = 4;
  const noise::MultiplicativeNoise mult{Weights::bernoulli, b};
  const double s2 = 12.0 * 8.0 / (4.0 * 11.0);
  EXPECT_NEAR(mult.s2(n), s2, 1e-15);
  EXPECT_NEAR(mult.bernoulli_p(n), 1.0 / (1.0 + s2), 1e-15);
  const noise::MultiplicativeNoise full{Weights::gaussian_fisher, n};
  EXPECT_EQ(full.s2(n), 0.0);
  EXPECT_EQ(full.bernoulli_p(n), 1.0);
}

TEST(MultiplicativeNoise, FullBatchIsGradientDescent) {
  const auto grad = full_gradient(land2, theta_off);
  for (Weights w : all_weights) {
    SCOPED_TRACE(std::string(noise::to_string(w)));
    const noise::MultiplicativeNoise mult{w, TwoDimSamples::n};
    const auto x = draw(mult, land2, theta_off, 200, 70);
    for (std::size_t k = 0; k < 200; ++k) {
      EXPECT_NEAR(x[2 * k], grad[0], 1e-12);
      EXPECT_NEAR(x[2 * k + 1], grad[1], 1e-12);
    }
    for (double v : mult.covariance(land2, theta_off)) EXPECT_EQ(v, 0.0);
  }
}

TEST(MultiplicativeNoise, WeightNamesRoundTrip) {
  for (Weights w : all_weights) EXPECT_EQ(noise::parse_weights(noise::to_string(w)), w);
  EXPECT_FALSE(noise::parse_weights("gaussian").has_value());
  EXPECT_THROW(noise::MultiplicativeNoise({Weights::gaussian_cov, 0}).workspace(land2), std::invalid_argument);
  EXPECT_THROW(noise::MultiplicativeNoise({Weights::gaussian_cov, 13}).workspace(land2), std::invalid_argument);
}

// ---------------------------------------------------------------- determinism

TEST(FiniteSumNoiseDeterminism, SameStreamGivesSameGradients) {
  const auto same = [](const auto& noise) {
    const auto a = draw(noise, land2, theta_off, 500, 80);
    const auto b = draw(noise, land2, theta_off, 500, 80);
    const auto c = draw(noise, land2, theta_off, 500, 81);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
  };
  same(noise::SgdNoise{4, false});
  same(noise::SgdNoise{4, true});
  for (Weights w : all_weights) {
    SCOPED_TRACE(std::string(noise::to_string(w)));
    same(noise::MultiplicativeNoise{w, 4});
  }
}
