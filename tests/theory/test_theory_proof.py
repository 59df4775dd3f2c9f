"""The proof checker itself: it must reject wrong claims, by each route."""

import dataclasses

import pytest
import sympy as sp

from biomodular.errors import BiomodularError
from biomodular.theory.expectation import expect
from biomodular.theory.proof import (
    NUMERIC_TOLERANCE,
    SOS,
    Eq,
    Ge,
    Identity,
    Inequality,
    NoRootIn,
    Nonneg,
    Proof,
    RootOf,
    SignCases,
    random_points,
)

x, y = sp.symbols("x y", real=True)
u = sp.Symbol("u", positive=True)


def check(step, domain=None, where=()):
    return step.check(domain or {}, where, 0)


def test_identity_true():
    r = check(Identity((x + y) ** 2, x**2 + 2 * x * y + y**2, "expand"))
    assert r.symbolic and r.numeric and r.ok


def test_identity_off_by_1e20_fails_both_routes():
    # 1e-20 is far above the 1e-35 numeric tolerance: 50-digit evaluation sees it
    r = check(Identity((x + y) ** 2, x**2 + 2 * x * y + y**2 + sp.Rational(1, 10**20), "wrong"))
    assert not r.symbolic and not r.numeric and not r.ok


def test_numeric_agreement_alone_is_not_enough():
    # below the numeric tolerance, but not an identity: the symbolic route rejects it
    r = check(Identity(x, x + sp.Rational(1, 10**60), "tiny"))
    assert r.numeric and not r.symbolic and not r.ok


def test_sos_certificate_checked_and_wrong_one_rejected():
    good = check(Inequality(x**2 + y**2, 2 * x * y, SOS(((1, x - y),)), "amgm"))
    assert good.ok
    wrong_cert = check(Inequality(x**2 + y**2, 2 * x * y, SOS(((1, x + y),)), "wrong square"))
    assert not wrong_cert.symbolic
    negative_weight = check(Inequality(-((x - y) ** 2), 0, SOS(((-1, x - y),)), "negative weight"))
    assert not negative_weight.ok
    false_claim = check(Inequality(x**2 + y**2, 3 * x * y, SOS(((1, x - y),)), "false"))
    assert not false_claim.symbolic and not false_claim.numeric


def test_nonneg_and_sign_cases():
    a, b = sp.symbols("a b", nonnegative=True)
    assert check(Inequality(a * b + a**2, 0, Nonneg(a * b + a**2), "ok")).ok
    assert not check(Inequality(x * y, 0, Nonneg(x * y), "indefinite")).ok
    assert check(Inequality(x**2 * y**2 + sp.Abs(x * y), 0, SignCases((x, y)), "cases")).ok
    assert not check(Inequality(x * y, 0, SignCases((x, y)), "cases fail")).ok


def test_noroot_certificate_detects_a_root():
    assert check(Inequality(u + 1 / u, 2, NoRootIn(u, 0, 1), "ok on (0,1)")).ok
    r = check(Inequality(u + 1 / u, 2, NoRootIn(u, 0, 2), "touches 0 at u=1"))
    assert not r.symbolic
    c = sp.Symbol("c", real=True)
    r2 = check(Inequality(c - 1, 0, NoRootIn(c, 0, 2), "changes sign"))
    assert not r2.ok


def test_root_of_checks_uniqueness_value_and_sign_change():
    c = sp.Symbol("c", real=True)
    assert check(RootOf(c**2 - 2, c, sp.sqrt(2), 0, 2, "sqrt 2")).ok
    assert not check(RootOf(c**2 - 2, c, sp.Rational(141, 100), 0, 2, "close but wrong")).ok
    assert not check(RootOf(c**2 - 2, c, sp.sqrt(2), -2, 2, "two roots")).ok
    assert not check(RootOf((c**2 - 2) ** 2, c, sp.sqrt(2), 0, 2, "double root: no sign change")).numeric
    assert not check(RootOf((c - sp.sqrt(2)) * (c + 5), c, sp.sqrt(2), 0, 2, "irrational coefficients")).symbolic


def test_random_points_reproducible_and_in_domain():
    c = sp.Symbol("c", real=True)
    p1 = random_points({c, u}, {c: (1, 3)}, seed=5)
    p2 = random_points({c, u}, {c: (1, 3)}, seed=5)
    assert p1 == p2
    assert all(1 < pt[c] < 3 and pt[u] > 0 for pt in p1)
    p3 = random_points({c}, {c: (0, 1)}, where=(c > sp.Rational(1, 2),), seed=1)
    assert p3 and all(pt[c] > 0.5 for pt in p3)
    assert random_points({c}, {}, seed=1) != random_points({c}, {}, seed=2)


def test_numeric_route_resolves_errors_far_below_float_precision():
    # An error of 1e-25 is invisible in double precision; the numeric route must still see it,
    # while the exact identity passes (rounding at 50 digits stays below the tolerance).
    tiny = sp.Rational(1, 10**25)
    wrong = check(Identity(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1 + tiny, "off by 1e-25"))
    assert not wrong.numeric
    right = check(Identity(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1, "pythagoras"))
    assert right.numeric
    assert float(tiny) > float(NUMERIC_TOLERANCE)


def test_proof_renders_every_step_and_reports_failures():
    p = Proof(name="demo", title="Demo")
    p.conclusion = Eq(x, x + 1)
    p.add(Identity((x + 1) ** 2, x**2 + 2 * x + 1, "square of a sum"))
    p.add(Identity(x, x + 1, "deliberately false"))
    p.constant("k", sp.sqrt(2))
    result = p.check()
    assert not result.ok and result.n_failed == 1
    md = p.to_markdown()
    assert "square of a sum" in md and "deliberately false" in md and "FAILED" in md
    assert "1.41421356237310" in md and "\\sqrt{2}" in md
    tex = p.to_latex()
    assert "\\begin{enumerate}" in tex and tex.count("\\item") == 3  # 2 steps + 1 constant
    assert result.to_dict()["ok"] is False


def test_the_last_step_must_establish_the_conclusion():
    p = Proof(name="demo", title="Demo")
    p.conclusion = Eq((x + 1) ** 2, x**2 + 2 * x + 2)  # not what the step proves
    p.add(Identity((x + 1) ** 2, x**2 + 2 * x + 1, "square of a sum"))
    r = p.check()
    assert r.steps[0].ok and not r.concludes and not r.ok


def test_unused_hypotheses_are_reported_and_fail():
    p = Proof(name="demo", title="Demo")
    p.hypothesis("H_spare", Ge(x, 0))
    p.conclusion = Eq((x + 1) ** 2, x**2 + 2 * x + 1)
    p.add(Identity((x + 1) ** 2, x**2 + 2 * x + 1, "square of a sum"))
    r = p.check()
    assert r.unused_hypotheses == ("H_spare",) and not r.ok


def test_steps_that_hold_by_construction_or_restate_a_premise_are_refused():
    a, b = sp.symbols("a b", nonnegative=True)
    cases = [
        Identity(sp.Min(-a, a), -a, "Min evaluated when built"),
        Identity(sp.sqrt(u) ** 2, u, "sqrt(u)**2 evaluated when built"),
        Identity(x + y, y + x, "an expression compared with itself"),
        Inequality(a * b, 0, Nonneg(a * b), "a sign read off the assumptions"),
    ]
    for step in cases:
        p = Proof(name="t", title="t")
        p.conclusion = step.fact()
        p.add(step)
        r = p.check()
        assert not r.ok and "by construction" in r.steps[0].refusal, step.reason
    p = Proof(name="t", title="t")
    p.hypothesis("H", Ge(x, y))
    p.conclusion = Ge(x, y)
    p.add(Inequality(x, y, Nonneg(sp.Integer(0)), "restates H", premises=("H",), multipliers=(("H", 1),)))
    assert "restates" in p.check().steps[0].refusal


def test_premises_must_be_used_and_exist():
    p = Proof(name="t", title="t")
    p.hypothesis("H", Ge(x, y))
    p.hypothesis("H2", Ge(y, 0))
    p.conclusion = Ge(x**3 + x * y**2, y**3 + y * x**2)
    p.add(
        Inequality(
            x**3 + x * y**2,
            y**3 + y * x**2,
            Nonneg(sp.Integer(0)),
            "(x - y)(x^2 + y^2)",
            premises=("H", "H2"),
            multipliers=(("H", x**2 + y**2),),
        )
    )
    r = p.check()
    assert "without using it" in r.steps[0].refusal and not r.ok
    p.steps[0] = dataclasses.replace(p.steps[0], premises=("H",))
    p._check = None
    p.hypotheses.pop()
    r = p.check()
    assert r.ok and r.steps[0].smt_status == "proved"
    p.steps[0] = dataclasses.replace(p.steps[0], premises=("H", "nonexistent"))
    p._check = None
    assert "unknown premise" in p.check().steps[0].refusal


def test_negative_multiplier_of_an_inequality_is_rejected():
    p = Proof(name="t", title="t")
    p.hypothesis("H", Ge(x, 0))
    p.conclusion = Ge(-x, 0)
    p.add(Inequality(-x, 0, Nonneg(sp.Integer(0)), "wrong sign", premises=("H",), multipliers=(("H", -1),)))
    assert not p.check().ok


def test_expect_requires_every_moment():
    s = sp.Symbol("s", real=True)
    assert expect((s + 1) ** 2, {s: 0, s**2: 3}) == 4
    with pytest.raises(BiomodularError, match="no moment"):
        expect(s**3, {s: 0, s**2: 1})


def test_seeded_points_are_reproducible_depend_on_the_seed_and_respect_the_domain():
    first = random_points([x, u], {x: (-2, 5)}, seed=3)
    again = random_points([x, u], {x: (-2, 5)}, seed=3)
    other = random_points([x, u], {x: (-2, 5)}, seed=4)
    assert [sorted(p.items(), key=str) for p in first] == [sorted(p.items(), key=str) for p in again]
    assert first[0][x] != other[0][x]  # the seed is used
    assert all(-2 < p[x] < 5 and p[u] > 0 for p in first + other)
    assert len({p[x] for p in first}) == len(first)  # distinct points, not one repeated
