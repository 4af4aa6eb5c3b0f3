#pragma once
// Exact references and theory for a configuration (docs/REFERENCES.md), in the app layer because
// it joins the numerics (trial) with the only PETSc user (reference).
#include <string>

#include "escapade/trial/models.hpp"

namespace escapade::app {

struct ReferenceColumns {
  double reference_time;   // continuous-limit mean first-passage time (time units), NaN if none
  double reference_error;  // its two-grid error estimate
  double theory_time;      // asymptotic formula, NaN if none applies
  std::string theory;      // which formula ("kramers", ...), empty if none
  std::string why;         // why reference_time is empty, for the manifest
};

// Needs PETSc initialised on this process (reference::PetscSession). Never throws for a model it
// cannot handle: the reason goes into `why`.
ReferenceColumns compute_references(const trial::Model& model);

}  // namespace escapade::app
