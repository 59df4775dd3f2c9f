"""Named example datasets with a known answer, reproducible from a seed.

Each example is an array of samples, shape ``(n_samples, n_sources)``, with
source names.  Where the support is a polygon or polytope its vertices are
included among the samples, so the convex hull of the samples *is* the
support and the modularity verdict is a property of the example, not of the
sampling noise (docs/mathematics.md, "The exact modularity condition" warns that generic random samples sit within
~1e-4 of the boundary between the verdicts).

==================  =======  ========  =====================================================
name                sources  verdict   what it shows
==================  =======  ========  =====================================================
square              2        modular   uniform on [-1, 1]^2 with its corners: range independent
cut-corner          2        mixed     the square without the corner triangle x + y < -1
triangle            2        mixed     uniform on the triangle x, y >= 0, x + y <= 1
clipped-gaussian    2        modular   correlated Gaussian (rho = 0.6) clipped to a box: the
                                       corners are hit, so correlation alone does not mix
grid                2        modular   a regular 61 x 41 grid on [0, 3] x [-1, 1]
cube                3        modular   uniform on [0, 1]^3 with its corners
pairs-pass          3        mixed     [0, 1]^3 without the corner x + y + z < 0.9: every pair
                                       of sources passes the test, the three together mix
==================  =======  ========  =====================================================

Examples
--------
>>> from biomodular import examples, Sources
>>> samples, names = examples.load("cut-corner", seed=1)
>>> samples.shape, names
((3005, 2), ('x', 'y'))
>>> Sources.from_example("cut-corner").n_samples
3005
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import BiomodularError

__all__ = ["names", "describe", "load", "prediction", "Example", "EXAMPLES"]

Seed = int | np.random.Generator | None


@dataclass(frozen=True)
class Example:
    """A named example dataset.

    Attributes
    ----------
    name : str
        Name used by :func:`load`.
    summary : str
        One line: what the data are and what the theory predicts.
    prediction : str
        ``"modular"`` or ``"mixed"``: the verdict of docs/mathematics.md, "The exact modularity condition" for it.
    n_sources : int
        Number of sources (columns).
    random : bool
        Whether the samples depend on the seed.
    make : callable
        ``make(rng) -> (samples, source_names)``.
    """

    name: str
    summary: str
    prediction: str
    n_sources: int
    random: bool
    make: Callable[[np.random.Generator], tuple[np.ndarray, tuple[str, ...]]]

    def __repr__(self) -> str:
        return f"Example({self.name!r}: {self.summary})"


# ----------------------------------------------------------------- samplers
def _uniform_in(rng: np.random.Generator, n: int, low, high, keep) -> np.ndarray:
    """``n`` uniform samples of the box ``[low, high]`` restricted to ``keep(x)`` (rejection)."""
    low, high = np.asarray(low, float), np.asarray(high, float)
    parts, have = [], 0
    while have < n:
        draw = rng.uniform(low, high, size=(2 * n, low.size))
        draw = draw[keep(draw)]
        parts.append(draw)
        have += draw.shape[0]
    return np.vstack(parts)[:n]


def _square(rng: np.random.Generator):
    """Uniform on [-1, 1]^2 plus the four corners (so the support is exactly the square).

    Every corner of the bounding box is in the support (range independence), so
    the condition of docs/mathematics.md, "The exact modularity condition" holds: modular.
    """
    corners = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    return np.vstack([corners, rng.uniform(-1.0, 1.0, size=(3000, 2))]), ("x", "y")


#: The cut of ``cut-corner``: the triangle {x + y < -CUT} is removed from the square.
CUT = 1.0


def _cut_corner(rng: np.random.Generator):
    """Uniform on {(x, y) in [-1, 1]^2 : x + y >= -1}, plus the five vertices.

    The cut joins the midpoints (-1, 0) and (0, -1) of two edges.  It crosses
    the ellipse of docs/mathematics.md, "The exact modularity condition", which pokes out of the hull towards the
    missing corner: mixed; the margin of the exact distribution is about
    -0.22.  Cutting off {x + y < -c} leaves the code modular only for
    c >= c* ~ 1.2559, the root of c^4 + 8c^3 + 24c^2 - 32c - 16 in (0, 2)
    (``biomodular prove cut-square-threshold``).
    """
    c = CUT
    vertices = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0 - c], [1.0 - c, -1.0], [1.0, -1.0]])
    inside = _uniform_in(rng, 3000, [-1.0, -1.0], [1.0, 1.0], lambda x: x.sum(axis=1) >= -c)
    return np.vstack([vertices, inside]), ("x", "y")


def _triangle(rng: np.random.Generator):
    """Uniform on the triangle {x >= 0, y >= 0, x + y <= 1}, plus its vertices.

    Mean (1/3, 1/3), beta = 1/3 for both sources; the ellipse crosses the
    hypotenuse (n^T F n = 5/36 > h^2 = 1/18 for its unit normal n): mixed.
    """
    u = rng.uniform(0.0, 1.0, size=(3000, 2))
    folded = u.sum(axis=1) > 1.0
    u[folded] = 1.0 - u[folded][:, ::-1]  # reflect the upper half into the triangle
    vertices = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    return np.vstack([vertices, u]), ("x", "y")


#: Correlation and clipping box (in standard deviations) of ``clipped-gaussian``.
RHO, CLIP = 0.6, 0.8


def _clipped_gaussian(rng: np.random.Generator):
    """4000 samples of a standard bivariate Gaussian with correlation 0.6, clipped to [-0.8, 0.8]^2.

    Clipping piles samples onto the edges and the corners of the box; each of
    the two anti-correlated corners receives about 23 samples on average, so
    all four corners are in the support except with probability below 1e-9.
    Range independent despite the correlation: modular.
    """
    cov = np.array([[1.0, RHO], [RHO, 1.0]])
    samples = rng.multivariate_normal(np.zeros(2), cov, size=4000, method="cholesky")
    return np.clip(samples, -CLIP, CLIP), ("u", "v")


def _grid(rng: np.random.Generator):
    """The 61 x 41 grid on [0, 3] x [-1, 1] (no randomness): range independent, modular."""
    x, y = np.meshgrid(np.linspace(0.0, 3.0, 61), np.linspace(-1.0, 1.0, 41), indexing="ij")
    return np.column_stack([x.ravel(), y.ravel()]), ("x", "y")


def _cube(rng: np.random.Generator):
    """Uniform on [0, 1]^3 plus its eight corners: range independent, modular."""
    corners = np.array([[a, b, c] for a in (0.0, 1.0) for b in (0.0, 1.0) for c in (0.0, 1.0)])
    return np.vstack([corners, rng.uniform(0.0, 1.0, size=(4000, 3))]), ("x", "y", "z")


#: The cut of ``pairs-pass``: the corner {x + y + z < PLANE} is removed from the cube.
PLANE = 0.9


def _pairs_pass(rng: np.random.Generator):
    """Uniform on {x in [0, 1]^3 : x + y + z >= 0.9}, plus its ten vertices.

    Every two-source projection is the full unit square (the points (0, 0, z)
    with z >= 0.9 still reach the projected corner), so every pair of sources
    is range independent and passes the test with w restricted to their plane.
    In three dimensions the ellipsoid of docs/mathematics.md, "The exact modularity condition", close to the ball of
    radius 1/2 about the centre, reaches the cut plane (its distance from the
    centre is (1.5 - 0.9) / sqrt(3) ~ 0.35 < 0.5): mixed, with the witness
    close to (1, 1, 1) / sqrt(3).  Checking pairs is necessary, not sufficient.
    """
    t = PLANE
    corners = [[a, b, c] for a in (0.0, 1.0) for b in (0.0, 1.0) for c in (0.0, 1.0) if a + b + c > 0]
    cut = [[t, 0.0, 0.0], [0.0, t, 0.0], [0.0, 0.0, t]]
    inside = _uniform_in(rng, 4000, [0.0] * 3, [1.0] * 3, lambda x: x.sum(axis=1) >= t)
    return np.vstack([np.array(corners + cut), inside]), ("x", "y", "z")


EXAMPLES: dict[str, Example] = {
    e.name: e
    for e in [
        Example(
            "square",
            "uniform on the square [-1,1]^2 with its 4 corners: range independent, the theory predicts a modular code",
            "modular",
            2,
            True,
            _square,
        ),
        Example(
            "cut-corner",
            "uniform square with the corner triangle x + y < -1 cut off: the cut "
            "crosses the ellipse, the theory predicts a mixed code",
            "mixed",
            2,
            True,
            _cut_corner,
        ),
        Example(
            "triangle",
            "uniform on the triangle x, y >= 0, x + y <= 1 (a square cut in half): the theory predicts a mixed code",
            "mixed",
            2,
            True,
            _triangle,
        ),
        Example(
            "clipped-gaussian",
            "Gaussian with correlation 0.6 clipped to a box so all 4 corners "
            "are hit: range independent despite the correlation, the theory predicts a modular code",
            "modular",
            2,
            True,
            _clipped_gaussian,
        ),
        Example(
            "grid",
            "regular 61 x 41 grid on the rectangle [0,3] x [-1,1]: range independent, "
            "the theory predicts a modular code",
            "modular",
            2,
            False,
            _grid,
        ),
        Example(
            "cube",
            "uniform on the cube [0,1]^3 with its 8 corners: range independent, the theory predicts a modular code",
            "modular",
            3,
            True,
            _cube,
        ),
        Example(
            "pairs-pass",
            "cube [0,1]^3 with the corner x + y + z < 0.9 cut off: every pair of "
            "sources passes, but the theory predicts a code mixing all three",
            "mixed",
            3,
            True,
            _pairs_pass,
        ),
    ]
}


# --------------------------------------------------------------------- API
def names() -> list[str]:
    """Names of the bundled examples, in a fixed order."""
    return list(EXAMPLES)


def _get(name: str) -> Example:
    try:
        return EXAMPLES[name]
    except (KeyError, TypeError):
        raise BiomodularError(f"no example named {name!r}; available: " + ", ".join(EXAMPLES)) from None


def describe(name: str) -> str:
    """One line: what the example is and what the theory predicts for it."""
    return _get(name).summary


def prediction(name: str) -> str:
    """The verdict the theory predicts for the example: ``"modular"`` or ``"mixed"``."""
    return _get(name).prediction


def load(name: str, seed: Seed = 0) -> tuple[np.ndarray, tuple[str, ...]]:
    """Generate an example dataset.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    seed : int or numpy.random.Generator, optional
        Seed of ``numpy.random.default_rng``; the same seed gives the same
        samples bit for bit (``None`` draws fresh entropy and is not
        reproducible).  Ignored by the deterministic ``grid``.

    Returns
    -------
    samples : ndarray, shape (n_samples, n_sources)
        A few thousand samples; where the support is a polytope its vertices
        are among them.
    source_names : tuple of str

    Raises
    ------
    BiomodularError
        For an unknown name or an unusable seed.
    """
    example = _get(name)
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise BiomodularError(f"seed must be a non-negative integer or a numpy Generator: {exc}") from None
    samples, source_names = example.make(rng)
    return np.ascontiguousarray(samples, dtype=np.float64), tuple(source_names)
