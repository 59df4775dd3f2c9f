"""`biomodular prove`: print machine-checked proofs of the theorems."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import BiomodularError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments."""
    parser.add_argument("name", nargs="?", help="theorem to prove (see --list)")
    parser.add_argument(
        "--list",
        action="store_true",
        help="check every theorem and list it: name, status, lemmas and axioms it rests on",
    )
    parser.add_argument(
        "--format",
        choices=("md", "tex"),
        default="md",
        help="output format: Markdown (default) or a standalone LaTeX document",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the formal statement, hypotheses, axioms and every step with its premises, "
        "method and both checkers' verdicts as JSON",
    )
    parser.add_argument("--out", metavar="FILE", help="write the proof to FILE instead of standard output")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random evaluation points (default 0)")


def _list(seed: int) -> int:
    from ..progress import progress
    from ..theory.catalogue import get, names

    rows, failed = [], 0
    for name in progress(names(), desc="checking", unit="theorem"):
        proof = get(name)
        ok = proof.check(seed=seed).ok
        failed += not ok
        lemmas = ",".join(proof.lemmas()) or "-"
        axioms = ",".join(proof.axioms()) or "-"
        rows.append((name, "proved" if ok else "NOT-PROVED", f"lemmas={lemmas}", f"axioms={axioms}", proof.title))
    width = max(len(r[0]) for r in rows)
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:<10}  {r[2]}  {r[3]}  {r[4]}")
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    """Print the list or one proof; exit 0 only if the proof is accepted, 1 otherwise."""
    from ..theory.catalogue import CATALOGUE

    if args.list:
        return _list(args.seed)
    if not args.name:
        raise BiomodularError("give a theorem name; run 'biomodular prove --list' to see the names")
    if args.name not in CATALOGUE:
        raise BiomodularError(f"unknown theorem {args.name!r}; run 'biomodular prove --list' to see the names")
    from ..theory import prove
    from ._output import writable_file

    if args.out:
        writable_file(args.out, "--out")

    proof = prove(args.name, seed=args.seed)
    if args.json:
        text = json.dumps(proof.to_dict(seed=args.seed), indent=2)
    elif args.format == "tex":
        text = proof.to_latex(standalone=True)
    else:
        text = proof.to_markdown()
    text = text.rstrip("\n") + "\n"
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            sys.stdout.write(text)  # the proof is not lost
            raise BiomodularError(
                f"the proof above is complete, but --out {args.out!r} could not be written: {exc.strerror}"
            ) from None
    else:
        sys.stdout.write(text)
    result = proof.check(seed=args.seed)
    if not result.ok:
        print(
            f"biomodular prove: {args.name} is not proved ({result.n_failed} step(s) failed; "
            f"{'; '.join(result.problems) or 'see the output'})",
            file=sys.stderr,
        )
        return 1
    return 0
