"""The book pipeline behind ``qbp build`` and ``qbp run``.

Chapters are the notebooks listed in ``_toc.yml``. ``build`` inspects each one once (its
``parameters`` cell, :mod:`qbp.book.parameters`), checks every profile and ``-p`` value
against the declared types, then executes the chapters with papermill in ``_build/stage/`` (a
copy of the book; sources are never touched), ``--jobs`` at a time, and turns the stage into
HTML with Jupyter Book, notebook execution off. ``run`` executes a single chapter.
Every check on the user's input happens before anything is written.

**The chapter cache.** A chapter is executed again only if its *key* changed: the SHA-256 of
its notebook file, its resolved parameters, ``qbp._version.code_digest("all")`` and the
versions of Python, the numerical libraries and the book's tools
(:func:`qbp.book.manifest.versions`). The executed notebook and ``results/<stem>.json`` are
kept under ``_build/chapters/<key>/`` and copied into the stage when the key comes back.
A page whose notebook metadata has ``"qbp": {"reads_results": true}`` (the conclusions) runs
after every other chapter, and its key also holds their keys and how they ran (profile,
parameters, origins), so it is re-executed whenever one of them is. ``"qbp": {"runs_alone":
true}`` keeps a chapter that measures wall times (the cluster appendix) from sharing the
machine with another chapter. The HTML is keyed the same way by the content of the stage: a
rebuild that changes nothing reuses ``_build/html``.

**Failures.** Outputs replace the old ones only when everything succeeded: a chapter is
executed into a temporary notebook and moved into the cache; a failed chapter leaves
``<stem>.failed.ipynb`` (named in the error) beside its staged copy; the HTML is built in a
scratch folder and swapped in at the end, so the previous book stays until the new one is
complete. One build at a time per folder: a second one waits for the lock ``_build/.lock``.
Ctrl-C or SIGTERM stops the kernels, keeps the partial notebooks under ``.failed`` names and
removes every scratch folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import nbformat
import papermill
import yaml
from ipykernel.kernelspec import get_kernel_dict
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from papermill.exceptions import PapermillExecutionError
from tqdm import tqdm

from .._version import code_digest
from . import manifest as manifests
from . import parameters as params_module
from . import reproducibility

TOC = "_toc.yml"
CONFIG = "_config.yml"
BOOK = "book"
PROFILES = "book/profiles.yml"
PAGE_SUFFIXES = (".ipynb", ".md")
REPRODUCIBILITY = "reproducibility"  # stem of the page `build` writes into the stage
BINDERHUB = "https://mybinder.org"
CACHE_PARAMETER = "cache_dir"  # a chapter parameter naming a folder for saved sweeps
_PROVIDERS = ("github.com", "gitlab.com", "bitbucket.org")
# results/: what chapters saved when run by hand inside book/; a build computes its own.
_STAGE_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", "results",
                                       "cache", "*.failed.ipynb", "*.manifest.json",
                                       manifests.NAME, ".*")


class UsageError(Exception):
    """Bad input (profile, chapter, parameter, repository layout): exit status 2, nothing written."""


class BuildFailed(Exception):
    """A notebook raised or the HTML build failed: exit status 1."""


class Interrupted(Exception):
    """Ctrl-C or SIGTERM: kernels stopped, partial notebooks kept, scratch removed."""


# --- kernels -----------------------------------------------------------------------------------

_KERNELS: "weakref.WeakSet[SameInterpreterKernelManager]" = weakref.WeakSet()


class SameInterpreterKernelManager(AsyncKernelManager):
    """Start every kernel with the interpreter that runs qbp, whatever kernelspecs are installed.

    A ``python3`` kernelspec in the user's Jupyter path may point at another Python that lacks
    qbp or has other versions of its dependencies; the book must run in this environment.
    Every instance is remembered so that an interrupted run can stop its kernel.
    """

    def __init__(self, *args, **kwargs):
        # IPC sockets: the kernel talks to us through files, not TCP ports, so ipykernel has
        # no reason to warn about unencrypted TCP traffic on every chapter.
        # Each kernel gets socket files of its own: kernels started side by side (--jobs) in one
        # folder would otherwise share jupyter_client's default "kernel-ipc-<n>" names.
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(), f"qbp-{uuid.uuid4().hex[:12]}"))
        super().__init__(*args, **kwargs)
        _KERNELS.add(self)

    @property
    def kernel_spec(self) -> KernelSpec:
        spec = get_kernel_dict()  # ipykernel's own spec, argv[0] = sys.executable
        spec = {k: v for k, v in spec.items() if k in KernelSpec.class_traits()}
        # No progress bar inside a page: qbp's bars read QBP_PROGRESS (qbp._progress); the
        # build shows its own progress in the terminal.
        spec["env"] = {**(spec.get("env") or {}), "QBP_PROGRESS": "0"}
        return KernelSpec(**spec)


def _kill_kernels() -> None:
    """SIGKILL every kernel this process started, with its process group (jupyter_client starts
    kernels in a session of their own, so workers they spawned go too)."""
    for km in list(_KERNELS):
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is None or process.poll() is not None:
            continue
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(process.pid), signal.SIGKILL)
        with contextlib.suppress(OSError):
            process.kill()


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM while cleaning up after one (main thread only)."""
    if not _main_thread():
        yield
        return
    old = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _kernels_die_first() -> Iterator[None]:
    """On SIGINT or SIGTERM, kill this process's kernels at once, then raise as before.

    Left to themselves, nbclient would ask a kernel to shut down while its cell is still
    running, and the kernel would print tracebacks of its own on the way out.
    """
    if not _main_thread():
        yield
        return
    watched = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in watched}

    def handler(signum, frame):
        _kill_kernels()
        before = previous[signum]
        if callable(before):
            before(signum, frame)
        raise KeyboardInterrupt

    for s in watched:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, before in previous.items():
            signal.signal(s, before)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


# --- locating things -----------------------------------------------------------------------


def find_root(start: Path | None = None) -> Path:
    """The repository root: the first folder from ``start`` (default cwd) upwards with a _toc.yml."""
    start = Path.cwd() if start is None else Path(start)
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / TOC).is_file():
            return folder
    raise UsageError(f"no {TOC} in {start} or any parent folder (use --root DIR)")


def check_root(root: Path) -> Path:
    """``root`` if it holds a _toc.yml (the ``--root`` option)."""
    if not (Path(root) / TOC).is_file():
        raise UsageError(f"--root {root} has no {TOC}")
    return Path(root).resolve()


def _read_yaml(path: Path, python_numbers: bool = False) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return params_module.load_yaml(text) if python_numbers else yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as err:
        problem = str(err).splitlines()[0]
        raise UsageError(f"cannot parse {path}: {problem}") from None


def toc_entries(root: Path) -> list[str]:
    """Every ``root`` and ``file`` entry of _toc.yml in reading order (paths without suffix)."""
    entries: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    entries.append(node[key])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(_read_yaml(root / TOC))
    return entries


def _page_path(root: Path, entry: str) -> Path | None:
    """The file behind a toc entry (``book/intro`` -> ``book/intro.md``), or None if missing."""
    given = root / entry
    if given.suffix in PAGE_SUFFIXES and given.is_file():
        return given
    for suffix in PAGE_SUFFIXES:
        candidate = given.with_name(given.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def toc_pages(root: Path) -> list[Path]:
    """The files of the book in toc order; a toc entry without a file is an error."""
    pages = []
    for entry in toc_entries(root):
        page = _page_path(root, entry)
        if page is None:
            options = " or ".join(f"{entry}{s}" for s in PAGE_SUFFIXES)
            raise UsageError(f"{TOC} lists '{entry}' but there is no {options}")
        pages.append(page)
    return pages


def chapters(root: Path, strict: bool = True) -> dict[str, Path]:
    """Chapter notebooks by stem, in toc order (``strict``: every toc entry must exist)."""
    if strict:
        pages = toc_pages(root)
    else:
        pages = [p for p in (_page_path(root, e) for e in toc_entries(root)) if p is not None]
    return {p.stem: p for p in pages if p.suffix == ".ipynb"}


def load_profile(root: Path, name: str) -> dict[str, dict[str, Any]]:
    """Parameters per chapter stem for profile ``name`` from book/profiles.yml, read with
    Python's numbers (``1e-3`` is a float; :func:`qbp.book.parameters.load_yaml`)."""
    path = root / PROFILES
    profiles = _read_yaml(path, python_numbers=True) if path.is_file() else {}
    if not isinstance(profiles, dict):
        raise UsageError(f"{PROFILES} must map profile names to chapters")
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise UsageError(f"unknown profile '{name}' (known: {known})")
    profile = profiles[name] or {}
    if not isinstance(profile, dict) or not all(isinstance(v, dict) for v in profile.values()):
        raise UsageError(f"profile '{name}' in {PROFILES} must map chapter stems to parameters")
    return profile


# --- parameters ----------------------------------------------------------------------------


def parse_value(text: str, name: str = "") -> Any:
    """A ``-p`` value (:func:`qbp.book.parameters.parse_value`): ``180`` int, ``1e-3`` float,
    ``true`` bool, ``[90, 180]`` list, ``null`` None, other text as it is."""
    try:
        return params_module.parse_value(text, name)
    except params_module.ParameterError as err:
        raise UsageError(str(err)) from None


def parse_overrides(pairs: list[tuple[str, str]] | list[list[str]]) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs as a dict (later ones win)."""
    overrides = {}
    for name, text in pairs:
        if not name.isidentifier():
            raise UsageError(f"malformed -p: '{name}' is not a valid parameter name")
        overrides[name] = parse_value(text, name)
    return overrides


@dataclass(frozen=True)
class Chapter:
    """A notebook of the book as inspected once: its declared parameters and its ``qbp``
    metadata (``reads_results``: runs after the other chapters and reads their results;
    ``runs_alone``: never shares the machine with another chapter)."""

    stem: str
    path: Path
    parameters: dict[str, params_module.Parameter] = field(default_factory=dict)
    reads_results: bool = False
    runs_alone: bool = False
    title: str = ""  # the text of its first "# " heading


def inspect_notebook(path: Path) -> Chapter:
    """Read ``path`` and its ``parameters`` cell (the first code cell so tagged).

    Raises UsageError naming the notebook if it cannot be read, its parameters cell is not
    Python, a parameter has no (or an uncheckable) annotation, or its ``qbp`` metadata is not
    a mapping of booleans.
    """
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # nbformat raises JSON, validation and OS errors of many types
        message = " ".join(str(err).split())[:200]
        raise UsageError(f"cannot read notebook {path}: {type(err).__name__}: {message}") from None
    where = f"notebook {path.stem}"
    cell = next((c for c in nb.cells if c.cell_type == "code"
                 and "parameters" in (c.metadata.get("tags") or [])), None)
    try:
        declared = params_module.inspect_cell(cell.source, where) if cell is not None else {}
    except params_module.ParameterError as err:
        raise UsageError(str(err)) from None
    meta = nb.metadata.get("qbp") or {}
    if not isinstance(meta, dict) or not all(isinstance(v, bool) for v in meta.values()) \
            or set(meta) - {"reads_results", "runs_alone"}:
        raise UsageError(f"{where}: metadata 'qbp' must map reads_results / runs_alone to "
                         f"true or false, got {json.dumps(meta)}")
    return Chapter(path.stem, path, declared, bool(meta.get("reads_results")),
                   bool(meta.get("runs_alone")), _title(nb))


def _title(nb: nbformat.NotebookNode) -> str:
    """The text of the notebook's first level-1 heading ("" without one)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def notebook_parameters(path: Path) -> dict[str, params_module.Parameter]:
    """The declared parameters of a notebook by name (see :func:`inspect_notebook`)."""
    return inspect_notebook(path).parameters


def _unknown(name: str, stem: str, known: dict, where: str = "for") -> UsageError:
    listed = ", ".join(known) or "none"
    return UsageError(f"unknown parameter '{name}' {where} chapter {stem} (known: {listed})")


def _checked(chapter: Chapter, name: str, value: Any, origin: str) -> Any:
    declared = chapter.parameters[name]
    try:
        return params_module.check(value, declared.type, name,
                                   f" of chapter {chapter.stem} (from {origin})")
    except params_module.ParameterError as err:
        raise UsageError(str(err)) from None


def resolve(book: dict[str, Chapter], profile_name: str | None, profile: dict[str, dict],
            overrides: dict[str, Any], root: Path) -> dict[str, dict[str, dict]]:
    """Every parameter of every chapter: {stem: {name: {"value", "origin", "type", "help"}}}.

    The origin is the notebook default, the profile, ``-p`` (which wins over the profile and
    applies to every chapter with a parameter of that name) or, for a chapter's
    ``cache_dir`` left at its default, the build: ``<root>/_build/cache``, a folder every
    build keeps. A relative ``cache_dir`` from the profile or ``-p`` is taken relative to the
    repository root. Every profile and ``-p`` value is checked against the declared type;
    names no chapter has are refused. Raises UsageError naming the parameter.
    """
    extra = [stem for stem in profile if stem not in book]
    if extra:
        known = ", ".join(book) or "none"
        raise UsageError(f"{PROFILES} names chapter '{extra[0]}', not a notebook in {TOC} (known: {known})")
    for name in overrides:
        if not any(name in chapter.parameters for chapter in book.values()):
            if len(book) == 1:
                chapter = next(iter(book.values()))
                raise _unknown(name, chapter.stem, chapter.parameters)
            raise UsageError(f"unknown parameter '{name}': no chapter has it")
    resolved: dict[str, dict[str, dict]] = {}
    for stem, chapter in book.items():
        chosen = profile.get(stem) or {}
        for name in chosen:
            if name not in chapter.parameters:
                raise _unknown(name, stem, chapter.parameters, where="in the profile for")
        rows = {}
        for name, declared in chapter.parameters.items():
            if name in overrides:
                value, origin = _checked(chapter, name, overrides[name], "-p"), manifests.OVERRIDE
            elif name in chosen:
                where = f"profile {profile_name}"
                value, origin = _checked(chapter, name, chosen[name], where), manifests.PROFILE
            else:
                value, origin = declared.default, manifests.DEFAULT
            shown = None
            if name == CACHE_PARAMETER and declared.type.kind == "str":
                if origin == manifests.DEFAULT:
                    value, origin = str(root / "_build" / "cache"), manifests.BUILD
                elif isinstance(value, str) and not os.path.isabs(value):
                    value = os.path.normpath(root / value)
                if isinstance(value, str):  # pages and cache keys name it from the root
                    shown = _from_root(value, root)
            row = {"value": value, "origin": origin, "type": declared.type_name,
                   "help": declared.help}
            if origin == manifests.DEFAULT and not declared.literal:
                row["text"] = declared.default_text  # not a literal: papermill leaves it be
            elif shown is not None:
                row["text"] = shown
            rows[name] = row
        resolved[stem] = rows
    return resolved


def _from_root(path: str, root: Path) -> str | None:
    """``path`` relative to the repository ``root`` as a quoted string (``"_build/cache"``),
    or None if it lies outside."""
    try:
        return json.dumps(Path(path).resolve().relative_to(Path(root).resolve()).as_posix())
    except ValueError:
        return None


def _given(rows: dict[str, dict]) -> dict[str, Any]:
    """The values papermill injects: everything that is not the notebook's own default."""
    return {name: row["value"] for name, row in rows.items()
            if row["origin"] != manifests.DEFAULT}


def check_repository_url(url: str | None) -> str | None:
    """The public repository URL for launch buttons, normalised (no trailing ``/`` or
    ``.git``): ``https://github.com/ORG/REPO`` (or GitLab, Bitbucket). None stays None."""
    if url is None or url == "":
        return None
    parts = urlsplit(url.strip())
    path = parts.path.strip("/").removesuffix(".git")
    if (parts.scheme != "https" or parts.netloc.lower() not in _PROVIDERS
            or len(path.split("/")) != 2 or "" in path.split("/") or parts.query or parts.fragment):
        raise UsageError(f"repository URL '{url}' is not https://github.com/ORG/REPO "
                         f"(or gitlab.com, bitbucket.org)")
    return f"https://{parts.netloc.lower()}/{path}"


# --- execution -----------------------------------------------------------------------------


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def failed_path(output: Path) -> Path:
    """Where a failed execution of ``output`` keeps its partial notebook: ``<stem>.failed.ipynb``."""
    output = Path(output)
    return output.with_name(f"{output.stem}.failed.ipynb")


def execute(source: Path, output: Path, parameters: dict[str, Any], progress: bool = True,
            cwd: Path | None = None, failed: Path | None = None) -> float:
    """Execute ``source`` into ``output`` with papermill on this Python; returns the seconds.

    The kernel runs in ``cwd`` (default: ``output``'s folder) with qbp's interpreter,
    whatever kernelspec the notebook names (or none). The notebook is written to a temporary
    name beside ``output`` and moved onto it only on success, so a failed run never replaces
    a good notebook; the partial notebook is kept as ``failed`` (default
    ``<stem>.failed.ipynb`` beside ``output``) and named in the error. Raises BuildFailed
    (the notebook raised, or the kernel could not start or died) or Interrupted (Ctrl-C or
    SIGTERM: the kernel is killed first).
    """
    source, output = Path(source).resolve(), Path(output).resolve()
    cwd = Path(cwd).resolve() if cwd is not None else output.parent
    failed = Path(failed).resolve() if failed is not None else failed_path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    running = output.with_name(f".{output.stem}.running.ipynb")
    running.unlink(missing_ok=True)
    begin = time.perf_counter()

    def keep_partial() -> str:
        if running.is_file():
            failed.parent.mkdir(parents=True, exist_ok=True)
            os.replace(running, failed)
            return f"; partially executed notebook: {_relative(failed)}"
        return ""

    try:
        with _kernels_die_first():
            papermill.execute_notebook(
                str(source),
                str(running),
                parameters=parameters,
                cwd=str(cwd),
                kernel_name="python3",
                language="python",
                kernel_manager_class=SameInterpreterKernelManager,
                progress_bar=progress,
            )
    except PapermillExecutionError as err:
        first_line = next((line for line in err.source.splitlines() if line.strip()), "")
        evalue = " ".join(str(err.evalue).split())
        raise BuildFailed(
            f"notebook {source.stem} failed in cell In [{err.exec_count}] ({first_line[:60]!r}): "
            f"{err.ename}: {evalue}{keep_partial()}"
        ) from None
    except KeyboardInterrupt:
        with _signals_ignored():
            _kill_kernels()
            where = keep_partial()
        raise Interrupted(f"notebook {source.stem} interrupted{where}") from None
    except Exception as err:  # the kernel died, timed out or could not start
        message = " ".join(str(err).split())[:300]
        raise BuildFailed(f"notebook {source.stem} could not be executed: "
                          f"{type(err).__name__}: {message}{keep_partial()}") from None
    _as_it_ran(running, parameters, source.name, output.name)
    os.replace(running, output)
    failed.unlink(missing_ok=True)  # a partial notebook of an earlier failure is now stale
    return time.perf_counter() - begin


def _as_it_ran(path: Path, parameters: dict[str, Any], source_name: str,
               output_name: str) -> None:
    """Make the executed notebook at ``path`` show the run that made it.

    The chapter's own ``parameters`` cell shows every value that ``parameters`` (what
    papermill injected) changed, the default kept in its comment
    (:func:`qbp.book.parameters.shown_cell`), and papermill's injected cell is tagged
    ``remove-cell``, so the page shows the parameters once, as they ran. The folder for saved
    sweeps (``cache_dir``) is left out: a local path that does not change what a page shows.
    Papermill's record of the input and output paths keeps the file names only (no local
    folders in a published notebook). The committed notebook, which qbp inspects and keys
    its cache on, is never touched.
    """
    nb = nbformat.read(path, as_version=4)
    shown = {k: v for k, v in parameters.items() if k != CACHE_PARAMETER}
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    own = next((c for c in nb.cells if c.cell_type == "code"
                and "parameters" in (c.metadata.get("tags") or [])), None)
    if own is not None and shown:
        try:
            own.source = params_module.shown_cell(own.source, shown)
        except params_module.ParameterError:  # not inspectable: papermill ran it as it is
            pass
    record = nb.metadata.get("papermill")
    if isinstance(record, dict):
        record.update(input_path=source_name, output_path=output_name)
    nbformat.write(nb, path)


def _copy_results(source: Path, target: Path, only_changed_from: Path | None = None) -> None:
    """Copy ``*.json`` of ``source`` into ``target`` (atomically per file); with
    ``only_changed_from``, only files that differ from the file of that name there."""
    if not source.is_dir():
        return
    for path in sorted(source.glob("*.json")):
        before = only_changed_from / path.name if only_changed_from else None
        if before is not None and before.is_file() and before.read_bytes() == path.read_bytes():
            continue
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f".{path.name}.tmp"
        shutil.copy2(path, tmp)
        os.replace(tmp, target / path.name)


def _chapter_record(chapter: Chapter, rows: dict, profile: str | None, root: Path) -> dict:
    return {"path": _posix(chapter.path, root), "title": chapter.title, "profile": profile,
            "reads_results": chapter.reads_results, "parameters": rows}


def _posix(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _command(kind: str, profile: str | None, overrides: dict, chapter: str | None = None) -> str:
    words = ["qbp", kind] + ([chapter] if chapter else [])
    if profile:
        words += ["--profile", profile]
    for name, value in overrides.items():
        text = value if isinstance(value, str) else json.dumps(value)
        words += ["-p", name, json.dumps(text) if (" " in text or text == "") else text]
    return " ".join(words)


def run(
    root: Path,
    chapter: str,
    profile: str | None = None,
    pairs: list | tuple = (),
    output: Path | None = None,
) -> Path:
    """Execute one chapter (a toc stem or a notebook path) and return the executed notebook.

    The chapter runs in a scratch folder beside ``output`` (default
    ``_build/run/<stem>.ipynb``) that holds copies of the results files and run manifests
    already there; only when it succeeds do the notebook, its new results files and its
    manifest (``<output stem>.manifest.json``) replace the old ones. A failure keeps the
    partial notebook as ``<output stem>.failed.ipynb``.
    """
    overrides = parse_overrides(list(pairs))
    as_path = Path(chapter)
    if chapter.endswith(".ipynb") or as_path.is_file():
        if not as_path.is_file():
            raise UsageError(f"unknown chapter '{chapter}': no such notebook")
        source = as_path
    else:
        known = chapters(root, strict=False)
        if chapter not in known:
            raise UsageError(f"unknown chapter '{chapter}' (known: {', '.join(known) or 'none'})")
        source = known[chapter]
    inspected = inspect_notebook(source)
    stem = inspected.stem
    chosen = load_profile(root, profile).get(stem) or {} if profile else {}
    rows = resolve({stem: inspected}, profile, {stem: chosen}, overrides, root)[stem]
    output = Path(output) if output else root / "_build" / "run" / f"{stem}.ipynb"
    if output.resolve() == source.resolve():
        raise UsageError(f"output {output} is the chapter itself; sources are never overwritten")
    output = output.resolve()
    folder = output.parent

    record = manifests.new("run", profile, overrides, _command("run", profile, overrides, chapter),
                           reproducibility.environment(root))
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{output.stem}.running-", dir=folder))
    try:
        _copy_results(folder / "results", scratch / "results")
        for path in folder.glob("*.manifest.json"):
            shutil.copy2(path, scratch / path.name)
        executed_at = manifests.now()
        seconds = execute(source, scratch / output.name, _given(rows), cwd=scratch,
                          failed=failed_path(output))
        _copy_results(scratch / "results", folder / "results", only_changed_from=folder / "results")
        os.replace(scratch / output.name, output)
        record["chapters"][stem] = {**_chapter_record(inspected, rows, profile, root),
                                    "executed": True, "executed_at": executed_at,
                                    "seconds": seconds, "output": str(output)}
        record["finished"] = manifests.now()
        manifests.write(output.with_name(f"{output.stem}.manifest.json"), record)
    finally:
        with _signals_ignored():
            shutil.rmtree(scratch, ignore_errors=True)
    return output


# --- the chapter cache and the scheduler ---------------------------------------------------


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _key(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=True,
                                     default=str).encode()).hexdigest()


def chapter_key(chapter: Chapter, rows: dict, root: Path, versions: dict,
                reads: dict | None = None) -> str:
    """The content key of a chapter: notebook bytes, path in the book, resolved parameters,
    qbp's code digest ("all") and ``versions``; ``reads`` (for a page that reads results:
    the keys and runs of the chapters it reads) when given, with the bytes of the committed
    record of a paper build's verdicts beside it (``paper_verdicts.json``), which the
    conclusions page compares its verdicts with."""
    payload = {"path": _posix(chapter.path, root), "notebook": _sha256_file(chapter.path),
               "parameters": {n: r.get("text", r["value"]) for n, r in rows.items()},
               "code_digest": code_digest("all"), "versions": versions}
    if reads is not None:
        from .scoreboard import PAPER_VERDICTS

        paper = chapter.path.parent / PAPER_VERDICTS
        payload["reads"] = reads
        payload["paper_verdicts"] = _sha256_file(paper) if paper.is_file() else None
    return _key(payload)


@dataclass
class _Task:
    """One chapter to execute in a worker process."""

    stem: str
    source: Path
    cwd: Path
    entry: Path       # the cache entry it fills: _build/chapters/<key>
    parameters: dict
    runs_alone: bool = False
    partial: Path | None = None
    process: subprocess.Popen | None = None
    started: float = 0.0


def _start(task: _Task, failed: Path) -> None:
    task.partial = Path(tempfile.mkdtemp(prefix=f".partial-{task.entry.name[:16]}-",
                                         dir=task.entry.parent))
    spec = {"source": str(task.source), "output": str(task.partial / f"{task.stem}.ipynb"),
            "parameters": task.parameters, "cwd": str(task.cwd), "failed": str(failed),
            "result": str(task.partial / "outcome.json")}
    (task.partial / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    task.started = time.perf_counter()
    task.process = subprocess.Popen([sys.executable, "-m", "qbp.book._worker",
                                     str(task.partial / "spec.json")])


def _finish(task: _Task, stage_folder: Path) -> dict:
    """Turn a finished worker's partial folder into the cache entry; returns its record."""
    outcome_file = task.partial / "outcome.json"
    outcome = json.loads(outcome_file.read_text()) if outcome_file.is_file() else {
        "ok": False, "error": f"notebook {task.stem}: the worker process ended with status "
                              f"{task.process.returncode} and no report"}
    if not outcome["ok"]:
        shutil.rmtree(task.partial, ignore_errors=True)
        raise BuildFailed(outcome["error"])
    results = stage_folder / "results" / f"{task.stem}.json"
    if results.is_file():
        (task.partial / "results").mkdir()
        shutil.copy2(results, task.partial / "results" / results.name)
    record = {"stem": task.stem, "seconds": outcome["seconds"],
              "executed_at": outcome["executed_at"]}
    for name in ("spec.json", "outcome.json"):
        (task.partial / name).unlink()
    (task.partial / "record.json").write_text(json.dumps(record), encoding="utf-8")
    if task.entry.exists():  # the same key finished twice: keep the first
        shutil.rmtree(task.partial, ignore_errors=True)
    else:
        os.rename(task.partial, task.entry)
    return record


def _execute_tasks(tasks: list[_Task], jobs: int, failed_of, stage_folder_of, done) -> None:
    """Run ``tasks`` in worker processes, ``jobs`` at a time (a ``runs_alone`` task with no
    other); ``done(task, record)`` after each success. After a failure no task is started,
    the running ones finish (and are cached), and the first failure is raised. Ctrl-C or
    SIGTERM stops the workers (their kernels with them) and raises Interrupted."""
    pending, running, failures = list(tasks), [], []
    try:
        while pending or running:
            while pending and not failures:
                alone = any(t.runs_alone for t in running)
                nxt = pending[0]
                if alone or len(running) >= jobs or (nxt.runs_alone and running):
                    break
                pending.pop(0)
                _start(nxt, failed_of(nxt))
                running.append(nxt)
            if failures and not running:
                break
            time.sleep(0.1)
            for task in [t for t in running if t.process.poll() is not None]:
                running.remove(task)
                try:
                    done(task, _finish(task, stage_folder_of(task)))
                except BuildFailed as err:
                    failures.append(err)
    except KeyboardInterrupt:
        with _signals_ignored():
            for task in running:
                with contextlib.suppress(OSError):
                    task.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            for task in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    task.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                if task.process.poll() is None:
                    task.process.kill()
                    task.process.wait()
                shutil.rmtree(task.partial, ignore_errors=True)
            kept = [failed_of(t) for t in running if failed_of(t).is_file()]
        where = ("; partially executed notebooks: " + ", ".join(_relative(p) for p in kept)
                 if kept else "")
        raise Interrupted(f"interrupted while executing "
                          f"{', '.join(t.stem for t in running) or 'chapters'}{where}") from None
    if failures:
        raise failures[0]


# --- staging and HTML ----------------------------------------------------------------------


#: What the banner on every page says of each profile; other profiles name book/profiles.yml.
PROFILE_BANNER = {
    "quick": "smaller grids, fewer starts and fewer layers than the paper.",
    "classroom": "every chapter runs in under a minute, so numbers are rough.",
    "paper": "the paper's settings.",
}
_PAPER_BUILD = "<code>qbp build --profile paper</code>"


def profile_banner(profile: str, overrides: dict | None = None,
                   differ: list[str] | None = None) -> str:
    """The banner (HTML) every page of a build shows: which profile built it, what is known
    of how its verdicts compare with the paper's settings, and the command for those; -p
    overrides are named.

    ``differ``: the claims whose verdict differs from the committed record of a paper build
    (:func:`qbp.book.scoreboard.compare_with_paper`), or None without a usable record — then
    the verdicts *may* differ, as the conclusions page says; nothing more can be known.
    """
    what = PROFILE_BANNER.get(profile, "its parameters are in book/profiles.yml.")
    text = f"This copy was built with the <b>{profile}</b> profile: {what}"
    if profile == "paper":
        text += " A fast copy for experiments: <code>qbp build --profile quick</code>."
    elif differ is None:
        text += (f" Its numbers and verdicts may differ from a build with the paper's "
                 f"settings: {_PAPER_BUILD}.")
    elif differ:
        claims = ", ".join(differ[:-1]) + " and " + differ[-1] if len(differ) > 1 else differ[0]
        text += (f" Its verdicts on {claims} differ from the recorded paper build (see the "
                 f"conclusions). For the paper's settings: {_PAPER_BUILD}.")
    else:
        text += (f" Its verdicts agree with the recorded paper build; its numbers differ. For "
                 f"the paper's settings: {_PAPER_BUILD}.")
    if overrides:
        changed = ", ".join(f"<code>{k}</code>" for k in overrides)
        text += f" Parameters changed with -p: {changed}."
    return text


def _paper_comparison(book: dict[str, "Chapter"], resolved: dict, stage_folder) -> list[str] | None:
    """:func:`qbp.book.scoreboard.compare_with_paper` for the page that reads the chapters'
    results (the conclusions), with the files its parameters name, in the stage; None if
    the book has no such page."""
    from .scoreboard import CONCLUSIONS, PAPER_VERDICTS, compare_with_paper

    for stem, chapter in book.items():
        if not chapter.reads_results:
            continue
        rows = resolved[stem]
        folder = stage_folder(stem)
        results = (rows.get("results_dir") or {}).get("value") or "results"
        paper = (rows.get("paper_verdicts") or {}).get("value") or PAPER_VERDICTS
        return compare_with_paper(folder / results / f"{CONCLUSIONS}.json", folder / paper)
    return None


def _announce(stage: Path, banner: str) -> None:
    """Set the announcement of the staged _config.yml to ``banner``."""
    path = stage / CONFIG
    config = (_read_yaml(path) if path.is_file() else None) or {}
    config["html"] = {**(config.get("html") or {}), "announcement": banner}
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")


def _stage(root: Path, stage: Path, pages: list[Path], repository_url: str | None = None,
           repository_branch: str = "main", banner: str | None = None) -> None:
    """Copy config, toc, book/ and any toc page outside book/ into a fresh ``stage``.

    With ``repository_url`` the staged _config.yml gets the repository, a repository button
    and Binder launch buttons (on notebook pages); with ``banner`` an announcement shown at
    the top of every page (the profile that built the book). The sources are never changed.
    """
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    if (root / BOOK).is_dir():
        shutil.copytree(root / BOOK, stage / BOOK, ignore=_STAGE_IGNORE)
    for page in pages:
        target = stage / page.relative_to(root)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, target)
    shutil.copy2(root / TOC, stage / TOC)
    config = _read_yaml(root / CONFIG) if (root / CONFIG).is_file() else {}
    config = config or {}
    executes = (config.get("execute") or {}).get("execute_notebooks") != "off"
    if not executes and repository_url is None and banner is None:
        shutil.copy2(root / CONFIG, stage / CONFIG)
        return
    # the staged notebooks are already executed: Jupyter Book must not run them again
    config["execute"] = {**(config.get("execute") or {}), "execute_notebooks": "off"}
    if repository_url is not None:
        config["repository"] = {**(config.get("repository") or {}), "url": repository_url,
                                "branch": repository_branch, "path_to_book": ""}
        config["launch_buttons"] = {**(config.get("launch_buttons") or {}),
                                    "binderhub_url": BINDERHUB}
        config["html"] = {**(config.get("html") or {}), "use_repository_button": True}
    if banner is not None:
        config["html"] = {**(config.get("html") or {}), "announcement": banner}
    (stage / CONFIG).write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                encoding="utf-8")


def _jupyter_book(source: Path, output: Path, strict: bool, log: Path) -> int:
    """Run ``jupyter-book build`` on this Python; its status output goes to ``log``, warnings to stderr."""
    command = [
        sys.executable,
        "-c",
        "import sys; from jupyter_book.cli.main import main; sys.exit(main(prog_name='jupyter-book'))",
        "build",
        str(source),
        "--path-output",
        str(output),
        "--builder",
        "html",
    ]
    if strict:
        command += ["-W", "--keep-going"]
    with log.open("w", encoding="utf-8") as stdout:
        status = subprocess.run(command, stdout=stdout).returncode
    if status != 0:  # show the end of the log: Sphinx reports the cause there
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        print("\n".join(tail), file=sys.stderr)
    return status


def _stage_digest(stage: Path, strict: bool, versions: dict) -> str:
    """The key of the HTML: every staged file Jupyter Book reads (not the manifests, which only
    chapters read), the strictness and the versions."""
    h = hashlib.sha256(json.dumps({"strict": strict, "versions": versions,
                                   "code_digest": code_digest("all")}, sort_keys=True).encode())
    for path in sorted(stage.rglob("*")):
        rel = path.relative_to(stage).as_posix()
        if (not path.is_file() or path.name == manifests.NAME
                or any(part.startswith(".") for part in rel.split("/"))):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` (fcntl) for one build; a second build in the same folder waits,
    saying so once on stderr with the process id that holds it."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            print(f"qbp: another build is running in {_relative(out)} (process {holder}); "
                  f"waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _clean_scratch(out: Path) -> None:
    """Remove what an earlier build killed with SIGKILL left behind (we hold the lock)."""
    for path in [*out.glob("html-*"), *out.glob("chapters/.partial-*")]:
        shutil.rmtree(path, ignore_errors=True)


def _place(entry: Path, stem: str, stage_folder: Path) -> None:
    """Copy a cache entry's notebook and results into the stage."""
    shutil.copy2(entry / f"{stem}.ipynb", stage_folder / f"{stem}.ipynb")
    _copy_results(entry / "results", stage_folder / "results")


def build(root: Path, profile: str = "quick", pairs: list | tuple = (), strict: bool = False,
          repository_url: str | None = None, repository_branch: str = "main",
          jobs: int | None = None) -> Path:
    """Execute every chapter of ``profile`` and build _build/html; returns its index.html.

    ``jobs`` chapters run at a time (default: the usable cores). Chapters whose key is in
    the chapter cache are not executed again; the HTML is rebuilt only when the stage
    changed. ``repository_url`` (a public GitHub/GitLab/Bitbucket repository) adds a
    repository button and Binder launch buttons to the staged configuration. The toc's
    ``reproducibility`` page, if any, is generated from the run manifest, which is written to
    ``_build/manifest.json`` when the book is complete.
    """
    overrides = parse_overrides(list(pairs))
    repository_url = check_repository_url(repository_url)
    if repository_url is not None and not repository_branch.strip():
        raise UsageError("the repository branch must not be empty")
    jobs = _usable_cores() if jobs is None else jobs
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise UsageError(f"--jobs must be a whole number >= 1, got {jobs!r}")
    pages = toc_pages(root)
    book = {p.stem: inspect_notebook(p) for p in pages if p.suffix == ".ipynb"}
    settings = load_profile(root, profile)
    resolved = resolve(book, profile, settings, overrides, root)

    out = root / "_build"
    with build_lock(out):
        return _build_locked(root, out, pages, book, resolved, profile, overrides, strict,
                             repository_url, repository_branch.strip(), jobs)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _build_locked(root, out, pages, book, resolved, profile, overrides, strict, repository_url,
                  repository_branch, jobs) -> Path:
    began = time.perf_counter()
    _clean_scratch(out)
    versions = manifests.versions()
    record = manifests.new("build", profile, overrides, _command("build", profile, overrides),
                           reproducibility.environment(root), jobs)
    chapters_dir = out / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    stage = out / "stage"
    _stage(root, stage, pages, repository_url, repository_branch,
           banner=profile_banner(profile, overrides))

    # keys: first the chapters, then the pages that read their results
    keys = {stem: chapter_key(c, resolved[stem], root, versions)
            for stem, c in book.items() if not c.reads_results}
    runs = {stem: {"profile": profile, "parameters": {n: {"value": r.get("text", r["value"]),
                                                          "origin": r["origin"]}
                                                      for n, r in resolved[stem].items()}}
            for stem in book}
    reads = {"keys": dict(keys), "runs": runs}
    keys.update({stem: chapter_key(c, resolved[stem], root, versions, reads)
                 for stem, c in book.items() if c.reads_results})
    for stem, chapter in book.items():
        record["chapters"][stem] = {**_chapter_record(chapter, resolved[stem], profile, root),
                                    "key": keys[stem]}

    def stage_folder(stem: str) -> Path:
        return stage / book[stem].path.parent.relative_to(root)

    def note(stem: str, entry_record: dict, executed: bool) -> None:
        record["chapters"][stem].update(executed=executed, seconds=entry_record["seconds"],
                                        executed_at=entry_record["executed_at"])

    ordered = [s for s in book if not book[s].reads_results] + \
              [s for s in book if book[s].reads_results]
    with tqdm(total=len(ordered), unit="chapter", file=sys.stderr, desc="chapters") as bar:
        def done(task: _Task, entry_record: dict) -> None:
            _place(task.entry, task.stem, stage_folder(task.stem))
            note(task.stem, entry_record, True)
            bar.set_postfix_str(f"{task.stem} executed in {entry_record['seconds']:.1f} s")
            bar.update()

        todo: dict[bool, list[_Task]] = {False: [], True: []}
        for stem in ordered:
            entry = chapters_dir / keys[stem]
            if (entry / "record.json").is_file():
                _place(entry, stem, stage_folder(stem))
                note(stem, json.loads((entry / "record.json").read_text()), False)
                bar.update()
                continue
            todo[book[stem].reads_results].append(
                _Task(stem, book[stem].path, stage_folder(stem), entry, _given(resolved[stem]),
                      book[stem].runs_alone))
        failed_of = lambda task: failed_path(stage_folder(task.stem) / f"{task.stem}.ipynb")  # noqa: E731
        folder_of = lambda task: stage_folder(task.stem)  # noqa: E731
        if todo[False]:
            _execute_tasks(todo[False], jobs, failed_of, folder_of, done)
        readers = [s for s in ordered if book[s].reads_results]
        for folder in {stage_folder(s) for s in readers}:  # what those pages read
            manifests.write(folder / manifests.NAME, record)
        if todo[True]:
            _execute_tasks(todo[True], 1, failed_of, folder_of, done)
    record["execution_seconds"] = time.perf_counter() - began
    # the banner can compare verdicts with a paper build's record only now they are known
    differ = _paper_comparison(book, resolved, stage_folder)
    if differ is not None:
        _announce(stage, profile_banner(profile, overrides, differ))
    _write_reproducibility(root, stage, pages, record)

    html = out / "html"
    html_key = _stage_digest(stage, strict, versions)
    previous = out / manifests.NAME
    try:
        last = manifests.read(previous).get("html", {}) if previous.is_file() else {}
    except ValueError:
        last = {}
    begin = time.perf_counter()
    reused = last.get("key") == html_key and (html / "index.html").is_file()
    if reused:
        print("HTML unchanged: keeping _build/html", file=sys.stderr)
    else:
        _build_html(stage, out, html, strict)
    record["html"] = {"key": html_key, "reused": reused, "seconds": time.perf_counter() - begin}
    record["finished"] = manifests.now()
    record["seconds"] = time.perf_counter() - began
    manifests.write(previous, record)
    return html / "index.html"


def _build_html(stage: Path, out: Path, html: Path, strict: bool) -> None:
    """Jupyter Book into a scratch folder, then swap it in for ``html``."""
    scratch = Path(tempfile.mkdtemp(prefix="html-", dir=out))
    log = out / "jupyter-book.log"
    print(f"building HTML with jupyter-book (log: {_relative(log)})", file=sys.stderr)
    try:
        status = _jupyter_book(stage, scratch, strict, log)
        built = scratch / "_build" / "html"
        if status != 0 or not (built / "index.html").is_file():
            raise BuildFailed(f"jupyter-book build failed (exit status {status}); full log: {_relative(log)}")
        with _signals_ignored():  # the swap: two renames, never interrupted between them
            old = scratch / "previous"
            if html.exists():
                os.rename(html, old)
            os.rename(built, html)
    finally:
        with _signals_ignored():
            shutil.rmtree(scratch, ignore_errors=True)


def _write_reproducibility(root: Path, stage: Path, pages: list[Path], record: dict) -> None:
    """Replace the staged reproducibility page (if the toc lists one) by the generated one."""
    page = next((p for p in pages if p.stem == REPRODUCIBILITY and p.suffix == ".md"), None)
    if page is None:
        return
    (stage / page.relative_to(root)).write_text(reproducibility.render(record), encoding="utf-8")
