#include "signals.hpp"

#include <signal.h>

namespace escapade::app {
namespace {

std::atomic<bool> stop_flag{false};
volatile sig_atomic_t which = 0;
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag must be async-signal-safe");

extern "C" void on_stop_signal(int sig) {
  if (stop_flag.load(std::memory_order_relaxed)) {
    // Second signal: default action now.
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  which = sig;
  stop_flag.store(true, std::memory_order_relaxed);
}

}  // namespace

const std::atomic<bool>& install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGUSR1, SIGINT}) sigaction(sig, &sa, nullptr);
  return stop_flag;
}

int stop_signal() { return which; }

}  // namespace escapade::app
