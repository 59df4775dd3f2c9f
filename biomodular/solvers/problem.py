"""What the optimal code optimises: the :class:`Problem` families and their validation.

docs/mathematics.md, "ICLR 2023 linear theory".  A :class:`Problem` says which loss :func:`biomodular.solvers.program.solve_code`
minimises: the ``autoencoder`` (input mixing ``A``, readout target ``B``, energy
coefficients ``lam_in`` and ``lam_out``) or the ``fixed_variance`` problem (total variance
and a readout budget).  It checks that it is well posed for ``d`` sources and supplies the
matrices ``P = (A^T A)^-1`` and ``Q = B^T B`` of the convex program.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import BiomodularError

__all__ = ["Problem", "KINDS"]

KINDS = ("autoencoder", "fixed_variance")


@dataclass(frozen=True, eq=False)
class Problem:
    """Which optimal code to compute (docs/mathematics.md, "ICLR 2023 linear theory").

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

        ``A = B = I`` is the autoencoder of docs/mathematics.md, "The biologically constrained linear autoencoder"; ``A = I, B = D`` is
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
            if self.readout_budget is not None and not (math.isfinite(self.readout_budget) and self.readout_budget > 0):
                raise BiomodularError(f"readout_budget must be a finite number > 0; got {self.readout_budget}")

    def budget(self, C: np.ndarray, Q: np.ndarray) -> float:
        """The readout budget, with the documented default."""
        if self.readout_budget is not None:
            return float(self.readout_budget)
        return 4.0 * float(np.trace(Q)) * float(np.trace(C)) / self.required_variance

    @property
    def required_variance(self) -> float:
        """The total variance a fixed-variance code must carry."""
        if self.variance is None:
            raise BiomodularError(f"the {self.kind} problem has no variance constraint")
        return float(self.variance)

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
