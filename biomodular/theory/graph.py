"""The dependency graph of the theorem catalogue, drawn as a standalone SVG (no JavaScript, no network).

Theorems and the axioms they rest on are laid out in layers from left to right: an axiom in the first column,
a theorem one column right of the furthest lemma or axiom it uses.  Within a column nodes are ordered by the
mean row of what they use (one barycentre pass), so most arrows run forward without crossing.  Solid arrows:
a theorem used as a lemma; dashed: an axiom.  A theorem's box links to its section of docs/theory.md.
"""

from __future__ import annotations

from html import escape

__all__ = ["dependency_svg", "layers"]

#: Geometry (pixels): character width of the 12 px label font, box height, gaps between columns and rows.
CHAR_W, BOX_H, COL_GAP, ROW_GAP, PAD = 7.2, 26, 70, 14, 10


def layers(edges: dict[str, tuple[list[str], list[str]]]) -> dict[str, int]:
    """Column of every node: axioms 0, a theorem 1 + the largest column of what it uses.

    ``edges`` maps a theorem to ``(lemmas, axioms)`` it uses; axioms are keyed ``"axiom:NAME"``.
    """
    column: dict[str, int] = {}

    def of(name: str, path: tuple = ()) -> int:
        if name.startswith("axiom:"):
            return 0
        if name in path:
            raise ValueError(f"the catalogue's dependencies have a cycle through {name}")
        if name not in column:
            lemmas, axioms = edges[name]
            uses = [of(x, path + (name,)) for x in lemmas] + [0 for _ in axioms]
            column[name] = 1 + max(uses, default=0)
        return column[name]

    for name in edges:
        of(name)
    for _, axioms in edges.values():
        for a in axioms:
            column[f"axiom:{a}"] = 0
    return column


def dependency_svg(edges: dict[str, tuple[list[str], list[str]]], link: bool = True) -> str:
    """The graph as an SVG document.

    Parameters
    ----------
    edges : dict
        Theorem name -> (lemmas it uses, axioms it rests on), in catalogue order.
    link : bool
        Make each theorem's box a link to ``#NAME`` (its section on the theory page).
    """
    column = layers(edges)
    order = list(edges) + sorted({f"axiom:{a}" for _, axioms in edges.values() for a in axioms})
    n_cols = max(column.values()) + 1
    cols: list[list[str]] = [[n for n in order if column[n] == k] for k in range(n_cols)]
    preds = {n: [*edges[n][0], *(f"axiom:{a}" for a in edges[n][1])] for n in edges}
    succs: dict[str, list[str]] = {n: [] for n in order}
    for n, ps in preds.items():
        for q in ps:
            succs[q].append(n)
    row = {n: float(r) for names in cols for r, n in enumerate(names)}

    def centre(ns: list[str], own: float) -> float:
        return sum(row[q] for q in ns) / len(ns) if ns else own

    # barycentre sweeps (forward by what a node uses, backward by what uses it); sorted() is stable, so ties
    # keep catalogue order and the drawing is the same at every build
    for sweep in (range(1, n_cols), range(n_cols - 2, -1, -1), range(1, n_cols)):
        for k in sweep:
            forward = sweep.step > 0
            cols[k] = sorted(cols[k], key=lambda n: centre(preds.get(n, []) if forward else succs[n], row[n]))
            for r, n in enumerate(cols[k]):
                row[n] = float(r)
    label = {n: n.removeprefix("axiom:") for n in order}
    width = {n: CHAR_W * len(label[n]) + 20 for n in order}
    col_w = [max(width[n] for n in names) for names in cols]
    col_x = [PAD + sum(col_w[:k]) + COL_GAP * k for k in range(n_cols)]
    x = {n: col_x[column[n]] for n in order}
    y = {n: PAD + row[n] * (BOX_H + ROW_GAP) for n in order}
    total_w = col_x[-1] + col_w[-1] + PAD
    total_h = PAD * 2 + max(len(c) for c in cols) * (BOX_H + ROW_GAP) - ROW_GAP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'width="{total_w:.0f}" height="{total_h:.0f}" font-family="sans-serif" font-size="12">',
        "<title>Dependencies of the theorem catalogue</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for target in edges:
        for source in preds[target]:
            x0, y0 = x[source] + width[source], y[source] + BOX_H / 2
            x1, y1 = x[target], y[target] + BOX_H / 2
            bend = max((x1 - x0) / 2, 20)
            dash = ' stroke-dasharray="4 3"' if source.startswith("axiom:") else ""
            out.append(
                f'<path d="M {x0:.1f} {y0:.1f} C {x0 + bend:.1f} {y0:.1f} {x1 - bend:.1f} {y1:.1f} {x1:.1f} {y1:.1f}" '
                f'fill="none" stroke="#555" stroke-width="1"{dash} marker-end="url(#arrow)"/>'
            )
    for n in order:
        axiom = n.startswith("axiom:")
        box = (
            f'<rect x="{x[n]:.1f}" y="{y[n]:.1f}" width="{width[n]:.1f}" height="{BOX_H}" '
            f'rx="{BOX_H / 2 if axiom else 4}" fill="{"#f3f3f3" if axiom else "#e8f0fb"}" '
            f'stroke="{"#888" if axiom else "#3b6fb6"}"/>'
            f'<text x="{x[n] + width[n] / 2:.1f}" y="{y[n] + BOX_H / 2 + 4:.1f}" text-anchor="middle">'
            f"{escape(label[n])}</text>"
        )
        if link and not axiom:
            box = f'<a href="#{escape(n)}">{box}</a>'
        out.append(f"<g><title>{'axiom' if axiom else 'theorem'} {escape(label[n])}</title>{box}</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
