// The raw per-trial log, its CSV export, atomic file writes and the progress line.
#include "escapade/io/raw_log.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "escapade/core/error.hpp"
#include "escapade/core/hash.hpp"
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
    // Every combination of the three flags, with directions only where the flag says so.
    r.flags = static_cast<std::uint8_t>(i % 8);
    if ((r.flags & trial_flags::direction) != 0) {
      r.along_top = 0.25f + 0.01f * static_cast<float>(i);
      r.along_flat = 1.0f / static_cast<float>(3 + i);
    }
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

std::string le(std::uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string with_check(const std::string& body) {
  return body + le(escapade::fnv1a64(body), 8);
}

// A version-2 record built by hand from the documented layout; `flags_byte`, `pad` and
// `reserved` may hold values no writer produces.
std::string v2_record(const TrialResult& r, unsigned flags_byte, std::uint16_t pad = 0,
                      std::uint64_t reserved = 0) {
  return with_check(le(r.config, 4) + le(static_cast<std::uint8_t>(r.status), 1) +
                    le(flags_byte, 1) + le(pad, 2) + le(r.trial, 8) + le(r.steps, 8) +
                    le(std::bit_cast<std::uint32_t>(r.along_top), 4) +
                    le(std::bit_cast<std::uint32_t>(r.along_flat), 4) + le(reserved, 8));
}

const std::string v1_header("ESCRAW\0\0\x01\0\0\0\x20\0\0\0", 16);

// A version-1 record (32 bytes) as escapade wrote them before flags and directions.
std::string v1_record(std::uint32_t config, TrialStatus status, std::uint64_t trial,
                      std::uint64_t steps) {
  return with_check(le(config, 4) + le(static_cast<std::uint8_t>(status), 1) +
                    std::string(3, '\0') + le(trial, 8) + le(steps, 8));
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

TEST(RawLog, RoundTripKeepsFlagsAndDirectionsExactly) {
  TempDir dir;
  std::vector<TrialResult> results(3);
  results[0] = TrialResult{4, TrialStatus::escaped, 9, 77};
  results[0].flags = trial_flags::final_asked | trial_flags::final_in_region |
                     trial_flags::direction;
  results[0].along_top = 0.123456789f;
  results[0].along_flat = 1e-30f;  // tiny floats keep every bit too
  results[1] = TrialResult{4, TrialStatus::censored, 10, 500};
  results[1].flags = trial_flags::final_asked;
  results[2] = TrialResult{5, TrialStatus::escaped, 0, 3};
  results[2].flags = trial_flags::direction;
  results[2].along_top = 1.0f;
  results[2].along_flat = 0.0f;
  write_raw_log(dir / "trials.bin", results);
  const RawLogContents c = read_raw_log(dir / "trials.bin");
  ASSERT_EQ(c.results, results);
  EXPECT_EQ(c.version, 2u);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(c.results[0].along_top),
            std::bit_cast<std::uint32_t>(0.123456789f));
  EXPECT_EQ(std::bit_cast<std::uint32_t>(c.results[0].along_flat),
            std::bit_cast<std::uint32_t>(1e-30f));
}

TEST(RawLog, LayoutIsTheDocumentedLittleEndianOne) {
  TempDir dir;
  TrialResult r;
  r.config = 0x01020304;
  r.status = TrialStatus::escaped;
  r.flags = trial_flags::final_asked | trial_flags::direction;  // 5
  r.trial = 0x1122334455667788ULL;
  r.steps = 42;
  r.along_top = 0.5f;    // 0x3f000000
  r.along_flat = -2.0f;  // 0xc0000000
  write_raw_log(dir / "trials.bin", std::span(&r, 1));
  const std::string b = read_bytes(dir / "trials.bin");
  ASSERT_EQ(b.size(), 64u);
  EXPECT_EQ(b.substr(0, 16), std::string("ESCRAW\0\0\x02\0\0\0\x30\0\0\0", 16));
  const std::string record = b.substr(16);
  EXPECT_EQ(record.substr(0, 40), std::string("\x04\x03\x02\x01\x00\x05\0\0"
                                              "\x88\x77\x66\x55\x44\x33\x22\x11"
                                              "\x2a\0\0\0\0\0\0\0"
                                              "\0\0\0\x3f\0\0\0\xc0"
                                              "\0\0\0\0\0\0\0\0",
                                              40));
  std::uint64_t check = 0;
  for (int i = 0; i < 8; ++i) {
    check |= static_cast<std::uint64_t>(static_cast<unsigned char>(record[40 + i])) << (8 * i);
  }
  EXPECT_EQ(check, reference_fnv1a64(record.substr(0, 40)));
  EXPECT_EQ(record, v2_record(r, 5));
}

TEST(RawLog, WriterDropsUnknownFlagBits) {
  TempDir dir;
  TrialResult r{1, TrialStatus::censored, 2, 3};
  r.flags = 0xf0 | trial_flags::final_asked;
  write_raw_log(dir / "trials.bin", std::span(&r, 1));
  const RawLogContents c = read_raw_log(dir / "trials.bin");
  ASSERT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.results[0].flags, trial_flags::final_asked);
  EXPECT_EQ(c.torn_bytes, 0u);
}

TEST(RawLog, RecordsNoWriterProducesEndTheValidPart) {
  TempDir dir;
  const TrialResult r{1, TrialStatus::escaped, 2, 3};
  const std::string header("ESCRAW\0\0\x02\0\0\0\x30\0\0\0", 16);
  // Each bad record has a valid checksum; the good one before it survives.
  const std::string bad[] = {v2_record(r, 0x08), v2_record(r, 0, 1), v2_record(r, 0, 0, 1)};
  for (const std::string& b : bad) {
    write_bytes(dir / "t.bin", header + v2_record(r, 7) + b);
    const RawLogContents c = read_raw_log(dir / "t.bin");
    ASSERT_EQ(c.results.size(), 1u);
    EXPECT_EQ(c.results[0].flags, 7u);
    EXPECT_EQ(c.torn_bytes, raw_record_size);
  }
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
  bytes[raw_header_size + raw_record_size + raw_record_size - 3] ^= 0x40;  // record 1's check
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
  write_bytes(dir / "v3.bin", std::string("ESCRAW\0\0\x03\0\0\0\x30\0\0\0", 16));
  try {
    read_raw_log(dir / "v3.bin");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("format version 3"), std::string::npos) << e.what();
  }
  // Each known version with the other one's record size.
  write_bytes(dir / "v2r32.bin", std::string("ESCRAW\0\0\x02\0\0\0\x20\0\0\0", 16));
  EXPECT_THROW(read_raw_log(dir / "v2r32.bin"), IoError);
  write_bytes(dir / "v1r48.bin", std::string("ESCRAW\0\0\x01\0\0\0\x30\0\0\0", 16));
  EXPECT_THROW(read_raw_log(dir / "v1r48.bin"), IoError);
}

TEST(RawLog, VersionOneLogReadsWithoutFlagsOrDirections) {
  TempDir dir;
  const fs::path p = dir / "old.bin";
  write_bytes(p, v1_header + v1_record(0, TrialStatus::escaped, 0, 1234) +
                     v1_record(0, TrialStatus::censored, 1, 100000) +
                     v1_record(7, TrialStatus::diverged, 18446744073709551615ULL, 5));
  const RawLogContents c = read_raw_log(p);
  EXPECT_EQ(c.version, 1u);
  EXPECT_EQ(c.torn_bytes, 0u);
  const std::vector<TrialResult> expected = {
      TrialResult{0, TrialStatus::escaped, 0, 1234},
      TrialResult{0, TrialStatus::censored, 1, 100000},
      TrialResult{7, TrialStatus::diverged, 18446744073709551615ULL, 5}};
  EXPECT_EQ(c.results, expected);  // flags 0, along_top = along_flat = 0
}

TEST(RawLog, VersionOneTornTailAndBadChecksumAreDetected) {
  TempDir dir;
  const fs::path p = dir / "old.journal";
  const std::string good = v1_record(1, TrialStatus::escaped, 0, 10);
  std::string corrupt = v1_record(1, TrialStatus::escaped, 1, 20);
  corrupt[17] ^= 0x01;
  write_bytes(p, v1_header + good + corrupt + good);
  RawLogContents c = read_raw_log(p);
  ASSERT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.torn_bytes, 2 * raw_record_size_v1);

  write_bytes(p, v1_header + good + good.substr(0, 20));
  c = read_raw_log(p);
  EXPECT_EQ(c.results.size(), 1u);
  EXPECT_EQ(c.torn_bytes, 20u);
  // A header of the old version cut by a crash is an empty log.
  write_bytes(p, v1_header.substr(0, 11));
  c = read_raw_log(p);
  EXPECT_TRUE(c.results.empty());
  EXPECT_EQ(c.torn_bytes, 11u);
}

TEST(RawLog, AppendingToAVersionOneLogIsRefusedAndLeavesItAlone) {
  TempDir dir;
  const fs::path p = dir / "old.journal";
  const std::string bytes = v1_header + v1_record(0, TrialStatus::escaped, 0, 5) + "torn";
  write_bytes(p, bytes);
  try {
    RawLogWriter w(p, true);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("version 1"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_bytes(p), bytes);
  // Creating (not appending) replaces it with a version-2 log.
  { RawLogWriter w(p, false); }
  EXPECT_EQ(read_raw_log(p).version, 2u);
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
            "config,trial,status,steps,final_in_region,along_top,along_flat\n"
            "0,0,escaped,1234,,,\n"
            "0,1,censored,100000,,,\n"
            "7,18446744073709551615,diverged,5,,,\n");
}

TEST(RawCsv, RecordedObservablesFillTheirColumns) {
  std::vector<TrialResult> results(5);
  results[0] = TrialResult{2, TrialStatus::escaped, 0, 40};
  results[0].flags = trial_flags::final_asked | trial_flags::final_in_region |
                     trial_flags::direction;
  results[0].along_top = 0.75f;
  results[0].along_flat = 0.1f;
  results[1] = TrialResult{2, TrialStatus::censored, 1, 100};
  results[1].flags = trial_flags::final_asked;
  results[2] = TrialResult{2, TrialStatus::escaped, 2, 60};
  results[2].flags = trial_flags::direction;
  results[2].along_top = 1.0f;
  results[2].along_flat = 3e-8f;
  // Floats without the flag (and final_in_region without final_asked) stay empty.
  results[3] = TrialResult{2, TrialStatus::escaped, 3, 70};
  results[3].flags = trial_flags::final_in_region;
  results[3].along_top = 0.5f;
  results[4] = TrialResult{2, TrialStatus::diverged, 4, 9};
  results[4].flags = trial_flags::final_asked;
  std::ostringstream out;
  write_raw_csv(results, out);
  // Floats print in their shortest round-trip form as floats (0.1f is "0.1", not 0.100000001).
  EXPECT_EQ(out.str(),
            "config,trial,status,steps,final_in_region,along_top,along_flat\n"
            "2,0,escaped,40,1,0.75,0.1\n"
            "2,1,censored,100,0,,\n"
            "2,2,escaped,60,,1,3e-08\n"
            "2,3,escaped,70,,,\n"
            "2,4,diverged,9,0,,\n");
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
  EXPECT_NE(first.find(", escaped 1100 (91.7%)\n"), std::string::npos) << first;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  const std::string last = text.substr(first.size());
  EXPECT_EQ(last.rfind("finished: 5000/5000 trials in 0:00:0", 0), 0u) << last;
  EXPECT_NE(last.find("escaped 4800 (96.0%)\n"), std::string::npos) << last;
}

TEST(Progress, ResumedRunsCountOnlyNewTrialsInTheRate) {
  Progress p(1000, false, 0.0, nullptr);
  p.resume_from(900);
  EXPECT_LE(p.rate(900), 0.0);
  EXPECT_TRUE(std::isnan(p.eta(900)));
  EXPECT_EQ(p.eta(1000), 0.0);
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
