"""Results in notebooks (``_repr_html_``) and in pandas (``to_frame``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import biomodular as bm

pd = pytest.importorskip("pandas")


def _cells(markup: str) -> list[str]:
    """Text of every table cell; parsing as XML also proves the markup well formed."""
    root = ET.fromstring(markup)
    return ["".join(cell.itertext()) for cell in root.iter() if cell.tag in ("td", "th")]


@pytest.fixture(scope="module")
def cut_corner():
    samples, names = bm.examples.load("cut-corner", seed=0)
    return bm.Sources.from_samples(samples, names=["<x>", "y & z"])


def test_check_result_html_shows_verdict_margin_and_witness(cut_corner):
    result = bm.check_modularity(cut_corner)
    markup = result._repr_html_()
    cells = _cells(markup)
    assert result.verdict == "mixed" and ">mixed<" in markup
    assert f"{result.margin:.6g}" in cells
    assert any("<x>" in c and "y & z" in c for c in cells)  # names escaped, then shown as written
    assert "<x>" not in markup.replace("&lt;x&gt;", "")


def test_code_result_frame_and_html_hold_every_neuron(cut_corner):
    result = bm.solve_code(cut_corner)
    table = result.to_frame()
    assert len(table) == len(result.neurons)
    np.testing.assert_array_equal(table[["w_<x>", "w_y & z"]].to_numpy(), result.tunings)
    np.testing.assert_array_equal(table["bias"].to_numpy(), result.biases)
    assert table["modular"].tolist() == [n.modular for n in result.neurons]
    cells = _cells(result._repr_html_())
    for neuron in result.neurons:
        assert f"{float(neuron.tuning[0]):.6g}" in cells


def test_sweep_table_to_frame_keeps_rows_and_column_order(cut_corner):
    table = bm.sweep(cut_corner, lam_in=[0.5, 1.0])
    df = table.to_frame()
    assert list(df.columns) == list(table.columns)
    assert df["value"].tolist() == table.column("value")
    assert len(_cells(table._repr_html_())) == len(table.columns) * (len(table) + 1)


def test_verify_result_frame_and_html():
    samples, names = bm.examples.load("square", seed=0)
    result = bm.verify_code(samples[:400], names, seeds=2, max_steps=300)
    df = result.to_frame()
    assert df["seed"].tolist() == [0, 1]
    assert df["loss"].tolist() == [r.loss for r in result.runs]
    cells = _cells(result._repr_html_())
    assert "seed" in cells and "converged" in cells


def test_to_frame_without_pandas_says_what_to_install(cut_corner, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(bm.BiomodularError, match="pip install pandas"):
        bm.solve_code(cut_corner).to_frame()


def _colour_of(markup: str, word: str) -> str:
    import re

    found = re.findall(r"<span style='color:(#[0-9a-f]{6});font-weight:bold'>" + word + "</span>", markup)
    assert found, (word, markup[:300])
    return found[0]


def test_every_verdict_and_population_call_has_its_own_colour_and_nothing_else_does():
    """The notebook colours cover exactly the words results answer with (second route: the
    tuples the solvers define), and a verdict is never coloured like its opposite."""
    from biomodular.display import _VERDICT_COLOURS
    from biomodular.solvers.check import VERDICTS
    from biomodular.solvers.population import POPULATIONS

    assert set(_VERDICT_COLOURS) == set(VERDICTS) | set(POPULATIONS)
    assert "borderline" not in _VERDICT_COLOURS
    assert len({_VERDICT_COLOURS[w] for w in ("modular", "mixed", "tie")}) == 3


def test_check_html_shows_the_exact_verdict_the_population_and_the_sentence():
    samples = np.random.default_rng(2).uniform(-1, 1, (5_000, 2))  # a sliver: mixed samples, modular population
    result = bm.check_samples(samples, seed=0)
    markup = result._repr_html_()
    cells = _cells(markup)
    from biomodular.display import _VERDICT_COLOURS

    assert result.verdict == "mixed" and result.sampling.population == "modular"
    assert _colour_of(markup, "mixed") == _VERDICT_COLOURS["mixed"]
    assert _colour_of(markup, "modular") == _VERDICT_COLOURS["modular"]
    assert f"{result.rounding_bound:.6g}" in cells and f"{result.witness_angle:.6g}" in cells
    assert result.advantage_words() in cells
    assert "the population&#x27;s code is modular" in markup or "the population's code is modular" in markup
    ET.fromstring(markup)  # well formed


def test_check_html_colours_a_tie_and_an_undetermined_verdict():
    """Real results of each kind: the regular octagon ties; a search without a violation
    or a certificate is undetermined (a square with a small corner cut)."""
    from biomodular.display import _VERDICT_COLOURS

    angles = np.arange(8) * np.pi / 4 + np.pi / 8
    tie = bm.check_modularity(bm.Sources.from_samples(np.column_stack([np.cos(angles), np.sin(angles)])))
    grid = np.array(np.meshgrid(np.linspace(-1, 1, 21), np.linspace(-1, 1, 21))).reshape(2, -1).T
    cut = grid[grid.sum(axis=1) >= -1.6]
    undetermined = bm.check_modularity(bm.Sources.from_samples(cut), method="search")
    for result, verdict in ((tie, "tie"), (undetermined, "undetermined")):
        assert result.verdict == verdict
        assert _colour_of(result._repr_html_(), verdict) == _VERDICT_COLOURS[verdict]
