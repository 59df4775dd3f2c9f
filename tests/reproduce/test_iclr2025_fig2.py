"""cube-corners (and later what-where, six-factors): verdicts against independent routes."""

import itertools

import numpy as np
import pytest

from biomodular import examples


def test_cube_corners_agrees(outcome):
    o = outcome("cube-corners")
    assert o.agrees, o.text()
    # second route for "every pair passes": each pair's projection contains the four corners of its
    # bounding square, so it is range independent (docs/mathematics.md, "The exact modularity condition")
    S, _ = examples.load("pairs-pass", seed=0)
    for i, j in itertools.combinations(range(3), 2):
        P = S[:, [i, j]]
        for corner in itertools.product(*zip(P.min(0), P.max(0))):
            assert np.any(np.all(P == corner, axis=1)), (i, j, corner)
    # and the full set misses the corner (0, 0, 0) of its bounding cube, so range independence fails
    assert not np.any(np.all(S == S.min(0), axis=1))


def test_what_where_threshold_matches_the_exact_symbolic_margin(outcome):
    from biomodular.reproduce.what_where import SIZE
    from biomodular.theory import exact_margin_2d, point_set

    o = outcome("what-where")
    assert o.agrees, o.text()
    first = int(o.measured["first_mixed_cut"])
    for t in (first - 1, first):
        cells = [(i, j) for i in range(SIZE) for j in range(SIZE) if i + j >= t]
        exact = exact_margin_2d(point_set(cells))
        assert (float(exact.value) < 0) == (t >= first)
        # the numerical margin (sources scaled to [0, 1]) equals the exact one: it is scale free
        assert abs(float(exact.value) - o.measured[f"margin_t{t}"]) < 1e-9


def _facet_test(S):
    """The geometric form of the condition (docs/mathematics.md, "The exact modularity condition"):
    modular iff n^T F n <= h^2 on every hull facet, valid when F is positive definite."""
    from scipy.spatial import ConvexHull

    Sc = S - S.mean(0)
    beta = np.minimum(-Sc.min(0), Sc.max(0))
    C = Sc.T @ Sc / len(Sc)
    F = -C.copy()
    np.fill_diagonal(F, beta**2)
    assert np.linalg.eigvalsh(F).min() > 0
    eq = ConvexHull(Sc).equations  # n . x + off <= 0, unit n: h = -off
    n, h = eq[:, :-1], -eq[:, -1]
    return float((h**2 - np.einsum("ij,jk,ik->i", n, F, n)).min())


@pytest.mark.slow
def test_six_factors_against_the_facet_test(outcome):
    from biomodular.reproduce.six_factors import DEEP, SHALLOW, SMALL_SHAPE, TRAIN_SHAPES, variants

    o = outcome("six-factors")
    assert o.agrees, o.text()
    data = variants(SMALL_SHAPE)
    for name, S in data.items():
        gap = _facet_test(S)
        assert (gap < -1e-9) == (o.measured[f"margin_{name}"] < -1e-9), name
    # the coarse grid the networks are trained on, by the facet test too
    coarse = variants(TRAIN_SHAPES[0])
    for name in ("full", f"cut-{SHALLOW}", f"cut-{DEEP}"):
        assert (_facet_test(coarse[name]) < -1e-9) == bool(o.measured[f"trained_grid_mixed_{name}"]), name
    # proper subsets of the deep cut: up to 3 factors keep every corner of their box (range
    # independent); 4 and 5 factors lose a corner, and pass the facet test
    deep = data[f"cut-{DEEP}"]
    for k in (2, 3, 4, 5):
        for cols in itertools.combinations(range(6), k):
            P = deep[:, list(cols)]
            if k <= 3:
                U = np.unique(P, axis=0)
                corners = itertools.product(*zip(U.min(0), U.max(0)))
                assert all(np.any(np.all(np.isclose(U, c), axis=1)) for c in corners), cols
            else:
                assert _facet_test(P) >= -1e-9, cols
