#pragma once
// noise.kind = "covariance": Gaussian gradient noise with a constant full covariance.
//
//   ξ_k ~ N(0, Σ),  ξ_k = L z_k,  L Lᵀ = Σ (lower-triangular Cholesky factor, computed once),
//   z_k = d standard normals drawn from the trial's stream in coordinate order.
//
// Σ (d×d, row-major) is in gradient units, (loss/parameter)²: the step is θ − η(∇L + ξ), so the
// per-step parameter noise has covariance η²Σ and the continuous limit dθ = −∇L dt + sqrt(ηΣ) dW
// (SCIENCE.md §1). The job layer converts `units = "parameter"` (Σ_step = η²Σ) before calling us.
// Σ must be symmetric (to 1e-12 of its largest entry) and positive semi-definite (smallest
// eigenvalue ≥ −1e-10 of the largest |eigenvalue|); otherwise the constructor throws
// std::invalid_argument. Rank-deficient Σ is allowed: the Cholesky factor then has zero columns.
//
// This header also holds what every Gaussian model with a dense factor shares (At, and the
// allocation-free factorisations in namespace detail, implemented in src/noise/gaussian.cpp).
#include <cstddef>
#include <vector>

#include "escapade/noise/concepts.hpp"

namespace escapade::noise {

// Where a state-dependent covariance is evaluated: once at θ* = land.minimum() (and then fixed),
// or at the current iterate θ_k at every step (job key noise.at = "minimum" | "current").
enum class At { minimum, current };

namespace detail {

// Eigen-decomposition of the symmetric d×d matrix a by cyclic Jacobi rotations, the algorithm of
// linalg::symmetric_eigen, into caller buffers and without allocation: a = V diag(w) Vᵀ, w
// ascending (ties keep Jacobi's order), column k of V (v[i*d + k]) the unit eigenvector of w[k].
// work: d² scratch. a is not modified (it may not alias work or v).
void symmetric_eigen_into(const double* a, std::size_t d, double* w, double* v, double* work) noexcept;

// The eigenvector of the largest eigenvalue of the symmetric a, as symmetric_eigen_into finds it,
// with its sign fixed so that its entry of largest magnitude (the first, on ties) is positive.
// Writes u (d entries) and returns the eigenvalue. w, v, work as for symmetric_eigen_into.
double top_eigenvector_into(const double* a, std::size_t d, double* u, double* w, double* v,
                            double* work) noexcept;

// Lower-triangular l with a ≈ l lᵀ for a symmetric a that is positive semi-definite up to
// rounding: a pivot ≤ 1e-12·max a_ii (negative ones included) is treated as zero and its column
// of l left zero. Never fails; no allocation. l: d² entries (overwritten).
void psd_cholesky_into(const double* a, std::size_t d, double* l) noexcept;

// x ← F z for a d×d row-major F.
inline void apply_factor(const double* f, std::size_t d, const double* z, double* x) noexcept {
  for (std::size_t i = 0; i < d; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += f[i * d + j] * z[j];
    x[i] = s;
  }
}

// F F ᵀ as a new d×d matrix (for covariance(), not for the step loop).
std::vector<double> outer_square(const std::vector<double>& f, std::size_t d);

// Throws std::invalid_argument naming `what` unless x is finite and ≥ 0.
void require_nonnegative(double x, const char* what);

}  // namespace detail

class CovarianceNoise {
 public:
  static constexpr bool is_zero = false;
  static constexpr bool replaces_gradient = false;

  struct Workspace {
    std::vector<double> z;  // the step's d standard normals
  };

  // sigma: d×d row-major Σ. Throws std::invalid_argument for a wrong size, an asymmetric or
  // indefinite Σ, or non-finite entries.
  CovarianceNoise(std::vector<double> sigma, std::size_t d);

  std::size_t dim() const { return d_; }
  const std::vector<double>& sigma() const { return sigma_; }
  const std::vector<double>& factor() const { return l_; }  // L, d×d row-major

  // Throws std::invalid_argument when land.dim() differs from dim().
  template <class L>
  Workspace workspace(const L& land) const {
    check_dim(land.dim());
    return {std::vector<double>(d_)};
  }
  template <class L, class V>
  void sample(const L&, const V&, rng::Stream& s, V& xi, Workspace& ws) const {
    for (std::size_t j = 0; j < d_; ++j) ws.z[j] = s.normal();
    for (std::size_t i = 0; i < d_; ++i) {
      double x = 0;
      for (std::size_t j = 0; j <= i; ++j) x += l_[i * d_ + j] * ws.z[j];
      xi[i] = x;
    }
  }
  // Σ itself (as given, after exact symmetrisation ½(Σ + Σᵀ)).
  template <class L>
  std::vector<double> covariance(const L&, const typename L::Vector&) const {
    return sigma_;
  }

 private:
  void check_dim(std::size_t d) const;
  std::size_t d_;
  std::vector<double> sigma_, l_;
};

}  // namespace escapade::noise
