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
    "population_calls", Path(__file__).resolve().parents[2] / "benchmarks" / "population_calls.py")
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
            want = Sources.from_samples(rows[r * m:(r + 1) * m])
            np.testing.assert_allclose(got.mean, want.mean, rtol=0, atol=1e-14)
            np.testing.assert_allclose(got.cov, want.cov, rtol=0, atol=1e-14)
            assert got.points_are_vertices and want.points_are_vertices
            assert {tuple(p) for p in got.points} == {tuple(p) for p in want.points}
