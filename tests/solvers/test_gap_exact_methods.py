"""The exact gap minimisers against independent routes, on many small random datasets.

The ``sector`` method (two sources) keeps, for each hull vertex, only the
eigenvectors of ``v v^T - M`` that lie inside that vertex's sector; the
``cones`` method keeps the smallest eigenvectors of every vertex face (no sector
test) plus the edge normals, so its candidate set holds every local minimiser
and is built by different code (qhull faces, restricted eigenproblems).  A dense grid of angles, polished,
is a third route that knows nothing of hulls.  All three must agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from biomodular import BiomodularError
from biomodular.solvers.gap import gap_values, min_quadratic_gap


def _angle_value(points, M, t):
    return float(gap_values(points, M, np.array([[np.cos(t), np.sin(t)]]))[0])


def grid_minimum(points, M, n=1 << 13):
    """Minimum over a dense angle grid, each of the best few polished by Brent's method."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    values = gap_values(points, M, np.column_stack([np.cos(theta), np.sin(theta)]))
    best = float(values.min())
    h = 2 * np.pi / n
    for i in np.argsort(values)[:4]:
        res = minimize_scalar(
            lambda t: _angle_value(points, M, t),
            bounds=(theta[i] - h, theta[i] + h),
            method="bounded",
            options={"xatol": 1e-13},
        )
        best = min(best, float(res.fun))
    return best


def random_problem(seed):
    """A few support points in beta units and a matrix shaped like ``F`` (unit diagonal)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 9))
    P = rng.uniform(-1.0, 1.0, (k, 2))
    P -= P.mean(axis=0)
    beta = -P.min(axis=0)
    P = P / beta
    M = np.eye(2)
    M[0, 1] = M[1, 0] = rng.uniform(-1.5, 1.5)
    if seed % 3 == 0:  # also matrices that are not positive definite
        M = M - np.diag(rng.uniform(0.0, 2.0, 2))
    return P, M


SEEDS = range(120)


@pytest.mark.parametrize("seed", SEEDS)
def test_sector_equals_cones_and_the_polished_grid(seed):
    points, M = random_problem(seed)
    sector = min_quadratic_gap(points, M, method="sector")
    cones = min_quadratic_gap(points, M, method="cones")
    scale = 1.0 + np.abs(M).max() + (points**2).sum(axis=1).max()
    # both exact: equal to rounding
    assert sector.value == pytest.approx(cones.value, abs=1e-10 * scale)
    # the grid only attains values, so it can never beat an exact minimum ...
    grid = grid_minimum(points, M)
    assert sector.value <= grid + 1e-10 * scale
    # ... and polished it lands on it (Brent's method: about 1e-8 in value)
    assert grid <= sector.value + 1e-6 * scale
    # the value is attained at the direction returned
    assert gap_values(points, M, sector.direction)[0] == pytest.approx(sector.value, abs=1e-12 * scale)


def test_facets_refuses_an_indefinite_matrix():
    """The facet test is only valid for a positive semidefinite ``M``: an indefinite one is refused."""
    points = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [0.0, 1.5]])
    M = np.diag([2.0, -1.0])  # largest eigenvalue positive, smallest negative
    with pytest.raises(BiomodularError, match="positive semidefinite"):
        min_quadratic_gap(points, M, method="facets")


def test_auto_past_the_face_budget_does_not_treat_an_indefinite_matrix_as_an_ellipsoid():
    """With the face budget exhausted, ``auto`` may use the facet test only for a PSD ``M``."""
    rng = np.random.default_rng(3)
    points = rng.standard_normal((40, 3))
    points -= points.mean(axis=0)
    M = np.diag([3.0, 0.5, -1.0])
    result = min_quadratic_gap(points, M, max_faces=1)
    assert result.method == "search"
    # an independent bound: the value at any direction is an upper bound of the minimum
    dirs = rng.standard_normal((20000, 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    assert result.value <= gap_values(points, M, dirs).min() + 1e-9


def test_search_scores_interior_stationary_directions_only_within_its_memory_limit(monkeypatch):
    from biomodular.solvers import gap

    rng = np.random.default_rng(5)
    points = rng.standard_normal((30, 3))
    points -= points.mean(axis=0)
    M = np.diag([2.0, 0.5, -1.0])
    full = min_quadratic_gap(points, M, method="search", seed=1)
    # limit between 3 x 9 and 30 x 9 numbers: the 30 points exceed it, their 3 coordinates would not
    monkeypatch.setattr(gap, "INTERIOR_SEARCH_LIMIT", 30 * 9 - 1)
    limited = min_quadratic_gap(points, M, method="search", seed=1)
    assert limited.n_candidates == full.n_candidates - 2 * 30 * 3
