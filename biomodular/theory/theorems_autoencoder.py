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
    Nonneg,
    Proof,
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
    """Range independence implies m(w)^2 >= w^T F w, for a symbolic number of sources."""
    j, d = sp.symbols("j N", integer=True, positive=True)  # N: the number of sources
    om, r = sp.symbols("omega_j r_j", nonnegative=True)
    pj, qj = sp.symbols("p_j q_j", positive=True)
    dj, beta = sp.symbols("d_j beta_j", nonnegative=True)
    C = sp.Symbol("C_jj", positive=True)
    w, x = sp.symbols("w_j x_j", real=True)
    Y = sp.Symbol("Y", real=True)
    K, M = sp.symbols("K m", real=True)
    wi = sp.IndexedBase("w", real=True)
    Ci = sp.IndexedBase("C", positive=True)
    di = sp.IndexedBase("d", nonnegative=True)
    bi = sp.IndexedBase("beta", nonnegative=True)
    yi, xi = sp.IndexedBase("y", real=True), sp.IndexedBase("x", real=True)
    wp, wm = sp.IndexedBase("w^+", nonnegative=True), sp.IndexedBase("w^-", nonnegative=True)
    pi_, qi = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
    y_j = w * x + sp.Abs(w) * dj
    p = Proof(
        name="range-independence",
        title="Range independence implies modularity, for any number of sources",
        setting=(
            "Centred sources $x_j \\in [-p_j, q_j]$ (the bounding box), $\\beta_j = \\min(p_j, q_j)$. For a tuning "
            "$w$ let $d_j = p_j$ if $w_j \\ge 0$ and $q_j$ otherwise, $y_j = w_jx_j + |w_j|d_j$, "
            "$Y = \\sum_j y_j = w\\cdot x - K$ with $K = -\\sum_j|w_j|d_j$ the minimum of $w \\cdot x$ over the "
            "box (at its corner $x_j = -d_j\\operatorname{sign}w_j$), and $m = m(w)$ the minimum over the "
            "support. Then $\\phi(w) = \\langle(w\\cdot x - m)^2\\rangle = \\langle(Y + K - m)^2\\rangle$ and "
            "$\\phi(w) - w^T\\operatorname{diag}(E_j)w = m(w)^2 - w^TFw$ (`lambda-independence`). $N$ is a "
            "symbolic number of sources."
        ),
        gloss=(
            "if every corner of the bounding box is in the support, $\\phi(w) \\ge \\sum_j E_jw_j^2$ for every "
            "$w$, whatever the correlations and however many sources: the optimal code is modular."
        ),
    )
    p.hypothesis(
        "H_corner",
        Ge(K, M),
        "range independence: the minimising corner of the box is in the support, so $m(w) \\le K$.",
    )
    p.hypothesis("H_mean", Eq(Mean(x), 0), "$x_j$ is centred.")
    p.hypothesis("H_var", Eq(Mean(x**2), C), "its variance.")
    p.hypothesis("H_beta", Ge(dj, beta), "$\\beta_j$ is the nearer of the two extremes.")
    p.hypothesis(
        "H_y",
        Eq(yi[j], wp[j] * (xi[j] + pi_[j]) + wm[j] * (qi[j] - xi[j])),
        "$y_j$ with $w_j = w^+_j - w^-_j$ split into its positive and negative parts (one of them zero), "
        "so $|w_j|d_j = p_jw^+_j + q_jw^-_j$.",
    )
    p.hypothesis("H_lo", Ge(xi[j] + pi_[j], 0), "$x_j \\ge -p_j$ on the box ...")
    p.hypothesis("H_hi", Ge(qi[j] - xi[j], 0), "... and $x_j \\le q_j$.")
    p.hypothesis("H_Y", Eq(Y, sp.Sum(yi[j], (j, 1, d))), "$Y = \\sum_jy_j$.")
    sum_d = sp.Sum(wi[j] ** 2 * (Ci[j] + di[j] ** 2), (j, 1, d))
    sum_E = sp.Sum(wi[j] ** 2 * (Ci[j] + bi[j] ** 2), (j, 1, d))
    Z = Y + K - M
    p.conclusion = AllOf(
        Ge(om * (-pj + r) + om * pj, 0),
        Ge(-om * (qj - r) + om * qj, 0),
        Ge(Mean(Z**2), Mean(Y**2)),
        Eq(Mean(y_j**2), w**2 * (C + dj**2)),
        Ge(sum_d, sum_E),
    )
    p.add(
        Inequality(
            om * (-pj + r) + om * pj,
            0,
            Nonneg(om * r),
            "$y_j \\ge 0$ on the box when $w_j = \\omega_j \\ge 0$: there $x_j = -p_j + r_j$ with $r_j \\ge 0$.",
        )
    )
    p.add(
        Inequality(
            -om * (qj - r) + om * qj,
            0,
            Nonneg(om * r),
            "$y_j \\ge 0$ on the box when $w_j = -\\omega_j \\le 0$: there $x_j = q_j - r_j$, $r_j \\ge 0$. "
            "So $Y = \\sum_j y_j \\ge 0$.",
        )
    )
    p.add(
        Inequality(
            yi[j],
            0,
            Nonneg(sp.Integer(0)),
            "Every $y_j \\ge 0$ on the box: $y_j = w^+_j(x_j + p_j) + w^-_j(q_j - x_j)$, both products of "
            "nonnegative numbers (the two cases are steps 1 and 2).",
            premises=("H_y", "H_lo", "H_hi"),
            multipliers=(("H_lo", wp[j]), ("H_hi", wm[j])),
            name="s2a",
        )
    )
    p.add(Termwise(yi[j], 0, j, 1, d, ">=", "Sum over the sources.", premises=("s2a",), name="s2b"))
    p.add(
        Inequality(
            Y,
            0,
            Nonneg(sp.Integer(0)),
            "So $Y \\ge 0$ on the support.",
            premises=("H_Y", "s2b"),
            multipliers=(("s2b", 1),),
            name="s2c",
        )
    )
    p.add(
        Inequality(
            Z**2,
            Y**2,
            SOS(((1, K - M),)),
            "Pointwise, with $Y \\ge 0$ and $K \\ge m$: $(Y + K - m)^2 - Y^2 = 2Y(K - m) + (K - m)^2$, the first "
            "term a product of the two cited inequalities. This is where range independence is used.",
            premises=("H_corner", "s2c"),
            multipliers=(("H_corner", 2 * Y),),
            name="s3",
        )
    )
    p.add(
        Averaged((Z**2, Y**2), ">=", "Take means: $\\phi(w) \\ge \\langle Y^2\\rangle$.", premises=("s3",), name="s4")
    )
    p.add(Linearity(Mean(y_j**2), linear_mean(y_j**2, [x]), (x,), "Expand $y_j^2$; the mean is linear.", name="s5"))
    p.add(
        Identity(
            Mean(y_j**2),
            w**2 * (C + dj**2),
            "Substitute the moments; $|w_j|^2 = w_j^2$.",
            premises=("s5", "H_mean", "H_var"),
            name="s6",
        )
    )
    p.add(
        Inequality(
            w**2 * (C + dj**2),
            w**2 * (C + beta**2),
            Nonneg(sp.Integer(0)),
            "$d_j \\ge \\beta_j$: the gap is $w_j^2(d_j + \\beta_j)(d_j - \\beta_j)$.",
            premises=("H_beta",),
            multipliers=(("H_beta", w**2 * (dj + beta)),),
            name="s7",
        )
    )
    p.add(
        Inequality(
            wi[j] ** 2 * (Ci[j] + di[j] ** 2),
            wi[j] ** 2 * (Ci[j] + bi[j] ** 2),
            Nonneg(sp.Integer(0)),
            "The same for a generic index $j$ of the sums ($C_j = C_{jj}$).",
            premises=("H_beta_j",),
            multipliers=(("H_beta_j", wi[j] ** 2 * (di[j] + bi[j])),),
            name="s7j",
        )
    )
    p.add(
        Termwise(
            wi[j] ** 2 * (Ci[j] + di[j] ** 2),
            wi[j] ** 2 * (Ci[j] + bi[j] ** 2),
            j,
            1,
            d,
            ">=",
            "Sum over the $N$ sources: $\\sum_j\\langle y_j^2\\rangle \\ge \\sum_j E_jw_j^2$.",
            premises=("s7j",),
            name="s9",
        )
    )
    p.add(
        Conjunction(
            p.conclusion.parts,
            "Together with $\\langle Y^2\\rangle = \\sum_j\\langle y_j^2\\rangle + "
            "\\sum_{j\\ne k}\\langle y_jy_k\\rangle$ and $y_jy_k \\ge 0$ pointwise "
            "(step s2a), $\\phi(w) \\ge \\sum_jE_jw_j^2$.",
            premises=("s1", "s2", "s4", "s6", "s9"),
        )
    )
    from .proof import Hypothesis

    p.hypotheses.append(Hypothesis("H_beta_j", Ge(di[j], bi[j]), "the same for a generic index $j$."))
    p.references = _REF_2025 + " Statistical independence (ICLR 2023) is the special case of a product support."
    return p
