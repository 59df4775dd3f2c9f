"""biomodular: will an efficient, nonnegative neural code be modular or mixed?

The public API, re-exported so that a user never needs a deep import.  Heavy
modules (cvxpy, sympy, matplotlib) load only when the name that needs them is
first used, so ``import biomodular`` and ``biomodular check`` start fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import BiomodularError, BiomodularWarning, ConvergenceWarning, SolverWarning

__version__ = "0.1.0"

# name -> module that defines it (imported on first access)
_LAZY = {
    "Sources": "biomodular.sources",
    "check_modularity": "biomodular.solvers.check",
    "CheckResult": "biomodular.solvers.check",
    "check_samples": "biomodular.solvers.population",
    "PopulationResult": "biomodular.solvers.population",
    "solve_code": "biomodular.solvers.program",
    "Problem": "biomodular.solvers.problem",
    "CodeResult": "biomodular.solvers.results",
    "Neuron": "biomodular.solvers.results",
    "Certificate": "biomodular.solvers.results",
    "sweep": "biomodular.solvers.sweep",
    "SweepTable": "biomodular.solvers.sweep",
    "plot_code": "biomodular.plot_code",
    "examples": "biomodular.examples",
    "io": "biomodular.io",
    "theory": "biomodular.theory",
    "verify": "biomodular.verify",
    "verify_code": "biomodular.verify.compare",
    "train_linear": "biomodular.verify.linear",
    "plots": "biomodular.plots",
}

__all__ = ["BiomodularError", "BiomodularWarning", "SolverWarning", "ConvergenceWarning", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'biomodular' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    # A name is either a module (biomodular.theory) or a function or class defined
    # in one (biomodular.sweep is the function of biomodular.solvers.sweep).
    value = getattr(module, name) if hasattr(module, name) else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
