"""Shared test configuration: hypothesis profiles.

``ci`` (the default) is deterministic: ``derandomize=True`` draws the same examples
on every run, so a failure in CI reproduces.  ``HYPOTHESIS_PROFILE=explore``
draws fresh random examples (ten times as many, no database replay is needed
to find new ones): run it outside CI to search for counterexamples, then add
any it finds as an ``@example``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=30,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "explore",
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
