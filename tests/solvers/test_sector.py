"""The two-source sector method scores each candidate against its own sector's vertex:
every value it reports must equal the full scoring against all points."""

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from biomodular import Sources
from biomodular.solvers.check import check_modularity, standardised_problem
from biomodular.solvers.gap import gap_values, min_quadratic_gap


def _polygon(n: int, phase: float = 0.0) -> np.ndarray:
    t = phase + 2 * np.pi * np.arange(n) / n
    return np.column_stack([np.cos(t), np.sin(t)])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 400), regular=st.booleans(), phase=st.floats(0, 2 * np.pi))
@example(seed=0, n=4, regular=True, phase=0.0)  # a square: every sector ties
@example(seed=0, n=4, regular=True, phase=np.pi / 4)
@example(seed=0, n=1000, regular=True, phase=0.0)
def test_every_sector_value_equals_the_full_scoring(seed, n, regular, phase):
    rng = np.random.default_rng(seed)
    if regular:
        S = _polygon(n, phase)
    else:
        S = rng.standard_normal((n + 3, 2)) @ rng.standard_normal((2, 2))
    src = Sources.from_samples(np.vstack([S, S.mean(axis=0) + 0.01 * rng.standard_normal((5, 2))]))
    P, F = standardised_problem(src)
    got = min_quadratic_gap(P, F, method="sector")
    full = gap_values(P, F, got.candidates)  # second route: every point, every candidate
    scale = 1 + np.abs(full).max()
    np.testing.assert_allclose(got.candidate_values, full, rtol=0, atol=1e-12 * scale)
    assert got.value == pytest.approx(full.min(), abs=1e-12 * scale)
    assert got.value == pytest.approx(gap_values(P, F, got.direction[None, :])[0], abs=1e-12 * scale)


def test_a_circle_of_a_hundred_thousand_points_gives_the_closed_form_margin():
    """Points on the unit circle: beta = 1, C = I/2, so F = diag(1, 1) scaled; the
    inscribed polygon's m(w) is cos(pi/n) at an edge normal, so the exact margin is
    cos^2(pi/n) - 1 at the edge normals (F = I: w^T F w = 1)."""
    n = 100_000
    src = Sources.from_samples(_polygon(n))
    result = check_modularity(src, tol=1e-3)
    # beta = 1 exactly for a regular polygon with a vertex at angle 0 and pi.
    assert result.margin == pytest.approx(np.cos(np.pi / n) ** 2 - 1, rel=1e-6)


def _angles_to_axes(W: np.ndarray) -> np.ndarray:
    A = np.abs(W)
    return np.degrees(np.arctan2(A.min(axis=1), A.max(axis=1)))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 300),
    regular=st.booleans(),
    block=st.integers(3, 40),
    lowest=st.integers(1, 8),
)
@example(seed=0, n=200, regular=True, block=7, lowest=1)  # a square-symmetric polygon: ties at the axes
@example(seed=3, n=64, regular=True, block=3, lowest=2)
def test_the_sector_in_blocks_keeps_what_callers_need(seed, n, regular, block, lowest):
    """Processed in blocks with only the useful candidates kept, the sector method gives the
    same minimum, the same lowest values (the pricing's columns) and, for every angle up to
    SECTOR_KEEP_AXIS_DEGREES, the same best value farther than that from the axes (the tie
    test) as scoring every candidate at once."""
    import biomodular.solvers.gap as gap

    rng = np.random.default_rng(seed)
    S = _polygon(n, rng.uniform(0, 2 * np.pi)) if regular else rng.standard_normal((n, 2))
    S = S @ rng.standard_normal((2, 2)) if not regular else S
    src = Sources.from_samples(np.vstack([S, S.mean(axis=0) + 0.01 * rng.standard_normal((5, 2))]))
    P, F = standardised_problem(src)
    whole = min_quadratic_gap(P, F, method="sector")
    assert whole.candidates.shape[0] == whole.n_candidates  # small hulls keep every candidate
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gap, "SECTOR_BLOCK", block)
        patch.setattr(gap, "SECTOR_KEEP_LOWEST", lowest)
        parts = min_quadratic_gap(P, F, method="sector")
    scale = 1 + np.abs(whole.candidate_values).max()
    assert parts.n_candidates == whole.n_candidates
    assert parts.value == pytest.approx(whole.value, abs=1e-12 * scale)
    # Second route: every kept value is the full scoring against all points.
    np.testing.assert_allclose(parts.candidate_values, gap_values(P, F, parts.candidates), rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(
        np.sort(parts.candidate_values)[:lowest], np.sort(whole.candidate_values)[:lowest], rtol=0, atol=1e-12 * scale
    )
    full_angles, kept_angles = _angles_to_axes(whole.candidates), _angles_to_axes(parts.candidates)
    for threshold in (0.0, 1e-4, 0.3, gap.SECTOR_KEEP_AXIS_DEGREES):
        off_full, off_kept = full_angles > threshold, kept_angles > threshold
        if not off_full.any():
            continue
        assert off_kept.any()
        assert parts.candidate_values[off_kept].min() == pytest.approx(
            whole.candidate_values[off_full].min(), abs=1e-12 * scale
        )


def test_the_sector_memory_does_not_grow_with_the_hull(monkeypatch):
    """On a convex polygon of 200,000 vertices (its own hull), the sector method's extra
    memory is a few blocks, far below the points themselves (it held about twenty
    point-sized arrays before it worked in blocks)."""
    import tracemalloc

    import biomodular.geometry as geometry
    import biomodular.solvers.gap as gap

    monkeypatch.setattr(gap, "SECTOR_BLOCK", 1 << 11)
    monkeypatch.setattr(geometry, "CONVEXITY_BLOCK", 1 << 11)
    monkeypatch.setattr(gap, "GAP_BLOCK", 1 << 14)
    P = _polygon(200_000, 0.1) * np.array([1.0, 0.8])
    F = np.array([[1.0, -0.3], [-0.3, 1.0]])
    assert gap.is_convex_ccw(P)
    tracemalloc.start()
    try:
        result = min_quadratic_gap(P, F, method="sector")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * P.nbytes
    # Second route for the value: a fine grid of directions cannot do better than the exact minimum.
    t = np.linspace(0, 2 * np.pi, 4001)
    grid = gap_values(P, F, np.column_stack([np.cos(t), np.sin(t)]))
    assert result.value <= grid.min() + 1e-12
    assert result.value == pytest.approx(grid.min(), abs=1e-5)
