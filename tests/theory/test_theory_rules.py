"""The rule steps added for symbolic sums and thresholds: each accepts its valid instances and rejects a
false variant by every route it has."""

import dataclasses

import sympy as sp

from biomodular.theory.catalogue import get
from biomodular.theory.proof import (
    BesideRoot,
    Biconditional,
    Ge,
    Gt,
    Hypothesis,
    Iff,
    Inequality,
    MeanOfSum,
    NoRootIn,
    Nonneg,
    Proof,
    Reindex,
    SumSplit,
)

i, j, N = sp.symbols("i j N", integer=True, positive=True)
y = sp.IndexedBase("y", real=True)
x = sp.Symbol("x", real=True)


def test_sum_split_checks_every_small_instance_and_refuses_a_position_in_the_summand():
    ok = SumSplit(y[j], j, 1, N, i, "split").check({}, (), 0)
    assert ok.ok and "21 instance(s)" in ok.detail
    bad = SumSplit(y[j] * i, j, 1, N, i, "the summand depends on the position").check({}, (), 0)
    assert not bad.symbolic and not bad.ok
    real_index = sp.Symbol("r", real=True)
    assert not SumSplit(y[j], j, 1, N, real_index, "not an integer position").check({}, (), 0).ok


def test_a_wrong_split_is_refuted_on_its_instances():
    """The instance check is a real second route: a claim that drops the singled-out term fails on it."""

    @dataclasses.dataclass(frozen=True)
    class DroppedTerm(SumSplit):
        def fact(self, where=(), domain=()):
            f = super().fact()
            return dataclasses.replace(f, rhs=f.rhs - y[i])

    r = DroppedTerm(y[j], j, 1, N, i, "wrong").check({}, (), 0)
    assert r.symbolic and not r.numeric and not r.ok


def test_reindex_needs_the_cited_fact_and_an_integer_index():
    fact = Ge(y[j], 0)
    p = Proof(name="reindex", title="reindex")
    p.hypotheses = [Hypothesis("H", fact)]
    p.conclusion = Ge(y[i], 0)
    p.add(Reindex(fact, ((j, i),), "rename", premises=("H",)))
    assert p.check(smt=False).ok
    wrong_source = Reindex(Ge(y[j], 1), ((j, i),), "not the cited fact", premises=("H",))
    assert not wrong_source.check({}, (), 0, {"H": fact}).ok
    x_fact = Ge(x**2, 0)
    z = sp.Symbol("z", real=True)
    assert not Reindex(x_fact, ((x, z),), "x is no index", premises=("H",)).check({}, (), 0, {"H": x_fact}).ok


def test_mean_of_sum_refuses_an_index_in_its_own_bounds():
    assert MeanOfSum(y[j] ** 2, j, 1, N, "linearity").check({}, (), 0).ok
    assert not MeanOfSum(y[j] ** 2, j, 1, j, "bound uses the index").check({}, (), 0).ok


def test_range_independence_uses_its_hypothesis_in_the_last_checked_step():
    proof = get("range-independence")
    assert proof.check().ok
    last = proof.steps[-1]
    assert "H_corner" in last.premises and proof.conclusion.key() == proof.step_fact(last).key()
    assert proof.check().steps[-1].smt_status == "proved"
    # without the product with the hypothesis the remainder is not a sum of squares: the step fails
    weaker = dataclasses.replace(
        last,
        premises=tuple(p for p in last.premises if p != "H_corner"),
        multipliers=tuple(m for m in last.multipliers if m[0] != "H_corner"),
    )
    result = proof.variant(steps=list(proof.steps[:-1]) + [weaker]).check()
    assert not result.ok and not result.steps[-1].ok


def _toy(condition, premises_below=True):
    """g(c) = c - 1 on (0, 2): positive iff c > 1, zero at 1."""
    c = sp.Symbol("c", real=True)
    g = c - 1
    p = Proof(name="toy", title="toy", domain={c: (0, 2)})
    p.conclusion = Iff("pos", [Ge(g, 0)], condition(c), 0, 2)
    names = [
        p.add(
            Inequality(g, 0, BesideRoot(c, 0, 2, 1, 2, sp.Rational(3, 2)), "above", domain=((c, (1, 2)),), strict=True)
        ).name
    ]
    from biomodular.theory.proof import RootOf

    names.append(p.add(RootOf(g, c, 1, 0, 2, "root")).name)
    if premises_below:
        names.append(
            p.add(
                Inequality(
                    -g, 0, BesideRoot(c, 0, 2, 1, 0, sp.Rational(1, 2)), "below", domain=((c, (0, 1)),), strict=True
                )
            ).name
        )
    p.add(Biconditional(p.conclusion, "both directions", premises=tuple(names)))
    return p


def test_a_biconditional_needs_both_directions():
    assert _toy(lambda c: sp.Ge(c, 1)).check().ok
    missing = _toy(lambda c: sp.Ge(c, 1), premises_below=False).check()
    assert not missing.ok and not missing.steps[-1].symbolic
    # the z3 route decides from the predicate alone, so it still proves this true statement
    assert missing.steps[-1].smt_status == "proved"
    wrong = _toy(lambda c: sp.Ge(c, sp.Rational(11, 10))).check()
    assert not wrong.ok and wrong.steps[-1].smt_status == "refuted" and not wrong.steps[-1].numeric


def test_a_strict_part_is_not_covered_by_a_zero():
    """c - 1 > 0 does not hold at c = 1, so 'c - 1 > 0 iff c >= 1' is false and rejected by every route."""
    c = sp.Symbol("c", real=True)
    g = c - 1
    p = Proof(name="toy", title="toy", domain={c: (0, 2)})
    p.conclusion = Iff("pos", [Gt(g, 0)], sp.Ge(c, 1), 0, 2)
    from biomodular.theory.proof import RootOf

    a = p.add(Inequality(g, 0, NoRootIn(c, 1, 2), "above", domain=((c, (1, 2)),), strict=True)).name
    r = p.add(RootOf(g, c, 1, 0, 2, "root")).name
    b = p.add(Inequality(-g, 0, Nonneg(1 - c), "below", domain=((c, (0, 1)),))).name
    p.add(Biconditional(p.conclusion, "both", premises=(a, r, b)))
    result = p.check()
    assert not result.ok
    assert not result.steps[-1].symbolic and not result.steps[-1].numeric
    assert result.steps[-1].smt_status == "refuted"


def test_the_point_in_the_polytope_rule_matches_point_facet_and_value():
    """`ellipse-in-hull`'s converse: the rule accepts the checked point only with its own facet inequality and
    value; another value, or a facet fact about another point, is rejected."""
    from biomodular.theory.proof import InPolytope

    proof = get("ellipse-in-hull")
    assert proof.check().ok
    k = next(n for n, s in enumerate(proof.steps) if isinstance(s, InPolytope))
    rule = proof.steps[k]
    assert rule.premises[-1] == "axiom:polytope-facets" and proof.axioms() == ["polytope-facets"]
    wrong_value = dataclasses.replace(rule, value=rule.value + 1)
    r = proof.variant(steps=proof.steps[:k] + [wrong_value] + proof.steps[k + 1 :]).check(smt=False)
    assert not r.steps[k].ok
    other_point = dataclasses.replace(rule, point=-rule.point)
    r = proof.variant(steps=proof.steps[:k] + [other_point] + proof.steps[k + 1 :]).check(smt=False)
    assert not r.steps[k].ok and "not cited" in r.steps[k].detail


def test_the_categories_decomposition_is_derived_from_the_code_matrix():
    """`categories`: V = S - Q/c and Q = S + X are steps from the definitions (Z, the ones vector u), not
    hypotheses; a wrong centring is rejected by the trace algebra and by exact evaluation (u = ones)."""
    from biomodular.theory.trace import TraceExpansion, Tr

    proof = get("categories")
    assert proof.check().ok
    assert not {"H_split", "H_Q"} & {h.name for h in proof.hypotheses}
    k = next(
        n
        for n, s in enumerate(proof.steps)
        if isinstance(s, TraceExpansion) and "H_u" in s.premises and "H_read" not in s.premises
    )
    step = proof.steps[k]
    wrong = dataclasses.replace(step, rhs=step.rhs - sp.Add.make_args(step.rhs)[-1])  # drop the mean's term
    r = proof.variant(steps=proof.steps[:k] + [wrong] + proof.steps[k + 1 :]).check(smt=False)
    assert not r.steps[k].symbolic and not r.steps[k].numeric
    assert any(isinstance(a, Tr) for a in sp.sympify(step.rhs).atoms(Tr))


def test_the_categories_readout_is_derived_from_exact_readout():
    """`categories`: tr(W L L^T W^T) = c - 1 is a checked step from W Z + b u^T = I_c, not a hypothesis; a wrong
    readout (W Z + b u^T = 2 I_c) or a dropped u^T u = c is rejected by the trace algebra."""
    from biomodular.theory.proof import Eq, Hypothesis
    from biomodular.theory.trace import TraceExpansion

    proof = get("categories")
    assert proof.check().ok
    assert "H_x" not in {h.name for h in proof.hypotheses}
    k = next(n for n, s in enumerate(proof.steps) if isinstance(s, TraceExpansion) and "H_read" in s.premises)
    read = next(h for h in proof.hypotheses if h.name == "H_read")
    readt = next(h for h in proof.hypotheses if h.name == "H_readT")
    doubled = [
        Hypothesis(h.name, Eq(h.fact.lhs, sp.expand(h.fact.rhs + 1)), h.gloss) if h in (read, readt) else h
        for h in proof.hypotheses
    ]
    r = proof.variant(hypotheses=doubled).check(smt=False)
    assert not r.ok and not r.steps[k].symbolic
    step = proof.steps[k]
    no_ones = dataclasses.replace(step, premises=tuple(p for p in step.premises if p != "H_u"))
    r = proof.variant(steps=proof.steps[:k] + [no_ones] + proof.steps[k + 1 :]).check(smt=False)
    assert not r.steps[k].ok
