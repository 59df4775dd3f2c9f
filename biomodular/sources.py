"""Sources: a dataset of source variables reduced once to its sufficient statistics.

Everything biomodular decides about a dataset depends on it only through its
mean, its covariance, the per-source extremes and the vertices of the convex
hull of its support (docs/mathematics.md, "The biologically constrained linear autoencoder").  :class:`Sources` holds exactly
those, computed in one pass over the samples (chunked for files larger than
memory), or given directly as statistics of a described distribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import BiomodularError
from .geometry import hull_2d, hull_2d_equations, hull_facets, monotone_chain

__all__ = ["Sources", "Reduction", "as_sources", "block_sources", "HULL_MAX_SOURCES", "MAX_SUPPORT_BYTES"]

#: Above this many sources the convex hull is not computed (qhull's output grows
#: too fast, and the global route of the check needs no hull); the support is
#: then kept as a set of candidate points that contains every hull vertex, which
#: is all the support function needs.
HULL_MAX_SOURCES = 4

#: Above this many sources the interior filter is off: it needs the hull of a
#: few dozen extreme points, whose facet count explodes with the dimension
#: (10 sources asked qhull for tens of GiB), and in that many dimensions
#: nearly every sample is a hull vertex anyway.
FILTER_MAX_SOURCES = 4

#: Candidate rows the reduction holds before it first compacts them to their
#: hull's vertices (memory: a few MiB).
COMPACT_ROWS = 1 << 16

#: Memory the kept support points may take (bytes).  Past it the reduction
#: stops with a message instead of exhausting memory.
MAX_SUPPORT_BYTES = 1 << 30

#: The same limit for two to four sources, whose candidates go through a hull
#: computation that needs a few times their size (about five at peak): half
#: of ``MAX_SUPPORT_BYTES`` keeps that work to a few GB.
HULL_SUPPORT_BYTES = MAX_SUPPORT_BYTES // 2

#: Relative size of the smallest eigenvalue of the correlation matrix below
#: which the data are taken to lie in a lower-dimensional flat.
FLAT_TOLERANCE = 1e-10


@dataclass(frozen=True, eq=False)
class Sources:
    """Sufficient statistics of ``d`` scalar sources.

    Build one with :meth:`from_samples`, :meth:`from_file`,
    :meth:`from_statistics` or :meth:`from_example` rather than directly.

    Attributes
    ----------
    mean : ndarray, shape (d,)
        Mean of each source.
    cov : ndarray, shape (d, d)
        Population covariance (divides by ``n``).
    lower, upper : ndarray, shape (d,)
        Smallest and largest value of each source over the support.
    points : ndarray, shape (k, d)
        Points whose convex hull is the support, in the sources' own
        coordinates (not centred).  These are exactly the hull's vertices when
        ``points_are_vertices`` is true, otherwise a superset of them.
    points_are_vertices : bool
        Whether ``points`` are the hull's vertices.
    n_samples : int or None
        Number of samples the statistics came from (None for a distribution
        given by its statistics).
    names : tuple of str
        One name per source.
    """

    mean: np.ndarray
    cov: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    points: np.ndarray
    points_are_vertices: bool
    n_samples: int | None
    names: tuple[str, ...]
    origin: str = field(default="samples")

    # ------------------------------------------------------------------ build
    @classmethod
    def from_samples(
        cls,
        samples: np.ndarray | Sequence[Sequence[float]],
        names: Sequence[str] | None = None,
        sample_dim: str | None = None,
    ) -> "Sources":
        """Reduce an array of samples, shape ``(n_samples, n_sources)``.

        Parameters
        ----------
        samples : array_like, pandas.DataFrame or xarray.DataArray, shape (n_samples, n_sources)
            One row per sample, one column per source.  A DataFrame's columns
            and a DataArray's source coordinate name the sources (see
            :func:`biomodular.io.as_samples`).
        names : sequence of str, optional
            Source names; defaults to the names the input carries, else
            ``s1, s2, ...``.
        sample_dim : str, optional
            The sample dimension of an xarray object.

        Raises
        ------
        BiomodularError
            For non-numeric, complex, masked, NaN or infinite values, fewer
            than ``n_sources + 1`` samples, fewer than two sources, a
            constant source, data lying in a lower-dimensional flat, a
            source whose spread is outside about 3e-154..3e153 (its second
            moments would not be normal doubles; see ``SCALE_BITS``), or a
            source offset from zero by more than about a million times its
            spread (see ``RESOLUTION_BITS``).  Within those limits the
            verdict does not depend on units or offsets.

        Notes
        -----
        The array is only read (Fortran-ordered and read-only arrays are
        fine).  The reduction is :class:`Reduction`, which can also be fed
        in parts and merged.
        """
        from .io import as_samples

        samples, names = as_samples(samples, names, sample_dim)
        array = _as_sample_array(samples)
        if array.ndim == 1:
            raise BiomodularError(
                "samples must be 2-D, shape (n_samples, n_sources); got one dimension "
                "(a single source has no modularity question: give at least two columns)"
            )
        if array.ndim != 2:
            raise BiomodularError(f"samples must be 2-D, shape (n_samples, n_sources); got shape {array.shape}")
        return cls.from_chunks([array], names=names, origin="samples")

    @classmethod
    def from_chunks(
        cls,
        chunks: Iterable[np.ndarray],
        names: Sequence[str] | None = None,
        origin: str = "samples",
    ) -> "Sources":
        """Reduce samples that arrive in row blocks, in one pass.

        Each chunk is an array of shape ``(rows, n_sources)``.  Memory use is
        that of one chunk plus the running hull, so a file larger than memory
        can be reduced (see :func:`biomodular.io.iter_chunks`).
        """
        reduction = Reduction(names)
        for chunk in chunks:
            reduction.add(chunk)
        return reduction.finish(origin=origin)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        columns: Sequence[str | int] | None = None,
        key: str | None = None,
        chunk_rows: int = 1_000_000,
        index_col: str | int | bool | None = None,
    ) -> "Sources":
        """Reduce a data file in one chunked pass (see :func:`biomodular.io.iter_chunks`).

        Parameters
        ----------
        path : str or Path
            A text table (CSV, TSV, ...; a header row of names is optional),
            an ``.npy``, ``.npz`` or ``.mat`` file, or ``"-"`` for standard input.
        columns : sequence of str or int, optional
            Columns to use, by name (needs a header) or zero-based index.
        key : str, optional
            Array to use in an ``.npz`` file or variable in a ``.mat`` file
            (needed when it holds several).
        chunk_rows : int
            Rows read at a time.
        index_col : str, int, bool or None
            Text tables: the column of row labels, which is not a source.
            None detects the index column pandas writes; False: none.
        """
        from . import io

        names, chunks = io.iter_chunks(path, columns=columns, key=key, chunk_rows=chunk_rows, index_col=index_col)
        origin = "standard input" if io.is_stdin(path) else str(path)
        return cls.from_chunks(chunks, names=names, origin=origin)

    @classmethod
    def from_dask(cls, array, names: Sequence[str] | None = None, *, scheduler=None) -> "Sources":
        """Reduce a 2-D ``dask.array`` chunk by chunk where its chunks live (needs ``biomodular[dask]``).

        Each chunk is reduced on a worker and the partial reductions are
        merged exactly (see :class:`Reduction`), so the result equals the
        one-machine reduction up to rounding, and no machine holds more than
        one chunk.  See :mod:`biomodular.chunked`.

        Parameters
        ----------
        array : dask.array.Array, shape (n_samples, n_sources)
        names : sequence of str, optional
        scheduler : optional
            Passed to ``dask.compute`` (default: the active Dask client, if
            any, else Dask's default scheduler).
        """
        from .chunked import reduce_dask

        return reduce_dask(array, names=names, origin="dask", scheduler=scheduler)

    @classmethod
    def from_example(cls, name: str, seed: int = 0) -> "Sources":
        """Reduce one of the bundled example datasets (see :mod:`biomodular.examples`)."""
        from . import examples

        samples, names = examples.load(name, seed=seed)
        return cls.from_chunks([samples], names=names, origin=f"example:{name}")

    @classmethod
    def from_statistics(
        cls,
        mean: np.ndarray | Sequence[float],
        cov: np.ndarray | Sequence[Sequence[float]],
        vertices: np.ndarray | Sequence[Sequence[float]],
        names: Sequence[str] | None = None,
    ) -> "Sources":
        """Describe a distribution by its moments and the vertices of its support.

        Parameters
        ----------
        mean : array_like, shape (d,)
        cov : array_like, shape (d, d)
            Covariance, symmetric positive definite.
        vertices : array_like, shape (k, d)
            Points whose convex hull is the support (extra non-vertex points
            are allowed and removed).  The mean must lie strictly inside.
        names : sequence of str, optional
        """
        mean_a = _finite_array(mean, "mean", ndim=1)
        d = mean_a.shape[0]
        cov_a = _finite_array(cov, "cov", ndim=2)
        verts = _finite_array(vertices, "vertices", ndim=2)
        if cov_a.shape != (d, d):
            raise BiomodularError(f"cov must have shape ({d}, {d}) to match mean; got {cov_a.shape}")
        if verts.shape[1] != d:
            raise BiomodularError(f"vertices must have {d} columns to match mean; got shape {verts.shape}")
        if not np.allclose(cov_a, cov_a.T, rtol=1e-10, atol=1e-12 * np.abs(cov_a).max()):
            raise BiomodularError("cov must be symmetric")
        cov_a = (cov_a + cov_a.T) / 2
        names_t = _check_names(names, d)
        _check_sources(d, verts.shape[0] if verts.shape[0] > d else d + 1, cov_a, verts.min(0), verts.max(0), names_t)
        if verts.shape[0] < d + 1:
            raise BiomodularError(f"the support needs at least {d + 1} vertices for {d} sources; got {verts.shape[0]}")
        points, exact = _hull_points(verts)
        lower, upper = verts.min(0), verts.max(0)
        with np.errstate(divide="ignore"):
            log2_sd = 0.5 * np.log2(np.diag(cov_a))
        _check_scale(names_t, log2_sd, lower, upper, np.minimum(mean_a - lower, upper - mean_a))
        _check_mean_inside(mean_a, points, exact)
        return cls(
            mean=mean_a,
            cov=cov_a,
            lower=lower,
            upper=upper,
            points=points,
            points_are_vertices=exact,
            n_samples=None,
            names=names_t,
            origin="statistics",
        )

    # -------------------------------------------------------------- derived
    @property
    def n_sources(self) -> int:
        """Number of sources ``d``."""
        return int(self.mean.shape[0])

    @cached_property
    def centred_points(self) -> np.ndarray:
        """Support points minus the mean, shape ``(k, d)``."""
        return self.points - self.mean

    @cached_property
    def beta(self) -> np.ndarray:
        """Distance from the mean to each source's nearer extreme (docs/mathematics.md, "The biologically constrained linear autoencoder")."""
        return np.minimum(self.mean - self.lower, self.upper - self.mean)

    @cached_property
    def modularity_matrix(self) -> np.ndarray:
        """The matrix ``F`` of docs/mathematics.md, "The exact modularity condition": ``F_jj = beta_j^2``, ``F_jk = -C_jk``."""
        F = -self.cov.copy()
        np.fill_diagonal(F, self.beta**2)
        return F

    @cached_property
    def range_independent(self) -> bool:
        """Whether every corner of the sources' bounding box is in the support.

        Range independence implies modularity for any number of sources
        (docs/mathematics.md, "The exact modularity condition").  Corners are compared with a tolerance of ``1e-9``
        times each source's range.  Always false above 20 sources.
        """
        d = self.n_sources
        if d > 20:
            return False
        width = self.upper - self.lower
        found = np.zeros(2**d, dtype=bool)
        for start in range(0, self.points.shape[0], BLOCK_ROWS):  # blocks: bounded memory
            scaled = (self.points[start : start + BLOCK_ROWS] - self.lower) / width  # corners are {0,1}^d
            near_corner = np.all(np.minimum(np.abs(scaled), np.abs(scaled - 1)) <= 1e-9, axis=1)
            bits = np.rint(scaled[near_corner]).astype(np.int64)
            found[bits @ (1 << np.arange(d, dtype=np.int64))] = True
        return bool(found.all())

    def support_min(self, directions: np.ndarray) -> np.ndarray:
        """The support function ``m(w) = min_i w^T (s_i - mean)`` for each row ``w`` of ``directions``."""
        directions = np.atleast_2d(np.asarray(directions, dtype=float))
        return (directions @ self.centred_points.T).min(axis=1)

    @cached_property
    def _scaled_facets(self) -> tuple[list[frozenset[int]], np.ndarray] | None:
        """The hull's facets in beta-scaled centred coordinates, computed once."""
        if self.n_sources > HULL_MAX_SOURCES:
            return None
        try:
            return hull_facets(self.centred_points / self.beta)
        except ValueError:
            return None

    @property
    def has_facets(self) -> bool:
        """Whether :meth:`facets` has computed the hull already (asking for it again is then free)."""
        return "_scaled_facets" in self.__dict__

    def facets(self, scale: np.ndarray | float | None = None) -> tuple[list[frozenset[int]], np.ndarray] | None:
        """The facets of the support's hull, in the coordinates ``(points - mean) / scale``.

        The hull is computed once per dataset (in beta-scaled coordinates) and
        every caller that scales the sources differently (the check divides by
        ``beta``, the solver by one common unit) maps its equations instead of
        rebuilding it.

        Parameters
        ----------
        scale : ndarray of shape (d,) or float, optional
            Unit of each source (default ``beta``).

        Returns
        -------
        (vertex_sets, equations) or None
            Each facet's vertices (indices of rows of ``points``) and its
            equation ``[normal, offset]`` (inside: ``normal . y + offset <= 0``,
            unit normal) in the scaled coordinates ``y``; None when the hull is
            not computed (more than ``HULL_MAX_SOURCES`` sources, or flat points).
        """
        facets = self._scaled_facets
        if facets is None:
            return None
        vertex_sets, equations = facets
        unit = self.beta if scale is None else np.broadcast_to(np.asarray(scale, dtype=float), self.beta.shape)
        # n . z + c <= 0 with z = y * unit / beta  <=>  (n * unit / beta) . y + c <= 0
        normals = equations[:, :-1] * (unit / self.beta)
        length = np.linalg.norm(normals, axis=1)
        return vertex_sets, np.column_stack([normals, equations[:, -1]]) / length[:, None]

    def to_dict(self) -> dict:
        """JSON-ready summary (no raw points)."""
        return {
            "n_samples": self.n_samples,
            "n_sources": self.n_sources,
            "names": list(self.names),
            "mean": self.mean.tolist(),
            "cov": self.cov.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "n_support_points": int(self.points.shape[0]),
            "points_are_vertices": self.points_are_vertices,
            "origin": self.origin,
        }

    def __repr__(self) -> str:
        n = "distribution" if self.n_samples is None else f"n_samples={self.n_samples}"
        kind = "hull vertices" if self.points_are_vertices else "support points"
        return f"Sources({n}, n_sources={self.n_sources}, names={list(self.names)}, {self.points.shape[0]} {kind})"


# ---------------------------------------------------------------------- helpers
def as_sources(data, names: Sequence[str] | None = None) -> Sources:
    """``data`` itself if it is a :class:`Sources`, else :meth:`Sources.from_samples` of it.

    Lets every function that takes reduced data also take samples: an array,
    a pandas DataFrame or an xarray DataArray (keeping their source names).
    """
    if isinstance(data, Sources):
        return data
    return Sources.from_samples(data, names=names)


def _finite_array(values, what: str, ndim: int) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise BiomodularError(f"{what} must be numeric: {exc}") from None
    if array.ndim != ndim:
        raise BiomodularError(f"{what} must be {ndim}-D; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise BiomodularError(f"{what} contains NaN or infinite values")
    return array


def _check_names(names: Sequence[str] | None, d: int) -> tuple[str, ...]:
    if names is None:
        return tuple(f"s{j + 1}" for j in range(d))
    names_t = _name_tuple(names)
    if len(names_t) != d:
        raise BiomodularError(f"got {len(names_t)} names for {d} sources")
    return names_t


def _require_two_sources(d: int) -> None:
    if d < 2:
        raise BiomodularError(f"need at least two sources (columns) to ask whether a code mixes them; got {d}")


def _check_sources(d, n, cov, lower, upper, names) -> None:
    """Shared checks on the reduced statistics (raise BiomodularError)."""
    _check_support(d, n, lower, upper, names)
    _check_flat(cov, names)


def _refuse_too_few_rows(n: int, d: int) -> None:
    """Refuse ``n <= d`` samples, with the likely cause."""
    hint = (
        (
            "; is the array transposed (one row per sample, one column per source)? "
            "or select the source columns with --columns"
        )
        if n < d
        else ""
    )
    raise BiomodularError(f"need at least n_sources + 1 = {d + 1} samples for {d} sources; got {n}{hint}")


def _check_support(d, n, lower, upper, names) -> None:
    """Enough samples, no constant source."""
    _require_two_sources(d)
    if n < d + 1:
        _refuse_too_few_rows(n, d)
    constant = [names[j] for j in range(d) if not upper[j] > lower[j]]
    if constant:
        raise BiomodularError(f"source {constant[0]!r} is constant; drop it (a constant carries nothing to code)")


def _check_flat(cov, names) -> None:
    """The covariance must be positive definite (the data not in a flat)."""
    d = cov.shape[0]
    variances = np.diag(cov)
    if not (variances > 0).all():
        j = int(np.argmin(variances))
        raise BiomodularError(f"source {names[j]!r} has variance {variances[j]:.3g}; variances must be positive")
    sd = np.sqrt(variances)
    corr = cov / np.outer(sd, sd)
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
    if eigenvalues[0] < -FLAT_TOLERANCE * d:
        raise BiomodularError(
            f"cov is not positive semidefinite (its correlation matrix has eigenvalue "
            f"{eigenvalues[0]:.3g}); give a valid covariance matrix"
        )
    if eigenvalues[0] <= FLAT_TOLERANCE * d:
        combo = eigenvectors[:, 0]
        involved = [names[j] for j in np.argsort(-np.abs(combo)) if abs(combo[j]) > 1e-3][:4]
        raise BiomodularError(
            "the data lie in a lower-dimensional flat: sources "
            + ", ".join(repr(x) for x in involved)
            + " are affinely dependent; drop one of them"
        )


def _check_mean_inside(mean: np.ndarray, points: np.ndarray, exact: bool) -> None:
    """The mean must be strictly inside the support's hull."""
    equations = _hull_equations(points) if exact else None
    if equations is None:  # not the hull's own vertices (or flat, refused elsewhere): nothing to test
        return
    offsets = equations[:, :-1] @ mean + equations[:, -1]
    scale = np.abs(points - mean).max()
    if offsets.max() >= -1e-12 * scale:
        raise BiomodularError("the mean must lie strictly inside the convex hull of the vertices")


#: Rows processed at a time by the reduction: small enough that a block and its
#: projections stay in cache, large enough that numpy's per-call cost is small.
BLOCK_ROWS = 1 << 16

#: Every source's standard deviation, range and ``beta`` must lie within
#: ``2**-SCALE_BITS .. 2**SCALE_BITS``.  Then every product of two of them (a
#: covariance, ``beta_j beta_k``, ``beta_j**2``) lies within ``2**-1020 ..
#: 2**1020``: a normal double with full precision, neither overflowing (above
#: ``2**1024``) nor losing digits as a subnormal (below ``2**-1022``).  In
#: decimal: spreads from about 3e-154 to 3e153 are accepted.
SCALE_BITS = 510

#: A source whose values are so large against its spread that a double
#: resolves fewer than ``2**RESOLUTION_BITS`` steps between its mean and its
#: nearer extreme is refused.  The rounding of each value is then more than
#: ``2**-RESOLUTION_BITS`` (about 2.3e-10) of ``beta``, and the margin, which
#: moves by a few times that fraction when the points move, could not be
#: trusted to about 1e-9.  In practice: a source offset from zero by more than
#: about a million times its spread must have its baseline subtracted first.
RESOLUTION_BITS = 32


#: Directions per source, beyond the axes and the diagonals, whose extremes span the
#: first inner polytope of three and four sources (their interior test costs the
#: same whatever the polytope's number of facets).
EXTRA_DIRECTIONS = 12


def _filter_directions(d: int, stage: int) -> np.ndarray:
    """Directions whose extreme points span an inner polytope (finer at later stages)."""
    if d == 2:
        count = 16 if stage == 0 else 64
        angles = np.arange(count) * (2 * np.pi / count)
        return np.column_stack([np.cos(angles), np.sin(angles)])
    axes = np.vstack([np.eye(d), -np.eye(d)])
    if stage == 0 and d <= 4:
        signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T
        spread = np.random.default_rng(20230201).standard_normal((EXTRA_DIRECTIONS * d, d))
        return np.vstack([axes, signs, spread])
    rng = np.random.default_rng(20230201 + stage)
    extra = rng.standard_normal(((4 if stage == 0 else 16) * d, d))
    return np.vstack([axes, extra])


def _pseudo_angle(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A cheap increasing function of the angle of ``(x, y)`` from -90 to 270
    degrees, with values in ``[0, 4)`` (the origin itself gets 1)."""
    den = np.abs(x)
    den += np.abs(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.divide(y, den, out=den)
    p[np.isnan(p)] = 0.0  # the origin
    # 1 + p where x >= 0 (including -0.0's sign bit: both ends are -90 degrees), else 3 - p;
    # arithmetic rather than np.where, which is many times slower here.
    np.subtract(1.0, p, out=p)
    np.copysign(p, x, out=p)
    return np.subtract(2.0, p, out=p)


class _PolygonInterior:
    """Strict-interior test for a convex polygon, one edge per point.

    Seen from an interior point ``c``, a point lies strictly inside the polygon
    iff it is strictly inside the edge its ray from ``c`` crosses.  The ray's
    angle (a pseudo-angle, see :func:`_pseudo_angle`) is binned; each bin lists
    the edges whose angular span meets the bin widened by a bin on each side
    (far more than rounding can move a pseudo-angle), and a point is declared
    inside only if it is inside all of them.  Most bins have one edge, so a
    point costs one equation instead of one per facet.
    """

    BINS = 4096

    def __init__(self, vertices: np.ndarray, equations: np.ndarray, centre: np.ndarray, tolerance: float):
        self.centre = centre
        self.tolerance = tolerance
        q = _pseudo_angle(vertices[:, 0] - centre[0], vertices[:, 1] - centre[1])
        start = int(np.argmin(q))  # edge i runs from vertex i to vertex i+1 (counter-clockwise)
        q, equations = np.roll(q, -start), np.roll(equations, -start, axis=0)
        n_edges, bins = len(q), self.BINS
        width = 4.0 / bins
        lower = np.arange(bins) * width - width
        upper = lower + 3 * width
        first = (np.searchsorted(q, np.mod(lower, 4.0), side="right") - 1) % n_edges
        last = (np.searchsorted(q, np.mod(upper, 4.0), side="right") - 1) % n_edges
        count = (last - first) % n_edges + 1
        self.edges = [(first + k) % n_edges for k in range(int(count.max()))]
        self.count = count
        self.equations = equations
        # The first edge's equation per bin, one contiguous array per coefficient.
        self.first = [np.ascontiguousarray(equations[first, j]) for j in range(3)]

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point ``(x, y)`` is strictly inside (by the tolerance)."""
        q = _pseudo_angle(x - self.centre[0], y - self.centre[1])
        q *= self.BINS / 4.0
        b = q.astype(np.intp)
        np.clip(b, 0, self.BINS - 1, out=b)
        a0, a1, a2 = self.first
        value = a0.take(b)
        value *= x
        value += a1.take(b) * y
        value += a2.take(b)
        inside = value < -self.tolerance  # a NaN (an overflow the reduction reports) is not inside
        if len(self.edges) > 1:
            several = np.flatnonzero(self.count.take(b) > 1)
            for edges in self.edges[1:]:
                eq = self.equations[edges[b[several]]].T
                inside[several] &= eq[0] * x[several] + eq[1] * y[several] + eq[2] < -self.tolerance
        return inside


def _column_max(matrix: np.ndarray, columns: np.ndarray, reduce: str, offsets: np.ndarray | None = None) -> np.ndarray:
    """The largest entry of each column of ``matrix @ columns + offsets[:, None]``
    (``reduce="max"``) or its row (``"argmax"``), without the whole product in memory.

    The product is taken in slices of columns small enough that BLAS runs each on
    one thread: OpenBLAS threads a product of more than 262,144 multiply-adds, and
    its threads slow these skinny products down many times on a busy machine."""
    step = max(1, 262_144 // max(1, matrix.shape[0] * matrix.shape[1]))
    out = np.empty(columns.shape[1], dtype=np.intp if reduce == "argmax" else float)
    for start in range(0, columns.shape[1], step):
        products = matrix @ columns[:, start : start + step]
        if offsets is not None:
            products += offsets[:, None]
        out[start : start + step] = products.argmax(axis=0) if reduce == "argmax" else products.max(axis=0)
    return out


def _grid_reduce(scaled: np.ndarray, ticks: np.ndarray, d: int, near: int) -> np.ndarray:
    """``max_f scaled_f . r`` at the points ``r`` of the grid ``ticks^d`` within
    ``near`` steps of the cube's surface, shaped as the grid (other points: 0)."""
    n = len(ticks)
    index = np.indices((n,) * d).reshape(d, -1)
    wanted = ((index < near) | (index >= n - near)).any(axis=0)
    out = np.zeros(n**d)
    out[wanted] = _column_max(scaled, ticks[index[:, wanted]], "max")
    return out.reshape((n,) * d)


#: With this many sources the reduction's inner polytope is the hull of the rows
#: seen so far (its facets stay few enough for the direction table); otherwise, of
#: the extremes in a fixed set of directions.
RUNNING_HULL_SOURCES = 3

#: Rows whose extremes span the first inner polytope of :class:`_InteriorFilter`.
FIRST_ROWS = 4096

#: Cells per axis of the direction grid of :class:`_RadialInterior`, by number of sources.
RADIAL_GRID = {3: 32, 4: 10}


class _RadialInterior:
    """Strict-interior test for a convex polytope in three or four dimensions,
    one plane per point (the counterpart of :class:`_PolygonInterior`).

    Seen from an interior centre ``c``, the direction of ``u = x - c`` is
    binned by the cell of a regular grid on the surface of the cube
    ``[-1, 1]^d`` that its ray crosses (``u / max_j |u_j|``).  Each cell's
    cone is spanned by the rays through the cell's corners ``r_i``; the ray
    through ``r_i`` leaves the polytope at ``c + lam_i r_i``.  For a unit
    vector ``a`` with ``a . r_i > 0`` at every corner and
    ``t = min_i lam_i a . r_i``, the part of the cone with ``a . u < t`` is
    the pyramid with apex ``c`` and base corners ``(t / a . r_i) r_i``, which
    lie on the segments from ``c`` to ``c + lam_i r_i``; by convexity the
    pyramid is inside the polytope, and every point of it off its base is
    strictly inside (it lies on an open segment from the interior point ``c``
    to a point of the polytope).  So a point of the cell with ``a . u < t``
    minus a margin is strictly inside, at the cost of one plane.  ``a`` is the
    normal of the facet that the ray through the cell's centre leaves by (the
    test is then exact where one facet covers the cell), else the cell's
    central direction.

    Points within ``radius / sqrt(d)`` of ``c`` in every coordinate are in
    the inscribed ball of that radius, so inside.  Rounding: ``t`` is
    computed for the cell widened by ``WIDEN`` on every side (``lam`` at a
    widened corner from the gauge's Lipschitz bound, see :meth:`_pyramids`),
    far more than rounding moves the computed direction of any other point
    (callers require ``radius`` to be at least ``1e-6`` of the coordinates'
    scale, so that an error of a few units in the last place of the
    coordinates turns a direction by less than ``1e-9``); ``t`` then loses
    ``tolerance``, which must exceed the rounding of the facet equations and
    of ``a . u`` (the reduction uses ``1e-9`` of the coordinates' scale, as
    for its other interior tests).
    """

    WIDEN = 1e-7

    def __init__(self, equations: np.ndarray, centre: np.ndarray, radius: float, tolerance: float, grid: int):
        d = centre.shape[0]
        self.centre = centre
        # Points this close to the centre in every coordinate are inside the
        # inscribed ball (of this radius); farther points have a reliable direction.
        self.cube = radius / np.sqrt(d)
        self.grid = grid
        normals = equations[:, :-1]
        heights = -(normals @ centre + equations[:, -1])  # distance from the centre to each facet's plane
        self.planes, self.offsets = self._pyramids(normals, heights, d, grid)
        self.offsets -= tolerance
        self.strides = (grid + 1) ** np.arange(d - 1, -1, -1)  # C order, as the table

    @classmethod
    def _pyramids(cls, normals: np.ndarray, heights: np.ndarray, d: int, grid: int) -> tuple[list, np.ndarray]:
        """Each table entry's plane ``(a, t)`` (``t = -inf``: no point of the cell is declared inside)."""
        ticks = -1.0 + (2.0 / grid) * np.arange(grid + 1)
        scaled = normals / heights[:, None]  # gauge g(r) = max_f scaled_f . r: the ray through r leaves at c + r / g(r)
        # A widened corner r' is within sqrt(d) * WIDEN of r, and g is Lipschitz with
        # constant max_f 1 / h_f, so 1 / (g(r) + that) bounds lam at r' from below.
        slack = np.sqrt(d) * cls.WIDEN
        with np.errstate(divide="ignore"):  # grid points far from the surface: no corner of a cell used
            lam = 1.0 / (_grid_reduce(scaled, ticks, d, 2) + slack / heights.min())
        # The cells on the cube's surface (the only ones a direction reaches), by lower corner.
        lower = np.indices((grid,) * d).reshape(d, -1)
        surface = ((lower == 0) | (lower == grid - 1)).any(axis=0)
        lower = lower[:, surface]
        middle = ticks[lower] + 1.0 / grid
        facet = _column_max(scaled, middle, "argmax")
        best_t = np.full(lower.shape[1], -np.inf)
        best_crossing = np.zeros(lower.shape[1])  # where the base crosses the central ray: larger, larger pyramid
        best_planes = np.zeros((d, lower.shape[1]))
        central = middle / np.linalg.norm(middle, axis=0)
        for planes in (normals[facet].T, central):
            t = np.full(lower.shape[1], np.inf)
            for corner in np.ndindex(*(2,) * d):
                index = lower + np.array(corner)[:, None]
                reach = np.einsum("jc,jc->c", planes, ticks[index]) - slack
                t = np.minimum(t, np.where(reach > 0, lam[tuple(index)] * reach, -np.inf))
            along = np.einsum("jc,jc->c", planes, central)
            with np.errstate(divide="ignore", invalid="ignore"):
                crossing = np.where((t > 0) & (along > 0), t / along, 0.0)
            better = crossing > best_crossing
            best_crossing[better] = crossing[better]
            best_t[better] = t[better]
            best_planes[:, better] = planes[:, better]
        # Table entry q stands for cell min(q, grid - 1): q = grid only where u_j = max |u|.
        position = np.full((grid,) * d, -1)
        position[tuple(lower)] = np.arange(lower.shape[1])
        entry = position[np.ix_(*[np.minimum(np.arange(grid + 1), grid - 1)] * d)].ravel()
        reached = entry >= 0
        offsets = np.full(entry.shape[0], -np.inf)
        offsets[reached] = best_t[entry[reached]]
        planes_table = np.zeros((d, entry.shape[0]))
        planes_table[:, reached] = best_planes[:, entry[reached]]
        return [np.ascontiguousarray(row) for row in planes_table], offsets

    def inside(self, centred: np.ndarray) -> np.ndarray:
        """Whether each column of ``centred`` (shape ``(d, rows)``) is strictly inside."""
        d = centred.shape[0]
        if centred.shape[1] == 0:  # e.g. a block wholly inside the inscribed ball
            return np.zeros(0, dtype=bool)
        u = centred - self.centre[:, None]
        size = np.abs(u[0])
        for j in range(1, d):
            np.maximum(size, np.abs(u[j]), out=size)
        # The table entry, in floating point (exact: below (grid + 1)^d); a NaN's
        # entry is any entry (clipped), and its value is NaN, so not inside.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            factor = (self.grid / 2) / size
            entry = np.zeros(u.shape[1])
            for j in range(d):
                w = np.multiply(u[j], factor)
                w += self.grid / 2
                np.trunc(w, out=w)  # toward zero: a rounded -0.0.. is cell 0
                w *= float(self.strides[j])
                entry += w
            index = entry.astype(np.intp)
        value = self.planes[0].take(index, mode="clip") * u[0]
        for j in range(1, d):
            value += self.planes[j].take(index, mode="clip") * u[j]
        inside = value < self.offsets.take(index, mode="clip")
        if not size.max() < np.inf:  # an overflowed row's value can be -inf: keep it
            inside &= size < np.inf
        return inside


#: An inner polytope of more than ``PAYS_FACETS`` facets (of three or four sources) is set
#: aside when, of at least ``PAYS_MIN_ROWS`` rows tested at once, it keeps more than
#: ``PAYS_KEEP`` of them, and tried again when the rows seen have grown ``RETRY_GROWTH``-fold
#: (the data may change along the file).  Smaller polytopes cost little per row and are
#: always used; the hull of 4,096 rows on a sphere, the first polytope of three sources
#: there, has about 8,200 facets.
PAYS_FACETS = 1024
PAYS_MIN_ROWS = 4096
PAYS_KEEP = 0.875
RETRY_GROWTH = 4

#: Most facets of an inner polytope (see :meth:`_InteriorFilter._set_polytope`): the hull of
#: 4,096 rows on a sphere (the first polytope of three sources) has about 8,200.
MAX_INNER_FACETS = 16384


class _InteriorFilter:
    """Akl-Toussaint filter: the extreme points of the data seen so far, in a
    fixed set of directions, span an inner polytope; a point strictly inside it
    cannot be a vertex of the hull, so it can be dropped.

    It works in coordinates relative to a fixed ``origin`` (a data point), so
    that a large common offset does not swamp the data's variation.
    """

    def __init__(self, d: int, origin: np.ndarray, stage: int = 0, radial: bool = True):
        self.use_radial = radial
        self.origin = np.array(origin, dtype=float)
        self.directions = _filter_directions(d, stage)
        self.best = np.full(len(self.directions), -np.inf)
        self.extremes = np.zeros((len(self.directions), d))  # relative to origin
        self.equations: np.ndarray | None = None
        self.vertices: np.ndarray | None = None  # of the inner polytope, relative to origin
        # Three sources: the polytope is the hull of the rows seen (at each rebuild,
        # of its vertices and the rows that got past it), not of extremes.
        self.running = radial and d == RUNNING_HULL_SOURCES
        self._ball: tuple[np.ndarray, float] | None = None
        self._polygon: _PolygonInterior | None = None
        self._radial: _RadialInterior | None = None
        self._radial_args: tuple | None = None  # a table to build when first needed
        self._ball_pays = True
        self.seen = 0  # rows tested so far
        self.rebuild_at = 0
        # Whether the polytope drops enough rows to be worth testing (see _outside); when it
        # does not, rows pass untested until the rows seen have grown RETRY_GROWTH-fold.
        self.pays = True
        self.retry_at = 0
        self._paid = False  # whether the current polytope has dropped enough rows of a block

    def __call__(self, block: np.ndarray, centred: np.ndarray | None = None) -> np.ndarray:
        """Rows of ``block`` that may be hull vertices (of everything seen).

        ``centred`` is ``(block - origin).T`` as a C-contiguous array, if the
        caller has it: reductions along its rows are much faster than down ``block``.

        Rows are first tested against the current inner polytope (a ball
        inscribed in it first, then its facets, only for rows outside the
        ball); only the survivors are projected to update the extremes, since
        a row inside the polytope cannot beat an extreme.
        """
        if centred is None:
            centred = np.subtract(block.T, self.origin[:, None], order="C")
        if self.equations is None and block.shape[0] > 2 * FIRST_ROWS:
            # A first polytope from a spread subset of the rows: then most rows are
            # tested against it rather than projected on every direction.
            step = block.shape[0] // FIRST_ROWS
            self(block[::step], np.ascontiguousarray(centred[:, ::step]))
        self.seen += block.shape[0]
        if not self.pays:
            if self.seen < self.retry_at:
                return block  # every row a candidate: the hull's compaction thins them
            self.pays = True
        # Discrete data (integer levels, a grid of factors) repeat each distinct row many times,
        # and many of them lie on the inner polytope's boundary, so they pass it; once is enough
        # for the projections below and the faces' hulls after.  Few distinct rows: drop the
        # repeats first (cheaper than testing every row); some: among the rows that pass.  (Two
        # sources have their own linear-time thinning of such rows.)
        few_distinct = centred.shape[0] > 2 and _distinct_share(centred) <= FEW_DISTINCT
        if few_distinct:
            block, centred = _drop_repeats(block, centred)
        if self.equations is not None:
            block, centred = self._outside(block, centred)
            if not self.pays:
                return block  # no rebuild either: its hull would only grow
        if block.shape[0] == 0:
            return block
        if centred.shape[0] > 2 and not few_distinct and _distinct_share(centred) < 1.0:
            block, centred = _drop_repeats(block, centred)
        if centred.shape[0] > 2 and block.shape[0] > 64:
            # Rows on the block's extreme faces (a binary source puts every row on one) are
            # thinned to their faces' hull vertices before the projections and rebuilds below:
            # the block's hull, and so its extremes along every direction, stay the same.
            thinned = _thin_faces(block)
            if thinned.shape[0] < block.shape[0]:
                block = thinned
                centred = np.subtract(block.T, self.origin[:, None], order="C")
        if self.running:
            if self.equations is not None and self.seen < self.rebuild_at:
                return block  # rebuilding costs more than a slightly smaller polytope
            self.rebuild_at = 16 * self.seen  # the hull after one block is nearly final
            points = centred.T if self.vertices is None else np.vstack([self.vertices, centred.T])
            hull = _convex_hull(points) if points.shape[0] > points.shape[1] else None
            if hull is None:  # flat so far
                return block
            self._set_polytope(points, hull)
            # These rows built the polytope, so most lie on it: no judgement of whether it pays,
            # and, for a costly polytope, no direction table for them alone (the next block
            # builds it if the polytope pays).
            return self._outside_tests(block, centred, radial=not self._costly())[0]
        # einsum, not matmul: BLAS threads these skinny products badly on a busy machine
        proj = np.einsum("ij,jk->ik", self.directions, centred)  # (n_directions, rows)
        arg = proj.argmax(axis=1)
        top = proj[np.arange(proj.shape[0]), arg]
        better = top > self.best
        if better.any():
            self.best[better] = top[better]
            self.extremes[better] = centred[:, arg[better]].T
            if (self._radial is not None or self._radial_args is not None) and self.seen < self.rebuild_at:
                # Rebuilding the direction table costs more than a looser polytope:
                # rebuild when the rows seen have grown fourfold.
                return block
            self.rebuild_at = 4 * self.seen
            inner = np.unique(self.extremes[np.isfinite(self.best)], axis=0)
            self._set_polytope(inner, _convex_hull(inner) if inner.shape[0] > block.shape[1] else None)
            if self.equations is not None:  # the rows that got past the last polytope
                block, _ = self._outside_tests(block, centred)
        return block

    def _set_polytope(self, points: np.ndarray, hull: tuple[np.ndarray, np.ndarray | None] | None) -> None:
        """Make the hull of ``points`` (``hull``: its vertex indices and equations) the inner polytope.

        A hull of more than ``MAX_INNER_FACETS`` facets (points on a sphere) is replaced by
        the hull of every ``k``-th of its vertices: still inside the data's hull, and every
        test against it costs a bounded number of facets per row."""
        while hull is not None and hull[1] is not None and hull[1].shape[0] > MAX_INNER_FACETS:
            step = -(-hull[1].shape[0] // MAX_INNER_FACETS)
            points = points[hull[0][::step]]
            hull = _convex_hull(points) if points.shape[0] > points.shape[1] else None
        self.vertices = points if hull is None else points[hull[0]]
        self.equations = None if hull is None else hull[1]
        self._ball = self._inscribed_ball() if self.equations is not None else None
        self._polygon = None
        self._radial = None
        self._radial_args = None
        self._paid = False
        if self.equations is None or self._ball is None:
            return
        d = points.shape[1]
        scale = np.abs(self.vertices).max()
        centre, radius2 = self._ball
        if d == 2:
            self._polygon = _PolygonInterior(self.vertices, self.equations, centre, 1e-9 * scale)
        elif self.use_radial and d in RADIAL_GRID and radius2 >= (1e-6 * scale) ** 2:
            self._radial_args = (self.equations, centre, np.sqrt(radius2), 1e-9 * scale, RADIAL_GRID[d])

    def _costly(self) -> bool:
        """Whether testing a row against the polytope costs enough to be judged (see
        :meth:`_outside`): three or four sources and more than ``PAYS_FACETS`` facets (two
        sources test one edge per row, always cheap)."""
        return self.equations is not None and self.equations.shape[1] > 3 and self.equations.shape[0] > PAYS_FACETS

    def _radial_table(self) -> _RadialInterior | None:
        """The one-plane test of the current polytope, built when first needed: a polytope
        that turns out not to pay (see :meth:`_outside`) never builds it."""
        if self._radial is None and self._radial_args is not None:
            self._radial = _RadialInterior(*self._radial_args)
            self._radial_args = None
        return self._radial

    def _inscribed_ball(self) -> tuple[np.ndarray, float] | None:
        """Centre and squared radius of a ball inside the polytope (shrunk by 1e-9)."""
        assert self.equations is not None and self.vertices is not None
        centre = self.vertices.mean(axis=0)
        depth = -(self.equations[:, :-1] @ centre + self.equations[:, -1]).max()
        if not 0 < depth < 2.0**500:  # its square must be a finite double
            return None
        return centre, (depth * (1 - 1e-9)) ** 2

    def _outside(self, block: np.ndarray, centred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows not strictly inside the inner polytope (and their centred columns).

        When nearly every row lies outside it (points on a sphere, every one a hull vertex),
        the tests cost far more than they save: until a polytope has dropped enough of a
        block's rows, a block of more than ``2 PAYS_MIN_ROWS`` rows is judged by
        ``PAYS_MIN_ROWS`` of its rows first, and passes untested if they fail."""
        rows = block.shape[0]
        judged = self._costly()
        if judged and not self._paid and rows > 2 * PAYS_MIN_ROWS:
            step = rows // PAYS_MIN_ROWS
            sample, _ = self._outside_tests(block[::step], np.ascontiguousarray(centred[:, ::step]), radial=False)
            if sample.shape[0] > PAYS_KEEP * -(-rows // step):
                self.pays = False
                self.retry_at = RETRY_GROWTH * self.seen
                return block, centred
        block, centred = self._outside_tests(block, centred)
        if judged and rows >= PAYS_MIN_ROWS:
            if block.shape[0] > PAYS_KEEP * rows:
                self.pays = False
                self.retry_at = RETRY_GROWTH * self.seen
            else:
                self._paid = True
        return block, centred

    def _outside_tests(
        self, block: np.ndarray, centred: np.ndarray, radial: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ball, the one-plane test (unless ``radial`` is false) and every facet."""
        assert self.equations is not None
        table = self._radial_table() if radial else None
        if self._polygon is not None:  # two sources: one edge per row
            keep = ~self._polygon.inside(centred[0], centred[1])
            return block[keep], centred[:, keep]
        if self._ball is not None and (table is None or self._ball_pays):
            centre, radius2 = self._ball
            with np.errstate(over="ignore"):  # an infinite distance keeps the row
                distance2 = np.square(centred[0] - centre[0])
                for j in range(1, centred.shape[0]):
                    distance2 += np.square(centred[j] - centre[j])
            far = ~(distance2 < radius2)
            rows = block.shape[0]
            block, centred = block[far], centred[:, far]
            # On box-like data the ball holds few rows: then the plane test alone is cheaper.
            self._ball_pays = block.shape[0] < rows // 2
        if table is not None:  # three or four sources: one plane per row, then every facet
            keep = ~table.inside(centred)
            block, centred = block[keep], centred[:, keep]
        assert self.vertices is not None
        scale = np.abs(self.vertices).max()
        # Rounding in these coordinates is far below 1e-9 of their scale; a NaN
        # (from an overflow the reduction reports) keeps the row.
        keep = ~(_column_max(self.equations[:, :-1], centred, "max", self.equations[:, -1]) < -1e-9 * scale)
        return block[keep], centred[:, keep]


#: Rows of a block sampled to see whether it repeats rows (see :func:`_distinct_share`).
REPEAT_PROBE = 256

#: A block whose sampled rows are at most this share distinct has its repeats dropped before
#: the interior test (a three-level grid of four sources: about 0.3); otherwise only among the
#: rows that pass it, if the sample repeats any.
FEW_DISTINCT = 0.5


def _distinct_share(centred: np.ndarray) -> float:
    """The share of distinct rows among ``REPEAT_PROBE`` rows spread over the block (columns of
    ``centred``); 1 for blocks too small to sample.  Below 1 for sure for data of a few
    thousand distinct rows, and almost never for continuous data, where looking for repeats
    in the whole block would cost a sort for nothing."""
    rows = centred.shape[1]
    if rows < 4 * REPEAT_PROBE:
        return 1.0
    probe = _dedup_direction(centred.shape[0]) @ centred[:, :: rows // REPEAT_PROBE]
    return np.unique(probe).size / probe.size


@lru_cache(maxsize=8)
def _dedup_direction(d: int) -> np.ndarray:
    """A direction with no rational relations between its coordinates (the square roots of
    the first ``d`` primes), along which rows are sorted to find repeats."""
    primes: list[int] = []
    candidate = 2
    while len(primes) < d:
        if all(candidate % p for p in primes if p * p <= candidate):
            primes.append(candidate)
        candidate += 1
    direction = np.sqrt(np.array(primes, dtype=float))
    direction.flags.writeable = False  # shared by every caller
    return direction


def _first_of_repeats(columns: np.ndarray) -> np.ndarray:
    """Indices of the columns of ``columns`` (shape ``(d, rows)``), one of each set of equal
    columns, in the order of a projection.  Equal columns have equal projections, so sorting
    by one projection puts them side by side, unless a different column projects to the very
    same value between them: then a repeat stays, which costs only its place.  One key sorts
    several times faster than a lexicographic sort of the rows."""
    order = np.argsort(_dedup_direction(columns.shape[0]) @ columns)
    ordered = columns[:, order]
    fresh = np.ones(order.size, dtype=bool)
    fresh[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    return order[fresh]


def _drop_repeats(block: np.ndarray, centred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``block`` (and columns of ``centred``) without repeats (see :func:`_first_of_repeats`)."""
    keep = _first_of_repeats(centred)
    return block[keep], centred[:, keep]


def _distinct_rows(X: np.ndarray) -> np.ndarray:
    """The rows of ``X`` without repeats (see :func:`_first_of_repeats`)."""
    return X[_first_of_repeats(X.T)] if X.shape[0] > 1 else X


def _discard_interior(X: np.ndarray) -> np.ndarray:
    """A subset of the rows of ``X`` that contains every vertex of its hull."""
    n, d = X.shape
    if d > FILTER_MAX_SOURCES:
        return X
    for stage in (0, 1):
        if X.shape[0] <= 64 * (d + 1):
            break
        keep = _InteriorFilter(d, X[0], stage, radial=False)
        X = np.vstack([keep(X[i : i + BLOCK_ROWS]) for i in range(0, X.shape[0], BLOCK_ROWS)])
    return X


def _thin_saturated(X: np.ndarray) -> np.ndarray:
    """Two sources, in O(rows): of the rows at a column's smallest or largest
    value (a clipped or saturated sensor puts many rows there), keep only the
    two with the extreme values of the other column.  The others lie strictly
    between those two on a line (or repeat one), so no hull has them as vertices."""
    keep = np.ones(X.shape[0], dtype=bool)
    for a, b in ((0, 1), (1, 0)):
        for value in (X[:, a].min(), X[:, a].max()):
            on = np.flatnonzero(X[:, a] == value)
            if on.shape[0] > 2:
                ends = on[[np.argmin(X[on, b]), np.argmax(X[on, b])]]
                keep[on] = False
                keep[ends] = True
    return X if keep.all() else X[keep]


def _thin_faces(X: np.ndarray) -> np.ndarray:
    """Three or four sources: of the rows at a column's smallest or largest value
    (integer, clipped or saturated data put many rows there) keep only the
    vertices of their own hull in the other columns, and drop repeated rows.

    Exact: a row that is not a vertex of the hull of some of the rows is a
    convex combination of others, so it is not a vertex of any hull that
    contains them; dropping it leaves the hull of the remaining rows (and of
    everything merged with them) unchanged.  The rows at an extreme of a
    column span one dimension less, so their hull is cheap."""
    d = X.shape[1]
    on_face = np.zeros(X.shape[0], dtype=bool)
    faces = []
    for a in range(d):
        others = [j for j in range(d) if j != a]
        for value in (X[:, a].min(), X[:, a].max()):
            on = (X[:, a] == value) & ~on_face
            if np.count_nonzero(on) <= 4 * d:
                continue
            rows = X[np.ix_(on, others)]
            if d == 3:  # a polygon: thinned and pruned by the vectorised two-source hull
                vertices, _ = _hull_points(rows)
            else:
                hull = _convex_hull(rows, equations_too=False)
                vertices = rows if hull is None else rows[hull[0]]  # all of them if the face is flat
            face = np.empty((vertices.shape[0], d))
            face[:, others] = vertices
            face[:, a] = value
            faces.append(face)
            on_face |= on
    rest = X[~on_face] if faces else X
    if rest.shape[0] > 64:
        rest = _distinct_rows(rest)
    return np.vstack([rest, *faces]) if faces else rest


def _normalised(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Z, origin, scale)`` with ``Z = (X - origin) * scale`` of order one.

    ``origin`` is the per-column minimum (a data value, so differences from it
    are exact or nearly so) and ``scale`` a power of two per column (exact), so
    hull computations neither overflow nor underflow whatever the data's units."""
    origin = X.min(axis=0)
    Z = X - origin
    span = Z.max(axis=0)
    exponent = np.clip(np.frexp(np.where(span > 0, span, 1.0))[1], -1000, 1000)
    scale = np.ldexp(1.0, -exponent)
    Z *= scale  # in place: X may be a support of millions of points
    return Z, origin, scale


def _convex_hull(X: np.ndarray, equations_too: bool = True) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Vertex indices and facet equations ``[normal, offset]`` of the hull of
    ``X`` (inside: ``normal . x + offset <= 0``, unit normals; None unless
    ``equations_too``), or None when ``X`` is flat.  Computed in normalised
    coordinates (see :func:`_normalised`).  Two dimensions use the scipy-free
    :func:`biomodular.geometry.hull_2d`."""
    Z, origin, scale = _normalised(X)
    if X.shape[1] == 2:
        try:
            vertices = hull_2d(Z)
        except ValueError:
            return None
        if not equations_too:
            return vertices, None
        equations = hull_2d_equations(Z[vertices])
    else:
        from scipy.spatial import ConvexHull, QhullError

        try:
            hull = ConvexHull(Z)
        except QhullError:
            return None
        vertices, equations = hull.vertices, hull.equations
    # n . z + c <= 0 with z = (x - origin) * scale  <=>  (n * scale) . x + c - (n * scale) . origin <= 0
    normals = equations[:, :-1] * scale
    offsets = equations[:, -1] - normals @ origin
    length = np.linalg.norm(equations[:, :-1] * scale / scale.max(), axis=1) * scale.max()
    return vertices, np.column_stack([normals, offsets]) / length[:, None]


def _hull_equations(X: np.ndarray) -> np.ndarray | None:
    """Facet equations of the hull of ``X`` (None if flat)."""
    hull = _convex_hull(X)
    return None if hull is None else hull[1]


def _hull_points(X: np.ndarray, filtered: bool = False) -> tuple[np.ndarray, bool]:
    """Vertices of the hull of ``X`` (exact when ``d <= HULL_MAX_SOURCES``).

    ``filtered``: the rows already passed an interior filter (the reduction's
    candidates), so they go to qhull directly, which is then several times
    faster than filtering them again."""
    if X.shape[1] > 2:
        if not filtered:
            X = _discard_interior(X)
    elif X.shape[0] > 64:  # two sources: the vectorised hull prunes the interior itself
        X = _thin_saturated(X)
    hull = _convex_hull(X, equations_too=False) if X.shape[1] <= HULL_MAX_SOURCES else None
    if hull is None:
        # Too many sources for a hull, or a flat chunk of data that is not flat
        # as a whole: keep every candidate (a superset of the vertices).
        return _distinct_rows(X), False
    return X[hull[0]], True


def _as_sample_array(values, what: str = "samples") -> np.ndarray:
    """``values`` as a float array, refusing what would be silently misread."""
    if isinstance(values, np.ma.MaskedArray):
        if np.ma.getmaskarray(values).any():
            raise BiomodularError(
                f"{what} is a masked array with masked entries; drop or fill the masked "
                "rows first (their values would otherwise be used)"
            )
        values = values.data
    if isinstance(values, (str, bytes)):
        raise BiomodularError(f"{what} must be numeric, shape (n_samples, n_sources); got a string")
    try:
        if np.iscomplexobj(values):
            raise BiomodularError(f"{what} must be real; got complex values")
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, BiomodularError):
            raise
        raise BiomodularError(f"{what} must be numeric, shape (n_samples, n_sources): {exc}") from None


class Reduction:
    """A partial, mergeable one-pass reduction of samples to :class:`Sources`.

    Holds, for the rows seen so far: their number, their mean and second
    central moments (kept relative to a reference row and scaled per source
    by a power of two, so neither a large common offset nor the units can
    overflow or cancel them), the per-source extremes, and a set of candidate
    rows that contains every vertex of their convex hull (rows strictly inside
    an inner polytope are dropped as they arrive).

    Interface
    ---------
    ``Reduction(names=None)``
        An empty reduction.  ``names`` only label sources in error messages
        (and are the default names of :meth:`finish`).
    ``add(chunk, first_row=None) -> self``
        Reduce a block of rows, shape ``(rows, n_sources)``.  The caller's
        array is never written to; read-only and Fortran-ordered arrays are
        fine.  ``first_row`` (zero-based) numbers the rows in error messages;
        it defaults to the number of rows already added.
    ``merge(other) -> self``
        Add everything ``other`` has reduced (``other`` is not changed).
        Moments merge exactly (Chan et al.'s pairwise update); hull
        candidates are the union, filtered again.  Merging is associative and
        commutative up to rounding, so partial reductions of row blocks can be
        computed anywhere (threads, processes, dask partitions; a Reduction
        pickles) and combined in any tree.
    ``finish(names=None, origin="samples") -> Sources``
        Check the statistics (see :meth:`Sources.from_samples` for the
        refusals) and return the :class:`Sources`.  The reduction itself is
        not consumed.
    ``n_samples``
        Rows reduced so far.

    Memory is that of one block plus the candidates, which are compacted to
    the hull's vertices (above four sources, when blocks repeat rows, to the
    distinct rows) each time they grow geometrically (so total work stays linear).

    Examples
    --------
    >>> parts = [Reduction().add(block) for block in np.array_split(samples, 4)]
    >>> total = parts[0]
    >>> for part in parts[1:]:
    ...     total.merge(part)
    >>> sources = total.finish(names=["x", "y"])
    """

    def __init__(self, names: Sequence[str] | None = None):
        self.names = None if names is None else _check_names(names, len(_name_tuple(names)))
        self.n = 0
        self.d = 0  # number of sources, fixed by the first rows (0 until then)
        # Rows held back while there are no more rows than sources, so that a
        # transposed or too-short input is refused before any per-sample work.
        self.pending: list[tuple[np.ndarray, int | None]] | None = []
        self.n_pending = 0

    @property
    def n_samples(self) -> int:
        """Rows reduced so far."""
        return self.n

    # ----------------------------------------------------------- internals
    def _set_width(self, d: int) -> None:
        if self.d == 0:
            _require_two_sources(d)
            if self.names is not None and len(self.names) != d:
                raise BiomodularError(f"got {len(self.names)} names for {d} sources")
            self.d = d
        elif d != self.d:
            raise BiomodularError(f"rows have {d} columns after rows with {self.d}")

    def _start(self, reference: np.ndarray) -> None:
        d = self.d
        # Moments are kept about a data row (no cancellation against a large
        # offset) and per source in units of 2**exponent (no overflow or
        # underflow whatever the data's units).
        self.reference = np.array(reference, dtype=float)
        self.exponent = np.full(d, -1000, dtype=np.int64)
        self.mean_scaled = np.zeros(d)
        self.m2_scaled = np.zeros((d, d))
        self.lower = np.full(d, np.inf)
        self.upper = np.full(d, -np.inf)
        self.keep = _InteriorFilter(d, self.reference) if d <= FILTER_MAX_SOURCES else None
        self.candidates: list[np.ndarray] = []
        self.n_candidates = 0
        self.compact_at = COMPACT_ROWS
        self.repeats = False  # whether a block without an interior filter repeated rows

    def _rescale(self, magnitude: np.ndarray) -> None:
        """Grow the per-source units so that values up to ``magnitude`` are at most 1."""
        needed = np.frexp(np.where(magnitude > 0, magnitude, 0.0))[1].astype(np.int64)
        new = np.maximum(self.exponent, np.where(magnitude > 0, needed, self.exponent))
        if np.array_equal(new, self.exponent):
            return
        shift = self.exponent - new
        self.mean_scaled = np.ldexp(self.mean_scaled, shift)
        self.m2_scaled = np.ldexp(self.m2_scaled, shift[:, None] + shift[None, :])
        self.exponent = new

    def _absorb(self, n_b: int, mean_b: np.ndarray, m2_b: np.ndarray) -> None:
        """Chan's pairwise update with a part's count, mean and comoment (current units)."""
        n_a = self.n
        total = n_a + n_b
        delta = mean_b - self.mean_scaled
        self.mean_scaled = self.mean_scaled + delta * (n_b / total)
        self.m2_scaled = self.m2_scaled + m2_b + np.outer(delta, delta) * (n_a * n_b / total)
        self.n = total

    def _take_candidates(self, rows: np.ndarray, centred: np.ndarray | None = None) -> None:
        if self.keep is not None:
            kept = self.keep(rows, centred)
        elif centred is not None and _distinct_share(centred) < 1.0:
            # No interior filter here (more than four sources), but discrete data repeat
            # rows: keep each once, so that the candidates stay those of the distinct rows.
            kept, _ = _drop_repeats(rows, centred)
            self.repeats = True
        else:
            kept = rows.copy()
        if kept.shape[0] > 64 and self.d == 2:
            kept = _thin_saturated(kept)  # (three and four sources: the filter thins faces)
        if kept.shape[0]:
            self.candidates.append(kept)
            self.n_candidates += kept.shape[0]
        limit = HULL_SUPPORT_BYTES if self.keep is not None else MAX_SUPPORT_BYTES
        if self.n_candidates * self.d * 8 > limit:
            why = (
                "nearly every sample is a vertex of the hull (samples on a curve or surface)"
                if self.keep is not None
                else "in this many dimensions nearly every sample is a vertex"
            )
            raise BiomodularError(
                f"the support of {self.n} samples of {self.d} sources keeps {self.n_candidates} "
                f"candidate hull vertices (over {limit >> 20} MiB): {why}; use fewer rows "
                "(a subsample) or fewer columns (--columns)"
            )
        if self.keep is None and self.repeats and self.n_candidates > self.compact_at:
            # Blocks repeat one another's rows too: drop those when the candidates double.
            distinct = _distinct_rows(_stacked(self.candidates))
            self.candidates, self.n_candidates = [distinct], distinct.shape[0]
            self.compact_at = max(COMPACT_ROWS, 2 * distinct.shape[0])
        if self.keep is not None and self.n_candidates > self.compact_at:
            before = self.n_candidates
            self.candidates = [_stacked(self.candidates)]
            points, _ = _hull_points(self.candidates[0], filtered=True)
            self.candidates, self.n_candidates = [points], points.shape[0]
            # Compact again when the candidates double, or grow eightfold if
            # compacting barely helped (most candidates are vertices, as on a
            # circle): the total work stays proportional to the rows.
            growth = 2 if points.shape[0] < before / 2 else 8
            self.compact_at = max(COMPACT_ROWS, growth * points.shape[0])

    def _refuse_span(self, columns: np.ndarray) -> None:
        j = int(np.argmax(~np.isfinite(columns).all(axis=1)))
        raise BiomodularError(
            f"source {self._name(j)!r} spans more than the largest double (about 1.8e308) "
            "between its values; rescale it (divide by a power of ten) first"
        )

    # ----------------------------------------------------------- interface
    def add(self, chunk, first_row: int | None = None) -> "Reduction":
        """Reduce a block of rows (see the class docstring); returns ``self``."""
        chunk = _as_sample_array(chunk)
        if chunk.ndim != 2:
            raise BiomodularError(f"samples must be 2-D; got shape {chunk.shape}")
        rows, d = chunk.shape
        self._set_width(d)
        if rows == 0:
            return self
        if self.n == 0 and self.n_pending + rows <= d and self.pending is not None:
            if not np.isfinite(chunk).all():
                self._raise_not_finite(chunk, self.n_pending if first_row is None else int(first_row))
            self.pending.append((chunk, first_row))
            self.n_pending += rows
            return self
        self._flush_pending()
        offset = self.n if first_row is None else int(first_row)
        if self.n == 0:
            lo0 = chunk[0]
            if not np.isfinite(lo0).all():
                self._raise_not_finite(chunk[:1], offset)
            self._start(lo0)
        for start in range(0, rows, BLOCK_ROWS):
            block = chunk[start : start + BLOCK_ROWS]
            # A new (d, rows) array, so reductions run along contiguous rows
            # and the caller's array is only read.
            columns = np.array(block.T, order="C")
            lo, hi = columns.min(axis=1), columns.max(axis=1)
            if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
                self._raise_not_finite(block, offset + start)
            np.minimum(self.lower, lo, out=self.lower)
            np.maximum(self.upper, hi, out=self.upper)
            columns -= self.reference[:, None]  # now centred on the reference row
            # Rounding is monotone, so these are the largest |x - reference|.
            magnitude = np.maximum(hi - self.reference, self.reference - lo)
            if not np.isfinite(magnitude).all():
                self._refuse_span(columns)
            self._rescale(magnitude)
            self._take_candidates(block, columns)
            columns *= np.ldexp(1.0, -self.exponent)[:, None]  # exact: powers of two
            mean_b = columns.mean(axis=1)
            columns -= mean_b[:, None]
            self._absorb(block.shape[0], mean_b, columns @ columns.T)
        return self

    def _flush_pending(self) -> None:
        if not self.pending:
            return
        held, self.pending = self.pending, None  # None: add() takes rows at once
        for block, first_row in held:
            self.add(block, first_row)
        self.pending, self.n_pending = [], 0

    def merge(self, other: "Reduction") -> "Reduction":
        """Add everything ``other`` has reduced (see the class docstring); returns ``self``."""
        if not isinstance(other, Reduction):
            raise BiomodularError(f"can only merge a Reduction; got {type(other).__name__}")
        if other.d == 0:
            return self
        self._set_width(other.d)
        self._flush_pending()
        for block, first_row in other.pending or ():
            self.add(block, first_row)
        if other.n == 0:
            return self
        if self.n == 0:
            self._start(other.reference)
        shift = other.reference - self.reference
        if not np.isfinite(shift).all():
            self._refuse_span(shift[:, None])
        other_mean = shift + np.ldexp(other.mean_scaled, other.exponent)
        # Units that hold both parts' values and the other part's mean.
        self._rescale(np.maximum(np.ldexp(1.0, other.exponent), np.abs(other_mean)))
        rescale = other.exponent - self.exponent
        m2_b = np.ldexp(other.m2_scaled, rescale[:, None] + rescale[None, :])
        self._absorb(other.n, np.ldexp(other_mean, -self.exponent), m2_b)
        np.minimum(self.lower, other.lower, out=self.lower)
        np.maximum(self.upper, other.upper, out=self.upper)
        self.repeats = self.repeats or other.repeats
        for rows in other.candidates:
            self._take_candidates(rows)
        return self

    def _raise_not_finite(self, block: np.ndarray, offset: int) -> None:
        bad_r, bad_c = np.argwhere(~np.isfinite(block))[0]
        raise BiomodularError(
            f"value {block[bad_r, bad_c]} at row {offset + bad_r + 1}, column {self._name(bad_c)!r} "
            "is not finite; remove or impute rows with NaN or infinite values"
        )

    def _name(self, j: int) -> str:
        if self.names is not None and j < len(self.names):
            return str(self.names[j])
        return f"s{j + 1}"

    def finish(self, names: Sequence[str] | None = None, origin: str = "samples") -> Sources:
        """Check the statistics and return the :class:`Sources` (see the class docstring)."""
        if self.d == 0 or (self.n == 0 and self.n_pending == 0):
            raise BiomodularError("no samples: the input is empty")
        d = self.d
        if self.n == 0:
            _refuse_too_few_rows(self.n_pending, d)
        names_t = _check_names(self.names if names is None else names, d)
        _check_support(d, self.n, self.lower, self.upper, names_t)
        offset = np.ldexp(self.mean_scaled, self.exponent)  # mean - reference
        lower_c, upper_c = self.lower - self.reference, self.upper - self.reference
        beta = np.minimum(offset - lower_c, upper_c - offset)
        variance_scaled = np.diag(self.m2_scaled) / self.n
        log2_sd = 0.5 * np.log2(np.maximum(variance_scaled, 1e-300)) + self.exponent
        _check_scale(names_t, log2_sd, self.lower, self.upper, beta)
        _check_resolution(names_t, self.lower, self.upper, beta)
        exponents = self.exponent[:, None] + self.exponent[None, :]
        cov = np.ldexp(self.m2_scaled / self.n, exponents)
        cov = (cov + cov.T) / 2
        _check_flat(cov, names_t)
        self.candidates = [_stacked(self.candidates)]  # the same rows, one copy held
        points, exact = _hull_points(self.candidates[0], filtered=self.keep is not None)
        return Sources(
            mean=self.reference + offset,
            cov=cov,
            lower=self.lower.copy(),
            upper=self.upper.copy(),
            points=points,
            points_are_vertices=exact,
            n_samples=self.n,
            names=names_t,
            origin=origin,
        )


def _stacked(parts: list[np.ndarray]) -> np.ndarray:
    """The rows of ``parts`` as one array (no copy when there is one part)."""
    return parts[0] if len(parts) == 1 else np.vstack(parts)


def _name_tuple(names) -> tuple[str, ...]:
    if isinstance(names, (str, bytes)):
        raise BiomodularError(
            f"names must be a sequence of strings, one per source; got the single string {names!r} "
            "(write names=['a', 'b'], not names='ab')"
        )
    try:
        return tuple(str(n) for n in names)
    except TypeError:
        raise BiomodularError(
            f"names must be a sequence of strings, one per source; got {type(names).__name__}"
        ) from None


def _check_scale(names, log2_sd, lower, upper, beta) -> None:
    """Refuse sources whose second moments are not normal doubles (see SCALE_BITS)."""
    half_range = upper / 2 - lower / 2  # cannot overflow
    with np.errstate(divide="ignore"):
        log2_range = np.log2(half_range) + 1
        log2_beta = np.log2(np.abs(beta))
    for j, name in enumerate(names):
        for what, value in (
            ("spread", log2_sd[j]),
            ("range", log2_range[j]),
            ("distance from the mean to the nearer extreme", log2_beta[j]),
        ):
            if not (-SCALE_BITS <= value <= SCALE_BITS):
                decimal = value * np.log10(2)
                raise BiomodularError(
                    f"source {name!r} has a {what} of about 1e{decimal:+.0f}, outside about 3e-154..3e153 "
                    "where its second moments are normal double-precision numbers; multiply it by "
                    "a power of ten first (the verdict does not depend on the units)"
                )


def _check_resolution(names, lower, upper, beta) -> None:
    """Refuse sources offset so far from zero that rounding swamps their spread
    (see RESOLUTION_BITS)."""
    magnitude = np.maximum(np.abs(lower), np.abs(upper))
    steps = beta / np.spacing(magnitude)
    for j, name in enumerate(names):
        if steps[j] < 2.0**RESOLUTION_BITS:
            raise BiomodularError(
                f"source {name!r} varies by only {beta[j] / magnitude[j]:.1e} of its magnitude "
                f"{magnitude[j]:.3g}: doubles resolve fewer than 2^{RESOLUTION_BITS} steps between its "
                "mean and nearer extreme, so rounding could move the margin; subtract a baseline "
                "(e.g. its median) from the source first"
            )


#: Up to this many hull candidates (two sources), :func:`block_sources` finishes
#: the hull with the monotone chain in Python, faster than the vectorised hull.
FEW_CANDIDATES = 256


def block_sources(
    block: np.ndarray, names: Sequence[str] | None = None, candidates: np.ndarray | None = None
) -> Sources:
    """The :class:`Sources` of a small block of rows already in memory, computed directly.

    For the thousands of rows of a subsample, not for a data set: moments come
    from the rows in one numpy call each (no streaming :class:`Reduction`),
    and the hull from ``candidates``, rows that contain every vertex of the
    block's hull (default: the block; callers that know the hulls of parts of
    the block pass their vertices).  Equal to :meth:`Sources.from_samples` of
    the block up to rounding.  Raises :class:`BiomodularError` for a block
    with a constant source or lying in a flat.
    """
    block = np.asarray(block, dtype=float)
    m, d = block.shape
    names_t = _check_names(names, d)
    mean = block.mean(axis=0)
    centred = block - mean
    cov = centred.T @ centred / m
    cov = (cov + cov.T) / 2
    _check_flat(cov, names_t)
    lower, upper = block.min(axis=0), block.max(axis=0)
    if not (np.minimum(mean - lower, upper - mean) > 0).all():
        raise BiomodularError("a source is constant in this block of rows")
    candidates = block if candidates is None else np.asarray(candidates, dtype=float)
    if d == 2:
        # In the block's scaled coordinates (order one), whatever the units.
        scaled = (candidates - mean) / (upper - lower)
        hull = monotone_chain if candidates.shape[0] <= FEW_CANDIDATES else hull_2d
        try:
            points, exact = candidates[hull(scaled)], True
        except ValueError as exc:
            raise BiomodularError(f"the block has no two-dimensional hull: {exc}") from None
    else:
        points, exact = _hull_points(candidates)
    return Sources(
        mean=mean,
        cov=cov,
        lower=lower,
        upper=upper,
        points=points,
        points_are_vertices=exact,
        n_samples=m,
        names=names_t,
    )
