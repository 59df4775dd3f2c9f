"""Command-line interface: argument parsing and printing only, no mathematics.

Each subcommand lives in its own module of this package and provides
``add_arguments(parser)`` and ``run(args) -> int``.  Those modules import the
heavy parts of biomodular inside ``run`` so that start-up stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from typing import NoReturn, Sequence

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


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (no usage block), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (each subcommand adds its own arguments)."""
    from .. import __version__

    parser = _Parser(
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


def _print_warnings(command: str, caught: list) -> None:
    """Each warning on one line of stderr (not Python's two-line form with source)."""
    for w in caught:
        text = " ".join(str(w.message).split())
        if issubclass(w.category, BiomodularWarning):
            print(f"biomodular {command}: warning: {text}", file=sys.stderr)
        else:
            print(f"biomodular {command}: warning: {w.category.__name__}: {text}", file=sys.stderr)


def _silence_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so that the
    interpreter's final flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``biomodular`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    # Warnings are collected and printed one line each after a result; a
    # command that ends in an error prints only its one error line.
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            status = int(args._run(args) or 0)
            sys.stdout.flush()
    except BiomodularError as exc:
        print(f"biomodular {args.command}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"biomodular {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as exc:
        if exc.filename is not None:
            raise
        # Writing the result to stdout failed (e.g. a full disk: > /dev/full).
        _silence_stdout()
        print(
            f"biomodular {args.command}: error: cannot write to standard output: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    _print_warnings(args.command, caught)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
