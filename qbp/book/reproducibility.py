"""The reproducibility page that ``qbp build`` writes into the staged book.

:func:`environment` records the software and the machine, :func:`parameter_rows` says where
each parameter of a chapter came from (notebook default, profile or ``-p``), and
:func:`render` turns both, with the wall time of each chapter, into a MyST page.
The committed ``book/reproducibility.md`` is a stub that this page replaces in the stage.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "ChapterRun", "environment", "cpu_model", "git_state", "parameter_rows",
           "render"]

#: Distributions whose versions the page lists, in this order (Python comes first).
PACKAGES = ("qbp", "numpy", "scipy", "qutip", "qutip-qip", "matplotlib", "pandas", "papermill",
            "jupyter-book", "myst-nb", "sphinx", "sphinx-book-theme", "sphinxcontrib-bibtex")


@dataclass(frozen=True)
class ChapterRun:
    """One executed chapter: its stem, every parameter as (name, value text, origin), and
    the wall time of its execution in seconds."""

    stem: str
    parameters: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    """The CPU model name (``/proc/cpuinfo`` on Linux, else ``platform.processor()``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def git_state(root: Path) -> str:
    """``<commit>`` of the repository at ``root``, with "plus uncommitted changes" when the
    working tree differs from it; "not a git checkout" without git or a repository."""
    try:
        def git(*args):
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=10, check=True).stdout.strip()
        if Path(git("rev-parse", "--show-toplevel")).resolve() != Path(root).resolve():
            return "not a git checkout"
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return f"{commit} plus uncommitted changes" if dirty else commit


def environment(root: Path | None = None) -> dict[str, Any]:
    """Python, package versions, machine, and (with ``root``) the git commit of the sources."""
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = cores
    return {
        "python": f"{platform.python_version()} ({platform.python_implementation()}, "
                  f"{sys.executable})",
        "packages": {name: _version(name) for name in PACKAGES},
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": cores,
        "usable_cores": usable,
        "git": git_state(root) if root is not None else "unknown",
    }


def _text(value: Any) -> str:
    """A parameter value as YAML-like text (``180``, ``0.001``, ``[90, 180]``, ``true``)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return json.dumps(value)


def parameter_rows(defaults: dict[str, dict], profile_name: str, profile: dict[str, Any],
                   overrides: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every parameter of a chapter as (name, value, origin), in the notebook's order.

    ``defaults`` is papermill's ``inspect_notebook`` result (the defaults as source text);
    ``profile`` the chapter's settings in the profile, ``overrides`` the ``-p`` values that
    apply to it. An override wins over the profile, the profile over the default.
    """
    rows = []
    for name, spec in defaults.items():
        if name in overrides:
            rows.append((name, _text(overrides[name]), "-p"))
        elif name in profile:
            rows.append((name, _text(profile[name]), f"profile {profile_name}"))
        else:
            rows.append((name, str(spec.get("default", "")), "notebook default"))
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _duration(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s" if minutes else f"{seconds:.1f} s"


def render(runs: list[ChapterRun], profile: str, overrides: dict[str, Any],
           env: dict[str, Any], started: datetime.datetime | None = None) -> str:
    """The reproducibility page as MyST Markdown: how the book was built, the software, the
    machine, and per chapter its wall time and every parameter with its origin."""
    started = started or datetime.datetime.now(datetime.timezone.utc)
    command = " ".join(["qbp build --profile", profile,
                        *(f"-p {k} {json.dumps(_text(v))}" if " " in _text(v) else
                          f"-p {k} {_text(v)}" for k, v in overrides.items())])
    total = sum(r.seconds for r in runs)
    known = env["git"] not in ("unknown", "not a git checkout")
    sources = f"git commit `{env['git']}`" if known else env["git"]
    lines = [
        "(reproducibility)=",
        "# Reproducibility",
        "",
        "`qbp build` wrote this page while it built the book: it records how the pages you",
        "are reading were computed. Every chapter was executed with papermill, in the order",
        "of the table of contents, before Jupyter Book turned the executed notebooks into HTML.",
        "",
        "## How this book was built",
        "",
        f"- Command: `{command}`",
        f"- Profile: `{profile}` (parameters per chapter in `book/profiles.yml`)",
        f"- Started: {started.astimezone(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Sources: {sources}",
        f"- Chapters executed: {len(runs)}, in {_duration(total)} of wall time",
        "",
        "To repeat a chapter with the parameters below, pass each one that is not a notebook",
        "default with `-p`: `qbp run CHAPTER -p NAME VALUE`.",
        "",
        "## Software",
        "",
        "| package | version |",
        "|---|---|",
        f"| Python | {_cell(env['python'])} |",
        *(f"| {name} | {_cell(version)} |" for name, version in env["packages"].items()),
        "",
        "## Machine",
        "",
        f"- Platform: {env['platform']}",
        f"- CPU: {env['cpu']}",
        f"- Cores: {env['cores']} ({env['usable_cores']} usable by this process)",
        "",
        "## Chapters",
        "",
        "| chapter | wall time |",
        "|---|---|",
        *(f"| {{doc}}`{r.stem}` | {_duration(r.seconds)} |" for r in runs),
        f"| total | {_duration(total)} |",
    ]
    for run in runs:
        lines += ["", f"### {{doc}}`{run.stem}`", ""]
        if not run.parameters:
            lines.append("This notebook has no parameters.")
            continue
        lines += [f"Executed in {_duration(run.seconds)} with these parameters:", "",
                  "| parameter | value | set by |", "|---|---|---|"]
        lines += [f"| `{name}` | `{_cell(value)}` | {origin} |"
                  for name, value, origin in run.parameters]
    return "\n".join(lines) + "\n"
