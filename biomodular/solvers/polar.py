"""The global route: the modularity condition as a quadratic program over the polar polytope.

For centred support points ``p_i`` (rows of ``points``, the origin strictly
inside their hull), a symmetric matrix ``M`` and a shift ``t >= 0``,

    min over unit u of  m(u)^2 - u^T M u  >=  -t
    <=>   max { w^T (M - t I) w : w . p_i >= -1 for every i }  <=  1,

with ``m(u) = min_i u . p_i`` (docs/mathematics.md, "The exact modularity
condition").  Why: ``g(w) = m(w)^2 - w^T (M - t I) w`` is 2-homogeneous, so it
is nonnegative everywhere iff it is nonnegative on the boundary ``m(w) = -1`` of
the polytope ``P = {w : m(w) >= -1}`` (a direction with ``w^T (M - tI) w <= 0``
never violates it), and on that boundary it reads ``1 - w^T (M - tI) w``.  This
holds for any symmetric ``M``, positive semidefinite or not.

``P`` is the polar of the support's hull, so no hull is computed: the
constraints are added lazily (cutting planes).  A subset of the points gives a
larger polytope, so a bound proven on it holds for ``P``; a maximiser of the
subset problem is checked against every point (one vectorised product) and
either is feasible (then it is a witness: ``u = w / |w|`` has
``m(u)^2 - u^T M u < -t``, recomputed from the data) or names the points whose
constraints it violates, which are added before the next round.

The subset problems are solved by SCIP (``pyscipopt``) by spatial branch and
bound, with the objective limit 1: SCIP either proves that nothing exceeds 1
(status ``infeasible``) or returns a point above it.  SCIP works with a
feasibility tolerance ``SCIP_FEASTOL`` (relative, on constraints of size 1); a
proof therefore holds for the polytope enlarged by that factor, i.e. it shows
``max <= 1 + eta`` with ``eta = 3 * SCIP_FEASTOL``.  By homogeneity that bounds the
gap of every unit direction by ``-t - eta * rho^2`` with ``rho = max_i |p_i|``
(since ``m(u)^2 <= rho^2``), so each proof is run at the shift
``t - eta * rho^2`` and the claim made is ``margin >= -t``.  A time limit or a
solver failure never counts as a proof.  The exact claim ``t = 0`` cannot be
proven this way, since the maximum is exactly 1 at the axes: there the caps of
:mod:`biomodular.solvers.axis_caps` are proven exactly and cut off, and SCIP
proves the rest (docs/check.md, "Exact proofs at the axes").

A sound search (axes, random directions, the stationary directions of the most
extreme points, then local polishing) runs first: a violation below ``-tol`` is
a proof of ``mixed`` that needs no solver.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import BiomodularError
from ..geometry import polar_argmax
from .axis_caps import AxisCap, axis_caps
from .gap import DEFAULT_MAX_FACES, DeadlinePassed, GapMinimum, TooManyFaces, gap_values, polish_directions

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "SCIP_FEASTOL",
    "GlobalMinimum",
    "MarginProof",
    "global_gap",
    "hull_search",
    "pool_cones",
    "price_directions",
    "PoolMinimum",
    "prove_margin",
    "rounding_floor",
]

#: SCIP's feasibility tolerance (its default), set explicitly so the derived bound holds.
SCIP_FEASTOL = 1e-6

#: Default time budget (seconds) of one decision: fit for an interactive run.
DEFAULT_TIME_LIMIT = 60.0


def time_budget(time_limit: float | None) -> float:
    """Seconds a ``time_limit`` argument allows: :data:`DEFAULT_TIME_LIMIT` when it is None."""
    return DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)


#: Points added to the cut pool per infeasible point (in multiples of the dimension).
CUTS_PER_POINT = 1


#: SCIP's feasibility tolerance in the pricing of column generation: the certificate there
#: needs violations of about the gap tolerance (1e-6 relative) proven absent, below the
#: floor that ``SCIP_FEASTOL`` allows.
PRICING_FEASTOL = 1e-9


def _eta(feastol: float = SCIP_FEASTOL) -> float:
    return 3.0 * feastol


def rounding_floor(points: np.ndarray, feastol: float = SCIP_FEASTOL) -> float:
    """Smallest margin deficit the global route can prove absent: ``2 eta rho^2``."""
    rho2 = float(np.max(np.einsum("ij,ij->i", points, points)))
    return 2.0 * _eta(feastol) * rho2


@dataclass(frozen=True)
class MarginProof:
    """Outcome of :func:`prove_margin` for one shift ``t``.

    Attributes
    ----------
    status : str
        ``"proven"``: ``margin >= -t``.  ``"violated"``: ``witness`` has a unit
        gap below ``-t``.  ``"time-limit"`` or ``"failed"``: neither.
    shift : float
        The ``t`` of the claim.
    dual_bound : float
        SCIP's bound on ``max w^T (M - t' I) w`` over the pool polytope at the
        last round (``t' = t - eta rho^2``); ``-inf`` when proven infeasible.
    lower_bound : float
        A margin lower bound implied by ``dual_bound``: ``-t - (max(U, 1) - 1 + eta) rho^2``
        (``-inf`` when no bound is known).
    pool : ndarray of int
        Indices of the points whose constraints were used.
    witness : ndarray or None
        Unit direction with gap below ``-t`` (``status == "violated"``).
    rounds, nodes : int
    seconds : float
    """

    status: str
    shift: float
    dual_bound: float
    lower_bound: float
    pool: np.ndarray = field(repr=False)
    witness: np.ndarray | None
    rounds: int
    nodes: int
    seconds: float


@dataclass(frozen=True)
class GlobalMinimum(GapMinimum):
    """A :class:`GapMinimum` from the global route, with its proof.

    ``value`` is the gap at ``direction`` (attained, recomputed from the data);
    ``lower_bound`` is a proven lower bound on the minimum (``-inf`` if none);
    ``proof`` is the last :class:`MarginProof` run (SCIP); ``cut_pool`` the
    support points whose hull's exact minimum (``cones``) gave ``lower_bound``
    when that route decided (up to five sources); ``verdict``,
    ``verdict_exact`` and ``certificate`` are what
    :func:`biomodular.check_modularity` reports.
    """

    lower_bound: float = -np.inf
    proof: MarginProof | None = None
    cut_pool: np.ndarray | None = field(default=None, repr=False)
    certificate: str = ""
    verdict: str = "undetermined"
    verdict_exact: bool = False


# ---------------------------------------------------------------- the search
def _initial_pool(points: np.ndarray, rng: np.random.Generator, per_dim: int = 16) -> np.ndarray:
    """Points minimising ``w . p`` over the axes and random directions."""
    d = points.shape[1]
    dirs = np.vstack([np.eye(d), -np.eye(d), rng.standard_normal((per_dim * d, d))])
    return np.unique(_argmin_blocks(points, dirs))


def _argmin_blocks(points: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    out = np.empty(dirs.shape[0], dtype=np.int64)
    block = max(1, 4_000_000 // max(points.shape[0], 1))
    for start in range(0, dirs.shape[0], block):
        out[start : start + block] = np.argmin(dirs[start : start + block] @ points.T, axis=1)
    return out


#: Points the polishing scores, per start (the lowest along it; all of them when fewer).
POLISH_POINTS = 4096


def _polish(points: np.ndarray, M: np.ndarray, starts: np.ndarray, deadline: float) -> list[np.ndarray]:
    """Nelder-Mead from each start on the ``POLISH_POINTS`` points lowest along it (a few
    thousand: the caller scores every direction returned on all the points)."""
    return polish_directions(points, M, starts, deadline, iterations_per_source=40, near_points=POLISH_POINTS)


def _descend(points: np.ndarray, M: np.ndarray, U: np.ndarray, steps: int = 30, deadline: float = np.inf) -> np.ndarray:
    """Active-point iteration from each row of ``U``: replace ``u`` by the
    eigenvector of ``v v^T - M`` with the smallest eigenvalue, where ``v``
    minimises ``u . p`` (on ``v``'s normal cone the gap is that quadratic form);
    a row moves only when the gap decreases."""
    U = U.copy()
    best = gap_values(points, M, U)
    for _ in range(steps):
        if time.perf_counter() > deadline:
            break
        V = points[_argmin_blocks(points, U)]
        _, vecs = np.linalg.eigh(V[:, :, None] * V[:, None, :] - M)
        E = vecs[:, :, 0]
        E *= np.where(np.einsum("ij,ij->i", E, V) > 0, -1.0, 1.0)[:, None]
        values = gap_values(points, M, E)
        better = values < best - 1e-15
        if not better.any():
            break
        U[better], best[better] = E[better], values[better]
    return U


def _lp_max(points: np.ndarray, pool: np.ndarray, c: np.ndarray, deadline: float = np.inf):
    """``argmax c . w`` over ``P = {w : w . p_i >= -1}`` by cutting planes; (w, pool) or None."""
    w, pool = polar_argmax(points, c, pool, deadline=deadline)
    return None if w is None else (w, pool)


def _ascend(
    points: np.ndarray, M: np.ndarray, starts: np.ndarray, pool: np.ndarray, deadline: float, steps: int = 12
) -> list[np.ndarray]:
    """Local maximisation of the convex part of ``w^T M w`` over the polar polytope:
    from each start, repeatedly move to the vertex of ``P`` that maximises the
    linearisation ``(M w) . w'`` (an LP); each vertex is a candidate direction."""
    found: list[np.ndarray] = []
    for w in starts:
        w = w / max(-(points @ w).min(), 1e-300)
        for _ in range(steps):
            if time.perf_counter() > deadline:
                return found
            out = _lp_max(points, pool, M @ w, deadline)
            if out is None:
                break
            new, pool = out
            found.append(new / np.linalg.norm(new))
            if new @ M @ new <= w @ M @ w * (1 + 1e-12):
                break
            w = new
    return found


#: Best starts of the vertex climbing (:func:`_ascend`) while no violation is known (after
#: one, from thirteen sources on: 1), besides ``M``'s top eigenvector.
ASCENT_STARTS = 8

#: Seconds the vertex climbing after a violation may take at least; at most, as long as the
#: search had taken to find the violation (its linear programs grow with the sources).
CLIMB_AFTER_VIOLATION = 0.5

#: Interior stationary directions kept per outermost point from thirteen sources on.
STATIONARY_PER_POINT = 4

#: Multiply-adds each stage of the search may spend from thirteen sources on (a few seconds):
#: a thousand sources had taken 104 s to rank and rescore 44,000 candidates on every point.
SEARCH_WORK = 2e9


def search_violation(
    points: np.ndarray,
    M: np.ndarray,
    rng: np.random.Generator,
    deadline: float,
    enough: float = -np.inf,
    climb_deadline: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sound search: local minima of the unit gap and their values (every value attained).

    The costlier stages (vertex climbing, polishing) are skipped once a gap
    below ``enough`` is found, except, from thirteen sources on, the vertex
    climbing from the best start and from ``M``'s top eigenvector: there the
    budgeted stages before it can stop at a violation several times
    shallower than the minimum (docs/check.md, "The global route").  That
    climb may run past ``deadline`` up to ``climb_deadline`` (default
    ``deadline``): a caller whose budget for finding a violation is a part
    of its whole budget has nothing left to do once one is found.

    Memory stays within a few tens of MB whatever the support size: directions
    are scored in blocks, and stationary directions are taken only for the
    points farthest from the mean.
    """
    started = time.perf_counter()
    k, d = points.shape
    # Axes, the eigenvectors of M (where w^T M w is extreme), random directions.
    _, eig = np.linalg.eigh(M)
    # Missing corners of the bounding box are what makes codes mix (range
    # independence), so the directions of the box's corners are scored too.
    if d <= 12:
        corners = np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T
    else:
        corners = rng.choice([-1.0, 1.0], size=(4096, d))
    blocks = [np.eye(d), -np.eye(d), eig.T, -eig.T, corners, rng.standard_normal((min(64 * d, 4096), d))]
    # Interior stationary directions (eigenvectors of v v^T - M) of the outermost points.
    n_far = int(min(k, max(16, 200_000 // (d * d * d + 1))))
    far = np.argsort(-np.einsum("ij,ij->i", points, points))[:n_far]
    Q = points[far, :, None] * points[far, None, :] - M
    _, vecs = np.linalg.eigh(Q)
    if d > 12:  # the smallest eigenvalues' vectors: where v is the minimiser, the gap is the eigenvalue
        vecs = vecs[:, :, :STATIONARY_PER_POINT]
    W = np.transpose(vecs, (0, 2, 1)).reshape(-1, d)
    blocks += [W, -W]
    candidates = np.vstack(blocks)
    candidates /= np.linalg.norm(candidates, axis=1, keepdims=True)
    # Rank on a subset (extreme and outermost points): a subset's gaps are never
    # larger than the data's, so it only orders the candidates; the best are
    # rescored on every point, and every value returned is the data's.
    extremes = _initial_pool(points, rng)
    ranking = np.union1d(extremes, far)
    n_top, n_descend = 64 * d, min(8 * d, 96)
    if d > 12:  # keep each stage near SEARCH_WORK multiply-adds, whatever the number of sources
        if ranking.size * candidates.shape[0] * d > SEARCH_WORK:
            # the outermost points first (in order), then the axes' and a few directions' extremes
            pool = _initial_pool(points, rng, per_dim=1)
            extreme = np.concatenate([far, pool[~np.isin(pool, far)]])
            ranking = extreme[: max(min(2 * d, 256), int(SEARCH_WORK // (candidates.shape[0] * d)))]
        n_top = min(n_top, max(64, int(SEARCH_WORK // (k * d))))
        n_descend = min(n_descend, max(4, int(SEARCH_WORK // d**3)))
    rough = gap_values(points[ranking], M, candidates)
    top = np.argsort(rough)[:n_top]
    values = gap_values(points, M, candidates[top])
    order = top[np.argsort(values)[:n_descend]]
    descended = _descend(points, M, candidates[order], deadline=deadline)
    dvalues = gap_values(points, M, descended)
    pick = np.argsort(dvalues)[:4]
    polished = [*descended[pick]]
    # From thirteen sources on, the stages above run within budgets, and the first violation
    # they find can be several times shallower than the minimum: then the vertex climbing runs
    # from the best start even after a violation is found (a few tenths of a second).
    climbs = ASCENT_STARTS if dvalues.min() >= enough else 1 if d > 12 else 0
    if climbs:
        last = deadline if climb_deadline is None else max(deadline, climb_deadline)

        def climb_on() -> float:  # the verdict is known: the climb may take as long again
            now = time.perf_counter()
            return min(last, now + max(CLIMB_AFTER_VIOLATION, now - started))

        until = deadline if dvalues.min() >= enough else climb_on()
        polished += _ascend(points, M, descended[np.argsort(dvalues)[:climbs]], extremes, until)
        if d > 12 and until < last and polished and gap_values(points, M, np.array(polished)).min() < enough:
            until = max(until, climb_on())  # a violation found while climbing: the same rule
        # Also from M's top eigenvector (both signs), where w^T M w grows fastest: its first
        # step is the polytope's vertex furthest along it, which the starts above can miss.
        polished += _ascend(points, M, np.vstack([eig[:, -1], -eig[:, -1]]), extremes, until)
    if d <= 12 and min(dvalues.min(), float(gap_values(points, M, np.array(polished)).min())) >= enough:
        # Polishing is the slowest stage (every evaluation a pass over the points) and the
        # least likely to find what the stages before it missed: a quarter of what is left.
        now = time.perf_counter()
        polished += _polish(points, M, descended[pick], min(deadline, now + 0.25 * max(deadline - now, 0.0)))
    # Keep the local minima (stationary directions) and the best start: callers
    # look for near-ties among stationary directions only.
    kept = np.vstack([candidates[order[:1]]] + ([np.array(polished)] if polished else []))
    return kept, gap_values(points, M, kept)


# ------------------------------------------------- a cheap pricing on a hull
#: Directions :func:`hull_search` descends from (the lowest of the facet normals and the starts).
HULL_SEARCH_DESCENTS = 8


def hull_search(
    points: np.ndarray,
    M: np.ndarray,
    equations: np.ndarray,
    starts: np.ndarray | None = None,
    *,
    most: int = 64,
    steps: int = 10,
) -> GapMinimum:
    """A cheap, sound, inexact minimisation of the unit gap on a hull with known facets.

    The inward facet normals are the vertices of the polar polytope, and along
    ``-n_f`` the support function is the facet's offset, so their gaps
    ``h_f^2 - n_f^T M n_f`` need no pass over the points (``d^2`` operations a
    facet).  The lowest of them and ``starts`` (e.g. the current dictionary and
    the last columns) are scored on every point; the best few descend
    (:func:`_descend`, active-point eigenvectors).  Every value returned is
    attained, but a violation can be missed: column generation uses it for
    new columns only, never for its certificate.

    Parameters
    ----------
    points, M : ndarray
        Centred support points (the hull's vertices among them) and a symmetric matrix.
    equations : ndarray, shape (n_facets, d + 1)
        The hull's facet equations ``[unit normal, offset]`` in the coordinates of ``points``.
    starts : ndarray, optional
        Further directions to score and descend from.
    most : int
        Facet normals scored on every point.
    steps : int
        Descent steps.

    Returns
    -------
    GapMinimum
        ``exact`` and ``exact_sign`` are false; ``method`` is ``"search"``.
    """
    M = (np.asarray(M, dtype=float) + np.asarray(M, dtype=float).T) / 2
    d = points.shape[1]
    normals = -equations[:, :-1] / np.linalg.norm(equations[:, :-1], axis=1, keepdims=True)
    local = equations[:, -1] ** 2 - np.einsum("ij,jk,ik->i", normals, M, normals)
    lowest = np.argsort(local, kind="stable")[:most]
    blocks = [normals[lowest]]
    if starts is not None and len(starts):
        starts = np.atleast_2d(np.asarray(starts, dtype=float))
        blocks.append(starts / np.linalg.norm(starts, axis=1, keepdims=True))
    W = np.vstack(blocks)
    values = gap_values(points, M, W)
    best = np.argsort(values, kind="stable")[: max(HULL_SEARCH_DESCENTS, d)]
    D = _descend(points, M, W[best], steps=steps)
    W = np.vstack([W, D])
    values = np.concatenate([values, gap_values(points, M, D)])
    return GapMinimum.lowest(W, values, method="search", exact=False, n_faces=equations.shape[0])


# ------------------------------------------------------ cones on a cut pool
@dataclass(frozen=True)
class PoolMinimum(GapMinimum):
    """A :class:`GapMinimum` from :func:`pool_cones`.

    ``value``/``direction``: the smallest gap attained (scored on every point);
    ``lower_bound``: the exact minimum over the pool's hull, a proven lower
    bound on the data's minimum; ``exact`` when the two coincide (the
    minimiser's extreme point is in the pool); ``pool``: the indices used
    (a warm start for the next call).
    """

    lower_bound: float = -np.inf
    pool: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64), repr=False)
    rounds: int = 0


def _origin_inside(points: np.ndarray) -> tuple | None:
    """The facets of the hull of ``points`` if the origin is strictly inside it, else None."""
    from ..geometry import hull_facets

    try:
        facets = hull_facets(points)
    except ValueError:
        return None
    scale = max(float(np.abs(points).max()), 1e-300)
    return facets if np.all(facets[1][:, -1] < -1e-9 * scale) else None


#: Most sources for which the pricing runs ``cones`` on a cut pool: in six dimensions a pool
#: of a few dozen points already has some 1e5 faces (seconds per round), and SCIP is faster.
POOL_MAX_SOURCES = 5


def pool_cones(
    points: np.ndarray,
    M: np.ndarray,
    pool: np.ndarray | None = None,
    *,
    stop_below: float = -np.inf,
    within: float = 0.0,
    enough: float = np.inf,
    max_faces: int = DEFAULT_MAX_FACES,
    deadline: float = np.inf,
    max_points: float = np.inf,
    seed: int | np.random.Generator = 0,
) -> PoolMinimum:
    """Exact minimum of the unit gap by the ``cones`` method on a growing subset of the support.

    For a subset ``S`` of the points whose hull holds the origin strictly
    inside, ``m_S(w) = min_{i in S} w . p_i`` satisfies ``m(w) <= m_S(w) <= 0``,
    so ``f_S(w) = m_S(w)^2 - w^T M w <= f(w)`` for every ``w``: the exact
    minimum of ``f_S`` (``cones`` on the small hull of ``S``) is a proven lower
    bound on the minimum of ``f``.  Its minimisers are scored on every point;
    where a point outside ``S`` is more extreme along one of them, that point
    is added (a cutting plane of the polar polytope) and the round repeats.
    When the best minimiser's extreme point is already in ``S``,
    ``f(w*) = f_S(w*) = min f_S``: the minimum is exact.  The hull of the
    whole support is never built.

    Parameters
    ----------
    points, M : ndarray
        Centred support points (origin strictly inside their hull) and a symmetric matrix.
    pool : ndarray of int, optional
        Indices to start from (e.g. the pool of a previous call); the extreme
        points along the axes and random directions are added.
    stop_below, within : float
        Stop as soon as a gap below ``stop_below`` and below ``within`` times
        the lower bound is attained (a violation proven to be within that
        factor of the largest is enough: column generation needs good
        columns, not the exact minimum).
    enough : float
        Stop as soon as the lower bound reaches this (a bound is enough).
    max_faces : int
        Face budget of ``cones`` on the pool's hull (:class:`TooManyFaces` past it
        on the first round; later rounds return the last bound).
    deadline : float
        ``time.perf_counter()`` value after which the last bound is returned.
    max_points : float
        Work budget: the most support points, summed over the rounds, whose
        hulls may be built (the first round always runs).  A round that
        would pass it is not started and the last bound is returned: a
        caller that holds the whole hull stops the pool once it would cost
        about as much as the hull itself.
    seed : int or Generator

    Returns
    -------
    PoolMinimum
    """
    from .gap import min_quadratic_gap

    rng = np.random.default_rng(seed)
    points = np.asarray(points, dtype=float)
    M = (np.asarray(M, dtype=float) + np.asarray(M, dtype=float).T) / 2
    k, d = points.shape
    S = _initial_pool(points, rng, per_dim=4)
    if pool is not None and len(pool):
        S = np.union1d(S, np.asarray(pool, dtype=np.int64))
    facets = _origin_inside(points[S])
    while facets is None:
        if S.size == k:
            raise BiomodularError("the mean is not strictly inside the support's hull")
        grown = np.union1d(S, _initial_pool(points, rng, per_dim=16))
        # The extreme points may all be in the pool already: then only the whole support can
        # decide, and a hull of it without the origin inside ends the loop with the error above.
        S = grown if grown.size > S.size else np.arange(k)
        facets = _origin_inside(points[S]) if S.size < k else _origin_inside(points)
    # Rounding of a gap evaluation: relative to the scale of its two terms.
    rounding = 1e-12 * (float(np.max(np.einsum("ij,ij->i", points, points))) + float(np.abs(M).max()))
    lower = -np.inf
    best_W = np.empty((0, d))
    best_v = np.empty(0)
    rounds = 0
    built = 0  # support points whose hulls the rounds built (the work budget)
    while True:
        if rounds and built + S.size > max_points:
            break
        rounds += 1
        built += S.size
        try:
            sub = min_quadratic_gap(points[S], M, method="cones", max_faces=max_faces, facets=facets)
        except TooManyFaces:
            if rounds == 1:
                raise
            break
        lower = max(lower, sub.value)
        # The most negative minimisers over the pool, scored on every point.
        order = np.argsort(sub.candidate_values)[: 4 * d]
        W = sub.candidates[order]
        proj = W @ points.T  # (candidates, k)
        m = proj.min(axis=1)
        values = m**2 - np.einsum("ij,jk,ik->i", W, M, W)
        # Local descent on every point from the best few: better columns for a pricing that
        # stops at the first violation (every value is still attained).
        D = _descend(points, M, W[np.argsort(values)[:d]], steps=10, deadline=deadline)
        best_W = np.vstack([best_W, W, D])
        best_v = np.concatenate([best_v, values, gap_values(points, M, D)])
        attained = float(best_v.min())
        # Extreme points of the candidates whose pool gap undercuts their true gap.
        loose = values > sub.candidate_values[order] + rounding
        if (
            attained - lower <= rounding
            or not loose.any()
            or (attained < stop_below and attained <= within * lower)
            or lower >= enough
            or time.perf_counter() > deadline
        ):
            break
        new = np.unique(np.argmin(proj[loose], axis=1))
        grown = np.union1d(S, new)
        if grown.size == S.size:
            break
        S = grown
        facets = None
    attained = float(best_v.min())
    exact = attained - lower <= rounding
    return PoolMinimum.lowest(
        best_W,
        best_v,
        method="cones on a cut pool",
        exact=exact,
        n_faces=S.size,
        exact_sign=exact or lower >= 0 or attained < 0,
        lower_bound=float(min(lower, attained)),
        pool=S,
        rounds=rounds,
    )


def price_directions(
    points: np.ndarray,
    M: np.ndarray,
    allowance: float,
    pool: np.ndarray | None = None,
    *,
    max_faces: int = DEFAULT_MAX_FACES,
    time_limit: float | None = None,
    seed: int | np.random.Generator = 0,
) -> PoolMinimum:
    """The pricing of column generation for hulls too large to enumerate.

    ``cones`` on a cut pool (:func:`pool_cones`) while the pool's hull fits the
    face budget; past it (six or more sources), the sound search
    (:func:`search_violation`) proposes columns and, once it finds no violation
    above ``allowance``, SCIP proves ``min f >= -t`` with ``t`` the larger of
    ``allowance`` and the solver's rounding floor (:func:`prove_margin`).  The
    ``lower_bound`` of the answer is proven in every case (``-inf`` when no
    proof was reached within ``time_limit``).
    """
    if points.shape[1] <= POOL_MAX_SOURCES:
        try:
            return pool_cones(
                points, M, pool, stop_below=-allowance, within=0.5, enough=-allowance, max_faces=max_faces, seed=seed
            )
        except TooManyFaces:
            pass
    started = time.perf_counter()
    deadline = started + time_budget(time_limit)
    rng = np.random.default_rng(seed)
    M = (np.asarray(M, dtype=float) + np.asarray(M, dtype=float).T) / 2
    W, values = search_violation(points, M, rng, min(deadline, started + 5.0), enough=-allowance)
    lower = -np.inf
    used = np.empty(0, dtype=np.int64) if pool is None else np.asarray(pool, dtype=np.int64)
    found = max(0.0, -float(values.min()))
    if found < 2.0 * allowance or found == 0.0:
        # ``allowance`` meets half the tolerance, so up to twice it still meets all of it.
        t = max(allowance, min(2.0 * allowance, 1.1 * found), rounding_floor(points, PRICING_FEASTOL))
        # Near the optimum every column of the code is a tight direction of the pricing; the
        # extreme points around them are the cuts SCIP would otherwise find one round at a time.
        tight = W[np.argsort(values)[: 4 * points.shape[1]]]
        near = [tight] + [
            tight[:, None, :] + s * rng.standard_normal((tight.shape[0], 64, points.shape[1]))
            for s in (0.01, 0.03, 0.1, 0.3)
        ]
        seeds = np.unique(_argmin_blocks(points, np.vstack([x.reshape(-1, points.shape[1]) for x in near])))
        seeds = np.union1d(seeds, _initial_pool(points, rng))
        proof = prove_margin(points, M, t, deadline, rng, pool=np.union1d(seeds, used), feastol=PRICING_FEASTOL)
        used = proof.pool
        if proof.status == "violated" and proof.witness is not None:
            W = np.vstack([W, proof.witness])
            values = np.append(values, gap_values(points, M, proof.witness))
        lower = proof.lower_bound
    attained = float(values.min())
    return PoolMinimum.lowest(
        W,
        values,
        method="global (SCIP)",
        exact=False,
        n_faces=used.size,
        exact_sign=attained < 0 or lower >= 0,
        lower_bound=float(min(lower, attained)),
        pool=used,
        rounds=0,
    )


# ----------------------------------------------------------------- the proof
def _bounds_lp(
    A: np.ndarray, V: np.ndarray, deadline: float = np.inf, caps: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Range of each ``V[:, k] . w`` over ``{w : A w >= -1, G w <= h}`` (None if unbounded),
    with ``caps = (G, h)`` (none by default)."""
    from scipy.optimize import linprog

    lo, hi = np.empty(V.shape[1]), np.empty(V.shape[1])
    A_ub, b_ub = -A, np.ones(A.shape[0])
    if caps is not None:
        A_ub, b_ub = np.vstack([A_ub, caps[0]]), np.concatenate([b_ub, caps[1]])
    for k, v in enumerate(V.T):
        if time.perf_counter() > deadline:
            raise DeadlinePassed
        for sign, out in ((1.0, lo), (-1.0, hi)):
            res = linprog(sign * v, A_ub=A_ub, b_ub=b_ub, bounds=(None, None), method="highs")
            if res.status != 0:
                return None
            out[k] = sign * res.fun
    pad = 1e-6 * max(1.0, float(np.abs(np.concatenate([lo, hi])).max()))
    return lo - pad, hi + pad


def _scip_round(
    A: np.ndarray,
    lam: np.ndarray,
    V: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    seconds: float,
    feastol: float = SCIP_FEASTOL,
    caps: tuple[np.ndarray, np.ndarray] | None = None,
):
    """One SCIP solve of ``max sum lam_k y_k^2`` s.t. ``A V y >= -1`` (and ``G V y <= h``
    with ``caps = (G, h)``), objective limit 1."""
    from pyscipopt import Model, quicksum

    d = lam.shape[0]
    model = Model()
    model.hideOutput()
    model.setParam("numerics/feastol", feastol)
    model.setParam("limits/time", max(seconds, 0.1))
    model.setParam("limits/solutions", 1)
    model.setParam("randomization/randomseedshift", 0)
    y = [model.addVar(lb=float(lo[j]), ub=float(hi[j]), name=f"y{j}") for j in range(d)]
    z = model.addVar(lb=None, ub=None, name="z")
    rows = A @ V
    for row in rows:
        model.addCons(quicksum(float(row[j]) * y[j] for j in range(d) if row[j] != 0.0) >= -1.0)
    if caps is not None:
        for row, level in zip(caps[0] @ V, caps[1]):
            model.addCons(quicksum(float(row[j]) * y[j] for j in range(d) if row[j] != 0.0) <= float(level))
    model.addCons(z <= quicksum(float(lam[j]) * y[j] * y[j] for j in range(d)))
    model.setObjective(z, "maximize")
    model.setObjlimit(1.0)
    model.optimize()
    status = model.getStatus()
    sols = model.getSols()
    Y = np.array([[model.getSolVal(s, v) for v in y] for s in sols], dtype=float).reshape(-1, d)
    dual = float(model.getDualbound())
    return status, Y @ V.T, dual, int(model.getNNodes())


def prove_margin(
    points: np.ndarray,
    M: np.ndarray,
    t: float,
    deadline: float,
    rng: np.random.Generator,
    pool: np.ndarray | None = None,
    on_round=None,
    feastol: float = SCIP_FEASTOL,
    caps: Sequence[AxisCap] = (),
) -> MarginProof:
    """Prove ``min over unit u of m(u)^2 - u^T M u >= -t``, or find a violation.

    See the module docstring.  ``deadline`` is a ``time.perf_counter()`` value.
    With ``caps`` (:func:`biomodular.solvers.axis_caps.axis_caps`) the proof
    covers the polytope without them (their own proof is local and exact), and
    ``t`` may be below the solver's floor, down to 0.
    """
    started = time.perf_counter()
    k, d = points.shape
    rho2 = float(np.max(np.einsum("ij,ij->i", points, points)))
    shift = t - _eta(feastol) * rho2
    rows = [cap.row(d) for cap in caps]
    cap_rows = (np.array([g for g, _ in rows]), np.array([h for _, h in rows])) if rows else None
    if shift < 0 and (cap_rows is None or t < 0):
        raise BiomodularError(
            f"cannot prove a margin of -{t:g}: below the solver's rounding floor {_eta(feastol) * rho2:.2g}"
        )
    Mt = M - shift * np.eye(d)
    lam, V = np.linalg.eigh(Mt)
    cuts: np.ndarray = np.unique(_initial_pool(points, rng) if pool is None else pool)
    rounds = nodes = 0
    dual = np.inf
    try:
        bounds = _bounds_lp(points[cuts], V, deadline, cap_rows)
        while bounds is None:  # the pool's polytope is unbounded: add more directions
            cuts = np.union1d(cuts, _initial_pool(points, rng, per_dim=64))
            bounds = _bounds_lp(points[cuts], V, deadline, cap_rows)
            if bounds is None and cuts.size == k:
                raise BiomodularError("the mean is not strictly inside the support's hull")
    except DeadlinePassed:
        bounds = None

    def finish(status: str, witness=None) -> MarginProof:
        if status == "proven":
            lower = -t
        elif np.isfinite(dual):
            lower = -shift - (max(dual, 1.0) - 1.0 + _eta(feastol)) * rho2
        else:
            lower = -np.inf
        return MarginProof(
            status=status,
            shift=t,
            dual_bound=dual,
            lower_bound=lower,
            pool=cuts,
            witness=witness,
            rounds=rounds,
            nodes=nodes,
            seconds=time.perf_counter() - started,
        )

    if bounds is None:
        return finish("time-limit")
    lo, hi = bounds
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return finish("time-limit")
        rounds += 1
        status, W, round_dual, round_nodes = _scip_round(
            points[cuts], lam, V, lo, hi, remaining, feastol, caps=cap_rows
        )
        nodes += round_nodes
        above = W[np.einsum("ij,jk,ik->i", W, Mt, W) > 1.0] if W.size else W
        if status == "infeasible" or (status == "optimal" and above.shape[0] == 0):
            dual = -np.inf
            return finish("proven")
        if status not in ("sollimit", "optimal", "bestsollimit", "timelimit", "userinterrupt"):
            return finish("failed")
        dual = round_dual if np.isfinite(round_dual) else dual
        if above.shape[0] == 0:
            return finish("time-limit" if status in ("timelimit", "userinterrupt") else "failed")
        values = above @ points.T  # (solutions, k)
        # Scaled into P, a solution still above the level is a point of P with
        # w^T (M - tI) w > 1 >= m(w)^2: its direction violates the condition.
        inside = above / np.maximum(1.0, -values.min(axis=1))[:, None]
        level = np.einsum("ij,jk,ik->i", inside, Mt, inside)
        if (level > 1.0).any():
            cand = inside[level > 1.0]
            cand /= np.linalg.norm(cand, axis=1, keepdims=True)
            gaps = gap_values(points, M, cand)
            best = int(np.argmin(gaps))
            if gaps[best] < -t:
                return finish("violated", cand[best])
        new = np.argsort(values, axis=1)[:, : CUTS_PER_POINT * d].ravel()
        grown = np.union1d(cuts, new)
        if grown.size == cuts.size:
            # Only rounding separates the solution from P: no cut to add.
            return finish("failed")
        cuts = grown
        if on_round is not None:
            on_round(rounds, cuts.size)


# ------------------------------------------------------------------ decision
def global_gap(
    points: np.ndarray,
    M: np.ndarray,
    bound: float,
    tol: float | None = None,
    time_limit: float | None = None,
    seed: int | np.random.Generator = 0,
    show_progress: bool | None = None,
) -> GlobalMinimum:
    """The verdict of the global route, with its witness or proof.

    Parameters
    ----------
    points, M : ndarray
        Beta-scaled centred support points and the matrix of the condition.
    bound : float
        Rounding bound of the margin: a gap below ``-bound`` proves ``mixed``.
    tol : float, optional
        Modelling tolerance: a proof of ``margin >= -tol`` makes the verdict
        ``modular`` (not exact) when no violation below ``-tol`` exists.
    time_limit : float, optional
        Seconds (default :data:`DEFAULT_TIME_LIMIT`).
    seed : int or Generator
    show_progress : bool, optional

    Returns
    -------
    GlobalMinimum
        ``value``/``direction``: the smallest gap found (attained, recomputed
        from the data); ``lower_bound``: a proven lower bound on the minimum;
        ``verdict``, ``verdict_exact``, ``certificate``: as
        :func:`biomodular.check_modularity` reports them.

    Notes
    -----
    ``mixed`` needs a witness with gap below ``-max(bound, tol)``; ``modular``
    (exact) a proof of ``margin >= -bound``, possible only when the solver's
    rounding floor (:func:`rounding_floor`) is below ``bound``; a proof at a
    larger shift leaves ``undetermined`` unless ``tol`` covers it.  A time
    limit or a solver failure gives ``undetermined`` with the best bound.
    """
    from ..progress import progress

    started = time.perf_counter()
    limit = time_budget(time_limit)
    deadline = started + limit
    rng = np.random.default_rng(seed)
    points = np.asarray(points, dtype=float)
    M = np.asarray(M, dtype=float)
    M = (M + M.T) / 2
    d = points.shape[1]
    claim = max(bound, 0.0 if tol is None else float(tol))
    floor = rounding_floor(points)

    with progress(desc=f"global check ({d} sources)", unit="round", show=show_progress) as bar:
        candidates, values = search_violation(
            points, M, rng, min(deadline, started + 0.25 * limit), enough=-claim, climb_deadline=deadline
        )

        def result(
            verdict: str,
            exact: bool,
            certificate: str,
            lower: float,
            proof: MarginProof | None = None,
            cut_pool: np.ndarray | None = None,
        ) -> GlobalMinimum:
            return GlobalMinimum.lowest(
                candidates,
                values,
                method="global",
                # the value is the minimum when a proven bound meets it (to the rounding bound)
                exact=float(values.min()) - lower <= bound,
                n_faces=proof.pool.size if proof is not None else 0 if cut_pool is None else cut_pool.size,
                exact_sign=exact,
                lower_bound=lower,
                proof=proof,
                cut_pool=cut_pool,
                certificate=certificate,
                verdict=verdict,
                verdict_exact=exact,
            )

        best_value = float(values.min())
        if best_value < -claim:
            return result(
                "mixed",
                True,
                f"a mixed neuron lowers the energy: gap {best_value:.3g} < -{claim:.1e} (found by the search)",
                -np.inf,
            )

        def on_round(rounds: int, pool_size: int) -> None:
            bar.update(1)
            bar.set_postfix(cuts=pool_size)

        if d <= POOL_MAX_SOURCES:
            # Exact, with no solver floor: cones on a cut pool (its minimum bounds the data's).
            try:
                pooled = pool_cones(
                    points, M, stop_below=-claim, enough=-bound, deadline=min(deadline, started + 0.5 * limit), seed=rng
                )
            except TooManyFaces:
                pooled = None
            if pooled is not None:
                candidates = np.vstack([candidates, pooled.candidates])
                values = np.concatenate([values, pooled.candidate_values])
                cut_pool = f"cones on a cut pool of {pooled.pool.size} support points"
                if values.min() < -claim:
                    return result(
                        "mixed",
                        True,
                        f"a mixed neuron lowers the energy: gap {values.min():.3g} "
                        f"< -{claim:.1e} (found by {cut_pool})",
                        -np.inf,
                    )
                if pooled.lower_bound >= -bound:
                    return result(
                        "modular",
                        True,
                        f"{cut_pool} proved margin >= {pooled.lower_bound:.3g} >= -{bound:.1e} (the rounding bound)",
                        pooled.lower_bound,
                        cut_pool=pooled.pool,
                    )
                if pooled.exact and tol is not None:  # the exact minimum, within the tolerance
                    return result(
                        "modular",
                        False,
                        f"margin {pooled.value:.3g} (exact, {cut_pool}) is within "
                        f"the tolerance {tol:g} you set (not exact: the data as "
                        "given are mixed)",
                        pooled.lower_bound,
                        cut_pool=pooled.pool,
                    )

        pool = None
        if claim < floor:
            # The solver alone cannot prove the exact claim (the maximum is exactly 1 at
            # the axes): exact local proofs cover caps at the axis vertices, and the
            # solver proves the rest (docs/check.md, "Exact proofs at the axes").
            caps, uncapped = axis_caps(points, M, deadline)
            if not uncapped and time.perf_counter() < deadline:
                # All the time left: a proof at the floor would not make the verdict exact.
                capped = prove_margin(points, M, 0.0, deadline, rng, on_round=on_round, caps=caps)
                pool = capped.pool
                if capped.status == "violated" and capped.witness is not None:
                    candidates = np.vstack([candidates, capped.witness])
                    values = np.append(values, gap_values(points, M, capped.witness))
                    if values.min() < -claim:
                        return result(
                            "mixed",
                            True,
                            f"a mixed neuron lowers the energy: gap {values.min():.3g} "
                            f"< -{claim:.1e} (a point of the polar polytope found by SCIP)",
                            -np.inf,
                            capped,
                        )
                if capped.status == "proven":
                    return result(
                        "modular",
                        True,
                        f"SCIP proved margin >= 0 over the polar polytope outside {len(caps)} caps at "
                        f"the axes, with {capped.pool.size} cutting planes; inside each cap the support "
                        "points at that source's extreme prove it exactly",
                        0.0,
                        capped,
                    )
                if time.perf_counter() >= deadline:
                    lower = min(capped.lower_bound, 0.0)  # the caps themselves hold no violation
                    return result(
                        "undetermined",
                        False,
                        f"no violation below -{claim:.1e} found and no proof: SCIP stopped "
                        f"({capped.status}) outside {len(caps)} caps at the axes after {capped.rounds} "
                        f"rounds; proven margin >= {lower:.3g}",
                        lower,
                        capped,
                    )
        t = max(claim, floor)
        proof = prove_margin(points, M, t, deadline, rng, pool=pool, on_round=on_round)
        if proof.status == "violated" and proof.witness is not None:
            w = proof.witness
            candidates = np.vstack([candidates, w])
            values = np.append(values, gap_values(points, M, w))
            return result(
                "mixed",
                True,
                f"a mixed neuron lowers the energy: gap {values.min():.3g} "
                f"< -{t:.1e} (a point of the polar polytope found by SCIP)",
                -np.inf,
                proof,
            )
        if proof.status != "proven":
            lower = proof.lower_bound
            return result(
                "undetermined",
                False,
                f"no violation below -{claim:.1e} found and no proof: SCIP stopped "
                f"({proof.status}) after {proof.rounds} rounds; proven margin >= {lower:.3g}",
                lower,
                proof,
            )
        proven = f"SCIP proved margin >= -{t:.2g} over the polar polytope with {proof.pool.size} cutting planes"
        if best_value < -bound:  # only with tol: a violation within the tolerance
            return result(
                "modular",
                False,
                f"margin {best_value:.3g} is within the tolerance {tol:g} "
                f"you set ({proven}; not exact: the data as given are mixed)",
                -t,
                proof,
            )
        if t <= bound:
            return result("modular", True, proven + " (the rounding bound)", -t, proof)
        if tol is not None and t <= tol:
            return result("modular", False, proven + f", within the tolerance {tol:g} you set (not exact)", -t, proof)
        return result(
            "undetermined",
            False,
            f"{proven} (the solver's precision) and no violation below -{bound:.1e} was found: "
            "the margin is in [-{:.2g}, 0]".format(t),
            -t,
            proof,
        )
