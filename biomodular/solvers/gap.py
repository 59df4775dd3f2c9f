"""Exact minimisation of the modularity gap ``m(w)^2 - w^T M w`` over unit directions.

For centred support points ``p_i`` (rows of ``points``) and a symmetric matrix
``M``, every function here minimises

    f(w) = (min_i w . p_i)^2 - w^T M w      over ||w|| = 1.

With ``M = F`` this is the modularity margin of docs/mathematics.md, "The exact modularity condition"; with
``M = Lambda - C`` it is the pricing problem of column generation (docs/mathematics.md,
"Solving for the optimal code exactly").

Methods (docs/mathematics.md, "The exact modularity condition", "Exact algorithms for the direction form"):

``sector``
    Two sources.  On the angular sector where one hull vertex ``v`` is the
    minimiser of ``w . p``, ``f(w) = w^T (v v^T - M) w``; its minimum over the
    sector is at an end (an inward edge normal) or at an eigenvector of
    ``v v^T - M`` inside the sector.  Exact, O(hull size).
``cones``
    Any number of sources.  The sectors become the normal cones of the hull's
    faces.  On the relative interior of the normal cone of a face ``Phi``,
    ``f`` is the Rayleigh quotient of ``v v^T - M`` restricted to the linear
    span ``L_Phi`` of that cone (the orthogonal complement of the face's
    directions), so any minimiser there is one of its eigenvectors, and
    indeed one of the smallest eigenvalue (every other eigenvector is a saddle
    or a maximum of the quotient).  Enumerating every face of the hull
    therefore yields a finite candidate set, one direction per face, that
    contains the global minimiser.  A candidate inside its face's cone
    (a local test against the vertices that share a facet) has a known gap;
    the best of those, and every one within a margin of it, are re-scored with
    the true ``f``, so the answer is an attained value (never optimistic) and,
    because the minimiser is among the candidates, exact.  Cost grows with the number of faces; the method
    refuses past ``max_faces``.
``facets``
    ``M`` positive semidefinite.  Then ``max {w^T M w : m(w) >= -1}`` is a
    convex maximisation over a polytope whose vertices are the hull's facets,
    so ``f < 0`` somewhere iff ``f(n_f) < 0`` for a facet normal ``n_f``:
    ``n_f^T M n_f > h_f^2`` (the ellipsoid pokes through that facet).  Exact
    in sign; the value returned is ``f`` at the worst facet normal, an upper
    bound on the minimum.
``search``
    Any number of sources, any support size.  Scores the axes, the facet
    normals when a hull is available, every eigenvector of ``v v^T - M`` for
    every support point ``v`` (the interior stationary points), and seeded
    random directions, then polishes the best with a local optimiser.  Sound
    (every value is attained) but not exact: it can miss a violation.
``grid``
    Fixed grid of directions (``n_directions`` angles for two sources, random
    unit vectors otherwise): the naive baseline, for comparisons only.

``auto`` here is ``sector`` for two sources, then ``cones`` within the face
budget, then ``facets`` (``M`` positive semidefinite) or ``search``.  The
callers go further where these run out: the check
(:func:`biomodular.check_modularity`) takes the global route of
:mod:`biomodular.solvers.polar` from five sources on (no hull is kept), and
column generation prices past the face budget with ``cones`` on a cut pool
(up to five sources) or SCIP (:func:`biomodular.solvers.polar.price_directions`),
so that both stay certified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Self
import time

import numpy as np

from ..errors import BiomodularError
from ..geometry import hull_2d, hull_2d_of_polygon, hull_facets, is_convex_ccw

__all__ = [
    "GapMinimum",
    "min_quadratic_gap",
    "gap_values",
    "hull_faces",
    "TooManyFaces",
    "DEFAULT_MAX_FACES",
]

#: Most numbers :func:`gap_values` holds at once in its (directions x points) product.
GAP_BLOCK = 1 << 20

#: Face-enumeration budget of the ``cones`` method.
DEFAULT_MAX_FACES = 100_000

#: The ``search`` method scores interior stationary directions while ``points x d x d`` stays
#: below this many numbers (memory of the batched eigenproblem).
INTERIOR_SEARCH_LIMIT = 50_000_000

#: Multiply-adds the ``search`` method may spend scoring interior stationary directions on
#: every point: past it, only the outermost points' directions are scored (each point gives
#: ``2 d`` directions, so scoring all of them costs ``2 d^2 k^2``: hours for 1e5 points of
#: fifteen sources).
INTERIOR_SEARCH_WORK = 2e9


class TooManyFaces(BiomodularError):
    """The hull has more faces than the ``cones`` method was allowed to enumerate."""


@dataclass(frozen=True)
class GapMinimum:
    """Result of :func:`min_quadratic_gap`.

    Attributes
    ----------
    value : float
        Smallest value of ``f`` found (attained at ``direction``).
    direction : ndarray, shape (d,)
        A unit vector attaining ``value``.
    exact : bool
        Whether ``value`` is the exact minimum (``sector``, ``cones``).
    exact_sign : bool
        Whether the sign of ``value`` is that of the exact minimum
        (``sector``, ``cones``, and ``facets``, whose value is only an upper bound).
    method : str
        The method that produced it.
    n_candidates : int
        Number of directions scored.
    candidates : ndarray, shape (k, d)
        The directions scored (unit rows), for callers that look for ties.
        The ``sector`` method on a hull of more than ``SECTOR_BLOCK``
        vertices returns only the candidates :func:`_sector_keep` selects
        (the lowest values and the best directions off the axes).
    candidate_values : ndarray, shape (k,)
        ``f`` at each candidate.
    n_faces : int
        Hull faces enumerated (``cones``) or facets tested (``facets``).
    """

    value: float
    direction: np.ndarray
    exact: bool
    method: str
    n_candidates: int
    candidates: np.ndarray = field(repr=False)
    candidate_values: np.ndarray = field(repr=False)
    n_faces: int = 0
    exact_sign: bool = False

    @classmethod
    def lowest(
        cls,
        candidates: np.ndarray,
        values: np.ndarray,
        *,
        method: str,
        exact: bool,
        n_faces: int = 0,
        exact_sign: bool = False,
        n_candidates: int | None = None,
        best: int | None = None,
        **more: Any,
    ) -> Self:
        """The result whose ``value`` and ``direction`` are the lowest of ``values`` (or the
        one at ``best``) and its candidate; ``n_candidates`` defaults to their number.
        Subclasses take their own fields as keywords in ``more``."""
        top = int(np.argmin(values)) if best is None else int(best)
        return cls(
            value=float(values[top]),
            direction=candidates[top].copy(),
            exact=bool(exact),
            method=method,
            n_candidates=int(candidates.shape[0] if n_candidates is None else n_candidates),
            candidates=candidates,
            candidate_values=values,
            n_faces=int(n_faces),
            exact_sign=bool(exact_sign),
            **more,
        )


def gap_values(points: np.ndarray, M: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """``f(w) = (min_i w . p_i)^2 - w^T M w`` for each row ``w`` of ``directions``."""
    directions = np.atleast_2d(directions)
    out = np.empty(directions.shape[0])
    # Blocks of directions and of points keep the product within GAP_BLOCK numbers.
    k = max(points.shape[0], 1)
    block = max(1, GAP_BLOCK // k, min(directions.shape[0], 16))
    chunk = max(1, GAP_BLOCK // block)
    for start in range(0, directions.shape[0], block):
        W = directions[start : start + block]
        m = np.full(W.shape[0], np.inf)
        for first in range(0, k, chunk):
            part = points[first : first + chunk]
            # Few sources: einsum, since BLAS threads these skinny products badly on a busy machine.
            product = np.einsum("ij,kj->ik", W, part) if part.shape[1] <= 4 else W @ part.T
            np.minimum(m, product.min(axis=1), out=m)
        # Many sources: the quadratic form through one matrix product (the three-operand
        # einsum loops in C without BLAS: 13 s for 12,000 directions of a thousand sources).
        quadratic = np.einsum("ij,ij->i", W @ M, W) if W.shape[1] > 16 else np.einsum("ij,jk,ik->i", W, M, W)
        out[start : start + block] = m**2 - quadratic
    return out


def min_quadratic_gap(
    points: np.ndarray,
    M: np.ndarray,
    method: str = "auto",
    max_faces: int = DEFAULT_MAX_FACES,
    seed: int | np.random.Generator = 0,
    n_directions: int = 500,
    facets: Facets | None = None,
    time_limit: float | None = None,
) -> GapMinimum:
    """Minimise ``(min_i w . p_i)^2 - w^T M w`` over unit ``w``.

    Parameters
    ----------
    points : ndarray, shape (k, d)
        Centred support points (a superset of the hull's vertices is allowed;
        ``sector``, ``cones`` and ``facets`` compute the hull themselves).
        The origin must lie strictly inside their convex hull.
    M : ndarray, shape (d, d)
        Symmetric matrix.
    method : {"auto", "sector", "cones", "facets", "search", "grid"}
        See the module docstring.  ``auto`` uses ``sector`` for two sources,
        ``cones`` while the hull has at most ``max_faces`` faces, then
        ``facets`` when ``M`` is positive semidefinite, else ``search``.
    max_faces : int
        Face budget of ``cones``.
    seed : int or Generator
        Randomness of ``search`` and ``grid`` (reproducible).
    n_directions : int
        Directions of the ``grid`` baseline.
    facets : tuple, optional
        The hull's facets ``(vertex index sets, equations)`` in the coordinates
        of ``points`` when the caller already has them
        (:meth:`biomodular.Sources.facets`); computed otherwise.
    time_limit : float, optional
        Seconds the local polishing of ``search`` may take (each of its
        evaluations is a pass over the points); past them it stops and
        returns the best directions found so far.  None: no limit.

    Returns
    -------
    GapMinimum
    """
    if time_limit is not None and not time_limit > 0:
        raise BiomodularError(f"time_limit must be a positive number of seconds; got {time_limit}")
    deadline = np.inf if time_limit is None else time.perf_counter() + float(time_limit)
    points = np.asarray(points, dtype=float)
    M = np.asarray(M, dtype=float)
    d = points.shape[1]
    if M.shape != (d, d):
        raise BiomodularError(f"M must have shape ({d}, {d}); got {M.shape}")
    M = (M + M.T) / 2
    if method == "auto":
        if d == 2:
            return _sector(points, M)
        try:
            return _cones(points, M, max_faces, facets)
        except TooManyFaces:
            if _is_psd(M):
                return _facets(points, M, facets)
            return _search(points, M, seed, facets, deadline)
    if method == "sector":
        if d != 2:
            raise BiomodularError(f"the sector method needs exactly two sources; got {d}")
        return _sector(points, M)
    if method == "cones":
        return _cones(points, M, max_faces, facets)
    if method == "facets":
        if not _is_psd(M):
            raise BiomodularError(
                "the facet test needs a positive semidefinite matrix (the ellipsoid form); "
                "use method='cones' or 'search'"
            )
        return _facets(points, M, facets)
    if method == "search":
        return _search(points, M, seed, facets, deadline)
    if method == "grid":
        return _grid(points, M, seed, n_directions)
    raise BiomodularError(f"unknown method {method!r}; choose auto, sector, cones, facets, search or grid")


# ------------------------------------------------------------------ internals
def _is_psd(M: np.ndarray) -> bool:
    scale = max(np.abs(M).max(), 1e-300)
    return bool(np.linalg.eigvalsh(M)[0] >= -1e-12 * scale)


def _unit_rows(W: np.ndarray) -> np.ndarray:
    return W / np.linalg.norm(W, axis=1, keepdims=True)


def _finish(points, M, candidates, method, exact, n_faces=0, exact_sign=None) -> GapMinimum:
    candidates = _unit_rows(np.asarray(candidates, dtype=float))
    values = gap_values(points, M, candidates)
    _require_finite(values)
    return GapMinimum.lowest(
        candidates,
        values,
        method=method,
        exact=exact,
        n_faces=n_faces,
        exact_sign=exact if exact_sign is None else exact_sign,
    )


def _require_finite(values: np.ndarray) -> None:
    """A NaN or infinite gap would fall through every comparison: refuse it."""
    if not np.all(np.isfinite(values)):
        raise BiomodularError(
            "the modularity gap is not finite at some direction (the statistics overflowed or "
            "are not numbers); rescale the sources (multiply by a power of ten) and retry"
        )


#: The hull's true facets: vertex index sets and equations (see :func:`biomodular.geometry.hull_facets`).
Facets = tuple[list[frozenset[int]], np.ndarray]


def _hull_facets(points: np.ndarray, facets: Facets | None = None) -> Facets:
    """The given facets, or those of the hull of ``points`` (a BiomodularError when flat)."""
    if facets is not None:
        return facets
    try:
        return hull_facets(points)
    except ValueError as exc:
        raise BiomodularError(
            "could not compute the convex hull of the support (are the points flat?): " + str(exc)
        ) from None


#: The sector method works on this many hull vertices at a time, so its
#: temporaries stay a few MB whatever the hull's size (a circle of 1e7 points
#: has 1e7 vertices).
SECTOR_BLOCK = 1 << 16

#: Past this many candidate directions the sector method returns only those a
#: caller can need (see :func:`_sector_keep`), not every one it scored.
SECTOR_KEEP_ALL = 3 * SECTOR_BLOCK

#: Smallest values kept when not every candidate is returned (the pricing of
#: column generation takes at most a few dozen).
SECTOR_KEEP_LOWEST = 64

#: Candidates within this angle (degrees) of a source axis are kept when their
#: value is at most the best value farther from the axes, so that the best
#: direction off the axes by any angle up to this one is among those returned.
SECTOR_KEEP_AXIS_DEGREES = 1.0


def _sector_block(V: np.ndarray, M: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidates and their values for hull vertices ``start:stop`` of the
    counter-clockwise hull ``V`` (each scored against its sector's vertex and
    that vertex's two neighbours)."""
    k = V.shape[0]
    # Vertices start-1 .. stop (cyclically): the block and its two neighbours.
    ring = V[np.arange(start - 1, stop + 1) % k] if start == 0 or stop >= k else V[start - 1 : stop + 1]
    B = ring[1:-1]
    edges = np.diff(ring, axis=0)  # edges[i] runs from ring[i] to ring[i+1]
    inward = _unit_rows(np.column_stack([-edges[:, 1], edges[:, 0]]))  # left normal = interior for CCW
    # Vertex i minimises w . p on the cone between the normals of edges i-1 and i.
    n_start, n_end = inward[:-1], inward[1:]
    # Eigenvectors of the symmetric 2x2 matrices v v^T - M in closed form: the
    # principal axes at angle theta = atan2(2 q01, q00 - q11) / 2 and theta + 90 degrees.
    q00, q01, q11 = B[:, 0] ** 2 - M[0, 0], B[:, 0] * B[:, 1] - M[0, 1], B[:, 1] ** 2 - M[1, 1]
    theta = 0.5 * np.arctan2(2 * q01, q00 - q11)
    c, s = np.cos(theta), np.sin(theta)
    first, second = np.column_stack([c, s]), np.column_stack([-s, c])
    E = np.stack([first, second, -first, -second], axis=1)  # (rows, 4, 2): +-eigenvectors
    a, b = n_start[:, None, :], n_end[:, None, :]
    inside = (a[..., 0] * E[..., 1] - a[..., 1] * E[..., 0] >= 0) & (E[..., 0] * b[..., 1] - E[..., 1] * b[..., 0] >= 0)
    candidates = _unit_rows(np.vstack([n_end, E[inside]]))
    owner = 1 + np.concatenate([np.arange(B.shape[0]), np.nonzero(inside)[0]])  # rows of ring
    m = np.einsum("ij,ij->i", candidates, ring[owner])
    for step in (-1, 1):
        np.minimum(m, np.einsum("ij,ij->i", candidates, ring[owner + step]), out=m)
    w0, w1 = candidates[:, 0], candidates[:, 1]
    values = m**2 - (M[0, 0] * w0**2 + 2 * M[0, 1] * w0 * w1 + M[1, 1] * w1**2)
    _require_finite(values)
    return candidates, values


def _sector_keep(candidates: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of the candidates a caller can need: the ``SECTOR_KEEP_LOWEST``
    smallest values, the best candidate more than ``SECTOR_KEEP_AXIS_DEGREES``
    from the axes, and every candidate nearer the axes whose value is at most
    that one's.  Applied block by block and again to the union, it keeps, for
    every angle up to ``SECTOR_KEEP_AXIS_DEGREES``, a best direction farther
    than that angle from the axes (the tie test of the check needs one)."""
    keep = np.zeros(values.shape[0], dtype=bool)
    lowest = min(SECTOR_KEEP_LOWEST, values.shape[0])
    keep[np.argpartition(values, lowest - 1)[:lowest]] = True
    a0, a1 = np.abs(candidates[:, 0]), np.abs(candidates[:, 1])
    near = np.minimum(a0, a1) <= np.tan(np.radians(SECTOR_KEEP_AXIS_DEGREES)) * np.maximum(a0, a1)
    if (~near).any():
        far = np.flatnonzero(~near)
        best_far = far[np.argmin(values[far])]
        keep[best_far] = True
        keep |= near & (values <= values[best_far])
    else:
        keep |= near
    return np.flatnonzero(keep)


def _sector(points: np.ndarray, M: np.ndarray) -> GapMinimum:
    """Exact minimum for two sources in O(k log k) (the hull) plus O(k).

    Vertex ``i`` of the counter-clockwise hull minimises ``w . p`` on the
    closed cone between the inward normals of edges ``i - 1`` and ``i``, so a
    candidate found in that cone is scored against vertex ``i`` alone (and
    its two neighbours, which covers a candidate that rounding placed just
    across a boundary).  The decisive candidates are then re-scored against
    every point, so the value returned is attained.  Vertices are processed
    in blocks of ``SECTOR_BLOCK``, so memory beyond the points is bounded;
    a hull with more than ``SECTOR_KEEP_ALL`` candidates returns only those
    :func:`_sector_keep` selects."""
    try:
        # Support points usually are a hull's vertices in order (rounded by a change of
        # units): pruned in place, without the sort, when they are.
        if is_convex_ccw(points):
            V = points
        else:
            order = hull_2d_of_polygon(points)
            V = points[hull_2d(points) if order is None else order]  # counter-clockwise
    except ValueError as exc:
        raise BiomodularError(f"could not compute the convex hull of the support: {exc}") from None
    k = V.shape[0]
    reduce = k > SECTOR_BLOCK  # more candidates than any caller needs: keep the useful ones
    cand_parts, value_parts = [], []
    scored = 0
    for start in range(0, k, SECTOR_BLOCK):
        candidates, values = _sector_block(V, M, start, min(start + SECTOR_BLOCK, k))
        scored += values.shape[0]
        if reduce:
            keep = _sector_keep(candidates, values)
            candidates, values = candidates[keep], values[keep]
        cand_parts.append(candidates)
        value_parts.append(values)
    candidates, values = np.vstack(cand_parts), np.concatenate(value_parts)
    del cand_parts, value_parts
    if reduce:
        keep = _sector_keep(candidates, values)
        candidates, values = candidates[keep], values[keep]
    # The decisive values, scored against every point: attained, whatever rounding did.
    decisive = np.argpartition(values, 16)[:16] if values.shape[0] > 16 else np.arange(values.shape[0])
    values[decisive] = gap_values(points, M, candidates[decisive])
    return GapMinimum.lowest(
        candidates, values, method="sector", exact=True, n_faces=k, exact_sign=True, n_candidates=scored
    )


def hull_faces(
    points: np.ndarray, max_faces: int = DEFAULT_MAX_FACES, facets: Facets | None = None
) -> set[frozenset[int]]:
    """Every face of the convex hull of ``points``, as sets of point indices.

    Every face lies in a facet.  A simplicial facet's faces are all subsets
    of its vertices; a larger facet's faces are the closure under intersection
    of its intersections with the facets that share a vertex with it.  Raises
    :class:`TooManyFaces` past ``max_faces``.  ``facets``: the hull's facets
    when already known (e.g. from :meth:`biomodular.Sources.facets`).
    """
    facet_sets, _ = _hull_facets(points, facets)
    by_size = _faces_by_size(facet_sets, points.shape[1], max_faces)
    return {frozenset(int(i) for i in face) for group in by_size.values() for face in group}


def _too_many(max_faces: int) -> TooManyFaces:
    return TooManyFaces(f"the hull has more than {max_faces} faces; raise max_faces or use method='facets' or 'search'")


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    """The distinct rows of a nonnegative integer array, in lexicographic order (one integer
    key per row when the indices fit: sorting keys is far faster than sorting rows)."""
    width = rows.shape[1]
    bits = max(1, int(rows.max(initial=0)).bit_length())
    if bits * width > 62:
        return np.unique(rows, axis=0)
    keys = np.zeros(rows.shape[0], dtype=np.int64)
    for j in range(width):
        keys = (keys << bits) | rows[:, j]
    keys = np.unique(keys)
    out = np.empty((keys.size, width), dtype=np.int64)
    mask = (1 << bits) - 1
    for j in range(width - 1, -1, -1):
        out[:, j] = keys & mask
        keys = keys >> bits
    return out


#: Face subsets :func:`_faces_by_size` holds at once per chunk of simplicial facets.
FACE_CHUNK = 1 << 22


def _faces_by_size(facet_sets: list[frozenset[int]], d: int, max_faces: int) -> dict[int, np.ndarray]:
    """Every face of the hull with these facets: for each face size, the faces' sorted vertex
    indices as the rows of an integer array.  :class:`TooManyFaces` past ``max_faces``.

    The subsets of the simplicial facets (all of them, on data in general position) are
    enumerated with array operations, size by size; the larger facets by intersections."""
    if len(facet_sets) > max_faces:
        raise _too_many(max_faces)
    simplicial = np.array([sorted(vs) for vs in facet_sets if len(vs) == d], dtype=np.int64).reshape(-1, d)
    parts: dict[int, list[np.ndarray]] = {}
    found = 0
    for r in range(1, d + 1):
        columns = list(combinations(range(d), r))
        rows = max(1, FACE_CHUNK // (len(columns) * r))
        unique = np.empty((0, r), dtype=np.int64)
        for start in range(0, simplicial.shape[0], rows):
            subsets = simplicial[start : start + rows][:, columns].reshape(-1, r)
            unique = _unique_rows(np.vstack([unique, subsets]))
            if found + unique.shape[0] > max_faces:
                raise _too_many(max_faces)
        found += unique.shape[0]
        parts[r] = [unique]
    faces: set[frozenset[int]] = set()
    incident: dict[int, list[int]] = {}
    for f, vs in enumerate(facet_sets):
        for v in vs:
            incident.setdefault(v, []).append(f)
    for f, vs in enumerate(facet_sets):
        if len(vs) == d:
            continue
        neighbours = {g for v in vs for g in incident[v]} - {f}
        local = {vs}
        frontier = [vs]
        while frontier:
            nxt = []
            for face in frontier:
                for g in neighbours:
                    sub = face & facet_sets[g]
                    if sub and sub not in local:
                        local.add(sub)
                        nxt.append(sub)
            frontier = nxt
        faces.update(local)
        faces.update(frozenset([v]) for v in vs)
        if found + len(faces) > max_faces:
            raise _too_many(max_faces)
    for face in faces:
        parts.setdefault(len(face), []).append(np.array(sorted(face), dtype=np.int64)[None, :])
    by_size = {r: _unique_rows(np.vstack(group)) for r, group in sorted(parts.items())}
    by_size = {r: group for r, group in by_size.items() if group.shape[0]}
    if sum(group.shape[0] for group in by_size.values()) > max_faces:
        raise _too_many(max_faces)
    return by_size


def _face_spans(points: np.ndarray, faces) -> tuple:
    """For faces of one size: the vertex indices, a basis of each face's ``L_Phi`` (rows),
    which faces are affinely independent, and the degenerate ones' own bases."""
    d = points.shape[1]
    idx = np.asarray(faces)
    k = idx.shape[1]
    if k == 1:
        return idx, np.broadcast_to(np.eye(d), (len(idx), d, d)), np.ones(len(idx), dtype=bool), []
    V = points[idx[:, 0]]
    E = points[idx[:, 1:]] - V[:, None, :]  # (m, k-1, d)
    scale = np.abs(points).max()
    if k - 1 < d:
        # Householder QR of the edges: the last d - k + 1 columns of Q span the complement,
        # and |R_jj| is the distance of edge j from the span of the edges before it.
        Q, R = np.linalg.qr(np.transpose(E, (0, 2, 1)), mode="complete")
        good = np.abs(np.diagonal(R, axis1=1, axis2=2)).min(axis=1) > 1e-9 * scale  # affinely independent
        N = np.transpose(Q[:, :, k - 1 :], (0, 2, 1))  # rows span the orthogonal complement of the face
    else:  # more vertices than the dimension allows to be independent
        good = np.zeros(len(idx), dtype=bool)
        N = np.zeros((len(idx), 0, d))
    degenerate = []
    for face in idx[~good]:  # degenerate faces: rank by SVD, one at a time
        _, s1, vt1 = np.linalg.svd(points[face[1:]] - points[face[0]], full_matrices=True)
        rank = int(np.sum(s1 > 1e-9 * scale))
        if vt1[rank:].shape[0]:
            degenerate.append((int(face[0]), vt1[rank:]))
    return idx, N, good, degenerate


def _cone_candidates(points: np.ndarray, M: np.ndarray, spans: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvectors of ``v v^T - M`` restricted to ``L_Phi`` for faces of one size
    (:func:`_face_spans`), and the index of a vertex ``v`` of each one's face.

    Only the eigenvectors of the smallest eigenvalue (and of any within rounding of it) are
    returned.  A minimiser of ``f`` inside the relative interior of a face's normal cone is a
    local minimiser of the Rayleigh quotient of the restricted matrix on the unit sphere of
    ``L_Phi``, and every eigenvector of a larger eigenvalue is a saddle or a maximum there (a
    small turn towards a smallest eigenvector lowers the quotient).  When the smallest
    eigenvalue is repeated its eigenspace meets the boundary of the (pointed) cone, where a
    larger face's candidates attain the same value."""
    d = points.shape[1]
    idx, N, good, degenerate = spans
    scale = float(np.einsum("ij,ij->i", points, points).max()) + float(np.abs(M).max())
    tie = 1e-9 * scale  # eigenvalues this close to the smallest are kept too
    if N.shape[1] == 1:  # facets: the span is the normal line, its direction the only candidate
        W = N[good]
        owners = [idx[good, 0]]
        out = [W[:, 0, :]]
    else:
        V = points[idx[:, 0]]  # (m, d)
        Q = V[:, :, None] * V[:, None, :] - M
        R = Q if N.shape[1] == d else N @ Q @ np.transpose(N, (0, 2, 1))  # vertices: L_Phi is R^d
        values, vecs = np.linalg.eigh(R)
        keep = (values - values[:, :1] <= tie) & good[:, None]
        W = np.transpose(vecs, (0, 2, 1)) @ N  # (m, r, d): eigenvectors mapped back
        out = [W[keep]]
        owners = [np.broadcast_to(idx[:, :1], keep.shape)[keep]]
    for first, N1 in degenerate:
        v = points[first]
        values1, vecs1 = np.linalg.eigh(N1 @ (np.outer(v, v) - M) @ N1.T)
        keep1 = values1 - values1[0] <= tie
        out.append((vecs1.T @ N1)[keep1])
        owners.append(np.full(int(keep1.sum()), first))
    return np.vstack(out), np.concatenate(owners)


#: The faces of the last few hulls the caller passed in, by the identity of their facet list
#: (the hull :class:`biomodular.Sources` owns): ``(facet list, faces by size or None, budget)``.
#: Faces depend on neither ``M`` nor the hull's scaling, and the check and column generation
#: (every round) ask for the same hull.  ``None`` records that the hull has more faces than
#: ``budget``.
_FACES: list[tuple[list, dict[int, np.ndarray] | None, int]] = []

#: The spans and facet neighbours of the last few scaled hulls (they depend on the points).
_SPANS: list[tuple[list, np.ndarray, list[tuple], np.ndarray, int]] = []


def _cached_faces(facets: Facets, d: int, max_faces: int, remember: bool) -> dict[int, np.ndarray]:
    """The faces of the hull with these facets (see :data:`_FACES`); TooManyFaces past ``max_faces``."""
    for ref, by_size, budget in _FACES:
        if ref is facets[0]:
            if by_size is not None:
                if sum(group.shape[0] for group in by_size.values()) > max_faces:
                    raise _too_many(max_faces)
                return by_size
            if max_faces <= budget:
                raise _too_many(max_faces)
    try:
        by_size = _faces_by_size(facets[0], d, max_faces)
    except TooManyFaces:
        if remember:
            _FACES.insert(0, (facets[0], None, max_faces))
            del _FACES[4:]
        raise
    if remember:
        _FACES.insert(0, (facets[0], by_size, max_faces))
        del _FACES[4:]
    return by_size


def _hull_structure(points: np.ndarray, max_faces: int, facets: Facets | None):
    """Faces grouped by size (with their spans), facet neighbours and the face count.

    Cached for a facet list the caller passes in (the hull :class:`biomodular.Sources` owns):
    the cache holds a reference to that list, so its identity stands for the hull, and the
    points themselves (the spans depend on their scaling, which differs between callers)."""
    if facets is not None:
        for ref, cached_points, groups, neighbours, n_faces in _SPANS:
            if ref is facets[0] and np.array_equal(cached_points, points):
                if n_faces > max_faces:
                    raise _too_many(max_faces)
                return groups, neighbours, n_faces
    given = facets
    facets = _hull_facets(points, facets)
    by_size = _cached_faces(facets, points.shape[1], max_faces, remember=given is not None)
    groups = [_face_spans(points, group) for group in by_size.values()]
    neighbours = _facet_neighbours(facets[0], points.shape[0])
    n_faces = sum(group.shape[0] for group in by_size.values())
    if given is not None:
        _SPANS.insert(0, (given[0], points.copy(), groups, neighbours, n_faces))
        del _SPANS[4:]
    return groups, neighbours, n_faces


def _cones(points: np.ndarray, M: np.ndarray, max_faces: int, facets: Facets | None = None) -> GapMinimum:
    groups, neighbours, n_faces = _hull_structure(points, max_faces, facets)
    blocks = [_cone_candidates(points, M, group) for group in groups]
    W = np.vstack([b[0] for b in blocks])
    owner = np.concatenate([b[1] for b in blocks])
    return _score_cone_candidates(points, M, W, owner, neighbours, n_faces)


#: Candidates of ``cones`` scored on every point per block (see :func:`_score_cone_candidates`).
SCORE_BLOCK = 4096

#: Candidates of ``cones`` that pass the local test kept in any case (the next-best columns).
CONE_KEEP = 64


def _facet_neighbours(facet_sets: list[frozenset[int]], n_points: int) -> np.ndarray:
    """For each point, every hull vertex that shares a facet with it (padded with the point itself)."""
    near: list[set[int]] = [set() for _ in range(n_points)]
    for vs in facet_sets:
        for v in vs:
            near[v].update(vs)
    width = max(1, max(len(x) for x in near))
    out = np.repeat(np.arange(n_points)[:, None], width, axis=1)
    for i, x in enumerate(near):
        out[i, : len(x)] = sorted(x)
    return out


def _score_cone_candidates(
    points: np.ndarray, M: np.ndarray, W: np.ndarray, owner: np.ndarray, neighbours: np.ndarray, n_faces: int
) -> GapMinimum:
    """The exact minimum among the cone candidates, scoring on every point only those that can win.

    A candidate ``w`` of a face with vertex ``v`` is inside that face's
    normal cone iff ``v`` minimises ``w . p`` over the hull, and a linear
    function on a polytope is minimal at a vertex iff it is no smaller at the
    vertices adjacent to it (those sharing a facet are a superset).  Inside,
    ``m(w) = w . v`` and the gap is ``(w . v)^2 - w^T M w`` exactly; the
    minimiser is such a candidate (with ``w . v = m(w) < 0``).  So only the
    candidates that pass this local test matter, their gaps need no pass over
    the points, and those within a margin of the smallest (near-ties, the
    next-best columns) are re-scored on every point, so that every value
    returned is attained.

    Each eigenvector stands for both of its signs: only the one with
    ``w . v < 0`` can pass the test.  The test itself runs lazily, in
    increasing order of the local gap, and stops once the best
    ``CONE_KEEP`` candidates that pass and every one within the margin of the
    best are known: no candidate further down the order can be among them.
    """
    W = _unit_rows(W)
    wv = np.einsum("ij,ij->i", W, points[owner])
    flip = wv > 0
    W[flip] *= -1.0
    wv[flip] *= -1.0
    rho = float(np.sqrt(np.max(np.einsum("ij,ij->i", points, points))))
    slack = 1e-9 * rho  # rounding of w . p: a near-tie with a neighbour still passes
    local = wv**2 - np.einsum("ij,jk,ik->i", W, M, W)
    _require_finite(local)
    negative = np.flatnonzero(wv < 0)
    order = negative[np.argsort(local[negative], kind="stable")]
    margin = 1e-6 * (rho**2 + float(np.abs(M).max()))
    passed: list[np.ndarray] = []
    n_passed = 0
    first = np.inf  # local gap of the best candidate that passes
    step = SCORE_BLOCK * 4
    for start in range(0, order.size, step):
        rows = order[start : start + step]
        near = points[neighbours[owner[rows]]]  # (block, width, d)
        inside = np.einsum("nd,nkd->nk", W[rows], near).min(axis=1) >= wv[rows] - slack
        rows = rows[inside]
        passed.append(rows)
        n_passed += rows.size
        if rows.size and not np.isfinite(first):
            first = float(local[rows[0]])
        if n_passed >= CONE_KEEP and local[order[min(start + step, order.size) - 1]] > first + margin:
            break
    valid = np.concatenate(passed) if passed else np.empty(0, dtype=np.int64)
    if valid.size:
        tail = valid[CONE_KEEP:]
        chosen = np.concatenate([valid[:CONE_KEEP], tail[local[tail] <= first + margin]])
        idx = chosen
        vals = gap_values(points, M, W[chosen])
    else:  # rounding excluded every candidate: score them all, with both signs
        W = np.vstack([W, -W])
        idx = np.arange(W.shape[0])
        vals = gap_values(points, M, W)
    _require_finite(vals)
    return GapMinimum.lowest(
        W[idx], vals, method="cones", exact=True, n_faces=n_faces, exact_sign=True, n_candidates=2 * owner.size
    )


def _facets(points: np.ndarray, M: np.ndarray, facets: Facets | None = None) -> GapMinimum:
    _, equations = _hull_facets(points, facets)
    W = _unit_rows(-equations[:, :-1])
    # f(-n_f) = h_f^2 - n_f^T M n_f: the ellipsoid support against the facet offset (the
    # facet's vertices are the points least along -n_f, at -h_f), so no pass over the points.
    values = equations[:, -1] ** 2 - np.einsum("ij,jk,ik->i", W, M, W)
    _require_finite(values)
    # The lowest values, scored on every point, so that the value returned is attained; more
    # while an unscored one is below the best scored one (rounding of the equations).
    order = np.argsort(values, kind="stable")
    scored = 0
    while scored < order.size:
        batch = order[scored : scored + FACET_RESCORE]
        values[batch] = gap_values(points, M, W[batch])
        scored += batch.size
        if scored >= order.size or values[order[:scored]].min() <= values[order[scored]]:
            break
    best = int(order[:scored][np.argmin(values[order[:scored]])])  # a scored one: attained
    return GapMinimum.lowest(W, values, method="facets", exact=False, n_faces=W.shape[0], exact_sign=True, best=best)


#: Facet normals of the ``facets`` method scored on every point per batch (the lowest first).
FACET_RESCORE = 64


def _interior_stationary(points: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Eigenvectors of ``v v^T - M`` for every point ``v`` (both signs)."""
    Q = points[:, :, None] * points[:, None, :] - M
    _, vecs = np.linalg.eigh(Q)  # (k, d, d), eigenvectors in columns
    W = np.transpose(vecs, (0, 2, 1)).reshape(-1, points.shape[1])
    return np.vstack([W, -W])


class DeadlinePassed(Exception):
    """A deadline passed inside a solver step (the search's polishing here, the proof's
    bounding programs in :mod:`biomodular.solvers.polar`): an internal signal, caught
    by the code that set the deadline, never seen by users."""


def polish_directions(
    points: np.ndarray,
    M: np.ndarray,
    starts: np.ndarray,
    deadline: float,
    iterations_per_source: int,
    near_points: int | None = None,
) -> list[np.ndarray]:
    """Local minimisation of the unit gap from each start (Nelder-Mead); the unit directions reached.

    ``near_points``: polish each start on that many of the points lowest
    along it (a subset's gap is never above the data's, and the steps stay
    near the start), so the caller must score what is returned on all of them.
    At ``deadline`` (a ``time.perf_counter()`` value) the polish under way
    returns the best direction it has evaluated, and no other starts.
    """
    from scipy.optimize import minimize

    k, d = points.shape
    lowest: list = [np.inf, None]  # the lowest value evaluated by the current polish, and where
    polished = []
    for x0 in starts:
        if time.perf_counter() > deadline:
            break
        near = points
        if near_points is not None and k > near_points:
            near = points[np.argpartition(points @ x0, near_points)[:near_points]]

        def objective(x: np.ndarray, near: np.ndarray = near) -> float:
            if time.perf_counter() > deadline:
                raise DeadlinePassed
            norm = np.linalg.norm(x)
            value = float(gap_values(near, M, x / norm)[0]) if norm > 0 else 0.0
            if value < lowest[0]:
                lowest[:] = [value, x.copy()]
            return value

        lowest[:] = [np.inf, None]
        options = {"xatol": 1e-10, "fatol": 1e-14, "maxiter": iterations_per_source * d}
        try:
            x = minimize(objective, x0, method="Nelder-Mead", options=options).x
        except DeadlinePassed:
            x = lowest[1]
        if x is not None and np.all(np.isfinite(x)) and np.linalg.norm(x) > 0:
            polished.append(x / np.linalg.norm(x))
    return polished


def _search(
    points: np.ndarray, M: np.ndarray, seed, facets: Facets | None = None, deadline: float = np.inf
) -> GapMinimum:
    rng = np.random.default_rng(seed)
    d = points.shape[1]
    blocks = [np.eye(d), -np.eye(d), rng.standard_normal((200 * d, d))]
    k = points.shape[0]
    if k * d * d <= INTERIOR_SEARCH_LIMIT:
        outermost = int(min(k, max(16, INTERIOR_SEARCH_WORK // (2 * d * d * k))))
        if outermost < k:
            points_used = points[np.argsort(-np.einsum("ij,ij->i", points, points))[:outermost]]
        else:
            points_used = points
        blocks.append(_interior_stationary(points_used, M))
    if d <= 7:
        try:
            _, equations = _hull_facets(points, facets)
            blocks.append(equations[:, :-1])
            blocks.append(-equations[:, :-1])
        except BiomodularError:
            pass
    start = _finish(points, M, np.vstack(blocks), "search", exact=False)
    order = np.argsort(start.candidate_values)[: min(8, start.n_candidates)]
    polished = polish_directions(points, M, start.candidates[order], deadline, iterations_per_source=200)
    candidates = np.vstack([start.candidates] + ([np.array(polished)] if polished else []))
    return _finish(points, M, candidates, "search", exact=False)


def _grid(points: np.ndarray, M: np.ndarray, seed, n_directions: int) -> GapMinimum:
    d = points.shape[1]
    if d == 2:
        angles = np.linspace(0.0, 2 * np.pi, n_directions, endpoint=False)
        W = np.column_stack([np.cos(angles), np.sin(angles)])
    else:
        W = np.random.default_rng(seed).standard_normal((n_directions, d))
    return _finish(points, M, W, "grid", exact=False)
