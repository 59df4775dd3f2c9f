"""cube-corners (and later what-where, six-factors): verdicts against independent routes."""

import itertools

import numpy as np

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
