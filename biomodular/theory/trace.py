"""Matrix identities for matrices of every size: noncommutative symbols and the trace.

A matrix is a noncommutative sympy symbol (``W``, ``W^T``, ...); a
commutative scalar ``s`` standing alone in a matrix expression means
``s`` times the identity of the right size.  An identity that sympy's
noncommutative expansion reduces to zero holds in every ring, so for matrices
of all compatible sizes.  Two rules turn such identities into facts about
traces (:class:`Tr`), which are scalars:

- :class:`TraceExpansion`: ``tr(P) = sum_i c_i tr(m_i)`` after expanding ``P``
  into monomials ``m_i``, substituting cited matrix equalities (``W W^T = s^2``),
  and identifying monomials up to cyclic rotation (``tr(XY) = tr(YX)``);
  a scalar term ``c`` of ``P`` contributes ``c`` times the identity's size.
- :class:`GramTrace`: ``tr(Y^T Y) >= 0`` (a sum of squares of the entries).

Both are also checked numerically, on random rational matrices of random
compatible sizes (for cited equalities ``W W^T = s^2 I``, ``W`` is taken as
``s`` times rows of an exactly orthogonal rational matrix, built by the Cayley
transform).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp

from .proof import Fact, Step, StepCheck, symbolic_zero

__all__ = ["Tr", "Inv", "TraceExpansion", "GramTrace", "RingIdentity", "InverseTrace", "transpose", "canonical_trace"]


class Tr(sp.Function):
    """The trace of a matrix expression (a commutative, real scalar)."""

    nargs = 1

    def _eval_is_commutative(self):
        return True

    def _eval_is_real(self):
        return True

    def _latex(self, printer):
        return "\\operatorname{tr}\\left(" + printer._print(self.args[0]) + "\\right)"


def _factors(term) -> tuple:
    """(scalar coefficient, tuple of noncommutative factors, powers expanded)."""
    coeff, nc = sp.Integer(1), []
    for f in sp.Mul.make_args(term):
        if f.is_commutative:
            coeff *= f
        elif isinstance(f, sp.Pow) and f.exp.is_Integer and f.exp > 0:
            nc += [f.base] * int(f.exp)
        else:
            nc.append(f)
    return coeff, tuple(nc)


def transpose(expr, pairs: dict):
    """The transpose of a noncommutative polynomial; ``pairs`` maps each symbol to its transpose symbol."""
    expr = sp.expand(expr)
    out = sp.Integer(0)
    for term in sp.Add.make_args(expr):
        coeff, nc = _factors(term)
        out += coeff * sp.Mul(*[pairs[f] for f in reversed(nc)]) if nc else coeff
    return out


def _rotations(nc: tuple) -> list:
    return [nc[i:] + nc[:i] for i in range(len(nc))]


def canonical_trace(expr, pairs: dict | None = None) -> sp.Expr:
    """``tr(expr)`` expanded by linearity, each monomial's trace in a canonical cyclic (and transposed) form.

    Scalar terms are returned as ``c * Tr(1)``: the caller supplies the size.
    """
    expr = sp.expand(expr)
    total = sp.Integer(0)
    for term in sp.Add.make_args(expr):
        coeff, nc = _factors(term)
        if not nc:
            total += coeff * Tr(sp.Integer(1))
            continue
        candidates = _rotations(nc)
        if pairs:  # tr(X) = tr(X^T)
            candidates += _rotations(tuple(pairs[f] for f in reversed(nc)))
        best = min(candidates, key=lambda t: tuple(str(f) for f in t))
        total += coeff * Tr(sp.Mul(*best))
    return total


def _trace_args_canonical(expr, pairs, sizes) -> sp.Expr:
    """Replace every ``Tr(P)`` in a scalar expression by its canonical expansion."""
    expr = sp.sympify(expr)
    reps = {}
    for t in expr.atoms(Tr):
        reps[t] = canonical_trace(t.args[0], pairs)
    out = expr.xreplace(reps)
    return out.xreplace({Tr(sp.Integer(1)): sizes.get("identity", sp.Symbol("n_I"))}) if sizes else out


# ----------------------------------------------------------------- numerics
def _cayley_orthogonal(n: int, rng: random.Random) -> sp.Matrix:
    """An exactly orthogonal rational matrix (Cayley transform of a random skew matrix)."""
    S = sp.zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            v = sp.Rational(rng.randint(-9, 9), rng.randint(1, 5))
            S[i, j], S[j, i] = v, -v
    eye = sp.eye(n)
    return (eye - S) * (eye + S).inv()


def _evaluate(expr, values: dict):
    """Value of a noncommutative polynomial at matrices (scalars stand for multiples of the identity)."""
    expr = sp.expand(expr)
    terms = []
    for term in sp.Add.make_args(expr):
        coeff, nc = _factors(term)
        coeff = coeff.subs(values)
        if not nc:
            terms.append(coeff)
            continue
        m = values[nc[0]]
        for f in nc[1:]:
            m = m * values[f]
        terms.append(coeff * m)
    size = next((t.shape for t in terms if isinstance(t, sp.MatrixBase)), None)
    if size is None:
        return sum(terms, sp.Integer(0))
    return sum((t if isinstance(t, sp.MatrixBase) else t * sp.eye(size[0]) for t in terms), sp.zeros(*size))


def _random_values(
    shapes: dict,
    pairs: dict,
    scalars,
    orthogonal_rows: tuple,
    seed: int,
    constraints: tuple = (),
    sizes: tuple = (),
    definitions: tuple = (),
    ones: tuple = (),
    products: tuple = (),
) -> tuple[dict, dict]:
    """Random rational matrices of random compatible sizes satisfying cited equalities.

    ``orthogonal_rows = (W, s)`` makes ``W W^T = s^2 I``.  ``constraints`` are cited facts
    ``X_1 ... X_k = 1`` or ``= 0``: the first factor (or, if that one is already fixed, the last) is solved
    for: an inverse, or a random matrix times the projector onto the orthogonal complement of the rest.
    ``sizes`` fixes some dimensions (e.g. more neurons than sources).  ``definitions`` are cited facts
    ``X = expression`` (``X`` a matrix symbol): ``X`` is given the value of the expression, before the
    constraints are solved and again after (so a definition may use a solved inverse).  A cited fact
    ``u^T u = d`` with ``u`` a column of ``d`` entries (``d`` its dimension) makes ``u`` the vector of ones.
    ``products`` are cited facts ``A B = M`` (``M`` a matrix expression, ``A`` of full row rank): ``B`` is
    solved for, ``B = A^+ M + (I - A^+ A) R`` with ``A^+ = A^T (A A^T)^{-1}`` and ``R`` random.
    """
    rng = random.Random(seed)
    dims: dict = dict(sizes)
    for rows, cols in shapes.values():
        for d in (rows, cols):
            dims.setdefault(d, int(d) if sp.sympify(d).is_Integer else rng.randint(2, 4))
    if orthogonal_rows:
        W, _ = orthogonal_rows
        r, c = shapes[W]
        if dims[r] > dims[c]:
            dims[r], dims[c] = dims[c], dims[r]
    values = {s: sp.Rational(rng.randint(1, 9), rng.randint(1, 5)) for s in scalars}
    kept: list = []
    seen: list = []
    for f in constraints:  # a constraint that is the transpose of an earlier one adds nothing
        lhs = sp.expand(sp.sympify(f.lhs))
        if any(sp.expand(transpose(lhs, pairs) - s) == 0 for s in seen):
            continue
        seen.append(lhs)
        kept.append(f)
    constraints = tuple(kept)
    solved = set()
    for f in constraints:
        factors = _factors(sp.sympify(f.lhs))[1]
        if factors:
            solved.add(factors[0])
    for sym, (rows, cols) in shapes.items():
        if sym in values or (pairs.get(sym) in values and isinstance(values[pairs[sym]], sp.MatrixBase)):
            continue
        M = sp.Matrix(dims[rows], dims[cols], lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)))
        if orthogonal_rows and sym == orthogonal_rows[0]:
            s = values[orthogonal_rows[1]]
            M = s * _cayley_orthogonal(dims[cols], rng)[: dims[rows], :]
        if pairs[sym] == sym:  # symmetric, and safely invertible
            M = M + M.T + 40 * sp.eye(M.shape[0])
        values[sym] = M
        values[pairs[sym]] = M.T
    for col in _ones_vectors(ones, shapes, pairs):
        values[col] = sp.ones(dims[shapes[col][0]], 1)
        values[pairs[col]] = values[col].T
    for f in products:
        A, B = _factors(sp.sympify(f.lhs))[1]
        a = values[A]
        pinv = a.T * (a * a.T).inv()
        R = sp.Matrix(a.shape[1], values[B].shape[1], lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)))
        values[B] = pinv * _evaluate(f.rhs, values) + (sp.eye(a.shape[1]) - pinv * a) * R
        values[pairs[B]] = values[B].T
    _define(definitions, values, pairs)
    for f in constraints:
        factors = _factors(sp.sympify(f.lhs))[1]
        if not factors or len(factors) < 2:
            continue
        first, rest = factors[0], sp.Mul(*factors[1:])
        if first in solved:
            X = _evaluate(rest, values)
            if f.rhs == 1:
                S = X.inv()
            else:  # S X = 0: rows of S in the left null space of X
                proj = sp.eye(X.shape[0]) - X * (X.T * X).inv() * X.T
                K = sp.Matrix(
                    dims[shapes[first][0]], X.shape[0], lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4))
                )
                S = K * proj
            values[first] = S
            values[pairs[first]] = S.T
            solved.discard(first)
            solved.discard(pairs[first])
    _define(definitions, values, pairs)
    values.update({d: sp.Integer(n) for d, n in dims.items()})
    return values, dims


def _ones_vectors(facts, shapes: dict, pairs: dict) -> list:
    """The columns ``u`` of the cited facts ``u^T u = d`` where ``d`` is the number of entries of ``u``."""
    out = []
    for f in facts:
        if f.rel != "=":
            continue
        factors = _factors(sp.sympify(f.lhs))[1]
        if len(factors) == 2 and _factors(sp.sympify(f.lhs))[0] == 1:
            row, col = factors
            if col in shapes and pairs.get(col) == row and shapes[col][1] == 1 and shapes[col][0] == f.rhs:
                out.append(col)
    return out


def _products(premises: dict, shapes: dict, pairs: dict) -> tuple:
    """The cited facts ``A B = M`` between two matrix symbols and a matrix expression ``M`` (a transposed
    copy of an earlier one is left out: solving for ``B`` satisfies both)."""
    out: list = []
    for f in premises.values():
        if f.rel != "=" or sp.sympify(f.rhs).is_commutative:
            continue
        coeff, factors = _factors(sp.sympify(f.lhs))
        if coeff != 1 or len(factors) != 2 or not all(x in shapes for x in factors):
            continue
        if any(sp.expand(transpose(f.lhs, pairs) - g.lhs) == 0 for g in out):
            continue
        out.append(f)
    return tuple(out)


def _define(definitions: tuple, values: dict, pairs: dict) -> None:
    """Give each defined matrix symbol (and its transpose) the value of its defining expression."""
    for f in definitions:
        value = _evaluate(f.rhs, values)
        values[f.lhs] = value
        values[pairs[f.lhs]] = value.T


def _definitions(premises: dict, shapes: dict) -> tuple:
    """The cited facts ``X = expression`` with ``X`` a matrix symbol of the step."""
    return tuple(
        f
        for f in premises.values()
        if f.rel == "=" and isinstance(f.lhs, sp.Symbol) and not f.lhs.is_commutative and f.lhs in shapes
    )


def _numeric_trace(expr, values, dims, identity_dim):
    expr = sp.sympify(expr)
    reps = {}
    for t in expr.atoms(Tr):
        m = _evaluate(t.args[0], values)
        reps[t] = m.trace() if isinstance(m, sp.MatrixBase) else m * dims[identity_dim]
    return expr.xreplace(reps).xreplace({k: v for k, v in values.items() if not isinstance(v, sp.MatrixBase)})


# ----------------------------------------------------------------- steps
@dataclass(frozen=True)
class TraceExpansion(Step):
    """Claim ``lhs = rhs`` between scalar expressions of traces, by linearity and cyclicity of the trace.

    Cited equalities between matrix expressions (``Eq(W*W^T, s**2)``) are
    substituted after expansion.  ``shapes`` gives each matrix symbol's
    (rows, cols) as dimension names; ``identity`` names the size of the
    identity a scalar term of a trace's argument stands for.
    """

    lhs: object
    rhs: object
    shapes: tuple
    pairs: tuple
    identity: object
    reason: str
    premises: tuple = ()
    name: str = ""
    orthogonal_rows: tuple = ()
    sizes: tuple = ()
    kind = "trace algebra"

    def fact(self, where=(), domain=()) -> Fact:
        return Fact("=", self.lhs, self.rhs)

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        pairs = dict(self.pairs)
        subs_pairs = []
        for name, f in premises.items():
            if f.rel != "=" or sp.sympify(f.lhs).is_commutative:
                return StepCheck(False, False, f"{name} is not an equality between matrix expressions")
            subs_pairs.append((name, f.lhs, f.rhs))

        def substituted(expr, used):
            expr = sp.expand(expr)
            for name, a, b in subs_pairs:
                nxt = sp.expand(expr.subs(a, b))
                if nxt != expr:
                    used.add(name)
                expr = nxt
            return expr

        def nc_length(expr):
            return sum(len(_factors(t)[1]) for t in sp.Add.make_args(sp.expand(expr)))

        shapes_of = dict(self.shapes)

        def trace_of(term, size, used, depth=0):
            # tr(term) for a term acting on a space of dimension `size`: the rotation (the trace is cyclic) on
            # which the cited equalities shorten it most, substituted; a scalar left over is that multiple of
            # the identity of the rotation's own size (a rotation may turn an n x n product into a 1 x 1 one)
            coeff, nc = _factors(term)
            if not nc:
                return coeff * size
            options = []
            for r in _rotations(nc):
                u: set = set()
                sub = substituted(sp.Mul(*r), u)
                if u:
                    options.append((nc_length(sub), sub, u, r))
            if not options or depth >= 6:
                return coeff * canonical_trace(sp.Mul(*nc), pairs)
            _, sub, u, r = min(options, key=lambda o: o[0])
            used |= u
            inner = shapes_of[r[0]][0]
            return coeff * sum(
                (trace_of(t, inner, used, depth + 1) for t in sp.Add.make_args(sp.expand(sub))), sp.Integer(0)
            )

        def reduce(expr):
            expr = sp.sympify(expr)
            used: set = set()
            reps = {}
            for t in expr.atoms(Tr):
                reps[t] = sum(
                    (trace_of(m, self.identity, used) for m in sp.Add.make_args(sp.expand(t.args[0]))), sp.Integer(0)
                )
            return expr.xreplace(reps), used

        left, used_l = reduce(self.lhs)
        right, used_r = reduce(self.rhs)
        unused = [n for n in premises if n not in used_l | used_r]
        ok, how = symbolic_zero(left - right)
        # numeric: random matrices of random sizes satisfying the cited equalities
        shapes = dict(self.shapes)
        dim_symbols = {d for rc in shapes.values() for d in rc}
        scalars = (
            (sp.sympify(self.lhs).free_symbols | sp.sympify(self.rhs).free_symbols)
            - set(shapes)
            - set(pairs.values())
            - dim_symbols
        )
        if self.orthogonal_rows:
            scalars |= {self.orthogonal_rows[1]}
        ok_num, worst = True, 0
        for k in range(3):
            constraints = tuple(f for f in premises.values() if f.rhs in (0, 1) and not f.lhs.is_commutative)
            values, dims = _random_values(
                shapes,
                pairs,
                scalars,
                self.orthogonal_rows,
                seed + k,
                constraints,
                self.sizes,
                _definitions(premises, shapes),
                tuple(premises.values()),
                _products(premises, shapes, pairs),
            )
            a = _numeric_trace(self.lhs, values, dims, self.identity)
            b = _numeric_trace(self.rhs, values, dims, self.identity)
            if sp.simplify(a - b) != 0:
                ok_num = False
                worst = sp.N(a - b, 6)
        detail = (
            f"traces expanded, cited equalities substituted, monomials identified up to rotation: difference "
            f"{'reduced to 0 by ' + how if ok else 'NOT reduced to 0'}; exact evaluation at 3 random "
            f"rational matrices of random sizes: {'equal' if ok_num else f'differ by {worst}'}"
        )
        if unused:
            return StepCheck(False, ok_num, detail, refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(ok, ok_num, detail)


@dataclass(frozen=True)
class GramTrace(Step):
    """Claim ``tr(Y^T Y) >= 0`` where the trace's argument expands to ``transpose(Y) * Y``."""

    of: object
    pairs: tuple
    reason: str
    premises: tuple = ("axiom:trace-cyclic",)
    name: str = ""
    kind = "trace of a Gram matrix"

    def fact(self, where=(), domain=()) -> Fact:
        return Fact(">=", Tr(sp.expand(transpose(self.of, dict(self.pairs)) * self.of)), 0)

    def check(self, domain, where, seed, premises=None):
        if premises:
            return StepCheck(False, False, "", refusal=f"cites {', '.join(premises)} without using it")
        arg = self.fact().lhs.args[0]
        ok = sp.expand(arg - transpose(self.of, dict(self.pairs)) * self.of) == 0
        return StepCheck(
            ok,
            ok,
            f"the argument is Y^T Y with Y = {sp.sstr(self.of)}: the trace is the sum of the squared entries of Y",
        )


@dataclass(frozen=True)
class RingIdentity(Step):
    """Claim ``lhs = rhs`` between noncommutative (matrix) expressions, for matrices of every size.

    Checked by noncommutative expansion after substituting the cited equalities (products such as
    ``G G^{-1} = 1`` or ``w^T G^{-1} w = q`` with ``q`` a scalar), and by exact evaluation at random
    rational matrices of random compatible sizes that satisfy the cited equalities.
    """

    lhs: object
    rhs: object
    shapes: tuple
    pairs: tuple
    reason: str
    premises: tuple = ()
    name: str = ""
    sizes: tuple = ()
    kind = "ring identity"

    def fact(self, where=(), domain=()) -> Fact:
        return Fact("=", self.lhs, self.rhs)

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        subs_pairs = [(n, f.lhs, f.rhs) for n, f in premises.items() if f.rel == "="]
        used: set = set()
        diff = sp.expand(sp.sympify(self.lhs) - sp.sympify(self.rhs))
        for _ in range(6):
            new = diff
            for name, a, b in subs_pairs:
                nxt = sp.expand(new.subs(a, b))
                if nxt != new:
                    used.add(name)
                new = nxt
            if new == diff:
                break
            diff = new
        ok = diff == 0
        unused = [n for n in premises if n not in used]
        shapes, pairs = dict(self.shapes), dict(self.pairs)
        dim_symbols = {d for rc in shapes.values() for d in rc}
        free = sp.sympify(self.lhs).free_symbols | sp.sympify(self.rhs).free_symbols
        scalars = {s for s in free if s.is_commutative} - dim_symbols
        defined = {
            f.rhs: f.lhs
            for f in premises.values()
            if f.rel == "=" and sp.sympify(f.rhs).is_Symbol and sp.sympify(f.rhs).is_commutative
        }
        constraints = tuple(f for f in premises.values() if f.rhs in (0, 1) and not f.lhs.is_commutative)
        ok_num = True
        for k in range(3):
            values, dims = _random_values(shapes, pairs, scalars - set(defined), (), seed + k, constraints, self.sizes)
            for sym, expr in defined.items():  # a scalar defined by a cited 1x1 product
                values[sym] = _evaluate(expr, values)[0, 0]
            a, b = _evaluate(self.lhs, values), _evaluate(self.rhs, values)
            if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase):
                a = a if isinstance(a, sp.MatrixBase) else a * sp.eye(b.shape[0])
                b = b if isinstance(b, sp.MatrixBase) else b * sp.eye(a.shape[0])
            if sp.simplify(sp.Matrix(a - b) if isinstance(a, sp.MatrixBase) else a - b) != sp.zeros(
                *(a.shape if isinstance(a, sp.MatrixBase) else (1, 1))
            ) and not (not isinstance(a, sp.MatrixBase) and sp.simplify(a - b) == 0):
                ok_num = False
        detail = (
            f"noncommutative expansion{' after substituting ' + ', '.join(sorted(used)) if used else ''}: "
            f"{'0' if ok else sp.sstr(diff)[:80]}; exact evaluation at 3 random rational matrices of "
            f"random sizes: {'equal' if ok_num else 'DIFFER'}"
        )
        if unused:
            return StepCheck(False, ok_num, detail, refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(ok, ok_num, detail)


class Inv(sp.Function):
    """The inverse of a square matrix expression (noncommutative, unevaluated)."""

    nargs = 1

    def _latex(self, printer):
        return "\\left(" + printer._print(self.args[0]) + "\\right)^{-1}"


@dataclass(frozen=True)
class InverseTrace(Step):
    """From a cited ``X Y = c I`` (``c`` a nonzero scalar, ``X`` square) claim ``tr(X^{-1}) = tr(Y) / c``
    (axiom ``square-inverse``: a right inverse of a square matrix is its inverse)."""

    matrix: object
    right: object
    scalar: object
    reason: str
    premises: tuple = ("axiom:square-inverse",)
    name: str = ""
    kind = "inverse from a right inverse"

    def fact(self, where=(), domain=()) -> Fact:
        return Fact("=", Tr(Inv(self.matrix)), Tr(self.right) / self.scalar)

    def check(self, domain, where, seed, premises=None):
        premises = dict(premises or {})
        target = sp.expand(sp.sympify(self.matrix) * sp.sympify(self.right))
        match = [
            n
            for n, f in premises.items()
            if f.rel == "="
            and sp.expand(sp.sympify(f.lhs)) == target
            and sp.expand(sp.sympify(f.rhs) - self.scalar) == 0
        ]
        unused = [n for n in premises if n not in match]
        if not match:
            return StepCheck(False, False, "no cited premise states X Y = c")
        if unused:
            return StepCheck(False, True, "", refusal=f"cites {', '.join(unused)} without using it")
        return StepCheck(True, True, f"{match[0]} gives a right inverse Y / c of the square matrix X")
