"""Data larger than one machine: reduce a chunked ``dask.array`` where its chunks live.

Every chunk is reduced on the worker that holds it (a :class:`~biomodular.sources.Reduction`:
moments, extremes, and the rows that may be hull vertices, filtered against
the chunk's inner polytope); the partial reductions are then merged exactly,
in a fixed binary tree over the chunks in row order, so the result does not
depend on which worker finished first.  Only the partial reductions (a few
kilobytes each) travel between machines.

:func:`open_chunked` opens a directory of ``.npy`` chunk files or a zarr store
as such an array, each worker reading its own chunks from the shared path.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Sequence

from .errors import BiomodularError

__all__ = ["reduce_dask", "open_chunked"]


def _need_dask():
    try:
        import dask
        import dask.array
    except ImportError:
        raise BiomodularError("chunked data needs dask: pip install 'biomodular[dask]'") from None
    return dask


def _reduce_chunk(chunk, first_row: int):
    """Worker: the partial reduction of one chunk (a memory-mapped chunk is read block by block)."""
    from .sources import Reduction

    return Reduction().add(chunk, first_row=first_row)


def _merge_pair(left, right):
    """Worker: ``left`` merged with ``right`` (a copy: task inputs are never modified)."""
    return copy.deepcopy(left).merge(right)


def reduce_dask(array: Any, names: Sequence[str] | None = None, origin: str = "dask", scheduler=None):
    """The :class:`~biomodular.sources.Sources` of a 2-D ``dask.array``, reduced chunk by chunk.

    See :meth:`biomodular.sources.Sources.from_dask`.
    """
    dask = _need_dask()
    import numpy as np

    if not isinstance(array, dask.array.Array):
        raise BiomodularError(
            f"from_dask needs a dask.array.Array; got {type(array).__name__} "
            "(use Sources.from_samples for a numpy array)"
        )
    if array.ndim != 2:
        raise BiomodularError(f"samples must be 2-D, shape (n_samples, n_sources); got shape {array.shape}")
    if any(np.isnan(s) for s in array.shape):
        raise BiomodularError("the array's shape must be known; call array.compute_chunk_sizes() first")
    if array.numblocks[1] != 1:  # a row of every sample in one chunk: rows are reduced whole
        array = array.rechunk({1: -1})
    starts = np.concatenate([[0], np.cumsum(array.chunks[0])[:-1]]).astype(int)
    level = [dask.delayed(_reduce_chunk)(block, int(start)) for block, start in zip(array.to_delayed().ravel(), starts)]
    while len(level) > 1:
        paired = [dask.delayed(_merge_pair)(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    (total,) = dask.compute(level[0], scheduler=scheduler)
    return total.finish(names=names, origin=origin)


def open_chunked(path: str | os.PathLike, columns: Sequence[int] | None = None):
    """``(array, names)``: a directory of ``.npy`` chunks (in file-name order) or a zarr store.

    Parameters
    ----------
    path : str or Path
        A directory holding ``.npy`` files with the same number of columns
        (their rows are concatenated in sorted file-name order), or a zarr
        array (a store directory or ``.zarr``).  A zarr array may name its
        columns in the attribute ``"names"``.
    columns : sequence of int, optional
        Zero-based columns to keep.

    Returns
    -------
    array : dask.array.Array
        Chunked as stored: one chunk per ``.npy`` file (memory-mapped by
        the worker that reads it), or the zarr chunks.
    names : tuple of str or None
    """
    dask = _need_dask()
    import numpy as np

    p = Path(path)
    names = None
    if (p / ".zarray").exists() or (p / "zarr.json").exists() or p.suffix == ".zarr":
        try:
            import zarr
        except ImportError:
            raise BiomodularError("a zarr store needs zarr: pip install 'biomodular[dask]'") from None
        try:
            store = zarr.open_array(str(p), mode="r")
        except Exception as exc:  # noqa: BLE001 - zarr raises many kinds
            raise BiomodularError(f"could not open the zarr array {str(p)!r}: {exc}") from None
        array = dask.array.from_zarr(store)
        attr = store.attrs.get("names")
        names = tuple(str(n) for n in attr) if isinstance(attr, (list, tuple)) else None
    elif p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix == ".npy")
        if not files:
            raise BiomodularError(f"{str(p)!r} holds no .npy files (and is not a zarr store)")
        blocks = []
        for f in files:
            try:
                header = np.load(f, mmap_mode="r")
            except (OSError, ValueError) as exc:
                raise BiomodularError(f"could not read {str(f)!r}: {exc}") from None
            if header.ndim != 2:
                raise BiomodularError(f"{str(f)!r} must hold a 2-D array; got shape {header.shape}")
            load = dask.delayed(np.load)(str(f), mmap_mode="r")
            blocks.append(dask.array.from_delayed(load, shape=header.shape, dtype=header.dtype))
        widths = {b.shape[1] for b in blocks}
        if len(widths) != 1:
            raise BiomodularError(f"the .npy chunks in {str(p)!r} have different numbers of columns: {sorted(widths)}")
        array = dask.array.concatenate(blocks, axis=0)
    else:
        raise BiomodularError(f"{str(p)!r} is neither a directory of .npy chunks nor a zarr store")
    if array.ndim != 2:
        raise BiomodularError(f"samples must be 2-D, shape (n_samples, n_sources); got shape {array.shape}")
    if columns is not None:
        picked = [int(c) for c in columns]
        bad = [c for c in picked if not -array.shape[1] <= c < array.shape[1]]
        if bad:
            raise BiomodularError(f"column {bad[0]} does not exist: the data have {array.shape[1]} columns")
        array = array[:, picked]
        names = None if names is None else tuple(names[c] for c in picked)
    return array, names
