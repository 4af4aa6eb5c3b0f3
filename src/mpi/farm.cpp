#include "escapade/mpi/farm.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <mpi.h>

#include "escapade/core/error.hpp"
#include "escapade/wire/messages.hpp"

namespace escapade::mpi {
namespace {

constexpr int tag_request = 101;
constexpr int tag_reply = 102;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw CommError(std::string(what) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
  }
}

// Sleep that grows while nothing happens, so waiting ranks leave their core alone.
class Backoff {
 public:
  void idle() {
    std::this_thread::sleep_for(delay_);
    grow();
  }
  // The same wait on a condition variable: returns early when `ready()` holds.
  template <class Pred>
  void idle(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Pred ready) {
    cv.wait_for(lock, delay_, ready);
    grow();
  }
  void reset() { delay_ = std::chrono::microseconds(20); }

 private:
  void grow() { delay_ = std::min(delay_ * 2, std::chrono::microseconds(2000)); }
  std::chrono::microseconds delay_{20};
};

void wait(MPI_Request& req) {
  Backoff backoff;
  for (;;) {
    int done = 0;
    check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    backoff.idle();
  }
}

std::string receive(int source, int tag, int& from) {
  Backoff backoff;
  MPI_Status st;
  for (;;) {
    int flag = 0;
    check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (flag) break;
    backoff.idle();
  }
  int count = 0;
  check(MPI_Get_count(&st, MPI_BYTE, &count), "MPI_Get_count");
  std::string bytes(static_cast<std::size_t>(count), '\0');
  check(MPI_Recv(bytes.data(), count, MPI_BYTE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
  from = st.MPI_SOURCE;
  return bytes;
}

void send(const std::string& bytes, int dest, int tag) {
  MPI_Request req;
  check(MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD, &req),
        "MPI_Isend");
  wait(req);
}

void run_item(const std::vector<trial::Model>& models, const FarmOptions& o, const sched::WorkItem& item,
              std::vector<TrialResult>& out, const std::atomic<bool>* cancel = nullptr) {
  if (item.config >= models.size()) throw CommError("work item for unknown configuration");
  trial::run_trials(models[item.config], o.seed, o.max_steps, item.begin, item.end, out, cancel);
}

bool stop_requested(const FarmOptions& o) { return o.stop != nullptr && o.stop->load(std::memory_order_relaxed); }

bool worker(const std::vector<trial::Model>& models, const FarmOptions& o) {
  wire::Request req;
  for (;;) {
    req.stopping = stop_requested(o);
    send(wire::encode(req), 0, tag_request);
    int from = 0;
    const wire::Reply reply = wire::decode_reply(receive(0, tag_reply, from));
    if (!reply.item) return req.stopping;
    req.finished = reply.item;
    req.results.clear();
    run_item(models, o, *reply.item, req.results, o.stop);
  }
}

bool master(const Session& s, const std::vector<trial::Model>& models,
            const std::vector<sched::WorkItem>& pending, const FarmOptions& o, const ResultSink& sink) {
  sched::Scheduler scheduler(pending, s.size(), o.policy);
  std::mutex mu;
  // The local thread's results wait in local_out until the main thread passes them to `sink`. At
  // most `backlog` may wait: when trials are so short that the main thread (which also serves every
  // other rank) cannot keep up, the local thread waits instead of piling up results, which would
  // grow rank 0's memory without bound and delay the replies to the other ranks.
  const std::size_t backlog = 2 * static_cast<std::size_t>(std::max<std::uint64_t>(
                                      {o.policy.max_chunk, o.policy.min_chunk, 1}));
  std::condition_variable drained_cv;  // main → local: local_out was emptied
  std::condition_variable full_cv;     // local → main: local_out is full, or the thread is done
  std::vector<TrialResult> local_out;
  std::exception_ptr local_error;
  std::atomic<bool> local_done{false};
  // Set when the master fails or the run is stopped: the local thread stops between trials.
  std::atomic<bool> cancel{false};
  bool stopping = false;

  std::thread local([&] {
    try {
      std::vector<TrialResult> buf;
      for (;;) {
        std::optional<sched::WorkItem> item;
        {
          std::unique_lock lock(mu);
          while (local_out.size() >= backlog && !cancel) {
            full_cv.notify_one();
            // A timeout, so that a cancel (set without the lock) is seen without a notification.
            drained_cv.wait_for(lock, std::chrono::milliseconds(1));
          }
          if (local_error || cancel) break;
          item = scheduler.next_for(0);
        }
        if (!item) break;
        buf.clear();
        run_item(models, o, *item, buf, &cancel);
        std::lock_guard lock(mu);
        // Stopped part-way: the trials finished are kept (the item is not marked done).
        if (!cancel) scheduler.complete(0, *item);
        local_out.insert(local_out.end(), buf.begin(), buf.end());
        if (cancel) break;
      }
    } catch (...) {
      std::lock_guard lock(mu);
      local_error = std::current_exception();
    }
    {
      std::lock_guard lock(mu);
      local_done = true;
    }
    full_cv.notify_one();
  });

  int stopped = 0;
  const int remote = s.size() - 1;
  Backoff backoff;
  std::vector<TrialResult> drained;
  auto drain_local = [&] {
    {
      std::lock_guard lock(mu);
      drained.swap(local_out);
      if (local_error) std::rethrow_exception(local_error);
    }
    if (drained.empty()) return;
    drained_cv.notify_one();
    sink(drained);
    drained.clear();
  };
  try {
    while (stopped < remote || !local_done) {
      if (!stopping && stop_requested(o)) stopping = true;
      if (stopping) cancel = true;
      bool active = false;
      int flag = 0;
      MPI_Status st;
      check(MPI_Iprobe(MPI_ANY_SOURCE, tag_request, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
      if (flag) {
        int from = 0;
        const wire::Request req = wire::decode_request(receive(st.MPI_SOURCE, tag_request, from));
        std::optional<sched::WorkItem> next;
        if (req.stopping) stopping = true;
        {
          std::lock_guard lock(mu);
          if (req.finished && !req.stopping) scheduler.complete(from, *req.finished);
          if (!stopping) next = scheduler.next_for(from);
        }
        if (!req.results.empty()) sink(req.results);
        send(wire::encode(wire::Reply{next}), from, tag_reply);
        if (!next) ++stopped;
        active = true;
      }
      drain_local();
      if (o.tick) o.tick();
      if (active) {
        backoff.reset();
      } else {
        // Sleeps like the other ranks, but wakes at once when the local thread waits for a drain
        // (or finishes while nothing else is left to wait for).
        std::unique_lock lock(mu);
        backoff.idle(full_cv, lock,
                     [&] { return local_out.size() >= backlog || (local_done && stopped == remote); });
      }
    }
  } catch (...) {
    cancel = true;
    local.join();
    throw;
  }
  local.join();
  drain_local();
  if (stopping) return true;
  if (!scheduler.done()) throw CommError("the farm stopped with work outstanding");
  return false;
}

}  // namespace

Session::Session(int& argc, char**& argv) {
  int provided = 0;
  // MULTIPLE when the library offers it: every rank then solves its share of the reference
  // problems (PETSc on MPI_COMM_SELF) in a thread beside the farm. The farm itself needs only FUNNELED.
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) throw CommError("the MPI library does not provide MPI_THREAD_FUNNELED");
  multiple_ = provided >= MPI_THREAD_MULTIPLE;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (std::uncaught_exceptions() > 0) MPI_Abort(MPI_COMM_WORLD, 1);
  // Ranks that finish early (workers, while rank 0 computes the last chunks and writes the
  // outputs) wait here, sleeping, instead of busy-polling inside MPI_Finalize.
  MPI_Request barrier;
  if (MPI_Ibarrier(MPI_COMM_WORLD, &barrier) == MPI_SUCCESS) {
    try {
      wait(barrier);
    } catch (...) {
    }
  }
  MPI_Finalize();
}

std::string Session::library_version() {
  char buf[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(buf, &len);
  std::string v(buf, static_cast<std::size_t>(len));
  if (auto nl = v.find_first_of("\r\n"); nl != std::string::npos) v.resize(nl);
  if (auto comma = v.find(','); comma != std::string::npos) v.resize(comma);
  return v;
}

void Session::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

int Session::first_failure(int my_code, int& first_rank) const {
  int mine = my_code != 0 ? rank_ : size_;
  int lowest = size_;
  // Non-blocking collectives and a sleeping wait: ranks that arrive early (workers, while rank 0
  // finishes the farm's tail) leave their core alone instead of spinning inside MPI.
  MPI_Request req;
  check(MPI_Iallreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &req), "MPI_Iallreduce");
  wait(req);
  first_rank = lowest;
  if (lowest == size_) return 0;
  int code = my_code;
  check(MPI_Ibcast(&code, 1, MPI_INT, lowest, MPI_COMM_WORLD, &req), "MPI_Ibcast");
  wait(req);
  return code;
}

std::string Session::broadcast(const std::string& text, int root) const {
  unsigned long long size = text.size();
  check(MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD), "MPI_Bcast");
  std::string out = rank_ == root ? text : std::string(size, '\0');
  if (size > 0)
    check(MPI_Bcast(out.data(), static_cast<int>(size), MPI_CHAR, root, MPI_COMM_WORLD), "MPI_Bcast");
  return out;
}

std::vector<std::string> Session::gather(const std::string& bytes, int root) const {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw CommError("gather: message of more than 2 GiB");
  int mine = static_cast<int>(bytes.size());
  std::vector<int> sizes(rank_ == root ? static_cast<std::size_t>(size_) : 0);
  MPI_Request req;
  check(MPI_Igather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, MPI_COMM_WORLD, &req), "MPI_Igather");
  wait(req);
  std::vector<int> offsets(sizes.size());
  long long total = 0;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    offsets[r] = static_cast<int>(total);
    total += sizes[r];
  }
  if (total > std::numeric_limits<int>::max()) throw CommError("gather: more than 2 GiB in all");
  std::string all(static_cast<std::size_t>(total), '\0');
  check(MPI_Igatherv(bytes.data(), mine, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, root,
                     MPI_COMM_WORLD, &req),
        "MPI_Igatherv");
  wait(req);
  std::vector<std::string> out;
  for (std::size_t r = 0; r < sizes.size(); ++r)
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(sizes[r])));
  return out;
}

bool run_farm(const Session& session, const std::vector<trial::Model>& models,
              const std::vector<sched::WorkItem>& pending, const FarmOptions& options,
              const ResultSink& sink) {
  if (session.rank() == 0) return master(session, models, pending, options, sink);
  return worker(models, options);
}

}  // namespace escapade::mpi
