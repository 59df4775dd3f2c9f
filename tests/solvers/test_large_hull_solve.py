"""The exact pricing on large hulls, and column generation that prices its middle rounds cheaply.

Independent routes:

* ``cones`` keeps only each face's smallest eigenvectors and tests candidates lazily; a
  reference written here scores EVERY eigenvector (both signs) of every subset of every qhull
  simplex on every point.  Those subsets include every face (and, for non-simplicial facets, some
  non-faces, whose values are attained too), so the reference minimum is the exact minimum.
* The face enumeration against the Euler relation and the known face counts of cubes.
* ``facets`` (values from the facet offsets) against every facet normal scored on every point.
* ``solve`` on a hull past ``SEARCH_MIN_POINTS``: the search must have priced some rounds, the
  final certificate must come from ``cones`` on the whole hull, and value and bound must agree
  with a solve priced exactly every round and bracket a dense-dictionary convex program.
"""

from __future__ import annotations

from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space
from scipy.spatial import ConvexHull

from biomodular import Sources
from biomodular.solvers import program
from biomodular.solvers.energy import phi_values
from biomodular.solvers.gap import gap_values, hull_faces, min_quadratic_gap
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import SEARCH_MIN_POINTS, ColumnGeneration, solve_code

from .test_pool_pricing import _dense_dictionary_value


def _sphere(d: int, k: int, seed: int = 0) -> Sources:
    """``k`` points on the unit sphere (every one a hull vertex), covariance ``I / (d + 2)``."""
    X = np.random.default_rng(seed).standard_normal((k, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return Sources.from_statistics(X.mean(0), np.eye(d) / (d + 2), X)


def _points(kind: str, d: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "cube":  # non-simplicial facets: every face of a cube is a cube
        P = np.array(list(product([-1.0, 1.0], repeat=d)))
        P = np.vstack([P, rng.uniform(-0.9, 0.9, (n, d))])
    else:
        P = rng.standard_normal((n, d)) * rng.uniform(0.3, 2.0, d)
    return P - P.mean(axis=0)


def _matrix(d: int, seed: int, indefinite: bool, repeated: bool) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    if repeated:  # repeated eigenvalues: eigenvectors are not unique
        return 0.5 * np.eye(d)
    A = rng.standard_normal((d, d))
    M = A @ A.T / d
    return M - 0.7 * np.eye(d) if indefinite else M


def _reference_minimum(points: np.ndarray, M: np.ndarray) -> float:
    """Every eigenvector of ``v v^T - M`` restricted to every subset's orthogonal complement."""
    d = points.shape[1]
    subsets = {
        s for simplex in ConvexHull(points).simplices for r in range(1, d + 1) for s in combinations(sorted(simplex), r)
    }
    candidates = []
    for s in subsets:
        v = points[s[0]]
        N = np.eye(d) if len(s) == 1 else null_space(points[list(s[1:])] - v).T
        if N.shape[0] == 0:
            continue
        _, vecs = np.linalg.eigh(N @ (np.outer(v, v) - M) @ N.T)
        W = vecs.T @ N
        candidates += [W, -W]
    W = np.vstack(candidates)
    return float(gap_values(points, M, W / np.linalg.norm(W, axis=1, keepdims=True)).min())


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(8, 60),
    st.sampled_from([3, 4]),
    st.sampled_from(["random", "cube"]),
    st.booleans(),
    st.booleans(),
)
@example(0, 40, 3, "cube", False, True)  # cube and a multiple of the identity: ties everywhere
@example(1, 30, 4, "cube", True, False)
@example(2, 60, 4, "random", True, False)
def test_cones_is_the_minimum_over_every_eigenvector_of_every_face(seed, n, d, kind, indefinite, repeated):
    P = _points(kind, d, n, seed)
    M = _matrix(d, seed, indefinite, repeated)
    got = min_quadratic_gap(P, M, method="cones")
    reference = _reference_minimum(P, M)
    scale = float(np.einsum("ij,ij->i", P, P).max()) + float(np.abs(M).max())
    assert got.value == pytest.approx(reference, abs=1e-9 * scale)
    # what it returns is attained: the values are the data's
    np.testing.assert_allclose(got.candidate_values, gap_values(P, M, got.candidates), rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("d", [3, 4])
def test_face_counts_of_the_cube(d):
    P = np.array(list(product([-1.0, 1.0], repeat=d)))
    sizes: dict[int, int] = {}
    for face in hull_faces(P):
        sizes[len(face)] = sizes.get(len(face), 0) + 1
    # a d-cube has C(d, j) 2^(d-j) faces of dimension j, each with 2^j vertices
    from math import comb

    assert sizes == {2**j: comb(d, j) * 2 ** (d - j) for j in range(d)}


@pytest.mark.parametrize("d,n", [(3, 200), (4, 150)])
def test_face_counts_of_a_simplicial_hull_satisfy_euler(d, n):
    P = np.random.default_rng(d).standard_normal((n, d))
    f = [0] * d
    for face in hull_faces(P, max_faces=10**6):
        f[len(face) - 1] += 1
    euler = sum((-1) ** j * f[j] for j in range(d))
    assert euler == (2 if d == 3 else 0)  # the boundary of a polytope is a (d-1)-sphere
    assert f[d - 1] == len(ConvexHull(P).simplices)  # every facet a simplex


@pytest.mark.parametrize("d", [3, 4])
def test_facets_value_is_every_facet_normal_scored_on_every_point(d):
    P = _points("random", d, 300, d)
    M = _matrix(d, d, False, False)
    got = min_quadratic_gap(P, M, method="facets")
    equations = ConvexHull(P).equations
    direct = gap_values(P, M, -equations[:, :-1])
    scale = float(np.einsum("ij,ij->i", P, P).max()) + float(np.abs(M).max())
    assert got.value == pytest.approx(direct.min(), abs=1e-12 * scale)
    assert gap_values(P, M, got.direction)[0] == pytest.approx(got.value, abs=1e-12 * scale)


def test_the_master_keeps_the_activity_energies_of_its_dictionary():
    sources = _sphere(3, 300)
    run = ColumnGeneration(sources)
    master = run.master

    def fresh():
        return phi_values(master.standard.points, master.standard.C, master.dictionary)

    np.testing.assert_array_equal(master.phi(), fresh())
    master.add_columns(np.random.default_rng(0).standard_normal((5, 3)))
    np.testing.assert_array_equal(master.phi(), fresh())
    master.compact(np.r_[np.zeros(master.dictionary.shape[0] - 2), 1.0, 1.0])
    np.testing.assert_array_equal(master.phi(), fresh())
    run.set_problem(Problem.autoencoder(lam_in=3.0, lam_out=0.5))  # new internal units
    np.testing.assert_array_equal(master.phi(), fresh())


def _counting(monkeypatch):
    """Count the searches and the exact whole-hull pricings of column generation."""
    calls = {"search": 0, "cones": 0}
    search, exact = program.hull_search, program.min_quadratic_gap

    def counted_search(*args, **kwargs):
        calls["search"] += 1
        return search(*args, **kwargs)

    def counted_exact(*args, **kwargs):
        calls["cones"] += kwargs.get("method") == "cones"
        return exact(*args, **kwargs)

    monkeypatch.setattr(program, "hull_search", counted_search)
    monkeypatch.setattr(program, "min_quadratic_gap", counted_exact)
    return calls


@pytest.mark.parametrize("d,k", [(3, 2000), (4, 600)])
def test_large_hull_solve_is_certified_by_the_exact_pricing(monkeypatch, d, k):
    assert k >= SEARCH_MIN_POINTS
    sources = _sphere(d, k, seed=d)
    calls = _counting(monkeypatch)
    result = solve_code(sources)
    cert = result.certificate
    assert calls["search"] >= 1 and calls["cones"] >= 1  # the search priced some rounds
    assert result.status == "optimal" and cert.rigorous and cert.exact
    assert cert.pricing_method == "cones"  # the final certificate: cones on the whole hull
    assert cert.relative_gap <= 1e-6
    # an exact pricing every round (pricing given explicitly: no search) reaches the same optimum
    exact_every_round = ColumnGeneration(sources, pricing="cones", max_faces=program.PRICING_MAX_FACES).solve()
    assert exact_every_round.status == "optimal"
    assert result.value == pytest.approx(exact_every_round.value, rel=2e-6)
    assert cert.lower_bound <= exact_every_round.value * (1 + 1e-12)
    assert exact_every_round.certificate.lower_bound <= result.value * (1 + 1e-12)
    # a fixed dense dictionary is an upper bound
    dense = _dense_dictionary_value(sources, Problem.autoencoder(), 1500)
    assert cert.lower_bound <= dense
    assert result.value <= dense * (1 + 1e-9)


def test_a_search_that_finds_nothing_leaves_the_exact_pricing_to_decide(monkeypatch):
    from biomodular.solvers.gap import GapMinimum

    sources = _sphere(3, 800, seed=5)
    reference = solve_code(sources)

    def blind(points, M, equations, starts=None, **kwargs):
        w = np.eye(points.shape[1])[:1]
        value = gap_values(points, M, w)
        return GapMinimum(float(value[0]), w[0], False, "search", 1, w, value)

    monkeypatch.setattr(program, "hull_search", blind)
    result = solve_code(sources)
    assert result.status == "optimal" and result.certificate.pricing_method == "cones"
    assert result.value == pytest.approx(reference.value, rel=2e-6)
