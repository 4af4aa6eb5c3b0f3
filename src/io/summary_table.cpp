#include "escapade/io/summary_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <ostream>
#include <sstream>
#include <string>
#include <variant>

#include "escapade/io/atomic_file.hpp"

namespace escapade::io {

namespace {

// Shortest round-trip text; "nan", "inf" and "-inf", which pandas reads as floats. A NaN with its
// sign bit set (0/0 on x86 gives one) would print as "-nan": every NaN is written "nan".
std::string number(double x) { return std::isnan(x) ? std::string("nan") : fmt::format("{}", x); }

std::string short_number(double x) {
  return std::isnan(x) ? std::string("nan") : fmt::format("{:.4g}", x);
}

const job::Value* axis_value(const job::Job& job, const job::Configuration& c, std::size_t j) {
  const job::Axis& axis = job.axes[j];
  if (j < c.axis_index.size() && c.axis_index[j] < axis.values.size()) {
    return &axis.values[c.axis_index[j]];
  }
  return c.find(axis.key);
}

std::string axis_text(const job::Job& job, const job::Configuration& c, std::size_t j) {
  const job::Value* v = axis_value(job, c, j);
  return v == nullptr ? std::string() : job::format_value(*v);
}

// The terminal table shows float axis values with 4 significant digits like the other columns.
std::string axis_short_text(const job::Job& job, const job::Configuration& c, std::size_t j) {
  const job::Value* v = axis_value(job, c, j);
  if (v == nullptr) return {};
  if (const double* d = std::get_if<double>(v)) return short_number(*d);
  return job::format_value(*v);
}

}  // namespace

std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

void write_summary_csv(const job::Job& job, const std::vector<SummaryRow>& rows,
                       std::ostream& out) {
  out << "config";
  for (const job::Axis& axis : job.axes) out << ',' << csv_cell(axis.key);
  out << ",sharpness,trials,escaped,censored,diverged,mean_steps,mean_steps_ci_low,"
         "mean_steps_ci_high,median_steps,mean_time,mean_time_ci_low,mean_time_ci_high,p_escape,"
         "p_final_in_region,escape_along_top,escape_along_flat,trace_sigma,tr_h_sigma,"
         "tr_h_sigma_iso,alpha,reference_time,reference_error,theory_time,theory,z_reference,"
         "estimator\n";
  for (const SummaryRow& row : rows) {
    const stats::EscapeStats& s = row.stats;
    out << (row.config != nullptr ? std::to_string(row.config->index) : std::string());
    for (std::size_t j = 0; j < job.axes.size(); ++j) {
      out << ',' << (row.config != nullptr ? csv_cell(axis_text(job, *row.config, j)) : "");
    }
    out << ',' << number(row.sharpness) << ',' << s.trials << ',' << s.escaped << ',' << s.censored
        << ',' << s.diverged << ',' << number(s.mean_steps) << ',' << number(s.mean_steps_ci_low)
        << ',' << number(s.mean_steps_ci_high) << ',' << number(s.median_steps) << ','
        << number(s.mean_steps * row.lr) << ',' << number(s.mean_steps_ci_low * row.lr) << ','
        << number(s.mean_steps_ci_high * row.lr) << ',' << number(s.p_escape) << ','
        << number(s.p_final_in_region) << ',' << number(s.along_top_mean) << ','
        << number(s.along_flat_mean) << ',' << number(row.trace_sigma) << ','
        << number(row.tr_h_sigma) << ',' << number(row.tr_h_sigma_iso) << ','
        << number(row.alpha) << ',' << number(row.reference_time) << ','
        << number(row.reference_error) << ',' << number(row.theory_time) << ','
        << csv_cell(row.theory) << ',' << number(row.z_reference) << ',' << csv_cell(s.estimator)
        << '\n';
  }
}

void write_summary_csv(const job::Job& job, const std::vector<SummaryRow>& rows,
                       const std::filesystem::path& file) {
  std::ostringstream text;
  write_summary_csv(job, rows, text);
  write_file_atomically(file, text.str());
}

void print_summary_table(const job::Job& job, const std::vector<SummaryRow>& rows,
                         std::ostream& out) {
  const bool any_diverged = std::any_of(rows.begin(), rows.end(),
                                        [](const SummaryRow& r) { return r.stats.diverged > 0; });
  const bool any_final = std::any_of(rows.begin(), rows.end(), [](const SummaryRow& r) {
    return !std::isnan(r.stats.p_final_in_region);
  });
  const bool any_tr_h_sigma = std::any_of(
      rows.begin(), rows.end(), [](const SummaryRow& r) { return !std::isnan(r.tr_h_sigma); });
  const bool any_reference = std::any_of(
      rows.begin(), rows.end(), [](const SummaryRow& r) { return !std::isnan(r.reference_time); });

  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header{"config"};
  for (const job::Axis& axis : job.axes) header.push_back(axis.key);
  for (const char* h : {"sharpness", "trials", "escaped", "censored"}) header.emplace_back(h);
  if (any_diverged) header.emplace_back("diverged");
  for (const char* h : {"mean_time [95% CI]", "median_time", "p_escape"}) header.emplace_back(h);
  if (any_final) header.emplace_back("p_final_in_region");
  if (any_tr_h_sigma) header.emplace_back("tr_h_sigma");
  if (any_reference) {
    header.emplace_back("reference_time");
    header.emplace_back("z_reference");
  }
  table.push_back(header);

  for (const SummaryRow& row : rows) {
    const stats::EscapeStats& s = row.stats;
    std::vector<std::string> cells;
    cells.push_back(row.config != nullptr ? std::to_string(row.config->index) : "");
    for (std::size_t j = 0; j < job.axes.size(); ++j) {
      cells.push_back(row.config != nullptr ? axis_short_text(job, *row.config, j) : "");
    }
    cells.push_back(short_number(row.sharpness));
    cells.push_back(std::to_string(s.trials));
    cells.push_back(std::to_string(s.escaped));
    cells.push_back(std::to_string(s.censored));
    if (any_diverged) cells.push_back(std::to_string(s.diverged));
    cells.push_back(fmt::format("{} [{}, {}]", short_number(s.mean_steps * row.lr),
                                short_number(s.mean_steps_ci_low * row.lr),
                                short_number(s.mean_steps_ci_high * row.lr)));
    cells.push_back(short_number(s.median_steps * row.lr));
    cells.push_back(short_number(s.p_escape));
    if (any_final) cells.push_back(short_number(s.p_final_in_region));
    if (any_tr_h_sigma) cells.push_back(short_number(row.tr_h_sigma));
    if (any_reference) {
      cells.push_back(short_number(row.reference_time));
      cells.push_back(short_number(row.z_reference));
    }
    table.push_back(std::move(cells));
  }

  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& line : table) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  for (const auto& line : table) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) text += "  ";
      text += fmt::format("{:>{}}", line[i], width[i]);
    }
    out << text << '\n';
  }
}

}  // namespace escapade::io
