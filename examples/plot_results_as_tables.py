"""
Results as tables, in notebooks and pandas
==========================================

Every result displays as a table in Jupyter (its ``_repr_html_``), and the tabular ones convert to pandas
with ``to_frame()``: the neurons of an optimal code, the rows of a sweep, the seeds of a verification.
"""

import biomodular as bm

samples, names = bm.examples.load("cut-corner", seed=0)
sources = bm.Sources.from_samples(samples, names=names)

# %%
# The neurons of the optimal code, one row each: the weight on each source, the bias, whether it mixes.
code = bm.solve_code(sources)
neurons = code.to_frame()
print(neurons[["neuron", "w_x", "w_y", "bias", "kind", "angle"]].round(4).to_string(index=False))

# %%
# A sweep over the encoder's weight cost: how far the optimum sits below the best modular code.
table = bm.sweep(sources, lam_in=[0.1, 0.3, 1.0, 3.0])
frame = table.to_frame()
frame["advantage"] = frame["modular_value"] / frame["value"] - 1
print(frame[["lam_in", "value", "modular_value", "advantage", "n_mixed"]].to_string(index=False))
