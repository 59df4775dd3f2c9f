"""One run of every finding at its small size, shared by the tests of this directory."""

import pytest

_CACHE: dict = {}


@pytest.fixture(scope="session")
def outcome():
    """``outcome(name)``: the finding at its small size with seed 0, run once per test session."""
    from biomodular import reproduce

    def get(name):
        if name not in _CACHE:
            _CACHE[name] = reproduce.run(name)
        return _CACHE[name]

    return get
