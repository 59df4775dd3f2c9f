"""The verdict does not depend on the data's units or offset, or the tool refuses in one line.

``check`` works in beta-scaled coordinates, so multiplying every source by
``10**k`` or shifting it changes nothing mathematically.  These tests state
that of the implementation: verdict, margin (to 1e-9 relative) and witness
direction are unchanged, or a :class:`BiomodularError` with a one-line
message says why the precision cannot be had.
"""

import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from biomodular import BiomodularError, Sources
from biomodular.solvers.check import check_modularity
from biomodular.sources import RESOLUTION_BITS, SCALE_BITS


def _dataset(seed: int, kind: str) -> np.ndarray:
    """Uniform samples of a square with one corner cut (mixed), of a tilted
    ellipse-like cloud (correlated), or of the whole square (modular)."""
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1, 1, (600, 2))
    if kind == "cut":
        S = S[S.sum(axis=1) > -0.8]
    elif kind == "correlated":
        S = S @ np.array([[1.0, 0.6], [0.0, 0.8]])
    return S


def _assert_same(base, other):
    assert other.verdict == base.verdict
    assert other.margin == pytest.approx(base.margin, rel=1e-9, abs=1e-12)
    if base.witness is None:
        assert other.witness is None
    else:
        np.testing.assert_allclose(other.witness, base.witness, atol=1e-9)


def _check_or_refusal(samples):
    """The check's result, or None after asserting a one-line refusal."""
    try:
        return check_modularity(Sources.from_samples(samples), tol=1e-3)
    except BiomodularError as exc:
        assert "\n" not in str(exc) and str(exc)
        return None


KINDS = st.sampled_from(["cut", "correlated", "square"])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16), kind=KINDS, k=st.integers(-150, 150))
@example(seed=0, kind="cut", k=153)  # the sum of squares overflowed here
@example(seed=0, kind="cut", k=-150)
@example(seed=0, kind="cut", k=150)
@example(seed=1, kind="correlated", k=-149)
def test_multiplying_by_a_power_of_ten_changes_nothing(seed, kind, k):
    S = _dataset(seed, kind)
    base = check_modularity(Sources.from_samples(S), tol=1e-3)
    scaled = _check_or_refusal(S * 10.0**k)
    # Every spread in 1e-150..1e150 is inside the accepted range.
    assert scaled is not None
    _assert_same(base, scaled)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16), kind=KINDS, k=st.integers(-150, 150), offset=st.floats(-1e12, 1e12))
@example(seed=0, kind="cut", k=0, offset=1e6)
@example(seed=0, kind="cut", k=0, offset=2e6)
@example(seed=2, kind="correlated", k=100, offset=-2e6)
@example(seed=0, kind="cut", k=0, offset=1e12)
@example(seed=0, kind="cut", k=153, offset=1e12)
def test_an_offset_changes_nothing_or_is_refused(seed, kind, k, offset):
    """Grid data, so that the shifted values are exactly the shifted samples:
    any change in the margin is then the tool's arithmetic, not the input's rounding."""
    S = _dataset(seed, kind)
    grid = np.round(S * 2**10)  # integers, |y| <= 2**10
    unit = 2.0 ** np.round(k * np.log2(10) - 10)  # the power of two nearest 10**k / 2**10
    shift = np.round(offset * 2**10)  # up to 1e12 times the spread, in grid steps
    base = check_modularity(Sources.from_samples(grid), tol=1e-3)
    moved = _check_or_refusal((grid + shift) * unit)  # exact: integers below 2**53 times 2**e
    if moved is not None:
        _assert_same(base, moved)
    elif abs(shift) < 2.0 ** (52 - RESOLUTION_BITS - 2) * 2**10:
        pytest.fail("refused an offset that the resolution bound accepts")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), kind=KINDS, offset=st.floats(-1e12, 1e12))
@example(seed=0, kind="cut", offset=1e15 / 1e3)
@example(seed=0, kind="cut", offset=2.0e6)  # just inside the resolution bound
@example(seed=3, kind="correlated", offset=-2.0e6)
@example(seed=5, kind="cut", offset=1.5e6)
def test_an_offset_on_rounded_data_changes_the_margin_by_at_most_1e9_or_is_refused(seed, kind, offset):
    """Here the shifted values are rounded (as real data are): the refusal bound
    (RESOLUTION_BITS) must keep every accepted margin within 1e-9 relative."""
    S = _dataset(seed, kind)
    base = check_modularity(Sources.from_samples(S), tol=1e-3)
    moved = _check_or_refusal(S + offset)
    if moved is not None:
        _assert_same(base, moved)


@pytest.mark.parametrize("factor", [1e-155, 1e-300, 1e155, 1e300])
def test_spreads_outside_the_normal_double_range_are_refused(factor):
    S = _dataset(0, "cut") * factor
    with pytest.raises(BiomodularError, match="multiply it by a power of ten") as info:
        Sources.from_samples(S)
    assert "\n" not in str(info.value)


def test_the_accepted_range_is_what_the_constant_says():
    """2**-SCALE_BITS is the smallest accepted spread: just above passes, just below is refused."""
    S = _dataset(0, "square")
    sd = S.std(axis=0).min()
    Sources.from_samples(S * (2.0**-SCALE_BITS / sd) * 1.01)
    with pytest.raises(BiomodularError):
        Sources.from_samples(S * (2.0**-SCALE_BITS / sd) * 0.99)


def test_a_large_offset_is_refused_with_the_reason():
    S = _dataset(0, "cut") + 1e15
    with pytest.raises(BiomodularError, match="subtract a baseline"):
        Sources.from_samples(S)


def test_check_json_is_strict_for_scaled_data(tmp_path):
    """The issue's case: cut-corner times 1e153 was 'modular' with a bare NaN in --json."""
    import subprocess
    import sys

    from biomodular import examples

    S, _ = examples.load("cut-corner")
    path = tmp_path / "big.npy"
    np.save(path, S * 1e153)
    run = subprocess.run(
        [sys.executable, "-m", "biomodular", "check", str(path), "--json"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""

    def reject(constant):
        raise AssertionError(f"non-strict JSON constant {constant}")

    payload = json.loads(run.stdout, parse_constant=reject)
    assert payload["verdict"] == "mixed"
    base = check_modularity(Sources.from_samples(S))
    assert payload["margin"] == pytest.approx(base.margin, rel=1e-9)
