"""ICLR 2023 findings: worked-example against a direct numerical integration."""

import math

import numpy as np
import pytest
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


@given(st.floats(0.0, math.pi / 2))
@example(math.pi / 4)
@example(0.0)
def test_l1_cost_by_quadrature(theta):
    from biomodular.reproduce.sparsity_entangles import l1_cost

    n = 400
    x = (np.arange(n) + 0.5) / n * 2 - 1
    E1, E2 = np.meshgrid(x, x)
    c, s = math.cos(theta), math.sin(theta)
    direct = float(np.abs(c * E1 - s * E2).mean() + np.abs(s * E1 + c * E2).mean())
    # midpoint rule on a piecewise-linear integrand: error of order 1/n (kinks along one line per neuron)
    assert abs(direct - l1_cost(theta)) < 2.0 / n


def test_sparsity_entangles_agrees(outcome):
    o = outcome("sparsity-entangles")
    assert o.agrees, o.text()


@pytest.mark.slow
def test_linear_disentangling_as_documented(outcome):
    o = outcome("linear-disentangling")
    checks = {c.statement: c.passed for c in o.checks}
    # the claim's parts that reproduce: all three constraints disentangle; nonnegativity and the
    # activity energy are each necessary (the weight-energy part does not reproduce; docs explain)
    for task in ("autoencoder", "supervised"):
        assert checks[f"{task}, all three constraints: relative MIR >= 0.9 in every seed"]
        assert checks[f"{task}, no nonnegativity: mean relative MIR at least 0.1 below all three"]
        assert checks[f"{task}, no activity energy: mean relative MIR at least 0.1 below all three"]
    assert "At the small size the weight-energy part does not reproduce" in o.notes


def test_vae_images_render_each_factor():
    from biomodular.reproduce.vae import SIDE, render

    E = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.5, 0.0, 1.0]])
    images = render(E).reshape(-1, SIDE, SIDE)
    # the blob's peak sits at pixel (1.5 + 4 e) rounded either way, its height at the brightness 0.5 + 0.5 e_3
    for img, (ex, ey, eb) in zip(images, E):
        row, col = np.unravel_index(img.argmax(), img.shape)
        assert abs(col - (1.5 + 4 * ex)) <= 0.5 and abs(row - (1.5 + 4 * ey)) <= 0.5
        assert img.max() == pytest.approx((0.5 + 0.5 * eb) * np.exp(-0.25), rel=1e-12)  # half a pixel off centre


@pytest.mark.slow
def test_vae_as_documented(outcome):
    o = outcome("vae")
    checks = [c.passed for c in o.checks]
    # the theory's route holds: the factors' population is modular
    assert checks[0]
    # the trained networks do not show the claimed effect at this size; the page says so
    assert not o.agrees and "Does not reproduce" in o.notes
    for key, value in o.measured.items():
        if key.startswith("mir_") or key.startswith("mig_"):
            assert 0.0 <= value <= 1.0, key


def test_cell_type_module_measures_on_handmade_maps():
    from biomodular.reproduce.cell_type_modules import cross_environment_correlation, factor_share, readout_share

    L, objects = 5, (0, 1, 2, 3, 4)
    place = np.tile(np.eye(L)[:, 2], (L, 1))  # fires at position 2 everywhere
    vector = np.array([np.eye(L)[:, (2 + o) % L] for o in objects])  # fires 2 steps past the object
    conjunctive = np.array([np.eye(L)[:, o] * (o == 1) for o in objects])  # one environment, one place
    G = np.stack([place, vector, conjunctive], axis=2)
    corr = cross_environment_correlation(G)
    assert corr[0] == pytest.approx(1.0) and corr[1] == pytest.approx(-1 / (L - 1))
    share = factor_share(G, objects)
    assert share[0] == pytest.approx(1.0) and share[1] == pytest.approx(1.0)
    # a cell active at one cell of the L x L grid: variance (1/L^2)(1 - 1/L^2), each main effect (1/L^2)(1/L)(1 - 1/L),
    # a share of 1 / (L + 1)
    assert share[2] == pytest.approx(1 / (L + 1))
    R = {"R_loc": np.array([[1.0, 0.0, 1.0]]), "R_obj": np.array([[0.0, 3.0, 1.0]])}
    assert readout_share(R).tolist() == [1.0, 1.0, 0.5]


def test_cell_type_modules_agrees(outcome):
    o = outcome("cell-type-modules")
    assert o.agrees, o.text()


@pytest.mark.slow
def test_deep_disentangling_as_documented(outcome):
    o = outcome("deep-disentangling")
    layers = [o.measured[f"relative_mir_layer{k}"] for k in range(1, 5)]
    assert all(0.0 < v < 1.05 for v in layers)
    # the part that reproduces: MIR rises with depth; the last layer's 0.9 does not (the page says so)
    assert o.checks[0].passed and not o.agrees
    assert "Does not fully reproduce" in o.notes
