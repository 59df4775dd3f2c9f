"""The restricted master problem: the convex program over a finite dictionary of directions.

Over a dictionary ``w_1 .. w_K`` of unit directions the optimal code is a small
semidefinite program in the weights ``c >= 0`` (docs/mathematics.md, "Solving
for the optimal code exactly"):

``autoencoder``
    minimise ``<phi, c> + lam_in <enc, c> + lam_out tr(Y)`` with
    ``[[G, Q^1/2], [Q^1/2, Y]] >= 0`` (so ``tr Y >= tr(Q G^-1)``).
``fixed_variance``
    minimise ``<phi, c>`` subject to ``<var, c> >= 1`` and ``tr Y <= budget``.

The cvxpy program is built with Parameters (disciplined parametrised
programming), so its structure depends only on ``(d, kind, capacity)`` and a
compiled program is re-used by every master of that shape through a
:class:`ProgramCache`.  Everything here is in the internal units of a
:class:`~biomodular.solvers.standardise.StandardProblem`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..errors import BiomodularError
from .energy import phi_values
from .standardise import StandardProblem, psd_sqrt

__all__ = ["RestrictedMaster", "ProgramCache", "SOLVERS", "PRUNE_TOL"]

SOLVERS = ("CLARABEL", "SCS")

#: Weights below this fraction of the largest weight are dropped from the code.
PRUNE_TOL = 1e-9

#: A direction within this cosine of a dictionary direction is a duplicate.
DUPLICATE_COSINE = 1 - 1e-12


class ProgramCache:
    """Compiled restricted programs, by ``(d, kind, capacity)``.

    Compiling costs far more than solving (seconds against milliseconds), and
    the structure depends on nothing else, so masters of the same shape share
    one program and write their values into its Parameters before solving.
    :meth:`shared` is the cache of this process; pass a new ``ProgramCache()``
    to measure or isolate compilation.
    """

    _shared: ClassVar["ProgramCache | None"] = None

    def __init__(self) -> None:
        self._programs: dict[tuple[int, str, int], tuple] = {}

    @classmethod
    def shared(cls) -> "ProgramCache":
        """The process-wide cache (created on first use)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def get(self, d: int, kind: str, capacity: int) -> tuple:
        key = (d, kind, capacity)
        if key not in self._programs:
            self._programs[key] = _build_program(d, kind, capacity)
        return self._programs[key]

    def compiled(self) -> list:
        """The compiled cvxpy problems held."""
        return [entry[0] for entry in self._programs.values()]

    def clear(self) -> None:
        """Forget every compiled program."""
        self._programs.clear()

    def __len__(self) -> int:
        return len(self._programs)


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


class RestrictedMaster:
    """The convex program over the current dictionary of unit directions (internal units).

    Parameters
    ----------
    standard : StandardProblem
        The problem in internal units; :meth:`set_problem` replaces it (same
        kind and dimension) without recompiling.
    dictionary : ndarray, shape (k, d)
        Initial directions (normalised here).
    solver : {"CLARABEL", "SCS"}
        First solver tried; the other is the retry.
    capacity : int
        Initial number of dictionary slots of the compiled program (doubled as needed).
    programs : ProgramCache, optional
        Where compiled programs are kept (default: :meth:`ProgramCache.shared`).
    """

    def __init__(
        self,
        standard: StandardProblem,
        dictionary: np.ndarray,
        solver: str = "CLARABEL",
        capacity: int = 48,
        programs: ProgramCache | None = None,
    ):
        if solver.upper() not in SOLVERS:
            raise BiomodularError(f"unknown solver {solver!r}; choose {' or '.join(SOLVERS)}")
        self.standard = standard
        self.kind = standard.kind
        self.d = standard.d
        self.solver = solver.upper()
        self.programs = ProgramCache.shared() if programs is None else programs
        self.capacity = 0
        self._program: Any = None
        self._dictionary = np.zeros((0, self.d))
        self._phi: np.ndarray | None = None  # activity energies of the dictionary, when known
        self.solvers_used: list[str] = []
        self.inaccurate = False
        self._compile(max(capacity, np.atleast_2d(dictionary).shape[0] + 8))
        self.set_dictionary(dictionary)

    # --------------------------------------------------------------- building
    def _compile(self, capacity: int) -> None:
        self._program, self.params, self.c_var, self.G_var, cons = self.programs.get(self.d, self.kind, capacity)
        if self.kind == "fixed_variance":
            self.variance_con, self.budget_con = cons
        self.capacity = capacity

    def set_problem(self, standard: StandardProblem) -> None:
        """New coefficients or units for the same kind and dimension (no recompiling)."""
        if standard.kind != self.kind or standard.d != self.d:
            raise BiomodularError("a restricted master solves one problem kind and dimension")
        self.standard = standard
        self._phi = None  # the points and C may be in new units
        self.solvers_used, self.inaccurate = [], False

    def _load_parameters(self) -> None:
        """Write this master's values into the (possibly shared) compiled program."""
        std = self.standard
        self.params["Qh"].value = psd_sqrt(std.Q)
        self._load_dictionary()
        if self.kind == "autoencoder":
            self.params["lam_in"].value = std.lam_in
            self.params["lam_out"].value = std.lam_out
        else:
            self.params["variance"].value = 1.0
            self.params["budget"].value = std.budget

    @property
    def dictionary(self) -> np.ndarray:
        """The current unit directions (rows)."""
        return self._dictionary

    @dictionary.setter
    def dictionary(self, W: np.ndarray) -> None:
        self._dictionary = W
        self._phi = None

    def phi(self, n: int | None = None) -> np.ndarray:
        """Activity energies ``phi(w)`` of the first ``n`` directions (all by default).

        Kept with the dictionary: each needs a pass over the support points, and
        every round's solve, refinement and loss evaluations use them."""
        if self._phi is None or self._phi.shape[0] != self._dictionary.shape[0]:
            self._phi = phi_values(self.standard.points, self.standard.C, self._dictionary)
        return self._phi if n is None else self._phi[:n]

    def set_dictionary(self, W: np.ndarray) -> None:
        """Replace the dictionary by the (normalised) rows of ``W``."""
        W = np.atleast_2d(np.asarray(W, dtype=float))
        self.dictionary = W / np.linalg.norm(W, axis=1, keepdims=True)
        while self.dictionary.shape[0] > self.capacity:
            self._compile(2 * self.capacity)

    def _load_dictionary(self) -> None:
        W, K, d, std = self.dictionary, self.capacity, self.d, self.standard
        n = W.shape[0]
        lift = np.zeros((d * d, K))
        lift[:, :n] = np.einsum("ki,kj->ijk", W, W).reshape(d * d, n, order="F")
        phi = np.zeros(K)
        phi[:n] = self.phi()
        phi[n:] = phi[:n].max()  # empty slots: cost without benefit, weight 0
        self.params["lift"].value = lift
        self.params["phi"].value = phi
        if self.kind == "autoencoder":
            enc = np.zeros(K)
            enc[:n] = np.einsum("ki,ij,kj->k", W, std.P, W)
            self.params["enc"].value = enc
        else:
            var = np.zeros(K)
            var[:n] = np.einsum("ki,ij,kj->k", W, std.C, W)
            self.params["varc"].value = var

    def add_columns(self, W: np.ndarray) -> int:
        """Add new unit directions (skipping near-duplicates); returns how many were added."""
        new: list[np.ndarray] = []
        for w in np.atleast_2d(W):
            w = w / np.linalg.norm(w)
            existing = self.dictionary if not new else np.vstack([self.dictionary, new])
            if np.max(existing @ w) < DUPLICATE_COSINE:
                new.append(w)
        if new:
            known, n = self._phi, self.dictionary.shape[0]
            self.set_dictionary(np.vstack([self.dictionary, new]))
            if known is not None and known.shape[0] == n:
                self._phi = np.concatenate(
                    [known, phi_values(self.standard.points, self.standard.C, self.dictionary[n:])]
                )
        return len(new)

    def compact(self, c: np.ndarray) -> None:
        """Keep the axes (the first ``2d`` directions) and the directions in use."""
        n = self.dictionary.shape[0]
        keep = np.zeros(n, bool)
        keep[: 2 * self.d] = True
        keep |= c[:n] > PRUNE_TOL * c.max()
        known = self._phi
        self.dictionary = self.dictionary[keep]
        if known is not None and known.shape[0] == n:
            self._phi = known[keep]

    # --------------------------------------------------------------- solving
    def solve(self) -> np.ndarray:
        """Weights over the current dictionary.

        Clarabel first; SCS when Clarabel fails or is not optimal.  An
        ``optimal_inaccurate`` answer is kept only when no solver is optimal,
        and marks the master :attr:`inaccurate`.  Raises BiomodularError when
        no solver returns a solution.
        """
        import cvxpy as cp

        order = [self.solver] + [s for s in SOLVERS if s != self.solver]
        self._load_parameters()
        statuses = []
        best = None
        for name in order:
            kwargs = {"eps": 1e-9, "max_iters": 100_000} if name == "SCS" else {}
            try:
                # cvxpy warm-starts by default: Clarabel would then update the solver object
                # of the last solve of this shared program, keeping that data's equilibration,
                # and SCS would start from its iterate, so a result would depend on what the
                # process solved before.  Every solve here starts cold.
                self._program.solve(solver=name, warm_start=False, **kwargs)
            except cp.error.SolverError as exc:
                statuses.append(f"{name}: {str(exc).splitlines()[0]}")
                continue
            status = self._program.status
            statuses.append(f"{name}: {status}")
            if status == cp.OPTIMAL:
                self.solvers_used.append(name)
                return self._weights()
            if status == cp.OPTIMAL_INACCURATE and best is None:
                best = (self._weights(), name)
        if best is not None:
            self.inaccurate = True
            self.solvers_used.append(best[1])
            return best[0]
        raise BiomodularError("no solver could solve the restricted program (" + "; ".join(statuses) + ")")

    def _weights(self) -> np.ndarray:
        n = self.dictionary.shape[0]
        return np.clip(np.asarray(self.c_var.value, dtype=float)[:n], 0.0, None)

    def solver_multipliers(self) -> tuple[float, float]:
        """The fixed-variance multipliers ``nu, mu`` reported by the solver (zeros otherwise)."""
        if self.kind == "autoencoder":
            return 0.0, 0.0
        nu = max(float(self.variance_con.dual_value), 0.0)
        mu = max(float(self.budget_con.dual_value), 0.0)
        return nu, mu

    # --------------------------------------------------------------- evaluating
    def gram(self, c: np.ndarray) -> np.ndarray:
        """``G = sum_k c_k w_k w_k^T`` over the first ``c.size`` directions."""
        W = self.dictionary[: c.size]
        G = (W * c[:, None]).T @ W
        return (G + G.T) / 2

    def multipliers(self, c: np.ndarray, nu: float, mu: float) -> tuple[np.ndarray, float, float]:
        """``Lambda``, ``kappa`` (coefficient of ``G^-1 Q G^-1``) and the dual constant."""
        std = self.standard
        Ginv = np.linalg.inv(self.gram(c))
        GQG = Ginv @ std.Q @ Ginv
        if self.kind == "autoencoder":
            Lam = std.lam_out * GQG - std.lam_in * std.P
            return (Lam + Lam.T) / 2, std.lam_out, 0.0
        Lam = nu * std.C + mu * GQG
        return (Lam + Lam.T) / 2, mu, nu * 1.0 - mu * std.budget

    def loss(self, c: np.ndarray) -> float:
        """Internal loss of weights ``c`` (constraints not enforced)."""
        std = self.standard
        W = self.dictionary[: c.size]
        act = float(self.phi(c.size) @ c)
        if self.kind == "autoencoder":
            G = self.gram(c)
            enc = float(np.einsum("ki,ij,kj->k", W, std.P, W) @ c)
            return act + std.lam_in * enc + std.lam_out * float(np.trace(np.linalg.solve(G, std.Q)))
        return act

    def attained(self, c: np.ndarray) -> float:
        """Internal loss of weights ``c`` made exactly feasible (``inf`` for a singular code)."""
        G = self.gram(c)
        if np.linalg.matrix_rank(G) < self.d:
            return np.inf
        return self.loss(c) * self.standard.loss_factor(G)
