"""The same work on a real Dask cluster (two worker processes) gives the same tables."""

from __future__ import annotations

import json
import logging
import os
import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")  # the dask extra; installed by the test extra

import cloudpickle  # noqa: E402  (comes with distributed)

from biomodular import Sources, examples  # noqa: E402
from biomodular.cli import main  # noqa: E402
from biomodular.execution import run_tasks  # noqa: E402
from biomodular.solvers.sweep import sweep  # noqa: E402
from biomodular.verify.compare import verify_code  # noqa: E402

# the workers cannot import this test module: ship its functions by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

CUT = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 0.2], [0.2, 1], [-1, 1]])
SQUARE = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 1], [-1, 1]])


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as local,
        distributed.Client(local) as client,
    ):
        yield local, client


def without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def test_sweep_on_dask_equals_the_default_runner(cluster):
    _, client = cluster
    kwargs = dict(lam_in=[0.0, 2.0], lam_out=[0.5, 2.0], chunk_size=2, progress=False)
    here = sweep({"cut": CUT, "square": SQUARE}, processes=1, **kwargs)
    local = sweep({"cut": CUT, "square": SQUARE}, **kwargs)
    remote = sweep({"cut": CUT, "square": SQUARE}, executor=client.get_executor(), **kwargs)
    assert without_seconds(remote) == without_seconds(local) == without_seconds(here)
    assert len(remote) == 8 and all(r["status"] == "optimal" for r in remote)


def verify_table(result) -> dict:
    payload = result.to_dict()
    payload.pop("seconds")
    for run in payload["runs"]:
        run.pop("seconds")
    return payload


def test_verify_over_seeds_on_dask_equals_the_default_runner(cluster):
    _, client = cluster
    samples, names = examples.load("cut-corner", seed=0)
    kwargs = dict(seeds=[0, 1, 2], max_steps=600, progress=False)
    one = verify_code(samples[:400], names, processes=1, **kwargs)
    local = verify_code(samples[:400], names, **kwargs)
    remote = verify_code(samples[:400], names, executor=client.get_executor(), **kwargs)
    assert verify_table(remote) == verify_table(local) == verify_table(one)
    assert [r.seed for r in remote.runs] == [0, 1, 2]


def test_batch_over_files_on_dask_equals_the_default_runner(cluster, tmp_path, capsys):
    local_cluster, _ = cluster
    for i, name in enumerate(("square", "cut-corner", "triangle", "clipped-gaussian")):
        np.save(tmp_path / f"{i}.npy", examples.load(name, seed=0)[0][:1200])
    pattern = str(tmp_path / "*.npy")
    outputs = []
    for where in (["--workers", "1"], [], ["--scheduler", local_cluster.scheduler_address]):
        assert main(["batch", "solve", pattern, "--json", "--quiet", *where]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    rows = [without_seconds(out["rows"]) for out in outputs]
    assert rows[0] == rows[1] == rows[2] and len(rows[0]) == 4
    assert all(r["status"] == "ok" for r in rows[2])


def die_once(x: int, marker: str) -> int:
    if x == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)  # the worker process dies in the middle of the batch
    return x * 10


def test_a_worker_dying_mid_batch_is_retried(cluster, tmp_path):
    _, client = cluster
    marker = str(tmp_path / "died")
    out = run_tasks(die_once, [(i, marker) for i in range(4)], executor=client.get_executor(), show=False)
    assert os.path.exists(marker)
    assert list(out.results) == [0, 10, 20, 30] and not out.failures


def assert_same_sources(got: Sources, want: Sources) -> None:
    assert got.n_samples == want.n_samples and got.names == want.names
    scale = np.abs(want.mean).max()
    assert np.abs(got.mean - want.mean).max() <= 1e-12 * scale
    assert np.abs(got.cov - want.cov).max() <= 1e-12 * np.abs(want.cov).max()
    assert np.array_equal(got.lower, want.lower) and np.array_equal(got.upper, want.upper)
    assert got.points_are_vertices and want.points_are_vertices
    assert np.array_equal(np.unique(got.points, axis=0), np.unique(want.points, axis=0))


def cut_cube(n: int, seed: int) -> np.ndarray:
    """Uniform cube with a corner cut off, offset far from zero (cancellation would show)."""
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 3))
    return X[X.sum(axis=1) > -1.5] * 250.0 + 1e6


def test_from_dask_equals_the_one_machine_reduction(cluster):
    import dask.array as da

    _, client = cluster
    X = cut_cube(60_000, 0)
    want = Sources.from_samples(X, names=["a", "b", "c"])
    for chunks in ((7_001, 3), (25_000, 2)):  # uneven row chunks; columns split across chunks too
        got = Sources.from_dask(da.from_array(X, chunks=chunks), names=["a", "b", "c"])  # on the cluster
        assert_same_sources(got, want)
    assert_same_sources(
        Sources.from_dask(da.from_array(X, chunks=(9_000, 3)), ["a", "b", "c"], scheduler="synchronous"), want
    )


def test_chunk_files_and_zarr_from_the_command_line(cluster, tmp_path, capsys):
    zarr = pytest.importorskip("zarr")
    local_cluster, _ = cluster
    parts = [cut_cube(30_000, seed) for seed in range(4)]
    folder = tmp_path / "chunks"
    folder.mkdir()
    for i, part in enumerate(parts):
        np.save(folder / f"part{i:02d}.npy", part)
    X = np.vstack(parts)
    store = zarr.open_array(str(tmp_path / "data.zarr"), mode="w", shape=X.shape, chunks=(25_000, 3), dtype="f8")
    store[:] = X
    store.attrs["names"] = ["a", "b", "c"]
    want = Sources.from_samples(X)
    from biomodular.chunked import open_chunked

    for path in (folder, tmp_path / "data.zarr"):
        array, _ = open_chunked(path)
        assert_same_sources(Sources.from_dask(array), want)
    from_file = []
    for args in ([str(folder)], [str(tmp_path / "data.zarr"), "--scheduler", local_cluster.scheduler_address]):
        assert main(["check", *args, "--dask", "--json"]) == 0
        from_file.append(json.loads(capsys.readouterr().out))
    assert main(["check", str(folder / "part00.npy"), "--json"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert from_file[0]["verdict"] == from_file[1]["verdict"] == "mixed"
    assert from_file[0]["n_samples"] == X.shape[0] and single["n_samples"] == parts[0].shape[0]
    assert abs(from_file[0]["margin"] - from_file[1]["margin"]) <= 1e-9


def nesting(_: int) -> tuple[bool, int]:
    from biomodular.execution import in_worker, workers_for

    return in_worker(), workers_for(8)


def test_no_pools_are_nested_inside_dask_tasks(cluster):
    _, client = cluster
    out = run_tasks(nesting, [(0,), (1,)], executor=client.get_executor(), show=False)
    assert out.results == ((True, 1), (True, 1))


def test_chunked_input_errors_are_one_line(tmp_path, capsys):
    from biomodular.chunked import open_chunked
    from biomodular.errors import BiomodularError

    with pytest.raises(BiomodularError, match="dask.array"):
        Sources.from_dask(np.zeros((10, 3)))
    with pytest.raises(BiomodularError, match="no .npy files"):
        open_chunked(tmp_path)
    np.save(tmp_path / "a.npy", np.random.default_rng(0).uniform(size=(50, 3)))
    np.save(tmp_path / "b.npy", np.random.default_rng(1).uniform(size=(50, 2)))
    assert main(["check", str(tmp_path), "--dask"]) == 2
    assert "different numbers of columns" in capsys.readouterr().err
    (tmp_path / "b.npy").unlink()
    assert main(["check", str(tmp_path), "--dask", "--columns", "0,7"]) == 2
    assert "column 7 does not exist" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "a.npy"), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--dask" in capsys.readouterr().err


def test_reproduce_runs_on_dask_equal_the_default_runner(cluster):
    from biomodular import reproduce

    _, client = cluster
    chosen = ["frequency-ratios", "worked-example"]
    here = reproduce.run_many(chosen, processes=1, show=False)
    remote = reproduce.run_many(chosen, executor=client.get_executor(), show=False)
    assert [o.name for o in remote] == chosen
    assert [o.to_dict(timing=False) for o in remote] == [o.to_dict(timing=False) for o in here]
