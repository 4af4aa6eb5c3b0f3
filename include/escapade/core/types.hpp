#pragma once
// Small value types shared by every area.
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace escapade {

// How a trial ended (SCIENCE.md §4).
enum class TrialStatus : std::uint8_t {
  escaped = 0,   // the escape criterion held at step `steps`
  censored = 1,  // max_steps reached without escape (`steps` = max_steps)
  diverged = 2,  // the state became non-finite at step `steps`
};

std::string_view to_string(TrialStatus s) noexcept;

// Bits of TrialResult::flags.
namespace trial_flags {
inline constexpr std::uint8_t final_asked = 1;      // the job asked for the final-iterate outcome
inline constexpr std::uint8_t final_in_region = 2;  // the iterate at max_steps was in the region
inline constexpr std::uint8_t direction = 4;        // along_top / along_flat are recorded
}  // namespace trial_flags

// The outcome of one trial. Trivially copyable: it travels over MPI and into the raw log.
struct TrialResult {
  std::uint32_t config = 0;  // configuration index in the job's sweep expansion
  TrialStatus status = TrialStatus::censored;
  std::uint64_t trial = 0;   // trial id within the configuration, 0-based
  std::uint64_t steps = 0;   // steps k taken when the trial ended
  // Where asked (flags & direction) and the trial escaped: the shares (u·Δ)²/‖Δ‖² of the escape
  // displacement Δ = θ_escape − θ* along the top and the flattest Hessian eigenvector u at θ*.
  float along_top = 0;
  float along_flat = 0;
  std::uint8_t flags = 0;    // trial_flags (declared last so {config, status, trial, steps} works)

  friend bool operator==(const TrialResult&, const TrialResult&) = default;
};
static_assert(std::is_trivially_copyable_v<TrialResult>);

}  // namespace escapade
