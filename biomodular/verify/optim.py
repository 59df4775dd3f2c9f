"""The Adam optimiser on dictionaries of numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import BiomodularError

__all__ = ["Adam"]

Params = dict[str, np.ndarray]


@dataclass
class Adam:
    """Adam (Kingma and Ba) with bias correction, updating parameters in place.

    Parameters
    ----------
    lr : float
        Step size.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates.
    eps : float
        Added to the root of the second moment.
    """

    lr: float = 1e-2
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = field(default=0, init=False)
    _m: dict = field(default_factory=dict, init=False, repr=False)
    _v: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.lr > 0:
            raise BiomodularError(f"Adam learning rate must be positive; got {self.lr}")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise BiomodularError("Adam betas must lie in [0, 1)")

    def step(self, params: Params, grads: Params, lr: float | None = None) -> None:
        """One update of every parameter (in place); ``lr`` overrides the step size."""
        self.t += 1
        rate = self.lr if lr is None else lr
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for name, g in grads.items():
            if name not in self._m:
                self._m[name] = np.zeros_like(g)
                self._v[name] = np.zeros_like(g)
            m, v = self._m[name], self._v[name]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            params[name] -= rate * (m / c1) / (np.sqrt(v / c2) + self.eps)
