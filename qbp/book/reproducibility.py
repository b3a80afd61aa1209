"""The reproducibility page that ``qbp build`` writes into the staged book.

:func:`environment` records the machine and the sources (it goes into the run manifest,
:mod:`qbp.book.manifest`); :func:`render` turns a build's manifest into a MyST page: the
command, the software, the machine, and per chapter when it was executed, its wall time and
every parameter with where it came from (notebook default, profile, ``-p`` or the build).
Nothing on the page is derived again: it is the manifest, read. The page says when each
chapter was executed, not when this build started, so a rebuild that reuses every chapter
writes the same page (and can keep the HTML).
The committed ``book/reproducibility.md`` is a stub that this page replaces in the stage.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["environment", "cpu_model", "git_state", "parameter_rows", "render"]


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
    """The interpreter, the machine and (with ``root``) the git commit of the sources."""
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = cores
    return {
        # version and implementation only: the interpreter's path is a local folder
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
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


def parameter_rows(record: dict, profile: str | None) -> list[tuple[str, str, str]]:
    """Every parameter of a chapter's manifest record as (name, value text, origin), in the
    notebook's order; the origin names the profile (``profile quick``)."""
    rows = []
    for name, p in (record.get("parameters") or {}).items():
        value = p["text"] if "text" in p else _text(p["value"])
        origin = f"profile {profile}" if p["origin"] == "profile" and profile else p["origin"]
        rows.append((name, value, origin))
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _duration(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s" if minutes else f"{seconds:.1f} s"


def _when(iso: str | None) -> str:
    return (iso or "unknown").replace("T", " ").replace("+00:00", " UTC")


def _at_a_time(jobs: int) -> str:
    return "one chapter at a time" if jobs == 1 else f"{jobs} chapters at a time"


def render(manifest: dict) -> str:
    """The reproducibility page as MyST Markdown, from a build's run manifest
    (:mod:`qbp.book.manifest`): how the book was built, the software, the machine, and per
    chapter when it was executed, its wall time and every parameter with its origin."""
    env = manifest["environment"]
    profile = manifest.get("profile")
    runs = manifest["chapters"]
    total = sum(r.get("seconds") or 0.0 for r in runs.values())
    times = sorted(r["executed_at"] for r in runs.values() if r.get("executed_at"))
    known = env["git"] not in ("unknown", "not a git checkout")
    sources = f"git commit `{env['git']}`" if known else env["git"]
    span = (f"between {_when(times[0])} and {_when(times[-1])}" if len(times) > 1
            else f"at {_when(times[0])}" if times else "")
    lines = [
        "(reproducibility)=",
        "# Reproducibility",
        "",
        "`qbp build` wrote this page from its run manifest (`_build/manifest.json`): it records",
        "how the pages you are reading were computed. Every chapter was executed with papermill",
        "before Jupyter Book turned the executed notebooks into HTML; a chapter whose notebook,",
        "parameters, qbp code and library versions were unchanged since an earlier build was",
        "taken from the chapter cache, so its time below is that of its execution.",
        "",
        "## How this book was built",
        "",
        f"- Command: `{manifest['command']}`",
        f"- Profile: `{profile}` (parameters per chapter in `book/profiles.yml`)",
        f"- Chapters executed {span}" if span else "- Chapters executed: none",
        f"- Sources: {sources}",
        f"- qbp {manifest['qbp_version']}, code digest `{manifest['code_digest'][:16]}`",
        f"- Chapters: {len(runs)}, {_duration(total)} of execution wall time in all",
        "",
        "To repeat a chapter with the parameters below, pass each one that is not a notebook",
        "default with `-p`: `qbp run CHAPTER -p NAME VALUE`.",
        "",
        "## Software",
        "",
        "| package | version |",
        "|---|---|",
        f"| Python | {_cell(env['python'])} |",
        *(f"| {name} | {_cell(version)} |" for name, version in manifest["versions"].items()
          if name != "python"),
        "",
        "## Machine",
        "",
        f"- Platform: {env['platform']}",
        f"- CPU: {env['cpu']}",
        f"- Cores: {env['cores']} ({env['usable_cores']} usable by this process)",
        "",
        "(reproducibility-runtimes)=",
        "## Chapters",
        "",
        f"How long each chapter took to execute in this build ({profile} profile, "
        f"{_at_a_time(manifest.get('jobs') or 1)}, on the machine above); a chapter taken from "
        f"the chapter cache shows the time of its execution. The README lists the times of "
        f"each profile measured by `benchmarks/bench_book.py`.",
        "",
        "| chapter | executed | wall time |",
        "|---|---|---|",
        *(f"| {{doc}}`{stem}` | {_when(r.get('executed_at'))} | {_duration(r.get('seconds') or 0.0)} |"
          for stem, r in runs.items()),
        f"| total | | {_duration(total)} |",
    ]
    for stem, record in runs.items():
        rows = parameter_rows(record, profile)
        # a heading holds the title as text: the page's contents list shows headings before
        # links are resolved, so a {doc} link there would show the file name
        lines += ["", f"### {record.get('title') or stem}", ""]
        if not rows:
            lines.append(f"{{doc}}`{stem}` has no parameters.")
            continue
        lines += [f"{{doc}}`{stem}` was executed in {_duration(record.get('seconds') or 0.0)} "
                  f"with these parameters:",
                  "", "| parameter | value | set by |", "|---|---|---|"]
        lines += [f"| `{name}` | `{_cell(value)}` | {origin} |" for name, value, origin in rows]
    return "\n".join(lines) + "\n"
