#include "references.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "escapade/escape/criteria.hpp"
#include "escapade/landscape/concepts.hpp"
#include "escapade/reference/kolmogorov.hpp"
#include "escapade/reference/mfpt1d.hpp"
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

// One side of the 1-D problem, from θ* outwards: the box edge the solver uses (a little beyond
// the escape boundary, so that the escape set has nodes), and for an absorbing side the escape
// boundary itself (the last unescaped point, by bisection to rounding), which the quadrature uses.
struct Side1d {
  double edge;
  bool absorbing;
  double boundary;
};

// The 1-D box: from θ* outwards, geometric steps, up to the escape set on a side that has one,
// else to where the Boltzmann-like weight e^{−(U − U*)/D} is below e^{−60} (reflecting edge).
// The search for an escape set goes on beyond that level (up to e^{−700}, where any time would
// overflow): a barrier higher than 60 D before the escape set is a deep well, not a wall.
template <class L, class N>
std::array<Side1d, 2> box_1d(const L& land, const N& noise, const trial::EscapeChoice& e, double lr) {
  const double x0 = land.minimum()[0];
  const double u0 = land.value(land.minimum());
  std::array<Side1d, 2> sides{};
  std::vector<double> sigma;
  for (int side = 0; side < 2; ++side) {
    const double dir = side == 0 ? -1.0 : 1.0;
    double step = 1e-3, x = x0;
    Side1d s{x0, false, x0};
    bool walled = false;  // passed the e^{−60} level: s.edge holds the reflecting edge
    for (int k = 0; k < 200; ++k) {
      const double inside = x;
      x += dir * step;
      step *= 1.15;
      const auto v = to_vector(land, &x);
      if (escaped(land, e, v)) {
        double in = inside, out = x;
        for (int h = 0; h < 60; ++h) {
          double mid = 0.5 * (in + out);
          (escaped(land, e, to_vector(land, &mid)) ? out : in) = mid;
        }
        s.absorbing = true;
        s.boundary = in;
        s.edge = x + dir * step;  // a little beyond, so the escape set has nodes
        break;
      }
      covariance_at(land, noise, v, sigma);
      const double D = 0.5 * lr * sigma[0];
      const double q = D > 0 ? (land.value(v) - u0) / D : 0;
      if (q > 60 && !walled) {
        s.edge = x;
        walled = true;
      }
      if (q > 700) break;
    }
    if (!s.absorbing && !walled) s.edge = x;
    sides[side] = s;
  }
  return sides;
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

// --- 1-D: exact quadrature (docs/REFERENCES.md "Deep wells in 1-D") ----------------------------

// The 1-D diffusion of a configuration seen from θ* = x0 along one side: y = dir·(x − x0) ≥ 0,
// U'_y(y) = dir·U'(x0 + dir·y), D(y) = lr Σ(x0 + dir·y)/2. `bad` records a D that is not a finite
// number > 0 (the quadrature's Φ' = −U'/D is then undefined).
template <class L, class N>
reference::Diffusion1d side_diffusion(const L& land, const N& noise, double lr, double x0, double dir,
                                      bool& bad) {
  reference::Diffusion1d p;
  p.dU = [&land, x0, dir](double y) {
    const double x = x0 + dir * y;
    const auto v = to_vector(land, &x);
    auto g = v;
    land.gradient(v, g);
    return dir * g[0];
  };
  p.D = [&land, &noise, lr, x0, dir, &bad](double y) {
    const double x = x0 + dir * y;
    std::vector<double> sigma;
    covariance_at(land, noise, to_vector(land, &x), sigma);
    const double d = 0.5 * lr * sigma[0];
    if (!(d > 0) || !std::isfinite(d)) {
      bad = true;
      return 1.0;
    }
    return d;
  };
  return p;
}

// log ∫_0^Y e^{−Φ(y)} dy and max_{[0, Y]} (−Φ), Φ(y) = −∫_0^y U'/D (Φ(0) = 0), on `cells` cells:
// Φ by Simpson per cell (at the midpoint by the three-point rule, as in mfpt1d), the integral by
// Simpson per cell, scaled by the running maximum (no overflow). Fourth order.
struct ScaleIntegral {
  double log_s;
  double max_exponent;  // = ΔU/D on the way out for constant D
};

ScaleIntegral scale_integral(const reference::Diffusion1d& p, double Y, std::size_t cells) {
  const double h = Y / static_cast<double>(cells);
  const auto f = [&p](double y) { return -p.dU(y) / p.D(y); };  // Φ'
  double phi = 0, fa = f(0);
  double top = 0;    // running max of −Φ (≥ −Φ(0) = 0)
  double sum = 0;    // Σ of Simpson pieces of e^{−Φ − top}
  for (std::size_t i = 0; i < cells; ++i) {
    const double a = h * static_cast<double>(i);
    const double b = i + 1 == cells ? Y : a + h;
    const double fm = f(0.5 * (a + b)), fb = f(b);
    const double phi_m = phi + (b - a) / 24 * (5 * fa + 8 * fm - fb);
    const double phi_b = phi + (b - a) / 6 * (fa + 4 * fm + fb);
    const double hi = std::max({-phi, -phi_m, -phi_b});
    if (hi > top) {
      sum *= std::exp(top - hi);
      top = hi;
    }
    sum += (b - a) / 6 * (std::exp(-phi - top) + 4 * std::exp(-phi_m - top) + std::exp(-phi_b - top));
    phi = phi_b;
    fa = fb;
  }
  return {top + std::log(sum), top};
}

struct Quadrature1d {
  double time = nan;
  double error = nan;
  double exponent = nan;  // the largest −Φ between θ* and an absorbing end (ΔU/D)
  std::string why;        // why there is no value
};

// The exact mean first-passage time from x0, at `cells` cells. One absorbing side: reflecting
// at the other edge, absorbing at the escape boundary (reference::mfpt_reflecting, mirrored when
// the absorbing side is the left one). Both absorbing (a < x0 < b): with A the time to reach b
// when x0 is made reflecting, B the same for a, S_b = ∫_{x0}^b e^{−Φ}, S_a = ∫_a^{x0} e^{−Φ},
//   T(x0) = (S_a A + S_b B)/(S_a + S_b) = P(b first)·A + P(a first)·B,
// which is the two-absorbing formula of seeds-spec §7.2 rewritten exactly: the general solution
// of 𝓛T = −1 is T_p + C₁ + C₂ S with T_p the particular solution of zero flux at x0, and the
// two boundary conditions fix C₁ = T(x0) to this weighted mean.
template <class L, class N>
double quadrature_1d_at(const L& land, const N& noise, double lr, const std::array<Side1d, 2>& sides,
                        std::size_t cells, bool& bad) {
  const double x0 = land.minimum()[0];
  const auto right = side_diffusion(land, noise, lr, x0, 1.0, bad);
  const auto left = side_diffusion(land, noise, lr, x0, -1.0, bad);
  const double a = sides[0].absorbing ? sides[0].boundary : sides[0].edge;
  const double b = sides[1].absorbing ? sides[1].boundary : sides[1].edge;
  if (sides[0].absorbing && sides[1].absorbing) {
    const double A = reference::mfpt_reflecting(right, 0, 0, b - x0, cells);
    const double B = reference::mfpt_reflecting(left, 0, 0, x0 - a, cells);
    const double log_sb = scale_integral(right, b - x0, cells).log_s;
    const double log_sa = scale_integral(left, x0 - a, cells).log_s;
    const double p_b = 1 / (1 + std::exp(log_sb - log_sa));  // S_a/(S_a + S_b)
    const double p_a = 1 / (1 + std::exp(log_sa - log_sb));
    return p_b * A + p_a * B;
  }
  // One absorbing side, seen outwards: reflecting at the far edge (−(x0 − other edge) in y).
  const bool right_absorbs = sides[1].absorbing;
  const auto& p = right_absorbs ? right : left;
  const double far = right_absorbs ? x0 - a : b - x0;
  const double near = right_absorbs ? b - x0 : x0 - a;
  // In y the far edge sits at −far; mfpt_reflecting wants y increasing towards the absorbing end.
  return reference::mfpt_reflecting(p, -far, 0, near, cells);
}

// Where the Kolmogorov solver stops converging (kolmogorov.hpp: ΔU/D ≈ 30).
constexpr double kSolverReach = 30;

// Only the exponent: max −Φ between θ* and the absorbing ends, on 4096 cells per side.
template <class L, class N>
Quadrature1d quadrature_1d_exponent(const L& land, const N& noise, double lr, const std::array<Side1d, 2>& sides) {
  Quadrature1d q;
  bool bad = false;
  const double x0 = land.minimum()[0];
  double exponent = 0;
  for (int side = 0; side < 2; ++side) {
    if (!sides[side].absorbing) continue;
    const double dir = side == 0 ? -1.0 : 1.0;
    const auto p = side_diffusion(land, noise, lr, x0, dir, bad);
    exponent = std::max(exponent, scale_integral(p, std::abs(sides[side].boundary - x0), 4096).max_exponent);
  }
  q.exponent = bad ? nan : exponent;
  return q;
}

template <class L, class N>
Quadrature1d quadrature_1d(const L& land, const N& noise, double lr, const std::array<Side1d, 2>& sides) {
  Quadrature1d q;
  if (!sides[0].absorbing && !sides[1].absorbing) {
    q.why = "no escape set on either side of θ*";
    return q;
  }
  bool bad = false;
  q.exponent = quadrature_1d_exponent(land, noise, lr, sides).exponent;
  // Two cell counts: the finer is reported, their whole difference is the error estimate (the
  // rule is fourth order where U' and D are smooth, so this overstates the error there; it stays
  // honest where a kink of U'' between nodes lowers the order).
  constexpr std::size_t kCells = 200000;
  const double coarse = quadrature_1d_at(land, noise, lr, sides, kCells / 2, bad);
  const double fine = quadrature_1d_at(land, noise, lr, sides, kCells, bad);
  if (bad) {
    q.why = "the diffusion lr·Σ(θ)/2 is not positive everywhere between the box edges";
    return q;
  }
  if (!std::isfinite(fine) || !(fine > 0)) {
    q.why = "the quadrature overflowed";
    return q;
  }
  q.time = fine;
  q.error = std::abs(fine - coarse);
  return q;
}

// The 2-D box the solver uses: the ball's bounding square for ball escapes (everything outside
// the ball is escaped, so its edges, tangent points aside, are absorbing and the box is exactly
// large enough); else the square of half_width_2d.
template <class L, class N>
std::array<std::array<double, 2>, 2> box_2d(const L& land, const N& noise, const trial::EscapeChoice& e, double lr) {
  const auto x0 = land.minimum();
  const std::array<double, 2> w = e.kind == trial::EscapeKind::ball
                                      ? std::array<double, 2>{e.radius * 1.02, e.radius * 1.02}
                                      : half_width_2d(land, noise, e, lr);
  return {{{x0[0] - w[0], x0[1] - w[1]}, {x0[0] + w[0], x0[1] + w[1]}}};
}

// The 2-D gate theory (isotropic noise): `eyring_kramers` when the lowest point of the escape
// boundary is an index-1 saddle and every other saddle found on the boundary is higher by ≥ 3D
// (its share of the rate is then ≲ e^{−3}); `boundary_flux` when that point is not critical
// (zhu2d's crease ridge, ball and loss escapes) or several saddles share the lowest level (the
// flux integral adds their rates); nothing when find_gate_2d finds no gate.
template <class L>
reference::TheoryValue gate_theory_2d(const L& land, const trial::EscapeChoice& e, double D,
                                      const std::array<std::array<double, 2>, 2>& box) {
  reference::Surface2d s;
  s.value = [&land](const double* x) { return land.value(to_vector(land, x)); };
  s.gradient = [&land](const double* x, double* g) {
    const auto v = to_vector(land, x);
    auto gv = v;
    land.gradient(v, gv);
    g[0] = gv[0];
    g[1] = gv[1];
  };
  s.hessian = [&land](const double* x, double* h) {
    std::vector<double> hv(4);
    land.hessian(to_vector(land, x), hv);
    std::copy(hv.begin(), hv.end(), h);
  };
  s.escaped = [&land, &e](const double* x) { return escaped(land, e, to_vector(land, x)); };
  const auto x0 = land.minimum();
  const reference::Gate2d gate = reference::find_gate_2d(s, {x0[0], x0[1]}, box[0], box[1]);
  if (gate.kind == reference::GateKind::none) return {nan, ""};
  if (!(gate.barrier / D >= 3)) return {nan, ""};  // outside the activated regime
  if (gate.kind == reference::GateKind::saddle) {
    const reference::Saddle2d& z = gate.saddles.front();
    if (gate.saddles.size() == 1 || gate.saddles[1].value - z.value >= 3 * D)
      return reference::eyring_kramers_first_hitting(z.curv_unstable, z.curv_unstable * z.curv_stable,
                                                     gate.det_h_min, gate.barrier, D);
  }
  return reference::boundary_flux_first_hitting(s, gate, D);
}

template <class L, class N>
void theory_for(const L& land, const N& noise, const trial::Model& m, ReferenceColumns& out) {
  const trial::Instance& in = m.instance;
  const double lr = m.lr;
  reference::TheoryValue t{nan, ""};
  const auto& e = in.escape;
  if constexpr (std::is_same_v<N, noise::IsotropicNoise>) {
    const double D = 0.5 * lr * noise.sigma * noise.sigma;
    double barrier = nan;  // for the regime of the activated formulas
    if constexpr (std::is_same_v<L, landscape::KramersWell>) {
      if (e.kind == trial::EscapeKind::barrier) t = reference::kramers_first_hitting(land.a(), land.b(), land.barrier(), D);
      barrier = land.barrier();
    } else if constexpr (std::is_same_v<L, landscape::DoubleWell>) {
      if (e.kind == trial::EscapeKind::barrier)
        t = reference::kramers_first_hitting(land.sharpness(), -land.barrier_curvature(), land.barrier(), D);
      barrier = land.barrier();
    } else if constexpr (std::is_same_v<L, landscape::Quadratic>) {
      const auto& lam = land.eigenvalues();
      if (e.kind == trial::EscapeKind::ball && lam.size() == 1) {
        t = reference::quadratic_exit_1d(lam[0], e.radius, D);
        barrier = 0.5 * lam[0] * e.radius * e.radius;
      }
      if (e.kind == trial::EscapeKind::ball && lam.size() == 2 && lam[0] == lam[1])
        t = reference::ball_exit_2d_isotropic(lam[0], e.radius, D);
    }
    // Any other 2-D landscape and escape with one fixed data set: the gate between θ* and the
    // escape set (eyring_kramers or boundary_flux), whose barrier is the gate's.
    if (land.dim() == 2 && t.formula.empty() && !m.per_trial_data)
      t = gate_theory_2d(land, e, D, box_2d(land, noise, e, lr));
    // Report an activated formula only inside its regime: barrier / D ≥ 3 (gate_theory_2d
    // applies the same rule to the gate's barrier).
    if (t.formula == "kramers" || t.formula == "quadratic_exit") {
      if (!(barrier / D >= 3)) t.time = nan;
    }
  } else if constexpr (std::is_same_v<N, noise::PowerLawNoise> && std::is_same_v<L, landscape::Quadratic>) {
    if (e.kind == trial::EscapeKind::ball && land.dim() == 1 && noise.var_g() > 0)
      t = reference::power_law_exit(land.eigenvalues()[0], e.radius, 0.5 * lr * noise.var_g(),
                                    noise.var_h() / noise.var_g());
    // The power-law asymptote needs a basin much wider than its core (r ℓ² ≥ 10).
    if (t.formula == "power_law_asymptote" && !(noise.var_h() / noise.var_g() * e.radius * e.radius >= 10))
      t.time = nan;
  } else if constexpr (std::is_same_v<N, noise::LevyNoise> && std::is_same_v<L, landscape::Quadratic>) {
    if (e.kind == trial::EscapeKind::ball && land.dim() == 1)
      t = reference::imkeller_pavlyukevich(noise.alpha(), noise.epsilon(), e.radius, e.radius);
  }
  if (std::isfinite(t.time)) {
    out.theory_time = t.time;
    out.theory = t.formula;
  }
}

}  // namespace

ReferenceColumns compute_references(const trial::Model& m, ReferenceMethod method) {
  ReferenceColumns out{nan, nan, nan, "", ""};
  const trial::Instance& in = m.instance;
  std::visit(
      [&](const auto& land, const auto& noise) {
        using N = std::decay_t<decltype(noise)>;
        theory_for(land, noise, m, out);
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
          std::array<Side1d, 2> sides{};
          if (d == 1) {
            sides = box_1d(land, noise, in.escape, m.lr);
            p.lo = {sides[0].edge, 0};
            p.hi = {sides[1].edge, 0};
            p.start = {x0[0], 0};
            p.points = 1025;
          } else if (d == 2) {
            const auto box = box_2d(land, noise, in.escape, m.lr);
            p.lo = box[0];
            p.hi = box[1];
            p.start = {x0[0], x0[1]};
            p.points = in.escape.kind == trial::EscapeKind::ball ? 129 : 257;
          } else {
            out.why = fmt::format("{} dimensions: the solver covers 1-D and 2-D", d);
            return;
          }
          if (m.job != nullptr) p.petsc_options = m.job->reference_petsc_options;

          // In 1-D the exact quadrature replaces the solver where the solver cannot go (the
          // largest −Φ between θ* and an absorbing end, ΔU/D for constant D, above 30) or fails.
          const auto use_quadrature = [&](const std::string& reason) {
            const Quadrature1d q = quadrature_1d(land, noise, m.lr, sides);
            if (std::isfinite(q.time)) {
              out.reference_time = q.time;
              out.reference_error = q.error;
              out.why = fmt::format("reference by exact 1-D quadrature ({})", reason);
            } else {
              out.why = reason.empty() ? fmt::format("quadrature: {}", q.why)
                                       : fmt::format("{}; quadrature: {}", reason, q.why);
            }
          };
          if (d == 1 && method == ReferenceMethod::quadrature) {
            use_quadrature("requested");
            return;
          }
          if (d == 1 && method == ReferenceMethod::automatic && (sides[0].absorbing || sides[1].absorbing)) {
            const Quadrature1d probe = quadrature_1d_exponent(land, noise, m.lr, sides);
            if (probe.exponent > kSolverReach) {
              use_quadrature(fmt::format("ΔU/D = {:.1f} is beyond the Kolmogorov solver's reach, ≈ {:.0f}",
                                         probe.exponent, kSolverReach));
              return;
            }
          }
          try {
            const auto r = reference::solve_mfpt(p);
            out.reference_time = r.time;
            out.reference_error = r.error;
          } catch (const std::exception& e) {
            if (d == 1 && method == ReferenceMethod::automatic)
              use_quadrature(fmt::format("the Kolmogorov solver failed: {}", e.what()));
            else
              out.why = fmt::format("solver failed: {}", e.what());
          }
        }
      },
      in.landscape, in.noise);
  return out;
}

}  // namespace escapade::app
