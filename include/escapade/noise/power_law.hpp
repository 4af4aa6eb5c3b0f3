#pragma once
// noise.kind = "power_law" (Meng, Gong, Chen, Ma, Liu, "Dynamic of SGD with state-dependent
// noise"; seeds-spec §3.1–3.2): Gaussian noise whose variance grows quadratically away from the
// minimum θ* = land.minimum().
//
//   1-D:  Var ξ(θ) = var_g + var_h (θ − θ*)²,
//   d-D:  independent coordinates, Σ(θ) = diag(var_g + var_h (θ_j − θ*_j)²)  (our documented
//         choice: the paper's multi-dimensional form needs alignment assumptions that are not
//         verified, seeds-spec §3.2),
//   ξ_j = sqrt(Σ_jj(θ)) z_j,  z = d standard normals drawn in coordinate order.
//
// var_g (noise.var_g, σ_g in SCIENCE.md) and var_h (noise.var_h, σ_H) are in gradient units:
// var_g in (loss/parameter)², var_h in (loss/parameter²)². The step is θ − η(∇L + ξ), so the 1-D
// continuous limit dX = −U'(X) dt + sqrt(2 D(X)) dW has
//   D(x) = η (var_g + var_h x²) / 2 = D_0 (1 + r x²),  D_0 = η var_g / 2,  r = var_h / var_g,
// x = θ − θ*, and on a quadratic well U = h x²/2 the stationary law ∝ (1 + r x²)^{−κ} with
// κ = 1 + h / (η var_h) (SGD with batch B: var_g = σ_g/B, var_h = σ_H/B gives κ = 1 + B h/(η σ_H),
// seeds-spec §3.2). The escape time is then polynomial in the barrier height.
#include <cmath>
#include <cstddef>
#include <vector>

#include "escapade/noise/concepts.hpp"

namespace escapade::noise {

class PowerLawNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;

  template <class V>
  struct Workspace {
    V center;  // θ*
  };

  // Throws std::invalid_argument unless var_g, var_h are finite and ≥ 0.
  PowerLawNoise(double var_g, double var_h);

  double var_g() const { return var_g_; }
  double var_h() const { return var_h_; }
  // D(x) = η (var_g + var_h x²) / 2 at displacement x = θ − θ* (one coordinate).
  double diffusion(double eta, double x) const { return 0.5 * eta * (var_g_ + var_h_ * x * x); }

  template <class L>
  Workspace<typename L::Vector> workspace(const L& land) const {
    return {land.minimum()};
  }
  template <class L, class V>
  void sample(const L&, const V& theta, rng::Stream& s, V& xi, Workspace<V>& ws) const {
    for (std::size_t j = 0; j < theta.size(); ++j) {
      const double z = s.normal();
      const double x = theta[j] - ws.center[j];
      xi[j] = std::sqrt(var_g_ + var_h_ * x * x) * z;
    }
  }
  // diag(var_g + var_h (θ_j − θ*_j)²), d×d row-major.
  template <class L>
  std::vector<double> covariance(const L& land, const typename L::Vector& theta) const {
    const typename L::Vector center = land.minimum();
    const std::size_t d = land.dim();
    std::vector<double> c(d * d, 0.0);
    for (std::size_t j = 0; j < d; ++j) {
      const double x = theta[j] - center[j];
      c[j * d + j] = var_g_ + var_h_ * x * x;
    }
    return c;
  }

 private:
  double var_g_, var_h_;
};

}  // namespace escapade::noise
