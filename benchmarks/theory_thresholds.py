"""Exact cut thresholds (sympy, solved) against bisection on the numerical checker (baseline).

Run:  python benchmarks/theory_thresholds.py
Prints, for the cut-corner square and cube, the median time of each route over
repeated runs, their ratio, and the error of the bisection against the exact value.
"""

from __future__ import annotations

import platform
import statistics
import time

import numpy as np
import sympy as sp

from biomodular import Sources
from biomodular.solvers.check import check_modularity
from biomodular.theory.models import cut_box
from biomodular.theory.thresholds import facet_thresholds

C = sp.Symbol("c", real=True)


def exact(d: int) -> float:
    (thr,) = facet_thresholds(cut_box(d, C), C, d - 2, d)
    return thr.decimal


def bisection(d: int, tol: float = 1e-6) -> float:
    """Baseline: bisect on the verdict of check_modularity with the exact statistics."""
    lo, hi = float(d - 2) + 1e-6, float(d) - 1e-6

    def mixed(c: float) -> bool:
        num = cut_box(d, sp.nsimplify(c, rational=True)).numeric()
        src = Sources.from_statistics(num["mean"], num["cov"], num["vertices"])
        return check_modularity(src, tol=1e-9).verdict == "mixed"

    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mixed(mid) else (lo, mid)
    return (lo + hi) / 2


def median_time(fn, *args, repeats: int = 3):
    times, value = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        value = fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times), value


def main() -> None:
    print(
        f"machine: {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}, "
        f"sympy {sp.__version__}"
    )
    for d in (2, 3):
        t_exact, v_exact = median_time(exact, d)
        t_bis, v_bis = median_time(bisection, d)
        print(
            f"d={d}: exact c* = {v_exact:.12f} in {t_exact:.2f} s (median of 3); "
            f"bisection to 1e-6: {v_bis:.12f} in {t_bis:.2f} s; time ratio exact/bisection = "
            f"{t_exact / t_bis:.2f}; |bisection - exact| = {abs(v_bis - v_exact):.1e}"
        )


if __name__ == "__main__":
    main()
