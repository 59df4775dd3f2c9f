"""Exact proofs at the axes (docs/check.md, "Exact proofs at the axes"), against independent routes.

* The cap lemma: inside a cap, ``w^T M w`` never exceeds its value at the axis
  vertex.  Checked on every vertex of the face's polar (enumerated here by
  linear programs with random objectives over *all* face points at once, not
  by the module's cutting planes): for a positive semidefinite ``M`` the
  quadratic is convex, so its maximum over a slice of the cone is at a vertex.
* The verdict of the global route on grids of six and more sources against
  the facets of their hull (scipy's qhull, called here): for a positive
  semidefinite ``F`` the maximum of ``w^T F w`` over the polar polytope is at
  one of its vertices, the facets' normals over their offsets, so the data
  are mixed iff some facet has ``h^2 - n^T F n < 0``.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.spatial import ConvexHull

from biomodular import Sources
from biomodular.solvers.axis_caps import axis_caps
from biomodular.solvers.check import check_modularity, rounding_bound, standardised_problem
from biomodular.solvers.polar import global_gap, prove_margin


def _grid(d: int, levels: int = 3) -> np.ndarray:
    return np.array(list(itertools.product(np.arange(float(levels)), repeat=d)))


def _thinned_grid(seed: int, d: int, levels: int, drop: float) -> np.ndarray:
    """A grid with points removed at random, points with many extreme coordinates more often."""
    G = _grid(d, levels)
    rng = np.random.default_rng(seed)
    extreme = ((G == 0) | (G == levels - 1)).sum(axis=1)
    keep = rng.random(G.shape[0]) > drop * extreme / d
    return G[keep]


def _face_polar_vertices(q: np.ndarray, rng: np.random.Generator, count: int = 150) -> np.ndarray:
    """Vertices of ``{x : x . q_i >= -1}``, maximising random objectives over every constraint."""
    found = []
    for _ in range(count):
        c = rng.standard_normal(q.shape[1])
        res = linprog(-c, A_ub=-q, b_ub=np.ones(q.shape[0]), bounds=(None, None), method="highs")
        assert res.status == 0
        found.append(res.x)
    return np.array(found)


def _check_caps_on_vertices(points: np.ndarray, M: np.ndarray, seed: int = 0) -> int:
    """Assert the cap lemma at every enumerated vertex of every cap's face polar; return the caps checked."""
    rng = np.random.default_rng(seed)
    d = points.shape[1]
    caps, _ = axis_caps(points, M)
    for cap in caps:
        j, s, a = cap.source, cap.sign, cap.extreme
        v = np.zeros(d)
        v[j] = s / a
        face = s * points[:, j] == -a
        others = [k for k in range(d) if k != j]
        X = _face_polar_vertices(points[np.ix_(face, others)], rng)
        D = np.zeros((X.shape[0], d))
        D[:, others] = X
        D[:, j] = -s / a  # tau = 1
        # Along the ray tau * D_i: v^T M v + tau (2 v^T M D_i) + tau^2 D_i^T M D_i <= v^T M v
        # for every tau <= radius, i.e. at tau = radius (the quadratic is convex in tau).
        r = cap.radius
        rise = r * (2 * D @ M @ v) + r * r * np.einsum("ij,jk,ik->i", D, M, D)
        assert rise.max() <= 1e-12, (cap, rise.max())
        # and the same at random points of the slice tau = radius (convex combinations)
        weights = rng.dirichlet(np.ones(X.shape[0]), size=200)
        P = r * weights @ D
        values = np.einsum("ij,jk,ik->i", v + P, M, v + P)
        assert values.max() <= float(v @ M @ v) + 1e-12
    return len(caps)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 6), st.sampled_from([3, 4]), st.floats(0.0, 0.6))
@example(0, 6, 3, 0.0)  # the whole grid: every side is tight
@example(1, 5, 4, 0.5)
def test_no_cap_holds_a_point_above_its_vertex(seed, d, levels, drop):
    X = _thinned_grid(seed, d, levels, drop)
    if levels**d > 2000:  # keep the example small
        X = X[np.random.default_rng(seed).random(X.shape[0]) < 2000 / levels**d]
    try:
        points, M = standardised_problem(Sources.from_samples(X))
    except Exception:  # too thin to be a dataset (a flat or empty support)
        return
    if np.linalg.eigvalsh(M)[0] <= 0:  # the vertex argument needs a convex quadratic
        return
    _check_caps_on_vertices(points, M, seed)


def test_the_corner_cut_grid_has_caps_at_every_tight_side():
    X = _grid(6)
    points, M = standardised_problem(Sources.from_samples(X[X.sum(axis=1) >= 1]))
    caps, uncapped = axis_caps(points, M)
    assert not uncapped
    # the all-zero corner moves every mean up: the sides at the maxima are the nearer ones
    assert {(c.source, c.sign) for c in caps} >= {(j, 1) for j in range(6)}
    assert _check_caps_on_vertices(points, M) == len(caps)


def test_a_face_beside_the_mean_gets_no_cap():
    # Source 0's lower face keeps only points with source 1 at its top, and samples inside
    # pull source 0's mean towards that face, so that it is the nearer (tight) side: seen from
    # the face, the mean lies outside it (in source 1), and no neighbourhood of the axis is safe.
    X = _grid(3)
    X = X[~((X[:, 0] == 0) & (X[:, 1] < 2))]
    X = np.vstack([X, np.tile([0.3, 1.0, 1.0], (30, 1))])
    src = Sources.from_samples(X)
    assert src.mean[0] - 0 < 2 - src.mean[0] and src.mean[1] < 2  # as described
    points, M = standardised_problem(src)
    caps, uncapped = axis_caps(points, M)
    # side (0, +1): v = +e_0 / a, the extreme where p_0 = -a (the lower face)
    assert (0, 1) in uncapped and (0, 1) not in {(c.source, c.sign) for c in caps}


def test_extremes_held_by_single_samples_get_no_cap():
    S = np.random.default_rng(3).uniform(0, 1, (500, 6))
    points, M = standardised_problem(Sources.from_samples(S))
    caps, uncapped = axis_caps(points, M)
    assert caps == [] and len(uncapped) >= 6  # each source's nearer extreme at least


def test_a_deadline_reached_inside_a_side_leaves_it_and_the_rest_uncapped(monkeypatch):
    """The caps' linear programs stop at the deadline: a clock that passes it during the
    first side's programs leaves every tight side uncapped (never a cap from a cut-short
    program), where without a deadline every one is capped."""
    import biomodular.solvers.axis_caps as caps_module

    X = _grid(6)
    points, M = standardised_problem(Sources.from_samples(X[X.sum(axis=1) >= 1]))
    caps, uncapped = axis_caps(points, M)
    tight = {(c.source, c.sign) for c in caps} | set(uncapped)
    assert caps and not uncapped
    clock = iter(np.arange(1000.0))  # one second per reading: the second reading is past 0.5
    monkeypatch.setattr(caps_module.time, "perf_counter", lambda: float(next(clock)))
    real = caps_module.polar_argmax
    seen = []

    def recording(*args, **kwargs):
        seen.append(kwargs.get("deadline"))
        return real(*args, **kwargs)

    monkeypatch.setattr(caps_module, "polar_argmax", recording)
    late_caps, late_uncapped = axis_caps(points, M, deadline=0.5)
    assert late_caps == [] and set(late_uncapped) == tight
    assert set(seen) == {0.5}  # the first side's programs were given the deadline


def _facets_minimum(points: np.ndarray, F: np.ndarray) -> float:
    """``min over facets of h^2 - n^T F n`` (unit normals, offsets h): qhull, independent of biomodular."""
    hull = ConvexHull(points)
    normals, offsets = hull.equations[:, :-1], -hull.equations[:, -1]
    return float((offsets**2 - np.einsum("ij,jk,ik->i", normals, F, normals)).min())


@pytest.mark.parametrize("d", [6, 7])
def test_a_corner_cut_grid_is_proven_modular_from_six_sources(d):
    X = _grid(d)
    src = Sources.from_samples(X[X.sum(axis=1) >= 1])
    points, F = standardised_problem(src)
    assert np.linalg.eigvalsh(F)[0] > 0
    assert _facets_minimum(points, F) >= -1e-12  # modular by the facets of the whole hull
    result = check_modularity(src, time_limit=120)
    assert (result.verdict, result.exact) == ("modular", True), result.certificate
    assert "caps at the axes" in result.certificate
    # zero is attained at the axes and proven to be the minimum: the margin itself is exact
    assert result.margin == 0.0 and result.margin_exact


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.2, 0.9))
@example(4, 0.9)
def test_the_global_verdict_on_six_source_grids_agrees_with_the_hull_facets(seed, drop):
    X = _thinned_grid(seed, 6, 3, drop)
    src = Sources.from_samples(X)
    points, F = standardised_problem(src)
    if np.linalg.eigvalsh(F)[0] <= 0:
        return
    bound = rounding_bound(src)
    facets = _facets_minimum(points, F)
    result = global_gap(points, F, bound, time_limit=120, show_progress=False)
    if facets < -bound:
        assert result.verdict == "mixed" and result.value < -bound
    else:
        assert (result.verdict, result.verdict_exact) == ("modular", True), result.certificate


def test_caps_leave_a_mixed_grid_to_the_solver_which_finds_its_violation():
    X = _grid(6)
    points, F = standardised_problem(Sources.from_samples(X[X.sum(axis=1) >= 4]))
    assert _facets_minimum(points, F) < -0.05  # mixed by the hull's facets
    caps, uncapped = axis_caps(points, F)
    assert caps and not uncapped
    proof = prove_margin(points, F, 0.0, time.perf_counter() + 120, np.random.default_rng(0), caps=caps)
    assert proof.status == "violated"
    u = proof.witness / np.linalg.norm(proof.witness)
    assert (points @ u).min() ** 2 - u @ F @ u < -0.05
