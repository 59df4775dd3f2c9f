"""Batch work on 1 vs 2 workers, local processes vs a Dask cluster, and chunked reduction.

Parts (each prints a Markdown table; medians over --repeats runs):

- ``sweep``: a sweep of 64 solves (8 x 8 grid of lam_in, lam_out on the 2-D cut corner, blocks of 8
  points) with the default runner (local processes) and on a Dask LocalCluster, 1 and 2 workers;
- ``verify``: ``verify_code`` with 8 seeds, the same four runners;
- ``overhead``: wall time per trivial task (500 tasks returning their argument) on each runner,
  minus the same loop in this process: the scheduler's cost per task;
- ``reduce``: an (n, 3) float64 array stored as .npy chunks on disk, reduced by
  ``Sources.from_dask`` on a two-worker LocalCluster against one pass in one process over the same
  chunks (``Sources.from_chunks`` of the memory-mapped files) and against the numpy floor (a column
  sum of every chunk); peak resident memory of each process.

    python benchmarks/scale_out.py --part sweep verify overhead --repeats 3
    python benchmarks/scale_out.py --part reduce --rows 1e8 --chunk-rows 2e6 --repeats 1
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from biomodular import Sources, examples
from biomodular.execution import run_tasks
from biomodular.solvers.sweep import sweep
from biomodular.verify.compare import verify_code
from check_scaling import median_time  # benchmarks/ is on the path when run as a script


#: Dask's workers start with MALLOC_TRIM_THRESHOLD_=65536 (to hand memory back to the system), which
#: also fixes glibc's mmap threshold: every block temporary of the reduction is then mapped and
#: unmapped.  These settings keep both thresholds large (measured as "dask, malloc tuned").
MALLOC_TUNED = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 1 << 30,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 1 << 25,
}


def cluster(workers: int, config: dict | None = None):
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config or {}):
        local = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        )
    return local, Client(local)


def identity(x):
    return x


def runners(workers: int):
    """(name, executor or None, processes, closer) for the default runner and Dask."""
    local, client = cluster(workers)
    client.run(lambda: __import__("biomodular.solvers.program"))  # warm the workers' imports
    return [
        ("local processes", None, workers, lambda: None),
        ("dask", client.get_executor(), None, lambda: (client.close(), local.close())),
    ]


def part_batches(repeats: int) -> None:
    samples, names = examples.load("cut-corner", seed=0)
    cut = Sources.from_samples(samples)
    lam = np.geomspace(0.1, 10, 8)
    verify_samples = samples[:2000]

    def the_sweep(executor, processes):
        return sweep(cut, lam_in=lam, lam_out=lam, chunk_size=8, executor=executor, processes=processes, progress=False)

    def the_verify(executor, processes):
        return verify_code(
            verify_samples, names, seeds=8, max_steps=4000, executor=executor, processes=processes, progress=False
        )

    results: dict = {}
    reference: dict = {}
    for workers in (1, 2):
        for name, executor, processes, close in runners(workers):
            for label, work in (("sweep of 64 solves", the_sweep), ("verify, 8 seeds", the_verify)):
                out = work(executor, processes)  # warm-up, and the result to compare
                key = (label, name, workers)
                results[key] = median_time(lambda: work(executor, processes), repeats)
                if label.startswith("sweep"):
                    rows = [{k: v for k, v in r.items() if k != "seconds"} for r in out]
                else:
                    rows = [(r.seed, r.loss, r.gap) for r in out.runs]
                reference.setdefault(label, rows)
                assert rows == reference[label], f"{label} differs on {name} with {workers} workers"
            close()
    print("| work | runner | 1 worker (s) | 2 workers (s) | speed-up | vs local processes, 2 workers |")
    print("|---|---|---|---|---|---|")
    for label in ("sweep of 64 solves", "verify, 8 seeds"):
        for name in ("local processes", "dask"):
            one, two = results[(label, name, 1)], results[(label, name, 2)]
            base = results[(label, "local processes", 2)]
            print(f"| {label} | {name} | {one:.2f} | {two:.2f} | {one / two:.2f} | {two / base:.2f} |", flush=True)
    print("every runner gave the identical table (checked)")


def part_overhead(repeats: int, n: int = 500) -> None:
    tasks = [(i,) for i in range(n)]
    here = median_time(lambda: [identity(i) for i in range(n)], repeats)
    print(f"| runner | workers | s per task ({n} trivial tasks) |")
    print("|---|---|---|")
    print(f"| this process (loop) | - | {here / n:.2e} |")
    for workers in (1, 2):
        for name, executor, processes, close in runners(workers):
            t = median_time(
                lambda: run_tasks(identity, tasks, executor=executor, processes=processes, show=False), repeats
            )
            print(f"| {name} | {workers} | {(t - here) / n:.2e} |", flush=True)
            close()


def write_chunks(folder: str, rows: int, chunk_rows: int) -> None:
    rng = np.random.default_rng(0)
    done, index = 0, 0
    while done < rows:
        m = min(chunk_rows, rows - done)
        X = rng.uniform(-1, 1, (m, 3))
        X[X.sum(axis=1) < -1.5] *= 0.5  # a cut corner: the hull is not the box
        np.save(os.path.join(folder, f"part{index:05d}.npy"), X)
        done, index = done + m, index + 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_process(folder: str, floor: bool) -> tuple[float, float, object]:
    """In a fresh process: seconds and peak MB of one pass over the chunks."""
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    start = time.perf_counter()
    if floor:
        total = sum(np.load(f, mmap_mode="r").sum(axis=0) for f in files)
        out = total
    else:
        out = Sources.from_chunks(np.load(f, mmap_mode="r") for f in files)
    return time.perf_counter() - start, peak_mb(), out


def part_reduce(rows: int, chunk_rows: int, repeats: int, where: str | None) -> None:
    from biomodular.chunked import open_chunked

    folder = tempfile.mkdtemp(prefix="biomodular-chunks-", dir=where)
    try:
        start = time.perf_counter()
        write_chunks(folder, rows, chunk_rows)
        gigabytes = rows * 3 * 8 / 1e9
        print(
            f"wrote {rows:.3g} x 3 float64 ({gigabytes:.2f} GB) in chunks of {chunk_rows:.3g} rows "
            f"in {time.perf_counter() - start:.1f} s"
        )
        floor, one = [], []
        dask_times: dict[str, list] = {"dask": [], "dask, malloc tuned": []}
        worker_mb: dict[str, list] = {}
        for _ in range(repeats):
            with ProcessPoolExecutor(1) as pool:
                t, mb_floor, _ = pool.submit(one_process, folder, True).result()
                floor.append(t)
            with ProcessPoolExecutor(1) as pool:
                t, mb_one, want = pool.submit(one_process, folder, False).result()
                one.append(t)
            for name, config in (("dask", None), ("dask, malloc tuned", MALLOC_TUNED)):
                local, client = cluster(2, config)
                client.run(lambda: __import__("biomodular.sources"))  # warm the workers' imports
                array, _ = open_chunked(folder)
                start = time.perf_counter()
                got = Sources.from_dask(array)
                dask_times[name].append(time.perf_counter() - start)
                worker_mb[name] = sorted(client.run(peak_mb).values())
                client.close()
                local.close()
                rel = np.abs(got.cov - want.cov).max() / np.abs(want.cov).max()
                same = np.array_equal(np.unique(got.points, axis=0), np.unique(want.points, axis=0))
                assert rel < 1e-12 and same, (rel, same)
        f, o = statistics.median(floor), statistics.median(one)
        print(
            f"one process: numpy floor (column sums) {f:.1f} s, peak {mb_floor:.0f} MB; "
            f"reduction (Sources.from_chunks) {o:.1f} s, peak {mb_one:.0f} MB"
        )
        print(
            "| rows | runner | from_dask, 2 workers (s) | speed-up vs 1-process reduction | vs numpy floor "
            "| peak MB per worker |"
        )
        print("|---|---|---|---|---|---|")
        for name, times in dask_times.items():
            d = statistics.median(times)
            print(
                f"| {rows:.3g} | {name} | {d:.1f} | {o / d:.2f} | {d / f:.1f} | "
                f"{', '.join(f'{m:.0f}' for m in worker_mb[name])} |",
                flush=True,
            )
        print("moments agree to 1e-12 relative and the hull vertices are the same points (checked)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        nargs="+",
        default=["sweep", "verify", "overhead"],
        choices=["sweep", "verify", "overhead", "reduce"],
        help="sweep and verify run together",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--chunk-rows", type=float, default=2e6)
    parser.add_argument("--dir", default=None, help="where to write the chunks (default: the temp dir)")
    args = parser.parse_args()
    print(
        f"# {os.uname().machine}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    if "sweep" in args.part or "verify" in args.part:
        part_batches(args.repeats)
    if "overhead" in args.part:
        part_overhead(args.repeats)
    if "reduce" in args.part:
        part_reduce(int(args.rows), int(args.chunk_rows), args.repeats, args.dir)
    print(f"# load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
