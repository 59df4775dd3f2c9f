"""Networks trained with the biological losses (docs/mathematics.md, "The biologically constrained linear autoencoder" and "Training networks with biological constraints"), gradients by hand.

Every model is a small object with the same four methods:

- ``init(X, seed) -> params``: a dictionary of float64 arrays; ``X`` (the
  training inputs) sets the scale of the initialisation,
- ``loss_and_grad(params, X, Y=None) -> (loss, parts, grads)``: the loss on a
  batch, its named parts and its gradient (same keys as ``params``),
- ``loss(params, X, Y=None) -> float``,
- ``code(params, X) -> Z``: the code-layer activities, samples-first.

Losses are means over the samples of the batch and sums over units, so a loss
is comparable across batch sizes.

Models:

- :class:`ExactLinearAE` -- the linear autoencoder of docs/mathematics.md, "The biologically constrained linear autoencoder" in the
  exact form: ``z = W s + b`` and readout ``pinv(W)``, so its loss is directly
  the reduced loss of the convex problem (plus a nonnegativity penalty).
- :class:`LinearAE` -- the same code with a learned readout ``s_hat = R z + c``
  and soft penalties, as published runs train it.
- :class:`MLPAutoencoder` -- a ReLU MLP autoencoder with the same losses.
- :class:`SupervisedMLP` -- an MLP predicting targets from inputs; its last
  hidden layer is the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..errors import BiomodularError

__all__ = [
    "ExactLinearAE",
    "FeedForward",
    "LinearAE",
    "MLPAutoencoder",
    "SupervisedMLP",
    "reduced_loss",
    "project_biases",
    "default_neurons",
]

Params = dict[str, np.ndarray]

_PENALTIES = ("hinge", "squared")


def default_neurons(d: int) -> int:
    """Default width: twice the ``d(d+1)/2 + 1`` neurons the theory needs (docs/mathematics.md, "The exact modularity condition")."""
    return 2 * (d * (d + 1) // 2 + 1)


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_data(X: np.ndarray, width: int, what: str = "inputs") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != width:
        raise BiomodularError(f"{what} must have shape (n_samples, {width}); got {X.shape}")
    return X


def _nonneg_penalty(Z: np.ndarray, kind: str) -> tuple[float, np.ndarray]:
    """Penalty on negative activity, mean over samples of the sum over units, and its gradient."""
    B = Z.shape[0]
    neg = np.minimum(Z, 0.0)
    if kind == "hinge":
        return float(-neg.sum() / B), -(Z < 0).astype(float) / B
    return float((neg**2).sum() / B), 2.0 * neg / B


def project_biases(W: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """The cheapest feasible biases ``b_n = -min_i w_n . s_i`` (docs/mathematics.md, "The biologically constrained linear autoencoder", reduction 3).

    With them ``z = W s + b >= 0`` on every sample, with equality on the least
    active sample of each neuron.
    """
    return -(np.asarray(samples, float) @ np.asarray(W, float).T).min(axis=0)


def reduced_loss(W: np.ndarray, samples: np.ndarray, lam_in: float, lam_out: float) -> float:
    """Exact reduced loss of the tuning matrix ``W`` (docs/mathematics.md, "The biologically constrained linear autoencoder", reduction 4).

    ``sum_n [w_n^T C w_n + m(w_n)^2 + lam_in ||w_n||^2] + lam_out tr((W^T W)^-1)``
    with the data's covariance ``C`` and ``m(w) = min_i w . (s_i - mean)``.
    This is the loss of the feasible code ``z = W s + b`` with biases from
    :func:`project_biases` and the pseudo-inverse readout, so it is an upper
    bound on the optimum of the convex problem.  Infinite if ``W`` has
    deficient column rank.
    """
    from ..solvers.energy import code_terms

    W = np.asarray(W, float)
    S = np.asarray(samples, float)
    Sc = S - S.mean(axis=0)
    if not np.all(np.isfinite(W)):
        return float("inf")
    terms = code_terms(Sc, Sc.T @ Sc / Sc.shape[0], W)
    return terms["activity"] + lam_in * terms["encoder"] + lam_out * terms["readout"]


@dataclass(frozen=True)
class ExactLinearAE:
    """Linear autoencoder in the exact form of docs/mathematics.md, "The biologically constrained linear autoencoder".

    ``z = W s + b`` with ``W`` of shape ``(n_neurons, d)``; the readout is the
    pseudo-inverse of ``W``, which reconstructs exactly and costs
    ``||pinv(W)||_F^2 = tr((W^T W)^-1)``.  The loss on a batch is::

        mean ||z||^2 + lam_in ||W||_F^2 + lam_out tr((W^T W)^-1)
            + beta_nonneg * mean sum_n penalty(min(z_n, 0))

    with ``penalty`` the hinge ``|.|`` (an exact penalty) or its square.  At a
    feasible point (``z >= 0``) with the cheapest biases it equals the
    reduced loss of the convex problem.

    Parameters
    ----------
    n_sources : int
    n_neurons : int, optional
        Defaults to :func:`default_neurons`; unused neurons die.
    lam_in, lam_out : float
        Weight-energy coefficients (``lam_out > 0``).
    beta_nonneg : float
        Weight of the nonnegativity penalty.
    penalty : {"hinge", "squared"}
    init_scale : float
        Multiplies the initial weights (1 = the modular optimum's gain shared
        among the neurons).
    """

    n_sources: int
    n_neurons: int | None = None
    lam_in: float = 0.1
    lam_out: float = 1.0
    beta_nonneg: float = 10.0
    penalty: str = "hinge"
    init_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.n_sources < 1:
            raise BiomodularError("n_sources must be >= 1")
        width = default_neurons(self.n_sources) if self.n_neurons is None else self.n_neurons
        object.__setattr__(self, "n_neurons", width)
        if width < self.n_sources:
            raise BiomodularError(f"need at least n_sources = {self.n_sources} neurons to reconstruct; got {width}")
        if not self.lam_out > 0 or not self.lam_in >= 0:
            raise BiomodularError("need lam_out > 0 and lam_in >= 0")
        if self.penalty not in _PENALTIES:
            raise BiomodularError(f"penalty must be one of {_PENALTIES}; got {self.penalty!r}")

    def init(self, X: np.ndarray, seed=0) -> Params:
        """Random tunings at the scale of the modular optimum, feasible biases."""
        X = _check_data(X, self.n_sources)
        rng = _rng(seed)
        assert self.n_neurons is not None  # set by __post_init__
        d, N = self.n_sources, int(self.n_neurons)
        energy = float(np.mean(X.var(axis=0) + (X - X.mean(axis=0)).min(axis=0) ** 2))
        gain = (self.lam_out / (energy + self.lam_in)) ** 0.25 * np.sqrt(d / N)
        W = self.init_scale * gain * rng.standard_normal((N, d))
        return {"W": W, "b": project_biases(W, X)}

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        return X @ params["W"].T + params["b"]

    def tuning(self, params: Params) -> np.ndarray:
        return params["W"]

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None) -> tuple[float, dict, Params]:
        W, b = params["W"], params["b"]
        B = X.shape[0]
        Z = X @ W.T + b
        activity = float((Z**2).sum() / B)
        pen, dpen = _nonneg_penalty(Z, self.penalty)
        G = W.T @ W
        Ginv = np.linalg.inv(G)
        weight_out = float(np.trace(Ginv))
        dZ = 2.0 * Z / B + self.beta_nonneg * dpen
        # d tr((W^T W)^-1) / dW = -2 W (W^T W)^-2
        gW = dZ.T @ X + 2.0 * self.lam_in * W - 2.0 * self.lam_out * W @ (Ginv @ Ginv)
        gb = dZ.sum(axis=0)
        parts = {
            "activity": activity,
            "weight_in": self.lam_in * float((W**2).sum()),
            "weight_out": self.lam_out * weight_out,
            "nonneg": self.beta_nonneg * pen,
        }
        return sum(parts.values()), parts, {"W": gW, "b": gb}

    def loss(self, params: Params, X: np.ndarray, Y=None) -> float:
        return self.loss_and_grad(params, X, Y)[0]


@dataclass(frozen=True)
class FeedForward:
    """A fully connected network with one designated code layer.

    Layer ``l`` computes ``a_l = f_l(a_{l-1} W_l^T + b_l)``; ``W_l`` has shape
    ``(sizes[l+1], sizes[l])``.  The loss on a batch (docs/mathematics.md, "Training networks with biological constraints") is::

        beta_pred * mean ||y - a_L||^2
          + beta_activity * mean ||a_code||^2
          + beta_nonneg * mean sum penalty(min(a_code, 0))
          + sum_l beta_weight[l] ||W_l||_F^2        (weights only, not biases)

    Parameters
    ----------
    sizes : sequence of int
        Widths from input to output.
    activations : sequence of {"relu", "linear"}
        One per layer (``len(sizes) - 1``).
    code_layer : int
        Index (1-based over layers) of the layer whose activities are the code.
    beta_pred, beta_activity, beta_nonneg : float
    beta_weight : float or sequence of float
        One coefficient for every layer, or one per layer.
    penalty : {"hinge", "squared"}
    init_std : float
        Standard deviation of initial weights times ``sqrt(fan_in)``.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    code_layer: int
    beta_pred: float = 1.0
    beta_activity: float = 1.0
    beta_nonneg: float = 0.0
    beta_weight: float | tuple[float, ...] = 0.0
    penalty: str = "hinge"
    init_std: float = 0.5

    def __post_init__(self) -> None:
        sizes = tuple(int(s) for s in self.sizes)
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "activations", tuple(self.activations))
        L = len(sizes) - 1
        if L < 1 or min(sizes) < 1:
            raise BiomodularError(f"need at least two positive layer sizes; got {sizes}")
        if len(self.activations) != L or any(a not in ("relu", "linear") for a in self.activations):
            raise BiomodularError(f"need {L} activations, each 'relu' or 'linear'; got {self.activations}")
        if not 1 <= self.code_layer <= L:
            raise BiomodularError(f"code_layer must be between 1 and {L}; got {self.code_layer}")
        bw = self.beta_weight
        bw = tuple(float(x) for x in bw) if isinstance(bw, (tuple, list)) else (float(bw),) * L
        if len(bw) != L:
            raise BiomodularError(f"beta_weight needs one value or {L}; got {len(bw)}")
        object.__setattr__(self, "beta_weight", bw)
        if self.penalty not in _PENALTIES:
            raise BiomodularError(f"penalty must be one of {_PENALTIES}; got {self.penalty!r}")

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def weight_coefficients(self) -> tuple[float, ...]:
        """``beta_weight`` with one coefficient per layer (as ``__post_init__`` stores it)."""
        bw = self.beta_weight
        return bw if isinstance(bw, tuple) else (float(bw),) * self.n_layers

    def init(self, X: np.ndarray, seed=0) -> Params:
        _check_data(X, self.sizes[0])
        rng = _rng(seed)
        params: Params = {}
        for l in range(self.n_layers):
            fan_in = self.sizes[l]
            params[f"W{l}"] = self.init_std / np.sqrt(fan_in) * rng.standard_normal((self.sizes[l + 1], fan_in))
            params[f"b{l}"] = np.zeros(self.sizes[l + 1])
        return params

    def _forward(self, params: Params, X: np.ndarray) -> tuple[list, list]:
        acts, pres = [X], []
        a = X
        for l in range(self.n_layers):
            h = a @ params[f"W{l}"].T + params[f"b{l}"]
            pres.append(h)
            a = np.maximum(h, 0.0) if self.activations[l] == "relu" else h
            acts.append(a)
        return acts, pres

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        return self._forward(params, X)[0][self.code_layer]

    def predict(self, params: Params, X: np.ndarray) -> np.ndarray:
        return self._forward(params, X)[0][-1]

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None) -> tuple[float, dict, Params]:
        if Y is None:
            raise BiomodularError("this model needs targets Y")
        B = X.shape[0]
        acts, pres = self._forward(params, X)
        err = acts[-1] - Y
        code = acts[self.code_layer]
        pen, dpen = _nonneg_penalty(code, self.penalty)
        parts = {
            "prediction": self.beta_pred * float((err**2).sum() / B),
            "activity": self.beta_activity * float((code**2).sum() / B),
            "nonneg": self.beta_nonneg * pen,
            "weight": sum(bw * float((params[f"W{l}"] ** 2).sum()) for l, bw in enumerate(self.weight_coefficients)),
        }
        grads: Params = {}
        da = 2.0 * self.beta_pred * err / B
        for l in range(self.n_layers - 1, -1, -1):
            if l + 1 == self.code_layer:
                da = da + 2.0 * self.beta_activity * code / B + self.beta_nonneg * dpen
            dh = da * (pres[l] > 0) if self.activations[l] == "relu" else da
            W = params[f"W{l}"]
            grads[f"W{l}"] = dh.T @ acts[l] + 2.0 * self.weight_coefficients[l] * W
            grads[f"b{l}"] = dh.sum(axis=0)
            da = dh @ W
        return sum(parts.values()), parts, grads

    def loss(self, params: Params, X: np.ndarray, Y=None) -> float:
        return self.loss_and_grad(params, X, Y)[0]


@dataclass(frozen=True)
class LinearAE:
    """Linear autoencoder with a learned readout and soft penalties (published runs).

    ``z = W s + b``, ``s_hat = R z + c``; loss::

        beta_recon mean ||s - s_hat||^2 + mean ||z||^2 + lam_in ||W||^2 + lam_out ||R||^2
          + beta_nonneg mean sum penalty(min(z, 0))

    As ``beta_recon`` and ``beta_nonneg`` grow its optimum approaches that of
    :class:`ExactLinearAE`.  Parameters are named ``W, b, R, c``.
    """

    n_sources: int
    n_neurons: int | None = None
    lam_in: float = 0.1
    lam_out: float = 1.0
    beta_recon: float = 100.0
    beta_nonneg: float = 10.0
    penalty: str = "hinge"
    init_std: float = 0.5
    _net: FeedForward = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.n_neurons is None:
            object.__setattr__(self, "n_neurons", default_neurons(self.n_sources))
        assert self.n_neurons is not None
        object.__setattr__(
            self,
            "_net",
            FeedForward(
                sizes=(self.n_sources, int(self.n_neurons), self.n_sources),
                activations=("linear", "linear"),
                code_layer=1,
                beta_pred=self.beta_recon,
                beta_activity=1.0,
                beta_nonneg=self.beta_nonneg,
                beta_weight=(self.lam_in, self.lam_out),
                penalty=self.penalty,
                init_std=self.init_std,
            ),
        )

    _names = {"W": "W0", "b": "b0", "R": "W1", "c": "b1"}

    def _to_net(self, params: Params) -> Params:
        return {v: params[k] for k, v in self._names.items()}

    def _from_net(self, params: Params) -> Params:
        return {k: params[v] for k, v in self._names.items()}

    def init(self, X: np.ndarray, seed=0) -> Params:
        X = _check_data(X, self.n_sources)
        params = self._from_net(self._net.init(X, seed))
        params["b"] = project_biases(params["W"], X)
        params["c"] = X.mean(axis=0) - params["R"] @ (X @ params["W"].T + params["b"]).mean(axis=0)
        return params

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        return X @ params["W"].T + params["b"]

    def tuning(self, params: Params) -> np.ndarray:
        return params["W"]

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None) -> tuple[float, dict, Params]:
        loss, parts, grads = self._net.loss_and_grad(self._to_net(params), X, X)
        return loss, parts, self._from_net(grads)

    def loss(self, params: Params, X: np.ndarray, Y=None) -> float:
        return self.loss_and_grad(params, X, Y)[0]


def MLPAutoencoder(
    n_sources: int,
    n_code: int | None = None,
    hidden: Sequence[int] = (32,),
    decoder_hidden: Sequence[int] | None = None,
    beta_recon: float = 100.0,
    beta_activity: float = 1.0,
    beta_weight: float = 1e-3,
    beta_nonneg: float = 0.0,
    code_activation: str = "relu",
    init_std: float = 0.5,
) -> FeedForward:
    """A ReLU MLP autoencoder (ICLR 2023 nonlinear experiments) as a :class:`FeedForward`.

    Encoder ``d -> hidden... -> n_code`` (ReLU everywhere, so the code is
    nonnegative), decoder ``n_code -> decoder_hidden... -> d`` (ReLU hidden,
    linear output); ``decoder_hidden`` defaults to ``hidden`` reversed.  The
    activity penalty acts on the code layer.
    """
    n_code = default_neurons(n_sources) if n_code is None else int(n_code)
    hidden = tuple(int(h) for h in hidden)
    dec = tuple(reversed(hidden)) if decoder_hidden is None else tuple(int(h) for h in decoder_hidden)
    sizes = (n_sources, *hidden, n_code, *dec, n_sources)
    acts = ("relu",) * len(hidden) + (code_activation,) + ("relu",) * len(dec) + ("linear",)
    return FeedForward(
        sizes=sizes,
        activations=acts,
        code_layer=len(hidden) + 1,
        beta_pred=beta_recon,
        beta_activity=beta_activity,
        beta_nonneg=beta_nonneg,
        beta_weight=beta_weight,
        init_std=init_std,
    )


def SupervisedMLP(
    n_inputs: int,
    n_outputs: int,
    n_code: int,
    hidden: Sequence[int] = (),
    beta_pred: float = 100.0,
    beta_activity: float = 1.0,
    beta_weight: float = 1e-3,
    beta_nonneg: float = 0.0,
    code_activation: str = "relu",
    init_std: float = 0.5,
) -> FeedForward:
    """A supervised MLP ``x -> hidden... -> code -> y`` (linear readout) as a :class:`FeedForward`.

    The code is the last hidden layer; with ``code_activation="linear"`` use
    ``beta_nonneg > 0`` to keep it nonnegative.
    """
    hidden = tuple(int(h) for h in hidden)
    sizes = (int(n_inputs), *hidden, int(n_code), int(n_outputs))
    acts = ("relu",) * len(hidden) + (code_activation, "linear")
    return FeedForward(
        sizes=sizes,
        activations=acts,
        code_layer=len(hidden) + 1,
        beta_pred=beta_pred,
        beta_activity=beta_activity,
        beta_nonneg=beta_nonneg,
        beta_weight=beta_weight,
        init_std=init_std,
    )
