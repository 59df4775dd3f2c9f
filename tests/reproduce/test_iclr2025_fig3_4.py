"""frequency-ratios and space-reward: the geometry behind the verdicts, checked directly."""

import math

import numpy as np
import pytest

from biomodular.reproduce.frequency_ratios import RATIOS, samples


def _corner_gaps(S):
    """Distance (max norm) from each corner of the bounding box to the nearest sample."""
    lo, hi = S.min(0), S.max(0)
    corners = np.array([[a, b] for a in (lo[0], hi[0]) for b in (lo[1], hi[1])])
    return np.array([np.abs(S - c).max(axis=1).min() for c in corners])


@pytest.mark.parametrize("label", list(RATIOS))
def test_harmonic_ratios_miss_a_corner_and_others_reach_all(label):
    kind, r = RATIOS[label]
    S = samples(r, 16_000, np.random.default_rng(5))
    gaps = _corner_gaps(S)
    if kind == "harmonic":
        # cos(k t) = T_k(cos t): the support is the graph of the Chebyshev polynomial T_k on [-1, 1],
        # which meets the corners (1, 1) and (-1, (-1)^k) only; the other two stay at a fixed distance
        k = int(r)
        x = np.linspace(-1, 1, 200_001)
        y = np.cos(k * np.arccos(x))
        missed = [(1.0, -1.0), (-1.0, -((-1.0) ** k))]
        curve_gap = min(np.maximum(abs(x - a), abs(y - b)).min() for a, b in missed)
        assert curve_gap > 0.2
        assert np.sort(gaps)[-2] >= curve_gap - 1e-4
    elif kind == "irrational":
        assert gaps.max() < 0.05


def test_frequency_ratio_margins(outcome):
    o = outcome("frequency-ratios")
    m = o.measured
    for label, (kind, _) in RATIOS.items():
        big = m[f"margin_{label}_n16000"]
        assert (big < -0.1) if kind == "harmonic" else (abs(big) < 1e-3), (label, big)
    assert math.isclose(-m["margin_2_n16000"], 0.5625, rel_tol=0.05)


def test_space_reward_against_the_exact_symbolic_margin(outcome):
    from biomodular.reproduce.space_reward import BINS, FIXED_START, ZONE
    from biomodular.theory import exact_margin_2d, point_set

    o = outcome("space-reward")
    assert o.agrees, o.text()
    # fixed rewards: the distinct (position bin, reward) pairs with their frequencies, in exact arithmetic
    points = [(i, 0) for i in range(BINS) if not FIXED_START <= i < FIXED_START + ZONE]
    points += [(i, 1) for i in range(FIXED_START, FIXED_START + ZONE)]
    exact = exact_margin_2d(point_set(points))
    assert abs(float(exact.value) - o.measured["margin_fixed"]) < 1e-9
    # random rewards: every (position, reward) pair occurred, so the range is a full rectangle
    assert o.measured["pairs_missing_random"] == 0 and o.measured["margin_random"] == 0
