#include "escapade/rng/stable.hpp"

#include <cmath>
#include <numbers>

namespace escapade::rng {

double symmetric_stable(double alpha, Stream& s) noexcept {
  // Both uniforms are drawn before any branch so that every α consumes the same two words.
  const double v = std::numbers::pi * (s.uniform() - 0.5);
  const double e = -std::log(s.uniform());
  if (alpha == 1.0) return std::tan(v);
  if (alpha == 2.0) return 2.0 * std::sqrt(e) * std::sin(v);
  const double inv = 1.0 / alpha;
  return std::sin(alpha * v) / std::pow(std::cos(v), inv) *
         std::pow(std::cos((1.0 - alpha) * v) / e, (1.0 - alpha) * inv);
}

double positive_stable(double a, Stream& s) noexcept {
  const double phi = std::numbers::pi * s.uniform();
  const double e = -std::log(s.uniform());
  const double inv = 1.0 / a;
  return std::sin(a * phi) / std::pow(std::sin(phi), inv) *
         std::pow(std::sin((1.0 - a) * phi) / e, (1.0 - a) * inv);
}

void isotropic_stable(double alpha, Stream& s, double* out, std::size_t d) noexcept {
  const double c = alpha == 2.0 ? std::numbers::sqrt2
                                : std::numbers::sqrt2 * std::sqrt(positive_stable(0.5 * alpha, s));
  for (std::size_t i = 0; i < d; ++i) out[i] = c * s.normal();
}

}  // namespace escapade::rng
