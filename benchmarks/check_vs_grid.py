"""Exact sector method against the naive fixed grid of 500 angles.

Published code decides modularity by evaluating the condition on a fixed grid
of directions.  On random small two-source datasets this script counts how
often that grid's verdict differs from the exact one, and the time ratio.
Both run on the same reduced statistics in the same process, with the same
tolerance; a grid "modular" is wrong whenever the exact method finds a
violation below ``-tol`` between the grid's angles.

Families: uniform squares with a random corner cut (depth around the
modularity threshold), random convex polygons, Gaussian samples, and uniform
samples of a square without its corners (tiny violations close to an axis).
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

from biomodular import Sources
from biomodular.solvers.check import standardised_problem
from biomodular.solvers.gap import min_quadratic_gap


def family(rng: np.random.Generator, k: int) -> np.ndarray:
    if k == 0:  # square with a cut of random depth near the threshold
        c = rng.uniform(0.5, 2.0)
        S = rng.uniform(-1, 1, (rng.integers(50, 400), 2))
        S = S[S.sum(axis=1) >= -c]
        return np.vstack([S, [[1, 1], [1, -1], [-1, 1], [-1, 1 - c], [1 - c, -1]]])
    if k == 1:  # random convex polygon
        angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(5, 30)))
        radii = rng.uniform(0.7, 1.0, angles.size)
        return np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    if k == 2:
        return rng.standard_normal((rng.integers(20, 200), 2)) @ rng.standard_normal((2, 2))
    # uniform samples of a square without its corners: violations are tiny and near an axis
    return rng.uniform(-1, 1, (rng.integers(100, 5000), 2))


def main(n_datasets: int = 800, seed: int = 0) -> None:
    for tol in (1e-2, 1e-6, 1e-9):  # thresholds on the margin (1e-2 was the old default tolerance)
        compare(n_datasets, seed, tol)


def compare(n_datasets: int, seed: int, tol: float) -> None:
    rng = np.random.default_rng(seed)
    wrong = {0: 0, 1: 0, 2: 0, 3: 0}
    counts = {0: 0, 1: 0, 2: 0, 3: 0}
    mixed = {0: 0, 1: 0, 2: 0, 3: 0}
    t_exact, t_grid = [], []
    missed_margins = []
    for i in range(n_datasets):
        k = i % 4
        P, F = standardised_problem(Sources.from_samples(family(rng, k)))
        start = time.perf_counter()
        exact = min_quadratic_gap(P, F, method="sector")
        t_exact.append(time.perf_counter() - start)
        start = time.perf_counter()
        grid = min_quadratic_gap(P, F, method="grid", n_directions=500)
        t_grid.append(time.perf_counter() - start)
        exact_mixed = exact.value < -tol
        grid_mixed = grid.value < -tol
        counts[k] += 1
        mixed[k] += exact_mixed
        if exact_mixed != grid_mixed:
            wrong[k] += 1
            missed_margins.append(exact.value)
    names = {0: "cut squares", 1: "random polygons", 2: "gaussian samples", 3: "square samples"}
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"numpy {np.__version__}, {time.strftime('%Y-%m-%d')}; tol {tol:g}"
    )
    for k in names:
        print(
            f"{names[k]:>17}: grid verdict wrong on {wrong[k]:>3} of {counts[k]} "
            f"({100 * wrong[k] / counts[k]:.1f} %); exact: {mixed[k]} mixed"
        )
    total_wrong = sum(wrong.values())
    print(f"{'all':>17}: {total_wrong} of {n_datasets} ({100 * total_wrong / n_datasets:.1f} %)")
    if missed_margins:
        print(
            f"exact margins the grid missed: median {np.median(missed_margins):.3g}, "
            f"most negative {np.min(missed_margins):.3g}"
        )
    me, mg = np.median(t_exact), np.median(t_grid)
    print(
        f"median time per dataset: exact sector {me * 1e3:.3f} ms, 500-angle grid {mg * 1e3:.3f} ms, "
        f"ratio exact/grid {me / mg:.2f}"
    )


if __name__ == "__main__":
    main()
