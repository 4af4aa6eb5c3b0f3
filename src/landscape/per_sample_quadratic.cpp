#include "escapade/landscape/per_sample_quadratic.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>

namespace escapade::landscape {

namespace {

[[noreturn]] void bad_distribution(const Distribution& dist, const std::string& why) {
  throw std::invalid_argument("distribution " + describe(dist) + ": " + why);
}

void need_params(const Distribution& dist, std::size_t n, const char* names) {
  if (dist.params.size() != n)
    bad_distribution(dist, "kind \"" + dist.kind + "\" takes " + std::to_string(n) +
                               (n == 1 ? " parameter " : " parameters ") + names);
  for (double p : dist.params)
    if (!std::isfinite(p)) bad_distribution(dist, "parameters must be finite numbers");
}

// G(k) for k ≥ 1 (Marsaglia & Tsang 2000), the documented loop.
double gamma_at_least_one(double k, rng::Stream& stream) {
  const double a = k - 1.0 / 3.0;
  const double b = 1.0 / std::sqrt(9.0 * a);
  for (;;) {
    const double z = stream.normal();
    const double t = 1.0 + b * z;
    if (t <= 0) continue;
    const double v = t * t * t;
    const double u = stream.uniform();
    const double z2 = z * z;
    if (u < 1.0 - 0.0331 * z2 * z2) return a * v;
    if (std::log(u) < 0.5 * z2 + a * (1.0 - v + std::log(v))) return a * v;
  }
}

}  // namespace

std::string describe(const Distribution& dist) {
  std::ostringstream s;
  s.precision(17);
  s << dist.kind << " [";
  for (std::size_t i = 0; i < dist.params.size(); ++i) s << (i ? ", " : "") << dist.params[i];
  s << "]";
  return s.str();
}

void check_distribution(const Distribution& dist) {
  const auto& p = dist.params;
  if (dist.kind == "constant") {
    need_params(dist, 1, "[v]");
  } else if (dist.kind == "normal") {
    need_params(dist, 2, "[mean, std]");
    if (p[1] < 0) bad_distribution(dist, "std must be >= 0");
  } else if (dist.kind == "uniform") {
    need_params(dist, 2, "[lo, hi]");
    if (!(p[0] < p[1])) bad_distribution(dist, "lo must be < hi");
  } else if (dist.kind == "lognormal") {
    need_params(dist, 2, "[mu, sigma] (of the logarithm)");
    if (p[1] < 0) bad_distribution(dist, "sigma must be >= 0");
  } else if (dist.kind == "gamma") {
    need_params(dist, 2, "[shape, scale]");
    if (!(p[0] > 0)) bad_distribution(dist, "shape must be > 0");
    if (!(p[1] > 0)) bad_distribution(dist, "scale must be > 0");
  } else {
    bad_distribution(dist, "unknown kind \"" + dist.kind +
                               "\"; allowed: constant, normal, uniform, lognormal, gamma");
  }
}

double gamma_variate(double shape, rng::Stream& stream) {
  if (!(shape > 0) || !std::isfinite(shape))
    throw std::invalid_argument("gamma_variate: shape must be a finite number > 0");
  if (shape >= 1.0) return gamma_at_least_one(shape, stream);
  // Boost a shape below 1 (Marsaglia & Tsang §6): the loop above needs a ≥ 2/3.
  const double g = gamma_at_least_one(shape + 1.0, stream);
  return g * std::pow(stream.uniform(), 1.0 / shape);
}

std::vector<double> draw(const Distribution& dist, rng::Stream& stream, std::size_t count) {
  check_distribution(dist);
  const auto& p = dist.params;
  std::vector<double> out(count);
  if (dist.kind == "constant") {
    std::fill(out.begin(), out.end(), p[0]);
  } else if (dist.kind == "normal") {
    for (double& x : out) x = p[0] + p[1] * stream.normal();
  } else if (dist.kind == "uniform") {
    for (double& x : out) x = p[0] + (p[1] - p[0]) * stream.uniform();
  } else if (dist.kind == "lognormal") {
    for (double& x : out) x = std::exp(p[0] + p[1] * stream.normal());
  } else {  // gamma (check_distribution admits nothing else)
    for (double& x : out) x = p[1] * gamma_variate(p[0], stream);
  }
  return out;
}

PerSampleQuadratic::PerSampleQuadratic(std::vector<double> h, std::vector<double> c, std::size_t dim)
    : h_(std::move(h)), c_(std::move(c)), n_(0), d_(dim) {
  if (d_ == 0) throw std::invalid_argument("per_sample_quadratic: dim must be >= 1");
  if (h_.size() != c_.size())
    throw std::invalid_argument("per_sample_quadratic: h has " + std::to_string(h_.size()) +
                                " entries but c has " + std::to_string(c_.size()));
  if (h_.empty() || h_.size() % d_ != 0)
    throw std::invalid_argument("per_sample_quadratic: h and c must be N×" + std::to_string(d_) +
                                " with N >= 1, but have " + std::to_string(h_.size()) + " entries");
  n_ = h_.size() / d_;
  for (std::size_t k = 0; k < h_.size(); ++k) {
    if (!(h_[k] > 0) || !std::isfinite(h_[k]))
      throw std::invalid_argument("per_sample_quadratic: curvature h[" + std::to_string(k / d_) +
                                  "][" + std::to_string(k % d_) + "] must be a finite number > 0");
    if (!std::isfinite(c_[k]))
      throw std::invalid_argument("per_sample_quadratic: centre c[" + std::to_string(k / d_) + "][" +
                                  std::to_string(k % d_) + "] is not finite");
  }
  mean_h_.assign(d_, 0.0);
  theta_star_.assign(d_, 0.0);
  std::vector<double> sum_hc(d_, 0.0);
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t j = 0; j < d_; ++j) {
      mean_h_[j] += h_[i * d_ + j];
      sum_hc[j] += h_[i * d_ + j] * c_[i * d_ + j];
    }
  for (std::size_t j = 0; j < d_; ++j) {
    theta_star_[j] = sum_hc[j] / mean_h_[j];
    mean_h_[j] /= static_cast<double>(n_);
  }
  sharpness_ = *std::max_element(mean_h_.begin(), mean_h_.end());
  double s = 0;
  for (std::size_t i = 0; i < n_; ++i) s += sample_value(i, theta_star_);
  value_at_minimum_ = s / static_cast<double>(n_);
}

PerSampleQuadratic PerSampleQuadratic::generate(std::size_t n, std::size_t d, const Distribution& h_dist,
                                                const Distribution& c_dist, rng::Stream& stream) {
  if (n == 0 || d == 0) throw std::invalid_argument("per_sample_quadratic: n_samples and dim must be >= 1");
  check_distribution(c_dist);  // fail before drawing anything
  std::vector<double> h = draw(h_dist, stream, n * d);
  for (std::size_t k = 0; k < h.size(); ++k)
    if (!(h[k] > 0))
      throw std::invalid_argument("per_sample_quadratic: curvature distribution h = " + describe(h_dist) +
                                  " drew " + std::to_string(h[k]) + " (sample " + std::to_string(k / d) +
                                  ", coordinate " + std::to_string(k % d) +
                                  "); curvatures must be > 0, so choose a distribution on (0, ∞)");
  std::vector<double> c = draw(c_dist, stream, n * d);
  return PerSampleQuadratic(std::move(h), std::move(c), d);
}

void PerSampleQuadratic::hessian(const Vector&, std::vector<double>& h) const {
  std::fill(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(d_ * d_), 0.0);
  for (std::size_t j = 0; j < d_; ++j) h[j * d_ + j] = mean_h_[j];
}

PowerLawCoefficients PerSampleQuadratic::power_law_coefficients(std::size_t j) const {
  if (j >= d_)
    throw std::invalid_argument("per_sample_quadratic: coordinate " + std::to_string(j) +
                                " is out of range for dim " + std::to_string(d_));
  const double n = static_cast<double>(n_);
  const double w = theta_star_[j];
  double mh = 0, mr = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    const double hi = h_[i * d_ + j];
    mh += hi;
    mr += hi * (w - c_[i * d_ + j]);
  }
  mh /= n;
  mr /= n;  // zero up to rounding, by the definition of θ*
  double vh = 0, vg = 0, cr = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    const double hi = h_[i * d_ + j];
    const double dh = hi - mh, dr = hi * (w - c_[i * d_ + j]) - mr;
    vh += dh * dh;
    vg += dr * dr;
    cr += dh * dr;
  }
  return {w, mean_h_[j], vh / n, vg / n, cr / n};
}

}  // namespace escapade::landscape
