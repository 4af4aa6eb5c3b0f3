#include "escapade/job/job.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "escapade/core/error.hpp"
#include "escapade/job/schema.hpp"

namespace {

using escapade::ConfigError;
using escapade::IoError;
using escapade::job::Configuration;
using escapade::job::Distribution;
using escapade::job::KeyType;
using escapade::job::Table;
using escapade::job::fnv1a64;
using escapade::job::format_value;
using escapade::job::Job;
using escapade::job::Matrix;
using escapade::job::parse_job;
using escapade::job::Value;

constexpr const char* kSource = "jobs/x.toml";

// The example of the issue, line for line.
const std::string kExample = R"([job]
name = "kramers-sharpness"
seed = 7
trials = 2000
max_steps = 50_000_000
[landscape]
kind = "kramers_well"
a = { logspace = [0, 1, 5] }
b = 1.0
barrier = 1.0
[dynamics]
lr = 0.001
[noise]
kind = "isotropic"
sigma = 20.0
[escape]
kind = "barrier"
)";

const std::string kJobTable = R"([job]
name = "t"
seed = 1
trials = 10
max_steps = 100
)";

const std::string kLandscape = "[landscape]\nkind = \"kramers_well\"\na = 1\nb = 1\nbarrier = 1";

// A valid job whose [landscape] section is `landscape` (table header included).
std::string with_landscape(const std::string& landscape) {
  return kJobTable + landscape + R"(
[dynamics]
lr = 0.01
[noise]
kind = "none"
[escape]
kind = "barrier"
)";
}

// A valid job whose [noise] section is `noise` (table header included).
std::string with_noise(const std::string& noise) {
  return kJobTable + R"([landscape]
kind = "kramers_well"
a = 1
b = 1
barrier = 1
[dynamics]
lr = 0.01
)" + noise +
         R"(
[escape]
kind = "barrier"
)";
}

// A valid job whose [escape] section is `escape` (table header at line 15, kind at line 16).
std::string with_escape(const std::string& escape) {
  return kJobTable + R"([landscape]
kind = "kramers_well"
a = 1
b = 1
barrier = 1
[dynamics]
lr = 0.01
[noise]
kind = "none"
)" + escape + "\n";
}

// Parses `text` expecting a ConfigError whose message contains every one of `parts`.
void expect_config_error(const std::string& text, std::initializer_list<std::string> parts) {
  try {
    (void)parse_job(text, kSource);
    ADD_FAILURE() << "expected ConfigError for:\n" << text;
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message '" << message << "' lacks '" << part << "'";
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError, got: " << e.what();
  }
}

std::string message_of(const std::string& text) {
  try {
    (void)parse_job(text, kSource);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<std::string> keys_of(const Configuration& c) {
  std::vector<std::string> out;
  for (const auto& p : c.params) out.push_back(p.key);
  return out;
}

TEST(Fnv1a64, MatchesPublishedTestVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(FormatValue, WritesShortestRoundTripAndCompactLists) {
  EXPECT_EQ(format_value(Value{std::int64_t{-42}}), "-42");
  EXPECT_EQ(format_value(Value{1.0}), "1");
  EXPECT_EQ(format_value(Value{0.1}), "0.1");
  EXPECT_EQ(format_value(Value{1e-7}), "1e-07");
  EXPECT_EQ(format_value(Value{std::pow(10.0, 0.25)}), "1.7782794100389228");
  EXPECT_EQ(format_value(Value{std::vector<double>{1.0, 2.5}}), "[1,2.5]");
  EXPECT_EQ(format_value(Value{Matrix{{1.0, 0.0}, {0.0, 1.0}}}), "[[1,0],[0,1]]");
  EXPECT_EQ(format_value(Value{std::string("kramers_well")}), "kramers_well");
  EXPECT_EQ(format_value(Value{true}), "true");
  EXPECT_EQ(format_value(Value{false}), "false");
}

TEST(ParseJob, ExampleGivesFiveConfigurationsWithLogspaceValuesInOrder) {
  const Job job = parse_job(kExample, kSource);
  EXPECT_EQ(job.source, kSource);
  EXPECT_EQ(job.text, kExample);
  EXPECT_EQ(job.text_hash, fnv1a64(kExample));
  EXPECT_EQ(job.name, "kramers-sharpness");
  EXPECT_EQ(job.seed, 7u);
  EXPECT_EQ(job.trials, 2000u);
  EXPECT_EQ(job.max_steps, 50'000'000u);

  ASSERT_EQ(job.axes.size(), 1u);
  EXPECT_EQ(job.axes[0].key, "landscape.a");
  ASSERT_EQ(job.configs.size(), 5u);
  const double expected[] = {1.0, std::pow(10.0, 0.25), std::pow(10.0, 0.5), std::pow(10.0, 0.75),
                             10.0};
  for (std::size_t i = 0; i < 5; ++i) {
    const Configuration& c = job.configs[i];
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(c.number("landscape.a"), expected[i]) << i;  // bit for bit
    EXPECT_EQ(std::get<double>(job.axes[0].values[i]), expected[i]);
    ASSERT_EQ(c.axis_index.size(), 1u);
    EXPECT_EQ(c.axis_index[0], i);
    EXPECT_EQ(c.key, fnv1a64(c.canonical_text));
  }
  const Configuration& first = job.configs.front();
  EXPECT_EQ(keys_of(first), (std::vector<std::string>{
                                "landscape.kind", "landscape.a", "landscape.b", "landscape.barrier",
                                "dynamics.lr", "noise.kind", "noise.sigma", "escape.kind"}));
  EXPECT_EQ(first.canonical_text,
            "landscape.kind=kramers_well\nlandscape.a=1\nlandscape.b=1\nlandscape.barrier=1\n"
            "dynamics.lr=0.001\nnoise.kind=isotropic\nnoise.sigma=20\nescape.kind=barrier\n");
  EXPECT_EQ(first.string("noise.kind"), "isotropic");
  EXPECT_EQ(first.number("noise.sigma"), 20.0);
  EXPECT_FALSE(first.optional_number("noise.trace").has_value());
}

TEST(ParseJob, IntegersGivenForNumberKeysBecomeDoubles) {
  const Job job = parse_job(with_landscape("[landscape]\nkind = \"kramers_well\"\na = 2\nb = "
                                           "[1, 3]\nbarrier = 1"),
                            kSource);
  const Value* a = job.configs[0].find("landscape.a");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(std::holds_alternative<double>(*a));
  EXPECT_TRUE(std::holds_alternative<double>(job.axes[0].values[1]));
}

TEST(ParseJob, CartesianProductRunsLastAxisFastest) {
  const Job job =
      parse_job(with_landscape("[landscape]\nkind = \"kramers_well\"\na = [1, 2]\nb = [3, 4, 5]\n"
                               "barrier = 1"),
                kSource);
  ASSERT_EQ(job.axes.size(), 2u);
  EXPECT_EQ(job.axes[0].key, "landscape.a");
  EXPECT_EQ(job.axes[1].key, "landscape.b");
  ASSERT_EQ(job.configs.size(), 6u);
  const double a[] = {1, 1, 1, 2, 2, 2};
  const double b[] = {3, 4, 5, 3, 4, 5};
  for (std::size_t i = 0; i < 6; ++i) {
    const Configuration& c = job.configs[i];
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(c.number("landscape.a"), a[i]);
    EXPECT_EQ(c.number("landscape.b"), b[i]);
    EXPECT_EQ(c.axis_index, (std::vector<std::size_t>{i / 3, i % 3}));
  }
}

TEST(ParseJob, ListOfListsSweepsVectorsWhileFlatListIsOneVector) {
  const Job sweep = parse_job(
      with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [[1.0], [4.0]]"), kSource);
  ASSERT_EQ(sweep.configs.size(), 2u);
  ASSERT_EQ(sweep.axes.size(), 1u);
  EXPECT_EQ(sweep.configs[0].vector("landscape.eigenvalues"), std::vector<double>{1.0});
  EXPECT_EQ(sweep.configs[1].vector("landscape.eigenvalues"), std::vector<double>{4.0});

  const Job single =
      parse_job(with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [1.0, 4]\n"
                               "minimum = [0.5, -1]"),
                kSource);
  ASSERT_EQ(single.configs.size(), 1u);
  EXPECT_TRUE(single.axes.empty());
  EXPECT_EQ(single.configs[0].vector("landscape.eigenvalues"), (std::vector<double>{1.0, 4.0}));
  EXPECT_EQ(single.configs[0].optional_vector("landscape.minimum"),
            (std::vector<double>{0.5, -1.0}));
  EXPECT_NE(single.configs[0].canonical_text.find("landscape.eigenvalues=[1,4]\n"),
            std::string::npos);
}

TEST(ParseJob, RotationIsAnAngleOrAMatrixAndSweepsByDepth) {
  const std::string head = "[landscape]\nkind = \"quadratic\"\neigenvalues = [1, 9]\n";
  const Job angle = parse_job(with_landscape(head + "rotation = 0.5"), kSource);
  ASSERT_EQ(angle.configs.size(), 1u);
  EXPECT_EQ(angle.configs[0].number("landscape.rotation"), 0.5);

  const Job angles = parse_job(with_landscape(head + "rotation = [0.1, 0.2, 0.3]"), kSource);
  ASSERT_EQ(angles.configs.size(), 3u);
  EXPECT_EQ(angles.configs[2].number("landscape.rotation"), 0.3);

  const Job matrix = parse_job(with_landscape(head + "rotation = [[0, 1], [1, 0]]"), kSource);
  ASSERT_EQ(matrix.configs.size(), 1u);
  EXPECT_TRUE(matrix.axes.empty());
  const Value* m = matrix.configs[0].find("landscape.rotation");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(std::get<Matrix>(*m), (Matrix{{0.0, 1.0}, {1.0, 0.0}}));
  EXPECT_NE(matrix.configs[0].canonical_text.find("landscape.rotation=[[0,1],[1,0]]\n"),
            std::string::npos);

  const Job matrices =
      parse_job(with_landscape(head + "rotation = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]"), kSource);
  ASSERT_EQ(matrices.configs.size(), 2u);
  ASSERT_EQ(matrices.axes.size(), 1u);
  EXPECT_EQ(std::get<Matrix>(*matrices.configs[1].find("landscape.rotation")),
            (Matrix{{0.0, 1.0}, {1.0, 0.0}}));
}

TEST(ParseJob, LinspaceAndLogspaceHaveExactEndpointsAndSingleValueForms) {
  const Job lin = parse_job(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = { linspace = [0.5, 2, 4] }\n"
                     "b = { linspace = [3, 3, 1] }\nbarrier = { logspace = [-1, -1, 1] }"),
      kSource);
  ASSERT_EQ(lin.axes.size(), 3u);  // single-value ranges are still axes
  ASSERT_EQ(lin.configs.size(), 4u);
  const double a[] = {0.5, 1.0, 1.5, 2.0};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(lin.configs[i].number("landscape.a"), a[i]);
  EXPECT_EQ(lin.configs[0].number("landscape.b"), 3.0);
  EXPECT_EQ(lin.configs[0].number("landscape.barrier"), std::pow(10.0, -1.0));

  const Job log = parse_job(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = { logspace = [-3, 0.7, 7] }\n"
                     "b = 1\nbarrier = 1"),
      kSource);
  ASSERT_EQ(log.configs.size(), 7u);
  EXPECT_EQ(log.configs[0].number("landscape.a"), std::pow(10.0, -3.0));
  EXPECT_EQ(log.configs[6].number("landscape.a"), std::pow(10.0, 0.7));
  for (int i = 1; i < 6; ++i) {
    EXPECT_EQ(log.configs[static_cast<std::size_t>(i)].number("landscape.a"),
              std::pow(10.0, -3.0 + i * (0.7 - -3.0) / (7 - 1)));
  }
}

TEST(ParseJob, SingleValueListIsStillAnAxis) {
  const Job job = parse_job(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = [2.0]\nb = 1\nbarrier = 1"),
      kSource);
  ASSERT_EQ(job.axes.size(), 1u);
  EXPECT_EQ(job.axes[0].key, "landscape.a");
  ASSERT_EQ(job.configs.size(), 1u);
  EXPECT_EQ(job.configs[0].axis_index, std::vector<std::size_t>{0});
}

TEST(ParseJob, SameTextGivesSameKeys) {
  const Job x = parse_job(kExample, kSource);
  const Job y = parse_job(kExample, "elsewhere.toml");
  ASSERT_EQ(x.configs.size(), y.configs.size());
  for (std::size_t i = 0; i < x.configs.size(); ++i) EXPECT_EQ(x.configs[i].key, y.configs[i].key);
  // Distinct parameters give distinct keys.
  for (std::size_t i = 1; i < x.configs.size(); ++i) {
    EXPECT_NE(x.configs[i].key, x.configs[i - 1].key);
  }
}

TEST(ParseJob, KeyIgnoresOtherAxesValuesAndTheJobTable) {
  const Job small = parse_job(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = [1, 2]\nb = [1, 2]\nbarrier = 1"),
      kSource);
  std::string other =
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = [0.5, 2, 3]\nb = 2\nbarrier = 1");
  other.replace(other.find("seed = 1"), 8, "seed = 99");
  other.replace(other.find("trials = 10"), 11, "trials = 77");
  const Job large = parse_job(other, kSource);
  // (a = 2, b = 2) is config 3 of the first job and config 1 of the second.
  ASSERT_EQ(small.configs[3].number("landscape.a"), 2.0);
  ASSERT_EQ(small.configs[3].number("landscape.b"), 2.0);
  ASSERT_EQ(large.configs[1].number("landscape.a"), 2.0);
  EXPECT_EQ(small.configs[3].key, large.configs[1].key);
  EXPECT_NE(small.configs[3].index, large.configs[1].index);
}

TEST(ParseJob, ChangingAParameterChangesTheKey) {
  std::string changed = kExample;
  changed.replace(changed.find("lr = 0.001"), 10, "lr = 0.002");
  const Job x = parse_job(kExample, kSource);
  const Job y = parse_job(changed, kSource);
  for (std::size_t i = 0; i < x.configs.size(); ++i) EXPECT_NE(x.configs[i].key, y.configs[i].key);
}

TEST(ParseJob, FileOrderIsKeptWhenKeysAndTablesAreNotAlphabetical) {
  const std::string text = R"([noise]
sigma = 1.5
kind = "isotropic"
[escape]
radius = 2
kind = "ball"
[job]
trials = 3
name = "order"
max_steps = 10
seed = 0
[landscape]
barrier = [1, 2]
b = 1
a = [3, 4, 5]
kind = "kramers_well"
[dynamics]
lr = 0.1
)";
  const Job job = parse_job(text, kSource);
  EXPECT_EQ(job.seed, 0u);
  EXPECT_EQ(job.trials, 3u);
  EXPECT_EQ(job.max_steps, 10u);
  ASSERT_EQ(job.configs.size(), 6u);
  EXPECT_EQ(keys_of(job.configs[0]),
            (std::vector<std::string>{"noise.sigma", "noise.kind", "escape.radius", "escape.kind",
                                      "landscape.barrier", "landscape.b", "landscape.a",
                                      "landscape.kind", "dynamics.lr"}));
  ASSERT_EQ(job.axes.size(), 2u);
  EXPECT_EQ(job.axes[0].key, "landscape.barrier");
  EXPECT_EQ(job.axes[1].key, "landscape.a");
  EXPECT_EQ(job.configs[1].number("landscape.a"), 4.0);  // the last axis in the file is fastest
  EXPECT_EQ(job.configs[1].number("landscape.barrier"), 1.0);
  EXPECT_EQ(job.configs[0].canonical_text.substr(0, 28), "noise.sigma=1.5\nnoise.kind=i");
}

TEST(Configuration, TypedAccessNamesTheKeyWhenMissingOrMistyped) {
  const Job job = parse_job(kExample, kSource);
  const Configuration& c = job.configs[0];
  try {
    (void)c.number("landscape.zz");
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("landscape.zz"), std::string::npos) << e.what();
  }
  try {
    (void)c.number("landscape.kind");
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("landscape.kind"), std::string::npos) << m;
    EXPECT_NE(m.find("kramers_well"), std::string::npos) << m;
  }
  EXPECT_THROW((void)c.string("landscape.a"), ConfigError);
  EXPECT_THROW((void)c.vector("landscape.a"), ConfigError);
  EXPECT_THROW((void)c.optional_vector("landscape.a"), ConfigError);
  EXPECT_FALSE(c.optional_vector("landscape.minimum").has_value());
  EXPECT_EQ(c.find("landscape.none"), nullptr);
}

TEST(JobErrors, OutOfRangeValueNamesFileLineKeyValueAndBound) {
  const std::string text = kJobTable +
                           "[landscape]\nkind = \"kramers_well\"\na = -1\nb = 1\n"
                           "barrier = 1\n[dynamics]\nlr = 0.1\n[noise]\nkind = "
                           "\"none\"\n[escape]\nkind = \"barrier\"\n";
  EXPECT_EQ(message_of(text),
            "jobs/x.toml:8:5: landscape.a = -1: must be > 0 (curvature at the minimum)");
  expect_config_error(with_landscape("[landscape]\nkind = \"kramers_well\"\na = [1, 0]\nb = 1\n"
                                     "barrier = 1"),
                      {"jobs/x.toml:8:9: ", "landscape.a = 0", "must be > 0"});
  expect_config_error(
      with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [1, -2]"),
      {"jobs/x.toml:8:19: ", "landscape.eigenvalues = [1, -2]", "entry 2", "must be > 0"});
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\n"
                     "a = { linspace = [-1, 1, 3] }\nb = 1\nbarrier = 1"),
      {"jobs/x.toml:8:5: ", "landscape.a = { linspace = [-1, 1, 3] }", "value -1", "must be > 0"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nsigma = nan"),
                      {"jobs/x.toml:", "noise.sigma = nan", "must be finite"});
  expect_config_error(kJobTable.substr(0, kJobTable.find("trials")) +
                          "trials = 0\nmax_steps = 1\n" +
                          with_noise("[noise]\nkind = \"none\"").substr(kJobTable.size()),
                      {"jobs/x.toml:4:10: ", "job.trials = 0", "must be ≥ 1"});
}

TEST(JobErrors, UnknownKeyListsTheAllowedKeysOfTheKind) {
  const std::string text =
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = 1\nb = 1\nbarrier = 1\nc = 2");
  EXPECT_EQ(message_of(text),
            "jobs/x.toml:11:1: unknown key 'landscape.c' for kind "
            "\"kramers_well\"; allowed: a, b, barrier");
  expect_config_error(
      kJobTable + "colour = 1\n" + with_landscape(kLandscape).substr(kJobTable.size()),
      {"jobs/x.toml:6:1: ", "unknown key 'job.colour'", "allowed: name, seed, trials, max_steps"});
  expect_config_error(with_noise("[noise]\nkind = \"none\"\nsigma = 1"),
                      {"jobs/x.toml:", "unknown key 'noise.sigma' for kind \"none\"",
                       "allowed: no keys besides kind"});
}

TEST(JobErrors, UnknownKindListsTheAllowedKinds) {
  const std::string text = with_landscape("[landscape]\nkind = \"kramer_well\"\na = 1");
  EXPECT_EQ(message_of(text),
            "jobs/x.toml:7:8: landscape.kind = \"kramer_well\": unknown kind; "
            "allowed: kramers_well, quadratic, double_well, per_sample_quadratic, zhu2d, "
            "least_squares; did you mean \"kramers_well\"?");
  expect_config_error(
      with_noise("[noise]\nkind = 3"),
      {"jobs/x.toml:", "noise.kind = 3", "expected a string", "allowed: none, isotropic"});
  expect_config_error(with_noise("[noise]\nsigma = 1"),
                      {"jobs/x.toml:", "missing key 'noise.kind'", "none, isotropic"});
}

TEST(JobErrors, MissingTableIsNamed) {
  const std::string text = kJobTable +
                           "[landscape]\nkind = \"kramers_well\"\na = 1\nb = 1\n"
                           "barrier = 1\n[dynamics]\nlr = 0.1\n[escape]\nkind = "
                           "\"barrier\"\n";
  EXPECT_EQ(message_of(text),
            "jobs/x.toml: missing table [noise] (with kind = one of: none, isotropic, diagonal, "
            "covariance, hessian, hessian_top, gradient_covariance, power_law, sgd, "
            "multiplicative, levy)");
}

TEST(JobErrors, MissingKeyNamesTheTableLineTypeAndMeaning) {
  const std::string text = "[job]\nname = \"t\"\ntrials = 1\nmax_steps = 1\n" +
                           with_landscape(kLandscape).substr(kJobTable.size());
  EXPECT_EQ(message_of(text),
            "jobs/x.toml:1:1: missing key 'job.seed' (integer ≥ 0, the job's random seed)");
  expect_config_error(with_landscape("[landscape]\nkind = \"kramers_well\"\na = 1\nbarrier = 1"),
                      {"jobs/x.toml:6:1: ", "missing key 'landscape.b'", "number > 0",
                       "curvature magnitude at the barrier top"});
}

TEST(JobErrors, WrongTypeSaysWhatIsExpected) {
  std::string text = with_landscape(kLandscape);
  text.replace(text.find("trials = 10"), 11, "trials = \"10\"");
  const std::string m = message_of(text);
  EXPECT_NE(m.find("jobs/x.toml:4:10: job.trials = \"10\": expected an integer ≥ 1"),
            std::string::npos)
      << m;
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = true\nb = 1\n"
                     "barrier = 1"),
      {"jobs/x.toml:8:5: ", "landscape.a = true", "expected a number > 0", "logspace", "linspace"});
  expect_config_error(
      with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = { logspace = [0, 1, 2] }"),
      {"jobs/x.toml:8:15: ", "landscape.eigenvalues = { logspace = [0, 1, 2] }",
       "expected a list of numbers, each > 0"});
}

TEST(JobErrors, ListWhereSweepsAreNotAllowedIsRejected) {
  std::string text = with_landscape(kLandscape);
  text.replace(text.find("seed = 1"), 8, "seed = [1, 2]");
  expect_config_error(text, {"jobs/x.toml:3:8: ", "job.seed = [1, 2]", "cannot be swept",
                             "expected an integer ≥ 0"});
  std::string range = with_landscape(kLandscape);
  range.replace(range.find("seed = 1"), 8, "seed = { linspace = [1, 2, 2] }");
  expect_config_error(
      range, {"jobs/x.toml:3:8: ", "job.seed = { linspace = [1, 2, 2] }", "cannot be swept"});
  expect_config_error(with_landscape("[landscape]\nkind = [\"kramers_well\", \"quadratic\"]"),
                      {"jobs/x.toml:7:8: ", "landscape.kind = [\"kramers_well\", \"quadratic\"]",
                       "landscape.kind cannot be swept", "one of: kramers_well, quadratic"});
  expect_config_error(with_escape("[escape]\nkind = [\"barrier\"]"),
                      {"jobs/x.toml:16:8: ", "escape.kind = [\"barrier\"]",
                       "escape.kind cannot be swept", "one of: barrier, ball, loss, region"});
}

TEST(JobErrors, UnknownTableListsTheAllowedTables) {
  const std::string text = with_landscape(kLandscape) + "[output]\nformat = \"csv\"\n";
  const std::string m = message_of(text);
  EXPECT_NE(m.find("jobs/x.toml:17:1: unknown table [output]; allowed: [job], [landscape], "
                   "[dynamics], [noise], [escape]"),
            std::string::npos)
      << m;
  expect_config_error("stray = 1\n" + with_landscape(kLandscape),
                      {"jobs/x.toml:1:1: ", "unknown top-level key 'stray'", "[job]", "[escape]"});
}

TEST(JobErrors, EmptyListIsRejected) {
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = []\nb = 1\nbarrier = 1"),
      {"jobs/x.toml:8:5: ", "landscape.a = []", "empty list", "expected a number > 0"});
  expect_config_error(with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [[1], []]"),
                      {"jobs/x.toml:8:21: ", "landscape.eigenvalues = []", "empty list"});
}

TEST(JobErrors, LogspaceWithAWrongShapeIsRejected) {
  const std::string head = "[landscape]\nkind = \"kramers_well\"\nb = 1\nbarrier = 1\n";
  for (const std::string spec : {"{ logspace = [0, 1] }", "{ logspace = [0, 1, 2.0] }",
                                 "{ logspace = [0, 1, 0] }", "{ logspace = [0, \"1\", 3] }"}) {
    expect_config_error(with_landscape(head + "a = " + spec),
                        {"jobs/x.toml:10:5: ", "landscape.a = " + spec,
                         "logspace needs [lo_exp, hi_exp, n]", "integer n ≥ 1"});
  }
  expect_config_error(with_landscape(head + "a = { geomspace = [1, 2, 3] }"),
                      {"jobs/x.toml:10:5: ", "landscape.a = { geomspace = [1, 2, 3] }",
                       "{ logspace = [lo_exp, hi_exp, n] } or { linspace = [lo, hi, n] }"});
}

TEST(JobErrors, IsotropicNoiseNeedsExactlyOneOfSigmaOrTrace) {
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nsigma = 1\ntrace = 2"),
                      {"jobs/x.toml:16:9: ", "noise.trace = 2",
                       "exactly one of noise.sigma, "
                       "noise.trace",
                       "noise.sigma = 1 is also given"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\""),
                      {"jobs/x.toml:14:8: ", "noise.kind = \"isotropic\"",
                       "exactly one of noise.sigma, noise.trace", "none is given"});
  const Job trace = parse_job(with_noise("[noise]\nkind = \"isotropic\"\ntrace = [1, 2]"), kSource);
  EXPECT_EQ(trace.configs.size(), 2u);
  EXPECT_EQ(trace.configs[1].number("noise.trace"), 2.0);
}

TEST(JobErrors, TomlSyntaxErrorReportsPositionAndDescription) {
  std::string text = with_landscape(kLandscape);
  text.replace(text.find("seed = 1"), 8, "seed = = 1");
  const std::string m = message_of(text);
  EXPECT_EQ(m.rfind("jobs/x.toml:3:", 0), 0u) << m;
  EXPECT_NE(m.find("invalid TOML: "), std::string::npos) << m;
  expect_config_error("[job]\nname = \"a\"\nname = \"b\"\n",
                      {"jobs/x.toml:3:", "invalid TOML", "name"});
}

TEST(JobErrors, VectorWithANonNumberIsRejected) {
  expect_config_error(
      with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [1, \"two\"]"),
      {"jobs/x.toml:8:19: ", "landscape.eigenvalues = [1, \"two\"]", "entry 2 is \"two\"",
       "not a number", "expected a list of numbers, each > 0"});
  expect_config_error(with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [1, 2]\n"
                                     "minimum = [0, [1]]"),
                      {"jobs/x.toml:9:15: ", "landscape.minimum = [0, [1]]", "not a number"});
}

TEST(JobErrors, RaggedMatrixIsRejected) {
  expect_config_error(with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [1, 2]\n"
                                     "rotation = [[1, 0], [0]]"),
                      {"jobs/x.toml:9:21: ", "landscape.rotation = [[1, 0], [0]]", "ragged matrix",
                       "row 2 has 1 entries but row 1 has 2", "equal-length lists of numbers"});
  expect_config_error(
      with_landscape("[landscape]\nkind = \"quadratic\"\neigenvalues = [1, 2]\n"
                     "rotation = [[[1, 0], [0, 1]], [[1, 0], [0, 1, 2]]]"),
      {"jobs/x.toml:9:", "landscape.rotation = [[1, 0], [0, 1, 2]]", "ragged matrix"});
}

TEST(JobErrors, SweepOverAMillionConfigurationsIsRejected) {
  const std::string text = with_landscape(
      "[landscape]\nkind = \"kramers_well\"\na = { logspace = [0, 1, 5000] }\n"
      "b = { linspace = [1, 2, 3000] }\nbarrier = 1");
  expect_config_error(text, {"jobs/x.toml:9:5: ", "landscape.b = { linspace = [1, 2, 3000] }",
                             "more than 1000000 configurations",
                             "landscape.a (5000) × landscape.b (3000)", "at most 1000000"});
  // A single enormous range is refused before any value is generated.
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = { logspace = [0, 1, "
                     "9000000000000] }\nb = 1\nbarrier = 1"),
      {"jobs/x.toml:8:5: ", "more than 1000000 configurations"});
}

TEST(JobErrors, TooManyTrialsInAllIsRejected) {
  std::string text = with_landscape(
      "[landscape]\nkind = \"kramers_well\"\na = { logspace = [0, 1, 5000] }\nb = 1\nbarrier = 1");
  const auto at = text.find("trials = ");
  text.replace(at, text.find('\n', at) - at, "trials = 1000000000");
  expect_config_error(text, {"jobs/x.toml:4:10: ", "job.trials = 1000000000", "5000 configurations",
                             "at most 1e+12 trials"});
}

TEST(JobErrors, EqualValuesOnOneAxisAreRejected) {
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = [2.0, 1, 2]\nb = 1\nbarrier = 1"),
      {"jobs/x.toml:8:5: ", "landscape.a = [2.0, 1, 2]", "values 1 and 3 are equal (2)",
       "share their random streams"});
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = { linspace = [1, 1, 3] }\nb = 1\n"
                     "barrier = 1"),
      {"jobs/x.toml:8:5: ", "values 1 and 2 are equal (1)"});
}

TEST(JobErrors, RangeWithOneValueButTwoEndsIsRejected) {
  expect_config_error(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = { linspace = [1, 5, 1] }\nb = 1\n"
                     "barrier = 1"),
      {"jobs/x.toml:8:5: ", "linspace with n = 1 gives only its first end", "n ≥ 2 to include 5"});
  // lo = hi with n = 1 is a legitimate one-value axis.
  EXPECT_NO_THROW(escapade::job::parse_job(
      with_landscape("[landscape]\nkind = \"kramers_well\"\na = { linspace = [2, 2, 1] }\nb = 1\n"
                     "barrier = 1"),
      "jobs/x.toml"));
}

TEST(LoadJob, UnreadableFileThrowsIoErrorWithPathAndReason) {
  const std::filesystem::path missing = "/nonexistent-escapade-dir/job.toml";
  try {
    (void)escapade::job::load_job(missing);
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read job file '/nonexistent-escapade-dir/job.toml': No such file or "
              "directory");
  }
}

TEST(LoadJob, ReadsTheFileAndNamesItInMessages) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::filesystem::path file = dir / "escapade_job_test_example.toml";
  {
    std::ofstream out(file, std::ios::binary);
    out << kExample;
  }
  const Job job = escapade::job::load_job(file);
  EXPECT_EQ(job.source, file.string());
  EXPECT_EQ(job.text, kExample);
  EXPECT_EQ(job.configs.size(), 5u);
  {
    std::ofstream out(file, std::ios::binary);
    out << "[job\n";
  }
  try {
    (void)escapade::job::load_job(file);
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(file.string() + ":1:", 0), 0u) << e.what();
  }
  std::filesystem::remove(file);
}

TEST(Schema, ListsEveryTableInDocumentationOrder) {
  const auto& tables = escapade::job::schema();
  ASSERT_EQ(tables.size(), 6u);
  EXPECT_EQ(tables[0].table, "job");
  EXPECT_EQ(tables[4].table, "escape");
  EXPECT_EQ(tables[5].table, "reference");
  EXPECT_FALSE(tables[5].required);
  EXPECT_NE(escapade::job::find_table("noise"), nullptr);
  EXPECT_EQ(escapade::job::find_table("output"), nullptr);
}

// [reference] is optional, never part of a configuration (its options cannot change a trial),
// and its keys are checked like any other.
TEST(ParseJob, ReferenceTableIsOptionalAndOutsideTheConfigurations) {
  const std::string base = with_landscape("[landscape]\nkind = \"kramers_well\"\na = 1\nb = 1\nbarrier = 1");
  const Job plain = parse_job(base, kSource);
  const Job with = parse_job(base + "[reference]\npetsc_options = \"-kolmogorov_ksp_type bcgs\"\n", kSource);
  EXPECT_EQ(with.reference_petsc_options, "-kolmogorov_ksp_type bcgs");
  EXPECT_EQ(plain.reference_petsc_options, "");
  EXPECT_EQ(with.configs[0].key, plain.configs[0].key);
  EXPECT_EQ(with.configs[0].find("reference.petsc_options"), nullptr);
  EXPECT_THROW(parse_job(base + "[reference]\npetsc = \"x\"\n", kSource), ConfigError);
  EXPECT_THROW(parse_job(base + "[reference]\npetsc_options = [\"a\", \"b\"]\n", kSource), ConfigError);
}

// ---- Landscapes beyond kramers_well and quadratic.

TEST(Landscapes, DoubleWellKeysAreOptionalAndDefaultsStayAbsent) {
  const Job plain = parse_job(with_landscape("[landscape]\nkind = \"double_well\""), kSource);
  ASSERT_EQ(plain.configs.size(), 1u);
  EXPECT_EQ(plain.configs[0].find("landscape.barrier"), nullptr);
  EXPECT_EQ(plain.configs[0].find("landscape.width"), nullptr);
  EXPECT_EQ(plain.configs[0].canonical_text.rfind("landscape.kind=double_well\ndynamics.lr=", 0),
            0u);

  const Job swept = parse_job(
      with_landscape("[landscape]\nkind = \"double_well\"\nbarrier = [0.25, 1]\nwidth = 2"),
      kSource);
  ASSERT_EQ(swept.configs.size(), 2u);
  EXPECT_EQ(swept.configs[1].number("landscape.barrier"), 1.0);
  EXPECT_EQ(swept.configs[1].number("landscape.width"), 2.0);
  expect_config_error(with_landscape("[landscape]\nkind = \"double_well\"\nwidth = 0"),
                      {"jobs/x.toml:8:9: ", "landscape.width = 0", "must be > 0",
                       "distance of the minima"});
}

TEST(Landscapes, PerSampleQuadraticTakesListsMatricesOrDistributions) {
  const Job job = parse_job(
      with_landscape("[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 3\n"
                     "h = [1, 2, 3]\nc = { normal = [0, 0.5] }\ndata = \"per_trial\""),
      kSource);
  ASSERT_EQ(job.configs.size(), 1u);
  const Configuration& c = job.configs[0];
  EXPECT_EQ(c.integer("landscape.samples"), 3);
  EXPECT_FALSE(c.optional_integer("landscape.dim").has_value());
  EXPECT_EQ(c.vector("landscape.h"), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(c.distribution("landscape.c"), (Distribution{"normal", {0.0, 0.5}}));
  EXPECT_EQ(c.optional_string("landscape.data"), "per_trial");
  EXPECT_EQ(c.canonical_text,
            "landscape.kind=per_sample_quadratic\nlandscape.samples=3\nlandscape.h=[1,2,3]\n"
            "landscape.c=normal(0,0.5)\nlandscape.data=per_trial\ndynamics.lr=0.01\n"
            "noise.kind=none\nescape.kind=barrier\n");

  const Job matrix = parse_job(
      with_landscape("[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 2\ndim = 2\n"
                     "h = [[1, 2], [3, 4]]\nc = { constant = 0 }"),
      kSource);
  ASSERT_EQ(matrix.configs.size(), 1u);
  EXPECT_EQ(matrix.configs[0].matrix("landscape.h"), (Matrix{{1, 2}, {3, 4}}));
  // Explicit curvatures must be > 0 (drawn ones are checked by the model).
  const std::string head =
      "[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 2\nc = { constant = 0 }\n";
  expect_config_error(with_landscape(head + "h = [1, 0]"),
                      {"jobs/x.toml:10:9: ", "landscape.h = [1, 0]", "entry 2 (0) must be > 0",
                       "the curvatures h_ij"});
  expect_config_error(with_landscape(head + "h = [[1], [-2]]"),
                      {"jobs/x.toml:10:12: ", "landscape.h = [[1], [-2]]",
                       "entry (2, 1) (-2) must be > 0"});
  expect_config_error(with_landscape(head + "h = true"),
                      {"jobs/x.toml:10:5: ", "landscape.h = true",
                       "expected a list of numbers or a matrix (a list of equal-length lists of "
                       "numbers), entries > 0, or a distribution: { constant = v }"});
  EXPECT_EQ(matrix.configs[0].integer("landscape.dim"), 2);
  EXPECT_FALSE(matrix.configs[0].optional_string("landscape.data").has_value());
}

TEST(Landscapes, PerSampleQuadraticSweepsDataAndIntegers) {
  const Job job = parse_job(
      with_landscape("[landscape]\nkind = \"per_sample_quadratic\"\nsamples = [10, 100]\n"
                     "h = [{ constant = 1 }, { gamma = [2, 0.5] }, [[1], [2]]]\n"
                     "c = { uniform = [-1, 1] }\ndata = [\"per_job\", \"per_trial\"]"),
      kSource);
  ASSERT_EQ(job.axes.size(), 3u);
  EXPECT_EQ(job.axes[0].key, "landscape.samples");
  EXPECT_EQ(job.axes[1].key, "landscape.h");
  EXPECT_EQ(job.axes[2].key, "landscape.data");
  ASSERT_EQ(job.configs.size(), 12u);
  EXPECT_EQ(format_value(job.axes[1].values[0]), "constant(1)");
  EXPECT_EQ(format_value(job.axes[1].values[1]), "gamma(2,0.5)");
  EXPECT_EQ(format_value(job.axes[1].values[2]), "[[1],[2]]");
  EXPECT_EQ(job.configs[11].integer("landscape.samples"), 100);
  EXPECT_EQ(job.configs[11].matrix("landscape.h"), (Matrix{{1}, {2}}));
  EXPECT_EQ(job.configs[11].string("landscape.data"), "per_trial");
  const Job matrices = parse_job(
      with_landscape("[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 2\n"
                     "h = [[[1], [2]], [[3], [4]]]\nc = { constant = 0 }"),
      kSource);
  EXPECT_EQ(matrices.configs.size(), 2u);
}

TEST(Landscapes, Zhu2dAndLeastSquaresKeys) {
  const Job zhu = parse_job(with_landscape("[landscape]\nkind = \"zhu2d\""), kSource);
  EXPECT_EQ(keys_of(zhu.configs[0]).front(), "landscape.kind");
  EXPECT_EQ(zhu.configs[0].find("landscape.samples"), nullptr);
  const Job zhus = parse_job(
      with_landscape("[landscape]\nkind = \"zhu2d\"\nsamples = [50, 100]\nscale = 0.5\n"
                     "data = \"per_trial\""),
      kSource);
  ASSERT_EQ(zhus.configs.size(), 2u);
  EXPECT_EQ(zhus.configs[1].integer("landscape.samples"), 100);
  expect_config_error(with_landscape("[landscape]\nkind = \"zhu2d\"\nsamples = 1"),
                      {"jobs/x.toml:8:11: ", "landscape.samples = 1", "must be ≥ 2"});
  expect_config_error(with_landscape("[landscape]\nkind = \"zhu2d\"\nsamples = 2.5"),
                      {"jobs/x.toml:8:11: ", "landscape.samples = 2.5", "expected an integer ≥ 2",
                       "a list of integers"});

  const Job ls = parse_job(with_landscape("[landscape]\nkind = \"least_squares\"\nsamples = 20\n"
                                          "dim = [5, 40]\nlabel_noise = 0"),
                           kSource);
  ASSERT_EQ(ls.configs.size(), 2u);
  EXPECT_EQ(ls.configs[1].integer("landscape.dim"), 40);
  EXPECT_EQ(ls.configs[0].number("landscape.label_noise"), 0.0);
  expect_config_error(
      with_landscape("[landscape]\nkind = \"least_squares\"\nsamples = 20"),
      {"jobs/x.toml:6:1: ", "missing key 'landscape.dim' for kind \"least_squares\"",
       "integer ≥ 1", "the number of parameters"});
  expect_config_error(with_landscape("[landscape]\nkind = \"zhu2d\"\ndata = \"per_run\""),
                      {"jobs/x.toml:8:8: ", "landscape.data = \"per_run\"",
                       "must be one of: per_job, per_trial"});
}

// ---- Distributions.

TEST(Distributions, EveryFormParsesAndFormatsStably) {
  const std::pair<std::string, std::string> forms[] = {
      {"{ constant = 2.5 }", "constant(2.5)"},
      {"{ normal = [0, 1] }", "normal(0,1)"},
      {"{ uniform = [-1, 1e-3] }", "uniform(-1,0.001)"},
      {"{ lognormal = [0, 0.5] }", "lognormal(0,0.5)"},
      {"{ gamma = [2, 3] }", "gamma(2,3)"},
  };
  for (const auto& [written, formatted] : forms) {
    const Job job = parse_job(
        with_landscape("[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 4\nh = " +
                       written + "\nc = { constant = 0 }"),
        kSource);
    const Value* h = job.configs[0].find("landscape.h");
    ASSERT_NE(h, nullptr) << written;
    EXPECT_TRUE(std::holds_alternative<Distribution>(*h)) << written;
    EXPECT_EQ(format_value(*h), formatted);
  }
  EXPECT_EQ(format_value(Value{Distribution{"normal", {0.0, 1.0}}}), "normal(0,1)");
}

TEST(Distributions, WrongShapeIsRejected) {
  const std::string head =
      "[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 4\nc = { constant = 0 }\n";
  expect_config_error(with_landscape(head + "h = { normal = [0] }"),
                      {"jobs/x.toml:10:16: ", "landscape.h = { normal = [0] }",
                       "normal needs a list of 2 numbers ({ normal = [mean, std] })",
                       "{ constant = v }, { normal = [mean, std] }, { uniform = [lo, hi] }, "
                       "{ lognormal = [mu, sigma] } or { gamma = [shape, scale] }"});
  expect_config_error(with_landscape(head + "h = { gamma = [1, 2, 3] }"),
                      {"jobs/x.toml:10:15: ", "landscape.h = { gamma = [1, 2, 3] }",
                       "gamma needs a list of 2 numbers ({ gamma = [shape, scale] })"});
  expect_config_error(with_landscape(head + "h = { constant = [1, 2] }"),
                      {"jobs/x.toml:10:18: ", "landscape.h = { constant = [1, 2] }",
                       "constant needs a number v ({ constant = v })"});
  expect_config_error(with_landscape(head + "h = { normal = [0, \"1\"] }"),
                      {"jobs/x.toml:10:16: ", "normal needs a list of 2 numbers"});
  expect_config_error(with_landscape(head + "h = { poisson = 3 }"),
                      {"jobs/x.toml:10:7: ", "landscape.h = { poisson = 3 }",
                       "unknown distribution 'poisson'", "allowed: { constant = v }"});
  expect_config_error(with_landscape(head + "h = { normal = [0, 1], uniform = [0, 1] }"),
                      {"jobs/x.toml:10:5: ", "landscape.h = { normal = [0, 1], uniform = [0, 1] }",
                       "a distribution is an inline table with exactly one key, its form",
                       "{ gamma = [shape, scale] }"});
  expect_config_error(with_landscape(head + "h = \"normal\""),
                      {"jobs/x.toml:10:5: ", "landscape.h = \"normal\"",
                       "expected a list of numbers or a matrix (a list of equal-length lists of "
                       "numbers), entries > 0, or a distribution: { constant = v }",
                       "or a sweep: a list of matrices and distributions"});
  // In a sweep, each value is a matrix or a distribution.
  expect_config_error(with_landscape(head + "h = [{ constant = 1 }, [1, 2]]"),
                      {"jobs/x.toml:10:24: ", "landscape.h = [1, 2]",
                       "in a sweep of landscape.h, each value is a matrix", "N×d matrix"});
}

TEST(Distributions, ParameterRangesAreChecked) {
  const std::string head =
      "[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 4\nc = { constant = 0 }\n";
  const std::tuple<std::string, std::string, std::string> cases[] = {
      {"{ normal = [0, 0] }", "10:20: ", "std = 0 must be > 0 ({ normal = [mean, std] }"},
      {"{ lognormal = [0, -1] }", "10:23: ", "sigma = -1 must be > 0"},
      {"{ gamma = [0, 1] }", "10:16: ", "shape = 0 must be > 0"},
      {"{ gamma = [1, -2] }", "10:19: ", "scale = -2 must be > 0"},
      {"{ uniform = [1, 1] }", "10:17: ", "uniform needs lo < hi; got lo = 1, hi = 1"},
      {"{ uniform = [2, 1] }", "10:17: ", "uniform needs lo < hi; got lo = 2, hi = 1"},
      {"{ normal = [inf, 1] }", "10:17: ", "mean = inf must be finite"},
  };
  for (const auto& [written, at, what] : cases) {
    expect_config_error(with_landscape(head + "h = " + written),
                        {"jobs/x.toml:" + at, "landscape.h = " + written, what});
  }
}

// ---- Noise kinds.

TEST(NoiseKinds, EveryNewKindParsesWithDefaultsAbsent) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {"kind = \"diagonal\"\nvariances = [1, 0]", {"noise.kind", "noise.variances"}},
      {"kind = \"diagonal\"\nvariances = [1, 2]\ntrace = 6\nunits = \"parameter\"",
       {"noise.kind", "noise.variances", "noise.trace", "noise.units"}},
      {"kind = \"covariance\"\nmatrix = [[2, 1], [1, 2]]", {"noise.kind", "noise.matrix"}},
      {"kind = \"hessian\"\ntrace = 4", {"noise.kind", "noise.trace"}},
      {"kind = \"hessian\"\ntrace = 4\nat = \"current\"",
       {"noise.kind", "noise.trace", "noise.at"}},
      {"kind = \"hessian_top\"\nmatch = { sgd_batch = 8 }", {"noise.kind", "noise.match"}},
      {"kind = \"gradient_covariance\"\ntrace = 1\nat = \"minimum\"",
       {"noise.kind", "noise.trace", "noise.at"}},
      {"kind = \"power_law\"\nvar_g = 0.1\nvar_h = 0",
       {"noise.kind", "noise.var_g", "noise.var_h"}},
      {"kind = \"sgd\"\nbatch_size = 16", {"noise.kind", "noise.batch_size"}},
      {"kind = \"sgd\"\nbatch_size = 16\nreplacement = true",
       {"noise.kind", "noise.batch_size", "noise.replacement"}},
      {"kind = \"multiplicative\"\nweights = \"bernoulli\"\nbatch_size = 4",
       {"noise.kind", "noise.weights", "noise.batch_size"}},
      {"kind = \"levy\"\nalpha = 1.5\nepsilon = 0.1",
       {"noise.kind", "noise.alpha", "noise.epsilon"}},
      {"kind = \"levy\"\nalpha = 2\nepsilon = 0.1\nform = \"isotropic\"",
       {"noise.kind", "noise.alpha", "noise.epsilon", "noise.form"}},
  };
  for (const auto& [body, keys] : cases) {
    const Job job = parse_job(with_noise("[noise]\n" + body), kSource);
    ASSERT_EQ(job.configs.size(), 1u) << body;
    std::vector<std::string> noise_keys;
    for (const std::string& k : keys_of(job.configs[0])) {
      if (k.rfind("noise.", 0) == 0) noise_keys.push_back(k);
    }
    EXPECT_EQ(noise_keys, keys) << body;
  }
  const Job sgd = parse_job(
      with_noise("[noise]\nkind = \"sgd\"\nbatch_size = 16\nreplacement = true"), kSource);
  EXPECT_EQ(sgd.configs[0].integer("noise.batch_size"), 16);
  EXPECT_EQ(sgd.configs[0].optional_bool("noise.replacement"), true);
  EXPECT_NE(sgd.configs[0].canonical_text.find("noise.replacement=true\n"), std::string::npos);
  const Job levy = parse_job(with_noise("[noise]\nkind = \"levy\"\nalpha = 1.5\nepsilon = 0.1"),
                             kSource);
  EXPECT_FALSE(levy.configs[0].optional_string("noise.form").has_value());
}

TEST(NoiseKinds, NewKeysSweep) {
  const Job job = parse_job(
      with_noise("[noise]\nkind = \"levy\"\nalpha = { linspace = [1, 2, 3] }\nepsilon = 0.1\n"
                 "form = [\"coordinate\", \"isotropic\"]"),
      kSource);
  ASSERT_EQ(job.configs.size(), 6u);
  EXPECT_EQ(job.configs[5].number("noise.alpha"), 2.0);
  EXPECT_EQ(job.configs[5].string("noise.form"), "isotropic");
  const Job sgd = parse_job(
      with_noise("[noise]\nkind = \"sgd\"\nbatch_size = [1, 8, 64]\nreplacement = [false, true]"),
      kSource);
  ASSERT_EQ(sgd.configs.size(), 6u);
  EXPECT_EQ(sgd.configs[1].boolean("noise.replacement"), true);
  EXPECT_EQ(sgd.configs[4].integer("noise.batch_size"), 64);
  const Job diag = parse_job(
      with_noise("[noise]\nkind = \"diagonal\"\nvariances = [[1, 0], [0, 1]]\ntrace = [1, 10]"),
      kSource);
  EXPECT_EQ(diag.configs.size(), 4u);
}

TEST(NoiseKinds, RangesAndChoicesAreChecked) {
  expect_config_error(with_noise("[noise]\nkind = \"levy\"\nalpha = 2.5\nepsilon = 1"),
                      {"jobs/x.toml:15:9: ", "noise.alpha = 2.5", "must be > 0 and ≤ 2",
                       "the stability index α"});
  expect_config_error(with_noise("[noise]\nkind = \"levy\"\nalpha = 0\nepsilon = 1"),
                      {"jobs/x.toml:15:9: ", "noise.alpha = 0", "must be > 0 and ≤ 2"});
  expect_config_error(
      with_noise("[noise]\nkind = \"levy\"\nalpha = 1\nepsilon = 1\nform = \"radial\""),
      {"jobs/x.toml:17:8: ", "noise.form = \"radial\"", "must be one of: coordinate, isotropic"});
  expect_config_error(
      with_noise("[noise]\nkind = \"multiplicative\"\nweights = \"fisher\"\nbatch_size = 4"),
      {"jobs/x.toml:15:11: ", "noise.weights = \"fisher\"",
       "must be one of: gaussian_fisher, gaussian_cov, bernoulli"});
  expect_config_error(with_noise("[noise]\nkind = \"hessian\"\ntrace = 1\nat = \"start\""),
                      {"jobs/x.toml:16:6: ", "noise.at = \"start\"",
                       "must be one of: minimum, current", "default minimum"});
  expect_config_error(with_noise("[noise]\nkind = \"gradient_covariance\"\ntrace = 1\nat = 1"),
                      {"jobs/x.toml:16:6: ", "noise.at = 1",
                       "expected a string (one of: current, minimum)", "default current"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nsigma = 1\nunits = \"loss\""),
                      {"jobs/x.toml:16:9: ", "noise.units = \"loss\"",
                       "must be one of: gradient, parameter"});
  expect_config_error(with_noise("[noise]\nkind = \"diagonal\"\nvariances = [1, -1]"),
                      {"jobs/x.toml:15:17: ", "noise.variances = [1, -1]", "entry 2",
                       "must be ≥ 0"});
  expect_config_error(with_noise("[noise]\nkind = \"sgd\"\nbatch_size = 0"),
                      {"jobs/x.toml:15:14: ", "noise.batch_size = 0", "must be ≥ 1"});
  expect_config_error(with_noise("[noise]\nkind = \"power_law\"\nvar_g = 1"),
                      {"jobs/x.toml:13:1: ", "missing key 'noise.var_h' for kind \"power_law\"",
                       "number ≥ 0"});
  expect_config_error(with_noise("[noise]\nkind = \"covariance\"\nmatrix = [1, 2]"),
                      {"jobs/x.toml:15:11: ", "noise.matrix = [1, 2]", "row 1 is 1",
                       "expected a matrix"});
}

TEST(NoiseKinds, ExactlyOneAndAtMostOneRules) {
  expect_config_error(with_noise("[noise]\nkind = \"hessian\""),
                      {"jobs/x.toml:14:8: ", "noise.kind = \"hessian\"",
                       "kind \"hessian\" needs exactly one of noise.trace, noise.match; none is "
                       "given"});
  expect_config_error(
      with_noise("[noise]\nkind = \"hessian_top\"\ntrace = 1\nmatch = { sgd_batch = 2 }"),
      {"jobs/x.toml:16:9: ", "noise.match = { sgd_batch = 2 }",
       "kind \"hessian_top\" takes exactly one of noise.trace, noise.match",
       "noise.trace = 1 is also given"});
  expect_config_error(
      with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = 2 }\nsigma = 1"),
      {"jobs/x.toml:16:9: ", "noise.sigma = 1",
       "takes exactly one of noise.sigma, noise.trace, noise.match",
       "noise.match = { sgd_batch = 2 } is also given"});
  expect_config_error(
      with_noise("[noise]\nkind = \"diagonal\"\nvariances = [1]\ntrace = 1\n"
                 "match = { sgd_batch = 2 }"),
      {"jobs/x.toml:17:9: ", "noise.match = { sgd_batch = 2 }",
       "kind \"diagonal\" takes at most one of noise.trace, noise.match",
       "noise.trace = 1 is also given"});
  EXPECT_NO_THROW(
      (void)parse_job(with_noise("[noise]\nkind = \"covariance\"\nmatrix = [[1]]\n"
                                 "match = { sgd_batch = 2 }"),
                      kSource));
}

// ---- match = { sgd_batch = B, replacement = ... }.

TEST(MatchTables, ParseFormatInSchemaOrderAndSweep) {
  const Job job = parse_job(
      with_noise("[noise]\nkind = \"isotropic\"\nmatch = { replacement = true, sgd_batch = 32 }"),
      kSource);
  const Configuration& c = job.configs[0];
  const Table& m = c.table("noise.match");
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].first, "sgd_batch");  // schema order, not file order
  EXPECT_EQ(format_value(*c.find("noise.match")), "{sgd_batch=32,replacement=true}");
  EXPECT_NE(c.canonical_text.find("noise.match={sgd_batch=32,replacement=true}\n"),
            std::string::npos);
  EXPECT_EQ(c.optional_table_integer("noise.match", "sgd_batch"), 32);
  EXPECT_EQ(c.optional_table_number("noise.match", "sgd_batch"), 32.0);
  EXPECT_EQ(c.optional_table_bool("noise.match", "replacement"), true);
  EXPECT_THROW((void)c.optional_table_bool("noise.match", "sgd_batch"), ConfigError);
  EXPECT_FALSE(c.optional_table_integer("noise.other", "sgd_batch").has_value());

  const Job plain =
      parse_job(with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = 32 }"), kSource);
  EXPECT_EQ(format_value(*plain.configs[0].find("noise.match")), "{sgd_batch=32}");
  EXPECT_FALSE(plain.configs[0].optional_table_bool("noise.match", "replacement").has_value());
  EXPECT_NE(plain.configs[0].key, c.key);

  const Job swept = parse_job(
      with_noise("[noise]\nkind = \"hessian\"\n"
                 "match = [{ sgd_batch = 8 }, { sgd_batch = 8, replacement = true }, "
                 "{ sgd_batch = 64 }]"),
      kSource);
  ASSERT_EQ(swept.axes.size(), 1u);
  EXPECT_EQ(swept.axes[0].key, "noise.match");
  ASSERT_EQ(swept.configs.size(), 3u);
  EXPECT_EQ(swept.configs[2].optional_table_integer("noise.match", "sgd_batch"), 64);
  EXPECT_EQ(format_value(Value{Table{{{"s", std::string("a\"b")}}}}), "{s=\"a\\\"b\"}");
}

TEST(MatchTables, MistakesAreNamed) {
  expect_config_error(
      with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = 8, batch = 2 }"),
      {"jobs/x.toml:15:26: ", "noise.match = { sgd_batch = 8, batch = 2 }",
       "unknown key 'noise.match.batch'; allowed: sgd_batch, replacement"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = 0 }"),
                      {"jobs/x.toml:15:23: ", "noise.match.sgd_batch = 0", "must be ≥ 1",
                       "the SGD batch size B matched"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = 8.0 }"),
                      {"jobs/x.toml:15:23: ", "noise.match.sgd_batch = 8.0",
                       "expected an integer ≥ 1 (the SGD batch size B matched)"});
  expect_config_error(
      with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = 8, replacement = 1 }"),
      {"jobs/x.toml:15:40: ", "noise.match.replacement = 1",
       "expected a boolean (true or false)"});
  expect_config_error(
      with_noise("[noise]\nkind = \"isotropic\"\nmatch = { replacement = false }"),
      {"jobs/x.toml:15:9: ", "noise.match = { replacement = false }",
       "missing key 'noise.match.sgd_batch' (integer ≥ 1, the SGD batch size B matched)",
       "expected an inline table { sgd_batch = integer ≥ 1; replacement = boolean (true or "
       "false), optional }"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nmatch = { sgd_batch = [8, 32] }"),
                      {"jobs/x.toml:15:23: ", "noise.match.sgd_batch = [8, 32]",
                       "a key inside noise.match cannot be swept", "list whole tables"});
  expect_config_error(with_noise("[noise]\nkind = \"isotropic\"\nmatch = 32"),
                      {"jobs/x.toml:15:9: ", "noise.match = 32", "expected an inline table",
                       "or a sweep: a list of such tables"});
  expect_config_error(
      with_noise("[noise]\nkind = \"isotropic\"\nmatch = [{ sgd_batch = 8 }, { sgd_batch = 8 }]"),
      {"jobs/x.toml:15:9: ", "values 1 and 2 are equal ({sgd_batch=8})"});
}

// ---- noise.kind as a sweep axis.

TEST(NoiseKindSweep, KeysAreKeptOnlyForKindsThatTakeThem) {
  const Job job = parse_job(
      with_noise("[noise]\nkind = [\"isotropic\", \"hessian\"]\ntrace = 400\nat = \"current\""),
      kSource);
  ASSERT_EQ(job.axes.size(), 1u);
  EXPECT_EQ(job.axes[0].key, "noise.kind");
  ASSERT_EQ(job.configs.size(), 2u);
  EXPECT_EQ(job.configs[0].string("noise.kind"), "isotropic");
  EXPECT_EQ(job.configs[0].number("noise.trace"), 400.0);
  EXPECT_EQ(job.configs[0].find("noise.at"), nullptr);
  EXPECT_EQ(job.configs[1].string("noise.kind"), "hessian");
  EXPECT_EQ(job.configs[1].string("noise.at"), "current");
  const std::string prefix =
      "landscape.kind=kramers_well\nlandscape.a=1\nlandscape.b=1\nlandscape.barrier=1\n"
      "dynamics.lr=0.01\n";
  EXPECT_EQ(job.configs[0].canonical_text,
            prefix + "noise.kind=isotropic\nnoise.trace=400\nescape.kind=barrier\n");
  EXPECT_EQ(job.configs[1].canonical_text,
            prefix +
                "noise.kind=hessian\nnoise.trace=400\nnoise.at=current\nescape.kind=barrier\n");
  // A configuration of a kind sweep is the same configuration as in a job of that kind alone.
  const Job alone = parse_job(with_noise("[noise]\nkind = \"isotropic\"\ntrace = 400"), kSource);
  EXPECT_EQ(alone.configs[0].key, job.configs[0].key);
}

TEST(NoiseKindSweep, CombinesWithOtherAxesLastFastest) {
  const Job job = parse_job(
      with_noise("[noise]\nkind = [\"none\", \"isotropic\", \"sgd\"]\nsigma = 2\n"
                 "batch_size = 4"),
      kSource);
  ASSERT_EQ(job.configs.size(), 3u);
  EXPECT_EQ(job.configs[0].find("noise.sigma"), nullptr);
  EXPECT_EQ(job.configs[0].find("noise.batch_size"), nullptr);
  EXPECT_EQ(job.configs[1].number("noise.sigma"), 2.0);
  EXPECT_EQ(job.configs[1].find("noise.batch_size"), nullptr);
  EXPECT_EQ(job.configs[2].integer("noise.batch_size"), 4);
  EXPECT_EQ(job.configs[2].find("noise.sigma"), nullptr);

  std::string text = with_noise("[noise]\nkind = [\"isotropic\", \"hessian\"]\ntrace = [1, 4]");
  text.replace(text.find("a = 1"), 5, "a = [1, 2]");
  const Job product = parse_job(text, kSource);
  ASSERT_EQ(product.axes.size(), 3u);
  EXPECT_EQ(product.axes[1].key, "noise.kind");
  ASSERT_EQ(product.configs.size(), 8u);
  EXPECT_EQ(product.configs[3].string("noise.kind"), "hessian");
  EXPECT_EQ(product.configs[3].number("noise.trace"), 4.0);
  EXPECT_EQ(product.configs[3].number("landscape.a"), 1.0);
  EXPECT_EQ(product.configs[3].axis_index, (std::vector<std::size_t>{0, 1, 1}));
}

TEST(NoiseKindSweep, MistakesAreNamed) {
  expect_config_error(
      with_noise("[noise]\nkind = [\"isotropic\", \"hessian\"]\ntrace = 1\nradius = 2"),
      {"jobs/x.toml:16:1: ",
       "unknown key 'noise.radius' for kinds \"isotropic\", \"hessian\"; allowed: sigma, trace, "
       "match, units, at"});
  expect_config_error(
      with_noise("[noise]\nkind = [\"isotropic\", \"hessian\"]\ntrace = 1\n"
                 "at = [\"minimum\", \"current\"]"),
      {"jobs/x.toml:16:6: ", "noise.at = [\"minimum\", \"current\"]",
       "a swept key must be taken by every kind of the noise.kind sweep",
       "kind \"isotropic\" does not take noise.at"});
  expect_config_error(with_noise("[noise]\nkind = [\"isotropic\", \"hessian\"]\nsigma = 1"),
                      {"jobs/x.toml:14:22: ", "noise.kind = [\"isotropic\", \"hessian\"]",
                       "kind \"hessian\" needs exactly one of noise.trace, noise.match; none is "
                       "given"});
  expect_config_error(with_noise("[noise]\nkind = [\"isotropic\", \"hessian\"]\nsigma = 1\n"
                                 "trace = 1"),
                      {"jobs/x.toml:16:9: ", "noise.trace = 1",
                       "kind \"isotropic\" takes exactly one of noise.sigma, noise.trace, "
                       "noise.match; noise.sigma = 1 is also given"});
  expect_config_error(with_noise("[noise]\nkind = [\"none\", \"sgd\"]"),
                      {"jobs/x.toml:13:1: ", "missing key 'noise.batch_size' for kind \"sgd\"",
                       "integer ≥ 1"});
  expect_config_error(with_noise("[noise]\nkind = []"),
                      {"jobs/x.toml:14:8: ", "noise.kind = []", "empty list",
                       "a string or a list of strings, each one of: none, isotropic, diagonal"});
  expect_config_error(with_noise("[noise]\nkind = [\"none\", \"hesian\"]"),
                      {"jobs/x.toml:14:17: ", "noise.kind = [\"none\", \"hesian\"]",
                       "entry 2 is an unknown kind \"hesian\"", "allowed: none, isotropic"});
  expect_config_error(with_noise("[noise]\nkind = [\"none\", 2]"),
                      {"jobs/x.toml:14:17: ", "noise.kind = [\"none\", 2]",
                       "entry 2 is 2, not a string", "allowed: none, isotropic"});
  expect_config_error(with_noise("[noise]\nkind = [\"none\", \"none\"]"),
                      {"jobs/x.toml:14:8: ", "noise.kind = [\"none\", \"none\"]",
                       "values 1 and 2 are equal (none)"});
  expect_config_error(with_noise("[noise]\nkind = { linspace = [1, 2, 2] }"),
                      {"jobs/x.toml:14:8: ", "noise.kind = { linspace = [1, 2, 2] }",
                       "expected a string or a list of strings", "allowed: none, isotropic"});
}

// ---- Escape kinds and booleans.

TEST(EscapeKinds, LossRegionAndRecordDirection) {
  const Job loss = parse_job(with_escape("[escape]\nkind = \"loss\"\ndelta = [0.1, 1]"), kSource);
  ASSERT_EQ(loss.configs.size(), 2u);
  EXPECT_EQ(loss.configs[1].number("escape.delta"), 1.0);
  const Job factor = parse_job(
      with_escape("[escape]\nkind = \"loss\"\nfactor = 2\nrecord_direction = true"), kSource);
  EXPECT_EQ(factor.configs[0].boolean("escape.record_direction"), true);
  EXPECT_FALSE(loss.configs[0].optional_bool("escape.record_direction").has_value());

  const Job region = parse_job(
      with_escape("[escape]\nkind = \"region\"\nhalfspaces = [[1, 0, -0.5], [0, 1, -0.5]]\n"
                  "final = true"),
      kSource);
  const Configuration& c = region.configs[0];
  EXPECT_EQ(c.matrix("escape.halfspaces"), (Matrix{{1, 0, -0.5}, {0, 1, -0.5}}));
  EXPECT_EQ(c.optional_bool("escape.final"), true);
  EXPECT_NE(c.canonical_text.find("escape.halfspaces=[[1,0,-0.5],[0,1,-0.5]]\nescape.final=true\n"),
            std::string::npos);
  const Job plain =
      parse_job(with_escape("[escape]\nkind = \"region\"\nhalfspaces = [[1, 0.5]]"), kSource);
  EXPECT_FALSE(plain.configs[0].optional_bool("escape.final").has_value());
  for (const std::string kind : {"barrier", "ball\nradius = 1"}) {
    const Job j = parse_job(
        with_escape("[escape]\nkind = \"" + kind.substr(0, kind.find('\n')) + "\"" +
                    (kind.find('\n') == std::string::npos ? "" : kind.substr(kind.find('\n'))) +
                    "\nrecord_direction = [false, true]"),
        kSource);
    ASSERT_EQ(j.configs.size(), 2u) << kind;
    EXPECT_EQ(j.configs[1].boolean("escape.record_direction"), true);
  }
}

TEST(EscapeKinds, MistakesAreNamed) {
  expect_config_error(with_escape("[escape]\nkind = \"loss\""),
                      {"jobs/x.toml:16:8: ", "escape.kind = \"loss\"",
                       "needs exactly one of escape.delta, escape.factor; none is given"});
  expect_config_error(with_escape("[escape]\nkind = \"loss\"\ndelta = 1\nfactor = 2"),
                      {"jobs/x.toml:18:10: ", "escape.factor = 2",
                       "takes exactly one of escape.delta, escape.factor",
                       "escape.delta = 1 is also given"});
  expect_config_error(with_escape("[escape]\nkind = \"loss\"\nfactor = 1"),
                      {"jobs/x.toml:17:10: ", "escape.factor = 1", "must be > 1"});
  expect_config_error(with_escape("[escape]\nkind = \"region\"\nhalfspaces = [[1], [2]]"),
                      {"jobs/x.toml:17:15: ", "escape.halfspaces = [[1], [2]]",
                       "row 1 has 1 entry; every row needs at least 2",
                       "one row [n_1, ..., n_d, c] per half-space n·θ < c"});
  expect_config_error(with_escape("[escape]\nkind = \"region\"\nhalfspaces = [[1, 0, 1], [1, 0]]"),
                      {"jobs/x.toml:17:26: ", "escape.halfspaces = [[1, 0, 1], [1, 0]]",
                       "ragged matrix: row 2 has 2 entries but row 1 has 3"});
  expect_config_error(with_escape("[escape]\nkind = \"region\""),
                      {"jobs/x.toml:15:1: ", "missing key 'escape.halfspaces' for kind \"region\"",
                       "each row of at least 2 entries"});
  expect_config_error(
      with_escape("[escape]\nkind = \"ball\"\nradius = 1\nrecord_direction = \"yes\""),
      {"jobs/x.toml:18:20: ", "escape.record_direction = \"yes\"",
       "expected a boolean (true or false)", "or a sweep: a list of booleans"});
  expect_config_error(
      with_escape("[escape]\nkind = \"region\"\nhalfspaces = [[1, 0]]\nfinal = 1"),
      {"jobs/x.toml:18:9: ", "escape.final = 1", "expected a boolean (true or false)",
       "p_final_in_region"});
  expect_config_error(
      with_escape("[escape]\nkind = \"barrier\"\nfinal = true"),
      {"jobs/x.toml:17:1: ", "unknown key 'escape.final' for kind \"barrier\"; allowed: "
                             "record_direction"});
}

// ---- Typed access to the new value types.

TEST(Configuration, NewAccessorsCheckTypes) {
  const Job job = parse_job(
      with_landscape("[landscape]\nkind = \"per_sample_quadratic\"\nsamples = 3\n"
                     "h = { normal = [1, 0.1] }\nc = [[0], [1], [2]]"),
      kSource);
  const Configuration& c = job.configs[0];
  EXPECT_THROW((void)c.integer("landscape.h"), ConfigError);
  EXPECT_THROW((void)c.boolean("landscape.samples"), ConfigError);
  EXPECT_THROW((void)c.optional_bool("landscape.samples"), ConfigError);
  EXPECT_THROW((void)c.matrix("landscape.h"), ConfigError);
  EXPECT_THROW((void)c.distribution("landscape.c"), ConfigError);
  EXPECT_THROW((void)c.table("landscape.c"), ConfigError);
  EXPECT_THROW((void)c.optional_table_integer("landscape.c", "x"), ConfigError);
  EXPECT_EQ(c.optional_distribution("landscape.h"), (Distribution{"normal", {1.0, 0.1}}));
  EXPECT_FALSE(c.optional_distribution("landscape.zz").has_value());
  EXPECT_EQ(c.optional_matrix("landscape.c"), (Matrix{{0}, {1}, {2}}));
  EXPECT_FALSE(c.optional_table("landscape.c2").has_value());
  EXPECT_EQ(c.number("landscape.samples"), 3.0);  // number() still takes integers
  try {
    (void)c.integer("landscape.h");
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'landscape.h' = normal(1,0.1) is a distribution; expected an integer"),
              std::string::npos)
        << m;
  }
}

// ---- The schema's own consistency (the parser relies on it).

TEST(Schema, InlineTablesHaveScalarKeysAndGroupsNameOptionalKeys) {
  for (const auto& table : escapade::job::schema()) {
    std::vector<const escapade::job::KeySpec*> all;
    for (const auto& k : table.keys) all.push_back(&k);
    for (const auto& kind : table.kinds) {
      for (const auto& k : kind.keys) {
        all.push_back(&k);
        if (k.type == KeyType::table) {
          EXPECT_FALSE(k.fields.empty()) << k.name;
          for (const auto& f : k.fields) {
            EXPECT_TRUE(f.type == KeyType::integer || f.type == KeyType::number ||
                        f.type == KeyType::boolean || f.type == KeyType::string)
                << k.name << "." << f.name;
          }
        }
      }
      for (const auto* groups : {&kind.exactly_one_of, &kind.at_most_one_of}) {
        for (const auto& group : *groups) {
          for (std::string_view name : group) {
            const auto it = std::find_if(kind.keys.begin(), kind.keys.end(),
                                         [name](const auto& k) { return k.name == name; });
            ASSERT_NE(it, kind.keys.end()) << kind.kind << ": " << name;
            EXPECT_FALSE(it->required) << kind.kind << ": " << name;
          }
        }
      }
    }
    // Under a kind sweep one value is parsed for all kinds: a key name has one type per table.
    for (const auto* a : all) {
      for (const auto* b : all) {
        if (a->name == b->name) {
          EXPECT_EQ(a->type, b->type) << table.table << "." << a->name;
        }
      }
    }
  }
  EXPECT_TRUE(escapade::job::find_table("noise")->kind_sweepable);
  EXPECT_FALSE(escapade::job::find_table("landscape")->kind_sweepable);
  EXPECT_FALSE(escapade::job::find_table("escape")->kind_sweepable);
  ASSERT_EQ(escapade::job::distribution_forms().size(), 5u);
  EXPECT_NE(escapade::job::find_distribution_form("gamma"), nullptr);
  EXPECT_EQ(escapade::job::find_kind(*escapade::job::find_table("noise"), "gaussian"), nullptr);
}

}  // namespace
