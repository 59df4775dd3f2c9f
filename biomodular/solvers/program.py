"""The optimal nonnegative code as a convex program, solved exactly by column generation.

docs/mathematics.md, "Solving for the optimal code exactly".  A code is a
finite set of neurons; neuron ``n`` has a tuning ``t_n`` to the (centred)
sources and the cheapest bias that keeps it nonnegative, so it costs
``phi(t_n) = t_n^T C t_n + m(t_n)^2`` of activity energy.  Writing
``t_n = sqrt(c_n) w_n`` with unit directions ``w_n`` and
``G = sum_n c_n w_n w_n^T``, every problem of the family is convex in the
weights ``c >= 0``:

``autoencoder`` (input ``x = A s``, exact readout of ``y = B s``)
    minimise ``<phi, c> + lam_in tr(P G) + lam_out tr(Q G^-1)``
    with ``P = (A^T A)^-1`` and ``Q = B^T B``.
``fixed_variance`` (ICLR 2023, Theorem 1, made well posed)
    minimise ``<phi, c>`` subject to ``tr(C G) >= variance`` and
    ``tr(Q G^-1) <= readout_budget``.

Column generation makes the program over a finite dictionary exact: at the
current ``G`` the dual multiplier ``Lambda`` prices every direction by
``phi(w) - w^T Lambda w``, whose minimum over unit ``w`` is
``min_quadratic_gap(points, Lambda - C)``.  A negative price adds a neuron;
when none is left the code is optimal.  The certificate is a lower bound from
weak duality (see :func:`~biomodular.solvers.energy.lower_bound` and docs/solve.md).

The solver is a sequence of explicit steps, each in its own module:

1. :class:`~biomodular.solvers.standardise.Standardisation` changes the units
   so that every coefficient is of order one (``apply``) and back (``invert_*``);
2. :class:`~biomodular.solvers.master.RestrictedMaster` solves the program over
   the current dictionary (compiled once, re-used through a ``ProgramCache``);
3. :func:`~biomodular.solvers.refinement.refine_weights` refines its weights to
   rounding accuracy on their support (Newton on the KKT system);
4. pricing (:func:`~biomodular.solvers.gap.min_quadratic_gap`) finds the most
   negatively priced directions, which the driver here adds;
5. the driver decides the status once, from the final certificate.

:class:`ColumnGeneration` runs these steps for one dataset and can be re-solved
for new coefficients (sweeps); :func:`solve_code` is the one-call interface.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import BiomodularError, SolverWarning
from ..mixing import classify_neurons
from ..progress import progress
from ..sources import Sources, as_sources
from .energy import BoundCurve, code_loss, lower_bound, phi_values
from .master import SOLVERS, ProgramCache, RestrictedMaster
from .gap import TooManyFaces, min_quadratic_gap
from .polar import hull_search, price_directions
from .problem import Problem
from .refinement import Refinement, refine_weights
from .results import Certificate, CodeResult, Neuron, code_verdict
from .standardise import Standardisation

__all__ = [
    "ColumnGeneration",
    "solve_code",
    "modular_value",
    "modular_code",
    "DEFAULT_GAP_TOL",
    "OPTIMAL",
    "OPTIMAL_INACCURATE",
    "UNCERTIFIED",
    "MAX_ROUNDS",
]

#: Face budget of the whole-hull pricing when none is given: the faces are enumerated once per
#: solve and re-used every round, so a larger hull than the check's budget pays off (a 4-source
#: hull of 10,000 vertices has about 290,000 faces; past the budget the cut pool takes over).
PRICING_MAX_FACES = 1_000_000

#: Support points from which rounds are priced by the cheap search first (the exact pricing
#: enumerates every face of the hull; the search only its facets): see ColumnGeneration.searches.
SEARCH_MIN_POINTS = 500

#: Best columns of a round kept as starts of the next round's search.
SEARCH_COLUMNS = 16

#: Default relative optimality gap at which column generation stops.
DEFAULT_GAP_TOL = 1e-6

#: Relative amount by which a lower bound may exceed a known code's loss through rounding
#: of the loss evaluation alone (a few hundred units of double precision).
BOUND_SLACK = 1e-13

# The statuses of a solve (CodeResult.status).
#: Every restricted solve optimal, the pricing exact, the relative gap within the tolerance.
OPTIMAL = "optimal"
#: The solver's accuracy (or a stalled dictionary) stopped progress before the tolerance.
OPTIMAL_INACCURATE = "optimal_inaccurate"
#: The pricing is a search: the lower bound is not proven.
UNCERTIFIED = "uncertified"
#: The round limit came first.
MAX_ROUNDS = "max_rounds"

# Why the column-generation loop stopped.
_STOP_GAP = "gap within tolerance"
_STOP_NO_VIOLATION = "no negatively priced direction"
_STOP_ROUNDS = "round limit"
_STOP_STALLED = "no new direction to add"


# =========================================================================== steps
@dataclass(frozen=True, eq=False)
class PricingResult:
    """The pricing of every direction at the current multiplier (internal units).

    Attributes
    ----------
    value : float
        Smallest price found, ``min_w phi(w) - w^T Lambda w``.
    violation : float
        ``max(0, -value)``.
    direction : ndarray
        A unit direction attaining ``value``.
    exact : bool
        Whether the pricing proves the largest violation: an exact minimum, or
        a nonnegative value whose sign is exact (no violation at all).
    method : str
    candidates, candidate_values : ndarray
        Directions scored and their prices (new columns are taken from them).
    bound : float
        A proven lower bound on the smallest price: ``value`` when exact,
        ``-inf`` when the pricing proves none (a search).
    """

    value: float
    violation: float
    direction: np.ndarray
    exact: bool
    method: str
    candidates: np.ndarray
    candidate_values: np.ndarray
    bound: float = -math.inf

    @property
    def certified(self) -> bool:
        """Whether a violation bound is proven (exact pricing, or a proven lower bound)."""
        return self.exact or math.isfinite(self.bound)

    @property
    def proven_violation(self) -> float:
        """The violation the certificate uses: proven when :attr:`certified`, else the one found."""
        return max(0.0, -self.bound) if self.certified else self.violation

    @classmethod
    def from_gap(cls, gap: Any) -> "PricingResult":
        """From a :class:`~biomodular.solvers.gap.GapMinimum` (or a custom pricing's answer)."""
        value = float(gap.value)
        exact = bool(getattr(gap, "exact", False)) or (bool(getattr(gap, "exact_sign", False)) and value >= 0)
        bound = value if exact else min(float(getattr(gap, "lower_bound", -math.inf)), value)
        return cls(
            value=value,
            violation=max(0.0, -value),
            direction=np.asarray(gap.direction, float),
            exact=exact,
            method=str(getattr(gap, "method", "custom")),
            candidates=np.atleast_2d(getattr(gap, "candidates", np.asarray(gap.direction)[None, :])),
            candidate_values=np.atleast_1d(getattr(gap, "candidate_values", np.array([value]))),
            bound=bound,
        )

    def columns(self, most: int) -> np.ndarray:
        """Up to ``most`` negatively priced candidates, most negative first."""
        order = np.argsort(self.candidate_values)
        return self.candidates[order][self.candidate_values[order] < 0][:most]


@dataclass(frozen=True, eq=False)
class Iterate:
    """One round of column generation: refined weights, their pricing and bounds (internal units).

    Attributes
    ----------
    directions : ndarray
        The dictionary the weights refer to.
    refinement : Refinement
    pricing : PricingResult
    Lambda : ndarray
        The multiplier that priced the directions.
    upper : float
        Attained loss of the (feasible-scaled) weights.
    lower : float
        Weak-duality lower bound.
    """

    directions: np.ndarray
    refinement: Refinement
    pricing: PricingResult
    Lambda: np.ndarray
    upper: float
    lower: float

    @property
    def weights(self) -> np.ndarray:
        return self.refinement.weights

    @property
    def relative_gap(self) -> float:
        return (self.upper - self.lower) / abs(self.upper) if self.upper else math.inf


def _violation_allowance(kappa: float, Q: np.ndarray, G: np.ndarray, const: float, upper: float, tol: float) -> float:
    """The largest pricing violation whose certificate still meets half the tolerance.

    The weak-duality bound decreases with the violation (docs/solve.md,
    "Certificate"); the allowance is the ``v`` at which it reaches
    ``upper - tol |upper| / 2``, found to ``1e-9`` of itself and never above it
    (zero when even ``v = 0`` falls short: the restricted solve itself is not
    that accurate).
    """
    target = upper - 0.5 * tol * abs(upper)
    bound = BoundCurve(kappa, Q, G, const)
    lo, hi = 0.0, bound.largest_violation
    f_lo = bound(lo) - target
    if not f_lo >= 0:
        return 0.0
    # The bound is an infimum of functions affine in v, so concave, with slope -tr(G) at
    # v = 0 (G attains the infimum there): it lies below that tangent, which reaches the
    # target at f_lo / tr(G).  So the root is no larger.
    hi = min(hi, f_lo / float(np.trace(G)))
    f_hi = bound(hi) - target
    if f_hi >= 0:
        return hi
    # Regula falsi with the Illinois step (an end kept twice has its value halved), keeping
    # bound(lo) >= target > bound(hi): about ten evaluations where bisection took sixty.
    kept = 0  # +1: the last step moved lo, -1: it moved hi
    for _ in range(100):
        if hi - lo <= 1e-9 * hi:
            break
        mid = lo + (hi - lo) * (f_lo / (f_lo - f_hi)) if np.isfinite(f_hi) else 0.5 * (lo + hi)
        if not lo < mid < hi:
            mid = 0.5 * (lo + hi)
        f_mid = bound(mid) - target
        if f_mid >= 0:
            lo, f_lo = mid, f_mid
            if kept == 1:
                f_hi /= 2
            kept = 1
        else:
            hi, f_hi = mid, f_mid
            if kept == -1:
                f_lo /= 2
            kept = -1
    return lo


def decide_status(stop: str, exact: bool, within_tolerance: bool, solver_inaccurate: bool) -> str:
    """The status of a solve, from why the loop stopped and the final certificate.

    ``optimal`` needs every piece: an exact pricing, a relative gap within the
    tolerance and no restricted solve that was only ``optimal_inaccurate``.
    """
    if stop in (_STOP_GAP, _STOP_ROUNDS):
        if exact and within_tolerance:
            return OPTIMAL_INACCURATE if solver_inaccurate else OPTIMAL
        if stop == _STOP_GAP:
            return UNCERTIFIED if not exact else OPTIMAL_INACCURATE
        return MAX_ROUNDS
    if stop == _STOP_NO_VIOLATION:
        return OPTIMAL_INACCURATE if exact else UNCERTIFIED
    return OPTIMAL_INACCURATE


# =========================================================================== driver
class ColumnGeneration:
    """Column generation for one dataset and problem family.

    The restricted program is compiled once; :meth:`solve` can be called again
    with new coefficients of the same kind (a sweep), carrying the dictionary
    of directions over.

    Parameters
    ----------
    sources : Sources
    problem : Problem, optional
        Default: the autoencoder with ``lam_in = lam_out = 1``.
    solver : {"CLARABEL", "SCS"}
        First solver tried; the other is the retry.
    pricing : str or callable
        Method of :func:`biomodular.solvers.gap.min_quadratic_gap`
        (``"auto"``: exact for small hulls), or a callable ``(points, M) ->``
        object with ``value``, ``direction``, ``exact``, ``method`` (and
        optionally ``candidates``, ``candidate_values``).
    max_faces : int, optional
        Face budget of the exact ``cones`` pricing.
    seed : int or Generator
        Initial random directions of the dictionary and the pricing search.
    n_random : int, optional
        Random initial directions besides the ``2d`` axes (default ``2d``).
    programs : ProgramCache, optional
        Compiled programs (default: the process-wide cache).
    """

    def __init__(
        self,
        sources: Sources,
        problem: Problem | None = None,
        *,
        solver: str = "CLARABEL",
        pricing: str | Callable = "auto",
        max_faces: int | None = None,
        seed: int | np.random.Generator = 0,
        n_random: int | None = None,
        programs: ProgramCache | None = None,
    ):
        problem = problem or Problem.autoencoder()
        problem.validate(sources.n_sources)
        self.sources = sources
        self.problem = problem
        self.pricing = pricing
        self.max_faces = max_faces
        self.seed = seed
        d = sources.n_sources
        axes = np.vstack([np.eye(d), -np.eye(d)])
        extra = np.random.default_rng(seed).standard_normal((2 * d if n_random is None else int(n_random), d))
        extra /= np.linalg.norm(extra, axis=1, keepdims=True)
        self.units = Standardisation.of(sources, problem)
        self.master = RestrictedMaster(
            self.units.apply(sources, problem), np.vstack([axes, extra]), solver=solver, programs=programs
        )
        self._pool: np.ndarray | None = None  # support points the pool pricing keeps between rounds
        self._columns: np.ndarray | None = None  # the last round's best columns: starts of the search

    def set_problem(self, problem: Problem) -> None:
        """New coefficients (same kind): re-uses the compiled program and the dictionary."""
        problem.validate(self.sources.n_sources)
        if problem.kind != self.problem.kind:
            raise BiomodularError("a column generation solves one problem kind")
        self.problem = problem
        self.units = Standardisation.of(self.sources, problem)
        self.master.set_problem(self.units.apply(self.sources, problem))

    # --------------------------------------------------------------- steps
    def searches(self) -> bool:
        """Whether rounds are priced first by the cheap search (:func:`~biomodular.solvers.polar.hull_search`).

        So they are for the automatic pricing of a large kept hull (three or four
        sources, at least ``SEARCH_MIN_POINTS`` support points), where one exact
        pricing enumerates every face's eigenproblem.
        """
        return (
            self.pricing == "auto"
            and self.sources.n_sources > 2
            and self.master.standard.points.shape[0] >= SEARCH_MIN_POINTS
            and self.sources.facets(self.units.sigma) is not None
        )

    def price(self, M: np.ndarray, allowance: float = 0.0, search: bool = False) -> PricingResult:
        """Minimum over unit ``w`` of ``m(w)^2 - w^T M w`` (internal coordinates).

        ``allowance``: a violation the certificate can afford; the cut-pool
        pricing stops once it has a violation above it (new columns) or a
        proof that none exceeds it, instead of pricing to the exact minimum.
        ``search``: price by the cheap search (:meth:`searches` must hold); its
        answer proves nothing (``bound = -inf``).
        """
        points = self.master.standard.points
        if search:
            facets = self.sources.facets(self.units.sigma)
            assert facets is not None
            starts = (
                self.master.dictionary if self._columns is None else np.vstack([self.master.dictionary, self._columns])
            )
            return PricingResult.from_gap(hull_search(points, M, facets[1], starts))
        if callable(self.pricing):
            return PricingResult.from_gap(self.pricing(points, M))
        kwargs: dict[str, Any] = {} if self.max_faces is None else {"max_faces": self.max_faces}
        if self.sources.n_sources > 2 and self.pricing in ("auto", "cones", "facets", "search"):
            kwargs["facets"] = self.sources.facets(self.units.sigma)  # the hull Sources holds
        if self.pricing == "auto" and self.sources.n_sources > 2:
            if kwargs["facets"] is not None:  # the hull is kept (up to four sources): cones while it fits
                whole = {"max_faces": PRICING_MAX_FACES, **kwargs}  # faces are enumerated once per solve
                try:
                    return PricingResult.from_gap(min_quadratic_gap(points, M, method="cones", **whole))
                except TooManyFaces:
                    pass
            gap = price_directions(
                points,
                M,
                allowance,
                self._pool,
                seed=self.seed,
                **{k: v for k, v in kwargs.items() if k == "max_faces"},
            )
            self._pool = gap.pool  # warm start: the next multiplier is close to this one
            return PricingResult.from_gap(gap)
        return PricingResult.from_gap(min_quadratic_gap(points, M, method=self.pricing, seed=self.seed, **kwargs))

    def iterate(self, c_solver: np.ndarray, tol: float = DEFAULT_GAP_TOL, search: bool = False) -> Iterate:
        """Refine the solver's weights, price every direction, bound the optimum (within ``tol``).

        ``search``: price by the cheap search first; its columns are kept when
        one is priced below ``-allowance`` (the certificate could not stand
        such a violation), and the round is then not bounded (``lower = -inf``);
        otherwise the round is priced exactly.  So every bound, and every
        stop, comes from an exact pricing.
        """
        master, std = self.master, self.master.standard
        ref = refine_weights(master, c_solver)
        if np.linalg.matrix_rank(master.gram(ref.weights)) < master.d:
            # Pruning dropped weights that an ill-conditioned problem needs (they can be 1e-9
            # of the largest): keep the solver's own weights, which span every source.
            nu0, mu0 = master.solver_multipliers()
            ref = Refinement(c_solver, nu0, mu0, False)
        nu, mu = max(ref.nu, 0.0), max(ref.mu, 0.0)  # weak duality needs nonnegative multipliers
        ref = Refinement(ref.weights, nu, mu, ref.refined)
        try:
            Lam, kappa, const = master.multipliers(ref.weights, nu, mu)
        except np.linalg.LinAlgError:
            raise BiomodularError(
                "the restricted program returned a code that does not reach every source (singular "
                "Gram matrix); the problem is too ill-conditioned: rescale the sources or the readout B"
            ) from None
        G = master.gram(ref.weights)
        # Weights meet the fixed-variance constraints only to solver accuracy; scaling them to
        # be exactly feasible gives an attained value.
        upper = master.loss(ref.weights) * std.loss_factor(G)
        allowance = _violation_allowance(kappa, std.Q, G, const, upper, tol)
        if search:
            found = self.price(Lam - std.C, allowance, search=True)
            if found.violation > allowance:
                self._columns = found.columns(SEARCH_COLUMNS)
                directions = master.dictionary[: ref.weights.size].copy()
                return Iterate(directions, ref, found, Lam, upper, -math.inf)
        pricing = self.price(Lam - std.C, allowance)
        self._columns = pricing.columns(SEARCH_COLUMNS)
        lower = lower_bound(kappa, std.Q, G, pricing.proven_violation, const)
        return Iterate(master.dictionary[: ref.weights.size].copy(), ref, pricing, Lam, upper, lower)

    # --------------------------------------------------------------- solving
    def solve(
        self,
        problem: Problem | None = None,
        *,
        tol: float = DEFAULT_GAP_TOL,
        max_rounds: int = 60,
        columns_per_round: int = 8,
    ) -> CodeResult:
        """Solve (for ``problem``'s coefficients, when given); see :func:`solve_code`."""
        started = time.perf_counter()
        if not (math.isfinite(tol) and tol > 0):
            raise BiomodularError(f"tol must be a positive number; got {tol}")
        if problem is not None:
            self.set_problem(problem)
        else:
            self.master.set_problem(self.master.standard)
        master = self.master
        search = self.searches()
        self._columns = None
        rounds = 0
        # A bar on a terminal or in a notebook once the solve passes two seconds (many sources).
        with progress(desc=f"solve ({master.d} sources)", unit="round") as bar:
            while True:
                rounds += 1
                c_solver = master.solve()
                it = self.iterate(c_solver, tol, search=search)
                bar.update(1)
                bar.set_postfix_str(f"relative gap {it.relative_gap:.2g}", refresh=False)
                if it.relative_gap <= tol:
                    stop = _STOP_GAP
                    break
                if it.pricing.violation <= 0:
                    # Nothing prices negatively, yet the gap exceeds tol: the restricted solve is the limit.
                    stop = _STOP_NO_VIOLATION
                    break
                if rounds >= max_rounds:
                    stop = _STOP_ROUNDS
                    if it.pricing.method == "search":  # the final certificate needs the exact pricing
                        it = self.iterate(c_solver, tol)
                        stop = _STOP_GAP if it.relative_gap <= tol else _STOP_ROUNDS
                    break
                columns = it.pricing.columns(columns_per_round)
                if master.dictionary.shape[0] + len(columns) > master.capacity:
                    master.compact(np.maximum(it.weights, c_solver))
                if master.add_columns(columns) == 0:
                    if it.pricing.method == "search":  # the search repeats itself: price exactly
                        search = False
                        rounds -= 1
                        continue
                    stop = _STOP_STALLED
                    break
        return self._result(it, stop, tol, rounds, started)

    def _result(self, it: Iterate, stop: str, tol: float, rounds: int, started: float) -> CodeResult:
        """The code in the user's units, its certificate and its status."""
        sources, problem, units, master = self.sources, self.problem, self.units, self.master
        c = it.weights
        nz = np.flatnonzero(c > 0)
        T = _feasible_scale(sources, problem, units.invert_tunings(it.directions[nz], c[nz]))
        terms = code_loss(sources, problem, T)
        try:
            mod, how = modular_value(sources, problem, solver=master.solver, programs=master.programs)
        except BiomodularError:
            mod, how = math.nan, "unavailable"
        if problem.kind == "autoencoder":
            # The closed-form modular code is always available: when rounding in an
            # ill-conditioned program left the solver's code worse, return the modular one.
            T_mod = modular_code(sources, problem)
            terms_mod = code_loss(sources, problem, T_mod)
            if terms_mod["value"] < terms["value"]:
                T, terms = T_mod, terms_mod
        value = float(terms.pop("value"))
        if problem.kind == "fixed_variance":
            terms.pop("budget")
        lower = units.invert_value(it.lower)
        # No code can beat the optimum: a bound above a known code's loss is a numerical failure.
        known = min(value, mod) if math.isfinite(mod) else value
        pricing_exact = it.pricing.exact
        rigorous = it.pricing.certified
        if lower > known + BOUND_SLACK * abs(known):
            rigorous = False
        gap = value - lower
        rel = gap / abs(value) if value else math.inf
        multipliers: dict[str, Any] = {"Lambda": units.invert_quadratic(it.Lambda)}
        if problem.kind == "fixed_variance":
            # back to original units: Lambda = nu C + mu G^-1 Q G^-1
            multipliers["nu"] = it.refinement.nu
            multipliers["mu"] = units.invert_readout_multiplier(it.refinement.mu)
        pricing = it.pricing
        certificate = Certificate(
            violation=float(units.invert_quadratic(pricing.proven_violation)),
            direction=pricing.direction,
            lower_bound=lower,
            upper_bound=value,
            gap=gap,
            relative_gap=rel,
            exact=pricing_exact,
            pricing_method=pricing.method,
            multipliers=multipliers,
            rigorous=rigorous,
        )
        status = decide_status(stop, rigorous, rel <= tol, master.inaccurate)
        neurons = _neurons(sources, T)
        verdict, reason = code_verdict(sources, problem, value, mod, gap, status, neurons)
        solvers = sorted(set(master.solvers_used), key=master.solvers_used.index)
        if status != OPTIMAL:
            warnings.warn(
                f"solve_code: status {status!r} (relative gap {rel:.3g}, tolerance {tol:g}, "
                f"pricing {pricing.method}{'' if pricing.exact else ', not exact'}); "
                "the code is feasible but not certified optimal",
                SolverWarning,
                stacklevel=4,
            )
        return CodeResult(
            value=value,
            modular_value=mod,
            modular_method=how,
            neurons=tuple(neurons),
            energy=terms,
            certificate=certificate,
            status=status,
            solver="+".join(solvers) or master.solver,
            rounds=rounds,
            n_columns=int(master.dictionary.shape[0]),
            seconds=time.perf_counter() - started,
            tolerance=float(tol),
            mixed=any(n.mixed for n in neurons),
            names=sources.names,
            problem=problem,
            gram=T.T @ T,
            verdict=verdict,
            verdict_reason=reason,
        )


def _neurons(sources: Sources, T: np.ndarray) -> list[Neuron]:
    """The code's neurons, each with its kind (:func:`biomodular.mixing.classify_neurons`),
    fewest sources first, then largest norm first."""
    mean = sources.mean
    activity = phi_values(sources.centred_points, sources.cov, T)
    kinds = classify_neurons(T, sources.beta, sources.names, activity.tolist())
    neurons = []
    for t, a, kind in zip(T, activity, kinds):
        m = float((sources.centred_points @ t).min())
        neurons.append(
            Neuron(
                tuning=t + 0.0,
                bias=float(-m - t @ mean) + 0.0,
                norm=float(np.linalg.norm(t)),
                sources=kind.sources,
                modular=kind.kind == "modular",
                activity=float(a),
                kind=kind,
            )
        )
    return sorted(neurons, key=lambda n: (len(n.sources), -n.norm))


def solve_code(
    sources: Sources,
    problem: Problem | None = None,
    *,
    tol: float = DEFAULT_GAP_TOL,
    max_rounds: int = 60,
    columns_per_round: int = 8,
    solver: str = "CLARABEL",
    pricing: str | Callable = "auto",
    max_faces: int | None = None,
    seed: int | np.random.Generator = 0,
) -> CodeResult:
    """Solve for the optimal nonnegative code exactly, with a certificate.

    Parameters
    ----------
    sources : Sources or array_like
        The reduced dataset (samples or statistics), or samples (an array,
        a pandas DataFrame or an xarray DataArray), which are reduced first.
    problem : Problem, optional
        Default: the autoencoder with ``lam_in = lam_out = 1``.
    tol : float, default 1e-6
        Stop when the certified relative gap ``(value - lower_bound) / value``
        is at most ``tol``.
    max_rounds : int
        Column-generation rounds before giving up (status ``"max_rounds"``).
    columns_per_round : int
        Most negatively priced directions added per round.
    solver : {"CLARABEL", "SCS"}
        First solver tried; the other is the retry.
    pricing : str or callable
        Method of :func:`biomodular.solvers.gap.min_quadratic_gap`
        (``"auto"``: exact for small hulls), or a callable ``(points, M) ->``
        object with ``value``, ``direction``, ``exact``, ``method`` (and
        optionally ``candidates``, ``candidate_values``).
    max_faces : int, optional
        Face budget of the exact ``cones`` pricing.
    seed : int or Generator
        Initial random directions of the dictionary and the pricing search.

    Returns
    -------
    CodeResult

    Raises
    ------
    BiomodularError
        For an ill-posed problem (see :meth:`Problem.validate`) or when no
        solver returns a solution.

    Warns
    -----
    SolverWarning
        When the status is not ``"optimal"`` (the result is still returned).
    """
    sources = as_sources(sources)
    problem = problem or Problem.autoencoder()
    if not (math.isfinite(tol) and tol > 0):
        raise BiomodularError(f"tol must be a positive number; got {tol}")
    run = ColumnGeneration(sources, problem, solver=solver, pricing=pricing, seed=seed, max_faces=max_faces)
    return run.solve(tol=tol, max_rounds=max_rounds, columns_per_round=columns_per_round)


def modular_value(
    sources: Sources,
    problem: Problem | None = None,
    *,
    solver: str = "CLARABEL",
    programs: ProgramCache | None = None,
) -> tuple[float, str]:
    """Loss of the best modular code and how it was obtained.

    Autoencoder family: axis directions give a diagonal ``G``, so only the
    diagonals of ``P`` and ``Q`` enter and each source separates:

        L_mod = 2 sum_j sqrt(lam_out Q_jj (E_j + lam_in P_jj)),   E_j = C_jj + beta_j^2

    (docs/mathematics.md, "The biologically constrained linear autoencoder",
    has ``P = Q = I``).  Fixed-variance problem: the convex program restricted
    to the ``2d`` axis directions.
    """
    problem = problem or Problem.autoencoder()
    d = sources.n_sources
    problem.validate(d)
    P, Q = problem.matrices(d)
    E = np.diag(sources.cov) + sources.beta**2
    if problem.kind == "autoencoder":
        value = 2.0 * np.sum(np.sqrt(problem.lam_out * np.diag(Q) * (E + problem.lam_in * np.diag(P))))
        return float(value), "closed form"
    if solver.upper() not in SOLVERS:
        raise BiomodularError(f"unknown solver {solver!r}; choose {' or '.join(SOLVERS)}")
    units = Standardisation.of(sources, problem)
    axes = np.vstack([np.eye(d), -np.eye(d)])
    master = RestrictedMaster(units.apply(sources, problem), axes, solver=solver, programs=programs)
    ref = refine_weights(master, master.solve())
    c = ref.weights
    T = units.invert_tunings(master.dictionary, c)[c > 0]
    T = _feasible_scale(sources, problem, T)
    return float(code_loss(sources, problem, T)["value"]), "convex program over the axes"


def modular_code(sources: Sources, problem: Problem) -> np.ndarray:
    """Tunings (rows) of the best modular code of the autoencoder problem, in closed form.

    Source ``j`` gets one neuron along the axis whose extreme is nearer the
    mean (``m^2 = beta_j^2``), with weight
    ``g_j = sqrt(lam_out Q_jj / (E_j + lam_in P_jj))``: the minimiser of
    ``g (E_j + lam_in P_jj) + lam_out Q_jj / g``, whose value is the term of
    :func:`modular_value`.
    """
    if problem.kind != "autoencoder":
        raise BiomodularError("the modular code has a closed form only for the autoencoder problem")
    d = sources.n_sources
    P, Q = problem.matrices(d)
    points = sources.centred_points
    sign = np.where(-points.min(axis=0) <= points.max(axis=0), 1.0, -1.0)
    E = np.diag(sources.cov) + sources.beta**2
    g = np.sqrt(problem.lam_out * np.diag(Q) / (E + problem.lam_in * np.diag(P)))
    return np.diag(sign * np.sqrt(g))


def _feasible_scale(sources: Sources, problem: Problem, T: np.ndarray) -> np.ndarray:
    """Scale a fixed-variance code so that both constraints hold exactly (identity otherwise)."""
    if problem.kind != "fixed_variance":
        return T
    _, Q = problem.matrices(sources.n_sources)
    G = T.T @ T
    need_var = problem.required_variance / float(np.trace(sources.cov @ G))
    need_budget = float(np.trace(np.linalg.solve(G, Q))) / problem.budget(sources.cov, Q)
    return T * math.sqrt(max(need_var, need_budget))
