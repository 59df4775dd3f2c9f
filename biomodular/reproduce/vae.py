"""``vae`` (ICLR 2023, Fig. 5): biological constraints on a VAE's latents and the disentangling they bring.

Data: three independent factors uniform on ``[0, 1]`` rendered to 8 x 8
images, a Gaussian blob (width 1 pixel) at horizontal position
``1.5 + 4 e_1``, vertical position ``1.5 + 4 e_2`` and brightness
``0.5 + 0.5 e_3``.  Models (:class:`biomodular.networks.VAE`, one ReLU
hidden layer of 64 units in encoder and decoder, 6 latents): the plain
beta-VAE, swept over ``beta``; and the biologically constrained VAE at
``beta = 0.1`` (ReLU on the posterior mean: a nonnegative code whose activity
energy is the KL's ``mu^2``), swept over the weight energy on the decoder.
MIR and MIG (20 bins) of the posterior mean against the factors, and the
reconstruction error at the posterior mean, for every model and seed.

"Equal reconstruction": the plain beta-VAE's mean MIR and MIG as a function
of its mean reconstruction error (over its ``beta`` sweep, linear
interpolation) evaluated at the constrained VAE's reconstruction error.

Second route: the exact check of the three factors with the population
analysis (:func:`biomodular.solvers.population.check_samples`), which says
whether the theory predicts a modular optimal code for them at all (the
population, independent uniform factors, is modular; a finite sample misses
the cube's corners by a sliver).
"""

from __future__ import annotations

import numpy as np

from .base import Check, Finding, Measurement

SIDE = 8
BLOB_WIDTH = 1.0
N_LATENT, N_HIDDEN = 6, 64
#: KL weight of the constrained VAE.
BETA = 0.1


def render(factors: np.ndarray) -> np.ndarray:
    """8 x 8 images (flattened, shape ``(n, 64)``) of a blob at ``factors[:, :2]`` with brightness ``factors[:, 2]``."""
    e = np.asarray(factors, float)
    grid = np.arange(SIDE)
    x = np.exp(-((grid[None, :] - (1.5 + 4.0 * e[:, 0:1])) ** 2) / (2 * BLOB_WIDTH**2))
    y = np.exp(-((grid[None, :] - (1.5 + 4.0 * e[:, 1:2])) ** 2) / (2 * BLOB_WIDTH**2))
    brightness = 0.5 + 0.5 * e[:, 2]
    return (brightness[:, None, None] * y[:, :, None] * x[:, None, :]).reshape(len(e), SIDE * SIDE)


def train_and_score(
    X: np.ndarray, E: np.ndarray, beta: float, beta_weight: float, relu_mean: bool, seed: int, steps: int
) -> tuple[float, float, float, float]:
    """(MIR, MIG, reconstruction error, active latents) of one VAE trained from ``seed``.

    Scores are NaN if every latent collapsed (none active).
    """
    from ..networks import VAE
    from ..verify.metrics import Binned, active_neurons, mig, mir
    from ..verify.training import train

    model = VAE(X.shape[1], N_HIDDEN, N_LATENT, beta=beta, beta_weight=beta_weight, relu_mean=relu_mean)
    result = train(model, X, seed=seed, lr=1e-3, batch_size=128, max_steps=steps)
    Z = model.code(result.params, X)
    recon = model.reconstruction_error(result.params, X)
    active = float(active_neurons(Z).sum())
    if not active:
        return float("nan"), float("nan"), recon, active
    return mir(Z, E, Binned(20)), mig(Z, E, Binned(20)), recon, active


def measure(full: bool, seed: int) -> Measurement:
    from ..solvers.population import check_samples

    plain_betas: tuple[float, ...]
    weights: tuple[float, ...]
    if full:
        n, n_seeds, steps = 3_000, 5, 20_000
        plain_betas, weights = (0.05, 0.1, 0.2, 0.4), (0.0, 1e-4, 1e-3, 1e-2)
    else:
        n, n_seeds, steps = 1_500, 2, 6_000
        plain_betas, weights = (0.1, 0.2, 0.4), (0.0, 1e-3, 1e-2)
    rng = np.random.default_rng(seed)
    E = rng.uniform(0.0, 1.0, (n, 3))
    X = render(E)
    seeds = range(seed, seed + n_seeds)
    scores: dict = {}
    for b in plain_betas:
        scores["plain", b] = np.array([train_and_score(X, E, b, 0.0, False, s, steps) for s in seeds])
    for w in weights:
        scores["constrained", w] = np.array([train_and_score(X, E, BETA, w, True, s, steps) for s in seeds])
    mean = {k: np.nanmean(v, axis=0) for k, v in scores.items()}

    measured: dict[str, float] = {}
    for (kind, value), (m_mir, m_mig, m_rec, m_active) in mean.items():
        key = f"{kind}_{'beta' if kind == 'plain' else 'weight'}_{value:g}"
        measured.update(
            {f"mir_{key}": m_mir, f"mig_{key}": m_mig, f"recon_{key}": m_rec, f"active_latents_{key}": m_active}
        )
    # the plain frontier: mean score against mean reconstruction error, sorted by error
    plain = np.array([mean["plain", b] for b in plain_betas])
    plain = plain[np.isfinite(plain).all(axis=1)]
    plain = plain[np.argsort(plain[:, 2])]
    strongest = mean["constrained", weights[-1]]

    def at_equal_recon(column: int) -> float:
        if len(plain) == 0 or not plain[0, 2] <= strongest[2] <= plain[-1, 2]:
            return float("nan")  # outside the plain sweep's range: no comparison at equal reconstruction
        return float(np.interp(strongest[2], plain[:, 2], plain[:, column]))

    measured["plain_mir_at_equal_recon"] = at_equal_recon(0)
    measured["plain_mig_at_equal_recon"] = at_equal_recon(1)
    verdict = check_samples(E, ["x", "y", "brightness"], seed=seed)
    measured["factors_check_margin"] = float(verdict.margin)
    measured["factors_population_modular"] = float(verdict.sampling.population == "modular")
    none = mean["constrained", 0.0]
    m = measured
    checks = (
        Check(
            "the population analysis of the three factors' samples says modular, so the theory predicts a "
            "modular optimal code",
            verdict.sampling.population == "modular",
        ),
        Check(
            f"MIR rises with the decoder's weight energy: mean MIR at weight {weights[-1]:g} at least 0.05 above "
            "weight 0",
            strongest[0] >= none[0] + 0.05,
        ),
        Check(
            f"MIG rises with the decoder's weight energy: mean MIG at weight {weights[-1]:g} at least 0.05 above "
            "weight 0",
            strongest[1] >= none[1] + 0.05,
        ),
        Check(
            "at equal reconstruction error the constrained VAE (largest weight energy) beats the plain beta-VAE "
            "in both MIR and MIG (plain interpolated over its beta sweep)",
            bool(strongest[0] > m["plain_mir_at_equal_recon"] and strongest[1] > m["plain_mig_at_equal_recon"]),
        ),
    )
    settings = {
        "samples": n,
        "image": f"{SIDE}x{SIDE}",
        "latents": N_LATENT,
        "hidden": N_HIDDEN,
        "seeds": n_seeds,
        "steps": steps,
        "lr": 1e-3,
        "batch": 128,
        "constrained_beta": BETA,
        "plain_betas": list(plain_betas),
        "decoder_weight_energies": list(weights),
        "mir_mig_estimator": "binned, 20 bins",
    }
    return Measurement(measured, checks, {"scores": scores, "example": X[:6]}, settings)


def draw(outcome, fig) -> None:
    ax_img, ax_mir, ax_mig = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 2, 2]})
    tiles = outcome.data["example"].reshape(-1, SIDE, SIDE)
    ax_img.imshow(np.vstack([np.hstack(tiles[:3]), np.hstack(tiles[3:6])]), cmap="gray")
    ax_img.set_axis_off()
    ax_img.set_title("data", fontsize=9)
    for ax, column, label in ((ax_mir, 0, "MIR"), (ax_mig, 1, "MIG")):
        for kind, colour, marker in (("plain", "C3", "s"), ("constrained", "C0", "o")):
            keys = [k for k in outcome.data["scores"] if k[0] == kind]
            pts = np.array([np.nanmean(outcome.data["scores"][k], axis=0) for k in keys])
            ax.plot(
                pts[:, 2],
                pts[:, column],
                marker + "-",
                color=colour,
                label="plain beta-VAE (beta sweep)"
                if kind == "plain"
                else f"ReLU mean + decoder weight energy (beta {BETA:g})",
            )
            for k, p in zip(keys, pts):
                ax.annotate(f"{k[1]:g}", (p[2], p[column]), fontsize=6, xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("reconstruction error")
        ax.set_ylabel(label)
    ax_mir.legend(fontsize=6)


FINDING = Finding(
    name="vae",
    paper="ICLR 2023, Fig. 5",
    claim=(
        "A VAE with a ReLU on its posterior mean (nonnegativity; the KL supplies the activity energy) and a "
        "weight energy on its decoder disentangles its factors better as the weight energy grows (mean MIR and "
        "MIG each at least 0.05 higher at the largest weight energy than without it) and better than the plain "
        "beta-VAE at equal reconstruction error (higher MIR and MIG than the plain beta-VAE's, interpolated over "
        "its beta sweep at the same error); the population of the factors is modular by the exact condition."
    ),
    summary="a numpy VAE with a ReLU posterior mean and decoder weight energy against the plain beta-VAE",
    measure=measure,
    draw=draw,
    notes=(
        "**Does not reproduce at this size.** The theory's route holds (the factors' population is modular), "
        "but the trained networks show the opposite of the claim: the plain beta-VAE already separates these "
        "factors moderately well, while with the ReLU on the posterior mean the latents behave like place "
        "fields tiling the image (in a pilot run with 2000 samples and 15 000 steps they were zero on 26 to 86% "
        "of the images and each informative about both positions), so the constrained VAE's MIR and MIG lie "
        "below the plain VAE's at the same reconstruction error (both keep only 2 to 4 of their 6 latents "
        "active: `active_latents_*`); the decoder's weight energy raises the reconstruction error and lowers "
        "MIR and MIG further instead of raising them. Sizes, the KL weight and the two sweeps were chosen from "
        "a few pilot runs only so that the plain sweep's reconstruction errors bracket the constrained VAE's; "
        "nothing was changed after seeing the verdict. The published experiments used larger image datasets "
        "and networks, which this small numpy model does not attempt; whether the effect needs them is open."
    ),
)
