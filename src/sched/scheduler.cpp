#include "escapade/sched/scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace escapade::sched {
namespace {

[[noreturn]] void no_such_worker(int worker) {
  std::string msg = "scheduler: no worker ";
  msg += std::to_string(worker);
  throw std::logic_error(msg);
}

}  // namespace

Scheduler::Scheduler(std::vector<WorkItem> pending, int workers, ChunkPolicy policy)
    : in_flight_(static_cast<std::size_t>(std::max(workers, 1))),
      workers_(std::max(workers, 1)),
      policy_(policy) {
  if (policy_.min_chunk == 0) policy_.min_chunk = 1;
  if (policy_.max_chunk < policy_.min_chunk) policy_.max_chunk = policy_.min_chunk;
  if (policy_.factor == 0) policy_.factor = 1;
  for (const auto& w : pending)
    if (w.end > w.begin) {
      queue_.push_back(w);
      total_ += w.size();
    }
  unassigned_ = total_;
}

std::optional<WorkItem> Scheduler::next_for(int worker) {
  if (worker < 0 || worker >= workers_) no_such_worker(worker);
  if (queue_.empty()) return std::nullopt;
  const std::uint64_t share = policy_.factor * static_cast<std::uint64_t>(workers_);
  const std::uint64_t want =
      std::clamp((unassigned_ + share - 1) / share, policy_.min_chunk, policy_.max_chunk);
  WorkItem& front = queue_.front();
  WorkItem item{front.config, front.begin, std::min(front.end, front.begin + want)};
  front.begin = item.end;
  if (front.begin == front.end) queue_.pop_front();
  unassigned_ -= item.size();
  in_flight_[static_cast<std::size_t>(worker)].push_back(item);
  in_flight_total_ += 1;
  return item;
}

void Scheduler::complete(int worker, const WorkItem& item) {
  if (worker < 0 || worker >= workers_) no_such_worker(worker);
  auto& mine = in_flight_[static_cast<std::size_t>(worker)];
  auto it = std::find(mine.begin(), mine.end(), item);
  if (it == mine.end())
    throw std::logic_error(std::string("scheduler: worker ").append(std::to_string(worker)).append(
        " completed an item it was not given"));
  mine.erase(it);
  in_flight_total_ -= 1;
  completed_ += item.size();
}

const std::vector<WorkItem>& Scheduler::in_flight(int worker) const {
  return in_flight_.at(static_cast<std::size_t>(worker));
}

}  // namespace escapade::sched
