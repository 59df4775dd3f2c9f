"""The theorem catalogue: name -> builder of a :class:`~biomodular.theory.proof.Proof`.

Builders are imported and run only when a proof is requested, so importing
:mod:`biomodular.theory` does no symbolic work.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import BiomodularError
from .foundations import AXIOMS

if TYPE_CHECKING:  # sympy is imported only when a proof is built
    from .proof import Proof

__all__ = ["CATALOGUE", "AXIOMS", "names", "get", "titles", "statement_of", "dependencies"]

#: name -> (module, builder function, one-line title)
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "modular-code": ("theorems_autoencoder", "modular_code_proof", "The optimal modular code and its cost L_mod"),
    "lambda-independence": (
        "theorems_autoencoder",
        "lambda_independence_proof",
        "The modularity condition does not depend on lambda_in, lambda_out",
    ),
    "ellipse-in-hull": (
        "theorems_geometry",
        "ellipse_in_hull_proof",
        "Direction form = ellipse inside the hull; the facet test, both directions",
    ),
    "range-independence": (
        "theorems_autoencoder",
        "range_independence_proof",
        "Range independence implies modularity, for any number of sources",
    ),
    "energy-identity": (
        "theorems_iclr2023",
        "energy_identity_proof",
        "ICLR 2023 Theorem 1: the energy identity and its cross term",
    ),
    "rotation-example": (
        "theorems_iclr2023",
        "rotation_example_proof",
        "Worked example: rotated versus axis-aligned code (ICLR 2023)",
    ),
    "iclr2023-theorem2": (
        "theorems_iclr2023",
        "theorem2_proof",
        "ICLR 2023 Theorem 2: closed form, and beta_w only rescales the optimum",
    ),
    "theorem2-angle": (
        "theorems_iclr2023",
        "theorem2_angle_proof",
        "ICLR 2023 Theorem 2 with a non-orthogonal readout: the angle below which the optimum mixes",
    ),
    "mixture-information": (
        "theorems_iclr2023",
        "mixture_information_proof",
        "Exact mutual information of a two-uniform mixture; MIR of the worked example",
    ),
    "cut-square-threshold": ("theorems_thresholds", "cut_square_proof", "Exact threshold of the cut-corner square"),
    "cut-cube-threshold": (
        "theorems_thresholds",
        "cut_cube_proof",
        "Three sources: every pair looks range independent, yet the code mixes",
    ),
    "gram-reduction": (
        "theorems_optimality",
        "gram_reduction_proof",
        "The linear autoencoder (input mixing A, readout B) reduces to the convex Gram-form program",
    ),
    "gram-convexity": (
        "theorems_convexity",
        "gram_convexity_proof",
        "The Gram-form program is convex: its objective is convex in the Gram matrix",
    ),
    "weak-duality": (
        "theorems_convexity",
        "weak_duality_proof",
        "Weak duality: a multiplier no neuron can beat bounds every code's loss; the KKT certificate",
    ),
    "caratheodory-bound": (
        "theorems_optimality",
        "caratheodory_bound_proof",
        "Enough neurons: at most d(d+1)/2 + 1 are needed (Caratheodory)",
    ),
    "modularity-necessity": (
        "theorems_optimality",
        "modularity_necessity_proof",
        "Necessity: where the condition fails, a small mixed neuron lowers the loss",
    ),
    "readout-variance-bound": (
        "theorems_bounds",
        "readout_variance_proof",
        "Code variance is bounded below through a readout of equal singular values (ICLR 2023 lemma)",
    ),
    "categories": (
        "theorems_bounds",
        "categories_proof",
        "ICLR 2023 categories: a readout of equal singular values makes the optimal code grandmother cells",
    ),
    "nuclear-norm-bound": (
        "theorems_bounds",
        "nuclear_bound_proof",
        "Lower bound on the loss of any nonnegative code (nuclear norm of the readout target)",
    ),
}


def names() -> list[str]:
    """Theorem names in catalogue order."""
    return list(CATALOGUE)


def titles() -> dict[str, str]:
    """Name -> one-line title."""
    return {name: entry[2] for name, entry in CATALOGUE.items()}


@lru_cache(maxsize=None)
def get(name: str) -> "Proof":
    """Build (once per process) the proof called ``name``.

    Raises
    ------
    BiomodularError
        For an unknown name.
    """
    if name not in CATALOGUE:
        raise BiomodularError(f"unknown theorem {name!r}; run 'biomodular prove --list' to see the names")
    module, func, _ = CATALOGUE[name]
    builder = getattr(importlib.import_module(f"{__package__}.{module}"), func)
    return builder()


def statement_of(ref: str) -> tuple:
    """``(hypotheses, conclusion fact)`` of ``"lemma:NAME"`` (a catalogued theorem).

    Raises
    ------
    BiomodularError
        For an unknown lemma, or an axiom (axioms are stated in words, so they
        are cited, not instantiated).
    """
    if ref.startswith("lemma:"):
        proof = get(ref[len("lemma:") :])
        return tuple(proof.hypotheses), proof.conclusion_fact()
    raise BiomodularError(f"{ref!r} is not a lemma of the catalogue")


def dependencies(name: str) -> tuple[list[str], list[str]]:
    """``(lemmas, axioms)`` the proof of ``name`` cites."""
    proof = get(name)
    return proof.lemmas(), proof.axioms()
