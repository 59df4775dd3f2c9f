"""The one exception type that biomodular raises for problems a user can fix, and its warnings."""

from __future__ import annotations

__all__ = ["BiomodularError", "BiomodularWarning", "SolverWarning", "ConvergenceWarning"]


class BiomodularError(ValueError):
    """Input or request that biomodular cannot use.

    Raised for bad files, NaN or infinite values, constant sources, too few
    samples, data lying in a lower-dimensional flat, mismatched shapes and
    similar problems.  The message says what is wrong and what to do about it.
    The command-line interface prints it on one line and exits with status 2.
    """


class BiomodularWarning(UserWarning):
    """Base class of the warnings biomodular issues (filter them with ``warnings``)."""


class SolverWarning(BiomodularWarning):
    """A solve that returned a result which is not certified optimal.

    The result is still returned, with its status (``optimal_inaccurate``,
    ``uncertified`` or ``max_rounds``) and certificate saying how far it is.
    """


class ConvergenceWarning(BiomodularWarning):
    """Training stopped at its step limit before its convergence criterion was met.

    Issued once by :func:`biomodular.verify.compare.verify_code` for the seeds
    that hit ``max_steps`` (their ``RunResult.converged`` is False).
    """
