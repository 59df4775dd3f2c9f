"""Hand-written gradients of every model against central finite differences, and model invariants."""

import numpy as np
import pytest

from biomodular.errors import BiomodularError
from biomodular.verify.models import (
    ExactLinearAE,
    LinearAE,
    MLPAutoencoder,
    SupervisedMLP,
    default_neurons,
    project_biases,
    reduced_loss,
)


def _flat_check(model, params, X, Y=None, h=1e-6):
    """Relative error between the analytic gradient and central differences (float64)."""
    _, _, grads = model.loss_and_grad(params, X, Y)
    analytic, numeric = [], []
    for name, value in params.items():
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + h
            up = model.loss(params, X, Y)
            value[idx] = old - h
            down = model.loss(params, X, Y)
            value[idx] = old
            numeric.append((up - down) / (2 * h))
            analytic.append(grads[name][idx])
    analytic, numeric = np.array(analytic), np.array(numeric)
    return np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric)


def _random_params(model, X, rng):
    params = model.init(X, rng)
    # move off the kinks of the hinge (init puts the least active sample exactly at zero)
    return {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in params.items()}


@pytest.mark.parametrize("penalty", ["hinge", "squared"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_linear_ae_gradient(penalty, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (13, 3))
    model = ExactLinearAE(3, n_neurons=5, lam_in=0.3, lam_out=0.7, beta_nonneg=2.0, penalty=penalty)
    params = _random_params(model, X, rng)
    assert _flat_check(model, params, X) < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_ae_gradient(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (11, 2))
    model = LinearAE(2, n_neurons=4, lam_in=0.2, lam_out=0.5, beta_recon=3.0, beta_nonneg=1.5)
    params = _random_params(model, X, rng)
    assert set(params) == {"W", "b", "R", "c"}
    assert _flat_check(model, params, X) < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_autoencoder_gradient(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (9, 2))
    model = MLPAutoencoder(2, n_code=4, hidden=(5,), beta_recon=2.0, beta_activity=0.5, beta_weight=0.1)
    params = _random_params(model, X, rng)
    assert _flat_check(model, params, X, X) < 1e-6


@pytest.mark.parametrize("code_activation", ["relu", "linear"])
@pytest.mark.parametrize("seed", [0, 1])
def test_supervised_mlp_gradient(code_activation, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((10, 4))
    Y = rng.standard_normal((10, 2))
    model = SupervisedMLP(
        4,
        2,
        n_code=3,
        hidden=(6,),
        beta_activity=0.4,
        beta_weight=0.05,
        beta_nonneg=1.0,
        code_activation=code_activation,
    )
    params = _random_params(model, X, rng)
    assert _flat_check(model, params, X, Y) < 1e-6


def test_exact_loss_equals_reduced_loss_at_feasible_biases():
    """At z >= 0 with the cheapest biases the exact model's loss is docs/mathematics.md, "The biologically constrained linear autoencoder"'s reduced loss."""
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 2, (40, 3))
    model = ExactLinearAE(3, lam_in=0.2, lam_out=0.9, beta_nonneg=50.0)
    W = rng.standard_normal((model.n_neurons, 3))
    params = {"W": W, "b": project_biases(W, X)}
    Z = model.code(params, X)
    assert Z.min() >= -1e-12 and np.allclose(Z.min(axis=0), 0, atol=1e-12)
    loss, parts, _ = model.loss_and_grad(params, X)
    assert parts["nonneg"] == pytest.approx(0.0, abs=1e-20)
    # independent route: explicit pseudo-inverse readout and explicit activities
    R = np.linalg.pinv(W)
    assert np.allclose(R @ (Z - params["b"]).T, X.T)
    direct = (Z**2).sum(1).mean() + 0.2 * (W**2).sum() + 0.9 * (R**2).sum()
    assert loss == pytest.approx(direct, rel=1e-10)
    assert reduced_loss(W, X, 0.2, 0.9) == pytest.approx(direct, rel=1e-10)


def test_reduced_loss_of_rank_deficient_tuning_is_infinite():
    X = np.random.default_rng(0).uniform(size=(20, 2))
    assert reduced_loss(np.array([[1.0, 1.0], [2.0, 2.0]]), X, 0.1, 1.0) == float("inf")


def test_default_neurons_exceed_caratheodory_bound():
    for d in range(1, 6):
        assert default_neurons(d) >= d * (d + 1) // 2 + 1


def test_bad_model_arguments_raise():
    with pytest.raises(BiomodularError):
        ExactLinearAE(3, n_neurons=2)
    with pytest.raises(BiomodularError):
        ExactLinearAE(2, lam_out=0.0)
    with pytest.raises(BiomodularError):
        ExactLinearAE(2, penalty="cubic")
    with pytest.raises(BiomodularError):
        SupervisedMLP(2, 2, n_code=3, code_activation="tanh")


def test_nonlinear_models_train():
    """The MLP autoencoder and the supervised MLP learn their targets (loss falls, predictions fit)."""
    from biomodular.verify.training import train

    rng = np.random.default_rng(0)
    S = rng.uniform(-1, 1, (400, 2))
    ae = MLPAutoencoder(2, n_code=6, hidden=(16,), beta_recon=100.0, beta_weight=1e-3)
    r = train(ae, S, seed=0, lr=3e-3, batch_size=128, max_steps=3000)
    assert r.history[-1][1] < 0.2 * r.history[0][1]
    assert ((ae.predict(r.params, S) - S) ** 2).sum(1).mean() < 0.05 * S.var(0).sum()
    code = ae.code(r.params, S)
    assert code.shape == (400, 6)
    # code() is the layer the activity penalty acts on (measured: equal to the last bit)
    _, parts, _ = ae.loss_and_grad(r.params, S, S)
    assert parts["activity"] == pytest.approx((code**2).sum(axis=1).mean(), rel=1e-12)
    # and it is rectified: the smallest rate is an exact zero (a linear code layer would go negative
    # or never hit 0; measured: 56 % of the rates are 0)
    assert code.min() == 0.0
    D = np.array([[1.0, 0.5], [0.0, 1.0], [1.0, -1.0]])
    Y = S @ D.T
    sup = SupervisedMLP(2, 3, n_code=6, code_activation="linear", beta_nonneg=1e3, beta_pred=100.0)
    r = train(sup, S, Y, seed=0, lr=1e-2, batch_size=None, max_steps=3000)
    assert ((sup.predict(r.params, S) - Y) ** 2).sum(1).mean() < 0.05 * Y.var(0).sum()
    assert sup.code(r.params, S).min() > -0.05 * np.abs(sup.code(r.params, S)).max()
