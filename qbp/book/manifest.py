"""The run manifest: what ``qbp build`` and ``qbp run`` computed, with what, and how long it took.

``qbp build`` writes ``_build/manifest.json`` once, when the book is complete; ``qbp run``
writes ``<output stem>.manifest.json`` beside the executed notebook (e.g.
``_build/run/01_circuit_landscape.manifest.json``). Both hold (see :func:`new`):

- ``profile``, ``overrides`` (the ``-p`` values) and the ``command`` that repeats the run;
- per chapter: every parameter with its ``value``, declared ``type`` and ``origin``
  (:data:`DEFAULT`, :data:`PROFILE`, :data:`OVERRIDE` or :data:`BUILD`), the chapter's cache
  ``key``, whether it was ``executed`` by this command or reused from the chapter cache, when
  (``executed_at``) and in how many ``seconds`` it was executed;
- ``qbp_version``, ``code_digest`` (``qbp._version.code_digest("all")``), ``versions`` (Python,
  the numerical libraries and the book's tools) and ``environment`` (machine, git commit).

Pages that describe runs read it through :func:`load` and :class:`Manifest` (the conclusions
page names the profile each chapter ran with); nothing is guessed from saved parameters.
Before the pages that read other chapters' results run, ``qbp build`` writes the manifest as
it stands (every parameter known, execution times of the chapters done) beside them as
``manifest.json``.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

from .._io import atomic_write
from .._version import __version__, code_digest, dependency_versions, installed_versions

__all__ = ["FORMAT", "NAME", "DEFAULT", "PROFILE", "OVERRIDE", "BUILD", "BOOK_PACKAGES",
           "versions", "new", "write", "read", "load", "Manifest", "now"]

#: The format tag every manifest carries.
FORMAT = "qbp-manifest/1"
#: The file name of a build's manifest (``_build/manifest.json`` and beside staged pages).
NAME = "manifest.json"
#: Parameter origins.
DEFAULT, PROFILE, OVERRIDE, BUILD = "notebook default", "profile", "-p", "qbp build"

#: Distributions besides :func:`qbp._version.dependency_versions` that shape the pages.
BOOK_PACKAGES = ("matplotlib", "pandas", "papermill", "nbclient", "ipykernel", "jupyter-book",
                 "myst-nb", "sphinx", "sphinx-book-theme", "sphinxcontrib-bibtex")


def now() -> str:
    """The current UTC time as ISO 8601 text, to the second."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Python, qbp, the numerical libraries and the book's tools (``"not installed"`` if
    absent): what the chapter cache keys and the manifest record."""
    return {"qbp": __version__, **dependency_versions(), **installed_versions(BOOK_PACKAGES)}


def new(kind: str, profile: str | None, overrides: dict, command: str,
        environment: dict, jobs: int = 1) -> dict:
    """An empty manifest for ``kind`` ("build" or "run"); chapters are added by the caller."""
    return {"format": FORMAT, "kind": kind, "command": command, "profile": profile,
            "overrides": dict(overrides), "jobs": jobs, "started": now(), "finished": None,
            "qbp_version": __version__, "code_digest": code_digest("all"),
            "versions": versions(), "environment": environment, "chapters": {}}


def write(path, manifest: dict) -> Path:
    """Write ``manifest`` to ``path`` as JSON, atomically (:func:`qbp._io.atomic_write`)."""
    with atomic_write(path, "w") as fh:
        json.dump(manifest, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    return Path(path)


def read(path) -> dict:
    """The manifest at ``path``; ValueError naming the file if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read the run manifest {path}: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a qbp run manifest (no format {FORMAT!r})")
    return data


class Manifest:
    """How the chapters were run: one or several manifests merged by chapter (see :func:`load`).

    ``chapters`` maps a chapter stem to its record (``profile``, ``parameters`` with
    ``value`` and ``origin``, ``seconds``, ``executed_at`` …); ``sources`` lists the files read.
    """

    def __init__(self, chapters: dict[str, dict], sources: list[str]):
        self.chapters = chapters
        self.sources = sources

    def __contains__(self, stem) -> bool:
        return stem in self.chapters

    def overridden(self, stem: str) -> dict[str, Any]:
        """The parameters of ``stem`` set with ``-p``: {name: value}."""
        record = self.chapters.get(stem) or {}
        return {name: p.get("value") for name, p in (record.get("parameters") or {}).items()
                if p.get("origin") == OVERRIDE}

    def profile_of(self, stem: str) -> str | None:
        """The profile ``stem`` ran with, if every parameter came from it or is a notebook
        default (or set by the build, like the cache folder); None for a chapter not in the
        manifest, run without a profile, or with a ``-p`` value."""
        record = self.chapters.get(stem)
        if not record or not record.get("profile") or self.overridden(stem):
            return None
        return record["profile"]

    def describe(self, stem: str) -> str | None:
        """How ``stem`` ran, in words: "the quick profile", "the quick profile with seed = 3
        set by -p", "the notebook's defaults"; None if the manifest does not have it."""
        record = self.chapters.get(stem)
        if record is None:
            return None
        profile = record.get("profile")
        base = f"the {profile} profile" if profile else "the notebook's defaults"
        changed = self.overridden(stem)
        if not changed:
            return base
        listed = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in changed.items())
        return f"{base} with {listed} set by -p"


def load(folder=".") -> Manifest | None:
    """The run manifests in ``folder`` (default: the working folder), or None if there is none.

    ``manifest.json`` (written by ``qbp build`` beside the pages that read results) wins;
    otherwise every ``*.manifest.json`` (one per ``qbp run``) is merged, later files (by
    name) winning for the same chapter. Raises ValueError naming a damaged file.
    """
    folder = Path(folder)
    build_file = folder / NAME
    files = [build_file] if build_file.is_file() else sorted(folder.glob("*.manifest.json"))
    if not files:
        return None
    chapters: dict[str, dict] = {}
    for path in files:
        data = read(path)
        for stem, record in (data.get("chapters") or {}).items():
            chapters[stem] = {"profile": data.get("profile"), **record}
    return Manifest(chapters, [os.fspath(f) for f in files])
