"""Item 10: activity-energy lower bounds, each with its tight case."""

from __future__ import annotations

import sympy as sp

from .proof import SOS, Identity, Inequality, Proof

__all__ = ["readout_variance_proof", "nuclear_bound_proof", "nuclear_norm_bound"]


def readout_variance_proof() -> Proof:
    """Item 10a: total code variance is bounded below through the readout norm."""
    W = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"W_{i + 1}{j + 1}", real=True))
    L = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"L_{i + 1}{j + 1}", real=True))
    p = Proof(
        name="readout-variance-bound",
        title="Code variance is bounded below by the readout norm (ICLR 2023 lemma)",
        statement=(
            "If a target $x$ is read out exactly from a code, $x = Wz + b_x$, then "
            "$\\sum_j\\operatorname{Var}(z_j) \\ge \\operatorname{tr}\\operatorname{Cov}(x)/\\|W\\|_F^2$. "
            "Equality holds when $W$ has rank one and $\\operatorname{Cov}(z)$ lies along its row space (one "
            "direction of the code carries all the variance)."
        ),
        setting=("$\\operatorname{Cov}(x) = W\\operatorname{Cov}(z)W^T$; write $\\operatorname{Cov}(z) = LL^T$. "
                 "Shown for 2x2 symbolic $W$, $L$; the certificate (Lagrange's identity, row of $W$ against "
                 "column of $L$) is the same in any size."),
    )
    gap_terms = []
    for i in range(2):
        for k in range(2):
            gap_terms.append((1, W[i, 0] * L[1, k] - W[i, 1] * L[0, k]))
    frob_W = sum(x**2 for x in W)
    p.add(Inequality(
        frob_W * (L * L.T).trace(), (W * L * L.T * W.T).trace(), SOS(tuple(gap_terms)),
        "$\\|W\\|_F^2\\operatorname{tr}(LL^T) - \\|WL\\|_F^2 = \\sum_{i,k}\\sum_{j<j'}(W_{ij}L_{j'k} - "
        "W_{ij'}L_{jk})^2$ (Cauchy-Schwarz for every row $i$ of $W$ and column $k$ of $L$). Divide by "
        "$\\|W\\|_F^2$.",
        label="\\|W\\|_F^2\\operatorname{tr}(LL^T)",
    ))
    v1, v2, u1, u2, s = sp.symbols("v_1 v_2 u_1 u_2 s", real=True)
    v, u = sp.Matrix([v1, v2]), sp.Matrix([u1, u2])
    Wt = v * u.T
    Sz = s**2 * u * u.T
    p.add(Identity(
        (Wt * Sz * Wt.T).trace(), sum(x**2 for x in Wt) * Sz.trace(),
        "Tight case: $W = vu^T$ and $\\operatorname{Cov}(z) = s^2uu^T$ give equality.",
    ))
    p.conclusion = ("With categories and a readout of equal singular values this gives the grandmother-cell "
                    "energy $c\\,\\sigma_C^2/\\|W\\|_F^2$ of THEORY.md s.3 as a lower bound on the variance part.")
    p.references = ("Whittington et al., ICLR 2023 (activity-readout trade-off); the statement and certificate "
                    "are written out here.")
    return p


def nuclear_norm_bound(cov, B, lam_in, lam_out, K=None) -> sp.Expr:
    """Lower bound ``2 sqrt(lam_out) ||B (C + K + lam_in I)^{1/2}||_*`` on the loss of any nonnegative code.

    Valid for the family of THEORY.md s.3 with ``A = I`` and readout target
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
    """Item 10b: a lower bound on the loss of any nonnegative code, with its tight case."""
    lam = sp.Symbol("lambda_out", positive=True)
    s11, s22 = sp.symbols("s_11 s_22", positive=True)
    s12 = sp.Symbol("s_12", real=True)
    n11, n22 = sp.symbols("n_11 n_22", positive=True)
    n12 = sp.Symbol("n_12", real=True)
    S = sp.Matrix([[s11, s12], [s12, s22]])
    N = sp.Matrix([[n11, n12], [n12, n22]])
    p = Proof(
        name="nuclear-norm-bound",
        title="Lower bound on the loss of any nonnegative code (nuclear norm of the readout target)",
        statement=(
            "For the family of THEORY.md s.3 with $A = I$ and readout $y = Bs$, every nonnegative code has "
            "$L \\ge 2\\sqrt{\\lambda_{out}}\\,\\|B(C + K + \\lambda_{in}I)^{1/2}\\|_*$ for any $K$ with "
            "$m(w)^2 \\ge w^TKw$ for all $w$. $K = 0$ always qualifies (a bound for a general readout); "
            "$K = F$ qualifies exactly when the modularity condition holds, and then for $B = I$ the bound is "
            "$L_{mod}$: the bound is tight and certifies the modular code."
        ),
        setting=(
            "Neuron tunings $w_n$, $G = \\sum_n w_nw_n^T$. Activity $\\sum_n\\phi(w_n) = \\sum_n[w_n^TCw_n + "
            "m(w_n)^2] \\ge \\operatorname{tr}((C + K)G)$; weight terms $\\lambda_{in}\\operatorname{tr}G + "
            "\\lambda_{out}\\operatorname{tr}(B^TBG^{-1})$. So $L \\ge \\operatorname{tr}(PG) + "
            "\\lambda_{out}\\operatorname{tr}(QG^{-1})$ with $P = C + K + \\lambda_{in}I$, $Q = B^TB$. Put "
            "$Y = P^{1/2}GP^{1/2} = S^2$ and $P^{1/2}QP^{1/2} = N^2$ ($S$, $N$ symmetric): then "
            "$\\operatorname{tr}(PG) = \\operatorname{tr}(S^2)$, $\\operatorname{tr}(QG^{-1}) = "
            "\\operatorname{tr}(N^2S^{-2})$ and $\\operatorname{tr}N = \\|BP^{1/2}\\|_*$. 2x2 shown."
        ),
        where=(sp.Gt(s11 * s22 - s12**2, 0),),
    )
    R = S - sp.sqrt(lam) * N * S.inv()
    p.add(Inequality(
        (S * S).trace() + lam * (N * N * S.inv() * S.inv()).trace(), 2 * sp.sqrt(lam) * N.trace(),
        SOS(tuple((1, R[i, j]) for i in range(2) for j in range(2))),
        "Matrix AM-GM: the gap is $\\|S - \\sqrt{\\lambda_{out}}NS^{-1}\\|_F^2$ (expand the square; "
        "$\\operatorname{tr}(S\\,S^{-1}N) = \\operatorname{tr}N$).",
        label="\\operatorname{tr}(S^2) + \\lambda_{out}\\operatorname{tr}(N^2S^{-2})",
    ))
    r11, r22 = sp.symbols("r_11 r_22", positive=True)
    r12 = sp.Symbol("r_12", real=True)
    g11, g22 = sp.symbols("g_11 g_22", positive=True)
    g12 = sp.Symbol("g_12", real=True)
    q11, q22 = sp.symbols("q_11 q_22", positive=True)
    q12 = sp.Symbol("q_12", real=True)
    Rh = sp.Matrix([[r11, r12], [r12, r22]])  # P^{1/2}
    G = sp.Matrix([[g11, g12], [g12, g22]])
    Q = sp.Matrix([[q11, q12], [q12, q22]])
    Y = Rh * G * Rh
    p.add(Identity(
        (Rh * Rh * G).trace(), Y.trace(), "$\\operatorname{tr}(PG) = \\operatorname{tr}(Y)$ (cyclic trace).",
        label="\\operatorname{tr}(PG)",
    ))
    p.add(Identity(
        (Q * G.inv()).trace(), (Rh * Q * Rh * Y.inv()).trace(),
        "$\\operatorname{tr}(QG^{-1}) = \\operatorname{tr}(P^{1/2}QP^{1/2}Y^{-1})$.",
        label="\\operatorname{tr}(QG^{-1})",
        where=(sp.Gt(g11 * g22 - g12**2, 0), sp.Gt(r11 * r22 - r12**2, 0)),
    ))
    E1, E2 = sp.symbols("E_1 E_2", positive=True)
    lam_in = sp.Symbol("lambda_in", nonnegative=True)
    b1, b2 = sp.symbols("beta_1 beta_2", positive=True)
    c12 = sp.Symbol("C_12", real=True)
    c11, c22 = sp.symbols("C_11 C_22", positive=True)
    Cm = sp.Matrix([[c11, c12], [c12, c22]])
    Fm = sp.Matrix([[b1**2, -c12], [-c12, b2**2]])
    p.add(Identity(
        Cm + Fm, sp.diag(c11 + b1**2, c22 + b2**2),
        "Tight case: with $K = F$ the correlations cancel, $C + F = \\operatorname{diag}(E_j)$.",
        label="C + F",
    ))
    Pd = sp.diag(E1 + lam_in, E2 + lam_in)
    bound = 2 * sp.sqrt(lam) * (sp.sqrt(E1 + lam_in) + sp.sqrt(E2 + lam_in))
    p.add(Identity(
        nuclear_norm_bound(sp.diag(E1, E2), sp.eye(2), lam_in, lam), bound,
        "For $B = I$: $2\\sqrt{\\lambda_{out}}\\operatorname{tr}(P^{1/2}) = "
        "2\\sum_j\\sqrt{\\lambda_{out}(E_j + \\lambda_{in})} = L_{mod}$ (`modular-code`), computed by "
        "`nuclear_norm_bound` from the eigenvalues of $B^TBP$.",
        label="2\\sqrt{\\lambda_{out}}\\,\\|B(C + F + \\lambda_{in}I)^{1/2}\\|_*",
    ))
    Gmod = sp.sqrt(lam) * Pd.inv().applyfunc(sp.sqrt)
    p.add(Identity(
        (Pd * Gmod).trace() + lam * Gmod.inv().trace(), bound,
        "... and the modular code $G = \\operatorname{diag}(\\sqrt{\\lambda_{out}/(E_j + \\lambda_{in})})$ "
        "attains it (the square in step 1 vanishes at $Y = \\sqrt{\\lambda_{out}}N$).",
        label="\\operatorname{tr}(PG_{mod}) + \\lambda_{out}\\operatorname{tr}(G_{mod}^{-1})",
    ))
    p.conclusion = ("Any $K$ with $m(w)^2 \\ge w^TKw$ gives a valid bound; with $K = 0$ it is "
                    "$2\\sqrt{\\lambda_{out}}\\|B(C + \\lambda_{in}I)^{1/2}\\|_*$ for a general readout. When the "
                    "modularity condition holds, $K = F$ makes the bound meet $L_{mod}$, which proves the modular "
                    "code optimal (the sufficiency half of THEORY.md s.2).")
    p.references = "THEORY.md s.2-4 (Gram-matrix convexity); Dorrell, Latham, Whittington, *Convex Efficient Coding*."
    return p
