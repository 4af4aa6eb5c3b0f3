#pragma once
// Which trials of a run are done: one bit per trial of the configurations it covers, so memory is
// known in advance (1.25 MB per 10⁷ trials) however scattered the done trials are (e.g. after a
// max_steps extension, which reruns every censored trial). Pure (no I/O).
#include <cstdint>
#include <vector>

#include "escapade/sched/scheduler.hpp"

namespace escapade::sched {

class TrialSet {
 public:
  // Configurations [first, first + configs), trials [0, trials) each.
  TrialSet(std::uint32_t first, std::uint32_t configs, std::uint64_t trials);
  // Marks trial `trial` of `config` done; returns false when it already was. Throws
  // std::out_of_range outside the set's configurations or trials.
  bool insert(std::uint32_t config, std::uint64_t trial);
  bool contains(std::uint32_t config, std::uint64_t trial) const;
  // Trials done in all.
  std::uint64_t size() const { return size_; }
  // The ranges of trials of `config` not done, ascending, maximal.
  std::vector<WorkItem> missing(std::uint32_t config) const;
  // The same, with neighbouring ranges joined when fewer than `bridge` done trials lie between
  // them (those are computed again; a trial's result is a pure function of its identity, so the
  // repeat is identical and dropped). Bounds the work items at trials / bridge + 1 per configuration.
  std::vector<WorkItem> missing(std::uint32_t config, std::uint64_t bridge) const;

 private:
  std::uint64_t bit(std::uint32_t config, std::uint64_t trial) const;
  std::uint32_t first_, configs_;
  std::uint64_t trials_;
  std::vector<std::uint64_t> words_;
  std::uint64_t size_ = 0;
};

}  // namespace escapade::sched
