"""The optimal nonnegative code as a convex program, solved exactly by column generation.

THEORY.md sections 3-4.  A code is a finite set of neurons; neuron ``n`` has a
tuning ``t_n`` to the (centred) sources and the cheapest bias that keeps it
nonnegative, so it costs ``phi(t_n) = t_n^T C t_n + m(t_n)^2`` of activity
energy.  Writing ``t_n = sqrt(c_n) w_n`` with unit directions ``w_n`` and
``G = sum_n c_n w_n w_n^T``, every problem of the family is convex in the
weights ``c >= 0``:

``autoencoder`` (input ``x = A s``, exact readout of ``y = B s``)
    minimise ``<phi, c> + lam_in tr(P G) + lam_out tr(Q G^-1)``
    with ``P = (A^T A)^-1`` and ``Q = B^T B``.
``fixed_variance`` (ICLR 2023, Theorem 1, made well posed)
    minimise ``<phi, c>`` subject to ``tr(C G) >= variance`` and
    ``tr(Q G^-1) <= readout_budget``.

Over a finite dictionary of directions this is a small semidefinite program
(cvxpy).  Column generation makes it exact: at the current ``G`` the dual
multiplier ``Lambda`` prices every direction by ``phi(w) - w^T Lambda w``,
whose minimum over unit ``w`` is ``min_quadratic_gap(points, Lambda - C)``
(the modularity check with ``F`` replaced by ``Lambda - C``).  A negative price
adds a neuron; when none is left the code is optimal.  The certificate is a
lower bound from weak duality (see :func:`lower_bound` and docs/solve.md).

The cvxpy problem is built once with Parameters (the dictionary, the
coefficients) so that sweeps re-solve it without re-compiling.

This module holds the compiled-program session and the column-generation
driver.  The problem families are in :mod:`.problem`, the result types and
their printing in :mod:`.results`, and the closed-form energies, the bound
and the Caratheodory reduction in :mod:`.energy`; every name is also
re-exported here.  :func:`modular_value` lives here because for the
fixed-variance problem it solves the program over the axes.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Callable

import numpy as np

from ..errors import BiomodularError
from ..sources import Sources, as_sources
from .energy import _sqrtm, caratheodory, code_loss, lower_bound, phi_values
from .problem import KINDS, Problem  # noqa: F401  (KINDS: re-exported)
from ..mixing import classify_neurons
from .results import MIX_TOL, Certificate, CodeResult, Neuron, code_verdict

__all__ = [
    "Problem",
    "Neuron",
    "Certificate",
    "CodeResult",
    "solve_code",
    "modular_value",
    "code_loss",
    "lower_bound",
    "DEFAULT_TOL",
    "MIX_TOL",
]

#: Default relative optimality gap at which column generation stops.
DEFAULT_TOL = 1e-6

#: Weights below this fraction of the largest weight are dropped from the code.
PRUNE_TOL = 1e-9

#: Reduced costs (internal units, relative to the largest activity energy in the dictionary)
#: within which the refined restricted solution must meet its KKT conditions.
KKT_TOL = 1e-11

SOLVERS = ("CLARABEL", "SCS")


# =========================================================================== session
#: Compiled restricted programs, by (d, kind, capacity): their structure depends on nothing
#: else, so every session of this process re-uses them (values are Parameters).
_PROGRAMS: dict[tuple[int, str, int], tuple] = {}


def _build_program(d: int, kind: str, K: int) -> tuple:
    """The restricted program over a dictionary of ``K`` directions (DPP: built once)."""
    import cvxpy as cp

    c = cp.Variable(K, nonneg=True, name="c")
    lift = cp.Parameter((d * d, K), name="lift")
    phi = cp.Parameter(K, name="phi")
    Qh = cp.Parameter((d, d), symmetric=True, name="Qh")
    G = cp.Variable((d, d), symmetric=True, name="G")
    Y = cp.Variable((d, d), symmetric=True, name="Y")
    # tr(Y) >= tr(Q^1/2 G^-1 Q^1/2) = tr(Q G^-1) by the Schur complement
    cons = [cp.vec(G, order="F") == lift @ c, cp.bmat([[G, Qh], [Qh, Y]]) >> 0]
    params: dict[str, Any] = {"lift": lift, "phi": phi, "Qh": Qh}
    extra: tuple = ()
    if kind == "autoencoder":
        enc = cp.Parameter(K, nonneg=True, name="enc")
        e = cp.Variable(name="e")
        lam_in = cp.Parameter(nonneg=True, name="lam_in")
        lam_out = cp.Parameter(nonneg=True, name="lam_out")
        cons.append(e == enc @ c)  # auxiliary variable keeps lam_in * (enc @ c) DPP
        objective = phi @ c + lam_in * e + lam_out * cp.trace(Y)
        params.update(enc=enc, lam_in=lam_in, lam_out=lam_out)
    else:
        var = cp.Parameter(K, nonneg=True, name="varc")
        v = cp.Parameter(nonneg=True, name="variance")
        r = cp.Parameter(nonneg=True, name="budget")
        variance_con = var @ c >= v
        budget_con = cp.trace(Y) <= r
        cons += [variance_con, budget_con]
        objective = phi @ c
        params.update(varc=var, variance=v, budget=r)
        extra = (variance_con, budget_con)
    problem = cp.Problem(cp.Minimize(objective), cons)
    if not problem.is_dpp():  # pragma: no cover - checked by the tests
        raise RuntimeError("the restricted program is not DPP")
    return problem, params, c, G, extra


class _Session:
    """Column generation for one dataset and problem family; the cvxpy problem is built once.

    Internally the sources are divided by ``sigma = sqrt(tr C / d)`` and ``G`` by
    a scale chosen so that every parameter is of order one (THEORY.md s.4
    homogeneity; see docs/solve.md "Scaling").  Unit directions are the same in
    both unit systems.
    """

    def __init__(
        self,
        sources: Sources,
        problem: Problem,
        capacity: int = 48,
        solver: str = "CLARABEL",
        pricing: str | Callable = "auto",
        seed: int | np.random.Generator = 0,
        max_faces: int | None = None,
        n_random: int | None = None,
    ):
        problem.validate(sources.n_sources)
        if solver.upper() not in SOLVERS:
            raise BiomodularError(f"unknown solver {solver!r}; choose {' or '.join(SOLVERS)}")
        self.sources = sources
        self.kind = problem.kind
        self.d = d = sources.n_sources
        self.P, self.Q = problem.matrices(d)
        self.B = problem.B
        self.sigma = math.sqrt(float(np.trace(sources.cov)) / d)
        self.points = sources.centred_points / self.sigma
        self.C = sources.cov / self.sigma**2
        self.solver = solver.upper()
        self.pricing = pricing
        self.max_faces = max_faces
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.capacity = 0
        self._cp: Any = None
        self.dictionary = np.zeros((0, d))
        self.solvers_used: list[str] = []
        self.inaccurate = False
        axes = np.vstack([np.eye(d), -np.eye(d)])
        n_random = 2 * d if n_random is None else int(n_random)
        extra = self.rng.standard_normal((n_random, d))
        extra /= np.linalg.norm(extra, axis=1, keepdims=True)
        self.initial = np.vstack([axes, extra])
        self._build(max(capacity, self.initial.shape[0] + 8))
        self.set_problem(problem)

    # --------------------------------------------------------------- building
    def _build(self, capacity: int) -> None:
        key = (self.d, self.kind, capacity)
        if key not in _PROGRAMS:
            _PROGRAMS[key] = _build_program(*key)
        self._cp, self.params, self.c_var, self.G_var, cons = _PROGRAMS[key]
        if self.kind == "fixed_variance":
            self.variance_con, self.budget_con = cons
        self.capacity = capacity
        self.params["Qh"].value = _sqrtm(self.Q)
        if self.dictionary.shape[0]:
            self._load_dictionary()

    def _load_parameters(self) -> None:
        """Write this session's values into the (possibly shared) compiled program."""
        self.params["Qh"].value = _sqrtm(self.Q)
        self._load_dictionary()
        if self.kind == "autoencoder":
            self.params["lam_in"].value = self.lam_in
            self.params["lam_out"].value = self.lam_out
        else:
            self.params["variance"].value = 1.0
            self.params["budget"].value = self.budget_internal

    def set_problem(self, problem: Problem) -> None:
        """Set the coefficients (re-uses the compiled program)."""
        problem.validate(self.d)
        if problem.kind != self.kind:
            raise BiomodularError("a session solves one problem kind")
        self.problem = problem
        # Unit of the sources: their RMS standard deviation, raised to sqrt(lam_in) when the
        # encoder cost dominates, so that every coefficient of the internal program is O(1).
        extra = problem.lam_in if self.kind == "autoencoder" else 0.0
        self.sigma = math.sqrt(float(np.trace(self.sources.cov)) / self.d + extra)
        self.points = self.sources.centred_points / self.sigma
        self.C = self.sources.cov / self.sigma**2
        s2 = self.sigma**2
        if self.kind == "autoencoder":
            lam_in = problem.lam_in / s2
            lam_out = problem.lam_out * s2
            s = math.sqrt(lam_out / (1.0 + lam_in))
            self.lam_in, self.lam_out = lam_in, lam_out / s**2
            self.g_scale, self.val_scale = s / s2, s
            self.params["lam_in"].value = self.lam_in
            self.params["lam_out"].value = self.lam_out
        else:
            v = problem.required_variance
            budget = problem.budget(self.sources.cov, self.Q)
            self.budget_internal = budget * v / s2
            self.g_scale, self.val_scale = v / s2, v
            self.lam_in = self.lam_out = 0.0
            self.params["variance"].value = 1.0
            self.params["budget"].value = self.budget_internal
        if not self.dictionary.shape[0]:
            self.set_dictionary(self.initial)

    def set_dictionary(self, W: np.ndarray) -> None:
        W = np.atleast_2d(np.asarray(W, dtype=float))
        W = W / np.linalg.norm(W, axis=1, keepdims=True)
        self.dictionary = W
        while W.shape[0] > self.capacity:
            self._build(2 * self.capacity)
        self._load_dictionary()

    def _load_dictionary(self) -> None:
        W, K, d = self.dictionary, self.capacity, self.d
        n = W.shape[0]
        lift = np.zeros((d * d, K))
        lift[:, :n] = np.einsum("ki,kj->ijk", W, W).reshape(d * d, n, order="F")
        phi = np.zeros(K)
        phi[:n] = phi_values(self.points, self.C, W)
        phi[n:] = phi[:n].max()  # empty slots: cost without benefit, weight 0
        self.params["lift"].value = lift
        self.params["phi"].value = phi
        if self.kind == "autoencoder":
            enc = np.zeros(K)
            enc[:n] = np.einsum("ki,ij,kj->k", W, self.P, W)
            self.params["enc"].value = enc
        else:
            var = np.zeros(K)
            var[:n] = np.einsum("ki,ij,kj->k", W, self.C, W)
            self.params["varc"].value = var

    def add_columns(self, W: np.ndarray) -> int:
        """Add new unit directions (skipping near-duplicates); returns how many were added."""
        new: list[np.ndarray] = []
        for w in np.atleast_2d(W):
            w = w / np.linalg.norm(w)
            existing = self.dictionary if not new else np.vstack([self.dictionary, new])
            if np.max(existing @ w) < 1 - 1e-12:
                new.append(w)
        if new:
            self.set_dictionary(np.vstack([self.dictionary, new]))
        return len(new)

    def compact(self, c: np.ndarray) -> None:
        """Keep the axes and the directions in use (before the dictionary outgrows capacity)."""
        d = self.d
        n = self.dictionary.shape[0]
        keep = np.zeros(n, bool)
        keep[: 2 * d] = True
        keep |= c[:n] > PRUNE_TOL * c.max()
        self.dictionary = self.dictionary[keep]
        self._load_dictionary()

    # --------------------------------------------------------------- solving
    def solve_restricted(self) -> tuple[np.ndarray, str]:
        """Solve over the current dictionary; returns internal weights and cvxpy status.

        Clarabel first; SCS when Clarabel fails or is not optimal.  Raises
        BiomodularError when no solver returns a solution.
        """
        import cvxpy as cp

        order = [self.solver] + [s for s in SOLVERS if s != self.solver]
        self._load_parameters()
        statuses = []
        best = None
        for name in order:
            kwargs = {"eps": 1e-9, "max_iters": 100_000} if name == "SCS" else {}
            try:
                self._cp.solve(solver=name, **kwargs)
            except cp.error.SolverError as exc:
                statuses.append(f"{name}: {str(exc).splitlines()[0]}")
                continue
            status = self._cp.status
            statuses.append(f"{name}: {status}")
            if status == cp.OPTIMAL:
                self.solvers_used.append(name)
                return self._weights(), status
            if status == cp.OPTIMAL_INACCURATE and best is None:
                best = (self._weights(), status, name)
        if best is not None:
            self.inaccurate = True
            self.solvers_used.append(best[2])
            return best[0], best[1]
        raise BiomodularError("no solver could solve the restricted program (" + "; ".join(statuses) + ")")

    def _weights(self) -> np.ndarray:
        n = self.dictionary.shape[0]
        c = np.clip(np.asarray(self.c_var.value, dtype=float)[:n], 0.0, None)
        return c

    def solver_multipliers(self) -> tuple[None, None, None, float, float]:
        """The fixed-variance multipliers ``nu, mu`` reported by the solver (zeros otherwise)."""
        if self.kind == "autoencoder":
            return None, None, None, 0.0, 0.0
        nu = max(float(self.variance_con.dual_value), 0.0)
        mu = max(float(self.budget_con.dual_value), 0.0)
        return None, None, None, nu, mu

    def multipliers(self, c: np.ndarray, nu: float, mu: float) -> tuple[np.ndarray, float, float]:
        """Internal ``Lambda``, ``kappa`` (coefficient of ``G^-1 Q G^-1``) and dual constant."""
        G = self.gram(c)
        Ginv = np.linalg.inv(G)
        GQG = Ginv @ self.Q @ Ginv
        if self.kind == "autoencoder":
            Lam = self.lam_out * GQG - self.lam_in * self.P
            return (Lam + Lam.T) / 2, self.lam_out, 0.0
        Lam = nu * self.C + mu * GQG
        return (Lam + Lam.T) / 2, mu, nu * 1.0 - mu * self.budget_internal

    def gram(self, c: np.ndarray) -> np.ndarray:
        W = self.dictionary[: c.size]
        G = (W * c[:, None]).T @ W
        return (G + G.T) / 2

    def internal_loss(self, c: np.ndarray) -> float:
        W = self.dictionary[: c.size]
        G = self.gram(c)
        act = float(phi_values(self.points, self.C, W) @ c)
        if self.kind == "autoencoder":
            enc = float(np.einsum("ki,ij,kj->k", W, self.P, W) @ c)
            return act + self.lam_in * enc + self.lam_out * float(np.trace(np.linalg.solve(G, self.Q)))
        return act

    def price(self, M: np.ndarray):
        """Minimum over unit w of m(w)^2 - w^T M w (internal coordinates)."""
        if callable(self.pricing):
            return self.pricing(self.points, M)
        from .check import min_quadratic_gap

        kwargs = {} if self.max_faces is None else {"max_faces": self.max_faces}
        return min_quadratic_gap(self.points, M, method=self.pricing, seed=self.seed, **kwargs)


def _pricing_is_exact(gap) -> bool:
    """Whether the pricing proves the largest violation: an exact minimum, or a
    nonnegative value whose sign is exact (``facets``: no violation at all)."""
    if getattr(gap, "exact", False):
        return True
    return bool(getattr(gap, "exact_sign", False)) and gap.value >= 0


# =========================================================================== driver
def solve_code(
    sources: Sources,
    problem: Problem | None = None,
    *,
    tol: float = DEFAULT_TOL,
    max_rounds: int = 60,
    columns_per_round: int = 8,
    solver: str = "CLARABEL",
    pricing: str | Callable = "auto",
    max_faces: int | None = None,
    seed: int | np.random.Generator = 0,
    _session: _Session | None = None,
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
        Method of :func:`biomodular.solvers.check.min_quadratic_gap`
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
    """
    started = time.perf_counter()
    sources = as_sources(sources)
    problem = problem or Problem.autoencoder()
    if not (math.isfinite(tol) and tol > 0):
        raise BiomodularError(f"tol must be a positive number; got {tol}")
    if _session is None:
        session = _Session(sources, problem, solver=solver, pricing=pricing, seed=seed, max_faces=max_faces)
    else:
        session = _session
        session.set_problem(problem)
        session.solvers_used, session.inaccurate = [], False

    rounds = 0
    status_reason = "max_rounds"
    while True:
        rounds += 1
        c_solver, _ = session.solve_restricted()
        c, nu, mu = _polish(session, c_solver)
        cert = _internal_certificate(session, c, nu, mu)
        if cert["relative_gap"] <= tol:
            status_reason = "optimal" if cert["exact"] else "uncertified"
            break
        if cert["violation"] <= 0:
            # Nothing prices negatively, yet the gap exceeds tol: the restricted solve is the limit.
            status_reason = "optimal_inaccurate" if cert["exact"] else "uncertified"
            break
        if rounds >= max_rounds:
            break
        order = np.argsort(cert["candidate_values"])
        cands = cert["candidates"][order][cert["candidate_values"][order] < 0][:columns_per_round]
        if session.dictionary.shape[0] + len(cands) > session.capacity:
            session.compact(np.maximum(c, c_solver))
        if session.add_columns(cands) == 0:
            status_reason = "optimal_inaccurate"
            break
    return _finish(session, sources, problem, c, cert, tol, rounds, status_reason, started)


def modular_value(sources: Sources, problem: Problem | None = None, **solve_options) -> tuple[float, str]:
    """Loss of the best modular code and how it was obtained.

    Autoencoder family: axis directions give a diagonal ``G``, so only the
    diagonals of ``P`` and ``Q`` enter and each source separates:

        L_mod = 2 sum_j sqrt(lam_out Q_jj (E_j + lam_in P_jj)),   E_j = C_jj + beta_j^2

    (THEORY.md s.1 has ``P = Q = I``).  Fixed-variance problem: the convex
    program restricted to the ``2d`` axis directions.
    """
    problem = problem or Problem.autoencoder()
    d = sources.n_sources
    problem.validate(d)
    P, Q = problem.matrices(d)
    E = np.diag(sources.cov) + sources.beta**2
    if problem.kind == "autoencoder":
        value = 2.0 * np.sum(np.sqrt(problem.lam_out * np.diag(Q) * (E + problem.lam_in * np.diag(P))))
        return float(value), "closed form"
    session = _Session(sources, problem, **solve_options)
    axes = np.vstack([np.eye(d), -np.eye(d)])
    session.set_dictionary(axes)
    c, _nu, _mu = _polish(session, session.solve_restricted()[0])
    T = np.sqrt(c)[:, None] * session.dictionary * math.sqrt(session.g_scale)
    T = T[c > 0]
    T = _feasible_scale(sources, problem, T)
    return float(code_loss(sources, problem, T)["value"]), "convex program over the axes"


def _internal_certificate(session: _Session, c: np.ndarray, nu: float, mu: float) -> dict:
    nu, mu = max(nu, 0.0), max(mu, 0.0)  # weak duality needs nonnegative multipliers
    Lam, kappa, const = session.multipliers(c, nu, mu)
    gap = session.price(Lam - session.C)
    value = float(gap.value)
    violation = max(0.0, -value)
    G = session.gram(c)
    upper = session.internal_loss(c)
    if session.kind == "fixed_variance":
        # Weights meet the constraints only to solver accuracy; scaling them to be exactly
        # feasible (both constraints are monotone in a common scale) gives an attained value.
        upper *= max(1.0 / float(np.trace(session.C @ G)),
                     float(np.trace(np.linalg.solve(G, session.Q))) / session.budget_internal)
    lower = lower_bound(kappa, session.Q, G, violation, const)
    cands = np.atleast_2d(getattr(gap, "candidates", np.asarray(gap.direction)[None, :]))
    vals = np.atleast_1d(getattr(gap, "candidate_values", np.array([value])))
    return {
        "violation": violation, "direction": np.asarray(gap.direction, float), "upper": upper,
        "lower": lower, "relative_gap": (upper - lower) / abs(upper) if upper else math.inf,
        "exact": _pricing_is_exact(gap), "method": str(getattr(gap, "method", "custom")),
        "candidates": cands, "candidate_values": vals, "Lambda": Lam, "nu": nu, "mu": mu,
    }


def _polish(session: _Session, c: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Refine the solver's weights: support, Caratheodory reduction, Newton on the KKT system.

    Returns weights over the whole dictionary with at most ``d(d+1)/2 + 1``
    positive entries, and the multipliers ``nu, mu`` (fixed-variance problem).
    Falls back to the pruned solver weights when the refinement fails or does
    not lower the loss.
    """
    from .kkt import refine

    n = c.size
    W = session.dictionary[:n]
    phi = phi_values(session.points, session.C, W)
    enc = np.einsum("ki,ij,kj->k", W, session.P, W)
    var = np.einsum("ki,ij,kj->k", W, session.C, W)
    _, _, _, nu0, mu0 = session.solver_multipliers()
    budget = getattr(session, "budget_internal", 0.0)

    def data(idx):
        return (phi[idx], enc[idx], var[idx], session.Q, session.lam_in, session.lam_out, budget)

    def reduced(cfull, nu, mu):
        G = session.gram(cfull)
        Ginv = np.linalg.inv(G)
        b = np.einsum("ki,ij,kj->k", W, Ginv @ session.Q @ Ginv, W)
        if session.kind == "autoencoder":
            return phi + session.lam_in * enc - session.lam_out * b
        return phi - nu * var - mu * b

    fallback = c * (c > PRUNE_TOL * c.max())
    fallback = caratheodory(W, fallback, phi)
    reference = _attained(session, fallback)
    tolerance = KKT_TOL * (1.0 + np.abs(phi).max())

    def attempt(idx, start):
        """Newton on the support ``idx``; the full weights if they satisfy every KKT condition."""
        new, nu, mu, _, converged = refine(session.kind, W[idx], start[idx], data(idx), nu0, mu0)
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
        ok = (np.all(r >= -tolerance) and np.all(np.abs(r[full > 0]) <= tolerance)
              and min(nu, mu) >= -tolerance)
        return (full, nu, mu, r) if ok else (None, nu, mu, r, full)

    # The solver's support, reduced to at most d(d+1)/2 + 1 columns; if Newton cannot meet the
    # KKT conditions on it, some of its columns are noise of the interior-point method (or a
    # column outside it is needed): try dropping one or two, or adding the worst priced one.
    base = caratheodory(W, c * (c > 1e-6 * c.max()), phi)
    support = np.flatnonzero(base > 0)
    def key(columns) -> tuple[int, ...]:
        return tuple(int(i) for i in columns)

    tried: set[tuple[int, ...]] = set()
    queue = [key(support)]
    queue += [key(np.delete(support, i)) for i in np.argsort(base[support])]
    if support.size <= 8:
        queue += [key(np.delete(support, [i, j])) for i in range(support.size) for j in range(i)]
    while queue and len(tried) < 60:
        idx = queue.pop(0)
        if idx in tried or not idx:
            continue
        tried.add(idx)
        out = attempt(np.array(idx), np.where(base > 0, base, 1e-3 * base.max()))
        if out is None:
            continue
        if out[0] is not None:
            full, nu, mu, _ = out
            if _attained(session, full) <= reference * (1 + 1e-9):
                return full, nu, mu
            continue
        r = out[3]
        worst = int(np.argmin(np.where(out[4] > 0, np.inf, r)))
        if r[worst] < -tolerance and worst not in idx:
            queue.insert(0, tuple(sorted({int(i) for i in idx} | {worst})))
    _, _, _, nu0, mu0 = session.solver_multipliers()
    return fallback, nu0, mu0


def _attained(session: _Session, c: np.ndarray) -> float:
    """Internal loss of weights ``c``, made exactly feasible for the fixed-variance problem."""
    G = session.gram(c)
    if np.linalg.matrix_rank(G) < session.d:
        return math.inf
    loss = session.internal_loss(c)
    if session.kind == "fixed_variance":
        loss *= max(1.0 / float(np.trace(session.C @ G)),
                    float(np.trace(np.linalg.solve(G, session.Q))) / session.budget_internal)
    return loss


def _feasible_scale(sources: Sources, problem: Problem, T: np.ndarray) -> np.ndarray:
    """Scale a fixed-variance code so that both constraints hold exactly (identity otherwise)."""
    if problem.kind != "fixed_variance":
        return T
    _, Q = problem.matrices(sources.n_sources)
    G = T.T @ T
    need_var = problem.required_variance / float(np.trace(sources.cov @ G))
    need_budget = float(np.trace(np.linalg.solve(G, Q))) / problem.budget(sources.cov, Q)
    return T * math.sqrt(max(need_var, need_budget))


def _finish(session, sources, problem, c, cert, tol, rounds, status_reason, started) -> CodeResult:
    nz = np.flatnonzero(c > 0)
    W = session.dictionary[nz]
    T = np.sqrt(c[nz] * session.g_scale)[:, None] * W
    T = _feasible_scale(sources, problem, T)
    terms = code_loss(sources, problem, T)
    value = float(terms.pop("value"))
    if problem.kind == "fixed_variance":
        terms.pop("budget")
    lower = cert["lower"] * session.val_scale
    s2 = session.sigma**2
    gap = value - lower
    rel = gap / abs(value) if value else math.inf
    multipliers: dict[str, Any] = {"Lambda": cert["Lambda"] * s2}
    if problem.kind == "fixed_variance":
        # back to original units: Lambda = nu C + mu G^-1 Q G^-1
        multipliers["nu"] = cert["nu"]
        multipliers["mu"] = cert["mu"] * s2 * session.g_scale**2
    certificate = Certificate(
        violation=cert["violation"] * s2,
        direction=cert["direction"],
        lower_bound=lower,
        upper_bound=value,
        gap=gap,
        relative_gap=rel,
        exact=cert["exact"],
        pricing_method=cert["method"],
        multipliers=multipliers,
    )
    # Status: recompute from the final certificate; 'optimal' needs every piece.
    if status_reason == "max_rounds" and rel <= tol and cert["exact"]:
        status_reason = "optimal"
    if status_reason == "optimal" and (session.inaccurate or not rel <= tol):
        status_reason = "optimal_inaccurate"
    if status_reason == "optimal" and not cert["exact"]:
        status_reason = "uncertified"
    neurons = []
    mean = sources.mean
    for t in T:
        norm = float(np.linalg.norm(t))
        u = t / norm
        m = float((sources.centred_points @ t).min())
        coded = tuple(name for name, x in zip(sources.names, u) if abs(x) > MIX_TOL)
        neurons.append(Neuron(
            tuning=t + 0.0, bias=float(-m - t @ mean) + 0.0, norm=norm, sources=coded,
            modular=len(coded) == 1,
            activity=float(phi_values(sources.centred_points, sources.cov, t[None, :])[0]),
        ))
    order = sorted(range(len(neurons)), key=lambda i: (len(neurons[i].sources), -neurons[i].norm))
    neurons = [neurons[i] for i in order]
    kinds = classify_neurons([n.tuning for n in neurons], sources.beta, sources.names,
                             [n.activity for n in neurons])
    neurons = [dataclasses.replace(n, kind=k) for n, k in zip(neurons, kinds)]
    try:
        mod, how = modular_value(sources, problem, solver=session.solver)
    except BiomodularError:
        mod, how = math.nan, "unavailable"
    verdict, reason = code_verdict(sources, problem, value, mod, gap, status_reason, neurons)
    solvers = sorted(set(session.solvers_used), key=session.solvers_used.index)
    return CodeResult(
        value=value, modular_value=mod, modular_method=how, neurons=tuple(neurons), energy=terms,
        certificate=certificate, status=status_reason, solver="+".join(solvers) or session.solver,
        rounds=rounds, n_columns=int(session.dictionary.shape[0]),
        seconds=time.perf_counter() - started, tolerance=float(tol),
        mixed=any(not n.modular for n in neurons), names=sources.names, problem=problem,
        gram=T.T @ T, verdict=verdict, verdict_reason=reason,
    )
