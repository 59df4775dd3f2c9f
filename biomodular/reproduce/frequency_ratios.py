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
generic finite sample misses each corner by a little, so every ratio's
samples are *mixed* by a sliver.  Whether the population the samples come
from is modular is a separate, statistical question (docs/mathematics.md,
"The exact modularity condition"): a range-independent population's margin
shrinks towards zero as samples are added, a missing corner's does not.  The
claim is decided by biomodular's population analysis
(:func:`biomodular.solvers.population.check_samples`, subsamples of growing
size); the margins of independent sample sets of ``n`` and ``16 n`` samples
are reported beside it as a cruder second view of the same trend.
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
    from ..solvers.population import check_samples

    sizes = tuple(4 * n for n in SIZES) if full else SIZES
    measured: dict[str, float] = {}
    data: dict = {"sizes": sizes}
    populations = {}
    for k, (label, (kind, ratio)) in enumerate(RATIOS.items()):
        rng = np.random.default_rng([seed, k])
        margins = [float(check_margin(samples(ratio, n, rng)).margin) for n in sizes[:-1]]
        # the population analysis of the largest sample set (its own margin is the last entry)
        result = check_samples(samples(ratio, sizes[-1], rng), seed=seed)
        margins.append(float(result.margin))
        populations[label] = result.sampling.population
        measured[f"population_mixed_{label}"] = float(populations[label] == "mixed")
        measured[f"population_modular_{label}"] = float(populations[label] == "modular")
        if result.sampling.rate is not None:
            measured[f"margin_shrink_rate_{label}"] = float(result.sampling.rate)
        for n, m in zip(sizes, margins):
            measured[f"margin_{label}_n{n}"] = m
        data[label] = (kind, margins)
    checks = []
    for label, (kind, _) in ((k, data[k]) for k in RATIOS):
        want = "mixed" if kind == "harmonic" else "modular"
        checks.append(
            Check(
                f"ratio {label} ({kind}): the population analysis of {sizes[-1]} samples says {want}",
                populations[label] == want,
            )
        )
    settings = {
        "sizes": list(sizes),
        "time_window": "uniform on [0, n/2]",
        "ratios": list(RATIOS),
        "population_analysis": "biomodular.solvers.population.check_samples",
    }
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
        ax.plot(
            sizes,
            np.maximum(np.abs(margins), 1e-12),
            "o-",
            label=f"{label} ({kind})",
            color="C3" if kind == "harmonic" else ("C0" if kind == "irrational" else "C2"),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("samples")
    ax.set_ylabel("|margin|")
    ax.legend(fontsize=6)


FINDING = Finding(
    name="frequency-ratios",
    paper="ICLR 2025, Fig. 3",
    claim=(
        "Two sources cos(t), cos(r t): the population of harmonic ratios (r = 2, 3) is mixed, that of "
        "non-harmonic (3/2, 5/3) and irrational (sqrt 2, golden ratio, pi) ratios modular: the samples' margins "
        "of the latter are finite-sample slivers, as decided by biomodular's population analysis (the "
        "violation must shrink with the sample size along an axis for *modular*, and stay, along a stable mixed "
        "direction, for *mixed*)."
    ),
    summary="cos(t), cos(r t): harmonic frequency ratios mix, other ratios do not",
    measure=measure,
    draw=draw,
    notes=(
        "The exact verdict of the samples is *mixed* for every ratio, correctly for those finite samples "
        "(each misses the corners by a sliver); the population question is the one the paper answers. A "
        "first version, written before biomodular had a population analysis, decided it from one pair of "
        "sample sets (n and 16 n) by requiring a tenfold shrink of the margin; that test was too strict for "
        "single draws (the golden ratio's 1000 samples happened to come within 2e-6 of their corners, "
        "leaving little to shrink) and failed there. The claim now rests on the population analysis, as "
        "intended; the two margins are still reported, and the harmonic and other ratios remain separated "
        "by more than three orders of magnitude in them. For r = 2 the support (the graph of s2 = 2 s1^2 - 1) "
        "is symmetric under s1 -> -s1, so the missing corners come in a mirror pair of equally deep "
        "violations and each subsample's witness lands on either; the population analysis compares a "
        "subsample's witness with the full data's local minimum it points into (the witness or its mirror "
        "image), so the pair counts as one stable violation and r = 2 is called *mixed* (an earlier "
        "version compared with the witness alone and said *unclear*)."
    ),
)
