"""The execution layer: order, failures, lost workers, interrupts, no nested pools."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from biomodular import Sources
from biomodular.errors import BiomodularError
from biomodular.execution import in_worker, run_tasks, spawn_seeds


def square_after(x: int, delay_rounds: int = 0) -> int:
    # uneven work so that tasks finish out of submission order
    total = 0
    for _ in range(delay_rounds * 20_000):
        total += 1
    return x * x


def die_once(x: int, marker: str) -> int:
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)  # the process dies: no exception, no result
    return x + 100


def die_on_zero(x: int) -> int:
    if x == 0:
        os._exit(3)
    return x


def raise_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven is bad input")
    return x


def worker_status(_: int) -> tuple[bool, int]:
    from biomodular.execution import workers_for

    return in_worker(), workers_for(8)


def test_results_come_back_in_submission_order_on_every_executor():
    tasks = [(i, 8 - i) for i in range(8)]  # the first tasks are the slowest
    expected = [i * i for i in range(8)]
    for kwargs in ({"processes": 1}, {"processes": 2}, {"executor": ThreadPoolExecutor(3)}):
        out = run_tasks(square_after, tasks, show=False, **kwargs)
        assert list(out.results) == expected and all(out.done) and not out.failures


def test_a_task_whose_worker_dies_once_is_retried(tmp_path):
    tasks = [(i, str(tmp_path / "died")) for i in range(4)]
    out = run_tasks(die_once, tasks, processes=2, show=False)
    assert list(out.results) == [100, 101, 102, 103]
    assert (tmp_path / "died").exists()  # a worker really died


def test_a_task_that_always_kills_its_worker_is_reported_not_missing():
    out = run_tasks(die_on_zero, [(0,), (1,), (2,), (3,)], processes=2, retries=1, show=False)
    # the tasks that ran beside the killer lost their worker too, but were finished
    assert out.done == (False, True, True, True) and out.results == (None, 1, 2, 3)
    (failure,) = out.failures
    assert failure.index == 0 and failure.worker_lost and failure.attempts == 3
    assert "BrokenProcessPool" in failure.error
    # the same with a pool the caller owns: it cannot be restarted, so the task is reported
    with ProcessPoolExecutor(2) as pool:
        out = run_tasks(square_after, [(1,), (2,)], executor=pool, show=False)
        assert out.results == (1, 4)
    with ProcessPoolExecutor(1) as pool:
        out = run_tasks(die_on_zero, [(0,), (0,)], executor=pool, show=False)
    assert not any(out.done) and len(out.failures) == 2 and all(f.worker_lost for f in out.failures)


def test_a_task_that_raises_is_a_failure_that_can_be_reraised():
    for processes in (1, 2):
        out = run_tasks(raise_on_seven, [(i,) for i in range(9)], processes=processes, show=False)
        assert out.results[6] == 6 and out.results[8] == 8 and out.results[7] is None
        (failure,) = out.failures
        assert failure.index == 7 and not failure.worker_lost and "seven" in failure.error
        with pytest.raises(ValueError, match="seven"):
            out.raise_first_error()


def test_an_interrupt_keeps_what_finished():
    seen = []

    def interrupt_after_two(i, result):
        seen.append(i)
        if len(seen) == 2:
            raise KeyboardInterrupt

    for processes in (1, 2):
        seen.clear()
        out = run_tasks(
            square_after, [(i, 1) for i in range(12)], processes=processes, on_result=interrupt_after_two, show=False
        )
        assert out.interrupted
        assert sum(out.done) == 2 and set(np.flatnonzero(out.done)) == set(seen)
        assert all(out.results[i] == i * i for i in seen)
        assert len(out.not_run) == 10 and not out.failures


def test_pools_are_not_nested_inside_workers():
    assert not in_worker()
    flags = run_tasks(worker_status, [(0,), (1,)], processes=2, show=False).results
    assert flags == ((True, 1), (True, 1))


def test_seeds_are_derived_up_front_and_independent_of_the_count():
    assert spawn_seeds(5, 3) == spawn_seeds(5, 3)
    assert spawn_seeds(5, 4)[:3] == spawn_seeds(5, 3)  # a child's seed does not depend on n
    assert len(set(spawn_seeds(5, 100))) == 100 and spawn_seeds(6, 1) != spawn_seeds(5, 1)


def test_bad_process_count_is_an_error():
    with pytest.raises(BiomodularError, match="processes"):
        run_tasks(square_after, [(1,)], processes=0)


def block_that_kills_square(label, *args):
    from biomodular.solvers import sweep as sweep_module

    if label == "square":
        os._exit(3)
    return sweep_module.__dict__["_original_run_block"](label, *args)


def test_a_sweep_block_whose_worker_always_dies_is_a_row_that_says_so(monkeypatch):
    from biomodular.solvers import sweep as sweep_module

    monkeypatch.setitem(sweep_module.__dict__, "_original_run_block", sweep_module._run_block)
    monkeypatch.setattr(sweep_module, "_run_block", block_that_kills_square)
    cut = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 0.2], [0.2, 1], [-1, 1]])
    square = Sources.from_statistics([0, 0], np.diag([1 / 3, 1 / 3]), [[-1, -1], [1, -1], [1, 1], [-1, 1]])
    table = sweep_module.sweep({"cut": cut, "square": square}, lam_in=[0.5, 2.0], processes=2, progress=False)
    assert [row["dataset"] for row in table] == ["cut", "cut", "square", "square"]  # failed rows keep their label
    for row in table:
        if row["dataset"] == "cut":
            assert row["status"] == "optimal" and row["value"] is not None
        else:
            assert row["status"].startswith("failed: worker lost after 4 attempts")  # 1 + 2 retries + alone
            assert row["value"] is None and row["lam_in"] in (0.5, 2.0)
