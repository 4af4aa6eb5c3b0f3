#pragma once
// FNV-1a 64 (Fowler–Noll–Vo): offset basis 14695981039346656037, prime 1099511628211.
// Used for configuration keys, job-text hashes and raw-log record checksums; its values are part
// of escapade's file formats and random streams, so it must never change.
#include <cstdint>
#include <span>
#include <string_view>

namespace escapade {

constexpr std::uint64_t fnv1a64(std::span<const unsigned char> bytes) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  for (const unsigned char b : bytes) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return h;
}

inline std::uint64_t fnv1a64(std::string_view text) noexcept {
  return fnv1a64(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(text.data()),
                                                text.size()));
}

}  // namespace escapade
