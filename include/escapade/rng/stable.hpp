#pragma once
// α-stable variates from a trial's Stream, by our own documented transforms (STYLE.md
// "Randomness"): the same draws give the same bits with every standard library.
//
// symmetric_stable(α, s), α ∈ (0, 2]: a standard symmetric α-stable S, E e^{iuS} = exp(−|u|^α).
//   Chambers, Mallows & Stuck (1976) in the symmetric form (β = 0; see also Weron 1996):
//     V = π (U − ½),  U = s.uniform()              (drawn first;  V ∈ (−π/2, π/2))
//     E = −log(s.uniform())                         (drawn second; E ~ Exp(1), E > 0)
//     S = sin(αV) / cos(V)^{1/α} · (cos((1−α)V) / E)^{(1−α)/α}.
//   Exactly two uniform() draws per variate, for every α, in the order V then E, so a stream's
//   position never depends on α. Special cases, with the same two draws:
//     α = 1: S = tan V (standard Cauchy). The general formula gives the same law there (the last
//            factor is (…)^0 = 1 and sin V / cos V = tan V); tan V is just cheaper and exact.
//     α = 2: S = 2 sqrt(E) sin V, which is the general formula simplified (cos(−V) = cos V); since
//            sqrt(2E) is Rayleigh and V uniform, S = sqrt(2)·(sqrt(2E) sin V) ~ N(0, 2):
//            the Gaussian member of the family has variance 2, not 1 (ch.f. exp(−u²)).
//   Why this form is correct near α = 1: only the skewed CMS formula (β ≠ 0) has a term
//   β tan(πα/2) that blows up at α = 1 and must be reparametrised (Zolotarev's M form). With
//   β = 0 that term vanishes: every factor above is smooth in α across α = 1
//   (cos((1−α)V) ∈ (0, 1], exponent (1−α)/α → 0), so the formula loses no accuracy near α = 1.
//   Bounds: U ∈ (0, 1) makes cos V > 0 in floating point (the double nearest π/2 lies below
//   π/2), and |1 − α| ≤ 1 keeps cos((1−α)V) > 0. For α below about 0.05 the intermediate powers
//   can under- or overflow and S may be ±inf or NaN; a trial reports that as diverged (data, not
//   an error).
//
// positive_stable(a, s), a ∈ (0, 1): a positive (totally skewed, β = 1) a-stable A with Laplace
//   transform E e^{−sA} = exp(−s^a), s ≥ 0. Kanter (1975), i.e. the CMS formula with β = 1:
//     Φ = π U,  U = s.uniform()                     (drawn first;  Φ ∈ (0, π))
//     E = −log(s.uniform())                         (drawn second)
//     A = sin(aΦ) / sin(Φ)^{1/a} · (sin((1−a)Φ) / E)^{(1−a)/a}.
//   Exactly two uniform() draws. (Kanter writes A = (K(Φ)/E)^{(1−a)/a} with
//   K(Φ) = sin(aΦ)^{a/(1−a)} sin((1−a)Φ) / sin(Φ)^{1/(1−a)}; expanding the power gives the
//   line above.) At a = 1 the formula degenerates to A = 1, the limit law.
//
// isotropic_stable(α, s, out, d), α ∈ (0, 2]: a rotationally invariant α-stable vector X ∈ R^d
//   with E e^{i⟨u,X⟩} = exp(−‖u‖^α) (a sub-Gaussian stable vector; Samorodnitsky & Taqqu 1994,
//   §2.5):
//     X = sqrt(2A) · G,  A = positive_stable(α/2, s) (two uniforms, first),
//                        G = (s.normal(), …) d standard normals, in coordinate order, second.
//   The constant: for X = c sqrt(A) G, conditioning on A gives
//     E e^{i⟨u,X⟩} = E exp(−A c² ‖u‖²/2) = exp(−(c² ‖u‖²/2)^{α/2}),
//   which is exp(−‖u‖^α) iff c²/2 = 1, so c = sqrt(2). Every 1-D marginal ⟨e, X⟩ (‖e‖ = 1) is
//   therefore a standard SαS with ch.f. exp(−|u|^α), the same law as symmetric_stable(α, ·), but
//   the coordinates are dependent (they share A) unless α = 2.
//   α = 2: X = sqrt(2) · G directly (d normals, no uniforms): N(0, 2 I).
#include <cstddef>

#include "escapade/rng/stream.hpp"

namespace escapade::rng {

double symmetric_stable(double alpha, Stream& s) noexcept;
double positive_stable(double a, Stream& s) noexcept;
void isotropic_stable(double alpha, Stream& s, double* out, std::size_t d) noexcept;

}  // namespace escapade::rng
