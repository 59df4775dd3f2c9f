"""Theorems of THEORY.md s.1-2: the modular code, lambda-independence, range independence."""

from __future__ import annotations

import sympy as sp

from .expectation import expect
from .models import uniform_box
from .modular import kkt_multiplier, modular_code, per_source_loss
from .proof import SOS, Identity, Inequality, Nonneg, Proof

__all__ = ["modular_code_proof", "lambda_independence_proof", "range_independence_proof"]

_REF_2025 = ("Dorrell et al., *Don't Cut Corners: Exact Conditions for Modularity in Biologically Inspired "
             "Representations*, ICLR 2025; THEORY.md s.1-2.")


def modular_code_proof() -> Proof:
    """Item 1: the optimal modular code and its cost L_mod."""
    g, u, E, C, lo, hi, mu = sp.symbols("g u E C_jj l_j h_j mu_j", positive=True)
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    lam_out = sp.Symbol("lambda_out", positive=True)
    s = sp.Symbol("s_j", real=True)
    second = C + mu**2  # <s_j^2>
    moments = {s: mu, s**2: second}
    p = Proof(
        name="modular-code",
        title="The optimal modular code and its cost L_mod",
        statement=(
            "For the weight-regularised autoencoder of THEORY.md s.1, the best code with one neuron per source "
            "tunes neuron $j$ to the nearer extreme of source $j$ (ON cell $g_j(s_j - \\min s_j)$ or OFF cell "
            "$g_j(\\max s_j - s_j)$), has activity energy $g_j^2 E_j$ with $E_j = C_{jj} + \\beta_j^2$, gain "
            "$g_j^4 = \\lambda_{out}/(E_j + \\lambda_{in})$ and total cost "
            "$L_{mod} = 2\\sum_j \\sqrt{\\lambda_{out}(E_j + \\lambda_{in})}$."
        ),
        setting=(
            "Source $s_j$ has mean $\\mu_j$, variance $C_{jj}$, minimum $l_j$ and maximum $h_j$; "
            "$u = g^2 > 0$ is a neuron's squared gain. The reduced loss of THEORY.md s.1 is "
            "$\\sum_n [\\phi(w_n) + \\lambda_{in}\\|w_n\\|^2] + \\lambda_{out} \\operatorname{tr}(G^{-1})$; "
            "for a modular code $G = \\operatorname{diag}(u_j)$, so it splits into one term per source."
        ),
        domain={mu: (None, None)},
    )
    p.add(Identity(
        expect(sp.expand((g * (s - lo)) ** 2), moments), g**2 * (C + (mu - lo) ** 2),
        "ON cell $z = g(s_j - l_j)$ is zero at the minimum (the cheapest bias); its energy is "
        "$\\langle z^2 \\rangle$, computed from $\\langle s_j\\rangle = \\mu_j$, "
        "$\\langle s_j^2\\rangle = C_{jj} + \\mu_j^2$.",
    ))
    p.add(Identity(
        expect(sp.expand((g * (hi - s)) ** 2), moments), g**2 * (C + (hi - mu) ** 2),
        "OFF cell $z = g(h_j - s_j)$, the same computation; the cheaper of the two uses the nearer extreme, "
        "so the energy is $g^2 E_j$ with $\\beta_j = \\min(\\mu_j - l_j, h_j - \\mu_j)$.",
    ))
    ell = per_source_loss(u, E, lam_in, lam_out)
    best = 2 * sp.sqrt(lam_out * (E + lam_in))
    p.add(Inequality(
        ell, best,
        SOS(((1, sp.sqrt(u * (E + lam_in)) - sp.sqrt(lam_out / u)),)),
        "Per-source loss $u(E_j + \\lambda_{in}) + \\lambda_{out}/u$ (activity, input weight "
        "$\\lambda_{in} u$, readout $\\lambda_{out}/u$); arithmetic-geometric mean inequality.",
    ))
    u_star = sp.sqrt(lam_out / (E + lam_in))
    p.add(Identity(
        ell.subs(u, u_star), best,
        "The square vanishes at $u^* = \\sqrt{\\lambda_{out}/(E_j + \\lambda_{in})}$, so the bound is attained.",
        label="\\ell(u^*)",
    ))
    p.add(Identity(
        u_star**2, lam_out / (E + lam_in),
        "Gain: $g_j^4 = (u^*)^2$.",
        label="g_j^4 = (u^*)^2",
    ))
    a1, a2 = sp.symbols("a_1 a_2", positive=True)
    box = uniform_box([-a1, -a2], [a1, a2])
    code = modular_code(box, lam_in, lam_out)
    p.add(Identity(
        code.loss, 2 * sp.sqrt(lam_out * (sp.Rational(4, 3) * a1**2 + lam_in))
        + 2 * sp.sqrt(lam_out * (sp.Rational(4, 3) * a2**2 + lam_in)),
        "Example, two independent uniform sources on $[-a_j, a_j]$: $C_{jj} = a_j^2/3$, $\\beta_j = a_j$, "
        "$E_j = 4a_j^2/3$ (computed by `biomodular.theory.modular_code`, checked against the hand formula).",
        label="L_{mod}",
    ))
    unit = modular_code(uniform_box([-1, -1], [1, 1]), 1, 1)
    p.constant("L_{mod}([-1,1]^2, \\lambda_{in}=\\lambda_{out}=1)", sp.nsimplify(unit.loss))
    p.constant("g_j([-1,1]^2, \\lambda_{in}=\\lambda_{out}=1)", unit.gains[0])
    p.conclusion = ("Summing the attained per-source minima gives $L_{mod} = 2\\sum_j "
                    "\\sqrt{\\lambda_{out}(E_j + \\lambda_{in})}$ with $g_j^4 = \\lambda_{out}/(E_j+\\lambda_{in})$.")
    p.references = _REF_2025
    return p


def lambda_independence_proof() -> Proof:
    """Item 2: the modularity condition does not depend on lam_in, lam_out (A^T A, B^T B diagonal)."""
    d = 3
    E = sp.symbols(f"E_1:{d + 1}", positive=True)
    a = sp.symbols(f"a_1:{d + 1}", positive=True)
    b = sp.symbols(f"b_1:{d + 1}", positive=True)
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    lam_out = sp.Symbol("lambda_out", positive=True)
    u, Ej, aj, bj = sp.symbols("u E_j a_j b_j", positive=True)
    p = Proof(
        name="lambda-independence",
        title="The modularity condition does not depend on lambda_in, lambda_out",
        statement=(
            "For the family $x = As$, $y = Bs$ of THEORY.md s.3 with $A^TA = \\operatorname{diag}(a_j)$ and "
            "$B^TB = \\operatorname{diag}(b_j)$ (orthogonal columns of any norms; $A = B = I$ is the "
            "autoencoder), the KKT multiplier at the optimal modular code is $\\Lambda = "
            "\\operatorname{diag}(E_j)$ for every $\\lambda_{in} \\ge 0$, $\\lambda_{out} > 0$, so the "
            "optimality test $\\phi(w) \\ge w^T\\Lambda w$ is the $\\lambda$-free condition "
            "$m(w)^2 \\ge w^T F w$."
        ),
        setting=(
            "Weight costs $\\lambda_{in}\\operatorname{tr}((A^TA)^{-1}G) + \\lambda_{out}\\operatorname{tr}"
            "(B^TBG^{-1})$; modular $G = \\operatorname{diag}(u_j)$; $\\Lambda = \\lambda_{out}G^{-1}B^TBG^{-1} - "
            "\\lambda_{in}(A^TA)^{-1}$ (THEORY.md s.3)."
        ),
    )
    ell = per_source_loss(u, Ej, lam_in, lam_out, aj, bj)
    best = 2 * sp.sqrt(lam_out * bj * (Ej + lam_in / aj))
    p.add(Inequality(
        ell, best, SOS(((1, sp.sqrt(u * (Ej + lam_in / aj)) - sp.sqrt(lam_out * bj / u)),)),
        "Per-source loss of a modular code in the general family; AM-GM, attained at "
        "$u_j^2 = \\lambda_{out}b_j/(E_j + \\lambda_{in}/a_j)$.",
    ))
    Lam = kkt_multiplier(E, lam_in, lam_out, a, b)
    p.add(Identity(
        Lam, sp.diag(*E),
        "Substitute the optimal $u_j$ into $\\Lambda$: $\\lambda_{out} b_j/u_j^2 - \\lambda_{in}/a_j = E_j$.",
    ))
    p.add(Identity(
        Lam.diff(lam_in), sp.zeros(d, d),
        "Hence the multiplier does not change with $\\lambda_{in}$ ...",
        label="\\partial\\Lambda/\\partial\\lambda_{in}",
    ))
    p.add(Identity(
        Lam.diff(lam_out), sp.zeros(d, d),
        "... nor with $\\lambda_{out}$.",
        label="\\partial\\Lambda/\\partial\\lambda_{out}",
    ))
    w = sp.Matrix(sp.symbols(f"w_1:{d + 1}", real=True))
    m = sp.Symbol("m", real=True)
    beta = sp.symbols(f"beta_1:{d + 1}", positive=True)
    Csym = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"C_{min(i, j) + 1}{max(i, j) + 1}", real=True))
    F = sp.Matrix(d, d, lambda i, j: beta[i] ** 2 if i == j else -Csym[i, j])
    energies = [Csym[j, j] + beta[j] ** 2 for j in range(d)]
    phi = (w.T * Csym * w)[0] + m**2
    p.add(Identity(
        phi - (w.T * sp.diag(*energies) * w)[0], m**2 - (w.T * F * w)[0],
        "With $\\phi(w) = w^TCw + m(w)^2$ and $E_j = C_{jj} + \\beta_j^2$, the test "
        "$\\phi(w) - w^T\\operatorname{diag}(E_j)w \\ge 0$ is $m(w)^2 - w^TFw \\ge 0$, "
        "$F_{jj} = \\beta_j^2$, $F_{jk} = -C_{jk}$ (three sources shown; the identity is entrywise).",
    ))
    p.conclusion = ("The multiplier, hence the verdict, is the same for every $\\lambda_{in} \\ge 0$, "
                    "$\\lambda_{out} > 0$ and every diagonal $A^TA$, $B^TB$. For non-diagonal $A^TA$ or $B^TB$ "
                    "the multiplier depends on the coefficients (THEORY.md s.3).")
    p.references = _REF_2025
    return p


def range_independence_proof(max_sources: int = 6) -> Proof:
    """Item 4: range independence implies modularity, for any number of sources."""
    w = sp.Symbol("w_j", real=True)
    om = sp.Symbol("omega_j", nonnegative=True)  # |w_j|
    pj, qj = sp.symbols("p_j q_j", positive=True)  # mu - l, h - mu
    r = sp.Symbol("r_j", nonnegative=True)
    C = sp.Symbol("C_jj", positive=True)
    beta, delta = sp.symbols("beta_j delta_j", nonnegative=True)
    x = sp.Symbol("x_j", real=True)  # centred source value
    p = Proof(
        name="range-independence",
        title="Range independence implies modularity, for any number of sources",
        statement=(
            "If every corner of the bounding box of the sources is in the support, then "
            "$m(w)^2 \\ge w^TFw$ for every $w$, whatever the correlations and however many sources: "
            "the optimal code is modular."
        ),
        setting=(
            "Centred source $x_j = s_j - \\mu_j \\in [-p_j, q_j]$ with $p_j = \\mu_j - l_j$, "
            "$q_j = h_j - \\mu_j$, $\\beta_j = \\min(p_j, q_j)$. For a tuning $w$ let $d_j = p_j$ if $w_j \\ge 0$ "
            "and $d_j = q_j$ otherwise, $y_j = w_j x_j + |w_j| d_j$. The hull is the box, so "
            "$m(w) = -\\sum_j |w_j| d_j$ (the minimising corner takes $l_j$ where $w_j > 0$ and $h_j$ where "
            "$w_j < 0$), and $w \\cdot x - m(w) = \\sum_j y_j$."
        ),
    )
    # minimiser over the two ends, per sign of w_j
    p.add(Identity(
        sp.Min(-om * pj, om * qj), -om * pj,
        "Case $w_j = \\omega_j \\ge 0$: the smaller of $w_j l$, $w_j h$ (centred) is at the minimum.",
        label="\\min(-\\omega_j p_j, \\omega_j q_j)",
    ))
    p.add(Identity(
        sp.Min(om * pj, -om * qj), -om * qj,
        "Case $w_j = -\\omega_j \\le 0$: it is at the maximum.",
        label="\\min(\\omega_j p_j, -\\omega_j q_j)",
    ))
    p.add(Inequality(
        (om * (-pj + r)) + om * pj, 0, Nonneg(om * r),
        "$y_j \\ge 0$ on the support when $w_j = \\omega_j \\ge 0$: write $x_j = -p_j + r_j$, $r_j \\ge 0$.",
    ))
    p.add(Inequality(
        (-om * (qj - r)) + om * qj, 0, Nonneg(om * r),
        "$y_j \\ge 0$ on the support when $w_j = -\\omega_j$: write $x_j = q_j - r_j$, $r_j \\ge 0$.",
    ))
    for d in range(2, max_sources + 1):
        ys = sp.symbols(f"y_1:{d + 1}", real=True)
        lhs = sp.expand(sum(ys) ** 2)
        rhs = sum(y**2 for y in ys) + sum(ys[i] * ys[j] for i in range(d) for j in range(d) if i != j)
        p.add(Identity(
            lhs, rhs,
            f"$\\phi(w) = \\langle(\\sum_j y_j)^2\\rangle$ splits into squares and cross products "
            f"({d} sources; the expansion is the same for every $d$).",
            label=f"\\left(\\sum_{{j=1}}^{{{d}}} y_j\\right)^2",
        ))
    dj = sp.Symbol("d_j", positive=True)
    p.add(Identity(
        expect(sp.expand((w * x + sp.Abs(w) * dj) ** 2), {x: 0, x**2: C}), w**2 * (C + dj**2),
        "$\\langle y_j^2\\rangle = w_j^2(C_{jj} + d_j^2)$ since $\\langle x_j\\rangle = 0$, "
        "$\\langle x_j^2\\rangle = C_{jj}$ and $|w_j|^2 = w_j^2$.",
    ))
    p.add(Inequality(
        w**2 * (C + (beta + delta) ** 2), w**2 * (C + beta**2), Nonneg(w**2 * (2 * beta * delta + delta**2)),
        "$d_j \\ge \\beta_j$ (write $d_j = \\beta_j + \\delta_j$), so "
        "$\\langle y_j^2\\rangle \\ge w_j^2 E_j$.",
    ))
    r2, om2 = sp.symbols("r_k omega_k", nonnegative=True)
    p.add(Inequality(
        (om * r) * (om2 * r2), 0, Nonneg(om * r * om2 * r2),
        "Cross terms: $y_j y_k \\ge 0$ pointwise on the support (both factors are "
        "$\\omega r \\ge 0$ by steps 3-4), so $\\langle y_j y_k \\rangle \\ge 0$.",
    ))
    p.conclusion = (
        "$\\phi(w) = \\sum_j\\langle y_j^2\\rangle + \\sum_{j\\ne k}\\langle y_jy_k\\rangle \\ge "
        "\\sum_j E_j w_j^2$, i.e. (step 5 of `lambda-independence`) $m(w)^2 \\ge w^TFw$ for all $w$. Every step "
        "involves one source or one pair, so the argument holds for any number of sources; correlations enter "
        "only through $\\langle y_jy_k\\rangle \\ge 0$, which needs only the corners."
    )
    p.references = _REF_2025 + " Statistical independence (ICLR 2023) is the special case of a product support."
    return p
