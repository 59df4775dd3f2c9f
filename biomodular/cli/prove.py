"""`biomodular prove`: print machine-checked proofs of the theorems."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import BiomodularError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments."""
    parser.add_argument("name", nargs="?", help="theorem to prove (see --list)")
    parser.add_argument("--list", action="store_true", help="list the theorems, one per line, name first")
    parser.add_argument("--format", choices=("md", "tex"), default="md",
                        help="output format: Markdown (default) or LaTeX")
    parser.add_argument("--out", metavar="FILE", help="write the proof to FILE instead of standard output")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random evaluation points (default 0)")


def run(args: argparse.Namespace) -> int:
    """Print the list or one proof; exit 0 only if every step checked, 1 otherwise."""
    from ..theory.catalogue import CATALOGUE, titles

    if args.list:
        for name, title in titles().items():
            print(f"{name}  {title}")
        return 0
    if not args.name:
        raise BiomodularError("give a theorem name; run 'biomodular prove --list' to see the names")
    if args.name not in CATALOGUE:
        raise BiomodularError(f"unknown theorem {args.name!r}; run 'biomodular prove --list' to see the names")
    from ..theory import prove
    from ._output import writable_file

    if args.out:
        writable_file(args.out, "--out")
    proof = prove(args.name, seed=args.seed)
    text = proof.to_markdown() if args.format == "md" else proof.to_latex()
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            sys.stdout.write(text + "\n")  # the proof is not lost
            raise BiomodularError(
                f"the proof above is complete, but --out {args.out!r} could not be written: {exc.strerror}"
            ) from None
    else:
        sys.stdout.write(text + "\n")
    result = proof.check(seed=args.seed)
    if not result.ok:
        print(f"biomodular prove: {result.n_failed} step(s) of {args.name} failed to check", file=sys.stderr)
        return 1
    return 0
