"""The theorems as properties: symbolic verdicts and closed forms against the numerical routes.

Symbolic side: biomodular.theory (sympy, exact).  Numerical side:
biomodular.solvers (check_modularity, solve_code) and independent numerics
written here (quadrature, dense direction search, sampling).
"""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from biomodular import Sources
from biomodular.solvers.check import check_modularity
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code
from biomodular.theory import (
    cut_box,
    cut_box_threshold,
    modular_code,
    modularity_condition,
    nuclear_norm_bound,
    point_set,
    two_uniform_information,
    uniform_box,
)

#: Statistics given exactly: the check's tolerance only has to absorb float rounding
#: (about 1e-12 in beta units, see check_modularity's docstring).
EXACT_TOL = 1e-9


def sources_of(model):
    num = model.numeric()
    return Sources.from_statistics(num["mean"], num["cov"], num["vertices"])


# ----------------------------------------------------------- verdicts: facet test
coords = st.integers(-5, 5)


def _shape_points(pts, shape):
    """Random lattice points, optionally completed towards the modular side.

    ``box`` adds the four bounding-box corners (range independent, so modular);
    ``cut`` adds them but cuts one corner by one lattice step (no longer range
    independent; a small cut, so usually still modular).  Without these shapes
    the random points are almost always mixed.
    """
    if shape == "raw":
        return pts
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    lo, hi = (min(xs), min(ys)), (max(xs), max(ys))
    corners = [(x, y) for x in (lo[0], hi[0]) for y in (lo[1], hi[1])]
    out = set(pts) | set(corners)
    if shape == "cut" and hi[0] - lo[0] >= 2 and hi[1] - lo[1] >= 2:
        out = {p for p in out if p[0] + p[1] > lo[0] + lo[1]}  # drop the lattice corner itself
        out |= {(lo[0] + 1, lo[1]), (lo[0], lo[1] + 1)}
    return sorted(out)


@given(st.lists(st.tuples(coords, coords), min_size=4, max_size=8, unique=True), st.sampled_from(["raw", "box", "cut"]))
@settings(max_examples=20)
def test_symbolic_facet_verdict_agrees_with_check(pts, shape):
    pts = _shape_points(pts, shape)
    arr = np.array(pts, dtype=float)
    assume(np.linalg.matrix_rank(arr - arr.mean(0)) == 2)
    model = point_set(pts)
    cond = modularity_condition(model)
    assume(cond.f_positive_definite() is True)
    # normalise each facet gap by h_f^2 so "clearly" has a scale-free meaning.  A facet
    # along an axis at the nearer extreme has gap exactly 0: it touches the ellipsoid at
    # the axis, where the margin is always 0, so it is no tie (the box and cut shapes).
    rel = []
    for (a, b), gap in zip(model.facets, cond.facet_gaps):
        h = b - (a.T * model.mean)[0]
        on_axis = a[0] == 0 or a[1] == 0
        rel.append(math.inf if on_axis and gap == 0 else float(gap / h**2))
    # method="sector": compute the gap even for range-independent data (auto would
    # answer those from the range-independence certificate without any gap)
    result = check_modularity(Sources.from_samples(arr), tol=EXACT_TOL, method="sector")
    if min(rel) > 1e-9:
        event("modular")
        assert result.verdict == "modular" and result.margin >= -EXACT_TOL, (pts, rel, result)
    elif min(rel) < -1e-6:
        event("mixed")
        assert result.verdict == "mixed" and result.margin < 0, (pts, rel, result)
    else:
        event("within 1e-6 of the boundary: not compared")


# ------------------------------------------------------- range independence (any d)
@given(
    st.integers(2, 3),
    st.lists(st.integers(1, 9), min_size=27, max_size=27),
    st.lists(st.lists(st.integers(-4, 4), min_size=3, max_size=3, unique=True), min_size=3, max_size=3),
)
@settings(max_examples=12)
def test_range_independent_weighted_grids_are_modular(d, weights, axes):
    """Theorem `range-independence`: any weights on a full grid (so correlated sources) stay modular."""
    axes = [sorted(a) for a in axes[:d]]
    pts = list(itertools.product(*axes))
    model = point_set(pts, weights=weights[: len(pts)])
    assert model.range_independent
    # method="cones": compute the gap over every normal cone of the hull; "auto" would
    # return the range-independence certificate without computing anything
    result = check_modularity(sources_of(model), tol=EXACT_TOL, method="cones")
    assert result.method == "cones" and result.verdict == "modular", result
    assert result.margin >= -EXACT_TOL, result
    # and exactly: the direction gap is >= 0 at random rational directions
    rng = np.random.default_rng(len(pts))
    cond = modularity_condition(model)
    for _ in range(5):
        w = [sp.Rational(int(x), 7) for x in rng.integers(-20, 21, size=d)]
        assert cond.direction_gap(w) >= 0


# ---------------------------------------------------------- lambda independence
@given(
    st.sampled_from([sp.Rational(1, 2), sp.Rational(9, 10), sp.Rational(3, 2), sp.Rational(19, 10)]),
    st.lists(st.tuples(st.sampled_from([0.0, 0.5, 3.0]), st.sampled_from([0.25, 1.0, 4.0])), min_size=2, max_size=2),
)
@settings(max_examples=5)
def test_solver_verdict_does_not_depend_on_lambdas(c, lams):
    """Theorem `lambda-independence`: the convex program's optimum mixes or not whatever the lambdas."""
    expect_mixed = bool(c < cut_box_threshold(2).value)
    src = sources_of(cut_box(2, c))
    check = check_modularity(src, tol=EXACT_TOL)
    assert (check.verdict == "mixed") == expect_mixed
    for lam_in, lam_out in lams:
        r = solve_code(src, Problem.autoencoder(lam_in=lam_in, lam_out=lam_out))
        assert r.status == "optimal"
        assert (not all(n.modular for n in r.neurons)) == expect_mixed, (lam_in, lam_out)
        if not expect_mixed:  # then the closed form is the optimum
            closed = float(modular_code(cut_box(2, c), lam_in, lam_out).loss)
            assert r.value == pytest.approx(closed, rel=1e-6)
        assert r.modular_value == pytest.approx(float(modular_code(cut_box(2, c), lam_in, lam_out).loss), rel=1e-9)


@given(
    st.lists(st.integers(1, 9), min_size=4, max_size=4),
    st.sampled_from([0.0, 0.5, 2.0]),
    st.sampled_from([0.3, 1.0, 4.0]),
)
@settings(max_examples=6)
def test_modular_code_closed_form_is_the_solver_optimum_for_boxes(ab, lam_in, lam_out):
    lo = [-sp.Rational(ab[0], 3), sp.Rational(ab[1], 5)]
    hi = [sp.Rational(ab[2], 4), sp.Rational(ab[1], 5) + ab[3]]
    model = uniform_box(lo, hi)
    code = modular_code(model, lam_in, lam_out)
    r = solve_code(sources_of(model), Problem.autoencoder(lam_in=lam_in, lam_out=lam_out))
    assert r.status == "optimal" and all(n.modular for n in r.neurons)
    assert r.value == pytest.approx(float(code.loss), rel=1e-6)


# ----------------------------------------------------------------- thresholds
def _dense_margin(model_num, n=20000):
    """Independent route: min over many unit w of m(w)^2 - w^T F w in beta-scaled coordinates."""
    mean = np.array(model_num["mean"])
    cov = np.array(model_num["cov"])
    V = np.array(model_num["vertices"]) - mean
    beta = np.minimum(mean - np.array(model_num["lower"]), np.array(model_num["upper"]) - mean)
    F = -cov.copy()
    np.fill_diagonal(F, beta**2)
    d = len(mean)
    Fs = F / np.outer(beta, beta)
    Vs = V / beta
    if d == 2:
        t = np.linspace(0, 2 * np.pi, n, endpoint=False)
        W = np.stack([np.cos(t), np.sin(t)], 1)
    else:
        rng = np.random.default_rng(0)
        W = rng.standard_normal((n, d))
        W = np.vstack([W, np.ones((1, d))])  # minus the outward normal of the cut facet
        W /= np.linalg.norm(W, axis=1, keepdims=True)
    m = (W @ Vs.T).min(1)
    return float(np.min(m**2 - np.einsum("ij,jk,ik->i", W, Fs, W)))


@pytest.mark.parametrize("d", [2, 3])
def test_exact_threshold_against_check_and_dense_search(d):
    thr = cut_box_threshold(d)
    c = sp.Symbol("c", real=True)
    assert thr.below == "mixed" and thr.above == "modular"
    assert abs(sp.N(sp.sympify(thr.polynomial).subs(c, thr.value), 30)) < 1e-25
    for delta, verdict in [(-1e-3, "mixed"), (1e-3, "modular")]:
        cval = sp.nsimplify(thr.decimal + delta, rational=True)
        model = cut_box(d, cval)
        result = check_modularity(sources_of(model), tol=EXACT_TOL)
        assert result.verdict == verdict, (d, delta, result)
        dense = _dense_margin(model.numeric())
        if verdict == "mixed":
            assert dense < -1e-7 and result.margin < -1e-7
        else:
            assert dense >= -1e-9 and result.margin >= -EXACT_TOL


@given(st.sampled_from([2, 3]), st.floats(0.02, 0.98))
@settings(max_examples=10)
def test_exact_verdict_of_the_family_agrees_with_check(d, u):
    """Random members of the cut-corner families: the exact verdict (c >= c*) is the check's."""
    thr = cut_box_threshold(d)
    cval = sp.nsimplify((d - 2) + 2 * u, rational=True, tolerance=1e-6)
    assume(abs(float(cval) - thr.decimal) > 1e-2)
    exact = "modular" if cval > thr.value else "mixed"
    assert check_modularity(sources_of(cut_box(d, cval)), tol=EXACT_TOL).verdict == exact


@pytest.mark.parametrize("d", [2, 3])
def test_threshold_against_sampled_region(d):
    """Independent route from data: uniform samples of the region, reduced by Sources."""
    thr = cut_box_threshold(d)
    rng = np.random.default_rng(11)
    for delta, verdict in [(-0.25, "mixed"), (0.25, "modular")]:
        cval = thr.decimal + delta
        x = rng.uniform(-1, 1, size=(300_000, d))
        x = x[x.sum(1) >= -cval]
        # the sampled hull misses the corners by a sliver: exact verdict mixed, so judge the
        # population side with an explicit modelling tolerance
        result = check_modularity(Sources.from_samples(x), tol=1e-2)
        if verdict == "mixed":
            assert result.verdict == "mixed", result
        else:
            assert result.verdict == "modular" and result.margin > -1e-2, result


def test_cube_pairs_look_range_independent_but_the_triple_mixes():
    thr = cut_box_threshold(3)
    assert 1 < thr.decimal < 3
    cval = sp.Rational(13, 10)  # in (1, c*)
    model = cut_box(3, cval)
    num = model.numeric()
    V = np.array(num["vertices"])
    for j, k in itertools.combinations(range(3), 2):
        proj = {tuple(p) for p in V[:, [j, k]].round(12)}
        assert {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)} <= proj
        marg = Sources.from_statistics(
            np.array(num["mean"])[[j, k]], np.array(num["cov"])[np.ix_([j, k], [j, k])], V[:, [j, k]]
        )
        assert check_modularity(marg, tol=EXACT_TOL).verdict == "modular"
    full = check_modularity(sources_of(model), tol=EXACT_TOL)
    assert full.verdict == "mixed" and len(full.mixes) == 3


# ------------------------------------------------------------ ICLR 2023 theorem 1
_GL_X, _GL_W = np.polynomial.legendre.leggauss(3)  # exact for polynomials of degree <= 5


def _quad_energy(M, b, a):
    """E||M e + b||^2 for e uniform on [-a, a]^k, by tensor Gauss-Legendre (exact here)."""
    k = M.shape[1]
    total = 0.0
    for idx in itertools.product(range(len(_GL_X)), repeat=k):
        e = a * _GL_X[list(idx)]
        w = np.prod(_GL_W[list(idx)]) / 2**k
        total += w * np.sum((M @ e + b) ** 2)
    return total


def _min_bias(M, a):
    corners = np.array(list(itertools.product([-a, a], repeat=M.shape[1])))
    return -(corners @ M.T).min(0)


@given(st.lists(st.floats(-2, 2), min_size=6, max_size=6), st.floats(0.2, 3))
@settings(max_examples=20)
def test_energy_identity_against_quadrature(entries, a):
    M = np.array(entries).reshape(3, 2)
    b = _min_bias(M, a)
    assert np.all(b >= -1e-12)
    sigma2 = a**2 / 3
    C = sigma2 * np.sum(M**2)
    cross = sum(abs(M[j, k]) * abs(M[j, l]) for j in range(3) for k in range(2) for l in range(2) if k != l)
    formula = C * (1 + a**2 / sigma2) + a**2 * cross
    assert _quad_energy(M, b, a) == pytest.approx(formula, rel=1e-10, abs=1e-12)


@given(st.floats(-math.pi, math.pi), st.floats(0.2, 3))
@settings(max_examples=20)
def test_rotation_energy_against_quadrature(theta, a):
    R = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    energy = _quad_energy(R, _min_bias(R, a), a)
    assert energy == pytest.approx(2 * a**2 / 3 + 2 * a**2 * (1 + abs(math.sin(2 * theta))), rel=1e-10)


def test_worked_example_numbers():
    M = np.array([[0.8, -0.6], [0.6, 0.8]])
    a = 1.0
    np.testing.assert_allclose(_min_bias(M, a), [1.4, 1.4])
    assert _quad_energy(M, _min_bias(M, a), a) == pytest.approx(2 / 3 + 2 * 1.4**2)
    assert _quad_energy(np.eye(2), _min_bias(np.eye(2), a), a) == pytest.approx(2 / 3 + 2)


# ------------------------------------------------------------ ICLR 2023 theorem 2
@given(st.floats(0.1, 4.0), st.floats(0.5, 2.0), st.floats(0.5, 3.0), st.floats(0, math.pi))
@settings(max_examples=6)
def test_theorem2_closed_form_against_solver(bw, a, sD, angle):
    src = sources_of(uniform_box([-sp.nsimplify(a)] * 2, [sp.nsimplify(a)] * 2))
    D = sD * np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    r = solve_code(src, Problem.autoencoder(lam_in=0.0, lam_out=bw, B=D))
    assert r.status == "optimal" and all(n.modular for n in r.neurons)
    k, sigma2 = 2, a**2 / 3
    assert r.value == pytest.approx(2 * k * sD * math.sqrt(bw * (sigma2 + a**2)), rel=1e-6)
    # beta_w only rescales: G = lambda^2 I with lambda^4 = beta_w sigma_D^2 / (sigma^2 + a^2)
    # measured relative error 3e-15 over the drawn cases: the optimal Gram comes out exact
    np.testing.assert_allclose(np.diag(r.gram), math.sqrt(bw * sD**2 / (sigma2 + a**2)), rtol=1e-9)


# ------------------------------------------------------------- information
def _numeric_information(c1, c2, a=1.0, n=40_001):
    """I(z; e1), I(z; e2) by numerically convolving the two uniform densities (FFT)."""
    from scipy.signal import fftconvolve

    w1, w2 = 2 * a * abs(c1), 2 * a * abs(c2)
    dx = (w1 + w2) / (n - 1)
    f1 = np.full(max(int(round(w1 / dx)), 1), 1 / w1)
    f2 = np.full(max(int(round(w2 / dx)), 1), 1 / w2)
    f = fftconvolve(f1, f2) * dx
    f = f[f > 1e-12]
    h = -np.sum(f * np.log(f)) * dx
    return h - math.log(w2), h - math.log(w1)


#: Discretisation error of ``_numeric_information`` (nats): measured at most 3.5e-5 on a
#: 17 x 17 grid of (c1, c2) over [0.2, 2]^2 (worst at the extreme ratio c1/c2 = 0.1), and
#: 3.4e-5 for the rotation MIR over 60 angles; 2e-4 keeps a factor of about 6.
NUMERIC_INFO_ATOL = 2e-4


@given(st.floats(0.2, 2.0), st.floats(0.2, 2.0))
@settings(max_examples=10)
def test_mixture_information_against_numeric_convolution(c1, c2):
    exact = [float(v) for v in two_uniform_information(c1, c2)]
    numeric = _numeric_information(c1, c2)
    np.testing.assert_allclose(exact, numeric, rtol=0, atol=NUMERIC_INFO_ATOL)


@given(st.floats(0.05, math.pi / 4 - 0.05))
@settings(max_examples=5)
def test_rotation_mir_against_numeric_information(theta):
    """MIR of the rotation code from exact information vs from numerically computed information."""
    from biomodular.theory import rotation_mir

    rows = [(math.cos(theta), -math.sin(theta)), (math.sin(theta), math.cos(theta))]
    ratios = []
    for c1, c2 in rows:
        i1, i2 = _numeric_information(c1, c2)
        ratios.append(max(i1, i2) / (i1 + i2))
    numeric_mir = (np.mean(ratios) - 0.5) / 0.5
    assert float(rotation_mir(theta)) == pytest.approx(numeric_mir, rel=0, abs=NUMERIC_INFO_ATOL)


# ------------------------------------------------------------------ bounds
def _equal_singular_value_readout(rng, m, n, s):
    """A random m x n readout with W W^T = s^2 I_m (rows s times orthonormal)."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return s * q[:m]


@given(st.integers(1, 4), st.integers(0, 3), st.integers(1, 5), st.floats(0.2, 3.0), st.integers(0, 2**31 - 1))
@settings(max_examples=30)
def test_readout_variance_lemma_against_numpy(m, extra, k, s, seed):
    """ICLR 2023 lemma as proved (readout-variance-bound): sum Var(z) >= m tr Cov(x) / ||W||_F^2 for a readout
    of equal singular values, with equality for codes in the row space; independent route: numpy."""
    n = m + extra
    rng = np.random.default_rng(seed)
    W = _equal_singular_value_readout(rng, m, n, s)
    L = rng.standard_normal((n, k))
    cov_z = L @ L.T
    cov_x = W @ cov_z @ W.T
    scale = np.trace(cov_z) + 1e-300
    # tolerance: rounding of a few products of O(1) matrices, relative to the variance's scale
    assert np.trace(cov_z) >= m * np.trace(cov_x) / np.sum(W**2) - 1e-10 * scale
    K = rng.standard_normal((m, k))
    L_row = W.T @ K  # the tight case: Cov(z) in the row space of W
    cz = L_row @ L_row.T
    assert np.trace(cz) == pytest.approx(m * np.trace(W @ cz @ W.T) / np.sum(W**2), rel=1e-9)


def test_the_readout_variance_lemma_needs_equal_singular_values():
    """Without equal singular values the bound m tr Cov(x) / ||W||_F^2 can fail (the hypothesis H_rows is
    needed); with them it holds for the same code."""
    rng = np.random.default_rng(1)
    W = np.diag([1.0, 1.0, 3.0])  # unequal singular values: the bound m tr Cov(x)/||W||^2 can fail
    cov_z = np.diag([0.01, 0.01, 1.0])  # variance along the largest singular direction
    assert np.trace(cov_z) < 3 * np.trace(W @ cov_z @ W.T) / np.sum(W**2)
    W = _equal_singular_value_readout(rng, 3, 3, 1.7)
    assert np.trace(cov_z) >= 3 * np.trace(W @ cov_z @ W.T) / np.sum(W**2) - 1e-12


@given(st.lists(st.integers(-4, 4), min_size=4, max_size=4), st.floats(0.0, 2.0), st.floats(0.2, 3.0))
@settings(max_examples=6)
def test_nuclear_norm_bound_below_solver_optimum(Bentries, lam_in, lam_out):
    B = np.array(Bentries, dtype=float).reshape(2, 2)
    assume(abs(np.linalg.det(B)) > 0.5)
    model = cut_box(2, sp.Rational(1, 2))  # a mixed case: the bound with K = 0 must hold, not be tight
    src = sources_of(model)
    r = solve_code(src, Problem.autoencoder(lam_in=lam_in, lam_out=lam_out, B=B))
    assert r.status == "optimal"
    bound = float(nuclear_norm_bound(sp.Matrix(src.cov), sp.Matrix(B), lam_in, lam_out))
    assert bound <= r.value * (1 + 1e-6)


def test_nuclear_norm_bound_with_K_equal_F_is_tight_when_modular():
    model = uniform_box([-1, -2], [3, 1])
    src = sources_of(model)
    r = solve_code(src, Problem.autoencoder(lam_in=0.5, lam_out=2.0))
    bound = float(nuclear_norm_bound(model.cov, sp.eye(2), sp.Rational(1, 2), 2, K=model.modularity_matrix))
    assert r.value == pytest.approx(bound, rel=1e-6)
    assert bound == pytest.approx(float(modular_code(model, sp.Rational(1, 2), 2).loss), rel=1e-12)


# ------------------------------------------- exact direction form (any F) vs check
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=4, max_size=7, unique=True))
@settings(max_examples=10)
def test_exact_2d_margin_equals_check_margin(pts):
    """Sector algorithm in exact arithmetic (F need not be positive definite) vs the numerical checker."""
    from biomodular.theory.modular import exact_margin_2d

    arr = np.array(pts, dtype=float)
    assume(np.linalg.matrix_rank(arr - arr.mean(0)) == 2)
    model = point_set(pts)
    exact = exact_margin_2d(model)
    result = check_modularity(Sources.from_samples(arr), tol=EXACT_TOL)
    assert float(exact.value) == pytest.approx(result.margin, abs=1e-9)
    if exact.value < -1e-6:
        assert result.verdict == "mixed"
        # the minimiser may not be unique (symmetric hulls), so the checker's witness is not
        # compared with exact.direction; instead the gap is evaluated exactly at the witness
        cond = modularity_condition(model)
        w = sp.Matrix([sp.Rational(x) for x in result.witness])  # sources' own units, floats taken exactly
        assert cond.direction_gap(w) < 0
        # in beta-scaled units the witness attains the exact minimum: w_scaled . (s / beta) is
        # (w_scaled / beta) . s, so the model's own gap at w_scaled / beta is the scaled gap
        w_scaled = [sp.Rational(x) / b for x, b in zip(result.witness_scaled, model.beta)]
        # measured difference 4e-16 over the drawn cases; 1e-9 is the exact-data tolerance
        assert float(cond.direction_gap(w_scaled)) == pytest.approx(float(exact.value), abs=EXACT_TOL)
    elif exact.value == 0:
        assert result.verdict in ("modular", "tie")


def test_cut_square_threshold_not_preempted_by_a_vertex_cone():
    """Direction form solved exactly just above and just below c*: zero above, negative below."""
    from biomodular.theory.modular import exact_margin_2d

    thr = cut_box_threshold(2)
    above = exact_margin_2d(cut_box(2, sp.nsimplify(thr.decimal + 1e-3, rational=True)))
    below = exact_margin_2d(cut_box(2, sp.nsimplify(thr.decimal - 1e-3, rational=True)))
    assert above.value == 0
    assert below.value < 0
    np.testing.assert_allclose([float(x) for x in below.direction], [2**-0.5, 2**-0.5], atol=1e-12)


# ------------------------------------------- ICLR 2023 theorem 2, non-orthogonal readout
def _angle_loss_change(eps, w, c, a, lam_in, lam_out):
    """Loss change (numpy) when a neuron of tuning sqrt(eps) w joins the best modular code, B^T B = [[1, c], [c, 1]]."""
    sigma2 = a**2 / 3
    E = sigma2 + a**2
    u = math.sqrt(lam_out / (E + lam_in))
    K = np.array([[1.0, c], [c, 1.0]])
    G = u * np.eye(2)
    phi = sigma2 * (w @ w) + a**2 * np.abs(w).sum() ** 2
    change = np.trace(K @ np.linalg.inv(G + eps * np.outer(w, w))) - np.trace(K @ np.linalg.inv(G))
    return eps * (phi + lam_in * (w @ w)) + lam_out * change


@given(st.floats(0.05, 0.95), st.floats(0.5, 2.0), st.floats(0.0, 2.0), st.floats(0.3, 3.0))
@settings(max_examples=20, deadline=None)
def test_theorem2_angle_rate_against_finite_differences(c, a, lam_in, lam_out):
    """The rate the proof differentiates symbolically, by a central difference in numpy: its sign flips at
    c* = a^2/(sigma^2 + a^2 + lambda_in) along w = (1, 1)."""
    w = np.array([1.0, 1.0])
    h = 1e-6
    rate = (_angle_loss_change(h, w, c, a, lam_in, lam_out) - _angle_loss_change(-h, w, c, a, lam_in, lam_out)) / (
        2 * h
    )
    E = a**2 / 3 + a**2
    closed = 2 * a**2 - 2 * (E + lam_in) * c
    # central difference: truncation O(h^2 |L'''|) and rounding O(eps_mach |L| / h); both below 1e-6 of the scale
    scale = max(1.0, lam_out, a**2, lam_in)
    assert rate == pytest.approx(closed, abs=1e-5 * scale)
    cstar = a**2 / (E + lam_in)
    assume(abs(c - cstar) > 1e-3)
    assert (rate < 0) == (c > cstar)


@pytest.mark.parametrize("angle_deg, mixes", [(35.0, True), (48.0, False)])
def test_theorem2_angle_threshold_against_solver(angle_deg, mixes):
    """Uniform factors, no encoder cost: the solver's optimum mixes below arccos(3/4) = 41.41 degrees."""
    theta = math.radians(angle_deg)
    D = np.array([[1.0, math.cos(theta)], [0.0, math.sin(theta)]])  # two unit columns at the angle
    src = sources_of(uniform_box([-1, -1], [1, 1]))
    r = solve_code(src, Problem.autoencoder(lam_in=0.0, lam_out=1.0, B=D))
    assert r.status == "optimal"
    assert r.mixed == mixes


# ------------------------------------------------- convexity and weak duality of the Gram program
def _readout_cost(B, G):
    return float(np.trace(B @ np.linalg.solve(G, B.T)))


@given(st.integers(0, 10_000), st.floats(0.01, 0.99))
@settings(max_examples=25, deadline=None)
def test_gram_convexity_against_numpy(seed, t):
    """f(G) = tr(B G^-1 B^T) on random Gram matrices (numpy): the midpoint inequality of `gram-convexity` and the
    affine minorant it rests on, touching at U = B G^-1."""
    rng = np.random.default_rng(seed)
    d, n, k = 3, 5, 2
    T1, T2, B, U = rng.normal(size=(n, d)), rng.normal(size=(n, d)), rng.normal(size=(k, d)), rng.normal(size=(k, d))
    X, Y = T1.T @ T1, T2.T @ T2
    Z = t * X + (1 - t) * Y
    fx, fy, fz = _readout_cost(B, X), _readout_cost(B, Y), _readout_cost(B, Z)
    scale = max(fx, fy, 1.0)
    tol = 1e-9 * scale * max(np.linalg.cond(X), np.linalg.cond(Y))  # rounding of the solves
    assert fz <= t * fx + (1 - t) * fy + tol
    assert fx >= 2 * np.trace(U @ B.T) - np.trace(U @ X @ U.T) - tol
    Ut = B @ np.linalg.inv(Z)
    assert 2 * np.trace(Ut @ B.T) - np.trace(Ut @ Z @ Ut.T) == pytest.approx(fz, rel=1e-9)


@pytest.mark.parametrize("angle_deg", [30.0, 60.0, 90.0])
def test_weak_duality_bound_is_attained_at_the_solver_optimum(angle_deg):
    """`weak-duality`: at a KKT point the loss equals 2 lambda_out tr(U B^T) with U = B G^-1. The solver's optimum
    (column generation, its own certificate) must satisfy it: complementary slackness makes the neuron terms
    equal the readout cost."""
    theta = math.radians(angle_deg)
    D = np.array([[1.0, math.cos(theta)], [0.0, math.sin(theta)]])
    src = sources_of(uniform_box([-1, -1], [1, 1]))
    lam_out = 1.3
    r = solve_code(src, Problem.autoencoder(lam_in=0.2, lam_out=lam_out, B=D))
    assert r.status == "optimal"
    U = D @ np.linalg.inv(r.gram)
    assert r.value == pytest.approx(2 * lam_out * np.trace(U @ D.T), rel=1e-6)


# ------------------------------------------------------------- ICLR 2023 categories
def _least_category_energy(W, nonnegative=True):
    """min sum_i ||z_i||^2 over codes with W z_i + b = e_i (and z_i >= 0): a quadratic program (scipy SLSQP)."""
    from scipy.optimize import minimize

    c, n = W.shape

    def unpack(v):
        return v[: c * n].reshape(c, n), v[c * n :]

    cons = [{"type": "eq", "fun": lambda v, i=i: W @ unpack(v)[0][i] + unpack(v)[1] - np.eye(c)[i]} for i in range(c)]
    bounds = [(0, None)] * (c * n) + [(None, None)] * c if nonnegative else None
    x0 = np.concatenate([np.abs(np.linalg.pinv(W) @ np.eye(c)).T.ravel(), np.zeros(c)])
    r = minimize(
        lambda v: np.sum(unpack(v)[0] ** 2),
        x0,
        jac=lambda v: np.concatenate([2 * v[: c * n], np.zeros(c)]),
        constraints=cons,
        bounds=bounds,
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 500},
    )
    assert r.success, r.message
    return r.fun, unpack(r.x)[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_categories_bound_against_a_quadratic_program(seed):
    """`categories`: the least energy of a nonnegative code of c one-hot categories read out by W with W W^T = s^2 I
    is at least c/s^2, attained by grandmother cells (disjoint supports) when W = s [I 0]; without nonnegativity
    it drops to (c - 1)/s^2. Independent route: scipy's SLSQP on the quadratic program."""
    rng = np.random.default_rng(seed)
    c, n, s = 3, 5, float(rng.uniform(0.5, 2.0))
    W = _equal_singular_value_readout(rng, c, n, s)
    tol = 1e-6 * c / s**2  # SLSQP's ftol 1e-12 on an O(c/s^2) objective, with a wide margin
    least, _ = _least_category_energy(W)
    assert least >= c / s**2 - tol
    aligned = s * np.eye(c, n)
    least, Z = _least_category_energy(aligned)
    assert least == pytest.approx(c / s**2, rel=1e-6)
    overlap = sum(Z[i] @ Z[j] for i in range(c) for j in range(c) if i != j)
    assert overlap <= 1e-6 * c / s**2  # grandmother cells: disjoint supports
    signed, _ = _least_category_energy(aligned, nonnegative=False)
    assert signed == pytest.approx((c - 1) / s**2, rel=1e-6)


def test_the_grandmother_counterexample_is_the_tight_case():
    """The counterexample to the old grandmother-cell claim (c = 3, W = 1.7 I, code 0.9 e_i): its variance 0.54
    meets `readout-variance-bound` with equality, its mean energy 0.81 meets `categories` with equality
    (numpy over the three equally likely categories)."""
    c, s, g = 3, 1.7, 0.9
    W = s * np.eye(c)
    Z = g * np.eye(c)  # row i: the code of category i
    X = Z @ W.T  # the targets, 1.53 e_i
    var_z = np.trace(np.cov(Z.T, bias=True))
    var_x = np.trace(np.cov(X.T, bias=True))
    sigma_c2 = (s * g) ** 2
    frob = np.sum(W**2)
    assert var_z == pytest.approx(0.54) and c * sigma_c2 / frob == pytest.approx(0.81)
    assert var_z == pytest.approx(var_x / s**2)  # readout-variance-bound, tight
    mean_energy = np.mean(np.sum(Z**2, axis=1))
    assert mean_energy == pytest.approx(c * sigma_c2 / frob)  # categories, tight (energy, not variance)


@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(2, 4), st.floats(0.0, 1.0))
@settings(max_examples=30, deadline=None)
def test_energy_cross_term_vanishes_exactly_for_disentangled_codes(seed, n, k, sparsity):
    """`energy-identity`: the cross term X = sum_j sum_{k != l} |M_jk||M_jl| is at least 2|M_jk||M_jl| for every
    neuron and pair of factors, and zero exactly when every neuron codes at most one factor (numpy)."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, k)) * (rng.uniform(size=(n, k)) > sparsity)
    A = np.abs(M)
    X = float(np.sum(A.sum(axis=1) ** 2 - (A**2).sum(axis=1)))
    for j in range(n):
        for a, b in itertools.combinations(range(k), 2):
            assert X >= 2 * A[j, a] * A[j, b] - 1e-12 * max(1.0, X)
    disentangled = bool(np.all((A > 0).sum(axis=1) <= 1))
    assert (X == 0) == disentangled


# ------------------------------------------------ ellipse-in-hull, the converse
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), d=st.sampled_from([2, 3]), shrink=st.floats(0.2, 0.999))
def test_facet_tests_imply_the_direction_form_numerically(seed, d, shrink):
    """`ellipse-in-hull`, converse: when every facet passes a_f^T F a_f <= h_f^2, then m(w)^2 >= w^T F w for
    every direction (m(w) the minimum of w.x over the hull's vertices), checked on random polytopes and
    random directions, independently of the proof."""
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(seed)
    pts = rng.normal(size=(12, d))
    pts -= pts.mean(axis=0)  # the origin inside
    hull = ConvexHull(pts)
    normals, offsets = hull.equations[:, :-1], -hull.equations[:, -1]  # a_f . x <= h_f, |a_f| = 1
    assume(offsets.min() > 1e-3)
    A = rng.normal(size=(d, d))
    F = A @ A.T + 0.1 * np.eye(d)
    worst = max(float(a @ F @ a) / h**2 for a, h in zip(normals, offsets))
    F *= shrink / worst  # now every facet passes, the tightest with ratio `shrink`
    vertices = pts[hull.vertices]
    for w in rng.normal(size=(200, d)):
        m = float((vertices @ w).min())
        assert m**2 >= float(w @ F @ w) * (1 - 1e-12)
