"""Optimality in the Gram form: the reduction of the autoencoder, and why the modularity condition is
necessary (a perturbation that lowers the loss)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .expectation import Mean as Mean_
from .expectation import linear_mean as linear_mean_
from .proof import SOS, AllOf, Conjunction, Eq, Ge, Gt, Identity, Inequality, Linearity, Nonneg, Proof, Termwise
from .trace import GramTrace, Inv, InverseTrace, RingIdentity, Tr, TraceExpansion

__all__ = ["modularity_necessity_proof", "gram_reduction_proof", "caratheodory_bound_proof"]

_REF = (
    'docs/mathematics.md, "The exact modularity condition" and "Solving for the optimal code exactly"; '
    "Dorrell et al., ICLR 2025."
)


def modularity_necessity_proof() -> Proof:
    """If m(w)^2 < w^T F w for some w, adding a small neuron tuned to w lowers the loss: the optimum mixes."""
    eps = sp.Symbol("epsilon", real=True)
    q, phi, n2, dL = sp.symbols("q phi n_2 DeltaL", real=True)
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    lam_out = sp.Symbol("lambda_out", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    G, Gi, w, wt = sp.symbols("G G^{-1} w w^T", commutative=False)
    shapes = ((G, (n, n)), (Gi, (n, n)), (w, (n, sp.Integer(1))), (wt, (sp.Integer(1), n)))
    pairs = ((G, G), (Gi, Gi), (w, wt), (wt, w))
    M = (1 + eps * q) * Gi - eps * Gi * w * wt * Gi
    p_ = Tr(wt * Gi * Gi * w)  # w^T G^-2 w
    Tinv = Tr(Inv(G + eps * w * wt))
    j, d = sp.symbols("j d", integer=True, positive=True)
    wj = sp.IndexedBase("w", real=True)
    u = sp.IndexedBase("u", positive=True)
    E = sp.IndexedBase("E", positive=True)
    path = eps * (phi + lam_in * n2) - lam_out * eps * p_ / (1 + eps * q)
    slope = sp.Subs(sp.Derivative(path, eps), eps, 0)
    sum_p = sp.Sum(wj[j] ** 2 / u[j] ** 2, (j, 1, d))
    sum_E = sp.Sum(E[j] * wj[j] ** 2, (j, 1, d))
    sum_n = sp.Sum(wj[j] ** 2, (j, 1, d))
    p = Proof(
        name="modularity-necessity",
        title="Necessity: where the condition fails, a small mixed neuron lowers the loss",
        setting=(
            "Gram form (`gram-reduction`): a code with Gram matrix $G$ and neurons of tunings $w_n$ costs "
            "$\\sum_n[\\phi(w_n) + \\lambda_{in}\\|w_n\\|^2] + \\lambda_{out}\\operatorname{tr}(G^{-1})$. Adding a "
            "neuron of tuning $\\sqrt{\\varepsilon}\\,w$ changes $G$ to $G + \\varepsilon ww^T$ and the loss by "
            "$\\Delta L(\\varepsilon) = \\varepsilon(\\phi(w) + \\lambda_{in}n_2) + \\lambda_{out}(\\operatorname{tr}((G + "
            "\\varepsilon ww^T)^{-1}) - \\operatorname{tr}G^{-1})$, $n_2 = \\|w\\|^2$, "
            "$q = w^TG^{-1}w$. Matrices are noncommutative symbols ($n \\times n$, any $n$). At the modular "
            "optimum $G = \\operatorname{diag}(u_j)$ with $\\lambda_{out}/u_j^2 = E_j + \\lambda_{in}$ "
            "(`modular-code`); $d$ sources, symbolic."
        ),
        gloss=(
            "the loss changes at rate $\\phi(w) - \\sum_jE_jw_j^2 = m(w)^2 - w^TFw$ "
            "(`lambda-independence`) as the new neuron grows from zero; where the modularity condition fails "
            "this rate is negative, so a small neuron mixing the sources along $w$ lowers the loss below "
            "$L_{mod}$, and the optimal code is not modular. With `nuclear-norm-bound` (sufficiency) the "
            "condition is necessary and sufficient."
        ),
    )
    p.hypothesis("H_inv", Eq(G * Gi, 1), "$G$ is invertible.")
    p.hypothesis("H_q", Eq(wt * Gi * w, q), "$q = w^TG^{-1}w$, a scalar.")
    p.hypothesis(
        "H_loss", Eq(dL, eps * (phi + lam_in * n2) + lam_out * (Tinv - Tr(Gi))), "the loss change of the Gram form."
    )
    p.hypothesis("H_diag", Eq(p_, sum_p), "$G = \\operatorname{diag}(u_j)$: $w^TG^{-2}w = \\sum_jw_j^2/u_j^2$.")
    p.hypothesis("H_n", Eq(n2, sum_n), "$\\|w\\|^2$.")
    p.hypothesis("H_gain", Eq(u[j], sp.sqrt(lam_out / (E[j] + lam_in))), "the optimal modular gains.")
    p.hypothesis("H_violated", Gt(sum_E, phi), "the condition fails along $w$: $\\phi(w) < \\sum_jE_jw_j^2$.")
    rate = phi + lam_in * n2 - lam_out * p_
    p.conclusion = AllOf(
        Eq(dL, path),
        Eq(slope, rate),
        Eq(rate, phi - sum_E),
        Gt(0, rate),
    )
    p.add(
        RingIdentity(
            (G + eps * w * wt) * M,
            1 + eps * q,
            shapes,
            pairs,
            "Sherman-Morrison, multiplied out: $(G + \\varepsilon ww^T)M = (1 + \\varepsilon q)I$.",
            premises=("H_inv", "H_q"),
        )
    )
    p.add(
        TraceExpansion(
            Tr(M),
            (1 + eps * q) * Tr(Gi) - eps * p_,
            shapes=shapes,
            pairs=pairs,
            identity=n,
            reason="Linearity and cyclicity of the trace.",
            premises=("axiom:trace-cyclic",),
        )
    )
    p.add(
        InverseTrace(
            G + eps * w * wt,
            M,
            1 + eps * q,
            "By step 1, $(G + \\varepsilon ww^T)^{-1} = M/(1 + \\varepsilon q)$.",
            premises=("s1", "axiom:square-inverse"),
        )
    )
    p.add(Identity(dL, path, "Substitute; $\\operatorname{tr}G^{-1}$ cancels.", premises=("H_loss", "s3", "s2")))
    p.add(Identity(slope, rate, "Differentiate at $\\varepsilon = 0$ (sympy, symbolically)."))
    p.add(
        Identity(
            lam_out * wj[j] ** 2 / u[j] ** 2,
            E[j] * wj[j] ** 2 + lam_in * wj[j] ** 2,
            "Each source at the modular optimum: $\\lambda_{out}/u_j^2 = E_j + \\lambda_{in}$.",
            premises=("H_gain",),
        )
    )
    p.add(
        Termwise(
            lam_out * wj[j] ** 2 / u[j] ** 2,
            E[j] * wj[j] ** 2 + lam_in * wj[j] ** 2,
            j,
            1,
            d,
            "=",
            "Sum over the sources.",
            premises=("s6",),
        )
    )
    p.add(
        Identity(
            rate,
            phi - sum_E,
            "So the rate is $\\phi(w) - w^T\\operatorname{diag}(E_j)w$.",
            premises=("H_diag", "H_n", "s7"),
            multipliers=(("s7", -1),),
        )
    )
    p.add(
        Inequality(
            0,
            rate,
            Nonneg(sp.Integer(0)),
            "Where the condition fails the rate is negative.",
            premises=("s8", "H_violated"),
            multipliers=(("s8", -1), ("H_violated", 1)),
            strict=True,
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s4", "s5", "s8", "s9")))
    p.uses = ("lemma:modular-code", "lemma:lambda-independence")
    p.references = _REF
    return p


def gram_reduction_proof() -> Proof:
    """The linear autoencoder with input mixing A and readout target B reduces to the Gram form."""
    n, d, p_, k = sp.symbols("n d p k", integer=True, positive=True)
    T, Tt, Gi, B, Bt, E, Et, A, At, Ai, F2, F2t = sp.symbols(
        "T T^T G^{-1} B B^T E E^T A A^T (A^TA)^{-1} E_2 E_2^T", commutative=False
    )
    shapes = (
        (T, (n, d)),
        (Tt, (d, n)),
        (Gi, (d, d)),
        (B, (k, d)),
        (Bt, (d, k)),
        (E, (k, n)),
        (Et, (n, k)),
        (A, (p_, d)),
        (At, (d, p_)),
        (Ai, (d, d)),
        (F2, (n, p_)),
        (F2t, (p_, n)),
    )
    pairs = (
        (T, Tt),
        (Tt, T),
        (Gi, Gi),
        (B, Bt),
        (Bt, B),
        (E, Et),
        (Et, E),
        (A, At),
        (At, A),
        (Ai, Ai),
        (F2, F2t),
        (F2t, F2),
    )
    sizes = ((n, 4), (d, 2), (k, 3), (p_, 3))  # numeric check: more neurons than sources
    kw: dict[str, Any] = dict(shapes=shapes, pairs=pairs, sizes=sizes)
    R = B * Gi * Tt  # the pseudo-inverse readout
    W = T * Ai * At  # the cheapest encoder
    bias = sp.Symbol("b", real=True)
    m_ = sp.Symbol("m", nonpositive=True)
    V = sp.Symbol("V", nonnegative=True)
    y = sp.Symbol("y", real=True)
    energy = Mean_((y + bias) ** 2)
    p = Proof(
        name="gram-reduction",
        title="The linear autoencoder (input mixing A, readout B) reduces to the convex Gram-form program",
        setting=(
            "Sources $s$ (centred, $d$ of them), input $x = As$ ($A$ of full column rank), code $z = Wx + b = "
            "Ts + b$ with tuning $T = WA$ ($n$ neurons, $G = T^TT$ invertible: enough neurons), target $y = Bs$ "
            "read out exactly, $y = Rz + c$, so $RT = B$. Matrices are noncommutative symbols: every size. One "
            "neuron: $y = w\\cdot s$ has $\\langle y\\rangle = 0$, $\\langle y^2\\rangle = V = w^TCw$, and "
            "$z = y + b \\ge 0$ on the support needs $b \\ge -m$ with $m = m(w) \\le 0$."
        ),
        gloss=(
            "the cheapest exact readout is $R = BG^{-1}T^T$ with $\\|R\\|_F^2 = \\operatorname{tr}(B^TBG^{-1})$; "
            "the cheapest encoder is $W = T(A^TA)^{-1}A^T$ with $\\|W\\|_F^2 = \\operatorname{tr}((A^TA)^{-1}G)$; "
            "the cheapest bias is $b = -m(w)$, costing $\\phi(w) = w^TCw + m(w)^2$. So the loss is "
            "$\\sum_n\\phi(w_n) + \\lambda_{in}\\operatorname{tr}((A^TA)^{-1}G) + "
            "\\lambda_{out}\\operatorname{tr}(B^TBG^{-1})$, linear plus convex in $G$."
        ),
    )
    p.hypothesis("H_G", Eq(Gi * Tt * T, 1), "$G = T^TT$ is invertible (enough neurons, full rank).")
    p.hypothesis("H_E", Eq(E * T, 0), "another exact readout $R + E$ has $ET = 0$ ...")
    p.hypothesis("H_Et", Eq(Tt * Et, 0), "... and its transpose.")
    p.hypothesis("H_A", Eq(Ai * At * A, 1), "$A$ has full column rank.")
    p.hypothesis("H_F", Eq(F2 * A, 0), "another encoder $W + E_2$ with the same tuning has $E_2A = 0$ ...")
    p.hypothesis("H_Ft", Eq(At * F2t, 0), "... and its transpose.")
    p.hypothesis("H_mean", Eq(Mean_(y), 0), "centred sources.")
    p.hypothesis("H_var", Eq(Mean_(y**2), V), "$V = w^TCw$.")
    p.hypothesis("H_feasible", Ge(bias + m_, 0), "$z \\ge 0$ on the support: $b \\ge -m(w)$.")
    readout_cost = Tr(Bt * B * Gi)
    encoder_cost = Tr(Ai * Tt * T)
    other_R = Tr(sp.expand((R + E) * (T * Gi * Bt + Et)))
    other_W = Tr(sp.expand((W + F2) * (A * Ai * Tt + F2t)))
    p.conclusion = AllOf(
        Eq(R * T, B),
        Eq(Tr(sp.expand(R * T * Gi * Bt)), readout_cost),
        Ge(other_R, readout_cost),
        Eq(W * A, T),
        Eq(Tr(sp.expand(W * A * Ai * Tt)), encoder_cost),
        Ge(other_W, encoder_cost),
        Ge(energy, V + m_**2),
    )
    p.add(
        RingIdentity(
            R * T, B, shapes, pairs, "$BG^{-1}T^TT = B$: the readout is exact.", premises=("H_G",), sizes=sizes
        )
    )
    p.add(
        TraceExpansion(
            Tr(sp.expand(R * T * Gi * Bt)),
            readout_cost,
            identity=d,
            reason="$\\|R\\|_F^2 = \\operatorname{tr}(BG^{-1}T^TTG^{-1}B^T)$ ($R^T = TG^{-1}B^T$).",
            premises=("H_G", "axiom:trace-cyclic"),
            **kw,
        )
    )
    p.add(
        TraceExpansion(
            other_R,
            readout_cost + Tr(E * Et),
            identity=d,
            reason="Any exact readout $R + E$: the cross terms vanish because $ET = 0$.",
            premises=("H_G", "H_E", "H_Et", "axiom:trace-cyclic"),
            **kw,
        )
    )
    p.add(GramTrace(Et, pairs, "$\\|E\\|_F^2 \\ge 0$."))
    p.add(
        Inequality(
            other_R,
            readout_cost,
            Nonneg(sp.Integer(0)),
            "So the pseudo-inverse readout is the cheapest.",
            premises=("s3", "s4"),
            multipliers=(("s3", 1), ("s4", 1)),
        )
    )
    p.add(
        RingIdentity(
            W * A,
            T,
            shapes,
            pairs,
            "$T(A^TA)^{-1}A^TA = T$: the encoder has tuning $T$.",
            premises=("H_A",),
            sizes=sizes,
        )
    )
    p.add(
        TraceExpansion(
            Tr(sp.expand(W * A * Ai * Tt)),
            encoder_cost,
            identity=d,
            reason="$\\|W\\|_F^2 = \\operatorname{tr}(T(A^TA)^{-1}A^TA(A^TA)^{-1}T^T)$.",
            premises=("H_A", "axiom:trace-cyclic"),
            **kw,
        )
    )
    p.add(
        TraceExpansion(
            other_W,
            encoder_cost + Tr(F2 * F2t),
            identity=d,
            reason="Any encoder $W + E_2$ with the same tuning: cross terms vanish ($E_2A = 0$).",
            premises=("H_A", "H_F", "H_Ft", "axiom:trace-cyclic"),
            **kw,
        )
    )
    p.add(GramTrace(F2t, pairs, "$\\|E_2\\|_F^2 \\ge 0$."))
    p.add(
        Inequality(
            other_W,
            encoder_cost,
            Nonneg(sp.Integer(0)),
            "So $T(A^TA)^{-1}A^T$ is the cheapest encoder.",
            premises=("s8", "s9"),
            multipliers=(("s8", 1), ("s9", 1)),
        )
    )
    p.add(Linearity(energy, linear_mean_((y + bias) ** 2, [y]), (y,), "The mean is linear."))
    p.add(
        Inequality(
            energy,
            V + m_**2,
            SOS(((1, bias + m_),)),
            "$\\langle z^2\\rangle = V + b^2$ and $b^2 - m^2 = (b + m)^2 - 2m(b + m) \\ge 0$ for $b \\ge -m \\ge 0$: the "
            "cheapest bias is $-m(w)$.",
            premises=("s11", "H_mean", "H_var", "H_feasible"),
            multipliers=(("H_feasible", -2 * m_),),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s1", "s2", "s5", "s6", "s7", "s10", "s12")))
    p.references = _REF + " Dorrell, Latham, Whittington, *Convex Efficient Coding* (the Gram-matrix view)."
    return p


def caratheodory_bound_proof() -> Proof:
    """At most d(d+1)/2 + 1 neurons are needed (Caratheodory), for a symbolic number of sources d."""
    d, i = sp.symbols("d i", integer=True, positive=True)
    N = sp.Symbol("N", integer=True, positive=True)
    D = sp.Symbol("D", integer=True, positive=True)
    p = Proof(
        name="caratheodory-bound",
        title="Enough neurons: at most d(d+1)/2 + 1 are needed (Caratheodory)",
        setting=(
            "In the Gram form (`gram-reduction`) a code with $N$ neurons enters the loss only through "
            "$(G, \\sum_n\\phi(w_n)) = \\sum_n(w_nw_n^T, \\phi(w_n))$, a point of the convex cone generated by "
            "$\\{(ww^T, \\phi(w))\\}$ in the space of (symmetric $d \\times d$ matrix, number), whose dimension "
            "$D$ is the number of entries on and above the diagonal, plus one. By Caratheodory's theorem "
            "(axiom) that point is a nonnegative combination of at most $D$ generators: a code with at most $D$ "
            "neurons has the same loss."
        ),
        gloss=(
            "the optimum of the program over any number of neurons is attained with "
            "$N \\ge d(d+1)/2 + 1$ neurons; every statement about 'the optimal code' (modular or mixed) "
            "assumes at least that many are available (with exactly $d$ neurons the constrained optimum can "
            "stay modular where the condition fails)."
        ),
    )
    p.hypothesis(
        "H_dim",
        Eq(D, sp.Sum(i, (i, 1, d)) + 1),
        "row $i$ of a symmetric matrix has $i$ free entries on or below the diagonal.",
    )
    p.hypothesis("H_enough", Ge(N, D), "enough neurons are available.")
    p.conclusion = AllOf(Eq(D, d * (d + 1) / 2 + 1), Ge(N, d * (d + 1) / 2 + 1))
    p.add(
        Identity(
            D, d * (d + 1) / 2 + 1, "$\\sum_{i=1}^{d} i = d(d+1)/2$ (evaluated for symbolic $d$).", premises=("H_dim",)
        )
    )
    p.add(
        Inequality(
            N,
            d * (d + 1) / 2 + 1,
            Nonneg(sp.Integer(0)),
            "So $N \\ge d(d+1)/2 + 1$ neurons suffice.",
            premises=("H_enough", "s1", "axiom:caratheodory"),
            multipliers=(("H_enough", 1), ("s1", 1)),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "Both parts.", premises=("s1", "s2")))
    p.uses = ("lemma:gram-reduction",)
    p.references = _REF + " Caratheodory's theorem: Rockafellar, Convex Analysis, Cor. 17.1.2."
    return p
