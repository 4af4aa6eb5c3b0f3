// escapade: escape-time experiments for stochastic gradient dynamics.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "signals.hpp"
#include "escapade/core/build_info.hpp"
#include "escapade/core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"escapade: how long a noisy optimizer takes to leave a minimum"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("escapade ") + escapade::build_info::version + " (" +
                                        escapade::build_info::git_commit + ")");

  std::string check_job;
  auto* check = app.add_subcommand("check", "validate a job file, list its configurations and estimate its cost");
  check->add_option("JOB", check_job, "job file (TOML)")->required();

  escapade::app::RunOptions run_opts;
  std::string run_job, run_out;
  auto* run = app.add_subcommand("run", "run a job (under mpirun -n N, or alone)");
  run->add_option("JOB", run_job, "job file (TOML)")->required();
  run->add_option("--out", run_out, "result directory")->required();
  run->add_flag("--force", run_opts.force, "replace the results already in --out");
  run->add_option("--progress-interval", run_opts.progress_interval,
                  "seconds between progress lines when not on a terminal")
      ->check(CLI::PositiveNumber);
  run->add_option("--max-chunk", run_opts.max_chunk, "largest number of trials handed out at once")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
  const std::map<std::string, escapade::app::ProgressMode> progress_modes{
      {"auto", escapade::app::ProgressMode::automatic},
      {"bar", escapade::app::ProgressMode::bar},
      {"lines", escapade::app::ProgressMode::lines},
      {"none", escapade::app::ProgressMode::none}};
  run->add_option("--progress", run_opts.progress,
                  "auto (a bar on a terminal, else lines), bar, lines or none")
      ->transform(CLI::CheckedTransformer(progress_modes, CLI::ignore_case));

  std::string shard;
  run->add_option("--shard", shard, "I/K: run only block I (0-based) of K contiguous blocks of configurations");

  escapade::app::SlurmOptions slurm_opts;
  std::string slurm_job, slurm_out;
  auto* slurm = app.add_subcommand("slurm", "write an sbatch script that runs a job on a SLURM cluster");
  slurm->add_option("JOB", slurm_job, "job file (TOML)")->required();
  slurm->add_option("--out", slurm_out, "result directory (the script is written into it)")->required();
  slurm->add_option("--nodes", slurm_opts.nodes, "nodes (#SBATCH --nodes)")->check(CLI::PositiveNumber);
  slurm->add_option("--ntasks", slurm_opts.ntasks, "MPI ranks (#SBATCH --ntasks)")->check(CLI::PositiveNumber);
  slurm->add_option("--time", slurm_opts.time, "time limit (#SBATCH --time), e.g. 02:00:00");
  slurm->add_option("--partition", slurm_opts.partition, "partition (#SBATCH --partition)");
  slurm->add_option("--array", slurm_opts.array, "shard the configurations into K array tasks")
      ->check(CLI::PositiveNumber);
  slurm->add_option("--launcher", slurm_opts.launcher, "mpirun, or srun (srun --mpi=pmix)")
      ->check(CLI::IsMember({"mpirun", "srun"}));

  std::string merge_dir;
  auto* merge = app.add_subcommand("merge", "join the array tasks' parts (DIR/part-*) into one result");
  merge->add_option("DIR", merge_dir, "result directory given to escapade slurm --array")->required();

  std::string status_dir;
  auto* status = app.add_subcommand("status", "show the progress of a running or stopped run");
  status->add_option("DIR", status_dir, "result directory")->required();

  std::string reference_job, reference_out;
  auto* ref = app.add_subcommand("reference", "compute the exact references and theory for a job, without trials");
  ref->add_option("JOB", reference_job, "job file (TOML)")->required();
  ref->add_option("--out", reference_out, "result directory")->required();

  std::string export_dir;
  auto* exp = app.add_subcommand("export", "write a result directory's raw per-trial log as CSV to stdout");
  exp->add_option("DIR", export_dir, "result directory")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  // check and export do not use MPI; under mpirun only the first rank prints.
  if (!*run) {
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    if (rank != nullptr && std::string(rank) != "0") return 0;
  }
  try {
    if (*check) return escapade::app::check_command(check_job);
    if (*exp) return escapade::app::export_command(export_dir);
    if (*ref) return escapade::app::reference_command(reference_job, reference_out);
    if (*merge) return escapade::app::merge_command(merge_dir);
    if (*status) return escapade::app::status_command(status_dir);
    if (*slurm) {
      slurm_opts.job = slurm_job;
      slurm_opts.out = slurm_out;
      slurm_opts.binary = escapade::app::self_executable(argv[0]);
      return escapade::app::slurm_command(slurm_opts);
    }
    if (!shard.empty()) escapade::app::parse_shard(shard, run_opts.shard_index, run_opts.shard_count);
    run_opts.job = run_job;
    run_opts.out = run_out;
    // Before MPI starts, so that a signal during start-up stops the run cleanly too.
    escapade::app::install_stop_handlers();
    return escapade::app::run_command(argc, argv, run_opts);
  } catch (const escapade::ConfigError& e) {
    std::fprintf(stderr, "escapade: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "escapade: error: %s\n", e.what());
    return 1;
  }
}
