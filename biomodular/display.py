"""Results in notebooks and in pandas: HTML for Jupyter, and tables as DataFrames.

The result classes call these functions from their ``_repr_html_`` and
``to_frame`` methods, so each result is laid out in one place and every
result looks alike.  Nothing here imports pandas or the solvers at module
level: a result is read through its attributes.
"""

from __future__ import annotations

import html
import math
from typing import Any, Iterable, Sequence

from .errors import BiomodularError
from .name_lists import join_names, largest_terms

__all__ = ["frame", "check_html", "code_html", "verify_html", "rows_html", "code_rows", "verify_rows"]

_STYLE = "border-collapse:collapse;margin:0.3em 0"
_CELL = "padding:0.15em 0.7em;text-align:left;border-bottom:1px solid #ddd"
#: One colour per word a result can answer with: the exact verdicts of
#: ``check`` and ``solve`` (modular, mixed, tie, undetermined; see
#: :data:`biomodular.solvers.check.VERDICTS`) and the population calls of the
#: sampling analysis (modular, mixed, unclear).  The same word has the same
#: colour wherever it appears.
_VERDICT_COLOURS = {
    "modular": "#1a7f37",
    "mixed": "#cf222e",
    "tie": "#9a6700",
    "undetermined": "#6e7781",
    "unclear": "#6e7781",
}


# ------------------------------------------------------------------ pandas
def frame(rows: Iterable[dict], columns: Sequence[str] | None = None):
    """A :class:`pandas.DataFrame` of ``rows`` (one dict per row), columns in the given order."""
    try:
        import pandas as pd
    except ImportError:
        raise BiomodularError("to_frame() needs pandas: pip install pandas") from None
    return pd.DataFrame(list(rows), columns=list(columns) if columns is not None else None)


def code_rows(result) -> list[dict]:
    """One row per neuron of a :class:`~biomodular.CodeResult`: its weight on each source, bias, kind."""
    rows = []
    for k, neuron in enumerate(result.neurons, start=1):
        row: dict[str, Any] = {"neuron": k}
        row.update({f"w_{name}": float(w) for name, w in zip(result.names, neuron.tuning)})
        row.update(
            {
                "bias": float(neuron.bias),
                "norm": float(neuron.norm),
                "activity": float(neuron.activity),
                "sources": "+".join(neuron.sources),
                "modular": bool(neuron.modular),
            }
        )
        kind = getattr(neuron, "kind", None)
        row.update({"kind": None if kind is None else kind.kind, "angle": None if kind is None else float(kind.angle)})
        rows.append(row)
    return rows


def verify_rows(result) -> list[dict]:
    """One row per trained seed of a :class:`~biomodular.verify.VerifyResult` (its scalar fields)."""
    return [{k: v for k, v in run.to_dict().items() if not isinstance(v, (list, dict))} for run in result.runs]


# -------------------------------------------------------------------- HTML
def _text(value: Any) -> str:
    if value is None:
        return "&#8211;"
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.6g}"
    return html.escape(str(value))


def _fields(pairs: Iterable[tuple[str, Any]]) -> str:
    cells = "".join(
        f"<tr><th style='{_CELL}'>{html.escape(k)}</th><td style='{_CELL}'>{_text(v)}</td></tr>" for k, v in pairs
    )
    return f"<table style='{_STYLE}'>{cells}</table>"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th style='{_CELL}'>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='{_CELL}'>{_text(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table style='{_STYLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headline(title: str, verdict: str | None, note: str = "") -> str:
    colour = _VERDICT_COLOURS.get(verdict or "", "#24292f")
    shown = f" <span style='color:{colour};font-weight:bold'>{html.escape(verdict)}</span>" if verdict else ""
    extra = f" <span style='color:#6e7781'>{html.escape(note)}</span>" if note else ""
    return f"<div><b>{html.escape(title)}</b>{shown}{extra}</div>"


def _direction(weights, names) -> str | None:
    if weights is None:
        return None
    terms = list(zip(weights, names))
    shown = largest_terms(terms)
    text = ", ".join(f"{float(w):+.4f} {name}" for w, name in shown)
    return text if len(shown) == len(terms) else f"{text}, ... ({len(terms) - len(shown)} smaller weights)"


def check_html(result) -> str:
    """HTML of a :class:`~biomodular.CheckResult`: the verdict, what backs it, and for
    samples what they say about their population (with the sentence to quote)."""
    advantage = getattr(result, "advantage_words", None)
    pairs = [
        ("margin", result.margin),
        ("rounding bound", getattr(result, "rounding_bound", None)),
        ("witness", _direction(result.witness, result.names)),
        ("witness angle (deg)", getattr(result, "witness_angle", None)),
        ("mixes", join_names(result.mixes, counted=True) if result.mixes else None),
        ("mixing advantage", advantage() if advantage is not None else None),
        ("method", result.method),
        ("certificate", result.certificate),
        (
            "data",
            f"{result.n_samples if result.n_samples is not None else 'distribution'} samples, "
            f"{result.n_sources} sources ({join_names(result.names)})",
        ),
    ]
    tolerance = getattr(result, "tolerance", None)
    if tolerance is not None:
        pairs.insert(1, ("tolerance", tolerance))
    note = "exact" if result.exact else "not exact"
    sampling = getattr(result, "sampling", None)
    population = "" if sampling is None else _headline("Population:", sampling.population, sampling.reason)
    summary = getattr(result, "summary", None)
    sentence = f"<p>{html.escape(summary())}</p>" if summary is not None else ""
    return f"<div>{_headline('Modularity check:', result.verdict, note)}{_fields(pairs)}{population}{sentence}</div>"


def code_html(result) -> str:
    """HTML of a :class:`~biomodular.CodeResult`: value, certificate and a table of neurons."""
    cert = result.certificate
    pairs = [
        ("value", result.value),
        ("modular value", f"{result.modular_value:.10g} ({result.modular_method})"),
        ("status", result.status),
        ("relative gap", getattr(cert, "relative_gap", None)),
        ("energy", ", ".join(f"{k} {float(v):.6g}" for k, v in result.energy.items())),
    ]
    header = ["neuron", *[f"w {n}" for n in result.names], "bias", "activity", "codes"]
    rows = []
    for row in code_rows(result):
        codes = row["kind"] or ("modular" if row["modular"] else "mixed")
        rows.append(
            [
                row["neuron"],
                *[row[f"w_{n}"] for n in result.names],
                row["bias"],
                row["activity"],
                f"{row['sources']} ({codes})",
            ]
        )
    verdict = getattr(result, "verdict", "") or ("mixed" if result.mixed else "modular")
    return (
        f"<div>{_headline('Optimal code:', verdict, f'{len(result.neurons)} neurons')}{_fields(pairs)}"
        f"{_table(header, rows)}</div>"
    )


def verify_html(result) -> str:
    """HTML of a :class:`~biomodular.verify.VerifyResult`: the summary and one row per seed."""
    pairs = [
        ("exact optimum", result.optimum),
        ("best modular code", result.modular_value),
        ("exact check", result.check_verdict),
        ("margin", result.margin),
    ]
    header = ["seed", "loss", "gap", "verdict", "max angle (deg)", "active", "MIR", "InfoM", "steps", "converged"]
    rows = [
        [
            r.seed,
            r.loss,
            None if r.gap is None else f"{r.gap:.3%}",
            r.verdict,
            r.max_mixing_angle,
            r.n_active,
            r.mir,
            r.infom,
            r.steps,
            r.converged,
        ]
        for r in result.runs
    ]
    summary = f"<p>{html.escape(result.summary())}</p>"
    return (
        f"<div>{_headline('Trained networks against the optimum:', result.check_verdict)}{_fields(pairs)}"
        f"{_table(header, rows)}{summary}</div>"
    )


def rows_html(table, limit: int = 50) -> str:
    """HTML of a table of result rows (a sweep or a batch), at most ``limit`` rows shown."""
    rows = list(table.rows)
    columns = list(getattr(table, "columns", None) or (rows[0].keys() if rows else []))
    shown = [[row.get(c) for c in columns] for row in rows[:limit]]
    more = f"<p>... {len(rows) - limit} more rows (to_frame() has them all)</p>" if len(rows) > limit else ""
    return (
        f"<div>{_headline(f'{type(table).__name__}:', None, f'{len(rows)} rows')}{_table(columns, shown)}{more}</div>"
    )
