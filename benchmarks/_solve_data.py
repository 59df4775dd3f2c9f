"""Datasets shared by the solve benchmarks (cut corner in 2-D, the pairs-pass cube in 3-D)."""

import numpy as np

from biomodular import Sources


def datasets() -> dict[str, Sources]:
    rng = np.random.default_rng(0)
    S2 = rng.uniform(-1, 1, (3000, 2))
    S3 = rng.uniform(0, 1, (3000, 3))
    return {
        "cut corner, 2 sources": Sources.from_samples(S2[S2.sum(1) < 1.0]),
        "pairs-pass, 3 sources": Sources.from_samples(S3[S3.sum(1) >= 0.9]),
    }
