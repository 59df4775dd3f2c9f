"""Delimited text tables: delimiter and header detection, quoted fields, chunked parsing."""

from __future__ import annotations

import contextlib
import csv
import gzip
import itertools
import math
import re
import warnings
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from ..errors import BiomodularError
from ._columns import resolve_columns

#: Number of leading records used to detect the delimiter, header and text columns.
SNIFF_LINES = 50
#: Bytes inspected for NUL characters to recognise a binary file.
SNIFF_BYTES = 8192
#: Candidate delimiters in order of preference (``None`` = runs of whitespace).
#: Tab and semicolon come first: a file separated by them may use commas as
#: decimal marks, whereas a comma-separated file rarely contains either.
DELIMITERS: tuple[str | None, ...] = ("\t", ";", ",", None)
DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", None: "whitespace"}
#: Header of the index column pandas writes by default (empty), or after a round trip.
_PANDAS_INDEX = re.compile(r"^(Unnamed: 0)?$")


# ------------------------------------------------------------------- sources
class FileLines:
    """A text file on disk (optionally gzip-compressed), opened afresh for each pass."""

    def __init__(self, path: Path, compressed: bool):
        self.path = path
        self.compressed = compressed
        self.where = repr(path.name)

    def head(self) -> bytes:
        try:
            opener = gzip.open if self.compressed else open
            with opener(self.path, "rb") as fb:
                return fb.read(SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise BiomodularError(f"cannot read {self.where}: {exc}") from None

    def lines(self) -> contextlib.AbstractContextManager[IO[str]]:
        # utf-8-sig drops a byte-order mark; newline=None accepts \n, \r\n and \r.
        if self.compressed:
            return gzip.open(self.path, mode="rt", encoding="utf-8-sig", newline=None)
        return open(self.path, mode="r", encoding="utf-8-sig", newline=None)


class StreamLines:
    """A text stream that can be read once (standard input, a pipe).

    The first pass (detection) records the lines it reads; the second pass
    replays them and continues with the rest of the stream.
    """

    def __init__(self, stream: IO[str], head: bytes, where: str):
        self.stream = stream
        self._head = head
        self.where = where
        self._recorded: list[str] | None = None

    def head(self) -> bytes:
        return self._head

    def lines(self):
        if self._recorded is None:
            recorded: list[str] = []
            self._recorded = recorded

            def first_pass() -> Iterator[str]:
                for line in self.stream:
                    recorded.append(line)
                    yield line

            return contextlib.nullcontext(first_pass())
        return contextlib.nullcontext(itertools.chain(self._recorded, self.stream))


# -------------------------------------------------------------------- fields
def strip_comment(line: str) -> str:
    """``line`` without a ``#`` comment (a ``#`` inside double quotes is kept)."""
    if "#" not in line:
        return line
    if '"' not in line:
        return line.split("#", 1)[0]
    inside = False
    for i, ch in enumerate(line):
        if ch == '"':
            inside = not inside
        elif ch == "#" and not inside:
            return line[:i]
    return line


def split_fields(line: str, delimiter: str | None) -> list[str]:
    """Fields of one record; double-quoted fields may contain the delimiter (CSV quoting)."""
    if delimiter is None:
        return line.split()
    if '"' not in line:
        return line.split(delimiter)
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [""])


def clean(field: str) -> str:
    return field.strip().strip('"').strip()


def is_number(field: str) -> bool:
    field = clean(field)
    if not field:
        return True  # an empty field is a missing number, not a name
    try:
        float(field)
    except ValueError:
        return False
    return True


def records(numbered: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Join physical lines into records: a quoted field may span lines (an odd number of quotes is open)."""
    pending: tuple[int, str] | None = None
    for lineno, line in numbered:
        if pending is not None:
            pending = (pending[0], pending[1] + "\n" + line)
        else:
            pending = (lineno, line)
        if pending[1].count('"') % 2 == 0:
            yield pending
            pending = None
    if pending is not None:
        yield pending


# --------------------------------------------------------------------- sniff
class Layout:
    """What detection found: delimiter, header, index column, first data line, width."""

    def __init__(self, delimiter, header, n_columns, data_start_line, index_column, body):
        self.delimiter: str | None = delimiter
        self.header: tuple[str, ...] | None = header
        self.n_columns: int = n_columns
        self.data_start_line: int = data_start_line
        self.index_column: int | None = index_column
        self.body: list[tuple[int, list[str]]] = body  # leading data records, as fields


def sniff(source, index_col) -> Layout:
    """Read the head of a text table: delimiter, header, index column, lines before the data."""
    where = source.where
    if b"\x00" in source.head():
        from . import SUPPORTED

        raise BiomodularError(f"{where} looks like a binary file, not a text table; supported formats: {SUPPORTED}")
    comments: list[tuple[int, str]] = []  # (line number, text after '#') before the first content line
    content: list[tuple[int, str]] = []  # (line number, record without comment)
    try:
        with source.lines() as f:
            numbered = ((lineno, raw.rstrip("\r\n")) for lineno, raw in enumerate(f, start=1))
            for lineno, raw in records(numbered):
                line = strip_comment(raw)
                if not line.strip():
                    if not content and raw.lstrip().startswith("#"):
                        comments.append((lineno, raw.lstrip()[1:].strip()))
                    continue
                content.append((lineno, line))
                if len(content) >= SNIFF_LINES:
                    break
    except UnicodeDecodeError:
        raise BiomodularError(f"{where} is not UTF-8 text; save it as a UTF-8 CSV, or as .npy") from None
    except (OSError, EOFError) as exc:
        raise BiomodularError(f"cannot read {where}: {exc}") from None
    if not content:
        raise BiomodularError(f"{where} has no data rows (only blank or comment lines)")

    delimiter = _guess_delimiter([line for _, line in content[1:]] or [content[0][1]])
    first_is_header = not all(is_number(x) for x in split_fields(content[0][1], delimiter))
    body = content[1:] if first_is_header else content
    if first_is_header and not body:
        raise BiomodularError(f"{where} has a header line but no data rows; add one row per sample")
    header_fields = split_fields(content[0][1], delimiter) if first_is_header else None
    first_fields = split_fields(body[0][1], delimiter)
    if not any(is_number(x) and x.strip() for x in first_fields):
        if delimiter != "," and any(is_number(x.replace(",", ".", 1)) for x in first_fields):
            raise BiomodularError(
                f"line {body[0][0]} of {where} writes decimals with a comma; write them with a point (1.5, not 1,5)"
            )
        raise BiomodularError(
            f"line {body[0][0]} of {where} holds no numbers; biomodular reads tables of numbers "
            "(one sample per line, one source per column, an optional header line of names)"
        )
    n_columns = len(first_fields)
    if header_fields is not None and len(header_fields) != n_columns:
        raise BiomodularError(
            f"the header of {where} (line {content[0][0]}) has {len(header_fields)} "
            f"{DELIMITER_NAMES[delimiter]}-separated names but line {body[0][0]} has {n_columns} fields; "
            "give one name per column"
        )
    if header_fields is None and comments:
        # numpy.savetxt(header="a,b") writes the names as a comment line.
        last_no, last_text = comments[-1]
        fields = split_fields(last_text, delimiter) if last_text else []
        if last_no == content[0][0] - 1 and len(fields) == n_columns and not any(is_number(x) for x in fields):
            header_fields = fields
    header = None
    if header_fields is not None:
        header = tuple((clean(h) or f"s{j + 1}") for j, h in enumerate(header_fields))
    index_column = _index_column(index_col, header_fields, header, n_columns, where)
    rows = [(lineno, split_fields(line, delimiter)) for lineno, line in body]
    return Layout(delimiter, header, n_columns, body[0][0], index_column, rows)


def _guess_delimiter(lines: list[str]) -> str | None:
    for delimiter in DELIMITERS:
        counts = {len(split_fields(line, delimiter)) for line in lines}
        if len(counts) == 1 and counts.pop() > 1:
            return delimiter
    # No delimiter splits every line alike: take the first that splits the first
    # line, so that reading names the ragged line.
    for delimiter in DELIMITERS:
        if len(split_fields(lines[0], delimiter)) > 1:
            return delimiter
    return ","


def _index_column(index_col, header_fields, header, n_columns: int, where: str) -> int | None:
    """The column holding row labels rather than a source, if any.

    ``index_col=None`` detects the index column ``pandas.DataFrame.to_csv``
    writes by default: a first column with an empty header name (or
    ``Unnamed: 0``).  ``False`` means there is none; a name or an index
    names it.
    """
    if index_col is False:
        return None
    if index_col is None:
        if header_fields is not None and n_columns >= 2 and _PANDAS_INDEX.match(clean(header_fields[0])):
            return 0
        return None
    if isinstance(index_col, bool) or not isinstance(index_col, (str, int, np.integer)):
        raise BiomodularError(f"index_col must be a column name, a zero-based index, None or False; got {index_col!r}")
    named: str | int = index_col.strip() if isinstance(index_col, str) else int(index_col)
    indices, _ = resolve_columns([named], n_columns, header, where)
    return indices[0]


def check_text_columns(layout: Layout, indices: list[int], labels: tuple[str, ...], where: str) -> None:
    """Refuse a selected column whose leading cells are all text, pointing to the column selection."""
    numeric = []
    for j in range(layout.n_columns):
        cells = [(lineno, clean(fields[j])) for lineno, fields in layout.body if len(fields) == layout.n_columns]
        filled = [(lineno, c) for lineno, c in cells if c]
        if filled and not any(is_number(c) for _, c in filled):
            if j in indices:
                lineno, cell = filled[0]
                row = next(k for k, (n, _) in enumerate(layout.body, start=1) if n == lineno)
                shown = cell if len(cell) <= 40 else cell[:37] + "..."
                numeric = [labels[k] for k in indices if k != j] or ["..."]
                raise BiomodularError(
                    f"non-numeric value {shown!r} at row {row} (line {lineno} of {where}), column "
                    f"{labels[j]!r}: that column holds text; select the numeric columns with --columns "
                    f"(columns= in Python), e.g. --columns {','.join(numeric)}"
                )


# ---------------------------------------------------------------------- read
class TextReader:
    """Iterates a text table in blocks of lines.

    Each block is parsed by ``numpy.loadtxt`` (C speed, CSV quoting included;
    without its comment handling, which runs a Python generator over the
    lines).  A block that ``loadtxt`` refuses, or with a quoted field that
    spans lines, is parsed record by record with the :mod:`csv` module, which
    also handles comments and
    whitespace-only lines, and names any problem: ragged line, non-numeric
    cell, or empty cell (read as NaN so that the reduction reports it with its
    row).
    """

    def __init__(self, source, layout: Layout, indices: list[int] | None, labels: tuple[str, ...], chunk_rows: int):
        self.source = source
        self.delimiter = layout.delimiter
        self.n_columns = layout.n_columns
        self.indices = indices
        self.labels = labels
        self.data_start_line = layout.data_start_line
        self.chunk_rows = chunk_rows

    def __iter__(self) -> Iterator[np.ndarray]:
        where = self.source.where
        try:
            with self.source.lines() as f:
                lineno = self.data_start_line - 1  # lines consumed so far
                for _ in itertools.islice(f, lineno):
                    pass
                rows_before = 0
                while True:
                    lines = list(itertools.islice(f, self.chunk_rows))
                    if not lines:
                        return
                    if any('"' in line for line in lines):
                        # Complete a quoted field that continues past the block.
                        while sum(line.count('"') for line in lines) % 2:
                            more = next(f, None)
                            if more is None:
                                break
                            lines.append(more)
                    block = self._parse(lines, lineno, rows_before)
                    lineno += len(lines)
                    rows_before += block.shape[0]
                    if block.shape[0]:
                        yield block
        except UnicodeDecodeError:
            raise BiomodularError(f"{where} is not UTF-8 text; save it as a UTF-8 CSV, or as .npy") from None
        except (OSError, EOFError) as exc:
            raise BiomodularError(f"cannot read {where}: {exc}") from None

    # fast path ------------------------------------------------------------
    def _parse(self, lines: list[str], lineno: int, rows_before: int) -> np.ndarray:
        d = self.delimiter
        quoted = any('"' in line for line in lines)
        if quoted and (d is None or any(line.count('"') % 2 for line in lines)):
            # Quotes between whitespace-separated fields, or a quoted field spanning lines.
            return self._parse_records(lines, lineno, rows_before)
        if self.indices is not None:
            # loadtxt with usecols ignores extra fields, so check the counts first
            # (through the csv module when quotes may hide delimiters).
            if quoted and d is not None:  # quotes with no delimiter went the careful way above
                records = csv.reader(lines, delimiter=d, skipinitialspace=True)
                counts = np.fromiter(map(len, records), np.int64, len(lines))
            elif d is not None:
                counts = np.fromiter(map(str.count, lines, itertools.repeat(d)), np.int64, len(lines)) + 1
            else:
                counts = np.fromiter(map(len, map(str.split, lines)), np.int64, len(lines))
            off = np.flatnonzero(counts != self.n_columns)
            # Blank and comment-only lines may have any count; anything else goes the careful way.
            if off.size and any(strip_comment(lines[i]).strip() for i in off):
                return self._parse_records(lines, lineno, rows_before)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                block = np.loadtxt(
                    lines,
                    delimiter=d,
                    dtype=np.float64,
                    ndmin=2,
                    comments=None,
                    usecols=self.indices,
                    encoding=None,
                    quotechar='"' if quoted else None,
                )
        except ValueError:
            return self._parse_records(lines, lineno, rows_before)
        width = self.n_columns if self.indices is None else len(self.indices)
        if block.size == 0:
            block = block.reshape(0, width)
        if block.shape[1] != width:
            return self._parse_records(lines, lineno, rows_before)
        return block

    # careful path ---------------------------------------------------------
    def _parse_records(self, lines: list[str], lineno: int, rows_before: int) -> np.ndarray:
        where = self.source.where
        keep = self.indices if self.indices is not None else list(range(self.n_columns))
        out = []
        row = rows_before
        numbered = ((lineno + k + 1, raw.rstrip("\r\n")) for k, raw in enumerate(lines))
        for line_no, raw in records(numbered):
            line = strip_comment(raw)
            if not line.strip():
                continue
            row += 1
            fields = split_fields(line, self.delimiter)
            if len(fields) != self.n_columns:
                raise BiomodularError(
                    f"line {line_no} of {where} (data row {row}) has {len(fields)} "
                    f"{DELIMITER_NAMES[self.delimiter]}-separated fields; expected {self.n_columns} "
                    "like the lines before it: fix or remove that line"
                )
            values = []
            for j in keep:
                cell = clean(fields[j])
                if not cell:
                    values.append(math.nan)
                    continue
                try:
                    values.append(float(cell))
                except ValueError:
                    raise BiomodularError(self._non_numeric(cell, fields, row, line_no, j)) from None
            out.append(values)
        if not out:
            return np.empty((0, len(keep)))
        return np.array(out, dtype=np.float64)

    def _non_numeric(self, cell: str, fields: list[str], row: int, line_no: int, j: int) -> str:
        where = self.source.where
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        message = f"non-numeric value {shown!r} at row {row} (line {line_no} of {where}), column {self.labels[j]!r}"
        if "," in cell and self.delimiter != "," and is_number(cell.replace(",", ".", 1)):
            return message + "; write decimals with a point, not a comma"
        if not any(is_number(x) and x.strip() for x in fields):
            return message + "; that line holds no numbers: is this a table of numbers, one sample per line?"
        return message + "; remove or fix that row, or leave that column out with --columns (columns= in Python)"


def text_chunks(source, selection, chunk_rows: int, index_col):
    """Detect the layout, resolve the selection, and return ``(names, blocks)``."""
    layout = sniff(source, index_col)
    where = source.where
    default = None
    if layout.index_column is not None:
        default = [j for j in range(layout.n_columns) if j != layout.index_column]
    indices, names = resolve_columns(selection, layout.n_columns, layout.header, where, default=default)
    if names is not None:
        seen = set()
        for name in names:
            if name in seen:
                raise BiomodularError(
                    f"the header of {where} names two selected columns {name!r}; rename one, or select columns by index"
                )
            seen.add(name)
    labels = layout.header if layout.header is not None else tuple(f"s{j + 1}" for j in range(layout.n_columns))
    check_text_columns(layout, indices if indices is not None else list(range(layout.n_columns)), labels, where)
    reader = TextReader(source, layout, indices, labels, chunk_rows)
    return names, iter(reader)
