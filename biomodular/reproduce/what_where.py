"""``what-where`` (ICLR 2025, Fig. 2): a what x where grid mixes once enough corner cells are missing.

Two sources, *what* and *where*, each taking 9 values; every pair is shown
equally often except the corner cells ``i + j < t`` (``t (t + 1) / 2`` cells),
which never occur.  The exact check finds the cut at which the optimal code
starts to mix; networks trained on either side of it follow.
"""

from __future__ import annotations

import numpy as np

from .base import Check, Finding, Measurement
from ._shared import HOLDS, VIOLATED, check_margin, violated

SIZE = 9


def grid(t: int) -> np.ndarray:
    """The cells ``(i, j)`` of the 9 x 9 grid with ``i + j >= t``, scaled to [0, 1]."""
    i, j = np.meshgrid(np.arange(SIZE), np.arange(SIZE), indexing="ij")
    cells = np.column_stack([i.ravel(), j.ravel()]).astype(float)
    return cells[cells.sum(axis=1) >= t] / (SIZE - 1)


def measure(full: bool, seed: int) -> Measurement:
    from ..verify.compare import verify_code

    cuts = list(range(SIZE))
    results = [check_margin(grid(t), ("what", "where")) for t in cuts]
    margins = [float(r.margin) for r in results]
    mixed = [violated(r) for r in results]
    first = next((t for t in cuts if mixed[t]), None)
    measured: dict[str, float] = {f"margin_t{t}": m for t, m in zip(cuts, margins)}
    measured["first_mixed_cut"] = float("nan") if first is None else first
    measured["removed_cells_at_threshold"] = float("nan") if first is None else first * (first + 1) // 2
    n_seeds = 5 if full else 2
    trained_cuts = cuts if full else ([first - 1, first] if first else cuts[:2])
    seeds = list(range(seed, seed + n_seeds))
    angles: dict[int, list[float]] = {}
    agree_all = True
    for t in trained_cuts:
        res = verify_code(grid(t), ("what", "where"), seeds=seeds, max_steps=30_000 if full else 8_000)
        angles[t] = [r.max_mixing_angle for r in res.runs]
        measured[f"trained_max_angle_deg_t{t}"] = float(max(angles[t]))
        measured[f"trained_min_angle_deg_t{t}"] = float(min(angles[t]))
        measured[f"trained_agreement_t{t}"] = res.agreement
        agree_all &= res.comparable and res.agreement == len(seeds)
    checks = (
        Check(
            f"one threshold: every cut below the first mixed cut passes ({HOLDS}), every cut from it on "
            f"fails ({VIOLATED})",
            first is not None and all(mixed[t] == (t >= first) for t in cuts),
        ),
        Check(
            "trained networks below the threshold: no active neuron beyond 5 deg",
            all(max(angles[t]) <= 5.0 for t in trained_cuts if first is not None and t < first),
        ),
        Check(
            "trained networks at and above the threshold: a neuron beyond 5 deg in every seed",
            all(min(angles[t]) > 5.0 for t in trained_cuts if first is not None and t >= first),
        ),
        Check("every trained seed agrees with the exact check (biomodular verify's agreement)", agree_all),
    )
    settings = {
        "grid": f"{SIZE} x {SIZE}",
        "cuts_trained": trained_cuts,
        "seeds": n_seeds,
        "lam_in": 1.0,
        "lam_out": 1.0,
    }
    return Measurement(measured, checks, {"margins": margins, "angles": angles, "first": first}, settings)


def draw(outcome, fig) -> None:
    ax1, ax2, ax3 = fig.subplots(1, 3)
    first = outcome.data["first"]
    t = first if first is not None else 0
    kept = grid(t) * (SIZE - 1)
    removed = grid(0)[grid(0).sum(axis=1) * (SIZE - 1) < t] * (SIZE - 1)
    ax1.scatter(kept[:, 0], kept[:, 1], s=30, color="C0", label="shown")
    ax1.scatter(removed[:, 0], removed[:, 1], s=30, marker="x", color="C3", label=f"removed (i + j < {t})")
    ax1.set_xlabel("what")
    ax1.set_ylabel("where")
    ax1.set_aspect("equal")
    ax1.legend(fontsize=7, loc="upper right")
    cuts = np.arange(SIZE)
    removed_counts = cuts * (cuts + 1) // 2
    ax2.plot(removed_counts, outcome.data["margins"], "o-", color="C0")
    ax2.axhline(0, color="0.5", lw=0.8)
    ax2.set_xlabel("removed corner cells")
    ax2.set_ylabel("exact margin")
    for c, a in outcome.data["angles"].items():
        ax3.scatter([c * (c + 1) // 2] * len(a), a, color="C3" if first is not None and c >= first else "C0")
    ax3.axhline(5.0, color="0.5", ls="--", lw=0.8)
    ax3.set_xlabel("removed corner cells")
    ax3.set_ylabel("trained: largest mixing angle (deg)")


FINDING = Finding(
    name="what-where",
    paper="ICLR 2025, Fig. 2",
    claim=(
        "On a 9 x 9 what x where grid with the corner cells i + j < t removed there is one threshold: the "
        "optimal code is modular (exact verdict not mixed) for every smaller cut and mixed (exact verdict "
        "mixed) for every larger one; networks trained below it have no active neuron beyond 5 degrees from an axis, networks "
        "trained at or above it have one, and every seed agrees with the exact check."
    ),
    summary="how many corner cells of a what x where grid must be missing before the code mixes",
    measure=measure,
    draw=draw,
    notes=(
        "The small size trains only on the two cuts either side of the threshold (2 seeds each); `--full` "
        "trains every cut with 5 seeds. **At full size it does not fully agree:** one of the 5 seeds at "
        "t = 3, the last modular cut, ends with a 45-degree mixed neuron although the exact optimum is "
        "modular (that seed did not reach the optimum; the other four and every other cut agree)."
    ),
)
