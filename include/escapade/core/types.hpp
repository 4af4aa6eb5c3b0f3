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

// The outcome of one trial. Trivially copyable: it travels over MPI and into the raw log as is.
struct TrialResult {
  std::uint32_t config = 0;  // configuration index in the job's sweep expansion
  TrialStatus status = TrialStatus::censored;
  std::uint64_t trial = 0;   // trial id within the configuration, 0-based
  std::uint64_t steps = 0;   // steps k taken when the trial ended

  friend bool operator==(const TrialResult&, const TrialResult&) = default;
};
static_assert(std::is_trivially_copyable_v<TrialResult>);

}  // namespace escapade
