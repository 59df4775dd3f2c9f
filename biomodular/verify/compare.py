"""Trained linear codes against the exact optimum (the verifier behind ``biomodular verify``).

For each seed the linear autoencoder is trained with the biological losses;
its tuning matrix ``W`` is then made exactly feasible (biases
``b_n = -min_i w_n . s_i``, readout ``pinv(W)``), which gives the exact reduced
loss of a real code: an upper bound on the optimum (docs/mathematics.md, "The biologically constrained linear autoencoder").  The
relative gap to the exact optimum of :func:`biomodular.solvers.program.solve_code`
is therefore nonnegative up to the solver's certified tolerance.

The optimum need not be unique (e.g. ON and OFF cells of a symmetric source
cost the same), but its Gram matrix ``G = W^T W`` and its dual multiplier
``Lambda`` are (``tr(G^-1)`` is strictly convex), so besides the angle from
each optimal neuron to the nearest trained one the comparison reports the
relative Gram error and each trained neuron's reduced cost
``(phi(w) - w^T Lambda w) / phi(w)``, zero exactly for directions an optimum
may use (docs/mathematics.md, "Solving for the optimal code exactly").
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..errors import BiomodularError, ConvergenceWarning
from ..mixing import MIXED_ANGLE_DEGREES, angle_to_axes, is_mixed
from ..solvers.energy import phi_values
from .metrics import ACTIVE_THRESHOLD, Binned, Estimator, infom, mir
from .linear import train_linear
from .models import project_biases, reduced_loss
from .training import TrainResult

__all__ = ["RunResult", "VerifyResult", "verify_code", "DEFAULT_ANGLE_TOL", "REACHED_GAP", "MODELS"]

#: A trained neuron whose tuning is at least this many degrees from every axis
#: (beta-scaled units) is mixed: the one definition of :mod:`biomodular.mixing`.
DEFAULT_ANGLE_TOL = MIXED_ANGLE_DEGREES

#: A seed reached the optimum when its projected code is within this relative
#: gap of it (and, for a mixed optimum, every significant optimal neuron has a
#: trained neuron within ``angle_tol`` degrees).
REACHED_GAP = 1e-2

#: Optimal neurons whose squared norm is below this fraction of the largest are
#: not required to appear in the trained code (they carry almost nothing).
SIGNIFICANT_NEURON = 1e-2

MODELS = ("exact", "learned")

#: Below this relative advantage of the optimum over the best modular code the
#: summary warns that the energy barely separates mixed from modular codes.
WEAK_ADVANTAGE = 1e-4


@dataclass(frozen=True)
class RunResult:
    """One trained network compared with the optimum.

    Attributes
    ----------
    seed : int
    loss : float
        Final training loss (full data, with the penalty).
    projected_loss : float
        Exact reduced loss of the trained tuning after projection to feasibility.
    gap : float or None
        ``(projected_loss - optimum) / optimum`` (None without an optimum).
    verdict : str
        ``"modular"`` or ``"mixed"``: whether an active neuron is at least
        ``angle_tol`` degrees from every axis, in beta-scaled units
        (:mod:`biomodular.mixing`: closer than that, a tilted neuron is a sliver).
    max_mixing_angle : float
        Largest angle (degrees, beta-scaled units) between an active neuron's
        tuning and the nearest axis.
    n_active : int
    match_angle : float or None
        Largest angle (degrees) from a significant optimal neuron to the nearest active trained neuron.
    witness_angle : float or None
        Angle (degrees) from the check's witness to the nearest active trained neuron.
    gram_error : float or None
        ``||G - G*||_F / ||G*||_F``.
    max_reduced_cost : float or None
        Largest relative reduced cost of an active trained neuron.
    mir, infom : float
        Scores of the projected code over the active neurons.
    converged : bool
    steps : int
    seconds : float
    tuning : ndarray
        Active tunings, shape ``(n_active, d)``.
    train : TrainResult
    gap_history : tuple of (step, gap)
        After every window: the relative gap of the projected code (its
        projected loss when there is no optimum).
    """

    seed: int
    loss: float
    projected_loss: float
    gap: float | None
    verdict: str
    max_mixing_angle: float
    n_active: int
    match_angle: float | None
    witness_angle: float | None
    gram_error: float | None
    max_reduced_cost: float | None
    mir: float
    infom: float
    converged: bool
    steps: int
    seconds: float
    tuning: np.ndarray = field(repr=False)
    train: TrainResult = field(repr=False)
    gap_history: tuple = field(repr=False, default=())

    def to_dict(self) -> dict:
        def f(x):
            return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)

        return {
            "seed": int(self.seed),
            "loss": f(self.loss),
            "projected_loss": f(self.projected_loss),
            "gap": f(self.gap),
            "verdict": self.verdict,
            "max_mixing_angle": f(self.max_mixing_angle),
            "n_active": int(self.n_active),
            "match_angle": f(self.match_angle),
            "witness_angle": f(self.witness_angle),
            "gram_error": f(self.gram_error),
            "max_reduced_cost": f(self.max_reduced_cost),
            "mir": f(self.mir),
            "infom": f(self.infom),
            "converged": bool(self.converged),
            "steps": int(self.steps),
            "seconds": float(self.seconds),
            "tuning": self.tuning.tolist(),
            "history": [[int(s), float(l), float(r)] for s, l, r in self.train.history],
            "gap_history": [[int(s), float(g)] for s, g in self.gap_history],
        }


@dataclass(frozen=True)
class VerifyResult:
    """Trained codes from several seeds against the exact optimum.

    Attributes
    ----------
    optimum : float or None
        Exact optimal loss (``solve_code(...).value``), None if not solved.
    optimum_status : str
    optimum_relative_gap : float or None
        The solver's certified relative gap.
    modular_value : float or None
    check_verdict : str or None
        Verdict of :func:`biomodular.solvers.check.check_modularity`.
    margin : float or None
    witness : ndarray or None
    optimal_tuning : ndarray or None
        Tunings of the optimal neurons, shape ``(k, d)``.
    runs : tuple of RunResult
    agreement : int
        Seeds that reached the optimum (relative gap at most ``REACHED_GAP``
        and, for a mixed optimum, a trained neuron within ``angle_tol`` of
        every significant optimal neuron) and whose
        trained verdict equals the check's (for mixed: with a mixed neuron
        within ``angle_tol`` of the witness or of an optimal mixed neuron).
    reached : int
        Seeds that reached the optimum (as above), whatever their verdict.
    comparable : bool
        Whether the check gave ``modular`` or ``mixed`` (a ``tie`` or an
        ``undetermined`` verdict has nothing to agree with).
    names : tuple of str
    settings : dict
    seconds : float
    """

    optimum: float | None
    optimum_status: str
    optimum_relative_gap: float | None
    modular_value: float | None
    check_verdict: str | None
    margin: float | None
    witness: np.ndarray | None = field(repr=False)
    optimal_tuning: np.ndarray | None = field(repr=False)
    runs: tuple = field(repr=False)
    agreement: int
    comparable: bool
    names: tuple
    settings: dict = field(repr=False)
    seconds: float = 0.0
    reached: int = 0

    @property
    def mixing_advantage(self) -> float | None:
        """``(modular_value - optimum) / optimum``: how much the optimum beats the best modular code."""
        if self.optimum is None or self.modular_value is None or not math.isfinite(self.modular_value):
            return None
        return (self.modular_value - self.optimum) / abs(self.optimum)

    @property
    def gaps(self) -> list[float]:
        return [r.gap for r in self.runs if r.gap is not None]

    def summary(self) -> str:
        """One line: agreement with the theory and the gaps reached."""
        n = len(self.runs)
        kinds = ", ".join(f"{v} {sum(r.verdict == v for r in self.runs)}/{n}" for v in ("modular", "mixed"))
        reached = (
            (
                f"; reached the optimum (gap at most {REACHED_GAP:.1%}"
                + (", optimal neurons matched" if self.check_verdict == "mixed" else "")
                + f"): {self.reached}/{n}"
            )
            if self.optimum is not None
            else ""
        )
        if self.comparable:
            head = (
                f"agreement with the theory: {self.agreement}/{n} seeds reached the optimum with the "
                f"check's verdict (exact check: {self.check_verdict}; trained: {kinds}{reached})"
            )
        else:
            head = f"exact check: {self.check_verdict or 'not run'} (nothing to agree with); trained: {kinds}"
        gaps = self.gaps
        if gaps:
            head += f"; relative gap to the optimum: median {np.median(gaps):.2%}, max {max(gaps):.2%}"
        adv = self.mixing_advantage
        if self.check_verdict == "mixed" and adv is not None:
            missed = [r for r in self.runs if r.verdict == "modular"]
            if missed and all(r.gap is not None and r.gap <= adv for r in missed):
                head += (
                    f"; note: the best modular code is only {adv:.3%} above the optimum, and the modular "
                    "trained codes are closer than that to it"
                )
            elif adv < WEAK_ADVANTAGE:
                head += (
                    f"; note: the best modular code is only {adv:.3%} above the optimum (the weight costs "
                    "dominate at these lam_in, lam_out and data scale), so codes of either kind are "
                    "nearly optimal"
                )
        conv = sum(r.converged for r in self.runs)
        return head + f"; converged {conv}/{n}"

    def to_dict(self) -> dict:
        def f(x):
            return None if x is None or not math.isfinite(x) else float(x)

        return {
            "optimum": f(self.optimum),
            "optimum_status": self.optimum_status,
            "optimum_relative_gap": f(self.optimum_relative_gap),
            "modular_value": f(self.modular_value),
            "mixing_advantage": f(self.mixing_advantage),
            "check_verdict": self.check_verdict,
            "margin": f(self.margin),
            "witness": None if self.witness is None else [float(x) for x in self.witness],
            "optimal_tuning": None if self.optimal_tuning is None else self.optimal_tuning.tolist(),
            "names": list(self.names),
            "runs": [r.to_dict() for r in self.runs],
            "agreement": int(self.agreement),
            "reached": int(self.reached),
            "comparable": bool(self.comparable),
            "summary": self.summary(),
            "settings": self.settings,
            "seconds": float(self.seconds),
        }

    def to_frame(self):
        """The trained seeds as a :class:`pandas.DataFrame` (needs pandas): one row each, scalar fields."""
        from ..display import frame, verify_rows

        return frame(verify_rows(self))

    def _repr_html_(self) -> str:
        from ..display import verify_html

        return verify_html(self)

    def table(self) -> str:
        """The per-seed table printed by ``biomodular verify``."""
        from ..solvers.results import format_relative_gap

        lines = []
        if self.optimum is not None and self.optimum_relative_gap is not None:
            lines.append(
                f"exact optimum: {self.optimum:.6g} ({self.optimum_status}, certified relative gap "
                f"{format_relative_gap(self.optimum_relative_gap, '.1e')}); best modular code: {self.modular_value:.6g} "
                f"({self.mixing_advantage:+.3%})"
            )
        if self.check_verdict is not None:
            w = "" if self.witness is None else " witness [" + ", ".join(f"{x:.3f}" for x in self.witness) + "]"
            lines.append(f"exact check: {self.check_verdict} (margin {self.margin:.3g}){w}")
        header = (
            "seed",
            "loss",
            "gap",
            "verdict",
            "max angle",
            "active",
            "match angle",
            "gram err",
            "MIR",
            "InfoM",
            "steps",
        )
        rows = []
        for r in self.runs:
            rows.append(
                (
                    str(r.seed),
                    f"{r.loss:.5g}",
                    "-" if r.gap is None else f"{r.gap:.3%}",
                    r.verdict,
                    f"{r.max_mixing_angle:.1f} deg",
                    str(r.n_active),
                    "-" if r.match_angle is None else f"{r.match_angle:.1f} deg",
                    "-" if r.gram_error is None else f"{r.gram_error:.2%}",
                    f"{r.mir:.3f}",
                    f"{r.infom:.3f}",
                    f"{r.steps}{'' if r.converged else '*'}",
                )
            )
        widths = [max(len(x[k]) for x in rows + [header]) for k in range(len(header))]
        lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
        if any(not r.converged for r in self.runs):
            lines.append("* stopped at max_steps before the convergence criterion was met")
        lines.append(self.summary())
        return "\n".join(lines)


def _angles(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Angles (degrees) between every row of A and every row of B."""
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    Bn = B / np.linalg.norm(B, axis=1, keepdims=True)
    return np.degrees(np.arccos(np.clip(An @ Bn.T, -1.0, 1.0)))


#: Most seeds one call trains: each keeps its trained network and its training
#: history in the result (and takes seconds), so a larger count is a mistake
#: that would exhaust memory long before it finished.
MAX_SEEDS = 10_000


def _seeds(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise BiomodularError(f"need at least one seed; got {seeds}")
        if seeds > MAX_SEEDS:
            raise BiomodularError(
                f"{seeds} seeds is more than {MAX_SEEDS} (each keeps a trained network and its history); "
                "run several smaller verifications instead"
            )
        return list(range(int(seeds)))
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise BiomodularError(f"seeds must be a count or a sequence of integers; got {seeds!r}")
    out: list[int] = []
    for s in seeds:
        if len(out) >= MAX_SEEDS:
            raise BiomodularError(f"more than {MAX_SEEDS} seeds; run several smaller verifications instead")
        try:
            out.append(int(s))
        except (TypeError, ValueError):
            raise BiomodularError(f"seeds must be integers; got {s!r}") from None
    if not out:
        raise BiomodularError("need at least one seed")
    return out


def _train_seed(S, seed, training, optimum, progress=None) -> tuple:
    """Worker: train one seed, recording the projected code's gap after every window."""
    gap_history: list = []

    def record(step, params):
        value = reduced_loss(params["W"], S, training["lam_in"], training["lam_out"])
        gap_history.append((step, value if optimum is None else (value - optimum) / abs(optimum)))

    tr = train_linear(S, seed=seed, monitor=record, progress=progress, **training)
    return tr, gap_history


def _train_seeds(S, seed_list, training, optimum, progress, executor, processes) -> list:
    """Every seed's ``(TrainResult, gap_history)``, in seed order, on the given executor."""
    from ..execution import BatchInterrupted, run_tasks, workers_for

    if executor is None and callable(progress) and workers_for(len(seed_list), processes) == 1:
        out = []  # in this process: the step-by-step callback can be honoured
        for index, seed in enumerate(seed_list):

            def cb(step, total, loss, _i=index):
                progress(_i, step, total, loss)

            out.append(_train_seed(S, seed, training, optimum, cb))
        return out
    outcome = run_tasks(
        _train_seed,
        [(S, seed, training, optimum) for seed in seed_list],
        executor=executor,
        processes=processes,
        desc="training seeds",
        unit="seed",
        show=None if progress is None or callable(progress) else bool(progress),
    )
    outcome.raise_first_error()
    if outcome.interrupted:
        raise BatchInterrupted(
            f"verify interrupted after {sum(outcome.done)} of {len(seed_list)} seeds",
            [r for r in outcome.results if r is not None],
        )
    if outcome.failures:
        lost = ", ".join(f"seed {seed_list[f.index]} ({f.error})" for f in outcome.failures)
        raise BiomodularError(f"training was lost with its worker: {lost}; rerun, or use fewer processes")
    return list(outcome.results)


def verify_code(
    samples: np.ndarray,
    names: Sequence[str] | None = None,
    *,
    seeds: int | Sequence[int] = 5,
    model: str = "exact",
    lam_in: float = 1.0,
    lam_out: float = 1.0,
    n_neurons: int | None = None,
    beta_nonneg: float = 1e4,
    penalty: str = "squared",
    beta_recon: float = 1e3,
    lr: float = 1e-2,
    batch_size: int | None = 512,
    max_steps: int = 30_000,
    tol: float = 1e-4,
    window: int = 200,
    angle_tol: float = DEFAULT_ANGLE_TOL,
    active_threshold: float = ACTIVE_THRESHOLD,
    estimator: Estimator = Binned(20),
    solve: bool = True,
    progress: bool | Callable[[int, int, int, float], None] | None = None,
    executor=None,
    processes: int | None = None,
) -> VerifyResult:
    """Train linear codes from several seeds and compare them with the exact optimum.

    Parameters
    ----------
    samples : array_like, pandas.DataFrame or xarray.DataArray, shape (n_samples, n_sources)
        Training data; also the data whose optimum is solved.  The penalty
        defaults suit sources of order one.
    names : sequence of str, optional
    seeds : int or sequence of int
        Number of seeds (0, 1, ...) or the seeds themselves.
    model : {"exact", "learned"}
        :class:`~biomodular.verify.models.ExactLinearAE` (pseudo-inverse
        readout) or :class:`~biomodular.verify.models.LinearAE` (learned
        readout with reconstruction weight ``beta_recon``).
    lam_in, lam_out : float
        Weight-energy coefficients, the same in training and in the exact problem.
    n_neurons : int, optional
        Default twice the ``d(d+1)/2 + 1`` the theory needs.
    beta_nonneg, penalty : float, {"squared", "hinge"}
        Nonnegativity penalty (mean over samples of the sum over neurons).
    lr, batch_size, max_steps, tol, window :
        Training (see :func:`~biomodular.verify.training.train`).
    angle_tol : float
        Degrees from the nearest axis above which an active neuron is mixed.
    active_threshold : float
        Fraction of the largest neuron range above which a neuron is active.
    estimator : Binned or KNN
        Mutual-information estimator for MIR (InfoM always uses ``Binned``
        with the same number of bins, or 20).
    solve : bool
        Solve the exact problem and run the exact check (needs cvxpy).
    progress : bool or callable, optional
        A callable ``progress(run_index, step, max_steps, smoothed_loss)`` is
        called during training when the seeds train in this process
        (``processes=1``).  Otherwise a bar counts finished seeds: ``True`` or
        ``False`` forces it on or off, None draws it on a terminal.
    executor : concurrent.futures.Executor, optional
        Train the seeds there, e.g. ``client.get_executor()`` of a
        ``dask.distributed.Client`` (see :func:`biomodular.execution.run_tasks`).
        The result is the same whichever executor trains them.
    processes : int, optional
        Local processes when no executor is given (default: one per core, at
        most one per seed); 1 trains the seeds one after another here.

    Returns
    -------
    VerifyResult

    Warns
    -----
    ConvergenceWarning
        Once, naming the seeds that stopped at ``max_steps`` before the
        training loss reached its plateau.
    """
    from ..io import as_samples
    from ..sources import Sources
    from .models import default_neurons

    started = time.perf_counter()
    samples, names = as_samples(samples, names)
    S = np.asarray(samples, dtype=float)
    sources = Sources.from_samples(S, names)  # validates the data
    _check_arguments(sources.n_sources, n_neurons, model, angle_tol)
    seed_list = _seeds(seeds)
    width = default_neurons(sources.n_sources) if n_neurons is None else int(n_neurons)
    reference = _exact_reference(sources, lam_in, lam_out) if solve else _Reference()

    training = dict(
        model=model,
        lam_in=lam_in,
        lam_out=lam_out,
        n_neurons=width,
        beta_nonneg=beta_nonneg,
        penalty=penalty,
        beta_recon=beta_recon,
        lr=lr,
        batch_size=batch_size,
        max_steps=max_steps,
        tol=tol,
        window=window,
    )
    trained = _train_seeds(S, seed_list, training, reference.value, progress, executor, processes)
    scoring = _Scoring(S, sources, reference, lam_in, lam_out, angle_tol, active_threshold, estimator)
    runs = [scoring.run(seed, tr, gap_history) for seed, (tr, gap_history) in zip(seed_list, trained)]
    _warn_unconverged(runs, max_steps)

    settings = {
        "model": model,
        "lam_in": lam_in,
        "lam_out": lam_out,
        "n_neurons": width,
        "beta_nonneg": beta_nonneg,
        "penalty": penalty,
        "lr": lr,
        "batch_size": batch_size,
        "max_steps": max_steps,
        "tol": tol,
        "window": window,
        "angle_tol": angle_tol,
        "active_threshold": active_threshold,
        "estimator": estimator.to_dict(),
        "seeds": seed_list,
    }
    if model == "learned":
        settings["beta_recon"] = beta_recon
    opt = reference.optimum
    return VerifyResult(
        optimum=reference.value,
        optimum_status="not solved" if opt is None else opt.status,
        optimum_relative_gap=None if opt is None else opt.relative_gap,
        modular_value=None if opt is None else opt.modular_value,
        check_verdict=reference.verdict,
        margin=reference.margin,
        witness=None if reference.witness is None else np.asarray(reference.witness),
        optimal_tuning=None if opt is None else opt.tunings,
        runs=tuple(runs),
        agreement=scoring.agreement(runs),
        comparable=reference.verdict in ("modular", "mixed"),
        reached=sum(scoring.reached(r) for r in runs),
        names=sources.names,
        settings=settings,
        seconds=time.perf_counter() - started,
    )


def _check_arguments(d: int, n_neurons: int | None, model: str, angle_tol: float) -> None:
    """Refuse bad arguments of :func:`verify_code` before any training."""
    if n_neurons is not None and n_neurons < d:
        raise BiomodularError(f"need at least n_sources = {d} neurons to reconstruct; got {n_neurons}")
    if model not in MODELS:
        raise BiomodularError(f"model must be one of {MODELS}; got {model!r}")
    if not angle_tol > 0:
        raise BiomodularError(f"angle_tol must be positive; got {angle_tol}")


@dataclass(frozen=True)
class _Optimum:
    """The certified optimal code: its loss, status, gap, the best modular loss, neurons, Gram, multiplier."""

    value: float
    status: str
    relative_gap: float
    modular_value: float
    tunings: np.ndarray
    gram: np.ndarray
    Lambda: np.ndarray


@dataclass(frozen=True)
class _Reference:
    """What the trained codes are compared with: the exact check and the certified optimum."""

    optimum: _Optimum | None = None
    verdict: str | None = None
    margin: float | None = None
    witness: np.ndarray | None = None

    @property
    def value(self) -> float | None:
        return None if self.optimum is None else self.optimum.value


def _exact_reference(sources, lam_in: float, lam_out: float) -> _Reference:
    """Check the data and solve its optimal code (needs cvxpy)."""
    from ..solvers.check import check_modularity
    from ..solvers.problem import Problem
    from ..solvers.program import solve_code

    chk = check_modularity(sources)
    res = solve_code(sources, Problem.autoencoder(lam_in=lam_in, lam_out=lam_out))
    optimum = _Optimum(
        value=float(res.value),
        status=res.status,
        relative_gap=float(res.certificate.relative_gap),
        modular_value=float(res.modular_value),
        tunings=res.tunings,
        gram=res.gram,
        Lambda=np.asarray(res.certificate.multipliers["Lambda"], dtype=float),
    )
    return _Reference(optimum=optimum, verdict=chk.verdict, margin=float(chk.margin), witness=chk.witness)


class _Scoring:
    """Turns one trained network into a :class:`RunResult`, and judges runs against the reference."""

    def __init__(self, S, sources, reference: _Reference, lam_in, lam_out, angle_tol, active_threshold, estimator):
        self.S, self.sources, self.ref = S, sources, reference
        self.lam_in, self.lam_out, self.angle_tol = lam_in, lam_out, angle_tol
        self.active_threshold, self.estimator = active_threshold, estimator
        self.Sc = S - S.mean(axis=0)
        self.C = self.Sc.T @ self.Sc / S.shape[0]
        self.inf_bins = estimator.bins if isinstance(estimator, Binned) else 20

    def run(self, seed: int, tr: TrainResult, gap_history) -> RunResult:
        S, ref, opt, beta = self.S, self.ref, self.ref.optimum, self.sources.beta
        W = tr.params["W"]
        Z = S @ W.T + project_biases(W, S)
        spread = Z.max(0) - Z.min(0)
        active = np.flatnonzero(spread > self.active_threshold * spread.max())
        Wa = W[active]
        angles = angle_to_axes(Wa, beta)
        run_verdict = "mixed" if is_mixed(angles, self.angle_tol).any() else "modular"
        projected = reduced_loss(W, S, self.lam_in, self.lam_out)
        gap = match = wit = gram_err = cost = None
        if opt is not None:
            gap = (projected - opt.value) / abs(opt.value)
            norms2 = (opt.tunings**2).sum(1)
            sig = opt.tunings[norms2 >= SIGNIFICANT_NEURON * norms2.max()]
            match = float(_angles(sig, Wa).min(axis=1).max())
            G = W.T @ W
            gram_err = float(np.linalg.norm(G - opt.gram) / np.linalg.norm(opt.gram))
            U = Wa / np.linalg.norm(Wa, axis=1, keepdims=True)
            phi = phi_values(self.Sc, self.C, U)
            cost = float(((phi - np.einsum("ij,jk,ik->i", U, opt.Lambda, U)) / phi).max())
            if ref.witness is not None:
                wit = float(_angles(np.asarray(ref.witness)[None, :], Wa).min())
        return RunResult(
            seed=seed,
            loss=tr.loss,
            projected_loss=projected,
            gap=gap,
            verdict=run_verdict,
            max_mixing_angle=float(angles.max()),
            n_active=int(active.size),
            match_angle=match,
            witness_angle=wit,
            gram_error=gram_err,
            max_reduced_cost=cost,
            mir=mir(Z[:, active], S, self.estimator, 0.0),
            infom=infom(Z[:, active], S, Binned(self.inf_bins), 0.0),
            converged=tr.converged,
            steps=tr.steps,
            seconds=tr.seconds,
            tuning=Wa,
            train=tr,
            gap_history=tuple(gap_history),
        )

    def reached(self, r: RunResult) -> bool:
        """Whether a run reached the optimum: within REACHED_GAP, and a mixed optimum's neurons found."""
        if r.gap is None or r.gap > REACHED_GAP:
            return False
        # a modular optimum need not be unique (ON and OFF cells), a mixed one's neurons must be found
        return self.ref.verdict != "mixed" or (r.match_angle is not None and r.match_angle <= self.angle_tol)

    def agreement(self, runs) -> int:
        """Runs that reached the optimum with the check's verdict (a mixed one along a mixed optimal neuron)."""
        verdict, beta, angle_tol = self.ref.verdict, self.sources.beta, self.angle_tol
        if verdict not in ("modular", "mixed"):
            return 0
        mixed_opt = None
        if self.ref.optimum is not None:
            tunings = self.ref.optimum.tunings
            mixed_opt = tunings[is_mixed(angle_to_axes(tunings, beta), angle_tol)]
        agreement = 0
        for r in runs:
            if r.verdict != verdict or not self.reached(r):
                continue
            if verdict == "modular":
                agreement += 1
                continue
            mixed_trained = r.tuning[is_mixed(angle_to_axes(r.tuning, beta), angle_tol)]
            along = []
            if self.ref.witness is not None:
                along.append(_angles(np.asarray(self.ref.witness)[None, :], mixed_trained).min())
            if mixed_opt is not None and len(mixed_opt):
                along.append(_angles(mixed_opt, mixed_trained).min())
            if along and min(along) <= angle_tol:
                agreement += 1
        return agreement


def _warn_unconverged(runs, max_steps: int) -> None:
    """One :class:`ConvergenceWarning` for the seeds that hit ``max_steps`` before their plateau."""
    late = [r.seed for r in runs if not r.converged and not r.train.stopped]
    if late:
        seeds = ", ".join(str(s) for s in late[:10]) + (", ..." if len(late) > 10 else "")
        warnings.warn(
            f"verify_code: {len(late)} of {len(runs)} seeds stopped at max_steps={max_steps} before the "
            f"training loss reached its plateau (seeds {seeds}); their results are marked '*'. Raise max_steps "
            "(or lr) to train them to convergence",
            ConvergenceWarning,
            stacklevel=3,
        )
