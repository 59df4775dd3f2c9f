"""Binary array formats: ``.npy``, ``.npz`` and MATLAB ``.mat`` (v4/v5 and v7.3)."""

from __future__ import annotations

import io as _stdio
import zipfile
import zlib
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import BiomodularError
from ._columns import refuse_names, resolve_columns

#: Leading bytes of each binary format, used to recognise a file whatever its name.
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
MAT5_MAGIC = b"MATLAB 5.0 MAT-file"
MAT73_MAGIC = b"MATLAB 7.3 MAT-file"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
GZIP_MAGIC = b"\x1f\x8b"

#: Errors numpy, zipfile, scipy and h5py raise on a damaged or foreign file.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    OSError,
    EOFError,
    KeyError,
    TypeError,
    NotImplementedError,
    zipfile.BadZipFile,
    zlib.error,
    UnicodeError,
)


def kind_of(head: bytes) -> str | None:
    """The binary format that ``head`` (the first bytes of a file) starts, if any."""
    if head.startswith(NPY_MAGIC):
        return ".npy"
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return ".npz"
    if head.startswith(MAT73_MAGIC) or head[512:520] == HDF5_MAGIC:
        return ".mat73"
    if head.startswith(b"MATLAB"):
        return ".mat"
    if head.startswith(HDF5_MAGIC):
        return ".h5"
    if head.startswith(GZIP_MAGIC):
        return ".gz"
    return None


def check_array(array, where: str) -> None:
    """Refuse anything but a 2-D numeric array with rows."""
    if not isinstance(array, np.ndarray):
        raise BiomodularError(f"{where} does not hold an array; save a 2-D float array (n_samples, n_sources)")
    if array.dtype.names is not None:
        raise BiomodularError(f"{where} holds a structured (record) array; save a plain 2-D float array instead")
    if array.dtype.kind not in "biuf":
        raise BiomodularError(f"{where} holds {array.dtype} values; biomodular needs a 2-D array of numbers")
    if array.ndim == 1:
        raise BiomodularError(
            f"{where} holds a 1-D array of shape {array.shape}; give a 2-D array "
            "(n_samples, n_sources) with at least two sources (columns)"
        )
    if array.ndim != 2:
        raise BiomodularError(f"{where} holds an array of shape {array.shape}; give a 2-D array (n_samples, n_sources)")
    if array.shape[0] == 0:
        raise BiomodularError(f"{where} holds an array with no rows; it needs one row per sample")


def _row_blocks(array, indices: list[int] | None, chunk_rows: int, transposed: bool = False) -> Iterator[np.ndarray]:
    """Float64 copies of consecutive row blocks (of ``array.T`` when ``transposed``)."""
    n = array.shape[1] if transposed else array.shape[0]
    for start in range(0, n, chunk_rows):
        block = array[:, start : start + chunk_rows].T if transposed else array[start : start + chunk_rows]
        if indices is not None:
            block = np.asarray(block)[:, indices]
        yield np.array(block, dtype=np.float64, copy=True)


def _select(array_shape_columns: int, selection, where: str):
    refuse_names(selection, where)
    return resolve_columns(selection, array_shape_columns, None, where)


# -------------------------------------------------------------------- .npy
def load_npy(source: Path | _stdio.BytesIO, where: str) -> np.ndarray:
    """Memory-map an ``.npy`` file (or read it from bytes)."""
    try:
        if isinstance(source, Path):
            with open(source, "rb") as handle:
                head = handle.read(8)
            if kind_of(head) == ".npz":
                raise BiomodularError(f"{where} is an .npz archive (a zip file), not a .npy array; rename it to .npz")
            array = np.load(source, mmap_mode="r", allow_pickle=False)
        else:
            array = np.load(source, allow_pickle=False)
    except BiomodularError:
        raise
    except _READ_ERRORS as exc:
        raise BiomodularError(f"cannot read {where} as a .npy array ({exc}); is it a numpy .npy file?") from None
    if not isinstance(array, np.ndarray):
        raise BiomodularError(f"{where} is not a .npy array; is it a numpy .npy file?")
    return array


def npy_chunks(source, where: str, selection, chunk_rows: int):
    array = load_npy(source, where)
    check_array(array, where)
    indices, names = _select(array.shape[1], selection, where)
    return names, _row_blocks(array, indices, chunk_rows)


# -------------------------------------------------------------------- .npz
def load_npz(source, where: str, key: str | None) -> tuple[np.ndarray, str]:
    """The array ``key`` of an ``.npz`` archive (the only one when ``key`` is None)."""
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            if kind_of(handle.read(8)) == ".npy":
                raise BiomodularError(f"{where} is a .npy array, not an .npz archive; rename it to .npy")
    try:
        archive = np.load(source, allow_pickle=False)
    except _READ_ERRORS as exc:
        raise BiomodularError(f"cannot read {where} as a .npz archive ({exc}); is it a numpy .npz file?") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise BiomodularError(f"{where} is not a .npz archive; rename it .npy if it holds one array")
    with archive:
        keys = list(archive.files)
        if not keys:
            raise BiomodularError(f"{where} holds no arrays")
        key = _choose_key(keys, key, where)
        try:
            array = archive[key]
        except _READ_ERRORS as exc:
            raise BiomodularError(
                f"cannot read array {key!r} of {where} ({exc}); the archive may be truncated or hold "
                "something other than a plain numeric array"
            ) from None
    return array, key


def _choose_key(keys: list[str], key: str | None, where: str) -> str:
    listing = ", ".join(repr(k) for k in keys)
    if key is None:
        if len(keys) > 1:
            raise BiomodularError(f"{where} holds several arrays; choose one with key (one of {listing})")
        return keys[0]
    if key not in keys:
        raise BiomodularError(f"{where} has no array {key!r}; available: {listing}")
    return key


def npz_chunks(source, where: str, selection, key: str | None, chunk_rows: int):
    array, key = load_npz(source, where, key)
    where = f"array {key!r} of {where}"
    check_array(array, where)
    indices, names = _select(array.shape[1], selection, where)
    return names, _row_blocks(array, indices, chunk_rows)


# -------------------------------------------------------------------- .mat
def _is_mat73(source) -> bool:
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            head = handle.read(520)
    else:
        head = source.getvalue()[:520]
    return kind_of(head) == ".mat73"


def mat_chunks(source, where: str, selection, key: str | None, chunk_rows: int):
    """Row blocks of one variable of a MATLAB file: v4/v5/v7 through scipy.io, v7.3 through h5py."""
    if _is_mat73(source):
        return _mat73_chunks(source, where, selection, key, chunk_rows)
    import scipy.io
    import scipy.sparse

    try:
        listing = scipy.io.whosmat(source)
        names_in_file = [name for name, _, _ in listing]
        if not names_in_file:
            raise BiomodularError(f"{where} holds no variables")
        key = _choose_key(names_in_file, key, where)
        if isinstance(source, _stdio.BytesIO):
            source.seek(0)
        content = scipy.io.loadmat(source, variable_names=[key])
    except BiomodularError:
        raise
    except Exception as exc:  # scipy raises MatReadError, ValueError, TypeError, ... on damaged files
        raise BiomodularError(f"cannot read {where} as a MATLAB .mat file ({exc})") from None
    array = content.get(key)
    where = f"variable {key!r} of {where}"
    if scipy.sparse.issparse(array):
        raise BiomodularError(f"{where} is a sparse matrix; save it with full() first")
    check_array(array, where)
    indices, names = _select(array.shape[1], selection, where)
    return names, _row_blocks(array, indices, chunk_rows)


def _mat73_chunks(source, where: str, selection, key: str | None, chunk_rows: int):
    try:
        import h5py
    except ImportError:
        raise BiomodularError(
            f"{where} is a MATLAB v7.3 file, which needs h5py: pip install 'biomodular[mat]' "
            "(or save it in MATLAB with -v7)"
        ) from None
    try:
        handle = h5py.File(source, "r")
    except _READ_ERRORS as exc:
        raise BiomodularError(f"cannot read {where} as a MATLAB v7.3 file ({exc})") from None
    variables = [name for name in handle.keys() if not name.startswith("#")]
    if not variables:
        handle.close()
        raise BiomodularError(f"{where} holds no variables")
    key = _choose_key(variables, key, where)
    dataset = handle[key]
    where = f"variable {key!r} of {where}"
    matlab_class = dataset.attrs.get("MATLAB_class", b"")
    matlab_class = matlab_class.decode() if isinstance(matlab_class, bytes) else str(matlab_class)
    if not isinstance(dataset, h5py.Dataset) or matlab_class in ("cell", "struct", "char"):
        handle.close()
        what = matlab_class or "a group"
        raise BiomodularError(f"{where} is {what}, not a numeric matrix; save a plain numeric matrix")
    if dataset.dtype.kind not in "biuf" or dataset.ndim != 2:
        handle.close()
        # MATLAB stores column-major, so h5py sees the transpose.
        shape = tuple(reversed(dataset.shape))
        raise BiomodularError(
            f"{where} holds {dataset.dtype} values of shape {shape}; "
            "biomodular needs a 2-D numeric matrix (n_samples, n_sources)"
        )
    n_sources, n_samples = dataset.shape
    if n_samples == 0:
        handle.close()
        raise BiomodularError(f"{where} holds an array with no rows; it needs one row per sample")
    indices, names = _select(n_sources, selection, where)

    def blocks() -> Iterator[np.ndarray]:
        with handle:
            yield from _row_blocks(dataset, indices, chunk_rows, transposed=True)

    return names, blocks()


# ------------------------------------------------------------------- HDF5
def hdf5_chunks(source, where: str, selection, key: str | None, chunk_rows: int):
    """Row blocks of a 2-D numeric dataset of an HDF5 file (``.h5``, ``.hdf5``, or an NWB file).

    ``key`` is the dataset's path in the file (an NWB time series keeps its
    samples at ``/acquisition/<name>/data``, time first); without it the file
    must hold exactly one 2-D numeric dataset.  Stored samples first, as
    numpy and NWB write them, and read in row blocks.
    """
    try:
        import h5py
    except ImportError:
        raise BiomodularError(f"{where} is an HDF5 file, which needs h5py: pip install 'biomodular[mat]'") from None
    try:
        handle = h5py.File(source, "r")
    except _READ_ERRORS as exc:
        raise BiomodularError(f"cannot read {where} as an HDF5 file ({exc})") from None
    if key is None:
        found: list[str] = []
        handle.visititems(
            lambda name, obj: (
                found.append("/" + name)
                if isinstance(obj, h5py.Dataset) and obj.ndim == 2 and obj.dtype.kind in "biuf"
                else None
            )
        )
        if len(found) != 1:
            handle.close()
            listing = ", ".join(repr(k) for k in found[:20]) or "none"
            raise BiomodularError(
                f"{where} holds {len(found)} 2-D numeric datasets; choose one with key (one of {listing})"
            )
        key = found[0]
    if key not in handle or not isinstance(handle[key], h5py.Dataset):
        handle.close()
        raise BiomodularError(f"{where} has no dataset {key!r}; give its path in the file, e.g. /acquisition/NAME/data")
    dataset = handle[key]
    where = f"dataset {key!r} of {where}"
    if dataset.dtype.kind not in "biuf" or dataset.ndim != 2 or dataset.shape[0] == 0:
        handle.close()
        raise BiomodularError(
            f"{where} holds {dataset.dtype} values of shape {dataset.shape}; "
            "biomodular needs a 2-D numeric array (n_samples, n_sources) with rows"
        )
    indices, names = _select(dataset.shape[1], selection, where)

    def blocks() -> Iterator[np.ndarray]:
        with handle:
            yield from _row_blocks(dataset, indices, chunk_rows)

    return names, blocks()


# ------------------------------------------------------------------ matrices
def read_matrix(path: str | Path, what: str) -> np.ndarray:
    """A small 2-D matrix (a mixing or readout matrix) from a text table, ``.npy``, ``.npz`` or ``.mat``.

    A 1-D array is read as one row.  Used for parameters rather than samples,
    so it is loaded whole.
    """
    from . import iter_chunks

    p = Path(path)
    if p.suffix.lower() == ".npy" and p.is_file():
        array = load_npy(p, repr(p.name))
        if isinstance(array, np.ndarray) and array.ndim == 1 and array.dtype.kind in "biuf":
            array = array[None, :]
        check_array(array, f"the {what} matrix {p.name!r}")
        return np.array(array, dtype=np.float64)
    _, chunks = iter_chunks(p, index_col=False)
    blocks = list(chunks)
    matrix = np.vstack(blocks)
    if not np.all(np.isfinite(matrix)):
        raise BiomodularError(f"the {what} matrix {p.name!r} holds NaN or infinite entries")
    return matrix
