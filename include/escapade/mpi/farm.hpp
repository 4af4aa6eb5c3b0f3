#pragma once
// The trial farm over MPI (the only MPI user besides main's session).
//
// Rank 0 is the master: its main thread owns the Scheduler and all MPI calls (MPI_THREAD_FUNNELED);
// a second thread on rank 0 computes trials too, taking chunks from the same scheduler. Every
// other rank asks rank 0 for a chunk, computes it, and sends the results with its next request.
// Nobody spins: every wait is MPI_Test / MPI_Iprobe with a sleep that backs off from 20 µs to
// 2 ms (Open MPI would otherwise busy-poll a core inside blocking calls).
// Results reach `sink` on rank 0's main thread in completion order; they are sorted later, so the
// outputs do not depend on the rank count or the schedule.
#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "escapade/core/types.hpp"
#include "escapade/sched/scheduler.hpp"
#include "escapade/trial/models.hpp"

namespace escapade::mpi {

// MPI_Init_thread / MPI_Finalize for the process.
class Session {
 public:
  Session(int& argc, char**& argv);
  // Waits for every rank (sleeping, see above) and finalises MPI. When an exception is unwinding
  // it aborts the communicator instead, so that no rank is left waiting for this one.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  // True when any thread may call MPI (MPI_THREAD_MULTIPLE was granted).
  bool threads_multiple() const { return multiple_; }
  int size() const { return size_; }
  static std::string library_version();
  // Aborts every rank of MPI_COMM_WORLD.
  [[noreturn]] static void abort(int code);
  // Collective: every rank passes its exit code (0 = fine). Returns the code of the lowest rank
  // with a non-zero code (0 when all are fine) and sets `first_rank` to that rank.
  int first_failure(int my_code, int& first_rank) const;
  // Collective: every rank returns `root`'s text.
  std::string broadcast(const std::string& text, int root = 0) const;
  // Collective: `root` returns every rank's bytes in rank order (others: empty). Waits by
  // sleeping, not spinning, so a root that waits for slower ranks leaves its cores alone.
  std::vector<std::string> gather(const std::string& bytes, int root = 0) const;

 private:
  int rank_ = 0, size_ = 1;
  bool multiple_ = false;
};

struct FarmOptions {
  std::uint64_t seed = 0;
  std::uint64_t max_steps = 0;
  sched::ChunkPolicy policy{};
  // Called on rank 0's main thread every few milliseconds while the farm runs (progress lines
  // that must appear even when no result arrives).
  std::function<void()> tick;
  // Set asynchronously (a signal handler) on any rank to stop the run early: trials stop
  // between trials, every trial finished so far still reaches `sink`, no new work is handed out,
  // and run_farm returns true on every rank that learns of it (rank 0 always does).
  const std::atomic<bool>* stop = nullptr;
};

using ResultSink = std::function<void(std::span<const TrialResult>)>;

// Collective over MPI_COMM_WORLD. `pending` and `sink` are used on rank 0 only. Returns true when
// the run was stopped early (FarmOptions::stop) rather than finished.
bool run_farm(const Session& session, const std::vector<trial::Model>& models,
              const std::vector<sched::WorkItem>& pending, const FarmOptions& options,
              const ResultSink& sink);

}  // namespace escapade::mpi
