"""Proofs whose every step is machine-checked, and their Markdown/LaTeX rendering.

A :class:`Proof` is a list of :class:`Step` objects.  Each step states one claim
(an identity, an inequality with a certificate, or an exact root of an
equation) and a human reason.  :meth:`Step.check` checks the claim twice:

1. symbolically, with sympy (cancel / simplify / trigonometric expansion must
   reduce the difference to exactly zero; inequalities must come with a
   certificate whose own identities and sign conditions are checked the same way);
2. numerically, by evaluating both sides with 50 significant digits at seeded
   random points of the claim's domain, with an explicit tolerance.

A claim passes only if both checks pass: ``simplify`` returning 0 is not
trusted on its own, and random evaluation is not trusted on its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

import sympy as sp

if TYPE_CHECKING:
    from .smt import SMTVerdict

__all__ = [
    "Proof",
    "Fact",
    "Eq",
    "Ge",
    "Gt",
    "UniqueRoot",
    "AllOf",
    "Iff",
    "Hypothesis",
    "Conjunction",
    "Biconditional",
    "Instance",
    "Linearity",
    "Averaged",
    "Termwise",
    "SumSplit",
    "InPolytope",
    "Reindex",
    "MeanOfSum",
    "Step",
    "StepCheck",
    "Identity",
    "Inequality",
    "RootOf",
    "SOS",
    "Nonneg",
    "SignCases",
    "NoRootIn",
    "BesideRoot",
    "Constant",
    "NUMERIC_DIGITS",
    "NUMERIC_TOLERANCE",
    "N_POINTS",
]

#: Working precision (significant digits) of the numeric check.
NUMERIC_DIGITS = 50
#: Relative tolerance of the numeric check: |lhs - rhs| <= tol * max(1, |lhs|, |rhs|).
#: Far above the rounding error at 50 digits (about 1e-48) and far below any
#: genuine discrepancy of a wrong formula.
NUMERIC_TOLERANCE = sp.Rational(1, 10**35)
#: Random points per claim.
N_POINTS = 12

Domain = Mapping[sp.Symbol, tuple]


# --------------------------------------------------------------------- numerics
def _sample_value(sym: sp.Symbol, domain: Domain, rng: random.Random) -> sp.Float:
    """One random high-precision value of ``sym`` inside its domain."""
    lo, hi = domain.get(sym, (None, None))
    if lo is None and hi is None:
        if sym.is_positive or sym.is_nonnegative:
            lo, hi = 0, None
        elif sym.is_negative or sym.is_nonpositive:
            lo, hi = None, 0
    u = sp.Rational(rng.randrange(1, 10**40), 10**40)  # in (0, 1), 40 digits
    lo = None if lo is None else sp.Float(sp.N(lo, NUMERIC_DIGITS + 10), NUMERIC_DIGITS + 10)
    hi = None if hi is None else sp.Float(sp.N(hi, NUMERIC_DIGITS + 10), NUMERIC_DIGITS + 10)
    if lo is not None and hi is not None:
        value = sp.sympify(lo) + (sp.sympify(hi) - sp.sympify(lo)) * u
    elif lo is not None:  # (lo, inf): log-uniform offset in (1e-2, 1e2)
        value = sp.sympify(lo) + sp.Float(10, NUMERIC_DIGITS + 10) ** (4 * u - 2)
    elif hi is not None:
        value = sp.sympify(hi) - sp.Float(10, NUMERIC_DIGITS + 10) ** (4 * u - 2)
    else:
        value = 6 * u - 3
    return sp.Float(value, NUMERIC_DIGITS + 10)


def _evaluate(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Float]) -> sp.Expr:
    expr = sp.sympify(expr)
    if expr.has(sp.Derivative, sp.Subs):  # derivatives are taken symbolically, then evaluated
        expr = expr.doit()
    return expr.evalf(NUMERIC_DIGITS + 5, subs=dict(point))


_FLOAT_GAPS: dict = {}


def _clearly_violated(cond, point) -> bool:
    """A fast float look at ``lhs - rhs`` of an inequality condition: True only when it is violated by far more
    than rounding (so rejecting the point early changes nothing); the exact check decides everything else."""
    if not isinstance(cond, (sp.Ge, sp.Gt, sp.Le, sp.Lt)):
        return False
    syms = tuple(sorted(cond.free_symbols, key=lambda s: s.name))
    key = (cond, syms)
    if key not in _FLOAT_GAPS:
        gap = cond.lhs - cond.rhs if isinstance(cond, (sp.Ge, sp.Gt)) else cond.rhs - cond.lhs
        try:
            _FLOAT_GAPS[key] = (
                sp.lambdify(syms, gap, "math"),
                sp.lambdify(syms, abs(cond.lhs) + abs(cond.rhs), "math"),
            )
        except Exception:  # noqa: BLE001 - anything lambdify cannot compile is left to the exact check
            _FLOAT_GAPS[key] = None
    funcs = _FLOAT_GAPS[key]
    if funcs is None:
        return False
    try:
        args = [float(point[s]) for s in syms]
        gap, scale = funcs[0](*args), funcs[1](*args)
    except Exception:  # noqa: BLE001 - overflow, a domain error: the exact check decides
        return False
    return isinstance(gap, float) and isinstance(scale, float) and gap < -1e-9 * max(1.0, scale)


def _satisfies(conditions: Sequence, point) -> bool:
    for cond in conditions:
        if hasattr(cond, "free_symbols") and not cond.free_symbols <= set(point):
            continue  # a condition on symbols this claim does not use
        if _clearly_violated(cond, point):
            return False
        value = cond.subs(point) if hasattr(cond, "subs") else cond
        if value is not sp.true and value is not True:
            if value is sp.false or value is False:
                return False
            value = sp.sympify(value).evalf(NUMERIC_DIGITS, subs=dict(point))
            if value not in (sp.true, True):
                return False
    return True


def random_points(
    symbols: Iterable[sp.Symbol],
    domain: Domain,
    where: Sequence = (),
    n: int = N_POINTS,
    seed: int = 0,
) -> list[dict]:
    """Seeded random high-precision points of the domain satisfying ``where``."""
    symbols = sorted(set(symbols), key=lambda s: s.name)
    rng = random.Random(seed)
    points: list[dict] = []
    tries = 0
    while len(points) < n and tries < 200 * n:
        tries += 1
        point = {s: _sample_value(s, domain, rng) for s in symbols}
        if _satisfies(where, point):
            points.append(point)
    return points


def _real_number(value) -> complex | None:
    try:
        c = complex(value)
    except (TypeError, ValueError):
        return None
    return c


def numeric_difference(lhs, rhs, points: Sequence[dict]) -> float | None:
    """Largest relative difference |lhs - rhs| / max(1, |lhs|, |rhs|) over the points."""
    worst = 0.0
    if not points:
        return None
    for point in points:
        a = _evaluate(lhs, point)
        b = _evaluate(rhs, point)
        diff = _real_number(sp.N(a - b, NUMERIC_DIGITS))
        av, bv = _real_number(a), _real_number(b)
        if diff is None or av is None or bv is None:
            return None
        scale = max(1.0, abs(av), abs(bv))
        worst = max(worst, abs(diff) / scale)
    return worst


def numeric_min(expr, points: Sequence[dict]) -> float | None:
    """Smallest real value of ``expr`` over the points (None if not real)."""
    best = None
    for point in points:
        v = _real_number(sp.N(_evaluate(expr, point), NUMERIC_DIGITS))
        if v is None or abs(v.imag) > float(NUMERIC_TOLERANCE) * max(1.0, abs(v.real)):
            return None
        best = v.real if best is None else min(best, v.real)
    return best


# -------------------------------------------------------------------- symbolic
def symbolic_zero(expr) -> tuple[bool, str]:
    """Try to reduce ``expr`` to exactly 0; return (success, method)."""
    expr = sp.sympify(expr)
    if expr == 0:
        return True, "identical"
    if _clearly_nonzero(expr):
        return False, "nothing (nonzero at a random point)"
    attempts: list[tuple[str, Callable]] = [
        ("expand", sp.expand),
        ("doit+simplify", lambda e: sp.simplify(e.doit()) if e.has(sp.Derivative, sp.Subs, sp.Sum) else e),
        ("cancel", lambda e: sp.cancel(sp.together(e))),
        ("simplify", sp.simplify),
        ("expand_trig+simplify", lambda e: sp.simplify(sp.expand_trig(e))),
        ("radsimp", lambda e: sp.simplify(sp.radsimp(sp.expand(e)))),
    ]
    for name, fn in attempts:
        try:
            if fn(expr) == 0:
                return True, name
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
    try:
        if expr.equals(0) is True:
            return True, "equals"
    except (TypeError, ValueError, NotImplementedError):
        pass
    return False, "nothing (not reduced to 0)"


def _clearly_nonzero(expr) -> bool:
    """Whether ``expr`` is far from zero at a random point of its symbols' domains (a fast way to fail;
    never used to accept)."""
    syms = [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy)]
    if len(syms) != len(expr.free_symbols) or expr.has(sp.Sum):
        return False  # a sum over a symbolic range has no value at a non-integer point
    try:
        if expr.has(sp.Derivative, sp.Subs):
            expr = expr.doit()
        for point in random_points(syms, {}, (), n=2, seed=12345):
            value = complex(sp.N(expr.subs(point), 30))
            if abs(value) > 1e-15:
                return True
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return False
    return False


def _manifestly_nonnegative(expr) -> bool:
    """True when sympy's assumption system proves ``expr >= 0`` after expansion."""
    expr = sp.sympify(expr)
    for form in (expr, sp.expand(expr), sp.factor(expr)):
        if form.is_nonnegative is True:
            return True
    return False


# ----------------------------------------------------------------- certificates
@dataclass(frozen=True)
class CertificateCheck:
    symbolic: bool
    numeric: bool
    detail: str


class Certificate:
    """A reason why ``gap >= 0`` that can itself be checked."""

    kind = "certificate"

    def check(self, gap, domain, where, seed) -> CertificateCheck:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def latex(self) -> str:
        return "\\text{" + self.describe().replace("_", "\\_") + "}"


@dataclass(frozen=True)
class SOS(Certificate):
    """``gap == sum_i coef_i * base_i**2 + rest`` with every coef_i and rest manifestly >= 0."""

    terms: tuple
    rest: sp.Expr = sp.Integer(0)
    kind = "sum of squares"

    def expression(self):
        return sum((c * b**2 for c, b in self.terms), sp.Integer(0)) + self.rest

    def check(self, gap, domain, where, seed):
        form = self.expression()
        ok_sym, how = symbolic_zero(gap - form)
        coefs = [c for c, _ in self.terms] + ([self.rest] if self.rest != 0 else [])
        ok_signs = all(_manifestly_nonnegative(c) for c in coefs)
        syms = sp.sympify(gap).free_symbols | sp.sympify(form).free_symbols
        pts = random_points(syms, domain, where, seed=seed)
        diff = numeric_difference(gap, form, pts)
        mins = [numeric_min(c, pts) for c in coefs]
        ok_num = (
            diff is not None
            and diff <= float(NUMERIC_TOLERANCE)
            and all(m is not None and m >= -float(NUMERIC_TOLERANCE) for m in mins)
        )
        return CertificateCheck(
            ok_sym and ok_signs,
            ok_num,
            f"gap - SOS: {how}; weights >= 0: {ok_signs}; numeric max rel. diff {_fmt(diff)}",
        )

    def describe(self):
        return (
            "gap = "
            + " + ".join(f"({sp.sstr(c)})*({sp.sstr(b)})^2" for c, b in self.terms)
            + ("" if self.rest == 0 else f" + {sp.sstr(self.rest)}")
        )

    def latex(self):
        parts = [f"{_paren(c)}\\left({sp.latex(b)}\\right)^2" for c, b in self.terms]
        if self.rest != 0:
            parts.append(sp.latex(self.rest))
        return "\\text{gap} = " + " + ".join(parts)


def _paren(c) -> str:
    if c == 1:
        return ""
    return f"\\left({sp.latex(c)}\\right)"


@dataclass(frozen=True)
class Nonneg(Certificate):
    """``gap == form`` where ``form`` is manifestly nonnegative under the symbols' assumptions
    (a sum of products of nonnegative symbols and squares)."""

    form: sp.Expr
    kind = "manifestly nonnegative form"

    def check(self, gap, domain, where, seed):
        ok_sym, how = symbolic_zero(gap - self.form)
        ok_sign = _manifestly_nonnegative(self.form)
        syms = sp.sympify(gap).free_symbols | sp.sympify(self.form).free_symbols
        pts = random_points(syms, domain, where, seed=seed)
        diff = numeric_difference(gap, self.form, pts)
        low = numeric_min(self.form, pts)
        ok_num = diff is not None and diff <= float(NUMERIC_TOLERANCE) and low is not None and low >= 0
        return CertificateCheck(
            ok_sym and ok_sign,
            ok_num,
            f"gap - form: {how}; form >= 0 by assumptions: {ok_sign}; numeric max rel. diff {_fmt(diff)}",
        )

    def describe(self):
        return f"gap = {sp.sstr(self.form)} (each term >= 0)"

    def latex(self):
        return "\\text{gap} = " + sp.latex(self.form)


@dataclass(frozen=True)
class SignCases(Certificate):
    """Case split on the signs of some real symbols.

    Every sign pattern of ``symbols`` is a case (so the cases cover the domain);
    in each case a symbol ``x`` is replaced by ``+p`` or ``-p`` with ``p >= 0``
    and the resulting gap must be manifestly nonnegative (or reduce to an
    SOS given by ``case_certificate(case_gap)``).
    """

    symbols: tuple
    kind = "case split on signs"

    def cases(self):
        import itertools

        for signs in itertools.product((1, -1), repeat=len(self.symbols)):
            subs = {}
            for x, s in zip(self.symbols, signs):
                p = sp.Symbol(f"{x.name}_abs", nonnegative=True)
                subs[x] = s * p
            yield signs, subs

    def check(self, gap, domain, where, seed):
        ok_sym, ok_num = True, True
        details = []
        lows = []
        for k, (signs, subs) in enumerate(self.cases()):
            case_gap = sp.expand(sp.sympify(gap).subs(subs))
            ok = _manifestly_nonnegative(case_gap)
            ok_sym &= ok
            # numeric, per case: random points of this orthant (the new symbols are >= 0)
            pts = random_points(case_gap.free_symbols, domain, where, seed=seed + k)
            low = numeric_min(case_gap, pts) if case_gap.free_symbols else numeric_min(case_gap, [{}])
            ok_case = low is not None and low >= -float(NUMERIC_TOLERANCE)
            ok_num &= ok_case
            lows.append(low)
            details.append(f"{''.join('+' if s > 0 else '-' for s in signs)}:{'ok' if ok and ok_case else 'FAIL'}")
        low = min((x for x in lows if x is not None), default=None)
        return CertificateCheck(ok_sym, ok_num, "cases " + " ".join(details) + f"; numeric min over cases {_fmt(low)}")

    def describe(self):
        return (
            "case split on the signs of "
            + ", ".join(s.name for s in self.symbols)
            + "; in every case the gap is a sum of nonnegative terms"
        )


@dataclass(frozen=True)
class NoRootIn(Certificate):
    """``gap`` is a rational function of one variable ``var`` with no zero or pole
    in the open interval (lo, hi) and positive at its midpoint, so it is positive on it.
    Root counts are exact (Sturm sequences, sympy ``count_roots``)."""

    var: sp.Symbol
    lo: sp.Expr
    hi: sp.Expr
    kind = "exact root count (Sturm)"

    def check(self, gap, domain, where, seed):
        num, den = sp.fraction(sp.cancel(sp.together(gap)))
        try:
            pn = sp.Poly(num, self.var)
            pd = sp.Poly(den, self.var)
        except sp.PolynomialError:
            return CertificateCheck(False, False, "not a rational function of " + self.var.name)
        lo, hi = sp.nsimplify(self.lo), sp.nsimplify(self.hi)
        roots_num = _open_interval_roots(pn, lo, hi)
        roots_den = _open_interval_roots(pd, lo, hi)
        mid = (lo + hi) / 2
        mid_value = sp.sympify(gap).subs(self.var, mid)
        ok_sym = roots_num == 0 and roots_den == 0 and bool(sp.nsimplify(mid_value) > 0)
        dom = dict(domain)
        dom[self.var] = (self.lo, self.hi)
        pts = random_points({self.var}, dom, where, n=4 * N_POINTS, seed=seed)
        low = numeric_min(gap, pts)
        ok_num = low is not None and low > 0
        return CertificateCheck(
            ok_sym,
            ok_num,
            f"roots in ({lo}, {hi}): numerator {roots_num}, denominator {roots_den}; "
            f"value at midpoint {sp.N(mid_value, 6)}; numeric min {_fmt(low)}",
        )

    def describe(self):
        return (
            f"no root or pole of the gap in {self.var.name} in ({self.lo}, {self.hi}) (Sturm count) "
            "and positive at the midpoint"
        )


@dataclass(frozen=True)
class BesideRoot(Certificate):
    """``gap`` (rational in ``var``) is positive on the open interval between its root ``root`` and ``end``.

    Exact: the numerator has exactly one zero in ``(lo, hi)`` (Sturm count),
    ``root`` is a zero of it, the denominator has none there, and ``gap`` is
    positive at the rational ``probe`` strictly between ``root`` and ``end``;
    with no other zero or pole, the sign is constant on that side.
    """

    var: sp.Symbol
    lo: sp.Expr
    hi: sp.Expr
    root: sp.Expr
    end: sp.Expr
    probe: sp.Expr
    kind = "sign beside the only root (Sturm)"

    def check(self, gap, domain, where, seed):
        num, den = sp.fraction(sp.cancel(sp.together(gap)))
        pn, pd = sp.Poly(num, self.var), sp.Poly(den, self.var)
        lo, hi = sp.nsimplify(self.lo), sp.nsimplify(self.hi)
        n_num, n_den = _open_interval_roots(pn, lo, hi), _open_interval_roots(pd, lo, hi)
        is_root, _ = _divides_by_minimal_polynomial(pn, self.root, self.var)
        a, b = sorted([self.root, self.end], key=lambda v: sp.N(v, 50))
        between = bool(a < self.probe) and bool(self.probe < b) and lo <= a and b <= hi
        value = sp.sympify(gap).subs(self.var, self.probe)
        ok_sym = n_num == 1 and n_den == 0 and is_root and between and bool(sp.nsimplify(value) > 0)
        dom = dict(domain)
        dom[self.var] = (a, b)
        pts = random_points({self.var}, dom, where, n=2 * N_POINTS, seed=seed)
        low = numeric_min(gap, pts)
        return CertificateCheck(
            ok_sym,
            low is not None and low > 0,
            f"numerator zeros in ({lo}, {hi}): {n_num}, denominator zeros: {n_den}, the root is a zero: "
            f"{is_root}, probe {self.probe} between: {between}, value there {sp.N(value, 6)}; numeric min {_fmt(low)}",
        )

    def describe(self):
        return f"only zero of the numerator in ({self.lo}, {self.hi}) is the root; positive at {self.probe}"


def _open_interval_roots(poly: sp.Poly, lo, hi) -> int:
    if poly.degree() <= 0:
        return 0
    try:
        count = poly.count_roots(lo, hi)  # closed interval, exact (Sturm)
    except (sp.polys.polyerrors.DomainError, NotImplementedError):
        return -1  # cannot count exactly: reported as a failed check
    count -= int(poly.eval(lo) == 0) + int(poly.eval(hi) == 0)
    return count


# ----------------------------------------------------------------------- facts
def _canon(x) -> str:
    """A canonical string of an expression or matrix (expanded), for comparing facts exactly."""
    if isinstance(x, (list, tuple)):
        x = sp.Matrix(x)
    if isinstance(x, sp.MatrixBase):
        return "M" + str(x.shape) + "[" + ";".join(_canon(e) for e in x) + "]"
    x = sp.sympify(x)
    try:
        x = sp.expand(x)
    except (TypeError, ValueError, RecursionError):  # pragma: no cover - exotic expressions
        pass
    return sp.srepr(x)


def _domain_tuple(domain) -> tuple:
    items = dict(domain).items() if not isinstance(domain, tuple) else domain
    return tuple(sorted(((s, (lo, hi)) for s, (lo, hi) in items), key=lambda t: t[0].name))


def _neg(x):
    return -x if not isinstance(x, (list, tuple)) else -sp.Matrix(x)


@dataclass(frozen=True)
class Fact:
    """A formal claim, universally quantified over its free symbols.

    ``rel`` is ``"="``, ``">="`` or ``">"`` (``lhs REL rhs``; ``"="`` also for
    matrices, entrywise), ``"root"`` (``lhs``, a rational function of ``var``,
    has exactly one zero in the open interval ``(lo, hi)``, namely ``rhs``),
    ``"all"`` (the conjunction of ``parts``), or ``"iff"`` (for every ``var`` in
    ``(lo, hi)``, the predicate named ``lhs``, the conjunction of ``parts``, holds
    exactly when the one-sided condition ``rhs`` on ``var`` does; see :func:`Iff`).  The symbols range over the
    values their sympy assumptions allow (``real``, ``positive``, ...),
    restricted by ``domain`` (open intervals) and the conditions ``where``.
    """

    rel: str
    lhs: object = 0
    rhs: object = 0
    where: tuple = ()
    domain: tuple = ()
    var: object = None
    lo: object = None
    hi: object = None
    parts: tuple = ()

    def key(self) -> tuple:
        """Exact identity of the fact: two facts with equal keys state the same thing."""
        return self._key

    @cached_property
    def _key(self) -> tuple:
        if self.rel == "all":
            return ("all", tuple(p.key() for p in self.parts))
        if self.rel == "iff":
            return (
                "iff",
                str(self.lhs),
                tuple(p.key() for p in self.parts),
                sp.srepr(self.rhs),
                str(self.var),
                str(self.lo),
                str(self.hi),
            )
        dom = tuple((s.name, str(lo), str(hi)) for s, (lo, hi) in _domain_tuple(self.domain))
        where = tuple(sorted(sp.srepr(w) for w in self.where))
        if self.rel == "root":
            return (
                "root",
                _canon(self.lhs),
                sp.srepr(sp.sympify(self.rhs)),
                str(self.var),
                str(self.lo),
                str(self.hi),
                where,
                dom,
            )
        diff = _as_expr(self.lhs) - _as_expr(self.rhs)
        if self.rel == "=":
            body = tuple(sorted((_canon(diff), _canon(_neg(diff)))))
        else:
            body = (_canon(diff),)
        return (self.rel, body, where, dom)

    @property
    def symbols(self) -> set:
        if self.rel == "all":
            return set().union(*[p.symbols for p in self.parts])
        if self.rel == "iff":
            return set().union({self.var}, *[p.symbols for p in self.parts])
        out = set()
        for x in (self.lhs, self.rhs):
            out |= _as_expr(x).free_symbols
        return out

    def subs(self, mapping) -> "Fact":
        """The fact with symbols replaced (an instance of a lemma)."""
        if self.rel == "all":
            return Fact("all", parts=tuple(p.subs(mapping) for p in self.parts))
        if self.rel == "iff":
            return Fact(
                "iff",
                self.lhs,
                _as_expr(self.rhs).subs(mapping),
                (),
                (),
                sp.sympify(self.var).subs(mapping),
                _as_expr(self.lo).subs(mapping),
                _as_expr(self.hi).subs(mapping),
                tuple(p.subs(mapping) for p in self.parts),
            )

        def s(x):
            return None if x is None else _as_expr(x).subs(mapping)

        dom = []
        for sym, (lo, hi) in _domain_tuple(self.domain):
            new = sp.sympify(sym).subs(mapping)
            if isinstance(new, sp.Symbol):
                dom.append((new, (s(lo), s(hi))))
        return Fact(
            self.rel,
            s(self.lhs),
            s(self.rhs),
            tuple(sp.sympify(w).subs(mapping) for w in self.where),
            tuple(dom),
            s(self.var),
            s(self.lo),
            s(self.hi),
        )

    def latex(self) -> str:
        from .render import CONJUNCTION_LATEX, relation_latex

        if self.rel == "all":
            return CONJUNCTION_LATEX.join(p.latex() for p in self.parts)
        if self.rel == "iff":
            return _iff_latex(self, CONJUNCTION_LATEX)
        if self.rel == "root":
            return (
                f"\\text{{the only zero of }} {sp.latex(self.lhs)} \\text{{ for }} {sp.latex(self.var)} "
                f"\\in ({sp.latex(self.lo)}, {sp.latex(self.hi)}) \\text{{ is }} {sp.latex(self.rhs)}"
            )
        return relation_latex(self.lhs, self.rel, self.rhs)

    def text(self) -> str:
        if self.rel == "all":
            return " and ".join(p.text() for p in self.parts)
        if self.rel == "iff":
            return (
                f"for {self.var} in ({self.lo}, {self.hi}): {self.lhs}({self.var}) iff {sp.sstr(self.rhs)}, where "
                f"{self.lhs}({self.var}) means " + " and ".join(p.text() for p in self.parts)
            )
        if self.rel == "root":
            return f"the only zero of {sp.sstr(self.lhs)} for {self.var} in ({self.lo}, {self.hi}) is {self.rhs}"
        return f"{sp.sstr(self.lhs)} {self.rel} {sp.sstr(self.rhs)}"

    def conditions_latex(self) -> str:
        parts = [
            f"{sp.latex(lo)} < {sp.latex(s)} < {sp.latex(hi)}"
            if lo is not None and hi is not None
            else (f"{sp.latex(s)} > {sp.latex(lo)}" if lo is not None else f"{sp.latex(s)} < {sp.latex(hi)}")
            for s, (lo, hi) in _domain_tuple(self.domain)
        ]
        parts += [sp.latex(w) for w in self.where]
        return ", ".join(parts)

    def to_dict(self) -> dict:
        if self.rel == "all":
            return {"rel": "all", "parts": [p.to_dict() for p in self.parts]}
        if self.rel == "iff":
            return {
                "rel": "iff",
                "predicate": str(self.lhs),
                "means": [p.to_dict() for p in self.parts],
                "condition": sp.sstr(self.rhs),
                "threshold": {"exact": sp.sstr(_threshold(self)), "decimal": float(sp.N(_threshold(self), 17))},
                "var": str(self.var),
                "lo": str(self.lo),
                "hi": str(self.hi),
                "text": self.text(),
                "latex": self.latex(),
            }
        out = {
            "rel": self.rel,
            "lhs": sp.sstr(self.lhs),
            "rhs": sp.sstr(self.rhs),
            "text": self.text(),
            "latex": self.latex(),
            "where": [sp.sstr(w) for w in self.where],
            "domain": {
                s.name: [None if lo is None else str(lo), None if hi is None else str(hi)]
                for s, (lo, hi) in _domain_tuple(self.domain)
            },
        }
        if self.rel == "root":
            out.update(var=str(self.var), lo=str(self.lo), hi=str(self.hi))
        return out


def Eq(lhs, rhs, where=(), domain=()) -> Fact:  # noqa: N802 - reads like sympy's Eq
    """The fact ``lhs = rhs``."""
    return Fact("=", lhs, rhs, tuple(where), _domain_tuple(domain))


def Ge(lhs, rhs, where=(), domain=()) -> Fact:  # noqa: N802
    """The fact ``lhs >= rhs``."""
    return Fact(">=", lhs, rhs, tuple(where), _domain_tuple(domain))


def Gt(lhs, rhs, where=(), domain=()) -> Fact:  # noqa: N802
    """The fact ``lhs > rhs``."""
    return Fact(">", lhs, rhs, tuple(where), _domain_tuple(domain))


def UniqueRoot(expr, var, value, lo, hi) -> Fact:  # noqa: N802
    """The fact: ``value`` is the only zero of ``expr`` for ``var`` in ``(lo, hi)``."""
    return Fact("root", expr, value, (), (), var, lo, hi)


def AllOf(*parts: Fact) -> Fact:  # noqa: N802
    """The conjunction of facts."""
    return Fact("all", parts=tuple(parts))


def Iff(name: str, parts: Sequence[Fact], condition, lo, hi) -> Fact:  # noqa: N802
    """The biconditional: for every ``var`` in ``(lo, hi)``, the predicate ``name``, defined as the conjunction
    of ``parts`` (facts ``>=`` or ``>`` in ``var`` alone), holds iff ``condition``.

    ``condition`` is one-sided, ``var >= t``, ``var > t``, ``var <= t`` or ``var < t`` with ``lo < t < hi``
    (``t`` exact, e.g. an algebraic number); ``var`` is read from it.
    """
    condition = sp.sympify(condition)
    if not isinstance(condition, (sp.Ge, sp.Gt, sp.Le, sp.Lt)) or not isinstance(condition.lhs, sp.Symbol):
        raise ValueError(f"the condition of a biconditional is 'var >= t' (or >, <=, <), not {condition}")
    for p in parts:
        if p.rel not in (">=", ">") or not p.symbols <= {condition.lhs}:
            raise ValueError(f"a part of the predicate {name} is not a sign fact in {condition.lhs}: {p.text()}")
    return Fact("iff", name, condition, (), (), condition.lhs, lo, hi, tuple(parts))


def _threshold(f: Fact):
    """The threshold ``t`` of a biconditional's condition ``var >= t`` (or >, <=, <)."""
    return _as_expr(f.rhs).rhs


def _iff_latex(f: Fact, joiner: str) -> str:
    """``name(var) <=> condition``, the threshold shown by its decimal and defining polynomial when it is not
    rational, then the predicate's parts (joined like a conjunction, so a long one breaks into displays)."""
    var, cond = f.var, _as_expr(f.rhs)
    t = _threshold(f)
    op = {sp.Ge: "\\geq", sp.Gt: ">", sp.Le: "\\leq", sp.Lt: "<"}[type(cond)]
    pred = f"\\operatorname{{{f.lhs}}}({sp.latex(var)})"
    if t.is_Rational:
        where = ""
        t_tex = sp.latex(t)
    else:
        t_tex = sp.latex(var) + "^{*}"
        x = sp.Dummy("x")
        poly = sp.minimal_polynomial(t, x).subs(x, var)
        where = (
            f",\\ {t_tex} \\approx {sp.N(t, 15)} \\text{{ the zero of }} {sp.latex(poly)} "
            f"\\text{{ in }} ({sp.latex(f.lo)}, {sp.latex(f.hi)})"
        )
    head = (
        f"\\text{{for }} {sp.latex(f.lo)} < {sp.latex(var)} < {sp.latex(f.hi)}:\\ {pred} \\iff {sp.latex(var)} {op} "
        f"{t_tex}{where}\\text{{, where }} {pred} \\text{{ is}}"
    )
    return head + " \\quad " + joiner.join(p.latex() for p in f.parts)


@dataclass(frozen=True)
class Hypothesis:
    """A named hypothesis of a theorem: a fact and, optionally, what it means in words."""

    name: str
    fact: Fact
    gloss: str = ""


# ----------------------------------------------------------------------- steps
@dataclass(frozen=True)
class StepCheck:
    """Outcome of checking one step by both checkers.

    Attributes
    ----------
    symbolic, numeric : bool
        The first checker (sympy): whether the exact reduction and the
        high-precision evaluation at random points confirmed the claim.
    detail : str
    smt : SMTVerdict or None
        The second checker (z3).
    refusal : str
        Why the step was refused before any algebra (empty if not refused).
    """

    symbolic: bool
    numeric: bool
    detail: str
    smt: SMTVerdict | None = None
    refusal: str = ""

    @property
    def smt_status(self) -> str:
        return "n/a" if self.smt is None else self.smt.status

    @property
    def ok(self) -> bool:
        return self.symbolic and self.numeric and not self.refusal and self.smt_status != "refuted"

    @property
    def disagreement(self) -> bool:
        """The two checkers contradict each other (fails the proof)."""
        sympy_ok = self.symbolic and self.numeric
        return (sympy_ok and self.smt_status == "refuted") or (
            not sympy_ok and self.smt_status == "proved" and not self.refusal
        )

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "refused": self.refusal or None,
            "sympy": {"symbolic": self.symbolic, "numeric": self.numeric, "detail": self.detail},
            "z3": None if self.smt is None else self.smt.to_dict(),
        }


def _fmt(x) -> str:
    if x is None:
        return "n/a"
    return f"{float(x):.1e}"


class Step:
    """One claim of a proof, with the premises it cites and its reason (base class).

    Premises are names: a hypothesis of the theorem, an earlier step
    (``"s3"`` or the step's own ``name``), a lemma (``"lemma:NAME"``, another
    theorem of the catalogue) or an axiom (``"axiom:NAME"``).
    """

    reason: str
    kind = "step"
    name: str = ""
    premises: tuple = ()

    def fact(self, where=(), domain=()) -> Fact:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, domain: Domain, where: Sequence, seed: int, premises: Mapping | None = None) -> StepCheck:
        raise NotImplementedError  # pragma: no cover

    def claim_text(self) -> str:
        return self.fact().text()

    def claim_latex(self) -> str:
        return self.fact().latex()


def _used_substitutions(expr_pair, premises: Mapping, skip=()) -> tuple[list, list]:
    """Cited equalities ``atom = expression`` (a symbol, mean or indexed symbol on the left) become
    substitutions, applied repeatedly in citation order; returns (used names, final expressions)."""
    used = []
    exprs = [_as_expr(e) for e in expr_pair]
    for _ in range(len(premises) + 1):
        changed = False
        for name, f in premises.items():
            if name in skip or name in used or f.rel != "=" or not _substitutable(f.lhs):
                continue
            if any(e.has(f.lhs) for e in exprs):
                exprs = [e.subs(f.lhs, f.rhs) for e in exprs]
                used.append(name)
                changed = True
        if not changed:
            break
    return used, exprs


def _substitutable(x) -> bool:
    """A premise ``x = expression`` is used by substitution when ``x`` is a symbol, a mean or an indexed symbol."""
    from .expectation import Mean
    from .trace import Tr

    return isinstance(x, (sp.Symbol, sp.Indexed, Mean, Tr))


#: Size at which sums over a symbolic number of terms are expanded for the numeric check.
NUMERIC_SUM_SIZE = 4


def _opaque_as_symbols(*exprs):
    """A numerically evaluable form of the expressions: sums over a symbolic range expanded at
    ``NUMERIC_SUM_SIZE`` terms, indexed symbols made plain symbols (with their base's assumptions), and
    means and traces replaced by real symbols (the same atom, the same symbol), so a claim that holds for
    all values of them can be evaluated at random points.  Used only by the numeric route."""
    from .expectation import Mean
    from .trace import Tr

    out = []
    for e in exprs:
        e = _as_expr(e)
        sizes = {
            x: NUMERIC_SUM_SIZE
            for sm in e.atoms(sp.Sum)
            if len(sm.limits) == 1
            for x in sp.sympify(sm.limits[0][2]).free_symbols
        }
        if sizes:  # the number of terms is the same symbol everywhere in the expression
            e = e.xreplace({sm: sm.subs(sizes).doit() for sm in e.atoms(sp.Sum) if len(sm.limits) == 1})
            e = e.subs(sizes)
        idx = {}
        for a in e.atoms(sp.Indexed):
            if all(i.is_Integer for i in a.indices):
                base = a.base.label
                idx[a] = sp.Symbol(f"{base}_{'_'.join(map(str, a.indices))}", **base.assumptions0)
        out.append(e.xreplace(idx))
    atoms = set()
    for e in out:
        atoms |= e.atoms(Mean, Tr, sp.Sum, sp.Indexed)
    reps = {a: sp.Symbol(f"_opaque{i}", real=True) for i, a in enumerate(sorted(atoms, key=sp.srepr))}
    return [e.xreplace(reps) for e in out]


def _premise_gap(f: Fact):
    return _as_expr(f.lhs) - _as_expr(f.rhs)


def _smt_premises(premises: Mapping) -> list:
    out = []
    for f in premises.values():
        if f.rel in ("=", ">=", ">"):
            out.append((f.rel, f.lhs, f.rhs))
    return out


def _smt(fact: Fact, premises: Mapping, domain: Domain, where: Sequence):
    from . import smt

    dom = dict(domain)
    dom.update(dict(fact.domain))
    syms = fact.symbols
    for _, plhs, prhs in _smt_premises(premises):  # a condition may link the claim to a cited premise
        syms = syms | _as_expr(plhs).free_symbols | _as_expr(prhs).free_symbols
    dom_items = tuple((s, v) for s, v in dom.items() if s in syms)
    conds = list(fact.where) + [
        w for w in tuple(where) if w not in fact.where and (not hasattr(w, "free_symbols") or w.free_symbols <= syms)
    ]
    return smt.decide(fact.rel, fact.lhs, fact.rhs, conds, dom_items, _smt_premises(premises))


@dataclass(frozen=True)
class Identity(Step):
    """Claim ``lhs == rhs`` for every point of the domain (and ``where``).

    Cited premises of the form ``symbol = expression`` are substituted; other
    cited equalities enter through ``multipliers`` (premise name -> q): the
    check is then that ``lhs - rhs - sum q (premise lhs - premise rhs)``
    reduces to zero, an identity in all symbols.
    """

    lhs: object
    rhs: object
    reason: str
    where: tuple = ()
    domain: tuple = ()
    label: str = ""
    premises: tuple = ()
    name: str = ""
    multipliers: tuple = ()
    kind = "identity"

    def fact(self, where=(), domain=()) -> Fact:
        return _restricted(Fact("=", self.lhs, self.rhs, tuple(self.where), _domain_tuple(self.domain)), where, domain)

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        domain = {**domain, **dict(self.domain)}
        diff = _as_expr(self.lhs) - _as_expr(self.rhs)
        used = []
        for pname, q in self.multipliers:
            if pname not in premises or premises[pname].rel != "=":
                return StepCheck(False, False, f"multiplier for {pname}, which is not a cited equality")
            q = sp.Matrix(q) if isinstance(q, (list, tuple)) else sp.sympify(q)
            if q != 0 * _premise_gap(premises[pname]):
                used.append(pname)
            diff = diff - q * _premise_gap(premises[pname])
        subs_used, (diff,) = _used_substitutions((diff,), premises, dict(self.multipliers))
        used += subs_used
        unused = [p for p in premises if p not in used]
        ok_sym, hows = True, set()
        for e in list(diff) if isinstance(diff, sp.MatrixBase) else [diff]:
            ok, how = symbolic_zero(e)
            ok_sym &= ok
            hows.add(how)
        diff = _opaque_as_symbols(diff)[0]
        entries = list(diff) if isinstance(diff, sp.MatrixBase) else [diff]
        syms = set().union(*[sp.sympify(e).free_symbols for e in entries])
        pts = random_points(syms, domain, tuple(where) + self.where, seed=seed)
        worst = 0.0
        ok_num = bool(pts) or not syms
        for e in entries:
            d = numeric_difference(e, 0, pts or [{}])
            if d is None:
                ok_num = False
                break
            worst = max(worst, d)
        ok_num = ok_num and worst <= float(NUMERIC_TOLERANCE)
        how = "/".join(sorted(hows))
        detail = (
            f"{'difference reduced to 0 by ' + how if ok_sym else 'difference NOT reduced to 0'}"
            f"{' after substituting ' + ', '.join(used) if used else ''}; "
            f"{len(pts) if syms else 1} random point(s) at {NUMERIC_DIGITS} digits, max rel. error "
            f"{_fmt(worst)}"
        )
        if unused:
            return StepCheck(False, ok_num, detail, refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(ok_sym, ok_num, detail)

    def claim_latex(self):
        f = self.fact()
        if self.label:
            from .render import relation_latex

            return relation_latex(self.lhs, "=", self.rhs, label=self.label)
        return f.latex()


def _restricted(f: Fact, where, domain) -> Fact:
    """``f`` with the proof-wide conditions on its own symbols added."""
    syms = f.symbols
    dom = dict(f.domain)
    for s, v in dict(domain).items():
        if s in syms and s not in dom:
            dom[s] = v
    conds = list(f.where) + [
        w for w in where if hasattr(w, "free_symbols") and w.free_symbols <= syms and w not in f.where
    ]
    return Fact(f.rel, f.lhs, f.rhs, tuple(conds), _domain_tuple(dom), f.var, f.lo, f.hi, f.parts)


@dataclass(frozen=True)
class Inequality(Step):
    """Claim ``lhs >= rhs`` (``lhs > rhs`` when ``strict``), proved by a certificate.

    With cited premises ``p_k >= q_k`` (or equalities) and ``multipliers``
    (premise name -> c_k, each ``c_k`` manifestly >= 0 for an inequality), the
    certificate proves ``scale * (lhs - rhs) - sum_k c_k (p_k - q_k) >= 0``;
    ``scale`` must be manifestly positive.
    """

    lhs: object
    rhs: object
    certificate: Certificate
    reason: str
    where: tuple = ()
    domain: tuple = ()
    label: str = ""
    premises: tuple = ()
    name: str = ""
    multipliers: tuple = ()
    scale: object = 1
    strict: bool = False
    kind = "inequality"

    def fact(self, where=(), domain=()) -> Fact:
        return _restricted(
            Fact(">" if self.strict else ">=", self.lhs, self.rhs, tuple(self.where), _domain_tuple(self.domain)),
            where,
            domain,
        )

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        domain = {**domain, **dict(self.domain)}
        if isinstance(self.certificate, NoRootIn):
            domain[self.certificate.var] = (self.certificate.lo, self.certificate.hi)
        # the claim's own conditions (a case of a theorem, e.g. c <= c*) may be used like premises: "where0", ...
        for i, cond in enumerate(self.where):
            if isinstance(cond, (sp.Ge, sp.Gt)):
                premises.setdefault(f"where{i}", Fact(">=" if isinstance(cond, sp.Ge) else ">", cond.lhs, cond.rhs))
            elif isinstance(cond, (sp.Le, sp.Lt)):
                premises.setdefault(f"where{i}", Fact(">=" if isinstance(cond, sp.Le) else ">", cond.rhs, cond.lhs))
        gap = sp.sympify(self.lhs) - sp.sympify(self.rhs)
        scale = sp.sympify(self.scale)
        if not (scale.is_positive or (scale.is_number and bool(scale > 0))):
            return StepCheck(False, False, f"scale {scale} is not manifestly positive")
        reduced = scale * gap
        used = []
        for pname, c in self.multipliers:
            f = premises.get(pname)
            if f is None or f.rel not in ("=", ">=", ">"):
                return StepCheck(False, False, f"multiplier for {pname}, which is not a cited relation")
            if f.rel != "=" and not _manifestly_nonnegative(c):
                # a product of two cited inequalities: the multiplier is a positive multiple of another's gap
                other = _nonnegative_by_premise(c, premises, pname)
                if other is None:
                    return StepCheck(False, False, f"multiplier {c} of {pname} is not manifestly >= 0")
                used.append(other)
            if sp.sympify(c) != 0:
                used.append(pname)
            reduced = reduced - c * _premise_gap(f)
        subs_used, (reduced, gap) = _used_substitutions((reduced, gap), premises, dict(self.multipliers))
        used += subs_used
        unused = [p for p in premises if p not in used and not p.startswith("where")]
        strict_ok = True
        if self.strict:
            strict_ok = (
                isinstance(self.certificate, (NoRootIn, BesideRoot))
                or (isinstance(self.certificate, Nonneg) and sp.sympify(self.certificate.form).is_positive is True)
                or any(
                    premises[n].rel == ">" and sp.sympify(c).is_positive is True
                    for n, c in self.multipliers
                    if n in premises
                )
            )
        cert = self.certificate.check(
            _opaque_as_symbols(reduced)[0] if not reduced.has(sp.Sum) else reduced,
            domain,
            tuple(where) + self.where,
            seed,
        )
        # independent numeric check of the claim itself at points satisfying the inequality premises
        syms = gap.free_symbols
        eqs = {f.lhs: f.rhs for f in premises.values() if f.rel == "=" and _substitutable(f.lhs)}
        conds = (
            tuple(where)
            + self.where
            + tuple(
                (sp.Ge if f.rel == ">=" else sp.Gt)(_as_expr(f.lhs).subs(eqs).subs(eqs), _as_expr(f.rhs).subs(eqs))
                for f in premises.values()
                if f.rel in (">=", ">")
            )
        )
        conds = tuple(c for c in conds if c is not sp.true)
        if any(c is sp.false for c in conds):
            return StepCheck(False, False, "the cited premises contradict each other")
        from .expectation import Mean
        from .trace import Tr

        gap = gap.subs(eqs).subs(eqs)  # the claim where the cited definitions hold
        syms = gap.free_symbols
        for f in premises.values():  # sample the symbols the cited inequalities constrain, so they apply
            if f.rel in (">=", ">"):
                syms = (
                    syms
                    | _as_expr(f.lhs).subs(eqs).subs(eqs).free_symbols
                    | _as_expr(f.rhs).subs(eqs).subs(eqs).free_symbols
                )
        sampled = not any(f.rel == "=" and not _substitutable(f.lhs) for f in premises.values()) and not gap.has(
            Mean, sp.Sum, sp.Indexed, Tr
        )
        low, npts = None, 0
        ok_claim = True
        if sampled:
            pts = random_points(syms, domain, conds, seed=seed + 1)
            npts = len(pts) if syms else 1
            low = numeric_min(gap, pts) if syms else numeric_min(gap, [{}])
            ok_claim = low is not None and (low > 0 if self.strict else low >= -float(NUMERIC_TOLERANCE))
        detail = (
            f"certificate ({self.certificate.kind}): {cert.detail}"
            f"{'; premises used: ' + ', '.join(used) if used else ''}; "
            + (
                f"claim at {npts} random point(s): min gap {_fmt(low)}"
                if sampled
                else "claim not sampled (it has means or sums, or holds only where cited equalities do)"
            )
        )
        if unused:
            return StepCheck(
                False, cert.numeric and ok_claim, detail, refusal=f"cites {', '.join(unused)} without using it"
            )
        if not strict_ok:
            return StepCheck(False, cert.numeric and ok_claim, detail + "; a strict claim needs a strict certificate")
        return StepCheck(cert.symbolic, cert.numeric and ok_claim, detail)

    def claim_latex(self):
        from .render import relation_latex

        return relation_latex(self.lhs, ">" if self.strict else ">=", self.rhs, label=self.label)


def _nonnegative_by_premise(c, premises: Mapping, skip: str) -> str | None:
    """The name of a cited inequality ``p >= q`` with ``c`` a positive constant times ``p - q`` (so ``c >= 0``)."""
    for name, f in premises.items():
        if name == skip or f.rel not in (">=", ">"):
            continue
        gap = _premise_gap(f)
        if gap == 0:
            continue
        ratio = sp.cancel(sp.sympify(c) / gap)
        if ratio.is_number and bool(ratio > 0):
            return name
    return None


@dataclass(frozen=True)
class RootOf(Step):
    """Claim: ``value`` is the unique root of ``expr`` (a rational function of ``var``)
    in the open interval (lo, hi), where ``expr`` changes sign."""

    expr: object
    var: sp.Symbol
    value: object
    lo: object
    hi: object
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "root"

    def fact(self, where=(), domain=()) -> Fact:
        return UniqueRoot(self.expr, self.var, self.value, self.lo, self.hi)

    def check(self, domain, where, seed, premises=None):
        if premises:
            return StepCheck(False, False, "a root step cites no premises", refusal="unused premises")
        num, den = sp.fraction(sp.cancel(sp.together(sp.sympify(self.expr))))
        poly = sp.Poly(num, self.var)
        lo, hi = sp.nsimplify(self.lo), sp.nsimplify(self.hi)
        n_roots = _open_interval_roots(poly, lo, hi)
        n_poles = _open_interval_roots(sp.Poly(den, self.var), lo, hi)
        routes = [
            lambda: _divides_by_minimal_polynomial(poly, self.value, self.var),
            lambda: symbolic_zero(poly.as_expr().subs(self.var, self.value)),
        ]
        if not sp.sympify(self.value).has(sp.CRootOf):
            routes.reverse()
        ok_zero, how = routes[0]()
        if not ok_zero:
            ok_zero, how = routes[1]()
        inside = bool(lo < self.value) and bool(self.value < hi)
        ok_sym = n_roots == 1 and n_poles == 0 and ok_zero and inside
        v = sp.N(self.value, NUMERIC_DIGITS)
        eps = sp.Float(10, NUMERIC_DIGITS) ** -20
        f = sp.sympify(self.expr)
        r0 = abs(complex(sp.N(f.subs(self.var, v), NUMERIC_DIGITS)))
        below = sp.N(f.subs(self.var, v - eps), NUMERIC_DIGITS)
        above = sp.N(f.subs(self.var, v + eps), NUMERIC_DIGITS)
        sign_change = bool(below * above < 0)
        ok_num = r0 <= 1e-30 and sign_change
        return StepCheck(
            ok_sym,
            ok_num,
            f"{n_roots} root(s) and {n_poles} pole(s) in ({lo}, {hi}) by Sturm count, "
            f"residual at the value reduced to 0 by {how}; |residual| {_fmt(r0)} at "
            f"{NUMERIC_DIGITS} digits, sign change across value +- 1e-20: {sign_change}",
            smt=_smt_root(num, self.var, self.value, lo, hi),
        )


def _smt_root(num, var, value, lo, hi):
    """z3: the numerator has a zero in (lo, hi), no two distinct zeros there, and one within 1e-12 of value."""
    from . import smt

    q = sp.nsimplify(sp.N(value, 30), rational=True, tolerance=sp.Rational(1, 10**20))
    return smt.root_verdict(num, var, lo, hi, q - sp.Rational(1, 10**12), q + sp.Rational(1, 10**12))


@dataclass(frozen=True)
class Conjunction(Step):
    """Claim the conjunction of the facts of the cited premises (and-introduction)."""

    parts: tuple
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "conjunction"

    def fact(self, where=(), domain=()) -> Fact:
        return AllOf(*self.parts)

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        keys = {n: f.key() for n, f in premises.items()}
        missing = [p.text()[:60] for p in self.parts if p.key() not in keys.values()]
        unused = [n for n, k in keys.items() if k not in {p.key() for p in self.parts}]
        if missing:
            return StepCheck(False, False, "parts not established by the cited premises: " + "; ".join(missing))
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(True, True, f"and-introduction of {', '.join(premises)}")


def _exact_le(a, b) -> bool:
    """``a <= b`` for exact real numbers (None is -infinity on the left, +infinity on the right)."""
    if a is None or b is None:
        return True
    a, b = sp.sympify(a), sp.sympify(b)
    if a == b:
        return True
    try:
        return bool(sp.Le(a, b))
    except TypeError:  # undecidable comparison: not established
        return False


def _exact_lt(a, b) -> bool:
    if a is None or b is None:
        return True
    return _exact_le(a, b) and sp.sympify(a) != sp.sympify(b)


@dataclass(frozen=True)
class Biconditional(Step):
    """Claim an :func:`Iff` fact: for every ``var`` in ``(lo, hi)``, the predicate (the conjunction of its
    parts) holds iff the one-sided condition ``var >= t`` (or ``>``, ``<=``, ``<``) does.

    Both directions come from cited facts, matched exactly:

    - *if*: every part ``g >= 0`` (or ``g > 0``) is a cited fact (``>`` serves for ``>=``) on an open interval
      of ``var`` containing the set where the condition holds; a closed endpoint ``t`` of that set may instead
      be a cited zero of ``g`` (a ``root`` fact whose value is ``t``), and a part whose gap is identically
      zero holds by definition (``0 >= 0``);
    - *only if*: the negation of one part (``-g > 0``, resp. ``-g >= 0``) is a cited fact on an open interval
      containing the rest of ``(lo, hi)``.

    Interval ends are compared exactly (algebraic numbers included).  Second routes: the parts are
    evaluated with 50 digits at seeded random points of both sets (and at ``t``), and z3 decides the
    biconditional from the parts' expressions alone, without the premises (no point of ``(lo, hi)``
    satisfies the condition and violates a part, none violates the condition and satisfies every part).
    """

    claim: Fact
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "biconditional"

    def fact(self, where=(), domain=()) -> Fact:
        return self.claim

    def _sets(self):
        """(set where the condition holds, its complement in (lo, hi)) as (a, a closed, b, b closed)."""
        f = self.claim
        cond, t = f.rhs, f.rhs.rhs
        if isinstance(cond, (sp.Ge, sp.Gt)):
            return (t, isinstance(cond, sp.Ge), f.hi, False), (f.lo, False, t, isinstance(cond, sp.Gt))
        return (f.lo, False, t, isinstance(cond, sp.Le)), (t, isinstance(cond, sp.Lt), f.hi, False)

    @staticmethod
    def _covers(interval, zero_points, target) -> tuple[bool, bool]:
        """Whether the open ``interval`` with the points ``zero_points`` contains the ``target`` set, and
        whether a zero point was needed (a closed end of the target equal to an end of the interval)."""
        a, b = interval
        ta, ta_closed, tb, tb_closed = target
        needed = False
        for inner, closed, outer, left in ((ta, ta_closed, a, True), (tb, tb_closed, b, False)):
            if _exact_lt(outer, inner) if left else _exact_lt(inner, outer):
                continue
            if outer is None or inner is None or sp.sympify(outer) != sp.sympify(inner):
                return False, False
            if closed:
                if not any(sp.sympify(z) == sp.sympify(inner) for z in zero_points):
                    return False, False
                needed = True
        return True, needed

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        f = self.claim
        if f.rel != "iff":
            return StepCheck(False, False, "a biconditional step claims an Iff fact")
        var, t = f.var, f.rhs.rhs
        if not (_exact_lt(f.lo, t) and _exact_lt(t, f.hi)):
            return StepCheck(False, False, f"the threshold {t} is not inside ({f.lo}, {f.hi})")
        holds, fails = self._sets()

        def interval_of(p: Fact):
            if p.where or not p.symbols <= {var}:
                return None  # a fact under extra conditions, or on other symbols, covers no interval of var
            return dict(p.domain).get(var, (None, None))

        def gap_key(p: Fact):
            return _canon(_as_expr(p.lhs) - _as_expr(p.rhs))

        used: set = set()
        notes = []
        ok_if = True
        for part in f.parts:
            gap = _as_expr(part.lhs) - _as_expr(part.rhs)
            if part.rel == ">=" and sp.cancel(sp.together(gap)) == 0:
                notes.append(f"{part.text()} holds identically")
                continue
            key = _canon(gap)
            zeros = {
                n: p.rhs
                for n, p in premises.items()
                if part.rel == ">=" and p.rel == "root" and p.var == var and key in (_canon(p.lhs), _canon(-p.lhs))
            }
            found = None
            for n, p in premises.items():
                if p.rel not in ((">", ">=") if part.rel == ">=" else (">",)) or gap_key(p) != key:
                    continue
                iv = interval_of(p)
                covered, needed = (False, False) if iv is None else self._covers(iv, list(zeros.values()), holds)
                if covered:
                    found = n
                    used.add(n)
                    if needed:
                        z = next(z for z, v in zeros.items() if sp.sympify(v) == sp.sympify(t))
                        used.add(z)
                        notes.append(f"{n} on the open interval and the zero {z} at {var} = {var}*")
                    break
            if found is None:
                ok_if = False
                notes.append(f"NOT established where the condition holds: {part.text()[:70]}")
        violated = None
        for k, part in enumerate(f.parts):
            neg = _canon(-(_as_expr(part.lhs) - _as_expr(part.rhs)))
            rels = (">",) if part.rel == ">=" else (">", ">=")
            for n, p in premises.items():
                iv = interval_of(p)
                if p.rel in rels and gap_key(p) == neg and iv is not None and self._covers(iv, [], fails)[0]:
                    violated = (k, n)
                    break
            if violated:
                break
        if violated is None:
            notes.append("no cited fact violates a part where the condition fails")
        else:
            used.add(violated[1])
        unused = [n for n in premises if n not in used]
        ok_sym = ok_if and violated is not None
        ok_num, num_detail = self._numeric(seed, violated)
        detail = (
            f"if: {'every part established where ' + sp.sstr(f.rhs) if ok_if else 'NOT every part established'}"
            + (f" ({'; '.join(notes)})" if notes else "")
            + (f"; only if: {violated[1]} violates part {violated[0] + 1} on the rest" if violated else "")
            + f"; {num_detail}"
        )
        from . import smt

        verdict = smt.decide_biconditional([(p.rel, p.lhs, p.rhs) for p in f.parts], f.rhs, var, f.lo, f.hi)
        if unused:
            return StepCheck(False, ok_num, detail, verdict, refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(ok_sym, ok_num, detail, verdict)

    def _numeric(self, seed: int, violated) -> tuple[bool, str]:
        """Every part at random points where the condition holds (and at a closed end ``t``); the violated
        part (or, if none was matched, some part) at random points of the rest and 1e-20 beside ``t``."""
        f = self.claim
        var, t = f.var, _threshold(f)
        holds, fails = self._sets()
        tol = float(NUMERIC_TOLERANCE)
        gaps = [(p.rel, _as_expr(p.lhs) - _as_expr(p.rhs)) for p in f.parts]

        def values(gap, pts):
            return [_real_number(sp.N(_evaluate(gap, pt), NUMERIC_DIGITS)) for pt in pts]

        def pts_in(s, k):
            return random_points({var}, {var: (s[0], s[2])}, (), n=N_POINTS, seed=seed + k)

        worst_in = None
        ok = True
        inside = pts_in(holds, 1) + ([{var: sp.N(t, NUMERIC_DIGITS + 10)}] if holds[1] or holds[3] else [])
        for rel, gap in gaps:
            for v in values(gap, inside):
                if v is None or abs(v.imag) > tol:
                    return False, "numeric: a part is not real at a sampled point"
                worst_in = v.real if worst_in is None else min(worst_in, v.real)
                ok &= v.real >= -tol if rel == ">=" else v.real > tol
        # and just beside the threshold on the other side (1e-20 away), where a misplaced threshold shows
        eps = sp.Float(10, NUMERIC_DIGITS + 10) ** -20
        beside = t - eps if fails[2] == t else t + eps
        outside = pts_in(fails, 2) + [{var: sp.N(beside, NUMERIC_DIGITS + 10)}]
        for pt in outside:
            bad = []
            for i, (rel, gap) in enumerate(gaps):
                v = values(gap, [pt])[0]
                if v is None:
                    return False, "numeric: a part is not real at a sampled point"
                if (v.real < -tol) if rel == ">=" else (v.real <= tol):
                    bad.append(i)
            if not bad or (violated is not None and violated[0] not in bad):
                ok = False
        return ok and bool(inside) and bool(outside), (
            f"numeric: {len(inside)} point(s) where the condition holds, smallest part value {_fmt(worst_in)}; "
            f"{len(outside)} point(s) of the rest, each violating "
            + ("the matched part" if violated is not None else "some part")
            + f": {ok}"
        )


@dataclass(frozen=True)
class Instance(Step):
    """Claim an instance of a lemma or axiom: its conclusion with ``subs`` applied.

    The cited premises must establish every hypothesis of the lemma under the
    same substitution (matched exactly).
    """

    source: str
    subs: tuple
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "instance"

    def _target(self):
        from .catalogue import statement_of

        return statement_of(self.source)

    def fact(self, where=(), domain=()) -> Fact:
        hyps, concl = self._target()
        return concl.subs(dict(self.subs))

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        hyps, _ = self._target()
        mapping = dict(self.subs)
        keys = {n: f.key() for n, f in premises.items() if n != self.source}
        need = [h.fact.subs(mapping) for h in hyps]
        missing = [h.name for h, f in zip(hyps, need) if f.key() not in keys.values()]
        used = {n for n, k in keys.items() if k in {f.key() for f in need}}
        unused = [n for n in keys if n not in used]
        if missing:
            return StepCheck(False, False, f"hypotheses of {self.source} not established: {', '.join(missing)}")
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(
            True,
            True,
            f"instance of {self.source} with "
            + ", ".join(f"{k} -> {sp.sstr(v)}" for k, v in self.subs)
            + (f"; its hypotheses are {', '.join(sorted(used))}" if used else ""),
        )


def _same_relation(f: Fact, rel: str, lhs, rhs) -> bool:
    return f.rel == rel and Fact(rel, lhs, rhs).key()[:2] == f.key()[:2]


@dataclass(frozen=True)
class Linearity(Step):
    """Claim ``<P> = sum_m c_m <m>``: linearity of expectation for a polynomial ``P`` in the ``random`` symbols.

    Checked by recomputing the right side from ``P`` (:func:`linear_mean`) and
    reducing the difference to zero.
    """

    lhs: object
    rhs: object
    random: tuple
    reason: str
    premises: tuple = ("axiom:linearity-of-expectation",)
    name: str = ""
    kind = "linearity of expectation"

    def fact(self, where=(), domain=()) -> Fact:
        return Fact("=", self.lhs, self.rhs)

    def check(self, domain, where, seed, premises=None):
        from .expectation import Mean, linear_mean

        if premises:
            return StepCheck(False, False, "", refusal=f"cites {', '.join(premises)} without using it")
        if not isinstance(self.lhs, Mean):
            return StepCheck(False, False, "the left side must be a mean <P>")
        expected = linear_mean(self.lhs.args[0], self.random)
        ok, how = symbolic_zero(expected - sp.sympify(self.rhs))
        return StepCheck(
            ok,
            ok,
            f"right side recomputed by linearity in {', '.join(map(str, self.random))}; "
            f"difference {'reduced to 0 by ' + how if ok else 'NOT zero'}",
        )


@dataclass(frozen=True)
class Averaged(Step):
    """From a cited pointwise fact ``A REL B`` (``=``, ``>=``) about random quantities, claim ``<A> REL <B>``."""

    of: tuple
    rel: str
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "expectation of a pointwise fact"

    def fact(self, where=(), domain=()) -> Fact:
        from .expectation import Mean

        a, b = self.of
        return Fact(self.rel, Mean(a) if a != 0 else sp.Integer(0), Mean(b) if b != 0 else sp.Integer(0))

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        a, b = self.of
        match = [n for n, f in premises.items() if _same_relation(f, self.rel, a, b)]
        if not match:
            return StepCheck(False, False, f"no cited premise states {sp.sstr(a)} {self.rel} {sp.sstr(b)} pointwise")
        unused = [n for n in premises if n not in match]
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(
            True, True, f"the mean of both sides of {match[0]} (monotonicity and linearity of expectation)"
        )


@dataclass(frozen=True)
class Termwise(Step):
    """Claim ``sum_j f_j REL sum_j g_j`` over ``j = lo..hi`` (``hi`` may be a symbol) from a cited
    premise ``f_j REL g_j`` for a generic index ``j`` (sums of termwise relations)."""

    lhs_term: object
    rhs_term: object
    index: sp.Symbol
    lo: object
    hi: object
    rel: str
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "sum of termwise relations"

    def fact(self, where=(), domain=()) -> Fact:
        def total(t):
            return sp.Sum(t, (self.index, self.lo, self.hi)) if t != 0 else sp.Integer(0)

        return Fact(self.rel, total(self.lhs_term), total(self.rhs_term))

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        match = [n for n, f in premises.items() if _same_relation(f, self.rel, self.lhs_term, self.rhs_term)]
        if not match:
            return StepCheck(False, False, "no cited premise states the termwise relation for a generic index")
        unused = [n for n in premises if n not in match]
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        bound = set()
        for n in match:
            bound |= premises[n].symbols
        if self.index not in bound and self.lhs_term != 0:
            return StepCheck(False, False, f"the premise does not depend on the index {self.index}")
        return StepCheck(
            True,
            True,
            f"{match[0]} holds for every {self.index}, so it holds for the sums over "
            f"{self.index} = {self.lo}..{self.hi}",
        )


@dataclass(frozen=True)
class InPolytope(Step):
    """Claim ``w . x >= m(w)`` for a point ``x`` that satisfies the inequality of a generic facet.

    ``m(w)`` is the minimum of ``w . x`` over the polytope ``P``; a full-dimensional polytope is the
    intersection of its facets' half-spaces (axiom ``polytope-facets``), so a point satisfying the inequality
    ``a_f . x <= h_f`` of every facet ``f`` lies in ``P``, and ``w . x`` is at least the minimum there.  The
    cited facts must be, for one point expression ``x``: ``a_f x = v_f`` and ``h_f >= v_f`` (the generic
    facet's normal ``a_f`` and offset ``h_f``, symbols that stand for every facet), and ``w x = v``; the claim
    is ``v >= m``.  A rule: checked structurally.
    """

    point: object
    facet_row: object
    offset: object
    direction_row: object
    minimum: object
    value: object
    reason: str
    premises: tuple = ("axiom:polytope-facets",)
    name: str = ""
    kind = "point in the polytope"

    def fact(self, where=(), domain=()) -> Fact:
        return Fact(">=", self.value, self.minimum)

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        x = sp.sympify(self.point)
        row_a, row_w = sp.sympify(self.facet_row), sp.sympify(self.direction_row)

        def equal(a, b):
            return sp.expand(sp.sympify(a) - sp.sympify(b)) == 0

        on_facet = {n: f.rhs for n, f in premises.items() if f.rel == "=" and equal(f.lhs, row_a * x)}
        inside = [
            n
            for n, f in premises.items()
            if f.rel in (">=", ">") and equal(f.lhs, self.offset) and any(equal(f.rhs, v) for v in on_facet.values())
        ]
        valued = [
            n for n, f in premises.items() if f.rel == "=" and equal(f.lhs, row_w * x) and equal(f.rhs, self.value)
        ]
        if not (on_facet and inside and valued):
            missing = [
                what
                for what, found in (("a_f x = v_f", on_facet), ("h_f >= v_f", inside), ("w x = v", valued))
                if not found
            ]
            return StepCheck(False, False, "not cited: " + ", ".join(missing))
        used = {inside[0], valued[0]} | {n for n, v in on_facet.items() if equal(premises[inside[0]].rhs, v)}
        unused = [n for n in premises if n not in used]
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        generic = all(sp.sympify(e).free_symbols for e in (row_a, self.offset))
        return StepCheck(
            generic,
            generic,
            f"the point satisfies the generic facet's inequality ({inside[0]}), so it lies in P (polytope-facets) "
            f"and its value {valued[0]} is at least the minimum m over P",
        )


@dataclass(frozen=True)
class SumSplit(Step):
    """Claim ``sum_{index=lo}^{hi} f = sum_{lo}^{at-1} f + f(at) + sum_{at+1}^{hi} f`` for ``lo <= at <= hi``:
    one term singled out of a sum over a symbolic range (the condition is part of the claim).

    A rule: checked structurally (integer index and position, the summand free of the position) and
    exactly on every instance with ``hi - lo <= 5``, the sums written out term by term."""

    summand: object
    index: sp.Symbol
    lo: object
    hi: object
    at: sp.Symbol
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "sum split"

    def fact(self, where=(), domain=()) -> Fact:
        f, j = sp.sympify(self.summand), self.index
        whole = sp.Sum(f, (j, self.lo, self.hi))
        parts = sp.Sum(f, (j, self.lo, self.at - 1)) + f.subs(j, self.at) + sp.Sum(f, (j, self.at + 1, self.hi))
        return Fact("=", whole, parts, (sp.Le(self.lo, self.at), sp.Le(self.at, self.hi)))

    def check(self, domain, where, seed, premises=None):
        if premises:
            return StepCheck(False, False, "", refusal=f"cites {', '.join(premises)} without using it")
        f, j, at = sp.sympify(self.summand), self.index, self.at
        bounds = sp.sympify(self.lo).free_symbols | sp.sympify(self.hi).free_symbols
        structural = (
            j.is_integer is True
            and at.is_integer is True
            and at not in f.free_symbols
            and j not in bounds
            and j != at
            and sp.sympify(self.lo).is_integer is not False
        )
        fact = self.fact()
        instances = 0
        ok = True
        lo_syms = sp.sympify(self.lo).free_symbols
        for lo_v in [0, 1] if lo_syms else [None]:
            for width in range(0, 6):
                base = {s: lo_v for s in lo_syms}
                lo_n = sp.sympify(self.lo).subs(base)
                hi_syms = sp.sympify(self.hi).free_symbols - lo_syms
                if len(hi_syms) != 1 and not sp.sympify(self.hi).is_Integer:
                    return StepCheck(structural, False, "the upper limit is not one symbol or an integer")
                for k in range(0, width + 1):
                    values = dict(base)
                    values.update({s: lo_n + width for s in hi_syms})
                    values[at] = lo_n + k
                    if sp.sympify(self.hi).subs(values) != lo_n + width:
                        continue
                    lhs = _as_expr(fact.lhs).subs(values).doit()
                    rhs = _as_expr(fact.rhs).subs(values).doit()
                    ok &= sp.expand(lhs - rhs) == 0
                    instances += 1
        return StepCheck(
            structural,
            ok and instances > 0,
            f"summand free of {at}, integer index and position: {structural}; both sides written out and equal on "
            f"{instances} instance(s) with up to 6 terms: {ok}",
        )


@dataclass(frozen=True)
class Reindex(Step):
    """Claim a cited fact about a generic index with the index renamed (``y_j >= 0`` for every ``j``, so
    ``y_i >= 0``): the cited fact ``of`` must be the premise, and the renaming maps integer symbols to integer
    symbols not already in the fact."""

    of: Fact
    mapping: tuple
    reason: str
    premises: tuple = ()
    name: str = ""
    kind = "reindexing"

    def fact(self, where=(), domain=()) -> Fact:
        return self.of.subs(dict(self.mapping))

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        match = [n for n, f in premises.items() if f.key() == self.of.key()]
        if not match:
            return StepCheck(False, False, "no cited premise is the fact being reindexed")
        unused = [n for n in premises if n not in match]
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        free = self.of.symbols | set().union(*[sp.sympify(w).free_symbols for w in self.of.where])
        ok = all(
            old.is_integer is True and new.is_integer is True and old in free and new not in free
            for old, new in self.mapping
        )
        return StepCheck(
            ok,
            ok,
            f"{match[0]} holds for every value of the generic index; renamed "
            + ", ".join(f"{a} -> {b}" for a, b in self.mapping)
            + ("" if ok else " (NOT an integer index of the fact, or a name it already uses)"),
        )


@dataclass(frozen=True)
class MeanOfSum(Step):
    """Claim ``<sum_{index=lo}^{hi} f> = sum_{index=lo}^{hi} <f>``: linearity of expectation over a finite
    sum with a symbolic number of terms."""

    summand: object
    index: sp.Symbol
    lo: object
    hi: object
    reason: str
    premises: tuple = ("axiom:linearity-of-expectation",)
    name: str = ""
    kind = "mean of a sum"

    def fact(self, where=(), domain=()) -> Fact:
        from .expectation import Mean

        lim = (self.index, self.lo, self.hi)
        return Fact("=", Mean(sp.Sum(self.summand, lim)), sp.Sum(Mean(self.summand), lim))

    def check(self, domain, where, seed, premises=None):
        if premises:
            return StepCheck(False, False, "", refusal=f"cites {', '.join(premises)} without using it")
        bounds = sp.sympify(self.lo).free_symbols | sp.sympify(self.hi).free_symbols
        ok = self.index.is_integer is True and self.index not in bounds
        return StepCheck(ok, ok, f"linearity of expectation over the terms {self.index} = {self.lo}..{self.hi}")


def _divides_by_minimal_polynomial(poly: sp.Poly, value, var) -> tuple[bool, str]:
    """Exact: ``value`` is a root of ``poly`` if its minimal polynomial divides ``poly``."""
    try:
        minpoly = sp.Poly(sp.minimal_polynomial(value, var), var)
    except (NotImplementedError, ValueError, TypeError, sp.polys.polyerrors.PolynomialError):
        return False, "nothing"
    if minpoly.degree() >= 1 and poly.rem(minpoly).is_zero:
        return True, f"the minimal polynomial {minpoly.as_expr()} dividing the numerator"
    return False, "nothing"


def _as_expr(x):
    if isinstance(x, (list, tuple)):
        return sp.Matrix(x)
    return sp.sympify(x)


def _by_construction(f: Fact) -> str:
    """Why ``f`` holds by construction (sympy decided it when the expression was built), or ''."""
    if f.rel not in ("=", ">=", ">"):
        return ""
    lhs, rhs = _as_expr(f.lhs), _as_expr(f.rhs)
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        return "both sides are the same matrix" if sp.Matrix(lhs) == sp.Matrix(rhs) else ""
    if lhs == rhs:
        return "both sides are the same expression (sympy evaluated it when the claim was built)"
    rel = {"=": sp.Eq, ">=": sp.Ge, ">": sp.Gt}[f.rel]
    try:
        value = rel(lhs, rhs)
    except TypeError:
        return ""
    if value is sp.true:
        return "sympy decides it from the symbols' assumptions alone, so it states nothing checked"
    return ""


@dataclass(frozen=True)
class Constant:
    """A computed constant, printed exactly and as a decimal."""

    name: str
    value: object
    note: str = ""
    exact_latex: str = ""

    def decimal(self, digits: int = 15) -> str:
        return str(sp.N(self.value, digits))


# ----------------------------------------------------------------------- proofs
@dataclass(frozen=True)
class ProofCheck:
    """Checks of every step of a proof, and of the proof as a whole.

    Attributes
    ----------
    steps : tuple of StepCheck
    concludes : bool
        Whether the last step establishes exactly the stated conclusion.
    unused_hypotheses : tuple of str
    problems : tuple of str
        Everything that makes the proof fail, in words.
    """

    name: str
    steps: tuple
    seed: int
    concludes: bool = True
    unused_hypotheses: tuple = ()
    problems: tuple = ()

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and self.concludes and not self.unused_hypotheses and not self.problems

    @property
    def n_failed(self) -> int:
        return sum(not s.ok for s in self.steps)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "ok": self.ok,
            "seed": self.seed,
            "concludes": self.concludes,
            "unused_hypotheses": list(self.unused_hypotheses),
            "problems": list(self.problems),
            "steps": [s.to_dict() for s in self.steps],
        }

    def __repr__(self) -> str:
        return f"ProofCheck({self.name!r}, ok={self.ok}, steps={len(self.steps)}, failed={self.n_failed})"


@dataclass
class Proof:
    """A theorem (formal hypotheses and conclusion) and its machine-checked proof.

    Parameters
    ----------
    name : str
        Short identifier used on the command line.
    title : str
        One-line title.
    hypotheses : list of Hypothesis
    conclusion : Fact
        What the last step must establish, exactly.
    setting : str
        Definitions and notation (words; the statement itself is rendered from the facts).
    domain : mapping symbol -> (lo, hi)
        Open intervals of the parameters (part of every fact on those symbols).
    where : sequence of sympy relationals
        Conditions on the symbols, part of every fact on them.
    steps : list of Step
    constants : list of Constant
    references : str
    gloss : str
        The statement's meaning in words, for a reader.
    uses : tuple of str
        Lemmas (``"lemma:NAME"``) and axioms (``"axiom:NAME"``) on which the *reading* of the
        conclusion rests (e.g. "this sign condition means the optimal code is modular"), beyond
        those the steps cite.
    """

    name: str
    title: str
    hypotheses: list = field(default_factory=list)
    conclusion: Fact | None = None
    setting: str = ""
    domain: dict = field(default_factory=dict)
    where: tuple = ()
    steps: list = field(default_factory=list)
    constants: list = field(default_factory=list)
    references: str = ""
    gloss: str = ""
    uses: tuple = ()
    _check: ProofCheck | None = field(default=None, repr=False)
    _step_cache: dict = field(default_factory=dict, repr=False)

    def hypothesis(self, name: str, fact: Fact, gloss: str = "") -> Fact:
        self.hypotheses.append(Hypothesis(name, fact, gloss))
        return fact

    def add(self, step: Step) -> Step:
        if not step.name:
            object.__setattr__(step, "name", f"s{len(self.steps) + 1}")
        self.steps.append(step)
        return step

    def constant(self, name: str, value, note: str = "", exact_latex: str = "") -> sp.Expr:
        self.constants.append(Constant(name, value, note, exact_latex))
        return value

    # ------------------------------------------------------------- structure
    def conclusion_fact(self) -> Fact | None:
        if self.conclusion is None:
            return None
        return self._restrict(self.conclusion)

    def _restrict(self, f: Fact) -> Fact:
        hit = self._step_cache.get(("restrict", id(f)))
        if hit is not None and hit[0] is f:  # the cache holds f, so its id cannot be reused
            return hit[1]
        if f.rel in ("=", ">=", ">"):
            out = _restricted(f, self.where, self.domain)
        elif f.rel == "all":
            out = AllOf(*[self._restrict(p) for p in f.parts])
        else:
            out = f
        self._step_cache[("restrict", id(f))] = (f, out)
        return out

    def step_fact(self, step: Step) -> Fact:
        hit = self._step_cache.get(("fact", id(step)))
        if hit is not None and hit[0] is step:
            return hit[1]
        out = self._restrict(step.fact())
        self._step_cache[("fact", id(step))] = (step, out)
        return out

    def cited(self) -> dict:
        """Premise name -> kind ('hypothesis', 'step', 'lemma', 'axiom', 'unknown') over all steps."""
        hyps = {h.name for h in self.hypotheses}
        names = {s.name for s in self.steps}
        out = {}
        for step in list(self.steps) + [None]:
            refs = (
                list(self.uses)
                if step is None
                else list(step.premises) + ([step.source] if isinstance(step, Instance) else [])
            )
            for p in refs:
                kind = (
                    "hypothesis"
                    if p in hyps
                    else "step"
                    if p in names
                    else "lemma"
                    if p.startswith("lemma:")
                    else "axiom"
                    if p.startswith("axiom:")
                    else "unknown"
                )
                if kind == "axiom":
                    from .foundations import AXIOMS

                    kind = "axiom" if p[len("axiom:") :] in AXIOMS else "unknown"
                out[p] = kind
        return out

    def lemmas(self) -> list[str]:
        return sorted(p[len("lemma:") :] for p, k in self.cited().items() if k == "lemma")

    def axioms(self) -> list[str]:
        return sorted(p[len("axiom:") :] for p, k in self.cited().items() if k == "axiom")

    def _resolve(self, ref: str, earlier: dict) -> Fact | None:
        for h in self.hypotheses:
            if h.name == ref:
                return self._restrict(h.fact)
        if ref in earlier:
            return earlier[ref]
        if ref.startswith("lemma:"):
            from .catalogue import statement_of

            try:
                hyps, concl = statement_of(ref)
            except Exception:  # an unknown lemma or axiom is reported by the caller
                return None
            if hyps:  # a lemma with hypotheses is used through an Instance step
                return None
            return concl
        return None

    def check(self, seed: int = 0, smt: bool = True) -> ProofCheck:
        """Check every step by both checkers and the proof's structure; cached per seed."""
        if self._check is not None and self._check.seed == seed and self._step_cache.get("smt") == smt:
            return self._check
        results: list = []
        earlier: dict = {}
        problems: list = []
        for i, step in enumerate(self.steps):
            # a step's verdict depends on the step, the facts it cites and the seed: copies of a proof with
            # another statement (the mutation tests) reuse it
            try:
                premise_keys = tuple(
                    sorted((r, str(f.key())) for r in step.premises if (f := self._resolve(r, earlier)) is not None)
                )
            except Exception:
                premise_keys = ()
            cache_key = (id(step), seed + 1000 * i, smt, premise_keys)
            if cache_key in self._step_cache:  # the cache holds the step, so its id cannot be reused
                results.append(self._step_cache[cache_key][1])
            else:
                try:
                    outcome = self._check_step(step, earlier, seed + 1000 * i, smt)
                except Exception as exc:  # a crashing check is a failed check, reported
                    outcome = StepCheck(False, False, f"check raised {type(exc).__name__}: {exc}")
                self._step_cache[cache_key] = (step, outcome)
                results.append(outcome)
            try:
                earlier[step.name] = self.step_fact(step)
            except Exception as exc:
                problems.append(f"step {step.name}: its claim cannot be built ({type(exc).__name__})")
        concludes = False
        goal = self.conclusion_fact()
        if goal is None:
            problems.append("the theorem has no formal conclusion")
        elif goal.rel == "all" and not goal.parts:
            problems.append("the conclusion is empty")
        elif not self.steps:
            problems.append("no steps")
        else:
            try:
                concludes = self.step_fact(self.steps[-1]).key() == goal.key()
            except Exception as exc:
                problems.append(f"the last step cannot be compared ({type(exc).__name__})")
            if not concludes:
                problems.append("the last step does not establish exactly the stated conclusion")
        cited = self.cited()
        for ref, kind in cited.items():
            if kind == "unknown":
                problems.append(f"cites {ref!r}, which is no hypothesis, earlier step, lemma or axiom")
        for lemma in self.lemmas():
            from .catalogue import get

            if lemma == self.name:
                problems.append("cites itself")
                continue
            try:
                if not get(lemma).check(seed=seed, smt=smt).ok:
                    problems.append(f"lemma {lemma} does not check")
            except Exception as exc:
                problems.append(f"lemma {lemma}: {exc}")
        unused = tuple(h.name for h in self.hypotheses if h.name not in cited)
        self._check = ProofCheck(self.name, tuple(results), seed, concludes, unused, tuple(problems))
        self._step_cache["smt"] = smt
        return self._check

    def _check_step(self, step: Step, earlier: dict, seed: int, smt: bool) -> StepCheck:
        from .foundations import AXIOMS

        premises = {}
        for ref in step.premises:
            if ref.startswith("axiom:"):
                if ref[len("axiom:") :] not in AXIOMS:
                    return StepCheck(False, False, f"no axiom {ref!r}", refusal=f"unknown axiom {ref}")
                continue  # an axiom justifies the step's reading; it takes no part in the algebra
            f = self._resolve(ref, earlier)
            if f is None:
                return StepCheck(
                    False,
                    False,
                    f"premise {ref!r} is not available (no such hypothesis, earlier step, lemma or axiom)",
                    refusal=f"unknown premise {ref}",
                )
            premises[ref] = f
        claim = self.step_fact(step)
        why = _by_construction(claim)
        if why:
            return StepCheck(False, False, "", refusal=f"holds by construction: {why}")
        for ref, f in premises.items():
            if f.key() == claim.key():
                return StepCheck(False, False, "", refusal=f"restates its premise {ref}")
        if isinstance(step, Conjunction):
            step = Conjunction(tuple(self._restrict(p) for p in step.parts), step.reason, step.premises, step.name)
        result = step.check(self.domain, self.where, seed, premises)
        if smt and result.smt is None and claim.rel in ("=", ">=", ">") and step.kind in ("identity", "inequality"):
            result = StepCheck(
                result.symbolic,
                result.numeric,
                result.detail,
                _smt(claim, premises, self.domain, self.where),
                result.refusal,
            )
        return result

    # -------------------------------------------------------------- output
    def variant(self, hypotheses=None, conclusion=None, steps=None) -> "Proof":
        """A copy with another statement (or steps), sharing the step checks already done."""
        import copy

        other = copy.copy(self)
        other.hypotheses = list(self.hypotheses if hypotheses is None else hypotheses)
        other.conclusion = self.conclusion if conclusion is None else conclusion
        other.steps = list(self.steps if steps is None else steps)
        other._check = None
        return other

    def statement_latex(self) -> str:
        from .render import statement_latex

        return statement_latex(self)

    def to_dict(self, seed: int = 0) -> dict:
        """JSON-ready: formal statement, hypotheses, axioms, lemmas, steps with premises and both verdicts."""
        from .catalogue import AXIOMS

        result = self.check(seed)
        goal = self.conclusion_fact()
        return {
            "name": self.name,
            "title": self.title,
            "ok": result.ok,
            "statement": {
                "hypotheses": [{"name": h.name, "fact": h.fact.to_dict(), "gloss": h.gloss} for h in self.hypotheses],
                "conclusion": None if goal is None else goal.to_dict(),
                "latex": self.statement_latex(),
            },
            "lemmas": self.lemmas(),
            "axioms": [
                {"name": a, "statement": AXIOMS[a].statement, "reference": AXIOMS[a].reference}
                for a in self.axioms()
                if a in AXIOMS
            ],
            "concludes": result.concludes,
            "unused_hypotheses": list(result.unused_hypotheses),
            "problems": list(result.problems),
            "steps": [
                {
                    "name": step.name,
                    "claim": self.step_fact(step).to_dict(),
                    "premises": list(step.premises) + ([step.source] if isinstance(step, Instance) else []),
                    "method": step.kind + (f" ({step.certificate.kind})" if isinstance(step, Inequality) else ""),
                    "reason": step.reason,
                    **chk.to_dict(),
                }
                for step, chk in zip(self.steps, result.steps)
            ],
            "constants": [
                {"name": c.name, "exact": str(c.value), "decimal": float(sp.N(c.value, 17))} for c in self.constants
            ],
        }

    def to_markdown(self, heading: str = "##") -> str:
        from .render import proof_markdown

        return proof_markdown(self, heading=heading)

    def to_latex(self, standalone: bool = False) -> str:
        from .render import proof_latex

        return proof_latex(self, standalone=standalone)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        return "$\\displaystyle " + self.statement_latex() + "$"

    def __repr__(self) -> str:
        return f"Proof({self.name!r}, steps={len(self.steps)}, constants={len(self.constants)})"
