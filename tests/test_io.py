"""Tests of biomodular.io: formats, column selection, chunking, and every input error.

Round trips are exact: values are written with 17 significant digits, which
identify a float64 uniquely, so reading must give back the same bits.
"""

from __future__ import annotations

import gzip
import hashlib
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

from biomodular import Sources
from biomodular.errors import BiomodularError
from biomodular.io import iter_chunks


def _read(path, **kw):
    names, chunks = iter_chunks(path, **kw)
    blocks = list(chunks)
    for b in blocks:
        assert b.dtype == np.float64 and b.ndim == 2
    return names, (np.vstack(blocks) if blocks else None), blocks


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6).map(lambda s: "c" + s)


@given(
    data=st.integers(1, 4).flatmap(
        lambda d: arrays(np.float64, st.tuples(st.integers(1, 25), st.just(d)), elements=finite)
    ),
    delimiter=st.sampled_from([",", "\t", ";", " "]),
    header=st.booleans(),
    chunk_rows=st.integers(1, 30),
    names=st.lists(name, min_size=4, max_size=4, unique=True),
)
def test_text_round_trip_is_exact(tmp_path_factory, data, delimiter, header, chunk_rows, names):
    path = tmp_path_factory.mktemp("rt") / "data.csv"
    d = data.shape[1]
    lines = [delimiter.join(names[:d])] if header else []
    lines += [delimiter.join(f"{x:.17g}" for x in row) for row in data]
    _write(path, "\n".join(lines) + "\n")
    got_names, got, blocks = _read(path, chunk_rows=chunk_rows)
    assert got_names == (tuple(names[:d]) if header else None)
    assert got.shape == data.shape
    assert got.tobytes() == data.tobytes()
    assert all(b.shape[0] <= chunk_rows for b in blocks)
    assert len(blocks) == -(-data.shape[0] // chunk_rows)


@given(
    data=arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 5)), elements=finite),
    chunk_rows=st.integers(1, 50),
    fortran=st.booleans(),
)
def test_npy_round_trip_in_chunks(tmp_path_factory, data, chunk_rows, fortran):
    path = tmp_path_factory.mktemp("npy") / "data.npy"
    np.save(path, np.asfortranarray(data) if fortran else data)
    names, got, blocks = _read(path, chunk_rows=chunk_rows)
    assert names is None
    assert got.tobytes() == data.tobytes()
    assert all(b.shape[0] <= chunk_rows for b in blocks)
    if data.shape[1] >= 2:
        names, got, _ = _read(path, columns=[data.shape[1] - 1, 0], chunk_rows=chunk_rows)
        assert names == (f"s{data.shape[1]}", "s1")
        assert got.tobytes() == np.ascontiguousarray(data[:, [-1, 0]]).tobytes()


def test_npy_is_memory_mapped_not_loaded(tmp_path, monkeypatch):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(12.0).reshape(6, 2))
    calls = []
    real_load = np.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("mmap_mode"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    _read(path, chunk_rows=4)
    assert calls == ["r"]


def test_integer_and_bool_npy_become_float(tmp_path):
    np.save(tmp_path / "i.npy", np.array([[1, 2], [3, 4]], dtype=np.int16))
    np.save(tmp_path / "b.npy", np.array([[True, False], [False, True]]))
    assert _read(tmp_path / "i.npy")[1].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert _read(tmp_path / "b.npy")[1].tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_npz_key_selection(tmp_path):
    path = tmp_path / "two.npz"
    np.savez_compressed(path, a=np.ones((3, 2)), b=np.arange(8.0).reshape(4, 2))
    with pytest.raises(BiomodularError, match=r"several arrays.*'a', 'b'"):
        iter_chunks(path)
    with pytest.raises(BiomodularError, match=r"no array 'c'; available: 'a', 'b'"):
        iter_chunks(path, key="c")
    names, got, _ = _read(path, key="b", columns=[1, 0])
    assert names == ("s2", "s1") and got.tolist() == [[1, 0], [3, 2], [5, 4], [7, 6]]
    np.savez(tmp_path / "one.npz", only=np.eye(3))
    assert _read(tmp_path / "one.npz")[1].tolist() == np.eye(3).tolist()


def test_column_selection_by_name_and_index(tmp_path):
    path = _write(tmp_path / "t.csv", "a,b,c\n1,2,3\n4,5,6\n")
    assert _read(path, columns=["c", "a"])[:2][0] == ("c", "a")
    assert _read(path, columns=["c", "a"])[1].tolist() == [[3, 1], [6, 4]]
    assert _read(path, columns=[2, "b"])[1].tolist() == [[3, 2], [6, 5]]
    assert _read(path, columns=np.array([1, 0]))[1].tolist() == [[2, 1], [5, 4]]
    bare = _write(tmp_path / "bare.csv", "1,2,3\n4,5,6\n")
    names, got, _ = _read(bare, columns=["2", 0])
    assert names == ("s3", "s1") and got.tolist() == [[3, 1], [6, 4]]


def test_unselected_text_column_is_ignored(tmp_path):
    path = _write(tmp_path / "t.csv", "a,label,b\n1,cat,2\n3,dog,4\n")
    assert _read(path, columns=["a", "b"])[1].tolist() == [[1, 2], [3, 4]]
    with pytest.raises(BiomodularError, match=r"non-numeric value 'cat' at row 1 \(line 2 .*column 'label'"):
        _read(path)


def test_layout_variants(tmp_path):
    expected = [[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]]
    variants = {
        "blank_and_comments.csv": "# made by hand\n\na,b\n1.5,2\n\n   \n3,4 # note\n# skip\n5,6\n\n",
        "crlf.csv": "a,b\r\n1.5,2\r\n3,4\r\n5,6\r\n",
        "quoted.csv": '"a","b"\n1.5,2\n3,"4"\n5,6\n',
        "spaces.csv": "a , b\n 1.5 , 2\n3, 4\n5 ,6\n",
        "savetxt.txt": "# a b\n1.5 2\n3 4\n5 6\n",
        "tabs.tsv": "a\tb\n1.5\t2\n3\t4\n5\t6\n",
        "semi.dat": "a;b\n1.5;2\n3;4\n5;6\n",
    }
    for fname, text in variants.items():
        path = _write(tmp_path / fname, text)
        names, got, _ = _read(path, chunk_rows=2)
        assert names == ("a", "b"), fname
        assert got.tolist() == expected, fname
    leading = _write(tmp_path / "leading.tsv", "a\tb\tc\n\t2\t3\n1\t\t3\n")
    got = _read(leading)[1]
    assert np.isnan(got[0, 0]) and np.isnan(got[1, 1]) and got[0, 1:].tolist() == [2.0, 3.0]
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffa,b\n1.5,2\n3,4\n5,6\n".encode("utf-8"))
    assert _read(bom)[0] == ("a", "b")
    gz = tmp_path / "z.csv.gz"
    with gzip.open(gz, "wt") as f:
        f.write("a,b\n1.5,2\n3,4\n5,6\n")
    assert _read(gz, chunk_rows=1)[1].tolist() == expected


def test_non_finite_values_come_through(tmp_path):
    path = _write(tmp_path / "t.csv", "a,b\n1,\nnan,inf\n-inf,2\n")
    got = _read(path)[1]
    assert np.isnan(got[0, 1]) and np.isnan(got[1, 0])
    assert got[1, 1] == np.inf and got[2, 0] == -np.inf


def test_sources_from_file_matches_from_samples(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((257, 3)) @ np.array([[1, 0.3, 0], [0, 1, 0.5], [0, 0, 1]])
    path = tmp_path / "d.csv"
    np.savetxt(path, data, delimiter=",", header="p,q,r", comments="", fmt="%.17g")
    a = Sources.from_file(path, chunk_rows=10)
    b = Sources.from_samples(data, names=["p", "q", "r"])
    assert a.names == b.names and a.n_samples == b.n_samples == 257
    np.testing.assert_allclose(a.mean, b.mean, rtol=0, atol=1e-14)
    np.testing.assert_allclose(a.cov, b.cov, rtol=1e-12)
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.upper, b.upper)
    assert {tuple(p) for p in a.points} == {tuple(p) for p in b.points}
    c = Sources.from_file(path, columns=["r", "p"])
    assert c.names == ("r", "p")
    np.testing.assert_allclose(c.mean, data[:, [2, 0]].mean(axis=0), atol=1e-14)


def _bad_rows_file(tmp_path, row: int, cell: str):
    rng = np.random.default_rng(1)
    rows = [f"{x:.6f},{y:.6f}" for x, y in rng.uniform(size=(30, 2))]
    rows[row - 1] = rows[row - 1].split(",")[0] + "," + cell
    return _write(tmp_path / "bad.csv", "a,b\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("cell", ["", "nan", "NaN", "inf", "-inf"])
def test_non_finite_values_are_reported_with_global_row_and_column(tmp_path, cell):
    path = _bad_rows_file(tmp_path, 23, cell)
    with pytest.raises(BiomodularError, match=r"row 23, column 'b' is not finite"):
        Sources.from_file(path, chunk_rows=7)


def test_non_numeric_cell_names_row_line_and_column(tmp_path):
    path = _bad_rows_file(tmp_path, 17, "abc")
    names, chunks = iter_chunks(path, chunk_rows=5)  # the header is fine; values are read lazily
    with pytest.raises(BiomodularError, match=r"'abc' at row 17 \(line 18 of 'bad.csv'\), column 'b'"):
        list(chunks)
    with pytest.raises(BiomodularError, match="row 17"):
        Sources.from_file(path, chunk_rows=1000)


def test_reading_never_modifies_the_file(tmp_path):
    path = _bad_rows_file(tmp_path, 5, "1.0")
    np.save(tmp_path / "x.npy", np.eye(3))
    for p in (path, tmp_path / "x.npy"):
        before = (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns, os.stat(p).st_size)
        _read(p, chunk_rows=3)
        after = (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns, os.stat(p).st_size)
        assert before == after


# ------------------------------------------------------------------ errors
def test_path_errors(tmp_path):
    with pytest.raises(BiomodularError, match="no such file"):
        iter_chunks(tmp_path / "missing.csv")
    with pytest.raises(BiomodularError, match="is a directory"):
        iter_chunks(tmp_path)
    with pytest.raises(BiomodularError, match=r"is empty"):
        iter_chunks(_write(tmp_path / "e.csv", ""))
    with pytest.raises(BiomodularError, match=r"extension '\.xlsx'.*supported formats: \.csv"):
        iter_chunks(_write(tmp_path / "e.xlsx", "1,2\n"))
    with pytest.raises(BiomodularError, match="no extension"):
        iter_chunks(_write(tmp_path / "noext", "1,2\n"))
    with pytest.raises(BiomodularError, match="only text tables may be gzip"):
        iter_chunks(_write(tmp_path / "x.npy.gz", "1,2\n"))
    with pytest.raises(BiomodularError, match="chunk_rows"):
        iter_chunks(_write(tmp_path / "ok.csv", "1,2\n"), chunk_rows=0)
    with pytest.raises(BiomodularError, match="only to .npz"):
        iter_chunks(tmp_path / "ok.csv", key="a")


def test_content_errors(tmp_path):
    with pytest.raises(BiomodularError, match="header line but no data rows"):
        iter_chunks(_write(tmp_path / "h.csv", "a,b\n"))
    with pytest.raises(BiomodularError, match="only blank or comment lines"):
        iter_chunks(_write(tmp_path / "c.csv", "# nothing\n\n"))
    with pytest.raises(
        BiomodularError, match=r"line 4 of 'r.csv' \(data row 3\) has 3 comma-separated fields; expected 2"
    ):
        _read(_write(tmp_path / "r.csv", "a,b\n1,2\n3,4\n5,6,7\n8,9\n"))
    with pytest.raises(BiomodularError, match=r"line 3 .* has 1 comma-separated fields"):
        _read(_write(tmp_path / "r2.csv", "1,2\n3,4\n5\n"), columns=[0, 1])
    with pytest.raises(BiomodularError, match=r"line 3 .* has 3 whitespace-separated fields; expected 2"):
        _read(_write(tmp_path / "ws.txt", "1 2\n3 4\n5 6 7\n8 9\n"))
    with pytest.raises(BiomodularError, match="header .* has 3 comma-separated names but line 2 has 2"):
        iter_chunks(_write(tmp_path / "hh.csv", "a,b,c\n1,2\n"))
    words = _write(tmp_path / "words.txt", "the quick brown fox\njumps over the lazy dog\nagain and again\n")
    with pytest.raises(BiomodularError, match="holds no numbers; biomodular reads tables of numbers"):
        iter_chunks(words)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(BiomodularError, match="looks like a binary file"):
        iter_chunks(binary)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("caf\xe9,b\n1,2\n".encode("latin-1"))
    with pytest.raises(BiomodularError, match="not UTF-8"):
        iter_chunks(latin)
    with pytest.raises(BiomodularError, match="decimals with a comma"):
        iter_chunks(_write(tmp_path / "eu.csv", "a;b\n1,5;2,25\n"))


def test_column_errors(tmp_path):
    path = _write(tmp_path / "t.csv", "a,b,c\n1,2,3\n4,5,6\n")
    with pytest.raises(BiomodularError, match=r"no column named 'z' in 't.csv'; available: 'a', 'b', 'c'"):
        iter_chunks(path, columns=["a", "z"])
    with pytest.raises(
        BiomodularError, match=r"column index 3 is out of range: 't.csv' has 3 columns \(indices 0 to 2\)"
    ):
        iter_chunks(path, columns=[0, 3])
    with pytest.raises(BiomodularError, match="out of range"):
        iter_chunks(path, columns=[-1, 0])
    with pytest.raises(BiomodularError, match=r"column 'a' \(index 0\) is selected more than once"):
        iter_chunks(path, columns=["a", 0])
    with pytest.raises(BiomodularError, match="columns is empty"):
        iter_chunks(path, columns=[])
    with pytest.raises(BiomodularError, match="not a name or an index"):
        iter_chunks(path, columns=[1.5])
    with pytest.raises(BiomodularError, match="no header of names; select columns by zero-based index"):
        iter_chunks(_write(tmp_path / "n.csv", "1,2\n3,4\n"), columns=["a"])
    with pytest.raises(BiomodularError, match="names 2 columns 'a'"):
        iter_chunks(_write(tmp_path / "dup.csv", "a,a,b\n1,2,3\n"), columns=["a", "b"])
    np.save(tmp_path / "x.npy", np.eye(3))
    with pytest.raises(BiomodularError, match="has no column names"):
        iter_chunks(tmp_path / "x.npy", columns=["a"])
    with pytest.raises(BiomodularError, match="out of range"):
        iter_chunks(tmp_path / "x.npy", columns=[5])


@pytest.mark.parametrize(
    "array, message",
    [
        (np.arange(5.0), "1-D array of shape \\(5,\\)"),
        (np.zeros((2, 2, 2)), "shape \\(2, 2, 2\\)"),
        (np.zeros((0, 3)), "no rows"),
        (np.array([["a", "b"]]), "<U1 values"),
        (np.zeros((2, 2), dtype=complex), "complex128 values"),
        (np.zeros(3, dtype=[("x", float), ("y", float)]), "structured"),
    ],
)
def test_npy_errors(tmp_path, array, message):
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(BiomodularError, match=message):
        iter_chunks(tmp_path / "bad.npy")


def test_corrupt_and_pickled_arrays(tmp_path):
    _write(tmp_path / "fake.npy", "1,2\n3,4\n")
    with pytest.raises(BiomodularError, match="cannot read 'fake.npy' as a .npy array"):
        iter_chunks(tmp_path / "fake.npy")
    np.save(tmp_path / "obj.npy", np.array([[1, None]], dtype=object), allow_pickle=True)
    with pytest.raises(BiomodularError, match="cannot read 'obj.npy'"):
        iter_chunks(tmp_path / "obj.npy")
    _write(tmp_path / "fake.npz", "not a zip")
    with pytest.raises(BiomodularError, match="cannot read 'fake.npz'"):
        iter_chunks(tmp_path / "fake.npz")


@given(
    n_rows=st.integers(3, 40),
    chunk_rows=st.integers(1, 12),
    extra=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["", "   ", "# note", "#"])), max_size=8),
    bad=st.data(),
)
def test_rows_are_counted_as_data_rows_across_chunks_blank_and_comment_lines(
    tmp_path_factory, n_rows, chunk_rows, extra, bad
):
    """A row number in a message is the data row's rank, whatever the chunking and the lines in between."""
    rng = np.random.default_rng(n_rows)
    data = rng.uniform(size=(n_rows, 2))
    lines = [f"{x:.17g},{y:.17g}" for x, y in data]
    bad_row = bad.draw(st.integers(1, n_rows))
    column = bad.draw(st.sampled_from([0, 1]))
    fields = lines[bad_row - 1].split(",")
    fields[column] = ""
    lines[bad_row - 1] = ",".join(fields)
    for position, text in sorted(extra, reverse=True):
        lines.insert(min(position, len(lines)), text)
    path = tmp_path_factory.mktemp("rows") / "d.csv"
    _write(path, "p,q\n" + "\n".join(lines) + "\n")
    got = _read(path, chunk_rows=chunk_rows)[1]
    expected = data.copy()
    expected[bad_row - 1, column] = np.nan
    np.testing.assert_array_equal(got, expected)
    name = "pq"[column]
    with pytest.raises(BiomodularError, match=rf"at row {bad_row}, column '{name}' is not finite"):
        Sources.from_file(path, chunk_rows=chunk_rows)
