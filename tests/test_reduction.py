"""The mergeable reduction, and that reducing never touches or misreads the caller's data."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biomodular import BiomodularError, Sources
from biomodular.sources import Reduction


def _reference(S, scale):
    """Statistics by a second route: numpy's two-pass mean and covariance, and
    scipy's hull (of the data in units of ``scale``: qhull overflows near 1e77)."""
    from scipy.spatial import ConvexHull

    vertices = ConvexHull(S / scale).vertices
    return S.mean(axis=0), np.cov(S.T, bias=True), {tuple(p) for p in S[vertices]}


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(2, 3),
    n_parts=st.integers(1, 6),
    log_scale=st.integers(-100, 100),
    offset=st.floats(-1e4, 1e4),
)
def test_merged_partial_reductions_equal_the_whole(seed, d, n_parts, log_scale, offset):
    rng = np.random.default_rng(seed)
    S = (rng.standard_normal((500, d)) @ rng.standard_normal((d, d)) + offset) * 10.0**log_scale
    cuts = np.sort(rng.choice(np.arange(1, 500), n_parts - 1, replace=False))
    parts = [Reduction().add(block) for block in np.split(S, cuts)]
    # Merge in a random tree order, through pickling (as another process would).
    while len(parts) > 1:
        i, j = sorted(rng.choice(len(parts), 2, replace=False))
        merged = pickle.loads(pickle.dumps(parts[i])).merge(parts[j])
        parts = [p for k, p in enumerate(parts) if k not in (i, j)] + [merged]
    src = parts[0].finish()
    scale = 10.0**log_scale
    mean, cov, vertices = _reference(S, scale)
    np.testing.assert_allclose(src.mean, mean, rtol=1e-12, atol=1e-12 * scale * (1 + abs(offset)))
    np.testing.assert_allclose(src.cov, cov, rtol=1e-9, atol=1e-12 * np.abs(cov).max())
    np.testing.assert_array_equal(src.lower, S.min(axis=0))
    np.testing.assert_array_equal(src.upper, S.max(axis=0))
    assert {tuple(p) for p in src.points} == vertices
    assert src.n_samples == 500


def test_merging_parts_of_very_different_scale_keeps_the_small_part():
    rng = np.random.default_rng(1)
    small = rng.standard_normal((300, 2)) * 1e-3
    large = rng.standard_normal((300, 2)) * 1e3 + 5e3
    for order in ((small, large), (large, small)):
        total = Reduction().add(order[0]).merge(Reduction().add(order[1]))
        S = np.vstack(order)
        np.testing.assert_allclose(total.finish().cov, np.cov(S.T, bias=True), rtol=1e-10)


def test_merge_refuses_mismatched_widths_and_other_types():
    a = Reduction().add(np.zeros((3, 2)) + np.arange(3)[:, None] * [1, 2])
    with pytest.raises(BiomodularError, match="columns"):
        a.merge(Reduction().add(np.ones((3, 3))))
    with pytest.raises(BiomodularError, match="Reduction"):
        a.merge(np.ones((3, 2)))
    assert Reduction().merge(Reduction()).n_samples == 0


def test_a_fortran_ordered_input_is_not_written_to():
    rng = np.random.default_rng(0)
    S = np.asfortranarray(rng.standard_normal((2000, 2)) + 3.0)
    before = S.copy()
    Sources.from_samples(S)
    np.testing.assert_array_equal(S, before)


def test_read_only_arrays_are_accepted():
    rng = np.random.default_rng(0)
    S = rng.standard_normal((500, 2))
    for array in (S.copy(), np.asfortranarray(S)):
        array.flags.writeable = False
        src = Sources.from_samples(array)
        np.testing.assert_allclose(src.mean, S.mean(axis=0))


def test_masked_entries_are_refused_not_used():
    S = np.ma.masked_array(np.arange(20.0).reshape(10, 2) ** 1.5, mask=False)
    S.mask[3, 1] = True
    with pytest.raises(BiomodularError, match="masked"):
        Sources.from_samples(S)
    S.mask[3, 1] = False
    Sources.from_samples(S)  # nothing masked: fine


@pytest.mark.parametrize("names", ["ab", b"ab", 3])
def test_names_must_be_a_sequence_of_strings(names):
    S = np.random.default_rng(0).standard_normal((50, 2))
    with pytest.raises(BiomodularError, match="names"):
        Sources.from_samples(S, names=names)


def test_complex_samples_are_refused():
    with pytest.raises(BiomodularError, match="real"):
        Sources.from_samples(np.ones((5, 2)) * (1 + 1j))


def test_negative_variances_in_statistics_are_refused():
    square = [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]
    with pytest.raises(BiomodularError, match="variance"):
        Sources.from_statistics([0.0, 0.0], [[-0.3, 0.0], [0.0, 0.3]], square)
    with pytest.raises(BiomodularError, match="positive semidefinite"):
        Sources.from_statistics([0.0, 0.0], [[0.3, 0.5], [0.5, 0.3]], square)


def test_a_support_too_large_to_hull_is_refused_in_one_line(monkeypatch):
    """Every point of a circle is a hull vertex; past the support limit (lowered here
    from 512 MiB to 256 KiB) the reduction stops with one line instead of growing."""
    import biomodular.sources as sources_module

    monkeypatch.setattr(sources_module, "HULL_SUPPORT_BYTES", 1 << 18)
    t = np.random.default_rng(0).uniform(0, 2 * np.pi, 40_000)
    circle = np.column_stack([np.cos(t), np.sin(t)])
    with pytest.raises(BiomodularError, match="nearly every sample is a vertex of the hull") as caught:
        Sources.from_samples(circle)
    assert "\n" not in str(caught.value)
    assert Sources.from_samples(circle[:5_000]).points.shape[0] == 5_000  # 80 KiB: accepted
