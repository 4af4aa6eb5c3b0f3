#include "escapade/trial/models.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "escapade/core/error.hpp"

namespace escapade::trial {
namespace {

std::vector<double> flatten(const job::Matrix& m) {
  std::vector<double> out;
  for (const auto& row : m) out.insert(out.end(), row.begin(), row.end());
  return out;
}

[[noreturn]] void fail(const job::Job& job, const job::Configuration& c, std::string_view key,
                       std::string_view what) {
  const job::Value* v = c.find(key);
  throw ConfigError(fmt::format("{}: {} = {}: {} (configuration {})", job.source, key,
                                v ? job::format_value(*v) : std::string("(absent)"), what, c.index));
}

AnyLandscape make_landscape(const job::Job& job, const job::Configuration& c) {
  const std::string& kind = c.string("landscape.kind");
  if (kind == "kramers_well")
    return landscape::KramersWell(c.number("landscape.a"), c.number("landscape.b"),
                                  c.number("landscape.barrier"));
  if (kind == "quadratic") {
    std::vector<double> eig = c.vector("landscape.eigenvalues");
    std::vector<double> rot;
    if (const job::Value* r = c.find("landscape.rotation")) {
      if (const auto* m = std::get_if<job::Matrix>(r)) {
        rot = flatten(*m);
        for (const auto& row : *m)
          if (row.size() != m->size()) fail(job, c, "landscape.rotation", "must be a square matrix");
      } else {
        if (eig.size() != 2)
          fail(job, c, "landscape.rotation",
               fmt::format("an angle needs 2 eigenvalues, got {}; give a {}x{} orthogonal matrix",
                           eig.size(), eig.size(), eig.size()));
        rot = landscape::rotation_2d(c.number("landscape.rotation"));
      }
    }
    std::vector<double> minimum = c.optional_vector("landscape.minimum").value_or(std::vector<double>{});
    try {
      return landscape::Quadratic(std::move(eig), std::move(rot), std::move(minimum));
    } catch (const std::invalid_argument& e) {
      const std::string_view key =
          std::string_view(e.what()).starts_with("minimum") ? "landscape.minimum" : "landscape.rotation";
      fail(job, c, key, e.what());
    }
  }
  fail(job, c, "landscape.kind", "unknown kind; allowed: kramers_well, quadratic");
}

AnyNoise make_noise(const job::Job& job, const job::Configuration& c, std::size_t dim) {
  const std::string& kind = c.string("noise.kind");
  if (kind == "none") return noise::NoNoise{};
  if (kind == "isotropic") {
    if (auto s = c.optional_number("noise.sigma")) return noise::IsotropicNoise{*s};
    if (auto t = c.optional_number("noise.trace"))
      return noise::IsotropicNoise{std::sqrt(*t / static_cast<double>(dim))};
    fail(job, c, "noise.sigma", "isotropic noise needs noise.sigma or noise.trace");
  }
  fail(job, c, "noise.kind", "unknown kind; allowed: none, isotropic");
}

}  // namespace

Model build_model(const job::Job& job, const job::Configuration& c) {
  Model m{c.index, c.key, make_landscape(job, c), noise::NoNoise{}, {}, 0, 0};
  const std::size_t dim = std::visit([](const auto& l) { return l.dim(); }, m.landscape);
  m.sharpness = std::visit([](const auto& l) { return l.sharpness(); }, m.landscape);
  m.noise = make_noise(job, c, dim);
  m.lr = c.number("dynamics.lr");
  const std::string& escape = c.string("escape.kind");
  if (escape == "barrier") {
    m.escape.kind = EscapeKind::barrier;
    const bool has_plane = std::visit(
        [](const auto& l) { return landscape::HasBarrier<std::decay_t<decltype(l)>>; }, m.landscape);
    if (!has_plane)
      fail(job, c, "escape.kind",
           fmt::format("landscape '{}' has no saddle to cross; use escape.kind = \"ball\"",
                       c.string("landscape.kind")));
  } else if (escape == "ball") {
    m.escape.kind = EscapeKind::ball;
    m.escape.radius = c.number("escape.radius");
  } else {
    fail(job, c, "escape.kind", "unknown kind; allowed: barrier, ball");
  }
  return m;
}

std::vector<Model> build_models(const job::Job& job) {
  std::vector<Model> models;
  models.reserve(job.configs.size());
  for (const auto& c : job.configs) models.push_back(build_model(job, c));
  return models;
}

std::string describe(const Model& m) {
  std::string land = std::visit(
      [](const auto& l) -> std::string {
        using L = std::decay_t<decltype(l)>;
        if constexpr (std::is_same_v<L, landscape::KramersWell>)
          return fmt::format("kramers_well(a={}, b={}, barrier={})", l.a(), l.b(), l.barrier());
        else
          return fmt::format("quadratic(d={}, λmax={})", l.dim(), l.sharpness());
      },
      m.landscape);
  std::string noise = std::visit(
      [](const auto& n) -> std::string {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, noise::IsotropicNoise>)
          return fmt::format("isotropic(sigma={})", n.sigma);
        else
          return "none";
      },
      m.noise);
  std::string esc = m.escape.kind == EscapeKind::barrier ? std::string("barrier")
                                                         : fmt::format("ball(r={})", m.escape.radius);
  return fmt::format("{} lr={} noise={} escape={}", land, m.lr, noise, esc);
}

}  // namespace escapade::trial
