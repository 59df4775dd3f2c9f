"""What a mixed neuron is: the one definition that check, solve and verify share.

A neuron's tuning ``t`` (weights on the sources, in the sources' own units) is
judged in **beta-scaled units**: source ``j`` divided by ``beta_j``, the
distance from its mean to its nearer extreme (docs/mathematics.md, "The exact
modularity condition").  In those units the tuning is ``u_j = t_j beta_j``; a
source measured in large units therefore does not drop out of the picture just
because its weight is numerically small.

Three kinds of neuron:

``modular``
    ``u`` lies on a source axis, up to rounding (angle at most
    :data:`AXIS_ANGLE_DEGREES`).
``sliver``
    ``u`` is off every axis, but by less than :data:`MIXED_ANGLE_DEGREES`:
    a modular neuron tilted by a hair.  This is what the exact optimum of a
    finite sample of a range-independent population looks like: the sample's
    hull misses the population's corners by a little, and the optimum tilts
    a neuron by a fraction of a degree to use that.
``mixed``
    ``u`` is at least :data:`MIXED_ANGLE_DEGREES` from every axis.

Each neuron is also reported with its share of the code's activity energy,
so that a reader can see whether the tilted or mixed neuron carries much.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = [
    "AXIS_ANGLE_DEGREES",
    "MIXED_ANGLE_DEGREES",
    "MIXES_SHARE",
    "NeuronKind",
    "angle_to_axes",
    "beta_scaled",
    "classify_neurons",
    "is_mixed",
    "mixed_sources",
]

#: A direction within this angle (degrees) of a source axis lies on it: the
#: angle of a direction whose off-axis components are at most 1e-6 of its
#: largest one, far above rounding (1e-16) and far below any sampling sliver.
AXIS_ANGLE_DEGREES = float(np.degrees(np.arctan(1e-6)))

#: A neuron at least this far (degrees, beta-scaled units) from every axis is
#: mixed; a non-axis neuron closer than this is a sliver.  Uniform samples of
#: a square (300 to 10,000 points) give optimal neurons tilted by 0.001 to 3
#: degrees; a cut corner gives a 45-degree neuron; trained networks scatter by
#: a degree or two around their optimum.
MIXED_ANGLE_DEGREES = 5.0

#: A source is among those a direction mixes when its beta-scaled weight is at
#: least this fraction of the largest weight.
MIXES_SHARE = 0.01


def beta_scaled(tunings: np.ndarray | Sequence[np.ndarray], beta: np.ndarray) -> np.ndarray:
    """Tunings in beta-scaled units, ``u_j = t_j beta_j`` (rows are neurons)."""
    return np.atleast_2d(np.asarray(tunings, dtype=float)) * np.asarray(beta, dtype=float)


def angle_to_axes(directions: np.ndarray, beta: np.ndarray | None = None) -> np.ndarray:
    """Angle in degrees between each row and the nearest source axis.

    Parameters
    ----------
    directions : array_like, shape (k, d) or (d,)
        Tunings, in the sources' own units when ``beta`` is given, otherwise
        already in the units in which the angle is wanted.
    beta : array_like, shape (d,), optional
        Each source's distance from its mean to its nearer extreme; the angle
        is then measured in beta-scaled units (``t_j beta_j``).

    Returns
    -------
    ndarray, shape (k,)
        0 on an axis, 45 for an even mix of two sources; zero rows give 0.
    """
    W = np.atleast_2d(np.asarray(directions, dtype=float))
    if beta is not None:
        W = beta_scaled(W, beta)
    norms = np.linalg.norm(W, axis=1)
    cos = np.abs(W).max(axis=1) / np.where(norms > 0, norms, 1.0)
    cos = np.where(norms > 0, cos, 1.0)
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def is_mixed(angles: np.ndarray | float, mixed_angle: float = MIXED_ANGLE_DEGREES) -> np.ndarray:
    """Whether neurons at these angles (degrees from the nearest axis, beta-scaled) are mixed.

    The one test of a mixed neuron: at least ``mixed_angle`` from every axis
    (default :data:`MIXED_ANGLE_DEGREES`).  Below it a neuron is modular or a
    sliver (:func:`classify_neurons`).
    """
    return np.asarray(angles, dtype=float) >= mixed_angle


def mixed_sources(direction: np.ndarray, names: Sequence[str], beta: np.ndarray | None = None) -> tuple[str, ...]:
    """Names of the sources a direction draws on, in beta-scaled units.

    Every source whose weight is at least :data:`MIXES_SHARE` of the largest;
    a direction off the axes (more than :data:`AXIS_ANGLE_DEGREES`) always
    lists at least the two sources with the largest weights, since it mixes
    at least two.  Sources are listed in their original order.
    """
    u = np.abs(np.ravel(beta_scaled(direction, beta) if beta is not None else np.asarray(direction, float)))
    if not np.any(u):
        return ()
    chosen = set(np.flatnonzero(u >= MIXES_SHARE * u.max()).tolist())
    if angle_to_axes(u)[0] > AXIS_ANGLE_DEGREES and len(chosen) < 2:
        chosen |= set(np.argsort(-u, kind="stable")[:2].tolist())
    return tuple(names[j] for j in sorted(chosen))


@dataclass(frozen=True)
class NeuronKind:
    """How one neuron codes the sources.

    Attributes
    ----------
    kind : str
        ``"modular"``, ``"sliver"`` or ``"mixed"`` (see the module docstring).
    angle : float
        Degrees from the nearest source axis, in beta-scaled units.
    energy_share : float or None
        The neuron's share of the code's activity energy (None if not given).
    sources : tuple of str
        For a modular neuron the source it codes; for a sliver the source whose
        axis it leans off first, then the others it draws on; for a mixed
        neuron the sources it mixes (:func:`mixed_sources`).
    """

    kind: str
    angle: float
    energy_share: float | None
    sources: tuple[str, ...]

    def describe(self) -> str:
        """A short label, e.g. ``"x (modular)"``, ``"x (sliver: 0.35 deg off its axis, 48% of the energy)"``."""
        share = "" if self.energy_share is None else f", {100 * self.energy_share:.2g}% of the energy"
        if self.kind == "modular":
            return f"{self.sources[0]} (modular)"
        if self.kind == "sliver":
            return f"{self.sources[0]} (sliver: {self.angle:.2g} deg off its axis{share})"
        return f"{'+'.join(self.sources)} (mixed: {self.angle:.3g} deg from the nearest axis{share})"


def classify_neurons(
    tunings: np.ndarray | Sequence[np.ndarray],
    beta: np.ndarray,
    names: Sequence[str],
    activities: Sequence[float] | None = None,
    mixed_angle: float = MIXED_ANGLE_DEGREES,
) -> list[NeuronKind]:
    """Classify each neuron (row of ``tunings``) as modular, sliver or mixed.

    Parameters
    ----------
    tunings : array_like, shape (k, d)
        Tunings in the sources' own units.
    beta : array_like, shape (d,)
        Distances from each source's mean to its nearer extreme.
    names : sequence of str
    activities : sequence of float, optional
        Each neuron's activity energy ``<z^2>``; gives the energy shares.
    mixed_angle : float
        Degrees from the nearest axis at which a neuron counts as mixed
        (default :data:`MIXED_ANGLE_DEGREES`).
    """
    U = beta_scaled(tunings, beta)
    angles = angle_to_axes(U)
    shares: list[float | None] = [None] * len(U)
    if activities is not None:
        total = float(np.sum(activities))
        if total > 0:
            shares = [float(a) / total for a in activities]
    out = []
    for u, angle, share in zip(U, angles, shares):
        coded: tuple[str, ...]
        if angle <= AXIS_ANGLE_DEGREES:
            kind, coded = "modular", (names[int(np.argmax(np.abs(u)))],)
        else:
            kind = "mixed" if is_mixed(angle, mixed_angle) else "sliver"
            coded = mixed_sources(u, names)
            if kind == "sliver":
                main = names[int(np.argmax(np.abs(u)))]
                coded = (main,) + tuple(x for x in coded if x != main)
        out.append(NeuronKind(kind=kind, angle=float(angle), energy_share=share, sources=coded))
    return out
