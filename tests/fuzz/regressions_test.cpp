// Replays every input the fuzzer has found (tests/fuzz/regressions/, README.md there), every
// example job (jobs/) and every extra seed (tests/fuzz/seeds/: valid jobs that reach the keys the
// examples leave out) through the parser and the model layer, checking the fuzzer's contract
// (job_contract.hpp) in the normal build, without clang. Inputs of open bugs in the model layer
// (regressions/open/) go through the parser only, until their bug is fixed and they move up.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "job_contract.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == extension) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const fs::path kRegressions = ESCAPADE_FUZZ_REGRESSIONS_DIR;

TEST(FuzzRegressions, EveryFoundInputKeepsTheContract) {
  const std::vector<fs::path> files = files_in(kRegressions, ".toml");
  ASSERT_FALSE(files.empty()) << kRegressions;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    EXPECT_EQ(escapade::fuzz::check_input(bytes_of(file)), "");
  }
}

TEST(FuzzRegressions, InputsOfOpenModelBugsKeepTheParsersContract) {
  const fs::path open = kRegressions / "open";
  if (!fs::is_directory(open)) GTEST_SKIP() << "no open bugs";
  for (const fs::path& file : files_in(open, ".toml")) {
    SCOPED_TRACE(file.filename().string());
    EXPECT_EQ(escapade::fuzz::check_input(bytes_of(file), /*models=*/false), "");
  }
}

TEST(FuzzRegressions, EveryExampleJobAndSeedParsesAndBuilds) {
  std::vector<fs::path> jobs = files_in(ESCAPADE_JOBS_DIR, ".toml");
  ASSERT_FALSE(jobs.empty());
  for (const fs::path& seed : files_in(kRegressions.parent_path() / "seeds", ".toml")) {
    jobs.push_back(seed);
  }
  for (const fs::path& file : jobs) {
    SCOPED_TRACE(file.filename().string());
    const std::string text = bytes_of(file);
    EXPECT_EQ(escapade::fuzz::check_input(text), "");
    EXPECT_NO_THROW((void)escapade::job::parse_job(text, file.string()));
  }
}

}  // namespace
