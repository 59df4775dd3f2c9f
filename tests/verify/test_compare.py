"""The verifier on the standard examples, its JSON and report, and the CLI."""

import json

import numpy as np
import pytest

from biomodular import examples
from biomodular.cli import main
from biomodular.errors import BiomodularError
from biomodular.verify.compare import verify_code
from biomodular.verify.training import train
from biomodular.verify.models import ExactLinearAE


@pytest.fixture(scope="module")
def results():
    out = {}
    for name in ("square", "cut-corner", "triangle"):
        samples, names = examples.load(name, seed=0)
        out[name] = verify_code(samples, names, seeds=2, max_steps=8000)
    return out


def test_gap_is_nonnegative_and_small(results):
    for name, r in results.items():
        assert r.optimum_status == "optimal", name
        for run in r.runs:
            # the projected code is feasible: its loss is an upper bound of the certified optimum
            assert run.projected_loss >= r.optimum * (1 - max(r.optimum_relative_gap, 1e-12)), name
            assert run.gap >= -max(r.optimum_relative_gap, 1e-12)
            assert run.gap < 0.01, (name, run.gap)


def test_modular_example_trains_modular(results):
    r = results["square"]
    assert r.check_verdict == "modular"
    assert all(run.verdict == "modular" for run in r.runs)
    assert r.agreement == len(r.runs)
    assert all(run.max_mixing_angle < 1.0 for run in r.runs)


@pytest.mark.parametrize("name", ["cut-corner", "triangle"])
def test_mixed_examples_train_a_mixed_neuron_along_the_witness(results, name):
    r = results[name]
    assert r.check_verdict == "mixed"
    assert r.agreement == len(r.runs)
    for run in r.runs:
        assert run.verdict == "mixed"
        assert run.witness_angle < 2.0
        assert run.match_angle < 2.0
        assert run.gram_error < 0.02
        # each trained neuron is a direction some optimum may use: reduced cost near zero
        assert run.max_reduced_cost < 0.02


def test_json_has_the_documented_fields(results):
    d = results["triangle"].to_dict()
    json.dumps(d)
    assert isinstance(d["optimum"], float)
    for run in d["runs"]:
        assert {"seed", "loss", "gap", "verdict", "max_mixing_angle"} <= set(run)


def test_training_is_reproducible_bit_for_bit():
    samples, _ = examples.load("triangle", seed=0)
    model = ExactLinearAE(2)
    a = train(model, samples[:300], seed=7, max_steps=400, batch_size=64)
    b = train(model, samples[:300], seed=7, max_steps=400, batch_size=64)
    c = train(model, samples[:300], seed=8, max_steps=400, batch_size=64)
    assert np.array_equal(a.params["W"], b.params["W"]) and a.loss == b.loss
    assert not np.array_equal(a.params["W"], c.params["W"])


def test_convergence_criterion_and_cap():
    samples, _ = examples.load("triangle", seed=0)
    model = ExactLinearAE(2)
    capped = train(model, samples[:300], seed=0, max_steps=100, window=50)
    assert not capped.converged and capped.steps == 100
    done = train(model, samples[:300], seed=0, max_steps=50_000, batch_size=None)
    assert done.converged and done.steps < 50_000
    # converged: the last two windows differ by less than tol (relative), at the smallest rate
    (_, l1, r1), (_, l2, r2) = done.history[-2:]
    assert abs(l1 - l2) <= 1e-4 * abs(l2) and r1 == r2 == min(r for _, _, r in done.history)


def test_learned_readout_model_agrees_too():
    samples, names = examples.load("triangle", seed=0)
    r = verify_code(samples[:800], names, seeds=1, model="learned", max_steps=8000)
    assert r.runs[0].verdict == "mixed" and r.agreement == 1
    assert 0 <= r.runs[0].gap + max(r.optimum_relative_gap, 1e-12) and r.runs[0].gap < 0.01


def test_bad_arguments_raise():
    samples, _ = examples.load("square", seed=0)
    with pytest.raises(BiomodularError):
        verify_code(samples, seeds=0)
    with pytest.raises(BiomodularError):
        verify_code(samples, model="deep")
    with pytest.raises(BiomodularError):
        verify_code(samples[:, :1])


def test_cli_json(capsys):
    status = main(
        ["verify", "--example", "triangle", "--seeds", "1", "--json", "--max-samples", "600", "--max-steps", "4000"]
    )
    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert out["optimum"] > 0 and len(out["runs"]) == 1
    assert out["runs"][0]["verdict"] == "mixed"


def test_cli_table_and_report_from_csv(tmp_path, capsys):
    samples, names = examples.load("cut-corner", seed=0)
    path = tmp_path / "data.csv"
    np.savetxt(path, samples[:500], delimiter=",", header=",".join(names), comments="")
    status = main(["verify", str(path), "--seeds", "2", "--max-steps", "4000", "--report", str(tmp_path / "rep")])
    assert status == 0
    out = capsys.readouterr().out
    assert "agreement with the theory" in out and "exact optimum" in out
    for f in ("report.md", "tunings.png", "training.png", "result.json"):
        assert (tmp_path / "rep" / f).stat().st_size > 0
    assert "![tuning directions](tunings.png)" in (tmp_path / "rep" / "report.md").read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["verify"],
        ["verify", "--example", "square", "--seeds", "0"],
        ["verify", "no-such-file.csv"],
        ["verify", "--example", "no-such-example"],
    ],
)
def test_cli_errors_exit_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("biomodular verify: error:")


def test_a_seed_that_did_not_reach_the_optimum_does_not_agree():
    """Stopped long before convergence, a seed can be mixed along the witness and still be far from
    the optimum: it must not count as agreeing with the theory."""
    samples, names = examples.load("cut-corner", seed=0)
    r = verify_code(samples, names, seeds=1, max_steps=60, processes=1)
    run = r.runs[0]
    assert run.gap > 0.01
    assert r.reached == 0 and r.agreement == 0
    assert "0/1 seeds reached the optimum" in r.summary()
