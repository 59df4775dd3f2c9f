"""``biomodular check``: the modularity verdict for a data file or a bundled example."""

from __future__ import annotations

import argparse
import time

from ..name_lists import join_names, largest_terms
from ._common import add_input_arguments, load_sources, print_json
from ._output import figure_path, write_after_result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular check``."""
    add_input_arguments(parser)
    parser.add_argument("--list-examples", action="store_true", help="list the bundled examples and exit")
    parser.add_argument(
        "--tol",
        type=float,
        default=None,
        help="a modelling tolerance you choose, in units of beta^2: margins in [-TOL, 0] are "
        "called modular, marked not exact (default: none; the verdict is exact)",
    )
    parser.add_argument(
        "--method",
        default="auto",
        choices=["auto", "sector", "cones", "facets", "global", "search", "grid"],
        help="decision method (default: auto, the fastest exact one)",
    )
    parser.add_argument("--max-faces", type=int, default=None, metavar="N", help="face budget of the cones method")
    parser.add_argument(
        "--exact-advantage",
        action="store_true",
        help="solve the convex program for the exact mixing advantage (needs cvxpy, "
        "about a second); default: certified bounds in closed form",
    )
    parser.add_argument(
        "--no-sampling",
        action="store_true",
        help="skip the sampling analysis (what the samples say about their population; "
        "on by default for samples, never for statistics)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time budget of the global route for five or more sources (default 60); "
        "when it runs out the verdict is 'undetermined' with the best bound "
        "(with --method search: of its local polishing)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", metavar="PNG", help="save a figure of the verdict")


def _format_witness(result) -> str:
    if result.witness is None:
        return "none"
    terms = [(w, name) for w, name in zip(result.witness, result.names) if abs(w) >= 5e-5]
    shown = largest_terms(terms)  # --json has every one
    text = f"{shown[0][0]:.4f} {shown[0][1]}"
    for w, name in shown[1:]:
        text += f" {'-' if w < 0 else '+'} {abs(w):.4f} {name}"
    if len(shown) < len(terms):
        text += f" + ... ({len(terms) - len(shown)} smaller terms; --json lists them)"
    return f"{text}   (mixes {join_names(result.mixes, counted=True)}; {result.witness_angle:.3g} deg from the nearest axis)"


def _format_advantage(result) -> str:
    words = f"{result.advantage_words(3)} of the energy"
    if result.mixing_advantage is not None:
        return f"{words} ({result.mixing_advantage_method})"
    if result.mixing_advantage_bracket[1] is None:
        return f"{words} (certified lower bound; no upper bound without an exact margin)"
    return f"{words} (certified bracket; --exact-advantage solves for it)"


def _format_sampling(s) -> str:
    steps = ", ".join(f"{m:,}: {x:.2g}" for m, x in zip(s.sizes, s.median_margins))
    rate = "" if s.rate is None else f"; |margin| ~ n^-{s.rate:.2g}"
    return (
        f"population {s.population}: {s.reason}\n"
        f"          (median margin by sample size {steps}{rate}; {s.rows_used:,} random rows, seed {s.seed})"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular check``; returns the exit status."""
    if args.list_examples:
        from .. import examples

        for name in examples.names():
            print(f"{name:18s} {examples.describe(name)}")
        return 0
    started = time.perf_counter()
    plot_path = figure_path(args.plot)
    from ..solvers.population import Reservoir, check_with_sampling

    reservoir = None if args.no_sampling else Reservoir(seed=args.seed)
    sources, samples = load_sources(args, reservoir=reservoir)
    from ..solvers.gap import DEFAULT_MAX_FACES

    max_faces = DEFAULT_MAX_FACES if args.max_faces is None else args.max_faces
    result = check_with_sampling(
        sources,
        reservoir,
        seed=args.seed,
        tol=args.tol,
        method=args.method,
        max_faces=max_faces,
        advantage="exact" if args.exact_advantage else "bracket",
        time_limit=args.time_limit,
    )
    total = time.perf_counter() - started

    if args.json:
        print_json(result, sources, total)
        _save_figure(plot_path, sources, result, samples)
        return 0

    data = f"{sources.n_samples:,} samples" if sources.n_samples is not None else "statistics"
    kind = "exact" if result.exact else "not exact"
    bound = "" if result.margin_exact else "at most "
    upper = "" if result.margin_exact else "; an upper bound on the minimum: this method can miss a lower one"
    lines = [
        f"verdict   {result.verdict}   (exact for these {data})" if result.exact else f"verdict   {result.verdict}",
        f"margin    {bound}{result.margin:.6g}   (units of beta^2; rounding bound {result.rounding_bound:.1e}"
        + (f"; your tolerance {result.tolerance:g}" if result.tolerance is not None else "")
        + f"{upper})",
        f"witness   {_format_witness(result)}",
    ]
    if result.verdict in ("mixed", "tie"):
        lines.append(f"advantage {_format_advantage(result)}")
    if result.sampling is not None:
        lines.append(_format_sampling(result.sampling))
    lines += [
        f"method    {result.method} ({kind}): {result.certificate}",
        f"data      {data}, {sources.n_sources} sources ({join_names(sources.names)}) from {sources.origin}",
        f"time      {result.seconds:.3g} s to decide"
        + (f", {result.sampling.seconds:.3g} s for the sampling analysis" if result.sampling is not None else "")
        + f", {total:.3g} s in all",
    ]
    lines.append(f"in short  {result.summary()}")
    print("\n".join(lines))
    if plot_path:
        _save_figure(plot_path, sources, result, samples)
        print(f"figure    {plot_path}")
    return 0


def _save_figure(path, sources, result, samples) -> None:
    if path:
        from ..plots import plot_check

        write_after_result(lambda: plot_check(sources, result, path=path, samples=samples), "--plot", path)
