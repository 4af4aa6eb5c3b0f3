#pragma once
// Exact mean first-passage time of a 1-D Itô diffusion (SCIENCE.md §6, seeds-spec §7.2):
//
//   dX = −U'(X) dt + sqrt(2 D(X)) dW on (lo, hi), reflecting at lo, absorbing at hi,
//   T(x0) = ∫_{x0}^{hi} dy ∫_{lo}^{y} exp(Φ(z) − Φ(y)) / D(z) dz,   Φ' = −U'/D.
//
// Computed on a grid of about `cells` cells, uniform on [lo, x0] and on [x0, hi] (cells shared
// by length, at least one per non-empty side; x0 is a node, so T(x0) needs no interpolation), by
// the stable recursion
//   J(y_i) = e^{−(Φ(y_i) − Φ(y_{i−1}))} J(y_{i−1}) + ∫_{y_{i−1}}^{y_i} e^{Φ(z) − Φ(y_i)}/D(z) dz,
// T = ∫_{x0}^{hi} J(y) dy, with Φ increments, inner integrals and T by Simpson's rule on each cell
// (J and Φ at the cell midpoint by the three-point rule on the half cell), fourth order for
// smooth U' and D, and no exponential is ever evaluated at a large argument. U' and D are
// evaluated at the nodes and cell midpoints only. Needs lo < hi, lo ≤ x0 ≤ hi, cells ≥ 1, both
// functions set; otherwise throws ConfigError.
// Units: x in parameter units, D in parameter²/time, T in time (t = k·lr).
#include <cstddef>
#include <functional>

namespace escapade::reference {

struct Diffusion1d {
  std::function<double(double)> dU;  // U'(x)
  std::function<double(double)> D;   // D(x) > 0
};

double mfpt_reflecting(const Diffusion1d& p, double lo, double x0, double hi, std::size_t cells);

// Mean escape time of kramers_well(a, b, barrier) from its minimum 0 across `boundary` (≥ x_b
// normally; tests move it by the discrete-overshoot shift) with constant D. The reflecting end is
// placed where U exceeds the barrier by 40·D (far enough that it does not matter): a lo²/2 =
// barrier + 40·D, lo < 0. The junction s (where U'' jumps) is a grid node too, so the result
// keeps fourth order. Needs a, b, barrier, D > 0 and boundary > 0; otherwise throws ConfigError.
double kramers_well_mfpt(double a, double b, double barrier, double D, double boundary,
                         std::size_t cells = 200000);

}  // namespace escapade::reference
