#pragma once
// Small value types shared by every area.
#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

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

// Parameter vectors: fixed size for low-dimensional landscapes (so the step loop unrolls),
// std::vector when the dimension is known only at run time.
inline constexpr int dynamic_dim = -1;
template <int Dim>
struct VectorFor {
  using type = std::array<double, Dim>;
};
template <>
struct VectorFor<dynamic_dim> {
  using type = std::vector<double>;
};
template <int Dim>
using Vector = typename VectorFor<Dim>::type;

}  // namespace escapade
