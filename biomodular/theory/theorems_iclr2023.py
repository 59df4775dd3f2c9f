"""ICLR 2023 linear theory (THEORY.md s.3) and the exact mutual information of s.5."""

from __future__ import annotations

import sympy as sp

from .expectation import expect
from .proof import SOS, Identity, Inequality, Nonneg, Proof

__all__ = [
    "energy_identity_proof",
    "rotation_example_proof",
    "theorem2_proof",
    "mixture_information_proof",
    "two_uniform_entropy",
    "two_uniform_information",
    "rotation_mir",
]

_REF_2023 = ("Whittington, Dorrell, Ganguli, Behrens, *Disentanglement with Biological Constraints: A Theory of "
             "Functional Cell Types*, ICLR 2023; THEORY.md s.3.")


def _code_energy(M: sp.Matrix, a, sigma) -> tuple:
    """Energy of z = M e + b with the smallest nonnegative bias, factors in [-a, a] with variance sigma^2.

    Returns (energy, biases, variances) with the expectation computed from the factor moments.
    """
    n, k = M.shape
    e = sp.symbols(f"e_1:{k + 1}", real=True)
    moments = {}
    for i in range(k):
        moments[e[i]] = 0
        moments[e[i] ** 2] = sigma**2
        for j in range(i + 1, k):
            moments[e[i] * e[j]] = 0  # independent, mean zero
    biases = [a * sum(sp.Abs(M[j, i]) for i in range(k)) for j in range(n)]
    z = [sum(M[j, i] * e[i] for i in range(k)) + biases[j] for j in range(n)]
    energy = sum(expect(sp.expand(zj**2), moments) for zj in z)
    variances = [expect(sp.expand((zj - biases[j]) ** 2), moments) for j, zj in enumerate(z)]
    return sp.expand(energy), biases, variances


def energy_identity_proof() -> Proof:
    """Item 5a: ICLR 2023 Theorem 1, the energy identity and its cross term."""
    a, sigma = sp.symbols("a sigma", positive=True)
    n, k = 3, 2
    M = sp.Matrix(n, k, lambda i, j: sp.Symbol(f"M_{i + 1}{j + 1}", real=True))
    e = sp.symbols(f"e_1:{k + 1}", real=True)
    p = Proof(
        name="energy-identity",
        title="ICLR 2023 Theorem 1: the energy identity and its cross term",
        statement=(
            "Factors $e_i$ independent, mean 0, variance $\\sigma^2$, range $[-a, a]$; code $z = Me + b \\ge 0$ "
            "with the smallest such bias. With $\\sum_j \\operatorname{Var}(z_j) = C$: "
            "$E\\|z\\|^2 = C(1 + a^2/\\sigma^2) + a^2\\sum_j\\sum_{k\\ne l}|M_{jk}||M_{jl}|$. The cross term is "
            "$\\ge 0$ and vanishes iff every neuron codes at most one factor, so at fixed total variance the "
            "disentangled code has the least energy."
        ),
        setting=f"Shown for {n} neurons and {k} factors with symbolic weights $M_{{jk}}$; only the corners of "
                "the factor box are used (the minimum of $M_j\\cdot e$ over the box is at a corner).",
    )
    m, om = sp.Symbol("M_jk", real=True), sp.Symbol("omega", nonnegative=True)
    p.add(Identity(
        sp.Min(-a * om, a * om), -a * om,
        "Per factor, $\\min_{e_k \\in [-a, a]} M_{jk}e_k = -a|M_{jk}|$ (here $\\omega = |M_{jk}|$); summing, the "
        "smallest nonnegative bias is $b_j = a\\sum_k|M_{jk}|$, attained at a corner of the factor box.",
        label="\\min(-a\\omega, a\\omega)",
    ))
    energy, biases, variances = _code_energy(M, a, sigma)
    total_var = sum(variances)
    p.add(Identity(
        total_var, sigma**2 * sum(M[j, i] ** 2 for j in range(n) for i in range(k)),
        "$\\sum_j\\operatorname{Var}(z_j) = \\sigma^2\\|M\\|_F^2$ (independent factors, mean zero).",
        label="\\sum_j\\operatorname{Var}(z_j)",
    ))
    p.add(Identity(
        energy, total_var + sum(b**2 for b in biases),
        "$E\\|z\\|^2 = \\sum_j \\operatorname{Var}(z_j) + \\sum_j b_j^2$ (the mean of $z_j$ is $b_j$).",
        label="E\\|z\\|^2",
    ))
    cross = sum(sp.Abs(M[j, i]) * sp.Abs(M[j, l]) for j in range(n) for i in range(k) for l in range(k) if i != l)
    C = sp.Symbol("C", positive=True)
    p.add(Identity(
        energy.subs(sigma, sp.sqrt(C) / sp.sqrt(sum(M[j, i] ** 2 for j in range(n) for i in range(k)))),
        C * (1 + a**2 / (C / sum(M[j, i] ** 2 for j in range(n) for i in range(k)))) + a**2 * cross,
        "Expand $b_j^2 = a^2(\\sum_k M_{jk}^2 + \\sum_{k\\ne l}|M_{jk}||M_{jl}|)$ and write "
        "$\\|M\\|_F^2 = C/\\sigma^2$: the identity of Theorem 1.",
        label="E\\|z\\|^2\\big|_{\\sigma^2 = C/\\|M\\|_F^2}",
        where=(sp.Ne(sum(M[j, i] ** 2 for j in range(n) for i in range(k)), 0),),
    ))
    absM = [sp.Symbol(f"A_{j + 1}{i + 1}", nonnegative=True) for j in range(n) for i in range(k)]
    cross_abs = sum(absM[j * k + i] * absM[j * k + l] for j in range(n) for i in range(k) for l in range(k) if i != l)
    p.add(Inequality(
        cross_abs, 0, Nonneg(cross_abs),
        "The cross term is a sum of products of nonnegative numbers $A_{jk} = |M_{jk}|$; it is zero iff every "
        "product is zero, i.e. every row of $M$ has at most one nonzero entry.",
    ))
    p.conclusion = ("At fixed $C$ the energy is minimised exactly by the codes with zero cross term: each neuron "
                    "codes one factor (disentangled).")
    p.references = _REF_2023
    _ = (e, m)
    return p


def rotation_example_proof() -> Proof:
    """Item 5b: the worked example of the seed slides."""
    a, sigma = sp.symbols("a sigma", positive=True)
    th = sp.Symbol("theta", real=True)
    p = Proof(
        name="rotation-example",
        title="Worked example: rotated versus axis-aligned code (ICLR 2023)",
        statement=(
            "Two uniform factors on $[-a, a]$ with variance $\\sigma^2$. The rotated code "
            "$M = [[0.8, -0.6], [0.6, 0.8]]$ with the smallest nonnegative bias $a(1.4, 1.4)$ costs "
            "$2\\sigma^2 + 2a^2\\cdot1.4^2$; the axis code with bias $a(1, 1)$ costs $2\\sigma^2 + 2a^2$; a rotation "
            "by $\\theta$ costs $2\\sigma^2 + 2a^2(1 + |\\sin 2\\theta|)$, least exactly at multiples of $\\pi/2$."
        ),
        setting="Energy from the moments of the factors (`energy-identity`); all three codes have total variance "
                "$2\\sigma^2$.",
    )
    R = sp.Matrix([[sp.Rational(4, 5), -sp.Rational(3, 5)], [sp.Rational(3, 5), sp.Rational(4, 5)]])
    energy, biases, variances = _code_energy(R, a, sigma)
    p.add(Identity(sp.Matrix(biases), sp.Matrix([sp.Rational(7, 5) * a] * 2),
                   "Smallest nonnegative bias $a(|0.8| + |0.6|) = 1.4a$ per neuron.", label="b"))
    p.add(Identity(energy, 2 * sigma**2 + 2 * a**2 * sp.Rational(7, 5) ** 2,
                   "Rotated code: energy computed from the factor moments.", label="E\\|z\\|^2_{rot}"))
    energy_axis, _, _ = _code_energy(sp.eye(2), a, sigma)
    p.add(Identity(energy_axis, 2 * sigma**2 + 2 * a**2, "Axis-aligned code, bias $a(1, 1)$.",
                   label="E\\|z\\|^2_{axis}"))
    Rt = sp.Matrix([[sp.cos(th), -sp.sin(th)], [sp.sin(th), sp.cos(th)]])
    energy_t, _, _ = _code_energy(Rt, a, sigma)
    p.add(Identity(
        energy_t, 2 * sigma**2 + 2 * a**2 * (1 + sp.Abs(sp.sin(2 * th))),
        "Rotation by $\\theta$: each bias is $a(|\\cos\\theta| + |\\sin\\theta|)$ and "
        "$(|\\cos\\theta| + |\\sin\\theta|)^2 = 1 + 2|\\sin\\theta\\cos\\theta| = 1 + |\\sin 2\\theta|$.",
        label="E\\|z\\|^2_{\\theta}",
    ))
    sv = sp.Symbol("S", nonnegative=True)  # |sin 2 theta|
    p.add(Inequality(
        2 * sigma**2 + 2 * a**2 * (1 + sv), 2 * sigma**2 + 2 * a**2, Nonneg(2 * a**2 * sv),
        "With $S = |\\sin 2\\theta| \\ge 0$ the rotated code costs $2a^2S$ more; equality iff "
        "$\\sin 2\\theta = 0$.",
    ))
    p.constant("1.4^2", sp.Rational(49, 25))
    p.constant("E\\|z\\|^2_{rot} - E\\|z\\|^2_{axis}", sp.Rational(48, 25), "in units of $a^2$")
    p.references = _REF_2023 + " Example from the seed slides of the paper's presentation."
    return p


def theorem2_proof() -> Proof:
    """Item 6: ICLR 2023 Theorem 2's closed form, and beta_w only rescales the optimum."""
    a, sigma, sD, bw, u, kk = sp.symbols("a sigma sigma_D beta_w u k", positive=True)
    p = Proof(
        name="iclr2023-theorem2",
        title="ICLR 2023 Theorem 2: closed form, and beta_w only rescales the optimum",
        statement=(
            "Predict $x = De$ exactly from $z = Me + b \\ge 0$ via $x = Wz + b_x$, with $D^TD = \\sigma_D^2I_k$ and "
            "loss $E\\|z\\|^2 + \\beta_w\\|W\\|_F^2$. The optimum is disentangled with column norms "
            "$\\lambda^4 = \\beta_w\\sigma_D^2/(\\sigma^2 + a^2)$ and $L^* = 2k\\sigma_D\\sqrt{\\beta_w(\\sigma^2 + "
            "a^2)}$; changing $\\beta_w$ only rescales $M$ by $\\beta_w^{1/4}$ and $W$ by $\\beta_w^{-1/4}$."
        ),
        setting=("Factors as in `energy-identity` ($k$ of them). The convex family of THEORY.md s.3 with $A = I$, "
                 "$B = D$, $\\lambda_{in} = 0$, $\\lambda_{out} = \\beta_w$; $u = \\lambda^2$."),
    )
    loss_u = kk * (u * (sigma**2 + a**2) + bw * sD**2 / u)
    p.add(Identity(
        loss_u, kk * u * (sigma**2 + a**2) + bw * kk * sD**2 / u,
        "Disentangled code $M = \\lambda I$: energy $k\\lambda^2(\\sigma^2 + a^2)$ (variance plus squared bias "
        "$\\lambda a$ per neuron); readout $W = D/\\lambda$, $\\|W\\|_F^2 = \\operatorname{tr}(D^TD)/\\lambda^2 = "
        "k\\sigma_D^2/\\lambda^2$.",
    ))
    best = 2 * kk * sD * sp.sqrt(bw * (sigma**2 + a**2))
    p.add(Inequality(
        loss_u, best, SOS(((kk, sp.sqrt(u * (sigma**2 + a**2)) - sp.sqrt(bw) * sD / sp.sqrt(u)),)),
        "AM-GM: the loss is at least $2k\\sigma_D\\sqrt{\\beta_w(\\sigma^2 + a^2)}$.",
    ))
    u_star = sD * sp.sqrt(bw / (sigma**2 + a**2))
    p.add(Identity(loss_u.subs(u, u_star), best, "Attained at $\\lambda^2 = u^*$ ...", label="L(u^*)"))
    p.add(Identity(u_star**2, bw * sD**2 / (sigma**2 + a**2), "... i.e. $\\lambda^4 = \\beta_w\\sigma_D^2/"
                                                              "(\\sigma^2 + a^2)$.", label="\\lambda^4"))
    G = u_star * sp.eye(2)
    Lam = bw * G.inv() * (sD**2 * sp.eye(2)) * G.inv()
    p.add(Identity(
        Lam, (sigma**2 + a**2) * sp.eye(2),
        "Optimal among all codes: the KKT multiplier $\\Lambda = \\beta_wG^{-1}D^TDG^{-1}$ at "
        "$G = \\lambda^2 I$ equals $\\operatorname{diag}(E_j)$ with $E_j = \\sigma^2 + a^2$ "
        "(two factors shown) ...",
        label="\\Lambda",
    ))
    o1, o2 = sp.symbols("omega_1 omega_2", nonnegative=True)
    p.add(Inequality(
        a**2 * (o1 + o2) ** 2, a**2 * (o1**2 + o2**2), Nonneg(2 * a**2 * o1 * o2),
        "... and the condition $m(w)^2 \\ge w^TFw$ holds: the support is the factor box, "
        "$m(w) = -a(|w_1| + |w_2|)$, $F = a^2I$ (uncorrelated, $\\beta_j = a$); $\\omega_j = |w_j|$.",
    ))
    t = bw ** sp.Rational(1, 4)
    Ez, Wn = sp.symbols("E_z W_F", positive=True)
    p.add(Identity(
        t**2 * Ez + bw * Wn / t**2, sp.sqrt(bw) * (Ez + Wn),
        "Rescaling: $(M, b, W) \\mapsto (tM, tb, W/t)$ keeps $WM = D$ and $z \\ge 0$, scales the energy by "
        "$t^2$ and $\\|W\\|_F^2$ by $t^{-2}$; with $t = \\beta_w^{1/4}$ the loss at $\\beta_w$ is "
        "$\\sqrt{\\beta_w}$ times the loss at $\\beta_w = 1$ for every feasible code, so the minimisers "
        "correspond.",
    ))
    p.add(Identity(best, sp.sqrt(bw) * best.subs(bw, 1), "Consistently, the optimum scales as "
                                                         "$\\sqrt{\\beta_w}$.",
                   label="L^*(\\beta_w) = \\sqrt{\\beta_w}\\,L^*(1)"))
    p.references = _REF_2023
    return p


# ---------------------------------------------------------------- information
def two_uniform_entropy(w1, w2) -> sp.Expr:
    """Differential entropy (nats) of X + Y, X ~ U(0, w1), Y ~ U(0, w2), w1 >= w2 > 0,
    by integrating the trapezoid density piece by piece."""
    t = sp.Symbol("t", positive=True)
    rise = t / (w1 * w2)
    flat = 1 / w1
    ent = -sp.integrate(rise * sp.log(rise), (t, 0, w2))
    ent += -(w1 - w2) * flat * sp.log(flat)
    ent *= 1  # the falling ramp mirrors the rising one
    ent += -sp.integrate(rise * sp.log(rise), (t, 0, w2))
    return ent


def two_uniform_information(c1, c2, a=1) -> tuple:
    """Exact ``(I(z; e1), I(z; e2))`` in nats for ``z = c1 e1 + c2 e2``, ``e_i ~ U[-a, a]``.

    Widths ``w_i = 2a|c_i|``, ``rho = min / max``: the dominant factor has
    ``-ln rho + rho/2``, the minor ``rho/2`` (THEORY.md s.5).  A zero weight
    gives ``(inf, 0)``-type limits: the factor with zero weight has 0.
    """
    w1, w2 = 2 * a * sp.Abs(c1), 2 * a * sp.Abs(c2)
    if w2 == 0:
        return (sp.oo, sp.Integer(0))
    if w1 == 0:
        return (sp.Integer(0), sp.oo)
    rho = sp.Min(w1, w2) / sp.Max(w1, w2)
    dominant, minor = -sp.log(rho) + rho / 2, rho / 2
    return (dominant, minor) if bool(w1 >= w2) else (minor, dominant)


def rotation_mir(theta) -> sp.Expr:
    """MIR of the rotation code ``[[cos, -sin], [sin, cos]]`` for 0 < theta < pi/4 (exact)."""
    rho = sp.tan(theta)
    dom, minor = -sp.log(rho) + rho / 2, rho / 2
    r = dom / (dom + minor)
    return (r - sp.Rational(1, 2)) / (1 - sp.Rational(1, 2))


def mixture_information_proof() -> Proof:
    """Item 7: exact mutual information of a two-uniform mixture and the MIR of the worked example."""
    w1, w2 = sp.symbols("w_1 w_2", positive=True)
    rho = sp.Symbol("rho", positive=True)
    t = sp.Symbol("t", positive=True)
    p = Proof(
        name="mixture-information",
        title="Exact mutual information of a two-uniform mixture; MIR of the worked example",
        statement=(
            "For $z = c_1e_1 + c_2e_2$ with $e_i$ uniform, widths $w_i = 2a|c_i|$, $w_1 \\ge w_2$, "
            "$\\rho = w_2/w_1$: $I(z; e_1) = -\\ln\\rho + \\rho/2$ and $I(z; e_2) = \\rho/2$ nats. For the rotated "
            "code of `rotation-example` ($\\rho = 3/4$ for both neurons) "
            "$\\mathrm{MIR} = \\ln(4/3)/(\\ln(4/3) + 3/4)$; for a rotation by $0 < \\theta < \\pi/4$, "
            "$\\mathrm{MIR} = -\\ln\\tan\\theta/(\\tan\\theta - \\ln\\tan\\theta)$."
        ),
        setting=("$z$ shifted to $[0, w_1 + w_2]$ is the sum of independent $U(0, w_1)$ and $U(0, w_2)$; its "
                 "density is the trapezoid rising as $t/(w_1w_2)$ on $[0, w_2]$, flat at $1/w_1$ on "
                 "$[w_2, w_1]$, falling symmetrically on $[w_1, w_1 + w_2]$."),
        where=(w1 > w2,),
    )
    rise = t / (w1 * w2)
    p.add(Identity(
        2 * sp.integrate(rise, (t, 0, w2)) + (w1 - w2) / w1, 1,
        "The trapezoid is a probability density (two ramps and the flat part).",
    ))
    h = two_uniform_entropy(w1, w2)
    p.add(Identity(
        h, sp.log(w1) + w2 / (2 * w1),
        "Differential entropy $h(z) = -\\int f\\ln f$, integrated piece by piece: "
        "$h(z) = \\ln w_1 + \\rho/2$.",
    ))
    p.add(Identity(
        h - sp.log(w2), -sp.log(w2 / w1) + w2 / (2 * w1),
        "$I(z; e_1) = h(z) - h(z\\mid e_1) = h(z) - \\ln w_2$ (given $e_1$, $z$ is uniform of width $w_2$): "
        "$-\\ln\\rho + \\rho/2$, the dominant factor.",
    ))
    p.add(Identity(
        h - sp.log(w1), w2 / (2 * w1),
        "$I(z; e_2) = h(z) - \\ln w_1 = \\rho/2$, the minor factor.",
    ))
    dom, minor = -sp.log(rho) + rho / 2, rho / 2
    mir_rho = 2 * dom / (dom + minor) - 1
    p.add(Identity(
        mir_rho, -sp.log(rho) / (rho - sp.log(rho)),
        "Two factors, every neuron with the same $\\rho$: $r_n = I_{dom}/(I_{dom} + I_{minor})$ and "
        "$\\mathrm{MIR} = (r - 1/2)/(1/2) = -\\ln\\rho/(\\rho - \\ln\\rho)$.",
        domain=((rho, (0, 1)),),
    ))
    mir_ex = mir_rho.subs(rho, sp.Rational(3, 4))
    p.add(Identity(
        mir_ex, sp.log(sp.Rational(4, 3)) / (sp.log(sp.Rational(4, 3)) + sp.Rational(3, 4)),
        "Worked example: both neurons have weights $(0.8, \\mp 0.6)$ up to sign, widths $1.6a$ and $1.2a$, "
        "$\\rho = 3/4$.",
    ))
    th = sp.Symbol("theta", positive=True)
    p.add(Identity(
        rotation_mir(th), -sp.log(sp.tan(th)) / (sp.tan(th) - sp.log(sp.tan(th))),
        "Rotation by $\\theta \\in (0, \\pi/4)$: widths $2a\\cos\\theta \\ge 2a\\sin\\theta$, "
        "$\\rho = \\tan\\theta$.",
        domain=((th, (sp.Rational(1, 100), sp.pi / 4)),),
    ))
    p.constant("I(z; e_{dom})", -sp.log(sp.Rational(3, 4)) + sp.Rational(3, 8), "worked example, nats")
    p.constant("I(z; e_{minor})", sp.Rational(3, 8), "worked example, nats")
    p.constant("\\mathrm{MIR}_{example}",
               sp.log(sp.Rational(4, 3)) / (sp.log(sp.Rational(4, 3)) + sp.Rational(3, 4)))
    p.references = (_REF_2023 + " MIR as defined there (THEORY.md s.5); the closed form is derived here, not "
                    "taken from the paper.")
    return p
