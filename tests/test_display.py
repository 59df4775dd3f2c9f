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
