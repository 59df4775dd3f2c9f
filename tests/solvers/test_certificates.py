"""A certificate is never contradicted by a known code.

The closed-form modular code is always feasible, so (i) the returned code is
never worse than it and (ii) a lower bound above its loss cannot be rigorous.
The hard inputs: an ill-conditioned readout ``B = diag(1, 1e-9)`` and sources
10^6 apart in scale without an encoder cost.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from biomodular import Sources
from biomodular.solvers import program
from biomodular.solvers.energy import code_loss
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import OPTIMAL, modular_code, modular_value, solve_code

ROUNDING = 1e-12


def cut_corner(scale_second=1.0, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (2 * n, 2))
    X = X[X.sum(axis=1) >= -1.0][:n]
    X = np.vstack([X, [[1, 1], [-1, 1], [1, -1], [0, -1], [-1, 0]]])
    X[:, 1] *= scale_second
    return Sources.from_samples(X)


def _solve(sources, problem):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_code(sources, problem)


def _consistent(result):
    mod = result.modular_value
    assert result.value <= mod * (1 + ROUNDING)
    cert = result.certificate
    if cert.rigorous:
        assert cert.lower_bound <= min(result.value, mod) * (1 + ROUNDING)
    if result.status == OPTIMAL:
        assert cert.rigorous


def test_ill_conditioned_readout_is_never_worse_than_modular():
    _consistent(_solve(cut_corner(), Problem.autoencoder(B=np.diag([1.0, 1e-9]))))


def test_sources_a_million_apart_without_encoder_cost_are_never_worse_than_modular():
    _consistent(_solve(cut_corner(scale_second=1e6), Problem.autoencoder(lam_in=0.0)))


def test_the_modular_code_attains_the_closed_form_value():
    sources = cut_corner(scale_second=3.0)
    problem = Problem.autoencoder(lam_in=0.3, lam_out=2.0, B=np.array([[1.0, 0.5], [0.0, 2.0]]))
    T = modular_code(sources, problem)
    assert np.count_nonzero(T) == 2 and np.count_nonzero(T, axis=1).max() == 1
    value, how = modular_value(sources, problem)
    assert how == "closed form"
    assert code_loss(sources, problem, T)["value"] == pytest.approx(value, rel=1e-13)


def test_a_bound_above_a_known_code_is_not_rigorous_and_not_optimal(monkeypatch):
    """Whatever produced it, a lower bound above the modular code's loss is not a proof."""
    sources = cut_corner()
    honest = _solve(sources, Problem.autoencoder())
    assert honest.status == OPTIMAL and honest.certificate.rigorous
    monkeypatch.setattr(program, "lower_bound", lambda *args, **kwargs: 1e3)
    result = _solve(sources, Problem.autoencoder())
    assert not result.certificate.rigorous
    assert result.status != OPTIMAL
    assert result.value <= result.modular_value * (1 + ROUNDING)


@settings(max_examples=8)
@given(st.sampled_from([1.0, 1e-3, 1e3, 1e6]), st.sampled_from([0.0, 1.0]), st.sampled_from([1.0, 1e-4, 1e-9]))
@example(1.0, 1.0, 1e-9)
@example(1e6, 0.0, 1.0)
def test_no_known_code_contradicts_the_certificate(scale, lam_in, readout):
    _consistent(
        _solve(cut_corner(scale_second=scale, n=600), Problem.autoencoder(lam_in=lam_in, B=np.diag([1.0, readout])))
    )
