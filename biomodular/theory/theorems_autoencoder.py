"""Theorems of "The biologically constrained linear autoencoder" and "The exact modularity condition":
the modular code, lambda-independence, range independence."""

from __future__ import annotations

import sympy as sp

from .expectation import Mean, linear_mean
from .modular import per_source_loss
from .proof import (
    SOS,
    AllOf,
    Averaged,
    Conjunction,
    Eq,
    Ge,
    Identity,
    Inequality,
    Linearity,
    MeanOfSum,
    Nonneg,
    Proof,
    Reindex,
    SumSplit,
    Termwise,
)

__all__ = ["modular_code_proof", "lambda_independence_proof", "range_independence_proof"]

_REF_2025 = (
    "Dorrell et al., *Don't Cut Corners: Exact Conditions for Modularity in Biologically Inspired "
    'Representations*, ICLR 2025; docs/mathematics.md, "The biologically constrained linear '
    'autoencoder" and "The exact modularity condition".'
)


def modular_code_proof() -> Proof:
    """The optimal modular code: nearer extreme, energy g^2 E_j, gain and cost L_mod."""
    g, p_, q_, C, u, v, E = sp.symbols("g p_j q_j C_jj u v E_j", positive=True)
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    lam_out = sp.Symbol("lambda_out", positive=True)
    x = sp.Symbol("x_j", real=True)  # the centred source s_j - mu_j
    on, off = Mean(g**2 * (x + p_) ** 2), Mean(g**2 * (q_ - x) ** 2)
    ell_u = per_source_loss(u, E, lam_in, lam_out)
    ell_v = per_source_loss(v, E, lam_in, lam_out)
    best = 2 * sp.sqrt(lam_out * (E + lam_in))
    p = Proof(
        name="modular-code",
        title="The optimal modular code and its cost L_mod",
        setting=(
            "Source $s_j$ has mean $\\mu_j$, variance $C_{jj}$, minimum $l_j = \\mu_j - p_j$ and maximum "
            "$h_j = \\mu_j + q_j$; $x_j = s_j - \\mu_j$. An ON cell $z = g(s_j - l_j) = g(x_j + p_j)$ and an OFF "
            "cell $z = g(h_j - s_j) = g(q_j - x_j)$ are zero at one extreme (the cheapest bias). A modular code "
            "has Gram matrix $G = \\operatorname{diag}(u_j)$, $u_j = g_j^2$, so its reduced loss splits into "
            "per-source terms $\\ell(u) = u(E_j + \\lambda_{in}) + \\lambda_{out}/u$ (activity, input weights, "
            "readout)."
        ),
        gloss=(
            "the neuron of source $j$ is tuned to the nearer extreme (here the minimum, $p_j \\le q_j$); its "
            "energy is $g^2E_j$ with $E_j = C_{jj} + \\beta_j^2$, $\\beta_j = p_j$; the per-source loss is at "
            "least $2\\sqrt{\\lambda_{out}(E_j + \\lambda_{in})}$, attained at the gain "
            "$u = g^2 = \\sqrt{\\lambda_{out}/(E_j + \\lambda_{in})}$, so "
            "$L_{mod} = 2\\sum_j\\sqrt{\\lambda_{out}(E_j + \\lambda_{in})}$."
        ),
    )
    p.hypothesis("H_mean", Eq(Mean(x), 0), "$x_j$ is centred.")
    p.hypothesis("H_var", Eq(Mean(x**2), C), "$C_{jj}$ is its variance.")
    p.hypothesis("H_near", Ge(q_, p_), "the minimum is the nearer extreme (otherwise swap ON and OFF).")
    p.hypothesis("H_E", Eq(E, C + p_**2), "definition of $E_j$ with $\\beta_j = p_j$.")
    p.hypothesis("H_gain", Eq(v, sp.sqrt(lam_out / (E + lam_in))), "$v$ is the proposed gain.")
    p.conclusion = AllOf(Ge(off, on), Eq(on, g**2 * E), Ge(ell_u, best), Eq(ell_v, best))
    p.add(Linearity(on, linear_mean(on.args[0], [x]), (x,), "Expand the square; the mean is linear."))
    p.add(Identity(on, g**2 * (C + p_**2), "Substitute the moments.", premises=("s1", "H_mean", "H_var")))
    p.add(Linearity(off, linear_mean(off.args[0], [x]), (x,), "The same for the OFF cell."))
    p.add(Identity(off, g**2 * (C + q_**2), "Substitute the moments.", premises=("s3", "H_mean", "H_var")))
    p.add(
        Inequality(
            off,
            on,
            Nonneg(sp.Integer(0)),
            "$g^2(C_{jj} + q_j^2) - g^2(C_{jj} + p_j^2) = g^2(q_j + p_j)(q_j - p_j)$: the nearer extreme is cheaper.",
            premises=("s2", "s4", "H_near"),
            multipliers=(("s4", 1), ("s2", -1), ("H_near", g**2 * (q_ + p_))),
        )
    )
    p.add(Identity(on, g**2 * E, "The ON cell's energy is $g^2E_j$.", premises=("s2", "H_E"), multipliers=(("s2", 1),)))
    p.add(
        Inequality(
            ell_u,
            best,
            SOS(((1, sp.sqrt(u * (E + lam_in)) - sp.sqrt(lam_out / u)),)),
            "Arithmetic-geometric mean inequality: the gap is a square.",
        )
    )
    p.add(Identity(ell_v, best, "At $u = v$ the square vanishes: the bound is attained.", premises=("H_gain",)))
    p.add(Conjunction(p.conclusion.parts, "The four parts of the conclusion.", premises=("s5", "s6", "s7", "s8")))
    p.references = _REF_2025
    return p


def lambda_independence_proof() -> Proof:
    """The KKT multiplier at the modular optimum is diag(E_j) for every lambda: the condition is lambda-free."""
    E, a, b, u = sp.symbols("E_j a_j b_j u_j", positive=True)
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    lam_out = sp.Symbol("lambda_out", positive=True)
    phi, wEw, wFw, m, D, O, B = sp.symbols("phi wEw wFw m D O B", real=True)
    Lam_jj = lam_out * b / u**2 - lam_in / a
    p = Proof(
        name="lambda-independence",
        title="The modularity condition does not depend on lambda_in, lambda_out",
        setting=(
            "The family $x = As$, $y = Bs$ with $A^TA = \\operatorname{diag}(a_j)$, $B^TB = "
            "\\operatorname{diag}(b_j)$ ($A = B = I$ is the autoencoder); weight costs "
            "$\\lambda_{in}\\operatorname{tr}((A^TA)^{-1}G) + \\lambda_{out}\\operatorname{tr}(B^TBG^{-1})$. At a "
            "modular $G = \\operatorname{diag}(u_j)$ the multiplier $\\Lambda = \\lambda_{out}G^{-1}B^TBG^{-1} - "
            "\\lambda_{in}(A^TA)^{-1}$ is diagonal (a product of diagonal matrices) with entries "
            "$\\Lambda_{jj} = \\lambda_{out}b_j/u_j^2 - \\lambda_{in}/a_j$; $j$ is a generic index, so the "
            "statement holds for every number of sources $d$. In the test $\\phi(w) - w^T\\Lambda w$, "
            "$D = \\sum_j C_{jj}w_j^2$, $O = \\sum_{j\\ne k}C_{jk}w_jw_k$, $B = \\sum_j\\beta_j^2w_j^2$."
        ),
        gloss=(
            "at the optimal modular gains the multiplier is $\\operatorname{diag}(E_j)$ whatever "
            "$\\lambda_{in} \\ge 0$, $\\lambda_{out} > 0$, $a_j$, $b_j$, and the optimality test "
            "$\\phi(w) \\ge w^T\\operatorname{diag}(E_j)w$ is the $\\lambda$-free condition "
            "$m(w)^2 \\ge w^TFw$."
        ),
    )
    p.hypothesis(
        "H_gain",
        Eq(u, sp.sqrt(lam_out * b / (E + lam_in / a))),
        "$u_j$ minimises the per-source loss $u(E_j + \\lambda_{in}/a_j) + \\lambda_{out}b_j/u$ "
        "(arithmetic-geometric mean, as in `modular-code`).",
    )
    p.hypothesis(
        "H_phi", Eq(phi, m**2 + D + O), "$\\phi(w) = m(w)^2 + w^TCw$, split into diagonal and off-diagonal parts."
    )
    p.hypothesis("H_E", Eq(wEw, D + B), "$w^T\\operatorname{diag}(E_j)w$ with $E_j = C_{jj} + \\beta_j^2$.")
    p.hypothesis("H_F", Eq(wFw, B - O), "$w^TFw$ with $F_{jj} = \\beta_j^2$, $F_{jk} = -C_{jk}$.")
    p.conclusion = AllOf(Eq(Lam_jj, E), Eq(phi - wEw, m**2 - wFw))
    p.add(
        Identity(
            Lam_jj,
            E,
            "Substitute the optimal gain: $\\lambda_{out}b_j/u_j^2 = E_j + \\lambda_{in}/a_j$.",
            premises=("H_gain",),
        )
    )
    p.add(
        Identity(
            phi - wEw,
            m**2 - wFw,
            "The diagonal of $C$ cancels between $\\phi$ and $w^T\\operatorname{"
            "diag}(E_j)w$; what remains is $m(w)^2 - w^TFw$.",
            premises=("H_phi", "H_E", "H_F"),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "Both parts.", premises=("s1", "s2")))
    p.references = _REF_2025
    return p


def range_independence_proof() -> Proof:
    """Range independence implies phi(w) >= sum_j E_j w_j^2, for a symbolic number of sources."""
    j, i, N = sp.symbols("j i N", integer=True, positive=True)  # N: the number of sources
    Y, K, M = sp.symbols("Y K m", real=True)
    w = sp.IndexedBase("w", real=True)
    Ci = sp.IndexedBase("C", positive=True)
    bi = sp.IndexedBase("beta", nonnegative=True)
    yi, xi = sp.IndexedBase("y", real=True), sp.IndexedBase("x", real=True)
    wp, wm = sp.IndexedBase("w^+", nonnegative=True), sp.IndexedBase("w^-", nonnegative=True)
    pi_, qi = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
    y_j = wp[j] * (xi[j] + pi_[j]) + wm[j] * (qi[j] - xi[j])
    Z = Y + K - M
    p = Proof(
        name="range-independence",
        title="Range independence implies modularity, for any number of sources",
        setting=(
            "Centred sources $x_j \\in [-p_j, q_j]$ (the bounding box), $j = 1..N$ with $N$ symbolic, and "
            "$\\beta_j \\le \\min(p_j, q_j)$ (the nearer extreme). A tuning $w$ is split into its positive "
            "and negative parts, $w_j = w^+_j - w^-_j$ with $w^+_jw^-_j = 0$; $y_j = w^+_j(x_j + p_j) + "
            "w^-_j(q_j - x_j) = w_jx_j + |w_j|d_j$ ($d_j = p_j$ if $w_j \\ge 0$, else $q_j$), $Y = \\sum_jy_j = "
            "w\\cdot x - K$ with $K = -\\sum_j|w_j|d_j$ the minimum of $w\\cdot x$ over the box (at its corner "
            "$x_j = -d_j\\operatorname{sign}w_j$), and $m = m(w)$ the minimum over the support. Then "
            "$\\phi(w) = \\langle(w\\cdot x - m)^2\\rangle = \\langle(Y + K - m)^2\\rangle$ and "
            "$\\phi(w) - w^T\\operatorname{diag}(E_j)w = m(w)^2 - w^TFw$ (`lambda-independence`). Hypotheses "
            "on $x_j, y_j, \\dots$ with the generic index $j$ hold for every $j$."
        ),
        gloss=(
            "if every corner of the bounding box is in the support, $\\phi(w) \\ge \\sum_j E_jw_j^2$ "
            "($E_j = C_{jj} + \\beta_j^2$) for every $w$, whatever the correlations and however many sources: "
            "the optimal code is modular. The last step combines the pointwise bound with the hypothesis "
            "$K \\ge m$: $\\phi(w) = \\langle Y^2\\rangle + 2(K - m)\\langle Y\\rangle + (K - m)^2$ with "
            "$\\langle Y\\rangle \\ge 0$, and $\\langle Y^2\\rangle \\ge \\sum_j\\langle y_j^2\\rangle$ "
            "because every cross product $y_jy_k$ is $\\ge 0$ (proved as $Y y_i \\ge y_i^2$, $Y - y_i$ being "
            "a sum of the other, nonnegative, terms)."
        ),
    )
    p.hypothesis(
        "H_corner",
        Ge(K, M),
        "range independence: the minimising corner of the box is in the support, so $m(w) \\le K$.",
    )
    p.hypothesis("H_Y", Eq(Y, sp.Sum(yi[j], (j, 1, N))), "$Y = \\sum_jy_j$.")
    p.hypothesis("H_y", Eq(yi[j], y_j), "$y_j$ from the positive and negative parts of $w_j$.")
    p.hypothesis("H_lo", Ge(xi[j] + pi_[j], 0), "$x_j \\ge -p_j$ on the box ...")
    p.hypothesis("H_hi", Ge(qi[j] - xi[j], 0), "... and $x_j \\le q_j$.")
    p.hypothesis("H_split", Eq(wp[j] * wm[j], 0), "one of the two parts of $w_j$ is zero ...")
    p.hypothesis("H_w", Eq(w[j], wp[j] - wm[j]), "... and $w_j$ is their difference.")
    p.hypothesis("H_mean", Eq(Mean(xi[j]), 0), "$x_j$ is centred.")
    p.hypothesis("H_var", Eq(Mean(xi[j] ** 2), Ci[j]), "its variance $C_{jj}$.")
    p.hypothesis("H_p", Ge(pi_[j], bi[j]), "$\\beta_j$ is at most the distance to the minimum ...")
    p.hypothesis("H_q", Ge(qi[j], bi[j]), "... and to the maximum.")
    sum_E = sp.Sum(w[j] ** 2 * (Ci[j] + bi[j] ** 2), (j, 1, N))
    p.conclusion = Ge(Mean(Z**2), sum_E)
    inside = (sp.Le(1, i), sp.Le(i, N))
    # pointwise: every y_j >= 0 on the box, so Y >= 0 and <Y> >= 0
    a1 = p.add(
        Inequality(
            yi[j],
            0,
            Nonneg(sp.Integer(0)),
            "Every $y_j \\ge 0$ on the box: $y_j = w^+_j(x_j + p_j) + w^-_j(q_j - x_j)$, both products of "
            "nonnegative numbers.",
            premises=("H_y", "H_lo", "H_hi"),
            multipliers=(("H_lo", wp[j]), ("H_hi", wm[j])),
        )
    ).name
    a2 = p.add(Termwise(yi[j], 0, j, 1, N, ">=", "Sum over the sources.", premises=(a1,))).name
    a3 = p.add(
        Inequality(
            Y, 0, Nonneg(sp.Integer(0)), "So $Y \\ge 0$ on the support.", premises=("H_Y", a2), multipliers=((a2, 1),)
        )
    ).name
    a4 = p.add(Averaged((Y, 0), ">=", "Take means: $\\langle Y\\rangle \\ge 0$.", premises=(a3,))).name
    a5 = p.add(
        Linearity(Mean(Z**2), linear_mean(Z**2, [Y]), (Y,), "Expand $(Y + K - m)^2$; $K$, $m$ are numbers.")
    ).name
    # the cross terms: Y y_i >= y_i^2 for every i, because Y - y_i is a sum of the other terms
    b1 = p.add(SumSplit(yi[j], j, 1, N, i, "Single out the term $i$ of $\\sum_jy_j$ ($1 \\le i \\le N$).")).name
    rest = sp.Sum(yi[j], (j, 1, i - 1)) + sp.Sum(yi[j], (j, i + 1, N))
    b2 = p.add(
        Identity(
            Y - yi[i],
            rest,
            "So $Y - y_i$ is the sum of the other terms.",
            where=inside,
            premises=("H_Y", b1),
            multipliers=((b1, 1),),
        )
    ).name
    b3 = p.add(Termwise(yi[j], 0, j, 1, i - 1, ">=", "The terms before $i$ ...", premises=(a1,))).name
    b4 = p.add(Termwise(yi[j], 0, j, i + 1, N, ">=", "... and after it are $\\ge 0$.", premises=(a1,))).name
    b5 = p.add(
        Inequality(
            Y - yi[i],
            0,
            Nonneg(sp.Integer(0)),
            "So $Y \\ge y_i$.",
            where=inside,
            premises=(b2, b3, b4),
            multipliers=((b2, 1), (b3, 1), (b4, 1)),
        )
    ).name
    b6 = p.add(
        Reindex(p.step_fact(p.steps[0]), ((j, i),), "$y_i \\ge 0$ (step 1 for the index $i$).", premises=(a1,))
    ).name
    b7 = p.add(
        Inequality(
            Y * yi[i],
            yi[i] ** 2,
            Nonneg(sp.Integer(0)),
            "$Yy_i - y_i^2 = y_i(Y - y_i)$, a product of two cited nonnegative numbers.",
            where=inside,
            premises=(b5, b6),
            multipliers=((b5, yi[i]),),
        )
    ).name
    b8 = p.add(
        Reindex(p.step_fact(p.steps[-1]), ((i, j),), "The same for the summation index $j$.", premises=(b7,))
    ).name
    b9 = p.add(Termwise(Y * yi[j], yi[j] ** 2, j, 1, N, ">=", "Sum over the sources.", premises=(b8,))).name
    b10 = p.add(
        Identity(
            sp.Sum(Y * yi[j], (j, 1, N)),
            Y**2,
            "$\\sum_jYy_j = Y\\sum_jy_j = Y^2$.",
            premises=("H_Y",),
            multipliers=(("H_Y", -Y),),
        )
    ).name
    b11 = p.add(
        Inequality(
            Y**2,
            sp.Sum(yi[j] ** 2, (j, 1, N)),
            Nonneg(sp.Integer(0)),
            "So $Y^2 \\ge \\sum_jy_j^2$ pointwise: the cross products are $\\ge 0$.",
            premises=(b9, b10),
            multipliers=((b9, 1), (b10, -1)),
        )
    ).name
    b12 = p.add(
        Averaged(
            (Y**2, sp.Sum(yi[j] ** 2, (j, 1, N))),
            ">=",
            "Take means.",
            premises=(b11,),
        )
    ).name
    b13 = p.add(MeanOfSum(yi[j] ** 2, j, 1, N, "The mean of a sum is the sum of the means.")).name
    # each source: <y_j^2> = w_j^2 (C_jj + d_j^2) >= w_j^2 (C_jj + beta_j^2)
    c1 = p.add(
        Linearity(Mean(y_j**2), linear_mean(y_j**2, [xi[j]]), (xi[j],), "Expand $y_j^2$; the mean is linear.")
    ).name
    closed = (wp[j] - wm[j]) ** 2 * Ci[j] + (wp[j] * pi_[j] + wm[j] * qi[j]) ** 2
    c2 = p.add(
        Identity(
            Mean(yi[j] ** 2),
            closed,
            "Substitute the moments: $\\langle y_j^2\\rangle = w_j^2C_{jj} + (|w_j|d_j)^2$.",
            premises=("H_y", c1, "H_mean", "H_var"),
        )
    ).name
    c3 = p.add(
        Inequality(
            Mean(yi[j] ** 2),
            w[j] ** 2 * (Ci[j] + bi[j] ** 2),
            Nonneg(sp.Integer(0)),
            "The gap is $(w^+_j)^2(p_j^2 - \\beta_j^2) + (w^-_j)^2(q_j^2 - \\beta_j^2) + "
            "2w^+_jw^-_j(p_jq_j + \\beta_j^2)$: two nonnegative products and zero.",
            premises=(c2, "H_w", "H_split", "H_p", "H_q"),
            multipliers=(
                ("H_split", 2 * (pi_[j] * qi[j] + bi[j] ** 2)),
                ("H_p", wp[j] ** 2 * (pi_[j] + bi[j])),
                ("H_q", wm[j] ** 2 * (qi[j] + bi[j])),
            ),
        )
    ).name
    c4 = p.add(
        Termwise(
            Mean(yi[j] ** 2),
            w[j] ** 2 * (Ci[j] + bi[j] ** 2),
            j,
            1,
            N,
            ">=",
            "Sum over the $N$ sources.",
            premises=(c3,),
        )
    ).name
    p.add(
        Inequality(
            Mean(Z**2),
            sum_E,
            SOS(((1, K - M),)),
            "The hypothesis enters here: $\\phi(w) - \\sum_jE_jw_j^2 = (\\langle Y^2\\rangle - "
            "\\sum_j\\langle y_j^2\\rangle) + (\\sum_j\\langle y_j^2\\rangle - \\sum_jE_jw_j^2) + "
            "2(K - m)\\langle Y\\rangle + (K - m)^2$, each term $\\ge 0$; the third is a product of the "
            "range-independence hypothesis $K \\ge m$ and $\\langle Y\\rangle \\ge 0$.",
            premises=(a5, "H_corner", a4, b12, b13, c4),
            multipliers=(("H_corner", 2 * Mean(Y)), (b12, 1), (b13, 1), (c4, 1)),
        )
    )
    p.references = _REF_2025 + " Statistical independence (ICLR 2023) is the special case of a product support."
    return p
