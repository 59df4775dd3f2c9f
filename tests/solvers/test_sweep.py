"""Sweeps: one compiled program re-solved with Parameters, deterministic across processes."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from biomodular import BiomodularError, Sources
from biomodular.solvers.master import ProgramCache
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import ColumnGeneration, solve_code
from biomodular.solvers.sweep import COLUMNS, SweepTable, sweep

CUT = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 0.2], [0.2, 1], [-1, 1]])
SQUARE = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 1], [-1, 1]])


def test_restricted_programs_are_dpp():
    for problem in (Problem.autoencoder(), Problem.fixed_variance(1.0)):
        cache = ProgramCache()
        ColumnGeneration(CUT, problem, programs=cache)
        assert len(cache) == 1
        for program in cache.compiled():
            assert program.is_dpp()


def test_sweep_values_equal_fresh_solves_and_obey_homogeneity():
    table = sweep(CUT, lam_in=[0.1, 1.0], lam_out=[1.0, 4.0], processes=1)
    assert len(table) == 4
    for row in table:
        fresh = solve_code(CUT, Problem.autoencoder(row["lam_in"], row["lam_out"]))
        assert row["value"] == pytest.approx(fresh.value, rel=1e-10)
        assert row["status"] == "optimal" and row["mixed"]
    by = {(r["lam_in"], r["lam_out"]): r["value"] for r in table}
    for lam_in in (0.1, 1.0):  # V(lam_in, 4) = 2 V(lam_in, 1)
        assert by[(lam_in, 4.0)] == pytest.approx(2 * by[(lam_in, 1.0)], rel=1e-9)


def test_sweep_is_deterministic_whatever_the_number_of_processes():
    kwargs = dict(lam_in=[0.0, 0.5, 2.0], lam_out=[0.5, 2.0], chunk_size=2)
    one = sweep({"cut": CUT, "square": SQUARE}, processes=1, **kwargs)
    two = sweep({"cut": CUT, "square": SQUARE}, processes=2, **kwargs)
    drop = ("seconds",)
    strip = [{k: v for k, v in r.items() if k not in drop} for r in one]
    assert strip == [{k: v for k, v in r.items() if k not in drop} for r in two]
    assert [r["dataset"] for r in one] == ["cut"] * 6 + ["square"] * 6
    assert not any(r["mixed"] for r in one if r["dataset"] == "square")
    assert all(r["mixed"] for r in one if r["dataset"] == "cut")


def test_table_exports_and_fixed_variance_sweep(capsys):
    table = sweep(
        [CUT], Problem.fixed_variance(1.0, 20.0), variance=[1.0, 2.0], processes=1, progress=True, keep_results=True
    )
    assert "sweep" in capsys.readouterr().err
    assert isinstance(table, SweepTable) and len(table.results) == 2
    rows = list(csv.DictReader(io.StringIO(table.to_csv())))
    assert list(rows[0]) == list(COLUMNS)
    assert float(rows[1]["value"]) == pytest.approx(table[1]["value"])
    payload = json.loads(json.dumps(table.to_dict()))
    assert payload["columns"] == list(COLUMNS) and len(payload["rows"]) == 2
    assert table.column("variance") == [1.0, 2.0]
    assert "SweepTable(2 rows" in repr(table)


def test_sweep_rejects_bad_input():
    with pytest.raises(BiomodularError):
        sweep(CUT, lam_out=[1.0, 0.0])
    with pytest.raises(BiomodularError):
        sweep([])
    with pytest.raises(BiomodularError):
        sweep(CUT, lam_in=[np.nan])
    with pytest.raises(BiomodularError):
        sweep(CUT, processes=0)
    with pytest.raises(BiomodularError):  # coefficient of the other problem kind
        sweep(CUT, Problem.fixed_variance(1.0), lam_in=[1.0])
