"""``biomodular batch`` and run_batch: one row per file, failures reported, interrupts, the cache."""

from __future__ import annotations

import json

import numpy as np
import pytest

from biomodular import Sources, examples
from biomodular.batch import expand_paths, run_batch
from biomodular.cache import ResultCache
from biomodular.cli import main
from biomodular.errors import BiomodularError
from biomodular.execution import BatchInterrupted
from biomodular.solvers.check import check_modularity
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code

NAMES = ("square", "cut-corner", "triangle")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    for i, name in enumerate(NAMES):
        samples, _ = examples.load(name, seed=0)
        np.save(folder / f"{i}-{name}.npy", samples[:1500])
    (folder / "sub").mkdir()
    np.save(folder / "sub" / "bad.npy", np.zeros((10, 1)))  # one source: bad input
    return folder


def without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def test_rows_follow_the_files_and_equal_the_single_file_results(data_dir):
    paths = expand_paths([str(data_dir / "*.npy")])
    assert [p.split("/")[-1] for p in paths] == [f"{i}-{n}.npy" for i, n in enumerate(NAMES)]
    checks = run_batch(paths, "check", processes=2, progress=False)
    solves = run_batch(paths, "solve", {"lam_out": 2.0}, processes=1, progress=False)
    assert checks.ok and solves.ok
    for path, c_row, s_row in zip(paths, checks, solves):
        sources = Sources.from_file(path)
        assert c_row["file"] == s_row["file"] == path
        assert c_row["verdict"] == check_modularity(sources).verdict
        assert s_row["value"] == solve_code(sources, Problem.autoencoder(1.0, 2.0)).value
    assert [r["verdict"] for r in checks] == ["modular", "mixed", "mixed"]


def test_a_bad_file_is_a_failed_row_and_the_exit_status_says_so(data_dir, capsys):
    code = main(["batch", "check", str(data_dir / "**" / "*.npy"), "--json", "--workers", "2"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    rows = {r["file"].split("/")[-1]: r for r in payload["rows"]}
    assert len(rows) == 4 and rows["bad.npy"]["status"] == "failed"
    assert "two sources" in rows["bad.npy"]["error"]
    assert all(rows[f"{i}-{n}.npy"]["status"] == "ok" for i, n in enumerate(NAMES))


def test_cli_errors_are_one_line(data_dir, capsys):
    assert main(["batch", "check", str(data_dir / "nothing*.npy")]) == 2
    assert "no file matches" in capsys.readouterr().err
    assert main(["batch", "check", str(data_dir / "*.npy"), "--seeds", "3"]) == 2
    assert "--seeds does not apply to batch check" in capsys.readouterr().err
    assert main(["batch", "check", str(data_dir / "*.npy"), "--output", str(data_dir / "x.txt")]) == 2
    with pytest.raises(BiomodularError):
        run_batch([str(data_dir / "0-square.npy")], "check", {"lam_in": 2.0})


class InterruptingCache(ResultCache):
    """Ctrl-C arrives while the second result is being handled."""

    stored = 0

    def put(self, key, result):
        super().put(key, result)
        self.stored += 1
        if self.stored == 2:
            raise KeyboardInterrupt


def test_interrupted_batch_keeps_and_caches_what_finished_and_a_rerun_completes_it(data_dir, tmp_path):
    paths = expand_paths([str(data_dir / "*.npy")])
    paths = paths + [str(tmp_path / f"copy{i}.npy") for i in range(3)]
    for i, p in enumerate(paths[3:]):
        np.save(p, np.load(paths[i]) * 2.0)  # new data, new keys
    with pytest.raises(BatchInterrupted) as stop:
        run_batch(paths, "check", processes=1, cache=InterruptingCache(tmp_path / "cache"), progress=False)
    partial = stop.value.partial
    assert [r["status"] for r in partial] == ["ok", "ok"] + ["not run"] * 4
    assert all(r["verdict"] is None for r in partial.rows[2:])
    again = run_batch(paths, "check", processes=2, cache=ResultCache(tmp_path / "cache"), progress=False)
    assert [r["cached"] for r in again] == [True, True] + [False] * 4
    assert without_seconds(again.rows[:2]) == [{**r, "cached": True} for r in without_seconds(partial.rows[:2])]


def test_cache_hits_skip_the_work_and_a_changed_file_is_recomputed(data_dir, tmp_path):
    paths = [str(tmp_path / "a.npy"), str(tmp_path / "b.npy")]
    for p, name in zip(paths, ("square", "cut-corner")):
        np.save(p, examples.load(name, seed=0)[0][:1000])
    cache = ResultCache(tmp_path / "cache")
    first = run_batch(paths, "check", processes=1, cache=cache, progress=False)
    assert [r["cached"] for r in first] == [False, False]
    # Tamper with a stored row: a hit must return it as stored, without recomputing.
    (entry,) = [
        f for f in (tmp_path / "cache").iterdir() if json.loads(f.read_text())["result"]["verdict"] == "modular"
    ]
    stored = json.loads(entry.read_text())
    stored["result"]["margin"] = 12345.0
    entry.write_text(json.dumps(stored))
    np.save(paths[1], examples.load("triangle", seed=0)[0][:1000])  # b changes
    second = run_batch(paths, "check", processes=1, cache=cache, progress=False)
    assert second[0]["cached"] and second[0]["margin"] == 12345.0
    assert not second[1]["cached"] and second[1]["verdict"] == "mixed"
    # other parameters are other keys
    third = run_batch(paths, "check", {"method": "grid"}, processes=1, cache=cache, progress=False)
    assert not any(r["cached"] for r in third)


def test_batch_verify_rows(data_dir, capsys):
    path = str(data_dir / "1-cut-corner.npy")
    assert main(["batch", "verify", path, "--seeds", "2", "--max-steps", "3000", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "check_verdict" in out and "mixed" in out and "1 files: 1 ok" in out


def test_ctrl_c_prints_the_finished_rows_and_exits_130(data_dir, tmp_path, monkeypatch, capsys):
    calls = []
    original = ResultCache.put

    def put_then_interrupt(self, key, result):
        original(self, key, result)
        calls.append(key)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(ResultCache, "put", put_then_interrupt)
    code = main(["batch", "check", str(data_dir / "*.npy"), "--workers", "1", "--cache", str(tmp_path / "c"), "--json"])
    captured = capsys.readouterr()
    assert code == 130 and "interrupted; 1 files not run" in captured.err
    assert [r["status"] for r in json.loads(captured.out)["rows"]] == ["ok", "ok", "not run"]


def test_verify_cli_gives_the_same_result_on_one_or_two_workers(capsys):
    outputs = []
    for workers in ("1", "2"):
        assert (
            main(
                [
                    "verify",
                    "--example",
                    "cut-corner",
                    "--seeds",
                    "2",
                    "--max-steps",
                    "600",
                    "--max-samples",
                    "400",
                    "--json",
                    "--workers",
                    workers,
                ]
            )
            == 0
        )
        payload = json.loads(capsys.readouterr().out)
        payload.pop("seconds")
        for run in payload["runs"]:
            run.pop("seconds")
        outputs.append(payload)
    assert outputs[0] == outputs[1]
    assert main(["verify", "--example", "cut-corner", "--workers", "2", "--scheduler", "tcp://nowhere:1"]) == 2
    assert "not both" in capsys.readouterr().err


def test_output_file_holds_the_printed_table(data_dir, tmp_path, capsys):
    out_csv, out_json = tmp_path / "t.csv", tmp_path / "t.json"
    assert main(["batch", "check", str(data_dir / "*.npy"), "--workers", "1", "--output", str(out_csv)]) == 0
    assert main(["batch", "check", str(data_dir / "*.npy"), "--workers", "1", "--output", str(out_json)]) == 0
    capsys.readouterr()
    lines = out_csv.read_text().splitlines()
    assert lines[0].startswith("file,status,n_samples,n_sources,verdict") and len(lines) == 4
    rows = json.loads(out_json.read_text())["rows"]
    assert [r["verdict"] for r in rows] == [line.split(",")[4] for line in lines[1:]]


def test_batch_check_passes_its_time_limit_to_every_file(data_dir, monkeypatch, capsys):
    """``--time-limit`` reaches each file's check (recorded in this process), the row is
    that check's, and a limit that is not a positive number, or given to solve, is refused
    in one line before any work."""
    import biomodular.solvers.check as check_module

    seen = []
    real = check_module.check_modularity

    def recording(sources, **options):
        seen.append(options.get("time_limit"))
        return real(sources, **options)

    monkeypatch.setattr(check_module, "check_modularity", recording)
    path = str(data_dir / "1-cut-corner.npy")
    assert main(["batch", "check", path, "--time-limit", "7.5", "--workers", "1", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert seen == [7.5]
    assert row["verdict"] == real(Sources.from_file(path), time_limit=7.5).verdict == "mixed"
    assert main(["batch", "check", path, "--time-limit", "0"]) == 2
    assert "--time-limit must be a positive number" in capsys.readouterr().err
    assert main(["batch", "solve", path, "--time-limit", "5"]) == 2
    assert "--time-limit does not apply to batch solve" in capsys.readouterr().err


def test_a_batch_on_a_terminal_draws_its_own_bar_and_not_its_files(data_dir, monkeypatch):
    """On a terminal every bar left to the default rule is drawn (here with no delay), so a
    batch of solves would draw each file's ``solve`` bar across its own; only the batch's is."""
    import io
    import sys

    import biomodular.progress as progress_module

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    table = run_batch([str(data_dir / "1-cut-corner.npy")], "solve", processes=1)
    assert table.rows[0]["status"] == "ok"
    assert "batch solve" in screen.getvalue()
    assert "solve (2 sources)" not in screen.getvalue()
    # The same solve outside a batch draws its bar there.
    solve_code(Sources.from_file(str(data_dir / "1-cut-corner.npy")))
    assert "solve (2 sources)" in screen.getvalue()
