"""Newton refinement of a restricted optimum on its support (KKT system).

An interior-point solver returns the weights ``c`` accurate to about the square
root of its tolerance (the loss is flat at the optimum), which limits the dual
multiplier built from them and so the certificate.  On the support ``S`` of the
code the optimality conditions are a smooth square system, solved here by
Newton's method to rounding accuracy.  With ``b_k = w_k^T G^-1 Q G^-1 w_k``:

autoencoder
    ``phi_k + lam_in w_k^T P w_k - lam_out b_k = 0`` for ``k`` in ``S``.
fixed variance
    ``phi_k - nu w_k^T C w_k - mu b_k = 0`` (``k`` in ``S``),
    ``sum_k c_k w_k^T C w_k = 1`` and ``tr(Q G^-1) = r`` (both constraints active);
    when the code carries more variance than required (a small readout budget
    forces a large ``G``), the variance constraint is slack: ``nu = 0`` and its
    equation is dropped.

Derivative: ``d b_k / d c_l = -2 (w_k^T G^-1 w_l)(w_k^T G^-1 Q G^-1 w_l)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["refine", "kkt_system"]


def _pieces(W, c, Q):
    G = (W * c[:, None]).T @ W
    Ginv = np.linalg.inv((G + G.T) / 2)
    A = W @ Ginv @ W.T
    Bm = W @ Ginv @ Q @ Ginv @ W.T
    return G, Ginv, A, Bm


def kkt_system(kind, W, c, nu, mu, data, variance_active=True):
    """Residual ``F`` of the KKT system on a support and its Jacobian ``J``.

    Parameters
    ----------
    kind : {"autoencoder", "fixed_variance"}
    W : ndarray, shape (k, d)
        Unit directions of the support.
    c : ndarray, shape (k,)
        Positive weights.
    nu, mu : float
        Multipliers of the fixed-variance constraints (ignored for the autoencoder).
    data : tuple
        ``(phi, enc, var, Q, lam_in, lam_out, budget)`` as in :func:`refine`.
    variance_active : bool
        Fixed-variance problem: whether the variance constraint is active (else
        ``nu`` is taken as 0 and the unknowns are ``(c, mu)``).

    Returns
    -------
    F : ndarray, shape (k,), (k + 1,) or (k + 2,)
        The stationarity conditions (and, for the fixed-variance problem, the
        active constraints).
    J : ndarray
        ``dF / d(c, nu, mu)`` (``dF / d(c, mu)`` when the variance constraint is slack).
    """
    phi, enc, var, Q, lam_in, lam_out, budget = data
    G, Ginv, A, Bm = _pieces(W, c, Q)
    b = np.diag(Bm).copy()
    if kind == "autoencoder":
        F = phi + lam_in * enc - lam_out * b
        J = 2.0 * lam_out * A * Bm
        return F, J
    k = len(c)
    if not variance_active:
        F = np.concatenate([phi - mu * b, [np.trace(Q @ Ginv) - budget]])
        J = np.zeros((k + 1, k + 1))
        J[:k, :k] = 2.0 * mu * A * Bm
        J[:k, k] = -b
        J[k, :k] = -b
        return F, J
    F = np.concatenate([phi - nu * var - mu * b, [var @ c - 1.0, np.trace(Q @ Ginv) - budget]])
    J = np.zeros((k + 2, k + 2))
    J[:k, :k] = 2.0 * mu * A * Bm
    J[:k, k] = -var
    J[:k, k + 1] = -b
    J[k, :k] = var
    J[k + 1, :k] = -b
    return F, J


def refine(kind, W, c, data, nu=0.0, mu=0.0, max_iter=40, variance_active=True):
    """Newton's method on the KKT system of the support.

    Parameters
    ----------
    kind : {"autoencoder", "fixed_variance"}
    W : ndarray, shape (k, d)
        Unit directions of the support.
    c : ndarray, shape (k,)
        Starting weights (positive).
    data : tuple
        ``(phi, enc, var, Q, lam_in, lam_out, budget)`` for those directions.
    nu, mu : float
        Starting multipliers (fixed-variance problem).
    variance_active : bool
        Fixed-variance problem: False solves the system with the variance
        constraint slack (``nu = 0`` throughout).

    Returns
    -------
    c, nu, mu, keep, ok
        Refined weights of the kept directions (``keep`` is a boolean mask over
        the input rows), multipliers, and whether the residual reached rounding
        level.
    """
    keep = np.ones(len(c), bool)
    c = np.array(c, float)
    phi_all, enc_all, var_all, Q, lam_in, lam_out, budget = data
    scale = 1.0 + np.abs(phi_all).max()
    fv = kind != "autoencoder"
    if fv and not variance_active:
        nu = 0.0
    i_mu = 1 if variance_active else 0  # position of mu after the weights in Newton's step

    def sub():
        return (phi_all[keep], enc_all[keep], var_all[keep], Q, lam_in, lam_out, budget)

    for _ in range(max_iter):
        Wk, ck = W[keep], c[keep]
        try:
            F, J = kkt_system(kind, Wk, ck, nu, mu, sub(), variance_active)
        except np.linalg.LinAlgError:
            return c, nu, mu, keep, False
        norm = np.linalg.norm(F)
        if norm <= 1e-13 * scale * np.sqrt(F.size):
            return c, nu, mu, keep, True
        step = np.linalg.lstsq(J, -F, rcond=1e-13)[0]
        dc = step[: ck.size]
        # Largest step keeping the weights positive; a weight that must cross zero leaves S.
        neg = dc < 0
        t_max = np.min(-ck[neg] / dc[neg]) if neg.any() else np.inf
        t = 1.0
        if t_max <= 1.0:
            j = np.flatnonzero(neg)[np.argmin(-ck[neg] / dc[neg])]
            if ck[j] < 1e-6 * ck.max() or t_max < 1e-3:
                idx = np.flatnonzero(keep)[j]
                keep[idx] = False
                c[idx] = 0.0
                if not keep.any():
                    return c, nu, mu, keep, False
                continue
            t = 0.9 * t_max
        # Backtracking on the residual norm; no decrease at all means the system has no
        # solution on this support (the caller then tries another one).
        decreased = False
        for _ in range(20):
            c_try = ck + t * dc
            nu_try = nu + t * step[ck.size] if fv and variance_active else nu
            mu_try = mu + t * step[ck.size + i_mu] if fv else mu
            try:
                F_try, _ = kkt_system(kind, Wk, c_try, nu_try, mu_try, sub(), variance_active)
                if np.linalg.norm(F_try) < norm * (1 - 1e-4 * t):
                    decreased = True
                    break
            except np.linalg.LinAlgError:
                pass
            t /= 2
        if not decreased:
            return c, nu, mu, keep, False
        c[keep] = c_try
        nu, mu = nu_try, mu_try
    Wk, ck = W[keep], c[keep]
    F, _ = kkt_system(kind, Wk, ck, nu, mu, sub(), variance_active)
    return c, nu, mu, keep, bool(np.linalg.norm(F) <= 1e-10 * scale * np.sqrt(F.size))
