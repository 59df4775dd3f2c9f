"""``sparsity-entangles`` (ICLR 2023, App. A.6): an L1 activity penalty instead of nonnegativity entangles.

Two independent factors uniform on ``[-1, 1]``, coded by a rotation ``z = R(theta) e``.
With nonnegativity the activity energy ``2 sigma^2 + 2 a^2 (1 + |sin 2 theta|)`` is
least for the aligned code.  Replace nonnegativity by a sparsity penalty
``E ||z||_1`` (biases at the median, zero here) and the preference flips: for
``|c| >= |s|``, ``E|c e1 + s e2| = |c|/2 + s^2 / (6 |c|)``, so the L1 cost of the
rotated code is least at 45 degrees, ``2 sqrt(2) / 3 < 1`` (uniform factors are sub-Gaussian: mixing makes them
more Gaussian, *less* sparse-looking, and cheaper in L1 at fixed variance).
Networks trained with the L1 penalty entangle; with nonnegativity they do not.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Check, Finding, Measurement


def l1_cost(theta: float) -> float:
    """``E |cos t e1 - sin t e2| + E |sin t e1 + cos t e2|`` for ``e`` uniform on ``[-1, 1]^2``."""

    def mean_abs(c: float, s: float) -> float:
        big, small = max(abs(c), abs(s)), min(abs(c), abs(s))
        return big / 2 + small**2 / (6 * big)

    c, s = math.cos(theta), math.sin(theta)
    return mean_abs(c, -s) + mean_abs(s, c)


def nonneg_energy(theta: float) -> float:
    """``2 sigma^2 + 2 a^2 (1 + |sin 2 theta|)`` with ``a = 1``, ``sigma^2 = 1/3``."""
    return 2 / 3 + 2 * (1 + abs(math.sin(2 * theta)))


def measure(full: bool, seed: int) -> Measurement:
    from ..networks import SparseLinearAE
    from ..mixing import angle_to_axes
    from ..sources import Sources
    from ..verify.metrics import Binned, active_neurons, mir
    from ..verify.models import FeedForward
    from ..verify.training import train

    thetas = np.linspace(0, math.pi / 2, 901)
    l1 = np.array([l1_cost(t) for t in thetas])
    energy = np.array([nonneg_energy(t) for t in thetas])
    n, n_seeds, steps = (4_000, 10, 20_000) if full else (2_000, 3, 6_000)
    rng = np.random.default_rng(seed)
    E = rng.uniform(-1.0, 1.0, (n, 2))
    Zs = (E @ np.array([[1.0, -1.0], [1.0, 1.0]]).T) / math.sqrt(2)
    measured: dict[str, float] = {
        "l1_argmin_deg": float(np.degrees(thetas[l1.argmin()])),
        "l1_cost_aligned": l1_cost(0.0),
        "l1_cost_45deg": l1_cost(math.pi / 4),
        "l1_cost_45deg_sampled": float(np.abs(Zs).sum(axis=1).mean()),
        "energy_argmin_deg": float(np.degrees(thetas[energy.argmin()])),
    }
    beta = Sources.from_samples(E).beta
    sparse_mir, sparse_angle, nonneg_mir = [], [], []
    for s in range(seed, seed + n_seeds):
        model = SparseLinearAE(2, 4, beta_recon=100.0, beta_l1=1.0, beta_activity=1.0, beta_weight=1e-2)
        res = train(model, E, seed=s, lr=1e-2, batch_size=256, max_steps=steps)
        Z = model.code(res.params, E)
        sparse_mir.append(mir(Z, E, Binned(20)))
        sparse_angle.append(float(angle_to_axes(res.params["W"][active_neurons(Z)], beta).min()))
        bio = FeedForward(
            sizes=(2, 4, 2),
            activations=("linear", "linear"),
            code_layer=1,
            beta_pred=100.0,
            beta_activity=1.0,
            beta_nonneg=10.0,
            beta_weight=1e-2,
        )
        res = train(bio, E, E, seed=s, lr=1e-2, batch_size=256, max_steps=steps)
        nonneg_mir.append(mir(bio.code(res.params, E), E, Binned(20)))
    measured.update(
        {
            "trained_l1_mir_mean": float(np.mean(sparse_mir)),
            "trained_l1_least_mixed_angle_deg": float(min(sparse_angle)),
            "trained_nonneg_mir_mean": float(np.mean(nonneg_mir)),
        }
    )
    se = float(np.abs(Zs).sum(axis=1).std() / math.sqrt(n))
    checks = (
        Check(
            "the exact L1 cost is least at 45 degrees (grid of 0.1 deg) and 2 sqrt(2)/3 there, below the "
            "aligned code's 1",
            abs(measured["l1_argmin_deg"] - 45.0) < 0.1 + 1e-9
            and abs(measured["l1_cost_45deg"] - 2 * math.sqrt(2) / 3) < 1e-12
            and measured["l1_cost_aligned"] == 1.0,
        ),
        Check(
            "the sampled L1 cost at 45 degrees is within 5 standard errors of the closed form",
            abs(measured["l1_cost_45deg_sampled"] - measured["l1_cost_45deg"]) < 5 * se,
        ),
        Check(
            "with nonnegativity instead, the energy is least for the aligned code (0 deg)",
            measured["energy_argmin_deg"] == 0.0,
        ),
        Check(
            "networks trained with the L1 penalty entangle: every active neuron of every seed is more than "
            "20 deg from the axes, and the mean MIR is below 0.5",
            measured["trained_l1_least_mixed_angle_deg"] > 20.0 and measured["trained_l1_mir_mean"] < 0.5,
        ),
        Check(
            "the same networks with nonnegativity instead disentangle: mean MIR above 0.8",
            measured["trained_nonneg_mir_mean"] > 0.8,
        ),
    )
    settings = {
        "samples": n,
        "seeds": n_seeds,
        "steps": steps,
        "beta_recon": 100.0,
        "beta_l1": 1.0,
        "beta_activity": 1.0,
        "beta_weight": 1e-2,
        "beta_nonneg": 10.0,
        "neurons": 4,
    }
    data = {"thetas": thetas, "l1": l1, "energy": energy, "sparse_mir": sparse_mir, "nonneg_mir": nonneg_mir}
    return Measurement(measured, checks, data, settings)


def draw(outcome, fig) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    d = outcome.data
    deg = np.degrees(d["thetas"])
    ax1.plot(deg, d["l1"] / d["l1"][0], color="C3", label="L1 activity cost (relative to aligned)")
    ax1.plot(deg, d["energy"] / d["energy"][0], color="C0", label="nonnegative energy (relative to aligned)")
    ax1.set_xlabel("rotation of the code (deg)")
    ax1.legend(fontsize=7)
    for i, values in enumerate((d["sparse_mir"], d["nonneg_mir"])):
        ax2.scatter(np.full(len(values), i), values, color="C3" if i == 0 else "C0")
    ax2.set_xticks([0, 1], ["L1 penalty", "nonnegativity"])
    ax2.set_xlim(-0.5, 1.5)
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("MIR of trained networks")


FINDING = Finding(
    name="sparsity-entangles",
    paper="ICLR 2023, App. A.6",
    claim=(
        "For two uniform factors, an L1 activity penalty in place of nonnegativity makes the entangled code "
        "optimal: the exact L1 cost of a rotated code is least at 45 degrees (2 sqrt(2)/3 against 1 aligned), "
        "while with nonnegativity the aligned code is cheapest; networks trained with the L1 penalty have every "
        "active neuron more than 20 degrees from the axes and mean MIR below 0.5, the same networks with "
        "nonnegativity a mean MIR above 0.8."
    ),
    summary="an L1 sparsity penalty instead of nonnegativity makes the optimal code entangled",
    measure=measure,
    draw=draw,
)
