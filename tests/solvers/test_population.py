"""The sampling analysis: what finite samples say about their population.

Populations with known answers (the families of benchmarks/population_calls.py):
range-independent ones are never called mixed, whatever the size and seed (they
may be unclear when small); ones with a missing region are called mixed at a
few thousand samples.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from biomodular import Sources
from biomodular.cli import main
from biomodular.solvers.population import Reservoir, check_samples

_spec = importlib.util.spec_from_file_location(
    "population_calls", Path(__file__).resolve().parents[2] / "benchmarks" / "population_calls.py"
)
families = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(families)
FAMILIES = families.FAMILIES

RANGE_INDEPENDENT = [name for name, (mixed, _) in FAMILIES.items() if not mixed]
CUT = [name for name, (mixed, _) in FAMILIES.items() if mixed]


def _draw(name, n, seed):
    return FAMILIES[name][1](np.random.default_rng(1000 * seed + 7), n)


@pytest.mark.parametrize("name", RANGE_INDEPENDENT)
@pytest.mark.parametrize("n", [300, 3000])
def test_range_independent_populations_are_never_called_mixed(name, n):
    for seed in range(3):
        result = check_samples(_draw(name, n, seed), seed=seed)
        assert result.sampling.population in ("modular", "unclear"), (name, n, seed, result.sampling)


@pytest.mark.parametrize("name", CUT)
def test_populations_with_a_missing_region_are_called_mixed_at_a_few_thousand_samples(name):
    for seed in range(2):
        result = check_samples(_draw(name, 3000, seed), seed=seed)
        assert result.verdict == "mixed"
        assert result.sampling.population == "mixed", (name, seed, result.sampling)
        assert result.witness_angle > 30  # the cut's direction, not a sliver


def test_the_sliver_of_a_uniform_square_shrinks_and_the_population_is_modular():
    result = check_samples(np.random.default_rng(2).uniform(-1, 1, (20_000, 2)), seed=0)
    assert result.verdict == "mixed"  # the samples, exactly: a sliver
    s = result.sampling
    assert s.population == "modular"
    assert s.rate > 0.5 and result.witness_angle < 1
    assert list(s.sizes) == sorted(s.sizes) and s.sizes[-1] == 20_000
    sentence = result.summary()
    assert sentence.startswith("mixed for these 20,000 samples (a ")
    assert "sliver beside the" in sentence and "the population's code is modular" in sentence


def test_reproducible_from_the_seed_and_off_for_statistics():
    S = _draw("cut-corner", 2000, 0)
    a, b = check_samples(S, seed=5), check_samples(S, seed=5)
    assert a.sampling.to_dict() | {"seconds": 0} == b.sampling.to_dict() | {"seconds": 0}
    assert check_samples(S, sampling=False).sampling is None
    stats = Sources.from_statistics([0, 0], [[1 / 3, 0], [0, 1 / 3]], [[-1, -1], [1, -1], [1, 1], [-1, 1]])
    from biomodular import check_modularity

    assert check_modularity(stats).sampling is None


def test_reservoir_is_a_uniform_sample_whatever_the_chunks():
    rows = np.arange(200, dtype=float)[:, None] * np.ones((1, 2))
    counts = np.zeros(200)
    trials = 1500
    for seed in range(trials):
        r = Reservoir(size=50, seed=seed)
        for start in range(0, 200, 37):
            r.add(rows[start : start + 37])
        kept = r.rows[:, 0].astype(int)
        assert len(set(kept)) == 50
        counts[kept] += 1
    p = 50 / 200
    sd = np.sqrt(trials * p * (1 - p))
    assert np.abs(counts - trials * p).max() < 5 * sd


def test_cli_reports_the_population_and_can_skip_it(tmp_path, capsys):
    path = tmp_path / "d.npy"
    np.save(path, _draw("square", 5000, 1))
    assert main(["check", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["sampling"]["population"] in ("modular", "unclear", "mixed")
    assert payload["sampling"]["population"] != "mixed"
    assert isinstance(payload["summary"], str)
    assert main(["check", str(path), "--json", "--no-sampling"]) == 0
    assert json.loads(capsys.readouterr().out)["sampling"] is None
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("population ") for line in out.splitlines())
    assert any(line.startswith("in short  ") for line in out.splitlines())


@pytest.mark.parametrize("d", [2, 3])
def test_subsample_statistics_equal_the_reduction_of_each_block(d):
    """The nested blocks' shortcut (hull candidates from smaller blocks, moments
    from the rows) against a fresh Sources.from_samples of every block."""
    from biomodular.solvers.population import _BlockHulls, _sizes

    rows = np.random.default_rng(d).uniform(-1, 1, (4096, d))
    rows = rows[rows.sum(axis=1) > -0.3 * d]
    blocks = _BlockHulls(rows)
    for m in _sizes(rows.shape[0], d) + [rows.shape[0]]:
        for r in range(min(4, rows.shape[0] // m)):
            got = blocks.sources(r * m, (r + 1) * m, None)
            want = Sources.from_samples(rows[r * m : (r + 1) * m])
            np.testing.assert_allclose(got.mean, want.mean, rtol=0, atol=1e-14)
            np.testing.assert_allclose(got.cov, want.cov, rtol=0, atol=1e-14)
            assert got.points_are_vertices and want.points_are_vertices
            assert {tuple(p) for p in got.points} == {tuple(p) for p in want.points}


def _dense_gap(S, n_angles=7_200):
    """Independent route for two sources: the gap on a dense circle of directions,
    from plain numpy moments and qhull's vertices (not biomodular's reduction or hull)."""
    from scipy.spatial import ConvexHull

    mean = S.mean(axis=0)
    beta = np.minimum(mean - S.min(axis=0), S.max(axis=0) - mean)
    Z = (S - mean) / beta
    F = -np.cov(Z.T, bias=True)
    np.fill_diagonal(F, 1.0)
    V = Z[ConvexHull(Z).vertices]
    theta = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    W = np.column_stack([np.cos(theta), np.sin(theta)])
    return theta, (W @ V.T).min(axis=1) ** 2 - np.einsum("ij,jk,ik->i", W, F, W)


def _mirror_pair_samples(n, rng):
    from biomodular.reproduce.frequency_ratios import samples

    return samples(2.0, n, rng)  # (cos t, cos 2t): symmetric under s1 -> -s1


def test_a_mirror_pair_of_witnesses_is_one_violation_and_the_population_is_mixed():
    """cos t and cos 2t: the support (a parabola) misses the corners (+-1, -1), a mirror
    pair. Dense search over independent resamples: each resample's minimiser sits near
    one of the pair, and both occur, so a subsample's witness is either; the call is
    mixed, with the full data's pair found by mixed_local_minima."""
    from biomodular.mixing import angle_to_axes
    from biomodular.solvers.population import _FullGap

    rng = np.random.default_rng([0, 0])
    _mirror_pair_samples(1_000, rng)  # the draw of the reproduce finding frequency-ratios (seed 0)
    S = _mirror_pair_samples(16_000, rng)
    result = check_samples(S, seed=0)
    assert result.sampling.population == "mixed", result.sampling
    assert result.sampling.witness_counterparts == 1
    assert "find the same witness or its counterpart: the population's code is mixed" in result.summary()

    # The full data's two deepest local minima by dense search, against mixed_local_minima.
    theta, g = _dense_gap(S)
    local = np.flatnonzero((g < np.roll(g, 1)) & (g < np.roll(g, -1)) & (g < -0.1))
    dense = np.column_stack([np.cos(theta[local]), np.sin(theta[local])])
    dense = dense[angle_to_axes(dense) >= 5]
    assert len(dense) == 2
    assert abs(dense[0, 0] + dense[1, 0]) < 0.02 and abs(dense[0, 1] - dense[1, 1]) < 0.02  # mirror images
    full = _FullGap(Sources.from_samples(S))
    for u in dense:  # from near either member, the counterpart search finds that member
        start = u + 0.05 * np.array([u[1], -u[0]])
        found = full.nearest_mixed_minimum(start / np.linalg.norm(start), result.rounding_bound)
        assert np.degrees(np.arccos(min(1.0, abs(found @ u)))) < 0.1

    # Independent resamples of 512 points: their minimisers fall near either member of the pair.
    sides = []
    for _ in range(24):
        theta, g = _dense_gap(_mirror_pair_samples(512, rng), 3_600)
        w = np.array([np.cos(theta[np.argmin(g)]), np.sin(theta[np.argmin(g)])])
        angles = np.degrees(np.arccos(np.clip(np.abs(dense @ w), 0, 1)))
        assert angles.min() < 5
        sides.append(int(np.argmin(angles)))
    assert 0 < sum(sides) < len(sides)  # both members of the pair occur


def test_a_single_witness_has_no_counterpart():
    """A cut corner has one mixed local minimum (dense search); the counterpart search
    finds it from near the witness and nothing from the far side."""
    from biomodular.solvers.population import _FullGap

    S = _draw("cut-corner", 5_000, 0)
    result = check_samples(S, seed=0)
    assert result.sampling.witness_counterparts == 0
    assert "find the same witness: the population's code is mixed" in result.summary()
    u = result.witness_scaled / np.linalg.norm(result.witness_scaled)
    theta, g = _dense_gap(S)
    best = np.array([np.cos(theta[np.argmin(g)]), np.sin(theta[np.argmin(g)])])
    assert abs(best @ u) > np.cos(np.radians(0.1))  # two steps of the grid
    full = _FullGap(Sources.from_samples(S))
    start = u + 0.1 * np.array([u[1], -u[0]])
    found = full.nearest_mixed_minimum(start / np.linalg.norm(start), result.rounding_bound)
    assert abs(abs(found @ u) - 1) < 1e-9
    mirror = np.array([-u[0], u[1]])  # no violation there: nothing to find
    assert full.nearest_mixed_minimum(mirror, result.rounding_bound) is None


def test_counterparts_of_many_sources_come_from_the_budgeted_search(monkeypatch):
    """From five sources the full data's candidates come from the global route's
    search within the analysis's deadline: the gap module's unbudgeted search had run
    for over five minutes on 1e5 samples of fifteen sources.  Its values are attained
    (recomputed here from the points)."""
    import time

    import biomodular.solvers.gap as gap_module
    from biomodular.solvers.check import standardised_problem
    from biomodular.solvers.population import _FullGap

    def refuse(*args, **kwargs):
        raise AssertionError("the unbudgeted search ran")

    monkeypatch.setattr(gap_module, "_search", refuse)
    S = np.random.default_rng(3).standard_normal((3_000, 7))
    src = Sources.from_samples(S)
    assert not src.points_are_vertices
    full = _FullGap(src, time.perf_counter() + 30)
    P, F = standardised_problem(src)
    U = full.candidates / np.linalg.norm(full.candidates, axis=1, keepdims=True)
    recomputed = (U @ P.T).min(axis=1) ** 2 - np.einsum("ij,jk,ik->i", U, F, U)
    assert np.allclose(full.values, recomputed, atol=1e-9)


def test_block_sources_refuses_what_from_samples_refuses():
    from biomodular import BiomodularError
    from biomodular.sources import block_sources

    flat = np.column_stack([np.arange(50.0), 2 * np.arange(50.0) + 1])
    constant = np.column_stack([np.arange(50.0), np.ones(50)])
    for block in (flat, constant):
        with pytest.raises(BiomodularError):
            Sources.from_samples(block)
        with pytest.raises(BiomodularError):
            block_sources(block)


def test_the_time_budget_leaves_subsamples_out_rather_than_overrunning():
    from biomodular.solvers.population import check_samples

    S = np.random.default_rng(2).uniform(0, 1, (4000, 6))
    S = S[S.sum(axis=1) > 1.0]
    full = check_samples(S, seed=0)
    assert len(full.sampling.sizes) > 1  # subsamples of growing size, then all the samples
    rushed = check_samples(S, seed=0, time_limit=1e-9)  # the budget is gone before any subsample
    assert rushed.sampling.sizes == (rushed.n_samples,)
    assert rushed.sampling.margins == ((rushed.margin,),)  # the full data's own margin only
