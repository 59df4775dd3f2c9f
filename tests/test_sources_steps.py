"""Tests written for mutants of sources.py that survived the focused tests (benchmarks/mutation_testing.py)."""

from __future__ import annotations

import numpy as np
import pytest

from biomodular import BiomodularError, Sources
from biomodular.sources import Reduction

SQUARE = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])


def test_a_reduction_keeps_names_given_up_front_and_refuses_a_wrong_count():
    rows = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    assert Reduction(names=["a", "b"]).add(rows).finish().names == ("a", "b")
    for names in (["a"], ["a", "b", "c"]):
        with pytest.raises(BiomodularError, match=f"got {len(names)} names for 2 sources"):
            Reduction(names=names).add(rows)


@pytest.mark.parametrize("columns", [1, 3])
def test_from_statistics_refuses_vertices_of_another_dimension(columns):
    vertices = np.hstack([SQUARE, np.zeros((4, 1))])[:, :columns]
    with pytest.raises(BiomodularError, match="vertices must have 2 columns"):
        Sources.from_statistics([0.0, 0.0], np.eye(2) / 3, vertices)


def test_a_transposed_input_is_refused_before_any_per_sample_work():
    """3 rows of 3000 columns: refused without the 3000 x 3000 moment matrices (72 MB each)."""
    import tracemalloc

    samples = np.random.default_rng(0).uniform(size=(3, 3000))
    tracemalloc.start()
    try:
        with pytest.raises(BiomodularError, match="transposed"):
            Sources.from_samples(samples)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10e6


@pytest.mark.parametrize("d", [2, 3, 4])
def test_the_interior_filter_keeps_few_candidates_up_to_its_source_limit(d):
    """Up to FILTER_MAX_SOURCES sources the reduction keeps few interior rows (before any compaction)."""
    from biomodular.sources import FILTER_MAX_SOURCES

    assert FILTER_MAX_SOURCES == 4
    rows = np.random.default_rng(d).uniform(-1, 1, (10_000, d))
    reduction = Reduction().add(rows)
    assert reduction.n_candidates < rows.shape[0] / 4
    # and the reduced support is still exactly the hull of the rows
    points = reduction.finish().points
    from scipy.spatial import ConvexHull

    assert {tuple(p) for p in points} == {tuple(p) for p in rows[ConvexHull(rows).vertices]}


def test_saturated_two_source_data_keep_only_the_ends_of_each_clipped_edge():
    """Clipped data put thousands of rows on each edge of the box; only the corners are candidates."""
    rows = np.clip(np.random.default_rng(0).normal(0.0, 3.0, (20_000, 2)), -1.0, 1.0)
    reduction = Reduction().add(rows)
    assert reduction.n_candidates <= 16
    assert {tuple(p) for p in reduction.finish().points} == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
