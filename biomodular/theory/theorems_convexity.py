"""Convexity of the Gram-form program, and weak duality: the optimality certificate without the duality axiom.

Both rest on one inequality, checked for matrices of every size: for a Gram matrix ``X = T^T T`` with inverse
``X^{-1}`` and any ``U``, ``tr(B X^{-1} B^T) >= 2 tr(U B^T) - tr(U X U^T)``, with equality at ``U = B X^{-1}``
(the gap is ``||T (U - B X^{-1})^T||_F^2``).  The readout cost is therefore the largest of functions affine in
``X``, hence convex; and a multiplier ``U`` that no neuron can beat bounds every code's loss from below.
"""

from __future__ import annotations

import sympy as sp

from .proof import AllOf, Conjunction, Eq, Ge, Identity, Inequality, Nonneg, Proof
from .trace import GramTrace, TraceExpansion, Tr, transpose

__all__ = ["gram_convexity_proof", "weak_duality_proof"]

_REF = (
    'docs/mathematics.md, "Solving for the optimal code exactly"; Dorrell, Latham, Whittington, *Convex '
    "Efficient Coding* (the Gram-matrix view); Boyd and Vandenberghe, *Convex Optimization*, Sec. 3.2.3 "
    "(a pointwise supremum of affine functions is convex) and Sec. 5.2 (weak duality)."
)


def _minorant(p: Proof, B, Bt, T, Tt, Xi, U, Ut, inverse: tuple, pairs: dict, kw: dict) -> str:
    """Add the steps proving ``tr(B X^{-1} B^T) >= 2 tr(U B^T) - tr(U T^T T U^T)``; return the last step's name.

    ``inverse`` names the two cited facts ``X^{-1} T^T T = 1`` and ``T^T T X^{-1} = 1``.
    """
    Dt = Ut - Xi * Bt  # (U - B X^-1)^T
    gram = Tr(sp.expand(transpose(T * Dt, pairs) * T * Dt))
    affine = 2 * Tr(U * Bt) - Tr(U * Tt * T * Ut)
    cost = Tr(B * Xi * Bt)
    a = p.add(
        TraceExpansion(
            affine,
            cost - gram,
            reason="Complete the square: $2\\operatorname{tr}(UB^T) - \\operatorname{tr}(UXU^T) = "
            "\\operatorname{tr}(BX^{-1}B^T) - \\operatorname{tr}((U - BX^{-1})X(U - BX^{-1})^T)$, using "
            "$X^{-1}X = XX^{-1} = I$ and cyclicity.",
            premises=(*inverse, "axiom:trace-cyclic"),
            **kw,
        )
    )
    b = p.add(
        GramTrace(
            T * Dt, tuple(pairs.items()), "With $X = T^TT$ the subtracted trace is $\\|T(U - BX^{-1})^T\\|_F^2 \\ge 0$."
        )
    )
    c = p.add(
        Inequality(
            cost,
            affine,
            Nonneg(sp.Integer(0)),
            "So the readout cost is at least the affine function of $X$ given by $U$.",
            premises=(a.name, b.name),
            multipliers=((a.name, -1), (b.name, 1)),
        )
    )
    return c.name


def _matrices(extra: str = ""):
    n, d, k = sp.symbols("n d k", integer=True, positive=True)
    names = "T_1 T_1^T T_2 T_2^T B B^T X^{-1} Y^{-1} Z Z^{-1} U U^T P " + extra
    syms = sp.symbols(names, commutative=False)
    return (n, d, k), syms


def gram_convexity_proof() -> Proof:
    """The Gram-form objective is convex in the Gram matrix, for matrices of every size."""
    (n, d, k), (T1, T1t, T2, T2t, B, Bt, Xi, Yi, Z, Zi, U, Ut, P) = _matrices()
    t, s = sp.symbols("t s", positive=True)
    pairs = {T1: T1t, T1t: T1, T2: T2t, T2t: T2, B: Bt, Bt: B, Xi: Xi, Yi: Yi, Z: Z, Zi: Zi, U: Ut, Ut: U, P: P}
    shapes = (
        (T1, (n, d)),
        (T1t, (d, n)),
        (T2, (n, d)),
        (T2t, (d, n)),
        (B, (k, d)),
        (Bt, (d, k)),
        (Xi, (d, d)),
        (Yi, (d, d)),
        (Z, (d, d)),
        (Zi, (d, d)),
        (U, (k, d)),
        (Ut, (d, k)),
        (P, (d, d)),
    )
    sizes = ((n, 4), (d, 2), (k, 3))  # numeric check: more neurons than sources, so X and Y are invertible
    kw = dict(shapes=shapes, pairs=tuple(pairs.items()), identity=d, sizes=sizes)
    X, Y = T1t * T1, T2t * T2
    f = {name: Tr(B * inv * Bt) for name, inv in (("X", Xi), ("Y", Yi), ("Z", Zi))}
    p = Proof(
        name="gram-convexity",
        title="The Gram-form program is convex: its objective is convex in the Gram matrix",
        setting=(
            "The Gram-form loss (`gram-reduction`) of a code with neurons $w_n$ is $\\sum_n\\phi(w_n) + "
            "\\lambda_{in}\\operatorname{tr}(PG) + \\lambda_{out}\\operatorname{tr}(BG^{-1}B^T)$ with "
            "$G = \\sum_nw_nw_n^T$ and $P = (A^TA)^{-1}$. Over the weights of a set of candidate tunings (the "
            "program `solve` runs) the first term is linear and $G$ depends linearly on the weights, so the "
            "program is convex if $G \\mapsto \\operatorname{tr}(PG)$ is linear and "
            "$f(G) = \\operatorname{tr}(BG^{-1}B^T)$ is convex on invertible Gram matrices. Two codes with Gram "
            "matrices $X = T_1^TT_1$, $Y = T_2^TT_2$ (invertible: enough neurons), weights $t, s > 0$, "
            "$t + s = 1$, and the mixture $Z = tX + sY$ (invertible). With $U = BZ^{-1}$ the affine function "
            "$2\\operatorname{tr}(UB^T) - \\operatorname{tr}(UGU^T)$ touches $f$ at $Z$ and lies below it at $X$ "
            "and $Y$. Matrices are noncommutative symbols, so every step holds for all sizes."
        ),
        gloss=(
            "$f(tX + sY) \\le tf(X) + sf(Y)$: the readout cost is convex in the Gram matrix, the encoder "
            "cost is linear in it, so the program `solve` runs is a convex program (a local optimum is "
            "global, and the KKT conditions of `weak-duality` certify it)."
        ),
    )
    p.hypothesis("H_X", Eq(Xi * T1t * T1, 1), "$X = T_1^TT_1$ is invertible ...")
    p.hypothesis("H_X2", Eq(T1t * T1 * Xi, 1), "... from both sides.")
    p.hypothesis("H_Y", Eq(Yi * T2t * T2, 1), "$Y = T_2^TT_2$ is invertible ...")
    p.hypothesis("H_Y2", Eq(T2t * T2 * Yi, 1), "... from both sides.")
    p.hypothesis("H_Z", Eq(Z, t * X + s * Y), "the mixture of the two Gram matrices.")
    p.hypothesis("H_Zi", Eq(Zi * Z, 1), "$Z$ is invertible ($Z \\succeq tX \\succ 0$).")
    p.hypothesis("H_ts", Eq(t + s, 1), "the weights sum to one.")
    Ub, Ubt = B * Zi, Zi * Bt  # the affine function that touches f at Z
    convex = Ge(t * f["X"] + s * f["Y"], f["Z"])
    linear = Eq(Tr(P * Z), t * Tr(P * X) + s * Tr(P * Y))
    p.conclusion = AllOf(linear, convex)
    m_x = _minorant(p, B, Bt, T1, T1t, Xi, Ub, Ubt, ("H_X", "H_X2"), pairs, kw)
    m_y = _minorant(p, B, Bt, T2, T2t, Yi, Ub, Ubt, ("H_Y", "H_Y2"), pairs, kw)
    lin_u = p.add(
        TraceExpansion(
            Tr(Ub * Z * Ubt),
            t * Tr(Ub * X * Ubt) + s * Tr(Ub * Y * Ubt),
            reason="The trace is linear: substitute $Z = tX + sY$.",
            premises=("H_Z",),
            **kw,
        )
    )
    touch = p.add(
        TraceExpansion(
            2 * Tr(Ub * Bt) - Tr(Ub * Z * Ubt),
            f["Z"],
            reason="At $U = BZ^{-1}$ the affine function equals $f(Z)$: "
            "$\\operatorname{tr}(BZ^{-1}ZZ^{-1}B^T) = \\operatorname{tr}(BZ^{-1}B^T)$.",
            premises=("H_Zi",),
            **kw,
        )
    )
    last = p.add(
        Inequality(
            t * f["X"] + s * f["Y"],
            f["Z"],
            Nonneg(sp.Integer(0)),
            "Weigh the two lower bounds by $t$ and $s$ and add: the affine function at $tX + sY$ is the weighted sum "
            "of its values, and at $Z$ it is $f(Z)$.",
            premises=(m_x, m_y, lin_u.name, touch.name, "H_ts"),
            multipliers=((m_x, t), (m_y, s), (lin_u.name, 1), (touch.name, 1), ("H_ts", 2 * Tr(Ub * Bt))),
        )
    )
    lin_p = p.add(
        TraceExpansion(
            Tr(P * Z),
            t * Tr(P * X) + s * Tr(P * Y),
            reason="The encoder cost is linear in the Gram matrix.",
            premises=("H_Z",),
            **kw,
        )
    )
    p.add(Conjunction(p.conclusion.parts, "Both parts.", premises=(lin_p.name, last.name)))
    p.uses = ("lemma:gram-reduction",)
    p.references = _REF
    return p


def weak_duality_proof() -> Proof:
    """Weak duality for the Gram-form program, and the KKT certificate it gives (no duality axiom)."""
    (n, d, k), (T1, T1t, T0, T0t, B, Bt, X1i, X0i, _, _, U, Ut, _) = _matrices()
    lam = sp.Symbol("lambda_out", positive=True)
    L0, L1, Phi0, Phi1 = sp.symbols("L_0 L_1 Phi_0 Phi_1", real=True)
    pairs = {T1: T1t, T1t: T1, T0: T0t, T0t: T0, B: Bt, Bt: B, X1i: X1i, X0i: X0i, U: Ut, Ut: U}
    shapes = (
        (T1, (n, d)),
        (T1t, (d, n)),
        (T0, (n, d)),
        (T0t, (d, n)),
        (B, (k, d)),
        (Bt, (d, k)),
        (X1i, (d, d)),
        (X0i, (d, d)),
        (U, (k, d)),
        (Ut, (d, k)),
    )
    kw = dict(shapes=shapes, pairs=tuple(pairs.items()), identity=d, sizes=((n, 4), (d, 2), (k, 3)))
    X0, X1 = T0t * T0, T1t * T1
    bound = 2 * lam * Tr(U * Bt)
    p = Proof(
        name="weak-duality",
        title="Weak duality: a multiplier no neuron can beat bounds every code's loss; the KKT certificate",
        setting=(
            "Gram-form loss (`gram-reduction`) $L = \\Phi + \\lambda_{out}\\operatorname{tr}(BG^{-1}B^T)$, "
            "$\\Phi = \\sum_n[\\phi(w_n) + \\lambda_{in}w_n^TPw_n]$ over the neurons, $G = T^TT = "
            "\\sum_nw_nw_n^T$. A dual variable $U$ ($k \\times d$) is *feasible* when no neuron beats it: "
            "$\\phi(w) + \\lambda_{in}w^TPw \\ge \\lambda_{out}\\|Uw\\|^2$ for every $w$, i.e. "
            "$\\phi(w) + \\lambda_{in}w^TPw \\ge w^T\\Lambda w$ with multiplier $\\Lambda = \\lambda_{out}U^TU$. "
            "Summed over the neurons of any code $T_1$ (Gram matrix $X_1$, loss $L_1$) it gives $\\Phi_1 \\ge "
            "\\lambda_{out}\\operatorname{tr}(UX_1U^T)$. A candidate code $T_0$ (Gram $X_0$, loss $L_0$) "
            "with $U = BX_0^{-1}$ (so $\\Lambda = \\lambda_{out}X_0^{-1}B^TBX_0^{-1}$, the multiplier of "
            "docs/solve.md) and *complementary slackness* (the inequality is tight on its own neurons: "
            "$\\Phi_0 = \\lambda_{out}\\operatorname{tr}(UX_0U^T)$). Matrices of every size."
        ),
        gloss=(
            "every code has $L_1 \\ge 2\\lambda_{out}\\operatorname{tr}(UB^T)$ for any feasible $U$ (weak "
            "duality); at a candidate satisfying the KKT conditions the bound is attained, "
            "$L_0 = 2\\lambda_{out}\\operatorname{tr}(UB^T)$, so $L_1 \\ge L_0$ for every code: the KKT "
            "conditions are sufficient for optimality, proved here without a duality axiom. That they are "
            "also necessary (every optimum has such a multiplier) is strong duality, the axiom `strong-duality` "
            "(Slater's condition holds), cited by the theorems that read 'the optimal code' as every optimum."
        ),
    )
    p.hypothesis("H_L1", Eq(L1, Phi1 + lam * Tr(B * X1i * Bt)), "the loss of any code $T_1$.")
    p.hypothesis("H_X1", Eq(X1i * T1t * T1, 1), "its Gram matrix is invertible ...")
    p.hypothesis("H_X1b", Eq(T1t * T1 * X1i, 1), "... from both sides.")
    p.hypothesis("H_dual", Ge(Phi1, lam * Tr(U * X1 * Ut)), "$U$ is dual feasible (summed over $T_1$'s neurons).")
    p.hypothesis("H_L0", Eq(L0, Phi0 + lam * Tr(B * X0i * Bt)), "the loss of the candidate $T_0$.")
    p.hypothesis("H_X0", Eq(X0i * T0t * T0, 1), "its Gram matrix is invertible.")
    p.hypothesis("H_U", Eq(U, B * X0i), "the dual variable of the candidate: $U = BX_0^{-1}$ ...")
    p.hypothesis("H_Ut", Eq(Ut, X0i * Bt), "... and its transpose.")
    p.hypothesis("H_cs", Eq(Phi0, lam * Tr(U * X0 * Ut)), "complementary slackness on the candidate's neurons.")
    p.conclusion = AllOf(Ge(L1, bound), Eq(L0, bound), Ge(L1, L0))
    m1 = _minorant(p, B, Bt, T1, T1t, X1i, U, Ut, ("H_X1", "H_X1b"), pairs, kw)
    weak = p.add(
        Inequality(
            L1,
            bound,
            Nonneg(sp.Integer(0)),
            "Weak duality: $L_1 = \\Phi_1 + \\lambda_{out}f(X_1) \\ge \\lambda_{out}\\operatorname{tr}(UX_1U^T) + "
            "\\lambda_{out}(2\\operatorname{tr}(UB^T) - \\operatorname{tr}(UX_1U^T))$.",
            premises=("H_L1", "H_dual", m1),
            multipliers=(("H_L1", 1), ("H_dual", 1), (m1, lam)),
        )
    )
    slack = p.add(
        TraceExpansion(
            Tr(U * X0 * Ut),
            Tr(B * X0i * Bt),
            reason="At $U = BX_0^{-1}$: $\\operatorname{tr}(BX_0^{-1}X_0X_0^{-1}B^T) = "
            "\\operatorname{tr}(BX_0^{-1}B^T)$.",
            premises=("H_U", "H_Ut", "H_X0"),
            **kw,
        )
    )
    ub = p.add(TraceExpansion(Tr(U * Bt), Tr(B * X0i * Bt), reason="At $U = BX_0^{-1}$.", premises=("H_U",), **kw))
    attained = p.add(
        Identity(
            L0,
            bound,
            "The bound is attained at the candidate: $L_0 = \\lambda_{out}\\operatorname{tr}(UX_0U^T) + "
            "\\lambda_{out}f(X_0) = 2\\lambda_{out}f(X_0) = 2\\lambda_{out}\\operatorname{tr}(UB^T)$.",
            premises=("H_L0", "H_cs", slack.name, ub.name),
            multipliers=(("H_L0", 1), ("H_cs", 1), (slack.name, lam), (ub.name, -2 * lam)),
        )
    )
    best = p.add(
        Inequality(
            L1,
            L0,
            Nonneg(sp.Integer(0)),
            "So no code beats the candidate: it is optimal.",
            premises=(weak.name, attained.name),
            multipliers=((weak.name, 1), (attained.name, -1)),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=(weak.name, attained.name, best.name)))
    p.uses = ("lemma:gram-reduction",)
    p.references = _REF
    return p
