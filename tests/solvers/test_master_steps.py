"""Tests written for mutants of master.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from biomodular import BiomodularError, Sources
from biomodular.solvers.master import RestrictedMaster
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code
from biomodular.solvers.standardise import Standardisation

from .test_pool_pricing import _dense_dictionary_value

_X = np.random.default_rng(0).uniform(-1, 1, (2000, 2))
CUT = Sources.from_samples(_X[_X.sum(axis=1) >= -1.0])  # a square with a corner cut off
SQUARE = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 1], [-1, 1]])


def _master(sources, problem, dictionary, **kwargs):
    return RestrictedMaster(Standardisation.of(sources, problem).apply(sources, problem), dictionary, **kwargs)


def _runtime(text: str) -> str:
    """The same text as a new string object (as read from a file or a command line), not the interned literal."""
    built = "".join(list(text))
    assert built == text and built is not text
    return built


def test_problem_kinds_are_compared_by_value():
    # autoencoder on the square: the modular code, 2 sum_j sqrt(lam_out (E_j + lam_in)) with E_j = 1/3 + 1
    auto = solve_code(SQUARE, Problem(kind=_runtime("autoencoder"), lam_in=1.0, lam_out=1.0))
    assert auto.value == pytest.approx(2 * 2 * np.sqrt(1 / 3 + 1 + 1.0), rel=1e-9)
    # the certificate brackets that value: its upper end is the loss of the code returned
    assert auto.certificate.lower_bound <= auto.value * (1 + 1e-12)
    assert auto.certificate.upper_bound == pytest.approx(auto.value, rel=1e-9)
    # a mixed dataset: the optimum is below a dense-dictionary program's value (written in cvxpy)
    cut = solve_code(CUT, Problem(kind=_runtime("autoencoder")))
    assert cut.status == "optimal" and cut.value <= _dense_dictionary_value(CUT, Problem.autoencoder(), 720)
    fixed = dataclasses.replace(Problem.fixed_variance(2.0, 30.0), kind=_runtime("fixed_variance"))
    assert solve_code(CUT, fixed).status == "optimal"


def _dense_fixed_variance(sources, variance, budget, n=360):
    """The fixed-variance program over ``n`` evenly spread directions, written directly in cvxpy:
    an upper bound on the optimum (a finer dictionary can only do better)."""
    import cvxpy as cp

    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    W = np.column_stack([np.cos(angles), np.sin(angles)])
    C = sources.cov
    phi = np.einsum("ki,ij,kj->k", W, C, W) + (W @ sources.centred_points.T).min(axis=1) ** 2
    c = cp.Variable(n, nonneg=True)
    G = W.T @ cp.diag(c) @ W
    program = cp.Problem(cp.Minimize(phi @ c), [cp.trace(C @ G) >= variance, cp.matrix_frac(np.eye(2), G) <= budget])
    program.solve(solver="CLARABEL")
    assert program.status == cp.OPTIMAL
    return program.value


def test_a_fixed_variance_code_may_carry_more_than_the_required_variance():
    # A small readout budget forces a large Gram matrix: the variance carried (about 0.39) exceeds
    # the 0.1 required, so the variance constraint is an inequality, not an equality, and slack.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # certified: no SolverWarning
        result = solve_code(CUT, Problem.fixed_variance(0.1, 3.0))
    G = result.tunings.T @ result.tunings
    assert np.trace(CUT.cov @ G) > 0.3
    assert np.trace(np.linalg.inv(G)) == pytest.approx(3.0, rel=1e-9)  # the budget is what binds
    assert result.status == "optimal" and result.certificate.multipliers["nu"] == 0.0
    dense = _dense_fixed_variance(CUT, 0.1, 3.0)
    assert result.certificate.lower_bound <= dense
    assert result.value <= dense


def test_compact_keeps_the_axes_and_the_directions_in_use():
    rng = np.random.default_rng(3)
    extra = rng.standard_normal((6, 2))
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    axes = np.vstack([np.eye(2), -np.eye(2)])
    master = _master(CUT, Problem.autoencoder(), np.vstack([axes, extra]))
    weights = np.array([0.0, 1.0, 0.0, 0.0, 0.5, 0.0, 1e-12, 2.0, 0.0, 3e-9])
    master.compact(weights)
    # the four axes, and the extra directions weighing more than 1e-9 of the largest weight
    np.testing.assert_array_equal(master.dictionary, np.vstack([axes, extra[[0, 3, 5]]]))


def test_a_status_that_is_not_optimal_is_an_error_not_an_answer():
    master = _master(CUT, Problem.autoencoder(), np.vstack([np.eye(2), -np.eye(2)]))

    class Infeasible:
        status = "infeasible"

        def solve(self, **kwargs):
            pass

    master._program = Infeasible()
    with pytest.raises(BiomodularError, match="no solver could solve"):
        master.solve()


def test_scs_named_in_lower_case_is_the_solver_used_and_agrees_with_clarabel():
    angles = np.linspace(0, np.pi, 40, endpoint=False)
    dictionary = np.vstack([np.eye(2), -np.eye(2), np.column_stack([np.cos(angles), np.sin(angles)])])
    problem = Problem.fixed_variance(2.0, 30.0)
    clarabel = _master(CUT, problem, dictionary, solver="CLARABEL")
    scs = _master(CUT, problem, dictionary, solver="scs")
    reference, value = clarabel.loss(clarabel.solve()), scs.loss(scs.solve())
    assert scs.solvers_used == ["SCS"]
    assert value == pytest.approx(reference, rel=1e-6)


def test_scs_is_asked_for_a_tight_tolerance_whatever_the_case_of_its_name():
    # SCS's default tolerance (1e-4) would blur the weights the refinement starts from; on small
    # problems the two tolerances give the same loss to 1e-8, so the request itself is checked.
    for name in ("SCS", "scs", "Scs"):
        master = _master(CUT, Problem.autoencoder(), np.vstack([np.eye(2), -np.eye(2)]), solver=name)
        program, calls = master._program, []

        class Recording:
            def solve(self, **kwargs):
                calls.append(kwargs)
                return program.solve(**kwargs)

            @property
            def status(self):
                return program.status

        master._program = Recording()
        master.solve()
        assert calls[0]["solver"] == "SCS" and calls[0]["eps"] <= 1e-8


def test_the_compiled_program_grows_with_the_dictionary():
    master = _master(CUT, Problem.autoencoder(), np.vstack([np.eye(2), -np.eye(2)]), capacity=8)
    angles = (np.arange(40) + 0.5) * np.pi / 40  # none along an axis
    assert master.add_columns(np.column_stack([np.cos(angles), np.sin(angles)])) == 40
    assert master.capacity >= master.dictionary.shape[0] == 44
    weights = master.solve()
    assert weights.shape == (44,) and weights.min() >= 0
