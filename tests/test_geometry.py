"""The scipy-free 2-D hull agrees with qhull."""

from fractions import Fraction

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


def _structured(kind: str, seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "circle":
        t = rng.uniform(0, 2 * np.pi, n)
        P = np.column_stack([np.cos(t), np.sin(t)])
    elif kind == "clipped":
        P = np.clip(rng.standard_normal((n, 2)), -1, 1)
    elif kind == "grid":
        P = rng.integers(0, 4, (n, 2)).astype(float)
    elif kind == "duplicated":
        base = rng.standard_normal((max(3, n // 5), 2))
        P = base[rng.integers(0, len(base), n)]
    else:  # an annulus: many points near the hull, few on it
        t = rng.uniform(0, 2 * np.pi, n)
        r = rng.uniform(0.99, 1.0, n)
        P = np.column_stack([r * np.cos(t), r * np.sin(t)])
    return P


@given(
    st.sampled_from(["circle", "clipped", "grid", "duplicated", "annulus"]),
    st.integers(0, 2**32 - 1),
    st.integers(3, 2000),
)
def test_vectorised_pruning_keeps_exactly_the_chains_vertices(kind, seed, n):
    """Second route: Andrew's chain alone on the same points."""
    from biomodular.geometry import _monotone_chain

    P = _structured(kind, seed, n)
    try:
        expected = _monotone_chain(P)
    except ValueError:
        with pytest.raises(ValueError):
            hull_2d(P)
        return
    got = hull_2d(P)
    assert len(got) == len(expected)
    assert {tuple(p) for p in P[got]} == {tuple(p) for p in P[expected]}
    V = P[got]
    cross = (np.roll(V, -1, 0) - V)[:, 0] * (np.roll(V, -2, 0) - V)[:, 1] - (np.roll(V, -1, 0) - V)[:, 1] * (
        np.roll(V, -2, 0) - V
    )[:, 0]
    assert (cross > 0).all()  # strictly convex, counter-clockwise


def test_a_huge_circles_hull_stays_vectorised_and_small_in_memory():
    """Every point of a circle is a vertex.  The hull of 200,000 of them (shuffled, off
    centre) must match qhull's, and its temporaries stay a few times the points (the
    sort and the pruning work in place or in blocks; before, several point-sized
    copies lived at once and rounding could send millions of points through the
    pure-Python chain)."""
    import tracemalloc

    from biomodular.sources import _hull_points

    t = np.random.default_rng(5).uniform(0, 2 * np.pi, 200_000)
    X = np.column_stack([np.cos(t), np.sin(t)]) * 3.0 + 1.0
    tracemalloc.start()
    try:
        got = hull_2d(X)
        hull_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        points, exact = _hull_points(X)
        points_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Second route: qhull, whose tolerance drops a few vertices whose turn is below
    # its roundoff estimate; each vertex only we report must turn left exactly
    # (rational arithmetic on the doubles), and we may lack none of qhull's.
    expected = set(ConvexHull(X).vertices.tolist())
    assert expected <= set(got.tolist())
    k = got.shape[0]
    for i in np.flatnonzero([v not in expected for v in got.tolist()]):
        a, b, c = (tuple(Fraction(v) for v in X[got[j % k]]) for j in (i - 1, i, i + 1))
        assert (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) > 0
    assert exact and {tuple(p) for p in points} == {tuple(p) for p in X[got]}
    assert hull_peak < 4 * X.nbytes  # measured 3.0 (5.1 before)
    assert points_peak < 5.5 * X.nbytes  # measured 4.0 (7.1 before)


@given(
    st.sampled_from(["circle", "clipped", "grid", "duplicated", "annulus"]),
    st.integers(0, 2**32 - 1),
    st.integers(3, 3000),
    st.floats(-1e6, 1e6),
    st.floats(1e-3, 1e3),
)
def test_the_extreme_polygon_filter_keeps_every_hull_vertex(kind, seed, n, offset, scale):
    """Second route: qhull's vertices of all the points are among the kept rows."""
    from biomodular.geometry import outside_extreme_polygon

    P = _structured(kind, seed, n) * scale + offset
    kept = outside_extreme_polygon(P)
    try:
        vertices = ConvexHull(P).vertices
    except Exception:
        return  # collinear: nothing to keep
    assert {tuple(p) for p in P[vertices]} <= {tuple(p) for p in P[kept]}


def test_the_extreme_polygon_filter_drops_the_interior_of_a_filled_square():
    from biomodular.geometry import outside_extreme_polygon

    P = np.random.default_rng(0).uniform(-1, 1, (10_000, 2))
    assert outside_extreme_polygon(P).shape[0] < 500


@given(st.integers(0, 2**32 - 1), st.integers(3, 3000), st.sampled_from(["polygon", "rounded", "shuffled", "cloud"]))
def test_hull_of_an_ordered_polygon_without_sorting(seed, n, kind):
    """Points that are a hull's vertices in order (exactly, or after a change of units
    that rounds them) are pruned in place; whatever the input, an answer is a
    counter-clockwise ordered subset with the vertex set hull_2d finds (second route),
    and a polygon in order always gets one."""
    from biomodular.geometry import hull_2d_of_polygon, is_convex_ccw

    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    P = np.column_stack([np.cos(t), np.sin(t)]) * rng.uniform(0.5, 2, 2)
    if kind == "rounded":
        P = (P - P.mean(axis=0)) / rng.uniform(0.1, 10, 2)
    elif kind == "shuffled":
        P = P[rng.permutation(n)]
    elif kind == "cloud":
        P = rng.standard_normal((n, 2))
    try:
        expected = hull_2d(P)
    except ValueError:
        return
    got = hull_2d_of_polygon(P)
    if kind in ("polygon", "rounded") and n > 3:
        assert got is not None
    if got is not None:
        assert np.all(np.diff(got) > 0) and is_convex_ccw(P, got)
        assert {tuple(p) for p in P[got]} == {tuple(p) for p in P[expected]}


@pytest.mark.parametrize("kind", ["cube", "grid", "sphere"])
@pytest.mark.parametrize("d", [3, 4])
def test_hull_facets_are_the_planes_and_exactly_the_points_on_them(kind, d):
    """Every facet's vertex set is every hull vertex on its plane (coplanar simplices merged: a
    cube's facets have 2^(d-1) vertices), its normal is a unit vector, every point is inside, and
    no plane is listed twice.  Checked against the points directly, not against qhull's grouping."""
    from itertools import product

    from biomodular.geometry import hull_facets

    rng = np.random.default_rng(d)
    if kind == "cube":
        P = np.vstack([np.array(list(product([-1.0, 1.0], repeat=d))), rng.uniform(-0.9, 0.9, (30, d))])
    elif kind == "grid":  # many coplanar points on every facet of the box
        P = np.array(list(product([-1.0, 0.0, 1.0], repeat=d)))
    else:
        P = rng.standard_normal((400, d))
        P /= np.linalg.norm(P, axis=1, keepdims=True)
    sets, equations = hull_facets(P)
    assert len(sets) == equations.shape[0]
    np.testing.assert_allclose(np.linalg.norm(equations[:, :-1], axis=1), 1.0, atol=1e-12)
    distance = P @ equations[:, :-1].T + equations[:, -1]  # (points, facets)
    assert np.all(distance <= 1e-9)
    vertices = set(ConvexHull(P).vertices.tolist())
    for f, vs in enumerate(sets):
        assert vs == frozenset(np.flatnonzero(np.abs(distance[:, f]) <= 1e-9).tolist()) & vertices
    assert len(set(sets)) == len(sets)
    if kind == "cube":
        assert len(sets) == 2 * d and all(len(vs) == 2 ** (d - 1) for vs in sets)


def test_polar_argmax_against_one_linear_program_and_its_deadline():
    """Cutting planes from the extremes along the axes reach the optimum of the
    program over every point (second route: one linprog call with all constraints);
    a deadline already past returns no optimum and the points it started from."""
    import time

    from scipy.optimize import linprog

    from biomodular.geometry import polar_argmax

    rng = np.random.default_rng(3)
    points = rng.standard_normal((400, 5))
    points -= points.mean(axis=0)
    objective = rng.standard_normal(5)
    start = np.unique(np.concatenate([points.argmin(axis=0), points.argmax(axis=0)]))
    w, active = polar_argmax(points, objective, start)
    full = linprog(-objective, A_ub=-points, b_ub=np.ones(400), bounds=(None, None), method="highs")
    assert w is not None and active.size < 400
    assert objective @ w == pytest.approx(-full.fun, rel=1e-7)
    late, kept = polar_argmax(points, objective, start, deadline=time.perf_counter() - 1.0)
    assert late is None and np.array_equal(kept, start)
