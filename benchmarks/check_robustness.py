"""Time and peak memory of check on inputs that used to hang or blow up.

* circle:    n points on the unit circle (an angle encoded as cos and sin),
             every one a hull vertex: the two-source sector method and the
             reduction's hull must stay O(n log n).
* sphere:    n points on the unit sphere of R^3, every one a hull vertex: the
             reduction's interior filter drops none of them and must stand aside.
* saturated: 1e6 x 2 data with many rows exactly on the boundary (a clipped
             Gaussian, Poisson counts, an integer grid) and a cut box for
             reference; the target is within 5x of one numpy pass and a peak
             under twice the array.
* saturated, three and four sources: Poisson counts, an integer grid and a
             clipped Gaussian (many repeated rows and rows on the hull's faces).
* memory:    peak resident memory (the child process's ru_maxrss) of the
             reduction plus the decision for circles of 1e6 and 1e7 points,
             in a fresh process each, and of ``biomodular check`` streaming
             a 1e7-point circle from an ``.npy`` file.
* wide:      malformed wide files (50 rows x 3,000 columns, a transposed
             table) given to ``biomodular check``: the refusal's time and the
             process's peak resident memory.

Times are medians over repeats; "floor" is one numpy pass over the array
(``X.mean(axis=0)``), measured in the same process, and "ratio" is the
reduction plus the decision over that floor.  Peak memory of in-process
runs is tracemalloc's peak (numpy's allocations) over the array's size;
for the command line it is the child's ru_maxrss.  Usage::

    python benchmarks/check_robustness.py [--max-n 1e7] [--repeats 3] [--memory-n 1e6 1e7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from biomodular import Sources
from biomodular.solvers.check import check_modularity
from check_scaling import median_time  # benchmarks/ is on the path when run as a script


def measure(X: np.ndarray, repeats: int) -> dict:
    floor = median_time(lambda: X.mean(axis=0), max(repeats, 5))
    reduce_s, decide_s = [], []
    tracemalloc.start()
    for _ in range(repeats):
        start = time.perf_counter()
        sources = Sources.from_samples(X)
        middle = time.perf_counter()
        result = check_modularity(sources)
        reduce_s.append(middle - start)
        decide_s.append(time.perf_counter() - middle)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    total = float(np.median(np.add(reduce_s, decide_s)))
    return dict(
        floor=floor,
        reduce=float(np.median(reduce_s)),
        decide=float(np.median(decide_s)),
        ratio=total / floor,
        peak=peak / X.nbytes,
        vertices=sources.points.shape[0],
        verdict=result.verdict,
    )


def circle(n: int, seed: int = 0) -> np.ndarray:
    t = np.random.default_rng(seed).uniform(0, 2 * np.pi, n)
    return np.column_stack([np.cos(t), np.sin(t)])


def sphere(n: int, d: int, seed: int = 0) -> np.ndarray:
    """``n`` points on the unit sphere of ``R^d`` (every one a hull vertex)."""
    X = np.random.default_rng(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def saturated(kind: str, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "clipped Gaussian":
        return np.clip(rng.standard_normal((n, 2)), -1.5, 1.5)
    if kind == "Poisson counts":
        return rng.poisson(3.0, (n, 2)).astype(float)
    if kind == "integer grid":
        return rng.integers(0, 100, (n, 2)).astype(float)
    S = rng.uniform(-1.0, 1.0, (int(n * 1.04), 2))
    return np.ascontiguousarray(S[S.sum(axis=1) > -0.5][:n])


def saturated_nd(kind: str, n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "Poisson counts":
        return rng.poisson(3.0, (n, d)).astype(float)
    if kind == "integer grid":
        return rng.integers(0, 20, (n, d)).astype(float)
    return np.clip(rng.standard_normal((n, d)), -1.5, 1.5)


def circle_child(n: int) -> None:
    """In a fresh process: reduce and decide a circle of ``n`` points; print JSON."""
    import resource

    X = circle(n)
    start = time.perf_counter()
    sources = Sources.from_samples(X)
    middle = time.perf_counter()
    result = check_modularity(sources)
    print(
        json.dumps(
            dict(
                reduce=middle - start,
                decide=time.perf_counter() - middle,
                rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                array=X.nbytes / 2**20,
                vertices=int(sources.points.shape[0]),
                verdict=result.verdict,
            )
        )
    )


def cli_peak(args: list[str]) -> tuple[float, float, int, str]:
    """Wall time (s), peak RSS (MiB), exit status and last stderr line of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "biomodular", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = err.strip().splitlines()
    return (time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-n", type=float, nargs="*", default=[1e6, 1e7])
    parser.add_argument("--child-circle", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_circle:
        circle_child(int(args.child_circle))
        return
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"numpy {np.__version__}, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.1f}"
    )

    print("\n## circle")
    print(
        f"{'n':>9} {'floor ms':>9} {'reduce s':>9} {'decide s':>9} {'ratio':>7} {'peak/array':>10} "
        f"{'vertices':>9} verdict"
    )
    n = 10_000
    while n <= args.max_n:
        m = measure(circle(n), args.repeats if n <= 1_000_000 else 1)
        print(
            f"{n:>9} {m['floor'] * 1e3:>9.2f} {m['reduce']:>9.3f} {m['decide']:>9.3f} {m['ratio']:>7.1f} "
            f"{m['peak']:>10.2f} {m['vertices']:>9} {m['verdict']}"
        )
        n *= 10

    print("\n## sphere, three sources (one repeat past 1e5: qhull alone takes seconds)")
    print(
        f"{'n':>9} {'floor ms':>9} {'reduce s':>9} {'decide s':>9} {'ratio':>7} {'peak/array':>10} "
        f"{'vertices':>9} verdict"
    )
    n = 10_000
    while n <= args.max_n:
        m = measure(sphere(n, 3), args.repeats if n <= 100_000 else 1)
        print(
            f"{n:>9} {m['floor'] * 1e3:>9.2f} {m['reduce']:>9.3f} {m['decide']:>9.3f} {m['ratio']:>7.1f} "
            f"{m['peak']:>10.2f} {m['vertices']:>9} {m['verdict']}",
            flush=True,
        )
        n *= 10

    print("\n## saturated, n = 1e6 x 2")
    print(
        f"{'data':>18} {'floor ms':>9} {'reduce s':>9} {'decide s':>9} {'ratio':>7} {'peak/array':>10} "
        f"{'vertices':>9} verdict"
    )
    for kind in ("clipped Gaussian", "Poisson counts", "integer grid", "cut box"):
        m = measure(saturated(kind, 1_000_000), args.repeats)
        print(
            f"{kind:>18} {m['floor'] * 1e3:>9.2f} {m['reduce']:>9.3f} {m['decide']:>9.3f} {m['ratio']:>7.1f} "
            f"{m['peak']:>10.2f} {m['vertices']:>9} {m['verdict']}"
        )

    print("\n## saturated, three and four sources (reduction only)")
    print(f"{'data':>18} {'d':>2} {'n':>8} {'floor ms':>9} {'reduce s':>9} {'ratio':>7} {'vertices':>9}")
    for d, n in ((3, 1_000_000), (4, 300_000)):
        for kind in ("Poisson counts", "integer grid", "clipped Gaussian"):
            X = saturated_nd(kind, n, d)
            Sources.from_samples(X[:1000])  # imports (scipy.spatial) outside the timing
            floor = median_time(lambda: X.mean(axis=0), 5)
            seconds = median_time(lambda: Sources.from_samples(X), args.repeats)
            vertices = Sources.from_samples(X).points.shape[0]
            print(f"{kind:>18} {d:>2} {n:>8} {floor * 1e3:>9.2f} {seconds:>9.3f} {seconds / floor:>7.1f} {vertices:>9}")

    print("\n## peak resident memory, circle (fresh process each)")
    print(f"{'n':>9} {'array MiB':>10} {'peak MiB':>9} {'reduce s':>9} {'decide s':>9} {'vertices':>9} verdict")
    for n in args.memory_n:
        out = subprocess.run(
            [sys.executable, __file__, "--child-circle", str(int(n))], capture_output=True, text=True, check=True
        ).stdout
        m = json.loads(out.strip().splitlines()[-1])
        print(
            f"{int(n):>9} {m['array']:>10.0f} {m['rss']:>9.0f} {m['reduce']:>9.2f} {m['decide']:>9.2f} "
            f"{m['vertices']:>9} {m['verdict']}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        n = int(max(args.memory_n))
        path = os.path.join(tmp, "circle.npy")
        np.save(path, circle(n))
        seconds, peak, status, _ = cli_peak(["check", path, "--json"])
        print(
            f"streamed: `biomodular check circle.npy` ({n} points, {os.path.getsize(path) / 2**20:.0f} MiB): "
            f"{seconds:.1f} s, peak {peak:.0f} MiB, exit {status}"
        )

    print("\n## malformed wide files given to `biomodular check`")
    print(f"{'file':>24} {'time s':>7} {'peak MiB':>9} {'exit':>5}  message")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for rows, cols in ((50, 3_000), (9, 2_000)):
            path = os.path.join(tmp, f"wide_{rows}x{cols}.csv")
            np.savetxt(path, rng.standard_normal((rows, cols)), delimiter=",")
            seconds, peak, status, message = cli_peak(["check", path])
            print(f"{f'{rows} x {cols} CSV':>24} {seconds:>7.2f} {peak:>9.0f} {status:>5}  {message[:90]}")


if __name__ == "__main__":
    main()
