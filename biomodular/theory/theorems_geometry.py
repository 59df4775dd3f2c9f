"""Ellipse in the hull: the direction form equals the facet test (support functions), both directions."""

from __future__ import annotations

import sympy as sp

from .proof import SOS, AllOf, Conjunction, Eq, Ge, Identity, Inequality, Nonneg, Proof
from .trace import RingIdentity

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
        gloss=(
            "(1-3) $h_{\\mathcal{E}}(w) = \\sqrt{w^TFw}$: every $x \\in \\mathcal{E}$ has $w\\cdot x \\le "
            "\\sqrt{w^TFw}$, with equality at $x^* = Fw/\\sqrt{w^TFw}$ on the boundary. (4) Direction form "
            "$\\Rightarrow$ facet test: at $w = -a_f$ the direction form reads $h_f^2 \\ge a_f^TFa_f$. "
            "(5) Facet test $\\Rightarrow$ direction form: if $\\sqrt{w^TFw} \\le -m(w)$ (the ellipsoid is "
            "inside the half-space of every supporting direction, which the facets imply by the axioms) then "
            "$m(w)^2 \\ge w^TFw$. Hence $m(w)^2 \\ge w^TFw$ for all $w$ $\\iff$ $\\mathcal{E} \\subseteq P$ "
            "$\\iff$ every facet has $a_f^TFa_f \\le h_f^2$."
        ),
    )
    # F, F^{-1} (d x d) and the columns w, x as noncommutative symbols: every step holds for every d
    d = sp.Symbol("d", integer=True, positive=True)
    Fm, Fi, wv, wt, x, xt = sp.symbols("F F^{-1} w w^T x x^T", commutative=False)
    col, row = (d, sp.Integer(1)), (sp.Integer(1), d)
    shapes = ((Fm, (d, d)), (Fi, (d, d)), (wv, col), (wt, row), (x, col), (xt, row))
    pairs = ((Fm, Fm), (Fi, Fi), (wv, wt), (wt, wv), (x, xt), (xt, x))
    form = (A * xt - B * wt * Fm) * Fi * (A * x - B * Fm * wv)  # (Ax - BFw)^T F^-1 (Ax - BFw)
    p.hypothesis("H_norm", Ge(N, 0), "$F^{-1}$ is positive definite, so the $F^{-1}$-norm of $Ax - BFw$ is $\\ge 0$.")
    p.hypothesis("H_N", Eq(N, form), "the $F^{-1}$-norm of $Ax - BFw$.")
    p.hypothesis("H_Finv", Eq(Fm * Fi, 1), "$F$ is invertible ...")
    p.hypothesis("H_Finv2", Eq(Fi * Fm, 1), "... from both sides.")
    p.hypothesis("H_A", Eq(wt * Fm * wv, A), "$A = w^TFw$.")
    p.hypothesis("H_B", Eq(wt * x, B), "$B = w\\cdot x$ ...")
    p.hypothesis("H_Bt", Eq(xt * wv, B), "... $= x\\cdot w$.")
    p.hypothesis("H_Q", Eq(xt * Fi * x, Q), "$Q = x^TF^{-1}x$.")
    p.hypothesis("H_dir", Ge(m**2 - g, 0), "the direction form at $w = -a_f$: $m(-a_f)^2 \\ge a_f^TFa_f = g$.")
    p.hypothesis("H_facet", Eq(m, -h), "$m(-a_f) = -h_f$ (the facet supports $P$).")
    p.hypothesis(
        "H_inside",
        Ge(-m - s_, 0),
        "$\\mathcal{E}$ lies in $\\{w\\cdot x \\ge m(w)\\}$: $h_{\\mathcal{E}}(-w) = s \\le -m(w)$.",
    )
    xs, xst = Fm * wv / sp.sqrt(A), wt * Fm / sp.sqrt(A)  # x* = Fw / sqrt(A) and its transpose (F symmetric)
    boundary = xst * Fi * xs
    attain = wt * xs
    p.conclusion = AllOf(
        Ge(A * Q, B**2),
        Eq(boundary, 1),
        Eq(attain, sp.sqrt(A)),
        Ge(h**2, g),
        Ge(m**2, s_**2),
    )
    p.add(
        RingIdentity(
            form,
            A**2 * Q - 2 * A * B * B + B**2 * A,
            shapes,
            pairs,
            "Bilinearity, for any $d$: $F^{-1}F = FF^{-1} = I$ and the scalar products $w^TFw = A$, "
            "$w\\cdot x = B$, $x^TF^{-1}x = Q$.",
            premises=("H_Finv", "H_Finv2", "H_A", "H_B", "H_Bt", "H_Q"),
        )
    )
    p.add(
        Identity(
            N,
            A**2 * Q - 2 * A * B * B + B**2 * A,
            "So $N = A^2Q - 2AB^2 + AB^2$.",
            premises=("H_N", "s1"),
            multipliers=(("s1", 1),),
        )
    )
    p.add(
        Inequality(
            A * Q,
            B**2,
            Nonneg(sp.Integer(0)),
            "Cauchy-Schwarz in the $F$ geometry, for any $d$: $A(AQ - B^2) = N \\ge 0$ and $A > 0$. So for "
            "$x \\in \\mathcal{E}$ ($Q \\le 1$): $w\\cdot x \\le \\sqrt{w^TFw}$.",
            premises=("H_norm", "s2"),
            multipliers=(("H_norm", 1),),
            scale=A,
        )
    )
    p.add(
        RingIdentity(
            boundary,
            1,
            shapes,
            pairs,
            "The point $x^* = Fw/\\sqrt{w^TFw}$ is on the boundary of $\\mathcal{E}$ (any $d$: "
            "$x^{*T}F^{-1}x^* = w^TFF^{-1}Fw/A = 1$) ...",
            premises=("H_Finv", "H_A"),
        )
    )
    p.add(
        RingIdentity(
            attain,
            sp.sqrt(A),
            shapes,
            pairs,
            "... and attains the bound: $w\\cdot x^* = A/\\sqrt A = \\sqrt{w^TFw}$, so "
            "$h_{\\mathcal{E}}(w) = \\sqrt{w^TFw}$.",
            premises=("H_A",),
        )
    )
    p.add(
        Inequality(
            h**2,
            g,
            Nonneg(sp.Integer(0)),
            "Direction form at $w = -a_f$ gives the facet test.",
            premises=("H_dir", "H_facet"),
            multipliers=(("H_dir", 1),),
        )
    )
    p.add(
        Inequality(
            m**2,
            s_**2,
            SOS(((1, -m - s_),)),
            "Facet test $\\Rightarrow$ ellipsoid inside $P$ (axioms `polytope-facets`, `support-function-order`) "
            "$\\Rightarrow$ $-m(w) \\ge s \\ge 0$, so $m(w)^2 - s^2 = (-m - s)^2 + 2s(-m - s) \\ge 0$.",
            premises=("H_inside", "axiom:polytope-facets", "axiom:support-function-order"),
            multipliers=(("H_inside", 2 * s_),),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "The five parts.", premises=("s3", "s4", "s5", "s6", "s7")))
    p.references = (
        "Dorrell et al., ICLR 2025, Theorem 2.2 (geometric form); docs/mathematics.md, "
        '"The exact modularity condition".'
    )
    return p
