"""ICLR 2023 findings: worked-example against a direct numerical integration."""

import math

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from biomodular.reproduce.worked_example import energy_formula


@given(st.floats(0.0, math.pi / 2))
@example(math.atan2(0.6, 0.8))
@example(math.pi / 4)
def test_energy_of_a_rotated_code_by_quadrature(theta):
    # midpoint rule on [-1, 1]^2 for E||M e + b||^2, b the smallest nonnegative bias (attained at corners)
    n = 400
    x = (np.arange(n) + 0.5) / n * 2 - 1
    E1, E2 = np.meshgrid(x, x)
    c, s = math.cos(theta), math.sin(theta)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
    energy = 0.0
    for row in ([c, -s], [s, c]):
        b = -(corners @ np.array(row)).min()
        energy += float(((row[0] * E1 + row[1] * E2 + b) ** 2).mean())
    # midpoint-rule error for a quadratic: exactly the variance deficit 1/(3 n^2) per unit-weight source
    assert abs(energy - energy_formula(theta)) < 2.0 / n**2


def test_worked_example_agrees(outcome):
    o = outcome("worked-example")
    assert o.agrees, o.text()
    assert o.measured["energy_rotated_exact"] > o.measured["energy_aligned_exact"]
