"""``space-reward`` (ICLR 2025, Fig. 4): rewards at fixed places mix position and reward; random places do not.

An animal runs laps of a linear track of 40 position bins.  On each lap a
reward zone of 4 bins is active; the two sources at every time step are the
position and whether the animal is in the zone.  With the zone always at the
same place (bins 16-19), reward never occurs elsewhere: two corners of the
position x reward range are missing, and the optimal code mixes (neurons
tuned to reward *and* position, as grid and place cells that shift towards
fixed rewards in entorhinal and hippocampal recordings).  With the zone
placed at random on every lap (start uniform on the 40 bins, cut at the end
of the track), every position is eventually rewarded, the range is a full
rectangle and the code is modular (separate reward and position cells).
Positions and rewards are discrete, so the samples' hull is exact and there
are no finite-sample slivers once every (position, reward) pair has
occurred; ``pairs_missing`` reports how many have not.
"""

from __future__ import annotations

import numpy as np

from .base import Check, Finding, Measurement
from ._shared import HOLDS, VIOLATED, check_margin, violated

BINS, ZONE, FIXED_START = 40, 4, 16


def laps(fixed: bool, n_laps: int, rng: np.random.Generator) -> np.ndarray:
    """Samples ``(position, reward)`` of ``n_laps`` laps, one sample per bin and lap."""
    position = np.arange(BINS) / (BINS - 1)
    starts = np.full(n_laps, FIXED_START) if fixed else rng.integers(0, BINS, n_laps)
    rows = []
    for s in starts:
        reward = np.zeros(BINS)
        reward[s : s + ZONE] = 1.0
        rows.append(np.column_stack([position, reward]))
    return np.vstack(rows)


def _missing_pairs(S: np.ndarray) -> int:
    seen = {(round(p * (BINS - 1)), int(r)) for p, r in S}
    return 2 * BINS - len(seen)


def measure(full: bool, seed: int) -> Measurement:
    from ..verify.compare import verify_code

    n_laps = 1_000 if full else 300
    n_seeds = 5 if full else 2
    rng = np.random.default_rng(seed)
    measured: dict[str, float] = {}
    data: dict = {}
    for label, fixed in (("fixed", True), ("random", False)):
        S = laps(fixed, n_laps, rng)
        chk = check_margin(S, ("position", "reward"))
        measured[f"margin_{label}"] = float(chk.margin)
        measured[f"mixed_{label}"] = float(violated(chk))
        measured[f"pairs_missing_{label}"] = _missing_pairs(S)
        res = verify_code(
            S, ("position", "reward"), seeds=list(range(seed, seed + n_seeds)), max_steps=30_000 if full else 8_000
        )
        angles = [r.max_mixing_angle for r in res.runs]
        measured[f"trained_min_angle_deg_{label}"] = float(min(angles))
        measured[f"trained_max_angle_deg_{label}"] = float(max(angles))
        measured[f"trained_mir_mean_{label}"] = float(np.mean([r.mir for r in res.runs]))
        data[label] = (S, res)
    checks = (
        Check(f"fixed rewards: the exact condition fails ({VIOLATED})", bool(measured["mixed_fixed"])),
        Check(f"random rewards: the exact condition holds ({HOLDS})", not measured["mixed_random"]),
        Check(
            "fixed rewards: every trained network has a neuron beyond 5 deg from an axis",
            measured["trained_min_angle_deg_fixed"] > 5.0,
        ),
        Check(
            "random rewards: no trained network has an active neuron beyond 5 deg",
            measured["trained_max_angle_deg_random"] <= 5.0,
        ),
    )
    settings = {
        "bins": BINS,
        "zone": ZONE,
        "fixed_start": FIXED_START,
        "laps": n_laps,
        "seeds": n_seeds,
        "lam_in": 1.0,
        "lam_out": 1.0,
    }
    return Measurement(measured, checks, data, settings)


def draw(outcome, fig) -> None:
    from ..verify.report import plot_tunings

    axes = fig.subplots(1, 2)
    for ax, label in zip(axes, ("fixed", "random")):
        S, res = outcome.data[label]
        plot_tunings(res, S + np.random.default_rng(0).normal(0, 0.01, S.shape), ax=ax)
        ax.set_title(f"rewards at {label} places: margin {outcome.measured[f'margin_{label}']:.3g}", fontsize=9)


FINDING = Finding(
    name="space-reward",
    paper="ICLR 2025, Fig. 4",
    claim=(
        "With position and reward as sources, rewards always at the same place make the optimal code mixed "
        "(exact verdict mixed) and every trained network mixes (a neuron beyond 5 degrees from an axis); rewards "
        "at random places make it modular (exact verdict not mixed) and no trained network mixes."
    ),
    summary="position x reward: fixed reward places mix, random places do not",
    measure=measure,
    draw=draw,
    notes=(
        "A reduction of the entorhinal setting to a linear track with a binary reward signal; the figure "
        "jitters the discrete samples slightly so that overlapping points are visible."
    ),
)
