"""The book pipeline behind ``qbp build`` and ``qbp run``.

Chapters are the notebooks listed in ``_toc.yml``. ``build`` executes each one with papermill
into ``_build/stage/`` (a copy of the book; sources are never touched) and turns the stage into
HTML with Jupyter Book, notebook execution off. ``run`` executes a single chapter.
Every check on the user's input happens before anything is written.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import papermill
import yaml
from ipykernel.kernelspec import get_kernel_dict
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from papermill.exceptions import PapermillExecutionError
from tqdm import tqdm

from . import reproducibility

TOC = "_toc.yml"
CONFIG = "_config.yml"
BOOK = "book"
PROFILES = "book/profiles.yml"
PAGE_SUFFIXES = (".ipynb", ".md")
REPRODUCIBILITY = "reproducibility"  # stem of the page `build` writes into the stage
BINDERHUB = "https://mybinder.org"
_PROVIDERS = ("github.com", "gitlab.com", "bitbucket.org")
# results/: what chapters saved when run by hand inside book/; a build computes its own.
_STAGE_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", "results")


class UsageError(Exception):
    """Bad input (profile, chapter, parameter, repository layout): exit status 2, nothing written."""


class BuildFailed(Exception):
    """A notebook raised or the HTML build failed: exit status 1."""


class SameInterpreterKernelManager(AsyncKernelManager):
    """Start every kernel with the interpreter that runs qbp, whatever kernelspecs are installed.

    A ``python3`` kernelspec in the user's Jupyter path may point at another Python that lacks
    qbp or has other versions of its dependencies; the book must run in this environment.
    """

    @property
    def kernel_spec(self) -> KernelSpec:
        spec = get_kernel_dict()  # ipykernel's own spec, argv[0] = sys.executable
        return KernelSpec(**{k: v for k, v in spec.items() if k in KernelSpec.class_traits()})


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


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
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
    """Parameters per chapter stem for profile ``name`` from book/profiles.yml."""
    path = root / PROFILES
    profiles = _read_yaml(path) if path.is_file() else {}
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
    """A ``-p`` value, read like YAML: ``180`` int, ``0.5`` float, ``true`` bool, ``[90, 180]`` list."""
    if text == "":
        return ""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        where = f"-p {name} value" if name else "value"
        raise UsageError(f"malformed {where} '{text}': not valid YAML (quote it to pass a string)") from None
    # Dates and other YAML-only types would not survive papermill's translation: keep the text.
    return value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else text


def parse_overrides(pairs: list[tuple[str, str]] | list[list[str]]) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs as a dict (later ones win)."""
    overrides = {}
    for name, text in pairs:
        if not name.isidentifier():
            raise UsageError(f"malformed -p: '{name}' is not a valid parameter name")
        overrides[name] = parse_value(text, name)
    return overrides


def notebook_parameters(path: Path) -> dict[str, dict]:
    """The names and defaults of the notebook's ``parameters``-tagged cell."""
    return papermill.inspect_notebook(str(path))


def _unknown(name: str, stem: str, known: dict, where: str = "for") -> UsageError:
    listed = ", ".join(known) or "none"
    return UsageError(f"unknown parameter '{name}' {where} chapter {stem} (known: {listed})")


def resolve_parameters(
    notebooks: dict[str, Path], profile: dict[str, dict], overrides: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Profile parameters plus overrides for each chapter, checked against each notebook.

    An override applies to every chapter that has a parameter of that name; a name that no
    chapter has, or a profile entry the notebook does not have, is an error.
    """
    extra = sorted(set(profile) - set(notebooks))
    if extra:
        known = ", ".join(notebooks) or "none"
        raise UsageError(f"{PROFILES} names chapter '{extra[0]}', not a notebook in {TOC} (known: {known})")
    known = {stem: notebook_parameters(path) for stem, path in notebooks.items()}
    resolved = {}
    for stem in notebooks:
        params = dict(profile.get(stem) or {})
        for name in params:
            if name not in known[stem]:
                raise _unknown(name, stem, known[stem], where="in the profile for")
        params.update({k: v for k, v in overrides.items() if k in known[stem]})
        resolved[stem] = params
    for name in overrides:
        if not any(name in names for names in known.values()):
            if len(known) == 1:
                raise _unknown(name, *next(iter(known.items())))
            raise UsageError(f"unknown parameter '{name}': no chapter has it")
    return resolved


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
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def execute(source: Path, output: Path, parameters: dict[str, Any], progress: bool = True) -> None:
    """Execute ``source`` into ``output`` with papermill, in ``output``'s folder, on this Python."""
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters,
            cwd=str(output.parent),
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
            f"{err.ename}: {evalue}; partially executed notebook: {_relative(output)}"
        ) from None
    except Exception as err:  # the kernel died, timed out or could not start
        message = " ".join(str(err).split())[:300]
        raise BuildFailed(f"notebook {source.stem} could not be executed: {type(err).__name__}: {message}") from err


def run(
    root: Path,
    chapter: str,
    profile: str | None = None,
    pairs: list | tuple = (),
    output: Path | None = None,
) -> Path:
    """Execute one chapter (a toc stem or a notebook path) and return the executed notebook."""
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
    stem = source.stem
    chosen = load_profile(root, profile).get(stem) if profile else None
    params = resolve_parameters({stem: source}, {stem: chosen} if chosen else {}, overrides)[stem]
    output = Path(output) if output else root / "_build" / "run" / f"{stem}.ipynb"
    if output.resolve() == source.resolve():
        raise UsageError(f"output {output} is the chapter itself; sources are never overwritten")
    execute(source, output, params)
    return output


def _stage(root: Path, stage: Path, pages: list[Path], repository_url: str | None = None,
           repository_branch: str = "main") -> None:
    """Copy config, toc, book/ and any toc page outside book/ into a fresh ``stage``.

    With ``repository_url`` the staged _config.yml gets the repository, a repository button
    and Binder launch buttons (on notebook pages); the sources are never changed.
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
    if not executes and repository_url is None:
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


def _write_reproducibility(root: Path, stage: Path, pages: list[Path], profile: str,
                           settings: dict, overrides: dict, seconds: dict[str, float],
                           started: datetime.datetime) -> None:
    """Replace the staged reproducibility page (if the toc lists one) by the generated one."""
    page = next((p for p in pages if p.stem == REPRODUCIBILITY and p.suffix == ".md"), None)
    if page is None:
        return
    runs = []
    for stem, source in ((p.stem, p) for p in pages if p.suffix == ".ipynb"):
        defaults = notebook_parameters(source)
        applied = {k: v for k, v in overrides.items() if k in defaults}
        rows = reproducibility.parameter_rows(defaults, profile, settings.get(stem) or {}, applied)
        runs.append(reproducibility.ChapterRun(stem, rows, seconds[stem]))
    text = reproducibility.render(runs, profile, overrides, reproducibility.environment(root),
                                  started)
    (stage / page.relative_to(root)).write_text(text, encoding="utf-8")


def build(root: Path, profile: str = "quick", pairs: list | tuple = (), strict: bool = False,
          repository_url: str | None = None, repository_branch: str = "main") -> Path:
    """Execute every chapter of ``profile`` into _build/stage and build _build/html; returns index.html.

    ``repository_url`` (a public GitHub/GitLab/Bitbucket repository) adds a repository
    button and Binder launch buttons to the staged configuration; without it there are none.
    The toc's ``reproducibility`` page, if any, is generated with versions, machine,
    parameters and wall times.
    """
    overrides = parse_overrides(list(pairs))
    repository_url = check_repository_url(repository_url)
    if repository_url is not None and not repository_branch.strip():
        raise UsageError("the repository branch must not be empty")
    pages = toc_pages(root)
    notebooks = {p.stem: p for p in pages if p.suffix == ".ipynb"}
    settings = load_profile(root, profile)
    parameters = resolve_parameters(notebooks, settings, overrides)

    out = root / "_build"
    # Saved sweeps live outside the stage (which each build wipes), so a rebuild reuses what
    # it already computed; the sweeps' own keys (every parameter + qbp version) decide reuse.
    for stem, source in notebooks.items():
        if "cache_dir" in notebook_parameters(source) and "cache_dir" not in parameters[stem]:
            parameters[stem]["cache_dir"] = str(out / "cache")
    html = out / "html"
    if html.exists():  # a failed build must never leave an old book that looks like a new one
        shutil.rmtree(html)
    stage = out / "stage"
    _stage(root, stage, pages, repository_url, repository_branch.strip())

    started = datetime.datetime.now(datetime.timezone.utc)
    seconds = {}
    with tqdm(notebooks.items(), unit="notebook", file=sys.stderr) as bar:
        for stem, source in bar:
            bar.set_description(f"executing {stem}")
            begin = time.perf_counter()
            execute(source, stage / source.relative_to(root), parameters[stem])
            seconds[stem] = time.perf_counter() - begin
    _write_reproducibility(root, stage, pages, profile, settings, overrides, seconds, started)

    scratch = Path(tempfile.mkdtemp(prefix="html-", dir=out))
    log = out / "jupyter-book.log"
    print(f"building HTML with jupyter-book (log: {_relative(log)})", file=sys.stderr)
    try:
        status = _jupyter_book(stage, scratch, strict, log)
        built = scratch / "_build" / "html"
        if status != 0 or not (built / "index.html").is_file():
            raise BuildFailed(f"jupyter-book build failed (exit status {status}); full log: {_relative(log)}")
        built.rename(html)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return html / "index.html"
