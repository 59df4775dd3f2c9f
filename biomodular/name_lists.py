"""How a list of source names is written in one line of text."""

from __future__ import annotations

from typing import Sequence

__all__ = ["join_names", "largest_terms", "NAMES_SHOWN"]

#: Names written out in full; a longer list shows its first and last few.
NAMES_SHOWN = 8


def join_names(names: Sequence[str], counted: bool = False, limit: int = NAMES_SHOWN) -> str:
    """``"a, b, c"``; for more than ``limit`` names ``"a, b, c, d, e, ..., y, z"``, or with
    ``counted`` ``"26 sources (a, b, c, d, e, ..., y, z)"``.

    A file of a thousand columns would otherwise print a thousand names in
    every line that lists the sources (or the ones a neuron mixes).
    """
    names = [str(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    short = f"{', '.join(names[: limit - 3])}, ..., {', '.join(names[-2:])}"
    return f"{len(names)} sources ({short})" if counted else short


def largest_terms(terms: Sequence[tuple[float, str]], limit: int = NAMES_SHOWN) -> list[tuple[float, str]]:
    """The ``(weight, name)`` terms to write: all of them up to ``limit``, else the
    ``limit - 2`` of largest magnitude, in their original order."""
    if len(terms) <= limit:
        return list(terms)
    largest = sorted(range(len(terms)), key=lambda i: -abs(float(terms[i][0])))[: limit - 2]
    return [terms[i] for i in sorted(largest)]
