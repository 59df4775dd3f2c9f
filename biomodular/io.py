"""Reading samples from CSV / text, ``.npy`` and ``.npz`` files, in chunks.

This is the one place where input files are parsed and where the errors a
user can cause with a file are raised.  :func:`iter_chunks` returns the column
names (if the file has any) and an iterator of float64 row blocks, which
:meth:`biomodular.Sources.from_chunks` reduces in one pass, so a file larger
than memory never has to be loaded whole.

Formats
-------
Text tables (``.csv``, ``.tsv``, ``.txt``, ``.dat``, optionally gzip-compressed
with a further ``.gz``)
    One sample per line, one source per field.  The delimiter is detected from
    the first lines: tab, semicolon, comma, or runs of whitespace (the layout
    ``numpy.savetxt`` writes by default).  The first line is a header of names
    when any of its fields is not a number.  Lines that are blank or start with
    ``#`` are skipped and text after ``#`` is ignored; a ``# a,b`` line
    directly before the data (``numpy.savetxt(..., header="a,b")``) is used as
    the header when it has one name per column.  Empty fields, ``nan`` and
    ``inf`` are read as non-finite values, which the reduction then reports
    with their row and column.
``.npy``
    A 2-D numeric array, memory-mapped and read in row slices.
``.npz``
    A 2-D numeric array chosen with ``key`` (needed when the archive holds
    several).  Arrays inside an ``.npz`` are loaded whole; save a ``.npy`` for
    data larger than memory.

Rows in messages are data rows, counted from 1 and not counting the header,
blank or comment lines; text-file messages also give the line of the file.
Reading never modifies the file.
"""

from __future__ import annotations

import gzip
import itertools
import math
import warnings
from pathlib import Path
from typing import IO, Iterator, Sequence

import numpy as np

from .errors import BiomodularError

__all__ = ["iter_chunks", "TEXT_SUFFIXES", "ARRAY_SUFFIXES", "SUPPORTED"]

#: File name endings read as delimited text tables.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")
#: File name endings read as numpy arrays.
ARRAY_SUFFIXES = (".npy", ".npz")
#: Human-readable list of what :func:`iter_chunks` accepts.
SUPPORTED = ".csv, .tsv, .txt, .dat (text tables, also gzip-compressed as e.g. .csv.gz), .npy, .npz"

#: Number of leading non-blank lines used to detect the delimiter and header.
_SNIFF_LINES = 50
#: Bytes inspected for NUL characters to recognise a binary file.
_SNIFF_BYTES = 8192
#: Candidate delimiters in order of preference (``None`` = runs of whitespace).
#: Tab and semicolon come first: a file separated by them may use commas as
#: decimal marks, whereas a comma-separated file rarely contains either.
_DELIMITERS: tuple[str | None, ...] = ("\t", ";", ",", None)
_DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", None: "whitespace"}


def iter_chunks(
    path: str | Path,
    columns: Sequence[str | int] | str | int | None = None,
    key: str | None = None,
    chunk_rows: int = 1_000_000,
) -> tuple[tuple[str, ...] | None, Iterator[np.ndarray]]:
    """Open a data file and return its column names and an iterator of row blocks.

    The file is checked (existence, format, header, column selection) before
    this function returns; the values themselves are parsed lazily, one block
    of at most ``chunk_rows`` rows at a time.

    Parameters
    ----------
    path : str or Path
        A text table (``.csv``, ``.tsv``, ``.txt``, ``.dat``, each optionally
        ``.gz``), an ``.npy`` or an ``.npz`` file.
    columns : sequence of str or int, optional
        Columns to read, in this order: by header name, or by zero-based
        index.  A string of digits that is not a header name is taken as an
        index (convenient on the command line).  Default: all columns.
    key : str, optional
        Name of the array inside an ``.npz`` file; required when it holds
        more than one.  Not allowed for other formats.
    chunk_rows : int
        Maximum number of rows per block.

    Returns
    -------
    names : tuple of str or None
        One name per selected column: the header names if the file has a
        header, ``s<j+1>`` for column ``j`` when columns were selected from a
        file without names, otherwise None (the caller's default names).
    chunks : iterator of ndarray, shape (rows, n_columns), float64
        Consecutive row blocks.  Non-numeric text raises
        :class:`~biomodular.errors.BiomodularError` naming its row and column;
        empty fields, ``nan`` and ``inf`` come through as non-finite values.

    Raises
    ------
    BiomodularError
        Missing file, directory, empty file, unsupported extension, binary
        or non-numeric content, header without data, ragged rows, unknown
        column name, column index out of range, a column selected twice, or
        an ``.npz`` key that is missing or needed.
    """
    p = Path(path)
    chunk_rows = _check_chunk_rows(chunk_rows)
    if not p.exists():
        raise BiomodularError(f"no such file: {str(p)!r}; check the path")
    if p.is_dir():
        raise BiomodularError(f"{str(p)!r} is a directory; give a data file ({SUPPORTED})")
    suffixes = [s.lower() for s in p.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2] if compressed and len(suffixes) >= 2 else (suffixes[-1] if suffixes else "")
    if compressed and suffix not in TEXT_SUFFIXES:
        raise BiomodularError(
            f"cannot read {p.name!r}: only text tables may be gzip-compressed; supported: {SUPPORTED}"
        )
    if suffix not in TEXT_SUFFIXES + ARRAY_SUFFIXES:
        what = f"extension {suffix!r}" if suffix else "no extension"
        raise BiomodularError(f"cannot read {p.name!r} ({what}); supported formats: {SUPPORTED}")
    try:
        if p.stat().st_size == 0:
            raise BiomodularError(f"{str(p)!r} is empty; it needs one row per sample")
    except OSError as exc:
        raise BiomodularError(f"cannot read {str(p)!r}: {exc.strerror or exc}") from None
    selection = _normalise_columns(columns)
    if key is not None and suffix != ".npz":
        raise BiomodularError(f"key={key!r} applies only to .npz files; {p.name!r} is not one")
    if suffix == ".npy":
        return _npy_chunks(p, selection, chunk_rows)
    if suffix == ".npz":
        return _npz_chunks(p, selection, key, chunk_rows)
    return _text_chunks(p, selection, chunk_rows, compressed)


# --------------------------------------------------------------- arguments
def _check_chunk_rows(chunk_rows) -> int:
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, (int, np.integer)) or chunk_rows < 1:
        raise BiomodularError(f"chunk_rows must be a positive integer; got {chunk_rows!r}")
    return int(chunk_rows)


def _normalise_columns(columns) -> list[str | int] | None:
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


def _resolve_columns(
    selection: list[str | int] | None, n_columns: int, header: tuple[str, ...] | None, where: str
) -> tuple[list[int] | None, tuple[str, ...] | None]:
    """Turn a selection of names/indices into indices and the selected names."""
    if selection is None:
        return None, header
    indices: list[int] = []
    for c in selection:
        if isinstance(c, str):
            if header is not None and c in header:
                matches = [j for j, h in enumerate(header) if h == c]
                if len(matches) > 1:
                    raise BiomodularError(
                        f"the header of {where} names {len(matches)} columns {c!r}; "
                        "select them by index or rename them"
                    )
                indices.append(matches[0])
                continue
            if c.isdigit():
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
                f"column index {c} is out of range: {where} has {n_columns} columns "
                f"(indices 0 to {n_columns - 1})"
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


# ------------------------------------------------------------------- numpy
def _check_array(array: np.ndarray, where: str) -> None:
    if array.dtype.names is not None:
        raise BiomodularError(
            f"{where} holds a structured (record) array; save a plain 2-D float array instead"
        )
    if array.dtype.kind not in "biuf":
        raise BiomodularError(
            f"{where} holds {array.dtype} values; biomodular needs a 2-D array of numbers"
        )
    if array.ndim == 1:
        raise BiomodularError(
            f"{where} holds a 1-D array of shape {array.shape}; give a 2-D array "
            "(n_samples, n_sources) with at least two sources (columns)"
        )
    if array.ndim != 2:
        raise BiomodularError(
            f"{where} holds an array of shape {array.shape}; give a 2-D array (n_samples, n_sources)"
        )
    if array.shape[0] == 0:
        raise BiomodularError(f"{where} holds an array with no rows; it needs one row per sample")


def _array_chunks(array: np.ndarray, indices: list[int] | None, chunk_rows: int) -> Iterator[np.ndarray]:
    for start in range(0, array.shape[0], chunk_rows):
        block = array[start : start + chunk_rows]
        if indices is not None:
            block = block[:, indices]
        yield np.array(block, dtype=np.float64, copy=True)


def _npy_chunks(p: Path, selection, chunk_rows: int):
    where = repr(p.name)
    try:
        array = np.load(p, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise BiomodularError(f"cannot read {where} as a .npy array ({exc}); is it a numpy .npy file?") from None
    _check_array(array, where)
    if selection is not None and any(isinstance(c, str) and not c.isdigit() for c in selection):
        raise BiomodularError(f"{where} has no column names; select columns by zero-based index")
    indices, names = _resolve_columns(selection, array.shape[1], None, where)
    return names, _array_chunks(array, indices, chunk_rows)


def _npz_chunks(p: Path, selection, key: str | None, chunk_rows: int):
    where = repr(p.name)
    try:
        archive = np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise BiomodularError(f"cannot read {where} as a .npz archive ({exc}); is it a numpy .npz file?") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise BiomodularError(f"{where} is not a .npz archive; rename it .npy if it holds one array")
    with archive:
        keys = list(archive.files)
        if not keys:
            raise BiomodularError(f"{where} holds no arrays")
        listing = ", ".join(repr(k) for k in keys)
        if key is None:
            if len(keys) > 1:
                raise BiomodularError(f"{where} holds several arrays; choose one with key (one of {listing})")
            key = keys[0]
        elif key not in keys:
            raise BiomodularError(f"{where} has no array {key!r}; available: {listing}")
        try:
            array = archive[key]
        except (ValueError, OSError) as exc:
            raise BiomodularError(f"cannot read array {key!r} of {where}: {exc}") from None
    where = f"array {key!r} of {where}"
    _check_array(array, where)
    if selection is not None and any(isinstance(c, str) and not c.isdigit() for c in selection):
        raise BiomodularError(f"{where} has no column names; select columns by zero-based index")
    indices, names = _resolve_columns(selection, array.shape[1], None, where)
    return names, _array_chunks(array, indices, chunk_rows)


# -------------------------------------------------------------------- text
def _open_text(p: Path, compressed: bool) -> IO[str]:
    # utf-8-sig drops a byte-order mark; newline=None accepts \n, \r\n and \r.
    if compressed:
        return gzip.open(p, mode="rt", encoding="utf-8-sig", newline=None)
    return open(p, mode="r", encoding="utf-8-sig", newline=None)


def _is_number(field: str) -> bool:
    field = field.strip().strip('"').strip()
    if not field:
        return True  # an empty field is a missing number, not a name
    try:
        float(field)
    except ValueError:
        return False
    return True


def _split(line: str, delimiter: str | None) -> list[str]:
    return line.split() if delimiter is None else line.split(delimiter)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0] if "#" in line else line


def _sniff(p: Path, compressed: bool):
    """Read the head of a text file: delimiter, header, lines before the data, column count."""
    where = repr(p.name)
    try:
        if compressed:
            with gzip.open(p, "rb") as fb:
                head = fb.read(_SNIFF_BYTES)
        else:
            with open(p, "rb") as fb:
                head = fb.read(_SNIFF_BYTES)
    except (OSError, EOFError) as exc:
        raise BiomodularError(f"cannot read {where}: {exc}") from None
    if b"\x00" in head:
        raise BiomodularError(
            f"{where} looks like a binary file, not a text table; supported formats: {SUPPORTED}"
        )
    comments: list[tuple[int, str]] = []  # (line number, text after '#') before the first content line
    content: list[tuple[int, str]] = []  # (line number, line without comment)
    try:
        with _open_text(p, compressed) as f:
            for lineno, raw in enumerate(f, start=1):
                line = _strip_comment(raw).rstrip("\r\n")
                if not line.strip():
                    if not content and raw.lstrip().startswith("#"):
                        comments.append((lineno, raw.lstrip()[1:].strip()))
                    continue
                content.append((lineno, line))
                if len(content) >= _SNIFF_LINES:
                    break
    except UnicodeDecodeError:
        raise BiomodularError(f"{where} is not UTF-8 text; save it as a UTF-8 CSV, or as .npy") from None
    except (OSError, EOFError) as exc:
        raise BiomodularError(f"cannot read {where}: {exc}") from None
    if not content:
        raise BiomodularError(f"{where} has no data rows (only blank or comment lines)")

    delimiter = _guess_delimiter([line for _, line in content[1:]] or [content[0][1]])
    first_is_header = not all(_is_number(x) for x in _split(content[0][1], delimiter))
    body = content[1:] if first_is_header else content
    if first_is_header and not body:
        raise BiomodularError(f"{where} has a header line but no data rows; add one row per sample")
    header_fields = _split(content[0][1], delimiter) if first_is_header else None
    first_fields = _split(body[0][1], delimiter)
    if not any(_is_number(x) and x.strip() for x in first_fields):
        if delimiter != "," and any(_is_number(x.replace(",", ".", 1)) for x in first_fields):
            raise BiomodularError(
                f"line {body[0][0]} of {where} writes decimals with a comma; "
                "write them with a point (1.5, not 1,5)"
            )
        raise BiomodularError(
            f"line {body[0][0]} of {where} holds no numbers; biomodular reads tables of numbers "
            "(one sample per line, one source per column, an optional header line of names)"
        )
    n_columns = len(_split(body[0][1], delimiter))
    if header_fields is not None and len(header_fields) != n_columns:
        raise BiomodularError(
            f"the header of {where} (line {content[0][0]}) has {len(header_fields)} "
            f"{_DELIMITER_NAMES[delimiter]}-separated names but line {body[0][0]} has {n_columns} fields; "
            "give one name per column"
        )
    if header_fields is None and comments:
        # numpy.savetxt(header="a,b") writes the names as a comment line.
        last_no, last_text = comments[-1]
        fields = _split(last_text, delimiter) if last_text else []
        if last_no == content[0][0] - 1 and len(fields) == n_columns and not any(_is_number(x) for x in fields):
            header_fields = fields
    header = None
    if header_fields is not None:
        header = tuple(
            (h.strip().strip('"').strip() or f"s{j + 1}") for j, h in enumerate(header_fields)
        )
    data_start_line = body[0][0]  # 1-based line number of the first data line
    return delimiter, header, n_columns, data_start_line


def _guess_delimiter(lines: list[str]) -> str | None:
    for delimiter in _DELIMITERS:
        counts = {len(_split(line, delimiter)) for line in lines}
        if len(counts) == 1 and counts.pop() > 1:
            return delimiter
    # No delimiter splits every line alike: take the first that splits the first
    # line, so that reading names the ragged line.
    for delimiter in _DELIMITERS:
        if len(_split(lines[0], delimiter)) > 1:
            return delimiter
    return ","


def _text_chunks(p: Path, selection, chunk_rows: int, compressed: bool):
    delimiter, header, n_columns, data_start_line = _sniff(p, compressed)
    indices, names = _resolve_columns(selection, n_columns, header, repr(p.name))
    if names is not None:
        seen = set()
        for name in names:
            if name in seen:
                raise BiomodularError(
                    f"the header of {p.name!r} names two selected columns {name!r}; "
                    "rename one, or select columns by index"
                )
            seen.add(name)
    labels = header if header is not None else tuple(f"s{j + 1}" for j in range(n_columns))
    reader = _TextReader(p, compressed, delimiter, n_columns, indices, labels, data_start_line, chunk_rows)
    return names, iter(reader)


class _TextReader:
    """Iterates a text table in blocks of lines.

    Each block is parsed by ``numpy.loadtxt`` (C speed; without its comment
    handling, which runs a Python generator over the lines).  If that fails,
    or the field counts are off, the block is parsed again line by line, which
    also handles comments and whitespace-only lines, and names any problem:
    ragged line, non-numeric cell, or empty cell (read as NaN so that the
    reduction reports it with its row).
    """

    def __init__(self, p, compressed, delimiter, n_columns, indices, labels, data_start_line, chunk_rows):
        self.p = p
        self.compressed = compressed
        self.delimiter = delimiter
        self.n_columns = n_columns
        self.indices = indices
        self.labels = labels
        self.data_start_line = data_start_line
        self.chunk_rows = chunk_rows

    def __iter__(self) -> Iterator[np.ndarray]:
        where = repr(self.p.name)
        try:
            with _open_text(self.p, self.compressed) as f:
                lineno = self.data_start_line - 1  # lines consumed so far
                for _ in itertools.islice(f, lineno):
                    pass
                rows_before = 0
                while True:
                    lines = list(itertools.islice(f, self.chunk_rows))
                    if not lines:
                        return
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
        if self.indices is not None:
            # loadtxt with usecols ignores extra fields, so check the counts first.
            if d is not None:
                counts = np.fromiter(map(str.count, lines, itertools.repeat(d)), np.int64, len(lines)) + 1
            else:
                counts = np.fromiter(map(len, map(str.split, lines)), np.int64, len(lines))
            off = np.flatnonzero(counts != self.n_columns)
            # Blank and comment-only lines may have any count; anything else goes the careful way.
            if off.size and any(_strip_comment(lines[i]).strip() for i in off):
                return self._parse_slowly(lines, lineno, rows_before)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                block = np.loadtxt(
                    lines, delimiter=d, dtype=np.float64, ndmin=2, comments=None,
                    usecols=self.indices, encoding=None,
                )
        except ValueError:
            return self._parse_slowly(lines, lineno, rows_before)
        width = self.n_columns if self.indices is None else len(self.indices)
        if block.size == 0:
            block = block.reshape(0, width)
        if block.shape[1] != width:
            return self._parse_slowly(lines, lineno, rows_before)
        return block

    # slow path ------------------------------------------------------------
    def _parse_slowly(self, lines: list[str], lineno: int, rows_before: int) -> np.ndarray:
        where = repr(self.p.name)
        keep = self.indices if self.indices is not None else list(range(self.n_columns))
        out = []
        row = rows_before
        for k, raw in enumerate(lines):
            line_no = lineno + k + 1
            line = _strip_comment(raw)
            if not line.strip():
                continue
            row += 1
            fields = _split(line.rstrip("\r\n"), self.delimiter)
            if len(fields) != self.n_columns:
                raise BiomodularError(
                    f"line {line_no} of {where} (data row {row}) has {len(fields)} "
                    f"{_DELIMITER_NAMES[self.delimiter]}-separated fields; expected {self.n_columns} "
                    "like the lines before it: fix or remove that line"
                )
            values = []
            for j in keep:
                cell = fields[j].strip().strip('"').strip()
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
        where = repr(self.p.name)
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        message = (
            f"non-numeric value {shown!r} at row {row} (line {line_no} of {where}), "
            f"column {self.labels[j]!r}"
        )
        if "," in cell and self.delimiter != "," and _is_number(cell.replace(",", ".", 1)):
            return message + "; write decimals with a point, not a comma"
        if not any(_is_number(x) and x.strip() for x in fields):
            return message + "; that line holds no numbers: is this a table of numbers, one sample per line?"
        return message + "; remove or fix that row"
