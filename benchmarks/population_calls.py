"""How often the sampling analysis of ``check`` calls each population, by family and sample size.

Families with a known answer (docs/check.md, "Samples and their population"):
range-independent populations (uniform square and cube, independent non-uniform
marginals, a correlated Gaussian clipped to a box so every corner is reached)
should never be called ``mixed``; populations with a missing region (a square
with a corner cut, a triangle, a cube cut so that every pair of sources passes)
should be called ``mixed`` once there are a few thousand samples.

For each family, size and seed: draw the samples (no vertices added), run
``check_samples`` and record the population call and the time the analysis
adds (median, as a ratio to the exact check alone).  Usage::

    python benchmarks/population_calls.py [--sizes 300 1000 10000 100000] [--seeds 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from biomodular import Sources
from biomodular.solvers.check import check_modularity
from biomodular.solvers.population import check_samples


def _box(rng, n, d, keep=None, low=-1.0):
    out, have = [], 0
    while have < n:
        x = rng.uniform(low, 1.0, (2 * n, d))
        if keep is not None:
            x = x[keep(x)]
        out.append(x)
        have += len(x)
    return np.vstack(out)[:n]


def _clipped_gaussian(rng, n):
    cov = np.array([[1.0, 0.6], [0.6, 1.0]])
    return np.clip(rng.multivariate_normal(np.zeros(2), cov, size=n, method="cholesky"), -0.8, 0.8)


FAMILIES = {
    # range independent: the population's code is modular
    "square": (False, lambda rng, n: _box(rng, n, 2)),
    "cube": (False, lambda rng, n: _box(rng, n, 3, low=0.0)),
    "beta-marginals": (False, lambda rng, n: np.column_stack([rng.beta(2, 5, n), rng.triangular(0, 0.3, 1, n)])),
    "clipped-gaussian": (False, _clipped_gaussian),
    # a region missing: mixed
    "cut-corner": (True, lambda rng, n: _box(rng, n, 2, keep=lambda x: x.sum(1) >= -1.0)),
    "triangle": (True, lambda rng, n: _box(rng, n, 2, keep=lambda x: x.sum(1) <= 1.0, low=0.0)),
    "cube-cut-pairs-pass": (True, lambda rng, n: _box(rng, n, 3, keep=lambda x: x.sum(1) >= 0.9, low=0.0)),
}


def run(sizes, n_seeds, families=None):
    rows = []
    for name, (mixed, draw) in FAMILIES.items():
        if families and name not in families:
            continue
        for n in sizes:
            seeds = n_seeds if n <= 10_000 else max(3, n_seeds // 4)
            calls = {"modular": 0, "mixed": 0, "unclear": 0}
            added, exact_t = [], []
            for seed in range(seeds):
                S = draw(np.random.default_rng(1000 * seed + 7), int(n))
                start = time.perf_counter()
                check_modularity(Sources.from_samples(S))
                t0 = time.perf_counter() - start
                start = time.perf_counter()
                r = check_samples(S, seed=seed)
                t1 = time.perf_counter() - start
                calls[r.sampling.population] += 1
                exact_t.append(t0)
                added.append(t1 - t0)
            rows.append(
                (
                    name,
                    "mixed" if mixed else "modular",
                    int(n),
                    seeds,
                    calls,
                    float(np.median(exact_t)),
                    float(np.median(added)),
                )
            )
            c = calls
            print(
                f"{name:20s} {'mixed' if mixed else 'modular':8s} {int(n):>7d} {seeds:>3d}  "
                f"modular {c['modular'] / seeds:5.0%}  mixed {c['mixed'] / seeds:5.0%}  "
                f"unclear {c['unclear'] / seeds:5.0%}  check {1e3 * np.median(exact_t):7.1f} ms  "
                f"analysis +{1e3 * np.median(added):6.1f} ms",
                flush=True,
            )
    return rows


def budget(n: int = 1_000_000, repeats: int = 15) -> None:
    """The default check of n x 2 samples (sampling included) against one numpy pass.

    The three are timed in turn within each repeat (interleaved), so a burst of
    load on a shared machine hits all three; medians over the repeats, and the
    median of the per-repeat ratios.
    """
    S = np.ascontiguousarray(_box(np.random.default_rng(0), n, 2, keep=lambda x: x.sum(1) > -0.5))
    runs = {
        "floor": lambda: S.mean(axis=0),
        "exact": lambda: check_modularity(Sources.from_samples(S)),
        "full": lambda: check_samples(S),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    t = {k: np.asarray(v) for k, v in times.items()}
    floor, exact, full = (float(np.median(t[k])) for k in ("floor", "exact", "full"))
    print(
        f"# {n} x 2 cut box, {repeats} interleaved repeats: numpy pass {1e3 * floor:.1f} ms; exact check "
        f"{1e3 * exact:.1f} ms ({exact / floor:.1f}x); with the sampling analysis {1e3 * full:.1f} ms "
        f"({full / floor:.1f}x; median of per-repeat ratios {np.median(t['full'] / t['floor']):.1f}x); the "
        f"analysis adds {1e3 * (full - exact):.1f} ms ({(full - exact) / floor:.2f} numpy passes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[300, 1e3, 1e4, 1e5])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--families", nargs="*")
    parser.add_argument("--budget", action="store_true", help="only time the default check of 1e6 x 2 samples")
    args = parser.parse_args()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"numpy {np.__version__}, {time.strftime('%Y-%m-%d')}"
    )
    if args.budget:
        budget()
        return
    run(args.sizes, args.seeds, args.families)


if __name__ == "__main__":
    main()
