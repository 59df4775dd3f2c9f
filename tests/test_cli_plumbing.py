"""The command line behaves like a Unix tool: one line per error, exit 2, no tracebacks,
a full disk reported, warnings one line each and never alongside an error."""

import os
import subprocess
import sys
import warnings

import pytest

from biomodular.cli import main
from biomodular.errors import BiomodularError


def _run(*args, stdout=subprocess.PIPE):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    return subprocess.run(
        [sys.executable, "-m", "biomodular", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--bogus"],
        ["check", "--tol", "abc", "--example", "cut-corner"],
        ["check", "--method", "nope", "--example", "cut-corner"],
        ["nocommand"],
    ],
)
def test_argument_errors_are_one_line_and_exit_2(args):
    run = _run(*args)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "error:" in lines[0] and "--help" in lines[0]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_error_line():
    with open("/dev/full", "w") as full:
        run = _run("check", "--example", "cut-corner", stdout=full)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "biomodular check: error: cannot write to standard output: No space left on device"
    ]


def _fake_run(monkeypatch, body):
    import biomodular.cli.check as check_cli

    monkeypatch.setattr(check_cli, "run", body)


def test_warnings_do_not_accompany_an_error(monkeypatch, capsys):
    def body(args):
        warnings.warn("overflow encountered in square", RuntimeWarning, stacklevel=2)
        raise BiomodularError("the data are bad;\n do this")

    _fake_run(monkeypatch, body)
    assert main(["check", "--example", "cut-corner"]) == 2
    err = capsys.readouterr().err
    assert err == "biomodular check: error: the data are bad; do this\n"


def test_warnings_after_a_result_are_one_line_each(monkeypatch, capsys):
    def body(args):
        print("verdict   mixed")
        warnings.warn("something\nworth knowing", RuntimeWarning, stacklevel=2)
        return 0

    _fake_run(monkeypatch, body)
    assert main(["check", "--example", "cut-corner"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "verdict   mixed\n"
    assert captured.err == "biomodular check: warning: RuntimeWarning: something worth knowing\n"


def test_a_billion_seeds_is_refused_before_any_work():
    run = _run("verify", "--example", "cut-corner", "--seeds", "1000000000")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "biomodular verify: error: --seeds must be between 1 and 10000; got 1000000000"
    ]


def test_the_python_api_refuses_a_billion_seeds_without_building_them():
    import numpy as np

    from biomodular.verify.compare import verify_code

    S = np.random.default_rng(0).uniform(-1, 1, (200, 2))
    with pytest.raises(BiomodularError, match="seeds"):
        verify_code(S, seeds=10**9)
    with pytest.raises(BiomodularError, match="seeds"):
        verify_code(S, seeds=iter(range(10**9)))
    with pytest.raises(BiomodularError, match="integers"):
        verify_code(S, seeds=["a"])


def test_an_existing_report_is_not_overwritten_without_force(tmp_path):
    report = tmp_path / "report.md"
    report.write_text("an earlier report\n")
    run = _run("verify", "--example", "cut-corner", "--seeds", "1", "--report", str(tmp_path))
    assert run.returncode == 2
    assert "--force" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert report.read_text() == "an earlier report\n"


def test_a_negative_relative_gap_at_rounding_level_prints_as_zero():
    from biomodular.solvers.results import GAP_ROUNDING, format_relative_gap

    assert format_relative_gap(-1.2e-16) == "0 (rounding: -1.2e-16)"
    assert format_relative_gap(0.0) == "0"
    assert format_relative_gap(3e-5) == "3e-05"
    # A negative gap beyond rounding is a real inconsistency: shown as it is.
    assert format_relative_gap(-100 * GAP_ROUNDING).startswith("-")
