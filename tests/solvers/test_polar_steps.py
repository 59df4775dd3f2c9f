"""Tests written for mutants of polar.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import numpy as np
import pytest

from biomodular import Sources
from biomodular.solvers import polar
from biomodular.solvers.check import standardised_problem
from biomodular.solvers.gap import min_quadratic_gap

from .test_polar import _problem, _witness_gap


def _cut_cube(seed: int):
    """Three sources, a cube with one corner cut off: mixed by a margin of about -0.04."""
    S = np.random.default_rng(seed).uniform(-1, 1, (300, 3))
    return standardised_problem(Sources.from_samples(S[S.sum(axis=1) >= -2.4]))


def test_a_margin_within_the_tolerance_is_modular_but_not_exact():
    points, F = _cut_cube(0)
    margin = min_quadratic_gap(points, F, method="cones").value  # the exact minimum, on the whole hull
    assert margin < -1e-3
    result = polar.global_gap(points, F, bound=1e-12, tol=2 * -margin)
    assert result.verdict == "modular"
    assert not result.verdict_exact  # the data as given are mixed
    assert result.value == pytest.approx(margin, rel=1e-9)


def test_a_violation_past_twice_the_allowance_is_priced_without_a_proof():
    # Six sources (past the cut pool): the search alone finds a violation far beyond the
    # allowance, which is all column generation needs; no SCIP proof is run, so no bound is claimed.
    S = np.random.default_rng(6).uniform(0, 1, (600, 6))
    points, F = standardised_problem(Sources.from_samples(S[S.sum(axis=1) >= 0.5]))
    allowance = 1e-4
    priced = polar.price_directions(points, F, allowance)
    assert priced.value < -2 * allowance
    assert priced.value == pytest.approx(_witness_gap(points, F, priced.direction), rel=1e-9, abs=1e-12)
    assert priced.lower_bound == -np.inf and priced.pool.size == 0


def _box_with_corners_6d():
    box = np.random.default_rng(0).uniform(-1, 1, (400, 6))
    corners = np.array(np.meshgrid(*[[-1.0, 1.0]] * 6)).reshape(6, -1).T  # range independent: modular
    return standardised_problem(Sources.from_samples(np.vstack([box, corners])))


def _proof(status, with_caps=None):
    """A MarginProof of ``status`` at shift ``t``, with no bound (what SCIP's outcome is replaced by);
    ``with_caps``: the status of a proof outside caps at the axes, if it differs."""

    def prove(points, M, t, deadline, rng, **kwargs):
        empty = np.empty(0, dtype=np.int64)
        outcome = with_caps if kwargs.get("caps") and with_caps is not None else status
        return polar.MarginProof(outcome, t, np.inf, -t if outcome == "proven" else -np.inf, empty, None, 1, 0, 0.0)

    return prove


def test_a_failed_proof_leaves_the_verdict_undetermined(monkeypatch):
    # Six sources: past the cut-pool route, so SCIP's proof decides; a box with its corners is
    # modular, so the search finds nothing and everything rests on the proof, which here fails.
    points, F = _box_with_corners_6d()
    monkeypatch.setattr(polar, "prove_margin", _proof("failed"))
    # a rounding bound above the solver's floor, so that a proof would make the verdict exact
    result = polar.global_gap(points, F, bound=10 * polar.rounding_floor(points))
    assert result.verdict == "undetermined" and not result.verdict_exact


def test_a_proof_only_at_the_solvers_floor_bounds_the_margin_by_that_floor(monkeypatch):
    points, F = _box_with_corners_6d()
    # the proof outside the caps at the axes fails, the one at the floor succeeds
    monkeypatch.setattr(polar, "prove_margin", _proof("proven", with_caps="failed"))
    result = polar.global_gap(points, F, bound=1e-12)
    # the floor 2 * 3 * feastol * max |p|^2 (docs of rounding_floor), written out here
    floor = 6 * polar.SCIP_FEASTOL * float(np.max(np.sum(points**2, axis=1)))
    assert result.verdict == "undetermined" and not result.verdict_exact
    assert result.lower_bound == pytest.approx(-floor, rel=1e-12)


def test_an_unbounded_cutting_plane_lp_gives_no_vertex():
    points, _ = _cut_cube(0)
    # one point's half-space {w : w . p >= -1} does not bound w . c for c along p
    assert polar._lp_max(points, np.array([0]), points[0]) is None


def test_a_proof_out_of_time_before_any_round_claims_no_bound():
    import time

    points, F = _cut_cube(0)
    proof = polar.prove_margin(points, F, 0.1, time.perf_counter() - 1.0, np.random.default_rng(0))
    assert proof.status == "time-limit" and proof.lower_bound == -np.inf


def test_the_cutting_plane_lp_finds_the_vertex_of_the_polar_polytope():
    # The polar of the cube [-1, 1]^3 (its corners p: w . p >= -1) is the cross-polytope
    # sum |w_i| <= 1: a linear function c . w is largest at the vertex sign(c_i) e_i of the largest |c_i|.
    corners = np.array(np.meshgrid(*[[-1.0, 1.0]] * 3)).reshape(3, -1).T
    for c in (np.array([0.2, -0.9, 0.4]), np.array([1.0, 0.5, -0.1])):
        w, _ = polar._lp_max(corners, np.arange(8), c)
        i = int(np.argmax(np.abs(c)))
        np.testing.assert_allclose(w, np.sign(c[i]) * np.eye(3)[i], atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_the_pool_stops_at_a_violation_within_the_factor_of_its_bound(seed):
    points, F = _cut_cube(seed)
    exact = min_quadratic_gap(points, F, method="cones").value  # on the whole hull
    found = polar.pool_cones(points, F, stop_below=0.0, within=0.5)
    assert found.value == pytest.approx(_witness_gap(points, F, found.direction), rel=1e-9)
    assert found.lower_bound <= exact * (1 - 1e-12) or found.exact
    # a violation at least half the proven bound, as documented (or the exact minimum)
    assert found.value <= 0.5 * found.lower_bound or found.exact
    assert "pool=" not in repr(found)  # the indices are a warm start, not part of the answer shown


@pytest.mark.parametrize(("seed", "d"), [(1, 4), (5, 3), (9, 4)])
def test_the_search_reaches_the_exact_minimum_on_small_problems(seed, d):
    # The search's local polishing (Nelder-Mead from the best descended directions) is what takes
    # it from within a few percent of the minimum to the minimum itself on these problems.
    import time

    points, F = _problem(seed, 40, d, seed % 4, bool(seed % 2))
    exact = min_quadratic_gap(points, F, method="cones").value  # the whole hull's faces
    W, values = polar.search_violation(points, F, np.random.default_rng(0), time.perf_counter() + 60)
    assert values.min() == pytest.approx(exact, rel=1e-6)
    assert values.min() >= exact - 1e-12 * abs(exact)  # every value is attained
    best = W[np.argmin(values)]
    assert values.min() == pytest.approx(_witness_gap(points, F, best), rel=1e-9)


def test_scip_stopping_on_its_time_limit_with_nothing_above_the_level_is_no_proof(monkeypatch):
    points, F = _cut_cube(0)

    def out_of_time(A, lam, V, lo, hi, seconds, feastol, caps=None):
        return "timelimit", np.empty((0, V.shape[0])), 2.0, 7  # no solution found, bound still above 1

    monkeypatch.setattr(polar, "_scip_round", out_of_time)
    proof = polar.prove_margin(points, F, 0.1, np.inf, np.random.default_rng(0))
    assert proof.status == "time-limit" and proof.lower_bound < -0.1


def test_a_proof_outside_the_caps_makes_the_verdict_exact(monkeypatch):
    points, F = _box_with_corners_6d()
    caps, uncapped = polar.axis_caps(points, F)
    assert caps and not uncapped  # the box's faces surround the mean
    monkeypatch.setattr(polar, "prove_margin", _proof("failed", with_caps="proven"))
    result = polar.global_gap(points, F, bound=1e-12)
    assert (result.verdict, result.verdict_exact, result.lower_bound) == ("modular", True, 0.0)
    assert "caps at the axes" in result.certificate


def test_a_proof_outside_the_caps_out_of_time_is_undetermined_with_its_bound(monkeypatch):
    import time

    points, F = _box_with_corners_6d()
    calls = []

    def out_of_time(points, M, t, deadline, rng, **kwargs):
        calls.append(bool(kwargs.get("caps")))
        time.sleep(max(0.0, deadline - time.perf_counter()))  # SCIP used the whole budget
        empty = np.empty(0, dtype=np.int64)
        return polar.MarginProof("time-limit", t, 1.5, -0.25, empty, None, 3, 0, 0.0)

    monkeypatch.setattr(polar, "prove_margin", out_of_time)
    result = polar.global_gap(points, F, bound=1e-12, time_limit=5.0)
    assert calls == [True]  # no second proof: the budget is spent
    assert result.verdict == "undetermined" and not result.verdict_exact
    assert result.lower_bound == -0.25 and "outside" in result.certificate
