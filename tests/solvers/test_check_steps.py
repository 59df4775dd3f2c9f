"""Tests written for mutants of check.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import numpy as np
import pytest

from biomodular import BiomodularError, Sources
from biomodular.solvers.check import check_modularity


def _cut_square(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (2 * n, 2))
    X = X[X.sum(axis=1) >= -1.0][:n]
    return np.vstack([X, [[1, 1], [-1, 1], [1, -1], [0, -1], [-1, 0]]])


def _dense_margin(sources: Sources, n: int = 200_000) -> float:
    """min over unit directions of m(w)^2 - w^T F w in beta-scaled units, on a dense circle (independent)."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    W = np.column_stack([np.cos(theta), np.sin(theta)])
    points = sources.centred_points / sources.beta
    F = sources.modularity_matrix / np.outer(sources.beta, sources.beta)
    m = (W @ points.T).min(axis=1)
    return float(min((m**2 - np.einsum("ij,jk,ik->i", W, F, W)).min(), 0.0))


def test_a_tolerance_below_the_violation_leaves_the_verdict_mixed():
    """Only margins within [-tol, 0] are called modular; a deeper violation stays mixed and exact."""
    sources = Sources.from_samples(_cut_square())
    margin = _dense_margin(sources)
    assert margin < -0.05
    for tol in (0.5 * abs(margin), 0.9 * abs(margin)):
        r = check_modularity(sources, tol=tol)
        assert r.verdict == "mixed" and r.exact, tol
    for tol in (1.1 * abs(margin), 10 * abs(margin)):
        r = check_modularity(sources, tol=tol)
        assert r.verdict == "modular" and not r.exact and "tolerance" in r.certificate, tol


def test_a_time_limit_must_be_positive():



    sources = Sources.from_samples(_cut_square())
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(BiomodularError, match="time_limit must be a positive number"):
            check_modularity(sources, time_limit=bad)


def test_the_range_independence_shortcut_reports_its_own_run_time():
    import time

    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    sources = Sources.from_samples(np.vstack([corners, np.random.default_rng(0).uniform(size=(200, 2))]))
    before = time.perf_counter()
    r = check_modularity(sources)
    elapsed = time.perf_counter() - before
    assert r.method == "range-independence"
    assert 0.0 <= r.seconds <= elapsed


def test_the_advantage_upper_bound_has_no_rounding_slack_by_default():
    """Upper bound = 1 - sum_j sqrt(E_j + margin) / sum_j sqrt(E_j), E_j = C_jj / beta_j^2 + 1 (docs/check.md)."""
    from biomodular.solvers.check import advantage_bracket, standardised_problem

    sources = Sources.from_samples(_cut_square())
    margin = _dense_margin(sources)
    points, F = standardised_problem(sources)
    cov_diag = np.diag(sources.cov) / sources.beta**2
    E = cov_diag + 1.0
    expected = 1.0 - np.sqrt(E + margin).sum() / np.sqrt(E).sum()
    _, upper = advantage_bracket(points, F, cov_diag, None, margin, True)
    assert upper == pytest.approx(expected, rel=1e-12)
    # a rounding bound, when given, only widens it
    assert advantage_bracket(points, F, cov_diag, None, margin, True, bound=1e-3)[1] > upper


def test_a_decided_check_reports_its_own_run_time():
    import time

    sources = Sources.from_samples(_cut_square())
    before = time.perf_counter()
    r = check_modularity(sources)
    elapsed = time.perf_counter() - before
    assert r.verdict == "mixed" and 0.0 <= r.seconds <= elapsed


def test_the_statistics_of_a_distribution_enter_the_rounding_bound_as_exact():
    """For Sources.from_statistics the mean and covariance are exact: the bound is that of n = 0
    samples, and it grows with the number of samples the statistics would have summed."""
    import dataclasses

    from biomodular.solvers.check import rounding_bound

    square = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    dist = Sources.from_statistics([0.0, 0.0], np.eye(2) / 3, square)
    assert dist.n_samples is None
    as_zero = rounding_bound(dataclasses.replace(dist, n_samples=0))
    assert rounding_bound(dist) == as_zero
    assert 0 < as_zero < rounding_bound(dataclasses.replace(dist, n_samples=1)) < rounding_bound(
        dataclasses.replace(dist, n_samples=1000))


def test_the_advantage_lower_bound_is_zero_without_a_saving_code():
    """No witness, or a witness along an axis (the modular code itself): nothing is saved for certain."""
    from biomodular.solvers.check import advantage_bracket, standardised_problem

    sources = Sources.from_samples(_cut_square())
    points, F = standardised_problem(sources)
    cov_diag = np.diag(sources.cov) / sources.beta**2
    assert advantage_bracket(points, F, cov_diag, None, -0.1, False) == (0.0, None)
    for axis in (np.array([1.0, 0.0]), np.array([0.0, -1.0])):
        lower, _ = advantage_bracket(points, F, cov_diag, axis, -0.1, False)
        assert 0.0 <= lower <= 1e-12  # the re-balanced modular code: zero up to rounding of O(1) sums
