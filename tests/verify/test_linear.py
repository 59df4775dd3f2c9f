"""The change of variables that trains the linear autoencoder in units of order one."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from biomodular import examples
from biomodular.verify.compare import verify_code
from biomodular.verify.linear import scaling, train_linear
from biomodular.verify.models import ExactLinearAE, LinearAE, reduced_loss
from biomodular.verify.strategies import datasets


@given(datasets(2), st.floats(1e-3, 1e3), st.floats(0.0, 5.0), st.floats(0.05, 5.0), st.integers(0, 2**31 - 1))
def test_scaled_loss_is_the_original_loss_times_gain_squared(samples, unit, lam_in, lam_out, seed):
    """Exact identity: the scaled network's loss (times g^2) is the original network's loss."""
    S = samples * unit + 3 * unit
    sc = scaling(S, lam_in, lam_out)
    rng = np.random.default_rng(seed)
    params = {"W": rng.standard_normal((5, 2)), "b": rng.standard_normal(5)}
    scaled = ExactLinearAE(2, 5, lam_in=sc.lam_in, lam_out=sc.lam_out, beta_nonneg=3.0, penalty="squared")
    original = ExactLinearAE(2, 5, lam_in=lam_in, lam_out=lam_out, beta_nonneg=3.0, penalty="squared")
    value = sc.gain**2 * scaled.loss(params, sc.samples(S))
    assert value == pytest.approx(original.loss(sc.params_to_original(params), S), rel=1e-9)
    W = sc.params_to_original(params)["W"]
    assert reduced_loss(W, S, lam_in, lam_out) == pytest.approx(
        sc.gain**2 * reduced_loss(params["W"], sc.samples(S), sc.lam_in, sc.lam_out), rel=1e-9
    )


def test_learned_readout_maps_back_exactly():
    rng = np.random.default_rng(1)
    S = rng.uniform(10, 50, (40, 2))
    sc = scaling(S, 1.0, 1.0)
    model = LinearAE(2, 4, lam_in=sc.lam_in, lam_out=sc.lam_out)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in model.init(sc.samples(S), 0).items()}
    orig = sc.params_to_original(params)
    recon_scaled = (sc.samples(S) @ params["W"].T + params["b"]) @ params["R"].T + params["c"]
    recon = (S @ orig["W"].T + orig["b"]) @ orig["R"].T + orig["c"]
    assert np.allclose(recon, sc.mean + sc.sigma * recon_scaled)


@pytest.mark.parametrize("unit", [1e-2 * 3, 100.0])
def test_training_does_not_depend_on_the_units_of_the_sources(unit):
    """The same code, up to units, whatever the sources are measured in: same verdict and gap."""
    samples, names = examples.load("triangle", seed=0)
    samples = samples[:600]
    base = train_linear(samples, seed=0, max_steps=3000)
    lam_in, lam_out = unit**2, 1.0 / unit**2  # the same problem in the new units (W -> W / unit)
    moved = train_linear(samples * unit + 7 * unit, lam_in=lam_in, lam_out=lam_out, seed=0, max_steps=3000)
    # The scaled problems agree to rounding (1e-15). Training amplifies rounding along the loss's flat
    # directions (squared norm moving between parallel neurons, measured: a few % of one neuron's
    # weights), which leave the Gram matrix W^T W and the loss unchanged; those are compared.
    G_base = base.params["W"].T @ base.params["W"]
    G_moved = (moved.params["W"] * unit).T @ (moved.params["W"] * unit)
    assert np.abs(G_moved - G_base).max() < 1e-5 * np.abs(G_base).max()
    assert moved.loss == pytest.approx(base.loss, rel=1e-6)
    assert moved.steps == base.steps


def test_verify_on_sources_in_large_units():
    samples, names = examples.load("cut-corner", seed=0)
    r = verify_code(samples[:800] * 100 + 500, names, seeds=1, max_steps=8000)
    assert r.check_verdict == "mixed" and r.agreement == 1
    assert 0 <= r.runs[0].gap + max(r.optimum_relative_gap, 1e-12) and r.runs[0].gap < 0.01
