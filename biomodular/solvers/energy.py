"""Closed-form energies of a code, independent of the convex program.

docs/mathematics.md, "ICLR 2023 linear theory" and "Solving for the optimal code exactly".  :func:`phi_values` is the activity energy
``phi(w) = w^T C w + m(w)^2`` of a tuning with its cheapest nonnegative bias;
:func:`code_loss` is the loss of a code given by its tunings; :func:`lower_bound` is the
weak-duality bound of the certificate (:class:`BoundCurve` as a function of the violation); :func:`caratheodory` reduces a conic combination of
directions to at most ``d(d+1)/2 + 1`` terms without changing the loss.
"""

from __future__ import annotations

import math

import numpy as np

from ..sources import Sources
from .problem import Problem

__all__ = ["phi_values", "code_terms", "code_loss", "lower_bound", "BoundCurve", "caratheodory"]


def phi_values(points: np.ndarray, C: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Activity energy ``w^T C w + m(w)^2`` of each row of ``W`` (centred points)."""
    W = np.atleast_2d(W)
    m = (W @ points.T).min(axis=1)
    return np.einsum("ij,jk,ik->i", W, C, W) + m**2


def code_terms(
    points: np.ndarray,
    C: np.ndarray,
    tunings: np.ndarray,
    P: np.ndarray | None = None,
    Q: np.ndarray | None = None,
) -> dict[str, float]:
    """The energies of a code from arrays: the one definition every caller uses.

    Parameters
    ----------
    points : ndarray, shape (k, d)
        Centred support points (or all centred samples: the minimum is the same).
    C : ndarray, shape (d, d)
        Covariance of the sources.
    tunings : ndarray, shape (n, d)
        One row per neuron, including its gain.
    P, Q : ndarray, optional
        Encoder and readout matrices (identity when omitted).

    Returns
    -------
    dict
        ``activity = sum_n t_n^T C t_n + m(t_n)^2`` (cheapest nonnegative biases),
        ``encoder = tr(P G)`` and ``readout = tr(Q G^-1)`` (cheapest readout;
        ``inf`` when ``G = T^T T`` is singular), ``variance = tr(C G)``.
    """
    T = np.atleast_2d(np.asarray(tunings, dtype=float))
    d = T.shape[1]
    P = np.eye(d) if P is None else P
    Q = np.eye(d) if Q is None else Q
    G = T.T @ T
    activity = float(phi_values(points, C, T).sum())
    try:
        readout = float(np.trace(np.linalg.solve(G, Q)))
    except np.linalg.LinAlgError:
        readout = math.inf
    if not np.isfinite(readout) or _rank_in_own_units(G) < d:
        readout = math.inf
    return {
        "activity": activity,
        "encoder": float(np.trace(P @ G)),
        "readout": readout,
        "variance": float(np.trace(C @ G)),
    }


def code_loss(sources: Sources, problem: Problem, tunings: np.ndarray) -> dict[str, float]:
    """Loss of a code given by its tunings (rows), with the cheapest biases and weights.

    Independent of the convex program: used to evaluate returned codes and
    random feasible codes.  Returns the terms and their sum under ``"value"``;
    for the fixed-variance problem also the constraint values (the code is
    feasible when ``variance >= problem.variance`` and ``readout_weights <=
    budget``).
    """
    P, Q = problem.matrices(sources.n_sources)
    terms = code_terms(sources.centred_points, sources.cov, tunings, P, Q)
    activity = terms["activity"]
    if problem.kind == "autoencoder":
        out = {
            "activity": activity,
            "encoder": problem.lam_in * terms["encoder"],
            "readout": problem.lam_out * terms["readout"],
        }
        out["value"] = activity + out["encoder"] + out["readout"]
        return out
    return {
        "activity": activity,
        "variance": terms["variance"],
        "readout_weights": terms["readout"],
        "budget": problem.budget(sources.cov, Q),
        "value": activity,
    }


def _rank_in_own_units(G: np.ndarray) -> int:
    """Rank of a Gram matrix with each source in its own unit (``G_jk / sqrt(G_jj G_kk)``).

    The plain rank test compares singular values with the largest, so a code
    of sources whose scales differ by more than about 1e8 (its Gram entries
    by 1e16) would be called singular; the rank does not depend on the units."""
    scale = np.sqrt(np.diag(G))
    if not (scale > 0).all():
        return int(np.count_nonzero(scale > 0))
    return int(np.linalg.matrix_rank(G / np.outer(scale, scale)))


class BoundCurve:
    """The weak-duality bound of the certificate as a function of the pricing violation.

    docs/solve.md, "Certificate": with ``M(v) = kappa G^-1 Q G^-1 - v I`` the bound
    is ``2 tr((M^1/2 kappa Q M^1/2)^1/2) + const``, or ``-inf`` where ``M(v)`` is
    not positive semidefinite.  ``M(v)`` has the eigenvectors of ``M(0)`` and its
    eigenvalues shifted by ``-v``, so one eigendecomposition serves every ``v``:
    the certificate evaluates one violation, the tolerance's allowance
    (:func:`biomodular.solvers.program`'s root finding) many.

    Parameters
    ----------
    kappa : float
        Weight of the readout term (``lam_out``, or the multiplier ``mu``).
    Q, G : ndarray, shape (d, d)
        Readout matrix and the code's Gram matrix.
    const : float
        Constant added to the bound (the fixed-variance problem's multipliers).
    """

    def __init__(self, kappa: float, Q: np.ndarray, G: np.ndarray, const: float = 0.0):
        Ginv = np.linalg.inv(G)
        M = kappa * Ginv @ Q @ Ginv
        self.values, self.vectors = np.linalg.eigh((M + M.T) / 2)
        self.K = kappa * Q
        self.const = const

    @property
    def largest_violation(self) -> float:
        """The violation at which ``M(v)`` stops being positive semidefinite."""
        return float(self.values[0])

    def __call__(self, violation: float) -> float:
        vals = self.values - violation
        if vals[0] < -1e-12 * max(abs(vals[-1]), 1e-300):
            return -math.inf
        S = (self.vectors * np.sqrt(np.clip(vals, 0.0, None))) @ self.vectors.T
        X = S @ self.K @ S
        ev = np.linalg.eigvalsh((X + X.T) / 2)
        return float(2.0 * np.sum(np.sqrt(np.clip(ev, 0.0, None))) + self.const)


def lower_bound(kappa: float, Q: np.ndarray, G: np.ndarray, violation: float, const: float = 0.0) -> float:
    """Weak-duality lower bound of the certificate (docs/solve.md, "Certificate").

    With ``M = kappa G^-1 Q G^-1 - violation I``, returns
    ``2 tr((M^1/2 kappa Q M^1/2)^1/2) + const``, or ``-inf`` if ``M`` is not
    positive semidefinite (see :class:`BoundCurve`).
    """
    return BoundCurve(kappa, Q, G, const)(violation)


def caratheodory(W: np.ndarray, c: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Reduce a conic combination to at most ``d(d+1)/2 + 1`` terms, keeping ``phi.c`` and ``G``.

    The loss depends on the weights only through ``<phi, c>`` and
    ``G = sum c_k w_k w_k^T`` (docs/mathematics.md, "Solving for the optimal code exactly"), i.e. through ``L c`` with the
    lifted columns ``L_k = (phi_k, vech(w_k w_k^T))`` of length
    ``D = d(d+1)/2 + 1``.  While more than ``D`` weights are positive, a null
    vector ``z`` of ``L`` restricted to them exists; moving ``c - t z`` until a
    weight reaches zero leaves ``L c`` unchanged.
    """
    W = np.atleast_2d(W)
    c = np.array(c, dtype=float)
    d = W.shape[1]
    iu = np.triu_indices(d)
    L = np.vstack([phi[None, :], np.einsum("ki,kj->ijk", W, W)[iu]])
    D = L.shape[0]
    while True:
        support = np.flatnonzero(c > 0)
        if support.size <= D:
            return c
        # Any D + 1 columns have a null vector: work on the smallest weights first.
        block = support[np.argsort(c[support])[: D + 1]]
        Ls = L[:, block]
        _, _, vt = np.linalg.svd(Ls / np.abs(Ls).max(axis=1, keepdims=True).clip(1e-300))
        z = vt[-1]
        if z.max() <= 0:
            z = -z
        pos = z > 1e-15 * np.abs(z).max()
        ratios = np.full(z.shape, np.inf)
        ratios[pos] = c[block][pos] / z[pos]
        k = int(np.argmin(ratios))
        cb = c[block] - ratios[k] * z
        cb[k] = 0.0
        c[block] = np.clip(cb, 0.0, None)
