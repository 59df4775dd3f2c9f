"""Sources: one-pass reduction, chunk merging, statistics, and clear errors on bad input."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from biomodular import BiomodularError, Sources


@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.integers(1, 7))
def test_chunked_reduction_equals_the_whole_array(seed, d, n_chunks):
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((300, d)) @ rng.standard_normal((d, d)) + rng.uniform(-5, 5, d)
    whole = Sources.from_samples(S)
    cuts = np.sort(rng.choice(np.arange(1, 300), n_chunks - 1, replace=False)) if n_chunks > 1 else []
    chunked = Sources.from_chunks(np.split(S, cuts))
    np.testing.assert_allclose(chunked.mean, S.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(chunked.cov, np.cov(S.T, bias=True), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(whole.cov, np.cov(S.T, bias=True), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(chunked.lower, S.min(axis=0))
    np.testing.assert_array_equal(chunked.upper, S.max(axis=0))
    # Both keep exactly the hull's vertices.
    from scipy.spatial import ConvexHull

    expected = {tuple(p) for p in S[ConvexHull(S).vertices]}
    assert {tuple(p) for p in chunked.points} == expected
    assert {tuple(p) for p in whole.points} == expected


def test_interior_filter_keeps_every_hull_vertex_of_a_large_sample():
    rng = np.random.default_rng(0)
    S = rng.uniform(-1, 1, (200_000, 2))
    from scipy.spatial import ConvexHull

    src = Sources.from_samples(S)
    expected = {tuple(p) for p in S[ConvexHull(S).vertices]}
    assert {tuple(p) for p in src.points} == expected


def test_beta_and_modularity_matrix_follow_the_definitions():
    S = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 3.0], [1.0, 0.0]])
    src = Sources.from_samples(S)
    mean = S.mean(axis=0)
    np.testing.assert_allclose(src.beta, np.minimum(mean - S.min(0), S.max(0) - mean))
    C = np.cov(S.T, bias=True)
    F = src.modularity_matrix
    assert F[0, 1] == pytest.approx(-C[0, 1])
    np.testing.assert_allclose(np.diag(F), src.beta**2)


def test_from_statistics_matches_from_samples_for_the_same_distribution():
    S = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [0.0, 0.0]])
    sampled = Sources.from_samples(S)
    described = Sources.from_statistics(sampled.mean, sampled.cov, S)
    np.testing.assert_allclose(described.beta, sampled.beta)
    np.testing.assert_allclose(described.modularity_matrix, sampled.modularity_matrix)
    assert {tuple(p) for p in described.points} == {tuple(p) for p in sampled.points}
    assert described.range_independent and sampled.range_independent
    assert described.n_samples is None


def test_from_statistics_of_a_triangle_gives_its_exact_verdict():
    """Uniform on the triangle (0,0), (1,0), (0,1): mean 1/3, variance 1/18,
    covariance -1/36 (exact moments), beta = 1/3.  The sampled triangle must
    give the same verdict as the described one."""
    from biomodular.solvers.check import check_modularity

    vertices = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    cov = [[1 / 18, -1 / 36], [-1 / 36, 1 / 18]]
    described = Sources.from_statistics([1 / 3, 1 / 3], cov, vertices)
    np.testing.assert_allclose(described.beta, [1 / 3, 1 / 3])
    rng = np.random.default_rng(0)
    u = rng.uniform(size=(200_000, 2))
    u = np.where(u.sum(axis=1, keepdims=True) > 1, 1 - u, u)
    sampled = Sources.from_samples(np.vstack([u, vertices]))
    np.testing.assert_allclose(sampled.cov, cov, atol=5e-4)  # sampling error ~ 1/sqrt(n)
    exact, approx = check_modularity(described), check_modularity(sampled)
    assert exact.verdict == approx.verdict == "mixed"
    assert approx.margin == pytest.approx(exact.margin, abs=0.02)


@pytest.mark.parametrize(
    "samples, message",
    [
        ([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0], [0.0, 5.0]], "row 2, column 's1'"),
        ([[1.0, 2.0], [2.0, np.inf], [3.0, 0.0], [0.0, 5.0]], "row 2, column 's2'"),
        ([[1.0, 2.0], [1.0, 3.0], [1.0, 0.0], [1.0, 5.0]], "'s1' is constant"),
        ([[1.0, 2.0], [2.0, 3.0]], "at least n_sources \\+ 1 = 3 samples"),
        ([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.1 - 0.1]], "lower-dimensional flat"),
        ([[1.0], [2.0], [3.0]], "at least two sources"),
        ([1.0, 2.0, 3.0], "one dimension"),
        ([["a", "b"], ["c", "d"]], "numeric"),
        (np.zeros((0, 3)), "empty"),
    ],
)
def test_bad_samples_raise_one_clear_error(samples, message):
    with pytest.raises(BiomodularError, match=message):
        Sources.from_samples(samples)


def test_bad_statistics_raise_clear_errors():
    square = [[-1, -1], [1, -1], [1, 1], [-1, 1]]
    with pytest.raises(BiomodularError, match="shape"):
        Sources.from_statistics([0, 0], np.eye(3), square)
    with pytest.raises(BiomodularError, match="strictly inside"):
        Sources.from_statistics([5, 0], np.eye(2), square)
    with pytest.raises(BiomodularError, match="symmetric"):
        Sources.from_statistics([0, 0], [[1, 0.5], [0.1, 1]], square)
    with pytest.raises(BiomodularError, match="got 3 names"):
        Sources.from_samples(np.random.default_rng(0).standard_normal((10, 2)), names=["a", "b", "c"])


def test_samples_are_not_modified():
    S = np.random.default_rng(0).standard_normal((100, 3))
    before = S.copy()
    Sources.from_samples(S)
    np.testing.assert_array_equal(S, before)
