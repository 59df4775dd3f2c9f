"""Strict JSON: what every JSON output of biomodular goes through.

Python's ``json`` writes ``NaN`` and ``Infinity``, which strict parsers (and
the JSON standard) reject.  :func:`dumps` writes ``null`` in their place and
adds a top-level field ``"non_finite"`` that says, for each such value, where
it was and what it was, so that a ``null`` is never mistaken for "absent".
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["NON_FINITE_FIELD", "dumps"]

#: Name of the field listing the values that were not finite.
NON_FINITE_FIELD = "non_finite"


def _clean(value: Any, path: str, found: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v, f"{path}.{k}" if path else str(k), found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalars and arrays
        return _clean(value.tolist(), path, found)
    if isinstance(value, float) and not math.isfinite(value):
        found[path or "value"] = (
            "nan (not a number)" if math.isnan(value) else ("+infinity" if value > 0 else "-infinity")
        )
        return None
    return value


def dumps(payload: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes ``NaN`` or ``Infinity``.

    Non-finite floats (also inside numpy arrays) become ``null``; when there
    are any and ``payload`` is a dict, ``payload["non_finite"]`` maps each
    one's path (``"margin"``, ``"runs[2].gap"``) to what it was.
    """
    found: dict[str, str] = {}
    cleaned = _clean(payload, "", found)
    if found and isinstance(cleaned, dict):
        cleaned[NON_FINITE_FIELD] = found
    return json.dumps(cleaned, allow_nan=False, **kwargs)
