"""Measurements several findings share: the exact optimum's tilt and trained networks' tilts."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["TILTED_DEG", "optimum_tilts", "trained_tilts", "check_margin", "violated", "VIOLATED", "HOLDS"]

#: A neuron of an exact optimum more than this many degrees from every axis counts as tilted.
TILTED_DEG = 0.1


#: How the checks of findings describe an exact verdict (one notion of tolerance:
#: the check's own rounding bound, docs/check.md, "Rounding").
VIOLATED = "exact verdict mixed: margin below minus its rounding bound"
HOLDS = "exact verdict not mixed: no violation beyond the rounding bound"


def violated(result) -> bool:
    """Whether the exact check ``result`` found a violation beyond its rounding bound (verdict ``mixed``).

    Findings read the verdict rather than compare margins with a threshold of
    their own.  Its negation is "modular or tie", or, from the global route
    (five sources and more), "undetermined" with the margin within the
    route's solver floor of zero (docs/check.md, "The global route").
    """
    return result.verdict == "mixed"


def check_margin(samples: np.ndarray, names: Sequence[str] | None = None):
    """The exact check of ``samples`` (``CheckResult``)."""
    from ..solvers.check import check_modularity
    from ..sources import Sources

    return check_modularity(Sources.from_samples(np.asarray(samples, float), names))


def optimum_tilts(samples: np.ndarray, lam: float) -> dict:
    """Exact optimum of the autoencoder with ``lam_in = lam_out = lam``: how its neurons tilt.

    Returns
    -------
    dict
        ``tilt`` (largest angle, degrees, of a significant neuron from its axis, in the
        beta-scaled units of :mod:`biomodular.mixing`, as trained networks are measured),
        ``n_tilted`` (significant neurons tilted by more than ``TILTED_DEG``),
        ``advantage`` ((best modular - optimum) / optimum), ``certified_gap``
        (the solver's certified relative gap), ``tunings`` and ``value``.
    """
    from ..mixing import angle_to_axes
    from ..solvers.problem import Problem
    from ..solvers.program import solve_code
    from ..sources import Sources
    from ..verify.compare import SIGNIFICANT_NEURON

    sources = Sources.from_samples(np.asarray(samples, float))
    res = solve_code(sources, Problem.autoencoder(lam_in=lam, lam_out=lam))
    T = np.asarray(res.tunings, float)
    norms2 = (T**2).sum(axis=1)
    sig = T[norms2 >= SIGNIFICANT_NEURON * norms2.max()]
    angles = angle_to_axes(sig, sources.beta)
    return {
        "tilt": float(angles.max()),
        "n_tilted": int((angles > TILTED_DEG).sum()),
        "advantage": float((res.modular_value - res.value) / abs(res.value)),
        "certified_gap": float(res.certificate.relative_gap),
        "tunings": sig,
        "value": float(res.value),
    }


def trained_tilts(samples: np.ndarray, lam: float, seeds: Sequence[int], max_steps: int = 20_000) -> np.ndarray:
    """Largest tilt (degrees) of an active neuron of the exact linear autoencoder trained from each seed.

    Full-batch Adam on the exact form (pseudo-inverse readout) with the
    defaults of :func:`biomodular.verify.verify_code`.
    """
    from ..verify.compare import verify_code

    result = verify_code(
        np.asarray(samples, float),
        seeds=list(seeds),
        lam_in=lam,
        lam_out=lam,
        batch_size=None,
        max_steps=max_steps,
        solve=False,
    )
    return np.array([r.max_mixing_angle for r in result.runs])
