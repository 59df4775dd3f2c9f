"""Ellipse in the hull: the direction form equals the facet test (support functions), both directions."""

from __future__ import annotations

import sympy as sp

from .proof import SOS, AllOf, Conjunction, Eq, Ge, Identity, Inequality, Nonneg, Proof

__all__ = ["ellipse_in_hull_proof"]


def ellipse_in_hull_proof() -> Proof:
    """Support function of the ellipsoid, for any d; the facet test in both directions."""
    A = sp.Symbol("A", positive=True)  # w^T F w
    B, Q, N = sp.symbols("B Q N", real=True)  # w . x, x^T F^-1 x, ||A x - B F w||^2_{F^-1}
    h, m, g = sp.symbols("h_f m_f g", real=True)
    s_ = sp.Symbol("s", nonnegative=True)
    p = Proof(
        name="ellipse-in-hull",
        title="Direction form = ellipse inside the hull; the facet test, both directions",
        setting=(
            "$F$ positive definite ($d \\times d$, any $d$), $\\mathcal{E} = \\{x : x^TF^{-1}x \\le 1\\}$. For a "
            "direction $w$ and a point $x$: $A = w^TFw > 0$, $B = w\\cdot x$, $Q = x^TF^{-1}x$, and "
            "$N = (Ax - BFw)^TF^{-1}(Ax - BFw)$. $m(w) = \\min_{x \\in P} w\\cdot x$ over the centred hull $P$, so "
            "$m(w) = -h_P(-w)$ with $h_P$ its support function; a facet of $P$ is $\\{a_f\\cdot x \\le h_f\\}$ "
            "and $m(-a_f) = -h_f$. $s = \\sqrt{w^TFw}$ is the ellipsoid's support value $h_{\\mathcal{E}}(w)$ "
            "(parts 1-3)."
        ),
        gloss=("(1-3) $h_{\\mathcal{E}}(w) = \\sqrt{w^TFw}$: every $x \\in \\mathcal{E}$ has $w\\cdot x \\le "
               "\\sqrt{w^TFw}$, with equality at $x^* = Fw/\\sqrt{w^TFw}$ on the boundary. (4) Direction form "
               "$\\Rightarrow$ facet test: at $w = -a_f$ the direction form reads $h_f^2 \\ge a_f^TFa_f$. "
               "(5) Facet test $\\Rightarrow$ direction form: if $\\sqrt{w^TFw} \\le -m(w)$ (the ellipsoid is "
               "inside the half-space of every supporting direction, which the facets imply by the axioms) then "
               "$m(w)^2 \\ge w^TFw$. Hence $m(w)^2 \\ge w^TFw$ for all $w$ $\\iff$ $\\mathcal{E} \\subseteq P$ "
               "$\\iff$ every facet has $a_f^TFa_f \\le h_f^2$."),
    )
    p.hypothesis("H_norm", Ge(N, 0), "$F^{-1}$ is positive definite, so the $F^{-1}$-norm of $Ax - BFw$ is "
                                     "$\\ge 0$.")
    p.hypothesis("H_expand", Eq(N, A**2 * Q - 2 * A * B * B + B**2 * A),
                 "bilinearity, $F$ symmetric and $F^{-1}F = I$: $N = A^2Q - 2AB\\,(w\\cdot x) + B^2\\,w^TFw$.")
    p.hypothesis("H_dir", Ge(m**2 - g, 0), "the direction form at $w = -a_f$: $m(-a_f)^2 \\ge a_f^TFa_f = g$.")
    p.hypothesis("H_facet", Eq(m, -h), "$m(-a_f) = -h_f$ (the facet supports $P$).")
    p.hypothesis("H_inside", Ge(-m - s_, 0), "$\\mathcal{E}$ lies in $\\{w\\cdot x \\ge m(w)\\}$: "
                                             "$h_{\\mathcal{E}}(-w) = s \\le -m(w)$.")
    x1, x2, w1, w2 = sp.symbols("x_1 x_2 w_1 w_2", real=True)
    l11, l22 = sp.symbols("l_11 l_22", positive=True)
    l21 = sp.Symbol("l_21", real=True)
    L = sp.Matrix([[l11, 0], [l21, l22]])
    F = L * L.T
    w = sp.Matrix([w1, w2])
    q = (w.T * F * w)[0]
    xs = F * w / sp.sqrt(q)
    boundary = (xs.T * F.inv() * xs)[0]
    attain = (w.T * xs)[0]
    p.conclusion = AllOf(
        Ge(A * Q, B**2),
        Eq(boundary, 1, where=(sp.Ne(q, 0),)), Eq(attain, sp.sqrt(q), where=(sp.Ne(q, 0),)),
        Ge(h**2, g), Ge(m**2, s_**2),
    )
    p.add(Inequality(
        A * Q, B**2, Nonneg(sp.Integer(0)),
        "Cauchy-Schwarz in the $F$ geometry, for any $d$: $A(AQ - B^2) = N \\ge 0$ and $A > 0$. So for "
        "$x \\in \\mathcal{E}$ ($Q \\le 1$): $w\\cdot x \\le \\sqrt{w^TFw}$.",
        premises=("H_norm", "H_expand"), multipliers=(("H_norm", 1),), scale=A,
    ))
    p.add(Identity(boundary, 1, "The point $x^* = Fw/\\sqrt{w^TFw}$ is on the boundary of $\\mathcal{E}$ "
                                "(two dimensions, $F = LL^T$ with symbolic Cholesky factor) ...",
                   label="x^{*T}F^{-1}x^*", where=(sp.Ne(q, 0),)))
    p.add(Identity(attain, sp.sqrt(q), "... and attains the bound: $h_{\\mathcal{E}}(w) = \\sqrt{w^TFw}$.",
                   label="w\\cdot x^*", where=(sp.Ne(q, 0),)))
    p.add(Inequality(h**2, g, Nonneg(sp.Integer(0)), "Direction form at $w = -a_f$ gives the facet test.",
                     premises=("H_dir", "H_facet"), multipliers=(("H_dir", 1),)))
    p.add(Inequality(
        m**2, s_**2, SOS(((1, -m - s_),)),
        "Facet test $\\Rightarrow$ ellipsoid inside $P$ (axioms `polytope-facets`, `support-function-order`) "
        "$\\Rightarrow$ $-m(w) \\ge s \\ge 0$, so $m(w)^2 - s^2 = (-m - s)^2 + 2s(-m - s) \\ge 0$.",
        premises=("H_inside", "axiom:polytope-facets", "axiom:support-function-order"),
        multipliers=(("H_inside", 2 * s_),),
    ))
    p.add(Conjunction(p.conclusion.parts, "The five parts.", premises=("s1", "s2", "s3", "s4", "s5")))
    p.references = ("Dorrell et al., ICLR 2025, Theorem 2.2 (geometric form); docs/mathematics.md, "
                    "\"The exact modularity condition\".")
    return p
