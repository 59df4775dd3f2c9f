"""A deep ReLU network with the biological losses on every hidden layer (ICLR 2023, Fig. 3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BiomodularError

__all__ = ["DeepReLU"]

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class DeepReLU:
    """``a_l = relu(a_{l-1} W_l^T + b_l)`` for the hidden layers, a linear readout ``y_hat = a_L W^T + b``.

    Loss on a batch (means over samples, sums over units)::

        beta_pred mean ||y - y_hat||^2 + beta_activity sum_l mean ||a_l||^2 + beta_weight sum_l ||W_l||_F^2

    over every hidden layer ``l`` and every weight matrix (readout included);
    the ReLU keeps every hidden layer nonnegative.  Parameters ``W0, b0, ...``;
    ``hidden(params, X)`` returns the activities of every hidden layer.

    Parameters
    ----------
    sizes : tuple of int
        Input width, hidden widths, output width.
    beta_pred, beta_activity, beta_weight : float
    init_std : float
        Standard deviation of the initial weights times ``sqrt(fan_in)``.
    """

    sizes: tuple[int, ...]
    beta_pred: float = 1.0
    beta_activity: float = 1e-2
    beta_weight: float = 1e-3
    init_std: float = 1.0

    def __post_init__(self) -> None:
        sizes = tuple(int(s) for s in self.sizes)
        if len(sizes) < 3 or min(sizes) < 1:
            raise BiomodularError(f"need an input, at least one hidden layer and an output; got {sizes}")
        object.__setattr__(self, "sizes", sizes)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def init(self, X: np.ndarray, seed=0) -> Params:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        params: Params = {}
        for layer in range(self.n_layers):
            fan_in = self.sizes[layer]
            params[f"W{layer}"] = self.init_std / np.sqrt(fan_in) * rng.standard_normal((self.sizes[layer + 1], fan_in))
            params[f"b{layer}"] = np.full(self.sizes[layer + 1], 0.1 if layer < self.n_layers - 1 else 0.0)
        return params

    def _forward(self, params: Params, X: np.ndarray) -> list[np.ndarray]:
        acts = [X]
        for layer in range(self.n_layers):
            h = acts[-1] @ params[f"W{layer}"].T + params[f"b{layer}"]
            acts.append(np.maximum(h, 0.0) if layer < self.n_layers - 1 else h)
        return acts

    def hidden(self, params: Params, X: np.ndarray) -> list[np.ndarray]:
        """Activities of every hidden layer, first to last."""
        return self._forward(params, X)[1:-1]

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        """The last hidden layer."""
        return self._forward(params, X)[-2]

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None) -> tuple[float, dict, Params]:
        if Y is None:
            raise BiomodularError("DeepReLU needs targets Y")
        B = X.shape[0]
        acts = self._forward(params, X)
        err = acts[-1] - Y
        parts = {
            "prediction": self.beta_pred * float((err**2).sum() / B),
            "activity": self.beta_activity * float(sum((a**2).sum() for a in acts[1:-1]) / B),
            "weight": self.beta_weight * float(sum((params[f"W{k}"] ** 2).sum() for k in range(self.n_layers))),
        }
        grads: Params = {}
        dh = 2.0 * self.beta_pred * err / B  # gradient at the readout's pre-activation
        for layer in range(self.n_layers - 1, -1, -1):
            W = params[f"W{layer}"]
            grads[f"W{layer}"] = dh.T @ acts[layer] + 2.0 * self.beta_weight * W
            grads[f"b{layer}"] = dh.sum(axis=0)
            if layer == 0:
                break
            da = dh @ W + 2.0 * self.beta_activity * acts[layer] / B
            dh = da * (acts[layer] > 0)
        return sum(parts.values()), parts, grads

    def loss(self, params: Params, X: np.ndarray, Y=None) -> float:
        return self.loss_and_grad(params, X, Y)[0]
