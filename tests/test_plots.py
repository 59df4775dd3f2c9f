"""Tests of the check figure: the geometry it draws (numbers, not pixels), and that it builds and saves.

Tolerances: geometric identities (a point on the ellipse, a point on a hull
facet) hold to rounding, checked to ``1e-9`` relative to the data's scale.
"""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.spatial import ConvexHull

from biomodular import Sources, examples
from biomodular.errors import BiomodularError
from biomodular.plots import _pair_margin, ellipse_points, nearer_extreme_points, plot_check

TOL = 1e-9
ELLIPSE = r"ellipse $x^\top F^{-1} x = 1$"


def _facets(sources: Sources):
    """Unit outward normals n_f and offsets h_f of the centred hull: n_f . x <= h_f."""
    hull = ConvexHull(sources.centred_points)
    return hull.equations[:, :-1], -hull.equations[:, -1]


def _brute_witness(sources: Sources, n: int = 20000):
    """Worst direction of m(w)^2 - w^T F w over a dense circle (own units, 2 sources)."""
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    W = np.column_stack([np.cos(theta), np.sin(theta)])
    F = sources.modularity_matrix
    gap = sources.support_min(W) ** 2 - np.einsum("ij,jk,ik->i", W, F, W)
    return W[np.argmin(gap)], float(gap.min())


@given(st.floats(0.1, 10.0), st.floats(0.1, 10.0), st.floats(-0.95, 0.95), st.integers(3, 500))
def test_ellipse_points_lie_on_the_ellipse(a, b, r, n):
    F = np.array([[a * a, r * a * b], [r * a * b, b * b]])
    x = ellipse_points(F, n)
    assert x.shape == (n, 2)
    np.testing.assert_allclose(np.einsum("ij,jk,ik->i", x, np.linalg.inv(F), x), 1.0, rtol=1e-9)
    np.testing.assert_allclose(x[0], x[-1], atol=1e-12 * max(a, b))
    # extent along each axis is sqrt(F_jj) (the support function of the ellipse)
    dense = ellipse_points(F, 20001)
    assert dense[:, 0].max() == pytest.approx(a, rel=1e-6)
    assert dense[:, 1].max() == pytest.approx(b, rel=1e-6)


def test_ellipse_points_rejects_non_positive_definite():
    with pytest.raises(BiomodularError, match="not positive definite"):
        ellipse_points(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(BiomodularError, match="2 x 2"):
        ellipse_points(np.eye(3))


def test_square_ellipse_touches_the_hull_at_the_nearer_extreme_points():
    s = Sources.from_example("square", seed=0)
    F = s.modularity_matrix
    normals, offsets = _facets(s)
    scale = np.abs(s.centred_points).max()
    pts = nearer_extreme_points(s)
    # on the ellipse ...
    np.testing.assert_allclose(np.einsum("ij,jk,ik->i", pts, np.linalg.inv(F), pts), 1.0, rtol=1e-9)
    # ... at the nearer extreme of each source ...
    sigma = np.where(s.mean - s.lower <= s.upper - s.mean, -1.0, 1.0)
    np.testing.assert_allclose(np.diag(pts), sigma * s.beta, rtol=1e-12)
    # ... and on the boundary of the hull (inside, on a facet)
    slack = pts @ normals.T - offsets
    assert slack.max() <= TOL * scale
    assert np.abs(slack).min(axis=1).max() <= TOL * scale
    # the whole ellipse is inside the hull (facet form of docs/mathematics.md, "The exact modularity condition") ...
    assert np.all(np.einsum("ij,jk,ik->i", normals, F, normals) <= offsets**2 * (1 + 1e-12))
    ell = ellipse_points(F, 2000)
    assert (ell @ normals.T - offsets).max() <= TOL * scale
    # ... and touches it nowhere else than near those points: away from them it is strictly inside
    far = np.min(np.linalg.norm(ell[:, None, :] - pts[None, :, :], axis=2), axis=1) > 0.1
    assert (ell[far] @ normals.T - offsets).max(axis=1).max() < -1e-4


def test_cut_corner_ellipse_pokes_out_where_the_witness_says():
    s = Sources.from_example("cut-corner", seed=0)
    F = s.modularity_matrix
    normals, offsets = _facets(s)
    w, gap = _brute_witness(s)
    assert gap < 0
    # the ellipse's furthest point along -w lies beyond the hull's supporting line w . x = m(w)
    tip = -F @ w / np.sqrt(w @ F @ w)
    assert tip @ w < s.support_min(w[None, :])[0]
    assert (tip @ normals.T - offsets).max() > 0.01 * np.abs(s.centred_points).max()
    # and -w points into the cut corner
    assert np.all(-w < 0)


@given(st.integers(0, 2**31), st.floats(-0.9, 0.9))
def test_range_independent_data_keep_the_ellipse_inside_the_hull(seed, rho):
    """Range independence implies modularity (docs/mathematics.md, "The exact modularity condition"): the ellipse, when it exists, is inside."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=300)
    box = np.clip(z * rng.uniform(0.3, 2.0, size=2), -1.0, 1.0)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    s = Sources.from_samples(np.vstack([corners, box]))
    F = s.modularity_matrix
    if np.linalg.eigvalsh(F)[0] <= 0:
        return  # no ellipse to draw (the direction form still holds; tested elsewhere)
    normals, offsets = _facets(s)
    ell = ellipse_points(F, 720)
    assert (ell @ normals.T - offsets).max() <= TOL * np.abs(s.centred_points).max()


def _result(verdict, margin, witness=None):
    return SimpleNamespace(verdict=verdict, margin=margin, witness=witness, method="test")


def test_figure_builds_and_saves_for_two_sources(tmp_path):
    s = Sources.from_example("square", seed=0)
    samples, _ = examples.load("square", seed=0)
    fig = plot_check(s, _result("modular", 0.0), path=tmp_path / "square.png", samples=samples)
    assert (tmp_path / "square.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 1
    assert "MODULAR" in fig._suptitle.get_text()
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert ELLIPSE in labels and "ellipse outside the hull" not in labels

    s = Sources.from_example("cut-corner", seed=0)
    w, gap = _brute_witness(s)
    fig = plot_check(s, _result("mixed", gap, w), path=tmp_path / "cut.pdf")
    assert (tmp_path / "cut.pdf").read_bytes()[:4] == b"%PDF"
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "ellipse outside the hull" in labels
    assert any("supporting line" in x for x in labels)


def test_figure_for_three_sources_shows_pairs_passing_and_the_violation(tmp_path):
    s = Sources.from_example("pairs-pass", seed=0)
    w = np.ones(3) / np.sqrt(3)  # the cut's normal; test_examples checks it is the worst direction
    fig = plot_check(s, _result("mixed", -0.3, w), path=tmp_path / "pp.png")
    assert (tmp_path / "pp.png").stat().st_size > 1000
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4
    assert titles[0].startswith("plane of w")
    assert all(t.endswith("pair alone passes") for t in titles[1:])
    # the violation is visible in the plane of w, in no pair
    labels = [ax.get_legend_handles_labels()[1] for ax in fig.axes]
    assert "ellipse outside the hull" in labels[0]
    assert all("ellipse outside the hull" not in x for x in labels[1:])

    fig = plot_check(Sources.from_example("cube"), _result("modular", 0.0))
    assert len(fig.axes) == 3


def test_figure_limits_pairs_to_six_sources():
    rng = np.random.default_rng(0)
    s = Sources.from_samples(rng.uniform(size=(400, 8)))
    w = np.zeros(8)
    w[[1, 7]] = 1.0
    fig = plot_check(s, _result("mixed", -0.1, w))
    assert len(fig.axes) == 1 + 15
    shown = {name for ax in fig.axes[1:] for name in ax.get_title().split(":")[0].split(" vs ")}
    assert len(shown) == 6 and {"s2", "s8"} <= shown


def test_figure_without_ellipse_when_F_is_not_positive_definite():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=2000) ** 4  # skewed: beta is small next to the spread
    s = Sources.from_samples(np.column_stack([x, x + 0.05 * rng.uniform(size=2000)]))
    assert np.linalg.eigvalsh(s.modularity_matrix)[0] < 0
    w, gap = _brute_witness(s)
    fig = plot_check(s, _result("mixed", gap, w))
    assert "not positive definite" in fig._suptitle.get_text()
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert ELLIPSE not in labels and "reach sqrt(w$^T$Fw) along -w" in labels


def test_bad_arguments_raise(tmp_path):
    s = Sources.from_example("square")
    with pytest.raises(BiomodularError, match="witness"):
        plot_check(s, _result("mixed", -1.0, np.ones(3)))
    with pytest.raises(BiomodularError, match="samples"):
        plot_check(s, _result("modular", 0.0), samples=np.ones((5, 3)))
    with pytest.raises(BiomodularError, match="cannot save"):
        plot_check(s, _result("modular", 0.0), path=tmp_path / "missing-dir" / "x.png")


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, biomodular.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pair_margin_in_titles_matches_a_direction_search():
    """The pair status comes from an exact 2-source margin; compare with a dense search in the pair's plane."""
    xy, _ = examples.load("triangle", seed=0)
    z = np.random.default_rng(3).uniform(size=(xy.shape[0], 1))
    s = Sources.from_samples(np.hstack([xy, z]))  # (x, y) mix; z is independent of both
    theta = np.linspace(0, 2 * np.pi, 100000, endpoint=False)
    W = np.column_stack([np.cos(theta), np.sin(theta)])
    margins = {}
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        beta = s.beta[[i, j]]
        P = s.centred_points[:, [i, j]] / beta
        M = s.modularity_matrix[np.ix_([i, j], [i, j])] / np.outer(beta, beta)
        search = min(((W @ P.T).min(axis=1) ** 2 - np.einsum("ij,jk,ik->i", W, M, W)).min(), 0.0)
        exact = _pair_margin(s, i, j)
        assert exact <= search + 1e-12  # the exact minimum is below every sampled value ...
        assert exact == pytest.approx(search, abs=1e-4)  # ... and a dense search gets close to it
        margins[i, j] = exact
    assert margins[0, 1] < -0.5  # the triangle
    # z with x or y: a product of supports whose sampled hull only rounds the corners
    assert -1e-2 < margins[0, 2] < 0 and -1e-2 < margins[1, 2] < 0
    fig = plot_check(s, _result("mixed", margins[0, 1], np.array([1.0, 1.0, 0.0]) / np.sqrt(2)))
    titles = [ax.get_title() for ax in fig.axes[1:]]
    assert titles[0].startswith("s1 vs s2: pair alone fails (margin")
    # exact: the sampled hull's slivers fail too, by a margin the title shows
    assert titles[1].startswith("s1 vs s3: pair alone fails (margin")
    assert titles[2].startswith("s2 vs s3: pair alone fails (margin")
