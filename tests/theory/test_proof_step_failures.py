"""A proof step whose check crashes is a failed step, never a passed one."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from biomodular.theory.proof import Eq, Fact, Identity, Proof, Step


@dataclass(frozen=True)
class _Crashing(Step):
    reason: str = "a check that raises"
    kind = "identity"

    def fact(self, where=(), domain=()):
        x = sp.Symbol("x", real=True)
        return Fact("=", (x + 1) ** 3, x**3 + 3 * x**2 + 3 * x + 1)

    def check(self, domain, where, seed, premises=None):
        raise ZeroDivisionError("division by zero inside the check")

    def claim_text(self):
        return "crash"

    def claim_latex(self):
        return "crash"


def test_a_step_that_raises_counts_as_failed_and_is_reported():
    x = sp.Symbol("x", real=True)
    proof = Proof(name="crash", title="Crash")
    proof.conclusion = Eq(x**2, x * x)
    proof.add(Identity((x + 1) ** 2, x**2 + 2 * x + 1, "square of a sum"))
    proof.add(_Crashing())
    result = proof.check()
    assert not result.ok
    assert result.n_failed == 1
    assert result.steps[0].ok
    crashed = result.steps[1]
    assert not crashed.symbolic and not crashed.numeric and not crashed.ok
    assert "ZeroDivisionError" in crashed.detail
    assert proof.to_dict()["ok"] is False
