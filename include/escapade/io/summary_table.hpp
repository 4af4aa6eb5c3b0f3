#pragma once
// summary.csv and the terminal summary table.
//
// Columns: config, one per sweep axis (dotted key), sharpness, trials, escaped, censored, diverged,
// mean_steps, mean_steps_ci_low, mean_steps_ci_high, median_steps, mean_time, mean_time_ci_low,
// mean_time_ci_high, p_escape, estimator. time = steps × lr. Numbers are written in their
// shortest round-trip form ("nan" and "inf" where undefined), so pandas reads them exactly.
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "escapade/job/job.hpp"
#include "escapade/stats/summary.hpp"

namespace escapade::io {

struct SummaryRow {
  const job::Configuration* config = nullptr;
  double sharpness = 0;  // λ_max(H) at θ*
  double lr = 0;         // η, converts steps to time
  stats::EscapeStats stats;
};

// One CSV cell (RFC 4180): `text` as is, or in double quotes (inner quotes doubled) when it holds
// a comma, a quote or a line break, as vector and matrix values do ("[1,2]").
std::string csv_cell(std::string_view text);

void write_summary_csv(const job::Job& job, const std::vector<SummaryRow>& rows, std::ostream& out);
// Writes DIR/summary.csv atomically. Throws IoError.
void write_summary_csv(const job::Job& job, const std::vector<SummaryRow>& rows,
                       const std::filesystem::path& file);
// Human-readable, aligned table of the main columns.
void print_summary_table(const job::Job& job, const std::vector<SummaryRow>& rows, std::ostream& out);

}  // namespace escapade::io
