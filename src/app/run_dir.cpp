#include "run_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "escapade/core/error.hpp"
#include "escapade/io/atomic_file.hpp"
#include "escapade/io/manifest.hpp"
#include "escapade/io/raw_log.hpp"
#include "escapade/sched/trial_set.hpp"

namespace fs = std::filesystem;

namespace escapade::app {
namespace {

// Everything a finished or running run leaves in its directory (removed by --force).
const char* const run_files[] = {"job.toml",        "run.state",       "trials.journal", "trials.bin",
                                 "trials.bin.tmp",  "trials.journal.tmp", "progress.json", "summary.csv",
                                 "manifest.json",   "escape_time.gp",  "escape_time.png"};

enum class Verdict { keep, stale };

// Whether a record is a current trial of the job's shard. A censored record whose step count is
// not the job's max_steps was censored at an earlier, smaller max_steps: it runs again. Records
// that cannot belong to the job (another configuration or trial, more steps than max_steps) mean
// a damaged or foreign file.
Verdict judge(const TrialResult& r, const job::Job& job, ShardRange range, const fs::path& file) {
  if (r.config < range.begin || r.config >= range.end || r.trial >= job.trials || r.steps > job.max_steps)
    throw IoError(fmt::format("'{}' holds a record (configuration {}, trial {}, {} steps) that does not belong to "
                              "this run (configurations {}..{}, {} trials, max_steps {}): the directory is damaged",
                              file.string(), r.config, r.trial, r.steps, range.begin, range.end - 1, job.trials,
                              job.max_steps));
  if (r.status == TrialStatus::censored && r.steps != job.max_steps) return Verdict::stale;
  return Verdict::keep;
}

// Calls `keep(record)` once for every distinct current trial in trials.bin, then trials.journal
// (first occurrence wins; a trial is a pure function of its identity, so repeats are equal).
template <class Keep>
std::uint64_t for_each_done(const fs::path& dir, const job::Job& job, ShardRange range, sched::TrialSet& seen,
                            Keep&& keep) {
  std::uint64_t torn = 0;
  for (const char* name : {"trials.bin", "trials.journal"}) {
    const fs::path file = dir / name;
    if (!fs::exists(file)) continue;
    const auto info = io::scan_raw_log(file, [&](std::span<const TrialResult> batch) {
      for (const TrialResult& r : batch) {
        if (judge(r, job, range, file) != Verdict::keep) continue;
        if (seen.insert(r.config, r.trial)) keep(r);
      }
    });
    torn += info.torn_bytes;
  }
  return torn;
}

std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw IoError(fmt::format("'{}' is missing", file.string()));
  return job::read_job_text(file);
}

// run.state first: job.toml is what marks a directory as resumable, so it comes last.
void write_state(const fs::path& dir, const std::string& job_text, std::uint32_t index, std::uint32_t count) {
  io::write_file_atomically(dir / "run.state", fmt::format("escapade run state 1\nshard {}/{}\n", index, count));
  io::write_file_atomically(dir / "job.toml", job_text);
}


}  // namespace

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

io::SummaryRow model_row(const job::Job& job, const trial::Model& m, std::uint32_t c) {
  io::SummaryRow row;
  row.config = &job.configs[c];
  row.sharpness = m.instance.sharpness;
  row.lr = m.lr;
  row.trace_sigma = m.instance.trace_sigma;
  row.tr_h_sigma = m.instance.tr_h_sigma;
  row.tr_h_sigma_iso = m.instance.tr_h_sigma_iso;
  row.alpha = m.instance.alpha;
  return row;
}

ShardRange shard_range(std::size_t configs, std::uint32_t index, std::uint32_t count) {
  const auto n = static_cast<std::uint64_t>(configs);
  return {static_cast<std::uint32_t>(n * index / count), static_cast<std::uint32_t>(n * (index + 1) / count)};
}

void check_continuation(const job::Job& before, const job::Job& now, const std::string& where) {
  const auto refuse = [&](const std::string& key, const std::string& was, const std::string& is,
                          const std::string& why) {
    return ConfigError(fmt::format(
        "'{}' holds a run of job '{}' with {} = {}, but the job now has {} = {}: {}; use another --out, or "
        "--force to discard the old results",
        where, before.name, key, was, key, is, why));
  };
  if (before.name != now.name)
    throw ConfigError(fmt::format("'{}' holds results of another job (job.name '{}', not '{}'); use another "
                                  "--out, or --force to discard them",
                                  where, before.name, now.name));
  if (before.seed != now.seed)
    throw refuse("job.seed", std::to_string(before.seed), std::to_string(now.seed), "that alters every trial");
  if (now.trials < before.trials)
    throw refuse("job.trials", std::to_string(before.trials), std::to_string(now.trials),
                 "a run can be extended (more trials), not shrunk");
  if (now.max_steps < before.max_steps)
    throw refuse("job.max_steps", std::to_string(before.max_steps), std::to_string(now.max_steps),
                 "a run can be extended (a longer horizon), not shortened");
  // The sweep: the same axes with the same values, then the same parameters in every configuration.
  for (std::size_t j = 0; j < std::max(before.axes.size(), now.axes.size()); ++j) {
    if (j >= before.axes.size() || j >= now.axes.size() || before.axes[j].key != now.axes[j].key) {
      const std::string key = j < now.axes.size() ? now.axes[j].key : before.axes[j].key;
      throw refuse(key, j < before.axes.size() && before.axes[j].key == key ? "a sweep" : "no sweep",
                   j < now.axes.size() && now.axes[j].key == key ? "a sweep" : "no sweep",
                   "the sweep's axes changed");
    }
    if (!(before.axes[j].values == now.axes[j].values)) {
      const auto list = [](const job::Axis& a) {
        std::string s = "[";
        for (std::size_t i = 0; i < a.values.size(); ++i) s += (i ? ", " : "") + job::format_value(a.values[i]);
        return s + "]";
      };
      throw refuse(now.axes[j].key, list(before.axes[j]), list(now.axes[j]), "the sweep's values changed");
    }
  }
  for (std::size_t c = 0; c < std::min(before.configs.size(), now.configs.size()); ++c) {
    const auto& a = before.configs[c];
    const auto& b = now.configs[c];
    if (a.canonical_text == b.canonical_text) continue;
    std::map<std::string, std::string> was, is;
    for (const auto& p : a.params) was[p.key] = job::format_value(p.value);
    for (const auto& p : b.params) is[p.key] = job::format_value(p.value);
    for (const auto& [k, v] : is) {
      auto it = was.find(k);
      if (it == was.end()) throw refuse(k, "(absent)", v, "that alters the results");
      if (it->second != v) throw refuse(k, it->second, v, "that alters the results");
    }
    for (const auto& [k, v] : was)
      if (!is.count(k)) throw refuse(k, v, "(absent)", "that alters the results");
    throw refuse(fmt::format("the order of configuration {}'s parameters", c), "the old order", "another",
                 "the parameters' order keys the random streams, so reordering keys alters the results");
  }
  if (before.configs.size() != now.configs.size())
    throw refuse("the number of configurations", std::to_string(before.configs.size()),
                 std::to_string(now.configs.size()), "the sweep changed");
}

job::Job read_dir_job(const fs::path& dir, std::uint32_t& shard_index, std::uint32_t& shard_count) {
  const fs::path file = dir / "job.toml";
  job::Job j = job::parse_job(read_text(file), file.string());
  const std::string state = read_text(dir / "run.state");
  std::istringstream in(state);
  std::string line;
  bool ok = std::getline(in, line) && line == "escapade run state 1";
  unsigned long i = 0, k = 0;
  if (ok && std::getline(in, line)) {
    char slash = 0;
    std::istringstream l(line);
    std::string word;
    ok = static_cast<bool>(l >> word >> i >> slash >> k) && word == "shard" && slash == '/' && k > 0 && i < k;
  } else {
    ok = false;
  }
  if (!ok)
    throw IoError(fmt::format("'{}' is not an escapade run state (expected \"escapade run state 1\" and "
                              "\"shard I/K\")",
                              (dir / "run.state").string()));
  shard_index = static_cast<std::uint32_t>(i);
  shard_count = static_cast<std::uint32_t>(k);
  return j;
}

RunStart open_run_dir(const fs::path& dir, const job::Job& job, std::uint32_t shard_index, std::uint32_t shard_count,
                      bool force) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw ConfigError(fmt::format("--out '{}' exists and is not a directory", dir.string()));
  fs::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("cannot create result directory '{}': {}", dir.string(), ec.message()));
  if (access(dir.c_str(), W_OK) != 0)
    throw IoError(fmt::format("result directory '{}' is not writable", dir.string()));

  const ShardRange range = shard_range(job.configs.size(), shard_index, shard_count);
  RunStart start;
  // One run per directory at a time: an exclusive lock held until the process ends.
  start.lock_fd = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (start.lock_fd < 0)
    throw IoError(fmt::format("cannot create '{}': {}", (dir / ".lock").string(), std::strerror(errno)));
  if (::flock(start.lock_fd, LOCK_EX | LOCK_NB) != 0)
    throw ConfigError(fmt::format("another escapade run is using '{}' (it holds {}); wait for it, or stop it first",
                                  dir.string(), (dir / ".lock").string()));
  if (force)
    for (const char* f : run_files) {
      fs::remove(dir / f, ec);
      if (ec) throw IoError(fmt::format("cannot remove '{}' (--force): {}", (dir / f).string(), ec.message()));
    }
  if (!fs::exists(dir / "job.toml")) {
    // run.state alone is a start interrupted before job.toml was written: nothing ran yet.
    for (const char* f : run_files)
      if (std::string_view(f) != "run.state" && std::string_view(f) != "progress.json" && fs::exists(dir / f))
        throw ConfigError(fmt::format("--out '{}' already holds results ({}) but no job.toml, so it cannot be "
                                      "resumed; choose another directory or pass --force to replace them",
                                      dir.string(), f));
    write_state(dir, job.text, shard_index, shard_count);
    for (std::uint32_t c = range.begin; c < range.end; ++c) start.pending.push_back({c, 0, job.trials});
    return start;
  }

  std::uint32_t old_index = 0, old_count = 1;
  const job::Job before = read_dir_job(dir, old_index, old_count);
  if (old_index != shard_index || old_count != shard_count)
    throw ConfigError(fmt::format("'{}' holds shard {}/{} of job '{}', not {}/{} (--shard); use the matching "
                                  "--shard, another --out, or --force",
                                  dir.string(), old_index, old_count, before.name, shard_index, shard_count));
  check_continuation(before, job, dir.string());
  start.resumed = true;

  if (job.max_steps != before.max_steps) {
    // A longer horizon: trials censored at the old one run again (judge() drops them), and so do
    // trials that record where the iterate is at max_steps (flag final_asked), whose outcome
    // depends on the horizon itself. The survivors go into a fresh journal before job.toml
    // changes, so a crash in between repeats the same filtering.
    const fs::path tmp = dir / "trials.journal.tmp";
    {
      io::RawLogWriter out(tmp, false);
      sched::TrialSet seen(range.begin, range.size(), job.trials);
      std::vector<TrialResult> batch;
      for_each_done(dir, job, range, seen, [&](const TrialResult& r) {
        if ((r.flags & trial_flags::final_asked) != 0) return;
        batch.push_back(r);
        if (batch.size() == 4096) out.append(batch), batch.clear();
      });
      out.append(batch);
      out.close();
    }
    fs::rename(tmp, dir / "trials.journal");
    fs::remove(dir / "trials.bin", ec);
    if (ec)
      throw IoError(fmt::format("cannot remove '{}' (extending max_steps): {}", (dir / "trials.bin").string(),
                                ec.message()));
    start.message = fmt::format("extending max_steps from {} to {}", before.max_steps, job.max_steps);
  }
  if (job.trials != before.trials)
    start.message += fmt::format("{}extending trials from {} to {} per configuration",
                                 start.message.empty() ? "" : "; ", before.trials, job.trials);
  if (!start.message.empty()) {
    // The old outputs describe the old job: gone before job.toml changes.
    for (const char* f : {"summary.csv", "manifest.json", "escape_time.gp", "escape_time.png"}) {
      fs::remove(dir / f, ec);
      if (ec) throw IoError(fmt::format("cannot remove '{}' (extending the run): {}", (dir / f).string(), ec.message()));
    }
  }
  write_state(dir, job.text, shard_index, shard_count);

  sched::TrialSet seen(range.begin, range.size(), job.trials);
  start.torn_bytes = for_each_done(dir, job, range, seen, [&](const TrialResult& r) {
    ++start.done;
    start.escaped += r.status == TrialStatus::escaped;
  });
  // Gaps closer than a chunk are joined: the master's work list stays at most trials / 256 + 1
  // items per configuration however scattered the missing trials are (repeats are dropped).
  for (std::uint32_t c = range.begin; c < range.end; ++c) {
    const auto gaps = seen.missing(c, 256);
    start.pending.insert(start.pending.end(), gaps.begin(), gaps.end());
  }
  return start;
}

std::vector<TrialResult> collect_done(const fs::path& dir, const job::Job& job, ShardRange range,
                                      std::uint64_t& torn_bytes) {
  std::vector<TrialResult> out;
  sched::TrialSet seen(range.begin, range.size(), job.trials);
  torn_bytes = for_each_done(dir, job, range, seen, [&](const TrialResult& r) { out.push_back(r); });
  std::sort(out.begin(), out.end(), [](const TrialResult& a, const TrialResult& b) {
    return a.config != b.config ? a.config < b.config : a.trial < b.trial;
  });
  return out;
}

DoneCount count_done(const fs::path& dir, const job::Job& job, ShardRange range) {
  DoneCount d;
  sched::TrialSet seen(range.begin, range.size(), job.trials);
  d.torn_bytes = for_each_done(dir, job, range, seen, [&](const TrialResult& r) {
    ++d.done;
    d.escaped += r.status == TrialStatus::escaped;
  });
  d.sorted_complete = !fs::exists(dir / "trials.journal") && fs::exists(dir / "trials.bin") &&
                      d.done == static_cast<std::uint64_t>(range.size()) * job.trials;
  return d;
}

std::vector<io::SummaryRow> reduce_sorted(const fs::path& trials_bin, const job::Job& job,
                                          const std::vector<trial::Model>& models, ShardRange range) {
  std::vector<io::SummaryRow> rows;
  for (std::uint32_t c = range.begin; c < range.end; ++c) {
    io::SummaryRow row = model_row(job, models[c], c);
    const std::uint64_t first = static_cast<std::uint64_t>(c - range.begin) * job.trials;
    row.stats = stats::reduce_stream(
        [&](const std::function<void(std::span<const TrialResult>)>& visit) {
          std::uint64_t at = first;
          io::read_raw_range(trials_bin, first, job.trials, [&](std::span<const TrialResult> batch) {
            for (const auto& r : batch) {
              if (r.config != c || r.trial != at - first)
                throw IoError(fmt::format("'{}': record {} is trial {} of configuration {}, expected trial {} of {}",
                                          trials_bin.string(), at, r.trial, r.config, at - first, c));
              ++at;
            }
            visit(batch);
          });
        },
        job.max_steps);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<io::SummaryRow> finish_trials(const fs::path& dir, const job::Job& job,
                                          const std::vector<trial::Model>& models, ShardRange range) {
  const std::uint64_t slots = static_cast<std::uint64_t>(range.size()) * job.trials;
  {
    io::SlotLogWriter out(dir / "trials.bin", slots);
    sched::TrialSet seen(range.begin, range.size(), job.trials);
    for_each_done(dir, job, range, seen, [&](const TrialResult& r) {
      out.put(static_cast<std::uint64_t>(r.config - range.begin) * job.trials + r.trial, r);
    });
    if (seen.size() != slots)
      throw IoError(fmt::format("'{}' holds {} of the run's {} trials; run the job again to complete it",
                                dir.string(), seen.size(), slots));
    out.commit();
  }
  std::error_code ec;
  fs::remove(dir / "trials.journal", ec);
  return reduce_sorted(dir / "trials.bin", job, models, range);
}

void write_progress_file(const fs::path& dir, const ProgressSnapshot& p) {
  const auto num = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string("null"); };
  io::write_file_atomically(
      dir / "progress.json",
      fmt::format("{{\"state\": {}, \"done\": {}, \"total\": {}, \"escaped\": {}, \"rate\": {}, "
                  "\"eta_seconds\": {}, \"host\": {}, \"pid\": {}, \"updated_utc\": {}}}\n",
                  io::json_string(p.state), p.done, p.total, p.escaped, num(p.rate),
                  p.eta_seconds >= 0 ? num(p.eta_seconds) : std::string("null"), io::json_string(host_name()),
                  static_cast<long>(getpid()), io::json_string(utc_now())));
}

}  // namespace escapade::app
