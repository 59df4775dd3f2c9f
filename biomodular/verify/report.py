"""Markdown report with figures for a :class:`~biomodular.verify.compare.VerifyResult`.

matplotlib is imported only here, inside :func:`write_report`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import BiomodularError
from ..name_lists import join_names

__all__ = ["write_report", "plot_tunings", "plot_training"]


def plot_tunings(result, samples: np.ndarray, ax=None):
    """Data (first two sources) with the tuning directions of trained and optimal neurons.

    Each neuron is drawn as a segment from the data mean along its tuning
    direction, length proportional to its norm; the neuron fires more towards
    the arrow's tip.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    S = np.asarray(samples, float)
    rng = np.random.default_rng(0)
    shown = S if S.shape[0] <= 3000 else S[rng.choice(S.shape[0], 3000, replace=False)]
    ax.scatter(shown[:, 0], shown[:, 1], s=2, color="0.75", rasterized=True, label="samples")
    mean = S.mean(axis=0)[:2]
    spread = float(np.max(S[:, :2].max(0) - S[:, :2].min(0)))
    norms = [np.linalg.norm(r.tuning[:, :2], axis=1).max() for r in result.runs]
    if result.optimal_tuning is not None:
        norms.append(np.linalg.norm(result.optimal_tuning[:, :2], axis=1).max())
    scale = 0.45 * spread / max(max(norms), 1e-300)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, r in enumerate(result.runs):
        for j, w in enumerate(r.tuning[:, :2]):
            tip = mean + scale * w
            ax.annotate(
                "",
                xy=tip,
                xytext=mean,
                arrowprops=dict(arrowstyle="->", color=colors[i % len(colors)], lw=1, alpha=0.8),
            )
        ax.plot([], [], color=colors[i % len(colors)], label=f"trained, seed {r.seed}")
    if result.optimal_tuning is not None:
        for w in result.optimal_tuning[:, :2]:
            ax.annotate(
                "",
                xy=mean + scale * w,
                xytext=mean,
                arrowprops=dict(arrowstyle="-|>", color="k", lw=2.2, alpha=0.5, linestyle="--"),
            )
        ax.plot([], [], color="k", lw=2, ls="--", alpha=0.5, label="exact optimum")
    names = list(result.names)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    title = "tuning directions over the data"
    if len(names) > 2:
        title += f" (projection on {names[0]}, {names[1]})"
    ax.set_title(title, fontsize=10)
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=7, loc="best")
    return ax


def plot_training(result, axes=None):
    """Training curves of every seed: window-averaged loss, and the projected gap to the optimum.

    ``axes``: two matplotlib axes (created when omitted).
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss, ax_gap = axes
    for r in result.runs:
        h = np.array([[s, l] for s, l, _ in r.train.history]) if r.train.history else np.zeros((0, 2))
        if h.size:
            ax_loss.plot(h[:, 0], h[:, 1], lw=1.2, label=f"seed {r.seed}")
        g = np.array(r.gap_history, dtype=float) if r.gap_history else np.zeros((0, 2))
        if g.size and result.optimum is not None:
            ax_gap.plot(g[:, 0], np.maximum(g[:, 1], 1e-7), lw=1.2, label=f"seed {r.seed}")
    if result.optimum is not None:
        ax_loss.axhline(result.optimum, color="k", ls="--", lw=1, label="exact optimum")
        ax_gap.axhline(0.01, color="k", ls=":", lw=1, label="1 %")
        ax_gap.set_yscale("log")
        ax_gap.set_ylabel("relative gap of the projected code")
        ax_gap.set_title("gap to the exact optimum (feasible code)", fontsize=10)
        ax_gap.set_xlabel("step")
        ax_gap.legend(fontsize=7)
    else:
        ax_gap.set_visible(False)
    losses = [l for r in result.runs for _, l, _ in r.train.history]
    if losses:
        lo = min(losses + ([result.optimum] if result.optimum is not None else []))
        ax_loss.set_ylim(lo - 0.02 * abs(lo), lo + 0.25 * abs(lo))
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("training loss (window mean, with penalty)")
    ax_loss.set_title("training curves", fontsize=10)
    ax_loss.legend(fontsize=7)
    return axes


def _md_table(result) -> str:
    head = "| seed | loss | gap | verdict | max mixing angle | active | match angle | Gram error | reduced cost | MIR | InfoM | steps | converged |"
    rows = [head, "|" + "---|" * 13]
    for r in result.runs:

        def fmt(x, spec):
            return "-" if x is None else format(x, spec)

        rows.append(
            f"| {r.seed} | {r.loss:.6g} | {fmt(r.gap, '.3%')} | {r.verdict} | {r.max_mixing_angle:.2f} | "
            f"{r.n_active} | {fmt(r.match_angle, '.2f')} | {fmt(r.gram_error, '.2%')} | "
            f"{fmt(r.max_reduced_cost, '.2e')} | {r.mir:.3f} | {r.infom:.3f} | {r.steps} | {r.converged} |"
        )
    return "\n".join(rows)


def write_report(result, samples: np.ndarray, directory: str | Path, title: str = "biomodular verify") -> Path:
    """Write ``report.md``, ``tunings.png``, ``training.png`` and ``result.json`` to ``directory``.

    Returns the path of ``report.md``.
    """
    import matplotlib

    from .. import strict_json

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BiomodularError(f"cannot create report directory {out}: {exc.strerror}") from None
    fig, ax = plt.subplots(figsize=(5.5, 5))
    plot_tunings(result, samples, ax)
    fig.tight_layout()
    fig.savefig(out / "tunings.png", dpi=130)
    plt.close(fig)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plot_training(result, axes)
    fig.tight_layout()
    fig.savefig(out / "training.png", dpi=130)
    plt.close(fig)
    (out / "result.json").write_text(strict_json.dumps(result.to_dict(), indent=1))

    s = result.settings
    lines = [f"# {title}", ""]
    lines.append(
        f"{len(np.asarray(samples))} samples of {len(result.names)} sources ({join_names(result.names)}). "
        f"Model: `{s['model']}` linear autoencoder, {s['n_neurons']} neurons, lam_in = {s['lam_in']}, "
        f"lam_out = {s['lam_out']}, nonnegativity penalty {s['penalty']} x {s['beta_nonneg']:g}, "
        f"Adam lr {s['lr']}, batch {s['batch_size']}, tol {s['tol']:g} over windows of {s['window']} steps, "
        f"at most {s['max_steps']} steps."
    )
    lines.append("")
    if result.optimum is not None:
        lines.append(
            f"**Exact optimum** (convex program, column generation): {result.optimum:.6g}, status "
            f"`{result.optimum_status}`, certified relative gap {result.optimum_relative_gap:.1e}; "
            f"best modular code {result.modular_value:.6g}."
        )
        lines.append("")
        lines.append(f"**Exact check**: {result.check_verdict} (margin {result.margin:.4g}).")
        if result.witness is not None:
            lines.append(f"Witness (tuning of a mixed neuron): [{', '.join(f'{x:.4f}' for x in result.witness)}].")
        lines.append("")
    lines += [
        "## Trained codes",
        "",
        "The gap is that of the trained tuning made exactly feasible (biases set so the least active sample "
        "fires zero, pseudo-inverse readout), relative to the exact optimum; it is an upper bound, so it is "
        "nonnegative up to the solver's certified tolerance. Angles are in degrees. The match angle goes from "
        "each optimal neuron to the nearest trained one; it can be large where the optimum is not unique "
        "(e.g. ON and OFF cells of a symmetric source), which is why the Gram error (the optimal Gram matrix "
        "is unique) and the largest reduced cost of a trained neuron (zero for every direction an optimum may "
        "use) are also given.",
        "",
        _md_table(result),
        "",
        result.summary(),
        "",
        "## Figures",
        "",
        "![tuning directions](tunings.png)",
        "",
        "![training curves](training.png)",
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path
