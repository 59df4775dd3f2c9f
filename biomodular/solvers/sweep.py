"""Sweeps of the optimal code over coefficients and datasets.

Each worker builds the cvxpy program of a dataset once (its coefficients are
Parameters, docs/mathematics.md, "Solving for the optimal code exactly") and re-solves it for a block of coefficient values,
carrying the column dictionary from one solve to the next.  Blocks are fixed
before any work starts and results are put back in input order, so a sweep
gives the same table whatever the number of processes.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import BiomodularError
from ..execution import BatchInterrupted, format_failure, run_tasks
from ..sources import Sources, as_sources
from ..tables import RowTable

__all__ = ["sweep", "SweepTable", "SWEEPABLE"]

#: Problem coefficients a sweep can vary.
SWEEPABLE = ("lam_in", "lam_out", "variance", "readout_budget")

COLUMNS = (
    "dataset",
    "lam_in",
    "lam_out",
    "variance",
    "readout_budget",
    "value",
    "modular_value",
    "mixed",
    "n_neurons",
    "n_mixed",
    "status",
    "relative_gap",
    "rounds",
    "seconds",
)


@dataclass(frozen=True)
class SweepTable(RowTable):
    """Rows of a sweep, one per (dataset, coefficients), in input order.

    Attributes
    ----------
    rows : tuple of dict
        Each row has the keys of :data:`COLUMNS`.
    results : tuple of CodeResult or None
        The full results when the sweep was run with ``keep_results=True``.
    seconds : float
        Wall time of the whole sweep.
    """

    rows: tuple[dict, ...]
    results: tuple | None = None
    seconds: float = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"columns": [...], "rows": [...]}``."""
        return {"columns": list(COLUMNS), "rows": [dict(r) for r in self.rows], "seconds": self.seconds}

    def to_csv(self, path: str | os.PathLike | None = None) -> str:
        """CSV text (written to ``path`` too when given)."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: ("" if row[k] is None else row[k]) for k in COLUMNS})
        text = buffer.getvalue()
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    def __repr__(self) -> str:
        shown = [c for c in COLUMNS if any(r[c] is not None for r in self.rows)]
        shown = [c for c in shown if c not in ("seconds",)]
        cells = [[_cell(r[c]) for c in shown] for r in self.rows[:20]]
        widths = [max([len(c)] + [len(x[i]) for x in cells]) for i, c in enumerate(shown)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(shown, widths))]
        lines += ["  ".join(x.ljust(w) for x, w in zip(row, widths)) for row in cells]
        if len(self.rows) > 20:
            lines.append(f"... {len(self.rows) - 20} more rows")
        return f"SweepTable({len(self.rows)} rows, {self.seconds:.3g} s)\n" + "\n".join(lines)


def _cell(x) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def _values(name: str, values) -> list[float] | None:
    if values is None:
        return None
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise BiomodularError(f"{name} must be a number or a non-empty list of finite numbers")
    return [float(x) for x in array]


def sweep(
    sources: Sources | Sequence[Sources] | Mapping[str, Sources],
    problem=None,
    *,
    lam_in=None,
    lam_out=None,
    variance=None,
    readout_budget=None,
    processes: int | None = None,
    executor=None,
    chunk_size: int = 8,
    progress: bool | None = None,
    keep_results: bool = False,
    seed: int = 0,
    **solve_options,
) -> SweepTable:
    """Solve the optimal code over a grid of coefficients and/or several datasets.

    Parameters
    ----------
    sources : Sources, list of Sources, or dict name -> Sources
        The dataset(s).
    problem : Problem, optional
        The base problem (default: autoencoder, ``lam_in = lam_out = 1``).
    lam_in, lam_out, variance, readout_budget : float or sequence of float, optional
        Coefficient values; the sweep runs over their Cartesian product
        (coefficients not given keep the base problem's value).
    processes : int, optional
        Worker processes (default: ``min(os.cpu_count(), number of blocks)``);
        1 runs everything in this process.
    executor : concurrent.futures.Executor, optional
        Run the blocks there instead, e.g. ``client.get_executor()`` of a
        ``dask.distributed.Client`` (see :func:`biomodular.execution.run_tasks`).
        The table is the same whichever executor runs it.
    chunk_size : int
        Coefficient points per block; each block builds its program once.
    progress : bool, optional
        Progress bar on stderr (default: only when stderr is a terminal).
    keep_results : bool
        Also return the full :class:`CodeResult` of every point.
    seed : int
        Seed of every block's solves (each block uses the same seed, so the
        table does not depend on ``processes``).
    **solve_options
        Passed to :func:`solve_code` (``tol``, ``solver``, ``pricing``, ...).

    Returns
    -------
    SweepTable
    """
    from .problem import Problem

    started = time.perf_counter()
    if isinstance(sources, Sources):
        datasets = [("0", sources)]
    elif isinstance(sources, Mapping):
        datasets = [(str(k), v) for k, v in sources.items()]
    elif not isinstance(sources, (list, tuple)):
        datasets = [("0", as_sources(sources))]  # samples: an array, DataFrame or DataArray
    else:
        datasets = [(str(i), s) for i, s in enumerate(sources)]
    if not datasets or not all(isinstance(s, Sources) for _, s in datasets):
        raise BiomodularError("sources must be a Sources, or a non-empty list or dict of Sources")
    problem = problem or Problem.autoencoder()
    given = {
        name: _values(name, v)
        for name, v in (
            ("lam_in", lam_in),
            ("lam_out", lam_out),
            ("variance", variance),
            ("readout_budget", readout_budget),
        )
    }
    grid_axes: dict[str, list[float]] = {k: v for k, v in given.items() if v is not None}
    names = list(grid_axes)
    points = [dict(zip(names, combo)) for combo in itertools.product(*grid_axes.values())] or [{}]
    for point in points:  # validate everything before starting workers
        for _, s in datasets:
            problem.with_coefficients(**point).validate(s.n_sources)
    if chunk_size < 1:
        raise BiomodularError("chunk_size must be at least 1")

    tasks = []
    index = 0
    for label, s in datasets:
        for start in range(0, len(points), chunk_size):
            block = points[start : start + chunk_size]
            tasks.append(
                (label, s, problem, [(index + i, p) for i, p in enumerate(block)], seed, keep_results, solve_options)
            )
            index += len(block)
    total = index
    outcome = run_tasks(
        _run_block, tasks, executor=executor, processes=processes, desc="sweep", unit="block", show=progress
    )
    outcome.raise_first_error()
    failures = {f.index: format_failure(f) for f in outcome.failures}
    collected: dict[int, tuple[dict, Any]] = {}
    for k, (task, out) in enumerate(zip(tasks, outcome.results)):
        if not outcome.done[k]:  # a worker died on every attempt, or the sweep was interrupted
            status = f"failed: {failures[k]}" if k in failures else "not run"
            out = [(i, _unfinished_row(task[0], problem.with_coefficients(**p), status), None) for i, p in task[3]]
        for i, row, result in out:
            collected[i] = (row, result)
    rows = tuple(collected[i][0] for i in range(total))
    results = tuple(collected[i][1] for i in range(total)) if keep_results else None
    table = SweepTable(rows=rows, results=results, seconds=time.perf_counter() - started)
    if outcome.interrupted:
        raise BatchInterrupted(f"sweep interrupted after {sum(outcome.done)} of {len(tasks)} blocks", table)
    return table


def _run_block(label, sources, problem, block, seed, keep_results, solve_options):
    """Worker: one program for the dataset, re-solved for every point of the block."""
    from .program import ColumnGeneration

    setup_keys = ("solver", "pricing", "max_faces")
    run = ColumnGeneration(
        sources,
        problem.with_coefficients(**block[0][1]),
        seed=seed,
        **{k: v for k, v in solve_options.items() if k in setup_keys},
    )
    options = {k: v for k, v in solve_options.items() if k not in setup_keys}
    out = []
    for i, point in block:
        pb = problem.with_coefficients(**point)
        result = run.solve(pb, **options)
        row = {
            "dataset": label,
            "lam_in": pb.lam_in if pb.kind == "autoencoder" else None,
            "lam_out": pb.lam_out if pb.kind == "autoencoder" else None,
            "variance": pb.variance,
            "readout_budget": pb.readout_budget,
            "value": result.value,
            "modular_value": result.modular_value,
            "mixed": result.mixed,
            "n_neurons": len(result.neurons),
            "n_mixed": sum(n.mixed for n in result.neurons),
            "status": result.status,
            "relative_gap": result.certificate.relative_gap,
            "rounds": result.rounds,
            "seconds": result.seconds,
        }
        out.append((i, row, result if keep_results else None))
    return out


def _unfinished_row(label: str, pb, status: str) -> dict:
    """The row of a point whose block did not run to the end: coefficients and why, no results."""
    row = dict.fromkeys(COLUMNS)
    row.update(dataset=label, variance=pb.variance, readout_budget=pb.readout_budget, status=status)
    if pb.kind == "autoencoder":
        row.update(lam_in=pb.lam_in, lam_out=pb.lam_out)
    return row
