#include "commands.hpp"

#include <unistd.h>

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

const char* const result_files[] = {"manifest.json", "summary.csv", "trials.bin", "trials.journal",
                                    "escape_time.gp", "escape_time.png"};

void prepare_out_dir(const fs::path& out, bool force) {
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw ConfigError(fmt::format("--out '{}' exists and is not a directory", out.string()));
  for (const char* f : result_files) {
    if (!fs::exists(out / f)) continue;
    if (!force)
      throw ConfigError(fmt::format(
          "--out '{}' already holds results ({}); choose another directory or pass --force to replace them",
          out.string(), f));
  }
  if (force)
    for (const char* f : result_files) fs::remove(out / f, ec);
  fs::create_directories(out, ec);
  if (ec) throw IoError(fmt::format("cannot create result directory '{}': {}", out.string(), ec.message()));
  if (access(out.c_str(), W_OK) != 0)
    throw IoError(fmt::format("result directory '{}' is not writable", out.string()));
}

std::vector<io::SummaryRow> reduce_all(const job::Job& job, const std::vector<trial::Model>& models,
                                       const std::vector<TrialResult>& sorted) {
  std::vector<io::SummaryRow> rows;
  rows.reserve(job.configs.size());
  std::size_t i = 0;
  for (const auto& c : job.configs) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j].config == c.index) ++j;
    const auto& m = models[c.index];
    io::SummaryRow row;
    row.config = &c;
    row.sharpness = m.instance.sharpness;
    row.lr = m.lr;
    row.stats = stats::reduce(std::span<const TrialResult>(sorted.data() + i, j - i), job.max_steps);
    row.trace_sigma = m.instance.trace_sigma;
    row.tr_h_sigma = m.instance.tr_h_sigma;
    row.tr_h_sigma_iso = m.instance.tr_h_sigma_iso;
    row.alpha = m.instance.alpha;
    rows.push_back(std::move(row));
    i = j;
  }
  return rows;
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

int run_command(int& argc, char**& argv, const RunOptions& o) {
  mpi::Session session(argc, argv);
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
  if (int rc = agree(session, [&] {
        job = job::parse_job(text, o.job.string());
        models = trial::build_models(*job);
      }))
    return rc;

  // 2. Only a valid job touches the result directory.
  std::optional<io::RawLogWriter> journal;
  std::optional<io::Progress> progress;
  if (int rc = agree(session, [&] {
        if (!master) return;
        prepare_out_dir(o.out, o.force);
        journal.emplace(o.out / "trials.journal", false);
        progress.emplace(job->trials * job->configs.size(), progress_on_terminal(o.progress),
                         o.progress_interval);
      }))
    return rc;

  // 3. The farm and the outputs. From here on a failure anywhere aborts every rank.
  try {
    std::vector<sched::WorkItem> pending;
    for (const auto& c : job->configs) pending.push_back({c.index, 0, job->trials});
    const std::uint64_t total = job->trials * job->configs.size();
    std::uint64_t done = 0, escaped = 0;
    auto last_flush = std::chrono::steady_clock::now();
    const bool show = o.progress != ProgressMode::none;
    if (master)
      std::fprintf(stderr, "escapade: job '%s': %zu configurations x %llu trials on %d rank%s -> %s\n",
                   job->name.c_str(), job->configs.size(), static_cast<unsigned long long>(job->trials),
                   session.size(), session.size() == 1 ? "" : "s", o.out.c_str());
    const mpi::ResultSink sink = [&](std::span<const TrialResult> results) {
      journal->append(results);
      done += results.size();
      for (const auto& r : results) escaped += r.status == TrialStatus::escaped;
      const auto now = std::chrono::steady_clock::now();
      if (now - last_flush > std::chrono::seconds(2)) {
        journal->flush();
        last_flush = now;
      }
    };
    mpi::FarmOptions fo{job->seed, job->max_steps, sched::ChunkPolicy{1, o.max_chunk, 4},
                        [&] { if (show) progress->update(done, escaped); }};
    // The exact references are independent of the trials: each rank solves the configurations
    // c ≡ rank (mod ranks) in a thread beside the farm (PETSc on MPI_COMM_SELF), so they never hold
    // it up; without MPI_THREAD_MULTIPLE each rank solves its share after the farm. Rank 0 gathers
    // the shares afterwards. A reference depends only on its configuration, so the columns are
    // the same at any rank count.
    wire::ReferenceShare share;
    const auto solve_share = [&] {
      try {
        const reference::PetscSession petsc(true);
        for (std::size_t c = static_cast<std::size_t>(session.rank()); c < models.size();
             c += static_cast<std::size_t>(session.size())) {
          const ReferenceColumns r = compute_references(models[c]);
          share.records.push_back({c, r.reference_time, r.reference_error, r.theory_time, r.theory, r.why});
        }
      } catch (const std::exception& e) {
        share.error = fmt::format("rank {}: {}", session.rank(), e.what());
      }
    };
    std::thread reference_thread;
    if (session.threads_multiple()) reference_thread = std::thread(solve_share);
    try {
      mpi::run_farm(session, models, pending, fo, sink);
    } catch (...) {
      if (reference_thread.joinable()) reference_thread.join();
      throw;
    }
    if (reference_thread.joinable()) {
      reference_thread.join();
    } else {
      solve_share();
    }
    const auto shares = session.gather(wire::encode(share));
    if (!master) return 0;
    std::vector<ReferenceColumns> refs(models.size(), ReferenceColumns{std::numeric_limits<double>::quiet_NaN(),
                                                                       std::numeric_limits<double>::quiet_NaN(),
                                                                       std::numeric_limits<double>::quiet_NaN(),
                                                                       "", "not solved: its rank's reference solver failed (see below)"});
    std::vector<std::string> refs_errors;
    for (const auto& bytes : shares) {
      const auto s = wire::decode_reference_share(bytes);
      if (!s.error.empty()) refs_errors.push_back(s.error);
      for (const auto& r : s.records) {
        if (r.config >= refs.size()) throw CommError("reference share names an unknown configuration");
        refs[r.config] = {r.reference_time, r.reference_error, r.theory_time, r.theory, r.why};
      }
    }

    journal->flush();
    journal->close();
    if (show) progress->finish(done, escaped);
    auto contents = io::read_raw_log(o.out / "trials.journal");
    auto& results = contents.results;
    sort_results(results);
    if (results.size() != total)
      throw IoError(fmt::format("journal holds {} trials, expected {}", results.size(), total));
    io::write_raw_log(o.out / "trials.bin", results);
    fs::remove(o.out / "trials.journal");

    auto rows = reduce_all(*job, models, results);
    std::vector<std::string> notes = add_references(models, refs, rows);
    for (const auto& e : refs_errors) notes.push_back("references not computed: " + e);
    io::write_summary_csv(*job, rows, o.out / "summary.csv");
    io::write_plot_script(*job, rows, o.out / "escape_time.gp", o.out / "escape_time.png");
    std::string why;
    if (!io::render_plot(o.out / "escape_time.gp", why))
      std::fprintf(stderr, "escapade: warning: no plot: %s\n", why.c_str());

    io::RunInfo info;
    info.ranks = session.size();
    info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    info.started_utc = started_utc;
    info.finished_utc = utc_now();
    info.host = host_name();
    info.mpi_library = mpi::Session::library_version();
    info.petsc_version = reference::petsc_version();
    info.trials_total = total;
    info.reference_notes = std::move(notes);
    io::write_manifest(*job, info, o.out / "manifest.json");

    io::print_summary_table(*job, rows, std::cout);
    std::cout << fmt::format("results: {}/summary.csv, trials.bin, manifest.json, escape_time.png\n",
                             o.out.string());
    std::cout.flush();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "escapade: error on rank %d: %s\n", session.rank(), e.what());
    std::fflush(stderr);
    mpi::Session::abort(1);
  }
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
  const std::vector<TrialResult> none;
  std::vector<io::SummaryRow> rows = reduce_all(job, models, none);
  std::vector<ReferenceColumns> refs;
  {
    const reference::PetscSession petsc(true);
    for (const auto& m : models) refs.push_back(compute_references(m));
  }
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

int merge_command(const fs::path&) { throw std::runtime_error("escapade merge: not written yet"); }
int status_command(const fs::path&) { throw std::runtime_error("escapade status: not written yet"); }

int export_command(const fs::path& dir) {
  std::vector<TrialResult> results;
  if (fs::exists(dir / "trials.bin")) {
    results = io::read_raw_log(dir / "trials.bin").results;
  } else if (fs::exists(dir / "trials.journal")) {
    auto contents = io::read_raw_log(dir / "trials.journal");
    if (contents.torn_bytes > 0)
      std::fprintf(stderr, "escapade: warning: %s/trials.journal ends in %llu bytes of a torn record "
                           "(an interrupted run); exporting the %zu complete records before them\n",
                   dir.c_str(), static_cast<unsigned long long>(contents.torn_bytes),
                   contents.results.size());
    results = std::move(contents.results);
    sort_results(results);
  } else {
    throw IoError(fmt::format("'{}' holds no raw log (trials.bin or trials.journal)", dir.string()));
  }
  io::write_raw_csv(results, std::cout);
  return 0;
}

}  // namespace escapade::app
