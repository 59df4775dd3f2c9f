"""Exact proofs near the axes: the caps that let the global route prove ``margin >= 0``.

The gap ``m(u)^2 - u^T M u`` is exactly zero along a source's axis on the side
of its nearer extreme, so the maximum of ``w^T M w`` over the polar polytope
``P = {w : w . p_i >= -1}`` is exactly 1, attained at the axis vertices
``v = s e_j``.  A solver that works to a tolerance cannot prove that such a
maximum is *at most* 1.  This module proves it near each axis vertex with
exact local reasoning, so that the solver only has to prove a strict bound on
the rest of ``P`` (docs/check.md, "Exact proofs at the axes").

For a side ``(j, s)`` let ``a = -min_i s p_ij`` (the distance of that extreme
from the mean in beta units; ``a = 1`` on the nearer side), ``v = s e_j / a``
and ``A`` the support points at that extreme (``s p_ij = -a``, the face of the
hull there).  Every ``w`` of ``P`` is ``v + delta`` with ``delta . p_i >= 0``
for ``i`` in ``A`` (since ``v . p_i = -1`` exactly).  Write
``tau = -a s delta_j`` and ``x`` for the other coordinates of ``delta``; on
``tau = 1`` those conditions read ``x . q_i >= -1`` with ``q_i`` the face
points without coordinate ``j``: the polar ``Q`` of the face's projection.
When the face surrounds the mean in the other coordinates ``Q`` is bounded,
and two linear programs over it give

* ``C``, a bound on ``|delta|`` for ``delta`` over ``Q`` (from the largest
  ``|x_k|`` on ``Q``, so that ``|delta| <= C tau`` on the whole cone);
* ``c = min over Q of -2 v^T M delta`` (``-2 v^T M delta >= c tau``).

Then ``w^T M w = v^T M v + 2 v^T M delta + delta^T M delta
<= v^T M v - c tau + lam C^2 tau^2`` with ``lam`` the largest eigenvalue of
``M`` (or 0), so if ``c > 0`` every ``w`` of ``P`` with ``tau <= r = c / (2 lam C^2)``
has ``w^T M w <= v^T M v <= 1``: the *cap* ``s w_j >= (1 - r) / a`` of ``P``
holds no violation.  The factor 2 leaves room for the linear programs'
tolerances (an error of 30 % in ``c`` or ``C`` would still leave the bound
negative).  The solver then proves ``max w^T M w <= 1`` over ``P`` without the
caps, where the maximum is strictly below 1 unless another direction ties.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..geometry import polar_argmax

__all__ = ["AxisCap", "axis_caps", "CAP_SIDES_WITHIN"]

#: Sides whose vertex value ``v^T M v`` is within this of 1 get a cap; the
#: others leave the solver a strict margin of at least this much anyway.
CAP_SIDES_WITHIN = 1e-2

#: Rounds of cutting planes of one linear program over a face's polar.
_LP_ROUNDS = 50

#: Bound on every coordinate in those linear programs (a bounded face polar is far inside it).
_BOX = 1e6


@dataclass(frozen=True)
class AxisCap:
    """The cap of ``P`` at the vertex ``s e_j / a`` that holds no violation.

    Attributes
    ----------
    source, sign : int
        ``j`` and ``s``.
    extreme : float
        ``a``: the extreme's distance from the mean in beta units.
    radius : float
        ``r``: the cap is ``s w_j >= (1 - r) / a``.
    slope, spread : float
        ``c`` and ``C`` of the module docstring.
    face_points : int
        Support points at the extreme.
    """

    source: int
    sign: int
    extreme: float
    radius: float
    slope: float
    spread: float
    face_points: int

    def row(self, d: int) -> tuple[np.ndarray, float]:
        """``(g, h)`` with the rest of ``P`` (outside the cap) written ``g . w <= h``."""
        g = np.zeros(d)
        g[self.source] = float(self.sign)
        return g, (1.0 - self.radius) / self.extreme


def _face_lp(
    q: np.ndarray, objective: np.ndarray, active: np.ndarray, deadline: float
) -> tuple[float | None, np.ndarray]:
    """``max objective . x`` over the face's polar ``{x : x . q_i >= -1}`` (None if unbounded,
    failed or out of time), by the cutting planes of :func:`biomodular.geometry.polar_argmax`
    from the constraints ``active``; also the constraints used.  Each round is a relaxation of
    the last, so the value is never below the face's maximum (up to the solver's tolerance)."""
    x, active = polar_argmax(q, objective, active, box=_BOX, rounds=_LP_ROUNDS, deadline=deadline)
    return (None if x is None else float(objective @ x)), active


def _side_cap(
    points: np.ndarray, M: np.ndarray, j: int, s: int, along: np.ndarray, lam: float, deadline: float
) -> AxisCap | None:
    """The cap of side ``(j, s)`` (``along = s points[:, j]``), or None when the face does not
    prove one by ``deadline``."""
    d = points.shape[1]
    low = along.min()
    a = -float(low)
    face = along == low
    others = [i for i in range(d) if i != j]
    q = np.unique(points[np.ix_(face, others)], axis=0)
    if q.shape[0] < d:  # too few face points to surround the mean in the other coordinates
        return None
    active = np.unique(np.concatenate([q.argmin(axis=0), q.argmax(axis=0)]))
    # |x_k| on the face's polar: its box, one linear program per side of each coordinate.
    reach = np.zeros(d - 1)
    for k in range(d - 1):
        for sign in (1.0, -1.0):
            e = np.zeros(d - 1)
            e[k] = sign
            top, active = _face_lp(q, e, active, deadline)
            if top is None:
                return None
            reach[k] = max(reach[k], top)
    # -2 v^T M delta on tau = 1 (delta_j = -s / a): 2 M_jj / a^2 - (2 s / a) M_{j,others} . x
    worst, _ = _face_lp(q, s * M[j, others], active, deadline)
    if worst is None:
        return None
    slope = 2.0 * M[j, j] / a**2 - (2.0 / a) * worst
    if not slope > 0:
        return None
    # |delta|^2 <= tau^2 (1 / a^2 + sum_k reach_k^2) on the cone over the face's polar.
    spread2 = 1.0 / a**2 + float(np.sum(reach**2))
    curvature = max(lam, 0.0) * spread2
    radius = 1.0 if curvature == 0 else min(1.0, slope / (2.0 * curvature))
    return AxisCap(
        source=j,
        sign=s,
        extreme=a,
        radius=radius,
        slope=slope,
        spread=float(np.sqrt(spread2)),
        face_points=int(np.count_nonzero(face)),
    )


def axis_caps(
    points: np.ndarray, M: np.ndarray, deadline: float = np.inf
) -> tuple[list[AxisCap], list[tuple[int, int]]]:
    """Caps of the sides whose vertex value is within :data:`CAP_SIDES_WITHIN` of 1.

    Parameters
    ----------
    points, M : ndarray
        Beta-scaled centred support points and the matrix of the condition.
    deadline : float
        ``time.perf_counter()`` value after which the side being examined and
        the remaining ones are returned uncapped (each side costs about ``2 d``
        small linear programs, each stopped at the deadline).

    Returns
    -------
    caps : list of AxisCap
    uncapped : list of (source, sign)
        Such sides whose face proves no cap, or that the deadline left
        unexamined (the solver cannot then prove the maximum at most 1 there:
        the proof at the axes fails).
    """
    points = np.asarray(points, dtype=float)
    M = (np.asarray(M, dtype=float) + np.asarray(M, dtype=float).T) / 2
    d = points.shape[1]
    lam = float(np.linalg.eigvalsh(M)[-1])
    caps, uncapped = [], []
    for j in range(d):
        for s in (1, -1):
            along = s * points[:, j]
            a = -float(along.min())
            if not a > 0 or M[j, j] / a**2 < 1.0 - CAP_SIDES_WITHIN:
                continue
            cap = _side_cap(points, M, j, s, along, lam, deadline) if time.perf_counter() < deadline else None
            if cap is None:
                uncapped.append((j, s))
            else:
                caps.append(cap)
    return caps, uncapped
