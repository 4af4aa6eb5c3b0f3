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
};

int check_command(const std::filesystem::path& job);
int run_command(int& argc, char**& argv, const RunOptions& options);
int export_command(const std::filesystem::path& dir);
// The reference and theory columns alone (no trials): DIR/summary.csv and DIR/manifest.json.
int reference_command(const std::filesystem::path& job, const std::filesystem::path& out);

}  // namespace escapade::app
