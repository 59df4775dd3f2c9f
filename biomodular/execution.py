"""One way to run batch work: independent tasks mapped over an executor.

Sweeps, training seeds and ``biomodular batch`` all hand their tasks to
:func:`run_tasks`.  It accepts any :class:`concurrent.futures.Executor` (a
:class:`~concurrent.futures.ProcessPoolExecutor`, or a Dask cluster's
``client.get_executor()``); without one it runs the tasks in local processes
with no set-up, or in this process when there is only one task, one worker,
or when it is itself running inside a worker (pools are never nested).

Guarantees, whichever executor runs the tasks:

- results come back in submission order, so a table does not depend on which
  worker finished first;
- everything random is fixed before any task starts (every task receives its
  seed as an argument; :func:`spawn_seeds` derives independent ones from one
  seed), so results are the same bit for bit;
- a task whose worker died (a killed process, a lost Dask worker) is
  resubmitted up to ``retries`` times and then reported as a
  :class:`TaskFailure`; it is never silently missing (a dead process breaks
  a whole local pool, so a task lost that often is finally run alone, which
  tells the task that kills its process from the ones that ran beside it);
- an interrupt (Ctrl-C) stops the batch and keeps every result that finished.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from .errors import BiomodularError
from .progress import progress

__all__ = [
    "run_tasks",
    "BatchInterrupted",
    "TaskOutcome",
    "TaskFailure",
    "spawn_seeds",
    "in_worker",
    "dask_executor",
    "dask_client",
    "format_failure",
]

#: Exceptions (by class name, so that dask need not be imported) that mean the
#: worker running a task was lost, not that the task itself failed.
WORKER_LOST = frozenset(
    {"BrokenProcessPool", "BrokenExecutor", "KilledWorker", "CommClosedError", "FutureCancelledError"}
)


class BatchInterrupted(KeyboardInterrupt):
    """An interrupt that stopped a batch; ``partial`` holds what finished.

    A subclass of :class:`KeyboardInterrupt`, so code that handles Ctrl-C
    still does; catch this one to keep the partial result.
    """

    def __init__(self, message: str, partial: Any = None):
        super().__init__(message)
        self.partial = partial


@dataclass(frozen=True)
class TaskFailure:
    """A task that did not produce a result.

    Attributes
    ----------
    index : int
        Position of the task in submission order.
    error : str
        ``"ExceptionType: message"``.
    attempts : int
        How many times the task was submitted.
    worker_lost : bool
        Whether the worker died (rather than the task raising an exception).
    exception : BaseException or None
        The exception itself, when it could be kept.
    """

    index: int
    error: str
    attempts: int
    worker_lost: bool
    exception: BaseException | None = None


@dataclass(frozen=True)
class TaskOutcome:
    """What a batch produced, in submission order.

    Attributes
    ----------
    results : tuple
        One entry per task: its result, or None when it failed or never ran.
    done : tuple of bool
        Whether each task finished with a result.
    failures : tuple of TaskFailure
    interrupted : bool
        Whether the batch was stopped by an interrupt before every task ran.
    """

    results: tuple
    done: tuple[bool, ...]
    failures: tuple[TaskFailure, ...]
    interrupted: bool

    @property
    def not_run(self) -> list[int]:
        """Indices of tasks that neither finished nor failed (only after an interrupt)."""
        failed = {f.index for f in self.failures}
        return [i for i, ok in enumerate(self.done) if not ok and i not in failed]

    def raise_first_error(self) -> None:
        """Re-raise the first task's own exception (not a lost worker), if any."""
        for failure in self.failures:
            if not failure.worker_lost and failure.exception is not None:
                raise failure.exception


def spawn_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent seeds derived from ``seed`` (numpy ``SeedSequence.spawn``)."""
    import numpy as np

    children = np.random.SeedSequence(int(seed)).spawn(int(n))
    return [int(child.generate_state(1, np.uint64)[0]) for child in children]


def in_worker() -> bool:
    """Whether this code runs inside a worker process or a Dask worker thread."""
    if multiprocessing.parent_process() is not None:
        return True
    if "distributed" in sys.modules:
        try:
            from distributed import get_worker

            get_worker()
            return True
        except (ImportError, ValueError):
            return False
    return False


def workers_for(n_tasks: int, processes: int | None = None) -> int:
    """Local processes :func:`run_tasks` uses when no executor is given (1: this process)."""
    if in_worker():
        return 1
    return default_workers(n_tasks, processes)


def default_workers(n_tasks: int, processes: int | None = None) -> int:
    """Local processes requested for ``n_tasks`` tasks."""
    if processes is not None:
        if int(processes) < 1:
            raise BiomodularError("processes must be at least 1")
        return int(processes)
    return max(1, min(os.cpu_count() or 1, n_tasks))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _worker_lost(exc: BaseException) -> bool:
    return any(cls.__name__ in WORKER_LOST for cls in type(exc).__mro__)


def _call(function: Callable, args: tuple, attempt: int) -> Any:
    """What a worker runs.  ``attempt`` only makes a retried task a new task
    for schedulers that identify tasks by their arguments (Dask)."""
    return function(*args)


def run_tasks(
    function: Callable[..., Any],
    tasks: Sequence[tuple],
    *,
    executor: cf.Executor | None = None,
    processes: int | None = None,
    retries: int = 2,
    on_result: Callable[[int, Any], None] | None = None,
    desc: str | None = None,
    unit: str = "task",
    show: bool | None = None,
) -> TaskOutcome:
    """Run ``function(*args)`` for every ``args`` in ``tasks``.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled by reference).
    tasks : sequence of tuple
        The arguments of each call.
    executor : concurrent.futures.Executor, optional
        Where to run the calls, e.g. ``client.get_executor()`` of a
        ``dask.distributed.Client``.  Default: local processes.
    processes : int, optional
        Local processes when ``executor`` is None (default: one per core, at
        most one per task); 1 runs every call in this process.
    retries : int
        Times a task whose worker died is resubmitted before it is reported.
    on_result : callable, optional
        ``on_result(index, result)``, called in this process as each result
        arrives (for example to write it to a cache).
    desc, unit, show :
        The progress bar (see :func:`biomodular.progress.progress`).

    Returns
    -------
    TaskOutcome
        Results in submission order.  A task that raised is a failure with
        ``worker_lost=False`` (use :meth:`TaskOutcome.raise_first_error` to
        propagate it); an interrupt returns what finished with
        ``interrupted=True``.
    """
    tasks = [tuple(t) for t in tasks]
    n = len(tasks)
    results: list[Any] = [None] * n
    done = [False] * n
    failures: dict[int, TaskFailure] = {}
    interrupted = False
    with progress(total=n, desc=desc, unit=unit, show=show) as bar:

        def finish(i: int, result: Any) -> None:
            results[i], done[i] = result, True
            bar.update(1)
            if on_result is not None:
                on_result(i, result)

        def fail(i: int, exc: BaseException, attempts: int) -> None:
            failures[i] = TaskFailure(i, _describe(exc), attempts, _worker_lost(exc), exc)
            bar.update(1)

        workers = default_workers(n, processes) if executor is None else None
        try:
            if executor is None and (workers == 1 or n <= 1 or in_worker()):  # never nest pools
                for i, args in enumerate(tasks):
                    try:
                        result = function(*args)
                    except Exception as exc:  # noqa: BLE001 - reported, never lost
                        fail(i, exc, 1)
                    else:
                        finish(i, result)
            else:
                _run_pool(function, tasks, executor, workers, retries, finish, fail)
        except KeyboardInterrupt:
            interrupted = True
    return TaskOutcome(
        results=tuple(results),
        done=tuple(done),
        failures=tuple(failures[i] for i in sorted(failures)),
        interrupted=interrupted,
    )


def _run_pool(function, tasks, executor, workers, retries, finish, fail) -> None:
    own = executor is None
    pool = cf.ProcessPoolExecutor(max_workers=workers) if own else executor
    attempts = [0] * len(tasks)
    pending: dict[cf.Future, int] = {}

    def restart() -> None:
        # A dead process breaks a local pool for every task it holds: start a
        # fresh pool and resubmit what was pending, without charging it an attempt.
        nonlocal pool
        stranded = list(pending.values())
        for _ in range(5):
            pending.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            pool = cf.ProcessPoolExecutor(max_workers=workers)
            try:
                for i in stranded:
                    pending[pool.submit(_call, function, tasks[i], attempts[i])] = i
                return
            except cf.BrokenExecutor as exc:  # broke again while refilling: start over
                broken = exc
        pending.clear()
        for i in stranded:
            fail(i, broken, attempts[i])

    def submit(i: int) -> None:
        """Submit task i; BrokenExecutor if no working executor takes it."""
        attempts[i] += 1
        for _ in range(5):
            try:
                pending[pool.submit(_call, function, tasks[i], attempts[i])] = i
                return
            except cf.BrokenExecutor as exc:
                if not own:
                    raise
                broken = exc
                restart()
        raise broken

    try:
        for i in range(len(tasks)):
            try:
                submit(i)
            except cf.BrokenExecutor as exc:
                fail(i, exc, attempts[i])
        while pending:
            finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            lost: list[tuple[int, BaseException]] = []
            for future in finished:
                i = pending.pop(future)
                try:
                    result = future.result()
                except cf.CancelledError as exc:
                    lost.append((i, exc))
                except Exception as exc:  # noqa: BLE001 - reported, never lost
                    if _worker_lost(exc):
                        lost.append((i, exc))
                    else:
                        fail(i, exc, attempts[i])
                else:
                    finish(i, result)
            if not lost:
                continue
            if own and any(isinstance(error, cf.process.BrokenProcessPool) for _, error in lost):
                restart()
            for i, lost_exc in lost:
                if attempts[i] <= retries:
                    try:
                        submit(i)
                        continue
                    except cf.BrokenExecutor:
                        pass
                if own:
                    # Every task of a broken local pool is lost with it, not only the
                    # one that killed its process: run this one alone to tell which.
                    attempts[i] += 1
                    try:
                        with cf.ProcessPoolExecutor(max_workers=1) as alone:
                            result = alone.submit(function, *tasks[i]).result()
                    except Exception as alone_exc:  # noqa: BLE001 - reported, never lost
                        fail(i, alone_exc, attempts[i])
                    else:
                        finish(i, result)
                    continue
                fail(i, lost_exc, attempts[i])
    except BaseException:
        if own:
            _stop(pool)
        else:
            for future in pending:
                future.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a local pool now: running tasks are abandoned.  (Its futures are
    not cancelled one by one: Python 3.11's pool then fails setting them.)"""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to stop running work
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


@contextmanager
def dask_client(address: str, timeout: float = 30.0) -> Iterator[Any]:
    """A ``dask.distributed.Client`` of the scheduler at ``address``, the default while open.

    Raises
    ------
    BiomodularError
        When ``dask.distributed`` is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError:
        raise BiomodularError("a Dask scheduler needs dask.distributed: pip install 'biomodular[dask]'") from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BiomodularError(f"could not connect to the Dask scheduler at {address!r}: {_describe(exc)}") from None
    try:
        yield client
    finally:
        client.close()


@contextmanager
def dask_executor(address: str, timeout: float = 30.0) -> Iterator[cf.Executor]:
    """An executor that runs tasks on the Dask cluster whose scheduler is at ``address``.

    The workers must be able to import the same version of biomodular.
    """
    with dask_client(address, timeout) as client:
        yield client.get_executor()


def format_failure(failure: TaskFailure) -> str:
    """One line for a failed task."""
    how = "worker lost" if failure.worker_lost else "raised"
    return f"{how} after {failure.attempts} attempt{'s' * (failure.attempts != 1)}: {failure.error}"
