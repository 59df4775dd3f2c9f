"""What a finite sample says about its population: the sampling analysis of ``check``.

The verdict of :func:`biomodular.check_modularity` is exact for the dataset
as given.  Users usually mean a different question: is the code of the
*population* the samples came from modular?  A finite sample of a
range-independent population misses its corners by a little, so its exact
verdict is ``mixed`` by a sliver next to an axis; the sliver shrinks as samples
are added.  A population with a missing corner gives a violation that does not
shrink, along a direction that stays put.  This module tells the two apart from
the data alone (docs/check.md, "Samples and their population").

Method: m-out-of-n subsampling.  One pass keeps a seeded uniform random subset
of at most :data:`RESERVOIR_ROWS` rows (a reservoir, so files larger than memory
need no second read).  Disjoint subsamples of sizes growing by factors of 4 are
drawn from it and each is checked exactly; with the full data's own margin this
gives the margin as a function of the sample size.  The fitted rate ``a`` of
``|margin| ~ m^-a`` and the stability of the witness decide:

``modular``
    the samples themselves are modular (or tie); or, with at least
    :data:`MIN_SAMPLES_MIXED` samples and margins over at least a
    :data:`MIN_GROWTH`-fold growth of the sample, the violation shrinks
    (rate at least :data:`RATE_SHRINKS`) along a witness within
    :data:`~biomodular.mixing.MIXED_ANGLE_DEGREES` of an axis: a sliver.
``mixed``
    with as many samples and as much growth, the violation does not shrink
    (rate at most :data:`RATE_FLAT`) and the witness is a real mixed
    direction (at least ``MIXED_ANGLE_DEGREES`` from the axes) that the
    subsamples find again (median angle at most :data:`WITNESS_STABLE` to it
    or to a counterpart, another mixed local minimum of the full data's gap
    such as its mirror image when the support is symmetric; see
    :meth:`_FullGap.nearest_mixed_minimum`).
``unclear``
    anything else, in particular too few samples to tell.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..errors import BiomodularError
from ..mixing import MIXED_ANGLE_DEGREES
from ..name_lists import join_names

__all__ = [
    "PopulationResult",
    "Reservoir",
    "population_analysis",
    "check_samples",
    "RESERVOIR_ROWS",
    "RATE_FLAT",
    "RATE_SHRINKS",
    "MIN_GROWTH",
    "MIN_SAMPLES_MIXED",
    "WITNESS_STABLE",
]

#: Rows kept for the analysis (a uniform random subset of the data).
RESERVOIR_ROWS = 8192
#: Subsamples checked at each size, at most.
REPLICATES = 4
#: Smallest subsample, per source.
MIN_ROWS_PER_SOURCE = 16
#: A fitted rate at most this: the violation does not shrink with the sample.
RATE_FLAT = 0.25
#: A fitted rate at least this: the violation shrinks like a sampling sliver.
RATE_SHRINKS = 0.5
#: A call from the trend needs the margins over at least this growth factor of the sample size.
MIN_GROWTH = 16
#: A call from the trend needs at least this many samples: below it a rare
#: corner of a range-independent population is missed too often to tell it
#: from a cut, and a cut is sampled too thinly to tell it from a sliver.
MIN_SAMPLES_MIXED = 1000
#: Median angle (degrees) between the subsamples' witnesses and the full one
#: below which the witness counts as stable.
WITNESS_STABLE = 20.0

#: Seconds the search of the full data for a witness's counterparts (five sources and more)
#: gets at least, when the subsamples have used the sampling analysis's budget.
FULL_SEARCH_SECONDS = 5.0

POPULATIONS = ("modular", "mixed", "unclear")


@dataclass(frozen=True)
class PopulationResult:
    """What the samples say about the population they came from.

    Attributes
    ----------
    population : str
        ``"modular"``, ``"mixed"`` or ``"unclear"`` (module docstring).
    reason : str
        Why, in words.
    sizes : tuple of int
        Sample sizes examined, increasing; the last is the full data.
    margins : tuple of tuple of float
        Exact margins of each subsample at each size (the full data: one).
    median_margins : tuple of float
    witness_angles : tuple of float or None
        Median angle (degrees, beta-scaled) of the subsamples' witnesses to
        the nearest axis, per size (None where every subsample is modular).
    witness_spread : float or None
        Median angle (degrees) between the witnesses of the largest
        subsamples and the full data's witness (sign ignored), or its nearest
        counterpart when it has any (``witness_counterparts``).
    rate : float or None
        ``a`` in ``|median margin| ~ m^-a``, least squares on log-log over the
        sizes (None when there are fewer than two sizes with a violation).
    seed : int
    rows_used : int
        Rows in the random subset the subsamples came from.
    seconds : float
    witness_counterparts : int
        Mixed local minima of the full data's gap other than its witness
        (a violation beyond rounding, at least ``MIXED_ANGLE_DEGREES`` from
        the axes) that the largest subsamples' witnesses fell near, e.g. 1
        for the mirror image of the witness of a mirror-symmetric support.
        Looked for only when those witnesses are, in the median, farther
        than ``WITNESS_STABLE`` from the full witness itself.
    """

    population: str
    reason: str
    sizes: tuple[int, ...]
    margins: tuple[tuple[float, ...], ...] = field(repr=False)
    median_margins: tuple[float, ...]
    witness_angles: tuple[float | None, ...] = field(repr=False)
    witness_spread: float | None
    rate: float | None
    seed: int
    rows_used: int
    seconds: float
    witness_counterparts: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (non-finite numbers become None)."""

        def num(x):
            return None if x is None or not math.isfinite(float(x)) else float(x)

        return {
            "population": self.population,
            "reason": self.reason,
            "sizes": list(self.sizes),
            "margins": [[num(x) for x in row] for row in self.margins],
            "median_margins": [num(x) for x in self.median_margins],
            "witness_angles": [num(x) for x in self.witness_angles],
            "witness_spread": num(self.witness_spread),
            "witness_counterparts": self.witness_counterparts,
            "rate": num(self.rate),
            "seed": self.seed,
            "rows_used": self.rows_used,
            "seconds": self.seconds,
        }


class Reservoir:
    """A seeded uniform random subset of at most ``size`` rows of a stream of chunks.

    After each chunk the kept rows are a uniform sample without replacement
    of all rows seen: the number taken from the new chunk is hypergeometric,
    so the result does not depend on how the rows were chunked... up to the
    random stream, which is fixed by ``seed``.
    """

    def __init__(self, size: int = RESERVOIR_ROWS, seed: int | np.random.Generator = 0):
        self.size = int(size)
        self.rng = np.random.default_rng(seed)
        self.rows: np.ndarray | None = None
        self.seen = 0

    def add(self, chunk: np.ndarray) -> None:
        chunk = np.asarray(chunk, dtype=float)
        if chunk.ndim != 2 or chunk.shape[0] == 0:
            return
        r = chunk.shape[0]
        if self.rows is None:
            take = min(r, self.size)
            self.rows = chunk[self.rng.choice(r, take, replace=False)] if take < r else chunk.copy()
            self.seen = r
            return
        total = self.seen + r
        keep = min(self.size, total)
        new = int(self.rng.hypergeometric(r, self.seen, keep)) if keep < total else r
        old = keep - new
        parts = []
        if old:
            parts.append(
                self.rows[self.rng.choice(self.rows.shape[0], old, replace=False)]
                if old < self.rows.shape[0]
                else self.rows
            )
        if new:
            parts.append(chunk[self.rng.choice(r, new, replace=False)] if new < r else chunk)
        self.rows = np.vstack(parts)
        self.rng.shuffle(self.rows)
        self.seen = total

    def tee(self, chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Pass ``chunks`` through, keeping the subset on the way."""
        for chunk in chunks:
            self.add(chunk)
            yield chunk


def _sizes(n_rows: int, d: int) -> list[int]:
    m = MIN_ROWS_PER_SOURCE * d
    sizes = []
    while m <= n_rows // 2:
        sizes.append(m)
        m *= 4
    return sizes


def population_analysis(
    rows: np.ndarray,
    full: Any,
    n_samples: int,
    seed: int = 0,
    names: Sequence[str] | None = None,
    sources: Any = None,
    time_limit: float | None = None,
) -> PopulationResult:
    """Decide what the samples say about their population (module docstring).

    Parameters
    ----------
    rows : ndarray, shape (k, d)
        A uniform random subset of the samples (:class:`Reservoir`), in random order.
    full : CheckResult
        The exact check of all ``n_samples`` samples.
    n_samples : int
    seed : int
        Recorded for reproducibility (the subsets come from ``rows``' order).
    names : sequence of str, optional
    sources : Sources, optional
        The full data, for the witness's counterparts (other mixed local
        minima of the gap, such as a mirror image; see
        :meth:`_FullGap.nearest_mixed_minimum`); without it the subsamples'
        witnesses are compared with the full witness alone.
    time_limit : float, optional
        Seconds the subsample checks may take in all (default: the global
        route's :data:`biomodular.solvers.polar.DEFAULT_TIME_LIMIT`); subsamples
        past it are left out, and each subsample without a hull (five sources
        and more) gets a share of what is left for its search.
    """
    from ..mixing import angle_to_axes
    from ..progress import progress
    from .check import standardised_problem
    from .polar import time_budget

    started = time.perf_counter()
    deadline = started + time_budget(time_limit)
    rows = np.asarray(rows, dtype=float)
    k, d = rows.shape
    floor = max(float(full.rounding_bound), 1e-300)  # the full data's bound exceeds a subsample's
    sizes: list[int] = []
    margins: list[tuple[float, ...]] = []
    angles: list[float | None] = []
    witnesses: list[list[np.ndarray]] = []
    blocks = _BlockHulls(rows)
    levels = _sizes(k, d) + ([k] if k < n_samples else [])
    left = sum(min(REPLICATES, k // m) for m in levels)  # subsample checks still to run
    with progress(total=left, desc="sampling analysis", unit="subsample") as bar:
        for m in levels:
            level, level_angles, level_w = [], [], []
            for r in range(min(REPLICATES, k // m)):
                now = time.perf_counter()
                left -= 1
                bar.update(1)
                if now >= deadline:
                    break
                try:
                    sub = blocks.sources(r * m, (r + 1) * m, names)
                    if sub.range_independent:
                        level.append(0.0)
                        continue
                    P, F = standardised_problem(sub)
                    # without a hull, a share of the time left for the search
                    gap = _gap_minima(sub, P, F, seed, now + (deadline - now) / (left + 1))
                    value, direction = float(gap.value), gap.direction
                except BiomodularError:
                    continue  # a degenerate subsample (e.g. flat): skip it
                margin = min(value, 0.0)
                level.append(margin)
                if margin < -floor:
                    level_angles.append(float(angle_to_axes(direction)[0]))
                    level_w.append(np.asarray(direction, float))
            if level:
                sizes.append(m)
                margins.append(tuple(level))
                angles.append(float(np.median(level_angles)) if level_angles else None)
                witnesses.append(level_w)
    sizes.append(int(n_samples))
    margins.append((float(full.margin),))
    angles.append(full.witness_angle)
    medians = [float(np.median(x)) for x in margins]

    x = np.log(np.asarray(sizes, float))
    y = np.log(np.maximum(-np.asarray(medians), floor))
    violated = np.asarray(medians) < -floor
    rate = None
    if violated.sum() >= 2:
        rate = float(-np.polyfit(x, y, 1)[0])
    spread, counterparts = None, 0
    if full.witness_scaled is not None and len(witnesses) > 1:
        largest: list[np.ndarray] = next((w for w in reversed(witnesses[:-1]) if w), [])
        if largest:
            u = np.asarray(full.witness_scaled, float)
            found = np.array([_angle(w, u[None, :])[0] for w in largest])
            if np.median(found) > WITNESS_STABLE and sources is not None and full.witness_angle >= MIXED_ANGLE_DEGREES:
                # The witness may have counterparts as deep (a support symmetric
                # under a reflection has its minimisers in mirror pairs), and a
                # subsample finds any of them: compare each subsample's witness
                # with the full data's mixed local minimum it points into.
                full_gap = _FullGap(sources, max(deadline, time.perf_counter() + FULL_SEARCH_SECONDS))
                matched = []
                for i, w in enumerate(largest):
                    c = full_gap.nearest_mixed_minimum(w, floor)
                    if c is not None and _angle(w, c[None, :])[0] < found[i]:
                        found[i] = _angle(w, c[None, :])[0]
                        if _angle(c, u[None, :])[0] > WITNESS_STABLE:
                            matched.append(c)
                counterparts = len(_distinct(matched))
            spread = float(np.median(found))
    growth = sizes[-1] / sizes[0]
    population, reason = _decide(full, rate, spread, growth, n_samples, counterparts)
    return PopulationResult(
        population=population,
        reason=reason,
        sizes=tuple(sizes),
        margins=tuple(margins),
        median_margins=tuple(medians),
        witness_angles=tuple(angles),
        witness_spread=spread,
        witness_counterparts=counterparts,
        rate=rate,
        seed=int(seed),
        rows_used=int(k),
        seconds=time.perf_counter() - started,
    )


class _BlockHulls:
    """The statistics of row blocks ``rows[start:stop]``, sharing hull work between nested blocks.

    The subsamples are disjoint blocks of one random order whose sizes grow by
    factors of 4 from the start, so every larger block that starts at row 0 is
    a union of smaller blocks already examined; the vertices of a union's hull
    are among the vertices of its parts' hulls, so only the rows no examined
    block covers are searched again (for two sources after a vectorised
    filter that drops the rows strictly inside the polygon of the extremes).
    Moments are computed from the rows, a few thousand at most
    (:func:`biomodular.sources.block_sources`).
    """

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.vertices: dict[tuple[int, int], np.ndarray] = {}

    def _candidates(self, start: int, stop: int) -> np.ndarray:
        from ..geometry import outside_extreme_polygon

        inner = sorted((a, b) for a, b in self.vertices if start <= a and b <= stop)
        parts, at = [], start
        for a, b in inner:
            if a < at:
                continue  # inside a block already taken (the blocks nest or are disjoint)
            if any(a2 <= a and b <= b2 and (a2, b2) != (a, b) for a2, b2 in inner):
                continue  # a larger examined block covers it
            parts.append(self.rows[at:a])
            parts.append(self.vertices[(a, b)])
            at = b
        parts.append(self.rows[at:stop])
        fresh = [p for p in parts if p.shape[0]]
        candidates = np.vstack(fresh)
        if candidates.shape[1] == 2:
            candidates = candidates[outside_extreme_polygon(candidates)]
        return candidates

    def sources(self, start: int, stop: int, names: Sequence[str] | None):
        from ..sources import block_sources

        sources = block_sources(self.rows[start:stop], names, self._candidates(start, stop))
        self.vertices[(start, stop)] = sources.points
        return sources


def _distinct(directions: list[np.ndarray], degrees: float = 1e-6) -> list[np.ndarray]:
    """One of each group of directions within ``degrees`` of each other (sign ignored):
    the same minimiser found from several owners differs only by rounding."""
    out: list[np.ndarray] = []
    for c in directions:
        if not out or _angle(c, np.array(out)).min() > degrees:
            out.append(c)
    return out


def _counterparts(k: int, spread: float) -> str:
    within = f"within {spread:.2g} deg"
    if not k:
        return f" ({within})"
    if k == 1:
        return (
            f" or its counterpart (another local minimum of the violation, as a mirror-symmetric support has), {within}"
        )
    return f" or one of its {k} counterparts (other local minima of the violation), {within}"


def _angle(w: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Degrees between ``w`` and each row of ``U``, sign ignored."""
    cos = np.abs(U @ w) / (np.linalg.norm(U, axis=1) * np.linalg.norm(w))
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


#: Step (radians) of the perturbations that test a candidate for a local minimum.
_LOCAL_STEP = 1e-4


def _gap_minima(sources: Any, P: np.ndarray, F: np.ndarray, seed: int, deadline: float):
    """The gap's minimisation for the sampling analysis: the exact method on the hull's
    vertices (up to four sources), else the global route's sound search by ``deadline``
    (a ``time.perf_counter()`` value), whose every candidate value is attained."""
    from .gap import GapMinimum, min_quadratic_gap
    from .polar import search_violation

    if sources.points_are_vertices:
        return min_quadratic_gap(P, F, method="auto", seed=seed)
    found, values = search_violation(P, F, np.random.default_rng(seed), deadline)
    return GapMinimum.lowest(found, values, method="search", exact=False)


class _FullGap:
    """The full data's gap and the candidates of its minimisation, for finding a
    witness's counterparts (:meth:`nearest_mixed_minimum`).

    With the hull's vertices (up to four sources) the candidates are those of
    the exact minimisation; otherwise the local minima the global route's
    search finds by ``deadline`` (a ``time.perf_counter()`` value), the search
    the subsamples get too."""

    def __init__(self, sources: Any, deadline: float = np.inf):
        from .check import standardised_problem
        from .gap import gap_values

        self.P, self.F = standardised_problem(sources)
        gap = _gap_minima(sources, self.P, self.F, 0, deadline)
        self.candidates = np.asarray(gap.candidates, float)
        self.values = np.asarray(gap.candidate_values, float)
        self._gap_values = gap_values

    def gap(self, W: np.ndarray) -> np.ndarray:
        return self._gap_values(self.P, self.F, np.atleast_2d(W))

    def nearest_mixed_minimum(self, w: np.ndarray, bound: float) -> np.ndarray | None:
        """The full data's local minimiser of the gap that ``w`` points into, if it is a mixed violation.

        The gap ``g(u) = m(u)^2 - u^T F u`` of a support symmetric under a
        reflection that keeps the sources' axes (e.g. ``s1 -> -s1`` about the
        mean) takes equal values at ``u`` and its mirror image, so its
        minimisers come in pairs and a finite sample, which breaks the tie at
        random, makes either one the witness.  The candidates of the exact
        method contain every local minimiser (docs/check.md, "Methods"; the
        search's, from five sources, those it found); the
        deepest candidate within :data:`WITNESS_STABLE` degrees of ``w`` is
        returned when it is a local minimiser (no step of :data:`_LOCAL_STEP`
        along the sphere lowers ``g`` by more than ``bound``), a violation
        beyond ``bound``, and at least ``MIXED_ANGLE_DEGREES`` from the axes;
        otherwise None.
        """
        from ..mixing import angle_to_axes

        near = np.flatnonzero(_angle(w, self.candidates) <= WITNESS_STABLE)
        if near.size == 0:
            return None
        c = self.candidates[near[np.argmin(self.values[near])]]
        c = c * np.sign(c @ w) if c @ w != 0 else c
        value = float(self.gap(c)[0])
        if value >= -bound or angle_to_axes(c)[0] < MIXED_ANGLE_DEGREES:
            return None
        d = c.shape[0]
        tangent = np.linalg.qr(np.column_stack([c, np.eye(d)]))[0][:, 1:d].T
        steps = np.vstack([c + _LOCAL_STEP * tangent, c - _LOCAL_STEP * tangent])
        steps /= np.linalg.norm(steps, axis=1, keepdims=True)
        if self.gap(steps).min() < value - bound:
            return None
        return c


def _decide(full, rate, spread, growth, n, counterparts: int = 0) -> tuple[str, str]:
    if full.verdict == "modular":
        return "modular", "the samples themselves are modular"
    if full.verdict == "tie":
        return "modular", "the samples themselves tie: a modular code is among their optima"
    if full.verdict != "mixed":
        return "unclear", f"the exact check of the samples is {full.verdict}"
    angle = float(full.witness_angle)
    enough = growth >= MIN_GROWTH and n >= MIN_SAMPLES_MIXED
    if enough and rate is not None and rate >= RATE_SHRINKS and angle < MIXED_ANGLE_DEGREES:
        return "modular", (
            f"the violation shrinks as samples are added (|margin| ~ n^-{rate:.2g}) and "
            f"sits {angle:.2g} deg from an axis, as for a range-independent population"
        )
    flat = rate is not None and rate <= RATE_FLAT
    stable = spread is not None and spread <= WITNESS_STABLE
    if enough and flat and stable and angle >= MIXED_ANGLE_DEGREES:
        return "mixed", (
            f"the violation does not shrink as samples are added (|margin| ~ n^-{rate:.2g} over "
            f"a {growth:.0f}-fold growth) and the subsamples find the same {angle:.2g} deg "
            f"witness{_counterparts(counterparts, spread)}"
        )
    why = []
    trend = "" if rate is None else f"; so far |margin| ~ n^-{rate:.2g} along a {angle:.2g} deg direction"
    if not enough:
        why.append(
            f"too few samples to tell a missing corner from a rarely sampled one, or a thin cut "
            f"from a sliver (n = {n:,}){trend}"
        )
    elif rate is None:
        why.append("too few subsample sizes with a violation to fit a rate")
    elif RATE_FLAT < rate < RATE_SHRINKS:
        why.append(f"the violation shrinks at an intermediate rate (n^-{rate:.2g})")
    elif rate >= RATE_SHRINKS:
        why.append(f"the violation shrinks (n^-{rate:.2g}) but along a {angle:.2g} deg direction, not a sliver")
    elif not stable:
        why.append(
            "the subsamples' witnesses point elsewhere"
            if spread is not None
            else "the subsamples show no witness to compare"
        )
    else:
        why.append(f"the violation does not shrink but sits only {angle:.2g} deg from an axis")
    return "unclear", "; ".join(why) or "the evidence is mixed"


def check_samples(
    samples: np.ndarray,
    names: Sequence[str] | None = None,
    *,
    seed: int = 0,
    sampling: bool = True,
    **check_options: Any,
):
    """Exact check of ``samples`` plus what they say about their population.

    Parameters
    ----------
    samples : array_like, pandas.DataFrame or xarray.DataArray, shape (n_samples, n_sources)
    names : sequence of str, optional
    seed : int
        Seed of the random subsets (results are reproducible).
    sampling : bool
        Run the sampling analysis (default); False gives the exact check only.
    **check_options
        Passed to :func:`biomodular.check_modularity` (``method``, ...).

    Returns
    -------
    CheckResult
        With ``sampling`` set to a :class:`PopulationResult`.
    """
    from ..io import as_samples
    from ..sources import Sources

    reservoir = Reservoir(seed=seed) if sampling else None
    samples, names = as_samples(samples, names)  # a DataFrame or DataArray keeps its source names
    array = np.asarray(samples, dtype=float) if not isinstance(samples, np.ndarray) else samples
    sources = Sources.from_samples(array, names)
    if reservoir is not None:
        reservoir.add(array)
    return check_with_sampling(sources, reservoir, seed=seed, **check_options)


def check_with_sampling(sources, reservoir: Reservoir | None, seed: int = 0, **check_options: Any):
    """:func:`check_modularity` of ``sources`` with the analysis of ``reservoir``'s rows attached."""
    import dataclasses

    from .check import check_modularity

    result = check_modularity(sources, **check_options)
    if reservoir is None or reservoir.rows is None or sources.n_samples is None:
        return result
    analysis = population_analysis(
        reservoir.rows,
        result,
        sources.n_samples,
        seed=seed,
        names=sources.names,
        sources=sources,
        time_limit=check_options.get("time_limit"),
    )
    return dataclasses.replace(result, sampling=analysis)


def _energy(result) -> str:
    return f"saving {result.advantage_words()} of the energy"


def summary_sentence(result) -> str:
    """One sentence a scientist can quote: the exact verdict and, for samples, the population's.

    For example: "mixed for these 2,000 samples (a 0.1 deg sliver beside the
    speed axis, saving 3e-06 to 6e-06 of the energy); the sliver shrinks as
    samples are added, as it does for a range-independent population: the
    population's code is modular".
    """
    data = f"these {result.n_samples:,} samples" if result.n_samples is not None else "this distribution"
    head = f"{result.verdict} for {data}"
    if result.verdict == "mixed" and result.witness_scaled is not None:
        angle = float(result.witness_angle)
        if angle < MIXED_ANGLE_DEGREES:
            axis = result.names[int(np.argmax(np.abs(result.witness_scaled)))]
            head += f" (a {angle:.2g} deg sliver beside the {axis} axis, {_energy(result)})"
        else:
            head += f" (a neuron mixing {join_names(result.mixes, counted=True)} {angle:.2g} deg from the axes, {_energy(result)})"
    elif result.verdict == "tie":
        head += f" (a mixed neuron {result.witness_angle:.2g} deg from the axes ties with the modular code)"
    s = result.sampling
    if s is None:
        return head
    if s.population == "modular":
        if result.verdict in ("modular", "tie"):
            return head + "; the population's code is modular as far as these samples can show"
        return (
            head + f"; the sliver shrinks as samples are added (|margin| ~ n^-{s.rate:.2g}), as it does for "
            "a range-independent population: the population's code is modular"
        )
    if s.population == "mixed":
        again = "the same witness or its counterpart" if s.witness_counterparts else "the same witness"
        return (
            head + f"; the violation stays as samples are added and the subsamples find {again}: "
            "the population's code is mixed"
        )
    return head + f"; whether the population's code is modular is unclear ({s.reason})"
