"""Tests written for mutants of program.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import warnings

import numpy as np

from biomodular import Sources
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code


def test_neurons_are_listed_fewest_sources_first_then_largest_first():
    rng = np.random.default_rng(1)
    samples = rng.uniform(-1, 1, (1000, 2)) * [1.0, 100.0]  # three neurons, each a sliver of its own size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_code(Sources.from_samples(samples), Problem.autoencoder(1.0, 1.0))
    keys = [(len(n.sources), -float(np.linalg.norm(n.tuning))) for n in result.neurons]
    assert len(keys) >= 3 and len({k[0] for k in keys}) == 1  # the order is decided by the norms
    assert keys == sorted(keys)
    assert len({k[1] for k in keys}) == len(keys)


def test_a_pricing_is_exact_only_for_an_exact_minimum_or_a_proven_absence_of_violation():
    from types import SimpleNamespace

    from biomodular.solvers.program import PricingResult

    def priced(value, exact=False, exact_sign=False):
        gap = SimpleNamespace(value=value, direction=[1.0, 0.0], exact=exact, exact_sign=exact_sign, method="t")
        return PricingResult.from_gap(gap)

    assert priced(-0.5, exact=True).exact and priced(0.25, exact_sign=True).exact and priced(0.0, exact_sign=True).exact
    # a violation whose sign is certain but whose size is only an upper bound proves nothing about the minimum
    for value in (-0.5, -1e-3, -1.0):
        assert not priced(value, exact_sign=True).exact
        assert priced(value, exact_sign=True).violation == -value
    assert not priced(0.25).exact


def test_an_iterate_measures_its_gap_relative_to_the_attained_loss():
    from biomodular.solvers.program import Iterate

    def it(upper, lower):
        return Iterate(directions=None, refinement=None, pricing=None, Lambda=None, upper=upper, lower=lower)

    assert it(4.0, 3.0).relative_gap == 0.25
    assert it(0.5, 0.25).relative_gap == 0.5
    assert it(-2.0, -3.0).relative_gap == 0.5
    assert it(0.0, -1.0).relative_gap == float("inf")


def test_only_the_fixed_variance_problem_reports_nu_and_mu():
    rng = np.random.default_rng(0)
    sources = Sources.from_samples(rng.uniform(-1, 1, (400, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = solve_code(sources, Problem.autoencoder(1.0, 1.0))
        fixed = solve_code(sources, Problem.fixed_variance(2.0, 30.0))
    assert set(auto.certificate.multipliers) == {"Lambda"}
    assert set(fixed.certificate.multipliers) == {"Lambda", "nu", "mu"}


def test_a_column_generation_solves_one_problem_kind_both_ways():
    import pytest

    from biomodular import BiomodularError
    from biomodular.solvers.program import ColumnGeneration

    sources = Sources.from_samples(np.random.default_rng(0).uniform(-1, 1, (300, 2)))
    for first, other in (
        (Problem.autoencoder(1.0, 1.0), Problem.fixed_variance(2.0, 30.0)),
        (Problem.fixed_variance(2.0, 30.0), Problem.autoencoder(1.0, 1.0)),
    ):
        run = ColumnGeneration(sources, first)
        with pytest.raises(BiomodularError, match="one problem kind"):
            run.solve(other)


def test_every_status_but_optimal_warns():
    import pytest

    from biomodular.errors import SolverWarning

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (3000, 2))
    cut = Sources.from_samples(X[X.sum(axis=1) >= -1.0])
    with pytest.warns(SolverWarning, match="status 'max_rounds'"):
        r = solve_code(cut, max_rounds=1)
    assert r.status == "max_rounds"
    with warnings.catch_warnings():
        warnings.simplefilter("error", SolverWarning)
        assert solve_code(cut).status == "optimal"


def test_only_negatively_priced_candidates_become_columns_most_negative_first():
    from biomodular.solvers.program import PricingResult

    candidates = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6], [0.8, -0.6]])
    values = np.array([0.5, -1.0, 0.0, -3.0, 0.25])
    priced = PricingResult(
        value=-3.0,
        violation=3.0,
        direction=candidates[3],
        exact=True,
        method="t",
        candidates=candidates,
        candidate_values=values,
    )
    np.testing.assert_array_equal(priced.columns(8), candidates[[3, 1]])
    np.testing.assert_array_equal(priced.columns(1), candidates[[3]])


def test_the_column_count_is_the_size_of_the_final_dictionary():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (3000, 2))
    result = solve_code(Sources.from_samples(X[X.sum(axis=1) >= -1.0]))
    # every neuron is a column of the dictionary, and a cut corner needs a third, mixed one
    assert result.n_columns >= len(result.neurons) == 3
