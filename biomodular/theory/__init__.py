"""Symbolic theory: exact forms, machine-checked proofs and exact thresholds.

Everything here uses sympy only (no numpy, no solvers): it is the second,
independent route against which :mod:`biomodular.solvers` is tested.

- Source models with exact moments: :func:`uniform_box`, :func:`point_set`,
  :func:`grid`, :func:`polygon`, :func:`cut_box` (all return
  :class:`SymbolicSources`).
- Closed forms: :func:`modular_code`, :func:`modularity_condition`,
  :func:`kkt_multiplier`, :func:`nuclear_norm_bound`; the direction form
  solved exactly for two sources, :func:`exact_margin_2d`.
- Exact thresholds: :func:`facet_thresholds`, :func:`cut_box_threshold`.
- Proofs: :class:`Proof` with formal hypotheses and conclusion (:class:`Fact`,
  built with :func:`Eq`, :func:`Ge`, :func:`Gt`, :func:`UniqueRoot`,
  :func:`AllOf`, and the biconditional of a threshold, :func:`Iff`),
  :func:`prove` (name -> checked proof), :func:`theorem_names`;
  the axioms the catalogue rests on, :data:`AXIOMS`.
"""

from __future__ import annotations

import importlib
from typing import Any

from .catalogue import CATALOGUE, get as _get, names as theorem_names

_LAZY = {
    **{
        n: "proof"
        for n in (
            "Proof",
            "Step",
            "Identity",
            "Inequality",
            "RootOf",
            "SOS",
            "Nonneg",
            "SignCases",
            "NoRootIn",
            "Fact",
            "Eq",
            "Ge",
            "Gt",
            "UniqueRoot",
            "AllOf",
            "Iff",
        )
    },
    "AXIOMS": "foundations",
    **{n: "models" for n in ("SymbolicSources", "uniform_box", "point_set", "grid", "polygon", "cut_box")},
    **{
        n: "modular"
        for n in (
            "ModularCode",
            "ModularityCondition",
            "modular_code",
            "modularity_condition",
            "kkt_multiplier",
            "ExactMargin",
            "exact_margin_2d",
        )
    },
    "nuclear_norm_bound": "theorems_bounds",
    "Threshold": "thresholds",
    "facet_thresholds": "thresholds",
    "cut_box_threshold": "theorems_thresholds",
    "two_uniform_information": "theorems_iclr2023",
    "rotation_mir": "theorems_iclr2023",
    "expect": "expectation",
}

#: The lazily imported names, then those defined or imported here.
__all__ = [*_LAZY, "CATALOGUE", "theorem_names", "prove"]


def prove(name: str, seed: int = 0):
    """Build and check the proof called ``name``; returns the :class:`Proof` (checked).

    ``proof.check().ok`` tells whether the proof is accepted: every step checked by sympy and not
    refuted by z3, the last step establishes the stated conclusion, every hypothesis is used.
    """
    proof = _get(name)
    proof.check(seed=seed)
    return proof


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'biomodular.theory' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
