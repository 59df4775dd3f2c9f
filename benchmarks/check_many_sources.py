"""The check for many sources: time and peak memory against one numpy pass.

For each (d, n) case, in a fresh process (so that the peak resident memory
belongs to that case alone), on uniform samples of a box with one corner cut
off (``cut``: mixed along a direction that mixes every source) or of the whole
box (``box``: the margin is a sampling sliver), or on a grid of three levels per
source without its all-lowest corner (``grid``: exactly modular, the margin zero
at the axes; from six sources its proof needs the caps of docs/check.md, "Exact
proofs at the axes"), prints

* floor: ``samples.mean(axis=0)``, one numpy pass (median of repeats);
* reduce: ``Sources.from_samples``;
* decide: ``check_modularity`` (the method ``auto`` picks: ``cones`` for 3-4
  sources, the global route from 5), with the time budget given;
* ratio: (reduce + decide) / floor; cpu ratio: the same in CPU time of the
  process (``time.process_time``), which a busy machine disturbs far less than
  the wall clock;
* first: for three and four sources, a check of 2,000 of the samples run
  first, which pays the one-time imports (scipy.spatial alone takes about
  0.27 s of CPU), so that reduce and decide time the work on the data;
* peak: the process's peak resident memory (``ru_maxrss``), which includes
  the samples themselves;
* the verdict, whether it is exact, and the method.

Usage::

    python benchmarks/check_many_sources.py [--cases 3:1e6 4:1e6 5:1e6 ...] [--kind cut|box|grid]
        [--time-limit 60] [--tol 1e-2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

DEFAULT_CASES = ["3:1e6", "4:1e6", "5:1e6", "6:1e6", "8:1e6", "10:1e5", "12:1e5", "20:1e4", "50:1e4"]


def samples(kind: str, n: int, d: int):
    import numpy as np

    rng = np.random.default_rng(0)
    S = rng.uniform(-1.0, 1.0, (n, d))
    if kind == "cut":
        # The cut's depth grows like sqrt(d) (the spread of the sum), so that every
        # dimension loses a corner region of similar probability.
        S = S[S.sum(axis=1) > -0.75 * np.sqrt(d)]
    elif kind == "grid":
        # Three levels per source without the all-lowest corner: flat faces at every
        # extreme, exactly modular (the margin is zero, at the axes).
        S = rng.integers(0, 3, (n, d)).astype(float)
        S = S[S.sum(axis=1) >= 1]
    return np.ascontiguousarray(S)


def one_case(kind: str, d: int, n: int, time_limit: float, tol: float | None = None) -> dict:
    import resource

    import numpy as np

    from biomodular import Sources
    from biomodular.solvers.check import check_modularity

    S = samples(kind, n, d)
    # The first check of three or four sources in a process imports scipy.spatial
    # (qhull), about 0.27 s of CPU whatever the data: timed apart, on a small sample.
    start = time.perf_counter()
    if d <= 4:
        check_modularity(Sources.from_samples(S[:2000]), time_limit=time_limit, tol=tol)
    first_s = time.perf_counter() - start
    floors, cpu_floors = [], []
    for _ in range(5):
        start, cpu = time.perf_counter(), time.process_time()
        S.mean(axis=0)
        floors.append(time.perf_counter() - start)
        cpu_floors.append(time.process_time() - cpu)
    start, cpu = time.perf_counter(), time.process_time()
    src = Sources.from_samples(S)
    reduce_s, reduce_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    result = check_modularity(src, time_limit=time_limit, tol=tol)
    decide_s, decide_cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(
        d=d,
        n=int(S.shape[0]),
        floor=float(np.median(floors)),
        reduce=reduce_s,
        decide=decide_s,
        cpu_ratio=(reduce_cpu + decide_cpu) / float(np.median(cpu_floors)),
        first=first_s,
        peak_mb=peak_mb,
        verdict=result.verdict,
        exact=result.exact,
        method=result.method,
        margin=result.margin,
        points=int(src.points.shape[0]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=DEFAULT_CASES, help="d:n pairs")
    parser.add_argument("--kind", choices=["cut", "box", "grid"], default="cut")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--tol", type=float, default=None, help="modelling tolerance (then a proof of margin >= -tol decides 'modular')"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        d, n = args.one.split(":")
        print(json.dumps(one_case(args.kind, int(d), int(float(n)), args.time_limit, args.tol)))
        return
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}, kind {args.kind}, time limit {args.time_limit:g} s, tol {args.tol}"
    )
    print(
        f"{'d':>3} {'n':>9} {'first s':>8} {'floor ms':>9} {'reduce s':>9} {'decide s':>9} {'ratio':>8} {'cpu ratio':>9} "
        f"{'peak MB':>8} "
        f"{'points':>8} verdict"
    )
    for case in args.cases:
        cmd = [sys.executable, __file__, "--one", case, "--kind", args.kind, "--time-limit", str(args.time_limit)]
        if args.tol is not None:
            cmd += ["--tol", str(args.tol)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{case}: failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else '?'}")
            continue
        r = json.loads(out.stdout)
        ratio = (r["reduce"] + r["decide"]) / r["floor"]
        print(
            f"{r['d']:>3} {r['n']:>9} {r['first']:>8.2f} {r['floor'] * 1e3:>9.2f} {r['reduce']:>9.2f} {r['decide']:>9.2f} "
            f"{ratio:>8.1f} {r['cpu_ratio']:>9.1f} {r['peak_mb']:>8.0f} {r['points']:>8} {r['verdict']} "
            f"({'exact' if r['exact'] else 'not exact'}, {r['method']}, margin {r['margin']:.3g})",
            flush=True,
        )


if __name__ == "__main__":
    main()
