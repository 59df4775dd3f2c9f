"""The reproduce package: registry, outcome records, output files, command line, generated docs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from biomodular import reproduce
from biomodular.errors import BiomodularError
from biomodular.reproduce.base import Check, Finding, Measurement

ROOT = Path(__file__).resolve().parents[2]


def _toy(passed):
    def measure(full, seed):
        return Measurement(
            {"x": 1.5, "n": 2.0 if full else 1.0, "bad": float("nan")},
            (Check("x > 1", True), Check("other", passed)),
            settings={"seed": seed},
        )

    return Finding("toy", "paper", "claim", "summary", measure, lambda o, fig: None)


def test_agrees_is_the_conjunction_of_the_checks():
    assert _toy(True).run().agrees
    failed = _toy(False).run(full=True, seed=3)
    assert not failed.agrees and failed.size == "full" and failed.measured["n"] == 2.0
    d = failed.to_dict()
    assert d["agrees"] is False and d["measured"]["bad"] is None
    json.dumps(d)  # JSON-ready


def test_a_finding_without_checks_does_not_agree():
    f = Finding("none", "p", "c", "s", lambda full, seed: Measurement({}, ()), lambda o, fig: None)
    assert not f.run().agrees


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seed_is_refused(seed):
    with pytest.raises(BiomodularError):
        _toy(True).run(seed=seed)


def test_unknown_name_is_one_error():
    with pytest.raises(BiomodularError, match="reproduce --list"):
        reproduce.get("no-such-finding")


def test_every_registered_finding_is_complete():
    for name in reproduce.names():
        f = reproduce.get(name)
        assert f.name == name and f.paper and f.claim and f.summary


def test_output_dir_is_validated(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(BiomodularError, match="not a directory"):
        reproduce.prepare_output_dir(a_file)
    assert reproduce.prepare_output_dir(tmp_path / "new" / "dir").is_dir()


def _cli(*args):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "biomodular", "reproduce", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_cli_list_and_errors(tmp_path):
    listed = _cli("--list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == reproduce.names()
    for args in (["no-such"], [], ["single-datapoint", "--out", "/dev/null"]):
        r = _cli(*args)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, args


def test_cli_writes_json_markdown_and_figure(tmp_path):
    r = _cli("single-datapoint", "--json", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    assert {"name", "paper", "claim", "measured", "agrees"} <= set(printed)
    assert isinstance(printed["agrees"], bool)
    assert all(v is None or isinstance(v, float) for v in printed["measured"].values())
    written = json.loads((tmp_path / "out" / "single-datapoint.json").read_text())
    del written["seconds"], printed["seconds"]
    assert written == printed
    assert (tmp_path / "out" / "single-datapoint.png").read_bytes()[:4] == b"\x89PNG"
    assert "single-datapoint.png" in (tmp_path / "out" / "single-datapoint.md").read_text()


def test_runs_are_reproducible_bit_for_bit(outcome):
    again = reproduce.run("single-datapoint")
    assert again.to_dict(timing=False) == outcome("single-datapoint").to_dict(timing=False)


@pytest.mark.slow
def test_docs_page_is_current(outcome):
    from biomodular.reproduce.render_docs import render

    committed = (ROOT / "docs" / "reproduce.md").read_text(encoding="utf-8")
    assert render(outcome(n) for n in reproduce.names()) == committed, (
        "regenerate: python -m biomodular.reproduce.render_docs docs/reproduce.md"
    )
    for name in reproduce.names():
        assert (ROOT / "docs" / "img" / f"reproduce-{name}.png").is_file()


def test_run_many_in_processes_equals_each_run(outcome):
    chosen = ["frequency-ratios", "single-datapoint"]
    outcomes = reproduce.run_many(chosen, processes=2, show=False)
    assert [o.name for o in outcomes] == chosen
    for got, name in zip(outcomes, chosen):
        assert got.to_dict(timing=False) == outcome(name).to_dict(timing=False)
    with pytest.raises(BiomodularError):
        reproduce.run_many(["frequency-ratios", "no-such"])  # refused before any work
    with pytest.raises(BiomodularError):
        reproduce.run_many([])


def test_cli_runs_several_findings_as_a_json_array():
    r = _cli("frequency-ratios", "single-datapoint", "--json", "--workers", "2")
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    assert [o["name"] for o in printed] == ["frequency-ratios", "single-datapoint"]
    both = _cli("single-datapoint", "--all")
    assert both.returncode == 2 and both.stderr.count("\n") == 1
