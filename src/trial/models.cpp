#include "escapade/trial/models.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "escapade/core/error.hpp"
#include "escapade/core/linalg.hpp"
#include "escapade/landscape/concepts.hpp"

namespace escapade::trial {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> flatten(const job::Matrix& m) {
  std::vector<double> out;
  for (const auto& row : m) out.insert(out.end(), row.begin(), row.end());
  return out;
}

class Builder {
 public:
  Builder(const job::Job& job, const job::Configuration& c) : job_(job), c_(c) {}

  [[noreturn]] void fail(std::string_view key, std::string_view what) const {
    const job::Value* v = c_.find(key);
    throw ConfigError(fmt::format("{}: {} = {}: {} (configuration {})", job_.source, key,
                                  v ? job::format_value(*v) : std::string("(absent)"), what, c_.index));
  }

  // Runs f, turning a model's std::invalid_argument into a ConfigError about `key` (or about
  // the landscape key the message names).
  template <class F>
  auto guarded(std::string_view key, F&& f) const {
    try {
      return f();
    } catch (const std::invalid_argument& e) {
      const std::string_view what = e.what();
      if (key.starts_with("landscape."))
        for (std::string_view k : {"scale", "label_noise", "width", "barrier", "dim", "samples"})
          if (what.find(k) != std::string_view::npos && c_.find(fmt::format("landscape.{}", k)))
            fail(fmt::format("landscape.{}", k), what);
      fail(key, what);
    }
  }

  // Data sizes a job may ask for: memory and the per-step cost grow with them, so absurd values
  // are refused here rather than failing in an allocation. samples in [1, 10⁷], dim in [1, 4096],
  // samples × dim ≤ 5·10⁷ stored numbers (400 MB).
  std::size_t data_size(std::string_view key, std::int64_t fallback, std::int64_t most) const {
    const std::int64_t v = c_.optional_integer(key).value_or(fallback);
    if (v < 1 || v > most) fail(std::string(key), fmt::format("{} is outside [1, {}]", v, most));
    return static_cast<std::size_t>(v);
  }
  std::size_t samples(std::int64_t fallback = -1) const { return data_size("landscape.samples", fallback, 10'000'000); }
  std::size_t dim(std::int64_t fallback = -1) const { return data_size("landscape.dim", fallback, 4096); }
  void check_entries(std::size_t n, std::size_t d) const {
    if (n * d > 50'000'000)
      fail("landscape.samples", fmt::format("samples × dim = {} × {} = {} numbers is more than 5e7 (400 MB)", n, d, n * d));
  }

  AnyLandscape landscape(rng::Stream& data) const {
    const std::string& kind = c_.string("landscape.kind");
    if (kind == "kramers_well")
      return guarded("landscape.a", [&] {
        return landscape::KramersWell(c_.number("landscape.a"), c_.number("landscape.b"),
                                      c_.number("landscape.barrier"));
      });
    if (kind == "quadratic") return quadratic();
    if (kind == "double_well")
      return guarded("landscape.barrier", [&] {
        return landscape::DoubleWell(c_.optional_number("landscape.barrier").value_or(0.25),
                                     c_.optional_number("landscape.width").value_or(1.0));
      });
    if (kind == "zhu2d") {
      const auto n = samples(100);
      check_entries(n, 2);
      return guarded("landscape.samples", [&] {
        return landscape::Zhu2d(landscape::Zhu2d::draw_data(data, n),
                                c_.optional_number("landscape.scale").value_or(1.0));
      });
    }
    if (kind == "per_sample_quadratic") return per_sample_quadratic(data);
    if (kind == "least_squares") {
      const auto n = samples(), d = dim();
      check_entries(n, d);
      return guarded("landscape.samples", [&] {
        return landscape::LeastSquares::generate(n, d, c_.optional_number("landscape.label_noise").value_or(0.1),
                                                 data);
      });
    }
    fail("landscape.kind", "unknown kind");
  }

  AnyNoise noise(const AnyLandscape& land) const {
    return std::visit([&](const auto& l) { return noise_for(l); }, land);
  }

  EscapeChoice escape(const AnyLandscape& land) const {
    EscapeChoice e;
    e.record_direction = c_.optional_bool("escape.record_direction").value_or(false);
    const std::string& kind = c_.string("escape.kind");
    const auto [dim, value_at_min, has_barrier] = std::visit(
        [](const auto& l) {
          return std::tuple{l.dim(), l.value(l.minimum()),
                            landscape::HasBarrier<std::decay_t<decltype(l)>>};
        },
        land);
    if (kind == "barrier") {
      e.kind = EscapeKind::barrier;
      if (!has_barrier)
        fail("escape.kind", fmt::format("landscape '{}' has no saddle to cross; use escape.kind = "
                                        "\"ball\", \"loss\" or \"region\"",
                                        c_.string("landscape.kind")));
    } else if (kind == "ball") {
      e.kind = EscapeKind::ball;
      e.radius = c_.number("escape.radius");
    } else if (kind == "loss") {
      e.kind = EscapeKind::loss;
      if (auto delta = c_.optional_number("escape.delta")) {
        e.threshold = value_at_min + *delta;
      } else {
        const double factor = c_.number("escape.factor");
        // A minimum loss at rounding level (interpolation) would put the threshold there too.
        if (!(value_at_min > 1e-12))
          fail("escape.factor", fmt::format("needs L(θ*) > 1e-12, but L(θ*) = {:.3g} (an interpolating "
                                            "minimum); use escape.delta",
                                            value_at_min));
        e.threshold = factor * value_at_min;
      }
    } else if (kind == "region") {
      e.kind = EscapeKind::region;
      const job::Matrix& rows = c_.matrix("escape.halfspaces");
      for (const auto& row : rows)
        if (row.size() != dim + 1)
          fail("escape.halfspaces",
               fmt::format("each row must have d + 1 = {} entries [n_1, ..., n_{}, c] for this {}-D "
                           "landscape",
                           dim + 1, dim, dim));
      e.halfspaces = flatten(rows);
      e.final = c_.optional_bool("escape.final").value_or(false);
    } else {
      fail("escape.kind", "unknown kind");
    }
    return e;
  }

  double lr() const { return c_.number("dynamics.lr"); }

 private:
  AnyLandscape quadratic() const {
    std::vector<double> eig = c_.vector("landscape.eigenvalues");
    std::vector<double> rot;
    if (const job::Value* r = c_.find("landscape.rotation")) {
      if (const auto* m = std::get_if<job::Matrix>(r)) {
        for (const auto& row : *m)
          if (row.size() != m->size()) fail("landscape.rotation", "must be a square matrix");
        rot = flatten(*m);
      } else {
        if (eig.size() != 2)
          fail("landscape.rotation",
               fmt::format("an angle needs 2 eigenvalues, got {}; give a {}x{} orthogonal matrix",
                           eig.size(), eig.size(), eig.size()));
        rot = landscape::rotation_2d(c_.number("landscape.rotation"));
      }
    }
    std::vector<double> minimum = c_.optional_vector("landscape.minimum").value_or(std::vector<double>{});
    try {
      return landscape::Quadratic(std::move(eig), std::move(rot), std::move(minimum));
    } catch (const std::invalid_argument& e) {
      fail(std::string_view(e.what()).starts_with("minimum") ? "landscape.minimum" : "landscape.rotation",
           e.what());
    }
  }

  // h or c of per_sample_quadratic: explicit values (N·d, row-major, or an N×d matrix) or draws.
  std::vector<double> sample_data(std::string_view key, std::size_t n, std::size_t d, rng::Stream& data) const {
    const job::Value* v = c_.find(key);
    std::vector<double> out;
    if (const auto* dist = std::get_if<job::Distribution>(v)) {
      const bool positive_support =
          dist->kind == "lognormal" || dist->kind == "gamma" ||
          (dist->kind == "constant" && dist->params.at(0) > 0) ||
          (dist->kind == "uniform" && dist->params.at(0) > 0);
      if (key == "landscape.h" && !positive_support)
        fail(key, "curvatures must be > 0: use gamma, lognormal, a uniform on (lo > 0, hi) or a "
                  "positive constant (a normal can draw h ≤ 0)");
      return guarded(key, [&] {
        landscape::Distribution ld{dist->kind, dist->params};
        landscape::check_distribution(ld);
        return landscape::draw(ld, data, n * d);
      });
    }
    if (const auto* m = std::get_if<job::Matrix>(v)) out = flatten(*m);
    if (const auto* vec = std::get_if<std::vector<double>>(v)) out = *vec;
    if (out.size() != n * d)
      fail(key, fmt::format("has {} values; samples × dim = {} × {} = {} expected", out.size(), n, d, n * d));
    return out;
  }

  AnyLandscape per_sample_quadratic(rng::Stream& data) const {
    const auto n = samples(), d = dim(1);
    check_entries(n, d);
    std::vector<double> h = sample_data("landscape.h", n, d, data);
    std::vector<double> c = sample_data("landscape.c", n, d, data);
    return guarded("landscape.h", [&] { return landscape::PerSampleQuadratic(std::move(h), std::move(c), d); });
  }

  // Units: the factor that turns given variances into gradient units.
  double variance_factor(double eta) const {
    const auto units = c_.optional_string("noise.units").value_or("gradient");
    return units == "parameter" ? 1.0 / (eta * eta) : 1.0;
  }

  // The trace asked for, in gradient units: noise.trace, or the trace of SGD's covariance at θ*.
  template <class L>
  std::optional<double> wanted_trace(const L& land) const {
    if (auto t = c_.optional_number("noise.trace")) return *t * variance_factor(lr());
    if (!c_.find("noise.match")) return std::nullopt;
    if constexpr (landscape::FiniteSum<L>) {
      const auto b = static_cast<std::size_t>(*c_.optional_table_integer("noise.match", "sgd_batch"));
      const bool replacement = c_.optional_table_bool("noise.match", "replacement").value_or(false);
      const std::size_t n = land.n_samples();
      if (!replacement && b > n)
        fail("noise.match", fmt::format("sgd_batch = {} exceeds the {} samples (allowed with "
                                        "replacement = true)",
                                        b, n));
      const auto s1 = noise::per_sample_gradient_covariance(land, land.minimum());
      const double factor = replacement ? 1.0 / static_cast<double>(b)
                                        : n == 1 ? 0.0
                                                 : static_cast<double>(n - b) /
                                                       (static_cast<double>(b) * static_cast<double>(n - 1));
      return factor * linalg::trace(s1, land.dim());
    } else {
      fail("noise.match", fmt::format("matching SGD's covariance needs a finite-sum landscape "
                                      "(zhu2d, per_sample_quadratic, least_squares), not '{}'",
                                      c_.string("landscape.kind")));
    }
  }

  noise::At at(noise::At fallback) const {
    const auto a = c_.optional_string("noise.at");
    if (!a) return fallback;
    return *a == "current" ? noise::At::current : noise::At::minimum;
  }

  // With replacement (sgd only) any B is a batch; otherwise B ≤ N.
  template <class L>
  std::size_t batch_size(const L& land, bool replacement) const {
    const auto b = static_cast<std::size_t>(c_.integer("noise.batch_size"));
    std::size_t n = 0;
    if constexpr (landscape::FiniteSum<L>) n = land.n_samples();
    if (!replacement && b > n)
      fail("noise.batch_size", fmt::format("exceeds the {} samples of the landscape (allowed with "
                                           "replacement = true for sgd)",
                                           n));
    return b;
  }

  template <class L>
  [[noreturn]] void needs_finite_sum() const {
    fail("noise.kind", fmt::format("needs a finite-sum landscape (zhu2d, per_sample_quadratic, "
                                   "least_squares), not '{}'",
                                   c_.string("landscape.kind")));
  }

  template <class L>
  AnyNoise noise_for(const L& land) const {
    const std::string& kind = c_.string("noise.kind");
    const double eta = lr();
    const double d = static_cast<double>(land.dim());
    if (kind == "none") return noise::NoNoise{};
    if (kind == "isotropic") {
      if (auto s = c_.optional_number("noise.sigma")) return noise::IsotropicNoise{*s * std::sqrt(variance_factor(eta))};
      return noise::IsotropicNoise{std::sqrt(*wanted_trace(land) / d)};
    }
    if (kind == "diagonal" && !c_.find("noise.variances")) {
      // Zhu et al.'s "GLD diag": the diagonal of SGD's covariance at θ*, at its trace.
      if constexpr (landscape::FiniteSum<L>) {
        if (!c_.find("noise.match"))
          fail("noise.variances", "diagonal noise needs variances, or match = { sgd_batch = B } to take "
                                  "the diagonal of SGD's covariance at θ*");
        return guarded("noise.match", [&] {
          const double t = *wanted_trace(land);
          return noise::DiagonalNoise::diagonal_of(noise::per_sample_gradient_covariance(land, land.minimum()),
                                                   land.dim(), t);
        });
      } else {
        fail("noise.variances", "diagonal noise needs variances (without them it takes the diagonal of "
                                "SGD's covariance, which needs a finite-sum landscape)");
      }
    }
    if (kind == "diagonal")
      return guarded("noise.variances", [&] {
        std::vector<double> v = c_.vector("noise.variances");
        if (v.size() != land.dim())
          fail("noise.variances", fmt::format("needs {} values, one per coordinate", land.dim()));
        for (auto& x : v) x *= variance_factor(eta);
        if (auto t = wanted_trace(land)) {
          double sum = 0;
          for (double x : v) sum += x;
          if (!(sum > 0)) fail("noise.variances", "cannot be rescaled to a trace: they sum to 0");
          for (auto& x : v) x *= *t / sum;
        }
        return noise::DiagonalNoise(std::move(v));
      });
    if (kind == "covariance")
      return guarded("noise.matrix", [&] {
        std::vector<double> m = flatten(c_.matrix("noise.matrix"));
        if (m.size() != land.dim() * land.dim())
          fail("noise.matrix", fmt::format("must be {}x{} for this landscape", land.dim(), land.dim()));
        for (auto& x : m) x *= variance_factor(eta);
        if (auto t = wanted_trace(land)) {
          const double tr = linalg::trace(m, land.dim());
          if (!(tr > 0)) fail("noise.matrix", "cannot be rescaled to a trace: its trace is 0");
          for (auto& x : m) x *= *t / tr;
        }
        return noise::CovarianceNoise(std::move(m), land.dim());
      });
    if (kind == "hessian")
      return guarded("noise.kind", [&] { return noise::HessianNoise(land, *wanted_trace(land), at(noise::At::minimum)); });
    if (kind == "hessian_top")
      return guarded("noise.kind",
                     [&] { return noise::HessianTopNoise(land, *wanted_trace(land), at(noise::At::minimum)); });
    if (kind == "gradient_covariance") {
      if constexpr (landscape::FiniteSum<L>) {
        return guarded("noise.kind", [&] {
          return noise::GradientCovarianceNoise::trace_matched(land, *wanted_trace(land), at(noise::At::current));
        });
      } else {
        needs_finite_sum<L>();
      }
    }
    if (kind == "power_law")
      return guarded("noise.var_g",
                     [&] { return noise::PowerLawNoise(c_.number("noise.var_g"), c_.number("noise.var_h")); });
    if (kind == "sgd") {
      if constexpr (landscape::FiniteSum<L>) {
        noise::SgdNoise n;
        n.replacement = c_.optional_bool("noise.replacement").value_or(false);
        n.batch_size = batch_size(land, n.replacement);
        return n;
      } else {
        needs_finite_sum<L>();
      }
    }
    if (kind == "multiplicative") {
      if constexpr (landscape::FiniteSum<L>) {
        noise::MultiplicativeNoise n;
        n.batch_size = batch_size(land, false);
        const auto w = noise::parse_weights(c_.string("noise.weights"));
        if (!w) fail("noise.weights", fmt::format("allowed: {}", noise::multiplicative_weights_allowed));
        n.weights = *w;
        return n;
      } else {
        needs_finite_sum<L>();
      }
    }
    if (kind == "levy")
      return guarded("noise.alpha", [&] {
        const auto form = c_.optional_string("noise.form").value_or("coordinate");
        return noise::LevyNoise(c_.number("noise.alpha"), c_.number("noise.epsilon"), eta,
                                form == "isotropic" ? noise::LevyForm::isotropic : noise::LevyForm::coordinate);
      });
    fail("noise.kind", "unknown kind");
  }

  const job::Job& job_;
  const job::Configuration& c_;
};

template <class N, class L>
concept HasCovariance = requires(const N& n, const L& l, const typename L::Vector& x) {
  { n.covariance(l, x) } -> std::convertible_to<std::vector<double>>;
};

void fill_geometry(Instance& in) {
  std::visit(
      [&](const auto& land, const auto& noise) {
        using L = std::decay_t<decltype(land)>;
        using N = std::decay_t<decltype(noise)>;
        const std::size_t d = land.dim();
        const auto theta = land.minimum();
        const std::vector<double> h = landscape::hessian(land, theta);
        std::vector<double> w, v;
        linalg::symmetric_eigen(h, d, w, v);
        in.sharpness = land.sharpness();
        in.alpha = nan;
        std::vector<double> sigma;
        if constexpr (std::is_same_v<N, noise::NoNoise>) {
          sigma.assign(d * d, 0.0);
        } else if constexpr (std::is_same_v<N, noise::IsotropicNoise>) {
          sigma.assign(d * d, 0.0);
          for (std::size_t i = 0; i < d; ++i) sigma[i * d + i] = noise.sigma * noise.sigma;
        } else if constexpr (HasCovariance<N, L>) {
          sigma = noise.covariance(land, theta);
        } else if constexpr (std::is_same_v<N, noise::LevyNoise>) {
          in.alpha = noise.alpha();
        }
        if (sigma.empty()) {
          in.trace_sigma = in.tr_h_sigma = in.tr_h_sigma_iso = nan;
        } else {
          in.trace_sigma = linalg::trace(sigma, d);
          in.tr_h_sigma = linalg::trace_product(h, sigma, d);
          in.tr_h_sigma_iso = linalg::trace(h, d) * in.trace_sigma / static_cast<double>(d);
        }
        if (in.escape.record_direction) {
          in.top.assign(d, 0.0);
          in.flat.assign(d, 0.0);
          // The flattest direction with curvature: a rank-deficient H (over-parameterised
          // models) has a null space the dynamics never enters, whose vectors mean nothing here.
          std::size_t flat = 0;
          while (flat + 1 < d && !(w[flat] > 1e-10 * std::abs(w[d - 1]))) ++flat;
          for (std::size_t i = 0; i < d; ++i) {
            in.top[i] = v[i * d + (d - 1)];
            in.flat[i] = v[i * d + flat];
          }
        }
      },
      in.landscape, in.noise);
}

}  // namespace

Instance build_instance(const job::Job& job, const job::Configuration& config, rng::Stream& data) {
  const Builder b(job, config);
  AnyLandscape land = b.landscape(data);
  AnyNoise noise = b.noise(land);
  EscapeChoice escape = b.escape(land);
  Instance in{std::move(land), std::move(noise), std::move(escape), 0, 0, 0, 0, 0, {}, {}};
  fill_geometry(in);
  return in;
}

Model build_model(const job::Job& job, const job::Configuration& c) {
  rng::Stream data(job.seed, landscape_data_key, 0, rng::Purpose::landscape_data);
  Model m{c.index, c.key, c.number("dynamics.lr"),
          c.optional_string("landscape.data").value_or("per_job") == "per_trial",
          build_instance(job, c, data), &job, &c};
  return m;
}

std::vector<Model> build_models(const job::Job& job) {
  std::vector<Model> models;
  models.reserve(job.configs.size());
  for (const auto& c : job.configs) models.push_back(build_model(job, c));
  return models;
}

std::string describe(const Model& m) {
  const auto& c = *m.config;
  std::string esc = c.string("escape.kind");
  if (m.instance.escape.kind == EscapeKind::ball) esc += fmt::format("(r={})", m.instance.escape.radius);
  const std::size_t d = std::visit([](const auto& l) { return l.dim(); }, m.instance.landscape);
  return fmt::format("{} d={} λmax={:.4g} | noise {} | lr={} | escape {}{}", c.string("landscape.kind"), d,
                     m.instance.sharpness, c.string("noise.kind"), m.lr, esc,
                     m.per_trial_data ? " | data per trial" : "");
}

}  // namespace escapade::trial
