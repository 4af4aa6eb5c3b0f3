#include "escapade/reference/theory.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

namespace escapade::reference {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool positive(double x) { return std::isfinite(x) && x > 0; }

// Adaptive Simpson with Richardson extrapolation, to absolute tolerance `tol`.
template <class F>
double adaptive_simpson(const F& f, double a, double b, double fa, double fm, double fb,
                        double whole, double tol, int depth) {
  const double m = 0.5 * (a + b);
  const double lm = 0.5 * (a + m), rm = 0.5 * (m + b);
  const double flm = f(lm), frm = f(rm);
  const double left = (m - a) / 6 * (fa + 4 * flm + fm);
  const double right = (b - m) / 6 * (fm + 4 * frm + fb);
  const double delta = left + right - whole;
  if (depth <= 0 || std::abs(delta) <= 15 * tol) return left + right + delta / 15;
  return adaptive_simpson(f, a, m, fa, flm, fm, left, tol / 2, depth - 1) +
         adaptive_simpson(f, m, b, fm, frm, fb, right, tol / 2, depth - 1);
}

template <class F>
double integrate(const F& f, double a, double b, double tol) {
  if (!(b > a)) return 0;
  const double fa = f(a), fm = f(0.5 * (a + b)), fb = f(b);
  return adaptive_simpson(f, a, b, fa, fm, fb, (b - a) / 6 * (fa + 4 * fm + fb), tol, 50);
}

// Σ_{n≥1} x^n/(n·n!) = ∫_0^x (e^u − 1)/u du; all terms positive, so no cancellation.
double ein_series(double x) {
  double term = 1;  // x^n/n!
  double sum = 0;
  for (int n = 1; n < 200; ++n) {
    term *= x / n;
    const double add = term / n;
    sum += add;
    if (add <= 1e-17 * sum) break;
  }
  return sum;
}

}  // namespace

TheoryValue kramers_first_hitting(double curv_min, double curv_saddle_abs, double barrier,
                                  double D) {
  TheoryValue v{kNaN, "kramers"};
  if (!positive(curv_min) || !positive(curv_saddle_abs) || !positive(barrier) || !positive(D))
    return v;
  v.time = std::numbers::pi / std::sqrt(curv_min * curv_saddle_abs) * std::exp(barrier / D);
  return v;
}

TheoryValue quadratic_exit_1d(double h, double half_width, double D) {
  TheoryValue v{kNaN, "quadratic_exit"};
  if (!positive(h) || !positive(half_width) || !positive(D)) return v;
  const double q = h * half_width * half_width / (2 * D);
  v.time = std::sqrt(std::numbers::pi / (2 * h * D)) * (D / (h * half_width)) * std::exp(q);
  return v;
}

TheoryValue power_law_exit(double h, double half_width, double D0, double r) {
  TheoryValue v{kNaN, "power_law_asymptote"};
  if (!positive(h) || !positive(half_width) || !positive(D0) || !positive(r)) return v;
  const double kappa = 1 + h / (2 * D0 * r);
  // I_∞ = (1/D0) r^{−1/2} (√π/2) Γ(κ−½)/Γ(κ), in logs (κ can be large).
  const double log_i_inf = -std::log(D0) - 0.5 * std::log(r) +
                           0.5 * std::log(std::numbers::pi) - std::log(2.0) +
                           std::lgamma(kappa - 0.5) - std::lgamma(kappa);
  const double log_t = log_i_inf + (kappa - 1) * std::log(r) +
                       (2 * kappa - 1) * std::log(half_width) - std::log(2 * kappa - 1);
  v.time = std::exp(log_t);
  return v;
}

double stable_levy_measure_constant(double alpha) {
  if (!(alpha > 0 && alpha < 2)) return kNaN;
  return std::tgamma(1 + alpha) * std::sin(std::numbers::pi * alpha / 2) / std::numbers::pi;
}

TheoryValue imkeller_pavlyukevich(double alpha, double epsilon, double left, double right) {
  TheoryValue v{kNaN, "imkeller_pavlyukevich"};
  const double c = stable_levy_measure_constant(alpha);
  if (std::isnan(c) || !positive(epsilon) || !positive(left) || !positive(right)) return v;
  v.time = alpha / (c * std::pow(epsilon, alpha) *
                    (std::pow(left, -alpha) + std::pow(right, -alpha)));
  return v;
}

TheoryValue ball_exit_2d_isotropic(double h, double R, double D) {
  TheoryValue v{kNaN, "ball_exit_2d"};
  if (!positive(h) || !positive(R) || !positive(D)) return v;
  const double Q = h * R * R / (2 * D);
  // T = (1/(2h)) ∫_0^Q (e^u − 1)/u du.
  constexpr double kSeriesEnd = 2;
  if (Q <= kSeriesEnd) {
    v.time = ein_series(Q) / (2 * h);
    return v;
  }
  if (Q > 1000) {
    // Asymptotic series of Ei: ∫_0^Q (e^u − 1)/u du = (e^Q/Q)(1 + 1/Q + 2/Q² + 6/Q³ + 24/Q⁴ +
    // 120/Q⁵ + …) − γ − ln Q; truncation error 720/Q⁶ < 1e-15, the rest e^{−Q}-small. Here T
    // exceeds e^{Q}/(2hQ), so it is normally +inf; computed in logs for completeness.
    const double x = 1 / Q;
    const double series = 1 + x * (1 + x * (2 + x * (6 + x * (24 + x * 120))));
    v.time = std::exp(Q - std::log(2 * h * Q) + std::log(series));
    return v;
  }
  // G = e^{−Q} ∫_0^Q (e^u − 1)/u du: the series part scaled by e^{−Q}, plus adaptive Simpson of
  // (e^{u−Q} − e^{−Q})/u on [2, Q] (no cancellation there, since e^u − 1 ≥ e² − 1).
  const double scale = std::exp(-Q);
  const auto g = [Q, scale](double u) { return (std::exp(u - Q) - scale) / u; };
  // G is about 1/Q (at least ∫_{Q−1}^{Q} g ≥ (1 − e^{−1} − e^{−Q})/Q for Q ≥ 3), so an absolute
  // tolerance of 1e-14·0.5/Q, shared by the pieces, is a relative one of about 1e-14. The range is
  // cut into pieces of length ≤ 64 (the integrand's e-folding length is 1 near Q and the far
  // pieces contribute little).
  const int pieces = static_cast<int>(std::ceil((Q - kSeriesEnd) / 64));
  const double tol = 1e-14 * 0.5 / Q / pieces;
  double G = ein_series(kSeriesEnd) * scale;
  for (int i = 0; i < pieces; ++i) {
    const double a = kSeriesEnd + 64.0 * i;
    const double b = (i + 1 == pieces) ? Q : a + 64;
    G += integrate(g, a, b, tol);
  }
  // T = e^{Q} G/(2h), in logs so that only a result beyond the double range is +inf.
  v.time = std::exp(Q + std::log(G) - std::log(2 * h));
  return v;
}

TheoryValue eyring_kramers_first_hitting(double curv_unstable_abs, double det_h_saddle_abs,
                                         double det_h_min, double barrier, double D) {
  TheoryValue v{kNaN, "eyring_kramers"};
  if (!positive(curv_unstable_abs) || !positive(det_h_saddle_abs) || !positive(det_h_min) ||
      !positive(barrier) || !positive(D))
    return v;
  v.time = std::numbers::pi / curv_unstable_abs * std::sqrt(det_h_saddle_abs / det_h_min) *
           std::exp(barrier / D);
  return v;
}

namespace {

using Vec2 = std::array<double, 2>;

constexpr int kRays = 720;
constexpr int kMarch = 256;
constexpr int kHalvings = 60;

// Eigenvalues (ascending) and unit eigenvectors of the symmetric [[a, b], [b, c]].
struct Eigen2 {
  double l1, l2;
  Vec2 v1, v2;
};

Eigen2 eigen2(const double* h) {
  const double a = h[0], b = 0.5 * (h[1] + h[2]), c = h[3];
  const double mean = 0.5 * (a + c), r = std::hypot(0.5 * (a - c), b);
  Eigen2 e{mean - r, mean + r, {1, 0}, {0, 1}};
  if (r > 0) {
    // The eigenvector of l1 from whichever row of (H − l1 I) is larger (no cancellation).
    Vec2 v = std::abs(a - e.l1) >= std::abs(c - e.l1) ? Vec2{-b, a - e.l1} : Vec2{c - e.l1, -b};
    const double n = std::hypot(v[0], v[1]);
    e.v1 = {v[0] / n, v[1] / n};
    e.v2 = {-e.v1[1], e.v1[0]};
  }
  return e;
}

double norm(const Vec2& v) { return std::hypot(v[0], v[1]); }
double dot(const Vec2& a, const Vec2& b) { return a[0] * b[0] + a[1] * b[1]; }
Vec2 axpy(const Vec2& x, double t, const Vec2& d) { return {x[0] + t * d[0], x[1] + t * d[1]}; }

bool is_escaped(const Surface2d& s, const Vec2& x) { return s.escaped(x.data()); }
double value_at(const Surface2d& s, const Vec2& x) { return s.value(x.data()); }
Vec2 gradient_at(const Surface2d& s, const Vec2& x) {
  Vec2 g{};
  s.gradient(x.data(), g.data());
  return g;
}

// Where a ray from m in direction (cos φ, sin φ) first meets the escape set.
struct Ray {
  bool hit = false;       // met the escape set inside the box
  bool monotone = false;  // U did not decrease along the march up to the boundary
  Vec2 q{};               // the last unescaped point (on the boundary to ~1e-16 relative)
  double u = kNaN;        // U(q)
};

class Tracer {
 public:
  Tracer(const Surface2d& s, const Vec2& m, const Vec2& lo, const Vec2& hi)
      : s_(s), m_(m), lo_(lo), hi_(hi), u_m_(value_at(s, m)) {}

  Ray trace(double phi) const {
    const Vec2 dir{std::cos(phi), std::sin(phi)};
    double edge = std::numeric_limits<double>::infinity();
    for (int i = 0; i < 2; ++i) {
      if (dir[i] > 0) edge = std::min(edge, (hi_[i] - m_[i]) / dir[i]);
      if (dir[i] < 0) edge = std::min(edge, (lo_[i] - m_[i]) / dir[i]);
    }
    Ray r;
    const double step = edge / kMarch;
    // U may fall only by rounding: 1e-12 of the magnitudes involved.
    double prev = u_m_;
    bool monotone = true;
    for (int k = 1; k <= kMarch; ++k) {
      const Vec2 x = axpy(m_, step * k, dir);
      if (is_escaped(s_, x)) {
        double in = step * (k - 1), out = step * k;
        for (int h = 0; h < kHalvings; ++h) {
          const double mid = 0.5 * (in + out);
          (is_escaped(s_, axpy(m_, mid, dir)) ? out : in) = mid;
        }
        r.hit = true;
        r.q = axpy(m_, in, dir);
        r.u = value_at(s_, r.q);
        r.monotone = monotone && r.u >= prev - 1e-12 * (std::abs(prev) + std::abs(u_m_) + 1);
        return r;
      }
      const double u = value_at(s_, x);
      if (u < prev - 1e-12 * (std::abs(prev) + std::abs(u_m_) + 1)) monotone = false;
      prev = u;
    }
    return r;
  }

  const Vec2& m() const { return m_; }

 private:
  const Surface2d& s_;
  Vec2 m_, lo_, hi_;
  double u_m_;
};

// Golden-section search for the lowest boundary point with angle in [a, b].
std::pair<double, Ray> lowest_between(const Tracer& t, double a, double b) {
  constexpr double g = 0.6180339887498949;
  double x1 = b - g * (b - a), x2 = a + g * (b - a);
  Ray r1 = t.trace(x1), r2 = t.trace(x2);
  const auto u = [](const Ray& r) { return r.hit ? r.u : std::numeric_limits<double>::infinity(); };
  for (int it = 0; it < 80 && b - a > 1e-13; ++it) {
    if (u(r1) <= u(r2)) {
      b = x2;
      x2 = x1;
      r2 = r1;
      x1 = b - g * (b - a);
      r1 = t.trace(x1);
    } else {
      a = x1;
      x1 = x2;
      r1 = r2;
      x2 = a + g * (b - a);
      r2 = t.trace(x2);
    }
  }
  return u(r1) <= u(r2) ? std::pair{x1, r1} : std::pair{x2, r2};
}

// The outward normal of the boundary at the ray angle φ, from boundary points at φ ± dφ.
Vec2 outward_normal(const Tracer& t, double phi, const Vec2& q, double dphi) {
  const Ray a = t.trace(phi - dphi), b = t.trace(phi + dphi);
  if (!a.hit || !b.hit) {
    const Vec2 r{q[0] - t.m()[0], q[1] - t.m()[1]};
    const double n = norm(r);
    return {r[0] / n, r[1] / n};
  }
  Vec2 n{b.q[1] - a.q[1], -(b.q[0] - a.q[0])};
  const double len = norm(n);
  n = {n[0] / len, n[1] / len};
  if (dot(n, {q[0] - t.m()[0], q[1] - t.m()[1]}) < 0) n = {-n[0], -n[1]};
  return n;
}

// Newton's method on ∇U = 0 from x; returns whether it converged (|∇U| ≤ gtol).
bool newton_critical_point(const Surface2d& s, Vec2& x, double gtol) {
  Vec2 g = gradient_at(s, x);
  for (int it = 0; it < 100; ++it) {
    if (norm(g) <= gtol) return true;
    double h[4];
    s.hessian(x.data(), h);
    const double det = h[0] * h[3] - h[1] * h[2];
    if (!(std::abs(det) > 0) || !std::isfinite(det)) return false;
    const Vec2 step{-(h[3] * g[0] - h[1] * g[1]) / det, -(-h[2] * g[0] + h[0] * g[1]) / det};
    double alpha = 1;
    Vec2 xn{};
    Vec2 gn{};
    for (;;) {
      xn = axpy(x, alpha, step);
      gn = gradient_at(s, xn);
      if (norm(gn) < norm(g)) break;
      alpha *= 0.5;
      if (alpha < 1e-8) return false;
    }
    x = xn;
    g = gn;
  }
  return norm(g) <= gtol;
}

// Where the line x + t u (|t| ≤ span) crosses the boundary, unescaped at −span and escaped at
// +span; NaN otherwise.
double crossing_along(const Surface2d& s, const Vec2& x, const Vec2& u, double span) {
  if (is_escaped(s, axpy(x, -span, u)) || !is_escaped(s, axpy(x, span, u))) return kNaN;
  double in = -span, out = span;
  for (int h = 0; h < kHalvings; ++h) {
    const double mid = 0.5 * (in + out);
    (is_escaped(s, axpy(x, mid, u)) ? out : in) = mid;
  }
  return 0.5 * (in + out);
}

}  // namespace

Gate2d find_gate_2d(const Surface2d& surface, std::array<double, 2> minimum,
                    std::array<double, 2> lo, std::array<double, 2> hi) {
  Gate2d gate;
  gate.minimum = minimum;
  gate.lo = lo;
  gate.hi = hi;
  if (!surface.value || !surface.gradient || !surface.hessian || !surface.escaped) {
    gate.why = "the surface is incomplete";
    return gate;
  }
  if (!(lo[0] < minimum[0] && minimum[0] < hi[0] && lo[1] < minimum[1] && minimum[1] < hi[1])) {
    gate.why = "the minimum is not inside the box";
    return gate;
  }
  if (is_escaped(surface, minimum)) {
    gate.why = "the minimum is in the escape set";
    return gate;
  }
  gate.u_min = value_at(surface, minimum);
  double hm[4];
  surface.hessian(minimum.data(), hm);
  const Eigen2 em = eigen2(hm);
  if (!(em.l1 > 0)) {
    gate.why = "the Hessian at the minimum is not positive definite";
    return gate;
  }
  gate.det_h_min = em.l1 * em.l2;

  const Tracer tracer(surface, minimum, lo, hi);
  std::vector<Ray> rays(kRays);
  const double dphi = 2 * std::numbers::pi / kRays;
  for (int k = 0; k < kRays; ++k) rays[k] = tracer.trace(dphi * k);
  int lowest = -1;
  for (int k = 0; k < kRays; ++k)
    if (rays[k].hit && (lowest < 0 || rays[k].u < rays[lowest].u)) lowest = k;
  if (lowest < 0) {
    gate.why = "no ray from the minimum meets the escape set inside the box";
    return gate;
  }

  // Local minima of U along the boundary (rays that hit, not above a hitting neighbour), lowest
  // first; the global one is refined into `point`.
  std::vector<int> local;
  for (int k = 0; k < kRays; ++k) {
    const Ray& r = rays[k];
    const Ray& a = rays[(k + kRays - 1) % kRays];
    const Ray& b = rays[(k + 1) % kRays];
    if (r.hit && (!a.hit || r.u <= a.u) && (!b.hit || r.u < b.u)) local.push_back(k);
  }
  std::sort(local.begin(), local.end(), [&](int a, int b) { return rays[a].u < rays[b].u; });
  if (local.size() > 8) local.resize(8);

  auto [phi_star, star] = lowest_between(tracer, dphi * (lowest - 1), dphi * (lowest + 1));
  if (!star.hit || rays[lowest].u < star.u) {
    phi_star = dphi * lowest;
    star = rays[lowest];
  }
  gate.point = star.q;
  gate.barrier = star.u - gate.u_min;
  const double dist = norm({star.q[0] - minimum[0], star.q[1] - minimum[1]});
  const Vec2 n_star = outward_normal(tracer, phi_star, star.q, 1e-6);
  {
    // The slope from the inside, a hair inside the boundary.
    const Vec2 g = gradient_at(surface, axpy(star.q, -1e-9 * dist, n_star));
    gate.slope = dot(g, n_star);
  }

  // Saddles by Newton from each local minimum of U along the boundary.
  const double gtol = 1e-9 * em.l2 * dist;
  for (int k : local) {
    const Ray r_k = lowest_between(tracer, dphi * (k - 1), dphi * (k + 1)).second;
    if (!r_k.hit) continue;
    Vec2 z = r_k.q;
    if (!newton_critical_point(surface, z, gtol)) continue;
    double hz[4];
    surface.hessian(z.data(), hz);
    const Eigen2 ez = eigen2(hz);
    if (!(ez.l1 < 0 && ez.l2 > 0)) continue;
    const double dz = norm({z[0] - minimum[0], z[1] - minimum[1]});
    if (!(dz > 0)) continue;
    Vec2 u = ez.v1;
    const Vec2 v = ez.v2;
    const double delta = 1e-5 * dz;
    const bool plus = is_escaped(surface, axpy(z, delta, u));
    const bool minus = is_escaped(surface, axpy(z, -delta, u));
    if (plus == minus) continue;  // not on the boundary
    if (minus) u = {-u[0], -u[1]};
    const double eps = 1e-3 * dz;
    const double tp = crossing_along(surface, axpy(z, eps, v), u, 4 * eps);
    const double tm = crossing_along(surface, axpy(z, -eps, v), u, 4 * eps);
    if (!(std::abs(tp - tm) / (2 * eps) <= 0.1)) continue;  // not tangent to the separatrix
    bool duplicate = false;
    for (const Saddle2d& o : gate.saddles)
      duplicate = duplicate || norm({o.point[0] - z[0], o.point[1] - z[1]}) <= 1e-6 * dz;
    if (!duplicate) gate.saddles.push_back({z, value_at(surface, z), -ez.l1, ez.l2});
  }
  std::sort(gate.saddles.begin(), gate.saddles.end(),
            [](const Saddle2d& a, const Saddle2d& b) { return a.value < b.value; });

  if (!gate.saddles.empty() &&
      gate.saddles.front().value <= star.u + 1e-8 * std::abs(gate.barrier)) {
    gate.kind = GateKind::saddle;
    gate.point = gate.saddles.front().point;
    gate.barrier = gate.saddles.front().value - gate.u_min;
    gate.slope = 0;
    return gate;
  }
  if (!star.monotone) {
    gate.why = "U is not monotone along the way from the minimum to the lowest point of the "
               "escape boundary: the escape set lies beyond a higher ridge";
    return gate;
  }
  // A slope at rounding level (∇U ≈ 0 there) is a critical point, not a boundary gate.
  if (!(gate.slope > 1e-6 * em.l2 * dist)) {
    gate.why = "the lowest point of the escape boundary is critical but no index-1 saddle whose "
               "separatrix is the boundary was found there";
    return gate;
  }
  gate.kind = GateKind::boundary;
  return gate;
}

TheoryValue boundary_flux_first_hitting(const Surface2d& surface, const Gate2d& gate, double D) {
  TheoryValue v{kNaN, "boundary_flux"};
  if (gate.kind == GateKind::none || !positive(D) || !positive(gate.det_h_min) ||
      !positive(gate.barrier))
    return v;
  const Tracer tracer(surface, gate.minimum, gate.lo, gate.hi);
  const double u_gate = gate.u_min + gate.barrier;
  constexpr double kCut = 40;  // weights below e^{−40} are dropped

  // The inward normal line of q: s_end, where the exponent (U(q − s n) − U(q))/D falls below −40,
  // where U along the line stops falling (beyond, the line climbs the well's far side and the
  // 1-D picture of the layer no longer applies; the weight there is ≤ e^{−(U(q) − U*)/D}), or
  // s_max; and the layer thickness s_1, where the exponent first falls below −1. `rises`: U goes
  // above U(q) just inside q (q is then not the top of its normal line).
  struct Line {
    double s_end, s_1;
    bool rises;
  };
  const auto inward_line = [&](const Vec2& q, const Vec2& n, double s_max) {
    const double uq = value_at(surface, q);
    Line line{s_max, s_max, false};
    // March on a geometric grid from s_max/2^20, 8 points per doubling.
    double s = s_max * std::ldexp(1.0, -20), prev = 0;
    bool layer = false;
    for (int i = 0; i <= 160 && s < s_max; ++i, s *= std::exp2(0.125)) {
      const double e = (value_at(surface, axpy(q, -s, n)) - uq) / D;
      if (e > 1e-9) line.rises = true;
      if (!layer && e < -1) {
        line.s_1 = s;
        layer = true;
      }
      // The fall has stopped once U rises again after a fall beyond rounding (at a separatrix
      // the first steps fall only quadratically, below rounding).
      if (e < -kCut || (prev < -1e-6 && e > prev)) {
        line.s_end = s;
        break;
      }
      prev = std::min(prev, e);
    }
    return line;
  };
  // I(q) = ∫_0^{s_end} e^{(U(q − s n) − U(q))/D} / (1 − κ s) ds with κ the boundary's curvature at
  // q (> 0 where the unescaped side is convex): 1 − κ s is the Jacobian of (σ, s) ↦ q(σ) − s n(σ),
  // the layer's cross-section shrinking inwards. Stops halfway to the centre of curvature.
  const auto normal_integral = [&](const Vec2& q, const Vec2& n, double kappa, double s_end) {
    const double uq = value_at(surface, q);
    if (kappa > 0) s_end = std::min(s_end, 0.5 / kappa);
    const auto f = [&](double s) {
      return std::exp(std::min((value_at(surface, axpy(q, -s, n)) - uq) / D, 700.0)) / (1 - kappa * s);
    };
    constexpr int kPanels = 64;
    double rough = 0;
    for (int i = 0; i < kPanels; ++i) {
      const double a = s_end * i / kPanels, b = s_end * (i + 1) / kPanels;
      rough += (b - a) / 6 * (f(a) + 4 * f(0.5 * (a + b)) + f(b));
    }
    return integrate(f, 0.0, s_end, 1e-5 * rough);
  };

  // J on K equally spaced angles: Σ D w_k / I_k · |q_{k+1} − q_{k−1}|/2.
  std::vector<Ray> rays;
  const auto flux_on = [&](int K, bool& bad) {
    double j = 0;
    std::vector<double> parts(K, 0.0);
    std::vector<char> rising(K, 0);
    for (int k = 0; k < K; ++k) {
      const Ray& r = rays[k];
      if (!r.hit) continue;
      const double w_exp = (r.u - u_gate) / D;
      if (w_exp > kCut) continue;
      const Ray& a = rays[(k + K - 1) % K];
      const Ray& b = rays[(k + 1) % K];
      const Vec2 qa = a.hit ? a.q : r.q, qb = b.hit ? b.q : r.q;
      Vec2 n{qb[1] - qa[1], -(qb[0] - qa[0])};
      const double chord = norm(n);
      if (!(chord > 0)) continue;
      n = {n[0] / chord, n[1] / chord};
      const Vec2 rq{r.q[0] - gate.minimum[0], r.q[1] - gate.minimum[1]};
      if (dot(n, rq) < 0) n = {-n[0], -n[1]};
      const double s_max = dot(n, rq);
      if (!(s_max > 0)) continue;
      const Line line = inward_line(r.q, n, s_max);
      // Curvature (Menger) through q_k and the nearest boundary points on either side at least
      // the layer thickness s_1 away: the layer averages the boundary's features below s_1 (the
      // corners where zhu2d's median sample changes, say).
      double kappa = 0;
      {
        int lo = k, hi = k;
        const auto far_enough = [&](int i) {
          const Ray& o = rays[(i % K + K) % K];
          return !o.hit || norm({o.q[0] - r.q[0], o.q[1] - r.q[1]}) >= line.s_1;
        };
        while (k - lo < K / 4 && !far_enough(lo)) --lo;
        while (hi - k < K / 4 && !far_enough(hi)) ++hi;
        const Ray& pa = rays[(lo % K + K) % K];
        const Ray& pb = rays[(hi % K + K) % K];
        if (pa.hit && pb.hit && lo != k && hi != k) {
          const Vec2 u{r.q[0] - pa.q[0], r.q[1] - pa.q[1]}, w{pb.q[0] - pa.q[0], pb.q[1] - pa.q[1]};
          const double cross = u[0] * w[1] - u[1] * w[0];
          kappa = 2 * std::abs(cross) / (norm(u) * norm(w) * norm({pb.q[0] - r.q[0], pb.q[1] - r.q[1]}));
          const Vec2 bulge{r.q[0] - 0.5 * (pa.q[0] + pb.q[0]), r.q[1] - 0.5 * (pa.q[1] + pb.q[1])};
          if (dot(bulge, n) < 0) kappa = -kappa;
          if (!std::isfinite(kappa)) kappa = 0;
        }
      }
      const double I = normal_integral(r.q, n, kappa, line.s_end);
      const bool rises = line.rises;
      // The trapezoid's arc-length weight, half the chord (one-sided where a neighbour missed).
      parts[k] = D * std::exp(-w_exp) / I * (0.5 * chord);
      rising[k] = rises ? 1 : 0;
      j += parts[k];
    }
    // Where U rises inwards the layer picture fails; such points may carry at most 1e-4 of J.
    double rising_share = 0;
    for (int k = 0; k < K; ++k)
      if (rising[k]) rising_share += parts[k];
    if (rising_share > 1e-4 * j) bad = true;
    return j;
  };

  int K = 1024;
  rays.resize(K);
  for (int k = 0; k < K; ++k) rays[k] = tracer.trace(2 * std::numbers::pi * k / K);
  bool bad = false;
  double j = flux_on(K, bad);
  for (K = 2048; K <= 32768; K *= 2) {
    std::vector<Ray> finer(K);
    for (int k = 0; k < K; ++k)
      finer[k] = (k % 2 == 0) ? rays[k / 2] : tracer.trace(2 * std::numbers::pi * k / K);
    rays = std::move(finer);
    bad = false;
    const double jn = flux_on(K, bad);
    const bool done = std::abs(jn - j) <= 1e-5 * jn;
    j = jn;
    if (done) break;
  }
  if (bad || !(j > 0)) return v;
  const double population = 2 * std::numbers::pi * D / std::sqrt(gate.det_h_min);
  v.time = std::exp(std::log(population / j) + gate.barrier / D);
  return v;
}

}  // namespace escapade::reference
