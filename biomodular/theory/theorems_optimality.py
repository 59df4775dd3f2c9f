"""Optimality in the Gram form: the reduction of the autoencoder, and why the modularity condition is
necessary (a perturbation that lowers the loss)."""

from __future__ import annotations

import sympy as sp

from .proof import AllOf, Conjunction, Eq, Gt, Identity, Inequality, Nonneg, Proof, Termwise
from .trace import Inv, InverseTrace, RingIdentity, Tr, TraceExpansion

__all__ = ["modularity_necessity_proof"]

_REF = ("docs/mathematics.md, \"The exact modularity condition\" and \"Solving for the optimal code exactly\"; "
        "Dorrell et al., ICLR 2025.")


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
        gloss=("the loss changes at rate $\\phi(w) - \\sum_jE_jw_j^2 = m(w)^2 - w^TFw$ "
               "(`lambda-independence`) as the new neuron grows from zero; where the modularity condition fails "
               "this rate is negative, so a small neuron mixing the sources along $w$ lowers the loss below "
               "$L_{mod}$, and the optimal code is not modular. With `nuclear-norm-bound` (sufficiency) the "
               "condition is necessary and sufficient."),
    )
    p.hypothesis("H_inv", Eq(G * Gi, 1), "$G$ is invertible.")
    p.hypothesis("H_q", Eq(wt * Gi * w, q), "$q = w^TG^{-1}w$, a scalar.")
    p.hypothesis("H_loss", Eq(dL, eps * (phi + lam_in * n2) + lam_out * (Tinv - Tr(Gi))),
                 "the loss change of the Gram form.")
    p.hypothesis("H_diag", Eq(p_, sum_p), "$G = \\operatorname{diag}(u_j)$: $w^TG^{-2}w = \\sum_jw_j^2/u_j^2$.")
    p.hypothesis("H_n", Eq(n2, sum_n), "$\\|w\\|^2$.")
    p.hypothesis("H_gain", Eq(u[j], sp.sqrt(lam_out / (E[j] + lam_in))), "the optimal modular gains.")
    p.hypothesis("H_violated", Gt(sum_E, phi), "the condition fails along $w$: $\\phi(w) < \\sum_jE_jw_j^2$.")
    rate = phi + lam_in * n2 - lam_out * p_
    p.conclusion = AllOf(
        Eq(dL, path), Eq(slope, rate), Eq(rate, phi - sum_E), Gt(0, rate),
    )
    p.add(RingIdentity((G + eps * w * wt) * M, 1 + eps * q, shapes, pairs,
                       "Sherman-Morrison, multiplied out: $(G + \\varepsilon ww^T)M = (1 + \\varepsilon q)I$.",
                       premises=("H_inv", "H_q")))
    p.add(TraceExpansion(Tr(M), (1 + eps * q) * Tr(Gi) - eps * p_, shapes=shapes, pairs=pairs, identity=n,
                         reason="Linearity and cyclicity of the trace.", premises=("axiom:trace-cyclic",)))
    p.add(InverseTrace(G + eps * w * wt, M, 1 + eps * q,
                       "By step 1, $(G + \\varepsilon ww^T)^{-1} = M/(1 + \\varepsilon q)$.",
                       premises=("s1", "axiom:square-inverse")))
    p.add(Identity(dL, path, "Substitute; $\\operatorname{tr}G^{-1}$ cancels.", premises=("H_loss", "s3", "s2")))
    p.add(Identity(slope, rate, "Differentiate at $\\varepsilon = 0$ (sympy, symbolically)."))
    p.add(Identity(lam_out * wj[j] ** 2 / u[j] ** 2, E[j] * wj[j] ** 2 + lam_in * wj[j] ** 2,
                   "Each source at the modular optimum: $\\lambda_{out}/u_j^2 = E_j + \\lambda_{in}$.",
                   premises=("H_gain",)))
    p.add(Termwise(lam_out * wj[j] ** 2 / u[j] ** 2, E[j] * wj[j] ** 2 + lam_in * wj[j] ** 2, j, 1, d, "=",
                   "Sum over the sources.", premises=("s6",)))
    p.add(Identity(rate, phi - sum_E, "So the rate is $\\phi(w) - w^T\\operatorname{diag}(E_j)w$.",
                   premises=("H_diag", "H_n", "s7"), multipliers=(("s7", -1),)))
    p.add(Inequality(0, rate, Nonneg(sp.Integer(0)), "Where the condition fails the rate is negative.",
                     premises=("s8", "H_violated"), multipliers=(("s8", -1), ("H_violated", 1)), strict=True))
    p.add(Conjunction(p.conclusion.parts, "All parts.", premises=("s4", "s5", "s8", "s9")))
    p.uses = ("lemma:modular-code", "lemma:lambda-independence")
    p.references = _REF
    return p
