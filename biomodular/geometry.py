"""Small geometry kernels that do not need scipy (fast start-up for two sources)."""

from __future__ import annotations

import numpy as np

__all__ = ["hull_2d", "hull_2d_equations"]


def hull_2d(points: np.ndarray) -> np.ndarray:
    """Indices of the convex hull's vertices of 2-D ``points``, counter-clockwise.

    Andrew's monotone chain; collinear boundary points are dropped, so only
    true vertices are returned.  Raises ``ValueError`` when the points are
    collinear (no 2-D hull).
    """
    points = np.asarray(points, dtype=float)
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
