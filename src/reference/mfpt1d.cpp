#include "escapade/reference/mfpt1d.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "escapade/core/error.hpp"

namespace escapade::reference {

namespace {

// Φ' = −U'/D and 1/D at one point: everything the quadrature needs from the model there.
struct Point {
  double x;
  double phi_prime;
  double inv_d;
};

Point evaluate(const Diffusion1d& p, double x) {
  const double d = p.D(x);
  return {x, -p.dU(x) / d, 1 / d};
}

// Advances J across one cell [a, b] (h = b − a, midpoint m) and returns ∫_a^b J dy.
//  * Φ(b) − Φ(a) by Simpson; Φ(m) − Φ(a) by the three-point rule (h/24)(5f_a + 8f_m − f_b),
//    locally O(h⁴) and never accumulated (only J(m) uses it).
//  * J(b) = e^{−(Φ(b)−Φ(a))} J(a) + Simpson of e^{Φ(z)−Φ(b)}/D(z) over [a, b].
//  * J(m) = e^{−(Φ(m)−Φ(a))} J(a) + the three-point rule for e^{Φ(z)−Φ(m)}/D(z) over [a, m].
//  * ∫_a^b J by Simpson from J(a), J(m), J(b).
// Each exponent is a difference of Φ within one cell, so nothing overflows that the answer
// itself would not. The two O(h⁴) local rules enter the total with weight h: fourth order overall.
double advance(const Point& a, const Point& m, const Point& b, double& j) {
  const double h = b.x - a.x;
  const double dphi_ab = h / 6 * (a.phi_prime + 4 * m.phi_prime + b.phi_prime);
  const double dphi_am = h / 24 * (5 * a.phi_prime + 8 * m.phi_prime - b.phi_prime);
  const double dphi_mb = dphi_ab - dphi_am;
  const double e_ab = std::exp(-dphi_ab);  // e^{Φ(a)−Φ(b)}
  const double e_am = std::exp(-dphi_am);  // e^{Φ(a)−Φ(m)}
  const double e_mb = std::exp(-dphi_mb);  // e^{Φ(m)−Φ(b)}

  const double j_a = j;
  const double j_b = e_ab * j_a + h / 6 * (e_ab * a.inv_d + 4 * e_mb * m.inv_d + b.inv_d);
  const double j_m = e_am * j_a + h / 24 * (5 * e_am * a.inv_d + 8 * m.inv_d - b.inv_d / e_mb);
  j = j_b;
  return h / 6 * (j_a + 4 * j_m + j_b);
}

// T(x0) on the piecewise-uniform grid whose segment ends are `breaks` (increasing, first = lo,
// last = hi, x0 one of them). Segment k gets its share of `cells` by length, at least one cell.
double mfpt_on_segments(const Diffusion1d& p, const std::vector<double>& breaks, double x0,
                        std::size_t cells) {
  const double length = breaks.back() - breaks.front();
  double j = 0;  // J(lo) = 0: nothing has entered through the reflecting end
  double t = 0;
  for (std::size_t k = 0; k + 1 < breaks.size(); ++k) {
    const double x_lo = breaks[k];
    const double x_hi = breaks[k + 1];
    if (!(x_hi > x_lo)) continue;
    const auto n = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(static_cast<double>(cells) * (x_hi - x_lo) / length)));
    const double h = (x_hi - x_lo) / static_cast<double>(n);
    const bool counts = x_lo >= x0;  // x0 is a break, so a segment is wholly on one side
    Point a = evaluate(p, x_lo);
    for (std::size_t i = 0; i < n; ++i) {
      // Nodes from the segment start, not by accumulation; the last node is exactly x_hi.
      const double xb = i + 1 == n ? x_hi : x_lo + static_cast<double>(i + 1) * h;
      const Point m = evaluate(p, 0.5 * (a.x + xb));
      const Point b = evaluate(p, xb);
      const double cell_integral = advance(a, m, b, j);
      if (counts) t += cell_integral;
      a = b;
    }
  }
  return t;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw ConfigError("reference::mfpt1d: " + what);
}

}  // namespace

double mfpt_reflecting(const Diffusion1d& p, double lo, double x0, double hi, std::size_t cells) {
  require(static_cast<bool>(p.dU) && static_cast<bool>(p.D), "U' and D must both be given");
  require(std::isfinite(lo) && std::isfinite(hi) && lo < hi, "need finite lo < hi");
  require(lo <= x0 && x0 <= hi, "x0 must lie in [lo, hi]");
  require(cells >= 1, "need at least one cell");
  return mfpt_on_segments(p, {lo, x0, hi}, x0, cells);
}

double kramers_well_mfpt(double a, double b, double barrier, double D, double boundary,
                         std::size_t cells) {
  require(a > 0 && b > 0 && barrier > 0 && D > 0,
          "kramers_well needs a > 0, b > 0, barrier > 0 and D > 0");
  require(std::isfinite(boundary) && boundary > 0, "the boundary must lie right of the minimum 0");
  require(cells >= 1, "need at least one cell");
  const double s = std::sqrt(2 * barrier / (a * (1 + a / b)));
  const double x_b = s + a * s / b;
  const double lo = -std::sqrt(2 * (barrier + 40 * D) / a);
  const Diffusion1d p{
      [=](double x) { return x <= s ? a * x : -b * (x - x_b); },
      [=](double) { return D; },
  };
  // U'' jumps at the junction s; making s a grid node keeps every cell smooth (fourth order).
  std::vector<double> breaks{lo, 0.0};
  if (s < boundary) breaks.push_back(s);
  breaks.push_back(boundary);
  return mfpt_on_segments(p, breaks, 0.0, cells);
}

}  // namespace escapade::reference
