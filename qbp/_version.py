"""qbp's version and provenance, in a module of its own so that no module imports the package root.

:func:`code_digest` and :func:`dependency_versions` are what every saved result and every
cache key carries besides its parameters: a result made by other code, or on other versions of
the numerical libraries, is never taken for this one's.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import platform
from pathlib import Path

__all__ = ["__version__", "code_digest", "dependency_versions", "installed_versions",
           "provenance"]

__version__ = "0.2.0"

#: Distributions whose versions can change qbp's numbers.
NUMERICAL_PACKAGES = ("numpy", "scipy", "qutip", "qutip-qip")


@functools.lru_cache(maxsize=None)
def code_digest(part: str = "science") -> str:
    """SHA-256 of qbp's Python sources (relative path and bytes of every ``.py`` file).

    ``part``: ``"science"`` (the package without its book wing: what computes numbers) or
    ``"all"`` (everything, the book machinery included). Read once per process; an edit in an
    editable install shows in the next process.
    """
    if part not in ("science", "all"):
        raise ValueError(f"part must be 'science' or 'all', got {part!r}")
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if part == "science" and rel.startswith("book/"):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def installed_versions(names) -> dict[str, str]:
    """{name: installed version} for each distribution in ``names``, ``"not installed"`` for
    those that are absent."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def dependency_versions() -> dict[str, str]:
    """Versions of Python and of the numerical libraries (:data:`NUMERICAL_PACKAGES`)."""
    return {"python": platform.python_version(), **installed_versions(NUMERICAL_PACKAGES)}


def provenance() -> dict:
    """What made a result: qbp's version, the digest of its science code and the versions."""
    return {"qbp_version": __version__, "code_digest": code_digest(),
            "versions": dependency_versions()}
