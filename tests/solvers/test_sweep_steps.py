"""Tests written for mutants of sweep.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biomodular import Sources
from biomodular.solvers.problem import Problem
from biomodular.solvers.sweep import sweep

SQUARE = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 1], [-1, 1]])


def test_a_sweep_table_cannot_be_changed_after_the_sweep():
    table = sweep(SQUARE, lam_out=[1.0], processes=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.rows = ()


def test_coefficients_are_keyword_only_and_the_problem_can_be_named():
    # a list given third cannot be taken for lam_in
    with pytest.raises(TypeError):
        sweep(SQUARE, None, [1.0, 2.0])
    table = sweep(SQUARE, problem=Problem.autoencoder(1.0, 1.0), lam_out=[2.0], processes=1)
    # the modular code of the square: 2 sum_j sqrt(lam_out (E_j + lam_in)), E_j = 1/3 + 1
    assert table[0]["value"] == pytest.approx(2 * 2 * np.sqrt(2.0 * (1 / 3 + 1 + 1.0)), rel=1e-7)


def test_defaults_keep_no_results_and_a_block_of_one_point_is_allowed():
    import time

    started = time.perf_counter()
    table = sweep(SQUARE, lam_out=[1.0, 4.0], chunk_size=1, processes=1)
    wall = time.perf_counter() - started
    assert table.results is None  # full results only when asked for
    assert 0 < table.seconds <= wall
    # V(lam_in, lam_out) = sqrt(lam_out) V(lam_in, 1): one program per point gives the same scaling
    assert table[1]["value"] == pytest.approx(2 * table[0]["value"], rel=1e-9)


def test_every_point_is_validated_before_any_block_runs(monkeypatch):
    from biomodular.errors import BiomodularError
    from biomodular.solvers import program

    built = []
    original = program.ColumnGeneration.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(program.ColumnGeneration, "__init__", counting)
    with pytest.raises(BiomodularError, match="lam_out"):
        sweep(SQUARE, lam_out=[1.0, 2.0, 0.0], chunk_size=1, processes=1)  # the bad point is in the last block
    assert built == []
