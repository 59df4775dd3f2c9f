"""Training the linear autoencoder in units where every scale is one.

Adam's step size is absolute in parameter units, so the same settings that
train well on sources of order one fail on sources measured in thousands, or
when ``lam_in, lam_out`` make the optimal gains large or small.  The problem
of docs/mathematics.md, "The biologically constrained linear autoencoder" has an exact change of variables that removes both scales:

- sources: ``s = mu + sigma s'`` with ``sigma^2`` the mean source variance,
  so ``W' = sigma W`` and the coefficients become ``lam_in / sigma^2`` and
  ``lam_out sigma^2``;
- gains: ``W' = g V`` with ``g^4 = lam_out' / (E' + lam_in')`` (``E'`` the mean
  modular energy per unit gain, docs/mathematics.md, "The biologically constrained linear autoencoder"), after which the loss is
  ``g^2 [ <|z_V|^2> + lam_in' |V|^2 + (lam_out' / g^4) tr((V^T V)^-1) ]``.

So the network is trained on ``s'`` with coefficients ``lam_in'`` and
``lam_out' / g^4`` (both of order one when the weight terms matter), and
its parameters and losses are mapped back exactly: ``W = g V / sigma``,
``loss = g^2 loss_V``.  The squared nonnegativity penalty is quadratic in
``z`` like the activity, so its weight needs no change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ..errors import BiomodularError
from .models import ExactLinearAE, LinearAE
from .training import TrainResult, train

__all__ = ["Scaling", "scaling", "train_linear"]


@dataclass(frozen=True)
class Scaling:
    """The change of variables of this module: ``W = gain * V / sigma``, ``loss = gain**2 * loss_V``."""

    mean: np.ndarray
    sigma: float
    gain: float
    lam_in: float
    lam_out: float

    def samples(self, S: np.ndarray) -> np.ndarray:
        return (S - self.mean) / self.sigma

    def params_to_original(self, params: dict) -> dict:
        """Map ``W, b`` (and ``R, c``) of the scaled network to the sources' own units."""
        g, sig, mu = self.gain, self.sigma, self.mean
        V, bV = params["W"], params["b"]
        out = {"W": g * V / sig, "b": g * (bV - V @ mu / sig)}
        if "R" in params:
            out["R"] = sig * params["R"] / g
            out["c"] = sig * params["c"] + mu
        return out


def scaling(S: np.ndarray, lam_in: float, lam_out: float) -> Scaling:
    """The scales of docs/mathematics.md, "The biologically constrained linear autoencoder"'s problem on samples ``S`` (see the module docstring)."""
    S = np.asarray(S, dtype=float)
    mu = S.mean(axis=0)
    Sc = S - mu
    sigma = float(np.sqrt(Sc.var(axis=0).mean()))
    if not sigma > 0:
        raise BiomodularError("the sources are constant: nothing to train")
    Sp = Sc / sigma
    beta = np.minimum(-Sp.min(axis=0), Sp.max(axis=0))
    energy = float(np.mean(Sp.var(axis=0) + beta**2))
    lin, lout = lam_in / sigma**2, lam_out * sigma**2
    gain = (lout / (energy + lin)) ** 0.25
    return Scaling(mean=mu, sigma=sigma, gain=gain, lam_in=lin, lam_out=lout / gain**4)


def train_linear(
    samples: np.ndarray,
    *,
    model: str = "exact",
    lam_in: float = 1.0,
    lam_out: float = 1.0,
    n_neurons: int | None = None,
    beta_nonneg: float = 1e4,
    penalty: str = "squared",
    beta_recon: float = 1e3,
    seed: int = 0,
    monitor: Callable[[int, dict], bool | None] | None = None,
    **train_options,
) -> TrainResult:
    """Train the linear autoencoder of docs/mathematics.md, "The biologically constrained linear autoencoder" in scaled units; return it in the sources' units.

    Parameters
    ----------
    samples : ndarray, shape (n_samples, n_sources)
    model : {"exact", "learned"}
        :class:`~biomodular.verify.models.ExactLinearAE` or
        :class:`~biomodular.verify.models.LinearAE`.
    lam_in, lam_out : float
        Coefficients of the problem in the sources' own units.
    n_neurons, beta_nonneg, penalty, beta_recon :
        Model settings (``beta_recon`` only for ``"learned"``).
    seed : int
    monitor : callable, optional
        ``monitor(step, params)`` with ``params`` in the sources' units.
    **train_options
        Passed to :func:`~biomodular.verify.training.train` (``lr``,
        ``batch_size``, ``max_steps``, ``tol``, ``window``, ``progress``,
        ``monitor_every``, ...).

    Returns
    -------
    TrainResult
        ``params`` (``W``, ``b``, and ``R``, ``c`` for ``"learned"``), ``loss``,
        ``parts`` and ``history`` in the sources' units.
    """
    S = np.asarray(samples, dtype=float)
    sc = scaling(S, lam_in, lam_out)
    d = S.shape[1]
    net: ExactLinearAE | LinearAE
    if model == "exact":
        net = ExactLinearAE(
            d, n_neurons, lam_in=sc.lam_in, lam_out=sc.lam_out, beta_nonneg=beta_nonneg, penalty=penalty
        )
    elif model == "learned":
        net = LinearAE(
            d,
            n_neurons,
            lam_in=sc.lam_in,
            lam_out=sc.lam_out,
            beta_recon=beta_recon,
            beta_nonneg=beta_nonneg,
            penalty=penalty,
        )
    else:
        raise BiomodularError(f"model must be 'exact' or 'learned'; got {model!r}")

    def wrapped(step, params):
        return monitor(step, sc.params_to_original(params))

    tr = train(net, sc.samples(S), seed=seed, monitor=None if monitor is None else wrapped, **train_options)
    g2 = sc.gain**2
    return replace(
        tr,
        params=sc.params_to_original(tr.params),
        loss=g2 * tr.loss,
        parts={k: g2 * v for k, v in tr.parts.items()},
        history=tuple((s, g2 * l, r) for s, l, r in tr.history),
    )
