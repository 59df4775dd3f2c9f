"""Training loop: seeded minibatches, Adam, and a convergence criterion.

Convergence (not a fixed step count): the loss is smoothed as the mean of the
minibatch losses over a window of ``window`` steps; when the relative change
between two consecutive windows falls below ``tol`` the loss has reached a
plateau.  On a plateau the learning rate is multiplied by ``decay`` (at most
``n_decays`` times, which removes Adam's noise floor); the plateau at the last
learning rate is convergence.  ``max_steps`` caps the run, and the result says
whether it converged.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import BiomodularError
from .optim import Adam

__all__ = ["TrainResult", "train"]

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class TrainResult:
    """Outcome of :func:`train`.

    Attributes
    ----------
    params : dict of ndarray
        Final parameters.
    loss : float
        Loss on the full training data at the end.
    parts : dict
        Named parts of that loss.
    converged : bool
        Whether the convergence criterion was met before ``max_steps``.
    steps : int
    seconds : float
    history : tuple of (step, smoothed loss, learning rate)
        One entry per window.
    seed : int or None
    stopped : bool
        Whether a ``monitor`` stopped the run.
    """

    params: dict = field(repr=False)
    loss: float
    parts: dict
    converged: bool
    steps: int
    seconds: float
    history: tuple = field(repr=False)
    seed: int | None = None
    stopped: bool = False

    def to_dict(self) -> dict:
        return {
            "loss": float(self.loss),
            "parts": {k: float(v) for k, v in self.parts.items()},
            "converged": bool(self.converged),
            "steps": int(self.steps),
            "seconds": float(self.seconds),
            "seed": self.seed,
            "stopped": bool(self.stopped),
            "history": [[int(s), float(l), float(r)] for s, l, r in self.history],
            "params": {k: np.asarray(v).tolist() for k, v in self.params.items()},
        }


def train(
    model,
    X: np.ndarray,
    Y: np.ndarray | None = None,
    *,
    seed: int | np.random.Generator = 0,
    lr: float = 1e-2,
    batch_size: int | None = 256,
    max_steps: int = 20_000,
    tol: float = 1e-4,
    window: int = 200,
    decay: float = 0.3,
    n_decays: int = 3,
    params: Params | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    monitor: Callable[[int, Params], bool | None] | None = None,
    monitor_every: int | None = None,
) -> TrainResult:
    """Train ``model`` on inputs ``X`` (and targets ``Y``) with Adam.

    Parameters
    ----------
    model
        One of the models of :mod:`biomodular.verify.models`.
    X : ndarray, shape (n_samples, n_inputs)
    Y : ndarray, shape (n_samples, n_outputs), optional
        Targets; autoencoders use ``X`` itself when omitted.
    seed : int or Generator
        Seeds the initialisation and the minibatch order (bit-for-bit reproducible).
    lr : float
        Initial Adam step size.
    batch_size : int or None
        Minibatch size (samples drawn without replacement, reshuffled every
        epoch); ``None`` or a size >= n_samples trains on the full data.
    max_steps : int
        Cap on the number of steps.
    tol : float
        Relative change of the window-averaged loss that counts as a plateau.
    window : int
        Steps per window.
    decay, n_decays : float, int
        Learning-rate decay on a plateau, and how many decays before convergence.
    params : dict, optional
        Start from these parameters instead of ``model.init(X, seed)``.
    progress : callable, optional
        Called as ``progress(step, max_steps, smoothed_loss)`` after every window.
    monitor : callable, optional
        Called as ``monitor(step, params)`` after every window (do not modify
        ``params``); returning True stops training (``stopped`` is then true).
    monitor_every : int, optional
        Steps between calls of ``monitor`` (default: ``window``).

    Returns
    -------
    TrainResult
        ``converged`` is False when ``max_steps`` ran out first.  No warning is
        issued here (a fixed step budget is a legitimate use);
        :func:`~biomodular.verify.compare.verify_code` warns with
        :class:`~biomodular.errors.ConvergenceWarning` for its seeds.
    """
    X, Y = _training_data(model, X, Y)
    every = _check_schedule(max_steps, window, tol, monitor_every)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    seed_value = None if isinstance(seed, np.random.Generator) else int(seed)
    if batch_size is not None and batch_size < 1:
        raise BiomodularError(f"batch_size must be positive; got {batch_size}")
    params = model.init(X, rng) if params is None else {k: np.array(v, dtype=float) for k, v in params.items()}
    batches = _Minibatches(X, Y, batch_size, rng)
    plateau = _Plateau(lr, tol, window, decay, n_decays)
    opt = Adam(lr=lr)
    converged = stopped = False
    start = time.perf_counter()
    step = 0
    while step < max_steps:
        xb, yb = batches.next()
        loss, _, grads = model.loss_and_grad(params, xb, yb)
        if not np.isfinite(loss):
            raise BiomodularError(
                f"training diverged at step {step} (loss {loss}); lower the learning rate (lr={plateau.rate:g})"
            )
        opt.step(params, grads, lr=plateau.rate)
        plateau.add(loss)
        step += 1
        if monitor is not None and step % every == 0 and monitor(step, params):
            stopped = True
            break
        if step % window == 0:
            smoothed = plateau.close_window(step)
            if progress is not None:
                progress(step, max_steps, smoothed)
            if plateau.converged():
                converged = True
                break
    seconds = time.perf_counter() - start
    final, parts, _ = model.loss_and_grad(params, X, Y)
    return TrainResult(
        params=params,
        loss=float(final),
        parts={k: float(v) for k, v in parts.items()},
        converged=converged,
        steps=step,
        seconds=seconds,
        history=tuple(plateau.history),
        seed=seed_value,
        stopped=stopped,
    )


def _training_data(model, X, Y) -> tuple[np.ndarray, np.ndarray | None]:
    """Inputs and targets as float arrays, checked; an autoencoder's targets default to its inputs."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise BiomodularError(f"training data must be 2-D with at least 2 samples; got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise BiomodularError("training data contain NaN or infinite values")
    if Y is None and hasattr(model, "sizes") and model.sizes[0] == model.sizes[-1]:
        Y = X
    if Y is not None:
        Y = np.asarray(Y, dtype=float)
        if Y.ndim == 1:
            Y = Y[:, None]
        if Y.shape[0] != X.shape[0]:
            raise BiomodularError("inputs and targets must have the same number of samples")
    return X, Y


def _check_schedule(max_steps: int, window: int, tol: float, monitor_every: int | None) -> int:
    """Check the step counts and the plateau tolerance; return the steps between monitor calls."""
    if max_steps < 1 or window < 1 or not tol > 0:
        raise BiomodularError("need max_steps >= 1, window >= 1 and tol > 0")
    every = window if monitor_every is None else int(monitor_every)
    if every < 1:
        raise BiomodularError(f"monitor_every must be positive; got {monitor_every}")
    return every


class _Minibatches:
    """Minibatches drawn without replacement, reshuffled when an epoch runs out (or the full data)."""

    def __init__(self, X: np.ndarray, Y: np.ndarray | None, batch_size: int | None, rng: np.random.Generator):
        self.X, self.Y, self.rng = X, Y, rng
        self.n = X.shape[0]
        self.full = batch_size is None or batch_size >= self.n
        self.size = self.n if batch_size is None else int(batch_size)
        self.order = rng.permutation(self.n)
        self.pos = 0

    def next(self) -> tuple[np.ndarray, np.ndarray | None]:
        if self.full:
            return self.X, self.Y
        if self.pos + self.size > self.n:
            self.order = self.rng.permutation(self.n)
            self.pos = 0
        idx = self.order[self.pos : self.pos + self.size]
        self.pos += self.size
        return self.X[idx], None if self.Y is None else self.Y[idx]


class _Plateau:
    """The convergence criterion of the module docstring: window means, decays on a plateau."""

    def __init__(self, lr: float, tol: float, window: int, decay: float, n_decays: int):
        self.rate, self.tol, self.window, self.decay = lr, tol, window, decay
        self.decays_left = int(n_decays)
        self.history: list[tuple[int, float, float]] = []
        self.previous: float | None = None
        self.running = 0.0
        self.smoothed = math.nan

    def add(self, loss: float) -> None:
        self.running += loss

    def close_window(self, step: int) -> float:
        """End a window: record its mean loss (returned) at the current rate."""
        self.smoothed = self.running / self.window
        self.running = 0.0
        self.history.append((step, self.smoothed, self.rate))
        return self.smoothed

    def converged(self) -> bool:
        """Whether the window just closed ends training; on an earlier plateau, decay the rate instead."""
        smoothed, previous = self.smoothed, self.previous
        if previous is not None and abs(previous - smoothed) <= self.tol * abs(smoothed):
            if self.decays_left > 0:
                self.decays_left -= 1
                self.rate *= self.decay
                self.previous = None
                return False
            return True
        self.previous = smoothed
        return False
