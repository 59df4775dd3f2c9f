"""
From a pandas DataFrame or a CSV file
=====================================

Recordings often live in a DataFrame, with a text column or two and an index. ``check_modularity`` takes
the numeric columns directly and keeps their names; a CSV written by ``DataFrame.to_csv`` reads back the
same, its index column recognised and left out.
"""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import biomodular as bm

rng = np.random.default_rng(1)
speed = rng.uniform(0, 1, 2000)
heading = rng.uniform(-1, 1, 2000)
keep = speed + heading > -0.5  # the slow, leftward corner never happens
frame = pd.DataFrame(
    {
        "speed": speed[keep],
        "heading": heading[keep],
        "session": np.where(rng.random(keep.sum()) < 0.5, "day 1, am", "day 2, pm"),
    }
)
frame.index = 100 + np.arange(len(frame))
print(frame.head())

# %%
# In memory: select the numeric columns.
result = bm.check_modularity(frame[["speed", "heading"]])
print(result.verdict, result.names, f"margin {result.margin:.3f}")

# %%
# Through a CSV file, as pandas writes it (index first, the text column quoted because of its comma).
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "recordings.csv"
    frame.to_csv(path)
    print(path.read_text().splitlines()[1])
    sources = bm.Sources.from_file(path, columns=["speed", "heading"])
print(sources.names, sources.n_samples, bm.check_modularity(sources).margin == result.margin)
