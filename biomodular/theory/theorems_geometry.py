"""Item 3: the direction form equals ellipse-in-hull (support functions), and the facet test."""

from __future__ import annotations

import sympy as sp

from .models import cut_box, uniform_box
from .modular import modularity_condition
from .proof import SOS, Identity, Inequality, Proof, SignCases

__all__ = ["ellipse_in_hull_proof"]


def ellipse_in_hull_proof() -> Proof:
    l11, l22 = sp.symbols("l_11 l_22", positive=True)
    l21 = sp.Symbol("l_21", real=True)
    w1, w2, x1, x2 = sp.symbols("w_1 w_2 x_1 x_2", real=True)
    L = sp.Matrix([[l11, 0], [l21, l22]])
    F = L * L.T
    w = sp.Matrix([w1, w2])
    x = sp.Matrix([x1, x2])
    p = Proof(
        name="ellipse-in-hull",
        title="Direction form = ellipse inside the hull; the facet test",
        statement=(
            "Let $F$ be positive definite and $\\mathcal{E} = \\{x : x^TF^{-1}x \\le 1\\}$. Its support function "
            "is $h_{\\mathcal{E}}(u) = \\sqrt{u^TFu}$, and $m(w) = -h_P(-w)$ where $h_P$ is the support function "
            "of the centred hull $P$. Hence $m(w)^2 \\ge w^TFw$ for all $w$ $\\iff$ "
            "$h_{\\mathcal{E}} \\le h_P$ $\\iff$ $\\mathcal{E} \\subseteq P$ $\\iff$ every facet "
            "$\\{n_f\\cdot x \\le h_f\\}$ of $P$ has $n_f^TFn_f \\le h_f^2$."
        ),
        setting=(
            "Two dimensions are shown for the support-function identity ($F = LL^T$, Cholesky factor $L$); the "
            "argument is the same in any dimension. Directions of the last steps are facet normals of the "
            "cut-corner square (THEORY.md s.2)."
        ),
    )
    a = L.T * w
    bvec = L.inv() * x
    p.add(Inequality(
        (w.T * F * w)[0] * (x.T * F.inv() * x)[0], ((w.T * x)[0]) ** 2,
        SOS(((1, a[0] * bvec[1] - a[1] * bvec[0]),)),
        "Cauchy-Schwarz in the coordinates $a = L^Tw$, $b = L^{-1}x$ (Lagrange's identity): so "
        "$w\\cdot x \\le \\sqrt{w^TFw}$ for every $x \\in \\mathcal{E}$.",
        label="(w^TFw)(x^TF^{-1}x)",
    ))
    q = (w.T * F * w)[0]
    xs = F * w / sp.sqrt(q)
    p.add(Identity(
        (xs.T * F.inv() * xs)[0], 1,
        "The point $x^* = Fw/\\sqrt{w^TFw}$ lies on the boundary of $\\mathcal{E}$ ...",
        label="x^{*T}F^{-1}x^*",
    ))
    p.add(Identity(
        (w.T * xs)[0], sp.sqrt(q),
        "... and attains the bound, so $h_{\\mathcal{E}}(w) = \\sqrt{w^TFw}$ (an even function of $w$).",
        label="w \\cdot x^*",
    ))
    # facet specialisation on a concrete hull
    for cval in (sp.Integer(1),):
        model = cut_box(2, cval)
        cond = modularity_condition(model)
        for (af, bf), gap in zip(model.facets, cond.facet_gaps):
            p.add(Identity(
                cond.direction_gap(-af), gap,
                f"Cut-corner square, $c = {sp.latex(cval)}$, facet ${sp.latex(af.T)}x \\le {sp.latex(bf)}$: "
                "the direction form at $w = -a_f$ equals the facet test quantity $h_f^2 - a_f^TFa_f$ "
                "(since $m(-a_f) = -h_f$). So the direction form implies the facet test.",
                label="m(-a_f)^2 - a_f^TFa_f",
            ))
    square = uniform_box([-1, -1], [1, 1])
    sq = modularity_condition(square)
    ww1, ww2 = sp.symbols("w_1 w_2", real=True)
    p.add(Inequality(
        square.support_min([ww1, ww2]) ** 2, (sp.Matrix([ww1, ww2]).T * sq.F * sp.Matrix([ww1, ww2]))[0],
        SignCases((ww1, ww2)),
        "Example, uniform square $[-1,1]^2$ ($F = I$): the direction form holds; $\\mathcal{E}$ is the "
        "inscribed unit disc, touching all four facets ($n_f^TFn_f = h_f^2 = 1$).",
    ))
    p.conclusion = (
        "Conversely, if every facet passes then $\\mathcal{E} \\subseteq P$ (a point outside $P$ violates some "
        "facet inequality, while steps 1-3 bound $n_f\\cdot x$ on $\\mathcal{E}$ by $\\sqrt{n_f^TFn_f} \\le h_f$); "
        "then $h_{\\mathcal{E}}(-w) \\le h_P(-w) = -m(w)$ for every $w$, and squaring ($m(w) \\le 0$ because the "
        "mean is inside) gives the direction form. When $F$ is not positive definite the ellipsoid is not "
        "defined and the direction form is the specification."
    )
    p.references = "Dorrell et al., ICLR 2025, Theorem 2.2 (geometric form); THEORY.md s.2."
    return p
