"""Hand-written gradients of the reproduce networks against central finite differences."""

import numpy as np
import pytest

from biomodular.networks import SparseLinearAE


def directional_errors(model, params, X, Y=None, n_dirs=6, h=1e-6, seed=0):
    """Relative errors of <grad, v> against (L(p + h v) - L(p - h v)) / 2h for random unit v."""
    rng = np.random.default_rng(seed)
    _, _, grads = model.loss_and_grad(params, X, Y)
    errors = []
    for _ in range(n_dirs):
        v = {k: rng.standard_normal(p.shape) for k, p in params.items()}
        norm = np.sqrt(sum((x**2).sum() for x in v.values()))
        v = {k: x / norm for k, x in v.items()}
        up = model.loss({k: p + h * v[k] for k, p in params.items()}, X, Y)
        down = model.loss({k: p - h * v[k] for k, p in params.items()}, X, Y)
        numeric = (up - down) / (2 * h)
        analytic = sum(float((grads[k] * v[k]).sum()) for k in params)
        errors.append(abs(analytic - numeric) / max(abs(numeric), 1e-8))
    return max(errors)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_linear_ae_gradient(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (17, 3))
    model = SparseLinearAE(3, 5, beta_recon=3.0, beta_l1=0.7, beta_activity=0.4, beta_weight=0.2)
    params = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in model.init(X, seed).items()}
    # the L1 term has kinks at z = 0; random parameters put no activity within h of one
    assert np.abs(model.code(params, X)).min() > 1e-4
    assert directional_errors(model, params, X) < 1e-6
    Y = rng.uniform(-1, 1, (17, 3))
    assert directional_errors(model, params, X, Y) < 1e-6


# seeds whose random points keep every pre-activation at least 1e-5 from the ReLU kink (seed 1 does not)
@pytest.mark.parametrize("seed", [0, 2, 3])
def test_deep_relu_gradient(seed):
    from biomodular.networks import DeepReLU

    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (15, 3))
    Y = rng.uniform(-1, 1, (15, 2))
    model = DeepReLU((3, 6, 5, 4, 2), beta_pred=2.0, beta_activity=0.3, beta_weight=0.1)
    params = model.init(X, seed)
    pre = [a for a in model._forward(params, X)[1:-1]]
    # ReLU kinks: no pre-activation within the step of zero (checked on the layer outputs' inputs)
    h = X
    for k in range(model.n_layers - 1):
        h_pre = h @ params[f"W{k}"].T + params[f"b{k}"]
        assert np.abs(h_pre).min() > 1e-5
        h = np.maximum(h_pre, 0)
    assert len(pre) == 3
    assert directional_errors(model, params, X, Y) < 1e-6


class _FixedNoise:
    """A VAE whose sampling noise is fixed, so its loss is a function of the parameters alone."""

    def __init__(self, model, eps):
        self.model, self.eps = model, eps

    def loss_and_grad(self, params, X, Y=None):
        return self.model.loss_and_grad(params, X, Y, eps=self.eps)

    def loss(self, params, X, Y=None):
        return self.model.loss(params, X, Y, eps=self.eps)


@pytest.mark.parametrize("relu_mean", [True, False])
@pytest.mark.parametrize("seed", [0, 1])
def test_vae_gradient(seed, relu_mean):
    from biomodular.networks import VAE

    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (13, 7))
    model = VAE(7, 6, 4, beta=0.7, beta_weight=0.3, relu_mean=relu_mean)
    params = {k: v + 0.2 * rng.standard_normal(v.shape) for k, v in model.init(X, seed).items()}
    eps = rng.standard_normal((13, 4))
    # every ReLU input (encoder hidden, posterior mean, decoder hidden) away from its kink by more than the step
    h, a, pre_mu, mu, lv = model._encode(params, X)
    g = (mu + np.exp(0.5 * lv) * eps) @ params["D"].T + params["d"]
    assert min(np.abs(h).min(), np.abs(pre_mu).min(), np.abs(g).min()) > 1e-5
    assert directional_errors(_FixedNoise(model, eps), params, X) < 1e-6


def test_vae_training_is_reproducible_bit_for_bit():
    from biomodular.networks import VAE
    from biomodular.verify.training import train

    X = np.random.default_rng(0).uniform(0, 1, (64, 5))
    runs = [
        train(VAE(5, 8, 3, beta=0.5, beta_weight=0.01), X, seed=4, lr=1e-3, batch_size=16, max_steps=300)
        for _ in range(2)
    ]
    for k in runs[0].params:
        assert np.array_equal(runs[0].params[k], runs[1].params[k])
    assert runs[0].loss == runs[1].loss


@pytest.mark.parametrize("seed", [0, 1])
def test_ring_world_map_gradient(seed):
    from biomodular.networks import RingWorldMap

    rng = np.random.default_rng(seed)
    model = RingWorldMap(5, (0, 3, 1), 4, beta_path=0.7, beta_activity=0.3, beta_nonneg=2.0, beta_weight=0.2)
    params = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in model.init(None, seed).items()}
    # the nonnegativity penalty has a kink at zero: no activity within the step of it
    assert np.abs(params["G"]).min() > 1e-5
    assert directional_errors(model, params, model.states()) < 1e-6
    # a minibatch of states (repeated ones included) differentiates the same way
    assert directional_errors(model, params, np.array([[0.0], [4.0], [4.0], [11.0]])) < 1e-6
