"""Small geometry kernels that do not need scipy (fast start-up for two sources)."""

from __future__ import annotations

import numpy as np

__all__ = ["hull_2d", "hull_2d_equations", "hull_facets"]


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
    if _is_convex_ccw(points):
        return np.arange(points.shape[0])
    survivors = _prune_reflex(points)
    if survivors is not None and _is_convex_ccw(points[survivors]):
        return survivors
    if survivors is not None:
        return survivors[_monotone_chain(points[survivors])]
    return _monotone_chain(points)


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
    idx = np.lexsort((x * x + y * y, np.arctan2(y, x)))
    x, y = x[idx], y[idx]
    # Repeated points are adjacent now (same angle, same distance): keep one of each.
    distinct = np.r_[True, (points[idx[1:]] != points[idx[:-1]]).any(axis=1)]
    idx, x, y = idx[distinct], x[distinct], y[distinct]
    for _ in range(max_passes):
        if idx.shape[0] < 3:
            return None
        px, py, nx, ny = np.roll(x, 1), np.roll(y, 1), np.roll(x, -1), np.roll(y, -1)
        inside = (
            ((x - px) * (ny - py) - (y - py) * (nx - px) <= 0)  # no left turn at the point
            & (px * y - py * x >= 0)  # angularly after its predecessor ...
            & (x * ny - y * nx >= 0)  # ... and before its successor,
            & (px * ny - py * nx > 0)  # which span less than a half-turn
        )
        if not inside.any():
            break
        keep = ~inside
        idx, x, y = idx[keep], x[keep], y[keep]
    return idx if idx.shape[0] >= 3 else None


def _is_convex_ccw(points: np.ndarray) -> bool:
    """Whether ``points`` already are a convex polygon's vertices, counter-clockwise
    (every turn strictly left, winding once): then they are their own hull.
    Hulls are recomputed from their own vertices often; this O(n) test skips
    the sort and the chain for them."""
    n = points.shape[0]
    if n < 3:
        return False
    a, b = points, np.roll(points, -1, axis=0)
    if not (_cross(a, b, np.roll(points, -2, axis=0)) > 0).all():
        return False
    # Left turns everywhere and the edge directions turn through one full circle.
    angles = np.arctan2(b[:, 1] - a[:, 1], b[:, 0] - a[:, 0])
    turns = np.mod(np.roll(angles, -1) - angles, 2 * np.pi)
    return bool(abs(turns.sum() - 2 * np.pi) < 1e-6)


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
    group = np.asarray(np.unique(keys, axis=0, return_inverse=True)[1]).ravel()
    vertex_sets: dict[int, set[int]] = {}
    equations: dict[int, np.ndarray] = {}
    for simplex, g, equation in zip(hull.simplices, group, eq):
        vertex_sets.setdefault(int(g), set()).update(int(i) for i in simplex)
        equations.setdefault(int(g), equation)
    order = sorted(vertex_sets)
    return [frozenset(vertex_sets[g]) for g in order], np.array([equations[g] for g in order])
