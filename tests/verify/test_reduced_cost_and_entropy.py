"""Verifier quantities checked against independent computations.

``max_reduced_cost`` is recomputed from the trained tunings and the certificate's
multiplier through the pricing function of the gap module; the binned entropy
is compared with hand-counted histograms and its upper bound ``log(bins)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from biomodular import Sources, examples
from biomodular.solvers.gap import gap_values
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code
from biomodular.verify.compare import verify_code
from biomodular.verify.metrics import entropy_binned


def test_max_reduced_cost_is_the_largest_over_the_active_neurons():
    samples, names = examples.load("cut-corner", seed=0)
    samples = samples[:1500]
    # Few steps: the network is far from optimal, so its neurons have distinct reduced costs.
    result = verify_code(samples, names, seeds=1, max_steps=300, n_neurons=6)
    run = result.runs[0]
    sources = Sources.from_samples(samples, names)
    Lam = solve_code(sources, Problem.autoencoder()).certificate.multipliers["Lambda"]
    U = run.tuning / np.linalg.norm(run.tuning, axis=1, keepdims=True)
    centred = samples - samples.mean(axis=0)
    phi = ((centred @ U.T) ** 2).mean(axis=0) + (centred @ U.T).min(axis=0) ** 2
    # phi(w) - w^T Lambda w = m(w)^2 - w^T (Lambda - C) w: the pricing function
    C = centred.T @ centred / len(centred)
    costs = gap_values(centred, Lam - C, U) / phi
    assert len(costs) >= 2 and np.ptp(costs) > 1e-3  # the test can tell the max from the min
    assert run.max_reduced_cost == pytest.approx(costs.max(), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("bins", [2, 5, 20])
def test_binned_entropy_counts_by_hand_and_never_exceeds_log_bins(bins):
    # bins + 1 equally spaced values: the largest shares the last bin with its neighbour
    x = np.linspace(0.0, 1.0, bins + 1)
    counts = np.array([1] * (bins - 1) + [2])
    p = counts / counts.sum()
    assert entropy_binned(x, bins) == pytest.approx(float(-(p * np.log(p)).sum()), rel=1e-12)
    rng = np.random.default_rng(bins)
    for _ in range(20):
        y = rng.standard_normal(int(rng.integers(2, 400)))
        assert entropy_binned(y, bins) <= math.log(bins) + 1e-12
    # two columns: the joint variable has at most bins^2 values
    Y = rng.uniform(size=(5000, 2))
    assert entropy_binned(Y, bins) <= 2 * math.log(bins) + 1e-12
