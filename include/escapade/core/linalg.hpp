#pragma once
// Small dense linear algebra for d×d symmetric matrices (d up to a few hundred), row-major
// std::vector<double>. Used once per configuration or per step of low-dimensional models;
// nothing here is meant for large d.
#include <cstddef>
#include <vector>

namespace escapade::linalg {

// Lower-triangular L with A = L Lᵀ for a symmetric positive semi-definite A (d×d). Pivots below
// `tol`·max|A_ii| are treated as zero (their column of L is zero), so semi-definite and rank-
// deficient covariances factor too. Returns false when A has a clearly negative direction.
bool cholesky(const std::vector<double>& a, std::size_t d, std::vector<double>& l, double tol = 1e-12);

// Eigen-decomposition of a symmetric A by cyclic Jacobi rotations: A = V diag(w) Vᵀ, w ascending,
// column k of V (row-major: v[i*d + k]) the unit eigenvector of w[k]. Accurate to ~1e-14·‖A‖.
void symmetric_eigen(const std::vector<double>& a, std::size_t d, std::vector<double>& w,
                     std::vector<double>& v);
// The same on caller buffers (w: d, v and work: d²), without allocation: for per-step use.
// Eigenvalues ascending by a stable insertion sort of the columns.
void symmetric_eigen_into(const double* a, std::size_t d, double* w, double* v, double* work) noexcept;

// y ← A x (d×d times d).
void matvec(const std::vector<double>& a, std::size_t d, const double* x, double* y);

double trace(const std::vector<double>& a, std::size_t d);
// Tr(A B) for d×d matrices.
double trace_product(const std::vector<double>& a, const std::vector<double>& b, std::size_t d);

// Solves A x = b for symmetric positive definite A (throws std::invalid_argument if it is not).
std::vector<double> solve_spd(const std::vector<double>& a, std::size_t d, const std::vector<double>& b);

}  // namespace escapade::linalg
