// The raw per-trial log, its CSV export, atomic file writes and the progress line.
#include "escapade/io/raw_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "escapade/core/error.hpp"
#include "escapade/io/atomic_file.hpp"
#include "escapade/io/progress.hpp"

namespace escapade::io {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("escapade_raw_log_test_" + std::to_string(::getpid()) +
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
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<TrialResult> sample_results(std::size_t n) {
  std::vector<TrialResult> v;
  for (std::size_t i = 0; i < n; ++i) {
    TrialResult r;
    r.config = static_cast<std::uint32_t>(i % 3);
    r.status = static_cast<TrialStatus>(i % 3);
    r.trial = 1000 + i;
    r.steps = (std::uint64_t{1} << 40) + 7 * i;
    v.push_back(r);
  }
  return v;
}

std::uint64_t reference_fnv1a64(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

TEST(RawLog, RoundTripKeepsEveryRecordInOrder) {
  TempDir dir;
  const auto results = sample_results(10);
  {
    RawLogWriter w(dir / "trials.journal", false);
    w.append(std::span(results).first(4));
    w.flush();
    w.append(std::span(results).subspan(4));
    w.close();
  }
  EXPECT_EQ(fs::file_size(dir / "trials.journal"), raw_header_size + 10 * raw_record_size);
  const RawLogContents c = read_raw_log(dir / "trials.journal");
  EXPECT_EQ(c.results, results);
  EXPECT_EQ(c.torn_bytes, 0u);
}

TEST(RawLog, LayoutIsTheDocumentedLittleEndianOne) {
  TempDir dir;
  TrialResult r;
  r.config = 0x01020304;
  r.status = TrialStatus::diverged;
  r.trial = 0x1122334455667788ULL;
  r.steps = 42;
  write_raw_log(dir / "trials.bin", std::span(&r, 1));
  const std::string b = read_bytes(dir / "trials.bin");
  ASSERT_EQ(b.size(), 48u);
  EXPECT_EQ(b.substr(0, 16), std::string("ESCRAW\0\0\x01\0\0\0\x20\0\0\0", 16));
  const std::string record = b.substr(16);
  EXPECT_EQ(record.substr(0, 24), std::string("\x04\x03\x02\x01\x02\0\0\0"
                                              "\x88\x77\x66\x55\x44\x33\x22\x11"
                                              "\x2a\0\0\0\0\0\0\0",
                                              24));
  std::uint64_t check = 0;
  for (int i = 0; i < 8; ++i) {
    check |= static_cast<std::uint64_t>(static_cast<unsigned char>(record[24 + i])) << (8 * i);
  }
  EXPECT_EQ(check, reference_fnv1a64(record.substr(0, 24)));
}

TEST(RawLog, AppendModeContinuesAfterExistingRecords) {
  TempDir dir;
  const auto results = sample_results(7);
  {
    RawLogWriter w(dir / "trials.journal", false);
    w.append(std::span(results).first(3));
    w.close();
  }
  {
    RawLogWriter w(dir / "trials.journal", true);
    w.append(std::span(results).subspan(3));
    w.close();
  }
  const RawLogContents c = read_raw_log(dir / "trials.journal");
  EXPECT_EQ(c.results, results);
  EXPECT_EQ(c.torn_bytes, 0u);
}

TEST(RawLog, AppendModeCreatesAMissingLog) {
  TempDir dir;
  const auto results = sample_results(2);
  {
    RawLogWriter w(dir / "new.journal", true);
    w.append(results);
  }  // the destructor closes without losing buffered records
  EXPECT_EQ(read_raw_log(dir / "new.journal").results, results);
}

TEST(RawLog, CreatingTruncatesAnExistingLog) {
  TempDir dir;
  const auto results = sample_results(5);
  write_raw_log(dir / "trials.journal", results);
  { RawLogWriter w(dir / "trials.journal", false); }
  const RawLogContents c = read_raw_log(dir / "trials.journal");
  EXPECT_TRUE(c.results.empty());
  EXPECT_EQ(c.torn_bytes, 0u);
}

TEST(RawLog, RecordCutMidwayIsATornTailAndEarlierRecordsSurvive) {
  TempDir dir;
  const fs::path p = dir / "trials.journal";
  const auto results = sample_results(5);
  write_raw_log(p, results);
  fs::resize_file(p, raw_header_size + 3 * raw_record_size + 10);

  const RawLogContents c = read_raw_log(p);
  EXPECT_EQ(c.results, std::vector<TrialResult>(results.begin(), results.begin() + 3));
  EXPECT_EQ(c.torn_bytes, 10u);

  // Appending cuts the torn bytes first, so the new record follows the last valid one.
  {
    RawLogWriter w(p, true);
    w.append(std::span(results).subspan(3, 1));
    w.close();
  }
  const RawLogContents after = read_raw_log(p);
  EXPECT_EQ(after.results, std::vector<TrialResult>(results.begin(), results.begin() + 4));
  EXPECT_EQ(after.torn_bytes, 0u);
}

TEST(RawLog, CorruptByteStopsReadingAtThatRecord) {
  TempDir dir;
  const fs::path p = dir / "trials.bin";
  const auto results = sample_results(5);
  write_raw_log(p, results);
  std::string bytes = read_bytes(p);
  bytes[raw_header_size + 2 * raw_record_size + 17] ^= 0x01;  // a bit of record 2's steps
  write_bytes(p, bytes);

  const RawLogContents c = read_raw_log(p);
  EXPECT_EQ(c.results, std::vector<TrialResult>(results.begin(), results.begin() + 2));
  EXPECT_EQ(c.torn_bytes, 3 * raw_record_size);
}

TEST(RawLog, CorruptChecksumStopsReading) {
  TempDir dir;
  const fs::path p = dir / "trials.bin";
  const auto results = sample_results(3);
  write_raw_log(p, results);
  std::string bytes = read_bytes(p);
  bytes[raw_header_size + raw_record_size + 30] ^= 0x40;
  write_bytes(p, bytes);
  const RawLogContents c = read_raw_log(p);
  EXPECT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.torn_bytes, 2 * raw_record_size);
}

TEST(RawLog, BadMagicIsAnIoErrorNamingTheFile) {
  TempDir dir;
  const fs::path p = dir / "not_a_log.bin";
  write_bytes(p, std::string("ESCRAX\0\0\x01\0\0\0\x20\0\0\0", 16) + std::string(32, '\0'));
  try {
    read_raw_log(p);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("magic"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RawLogWriter(p, true), IoError);
  // The refused file is left as it was.
  EXPECT_EQ(fs::file_size(p), 48u);
}

TEST(RawLog, OtherVersionOrRecordSizeIsAnIoError) {
  TempDir dir;
  write_bytes(dir / "v2.bin", std::string("ESCRAW\0\0\x02\0\0\0\x20\0\0\0", 16));
  EXPECT_THROW(read_raw_log(dir / "v2.bin"), IoError);
  write_bytes(dir / "r40.bin", std::string("ESCRAW\0\0\x01\0\0\0\x28\0\0\0", 16));
  EXPECT_THROW(read_raw_log(dir / "r40.bin"), IoError);
}

TEST(RawLog, MissingFileIsAnIoError) {
  TempDir dir;
  EXPECT_THROW(read_raw_log(dir / "absent.bin"), IoError);
  EXPECT_THROW(RawLogWriter(dir / "no_such_dir" / "x.journal", false), IoError);
}

TEST(RawLog, TornHeaderReadsAsAnEmptyLogAndAppendRewritesIt) {
  TempDir dir;
  const fs::path p = dir / "trials.journal";
  write_bytes(p, std::string("ESCRAW\0", 7));
  const RawLogContents c = read_raw_log(p);
  EXPECT_TRUE(c.results.empty());
  EXPECT_EQ(c.torn_bytes, 7u);

  const auto results = sample_results(2);
  {
    RawLogWriter w(p, true);
    w.append(results);
    w.close();
  }
  EXPECT_EQ(read_raw_log(p).results, results);
}

TEST(RawLog, WriteRawLogLeavesNoTemporaryFile) {
  TempDir dir;
  const auto results = sample_results(4);
  write_raw_log(dir / "trials.bin", results);
  EXPECT_FALSE(fs::exists(dir / "trials.bin.tmp"));
  EXPECT_EQ(read_raw_log(dir / "trials.bin").results, results);
}

TEST(RawCsv, TextIsExact) {
  std::vector<TrialResult> results(3);
  results[0] = TrialResult{0, TrialStatus::escaped, 0, 1234};
  results[1] = TrialResult{0, TrialStatus::censored, 1, 100000};
  results[2] = TrialResult{7, TrialStatus::diverged, 18446744073709551615ULL, 5};
  std::ostringstream out;
  write_raw_csv(results, out);
  EXPECT_EQ(out.str(),
            "config,trial,status,steps\n"
            "0,0,escaped,1234\n"
            "0,1,censored,100000\n"
            "7,18446744073709551615,diverged,5\n");
}

TEST(AtomicFile, WritesAndReplacesWholeContent) {
  TempDir dir;
  const fs::path p = dir / "summary.csv";
  write_file_atomically(p, "first version, longer\n");
  write_file_atomically(p, "second\n");
  EXPECT_EQ(read_bytes(p), "second\n");
  EXPECT_FALSE(fs::exists(dir / "summary.csv.tmp"));
  write_file_atomically(p, "");
  EXPECT_EQ(fs::file_size(p), 0u);
}

TEST(AtomicFile, FailureIsAnIoErrorWithTheSystemReason) {
  TempDir dir;
  const fs::path p = dir / "missing_dir" / "out.txt";
  try {
    write_file_atomically(p, "x");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write '" + p.string() + "': No such file or directory");
  }
}

std::string read_stream(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[512];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST(Progress, PlainLinesWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress p(5000, false, 0.0, f);
  p.update(1200, 1100);
  p.finish(5000, 4800);
  const std::string text = read_stream(f);
  std::fclose(f);

  const std::string first = text.substr(0, text.find('\n') + 1);
  EXPECT_EQ(first.rfind("progress: 1200/5000 trials (24.0%), ", 0), 0u) << first;
  EXPECT_NE(first.find(" trials/s, ETA "), std::string::npos) << first;
  EXPECT_NE(first.find(", escaped 1100\n"), std::string::npos) << first;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  const std::string last = text.substr(first.size());
  EXPECT_EQ(last.rfind("finished: 5000/5000 trials in 0:00:0", 0), 0u) << last;
  EXPECT_NE(last.find("escaped 4800\n"), std::string::npos) << last;
}

TEST(Progress, PlainLinesWaitForTheInterval) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress p(10, false, 3600.0, f);
  p.update(1, 0);
  p.update(2, 1);
  EXPECT_EQ(read_stream(f), "");
  std::fclose(f);
}

TEST(Progress, TerminalRedrawsOneLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress p(4, true, 5.0, f);
  p.finish(4, 3);
  const std::string text = read_stream(f);
  std::fclose(f);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("4/4 trials"), std::string::npos) << text;
}

}  // namespace
}  // namespace escapade::io
