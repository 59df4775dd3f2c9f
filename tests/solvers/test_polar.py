"""The global route: proofs and witnesses checked against independent routes.

* 3 and 4 sources: the exact ``cones`` minimum decides every claim.
* 5 sources: a dense search (many random directions, then local polishing)
  bounds the minimum from above; a proof must not contradict it.
* Every witness's gap is recomputed from the points; every proof is re-checked
  on its own cut pool by ``cones`` (the pool's polytope contains the true one,
  so the pool's minimum gap is a lower bound on the data's).
"""

import time

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from biomodular import BiomodularError, Sources
from biomodular.solvers.check import check_modularity, standardised_problem
from biomodular.solvers.gap import gap_values, min_quadratic_gap
from biomodular.solvers.polar import global_gap, prove_margin, rounding_floor

from .test_gap import random_dataset


def _problem(seed: int, n: int, d: int, kind: int, indefinite: bool):
    S = random_dataset(seed, n, d, kind)
    src = Sources.from_samples(S)
    points, F = standardised_problem(src)
    if indefinite:  # any symmetric matrix: the route does not need F >= 0
        rng = np.random.default_rng(seed + 1)
        A = rng.standard_normal((d, d))
        F = F + 0.8 * (A + A.T) / 2
    return points, F


def _witness_gap(points, F, w) -> float:
    """The unit gap of ``w`` computed directly from the points (no solver code)."""
    u = w / np.linalg.norm(w)
    m = min(float(p @ u) for p in points)
    return m * m - float(u @ F @ u)


def _recheck_proof(points, F, proof, t):
    """Independent re-check: the exact cones minimum over the proof's pool is >= -t."""
    pool_min = min_quadratic_gap(points[proof.pool], F, method="cones").value
    # The pool polytope contains the data's polytope, so its gaps are smaller.
    assert pool_min >= -t - 1e-7


problems = st.tuples(
    st.integers(0, 2**32 - 1), st.integers(12, 40), st.sampled_from([3, 4]), st.integers(0, 5), st.booleans()
)


@settings(max_examples=25, deadline=None)
@given(problems, st.sampled_from([1e-2, 1e-1]))
@example((0, 20, 3, 5, False), 1e-2)  # shallow cut: modular side
@example((3, 30, 4, 4, False), 1e-2)  # range independent with corners
@example((7, 25, 4, 2, True), 1e-1)  # skewed data, indefinite matrix
def test_proofs_and_witnesses_agree_with_cones(params, t):
    seed, n, d, kind, indefinite = params
    points, F = _problem(seed, n, d, kind, indefinite)
    exact = min_quadratic_gap(points, F, method="cones").value
    proof = prove_margin(points, F, t, time.perf_counter() + 60, np.random.default_rng(0))
    if proof.status == "proven":
        assert exact >= -t - 1e-7
        _recheck_proof(points, F, proof, t)
    elif proof.status == "violated":
        gap = _witness_gap(points, F, proof.witness)
        assert gap < -t
        assert exact <= gap + 1e-12
    else:
        pytest.fail(f"solver status {proof.status} on a small problem")


BOUND = 1e-10  # a rounding bound far below SCIP's floor: only cones on a cut pool proves it


def _check_against(exact: float, points, F, result, tol) -> None:
    """What every global result must satisfy, given the exact minimum ``exact``."""
    assert result.value == pytest.approx(_witness_gap(points, F, result.direction), abs=1e-12)
    assert result.value >= exact - 1e-12  # every value is attained
    assert exact >= result.lower_bound - 1e-7  # every bound is proven
    claim = max(BOUND, tol or 0.0)
    if result.exact:  # the value claimed to be the minimum, up to the rounding bound
        assert result.value <= exact + BOUND + 1e-9
    if result.verdict == "mixed":
        assert result.verdict_exact and result.value < -claim
    elif result.verdict == "modular" and result.verdict_exact:  # proven by cones on a cut pool
        assert exact >= -BOUND - 1e-12
    elif result.verdict == "modular":
        assert tol is not None
        assert exact >= -tol - 1e-7
    else:  # undetermined: on small problems only because the margin is within the floor
        assert result.proof is not None and result.proof.status == "proven", result.certificate
        assert exact >= -rounding_floor(points) - 1e-7


@settings(max_examples=15, deadline=None)
@given(problems, st.sampled_from([None, 1e-2]))
def test_global_decision_agrees_with_cones(params, tol):
    seed, n, d, kind, indefinite = params
    points, F = _problem(seed, n, d, kind, indefinite)
    exact = min_quadratic_gap(points, F, method="cones").value
    result = global_gap(points, F, BOUND, tol=tol, time_limit=60, show_progress=False)
    _check_against(exact, points, F, result, tol)


def _dense_minimum(points, F, seed=0, n=200_000):
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, points.shape[1]))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    values = gap_values(points, F, W)
    best = float(values.min())
    for i in np.argsort(values)[:20]:
        res = minimize(
            lambda x: gap_values(points, F, x / np.linalg.norm(x))[0],
            W[i],
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000},
        )
        best = min(best, float(res.fun))
    return best


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 5))
@example(1, 5)
def test_five_sources_against_a_dense_search(seed, kind):
    points, F = _problem(seed, 16, 5, kind, False)
    result = global_gap(points, F, BOUND, tol=1e-2, time_limit=60, show_progress=False)
    dense = _dense_minimum(points, F, seed)
    assert result.value == pytest.approx(_witness_gap(points, F, result.direction), abs=1e-12)
    # A proof may not be contradicted by any direction the dense search found.
    assert dense >= result.lower_bound - 1e-7
    if result.verdict == "mixed":
        assert result.value < -1e-2
    else:
        assert result.verdict == "modular", result.certificate
        assert dense >= -1e-2 - 1e-7


def test_many_sources_mixed_witness_is_recomputed_from_the_data():
    rng = np.random.default_rng(5)
    S = rng.uniform(-1, 1, (3000, 6))
    S = S[S.sum(axis=1) > -1.5]
    src = Sources.from_samples(S)
    assert not src.points_are_vertices
    result = check_modularity(src, time_limit=60)
    assert result.verdict == "mixed" and result.exact and result.method == "global"
    # The witness in the data's own units: its neuron's gap is the margin.
    w = result.witness
    centred = S - S.mean(axis=0)
    m = (centred @ w).min()
    beta = src.beta
    scaled = w * beta / np.linalg.norm(w * beta)  # the same direction in beta units
    F = src.modularity_matrix / np.outer(beta, beta)
    m_scaled = (centred / beta @ scaled).min()
    assert m < 0
    assert result.margin == pytest.approx(m_scaled**2 - scaled @ F @ scaled, abs=1e-9)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(13, 24), st.sampled_from([0.5, 0.75]))
@example(3, 13, 0.75)  # half the 2^13 corners are scored: the cut's corner was not among them
@example(6, 24, 0.75)  # the first violation found was -0.03, the cut's direction gives -0.29
def test_many_sources_margin_is_at_least_as_deep_as_the_cut(seed, d, depth):
    """A box with its lowest corner cut off by the plane ``sum s = -depth sqrt(d)``: the
    cut's normal is one neuron's tuning, and its gap (computed here from the samples)
    bounds the minimum from above, so the margin reported must be at least as deep."""
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1, 1, (4000, d))
    S = S[S.sum(axis=1) > -depth * np.sqrt(d)]
    src = Sources.from_samples(S)
    result = check_modularity(src, time_limit=60)
    beta = src.beta
    F = src.modularity_matrix / np.outer(beta, beta)
    u = beta / np.linalg.norm(beta)  # the cut's normal (1, ..., 1) in beta units
    m = ((S - S.mean(axis=0)) / beta @ u).min()
    cut = m * m - u @ F @ u
    assert cut < -0.1  # these cuts are deep: the data are mixed
    assert result.verdict == "mixed"
    assert result.margin <= cut + 1e-9


@pytest.mark.parametrize(("seed", "d"), [(6, 24), (1, 20)])
def test_a_short_time_limit_still_climbs_to_the_cut(seed, d):
    """With two seconds the search has half a second to find a violation; on these boxes
    its climb finds the first one when that half second is nearly spent.  The verdict is
    then known, and the climb goes on within the rest of the limit (at least half a second
    more, or as long again) to the cut; it used to stop at the search's own half second,
    at gaps -0.025 and -0.023 against the cut's -0.29 and -0.32."""
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1, 1, (4000, d))
    S = S[S.sum(axis=1) > -0.75 * np.sqrt(d)]
    src = Sources.from_samples(S)
    result = check_modularity(src, time_limit=2.0)
    beta = src.beta
    F = src.modularity_matrix / np.outer(beta, beta)
    u = beta / np.linalg.norm(beta)
    m = ((S - S.mean(axis=0)) / beta @ u).min()
    assert result.verdict == "mixed"
    assert result.margin <= m * m - u @ F @ u + 1e-9


def test_modular_many_sources_carries_a_proof_that_rechecks():
    # A 5-source box with all its corners and a shallow cut: exact modular data
    # that are not range independent (one corner is cut).
    points, F = _problem(2, 40, 5, 5, False)
    result = global_gap(points, F, BOUND, time_limit=60, show_progress=False)
    # Exact at the rounding bound: cones on a cut pool has no solver floor.
    assert result.verdict == "modular" and result.verdict_exact and result.lower_bound >= -BOUND
    assert min_quadratic_gap(points[result.cut_pool], F, method="cones").value >= -BOUND
    assert min_quadratic_gap(points, F, method="cones").value >= -BOUND  # the whole hull agrees
    # SCIP alone proves only down to its floor.
    t = rounding_floor(points)
    proof = prove_margin(points, F, t, time.perf_counter() + 60, np.random.default_rng(0))
    assert proof.status == "proven"
    _recheck_proof(points, F, proof, t)


def test_a_time_limit_never_becomes_modular():
    rng = np.random.default_rng(0)
    S = rng.uniform(-1, 1, (4000, 9))
    result = check_modularity(Sources.from_samples(S), time_limit=0.01)
    assert result.verdict != "modular"
    assert not result.exact or result.verdict == "mixed"


def test_rounding_floor_is_refused_as_a_claim():
    points, F = _problem(0, 20, 3, 0, False)
    with pytest.raises(BiomodularError):
        prove_margin(points, F, 0.1 * rounding_floor(points), time.perf_counter() + 5, np.random.default_rng(0))


@pytest.mark.parametrize("shape", [(2, 2000), (50, 3000), (5, 5)])
def test_transposed_or_short_inputs_are_refused_before_the_work(shape, monkeypatch):
    import biomodular.sources as sources_module

    def no_work(self, reference):
        raise AssertionError("per-sample work started before the refusal")

    monkeypatch.setattr(sources_module.Reduction, "_start", no_work)
    with pytest.raises(BiomodularError, match="samples for") as info:
        Sources.from_samples(np.random.default_rng(0).random(shape))
    if shape[0] < shape[1]:
        assert "transposed" in str(info.value)


def test_many_sources_keep_points_without_a_hull():
    S = np.random.default_rng(0).uniform(size=(2000, 10))
    src = Sources.from_samples(S)
    assert not src.points_are_vertices
    assert src.points.shape[0] <= 2000


def test_cli_refuses_a_transposed_file_in_one_line(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "wide.npy"
    np.save(path, np.random.default_rng(0).random((50, 3000)))
    out = subprocess.run([sys.executable, "-m", "biomodular", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "transposed" in out.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "biomodular", "check", "--example", "cut-corner", "--time-limit", "0"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
