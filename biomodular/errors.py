"""The one exception type that biomodular raises for problems a user can fix."""

from __future__ import annotations

__all__ = ["BiomodularError"]


class BiomodularError(ValueError):
    """Input or request that biomodular cannot use.

    Raised for bad files, NaN or infinite values, constant sources, too few
    samples, data lying in a lower-dimensional flat, mismatched shapes and
    similar problems.  The message says what is wrong and what to do about it.
    The command-line interface prints it on one line and exits with status 2.
    """
