#pragma once
// zhu2d (SCIENCE.md §2; reference/seeds-spec.md §2.3(a)): Zhu et al.'s 2-D toy, a finite sum of
// N per-sample losses, each the minimum of a sharp rotated quadratic near (1, 1) and a flat one
// near (−1, −1). From uuujf/SGDNoise `2Dim/model.py`, with one addition (`scale`).
//
//   θ_r = π/4,  K1 = cos θ_r,  K2 = sin θ_r,  K = [[K1, −K2], [K2, K1]]
//   for a data point x = (x0, x1) and w = (w0, w1):
//     u = (w0 − x0 − 1, w1 − x1 − 1)                         (sharp centre (1, 1) + x)
//     v = (w0 − x0 + 1, w1 − x1 + 1)                         (flat centre (−1, −1) + x)
//     sharp(w) = scale · (10 (K1 u0 − K2 u1)² + 100 (K1 u0 + K2 u1)²)
//     flat(w)  = v0² + v1²
//     ℓ_x(w)   = min(sharp(w), flat(w))
//   L(w) = (1/N) Σ_i ℓ_{x_i}(w).
//
// scale = 1 is the paper's landscape; scale > 0 multiplies the sharp branch only, giving a family
// of sharp minima (Hessian eigenvalues 20·scale and 200·scale) at an unchanged flat minimum.
// Per-sample gradients and Hessians are those of the branch that attains the minimum; on a tie
// the sharp branch is used (the flat branch is used only where flat(w) < sharp(w)).
// Branch Hessians: sharp: scale·(20 p pᵀ + 200 q qᵀ), p = (K1, −K2), q = (K1, K2), i.e. eigenvalue
// 20·scale along a = (1, −1)/√2 and 200·scale along b = (1, 1)/√2; flat: 2 I.
// hessian(θ, H) is the mean of the per-sample branch Hessians at θ.
//
// θ* (minimum(), where trials start): if every sample is on the sharp branch, L is the quadratic
// (1/N) Σ_i sharp_i(w), whose gradient (1/N) Σ_i A (w − x_i − (1, 1)) vanishes at
//   θ* = (1, 1) + mean_i x_i.
// The constructor computes this point and checks that every sample is on the sharp branch there
// (sharp_i(θ*) ≤ flat_i(θ*)); then L equals that quadratic on a neighbourhood of θ*, so θ* is a
// local minimum of L. Otherwise it throws std::invalid_argument (data too spread or scale too
// large for the sharp minimum to exist as a minimum of every sample's sharp branch).
// sharpness() = λ_max(H(θ*)) = 200·scale up to rounding (the data shift θ* but not H).
//
// Barrier: the ridge between the minima (SCIENCE.md §4, "barrier" criterion) is crossed when more
// than half of the per-sample losses are on the flat branch: 2·#{i: flat_i(θ) < sharp_i(θ)} > N.
// Along the segment from (1, 1) to (−1, −1) the branches meet ≈ 2√2/11 ≈ 0.257 from (1, 1), where
// L ≈ 6.61 (seeds-spec §2.3(a), scale = 1, data shift ignored).
//
// Data (draw_data): for each point in order, z1 then z2 standard normals from the stream, and
//   x = 0.01 · (√10 z1 (K1, −K2) + z2 (K2, K1)).
// This is the code's X = (randn(N, 2) * [sqrt(10), 1]) @ K * 1e-2: a row (z1, z2) scaled to
// (√10 z1, z2) and multiplied on the right by K gives (√10 z1 K1 + z2 K2, −√10 z1 K2 + z2 K1),
// which is the expression above (randn fills rows first, so z1 then z2 per point). Hence the data
// have standard deviation 0.01·√10 ≈ 0.0316 along a = (K1, −K2) and 0.01 along b = (K2, K1),
// and the per-sample gradient covariance at θ* is Σ_1 = H_s Cov(x) H_s ≈ 0.4 a aᵀ + 4 b bᵀ ∝ H_s.
// Per-trial data come from the trial's rng::Purpose::landscape_data stream.
//
// Units: w and x in parameter units, losses in loss units (the sharp coefficients 10, 100 and the
// flat coefficient 1 in loss/parameter²).
// Job keys: landscape.kind = "zhu2d", landscape.scale (> 0, default 1: the factor on the sharp
// branch above), landscape.samples (N, default 100), landscape.data = "per_trial" (drawn from each
// trial id: the paper's fresh data per repetition) or "per_job" (one data set for the job).
#include <array>
#include <cstddef>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::landscape {

class Zhu2d {
 public:
  using Vector = std::array<double, 2>;
  using Point = std::array<double, 2>;

  // Throws std::invalid_argument if data is empty, scale is not a finite number > 0, or some
  // sample is not on its sharp branch at θ* = (1, 1) + mean(x) (see above).
  explicit Zhu2d(std::vector<Point> data, double scale = 1.0);

  // n points drawn from `stream` as documented above (2n normals, z1 then z2 for each point).
  static std::vector<Point> draw_data(rng::Stream& stream, std::size_t n);

  static constexpr std::size_t dim() { return 2; }
  Vector minimum() const { return theta_star_; }
  std::size_t n_samples() const { return data_.size(); }

  double sample_value(std::size_t i, const Vector& w) const {
    const Branches b = branches(i, w);
    return b.flat < b.sharp ? b.flat : b.sharp;
  }
  void sample_gradient(std::size_t i, const Vector& w, Vector& g) const {
    const Branches b = branches(i, w);
    if (b.flat < b.sharp) {
      g[0] = 2.0 * b.v0;
      g[1] = 2.0 * b.v1;
    } else {
      g[0] = scale_ * (20.0 * b.pa * k1_ + 200.0 * b.pb * k1_);
      g[1] = scale_ * (-20.0 * b.pa * k2_ + 200.0 * b.pb * k2_);
    }
  }
  // True where sample i's flat branch attains the minimum (flat_i(w) < sharp_i(w)).
  bool sample_on_flat_branch(std::size_t i, const Vector& w) const {
    const Branches b = branches(i, w);
    return b.flat < b.sharp;
  }
  // H ← ∇²ℓ_i(w) (2×2 row-major) of the branch that attains the minimum.
  void sample_hessian(std::size_t i, const Vector& w, std::vector<double>& h) const;

  double value(const Vector& w) const {
    double s = 0;
    for (std::size_t i = 0; i < data_.size(); ++i) s += sample_value(i, w);
    return s / static_cast<double>(data_.size());
  }
  void gradient(const Vector& w, Vector& g) const {
    double s0 = 0, s1 = 0;
    Vector gi{};
    for (std::size_t i = 0; i < data_.size(); ++i) {
      sample_gradient(i, w, gi);
      s0 += gi[0];
      s1 += gi[1];
    }
    const double n = static_cast<double>(data_.size());
    g[0] = s0 / n;
    g[1] = s1 / n;
  }
  void hessian(const Vector& w, std::vector<double>& h) const;
  double sharpness() const { return sharpness_; }

  // More than half of the per-sample losses are on the flat branch.
  bool crossed_barrier(const Vector& w) const;

  const std::vector<Point>& data() const { return data_; }
  double scale() const { return scale_; }

 private:
  struct Branches {
    double sharp, flat;
    double pa, pb;  // K1 u0 − K2 u1 and K1 u0 + K2 u1
    double v0, v1;
  };
  Branches branches(std::size_t i, const Vector& w) const {
    const Point& x = data_[i];
    const double u0 = w[0] - x[0] - 1.0, u1 = w[1] - x[1] - 1.0;
    const double v0 = w[0] - x[0] + 1.0, v1 = w[1] - x[1] + 1.0;
    const double pa = k1_ * u0 - k2_ * u1, pb = k1_ * u0 + k2_ * u1;
    return {scale_ * (10.0 * pa * pa + 100.0 * pb * pb), v0 * v0 + v1 * v1, pa, pb, v0, v1};
  }
  void sharp_hessian(double* h) const;

  std::vector<Point> data_;
  double scale_;
  double k1_, k2_;
  Vector theta_star_{};
  double sharpness_ = 0;
};

static_assert(FiniteSum<Zhu2d>);
static_assert(HasBarrier<Zhu2d>);

}  // namespace escapade::landscape
