"""A variational autoencoder with the biological constraints (ICLR 2023, Fig. 5), gradients by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import BiomodularError

__all__ = ["VAE"]

Params = dict[str, np.ndarray]


@dataclass
class VAE:
    """A Gaussian VAE with one ReLU hidden layer in the encoder and in the decoder.

    Encoder ``a = relu(x W^T + b)``, posterior mean ``mu = relu(a M^T + m)``
    (or linear when ``relu_mean`` is false: the plain VAE), log-variance
    ``lv = a V^T + v``; a sample ``z = mu + exp(lv / 2) eps``; decoder
    ``x_hat = relu(z D^T + d) E^T + e``.  Loss on a batch (means over samples,
    sums over units)::

        mean ||x - x_hat||^2 + beta KL(q(z|x) || N(0, I)) + beta_weight (||D||_F^2 + ||E||_F^2)

    with ``KL = 1/2 sum_k (mu_k^2 + exp(lv_k) - lv_k - 1)``.  The ``mu^2`` part
    of the KL is the activity energy of the code; the ReLU makes the code
    nonnegative; ``beta_weight`` is the weight energy, on the decoder only.
    ``beta_weight = 0`` and ``relu_mean = False`` is the plain beta-VAE.

    The noise ``eps`` is drawn from a generator seeded by :meth:`init`
    (bit-for-bit reproducible training), or passed explicitly
    (``loss_and_grad(..., eps=...)``, e.g. for finite-difference tests).

    Parameters
    ----------
    n_inputs, n_hidden, n_latent : int
    beta : float
        Weight of the KL term.
    beta_weight : float
        Weight energy of the decoder's weight matrices.
    relu_mean : bool
        ReLU on the posterior mean (nonnegative code).
    init_std : float
        Standard deviation of the initial weights times ``sqrt(fan_in)``.
    """

    n_inputs: int
    n_hidden: int
    n_latent: int
    beta: float = 1.0
    beta_weight: float = 0.0
    relu_mean: bool = True
    init_std: float = 1.0
    _noise: np.random.Generator | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if min(self.n_inputs, self.n_hidden, self.n_latent) < 1:
            raise BiomodularError("need n_inputs, n_hidden and n_latent >= 1")
        if self.beta < 0 or self.beta_weight < 0:
            raise BiomodularError("beta and beta_weight must be nonnegative")

    def init(self, X: np.ndarray, seed=0) -> Params:
        """Random weights; also seeds the generator of the sampling noise."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self._noise = np.random.default_rng(rng.integers(0, 2**63 - 1))
        D, H, K = self.n_inputs, self.n_hidden, self.n_latent

        def weights(rows: int, fan_in: int) -> np.ndarray:
            return self.init_std / np.sqrt(fan_in) * rng.standard_normal((rows, fan_in))

        return {
            "W": weights(H, D),
            "b": np.full(H, 0.1),
            "M": weights(K, H),
            "m": np.full(K, 0.1 if self.relu_mean else 0.0),
            "V": 0.1 * weights(K, H),
            "v": np.full(K, -2.0),
            "D": weights(H, K),
            "d": np.full(H, 0.1),
            "E": weights(D, H),
            "e": np.asarray(X, float).mean(axis=0),
        }

    def _encode(self, params: Params, X: np.ndarray):
        h = X @ params["W"].T + params["b"]
        a = np.maximum(h, 0.0)
        pre_mu = a @ params["M"].T + params["m"]
        mu = np.maximum(pre_mu, 0.0) if self.relu_mean else pre_mu
        lv = a @ params["V"].T + params["v"]
        return h, a, pre_mu, mu, lv

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        """The posterior mean, the representation whose modularity is measured."""
        return self._encode(params, np.asarray(X, float))[3]

    def reconstruct(self, params: Params, X: np.ndarray) -> np.ndarray:
        """The decoder's output at the posterior mean (no sampling noise)."""
        mu = self.code(params, X)
        return np.maximum(mu @ params["D"].T + params["d"], 0.0) @ params["E"].T + params["e"]

    def reconstruction_error(self, params: Params, X: np.ndarray) -> float:
        """Mean over samples of ``||x - x_hat||^2`` at the posterior mean."""
        X = np.asarray(X, float)
        return float(((self.reconstruct(params, X) - X) ** 2).sum() / X.shape[0])

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None, *, eps: np.ndarray | None = None):
        """Loss, its parts and its gradient on the batch ``X`` (``Y`` is ignored: the target is ``X``)."""
        B = X.shape[0]
        if eps is None:
            if self._noise is None:
                raise BiomodularError("VAE.init must run before training (it seeds the sampling noise)")
            eps = self._noise.standard_normal((B, self.n_latent))
        h, a, pre_mu, mu, lv = self._encode(params, X)
        std = np.exp(0.5 * lv)
        z = mu + std * eps
        g = z @ params["D"].T + params["d"]
        c = np.maximum(g, 0.0)
        err = c @ params["E"].T + params["e"] - X
        D, E = params["D"], params["E"]
        parts = {
            "reconstruction": float((err**2).sum() / B),
            "kl": self.beta * float(0.5 * (mu**2 + std**2 - lv - 1.0).sum() / B),
            "weight": self.beta_weight * float((D**2).sum() + (E**2).sum()),
        }
        d_out = 2.0 * err / B
        grads: Params = {"E": d_out.T @ c + 2.0 * self.beta_weight * E, "e": d_out.sum(axis=0)}
        d_g = (d_out @ E) * (g > 0)
        grads["D"] = d_g.T @ z + 2.0 * self.beta_weight * D
        grads["d"] = d_g.sum(axis=0)
        d_z = d_g @ D
        d_mu = d_z + self.beta * mu / B
        d_lv = 0.5 * d_z * eps * std + 0.5 * self.beta * (std**2 - 1.0) / B
        d_pre = d_mu * (pre_mu > 0) if self.relu_mean else d_mu
        grads["M"], grads["m"] = d_pre.T @ a, d_pre.sum(axis=0)
        grads["V"], grads["v"] = d_lv.T @ a, d_lv.sum(axis=0)
        d_h = (d_pre @ params["M"] + d_lv @ params["V"]) * (h > 0)
        grads["W"], grads["b"] = d_h.T @ X, d_h.sum(axis=0)
        return sum(parts.values()), parts, grads

    def loss(self, params: Params, X: np.ndarray, Y=None, *, eps: np.ndarray | None = None) -> float:
        return self.loss_and_grad(params, X, Y, eps=eps)[0]
