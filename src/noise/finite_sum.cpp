// Names of the multiplicative weightings (noise.weights), out of line: only the job layer and
// descriptions use them. The samplers themselves are templates in sgd.hpp / multiplicative.hpp.
#include <optional>
#include <string_view>

#include "escapade/noise/multiplicative.hpp"

namespace escapade::noise {

std::string_view to_string(MultiplicativeNoise::Weights w) {
  switch (w) {
    case MultiplicativeNoise::Weights::gaussian_fisher:
      return "gaussian_fisher";
    case MultiplicativeNoise::Weights::gaussian_cov:
      return "gaussian_cov";
    case MultiplicativeNoise::Weights::bernoulli:
      return "bernoulli";
  }
  return "unknown";
}

std::optional<MultiplicativeNoise::Weights> parse_weights(std::string_view name) {
  for (auto w : {MultiplicativeNoise::Weights::gaussian_fisher, MultiplicativeNoise::Weights::gaussian_cov,
                 MultiplicativeNoise::Weights::bernoulli})
    if (name == to_string(w)) return w;
  return std::nullopt;
}

}  // namespace escapade::noise
