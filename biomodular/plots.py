"""Figures.  matplotlib is imported inside the functions, so importing biomodular stays fast.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot, no
GUI backend, no global state): they render with Agg and save anywhere, also
on a machine without a display.

The check figure draws the geometric form of the modularity condition
(docs/mathematics.md, "The exact modularity condition", ICLR 2025 Theorem 2.2): in the sources' own units, centred on
their mean, the code is modular iff the ellipse ``{x : x^T F^-1 x <= 1}`` lies
inside the convex hull of the data.  The ellipse always reaches each source's
nearer extreme (its extent along axis ``j`` is ``sqrt(F_jj) = beta_j``), where
it touches the hull's supporting line; a mixed code shows up as the ellipse
poking out of the hull.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from .errors import BiomodularError
from .geometry import hull_2d, hull_2d_equations
from .sources import Sources

__all__ = ["plot_check", "ellipse_points", "nearer_extreme_points", "MAX_PAIR_SOURCES"]

#: At most this many sources get a panel for each of their pairs (15 panels).
MAX_PAIR_SOURCES = 6
#: At most this many samples are scattered (evenly spaced rows, deterministic).
MAX_SCATTER = 4000
#: Relative tolerance (of the hull's size) for "on the hull" / "outside the hull".
_HULL_TOL = 1e-9

_EXPLAIN = {
    "modular": "the ellipse of F stays inside the hull: one neuron per source is optimal",
    "mixed": "the ellipse of F pokes out of the hull (red): a neuron mixing sources along w saves energy",
    "tie": "the ellipse of F touches the hull away from the axes: modular and mixed codes tie",
    "undetermined": "no violation found and no certificate of modularity",
}
_HULL_COLOUR = "black"
_ELLIPSE_COLOUR = "tab:blue"
_EXTREME_COLOUR = "tab:green"
_VIOLATION_COLOUR = "tab:red"


# ------------------------------------------------------------------ geometry
def ellipse_points(F: np.ndarray, n: int = 200) -> np.ndarray:
    """Points on the boundary of the ellipse ``{x : x^T F^-1 x <= 1}``.

    Parameters
    ----------
    F : array_like, shape (2, 2)
        Symmetric positive definite matrix (e.g. a 2 x 2 block of
        :attr:`Sources.modularity_matrix`).
    n : int
        Number of points; the curve is closed (the last point repeats the first).

    Returns
    -------
    ndarray, shape (n, 2)
        ``x = L (cos t, sin t)`` with ``F = L L^T``, so ``x^T F^-1 x = 1``.

    Raises
    ------
    BiomodularError
        If ``F`` is not a symmetric positive definite 2 x 2 matrix.
    """
    F = np.asarray(F, dtype=float)
    if F.shape != (2, 2) or not np.allclose(F, F.T, rtol=1e-10, atol=1e-14 * np.abs(F).max()):
        raise BiomodularError(f"F must be a symmetric 2 x 2 matrix; got shape {F.shape}")
    if n < 3:
        raise BiomodularError(f"n must be at least 3; got {n}")
    try:
        L = np.linalg.cholesky((F + F.T) / 2)
    except np.linalg.LinAlgError:
        raise BiomodularError("F is not positive definite: {x : x^T F^-1 x <= 1} is not an ellipse") from None
    t = np.linspace(0.0, 2 * np.pi, n)
    return np.column_stack([np.cos(t), np.sin(t)]) @ L.T


def nearer_extreme_points(sources: Sources) -> np.ndarray:
    """Where the ellipse meets each source's nearer-extreme supporting plane.

    Row ``j`` is ``sigma_j F e_j / beta_j`` in centred coordinates, with
    ``sigma_j = -1`` if the nearer extreme of source ``j`` is its minimum and
    ``+1`` if it is its maximum.  This is the point of the ellipse
    ``{x^T F^-1 x <= 1}`` furthest towards that extreme (its ``j``-th coordinate
    is ``sigma_j beta_j``).  When the code is modular these points lie on the
    hull's boundary: the ellipse touches the hull there.

    Returns
    -------
    ndarray, shape (n_sources, n_sources)
    """
    beta = sources.beta
    sigma = np.where(sources.mean - sources.lower <= sources.upper - sources.mean, -1.0, 1.0)
    F = sources.modularity_matrix
    return (F * (sigma / beta)).T


def _is_positive_definite(F: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(F)
    except np.linalg.LinAlgError:
        return False
    return True


def _hull2(points: np.ndarray):
    """2-D hull: closed polygon (counter-clockwise) and facet equations ``n . x + c <= 0``.

    A panel shows the support projected onto a plane; the projection of the
    hull is the hull of the projected vertices, found by the same 2-D kernel
    that reduces two-source data (:func:`biomodular.geometry.hull_2d`), so a
    figure never rebuilds the d-dimensional hull that :class:`Sources` holds.
    """
    polygon = points[hull_2d(points)]
    return np.vstack([polygon, polygon[:1]]), hull_2d_equations(polygon)


def _outside(points: np.ndarray, equations: np.ndarray, scale: float) -> np.ndarray:
    return (points @ equations[:, :2].T + equations[:, 2]).max(axis=1) > _HULL_TOL * scale


def _pair_margin(sources: Sources, i: int, j: int) -> float:
    """Margin of the condition with ``w`` restricted to the plane of sources ``i`` and ``j``.

    In beta-scaled coordinates, like ``CheckResult.margin``; exact (the
    two-source sector method of docs/mathematics.md, "The exact modularity condition", via the checker's oracle).
    """
    from .solvers.check import min_quadratic_gap

    idx = [i, j]
    beta = sources.beta[idx]
    points = sources.centred_points[:, idx] / beta
    M = sources.modularity_matrix[np.ix_(idx, idx)] / np.outer(beta, beta)
    return float(min(min_quadratic_gap(points, M, method="sector").value, 0.0))


# ------------------------------------------------------------------- figure
def plot_check(sources: Sources, result: Any, path: str | Path | None = None, samples: np.ndarray | None = None):
    """Draw the modularity check: hull of the data, the ellipse of ``F``, and the witness.

    Parameters
    ----------
    sources : Sources
        The reduced dataset.
    result : CheckResult or any object with ``verdict``, ``margin``, ``witness``, ``method``
        The verdict of :func:`biomodular.check_modularity` for ``sources``.
    path : str or Path, optional
        Save the figure there (format from the extension, e.g. ``.png``, ``.pdf``).
    samples : ndarray, shape (n_samples, n_sources), optional
        Raw samples to scatter (at most 4000, evenly spaced rows); by default
        only the hull's points are drawn.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Everything is in beta-scaled units: each source centred on its mean and
    divided by ``beta_j``, its distance to the nearer extreme, so sources in
    different units are not squashed (the condition is the same in these
    units; the nearer extremes sit at +-1).  Black: the
    convex hull.  Blue: the ellipse ``{x : x^T F^-1 x <= 1}`` (docs/mathematics.md, "The exact modularity condition"),
    drawn when ``F`` is positive definite.  Green squares: where the ellipse
    reaches each source's nearer extreme (the faces on which the modular
    neurons are silent).  For a witness ``w`` (a mixed or tie verdict),
    red: the parts of the ellipse outside the hull, the hull's supporting line
    on which the mixed neuron ``w`` is silent (dashed), and an arrow from the
    mean to the point where the ellipse reaches furthest in direction ``-w``;
    purple: the direction ``w`` in which the mixed neuron fires.

    Two sources: one panel.  More sources: a first panel in the plane spanned
    by ``w`` and the source axis most orthogonal to it, a projection in which
    the violation shows (a projection of the ellipsoid pokes out of the
    projection of the hull along ``-w`` exactly when the ellipsoid does), then
    one panel per pair of sources (at most 6 sources, chosen by the witness'
    largest weights in units of ``beta``): the projected hull, the ellipse of
    the pair's 2 x 2 block of ``F`` (the projection of the ellipsoid) and
    whether that pair alone passes: its exact margin with ``w`` restricted to
    the pair's plane, judged exactly (up to ``result.rounding_bound``) as
    "passes" or "fails".  A mixed verdict whose pairs all pass
    mixes more than two sources at once.
    """
    from matplotlib.figure import Figure

    d = sources.n_sources
    verdict = str(getattr(result, "verdict"))
    margin = float(getattr(result, "margin"))
    witness = getattr(result, "witness", None)
    method = getattr(result, "method", "")
    rounding = getattr(result, "rounding_bound", None)
    if witness is not None:
        witness = np.asarray(witness, dtype=float)
        if witness.shape != (d,) or not np.all(np.isfinite(witness)) or not np.any(witness):
            raise BiomodularError(f"result.witness must be a nonzero vector of length {d}")
    if samples is not None:
        samples = np.asarray(samples, dtype=float)
        if samples.ndim != 2 or samples.shape[1] != d:
            raise BiomodularError(f"samples must have shape (n_samples, {d}); got {samples.shape}")
        if samples.shape[0] > MAX_SCATTER:
            samples = samples[np.linspace(0, samples.shape[0] - 1, MAX_SCATTER).astype(int)]
        samples = (samples - sources.mean) / sources.beta
    if witness is not None:
        witness = witness * sources.beta  # w . s = (w beta) . (s / beta)
        witness = witness / np.linalg.norm(witness)
    sources = _beta_scaled(sources)

    pd = _is_positive_definite(sources.modularity_matrix)
    lines = [f"{verdict.upper()}   margin {margin:.3g} (units of beta$^2$)" + (f", method {method}" if method else "")]
    angle = getattr(result, "witness_angle", None)
    if witness is not None and angle is not None:
        lines.append(f"witness w: {float(angle):.2g} deg from the nearest axis" + _advantage_text(result))
    if not pd:
        lines.append(
            "F is not positive definite, so there is no ellipse: the code mixes iff along\n"
            "some direction -w the reach sqrt(w$^T$Fw) (red star) passes the hull (dashed line)"
        )
    elif verdict in _EXPLAIN:
        lines.append(_EXPLAIN[verdict])
    extremes = nearer_extreme_points(sources)
    names = sources.names

    if d == 2:
        fig = Figure(figsize=(6.4, 6.8), layout="constrained")
        ax = fig.add_subplot()
        _draw_panel(ax, sources, np.eye(2), samples, witness, extremes if pd else None, pd, names[0], names[1])
        axes = [ax]
    else:
        chosen = _choose_sources(sources, witness)
        pairs = list(combinations(chosen, 2))
        n_panels = len(pairs) + (witness is not None)
        cols = int(np.ceil(np.sqrt(n_panels)))
        rows = -(-n_panels // cols)
        fig = Figure(figsize=(4.3 * cols, 4.3 * rows + 1.4), layout="constrained")
        axes = [fig.add_subplot(rows, cols, k + 1) for k in range(n_panels)]
        panels = iter(axes)
        if witness is not None:
            ax = next(panels)
            plane, other = _witness_plane(witness)
            _draw_panel(
                ax, sources, plane, samples, witness, None, pd, "along w", f"along {names[other]}, orthogonal to w"
            )
            ax.set_title("plane of w: the violation", fontsize=9)
        for ax, (i, j) in zip(panels, pairs):
            P = np.zeros((2, d))
            P[0, i] = P[1, j] = 1.0
            F2 = sources.modularity_matrix[np.ix_([i, j], [i, j])]
            pair_pd = _is_positive_definite(F2)
            _draw_panel(
                ax,
                sources,
                P,
                samples,
                None,
                extremes[np.ix_([i, j], [i, j])] if pair_pd else None,
                pair_pd,
                names[i],
                names[j],
            )
            ax.set_title(f"{names[i]} vs {names[j]}: {_pair_status(_pair_margin(sources, i, j), rounding)}", fontsize=9)
        if len(chosen) < d:
            lines.append(f"pairs of {len(chosen)} of the {d} sources shown")
        if witness is not None:
            lines.append("w = (" + ", ".join(f"{x:.3g}" for x in witness) + ")")
    fig.suptitle("\n".join(lines), fontsize=10)
    handles, labels = {}, []
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in handles:
                handles[label] = h
                labels.append(label)
    fig.legend([handles[x] for x in labels], labels, fontsize=8, loc="outside lower center", ncols=2, frameon=False)
    if path is not None:
        try:
            fig.savefig(path, dpi=120)
        except (OSError, ValueError) as exc:
            raise BiomodularError(f"cannot save the figure to {str(path)!r}: {exc}") from None
    return fig


def _beta_scaled(sources: Sources) -> Sources:
    """The same support and moments with each source centred and divided by its ``beta_j``."""
    import dataclasses

    beta = sources.beta
    return dataclasses.replace(
        sources,
        mean=np.zeros_like(beta),
        cov=sources.cov / np.outer(beta, beta),
        lower=(sources.lower - sources.mean) / beta,
        upper=(sources.upper - sources.mean) / beta,
        points=sources.centred_points / beta,
    )


def _advantage_text(result: Any) -> str:
    exact = getattr(result, "mixing_advantage", None)
    if exact is not None:
        return f", saves {float(exact):.2g} of the energy" if exact > 0 else ""
    bracket = getattr(result, "mixing_advantage_bracket", None)
    if not bracket or bracket[0] is None:
        return ""
    lo, hi = bracket
    return (
        f", saves {lo:.2g} to {hi:.2g} of the energy" if hi is not None else f", saves at least {lo:.2g} of the energy"
    )


def _pair_status(margin: float, rounding: float | None) -> str:
    if margin >= -(_HULL_TOL if rounding is None else rounding):
        return "pair alone passes"
    return f"pair alone fails (margin {margin:.3g})"


def _choose_sources(sources: Sources, witness: np.ndarray | None) -> list[int]:
    d = sources.n_sources
    if d <= MAX_PAIR_SOURCES:
        return list(range(d))
    if witness is None:
        return list(range(MAX_PAIR_SOURCES))
    weight = np.abs(witness * sources.beta)  # weights in beta-scaled units
    return sorted(np.argsort(-weight, kind="stable")[:MAX_PAIR_SOURCES].tolist())


def _witness_plane(w: np.ndarray) -> tuple[np.ndarray, int]:
    """Orthonormal rows (w/|w|, the axis most orthogonal to w, made orthogonal)."""
    u1 = w / np.linalg.norm(w)
    other = int(np.argmin(np.abs(u1)))
    u2 = np.eye(w.size)[other] - u1[other] * u1
    return np.vstack([u1, u2 / np.linalg.norm(u2)]), other


def _draw_panel(
    ax, sources: Sources, P: np.ndarray, samples, witness, extremes, draw_ellipse: bool, xname: str, yname: str
) -> np.ndarray:
    """One projection (rows of ``P`` orthonormal); returns the projected hull's facet equations."""
    points = sources.centred_points @ P.T
    scale = float(np.abs(points).max())
    polygon, equations = _hull2(points)
    if samples is not None:
        shown = samples @ P.T
        ax.scatter(shown[:, 0], shown[:, 1], s=2, c="0.75", linewidths=0, rasterized=True, label="samples")
    else:
        ax.scatter(points[:, 0], points[:, 1], s=8, c="0.45", linewidths=0, label="hull points")
    ax.plot(polygon[:, 0], polygon[:, 1], color=_HULL_COLOUR, lw=1.5, label="convex hull (centred)")
    ax.plot([0], [0], marker="+", color="0.2", ms=10, ls="none", label="mean")
    if draw_ellipse:
        F_proj = P @ sources.modularity_matrix @ P.T
        ell = ellipse_points(F_proj, 400)
        ax.plot(ell[:, 0], ell[:, 1], color=_ELLIPSE_COLOUR, lw=1.5, label=r"ellipse $x^\top F^{-1} x = 1$")
        out = _outside(ell, equations, scale)
        if out.any():
            poke = np.where(out[:, None], ell, np.nan)
            ax.plot(poke[:, 0], poke[:, 1], color=_VIOLATION_COLOUR, lw=3.5, zorder=4, label="ellipse outside the hull")
    if extremes is not None:
        ax.plot(
            extremes[:, 0],
            extremes[:, 1],
            "s",
            color=_EXTREME_COLOUR,
            ms=7,
            mfc="none",
            mew=2,
            zorder=5,
            label="ellipse touches the nearer extremes",
        )
    if witness is not None:
        _draw_witness(ax, sources, P, witness, scale)
    ax.set_xlabel(xname if xname.startswith("along") else f"({xname} - mean) / beta")
    ax.set_ylabel(yname if yname.startswith("along") else f"({yname} - mean) / beta")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, lw=0.3, alpha=0.5)
    return equations


def _draw_witness(ax, sources: Sources, P: np.ndarray, w: np.ndarray, scale: float) -> None:
    """Where the ellipse pokes out of the hull, in direction -w (docs/mathematics.md, "The exact modularity condition"); ``w`` lies in the plane of ``P``."""
    F = sources.modularity_matrix
    reach2 = float(w @ F @ w)  # the ellipsoid's reach along -w/|w| is sqrt(w^T F w)/|w|
    wp = P @ w
    norm = float(np.linalg.norm(w))
    if reach2 > 0:
        if _is_positive_definite(F):
            tip = P @ (-F @ w / np.sqrt(reach2))  # support point of the ellipsoid in direction -w
        else:
            tip = -wp / norm * np.sqrt(reach2) / norm
        ax.annotate(
            "",
            xy=tip,
            xytext=(0.0, 0.0),
            zorder=6,
            arrowprops=dict(arrowstyle="-|>", color=_VIOLATION_COLOUR, lw=2, mutation_scale=15),
        )
        label = "furthest reach of the ellipse along -w" if _is_positive_definite(F) else "reach sqrt(w$^T$Fw) along -w"
        ax.plot([tip[0]], [tip[1]], "*", color=_VIOLATION_COLOUR, ms=13, ls="none", zorder=6, label=label)
    # the hull's supporting line {x : w . x = m(w)}: the mixed neuron w is silent on it
    m = float(sources.support_min(w[None, :])[0])
    base = m * wp / (wp @ wp)
    along = np.array([-wp[1], wp[0]]) / np.linalg.norm(wp)
    ends = base + np.outer([-0.8 * scale, 0.8 * scale], along)
    ax.plot(
        ends[:, 0],
        ends[:, 1],
        "--",
        color=_VIOLATION_COLOUR,
        lw=1.4,
        zorder=5,
        label="hull's supporting line where the mixed neuron w is silent",
    )
    ax.annotate(
        "",
        xy=0.3 * scale * wp / np.linalg.norm(wp),
        xytext=(0.0, 0.0),
        zorder=6,
        arrowprops=dict(arrowstyle="->", color="tab:purple", lw=1.8),
    )
    label = "w = (" + ", ".join(f"{x:.2f}" for x in w) + "), beta-scaled" if w.size <= 3 else "w"
    ax.plot([], [], color="tab:purple", lw=1.8, label=f"mixed neuron's tuning {label}: it fires this way")
