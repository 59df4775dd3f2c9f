"""What every table of result rows shares (sweeps, batches): rows as dicts, in order."""

from __future__ import annotations

from typing import Iterator

__all__ = ["RowTable"]


class RowTable:
    """Mixin for a frozen dataclass with a ``rows`` field (tuple of dict, one per result)."""

    rows: tuple[dict, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.rows)

    def __getitem__(self, i: int) -> dict:
        return self.rows[i]

    def column(self, name: str) -> list:
        """One column as a list."""
        return [row[name] for row in self.rows]

    def to_frame(self):
        """The rows as a :class:`pandas.DataFrame` (needs pandas), columns in table order."""
        from .display import frame

        return frame(self.rows, getattr(self, "columns", None))

    def _repr_html_(self) -> str:
        from .display import rows_html

        return rows_html(self)
