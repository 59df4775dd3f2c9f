"""The check's cut-pool route (``auto``, four sources, large hulls) against the whole hull.

Independent route: ``check_modularity(..., method="cones")`` enumerates every
face of the whole hull.  The pool route is taken only for a margin below the
rounding bound (its exact minimum is then the whole hull's): ``mixed``, or
``modular`` (not exact) within a tolerance.  It must give the same verdict,
the same exactness and the same margin to rounding, and its witness's gap is
recomputed here from the points.  The thresholds that keep the route to large hulls of
four sources, and its work budget, are lifted in the property test, so that
small drawn data of three and four sources go through it.
"""

from itertools import permutations, product
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from biomodular import Sources
from biomodular.solvers import check
from biomodular.solvers.check import check_modularity, standardised_problem

from .test_gap import random_dataset
from .test_polar import _witness_gap

POOL = "cones on a cut pool"


def _regular(d: int) -> np.ndarray:
    """The 24-cell (d = 4) or the cuboctahedron (d = 3): every permutation of (+-1, +-1, 0, ...)."""
    base = [1.0, 1.0] + [0.0] * (d - 2)
    rows = {tuple(s * x for s, x in zip(signs, p)) for p in permutations(base) for signs in product([-1, 1], repeat=d)}
    return np.array(sorted(rows))


def _samples(shape: str, seed: int, n: int, d: int, kind: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if shape == "sphere":  # every point a hull vertex, the gap nearly flat
        S = rng.standard_normal((n, d))
        return S / np.linalg.norm(S, axis=1, keepdims=True)
    if shape == "cut box":  # the benchmark's data: a corner cut off a uniform box
        S = rng.uniform(-1, 1, (n, d))
        return S[S.sum(axis=1) > -0.75 * np.sqrt(d)]
    if shape == "slab":  # a tilted slab a thousandth thick
        u = np.ones(d) / np.sqrt(d)
        S = rng.uniform(-1, 1, (n, d))
        return S - np.outer(S @ u, u) + np.outer(1e-3 * rng.uniform(-1, 1, n), u)
    if shape == "offset":  # far from zero: the rounding bound grows, the verdict must not move
        return random_dataset(seed, n, d, kind) + 1e5
    if shape == "regular":  # ties between many directions
        return _regular(d)
    return random_dataset(seed, n, d, kind)


def _scale(sources: Sources) -> float:
    """Size of the gap's two terms; both routes return attained values at eigenvectors, and the
    pool certifies its minimum to 1e-12 of this, so 1e-10 of it bounds their difference."""
    points, F = standardised_problem(sources)
    return float(np.einsum("ij,ij->i", points, points).max() + np.abs(F).max())


def _compare(sources: Sources, tol: float | None = None) -> str:
    pooled = check_modularity(sources, tol=tol)
    whole = check_modularity(sources, tol=tol, method="cones")
    assert pooled.verdict == whole.verdict
    assert pooled.exact == whole.exact
    assert pooled.margin == pytest.approx(whole.margin, abs=1e-10 * _scale(sources))
    if pooled.method == POOL:  # taken only for a violation: mixed, or modular within a tolerance you set
        assert pooled.margin < -pooled.rounding_bound
        assert pooled.verdict == "mixed" or (tol is not None and pooled.margin >= -tol and not pooled.exact)
    if pooled.method == POOL and pooled.verdict == "mixed":
        points, F = standardised_problem(sources)
        assert _witness_gap(points, F, pooled.witness_scaled) == pytest.approx(
            pooled.margin, abs=1e-12 * _scale(sources)
        )
    return pooled.method


@settings(max_examples=30, deadline=None)
@given(
    st.tuples(
        st.sampled_from(["random", "offset"]),
        st.integers(0, 2**32 - 1),
        st.integers(20, 150),
        st.sampled_from([3, 4]),
        st.integers(0, 5),
    ),
    st.sampled_from([None, 1e-2, 0.5]),
)
@example(("sphere", 0, 150, 4, 0), None)
@example(("sphere", 1, 80, 3, 0), None)
@example(("cut box", 0, 3000, 4, 0), 0.5)  # a tolerance past the margin: modular, not exact
@example(("cut box", 2, 1000, 3, 0), None)
@example(("slab", 0, 400, 4, 0), None)
@example(("offset", 3, 120, 4, 0), None)
@example(("offset", 5, 100, 4, 5), None)
@example(("regular", 0, 0, 4, 0), None)
@example(("regular", 0, 0, 3, 0), None)
def test_the_pool_route_gives_the_whole_hulls_verdict_and_margin(params, tol):
    sources = Sources.from_samples(_samples(*params))
    with (
        mock.patch.object(check, "POOL_SOURCES", (3, 4)),
        mock.patch.object(check, "POOL_MIN_VERTICES", 0),
        mock.patch.object(check, "POOL_WORK", np.inf),
        mock.patch.object(check, "POOL_WORK_PER_VERTEX", np.inf),
    ):
        _compare(sources, tol)


def test_the_default_route_decides_a_large_four_source_cut_box_by_the_pool():
    sources = Sources.from_samples(_samples("cut box", 0, 100_000, 4, 0))
    assert sources.points.shape[0] >= check.POOL_MIN_VERTICES
    assert check_modularity(sources).method == POOL  # before the whole hull is built
    assert _compare(sources) == POOL


def test_a_sphere_outgrows_the_pools_budget_and_goes_to_the_whole_hull():
    sources = Sources.from_samples(_samples("sphere", 0, 600, 4, 0))
    assert _compare(sources) == "cones"


def test_a_modular_support_is_decided_by_the_whole_hull():
    # A box with a shallow corner cut and its remaining corners: modular (random_dataset kind 5).
    sources = Sources.from_samples(random_dataset(4, 60, 4, 5))
    with mock.patch.object(check, "POOL_MIN_VERTICES", 0):
        result = check_modularity(sources)
    assert result.verdict in ("modular", "tie") and result.method == "cones"


def test_a_support_that_holds_its_hull_already_is_decided_by_the_whole_hull():
    sources = Sources.from_samples(_samples("cut box", 0, 100_000, 4, 0))
    pooled = check_modularity(sources)
    assert pooled.method == POOL and not sources.has_facets
    sources.facets()  # as solve does: the hull is then built
    again = check_modularity(sources)
    assert again.method == "cones" and again.verdict == pooled.verdict
    assert again.margin == pytest.approx(pooled.margin, abs=1e-10 * _scale(sources))
