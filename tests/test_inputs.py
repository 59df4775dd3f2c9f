"""Every kind of input a user brings: pandas, quoted CSV, MATLAB, standard input, xarray.

Each test writes the data through the format's own writer (pandas, Python's
csv module, scipy.io.savemat, h5py in MATLAB's v7.3 layout) and holds what
biomodular reads against the array it started from.
"""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import example, given, strategies as st
from hypothesis.extra.numpy import arrays

import biomodular as bm
from biomodular.errors import BiomodularError
from biomodular.io import as_samples, iter_chunks

pd = pytest.importorskip("pandas")


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1, 1, (n, 2))
    return S[S.sum(axis=1) > -1].copy()  # a cut corner: the verdict is "mixed", far from the tolerance


def _read(path, **kw):
    names, chunks = iter_chunks(path, **kw)
    return names, np.vstack(list(chunks))


def _same_reduction(a: bm.Sources, b: bm.Sources):
    assert a.names == b.names and a.n_samples == b.n_samples
    np.testing.assert_allclose(a.mean, b.mean, rtol=0, atol=1e-14)
    np.testing.assert_allclose(a.cov, b.cov, rtol=1e-12)
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.upper, b.upper)


# ------------------------------------------------------------------ pandas
def test_dataframe_written_by_pandas_with_its_index(tmp_path):
    """``to_csv`` writes the index as an unnamed first column: it is not a source."""
    S = _data()
    df = pd.DataFrame(S, columns=["speed", "heading"], index=np.arange(5000, 5000 + len(S)))
    path = tmp_path / "frame.csv"
    df.to_csv(path)
    assert path.read_text().startswith(",speed,heading\n")  # what pandas writes
    names, got = _read(path)
    assert names == ("speed", "heading")
    np.testing.assert_array_equal(got, S)
    from_file = bm.check_modularity(bm.Sources.from_file(path))
    from_array = bm.check_modularity(S)
    assert from_file.verdict == from_array.verdict == "mixed"
    assert from_file.margin == pytest.approx(from_array.margin, rel=1e-12)
    # The index kept as a source on request: three sources, the first the labels.
    names, got = _read(path, index_col=False)
    assert names == ("s1", "speed", "heading") and got[:, 0].tolist() == list(df.index)


def test_named_index_column(tmp_path):
    S = _data()
    df = pd.DataFrame(S, columns=["x", "y"])
    df.index.name = "trial"
    path = tmp_path / "named.csv"
    df.to_csv(path)
    assert _read(path)[0] == ("trial", "x", "y")  # a named index cannot be told from a source
    names, got = _read(path, index_col="trial")
    assert names == ("x", "y")
    np.testing.assert_array_equal(got, S)
    assert _read(path, index_col=0)[0] == ("x", "y")
    with pytest.raises(BiomodularError, match="no column named 'nope'"):
        iter_chunks(path, index_col="nope")
    np.save(tmp_path / "a.npy", S)
    with pytest.raises(BiomodularError, match="only to text tables"):
        iter_chunks(tmp_path / "a.npy", index_col=0)


def test_dataframe_and_array_inputs_everywhere_the_api_takes_samples():
    S = _data()
    df = pd.DataFrame(S, columns=["speed", "heading"], index=np.arange(len(S)) * 7)
    sources = bm.Sources.from_samples(df)
    assert sources.names == ("speed", "heading")
    _same_reduction(sources, bm.Sources.from_samples(S, names=["speed", "heading"]))
    by_frame = bm.check_modularity(df)
    by_array = bm.check_modularity(S)
    assert by_frame.names == ("speed", "heading")
    assert (by_frame.verdict, by_frame.margin) == (by_array.verdict, by_array.margin)
    assert bm.check_modularity(S.tolist()).verdict == by_array.verdict
    with_sampling = bm.check_samples(df, seed=0)
    assert with_sampling.names == ("speed", "heading") and with_sampling.margin == by_array.margin
    assert bm.Sources.from_samples(df, names=["a", "b"]).names == ("a", "b")


def test_solve_takes_a_dataframe():
    S = _data(200)
    df = pd.DataFrame(S, columns=["p", "q"])
    by_frame = bm.solve_code(df)
    by_sources = bm.solve_code(bm.Sources.from_samples(S))
    assert by_frame.value == pytest.approx(by_sources.value, rel=1e-9)


def test_bad_pandas_inputs_say_what_to_do():
    S = _data(50)
    with pytest.raises(BiomodularError, match="a Series holds one source"):
        bm.Sources.from_samples(pd.Series(S[:, 0], name="x"))
    df = pd.DataFrame(S, columns=["a", "b"])
    df["label"] = "cat"
    with pytest.raises(BiomodularError, match=r"'label' of the DataFrame are not numeric.*df\[\['a', 'b'\]\]"):
        bm.check_modularity(df)
    with pytest.raises(BiomodularError, match="names must be a sequence"):
        bm.Sources.from_samples(S, names="ab")


def test_nullable_and_missing_values_in_a_dataframe_are_reported():
    df = pd.DataFrame({"a": pd.array([1, 2, None, 4, 5], dtype="Int64"), "b": [1.0, 3, 2, 5, 4]})
    with pytest.raises(BiomodularError, match="not finite"):
        bm.Sources.from_samples(df)


# --------------------------------------------------------------- quoted CSV
def test_quoted_fields_with_the_delimiter_inside(tmp_path):
    """A quoted text field holding commas (and a newline) does not break the table."""
    S = _data(40)
    path = tmp_path / "quoted.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["note, free text", "a", "b"])
        for k, (a, b) in enumerate(S.tolist()):
            writer.writerow([f"trial {k}, ok" if k != 7 else "two\nlines, here", repr(a), repr(b)])
    names, got = _read(path, columns=["a", "b"], chunk_rows=6)
    assert names == ("a", "b")
    np.testing.assert_array_equal(got, S)
    with pytest.raises(BiomodularError, match=r"column 'note, free text': that column holds text; .*--columns a,b"):
        iter_chunks(path)


@pytest.mark.parametrize("quoting", [csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_MINIMAL])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_quoting_styles_and_delimiters_are_detected(tmp_path, quoting, delimiter):
    S = _data(30)
    path = tmp_path / "q.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting)
        writer.writerow(["x; y, z", "b"])
        writer.writerows(S.tolist())
    names, got = _read(path, chunk_rows=7)
    assert names == ("x; y, z", "b")
    np.testing.assert_array_equal(got, S)


def test_pandas_round_trip_with_quoted_text_column(tmp_path):
    S = _data(60)
    df = pd.DataFrame({"label": ["a, b"] * len(S), "u": S[:, 0], "v": S[:, 1]})
    path = tmp_path / "df.csv"
    df.to_csv(path, quoting=csv.QUOTE_ALL)
    names, got = _read(path, columns=["u", "v"])
    assert names == ("u", "v")
    np.testing.assert_array_equal(got, S)


# ------------------------------------------------------------------ MATLAB
def test_mat_v5_variables(tmp_path):
    scipy_io = pytest.importorskip("scipy.io")
    S = _data()
    path = tmp_path / "rec.mat"
    scipy_io.savemat(path, {"S": S, "labels": np.arange(3.0)[None, :]})
    with pytest.raises(BiomodularError, match=r"several arrays.*'S'"):
        iter_chunks(path)
    names, got = _read(path, key="S", chunk_rows=50)
    np.testing.assert_array_equal(got, S)
    assert names is None
    assert _read(path, key="S", columns=[1, 0])[0] == ("s2", "s1")
    scipy_io.savemat(tmp_path / "text.mat", {"t": "hello"})
    with pytest.raises(BiomodularError, match="values; biomodular needs a 2-D array of numbers"):
        iter_chunks(tmp_path / "text.mat")


def _write_mat73(path, variables: dict[str, np.ndarray]) -> None:
    """MATLAB's v7.3 layout: HDF5 after a 512-byte text header, matrices stored column-major."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w", userblock_size=512) as f:
        for name, value in variables.items():
            dataset = f.create_dataset(name, data=np.ascontiguousarray(value.T))
            dataset.attrs["MATLAB_class"] = np.bytes_("double")
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    with open(path, "r+b") as f:
        f.write(header.ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02IM")


def test_mat_v73_through_h5py(tmp_path):
    S = _data(500)
    path = tmp_path / "big.mat"
    _write_mat73(path, {"S": S, "other": np.ones((3, 2))})
    names, chunks = iter_chunks(path, key="S", chunk_rows=64)
    blocks = list(chunks)
    assert all(b.shape[0] <= 64 for b in blocks)
    np.testing.assert_array_equal(np.vstack(blocks), S)
    _same_reduction(bm.Sources.from_file(path, key="S"), bm.Sources.from_samples(S))
    with pytest.raises(BiomodularError, match="no array 'T'"):
        iter_chunks(path, key="T")


# ----------------------------------------------------------- standard input
def _cli(args, stdin_bytes=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "biomodular", *args], input=stdin_bytes, capture_output=True, cwd=cwd)


def test_standard_input_text_and_npy(tmp_path):
    S = _data()
    text = "a,b\n" + "\n".join(f"{x!r},{y!r}" for x, y in S.tolist()) + "\n"
    direct = bm.check_modularity(S)
    for name in ("-", "/dev/stdin"):
        done = _cli(["check", name, "--json"], text.encode())
        assert done.returncode == 0, done.stderr
        import json

        payload = json.loads(done.stdout)
        assert payload["verdict"] == direct.verdict and payload["names"] == ["a", "b"]
        assert payload["margin"] == pytest.approx(direct.margin, rel=1e-12)
    np.save(tmp_path / "s.npy", S)
    done = _cli(["check", "-", "--json"], (tmp_path / "s.npy").read_bytes())
    assert done.returncode == 0, done.stderr
    empty = _cli(["check", "-"], b"")
    assert empty.returncode == 2 and empty.stderr.decode().count("\n") == 1
    assert "standard input is empty" in empty.stderr.decode()


def test_standard_input_in_python(monkeypatch):
    import io

    S = _data(80)
    text = "p q\n" + "\n".join(f"{x!r} {y!r}" for x, y in S.tolist()) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    sources = bm.Sources.from_file("-", chunk_rows=9)
    assert sources.origin == "standard input"
    _same_reduction(sources, bm.Sources.from_samples(S, names=["p", "q"]))


# ------------------------------------------------------------------ xarray
def test_xarray_dataarray_with_named_sample_dimension():
    xr = pytest.importorskip("xarray")
    S = _data()
    # Sources first, samples second: the named dimension says which is which.
    da = xr.DataArray(S.T, dims=("source", "time"), coords={"source": ["speed", "heading"]})
    got, names = as_samples(da)
    np.testing.assert_array_equal(got, S)
    assert names == ("speed", "heading")
    by_array = bm.check_modularity(S)
    by_da = bm.check_modularity(da)
    assert by_da.names == ("speed", "heading") and by_da.margin == by_array.margin
    odd = xr.DataArray(S, dims=("row", "col"))
    assert bm.Sources.from_samples(odd, sample_dim="row").names == ("s1", "s2")  # no coordinate labels
    with pytest.raises(BiomodularError, match="no dimension 'sample'"):
        bm.Sources.from_samples(odd, sample_dim="sample")
    ds = xr.Dataset({"x": ("t", S[:, 0]), "y": ("t", S[:, 1])})
    assert bm.Sources.from_samples(ds).names == ("x", "y")
    with pytest.raises(BiomodularError, match="2-D"):
        bm.Sources.from_samples(xr.DataArray(np.zeros((2, 2, 2))))


@given(
    data=arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.just(2)),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
    ),
    labels=st.lists(st.text(alphabet='ab, ;"#\n\t', max_size=8), min_size=30, max_size=30),
    delimiter=st.sampled_from([",", ";", "\t"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    chunk_rows=st.integers(1, 40),
)
@example(
    data=np.array([[1.0, 2.0], [3.0, 4.0]]),
    labels=['a,"b"\n#c'] * 30,
    delimiter=",",
    quoting=csv.QUOTE_ALL,
    chunk_rows=1,
)
@example(
    data=np.array([[1.0, 2.0], [3.0, 4.0]]),
    labels=['a,"b"\nc'] * 30,
    delimiter=";",
    quoting=csv.QUOTE_MINIMAL,
    chunk_rows=1,
)
def test_any_quoted_text_column_round_trips_through_csv_writer(
    tmp_path_factory, data, labels, delimiter, quoting, chunk_rows
):
    """Whatever the text column holds (delimiters, quotes, line breaks), the numbers come back exactly.

    A ``#`` outside quotes starts a comment (the documented convention of numpy's text files), so ``#``
    is generated only where the writer quotes every text field.
    """
    if quoting == csv.QUOTE_MINIMAL:
        labels = [label.replace("#", "") for label in labels]
    path = tmp_path_factory.mktemp("quoted") / "q.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting)
        writer.writerow(["label", "u", "v"])
        for label, (u, v) in zip(labels, data.tolist()):
            writer.writerow([label, repr(u), repr(v)])
    names, chunks = iter_chunks(path, columns=["u", "v"], chunk_rows=chunk_rows)
    blocks = list(chunks)
    assert names == ("u", "v") and all(b.shape[0] <= chunk_rows for b in blocks)
    assert np.vstack(blocks).tobytes() == data.tobytes()


# -------------------------------------------------------------- HDF5 / NWB
def test_hdf5_dataset_such_as_an_nwb_time_series(tmp_path):
    h5py = pytest.importorskip("h5py")
    S = _data(700)
    path = tmp_path / "session.nwb"
    with h5py.File(path, "w") as f:  # the layout of an NWB TimeSeries: time first
        series = f.create_group("acquisition").create_group("position")
        series.create_dataset("data", data=S, chunks=(64, 2))
        series.create_dataset("timestamps", data=np.arange(len(S)) / 50.0)
    names, chunks = iter_chunks(path, chunk_rows=100)  # the only 2-D numeric dataset
    blocks = list(chunks)
    assert names is None and all(b.shape[0] <= 100 for b in blocks)
    np.testing.assert_array_equal(np.vstack(blocks), S)
    _same_reduction(bm.Sources.from_file(path, key="/acquisition/position/data"), bm.Sources.from_samples(S))
    with h5py.File(path, "a") as f:
        f["acquisition"].create_group("speed").create_dataset("data", data=S[:, :1] @ np.ones((1, 2)))
    with pytest.raises(BiomodularError, match="holds 2 2-D numeric datasets; choose one with key"):
        iter_chunks(path)
    with pytest.raises(BiomodularError, match="has no dataset '/nope'"):
        iter_chunks(path, key="/nope")
    done = _cli(["check", "-", "--key", "/acquisition/position/data", "--json"], path.read_bytes())
    assert done.returncode == 0, done.stderr
