"""``qbp report FILE --observable TEXT [-o OUT] [-p NAME VALUE]…``: a circuit's trainability
report as a standalone HTML page (SPEC §13).

The report is a notebook shipped inside the package (``qbp/book/templates/report.ipynb``, so
an installed qbp has it), parametrized by the circuit file, the observable and the settings of
:func:`qbp.report.trainability_report`. :func:`make_report` checks everything first — the file
exists and :func:`qbp.read_qasm` reads it, :func:`qbp.pauli_sum` reads the observable for that
circuit's qubits, every ``-p`` names a parameter of the notebook and has its declared type,
:func:`qbp.report.check_settings` accepts the values, the output can be written — and raises
:class:`~qbp.book.build.UsageError` (exit status 2) before anything is written. Then it
executes the notebook with papermill (:func:`qbp.book.build.execute`: this interpreter, no
progress bars on the page) in a scratch folder beside the output, with a copy of the circuit
file (the page names the file, never a local path), exports it to HTML with nbconvert's
``HTMLExporter`` (code hidden, figures embedded as data URIs), and only then moves the
executed notebook and the page into place: a failure leaves no HTML, only the partially
executed notebook as ``<stem>.failed.ipynb`` where the notebook would have gone.

Output (``-o OUT``): a path ending in ``.html`` is the page, with the executed notebook beside
it (``<name>.ipynb``); any other path is a folder that gets ``<stem>.html`` and
``<stem>.ipynb`` (``<stem>`` the circuit file's name without its suffix). Default: the folder
``report-<stem>`` in the current folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from . import parameters as params_module
from .build import BuildFailed, UsageError, execute, failed_path, inspect_notebook, parse_overrides

__all__ = ["TEMPLATE", "make_report", "output_paths", "check_report", "to_html",
           "circuits_folder"]

#: The report notebook, shipped as package data.
TEMPLATE = Path(__file__).with_name("templates") / "report.ipynb"
#: Parameters set by the command line itself, not by ``-p``.
_FIXED = {"circuit_file": "FILE", "observable": "--observable"}


def circuits_folder(start: Path | None = None) -> Path:
    """The book's folder of OpenQASM circuits (``book/circuits``, with ``reference.json``):
    ``circuits`` beside the page or ``book/circuits`` below a folder above ``start`` (default:
    the working folder, where ``qbp build`` and ``qbp run`` execute a page), else the one of
    the checkout qbp was installed from. FileNotFoundError if there is none."""
    start = Path.cwd() if start is None else Path(start)
    checkout = Path(__file__).resolve().parents[2]
    for folder in (start.resolve(), *start.resolve().parents, checkout):
        for candidate in (folder / "circuits", folder / "book" / "circuits"):
            if (candidate / "reference.json").is_file():
                return candidate
    raise FileNotFoundError(f"no folder circuits/ or book/circuits/ with reference.json in "
                            f"{start} or above it, nor in {checkout}")


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


def output_paths(file: Path, output: Path | None = None) -> tuple[Path, Path]:
    """(HTML page, executed notebook) for circuit ``file`` and ``-o`` ``output`` (see the
    module docstring). Raises UsageError for an output that is an existing file but not an
    .html page, a name ending in .ipynb, or an .html path that is an existing folder."""
    stem = Path(file).stem
    if output is None:
        folder = Path(f"report-{stem}")
        return (folder / f"{stem}.html").absolute(), (folder / f"{stem}.ipynb").absolute()
    output = Path(output)
    if output.suffix.lower() == ".html":
        if output.is_dir():
            raise UsageError(f"output {output} is a folder; give a folder without .html or "
                             f"another .html path")
        return output.absolute(), output.with_suffix(".ipynb").absolute()
    if output.suffix.lower() == ".ipynb":
        raise UsageError(f"output {output} must be a folder or an .html path (the executed "
                         f"notebook is written beside the page)")
    if output.exists() and not output.is_dir():
        raise UsageError(f"output {output} is an existing file, not a folder or an .html path")
    return (output / f"{stem}.html").absolute(), (output / f"{stem}.ipynb").absolute()


def check_report(file, observable: str, pairs=()) -> tuple[Any, dict[str, Any]]:
    """Everything ``qbp report`` checks before it runs; returns (the circuit, the values to
    inject into the notebook). Raises UsageError with a one-line message."""
    from .. import pauli_sum, read_qasm
    from ..report import check_settings

    file = Path(file)
    if not file.is_file():
        raise UsageError(f"no such OpenQASM file: '{file}'")
    try:
        circuit = read_qasm(file)
    except (ValueError, TypeError, OSError) as err:  # QasmError is a ValueError
        raise UsageError(_one_line(err)) from None
    if not isinstance(observable, str) or not observable.strip():
        raise UsageError("--observable must be a Pauli sum such as 'Z0 Z1 + 0.5 X0'")
    try:
        pauli_sum(observable, circuit.n_qubits)
    except (ValueError, TypeError) as err:
        raise UsageError(f"--observable '{observable}' for {circuit.n_qubits} qubits: "
                         f"{_one_line(err)}") from None
    overrides = parse_overrides(list(pairs))
    declared = inspect_notebook(TEMPLATE).parameters
    for name, value in overrides.items():
        if name in _FIXED:
            raise UsageError(f"parameter '{name}' is set by {_FIXED[name]}, not by -p")
        if name not in declared:
            known = ", ".join(n for n in declared if n not in _FIXED)
            raise UsageError(f"unknown parameter '{name}' for qbp report (known: {known})")
        try:
            overrides[name] = params_module.check(value, declared[name].type, name,
                                                  " of qbp report (from -p)")
        except params_module.ParameterError as err:
            raise UsageError(str(err)) from None
    settings = {name: overrides.get(name, p.default) for name, p in declared.items()
                if name not in _FIXED}
    try:
        check_settings(circuit, **settings)
    except (ValueError, TypeError) as err:
        raise UsageError(_one_line(err)) from None
    return circuit, overrides


def to_html(notebook: Path, title: str) -> str:
    """The executed ``notebook`` as one standalone HTML page: nbconvert's ``HTMLExporter``
    with code cells and prompts hidden; figures are PNG data URIs in the page itself."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _scrub_paths(notebook: Path, names: dict[str, str]) -> None:
    """Replace papermill's record of local paths in the executed notebook by plain names."""
    nb = nbformat.read(notebook, as_version=4)
    record = nb.metadata.get("papermill")
    if isinstance(record, dict):
        record.update(names)
        nbformat.write(nb, notebook)


def _existing_ancestor(path: Path) -> Path:
    for folder in (path, *path.parents):
        if folder.is_dir():
            return folder
    return Path.cwd()


def make_report(file, observable: str, pairs=(), output: Path | None = None) -> Path:
    """Check, execute and export the trainability report of ``file`` (see the module
    docstring); returns the HTML page's path. Raises UsageError (nothing written),
    BuildFailed (the notebook or kernel failed; no HTML) or Interrupted."""
    file = Path(file)
    _, overrides = check_report(file, observable, pairs)
    html, notebook = output_paths(file, output)
    stem = file.stem
    scratch = Path(tempfile.mkdtemp(prefix=f".{stem}.report-", dir=_existing_ancestor(html.parent)))
    try:
        shutil.copyfile(file, scratch / file.name)
        executed = scratch / notebook.name
        execute(TEMPLATE, executed, {"circuit_file": file.name, "observable": observable,
                                     **overrides},
                progress=sys.stderr.isatty(), cwd=scratch, failed=failed_path(notebook))
        _scrub_paths(executed, {"input_path": TEMPLATE.name, "output_path": notebook.name,
                                "cwd": "."})
        try:
            page = to_html(executed, f"Trainability report: {file.name}")
        except Exception as err:  # nbconvert's errors come in many types
            raise BuildFailed(f"the report page could not be written: {type(err).__name__}: "
                              f"{_one_line(err)[:300]}") from None
        (scratch / html.name).write_text(page, encoding="utf-8")
        html.parent.mkdir(parents=True, exist_ok=True)
        notebook.parent.mkdir(parents=True, exist_ok=True)
        os.replace(executed, notebook)  # the notebook first: a page always has its notebook
        os.replace(scratch / html.name, html)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return html
