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
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import BiomodularError
from ..sources import Sources

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

#: A unit tuning codes source ``j`` when ``|w_j| > MIX_TOL`` (about 0.2 millidegrees
#: off the axis); directions from the dictionary's axes have exact zeros.
MIX_TOL = 1e-6

#: Weights below this fraction of the largest weight are dropped from the code.
PRUNE_TOL = 1e-9

#: Reduced costs (internal units, relative to the largest activity energy in the dictionary)
#: within which the refined restricted solution must meet its KKT conditions.
KKT_TOL = 1e-11

KINDS = ("autoencoder", "fixed_variance")
SOLVERS = ("CLARABEL", "SCS")


# =========================================================================== problem
@dataclass(frozen=True, eq=False)
class Problem:
    """Which optimal code to compute (THEORY.md s.3).

    Build one with :meth:`autoencoder` (the default problem, with optional input
    mixing ``A`` and readout target ``B``) or :meth:`fixed_variance`.

    Attributes
    ----------
    kind : {"autoencoder", "fixed_variance"}
    lam_in, lam_out : float
        Encoder- and readout-weight energy coefficients (autoencoder).
    A : ndarray, shape (p, d), or None
        Input mixing: the network sees ``x = A s`` (None: ``A = I``).
    B : ndarray, shape (q, d), or None
        Readout target ``y = B s`` (None: ``B = I``, reconstruct the sources).
    variance : float or None
        Fixed-variance problem: the total variance ``sum_n Var(z_n)`` the code
        must carry (at least).
    readout_budget : float or None
        Fixed-variance problem: bound on ``||R||_F^2``, the readout weight
        energy, which forces the code to keep every source decodable.  None:
        ``4 tr(Q) tr(C) / variance`` (four times the readout energy of the
        isotropic code ``G = g I`` of the same variance).
    """

    kind: str = "autoencoder"
    lam_in: float = 1.0
    lam_out: float = 1.0
    A: np.ndarray | None = None
    B: np.ndarray | None = None
    variance: float | None = None
    readout_budget: float | None = None

    @classmethod
    def autoencoder(
        cls,
        lam_in: float = 1.0,
        lam_out: float = 1.0,
        A: np.ndarray | None = None,
        B: np.ndarray | None = None,
    ) -> "Problem":
        """``min <z^2> + lam_in ||W||^2 + lam_out ||R||^2`` with ``x = A s``, ``y = B s``.

        ``A = B = I`` is the autoencoder of THEORY.md s.1; ``A = I, B = D`` is
        ICLR 2023 Theorem 2.  ``lam_in >= 0``, ``lam_out > 0``.
        """
        return cls("autoencoder", float(lam_in), float(lam_out), _opt_matrix(A, "A"), _opt_matrix(B, "B"))

    @classmethod
    def fixed_variance(
        cls,
        variance: float = 1.0,
        readout_budget: float | None = None,
        B: np.ndarray | None = None,
    ) -> "Problem":
        """``min <z^2>`` subject to ``sum Var(z_n) >= variance`` and ``||R||^2 <= readout_budget``.

        ICLR 2023 Theorem 1 fixes the total variance and minimises the energy.
        Alone that is not well posed (one neuron along the cheapest direction
        carries any variance and codes nothing); the readout budget keeps the
        code invertible (see docs/solve.md).
        """
        budget = None if readout_budget is None else float(readout_budget)
        return cls("fixed_variance", 0.0, 0.0, None, _opt_matrix(B, "B"), float(variance), budget)

    def with_coefficients(self, **changes: float) -> "Problem":
        """A copy with some of ``lam_in``, ``lam_out``, ``variance``, ``readout_budget`` changed."""
        allowed = {"lam_in", "lam_out", "variance", "readout_budget"}
        unknown = set(changes) - allowed
        if unknown:
            raise BiomodularError(f"cannot sweep {sorted(unknown)}; choose from {sorted(allowed)}")
        own = {"lam_in", "lam_out"} if self.kind == "autoencoder" else {"variance", "readout_budget"}
        foreign = set(changes) - own
        if foreign:
            raise BiomodularError(
                f"the {self.kind.replace('_', '-')} problem has no {', '.join(sorted(foreign))}; "
                f"vary {' or '.join(sorted(own))}"
            )
        values = {k: getattr(self, k) for k in ("kind", "lam_in", "lam_out", "A", "B", "variance", "readout_budget")}
        values.update({k: (None if v is None else float(v)) for k, v in changes.items()})
        return Problem(**values)

    # ------------------------------------------------------------- checking
    def matrices(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """``P = (A^T A)^-1`` and ``Q = B^T B`` for ``d`` sources (validated)."""
        P = np.eye(d) if self.A is None else np.linalg.inv(_full_rank(self.A, d, "A").T @ self.A)
        Q = np.eye(d) if self.B is None else _full_rank(self.B, d, "B").T @ self.B
        return (P + P.T) / 2, (Q + Q.T) / 2

    def validate(self, d: int) -> None:
        """Raise :class:`BiomodularError` unless the problem is well posed for ``d`` sources."""
        if self.kind not in KINDS:
            raise BiomodularError(f"unknown problem kind {self.kind!r}; choose {' or '.join(KINDS)}")
        self.matrices(d)
        if self.kind == "autoencoder":
            if not (math.isfinite(self.lam_in) and self.lam_in >= 0):
                raise BiomodularError(f"lam_in must be a finite number >= 0; got {self.lam_in}")
            if not (math.isfinite(self.lam_out) and self.lam_out > 0):
                raise BiomodularError(
                    f"lam_out must be a finite number > 0; got {self.lam_out} "
                    "(without a readout cost the code shrinks to nothing and no optimum exists)"
                )
        else:
            if self.A is not None:
                raise BiomodularError("the fixed-variance problem has no input mixing A; drop it")
            if self.variance is None or not (math.isfinite(self.variance) and self.variance > 0):
                raise BiomodularError(f"variance must be a finite number > 0; got {self.variance}")
            if self.readout_budget is not None and not (
                math.isfinite(self.readout_budget) and self.readout_budget > 0
            ):
                raise BiomodularError(f"readout_budget must be a finite number > 0; got {self.readout_budget}")

    def budget(self, C: np.ndarray, Q: np.ndarray) -> float:
        """The readout budget, with the documented default."""
        if self.readout_budget is not None:
            return float(self.readout_budget)
        return 4.0 * float(np.trace(Q)) * float(np.trace(C)) / float(self.variance)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "autoencoder":
            out.update(lam_in=self.lam_in, lam_out=self.lam_out)
            out["A"] = None if self.A is None else self.A.tolist()
        else:
            out.update(variance=self.variance, readout_budget=self.readout_budget)
        out["B"] = None if self.B is None else self.B.tolist()
        return out

    def describe(self) -> str:
        """One line for printing."""
        extra = []
        if self.A is not None:
            extra.append(f"input mixing A {self.A.shape[0]}x{self.A.shape[1]}")
        if self.B is not None:
            extra.append(f"readout B {self.B.shape[0]}x{self.B.shape[1]}")
        tail = (", " + ", ".join(extra)) if extra else ""
        if self.kind == "autoencoder":
            return f"autoencoder, lam_in={self.lam_in:g}, lam_out={self.lam_out:g}{tail}"
        budget = "default" if self.readout_budget is None else f"{self.readout_budget:g}"
        return f"fixed variance {self.variance:g}, readout budget {budget}{tail}"

    def __repr__(self) -> str:
        return f"Problem({self.describe()})"


def _opt_matrix(M, name: str) -> np.ndarray | None:
    if M is None:
        return None
    try:
        M = np.array(M, dtype=float)
    except (TypeError, ValueError) as exc:
        raise BiomodularError(f"{name} must be a numeric matrix: {exc}") from None
    if M.ndim != 2 or not np.all(np.isfinite(M)):
        raise BiomodularError(f"{name} must be a finite 2-D matrix; got shape {M.shape}")
    M.setflags(write=False)
    return M


def _full_rank(M: np.ndarray, d: int, name: str) -> np.ndarray:
    if M.shape[1] != d:
        raise BiomodularError(f"{name} must have {d} columns (one per source); got shape {M.shape}")
    s = np.linalg.svd(M, compute_uv=False)
    if s.size < d or s[-1] <= 1e-10 * s[0]:
        raise BiomodularError(
            f"{name} must have full column rank {d} (every source must reach the "
            f"{'input' if name == 'A' else 'readout'}); its singular values are {np.round(s, 12).tolist()}"
        )
    return M


# =========================================================================== results
@dataclass(frozen=True, eq=False)
class Neuron:
    """One neuron of the optimal code.

    Attributes
    ----------
    tuning : ndarray, shape (d,)
        Weights on each source (``z = tuning . s + bias``), including the gain.
    bias : float
        Bias in the raw (not centred) source coordinates; the least active
        support point gives ``z = 0``.
    norm : float
        ``||tuning||``.
    sources : tuple of str
        Sources it codes (``|w_j| > MIX_TOL`` in its unit direction).
    modular : bool
        Whether it codes exactly one source.
    activity : float
        Its activity energy ``<z^2>``.
    """

    tuning: np.ndarray
    bias: float
    norm: float
    sources: tuple[str, ...]
    modular: bool
    activity: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "tuning": [float(x) for x in self.tuning],
            "bias": float(self.bias),
            "norm": float(self.norm),
            "sources": list(self.sources),
            "modular": bool(self.modular),
            "activity": float(self.activity),
        }


@dataclass(frozen=True, eq=False)
class Certificate:
    """Optimality certificate of a code (THEORY.md s.4; derivation in docs/solve.md).

    Attributes
    ----------
    violation : float
        Largest pricing violation ``max(0, -min_{|w|=1} [phi(w) - w^T Lambda w])``,
        in energy per squared unit of tuning.  Zero means no neuron can be
        added that lowers the loss.
    direction : ndarray, shape (d,)
        The unit tuning attaining the minimum price.
    lower_bound : float
        A lower bound on the optimum over all codes, from weak duality with
        the multiplier shifted by ``violation``.
    upper_bound : float
        The loss of the returned code (attained, so an upper bound).
    gap : float
        ``upper_bound - lower_bound``.
    relative_gap : float
        ``gap / |upper_bound|``.
    exact : bool
        Whether the pricing minimum is exact (then the bound is proven).
    pricing_method : str
    multipliers : dict
        ``Lambda`` (d x d) and, for the fixed-variance problem, ``nu`` and ``mu``.
    """

    violation: float
    direction: np.ndarray
    lower_bound: float
    upper_bound: float
    gap: float
    relative_gap: float
    exact: bool
    pricing_method: str
    multipliers: dict = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mult = {k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else float(v)) for k, v in self.multipliers.items()}
        return {
            "violation": float(self.violation),
            "direction": [float(x) for x in self.direction],
            "lower_bound": _jsonable(self.lower_bound),
            "upper_bound": float(self.upper_bound),
            "gap": _jsonable(self.gap),
            "relative_gap": _jsonable(self.relative_gap),
            "exact": bool(self.exact),
            "pricing_method": self.pricing_method,
            "multipliers": mult,
        }


def _jsonable(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True, eq=False)
class CodeResult:
    """The optimal code of a dataset (:func:`solve_code`).

    Attributes
    ----------
    value : float
        Loss of the returned code, evaluated exactly from its neurons.
    modular_value : float
        Loss of the best modular code (one neuron per source).
    modular_method : str
        ``"closed form"`` or ``"convex program over the axes"``.
    neurons : tuple of Neuron
        At most ``d(d+1)/2 + 1`` neurons.
    energy : dict
        The loss split into terms: ``activity``, ``encoder`` (``lam_in ||W||^2``)
        and ``readout`` (``lam_out ||R||^2``) for the autoencoder;
        ``activity``, ``variance``, ``readout_weights`` (``||R||^2``) for the
        fixed-variance problem.
    certificate : Certificate
    status : str
        ``"optimal"`` only when every restricted solve was reported optimal by
        the solver, the pricing was exact and the relative gap is at most
        ``tolerance``.  Otherwise ``"optimal_inaccurate"`` (the solver's
        accuracy stopped progress before the tolerance), ``"uncertified"`` (the
        pricing is a search, the bound is not proven) or ``"max_rounds"``.
    solver : str
        Solver(s) used.
    rounds : int
        Column-generation rounds.
    n_columns : int
        Directions in the final dictionary.
    seconds : float
    tolerance : float
        Relative gap requested.
    mixed : bool
        Whether any neuron codes more than one source.
    names : tuple of str
    problem : Problem
    gram : ndarray, shape (d, d)
        ``G = T^T T`` of the returned code.
    """

    value: float
    modular_value: float
    modular_method: str
    neurons: tuple[Neuron, ...]
    energy: dict
    certificate: Certificate
    status: str
    solver: str
    rounds: int
    n_columns: int
    seconds: float
    tolerance: float
    mixed: bool
    names: tuple[str, ...]
    problem: Problem = field(repr=False)
    gram: np.ndarray = field(repr=False)

    @property
    def tunings(self) -> np.ndarray:
        """Tuning matrix ``T``, shape ``(n_neurons, d)``."""
        return np.array([n.tuning for n in self.neurons])

    @property
    def biases(self) -> np.ndarray:
        """Biases in raw source coordinates, shape ``(n_neurons,)``."""
        return np.array([n.bias for n in self.neurons])

    def encoder_weights(self) -> np.ndarray:
        """Cheapest encoder ``W`` with ``W A = T`` (``T`` itself when ``A = I``)."""
        A = self.problem.A
        if A is None:
            return self.tunings
        return self.tunings @ np.linalg.solve(A.T @ A, A.T)

    def readout_weights(self) -> np.ndarray:
        """Cheapest readout ``R`` with ``R T = B`` (``B = I`` by default)."""
        d = self.gram.shape[0]
        B = np.eye(d) if self.problem.B is None else self.problem.B
        return B @ np.linalg.solve(self.gram, self.tunings.T)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "value": float(self.value),
            "modular_value": float(self.modular_value),
            "modular_method": self.modular_method,
            "mixed": bool(self.mixed),
            "names": list(self.names),
            "neurons": [n.to_dict() for n in self.neurons],
            "energy": {k: float(v) for k, v in self.energy.items()},
            "certificate": self.certificate.to_dict(),
            "status": self.status,
            "solver": self.solver,
            "rounds": int(self.rounds),
            "n_columns": int(self.n_columns),
            "seconds": float(self.seconds),
            "tolerance": float(self.tolerance),
            "problem": self.problem.to_dict(),
        }

    def __repr__(self) -> str:
        kinds = "mixed" if self.mixed else "modular"
        return (
            f"CodeResult(value={self.value:.6g}, modular_value={self.modular_value:.6g}, "
            f"{len(self.neurons)} neurons ({kinds}), status={self.status!r}, "
            f"relative_gap={self.certificate.relative_gap:.2g})"
        )

    def table(self) -> str:
        """The human-readable report printed by ``biomodular solve``."""
        return _format_table(self)


# =========================================================================== formulas
def phi_values(points: np.ndarray, C: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Activity energy ``w^T C w + m(w)^2`` of each row of ``W`` (centred points)."""
    W = np.atleast_2d(W)
    m = (W @ points.T).min(axis=1)
    return np.einsum("ij,jk,ik->i", W, C, W) + m**2


def code_loss(sources: Sources, problem: Problem, tunings: np.ndarray) -> dict[str, float]:
    """Loss of a code given by its tunings (rows), with the cheapest biases and weights.

    Independent of the convex program: used to evaluate returned codes and
    random feasible codes.  Returns the terms and their sum under ``"value"``;
    for the fixed-variance problem also the constraint values (the code is
    feasible when ``variance >= problem.variance`` and ``readout_weights <=
    budget``).
    """
    T = np.atleast_2d(np.asarray(tunings, dtype=float))
    d = sources.n_sources
    P, Q = problem.matrices(d)
    C = sources.cov
    G = T.T @ T
    activity = float(phi_values(sources.centred_points, C, T).sum())
    try:
        readout = float(np.trace(np.linalg.solve(G, Q)))
    except np.linalg.LinAlgError:
        readout = math.inf
    if not np.isfinite(readout) or np.linalg.matrix_rank(G) < d:
        readout = math.inf
    if problem.kind == "autoencoder":
        encoder = problem.lam_in * float(np.trace(P @ G))
        out = {"activity": activity, "encoder": encoder, "readout": problem.lam_out * readout}
        out["value"] = activity + out["encoder"] + out["readout"]
        return out
    return {
        "activity": activity,
        "variance": float(np.trace(C @ G)),
        "readout_weights": readout,
        "budget": problem.budget(C, Q),
        "value": activity,
    }


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


def lower_bound(kappa: float, Q: np.ndarray, G: np.ndarray, violation: float, const: float = 0.0) -> float:
    """Weak-duality lower bound of the certificate (docs/solve.md, "Certificate").

    With ``M = kappa G^-1 Q G^-1 - violation I``, returns
    ``2 tr((M^1/2 kappa Q M^1/2)^1/2) + const``, or ``-inf`` if ``M`` is not
    positive semidefinite.
    """
    Ginv = np.linalg.inv(G)
    M = kappa * Ginv @ Q @ Ginv
    M = (M + M.T) / 2 - violation * np.eye(G.shape[0])
    vals, vecs = np.linalg.eigh(M)
    if vals[0] < -1e-12 * max(abs(vals[-1]), 1e-300):
        return -math.inf
    S = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    X = S @ (kappa * Q) @ S
    ev = np.linalg.eigvalsh((X + X.T) / 2)
    return float(2.0 * np.sum(np.sqrt(np.clip(ev, 0.0, None))) + const)


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
        self._cp = None
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
            v = float(problem.variance)
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
        new = []
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


def _sqrtm(S: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh((S + S.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


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
    sources : Sources
        The reduced dataset (samples or statistics).
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
    tried = set()
    queue = [tuple(support)]
    queue += [tuple(np.delete(support, i)) for i in np.argsort(base[support])]
    if support.size <= 8:
        queue += [tuple(np.delete(support, [i, j])) for i in range(support.size) for j in range(i)]
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
            queue.insert(0, tuple(sorted(set(idx) | {worst})))
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


def caratheodory(W: np.ndarray, c: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Reduce a conic combination to at most ``d(d+1)/2 + 1`` terms, keeping ``phi.c`` and ``G``.

    The loss depends on the weights only through ``<phi, c>`` and
    ``G = sum c_k w_k w_k^T`` (THEORY.md s.4), i.e. through ``L c`` with the
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


def _feasible_scale(sources: Sources, problem: Problem, T: np.ndarray) -> np.ndarray:
    """Scale a fixed-variance code so that both constraints hold exactly (identity otherwise)."""
    if problem.kind != "fixed_variance":
        return T
    _, Q = problem.matrices(sources.n_sources)
    G = T.T @ T
    need_var = problem.variance / float(np.trace(sources.cov @ G))
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
    try:
        mod, how = modular_value(sources, problem, solver=session.solver)
    except BiomodularError:
        mod, how = math.nan, "unavailable"
    solvers = sorted(set(session.solvers_used), key=session.solvers_used.index)
    return CodeResult(
        value=value, modular_value=mod, modular_method=how, neurons=tuple(neurons), energy=terms,
        certificate=certificate, status=status_reason, solver="+".join(solvers) or session.solver,
        rounds=rounds, n_columns=int(session.dictionary.shape[0]),
        seconds=time.perf_counter() - started, tolerance=float(tol),
        mixed=any(not n.modular for n in neurons), names=sources.names, problem=problem,
        gram=T.T @ T,
    )


# =========================================================================== printing
def _format_table(r: CodeResult) -> str:
    names = list(r.names)
    head = "(" + ", ".join(names) + ")"
    rows = []
    for i, n in enumerate(r.neurons, 1):
        tun = "[" + ", ".join(f"{x: .4g}" for x in n.tuning) + "]"
        kind = "modular" if n.modular else "mixed"
        rows.append((str(i), tun, f"{n.bias:.4g}", f"{n.norm:.4g}", f"{'+'.join(n.sources)} ({kind})"))
    header = ("#", f"tuning {head}", "bias", "norm", "codes")
    widths = [max(len(x[k]) for x in rows + [header]) for k in range(5)]
    lines = [f"Optimal code of {len(names)} sources: {r.problem.describe()}"]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    for row in rows:
        lines.append("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
    lines.append("")
    if r.modular_value and math.isfinite(r.modular_value):
        change = (r.value - r.modular_value) / r.modular_value
        compare = f"  (optimum is {abs(change):.3g} {'below' if change < 0 else 'above'} it)" if change else ""
    else:
        compare = ""
    energy = ", ".join(f"{k.replace('_', ' ')} {v:.6g}" for k, v in r.energy.items())
    c = r.certificate
    lines += [
        f"value          {r.value:.10g}",
        f"modular value  {r.modular_value:.10g} ({r.modular_method}){compare}",
        f"verdict        {'mixed' if r.mixed else 'modular'}",
        f"energy         {energy}",
        f"certificate    largest pricing violation {c.violation:.3g}; "
        f"lower bound {c.lower_bound:.10g}; gap {c.gap:.3g} (relative {c.relative_gap:.3g}); "
        f"pricing {c.pricing_method}{' (exact)' if c.exact else ' (not exact: bound unproven)'}",
        f"status         {r.status} ({r.solver}, {r.rounds} rounds, {r.n_columns} columns, "
        f"{r.seconds:.3g} s); tolerance: relative gap {r.tolerance:g}, mixing {MIX_TOL:g}",
    ]
    return "\n".join(lines)
