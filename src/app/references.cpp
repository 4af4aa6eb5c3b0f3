#include "references.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/concepts.hpp"
#include "escapade/reference/kolmogorov.hpp"
#include "escapade/reference/theory.hpp"

namespace escapade::app {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

template <class N, class L>
concept HasCovariance = requires(const N& n, const L& l, const typename L::Vector& x) {
  { n.covariance(l, x) } -> std::convertible_to<std::vector<double>>;
};

// Σ(θ) (gradient units) of a Gaussian noise model, or nothing.
template <class L, class N>
bool covariance_at(const L& land, const N& noise, const typename L::Vector& x, std::vector<double>& sigma) {
  const std::size_t d = land.dim();
  if constexpr (std::is_same_v<N, noise::IsotropicNoise>) {
    sigma.assign(d * d, 0.0);
    for (std::size_t i = 0; i < d; ++i) sigma[i * d + i] = noise.sigma * noise.sigma;
    return true;
  } else if constexpr (HasCovariance<N, L> && !std::is_same_v<N, noise::SgdNoise> &&
                       !std::is_same_v<N, noise::MultiplicativeNoise>) {
    sigma = noise.covariance(land, x);
    return true;
  } else {
    return false;
  }
}

template <class L>
typename L::Vector to_vector(const L& land, const double* x) {
  typename L::Vector v = land.minimum();
  for (std::size_t i = 0; i < land.dim(); ++i) v[i] = x[i];
  return v;
}

// The job's escape criterion, through the same criterion types the trials use.
template <class L>
bool escaped(const L& land, const trial::EscapeChoice& e, const typename L::Vector& v) {
  using V = typename L::Vector;
  switch (e.kind) {
    case trial::EscapeKind::barrier:
      if constexpr (landscape::HasBarrier<L>) return escape::BarrierEscape<L>{&land}.escaped(v);
      return false;
    case trial::EscapeKind::ball: return escape::BallEscape<V>{land.minimum(), e.radius}.escaped(v);
    case trial::EscapeKind::loss: return escape::LossEscape<L>{&land, e.threshold}.escaped(v);
    case trial::EscapeKind::region: return escape::RegionEscape<V>{land.dim(), e.halfspaces}.escaped(v);
  }
  return false;
}

template <class L, class N>
void theory_for(const L& land, const N& noise, const trial::Instance& in, double lr, ReferenceColumns& out) {
  reference::TheoryValue t{nan, ""};
  const auto& e = in.escape;
  if constexpr (std::is_same_v<N, noise::IsotropicNoise>) {
    const double D = 0.5 * lr * noise.sigma * noise.sigma;
    if constexpr (std::is_same_v<L, landscape::KramersWell>) {
      if (e.kind == trial::EscapeKind::barrier) t = reference::kramers_first_hitting(land.a(), land.b(), land.barrier(), D);
    } else if constexpr (std::is_same_v<L, landscape::DoubleWell>) {
      if (e.kind == trial::EscapeKind::barrier)
        t = reference::kramers_first_hitting(land.sharpness(), -land.barrier_curvature(), land.barrier(), D);
    } else if constexpr (std::is_same_v<L, landscape::Quadratic>) {
      const auto& lam = land.eigenvalues();
      if (e.kind == trial::EscapeKind::ball && lam.size() == 1) t = reference::quadratic_exit_1d(lam[0], e.radius, D);
      if (e.kind == trial::EscapeKind::ball && lam.size() == 2 && lam[0] == lam[1])
        t = reference::ball_exit_2d_isotropic(lam[0], e.radius, D);
    }
  } else if constexpr (std::is_same_v<N, noise::PowerLawNoise> && std::is_same_v<L, landscape::Quadratic>) {
    if (e.kind == trial::EscapeKind::ball && land.dim() == 1 && noise.var_g() > 0)
      t = reference::power_law_exit(land.eigenvalues()[0], e.radius, 0.5 * lr * noise.var_g(),
                                    noise.var_h() / noise.var_g());
  } else if constexpr (std::is_same_v<N, noise::LevyNoise> && std::is_same_v<L, landscape::Quadratic>) {
    if (e.kind == trial::EscapeKind::ball && land.dim() == 1)
      t = reference::imkeller_pavlyukevich(noise.alpha(), noise.epsilon(), e.radius, e.radius);
  }
  // Report a formula only inside its regime: activated escapes (barrier / D ≥ 3), and for the
  // power-law asymptote a basin much wider than its core (r ℓ² ≥ 10).
  if (t.formula == "kramers" || t.formula == "quadratic_exit") {
    double barrier = nan, D = nan;
    if constexpr (std::is_same_v<N, noise::IsotropicNoise>) {
      D = 0.5 * lr * noise.sigma * noise.sigma;
      if constexpr (std::is_same_v<L, landscape::KramersWell> || std::is_same_v<L, landscape::DoubleWell>)
        barrier = land.barrier();
      else if constexpr (std::is_same_v<L, landscape::Quadratic>)
        barrier = 0.5 * land.eigenvalues()[0] * e.radius * e.radius;
    }
    if (!(barrier / D >= 3)) t.time = nan;
  }
  if constexpr (std::is_same_v<N, noise::PowerLawNoise>) {
    if (t.formula == "power_law_asymptote" && !(noise.var_h() / noise.var_g() * e.radius * e.radius >= 10))
      t.time = nan;
  }
  if (std::isfinite(t.time)) {
    out.theory_time = t.time;
    out.theory = t.formula;
  }
}

// The 1-D box: from θ* outwards, geometric steps, up to the escape set on a side that has one,
// else to where the Boltzmann-like weight e^{−(U − U*)/D} is below e^{−60} (reflecting edge).
template <class L, class N>
std::array<double, 2> box_1d(const L& land, const N& noise, const trial::EscapeChoice& e, double lr) {
  const double x0 = land.minimum()[0];
  const double u0 = land.value(land.minimum());
  std::array<double, 2> edge{};
  std::vector<double> sigma;
  for (int side = 0; side < 2; ++side) {
    const double dir = side == 0 ? -1.0 : 1.0;
    double step = 1e-3, x = x0;
    for (int k = 0; k < 200; ++k) {
      x += dir * step;
      step *= 1.15;
      const auto v = to_vector(land, &x);
      if (escaped(land, e, v)) {
        x += dir * step;  // a little beyond, so the escape set has nodes
        break;
      }
      covariance_at(land, noise, v, sigma);
      const double D = 0.5 * lr * sigma[0];
      if (D > 0 && (land.value(v) - u0) / D > 60) break;
    }
    edge[side] = x;
  }
  return edge;
}

// The 2-D box for escapes other than a ball: a square around θ*, grown until every point of its
// edge is either escaped or so high that (L − L*)/D > 60 there (D the smallest diagonal entry of
// the diffusion at that point): a reflecting edge the process practically never reaches.
template <class L, class N>
std::array<double, 2> half_width_2d(const L& land, const N& noise, const trial::EscapeChoice& e, double lr) {
  const auto x0 = land.minimum();
  const double u0 = land.value(x0);
  std::vector<double> sigma;
  double w = 0.05;
  for (int it = 0; it < 60; ++it, w *= 1.25) {
    bool enclosed = true;
    for (int k = 0; k < 256 && enclosed; ++k) {
      const double t = -1.0 + 2.0 * static_cast<double>(k % 64) / 63.0;
      double x[2];
      switch (k / 64) {
        case 0: x[0] = x0[0] - w; x[1] = x0[1] + t * w; break;
        case 1: x[0] = x0[0] + w; x[1] = x0[1] + t * w; break;
        case 2: x[0] = x0[0] + t * w; x[1] = x0[1] - w; break;
        default: x[0] = x0[0] + t * w; x[1] = x0[1] + w; break;
      }
      const auto v = to_vector(land, x);
      if (escaped(land, e, v)) continue;
      covariance_at(land, noise, v, sigma);
      const double D = 0.5 * lr * std::min(sigma[0], sigma[3]);
      enclosed = D > 0 && (land.value(v) - u0) / D > 60;
    }
    if (enclosed) return {w, w};
  }
  return {w, w};
}

}  // namespace

ReferenceColumns compute_references(const trial::Model& m) {
  ReferenceColumns out{nan, nan, nan, "", ""};
  const trial::Instance& in = m.instance;
  std::visit(
      [&](const auto& land, const auto& noise) {
        using N = std::decay_t<decltype(noise)>;
        theory_for(land, noise, in, m.lr, out);
        const std::size_t d = land.dim();
        std::vector<double> sigma;
        if (m.per_trial_data) {
          out.why = "landscape data are redrawn per trial: no single landscape to solve on";
          return;
        }
        if constexpr (std::is_same_v<N, noise::NoNoise>) {
          out.why = "no noise (gradient descent): deterministic";
          return;
        } else if constexpr (std::is_same_v<N, noise::LevyNoise>) {
          out.why = "Lévy noise has no diffusion equation; see the theory column";
          return;
        } else if constexpr (std::is_same_v<N, noise::SgdNoise> || std::is_same_v<N, noise::MultiplicativeNoise>) {
          out.why = "mini-batch noise is not Gaussian at finite lr: no diffusion equation";
          return;
        } else {
          if (!covariance_at(land, noise, land.minimum(), sigma)) {
            out.why = "noise without a covariance";
            return;
          }
          reference::KolmogorovProblem p;
          p.dim = static_cast<int>(d);
          const auto x0 = land.minimum();
          p.drift = [&land](const double* x, double* b) {
            auto v = to_vector(land, x), g = v;
            land.gradient(v, g);
            for (std::size_t i = 0; i < land.dim(); ++i) b[i] = -g[i];
          };
          p.diffusion = [&land, &noise, lr = m.lr](const double* x, double* D) {
            std::vector<double> s;
            covariance_at(land, noise, to_vector(land, x), s);
            for (std::size_t i = 0; i < s.size(); ++i) D[i] = 0.5 * lr * s[i];
          };
          p.escaped = [&land, &in](const double* x) { return escaped(land, in.escape, to_vector(land, x)); };
          if (d == 1) {
            const auto edge = box_1d(land, noise, in.escape, m.lr);
            p.lo = {edge[0], 0};
            p.hi = {edge[1], 0};
            p.start = {x0[0], 0};
            p.points = 1025;
          } else if (d == 2 && in.escape.kind == trial::EscapeKind::ball) {
            // The ball's bounding square: everything outside the ball is escaped, so its edges
            // (tangent points aside) are absorbing and the box is exactly large enough.
            const double r = in.escape.radius * 1.02;
            p.lo = {x0[0] - r, x0[1] - r};
            p.hi = {x0[0] + r, x0[1] + r};
            p.start = {x0[0], x0[1]};
            p.points = 129;
          } else if (d == 2) {
            const auto w = half_width_2d(land, noise, in.escape, m.lr);
            p.lo = {x0[0] - w[0], x0[1] - w[1]};
            p.hi = {x0[0] + w[0], x0[1] + w[1]};
            p.start = {x0[0], x0[1]};
            p.points = 257;
          } else {
            out.why = fmt::format("{} dimensions: the solver covers 1-D and 2-D", d);
            return;
          }
          if (m.job != nullptr) p.petsc_options = m.job->reference_petsc_options;
          try {
            const auto r = reference::solve_mfpt(p);
            out.reference_time = r.time;
            out.reference_error = r.error;
          } catch (const std::exception& e) {
            out.why = fmt::format("solver failed: {}", e.what());
          }
        }
      },
      in.landscape, in.noise);
  return out;
}

}  // namespace escapade::app
