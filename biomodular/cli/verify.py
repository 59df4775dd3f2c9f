"""``biomodular verify``: train numpy linear codes from several seeds and compare them with the exact optimum."""

from __future__ import annotations

import argparse

from ._common import add_executor_arguments, add_input_arguments, executor_from_args, load_samples
from ._output import write_after_result, writable_directory


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular verify``."""
    add_input_arguments(parser, scheduler_for="the training seeds")
    parser.add_argument("--seeds", type=int, default=5, metavar="N", help="training seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--model",
        choices=["exact", "learned"],
        default="exact",
        help="exact: pseudo-inverse readout (default); learned: trained readout with soft penalties",
    )
    parser.add_argument("--lam-in", type=float, default=1.0, help="encoder weight-energy coefficient (default 1)")
    parser.add_argument("--lam-out", type=float, default=1.0, help="readout weight-energy coefficient (default 1)")
    parser.add_argument(
        "--neurons", type=int, default=None, metavar="N", help="number of neurons (default 2 * (d(d+1)/2 + 1))"
    )
    parser.add_argument("--beta-nonneg", type=float, default=1e4, help="nonnegativity penalty weight (default 1e4)")
    parser.add_argument("--lr", type=float, default=1e-2, help="Adam step size (default 1e-2)")
    parser.add_argument("--batch-size", type=int, default=512, help="minibatch size; 0 = full batch (default 512)")
    parser.add_argument("--max-steps", type=int, default=30_000, help="cap on training steps (default 30000)")
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-4,
        help="relative change of the window-averaged loss that counts as converged (default 1e-4)",
    )
    parser.add_argument(
        "--angle-tol",
        type=float,
        default=5.0,
        help="degrees from the nearest axis above which a neuron is mixed (default 5)",
    )
    parser.add_argument(
        "--estimator",
        choices=["binned", "knn"],
        default="binned",
        help="mutual-information estimator for MIR (default binned)",
    )
    parser.add_argument("--bins", type=int, default=20, help="bins of the binned estimator (default 20)")
    parser.add_argument("--k", type=int, default=3, help="neighbours of the knn estimator (default 3)")
    parser.add_argument(
        "--max-samples",
        type=int,
        default=None,
        metavar="N",
        help="train and solve on a seeded random subset of N samples",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--report", metavar="DIR", help="write a Markdown report with figures to DIR")
    parser.add_argument("--force", action="store_true", help="overwrite an existing report in --report DIR")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_executor_arguments(parser, what="seeds", scheduler=False)


def _load(args) -> tuple:
    import numpy as np

    from ..errors import BiomodularError

    samples, names = load_samples(args)
    if args.max_samples is not None:
        if args.max_samples < 3:
            raise BiomodularError("--max-samples must be at least 3")
        if samples.shape[0] > args.max_samples:
            rng = np.random.default_rng(args.seed)
            samples = samples[np.sort(rng.choice(samples.shape[0], args.max_samples, replace=False))]
    return samples, names


def _refuse_overwrite(directory: str, force: bool) -> None:
    """An existing report is replaced only when asked (checked before any work)."""
    from pathlib import Path

    from ..errors import BiomodularError

    existing = [name for name in ("report.md", "result.json") if (Path(directory) / name).exists()]
    if existing and not force:
        raise BiomodularError(
            f"--report {directory!r} already holds a report ({existing[0]}); "
            "choose another directory or pass --force to overwrite it"
        )


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular verify``; returns the exit status."""
    from ..errors import BiomodularError
    from ..verify.compare import verify_code
    from ..verify.metrics import KNN, Binned

    from ..verify.compare import MAX_SEEDS

    if not 1 <= args.seeds <= MAX_SEEDS:
        raise BiomodularError(f"--seeds must be between 1 and {MAX_SEEDS}; got {args.seeds}")
    if args.batch_size < 0:
        raise BiomodularError("--batch-size must be positive, or 0 for the full batch")
    if args.report:
        writable_directory(args.report, "--report")
        _refuse_overwrite(args.report, args.force)
    samples, names = _load(args)
    estimator = Binned(args.bins) if args.estimator == "binned" else KNN(k=args.k, seed=args.seed)
    with executor_from_args(args) as executor:
        result = verify_code(
            samples,
            names,
            seeds=args.seeds,
            model=args.model,
            lam_in=args.lam_in,
            lam_out=args.lam_out,
            n_neurons=args.neurons,
            beta_nonneg=args.beta_nonneg,
            lr=args.lr,
            batch_size=None if args.batch_size == 0 else args.batch_size,
            max_steps=args.max_steps,
            tol=args.tol,
            angle_tol=args.angle_tol,
            estimator=estimator,
            progress=False if args.quiet else None,
            executor=executor,
            processes=args.workers,
        )
    if args.json:
        from ..strict_json import dumps

        print(dumps(result.to_dict()))
    else:
        print(result.table())
    if args.report:
        from ..verify.report import write_report

        origin = f"example {args.example}" if args.example else str(args.path)
        write_after_result(
            lambda: write_report(result, samples, args.report, title=f"biomodular verify: {origin}"),
            "--report",
            args.report,
        )
        if not args.json:
            print(f"report written to {args.report}/report.md")
    return 0
