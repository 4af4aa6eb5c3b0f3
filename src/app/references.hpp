#pragma once
// Exact references and theory for a configuration (docs/REFERENCES.md), in the app layer because
// it joins the numerics (trial) with the only PETSc user (reference).
#include <string>

#include "escapade/trial/models.hpp"

namespace escapade::app {

struct ReferenceColumns {
  double reference_time;   // continuous-limit mean first-passage time (time units), NaN if none
  double reference_error;  // its error estimate (two grids, or two cell counts for the quadrature)
  double theory_time;      // asymptotic formula, NaN if none applies
  std::string theory;      // which formula ("kramers", ...), empty if none
  std::string why;         // for the manifest: why reference_time is empty, or, when the exact
                           // 1-D quadrature produced it, that it did and why
};

// How reference_time is computed. automatic: the backward-Kolmogorov solver; in 1-D (where every
// Gaussian noise has a scalar diffusion D(x) = lr Σ(x)/2) the exact quadrature instead when the
// largest −Φ(x) = ∫_{θ*}^x U'/D between θ* and an absorbing end (ΔU/D for constant D) exceeds 30,
// the solver's reach, or when the solver fails. kolmogorov: the solver only. quadrature: the
// quadrature only (1-D; for tests). The quadrature: reflecting at a box edge and absorbing at
// the escape boundary (bisected to rounding), reference::mfpt_reflecting; absorbing on both
// sides a < θ* < b, T = P(b first)·A + P(a first)·B with A (B) the time to reach b (a) when θ* is
// made reflecting and P(b first) = S_a/(S_a + S_b), S = ∫ e^{−Φ} over each side (exact: the
// two-absorbing formula of seeds-spec §7.2 rewritten); reported at 2·10⁵ cells, the error being
// the whole difference from 10⁵ cells. docs/REFERENCES.md has the details.
enum class ReferenceMethod { automatic, kolmogorov, quadrature };

// Needs PETSc initialised on this process (reference::PetscSession). Never throws for a model it
// cannot handle: the reason goes into `why`.
ReferenceColumns compute_references(const trial::Model& model,
                                    ReferenceMethod method = ReferenceMethod::automatic);

}  // namespace escapade::app
