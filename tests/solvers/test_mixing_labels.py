"""solve, sweep and verify label the same neuron the same way (the one definition in biomodular.mixing).

The expectations are computed here from the tunings by a separate route: the angle of the
beta-scaled tuning ``t_j beta_j`` to the nearest axis, mixed from 5 degrees (the documented
MIXED_ANGLE_DEGREES), modular when the off-axis weights are at most 1e-6 of the largest.
"""

from __future__ import annotations

import numpy as np
import pytest

from biomodular import Sources
from biomodular.mixing import MIXED_ANGLE_DEGREES
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code
from biomodular.solvers.sweep import sweep
from biomodular.verify.compare import verify_code


def _degrees_off_axes(tunings, beta):
    U = np.abs(np.atleast_2d(tunings) * beta)
    return np.degrees(np.arccos(np.clip(U.max(axis=1) / np.linalg.norm(U, axis=1), 0.0, 1.0)))


def _expected_kinds(tunings, beta):
    U = np.abs(np.atleast_2d(tunings) * beta)
    off = np.sort(U, axis=1)[:, -2] / U.max(axis=1)  # the largest off-axis weight, relative
    angles = _degrees_off_axes(tunings, beta)
    return ["modular" if o <= 1e-6 else "mixed" if a >= 5.0 else "sliver" for o, a in zip(off, angles)]


def _slivers_only():
    # 1000 uniform samples of a square (no corners): the exact optimum tilts every neuron by
    # a fraction of a degree (checked below), and the second source is in units 100 times larger
    rng = np.random.default_rng(1)
    return rng.uniform(-1, 1, (1000, 2)) * [1.0, 100.0]


def _cut_corner():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.0, 1.0, (1200, 2))
    X = X[X.sum(axis=1) >= -1.0][:400]
    return np.vstack([X, [[1, 1], [-1, 1], [1, -1], [0, -1], [-1, 0]]]) * [1.0, 100.0]


def test_the_documented_threshold():
    assert MIXED_ANGLE_DEGREES == 5.0


@pytest.mark.parametrize("make, any_mixed", [(_slivers_only, False), (_cut_corner, True)])
def test_solve_and_sweep_label_neurons_by_the_beta_scaled_angle(make, any_mixed):
    sources = Sources.from_samples(make(), ["x", "y"])
    problem = Problem.autoencoder(1.0, 1.0)
    result = solve_code(sources, problem)
    expected = _expected_kinds(result.tunings, sources.beta)
    assert [n.kind.kind for n in result.neurons] == expected
    assert [n.mixed for n in result.neurons] == [k == "mixed" for k in expected]
    assert [n.modular for n in result.neurons] == [k == "modular" for k in expected]
    assert result.mixed is any_mixed
    if not any_mixed:
        # the case a raw-unit or exact-zero test got wrong: tilted, yet not mixed
        assert "sliver" in expected and result.verdict == "mixed"
    table = sweep({"data": sources}, lam_in=[1.0], lam_out=[1.0], processes=1, keep_results=True)
    (row,), (swept,) = table.rows, table.results
    assert row["n_mixed"] == expected.count("mixed") == sum(n.mixed for n in swept.neurons)
    assert row["mixed"] is any_mixed


def test_verify_labels_trained_neurons_by_the_same_angle():
    samples = _cut_corner()
    sources = Sources.from_samples(samples, ["x", "y"])
    r = verify_code(samples, ["x", "y"], seeds=2, max_steps=300)
    for run in r.runs:
        angles = _degrees_off_axes(run.tuning, sources.beta)
        assert run.verdict == ("mixed" if (angles >= 5.0).any() else "modular")
        assert run.max_mixing_angle == pytest.approx(angles.max(), abs=1e-9)
    # and the optimum's neurons, labelled by solve, are the ones verify matches against
    result = solve_code(sources, Problem.autoencoder(1.0, 1.0))
    assert any(n.mixed for n in result.neurons) and r.check_verdict == "mixed"
