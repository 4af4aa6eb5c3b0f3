#include "escapade/core/types.hpp"

namespace escapade {

std::string_view to_string(TrialStatus s) noexcept {
  switch (s) {
    case TrialStatus::escaped: return "escaped";
    case TrialStatus::censored: return "censored";
    case TrialStatus::diverged: return "diverged";
  }
  return "unknown";
}

}  // namespace escapade
