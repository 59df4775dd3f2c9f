"""Tests written for mutants of refinement.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biomodular import Sources
from biomodular.solvers import refinement
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import ColumnGeneration


def _cut_corner_master(problem: Problem):
    """The restricted master of a square with a corner cut off, after a solve (its final dictionary)."""
    X = np.random.default_rng(0).uniform(-1, 1, (2000, 2))
    run = ColumnGeneration(Sources.from_samples(X[X.sum(axis=1) >= -1.0]), problem)
    run.solve()
    return run.master


def _change_newton(monkeypatch, change):
    """Make refinement's Newton return ``change(weights, nu, mu, keep, converged)`` of its true output."""
    exact = refinement.refine
    monkeypatch.setattr(refinement, "refine", lambda *args, **kwargs: change(*exact(*args, **kwargs)))


PROBLEMS = [
    Problem.autoencoder(1.0, 1.0),
    Problem.fixed_variance(2.0, 30.0),
    Problem.fixed_variance(0.1, 3.0),  # the small budget forces 3.9 times the variance required: nu = 0
    Problem(kind="".join(["auto", "encoder"])),  # a kind built at run time (not the interned literal)
]


@pytest.mark.parametrize("problem", PROBLEMS)
def test_refined_weights_are_a_minimum_over_the_dictionary(problem):
    master = _cut_corner_master(problem)
    c = master.solve()
    ref = refinement.refine_weights(master, c)
    assert ref.refined
    with pytest.raises(dataclasses.FrozenInstanceError):  # a result, not a workspace
        ref.refined = False
    best = master.attained(ref.weights)
    # Independent route: no nonnegative step along any dictionary column, nor any rescaling
    # of the weights, lowers the exactly-feasible loss (finite differences of the loss itself).
    scale = ref.weights.max()
    for k in range(ref.weights.size):
        for sign in (1.0, -1.0):
            step = ref.weights.copy()
            step[k] = max(step[k] + sign * 1e-4 * scale, 0.0)
            assert master.attained(step) >= best * (1 - 1e-12)
    for factor in (0.999, 1.001):
        assert master.attained(factor * ref.weights) >= best * (1 - 1e-12)
    # and it is no worse than the interior-point solver's own weights
    assert best <= master.attained(c) * (1 + 1e-9)
    if problem.kind == "fixed_variance":
        W, C = master.dictionary[: c.size], master.standard.C
        carried = float(np.einsum("ki,ij,kj->k", W, C, W) @ ref.weights)  # internal units: 1 is required
        assert carried >= 1.0 - 1e-9
        assert (ref.nu == 0.0) == (carried > 1.5)  # a slack variance constraint has no multiplier


def test_a_refinement_that_raises_the_loss_is_refused(monkeypatch):
    # Newton returns weights 30 % too large and the KKT check is opened wide, so only the
    # comparison with the solver's loss stands between them and the answer.
    master = _cut_corner_master(Problem.autoencoder(1.0, 1.0))
    c = master.solve()
    _change_newton(monkeypatch, lambda new, nu, mu, keep, converged: (1.3 * new, nu, mu, keep, converged))
    monkeypatch.setattr(refinement, "KKT_TOL", 1e6)
    ref = refinement.refine_weights(master, c)
    pruned = c * (c > refinement.PRUNE_TOL * c.max())
    assert not ref.refined
    assert master.attained(ref.weights) <= master.attained(pruned) * (1 + 1e-9)


def test_weights_off_stationarity_are_not_called_refined(monkeypatch):
    # Newton's weights scaled by 1 + 1e-6: the loss moves only at second order (far inside
    # the 1e-9 loss comparison) and every reduced cost stays nonnegative, but those of the
    # support columns are 1e-6 away from zero: the KKT conditions fail, so nothing is refined.
    master = _cut_corner_master(Problem.autoencoder(1.0, 1.0))
    c = master.solve()
    assert refinement.refine_weights(master, c).refined
    _change_newton(monkeypatch, lambda new, nu, mu, keep, converged: ((1 + 1e-6) * new, nu, mu, keep, converged))
    assert not refinement.refine_weights(master, c).refined


def test_a_column_the_solver_left_out_is_brought_back(monkeypatch):
    # Solver weights with the mixed neuron's column zeroed: Newton on the remaining support
    # meets stationarity there, but that column then prices negatively; the refinement must
    # add it and reach the optimum over the whole dictionary, not stop at the smaller support.
    master = _cut_corner_master(Problem.autoencoder(1.0, 1.0))
    c = master.solve()
    optimum = refinement.refine_weights(master, c)
    assert optimum.refined
    support = np.flatnonzero(optimum.weights > 0)
    W = master.dictionary[support]
    mixed = support[np.argmax(np.abs(W).min(axis=1))]  # the column farthest from the axes
    assert np.abs(master.dictionary[mixed]).min() > 0.3
    without = np.where(np.arange(c.size) == mixed, 0.0, c)
    without[np.abs(master.dictionary @ master.dictionary[mixed]) > 0.999] = 0.0  # and its near-copies
    ref = refinement.refine_weights(master, without)
    assert ref.refined
    assert master.attained(ref.weights) == pytest.approx(master.attained(optimum.weights), rel=1e-9)
    assert master.attained(ref.weights) < master.attained(without) * (1 - 1e-6)


def test_when_newton_fails_everywhere_the_pruned_solver_weights_are_kept(monkeypatch):
    master = _cut_corner_master(Problem.autoencoder(1.0, 1.0))
    c = master.solve()
    _change_newton(monkeypatch, lambda new, nu, mu, keep, converged: (new, nu, mu, keep, False))
    ref = refinement.refine_weights(master, c)
    assert not ref.refined
    # the solver's weights, pruned of entries below PRUNE_TOL of the largest (same Gram matrix and
    # activity energy after the Caratheodory reduction): the same loss to rounding
    assert master.attained(ref.weights) == pytest.approx(master.attained(c), rel=1e-9)
    assert ref.weights.min() >= 0 and np.count_nonzero(ref.weights) <= 2 * 3 // 2 + 1  # d(d+1)/2 + 1 with d = 2
    kept = ref.weights[ref.weights > 0]
    assert kept.min() > refinement.PRUNE_TOL * kept.max()  # pruned: no weight below 1e-9 of the largest


@pytest.mark.parametrize("case", [0, 3, 4, 11])
def test_noisy_solver_weights_still_refine_to_the_optimum(case):
    # Solver weights far noisier than an interior-point method leaves: spurious columns as heavy
    # as real ones and a needed column shrunk. The supports tried (drop one or two, add the worst
    # priced, starting it at a small positive weight) must reach the optimum over the dictionary.
    master = _cut_corner_master(Problem.autoencoder(1.0, 1.0))
    optimum = refinement.refine_weights(master, master.solve())
    support = np.flatnonzero(optimum.weights > 0)
    others = np.setdiff1d(np.arange(optimum.weights.size), support)
    rng = np.random.default_rng(1)
    for trial in range(case + 1):  # the draws of the cases before this one, then this one's
        noisy = optimum.weights.copy()
        for k in rng.choice(others, size=min(others.size, 1 + trial % 3), replace=False):
            noisy[k] = rng.uniform(0.05, 1.0) * optimum.weights.max()
        noisy[support[trial % support.size]] *= rng.uniform(0.0, 0.5)
    ref = refinement.refine_weights(master, noisy)
    assert ref.refined
    assert master.attained(ref.weights) == pytest.approx(master.attained(optimum.weights), rel=1e-9)
