#include "escapade/reference/kolmogorov.hpp"

#include <petscdmda.h>
#include <petscksp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "escapade/core/error.hpp"

namespace escapade::reference {

namespace {

// PETSc reports an error through the handler stack, innermost frame first; the first message is
// the one that says what went wrong, the rest is traceback.
struct ErrorLog {
  std::string text;
};

PetscErrorCode record_error(MPI_Comm, int line, const char* fun, const char* file, PetscErrorCode n,
                            PetscErrorType p, const char* mess, void* ctx) {
  auto* log = static_cast<ErrorLog*>(ctx);
  if (p == PETSC_ERROR_INITIAL || log->text.empty()) {
    const char* generic = nullptr;
    PetscErrorMessage(n, &generic, nullptr);
    log->text = std::string(generic ? generic : "error") + (mess && *mess ? ": " : "") +
                (mess ? mess : "") + " (in " + (fun ? fun : "?") + ", " + (file ? file : "?") +
                ":" + std::to_string(line) + ")";
  }
  return n;
}

// Everything PETSc-side of one solve_mfpt call: the error handler and the private options
// database are in force exactly while this object lives.
class PetscScope {
 public:
  explicit PetscScope(const std::string& user_options) {
    PetscBool init = PETSC_FALSE;
    PetscInitialized(&init);
    if (!init) throw PetscError("reference::solve_mfpt: PETSc is not initialised (use PetscSession)");
    PetscPushErrorHandler(record_error, &log_);
    check(PetscOptionsCreate(&options_), "PetscOptionsCreate");
    check(PetscOptionsInsertString(options_, defaults), "default options");
    check(PetscOptionsInsertString(options_, user_options.c_str()),
          "petsc_options \"" + user_options + "\"");
    check(PetscOptionsPush(options_), "PetscOptionsPush");
    pushed_ = true;
  }
  ~PetscScope() {
    if (pushed_) PetscOptionsPop();
    if (options_) PetscOptionsDestroy(&options_);
    PetscPopErrorHandler();
  }
  PetscScope(const PetscScope&) = delete;
  PetscScope& operator=(const PetscScope&) = delete;

  void check(PetscErrorCode code, const std::string& what) {
    if (code == 0) return;
    std::string message = "reference::solve_mfpt: PETSc failed in " + what;
    if (!log_.text.empty()) message += ": " + log_.text;
    log_.text.clear();
    throw PetscError(message);
  }

 private:
  static constexpr const char* defaults =
      "-kolmogorov_ksp_type gmres -kolmogorov_ksp_gmres_restart 50 -kolmogorov_ksp_rtol 1e-12 "
      "-kolmogorov_ksp_atol 1e-50 -kolmogorov_ksp_max_it 300 "
      "-kolmogorov_mg_levels_ksp_type richardson -kolmogorov_mg_levels_pc_type sor "
      "-kolmogorov_mg_levels_ksp_max_it 2";
  ErrorLog log_;
  PetscOptions options_ = nullptr;
  bool pushed_ = false;
};

// RAII for the PETSc objects of one grid.
struct GridObjects {
  DM da = nullptr;
  Mat A = nullptr;
  Vec x = nullptr;
  Vec rhs = nullptr;
  KSP ksp = nullptr;
  GridObjects() = default;
  GridObjects(const GridObjects&) = delete;
  GridObjects& operator=(const GridObjects&) = delete;
  ~GridObjects() {
    KSPDestroy(&ksp);
    VecDestroy(&rhs);
    VecDestroy(&x);
    MatDestroy(&A);
    DMDestroy(&da);
  }
};

void require(bool ok, const std::string& what) {
  if (!ok) throw ConfigError("reference::solve_mfpt: " + what);
}

void validate(const KolmogorovProblem& p, int points) {
  require(p.dim == 1 || p.dim == 2, "dim must be 1 or 2, got " + std::to_string(p.dim));
  require(static_cast<bool>(p.drift) && static_cast<bool>(p.diffusion) &&
              static_cast<bool>(p.escaped),
          "drift, diffusion and escaped must all be given");
  require(points >= 3, "points must be at least 3, got " + std::to_string(points));
  for (int a = 0; a < p.dim; ++a) {
    require(std::isfinite(p.lo[a]) && std::isfinite(p.hi[a]) && p.lo[a] < p.hi[a],
            "need finite lo < hi on every axis");
    require(p.lo[a] <= p.start[a] && p.start[a] <= p.hi[a], "start must lie inside the box");
  }
}

// The grid geometry and the per-node model data one row needs.
class Grid {
 public:
  Grid(const KolmogorovProblem& p, int n) : p_(p), n_(n), dim_(p.dim) {
    for (int a = 0; a < dim_; ++a) h_[a] = (p.hi[a] - p.lo[a]) / (n - 1);
    const std::size_t count = dim_ == 1 ? n : static_cast<std::size_t>(n) * n;
    escaped_.resize(count);
    for (int j = 0; j < (dim_ == 2 ? n : 1); ++j) {
      for (int i = 0; i < n; ++i) {
        const auto x = node(i, j);
        escaped_[index(i, j)] = p.escaped(x.data());
      }
    }
  }
  int n() const { return n_; }
  double h(int axis) const { return h_[axis]; }
  std::size_t index(int i, int j) const { return static_cast<std::size_t>(j) * n_ + i; }
  bool escaped(int i, int j) const { return escaped_[index(i, j)]; }
  double coord(int axis, int k) const {
    if (k == n_ - 1) return p_.hi[axis];
    return p_.lo[axis] + k * h_[axis];
  }
  std::array<double, 2> node(int i, int j) const {
    return {coord(0, i), dim_ == 2 ? coord(1, j) : 0.0};
  }
  // Fraction θ ∈ (0, 1] of the link from node (i, j) to its escaped neighbour one step along
  // `axis` in direction `s` at which the escape set begins, by bisection of the predicate.
  double crossing(int i, int j, int axis, int s) const {
    if (!p_.subgrid_boundary) return 1.0;
    const auto x0 = node(i, j);
    double in = 0.0;   // not escaped
    double out = 1.0;  // escaped
    std::array<double, 2> x = x0;
    for (int it = 0; it < 52; ++it) {
      const double mid = 0.5 * (in + out);
      x[axis] = x0[axis] + s * mid * h_[axis];
      (p_.escaped(x.data()) ? out : in) = mid;
    }
    return std::max(out, 1e-12);
  }

 private:
  const KolmogorovProblem& p_;
  int n_;
  int dim_;
  std::array<double, 2> h_{};
  std::vector<bool> escaped_;
};

// Coefficients of one row of −𝓛 on the 3×3 (or 3) neighbourhood, indexed by offsets
// (di + 1) + 3 (dj + 1) after folding mirror ghosts onto interior nodes; escaped neighbours are
// dropped (T = 0 there).
struct Row {
  std::array<double, 9> c{};
  double& at(int di, int dj) { return c[(di + 1) + 3 * (dj + 1)]; }
};

Row assemble_row(const Grid& g, const KolmogorovProblem& p, int i, int j) {
  const int dim = p.dim;
  const int n = g.n();
  const auto x = g.node(i, j);
  std::array<double, 2> b{};
  std::array<double, 4> D{};
  p.drift(x.data(), b.data());
  p.diffusion(x.data(), D.data());
  Row row;  // accumulates 𝓛, negated at the end
  const std::array<int, 2> k{i, j};
  for (int a = 0; a < dim; ++a) {
    const double h = g.h(a);
    const double d_aa = D[a * dim + a];
    if (!(d_aa >= 0) || !std::isfinite(b[a])) {
      throw ConfigError("reference::solve_mfpt: diffusion D_ii must be ≥ 0 and drift finite");
    }
    const bool edge = k[a] == 0 || k[a] == n - 1;
    // Both arms: the neighbour offset actually coupled (mirrored at a box face), its arm length,
    // and whether it is escaped (then T = 0 at the arm's end and no coupling).
    std::array<int, 2> off{};
    std::array<double, 2> arm{};
    std::array<bool, 2> absorbed{};
    for (int side = 0; side < 2; ++side) {
      const int s = side == 0 ? -1 : 1;
      int m = k[a] + s;
      int o = s;
      if (m < 0 || m > n - 1) {
        m = k[a] - s;
        o = -s;
      }
      std::array<int, 2> nb{i, j};
      nb[a] = m;
      off[side] = o;
      absorbed[side] = g.escaped(nb[0], nb[1]);
      arm[side] = absorbed[side] ? g.crossing(i, j, a, o) * h : h;
    }
    const double hl = arm[0];
    const double hr = arm[1];
    auto add = [&](int side, double v) {
      if (absorbed[side]) return;
      std::array<int, 2> o{0, 0};
      o[a] = off[side];
      row.at(o[0], o[1]) += v;
    };
    // D ∂²T: Shortley–Weller (the usual 3-point formula when hl = hr).
    const double cl = 2 * d_aa / (hl * (hl + hr));
    const double cr = 2 * d_aa / (hr * (hl + hr));
    add(0, cl);
    add(1, cr);
    row.at(0, 0) -= cl + cr;
    // b ∂T: zero at a face (∂T/∂n = 0); central or upwind by the cell Péclet number.
    if (edge || b[a] == 0) continue;
    if (std::abs(b[a]) * h <= 2 * d_aa) {
      add(0, -b[a] * hr / (hl * (hl + hr)));
      add(1, b[a] * hl / (hr * (hl + hr)));
      row.at(0, 0) += b[a] * (hr - hl) / (hl * hr);
    } else if (b[a] > 0) {
      add(1, b[a] / hr);
      row.at(0, 0) -= b[a] / hr;
    } else {
      add(0, -b[a] / hl);
      row.at(0, 0) += b[a] / hl;
    }
  }
  if (dim == 2) {
    const double cross = D[1] + D[2];
    if (cross != 0) {
      const double w = cross / (4 * g.h(0) * g.h(1));
      for (int si = -1; si <= 1; si += 2) {
        for (int sj = -1; sj <= 1; sj += 2) {
          int ni = i + si;
          int nj = j + sj;
          if (ni < 0 || ni > n - 1) ni = i - si;
          if (nj < 0 || nj > n - 1) nj = j - sj;
          if (g.escaped(ni, nj)) continue;
          row.at(ni - i, nj - j) += si * sj * w;
        }
      }
    }
  }
  for (double& v : row.c) v = -v;
  return row;
}

// Multigrid levels: halve while n − 1 stays even and the coarse grid keeps ≥ 33 points.
int mg_levels(int n) {
  int levels = 1;
  while ((n - 1) % 2 == 0 && (n - 1) / 2 + 1 >= 33) {
    n = (n - 1) / 2 + 1;
    ++levels;
  }
  return levels;
}

// T at `start` from the nodal solution: the node itself, or (bi)linear interpolation.
double value_at(const KolmogorovProblem& p, const Grid& g, const double* t) {
  std::array<int, 2> k0{0, 0};
  std::array<double, 2> frac{0, 0};
  for (int a = 0; a < p.dim; ++a) {
    const double s = (p.start[a] - p.lo[a]) / g.h(a);
    const double r = std::round(s);
    if (std::abs(s - r) < 1e-9) {
      k0[a] = static_cast<int>(r);
    } else {
      k0[a] = std::clamp(static_cast<int>(std::floor(s)), 0, g.n() - 2);
      frac[a] = s - k0[a];
    }
  }
  double v = 0;
  for (int dj = 0; dj <= (p.dim == 2 ? 1 : 0); ++dj) {
    for (int di = 0; di <= 1; ++di) {
      const double w = (di ? frac[0] : 1 - frac[0]) * (dj ? frac[1] : 1 - frac[1]);
      if (w == 0) continue;
      v += w * t[g.index(k0[0] + di, k0[1] + dj)];
    }
  }
  return v;
}

KolmogorovGridSolution solve_grid(const KolmogorovProblem& p, int n, PetscScope& scope) {
  const Grid g(p, n);
  GridObjects o;
  const auto N = static_cast<PetscInt>(n);
  if (p.dim == 1) {
    scope.check(DMDACreate1d(PETSC_COMM_SELF, DM_BOUNDARY_NONE, N, 1, 1, nullptr, &o.da),
                "DMDACreate1d");
  } else {
    scope.check(DMDACreate2d(PETSC_COMM_SELF, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX,
                             N, N, 1, 1, 1, 1, nullptr, nullptr, &o.da),
                "DMDACreate2d");
  }
  scope.check(DMSetUp(o.da), "DMSetUp");
  scope.check(DMCreateMatrix(o.da, &o.A), "DMCreateMatrix");
  scope.check(DMCreateGlobalVector(o.da, &o.x), "DMCreateGlobalVector");
  scope.check(VecDuplicate(o.x, &o.rhs), "VecDuplicate");

  // Rows of the interior; escaped nodes get a decoupled diagonal row (T = 0) scaled like the
  // others so multigrid sees a uniformly scaled operator.
  double diag_sum = 0;
  std::size_t diag_count = 0;
  const int ny = p.dim == 2 ? n : 1;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < n; ++i) {
      if (g.escaped(i, j)) continue;
      const Row row = assemble_row(g, p, i, j);
      std::array<MatStencil, 9> cols{};
      std::array<PetscScalar, 9> vals{};
      PetscInt count = 0;
      for (int dj = -1; dj <= 1; ++dj) {
        for (int di = -1; di <= 1; ++di) {
          const double v = row.c[(di + 1) + 3 * (dj + 1)];
          if (v == 0 && !(di == 0 && dj == 0)) continue;
          cols[count] = MatStencil{0, j + dj, i + di, 0};
          if (p.dim == 1) cols[count] = MatStencil{0, 0, i + di, 0};
          vals[count] = v;
          ++count;
        }
      }
      diag_sum += row.c[4];
      ++diag_count;
      MatStencil r{0, p.dim == 2 ? j : 0, i, 0};
      scope.check(MatSetValuesStencil(o.A, 1, &r, count, cols.data(), vals.data(), INSERT_VALUES),
                  "MatSetValuesStencil");
    }
  }
  const double escaped_diag = diag_count ? diag_sum / static_cast<double>(diag_count) : 1.0;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < n; ++i) {
      if (!g.escaped(i, j)) continue;
      MatStencil r{0, p.dim == 2 ? j : 0, i, 0};
      const PetscScalar v = escaped_diag;
      scope.check(MatSetValuesStencil(o.A, 1, &r, 1, &r, &v, INSERT_VALUES), "MatSetValuesStencil");
    }
  }
  scope.check(MatAssemblyBegin(o.A, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
  scope.check(MatAssemblyEnd(o.A, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");

  {
    PetscScalar* r = nullptr;
    scope.check(VecGetArray(o.rhs, &r), "VecGetArray");
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < n; ++i) r[g.index(i, j)] = g.escaped(i, j) ? 0.0 : 1.0;
    }
    scope.check(VecRestoreArray(o.rhs, &r), "VecRestoreArray");
  }

  scope.check(KSPCreate(PETSC_COMM_SELF, &o.ksp), "KSPCreate");
  scope.check(KSPSetOptionsPrefix(o.ksp, "kolmogorov_"), "KSPSetOptionsPrefix");
  scope.check(KSPSetDM(o.ksp, o.da), "KSPSetDM");
  scope.check(KSPSetDMActive(o.ksp, PETSC_FALSE), "KSPSetDMActive");
  scope.check(KSPSetOperators(o.ksp, o.A, o.A), "KSPSetOperators");
  PC pc = nullptr;
  scope.check(KSPGetPC(o.ksp, &pc), "KSPGetPC");
  scope.check(PCSetType(pc, PCMG), "PCSetType");
  scope.check(PCMGSetLevels(pc, mg_levels(n), nullptr), "PCMGSetLevels");
  scope.check(PCMGSetGalerkin(pc, PC_MG_GALERKIN_BOTH), "PCMGSetGalerkin");
  scope.check(KSPSetFromOptions(o.ksp), "KSPSetFromOptions (check petsc_options)");
  scope.check(KSPSolve(o.ksp, o.rhs, o.x), "KSPSolve");

  KSPConvergedReason reason{};
  PetscInt its = 0;
  PetscReal rnorm = 0;
  scope.check(KSPGetConvergedReason(o.ksp, &reason), "KSPGetConvergedReason");
  scope.check(KSPGetIterationNumber(o.ksp, &its), "KSPGetIterationNumber");
  scope.check(KSPGetResidualNorm(o.ksp, &rnorm), "KSPGetResidualNorm");
  // Deep wells make T huge (≈ e^{ΔU/D}) while the right-hand side is 1: the operator's smallest
  // eigenvalue is ≈ 1/T, and multigrid does not capture that metastable mode. Report, never guess.
  if (reason < 0) {
    throw PetscError("reference::solve_mfpt: the Krylov solve on " + std::to_string(n) +
                     " points per axis did not converge (" + KSPConvergedReasons[reason] +
                     ", " + std::to_string(its) + " iterations, residual " +
                     std::to_string(rnorm) + "); for deep wells try -kolmogorov_pc_type lu");
  }
  const PetscScalar* t = nullptr;
  scope.check(VecGetArrayRead(o.x, &t), "VecGetArrayRead");
  const double value = value_at(p, g, t);
  scope.check(VecRestoreArrayRead(o.x, &t), "VecRestoreArrayRead");
  return {value, static_cast<int>(its)};
}

}  // namespace

KolmogorovGridSolution solve_mfpt_on_grid(const KolmogorovProblem& problem, int points) {
  validate(problem, points);
  PetscScope scope(problem.petsc_options);
  return solve_grid(problem, points, scope);
}

KolmogorovResult solve_mfpt(const KolmogorovProblem& problem) {
  validate(problem, problem.points);
  PetscScope scope(problem.petsc_options);
  const auto coarse = solve_grid(problem, problem.points, scope);
  const auto fine = solve_grid(problem, 2 * problem.points - 1, scope);
  const double diff = fine.value - coarse.value;
  return {fine.value + diff / 3, std::abs(diff) / 3, coarse.value, fine.value, fine.iterations,
          coarse.iterations};
}

PetscSession::PetscSession(bool self_only) {
  PetscBool init = PETSC_FALSE;
  PetscInitialized(&init);
  if (init) return;
  // Only when MPI already runs (under the app's session): otherwise PETSc initialises MPI itself
  // for this one process, and the communicator may not be set before MPI_Init.
  int mpi_running = 0;
  MPI_Initialized(&mpi_running);
  if (self_only && mpi_running) PETSC_COMM_WORLD = MPI_COMM_SELF;
  // PETSc's own handlers for SIGTERM, SIGUSR1, ... would replace the application's (a graceful
  // stop on SIGTERM / SIGUSR1, app/signals.hpp) and abort instead.
  PetscOptionsSetValue(nullptr, "-no_signal_handler", "true");
  if (PetscInitializeNoArguments() != 0) throw PetscError("PetscInitializeNoArguments failed");
  owns_ = true;
}

PetscSession::~PetscSession() {
  if (owns_) PetscFinalize();
}

}  // namespace escapade::reference
