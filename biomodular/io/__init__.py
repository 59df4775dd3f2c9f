"""Reading samples: files, standard input and in-memory tables, in chunks.

This is the one place where input is parsed and where the errors a user can
cause with a file are raised.  :func:`iter_chunks` returns the column names
(if the file has any) and an iterator of float64 row blocks, which
:meth:`biomodular.Sources.from_chunks` reduces in one pass, so a file larger
than memory never has to be loaded whole.  :func:`as_samples` turns pandas,
xarray and other array-like objects into a samples-first array and their
source names.

Formats
-------
Text tables (``.csv``, ``.tsv``, ``.txt``, ``.dat``, optionally gzip-compressed
with a further ``.gz``)
    One sample per line, one source per field.  The delimiter is detected from
    the first lines: tab, semicolon, comma, or runs of whitespace (the layout
    ``numpy.savetxt`` writes by default).  Fields may be double-quoted as
    spreadsheets, pandas and Python's :mod:`csv` write them, and a quoted
    field may contain the delimiter.  The first line is a header of names when
    any of its fields is not a number.  A first column with an empty header
    name is the index ``pandas.DataFrame.to_csv`` writes and is not read as a
    source (``index_col`` names another, or ``False`` keeps it).  Lines that
    are blank or start with ``#`` are skipped and text after ``#`` is ignored;
    a ``# a,b`` line directly before the data (``numpy.savetxt(...,
    header="a,b")``) is used as the header when it has one name per column.
    Empty fields, ``nan`` and ``inf`` are read as non-finite values, which the
    reduction then reports with their row and column.
``.npy``
    A 2-D numeric array, memory-mapped and read in row slices.
``.npz``
    A 2-D numeric array chosen with ``key`` (needed when the archive holds
    several).  Arrays inside an ``.npz`` are loaded whole; save a ``.npy`` for
    data larger than memory.
``.h5``, ``.hdf5``, ``.nwb`` (HDF5, with h5py)
    A 2-D numeric dataset named by its path with ``key`` (needed when the
    file holds several), samples first, read in row blocks; e.g. an NWB time
    series at ``/acquisition/NAME/data``.
``.mat``
    A numeric matrix variable of a MATLAB file, chosen with ``key`` (needed
    when the file holds several).  Versions 4 to 7 are read with
    :func:`scipy.io.loadmat` (whole); version 7.3 (HDF5) with h5py, in row
    blocks (``pip install 'biomodular[mat]'``).
Standard input (``"-"`` or ``"/dev/stdin"``) and pipes
    Any of the above, recognised from its first bytes; text is streamed,
    binary formats are read whole.

Rows in messages are data rows, counted from 1 and not counting the header,
blank or comment lines; text-file messages also give the line of the file.
Reading never modifies the file.
"""

from __future__ import annotations

import gzip
import io as _stdio
import os
import stat
import sys
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..errors import BiomodularError
from . import _arrays, _text
from ._arrays import read_matrix
from ._columns import normalise_columns
from ._memory import as_samples

__all__ = ["iter_chunks", "as_samples", "read_matrix", "is_stdin", "TEXT_SUFFIXES", "ARRAY_SUFFIXES", "SUPPORTED"]

#: File name endings read as delimited text tables.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")
#: File name endings read as arrays.
ARRAY_SUFFIXES = (".npy", ".npz", ".mat", ".h5", ".hdf5", ".nwb")
#: Human-readable list of what :func:`iter_chunks` accepts.
SUPPORTED = (
    ".csv, .tsv, .txt, .dat (text tables, also gzip-compressed as e.g. .csv.gz), .npy, .npz, .mat, "
    ".h5/.hdf5/.nwb, or - for standard input"
)
#: Names of standard input.
STDIN_NAMES = ("-", "/dev/stdin")

#: Row block size when none is given.
DEFAULT_CHUNK_ROWS = 1_000_000


def iter_chunks(
    path: str | Path,
    columns: Sequence[str | int] | str | int | None = None,
    key: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    index_col: str | int | bool | None = None,
) -> tuple[tuple[str, ...] | None, Iterator[np.ndarray]]:
    """Open a data file and return its column names and an iterator of row blocks.

    The file is checked (existence, format, header, column selection, text
    columns) before this function returns; the values themselves are parsed
    lazily, one block of at most ``chunk_rows`` rows at a time.

    Parameters
    ----------
    path : str or Path
        A text table (``.csv``, ``.tsv``, ``.txt``, ``.dat``, each optionally
        ``.gz``), an ``.npy``, ``.npz`` or ``.mat`` file, or ``"-"`` /
        ``"/dev/stdin"`` for standard input (any of those formats).
    columns : sequence of str or int, optional
        Columns to read, in this order: by header name, or by zero-based
        index.  A string of ASCII digits that is not a header name is taken as
        an index (convenient on the command line).  Default: all columns
        except an index column.
    key : str, optional
        Name of the array inside an ``.npz`` file or of the variable inside a
        ``.mat`` file; required when it holds more than one.  Not allowed for
        other formats.
    chunk_rows : int
        Maximum number of rows per block.
    index_col : str, int, bool or None
        Text tables only: the column of row labels, left out of the default
        selection.  None (default) detects the unnamed first column that
        ``pandas.DataFrame.to_csv`` writes; False means there is none.

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
        or non-numeric content, a text column among the selected ones, header
        without data, ragged rows, unknown column name, column index out of
        range, a column selected twice, a damaged or mislabelled array file,
        or an ``.npz``/``.mat`` key that is missing or needed.

    Examples
    --------
    >>> names, chunks = iter_chunks("recordings.csv", columns=["speed", "heading"])  # doctest: +SKIP
    >>> for block in chunks:  # doctest: +SKIP
    ...     print(block.shape)
    """
    chunk_rows = _check_chunk_rows(chunk_rows)
    selection = normalise_columns(columns)
    if is_stdin(path) or _is_stream(path):
        return _stream_chunks(path, selection, key, chunk_rows, index_col)
    p = Path(path)
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
    _check_options(suffix, key, index_col, repr(p.name))
    if suffix in ARRAY_SUFFIXES:
        return _array_chunks(suffix, p, repr(p.name), selection, key, chunk_rows)
    return _text.text_chunks(_text.FileLines(p, compressed), selection, chunk_rows, index_col)


def _array_chunks(kind: str, source, where: str, selection, key, chunk_rows: int):
    """Chunks of a binary array file (a path or a byte stream) of format ``kind``."""
    if kind == ".npy":
        return _arrays.npy_chunks(source, where, selection, chunk_rows)
    if kind == ".npz":
        return _arrays.npz_chunks(source, where, selection, key, chunk_rows)
    if kind in (".h5", ".hdf5", ".nwb"):
        return _arrays.hdf5_chunks(source, where, selection, key, chunk_rows)
    return _arrays.mat_chunks(source, where, selection, key, chunk_rows)  # .mat, .mat73 (v7.3)


def is_stdin(path) -> bool:
    """Whether ``path`` names standard input (``"-"`` or ``"/dev/stdin"``)."""
    return isinstance(path, (str, os.PathLike)) and os.fspath(path) in STDIN_NAMES


# --------------------------------------------------------------- arguments
def _check_chunk_rows(chunk_rows) -> int:
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, (int, np.integer)) or chunk_rows < 1:
        raise BiomodularError(f"chunk_rows must be a positive integer; got {chunk_rows!r}")
    return int(chunk_rows)


def _check_options(kind: str, key, index_col, where: str) -> None:
    if key is not None and kind not in (".npz", ".mat", ".mat73") + ARRAY_SUFFIXES[3:]:
        raise BiomodularError(f"key={key!r} applies only to .npz, .mat and HDF5 files; {where} is not one")
    if index_col is not None and index_col is not False and kind in ARRAY_SUFFIXES + (".mat73", ".h5"):
        raise BiomodularError(f"index_col={index_col!r} applies only to text tables; {where} is an array file")


# ------------------------------------------------------------------ streams
def _is_stream(path) -> bool:
    """A pipe or character device (e.g. ``<(zcat data.csv.gz)``): readable once, not seekable."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, TypeError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


class _Prepend(_stdio.RawIOBase):
    """A raw binary stream that first returns ``head``, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream):
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream, size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        data = stream.read(size - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def _stream_chunks(path, selection, key, chunk_rows: int, index_col):
    if is_stdin(path):
        where = "standard input"
        if sys.stdin is None or not hasattr(sys.stdin, "buffer"):
            raise BiomodularError("standard input is not available; give a file name instead of -")
        binary = sys.stdin.buffer
    else:
        where = repr(os.fspath(path))
        try:
            binary = open(path, "rb")
        except OSError as exc:
            raise BiomodularError(f"cannot read {where}: {exc.strerror or exc}") from None
    try:
        head = _read_head(binary, max(_text.SNIFF_BYTES, 520))
    except OSError as exc:
        raise BiomodularError(f"cannot read {where}: {exc.strerror or exc}") from None
    if not head:
        raise BiomodularError(f"{where} is empty; it needs one row per sample")
    kind = _arrays.kind_of(head)
    _check_options(kind or ".csv", key, index_col, where)
    if kind in (".npy", ".npz", ".mat", ".mat73", ".h5"):
        return _array_chunks(kind, _stdio.BytesIO(head + binary.read()), where, selection, key, chunk_rows)
    raw: _stdio.BufferedReader | gzip.GzipFile = _stdio.BufferedReader(_Prepend(head, binary))
    if kind == ".gz":
        raw = gzip.GzipFile(fileobj=raw, mode="rb")
        try:
            head = raw.peek(_text.SNIFF_BYTES)[: _text.SNIFF_BYTES]
        except (OSError, EOFError) as exc:
            raise BiomodularError(f"cannot read {where} as gzip-compressed text ({exc})") from None
    text = _stdio.TextIOWrapper(raw, encoding="utf-8-sig", newline=None)
    return _text.text_chunks(_text.StreamLines(text, head, where), selection, chunk_rows, index_col)
