"""Metrics against exact values: the trapezoid formula, Gaussian MI, and the ICLR 2023 worked example."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

from biomodular.errors import BiomodularError
from biomodular.verify.metrics import (
    KNN,
    Binned,
    active_neurons,
    cinfom,
    conditional_mutual_information,
    entropy_binned,
    exact_mir_uniform,
    infom,
    information_matrix,
    linear_cinfom,
    linear_infom,
    mir,
    mixing_angles,
    mutual_information,
    ratio_score,
    trapezoid_mutual_information,
)

WORKED = np.array(
    [[0.8, -0.6], [0.6, 0.8]]
)  # ICLR 2023 worked example (docs/mathematics.md, "ICLR 2023 linear theory")


def _uniform_code(M, n, seed, a=1.0):
    rng = np.random.default_rng(seed)
    E = rng.uniform(-a, a, (n, M.shape[1]))
    Z = E @ M.T + a * np.abs(M).sum(axis=1)  # smallest nonnegative bias
    return Z, E


@given(
    c1=st.floats(0.05, 5.0),
    c2=st.floats(0.05, 5.0),
    s1=st.sampled_from([-1.0, 1.0]),
    s2=st.sampled_from([-1.0, 1.0]),
    a=st.floats(0.1, 10.0),
)
def test_trapezoid_formula_against_numerical_entropy(c1, c2, s1, s2, a):
    """I(z; e_i) = h(z) - h(z | e_i) with h(z) integrated numerically from the convolution density."""
    w1, w2 = 2 * a * c1, 2 * a * c2

    def density(z):  # length of {x in [0, w1]: z - x in [0, w2]} / (w1 w2)
        return max(0.0, min(z, w1) - max(z - w2, 0.0)) / (w1 * w2)

    def integrand(z):
        f = density(z)
        return -f * np.log(f) if f > 0 else 0.0

    lo, hi = sorted([w1, w2])
    h = sum(quad(integrand, x0, x1, epsabs=1e-13, epsrel=1e-12)[0] for x0, x1 in [(0, lo), (lo, hi), (hi, w1 + w2)])
    i1, i2 = trapezoid_mutual_information(s1 * c1, s2 * c2)
    # given e1, z is uniform of width w2 (and vice versa)
    assert i1 == pytest.approx(h - np.log(w2), abs=1e-8)
    assert i2 == pytest.approx(h - np.log(w1), abs=1e-8)


def test_worked_example_exact_mir():
    i1, i2 = trapezoid_mutual_information(0.8, -0.6)
    rho = 0.75
    assert (i1, i2) == pytest.approx((-np.log(rho) + rho / 2, rho / 2))
    r = i1 / (i1 + i2)
    assert exact_mir_uniform(WORKED) == pytest.approx(2 * r - 1)
    assert exact_mir_uniform(np.eye(2)) == 1.0


def test_knn_estimator_converges_to_worked_example():
    exact = exact_mir_uniform(WORKED)
    I_exact = np.array([trapezoid_mutual_information(*row) for row in WORKED])
    Z, E = _uniform_code(WORKED, 8000, seed=1)
    est = KNN(k=3, seed=0)
    I = information_matrix(Z, E, est)
    assert np.abs(I - I_exact).max() < 0.015
    assert abs(mir(Z, E, est) - exact) < 0.005
    # a small sample is further off: the estimate converges with n
    Zs, Es = _uniform_code(WORKED, 500, seed=1)
    assert np.abs(information_matrix(Zs, Es, est) - I_exact).max() > np.abs(I - I_exact).max()


def test_binned_estimator_converges_to_worked_example():
    exact = exact_mir_uniform(WORKED)
    I_exact = np.array([trapezoid_mutual_information(*row) for row in WORKED])
    Z, E = _uniform_code(WORKED, 1_000_000, seed=2)
    I = information_matrix(Z, E, Binned(100))
    assert np.abs(I - I_exact).max() < 0.02
    assert abs(ratio_score(I) - exact) < 0.005
    coarse = information_matrix(*_uniform_code(WORKED, 16000, seed=2), Binned(20))
    assert np.abs(coarse - I_exact).max() > np.abs(I - I_exact).max()


@pytest.mark.parametrize("r", [0.3, 0.8])
def test_knn_gaussian_mutual_information(r):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(5000)
    y = r * x + np.sqrt(1 - r**2) * rng.standard_normal(5000)
    assert mutual_information(x, y, KNN(k=4)) == pytest.approx(-0.5 * np.log(1 - r**2), abs=0.02)


def test_conditional_mi_of_independent_given_cause_is_zero_and_of_sum_is_positive():
    rng = np.random.default_rng(6)
    s = rng.uniform(-1, 1, (4000, 2))
    noise = rng.uniform(-1, 1, 4000)
    # z = s1 + s2: given s2, z determines s1 (large CMI); z = s2 + noise: nothing about s1 given s2
    for est in (KNN(k=3), Binned(8)):
        assert conditional_mutual_information(s[:, 0] + s[:, 1], s[:, 0], s[:, 1], est) > 1.0
        assert abs(conditional_mutual_information(s[:, 1] + 0.5 * noise, s[:, 0], s[:, 1], est)) < 0.05


def test_scores_of_modular_and_mixed_codes():
    rng = np.random.default_rng(7)
    E = rng.uniform(0, 1, (3000, 2))
    modular = np.column_stack([E[:, 0], 1 - E[:, 1], 0 * E[:, 0]])  # third neuron silent
    mixed = np.column_stack([E[:, 0] + E[:, 1], E[:, 0] - E[:, 1] + 1])
    for est in (Binned(20), KNN(3)):
        assert mir(modular, E, est) > 0.95
        assert mir(mixed, E, est) < 0.2
    assert infom(modular, E) > 0.95 and infom(mixed, E) < 0.2
    assert cinfom(modular, E, Binned(10)) > 0.95 and cinfom(mixed, E, Binned(10)) < 0.2
    assert linear_infom(modular, E) == pytest.approx(1.0, abs=1e-3)
    assert linear_infom(mixed, E) < 0.05
    assert linear_cinfom(modular, E) == pytest.approx(1.0, abs=1e-3)
    assert linear_cinfom(mixed, E) == pytest.approx(0.0, abs=1e-6)  # both partial correlations are 1


def test_active_neurons_threshold():
    Z = np.column_stack([np.linspace(0, 1, 50), np.linspace(0, 0.2, 50), np.linspace(0, 0.05, 50)])
    assert active_neurons(Z, 0.1).tolist() == [True, True, False]
    assert active_neurons(Z, 0.25).tolist() == [True, False, False]
    assert active_neurons(np.zeros((5, 2))).tolist() == [False, False]


def test_mixing_angles():
    W = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, -2.0], [np.cos(0.1), np.sin(0.1)], [0.0, 0.0]])
    assert mixing_angles(W) == pytest.approx([0.0, 45.0, 0.0, np.degrees(0.1), 0.0])


def test_estimators_are_reproducible_and_seeded():
    Z, E = _uniform_code(WORKED, 400, seed=3)
    Zr = np.round(Z, 1)  # many ties
    a = information_matrix(Zr, E, KNN(seed=4))
    assert np.array_equal(a, information_matrix(Zr, E, KNN(seed=4)))
    assert not np.array_equal(a, information_matrix(Zr, E, KNN(seed=5)))


def test_entropy_binned_of_uniform_is_log_bins():
    x = np.repeat(np.arange(10.0), 7)
    assert entropy_binned(x, bins=10) == pytest.approx(np.log(10))


def test_bad_metric_inputs_raise():
    Z, E = _uniform_code(WORKED, 100, seed=0)
    with pytest.raises(BiomodularError):
        infom(Z, E, KNN())
    with pytest.raises(BiomodularError):
        mir(Z[:50], E)
    with pytest.raises(BiomodularError):
        mir(np.zeros_like(Z), E)
    with pytest.raises(BiomodularError):
        Binned(1)
    with pytest.raises(BiomodularError):
        KNN(k=0)
    with pytest.raises(BiomodularError):
        mir(Z, E[:, :1])


def test_mig_of_aligned_duplicated_and_rotated_codes():
    from biomodular.verify.metrics import Binned, entropy_binned, mig

    rng = np.random.default_rng(0)
    S = rng.uniform(0, 1, (4000, 2))
    aligned = np.hstack([S, np.zeros((4000, 1))])
    # each source alone in one neuron: I(s; s) = H(s) exactly for the binned estimator, and the runner-up is the
    # other source, whose plug-in information about it is the estimator's small positive bias
    from biomodular.verify.metrics import mutual_information

    bias = [mutual_information(S[:, 1 - f], S[:, f], Binned(10)) / entropy_binned(S[:, f], 10) for f in (0, 1)]
    assert mig(aligned, S, Binned(10)) == pytest.approx(1.0 - np.mean(bias), abs=1e-12)
    assert 0 < np.mean(bias) < 0.01
    # a copy of every neuron: the two best neurons tie, no gap
    assert mig(np.hstack([S, S]), S, Binned(10)) == pytest.approx(0.0, abs=1e-12)
    c, s = np.cos(0.5), np.sin(0.5)
    rotated = S @ np.array([[c, -s], [s, c]])
    assert 0.0 < mig(rotated, S, Binned(10)) < 0.5
