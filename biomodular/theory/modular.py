"""Closed forms of docs/mathematics.md, "The biologically constrained linear autoencoder" and "The exact modularity condition": the optimal modular code and the modularity condition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy as sp

from ..errors import BiomodularError
from .models import SymbolicSources

__all__ = [
    "ModularCode",
    "ModularityCondition",
    "modular_code",
    "modularity_condition",
    "kkt_multiplier",
    "per_source_loss",
]


def per_source_loss(u, energy, lam_in, lam_out, a=1, b=1):
    """Loss of one modular neuron with squared gain ``u = g^2``.

    ``u (E + lam_in / a) + lam_out b / u``, where ``a`` and ``b`` are the
    diagonal entries of ``A^T A`` and ``B^T B`` of the general family
    (docs/mathematics.md, "ICLR 2023 linear theory"); ``a = b = 1`` is the autoencoder of
    "The biologically constrained linear autoencoder".
    """
    return u * (energy + lam_in / a) + lam_out * b / u


@dataclass(frozen=True)
class ModularCode:
    """The optimal modular code in closed form (docs/mathematics.md, "The biologically constrained linear autoencoder").

    Attributes
    ----------
    beta, energies : sympy.Matrix
        ``beta_j`` and ``E_j = C_jj + beta_j^2``.
    gains : sympy.Matrix
        ``gain_j = (lam_out / (E_j + lam_in))^(1/4)``.
    signs : tuple of int
        +1 for an ON cell (tuned to ``s_j - min s_j``), -1 for an OFF cell.
    loss : sympy expression
        ``L_mod = 2 sum_j sqrt(lam_out (E_j + lam_in))``.
    """

    beta: sp.Matrix
    energies: sp.Matrix
    gains: sp.Matrix
    signs: tuple
    loss: sp.Expr

    def to_dict(self) -> dict:
        return {
            "beta": [str(x) for x in self.beta],
            "energies": [str(x) for x in self.energies],
            "gains": [str(x) for x in self.gains],
            "signs": list(self.signs),
            "loss": str(self.loss),
            "loss_decimal": _decimal(self.loss),
        }


def _decimal(x) -> float | None:
    try:
        return float(sp.N(x, 17))
    except TypeError:
        return None


def modular_code(model: SymbolicSources, lam_in=None, lam_out=None) -> ModularCode:
    """The optimal modular code of ``model`` (one neuron per source, nearer extreme).

    ``lam_in`` and ``lam_out`` default to positive symbols.
    """
    lam_in = sp.Symbol("lambda_in", nonnegative=True) if lam_in is None else sp.sympify(lam_in)
    lam_out = sp.Symbol("lambda_out", positive=True) if lam_out is None else sp.sympify(lam_out)
    beta, energies = model.beta, model.energies
    gains = sp.Matrix([(lam_out / (e + lam_in)) ** sp.Rational(1, 4) for e in energies])
    signs = []
    for j in range(model.n_sources):
        below = sp.simplify(model.mean[j] - model.lower[j])
        above = sp.simplify(model.upper[j] - model.mean[j])
        diff = sp.simplify(above - below)
        signs.append(-1 if diff.is_negative else 1)
    loss = 2 * sum(sp.sqrt(lam_out * (e + lam_in)) for e in energies)
    return ModularCode(beta, energies, gains, tuple(signs), loss)


def kkt_multiplier(
    energies: Sequence, lam_in, lam_out, a: Sequence | None = None, b: Sequence | None = None
) -> sp.Matrix:
    """``Lambda = lam_out G^-1 B^T B G^-1 - lam_in (A^T A)^-1`` at the modular optimum.

    ``A^T A = diag(a)``, ``B^T B = diag(b)`` (default identity); the modular
    squared gains are ``u_j = sqrt(lam_out b_j / (E_j + lam_in / a_j))``.
    """
    d = len(energies)
    a = [1] * d if a is None else list(a)
    b = [1] * d if b is None else list(b)
    u = [sp.sqrt(lam_out * b[j] / (energies[j] + lam_in / a[j])) for j in range(d)]
    G = sp.diag(*u)
    return lam_out * G.inv() * sp.diag(*b) * G.inv() - lam_in * sp.diag(*[1 / x for x in a])


@dataclass(frozen=True)
class ModularityCondition:
    """The exact condition ``m(w)^2 >= w^T F w`` for all ``w`` (docs/mathematics.md, "The exact modularity condition"), symbolically.

    Attributes
    ----------
    F : sympy.Matrix
    facet_gaps : tuple of sympy expressions
        ``h_f^2 - a_f^T F a_f`` for each hull facet ``a_f . x <= b_f``, with
        ``h_f = b_f - a_f . mean`` (the facet test, exact when F is positive
        definite; ``a_f`` need not be a unit vector since both sides scale alike).
    model : SymbolicSources
    """

    F: sp.Matrix
    facet_gaps: tuple
    model: SymbolicSources

    def direction_gap(self, w: Sequence) -> sp.Expr:
        """``m(w)^2 - w^T F w`` for a direction ``w`` (the direction form)."""
        col = sp.Matrix(list(w))
        return self.model.support_min(col) ** 2 - (col.T * self.F * col)[0]

    def f_positive_definite(self, subs: dict | None = None) -> bool | None:
        """Sylvester's criterion on F (None when undecidable symbolically)."""
        F = self.F if subs is None else self.F.subs(subs)
        d = F.shape[0]
        for k in range(1, d + 1):
            minor = sp.simplify(F[:k, :k].det())
            positive = minor.is_positive
            if positive is None and minor.is_number:
                positive = bool(minor > 0)
            if positive is not True:
                return positive
        return True

    def facet_test(self, subs: dict | None = None) -> bool:
        """Whether every facet satisfies the facet test at these parameter values.

        Raises BiomodularError when the model has no facet list or F is not
        positive definite there (use the direction form instead).
        """
        if self.model.facets is None:
            raise BiomodularError(
                "this model has no facet list (point sets in more than two dimensions); "
                "use direction_gap or the numerical checker"
            )
        if self.f_positive_definite(subs) is not True:
            raise BiomodularError(
                "F is not positive definite here, so the facet test does not apply; "
                "use the direction form (exact_margin_2d for two sources)"
            )
        subs = subs or {}
        return all(bool(sp.nsimplify(sp.sympify(g).subs(subs)) >= 0) for g in self.facet_gaps)

    def to_dict(self) -> dict:
        return {
            "F": [[str(x) for x in row] for row in self.F.tolist()],
            "facet_gaps": [str(g) for g in self.facet_gaps],
        }


def modularity_condition(model: SymbolicSources) -> ModularityCondition:
    """The modularity condition of ``model`` in symbolic form (direction form and facet test)."""
    F = model.modularity_matrix
    gaps = []
    if model.facets is not None:
        for a, b in model.facets:
            h = b - (a.T * model.mean)[0]
            gaps.append(sp.factor(sp.together(h**2 - (a.T * F * a)[0])))
    return ModularityCondition(F, tuple(gaps), model)


@dataclass(frozen=True)
class ExactMargin:
    """Exact minimum of ``m(w)^2 - w^T F w`` over unit ``w`` (two sources).

    Attributes
    ----------
    value : sympy expression
        The margin (exact algebraic number, ``<= 0``).
    direction : sympy.Matrix
        A unit minimiser.
    scaled : bool
        Whether the sources were first divided by their ``beta`` (the
        convention of :func:`biomodular.solvers.check.check_modularity`).
    """

    value: sp.Expr
    direction: sp.Matrix
    scaled: bool

    @property
    def verdict(self) -> str:
        """``"modular"`` iff the margin is exactly 0 (ties at non-axis directions are not separated here)."""
        return "modular" if self.value == 0 else "mixed"

    def to_dict(self) -> dict:
        return {
            "value": str(self.value),
            "decimal": float(sp.N(self.value, 17)),
            "direction": [float(sp.N(x, 17)) for x in self.direction],
            "scaled": self.scaled,
        }


def _cross(a, b):
    return a[0] * b[1] - a[1] * b[0]


def exact_margin_2d(model: SymbolicSources, scaled: bool = True) -> ExactMargin:
    """The direction form solved exactly for two sources (docs/mathematics.md, "The exact modularity condition", sector algorithm).

    Needs no positive definiteness of F.  On the normal sector of each hull
    vertex ``v`` (directions ``w`` for which ``v`` attains ``m(w)``) the gap is
    the quadratic form ``w^T (v v^T - F) w``; its minimum over the unit
    directions of the sector is at a sector end or at an eigenvector inside it.

    Parameters
    ----------
    model : SymbolicSources
        Two sources, no free parameters, with facets (a polygon or point set).
    scaled : bool
        Divide each source by ``beta_j`` first (the margin convention of the
        numerical checker); the sign of the margin does not depend on it.
    """
    if model.n_sources != 2 or model.facets is None or model.parameters:
        raise BiomodularError(
            "exact_margin_2d needs a two-source model with facets and no free parameters "
            "(substitute parameters with .subs first)"
        )
    beta = model.beta
    S = sp.diag(*beta) if scaled else sp.eye(2)
    Sinv = S.inv()
    F = Sinv * model.modularity_matrix * Sinv
    best_value, best_dir = None, None
    for v_raw, v_c in zip(model.vertices, model.centred_vertices):
        # outward normals of the two facets through this vertex, in scaled coordinates:
        # a.x <= b becomes (S a).(S^-1 x) <= b
        tight = [S * a for a, b in model.facets if sp.simplify((a.T * v_raw)[0] - b) == 0]
        if len(tight) != 2:
            raise BiomodularError(
                f"vertex {list(v_raw)} lies on {len(tight)} facets; expected 2 "
                "(give the polygon's vertices without repeated or collinear points)"
            )
        cone = (-tight[0], -tight[1])  # v attains m(w) exactly for w in cone(-a_1, -a_2)
        v = Sinv * v_c
        Q = v * v.T - F
        # candidates (value, direction): the sector ends, then eigenvectors inside the sector,
        # whose value is their eigenvalue (no square roots needed to compare)
        candidates = [(sp.nsimplify((r.T * Q * r)[0] / (r.T * r)[0]), r) for r in cone]
        r1, r2 = cone
        span = _cross(r1, r2)
        for lam, _, vecs in Q.eigenvects():
            for vec in vecs:
                for e in (vec, -vec):
                    # e in cone(r1, r2) (an angle below pi) iff both cross products share the sign of span
                    if bool(_cross(r1, e) * span >= 0) and bool(_cross(e, r2) * span >= 0):
                        candidates.append((lam, e))
        for value, w in candidates:
            if best_value is None or bool(value < best_value):
                best_value, best_dir = value, w / sp.sqrt((w.T * w)[0])
    if best_dir is None:  # every vertex yields its two sector ends
        raise BiomodularError("exact_margin_2d found no candidate direction (a polygon without vertices?)")
    direction = best_dir if not scaled else (Sinv * best_dir) / sp.sqrt(((Sinv * best_dir).T * (Sinv * best_dir))[0])
    return ExactMargin(sp.radsimp(best_value), direction.applyfunc(sp.radsimp), scaled)
