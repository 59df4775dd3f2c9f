"""Activity-energy lower bounds, each with its tight case: the ICLR 2023 readout-variance lemma and the
nuclear-norm bound."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .proof import AllOf, Conjunction, Eq, Ge, Identity, Inequality, Nonneg, Proof
from .trace import GramTrace, TraceExpansion, Tr

__all__ = ["readout_variance_proof", "categories_proof", "nuclear_bound_proof", "nuclear_norm_bound"]


def _variance_steps(p: Proof, W, Wt, L, Lt, s, n, tr_kw: dict) -> str:
    """Add the steps proving ``tr(LL^T) >= tr(WLL^TW^T)/s^2`` from ``WW^T = s^2`` (hypothesis ``H_rows``);
    return the name of the last one."""
    A = s**2 - Wt * W  # s^2 I_n - W^T W
    N = Tr(sp.expand(Lt * A * A * L))  # ||(s^2 I - W^T W) L||_F^2
    var_z, var_x = Tr(L * Lt), Tr(W * L * Lt * Wt)
    p.add(
        TraceExpansion(
            N,
            s**4 * Tr(Lt * L) - s**2 * Tr(Lt * Wt * W * L),
            identity=n,
            reason="Expand $(s^2I - W^TW)^2 = s^4I - 2s^2W^TW + W^T(WW^T)W$ and use $WW^T = s^2I$: "
            "it is $s^2(s^2I - W^TW)$.",
            premises=("H_rows", "axiom:trace-cyclic"),
            **tr_kw,
        )
    )
    first = len(p.steps)
    p.add(
        GramTrace(
            A * L, tr_kw["pairs"], "$N$ is the squared Frobenius norm of $(s^2I - W^TW)L$ ($s^2I - W^TW$ is symmetric)."
        )
    )
    p.add(
        TraceExpansion(
            Tr(Lt * L),
            var_z,
            identity=n,
            reason="Cyclic trace: $\\operatorname{tr}(L^TL) = \\operatorname{tr}(LL^T)$.",
            premises=("axiom:trace-cyclic",),
            **tr_kw,
        )
    )
    p.add(
        TraceExpansion(
            Tr(Lt * Wt * W * L), var_x, identity=n, reason="Cyclic trace.", premises=("axiom:trace-cyclic",), **tr_kw
        )
    )
    names = [st.name for st in p.steps[first - 1 : first + 3]]
    last = p.add(
        Inequality(
            var_z,
            var_x / s**2,
            Nonneg(sp.Integer(0)),
            "$s^4(\\operatorname{tr}(LL^T) - \\operatorname{tr}(WLL^TW^T)/s^2) = N \\ge 0$.",
            premises=tuple(names),
            multipliers=((names[1], 1), (names[0], -1), (names[2], -(s**4)), (names[3], s**2)),
            scale=s**4,
        )
    )
    return last.name


def readout_variance_proof() -> Proof:
    """ICLR 2023 lemma: a readout with equal singular values bounds the code's variance from below."""
    s = sp.Symbol("s", positive=True)
    m, n, k = sp.symbols("m n k", integer=True, positive=True)
    W, Wt, L, Lt, K, Kt = sp.symbols("W W^T L L^T K K^T", commutative=False)
    pairs = ((W, Wt), (Wt, W), (L, Lt), (Lt, L), (K, Kt), (Kt, K))
    shapes = ((W, (m, n)), (Wt, (n, m)), (L, (n, k)), (Lt, (k, n)), (K, (m, k)), (Kt, (k, m)))
    var_z = Tr(L * Lt)  # sum_j Var(z_j) = tr Cov(z), Cov(z) = L L^T
    var_x = Tr(W * L * Lt * Wt)  # tr Cov(x) = tr(W Cov(z) W^T)
    frob = Tr(W * Wt)  # ||W||_F^2
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
        gloss=(
            "$\\sum_j\\operatorname{Var}(z_j) \\ge \\operatorname{tr}\\operatorname{Cov}(x)/s^2 = "
            "m\\,\\operatorname{tr}\\operatorname{Cov}(x)/\\|W\\|_F^2$, with equality when "
            "$\\operatorname{Cov}(z)$ lies in the row space of $W$ ($L = W^TK$). The bound is on the variance only "
            "and needs equal singular values; the grandmother-cell energy of one-hot categories, which also "
            "uses nonnegativity, is the theorem `categories`."
        ),
    )
    p.hypothesis("H_rows", Eq(W * Wt, s**2), "equal singular values $s$, full row rank: $WW^T = s^2I_m$.")
    tr_kw: dict[str, Any] = dict(shapes=shapes, pairs=pairs, orthogonal_rows=(W, s))
    p.conclusion = AllOf(
        Ge(var_z, var_x / s**2),
        Eq(frob, m * s**2),
        Ge(var_z, m * var_x / frob),
        Eq(Tr(W * Wt * K * Kt * W * Wt), s**2 * Tr(Wt * K * Kt * W)),
    )
    _variance_steps(p, W, Wt, L, Lt, s, n, tr_kw)
    p.add(
        TraceExpansion(
            frob,
            m * s**2,
            identity=m,
            reason="$\\|W\\|_F^2 = \\operatorname{tr}(s^2I_m) = ms^2$.",
            premises=("H_rows",),
            **tr_kw,
        )
    )
    p.add(
        Inequality(
            var_z,
            m * var_x / frob,
            Nonneg(sp.Integer(0)),
            "Substitute $s^2 = \\|W\\|_F^2/m$.",
            premises=("s5", "s6"),
            multipliers=(("s5", 1),),
        )
    )
    p.add(
        TraceExpansion(
            Tr(W * Wt * K * Kt * W * Wt),
            s**2 * Tr(Wt * K * Kt * W),
            identity=m,
            reason="Tight case $L = W^TK$ (the code's covariance in the row space of $W$): "
            "$\\operatorname{tr}Cov(x) = s^2\\operatorname{tr}Cov(z)$, equality in the bound.",
            premises=("H_rows", "axiom:trace-cyclic"),
            **tr_kw,
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s5", "s6", "s7", "s8")))
    p.uses = ("axiom:linearity-of-expectation",)
    p.references = (
        "Whittington et al., ICLR 2023 (the activity-readout trade-off behind grandmother cells); "
        'docs/mathematics.md, "ICLR 2023 linear theory".'
    )
    return p


def categories_proof() -> Proof:
    """ICLR 2023 categories: one-hot categories read out through equal singular values need grandmother cells."""
    s, g = sp.symbols("s g", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)  # c = k + 1 >= 2 categories
    i = sp.Symbol("i", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    S, V, Q = sp.symbols("S V Q", nonnegative=True)
    X = sp.Symbol("X", real=True)
    cs = sp.Symbol("c", integer=True, positive=True)  # the number of categories, as a matrix dimension
    W, Wt, L, Lt, Z, Zt, u, ut, b, bt = sp.symbols("W W^T L L^T Z Z^T u u^T b b^T", commutative=False)
    pairs = ((W, Wt), (Wt, W), (L, Lt), (Lt, L), (Z, Zt), (Zt, Z), (u, ut), (ut, u), (b, bt), (bt, b))
    shapes = (
        (W, (cs, n)),
        (Wt, (n, cs)),
        (L, (n, cs)),
        (Lt, (cs, n)),
        (Z, (n, cs)),
        (Zt, (cs, n)),
        (u, (cs, sp.Integer(1))),
        (ut, (sp.Integer(1), cs)),
        (b, (cs, sp.Integer(1))),
        (bt, (sp.Integer(1), cs)),
    )
    tr_kw: dict[str, Any] = dict(shapes=shapes, pairs=pairs, orthogonal_rows=(W, s))
    c = k + 1
    p = Proof(
        name="categories",
        title="ICLR 2023 categories: a readout of equal singular values makes the optimal code grandmother cells",
        setting=(
            "$c = k + 1 \\ge 2$ categories, equally likely; category $i$ has code $z_i \\in \\mathbb{R}^n$, "
            "$z_i \\ge 0$ entrywise, the $i$-th column of the code matrix $Z$ ($n \\times c$), and its one-hot "
            "target $e_i$ is read out exactly, $Wz_i + b = e_i$, by a readout with equal singular values, "
            "$WW^T = s^2I_c$ (so $\\|W\\|_F^2 = cs^2$). $u$ is the vector of $c$ ones ($u^Tu = c$), so "
            "$Zu = \\sum_iz_i$ and the centred codes are $L = Z - Zuu^T/c$ (columns $z_i - \\bar z$). "
            "Formally defined from $Z$: $S = \\operatorname{tr}(Z^TZ) = \\sum_i\\|z_i\\|^2$ ($c$ times the mean "
            "energy), $Q = u^TZ^TZu = \\|\\sum_iz_i\\|^2$, $X = Q - S = \\sum_{i \\ne j}z_i\\cdot z_j$ (the "
            "overlap between categories) and $V = \\operatorname{tr}(LL^T) = \\sum_i\\|z_i - \\bar z\\|^2$. "
            "Exact readout is the matrix equation $WZ + bu^T = I_c$ (bias $b$); from it the proof derives "
            "$WL = I_c - uu^T/c$ and $\\operatorname{tr}(WLL^TW^T) = c - 1$. Nonnegativity enters only "
            "through the hypothesis $X \\ge 0$ (the proof language states no entrywise sign). The grandmother code gives "
            "category $i$ its own neuron, $z_i = ge_i$ with $W = sI$, exact for $g = 1/s$."
        ),
        gloss=(
            "every nonnegative code has energy $S \\ge c/s^2 + X/(c - 1)$, so at least $c/s^2$, i.e. a mean "
            "energy of $1/s^2 = c/\\|W\\|_F^2$ per category ($c\\,\\sigma_C^2/\\|W\\|_F^2$ for targets of "
            "size $\\sigma_C$); the grandmother code attains it. Any overlap $X > 0$ costs at least "
            "$X/(c - 1)$ more, and nonnegative codes have $X \\ge 0$ with $X = 0$ only when different "
            "categories use disjoint neurons: the optimal code is grandmother cells, each neuron coding one "
            "category. Nonnegativity is essential: without it $X$ can be negative and the bound fails."
        ),
    )
    p.hypothesis("H_rows", Eq(W * Wt, s**2), "equal singular values $s$: $WW^T = s^2I_c$.")
    p.hypothesis("H_c", Eq(cs, k + 1), "$c = k + 1$ categories.")
    p.hypothesis("H_u", Eq(ut * u, cs), "$u$ is the vector of $c$ ones.")
    p.hypothesis("H_L", Eq(L, Z - Z * u * ut / cs), "the centred codes $z_i - \\bar z$ ...")
    p.hypothesis("H_Lt", Eq(Lt, Zt - u * ut * Zt / cs), "... and their transpose.")
    p.hypothesis("H_V", Eq(V, Tr(L * Lt)), "the code's scatter around its mean.")
    p.hypothesis("H_S", Eq(S, Tr(Zt * Z)), "$S = \\sum_i\\|z_i\\|^2$.")
    p.hypothesis("H_Qd", Eq(Q, Tr(ut * Zt * Z * u)), "$Q = \\|Zu\\|^2 = \\|\\sum_iz_i\\|^2$.")
    p.hypothesis(
        "H_Xd",
        Eq(X, Tr(ut * Zt * Z * u) - Tr(Zt * Z)),
        "$X = \\sum_{i,j}z_i\\cdot z_j - \\sum_iz_i\\cdot z_i = \\sum_{i \\ne j}z_i\\cdot z_j$.",
    )
    p.hypothesis(
        "H_read",
        Eq(W * Z, 1 - b * ut),
        "exact readout of the one-hot targets (the columns of $I_c$) with bias $b$: $WZ + bu^T = I_c$.",
    )
    p.hypothesis("H_readT", Eq(Zt * Wt, 1 - u * bt), "... and its transpose.")
    p.hypothesis(
        "H_X",
        Ge(X, 0),
        "the codes' pairwise overlaps are nonnegative: $\\sum_{i \\ne j}z_i\\cdot z_j \\ge 0$ (true of "
        "nonnegative codes, each $z_i\\cdot z_j$ a sum of products of nonnegative entries; the only place "
        "nonnegativity enters).",
    )
    p.hypothesis("H_g", Eq(g, 1 / s), "the grandmother code's gain ($W = sI$, $z_i = ge_i$, $Wz_i = e_i$).")
    p.conclusion = AllOf(
        Ge(V, k / s**2), Ge(S, c / s**2 + X / k), Ge(S, c / s**2), Eq(sp.Sum(g**2, (i, 1, c)), c / s**2)
    )
    var_step = _variance_steps(p, W, Wt, L, Lt, s, n, tr_kw)
    readout = p.add(
        TraceExpansion(
            Tr(W * L * Lt * Wt),
            cs - 1,
            identity=cs,
            reason="Exact readout: $WL = (I_c - bu^T)(I_c - uu^T/c) = I_c - uu^T/c$ (as $u^Tu = c$), so "
            "$\\operatorname{tr}(WLL^TW^T) = \\operatorname{tr}(I_c - uu^T/c) = c - 1$, the targets' scatter.",
            premises=("H_L", "H_Lt", "H_read", "H_readT", "H_u", "axiom:trace-cyclic"),
            **tr_kw,
        )
    )
    spread = p.add(
        Inequality(
            V,
            k / s**2,
            Nonneg(sp.Integer(0)),
            "The readout-variance bound for the $c$ categories: $V \\ge (c - 1)/s^2$.",
            premises=(var_step, "H_V", readout.name, "H_c"),
            multipliers=((var_step, 1), ("H_V", 1), (readout.name, 1 / s**2), ("H_c", 1 / s**2)),
        )
    )
    centred = p.add(
        TraceExpansion(
            Tr(L * Lt),
            Tr(Zt * Z) - Tr(ut * Zt * Z * u) / cs,
            identity=n,
            reason="The scatter around the mean: $LL^T = ZZ^T - Zuu^TZ^T/c$ (with $u^Tu = c$), so "
            "$\\sum_i\\|z_i - \\bar z\\|^2 = \\sum_i\\|z_i\\|^2 - \\|\\sum_iz_i\\|^2/c$.",
            premises=("H_L", "H_Lt", "H_u", "axiom:trace-cyclic"),
            **tr_kw,
        )
    )
    split = p.add(
        Identity(
            V,
            S - Q / cs,
            "So $V = S - Q/c$: the code's decomposition, from the definitions.",
            premises=("H_V", centred.name, "H_S", "H_Qd"),
        )
    )
    overlap = p.add(Identity(Q, S + X, "$Q = S + X$: self-products plus overlap.", premises=("H_Qd", "H_S", "H_Xd")))
    excess = p.add(
        Inequality(
            S,
            c / s**2 + X / k,
            Nonneg(sp.Integer(0)),
            "$S = V + (S + X)/c$ gives $(c - 1)S = cV + X \\ge c(c - 1)/s^2 + X$.",
            premises=(spread.name, split.name, overlap.name, "H_c"),
            multipliers=((spread.name, c / k),),
        )
    )
    least = p.add(
        Inequality(
            S,
            c / s**2,
            Nonneg(sp.Integer(0)),
            "Nonnegative codes overlap by $X \\ge 0$.",
            premises=(excess.name, "H_X"),
            multipliers=((excess.name, 1), ("H_X", 1 / k)),
        )
    )
    attained = p.add(
        Identity(
            sp.Sum(g**2, (i, 1, c)),
            c / s**2,
            "The grandmother code: $c$ categories of energy $g^2 = 1/s^2$ each, no overlap.",
            premises=("H_g",),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=(spread.name, excess.name, least.name, attained.name)))
    p.uses = ("lemma:readout-variance-bound", "axiom:linearity-of-expectation")
    p.references = (
        "Whittington, Dorrell, Ganguli, Behrens, ICLR 2023 (categories and grandmother cells); "
        'docs/mathematics.md, "ICLR 2023 linear theory".'
    )
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
        gloss=(
            "every nonnegative code has $L \\ge 2\\sqrt{\\lambda_{out}}\\|B(C + K + "
            "\\lambda_{in}I)^{1/2}\\|_*$; with $K = F$ (allowed exactly when the modularity condition holds) "
            "and $B = I$ the bound is $\\sum_j 2\\sqrt{\\lambda_{out}p_j}$, $p_j = E_j + \\lambda_{in}$, which "
            "the modular code attains: the bound is tight and certifies it."
        ),
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
    p.add(
        TraceExpansion(
            gram,
            lhs - 2 * sp.sqrt(lam) * Tr(Nm),
            identity=d,
            reason="Expand the square; $\\operatorname{tr}(SNS^{-1}) = \\operatorname{tr}(S^{-1}NS) = "
            "\\operatorname{tr}N$ by cyclicity and $S^{-1}S = I$.",
            premises=("H_S", "H_S2", "axiom:trace-cyclic"),
            **kw,
        )
    )
    p.add(
        Inequality(
            lhs,
            2 * sp.sqrt(lam) * Tr(Nm),
            Nonneg(sp.Integer(0)),
            "Matrix arithmetic-geometric mean: the gap is the square of step 1.",
            premises=("s1", "s2"),
            multipliers=(("s1", 1), ("s2", -1)),
        )
    )
    p.add(
        TraceExpansion(
            Tr(R * R * G), Tr(R * G * R), identity=d, reason="Cyclic trace.", premises=("axiom:trace-cyclic",), **kw
        )
    )
    p.add(
        TraceExpansion(
            Tr(Q * Gi),
            Tr(R * Q * R * Ri * Gi * Ri),
            identity=d,
            reason="$Y^{-1} = R^{-1}G^{-1}R^{-1}$; $RR^{-1} = I$ and cyclicity.",
            premises=("H_R", "H_R2", "axiom:trace-cyclic"),
            **kw,
        )
    )
    p.add(
        Identity(
            pj * g + lam / g,
            2 * sp.sqrt(lam * pj),
            "Tight case ($K = F$, so $C + F = \\operatorname{diag}(E_j)$, $B = I$): per coordinate the "
            "modular code meets the bound.",
            premises=("H_g",),
        )
    )
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s3", "s4", "s5", "s6")))
    p.uses = ("axiom:trace-cyclic",)
    p.references = (
        'docs/mathematics.md, "Solving for the optimal code exactly"; Dorrell, Latham, Whittington, '
        "*Convex Efficient Coding*."
    )
    return p
