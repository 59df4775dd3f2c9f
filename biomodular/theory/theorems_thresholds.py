"""Items 8-9: exact cut thresholds of the cut-corner square and the cut-corner cube."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .models import cut_box, polygon
from .modular import modularity_condition
from .proof import Identity, Inequality, NoRootIn, Nonneg, Proof, RootOf
from .thresholds import Threshold, facet_thresholds

__all__ = ["cut_square_proof", "cut_cube_proof", "cut_box_threshold", "C"]

#: The cut parameter of the cut-corner families.
C = sp.Symbol("c", real=True)


@lru_cache(maxsize=None)
def cut_box_threshold(d: int) -> Threshold:
    """The exact cut ``c*`` where the cube ``[-1,1]^d`` minus ``{sum x < -c}`` starts to mix.

    Valid for ``d = 2, 3`` (searched on the range ``d - 2 < c < d`` where the
    cut removes a proper corner); modular for ``c >= c*``, mixed below.
    """
    found = facet_thresholds(cut_box(d, C), C, d - 2, d)
    if len(found) != 1:  # pragma: no cover - would be a mathematical surprise, reported
        raise RuntimeError(f"expected one threshold for d = {d}, found {found}")
    return found[0]


def _rational_between(a, b):
    a_n, b_n = sp.N(a, 40), sp.N(b, 40)
    return sp.nsimplify((a_n + b_n) / 2, rational=True, tolerance=(b_n - a_n) / 10)


def _cut_proof(d: int) -> Proof:
    c = C
    lo, hi = d - 2, d
    model = cut_box(d, c)
    cond = modularity_condition(model)
    thr = cut_box_threshold(d)
    cstar = thr.value
    mu = model.mean[0]
    beta = model.beta[0]
    p = Proof(name="", title="", statement="")
    if d == 2:
        verts = [(1, -1), (1, 1), (-1, 1), (-1, 1 - c), (1 - c, -1)]
        poly_model = polygon(verts)
        p.add(Identity(
            model.mean, poly_model.mean,
            "Mean of the uniform density on the square minus the triangle, two routes: (box moments minus "
            "triangle moments) and (fan triangulation of the pentagon) agree for every $c$.",
            domain=((c, (lo, hi)),), label="\\mu_{\\text{box} - \\text{triangle}}(c)",
        ))
        p.add(Identity(
            model.cov, poly_model.cov,
            "Covariance, the same two routes.",
            domain=((c, (lo, hi)),), label="C_{\\text{box} - \\text{triangle}}(c)",
        ))
    else:
        for (a1, a2) in ((0, 1), (0, 2), (1, 2)):
            p.add(Inequality(
                c - 1, 0, NoRootIn(c, lo, hi),
                f"Sources {a1 + 1} and {a2 + 1} look range independent: each corner "
                f"$(\\pm1, \\pm1)$ of their box is the projection of a point with the third coordinate $= 1$, "
                f"which is in the support since its coordinate sum is $\\ge -1 \\ge -c$.",
            ))
        p.add(Inequality(
            3 - c, 0, NoRootIn(c, lo, hi),
            "... but the three together are not: the corner $(-1,-1,-1)$ has sum $-3 < -c$ and is removed.",
        ))
    p.add(Identity(
        mu, sp.factor(mu), f"Closed form of the common mean $\\mu$ of the {d} sources (by symmetry all equal).",
        label="\\mu",
    ))
    p.add(Inequality(
        mu, 0, NoRootIn(c, lo, hi),
        f"$\\mu > 0$ on $({lo}, {hi})$: the nearer extreme of every source is its maximum 1, so "
        "$\\beta = 1 - \\mu$ (the minimum $-1$ is still attained because the cut meets only the edges at the "
        "corner).",
        label="\\mu",
    ))
    p.add(Inequality(
        beta, 0, NoRootIn(c, lo, hi), "$\\beta = 1 - \\mu > 0$.", label="\\beta",
    ))
    detF = sp.factor(model.modularity_matrix.det())
    p.add(Inequality(
        detF, 0, NoRootIn(c, lo, hi),
        "$\\det F > 0$ on the whole range" + (" (with $F_{11} = \\beta^2 > 0$, Sylvester)" if d == 2 else
                                                " (and the leading 2x2 minor below)") +
        ", so $F$ is positive definite and the facet test is exact (`ellipse-in-hull`).",
        label="\\det F",
    ))
    if d == 3:
        minor2 = sp.factor(model.modularity_matrix[:2, :2].det())
        p.add(Inequality(minor2, 0, NoRootIn(c, lo, hi), "Leading 2x2 minor of $F$ positive.",
                         label="\\det F_{[1:2, 1:2]}"))
    gaps = cond.facet_gaps
    cut_gap = gaps[-1]
    for (a, b), gap in zip(model.facets[:-1], gaps[:-1]):
        if sp.simplify(gap) == 0:
            p.add(Identity(gap, 0, f"Facet ${sp.latex(a.T)}x \\le {b}$ (a maximum of a source): "
                                   "$h_f = 1 - \\mu = \\beta$, so the ellipsoid touches it; the test holds with "
                                   "equality.", domain=((c, (lo, hi)),), label="h_f^2 - a_f^TFa_f"))
    minus_gap = next(g for (a, b), g in zip(model.facets[:-1], gaps[:-1]) if sp.simplify(g) != 0)
    p.add(Inequality(
        minus_gap, 0, NoRootIn(c, lo, hi),
        "Facets at the minima ($x_j \\ge -1$): $h_f^2 - \\beta^2 = (1 + \\mu)^2 - (1 - \\mu)^2 = 4\\mu > 0$.",
        label="h_f^2 - a_f^TFa_f",
    ))
    ones = sp.ones(d, 1)
    p.add(Identity(
        ((c + d * mu) ** 2 - (ones.T * model.modularity_matrix * ones)[0]),
        cut_gap,
        "The cut facet $-(x_1 + \\dots + x_d) \\le c$: $h_f = c + d\\mu$ (normal $-\\mathbf{1}$, not normalised; "
        "both sides of the test scale by $\\|\\mathbf{1}\\|^2$), test quantity "
        "$g(c) = (c + d\\mu)^2 - \\mathbf{1}^TF\\mathbf{1}$.",
        domain=((c, (lo, hi)),), label="g(c) = (c + d\\mu)^2 - \\mathbf{1}^TF\\mathbf{1}",
    ))
    p.add(RootOf(
        cut_gap, c, cstar, lo, hi,
        f"$g$ has exactly one root in $({lo}, {hi})$ and no pole there; it is the root of the irreducible "
        f"polynomial ${sp.latex(thr.polynomial)}$.",
    ))
    above = _rational_between(cstar, hi)
    below = _rational_between(lo, cstar)
    g_above = sp.nsimplify(cut_gap.subs(c, above))
    g_below = sp.nsimplify(cut_gap.subs(c, below))
    p.add(Inequality(g_above, 0, Nonneg(g_above),
                     f"$g({sp.latex(above)}) > 0$: with one root, $g > 0$ on $(c^*, {hi})$ (modular) ...",
                     label=f"g({sp.latex(above)})"))
    p.add(Inequality(-g_below, 0, Nonneg(-g_below),
                     f"... and $g({sp.latex(below)}) < 0$: $g < 0$ on $({lo}, c^*)$ (the ellipsoid crosses the "
                     "cut: mixed).", label=f"-g({sp.latex(below)})"))
    p.constant("c^*", cstar, "the root of " + f"${sp.latex(thr.polynomial)}$ in $({lo}, {hi})$")
    p.constant("\\mu(c^*)", sp.factor(mu).subs(c, cstar),
               exact_latex=sp.latex(sp.factor(mu)) + "\\Big|_{c = c^*}")
    t = d - c
    frac = sp.factor((t**d / sp.factorial(d)) / 2**d)
    p.constant("\\text{removed volume fraction at } c^*", frac.subs(c, cstar),
               exact_latex=sp.latex(frac) + "\\Big|_{c = c^*}")
    return p


def cut_square_proof() -> Proof:
    """Item 8: the exact threshold of the cut-corner square."""
    p = _cut_proof(2)
    p.name = "cut-square-threshold"
    p.title = "Exact threshold of the cut-corner square"
    p.statement = (
        "Let the sources be uniform on $[-1, 1]^2$ minus the triangle $\\{x + y < -c\\}$, $0 < c < 2$ (the "
        "triangle has legs $2 - c$). The optimal code is modular iff $c \\ge c^*$, where $c^* \\approx 1.25588$ is "
        "the unique root in $(0, 2)$ of $c^4 + 8c^3 + 24c^2 - 32c - 16$; for $c < c^*$ it mixes the two sources."
    )
    p.setting = ("Mean, covariance, $\\beta$ and $F$ are exact functions of $c$ (`biomodular.theory.cut_box`); "
                 "the hull is the pentagon with vertices $(1,-1), (1,1), (-1,1), (-1, 1-c), (1-c, -1)$; "
                 "the condition is the facet test of `ellipse-in-hull`.")
    p.conclusion = ("Every facet but the cut passes for all $c$; the cut facet passes iff $g(c) \\ge 0$ iff "
                    "$c \\ge c^*$. At $c = c^*$ the ellipse touches the cut (borderline: modular and mixed optima "
                    "coexist).")
    p.references = "Dorrell et al., ICLR 2025 (cutting a corner mixes once the cut crosses the ellipse); THEORY.md s.2."
    return p


def cut_cube_proof() -> Proof:
    """Item 9: a three-source family whose pairs look range independent but which mixes."""
    p = _cut_proof(3)
    p.name = "cut-cube-threshold"
    p.title = "Three sources: every pair looks range independent, yet the code mixes"
    p.statement = (
        "Let the sources be uniform on $[-1, 1]^3$ minus the corner $\\{x + y + z < -c\\}$, $1 < c < 3$. Every "
        "pair of sources looks range independent (its 2-D projection contains all four corners of its box), so "
        "the condition restricted to any coordinate plane holds (`range-independence`). Yet the optimal code is "
        "modular iff $c \\ge c^*$, where $c^* \\approx 1.58779$ is the unique root in $(1, 3)$ of "
        "$c^5 - 30c^3 - 240c^2 + 405c + 72$: for $1 < c < c^*$ it mixes all three sources."
    )
    p.setting = ("Exact moments from box moments minus the moments of the corner tetrahedron; hull: the 7 "
                 "remaining cube corners and the 3 cut vertices $(-1, -1, 2 - c)$ (and permutations); "
                 "facets: the 6 cube faces and the cut.")
    p.conclusion = ("Checking pairs of sources is necessary, not sufficient: on $(1, c^*)$ every two-source "
                    "projection passes while the cut facet, whose normal $-(1,1,1)$ mixes all three sources, fails.")
    p.references = "THEORY.md s.2 (pairs are not enough for three or more sources)."
    return p
