#include "escapade/sched/trial_set.hpp"

#include <iterator>
#include <stdexcept>

namespace escapade::sched {

bool TrialSet::insert(std::uint32_t config, std::uint64_t trial) {
  if (config >= done_.size()) throw std::out_of_range("TrialSet: configuration out of range");
  auto& m = done_[config];
  auto next = m.upper_bound(trial);  // first interval beginning after `trial`
  if (next != m.begin()) {
    auto prev = std::prev(next);
    if (trial < prev->second) return false;  // inside
    if (trial == prev->second) {             // extends prev, maybe joins next
      prev->second = trial + 1;
      if (next != m.end() && next->first == prev->second) {
        prev->second = next->second;
        m.erase(next);
      }
      ++size_;
      return true;
    }
  }
  if (next != m.end() && next->first == trial + 1) {  // extends next downwards
    const std::uint64_t end = next->second;
    m.erase(next);
    m.emplace(trial, end);
  } else {
    m.emplace(trial, trial + 1);
  }
  ++size_;
  return true;
}

bool TrialSet::contains(std::uint32_t config, std::uint64_t trial) const {
  if (config >= done_.size()) return false;
  const auto& m = done_[config];
  auto next = m.upper_bound(trial);
  return next != m.begin() && trial < std::prev(next)->second;
}

std::vector<WorkItem> TrialSet::missing(std::uint32_t config, std::uint64_t trials) const {
  std::vector<WorkItem> out;
  std::uint64_t at = 0;
  if (config < done_.size()) {
    for (const auto& [b, e] : done_[config]) {
      if (b >= trials) break;
      if (b > at) out.push_back({config, at, b});
      at = e;
    }
  }
  if (at < trials) out.push_back({config, at, trials});
  return out;
}

std::size_t TrialSet::intervals() const {
  std::size_t n = 0;
  for (const auto& m : done_) n += m.size();
  return n;
}

}  // namespace escapade::sched
