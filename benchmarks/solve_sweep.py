"""Time per point of a coefficient sweep: one compiled program re-solved vs a new program each time.

Both routes run in this process on the same grid of (lam_in, lam_out):
- "sweep": `biomodular.sweep(..., processes=1)`: one cvxpy program per block of points, built
  once with Parameters and re-solved, the column dictionary carried over;
- "rebuild": `solve_code` per point after emptying the cache of compiled programs, so every
  point builds and compiles its cvxpy program again (what a naive loop costs);
- "sweep, 2 processes": the same sweep on 2 worker processes (wall time / point).
Medians over --repeats runs.

    python benchmarks/solve_sweep.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from _solve_data import datasets
from biomodular.solvers.master import ProgramCache
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code
from biomodular.solvers.sweep import sweep


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    lam_in = np.geomspace(0.01, 10, 5)
    lam_out = np.geomspace(0.1, 10, 4)
    n = lam_in.size * lam_out.size
    print(f"grid: {lam_in.size} x {lam_out.size} = {n} points")
    print(
        "| data | sweep (s/point) | rebuild (s/point) | ratio rebuild/sweep | sweep, 2 processes (s/point) | max rel. difference |"
    )
    print("|---|---|---|---|---|---|")
    for name, sources in datasets().items():
        t_sweep, t_build, t_par = [], [], []
        for _ in range(args.repeats):
            ProgramCache.shared().clear()
            start = time.perf_counter()
            table = sweep(sources, lam_in=lam_in, lam_out=lam_out, processes=1, chunk_size=n)
            t_sweep.append((time.perf_counter() - start) / n)
            start = time.perf_counter()
            values = []
            for a in lam_in:
                for b in lam_out:
                    ProgramCache.shared().clear()
                    values.append(solve_code(sources, Problem.autoencoder(a, b)).value)
            t_build.append((time.perf_counter() - start) / n)
            start = time.perf_counter()
            sweep(sources, lam_in=lam_in, lam_out=lam_out, processes=2, chunk_size=n // 2)
            t_par.append((time.perf_counter() - start) / n)
        diff = max(abs(v - w) / w for v, w in zip(table.column("value"), values))
        s, b, p = statistics.median(t_sweep), statistics.median(t_build), statistics.median(t_par)
        print(f"| {name} | {s:.3g} | {b:.3g} | {b / s:.3g} | {p:.3g} | {diff:.2g} |", flush=True)


if __name__ == "__main__":
    main()
