"""The certificate's multipliers in the user's units satisfy their defining relations.

The solver works in internal units; the multipliers it reports must be mapped
back exactly.  Independent expectations: at the returned Gram matrix ``G``,
``Lambda = lam_out G^-1 Q G^-1 - lam_in P`` (autoencoder) and
``Lambda = nu C + mu G^-1 Q G^-1`` (fixed variance), and every neuron of an
optimal code has zero reduced cost ``phi(w) - w^T Lambda w``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from biomodular import Sources
from biomodular.solvers.energy import phi_values
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import OPTIMAL, solve_code


@pytest.fixture(scope="module")
def sources():
    """A cut corner in unequal units, so that the internal unit is far from 1."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.0, 1.0, (3000, 2))
    X = X[X.sum(axis=1) >= -1.0]
    X = np.vstack([X, [[1, 1], [-1, 1], [1, -1], [0, -1], [-1, 0]]])
    return Sources.from_samples(X * np.array([0.3, 7.0]))


def _solve(sources, problem):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_code(sources, problem)


def test_autoencoder_multiplier_in_user_units(sources):
    B = np.array([[1.0, 0.4], [0.0, 1.5]])
    result = _solve(sources, Problem.autoencoder(lam_in=0.5, lam_out=2.0, B=B))
    Gi = np.linalg.inv(result.gram)
    expected = 2.0 * Gi @ (B.T @ B) @ Gi - 0.5 * np.eye(2)
    Lam = result.certificate.multipliers["Lambda"]
    assert np.allclose(Lam, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())
    # every neuron is priced at zero, to the certified gap
    U = result.tunings / np.linalg.norm(result.tunings, axis=1, keepdims=True)
    phi = phi_values(sources.centred_points, sources.cov, U)
    reduced = phi - np.einsum("ij,jk,ik->i", U, Lam, U)
    assert np.all(np.abs(reduced) <= 1e-6 * phi)


def test_fixed_variance_multipliers_in_user_units(sources):
    iso = 2 * np.trace(sources.cov) / 3.0  # readout energy of the isotropic code of variance 3
    result = _solve(sources, Problem.fixed_variance(3.0, readout_budget=1.05 * iso))
    assert result.status == OPTIMAL
    m = result.certificate.multipliers
    Gi = np.linalg.inv(result.gram)
    readout_term = m["mu"] * Gi @ Gi
    assert m["mu"] > 0 and m["nu"] > 0  # both constraints active
    difference = m["Lambda"] - m["nu"] * sources.cov
    assert np.allclose(difference, readout_term, rtol=1e-6, atol=1e-12 * np.abs(m["Lambda"]).max())
    # the code meets both constraints exactly and its value is its activity energy
    assert result.energy["variance"] == pytest.approx(3.0, rel=1e-12)
    assert result.energy["readout_weights"] <= 1.05 * iso * (1 + 1e-12)
