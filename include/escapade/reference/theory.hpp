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
// neglected correction. The 2-D part at the end also finds, from a potential given by callbacks,
// what separates its minimum from an escape set (an index-1 saddle or a non-critical boundary
// point) and evaluates the formula that applies there.
#include <array>
#include <functional>
#include <string>
#include <vector>

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

// "eyring_kramers": mean first hitting time of the separatrix through an index-1 saddle z,
// started at the minimum m, for dX = −∇U(X) dt + sqrt(2D) dW, D constant and isotropic, any d:
//   T ≈ π / |λ₁(z)| · sqrt(|det ∇²U(z)| / det ∇²U(m)) · e^{ΔU/D},   ΔU = U(z) − U(m) > 0,
// λ₁(z) < 0 the one negative eigenvalue of ∇²U(z), det ∇²U(m) > 0 (seeds-spec §7.1).
// Derivation (flux over population, 2-D with z = 0, U = U(z) − b x²/2 + c y²/2 near z, the
// escape set x ≥ 0): the quasi-stationary density is e^{−U/D} h(x) with h the 1-D solution
// h(x) ∝ ∫_x^0 e^{−b u²/(2D)} du, normalised to 1 in the well; the flux through x = 0 is
// D e^{−U(z)/D} ∫ e^{−c y²/(2D)} dy / ∫_{−∞}^0 e^{−b x²/(2D)} dx = 2 D sqrt(b/c) e^{−U(z)/D} and the
// population 2πD/sqrt(det ∇²U(m)) e^{−U(m)/D}; T = population/flux gives the formula with
// |λ₁| = b, |det ∇²U(z)| = b c. Prefactor π, not 2π: the finish line is the separatrix itself,
// so only half of the saddle's Gaussian enters (as for kramers_first_hitting, to which it reduces
// in 1-D: |det| = b, det ∇²U(m) = a); the transition to the next basin is 2π/|λ₁|·… with the
// relative error 1 + O(ε^{1/2}|log ε|^{3/2}) of Bovier–Eckhoff–Gayrard–Klein.
// Assumes the escape boundary is the separatrix near z (tangent to the stable eigenvector of
// ∇²U(z); find_gate_2d checks this to 0.1 in slope). Corrections, relative: O(D/ΔU) from the
// quartic and coupling terms at m and z; O(sqrt(D/ΔU)) from a cubic term of U along the unstable
// direction at z (the half Gaussian of kramers_first_hitting: −(c/3) sqrt(2D/(π|λ₁|³)) with c the
// third derivative along the unstable eigenvector) and from a boundary curved away from the
// separatrix within sqrt(D/|λ₁|) of z. Needs all arguments finite and > 0.
TheoryValue eyring_kramers_first_hitting(double curv_unstable_abs, double det_h_saddle_abs,
                                         double det_h_min, double barrier, double D);

// --- 2-D: what separates the minimum from the escape set -----------------------------------

// A potential U on R² and an escape set, as callbacks (this area knows no landscape types).
struct Surface2d {
  std::function<double(const double* x)> value;              // U(x)
  std::function<void(const double* x, double* g)> gradient;  // g ← ∇U(x), 2 values
  std::function<void(const double* x, double* h)> hessian;   // h ← ∇²U(x), 2×2 row-major
  std::function<bool(const double* x)> escaped;              // true in the escape set
};

struct Saddle2d {
  std::array<double, 2> point{};  // z, ∇U(z) = 0
  double value = 0;               // U(z)
  double curv_unstable = 0;       // |λ₁(z)|, λ₁ < 0
  double curv_stable = 0;         // λ₂(z) > 0
};

enum class GateKind {
  none,      // no usable gate (`why` says which check failed)
  saddle,    // the lowest point of the escape boundary is an index-1 saddle (eyring_kramers)
  boundary,  // it is not a critical point: U has a non-zero slope into the escape set there
};

struct Gate2d {
  GateKind kind = GateKind::none;
  std::string why;                   // for kind none
  std::array<double, 2> minimum{};   // m
  double u_min = 0;                  // U(m)
  double det_h_min = 0;              // det ∇²U(m) > 0
  std::array<double, 2> point{};     // the lowest point of U on the escape boundary (z for a saddle)
  double barrier = 0;                // U(point) − U(m)
  double slope = 0;                  // ∂U/∂n at `point` from the inside (n the outward normal)
  std::vector<Saddle2d> saddles;     // verified index-1 saddles on the escape boundary, lowest first
  std::array<double, 2> lo{}, hi{};  // the box that was searched
};

// Finds the gate between the minimum m (∇²U(m) must be positive definite) and the escape set,
// within the box [lo, hi] (m inside; rays that leave the box unescaped see no boundary: the box
// edge is a reflecting wall where the process practically never goes).
//  1. Rays from m at 720 angles φ: each marches in 256 steps to the box edge, stops at the first
//     escaped point and bisects (60 halvings) to the last unescaped point q(φ) on the boundary;
//     U along the march must not decrease (else the ray is "not monotone": the boundary lies
//     beyond a higher ridge, e.g. a region in the next basin).
//  2. The lowest q(φ) is refined by golden-section search in φ: `point`, `barrier`.
//  3. Newton's method on ∇U = 0 (with halving of the step until |∇U| decreases) from each of the
//     8 lowest local minima of U along the boundary. A converged point (|∇U| ≤ 1e-9·λ_max(∇²U(m))·
//     |q − m|) counts as a saddle on the boundary if ∇²U has one negative and one positive
//     eigenvalue, z ± δu (u the unstable eigenvector, δ = 1e-5|z − m|) lie on both sides of the
//     boundary, and the boundary crosses the lines z ± εv + t u (v stable, ε = 1e-3|z − m|) at
//     |t₊ − t₋|/(2ε) ≤ 0.1, i.e. it is tangent to the separatrix there. Duplicates are merged.
//  4. kind = saddle if the lowest saddle is the lowest boundary point (to 1e-8 of the barrier);
//     otherwise kind = boundary if the ray to `point` is monotone and U has a slope into the
//     escape set there (just inside, > 1e-6·λ_max(∇²U(m))·|point − m|: not a critical point);
//     otherwise none. With several saddles the caller decides (rates add).
// A ridge that is a crease (U continuous, ∇U jumping, e.g. a minimum of smooth branches such as
// zhu2d's) has no critical point: it is a `boundary` gate. Cost: about 2·10⁵ calls of `escaped`
// and `value` plus a few hundred of `gradient` and `hessian`.
Gate2d find_gate_2d(const Surface2d& surface, std::array<double, 2> minimum,
                    std::array<double, 2> lo, std::array<double, 2> hi);

// "boundary_flux": mean first hitting time of the escape set by flux over population, for
// dX = −∇U dt + sqrt(2D) dW with D constant and isotropic, started at the minimum m:
//   T ≈ (2πD / sqrt(det ∇²U(m))) · e^{ΔU/D} / J,   ΔU = U(point) − U(m),
//   J = ∮_Γ D e^{−(U(q) − U(point))/D} / I(q) dσ(q),
//   I(q) = ∫_0^{s_end} e^{(U(q − s n) − U(q))/D} / (1 − κ s) ds,
// Γ the escape boundary, n its outward normal and κ its curvature at q (> 0 where the unescaped
// side is convex). Derivation: near Γ the quasi-stationary density is e^{−U/D} h with h = 0 on Γ
// and h → 1 in the well, ∇·(e^{−U/D} ∇h) = 0; in the coordinates (σ, s) ↦ q(σ) − s n(σ), whose
// Jacobian is 1 − κ s, and across a layer thin compared with the scale on which things vary
// along Γ, this is ∂_s((1 − κ s) e^{−U/D} ∂_s h) = 0, so ∂_s h ∝ e^{U/D}/(1 − κ s) and the flux
// through dσ is D e^{−U(q)/D}/I(q). The population is the well's Laplace integral.
// Limits: where U has a slope F = ∂U/∂n > 0 on Γ and the layer is thin (D/F ≪ 1/|κ| and ≪ the
// distance over which F changes), I = D/F, and the Laplace integral along Γ (U = U(point) +
// κ_U σ²/2, κ_U the second derivative of U along Γ, boundary curvature included) gives
//   T ≈ sqrt(2πD κ_U / det ∇²U(m)) / F · e^{ΔU/D},
// a non-characteristic boundary (Matkowsky–Schuss); in 1-D, two such points at ±ℓ give
// quadratic_exit. At an index-1 saddle whose separatrix is Γ, F = 0, I = sqrt(πD/(2|λ₁|)) (the
// half Gaussian) and J reproduces eyring_kramers at leading order; several saddles add their
// rates. The integrals are done numerically because the closed form is far off at practical D
// for zhu2d: its ridge is a crease whose inner slope changes from ≈ 50 to ≈ 22 within the data
// spread (0.01–0.03, about one layer D/F at ΔU/D ≈ 10) and κ_U ≈ 4 is small (the Gaussian along
// Γ spans ±0.4, where U along Γ is no longer quadratic): there the closed form is 1.5× too long
// at ΔU/D ≈ 10, whereas boundary_flux is within 0.2% of the backward-Kolmogorov solution.
// Corrections, relative: O(D/ΔU) from the anharmonicity of the well (none for zhu2d's quadratic
// well; e.g. +3D/8 for the smooth well of theory2d_test.cpp), second order in the layer
// thickness over the boundary's curvature radius and over the length on which the layer varies
// along Γ; the saddle's cubic term (eyring_kramers' O(sqrt(D/ΔU))) is inside I.
// Numerics: the boundary is traced by rays from m as in find_gate_2d, on K = 1024, 2048, …
// (≤ 32768) angles until J changes by < 1e-5 relative (trapezoid in the angle; arc length and
// normal from the neighbouring boundary points; κ by the circle through q and the nearest boundary
// points on either side at least the layer thickness s₁ away, where the exponent of I reaches −1,
// so that features of Γ finer than the layer, such as the corners where zhu2d's median sample
// changes, are averaged as the layer averages them). s_end is where the exponent falls below
// −40, where U along the inward normal starts rising again after a fall (beyond, the line climbs
// the far side of the well and the layer picture no longer applies), (q − m)·n, or halfway to the
// centre of curvature; I by adaptive Simpson to 1e-5 relative. Rays with weight
// e^{−(U(q) − U(point))/D} < e^{−40} are skipped. Tested: exact to 3e-5 for a half-plane exit of a
// rotated quadratic (a 1-D Ornstein–Uhlenbeck exit in disguise). Cost: about 2·10⁶ calls of
// `value` (zhu2d with N = 100: 2–4 s). NaN if gate.kind is none, D ≤ 0, or boundary points where
// U rises inwards (not the top of their normal line: the layer picture fails) carry more than
// 1e-4 of J.
TheoryValue boundary_flux_first_hitting(const Surface2d& surface, const Gate2d& gate, double D);

}  // namespace escapade::reference
