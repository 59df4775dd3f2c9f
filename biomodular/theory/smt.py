"""The second, independent checker: claims re-decided by an SMT solver (z3, nonlinear real arithmetic).

A claim ``lhs REL rhs`` (``=``, ``>=``, ``>``, or a matrix equality) over real
symbols is translated to z3 together with everything the step may assume:
the symbols' sympy assumptions (``positive`` -> ``x > 0``), the step's domain
and ``where`` conditions, and the facts it cites as premises.  z3 is then asked
for a point satisfying all of them at which the claim is *false*.  ``unsat``
means the claim follows (``proved``); ``sat`` means z3 found a counterexample
(``refuted``, and the proof fails whatever sympy said); a timeout is
``unknown``.  z3's nonlinear real arithmetic (nlsat) is a complete decision
procedure for polynomial claims, so for those only time limits it.

Translation: ``+ * /`` and integer powers directly (each denominator is
assumed nonzero, as the claim only makes sense there); ``sqrt(e)`` (any
``e**(k/2)``) becomes a fresh ``r >= 0`` with ``r**2 = e``; ``Abs``, ``Min``,
``Max`` become ``If`` terms.  Anything else (``log``, ``sin``, an algebraic
number given as ``CRootOf``, a sum over a symbolic range) is outside the
fragment: the verdict is ``n/a`` with the reason, and is reported as such.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp

__all__ = ["SMTVerdict", "decide", "decide_biconditional", "root_verdict", "SMT_RLIMIT", "SMT_TIMEOUT_MS", "available"]

#: Per-query resource limit of z3 (its deterministic ``rlimit`` count, not wall-clock time, so that a
#: verdict does not depend on the machine's load).
SMT_RLIMIT = 30_000_000
#: Wall-clock safety limit per query, milliseconds (far above what the resource limit allows).
SMT_TIMEOUT_MS = 600_000


def available() -> bool:
    """Whether z3 can be imported."""
    try:
        import z3  # noqa: F401
    except ImportError:  # pragma: no cover - z3 is a test dependency
        return False
    return True


@dataclass(frozen=True)
class SMTVerdict:
    """Outcome of one SMT query.

    Attributes
    ----------
    status : {"proved", "refuted", "unknown", "n/a"}
    detail : str
    seconds : float
    """

    status: str
    detail: str
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"status": self.status, "detail": self.detail, "seconds": round(self.seconds, 3)}


class _Untranslatable(Exception):
    pass


class _Translator:
    def __init__(self):
        import z3

        self.z3 = z3
        self.vars: dict = {}
        self.side: list = []  # side conditions of auxiliary variables and denominators
        self.n_aux = 0
        self.opaque: dict = {}  # means, sums, indexed symbols: arbitrary reals (sound for "proved" only)

    def var(self, sym: sp.Symbol):
        if sym not in self.vars:
            v = self.z3.Real(sym.name)
            self.vars[sym] = v
            if sym.is_positive:
                self.side.append(v > 0)
            elif sym.is_nonnegative:
                self.side.append(v >= 0)
            elif sym.is_negative:
                self.side.append(v < 0)
            elif sym.is_nonpositive:
                self.side.append(v <= 0)
            if sym.is_real is not True and sym.is_positive is not True and sym.is_nonnegative is not True:
                raise _Untranslatable(f"symbol {sym} is not declared real")
        return self.vars[sym]

    def aux(self, prefix: str):
        self.n_aux += 1
        return self.z3.Real(f"_{prefix}{self.n_aux}")

    def expr(self, e):
        z3 = self.z3
        e = sp.sympify(e)
        if e.is_Symbol:
            return self.var(e)
        if e.is_Integer:
            return z3.RealVal(int(e))
        if e.is_Rational:
            return z3.RealVal(int(e.p)) / z3.RealVal(int(e.q))
        if e.is_number:
            return self.algebraic(e)
        if e.is_Add:
            out = self.expr(e.args[0])
            for a in e.args[1:]:
                out = out + self.expr(a)
            return out
        if e.is_Mul:
            num, den = [], []
            for a in e.args:
                if a.is_Pow and a.exp.is_Rational and a.exp < 0:
                    den.append(a.base ** (-a.exp))
                else:
                    num.append(a)
            out = z3.RealVal(1)
            for a in num:
                out = out * self.expr(a)
            if den:
                d = z3.RealVal(1)
                for a in den:
                    d = d * self.expr(a)
                self.side.append(d != 0)
                out = out / d
            return out
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                return self.expr_pow(self.expr(base), int(ex))
            if ex.is_Rational:  # base**(p/q): a fresh r with r**q = base (r >= 0 for even q)
                r = self.aux("root")
                b = self.expr(base)
                q = int(ex.q)
                self.side.append(self.expr_pow(r, q) == b)
                if q % 2 == 0:
                    self.side.append(r >= 0)
                return self.expr_pow(r, int(ex.p))
            raise _Untranslatable(f"power {e}")
        if isinstance(e, (sp.Sum, sp.Indexed)) or (isinstance(e, sp.Function) and type(e).__name__ in ("Mean", "Tr")):
            key = sp.srepr(e)
            if key not in self.opaque:
                v = self.z3.Real(f"_opaque{len(self.opaque) + 1}")
                self.opaque[key] = v
                if e.is_nonnegative:
                    self.side.append(v >= 0)
            return self.opaque[key]
        if isinstance(e, sp.Abs):
            a = self.expr(e.args[0])
            return z3.If(a >= 0, a, -a)
        if isinstance(e, (sp.Min, sp.Max)):
            args = [self.expr(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = z3.If(a < out, a, out) if isinstance(e, sp.Min) else z3.If(a > out, a, out)
            return out
        raise _Untranslatable(f"{type(e).__name__} ({sp.sstr(e)[:60]})")

    def algebraic(self, e):
        """A real algebraic number: a fresh variable with its minimal polynomial and an isolating interval."""
        key = sp.srepr(e)
        if key in self.opaque:
            return self.opaque[key]
        x = sp.Dummy("x")
        try:
            poly = sp.Poly(sp.minimal_polynomial(e, x), x)
        except Exception:  # sympy raises several types (NotAlgebraic, NotImplementedError, ...)
            raise _Untranslatable(f"number {sp.sstr(e)[:40]} (not algebraic)") from None
        value = sp.N(e, 60)
        if abs(sp.im(value)) > sp.Float(10) ** -50:
            raise _Untranslatable(f"complex number {sp.sstr(e)[:40]}")
        value = sp.re(value)
        interval = next(((a, b) for (a, b), _ in poly.intervals(eps=sp.Rational(1, 10**30)) if a <= value <= b), None)
        if interval is None:  # pragma: no cover - the number is a root of its minimal polynomial
            raise _Untranslatable(f"no isolating interval for {sp.sstr(e)[:40]}")
        r = self.aux("alg")
        a, b = interval
        self.side += [self.poly_value(poly, x, r) == 0, r >= self.expr(a), r <= self.expr(b)]
        self.opaque_numbers = getattr(self, "opaque_numbers", 0) + 1
        self.opaque[key] = r
        return r

    def poly_value(self, poly, x, r):
        out = self.z3.RealVal(0)
        for (k,), coeff in poly.terms():
            out = out + self.expr(coeff) * self.expr_pow(r, k) if k else out + self.expr(coeff)
        return out

    def expr_pow(self, r, n: int):
        if n == 0:
            return self.z3.RealVal(1)
        p = r
        for _ in range(abs(n) - 1):
            p = p * r
        if n < 0:
            self.side.append(r != 0)
            return 1 / p
        return p

    def relation(self, rel: str, lhs, rhs):
        """The z3 formula of ``lhs REL rhs`` (matrices: every entry)."""
        z3 = self.z3
        if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
            lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
            if rel != "=":
                raise _Untranslatable("matrix inequality")
            return z3.And(*[self.expr(a) == self.expr(b) for a, b in zip(lhs, rhs)])
        a, b = self.expr(lhs), self.expr(rhs)
        return {"=": a == b, ">=": a >= b, ">": a > b}[rel]

    def condition(self, cond):
        """A sympy relational used as an assumption."""
        z3 = self.z3
        if cond is sp.true or cond is True:
            return z3.BoolVal(True)
        if isinstance(cond, sp.And):
            return z3.And(*[self.condition(c) for c in cond.args])
        if isinstance(cond, sp.Or):
            return z3.Or(*[self.condition(c) for c in cond.args])
        ops = {sp.Gt: ">", sp.Ge: ">=", sp.Lt: "<", sp.Le: "<=", sp.Eq: "=", sp.Ne: "!="}
        for cls, op in ops.items():
            if isinstance(cond, cls):
                a, b = self.expr(cond.lhs), self.expr(cond.rhs)
                return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b, "!=": a != b}[op]
        raise _Untranslatable(f"condition {cond}")


def _differentiated(x):
    """``x`` with its derivatives evaluated (sympy's symbolic differentiation)."""
    if isinstance(x, (list, tuple)):
        x = sp.Matrix(x)
    x = sp.sympify(x)
    return x.doit() if x.has(sp.Derivative, sp.Subs) else x


def decide(rel: str, lhs, rhs, assumptions=(), domain=(), premises=(), timeout_ms: int = SMT_TIMEOUT_MS) -> SMTVerdict:
    """Ask z3 whether ``lhs REL rhs`` follows from the assumptions.

    Parameters
    ----------
    rel : {"=", ">=", ">"}
    lhs, rhs : sympy expressions or matrices
    assumptions : sequence of sympy relationals (the step's ``where``)
    domain : sequence of (symbol, (lo, hi)) (open intervals; None = unbounded)
    premises : sequence of (rel, lhs, rhs) facts the step cites
    """
    start = time.perf_counter()
    try:
        import z3
    except ImportError:  # pragma: no cover - z3 is a test dependency
        return SMTVerdict("n/a", "z3 is not installed (pip install 'biomodular[smt]')")
    # a derivative is taken by sympy first (z3 has no calculus); z3 then re-decides the resulting algebra
    lhs, rhs = _differentiated(lhs), _differentiated(rhs)
    premises = [(prel, _differentiated(plhs), _differentiated(prhs)) for prel, plhs, prhs in premises]
    try:
        t = _Translator()
        claim = t.relation(rel, lhs, rhs)
        context = [t.condition(c) for c in assumptions]
        for sym, (lo, hi) in domain:
            v = t.expr(sym)
            if lo is not None:
                context.append(v > t.expr(lo))
            if hi is not None:
                context.append(v < t.expr(hi))
        for prel, plhs, prhs in premises:
            context.append(t.relation(prel, plhs, prhs))
    except _Untranslatable as exc:
        return SMTVerdict("n/a", f"outside the z3 fragment: {exc}", time.perf_counter() - start)
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", int(timeout_ms))
    solver.set("rlimit", SMT_RLIMIT)
    solver.add(*t.side, *context, z3.Not(claim))
    answer = solver.check()
    seconds = time.perf_counter() - start
    n_opaque = len(t.opaque) - getattr(t, "opaque_numbers", 0)
    if answer == z3.unsat:
        opaque = f", {n_opaque} opaque term(s)" if n_opaque else ""
        return SMTVerdict(
            "proved",
            f"z3 (QF_NRA): no counterexample exists ({len(t.vars)} variables, {t.n_aux} auxiliary{opaque})",
            seconds,
        )
    if answer == z3.sat and n_opaque:
        return SMTVerdict(
            "unknown",
            f"z3 found a point, but the claim has {n_opaque} opaque term(s) "
            "(means, sums) whose relations z3 does not know",
            seconds,
        )
    if answer == z3.sat:
        model = solver.model()
        shown = ", ".join(f"{s}={model.eval(v, model_completion=True)}" for s, v in list(t.vars.items())[:6])
        return SMTVerdict("refuted", f"z3 found a counterexample: {shown}", seconds)
    return SMTVerdict("unknown", f"z3 gave up ({solver.reason_unknown()})", seconds)


def root_verdict(num, var, lo, hi, a, b, timeout_ms: int = SMT_TIMEOUT_MS) -> SMTVerdict:
    """z3 on a univariate polynomial ``num``: a zero in (lo, hi), no two distinct zeros there, one in (a, b)."""
    start = time.perf_counter()
    try:
        import z3
    except ImportError:  # pragma: no cover
        return SMTVerdict("n/a", "z3 is not installed")
    try:
        t = _Translator()
        c1, c2 = sp.Symbol("_c1", real=True), sp.Symbol("_c2", real=True)
        p1, p2 = t.expr(sp.sympify(num).subs(var, c1)), t.expr(sp.sympify(num).subs(var, c2))
        x1, x2 = t.var(c1), t.var(c2)
        L, H, A, B = (
            t.expr(sp.sympify(v)) for v in (lo, hi, a, b)
        )  # never nsimplify: it may turn a rational into a radical
    except _Untranslatable as exc:
        return SMTVerdict("n/a", f"outside the z3 fragment: {exc}", time.perf_counter() - start)

    def query(*constraints):
        s = z3.SolverFor("QF_NRA")
        s.set("timeout", int(timeout_ms))
        s.set("rlimit", SMT_RLIMIT)
        s.add(*t.side, *constraints)
        return s.check()

    exists = query(x1 > L, x1 < H, p1 == 0)
    two = query(x1 > L, x2 > x1, x2 < H, p1 == 0, p2 == 0)
    near = query(x1 > A, x1 < B, p1 == 0)
    seconds = time.perf_counter() - start
    detail = (
        f"z3 (QF_NRA): a zero in the interval {exists}, two distinct zeros {two}, "
        f"a zero within 1e-12 of the value {near}"
    )
    if exists == z3.sat and two == z3.unsat and near == z3.sat:
        return SMTVerdict("proved", detail, seconds)
    if z3.unknown in (exists, two, near):
        return SMTVerdict("unknown", detail, seconds)
    return SMTVerdict("refuted", detail, seconds)


def decide_biconditional(parts, condition, var, lo, hi, timeout_ms: int = SMT_TIMEOUT_MS) -> SMTVerdict:
    """z3 on ``for var in (lo, hi): (all parts) iff condition``, from the parts' expressions alone.

    Two queries: a point of ``(lo, hi)`` where the condition holds and some part fails, and a point where
    the condition fails and every part holds.  Both ``unsat``: proved; either ``sat``: refuted (with the
    point).  ``parts`` are ``(rel, lhs, rhs)`` in ``var``; ``condition`` a sympy relational in ``var``.
    """
    start = time.perf_counter()
    try:
        import z3
    except ImportError:  # pragma: no cover - z3 is a test dependency
        return SMTVerdict("n/a", "z3 is not installed (pip install 'biomodular[smt]')")
    try:
        t = _Translator()
        x = t.var(var)
        box = [x > t.expr(lo), x < t.expr(hi)]
        rels = [t.relation(rel, _differentiated(a), _differentiated(b)) for rel, a, b in parts]
        cond = t.condition(condition)
    except _Untranslatable as exc:
        return SMTVerdict("n/a", f"outside the z3 fragment: {exc}", time.perf_counter() - start)
    answers = []
    points = []
    for query in (z3.And(cond, z3.Not(z3.And(*rels))), z3.And(z3.Not(cond), *rels)):
        solver = z3.SolverFor("QF_NRA")
        solver.set("timeout", int(timeout_ms))
        solver.set("rlimit", SMT_RLIMIT)
        solver.add(*t.side, *box, query)
        answer = solver.check()
        answers.append(answer)
        if answer == z3.sat:
            points.append(str(solver.model().eval(x, model_completion=True)))
    seconds = time.perf_counter() - start
    detail = (
        f"z3 (QF_NRA): condition holds and a part fails: {answers[0]}; condition fails and every part holds: "
        f"{answers[1]}"
    )
    if all(a == z3.unsat for a in answers):
        return SMTVerdict("proved", detail, seconds)
    if z3.sat in answers:
        return SMTVerdict("refuted", detail + f"; counterexample {var} = {points[0]}", seconds)
    return SMTVerdict("unknown", detail, seconds)
