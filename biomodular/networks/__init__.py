"""Networks the reproduced findings need beyond :mod:`biomodular.verify`, gradients by hand.

Each model follows the protocol of :mod:`biomodular.verify.models`
(``init``, ``loss_and_grad``, ``loss``, ``code``), so
:func:`biomodular.verify.train` trains it.

- :class:`SparseLinearAE` -- a linear autoencoder with an L1 activity
  penalty in place of nonnegativity (ICLR 2023, App. A.6).
- :class:`DeepReLU` -- a deep ReLU network with activity and weight energy
  on every layer (ICLR 2023, Fig. 3).
- :class:`RingWorldMap` -- free activities of spatial cells on a ring world,
  shaped by location and object read-outs and path integration (ICLR 2023,
  Section 4).
- :class:`VAE` -- a variational autoencoder with a ReLU on the posterior
  mean and a weight energy on the decoder (ICLR 2023, Fig. 5).
"""

from __future__ import annotations

from .deep import DeepReLU
from .pattern import RingWorldMap
from .sparse import SparseLinearAE
from .vae import VAE

__all__ = ["DeepReLU", "RingWorldMap", "SparseLinearAE", "VAE"]
