"""The optimal code of solve_code against independent routes.

Routes used here, none of which shares code with the convex program:
- the loss of a code computed from the raw samples (biases from the least
  active sample, readout from the pseudo-inverse, reconstruction checked);
- a dense brute-force search over directions for the pricing certificate;
- direct non-convex minimisation of the reduced loss over neuron tunings;
- closed forms of docs/mathematics.md, "The biologically constrained linear autoencoder" and "ICLR 2023 linear theory" (modular value, ICLR 2023 Theorems 1-2).

The program's own helpers (``code_loss``, ``lower_bound``, ``caratheodory``)
are tested against these routes, never used as one.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import minimize

from biomodular import BiomodularError, Sources
from biomodular.cli import main
from biomodular.solvers.check import check_modularity
from biomodular.solvers.energy import caratheodory, code_loss, lower_bound
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code

SQUARE = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 1], [-1, 1]])
CUT = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 0.2], [0.2, 1], [-1, 1]])


def cut_samples(seed=0, n=1500, d=2, cut=0.6):
    """Uniform samples of [-1, 1]^d without the corner sum(s) >= d - cut (mixed data)."""
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1, 1, (n, d))
    return S[S.sum(1) < d - cut]


# ------------------------------------------------------------ independent routes
def network_loss(samples, T, problem):
    """Loss of the linear code z = T s + b from raw samples (docs/mathematics.md, "The biologically constrained linear autoencoder", s.3), checked exact."""
    d = samples.shape[1]
    lin = samples @ T.T
    Z = lin - lin.min(axis=0)  # cheapest bias: least active sample at zero
    A = np.eye(d) if problem.A is None else problem.A
    B = np.eye(d) if problem.B is None else problem.B
    W = T @ np.linalg.pinv(A)  # min-norm encoder with W A = T
    R = B @ np.linalg.pinv(T)  # min-norm readout with R T = B
    target = samples @ B.T
    recon = (Z - Z.mean(0)) @ R.T + target.mean(0)
    assert np.allclose(recon, target, atol=1e-8 * np.abs(target).max())
    assert np.allclose(W @ A, T, atol=1e-10 * np.abs(T).max())
    energy = np.mean(np.sum(Z**2, axis=1))
    return energy + problem.lam_in * np.sum(W**2) + problem.lam_out * np.sum(R**2)


def fixed_variance_terms(samples, T):
    """Activity <|z|^2>, total variance sum_n Var(z_n) and readout ||R||_F^2 of z = T s + b, from raw samples.

    Biases from the least active sample, R the min-norm readout with R T = I (reconstruction checked).
    """
    lin = samples @ T.T
    Z = lin - lin.min(axis=0)
    R = np.linalg.pinv(T)
    recon = (Z - Z.mean(0)) @ R.T + samples.mean(0)
    assert np.allclose(recon, samples, atol=1e-8 * np.abs(samples).max())
    return {
        "activity": np.mean(np.sum(Z**2, axis=1)),
        "variance": np.sum(Z.var(axis=0)),
        "readout_weights": np.sum(R**2),
    }


def dense_directions(d, n, seed=0):
    if d == 2:
        a = np.linspace(0, 2 * np.pi, n, endpoint=False)
        return np.column_stack([np.cos(a), np.sin(a)])
    W = np.random.default_rng(seed).standard_normal((n, d))
    return W / np.linalg.norm(W, axis=1, keepdims=True)


def brute_price(sources, result, n=200_000):
    """min over dense unit w of phi(w) - w^T Lambda w, Lambda rebuilt from the returned tunings."""
    d = sources.n_sources
    T = result.tunings
    G = T.T @ T
    P, Q = result.problem.matrices(d)
    Gi = np.linalg.inv(G)
    Lam = result.problem.lam_out * Gi @ Q @ Gi - result.problem.lam_in * P
    W = dense_directions(d, n)
    m = (W @ sources.centred_points.T).min(axis=1)
    return np.min(m**2 + np.einsum("ij,jk,ik->i", W, sources.cov - Lam, W)), Lam


# ------------------------------------------------------------------ agreement
def test_modular_data_give_the_closed_form_value_exactly():
    assert check_modularity(SQUARE).verdict == "modular"
    r = solve_code(SQUARE)
    assert r.status == "optimal"
    assert not r.mixed and all(n.modular for n in r.neurons)
    E = 1 / 3 + 1.0  # C_jj + beta_j^2
    assert r.modular_value == pytest.approx(2 * 2 * np.sqrt(1 * (E + 1)), rel=1e-14)
    assert r.value == pytest.approx(r.modular_value, rel=1e-12)


def test_mixed_data_give_a_strictly_lower_value_with_a_mixed_neuron():
    assert check_modularity(CUT).verdict == "mixed"
    r = solve_code(CUT)
    assert r.status == "optimal"
    assert r.value < r.modular_value * (1 - 1e-4)
    mixed = [n for n in r.neurons if not n.modular]
    assert mixed and all(len(n.sources) == 2 for n in mixed)
    # the mixed neuron is tuned to the cut (direction -(1, 1)), its zero line is the cut edge
    u = mixed[0].tuning / mixed[0].norm
    assert u @ -np.ones(2) / np.sqrt(2) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("name", ["square", "cut-corner", "triangle", "clipped-gaussian", "grid", "cube", "pairs-pass"])
def test_bundled_examples_agree_with_the_check(name):
    sources = Sources.from_example(name)
    verdict = check_modularity(sources).verdict
    r = solve_code(sources)
    assert r.status == "optimal"
    if verdict == "modular":
        assert all(n.modular for n in r.neurons) and r.value == pytest.approx(r.modular_value, rel=1e-12)
    else:
        assert verdict == "mixed"
        assert not all(n.modular for n in r.neurons) and r.value < r.modular_value * (1 - 1e-6)


def test_value_matches_the_loss_of_the_network_computed_from_samples():
    S = cut_samples(3)
    sources = Sources.from_samples(S)
    for problem in (
        Problem.autoencoder(0.7, 1.3),
        Problem.autoencoder(0.2, 2.0, A=[[1, 0.4], [0.1, 1], [0.3, -0.2]], B=[[1, 0.5], [0, 2]]),
    ):
        r = solve_code(sources, problem)
        assert r.status == "optimal"
        assert network_loss(S, r.tunings, problem) == pytest.approx(r.value, rel=1e-10)
        # biases: every neuron is nonnegative on every sample and zero on one
        Z = S @ r.tunings.T + r.biases
        assert Z.min() >= -1e-12 * np.abs(Z).max()
        assert np.allclose(Z.min(axis=0), 0, atol=1e-12 * np.abs(Z).max())
        # energy split adds up
        assert sum(r.energy.values()) == pytest.approx(r.value, rel=1e-12)
        # returned weights are the ones priced: R T = B, W A = T
        B = np.eye(2) if problem.B is None else problem.B
        assert np.allclose(r.readout_weights() @ r.tunings, B, atol=1e-10)


def test_optimum_is_below_every_random_feasible_code():
    S = cut_samples(5)
    sources = Sources.from_samples(S)
    problem = Problem.autoencoder(0.5, 2.0)
    r = solve_code(sources, problem)
    rng = np.random.default_rng(0)
    for _ in range(200):
        T = rng.standard_normal((rng.integers(2, 8), 2)) * rng.uniform(0.1, 2)
        assert network_loss(S, T, problem) >= r.certificate.lower_bound
        assert network_loss(S, T, problem) >= r.value * (1 - 1e-12)
    # perturbing the optimum only makes it worse
    for _ in range(50):
        T = r.tunings * (1 + 1e-3 * rng.standard_normal(r.tunings.shape))
        assert network_loss(S, T, problem) >= r.value * (1 - 1e-12)


def test_certificate_holds_when_rechecked_by_brute_force():
    for sources, problem in [
        (CUT, Problem.autoencoder(1.0, 1.0)),
        (Sources.from_samples(cut_samples(7)), Problem.autoencoder(0.3, 3.0, A=[[1, 0.5], [0, 1]])),
        (Sources.from_samples(cut_samples(8, n=600, d=3)), Problem.autoencoder(1.0, 1.0)),
    ]:
        r = solve_code(sources, problem)
        assert r.status == "optimal"
        brute, Lam = brute_price(sources, r)
        scale = np.abs(sources.cov).max()
        # the exact pricing found the minimum: no dense direction prices below it
        assert brute >= -r.certificate.violation - 1e-9 * scale
        assert np.allclose(Lam, r.certificate.multipliers["Lambda"], rtol=1e-7, atol=1e-9 * np.abs(Lam).max())
        # complementary slackness: every neuron of the code is priced at zero
        U = r.tunings / np.linalg.norm(r.tunings, axis=1, keepdims=True)
        m = (U @ sources.centred_points.T).min(axis=1)
        prices = m**2 + np.einsum("ij,jk,ik->i", U, sources.cov - Lam, U)
        assert np.abs(prices).max() <= 1e-9 * scale
        assert r.certificate.lower_bound <= r.value * (1 + 1e-12)  # equal up to rounding
        assert r.certificate.relative_gap <= r.tolerance


def test_lower_bound_formula_matches_numerical_minimisation():
    # inf_G tr(M G) + tr(K G^-1) over G > 0 equals 2 tr((M^1/2 K M^1/2)^1/2)
    rng = np.random.default_rng(1)
    for _ in range(5):
        X = rng.standard_normal((3, 3))
        G0 = X @ X.T + 0.5 * np.eye(3)
        Q = np.diag(rng.uniform(0.5, 2, 3))
        kappa = rng.uniform(0.5, 2)
        Gi = np.linalg.inv(G0)
        M = kappa * Gi @ Q @ Gi
        closed = lower_bound(kappa, Q, G0, 0.0)

        def f(x):
            L = np.zeros((3, 3))
            L[np.tril_indices(3)] = x
            G = L @ L.T + 1e-12 * np.eye(3)
            return np.trace(M @ G) + kappa * np.trace(np.linalg.solve(G, Q))

        best = minimize(
            f, np.linalg.cholesky(np.eye(3))[np.tril_indices(3)], method="BFGS", options={"gtol": 1e-10}
        ).fun
        assert best == pytest.approx(closed, rel=1e-6)
        # and G0 attains it (the stationary point of a convex function)
        assert f(np.linalg.cholesky(G0)[np.tril_indices(3)]) == pytest.approx(closed, rel=1e-9)


def _bound_by_square_roots(kappa, Q, G, v):
    """2 tr((M^1/2 K M^1/2)^1/2) with scipy's matrix square root (docs/solve.md, "Certificate")."""
    from scipy.linalg import sqrtm

    Gi = np.linalg.inv(G)
    M = kappa * Gi @ Q @ Gi - v * np.eye(G.shape[0])
    values, vectors = np.linalg.eigh((M + M.T) / 2)
    if values[0] < -1e-12 * abs(values[-1]):  # indefinite beyond rounding: no bound
        return -np.inf
    root = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    return 2.0 * float(np.trace(np.real(sqrtm(root @ (kappa * Q) @ root))))


@pytest.mark.parametrize("seed", range(6))
def test_violation_allowance_is_the_largest_violation_that_meets_half_the_tolerance(seed):
    from biomodular.solvers.program import _violation_allowance

    rng = np.random.default_rng(seed)
    d = 2 + seed % 3
    X = rng.standard_normal((d, d))
    G = X @ X.T + 0.3 * np.eye(d)
    Y = rng.standard_normal((d, d))
    Q = Y @ Y.T + 0.1 * np.eye(d)
    kappa, const = rng.uniform(0.5, 2.0), rng.uniform(-1.0, 1.0)
    at_zero = _bound_by_square_roots(kappa, Q, G, 0.0) + const
    upper = at_zero * (1 + 1e-4)  # a restricted solve a little above its own bound
    tol = [1e-3, 1e-2, 1e-1][seed % 3]
    target = upper - 0.5 * tol * abs(upper)
    v = _violation_allowance(kappa, Q, G, const, upper, tol)
    largest = np.linalg.eigvalsh(kappa * np.linalg.inv(G) @ Q @ np.linalg.inv(G))[0]
    assert 0.0 < v <= largest * (1 + 1e-12)
    # At the largest violation M is singular, and sqrt amplifies a rounding of its zero
    # eigenvalue (about eps |M|) to about sqrt(eps) of the bound.
    rel = 10 * np.sqrt(np.finfo(float).eps) if v > largest * (1 - 1e-9) else 1e-9
    assert lower_bound(kappa, Q, G, v, const) == pytest.approx(_bound_by_square_roots(kappa, Q, G, v) + const, rel=rel)
    assert _bound_by_square_roots(kappa, Q, G, v) + const >= target - 1e-12 * abs(target)
    if v < largest * (1 - 1e-9):  # maximal: a violation a little larger misses the target
        assert _bound_by_square_roots(kappa, Q, G, v + 1e-9 * largest) + const < target


def test_violation_allowance_is_zero_when_the_solve_misses_half_the_tolerance():
    from biomodular.solvers.program import _violation_allowance

    G, Q = np.eye(2), np.diag([2.0, 1.0])
    at_zero = _bound_by_square_roots(1.0, Q, G, 0.0)
    assert _violation_allowance(1.0, Q, G, 0.0, at_zero * 1.01, 1e-3) == 0.0


def test_matches_direct_nonconvex_optimisation_from_many_starts():
    S = cut_samples(11, n=400)
    sources = Sources.from_samples(S)
    problem = Problem.autoencoder(0.5, 1.0)
    r = solve_code(sources, problem)
    C, pts = sources.cov, sources.centred_points

    def reduced_loss(
        x,
    ):  # docs/mathematics.md, "The biologically constrained linear autoencoder", reduction 4, written out independently
        T = x.reshape(4, 2)
        G = T.T @ T
        if np.linalg.cond(G) > 1e12:
            return 1e6
        m = (T @ pts.T).min(axis=1)
        return (
            np.einsum("ij,jk,ik->", T, C, T)
            + np.sum(m**2)
            + problem.lam_in * np.sum(T**2)
            + problem.lam_out * np.trace(np.linalg.inv(G))
        )

    rng = np.random.default_rng(0)
    best = np.inf
    for _ in range(12):
        best = min(best, minimize(reduced_loss, rng.standard_normal(8), method="BFGS").fun)
    assert best >= r.value * (1 - 1e-10)  # nothing beats the certified optimum
    assert best == pytest.approx(r.value, rel=1e-6)  # and local search from many starts finds it


# ------------------------------------------------------------- problem family
def test_prediction_with_orthogonal_readout_matches_iclr2023_theorem_2():
    # D^T D = sigma_D^2 I, uniform factors on [-a, a]: L* = 2 k sigma_D sqrt(beta_w (sigma^2 + a^2))
    a, sigma_d, beta_w = 1.0, 1.7, 0.6
    rot = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    D = sigma_d * np.vstack([rot, np.zeros((1, 2))])
    r = solve_code(SQUARE, Problem.autoencoder(0.0, beta_w, B=D))
    assert all(n.modular for n in r.neurons)
    assert r.value == pytest.approx(2 * 2 * sigma_d * np.sqrt(beta_w * (a**2 / 3 + a**2)), rel=1e-10)


@pytest.mark.parametrize("degrees, mixed", [(30, True), (60, False)])
def test_non_orthogonal_readout_mixes_below_about_45_degrees(degrees, mixed):
    th = np.radians(degrees)
    D = np.array([[1, np.cos(th)], [0, np.sin(th)]])
    r = solve_code(SQUARE, Problem.autoencoder(0.0, 1.0, B=D))
    assert (not all(n.modular for n in r.neurons)) is mixed
    assert (r.value < r.modular_value * (1 - 1e-6)) is mixed


def test_fixed_variance_matches_iclr2023_theorem_1():
    # independent uniform factors on [-a, a]: the optimum is disentangled, E|z|^2 = V (1 + a^2 / sigma^2)
    a = 2.0
    sq = Sources.from_statistics([0, 0], np.diag([a**2 / 3] * 2), a * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]))
    for V, budget in [(1.0, None), (3.0, 10.0), (0.5, 50.0)]:
        r = solve_code(sq, Problem.fixed_variance(V, budget))
        assert r.status == "optimal" and all(n.modular for n in r.neurons)
        assert r.value == pytest.approx(V * (1 + 3), rel=1e-10)
        assert r.energy["variance"] == pytest.approx(V, rel=1e-10)
        budget = 4 * 2 * (2 * a**2 / 3) / V if budget is None else budget  # documented default
        assert r.energy["readout_weights"] <= budget * (1 + 1e-12)
    # the rotated code of the worked example costs 2 sigma^2 + 2 a^2 (1 + |sin 2 theta|) at variance 2 sigma^2,
    # for any data symmetric in both sources with hull [-a, a]^2: checked on code_loss (sigma^2 = a^2 / 3)
    # and, from raw samples, on a grid (sigma^2 its sample variance); measured relative error 2.2e-16
    axis = np.linspace(-a, a, 9)
    grid = np.array([[x, y] for x in axis for y in axis])
    var = grid[:, 0].var()
    for theta in (0.0, 0.3, np.pi / 4):
        M = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        loss = code_loss(sq, Problem.fixed_variance(1.0), M)
        assert loss["variance"] == pytest.approx(2 * a**2 / 3, rel=1e-12)
        assert loss["activity"] == pytest.approx(2 * a**2 / 3 + 2 * a**2 * (1 + abs(np.sin(2 * theta))), rel=1e-12)
        raw = fixed_variance_terms(grid, M)
        assert raw["variance"] == pytest.approx(2 * var, rel=1e-12)
        assert raw["activity"] == pytest.approx(2 * var + 2 * a**2 * (1 + abs(np.sin(2 * theta))), rel=1e-12)


def test_fixed_variance_with_a_cut_corner_mixes_and_respects_its_constraints():
    S = cut_samples(12)
    sources = Sources.from_samples(S)
    r = solve_code(sources, Problem.fixed_variance(2.0, 30.0))
    # the optimum leans both neurons off the axes, by under a degree here (slivers, not mixed
    # neurons); what makes the code non-modular is that it beats the best modular code
    assert r.status == "optimal" and r.verdict == "mixed"
    assert not any(n.modular for n in r.neurons)
    assert r.value < r.modular_value - r.certificate.gap
    assert r.energy["variance"] >= 2.0 * (1 - 1e-12)
    assert r.energy["readout_weights"] <= 30.0 * (1 + 1e-12)
    assert r.certificate.lower_bound <= r.value * (1 + 1e-12)
    # certificate re-checked: Lambda = nu C + mu G^-1 Q G^-1 from the returned code and multipliers
    mult = r.certificate.multipliers
    assert mult["nu"] >= 0 and mult["mu"] >= 0
    Gi = np.linalg.inv(r.tunings.T @ r.tunings)
    Lam = mult["nu"] * sources.cov + mult["mu"] * Gi @ Gi
    np.testing.assert_allclose(Lam, mult["Lambda"], rtol=1e-7, atol=1e-9 * np.abs(Lam).max())
    W = dense_directions(2, 200_000)
    m = (W @ sources.centred_points.T).min(axis=1)
    brute = np.min(m**2 + np.einsum("ij,jk,ik->i", W, sources.cov - Lam, W))
    assert brute >= -r.certificate.violation - 1e-9 * np.abs(sources.cov).max()
    # the returned code, evaluated from the raw samples, has the value and meets both constraints
    # (measured: value to 2.2e-16 relative, variance 2 - 3e-15, readout 30 - 7e-15)
    raw = fixed_variance_terms(S, r.tunings)
    assert raw["activity"] == pytest.approx(r.value, rel=1e-10)
    assert raw["variance"] >= 2.0 * (1 - 1e-10)
    assert raw["readout_weights"] <= 30.0 * (1 + 1e-10)
    # weak duality: every feasible code costs at least the bound (random codes, scaled feasible)
    rng = np.random.default_rng(3)
    for _ in range(100):
        T = rng.standard_normal((rng.integers(2, 6), 2))
        loss = fixed_variance_terms(S, T)
        scale = max(2.0 / loss["variance"], loss["readout_weights"] / 30.0)
        assert loss["activity"] * scale >= r.value * (1 - 1e-12)


def test_at_most_d_d_plus_1_over_2_plus_1_neurons_and_caratheodory_is_exact():
    rng = np.random.default_rng(2)
    for d in (2, 3, 4):
        W = rng.standard_normal((40, d))
        W /= np.linalg.norm(W, axis=1, keepdims=True)
        c = rng.uniform(0, 1, 40)
        phi = rng.uniform(0.5, 2, 40)
        c2 = caratheodory(W, c, phi)
        assert np.count_nonzero(c2) <= d * (d + 1) // 2 + 1
        assert c2.min() >= 0
        assert phi @ c2 == pytest.approx(phi @ c, rel=1e-10)
        np.testing.assert_allclose((W * c2[:, None]).T @ W, (W * c[:, None]).T @ W, rtol=1e-10, atol=1e-12)
    sources = Sources.from_samples(cut_samples(4, n=800, d=3))
    r = solve_code(sources)
    assert len(r.neurons) <= 3 * 4 // 2 + 1


# ------------------------------------------------------------ solver hygiene
def test_only_a_certified_solve_is_reported_optimal():
    r = solve_code(CUT, max_rounds=1)  # the initial dictionary lacks the mixed direction
    assert r.status == "max_rounds"
    assert r.certificate.violation > 0 and r.certificate.relative_gap > r.tolerance

    def inexact(points, M):  # a pricing that can't prove anything
        from biomodular.solvers.gap import min_quadratic_gap

        g = min_quadratic_gap(points, M)
        return type(
            "G",
            (),
            {
                "value": g.value,
                "direction": g.direction,
                "exact": False,
                "method": "custom",
                "candidates": g.candidates,
                "candidate_values": g.candidate_values,
            },
        )()

    r = solve_code(CUT, pricing=inexact)
    assert r.status == "uncertified" and not r.certificate.exact


def test_inaccurate_solves_are_retried_then_reported(monkeypatch):
    import cvxpy as cp

    calls = []
    original = cp.Problem.solve

    def flaky(self, *args, **kwargs):
        calls.append(kwargs.get("solver"))
        out = original(self, *args, **kwargs)
        self._status = cp.OPTIMAL_INACCURATE
        return out

    monkeypatch.setattr(cp.Problem, "solve", flaky)
    r = solve_code(CUT)
    assert "CLARABEL" in calls and "SCS" in calls  # retried with the other solver
    assert r.status == "optimal_inaccurate"


def test_a_solve_does_not_depend_on_what_the_process_solved_before():
    # Masters of one shape share a compiled program (ProgramCache).  A warm-started solver
    # kept the previous data's scaling and turned this certified solve inaccurate once a
    # code in very different units had been solved on the same program.
    import warnings

    rng = np.random.default_rng(1)
    U = np.linalg.qr(rng.standard_normal((2, 2)))[0]
    V = np.linalg.qr(rng.standard_normal((2, 2)))[0]
    A, B = U * rng.uniform(0.3, 3.0, 2), V * rng.uniform(0.3, 3.0, 2)
    pentagon = Sources.from_statistics(
        [0.0, 7.5e-9], np.diag([1.0, 0.140625]), [[-2, -0.75], [2, -0.75], [2, -0.375], [0, 0.75], [-2, 0.75]]
    )
    problem = Problem.autoencoder(1.0, 1.0, A=A, B=B)
    elongated = Sources.from_samples(cut_samples(0, 3000) * np.array([0.3, 7.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an inaccurate or uncertified solve warns
        before = solve_code(pentagon, problem, tol=1e-9)
        solve_code(elongated, Problem.autoencoder(lam_in=0.5, lam_out=2.0, B=[[1.0, 0.4], [0.0, 1.5]]))
        after = solve_code(pentagon, problem, tol=1e-9)
    assert before.status == after.status == "optimal"
    assert after.value == before.value
    assert np.array_equal(after.tunings, before.tunings)


def test_bad_problems_raise_biomodular_error():
    for bad in (
        Problem.autoencoder(lam_out=0.0),
        Problem.autoencoder(lam_in=-1.0),
        Problem.autoencoder(A=[[1, 2, 3]]),
        Problem.autoencoder(B=[[1, 1], [2, 2]]),
        Problem.fixed_variance(-1.0),
        Problem(kind="other"),
    ):
        with pytest.raises(BiomodularError):
            solve_code(SQUARE, bad)
    with pytest.raises(BiomodularError):
        solve_code(SQUARE, tol=0.0)
    with pytest.raises(BiomodularError):
        Problem.autoencoder(A="x")


def test_result_to_dict_is_json_ready():
    r = solve_code(CUT)
    payload = json.loads(json.dumps(r.to_dict()))
    for key in ("value", "modular_value", "neurons", "certificate", "status"):
        assert key in payload
    assert {"tuning", "bias", "sources"} <= set(payload["neurons"][0])
    assert "optimal" in repr(r) and "value" in r.table()


# ------------------------------------------------------------------------ CLI
def test_cli_table_json_plot_and_errors(tmp_path, capsys):
    S = cut_samples(9)
    path = tmp_path / "data.csv"
    np.savetxt(path, S, delimiter=",", header="x,y", comments="")
    assert main(["solve", str(path), "--lam-in", "1", "--lam-out", "1"]) == 0
    out = capsys.readouterr().out
    for word in ("tuning", "bias", "norm", "modular value", "certificate", "status", "tolerance"):
        assert word in out
    png = tmp_path / "code.png"
    assert main(["solve", str(path), "--json", "--plot", str(png)]) == 0
    payload = json.loads(capsys.readouterr().out)
    r = solve_code(Sources.from_samples(S))
    assert payload["value"] == pytest.approx(r.value, rel=1e-9) and payload["status"] == "optimal"
    assert png.stat().st_size > 1000
    stats = tmp_path / "stats.json"
    stats.write_text(
        json.dumps(
            {
                "mean": [0, 0],
                "cov": [[1 / 3, 0], [0, 1 / 3]],
                "vertices": [[-1, -1], [1, -1], [1, 0.2], [0.2, 1], [-1, 1]],
            }
        )
    )
    assert main(["solve", str(stats), "--fixed-variance", "2", "--readout-budget", "30", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["value"] == pytest.approx(solve_code(CUT, Problem.fixed_variance(2, 30)).value, rel=1e-9)
    mixing = tmp_path / "A.csv"
    np.savetxt(mixing, [[1, 0.5], [0, 1]], delimiter=",")
    assert main(["solve", str(stats), "--mixing", str(mixing), "--json"]) == 0
    capsys.readouterr()
    assert main(["solve", str(path), "--lam-out", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lam_out" in err
    assert main(["solve", str(tmp_path / "missing.csv")]) == 2
    assert main(["solve", str(stats), "--readout-budget", "3"]) == 2
