"""Solve time and column-generation rounds of `solve_code` against sources and hull size.

Data: k points spread on the unit sphere of R^d (all are hull vertices), mean at their
centroid, covariance I / (d + 2).  For each d the hull grows until one solve exceeds
--budget seconds.  Each case is solved --repeats times in this process (the first solve
of a dimension also compiles the cvxpy program; it is timed separately).

    python benchmarks/solve_scaling.py [--repeats 3] [--budget 60]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from biomodular import Sources
from biomodular.solvers.program import solve_code


def sphere_sources(d: int, k: int, seed: int = 0) -> Sources:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((k, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return Sources.from_statistics(X.mean(0), np.eye(d) / (d + 2), X)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0)
    args = parser.parse_args()
    sizes = [4, 10, 100, 1000, 10000]
    print("| d | hull vertices | rounds | neurons | status | pricing | first solve (s) | median solve (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for d in range(2, 7):
        for k in sizes:
            k = max(k, d + 1)
            try:
                sources = sphere_sources(d, k)
            except Exception as exc:  # hull too large for qhull in this dimension
                print(f"| {d} | {k} | - | - | skipped: {exc} | - | - | - |")
                break
            times, result = [], None
            for _ in range(args.repeats):
                start = time.perf_counter()
                result = solve_code(sources)
                times.append(time.perf_counter() - start)
                if times[0] > args.budget:
                    break
            print(
                f"| {d} | {sources.points.shape[0]} | {result.rounds} | {len(result.neurons)} | "
                f"{result.status} | {result.certificate.pricing_method} | {times[0]:.3g} | "
                f"{statistics.median(times):.3g} |",
                flush=True,
            )
            if times[0] > args.budget:
                break


if __name__ == "__main__":
    main()
