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
    assert (
        0
        < as_zero
        < rounding_bound(dataclasses.replace(dist, n_samples=1))
        < rounding_bound(dataclasses.replace(dist, n_samples=1000))
    )


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


def _documented_rounding_bound(sources: Sources) -> float:
    """The five steps of docs/check.md, "Rounding", evaluated term by term."""
    import math

    u = 2.0**-53
    d = sources.n_sources
    n = 0 if sources.n_samples is None else sources.n_samples
    beta = sources.beta
    D = sources.upper - sources.lower
    X = np.maximum(np.abs(sources.lower), np.abs(sources.upper))
    P = D / beta
    dmu = (n + 2) * u * D + u * X  # step 1
    dbeta = dmu + 2 * u * X
    dp = (2 * u * X + dmu) / beta + P * (dbeta / beta + 2 * u)  # step 2
    e_m = math.sqrt(d) * dp.max() + d**1.5 * u * P.max()  # step 3
    m_max = math.sqrt(d) * P.max()
    m_term = 2 * m_max * e_m + e_m**2
    F = sources.modularity_matrix / np.outer(beta, beta)  # step 4
    dF = np.empty((d, d))
    for j in range(d):
        for k in range(d):
            dF[j, k] = (
                3 * u
                if j == k
                else (4 * (n + 3) * u * P[j] * P[k] + abs(F[j, k]) * (dbeta[j] / beta[j] + dbeta[k] / beta[k] + 3 * u))
            )
    f_max = np.abs(F).max()
    F_term = math.sqrt((dF**2).sum()) + 2 * d * d * u * f_max
    normalising = 4 * d * u * (m_max**2 + d * f_max)  # step 5
    return m_term + F_term + normalising


@pytest.mark.parametrize("d", [2, 3])
def test_the_rounding_bound_is_the_documented_sum(d):
    from biomodular.solvers.check import rounding_bound

    rng = np.random.default_rng(d)
    samples = rng.uniform(-1, 1, (500, d)) @ rng.normal(size=(d, d)) * [10.0**k for k in range(d)] + 300.0
    for sources in (
        Sources.from_samples(samples),
        Sources.from_statistics(np.zeros(2), np.eye(2) / 3, [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]),
    ):
        assert rounding_bound(sources) == pytest.approx(_documented_rounding_bound(sources), rel=1e-12, abs=0)


def test_the_basis_swap_costs_match_the_explicit_inverse():
    """The closed form of each swapped basis code's cost against ``np.linalg.inv`` of its tunings."""
    from biomodular.solvers.check import _basis_swap_costs

    rng = np.random.default_rng(1)
    for d in (2, 3, 7):
        for _ in range(20):
            w = rng.standard_normal(d)
            w /= np.linalg.norm(w)
            E, phi_w = rng.uniform(0.5, 2.0, d), float(rng.uniform(0.0, 2.0))
            expected = []
            for j in range(d):
                U = np.eye(d)
                U[j] = w
                V = np.linalg.inv(U)
                phis = E.copy()
                phis[j] = phi_w
                expected.append(2.0 * np.sqrt(phis * (V * V).sum(axis=0)).sum())
            assert _basis_swap_costs(E, phi_w, w) == pytest.approx(expected, rel=1e-12)
