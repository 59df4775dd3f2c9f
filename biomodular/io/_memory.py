"""Samples held in memory: pandas, xarray and other array-like objects, with their source names."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import BiomodularError

#: Dimension names taken to index samples in an xarray object, when ``sample_dim`` is not given.
SAMPLE_DIMS = ("sample", "samples", "time", "t", "trial", "trials", "observation", "obs", "frame", "n")


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def as_samples(
    samples: Any,
    names: Sequence[str] | None = None,
    sample_dim: str | None = None,
) -> tuple[Any, Sequence[str] | None]:
    """Samples-first numbers and source names from a table or array-like.

    Parameters
    ----------
    samples : array_like, pandas.DataFrame, xarray.DataArray or xarray.Dataset
        A DataFrame gives one source per column, named after the column (its
        index is not a source).  A DataArray must be 2-D; its sample dimension
        is ``sample_dim``, else the one named like ``sample``, ``time`` or
        ``trial``, else the first; the sources are named after the other
        dimension's coordinate labels.  A Dataset gives one source per data
        variable, each 1-D along the same dimension.  Anything else goes
        through :func:`numpy.asarray` unchanged (no names).
    names : sequence of str, optional
        Source names that override the ones found.
    sample_dim : str, optional
        The sample dimension of an xarray object.

    Returns
    -------
    samples : ndarray or the input unchanged
        For pandas and xarray objects, a float64 array of shape
        ``(n_samples, n_sources)``; other inputs are returned as given.
    names : tuple of str or None
        ``names`` if given, else the names found, else None.

    Raises
    ------
    BiomodularError
        For a Series (a single source), non-numeric DataFrame columns, an
        xarray object that is not 2-D or whose ``sample_dim`` is missing.
    """
    found: tuple[str, ...] | None = None
    module = _module(samples)
    if module == "pandas":
        samples, found = _from_pandas(samples)
    elif module == "xarray":
        samples, found = _from_xarray(samples, sample_dim)
    elif sample_dim is not None:
        raise BiomodularError("sample_dim applies only to xarray objects; arrays are samples first")
    if names is not None:
        if isinstance(names, str):
            raise BiomodularError(f"names must be a sequence of strings, one per source; got the string {names!r}")
        return samples, names  # checked where the names are used
    return samples, found


def _label(value: Any) -> str:
    if isinstance(value, tuple):  # a MultiIndex column
        return ".".join(str(v) for v in value)
    return str(value)


def _from_pandas(obj: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    import pandas as pd

    if isinstance(obj, pd.Series):
        raise BiomodularError(
            f"a Series holds one source ({obj.name!r}); a modularity question needs at least two: "
            "pass a DataFrame with one column per source"
        )
    if not isinstance(obj, pd.DataFrame):
        raise BiomodularError(f"cannot read samples from a pandas {type(obj).__name__}; pass a DataFrame")
    text = [
        _label(c)
        for c, dtype in obj.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    if text:
        numeric = [_label(c) for c in obj.columns if _label(c) not in text]
        raise BiomodularError(
            f"column(s) {', '.join(repr(t) for t in text)} of the DataFrame are not numeric; select the "
            f"numeric columns, e.g. df[{numeric!r}]"
        )
    # A copy: the caller's frame is never written through, and pandas may hand out read-only views.
    values = obj.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    return values, tuple(_label(c) for c in obj.columns)


def _from_xarray(obj: Any, sample_dim: str | None) -> tuple[np.ndarray, tuple[str, ...] | None]:
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        variables = list(obj.data_vars)
        dims = {obj[v].dims for v in variables}
        if not variables or len(dims) != 1 or len(next(iter(dims))) != 1:
            raise BiomodularError(
                "a Dataset gives one source per data variable, each 1-D along the same sample dimension; "
                f"its variables have dimensions {sorted(dims)}"
            )
        values = np.column_stack([np.asarray(obj[v].values, dtype=np.float64) for v in variables])
        return values, tuple(str(v) for v in variables)
    if not isinstance(obj, xr.DataArray):
        raise BiomodularError(f"cannot read samples from an xarray {type(obj).__name__}; pass a DataArray")
    if obj.ndim != 2:
        raise BiomodularError(
            f"the DataArray has dimensions {obj.dims}; give a 2-D array (a sample dimension and a source dimension)"
        )
    axes: list[Any] = list(obj.dims)
    if sample_dim is None:
        named = [d for d in axes if str(d).lower() in SAMPLE_DIMS]
        sample_dim = named[0] if len(named) == 1 else axes[0]
    elif sample_dim not in axes:
        raise BiomodularError(f"the DataArray has no dimension {sample_dim!r}; its dimensions are {obj.dims}")
    source_dim = next(d for d in axes if d != sample_dim)
    if obj.dtype.kind not in "biuf":
        raise BiomodularError(f"the DataArray holds {obj.dtype} values; biomodular needs numbers")
    values = np.array(obj.transpose(sample_dim, source_dim).values, dtype=np.float64, copy=True)
    names = None
    if source_dim in obj.coords:
        names = tuple(str(v) for v in obj.coords[source_dim].values)
    return values, names
