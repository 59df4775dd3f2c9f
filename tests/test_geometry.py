"""The scipy-free 2-D hull agrees with qhull."""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.spatial import ConvexHull

from biomodular.geometry import hull_2d, hull_2d_equations


@given(st.integers(0, 2**32 - 1), st.integers(3, 300), st.booleans())
def test_hull_2d_matches_qhull(seed, n, on_grid):
    rng = np.random.default_rng(seed)
    P = rng.integers(-5, 6, (n, 2)).astype(float) if on_grid else rng.standard_normal((n, 2))
    try:
        expected = ConvexHull(P).vertices
    except Exception:
        with pytest.raises(ValueError):
            hull_2d(P)
        return
    got = hull_2d(P)
    assert {tuple(p) for p in P[got]} == {tuple(p) for p in P[expected]}
    V = P[got]
    # Counter-clockwise: positive signed area; every point inside every edge.
    x, y = V[:, 0], V[:, 1]
    assert 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) > 0
    eq = hull_2d_equations(V)
    assert (P @ eq[:, :2].T + eq[:, 2]).max() <= 1e-9


def test_collinear_points_have_no_hull():
    with pytest.raises(ValueError, match="collinear"):
        hull_2d(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]))
