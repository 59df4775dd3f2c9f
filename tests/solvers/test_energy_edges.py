"""Edge cases of the closed-form energies found by mutation testing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from biomodular import Sources
from biomodular.solvers.energy import code_loss, lower_bound
from biomodular.solvers.problem import Problem


def test_lower_bound_accepts_a_matrix_that_is_psd_up_to_rounding():
    # G = I, Q = diag(4, 1), kappa = 1: M = Q - v I has eigenvalues 4 - v and 1 - v.  With
    # v = 1 + 4e-14 the smallest is -4e-14, rounding relative to the largest (about 3): the
    # bound clips it to zero, so M^1/2 Q M^1/2 = diag(4 (4 - v), 0) and the bound is
    # 2 sqrt(4 (4 - v)).
    v = 1.0 + 4e-14
    bound = lower_bound(1.0, np.diag([4.0, 1.0]), np.eye(2), v)
    assert bound == pytest.approx(2.0 * np.sqrt((4.0 - v) * 4.0), rel=1e-12)
    # a genuinely indefinite M has no bound
    assert lower_bound(1.0, np.diag([4.0, 1.0]), np.eye(2), 1.0 + 1e-6) == -np.inf


def test_code_loss_reads_the_problem_kind_by_value_not_identity():
    """A Problem rebuilt from JSON (a kind string made at run time) is the same problem."""
    rng = np.random.default_rng(0)
    sources = Sources.from_samples(rng.uniform(-1, 1, (500, 2)))
    original = Problem.autoencoder(lam_in=0.5, lam_out=2.0)
    kind = json.loads(json.dumps({"kind": "auto" + "encoder"[:]}))["kind"]
    rebuilt = Problem(kind, 0.5, 2.0)
    assert rebuilt.kind == original.kind
    T = np.array([[1.0, 0.2], [-0.3, 0.8]])
    assert code_loss(sources, rebuilt, T) == code_loss(sources, original, T)
