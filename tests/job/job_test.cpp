#include "escapade/job/job.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <variant>

#include "escapade/core/error.hpp"
#include "escapade/job/schema.hpp"

namespace {

using escapade::ConfigError;
using escapade::IoError;
using escapade::job::Configuration;
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
            "allowed: kramers_well, quadratic");
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
  EXPECT_EQ(message_of(text), "jobs/x.toml: missing table [noise]");
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
  expect_config_error(with_noise("[noise]\nkind = [\"none\", \"isotropic\"]"),
                      {"jobs/x.toml:", "noise.kind = [\"none\", \"isotropic\"]", "cannot be swept",
                       "one of: none, isotropic"});
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
  expect_config_error(text, {"jobs/x.toml: ", "job.trials = 1000000000", "5000 configurations",
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
  ASSERT_EQ(tables.size(), 5u);
  EXPECT_EQ(tables[0].table, "job");
  EXPECT_EQ(tables[4].table, "escape");
  EXPECT_NE(escapade::job::find_table("noise"), nullptr);
  EXPECT_EQ(escapade::job::find_table("output"), nullptr);
}

}  // namespace
