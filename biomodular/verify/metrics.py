"""Modularity metrics of a trained code (docs/mathematics.md, "Measuring modularity in a trained network").

All arrays are samples-first: a code ``Z`` has shape ``(n_samples, n_neurons)``
and the sources ``S`` have shape ``(n_samples, n_sources)``.

Mutual information needs an estimator, and the metrics depend on it, so the
estimator is always an explicit argument:

- :class:`Binned` -- equal-width bins over each variable's range, plug-in
  entropies, nats.  ``bins`` is explicit (20 is the common choice).
- :class:`KNN` -- the Kraskov-Stoegbauer-Grassberger estimator (algorithm 1,
  max-norm) and its conditional form (Frenzel and Pompe), with ``k`` explicit
  and a tiny seeded jitter that breaks ties between equal values.

Scores (docs/mathematics.md, "Measuring modularity in a trained network"):

- ``MIR`` (ICLR 2023): for each active neuron ``n``, ``r_n = max_f I_nf /
  sum_f I_nf``; ``MIR = (mean_n r_n - 1/d) / (1 - 1/d)``.  1 = modular.
- ``InfoM`` (ICLR 2025): the same on ``I(z_n; s_f) / H(s_f)`` clipped to
  ``[0, 1]``; ``CInfoM`` on ``I(z_n; s_f | s_-f) / H(s_f | s_-f)``.  The
  normalising entropies are those of the binned sources, so these two need
  the :class:`Binned` estimator.
- ``MIG`` (Chen et al. 2018): for each source the gap between the two most
  informative neurons, ``(I_(1)f - I_(2)f) / H(s_f)``, averaged over sources.
- Linear variants: ``I / H`` replaced by the fraction of variance of ``z_n``
  explained by ``s_f`` in an ordinary least-squares regression (squared
  correlation), and the conditional version by the squared partial
  correlation of ``z_n`` and ``s_f`` given the other sources.  (A linear MIR
  would coincide with linear InfoM: ``R^2`` is already normalised.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np
from scipy.special import digamma

from ..errors import BiomodularError

__all__ = [
    "Binned",
    "KNN",
    "Estimator",
    "active_neurons",
    "entropy_binned",
    "mutual_information",
    "conditional_mutual_information",
    "information_matrix",
    "mir",
    "mig",
    "infom",
    "cinfom",
    "linear_infom",
    "linear_cinfom",
    "mixing_angles",
    "trapezoid_mutual_information",
    "exact_mir_uniform",
    "ratio_score",
]

#: Default fraction of the largest neuron range above which a neuron is active
#: (the ICLR 2025 code uses 0.1; some ICLR 2023 follow-ups use 1/8).
ACTIVE_THRESHOLD = 0.1


@dataclass(frozen=True)
class Binned:
    """Plug-in estimator on equal-width bins over each variable's range (nats).

    Parameters
    ----------
    bins : int
        Bins per scalar variable.
    """

    bins: int = 20

    def __post_init__(self) -> None:
        if int(self.bins) < 2:
            raise BiomodularError(f"Binned estimator needs bins >= 2; got {self.bins}")

    def to_dict(self) -> dict:
        return {"estimator": "binned", "bins": int(self.bins)}


@dataclass(frozen=True)
class KNN:
    """Kraskov-Stoegbauer-Grassberger k-nearest-neighbour estimator (nats).

    Parameters
    ----------
    k : int
        Neighbours in the joint space.
    jitter : float
        Standard deviation of the Gaussian noise added to every standardised
        variable to break ties between repeated values.
    seed : int
        Seed of the jitter.
    """

    k: int = 3
    jitter: float = 1e-10
    seed: int = 0

    def __post_init__(self) -> None:
        if int(self.k) < 1:
            raise BiomodularError(f"KNN estimator needs k >= 1; got {self.k}")
        if not self.jitter >= 0:
            raise BiomodularError(f"KNN jitter must be >= 0; got {self.jitter}")

    def to_dict(self) -> dict:
        return {"estimator": "knn", "k": int(self.k), "jitter": float(self.jitter), "seed": int(self.seed)}


Estimator = Union[Binned, KNN]


# ------------------------------------------------------------------ helpers
def _as_2d(x: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise BiomodularError(f"{what} must be samples-first, shape (n_samples, k); got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise BiomodularError(f"{what} contains NaN or infinite values")
    return a


def _check_pair(Z: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Z = _as_2d(Z, "code Z")
    S = _as_2d(S, "sources S")
    if Z.shape[0] != S.shape[0]:
        raise BiomodularError(
            f"code and sources must have the same number of samples (rows); got {Z.shape[0]} and {S.shape[0]}"
        )
    if Z.shape[0] < 4:
        raise BiomodularError("need at least 4 samples to estimate information")
    return Z, S


def _bin_codes(x: np.ndarray, bins: int) -> np.ndarray:
    """Bin index of every entry, column by column (equal width over the range)."""
    lo = x.min(axis=0)
    width = x.max(axis=0) - lo
    safe = np.where(width > 0, width, 1.0)
    idx = np.floor((x - lo) / safe * bins).astype(np.int64)
    return np.clip(idx, 0, bins - 1)


def _joint_entropy(codes: np.ndarray) -> float:
    """Plug-in entropy (nats) of the joint discrete variable whose rows are ``codes``."""
    codes = np.asarray(codes, dtype=np.int64)
    base = int(codes.max()) + 1 if codes.size else 1
    k = codes.shape[1]
    if base**k <= 1 << 24:
        flat = codes @ (base ** np.arange(k, dtype=np.int64))
        counts = np.bincount(flat)
        counts = counts[counts > 0]
    else:
        _, counts = np.unique(codes, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def entropy_binned(x: np.ndarray, bins: int = 20) -> float:
    """Plug-in entropy (nats) of ``x`` (shape ``(n,)`` or ``(n, k)``) on equal-width bins."""
    x = _as_2d(x, "x")
    return _joint_entropy(_bin_codes(x, int(bins)))


def _standardise(x: np.ndarray, rng: np.random.Generator, jitter: float) -> np.ndarray:
    sd = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    if jitter > 0:
        x = x + jitter * rng.standard_normal(x.shape)
    return x


def _count_within(points: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Number of other points strictly closer (max-norm) than ``radii``."""
    from scipy.spatial import cKDTree

    tree = cKDTree(points)
    r = np.nextafter(radii, 0)
    counts = tree.query_ball_point(points, r=r, p=np.inf, return_length=True)
    return np.asarray(counts) - 1


def _knn_radius(points: np.ndarray, k: int) -> np.ndarray:
    from scipy.spatial import cKDTree

    tree = cKDTree(points)
    dist, _ = tree.query(points, k=k + 1, p=np.inf)
    return dist[:, -1]


# -------------------------------------------------------------- estimators
def mutual_information(x: np.ndarray, y: np.ndarray, estimator: Estimator = Binned()) -> float:
    """Mutual information ``I(x; y)`` in nats.

    Parameters
    ----------
    x, y : ndarray, shape (n,) or (n, k)
        Samples-first; multi-column arrays are joint variables.
    estimator : Binned or KNN
        The estimator and its parameters.
    """
    x, y = _check_pair(x, y)
    if isinstance(estimator, Binned):
        b = int(estimator.bins)
        cx, cy = _bin_codes(x, b), _bin_codes(y, b)
        return _joint_entropy(cx) + _joint_entropy(cy) - _joint_entropy(np.hstack([cx, cy]))
    if isinstance(estimator, KNN):
        rng = np.random.default_rng(estimator.seed)
        x = _standardise(x, rng, estimator.jitter)
        y = _standardise(y, rng, estimator.jitter)
        n, k = x.shape[0], int(estimator.k)
        if n <= k:
            raise BiomodularError(f"KNN estimator needs more than k={k} samples; got {n}")
        eps = _knn_radius(np.hstack([x, y]), k)
        nx, ny = _count_within(x, eps), _count_within(y, eps)
        return float(digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1)))
    raise BiomodularError(f"estimator must be Binned(...) or KNN(...); got {estimator!r}")


def conditional_mutual_information(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, estimator: Estimator = Binned()
) -> float:
    """Conditional mutual information ``I(x; y | z)`` in nats.

    Binned: ``H(x,z) + H(y,z) - H(x,y,z) - H(z)`` on joint bins.  KNN: the
    Frenzel-Pompe form of the KSG estimator.
    """
    x, y = _check_pair(x, y)
    x, z = _check_pair(x, z)
    if isinstance(estimator, Binned):
        b = int(estimator.bins)
        cx, cy, cz = _bin_codes(x, b), _bin_codes(y, b), _bin_codes(z, b)
        return (
            _joint_entropy(np.hstack([cx, cz]))
            + _joint_entropy(np.hstack([cy, cz]))
            - _joint_entropy(np.hstack([cx, cy, cz]))
            - _joint_entropy(cz)
        )
    if isinstance(estimator, KNN):
        rng = np.random.default_rng(estimator.seed)
        x = _standardise(x, rng, estimator.jitter)
        y = _standardise(y, rng, estimator.jitter)
        z = _standardise(z, rng, estimator.jitter)
        k = int(estimator.k)
        eps = _knn_radius(np.hstack([x, y, z]), k)
        nxz = _count_within(np.hstack([x, z]), eps)
        nyz = _count_within(np.hstack([y, z]), eps)
        nz = _count_within(z, eps)
        return float(digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1)))
    raise BiomodularError(f"estimator must be Binned(...) or KNN(...); got {estimator!r}")


def information_matrix(Z: np.ndarray, S: np.ndarray, estimator: Estimator = Binned()) -> np.ndarray:
    """``I[n, f] = I(z_n; s_f)`` in nats, shape ``(n_neurons, n_sources)``."""
    Z, S = _check_pair(Z, S)
    out = np.empty((Z.shape[1], S.shape[1]))
    for n in range(Z.shape[1]):
        for f in range(S.shape[1]):
            out[n, f] = mutual_information(Z[:, n], S[:, f], estimator)
    return out


# ------------------------------------------------------------------ scores
def active_neurons(Z: np.ndarray, threshold: float = ACTIVE_THRESHOLD) -> np.ndarray:
    """Boolean mask of neurons whose range over the data exceeds ``threshold`` times the largest range."""
    Z = _as_2d(Z, "code Z")
    if not 0 <= threshold < 1:
        raise BiomodularError(f"active threshold must be in [0, 1); got {threshold}")
    ranges = Z.max(axis=0) - Z.min(axis=0)
    top = ranges.max() if ranges.size else 0.0
    if top <= 0:
        return np.zeros(Z.shape[1], dtype=bool)
    return ranges > threshold * top


def ratio_score(matrix: np.ndarray) -> float:
    """``(mean_n max_f M_nf / sum_f M_nf - 1/d) / (1 - 1/d)`` over rows with a positive sum.

    This is the MIR aggregation of docs/mathematics.md, "Measuring modularity in a trained network"; negative entries (estimator
    noise) are clipped to zero first.  Returns NaN if no row carries
    information.
    """
    M = np.clip(np.asarray(matrix, dtype=float), 0.0, None)
    d = M.shape[1]
    sums = M.sum(axis=1)
    keep = sums > 0
    if not keep.any():
        return float("nan")
    r = M[keep].max(axis=1) / sums[keep]
    return float((r.mean() - 1.0 / d) / (1.0 - 1.0 / d))


def _active_code(Z: np.ndarray, S: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    Z, S = _check_pair(Z, S)
    if S.shape[1] < 2:
        raise BiomodularError("modularity scores need at least two sources")
    mask = active_neurons(Z, threshold)
    if not mask.any():
        raise BiomodularError("no active neuron: every neuron is constant over the data")
    return Z[:, mask], S


def mir(
    Z: np.ndarray, S: np.ndarray, estimator: Estimator = Binned(), active_threshold: float = ACTIVE_THRESHOLD
) -> float:
    """Mutual Information Ratio (ICLR 2023) over the active neurons; 1 = modular, 0 = fully mixed."""
    Za, S = _active_code(Z, S, active_threshold)
    return ratio_score(information_matrix(Za, S, estimator))


def mig(Z: np.ndarray, S: np.ndarray, estimator: Binned = Binned()) -> float:
    """Mutual Information Gap (Chen et al. 2018): mean over sources of the gap between the two most informative
    neurons, ``(I_(1)f - I_(2)f) / H(s_f)``; 1 = each source carried by one neuron alone.

    Every neuron counts (a constant one carries no information).  ``H(s_f)``
    is the entropy of the binned source, so this needs the :class:`Binned`
    estimator.
    """
    est = _need_binned(estimator, "MIG")
    Z, S = _check_pair(Z, S)
    if Z.shape[1] < 2:
        raise BiomodularError("MIG needs at least two neurons")
    top = np.sort(information_matrix(Z, S, est), axis=0)[::-1]
    H = np.array([entropy_binned(S[:, f], est.bins) for f in range(S.shape[1])])
    return float(np.mean((top[0] - top[1]) / H))


def _need_binned(estimator: Estimator, name: str) -> Binned:
    if not isinstance(estimator, Binned):
        raise BiomodularError(
            f"{name} normalises by the entropy of each source, which needs the Binned estimator; "
            "use Binned(bins) (or mir(), which accepts KNN)"
        )
    return estimator


def infom(
    Z: np.ndarray, S: np.ndarray, estimator: Binned = Binned(), active_threshold: float = ACTIVE_THRESHOLD
) -> float:
    """InfoM (ICLR 2025): MIR on ``I(z_n; s_f) / H(s_f)`` clipped to ``[0, 1]``."""
    est = _need_binned(estimator, "InfoM")
    Za, S = _active_code(Z, S, active_threshold)
    H = np.array([entropy_binned(S[:, f], est.bins) for f in range(S.shape[1])])
    return ratio_score(np.clip(information_matrix(Za, S, est) / H, 0.0, 1.0))


def cinfom(
    Z: np.ndarray, S: np.ndarray, estimator: Binned = Binned(), active_threshold: float = ACTIVE_THRESHOLD
) -> float:
    """CInfoM (ICLR 2025): MIR on ``I(z_n; s_f | s_-f) / H(s_f | s_-f)`` clipped to ``[0, 1]``.

    The binned conditional entropies need many samples per joint bin: with
    ``d`` sources there are ``bins**d`` cells, so use few bins when ``d > 2``.
    """
    est = _need_binned(estimator, "CInfoM")
    Za, S = _active_code(Z, S, active_threshold)
    b = int(est.bins)
    codes = _bin_codes(S, b)
    d = S.shape[1]
    M = np.empty((Za.shape[1], d))
    for f in range(d):
        rest = np.delete(np.arange(d), f)
        h_cond = _joint_entropy(codes) - _joint_entropy(codes[:, rest])
        for n in range(Za.shape[1]):
            cmi = conditional_mutual_information(Za[:, n], S[:, f], S[:, rest], est)
            M[n, f] = cmi / h_cond if h_cond > 0 else 0.0
    return ratio_score(np.clip(M, 0.0, 1.0))


def _r2_matrix(Z: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Squared correlation of every neuron with every source (OLS R^2 of z_n on s_f)."""
    Zc = Z - Z.mean(axis=0)
    Sc = S - S.mean(axis=0)
    zs = np.sqrt((Zc**2).sum(axis=0))
    ss = np.sqrt((Sc**2).sum(axis=0))
    corr = (Zc.T @ Sc) / np.outer(np.where(zs > 0, zs, 1.0), np.where(ss > 0, ss, 1.0))
    return np.clip(corr**2, 0.0, 1.0)


def linear_infom(Z: np.ndarray, S: np.ndarray, active_threshold: float = ACTIVE_THRESHOLD) -> float:
    """Linear InfoM: the MIR aggregation of the OLS ``R^2`` of each neuron on each source."""
    Za, S = _active_code(Z, S, active_threshold)
    return ratio_score(_r2_matrix(Za, S))


def linear_cinfom(Z: np.ndarray, S: np.ndarray, active_threshold: float = ACTIVE_THRESHOLD) -> float:
    """Linear CInfoM: the MIR aggregation of squared partial correlations of ``z_n`` and ``s_f`` given ``s_-f``."""
    Za, S = _active_code(Z, S, active_threshold)
    n, d = S.shape
    M = np.empty((Za.shape[1], d))
    for f in range(d):
        rest = np.delete(np.arange(d), f)
        X = np.hstack([np.ones((n, 1)), S[:, rest]])
        # residuals of s_f and of every neuron after regressing out the other sources
        Y = np.hstack([S[:, [f]], Za])
        coef, *_ = np.linalg.lstsq(X, Y, rcond=None)
        resid = Y - X @ coef
        # a residual at rounding level (the neuron is a function of the other
        # sources) is exactly zero: nothing left to correlate with s_f
        spread = np.linalg.norm(Y - Y.mean(axis=0), axis=0)
        resid[:, np.linalg.norm(resid, axis=0) <= 1e-9 * spread] = 0.0
        M[:, f] = _r2_matrix(resid[:, 1:], resid[:, :1])[:, 0]
    return ratio_score(M)


# ------------------------------------------------------------ linear codes
def mixing_angles(W: np.ndarray) -> np.ndarray:
    """Angle in degrees between each row of ``W`` (a tuning) and the nearest source axis.

    0 for a modular neuron; 45 for an even mix of two sources.  Zero rows give 0.
    """
    W = np.atleast_2d(np.asarray(W, dtype=float))
    norms = np.linalg.norm(W, axis=1)
    cos = np.abs(W).max(axis=1) / np.where(norms > 0, norms, 1.0)
    cos = np.where(norms > 0, cos, 1.0)
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def trapezoid_mutual_information(c1: float, c2: float) -> tuple[float, float]:
    """Exact ``(I(z; e1), I(z; e2))`` in nats for ``z = c1 e1 + c2 e2``, ``e`` independent uniform.

    ``z`` has a trapezoidal density; with ``rho`` the ratio of the smaller to
    the larger width ``2a|c_i|``, the dominant factor carries
    ``-ln rho + rho/2`` nats and the minor one ``rho/2`` (docs/mathematics.md, "Measuring modularity in a trained network"; the
    range ``a`` cancels).  A factor with zero weight carries 0; the other
    then carries infinite information (``z`` determines it).
    """
    a1, a2 = abs(float(c1)), abs(float(c2))
    if a1 == 0 and a2 == 0:
        return 0.0, 0.0
    if a1 == 0:
        return 0.0, float("inf")
    if a2 == 0:
        return float("inf"), 0.0
    rho = min(a1, a2) / max(a1, a2)
    dominant, minor = -np.log(rho) + rho / 2, rho / 2
    return (dominant, minor) if a1 >= a2 else (minor, dominant)


def exact_mir_uniform(M: np.ndarray) -> float:
    """Exact MIR of the code ``z = M e + b`` of two independent uniform factors.

    Every row of ``M`` (shape ``(n_neurons, 2)``) must have two nonzero
    entries (a modular row has infinite information and ratio 1: it is
    counted as 1).
    """
    M = np.atleast_2d(np.asarray(M, dtype=float))
    if M.shape[1] != 2:
        raise BiomodularError("the exact trapezoid formula covers two factors only")
    ratios = []
    for c1, c2 in M:
        if c1 == 0 or c2 == 0:
            ratios.append(1.0)
            continue
        i1, i2 = trapezoid_mutual_information(c1, c2)
        ratios.append(max(i1, i2) / (i1 + i2))
    return float((np.mean(ratios) - 0.5) / 0.5)
