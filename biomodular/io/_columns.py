"""Column selection: names and zero-based indices, checked against a file's header."""

from __future__ import annotations

from typing import overload

import numpy as np

from ..errors import BiomodularError


def is_index_text(text: str) -> bool:
    """Whether ``text`` is a zero-based column index written in ASCII digits.

    ``str.isdigit`` is true of superscripts and other scripts' digits, which
    ``int`` then refuses; only ``0-9`` count here.
    """
    return text.isascii() and text.isdigit()


def normalise_columns(columns) -> list[str | int] | None:
    """A selection as a list of stripped names and ints (None: all columns)."""
    if columns is None:
        return None
    if isinstance(columns, (str, int, np.integer)):
        columns = [columns]
    out: list[str | int] = []
    for c in columns:
        if isinstance(c, bool):
            raise BiomodularError(f"column {c!r} is not a name or an index; give names or integers")
        if isinstance(c, (int, np.integer)):
            out.append(int(c))
        elif isinstance(c, str):
            out.append(c.strip())
        else:
            raise BiomodularError(f"column {c!r} is not a name or an index; give names or integers")
    if not out:
        raise BiomodularError("columns is empty; select at least two columns or leave it out")
    return out


@overload
def resolve_columns(
    selection: list[str | int],
    n_columns: int,
    header: tuple[str, ...] | None,
    where: str,
    default: list[int] | None = None,
) -> tuple[list[int], tuple[str, ...] | None]: ...


@overload
def resolve_columns(
    selection: list[str | int] | None,
    n_columns: int,
    header: tuple[str, ...] | None,
    where: str,
    default: list[int] | None = None,
) -> tuple[list[int] | None, tuple[str, ...] | None]: ...


def resolve_columns(
    selection: list[str | int] | None,
    n_columns: int,
    header: tuple[str, ...] | None,
    where: str,
    default: list[int] | None = None,
) -> tuple[list[int] | None, tuple[str, ...] | None]:
    """Turn a selection of names/indices into indices and the selected names.

    ``default`` is the selection used when ``selection`` is None (all
    columns when it is None too, returned as ``(None, header)``).
    """
    if selection is None:
        if default is None:
            return None, header
        selection = list(default)
    indices: list[int] = []
    for c in selection:
        if isinstance(c, str):
            if header is not None and c in header:
                matches = [j for j, h in enumerate(header) if h == c]
                if len(matches) > 1:
                    raise BiomodularError(
                        f"the header of {where} names {len(matches)} columns {c!r}; select them by index or rename them"
                    )
                indices.append(matches[0])
                continue
            if is_index_text(c):
                c = int(c)
            elif header is None:
                raise BiomodularError(
                    f"cannot select column {c!r} by name: {where} has no header of names; "
                    "select columns by zero-based index instead"
                )
            else:
                raise BiomodularError(
                    f"no column named {c!r} in {where}; available: " + ", ".join(repr(h) for h in header)
                )
        if not 0 <= c < n_columns:
            raise BiomodularError(
                f"column index {c} is out of range: {where} has {n_columns} columns (indices 0 to {n_columns - 1})"
            )
        indices.append(c)
    seen: dict[int, int] = {}
    for j in indices:
        seen[j] = seen.get(j, 0) + 1
    repeated = [j for j, k in seen.items() if k > 1]
    if repeated:
        j = repeated[0]
        label = f"{header[j]!r} (index {j})" if header is not None else f"index {j}"
        raise BiomodularError(f"column {label} is selected more than once; select each column once")
    names = tuple(header[j] for j in indices) if header is not None else tuple(f"s{j + 1}" for j in indices)
    return indices, names


def refuse_names(selection, where: str) -> None:
    """Arrays have no header: a selection by name is an error."""
    if selection is not None and any(isinstance(c, str) and not is_index_text(c) for c in selection):
        raise BiomodularError(f"{where} has no column names; select columns by zero-based index")
