"""`biomodular verify`: not yet available."""

from __future__ import annotations

import argparse

from ..errors import BiomodularError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments."""


def run(args: argparse.Namespace) -> int:
    """Run the subcommand."""
    raise BiomodularError("'biomodular verify' is not available in this version")
