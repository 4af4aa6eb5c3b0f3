#pragma once
// The subcommands of `escapade`. Each returns the process exit code.
#include <filesystem>
#include <cstdint>
#include <string>

namespace escapade::app {

// How a run shows its progress on stderr: a redrawn bar, plain lines every few seconds, or not.
enum class ProgressMode { automatic, bar, lines, none };

struct RunOptions {
  std::filesystem::path job;
  std::filesystem::path out;
  bool force = false;           // replace an existing result directory
  double progress_interval = 5; // seconds between progress lines off a terminal
  ProgressMode progress = ProgressMode::automatic;
  std::uint64_t max_chunk = 256;
  // --shard I/K: run only the configurations of block I (0-based) of K contiguous blocks,
  // [floor(I·n/K), floor((I+1)·n/K)), as one SLURM array task does; `escapade merge` joins them.
  std::uint32_t shard_index = 0, shard_count = 1;
};

// `escapade slurm`: writes an sbatch script for a job (src/app/slurm.cpp).
struct SlurmOptions {
  std::filesystem::path job;        // job file
  std::filesystem::path out;        // result directory (the script goes into it)
  int nodes = 1;
  int ntasks = 0;                   // 0: let the script use every task of the allocation
  std::string time = "01:00:00";    // --time
  std::string partition;            // empty: the cluster's default
  int array = 0;                    // > 0: K array tasks, task i runs --shard i/K into out/part-i
  std::string launcher = "mpirun";  // mpirun | srun (srun --mpi=pmix)
  std::filesystem::path binary;     // escapade executable the script runs (absolute)
};

int check_command(const std::filesystem::path& job);
int run_command(int& argc, char**& argv, const RunOptions& options);
int export_command(const std::filesystem::path& dir);
int slurm_command(const SlurmOptions& options);
// The absolute path of the running executable (/proc/self/exe, else argv0 made absolute).
std::filesystem::path self_executable(const char* argv0);
// "I/K" with 0 ≤ I < K; throws ConfigError naming --shard otherwise.
void parse_shard(const std::string& text, std::uint32_t& index, std::uint32_t& count);
// Joins DIR/part-*/ (the array tasks of one job) into DIR's summary.csv, trials.bin, plot and
// manifest, equal to those of a single run.
int merge_command(const std::filesystem::path& dir);
// Progress of a running or stopped run in DIR.
int status_command(const std::filesystem::path& dir);
// The reference and theory columns alone (no trials): DIR/summary.csv and DIR/manifest.json.
int reference_command(const std::filesystem::path& job, const std::filesystem::path& out);

}  // namespace escapade::app
