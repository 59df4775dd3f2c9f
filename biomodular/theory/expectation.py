"""Expectation of polynomials in random variables, from a table of moments."""

from __future__ import annotations

from typing import Mapping

import sympy as sp

from ..errors import BiomodularError

__all__ = ["expect"]


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
