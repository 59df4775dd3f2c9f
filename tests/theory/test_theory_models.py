"""Exact moments of the symbolic models against independent routes."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from biomodular import Sources
from biomodular.errors import BiomodularError
from biomodular.theory.models import cut_box, grid, point_set, polygon, uniform_box

coords = st.integers(-6, 6)
points_2d = st.lists(st.tuples(coords, coords), min_size=4, max_size=9, unique=True)


def _as_float(M):
    return np.array(sp.Matrix(M).evalf(20).tolist(), dtype=float)


@given(points_2d)
@settings(max_examples=15)
def test_point_set_matches_sources_from_samples(pts):
    arr = np.array(pts, dtype=float)
    if np.linalg.matrix_rank(arr - arr.mean(0)) < 2:
        return  # flat: Sources rejects it, nothing to compare
    model = point_set(pts)
    ref = Sources.from_samples(arr)
    np.testing.assert_allclose(_as_float(model.mean).ravel(), ref.mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_as_float(model.cov), ref.cov, rtol=0, atol=1e-12)
    mine = {tuple(float(v) for v in vert) for vert in model.vertices}
    assert mine == {tuple(p) for p in ref.points}
    np.testing.assert_allclose(_as_float(model.beta).ravel(), ref.beta, atol=1e-12)
    np.testing.assert_allclose(_as_float(model.modularity_matrix), ref.modularity_matrix, atol=1e-12)


def _green_moments(verts):
    """Area, first and second moments of a CCW polygon by Green's theorem (exact fractions)."""
    A = Sx = Sy = Sxx = Syy = Sxy = Fraction(0)
    n = len(verts)
    for i in range(n):
        x0, y0 = map(Fraction, verts[i])
        x1, y1 = map(Fraction, verts[(i + 1) % n])
        cr = x0 * y1 - x1 * y0
        A += cr / 2
        Sx += (x0 + x1) * cr / 6
        Sy += (y0 + y1) * cr / 6
        Sxx += (x0 * x0 + x0 * x1 + x1 * x1) * cr / 12
        Syy += (y0 * y0 + y0 * y1 + y1 * y1) * cr / 12
        Sxy += (x0 * y1 + 2 * x0 * y0 + 2 * x1 * y1 + x1 * y0) * cr / 24
    mx, my = Sx / A, Sy / A
    return (mx, my), ((Sxx / A - mx * mx, Sxy / A - mx * my), (Sxy / A - mx * my, Syy / A - my * my))


@given(points_2d)
@settings(max_examples=15)
def test_polygon_moments_match_greens_theorem(pts):
    arr = np.array(pts, dtype=float)
    if np.linalg.matrix_rank(arr - arr.mean(0)) < 2:
        return
    model = polygon(pts)  # fan triangulation of the hull
    verts = [(int(v[0]), int(v[1])) for v in model.vertices]  # CCW hull
    mean, cov = _green_moments(verts)
    assert [sp.Rational(m.numerator, m.denominator) for m in mean] == list(model.mean)
    for j in range(2):
        for k in range(2):
            f = cov[j][k]
            assert sp.Rational(f.numerator, f.denominator) == model.cov[j, k]


@pytest.mark.parametrize("d,c", [(2, sp.Rational(1, 2)), (3, sp.Rational(3, 2))])
def test_cut_box_moments_match_monte_carlo(d, c):
    model = cut_box(d, c)
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, size=(600_000, d))
    x = x[x.sum(1) >= -float(c)]
    # standard errors of a mean of ~5e5 uniform values are ~1e-3; allow 5 of them
    se = 1.0 / np.sqrt(x.shape[0])
    np.testing.assert_allclose(_as_float(model.mean).ravel(), x.mean(0), atol=5 * se)
    np.testing.assert_allclose(_as_float(model.cov), np.cov(x.T, bias=True), atol=5 * se)
    assert len(model.vertices) == 2**d - 1 + d


def test_uniform_box_and_grid():
    a = sp.Symbol("a", positive=True)
    box = uniform_box([-a, 0], [a, 3])
    assert box.mean == sp.Matrix([0, sp.Rational(3, 2)])
    assert box.cov == sp.diag(a**2 / 3, sp.Rational(3, 4))
    assert box.beta == sp.Matrix([a, sp.Rational(3, 2)])
    assert box.range_independent
    g = grid([[0, 1, 2], [0, 1]])
    assert g.mean == sp.Matrix([1, sp.Rational(1, 2)]) and g.range_independent
    assert g.cov == sp.diag(sp.Rational(2, 3), sp.Rational(1, 4))


def test_cut_box_rejects_a_cut_outside_its_range():
    with pytest.raises(BiomodularError, match="corner cut"):
        cut_box(2, 3)
    assert not cut_box(2, 1).range_independent


def test_condition_refuses_what_it_cannot_decide():
    from biomodular.theory import exact_margin_2d, modularity_condition

    cube_points = point_set([(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)])
    with pytest.raises(BiomodularError, match="no facet list"):
        modularity_condition(cube_points).facet_test()
    with pytest.raises(BiomodularError, match="free parameters"):
        exact_margin_2d(cut_box(2))
    # a skewed triangle whose F is not positive definite: facet test refuses, direction form answers
    skewed = point_set([(0, 0), (1, 0), (0, 1), (5, 5)], weights=[50, 1, 1, 1])
    cond = modularity_condition(skewed)
    assert cond.f_positive_definite() is False
    with pytest.raises(BiomodularError, match="positive definite"):
        cond.facet_test()
    assert exact_margin_2d(skewed).value < 0
    # the facet test and the exact direction form agree where both apply
    sq = modularity_condition(cut_box(2, sp.Rational(1, 2)))
    assert sq.facet_test() is False and exact_margin_2d(cut_box(2, sp.Rational(1, 2))).value < 0
