#pragma once
// summary.csv and the terminal summary table.
//
// Columns: config, one per sweep axis (dotted key), sharpness, trials, escaped, censored, diverged,
// mean_steps, mean_steps_ci_low, mean_steps_ci_high, median_steps, mean_time, mean_time_ci_low,
// mean_time_ci_high, p_escape, p_final_in_region, escape_along_top, escape_along_flat,
// trace_sigma, tr_h_sigma, tr_h_sigma_iso, alpha, reference_time, reference_error, theory_time,
// theory, z_reference, estimator. time = steps × lr;
// p_final_in_region, escape_along_top and escape_along_flat are EscapeStats::p_final_in_region,
// along_top_mean and along_flat_mean (stats/summary.hpp); the last four numbers are the
// SummaryRow fields of the same names. Numbers are written in their shortest round-trip form
// ("nan" for every NaN whatever its sign bit, "inf" and "-inf"), so pandas reads them exactly.
#include <filesystem>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "escapade/job/job.hpp"
#include "escapade/stats/summary.hpp"

namespace escapade::io {

// One configuration. The model layer fills the numbers of θ* (the minimum trials start from);
// H = H(θ*) is the loss Hessian there (curvature: loss / parameter²), Σ = Σ(θ*) the covariance
// of the gradient noise ξ there (gradient units squared: (loss / parameter)²), d the dimension.
// NaN marks a number that does not apply to the configuration's noise.
struct SummaryRow {
  static constexpr double not_applicable = std::numeric_limits<double>::quiet_NaN();

  const job::Configuration* config = nullptr;
  double sharpness = 0;  // λ_max(H) at θ*
  double lr = 0;         // η, converts steps to time
  stats::EscapeStats stats;
  // trace_sigma = Tr Σ, the total gradient-noise variance ((loss / parameter)²). NaN where the
  // noise has no covariance (Lévy noise with α < 2).
  double trace_sigma = not_applicable;
  // tr_h_sigma = Tr(H Σ) (loss³ / parameter⁴): Zhu et al.'s indicator of escaping efficiency
  // (Zhu, Wu, Yu, Wu, Ma, ICML 2019), large when the noise is aligned with the sharp directions.
  // NaN where trace_sigma is.
  double tr_h_sigma = not_applicable;
  // tr_h_sigma_iso = Tr H · Tr Σ / d: Tr(H Σ) for the isotropic noise of equal trace,
  // Σ_iso = (Tr Σ / d) I; tr_h_sigma / tr_h_sigma_iso > 1 means the noise favours sharp
  // directions. NaN where trace_sigma is.
  double tr_h_sigma_iso = not_applicable;
  // alpha = the stability index α ∈ (0, 2] of Lévy noise (noise.alpha); NaN for other noises.
  double alpha = not_applicable;
  // The exact reference (docs/REFERENCES.md): reference_time = the mean first-passage time of the
  // continuous limit from the backward-Kolmogorov solver (time units), reference_error its
  // two-grid error estimate; theory_time the asymptotic formula named in `theory`; z_reference =
  // (mean_time − reference_time) / (standard error of mean_time). NaN / empty where they do not
  // apply (the manifest says why).
  double reference_time = not_applicable;
  double reference_error = not_applicable;
  double theory_time = not_applicable;
  std::string theory;
  double z_reference = not_applicable;
};

// One CSV cell (RFC 4180): `text` as is, or in double quotes (inner quotes doubled) when it holds
// a comma, a quote or a line break, as vector and matrix values do ("[1,2]").
std::string csv_cell(std::string_view text);

void write_summary_csv(const job::Job& job, const std::vector<SummaryRow>& rows, std::ostream& out);
// Writes DIR/summary.csv atomically. Throws IoError.
void write_summary_csv(const job::Job& job, const std::vector<SummaryRow>& rows,
                       const std::filesystem::path& file);
// Human-readable, aligned table of the main columns; p_final_in_region and tr_h_sigma appear only
// when some row has a value (not NaN) for them, diverged only when some row has a diverged trial.
void print_summary_table(const job::Job& job, const std::vector<SummaryRow>& rows, std::ostream& out);

}  // namespace escapade::io
