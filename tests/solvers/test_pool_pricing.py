"""Exact pricing on a cut pool, and column generation certified past the face budget.

Independent routes:

* 3 and 4 sources: ``cones`` on the whole hull gives the exact minimum; the
  pool route must return the same value, and its lower bound must not exceed it.
* 5 sources: ``cones`` on the pool's points is re-run here (the pool's hull
  holds the data's, so its minimum is a lower bound on the data's), and a
  dense search (many random directions) bounds the minimum from above.
* ``solve``: the certified lower bound and the code's loss must bracket the
  value of a dense-dictionary convex program written here in cvxpy (an upper
  bound on the optimum), and agree with the solve priced by ``cones`` on the
  whole hull where that runs.
"""

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from biomodular import Sources
from biomodular.errors import BiomodularError, SolverWarning
from biomodular.solvers.energy import code_loss, phi_values
from biomodular.solvers.gap import gap_values, min_quadratic_gap
from biomodular.solvers.polar import pool_cones, price_directions
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import ColumnGeneration, solve_code

from .test_polar import _problem
from .test_polar import _witness_gap as _direct_gap


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(15, 120), st.sampled_from([3, 4]), st.integers(0, 5), st.booleans())
@example(0, 60, 3, 0, False)
@example(7, 100, 4, 2, True)  # skewed data, indefinite matrix
@example(3, 40, 4, 4, False)  # range independent with corners
def test_pool_minimum_is_the_cones_minimum(seed, n, d, kind, indefinite):
    points, M = _problem(seed, n, d, kind, indefinite)
    exact = min_quadratic_gap(points, M, method="cones").value
    pool = pool_cones(points, M)
    scale = 1e-9 * (np.einsum("ij,ij->i", points, points).max() + np.abs(M).max())
    assert pool.exact
    assert pool.value == pytest.approx(exact, abs=scale)
    assert pool.lower_bound <= exact + scale
    assert pool.value == pytest.approx(_direct_gap(points, M, pool.direction), abs=1e-12)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3), st.booleans())
@example(11, 0, False)
def test_pool_bound_for_five_sources_rechecked(seed, kind, indefinite):
    points, M = _problem(seed, 150, 5, kind, indefinite)
    pool = pool_cones(points, M)
    # Independent re-check of the bound: cones on the pool's own points.
    again = min_quadratic_gap(points[pool.pool], M, method="cones").value
    assert pool.lower_bound == pytest.approx(again, abs=1e-9)
    # A dense search attains values no lower than the proven bound.
    W = np.random.default_rng(seed).standard_normal((100_000, 5))
    dense = gap_values(points, M, W / np.linalg.norm(W, axis=1, keepdims=True)).min()
    assert pool.lower_bound <= dense + 1e-12
    assert pool.value <= dense + 1e-9  # the exact minimum is at least as low as any sample
    assert pool.value == pytest.approx(_direct_gap(points, M, pool.direction), abs=1e-12)


def test_pricing_stops_at_a_proof_within_the_allowance():
    points, M = _problem(5, 200, 5, 0, False)
    exact = pool_cones(points, M).value
    # Shifted so the minimum is 0: a proof of "nothing below -1e-3" is enough.
    shifted = M + exact * np.eye(5)
    out = price_directions(points, shifted, 1e-3)
    assert out.lower_bound >= -1e-3 - 1e-12
    assert out.value >= out.lower_bound


def _dense_dictionary_value(sources: Sources, problem: Problem, n: int, seed: int = 0) -> float:
    """The autoencoder program over a fixed dictionary of random directions (upper bound on the optimum)."""
    import cvxpy as cp

    d = sources.n_sources
    W = np.random.default_rng(seed).standard_normal((n, d))
    W = np.vstack([np.eye(d), -np.eye(d), W])
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    phi = phi_values(sources.centred_points, sources.cov, W)
    c = cp.Variable(W.shape[0], nonneg=True)
    G = W.T @ cp.diag(c) @ W
    objective = phi @ c + problem.lam_in * cp.trace(G) + problem.lam_out * cp.matrix_frac(np.eye(d), G)
    prob = cp.Problem(cp.Minimize(objective))
    prob.solve(solver="CLARABEL")
    assert prob.status == cp.OPTIMAL
    keep = c.value > 1e-10 * c.value.max()
    T = np.sqrt(c.value[keep])[:, None] * W[keep]
    return float(code_loss(sources, problem, T)["value"])


def _cut_box(d: int, n: int, seed: int) -> Sources:
    S = np.random.default_rng(seed).uniform(0, 1, (n, d))
    return Sources.from_samples(S[S.sum(1) >= 0.5])


def test_five_sources_solve_is_certified_and_brackets_a_dense_program():
    sources = _cut_box(5, 400, 5)
    result = solve_code(sources)
    cert = result.certificate
    assert result.status == "optimal" and cert.rigorous
    assert cert.pricing_method == "cones on a cut pool"
    dense = _dense_dictionary_value(sources, Problem.autoencoder(), 1500)
    assert cert.lower_bound <= dense  # a proven bound is below every code's loss
    assert result.value <= dense * (1 + 1e-9)  # the optimum is no worse than a fixed dictionary
    assert cert.relative_gap <= 1e-6


def test_pool_pricing_agrees_with_the_whole_hull():
    """Where ``cones`` on the whole hull runs (small hull), both pricings reach the same optimum."""
    sources = _cut_box(5, 60, 2)
    whole = ColumnGeneration(sources, pricing="cones").solve()
    pooled = solve_code(sources)
    assert whole.status == pooled.status == "optimal"
    assert pooled.value == pytest.approx(whole.value, rel=2e-6)
    assert pooled.certificate.lower_bound <= whole.value * (1 + 1e-12)
    assert whole.certificate.lower_bound <= pooled.value * (1 + 1e-12)


@pytest.mark.slow
def test_six_sources_solve_is_certified_by_scip():
    sources = _cut_box(6, 3000, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SolverWarning)
        result = solve_code(sources)
    cert = result.certificate
    assert result.status == "optimal" and cert.rigorous
    assert cert.pricing_method == "global (SCIP)"
    dense = _dense_dictionary_value(sources, Problem.autoencoder(), 1500)
    assert cert.lower_bound <= dense
    assert result.value <= dense * (1 + 1e-9)


def test_cached_hull_structure_follows_the_points_scaling():
    """The same facet list with differently scaled points must not reuse the other scaling's spans."""
    sources = _cut_box(3, 300, 1)
    facets = sources.facets()
    M = np.diag([0.3, 0.2, 0.1])
    for unit in ([1.0, 1.0, 1.0], [1.0, 3.0, 0.5], [1.0, 1.0, 1.0]):
        points = sources.centred_points / np.asarray(unit)
        scaled = sources.facets(np.asarray(unit))
        cached = min_quadratic_gap(points, M, method="cones", facets=scaled)
        fresh = min_quadratic_gap(points, M, method="cones")  # its own hull, no cache
        assert cached.value == pytest.approx(fresh.value, abs=1e-12)
        assert facets[0] is scaled[0]  # one facet list serves every scaling


def test_global_route_finds_the_octagon_tie():
    """The regular octagon ties exactly (its inscribed circle touches all eight sides); the global
    route, forced here, proves the margin by cones on a cut pool and reports the tie like ``sector``."""
    from biomodular.solvers.check import check_modularity

    angles = np.arange(8) * np.pi / 4 + np.pi / 8
    sources = Sources.from_samples(np.column_stack([np.cos(angles), np.sin(angles)]))
    exact = check_modularity(sources, method="sector")
    result = check_modularity(sources, method="global")
    assert exact.verdict == result.verdict == "tie"
    assert result.exact and result.tie_angle == pytest.approx(45.0)


@pytest.mark.parametrize("d", [3, 4])
def test_pool_refuses_points_whose_hull_leaves_the_origin_out(d):
    # Extreme points alone never make such a pool hold the origin: the search must end with the
    # error once the whole support is tried, not loop (SIGALRM turns a hang into a failure).
    import signal

    rng = np.random.default_rng(d)
    points = rng.uniform(-1.0, 1.0, (200, d)) + 3.0  # the origin is far outside the hull
    M = np.eye(d)

    def hung(signum, frame):
        raise AssertionError("pool_cones did not return within 30 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with pytest.raises(BiomodularError, match="not strictly inside"):
            pool_cones(points, M)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
