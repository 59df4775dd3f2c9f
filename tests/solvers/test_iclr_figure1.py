"""The single-datapoint pair of ICLR 2025 (Dorrell et al., "Don't Cut Corners"), Figure 1.

Twenty uniform points of the unit square plus eight hard-coded points, centred
on their mean (the 28 points as published with the authors' figure code).  The
paper: with all 28 points the optimal code is modular; removing the single
point that was (0, 0.9) before centring (row 20) makes it mixed.  ``check`` and
``solve`` must both say so by default, and a dense direction sweep (an
independent route) must agree on the sign of the margin.
"""

import numpy as np
import pytest

from biomodular import Problem, Sources, check_modularity, solve_code

FIGURE1 = np.array(
    [
        [-0.32167268130742405, -0.4328652384868399],
        [-0.25926710251024915, 0.23273746336887502],
        [-0.19166253815907314, -0.06906986589124453],
        [0.4361342872816734, -0.005075135867447456],
        [-0.4374681144852142, 0.5056599552684793],
        [-0.24544098272537257, -0.17124899491978252],
        [0.18699179934858906, -0.044861984435927704],
        [0.36489244449733277, 0.05226269118022808],
        [0.2144075395778115, -0.43916472438632903],
        [-0.40524283565056135, 0.5051328423695677],
        [0.38317929906386633, -0.14369924380686128],
        [-0.3698168087149362, -0.04862177616003083],
        [0.37253894079489763, -0.356878592671085],
        [0.4844119118963323, 0.46678910104855265],
        [-0.4112309884532018, 0.3346539700450126],
        [0.48472246815455516, -0.06703942147318709],
        [-0.17322510839517408, -0.3451087537125418],
        [-0.3489124806588751, -0.013987734473287716],
        [0.1915371611974664, -0.2890912348368804],
        [-0.2948617141700462, -0.3303271063722367],
        [-0.4450018120727994, 0.4574754730266207],
        [-0.4450018120727994, -0.1425245269733793],
        [0.45499818792720065, -0.4425245269733793],
        [-0.34500181207279934, -0.4425245269733793],
        [0.5549981879272006, 0.35747547302662075],
        [0.5549981879272006, -0.24252452697337928],
        [0.2549981879272006, 0.5574754730266207],
        [-0.24500181207279936, 0.5574754730266207],
    ]
)

#: Row of the point that was (0, 0.9) before centring.
REMOVED = 20


def _sweep_margin(S: np.ndarray, n: int = 200_000) -> float:
    """Dense sweep of unit directions in beta-scaled units: an upper bound on the margin."""
    mean = S.mean(axis=0)
    beta = np.minimum(mean - S.min(axis=0), S.max(axis=0) - mean)
    P = (S - mean) / beta
    cov = np.cov(S.T, bias=True) / np.outer(beta, beta)
    F = -cov
    np.fill_diagonal(F, 1.0)

    def values(t):
        W = np.column_stack([np.cos(t), np.sin(t)])
        return (W @ P.T).min(axis=1) ** 2 - np.einsum("ij,jk,ik->i", W, F, W)

    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    v = values(t)
    best = t[np.argmin(v)]
    fine = best + np.linspace(-2 * np.pi / n, 2 * np.pi / n, n)  # refine around the best angle
    return float(min(v.min(), values(fine).min()))


def test_the_published_points_are_the_paper_s_construction():
    raw = FIGURE1 - FIGURE1[-8:].min(axis=0)  # hard-coded points had a zero coordinate
    assert raw[REMOVED] == pytest.approx([0.0, 0.9], abs=1e-12)
    assert FIGURE1.mean(axis=0) == pytest.approx([0.0, 0.0], abs=1e-15)


def test_all_28_points_modular_and_27_points_mixed_by_check():
    full = check_modularity(Sources.from_samples(FIGURE1))
    assert full.verdict == "modular" and full.exact
    cut = check_modularity(Sources.from_samples(np.delete(FIGURE1, REMOVED, axis=0)))
    assert cut.verdict == "mixed" and cut.exact
    assert cut.margin < -1e6 * cut.rounding_bound
    assert set(cut.mixes) == {"s1", "s2"}
    # independent route: a dense sweep attains a value within 1e-9 of the exact minimum
    assert _sweep_margin(FIGURE1) >= -full.rounding_bound
    sweep = _sweep_margin(np.delete(FIGURE1, REMOVED, axis=0))
    assert cut.margin - cut.rounding_bound <= sweep <= cut.margin + 1e-9


@pytest.mark.parametrize("drop, verdict", [(None, "modular"), (REMOVED, "mixed")])
def test_solve_says_the_same_and_its_code_shows_it(drop, verdict):
    S = FIGURE1 if drop is None else np.delete(FIGURE1, drop, axis=0)
    code = solve_code(Sources.from_samples(S), Problem.autoencoder(lam_in=1.0, lam_out=1.0))
    assert code.status == "optimal"
    assert code.verdict == verdict
    if verdict == "mixed":
        assert code.value < code.modular_value * (1 - 1e-5)
        assert any(n.kind.kind != "modular" for n in code.neurons)
    else:
        assert code.value == pytest.approx(code.modular_value, rel=1e-6)
