"""``biomodular check``: the modularity verdict for a data file or a bundled example."""

from __future__ import annotations

import argparse
import time

from ._common import add_input_arguments, load_sources, print_json
from ._output import figure_path, write_after_result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular check``."""
    add_input_arguments(parser)
    parser.add_argument("--list-examples", action="store_true", help="list the bundled examples and exit")
    parser.add_argument("--tol", type=float, default=None,
                        help="tolerance on the margin, in units of beta^2 (default 1e-2)")
    parser.add_argument("--method", default="auto",
                        choices=["auto", "sector", "cones", "facets", "search", "grid"],
                        help="decision method (default: auto, the fastest exact one)")
    parser.add_argument("--max-faces", type=int, default=None, metavar="N",
                        help="face budget of the cones method")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", metavar="PNG", help="save a figure of the verdict")


def _format_witness(result) -> str:
    if result.witness is None:
        return "none"
    terms = [(w, name) for w, name in zip(result.witness, result.names) if abs(w) >= 5e-5]
    text = f"{terms[0][0]:.4f} {terms[0][1]}"
    for w, name in terms[1:]:
        text += f" {'-' if w < 0 else '+'} {abs(w):.4f} {name}"
    return f"{text}   (mixes {', '.join(result.mixes)})"


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular check``; returns the exit status."""
    if args.list_examples:
        from .. import examples

        for name in examples.names():
            print(f"{name:18s} {examples.describe(name)}")
        return 0
    started = time.perf_counter()
    plot_path = figure_path(args.plot)
    sources, samples = load_sources(args)
    from ..solvers.check import DEFAULT_TOL, check_modularity
    from ..solvers.gap import DEFAULT_MAX_FACES

    tol = DEFAULT_TOL if args.tol is None else args.tol
    max_faces = DEFAULT_MAX_FACES if args.max_faces is None else args.max_faces
    result = check_modularity(sources, tol=tol, method=args.method, max_faces=max_faces, seed=args.seed)
    total = time.perf_counter() - started

    if args.json:
        print_json(result, sources, total)
        _save_figure(plot_path, sources, result, samples)
        return 0

    data = (f"{sources.n_samples} samples" if sources.n_samples is not None else "distribution")
    kind = "exact" if result.exact else "not exact"
    lines = [
        f"verdict   {result.verdict}",
        f"margin    {result.margin:.6g}   (tolerance {result.tolerance:g}, in units of beta^2)",
        f"witness   {_format_witness(result)}",
    ]
    if result.tie_gap is not None and result.verdict == "borderline" and result.margin > -1e-9:
        lines.append(f"near-tie  gap {result.tie_gap:.3g} at {result.tie_angle:.1f} deg from the axes")
    lines += [
        f"method    {result.method} ({kind}): {result.certificate}",
        f"data      {data}, {sources.n_sources} sources ({', '.join(sources.names)}) from {sources.origin}",
        f"time      {result.seconds:.3g} s to decide, {total:.3g} s in all",
    ]
    print("\n".join(lines))
    if plot_path:
        _save_figure(plot_path, sources, result, samples)
        print(f"figure    {plot_path}")
    return 0


def _save_figure(path, sources, result, samples) -> None:
    if path:
        from ..plots import plot_check

        write_after_result(lambda: plot_check(sources, result, path=path, samples=samples), "--plot", path)
