#pragma once
// Dynamic scheduling of trials as a pure state machine (no MPI, no clocks, no threads): the
// transport asks `next_for(worker)`, runs the item, reports `complete(worker, item)`.
//
// Chunking ("guided" self-scheduling): a chunk has
//   size = clamp(ceil(R / (factor · workers)), min_chunk, max_chunk),
// R the trials not yet handed out, and never crosses a configuration, so chunks shrink as the
// work runs out and the long tail of escape times is spread over all workers. Items are handed
// out in configuration order, trials ascending.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace escapade::sched {

// Trials [begin, end) of configuration `config`.
struct WorkItem {
  std::uint32_t config = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - begin; }
  friend bool operator==(const WorkItem&, const WorkItem&) = default;
};

struct ChunkPolicy {
  std::uint64_t min_chunk = 1;
  std::uint64_t max_chunk = 256;
  std::uint64_t factor = 4;
};

class Scheduler {
 public:
  // `pending`: the trial ranges still to run, in the order to hand them out.
  Scheduler(std::vector<WorkItem> pending, int workers, ChunkPolicy policy = {});

  // The next chunk for `worker`, or nothing when all work has been handed out.
  std::optional<WorkItem> next_for(int worker);
  // `worker` finished `item` (which it was given). Throws std::logic_error otherwise.
  void complete(int worker, const WorkItem& item);

  bool done() const { return queue_.empty() && in_flight_total_ == 0; }
  std::uint64_t total() const { return total_; }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t unassigned() const { return unassigned_; }
  const std::vector<WorkItem>& in_flight(int worker) const;

 private:
  std::deque<WorkItem> queue_;
  std::vector<std::vector<WorkItem>> in_flight_;
  int workers_;
  ChunkPolicy policy_;
  std::uint64_t total_ = 0, completed_ = 0, unassigned_ = 0, in_flight_total_ = 0;
};

}  // namespace escapade::sched
