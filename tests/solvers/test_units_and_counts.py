"""Quantities that must not depend on the units of the sources, and counts that must add up."""

from __future__ import annotations

import numpy as np
import pytest

from biomodular import Sources
from biomodular.solvers.check import check_modularity
from biomodular.solvers.sweep import sweep


def _cut_corner_samples(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (4 * n, 2))
    X = X[X.sum(axis=1) >= -1.0][:n]
    vertices = np.array([[1, 1], [-1, 1], [1, -1], [0, -1], [-1, 0]], float)
    return np.vstack([X, vertices])


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e4, 1e8])
def test_mixed_sources_do_not_depend_on_units(scale):
    """Measuring one source in other units changes neither the verdict nor which sources mix."""
    S = _cut_corner_samples()
    S[:, 1] *= scale
    result = check_modularity(Sources.from_samples(S, ["a", "b"]))
    assert result.verdict == "mixed"
    # the cut corner x + y >= -1 is symmetric in the two sources: both mix
    assert result.mixes == ("a", "b")


def _mixed_by_angle(tunings, beta, degrees=5.0):
    """Neurons at least ``degrees`` from every axis in beta-scaled units (an independent count of the
    documented definition: mixed from 5 degrees)."""
    U = np.abs(tunings * beta) / np.linalg.norm(tunings * beta, axis=1, keepdims=True)
    return int(np.sum(np.degrees(np.arccos(np.clip(U.max(axis=1), 0.0, 1.0))) >= degrees))


def test_sweep_counts_mixed_and_modular_neurons_correctly():
    square = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], float)
    rng = np.random.default_rng(1)
    square = np.vstack([square, rng.uniform(-1, 1, (400, 2))])
    data = {
        "square": Sources.from_samples(square),  # modular: two axis neurons
        "cut": Sources.from_samples(_cut_corner_samples()),  # mixed
    }
    table = sweep(data, lam_out=[1.0, 4.0], processes=1, keep_results=True)
    for row, result in zip(table.rows, table.results):
        expected = _mixed_by_angle(result.tunings, data[row["dataset"]].beta)
        assert row["n_mixed"] == expected
        assert 0 <= row["n_mixed"] <= row["n_neurons"]
        if row["dataset"] == "square":
            assert row["n_mixed"] == 0 and row["n_neurons"] == 2 and not row["mixed"]
        else:
            assert row["n_mixed"] >= 1 and row["mixed"]
