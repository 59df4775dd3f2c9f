"""Hypothesis strategies for datasets with a known support, for property-testing claims about codes.

Every strategy draws a samples-first array ``(n_samples, n_sources)`` whose
convex hull *is* the intended support: the support's vertices are included
among the samples, so the exact modularity verdict is a property of the
drawn support, not of sampling noise (docs/mathematics.md, "The exact modularity condition").  Pass
``return_vertices=True`` to draw ``(samples, vertices)`` instead, where
``vertices`` are the points the strategy put in as the support's vertices
(each is one of the samples, bit for bit); their convex hull is the hull of
the samples.

==========================  ======================================================
strategy                    support (verdict of the optimal linear code)
==========================  ======================================================
:func:`boxes`               a box, corners included (range independent: modular)
:func:`cut_corner_boxes`    a box minus a corner simplex (mixed once the cut
                            crosses the ellipse of docs/mathematics.md, "The exact modularity condition")
:func:`grids`               a regular grid on a box (range independent: modular)
:func:`clipped_gaussians`   a correlated Gaussian clipped to a box, with the box's
                            corners (range independent: modular)
:func:`polygons`            a random convex polygon, 2 sources (either verdict)
:func:`datasets`            any of the above
==========================  ======================================================

Requires ``hypothesis`` (a test dependency of biomodular, imported here only).

Example
-------
>>> from hypothesis import given
>>> from biomodular.verify.strategies import boxes
>>> @given(boxes())
... def test_box_is_range_independent(samples):
...     from biomodular import Sources
...     assert Sources.from_samples(samples).range_independent
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

__all__ = ["boxes", "cut_corner_boxes", "grids", "clipped_gaussians", "polygons", "datasets"]


def _dims(n_sources) -> st.SearchStrategy[int]:
    if isinstance(n_sources, st.SearchStrategy):
        return n_sources
    return st.just(int(n_sources))


def _corners(d: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=d)))


def _output(samples: np.ndarray, vertices: np.ndarray, return_vertices: bool):
    return (samples, vertices) if return_vertices else samples


@st.composite
def _box_frame(draw, d: int):
    """Random lower corner and widths of a box (widths within a factor 10 of each other)."""
    low = np.array([draw(st.floats(-3.0, 3.0)) for _ in range(d)])
    width = np.array([draw(st.floats(0.3, 3.0)) for _ in range(d)])
    return low, width


@st.composite
def boxes(draw, n_sources=2, n_samples=st.integers(60, 300), return_vertices=False):
    """Uniform samples in a random box, with its ``2**d`` corners.

    Parameters
    ----------
    n_sources : int or strategy of int
    n_samples : strategy of int
        Random samples drawn besides the corners.
    return_vertices : bool
        Draw ``(samples, vertices)``, the vertices being the box's corners.
    """
    d = draw(_dims(n_sources))
    low, width = draw(_box_frame(d))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    unit = np.vstack([_corners(d), rng.uniform(size=(draw(n_samples), d))])
    return _output(low + unit * width, low + _corners(d) * width, return_vertices)


@st.composite
def cut_corner_boxes(draw, n_sources=2, cut=st.floats(0.1, 1.0), n_samples=st.integers(60, 300), return_vertices=False):
    """A box without the corner simplex ``sum_j u_j < cut`` (``u`` in unit-box coordinates).

    The corner is chosen at random (by reflecting coordinates); the cut's
    vertices ``cut * e_j`` and the remaining box corners are included.
    ``cut`` must stay in ``(0, 1]`` so that the cut removes exactly one corner.
    With ``return_vertices`` draws ``(samples, vertices)``, the vertices being
    the remaining corners and the cut's vertices (at ``cut = 1`` these
    coincide with corners and appear twice).
    """
    d = draw(_dims(n_sources))
    t = draw(cut)
    low, width = draw(_box_frame(d))
    flip = np.array([draw(st.booleans()) for _ in range(d)])
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(n_samples)
    kept = np.empty((0, d))
    while kept.shape[0] < n:
        u = rng.uniform(size=(2 * n, d))
        kept = np.vstack([kept, u[u.sum(axis=1) >= t]])
    vertices = np.vstack([_corners(d)[1:], t * np.eye(d)])
    unit = np.vstack([vertices, kept[:n]])
    unit = np.where(flip, 1.0 - unit, unit)
    vertices = np.where(flip, 1.0 - vertices, vertices)
    return _output(low + unit * width, low + vertices * width, return_vertices)


@st.composite
def grids(draw, n_sources=2, points_per_axis=st.integers(2, 12), return_vertices=False):
    """A regular grid on a random box (every grid point once).

    With ``return_vertices`` draws ``(samples, vertices)``, the vertices being
    the box's corners.
    """
    d = draw(_dims(n_sources))
    low, width = draw(_box_frame(d))
    axes = [np.linspace(0.0, 1.0, draw(points_per_axis)) for _ in range(d)]
    unit = np.array(list(itertools.product(*axes)))
    return _output(low + unit * width, low + _corners(d) * width, return_vertices)


@st.composite
def clipped_gaussians(draw, n_sources=2, n_samples=st.integers(100, 400), return_vertices=False):
    """A correlated Gaussian clipped to a box at 0.5 to 2 standard deviations, with the box's corners.

    Clipping puts probability on the box's corners, so the corners belong to
    the support and are included: the support is the whole box.  With
    ``return_vertices`` draws ``(samples, vertices)``, the vertices being the
    box's corners.
    """
    d = draw(_dims(n_sources))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    strength = draw(st.floats(0.0, 0.9))
    factor = rng.standard_normal((d, d))
    cov = (1 - strength) * np.eye(d) + strength * (factor @ factor.T) / d
    x = rng.multivariate_normal(np.zeros(d), cov, size=draw(n_samples))
    sd = np.sqrt(np.diag(cov))
    lim_lo = -np.array([draw(st.floats(0.5, 2.0)) for _ in range(d)]) * sd
    lim_hi = np.array([draw(st.floats(0.5, 2.0)) for _ in range(d)]) * sd
    x = np.clip(x, lim_lo, lim_hi)
    corners = lim_lo + _corners(d) * (lim_hi - lim_lo)
    return _output(np.vstack([corners, x]), corners, return_vertices)


@st.composite
def polygons(draw, n_vertices=st.integers(3, 9), n_samples=st.integers(60, 300), return_vertices=False):
    """Samples in a random convex polygon (2 sources), with its vertices.

    Vertices are points at random angles and radii around the origin; the
    support is their convex hull (a drawn point may fall inside it and not be
    a vertex).  Samples are uniform on the star-shaped fan of triangles
    (origin, consecutive points), which lies inside the hull.  With
    ``return_vertices`` draws ``(samples, vertices)``, the vertices being the
    drawn points (some may be inside the hull, as said above).
    """
    k = draw(n_vertices)
    angles = np.sort(
        np.array(draw(st.lists(st.floats(0.0, 2 * np.pi, exclude_max=True), min_size=k, max_size=k, unique=True)))
    )
    gaps = np.diff(np.concatenate([angles, [angles[0] + 2 * np.pi]]))
    # the origin must be strictly inside: no angular gap of pi or more
    from hypothesis import assume

    assume(gaps.max() < np.pi - 0.2)
    radii = np.array([draw(st.floats(0.5, 2.0)) for _ in range(k)])
    verts = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(n_samples)
    # uniform in the fan of triangles (origin, v_i, v_{i+1}), weighted by area
    nxt = np.roll(verts, -1, axis=0)
    area = 0.5 * np.abs(verts[:, 0] * nxt[:, 1] - verts[:, 1] * nxt[:, 0])
    tri = rng.choice(k, size=n, p=area / area.sum())
    a, b = rng.uniform(size=(2, n))
    flip = a + b > 1
    a, b = np.where(flip, 1 - a, a), np.where(flip, 1 - b, b)
    inside = a[:, None] * verts[tri] + b[:, None] * nxt[tri]
    return _output(np.vstack([verts, inside]), verts, return_vertices)


def datasets(n_sources=2, return_vertices=False) -> st.SearchStrategy:
    """Any of the strategies of this module (polygons only when ``n_sources`` is 2).

    ``return_vertices`` is passed on to each strategy.
    """
    kw = {"return_vertices": return_vertices}
    options = [
        boxes(n_sources, **kw),
        cut_corner_boxes(n_sources, **kw),
        grids(n_sources, **kw),
        clipped_gaussians(n_sources, **kw),
    ]
    if n_sources == 2:
        options.append(polygons(**kw))
    return st.one_of(options)
