"""Command-line interface: argument parsing and printing only, no mathematics.

Each subcommand lives in its own module of this package and provides
``add_arguments(parser)`` and ``run(args) -> int``.  Those modules import the
heavy parts of biomodular inside ``run`` so that start-up stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from typing import Sequence

from ..errors import BiomodularError, BiomodularWarning

#: subcommand -> one-line help
SUBCOMMANDS = {
    "check": "decide whether the optimal nonnegative code of a dataset is modular or mixed",
    "solve": "solve for the optimal code exactly (convex program with a certificate)",
    "prove": "print machine-checked proofs of the theorems",
    "verify": "train numpy networks and compare them with the exact optimum",
    "reproduce": "reproduce a finding of the papers and say whether it agrees",
    "batch": "check, solve or verify many data files (locally or on a Dask cluster), one row per file",
}


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (each subcommand adds its own arguments)."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="biomodular",
        description="Will an efficient, nonnegative neural code of these sources be modular or mixed?",
    )
    parser.add_argument("--version", action="version", version=f"biomodular {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        module = importlib.import_module(f"{__name__}.{name}")
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def _one_line_warning(command: str):
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, BiomodularWarning):
            print(f"biomodular {command}: warning: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``biomodular`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            # A result that is not certified says so in its status; on stderr, one line.
            warnings.simplefilter("default", BiomodularWarning)
            warnings.showwarning = _one_line_warning(args.command)
            return int(args._run(args) or 0)
    except BiomodularError as exc:
        print(f"biomodular {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"biomodular {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
