"""The findings, by name, imported only when asked for."""

from __future__ import annotations

import importlib

from ..errors import BiomodularError
from .base import Finding

#: name -> module of this package defining ``FINDING``; cheap and central first.
MODULES = {
    "single-datapoint": "single_datapoint",
    "worked-example": "worked_example",
    "cube-corners": "cube_corners",
    "what-where": "what_where",
    "frequency-ratios": "frequency_ratios",
    "space-reward": "space_reward",
    "six-factors": "six_factors",
    "linear-disentangling": "linear_disentangling",
    "sparsity-entangles": "sparsity_entangles",
    "connectome": "connectome",
    "deep-disentangling": "deep_disentangling",
    "vae": "vae",
    "cell-type-modules": "cell_type_modules",
}


def names() -> list[str]:
    """Names of the findings, in the order of ``biomodular reproduce --list``."""
    return list(MODULES)


def get(name: str) -> Finding:
    """The :class:`Finding` called ``name``."""
    try:
        module = MODULES[name]
    except (KeyError, TypeError):
        raise BiomodularError(
            f"no finding named {name!r}; available: {', '.join(MODULES)} (biomodular reproduce --list)"
        ) from None
    return importlib.import_module(f"{__package__}.{module}").FINDING
