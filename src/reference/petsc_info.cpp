#include "escapade/reference/petsc_info.hpp"

#include <petscsys.h>

#include <array>
#include <string>
#include <string_view>

#include "escapade/core/error.hpp"

namespace escapade::reference {

// PetscGetVersion only formats compile-time constants of the linked library, so it needs no
// PetscInitialize (the manifest is written by processes that never start PETSc). It gives e.g.
// "Petsc Release Version 3.18.5, Mar 01, 2023 "; keep the version number and mark non-releases.
std::string petsc_version() {
  std::array<char, 256> buf{};
  if (PetscGetVersion(buf.data(), buf.size()) != 0) {
    throw PetscError("PetscGetVersion failed");
  }
  const std::string_view full(buf.data());
  const bool release = full.find("Release") != std::string_view::npos;
  const auto first_digit = full.find_first_of("0123456789");
  if (first_digit == std::string_view::npos) return std::string(full);  // unexpected: keep it all
  const auto end = full.find_first_not_of("0123456789.", first_digit);
  std::string out = "PETSc ";
  out += full.substr(first_digit, end == std::string_view::npos ? end : end - first_digit);
  if (!release) out += " (development)";
  return out;
}

}  // namespace escapade::reference
