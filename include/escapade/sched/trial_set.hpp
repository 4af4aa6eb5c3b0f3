#pragma once
// Which trials of a run are done, as disjoint intervals per configuration: memory grows with the
// number of gaps (chunks finished out of order), not with the number of trials. Pure (no I/O).
#include <cstdint>
#include <map>
#include <vector>

#include "escapade/sched/scheduler.hpp"

namespace escapade::sched {

class TrialSet {
 public:
  explicit TrialSet(std::size_t configs = 0) : done_(configs) {}
  // Marks trial `trial` of `config` done; returns false when it already was.
  bool insert(std::uint32_t config, std::uint64_t trial);
  bool contains(std::uint32_t config, std::uint64_t trial) const;
  // Trials done in all.
  std::uint64_t size() const { return size_; }
  // Of trials [0, trials) of `config`, the ranges not done, ascending.
  std::vector<WorkItem> missing(std::uint32_t config, std::uint64_t trials) const;
  std::size_t intervals() const;

 private:
  std::vector<std::map<std::uint64_t, std::uint64_t>> done_;  // per config: begin → end, disjoint, non-adjacent
  std::uint64_t size_ = 0;
};

}  // namespace escapade::sched
