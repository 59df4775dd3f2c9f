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
from typing import Callable, Iterable, Mapping, Sequence

import sympy as sp

__all__ = [
    "Proof",
    "Step",
    "StepCheck",
    "Identity",
    "Inequality",
    "RootOf",
    "SOS",
    "Nonneg",
    "SignCases",
    "NoRootIn",
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
    return sp.sympify(expr).evalf(NUMERIC_DIGITS + 5, subs=dict(point))


def _satisfies(conditions: Sequence, point) -> bool:
    for cond in conditions:
        if hasattr(cond, "free_symbols") and not cond.free_symbols <= set(point):
            continue  # a condition on symbols this claim does not use
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
    attempts: list[tuple[str, Callable]] = [
        ("expand", sp.expand),
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
            diff is not None and diff <= float(NUMERIC_TOLERANCE)
            and all(m is not None and m >= -float(NUMERIC_TOLERANCE) for m in mins)
        )
        return CertificateCheck(
            ok_sym and ok_signs, ok_num,
            f"gap - SOS: {how}; weights >= 0: {ok_signs}; numeric max rel. diff {_fmt(diff)}",
        )

    def describe(self):
        return "gap = " + " + ".join(
            f"({sp.sstr(c)})*({sp.sstr(b)})^2" for c, b in self.terms
        ) + ("" if self.rest == 0 else f" + {sp.sstr(self.rest)}")

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
            ok_sym and ok_sign, ok_num,
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
            details.append(f"{''.join('+' if s > 0 else '-' for s in signs)}:"
                           f"{'ok' if ok and ok_case else 'FAIL'}")
        low = min((x for x in lows if x is not None), default=None)
        return CertificateCheck(ok_sym, ok_num, "cases " + " ".join(details) + f"; numeric min over cases {_fmt(low)}")

    def describe(self):
        return "case split on the signs of " + ", ".join(s.name for s in self.symbols) + \
            "; in every case the gap is a sum of nonnegative terms"


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
            ok_sym, ok_num,
            f"roots in ({lo}, {hi}): numerator {roots_num}, denominator {roots_den}; "
            f"value at midpoint {sp.N(mid_value, 6)}; numeric min {_fmt(low)}",
        )

    def describe(self):
        return f"no root or pole of the gap in {self.var.name} in ({self.lo}, {self.hi}) (Sturm count) " \
            "and positive at the midpoint"


def _open_interval_roots(poly: sp.Poly, lo, hi) -> int:
    if poly.degree() <= 0:
        return 0
    try:
        count = poly.count_roots(lo, hi)  # closed interval, exact (Sturm)
    except (sp.polys.polyerrors.DomainError, NotImplementedError):
        return -1  # cannot count exactly: reported as a failed check
    count -= int(poly.eval(lo) == 0) + int(poly.eval(hi) == 0)
    return count


# ----------------------------------------------------------------------- steps
@dataclass(frozen=True)
class StepCheck:
    """Outcome of checking one step twice.

    Attributes
    ----------
    symbolic, numeric : bool
        Whether each route confirmed the claim.
    detail : str
        How: the simplification that reduced the difference to zero, the
        certificate, the number of random points and the largest error.
    """

    symbolic: bool
    numeric: bool
    detail: str

    @property
    def ok(self) -> bool:
        return self.symbolic and self.numeric

    def to_dict(self) -> dict:
        return {"symbolic": self.symbolic, "numeric": self.numeric, "ok": self.ok, "detail": self.detail}


def _fmt(x) -> str:
    if x is None:
        return "n/a"
    return f"{float(x):.1e}"


class Step:
    """One claim of a proof, with its reason (base class)."""

    reason: str
    kind = "step"

    def check(self, domain: Domain, where: Sequence, seed: int) -> StepCheck:  # pragma: no cover
        raise NotImplementedError

    def claim_text(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def claim_latex(self) -> str:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Identity(Step):
    """Claim ``lhs == rhs`` for every point of the domain (and ``where``)."""

    lhs: object
    rhs: object
    reason: str
    where: tuple = ()
    domain: tuple = ()
    label: str = ""
    kind = "identity"

    def check(self, domain, where, seed):
        domain = {**domain, **dict(self.domain)}
        lhs, rhs = _as_expr(self.lhs), _as_expr(self.rhs)
        diff = lhs - rhs
        if isinstance(diff, sp.MatrixBase):
            pairs = list(zip(lhs, rhs))
        else:
            pairs = [(lhs, rhs)]
        ok_sym, hows = True, set()
        for a, b in pairs:
            ok, how = symbolic_zero(a - b)
            ok_sym &= ok
            hows.add(how)
        syms = set().union(*[sp.sympify(a).free_symbols | sp.sympify(b).free_symbols for a, b in pairs])
        pts = random_points(syms, domain, tuple(where) + self.where, seed=seed)
        worst = 0.0
        ok_num = bool(pts) or not syms
        for a, b in pairs:
            d = numeric_difference(a, b, pts or [{}])
            if d is None:
                ok_num = False
                break
            worst = max(worst, d)
        ok_num = ok_num and worst <= float(NUMERIC_TOLERANCE)
        return StepCheck(
            ok_sym, ok_num,
            f"symbolic: {'difference reduced to 0 by ' + '/'.join(sorted(hows)) if ok_sym else 'NOT reduced to 0'}; "
            f"numeric: {len(pts) if syms else 1} point(s) at {NUMERIC_DIGITS} digits, max rel. error {_fmt(worst)}",
        )

    def claim_text(self):
        return f"{self.label or sp.sstr(self.lhs)} = {sp.sstr(self.rhs)}"

    def claim_latex(self):
        # ``label`` names a left side that is computed (e.g. an expectation
        # evaluated from moments) rather than written out
        return f"{self.label or sp.latex(self.lhs)} = {sp.latex(self.rhs)}"


@dataclass(frozen=True)
class Inequality(Step):
    """Claim ``lhs >= rhs`` on the domain, proved by a certificate for ``gap = lhs - rhs``."""

    lhs: object
    rhs: object
    certificate: Certificate
    reason: str
    where: tuple = ()
    domain: tuple = ()
    label: str = ""
    kind = "inequality"

    def check(self, domain, where, seed):
        domain = {**domain, **dict(self.domain)}
        if isinstance(self.certificate, NoRootIn):
            domain[self.certificate.var] = (self.certificate.lo, self.certificate.hi)
        gap = sp.sympify(self.lhs) - sp.sympify(self.rhs)
        cert = self.certificate.check(gap, domain, tuple(where) + self.where, seed)
        # independent numeric check of the claim itself
        syms = gap.free_symbols
        pts = random_points(syms, domain, tuple(where) + self.where, seed=seed + 1)
        low = numeric_min(gap, pts) if syms else numeric_min(gap, [{}])
        scale = 1.0
        ok_claim = low is not None and low >= -float(NUMERIC_TOLERANCE) * scale
        return StepCheck(
            cert.symbolic, cert.numeric and ok_claim,
            f"certificate ({self.certificate.kind}): {cert.detail}; "
            f"claim at {len(pts) if syms else 1} random point(s): min gap {_fmt(low)}",
        )

    def claim_text(self):
        return f"{self.label or sp.sstr(self.lhs)} >= {sp.sstr(self.rhs)}"

    def claim_latex(self):
        if self.label:
            lhs = sp.latex(self.lhs)
            if len(lhs) > 200:  # a long computed left side: its label says what it is
                return f"{self.label} \\geq {sp.latex(self.rhs)}"
            return f"{self.label} = {lhs} \\geq {sp.latex(self.rhs)}"
        return f"{sp.latex(self.lhs)} \\geq {sp.latex(self.rhs)}"


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
    kind = "root"

    def check(self, domain, where, seed):
        num, den = sp.fraction(sp.cancel(sp.together(sp.sympify(self.expr))))
        poly = sp.Poly(num, self.var)
        lo, hi = sp.nsimplify(self.lo), sp.nsimplify(self.hi)
        n_roots = _open_interval_roots(poly, lo, hi)
        n_poles = _open_interval_roots(sp.Poly(den, self.var), lo, hi)
        # algebraic numbers given as CRootOf: the minimal polynomial is immediate;
        # radicals: direct substitution and cancellation is usually faster
        routes = [lambda: _divides_by_minimal_polynomial(poly, self.value, self.var),
                  lambda: symbolic_zero(poly.as_expr().subs(self.var, self.value))]
        if not sp.sympify(self.value).has(sp.CRootOf):
            routes.reverse()
        ok_zero, how = routes[0]()
        if not ok_zero:
            ok_zero, how = routes[1]()
        inside = bool(lo < self.value) and bool(self.value < hi)
        ok_sym = n_roots == 1 and n_poles == 0 and ok_zero and inside
        # numeric: the residual at 50 digits and a sign change across the root
        v = sp.N(self.value, NUMERIC_DIGITS)
        eps = sp.Float(10, NUMERIC_DIGITS) ** -20
        f = sp.sympify(self.expr)
        r0 = abs(complex(sp.N(f.subs(self.var, v), NUMERIC_DIGITS)))
        below = sp.N(f.subs(self.var, v - eps), NUMERIC_DIGITS)
        above = sp.N(f.subs(self.var, v + eps), NUMERIC_DIGITS)
        sign_change = bool(below * above < 0)
        ok_num = r0 <= 1e-30 and sign_change
        return StepCheck(
            ok_sym, ok_num,
            f"symbolic: {n_roots} root(s) and {n_poles} pole(s) in ({lo}, {hi}) by Sturm count, "
            f"residual at the value reduced to 0 by {how}; numeric: |residual| {_fmt(r0)} at "
            f"{NUMERIC_DIGITS} digits, sign change across value +- 1e-20: {sign_change}",
        )

    def claim_text(self):
        return f"{sp.sstr(self.expr)} = 0 has the unique root {self.var} = {sp.sstr(self.value)} in ({self.lo}, {self.hi})"

    def claim_latex(self):
        return (f"{sp.latex(self.expr)} = 0 \\text{{ has the unique root }} {sp.latex(self.var)} = "
                f"{sp.latex(self.value)} \\text{{ in }} ({sp.latex(self.lo)}, {sp.latex(self.hi)})")


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
    """Checks of every step of a proof."""

    name: str
    steps: tuple
    seed: int

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def n_failed(self) -> int:
        return sum(not s.ok for s in self.steps)

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "seed": self.seed, "steps": [s.to_dict() for s in self.steps]}

    def __repr__(self) -> str:
        return f"ProofCheck({self.name!r}, ok={self.ok}, steps={len(self.steps)}, failed={self.n_failed})"


@dataclass
class Proof:
    """A theorem and its machine-checked proof.

    Parameters
    ----------
    name : str
        Short identifier used on the command line.
    title : str
        One-line title.
    statement : str
        The theorem in words (Markdown; ``$...$`` for mathematics).
    setting : str
        Symbols, assumptions and definitions used by the steps.
    domain : mapping symbol -> (lo, hi)
        Where the random evaluation points are drawn (None = unbounded).
    where : sequence of sympy relationals
        Extra conditions the random points must satisfy.
    steps : list of Step
    constants : list of Constant
        Computed constants, printed exactly and as decimals.
    conclusion : str
        What the checked steps establish, in words.
    references : str
    """

    name: str
    title: str
    statement: str
    setting: str = ""
    domain: dict = field(default_factory=dict)
    where: tuple = ()
    steps: list = field(default_factory=list)
    constants: list = field(default_factory=list)
    conclusion: str = ""
    references: str = ""
    _check: ProofCheck | None = field(default=None, repr=False)

    def add(self, step: Step) -> Step:
        self.steps.append(step)
        return step

    def constant(self, name: str, value, note: str = "", exact_latex: str = "") -> sp.Expr:
        self.constants.append(Constant(name, value, note, exact_latex))
        return value

    def check(self, seed: int = 0) -> ProofCheck:
        """Check every step twice (symbolic and numeric); cached per seed."""
        if self._check is not None and self._check.seed == seed:
            return self._check
        results = []
        for i, step in enumerate(self.steps):
            try:
                results.append(step.check(self.domain, self.where, seed + 1000 * i))
            except Exception as exc:  # a crashing check is a failed check, reported
                results.append(StepCheck(False, False, f"check raised {type(exc).__name__}: {exc}"))
        self._check = ProofCheck(self.name, tuple(results), seed)
        return self._check

    def to_dict(self, seed: int = 0) -> dict:
        """JSON-ready: the claims, reasons and check results, and the constants (exact and decimal)."""
        result = self.check(seed)
        return {
            "name": self.name,
            "title": self.title,
            "ok": result.ok,
            "steps": [
                {"claim": step.claim_text(), "reason": step.reason, "kind": step.kind, **chk.to_dict()}
                for step, chk in zip(self.steps, result.steps)
            ],
            "constants": [
                {"name": c.name, "exact": str(c.value), "decimal": float(sp.N(c.value, 17))}
                for c in self.constants
            ],
        }

    def to_markdown(self, heading: str = "##") -> str:
        from .render import proof_markdown

        return proof_markdown(self, heading=heading)

    def to_latex(self) -> str:
        from .render import proof_latex

        return proof_latex(self)

    def __repr__(self) -> str:
        return f"Proof({self.name!r}, steps={len(self.steps)}, constants={len(self.constants)})"
