#pragma once
// Exact-reference mean first-passage time in 1-D or 2-D by the backward Kolmogorov equation
// (SCIENCE.md §1, §6), solved with PETSc (the only PETSc user is this area; no PETSc type here).
//
//   𝓛T = −1 in the box [lo, hi]^d minus the escape set,  𝓛f = b·∇f + Σ_ij D_ij ∂_i∂_j f,
//   T = 0 on the escape set,  ∂T/∂n = 0 on the box faces (reflecting),
//
// for dθ = b dt + sqrt(2D) dW; for SGD's continuous limit b = −∇L and D = lr·Σ(θ)/2, so T is in
// time units t = k·lr (divide by lr for steps). D may be anisotropic (d×d, row-major; only
// D_01 + D_10 enters) and vary with θ. The result is exact up to the reported error when the
// domain minus the escape set is bounded in the directions the drift does not confine.
//
// Discretisation (on n points per axis, nodes x_i = lo + (hi − lo)·i/(n − 1), endpoints exact):
//  * second derivatives by central differences; the cross term by the 4-point diagonal stencil
//    D_01 + D_10 times (T_{++} − T_{+−} − T_{−+} + T_{−−})/(4 h_0 h_1) (needs a box stencil);
//  * the drift b_i ∂_i T by central differences while the cell Péclet number |b_i| h_i / D_ii ≤ 2
//    (the matrix then has non-negative off-diagonal couplings in that direction), otherwise
//    first-order upwind (one-sided towards where b_i points); so the scheme is second order
//    wherever the grid resolves the boundary layers and first order only where it does not;
//  * box faces: mirror ghost nodes (T_{−1} = T_1), second order for ∂T/∂n = 0; the normal drift
//    term vanishes there;
//  * the escape set: grid nodes where `escaped` is true have T = 0. With `subgrid_boundary`
//    (default) a node next to an escaped neighbour also locates the crossing on the link by
//    bisection of `escaped` (so the predicate must describe a region, not only nodes) and uses the
//    Shortley–Weller unequal-arm differences with T = 0 there: second order for curved escape
//    boundaries such as discs instead of the first-order staircase. Cross-term couplings to an
//    escaped diagonal neighbour use T = 0 at that node (first order next to the boundary, only
//    where D_01 ≠ 0).
//
// Solve: on n and 2n − 1 points per axis (nested grids), each by KSP GMRES preconditioned by
// geometric multigrid (PCMG on the DMDA hierarchy, Galerkin coarse operators A_c = RᵀAP so the
// upwinding and the escape set need no rediscretisation, Richardson/SOR smoothing; Chebyshev is
// not used since it needs a real spectrum), rtol 1e-12. Multigrid coarsens by 2 while n − 1 stays
// even and the coarse grid keeps ≥ 33 points per axis: choose n = 2^k·m + 1 (257, 513, 1025...).
// Options (all with the prefix "kolmogorov_") come from a private database holding these defaults
// overridden by `petsc_options`, e.g. "-kolmogorov_ksp_type bcgs -kolmogorov_pc_type gamg"; the
// global PETSc options and the command line do not reach this solver (results do not depend on
// the environment). Unused options are ignored silently.
//
// Result: T at `start` by second-order Richardson extrapolation, time = fine + (fine − coarse)/3,
// error = |fine − coarse|/3 (an estimate: upwinded or non-smooth regions make it less sharp).
// `start` should be a node of the coarse grid (then it is one of the fine grid too); otherwise
// T there is interpolated bilinearly (linearly in 1-D) from the surrounding nodes, also second
// order. Cost: about 10 predicate/drift/diffusion calls per node plus the solves; 2-D at
// n = 513 (fine 1025², 10⁶ unknowns) takes seconds.
//
// Limits: the operator's smallest eigenvalue is ≈ 1/T, so conditioning grows like e^{ΔU/D}.
// Multigrid-GMRES converged in ≤ 55 iterations up to ΔU/D ≈ 30 in tests (≈ 10 for ΔU/D ≤ 20);
// beyond that it stalls and throws (try "-kolmogorov_pc_type lu" on moderate grids), and beyond
// ΔU/D ≈ 35 no double-precision solve of this unweighted form is reliable (LU fails too).
//
// Requires PETSc initialised (PetscSession below, or the application's own PetscInitialize);
// everything runs on PETSC_COMM_SELF, so any rank may call it independently. Throws ConfigError
// for a malformed problem and PetscError (with PETSc's message) when PETSc fails or the Krylov
// solve does not converge (e.g. a region of the box that never reaches the escape set).
#include <array>
#include <functional>
#include <string>

namespace escapade::reference {

struct KolmogorovProblem {
  int dim = 1;                                   // 1 or 2
  std::array<double, 2> lo{};                    // box corner (only [0] used in 1-D)
  std::array<double, 2> hi{};                    // box corner, hi > lo
  std::array<double, 2> start{};                 // where T is reported, inside the box
  std::function<void(const double* x, double* b)> drift;      // b(x), dim values
  std::function<void(const double* x, double* D)> diffusion;  // D(x), dim×dim row-major, D_ii ≥ 0
  std::function<bool(const double* x)> escaped;  // true in the escape set (absorbing)
  int points = 257;                              // n, coarse-grid points per axis (≥ 3)
  std::string petsc_options;                     // "-kolmogorov_..." overrides
  bool subgrid_boundary = true;                  // locate the escape boundary between nodes
};

struct KolmogorovResult {
  double time;          // Richardson-extrapolated T(start)
  double error;         // |fine − coarse|/3
  double coarse;        // T(start) on n points per axis
  double fine;          // T(start) on 2n − 1 points per axis
  int iterations_fine;  // Krylov iterations of the fine solve
  int iterations_coarse;
};

KolmogorovResult solve_mfpt(const KolmogorovProblem& problem);

// One grid only (n points per axis): the building block of solve_mfpt, for convergence studies.
struct KolmogorovGridSolution {
  double value;  // T(start)
  int iterations;
};
KolmogorovGridSolution solve_mfpt_on_grid(const KolmogorovProblem& problem, int points);

// PetscInitializeNoArguments / PetscFinalize for the application and tests. Does nothing (and
// finalises nothing) when PETSc is already initialised; when MPI is already initialised PETSc
// uses it and leaves MPI_Finalize to the application. One per process, outliving every solve.
class PetscSession {
 public:
  // self_only: PETSc's world is this process alone (PETSC_COMM_WORLD = MPI_COMM_SELF), so one
  // rank of an MPI job may initialise it without the others.
  explicit PetscSession(bool self_only = false);
  ~PetscSession();
  PetscSession(const PetscSession&) = delete;
  PetscSession& operator=(const PetscSession&) = delete;

 private:
  bool owns_ = false;
};

}  // namespace escapade::reference
