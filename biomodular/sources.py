"""Sources: a dataset of source variables reduced once to its sufficient statistics.

Everything biomodular decides about a dataset depends on it only through its
mean, its covariance, the per-source extremes and the vertices of the convex
hull of its support (THEORY.md section 1).  :class:`Sources` holds exactly
those, computed in one pass over the samples (chunked for files larger than
memory), or given directly as statistics of a described distribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import BiomodularError
from .geometry import hull_2d, hull_2d_equations

__all__ = ["Sources", "HULL_MAX_SOURCES"]

#: Above this many sources the convex hull is not computed (qhull's output grows
#: too fast); the support is then kept as a set of candidate points that
#: contains every hull vertex, which is all the support function needs.
HULL_MAX_SOURCES = 7

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
    ) -> "Sources":
        """Reduce an array of samples, shape ``(n_samples, n_sources)``.

        Parameters
        ----------
        samples : array_like, shape (n_samples, n_sources)
            One row per sample, one column per source.
        names : sequence of str, optional
            Source names; defaults to ``s1, s2, ...``.

        Raises
        ------
        BiomodularError
            For non-numeric, NaN or infinite values, fewer than
            ``n_sources + 1`` samples, fewer than two sources, a constant
            source, or data lying in a lower-dimensional flat.
        """
        try:
            array = np.asarray(samples, dtype=float)
        except (TypeError, ValueError) as exc:
            raise BiomodularError(
                f"samples must be numeric, shape (n_samples, n_sources): {exc}"
            ) from None
        if array.ndim == 1:
            raise BiomodularError(
                "samples must be 2-D, shape (n_samples, n_sources); got one dimension "
                "(a single source has no modularity question: give at least two columns)"
            )
        if array.ndim != 2:
            raise BiomodularError(
                f"samples must be 2-D, shape (n_samples, n_sources); got shape {array.shape}"
            )
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
        reducer = _Reducer(names)
        for chunk in chunks:
            reducer.add(chunk)
        return reducer.finish(origin)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        columns: Sequence[str | int] | None = None,
        key: str | None = None,
        chunk_rows: int = 1_000_000,
    ) -> "Sources":
        """Reduce a CSV, ``.npy`` or ``.npz`` file in one chunked pass.

        Parameters
        ----------
        path : str or Path
            The file.  CSV files may have a header row of names.
        columns : sequence of str or int, optional
            Columns to use, by name (needs a header) or zero-based index.
        key : str, optional
            Array to use in an ``.npz`` file (needed when it holds several).
        chunk_rows : int
            Rows read at a time.
        """
        from . import io

        names, chunks = io.iter_chunks(path, columns=columns, key=key, chunk_rows=chunk_rows)
        return cls.from_chunks(chunks, names=names, origin=str(path))

    @classmethod
    def from_example(cls, name: str, seed: int = 0) -> "Sources":
        """Reduce one of the bundled example datasets (see :mod:`biomodular.examples`)."""
        from . import examples

        samples, names = examples.load(name, seed=seed)
        return cls.from_chunks([samples], names=names, origin=f"example:{name}")

    @classmethod
    def from_statistics(
        cls,
        mean: Sequence[float],
        cov: Sequence[Sequence[float]],
        vertices: Sequence[Sequence[float]],
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
            raise BiomodularError(
                f"vertices must have {d} columns to match mean; got shape {verts.shape}"
            )
        if not np.allclose(cov_a, cov_a.T, rtol=1e-10, atol=1e-12 * np.abs(cov_a).max()):
            raise BiomodularError("cov must be symmetric")
        cov_a = (cov_a + cov_a.T) / 2
        names_t = _check_names(names, d)
        _check_sources(d, verts.shape[0] if verts.shape[0] > d else d + 1, cov_a, verts.min(0), verts.max(0), names_t)
        if verts.shape[0] < d + 1:
            raise BiomodularError(
                f"the support needs at least {d + 1} vertices for {d} sources; got {verts.shape[0]}"
            )
        points, exact = _hull_points(verts)
        lower, upper = verts.min(0), verts.max(0)
        _check_mean_inside(mean_a, points, exact)
        return cls(
            mean=mean_a, cov=cov_a, lower=lower, upper=upper, points=points,
            points_are_vertices=exact, n_samples=None, names=names_t, origin="statistics",
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
        """Distance from the mean to each source's nearer extreme (THEORY.md s.1)."""
        return np.minimum(self.mean - self.lower, self.upper - self.mean)

    @cached_property
    def modularity_matrix(self) -> np.ndarray:
        """The matrix ``F`` of THEORY.md s.2: ``F_jj = beta_j^2``, ``F_jk = -C_jk``."""
        F = -self.cov.copy()
        np.fill_diagonal(F, self.beta**2)
        return F

    @cached_property
    def range_independent(self) -> bool:
        """Whether every corner of the sources' bounding box is in the support.

        Range independence implies modularity for any number of sources
        (THEORY.md s.2).  Corners are compared with a tolerance of ``1e-9``
        times each source's range.  Always false above 20 sources.
        """
        d = self.n_sources
        if d > 20:
            return False
        width = self.upper - self.lower
        scaled = (self.points - self.lower) / width  # corners are {0,1}^d
        near_corner = np.all(np.minimum(np.abs(scaled), np.abs(scaled - 1)) <= 1e-9, axis=1)
        bits = np.rint(scaled[near_corner]).astype(np.int64)
        codes = bits @ (1 << np.arange(d, dtype=np.int64))
        return np.unique(codes).size == 2**d

    def support_min(self, directions: np.ndarray) -> np.ndarray:
        """``m(w) = min_i w . (s_i - mean)`` for each row ``w`` of ``directions``."""
        directions = np.atleast_2d(np.asarray(directions, dtype=float))
        return (directions @ self.centred_points.T).min(axis=1)

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
        return (
            f"Sources({n}, n_sources={self.n_sources}, names={list(self.names)}, "
            f"{self.points.shape[0]} {kind})"
        )


# ---------------------------------------------------------------------- helpers
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
    names_t = tuple(str(n) for n in names)
    if len(names_t) != d:
        raise BiomodularError(f"got {len(names_t)} names for {d} sources")
    return names_t


def _require_two_sources(d: int) -> None:
    if d < 2:
        raise BiomodularError(
            f"need at least two sources (columns) to ask whether a code mixes them; got {d}"
        )


def _check_sources(d, n, cov, lower, upper, names) -> None:
    """Shared checks on the reduced statistics (raise BiomodularError)."""
    _require_two_sources(d)
    if n < d + 1:
        raise BiomodularError(
            f"need at least n_sources + 1 = {d + 1} samples for {d} sources; got {n}"
        )
    constant = [names[j] for j in range(d) if not upper[j] > lower[j]]
    if constant:
        raise BiomodularError(
            f"source {constant[0]!r} is constant; drop it (a constant carries nothing to code)"
        )
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
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
    if not exact:
        return
    equations = _hull_equations(points)
    offsets = equations[:, :-1] @ mean + equations[:, -1]
    scale = np.abs(points - mean).max()
    if offsets.max() >= -1e-12 * scale:
        raise BiomodularError("the mean must lie strictly inside the convex hull of the vertices")


#: Rows processed at a time by the reducer: small enough that a block and its
#: projections stay in cache, large enough that numpy's per-call cost is small.
BLOCK_ROWS = 1 << 14


def _filter_directions(d: int, stage: int) -> np.ndarray:
    """Directions whose extreme points span an inner polytope (finer at later stages)."""
    if d == 2:
        count = 16 if stage == 0 else 64
        angles = np.arange(count) * (2 * np.pi / count)
        return np.column_stack([np.cos(angles), np.sin(angles)])
    axes = np.vstack([np.eye(d), -np.eye(d)])
    if stage == 0 and d <= 4:
        signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T
        return np.vstack([axes, signs])
    rng = np.random.default_rng(20230201 + stage)
    extra = rng.standard_normal(((4 if stage == 0 else 16) * d, d))
    return np.vstack([axes, extra])


class _InteriorFilter:
    """Akl-Toussaint filter: the extreme points of the data seen so far, in a
    fixed set of directions, span an inner polytope; a point strictly inside it
    cannot be a vertex of the hull, so it can be dropped."""

    def __init__(self, d: int, stage: int = 0):
        self.directions = _filter_directions(d, stage)
        self.best = np.full(len(self.directions), -np.inf)
        self.extremes = np.zeros((len(self.directions), d))
        self.equations: np.ndarray | None = None

    def __call__(self, block: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
        """Rows of ``block`` that may be hull vertices (of everything seen).

        ``columns`` is ``block.T`` as a C-contiguous array, if the caller has
        it: reductions along its rows are much faster than down ``block``.
        """
        if columns is None:
            columns = np.ascontiguousarray(block.T)
        # einsum, not matmul: BLAS threads these skinny products badly on a busy machine
        proj = np.einsum("ij,jk->ik", self.directions, columns)  # (n_directions, rows)
        arg = proj.argmax(axis=1)
        top = proj[np.arange(proj.shape[0]), arg]
        better = top > self.best
        if better.any():
            self.best[better] = top[better]
            self.extremes[better] = block[arg[better]]
            inner = np.unique(self.extremes[np.isfinite(self.best)], axis=0)
            self.equations = _hull_equations(inner) if inner.shape[0] > block.shape[1] else None
        if self.equations is None:
            return block
        scale = np.abs(self.extremes).max() + 1.0
        outside = np.einsum("ij,jk->ik", self.equations[:, :-1], columns)
        outside += self.equations[:, -1:]
        return block[outside.max(axis=0) >= -1e-9 * scale]


def _discard_interior(X: np.ndarray) -> np.ndarray:
    """A subset of the rows of ``X`` that contains every vertex of its hull."""
    n, d = X.shape
    for stage in (0, 1):
        if X.shape[0] <= 64 * (d + 1):
            break
        keep = _InteriorFilter(d, stage)
        keep(X[np.einsum("ij,kj->ik", keep.directions, X).argmax(axis=1)])  # the extremes first
        X = np.vstack([keep(X[i : i + BLOCK_ROWS]) for i in range(0, X.shape[0], BLOCK_ROWS)])
    return X


def _convex_hull(X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Vertex indices and facet equations ``[normal, offset]`` of the hull of
    ``X`` (inside: ``normal . x + offset <= 0``), or None when ``X`` is flat.
    Two dimensions use the scipy-free monotone chain."""
    if X.shape[1] == 2:
        try:
            vertices = hull_2d(X)
        except ValueError:
            return None
        return vertices, hull_2d_equations(X[vertices])
    from scipy.spatial import ConvexHull, QhullError

    try:
        hull = ConvexHull(X)
    except QhullError:
        return None
    return hull.vertices, hull.equations


def _hull_equations(X: np.ndarray) -> np.ndarray | None:
    """Facet equations of the hull of ``X`` (None if flat)."""
    hull = _convex_hull(X)
    return None if hull is None else hull[1]


def _hull_points(X: np.ndarray) -> tuple[np.ndarray, bool]:
    """Vertices of the hull of ``X`` (exact when ``d <= HULL_MAX_SOURCES``)."""
    X = _discard_interior(X)
    hull = _convex_hull(X) if X.shape[1] <= HULL_MAX_SOURCES else None
    if hull is None:
        # Too many sources for a hull, or a flat chunk of data that is not flat
        # as a whole: keep every candidate (a superset of the vertices).
        return np.unique(X, axis=0), False
    return X[hull[0]], True


class _Reducer:
    """One pass over row blocks: shifted first and second moments, extremes and
    the candidate hull vertices (points outside the current inner polytope)."""

    def __init__(self, names: Sequence[str] | None):
        self.names = names
        self.n = 0
        self.d: int | None = None

    def _start(self, first_row: np.ndarray) -> None:
        d = self.d
        # Moments about a data point keep the covariance free of cancellation.
        self.shift = first_row.copy()
        self.s1 = np.zeros(d)
        self.s2 = np.zeros((d, d))
        self.lower = np.full(d, np.inf)
        self.upper = np.full(d, -np.inf)
        self.keep = _InteriorFilter(d)
        self.candidates: list[np.ndarray] = []
        self.n_candidates = 0

    def add(self, chunk: np.ndarray) -> None:
        chunk = np.asarray(chunk, dtype=float)
        if chunk.ndim != 2:
            raise BiomodularError(f"samples must be 2-D; got shape {chunk.shape}")
        rows, d = chunk.shape
        if self.d is None:
            _require_two_sources(d)
            self.d = d
        elif d != self.d:
            raise BiomodularError(f"rows have {d} columns after rows with {self.d}")
        if rows == 0:
            return
        if self.n == 0:
            self._start(chunk[0])
        for start in range(0, rows, BLOCK_ROWS):
            block = chunk[start : start + BLOCK_ROWS]
            columns = np.ascontiguousarray(block.T)  # (d, rows): fast row reductions
            lo, hi = columns.min(axis=1), columns.max(axis=1)
            if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
                self._raise_not_finite(block, self.n + start)
            np.minimum(self.lower, lo, out=self.lower)
            np.maximum(self.upper, hi, out=self.upper)
            columns -= self.shift[:, None]
            self.s1 += columns.sum(axis=1)
            self.s2 += columns @ columns.T
            columns += self.shift[:, None]
            kept = self.keep(block, columns)
            self.candidates.append(kept)
            self.n_candidates += kept.shape[0]
        self.n += rows
        if self.n_candidates > 4096 * d:
            points, _ = _hull_points(np.vstack(self.candidates))
            self.candidates, self.n_candidates = [points], points.shape[0]

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

    def finish(self, origin: str) -> Sources:
        if self.d is None or self.n == 0:
            raise BiomodularError("no samples: the input is empty")
        d = self.d
        names = _check_names(self.names, d)
        offset = self.s1 / self.n
        cov = self.s2 / self.n - np.outer(offset, offset)
        cov = (cov + cov.T) / 2
        mean = self.shift + offset
        _check_sources(d, self.n, cov, self.lower, self.upper, names)
        points, exact = _hull_points(np.vstack(self.candidates))
        return Sources(
            mean=mean, cov=cov, lower=self.lower, upper=self.upper, points=points,
            points_are_vertices=exact, n_samples=self.n, names=names, origin=origin,
        )
