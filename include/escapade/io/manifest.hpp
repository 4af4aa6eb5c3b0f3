#pragma once
// manifest.json: what produced a result directory.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "escapade/job/job.hpp"

namespace escapade::io {

struct RunInfo {
  int ranks = 1;
  double wall_seconds = 0;
  std::string started_utc;   // ISO 8601
  std::string finished_utc;
  std::string host;
  std::string mpi_library;   // MPI_Get_library_version, first line
  std::string petsc_version;
  std::uint64_t trials_total = 0;
  std::uint64_t trials_run = 0;      // trials computed by this invocation (fewer when resumed)
  double farm_seconds = 0;           // wall time of the trial farm alone
  double master_peak_rss_mb = 0;     // rank 0's peak resident memory (getrusage), MiB
  // Why a configuration's reference_time is empty: "configuration i: reason" lines.
  std::vector<std::string> reference_notes;
};

// Fields: escapade_version, git_commit, compiler, cxx_flags, build_type, petsc, mpi, job{path,
// name, seed, trials, max_steps, hash (fnv1a64 hex), text}, configurations, axes, run{ranks,
// wall_seconds, started_utc, finished_utc, host, trials_total, trials_run, farm_seconds,
// results_per_second = trials_run / farm_seconds, master_peak_rss_mb}, reference_notes [strings].
// Written atomically.
void write_manifest(const job::Job& job, const RunInfo& info, const std::filesystem::path& file);

// JSON string escaping (quotes included).
std::string json_string(const std::string& s);

}  // namespace escapade::io
