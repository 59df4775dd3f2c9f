"""connectome: the circular statistics used, and the finding at its small size."""

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from biomodular.reproduce.connectome import N_INPUTS, circular_correlation, cyclic_order_errors, inputs


@given(st.floats(-math.pi, math.pi), st.booleans())
@example(0.0, True)
def test_circular_correlation_is_one_for_rotations_and_minus_one_for_reflections(shift, reflect):
    b = 2 * np.pi * np.arange(N_INPUTS) / N_INPUTS
    a = (-b if reflect else b) + shift
    assert math.isclose(circular_correlation(a, b), -1.0 if reflect else 1.0, abs_tol=1e-12)


def test_cyclic_order_errors_counts_broken_neighbours():
    angles = 2 * np.pi * np.arange(N_INPUTS) / N_INPUTS
    assert cyclic_order_errors(angles) == 0 and cyclic_order_errors(-angles) == 0
    swapped = angles.copy()
    swapped[[3, 10]] = swapped[[10, 3]]
    assert cyclic_order_errors(swapped) == 4


def test_ring_receptive_fields():
    X = inputs(np.array([0.0, 0.5]), "ring")
    assert X.shape == (2, N_INPUTS) and math.isclose(X.max(), 0.1)
    assert X[0].argmax() == 0 and X[1].argmax() == N_INPUTS // 2
    # the ring wraps: neuron 1 and neuron N-1 respond equally to latent 0
    assert math.isclose(X[0, 1], X[0, N_INPUTS - 1])


@pytest.mark.slow
def test_connectome_agrees(outcome):
    o = outcome("connectome")
    assert o.agrees, o.text()
