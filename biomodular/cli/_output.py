"""Output paths of the subcommands: checked before any work, written after the result is printed.

A command that computes something and then fails to save a figure or report
must not lose the computation: the result goes to standard output first, then
the file is written, and a failure to write is reported as the error (exit 2).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import BiomodularError

#: Errors a writer raises for a path it cannot write (matplotlib raises ValueError for a format).
WRITE_ERRORS = (OSError, ValueError, RuntimeError)


def figure_path(path: str | None, flag: str = "--plot") -> str | None:
    """The figure file that ``--plot PATH`` will write, checked before any work.

    A new path without an extension gets ``.png`` (and the returned path
    says so); an extension matplotlib cannot write is an error.
    """
    if path is None:
        return None
    if Path(path).is_dir():
        raise BiomodularError(f"{flag} {path!r} is a directory; give a file name such as {path.rstrip('/')}/figure.png")
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        if not Path(path).exists():  # an existing target (e.g. /dev/stdout) is written as PNG under its own name
            path = path + ".png"
    else:
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        if suffix not in formats:
            raise BiomodularError(
                f"{flag} {path!r}: cannot write a figure as .{suffix}; use one of "
                + ", ".join(f".{f}" for f in sorted(formats))
            )
    writable_file(path, flag)
    return path


def writable_file(path: str, flag: str) -> str:
    """Check that a file can be created or overwritten at ``path``; nothing is left behind."""
    p = Path(path)
    if p.is_dir():
        raise BiomodularError(f"{flag} {path!r} is a directory; give a file name")
    if p.exists():
        if p.is_file() and not os.access(p, os.W_OK):
            raise BiomodularError(f"{flag} {path!r} is not writable; choose another path")
        return path  # an existing writable file or a device such as /dev/null
    _writable_directory(p.parent, flag, path)
    return path


def writable_directory(path: str, flag: str) -> str:
    """Check that files can be written into directory ``path`` (created later if missing)."""
    p = Path(path)
    if p.exists():
        if not p.is_dir():
            raise BiomodularError(f"{flag} {path!r} exists and is not a directory; give a directory")
        _writable_directory(p, flag, path)
    else:
        _writable_directory(p.parent, flag, path)
    return path


def _writable_directory(directory: Path, flag: str, path: str) -> None:
    directory = directory if str(directory) else Path(".")
    if not directory.exists():
        raise BiomodularError(
            f"{flag} {path!r}: directory {str(directory)!r} does not exist; create it or choose another path"
        )
    if not directory.is_dir():
        raise BiomodularError(f"{flag} {path!r}: {str(directory)!r} is not a directory")
    try:  # a real probe: permissions, read-only file systems and quotas all show here
        handle, probe = tempfile.mkstemp(dir=directory, prefix=".biomodular-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise BiomodularError(
            f"{flag} {path!r} cannot be written ({exc.strerror or exc}); choose a writable path"
        ) from None


def write_after_result(write: Callable[[], object], flag: str, path: str) -> None:
    """Run ``write`` after the result has been printed; a failure becomes a one-line error."""
    try:
        write()
    except WRITE_ERRORS as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BiomodularError(
            f"the result above is complete, but {flag} {path!r} could not be written: {reason}"
        ) from None
