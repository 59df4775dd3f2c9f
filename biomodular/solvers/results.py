"""The optimal code as returned by :func:`biomodular.solvers.program.solve_code`.

Small frozen result types (:class:`Neuron`, :class:`Certificate`, :class:`CodeResult`),
their JSON-ready ``to_dict`` forms, and the human-readable table printed by
``biomodular solve``.  The certificate's meaning is docs/mathematics.md, "Solving for the optimal code exactly" (derivation in
docs/solve.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..mixing import MIXED_ANGLE_DEGREES, NeuronKind
from .problem import Problem

__all__ = ["Neuron", "Certificate", "CodeResult", "format_relative_gap", "GAP_ROUNDING"]

#: A relative gap this close to zero is rounding: the bound and the value are
#: sums of a few dozen double-precision terms, each rounded by 2**-53.
GAP_ROUNDING = 64 * float(np.finfo(float).eps)


def format_relative_gap(relative_gap: float, spec: str = ".3g") -> str:
    """A relative gap for printing: a negative one at rounding level is shown
    as zero, with the rounding stated (a bound cannot truly exceed the value)."""
    if -GAP_ROUNDING <= relative_gap < 0:
        return f"0 (rounding: {relative_gap:.1e})"
    return format(relative_gap, spec)


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
        Sources it codes, as :func:`biomodular.mixing.classify_neurons` names
        them (beta-scaled units): one for a modular neuron; for a sliver the
        source whose axis it leans off, then the others it draws on; for a
        mixed neuron the sources it mixes.
    modular : bool
        Whether it lies on a source axis (its kind is ``modular``; see
        :mod:`biomodular.mixing`).
    activity : float
        Its activity energy ``<z^2>``.
    kind : NeuronKind or None
        ``modular``, ``sliver`` or ``mixed`` with its angle to the nearest
        axis and share of the activity energy, in beta-scaled units
        (:func:`biomodular.mixing.classify_neurons`).
    """

    tuning: np.ndarray
    bias: float
    norm: float
    sources: tuple[str, ...]
    modular: bool
    activity: float
    kind: NeuronKind | None = None

    @property
    def mixed(self) -> bool:
        """Whether it is a mixed neuron (:mod:`biomodular.mixing`: at least
        :data:`~biomodular.mixing.MIXED_ANGLE_DEGREES` from every axis, beta-scaled)."""
        return self.kind is not None and self.kind.kind == "mixed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tuning": [float(x) for x in self.tuning],
            "bias": float(self.bias),
            "norm": float(self.norm),
            "sources": list(self.sources),
            "modular": bool(self.modular),
            "activity": float(self.activity),
            "kind": None if self.kind is None else self.kind.kind,
            "angle": None if self.kind is None else float(self.kind.angle),
            "energy_share": None if self.kind is None else self.kind.energy_share,
        }


@dataclass(frozen=True, eq=False)
class Certificate:
    """Optimality certificate of a code (docs/mathematics.md, "Solving for the optimal code exactly"; derivation in docs/solve.md).

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
        Whether the pricing minimum is exact.
    pricing_method : str
    multipliers : dict
        ``Lambda`` (d x d) and, for the fixed-variance problem, ``nu`` and ``mu``.
    rigorous : bool
        Whether ``lower_bound`` is proven: the pricing is exact and no known
        code (the returned one, the closed-form modular code) has a lower
        loss.  A bound above a known code's loss can only come from rounding
        in an ill-conditioned program; it is reported but not trusted.
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
    rigorous: bool = False

    def to_dict(self) -> dict[str, Any]:
        mult = {
            k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else float(v)) for k, v in self.multipliers.items()
        }
        return {
            "violation": float(self.violation),
            "direction": [float(x) for x in self.direction],
            "lower_bound": _jsonable(self.lower_bound),
            "upper_bound": float(self.upper_bound),
            "gap": _jsonable(self.gap),
            "relative_gap": _jsonable(self.relative_gap),
            "exact": bool(self.exact),
            "rigorous": bool(self.rigorous),
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
        Whether any neuron is mixed (:attr:`Neuron.mixed`; a sliver, tilted
        off its axis by less than :data:`~biomodular.mixing.MIXED_ANGLE_DEGREES`,
        is not).
    names : tuple of str
    problem : Problem
    gram : ndarray, shape (d, d)
        ``G = T^T T`` of the returned code.
    verdict : str
        Whether the optimal code is modular.  For the autoencoder without
        mixing or readout matrices (where the condition does not depend on
        ``lam_in`` and ``lam_out``) this is the exact verdict of
        :func:`biomodular.check_modularity` on the same data, so ``solve``
        and ``check`` agree; otherwise it is read off the certified code:
        ``mixed`` when the returned code beats the best modular one by more
        than the certified gap, ``modular`` when the returned code is modular
        and certified, else ``undetermined``.
    verdict_reason : str
        Where the verdict comes from, in words.
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
    verdict: str = ""
    verdict_reason: str = ""

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
            "verdict": self.verdict,
            "verdict_reason": self.verdict_reason,
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

    def to_frame(self):
        """The neurons as a :class:`pandas.DataFrame` (needs pandas): one row each, a column per source weight."""
        from ..display import code_rows, frame

        return frame(code_rows(self))

    def _repr_html_(self) -> str:
        from ..display import code_html

        return code_html(self)


def _format_table(r: CodeResult) -> str:
    names = list(r.names)
    head = "(" + ", ".join(names) + ")"
    rows = []
    for i, n in enumerate(r.neurons, 1):
        tun = "[" + ", ".join(f"{x: .4g}" for x in n.tuning) + "]"
        if n.kind is not None:
            codes = n.kind.describe()
        else:
            codes = f"{'+'.join(n.sources)} ({'mixed' if n.mixed else 'modular'})"
        rows.append((str(i), tun, f"{n.bias:.4g}", f"{n.norm:.4g}", codes))
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
        f"verdict        {r.verdict or ('mixed' if r.mixed else 'modular')}"
        + (f" ({r.verdict_reason})" if r.verdict_reason else ""),
        f"energy         {energy}",
        f"certificate    largest pricing violation {c.violation:.3g}; "
        f"lower bound {c.lower_bound:.10g}; gap {c.gap:.3g} (relative {format_relative_gap(c.relative_gap)}); "
        f"pricing {c.pricing_method}{' (exact)' if c.exact else ' (not exact)'}"
        f"{'' if c.rigorous else '; bound unproven'}",
        f"status         {r.status} ({r.solver}, {r.rounds} rounds, {r.n_columns} columns, "
        f"{r.seconds:.3g} s); tolerance: relative gap {r.tolerance:g}",
    ]
    if any(n.kind is not None and n.kind.kind == "sliver" for n in r.neurons):
        lines.append(
            f"sliver         a neuron less than {MIXED_ANGLE_DEGREES:g} deg from a source axis (beta-scaled "
            "units): a modular neuron tilted by a hair, as finite samples of a modular population give"
        )
    return "\n".join(lines)


def code_verdict(
    sources, problem: Problem, value: float, modular_value: float, gap: float, status: str, neurons
) -> tuple[str, str]:
    """The verdict ``solve`` reports, and where it comes from (see :attr:`CodeResult.verdict`).

    For the plain autoencoder (no ``A``, no ``B``) the optimum's modularity does
    not depend on ``lam_in`` and ``lam_out``, so the exact check decides, and
    ``solve`` says the same as ``check``.  The returned code may still be
    modular when the mixing advantage is below the solver's tolerance; the
    reason then says so.
    """
    if problem.kind == "autoencoder" and problem.A is None and problem.B is None:
        from .check import check_modularity

        chk = check_modularity(sources)
        code_mixed = any(n.mixed for n in neurons)
        reason = f"exact check, margin {chk.margin:.3g}"
        if chk.verdict == "mixed" and not code_mixed:
            reason += (
                "; the returned code has no mixed neuron because the mixing advantage is below the solver tolerance"
            )
        return chk.verdict, reason
    if math.isfinite(modular_value) and modular_value - value > max(gap, 0.0):
        return "mixed", "the returned code beats the best modular code by more than the certified gap"
    if status == "optimal" and all(n.kind is None or n.kind.kind == "modular" for n in neurons):
        return "modular", "the certified optimal code is modular"
    return "undetermined", "the code is not certified to separate modular from mixed"
