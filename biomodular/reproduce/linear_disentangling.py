"""``linear-disentangling`` (ICLR 2023, Figs. 2 and 4): all three biological constraints, or entangled codes.

Three independent factors uniform on ``[-1, 1]`` are seen through a random
rotation, ``x = A e``.  A shallow linear network ``z = W x + b`` with a
linear readout is trained to reconstruct ``x`` (autoencoding) or to predict
``y = B e`` for another random rotation ``B`` (supervised).  With
nonnegativity, an activity energy and a weight energy its code disentangles
(each neuron codes one factor, MIR near 1); remove any one of the three and
the loss no longer prefers the aligned code over a rotated one, so training
lands on an entangled code.  MIR (docs/mathematics.md, "Measuring modularity
in a trained network") uses 20 equal-width bins.
"""

from __future__ import annotations

import numpy as np

from .base import Check, Finding, Measurement

N_FACTORS = 3
N_CODE = 12

#: (beta_nonneg, beta_activity, beta_weight) of each variant.
VARIANTS = {
    "all three": (10.0, 1.0, 1e-2),
    "no nonnegativity": (0.0, 1.0, 1e-2),
    "no activity energy": (10.0, 0.0, 1e-2),
    "no weight energy": (10.0, 1.0, 0.0),
}


def rotation(k: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random ``k x k`` rotation (QR of a Gaussian matrix, signs fixed)."""
    Q, R = np.linalg.qr(rng.standard_normal((k, k)))
    return Q * np.sign(np.diag(R))


def trained_mir(X: np.ndarray, Y: np.ndarray, E: np.ndarray, betas: tuple, seed: int, steps: int) -> float:
    """MIR of the code of a shallow linear network trained (Adam, batch 256) from ``seed``."""
    from ..verify.metrics import Binned, mir
    from ..verify.models import FeedForward
    from ..verify.training import train

    nonneg, activity, weight = betas
    model = FeedForward(
        sizes=(X.shape[1], N_CODE, Y.shape[1]),
        activations=("linear", "linear"),
        code_layer=1,
        beta_pred=100.0,
        beta_activity=activity,
        beta_nonneg=nonneg,
        beta_weight=weight,
    )
    result = train(model, X, Y, seed=seed, lr=1e-2, batch_size=256, max_steps=steps)
    return mir(model.code(result.params, X), E, Binned(20))


def measure(full: bool, seed: int) -> Measurement:
    from ..verify.metrics import Binned, mir

    n, n_seeds, steps = (4_000, 10, 40_000) if full else (2_000, 2, 15_000)
    rng = np.random.default_rng(seed)
    E = rng.uniform(-1.0, 1.0, (n, N_FACTORS))
    # the estimator's ceiling: MIR of a perfectly aligned code (ON and OFF cell per factor) on these samples
    ceiling = mir(np.hstack([1.0 + E, 1.0 - E]), E, Binned(20))
    A, B = rotation(N_FACTORS, rng), rotation(N_FACTORS, rng)
    X = E @ A.T
    tasks = {"autoencoder": X, "supervised": E @ B.T}
    seeds = list(range(seed, seed + n_seeds))
    measured: dict[str, float] = {"mir_aligned_code": ceiling}
    mirs: dict = {}
    for task, Y in tasks.items():
        for variant, betas in VARIANTS.items():
            values = [trained_mir(X, Y, E, betas, s, steps) / ceiling for s in seeds]
            mirs[task, variant] = values
            key = f"{task}_{variant.replace(' ', '_')}"
            measured[f"relative_mir_mean_{key}"] = float(np.mean(values))
            measured[f"relative_mir_min_{key}"] = float(np.min(values))
    checks = []
    for task in tasks:
        full_key = f"{task}_all_three"
        checks.append(
            Check(
                f"{task}, all three constraints: relative MIR >= 0.9 in every seed",
                measured[f"relative_mir_min_{full_key}"] >= 0.9,
            )
        )
        for variant in list(VARIANTS)[1:]:
            key = f"{task}_{variant.replace(' ', '_')}"
            checks.append(
                Check(
                    f"{task}, {variant}: mean relative MIR at least 0.1 below all three",
                    measured[f"relative_mir_mean_{key}"] <= measured[f"relative_mir_mean_{full_key}"] - 0.1,
                )
            )
    settings = {
        "factors": N_FACTORS,
        "neurons": N_CODE,
        "samples": n,
        "seeds": n_seeds,
        "steps": steps,
        "beta_pred": 100.0,
        "variants": {k: list(v) for k, v in VARIANTS.items()},
        "mir_estimator": "binned, 20 bins",
    }
    return Measurement(measured, tuple(checks), {"mirs": mirs}, settings)


def draw(outcome, fig) -> None:
    axes = fig.subplots(1, 2, sharey=True)
    for ax, task in zip(axes, ("autoencoder", "supervised")):
        for i, variant in enumerate(VARIANTS):
            values = outcome.data["mirs"][task, variant]
            ax.bar(i, np.mean(values), color="C0" if i == 0 else "C3", alpha=0.6)
            ax.scatter(np.full(len(values), i), values, color="k", s=12, zorder=3)
        ax.set_xticks(range(len(VARIANTS)), [v.replace(" ", "\n", 1) for v in VARIANTS], fontsize=7)
        ax.set_title(task, fontsize=9)
        ax.set_ylim(0, 1.1)
    axes[0].set_ylabel("MIR / MIR of an aligned code (bars: mean)")


FINDING = Finding(
    name="linear-disentangling",
    paper="ICLR 2023, Figs. 2 and 4",
    claim=(
        "Shallow linear networks (autoencoding and supervised) trained on rotated independent factors "
        "disentangle with all three constraints, nonnegativity, activity energy and weight energy (in every seed "
        "a MIR at least 0.9 of an aligned code's MIR on the same samples); removing any one of them entangles "
        "the code (mean relative MIR at least 0.1 lower)."
    ),
    summary="shallow linear networks disentangle only with nonnegativity, activity and weight energy",
    measure=measure,
    draw=draw,
    notes=(
        "MIR is reported relative to the binned MIR of a perfectly aligned code on the same samples, "
        "which is below 1 (`mir_aligned_code`: the plug-in estimator's positive bias "
        "on independent variables). A first version compared the raw MIR with 0.85 at 1000 samples and "
        "4000 steps: it failed because the aligned code itself scores 0.83 there and training had not "
        "converged; the size and the relative threshold were set once, from that diagnosis. "
        "**At the small size the weight-energy part does not reproduce:** without it the trained codes still "
        "disentangle (relative MIR about 0.95, both tasks). **At the full size it does** (10 seeds, 4000 "
        "samples, up to 40 000 steps; every check passes): without the weight energy the mean relative MIR is "
        "0.815 autoencoding and 0.835 supervised (seed minima 0.68 and 0.70) against 0.995 and 0.994 with all "
        "three constraints. Without a weight energy the loss has no minimum (the code can shrink while the "
        "readout grows), so no optimum fixes what training reaches; it can differ with the run's length, data "
        "and loss weights: the ICLR 2023 authors' code is not public, and under the closest "
        "published protocol, the ICLR 2025 authors' low-dimensional autoencoder configuration (loss weights "
        "1 : 0.01 : 1 : 1e-4 for reconstruction, activity energy, nonnegativity and weight energy as means "
        "over units, learning rate 1e-3, batch 512, initial weight scale 0.3, 200 000 steps at a constant "
        "rate; `benchmarks/linear_disentangling_protocol.py`, seed 0, this finding's small-size data) the "
        "code without the weight energy stays disentangled (relative MIR 0.998 autoencoding, 0.997 "
        "supervised) while shrinking to a standard deviation of 0.019. Removing nonnegativity or the activity "
        "energy entangles the code at both sizes, as claimed."
    ),
)
