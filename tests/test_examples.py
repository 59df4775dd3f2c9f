"""Tests of the bundled examples: reproducibility, supports, and the predicted verdicts.

The verdict of every example is checked against an independent brute-force
search written here: moments straight from numpy, hull from scipy, and the
gap ``m(w)^2 - w^T F w`` of docs/mathematics.md, "The exact modularity condition" evaluated on many unit directions in
coordinates where each source is divided by its ``beta``.

Tolerances.  In those coordinates every quantity is O(1).  A range-independent
example satisfies the condition exactly, so its minimum may only be negative
by rounding: ``MODULAR_TOL = 1e-9``.  The mixed examples have margins between
-0.19 and -0.8 over seeds (sampling moves the cut-corner margin by about
0.03 around the exact -315/1444 = -0.218 of the uniform distribution, derived
in ``test_cut_corner_margin_equals_the_exact_margin``); ``MIXED_BELOW = -0.05``
is clearly beyond that sampling error and far above rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st
from scipy.spatial import ConvexHull

from biomodular import Sources, examples
from biomodular.errors import BiomodularError
from biomodular.solvers.check import check_modularity
from biomodular.theory import cut_box
from biomodular.theory.modular import exact_margin_2d

MODULAR_TOL = 1e-9
MIXED_BELOW = -0.05
REQUIRED = {"square", "cut-corner", "triangle", "clipped-gaussian", "grid", "pairs-pass"}


def _directions(d: int, n: int, seed: int = 12345) -> np.ndarray:
    if d == 2:
        theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
        W = np.column_stack([np.cos(theta), np.sin(theta)])
    else:
        W = np.random.default_rng(seed).standard_normal((n, d))
        W /= np.linalg.norm(W, axis=1, keepdims=True)
    return np.vstack([W, np.eye(d), -np.eye(d)])


def brute_force_gap(samples: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``m(w)^2 - w^T F w`` for each unit row of ``W`` (beta-scaled coordinates), and beta."""
    mean = samples.mean(axis=0)
    centred = samples - mean
    cov = centred.T @ centred / samples.shape[0]
    beta = np.minimum(mean - samples.min(axis=0), samples.max(axis=0) - mean)
    F = -cov.copy()
    np.fill_diagonal(F, beta**2)
    F_scaled = F / np.outer(beta, beta)
    vertices = centred[ConvexHull(samples).vertices] / beta
    m = (W @ vertices.T).min(axis=1)
    return m**2 - np.einsum("ij,jk,ik->i", W, F_scaled, W), beta


def brute_force_margin(samples: np.ndarray, n_dirs: int = 20000) -> tuple[float, np.ndarray]:
    d = samples.shape[1]
    W = _directions(d, n_dirs if d == 2 else 5 * n_dirs)
    gap, _ = brute_force_gap(samples, W)
    i = int(np.argmin(gap))
    return float(gap[i]), W[i]


def test_names_cover_the_required_examples():
    assert REQUIRED <= set(examples.names())
    assert len(examples.names()) == len(set(examples.names()))


@pytest.mark.parametrize("name", examples.names())
def test_describe_is_one_line_and_states_the_prediction(name):
    text = examples.describe(name)
    assert "\n" not in text and len(text) < 200
    assert examples.prediction(name) in {"modular", "mixed"}
    assert f"predicts a {examples.prediction(name)} code" in text or (
        examples.prediction(name) == "mixed" and "mixing" in text
    )


@pytest.mark.parametrize("name", examples.names())
def test_load_is_reproducible_bit_for_bit(name):
    a, names_a = examples.load(name, seed=3)
    b, names_b = examples.load(name, seed=3)
    c, _ = examples.load(name, seed=np.random.default_rng(3))
    assert a.tobytes() == b.tobytes() == c.tobytes()
    assert names_a == names_b
    assert a.dtype == np.float64 and a.ndim == 2 and a.flags.c_contiguous
    assert 2000 <= a.shape[0] <= 10000
    assert a.shape[1] == examples.EXAMPLES[name].n_sources == len(names_a)
    assert np.isfinite(a).all()


@pytest.mark.parametrize("name", examples.names())
def test_seeds_give_different_samples_when_random(name):
    a, _ = examples.load(name, seed=0)
    b, _ = examples.load(name, seed=1)
    if examples.EXAMPLES[name].random:
        assert a.shape[1] == b.shape[1] and not np.array_equal(a, b)
    else:
        assert np.array_equal(a, b)


def test_unknown_name_and_bad_seed_raise():
    with pytest.raises(BiomodularError, match="available: square"):
        examples.load("sqaure")
    with pytest.raises(BiomodularError, match="no example"):
        examples.describe("nope")
    with pytest.raises(BiomodularError, match="seed"):
        examples.load("square", seed=-1)


# Supports: every sample satisfies the defining inequalities and the polytope's
# vertices are among the samples, so the hull of the samples is the support.
_SUPPORTS = {
    "square": (lambda x: np.all(np.abs(x) <= 1, axis=1), [[-1, -1], [1, -1], [1, 1], [-1, 1]]),
    "cut-corner": (
        lambda x: np.all(np.abs(x) <= 1, axis=1) & (x.sum(axis=1) >= -1),
        [[1, 1], [-1, 1], [-1, 0], [0, -1], [1, -1]],
    ),
    "triangle": (lambda x: np.all(x >= 0, axis=1) & (x.sum(axis=1) <= 1), [[0, 0], [1, 0], [0, 1]]),
    "clipped-gaussian": (
        lambda x: np.all(np.abs(x) <= 0.8, axis=1),
        [[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]],
    ),
    "grid": (
        lambda x: (x[:, 0] >= 0) & (x[:, 0] <= 3) & (np.abs(x[:, 1]) <= 1),
        [[0, -1], [3, -1], [3, 1], [0, 1]],
    ),
    "cube": (
        lambda x: np.all((x >= 0) & (x <= 1), axis=1),
        [[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)],
    ),
    "pairs-pass": (
        lambda x: np.all((x >= 0) & (x <= 1), axis=1) & (x.sum(axis=1) >= 0.9 - 1e-12),
        [[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1) if a + b + c]
        + [[0.9, 0, 0], [0, 0.9, 0], [0, 0, 0.9]],
    ),
}


@pytest.mark.parametrize("name", examples.names())
def test_samples_lie_in_the_support_and_include_its_vertices(name):
    inside, vertices = _SUPPORTS[name]
    samples, _ = examples.load(name, seed=7)
    assert inside(samples).all()
    hull_vertices = samples[ConvexHull(samples).vertices]
    expected = np.array(vertices, dtype=float)
    # same vertex set, in any order
    assert hull_vertices.shape == expected.shape
    for v in expected:
        assert np.min(np.abs(hull_vertices - v).max(axis=1)) < 1e-12


@pytest.mark.parametrize("name", examples.names())
@pytest.mark.parametrize("seed", [0, 1])
def test_predicted_verdict_agrees_with_brute_force_search(name, seed):
    samples, _ = examples.load(name, seed=seed)
    margin, _ = brute_force_margin(samples)
    if examples.prediction(name) == "modular":
        assert margin >= -MODULAR_TOL
        assert margin <= MODULAR_TOL  # attained on the axis of each source's nearer extreme
    else:
        assert margin < MIXED_BELOW


@pytest.mark.parametrize("name", examples.names())
def test_sources_reduction_matches_numpy_and_range_independence(name):
    samples, source_names = examples.load(name, seed=2)
    s = Sources.from_example(name, seed=2)
    assert s.names == source_names and s.n_samples == samples.shape[0]
    scale = np.abs(samples).max()
    np.testing.assert_allclose(s.mean, samples.mean(axis=0), rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(s.cov, np.cov(samples.T, bias=True), rtol=0, atol=1e-12 * scale**2)
    # every modular example here is modular *because* it is range independent
    assert s.range_independent == (examples.prediction(name) == "modular")


def test_pairs_pass_every_pair_but_mixes_all_three():
    samples, _ = examples.load("pairs-pass", seed=0)
    rng = np.random.default_rng(99)
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        # w restricted to the plane of sources i and j (coordinate plane search)
        theta = np.linspace(0.0, 2 * np.pi, 20000, endpoint=False)
        W = np.zeros((theta.size, 3))
        W[:, i], W[:, j] = np.cos(theta), np.sin(theta)
        gap, _ = brute_force_gap(samples, W)
        assert gap.min() >= -MODULAR_TOL
    W = rng.standard_normal((100000, 3))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    gap, _ = brute_force_gap(samples, W)
    assert gap.min() < MIXED_BELOW
    witness = W[np.argmin(gap)]
    # the violation mixes all three sources: the witness is near the cut's normal
    assert witness @ np.ones(3) / np.sqrt(3) > 0.98


def test_triangle_facet_form_matches_direction_form():
    """docs/mathematics.md, "The exact modularity condition" facet test on the exact triangle: n^T F n = 5/36 > h^2 = 1/18 on the hypotenuse."""
    samples, _ = examples.load("triangle", seed=0)
    mean = samples.mean(axis=0)
    cov = np.cov(samples.T, bias=True)
    beta = np.minimum(mean - samples.min(axis=0), samples.max(axis=0) - mean)
    F = -cov.copy()
    np.fill_diagonal(F, beta**2)
    n = np.array([1.0, 1.0]) / np.sqrt(2)
    h = (1.0 - mean.sum()) / np.sqrt(2)
    # sampling error of the moments of 3000 samples is ~1e-2 relative
    assert n @ F @ n == pytest.approx(5 / 36, rel=0.05)
    assert h**2 == pytest.approx(1 / 18, rel=0.05)
    assert n @ F @ n > h**2
    # and the brute-force direction search finds its worst violation near -n
    _, w = brute_force_margin(samples)
    assert w @ (-n) > 0.99


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_clipped_gaussian_is_range_independent_and_modular_for_any_seed(seed):
    """Range independence implies modularity (docs/mathematics.md, "The exact modularity condition"), whatever the correlation."""
    samples, _ = examples.load("clipped-gaussian", seed=seed)
    assert abs(np.corrcoef(samples.T)[0, 1] - 0.55) < 0.1  # correlated, not independent
    corners = np.array([[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]])
    for corner in corners:
        assert np.any(np.all(samples == corner, axis=1))
    gap, _ = brute_force_gap(samples, _directions(2, 2000))
    assert gap.min() >= -MODULAR_TOL


def test_verdicts_agree_with_the_checker():
    check = pytest.importorskip("biomodular.solvers.check")
    for name in examples.names():
        samples, _ = examples.load(name, seed=0)
        result = check.check_modularity(Sources.from_example(name, seed=0))
        margin, _ = brute_force_margin(samples)
        assert result.verdict == examples.prediction(name), name
        # the checker is exact, the search only samples directions: search >= exact
        assert result.margin <= margin + 1e-9, name
        if examples.prediction(name) == "mixed":
            assert result.margin == pytest.approx(margin, abs=0.02), name


def _polygon_moments(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean and covariance of the uniform density on a counter-clockwise polygon (Green's theorem)."""
    x, y = V[:, 0], V[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2
    mean = np.array([((x + x1) * cross).sum(), ((y + y1) * cross).sum()]) / (6 * area)
    sxx = ((x * x + x * x1 + x1 * x1) * cross).sum() / (12 * area)
    syy = ((y * y + y * y1 + y1 * y1) * cross).sum() / (12 * area)
    sxy = ((x * y1 + 2 * x * y + 2 * x1 * y1 + x1 * y) * cross).sum() / (24 * area)
    return mean, np.array([[sxx, sxy], [sxy, syy]]) - np.outer(mean, mean)


def _exact_cut_square_margin(c: float) -> float:
    V = np.array([[1, -1], [1, 1], [-1, 1], [-1, 1 - c], [1 - c, -1]], dtype=float)
    mean, cov = _polygon_moments(V)
    beta = np.minimum(mean + 1, 1 - mean)
    F = -cov / np.outer(beta, beta)
    np.fill_diagonal(F, 1.0)
    W = _directions(2, 200000)
    m = (W @ ((V - mean) / beta).T).min(axis=1)
    return float((m**2 - np.einsum("ij,jk,ik->i", W, F, W)).min())


def test_cut_corner_threshold_stated_in_the_docs():
    """Docs: cutting {x + y < -c} off the square mixes iff c < c*, the root of c^4+8c^3+24c^2-32c-16 in (0, 2).

    Independent route: exact polygon moments and a dense direction search.
    """
    mean, cov = _polygon_moments(np.array([[0, 0], [1, 0], [0, 1]], dtype=float))
    np.testing.assert_allclose(mean, [1 / 3, 1 / 3], rtol=1e-14)
    np.testing.assert_allclose(cov, [[1 / 18, -1 / 36], [-1 / 36, 1 / 18]], rtol=1e-13)
    roots = np.roots([1, 8, 24, -32, -16])
    c_star = float(next(r.real for r in roots if abs(r.imag) < 1e-12 and 0 < r.real < 2))
    assert c_star == pytest.approx(1.2559, abs=1e-4)
    assert _exact_cut_square_margin(c_star - 1e-3) < -1e-5
    assert _exact_cut_square_margin(c_star + 1e-3) >= -1e-12
    assert examples.CUT < c_star


def test_cut_corner_margin_equals_the_exact_margin():
    """The uniform cut-corner distribution's margin, three ways.

    Exact: biomodular.theory's symbolic moments of the polygon and its sector
    algorithm in exact arithmetic.  Against it: the moments by Green's theorem
    here, the dense direction search here, and the numerical checker.
    """
    model = cut_box(2, sp.nsimplify(examples.CUT))
    exact = exact_margin_2d(model)
    assert exact.value.is_rational and exact.value < 0  # -315/1444 for CUT = 1
    V = np.array([[1, -1], [1, 1], [-1, 1], [-1, 1 - examples.CUT], [1 - examples.CUT, -1]], dtype=float)
    mean, cov = _polygon_moments(V)
    num = model.numeric()
    # measured differences about 1e-16 (rounding of O(1) numbers)
    np.testing.assert_allclose(mean, num["mean"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(cov, num["cov"], rtol=0, atol=1e-12)
    # the search only samples directions, so it bounds the minimum from above; its grid
    # holds the minimiser (1, 1)/sqrt(2) (200000 angles, a multiple of 8): measured 4e-16
    dense = _exact_cut_square_margin(examples.CUT)
    assert float(exact.value) - 1e-12 <= dense <= float(exact.value) + 1e-12
    # the checker on exact statistics: measured difference 1.4e-16
    result = check_modularity(Sources.from_statistics(num["mean"], num["cov"], num["vertices"]), tol=MODULAR_TOL)
    assert result.verdict == "mixed" and result.exact
    assert result.margin == pytest.approx(float(exact.value), rel=0, abs=1e-12)
