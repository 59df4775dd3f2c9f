"""An opt-in on-disk cache of batch results, keyed by the data and the parameters.

A result is stored under the SHA-256 of (the data file's bytes, the command,
its parameters, the biomodular version), one small JSON file per result, so
a rerun of a batch recomputes only the files or settings that changed.  A
changed byte of the data, a changed parameter or a new biomodular version is
a different key; nothing is ever invalidated in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import BiomodularError

__all__ = ["ResultCache", "file_digest"]

#: Bumped when the layout of a cached entry changes.
FORMAT = 1


def file_digest(path: str | os.PathLike, block: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for piece in iter(lambda: handle.read(block), b""):
                digest.update(piece)
    except OSError as exc:
        raise BiomodularError(f"could not read {str(path)!r}: {exc.strerror or exc}") from None
    return digest.hexdigest()


class ResultCache:
    """Results on disk under ``directory``, one JSON file per key.

    Parameters
    ----------
    directory : str or Path
        Created if missing; must be writable (checked here, before any work).
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BiomodularError(
                f"cannot use {str(directory)!r} as a cache directory: {exc.strerror or exc}"
            ) from None
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise BiomodularError(f"cache directory {str(directory)!r} is not writable")

    @staticmethod
    def key(data_digest: str, command: str, parameters: dict[str, Any]) -> str:
        """The key of one result: a hash of the data, the command and its parameters."""
        from . import __version__

        text = json.dumps(
            {
                "format": FORMAT,
                "version": __version__,
                "data": data_digest,
                "command": command,
                "parameters": parameters,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The stored result, or None (also for an unreadable entry, which is then recomputed)."""
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        return entry.get("result") if isinstance(entry, dict) else None

    def put(self, key: str, result: dict) -> None:
        """Store ``result`` (written to a temporary file and renamed: never half-written)."""
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"key": key, "result": result}, handle)
            os.replace(tmp, self._path(key))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
