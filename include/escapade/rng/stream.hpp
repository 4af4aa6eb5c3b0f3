#pragma once
// Counter-based per-trial random streams (Random123 Philox4x64-10).
//
// Key     = (job seed, 0).
// Counter = (configuration key, trial id, purpose, block), block = 0, 1, 2, ...
// Each Philox call turns one counter into four 64-bit words; the stream hands them out in order
// and moves to the next block when they are used up. A stream therefore depends only on
// (seed, configuration key, trial id, purpose): never on rank, time, address or schedule.
//
// Transforms (our own, documented, fixed across standard libraries):
//   uniform():  u = ((w >> 11) + 0.5) · 2^-53, in the open interval (0, 1), from one word.
//   normal():   standard normal N(0, 1) by the Marsaglia–Tsang (2000) ziggurat with 256 layers,
//               one word per attempt (bits 0–7 the layer, bits 11–63 a signed 53-bit abscissa);
//               the tail beyond r = 3.6541528853610088 uses Marsaglia's method with two
//               uniform() draws. Tables are built once per process by a deterministic recurrence.
//               In detail, with f(x) = exp(-x²/2), v = 0.00492867323399 (the area of each layer):
//                 x_1 = r,  x_0 = v / f(r),  x_{i+1} = sqrt(-2 log(v / x_i + f(x_i))) for
//                 i = 1..254,  x_256 = 0.
//               One attempt takes a word w:
//                 i = w & 0xFF (bits 0–7; bits 8–10 are unused);
//                 s = int64(w) >> 11 (arithmetic shift: bits 11–63 as a two's-complement 53-bit
//                     integer, bit 63 the sign), s in [-2^52, 2^52 - 1];
//                 u = (s + 0.5) · 2^-52, exactly symmetric about 0 and never 0, in (-1, 1);
//                 x = u · x_i (computed as (s + 0.5) · (x_i · 2^-52), the same double).
//               If |x| < x_{i+1}, return x (98.5% of attempts; inline, one word; the ziggurat
//               as a whole accepts 99.3% of attempts).
//               Else if i = 0, return sign(x) · (r + t), with t from Marsaglia's tail method:
//                 repeat t = -log(uniform()) / r, y = -log(uniform()) until 2y > t²;
//               else draw U = uniform() and return x if f(x_i) + U · (f(x_{i+1}) - f(x_i)) < f(x);
//               otherwise start a new attempt with the next word.
//   normal_box_muller(): a slower reference transform (two uniforms -> one normal), used in tests.
#include <array>
#include <cmath>
#include <cstdint>

#include <Random123/philox.h>

namespace escapade::rng {

// Why a stream is drawn; part of the counter so purposes never share numbers.
enum class Purpose : std::uint64_t {
  dynamics_noise = 1,  // the per-step noise ξ_k of a trial
  initial_state = 2,   // a random start, where a job asks for one
  landscape_data = 3,  // per-trial data of finite-sum landscapes
};

class Stream {
 public:
  Stream(std::uint64_t seed, std::uint64_t config_key, std::uint64_t trial, Purpose purpose) noexcept;

  // The next raw 64-bit word.
  std::uint64_t next_u64() noexcept {
    if (pos_ == buffer_words) refill();
    return buf_[pos_++];
  }
  // Uniform on the open interval (0, 1).
  double uniform() noexcept {
    return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
  }
  // Standard normal by the ziggurat (see above). The common case is inline; the wedges, the tail
  // and rejections go to normal_slow().
  double normal() noexcept {
    const std::uint64_t w = next_u64();
    const unsigned i = static_cast<unsigned>(w & 0xFF);
    const double s = static_cast<double>(static_cast<std::int64_t>(w) >> 11);
    const double x = (s + 0.5) * layers_[i].scale;
    if (std::fabs(x) < layers_[i].inner) [[likely]] return x;
    return normal_slow(w, i);
  }
  // Standard normal by Box–Muller on two uniform() draws (reference transform for tests).
  double normal_box_muller() noexcept;

  // Philox blocks whose words have been handed out (at least partly). Blocks are computed
  // `buffer_blocks` at a time, ahead of use; that changes the speed, never the sequence.
  std::uint64_t blocks_used() const noexcept {
    const std::uint64_t words = 4 * ctr_.v[3] - (buffer_words - pos_);
    return (words + 3) / 4;
  }

 private:
  using Philox = r123::Philox4x64;
  // One ziggurat layer as the fast path needs it: scale = x_i · 2^-52, inner = x_{i+1}.
  struct Layer {
    double scale;
    double inner;
  };
  static const Layer* ziggurat_layers() noexcept;  // the process-wide table, built on first use
  void refill() noexcept;
  double normal_slow(std::uint64_t w, unsigned layer) noexcept;

  const Layer* layers_;

  Philox::key_type key_{};
  Philox::ctr_type ctr_{};
  // Independent consecutive blocks computed together keep the multiplier pipelines full
  // (one Philox block alone is latency-bound).
  static constexpr unsigned buffer_blocks = 8;
  static constexpr unsigned buffer_words = 4 * buffer_blocks;
  std::array<std::uint64_t, buffer_words> buf_{};
  unsigned pos_ = buffer_words;
};

}  // namespace escapade::rng
