#pragma once
// The raw per-trial log: a binary file of fixed-size, checksummed records.
//
// File layout (little-endian), format version 2:
//   header, 16 bytes: magic "ESCRAW\0\0" (8 bytes), u32 format version (= 2),
//                     u32 record size (= 48)
//   records, 48 bytes each:
//     u32 config      configuration index
//     u8  status      0 escaped, 1 censored, 2 diverged
//     u8  flags       trial_flags bits (1 final_asked, 2 final_in_region, 4 direction; others 0)
//     u16 zero
//     u64 trial       trial id within the configuration
//     u64 steps       steps taken when the trial ended
//     f32 along_top   IEEE 754 binary32 bits; meaningful only with the direction flag
//     f32 along_flat  likewise
//     u64 reserved    zero
//     u64 check       FNV-1a 64 (core/hash.hpp) of the preceding 40 bytes of the record
// Version 1 (32-byte records: u32 config, u8 status, u8 zero[3], u64 trial, u64 steps, u64 check
// of the preceding 24 bytes) is still read: its records get flags = 0 and both floats 0. Writers
// only produce version 2, so a version-1 log cannot be appended to (IoError).
//
// `trials.journal` holds records in completion order while a run goes on (appended, flushed in
// batches); at the end `trials.bin` holds them sorted by (config, trial) and the journal is
// removed. A reader stops at the first short or failing record (a torn tail) and reports it; a
// record fails when its checksum does, or when it holds values no writer produces (status > 2,
// unknown flag bits, non-zero padding or reserved bytes).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <span>
#include <vector>

#include "escapade/core/types.hpp"

namespace escapade::io {

inline constexpr std::uint32_t raw_format_version = 2;
inline constexpr std::size_t raw_record_size = 48;
inline constexpr std::size_t raw_header_size = 16;
// The earlier format, still readable.
inline constexpr std::size_t raw_record_size_v1 = 32;

class RawLogWriter {
 public:
  // Creates (truncating) or, with append = true, opens an existing valid log for appending: a torn
  // tail is cut first, and a missing (or empty) file is created. The header is on disk when the
  // constructor returns. Throws IoError naming the path (also for a file that is not a raw log,
  // and for a version-1 log, which cannot take version-2 records).
  RawLogWriter(const std::filesystem::path& path, bool append);
  ~RawLogWriter();
  RawLogWriter(const RawLogWriter&) = delete;
  RawLogWriter& operator=(const RawLogWriter&) = delete;

  // Writes each result as it is, except that flag bits outside trial_flags are dropped (readers
  // refuse them).
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
  // Format version of the file read: 1 or 2 (2 for a file cut inside its header).
  std::uint32_t version = raw_format_version;
};

// Reads every valid record of a version-2 or version-1 log; throws IoError when the file is
// missing or its header is not ours (other versions included). A file shorter than the header
// that begins like ours (a header cut by a crash) reads as an empty log whose torn_bytes are its
// size.
RawLogContents read_raw_log(const std::filesystem::path& path);

// Receives the valid records of a log in file order, in batches of up to 1024.
using RecordVisitor = std::function<void(std::span<const TrialResult>)>;

struct RawLogScanInfo {
  std::uint64_t records = 0;     // valid records
  std::uint64_t torn_bytes = 0;  // bytes after the last valid record
  std::uint32_t version = raw_format_version;
};

// read_raw_log without holding the records: each batch goes to `visit` (memory stays bounded).
RawLogScanInfo scan_raw_log(const std::filesystem::path& path, const RecordVisitor& visit);

// Builds a complete version-2 log of `slots` records in which each record has a fixed place
// (e.g. trials.bin, sorted by (config, trial): slot = config position · trials + trial), from
// records given in any order, with bounded memory. Writes "<path>.tmp" (header, then the file
// sized to all slots); commit() fsyncs it and renames it over `path`, then fsyncs the directory.
// A slot never put reads as zero bytes, which fail their checksum: read_raw_range refuses it.
// Without commit() the destructor removes the temporary file. Throws IoError naming the file.
class SlotLogWriter {
 public:
  SlotLogWriter(const std::filesystem::path& path, std::uint64_t slots);
  ~SlotLogWriter();
  SlotLogWriter(const SlotLogWriter&) = delete;
  SlotLogWriter& operator=(const SlotLogWriter&) = delete;
  // Writing a slot twice keeps the last record.
  void put(std::uint64_t slot, const TrialResult& result);
  void commit();

 private:
  void write_pending();
  std::filesystem::path path_, tmp_;
  std::uint64_t slots_;
  int fd_ = -1;
  std::vector<unsigned char> pending_;  // records for consecutive slots from pending_slot_
  std::uint64_t pending_slot_ = 0;
};

// Streams records [first, first + count) of a complete version-2 log (by record position) to
// `visit`, in batches. Throws IoError for a missing, damaged or short record, naming it.
void read_raw_range(const std::filesystem::path& path, std::uint64_t first, std::uint64_t count,
                    const RecordVisitor& visit);

// Writes `results` as a complete version-2 log file (header + records), atomically (temp file +
// rename).
void write_raw_log(const std::filesystem::path& path, std::span<const TrialResult> results);

// CSV with header "config,trial,status,steps,final_in_region,along_top,along_flat", one row per
// record: status as a word; final_in_region 0 or 1 where the flags say it was asked
// (final_asked), else empty; along_top and along_flat (shortest round-trip text of the float)
// where the direction flag is set, else empty.
// `header` = false writes the rows only (for results written in batches).
void write_raw_csv(std::span<const TrialResult> results, std::ostream& out, bool header = true);

}  // namespace escapade::io
