"""The exact modularity verdict (docs/mathematics.md, "The exact modularity condition").

The optimal nonnegative, energy-efficient linear code of a dataset is modular
if and only if ``m(w)^2 >= w^T F w`` for every tuning direction ``w``.  This
module decides that condition exactly, reports how far the data are from the
boundary (the margin) and, when it fails, a witness: the tuning of a mixed
neuron that lowers the energy.

Coordinates.  Everything is computed after dividing each centred source by
``beta_j``, its distance from the mean to the nearer extreme.  The condition
is unchanged (a diagonal rescaling of ``w`` is a bijection), and the margin
becomes a pure number: it does not change when a source is measured in other
units, shifted or sign-flipped.  The only tolerance is a bound on the
floating-point error of the margin, derived from the data (:func:`rounding_bound`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..errors import BiomodularError
from ..mixing import AXIS_ANGLE_DEGREES, angle_to_axes, mixed_sources
from ..sources import Sources, as_sources
from .gap import DEFAULT_MAX_FACES, GapMinimum, min_quadratic_gap

if TYPE_CHECKING:
    from .polar import GlobalMinimum

__all__ = [
    "CheckResult",
    "check_modularity",
    "min_quadratic_gap",
    "GapMinimum",
    "VERDICTS",
    "rounding_bound",
    "advantage_bracket",
    "standardised_problem",
]

#: Every verdict :func:`check_modularity` can give.
VERDICTS = ("modular", "mixed", "tie", "undetermined")

#: Unit roundoff of IEEE double precision.
UNIT_ROUNDOFF = 2.0**-53

METHODS = ("auto", "sector", "cones", "facets", "global", "search", "grid")


@dataclass(frozen=True)
class CheckResult:
    """The modularity verdict for one dataset.

    Attributes
    ----------
    verdict : str
        Exact for the dataset as given (its samples are the support):
        ``"modular"``: the margin is zero up to rounding, and no direction off
        the axes attains zero; the optimal code gives each neuron one source.
        ``"mixed"``: the margin is negative beyond rounding; a mixed neuron
        with tuning ``witness`` lowers the energy.
        ``"tie"``: the margin is zero up to rounding and a direction off the
        axes attains zero too (e.g. the regular octagon): a modular and a
        mixed code are equally good.
        ``"undetermined"``: neither a violation nor a certificate was found (only
        possible with ``method="search"`` or ``"grid"``, or with the ``global`` route).
    margin : float
        ``min over unit w of m(w)^2 - w^T F w`` in beta-scaled coordinates; always
        ``<= 0`` (zero at the axes); negative means mixed.  For ``search`` and
        ``grid`` an upper bound; for ``facets`` the value at the worst facet.
    rounding_bound : float
        Bound on the floating-point error of ``margin`` (units of beta^2),
        derived from the data's scale and size (:func:`rounding_bound`).
    tolerance : float or None
        The modelling tolerance you set (``tol``), or None.
    witness : ndarray or None
        Unit tuning (weights on the sources, in their own units) of the best mixed
        neuron: it fires as ``witness . s - min_i witness . s_i``.  ``None`` when modular.
    witness_angle : float or None
        Degrees from the witness to the nearest source axis, in beta-scaled units.
    mixes : tuple of str
        Sources the witness draws on, in beta-scaled units
        (:func:`biomodular.mixing.mixed_sources`); never a single source.
    mixing_advantage : float or None
        Relative energy saved by the optimal code over the best modular code,
        ``1 - L_opt / L_mod``, when known exactly: 0 for ``modular`` and
        ``tie``, the convex program's value with ``advantage="exact"``; else
        None and see ``mixing_advantage_bracket``.  Defined for the
        autoencoder with readout cost only, on beta-scaled sources: the one
        setting where it is a property of the data alone (docs/check.md).
    mixing_advantage_bracket : tuple of (float, float or None)
        Certified bounds on ``mixing_advantage``: the lower one is attained by
        an explicit code that uses the witness, the upper one comes from weak
        duality with the margin (None when the margin is not exact).
    mixing_advantage_method : str
        ``"bracket"`` or ``"exact"`` (zero by the verdict, or the convex program).
    tie_gap, tie_angle : float or None
        Smallest gap found at a stationary direction off the axes, and that
        direction's angle (degrees) to the nearest axis.
    method : str
        Method that decided (``sector``, ``cones``, ``cones on a cut pool``, ``facets``,
        ``global``, ``search``, ``grid``, ``range-independence``).
    exact : bool
        Whether the verdict is proven: ``mixed`` always is (the witness attains the
        violation, whatever the method); ``modular`` and ``tie`` need an exact
        method or the range-independence certificate.
    margin_exact : bool
        Whether ``margin`` is the exact minimum (not an upper bound, as it is
        for ``facets``, ``search`` and ``grid``).
    certificate : str
        What backs the verdict, in words.
    sampling : PopulationResult or None
        What the samples say about the population they came from
        (:mod:`biomodular.solvers.population`); None for statistics of a
        distribution, or when the analysis was not asked for.
    n_samples, n_sources : int
    names : tuple of str
    seconds : float
        Time spent deciding (the data were already reduced).
    """

    verdict: str
    margin: float
    witness: np.ndarray | None
    mixes: tuple[str, ...]
    tie_gap: float | None
    tie_angle: float | None
    method: str
    exact: bool
    margin_exact: bool
    certificate: str
    rounding_bound: float
    n_samples: int | None
    n_sources: int
    names: tuple[str, ...]
    seconds: float
    witness_angle: float | None = None
    tolerance: float | None = None
    mixing_advantage: float | None = None
    mixing_advantage_bracket: tuple = (0.0, 0.0)
    mixing_advantage_method: str = "bracket"
    sampling: Any = None
    witness_scaled: np.ndarray | None = field(default=None, repr=False)

    def _repr_html_(self) -> str:
        from ..display import check_html

        return check_html(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of every field (non-finite numbers become None)."""
        lo, hi = self.mixing_advantage_bracket
        return {
            "verdict": self.verdict,
            "summary": self.summary(),
            "margin": _finite(self.margin),
            "margin_is_upper_bound": not self.margin_exact,
            "rounding_bound": _finite(self.rounding_bound),
            "tolerance": _finite(self.tolerance),
            "witness": None if self.witness is None else [_finite(x) for x in self.witness],
            "witness_angle": _finite(self.witness_angle),
            "mixes": list(self.mixes),
            "mixing_advantage": _finite(self.mixing_advantage),
            "mixing_advantage_bracket": [_finite(lo), _finite(hi)],
            "mixing_advantage_method": self.mixing_advantage_method,
            "sampling": None if self.sampling is None else self.sampling.to_dict(),
            "tie_gap": _finite(self.tie_gap),
            "tie_angle": _finite(self.tie_angle),
            "method": self.method,
            "exact": self.exact,
            "margin_exact": self.margin_exact,
            "certificate": self.certificate,
            "n_samples": self.n_samples,
            "n_sources": self.n_sources,
            "names": list(self.names),
            "seconds": self.seconds,
        }

    def advantage_words(self, digits: int = 2) -> str:
        """The mixing advantage in words: ``"0.0046"``, ``"0.0025 to 0.1"`` or ``"at least 0.0025"``."""
        if self.mixing_advantage is not None:
            return f"{self.mixing_advantage:.{digits}g}"
        lo, hi = self.mixing_advantage_bracket
        return f"at least {lo:.{digits}g}" if hi is None else f"{lo:.{digits}g} to {hi:.{digits}g}"

    def summary(self) -> str:
        """One sentence to quote: the exact verdict and, for samples, the population's."""
        from .population import summary_sentence

        return summary_sentence(self)

    def __repr__(self) -> str:
        w = "None" if self.witness is None else np.array2string(self.witness, precision=4)
        return (
            f"CheckResult(verdict={self.verdict!r}, margin={self.margin:.3g}, witness={w}, "
            f"method={self.method!r}, exact={self.exact})"
        )


def _finite(x) -> float | None:
    """``float(x)``, or None for None, NaN and infinities (strict JSON)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def standardised_problem(sources: Sources) -> tuple[np.ndarray, np.ndarray]:
    """Centred support points and ``F`` after dividing each source by ``beta_j``.

    Returns
    -------
    points : ndarray, shape (k, d)
        ``(p_i - mean) / beta``.
    F : ndarray, shape (d, d)
        ``F_jj = 1``, ``F_jk = -C_jk / (beta_j beta_k)``.
    """
    beta = sources.beta
    points = sources.points - sources.mean  # one new array (a circle's support is all its points)
    points /= beta
    F = sources.modularity_matrix / np.outer(beta, beta)
    return points, F


def rounding_bound(sources: Sources) -> float:
    """Bound on the floating-point error of the margin, in units of beta^2.

    The derivation is in docs/check.md ("Rounding").  In outline, with ``u``
    the unit roundoff, ``n`` the number of samples, ``D_j`` the range of source
    ``j``, ``X_j`` its largest magnitude and ``P_j = D_j / beta_j``:

    * any summation order accumulates at most ``(n + 2) u`` relative error, so
      the mean is off by at most ``dmu_j = (n + 2) u D_j + u X_j`` (sums of
      ``s - shift`` with ``|s - shift| <= D_j``) and ``beta_j`` by at most
      ``dbeta_j = dmu_j + 2 u X_j``;
    * a scaled centred point ``(s_ij - mu_j) / beta_j`` is then off by at most
      ``dp_j = (2 u X_j + dmu_j) / beta_j + P_j (dbeta_j / beta_j + 2 u)``;
    * ``m(w) = min_i w . p_i`` for a unit ``w`` by at most
      ``e_m = sqrt(d) max_j dp_j + d^1.5 u max_j P_j``, so ``m^2`` by
      ``2 sqrt(d) max_j P_j e_m + e_m^2``;
    * an off-diagonal entry of the scaled ``F`` by at most
      ``4 (n + 3) u P_j P_k + |F_jk| (dbeta_j / beta_j + dbeta_k / beta_k + 3 u)``
      (the covariance accumulates like the mean), the diagonal (exactly 1) by
      ``3 u``; ``w^T F w`` by the Frobenius norm of those errors plus
      ``2 d^2 u max|F_jk|`` for its own evaluation;
    * normalising ``w`` adds ``4 d u`` times the largest value of each term.

    For statistics of a distribution (``n_samples`` is None) the given mean
    and covariance are taken as exact (``n = 0``).
    """
    u = UNIT_ROUNDOFF
    d = sources.n_sources
    n = 0 if sources.n_samples is None else int(sources.n_samples)
    beta = sources.beta
    D = sources.upper - sources.lower
    X = np.maximum(np.abs(sources.lower), np.abs(sources.upper))
    P = D / beta
    dmu = (n + 2) * u * D + u * X
    dbeta = dmu + 2 * u * X
    rel_beta = dbeta / beta
    dp = (2 * u * X + dmu) / beta + P * (rel_beta + 2 * u)
    m_max = math.sqrt(d) * float(P.max())
    e_m = math.sqrt(d) * float(dp.max()) + d**1.5 * u * float(P.max())
    F = sources.modularity_matrix / np.outer(beta, beta)
    dF = 4 * (n + 3) * u * np.outer(P, P) + np.abs(F) * (rel_beta[:, None] + rel_beta[None, :] + 3 * u)
    np.fill_diagonal(dF, 3 * u)
    f_max = float(np.abs(F).max())
    bound = (
        2 * m_max * e_m
        + e_m**2
        + float(np.linalg.norm(dF))
        + 2 * d * d * u * f_max
        + 4 * d * u * (m_max**2 + d * f_max)
    )
    return float(bound)


#: Most sources for which the advantage's lower bound also re-balances the weights of the
#: modular neurons and the witness (a thousand sources took 6 s for it).
REWEIGHT_MAX_SOURCES = 200


def advantage_bracket(
    points: np.ndarray,
    F: np.ndarray,
    cov_diag: np.ndarray,
    witness: np.ndarray | None,
    margin: float,
    margin_exact: bool,
    bound: float = 0.0,
) -> tuple[float, float | None]:
    """Certified bounds on the relative energy the optimal code saves over the modular one.

    Everything is in beta-scaled units (``points``, ``F`` as from
    :func:`standardised_problem`, ``cov_diag`` the scaled variances) for the
    autoencoder with readout cost only (``lam_in = 0``; ``lam_out`` cancels).
    The best modular code costs ``L_mod = 2 sum_j sqrt(E_j)`` with
    ``E_j = C_jj + 1`` and multiplier ``Lambda = diag(E)`` (docs/check.md,
    "How much the mixing is worth").

    Lower bound: the cheapest of three explicit codes that use the witness ``w``
    (so the optimum is at least as good): the modular code plus a neuron along
    ``w`` with the best weight, which saves
    ``(q / a) (1 - sqrt(1 - r))^2`` with ``q = w^T Lambda w``,
    ``a = w^T G*^-1 w``, ``r = -gap(w) / q``; the modular code with neuron
    ``j`` replaced by ``w``, a basis code whose cost is
    ``2 sum_i sqrt(phi_i ||(U^-1)_{:,i}||^2)`` in closed form
    (:func:`_basis_swap_costs`); and, up to :data:`REWEIGHT_MAX_SOURCES`
    sources, the modular neurons plus ``w`` with every weight re-balanced
    (:func:`_reweighted_cost`).

    Upper bound (needs the exact margin): every direction has
    ``phi(w) >= w^T (Lambda + margin I) w``, so by weak duality no code costs
    less than ``2 sum_j sqrt(E_j + margin)``.
    """
    E = np.asarray(cov_diag, dtype=float) + 1.0
    L_mod = 2.0 * float(np.sqrt(E).sum())
    lower = 0.0
    if witness is not None:
        w = np.asarray(witness, dtype=float)
        w = w / np.linalg.norm(w)
        m = float((points @ w).min())
        quad = float(w @ F @ w)
        gap = m * m - quad
        q = float(E @ (w * w))
        a = float(np.sqrt(E) @ (w * w))
        if gap < 0 and q > 0 and a > 0:
            r = min(-gap / q, 1.0)
            lower = max(lower, (q / a) * (1.0 - math.sqrt(1.0 - r)) ** 2 / L_mod)
        # phi(w) = w^T C w + m(w)^2 with C = diag(E - 1) - (F - I) off the diagonal
        C = -F.copy()
        np.fill_diagonal(C, E - 1.0)
        phi_w = float(w @ C @ w) + m * m
        costs = _basis_swap_costs(E, phi_w, w)
        if costs.size:
            lower = max(lower, (L_mod - float(costs.min())) / L_mod)
        if w.size <= REWEIGHT_MAX_SOURCES:  # Newton steps on d + 1 weights: O(d^3) each
            lower = max(lower, (L_mod - _reweighted_cost(points, E, C, w)) / L_mod)
    upper: float | None = None
    if margin_exact:
        shift = min(margin - bound, 0.0)
        if np.all(E + shift > 0):
            upper = 1.0 - float(np.sqrt(E + shift).sum()) / float(np.sqrt(E).sum())
        else:
            upper = 1.0
        upper = max(upper, lower)
    return float(lower), upper


def _basis_swap_costs(E: np.ndarray, phi_w: float, w: np.ndarray) -> np.ndarray:
    """Cost ``2 sum_k sqrt(phi_k |(U^-1)_{:,k}|^2)`` of each basis code ``U``: the identity with
    row ``j`` replaced by the unit ``w`` (for every ``j`` with ``|w_j| >= 1e-12``).

    ``U = I + e_j (w - e_j)^T`` has inverse ``I - e_j (w - e_j)^T / w_j``
    (Sherman-Morrison), whose column ``k != j`` has squared norm
    ``1 + (w_k / w_j)^2`` and column ``j`` has ``1 / w_j^2``: O(d) per ``j``
    instead of an inverse (a thousand sources took 47 s of inverses)."""
    root_E = np.sqrt(np.maximum(E, 0.0))
    root_w = math.sqrt(max(phi_w, 0.0))
    costs = []
    for j in np.flatnonzero(np.abs(w) >= 1e-12):
        column = np.sqrt(1.0 + (w / w[j]) ** 2)
        others = float(root_E @ column) - float(root_E[j] * column[j])
        costs.append(2.0 * (others + root_w / abs(float(w[j]))))
    return np.array(costs)


def _reweighted_cost(points: np.ndarray, E: np.ndarray, C: np.ndarray, w: np.ndarray, rounds: int = 40) -> float:
    """Cost of a code with the modular neurons and ``w``, all weights re-balanced (an attained code).

    Minimises the convex ``L(c) = sum_k c_k phi_k + tr(G^-1)``, ``G = sum_k c_k u_k u_k^T``,
    over ``c > 0`` by damped Newton steps (gradient ``phi_k - u_k^T G^-2 u_k``,
    Hessian ``2 (u_k^T G^-1 u_l)(u_k^T G^-2 u_l)``), keeping ``c`` positive.
    Whatever the iterate, it is a code, so its cost bounds the optimum from above.
    """
    sign = np.where(points.min(axis=0) >= -1.0 - 1e-12, -1.0, 1.0)  # nearer extreme at -1: fire upwards
    U = np.vstack([np.diag(-sign), w])
    m = (U @ points.T).min(axis=1)
    phi = np.einsum("ij,jk,ik->i", U, C, U) + m * m
    if np.any(phi <= 0):
        return float("inf")

    def cost(c: np.ndarray) -> float:
        return float(c @ phi + np.trace(np.linalg.inv((U.T * c) @ U)))

    c = np.append(1.0 / np.sqrt(E), 1e-2 / math.sqrt(float(phi[-1])))
    best = cost(c)
    for _ in range(rounds):
        Ginv = np.linalg.inv((U.T * c) @ U)
        A, B = U @ Ginv @ U.T, U @ Ginv @ Ginv @ U.T
        grad = phi - np.diag(B)
        hess = 2 * A * B
        try:
            step = -np.linalg.solve(hess + 1e-12 * np.trace(hess) * np.eye(len(c)), grad)
        except np.linalg.LinAlgError:
            break
        shrink = step < 0
        t = min(1.0, 0.9 * float(np.min(-c[shrink] / step[shrink]))) if shrink.any() else 1.0
        while t > 1e-12:
            trial = c + t * step
            value = cost(trial)
            if value < best:
                c, best = trial, value
                break
            t /= 2
        else:
            break
    return best


def exact_advantage(sources: Sources) -> float:
    """``1 - L_opt / L_mod`` from the convex program (beta-scaled, ``lam_in = 0``).

    Solves the optimal code with :func:`biomodular.solvers.program.solve_code`
    on the sources divided by their ``beta_j`` (needs cvxpy; a second or so).
    Raises :class:`BiomodularError` if the solve is not certified optimal.
    """
    from .problem import Problem
    from .program import solve_code

    beta = sources.beta
    scaled = Sources.from_statistics(
        np.zeros(sources.n_sources),
        sources.cov / np.outer(beta, beta),
        sources.centred_points / beta,
        names=sources.names,
    )
    code = solve_code(scaled, Problem.autoencoder(lam_in=0.0, lam_out=1.0))
    if code.status != "optimal":
        raise BiomodularError(f"the exact mixing advantage needs a certified optimum; the solver said {code.status}")
    return float(max(0.0, 1.0 - code.value / code.modular_value))


def _tie_resolution_degrees(bound: float) -> float:
    """Directions closer to an axis than this cannot be told from it at this rounding.

    Near an axis where the gap is zero, the gap grows at least quadratically
    with the angle in generic position, so directions within ``sqrt(bound)``
    radians may owe a gap within ``bound`` of zero to the axis itself.
    """
    return max(float(np.degrees(math.sqrt(bound))), AXIS_ANGLE_DEGREES)


def check_modularity(
    sources: Sources,
    tol: float | None = None,
    method: str = "auto",
    max_faces: int = DEFAULT_MAX_FACES,
    seed: int | np.random.Generator = 0,
    advantage: str = "bracket",
    time_limit: float | None = None,
) -> CheckResult:
    """Decide whether the optimal nonnegative efficient code of ``sources`` is modular.

    Implements the exact condition of docs/mathematics.md, "The exact
    modularity condition": the code is modular iff ``m(w)^2 >= w^T F w`` for
    every direction ``w``.  The verdict is exact for the data as given (a
    dataset of samples is its own support); the only tolerance is the rounding
    bound of :func:`rounding_bound`, derived from the data and reported.
    Whether the *population* the samples came from is modular is a separate,
    statistical question: see :func:`biomodular.solvers.population.check_samples`.

    Parameters
    ----------
    sources : Sources or array_like
        The reduced dataset (see :class:`biomodular.Sources`), or samples of
        shape ``(n_samples, n_sources)`` (an array, a pandas DataFrame or an
        xarray DataArray), which are reduced first.
    tol : float, optional
        A modelling tolerance you choose, in units of beta^2 (default None:
        none).  Margins in ``[-tol, 0]`` are then called ``modular`` with
        ``exact=False`` and a certificate that says the tolerance decided.
        A ``tol`` below the rounding bound is raised to it.  Leave it unset
        to get the exact verdict; to ask whether a *population* is modular,
        use the sampling analysis rather than a tolerance.
    method : {"auto", "sector", "cones", "facets", "global", "search", "grid"}
        ``auto``: the range-independence certificate if every corner of the
        bounding box is in the support; else, when the reduction kept no
        hull (five or more sources), ``global`` (:mod:`biomodular.solvers.polar`:
        SCIP over the polar polytope, within ``time_limit``); else ``sector``
        for two sources, ``cones`` up to ``max_faces`` hull faces (for four
        sources and a large hull, ``cones`` on a cut pool of the vertices
        first, taken only for a margin below the rounding bound), ``facets``
        when ``F`` is positive semidefinite, and ``search`` last (then a
        verdict of ``modular`` needs a certificate and may be
        ``undetermined``).  See :mod:`biomodular.solvers.gap` for the
        hull-based methods.
    max_faces : int
        Budget of hull faces for the ``cones`` method.
    seed : int or Generator
        Randomness of ``search``/``grid``/``global`` (results are reproducible).
    time_limit : float, optional
        Seconds the ``global`` route may spend (default
        :data:`biomodular.solvers.polar.DEFAULT_TIME_LIMIT`); when they run out
        the verdict is ``undetermined`` with the best proven bound.  It bounds
        the local polishing of ``search`` too (the best directions found by
        then are kept).
    advantage : {"bracket", "exact"}
        ``bracket`` (default, closed form, microseconds): certified bounds on
        the mixing advantage; ``exact``: also solve the convex program for it
        (needs cvxpy, about a second).

    Returns
    -------
    CheckResult

    Raises
    ------
    BiomodularError
        For a bad ``method`` or ``advantage``, a ``tol``, or a method that does
        not apply (``sector`` needs two sources, ``facets`` a positive
        semidefinite ``F``).
    """
    _check_arguments(tol, method, time_limit, advantage)
    started = time.perf_counter()
    sources = as_sources(sources)
    bound = rounding_bound(sources)
    common: dict[str, Any] = dict(
        rounding_bound=bound,
        tolerance=tol,
        n_samples=sources.n_samples,
        n_sources=sources.n_sources,
        names=sources.names,
    )

    if method == "auto" and sources.range_independent:
        return CheckResult(
            verdict="modular",
            margin=0.0,
            witness=None,
            mixes=(),
            tie_gap=None,
            tie_angle=None,
            method="range-independence",
            exact=True,
            margin_exact=True,
            certificate="every corner of the bounding box is in the support (range independence)",
            seconds=time.perf_counter() - started,
            mixing_advantage=0.0,
            mixing_advantage_bracket=(0.0, 0.0),
            mixing_advantage_method="exact",
            **common,
        )

    points, F = standardised_problem(sources)
    gap, chosen = _minimum_gap(sources, points, F, bound, method, max_faces, seed, time_limit, tol)
    margin = min(gap.value, 0.0)
    tie = _tie_candidate(gap, bound)
    verdict, exact, certificate = _decide(gap, chosen, margin, bound, tol, tie, sources.range_independent)
    witness = _witness(verdict, gap, tie, sources)
    bracket, exact_value, how = _advantage(sources, points, F, gap, verdict, witness, margin, bound, advantage)

    return CheckResult(
        verdict=verdict,
        margin=float(margin),
        witness=witness.raw,
        mixes=witness.mixes,
        tie_gap=tie.gap,
        tie_angle=tie.angle,
        method=gap.method,
        exact=exact,
        margin_exact=gap.exact,
        certificate=certificate,
        witness_angle=witness.angle,
        mixing_advantage=exact_value,
        mixing_advantage_bracket=bracket,
        mixing_advantage_method=how,
        seconds=time.perf_counter() - started,
        witness_scaled=witness.scaled,
        **common,
    )


def _check_arguments(tol: float | None, method: str, time_limit: float | None, advantage: str) -> None:
    """Refuse bad arguments of :func:`check_modularity` before any work."""
    if tol is not None and not (math.isfinite(tol) and tol >= 0):
        raise BiomodularError(f"tol must be a non-negative number (units of beta^2); got {tol}")
    if method not in METHODS:
        raise BiomodularError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise BiomodularError(f"time_limit must be a positive number of seconds; got {time_limit}")
    if advantage not in ("bracket", "exact"):
        raise BiomodularError(f"advantage must be 'bracket' or 'exact'; got {advantage!r}")


def _minimum_gap(
    sources: Sources,
    points: np.ndarray,
    F: np.ndarray,
    bound: float,
    method: str,
    max_faces: int,
    seed: int | np.random.Generator,
    time_limit: float | None,
    tol: float | None,
) -> tuple[GapMinimum, str]:
    """Minimise the quadratic gap by the chosen route; return it with the route taken.

    ``auto`` goes to the global route when the reduction kept no hull (its
    points are not all vertices); the hull-based methods reuse the hull that
    ``sources`` owns.
    """
    chosen = method
    if method == "auto" and not sources.points_are_vertices:
        chosen = "global"
    if chosen == "global":
        from .polar import global_gap

        return global_gap(points, F, bound, tol=tol, time_limit=time_limit, seed=seed), chosen
    if chosen == "auto":
        pooled = _pool_violation(sources, points, F, bound, max_faces, seed)
        if pooled is not None:
            return pooled, chosen
    uses_hull = sources.n_sources > 2 and chosen in ("auto", "cones", "facets", "search")
    facets = sources.facets() if uses_hull else None
    # The budget bounds the search's polishing, its only stage without one of its own.
    from .polar import time_budget

    budget = time_budget(time_limit)
    gap = min_quadratic_gap(points, F, method=chosen, max_faces=max_faces, seed=seed, facets=facets, time_limit=budget)
    return gap, chosen


#: Source counts for which ``auto`` tries ``cones`` on a cut pool before the whole hull: with
#: three, the whole hull's faces cost no more than a pool's rounds (docs/benchmarks.md).
POOL_SOURCES = (4,)

#: Hull vertices from which ``auto`` tries the cut pool first: on smaller hulls the whole
#: hull's faces are cheaper than the pool's rounds.
POOL_MIN_VERTICES = 500

#: The pool's work budget: support points summed over its rounds, at most ``POOL_WORK`` and at
#: most ``POOL_WORK_PER_VERTEX`` times the hull's vertices.  Four-source samples of 1e5 to 1e6
#: rows were decided within 220 to 570 of them (five to nine rounds, docs/benchmarks.md); a
#: support whose every point is a vertex (a sphere) needs thousands, and gives way to the
#: whole hull after about nine rounds.
POOL_WORK = 600
POOL_WORK_PER_VERTEX = 1.0


def _pool_violation(
    sources: Sources,
    points: np.ndarray,
    F: np.ndarray,
    bound: float,
    max_faces: int,
    seed: int | np.random.Generator,
) -> GapMinimum | None:
    """The exact minimum by ``cones`` on a cut pool when it is below ``-bound``, else None.

    Only a violation is taken from the pool: its exact minimum is the whole
    hull's (the minimiser's extreme point is in the pool), so the margin and
    the verdict (``mixed``, or ``modular`` within a tolerance) are those of
    ``cones``.  A margin within the rounding bound,
    where ``modular`` and ``tie`` are told apart by the candidates near zero,
    and a pool that outgrows its budget go to the whole hull.  So does a
    support whose hull is built already (by ``solve``): the pool saves
    building it, and on supports where the pool gives way (a sphere) its
    attempt would only add to the whole hull's cost.
    """
    from .gap import TooManyFaces
    from .polar import pool_cones

    k = points.shape[0]
    if (
        sources.n_sources not in POOL_SOURCES
        or not sources.points_are_vertices
        or sources.has_facets
        or k < POOL_MIN_VERTICES
    ):
        return None
    try:
        pooled = pool_cones(
            points,
            F,
            enough=-bound,
            max_faces=max_faces,
            max_points=min(POOL_WORK, POOL_WORK_PER_VERTEX * k),
            seed=seed,
        )
    except TooManyFaces:
        return None
    return pooled if pooled.exact and pooled.value < -bound else None


@dataclass(frozen=True)
class _Tie:
    """The best candidate direction clearly off the axes (``index`` -1 if none)."""

    gap: float | None = None
    angle: float | None = None
    index: int = -1


def _tie_candidate(gap: GapMinimum, bound: float) -> _Tie:
    """The lowest-gap candidate that the rounding cannot confuse with an axis."""
    angles = angle_to_axes(gap.candidates)
    off_axis = angles > _tie_resolution_degrees(bound)
    if not off_axis.any():
        return _Tie()
    index = int(np.argmin(np.where(off_axis, gap.candidate_values, np.inf)))
    return _Tie(float(gap.candidate_values[index]), float(angles[index]), index)


def _decide(
    gap: GapMinimum,
    chosen: str,
    margin: float,
    bound: float,
    tol: float | None,
    tie: _Tie,
    range_independent: bool,
) -> tuple[str, bool, str]:
    """The verdict, whether it is exact, and the certificate that says why.

    A violation that some direction attains proves "mixed" whatever the method;
    "modular" and "tie" need an exact method or the range-independence certificate.
    """
    upper = " (an upper bound on the minimum)" if not gap.exact else ""
    if chosen == "global":
        proved = cast("GlobalMinimum", gap)  # the global route decides the verdict itself
        if proved.verdict == "modular" and proved.verdict_exact and tie.gap is not None and tie.gap <= bound:
            # Its proof bounds every direction; one off the axes attains zero up to rounding.
            return (
                "tie",
                True,
                (
                    f"zero up to rounding at the axes and at a direction {tie.angle:.3g} deg off "
                    f"them ({proved.certificate}): a modular and a mixed code are equally good"
                ),
            )
        return proved.verdict, proved.verdict_exact, proved.certificate
    if tol is not None and -max(tol, bound) <= margin < -bound and gap.exact_sign:
        return (
            "modular",
            False,
            (f"margin {margin:.3g} is within the tolerance {tol:g} you set (not exact: the data as given are mixed)"),
        )
    if margin < -bound:
        return (
            "mixed",
            True,
            (f"a mixed neuron lowers the energy: gap {margin:.3g}{upper} < -{bound:.1e} (the rounding bound)"),
        )
    if tie.gap is not None and tie.gap <= bound and (gap.exact_sign or range_independent):
        return (
            "tie",
            True,
            (
                f"zero up to rounding at the axes and at a direction {tie.angle:.3g} deg off "
                "them: a modular and a mixed code are equally good"
            ),
        )
    if gap.exact_sign:
        return (
            "modular",
            True,
            {
                "sector": "no sector of the hull has a gap below the rounding bound",
                "cones": f"no normal cone of the hull's {gap.n_faces} faces has a gap below the rounding bound",
                "facets": f"the ellipsoid lies inside all {gap.n_faces} hull facets",
            }[gap.method],
        )
    if range_independent:
        return "modular", True, "every corner of the bounding box is in the support (range independence)"
    return (
        "undetermined",
        False,
        (f"the {gap.method} found no violation below the rounding bound, and no certificate of modularity applies"),
    )


@dataclass(frozen=True)
class _Witness:
    """A mixed neuron's tuning in raw and scaled units, its angle to the axes and the sources it mixes."""

    raw: np.ndarray | None = None
    scaled: np.ndarray | None = None
    angle: float | None = None
    mixes: tuple[str, ...] = ()


def _witness(verdict: str, gap: GapMinimum, tie: _Tie, sources: Sources) -> _Witness:
    """The witness of a mixed or tied verdict (none for the others)."""
    if verdict not in ("mixed", "tie"):
        return _Witness()
    scaled = gap.direction if verdict == "mixed" else gap.candidates[tie.index]
    # w_scaled . (s~ / beta) = (w_scaled / beta) . s~
    raw = scaled / sources.beta
    return _Witness(
        raw / np.linalg.norm(raw), scaled, float(angle_to_axes(scaled)[0]), mixed_sources(scaled, sources.names)
    )


def _advantage(
    sources: Sources,
    points: np.ndarray,
    F: np.ndarray,
    gap: GapMinimum,
    verdict: str,
    witness: _Witness,
    margin: float,
    bound: float,
    advantage: str,
) -> tuple[tuple[float, float | None], float | None, str]:
    """The mixing advantage: its bracket, its exact value when known, and how that was found."""
    if verdict == "mixed":
        cov_diag = np.diag(sources.cov) / sources.beta**2
        bracket = advantage_bracket(points, F, cov_diag, witness.scaled, margin, gap.exact, bound)
    elif verdict in ("modular", "tie"):
        bracket = (0.0, 0.0)
    else:
        bracket = (0.0, None)
    exact_value: float | None = 0.0 if verdict in ("modular", "tie") else None
    how = "exact" if exact_value is not None else "bracket"  # modular or tie: nothing to save, exactly
    if advantage == "exact" and verdict in ("mixed", "undetermined"):
        exact_value, how = exact_advantage(sources), "exact"
    return bracket, exact_value, how
