"""The training loop's steps: the plateau criterion, the learning-rate decays, the minibatches, and
the ConvergenceWarning of verify_code when seeds stop at max_steps."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from biomodular import examples
from biomodular.errors import ConvergenceWarning
from biomodular.verify.compare import verify_code
from biomodular.verify.models import ExactLinearAE
from biomodular.verify.training import train


def _data(n=300, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (n, 2))


def test_a_converged_run_ends_on_a_plateau_after_every_decay():
    X = _data()
    lr, tol, decay, n_decays = 1e-2, 1e-3, 0.5, 2
    tr = train(
        ExactLinearAE(2, 6),
        X,
        seed=1,
        batch_size=None,
        max_steps=20_000,
        window=50,
        tol=tol,
        lr=lr,
        decay=decay,
        n_decays=n_decays,
    )
    assert tr.converged and not tr.stopped
    steps, losses, rates = (np.array(c) for c in zip(*tr.history))
    assert np.array_equal(steps, 50 * np.arange(1, len(steps) + 1)) and tr.steps == steps[-1]
    # the rate is lr, then lr * decay, ..., each decay one window after a plateau at the previous rate
    assert sorted(set(rates), reverse=True) == pytest.approx([lr * decay**k for k in range(n_decays + 1)])
    assert np.all(np.diff(rates) <= 0)
    # the last two windows (same, final rate) differ by at most tol, relative
    assert rates[-1] == rates[-2] == pytest.approx(lr * decay**n_decays)
    assert abs(losses[-1] - losses[-2]) <= tol * abs(losses[-1])
    # ... and no earlier pair at the final rate did (training would have stopped there)
    final = np.flatnonzero(rates == rates[-1])
    for a, b in zip(final[:-2], final[1:-1]):
        assert abs(losses[b] - losses[a]) > tol * abs(losses[b])


def test_a_run_cut_short_is_not_converged():
    tr = train(ExactLinearAE(2, 6), _data(), seed=1, batch_size=64, max_steps=130, window=50)
    assert not tr.converged and not tr.stopped and tr.steps == 130 and len(tr.history) == 2


def test_minibatches_visit_every_sample_once_per_epoch():
    """With batches of 30 from 90 distinct samples, every 3 steps see each sample exactly once."""
    X = _data(90)
    seen = []

    class Recording(ExactLinearAE):
        def loss_and_grad(self, params, xb, yb=None):
            seen.append(np.asarray(xb).copy())
            return super().loss_and_grad(params, xb, yb)

    train(Recording(2, 6), X, seed=3, batch_size=30, max_steps=9, window=100)
    batches = seen[:9]  # the last call is the final loss on the full data
    assert all(b.shape == (30, 2) for b in batches)
    for epoch in range(3):
        rows = np.vstack(batches[3 * epoch : 3 * epoch + 3])
        assert {tuple(r) for r in rows} == {tuple(r) for r in X}
    assert np.array_equal(seen[-1], X)


def test_verify_warns_once_for_the_seeds_that_stopped_at_max_steps():
    samples, names = examples.load("square", seed=0)
    with pytest.warns(ConvergenceWarning, match=r"2 of 2 seeds stopped at max_steps=200") as caught:
        r = verify_code(samples[:300], names, seeds=2, max_steps=200, solve=False, processes=1)
    assert sum(issubclass(w.category, ConvergenceWarning) for w in caught) == 1
    assert not any(run.converged for run in r.runs)


def test_verify_does_not_warn_when_every_seed_converged():
    samples, names = examples.load("square", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        r = verify_code(samples[:300], names, seeds=1, max_steps=20_000, tol=1e-2, solve=False, processes=1)
    assert all(run.converged for run in r.runs)


def test_the_warnings_are_public_and_filterable_by_their_base_class():
    import biomodular as bm

    assert issubclass(bm.ConvergenceWarning, bm.BiomodularWarning)
    assert issubclass(bm.SolverWarning, bm.BiomodularWarning)
    samples, names = examples.load("square", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=bm.BiomodularWarning)
        verify_code(samples[:300], names, seeds=1, max_steps=100, solve=False, processes=1)
