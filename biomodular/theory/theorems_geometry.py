"""Ellipse in the hull: the direction form equals the facet test (support functions), both directions."""

from __future__ import annotations

import sympy as sp

from .proof import SOS, AllOf, Conjunction, Eq, Ge, Identity, Inequality, InPolytope, Nonneg, Proof
from .trace import RingIdentity

__all__ = ["ellipse_in_hull_proof"]


def ellipse_in_hull_proof() -> Proof:
    """Support function of the ellipsoid, for any d; the facet test in both directions."""
    A = sp.Symbol("A", positive=True)  # w^T F w
    B, Q, N = sp.symbols("B Q N", real=True)  # w . x, x^T F^-1 x, ||A x - B F w||^2_{F^-1}
    h, m, g = sp.symbols("h_f m_f g", real=True)
    # the converse's generic facet e (its offset is positive: the mean is inside the hull)
    he, ge = sp.Symbol("h_e", positive=True), sp.Symbol("g_e", real=True)
    mw, Bf, N2 = sp.symbols("m_w B_e N_2", real=True)
    p = Proof(
        name="ellipse-in-hull",
        title="Direction form = ellipse inside the hull; the facet test, both directions",
        setting=(
            "$F$ positive definite ($d \\times d$, any $d$), $\\mathcal{E} = \\{x : x^TF^{-1}x \\le 1\\}$. For a "
            "direction $w$ and a point $x$: $A = w^TFw > 0$, $B = w\\cdot x$, $Q = x^TF^{-1}x$, and "
            "$N = (Ax - BFw)^TF^{-1}(Ax - BFw)$. $m(w) = \\min_{x \\in P} w\\cdot x$ over the centred hull $P$, so "
            "$m(w) = -h_P(-w)$ with $h_P$ its support function; a facet of $P$ is $\\{a_f\\cdot x \\le h_f\\}$, "
            "and $m(-a_f) = -h_f$. In the converse $e$ is a generic facet (every statement about it holds for "
            "every facet), with normal $a_e$, offset $h_e > 0$ (the mean, the origin, is inside the hull) and "
            "test quantity $g_e = a_e^TFa_e$; $m_w = m(w)$, $B_e = a_e^TFw$ and "
            "$N_2 = (Aa_e - B_ew)^TF(Aa_e - B_ew)$."
        ),
        gloss=(
            "(1-3) $h_{\\mathcal{E}}(w) = \\sqrt{w^TFw}$: every $x \\in \\mathcal{E}$ has $w\\cdot x \\le "
            "\\sqrt{w^TFw}$, with equality at $x^* = Fw/\\sqrt{w^TFw}$ on the boundary. (4) Direction form "
            "$\\Rightarrow$ facet test: at $w = -a_f$ the direction form reads $h_f^2 \\ge a_f^TFa_f$. "
            "(5) Facet test $\\Rightarrow$ direction form: if every facet passes, $a_e^TFa_e \\le h_e^2$, the "
            "point $x^- = -Fw/\\sqrt{w^TFw}$ of $\\mathcal{E}$ satisfies every facet inequality ($a_e\\cdot x^- "
            "\\le \\sqrt{a_e^TFa_e} \\le h_e$, Cauchy-Schwarz in the $F$ geometry), so it lies in $P$ "
            "(axiom `polytope-facets`, the only fact about convex sets used) and $m(w) \\le w\\cdot x^- = "
            "-\\sqrt{w^TFw}$, i.e. $m(w)^2 \\ge w^TFw$. Hence $m(w)^2 \\ge w^TFw$ for all $w$ $\\iff$ $\\mathcal{E} \\subseteq P$ "
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
    av, at = sp.symbols("a_e a_e^T", commutative=False)
    shapes_e: tuple = shapes + ((av, col), (at, row))
    pairs_e: tuple = pairs + ((av, at), (at, av))
    p.hypothesis("H_test", Ge(he**2, ge), "the facet test, for every facet $e$: $a_e^TFa_e \\le h_e^2$ ...")
    p.hypothesis("H_g", Eq(at * Fm * av, ge), "... with $g_e = a_e^TFa_e$.")
    p.hypothesis("H_Be", Eq(at * Fm * wv, Bf), "$B_e = a_e^TFw$ ...")
    p.hypothesis("H_Be2", Eq(wt * Fm * av, Bf), "... $= w^TFa_e$ ($F$ symmetric).")
    form2 = (A * at - Bf * wt) * Fm * (A * av - Bf * wv)
    p.hypothesis("H_N2", Eq(N2, form2), "the $F$-norm of $Aa_e - B_ew$ ...")
    p.hypothesis("H_norm2", Ge(N2, 0), "... is $\\ge 0$ ($F$ positive definite).")
    xs, xst = Fm * wv / sp.sqrt(A), wt * Fm / sp.sqrt(A)  # x* = Fw / sqrt(A) and its transpose (F symmetric)
    boundary = xst * Fi * xs
    attain = wt * xs
    p.conclusion = AllOf(
        Ge(A * Q, B**2),
        Eq(boundary, 1),
        Eq(attain, sp.sqrt(A)),
        Ge(h**2, g),
        Ge(mw**2, A),
    )
    p.add(
        RingIdentity(
            form,
            A**2 * Q - 2 * A * B * B + B**2 * A,
            shapes_e,
            pairs_e,
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
            shapes_e,
            pairs_e,
            "The point $x^* = Fw/\\sqrt{w^TFw}$ is on the boundary of $\\mathcal{E}$ (any $d$: "
            "$x^{*T}F^{-1}x^* = w^TFF^{-1}Fw/A = 1$) ...",
            premises=("H_Finv", "H_A"),
        )
    )
    p.add(
        RingIdentity(
            attain,
            sp.sqrt(A),
            shapes_e,
            pairs_e,
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
    xm = -Fm * wv / sp.sqrt(A)  # the point of the ellipsoid where w . x is smallest
    t1 = p.add(
        RingIdentity(
            form2,
            A**2 * ge - 2 * A * Bf * Bf + Bf**2 * A,
            shapes_e,
            pairs_e,
            "Converse. The $F$-norm of $Aa_e - B_ew$ by bilinearity (any $d$).",
            premises=("H_g", "H_Be", "H_Be2", "H_A"),
        )
    ).name
    t2 = p.add(
        Identity(
            N2, A**2 * ge - A * Bf**2, "So $N_2 = A(Ag_e - B_e^2)$.", premises=("H_N2", t1), multipliers=((t1, 1),)
        )
    ).name
    t3 = p.add(
        Inequality(
            A * ge,
            Bf**2,
            Nonneg(sp.Integer(0)),
            "Cauchy-Schwarz for $a_e$ and $w$: $(a_e^TFw)^2 \\le (a_e^TFa_e)(w^TFw)$.",
            premises=("H_norm2", t2),
            multipliers=(("H_norm2", 1),),
            scale=A,
        )
    ).name
    t4 = p.add(
        RingIdentity(
            at * xm,
            -Bf / sp.sqrt(A),
            shapes_e,
            pairs_e,
            "The point $x^- = -Fw/\\sqrt{w^TFw}$ (on the boundary of $\\mathcal{E}$, step 4 for $-w$) has "
            "$a_e\\cdot x^- = -B_e/\\sqrt A$ ...",
            premises=("H_Be",),
        )
    ).name
    t5 = p.add(
        Inequality(
            he,
            -Bf / sp.sqrt(A),
            SOS(((1, he + Bf / sp.sqrt(A)),)),
            "... which is at most $h_e$: $B_e^2/A \\le g_e \\le h_e^2$ and $h_e > 0$, so "
            "$2h_e(h_e + B_e/\\sqrt A) = (h_e + B_e/\\sqrt A)^2 + (h_e^2 - B_e^2/A) \\ge 0$. So $x^-$ satisfies "
            "every facet inequality.",
            premises=("H_test", t3),
            multipliers=(("H_test", 1), (t3, 1 / A)),
            scale=2 * he,
        )
    ).name
    t6 = p.add(
        RingIdentity(
            wt * xm,
            -sp.sqrt(A),
            shapes_e,
            pairs_e,
            "Its value along $w$: $w\\cdot x^- = -\\sqrt{w^TFw}$.",
            premises=("H_A",),
        )
    ).name
    t7 = p.add(
        InPolytope(
            xm,
            at,
            he,
            wt,
            mw,
            -sp.sqrt(A),
            "$x^-$ satisfies every facet inequality, so it lies in $P$ (axiom `polytope-facets`), and the minimum "
            "of $w\\cdot x$ over $P$ is at most its value there.",
            premises=(t4, t5, t6, "axiom:polytope-facets"),
        )
    ).name
    t8 = p.add(
        Inequality(
            mw**2,
            A,
            SOS(((1, -mw - sp.sqrt(A)),)),
            "So $-m(w) \\ge \\sqrt{w^TFw} \\ge 0$ and $m(w)^2 - w^TFw = (-m(w) - \\sqrt A)^2 + "
            "2\\sqrt A(-m(w) - \\sqrt A) \\ge 0$: the direction form, for every $w$.",
            premises=(t7,),
            multipliers=((t7, 2 * sp.sqrt(A)),),
        )
    ).name
    p.add(Conjunction(p.conclusion.parts, "The five parts.", premises=("s3", "s4", "s5", "s6", t8)))
    p.references = (
        "Dorrell et al., ICLR 2025, Theorem 2.2 (geometric form); docs/mathematics.md, "
        '"The exact modularity condition".'
    )
    return p
