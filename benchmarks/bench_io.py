"""Speed of reading a 1e6 x 2 CSV with biomodular.io, against numpy.loadtxt in the same process.

Baseline: ``numpy.loadtxt`` on the whole file (the fastest text parser numpy
has, with no checks, no chunking, the whole array in memory).  Measured:
``biomodular.io.iter_chunks`` (chunked, checked), with and without a column
selection, and the full one-pass reduction ``Sources.from_file``; also an
``.npy`` file read through the memory map.  Medians of ``--repeat`` runs.

Run:  python benchmarks/bench_io.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from biomodular import Sources
from biomodular.io import iter_chunks


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _drain(path, **kw) -> int:
    _, chunks = iter_chunks(path, **kw)
    return sum(c.shape[0] for c in chunks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    data = rng.standard_normal((args.rows, 2))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        npy = tmp / "data.npy"
        np.save(npy, data)
        print(f"{args.rows} x 2, median of {args.repeat} runs")
        for label, fmt in [("%.8g (~22 bytes/row)", "%.8g"), ("%.17g (~40 bytes/row)", "%.17g")]:
            csv = tmp / "data.csv"
            np.savetxt(csv, data, delimiter=",", header="a,b", comments="", fmt=fmt)
            base = _median_seconds(lambda: np.loadtxt(csv, delimiter=",", skiprows=1), args.repeat)
            ours = _median_seconds(lambda: _drain(csv), args.repeat)
            cols = _median_seconds(lambda: _drain(csv, columns=["b", "a"]), args.repeat)
            full = _median_seconds(lambda: Sources.from_file(csv), args.repeat)
            print(f"CSV {label}: numpy.loadtxt whole file {base:.3f} s")
            print(f"  iter_chunks               {ours:.3f} s  ratio {ours / base:.2f}")
            print(f"  iter_chunks columns=[b,a] {cols:.3f} s  ratio {cols / base:.2f}")
            print(f"  Sources.from_file         {full:.3f} s  ratio {full / base:.2f}")
        base = _median_seconds(lambda: np.load(npy).sum(), args.repeat)
        ours = _median_seconds(lambda: _drain(npy), args.repeat)
        print(f"NPY: numpy.load whole file {base:.3f} s; iter_chunks (memory map) {ours:.3f} s  "
              f"ratio {ours / base:.2f}")


if __name__ == "__main__":
    main()
