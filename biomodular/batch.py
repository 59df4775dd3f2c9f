"""Check, solve or verify many data files in one batch: one result row per file.

Each file is read and reduced inside the worker that handles it (cvxpy
programs are built there too, never shipped between processes), so a batch
runs the same on local processes and on a Dask cluster and gives the same
rows.  Rows come back in the order of the files; a file that could not be
done has a row that says why.  With a :class:`~biomodular.cache.ResultCache`
only files whose bytes or parameters changed since the last run are computed.
"""

from __future__ import annotations

import csv
import glob
import io
import math
import os
import time
from dataclasses import dataclass
from typing import Any, Sequence

from .errors import BiomodularError
from .progress import inner_work
from .tables import RowTable

__all__ = ["run_batch", "BatchTable", "expand_paths", "COMMANDS", "DEFAULTS"]

#: Parameters of each command, with their defaults.
DEFAULTS: dict[str, dict[str, Any]] = {
    "check": {"method": "auto", "tol": None, "time_limit": None, "seed": 0, "columns": None, "key": None},
    "solve": {"lam_in": 1.0, "lam_out": 1.0, "tol": None, "seed": 0, "columns": None, "key": None},
    "verify": {"lam_in": 1.0, "lam_out": 1.0, "seeds": 5, "max_steps": 30_000, "seed": 0, "columns": None, "key": None},
}
COMMANDS = tuple(DEFAULTS)

_COMMON = ("file", "status", "n_samples", "n_sources")
#: Result columns of each command (after the common ones; then ``seconds``, ``cached``, ``error``).
RESULT_COLUMNS = {
    "check": ("verdict", "margin", "method", "exact"),
    "solve": ("value", "modular_value", "mixed", "n_neurons", "n_mixed", "solve_status", "relative_gap"),
    "verify": ("check_verdict", "agreement", "seeds", "trained_mixed", "median_gap", "max_gap", "converged"),
}


def columns_of(command: str) -> tuple[str, ...]:
    """The columns of a batch table of ``command``."""
    return _COMMON + RESULT_COLUMNS[command] + ("seconds", "cached", "error")


def expand_paths(patterns: Sequence[str]) -> list[str]:
    """Files named by ``patterns`` (paths or glob patterns, ``**`` recursive), in order, each once."""
    out: list[str] = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
            if not matches:
                raise BiomodularError(f"no file matches {pattern!r}")
        elif os.path.isfile(pattern):
            matches = [pattern]
        else:
            raise BiomodularError(f"{pattern!r} is not a file")
        out.extend(m for m in matches if m not in out)
    if not out:
        raise BiomodularError("give at least one data file or glob pattern")
    return out


@dataclass(frozen=True)
class BatchTable(RowTable):
    """One row per file, in the order the files were given.

    Attributes
    ----------
    command : str
        ``"check"``, ``"solve"`` or ``"verify"``.
    rows : tuple of dict
        Keyed by :attr:`columns`.  ``status`` is ``"ok"``, ``"failed"`` (see
        ``error``) or ``"not run"`` (the batch was interrupted first).
    parameters : dict
    seconds : float
    """

    command: str
    rows: tuple[dict, ...]
    parameters: dict
    seconds: float = 0.0

    @property
    def columns(self) -> tuple[str, ...]:
        return columns_of(self.command)

    @property
    def ok(self) -> bool:
        """Whether every file has a result."""
        return all(r["status"] == "ok" for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: command, parameters, columns, rows."""
        return {
            "command": self.command,
            "parameters": dict(self.parameters),
            "columns": list(self.columns),
            "rows": [dict(r) for r in self.rows],
            "seconds": self.seconds,
        }

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(self.columns), lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: "" if row.get(k) is None else row[k] for k in self.columns})
        return buffer.getvalue()

    def table(self) -> str:
        """Aligned text, one line per file (errors listed below the table)."""
        shown = [c for c in self.columns if c != "error"]
        cells = [[_cell(r.get(c)) for c in shown] for r in self.rows]
        widths = [max([len(c)] + [len(x[i]) for x in cells]) for i, c in enumerate(shown)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(shown, widths))]
        lines += ["  ".join(x.ljust(w) for x, w in zip(row, widths)) for row in cells]
        lines += [f"{r['file']}: {r['error']}" for r in self.rows if r.get("error")]
        counts = {s: sum(r["status"] == s for r in self.rows) for s in ("ok", "failed", "not run")}
        cached = sum(bool(r.get("cached")) for r in self.rows)
        lines.append(
            f"{len(self.rows)} files: {counts['ok']} ok ({cached} from the cache), "
            f"{counts['failed']} failed, {counts['not run']} not run; {self.seconds:.3g} s"
        )
        return "\n".join(lines)

    __str__ = table


def _cell(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def _number(x) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def compute_row(command: str, path: str, parameters: dict) -> dict:
    """Worker: the result columns of one file (raises BiomodularError for bad input)."""
    from .sources import Sources

    p = parameters
    started = time.perf_counter()
    if command == "verify":
        import numpy as np

        from . import io as bio
        from .verify.compare import verify_code

        names, chunks = bio.iter_chunks(path, columns=p["columns"], key=p["key"])
        samples = np.vstack([np.asarray(c, dtype=float) for c in chunks] or [np.empty((0, 0))])
        # processes=1: the batch is the parallel level; pools are never nested
        r = verify_code(
            samples,
            names,
            seeds=p["seeds"],
            lam_in=p["lam_in"],
            lam_out=p["lam_out"],
            max_steps=p["max_steps"],
            processes=1,
            progress=False,
        )
        gaps = r.gaps
        row = {
            "n_samples": int(samples.shape[0]),
            "n_sources": int(samples.shape[1]),
            "check_verdict": r.check_verdict,
            "agreement": int(r.agreement),
            "seeds": len(r.runs),
            "trained_mixed": sum(run.verdict == "mixed" for run in r.runs),
            "median_gap": _number(float(np.median(gaps))) if gaps else None,
            "max_gap": _number(max(gaps)) if gaps else None,
            "converged": sum(run.converged for run in r.runs),
        }
    else:
        sources = Sources.from_file(path, columns=p["columns"], key=p["key"])
        row = {"n_samples": sources.n_samples, "n_sources": sources.n_sources}
        if command == "check":
            from .solvers.check import check_modularity

            c = check_modularity(sources, tol=p["tol"], method=p["method"], seed=p["seed"], time_limit=p["time_limit"])
            row.update(verdict=c.verdict, margin=_number(c.margin), method=c.method, exact=bool(c.exact))
        else:
            from .solvers.problem import Problem
            from .solvers.program import DEFAULT_GAP_TOL as SOLVE_TOL
            from .solvers.program import solve_code

            s = solve_code(
                sources,
                Problem.autoencoder(p["lam_in"], p["lam_out"]),
                tol=SOLVE_TOL if p["tol"] is None else p["tol"],
                seed=p["seed"],
            )
            row.update(
                value=_number(s.value),
                modular_value=_number(s.modular_value),
                mixed=bool(s.mixed),
                n_neurons=len(s.neurons),
                n_mixed=sum(n.mixed for n in s.neurons),
                solve_status=s.status,
                relative_gap=_number(s.certificate.relative_gap),
            )
    row["seconds"] = time.perf_counter() - started
    return row


def _file_row(command: str, path: str, parameters: dict) -> dict:
    """Worker: a file's row; bad input becomes a failed row rather than an exception.

    The batch draws one bar over its files; the file's own check or solve draws none."""
    try:
        with inner_work():
            row = compute_row(command, path, parameters)
    except BiomodularError as exc:
        return {"status": "failed", "error": str(exc)}
    row["status"] = "ok"
    return row


def run_batch(
    paths: Sequence[str],
    command: str = "check",
    parameters: dict | None = None,
    *,
    executor=None,
    processes: int | None = None,
    cache=None,
    progress: bool | None = None,
) -> BatchTable:
    """Run ``command`` on every file: one row per file, in order.

    Parameters
    ----------
    paths : sequence of str
        Data files (see :func:`expand_paths` for glob patterns).
    command : {"check", "solve", "verify"}
    parameters : dict, optional
        Overrides of :data:`DEFAULTS` for the command.
    executor : concurrent.futures.Executor, optional
        e.g. ``client.get_executor()`` of a ``dask.distributed.Client``;
        default: local processes (see :func:`biomodular.execution.run_tasks`).
    processes : int, optional
        Local processes when no executor is given.
    cache : ResultCache, optional
        Reuse stored rows of unchanged files and parameters; store new ones
        as they finish (an interrupted batch keeps them).
    progress : bool, optional
        Progress bar (default: on a terminal).

    Returns
    -------
    BatchTable

    Raises
    ------
    BatchInterrupted
        On Ctrl-C; its ``partial`` is the table with the rows that finished
        (and ``"not run"`` rows for the others).
    """
    from .execution import BatchInterrupted, format_failure, run_tasks

    started = time.perf_counter()
    if command not in DEFAULTS:
        raise BiomodularError(f"command must be one of {COMMANDS}; got {command!r}")
    unknown = sorted(set(parameters or {}) - set(DEFAULTS[command]))
    if unknown:
        raise BiomodularError(f"{command} takes no parameter {', '.join(unknown)}")
    params = {**DEFAULTS[command], **(parameters or {})}
    paths = [str(p) for p in paths]
    rows: list[dict | None] = [None] * len(paths)
    keys: list[str | None] = [None] * len(paths)
    if cache is not None:
        from .cache import file_digest

        for i, path in enumerate(paths):
            keys[i] = cache.key(file_digest(path), command, params)
            hit = cache.get(keys[i])
            if hit is not None:
                rows[i] = {**hit, "file": path, "cached": True}
    todo = [i for i, row in enumerate(rows) if row is None]

    def store(k: int, row: dict) -> None:
        if cache is not None and row.get("status") == "ok":
            cache.put(keys[todo[k]], row)

    outcome = run_tasks(
        _file_row,
        [(command, paths[i], params) for i in todo],
        executor=executor,
        processes=processes,
        on_result=store,
        desc=f"batch {command}",
        unit="file",
        show=progress,
    )
    failures = {f.index: format_failure(f) for f in outcome.failures}
    for k, i in enumerate(todo):
        if outcome.done[k]:
            row = dict(outcome.results[k])
        elif k in failures:
            row = {"status": "failed", "error": failures[k]}
        else:
            row = {"status": "not run"}
        rows[i] = {**row, "file": paths[i], "cached": False}
    columns = columns_of(command)
    table = BatchTable(
        command=command,
        rows=tuple({c: (r or {}).get(c) for c in columns} for r in rows),
        parameters=params,
        seconds=time.perf_counter() - started,
    )
    if outcome.interrupted:
        raise BatchInterrupted(f"batch interrupted after {sum(outcome.done)} of {len(todo)} files", table)
    return table
