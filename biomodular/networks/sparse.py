"""A linear autoencoder with an L1 activity penalty instead of nonnegativity (ICLR 2023, App. A.6)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BiomodularError

__all__ = ["SparseLinearAE"]

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class SparseLinearAE:
    """``z = W x + b``, ``x_hat = R z + c``; no nonnegativity, a sparsity (L1) penalty on ``z`` instead.

    Loss on a batch (means over samples, sums over units)::

        beta_recon mean ||x - x_hat||^2 + beta_l1 mean ||z||_1 + beta_activity mean ||z||^2
          + beta_weight (||W||_F^2 + ||R||_F^2)

    The gradient of ``|z|`` is taken as ``sign(z)`` (zero at zero).

    Parameters
    ----------
    n_inputs, n_code : int
    beta_recon, beta_l1, beta_activity, beta_weight : float
    init_std : float
        Standard deviation of the initial weights times ``sqrt(fan_in)``.
    """

    n_inputs: int
    n_code: int
    beta_recon: float = 100.0
    beta_l1: float = 1.0
    beta_activity: float = 1.0
    beta_weight: float = 1e-2
    init_std: float = 0.5

    def __post_init__(self) -> None:
        if self.n_inputs < 1 or self.n_code < 1:
            raise BiomodularError("need n_inputs >= 1 and n_code >= 1")
        if min(self.beta_recon, self.beta_l1, self.beta_activity, self.beta_weight) < 0:
            raise BiomodularError("loss coefficients must be nonnegative")

    def init(self, X: np.ndarray, seed=0) -> Params:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        d, k = self.n_inputs, self.n_code
        return {
            "W": self.init_std / np.sqrt(d) * rng.standard_normal((k, d)),
            "b": np.zeros(k),
            "R": self.init_std / np.sqrt(k) * rng.standard_normal((d, k)),
            "c": np.asarray(X, float).mean(axis=0),
        }

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        return X @ params["W"].T + params["b"]

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None) -> tuple[float, dict, Params]:
        Y = X if Y is None else Y
        B = X.shape[0]
        Z = self.code(params, X)
        err = Z @ params["R"].T + params["c"] - Y
        W, R = params["W"], params["R"]
        parts = {
            "reconstruction": self.beta_recon * float((err**2).sum() / B),
            "l1": self.beta_l1 * float(np.abs(Z).sum() / B),
            "activity": self.beta_activity * float((Z**2).sum() / B),
            "weight": self.beta_weight * float((W**2).sum() + (R**2).sum()),
        }
        d_err = 2.0 * self.beta_recon * err / B
        dZ = d_err @ R + self.beta_l1 * np.sign(Z) / B + 2.0 * self.beta_activity * Z / B
        grads = {
            "W": dZ.T @ X + 2.0 * self.beta_weight * W,
            "b": dZ.sum(axis=0),
            "R": d_err.T @ Z + 2.0 * self.beta_weight * R,
            "c": d_err.sum(axis=0),
        }
        return sum(parts.values()), parts, grads

    def loss(self, params: Params, X: np.ndarray, Y=None) -> float:
        return self.loss_and_grad(params, X, Y)[0]
