"""Figure of an optimal code: each neuron's tuning direction over the data.

For two sources, one panel: the support (samples or hull), and for each neuron
an arrow along its tuning from the mean and its zero-activity line
``tuning . s + bias = 0``, which touches the support at the least active
point.  For more sources, one panel per pair of sources, with the tunings
projected on that pair.  matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from .geometry import hull_2d

__all__ = ["plot_code"]


def _tuning_text(neuron, names) -> str:
    """``"x (modular)"``, ``"x (sliver: 0.3 deg off its axis, 48% of the energy)"``, ``"x+y (mixed: ...)"``."""
    kind = getattr(neuron, "kind", None)
    if kind is not None:
        return kind.describe()
    return f"{'+'.join(neuron.sources)} ({'mixed' if neuron.mixed else 'modular'})"


def plot_code(result, sources, path: str | Path | None = None, samples: np.ndarray | None = None, max_pairs: int = 15):
    """Draw the neurons of ``result`` (a :class:`CodeResult`) over ``sources``.

    Parameters
    ----------
    result : CodeResult
    sources : Sources
    path : str or Path, optional
        Save the figure there (PNG, PDF, ...) and close it.
    samples : ndarray, shape (n_samples, d), optional
        Raw samples to scatter (default: the support points).
    max_pairs : int
        Panels drawn at most (pairs of sources) for more than two sources.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    d = sources.n_sources
    pairs = [(0, 1)] if d == 2 else list(itertools.combinations(range(d), 2))[:max_pairs]
    cols = min(3, len(pairs))
    rows = (len(pairs) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 5.6 * rows), squeeze=False)
    points = sources.points if samples is None else np.asarray(samples, float)
    T, b = result.tunings, result.biases
    colours = plt.get_cmap("tab10")
    span = float(np.max(sources.upper - sources.lower))
    for ax, (j, k) in zip(axes.ravel(), pairs):
        ax.scatter(
            points[:, j],
            points[:, k],
            s=4 if samples is not None else 14,
            color="0.6",
            alpha=0.5,
            lw=0,
            label="data" if samples is not None else "support",
        )
        if d == 2 and sources.points_are_vertices:
            # the support's own vertices, in order by the 2-D kernel of the reduction (no rebuilt hull)
            ring = hull_2d(sources.points)
            loop = np.append(ring, ring[0])
            ax.plot(sources.points[loop, 0], sources.points[loop, 1], color="0.4", lw=1)
        centre = sources.mean[[j, k]]
        longest = max(np.linalg.norm(T[:, [j, k]], axis=1).max(), 1e-300)
        for n, neuron in enumerate(result.neurons):
            t = neuron.tuning[[j, k]]
            colour = colours(n % 10)
            label = f"neuron {n + 1}: " + _tuning_text(neuron, sources.names)
            arrow = t / longest * 0.45 * span
            ax.annotate("", xy=centre + arrow, xytext=centre, arrowprops=dict(arrowstyle="->", color=colour, lw=2))
            ax.plot([], [], color=colour, lw=2, label=label)
            if d == 2 and np.linalg.norm(t) > 0:
                # zero line: t . s + b = 0
                u = t / np.linalg.norm(t)
                foot = -b[n] * t / np.dot(t, t)
                ends = np.array([foot - 2 * span * u[::-1] * [1, -1], foot + 2 * span * u[::-1] * [1, -1]])
                ax.plot(ends[:, 0], ends[:, 1], ls="--", color=colour, lw=1)
        ax.plot(
            [],
            [],
            color="0.3",
            lw=2,
            marker=r"$\rightarrow$",
            ms=10,
            ls="none",
            label="arrow: a neuron's tuning, from the mean; it fires more towards the tip",
        )
        if d == 2:
            ax.plot([], [], color="0.3", lw=1, ls="--", label="dashed: where that neuron is silent (z = 0)")
        pad = 0.15 * span
        ax.set_xlim(sources.lower[j] - pad, sources.upper[j] + pad)
        ax.set_ylim(sources.lower[k] - pad, sources.upper[k] + pad)
        ax.set_xlabel(sources.names[j])
        ax.set_ylabel(sources.names[k])
        ax.set_aspect("equal", adjustable="box")
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    for ax in axes.ravel()[len(pairs) :]:
        ax.set_visible(False)
    verdict = getattr(result, "verdict", "") or ("mixed" if result.mixed else "modular")
    fig.suptitle(
        f"optimal code: {verdict}, value {result.value:.5g} (modular {result.modular_value:.5g}), {result.status}",
        fontsize=10,
    )
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
    return fig
