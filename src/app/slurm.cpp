// `escapade slurm`: sbatch scripts for a job (docs/SLURM.md).
//
// The script is a header written here (the #SBATCH lines and the five settings) followed by a
// fixed body, the same as that of the templates in jobs/slurm/ (tests/slurm/slurm_test.sh checks
// that they agree): it forwards SIGUSR1/SIGTERM from the batch shell to the launcher and requeues
// the job when escapade stops with exit code 3 on the time-limit warning.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "escapade/core/build_info.hpp"
#include "escapade/core/error.hpp"
#include "escapade/job/job.hpp"
#include "escapade/trial/models.hpp"

namespace fs = std::filesystem;

namespace escapade::app {
namespace {

// Seconds before the time limit at which SLURM sends SIGUSR1 to the batch shell.
constexpr long signal_lead_seconds = 120;

constexpr std::string_view script_body = R"SBATCH(# ---- no need to edit below --------------------------------------------------------------------
set -uo pipefail

if [ ! -x "$ESCAPADE" ]; then
  echo "escapade.sbatch: ESCAPADE=$ESCAPADE is not an executable" >&2; exit 2
fi
if [ ! -r "$JOB" ]; then
  echo "escapade.sbatch: JOB=$JOB is not a readable job file" >&2; exit 2
fi

out=$OUT
shard=()
if [ "$SHARDS" -gt 0 ]; then
  if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    echo "escapade.sbatch: SHARDS=$SHARDS needs an array job: #SBATCH --array=0-$((SHARDS - 1))" >&2; exit 2
  fi
  out=$OUT/part-$SLURM_ARRAY_TASK_ID
  shard=(--shard "$SLURM_ARRAY_TASK_ID/$SHARDS")
fi

case $LAUNCHER in
  mpirun)
    # Open MPI refuses to run as root unless told it may (containers, test clusters).
    if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
    # No -n: mpirun starts one rank per task of SLURM's allocation, on its nodes.
    launch=(mpirun) ;;
  srun)
    # No -n: srun starts one rank per task of the allocation.
    launch=(srun --mpi=pmix) ;;
  *)
    echo "escapade.sbatch: LAUNCHER must be mpirun or srun, not '$LAUNCHER'" >&2; exit 2 ;;
esac

echo "escapade.sbatch: job ${SLURM_JOB_ID:-?}${SLURM_ARRAY_TASK_ID:+ (array task $SLURM_ARRAY_TASK_ID of $SHARDS)}," \
     "start $((${SLURM_RESTART_COUNT:-0} + 1)), ${SLURM_NTASKS:-${SLURM_JOB_NUM_NODES:-1}} task(s) on ${SLURM_JOB_NODELIST:-?}:" \
     "${launch[*]} $ESCAPADE run $JOB --out $out --progress lines ${shard[*]}"

# bash runs a trap only between commands, so the launcher runs in the background and the shell
# waits for it: a signal interrupts `wait`, the trap passes the signal on, and the loop waits
# again until the launcher has exited.
signal=""
launcher=""
forward() {
  signal=$1 interrupted=1
  if [ -n "$launcher" ]; then kill -s "$1" "$launcher" 2>/dev/null; fi
  echo "escapade.sbatch: SIG$1 received${launcher:+, passed to $LAUNCHER}"
}
trap 'forward USR1' USR1
trap 'forward TERM' TERM
"${launch[@]}" "$ESCAPADE" run "$JOB" --out "$out" --progress lines "${shard[@]}" &
launcher=$!
if [ -n "$signal" ]; then kill -s "$signal" "$launcher" 2>/dev/null; fi
while :; do
  interrupted=0
  wait "$launcher"
  rc=$?
  [ "$interrupted" -eq 1 ] || break
done

case $rc in
  0)
    echo "escapade.sbatch: finished: $out"
    if [ "$SHARDS" -gt 0 ]; then
      echo "escapade.sbatch: when all $SHARDS array tasks have finished: $ESCAPADE merge $OUT"
    fi ;;
  3)
    # Exit code 3: escapade stopped on the signal with everything so far saved, and the same
    # command resumes it. SIGUSR1 is the time-limit warning: queue this job again.
    if [ "$signal" = USR1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
      echo "escapade.sbatch: stopped before the time limit; requeueing job $SLURM_JOB_ID to resume"
      if scontrol requeue "$SLURM_JOB_ID"; then exit 0; fi
      echo "escapade.sbatch: scontrol requeue failed; submit this script again to resume" >&2
    else
      echo "escapade.sbatch: stopped${signal:+ on SIG$signal} with its results saved; submit this script again" \
           "to resume"
    fi ;;
  *)
    if [ -n "$signal" ]; then
      # scancel signals every process of the job, so the launcher may report its own code.
      echo "escapade.sbatch: stopped on SIG$signal ($LAUNCHER exit code $rc); submit this script again to" \
           "resume from what was saved"
    else
      echo "escapade.sbatch: $LAUNCHER exited with code $rc" >&2
    fi ;;
esac
exit "$rc"
)SBATCH";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// SLURM's time formats (sbatch --time): minutes, minutes:seconds, hours:minutes:seconds,
// days-hours, days-hours:minutes, days-hours:minutes:seconds; "INFINITE"/"UNLIMITED".
// The limit in seconds, nullopt for no limit; throws ConfigError naming --time.
std::optional<long> parse_time_limit(const std::string& text) {
  const auto bad = [&] {
    return ConfigError(fmt::format(
        "--time '{}': expected a SLURM time limit above zero: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or "
        "D-HH:MM:SS (e.g. 90, 02:00:00, 1-12:00:00), or INFINITE",
        text));
  };
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper == "INFINITE" || upper == "UNLIMITED") return std::nullopt;
  std::string_view rest = text;
  long days = -1;
  if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
    if (!all_digits(rest.substr(0, dash)) || dash > 5) throw bad();
    days = std::stol(std::string(rest.substr(0, dash)));
    rest.remove_prefix(dash + 1);
  }
  const auto fields = split(rest, ':');
  if (fields.size() > 3) throw bad();
  std::vector<long> v;
  for (const auto f : fields) {
    if (!all_digits(f) || f.size() > 6) throw bad();
    v.push_back(std::stol(std::string(f)));
  }
  // Fields after the first are minutes or seconds.
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] > 59) throw bad();
  long seconds = 0;
  if (days >= 0) {  // D-H, D-H:M, D-H:M:S
    seconds = days * 86400 + v[0] * 3600 + (v.size() > 1 ? v[1] * 60 : 0) + (v.size() > 2 ? v[2] : 0);
  } else if (v.size() == 1) {  // M
    seconds = v[0] * 60;
  } else if (v.size() == 2) {  // M:S
    seconds = v[0] * 60 + v[1];
  } else {  // H:M:S
    seconds = v[0] * 3600 + v[1] * 60 + v[2];
  }
  if (seconds <= 0) throw bad();
  return seconds;
}

// A value for a bash assignment: single-quoted, a ' as '\''.
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A path for an #SBATCH line: sbatch splits those at blanks and reads % as a pattern (%j, %a).
std::string sbatch_path(const fs::path& p, std::string_view what) {
  const std::string s = p.string();
  if (s.find_first_of(" \t\n\r\"'\\") != std::string::npos)
    throw ConfigError(fmt::format("{} '{}': the path of an #SBATCH line cannot hold blanks, quotes or "
                                  "backslashes; choose another directory",
                                  what, s));
  std::string escaped;
  for (const char c : s) escaped += c == '%' ? std::string("%%") : std::string(1, c);
  return escaped;
}

// Text for a comment line of the script: no control characters (a newline would end the comment).
std::string comment_text(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) out += c < 0x20 || c == 0x7f ? '?' : char(c);
  return out;
}

// SLURM job names: keep them to letters, digits and ._- so that squeue shows them plainly.
std::string job_name(const std::string& name) {
  std::string out = "escapade-";
  for (const unsigned char c : name) out += (std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-') ? char(c) : '_';
  return out.substr(0, 64);
}

}  // namespace

int slurm_command(const SlurmOptions& o) {
  // 1. Arguments and the job, before anything is written.
  std::error_code ec;
  if (!fs::is_regular_file(o.job, ec))
    throw ConfigError(fmt::format("job file '{}' {}", o.job.string(),
                                  fs::exists(o.job, ec) ? "is not a regular file" : "does not exist"));
  job::Job job;
  try {
    job = job::load_job(o.job);
  } catch (const IoError& e) {
    throw ConfigError(e.what());
  }
  trial::build_models(job);  // the checks `escapade check` makes: fail here, not in the queue
  const std::size_t n_configs = job.configs.size();

  const std::optional<long> limit = parse_time_limit(o.time);
  if (o.nodes < 1) throw ConfigError(fmt::format("--nodes {}: expected at least 1", o.nodes));
  if (o.ntasks < 0) throw ConfigError(fmt::format("--ntasks {}: expected at least 1", o.ntasks));
  if (o.ntasks > 0 && o.ntasks < o.nodes)
    throw ConfigError(fmt::format("--ntasks {} is fewer than --nodes {}: every node needs at least one task",
                                  o.ntasks, o.nodes));
  if (o.array < 0) throw ConfigError(fmt::format("--array {}: expected at least 1", o.array));
  if (static_cast<std::size_t>(o.array) > n_configs)
    throw ConfigError(fmt::format("--array {}: the job '{}' has {} configuration{}, so at most {} array task{} "
                                  "(each runs a block of whole configurations)",
                                  o.array, o.job.string(), n_configs, n_configs == 1 ? "" : "s", n_configs,
                                  n_configs == 1 ? "" : "s"));
  if (o.launcher != "mpirun" && o.launcher != "srun")
    throw ConfigError(fmt::format("--launcher '{}': expected mpirun or srun", o.launcher));
  if (!o.partition.empty() &&
      !std::all_of(o.partition.begin(), o.partition.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.' || c == ',';
      }))
    throw ConfigError(fmt::format("--partition '{}': expected a partition name (letters, digits, _ - . ; "
                                  "several separated by commas)",
                                  o.partition));
  const fs::path job_path = fs::weakly_canonical(fs::absolute(o.job));
  const fs::path out = fs::weakly_canonical(fs::absolute(o.out));
  const fs::path binary = o.binary.empty() ? fs::path("escapade") : o.binary;
  const std::string log_name = o.array > 0 ? "slurm-%A_%a.out" : "slurm-%j.out";
  const std::string log_path = sbatch_path(out, "--out") + "/" + log_name;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw ConfigError(fmt::format("--out '{}' exists and is not a directory", o.out.string()));

  // 2. The script.
  const long lead = limit ? std::min(signal_lead_seconds, std::max(1L, *limit / 2)) : signal_lead_seconds;
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# Written by `escapade slurm` (escapade {}) for the job '{}' ({}):\n", build_info::version,
                   comment_text(job.name), comment_text(job_path.string()));
  s += fmt::format("# {} configuration{} x {} trials{}. Submit with\n", n_configs, n_configs == 1 ? "" : "s",
                   job.trials, o.array > 0 ? fmt::format(", in {} array tasks", o.array) : std::string());
  s += fmt::format("#   sbatch {}/escapade.sbatch\n", comment_text(out.string()));
  if (o.array > 0)
    s += fmt::format("# and, when every array task has finished,\n#   {} merge {}\n", comment_text(binary.string()),
                     comment_text(out.string()));
  s += "#\n"
       "# It runs `escapade run` under the launcher below with progress lines in the SLURM log. On the\n"
       "# time-limit warning (SIGUSR1, --signal) it passes the signal on; escapade saves and exits with\n"
       "# code 3, and the script requeues the job, whose rerun resumes the run. scancel (SIGTERM) stops\n"
       "# it cleanly without requeueing. jobs/slurm/ and docs/SLURM.md explain every line.\n\n";
  s += fmt::format("#SBATCH --job-name={}\n", job_name(job.name));
  s += fmt::format("#SBATCH --nodes={}\n", o.nodes);
  if (o.ntasks > 0)
    s += fmt::format("#SBATCH --ntasks={}\n", o.ntasks);
  else
    s += "# No --ntasks: SLURM's default (one task per node) unless `sbatch --ntasks=N` is given.\n";
  s += fmt::format("#SBATCH --time={}\n", o.time);
  if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (o.array > 0) s += fmt::format("#SBATCH --array=0-{}\n", o.array - 1);
  s += fmt::format("#SBATCH --output={}\n", log_path);
  s += "#SBATCH --open-mode=append\n";
  s += fmt::format("#SBATCH --signal=B:USR1@{}\n", lead);
  s += "#SBATCH --requeue\n\n";
  s += fmt::format("ESCAPADE={}\n", shell_quote(binary.string()));
  s += fmt::format("JOB={}\n", shell_quote(job_path.string()));
  s += fmt::format("OUT={}\n", shell_quote(out.string()));
  s += fmt::format("SHARDS={}\n", o.array);
  s += fmt::format("LAUNCHER={}\n\n", o.launcher);
  s += script_body;

  // 3. The directory and the file (executable), nothing else.
  fs::create_directories(out, ec);
  if (ec) throw IoError(fmt::format("cannot create result directory '{}': {}", out.string(), ec.message()));
  const fs::path script = out / "escapade.sbatch";
  {
    std::ofstream f(script, std::ios::binary | std::ios::trunc);
    f << s;
    f.close();
    if (!f) throw IoError(fmt::format("cannot write '{}'", script.string()));
  }
  if (chmod(script.c_str(), 0755) != 0) throw IoError(fmt::format("cannot make '{}' executable", script.string()));

  std::cout << fmt::format("escapade: wrote {} (job '{}': {} configuration{} x {} trials; {}, {}, --time {}{})\n",
                           script.string(), job.name, n_configs, n_configs == 1 ? "" : "s", job.trials, o.launcher,
                           o.ntasks > 0 ? fmt::format("{} task{}", o.ntasks, o.ntasks == 1 ? "" : "s")
                                        : std::string("SLURM's default task count"),
                           o.time, o.array > 0 ? fmt::format(", {} array tasks", o.array) : std::string());
  std::cout << fmt::format("submit it with:\n  sbatch {}\n", script.string());
  std::cout << fmt::format("log: {}/{}\n", out.string(), log_name);
  if (o.array > 0)
    std::cout << fmt::format("when every array task has finished:\n  {} merge {}\n", binary.string(), out.string());
  return 0;
}

}  // namespace escapade::app
