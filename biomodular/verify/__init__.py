"""Numpy networks trained with the biological losses, metrics, and the comparison with the exact optimum.

Models (:mod:`biomodular.verify.models`): :class:`ExactLinearAE` (pseudo-inverse
readout; its loss is the convex problem's reduced loss), :class:`LinearAE`
(learned readout, soft penalties), :func:`MLPAutoencoder` and
:func:`SupervisedMLP` (ReLU networks with the same losses).  Training:
:func:`train` (Adam, seeded minibatches, convergence criterion).  Metrics:
:mod:`biomodular.verify.metrics`.  Comparison with the exact optimum:
:func:`verify_code`.  Hypothesis strategies for datasets:
:mod:`biomodular.verify.strategies` (needs hypothesis).
"""

from __future__ import annotations

from . import metrics
from .models import (
    ExactLinearAE,
    FeedForward,
    LinearAE,
    MLPAutoencoder,
    SupervisedMLP,
    default_neurons,
    project_biases,
    reduced_loss,
)
from .compare import RunResult, VerifyResult, verify_code
from .linear import train_linear
from .optim import Adam
from .training import TrainResult, train

__all__ = [
    "metrics",
    "Adam",
    "ExactLinearAE",
    "FeedForward",
    "LinearAE",
    "MLPAutoencoder",
    "SupervisedMLP",
    "default_neurons",
    "project_biases",
    "reduced_loss",
    "TrainResult",
    "train",
    "RunResult",
    "VerifyResult",
    "verify_code",
    "train_linear",
]
