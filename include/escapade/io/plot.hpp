#pragma once
// The plot: mean escape time (with its 95% interval as error bars) versus sharpness, log–log,
// one line per group of the other swept parameters. An axis counts as a "sharpness axis" when
// configurations that differ only in it have different sharpness; the remaining axes define the
// groups. Written as a self-contained gnuplot script (data inline) next to the PNG, so a user can
// restyle it; gnuplot renders the PNG.
#include <filesystem>
#include <string>
#include <vector>

#include "escapade/io/summary_table.hpp"

namespace escapade::io {

// Writes `script` (gnuplot, data inline) that renders `png`.
void write_plot_script(const job::Job& job, const std::vector<SummaryRow>& rows,
                       const std::filesystem::path& script, const std::filesystem::path& png);
// Runs gnuplot on the script; returns false (and fills `why`) when gnuplot is missing or fails.
bool render_plot(const std::filesystem::path& script, std::string& why);

}  // namespace escapade::io
