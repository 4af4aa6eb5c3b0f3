#include "escapade/sched/trial_set.hpp"

#include <stdexcept>

namespace escapade::sched {

TrialSet::TrialSet(std::uint32_t first, std::uint32_t configs, std::uint64_t trials)
    : first_(first), configs_(configs), trials_(trials), words_((static_cast<std::uint64_t>(configs) * trials + 63) / 64, 0) {}

std::uint64_t TrialSet::bit(std::uint32_t config, std::uint64_t trial) const {
  if (config < first_ || config - first_ >= configs_ || trial >= trials_)
    throw std::out_of_range("TrialSet: trial outside the set");
  return static_cast<std::uint64_t>(config - first_) * trials_ + trial;
}

bool TrialSet::insert(std::uint32_t config, std::uint64_t trial) {
  const std::uint64_t b = bit(config, trial);
  std::uint64_t& w = words_[b / 64];
  const std::uint64_t mask = std::uint64_t{1} << (b % 64);
  if (w & mask) return false;
  w |= mask;
  ++size_;
  return true;
}

bool TrialSet::contains(std::uint32_t config, std::uint64_t trial) const {
  if (config < first_ || config - first_ >= configs_ || trial >= trials_) return false;
  const std::uint64_t b = bit(config, trial);
  return (words_[b / 64] >> (b % 64)) & 1u;
}

std::vector<WorkItem> TrialSet::missing(std::uint32_t config) const { return missing(config, 0); }

std::vector<WorkItem> TrialSet::missing(std::uint32_t config, std::uint64_t bridge) const {
  std::vector<WorkItem> out;
  const std::uint64_t base = bit(config, 0);
  std::uint64_t t = 0;
  const auto done = [&](std::uint64_t k) { return (words_[(base + k) / 64] >> ((base + k) % 64)) & 1u; };
  while (t < trials_) {
    // Skip done trials a word at a time where possible.
    if (done(t)) {
      const std::uint64_t b = base + t;
      if (b % 64 == 0 && t + 64 <= trials_ && words_[b / 64] == ~std::uint64_t{0}) {
        t += 64;
        continue;
      }
      ++t;
      continue;
    }
    std::uint64_t e = t;
    while (e < trials_ && !done(e)) ++e;
    if (!out.empty() && t - out.back().end < bridge) {
      out.back().end = e;
    } else {
      out.push_back({config, t, e});
    }
    t = e;
  }
  return out;
}

}  // namespace escapade::sched
