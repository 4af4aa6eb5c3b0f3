#pragma once
// quadratic (SCIENCE.md §2): L(θ) = ½ (θ − θ*)ᵀ H (θ − θ*),  H = Q diag(λ) Qᵀ.
//
// λ = landscape.eigenvalues (all > 0), Q = landscape.rotation (columns are the eigenvectors;
// an orthogonal d×d matrix, or for d = 2 an angle φ giving Q = [[cos φ, −sin φ], [sin φ, cos φ]];
// identity when absent), θ* = landscape.minimum (zeros when absent).
// Sharpness λ_max(H) = max λ. Units: θ in parameter units, λ in loss/parameter².
// The gradient H (θ − θ*) costs d² multiply-adds (d for a diagonal H).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

#include "escapade/landscape/concepts.hpp"

namespace escapade::landscape {

class Quadratic {
 public:
  using Vector = std::vector<double>;

  // rotation: d×d row-major Q, or empty for the identity. Throws std::invalid_argument when the
  // sizes disagree or Q is not orthogonal to 1e-9 (the job layer turns it into a ConfigError).
  Quadratic(std::vector<double> eigenvalues, std::vector<double> rotation, std::vector<double> minimum);

  std::size_t dim() const { return eig_.size(); }
  Vector minimum() const { return min_; }
  double value(const Vector& x) const;
  void gradient(const Vector& x, Vector& g) const {
    const std::size_t d = eig_.size();
    if (diagonal_) {
      for (std::size_t i = 0; i < d; ++i) g[i] = diag_[i] * (x[i] - min_[i]);
      return;
    }
    for (std::size_t i = 0; i < d; ++i) {
      double s = 0;
      for (std::size_t j = 0; j < d; ++j) s += h_[i * d + j] * (x[j] - min_[j]);
      g[i] = s;
    }
  }
  void hessian(const Vector&, std::vector<double>& h) const { std::copy(h_.begin(), h_.end(), h.begin()); }
  double sharpness() const { return sharpness_; }
  const std::vector<double>& eigenvalues() const { return eig_; }

 private:
  std::vector<double> eig_, min_, h_, diag_;  // diag_: H's diagonal
  bool diagonal_ = true;
  double sharpness_ = 0;
};

static_assert(Landscape<Quadratic>);

// Q for a 2-D rotation by angle phi (row-major).
std::vector<double> rotation_2d(double phi);

}  // namespace escapade::landscape
