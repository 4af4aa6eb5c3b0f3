#pragma once
// Progress of a long run on stderr. On a terminal: a redrawn bar "[####   ] done/total  rate/s  ETA
// escaped N (p%)" at most every 0.2 s; otherwise (CI, SLURM logs) a plain line every `interval`
// seconds: "progress: done/total trials (x%), rate trials/s, ETA h:mm:ss, escaped N (p%)".
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace escapade::io {

class Progress {
 public:
  Progress(std::uint64_t total, bool terminal, double interval_seconds = 5.0, std::FILE* out = stderr);
  // Trials already done before this invocation (a resumed run): rates count only the new ones.
  void resume_from(std::uint64_t done) { start_done_ = done; }
  // Trials per second over this invocation, and the seconds left at that rate (NaN if unknown).
  double rate(std::uint64_t done) const;
  double eta(std::uint64_t done) const;
  // Call as often as convenient; prints only when due.
  void update(std::uint64_t done, std::uint64_t escaped);
  // Final line (always printed).
  void finish(std::uint64_t done, std::uint64_t escaped);

 private:
  void print(std::uint64_t done, std::uint64_t escaped, bool final);
  std::uint64_t total_;
  std::uint64_t start_done_ = 0;
  bool terminal_;
  double interval_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace escapade::io
