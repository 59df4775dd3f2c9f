"""linear-disentangling without the weight energy, under the ICLR 2025 authors' published training protocol.

The ICLR 2023 authors' code is not public.  The ICLR 2025 authors' configuration for low-dimensional
autoencoders (the same biological losses) sets reconstruction 1, activity energy 1e-2, nonnegativity
(hinge) 1 -- each a mean over units -- and weight energy 1e-4 (sum of squares), Adam at 1e-3, batch 512,
initial weights 0.3 / sqrt(fan_in), 200 000 steps at a constant rate.  This script converts those weights to
biomodular's sums over units and trains the finding's two tasks (seed 0, the small size's data) with the
weight energy removed, to see whether the protocol explains why the code still disentangles.

Run:  python benchmarks/linear_disentangling_protocol.py [STEPS]   (default 200000; minutes per task)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from biomodular.reproduce.linear_disentangling import N_CODE, N_FACTORS, rotation  # noqa: E402
from biomodular.verify.metrics import Binned, mir  # noqa: E402
from biomodular.verify.models import FeedForward  # noqa: E402
from biomodular.verify.training import train  # noqa: E402


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = np.random.default_rng(0)  # the finding's data at its small size, seed 0
    E = rng.uniform(-1.0, 1.0, (2_000, N_FACTORS))
    ceiling = mir(np.hstack([1.0 + E, 1.0 - E]), E, Binned(20))
    A, B = rotation(N_FACTORS, rng), rotation(N_FACTORS, rng)
    X = E @ A.T
    for task, Y in (("autoencoder", X), ("supervised", E @ B.T)):
        start = time.perf_counter()
        model = FeedForward(
            sizes=(N_FACTORS, N_CODE, N_FACTORS),
            activations=("linear", "linear"),
            code_layer=1,
            beta_pred=1.0 / N_FACTORS,
            beta_activity=1e-2 / N_CODE,
            beta_nonneg=1.0 / N_CODE,
            beta_weight=0.0,
            penalty="hinge",
            init_std=0.3,
        )
        # a constant rate for the whole run: no plateau stops it and no decay
        result = train(model, X, Y, seed=0, lr=1e-3, batch_size=512, max_steps=steps, tol=1e-15, n_decays=0)
        Z = model.code(result.params, X)
        print(
            f"{task}, no weight energy: relative MIR {mir(Z, E, Binned(20)) / ceiling:.3f}, "
            f"code standard deviation {Z.std():.3g}, {result.steps} steps, "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
