"""The one progress display of biomodular.

Every long-running piece of work (sweeps, training seeds, batches, long checks)
reports through :func:`progress`, so that terminals and notebooks get the same
bar and scripts whose standard error is not a terminal get none.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterable, Iterator


#: Seconds of work before a bar appears (unless forced on): quick work prints nothing.
DELAY = 2.0


#: Set inside :func:`inner_work`: bars left to the default rule are not drawn there.
_INNER: ContextVar[bool] = ContextVar("biomodular_inner_work", default=False)


@contextmanager
def inner_work() -> Iterator[None]:
    """Within this block, bars whose ``show`` is ``None`` are not drawn.

    For one item of work that already has its own bar: a batch's file, whose
    check or solve would otherwise draw a second bar across the batch's (in a
    worker process, over it).  A bar forced on with ``show=True`` is still drawn.
    """
    token = _INNER.set(True)
    try:
        yield
    finally:
        _INNER.reset(token)


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


def should_show(show: bool | None) -> bool:
    """Whether a bar is drawn: ``show`` if given, else only on a terminal or in a notebook,
    and not within :func:`inner_work`."""
    if show is not None:
        return bool(show)
    if _INNER.get():
        return False
    if _in_notebook():
        return True
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def progress(
    iterable: Iterable[Any] | None = None,
    *,
    total: int | None = None,
    desc: str | None = None,
    unit: str = "it",
    show: bool | None = None,
    leave: bool = False,
    delay: float | None = None,
) -> Any:
    """A progress bar (a ``tqdm`` object) over ``iterable`` or up to ``total``.

    Parameters
    ----------
    iterable : iterable, optional
        Items to iterate over; omit it and call ``update(n)`` on the bar instead.
    total : int, optional
        Number of steps expected (taken from ``len(iterable)`` when possible).
    desc : str, optional
        Short label printed before the bar.
    unit : str
        Name of one step.
    show : bool or None
        ``True`` or ``False`` forces the bar on or off; ``None`` (default) draws
        it only when standard error is a terminal or the code runs in Jupyter.
    leave : bool
        Keep the finished bar on screen.
    delay : float, optional
        Seconds before the bar first appears, so that quick work prints
        nothing.  Default: :data:`DELAY` when ``show`` is ``None``, ``0`` when
        the bar is forced on.

    Returns
    -------
    tqdm.tqdm
        Usable as an iterator and as a context manager; ``update(n)`` advances it.
    """
    visible = should_show(show)
    if visible and _in_notebook():
        try:
            from tqdm.notebook import tqdm as bar_class
        except ImportError:  # pragma: no cover - ipywidgets missing
            from tqdm import tqdm as bar_class
    else:
        from tqdm import tqdm as bar_class
    return bar_class(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        disable=not visible,
        leave=leave,
        delay=(DELAY if show is None else 0.0) if delay is None else float(delay),
        file=sys.stderr,
        dynamic_ncols=True,
    )
