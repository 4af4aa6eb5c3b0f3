#pragma once
// Closed-form (asymptotic) escape-time formulas to compare simulated mean escape times with
// (SCIENCE.md §6; reference/seeds-spec.md §3.3, §6.2, §7.1).
//
// Conventions (SCIENCE.md §1): the continuous dynamics is the Itô SDE
//   dX = −∇U(X) dt + sqrt(2 D(X)) dW          (Gaussian noise, D = η σ²/2)
//   dX = −∇U(X) dt + ε dL^α                    (symmetric α-stable noise, e^{−|u|^α} normalisation)
// Every time returned is in continuous time t = k·lr (divide by lr for steps). Lengths are in
// parameter units, D in parameter²/time, curvatures in 1/time, barriers in the units of D.
// Each function returns TheoryValue{NaN, name} where its arguments are outside the formula's
// domain (non-positive or non-finite parameters, α outside (0, 2), ...). The formulas are
// leading-order asymptotes unless the comment says "exact"; the comment states the size of the
// neglected correction.
#include <string>

namespace escapade::reference {

struct TheoryValue {
  double time;          // mean escape time in time units t = k·lr; NaN where it does not apply
  std::string formula;  // short name for summary.csv's `theory` column
};

// "kramers": mean first hitting time of the saddle from the minimum of a 1-D barrier,
//   T ≈ π / sqrt(a·b) · e^{ΔU/D},
// a = U''(minimum) > 0, b = |U''(saddle)| > 0, ΔU = barrier > 0, D > 0 constant.
// Prefactor π, not 2π: the finish line is the saddle itself, so only half of the saddle's
// Gaussian, sqrt(πD/(2b)), enters (SCIENCE.md §6, seeds-spec §7.1); the well contributes the full
// Gaussian sqrt(2πD/a). Valid for ΔU/D ≫ 1. Corrections: relative O(D/ΔU) for a potential that
// is exactly quadratic near the saddle (kramers_well: only exponentially small junction terms);
// for a smooth potential with U''' = c ≠ 0 at the saddle the half-Gaussian picks up the leading
// correction −(c/3)·sqrt(2D/(π b³)), i.e. relative O(sqrt(D/ΔU)) (a first-hitting effect; the
// 2π transition time has no such term).
TheoryValue kramers_first_hitting(double curv_min, double curv_saddle_abs, double barrier,
                                  double D);

// "quadratic_exit": mean exit time of U = h x²/2 from (−ℓ, ℓ) started at 0, constant D,
//   T ≈ sqrt(π/(2hD)) · (D/(hℓ)) · e^{ΔU/D},   ΔU = h ℓ²/2        (seeds-spec §7.1).
// Derivation: by symmetry T = (1/D)∫_0^ℓ dy e^{U(y)/D} ∫_0^y e^{−U(z)/D} dz; the inner integral is
// sqrt(πD/(2h)) up to erfc-small terms, the outer one is (D/(hℓ)) e^{q}(1 + 1/(2q) + 3/(4q²) + …)
// with q = ΔU/D. Leading order: the relative correction is +D/(hℓ²) = 1/(2q) (+3/(4q²) + …).
// Needs h, ℓ, D > 0; meaningful for q ≫ 1.
TheoryValue quadratic_exit_1d(double h, double half_width, double D);

// "power_law_asymptote": seeds-spec §3.3. dX = −hX dt + sqrt(2 D(X)) dW (Itô),
// D(x) = D0 (1 + r x²), exit from (−ℓ, ℓ) started at 0. Derivation: Φ' = −U'/D = −hx/(D0(1+rx²))
// gives Φ = −(h/(2 D0 r)) ln(1 + r x²); the speed density e^{Φ}/D = (1 + r x²)^{−κ}/D0 and the
// scale density e^{−Φ} = (1 + r x²)^{κ−1} with
//   κ = 1 + h/(2 D0 r),
// so T(ℓ) = ∫_0^ℓ (1 + r y²)^{κ−1} ∫_0^y (1 + r z²)^{−κ}/D0 dz dy. For large ℓ the inner integral
// tends to I_∞ = (1/D0) r^{−1/2} (√π/2) Γ(κ−½)/Γ(κ) and (1 + r y²)^{κ−1} → (r y²)^{κ−1}, so
//   T ≈ I_∞ r^{κ−1} ℓ^{2κ−1} / (2κ−1),
// polynomial in ΔU = hℓ²/2: T ∝ ΔU^{κ−½}. Relative corrections:
// (κ−1)(2κ−1)/((2κ−3) r ℓ²) for κ > 3/2 (from (1 + 1/(r y²))^{κ−1}), and O(ℓ^{1−2κ} ln ℓ) from
// the tail of the inner integral; for 1 < κ < 3/2 the first one becomes O((r ℓ²)^{1/2−κ}), which
// decays more slowly. Needs h, ℓ, D0, r > 0; meaningful for r ℓ² ≫ 1 (r = 0 is quadratic_exit_1d).
// SGD scaling (seeds-spec §3.2): D0 = η σ_g²/(2B), D0 r = η σ_H/(2B) give κ = 1 + B h/(η σ_H).
TheoryValue power_law_exit(double h, double half_width, double D0, double r);

// c_α = Γ(1+α) sin(πα/2)/π, the constant of the Lévy measure ν(dy) = c_α |y|^{−1−α} dy of a
// standard symmetric α-stable variable (characteristic function e^{−|u|^α}). c_1 = 1/π; c_α → 0
// as α → 2 (Brownian limit, no jumps). NaN outside 0 < α < 2.
double stable_levy_measure_constant(double alpha);

// "imkeller_pavlyukevich": mean first exit time of dX = −U'(X) dt + ε dL^α from a basin
// (−left, right) around the minimum 0, small ε (Imkeller & Pavlyukevich 2006; seeds-spec §6.2):
// the exit is a single big jump, with rate λ(ε) = ν(R ∖ [−left/ε, right/ε]) =
// (c_α/α) ε^α (left^{−α} + right^{−α}), so
//   E τ ≈ 1/λ = α / (c_α ε^α (left^{−α} + right^{−α})),
// symmetric basin of half-width w: α w^α / (2 c_α ε^α). Independent of the depth and curvature of
// the basin to leading order; relative corrections vanish as ε → 0. Only for 0 < α < 2 (c_α → 0
// as α → 2, where the exit is Kramers-like instead): NaN at α ≥ 2, α ≤ 0, or ε, left, right ≤ 0.
TheoryValue imkeller_pavlyukevich(double alpha, double epsilon, double left, double right);

// "ball_exit_2d": exact mean exit time from the disc |x| < R of the 2-D isotropic
// Ornstein–Uhlenbeck process dX = −hX dt + sqrt(2D) dW (U = h|x|²/2), started at the centre.
// The radial equation D(T'' + T'/ρ) − hρT' = −1, T'(0) = 0, T(R) = 0 integrates once to
// ρ e^{−hρ²/(2D)} T'(ρ) = −(1/h)(1 − e^{−hρ²/(2D)}), so
//   T(0) = (1/h) ∫_0^R (e^{hρ²/(2D)} − 1)/ρ dρ = (1/(2h)) ∫_0^Q (e^u − 1)/u du,  Q = hR²/(2D)
//        = (1/(2h)) (Ei(Q) − γ − ln Q).
// Computed to ~1e-13 relative: the power series Σ u^n/(n·n!) on [0, min(Q, 2)], adaptive Simpson
// on the rest, with e^{Q} factored out of the integrand (no overflow in the quadrature; T itself
// is +inf only when it exceeds the double range, Q ≳ 700). Limits: Q → 0 gives R²/(4D) (free
// diffusion, R²/(2dD) with d = 2); Q ≫ 1 gives e^{Q}/(2hQ)(1 + 1/Q + 2/Q² + …). Needs h, R, D > 0.
TheoryValue ball_exit_2d_isotropic(double h, double R, double D);

}  // namespace escapade::reference
