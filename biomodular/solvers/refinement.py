"""Refinement of the restricted master's weights to rounding accuracy.

An interior-point solver returns weights accurate to about the square root of
its tolerance; the certificate needs the multiplier built from them to
rounding accuracy.  :func:`refine_weights` reduces the solver's support
(Caratheodory), then solves the KKT system on it by Newton's method
(:func:`~biomodular.solvers.kkt.refine`), trying nearby supports when the
system has no solution on the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .energy import caratheodory
from .kkt import refine
from .master import PRUNE_TOL, RestrictedMaster

__all__ = ["Refinement", "refine_weights", "KKT_TOL"]

#: Reduced costs (internal units, relative to the largest activity energy in the dictionary)
#: within which the refined restricted solution must meet its KKT conditions.
KKT_TOL = 1e-11

#: Solver weights below this fraction of the largest are taken as noise when choosing the support.
SUPPORT_TOL = 1e-6

#: Supports tried before giving up on Newton and keeping the solver's weights.
MAX_SUPPORTS = 60

#: Fixed-variance problem: solver weights carrying more than ``1 + VARIANCE_SLACK`` times the
#: required variance (internal units: 1) mark the variance constraint as slack at the optimum.
VARIANCE_SLACK = 1e-3


@dataclass(frozen=True, eq=False)
class Refinement:
    """Weights over the whole dictionary and the fixed-variance multipliers.

    Attributes
    ----------
    weights : ndarray
        At most ``d(d+1)/2 + 1`` positive entries.
    nu, mu : float
        Multipliers of the variance and budget constraints (zero for the autoencoder).
    refined : bool
        Whether Newton met every KKT condition (else: the pruned solver weights).
    """

    weights: np.ndarray
    nu: float
    mu: float
    refined: bool


def refine_weights(master: RestrictedMaster, c: np.ndarray) -> Refinement:
    """Refine the solver's weights ``c``: support, Caratheodory reduction, Newton on the KKT system.

    Falls back to the pruned solver weights when the refinement fails or does
    not lower the loss.
    """
    std = master.standard
    n = c.size
    W = master.dictionary[:n]
    phi = master.phi(n)
    enc = np.einsum("ki,ij,kj->k", W, std.P, W)
    var = np.einsum("ki,ij,kj->k", W, std.C, W)
    nu0, mu0 = master.solver_multipliers()

    def data(idx):
        return (phi[idx], enc[idx], var[idx], std.Q, std.lam_in, std.lam_out, std.budget)

    def reduced(cfull, nu, mu):
        G = master.gram(cfull)
        Ginv = np.linalg.inv(G)
        b = np.einsum("ki,ij,kj->k", W, Ginv @ std.Q @ Ginv, W)
        if master.kind == "autoencoder":
            return phi + std.lam_in * enc - std.lam_out * b
        return phi - nu * var - mu * b

    fallback = c * (c > PRUNE_TOL * c.max())
    fallback = caratheodory(W, fallback, phi)
    reference = master.attained(fallback)
    tolerance = KKT_TOL * (1.0 + np.abs(phi).max())
    # A small readout budget can force more variance than required: then nu = 0 and the
    # variance constraint leaves the KKT system (docs/solve.md, "Exactness: column generation with the check as pricing").
    variance_active = master.kind != "fixed_variance" or float(var @ c) <= 1.0 + VARIANCE_SLACK

    def attempt(idx, start):
        """Newton on the support ``idx``; the full weights if they satisfy every KKT condition."""
        new, nu, mu, _, converged = refine(
            master.kind, W[idx], start[idx], data(idx), nu0, mu0, variance_active=variance_active
        )
        if not converged:
            return None
        keep = new > 0
        if not keep.any():
            return None
        full = np.zeros(n)
        full[idx[keep]] = new[keep]
        try:
            r = reduced(full, nu, mu)
        except np.linalg.LinAlgError:
            return None
        ok = np.all(r >= -tolerance) and np.all(np.abs(r[full > 0]) <= tolerance) and min(nu, mu) >= -tolerance
        ok = ok and (variance_active or float(var @ full) >= 1.0)  # a slack constraint still holds
        return (full, nu, mu, r) if ok else (None, nu, mu, r, full)

    # The solver's support, reduced to at most d(d+1)/2 + 1 columns; if Newton cannot meet the
    # KKT conditions on it, some of its columns are noise of the interior-point method (or a
    # column outside it is needed): try dropping one or two, or adding the worst priced one.
    base = caratheodory(W, c * (c > SUPPORT_TOL * c.max()), phi)
    support = np.flatnonzero(base > 0)

    def key(columns) -> tuple[int, ...]:
        return tuple(int(i) for i in columns)

    tried: set[tuple[int, ...]] = set()
    queue = [key(support)]
    queue += [key(np.delete(support, i)) for i in np.argsort(base[support])]
    if support.size <= 8:
        queue += [key(np.delete(support, [i, j])) for i in range(support.size) for j in range(i)]
    while queue and len(tried) < MAX_SUPPORTS:
        idx = queue.pop(0)
        if idx in tried or not idx:
            continue
        tried.add(idx)
        out = attempt(np.array(idx), np.where(base > 0, base, 1e-3 * base.max()))
        if out is None:
            continue
        if out[0] is not None:
            full, nu, mu, _ = out
            if master.attained(full) <= reference * (1 + 1e-9):
                return Refinement(full, nu, mu, True)
            continue
        r = out[3]
        worst = int(np.argmin(np.where(out[4] > 0, np.inf, r)))
        if r[worst] < -tolerance and worst not in idx:
            queue.insert(0, tuple(sorted({int(i) for i in idx} | {worst})))
    nu0, mu0 = master.solver_multipliers()
    return Refinement(fallback, nu0, mu0, False)
