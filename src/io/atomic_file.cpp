#include "escapade/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "escapade/core/error.hpp"

namespace escapade::io {

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, int err) {
  throw IoError("cannot write '" + file.string() + "': " + std::strerror(err));
}

// Makes the rename itself durable; a failure here is not worth failing the run for (the data is
// already safe in the file), so errors are ignored.
void sync_directory(const std::filesystem::path& dir) {
  const std::string name = dir.empty() ? std::string(".") : dir.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";

  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) fail(file, errno);

  // The first failure wins; a failing call that leaves errno at 0 still counts (as EIO).
  int err = 0;
  const auto failed = [&err] {
    if (err == 0) err = errno != 0 ? errno : EIO;
  };
  errno = 0;
  if (!content.empty() && std::fwrite(content.data(), 1, content.size(), f) != content.size()) {
    failed();
  }
  if (err == 0 && std::fflush(f) != 0) failed();
  if (err == 0 && ::fsync(::fileno(f)) != 0) failed();
  if (std::fclose(f) != 0) failed();
  if (err == 0 && std::rename(tmp.c_str(), file.c_str()) != 0) failed();
  if (err != 0) {
    std::remove(tmp.c_str());
    fail(file, err);
  }
  sync_directory(file.parent_path());
}

}  // namespace escapade::io
