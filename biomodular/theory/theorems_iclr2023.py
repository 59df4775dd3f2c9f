"""ICLR 2023 linear theory (docs/mathematics.md, "ICLR 2023 linear theory") and the exact mutual information of "Measuring modularity in a trained network"."""

from __future__ import annotations

import sympy as sp

from .expectation import Mean, linear_mean
from .proof import SOS, AllOf, Conjunction, Eq, Ge, Gt, Identity, Inequality, Linearity, Nonneg, Proof, SignCases

__all__ = [
    "energy_identity_proof",
    "rotation_example_proof",
    "theorem2_proof",
    "mixture_information_proof",
    "theorem2_angle_proof",
    "two_uniform_entropy",
    "two_uniform_information",
    "rotation_mir",
]

_REF_2023 = (
    "Whittington, Dorrell, Ganguli, Behrens, *Disentanglement with Biological Constraints: A Theory of "
    "Functional Cell Types*, ICLR 2023; docs/mathematics.md, 'ICLR 2023 linear theory'."
)


def energy_identity_proof() -> Proof:
    """ICLR 2023 Theorem 1: the energy identity, for any numbers of neurons and factors."""
    a, sigma, C = sp.symbols("a sigma C", positive=True)
    Ez2, V, Bsq, S = sp.symbols("Ez2 V Bsq S", real=True)
    X = sp.Symbol("X", nonnegative=True)
    p = Proof(
        name="energy-identity",
        title="ICLR 2023 Theorem 1: the energy identity and its cross term",
        setting=(
            "Factors $e_k$ independent, mean 0, variance $\\sigma^2$, range $[-a, a]$; code $z = Me + b \\ge 0$ "
            "with the smallest such bias; any numbers of neurons and factors. $Ez2 = E\\|z\\|^2$, "
            "$V = \\sum_j\\operatorname{Var}(z_j)$, $Bsq = \\sum_jb_j^2$, $S = \\sum_{jk}M_{jk}^2$, "
            "$X = \\sum_j\\sum_{k\\ne l}|M_{jk}||M_{jl}| \\ge 0$ (the cross term)."
        ),
        gloss=(
            "with the total variance fixed to $C$, $E\\|z\\|^2 = C(1 + a^2/\\sigma^2) + a^2X$; the cross term "
            "$X \\ge 2|M_{jk}||M_{jl}|$ for every neuron $j$ and factors $k \\ne l$, so $X = 0$ exactly when "
            "every neuron codes at most one factor: at fixed variance the disentangled codes, and only they, "
            "have the least energy."
        ),
    )
    p.hypothesis(
        "H_energy", Eq(Ez2, V + Bsq), "$E z_j^2 = \\operatorname{Var}(z_j) + b_j^2$ (the mean of $z_j$ is $b_j$)."
    )
    p.hypothesis("H_var", Eq(V, sigma**2 * S), "independent mean-zero factors of variance $\\sigma^2$.")
    p.hypothesis(
        "H_bias",
        Eq(Bsq, a**2 * (S + X)),
        "the smallest nonnegative bias is $b_j = a\\sum_k|M_{jk}|$ (the minimum of $M_j\\cdot e$ over the "
        "factor box is at a corner), and $(\\sum_k|M_{jk}|)^2 = \\sum_kM_{jk}^2 + "
        "\\sum_{k\\ne l}|M_{jk}||M_{jl}|$.",
    )
    p.hypothesis("H_fixed", Eq(V, C), "the total variance is fixed to $C$.")
    # the cross term is zero only for disentangled codes: for any neuron j and two factors k != l it is at least
    # 2|M_jk||M_jl| (a1, a2); Sr, Qr: the sum and the sum of squares of the neuron's other |weights|
    a1, a2, Sr, Qr = sp.symbols("a_1 a_2 S_r Q_r", nonnegative=True)
    Xj, Xo = sp.symbols("X_j X_o", real=True)
    p.hypothesis(
        "H_Xj",
        Eq(Xj, (a1 + a2 + Sr) ** 2 - (a1**2 + a2**2 + Qr)),
        "the cross term of neuron $j$: $(\\sum_k|M_{jk}|)^2 - \\sum_kM_{jk}^2$, with two of its weights "
        "$a_1 = |M_{jk}|$, $a_2 = |M_{jl}|$ ($k \\ne l$) written out.",
    )
    p.hypothesis(
        "H_rest",
        Ge(Sr**2, Qr),
        "the neuron's other weights have a cross term $\\ge 0$ too: the square "
        "of a sum of nonnegative numbers is at least the sum of their squares.",
    )
    p.hypothesis("H_split", Eq(X, Xj + Xo), "$X$ is the sum of the neurons' cross terms ...")
    p.hypothesis("H_others", Ge(Xo, 0), "... and the other neurons' are $\\ge 0$.")
    target = C * (1 + a**2 / sigma**2) + a**2 * X
    p.conclusion = AllOf(Eq(Ez2, target), Ge(Ez2, C * (1 + a**2 / sigma**2)), Ge(X, 2 * a1 * a2))
    p.add(
        Identity(
            Ez2,
            target,
            "$E\\|z\\|^2 = \\sigma^2S + a^2S + a^2X$ and $S = C/\\sigma^2$.",
            premises=("H_energy", "H_bias", "H_var", "H_fixed", "axiom:polytope-facets"),
            multipliers=(
                ("H_energy", 1),
                ("H_bias", 1),
                ("H_var", -(a**2) / sigma**2),
                ("H_fixed", 1 + a**2 / sigma**2),
            ),
        )
    )
    p.add(
        Inequality(
            Ez2,
            C * (1 + a**2 / sigma**2),
            Nonneg(a**2 * X),
            "The cross term is $\\ge 0$: the energy is least when it vanishes.",
            premises=("s1",),
        )
    )
    p.add(
        Inequality(
            Xj,
            2 * a1 * a2,
            Nonneg(2 * (a1 + a2) * Sr),
            "Expand: $X_j - 2a_1a_2 = 2(a_1 + a_2)S_r + (S_r^2 - Q_r) \\ge 0$.",
            premises=("H_Xj", "H_rest"),
            multipliers=(("H_Xj", 1), ("H_rest", 1)),
        )
    )
    p.add(
        Inequality(
            X,
            2 * a1 * a2,
            Nonneg(sp.Integer(0)),
            "So the cross term is at least $2|M_{jk}||M_{jl}|$ for every neuron and pair of factors: "
            "$X = 0$ forces every neuron to code at most one factor (and conversely every product in $X$ "
            "then has a zero factor).",
            premises=("s3", "H_split", "H_others"),
            multipliers=(("s3", 1), ("H_split", 1), ("H_others", 1)),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s1", "s2", "s4")))
    p.references = _REF_2023
    return p


def _rotation_energy(M, b, e):
    """<||M e + b||^2> as a mean, and its expansion by linearity."""
    z = [sum(M[j, k] * e[k] for k in range(2)) + b[j] for j in range(2)]
    total = sum(zj**2 for zj in z)
    return Mean(total), linear_mean(total, e)


def rotation_example_proof() -> Proof:
    """The worked example: rotated versus axis-aligned code."""
    a, sigma = sp.symbols("a sigma", positive=True)
    th = sp.Symbol("theta", real=True)
    e = sp.symbols("e_1 e_2", real=True)
    p = Proof(
        name="rotation-example",
        title="Worked example: rotated versus axis-aligned code (ICLR 2023)",
        setting=(
            "Two factors, mean 0, variance $\\sigma^2$, range $[-a, a]$ (no assumption on their correlation: "
            "the cross moment cancels for every rotation). The rotated code "
            "$M = [[4/5, -3/5], [3/5, 4/5]]$ with the smallest nonnegative bias $a(|4/5| + |3/5|) = 7a/5$ "
            "per neuron; the axis code with bias $a$; a rotation by $\\theta$ with bias "
            "$a(|\\cos\\theta| + |\\sin\\theta|)$."
        ),
        gloss=(
            "the rotated code costs $2\\sigma^2 + 2a^2(7/5)^2$, the axis code $2\\sigma^2 + 2a^2$, a rotation by "
            "$\\theta$ costs $2\\sigma^2 + 2a^2(1 + |\\sin 2\\theta|)$, least exactly at multiples of "
            "$\\pi/2$."
        ),
    )
    p.hypothesis("H_m1", Eq(Mean(e[0]), 0))
    p.hypothesis("H_m2", Eq(Mean(e[1]), 0))
    p.hypothesis("H_v1", Eq(Mean(e[0] ** 2), sigma**2))
    p.hypothesis("H_v2", Eq(Mean(e[1] ** 2), sigma**2))
    moments = ("H_m1", "H_m2", "H_v1", "H_v2")  # the cross moment cancels for every rotation
    R = sp.Matrix([[sp.Rational(4, 5), -sp.Rational(3, 5)], [sp.Rational(3, 5), sp.Rational(4, 5)]])
    rot, rot_lin = _rotation_energy(R, [sp.Rational(7, 5) * a] * 2, e)
    axis, axis_lin = _rotation_energy(sp.eye(2), [a, a], e)
    Rt = sp.Matrix([[sp.cos(th), -sp.sin(th)], [sp.sin(th), sp.cos(th)]])
    bt = a * (sp.Abs(sp.cos(th)) + sp.Abs(sp.sin(th)))
    rott, rott_lin = _rotation_energy(Rt, [bt, bt], e)
    E_rot, E_axis = 2 * sigma**2 + 2 * a**2 * sp.Rational(49, 25), 2 * sigma**2 + 2 * a**2
    E_t = 2 * sigma**2 + 2 * a**2 * (1 + sp.Abs(sp.sin(2 * th)))
    p.conclusion = AllOf(Eq(rot, E_rot), Eq(axis, E_axis), Eq(rott, E_t), Ge(E_t, E_axis))
    p.add(Linearity(rot, rot_lin, e, "Rotated code: expand, the mean is linear."))
    p.add(Identity(rot, E_rot, "Substitute the moments.", premises=("s1",) + moments))
    p.add(Linearity(axis, axis_lin, e, "Axis code."))
    p.add(Identity(axis, E_axis, "Substitute the moments.", premises=("s3",) + moments))
    p.add(Linearity(rott, rott_lin, e, "Rotation by $\\theta$."))
    p.add(
        Identity(
            rott,
            E_t,
            "Substitute the moments; $(|\\cos\\theta| + |\\sin\\theta|)^2 = 1 + |\\sin 2\\theta|$.",
            premises=("s5",) + moments,
        )
    )
    p.add(
        Inequality(
            E_t,
            E_axis,
            Nonneg(2 * a**2 * sp.Abs(sp.sin(2 * th))),
            "The rotation costs $2a^2|\\sin 2\\theta| \\ge 0$ more; equality iff $\\sin 2\\theta = 0$.",
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s2", "s4", "s6", "s7")))
    p.constant(
        "E\\|z\\|^2_{rot} - E\\|z\\|^2_{axis}",
        sp.expand((E_rot - E_axis) / a**2),
        "in units of $a^2$, from the checked parts",
    )
    p.references = _REF_2023 + " Example from the seed slides of the paper's presentation."
    return p


def theorem2_proof() -> Proof:
    """ICLR 2023 Theorem 2's closed form, its KKT multiplier, and beta_w only rescales the optimum."""
    a, sigma, sD, bw, u, v, kk, t = sp.symbols("a sigma sigma_D beta_w u v k t", positive=True)
    Ez, Wn = sp.symbols("E_z W_F", positive=True)
    w1, w2 = sp.symbols("w_1 w_2", real=True)
    p = Proof(
        name="iclr2023-theorem2",
        title="ICLR 2023 Theorem 2: closed form, and beta_w only rescales the optimum",
        setting=(
            "Predict $x = De$ exactly from $z = Me + b \\ge 0$ via $x = Wz + b_x$, $D^TD = \\sigma_D^2I_k$, loss "
            "$E\\|z\\|^2 + \\beta_w\\|W\\|_F^2$; factors as in `energy-identity` ($k$ of them). A "
            "disentangled code $M = \\lambda I$ has loss $k(u(\\sigma^2 + a^2) + \\beta_w\\sigma_D^2/u)$ with "
            "$u = \\lambda^2$ (energy $\\lambda^2(\\sigma^2 + a^2)$ per neuron, readout $W = D/\\lambda$). The "
            "family of the Gram-form program with $A = I$, $B = D$, $\\lambda_{in} = 0$, "
            "$\\lambda_{out} = \\beta_w$; its multiplier at $G = vI$ is $\\Lambda = \\beta_wG^{-1}D^TDG^{-1}$ "
            "(two factors shown for the matrix)."
        ),
        gloss=(
            "the optimum is disentangled with $\\lambda^4 = \\beta_w\\sigma_D^2/(\\sigma^2 + a^2)$ and "
            "$L^* = 2k\\sigma_D\\sqrt{\\beta_w(\\sigma^2 + a^2)}$; the multiplier is $(\\sigma^2 + a^2)I = "
            "\\operatorname{diag}(E_j)$ and the factor box passes $m(w)^2 \\ge w^TFw$ with $F = a^2I$, so it is "
            "optimal among all codes; changing $\\beta_w$ rescales $M$ by $\\beta_w^{1/4}$, $W$ by "
            "$\\beta_w^{-1/4}$, and the loss of every code by $\\sqrt{\\beta_w}$."
        ),
    )
    p.hypothesis("H_v", Eq(v, sD * sp.sqrt(bw / (sigma**2 + a**2))), "the proposed $\\lambda^2$.")
    p.hypothesis("H_t", Eq(t, bw ** sp.Rational(1, 4)), "the rescaling factor.")
    loss_u = kk * (u * (sigma**2 + a**2) + bw * sD**2 / u)
    loss_v = kk * (v * (sigma**2 + a**2) + bw * sD**2 / v)
    best = 2 * kk * sD * sp.sqrt(bw * (sigma**2 + a**2))
    G = v * sp.eye(2)
    Lam = bw * G.inv() * (sD**2 * sp.eye(2)) * G.inv()
    m2 = a**2 * (sp.Abs(w1) + sp.Abs(w2)) ** 2
    wFw = a**2 * (w1**2 + w2**2)
    p.conclusion = AllOf(
        Ge(loss_u, best),
        Eq(loss_v, best),
        Eq(Lam, (sigma**2 + a**2) * sp.eye(2)),
        Ge(m2, wFw),
        Eq(t**2 * Ez + bw * Wn / t**2, sp.sqrt(bw) * (Ez + Wn)),
    )
    p.add(
        Inequality(
            loss_u,
            best,
            SOS(((kk, sp.sqrt(u * (sigma**2 + a**2)) - sp.sqrt(bw) * sD / sp.sqrt(u)),)),
            "Arithmetic-geometric mean: the gap is $k$ times a square.",
        )
    )
    p.add(Identity(loss_v, best, "Attained at $u = v$.", premises=("H_v",)))
    p.add(
        Identity(
            Lam,
            (sigma**2 + a**2) * sp.eye(2),
            "The multiplier at $G = vI$ is $\\operatorname{diag}(E_j)$, $E_j = \\sigma^2 + a^2$.",
            premises=("H_v",),
            label="\\Lambda",
        )
    )
    p.add(
        Inequality(
            m2,
            wFw,
            Nonneg(2 * a**2 * sp.Abs(w1) * sp.Abs(w2)),
            "The factor box: $m(w) = -a(|w_1| + |w_2|)$, $F = a^2I$ (uncorrelated, $\\beta_j = a$); the "
            "gap is $2a^2|w_1||w_2|$.",
            premises=("axiom:polytope-facets",),
        )
    )
    p.add(
        Identity(
            t**2 * Ez + bw * Wn / t**2,
            sp.sqrt(bw) * (Ez + Wn),
            "Rescaling $(M, b, W) \\mapsto (tM, tb, W/t)$ keeps $WM = D$ and $z \\ge 0$, scales the energy "
            "by $t^2$ and $\\|W\\|_F^2$ by $t^{-2}$.",
            premises=("H_t",),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s1", "s2", "s3", "s4", "s5")))
    p.uses = ("lemma:weak-duality",)
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
    ``-ln rho + rho/2``, the minor ``rho/2`` (docs/mathematics.md, "Measuring modularity in a trained network").  A zero weight
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
    """Exact mutual information of a two-uniform mixture and the MIR of the worked example."""
    w1, w2 = sp.symbols("w_1 w_2", positive=True)
    rho = sp.Symbol("rho", positive=True)
    t = sp.Symbol("t", positive=True)
    th = sp.Symbol("theta", positive=True)
    h, I1, I2 = sp.symbols("h I_1 I_2", real=True)
    p = Proof(
        name="mixture-information",
        title="Exact mutual information of a two-uniform mixture; MIR of the worked example",
        setting=(
            "$z = c_1e_1 + c_2e_2$ with $e_i$ uniform, widths $w_i = 2a|c_i|$, $w_1 > w_2$; shifted to "
            "$[0, w_1 + w_2]$ it is the sum of independent $U(0, w_1)$ and $U(0, w_2)$, whose density is the "
            "trapezoid rising as $t/(w_1w_2)$ on $[0, w_2]$, flat at $1/w_1$ on $[w_2, w_1]$ and falling "
            "symmetrically. $h = h(z)$, $I_i = I(z; e_i)$, $\\rho = w_2/w_1$."
        ),
        gloss=(
            "$I(z; e_1) = -\\ln\\rho + \\rho/2$ and $I(z; e_2) = \\rho/2$ nats; with every neuron at the same "
            "$\\rho$, $\\mathrm{MIR} = -\\ln\\rho/(\\rho - \\ln\\rho)$: $\\ln(4/3)/(\\ln(4/3) + 3/4)$ for the "
            "rotated code of `rotation-example` ($\\rho = 3/4$), and $-\\ln\\tan\\theta/(\\tan\\theta - "
            "\\ln\\tan\\theta)$ for a rotation by $0 < \\theta < \\pi/4$."
        ),
        where=(w1 > w2,),
    )
    rise = t / (w1 * w2)
    flat = 1 / w1
    entropy = -2 * sp.integrate(rise * sp.log(rise), (t, 0, w2)) - (w1 - w2) * flat * sp.log(flat)
    p.hypothesis(
        "H_h", Eq(h, entropy), "$h(z) = -\\int f\\ln f$, integrated piece by piece (two ramps and the flat part)."
    )
    p.hypothesis("H_I1", Eq(I1, h - sp.log(w2)), "given $e_1$, $z$ is uniform of width $w_2$.")
    p.hypothesis("H_I2", Eq(I2, h - sp.log(w1)), "given $e_2$, $z$ is uniform of width $w_1$.")
    dom, minor = -sp.log(rho) + rho / 2, rho / 2
    mir_rho = 2 * dom / (dom + minor) - 1
    mir_closed = -sp.log(rho) / (rho - sp.log(rho))
    ex = sp.Rational(3, 4)
    mir_t = -sp.log(sp.tan(th)) / (sp.tan(th) - sp.log(sp.tan(th)))
    p.conclusion = AllOf(
        Eq(I1, -sp.log(w2 / w1) + w2 / (2 * w1)),
        Eq(I2, w2 / (2 * w1)),
        Eq(mir_rho, mir_closed, domain=((rho, (0, 1)),)),
        Eq(mir_rho.subs(rho, ex), sp.log(1 / ex) / (sp.log(1 / ex) + ex)),
        Eq(mir_rho.subs(rho, sp.tan(th)), mir_t, domain=((th, (sp.Rational(1, 100), sp.pi / 4)),)),
    )
    p.add(
        Identity(
            I1,
            -sp.log(w2 / w1) + w2 / (2 * w1),
            "$h(z) = \\ln w_1 + \\rho/2$, so $I(z; e_1) = -\\ln\\rho + \\rho/2$: the dominant factor.",
            premises=("H_I1", "H_h", "axiom:differential-entropy"),
        )
    )
    p.add(
        Identity(
            I2,
            w2 / (2 * w1),
            "$I(z; e_2) = \\rho/2$: the minor factor.",
            premises=("H_I2", "H_h", "axiom:differential-entropy"),
        )
    )
    p.add(
        Identity(
            mir_rho,
            mir_closed,
            "$r = I_{dom}/(I_{dom} + I_{minor})$, $\\mathrm{MIR} = (r - 1/2)/(1/2)$.",
            domain=((rho, (0, 1)),),
        )
    )
    p.add(
        Identity(
            mir_rho.subs(rho, ex),
            sp.log(1 / ex) / (sp.log(1 / ex) + ex),
            "Worked example: weights $(4/5, \\mp 3/5)$ up to sign, widths $8a/5$ and $6a/5$, $\\rho = 3/4$.",
        )
    )
    p.add(
        Identity(
            mir_rho.subs(rho, sp.tan(th)),
            mir_t,
            "Rotation by $\\theta$: widths $2a\\cos\\theta \\ge 2a\\sin\\theta$, $\\rho = \\tan\\theta$.",
            domain=((th, (sp.Rational(1, 100), sp.pi / 4)),),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s1", "s2", "s3", "s4", "s5")))
    p.constant("I(z; e_{dom})", (-sp.log(w2 / w1) + w2 / (2 * w1)).subs({w1: 1, w2: ex}), "worked example, nats")
    p.constant("I(z; e_{minor})", (w2 / (2 * w1)).subs({w1: 1, w2: ex}), "worked example, nats")
    p.constant("\\mathrm{MIR}_{example}", sp.log(1 / ex) / (sp.log(1 / ex) + ex))
    p.references = _REF_2023 + " MIR as defined there; the closed form is derived here, not taken from the paper."
    return p


def theorem2_angle_proof() -> Proof:
    """ICLR 2023 Theorem 2 with a non-orthogonal readout: the exact angle below which the optimum mixes."""
    a = sp.Symbol("a", positive=True)
    sigma2, E, u = sp.symbols("sigma^2 E u", positive=True)
    c = sp.Symbol("c", nonnegative=True)  # cos of the angle between the readout's two unit columns
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    lam_out = sp.Symbol("lambda_out", positive=True)
    w1, w2 = sp.symbols("w_1 w_2", real=True)
    eps = sp.Symbol("epsilon", real=True)
    cstar = a**2 / (E + lam_in)
    BtB = sp.Matrix([[1, c], [c, 1]])
    Lam = lam_out / u**2 * BtB - lam_in * sp.eye(2)
    Lam_closed = sp.Matrix([[E, (E + lam_in) * c], [(E + lam_in) * c, E]])
    w = sp.Matrix([w1, w2])
    phi = sigma2 * (w1**2 + w2**2) + a**2 * (sp.Abs(w1) + sp.Abs(w2)) ** 2
    gap_u = phi - (w.T * Lam * w)[0]
    gap_closed = 2 * a**2 * sp.Abs(w1) * sp.Abs(w2) - 2 * (E + lam_in) * c * w1 * w2
    # the loss along the path G = uI -> uI + eps w w^T (a neuron of tuning sqrt(eps) w added), with the inverse
    # of the perturbed Gram matrix written out (adjugate over determinant) and checked as a step
    G = u * sp.eye(2)
    Gp = G + eps * w * w.T
    Ginv_p = Gp.adjugate() / Gp.det()
    path = eps * (phi + lam_in * (w1**2 + w2**2)) + lam_out * ((BtB * Ginv_p).trace() - (BtB * G.inv()).trace())
    slope = sp.Subs(sp.Derivative(path, eps), eps, 0)
    slope11 = slope.subs({w1: 1, w2: 1})
    p = Proof(
        name="theorem2-angle",
        title="ICLR 2023 Theorem 2 with a non-orthogonal readout: the angle below which the optimum mixes",
        domain={c: (0, 1)},
        setting=(
            "Two factors uniform on $[-a, a]$ (variance $\\sigma^2$), predicted exactly through a readout $D$ of "
            "two unit columns at angle $\\theta$, $c = \\cos\\theta \\in (0, 1)$: the Gram-form program "
            "(`gram-reduction`) with $A = I$, $B = D$, $B^TB = [[1, c], [c, 1]]$, loss "
            "$\\sum_n[\\phi(w_n) + \\lambda_{in}\\|w_n\\|^2] + \\lambda_{out}\\operatorname{tr}(B^TBG^{-1})$. "
            "The best modular code has $G = uI$ (the diagonal of $B^TB$ is 1, so `modular-code` applies per "
            "factor), and its multiplier is $\\Lambda = \\lambda_{out}G^{-1}B^TBG^{-1} - \\lambda_{in}I$. For "
            "the factor box $\\phi(w) = \\sigma^2\\|w\\|^2 + a^2(|w_1| + |w_2|)^2$. Adding a neuron of tuning "
            "$\\sqrt{\\varepsilon}\\,w$ to the modular code moves $G$ to $G + \\varepsilon ww^T$; its inverse "
            "is written out as adjugate over determinant (checked in a step), and the loss change along this path "
            "is differentiated at $\\varepsilon = 0$ for this $B^TB$ itself: necessity is computed here for the "
            "non-orthogonal readout, not borrowed from the orthogonal case."
        ),
        gloss=(
            "the loss changes at rate $\\phi(w) - w^T\\Lambda w$ as a small neuron of tuning $w$ is added to "
            "the best modular code. This rate is $\\ge 0$ for every $w$ iff "
            "$c \\le c^* = a^2/(\\sigma^2 + a^2 + \\lambda_{in})$ (then the modular code passes the KKT "
            "test and is optimal); above it the rate along $w = (1, 1)$ is negative, so a mixed neuron lowers "
            "the loss below the best modular code's and the optimum mixes. For uniform factors "
            "($\\sigma^2 = a^2/3$) and no encoder cost, $c^* = 3/4$: the optimum mixes once the angle between "
            "the readout's columns is below $\\arccos(3/4) \\approx 41.41$ degrees; an encoder cost "
            "$\\lambda_{in} > 0$ lowers $c^*$, so the optimum mixes at larger angles too."
        ),
    )
    p.hypothesis("H_E", Eq(E, sigma2 + a**2), "the energy of a unit-gain factor neuron (bias $a$).")
    p.hypothesis("H_gain", Eq(u, sp.sqrt(lam_out / (E + lam_in))), "the best modular gain.")
    at_11 = gap_closed.subs({w1: 1, w2: 1})
    below, above = (sp.Le(c, cstar),), (sp.Gt(c, cstar),)  # the two cases, as conditions of the parts
    p.conclusion = AllOf(
        Eq(Lam, Lam_closed),
        Eq(Gp * Ginv_p, sp.eye(2)),
        Eq(slope, gap_u),
        Eq(gap_u, gap_closed),
        Ge(gap_closed, 0, where=below),
        Gt(0, slope11, where=above),
    )
    p.add(
        Identity(
            Lam,
            Lam_closed,
            "Substitute the gain: $\\lambda_{out}/u^2 = E + \\lambda_{in}$.",
            premises=("H_gain",),
            label="\\Lambda",
        )
    )
    p.add(
        Identity(
            Gp * Ginv_p,
            sp.eye(2),
            "The perturbed Gram matrix times its adjugate over its determinant is "
            "the identity: the inverse used in the loss is the inverse.",
        )
    )
    p.add(
        Identity(
            slope,
            gap_u,
            "Differentiate the loss change at $\\varepsilon = 0$ (sympy, symbolically): "
            "the rate is $\\phi(w) + \\lambda_{in}\\|w\\|^2 - \\lambda_{out}"
            "w^TG^{-1}B^TBG^{-1}w = \\phi(w) - w^T\\Lambda w$.",
        )
    )
    p.add(
        Identity(
            gap_u,
            gap_closed,
            "Substitute the gain and $E$: the variance terms cancel.",
            premises=("H_gain", "H_E", "axiom:polytope-facets"),
        )
    )
    p.add(
        Inequality(
            gap_closed,
            0,
            SignCases((w1, w2)),
            "For $c \\le c^*$: the gap is $2|w_1w_2|(E + \\lambda_{in})(c^* - c) + 2(E + \\lambda_{in})c(|w_1||w_2| - "
            "w_1w_2)$, both terms $\\ge 0$ (case split on the signs of $w_1$, $w_2$).",
            where=below,
            multipliers=(("where0", 2 * sp.Abs(w1) * sp.Abs(w2) * (E + lam_in)),),
        )
    )
    p.add(Identity(slope11, at_11, "The rate along $w = (1, 1)$.", premises=("H_gain", "H_E")))
    p.add(
        Inequality(
            0,
            slope11,
            Nonneg(sp.Integer(0)),
            "For $c > c^*$, along $w = (1, 1)$ the rate is $-2(E + \\lambda_{in})(c - c^*) < 0$: a small mixed neuron "
            "lowers the loss.",
            premises=("s6",),
            where=above,
            multipliers=(("s6", -1), ("where0", 2 * (E + lam_in))),
            strict=True,
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s1", "s2", "s3", "s4", "s5", "s7")))
    p.uses = ("lemma:gram-reduction", "lemma:modular-code", "lemma:weak-duality")
    c0 = cstar.subs(E, sp.Rational(4, 3) * a**2).subs(lam_in, 0)
    p.constant("c^*(\\sigma^2 = a^2/3, \\lambda_{in} = 0)", c0, "from the checked threshold")
    p.constant("\\theta^* \\text{ (degrees)}", sp.acos(c0) * 180 / sp.pi, "mixes for smaller angles")
    p.constant(
        "\\theta^*(\\lambda_{in} = a^2) \\text{ (degrees)}",
        sp.acos(cstar.subs(E, sp.Rational(4, 3) * a**2).subs(lam_in, a**2)) * 180 / sp.pi,
        "an encoder cost moves the threshold to larger angles",
    )
    p.references = _REF_2023
    return p
