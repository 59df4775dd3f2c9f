"""Activity-energy lower bounds, each with its tight case: the ICLR 2023 readout-variance lemma and the
nuclear-norm bound."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .proof import AllOf, Conjunction, Eq, Ge, Identity, Inequality, Nonneg, Proof
from .trace import GramTrace, TraceExpansion, Tr

__all__ = ["readout_variance_proof", "nuclear_bound_proof", "nuclear_norm_bound"]


def readout_variance_proof() -> Proof:
    """ICLR 2023 lemma: a readout with equal singular values bounds the code's variance from below."""
    s = sp.Symbol("s", positive=True)
    m, n, k = sp.symbols("m n k", integer=True, positive=True)
    W, Wt, L, Lt, K, Kt = sp.symbols("W W^T L L^T K K^T", commutative=False)
    pairs = ((W, Wt), (Wt, W), (L, Lt), (Lt, L), (K, Kt), (Kt, K))
    shapes = ((W, (m, n)), (Wt, (n, m)), (L, (n, k)), (Lt, (k, n)), (K, (m, k)), (Kt, (k, m)))
    A = s**2 - Wt * W  # s^2 I_n - W^T W
    var_z = Tr(L * Lt)                # sum_j Var(z_j) = tr Cov(z), Cov(z) = L L^T
    var_x = Tr(W * L * Lt * Wt)       # tr Cov(x) = tr(W Cov(z) W^T)
    frob = Tr(W * Wt)                 # ||W||_F^2
    N = Tr(sp.expand(Lt * A * A * L))  # ||(s^2 I - W^T W) L||_F^2
    p = Proof(
        name="readout-variance-bound",
        title="Code variance is bounded below through a readout of equal singular values (ICLR 2023 lemma)",
        setting=(
            "A code $z \\in \\mathbb{R}^n$ with $\\operatorname{Cov}(z) = LL^T$ is read out exactly, $x = Wz + b_x$, "
            "by $W \\in \\mathbb{R}^{m \\times n}$ with equal singular values $s$ and full row rank: "
            "$WW^T = s^2I_m$. Then $\\operatorname{Cov}(x) = W\\operatorname{Cov}(z)W^T$ (axiom "
            "`linearity-of-expectation`), $\\sum_j\\operatorname{Var}(z_j) = \\operatorname{tr}(LL^T)$, "
            "$\\|W\\|_F^2 = \\operatorname{tr}(WW^T)$. Matrices are noncommutative symbols, so every step holds "
            "for all sizes $m \\le n$, $k$; a scalar in a matrix expression is that multiple of the identity."
        ),
        gloss=("$\\sum_j\\operatorname{Var}(z_j) \\ge \\operatorname{tr}\\operatorname{Cov}(x)/s^2 = "
               "m\\,\\operatorname{tr}\\operatorname{Cov}(x)/\\|W\\|_F^2$, with equality when "
               "$\\operatorname{Cov}(z)$ lies in the row space of $W$ ($L = W^TK$). For $c$ one-hot categories read "
               "out by a $c$-row readout of equal singular values, the code's variance is at least "
               "$c\\,\\sigma_C^2/\\|W\\|_F^2$ with $\\sigma_C^2 = \\operatorname{tr}\\operatorname{Cov}(x)$: the "
               "grandmother-cell energy, attained by codes in the readout's row space."),
    )
    p.hypothesis("H_rows", Eq(W * Wt, s**2), "equal singular values $s$, full row rank: $WW^T = s^2I_m$.")
    tr_kw: dict[str, Any] = dict(shapes=shapes, pairs=pairs, orthogonal_rows=(W, s))
    p.conclusion = AllOf(
        Ge(var_z, var_x / s**2),
        Eq(frob, m * s**2),
        Ge(var_z, m * var_x / frob),
        Eq(Tr(W * Wt * K * Kt * W * Wt), s**2 * Tr(Wt * K * Kt * W)),
    )
    p.add(TraceExpansion(
        N, s**4 * Tr(Lt * L) - s**2 * Tr(Lt * Wt * W * L),
        identity=n, reason="Expand $(s^2I - W^TW)^2 = s^4I - 2s^2W^TW + W^T(WW^T)W$ and use $WW^T = s^2I$: "
                           "it is $s^2(s^2I - W^TW)$.",
        premises=("H_rows", "axiom:trace-cyclic"), **tr_kw))
    p.add(GramTrace(A * L, pairs, "$N$ is the squared Frobenius norm of $(s^2I - W^TW)L$ "
                                  "($s^2I - W^TW$ is symmetric)."))
    p.add(TraceExpansion(Tr(Lt * L), var_z, identity=n, reason="Cyclic trace: $\\operatorname{tr}(L^TL) = "
                                                               "\\operatorname{tr}(LL^T)$.",
                         premises=("axiom:trace-cyclic",), **tr_kw))
    p.add(TraceExpansion(Tr(Lt * Wt * W * L), var_x, identity=n, reason="Cyclic trace.",
                         premises=("axiom:trace-cyclic",), **tr_kw))
    p.add(Inequality(
        var_z, var_x / s**2, Nonneg(sp.Integer(0)),
        "$s^4(\\operatorname{tr}Cov(z) - \\operatorname{tr}Cov(x)/s^2) = N \\ge 0$.",
        premises=("s1", "s2", "s3", "s4"),
        multipliers=(("s2", 1), ("s1", -1), ("s3", -s**4), ("s4", s**2)), scale=s**4,
    ))
    p.add(TraceExpansion(frob, m * s**2, identity=m, reason="$\\|W\\|_F^2 = \\operatorname{tr}(s^2I_m) = ms^2$.",
                         premises=("H_rows",), **tr_kw))
    p.add(Inequality(
        var_z, m * var_x / frob, Nonneg(sp.Integer(0)),
        "Substitute $s^2 = \\|W\\|_F^2/m$.", premises=("s5", "s6"), multipliers=(("s5", 1),),
    ))
    p.add(TraceExpansion(
        Tr(W * Wt * K * Kt * W * Wt), s**2 * Tr(Wt * K * Kt * W), identity=m,
        reason="Tight case $L = W^TK$ (the code's covariance in the row space of $W$): "
               "$\\operatorname{tr}Cov(x) = s^2\\operatorname{tr}Cov(z)$, equality in the bound.",
        premises=("H_rows", "axiom:trace-cyclic"), **tr_kw))
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s5", "s6", "s7", "s8")))
    p.uses = ("axiom:linearity-of-expectation",)
    p.references = ("Whittington et al., ICLR 2023 (the activity-readout trade-off behind grandmother cells); "
                    "docs/mathematics.md, \"ICLR 2023 linear theory\".")
    return p



def nuclear_norm_bound(cov, B, lam_in, lam_out, K=None) -> sp.Expr:
    """Lower bound ``2 sqrt(lam_out) ||B (C + K + lam_in I)^{1/2}||_*`` on the loss of any nonnegative code.

    Valid for the family of docs/mathematics.md, "ICLR 2023 linear theory" with ``A = I`` and readout target
    ``y = B s`` whenever ``m(w)^2 >= w^T K w`` for all ``w`` (``K = 0`` always
    qualifies; ``K = F`` qualifies exactly when the modular code is optimal,
    and then the bound equals ``L_mod`` for ``B = I``).  Exact for symbolic
    input when sympy can take the matrix square roots; numbers otherwise.
    """
    cov = sp.Matrix(cov)
    d = cov.shape[0]
    K = sp.zeros(d, d) if K is None else sp.Matrix(K)
    P = cov + K + lam_in * sp.eye(d)
    B = sp.Matrix(B)
    M = B.T * B
    # nuclear norm of B P^{1/2} = sum of sqrt of eigenvalues of P^{1/2} B^T B P^{1/2}, i.e. of M P
    eig = (M * P).eigenvals()
    return 2 * sp.sqrt(lam_out) * sum(mult * sp.sqrt(ev) for ev, mult in eig.items())


def nuclear_bound_proof() -> Proof:
    """A lower bound on the loss of any nonnegative code, for matrices of every size, with its tight case."""
    lam = sp.Symbol("lambda_out", positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    S, Si, Nm, R, Ri, G, Gi, Q = sp.symbols("S S^{-1} N R R^{-1} G G^{-1} Q", commutative=False)
    sym = (S, Si, Nm, R, Ri, G, Gi, Q)
    pairs = tuple((x, x) for x in sym)  # all symmetric
    shapes = tuple((x, (d, d)) for x in sym)
    kw: dict[str, Any] = dict(shapes=shapes, pairs=pairs)
    Y = S - sp.sqrt(lam) * Nm * Si
    Yt = S - sp.sqrt(lam) * Si * Nm
    gram = Tr(sp.expand(Yt * Y))
    lhs = Tr(S * S) + lam * Tr(Nm * Nm * Si * Si)
    pj, g = sp.symbols("p_j g_j", positive=True)
    p = Proof(
        name="nuclear-norm-bound",
        title="Lower bound on the loss of any nonnegative code (nuclear norm of the readout target)",
        setting=(
            "Family with $A = I$, readout $y = Bs$. For $K$ with $m(w)^2 \\ge w^TKw$ for all $w$, "
            "$\\sum_n\\phi(w_n) \\ge \\operatorname{tr}((C + K)G)$, so $L \\ge \\operatorname{tr}(PG) + "
            "\\lambda_{out}\\operatorname{tr}(QG^{-1})$ with $P = C + K + \\lambda_{in}I$, $Q = B^TB$. With "
            "$R = P^{1/2}$, $Y = RGR = S^2$ and $RQR = N^2$ ($S$, $N$ symmetric, $S$ invertible): "
            "$\\operatorname{tr}(PG) = \\operatorname{tr}(S^2)$, $\\operatorname{tr}(QG^{-1}) = "
            "\\operatorname{tr}(N^2S^{-2})$ and $\\operatorname{tr}N = \\|BP^{1/2}\\|_*$. All matrices "
            "$d \\times d$ symmetric, noncommutative symbols: every step holds for every $d$."
        ),
        gloss=("every nonnegative code has $L \\ge 2\\sqrt{\\lambda_{out}}\\|B(C + K + "
               "\\lambda_{in}I)^{1/2}\\|_*$; with $K = F$ (allowed exactly when the modularity condition holds) "
               "and $B = I$ the bound is $\\sum_j 2\\sqrt{\\lambda_{out}p_j}$, $p_j = E_j + \\lambda_{in}$, which "
               "the modular code attains: the bound is tight and certifies it."),
    )
    p.hypothesis("H_S", Eq(Si * S, 1), "$S$ is invertible.")
    p.hypothesis("H_S2", Eq(S * Si, 1))
    p.hypothesis("H_R", Eq(R * Ri, 1), "$R = P^{1/2}$ is invertible.")
    p.hypothesis("H_R2", Eq(Ri * R, 1))
    p.hypothesis("H_g", Eq(g, sp.sqrt(lam / pj)), "the modular code's squared gain for $B = I$, $P$ diagonal.")
    part_bound = Ge(lhs, 2 * sp.sqrt(lam) * Tr(Nm))
    part_pg = Eq(Tr(R * R * G), Tr(R * G * R))
    part_qg = Eq(Tr(Q * Gi), Tr(R * Q * R * Ri * Gi * Ri))
    part_tight = Eq(pj * g + lam / g, 2 * sp.sqrt(lam * pj))
    p.conclusion = AllOf(part_bound, part_pg, part_qg, part_tight)
    p.add(GramTrace(Y, pairs, "$\\|S - \\sqrt{\\lambda_{out}}NS^{-1}\\|_F^2 \\ge 0$."))
    p.add(TraceExpansion(
        gram, lhs - 2 * sp.sqrt(lam) * Tr(Nm), identity=d,
        reason="Expand the square; $\\operatorname{tr}(SNS^{-1}) = \\operatorname{tr}(S^{-1}NS) = "
               "\\operatorname{tr}N$ by cyclicity and $S^{-1}S = I$.",
        premises=("H_S", "H_S2", "axiom:trace-cyclic"), **kw))
    p.add(Inequality(lhs, 2 * sp.sqrt(lam) * Tr(Nm), Nonneg(sp.Integer(0)),
                     "Matrix arithmetic-geometric mean: the gap is the square of step 1.",
                     premises=("s1", "s2"), multipliers=(("s1", 1), ("s2", -1))))
    p.add(TraceExpansion(Tr(R * R * G), Tr(R * G * R), identity=d, reason="Cyclic trace.",
                         premises=("axiom:trace-cyclic",), **kw))
    p.add(TraceExpansion(Tr(Q * Gi), Tr(R * Q * R * Ri * Gi * Ri), identity=d,
                         reason="$Y^{-1} = R^{-1}G^{-1}R^{-1}$; $RR^{-1} = I$ and cyclicity.",
                         premises=("H_R", "H_R2", "axiom:trace-cyclic"), **kw))
    p.add(Identity(pj * g + lam / g, 2 * sp.sqrt(lam * pj),
                   "Tight case ($K = F$, so $C + F = \\operatorname{diag}(E_j)$, $B = I$): per coordinate the "
                   "modular code meets the bound.", premises=("H_g",)))
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s3", "s4", "s5", "s6")))
    p.uses = ("axiom:trace-cyclic",)
    p.references = ("docs/mathematics.md, \"Solving for the optimal code exactly\"; Dorrell, Latham, Whittington, "
                    "*Convex Efficient Coding*.")
    return p
