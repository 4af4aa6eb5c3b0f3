#include "escapade/rng/stream.hpp"

#include <cmath>
#include <numbers>

namespace escapade::rng {

namespace {

constexpr int n_layers = 256;
constexpr double zig_r = 3.6541528853610088;  // x_1: where the base strip's tail begins
constexpr double zig_v = 0.00492867323399;    // area of every layer, base strip included

double f(double x) noexcept { return std::exp(-0.5 * x * x); }

// Everything normal() needs, built once: the layer table the inline fast path reads and f(x_i)
// for the wedge test. Deterministic: the same recurrence, the same libm, the same bits.
struct Ziggurat {
  std::array<double, n_layers + 1> x{};   // x_0 .. x_256
  std::array<double, n_layers + 1> fx{};  // f(x_0) .. f(x_256)

  Ziggurat() noexcept {
    x[1] = zig_r;
    x[0] = zig_v / f(zig_r);  // width of a rectangle with the base strip's area (strip + tail)
    for (int i = 1; i < n_layers - 1; ++i) {
      x[i + 1] = std::sqrt(-2.0 * std::log(zig_v / x[i] + f(x[i])));
    }
    // The recurrence would give x_256 ≈ 0 up to rounding (and may take the log of 1 + ε); the
    // top layer's inner edge is exactly the axis.
    x[n_layers] = 0.0;
    for (int i = 0; i <= n_layers; ++i) fx[i] = f(x[i]);
  }
};

const Ziggurat& ziggurat() noexcept {
  static const Ziggurat z;  // thread-safe initialisation (C++11 magic statics)
  return z;
}

}  // namespace

const Stream::Layer* Stream::ziggurat_layers() noexcept {
  struct Table {
    std::array<Layer, n_layers> layer{};
    Table() noexcept {
      const Ziggurat& z = ziggurat();
      for (int i = 0; i < n_layers; ++i) {
        // Multiplying by 2^-52 is exact, so (s + 0.5) · scale equals ((s + 0.5) · 2^-52) · x_i.
        layer[i] = Layer{std::ldexp(z.x[i], -52), z.x[i + 1]};
      }
    }
  };
  static const Table t;
  return t.layer.data();
}

Stream::Stream(std::uint64_t seed, std::uint64_t config_key, std::uint64_t trial,
               Purpose purpose) noexcept
    : layers_(ziggurat_layers()),
      key_{{seed, 0}},
      ctr_{{config_key, trial, static_cast<std::uint64_t>(purpose), 0}} {}

void Stream::refill() noexcept {
  const Philox philox{};
  for (unsigned b = 0; b < buffer_blocks; ++b) {
    Philox::ctr_type c = ctr_;
    c.v[3] += b;
    const Philox::ctr_type out = philox(c, key_);
    for (unsigned j = 0; j < 4; ++j) buf_[4 * b + j] = out.v[j];
  }
  ctr_.v[3] += buffer_blocks;
  pos_ = 0;
}

// Everything the inline fast path did not accept. The first pass repeats the fast test on the
// same word so that retries, which start from a fresh word, share one code path.
double Stream::normal_slow(std::uint64_t w, unsigned layer) noexcept {
  const Ziggurat& z = ziggurat();
  for (;;) {
    const double s = static_cast<double>(static_cast<std::int64_t>(w) >> 11);
    const double x = (s + 0.5) * layers_[layer].scale;
    if (std::fabs(x) < layers_[layer].inner) return x;
    if (layer == 0) {
      // Marsaglia (1964): for t = E1 / r, y = E2 with exponentials E1, E2, accepting 2y > t²
      // leaves r + t distributed as the normal conditioned on exceeding r.
      double t = 0.0;
      double y = 0.0;
      do {
        t = -std::log(uniform()) / zig_r;
        y = -std::log(uniform());
      } while (y + y <= t * t);
      return x < 0.0 ? -(zig_r + t) : zig_r + t;
    }
    // Wedge: (|x|, height) is uniform in the layer's part outside the inner rectangle.
    const double height = z.fx[layer] + uniform() * (z.fx[layer + 1] - z.fx[layer]);
    if (height < f(x)) return x;
    w = next_u64();
    layer = static_cast<unsigned>(w & 0xFF);
  }
}

double Stream::normal_box_muller() noexcept {
  const double u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace escapade::rng
