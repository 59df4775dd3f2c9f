"""``deep-disentangling`` (ICLR 2023, Fig. 3): a deep ReLU network disentangles layer by layer.

Three independent factors uniform on ``[-1, 1]`` are rotated and cubed,
``x = (A e)^3`` elementwise, a nonlinear entangled view of them.  A deep ReLU
network (4 hidden layers of 24 units) predicts the factors from ``x`` with the
biological losses on every hidden layer: ReLU (nonnegativity), activity
energy and weight energy (:class:`biomodular.networks.DeepReLU`).  MIR
(20 bins), relative to an aligned code's MIR on the same samples, is measured
in every hidden layer: the claim is that early layers are mixed and later
layers disentangled.
"""

from __future__ import annotations

import numpy as np

from .base import Check, Finding, Measurement

HIDDEN = (24, 24, 24, 24)


def measure(full: bool, seed: int) -> Measurement:
    from ..networks import DeepReLU
    from ..verify.metrics import Binned, mir
    from ..verify.training import train
    from .linear_disentangling import rotation

    n, n_seeds, steps = (4_000, 5, 60_000) if full else (2_000, 2, 15_000)
    rng = np.random.default_rng(seed)
    A = rotation(3, rng)  # drawn before the samples, so both sizes see the same mixing
    E = rng.uniform(-1.0, 1.0, (n, 3))
    X = (E @ A.T) ** 3
    ceiling = mir(np.hstack([1.0 + E, 1.0 - E]), E, Binned(20))
    layers = np.zeros((n_seeds, len(HIDDEN)))
    for i, s in enumerate(range(seed, seed + n_seeds)):
        model = DeepReLU((3, *HIDDEN, 3), beta_pred=1.0, beta_activity=1e-2, beta_weight=1e-3)
        result = train(model, X, E, seed=s, lr=3e-3, batch_size=128, max_steps=steps)
        for k, H in enumerate(model.hidden(result.params, X)):
            layers[i, k] = mir(H, E, Binned(20)) / ceiling if H.std(axis=0).max() > 0 else np.nan
    mean = np.nanmean(layers, axis=0)
    measured: dict[str, float] = {"mir_aligned_code": ceiling, "input_relative_mir": mir(X, E, Binned(20)) / ceiling}
    for k, v in enumerate(mean):
        measured[f"relative_mir_layer{k + 1}"] = float(v)
    checks = (
        Check(
            "MIR rises with depth: the last hidden layer's mean relative MIR exceeds the first's by >= 0.1",
            mean[-1] - mean[0] >= 0.1,
        ),
        Check("the last hidden layer is disentangled: mean relative MIR >= 0.9", mean[-1] >= 0.9),
    )
    settings = {
        "hidden": list(HIDDEN),
        "samples": n,
        "seeds": n_seeds,
        "steps": steps,
        "beta_pred": 1.0,
        "beta_activity": 1e-2,
        "beta_weight": 1e-3,
        "lr": 3e-3,
        "batch": 128,
    }
    return Measurement(measured, checks, {"layers": layers}, settings)


def draw(outcome, fig) -> None:
    ax = fig.subplots(1, 1)
    layers = outcome.data["layers"]
    depth = np.arange(1, layers.shape[1] + 1)
    for row in layers:
        ax.plot(depth, row, "o-", color="0.6", lw=1)
    ax.plot(depth, np.nanmean(layers, axis=0), "o-", color="C0", lw=2, label="mean over seeds")
    ax.axhline(outcome.measured["input_relative_mir"], color="C3", ls="--", label="input x = (A e)^3")
    ax.set_xticks(depth)
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("MIR / MIR of an aligned code")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7)


FINDING = Finding(
    name="deep-disentangling",
    paper="ICLR 2023, Fig. 3",
    claim=(
        "A deep ReLU network with activity and weight energy on every layer, predicting three factors from "
        "their rotated and cubed mixture, is mixed in its early layers and disentangled in its later ones: "
        "the mean relative MIR rises by at least 0.1 from the first to the last hidden layer, and the last "
        "hidden layer reaches at least 0.9."
    ),
    summary="a deep ReLU network on cubed inputs: early layers mixed, later layers disentangled",
    measure=measure,
    draw=draw,
    notes=(
        "**Does not fully reproduce:** MIR rises with depth over the first three hidden layers, but the last "
        "hidden layer stays below 0.9 of an aligned code's MIR (it falls back below the third layer's), and the "
        "first hidden layer scores below the input itself. The full size (4000 samples, 5 seeds, up to 60 000 "
        "steps) agrees less: relative MIR 0.73, 0.77, 0.83, 0.82 from the first to the last hidden layer "
        "(input 0.79), a rise of 0.09, short of 0.1, and no layer reaches 0.9. The mixing rotation is "
        "drawn before the samples, so both sizes mix the factors the same way (a first version drew it after "
        "them and the full size, with more samples, got a nearly aligned mixing whose input already scored "
        "0.90). The ICLR 2023 authors' code and training settings for this figure are not public, so the "
        "protocol could not be compared."
    ),
)
