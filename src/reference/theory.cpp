#include "escapade/reference/theory.hpp"

#include <cmath>
#include <limits>
#include <numbers>

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

}  // namespace escapade::reference
