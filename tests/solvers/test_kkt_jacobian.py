"""The KKT Jacobian of the Newton refinement against central finite differences.

The line search of :func:`refine` hides a wrong Jacobian (Newton still converges,
only slower), so the derivative is checked on its own: each column of ``J`` must
match the central difference of the residual ``F``.
"""

from __future__ import annotations

import numpy as np
import pytest

from biomodular.solvers.kkt import kkt_system, refine


def _setup(kind, seed=0, k=5, d=3):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((k, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    c = rng.uniform(0.5, 2.0, k)
    A = rng.standard_normal((d, d))
    Q = A @ A.T + np.eye(d)
    P = np.eye(d) + 0.1 * np.ones((d, d))
    C = np.diag(rng.uniform(0.5, 1.5, d))
    phi = rng.uniform(0.5, 2.0, k)
    enc = np.einsum("ki,ij,kj->k", W, P, W)
    var = np.einsum("ki,ij,kj->k", W, C, W)
    data = (phi, enc, var, Q, 0.7, 1.3, 2.0)
    return W, c, data


def _with_root(c_star):
    """Three directions in 2-D and an autoencoder problem whose KKT root is ``c_star`` (phi chosen so that F(c*) = 0)."""
    W, _, data = _setup("autoencoder", 1, k=3, d=2)
    phi, enc, var, Q, lam_in, lam_out, budget = data
    G = (W * c_star[:, None]).T @ W
    Ginv = np.linalg.inv(G)
    b = np.einsum("ki,ij,kj->k", W, Ginv @ Q @ Ginv, W)
    return W, (lam_out * b - lam_in * enc, enc, var, Q, lam_in, lam_out, budget)


@pytest.mark.parametrize("kind", ["autoencoder", "fixed_variance"])
@pytest.mark.parametrize("seed", range(4))
def test_jacobian_matches_central_differences(kind, seed):
    W, c, data = _setup(kind, seed)
    nu, mu = 0.4, 0.9
    x = np.concatenate([c, [nu, mu]]) if kind == "fixed_variance" else c.copy()

    def F(x):
        if kind == "fixed_variance":
            return kkt_system(kind, W, x[:-2], x[-2], x[-1], data)[0]
        return kkt_system(kind, W, x, nu, mu, data)[0]

    _, J = kkt_system(kind, W, c, nu, mu, data)
    h = 1e-6
    numeric = np.column_stack([(F(x + h * e) - F(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    assert J.shape == numeric.shape
    # central differences: error O(h^2) times third derivatives, about 1e-9 here
    assert np.allclose(J, numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max())


@pytest.mark.parametrize("seed", range(2))
def test_jacobian_with_the_variance_constraint_slack_matches_central_differences(seed):
    W, c, data = _setup("fixed_variance", seed)
    mu = 0.9
    x = np.concatenate([c, [mu]])

    def F(x):
        return kkt_system("fixed_variance", W, x[:-1], 0.0, x[-1], data, variance_active=False)[0]

    _, J = kkt_system("fixed_variance", W, c, 0.0, mu, data, variance_active=False)
    h = 1e-6
    numeric = np.column_stack([(F(x + h * e) - F(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    assert J.shape == numeric.shape == (c.size + 1, c.size + 1)
    assert np.allclose(J, numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max())


def test_newton_converges_in_a_few_steps_from_a_nearby_start():
    """Quadratic convergence: from 1 % off the root, five Newton steps reach rounding level."""
    c_star = np.array([0.8, 1.1, 0.6])
    W, data = _with_root(c_star)
    c, _, _, keep, ok = refine("autoencoder", W, c_star * 1.01, data, max_iter=5)
    assert ok and keep.all()
    assert np.allclose(c, c_star, rtol=1e-9)


def test_the_residual_after_the_last_step_decides_convergence():
    """Two steps from 1 % off leave a residual of 2e-7 (not converged); the third, the last one
    allowed, brings it to rounding level, which counts although no iteration is left to see it."""
    c_star = np.array([0.8, 1.1, 0.6])
    W, data = _with_root(c_star)
    assert not refine("autoencoder", W, c_star * 1.01, data, max_iter=2)[4]
    c, _, _, _, ok = refine("autoencoder", W, c_star * 1.01, data, max_iter=3)
    assert ok and np.allclose(c, c_star, rtol=1e-12)


def test_a_step_that_would_cross_zero_is_damped_and_the_column_stays():
    """From starts up to e^2.5 times off the root, full Newton steps would take weights below
    zero; those steps are shortened, no column whose root weight is positive leaves, and the root
    is reached."""
    c_star = np.array([0.8, 1.1, 0.6])
    W, data = _with_root(c_star)
    rng = np.random.default_rng(0)
    for _ in range(6):
        c, _, _, keep, ok = refine("autoencoder", W, c_star * np.exp(rng.uniform(-2.5, 2.5, 3)), data)
        assert ok and keep.all()
        assert np.allclose(c, c_star, rtol=1e-9)


def test_a_column_that_must_leave_the_support_is_dropped_with_weight_zero():
    """Three directions in 2-D whose optimum uses only the two axes: Newton drops the third."""
    W = np.array([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), np.sqrt(0.5)]])
    c_star = np.array([0.8, 1.1])
    Q = np.eye(2)
    lam_in, lam_out = 0.5, 1.5
    enc = np.ones(3)  # P = I, unit directions
    G = (W[:2] * c_star[:, None]).T @ W[:2]
    Ginv = np.linalg.inv(G)
    b = np.einsum("ki,ij,kj->k", W, Ginv @ Q @ Ginv, W)
    phi = lam_out * b - lam_in * enc
    phi[2] += 1e-9  # the third direction's reduced cost is positive: it must leave
    data = (phi, enc, np.ones(3), Q, lam_in, lam_out, 0.0)
    start = np.array([0.8, 1.1, 1e-9])
    # Newton's step takes the tiny third weight below zero (to about -5e-10): a weight that
    # small leaves the support at once, so two steps suffice.
    c, _, _, keep, ok = refine("autoencoder", W, start, data, max_iter=2)
    assert ok
    assert keep.tolist() == [True, True, False]
    assert c[2] == 0.0
    assert np.allclose(c[:2], c_star, rtol=1e-9)


def test_after_dropping_a_column_newton_goes_on_to_the_root():
    """Same problem, the kept weights 1 % off: after the drop, Newton steps still converge."""
    W = np.array([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), np.sqrt(0.5)]])
    c_star = np.array([0.8, 1.1])
    lam_in, lam_out = 0.5, 1.5
    enc = np.ones(3)
    G = (W[:2] * c_star[:, None]).T @ W[:2]
    Ginv = np.linalg.inv(G)
    b = np.einsum("ki,ij,kj->k", W, Ginv @ Ginv, W)
    phi = lam_out * b - lam_in * enc
    phi[2] += 1e-9
    data = (phi, enc, np.ones(3), np.eye(2), lam_in, lam_out, 0.0)
    c, _, _, keep, ok = refine("autoencoder", W, np.array([0.808, 1.089, 1e-9]), data, max_iter=10)
    assert ok and keep.tolist() == [True, True, False]
    assert np.allclose(c[:2], c_star, rtol=1e-9)


def test_fixed_variance_newton_converges_with_its_multipliers():
    """A fixed-variance support whose root is known: weights and both multipliers are recovered."""
    W = np.array([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), -np.sqrt(0.5)]])
    c_star = np.array([0.9, 0.7, 0.4])
    C = np.array([[1.0, 0.2], [0.2, 0.5]])
    Q = np.eye(2)
    var = np.einsum("ki,ij,kj->k", W, C, W)
    c_star = c_star / (var @ c_star)  # variance constraint active: var . c = 1
    G = (W * c_star[:, None]).T @ W
    Ginv = np.linalg.inv(G)
    b = np.einsum("ki,ij,kj->k", W, Ginv @ Q @ Ginv, W)
    nu_star, mu_star = 0.6, 0.3
    phi = nu_star * var + mu_star * b  # stationarity: phi - nu var - mu b = 0
    budget = float(np.trace(Q @ Ginv))  # readout constraint active
    data = (phi, np.ones(3), var, Q, 0.0, 0.0, budget)
    c, nu, mu, keep, ok = refine("fixed_variance", W, c_star * 1.01, data, nu=0.55, mu=0.33, max_iter=8)
    assert ok and keep.all()
    assert np.allclose(c, c_star, rtol=1e-8)
    assert nu == pytest.approx(nu_star, rel=1e-8) and mu == pytest.approx(mu_star, rel=1e-8)
