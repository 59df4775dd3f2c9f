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
