"""``biomodular reproduce``: run the papers' findings and say whether each agrees."""

from __future__ import annotations

import argparse
import json
import sys

from ._common import add_executor_arguments, executor_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular reproduce``."""
    parser.add_argument("name", nargs="*", help="findings to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the findings and exit")
    parser.add_argument("--all", action="store_true", help="run every finding")
    parser.add_argument(
        "--full",
        action="store_true",
        help="run at the paper's size (default: a small size, under two minutes on one core)",
    )
    parser.add_argument("--out", metavar="DIR", help="write NAME.png, NAME.md and NAME.json into DIR")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (a JSON array of them for several findings)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of data and training (default 0)")
    add_executor_arguments(parser, what="findings")


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular reproduce``; returns the exit status (0 whether or not the findings agree)."""
    from ..errors import BiomodularError
    from ..reproduce import get, names, prepare_output_dir, run_many, write_outcome

    if args.list:
        for name in names():
            finding = get(name)
            print(f"{name:22s} {finding.paper:24s} {finding.summary}")
        return 0
    chosen = names() if args.all else list(args.name)
    if args.all and args.name:
        raise BiomodularError("give finding names or --all, not both")
    if not chosen:
        raise BiomodularError("give a finding's name, --all, or --list to see them")
    if args.seed < 0:
        raise BiomodularError("--seed must be a non-negative integer")
    for name in chosen:
        get(name)  # unknown names are refused before any work
    out = prepare_output_dir(args.out) if args.out else None
    with executor_from_args(args) as executor:
        outcomes = run_many(chosen, full=args.full, seed=args.seed, executor=executor, processes=args.workers)
    if args.json:
        objects = [outcome.to_dict() for outcome in outcomes]
        print(json.dumps(objects[0] if len(objects) == 1 else objects))
    else:
        print("\n\n".join(outcome.text() for outcome in outcomes))
    sys.stdout.flush()
    if out is not None:
        paths = [path for outcome in outcomes for path in write_outcome(outcome, out)]
        if not args.json:
            print("written: " + ", ".join(str(p) for p in paths))
    return 0
