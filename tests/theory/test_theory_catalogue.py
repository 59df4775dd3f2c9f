"""Every theorem of the catalogue is proved; the CLI, JSON, Jupyter and the generated docs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from biomodular.cli import main
from biomodular.theory.catalogue import AXIOMS, CATALOGUE, get, names
from biomodular.theory.proof import Eq, Identity, Proof

ROOT = Path(__file__).resolve().parents[2]

REQUIRED = {
    "modular-code",
    "lambda-independence",
    "ellipse-in-hull",
    "range-independence",
    "energy-identity",
    "rotation-example",
    "iclr2023-theorem2",
    "mixture-information",
    "cut-square-threshold",
    "cut-cube-threshold",
    "readout-variance-bound",
    "nuclear-norm-bound",
}


def test_catalogue_covers_the_required_theorems():
    assert REQUIRED <= set(names())


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_theorem_is_proved(name):
    proof = get(name)
    result = proof.check()
    failed = [(s.name, r.refusal, r.detail[:200]) for s, r in zip(proof.steps, result.steps) if not r.ok]
    assert not failed, failed
    assert result.concludes and not result.unused_hypotheses and not result.problems, result
    assert not any(r.disagreement for r in result.steps)
    # at least one step re-decided by z3, unless every claim is outside its fragment
    assert len(proof.steps) >= 2 and proof.conclusion is not None
    for c in proof.constants:  # every constant has an exact value and a finite decimal
        value = complex(sp.N(c.value, 20))
        assert abs(value.imag) < 1e-15 and abs(value.real) < 1e12
    for axiom in proof.axioms():
        assert axiom in AXIOMS and AXIOMS[axiom].reference


def test_thresholds_are_the_independently_derived_values():
    """c* of the square and the cube, as rederived by two other routes (kept to 14 digits)."""
    for name, value in (("cut-square-threshold", 1.25588435398163), ("cut-cube-threshold", 1.58778989696330)):
        proof = get(name)
        cstar = next(c for c in proof.constants if c.name == "c^*")
        assert abs(float(sp.N(cstar.value, 30)) - value) < 5e-15
        # the constant is the value the checked RootOf step established
        root = next(s for s in proof.steps if s.kind == "root")
        assert root.value == cstar.value


def test_docs_theory_md_is_up_to_date():
    from biomodular.theory.render_docs import GRAPH_PATH, dependency_graph_svg, render

    committed = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
    assert render() == committed, "regenerate: python -m biomodular.theory.render_docs docs/theory.md"
    graph = (ROOT / "docs" / GRAPH_PATH).read_text(encoding="utf-8")
    assert dependency_graph_svg() == graph, "regenerate: python -m biomodular.theory.render_docs docs/theory.md"


def test_docs_have_the_table_graph_and_axioms():
    from biomodular.theory.render_docs import GRAPH_PATH

    text = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
    assert f"]({GRAPH_PATH})" in text and "| theorem | statement | hypotheses | lemmas | axioms | status |" in text
    assert "mermaid" not in text  # the graph is an image, not a diagram script that needs a network
    for a in AXIOMS:
        assert f"`{a}`" in text


def test_the_dependency_graph_is_drawn_from_the_catalogue():
    """Every theorem and every axiom it rests on is a node, every use an arrow, and arrows run left to right."""
    import re

    from biomodular.theory.graph import layers
    from biomodular.theory.render_docs import catalogue_edges, dependency_graph_svg

    edges = catalogue_edges()
    svg = dependency_graph_svg()
    column = layers(edges)
    n_arrows = 0
    for name, (lemmas, axioms) in edges.items():
        assert f">{name}</text>" in svg
        for a in axioms:
            assert f">{a}</text>" in svg and column[f"axiom:{a}"] == 0 < column[name]
        for lemma in lemmas:
            assert column[lemma] < column[name]
        n_arrows += len(lemmas) + len(axioms)
    assert len(re.findall(r"marker-end=", svg)) == n_arrows  # one arrow per use
    assert len(re.findall(r"stroke-dasharray", svg)) == sum(len(a) for _, a in edges.values())
    # a lemma the catalogue does not cite is not drawn: the graph follows the proofs, it is not typed
    assert ">strong-duality</text>" in svg and "strong-duality" in edges["cut-square-threshold"][1]


def test_a_cycle_in_the_dependencies_is_refused():
    from biomodular.theory.graph import layers

    with pytest.raises(ValueError, match="cycle"):
        layers({"a": (["b"], []), "b": (["a"], [])})


def test_cli_list_shows_status_and_foundations(capsys):
    assert main(["prove", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == names()
    assert all(line.split()[1] == "proved" for line in lines)
    assert all("lemmas=" in line and "axioms=" in line for line in lines)
    square = next(line for line in lines if line.startswith("cut-square-threshold"))
    assert "ellipse-in-hull" in square and "modularity-necessity" in square


def test_cli_bad_name_exits_2_with_one_line(capsys):
    assert main(["prove", "no-such-theorem"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--list" in err[0]
    assert main(["prove"]) == 2


def test_cli_markdown_json_and_out(tmp_path, capsys):
    assert main(["prove", "rotation-example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## `rotation-example`") and "**Theorem**" in out
    assert main(["prove", "rotation-example", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["statement"]["hypotheses"] and data["statement"]["conclusion"]["rel"] == "all"
    step = data["steps"][1]
    assert step["premises"] and step["method"] == "identity"
    assert set(step["sympy"]) == {"symbolic", "numeric", "detail"} and "z3" in step
    assert main(["prove", "rotation-example", "--out", str(tmp_path / "missing" / "x.md")]) == 2
    target = tmp_path / "r.tex"
    assert main(["prove", "rotation-example", "--format", "tex", "--out", str(target)]) == 0
    assert target.read_text().startswith("\\documentclass")


def test_cli_exit_1_when_not_proved(monkeypatch, capsys):
    x = sp.Symbol("x", real=True)
    bad = Proof(name="rotation-example", title="bad")
    bad.conclusion = Eq(x, x + 1)
    bad.add(Identity(x, x + 1, "false on purpose"))
    import biomodular.theory as theory

    monkeypatch.setattr(theory, "prove", lambda name, seed=0: bad)
    assert main(["prove", "rotation-example"]) == 1
    assert "not proved" in capsys.readouterr().err


def test_importing_theory_does_not_import_sympy():
    code = "import sys, biomodular.theory; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_to_dict_is_json_ready_and_jupyter_renders():
    from biomodular.theory import cut_box

    proof = get("cut-square-threshold")
    d = proof.to_dict()
    assert d["ok"] and json.loads(json.dumps(d)) == d
    assert any(c["name"] == "c^*" and abs(c["decimal"] - 1.2558843539816) < 1e-12 for c in d["constants"])
    assert {"ellipse-in-hull", "modularity-necessity"} <= set(d["lemmas"])
    assert proof._repr_markdown_().startswith("## ") and "\\forall" in proof._repr_latex_()
    m = cut_box(2).to_dict()
    assert json.loads(json.dumps(m)) == m and m["parameters"] == ["c"]


def test_catalogue_titles_are_the_proofs_titles():
    for name, (_, _, title) in CATALOGUE.items():
        assert get(name).title == title and get(name).name == name
