#pragma once
// The reference area is escapade's only PETSc user; this is its one entry point so far.
#include <string>

namespace escapade::reference {

// PETSc's version string, e.g. "PETSc 3.18.5" (for the manifest).
std::string petsc_version();

}  // namespace escapade::reference
