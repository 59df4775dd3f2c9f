"""Items 8-9: exact cut thresholds of the cut-corner square and the cut-corner cube."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .models import cut_box, cut_box_moments_by_integration
from .modular import modularity_condition
from .proof import (
    BesideRoot,
    Biconditional,
    Ge,
    Gt,
    Identity,
    Iff,
    Inequality,
    NoRootIn,
    Proof,
    RootOf,
)
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


def _cut_proof(d: int, name: str, title: str) -> Proof:
    c = C
    lo, hi = d - 2, d
    model = cut_box(d, c)
    cond = modularity_condition(model)
    thr = cut_box_threshold(d)
    cstar = thr.value
    mu = model.mean[0]
    F = model.modularity_matrix
    gaps = cond.facet_gaps
    cut_gap = gaps[-1]
    assert model.facets is not None  # a cut box is given by its facets
    minus_gap = next(g for (a, b), g in zip(model.facets[:-1], gaps[:-1]) if sp.simplify(g) != 0)
    ones = sp.ones(d, 1)
    g_def = (c + d * mu) ** 2 - (ones.T * F * ones)[0]
    detF = sp.factor(F.det())
    minors = [sp.factor(F[:k, :k].det()) for k in range(1, d)]
    above, below = _rational_between(cstar, hi), _rational_between(lo, cstar)
    p = Proof(name=name, title=title, domain={c: (lo, hi)})
    mean_int, cov_int = cut_box_moments_by_integration(d, c)
    # the predicate "modular(c)": F positive definite (leading minors) and every facet passes its test
    # h_f^2 - a_f^T F a_f >= 0 (facets with the same test quantity listed once)
    tests, seen = [], set()
    for g in gaps:
        if Ge(g, 0).key() not in seen:
            seen.add(Ge(g, 0).key())
            tests.append(Ge(g, 0))
    predicate = [Gt(m, 0) for m in minors] + [Gt(detF, 0)] + tests
    p.conclusion = Iff("modular", predicate, sp.Ge(c, cstar), lo, hi)
    names = []
    if d == 3:
        names.append(
            p.add(
                Inequality(
                    c - 1,
                    0,
                    NoRootIn(c, lo, hi),
                    "Every pair of sources looks range independent: a corner $(\\pm1, \\pm1)$ of a pair's box, "
                    "lifted with third coordinate 1, has coordinate sum $\\ge -1 > -c$, so it is in the support.",
                    strict=True,
                )
            ).name
        )
        names.append(
            p.add(
                Inequality(
                    3 - c,
                    0,
                    NoRootIn(c, lo, hi),
                    "... but the three together are not: the corner $(-1,-1,-1)$ has sum $-3 < -c$ and is removed.",
                    strict=True,
                )
            ).name
        )
    names.append(
        p.add(
            Identity(
                model.mean,
                mean_int,
                "Mean, two routes: box minus corner simplex by the closed simplex-moment formula "
                "(`cut_box`), and by iterated integration (`cut_box_moments_by_integration`).",
                label="\\mu(c)",
            )
        ).name
    )
    names.append(p.add(Identity(model.cov, cov_int, "Covariance, the same two routes.", label="C(c)")).name)
    first_decisive = len(names)  # the steps before are checks of the moments and of the pairs, not cited below
    for k, m in enumerate(minors, start=1):
        names.append(
            p.add(
                Inequality(
                    m,
                    0,
                    NoRootIn(c, lo, hi),
                    f"Leading {k}x{k} minor of $F$ positive on $({lo}, {hi})$.",
                    label=f"\\det F_{{[1:{k}]}}",
                    strict=True,
                )
            ).name
        )
    names.append(
        p.add(
            Inequality(
                detF,
                0,
                NoRootIn(c, lo, hi),
                "$\\det F > 0$ on the whole range: with the minors, $F$ is positive definite (Sylvester), so the facet "
                "test is exact (`ellipse-in-hull`). The facets at the maxima ($x_j \\le 1$) touch the ellipsoid: "
                "$h_f = 1 - \\mu = \\beta$ because $\\mu > 0$, so their test holds with equality.",
                label="\\det F",
                strict=True,
            )
        ).name
    )
    names.append(
        p.add(
            Inequality(
                minus_gap,
                0,
                NoRootIn(c, lo, hi),
                "Facets at the minima ($x_j \\ge -1$): $h_f^2 - \\beta^2 = (1 + \\mu)^2 - (1 - \\mu)^2 = 4\\mu > 0$.",
                label="h_f^2 - a_f^TFa_f",
                strict=True,
            )
        ).name
    )
    p.add(
        Identity(
            g_def,
            cut_gap,
            "The cut facet $-(x_1 + \\dots + x_d) \\le c$: $h_f = c + d\\mu$ (normal $-\\mathbf{1}$, not normalised; "
            "both sides of the test scale by $\\|\\mathbf{1}\\|^2$), test quantity $g(c)$ as computed by "
            "`modularity_condition`.",
            label="g(c)",
        )
    )
    names.append(
        p.add(
            RootOf(
                cut_gap,
                c,
                cstar,
                lo,
                hi,
                f"$g$ has exactly one zero in $({lo}, {hi})$ and no pole there; it is the root of the irreducible "
                f"polynomial ${sp.latex(thr.polynomial)}$.",
            )
        ).name
    )
    names.append(
        p.add(
            Inequality(
                cut_gap,
                0,
                BesideRoot(c, lo, hi, cstar, hi, above),
                f"$g > 0$ on $(c^*, {hi})$: one zero, no pole, and $g({sp.latex(above)}) > 0$ (modular).",
                domain=((c, (cstar, hi)),),
                label="g(c)",
                strict=True,
            )
        ).name
    )
    names.append(
        p.add(
            Inequality(
                -cut_gap,
                0,
                BesideRoot(c, lo, hi, cstar, lo, below),
                f"$g < 0$ on $({lo}, c^*)$: $g({sp.latex(below)}) < 0$ (the ellipsoid crosses the cut: mixed).",
                domain=((c, (lo, cstar)),),
                label="-g(c)",
                strict=True,
            )
        ).name
    )
    decisive = names[first_decisive:]
    p.add(
        Biconditional(
            p.conclusion,
            "Both directions. *If* $c \\ge c^*$: the minors and $\\det F$ are positive on the whole range, the "
            "facets at the minima pass on the whole range, those at the maxima hold with equality, and the cut's "
            "test is positive on $(c^*, " + str(hi) + ")$ and zero at $c^*$. *Only if*: for $c < c^*$ the cut's "
            "test is negative, so the predicate fails. Read through `ellipse-in-hull` (with $F \\succ 0$ the "
            "facet tests are $m(w)^2 \\ge w^TFw$ for every $w$), sufficiency (`weak-duality`, "
            "`nuclear-norm-bound`) and `modularity-necessity`, the predicate is: the optimal code is modular.",
            premises=tuple(decisive),
        )
    )
    p.uses = (
        "lemma:ellipse-in-hull",
        "lemma:modularity-necessity",
        "lemma:nuclear-norm-bound",
        "lemma:weak-duality",
        "axiom:strong-duality",
    )
    p.constant("c^*", cstar, "the root of " + f"${sp.latex(thr.polynomial)}$ in $({lo}, {hi})$ (checked step)")
    p.constant("\\mu(c^*)", sp.factor(mu).subs(c, cstar), exact_latex=sp.latex(sp.factor(mu)) + "\\Big|_{c = c^*}")
    t = d - c
    frac = sp.factor((t**d / sp.factorial(d)) / 2**d)
    p.constant(
        "\\text{removed volume fraction at } c^*", frac.subs(c, cstar), exact_latex=sp.latex(frac) + "\\Big|_{c = c^*}"
    )
    return p


def cut_square_proof() -> Proof:
    """The exact threshold of the cut-corner square."""
    p = _cut_proof(2, "cut-square-threshold", "Exact threshold of the cut-corner square")
    p.gloss = (
        "for sources uniform on $[-1, 1]^2$ minus the triangle $\\{x + y < -c\\}$, $0 < c < 2$, every "
        "facet but the cut passes the facet test for all $c$, and the cut's test quantity $g(c)$ is "
        "positive exactly above its only zero $c^*$. The conclusion is one formal biconditional: the predicate "
        "modular($c$) ($F \\succ 0$ and every facet passes its test) holds iff $c \\ge c^*$. Read through "
        "`ellipse-in-hull`, `weak-duality` and `nuclear-norm-bound` (sufficiency), `modularity-necessity` "
        "(for $c < c^*$ a small mixed neuron lowers the loss) and `strong-duality` (every optimum, not only "
        "one, has the modular code's multiplier): the optimal code is modular iff $c \\ge c^*$ and mixes the two "
        "sources for $c < c^*$."
    )
    p.setting = (
        "Mean, covariance, $\\beta = 1 - \\mu$ and $F$ are exact functions of $c$; the hull is the "
        "pentagon with vertices $(1,-1), (1,1), (-1,1), (-1, 1-c), (1-c, -1)$."
    )
    p.references = (
        "Dorrell et al., ICLR 2025 (cutting a corner mixes once the cut crosses the ellipse); "
        'docs/mathematics.md, "The exact modularity condition".'
    )
    return p


def cut_cube_proof() -> Proof:
    """A three-source family whose pairs look range independent but which mixes."""
    p = _cut_proof(3, "cut-cube-threshold", "Three sources: every pair looks range independent, yet the code mixes")
    p.gloss = (
        "for sources uniform on $[-1, 1]^3$ minus the corner $\\{x + y + z < -c\\}$, $1 < c < 3$, every "
        "pair of sources looks range independent (steps 1-2), yet the predicate modular($c$) ($F \\succ 0$ and "
        "every facet passes its test) holds iff $c \\ge c^*$, one formal biconditional: for $1 < c < c^*$ the cut "
        "facet, whose normal $-(1,1,1)$ mixes all three sources, fails. Read as for `cut-square-threshold`: the "
        "optimal code is modular iff $c \\ge c^*$."
    )
    p.setting = (
        "Exact moments from box moments minus those of the corner tetrahedron; hull: the 7 remaining "
        "cube corners and the 3 cut vertices $(-1, -1, 2 - c)$ (and permutations); facets: the 6 cube "
        "faces and the cut."
    )
    p.references = (
        'docs/mathematics.md, "The exact modularity condition" (pairs are not enough for three or more sources).'
    )
    return p
