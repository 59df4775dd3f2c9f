"""Expectation of polynomials in random variables, from a table of moments."""

from __future__ import annotations

from typing import Mapping

import sympy as sp

from ..errors import BiomodularError

__all__ = ["expect", "Mean", "linear_mean"]


def expect(expr, moments: Mapping) -> sp.Expr:
    """``<expr>`` for a polynomial in random variables, by linearity.

    Parameters
    ----------
    expr : sympy expression
        Polynomial in the random variables (coefficients may be any
        expressions free of them).
    moments : mapping monomial -> value
        E.g. ``{x: 0, x**2: C, x*y: C12}``; the random variables are the
        symbols appearing in the keys.  A monomial missing from the table is
        an error (no moment is assumed silently).
    """
    variables = sorted(set().union(*[sp.sympify(k).free_symbols for k in moments]), key=lambda s: s.name)
    table = {sp.Poly(k, *variables).monoms()[0]: v for k, v in moments.items()}
    poly = sp.Poly(sp.expand(expr), *variables)
    total = sp.Integer(0)
    for monom, coeff in poly.terms():
        if all(e == 0 for e in monom):
            total += coeff
            continue
        if monom not in table:
            term = sp.Mul(*[v**e for v, e in zip(variables, monom)])
            raise BiomodularError(f"no moment given for {term}")
        total += coeff * table[monom]
    return total


class Mean(sp.Function):
    """``Mean(X)``: the expectation ``<X>`` of a random quantity, kept unevaluated.

    Facts about means are proved with the rules :class:`~biomodular.theory.proof.Linearity`
    (linearity of expectation) and :class:`~biomodular.theory.proof.Averaged`
    (a pointwise relation holds between the means); a moment is a hypothesis
    such as ``Eq(Mean(x), 0)``.
    """

    nargs = 1

    def _latex(self, printer):
        return "\\left\\langle " + printer._print(self.args[0]) + "\\right\\rangle"

    def _sympystr(self, printer):
        return "<" + printer._print(self.args[0]) + ">"


def linear_mean(expr, random) -> sp.Expr:
    """``<expr>`` by linearity: a polynomial in the ``random`` symbols, each monomial's mean left as ``Mean``."""
    random = list(random)
    poly = sp.Poly(sp.expand(expr), *random)
    total = sp.Integer(0)
    for monom, coeff in poly.terms():
        if all(e == 0 for e in monom):
            total += coeff
        else:
            total += coeff * Mean(sp.Mul(*[v**e for v, e in zip(random, monom)]))
    return total
