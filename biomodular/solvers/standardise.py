"""The change of units between a user's problem and the program the solver sees.

Column generation works on a standardised copy of the problem: the sources are
divided by ``sigma = sqrt(tr C / d + lam_in)`` and the Gram matrix by a scale
chosen so that every coefficient of the restricted program is of order one
(docs/solve.md, "Scaling"; docs/mathematics.md, "Solving for the optimal code
exactly", for the homogeneity that makes this exact).  Unit directions are the
same in both unit systems, so a dictionary of directions carries over between
coefficient values.

:class:`Standardisation` owns that change of units: :meth:`Standardisation.apply`
builds the :class:`StandardProblem` (the internal data) and the ``invert_*``
methods map internal weights, values and multipliers back to the user's units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..sources import Sources
from .problem import Problem

__all__ = ["Standardisation", "StandardProblem", "psd_sqrt"]


def psd_sqrt(S: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semidefinite matrix (negative rounding clipped)."""
    vals, vecs = np.linalg.eigh((S + S.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


@dataclass(frozen=True, eq=False)
class StandardProblem:
    """The problem in internal units: what the restricted master problem and the pricing see.

    Attributes
    ----------
    kind : {"autoencoder", "fixed_variance"}
    points : ndarray, shape (k, d)
        Centred support points divided by ``sigma``.
    C : ndarray, shape (d, d)
        Covariance divided by ``sigma^2``.
    P, Q : ndarray, shape (d, d)
        Encoder and readout matrices (unchanged by the scaling).
    lam_in, lam_out : float
        Internal coefficients (autoencoder; zero otherwise).
    budget : float
        Internal readout budget (fixed variance; zero otherwise).  The internal
        variance target is 1.
    """

    kind: str
    points: np.ndarray
    C: np.ndarray
    P: np.ndarray
    Q: np.ndarray
    lam_in: float
    lam_out: float
    budget: float

    @property
    def d(self) -> int:
        return self.C.shape[0]

    def loss_factor(self, G: np.ndarray) -> float:
        """Factor making weights with Gram matrix ``G`` exactly feasible (1 for the autoencoder).

        Both fixed-variance constraints are monotone in a common scale of the
        weights, so scaling by this factor attains the loss it multiplies.
        """
        if self.kind != "fixed_variance":
            return 1.0
        return max(1.0 / float(np.trace(self.C @ G)), float(np.trace(np.linalg.solve(G, self.Q))) / self.budget)


@dataclass(frozen=True)
class Standardisation:
    """The units of the internal program: ``s_internal = s / sigma``, ``G = g_scale G_internal``.

    Attributes
    ----------
    sigma : float
        Unit of the sources.
    g_scale : float
        Unit of the Gram matrix (and of the squared tunings).
    val_scale : float
        Unit of the loss.
    """

    sigma: float
    g_scale: float
    val_scale: float

    @classmethod
    def of(cls, sources: Sources, problem: Problem) -> "Standardisation":
        """The units for ``problem`` on ``sources``.

        The source unit is their RMS standard deviation, raised to ``sqrt(lam_in)``
        when the encoder cost dominates; the Gram unit then balances the activity
        against the readout cost (autoencoder) or carries the variance target.
        """
        d = sources.n_sources
        extra = problem.lam_in if problem.kind == "autoencoder" else 0.0
        sigma = math.sqrt(float(np.trace(sources.cov)) / d + extra)
        s2 = sigma**2
        if problem.kind == "autoencoder":
            lam_in = problem.lam_in / s2
            lam_out = problem.lam_out * s2
            s = math.sqrt(lam_out / (1.0 + lam_in))
            return cls(sigma, s / s2, s)
        v = problem.required_variance
        return cls(sigma, v / s2, v)

    def apply(self, sources: Sources, problem: Problem) -> StandardProblem:
        """The problem in internal units."""
        P, Q = problem.matrices(sources.n_sources)
        s2 = self.sigma**2
        points = sources.centred_points / self.sigma
        C = sources.cov / s2
        if problem.kind == "autoencoder":
            lam_in = problem.lam_in / s2
            lam_out = problem.lam_out * s2 / self.val_scale**2
            return StandardProblem(problem.kind, points, C, P, Q, lam_in, lam_out, 0.0)
        budget = problem.budget(sources.cov, Q) * problem.required_variance / s2
        return StandardProblem(problem.kind, points, C, P, Q, 0.0, 0.0, budget)

    # ------------------------------------------------------------- inverting
    def invert_tunings(self, directions: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Tunings (rows) in the user's units from internal unit directions and weights."""
        return np.sqrt(weights * self.g_scale)[:, None] * directions

    def invert_value(self, value: float) -> float:
        """A loss (or a bound on it) in the user's units."""
        return value * self.val_scale

    def invert_quadratic(self, M: np.ndarray | float) -> np.ndarray | float:
        """A quadratic form on tunings (``Lambda``, a pricing violation) in the user's units."""
        return M * self.sigma**2

    def invert_readout_multiplier(self, mu: float) -> float:
        """The fixed-variance multiplier of ``G^-1 Q G^-1`` in the user's units."""
        return mu * self.sigma**2 * self.g_scale**2
