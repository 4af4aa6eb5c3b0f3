// summary.csv, the terminal table, the gnuplot script and manifest.json, on jobs built by hand.
#include "escapade/io/summary_table.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "escapade/core/error.hpp"
#include "escapade/io/manifest.hpp"
#include "escapade/io/plot.hpp"

namespace escapade::io {
namespace {

namespace fs = std::filesystem;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("escapade_summary_test_" + std::to_string(::getpid()) +
                                         "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// An RFC 4180 record splitter, enough to check quoting.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// The Cartesian product of `axes` in job-file order, last axis fastest, as parse_job builds it.
job::Job make_job(std::string name, std::vector<job::Axis> axes) {
  job::Job j;
  j.source = "jobs/sweep.toml";
  j.text = "[job]\nname = \"" + name + "\"\n";
  j.text_hash = 0x0123456789abcdefULL;
  j.name = std::move(name);
  j.seed = 42;
  j.trials = 100;
  j.max_steps = 100000;
  j.axes = std::move(axes);
  std::size_t n = 1;
  for (const job::Axis& a : j.axes) n *= a.values.size();
  for (std::size_t i = 0; i < n; ++i) {
    job::Configuration c;
    c.index = static_cast<std::uint32_t>(i);
    c.key = 1000 + i;
    c.axis_index.resize(j.axes.size());
    std::size_t rest = i;
    for (std::size_t k = j.axes.size(); k-- > 0;) {
      c.axis_index[k] = rest % j.axes[k].values.size();
      rest /= j.axes[k].values.size();
    }
    for (std::size_t k = 0; k < j.axes.size(); ++k) {
      c.params.push_back({j.axes[k].key, j.axes[k].values[c.axis_index[k]]});
    }
    j.configs.push_back(std::move(c));
  }
  return j;
}

stats::EscapeStats make_stats(double mean, double low, double high, double median) {
  stats::EscapeStats s;
  s.trials = 100;
  s.escaped = 90;
  s.censored = 10;
  s.diverged = 0;
  s.mean_steps = mean;
  s.mean_steps_ci_low = low;
  s.mean_steps_ci_high = high;
  s.median_steps = median;
  s.p_escape = 0.9;
  s.estimator = "exponential_mle";
  return s;
}

// Axis a: the landscape curvature (changes sharpness); sigma: the noise (does not).
job::Job two_axis_job() {
  return make_job("sweep", {{"landscape.a", {1.0, 10.0}}, {"noise.sigma", {20.0, 0.5}}});
}

std::vector<SummaryRow> rows_for(const job::Job& j, double lr) {
  std::vector<SummaryRow> rows;
  for (const job::Configuration& c : j.configs) {
    SummaryRow r;
    r.config = &c;
    r.sharpness = std::get<double>(j.axes[0].values[c.axis_index[0]]);
    r.lr = lr;
    const double scale = 1 + static_cast<double>(c.index);
    r.stats = make_stats(1000 * scale, 800 * scale, 1250 * scale, 900 * scale);
    rows.push_back(r);
  }
  return rows;
}

const std::string summary_header =
    "config,landscape.a,noise.sigma,sharpness,trials,escaped,censored,diverged,mean_steps,"
    "mean_steps_ci_low,mean_steps_ci_high,median_steps,mean_time,mean_time_ci_low,"
    "mean_time_ci_high,p_escape,p_final_in_region,escape_along_top,escape_along_flat,"
    "trace_sigma,tr_h_sigma,tr_h_sigma_iso,alpha,reference_time,reference_error,theory_time,"
    "theory,z_reference,estimator";

TEST(SummaryCsv, HeaderAndRowsAreExact) {
  const job::Job j = two_axis_job();
  std::vector<SummaryRow> rows = rows_for(j, 0.25);
  rows[1].stats.mean_steps = 1250.5;
  rows[1].stats.mean_steps_ci_low = 1000.25;
  rows[1].stats.mean_steps_ci_high = 1600;
  rows[1].stats.median_steps = 1100;
  // A configuration where nothing escaped: undefined mean, infinite upper bound.
  rows[3].stats = make_stats(nan, 5000, inf, nan);
  rows[3].stats.escaped = 0;
  rows[3].stats.censored = 99;
  rows[3].stats.diverged = 1;
  rows[3].stats.p_escape = 0;
  // Gaussian noise with the observables recorded: covariance numbers, no alpha.
  rows[1].stats.p_final_in_region = 0.375;
  rows[1].stats.along_top_mean = 0.8125;
  rows[1].stats.along_flat_mean = 0.0625;
  rows[1].trace_sigma = 800;
  rows[1].tr_h_sigma = 4400;
  rows[1].tr_h_sigma_iso = 2200;
  rows[1].reference_time = 300.5;
  rows[1].reference_error = 0.25;
  rows[1].theory_time = 280;
  rows[1].theory = "kramers";
  rows[1].z_reference = 0.5;
  // Lévy noise: no covariance, alpha only; a NaN with its sign bit set still prints "nan".
  rows[2].trace_sigma = -nan;
  ASSERT_TRUE(std::signbit(rows[2].trace_sigma));
  rows[2].alpha = 1.5;

  std::ostringstream out;
  write_summary_csv(j, rows, out);
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], summary_header);
  EXPECT_EQ(lines[1],
            "0,1,20,1,100,90,10,0,1000,800,1250,900,250,200,312.5,0.9,nan,nan,nan,nan,nan,nan,nan,"
            "nan,nan,nan,,nan,exponential_mle");
  EXPECT_EQ(lines[2],
            "1,1,0.5,1,100,90,10,0,1250.5,1000.25,1600,1100,312.625,250.0625,400,0.9,0.375,0.8125,"
            "0.0625,800,4400,2200,nan,300.5,0.25,280,kramers,0.5,exponential_mle");
  EXPECT_EQ(lines[3],
            "2,10,20,10,100,90,10,0,3000,2400,3750,2700,750,600,937.5,0.9,nan,nan,nan,nan,nan,nan,"
            "1.5,nan,nan,nan,,nan,exponential_mle");
  EXPECT_EQ(lines[4],
            "3,10,0.5,10,100,0,99,1,nan,5000,inf,nan,nan,1250,inf,0,nan,nan,nan,nan,nan,nan,nan,"
            "nan,nan,nan,,nan,exponential_mle");
  EXPECT_EQ(out.str().back(), '\n');
  // Every row has as many cells as the header.
  for (const std::string& line : lines) EXPECT_EQ(split_csv(line).size(), 29u) << line;
}

TEST(SummaryCsv, NumbersRoundTrip) {
  const job::Job j = make_job("one", {});
  job::Configuration c;
  SummaryRow r;
  r.config = &c;
  r.sharpness = 0.1;
  r.lr = 1e-3;
  r.stats = make_stats(1.0 / 3.0, 0.1 + 0.2, 12345678.9, 7);
  std::ostringstream out;
  write_summary_csv(j, {r}, out);
  const std::vector<std::string> cells = split_csv(lines_of(out.str())[1]);
  ASSERT_EQ(cells.size(), 27u);
  EXPECT_EQ(cells[1], "0.1");
  EXPECT_EQ(std::strtod(cells[6].c_str(), nullptr), 1.0 / 3.0);
  EXPECT_EQ(std::strtod(cells[7].c_str(), nullptr), 0.1 + 0.2);
  EXPECT_EQ(std::strtod(cells[10].c_str(), nullptr), (1.0 / 3.0) * 1e-3);
}

TEST(SummaryCsv, VectorValuedAxisCellIsQuoted) {
  const job::Job j = make_job(
      "vec", {{"noise.direction", {std::vector<double>{1, 2}, std::vector<double>{0.5, -1}}}});
  std::vector<SummaryRow> rows;
  for (const job::Configuration& c : j.configs) {
    SummaryRow r;
    r.config = &c;
    r.sharpness = 2;
    r.lr = 0.5;
    r.stats = make_stats(10, 8, 12, 9);
    rows.push_back(r);
  }
  std::ostringstream out;
  write_summary_csv(j, rows, out);
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 3u);
  const std::string text = job::format_value(j.axes[0].values[0]);  // "[1,2]" per job.hpp
  ASSERT_NE(text.find(','), std::string::npos);
  EXPECT_EQ(lines[1].rfind("0,\"" + text + "\",2,", 0), 0u) << lines[1];
  const std::vector<std::string> header = split_csv(lines[0]);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = split_csv(lines[i]);
    ASSERT_EQ(cells.size(), header.size()) << lines[i];
    EXPECT_EQ(cells[1], job::format_value(j.axes[0].values[i - 1]));
  }
}

TEST(SummaryCsv, CellQuotingFollowsRfc4180) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("[1,2]"), "\"[1,2]\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
}

TEST(SummaryCsv, FileIsWrittenWhole) {
  TempDir dir;
  const job::Job j = two_axis_job();
  const std::vector<SummaryRow> rows = rows_for(j, 0.25);
  write_summary_csv(j, rows, dir / "summary.csv");
  std::ostringstream expected;
  write_summary_csv(j, rows, expected);
  EXPECT_EQ(read_text(dir / "summary.csv"), expected.str());
  EXPECT_FALSE(fs::exists(dir / "summary.csv.tmp"));
  EXPECT_THROW(write_summary_csv(j, rows, dir / "absent" / "summary.csv"), IoError);
}

TEST(SummaryTable, ColumnsAreAligned) {
  const job::Job j = two_axis_job();
  std::vector<SummaryRow> rows = rows_for(j, 0.001);
  rows[2].stats.mean_steps = 123456.789;
  std::ostringstream out;
  print_summary_table(j, rows, out);
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 5u);
  for (const std::string& line : lines) EXPECT_EQ(line.size(), lines[0].size()) << line;
  for (const char* column : {"config", "landscape.a", "noise.sigma", "sharpness", "trials",
                             "escaped", "censored", "mean_time", "median_time", "p_escape"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << column;
  }
  EXPECT_EQ(lines[0].find("diverged"), std::string::npos);  // shown only when some diverged
  // Shown only when some row has them.
  EXPECT_EQ(lines[0].find("p_final_in_region"), std::string::npos);
  EXPECT_EQ(lines[0].find("tr_h_sigma"), std::string::npos);
  EXPECT_NE(lines[3].find("123.5 [2.4, 3.75]"), std::string::npos) << lines[3];
}

TEST(SummaryTable, FinalInRegionAndTrHSigmaAppearWhenSomeRowHasThem) {
  const job::Job j = two_axis_job();
  std::vector<SummaryRow> rows = rows_for(j, 0.001);
  rows[1].stats.p_final_in_region = 0.4375;
  rows[2].tr_h_sigma = 12345.678;
  std::ostringstream out;
  print_summary_table(j, rows, out);
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 5u);
  for (const std::string& line : lines) EXPECT_EQ(line.size(), lines[0].size()) << line;
  const std::size_t p = lines[0].find("p_final_in_region");
  const std::size_t t = lines[0].find("tr_h_sigma");
  ASSERT_NE(p, std::string::npos);
  ASSERT_NE(t, std::string::npos);
  EXPECT_LT(lines[0].find("p_escape"), p);
  EXPECT_LT(p, t);
  EXPECT_NE(lines[2].find("0.4375"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("1.235e+04"), std::string::npos) << lines[3];
  EXPECT_EQ(lines[1].substr(lines[1].size() - 3), "nan") << lines[1];

  // Only one of them: the other stays out.
  rows = rows_for(j, 0.001);
  rows[0].stats.p_final_in_region = 1;
  std::ostringstream only_final;
  print_summary_table(j, rows, only_final);
  const std::string head = lines_of(only_final.str())[0];
  EXPECT_NE(head.find("p_final_in_region"), std::string::npos);
  EXPECT_EQ(head.find("tr_h_sigma"), std::string::npos);
}

// ---- the plot ----------------------------------------------------------------------------------

bool gnuplot_on_path() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::istringstream dirs(path);
  for (std::string d; std::getline(dirs, d, ':');) {
    if (!d.empty() && ::access((fs::path(d) / "gnuplot").c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::vector<std::string> data_blocks(const std::string& script) {
  std::vector<std::string> blocks;
  for (std::size_t at = script.find("<< EOD\n"); at != std::string::npos;
       at = script.find("<< EOD\n", at + 1)) {
    const std::size_t begin = at + 7;
    blocks.push_back(script.substr(begin, script.find("EOD\n", begin) - begin));
  }
  return blocks;
}

TEST(Plot, OneDataBlockPerGroupOfNonSharpnessAxes) {
  TempDir dir;
  const job::Job j = two_axis_job();
  const std::vector<SummaryRow> rows = rows_for(j, 0.25);
  write_plot_script(j, rows, dir / "escape_time.gp", dir / "escape_time.png");
  const std::string script = read_text(dir / "escape_time.gp");

  EXPECT_NE(script.find("set terminal pngcairo size 900,600\n"), std::string::npos);
  EXPECT_NE(script.find("set logscale xy\n"), std::string::npos);
  EXPECT_NE(script.find("set output 'escape_time.png'\n"), std::string::npos);
  EXPECT_NE(script.find("set title 'sweep'"), std::string::npos);
  EXPECT_NE(script.find("sharpness λ_max(H) at θ*"), std::string::npos);
  EXPECT_NE(script.find("mean escape time t = k·η"), std::string::npos);

  // landscape.a changes sharpness, noise.sigma does not: one line per sigma.
  const std::vector<std::string> blocks = data_blocks(script);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(count(script, "yerrorlines"), 2u);
  EXPECT_NE(script.find("title 'noise.sigma=20'"), std::string::npos);
  EXPECT_NE(script.find("title 'noise.sigma=0.5'"), std::string::npos);
  // sigma = 20: configurations 0 (a = 1) and 2 (a = 10); time = steps × 0.25.
  EXPECT_EQ(blocks[0], "# noise.sigma=20\n1 250 200 312.5 0\n10 750 600 937.5 2\n");
  EXPECT_EQ(blocks[1], "# noise.sigma=0.5\n1 500 400 625 1\n10 1000 800 1250 3\n");
}

TEST(Plot, AxisThatChangesSharpnessIsNeverAGroup) {
  TempDir dir;
  // lr first, a second: the rule looks at what changes sharpness, not at axis order.
  const job::Job j =
      make_job("order", {{"dynamics.lr", {0.001, 0.01, 0.125}}, {"landscape.a", {2.0, 4.0}}});
  std::vector<SummaryRow> rows;
  for (const job::Configuration& c : j.configs) {
    SummaryRow r;
    r.config = &c;
    r.sharpness = std::get<double>(j.axes[1].values[c.axis_index[1]]);
    r.lr = std::get<double>(j.axes[0].values[c.axis_index[0]]);
    r.stats = make_stats(100, 90, 110, 95);
    rows.push_back(r);
  }
  write_plot_script(j, rows, dir / "p.gp", dir / "p.png");
  const std::string script = read_text(dir / "p.gp");
  EXPECT_EQ(data_blocks(script).size(), 3u);
  EXPECT_NE(script.find("title 'dynamics.lr=0.001'"), std::string::npos);
  EXPECT_NE(script.find("title 'dynamics.lr=0.125'"), std::string::npos);
  EXPECT_EQ(script.find("landscape.a="), std::string::npos);
}

TEST(Plot, OnlySharpnessAxesMakeOneGroupCalledAll) {
  TempDir dir;
  const job::Job j = make_job("it's \"quoted\"", {{"landscape.a", {1.0, 2.0, 4.0}}});
  std::vector<SummaryRow> rows;
  for (const job::Configuration& c : j.configs) {
    SummaryRow r;
    r.config = &c;
    r.sharpness = std::get<double>(j.axes[0].values[c.axis_index[0]]);
    r.lr = 1;
    r.stats = make_stats(10 * r.sharpness, 5 * r.sharpness, inf, 9);
    rows.push_back(r);
  }
  rows[1].stats.mean_steps = nan;        // not drawn
  rows[2].stats.mean_steps_ci_low = -3;  // below zero on a log axis
  write_plot_script(j, rows, dir / "p.gp", dir / "p.png");
  const std::string script = read_text(dir / "p.gp");
  const std::vector<std::string> blocks = data_blocks(script);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_NE(script.find("title 'all'"), std::string::npos);
  EXPECT_NE(script.find("set title 'it''s \"quoted\"'"), std::string::npos);
  // Infinite upper bounds are drawn to 10 × the highest finite value (40), negative lower
  // bounds to a tenth of the lowest positive one (5); the NaN mean stays out of the data.
  EXPECT_EQ(blocks[0],
            "# all\n# config 1 not drawn: sharpness 2, mean_time nan\n"
            "1 10 5 400 0\n4 40 0.5 400 2\n");
}

TEST(Plot, RendersAPng) {
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH; the PNG cannot be rendered";
  TempDir dir;
  const job::Job j = two_axis_job();
  write_plot_script(j, rows_for(j, 0.25), dir / "escape_time.gp", dir / "escape_time.png");
  std::string why;
  ASSERT_TRUE(render_plot(dir / "escape_time.gp", why)) << why;
  const std::string png = read_text(dir / "escape_time.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
}

TEST(Plot, RendersEvenWithNothingToDraw) {
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH; the PNG cannot be rendered";
  TempDir dir;
  const job::Job j = make_job("empty", {{"landscape.a", {1.0, 2.0}}});
  std::vector<SummaryRow> rows;
  for (const job::Configuration& c : j.configs) {
    SummaryRow r;
    r.config = &c;
    r.sharpness = 1 + c.index;
    r.lr = 1;
    r.stats = make_stats(nan, 100, inf, nan);
    rows.push_back(r);
  }
  write_plot_script(j, rows, dir / "e.gp", dir / "e.png");
  std::string why;
  EXPECT_TRUE(render_plot(dir / "e.gp", why)) << why;
  EXPECT_GT(fs::file_size(dir / "e.png"), 0u);
}

TEST(Plot, RenderReportsWhyItFailed) {
  TempDir dir;
  std::string why;
  EXPECT_FALSE(render_plot(dir / "absent.gp", why));
  EXPECT_FALSE(why.empty());
  if (!gnuplot_on_path()) return;
  std::ofstream(dir / "bad.gp") << "this is not gnuplot\n";
  why.clear();
  EXPECT_FALSE(render_plot(dir / "bad.gp", why));
  EXPECT_NE(why.find("bad.gp"), std::string::npos) << why;
}

// ---- manifest.json -----------------------------------------------------------------------------

// A strict JSON syntax checker (RFC 8259), enough to tell valid from invalid.
class JsonChecker {
 public:
  explicit JsonChecker(const std::string& s) : s_(s) {}
  bool valid() {
    space();
    if (!value()) return false;
    space();
    return i_ == s_.size();
  }

 private:
  bool value() {
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': return object();
      case '[': return array();
      case '"': return string();
      case 't': return word("true");
      case 'f': return word("false");
      case 'n': return word("null");
      default: return number();
    }
  }
  bool object() {
    ++i_;
    space();
    if (peek('}')) return true;
    for (;;) {
      space();
      if (i_ >= s_.size() || s_[i_] != '"' || !string()) return false;
      space();
      if (!peek(':')) return false;
      space();
      if (!value()) return false;
      space();
      if (peek('}')) return true;
      if (!peek(',')) return false;
    }
  }
  bool array() {
    ++i_;
    space();
    if (peek(']')) return true;
    for (;;) {
      space();
      if (!value()) return false;
      space();
      if (peek(']')) return true;
      if (!peek(',')) return false;
    }
  }
  bool string() {
    ++i_;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_++])))
              return false;
          }
        } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool number() {
    const std::size_t start = i_;
    peek('-');
    if (!digits()) return false;
    if (peek('.') && !digits()) return false;
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (!peek('+')) peek('-');
      if (!digits()) return false;
    }
    return i_ > start;
  }
  bool digits() {
    const std::size_t start = i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ > start;
  }
  bool word(const std::string& w) {
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  bool peek(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void space() {
    while (i_ < s_.size() && std::string(" \t\r\n").find(s_[i_]) != std::string::npos) ++i_;
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

TEST(Json, StringEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c\nd\te\r\x01"), "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\"");
  EXPECT_EQ(json_string("λ_max"), "\"λ_max\"");
  EXPECT_EQ(json_string("bad \xff byte"), "\"bad \\ufffd byte\"");
  EXPECT_TRUE(JsonChecker("[1, -2.5e-3, \"x\", {\"a\": null}]").valid());
  EXPECT_FALSE(JsonChecker("{\"a\": nan}").valid());
}

TEST(Manifest, IsValidJsonWithTheJobTextEscaped) {
  TempDir dir;
  job::Job j =
      make_job("sweep \"quoted\"",
               {{"landscape.a", {1.0, 10.0}},
                {"noise.direction", {std::vector<double>{1, 0}, std::vector<double>{0, 1}}},
                {"escape.kind", {std::string("ball"), std::string("saddle")}}});
  j.text = "[job]\nname = \"sweep \\\"quoted\\\"\"\n\tseed = 42 # tab\n";
  RunInfo info;
  info.ranks = 3;
  info.wall_seconds = 12.5;
  info.started_utc = "2024-01-02T03:04:05Z";
  info.finished_utc = "2024-01-02T03:04:17Z";
  info.host = "node01";
  info.mpi_library = "Open MPI v4.1.4";
  info.petsc_version = "3.18.4";
  info.trials_total = 800;
  write_manifest(j, info, dir / "manifest.json");
  EXPECT_FALSE(fs::exists(dir / "manifest.json.tmp"));
  const std::string text = read_text(dir / "manifest.json");

  EXPECT_TRUE(JsonChecker(text).valid()) << text;
  for (const char* key : {"\"escapade_version\"",
                          "\"git_commit\"",
                          "\"compiler\"",
                          "\"cxx_flags\"",
                          "\"build_type\"",
                          "\"petsc\": \"3.18.4\"",
                          "\"mpi\": \"Open MPI v4.1.4\"",
                          "\"job\"",
                          "\"path\": \"jobs/sweep.toml\"",
                          "\"seed\": 42",
                          "\"trials\": 100",
                          "\"max_steps\": 100000",
                          "\"hash\": \"0123456789abcdef\"",
                          "\"configurations\": 8",
                          "\"axes\"",
                          "\"run\"",
                          "\"ranks\": 3",
                          "\"wall_seconds\": 12.5",
                          "\"started_utc\": \"2024-01-02T03:04:05Z\"",
                          "\"host\": \"node01\"",
                          "\"trials_total\": 800"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
  EXPECT_NE(text.find("\"name\": \"sweep \\\"quoted\\\"\""), std::string::npos);
  EXPECT_NE(
      text.find("\"text\": \"[job]\\nname = \\\"sweep \\\\\\\"quoted\\\\\\\"\\\"\\n\\tseed = 42 "
                "# tab\\n\""),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("{\"key\": \"noise.direction\", \"values\": [[1, 0], [0, 1]]}"),
            std::string::npos);
  EXPECT_NE(text.find("{\"key\": \"escape.kind\", \"values\": [\"ball\", \"saddle\"]}"),
            std::string::npos);
}

TEST(Manifest, UndefinedNumbersBecomeNull) {
  TempDir dir;
  const job::Job j = make_job("nan", {{"landscape.a", {nan, 1.0}}});
  RunInfo info;
  info.wall_seconds = inf;
  write_manifest(j, info, dir / "manifest.json");
  const std::string text = read_text(dir / "manifest.json");
  EXPECT_TRUE(JsonChecker(text).valid()) << text;
  EXPECT_NE(text.find("\"values\": [null, 1]"), std::string::npos) << text;
  EXPECT_NE(text.find("\"wall_seconds\": null"), std::string::npos) << text;
}

TEST(Plot, ReferencesAreDrawnAsALineThroughTheirGroup) {
  TempDir dir;
  const job::Job j = make_job("refs", {{"landscape.a", {1.0, 2.0, 4.0}}});
  std::vector<SummaryRow> rows;
  for (const job::Configuration& c : j.configs) {
    SummaryRow r;
    r.config = &c;
    r.sharpness = std::get<double>(j.axes[0].values[c.axis_index[0]]);
    r.lr = 1;
    r.stats = make_stats(10 / r.sharpness, 8 / r.sharpness, 12 / r.sharpness, 9);
    r.reference_time = 10.5 / r.sharpness;
    rows.push_back(r);
  }
  rows[1].reference_time = nan;  // a configuration without a reference is left out of the line
  write_plot_script(j, rows, dir / "p.gp", dir / "p.png");
  const std::string script = read_text(dir / "p.gp");
  const std::vector<std::string> blocks = data_blocks(script);
  ASSERT_EQ(blocks.size(), 2u);  // the points, then the reference line
  EXPECT_EQ(blocks[1], "1 10.5\n4 2.625\n");
  EXPECT_NE(script.find("$ref1 using 1:2 with lines"), std::string::npos);
  EXPECT_NE(script.find("exact reference, all"), std::string::npos);
}

}  // namespace
}  // namespace escapade::io
