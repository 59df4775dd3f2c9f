"""Speed of reading a 1e6 x 2 CSV with biomodular.io, against numpy.loadtxt in the same process.

Baseline: ``numpy.loadtxt`` on the whole file (the fastest text parser numpy
has, with no checks, no chunking, the whole array in memory).  Measured:
``biomodular.io.iter_chunks`` (chunked, checked), with and without a column
selection, and the full one-pass reduction ``Sources.from_file``; also an
``.npy`` file read through the memory map, and a CSV as pandas writes a
DataFrame with its index and a quoted text column (baseline
``pandas.read_csv`` of the two numeric columns).  Medians of ``--repeat`` runs.

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


def _medians(candidates: dict, repeat: int) -> dict:
    """Median seconds of each candidate, runs interleaved so that load changes hit all alike."""
    times: dict = {k: [] for k in candidates}
    for _ in range(repeat):
        for k, fn in candidates.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


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
            m = _medians(
                {
                    "numpy.loadtxt whole file": lambda: np.loadtxt(csv, delimiter=",", skiprows=1),
                    "numpy.loadtxt, comments=None": lambda: np.loadtxt(csv, delimiter=",", skiprows=1, comments=None),
                    "iter_chunks": lambda: _drain(csv),
                    "iter_chunks columns=[b,a]": lambda: _drain(csv, columns=["b", "a"]),
                    "Sources.from_file": lambda: Sources.from_file(csv),
                },
                args.repeat,
            )
            base = m["numpy.loadtxt whole file"]
            print(f"CSV {label}")
            for k, v in m.items():
                print(f"  {k:30s} {v:7.3f} s  ratio {v / base:5.2f}")
        m = _medians(
            {"numpy.load whole file": lambda: np.load(npy).sum(), "iter_chunks (memory map)": lambda: _drain(npy)},
            args.repeat,
        )
        base = m["numpy.load whole file"]
        print("NPY")
        for k, v in m.items():
            print(f"  {k:30s} {v:7.3f} s  ratio {v / base:5.2f}")
        _pandas_csv(tmp, data, args.repeat)


def _pandas_csv(tmp: Path, data: np.ndarray, repeat: int) -> None:
    """A DataFrame written by pandas: index column, two numbers, a quoted text field holding a comma."""
    try:
        import pandas as pd
    except ImportError:
        print("pandas CSV: skipped (pandas is not installed)")
        return
    frame = pd.DataFrame({"speed": data[:, 0], "heading": data[:, 1], "label": "trial, ok"})
    csv = tmp / "frame.csv"
    frame.to_csv(csv, float_format="%.8g")
    m = _medians(
        {
            "pandas.read_csv usecols": lambda: pd.read_csv(csv, usecols=["speed", "heading"]).to_numpy(),
            "iter_chunks columns=[speed,heading]": lambda: _drain(csv, columns=["speed", "heading"]),
        },
        repeat,
    )
    base = m["pandas.read_csv usecols"]
    print("CSV written by pandas (index, quoted text column), %.8g")
    for k, v in m.items():
        print(f"  {k:36s} {v:7.3f} s  ratio {v / base:5.2f}")


if __name__ == "__main__":
    main()
