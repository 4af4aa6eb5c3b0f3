// Bad job files (issue 5, "Bad input"; docs/JOB_FILES.md, "Errors"): every mistake is a
// ConfigError (or, for a file that cannot be read, an IoError) whose message names the file, the
// line and column where the parser knows them, the key, the value as written, and what is allowed.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "escapade/core/error.hpp"
#include "escapade/job/job.hpp"

namespace {

using escapade::ConfigError;
using escapade::IoError;
using escapade::job::load_job;
using escapade::job::parse_job;

constexpr const char* kFile = "jobs/bad.toml";

// A valid job, one statement per line (line numbers below refer to it).
const std::vector<std::string> kLines = {
    "[job]",                    // 1
    "name = \"t\"",             // 2
    "seed = 1",                 // 3
    "trials = 10",              // 4
    "max_steps = 100",          // 5
    "[landscape]",              // 6
    "kind = \"kramers_well\"",  // 7
    "a = 1",                    // 8
    "b = 1",                    // 9
    "barrier = 1",              // 10
    "[dynamics]",               // 11
    "lr = 0.01",                // 12
    "[noise]",                  // 13
    "kind = \"isotropic\"",     // 14
    "sigma = 1",                // 15
    "[escape]",                 // 16
    "kind = \"barrier\"",       // 17
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The valid job with line `line` (1-based) replaced by `text` (which may hold several lines, or
// none: "" deletes the line).
std::string with_line(std::size_t line, const std::string& text) {
  std::vector<std::string> lines = kLines;
  if (text.empty()) {
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(line - 1));
  } else {
    lines[line - 1] = text;
  }
  return join_lines(lines);
}

// The valid job without lines first..last (1-based, inclusive).
std::string without(std::size_t first, std::size_t last) {
  std::vector<std::string> lines = kLines;
  lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(first - 1),
              lines.begin() + static_cast<std::ptrdiff_t>(last));
  return join_lines(lines);
}

// The valid job with each line `first` replaced by `second`.
std::string with_lines(const std::vector<std::pair<std::size_t, std::string>>& replacements) {
  std::vector<std::string> lines = kLines;
  for (const auto& [line, text] : replacements) lines[line - 1] = text;
  return join_lines(lines);
}

std::string appended(const std::string& text) { return join_lines(kLines) + text + "\n"; }

// A per_sample_quadratic landscape (lines 6 to 10) in place of the Kramers well; `h` is line 9.
std::string per_sample(const std::string& h) {
  std::vector<std::string> lines(kLines.begin(), kLines.begin() + 5);
  for (const std::string& l :
       {std::string("[landscape]"), std::string("kind = \"per_sample_quadratic\""),
        std::string("samples = 3"), h, std::string("c = [0.1, 0.2, 0.3]")}) {
    lines.push_back(l);
  }
  lines.insert(lines.end(), kLines.begin() + 10, kLines.end());
  return join_lines(lines);
}

struct Mistake {
  std::string name;                      // the test's name
  std::string text;                      // the job file
  std::vector<std::string> parts;        // what the message must contain (in this order)
  std::vector<std::string> absent = {};  // what it must not contain
};

// Each message part in order: the place, then the key and value, then what is allowed.
const std::vector<Mistake>& mistakes() {
  static const std::vector<Mistake> table = {
      // Tables.
      {"UnknownTable",
       appended("[output]\nformat = \"csv\""),
       {"jobs/bad.toml:18:1: ", "unknown table [output]",
        "allowed: [job], [landscape], [dynamics], [noise], [escape]"},
       {"did you mean"}},
      {"MisspeltTable",
       with_line(13, "[noice]"),
       {"jobs/bad.toml:13:1: ", "unknown table [noice]", "allowed: [job]",
        "did you mean [noise]?"}},
      {"ArrayOfTables",
       with_line(1, "[[job]]"),
       {"jobs/bad.toml:1:", "[[job]]", "expected a single table [job], not an array of tables"}},
      {"TableGivenAsAValue",
       "dynamics = 0.01\n" + without(11, 12),
       {"jobs/bad.toml:1:1: ", "dynamics = 0.01", "expected a table [dynamics]"}},
      {"KeyOutsideItsTable",
       "seed = 1\n" + join_lines(kLines),
       {"jobs/bad.toml:1:1: ", "seed = 1", "unknown top-level key 'seed'",
        "'seed' is a key of [job]"}},
      {"MissingTable",
       without(16, 17),
       {"jobs/bad.toml: ", "missing table [escape]", "kind = one of: barrier, ball, loss, region"}},
      {"EmptyFile", "", {"jobs/bad.toml: ", "the job file is empty", "[job], [landscape]"}},
      {"OnlyComments",
       "# nothing here\n\n   # or here\n",
       {"jobs/bad.toml: ", "the job file is empty", "[job], [landscape]"}},

      // Keys.
      {"UnknownKey",
       with_line(9, "b = 1\nc = 2"),
       {"jobs/bad.toml:10:1: ", "unknown key 'landscape.c' for kind \"kramers_well\"",
        "allowed: a, b, barrier"},
       {"did you mean"}},
      {"MisspeltKeyWithSuggestion",
       with_line(15, "sigam = 1"),
       {"jobs/bad.toml:15:1: ", "unknown key 'noise.sigam' for kind \"isotropic\"",
        "allowed: sigma, trace, match, units", "did you mean 'noise.sigma'?"}},
      {"MisspeltJobKey",
       with_line(4, "trails = 10"),
       {"jobs/bad.toml:4:1: ", "unknown key 'job.trails'", "allowed: name, seed, trials, max_steps",
        "did you mean 'job.trials'?"}},
      {"MisspeltKind",
       with_line(7, "kind = \"kramer_well\""),
       {"jobs/bad.toml:7:8: ", "landscape.kind = \"kramer_well\"", "unknown kind",
        "allowed: kramers_well, quadratic", "did you mean \"kramers_well\"?"}},
      {"MisspeltChoice",
       with_line(15, "sigma = 1\nunits = \"parameters\""),
       {"jobs/bad.toml:16:9: ", "noise.units = \"parameters\"",
        "must be one of: gradient, parameter", "did you mean \"parameter\"?"}},
      {"MisspeltDistribution",
       per_sample("h = { gama = [2, 0.5] }"),
       {"jobs/bad.toml:9:7: ", "landscape.h = { gama = [2, 0.5] }", "unknown distribution 'gama'",
        "allowed: { constant = v }", "did you mean 'gamma'?"}},
      {"MissingKey",
       with_line(3, ""),
       {"jobs/bad.toml:1:1: ", "missing key 'job.seed'", "integer ≥ 0, the job's random seed"}},
      {"MissingKind",
       with_line(14, ""),
       {"jobs/bad.toml:13:1: ", "missing key 'noise.kind'", "one of: none, isotropic"}},
      {"DuplicateKey",
       with_line(8, "a = 1\na = 2"),
       {"jobs/bad.toml:9:", "landscape.a = 2", "invalid TOML", "cannot redefine", "'a'",
        "each key and table may be given once"}},
      {"DuplicateTable",
       appended("[noise]\nkind = \"none\""),
       {"jobs/bad.toml:18:1: ", "[noise]", "invalid TOML", "cannot redefine existing table 'noise'",
        "each key and table may be given once"}},

      // Types.
      {"StringForNumber",
       with_line(8, "a = \"1\""),
       {"jobs/bad.toml:8:5: ", "landscape.a = \"1\"",
        "expected a number > 0 (curvature at the minimum)"}},
      {"FloatForInteger",
       with_line(4, "trials = 10.0"),
       {"jobs/bad.toml:4:10: ", "job.trials = 10.0",
        "expected an integer ≥ 1 (trials per configuration)"}},
      {"StringForBoolean",
       with_line(17, "kind = \"barrier\"\nrecord_direction = \"yes\""),
       {"jobs/bad.toml:18:20: ", "escape.record_direction = \"yes\"",
        "expected a boolean (true or false)"}},
      {"DateForNumber",
       with_line(12, "lr = 1979-05-27"),
       {"jobs/bad.toml:12:6: ", "dynamics.lr = 1979-05-27",
        "expected a number > 0 (learning rate η)"}},
      {"NonNumberInASweep",
       with_line(8, "a = [1, \"two\"]"),
       {"jobs/bad.toml:8:9: ", "landscape.a = \"two\"", "expected a number > 0"}},
      {"NonNumberInAVector",
       with_line(7, "kind = \"quadratic\"\neigenvalues = [1, \"two\"]"),
       {"jobs/bad.toml:8:19: ", "landscape.eigenvalues = [1, \"two\"]",
        "entry 2 is \"two\", not a number", "expected a list of numbers, each > 0"}},
      {"KindNotAString",
       with_line(14, "kind = 3"),
       {"jobs/bad.toml:14:8: ", "noise.kind = 3", "expected a string", "allowed: none, isotropic"}},

      // Ranges.
      {"Negative",
       with_line(8, "a = -1"),
       {"jobs/bad.toml:8:5: ", "landscape.a = -1", "must be > 0 (curvature at the minimum)"}},
      {"ZeroTrials",
       with_line(4, "trials = 0"),
       {"jobs/bad.toml:4:10: ", "job.trials = 0", "must be ≥ 1 (trials per configuration)"}},
      {"NegativeSeed",
       with_line(3, "seed = -1"),
       {"jobs/bad.toml:3:8: ", "job.seed = -1", "must be ≥ 0 (the job's random seed)"}},
      {"AboveTheMaximum",
       with_line(14, "kind = \"levy\"\nalpha = 2.5\nepsilon = 1"),
       {"jobs/bad.toml:15:9: ", "noise.alpha = 2.5",
        "must be > 0 and ≤ 2 (the stability index α)"}},
      {"NotFinite",
       with_line(12, "lr = nan"),
       {"jobs/bad.toml:12:6: ", "dynamics.lr = nan", "must be finite (learning rate η)"}},
      {"Infinite",
       with_line(8, "a = inf"),
       {"jobs/bad.toml:8:5: ", "landscape.a = inf", "must be finite"}},
      {"OutOfRangeInASweep",
       with_line(8, "a = [1, -2, 3]"),
       {"jobs/bad.toml:8:9: ", "landscape.a = -2", "must be > 0 (curvature at the minimum)"}},
      {"OutOfRangeInAVector",
       with_line(7, "kind = \"quadratic\"\neigenvalues = [1, -2]"),
       {"jobs/bad.toml:8:19: ", "landscape.eigenvalues = [1, -2]", "entry 2 (-2) must be > 0"}},
      {"GeneratedValueOverflows",
       with_line(8, "a = { logspace = [0, 400, 3] }"),
       {"jobs/bad.toml:8:5: ", "landscape.a = { logspace = [0, 400, 3] }", "must be finite"}},

      // Sweeps.
      {"EmptySweepList",
       with_line(8, "a = []"),
       {"jobs/bad.toml:8:5: ", "landscape.a = []", "empty list; expected a number > 0"}},
      {"EmptyKindList",
       with_line(14, "kind = []"),
       {"jobs/bad.toml:14:8: ", "noise.kind = []", "empty list", "each one of: none, isotropic"}},
      {"SweptFixedKey",
       with_line(3, "seed = [1, 2]"),
       {"jobs/bad.toml:3:8: ", "job.seed = [1, 2]", "job.seed cannot be swept", "an integer ≥ 0"}},
      {"EqualValuesInASweep",
       with_line(8, "a = [1, 2, 1.0]"),
       {"jobs/bad.toml:8:5: ", "landscape.a = [1, 2, 1.0]", "values 1 and 3 are equal (1)",
        "every value of a sweep axis must differ"}},
      {"MalformedRange",
       with_line(8, "a = { logspace = [0, 1] }"),
       {"jobs/bad.toml:8:5: ", "landscape.a = { logspace = [0, 1] }",
        "logspace needs [lo_exp, hi_exp, n]"}},
      {"TooManyConfigurations",
       with_lines({{8, "a = { linspace = [1, 2, 2000] }"}, {9, "b = { linspace = [1, 2, 1000] }"}}),
       {"jobs/bad.toml:9:5: ", "landscape.b = { linspace = [1, 2, 1000] }",
        "more than 1000000 configurations", "landscape.a (2000) × landscape.b (1000)"}},

      // Huge numbers.
      {"IntegerBeyond64Bits",
       with_line(3, "seed = 99999999999999999999"),
       {"jobs/bad.toml:3:", "job.seed = 99999999999999999999", "invalid TOML",
        "integers must lie in -9223372036854775808 .. 9223372036854775807"}},
      {"FloatBeyondDouble",
       with_line(8, "a = 1e999"),
       {"jobs/bad.toml:8:", "landscape.a = 1e999", "invalid TOML", "numbers must be finite"}},
      {"TooManyTrialsInAll",
       with_line(4, "trials = 9223372036854775807"),
       {"jobs/bad.toml:4:10: ", "job.trials = 9223372036854775807", "at most 1e+12 trials"}},

      // Malformed TOML.
      {"UnclosedList",
       with_line(8, "a = [1, 2"),
       {"jobs/bad.toml:9:1: ", "landscape.a = [1, 2", "invalid TOML",
        "expected comma or closing ']'"}},
      {"MissingEquals",
       with_line(12, "lr 0.01"),
       {"jobs/bad.toml:12:", "the line reads lr 0.01", "invalid TOML", "expected '='"}},
      {"UnterminatedString",
       with_line(2, "name = \"t"),
       {"jobs/bad.toml:2:", "job.name = \"t", "invalid TOML"}},
      {"UnclosedHeader",
       with_line(11, "[dynamics"),
       {"jobs/bad.toml:11:", "[dynamics", "invalid TOML"}},
      {"NotUtf8InAString",
       with_line(2, "name = \"t\xff\""),
       {"jobs/bad.toml:2:", "job.name = \"t\\xFF\"", "invalid TOML",
        "a job file must be UTF-8 text"}},
      {"NotUtf8InAComment",
       with_line(15, "sigma = 1 # \xfe\xff"),
       {"jobs/bad.toml:15:", "noise.sigma = 1", "invalid TOML", "a job file must be UTF-8 text"}},
      {"NulByte",
       with_line(12, std::string("lr = 0.01\0", 10)),
       {"jobs/bad.toml:12:", "dynamics.lr = 0.01\\x00", "invalid TOML"}},
      // Non-ASCII where toml++ 3.3.0 would reach undefined behaviour: found before it parses.
      {"NonAsciiInAHeader",
       with_line(11, "[dynamics\u00b2]"),
       {"jobs/bad.toml:11:10: ", "[dynamics\u00b2]", "invalid TOML",
        "unexpected character '\u00b2' (U+00B2); outside strings and comments a TOML file is "
        "ASCII"}},
      {"NonAsciiAfterAValue",
       with_line(12, "lr = 0.01\u00a7"),
       {"jobs/bad.toml:12:10: ", "dynamics.lr = 0.01\u00a7", "invalid TOML",
        "unexpected character '\u00a7' (U+00A7)"}},
      {"NonAsciiAfterAQuoteInABareValue",
       with_line(12, "lr = 0\"\u00e9\""),
       {"jobs/bad.toml:12:8: ", "dynamics.lr = 0\"\u00e9\"", "unexpected character '\u00e9'"}},
      {"NonAsciiAlone",
       with_line(10, "barrier = 1\n\u03c3"),
       {"jobs/bad.toml:11:1: ", "the line reads \u03c3", "unexpected character '\u03c3' (U+03C3)"}},
      {"BackslashBeforeNonAscii",
       with_line(2, "name = \"\"\"t\\\u00e9\"\"\""),
       {"jobs/bad.toml:2:13: ", "job.name = \"\"\"t\\\u00e9\"\"\"",
        "'\\' followed by '\u00e9' (U+00E9) is not an escape sequence"}},
      {"LineEndingBackslashBeforeNonAscii",
       with_line(2, "name = \"\"\"t\\\n  \u00e9\"\"\""),
       {"jobs/bad.toml:3:3: ", "invalid TOML",
        "a line-ending backslash in a multi-line string is "
        "followed by '\u00e9' (U+00E9)",
        "start the continued line with an ASCII character"}},
      {"KeyWithALineBreak",
       "\"a\\nb\" = 1\n" + join_lines(kLines),
       {"jobs/bad.toml:1:1: ", "a\\nb = 1", "unknown top-level key 'a\\nb'"}},
  };
  return table;
}

// gtest shows a failing case by its name and text.
void PrintTo(const Mistake& m, std::ostream* os) { *os << m.name << ":\n" << m.text; }

class BadJobFile : public ::testing::TestWithParam<Mistake> {};

TEST_P(BadJobFile, IsAConfigErrorNamingTheFilePlaceKeyValueAndWhatIsAllowed) {
  const Mistake& m = GetParam();
  try {
    (void)parse_job(m.text, kFile);
    FAIL() << "expected ConfigError for:\n" << m.text;
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with(kFile)) << message;
    std::size_t from = 0;
    for (const std::string& part : m.parts) {
      const std::size_t at = message.find(part, from);
      EXPECT_NE(at, std::string::npos)
          << "message '" << message << "' lacks '" << part << "' (after the previous part)";
      if (at != std::string::npos) from = at + part.size();
    }
    for (const std::string& part : m.absent) {
      EXPECT_EQ(message.find(part), std::string::npos)
          << "message '" << message << "' has '" << part << "'";
    }
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Mistakes, BadJobFile, ::testing::ValuesIn(mistakes()),
                         [](const ::testing::TestParamInfo<Mistake>& info) {
                           return info.param.name;
                         });

TEST(GoodJobFile, NonAsciiInStringsAndCommentsIsFine) {
  const std::string text = with_line(2, "name = \"caf\u00e9 \u03c3\u00b2\"  # \u00a7 \u03b7") +
                           "[reference]\npetsc_options = \"\"\"\u00e9\\\n  x \u00e9\"\"\"\n";
  const escapade::job::Job job = parse_job(text, kFile);
  EXPECT_EQ(job.name, "caf\u00e9 \u03c3\u00b2");
  EXPECT_EQ(job.reference_petsc_options, "\u00e9x \u00e9");
}

class BadJobPath : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("escapade-bad-input-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The message of the IoError load_job throws for `path`.
  static std::string io_error(const std::filesystem::path& path) {
    try {
      (void)load_job(path);
    } catch (const IoError& e) {
      return e.what();
    }
    return "(no IoError)";
  }

  std::filesystem::path dir_;
};

TEST_F(BadJobPath, MissingFileIsAnIoErrorWithPathAndReason) {
  const std::filesystem::path path = dir_ / "missing.toml";
  EXPECT_EQ(io_error(path),
            "cannot read job file '" + path.string() + "': No such file or directory");
}

TEST_F(BadJobPath, DirectoryIsAnIoErrorWithPathAndReason) {
  EXPECT_EQ(io_error(dir_), "cannot read job file '" + dir_.string() + "': Is a directory");
}

TEST_F(BadJobPath, EmptyFileIsAConfigErrorNamingTheFile) {
  const std::filesystem::path path = dir_ / "empty.toml";
  std::ofstream(path).close();
  try {
    (void)load_job(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(path.string() + ": the job file is empty"))
        << e.what();
  }
}

TEST_F(BadJobPath, MistakeInAFileNamesThatFile) {
  const std::filesystem::path path = dir_ / "x.toml";
  std::ofstream(path) << with_line(8, "a = -1");
  try {
    (void)load_job(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(path.string() + ":8:5: landscape.a = -1: "))
        << e.what();
  }
}

}  // namespace
