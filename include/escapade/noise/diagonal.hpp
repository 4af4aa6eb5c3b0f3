#pragma once
// noise.kind = "diagonal" (Zhu et al.'s "GLD diag"): independent Gaussian components.
//
//   Σ = diag(v),  ξ_j = sqrt(v_j) z_j,  j = 1..d,
//
// z = d standard normals drawn from the trial's stream in coordinate order (one per component,
// also where v_j = 0). v_j ≥ 0 are variances in gradient units, (loss/parameter)²; the step is
// θ − η(∇L + ξ), so the per-step parameter variance is η² v_j and component j of the continuous
// limit has diffusion coefficient D_j = η v_j / 2 (SCIENCE.md §1).
//
// diagonal_of(Σ, d, trace) builds Zhu et al.'s matched form: v_j = trace · Σ_jj / Tr Σ, i.e. the
// diagonal of a covariance Σ (e.g. SGD's) rescaled to a given total variance (2-D toy code:
// std_j = sqrt(C_jj / Tr C · noise_std)). Pass trace = Tr Σ to keep Σ's own diagonal.
#include <cstddef>
#include <vector>

#include "escapade/noise/concepts.hpp"

namespace escapade::noise {

class DiagonalNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;

  // Throws std::invalid_argument when v is empty or some v_j is negative or not finite.
  explicit DiagonalNoise(std::vector<double> variances);

  // v_j = trace · Σ_jj / Tr Σ for a d×d row-major Σ with non-negative diagonal and Tr Σ > 0, and
  // trace ≥ 0 (throws std::invalid_argument otherwise).
  static DiagonalNoise diagonal_of(const std::vector<double>& sigma, std::size_t d, double trace);

  std::size_t dim() const { return v_.size(); }
  const std::vector<double>& variances() const { return v_; }

  // Throws std::invalid_argument when land.dim() differs from dim().
  template <class L>
  NoWorkspace workspace(const L& land) const {
    check_dim(land.dim());
    return {};
  }
  template <class L, class V>
  void sample(const L&, const V&, rng::Stream& s, V& xi, NoWorkspace&) const {
    for (std::size_t j = 0; j < sd_.size(); ++j) xi[j] = sd_[j] * s.normal();
  }
  // diag(v), d×d row-major.
  template <class L>
  std::vector<double> covariance(const L&, const typename L::Vector&) const {
    const std::size_t d = v_.size();
    std::vector<double> c(d * d, 0.0);
    for (std::size_t j = 0; j < d; ++j) c[j * d + j] = v_[j];
    return c;
  }

 private:
  void check_dim(std::size_t d) const;
  std::vector<double> v_, sd_;  // sd_j = sqrt(v_j)
};

}  // namespace escapade::noise
