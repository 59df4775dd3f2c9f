"""
Modular or mixed: the check on two datasets
===========================================

A square support keeps every corner of its bounding box, so the optimal nonnegative code is modular (one
neuron per source). Cutting off one corner lets the ellipse of the modularity condition poke out of the
hull, and a mixed neuron becomes cheaper (see "The exact modularity condition" in the mathematics).
"""

import biomodular as bm
from biomodular.plots import plot_check

# %%
# The full square: every corner present, so the code is modular.
square, names = bm.examples.load("square", seed=0)
result = bm.check_modularity(bm.Sources.from_samples(square, names=names))
print(result.verdict, f"margin {result.margin:.3g}")

# %%
# The same square with the corner x + y < -1 cut off: the check finds a mixed neuron.
cut, names = bm.examples.load("cut-corner", seed=0)
sources = bm.Sources.from_samples(cut, names=names)
result = bm.check_modularity(sources)
print(result.verdict, f"margin {result.margin:.3g}", "witness", result.witness.round(3))

# %%
# The figure draws the geometric form of the condition: the ellipse (blue) must lie inside the hull of
# the data (black). Red marks where it does not, and the witness direction of the mixed neuron.
figure = plot_check(sources, result, samples=cut)
