"""Networks the reproduced findings need beyond :mod:`biomodular.verify`, gradients by hand.

Each model follows the protocol of :mod:`biomodular.verify.models`
(``init``, ``loss_and_grad``, ``loss``, ``code``), so
:func:`biomodular.verify.train` trains it.

- :class:`SparseLinearAE` -- a linear autoencoder with an L1 activity
  penalty in place of nonnegativity (ICLR 2023, App. A.6).
- :class:`DeepReLU` -- a deep ReLU network with activity and weight energy
  on every layer (ICLR 2023, Fig. 3).
"""

from __future__ import annotations

from .deep import DeepReLU
from .sparse import SparseLinearAE

__all__ = ["DeepReLU", "SparseLinearAE"]
