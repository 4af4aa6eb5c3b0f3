#include "escapade/io/raw_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <string>

#include "escapade/core/error.hpp"
#include "escapade/core/hash.hpp"
#include "escapade/io/atomic_file.hpp"

namespace escapade::io {

namespace {

constexpr std::array<unsigned char, 8> magic = {'E', 'S', 'C', 'R', 'A', 'W', 0, 0};
constexpr std::uint32_t format_v1 = 1;
constexpr std::size_t checked_bytes = raw_record_size - 8;        // 40
constexpr std::size_t checked_bytes_v1 = raw_record_size_v1 - 8;  // 24
constexpr std::uint8_t known_flags =
    trial_flags::final_asked | trial_flags::final_in_region | trial_flags::direction;
// Records decoded per fread when scanning; large enough to amortise the call, small on the stack.
constexpr std::size_t scan_batch = 1024;

using Record = std::array<unsigned char, raw_record_size>;
using Header = std::array<unsigned char, raw_header_size>;

// Byte by byte so the layout is little-endian whatever the host, with no struct padding involved.
void put_u32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
void put_u64(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint32_t get_u32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}
std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

std::uint64_t fnv1a64(const unsigned char* p, std::size_t n) {
  return escapade::fnv1a64(std::span<const unsigned char>(p, n));
}

bool all_zero(const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

Header make_header(std::uint32_t version, std::size_t record_size) {
  Header h{};
  std::memcpy(h.data(), magic.data(), magic.size());
  put_u32(h.data() + 8, version);
  put_u32(h.data() + 12, static_cast<std::uint32_t>(record_size));
  return h;
}

Record encode(const TrialResult& r) {
  Record b{};
  put_u32(b.data(), r.config);
  b[4] = static_cast<unsigned char>(r.status);
  b[5] = static_cast<unsigned char>(r.flags & known_flags);
  put_u64(b.data() + 8, r.trial);
  put_u64(b.data() + 16, r.steps);
  put_u32(b.data() + 24, std::bit_cast<std::uint32_t>(r.along_top));
  put_u32(b.data() + 28, std::bit_cast<std::uint32_t>(r.along_flat));
  put_u64(b.data() + 40, fnv1a64(b.data(), checked_bytes));
  return b;
}

// False for a record that fails its checksum or holds values no writer produces.
bool decode(const unsigned char* b, TrialResult& r) {
  if (get_u64(b + 40) != fnv1a64(b, checked_bytes)) return false;
  if (b[4] > static_cast<unsigned char>(TrialStatus::diverged)) return false;
  if ((b[5] & ~known_flags) != 0) return false;
  if (!all_zero(b + 6, 2) || !all_zero(b + 32, 8)) return false;
  r.config = get_u32(b);
  r.status = static_cast<TrialStatus>(b[4]);
  r.flags = b[5];
  r.trial = get_u64(b + 8);
  r.steps = get_u64(b + 16);
  r.along_top = std::bit_cast<float>(get_u32(b + 24));
  r.along_flat = std::bit_cast<float>(get_u32(b + 28));
  return true;
}

// Version 1 predates flags and directions: they read as absent.
bool decode_v1(const unsigned char* b, TrialResult& r) {
  if (get_u64(b + 24) != fnv1a64(b, checked_bytes_v1)) return false;
  if (b[4] > static_cast<unsigned char>(TrialStatus::diverged)) return false;
  if (!all_zero(b + 5, 3)) return false;
  r = TrialResult{};
  r.config = get_u32(b);
  r.status = static_cast<TrialStatus>(b[4]);
  r.trial = get_u64(b + 8);
  r.steps = get_u64(b + 16);
  return true;
}

std::string errno_text() { return std::strerror(errno != 0 ? errno : EIO); }

std::uint64_t file_size(std::FILE* f, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(::fileno(f), &st) != 0) {
    throw IoError("cannot read '" + path.string() + "': " + errno_text());
  }
  return static_cast<std::uint64_t>(st.st_size);
}

struct Scan {
  std::uint64_t valid_end = 0;  // byte offset just past the last valid record (0: no header yet)
  std::uint64_t size = 0;
  std::uint32_t version = raw_format_version;
};

bool is_prefix_of(const Header& h, std::size_t got, const Header& of) {
  return std::memcmp(h.data(), of.data(), got) == 0;
}

// Checks the header and finds the end of the valid records of an open log positioned at 0.
// A file shorter than the header that is a prefix of a header of ours (a header write torn by a
// crash) counts as an empty log torn at byte 0. Decoded records go to `out` when it is not null.
Scan scan(std::FILE* f, const std::filesystem::path& path, const RecordVisitor* out) {
  Scan s;
  s.size = file_size(f, path);
  const Header v2 = make_header(raw_format_version, raw_record_size);
  const Header v1 = make_header(format_v1, raw_record_size_v1);
  Header h{};
  const std::size_t got = std::fread(h.data(), 1, h.size(), f);
  if (got < h.size() && std::ferror(f) != 0) {
    throw IoError("cannot read '" + path.string() + "': " + errno_text());
  }
  if (got < h.size()) {
    if ((is_prefix_of(h, got, v2) || is_prefix_of(h, got, v1)) && s.size == got) return s;
    throw IoError("'" + path.string() + "' is not an escapade raw log (too short for a header)");
  }
  if (std::memcmp(h.data(), magic.data(), magic.size()) != 0) {
    throw IoError("'" + path.string() + "' is not an escapade raw log (bad magic)");
  }
  s.version = get_u32(h.data() + 8);
  if (s.version != raw_format_version && s.version != format_v1) {
    throw IoError("'" + path.string() + "': raw log format version " + std::to_string(s.version) +
                  ", this escapade reads versions 1 and " + std::to_string(raw_format_version));
  }
  const std::size_t record_size = s.version == format_v1 ? raw_record_size_v1 : raw_record_size;
  if (get_u32(h.data() + 12) != record_size) {
    throw IoError("'" + path.string() + "': raw log version " + std::to_string(s.version) +
                  " with record size " + std::to_string(get_u32(h.data() + 12)) + ", expected " +
                  std::to_string(record_size));
  }
  const auto decode_one = s.version == format_v1 ? decode_v1 : decode;
  s.valid_end = raw_header_size;

  std::vector<unsigned char> buf(scan_batch * record_size);
  std::vector<TrialResult> decoded(scan_batch);
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n < buf.size() && std::ferror(f) != 0) {
      throw IoError("cannot read '" + path.string() + "': " + errno_text());
    }
    const std::size_t whole = n / record_size;
    std::size_t good = 0;
    for (; good < whole; ++good) {
      if (!decode_one(buf.data() + good * record_size, decoded[good])) break;
    }
    s.valid_end += good * record_size;
    if (out != nullptr && good > 0) (*out)(std::span<const TrialResult>(decoded.data(), good));
    if (good < whole || n < buf.size()) return s;
  }
}

}  // namespace

RawLogWriter::RawLogWriter(const std::filesystem::path& path, bool append) : path_(path) {
  std::uint64_t start = 0;
  if (append) {
    file_ = std::fopen(path.c_str(), "r+b");
    if (file_ == nullptr && errno != ENOENT) {
      throw IoError("cannot open '" + path.string() + "' for appending: " + errno_text());
    }
    if (file_ != nullptr) {
      try {
        const Scan found = scan(file_, path, nullptr);
        if (found.version != raw_format_version && found.valid_end > 0) {
          throw IoError("cannot append to '" + path.string() + "': raw log format version " +
                        std::to_string(found.version) + ", this escapade writes version " +
                        std::to_string(raw_format_version) + " (start a new log)");
        }
        start = found.valid_end;
        // Cut a torn tail so new records follow the last valid one.
        if (::ftruncate(::fileno(file_), static_cast<off_t>(start)) != 0 ||
            std::fseek(file_, static_cast<long>(start), SEEK_SET) != 0) {
          throw IoError("cannot write '" + path.string() + "': " + errno_text());
        }
      } catch (...) {
        std::fclose(file_);
        file_ = nullptr;
        throw;
      }
    }
  }
  if (file_ == nullptr) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) {
      throw IoError("cannot create '" + path.string() + "': " + errno_text());
    }
  }
  if (start == 0) {
    // A fresh log reaches the disk with its header at once, so a crash leaves a readable file.
    try {
      const Header h = make_header(raw_format_version, raw_record_size);
      if (std::fwrite(h.data(), 1, h.size(), file_) != h.size()) {
        throw IoError("cannot write '" + path.string() + "': " + errno_text());
      }
      flush();
    } catch (...) {
      std::fclose(file_);
      file_ = nullptr;
      throw;
    }
  }
}

RawLogWriter::~RawLogWriter() {
  // Destructors must not throw; close() is the call that reports errors.
  if (file_ != nullptr) std::fclose(file_);
}

void RawLogWriter::append(std::span<const TrialResult> results) {
  if (file_ == nullptr) throw IoError("cannot write '" + path_.string() + "': log is closed");
  for (const TrialResult& r : results) {
    const Record b = encode(r);
    if (std::fwrite(b.data(), 1, b.size(), file_) != b.size()) {
      throw IoError("cannot write '" + path_.string() + "': " + errno_text());
    }
  }
}

void RawLogWriter::flush() {
  if (file_ == nullptr) return;
  errno = 0;
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
    throw IoError("cannot write '" + path_.string() + "': " + errno_text());
  }
}

void RawLogWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* f = file_;
  try {
    flush();
  } catch (...) {
    std::fclose(f);
    file_ = nullptr;
    throw;
  }
  file_ = nullptr;
  errno = 0;
  if (std::fclose(f) != 0) {
    throw IoError("cannot write '" + path_.string() + "': " + errno_text());
  }
}

RawLogContents read_raw_log(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw IoError("cannot open '" + path.string() + "': " + errno_text());
  RawLogContents c;
  try {
    const RecordVisitor collect = [&](std::span<const TrialResult> batch) {
      c.results.insert(c.results.end(), batch.begin(), batch.end());
    };
    const Scan s = scan(f, path, &collect);
    c.torn_bytes = s.size - s.valid_end;
    c.version = s.version;
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
  return c;
}

RawLogScanInfo scan_raw_log(const std::filesystem::path& path, const RecordVisitor& visit) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw IoError("cannot open '" + path.string() + "': " + errno_text());
  RawLogScanInfo info;
  try {
    const Scan s = scan(f, path, &visit);
    info.torn_bytes = s.size - s.valid_end;
    info.version = s.version;
    const std::size_t rs = s.version == format_v1 ? raw_record_size_v1 : raw_record_size;
    info.records = s.valid_end > raw_header_size ? (s.valid_end - raw_header_size) / rs : 0;
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
  return info;
}

SlotLogWriter::SlotLogWriter(const std::filesystem::path& path, std::uint64_t slots)
    : path_(path), tmp_(path.string() + ".tmp"), slots_(slots) {
  fd_ = ::open(tmp_.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError("cannot create '" + tmp_.string() + "': " + errno_text());
  const Header h = make_header(raw_format_version, raw_record_size);
  if (::pwrite(fd_, h.data(), h.size(), 0) != static_cast<ssize_t>(h.size()) ||
      ::ftruncate(fd_, static_cast<off_t>(raw_header_size + slots * raw_record_size)) != 0) {
    const std::string why = errno_text();
    ::close(fd_);
    fd_ = -1;
    std::filesystem::remove(tmp_);
    throw IoError("cannot write '" + tmp_.string() + "': " + why);
  }
  pending_.reserve(scan_batch * raw_record_size);
}

SlotLogWriter::~SlotLogWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
}

void SlotLogWriter::write_pending() {
  std::size_t off = 0;
  while (off < pending_.size()) {
    const ssize_t n = ::pwrite(fd_, pending_.data() + off, pending_.size() - off,
                               static_cast<off_t>(raw_header_size + pending_slot_ * raw_record_size + off));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      throw IoError("cannot write '" + tmp_.string() + "': " + errno_text());
    }
    off += static_cast<std::size_t>(n);
  }
  pending_.clear();
}

void SlotLogWriter::put(std::uint64_t slot, const TrialResult& r) {
  if (fd_ < 0) throw IoError("cannot write '" + tmp_.string() + "': already committed");
  if (slot >= slots_) throw IoError("'" + tmp_.string() + "': slot " + std::to_string(slot) + " beyond its " +
                                    std::to_string(slots_) + " records");
  // Consecutive slots (the common case: results arrive in chunks of consecutive trials) are
  // written together.
  const std::uint64_t next = pending_slot_ + pending_.size() / raw_record_size;
  if (!pending_.empty() && (slot != next || pending_.size() >= scan_batch * raw_record_size)) write_pending();
  if (pending_.empty()) pending_slot_ = slot;
  const Record b = encode(r);
  pending_.insert(pending_.end(), b.begin(), b.end());
}

void SlotLogWriter::commit() {
  if (fd_ < 0) return;
  write_pending();
  if (::fsync(fd_) != 0) throw IoError("cannot write '" + tmp_.string() + "': " + errno_text());
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw IoError("cannot write '" + tmp_.string() + "': " + errno_text());
  }
  fd_ = -1;
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) throw IoError("cannot rename '" + tmp_.string() + "' to '" + path_.string() + "': " + ec.message());
  // The rename itself reaches the disk with the directory.
  const int dir = ::open(path_.parent_path().empty() ? "." : path_.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void read_raw_range(const std::filesystem::path& path, std::uint64_t first, std::uint64_t count,
                    const RecordVisitor& visit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open '" + path.string() + "': " + errno_text());
  std::vector<unsigned char> buf(scan_batch * raw_record_size);
  std::vector<TrialResult> decoded(scan_batch);
  try {
    Header h{};
    if (::pread(fd, h.data(), h.size(), 0) != static_cast<ssize_t>(h.size()) ||
        h != make_header(raw_format_version, raw_record_size))
      throw IoError("'" + path.string() + "' is not a version-" + std::to_string(raw_format_version) +
                    " escapade raw log");
    std::uint64_t at = first;
    while (at < first + count) {
      const std::uint64_t n = std::min<std::uint64_t>(scan_batch, first + count - at);
      const std::size_t bytes = static_cast<std::size_t>(n) * raw_record_size;
      std::size_t got = 0;
      while (got < bytes) {
        const ssize_t k = ::pread(fd, buf.data() + got, bytes - got,
                                  static_cast<off_t>(raw_header_size + at * raw_record_size + got));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0)
          throw IoError("'" + path.string() + "' ends before record " + std::to_string(at + got / raw_record_size) +
                        " (" + (k < 0 ? errno_text() : std::string("short file")) + ")");
        got += static_cast<std::size_t>(k);
      }
      for (std::size_t i = 0; i < n; ++i)
        if (!decode(buf.data() + i * raw_record_size, decoded[i]))
          throw IoError("'" + path.string() + "': record " + std::to_string(at + i) + " is damaged or missing");
      visit(std::span<const TrialResult>(decoded.data(), static_cast<std::size_t>(n)));
      at += n;
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

void write_raw_log(const std::filesystem::path& path, std::span<const TrialResult> results) {
  std::string bytes;
  bytes.reserve(raw_header_size + results.size() * raw_record_size);
  const Header h = make_header(raw_format_version, raw_record_size);
  bytes.append(reinterpret_cast<const char*>(h.data()), h.size());
  for (const TrialResult& r : results) {
    const Record b = encode(r);
    bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  write_file_atomically(path, bytes);
}

void write_raw_csv(std::span<const TrialResult> results, std::ostream& out, bool header) {
  if (header) out << "config,trial,status,steps,final_in_region,along_top,along_flat\n";
  for (const TrialResult& r : results) {
    out << r.config << ',' << r.trial << ',' << to_string(r.status) << ',' << r.steps << ',';
    if ((r.flags & trial_flags::final_asked) != 0) {
      out << ((r.flags & trial_flags::final_in_region) != 0 ? '1' : '0');
    }
    if ((r.flags & trial_flags::direction) != 0) {
      // Shortest text that reads back to the same float (fmt formats a float as a float).
      out << ',' << fmt::format("{},{}\n", r.along_top, r.along_flat);
    } else {
      out << ",,\n";
    }
  }
}

}  // namespace escapade::io
