"""Sources computes its hull's facets once; the check and the solver use them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.spatial

from biomodular import Sources
from biomodular.geometry import hull_facets
from biomodular.solvers.check import check_modularity
from biomodular.solvers.program import solve_code


def _pairs_pass(seed=0, n=1500):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, (2 * n, 3))
    return Sources.from_samples(X[X.sum(axis=1) >= 0.9][:n])


def _as_planes(facets):
    """Facets as a set of (vertex set, rounded equation) for comparison up to order."""
    sets, equations = facets
    return {(vs, tuple(np.round(eq, 9))) for vs, eq in zip(sets, equations)}


@pytest.mark.parametrize("scale", [None, 0.37, np.array([2.0, 0.5, 1e3])])
def test_mapped_facets_equal_a_hull_built_in_those_coordinates(scale):
    sources = _pairs_pass()
    unit = sources.beta if scale is None else np.broadcast_to(scale, (3,))
    fresh = hull_facets(sources.centred_points / unit)
    mapped = sources.facets(scale)
    assert _as_planes(mapped) == _as_planes(fresh)
    # every vertex of a facet lies on its plane, every point inside
    y = sources.centred_points / unit
    for vs, eq in zip(*mapped):
        assert np.allclose(y[sorted(vs)] @ eq[:-1] + eq[-1], 0.0, atol=1e-9)
        assert np.all(y @ eq[:-1] + eq[-1] <= 1e-9)


def test_check_and_solve_reuse_the_hull_of_the_sources(monkeypatch):
    sources = _pairs_pass(seed=1)
    calls = []
    real = scipy.spatial.ConvexHull

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.spatial, "ConvexHull", counting)
    check_modularity(sources, method="cones")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_code(sources)
    assert result.rounds >= 2  # several pricings, each of which used to rebuild the hull
    assert len(calls) == 1
