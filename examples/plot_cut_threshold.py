"""
How deep a cut makes the code mix
=================================

Cut the corner ``x + y < -c`` off the square ``[-1, 1]^2`` and follow the margin of the modularity
condition as the cut moves in. The code stays modular while the cut stays beyond ``c*``, the root of
``c^4 + 8c^3 + 24c^2 - 32c - 16`` in (1, 2) (``biomodular prove cut-square-threshold``); past it, the margin
turns negative. Here each dataset is a dense grid of the cut square, so its hull is the polygon itself.
"""

import numpy as np
from matplotlib.figure import Figure

import biomodular as bm


def cut_square(c: float, n: int = 201) -> np.ndarray:
    """A grid on the square without the corner x + y < -c, plus the corners of the cut polygon."""
    x, y = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n))
    grid = np.column_stack([x.ravel(), y.ravel()])
    grid = grid[grid.sum(axis=1) >= -c]
    corners = np.array([[1, 1], [-1, 1], [1, -1], [-1, 1 - c], [1 - c, -1]])
    return np.vstack([grid, corners])


cuts = np.linspace(0.6, 1.9, 27)
margins = [bm.check_modularity(cut_square(c), tol=1e-9).margin for c in cuts]

# The exact threshold: the real root in (1, 2) of the quartic.
roots = np.roots([1, 8, 24, -32, -16])
c_star = float(next(r.real for r in roots if abs(r.imag) < 1e-12 and 1 < r.real < 2))
print(f"c* = {c_star:.4f}")
for c, m in zip(cuts[::4], margins[::4]):
    print(f"c = {c:.2f}   margin {m:+.4f}")

# %%
figure = Figure(figsize=(6, 3.6), layout="constrained")
ax = figure.add_subplot()
ax.axhline(0, color="0.6", lw=0.8)
ax.axvline(c_star, color="tab:red", ls="--", label=f"exact threshold c* = {c_star:.4f}")
ax.plot(cuts, margins, "o-", ms=3, label="margin of the check")
ax.set_xlabel("depth of the cut c (corner x + y < -c removed)")
ax.set_ylabel("margin (units of beta^2)")
ax.legend(loc="lower right")
