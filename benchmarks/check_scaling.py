"""Time of the modularity check against the floor of reading the data once.

For n samples of d sources (uniform on a box with one corner cut off, so the
verdict is "mixed" and the hull is non-trivial), times

* floor:   ``samples.mean(axis=0)``, one numpy pass over the array;
* check:   ``Sources.from_samples`` (the one-pass reduction) plus
           ``check_modularity`` (the exact decision), i.e. what a Python
           user pays from an array in memory;
* cli:     ``biomodular check file.npy --json`` in a fresh process (start-up,
           reading the file, reduction, decision), only with ``--cli``.

Prints medians over repeats and the ratio check / floor.  Usage::

    python benchmarks/check_scaling.py [--max-n 1e7] [--dims 2 3 4 5 6] [--cli]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

from biomodular import Sources
from biomodular.solvers.check import check_modularity


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def cut_box(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1.0, 1.0, (n, d))
    return np.ascontiguousarray(S[S.sum(axis=1) > -0.25 * d])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=float, default=1e6)
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 3, 4, 5, 6])
    parser.add_argument("--cli", action="store_true", help="also time the command line")
    parser.add_argument(
        "--budget", type=float, default=120.0, help="skip larger n for a d once one run takes longer than this (s)"
    )
    args = parser.parse_args()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"numpy {np.__version__}, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"{'d':>2} {'n':>9} {'floor ms':>9} {'check ms':>10} {'ratio':>7} "
        f"{'cli s':>7} {'method':>8} {'hull':>6} verdict"
    )
    sizes = [int(10**k) for k in range(3, 8) if 10**k <= args.max_n]
    for d in args.dims:
        for n in sizes:
            S = cut_box(n, d)
            repeats = 7 if n <= 1e6 else 3
            floor = median_time(lambda: S.mean(axis=0), repeats)
            start = time.perf_counter()
            sources = Sources.from_samples(S)
            result = check_modularity(sources)
            first = time.perf_counter() - start
            total = first if first > 5 else median_time(lambda: check_modularity(Sources.from_samples(S)), repeats)
            cli = float("nan")
            if args.cli:
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "data.npy")
                    np.save(path, S)
                    cmd = [sys.executable, "-m", "biomodular", "check", path, "--json"]
                    cli = median_time(lambda: subprocess.run(cmd, check=True, capture_output=True), 3)
            hull = sources.points.shape[0]
            print(
                f"{d:>2} {len(S):>9} {floor * 1e3:>9.2f} {total * 1e3:>10.1f} "
                f"{total / floor:>7.1f} {cli:>7.3f} {result.method:>8} {hull:>6} {result.verdict}",
                flush=True,
            )
            if first > args.budget:
                print(f"# d={d}: stopping at n={n} (one run took {first:.0f} s)")
                break


if __name__ == "__main__":
    main()
