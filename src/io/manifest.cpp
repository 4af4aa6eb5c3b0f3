#include "escapade/io/manifest.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <variant>

#include "escapade/core/build_info.hpp"
#include "escapade/io/atomic_file.hpp"

namespace escapade::io {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto byte = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

std::string json_number(double x) {
  // JSON has no NaN or infinity.
  return std::isfinite(x) ? fmt::format("{}", x) : std::string("null");
}

std::string json_value(const job::Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          return json_number(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return json_string(x);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          std::string out = "[";
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i > 0) out += ", ";
            out += json_number(x[i]);
          }
          return out + "]";
        } else if constexpr (std::is_same_v<T, job::Distribution> || std::is_same_v<T, job::Table>) {
          return json_string(job::format_value(job::Value{x}));
        } else {
          std::string out = "[";
          for (std::size_t i = 0; i < x.size(); ++i) {
            if (i > 0) out += ", ";
            out += "[";
            for (std::size_t k = 0; k < x[i].size(); ++k) {
              if (k > 0) out += ", ";
              out += json_number(x[i][k]);
            }
            out += "]";
          }
          return out + "]";
        }
      },
      v);
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // Invalid UTF-8 would make the whole file invalid JSON; it becomes U+FFFD.
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s, i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(u));
        } else {
          out += c;
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

void write_manifest(const job::Job& job, const RunInfo& info, const std::filesystem::path& file) {
  std::string out = "{\n";
  const auto field = [&out](std::string_view indent, std::string_view key, const std::string& value,
                            bool last = false) {
    out += indent;
    out += json_string(std::string(key));
    out += ": ";
    out += value;
    out += last ? "\n" : ",\n";
  };
  field("  ", "escapade_version", json_string(build_info::version));
  field("  ", "git_commit", json_string(build_info::git_commit));
  field("  ", "compiler", json_string(build_info::compiler));
  field("  ", "cxx_flags", json_string(build_info::cxx_flags));
  field("  ", "build_type", json_string(build_info::build_type));
  field("  ", "petsc", json_string(info.petsc_version));
  field("  ", "mpi", json_string(info.mpi_library));

  out += "  \"job\": {\n";
  field("    ", "path", json_string(job.source));
  field("    ", "name", json_string(job.name));
  field("    ", "seed", std::to_string(job.seed));
  field("    ", "trials", std::to_string(job.trials));
  field("    ", "max_steps", std::to_string(job.max_steps));
  field("    ", "hash", json_string(fmt::format("{:016x}", job.text_hash)));
  field("    ", "text", json_string(job.text), true);
  out += "  },\n";

  field("  ", "configurations", std::to_string(job.configs.size()));

  out += "  \"axes\": [";
  for (std::size_t j = 0; j < job.axes.size(); ++j) {
    out += j > 0 ? ",\n    " : "\n    ";
    out += "{\"key\": " + json_string(job.axes[j].key) + ", \"values\": [";
    for (std::size_t k = 0; k < job.axes[j].values.size(); ++k) {
      if (k > 0) out += ", ";
      out += json_value(job.axes[j].values[k]);
    }
    out += "]}";
  }
  out += job.axes.empty() ? "],\n" : "\n  ],\n";

  out += "  \"run\": {\n";
  field("    ", "ranks", std::to_string(info.ranks));
  field("    ", "wall_seconds", json_number(info.wall_seconds));
  field("    ", "started_utc", json_string(info.started_utc));
  field("    ", "finished_utc", json_string(info.finished_utc));
  field("    ", "host", json_string(info.host));
  field("    ", "trials_total", std::to_string(info.trials_total));
  field("    ", "trials_run", std::to_string(info.trials_run));
  field("    ", "farm_seconds", json_number(info.farm_seconds));
  field("    ", "results_per_second",
        json_number(info.farm_seconds > 0 ? static_cast<double>(info.trials_run) / info.farm_seconds : 0.0));
  field("    ", "master_peak_rss_mb", json_number(info.master_peak_rss_mb), true);
  out += "  },\n  \"reference_notes\": [";
  for (std::size_t i = 0; i < info.reference_notes.size(); ++i)
    out += (i == 0 ? "\n    " : ",\n    ") + json_string(info.reference_notes[i]);
  out += info.reference_notes.empty() ? "]\n}\n" : "\n  ]\n}\n";

  write_file_atomically(file, out);
}

}  // namespace escapade::io
