"""``frequency-ratios`` (ICLR 2025, Fig. 3): two oscillations mix only when one frequency is a multiple of the other.

Sources ``s1 = cos(t)`` and ``s2 = cos(r t)`` at uniformly random times
``t`` in ``[0, n / 2]``.  When ``r`` is an integer (harmonic), ``s2`` is a
polynomial of ``s1`` (``cos 2t = 2 cos^2 t - 1``): the support is a curve
that misses two corners of the square by a fixed amount, and the optimal
code mixes.  For any other ratio above 1 the hull of the support keeps the
ellipse of the condition inside: a rational ``r = p/q`` (coprime, ``q > 1``)
traces a closed curve that meets every edge of the square in at least two
points (a dense sampling of one period has margin 0 to within 1e-9), and an
irrational ``r`` fills the square.

Finite samples.  The exact check answers for the samples in hand, and a
generic finite sample misses each corner by a little, so non-harmonic ratios
come out *borderline* with tiny negative margins.  Whether the population
the samples come from is modular is a separate, statistical question
(docs/mathematics.md, "The exact modularity condition"): a range-independent
population's margin shrinks towards zero as samples are added, a missing
corner's does not.  So each ratio is checked at ``n`` and ``16 n`` samples;
the claim's thresholds are on that growth, not on a tolerance of one margin.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Check, Finding, Measurement
from ._shared import check_margin

RATIOS = {
    "2": ("harmonic", 2.0),
    "3": ("harmonic", 3.0),
    "3/2": ("non-harmonic", 1.5),
    "5/3": ("non-harmonic", 5.0 / 3.0),
    "sqrt2": ("irrational", math.sqrt(2.0)),
    "golden": ("irrational", (1 + math.sqrt(5.0)) / 2),
    "pi": ("irrational", math.pi),
}

#: The two sample sizes of the small run (``--full`` multiplies both by 4).
SIZES = (1_000, 16_000)


def samples(ratio: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples ``(cos t, cos(ratio t))`` at uniform random times in ``[0, n / 2]``."""
    t = rng.uniform(0.0, 0.5 * n, n)
    return np.column_stack([np.cos(t), np.cos(ratio * t)])


def measure(full: bool, seed: int) -> Measurement:
    sizes = tuple(4 * n for n in SIZES) if full else SIZES
    measured: dict[str, float] = {}
    data: dict = {"sizes": sizes}
    for k, (label, (kind, ratio)) in enumerate(RATIOS.items()):
        rng = np.random.default_rng([seed, k])
        margins = [float(check_margin(samples(ratio, n, rng)).margin) for n in sizes]
        for n, m in zip(sizes, margins):
            measured[f"margin_{label}_n{n}"] = m
        data[label] = (kind, margins)
    checks = []
    for label, (kind, margins) in ((k, data[k]) for k in RATIOS):
        small, large = margins
        if kind == "harmonic":
            checks.append(Check(f"ratio {label} (harmonic): margin < -0.1 at both sizes and shrinks by less than "
                                f"half from n = {sizes[0]} to {sizes[1]}",
                                small < -0.1 and large < -0.1 and abs(large) > 0.5 * abs(small)))
        else:
            checks.append(Check(f"ratio {label} ({kind}): |margin| < 1e-3 at n = {sizes[1]} and at least 10 "
                                f"times smaller than at n = {sizes[0]} (a sliver that vanishes)",
                                abs(large) < 1e-3 and abs(large) * 10 <= abs(small)))
    settings = {"sizes": list(sizes), "time_window": "uniform on [0, n/2]", "ratios": list(RATIOS)}
    return Measurement(measured, tuple(checks), data, settings)


def draw(outcome, fig) -> None:
    axes = fig.subplots(1, 4)
    rng = np.random.default_rng(0)
    for ax, label in zip(axes[:3], ("2", "3/2", "sqrt2")):
        S = samples(RATIOS[label][1], 3000, rng)
        ax.scatter(S[:, 0], S[:, 1], s=1, color="C3" if RATIOS[label][0] == "harmonic" else "C0")
        ax.set_title(f"cos t, cos({label} t)", fontsize=9)
        ax.set_aspect("equal")
    ax = axes[3]
    sizes = outcome.data["sizes"]
    for label in RATIOS:
        kind, margins = outcome.data[label]
        ax.plot(sizes, np.maximum(np.abs(margins), 1e-12), "o-", label=f"{label} ({kind})",
                color="C3" if kind == "harmonic" else ("C0" if kind == "irrational" else "C2"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("samples")
    ax.set_ylabel("|margin|")
    ax.legend(fontsize=6)


FINDING = Finding(
    name="frequency-ratios",
    paper="ICLR 2025, Fig. 3",
    claim=("Two sources cos(t), cos(r t): harmonic ratios (r = 2, 3) mix, with a margin below -0.1 that does not "
           "shrink as samples are added (less than halved from n to 16 n); non-harmonic (3/2, 5/3) and irrational "
           "(sqrt 2, golden ratio, pi) ratios do not: their margins are finite-sample slivers, below 1e-3 in size "
           "at 16 n and at least 10 times smaller than at n."),
    summary="cos(t), cos(r t): harmonic frequency ratios mix, other ratios do not",
    measure=measure,
    draw=draw,
    notes=("biomodular has no population-level verdict yet, so the population question is answered here from "
           "the data by the growth of the margin with the sample size (see the module's docstring): the exact "
           "verdict of the samples is *borderline* for every non-harmonic ratio, which is the correct answer "
           "for those finite samples (each misses the corners by a sliver), and *mixed* for harmonic ones. "
           "**Why it does not fully agree at seed 0:** the shrink test on one sample set is too strict. With the "
           "times uniform on a window growing with n, the nearest sample to a corner is at a distance of order "
           "1/n, so 16 times more samples shrink the sliver 16-fold *on average*, but one draw fluctuates widely: "
           "for the golden ratio the 1000-sample set already came within 2e-6 of its corners and the 16000-sample "
           "set only 6 times closer (other seeds shrink 10 to 250 fold). The harmonic and non-harmonic ratios are "
           "still separated by more than three orders of magnitude in margin (below -0.27 against above -2e-4). "
           "The threshold was fixed before the run and is left as stated."),
)
