"""Sources computes its hull's facets once; the check and the solver use them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.spatial

from biomodular import Sources
from biomodular.geometry import hull_facets
from biomodular.solvers.check import check_modularity
from biomodular.solvers.program import solve_code


def _pairs_pass(seed=0, n=1500):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, (2 * n, 3))
    return Sources.from_samples(X[X.sum(axis=1) >= 0.9][:n])


def _as_planes(facets):
    """Facets as a set of (vertex set, rounded equation) for comparison up to order."""
    sets, equations = facets
    return {(vs, tuple(np.round(eq, 9))) for vs, eq in zip(sets, equations)}


@pytest.mark.parametrize("scale", [None, 0.37, np.array([2.0, 0.5, 1e3])])
def test_mapped_facets_equal_a_hull_built_in_those_coordinates(scale):
    sources = _pairs_pass()
    unit = sources.beta if scale is None else np.broadcast_to(scale, (3,))
    fresh = hull_facets(sources.centred_points / unit)
    mapped = sources.facets(scale)
    assert _as_planes(mapped) == _as_planes(fresh)
    # every vertex of a facet lies on its plane, every point inside
    y = sources.centred_points / unit
    for vs, eq in zip(*mapped):
        assert np.allclose(y[sorted(vs)] @ eq[:-1] + eq[-1], 0.0, atol=1e-9)
        assert np.all(y @ eq[:-1] + eq[-1] <= 1e-9)


def _count_qhull(monkeypatch):
    calls = []
    real = scipy.spatial.ConvexHull

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.spatial, "ConvexHull", counting)
    return calls


def test_check_and_solve_reuse_the_hull_of_the_sources(monkeypatch):
    sources = _pairs_pass(seed=1)
    calls = _count_qhull(monkeypatch)
    check_modularity(sources, method="cones")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_code(sources)
    assert result.rounds >= 2  # several pricings, each of which used to rebuild the hull
    assert len(calls) == 1


def test_figures_build_no_hull_of_their_own(monkeypatch):
    """plot_check and plot_code draw the hull the check and the solver already hold (one qhull call in all)."""
    from biomodular.plot_code import plot_code
    from biomodular.plots import plot_check

    sources = _pairs_pass(seed=2, n=400)
    calls = _count_qhull(monkeypatch)
    result = check_modularity(sources, method="cones")
    plot_check(sources, result)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = solve_code(sources)
    plot_code(code, sources)
    assert len(calls) == 1


def test_two_source_figures_draw_the_true_hull_without_qhull(monkeypatch):
    from biomodular.plot_code import plot_code
    from biomodular.plots import plot_check

    rng = np.random.default_rng(4)
    X = rng.uniform(-1.0, 1.0, (600, 2)) * [1.0, 30.0]
    sources = Sources.from_samples(X[X[:, 0] + X[:, 1] / 30.0 >= -1.2])
    reference = scipy.spatial.ConvexHull(sources.points)  # before counting: the independent route
    calls = _count_qhull(monkeypatch)
    result = check_modularity(sources)
    fig = plot_check(sources, result)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = solve_code(sources)
    fig_code = plot_code(code, sources)
    assert calls == []
    expected = {tuple(p) for p in np.round(sources.points[reference.vertices], 9)}
    # plot_code draws the hull in the sources' own units, closed
    (line,) = [ln for ln in fig_code.axes[0].get_lines() if len(ln.get_xdata()) == len(expected) + 1]
    drawn = np.column_stack([line.get_xdata(), line.get_ydata()])
    assert np.allclose(drawn[0], drawn[-1])
    assert {tuple(p) for p in np.round(drawn[:-1], 9)} == expected
    # plot_check draws it centred and divided by beta
    (hull_line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "convex hull (centred)"]
    drawn = np.column_stack([hull_line.get_xdata(), hull_line.get_ydata()])[:-1]
    scaled = (sources.points[reference.vertices] - sources.mean) / sources.beta
    assert {tuple(p) for p in np.round(drawn, 9)} == {tuple(p) for p in np.round(scaled, 9)}
