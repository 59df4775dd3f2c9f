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

from concurrent.futures import Executor
from typing import Sequence

from ..errors import BiomodularError
from .base import Check, Finding, Measurement, Outcome, prepare_output_dir, write_outcome
from .registry import get, names

__all__ = [
    "Check",
    "Finding",
    "Measurement",
    "Outcome",
    "get",
    "names",
    "run",
    "run_many",
    "prepare_output_dir",
    "write_outcome",
]


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


def _run_one(name: str, full: bool, seed: int) -> Outcome:
    """What a worker runs for one finding (module level, so it pickles by reference)."""
    return get(name).run(full=full, seed=seed)


def run_many(
    finding_names: Sequence[str],
    full: bool = False,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    processes: int | None = None,
    show: bool | None = None,
) -> list[Outcome]:
    """Run several findings, side by side, and return their outcomes in the order given.

    Parameters
    ----------
    finding_names : sequence of str
        Names from :func:`names`; checked before any work starts.
    full, seed :
        As for :func:`run`; every finding gets the same seed, so each outcome
        equals ``run(name, full, seed)`` whichever process or cluster ran it.
    executor : concurrent.futures.Executor, optional
        Where the findings run, e.g. ``client.get_executor()`` of a
        ``dask.distributed.Client``.  Default: local processes.
    processes : int, optional
        Local processes when ``executor`` is None (1: run here, one after another).
    show : bool or None
        Progress bar (default: only on a terminal).

    Returns
    -------
    list of Outcome

    Raises
    ------
    BiomodularError
        For an unknown name, or when a finding's worker was lost.
    biomodular.execution.BatchInterrupted
        On Ctrl-C; its ``partial`` holds the outcomes that finished (None for the others).
    """
    from ..execution import BatchInterrupted, format_failure, run_tasks

    chosen = [str(n) for n in finding_names]
    if not chosen:
        raise BiomodularError("give at least one finding's name (see biomodular.reproduce.names())")
    for name in chosen:
        get(name)  # an unknown name is refused before any work
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BiomodularError(f"seed must be a non-negative integer; got {seed!r}")
    outcome = run_tasks(
        _run_one,
        [(name, bool(full), int(seed)) for name in chosen],
        executor=executor,
        processes=processes,
        desc="reproduce",
        unit="finding",
        show=show,
    )
    if outcome.interrupted:
        raise BatchInterrupted("reproduce: interrupted", partial=list(outcome.results))
    outcome.raise_first_error()
    if outcome.failures:
        raise BiomodularError("; ".join(f"{chosen[f.index]}: {format_failure(f)}" for f in outcome.failures))
    return list(outcome.results)
