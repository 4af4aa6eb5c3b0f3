#include "escapade/io/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace escapade::io {

namespace {

constexpr double terminal_interval = 0.2;  // seconds between redraws of the bar
constexpr std::size_t bar_width = 30;
constexpr std::size_t line_width = 79;  // a redrawn line is padded to this, clearing leftovers

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?:??:??";
  const auto s = static_cast<std::uint64_t>(std::llround(seconds));
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

}  // namespace

Progress::Progress(std::uint64_t total, bool terminal, double interval_seconds, std::FILE* out)
    : total_(total),
      terminal_(terminal),
      interval_(interval_seconds),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(std::uint64_t done, std::uint64_t escaped) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (terminal_ ? terminal_interval : interval_)) return;
  last_ = now;
  print(done, escaped, false);
}

void Progress::finish(std::uint64_t done, std::uint64_t escaped) {
  last_ = std::chrono::steady_clock::now();
  print(done, escaped, true);
}

double Progress::rate(std::uint64_t done) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::uint64_t fresh = done > start_done_ ? done - start_done_ : 0;
  return elapsed > 0 ? static_cast<double>(fresh) / elapsed : 0.0;
}

double Progress::eta(std::uint64_t done) const {
  const std::uint64_t left = total_ > done ? total_ - done : 0;
  const double r = rate(done);
  return left == 0 ? 0.0 : r > 0 ? static_cast<double>(left) / r : std::numeric_limits<double>::quiet_NaN();
}

void Progress::print(std::uint64_t done, std::uint64_t escaped, bool final) {
  if (out_ == nullptr) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = this->rate(done);
  const double fraction =
      total_ > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 1.0;
  const double eta = this->eta(done);
  const double esc = done > 0 ? 100.0 * static_cast<double>(escaped) / static_cast<double>(done) : 0.0;

  std::string text;
  if (final) {
    text = fmt::format("finished: {}/{} trials in {} ({:.1f} trials/s), escaped {} ({:.1f}%)", done, total_,
                       clock_text(elapsed), rate, escaped, esc);
  } else if (terminal_) {
    const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar_width));
    text = fmt::format("[{}{}] {}/{}  {:.1f} trials/s  ETA {}  escaped {:.1f}%",
                       std::string(filled, '#'), std::string(bar_width - filled, ' '), done, total_,
                       rate, clock_text(eta), esc);
  } else {
    text = fmt::format("progress: {}/{} trials ({:.1f}%), {:.1f} trials/s, ETA {}, escaped {} ({:.1f}%)",
                       done, total_, 100 * fraction, rate, clock_text(eta), escaped, esc);
  }

  if (terminal_) {
    if (text.size() < line_width) text.append(line_width - text.size(), ' ');
    std::fputs(("\r" + text).c_str(), out_);
    if (final) std::fputc('\n', out_);
  } else {
    std::fputs((text + "\n").c_str(), out_);
  }
  std::fflush(out_);
}

}  // namespace escapade::io
