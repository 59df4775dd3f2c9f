"""Time of each reproduced finding at its small size (and, on request, its full size).

Each finding runs once per size (they take seconds to minutes; one run, not a
median).  Times are CPU seconds of this process and its worker processes
(training seeds run in local processes; numpy is pinned to one thread per
process below), so the CPU column is the time on one core, and wall seconds; the ratio column divides the CPU time by
a baseline measured in the same process, the median of 5 exact checks of the
bundled ``cut-corner`` example, so machines of different speed compare.

Run:  python benchmarks/reproduce_times.py [--small NAME ...] [--full NAME ...] [--skip-small]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from biomodular import examples, reproduce  # noqa: E402
from biomodular.solvers.check import check_modularity  # noqa: E402
from biomodular.sources import Sources  # noqa: E402


def baseline() -> float:
    samples, names = examples.load("cut-corner", seed=0)
    times = []
    for _ in range(5):
        t0 = time.process_time()
        check_modularity(Sources.from_samples(samples, names))
        times.append(time.process_time() - t0)
    return statistics.median(times)


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes (training seeds run in workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(name: str, full: bool) -> tuple[float, float, bool]:
    c0, w0 = _cpu(), time.perf_counter()
    outcome = reproduce.run(name, full=full)
    return _cpu() - c0, time.perf_counter() - w0, outcome.agrees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", nargs="*", default=[], metavar="NAME", help="also time these at full size")
    parser.add_argument(
        "--small",
        nargs="*",
        default=None,
        metavar="NAME",
        help="time only these at small size (default: every finding)",
    )
    parser.add_argument("--skip-small", action="store_true", help="time only the --full findings")
    args = parser.parse_args()
    base = baseline()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}")
    print(f"# baseline: exact check of cut-corner, median of 5: {base * 1e3:.1f} ms CPU")
    print("| finding | size | CPU s | wall s | CPU / baseline | agrees |")
    print("|---|---|---|---|---|---|")
    small = reproduce.names() if args.small is None else args.small
    runs = [] if args.skip_small else [(n, False) for n in small]
    runs += [(n, True) for n in args.full]
    for name, full in runs:
        cpu, wall, agrees = timed(name, full)
        print(
            f"| {name} | {'full' if full else 'small'} | {cpu:.1f} | {wall:.1f} | {cpu / base:.0f} | "
            f"{'yes' if agrees else 'no'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
