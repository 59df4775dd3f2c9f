"""Small geometry kernels that do not need scipy (fast start-up for two sources)."""

from __future__ import annotations

import time

import numpy as np

__all__ = [
    "hull_2d",
    "hull_2d_equations",
    "hull_2d_of_polygon",
    "hull_facets",
    "is_convex_ccw",
    "outside_extreme_polygon",
    "monotone_chain",
    "polar_argmax",
]


def hull_2d(points: np.ndarray) -> np.ndarray:
    """Indices of the convex hull's vertices of 2-D ``points``, counter-clockwise.

    Points that already form a convex counter-clockwise polygon are returned
    as they are; otherwise a vectorised pass removes points that lie in a
    triangle of others (see :func:`_prune_reflex`) and Andrew's monotone chain
    finishes on what is left, unless that is already convex.  Collinear
    boundary points are dropped, so only true vertices are returned; the
    first vertex may be any of them.  Raises ``ValueError`` when the points
    are collinear (no 2-D hull).
    """
    points = np.asarray(points, dtype=float)
    if is_convex_ccw(points):
        return np.arange(points.shape[0])
    survivors = _prune_reflex(points)
    if survivors is not None and is_convex_ccw(points, survivors):
        return survivors
    if survivors is not None:
        return survivors[_monotone_chain(points[survivors])]
    return _monotone_chain(points)


def hull_2d_of_polygon(points: np.ndarray, max_passes: int = 8) -> np.ndarray | None:
    """Indices of the hull's vertices, counter-clockwise, of 2-D ``points`` that
    already are a convex polygon's vertices in counter-clockwise order up to
    rounding (a hull's vertices after a change of units); None if they are not.

    Works in the given order, without sorting: a point that lies in the
    triangle of the centroid and its two neighbours is not a vertex (see
    :func:`_prune_reflex`), whatever the order, so such points are removed
    pass by pass, and the answer is accepted only if what is left passes
    :func:`is_convex_ccw`.  Memory and time are a few passes over the points.
    """
    points = np.asarray(points, dtype=float)
    if is_convex_ccw(points):
        return np.arange(points.shape[0])
    centre = points.mean(axis=0)
    idx = np.arange(points.shape[0])
    x, y = points[:, 0] - centre[0], points[:, 1] - centre[1]
    left = _prune_passes(points, idx, x, y, max_passes)
    return left if left is not None and is_convex_ccw(points, left) else None


def _monotone_chain(points: np.ndarray) -> np.ndarray:
    order = np.lexsort((points[:, 1], points[:, 0]))
    xs, ys = points[order, 0].tolist(), points[order, 1].tolist()

    def chain(indices):
        out: list[int] = []
        for i in indices:
            while len(out) >= 2:
                a, b = out[-2], out[-1]
                cross = (xs[b] - xs[a]) * (ys[i] - ys[a]) - (ys[b] - ys[a]) * (xs[i] - xs[a])
                if cross > 0:
                    break
                out.pop()
            out.append(i)
        return out

    n = len(xs)
    lower = chain(range(n))
    upper = chain(range(n - 1, -1, -1))
    ring = lower[:-1] + upper[:-1]
    if len(ring) < 3:
        raise ValueError("the points are collinear: they have no two-dimensional hull")
    return order[np.array(ring)]


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(a - o) x (b - o)`` row by row: positive when ``o, a, b`` turn left."""
    return (a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1]) - (a[..., 1] - o[..., 1]) * (b[..., 0] - o[..., 0])


def _prune_reflex(points: np.ndarray, max_passes: int = 64) -> np.ndarray | None:
    """Indices of a subset of ``points`` that keeps every hull vertex, in
    counter-clockwise order around their centroid ``c`` (vectorised).

    In that order, a point ``p`` with neighbours ``a`` and ``b`` that lies in
    the triangle ``c, a, b`` (it is angularly between them, they span less
    than a half-turn, and ``a, p, b`` does not turn left) is in the hull of
    other points, so it is not a vertex; all such points go at once, and the
    pass repeats until none is left.  Points on a circle survive the first
    pass, so this is one sort and a few array operations where the chain
    would visit every point in Python.  None when fewer than three remain.
    """
    centre = points.mean(axis=0)
    x, y = points[:, 0] - centre[0], points[:, 1] - centre[1]
    angle = np.arctan2(y, x)
    x *= x
    y *= y
    x += y  # squared distance; x and y are recomputed in sorted order (memory: huge supports)
    del y
    idx = np.lexsort((x, angle))
    del x, angle
    x, y = points[idx, 0] - centre[0], points[idx, 1] - centre[1]
    # Repeated points are adjacent now (same angle, same distance): keep one of each.
    # (Column by column: the support may hold millions of points.)
    distinct = np.ones(idx.shape[0], dtype=bool)
    repeat = np.ones(idx.shape[0] - 1, dtype=bool)
    for j in range(2):
        column = points[idx, j]
        repeat &= column[1:] == column[:-1]
        del column
    distinct[1:] = ~repeat
    if not distinct.all():  # one array at a time: fewer copies alive at once
        idx = idx[distinct]
        x = x[distinct]
        y = y[distinct]
    return _prune_passes(points, idx, x, y, max_passes)


def _prune_passes(
    points: np.ndarray, idx: np.ndarray, x: np.ndarray, y: np.ndarray, max_passes: int
) -> np.ndarray | None:
    """Remove, pass by pass, the points ``points[idx]`` (centred coordinates ``x``,
    ``y``, in cyclic order) that lie in the triangle of the centroid and their
    neighbours; the indices left, or None when fewer than three remain."""
    for _ in range(max_passes):
        if idx.shape[0] < 3:
            return None
        inside = _in_neighbour_triangle(points, idx, x, y)
        if not inside.any():
            break
        keep = ~inside
        idx = idx[keep]
        x = x[keep]
        y = y[keep]
    return idx if idx.shape[0] >= 3 else None


def _in_neighbour_triangle(points: np.ndarray, idx: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For the points ``points[idx]`` in cyclic angular order around the
    centroid (centred coordinates ``x``, ``y``), whether each lies in the
    triangle of the centroid and its two neighbours (see :func:`_prune_reflex`).

    The turn is computed from the points' own coordinates exactly as
    :func:`is_convex_ccw` computes it, so that what survives every pass is
    accepted by that test and needs no monotone chain (which would visit
    millions of points in Python when rounding makes a huge circle's
    neighbouring turns look straight).  Blocks of ``CONVEXITY_BLOCK`` points
    keep the temporaries small."""
    n = x.shape[0]
    inside = np.empty(n, dtype=bool)
    for start in range(0, n, CONVEXITY_BLOCK):
        stop = min(start + CONVEXITY_BLOCK, n)
        ring = np.arange(start - 1, stop + 1)
        xs, ys = x.take(ring, mode="wrap"), y.take(ring, mode="wrap")
        px, py, cx, cy, nx, ny = xs[:-2], ys[:-2], xs[1:-1], ys[1:-1], xs[2:], ys[2:]
        P = points[idx.take(ring, mode="wrap")]
        a, b, c = P[:-2], P[1:-1], P[2:]
        block = inside[start:stop]
        # no left turn at the point: _cross(a, b, c) <= 0
        np.less_equal((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]), (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]), out=block)
        block &= px * cy >= py * cx  # angularly after its predecessor ...
        block &= cx * ny >= cy * nx  # ... and before its successor,
        block &= px * ny > py * nx  # which span less than a half-turn
    return inside


#: Rows :func:`is_convex_ccw` tests at a time (its temporaries stay small).
CONVEXITY_BLOCK = 1 << 16


def is_convex_ccw(points: np.ndarray, order: np.ndarray | None = None) -> bool:
    """Whether ``points`` (or ``points[order]``) already are a convex polygon's
    vertices, counter-clockwise (every turn strictly left, winding once): then
    they are their own hull.  Hulls are recomputed from their own vertices
    often; this O(n) test skips the sort and the chain for them.  Works in
    blocks of ``CONVEXITY_BLOCK`` rows, so its memory does not grow with ``n``."""
    n = points.shape[0] if order is None else order.shape[0]
    if n < 3:
        return False
    total_turn = 0.0
    for start in range(0, n, CONVEXITY_BLOCK):
        rows = np.arange(start, min(start + CONVEXITY_BLOCK, n) + 2) % n
        ring = points[rows if order is None else order[rows]]
        a, b, c = ring[:-2], ring[1:-1], ring[2:]
        if not (_cross(a, b, c) > 0).all():
            return False
        # Left turns everywhere and the edge directions turn through one full circle.
        first = np.arctan2(b[:, 1] - a[:, 1], b[:, 0] - a[:, 0])
        second = np.arctan2(c[:, 1] - b[:, 1], c[:, 0] - b[:, 0])
        total_turn += float(np.mod(second - first, 2 * np.pi).sum())
    return bool(abs(total_turn - 2 * np.pi) < 1e-6)


def hull_2d_equations(vertices: np.ndarray) -> np.ndarray:
    """Outward unit normals and offsets ``[n_x, n_y, c]`` (inside: ``n . x + c <= 0``).

    ``vertices`` are the hull's vertices in counter-clockwise order; row ``i``
    describes the edge from vertex ``i`` to vertex ``i + 1``.
    """
    edges = np.roll(vertices, -1, axis=0) - vertices
    normals = np.column_stack([edges[:, 1], -edges[:, 0]])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    offsets = -np.einsum("ij,ij->i", normals, vertices)
    return np.column_stack([normals, offsets])


def hull_facets(points: np.ndarray) -> tuple[list[frozenset[int]], np.ndarray]:
    """The true facets of the convex hull of ``points`` (any dimension, via qhull).

    qhull triangulates the hull into simplicial facets; coplanar ones (same
    equation up to rounding) are merged.  Returns each facet's vertex indices
    (rows of ``points``) and its equation ``[normal, offset]`` (inside:
    ``normal . x + offset <= 0``, unit normal).  Raises ``ValueError`` when
    the points are flat (no full-dimensional hull).
    """
    from scipy.spatial import ConvexHull, QhullError

    try:
        hull = ConvexHull(points)
    except QhullError as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    eq = hull.equations
    scale = max(np.abs(eq[:, -1]).max(), 1e-300)
    keys = np.round(np.column_stack([eq[:, :-1], eq[:, -1] / scale]), 9)
    # Equal keys, numbered in lexicographic order (np.unique(keys, axis=0)'s numbering, faster).
    order = np.lexsort(keys.T[::-1])
    ordered = keys[order]
    ids = np.concatenate([[0], np.cumsum(np.any(ordered[1:] != ordered[:-1], axis=1))])
    group = np.empty(keys.shape[0], dtype=np.int64)
    group[order] = ids
    n_groups = int(ids[-1]) + 1
    first = np.full(n_groups, group.size)
    np.minimum.at(first, group, np.arange(group.size))  # each facet's first simplex
    counts = np.bincount(group, minlength=n_groups)
    vertex_sets = [frozenset(s) for s in hull.simplices[first].tolist()]
    # Coplanar simplices (a facet that is not a simplex): the union of their vertices.
    for s, g in zip(hull.simplices[counts[group] > 1].tolist(), group[counts[group] > 1].tolist()):
        vertex_sets[g] = vertex_sets[g] | frozenset(s)
    return vertex_sets, eq[first]


def outside_extreme_polygon(points: np.ndarray, n_directions: int = 16) -> np.ndarray:
    """Indices of the 2-D ``points`` that are not strictly inside the polygon
    of their extreme points in ``n_directions`` evenly spaced directions.

    That polygon's vertices are hull vertices, so every hull vertex is kept;
    for samples that fill a region, all but a few dozen rows go in one
    vectorised pass (the Akl-Toussaint heuristic), and :func:`hull_2d` then
    has little left to do.  Points within a relative ``1e-12`` of the
    polygon's boundary are kept, so rounding cannot drop a vertex.  All
    indices when the polygon is degenerate.
    """
    points = np.asarray(points, dtype=float)
    everything = np.arange(points.shape[0])
    if points.shape[0] <= 3 * n_directions:
        return everything
    centre = points.mean(axis=0)
    span = np.ptp(points, axis=0)
    if not (span > 0).all():
        return everything
    Z = (points - centre) / span  # order one, so the threshold below is relative
    angles = np.arange(n_directions) * (2 * np.pi / n_directions)
    extreme = (np.column_stack([np.cos(angles), np.sin(angles)]) @ Z.T).argmax(axis=1)  # along rows: fast
    # Extremes of directions in counter-clockwise order run counter-clockwise
    # around the hull; a vertex extreme for neighbouring directions repeats.
    _, first = np.unique(extreme, return_index=True)
    polygon = Z[extreme[np.sort(first)]]
    if polygon.shape[0] < 3:
        return everything
    a, b = polygon, np.roll(polygon, -1, axis=0)
    cross = (b[:, 0] - a[:, 0]) * (Z[:, 1, None] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (Z[:, 0, None] - a[:, 0])
    return np.flatnonzero(~(cross > 1e-12).all(axis=1))


def monotone_chain(points: np.ndarray) -> np.ndarray:
    """Indices of the hull's vertices of 2-D ``points``, counter-clockwise, by
    Andrew's monotone chain alone (a Python loop over the points).

    For a few hundred points or fewer, e.g. what :func:`outside_extreme_polygon`
    leaves, this is faster than :func:`hull_2d`, whose vectorised passes pay
    a fixed cost; the vertices are the same.  Raises ``ValueError`` when the
    points are collinear.
    """
    return _monotone_chain(np.asarray(points, dtype=float))


def polar_argmax(
    points: np.ndarray,
    objective: np.ndarray,
    active: np.ndarray,
    box: float | None = None,
    rounds: int = 50,
    deadline: float = np.inf,
) -> tuple[np.ndarray | None, np.ndarray]:
    """``argmax objective . w`` over the polar ``{w : w . p_i >= -1}`` of ``points``, by cutting planes.

    The linear program starts from the constraints of the points ``active``;
    while its optimum violates some point's constraint (by more than
    ``1e-9``), the ``d`` points lowest along it join, so the optimum of the
    last round is the optimum over all the points.  Returns ``(w, active)``
    (the points used), with ``w`` None when the polar is unbounded along
    ``objective``, the solver fails, or the rounds or the time (``deadline``, a
    ``time.perf_counter()`` value) run out.  Without ``box``
    an unbounded round ends the search at once; with it every round is
    bounded by ``|w_k| <= box`` and a feasible optimum at half the box or
    beyond counts as unbounded.  Needs scipy.
    """
    from scipy.optimize import linprog

    d = points.shape[1]
    bounds = (None, None) if box is None else (-box, box)
    for _ in range(rounds):
        left = deadline - time.perf_counter()
        if left <= 0:
            return None, active
        options = {"time_limit": left} if np.isfinite(left) else {}
        res = linprog(
            -objective, A_ub=-points[active], b_ub=np.ones(active.size), bounds=bounds, method="highs", options=options
        )
        if res.status != 0:  # infeasible, unbounded, failed, or out of time
            return None, active
        proj = points @ res.x
        if proj.min() >= -1.0 - 1e-9:
            bounded = box is None or np.abs(res.x).max() < 0.5 * box
            return (res.x if bounded else None), active
        grown = np.union1d(active, np.argsort(proj)[:d])
        if grown.size == active.size:  # the same program again: it would return the same point
            return None, active
        active = grown
    return None, active
