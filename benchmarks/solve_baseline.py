"""Column generation against a brute-force dictionary, in the same process.

Baseline: the convex program over a FIXED dictionary of N unit directions (N = 2000 or 8000:
evenly spaced angles for 2 sources, a Fibonacci-like random set otherwise, plus the axes),
written in cvxpy as in solve_large_hull.py (one lift matrix, Schur complement) and solved with Clarabel; its value is the exact loss of the code
it returns (an upper bound on the optimum).  Ours: `solve_code` (exact pricing, certificate).
Reported: both values (ours must be lower or equal), the relative excess of the baseline, and
the time ratio baseline / ours (medians over --repeats).

    python benchmarks/solve_baseline.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from _solve_data import datasets
from solve_large_hull import dense_program
from biomodular import Sources
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code


def dictionary(d: int, n: int, seed: int = 0) -> np.ndarray:
    if d == 2:
        a = np.linspace(0, 2 * np.pi, n, endpoint=False)
        W = np.column_stack([np.cos(a), np.sin(a)])
    else:
        W = np.random.default_rng(seed).standard_normal((n, d))
    W = np.vstack([np.eye(d), -np.eye(d), W])
    return W / np.linalg.norm(W, axis=1, keepdims=True)


def baseline(sources: Sources, problem: Problem, W: np.ndarray) -> float:
    """The fixed-dictionary program (``lam_in = lam_out = 1``), as in ``solve_large_hull.py``."""
    assert problem.lam_in == problem.lam_out == 1.0
    return dense_program(sources, W)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    problem = Problem.autoencoder(1.0, 1.0)
    print(
        "| data | N directions | baseline value | our value | baseline excess (rel.) | baseline (s) | ours (s) | time ratio baseline/ours |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, sources in datasets().items():
        solve_code(sources, problem)  # compile once, like the baseline's first solve below
        for n in (2000, 8000):
            W = dictionary(sources.n_sources, n)
            t_base, t_ours = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                v_base = baseline(sources, problem, W)
                t_base.append(time.perf_counter() - start)
                start = time.perf_counter()
                ours = solve_code(sources, problem)
                t_ours.append(time.perf_counter() - start)
            assert ours.value <= v_base * (1 + 1e-12), (ours.value, v_base)
            b, o = statistics.median(t_base), statistics.median(t_ours)
            print(
                f"| {name} | {W.shape[0]} | {v_base:.10g} | {ours.value:.10g} | "
                f"{(v_base - ours.value) / ours.value:.2g} | {b:.3g} | {o:.3g} | {b / o:.3g} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
