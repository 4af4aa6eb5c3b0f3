#include "escapade/io/plot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "escapade/core/build_info.hpp"
#include "escapade/core/error.hpp"
#include "escapade/io/atomic_file.hpp"

namespace escapade::io {

namespace {

struct Point {
  double x = 0, y = 0, lo = 0, hi = 0;
  std::uint32_t config = 0;
};

struct Group {
  std::string label;
  std::vector<const SummaryRow*> rows;
  std::vector<Point> points;
};

// Sharpness computed at minima found numerically can differ in the last bits between
// configurations whose landscape is the same, so "different" allows for rounding.
bool differs(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) != std::isnan(b);
  return std::abs(a - b) > 1e-9 * std::max(std::abs(a), std::abs(b));
}

bool has_indices(const job::Job& job, const SummaryRow& row) {
  return row.config != nullptr && row.config->axis_index.size() == job.axes.size();
}

std::vector<bool> find_sharpness_axes(const job::Job& job, const std::vector<SummaryRow>& rows) {
  std::vector<bool> sharp(job.axes.size(), false);
  for (std::size_t j = 0; j < job.axes.size(); ++j) {
    // Rows that agree on every other axis fall into one bucket; sharpness varying within a
    // bucket is due to axis j alone.
    std::map<std::vector<std::size_t>, double> seen;
    for (const SummaryRow& row : rows) {
      if (!has_indices(job, row)) continue;
      std::vector<std::size_t> rest = row.config->axis_index;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(j));
      const auto [it, inserted] = seen.emplace(std::move(rest), row.sharpness);
      if (!inserted && differs(it->second, row.sharpness)) {
        sharp[j] = true;
        break;
      }
    }
  }
  return sharp;
}

// Text inside a gnuplot single-quoted string, where nothing is special but the quote itself.
std::string gp_quote(std::string_view text) {
  std::string out = "'";
  for (const char ch : text) {
    if (ch == '\'') {
      out += "''";
    } else if (ch == '\n' || ch == '\r') {
      out += ' ';
    } else {
      out += ch;
    }
  }
  out += '\'';
  return out;
}

template <typename... T>
void line(fmt::memory_buffer& out, fmt::format_string<T...> format, T&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<T>(args)...);
  out.push_back('\n');
}

std::vector<Group> make_groups(const job::Job& job, const std::vector<SummaryRow>& rows,
                               const std::vector<bool>& sharp) {
  std::vector<Group> groups;
  std::map<std::vector<std::size_t>, std::size_t> index;
  for (const SummaryRow& row : rows) {
    std::vector<std::size_t> key;
    std::string label;
    if (has_indices(job, row)) {
      for (std::size_t j = 0; j < job.axes.size(); ++j) {
        if (sharp[j]) continue;
        key.push_back(row.config->axis_index[j]);
        if (!label.empty()) label += ", ";
        const job::Axis& axis = job.axes[j];
        const std::size_t k = row.config->axis_index[j];
        label +=
            axis.key + "=" + (k < axis.values.size() ? job::format_value(axis.values[k]) : "?");
      }
    }
    // The label goes into comments and titles, which end at a line break.
    std::replace_if(
        label.begin(), label.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    const auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back(Group{label, {}, {}});
    groups[it->second].rows.push_back(&row);
  }
  if (groups.size() == 1) groups.front().label = "all";
  return groups;
}

}  // namespace

void write_plot_script(const job::Job& job, const std::vector<SummaryRow>& rows,
                       const std::filesystem::path& script, const std::filesystem::path& png) {
  // gnuplot runs in the script's directory (render_plot does that), so the output is named
  // relative to it and the pair can be moved together.
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(script, ec).parent_path();
  std::filesystem::path output = std::filesystem::absolute(png, ec);
  if (!ec) {
    const std::filesystem::path rel = output.lexically_relative(dir);
    if (!rel.empty()) output = rel;
  } else {
    output = png;
  }
  if (output.string().find_first_of("\r\n") != std::string::npos) {
    throw IoError("cannot write '" + script.string() +
                  "': the plot path contains a line break, which gnuplot cannot read");
  }

  const std::vector<bool> sharp = find_sharpness_axes(job, rows);
  std::vector<Group> groups = make_groups(job, rows, sharp);

  // Log axes cannot show non-positive values and error bars need finite ends: infinite upper
  // bounds are drawn to beyond the top of the data, non-positive lower ones below the bottom.
  double y_top = 0;
  double y_bottom = std::numeric_limits<double>::infinity();
  for (Group& g : groups) {
    for (const SummaryRow* row : g.rows) {
      Point p;
      p.x = row->sharpness;
      p.y = row->stats.mean_steps * row->lr;
      p.lo = row->stats.mean_steps_ci_low * row->lr;
      p.hi = row->stats.mean_steps_ci_high * row->lr;
      p.config = row->config != nullptr ? row->config->index : 0;
      if (!(std::isfinite(p.x) && p.x > 0 && std::isfinite(p.y) && p.y > 0)) continue;
      g.points.push_back(p);
      y_top = std::max(y_top, p.y);
      y_bottom = std::min(y_bottom, p.y);
      if (std::isfinite(p.hi)) y_top = std::max(y_top, p.hi);
      if (std::isfinite(p.lo) && p.lo > 0) y_bottom = std::min(y_bottom, p.lo);
    }
    std::stable_sort(g.points.begin(), g.points.end(),
                     [](const Point& a, const Point& b) { return a.x < b.x; });
  }
  for (Group& g : groups) {
    for (Point& p : g.points) {
      if (std::isnan(p.hi) || p.hi < p.y) p.hi = p.y;
      if (std::isinf(p.hi)) p.hi = 10 * y_top;
      if (std::isnan(p.lo) || p.lo > p.y) p.lo = p.y;
      if (p.lo <= 0) p.lo = y_bottom / 10;
    }
  }

  fmt::memory_buffer out;
  line(out, "# Mean escape time versus sharpness, written by escapade {}.", build_info::version);
  line(out, "# Render from this directory: gnuplot {}", script.filename().string());
  line(out, "# Data columns: sharpness (λ_max(H) at θ*), mean_time, mean_time_ci_low,");
  line(out, "# mean_time_ci_high (time t = k·η; 95% interval), config (row of summary.csv).");
  if (y_top > 0) {
    line(out, "# Infinite upper bounds are drawn to {}, non-positive lower ones to {}.", 10 * y_top,
         y_bottom / 10);
  }
  line(out, "set encoding utf8");
  line(out, "set terminal pngcairo size 900,600");
  line(out, "set output {}", gp_quote(output.string()));
  line(out, "set title {} noenhanced", gp_quote(job.name));
  line(out, "set xlabel {} noenhanced", gp_quote("sharpness λ_max(H) at θ*"));
  line(out, "set ylabel {} noenhanced", gp_quote("mean escape time t = k·η"));
  line(out, "set logscale xy");
  line(out, "set grid");
  line(out, "set key top left");
  line(out, "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05");

  std::vector<std::size_t> drawn;
  std::vector<bool> has_ref;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const Group& g = groups[i];
    line(out, "$data{} << EOD", i + 1);
    line(out, "# {}", g.label);
    for (const SummaryRow* row : g.rows) {
      const double y = row->stats.mean_steps * row->lr;
      if (!(std::isfinite(row->sharpness) && row->sharpness > 0 && std::isfinite(y) && y > 0)) {
        line(out, "# config {} not drawn: sharpness {}, mean_time {}",
             row->config != nullptr ? row->config->index : 0, row->sharpness, y);
      }
    }
    for (const Point& p : g.points) line(out, "{} {} {} {} {}", p.x, p.y, p.lo, p.hi, p.config);
    line(out, "EOD");
    if (!g.points.empty()) drawn.push_back(i);
    // The exact references of the same configurations, drawn as a line through the points.
    std::vector<std::pair<double, double>> ref;
    for (const SummaryRow* row : g.rows)
      if (std::isfinite(row->reference_time) && row->reference_time > 0 && row->sharpness > 0)
        ref.emplace_back(row->sharpness, row->reference_time);
    std::sort(ref.begin(), ref.end());
    has_ref.push_back(!ref.empty());
    if (ref.empty()) continue;
    line(out, "$ref{} << EOD", i + 1);
    for (const auto& [x, y] : ref) line(out, "{} {}", x, y);
    line(out, "EOD");
  }

  if (drawn.empty()) {
    line(out, "set label 1 {} at graph 0.5, 0.5 center",
         gp_quote("no configuration has a finite mean escape time"));
    line(out, "plot [1:10] [1:10] NaN notitle");
  } else {
    std::string plot = "plot ";
    for (std::size_t n = 0; n < drawn.size(); ++n) {
      if (n > 0) plot += ", \\\n     ";
      plot += fmt::format(
          "$data{} using 1:2:3:4 with yerrorlines pointtype 7 linecolor {} title {} noenhanced",
          drawn[n] + 1, n + 1, gp_quote(groups[drawn[n]].label));
      if (has_ref[drawn[n]])
        plot += fmt::format(", \\\n     $ref{} using 1:2 with lines dashtype 2 linecolor {} title {} noenhanced",
                            drawn[n] + 1, n + 1, gp_quote("exact reference, " + groups[drawn[n]].label));
    }
    line(out, "{}", plot);
  }
  write_file_atomically(script, std::string_view(out.data(), out.size()));
}

bool render_plot(const std::filesystem::path& script, std::string& why) {
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(script, ec);
  if (ec || !std::filesystem::is_regular_file(abs, ec)) {
    why = "plot script '" + script.string() + "' not found";
    return false;
  }
  const std::string dir = abs.parent_path().string();
  const std::string name = abs.filename().string();

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    why = std::string("cannot run gnuplot: ") + std::strerror(errno);
    return false;
  }
  // posix_spawn rather than system(): no shell, so no quoting of paths, and no fork of a
  // possibly large MPI process. gnuplot's stderr comes back through the pipe.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::string arg0 = "gnuplot";
  std::string arg1 = name;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    why = rc == ENOENT ? std::string("gnuplot not found on PATH")
                       : std::string("cannot run gnuplot: ") + std::strerror(rc);
    return false;
  }

  std::string err;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) {
      err.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      why = std::string("cannot wait for gnuplot: ") + std::strerror(errno);
      return false;
    }
  }
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (WIFEXITED(status)) {
    why = fmt::format("gnuplot {} failed (exit status {})", script.string(), WEXITSTATUS(status));
  } else {
    why = fmt::format("gnuplot {} was killed by signal {}", script.string(),
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
  if (!err.empty()) why += ": " + err;
  return false;
}

}  // namespace escapade::io
