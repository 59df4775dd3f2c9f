"""Markdown and LaTeX rendering of checked proofs."""

from __future__ import annotations

import sympy as sp

from .proof import Inequality, NUMERIC_DIGITS, NUMERIC_TOLERANCE, N_POINTS

__all__ = ["proof_markdown", "proof_latex"]


def _status(check) -> str:
    if check.ok:
        return "checked"
    parts = []
    if not check.symbolic:
        parts.append("symbolic check FAILED")
    if not check.numeric:
        parts.append("numeric check FAILED")
    return ", ".join(parts)


def proof_markdown(proof, heading: str = "##") -> str:
    """The proof as Markdown; every step with claim, reason and how it was checked."""
    result = proof.check()
    out = [f"{heading} `{proof.name}`: {proof.title}", ""]
    out += [f"**Theorem.** {proof.statement}", ""]
    if proof.setting:
        out += [f"**Setting.** {proof.setting}", ""]
    out += ["**Proof.**", ""]
    for i, (step, chk) in enumerate(zip(proof.steps, result.steps), start=1):
        out.append(f"{i}. $${step.claim_latex()}$$")
        out.append(f"   *Reason:* {step.reason}")
        if isinstance(step, Inequality):
            out.append(f"   *Certificate ({step.certificate.kind}):* ${step.certificate.latex()}$")
        out.append(f"   *Check ({_status(chk)}):* {chk.detail}.")
        out.append("")
    if proof.constants:
        out += ["**Computed constants** (exact, then decimal):", ""]
        for c in proof.constants:
            note = f" ({c.note})" if c.note else ""
            out.append(f"- ${c.name} = {c.exact_latex or sp.latex(c.value)} \\approx {c.decimal()}${note}")
        out.append("")
    if proof.conclusion:
        out += [f"**Conclusion.** {proof.conclusion}", ""]
    verdict = "all steps checked" if result.ok else f"{result.n_failed} step(s) FAILED to check"
    out += [f"*{len(proof.steps)} steps, {verdict}.* "
            f"Each claim was reduced to an exact identity by sympy and evaluated at {N_POINTS} seeded random "
            f"points with {NUMERIC_DIGITS} digits (relative tolerance {sp.N(NUMERIC_TOLERANCE, 2)}).", ""]
    if proof.references:
        out += [f"*References:* {proof.references}", ""]
    return "\n".join(out)


def _tex_text(s: str) -> str:
    """Markdown-ish text to LaTeX text (keeps $...$ math, escapes the rest)."""
    out, math = [], False
    for chunk in s.split("$"):
        if math:
            out.append(f"${chunk}$")
        else:
            chunk = chunk.replace("\\", "\\textbackslash{}")
            for a, b in (("&", "\\&"), ("%", "\\%"), ("#", "\\#"), ("_", "\\_"), ("**", ""), ("`", "")):
                chunk = chunk.replace(a, b)
            out.append(chunk)
        math = not math
    return "".join(out)


def proof_latex(proof) -> str:
    """The proof as a LaTeX fragment (needs amsmath)."""
    result = proof.check()
    out = [f"\\subsection*{{{_tex_text(proof.name)}: {_tex_text(proof.title)}}}", ""]
    out += [f"\\paragraph{{Theorem.}} {_tex_text(proof.statement)}", ""]
    if proof.setting:
        out += [f"\\paragraph{{Setting.}} {_tex_text(proof.setting)}", ""]
    out += ["\\paragraph{Proof.}", "\\begin{enumerate}"]
    for step, chk in zip(proof.steps, result.steps):
        out.append(f"\\item $\\displaystyle {step.claim_latex()}$\\\\")
        out.append(f"\\emph{{Reason:}} {_tex_text(step.reason)}\\\\")
        if isinstance(step, Inequality):
            out.append(f"\\emph{{Certificate ({step.certificate.kind}):}} ${step.certificate.latex()}$\\\\")
        out.append(f"\\emph{{Check ({_status(chk)}):}} {_tex_text(chk.detail)}.")
    out.append("\\end{enumerate}")
    if proof.constants:
        out += ["\\paragraph{Computed constants.}", "\\begin{itemize}"]
        for c in proof.constants:
            out.append(f"\\item ${c.name} = {c.exact_latex or sp.latex(c.value)} \\approx {c.decimal()}$ "
                       f"{_tex_text(c.note)}")
        out.append("\\end{itemize}")
    if proof.conclusion:
        out += [f"\\paragraph{{Conclusion.}} {_tex_text(proof.conclusion)}"]
    verdict = "all steps checked" if result.ok else f"{result.n_failed} step(s) FAILED to check"
    out += ["", f"\\emph{{{len(proof.steps)} steps, {verdict}.}}", ""]
    return "\n".join(out)
