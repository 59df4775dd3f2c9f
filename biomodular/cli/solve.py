"""``biomodular solve``: the optimal code of a dataset, exactly, with a certificate."""

from __future__ import annotations

import argparse
import time

from ._common import add_input_arguments, load_sources, print_json
from ._output import figure_path, write_after_result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular solve``."""
    add_input_arguments(parser, statistics=True)
    parser.add_argument(
        "--lam-in", type=float, default=1.0, metavar="X", help="encoder weight energy coefficient (default 1)"
    )
    parser.add_argument(
        "--lam-out", type=float, default=1.0, metavar="X", help="readout weight energy coefficient, > 0 (default 1)"
    )
    parser.add_argument(
        "--mixing", metavar="FILE", help="input mixing A (p x d matrix, .npy or .csv): the network sees x = A s"
    )
    parser.add_argument(
        "--readout", metavar="FILE", help="readout target B (q x d matrix, .npy or .csv): predict y = B s exactly"
    )
    parser.add_argument(
        "--fixed-variance", type=float, metavar="V", help="solve the fixed-variance problem instead: total variance V"
    )
    parser.add_argument(
        "--readout-budget",
        type=float,
        metavar="R",
        help="fixed-variance problem: bound on the readout weight energy (default 4 tr(B^T B) tr(C) / V)",
    )
    parser.add_argument(
        "--tol", type=float, default=None, help="relative optimality gap at which to stop (default 1e-6)"
    )
    parser.add_argument("--max-rounds", type=int, default=60, help="column-generation rounds (default 60)")
    parser.add_argument(
        "--solver",
        default="CLARABEL",
        choices=["CLARABEL", "SCS"],
        help="first solver to try; the other is the retry (default CLARABEL)",
    )
    parser.add_argument(
        "--pricing",
        default="auto",
        choices=["auto", "sector", "cones", "facets", "search"],
        help="pricing method (default auto: exact when the hull is small enough)",
    )
    parser.add_argument(
        "--max-faces", type=int, default=None, metavar="N", help="face budget of the exact cones pricing"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", metavar="PNG", help="save a figure of the neurons over the data")


def _read_matrix(path: str, what: str):
    from ..io import read_matrix

    return read_matrix(path, what)


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular solve``; returns the exit status."""
    from ..errors import BiomodularError

    started = time.perf_counter()
    plot_path = figure_path(args.plot)
    sources, samples = load_sources(args, statistics=True)
    from ..solvers.problem import Problem
    from ..solvers.program import DEFAULT_GAP_TOL, solve_code

    A = _read_matrix(args.mixing, "input mixing") if args.mixing else None
    B = _read_matrix(args.readout, "readout") if args.readout else None
    if args.fixed_variance is not None:
        if A is not None:
            raise BiomodularError("--mixing does not apply to the fixed-variance problem; drop it")
        problem = Problem.fixed_variance(args.fixed_variance, args.readout_budget, B=B)
    else:
        if args.readout_budget is not None:
            raise BiomodularError("--readout-budget needs --fixed-variance")
        problem = Problem.autoencoder(args.lam_in, args.lam_out, A=A, B=B)
    tol = DEFAULT_GAP_TOL if args.tol is None else args.tol
    if args.max_rounds < 1:
        raise BiomodularError("--max-rounds must be at least 1")
    result = solve_code(
        sources,
        problem,
        tol=tol,
        max_rounds=args.max_rounds,
        solver=args.solver,
        pricing=args.pricing,
        max_faces=args.max_faces,
        seed=args.seed,
    )
    total = time.perf_counter() - started
    if args.json:
        print_json(result, sources, total)
        _save_figure(plot_path, result, sources, samples)
        return 0
    print(result.table())
    data = f"{sources.n_samples} samples" if sources.n_samples is not None else "distribution"
    print(f"data           {data}, {sources.points.shape[0]} support points, from {sources.origin}")
    if plot_path:
        _save_figure(plot_path, result, sources, samples)
        print(f"figure         {plot_path}")
    return 0


def _save_figure(path, result, sources, samples) -> None:
    if path:
        from ..plot_code import plot_code

        write_after_result(lambda: plot_code(result, sources, path=path, samples=samples), "--plot", path)
