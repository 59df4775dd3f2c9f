"""Every theorem of the catalogue checks; the CLI and the generated docs."""

import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from biomodular.cli import main
from biomodular.theory.catalogue import CATALOGUE, get, names
from biomodular.theory.proof import Identity, Proof

ROOT = Path(__file__).resolve().parents[2]

REQUIRED = {
    "modular-code", "lambda-independence", "ellipse-in-hull", "range-independence", "energy-identity",
    "rotation-example", "iclr2023-theorem2", "mixture-information", "cut-square-threshold",
    "cut-cube-threshold", "readout-variance-bound", "nuclear-norm-bound",
}


def test_catalogue_covers_the_required_theorems():
    assert REQUIRED <= set(names())


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_step_checks(name):
    proof = get(name)
    result = proof.check()
    failed = [(i, s.claim_text()[:120], r.detail) for i, (s, r) in enumerate(zip(proof.steps, result.steps))
              if not r.ok]
    assert not failed, failed
    assert len(proof.steps) >= 2
    for c in proof.constants:  # every constant has an exact value and a finite decimal
        value = complex(sp.N(c.value, 20))
        assert abs(value.imag) < 1e-15 and abs(value.real) < 1e12


def test_docs_theory_md_is_up_to_date():
    from biomodular.theory.render_docs import render

    committed = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
    assert render() == committed, "regenerate: python -m biomodular.theory.render_docs docs/theory.md"


def test_cli_list(capsys):
    assert main(["prove", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == names()


def test_cli_bad_name_exits_2_with_one_line(capsys):
    assert main(["prove", "no-such-theorem"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--list" in err[0]
    assert main(["prove"]) == 2


def test_cli_markdown_and_latex_out(tmp_path, capsys):
    assert main(["prove", "rotation-example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## `rotation-example`") and "all steps checked" in out
    target = tmp_path / "r.tex"
    assert main(["prove", "rotation-example", "--format", "tex", "--out", str(target)]) == 0
    tex = target.read_text()
    assert "\\begin{enumerate}" in tex and "\\item" in tex
    assert main(["prove", "rotation-example", "--out", str(tmp_path / "missing" / "x.md")]) == 2


def test_cli_exit_1_when_a_step_fails(monkeypatch, capsys):
    x = sp.Symbol("x", real=True)
    bad = Proof(name="rotation-example", title="bad", statement="bad")
    bad.add(Identity(x, x + 1, "false on purpose"))
    import biomodular.theory as theory

    monkeypatch.setattr(theory, "prove", lambda name, seed=0: bad)
    assert main(["prove", "rotation-example"]) == 1
    assert "failed to check" in capsys.readouterr().err


def test_importing_theory_does_not_import_sympy():
    code = "import sys, biomodular.theory; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_to_dict_is_json_ready():
    import json

    from biomodular.theory import cut_box

    d = get("cut-square-threshold").to_dict()
    assert d["ok"] and json.loads(json.dumps(d)) == d
    assert any(c["name"] == "c^*" and abs(c["decimal"] - 1.2558843539816) < 1e-12 for c in d["constants"])
    m = cut_box(2).to_dict()
    assert json.loads(json.dumps(m)) == m and m["parameters"] == ["c"]
