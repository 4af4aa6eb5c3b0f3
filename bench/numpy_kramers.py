#!/usr/bin/env python3
"""The same Kramers-well step loop as bench/steps_bench.cpp, vectorised over trials with NumPy:
the baseline docs/PERFORMANCE.md compares escapade against. Prints trial-steps per second.

Run: /usr/bin/python3 bench/numpy_kramers.py [trials] [steps]
"""
import sys
import time

import numpy as np


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    a, b, barrier, lr, sigma = 4.0, 1.0, 1e6, 1e-3, 20.0
    s = np.sqrt(2 * barrier / (a * (1 + a / b)))
    xb = s + a * s / b
    rng = np.random.default_rng(1)
    x = np.zeros(trials)
    xi = np.empty(trials)
    g = np.empty(trials)
    start = time.perf_counter()
    for _ in range(steps):
        rng.standard_normal(out=xi)
        np.multiply(a, x, out=g)
        far = x > s
        g[far] = b * (xb - x[far])
        xi *= sigma
        xi += g
        xi *= lr
        x -= xi
        escaped = x >= xb  # the escape test the C++ loop makes every step
        if escaped.any():
            x[escaped] = 0.0
    elapsed = time.perf_counter() - start
    print(f"numpy: {trials * steps / elapsed:.3g} trial-steps/s "
          f"({trials} trials x {steps} steps in {elapsed:.2f} s, one core)")


if __name__ == "__main__":
    main()
