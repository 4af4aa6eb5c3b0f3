#pragma once
// The result directory of a run, as the unit of crash safety and resumption (docs/OUTPUTS.md,
// "Resuming"). Files:
//   job.toml        the exact text of the job the directory belongs to (written before any trial)
//   run.state       "shard I/K" (which configurations this directory holds)
//   trials.journal  raw log of finished trials in completion order (appended, fsync'd in batches,
//                   checksummed: a torn tail from a crash is cut on resume, nothing before it lost)
//   trials.bin      the finished run's raw log sorted by (config, trial): record
//                   (c − first) · trials + t holds trial t of configuration c
//   progress.json   the master's last progress snapshot (for `escapade status`)
//   .lock           flock'ed by the run using the directory (a second run is refused)
//   summary.csv, escape_time.gp/.png, manifest.json: the outputs, rewritten by every finish
// A trial is done when a valid record for it is in trials.bin or trials.journal. Every record is a
// pure function of (job, configuration, trial) — counter-based streams — so a resumed run's
// outputs equal an uninterrupted run's bit for bit.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "escapade/io/summary_table.hpp"
#include "escapade/job/job.hpp"
#include "escapade/sched/scheduler.hpp"
#include "escapade/trial/models.hpp"

namespace escapade::app {

// ISO 8601 UTC time now, and this machine's host name ("unknown" if it has none).
std::string utc_now();
std::string host_name();

// The summary row of configuration c before statistics: the model's numbers (sharpness, lr, the
// noise geometry at θ*).
io::SummaryRow model_row(const job::Job& job, const trial::Model& model, std::uint32_t c);

// Configurations [begin, end) of shard I of K: [floor(I·n/K), floor((I+1)·n/K)).
struct ShardRange {
  std::uint32_t begin = 0, end = 0;
  std::uint32_t size() const { return end - begin; }
};
ShardRange shard_range(std::size_t configs, std::uint32_t index, std::uint32_t count);

// The state found in (or made for) a result directory, for rank 0 to run the farm from.
struct RunStart {
  bool resumed = false;             // the directory already held trials of this job
  std::uint64_t done = 0;           // trials already done (of this shard)
  std::uint64_t escaped = 0;        // of them, escaped
  std::uint64_t torn_bytes = 0;     // a torn journal tail that was cut
  std::vector<sched::WorkItem> pending;  // the trials still to run, in configuration order
  std::string message;              // one line for the user when resuming or extending
  int lock_fd = -1;                 // DIR/.lock, flock'ed for the process's lifetime
};

// Makes `dir` ready for `job` (shard index/count): a new directory (or `force`: its results
// removed) gets job.toml and run.state; a directory of the same job is resumed: its finished
// trials are kept and the rest is pending. Raising job.trials or job.max_steps extends it (trials
// censored at the old max_steps, and trials that record the final region, run again). Refused
// with ConfigError, naming the key: any other change that alters results, another job (name), a
// directory holding results but no job.toml, another shard.
RunStart open_run_dir(const std::filesystem::path& dir, const job::Job& job, std::uint32_t shard_index,
                      std::uint32_t shard_count, bool force);

// ConfigError naming the first key whose change alters results, when `now` may not continue a
// directory of `before` ("job.trials" and "job.max_steps" may grow; the text may change where it
// alters nothing: comments, layout, [reference]). `where` names the directory in the message.
void check_continuation(const job::Job& before, const job::Job& now, const std::string& where);

// Writes trials.bin from the trials done (old trials.bin and the journal) — every trial of the
// shard must be done — then removes the journal, and reduces each configuration straight from
// trials.bin (memory bounded whatever the number of trials). Rows come in configuration order;
// the reference columns are left empty.
std::vector<io::SummaryRow> finish_trials(const std::filesystem::path& dir, const job::Job& job,
                                          const std::vector<trial::Model>& models, ShardRange range);

// The statistics rows of configurations `range` from a complete sorted trials.bin.
std::vector<io::SummaryRow> reduce_sorted(const std::filesystem::path& trials_bin, const job::Job& job,
                                          const std::vector<trial::Model>& models, ShardRange range);

// progress.json: state ("running", "stopped", "finished"), done, total, escaped, rate (trials/s
// over this invocation), eta_seconds, host, pid, updated_utc; written atomically.
struct ProgressSnapshot {
  std::string state;
  std::uint64_t done = 0, total = 0, escaped = 0;
  double rate = 0, eta_seconds = -1;
};
void write_progress_file(const std::filesystem::path& dir, const ProgressSnapshot& p);

// Reads job.toml and run.state of a result directory; throws IoError/ConfigError naming the file.
job::Job read_dir_job(const std::filesystem::path& dir, std::uint32_t& shard_index, std::uint32_t& shard_count);

// The valid, distinct trials of the shard in trials.bin and trials.journal, sorted by (config,
// trial); `torn_bytes` gets the bytes of torn tails dropped.
std::vector<TrialResult> collect_done(const std::filesystem::path& dir, const job::Job& job, ShardRange range,
                                      std::uint64_t& torn_bytes);

// Counts the valid, distinct trials of the shard in trials.bin and trials.journal.
struct DoneCount {
  std::uint64_t done = 0, escaped = 0, torn_bytes = 0;
  bool sorted_complete = false;  // trials.bin holds every trial and no journal is left
};
DoneCount count_done(const std::filesystem::path& dir, const job::Job& job, ShardRange range);

}  // namespace escapade::app
