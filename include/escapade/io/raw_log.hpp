#pragma once
// The raw per-trial log: a binary file of fixed-size, checksummed records.
//
// File layout (little-endian):
//   header, 16 bytes: magic "ESCRAW\0\0" (8 bytes), u32 format version (= 1), u32 record size (= 32)
//   records, 32 bytes each:
//     u32 config   configuration index
//     u8  status   0 escaped, 1 censored, 2 diverged
//     u8  zero[3]
//     u64 trial    trial id within the configuration
//     u64 steps    steps taken when the trial ended
//     u64 check    FNV-1a 64 of the preceding 24 bytes of the record
// `trials.journal` holds records in completion order while a run goes on (appended, flushed in
// batches); at the end `trials.bin` holds them sorted by (config, trial) and the journal is
// removed. A reader stops at the first short or failing record (a torn tail) and reports it.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iosfwd>
#include <span>
#include <vector>

#include "escapade/core/types.hpp"

namespace escapade::io {

inline constexpr std::size_t raw_record_size = 32;
inline constexpr std::size_t raw_header_size = 16;

class RawLogWriter {
 public:
  // Creates (truncating) or, with append = true, opens an existing valid log for appending: a torn
  // tail is cut first, and a missing (or empty) file is created. The header is on disk when the
  // constructor returns. Throws IoError naming the path (also for a file that is not a raw log).
  RawLogWriter(const std::filesystem::path& path, bool append);
  ~RawLogWriter();
  RawLogWriter(const RawLogWriter&) = delete;
  RawLogWriter& operator=(const RawLogWriter&) = delete;

  void append(std::span<const TrialResult> results);
  // Pushes buffered records to the operating system (fflush + fsync). Throws IoError.
  void flush();
  void close();

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

struct RawLogContents {
  std::vector<TrialResult> results;
  std::uint64_t torn_bytes = 0;  // bytes after the last valid record (0 for a clean file)
};

// Reads every valid record; throws IoError when the file is missing or its header is not ours.
// A file shorter than the header that begins like ours (a header cut by a crash) reads as an empty
// log whose torn_bytes are its size.
RawLogContents read_raw_log(const std::filesystem::path& path);

// Writes `results` as a complete log file (header + records), atomically (temp file + rename).
void write_raw_log(const std::filesystem::path& path, std::span<const TrialResult> results);

// CSV with header "config,trial,status,steps" (status as a word), one row per record.
void write_raw_csv(std::span<const TrialResult> results, std::ostream& out);

}  // namespace escapade::io
