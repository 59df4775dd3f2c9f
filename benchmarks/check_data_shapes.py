"""The check of three and four sources on data of different shapes, against one numpy pass.

The reduction's cost depends on the data's shape: how many rows its interior
filter can drop cheaply, how many hull vertices remain, how many rows repeat.
For each shape, a million rows (``--n``) are reduced (``Sources.from_samples``)
and decided (``check_modularity``); printed are both times, their sum over one
numpy pass (``X.mean(axis=0)``, median of 5, in the same process), the support
points kept and the verdict with its method.

    python benchmarks/check_data_shapes.py [--n 1e6] [--shapes gauss4 cut4 ...]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from biomodular import Sources, check_modularity


def _correlated(rng, n: int, d: int, rho: float) -> np.ndarray:
    C = np.full((d, d), rho) + (1 - rho) * np.eye(d)
    return rng.standard_normal((n, d)) @ np.linalg.cholesky(C).T


def _on_sphere(rng, n: int, d: int) -> np.ndarray:
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _cut_box(rng, n: int, d: int) -> np.ndarray:
    S = rng.uniform(-1.0, 1.0, (n, d))
    return S[S.sum(axis=1) > -0.75 * np.sqrt(d)]


SHAPES = {
    "gauss3": lambda rng, n: rng.standard_normal((n, 3)),
    "gauss4": lambda rng, n: rng.standard_normal((n, 4)),
    "cut3": lambda rng, n: _cut_box(rng, n, 3),
    "cut4": lambda rng, n: _cut_box(rng, n, 4),
    "cauchy4": lambda rng, n: rng.standard_cauchy((n, 4)),
    "lognormal4": lambda rng, n: np.exp(rng.standard_normal((n, 4))),
    "correlated4": lambda rng, n: _correlated(rng, n, 4, 0.99),
    "grid3": lambda rng, n: rng.integers(0, 3, (n, 3)).astype(float),
    "grid4": lambda rng, n: rng.integers(0, 3, (n, 4)).astype(float),
    "binary+continuous4": lambda rng, n: np.column_stack(
        [rng.integers(0, 2, (n, 2)), rng.standard_normal(n), rng.uniform(0, 1, n)]
    ).astype(float),
    "ball4": lambda rng, n: _on_sphere(rng, n, 4) * rng.uniform(0, 1, (n, 1)) ** 0.25,
    "sphere3": lambda rng, n: _on_sphere(rng, n, 3),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=float, default=1e6)
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    args = parser.parse_args()
    n = int(args.n)
    check_modularity(Sources.from_samples(np.random.default_rng(1).standard_normal((3000, 4))))  # imports
    print(f"# {platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}, n = {n}")
    print(f"{'shape':>20} {'reduce s':>9} {'decide s':>9} {'ratio':>8} {'points':>8}  verdict")
    for name in args.shapes:
        X = np.ascontiguousarray(SHAPES[name](np.random.default_rng(0), n))
        floors = []
        for _ in range(5):
            start = time.perf_counter()
            X.mean(axis=0)
            floors.append(time.perf_counter() - start)
        start = time.perf_counter()
        sources = Sources.from_samples(X)
        middle = time.perf_counter()
        result = check_modularity(sources)
        end = time.perf_counter()
        ratio = (end - start) / float(np.median(floors))
        print(
            f"{name:>20} {middle - start:>9.3f} {end - middle:>9.3f} {ratio:>8.1f} {sources.points.shape[0]:>8}  "
            f"{result.verdict} ({result.method})",
            flush=True,
        )


if __name__ == "__main__":
    main()
