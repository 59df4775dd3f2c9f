"""Sources: one-pass reduction, chunk merging, statistics, and clear errors on bad input."""

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

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


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["gauss", "cut box", "grid", "clipped", "ring"]),
    log_aspect=st.floats(-3, 3),
    block=st.sampled_from([256, 1024, 1 << 16]),
)
@example(seed=0, kind="grid", log_aspect=0.0, block=256)
@example(seed=1, kind="ring", log_aspect=2.0, block=256)
def test_two_source_filter_keeps_every_hull_vertex(seed, kind, log_aspect, block):
    """The two-source interior filter tests each row against the one edge its angle
    points at; whatever the shape, anisotropy and block size, the reduction keeps
    exactly qhull's vertices (second route: the hull of the raw data)."""
    import biomodular.sources as sources_module
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(seed)
    n = 6000
    if kind == "gauss":
        S = rng.standard_normal((n, 2)) @ rng.standard_normal((2, 2))
    elif kind == "cut box":
        S = rng.uniform(-1, 1, (n, 2))
        S = S[S.sum(axis=1) > -0.5]
    elif kind == "grid":
        S = rng.integers(0, 30, (n, 2)).astype(float)
    elif kind == "clipped":
        S = np.clip(rng.standard_normal((n, 2)), -1.5, 1.5)
    else:
        t = rng.uniform(0, 2 * np.pi, n)
        S = np.column_stack([np.cos(t), np.sin(t)]) * rng.uniform(0.9, 1.0, (n, 1))
    S = S * np.array([1.0, 10.0**log_aspect]) + rng.uniform(-5, 5, 2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources_module, "BLOCK_ROWS", block)
        src = Sources.from_samples(S)
    expected = {tuple(p) for p in S[ConvexHull(S).vertices]}
    assert {tuple(p) for p in src.points} == expected


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_vertices=st.integers(3, 64))
def test_polygon_interior_test_never_calls_an_outside_point_inside(seed, n_vertices):
    """The one-edge-per-point test against the test of every edge (second route): a
    point it calls strictly inside is strictly inside every edge; and points well
    inside are recognised."""
    from biomodular.geometry import hull_2d, hull_2d_equations
    from biomodular.sources import _PolygonInterior

    rng = np.random.default_rng(seed)
    P = rng.standard_normal((n_vertices + 3, 2)) * rng.uniform(0.1, 10, 2)
    try:
        V = P[hull_2d(P)]
    except ValueError:
        return
    eq = hull_2d_equations(V)
    centre = V.mean(axis=0)
    tolerance = 1e-9 * np.abs(V).max()  # as the reduction uses it
    test = _PolygonInterior(V, eq, centre, tolerance)
    vertical = centre + np.outer(np.linspace(-2, 2, 9), [0.0, np.abs(V).max()])  # x - centre is +-0.0
    Q = np.vstack(
        [
            rng.standard_normal((4000, 2)) * np.abs(V).max(),
            V,
            (V + np.roll(V, -1, axis=0)) / 2,
            centre[None, :],
            vertical,
        ]
    )
    full = (Q @ eq[:, :2].T + eq[:, 2]).max(axis=1)
    got = test.inside(Q[:, 0].copy(), Q[:, 1].copy())
    assert not (got & ~(full < 0)).any()
    assert got[full < -2 * tolerance].all()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(3, 4),
    kind=st.sampled_from(["poisson", "grid", "clipped", "binary-ish"]),
    block=st.sampled_from([300, 2000, 1 << 16]),
)
@example(seed=0, d=3, kind="poisson", block=300)
@example(seed=0, d=4, kind="clipped", block=2000)
def test_saturated_data_in_three_and_four_sources_keep_the_raw_hull(seed, d, kind, block):
    """Integer, clipped and nearly binary data put many repeated rows and many rows on
    the hull's faces; the reduction thins them, and its support must still be exactly
    the vertices of the raw data's hull (second route: qhull on every raw row)."""
    import biomodular.sources as sources_module
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(seed)
    n = 5000
    if kind == "poisson":
        S = rng.poisson(2.0, (n, d)).astype(float)
    elif kind == "grid":
        S = rng.integers(0, 6, (n, d)).astype(float)
    elif kind == "clipped":
        S = np.clip(rng.standard_normal((n, d)), -1.2, 1.2)
    else:
        S = rng.binomial(2, 0.3, (n, d)).astype(float) + 0.05 * rng.integers(0, 2, (n, 1))
    S = S * rng.uniform(0.5, 2.0, d) + rng.uniform(-3, 3, d)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources_module, "BLOCK_ROWS", block)
        src = Sources.from_samples(S)
    expected = {tuple(p) for p in S[ConvexHull(S).vertices]}
    assert src.points_are_vertices
    assert {tuple(p) for p in src.points} == expected


def test_thinning_repeated_and_face_rows_keeps_the_hull_and_drops_most_rows():
    """The thinning on its own: the hull of what it keeps is the hull of its input
    (qhull on both), and of Poisson counts in three sources it keeps a small fraction."""
    from scipy.spatial import ConvexHull

    from biomodular.sources import _thin_faces

    S = np.random.default_rng(3).poisson(3.0, (20_000, 3)).astype(float)
    thinned = _thin_faces(S)
    assert {tuple(p) for p in thinned[ConvexHull(thinned).vertices]} == {tuple(p) for p in S[ConvexHull(S).vertices]}
    assert {tuple(p) for p in thinned} <= {tuple(p) for p in S}
    assert thinned.shape[0] < 0.05 * S.shape[0]


@pytest.mark.parametrize("d", [3, 4])
def test_thinning_keeps_each_interior_row_once(d):
    """Rows off the data's extreme values, repeated many times, are kept once each
    (second route: numpy's unique on the rows off the extremes); four and more
    repeats of rows scaled by irrational factors too."""
    from biomodular.sources import _thin_faces

    rng = np.random.default_rng(d)
    S = rng.integers(0, 6, (30_000, d)).astype(float) * np.sqrt(rng.uniform(1, 3, d))
    interior = S[((S > S.min(axis=0)) & (S < S.max(axis=0))).all(axis=1)]
    thinned = _thin_faces(S)
    kept = thinned[((thinned > S.min(axis=0)) & (thinned < S.max(axis=0))).all(axis=1)]
    assert kept.shape[0] == np.unique(interior, axis=0).shape[0]
    assert {tuple(p) for p in kept} == {tuple(p) for p in interior}


@pytest.mark.parametrize("d", [2, 3, 4])
def test_blocks_of_repeated_rows_keep_each_row_once_and_the_hull(d):
    """Discrete data (three levels per source, the all-lowest corner left out): nearly every
    row is on the hull's boundary.  A block that repeats rows is reduced to one of each
    (second route: numpy's unique), continuous data are not searched for repeats at all,
    and the support is the vertices of qhull's hull of the distinct rows."""
    from scipy.spatial import ConvexHull

    from biomodular.sources import _distinct_share, _drop_repeats

    rng = np.random.default_rng(d)
    S = rng.integers(0, 3, (150_000, d)).astype(float)
    S = S[S.sum(axis=1) >= 1] * np.sqrt(rng.uniform(1, 3, d)) + rng.uniform(-3, 3, d)
    centred = np.ascontiguousarray((S - S[0]).T)
    assert _distinct_share(centred) < 0.5  # 3^d - 1 distinct rows in all
    assert _distinct_share(np.ascontiguousarray(rng.uniform(-1, 1, (d, 65_536)))) == 1.0
    kept, kept_centred = _drop_repeats(S, centred)
    assert kept.shape[0] == np.unique(S, axis=0).shape[0]
    assert {tuple(p) for p in kept} == {tuple(p) for p in S}
    np.testing.assert_array_equal(kept_centred, (kept - S[0]).T)
    src = Sources.from_samples(S)
    distinct = np.unique(S, axis=0)
    assert src.points_are_vertices
    assert {tuple(p) for p in src.points} == {tuple(p) for p in distinct[ConvexHull(distinct).vertices]}
    np.testing.assert_allclose(src.cov, np.cov(S.T, bias=True), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("d", [5, 7])
def test_discrete_data_of_many_sources_keep_each_distinct_row_once(d, monkeypatch):
    """Above four sources the support is the distinct rows (no hull).  Discrete data repeat
    them block after block: each block keeps one of each, blocks are compacted together, and
    the support is numpy's unique rows, also when the rows come in parts that are merged."""
    import biomodular.sources as sources_module
    from biomodular.sources import Reduction

    monkeypatch.setattr(sources_module, "BLOCK_ROWS", 4096)
    monkeypatch.setattr(sources_module, "COMPACT_ROWS", 2048)
    rng = np.random.default_rng(d)
    S = rng.integers(0, 3, (60_000, d)).astype(float) * np.sqrt(rng.uniform(1, 3, d)) - 1.5
    distinct = {tuple(p) for p in np.unique(S, axis=0)}
    whole = Reduction().add(S)
    assert whole.n_candidates <= 2048 + len(distinct)  # compacted past COMPACT_ROWS: not 60,000 rows
    src = whole.finish()
    assert not src.points_are_vertices
    assert src.points.shape[0] == len(distinct) and {tuple(p) for p in src.points} == distinct
    merged = Reduction().add(S[:25_000]).merge(Reduction().add(S[25_000:])).finish()
    assert {tuple(p) for p in merged.points} == distinct and merged.points.shape[0] == len(distinct)
    np.testing.assert_allclose(src.cov, np.cov(S.T, bias=True), rtol=1e-12, atol=1e-12)


def test_the_sorting_direction_has_one_square_root_of_a_prime_per_source():
    from biomodular.sources import _dedup_direction

    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
    np.testing.assert_array_equal(_dedup_direction(12), np.sqrt(primes))
    assert _dedup_direction(1000).shape == (1000,) and np.unique(_dedup_direction(1000)).size == 1000


def test_an_interior_filter_that_drops_nothing_is_set_aside_and_tried_again():
    """Points on a sphere (three sources) are all hull vertices: the filter's polytope, the
    hull of the rows seen, has thousands of facets and drops none of them, and testing each
    row against it took minutes for a million.  It stops testing (every row a candidate), and
    tries again once the rows seen have grown fourfold: then a ball's interior rows are
    dropped again.  The support stays exact (qhull on every row).  (Four sources test against
    the few hundred facets of their extremes' hull, which stays in use.)"""
    from scipy.spatial import ConvexHull

    from biomodular.sources import RETRY_GROWTH, _InteriorFilter

    d = 3
    rng = np.random.default_rng(d)
    sphere = rng.standard_normal((40_000, d))
    sphere /= np.linalg.norm(sphere, axis=1, keepdims=True)
    keep = _InteriorFilter(d, sphere[0])
    kept = np.vstack([keep(sphere[i : i + 10_000]) for i in range(0, 40_000, 10_000)])
    assert not keep.pays and kept.shape[0] == sphere.shape[0]
    inside = 0.5 * rng.uniform(-1, 1, ((RETRY_GROWTH + 1) * 40_000, d)) / np.sqrt(d)
    passed = keep(inside)
    assert keep.pays and passed.shape[0] < 0.01 * inside.shape[0]
    src = Sources.from_samples(np.vstack([sphere, inside[:5000]]))
    assert src.points_are_vertices
    assert {tuple(p) for p in src.points} == {tuple(p) for p in sphere[ConvexHull(sphere).vertices]}
    # A polytope is never larger than MAX_INNER_FACETS: the hull of a subset of its vertices.
    from biomodular.sources import MAX_INNER_FACETS, _convex_hull

    capped = _InteriorFilter(d, sphere[0])
    capped._set_polytope(sphere, _convex_hull(sphere))
    assert capped.equations.shape[0] <= MAX_INNER_FACETS < 2 * sphere.shape[0] - 4  # qhull: 2n - 4
    assert {tuple(p) for p in capped.vertices} <= {tuple(p) for p in sphere}


def _polytope_points(rng, d: int, kind: str, count: int) -> np.ndarray:
    """Vertices-to-be of hard polytopes: anisotropic Gaussian clouds, points on a
    sphere (every one a vertex), a box with a cut corner, a nearly flat slab."""
    if kind == "sphere":
        P = rng.standard_normal((count, d))
        return P / np.linalg.norm(P, axis=1, keepdims=True)
    if kind == "box":
        P = rng.uniform(-1, 1, (count, d))
        return np.vstack([P[P.sum(axis=1) > -0.5], np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T])
    P = rng.standard_normal((count, d)) * rng.uniform(0.1, 10, d)
    if kind == "slab":
        P[:, -1] *= 1e-4
    return P


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(3, 4),
    kind=st.sampled_from(["gauss", "sphere", "box", "slab"]),
    count=st.integers(8, 200),
    offset=st.sampled_from([0.0, 1e5]),
)
@example(seed=0, d=3, kind="sphere", count=200, offset=0.0)
@example(seed=1, d=4, kind="box", count=50, offset=1e5)
@example(seed=2, d=4, kind="slab", count=8, offset=0.0)
def test_radial_interior_test_never_calls_an_outside_point_inside(seed, d, kind, count, offset):
    """The one-plane-per-point test of three and four sources against the test of
    every facet (second route): a point it calls strictly inside is strictly inside
    every facet, for points anywhere, on the polytope's vertices and facet centres,
    along the cube-grid's cell boundaries (directions with equal coordinates) and at
    the centre itself."""
    from biomodular.sources import RADIAL_GRID, _convex_hull, _RadialInterior

    rng = np.random.default_rng(seed)
    P = _polytope_points(rng, d, kind, count) + offset
    hull = _convex_hull(P)
    if hull is None:
        return
    vertices, equations = hull
    V = P[vertices]
    centre = V.mean(axis=0)
    depth = -(equations[:, :-1] @ centre + equations[:, -1]).max()
    scale = np.abs(V).max()
    tolerance = 1e-9 * scale  # as the reduction uses it
    test = _RadialInterior(equations, centre, depth * (1 - 1e-9), tolerance, RADIAL_GRID[d])
    spread = np.abs(V - centre).max()
    ticks = np.linspace(-1, 1, 2 * RADIAL_GRID[d] + 1)  # cell boundaries and middles
    grid = ticks[rng.integers(0, ticks.shape[0], (3000, d))]
    on_grid = centre + grid * spread * rng.uniform(0.5, 1.5, (grid.shape[0], 1))
    Q = np.vstack(
        [
            centre + rng.uniform(-1.5, 1.5, (4000, d)) * spread,
            centre + (V - centre) * rng.uniform(0.9, 1.0, (V.shape[0], 1)),
            V,
            on_grid,
            centre[None, :],
        ]
    )
    full = (Q @ equations[:, :-1].T + equations[:, -1]).max(axis=1)
    got = test.inside(np.ascontiguousarray(Q.T))
    assert not (got & ~(full < 0)).any()


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(3, 4),
    kind=st.sampled_from(["sphere", "duplicated", "cut box", "gauss offset"]),
    block=st.sampled_from([700, 3000, 1 << 16]),
)
@example(seed=0, d=3, kind="sphere", block=700)
@example(seed=0, d=4, kind="duplicated", block=3000)
@example(seed=1, d=4, kind="gauss offset", block=700)
def test_three_and_four_source_filter_keeps_every_hull_vertex(seed, d, kind, block):
    """With its direction-grid test, its first polytope from a spread subset of the
    first block and its rebuilds as rows arrive, the reduction keeps exactly qhull's
    vertices of the raw rows (second route), for points on a sphere (every one a
    vertex), repeated rows, a cut box and a Gaussian far from the origin."""
    import biomodular.sources as sources_module
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(seed)
    n = 8000
    if kind == "sphere":
        S = rng.standard_normal((n, d))
        S /= np.linalg.norm(S, axis=1, keepdims=True)
        S[: n // 2] *= rng.uniform(0, 1, (n // 2, 1))  # an interior for the filter to drop
    elif kind == "duplicated":
        S = rng.standard_normal((n // 4, d))
        S = np.vstack([S, S, S[::-1], S])
    elif kind == "cut box":
        S = rng.uniform(-1, 1, (n, d))
        S = S[S.sum(axis=1) > -0.75 * np.sqrt(d)]
    else:
        S = rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + 1e5
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources_module, "BLOCK_ROWS", block)
        patch.setattr(sources_module, "FIRST_ROWS", 256)
        src = Sources.from_samples(S)
    expected = {tuple(p) for p in S[ConvexHull(S).vertices]}
    assert src.points_are_vertices
    assert {tuple(p) for p in src.points} == expected
