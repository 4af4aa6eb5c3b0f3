#include "commands.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "escapade/core/error.hpp"
#include "escapade/io/manifest.hpp"
#include "escapade/io/plot.hpp"
#include "escapade/io/progress.hpp"
#include "escapade/io/raw_log.hpp"
#include "escapade/io/summary_table.hpp"
#include "escapade/job/job.hpp"
#include "escapade/mpi/farm.hpp"
#include "escapade/reference/mfpt1d.hpp"
#include "escapade/reference/kolmogorov.hpp"
#include "escapade/reference/petsc_info.hpp"
#include "references.hpp"
#include "run_dir.hpp"
#include "signals.hpp"
#include "escapade/io/atomic_file.hpp"
#include "escapade/stats/summary.hpp"
#include "escapade/trial/models.hpp"
#include "escapade/wire/messages.hpp"

namespace fs = std::filesystem;

namespace escapade::app {
namespace {

// Rough steps per second on one core for `check`'s cost estimate, from the measurements in
// docs/PERFORMANCE.md: the slower of the landscape's gradient and the noise's draw.
double nominal_steps_per_second(const trial::Model& m) {
  const trial::Instance& in = m.instance;
  const double d = static_cast<double>(std::visit([](const auto& l) { return l.dim(); }, in.landscape));
  const double n = std::visit(
      [](const auto& l) -> double {
        if constexpr (landscape::FiniteSum<std::decay_t<decltype(l)>>) return static_cast<double>(l.n_samples());
        else return 1.0;
      },
      in.landscape);
  double rate = std::visit(
      [&](const auto& l) -> double {
        using L = std::decay_t<decltype(l)>;
        if constexpr (std::is_same_v<L, landscape::KramersWell> || std::is_same_v<L, landscape::DoubleWell>)
          return 1e8;
        else if constexpr (std::is_same_v<L, landscape::Zhu2d>) return 2.5e8 / n;
        else if constexpr (std::is_same_v<L, landscape::PerSampleQuadratic>) return 5e7 / d;
        else return 1.2e8 / (d * d);  // quadratic, least_squares: a d×d product
      },
      in.landscape);
  std::visit(
      [&](const auto& noise) {
        using N = std::decay_t<decltype(noise)>;
        if constexpr (std::is_same_v<N, noise::SgdNoise>)
          rate = std::min(rate, 2.5e8 / (static_cast<double>(noise.batch_size) * d));
        else if constexpr (std::is_same_v<N, noise::MultiplicativeNoise> ||
                           std::is_same_v<N, noise::GradientCovarianceNoise>)
          rate = std::min(rate, 1e8 / (n * d));
        else if constexpr (std::is_same_v<N, noise::HessianNoise>)
          rate = std::min(rate, noise.at() == noise::At::current ? 7e6 / (d * d) : 5e7 / d);
        else if constexpr (std::is_same_v<N, noise::LevyNoise>)
          rate = std::min(rate, 8e6 / d);
        else if constexpr (std::is_same_v<N, noise::IsotropicNoise>)
          rate = std::min(rate, 1.2e8 / d);
        else if constexpr (!std::is_same_v<N, noise::NoNoise>)
          rate = std::min(rate, 5e7 / d);
      },
      in.noise);
  return rate;
}

// Expected steps per trial where an exact answer is cheap (the continuous-time mean first-passage
// time of kramers_well with isotropic noise), capped at max_steps; nullopt where unknown.
std::optional<double> expected_steps(const trial::Model& m, std::uint64_t max_steps) {
  const double cap = static_cast<double>(max_steps);
  const trial::Instance& in = m.instance;
  if (std::holds_alternative<noise::NoNoise>(in.noise) && in.escape.kind == trial::EscapeKind::barrier)
    return cap;  // gradient descent never climbs the barrier
  const auto* well = std::get_if<landscape::KramersWell>(&in.landscape);
  const auto* iso = std::get_if<noise::IsotropicNoise>(&in.noise);
  if (!well || !iso || in.escape.kind != trial::EscapeKind::barrier) return std::nullopt;
  const double D = iso->diffusion(m.lr);
  if (D <= 0) return cap;
  if (well->barrier() / D > 600) return cap;
  const double t = reference::kramers_well_mfpt(well->a(), well->b(), well->barrier(), D,
                                                well->barrier_top(), 20000);
  return std::min(cap, t / m.lr);
}

std::string axis_values(const job::Job& job, const job::Configuration& c) {
  std::string s;
  for (std::size_t j = 0; j < job.axes.size(); ++j) {
    if (!s.empty()) s += ", ";
    s += job.axes[j].key + "=" + job::format_value(job.axes[j].values[c.axis_index[j]]);
  }
  return s.empty() ? "-" : s;
}

std::string duration_text(double seconds) {
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// Every configuration's row without trials: the model's numbers and empty statistics.
std::vector<io::SummaryRow> rows_without_trials(const job::Job& job, const std::vector<trial::Model>& models) {
  std::vector<io::SummaryRow> rows;
  for (const auto& c : job.configs) {
    io::SummaryRow row = model_row(job, models[c.index], c.index);
    row.stats = stats::reduce({}, job.max_steps);
    rows.push_back(std::move(row));
  }
  return rows;
}

// Every configuration's references, in this thread (PETSc on this process alone).
std::vector<ReferenceColumns> solve_all_references(const std::vector<trial::Model>& models) {
  const reference::PetscSession petsc(true);
  std::vector<ReferenceColumns> refs;
  for (const auto& m : models) refs.push_back(compute_references(m));
  return refs;
}

// Fills the reference and theory columns (docs/REFERENCES.md) from the solved references and
// returns the manifest's notes.
std::vector<std::string> add_references(const std::vector<trial::Model>& models,
                                        const std::vector<ReferenceColumns>& refs,
                                        std::vector<io::SummaryRow>& rows) {
  std::vector<std::string> notes;
  for (auto& row : rows) {
    const auto& m = models[row.config->index];
    const ReferenceColumns& r = refs[row.config->index];
    row.reference_time = r.reference_time;
    row.reference_error = r.reference_error;
    row.theory_time = r.theory_time;
    row.theory = r.theory;
    // Standard error of mean_time from its 95% interval's upper half-width (conservative for the
    // censored estimator's χ² interval).
    const double se = (row.stats.mean_steps_ci_high - row.stats.mean_steps) / 1.96 * m.lr;
    row.z_reference = (row.stats.mean_steps * m.lr - r.reference_time) / se;
    if (!std::isfinite(row.z_reference)) row.z_reference = std::numeric_limits<double>::quiet_NaN();
    if (!r.why.empty()) notes.push_back(fmt::format("configuration {}: {}", m.index, r.why));
  }
  return notes;
}

void sort_results(std::vector<TrialResult>& r) {
  std::sort(r.begin(), r.end(), [](const TrialResult& a, const TrialResult& b) {
    return a.config != b.config ? a.config < b.config : a.trial < b.trial;
  });
}

}  // namespace

int check_command(const fs::path& path) {
  const job::Job job = job::load_job(path);
  const auto models = trial::build_models(job);
  const std::uint64_t n_configs = job.configs.size();
  std::cout << fmt::format("job '{}' ({}): seed {}, {} configuration{} x {} trials = {} trials, max_steps {}\n",
                           job.name, job.source, job.seed, n_configs, n_configs == 1 ? "" : "s",
                           job.trials, n_configs * job.trials, job.max_steps);
  for (const auto& a : job.axes)
    std::cout << fmt::format("axis {}: {} value{}\n", a.key, a.values.size(), a.values.size() == 1 ? "" : "s");
  std::cout << fmt::format("{:>6}  {:16}  {:>10}  {:>14}  {}\n", "config", "key", "sharpness",
                           "steps/trial", "parameters | model");
  double total = 0, core_seconds = 0;
  bool bounded_only = false;
  for (const auto& c : job.configs) {
    const auto& m = models[c.index];
    const auto est = expected_steps(m, job.max_steps);
    const double steps = est.value_or(static_cast<double>(job.max_steps));
    bounded_only = bounded_only || !est;
    total += steps * static_cast<double>(job.trials);
    core_seconds += steps * static_cast<double>(job.trials) / nominal_steps_per_second(m);
    std::cout << fmt::format("{:>6}  {:016x}  {:>10.4g}  {:>14}  {} | {}\n", c.index, c.key, m.instance.sharpness,
                             est ? fmt::format("{:.3g}", *est) : fmt::format("<= {}", job.max_steps),
                             axis_values(job, c), trial::describe(m));
  }
  std::cout << fmt::format(
      "cost: {}{:.3g} trial-steps, {}about {} of one core ({} on {} cores)\n",
      bounded_only ? "at most " : "", total, bounded_only ? "at most " : "", duration_text(core_seconds),
      duration_text(core_seconds / std::max(1u, std::thread::hardware_concurrency())),
      std::max(1u, std::thread::hardware_concurrency()));
  std::cout << "steps/trial: exact continuous-time mean first-passage time / lr where known "
               "(kramers_well with isotropic noise), else the max_steps bound; time: rough per-model "
               "step rates from docs/PERFORMANCE.md\n";
  return 0;
}

namespace {

// Runs `step` on the ranks that pass it (it may throw) and agrees on the outcome: when any rank
// failed, the lowest failing rank prints its message and every rank gets its exit code.
template <class Step>
int agree(const mpi::Session& session, Step&& step) {
  std::string error;
  int code = 0;
  try {
    step();
  } catch (const ConfigError& e) {
    error = e.what();
    code = 2;
  } catch (const std::exception& e) {
    error = e.what();
    code = 1;
  }
  int first = 0;
  const int agreed = session.first_failure(code, first);
  if (agreed != 0 && session.rank() == first) std::fprintf(stderr, "escapade: error: %s\n", error.c_str());
  return agreed;
}

bool progress_on_terminal(ProgressMode mode) {
  switch (mode) {
    case ProgressMode::bar: return true;
    case ProgressMode::lines: return false;
    case ProgressMode::none: return false;
    case ProgressMode::automatic: break;
  }
  // Under mpirun a rank cannot tell: Open MPI hands ranks a pseudo-terminal for stdout whatever
  // mpirun's own output is, and a pipe for stderr. So `auto` means lines there; scripts/demo
  // passes --progress bar when it runs on a terminal itself.
  return isatty(STDERR_FILENO) != 0;
}

}  // namespace

namespace {

// The outputs every finish writes from the statistics rows: summary.csv, the plot and the
// manifest, then the terminal table.
void write_outputs(const job::Job& job, std::vector<io::SummaryRow>& rows, const std::vector<trial::Model>& models,
                   const std::vector<ReferenceColumns>& refs, std::vector<std::string> extra_notes,
                   io::RunInfo info, const fs::path& out) {
  std::vector<std::string> notes = add_references(models, refs, rows);
  notes.insert(notes.end(), extra_notes.begin(), extra_notes.end());
  io::write_summary_csv(job, rows, out / "summary.csv");
  io::write_plot_script(job, rows, out / "escape_time.gp", out / "escape_time.png");
  std::string why;
  if (!io::render_plot(out / "escape_time.gp", why)) std::fprintf(stderr, "escapade: warning: no plot: %s\n", why.c_str());
  info.finished_utc = utc_now();
  info.host = host_name();
  info.petsc_version = reference::petsc_version();
  info.reference_notes = std::move(notes);
  io::write_manifest(job, info, out / "manifest.json");
  io::print_summary_table(job, rows, std::cout);
  std::cout << fmt::format("results: {}/summary.csv, trials.bin, manifest.json, escape_time.png\n", out.string());
  std::cout.flush();
}

}  // namespace

int run_command(int& argc, char**& argv, const RunOptions& o) {
  mpi::Session session(argc, argv);
  const std::atomic<bool>& stop = install_stop_handlers();
  const bool master = session.rank() == 0;
  const auto started = std::chrono::steady_clock::now();
  const std::string started_utc = utc_now();

  // 1. Rank 0 reads the job file and every rank parses that same text, so all ranks run the same
  //    job even without a shared file system or when the file changes during the launch.
  std::string text;
  if (int rc = agree(session, [&] { if (master) text = job::read_job_text(o.job); })) return rc;
  text = session.broadcast(text);
  std::optional<job::Job> job;
  std::vector<trial::Model> models;
  ShardRange range;
  if (int rc = agree(session, [&] {
        job = job::parse_job(text, o.job.string());
        if (o.shard_count > job->configs.size())
          throw ConfigError(fmt::format("--shard {}/{}: the job has only {} configuration{}", o.shard_index,
                                        o.shard_count, job->configs.size(), job->configs.size() == 1 ? "" : "s"));
        range = shard_range(job->configs.size(), o.shard_index, o.shard_count);
        models = trial::build_models(*job);
      }))
    return rc;

  // 2. Only a valid job touches the result directory: a new one, or the same job's to resume.
  std::optional<RunStart> start;
  std::optional<io::RawLogWriter> journal;
  std::optional<io::Progress> progress;
  const std::uint64_t total = job->trials * range.size();
  if (int rc = agree(session, [&] {
        if (!master) return;
        start = open_run_dir(o.out, *job, o.shard_index, o.shard_count, o.force);
        journal.emplace(o.out / "trials.journal", true);
        progress.emplace(total, progress_on_terminal(o.progress), o.progress_interval);
        progress->resume_from(start->done);
      }))
    return rc;

  // 3. The farm and the outputs. From here on a failure anywhere aborts every rank.
  try {
    std::uint64_t done = master ? start->done : 0, escaped = master ? start->escaped : 0;
    auto last_flush = std::chrono::steady_clock::now();
    auto last_state = last_flush;
    const bool show = o.progress != ProgressMode::none;
    const auto snapshot = [&](const char* state) {
      write_progress_file(o.out, {state, done, total, escaped, progress->rate(done), progress->eta(done)});
    };
    if (master) {
      std::fprintf(stderr, "escapade: job '%s': %u configuration%s x %llu trials on %d rank%s -> %s\n",
                   job->name.c_str(), range.size(), range.size() == 1 ? "" : "s",
                   static_cast<unsigned long long>(job->trials), session.size(), session.size() == 1 ? "" : "s",
                   o.out.c_str());
      if (start->resumed)
        std::fprintf(stderr, "escapade: resuming: %llu of %llu trials already done%s%s%s\n",
                     static_cast<unsigned long long>(start->done), static_cast<unsigned long long>(total),
                     start->message.empty() ? "" : " (", start->message.c_str(), start->message.empty() ? "" : ")");
      if (start->torn_bytes > 0)
        std::fprintf(stderr, "escapade: dropped a torn tail of %llu bytes from the journal (an interrupted write)\n",
                     static_cast<unsigned long long>(start->torn_bytes));
      snapshot("running");
    }
    const mpi::ResultSink sink = [&](std::span<const TrialResult> results) {
      journal->append(results);
      done += results.size();
      for (const auto& r : results) escaped += r.status == TrialStatus::escaped;
    };
    mpi::FarmOptions fo{job->seed, job->max_steps, sched::ChunkPolicy{1, o.max_chunk, 4},
                        [&] {
                          if (show) progress->update(done, escaped);
                          const auto now = std::chrono::steady_clock::now();
                          if (now - last_flush > std::chrono::seconds(2)) {
                            journal->flush();
                            last_flush = now;
                          }
                          if (now - last_state > std::chrono::seconds(5)) {
                            snapshot("running");
                            last_state = now;
                          }
                        },
                        &stop};
    // The exact references are independent of the trials: each rank solves the configurations
    // c ≡ rank (mod ranks) of this run in a thread beside the farm (PETSc on MPI_COMM_SELF), so
    // they never hold it up; without MPI_THREAD_MULTIPLE each rank solves its share after the
    // farm. Rank 0 gathers the shares afterwards. A reference depends only on its configuration,
    // so the columns are the same at any rank count.
    wire::ReferenceShare share;
    bool share_cut = false;            // the solves stopped early for a signal
    bool stop_interruptible = true;    // false once every rank agreed to finish
    const auto solve_share = [&] {
      try {
        const reference::PetscSession petsc(true);
        for (std::size_t c = range.begin + static_cast<std::size_t>(session.rank()); c < range.end;
             c += static_cast<std::size_t>(session.size())) {
          if (stop_interruptible && stop.load(std::memory_order_relaxed)) {
            share_cut = true;
            return;
          }
          const ReferenceColumns r = compute_references(models[c]);
          share.records.push_back({c, r.reference_time, r.reference_error, r.theory_time, r.theory, r.why});
        }
      } catch (const std::exception& e) {
        share.error = fmt::format("rank {}: {}", session.rank(), e.what());
      }
    };
    std::thread reference_thread;
    if (session.threads_multiple()) reference_thread = std::thread(solve_share);
    bool stopped = false;
    const auto farm_started = std::chrono::steady_clock::now();
    try {
      stopped = mpi::run_farm(session, models, master ? start->pending : std::vector<sched::WorkItem>{}, fo, sink);
    } catch (...) {
      if (reference_thread.joinable()) reference_thread.join();
      throw;
    }
    const double farm_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - farm_started).count();
    const auto save_stopped = [&] {
      journal->close();
      if (show) progress->update(done, escaped);
      snapshot("stopped");
    };
    // Saved at once, before waiting for the reference solves: a stop may be followed by SIGKILL.
    if (stopped && master) save_stopped();
    if (reference_thread.joinable()) reference_thread.join();
    // A signal after the farm but before the references were all solved (they stop between
    // configurations) stops the run too: an incomplete share must not become empty columns.
    stopped = stopped || share_cut;
    // Every rank learns whether the run was stopped (rank 0 always knows of its own farm).
    int first = 0;
    const bool was_saved = stopped && master;
    stopped = session.first_failure(stopped ? exit_stopped : 0, first) != 0;
    if (stopped) {
      if (master) {
        if (!was_saved) save_stopped();
        std::fprintf(stderr,
                     "escapade: stopped by %s: %llu of %llu trials done and saved in %s; run the same command "
                     "again to resume\n",
                     stop_signal() == 0 ? "a signal on another rank" : strsignal(stop_signal()),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), o.out.c_str());
      }
      return exit_stopped;
    }
    // From here on the run finishes: later signals are ignored (the finish is short, and a kill
    // during it loses nothing).
    stop_interruptible = false;
    if (!session.threads_multiple()) solve_share();
    const auto shares = session.gather(wire::encode(share));
    if (!master) return 0;

    journal->close();
    if (show) progress->finish(done, escaped);
    std::vector<ReferenceColumns> refs(models.size(), ReferenceColumns{std::numeric_limits<double>::quiet_NaN(),
                                                                       std::numeric_limits<double>::quiet_NaN(),
                                                                       std::numeric_limits<double>::quiet_NaN(),
                                                                       "", "not solved: its rank's reference solver failed (see below)"});
    std::vector<std::string> notes;
    for (const auto& bytes : shares) {
      const auto s = wire::decode_reference_share(bytes);
      if (!s.error.empty()) notes.push_back("references not computed: " + s.error);
      for (const auto& r : s.records) {
        if (r.config >= refs.size()) throw CommError("reference share names an unknown configuration");
        refs[r.config] = {r.reference_time, r.reference_error, r.theory_time, r.theory, r.why};
      }
    }
    auto rows = finish_trials(o.out, *job, models, range);
    snapshot("finishing");
    io::RunInfo info;
    info.ranks = session.size();
    info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    info.started_utc = started_utc;
    info.mpi_library = mpi::Session::library_version();
    info.trials_total = total;
    info.trials_run = done - start->done;
    info.farm_seconds = farm_seconds;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    info.master_peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
    write_outputs(*job, rows, models, refs, std::move(notes), info, o.out);
    snapshot("finished");  // last: `status` calls a run finished only when its outputs are written
  } catch (const std::exception& e) {
    std::fprintf(stderr, "escapade: error on rank %d: %s\n", session.rank(), e.what());
    std::fflush(stderr);
    mpi::Session::abort(1);
  }
  return 0;
}

int merge_command(const fs::path& dir) {
  const auto started = std::chrono::steady_clock::now();
  const std::string started_utc = utc_now();
  std::vector<fs::path> parts;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && e.path().filename().string().rfind("part-", 0) == 0) parts.push_back(e.path());
  if (ec) throw IoError(fmt::format("cannot read '{}': {}", dir.string(), ec.message()));
  if (parts.empty()) throw ConfigError(fmt::format("'{}' holds no part-* directories to merge", dir.string()));
  // Every part: the same job, shard i of the same K, finished.
  std::optional<job::Job> job;
  std::vector<fs::path> by_index;
  std::uint32_t count = 0;
  for (const auto& p : parts) {
    std::uint32_t i = 0, k = 0;
    job::Job j = read_dir_job(p, i, k);
    if (!job) {
      job = std::move(j);
      count = k;
      by_index.assign(k, fs::path());
    } else {
      check_continuation(*job, j, p.string());
      if (j.trials != job->trials || j.max_steps != job->max_steps)
        throw ConfigError(fmt::format("'{}' ran {} trials x max_steps {}, '{}' {} x {}: extend the smaller parts first",
                                      p.string(), j.trials, j.max_steps, parts.front().string(), job->trials,
                                      job->max_steps));
      if (k != count) throw ConfigError(fmt::format("'{}' is shard {}/{}, the others are of {}", p.string(), i, k, count));
    }
    if (!by_index[i].empty())
      throw ConfigError(fmt::format("'{}' and '{}' are both shard {}/{}", by_index[i].string(), p.string(), i, count));
    by_index[i] = p;
  }
  for (std::uint32_t i = 0; i < count; ++i)
    if (by_index[i].empty())
      throw ConfigError(fmt::format("'{}': shard {}/{} is missing (no part directory holds it)", dir.string(), i, count));
  const auto models = trial::build_models(*job);
  for (std::uint32_t i = 0; i < count; ++i) {
    const DoneCount d = count_done(by_index[i], *job, shard_range(job->configs.size(), i, count));
    if (!d.sorted_complete)
      throw ConfigError(fmt::format("'{}' (shard {}/{}) is not finished: {} of {} trials done; run it again to complete it",
                                    by_index[i].string(), i, count, d.done,
                                    shard_range(job->configs.size(), i, count).size() * job->trials));
  }
  // trials.bin of the whole job: the parts' sorted logs, placed by (config, trial).
  const ShardRange all{0, static_cast<std::uint32_t>(job->configs.size())};
  {
    io::SlotLogWriter out(dir / "trials.bin", static_cast<std::uint64_t>(all.size()) * job->trials);
    for (const auto& p : by_index)
      io::scan_raw_log(p / "trials.bin", [&](std::span<const TrialResult> batch) {
        for (const auto& r : batch) out.put(static_cast<std::uint64_t>(r.config) * job->trials + r.trial, r);
      });
    out.commit();
  }
  io::write_file_atomically(dir / "job.toml", job->text);
  io::write_file_atomically(dir / "run.state", "escapade run state 1\nshard 0/1\n");
  auto rows = reduce_sorted(dir / "trials.bin", *job, models, all);
  const std::vector<ReferenceColumns> refs = solve_all_references(models);
  io::RunInfo info;
  info.ranks = 0;
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  info.started_utc = started_utc;
  info.trials_total = static_cast<std::uint64_t>(all.size()) * job->trials;
  std::fprintf(stderr, "escapade: merged %u parts of job '%s' into %s\n", count, job->name.c_str(), dir.c_str());
  write_outputs(*job, rows, models, refs, {fmt::format("merged from {} array tasks (part-*)", count)}, info, dir);
  return 0;
}

int status_command(const fs::path& dir) {
  std::uint32_t index = 0, count = 1;
  const job::Job job = read_dir_job(dir, index, count);
  const ShardRange range = shard_range(job.configs.size(), index, count);
  const DoneCount d = count_done(dir, job, range);
  const std::uint64_t total = static_cast<std::uint64_t>(range.size()) * job.trials;
  std::cout << fmt::format("job '{}' in {}{}: {} configuration{} x {} trials, max_steps {}\n", job.name, dir.string(),
                           count > 1 ? fmt::format(" (shard {}/{})", index, count) : "", range.size(),
                           range.size() == 1 ? "" : "s", job.trials, job.max_steps);
  std::cout << fmt::format("done: {}/{} trials ({:.1f}%), escaped {} ({:.1f}% of done)\n", d.done, total,
                           total ? 100.0 * static_cast<double>(d.done) / static_cast<double>(total) : 100.0, d.escaped,
                           d.done ? 100.0 * static_cast<double>(d.escaped) / static_cast<double>(d.done) : 0.0);
  // The master's last snapshot says whether a run is going on and how fast.
  std::string state = "stopped";
  std::string snap;
  if (std::FILE* f = std::fopen((dir / "progress.json").c_str(), "r")) {
    char buf[1024];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    snap.assign(buf, n);
  }
  const auto field = [&](const std::string& key) -> std::string {
    const auto at = snap.find("\"" + key + "\": ");
    if (at == std::string::npos) return "";
    auto v = snap.substr(at + key.size() + 4);
    v = v.substr(0, v.find_first_of(",}"));
    if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
    return v;
  };
  std::error_code ec;
  const auto age = fs::exists(dir / "progress.json", ec)
                       ? std::chrono::duration<double>(fs::file_time_type::clock::now() -
                                                       fs::last_write_time(dir / "progress.json", ec))
                             .count()
                       : -1.0;
  const std::string snap_state = field("state");
  if (d.sorted_complete && fs::exists(dir / "summary.csv") && (snap_state == "finished" || snap.empty())) {
    state = "finished";
  } else if (snap_state == "running") {
    bool alive = age >= 0 && age < 60;
    if (field("host") == host_name()) {
      const long pid = std::atol(field("pid").c_str());
      alive = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0;
    }
    state = alive ? "running" : "stopped (its process is gone: crashed or killed)";
  }
  std::cout << "state: " << state << "\n";
  if (state == "running") {
    const double rate = std::atof(field("rate").c_str());
    const std::string eta = field("eta_seconds");
    std::cout << fmt::format("rate: {:.1f} trials/s on {} (pid {}), ETA {}, last update {:.0f} s ago\n", rate,
                             field("host"), field("pid"), eta == "null" || eta.empty() ? "unknown" : duration_text(std::atof(eta.c_str())),
                             age);
  } else if (state != "finished") {
    // DIR/job.toml is the job's exact text, so it resumes the run like the original file.
    std::cout << fmt::format("resume with: escapade run {} --out {}{}\n", (dir / "job.toml").string(), dir.string(),
                             count > 1 ? fmt::format(" --shard {}/{}", index, count) : "");
  } else {
    std::cout << fmt::format("results: {}/summary.csv\n", dir.string());
  }
  if (d.torn_bytes > 0)
    std::cout << fmt::format("note: the journal ends in a torn record ({} bytes), dropped on resume\n", d.torn_bytes);
  return 0;
}

int reference_command(const fs::path& path, const fs::path& out) {
  const job::Job job = job::load_job(path);
  const auto models = trial::build_models(job);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw IoError(fmt::format("cannot create result directory '{}': {}", out.string(), ec.message()));
  const auto started = std::chrono::steady_clock::now();
  const std::string started_utc = utc_now();
  std::vector<io::SummaryRow> rows = rows_without_trials(job, models);
  const std::vector<ReferenceColumns> refs = solve_all_references(models);
  std::vector<std::string> notes = add_references(models, refs, rows);
  io::write_summary_csv(job, rows, out / "summary.csv");
  io::RunInfo info;
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  info.started_utc = started_utc;
  info.finished_utc = utc_now();
  info.host = host_name();
  info.petsc_version = reference::petsc_version();
  info.reference_notes = std::move(notes);
  io::write_manifest(job, info, out / "manifest.json");
  for (const auto& r : rows)
    std::cout << fmt::format("config {:>4}: reference {:.6g} ± {:.2g}, theory {:.6g} ({})\n", r.config->index,
                             r.reference_time, r.reference_error, r.theory_time,
                             r.theory.empty() ? "-" : r.theory);
  std::cout << fmt::format("references: {}/summary.csv, manifest.json\n", out.string());
  return 0;
}

fs::path self_executable(const char* argv0) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) return exe;
  return fs::absolute(argv0, ec);
}

void parse_shard(const std::string& text, std::uint32_t& index, std::uint32_t& count) {
  const auto bad = [&] {
    return ConfigError(fmt::format("--shard '{}': expected I/K with integers 0 <= I < K (block I of K)", text));
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw bad();
  std::size_t used = 0;
  unsigned long i = 0, k = 0;
  try {
    i = std::stoul(text.substr(0, slash), &used);
    if (used != slash) throw bad();
    k = std::stoul(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw bad();
  } catch (const std::logic_error&) {
    throw bad();
  }
  if (k == 0 || i >= k || k > 1'000'000) throw bad();
  index = static_cast<std::uint32_t>(i);
  count = static_cast<std::uint32_t>(k);
}


int export_command(const fs::path& dir) {
  const auto warn_torn = [&](std::uint64_t torn, std::size_t kept) {
    if (torn > 0)
      std::fprintf(stderr, "escapade: warning: %s ends in %llu bytes of a torn record (an interrupted run); "
                           "exporting the %zu complete records\n",
                   dir.c_str(), static_cast<unsigned long long>(torn), kept);
  };
  if (fs::exists(dir / "job.toml") && fs::exists(dir / "trials.journal")) {
    // A run in progress or stopped: what trials.bin (of an earlier finish) and the journal hold.
    std::uint32_t index = 0, count = 1;
    const job::Job job = read_dir_job(dir, index, count);
    std::uint64_t torn = 0;
    const auto results = collect_done(dir, job, shard_range(job.configs.size(), index, count), torn);
    warn_torn(torn, results.size());
    io::write_raw_csv(results, std::cout);
  } else if (fs::exists(dir / "trials.bin")) {
    // A finished run: streamed, whatever its size.
    io::write_raw_csv({}, std::cout);
    const auto info = io::scan_raw_log(dir / "trials.bin", [&](std::span<const TrialResult> batch) {
      io::write_raw_csv(batch, std::cout, false);
    });
    warn_torn(info.torn_bytes, info.records);
  } else if (fs::exists(dir / "trials.journal")) {
    auto contents = io::read_raw_log(dir / "trials.journal");
    warn_torn(contents.torn_bytes, contents.results.size());
    sort_results(contents.results);
    io::write_raw_csv(contents.results, std::cout);
  } else {
    throw IoError(fmt::format("'{}' holds no raw log (trials.bin or trials.journal)", dir.string()));
  }
  return 0;
}

}  // namespace escapade::app
