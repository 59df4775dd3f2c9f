"""`solve` with five and six sources: certified status, time, and a dense-dictionary bracket.

Data: uniform samples on [0, 1]^d keeping the rows with sum >= 0.5 (`cut`) or with the first
two sources' sum >= 0.5 (`corner`).  Autoencoder with lam_in = lam_out = 1, tol = 1e-6.  For
each case: our certified value, lower bound and status, and the value of the dense-dictionary
program of `solve_large_hull.py` (N random directions; an upper bound on the optimum) run in
the same process: the certificate's lower bound must be below it and our value not above it.

    python benchmarks/solve_many_sources.py [--repeats 1] [--samples 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from solve_large_hull import dense_program
from biomodular import Sources
from biomodular.solvers.program import solve_code


def samples(d: int, n: int, kind: str, seed: int) -> Sources:
    S = np.random.default_rng(seed).uniform(0, 1, (n, d))
    keep = S.sum(1) >= 0.5 if kind == "cut" else S[:, :2].sum(1) >= 0.5
    return Sources.from_samples(S[keep])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--dictionary", type=int, default=2000)
    args = parser.parse_args()
    solve_code(samples(5, 200, "cut", 0))  # compile and import once
    print(
        "| d | data | support points | status | pricing | rounds | value | lower bound | dense value "
        "| ours (s) | dense (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for d in (5, 6):
        for kind in ("cut", "corner"):
            sources = samples(d, args.samples, kind, d)
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = solve_code(sources)
                times.append(time.perf_counter() - start)
            start = time.perf_counter()
            try:
                dense = dense_program(sources, args.dictionary)
            except Exception:  # both conic solvers failed on this dictionary: no bracket (printed as nan)
                dense = float("nan")
            t_dense = time.perf_counter() - start
            cert = result.certificate
            assert np.isnan(dense) or (cert.lower_bound <= dense and result.value <= dense * (1 + 1e-9))
            print(
                f"| {d} | {kind} | {sources.points.shape[0]} | {result.status} | {cert.pricing_method} | "
                f"{result.rounds} | {result.value:.10g} | {cert.lower_bound:.10g} | {dense:.10g} | "
                f"{statistics.median(times):.3g} | {t_dense:.3g} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
