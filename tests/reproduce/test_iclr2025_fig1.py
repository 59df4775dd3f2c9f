"""single-datapoint: the verdicts, checked by a second route (a dense scan of directions)."""

import numpy as np

from biomodular.reproduce.single_datapoint import points, without_point


def _scan_margin(S, n=200_000):
    """min over a dense grid of unit w of m(w)^2 - w^T F w, in beta-scaled units (upper bound on the margin)."""
    Sc = S - S.mean(0)
    beta = np.minimum(-Sc.min(0), Sc.max(0))
    X = Sc / beta
    C = X.T @ X / len(X)
    F = -C.copy()
    np.fill_diagonal(F, 1.0)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    W = np.column_stack([np.cos(t), np.sin(t)])
    m = (X @ W.T).min(0)
    gap = m**2 - np.einsum("ij,jk,ik->i", W, F, W)
    # Lipschitz bound of the gap in the angle: |d m^2| <= 2 max|x|^2, |d w^T F w| <= 2 ||F||
    lipschitz = 2 * (np.linalg.norm(X, axis=1).max() ** 2 + np.linalg.norm(F, 2))
    return float(gap.min()), lipschitz * np.pi / n


def test_the_published_points():
    P = points()
    assert P.shape == (28, 2) and P.min() >= 0 and P.max() <= 1
    assert np.array_equal(P[20], [0.0, 0.9]) and without_point().shape == (27, 2)


def test_scan_agrees_with_the_exact_margins(outcome):
    o = outcome("single-datapoint")
    assert o.agrees, o.text()
    scan27, err27 = _scan_margin(without_point())
    # the scan bounds the margin from above, and is within Lipschitz * half a step of it
    assert o.measured["margin_27"] <= scan27 + 1e-12
    assert scan27 - o.measured["margin_27"] <= err27
    assert scan27 < -1e-3
    scan28, _ = _scan_margin(points())
    assert scan28 > -1e-9
