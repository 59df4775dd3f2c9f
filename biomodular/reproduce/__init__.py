"""Reproduce the papers' findings, one call each.

>>> from biomodular import reproduce
>>> reproduce.names()[:1]
['single-datapoint']
>>> outcome = reproduce.run("single-datapoint")      # doctest: +SKIP
>>> outcome.agrees, outcome.measured["margin_27"]    # doctest: +SKIP

Each finding states a paper's claim with explicit thresholds; ``run`` measures
the numbers the claim is about (small size by default, ``full=True`` for the
paper's size) and ``Outcome.agrees`` compares them with those thresholds.
See ``docs/reproduce.md`` for every finding with its figure and numbers.
"""

from __future__ import annotations

from .base import Check, Finding, Measurement, Outcome, prepare_output_dir, write_outcome
from .registry import get, names

__all__ = ["Check", "Finding", "Measurement", "Outcome", "get", "names", "run", "prepare_output_dir",
           "write_outcome"]


def run(name: str, full: bool = False, seed: int = 0) -> Outcome:
    """Run the finding ``name`` and compare it with the paper's claim.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    full : bool
        The paper's size instead of the small size (under two minutes on one core).
    seed : int
        Seed of every random choice (data and training); the same seed gives
        the same numbers bit for bit on the same machine.

    Returns
    -------
    Outcome
        ``measured`` numbers, ``checks`` and ``agrees``; ``to_dict()`` for JSON,
        ``figure(path)`` for the figure.
    """
    return get(name).run(full=full, seed=seed)
