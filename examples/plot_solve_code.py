"""
The optimal code, solved exactly
================================

``solve_code`` solves the convex program over the neurons' Gram matrix by column generation and returns
the neurons with a certificate of optimality (see "Solving for the optimal code exactly"). On the
cut-corner example the optimum keeps two modular neurons and adds a mixed one aimed at the missing corner.
"""

import biomodular as bm

samples, names = bm.examples.load("cut-corner", seed=0)
sources = bm.Sources.from_samples(samples, names=names)
result = bm.solve_code(sources)
print(result.table())

# %%
# Each arrow is a neuron's tuning direction, drawn over the data.
figure = bm.plot_code(result, sources, samples=samples)
