"""Mutation tests: a false variant of any theorem's statement is rejected.

For every theorem of the catalogue and every part of its conclusion: a changed constant, and for a bound a
strengthened one, are rejected, whether only the statement is changed (the last step no longer establishes
it) or the step that proves the part is changed with it (its check fails).  Dropping any hypothesis is
rejected.  A step whose check raises, and a matrix identity with one wrong entry, fail the proof.
"""

import dataclasses

import pytest
import sympy as sp

from biomodular.theory.catalogue import CATALOGUE, get
from biomodular.theory.proof import (
    AllOf,
    Biconditional,
    Conjunction,
    Eq,
    Fact,
    Identity,
    Inequality,
    Proof,
    RootOf,
    Step,
    StepCheck,
)
from biomodular.theory.trace import TraceExpansion


def _parts(fact):
    return list(fact.parts) if fact.rel == "all" else [fact]


def _bump(x, amount):
    if isinstance(x, sp.MatrixBase) or isinstance(x, (list, tuple)):
        m = sp.Matrix(x).copy()
        m[0, 0] = m[0, 0] + amount
        return m
    return sp.sympify(x) + amount


def _gap_somewhere(part: Fact):
    """lhs - rhs at a seeded random point of the part's domain (None when it cannot be evaluated)."""
    from biomodular.theory.proof import random_points

    gap = sp.sympify(part.lhs) - sp.sympify(part.rhs)
    if not all(isinstance(s, sp.Symbol) for s in gap.free_symbols):
        return None
    points = random_points(gap.free_symbols, dict(part.domain), part.where, n=1, seed=7)
    try:
        value = complex(sp.N(gap.subs(points[0]) if points else gap, 30))
    except (TypeError, ValueError, IndexError):
        return None
    return None if abs(value.imag) > 1e-20 else sp.nsimplify(value.real, rational=True)


def _mutations(part: Fact):
    """(label, mutated fact, how to mutate the proving step's claim) for one conclusion part.

    A strengthened bound raises the right side by more than the gap at a sample point, so it is false
    there (when the gap cannot be evaluated, by 1: the statement-only test still applies)."""
    out = []
    if part.rel in ("=", ">=", ">"):
        out.append(("changed constant", dataclasses.replace(part, rhs=_bump(part.rhs, 1)), ("rhs", 1)))
        if part.rel in (">=", ">"):
            gap = _gap_somewhere(part)
            lift = 1 if gap is None else 2 * abs(gap) + 1
            out.append(
                (
                    "strengthened bound",
                    dataclasses.replace(part, rhs=sp.sympify(part.rhs) + lift),
                    ("rhs*" if gap is not None else "unknown", lift),
                )
            )
    elif part.rel == "iff":
        cond = part.rhs
        shift = sp.Rational(1, 10**6)
        out.append(("changed threshold", _iff(part, cond.func(cond.lhs, cond.rhs + shift)), ("claim", shift)))
        out.append(("lowered threshold", _iff(part, cond.func(cond.lhs, cond.rhs - shift)), ("claim", -shift)))
        flipped = {sp.Ge: sp.Le, sp.Gt: sp.Lt, sp.Le: sp.Ge, sp.Lt: sp.Gt}[type(cond)]
        out.append(("flipped direction", _iff(part, flipped(cond.lhs, cond.rhs)), ("claim", 0)))
        for k in _only_failing_parts(part):  # without it the predicate holds where the condition fails: false
            weaker = part.parts[:k] + part.parts[k + 1 :]
            out.append((f"predicate without part {k + 1}", dataclasses.replace(part, parts=weaker), ("claim", k)))
    elif part.rel == "root":
        out.append(
            (
                "changed root",
                dataclasses.replace(part, rhs=part.rhs + sp.Rational(1, 10**6)),
                ("value", sp.Rational(1, 10**6)),
            )
        )
    return out


def _only_failing_parts(part: Fact) -> list[int]:
    """The parts of a biconditional's predicate that alone fail at the middle of the set where its condition
    fails (evaluated independently of the proof, with 30 digits)."""
    cond, t = part.rhs, part.rhs.rhs
    mid = (part.lo + t) / 2 if isinstance(cond, (sp.Ge, sp.Gt)) else (t + part.hi) / 2
    failing = []
    for k, p in enumerate(part.parts):
        value = sp.N((sp.sympify(p.lhs) - sp.sympify(p.rhs)).subs(part.var, mid), 30)
        if value < 0 or (p.rel == ">" and value == 0):
            failing.append(k)
    return failing if len(failing) == 1 else []


def _iff(part: Fact, condition) -> Fact:
    return dataclasses.replace(part, rhs=condition)


def _with_part(conclusion: Fact, i: int, new: Fact) -> Fact:
    if conclusion.rel != "all":
        return new
    parts = list(conclusion.parts)
    parts[i] = new
    return AllOf(*parts)


CASES = []
for _name in CATALOGUE:
    CASES.append(_name)


@pytest.mark.parametrize("name", CASES)
def test_false_statement_variants_are_rejected(name):
    proof = get(name)
    assert proof.check().ok
    goal = proof.conclusion
    for i, part in enumerate(_parts(goal)):
        for label, mutated, _ in _mutations(part):
            variant = proof.variant(conclusion=_with_part(goal, i, mutated))
            result = variant.check()
            assert not result.ok and not result.concludes, (name, i, label)


@pytest.mark.parametrize("name", CASES)
def test_dropping_any_hypothesis_is_rejected(name):
    proof = get(name)
    for h in proof.hypotheses:
        variant = proof.variant(hypotheses=[x for x in proof.hypotheses if x.name != h.name])
        result = variant.check()
        assert not result.ok, (name, h.name)
        assert any(r.refusal.startswith("unknown premise") or "not established" in r.detail for r in result.steps), (
            name,
            h.name,
        )


def _proving_step(proof: Proof, part: Fact):
    key = proof._restrict(part).key()
    for i, step in enumerate(proof.steps):
        if proof.step_fact(step).key() == key:
            return i, step
    return None, None


@pytest.mark.parametrize("name", CASES)
def test_false_claims_fail_their_check_when_the_proof_is_changed_too(name):
    """The statement and the step proving that part are changed together: the step's own check rejects it."""
    proof = get(name)
    goal = proof.conclusion
    tried = 0
    for i, part in enumerate(_parts(goal)):
        for label, mutated, (field, _amount) in _mutations(part):
            k, step = _proving_step(proof, part)
            if step is None:
                continue
            if isinstance(step, (Identity, Inequality, TraceExpansion)) and field in ("rhs", "rhs*"):
                new_step = dataclasses.replace(step, rhs=mutated.rhs)
            elif isinstance(step, RootOf) and field == "value":
                new_step = dataclasses.replace(step, value=mutated.rhs)
            elif isinstance(step, Biconditional) and field == "claim":
                new_step = dataclasses.replace(step, claim=mutated)
            else:
                continue  # a rule step (and-introduction, linearity, ...): its claim is its premises'
            steps = list(proof.steps)
            steps[k] = new_step
            new_goal = _with_part(goal, i, mutated)
            last = steps[-1]
            if isinstance(last, Conjunction):
                steps[-1] = dataclasses.replace(last, parts=tuple(new_goal.parts))
            variant = proof.variant(conclusion=new_goal, steps=steps)
            # a biconditional is re-decided by z3 from its parts alone: that checker must reject it too
            result = variant.check(smt=isinstance(step, Biconditional))
            assert not result.ok, (name, i, label)
            assert not result.steps[k].ok, (name, i, label, result.steps[k].detail)
            if isinstance(step, Biconditional) and "without part" not in label:
                assert not result.steps[k].symbolic and not result.steps[k].numeric, (name, label)
                assert result.steps[k].smt_status == "refuted", (name, label, result.steps[k].smt)
            tried += 1
    assert tried >= 1, name


def test_z3_refutes_a_false_polynomial_claim():
    x, y = sp.symbols("x y", real=True)
    p = Proof(name="false", title="false")
    p.conclusion = Eq(x**2 + y**2, 2 * x * y + 1)
    p.add(Identity(x**2 + y**2, 2 * x * y + 1, "false on purpose"))
    r = p.check()
    assert not r.ok and r.steps[0].smt_status == "refuted"


def test_a_step_whose_check_raises_fails_the_proof():
    @dataclasses.dataclass(frozen=True)
    class Exploding(Step):
        reason: str = "raises"
        name: str = ""
        premises: tuple = ()

        def fact(self, where=(), domain=()):
            return Fact("=", sp.Symbol("x", real=True), sp.Symbol("x", real=True) + 0 * sp.Symbol("y"))

        def check(self, domain, where, seed, premises=None):
            raise ZeroDivisionError("boom")

    x = sp.Symbol("x", real=True)
    p = Proof(name="raises", title="raises")
    p.conclusion = Eq(x**2, x * x + 0 * x + 1)
    p.add(Exploding())
    r = p.check(smt=False)
    assert not r.ok


def test_a_matrix_identity_with_one_wrong_entry_fails():
    a, b = sp.symbols("a b", real=True)
    M = sp.Matrix([[a + b, a * b], [a - b, (a + b) ** 2]])
    good = sp.Matrix([[b + a, b * a], [a - b, a**2 + 2 * a * b + b**2]])
    wrong = good.copy()
    wrong[1, 1] = a**2 + 2 * a * b + b**2 + sp.Rational(1, 10**30)
    for target, ok in ((good, True), (wrong, False)):
        p = Proof(name="matrix", title="matrix")
        p.conclusion = Eq(M, target)
        p.add(Identity(M, target, "entrywise"))
        r = p.check()
        assert r.ok is ok
        if not ok:
            assert not r.steps[0].symbolic and r.steps[0].smt_status == "refuted"


def test_a_stepcheck_with_refutation_is_not_ok():
    from biomodular.theory.smt import SMTVerdict

    assert not StepCheck(True, True, "", SMTVerdict("refuted", "")).ok
    assert StepCheck(True, True, "", SMTVerdict("refuted", "")).disagreement


def test_a_planted_moment_bug_in_the_cube_is_caught_by_the_second_route(monkeypatch):
    """A wrong second moment of the removed corner shifts c*; the moments' second route (iterated
    integration) rejects the proof."""
    from biomodular.theory import models, theorems_thresholds

    real = models.simplex_moments

    def wrong(vertices):
        vol, first, second = real(vertices)
        return vol, first, second * sp.Rational(101, 100)

    monkeypatch.setattr(models, "simplex_moments", wrong)
    theorems_thresholds.cut_box_threshold.cache_clear()
    try:
        proof = theorems_thresholds.cut_cube_proof()
        result = proof.check(smt=False)
        shifted = theorems_thresholds.cut_box_threshold(3).decimal
    finally:
        monkeypatch.undo()
        theorems_thresholds.cut_box_threshold.cache_clear()
    assert abs(shifted - 1.58778989696330) > 1e-4  # the bug moves the threshold ...
    assert not result.ok  # ... and the proof no longer checks
    failed = [s.name for s, r in zip(proof.steps, result.steps) if not r.ok]
    assert any(proof.steps[i].label == "C(c)" for i, s in enumerate(proof.steps) if s.name in failed)


def test_a_product_of_two_cited_inequalities_needs_both():
    """A multiplier that is not manifestly >= 0 is accepted only as a positive multiple of another cited
    inequality's gap (a product of two nonnegative quantities), and a sign error is rejected."""
    from biomodular.theory.proof import Ge, Hypothesis, Nonneg

    x, y = sp.symbols("x y", real=True)
    for mult, ok in ((2 * y, True), (-2 * y, False), (2 * x, False)):
        p = Proof(name="product", title="product")
        p.hypotheses = [Hypothesis("H_x", Ge(x, 0)), Hypothesis("H_y", Ge(y, 0))]
        p.conclusion = Ge(2 * x * y, 0)
        p.add(
            Inequality(
                2 * x * y, 0, Nonneg(sp.Integer(0)), "product", premises=("H_x", "H_y"), multipliers=(("H_x", mult),)
            )
        )
        assert p.check(smt=False).ok is ok, mult
