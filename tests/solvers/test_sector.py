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
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 400), regular=st.booleans(),
       phase=st.floats(0, 2 * np.pi))
@example(seed=0, n=4, regular=True, phase=0.0)        # a square: every sector ties
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
