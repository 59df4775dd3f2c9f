"""Exact parameter values at which the modularity verdict flips (solved, not scanned).

For a family of sources depending on one parameter, every facet-test gap
``h_f^2 - n_f^T F n_f`` (docs/mathematics.md, "The exact modularity condition", geometric form) is a rational function
of the parameter.  The verdict can only change at a real root of one of their
numerators; those roots are isolated exactly (sympy real-root isolation, Sturm
counts), and the verdict is evaluated exactly at rational points between them.
The facet test is exact only where F is positive definite, which is checked
exactly on the whole interval first.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import BiomodularError
from .models import SymbolicSources
from .modular import modularity_condition

__all__ = ["Threshold", "facet_thresholds", "exact_form", "positive_on_interval"]


@dataclass(frozen=True)
class Threshold:
    """A parameter value where the optimal code switches between modular and mixed.

    Attributes
    ----------
    parameter : str
    value : sympy expression
        Exact algebraic number (radicals when sympy finds a real radical form,
        otherwise a ``CRootOf``).
    decimal : float
    polynomial : sympy expression
        Irreducible polynomial in the parameter with ``value`` as a root.
    interval : tuple
        The parameter range searched.
    below, above : str
        Verdict just below and just above the threshold.
    facet : int
        Index of the facet whose test changes sign.
    """

    parameter: str
    value: sp.Expr
    decimal: float
    polynomial: sp.Expr
    interval: tuple
    below: str
    above: str
    facet: int

    def to_dict(self) -> dict:
        return {
            "parameter": self.parameter,
            "value": str(self.value),
            "decimal": self.decimal,
            "polynomial": str(self.polynomial),
            "interval": [str(x) for x in self.interval],
            "below": self.below,
            "above": self.above,
            "facet": self.facet,
        }

    def __repr__(self) -> str:
        return (
            f"Threshold({self.parameter} = {self.decimal:.15g}, {self.below} below, "
            f"{self.above} above, root of {self.polynomial})"
        )


def exact_form(root: sp.Expr, polynomial=None, max_length: int = 400) -> sp.Expr:
    """Real radical form of an algebraic number when short, else the number as given.

    ``polynomial`` (univariate, with ``root`` as a root) defaults to the
    ``CRootOf``'s own polynomial.
    """
    if polynomial is None:
        if not isinstance(root, sp.CRootOf):
            return root
        polynomial = root.poly
    poly = sp.Poly(polynomial)
    if poly.degree() > 4:
        return root
    target = sp.N(root, 30)
    for cand in sp.roots(poly.as_expr(), poly.gen):
        value = sp.N(cand, 30)
        if abs(sp.im(value)) < 1e-25 and abs(sp.re(value) - target) < 1e-25:
            cand = sp.radsimp(cand) if len(str(cand)) > max_length else cand
            if cand.has(sp.I) or len(str(cand)) > max_length:
                return root
            return cand
    return root


def positive_on_interval(expr, var: sp.Symbol, lo, hi) -> bool:
    """Exactly: ``expr`` (rational in ``var``) has no zero or pole in (lo, hi) and is positive there."""
    num, den = sp.fraction(sp.cancel(sp.together(sp.sympify(expr))))
    lo, hi = sp.nsimplify(lo), sp.nsimplify(hi)
    for part in (num, den):
        poly = sp.Poly(part, var)
        if poly.degree() > 0:
            n = poly.count_roots(lo, hi) - int(poly.eval(lo) == 0) - int(poly.eval(hi) == 0)
            if n:
                return False
    return bool(sp.sympify(expr).subs(var, (lo + hi) / 2) > 0)


def facet_thresholds(model: SymbolicSources, parameter: sp.Symbol, lo, hi) -> list[Threshold]:
    """Every parameter value in (lo, hi) where the facet-test verdict of ``model`` flips.

    Parameters
    ----------
    model : SymbolicSources
        A family with hull facets, depending on ``parameter``.
    parameter : sympy.Symbol
    lo, hi : numbers
        Open parameter interval on which the family is valid.

    Raises
    ------
    BiomodularError
        If the model has no facets or F is not positive definite on the whole
        interval (the facet test would not be exact there).
    """
    cond = modularity_condition(model)
    if model.facets is None:
        raise BiomodularError("this model has no facet list; use the direction form")
    lo, hi = sp.nsimplify(lo), sp.nsimplify(hi)
    F = cond.F
    for k in range(1, F.shape[0] + 1):
        if not positive_on_interval(sp.factor(F[:k, :k].det()), parameter, lo, hi):
            raise BiomodularError(
                f"F is not positive definite on the whole interval ({lo}, {hi}); "
                "split the interval or use the direction form"
            )
    candidates = []  # (root, facet index, irreducible factor)
    for i, gap in enumerate(cond.facet_gaps):
        num, den = sp.fraction(sp.cancel(sp.together(gap)))
        if not sp.sympify(num).has(parameter):
            continue
        for factor, _ in sp.factor_list(sp.Poly(num, parameter))[1]:
            for root in sp.real_roots(factor):
                if bool(lo < root) and bool(root < hi):
                    candidates.append((root, i, factor.as_expr()))
    points = sorted({r for r, _, _ in candidates}, key=lambda r: sp.N(r, 50))

    def verdict(x) -> str:
        values = [sp.sympify(g).subs(parameter, x) for g in cond.facet_gaps]
        return "modular" if all(bool(v >= 0) for v in values) else "mixed"

    def between(a, b):
        # a rational strictly between two algebraic numbers
        a_n, b_n = sp.N(a, 60), sp.N(b, 60)
        return sp.nsimplify((a_n + b_n) / 2, rational=True, tolerance=(b_n - a_n) / 10)

    grid = [lo] + points + [hi]
    probes = [between(grid[i], grid[i + 1]) for i in range(len(grid) - 1)]
    results = []
    for k, root in enumerate(points):
        left, right = verdict(probes[k]), verdict(probes[k + 1])
        if left == right:
            continue
        facet, factor = next((i, f) for r, i, f in candidates if r == root)
        results.append(
            Threshold(
                parameter=parameter.name,
                value=exact_form(root, factor),
                decimal=float(sp.N(root, 20)),
                polynomial=factor,
                interval=(lo, hi),
                below=left,
                above=right,
                facet=facet,
            )
        )
    return results
