"""Files qbp writes and later trusts: atomic writes with ordinary permissions, and checksums.

One helper for every file qbp saves (landscapes, results JSON, sweep caches):

- :func:`atomic_write` writes to a temporary file in the target's folder and moves it into
  place with ``os.replace``, so no reader ever sees half a file, and a failure (or Ctrl-C)
  leaves nothing behind. The file gets the mode a plain ``open()`` would give it (0666 less
  the umask): ``tempfile.mkstemp`` creates files 0600, and that mode would survive the rename.
- :func:`digest` is the SHA-256 of named arrays or bytes, stored inside the file and checked
  when it is read back, so a damaged file is detected instead of trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np

__all__ = ["atomic_write", "digest", "DamagedFile"]


class DamagedFile(ValueError):
    """A file qbp wrote does not read back intact (truncated, altered or not qbp's)."""

    def __init__(self, path, why: str):
        self.path = Path(path)
        super().__init__(f"{self.path} is damaged: {why}")


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", encoding: str | None = None) -> Iterator:
    """Open a temporary file beside ``path`` for writing; on success move it onto ``path``.

    ``mode`` is ``"wb"`` or ``"w"`` (text, ``encoding`` default UTF-8). Folders are created.
    On any exception (KeyboardInterrupt included) the temporary file is removed and ``path``
    keeps its old content, if it had any.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        kwargs = {"encoding": encoding or "utf-8"} if mode == "w" else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(content) -> str:
    """SHA-256 hex digest of ``bytes``/``str``, or of a mapping {name: array} (names sorted,
    each array's dtype, shape and bytes included, so a changed shape changes the digest)."""
    h = hashlib.sha256()
    if isinstance(content, (bytes, str)):
        h.update(content.encode("utf-8") if isinstance(content, str) else content)
        return h.hexdigest()
    for name in sorted(content):
        arr = np.ascontiguousarray(content[name])
        h.update(name.encode())
        h.update(f"{arr.dtype.str}{arr.shape}".encode())
        h.update(arr.tobytes())
    return h.hexdigest()
