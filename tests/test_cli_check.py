"""`biomodular check` from the command line: output, JSON, exit codes, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from biomodular.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "biomodular", *args], capture_output=True, text=True)


def test_example_prints_a_readable_verdict(capsys):
    assert main(["check", "--example", "cut-corner"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["verdict", "mixed"]
    assert "exact for these 3,005 samples" in out.splitlines()[0]
    for label in ("margin", "witness", "advantage", "method", "data", "time"):
        assert any(line.startswith(label) for line in out.splitlines())


def test_json_has_the_documented_keys_and_agrees_with_the_api(tmp_path, capsys):
    rng = np.random.default_rng(0)
    S = rng.uniform(-1, 1, (2000, 3))
    S = S[S.sum(axis=1) > -1]
    path = tmp_path / "data.csv"
    np.savetxt(path, S, delimiter=",", header="a,b,c", comments="")
    assert main(["check", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    for key in (
        "verdict",
        "margin",
        "witness",
        "witness_angle",
        "mixing_advantage",
        "mixes",
        "sampling",
        "method",
        "n_samples",
        "n_sources",
        "rounding_bound",
    ):
        assert key in payload
    import biomodular as bm

    direct = bm.check_modularity(bm.Sources.from_samples(S))
    assert payload["verdict"] == direct.verdict == "mixed"
    assert payload["margin"] == pytest.approx(direct.margin, rel=1e-9)
    assert payload["n_samples"] == len(S) and payload["n_sources"] == 3
    assert payload["names"] == ["a", "b", "c"]


def test_columns_select_sources(tmp_path, capsys):
    S = np.random.default_rng(1).uniform(0, 1, (500, 3))
    path = tmp_path / "d.npy"
    np.save(path, S)
    assert main(["check", str(path), "--columns", "0,2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_sources"] == 2


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "no such file"),
        ("x,y\n1,2\n3,abc\n5,6\n", "abc"),
        ("", "empty"),
        ("x,y\n1,2\n1,3\n1,4\n", "constant"),
        ("x,y\n1,2\nnan,3\n4,5\n7,1\n", "row 2"),
        ("x,y\n1,2\n2,4\n3,6\n4,8\n", "flat"),
        ("x\n1\n2\n3\n", "two sources"),
        ("x,y,z\n1,2,3\n2,3,1\n", "samples"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, content, expected):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    proc = run_cli("check", str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert expected.lower() in lines[0].lower()


def test_usage_errors_exit_2():
    assert run_cli("check").returncode == 2
    assert run_cli("check", "--example", "no-such-example").returncode == 2
    assert run_cli("check", "--method", "magic", "--example", "square").returncode == 2


def test_plot_is_written(tmp_path):
    out = tmp_path / "fig.png"
    proc = run_cli("check", "--example", "triangle", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 10_000


def test_a_search_margin_is_reported_as_an_upper_bound(capsys):
    assert main(["check", "--example", "cut-corner", "--method", "search", "--no-sampling"]) == 0
    margin_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("margin"))
    assert "at most" in margin_line and "upper bound" in margin_line
    assert main(["check", "--example", "cut-corner", "--no-sampling"]) == 0
    margin_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("margin"))
    assert "at most" not in margin_line and "rounding bound" in margin_line


def test_a_source_in_large_units_is_not_dropped_from_mixes(capsys):
    """Mixes and the witness angle are judged in beta-scaled units: a source measured in
    micro-units has a tiny raw weight but mixes as much as the other."""
    import biomodular as bm

    S, _ = bm.examples.load("cut-corner")
    scaled = S * np.array([1e6, 1.0])
    result = bm.check_modularity(bm.Sources.from_samples(scaled, ["big", "small"]))
    assert result.verdict == "mixed"
    assert abs(result.witness[0]) < 1e-5  # raw weight on the big source
    assert result.mixes == ("big", "small")
    assert result.witness_angle == pytest.approx(44.8, abs=0.5)


def test_many_columns_are_named_in_short(tmp_path, capsys):
    S = np.random.default_rng(0).uniform(0, 1, (400, 40))
    path = tmp_path / "wide.npy"
    np.save(path, S)
    assert main(["check", str(path), "--no-sampling", "--time-limit", "20"]) == 0
    out = capsys.readouterr().out
    data = next(line for line in out.splitlines() if line.startswith("data"))
    assert "40 sources (s1, s2, s3, s4, s5, ..., s39, s40)" in data and "s20" not in data
    assert all(len(line) < 400 for line in out.splitlines())
