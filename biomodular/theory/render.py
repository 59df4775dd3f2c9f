"""Markdown and LaTeX rendering of checked proofs: statements rendered from their formal facts.

Long expressions are broken at the top-level ``+``/``-`` of each side into an
``aligned`` block; in LaTeX a conjunction is one display per part and the list of
quantified symbols is inline text, so both break like text.  What still cannot be
broken (a matrix, or one term wider than the line, such as a long trace or
derivative) is scaled down to the line width (``\\fitwidth``, which reports it in
the log), never left overfull.
"""

from __future__ import annotations

import sympy as sp

from .proof import NUMERIC_DIGITS, NUMERIC_TOLERANCE, N_POINTS, Inequality, Instance

__all__ = ["relation_latex", "statement_latex", "proof_markdown", "proof_latex", "LINE_CHARS"]

#: Longest line of LaTeX source (characters) kept on one line of a display.
LINE_CHARS = 80

_REL_TEX = {"=": "=", ">=": "\\geq", ">": ">"}


def _signed_terms(expr) -> list[str]:
    """``expr`` as LaTeX terms, each with its sign (the first without '+')."""
    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Add):
        return [sp.latex(expr)]
    out = []
    for i, t in enumerate(expr.as_ordered_terms()):
        if t.could_extract_minus_sign():
            out.append("- " + sp.latex(-t))
        else:
            out.append(("" if i == 0 else "+ ") + sp.latex(t))
    return out


def _lines(terms: list[str], width: int) -> list[str]:
    lines, cur = [], ""
    for t in terms:
        if cur and len(cur) + len(t) + 1 > width:
            lines.append(cur)
            cur = t
        else:
            cur = f"{cur} {t}" if cur else t
    if cur:
        lines.append(cur)
    return lines


def _side(x, width: int) -> list[str]:
    if isinstance(x, (list, tuple)) or isinstance(x, sp.MatrixBase):
        return [sp.latex(sp.Matrix(x))]
    return _lines(_signed_terms(x), width)


def relation_latex(lhs, rel: str, rhs, label: str = "", width: int = LINE_CHARS) -> str:
    """``lhs REL rhs`` in LaTeX, broken over lines of an ``aligned`` block when long.

    ``label`` names a computed left side; it is shown as ``label = lhs``.
    """
    op = _REL_TEX.get(rel, rel)
    left = _side(lhs, width)
    right = _side(rhs, width)
    one = " ".join(left) + f" {op} " + " ".join(right)
    if label:
        one = f"{label} = {one}" if len(one) <= width else one
    if len(one) <= width:
        return one
    rows = []
    if label:
        rows.append(f"{label} &= {left[0]}")
    else:
        rows.append(f"& {left[0]}")
    rows += [f"&\\quad {t}" for t in left[1:]]
    rows.append(f"&{op} {right[0]}")
    rows += [f"&\\quad {t}" for t in right[1:]]
    return "\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}"


def _symbol_domain(sym: sp.Symbol, domain: dict) -> str:
    name = sp.latex(sym)
    if sym in domain:
        lo, hi = domain[sym]
        if lo is not None and hi is not None:
            return f"{sp.latex(lo)} < {name} < {sp.latex(hi)}"
        return f"{name} > {sp.latex(lo)}" if lo is not None else f"{name} < {sp.latex(hi)}"
    if sym.is_positive:
        return f"{name} > 0"
    if sym.is_nonnegative:
        return f"{name} \\geq 0"
    if sym.is_integer:
        return f"{name} \\in \\mathbb{{Z}}"
    return f"{name} \\in \\mathbb{{R}}"


def _quantified_symbols(proof) -> list:
    goal = proof.conclusion_fact()
    syms = set(goal.symbols) if goal is not None else set()
    for h in proof.hypotheses:
        syms |= h.fact.symbols
    # deterministic: by name, then kind and assumptions (an indexed family and a symbol may share a name)
    return sorted(syms, key=lambda s: (s.name, type(s).__name__, str(sorted(s.assumptions0.items()))))


def statement_parts(proof) -> tuple[str, list[tuple[str, str, str]], str]:
    """(quantifier, [(hypothesis name, LaTeX, gloss)], conclusion LaTeX) of the formal statement."""
    domain = dict(proof.domain)
    goal = proof.conclusion_fact()
    for f in [goal] if goal is not None and goal.rel != "all" else list(goal.parts) if goal is not None else []:
        domain.update(dict(f.domain))
    syms = _quantified_symbols(proof)
    quant = ", ".join(_symbol_domain(s, domain) for s in syms)
    conds = [sp.latex(w) for w in proof.where]
    if conds:
        quant += " \\text{ with } " + ", ".join(conds)
    hyps = [(h.name, h.fact.latex(), h.gloss) for h in proof.hypotheses]
    concl = goal.latex() if goal is not None else "\\text{(no formal conclusion)}"
    return quant, hyps, concl


def statement_latex(proof) -> str:
    """The formal statement as one LaTeX formula (for Jupyter's ``_repr_latex_``)."""
    quant, hyps, concl = statement_parts(proof)
    out = f"\\forall\\, {quant}:\\ "
    if hyps:
        out += " \\wedge ".join(f"\\underbrace{{{h}}}_{{{n}}}" for n, h, _ in hyps) + " \\implies "
    return out + concl


def _status(check) -> str:
    if check.refusal:
        return f"REFUSED: {check.refusal}"
    if check.ok:
        return "checked"
    parts = []
    if not check.symbolic:
        parts.append("symbolic check FAILED")
    if not check.numeric:
        parts.append("numeric check FAILED")
    if check.smt_status == "refuted":
        parts.append("z3 REFUTED it")
    return ", ".join(parts)


def _premises(step) -> str:
    refs = list(step.premises) + ([step.source] if isinstance(step, Instance) else [])
    return ", ".join(f"`{r}`" for r in refs) if refs else "none"


def proof_markdown(proof, heading: str = "##") -> str:
    """The proof as Markdown: formal statement, then every step with premises and both verdicts."""
    from .catalogue import AXIOMS

    result = proof.check()
    quant, hyps, concl = statement_parts(proof)
    out = [f"{heading} `{proof.name}`: {proof.title}", ""]
    out += ["**Theorem** (rendered from its formal statement). For all $" + quant + "$:", ""]
    if hyps:
        for name, tex, gloss in hyps:
            out.append(f"- **({name})** $${tex}$$" + (f" {gloss}" if gloss else ""))
        out += ["", "Then", ""]
    out += [f"$${concl}$$", ""]
    if proof.gloss:
        out += [f"*In words:* {proof.gloss}", ""]
    if proof.setting:
        out += [f"**Setting.** {proof.setting}", ""]
    rests = proof.axioms()
    lemmas = proof.lemmas()
    out += [
        f"**Uses lemmas:** {', '.join(f'`{x}`' for x in lemmas) or 'none'}. "
        f"**Rests on axioms:** {', '.join(f'`{x}`' for x in rests) or 'none'}.",
        "",
    ]
    out += ["**Proof.**", ""]
    for i, (step, chk) in enumerate(zip(proof.steps, result.steps), start=1):
        out.append(f"{i}. `{step.name}`: $${step.claim_latex()}$$")
        out.append(f"   *Premises:* {_premises(step)}. *Reason:* {step.reason}")
        if isinstance(step, Inequality):
            out.append(f"   *Certificate ({step.certificate.kind}):* ${step.certificate.latex()}$")
        z3 = "" if chk.smt is None else f" *z3:* {chk.smt.status} ({chk.smt.detail})."
        out.append(f"   *sympy ({_status(chk)}):* {chk.detail}.{z3}")
        out.append("")
    if proof.constants:
        out += ["**Computed constants** (exact, then decimal):", ""]
        for c in proof.constants:
            note = f" ({c.note})" if c.note else ""
            out.append(f"- ${c.name} = {c.exact_latex or sp.latex(c.value)} \\approx {c.decimal()}${note}")
        out.append("")
    verdict = _verdict(proof, result)
    out += [
        f"*{len(proof.steps)} steps; {verdict}.* Each algebraic claim was reduced to an exact identity by "
        f"sympy, evaluated at {N_POINTS} seeded random points with {NUMERIC_DIGITS} digits (relative "
        f"tolerance {sp.N(NUMERIC_TOLERANCE, 2)}), and re-decided by z3 where it is in z3's fragment.",
        "",
    ]
    if rests:
        out += [
            "*Axioms:* "
            + "; ".join(f"`{a}`: {AXIOMS[a].statement} ({AXIOMS[a].reference})" for a in rests if a in AXIOMS),
            "",
        ]
    if proof.references:
        out += [f"*References:* {proof.references}", ""]
    return "\n".join(out)


def _verdict(proof, result) -> str:
    if result.ok:
        return "all steps checked, the last establishes the conclusion, every hypothesis is used"
    parts = []
    if result.n_failed:
        parts.append(f"{result.n_failed} step(s) FAILED or were refused")
    parts += list(result.problems)
    if result.unused_hypotheses:
        parts.append("unused hypotheses: " + ", ".join(result.unused_hypotheses))
    return "NOT PROVED: " + "; ".join(parts)


def _tex_text(s: str) -> str:
    """Markdown-ish text to LaTeX text (keeps $...$ math, escapes the rest)."""
    out, math = [], False
    for chunk in s.split("$"):
        if math:
            out.append(f"${chunk}$")
        else:
            chunk = chunk.replace("\\", "\\textbackslash{}")
            for a, b in (
                ("&", "\\&"),
                ("%", "\\%"),
                ("#", "\\#"),
                ("_", "\\_"),
                ("**", ""),
                ("`", ""),
                ("^", "\\^{}"),
                ("~", "\\~{}"),
                ("<", "$<$"),
                (">", "$>$"),
            ):
                chunk = chunk.replace(a, b)
            out.append(chunk)
        math = not math
    return "".join(out)


def _display(tex: str) -> str:
    """A display; a conjunction is shown as one display per part (a line of its own each), so it is broken
    rather than scaled."""
    parts = tex.split(CONJUNCTION_LATEX)
    return " \\emph{and}".join(f"\\par\\noindent\\fitwidth{{$\\displaystyle {p}$}}\\par" for p in parts)


#: How Fact.latex joins the parts of a conjunction.
CONJUNCTION_LATEX = " \\quad\\text{and}\\quad "


def _top_level_items(tex: str) -> list[str]:
    """``tex`` split at the commas outside braces and parentheses (a list of symbol domains)."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(tex):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(tex[start:i].strip())
            start = i + 1
    items.append(tex[start:].strip())
    return [t for t in items if t]


PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\sloppy
\setlength{\emergencystretch}{4em}
\setlength{\parindent}{0pt}
% a display wider than the line is scaled down to the line width (never overfull)
\newsavebox{\fitbox}
\newcommand{\fitwidth}[1]{\sbox{\fitbox}{#1}\ifdim\wd\fitbox>\linewidth
  \typeout{biomodular: display scaled to the line width}\resizebox{\linewidth}{!}{\usebox{\fitbox}}%
  \else\usebox{\fitbox}\fi}
\begin{document}
"""


def proof_latex(proof, standalone: bool = False) -> str:
    """The proof in LaTeX: a fragment (needs amsmath, graphicx and ``\\fitwidth``) or a whole document."""
    result = proof.check()
    quant, hyps, concl = statement_parts(proof)
    out = [f"\\section*{{{_tex_text(proof.name)}: {_tex_text(proof.title)}}}", ""]
    # the symbols' domains as inline formulas, so the list breaks between them like text
    out += ["\\paragraph{Theorem.} For all " + ", ".join(f"${q}$" for q in _top_level_items(quant)) + ":"]
    for name, tex, gloss in hyps:
        out.append(f"\\textbf{{({_tex_text(name)})}} " + _display(tex) + (f" {_tex_text(gloss)}" if gloss else ""))
    if hyps:
        out.append("Then")
    out.append(_display(concl))
    if proof.gloss:
        out += ["", f"\\emph{{In words:}} {_tex_text(proof.gloss)}"]
    if proof.setting:
        out += ["", f"\\paragraph{{Setting.}} {_tex_text(proof.setting)}"]
    out += [
        "",
        f"\\paragraph{{Lemmas and axioms.}} Lemmas: {_tex_text(', '.join(proof.lemmas()) or 'none')}; "
        f"axioms: {_tex_text(', '.join(proof.axioms()) or 'none')}.",
        "",
    ]
    out += ["\\paragraph{Proof.}", "\\begin{enumerate}"]
    for step, chk in zip(proof.steps, result.steps):
        out.append(f"\\item \\texttt{{{_tex_text(step.name)}}} " + _display(step.claim_latex()))
        out.append(f"\\emph{{Premises:}} {_tex_text(_premises(step))}. \\emph{{Reason:}} {_tex_text(step.reason)}\\\\")
        if isinstance(step, Inequality):
            out.append(f"\\emph{{Certificate ({step.certificate.kind}):}} " + _display(step.certificate.latex()))
        z3 = "" if chk.smt is None else f" \\emph{{z3:}} {_tex_text(chk.smt.status)}."
        out.append(f"\\emph{{sympy ({_tex_text(_status(chk))})}}.{z3}")
    out.append("\\end{enumerate}")
    if proof.constants:
        out += ["\\paragraph{Computed constants.}", "\\begin{itemize}"]
        for c in proof.constants:
            out.append(
                "\\item "
                + _display(f"{c.name} = {c.exact_latex or sp.latex(c.value)} \\approx {c.decimal()}")
                + f" {_tex_text(c.note)}"
            )
        out.append("\\end{itemize}")
    out += ["", f"\\emph{{{len(proof.steps)} steps; {_tex_text(_verdict(proof, result))}.}}", ""]
    if proof.references:
        out += [f"\\emph{{References:}} {_tex_text(proof.references)}", ""]
    text = "\n".join(out)
    if standalone:
        return PREAMBLE + text + "\n\\end{document}\n"
    return text
