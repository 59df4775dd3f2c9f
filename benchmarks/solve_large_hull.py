"""`solve` on large hulls against a dense-dictionary convex program, in the same process.

Data: k points on the unit sphere of R^d (every point a hull vertex; `solve_scaling.py`'s
data), autoencoder with lam_in = lam_out = 1.  Baseline: the same convex program over a FIXED
dictionary of N unit directions (the 2d axes plus N random ones), written as tightly as cvxpy
allows: the Gram matrix enters through one constant lift matrix (its upper triangle, d(d+1)/2 x N) instead of
`W^T diag(c) W`, and tr(G^-1) through the Schur complement, solved by Clarabel.  Its value is the
exact loss of the code it returns (an upper bound on the optimum; no certificate).  Ours:
`solve_code` (certified).  Every repeat builds the data afresh for both, so ours pays for the
hull, its faces and the verdict's check each time (a `Sources` keeps its hull, and the faces of a
hull are cached, so a second solve of the same object is faster).  Reported: medians over
--repeats, both values, our certified relative gap, status, rounds and exact whole-hull pricings,
and the time ratio ours / baseline (below 1: we are faster).

    python benchmarks/solve_large_hull.py [--repeats 3] [--sizes 1000 10000] [--dims 2 3 4 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from solve_scaling import sphere_sources
from biomodular import Sources
from biomodular.solvers.energy import code_loss, phi_values
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code


def dense_program(sources: Sources, n: int | np.ndarray, seed: int = 0) -> float:
    """Loss of the best code over a fixed dictionary: ``n`` random directions plus the axes, or
    the unit rows of ``n`` when it is an array."""
    import cvxpy as cp

    d = sources.n_sources
    if isinstance(n, np.ndarray):
        W = n / np.linalg.norm(n, axis=1, keepdims=True)
    else:
        W = np.vstack([np.eye(d), -np.eye(d), np.random.default_rng(seed).standard_normal((n, d))])
        W /= np.linalg.norm(W, axis=1, keepdims=True)
    phi = phi_values(sources.centred_points, sources.cov, W)
    lift = np.einsum("ki,kj->ijk", W, W).reshape(d * d, -1)  # column k: vec(w_k w_k^T)
    c = cp.Variable(W.shape[0], nonneg=True)
    G = cp.Variable((d, d), symmetric=True)
    Y = cp.Variable((d, d), symmetric=True)
    eye = np.eye(d)
    # One equation per entry of G's upper triangle: the lower triangle's rows repeat them, and
    # Clarabel called the repeated (dependent) rows infeasible or failed from five sources on.
    rows, cols = np.triu_indices(d)
    upper = cols * d + rows  # column-major positions of the upper triangle
    constraints = [cp.vec(G, order="F")[upper] == lift[upper] @ c, cp.bmat([[G, eye], [eye, Y]]) >> 0]
    problem = cp.Problem(cp.Minimize(phi @ c + cp.trace(G) + cp.trace(Y)), constraints)
    try:
        problem.solve(solver="CLARABEL")
    except cp.error.SolverError:  # numerical failure on some dictionaries: the first-order retry
        problem.solve(solver="SCS", eps=1e-9, max_iters=200_000)
    if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise RuntimeError(f"baseline status {problem.status}")
    weights = np.clip(c.value, 0.0, None)
    keep = weights > 1e-12 * weights.max()
    T = np.sqrt(weights[keep])[:, None] * W[keep]
    return float(code_loss(sources, Problem.autoencoder(1.0, 1.0), T)["value"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--dictionary", type=int, default=2000)
    args = parser.parse_args()
    exact_calls = _count_exact_pricings()
    print(
        "| d | hull vertices | baseline N | baseline value | our value | certified rel. gap | status "
        "| pricing | rounds | exact pricings | baseline (s) | ours (s) | ours / baseline |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in args.dims:
        solve_code(sphere_sources(d, 10))  # compile the restricted program of this dimension once
        dense_program(sphere_sources(d, 10), 10)
        for k in args.sizes:
            t_base, t_ours = [], []
            for _ in range(args.repeats):
                sources = sphere_sources(d, k)
                start = time.perf_counter()
                base = dense_program(sources, args.dictionary)
                t_base.append(time.perf_counter() - start)
                sources = sphere_sources(d, k)  # a new object: no hull kept from the baseline's run
                exact_calls[0] = 0
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ours = solve_code(sources)
                t_ours.append(time.perf_counter() - start)
            b, o = statistics.median(t_base), statistics.median(t_ours)
            cert = ours.certificate
            print(
                f"| {d} | {k} | {args.dictionary + 2 * d} | {base:.10g} | {ours.value:.10g} | "
                f"{cert.relative_gap:.2g} | {ours.status} | {cert.pricing_method} | {ours.rounds} | "
                f"{exact_calls[0]} | {b:.3g} | {o:.3g} | {o / b:.3g} |",
                flush=True,
            )


def _count_exact_pricings() -> list[int]:
    """Count column generation's calls of the exact pricing (a counter in a one-item list)."""
    from biomodular.solvers import program

    count = [0]
    exact = program.min_quadratic_gap

    def counted(*args, **kwargs):
        count[0] += 1
        return exact(*args, **kwargs)

    program.min_quadratic_gap = counted  # type: ignore[assignment]
    return count


if __name__ == "__main__":
    main()
