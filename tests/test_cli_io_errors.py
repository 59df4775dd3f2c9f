"""Bad input files and bad output paths on the command line.

Every case must print one line on standard error, exit 2, print no traceback
and write nothing; output paths are checked before any work, and a result
that was computed is printed before a failed write is reported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from biomodular.cli import main


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def bad_files(tmp_path):
    rng = np.random.default_rng(0)
    S = rng.uniform(size=(50, 2))
    np.savez(tmp_path / "good.npz", x=S)
    whole = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "truncated.npz").write_bytes(whole[: len(whole) // 2])
    np.savez(tmp_path / "archive.npz", x=S)
    os.replace(tmp_path / "archive.npz", tmp_path / "archive.npy")  # an .npz named .npy
    np.savez(tmp_path / "object.npz", x=np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with open(tmp_path / "npy_named.npz", "wb") as handle:  # np.save would add .npy to the name
        np.save(handle, S)
    (tmp_path / "t.csv").write_text("a,b,label\n" + "\n".join(f"{x},{y},cat" for x, y in S) + "\n")
    (tmp_path / "plain.csv").write_text("a,b\n" + "\n".join(f"{x},{y}" for x, y in S) + "\n")
    (tmp_path / "garbage.mat").write_bytes(b"MATLAB 5.0 MAT-file" + b"\x00" * 40)
    return tmp_path


CASES = [
    (["check", "truncated.npz"], "truncated.npz"),
    (["check", "archive.npy"], "is an .npz archive (a zip file), not a .npy array; rename it to .npz"),
    (["check", "npy_named.npz"], "is a .npy array, not an .npz archive; rename it to .npy"),
    (["check", "object.npz"], "cannot read array 'x' of 'object.npz'"),
    (["solve", "plain.csv", "--mixing", "object.npz"], "cannot read array 'x' of 'object.npz'"),
    (["solve", "plain.csv", "--mixing", "truncated.npz"], "truncated.npz"),
    (["solve", "plain.csv", "--mixing", "archive.npy"], "rename it to .npz"),
    (["check", "garbage.mat"], "cannot read 'garbage.mat' as a MATLAB .mat file"),
    (["check", "plain.csv", "--columns", "\u00b2,1"], "no column named '\u00b2'"),
    (["check", "plain.csv", "--columns", "\u0661,1"], "no column named '\u0661'"),  # Arabic-Indic one
    (["check", "t.csv"], "that column holds text; select the numeric columns with --columns"),
    (["check", "--example", "square", "--columns", "x,y"], "--columns selects data in a file"),
    (["check", "--example", "square", "--key", "a"], "--key selects data in a file"),
    (["verify", "--example", "square", "--columns", "0,1"], "--columns selects data in a file"),
    (["solve", "--example", "square", "--index-col", "0"], "--index-col selects data in a file"),
    (["check", "plain.csv", "--key", "a"], "applies only to .npz, .mat and HDF5 files"),
    # output paths, checked before any work
    (["solve", "--example", "square", "--plot", "nodir/x.png"], "directory 'nodir' does not exist"),
    (["solve", "--example", "square", "--plot", "x.jpgx"], "cannot write a figure as .jpgx"),
    (["check", "--example", "square", "--plot", "nodir/x.png"], "directory 'nodir' does not exist"),
    (["check", "--example", "square", "--plot", "."], "is a directory"),
    (["verify", "--example", "square", "--report", "nodir/report"], "directory 'nodir' does not exist"),
    (["verify", "--example", "square", "--report", "plain.csv"], "exists and is not a directory"),
    (["prove", "modular-code", "--out", "nodir/proof.md"], "directory 'nodir' does not exist"),
    (["batch", "check", "plain.csv", "--output", "nodir/table.csv"], "directory 'nodir' does not exist"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_or_output_is_one_line_exit_2_nothing_written(bad_files, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(bad_files)
    before = _files(bad_files)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no work was done, so no result either
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert message in captured.err
    assert _files(bad_files) == before


def test_output_path_is_checked_before_the_work(bad_files, monkeypatch, capsys):
    """verify --report to an unwritable place fails before training starts."""
    import biomodular.verify.compare as compare

    def no_training(*args, **kwargs):
        raise AssertionError("training started before the report path was checked")

    monkeypatch.setattr(compare, "verify_code", no_training)
    monkeypatch.chdir(bad_files)
    assert main(["verify", "--example", "square", "--report", "nodir/r"]) == 2


def test_a_failed_write_never_loses_the_result(bad_files, monkeypatch, capsys):
    """The figure cannot be written after the work: the result is printed, then the error."""
    import biomodular.plot_code as plot_code_module

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(plot_code_module, "plot_code", fail)
    monkeypatch.chdir(bad_files)
    assert main(["solve", "--example", "square", "--plot", "fig.png"]) == 2
    captured = capsys.readouterr()
    assert "value" in captured.out and "figure" not in captured.out  # the solved code is there
    assert captured.err.count("\n") == 1
    assert "the result above is complete, but --plot 'fig.png' could not be written: No space left" in captured.err


def test_batch_output_is_checked_without_creating_it(bad_files, monkeypatch, capsys):
    """A batch refused after the output check (here: its cache is a file) leaves no empty --output behind."""
    monkeypatch.chdir(bad_files)
    before = _files(bad_files)
    assert main(["batch", "check", "plain.csv", "--output", "table.csv", "--cache", "t.csv"]) == 2
    assert _files(bad_files) == before


def test_plot_without_extension_writes_png_and_says_so(bad_files, monkeypatch, capsys):
    monkeypatch.chdir(bad_files)
    assert main(["check", "--example", "square", "--plot", "figure"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "figure    figure.png"
    assert (bad_files / "figure.png").stat().st_size > 0


def test_traceback_free_in_a_real_process(bad_files):
    done = subprocess.run(
        [sys.executable, "-m", "biomodular", "check", "archive.npy"],
        cwd=bad_files,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
