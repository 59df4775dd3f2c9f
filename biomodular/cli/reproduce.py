"""``biomodular reproduce``: run one of the papers' findings and say whether it agrees."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular reproduce``."""
    parser.add_argument("name", nargs="?", help="finding to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the findings and exit")
    parser.add_argument("--full", action="store_true",
                        help="run at the paper's size (default: a small size, under two minutes on one core)")
    parser.add_argument("--out", metavar="DIR", help="write NAME.png, NAME.md and NAME.json into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=0, help="seed of data and training (default 0)")


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular reproduce``; returns the exit status (0 whether or not the finding agrees)."""
    from ..errors import BiomodularError
    from ..reproduce import get, names, prepare_output_dir, write_outcome

    if args.list:
        for name in names():
            finding = get(name)
            print(f"{name:22s} {finding.paper:24s} {finding.summary}")
        return 0
    if args.name is None:
        raise BiomodularError("give a finding's name, or --list to see them")
    if args.seed < 0:
        raise BiomodularError("--seed must be a non-negative integer")
    finding = get(args.name)
    out = prepare_output_dir(args.out) if args.out else None
    outcome = finding.run(full=args.full, seed=args.seed)
    if args.json:
        print(json.dumps(outcome.to_dict()))
    else:
        print(outcome.text())
    sys.stdout.flush()
    if out is not None:
        paths = write_outcome(outcome, out)
        if not args.json:
            print("written: " + ", ".join(str(p) for p in paths))
    return 0
