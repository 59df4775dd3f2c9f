"""A pattern-forming model of spatial cells on a ring world (ICLR 2023, Section 4), gradients by hand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BiomodularError

__all__ = ["RingWorldMap"]

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class RingWorldMap:
    """Free neural activities ``g`` of every state of a ring world, shaped by read-outs and path integration.

    A state is an environment ``k`` and a position ``p`` on a ring of
    ``n_positions``; each environment holds one object at ``objects[k]``.
    The activities of the ``n_cells`` cells at every state are free parameters
    (``G``, one row per state ``k * n_positions + p``), as in a pattern-forming
    model, shaped by the losses (means over the states of the batch, sums
    over units)::

        mean ||R_loc g + c_loc - onehot(p)||^2 + mean ||R_obj g + c_obj - onehot(p - o_k)||^2   (read-outs)
        + beta_path mean_a ||T_a g(k, p) - g(k, p + a)||^2 over the steps a = +1, -1           (path integration)
        + beta_activity mean ||g||^2 + beta_nonneg mean ||min(g, 0)||^2
        + beta_weight (||R_loc||^2 + ||R_obj||^2 + ||T_+||^2 + ||T_-||^2)

    The location read-out predicts where the animal is in the room (the
    allocentric position); the object read-out predicts where the object is
    relative to the animal.  The action matrices ``T_a`` are shared by all
    environments, so the code must path-integrate the same way everywhere.

    The training inputs ``X`` are the state indices as one column (float), so
    :func:`biomodular.verify.train` trains the model.

    Parameters
    ----------
    n_positions : int
        Positions on the ring.
    objects : tuple of int
        Position of the object in each environment.
    n_cells : int
    beta_path, beta_activity, beta_nonneg, beta_weight : float
    init_scale : float
        Scale of the initial activities and weights.
    """

    n_positions: int
    objects: tuple[int, ...]
    n_cells: int
    beta_path: float = 1.0
    beta_activity: float = 0.05
    beta_nonneg: float = 10.0
    beta_weight: float = 0.01
    init_scale: float = 0.3

    def __post_init__(self) -> None:
        objects = tuple(int(o) for o in self.objects)
        if self.n_positions < 2 or self.n_cells < 1 or not objects:
            raise BiomodularError("need n_positions >= 2, n_cells >= 1 and at least one environment")
        if min(objects) < 0 or max(objects) >= self.n_positions:
            raise BiomodularError(f"object positions must lie in [0, {self.n_positions}); got {objects}")
        if min(self.beta_path, self.beta_activity, self.beta_nonneg, self.beta_weight) < 0:
            raise BiomodularError("loss coefficients must be nonnegative")
        object.__setattr__(self, "objects", objects)

    @property
    def n_states(self) -> int:
        return len(self.objects) * self.n_positions

    def states(self) -> np.ndarray:
        """The training inputs: every state index, one column."""
        return np.arange(self.n_states, dtype=float)[:, None]

    def factors(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Environment, allocentric position and object-relative position of each state index."""
        index = np.asarray(index).astype(np.int64).ravel()
        env, pos = np.divmod(index, self.n_positions)
        return env, pos, (pos - np.asarray(self.objects)[env]) % self.n_positions

    def init(self, X: np.ndarray, seed=0) -> Params:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        L, N, s = self.n_positions, self.n_cells, self.init_scale
        return {
            "G": s * rng.uniform(0.0, 1.0, (self.n_states, N)),
            "R_loc": s / np.sqrt(N) * rng.standard_normal((L, N)),
            "c_loc": np.zeros(L),
            "R_obj": s / np.sqrt(N) * rng.standard_normal((L, N)),
            "c_obj": np.zeros(L),
            "T_plus": s / np.sqrt(N) * rng.standard_normal((N, N)),
            "T_minus": s / np.sqrt(N) * rng.standard_normal((N, N)),
        }

    def code(self, params: Params, X: np.ndarray) -> np.ndarray:
        """Activities of the cells at the states of ``X`` (one row per state)."""
        return params["G"][np.asarray(X).astype(np.int64).ravel()]

    def rate_maps(self, params: Params) -> np.ndarray:
        """Activities as ``(environment, position, cell)``."""
        return params["G"].reshape(len(self.objects), self.n_positions, self.n_cells)

    def loss_and_grad(self, params: Params, X: np.ndarray, Y=None) -> tuple[float, dict, Params]:
        index = np.asarray(X).astype(np.int64).ravel()
        B, L = index.size, self.n_positions
        env, pos, rel = self.factors(index)
        G = params["G"]
        g = G[index]
        grads: Params = {k: np.zeros_like(v) for k, v in params.items()}
        dg = np.zeros_like(g)
        parts: dict = {}

        prediction = 0.0
        for name, target in (("loc", pos), ("obj", rel)):
            R, c = params[f"R_{name}"], params[f"c_{name}"]
            err = g @ R.T + c
            err[np.arange(B), target] -= 1.0
            prediction += float((err**2).sum() / B)
            d_err = 2.0 * err / B
            grads[f"R_{name}"] = d_err.T @ g + 2.0 * self.beta_weight * R
            grads[f"c_{name}"] = d_err.sum(axis=0)
            dg += d_err @ R
        parts["prediction"] = prediction

        path = 0.0
        for name, step in (("T_plus", 1), ("T_minus", -1)):
            T = params[name]
            nxt = env * L + (pos + step) % L
            err = g @ T.T - G[nxt]
            path += 0.5 * float((err**2).sum() / B)
            d_err = self.beta_path * err / B  # d/d err of beta_path * 0.5 * mean ||err||^2, times 2
            grads[name] = d_err.T @ g + 2.0 * self.beta_weight * T
            dg += d_err @ T
            np.add.at(grads["G"], nxt, -d_err)
        parts["path"] = self.beta_path * path

        neg = np.minimum(g, 0.0)
        parts["activity"] = self.beta_activity * float((g**2).sum() / B)
        parts["nonneg"] = self.beta_nonneg * float((neg**2).sum() / B)
        parts["weight"] = self.beta_weight * float(
            sum((params[k] ** 2).sum() for k in ("R_loc", "R_obj", "T_plus", "T_minus"))
        )
        dg += 2.0 * self.beta_activity * g / B + 2.0 * self.beta_nonneg * neg / B
        np.add.at(grads["G"], index, dg)
        return sum(parts.values()), parts, grads

    def loss(self, params: Params, X: np.ndarray, Y=None) -> float:
        return self.loss_and_grad(params, X, Y)[0]
