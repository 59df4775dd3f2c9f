"""Symbolic source models with exact moments, extremes, hull and the matrix F.

Every model is a :class:`SymbolicSources`: the same sufficient statistics as
:class:`biomodular.Sources` (mean, covariance, per-source extremes, hull
vertices), but as exact sympy expressions that may contain parameters.
Constructors:

- :func:`uniform_box` -- independent uniform sources on intervals;
- :func:`point_set` / :func:`grid` -- uniform on finitely many points with
  rational coordinates;
- :func:`polygon` -- uniform on a convex polygon;
- :func:`cut_box` -- uniform on the cube ``[-1, 1]^d`` with the corner simplex
  ``{x_1 + ... + x_d < -c}`` removed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

import sympy as sp

from ..errors import BiomodularError

__all__ = [
    "SymbolicSources",
    "uniform_box",
    "point_set",
    "grid",
    "polygon",
    "cut_box",
    "simplex_moments",
    "triangle_moments",
    "cut_box_moments_by_integration",
]


def _tidy(x):
    """Cheap canonical form (rational functions cancelled); avoids the cost of ``simplify``."""
    x = sp.sympify(x)
    try:
        return sp.cancel(x)
    except (sp.PolynomialError, TypeError, ValueError):  # pragma: no cover - exotic expressions
        return x


def _col(values) -> sp.Matrix:
    return sp.Matrix([sp.nsimplify(v) if isinstance(v, float) else sp.sympify(v) for v in values])


@dataclass(frozen=True, eq=False)
class SymbolicSources:
    """Exact sufficient statistics of ``d`` sources (docs/mathematics.md, "The biologically constrained linear autoencoder").

    Attributes
    ----------
    mean : sympy.Matrix, shape (d, 1)
    cov : sympy.Matrix, shape (d, d)
        Population covariance.
    lower, upper : sympy.Matrix, shape (d, 1)
        Per-source minimum and maximum over the support.
    vertices : tuple of sympy.Matrix
        Vertices of the convex hull of the support (not centred).
    facets : tuple of (sympy.Matrix, expr) or None
        Hull facets as ``(a, b)`` meaning ``a . x <= b`` (``a`` need not be a unit vector).
    names : tuple of str
    description : str
    parameters : tuple of sympy.Symbol
        Free parameters of the family (e.g. the cut ``c``).
    nearer_extreme : tuple of {"lower", "upper"} or None
        Which extreme of each source is nearer to the mean, when the family
        fixes it over its whole parameter range (otherwise ``beta`` is a ``Min``).
    """

    mean: sp.Matrix
    cov: sp.Matrix
    lower: sp.Matrix
    upper: sp.Matrix
    vertices: tuple
    facets: tuple | None
    names: tuple = ()
    description: str = ""
    parameters: tuple = field(default=())
    nearer_extreme: tuple | None = None

    @property
    def n_sources(self) -> int:
        return self.mean.shape[0]

    @cached_property
    def centred_vertices(self) -> tuple:
        return tuple(_tidy(v - self.mean) for v in self.vertices)

    @cached_property
    def beta(self) -> sp.Matrix:
        """Distance from the mean to each source's nearer extreme (docs/mathematics.md, "The biologically constrained linear autoencoder").

        ``Min`` of the two distances; for parametric families where sympy cannot
        decide which extreme is nearer, the ``Min`` stays unevaluated.
        """
        if self.nearer_extreme is not None:
            return sp.Matrix(
                [
                    sp.factor(self.mean[j] - self.lower[j])
                    if side == "lower"
                    else sp.factor(self.upper[j] - self.mean[j])
                    for j, side in enumerate(self.nearer_extreme)
                ]
            )
        return sp.Matrix(
            [
                sp.Min(_tidy(self.mean[j] - self.lower[j]), _tidy(self.upper[j] - self.mean[j]))
                for j in range(self.n_sources)
            ]
        )

    @cached_property
    def energies(self) -> sp.Matrix:
        """``E_j = C_jj + beta_j^2``: activity energy of a unit-gain modular neuron."""
        return sp.Matrix([self.cov[j, j] + self.beta[j] ** 2 for j in range(self.n_sources)])

    @cached_property
    def modularity_matrix(self) -> sp.Matrix:
        """``F``: ``F_jj = beta_j^2``, ``F_jk = -C_jk`` (docs/mathematics.md, "The exact modularity condition")."""
        d = self.n_sources
        return sp.Matrix(d, d, lambda j, k: self.beta[j] ** 2 if j == k else -self.cov[j, k])

    @property
    def F(self) -> sp.Matrix:
        """Alias of :attr:`modularity_matrix`."""
        return self.modularity_matrix

    def support_min(self, w: Sequence) -> sp.Expr:
        """``m(w) = min_i w . (v_i - mean)`` over the hull vertices."""
        col = _col(w)
        return sp.Min(*[sp.expand((col.T * v)[0]) for v in self.centred_vertices])

    @cached_property
    def range_independent(self) -> bool | None:
        """Whether every corner of the bounding box is a hull vertex (None if undecidable)."""
        d = self.n_sources
        verts = {tuple(_tidy(x) for x in v) for v in self.vertices}
        for corner in itertools.product(*[(self.lower[j], self.upper[j]) for j in range(d)]):
            if tuple(_tidy(x) for x in corner) not in verts:
                return False
        return True

    def subs(self, values: dict) -> "SymbolicSources":
        """The model with parameters replaced by values."""

        def s(x):
            return _tidy(sp.sympify(x).subs(values))

        return SymbolicSources(
            mean=self.mean.subs(values).applyfunc(_tidy),
            cov=self.cov.subs(values).applyfunc(_tidy),
            lower=self.lower.subs(values).applyfunc(_tidy),
            upper=self.upper.subs(values).applyfunc(_tidy),
            vertices=tuple(v.subs(values).applyfunc(_tidy) for v in self.vertices),
            facets=None if self.facets is None else tuple((a.subs(values), s(b)) for a, b in self.facets),
            names=self.names,
            description=self.description,
            parameters=tuple(p for p in self.parameters if p not in values),
            nearer_extreme=self.nearer_extreme,
        )

    def numeric(self, digits: int = 17) -> dict:
        """Float statistics (needs all parameters substituted): mean, cov, vertices, lower, upper."""
        if self.parameters:
            raise BiomodularError(f"substitute the parameters {[p.name for p in self.parameters]} first (use .subs)")

        def f(x):
            return float(sp.N(x, digits))

        d = self.n_sources
        return {
            "mean": [f(self.mean[j]) for j in range(d)],
            "cov": [[f(self.cov[j, k]) for k in range(d)] for j in range(d)],
            "lower": [f(x) for x in self.lower],
            "upper": [f(x) for x in self.upper],
            "vertices": [[f(x) for x in v] for v in self.vertices],
        }

    def to_dict(self) -> dict:
        """JSON-ready exact statistics (sympy expressions as strings)."""
        d = self.n_sources
        return {
            "description": self.description,
            "names": list(self.names),
            "parameters": [p.name for p in self.parameters],
            "mean": [str(x) for x in self.mean],
            "cov": [[str(self.cov[j, k]) for k in range(d)] for j in range(d)],
            "lower": [str(x) for x in self.lower],
            "upper": [str(x) for x in self.upper],
            "vertices": [[str(x) for x in v] for v in self.vertices],
            "beta": [str(x) for x in self.beta],
            "F": [[str(self.modularity_matrix[j, k]) for k in range(d)] for j in range(d)],
        }

    def __repr__(self) -> str:
        params = f", parameters={[p.name for p in self.parameters]}" if self.parameters else ""
        return (
            f"SymbolicSources({self.description or 'model'}, n_sources={self.n_sources}, "
            f"{len(self.vertices)} hull vertices{params})"
        )


# ----------------------------------------------------------------- moments
def triangle_moments(a, b, c) -> tuple:
    """Signed area, first moment and second moment (about the origin) of a triangle.

    ``int x dA = area * (a + b + c) / 3`` and
    ``int x x^T dA = area / 12 * (a a^T + b b^T + c c^T + s s^T)`` with ``s = a + b + c``.
    """
    return simplex_moments([a, b, c])


def simplex_moments(vertices: Sequence[sp.Matrix]) -> tuple:
    """Signed volume, first and second moments (about the origin) of a d-simplex.

    With ``s`` the sum of the ``d + 1`` vertices:
    ``int x = vol * s / (d + 1)``,
    ``int x x^T = vol / ((d + 1)(d + 2)) * (sum_i v_i v_i^T + s s^T)``.
    """
    verts = [_col(v) for v in vertices]
    d = verts[0].shape[0]
    if len(verts) != d + 1:
        raise BiomodularError(f"a {d}-simplex needs {d + 1} vertices, got {len(verts)}")
    edges = sp.Matrix.hstack(*[v - verts[0] for v in verts[1:]])
    vol = edges.det() / sp.factorial(d)
    s = sum(verts[1:], verts[0])
    first = vol * s / (d + 1)
    second = vol / ((d + 1) * (d + 2)) * (sum((v * v.T for v in verts[1:]), verts[0] * verts[0].T) + s * s.T)
    return vol, first, second


def _from_moments(vol, first, second) -> tuple:
    mean = (first / vol).applyfunc(sp.factor)
    cov = (second / vol - mean * mean.T).applyfunc(sp.factor)
    return mean, cov


# ----------------------------------------------------------------- constructors
def uniform_box(lows: Sequence, highs: Sequence, names: Sequence[str] | None = None) -> SymbolicSources:
    """Independent sources, source ``j`` uniform on ``[lows[j], highs[j]]``."""
    lo, hi = _col(lows), _col(highs)
    d = lo.shape[0]
    if hi.shape[0] != d or d < 1:
        raise BiomodularError("lows and highs must have the same length (one per source)")
    mean = (lo + hi) / 2
    cov = sp.diag(*[(hi[j] - lo[j]) ** 2 / 12 for j in range(d)])
    verts = tuple(sp.Matrix(c) for c in itertools.product(*[(lo[j], hi[j]) for j in range(d)]))
    facets = []
    for j in range(d):
        e = sp.zeros(d, 1)
        e[j] = 1
        facets += [(e, hi[j]), (-e, -lo[j])]
    params = tuple(sorted((lo.free_symbols | hi.free_symbols), key=lambda s: s.name))
    return SymbolicSources(mean, cov, lo, hi, verts, tuple(facets), _names(names, d), "uniform on a box", params)


def _names(names, d):
    return tuple(names) if names is not None else tuple(f"s{j + 1}" for j in range(d))


def _hull_2d(points: list) -> list:
    """Exact convex hull of 2-D points (counter-clockwise, no collinear points)."""
    pts = sorted({(p[0], p[1]) for p in points}, key=lambda p: (p[0], p[1]))
    if len(pts) < 3:
        return [sp.Matrix(p) for p in pts]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return [sp.Matrix(p) for p in lower[:-1] + upper[:-1]]


def _polygon_facets(verts: list) -> tuple:
    """Facets ``a . x <= b`` of a counter-clockwise convex polygon."""
    facets = []
    for i, v in enumerate(verts):
        w = verts[(i + 1) % len(verts)]
        a = sp.Matrix([w[1] - v[1], v[0] - w[0]])  # outward normal of a CCW edge
        facets.append((a, sp.expand((a.T * v)[0])))
    return tuple(facets)


def point_set(
    points: Sequence[Sequence], weights: Sequence | None = None, names: Sequence[str] | None = None
) -> SymbolicSources:
    """Sources taking finitely many values (rational coordinates), with given or equal weights."""
    pts = [_col(p) for p in points]
    if not pts:
        raise BiomodularError("point_set needs at least one point")
    d = pts[0].shape[0]
    if any(p.shape[0] != d for p in pts):
        raise BiomodularError("all points must have the same number of coordinates")
    wts = [sp.Integer(1)] * len(pts) if weights is None else [sp.nsimplify(w) for w in weights]
    total = sum(wts)
    mean = sum((w * p for w, p in zip(wts, pts)), sp.zeros(d, 1)) / total
    cov = sum(((p - mean) * (p - mean).T * w for w, p in zip(wts, pts)), sp.zeros(d, d)) / total
    lower = sp.Matrix([min(p[j] for p in pts) for j in range(d)])
    upper = sp.Matrix([max(p[j] for p in pts) for j in range(d)])
    if d == 2:
        verts = _hull_2d([tuple(p) for p in pts])
        facets = _polygon_facets(verts)
    else:
        verts, facets = list({tuple(p): p for p in pts}.values()), None
    return SymbolicSources(
        mean.applyfunc(sp.nsimplify),
        cov.applyfunc(sp.nsimplify),
        lower,
        upper,
        tuple(verts),
        facets,
        _names(names, d),
        "uniform on a finite point set",
    )


def grid(axes: Sequence[Sequence], names: Sequence[str] | None = None) -> SymbolicSources:
    """Uniform on the product grid ``axes[0] x axes[1] x ...`` (rational values)."""
    return point_set(list(itertools.product(*axes)), names=names)


def polygon(vertices: Sequence[Sequence], names: Sequence[str] | None = None) -> SymbolicSources:
    """Uniform density on a convex polygon given by its vertices (any order)."""
    verts = [_col(v) for v in vertices]
    if len(verts) < 3 or any(v.shape[0] != 2 for v in verts):
        raise BiomodularError("a polygon needs at least three 2-D vertices")
    free = set().union(*[v.free_symbols for v in verts])
    if not free:
        verts = _hull_2d([tuple(v) for v in verts])
    # else: the caller gives a counter-clockwise convex order valid for the parameter range
    vol = sp.Integer(0)
    first, second = sp.zeros(2, 1), sp.zeros(2, 2)
    for i in range(1, len(verts) - 1):
        a, f1, f2 = triangle_moments(verts[0], verts[i], verts[i + 1])
        vol += a
        first += f1
        second += f2
    mean, cov = _from_moments(sp.factor(vol), first, second)
    lower = sp.Matrix([sp.Min(*[v[j] for v in verts]) for j in range(2)])
    upper = sp.Matrix([sp.Max(*[v[j] for v in verts]) for j in range(2)])
    return SymbolicSources(
        mean,
        cov,
        lower,
        upper,
        tuple(verts),
        _polygon_facets(verts),
        _names(names, 2),
        "uniform on a polygon",
        tuple(sorted(free, key=lambda s: s.name)),
    )


def cut_box(d: int, c=None, names: Sequence[str] | None = None) -> SymbolicSources:
    """Uniform on ``[-1, 1]^d`` with the corner ``{x_1 + ... + x_d < -c}`` removed.

    The removed set is the simplex with corner ``(-1, ..., -1)`` and legs of
    length ``t = d - c``; it is a proper corner of the cube (the cut plane
    meets only the ``d`` edges at that corner) exactly when ``d - 2 < c < d``,
    the range this model accepts.  There the per-source ranges stay
    ``[-1, 1]``, the mean is ``(mu, ..., mu)`` with ``mu > 0`` (so the nearer
    extreme of every source is its maximum, ``beta = 1 - mu``), and the hull
    has the ``2^d - 1`` remaining cube corners plus ``d`` cut vertices.

    Parameters
    ----------
    d : int
        Number of sources (2 or more).
    c : sympy expression or number, optional
        The cut; a positive-free symbol ``c`` by default.
    """
    if d < 2:
        raise BiomodularError("cut_box needs d >= 2 sources")
    if c is None:
        c = sp.Symbol("c", real=True)
    c = sp.sympify(c)
    if c.is_number and not (d - 2 < c < d):
        raise BiomodularError(
            f"the corner cut needs {d - 2} < c < {d} for d = {d} (otherwise it removes nothing or more than a corner)"
        )
    t = d - c
    ones = sp.ones(d, 1)
    corner = -ones
    simplex = [corner] + [corner + t * sp.eye(d)[:, j] for j in range(d)]
    s_vol, s_first, s_second = simplex_moments(simplex)
    box_vol = sp.Integer(2) ** d
    box_second = box_vol / 3 * sp.eye(d)
    vol = box_vol - s_vol
    mean, cov = _from_moments(sp.factor(vol), -s_first, box_second - s_second)
    verts = [sp.Matrix(p) for p in itertools.product((-1, 1), repeat=d) if any(x == 1 for x in p)]
    verts += simplex[1:]
    facets = []
    for j in range(d):
        e = sp.zeros(d, 1)
        e[j] = 1
        facets += [(e, sp.Integer(1)), (-e, sp.Integer(1))]
    facets.append((-ones, c))  # -(x_1 + ... + x_d) <= c
    return SymbolicSources(
        mean,
        cov,
        -ones,
        ones,
        tuple(verts),
        tuple(facets),
        _names(names, d),
        f"cube [-1, 1]^{d} minus the corner x1+...+x{d} < -c",
        tuple(sorted(c.free_symbols, key=lambda s: s.name)),
        nearer_extreme=("upper",) * d,
    )


def cut_box_moments_by_integration(d: int, c) -> tuple:
    """Mean and covariance of the uniform density on the cut cube, by iterated integration.

    An independent route to :func:`cut_box`'s moments (which use the closed
    simplex-moment formula): the box and the removed corner simplex
    ``{y >= 0, y_1 + ... + y_d <= d - c}`` (``y = x + 1``) are integrated
    coordinate by coordinate with sympy, and the remainder's moments are the
    differences.
    """
    c = sp.sympify(c)
    t = d - c
    ys = sp.symbols(f"y_1:{d + 1}", real=True)
    zs = sp.symbols(f"z_1:{d + 1}", real=True)

    def corner(f):
        for k in range(d - 1, -1, -1):
            f = sp.integrate(f, (ys[k], 0, t - sum(ys[:k])))
        return sp.expand(f)

    def box(f):
        for z in zs:
            f = sp.integrate(f, (z, -1, 1))
        return f

    xs = [y - 1 for y in ys]
    vol = box(sp.Integer(1)) - corner(sp.Integer(1))
    mean = sp.Matrix([(box(zs[i]) - corner(xs[i])) / vol for i in range(d)])
    second = sp.Matrix(d, d, lambda i, j: (box(zs[i] * zs[j]) - corner(xs[i] * xs[j])) / vol)
    return mean, second - mean * mean.T  # left unsimplified: the comparison with cut_box does the work
