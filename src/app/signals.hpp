#pragma once
// Graceful stop on SIGTERM, SIGUSR1 and SIGINT (SLURM's time-limit warning `--signal=B:USR1@120`,
// scancel, Ctrl-C): the first one sets a flag that the farm polls (the run flushes what it has and
// exits with code 3, "stopped; run the same command to resume"); a second one of the same kinds
// ends the process at once (the raw log is crash-safe, so nothing written is lost).
#include <atomic>

namespace escapade::app {

inline constexpr int exit_stopped = 3;

// Installs the handlers (idempotent) and returns the flag they set.
const std::atomic<bool>& install_stop_handlers();
// Which signal set the flag (0: none).
int stop_signal();

}  // namespace escapade::app
