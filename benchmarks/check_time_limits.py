"""The mixed margin of many sources under short time limits, against the cut's own gap.

Data: uniform samples of the box [-1, 1]^d without its lowest corner, cut by the
plane ``sum s = -depth sqrt(d)`` (the ``cut`` kind of ``check_many_sources.py``).
The cut's normal is one neuron's tuning, so its gap, computed here from the
samples, bounds the minimum from above: a margin above it is one the search
stopped short of.  For each time limit, over seeds and source counts, prints how
many margins reach the cut's gap, how many verdicts are ``mixed``, and the
longest check (wall clock; the first check of the process pays its imports and
is excluded by a warm-up).

    python benchmarks/check_time_limits.py [--limits 0.5 1 2 5] [--seeds 8] [--dims 13 17 22]
        [--rows 4000] [--depth 0.75]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from biomodular import Sources, check_modularity


def cut_box(seed: int, d: int, rows: int, depth: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1.0, 1.0, (rows, d))
    return S[S.sum(axis=1) > -depth * np.sqrt(d)]


def cut_gap(sources: Sources, samples: np.ndarray) -> float:
    """The gap along the cut's normal ``(1, ..., 1)``, in beta units, from the samples."""
    beta = sources.beta
    F = sources.modularity_matrix / np.outer(beta, beta)
    u = beta / np.linalg.norm(beta)
    m = float(((samples - samples.mean(axis=0)) / beta @ u).min())
    return m * m - float(u @ F @ u)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limits", type=float, nargs="+", default=[0.5, 1.0, 2.0, 5.0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--dims", type=int, nargs="+", default=[13, 17, 22])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--depth", type=float, default=0.75)
    args = parser.parse_args()
    check_modularity(Sources.from_samples(cut_box(0, 14, 500, args.depth)), time_limit=1.0)  # imports
    cases = []
    for seed in range(args.seeds):
        for d in args.dims:
            S = cut_box(seed, d, args.rows, args.depth)
            sources = Sources.from_samples(S)
            cases.append((sources, cut_gap(sources, S)))
    print(f"# {platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}, {len(cases)} cut boxes, d in {args.dims}")
    print(f"{'limit s':>8} {'reach the cut':>14} {'mixed':>6} {'longest s':>10}")
    for limit in args.limits:
        reached = mixed = 0
        longest = 0.0
        for sources, gap in cases:
            start = time.perf_counter()
            result = check_modularity(sources, time_limit=limit)
            longest = max(longest, time.perf_counter() - start)
            reached += bool(result.margin <= gap + 1e-9)
            mixed += result.verdict == "mixed"
        print(f"{limit:>8.3g} {reached:>7}/{len(cases):<6} {mixed:>6} {longest:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
