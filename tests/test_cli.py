"""The ``qbp`` command line on a tiny fixture book, so these tests never run the physics chapters.

The tests that build HTML run Jupyter Book on the fixture (a few seconds each); the ones that
stop a run send real signals to a ``qbp`` process.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import chapter_notebook, fixture_book
from qbp.book import build
from qbp.book.cli import main

REPO = Path(__file__).resolve().parents[1]


PARAMETERS = ("n: int = 2  # a number\nlabel: str = 'x'  # a word\n"
              "tol: float = 0.5  # a tolerance\nnap: float = 0  # seconds to sleep")
SAVE = ("import json, pathlib, time\ntime.sleep(nap)\npathlib.Path('results').mkdir(exist_ok=True)\n"
        "pathlib.Path('results/ch.json').write_text(json.dumps({'n': n, 'tol': tol}))")


def _notebook(**kwargs) -> nbformat.NotebookNode:
    return chapter_notebook(
        PARAMETERS,
        "import sys\nprint(sys.executable)\nprint(n, label)",
        SAVE,
        "if n > 5:\n    raise ValueError(f'n too big: {n}')",
        **kwargs,
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A repository with _config.yml, _toc.yml, a landing page, one chapter ``ch`` and profiles."""
    return fixture_book(tmp_path / "repo", _notebook(),
                        "quick:\n  ch: {n: 3}\npaper:\n  ch: {n: 4, label: paper}\n")


def qbp(*argv: str) -> int:
    """``main`` as the shell sees it: the exit status, also when argparse exits."""
    try:
        return main(list(argv))
    except SystemExit as exit:
        return exit.code


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def printed(notebook: Path) -> str:
    """Everything the executed notebook printed."""
    nb = nbformat.read(notebook, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize(
    "argv, named",
    [
        (["build", "--profile", "nope"], "'nope'"),
        (["run", "nope"], "'nope'"),
        (["run", "missing.ipynb"], "'missing.ipynb'"),
        (["run", "ch", "--profile", "nope"], "'nope'"),
        (["build", "-p", "foo", "1"], "'foo'"),
        (["run", "ch", "-p", "foo", "1"], "'foo'"),
        (["build", "-p", "n", "[1, 2"], "'[1, 2'"),
        (["build", "-p", "1n", "3"], "'1n'"),
        (["run", "ch", "-p", "n"], "-p"),
        (["build", "--root", "elsewhere"], "elsewhere"),
        (["run", "ch", "-p", "n", "16.9"], "parameter 'n' of chapter ch (from -p) must be int, got float 16.9"),
        (["run", "ch", "-p", "n", "null"], "parameter 'n' of chapter ch (from -p) must be int, got null"),
        (["build", "-p", "tol", "-1e-3x"], "parameter 'tol' of chapter ch (from -p) must be float, got str '-1e-3x'"),
        (["build", "-p", "label", "3"], "'label'"),
        (["build", "-p", "tol", ".nan"], "must be a finite number"),
        (["build", "--jobs", "0"], "--jobs"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_write_nothing(book, monkeypatch, capsys, argv, named):
    monkeypatch.chdir(book)
    before = tree_hashes(book)
    assert qbp(*argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("qbp: error: ") and err.count("\n") == 1, err
    assert named in err
    assert tree_hashes(book) == before
    assert not (book / "_build").exists()


def test_unknown_parameter_message_lists_the_known_ones(book, monkeypatch, capsys):
    monkeypatch.chdir(book)
    assert qbp("run", "ch", "-p", "foo", "1") == 2
    assert capsys.readouterr().err == ("qbp: error: unknown parameter 'foo' for chapter ch "
                                       "(known: n, label, tol, nap)\n")


def test_profile_naming_an_unknown_parameter_is_a_usage_error(book, capsys):
    (book / "book" / "profiles.yml").write_text("quick:\n  ch: {resolution: 60}\n")
    assert qbp("build", "--root", str(book)) == 2
    assert "unknown parameter 'resolution' in the profile for chapter ch" in capsys.readouterr().err
    assert not (book / "_build").exists()


def test_toc_entry_without_a_file_is_a_usage_error(book, capsys):
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n- file: book/gone\n")
    assert qbp("build", "--root", str(book)) == 2
    assert "book/gone" in capsys.readouterr().err


def test_run_uses_this_python_profile_and_overrides(book, monkeypatch, capsys, tmp_path):
    # A "python3" kernelspec that cannot start: qbp must not use it, but the running interpreter.
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps({"argv": ["/nonexistent/python", "-f", "{connection_file}"], "display_name": "bogus", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.chdir(book / "book")  # the root is found upwards from cwd
    before = tree_hashes(book / "book")

    assert qbp("run", "ch", "--profile", "paper", "-p", "n", "5") == 0
    output = book / "_build" / "run" / "ch.ipynb"
    assert capsys.readouterr().out.strip() == str(output)
    executable, values = printed(output).splitlines()
    assert os.path.realpath(executable) == os.path.realpath(sys.executable)
    assert values == "5 paper"  # n from -p wins over the profile, label from the profile
    assert tree_hashes(book / "book") == before


def test_the_page_shows_the_parameters_that_ran(book, capsys):
    """The chapter's own parameters cell shows each value the run changed, its default in the
    comment; papermill's injected cell is hidden from the page; no local folder is recorded.
    qbp still reads the committed notebook's defaults."""
    assert qbp("run", "ch", "--root", str(book), "--profile", "paper", "-p", "tol", "1") == 0
    output = book / "_build" / "run" / "ch.ipynb"
    nb = nbformat.read(output, as_version=4)
    own = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert own.source.splitlines() == [
        "n: int = 4  # a number (default 2)",         # from the profile
        'label: str = "paper"  # a word (default \'x\')',
        "tol: float = 1.0  # a tolerance (default 0.5)",  # -p, widened to the declared float
        "nap: float = 0  # seconds to sleep"]           # not given: as committed
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "remove-cell" in injected.metadata["tags"]
    assert printed(output).splitlines()[-1] == "4 paper"
    assert (nb.metadata.papermill.input_path, nb.metadata.papermill.output_path) == (
        "ch.ipynb", "ch.ipynb")
    assert str(book) not in output.read_text()
    declared = build.notebook_parameters(book / "book" / "ch.ipynb")
    assert (declared["n"].default, declared["tol"].default) == (2, 0.5)


def fake_jupyter_book(calls: list):
    """A stand-in for Jupyter Book that writes an index page and counts its calls."""
    def build_html(source, output, strict, log):
        calls.append(source)
        (output / "_build" / "html").mkdir(parents=True)
        (output / "_build" / "html" / "index.html").write_text(f"book {len(calls)}")
        return 0
    return build_html


def test_profile_values_are_checked_against_the_declared_types(book, capsys):
    for value, message in [("16.9", "must be int, got float 16.9"), ("", "must be int, got null (a value is required)"),
                           ("'3'", "must be int, got str '3'")]:
        (book / "book" / "profiles.yml").write_text(f"quick:\n  ch: {{n: {value}}}\n")
        assert qbp("build", "--root", str(book)) == 2
        err = capsys.readouterr().err
        assert err == f"qbp: error: parameter 'n' of chapter ch (from profile quick) {message}\n"
    (book / "book" / "profiles.yml").write_text("quick:\n  ch: {tol: 1e-3, n: 3}\n")
    assert qbp("run", "ch", "--root", str(book), "--profile", "quick") == 0
    saved = json.loads((book / "_build" / "run" / "results" / "ch.json").read_text())
    assert saved == {"n": 3, "tol": 0.001}  # YAML 1.1 would have passed the string '1e-3'
    assert not (book / "_build" / "stage").exists()


def test_negative_numbers_reach_the_value_check(book, capsys):
    """``-p tol -1e-3`` is a value, not an option (argparse alone says "expected 2 arguments")."""
    assert qbp("run", "ch", "--root", str(book), "-p", "tol", "-1e-3", "-p", "n", "-4") == 0
    saved = json.loads((book / "_build" / "run" / "results" / "ch.json").read_text())
    assert saved == {"n": -4, "tol": -0.001}
    assert qbp("run", "ch", "--root", str(book), "-p", "n", "-1e-3") == 2
    assert "parameter 'n' of chapter ch (from -p) must be int, got float -0.001" in capsys.readouterr().err


def test_int_for_a_float_parameter_is_widened(book):
    assert qbp("run", "ch", "--root", str(book), "-p", "tol", "2") == 0
    saved = json.loads((book / "_build" / "run" / "results" / "ch.json").read_text())
    assert saved["tol"] == 2.0 and isinstance(saved["tol"], float)


def test_parameter_without_annotation_is_refused_at_inspection(book, capsys):
    nb = chapter_notebook("n = 2  # a number", "print(n)")
    nbformat.write(nb, book / "book" / "ch.ipynb")
    assert qbp("run", "ch", "--root", str(book)) == 2
    assert capsys.readouterr().err == ("qbp: error: notebook ch: parameter 'n' has no type "
                                       "annotation; qbp checks every value against it (write "
                                       "e.g. `n: int = 2`)\n")
    assert not (book / "_build").exists()


def test_chapter_without_kernelspec_runs_on_this_python(book, capsys):
    nbformat.write(_notebook(kernelspec=False), book / "book" / "ch.ipynb")
    assert "kernelspec" not in nbformat.read(book / "book" / "ch.ipynb", as_version=4).metadata
    assert qbp("run", "ch", "--root", str(book), "-p", "n", "4") == 0
    executable, values = printed(book / "_build" / "run" / "ch.ipynb").splitlines()
    assert os.path.realpath(executable) == os.path.realpath(sys.executable)
    assert values == "4 x"


def test_unreadable_notebook_is_one_line(book, capsys):
    (book / "book" / "ch.ipynb").write_text("{not json")
    assert qbp("build", "--root", str(book)) == 2
    err = capsys.readouterr().err
    assert err.startswith("qbp: error: cannot read notebook ") and err.count("\n") == 1


def test_failing_build_names_the_partial_notebook_and_keeps_the_old_book(book, capsys):
    old = book / "_build" / "html"
    old.mkdir(parents=True)
    (old / "index.html").write_text("an old book")

    assert qbp("build", "--root", str(book), "-p", "n", "9") == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("qbp: error: notebook ch failed in cell In [")
    assert "ValueError: n too big: 9" in last
    partial = book / "_build" / "stage" / "book" / "ch.failed.ipynb"
    assert last.endswith(f"partially executed notebook: {partial}")
    assert "n too big" in json.dumps(nbformat.read(partial, as_version=4).cells[-1].outputs)
    assert (old / "index.html").read_text() == "an old book"  # kept until a new one is complete
    assert not list((book / "_build").glob("html-*"))
    assert not list((book / "_build" / "chapters").glob(".partial-*"))
    assert not (book / "_build" / "manifest.json").exists()


def test_failed_run_keeps_the_good_output(book, capsys):
    assert qbp("run", "ch", "--root", str(book), "-p", "n", "3") == 0
    out = book / "_build" / "run"
    good = {name: (out / name).read_bytes()
            for name in ("ch.ipynb", "results/ch.json", "ch.manifest.json")}
    capsys.readouterr()

    assert qbp("run", "ch", "--root", str(book), "-p", "n", "8") == 1  # fails after saving results
    err = capsys.readouterr().err  # papermill's progress bar, then one line
    assert [line for line in err.splitlines() if "qbp" in line] == [err.strip().splitlines()[-1]]
    assert err.strip().endswith(f"partially executed notebook: {out / 'ch.failed.ipynb'}")
    assert {name: (out / name).read_bytes() for name in good} == good
    assert "8 x" in printed(out / "ch.failed.ipynb")
    assert sorted(p.name for p in out.iterdir()) == ["ch.failed.ipynb", "ch.ipynb",
                                                     "ch.manifest.json", "results"]

    assert qbp("run", "ch", "--root", str(book), "-p", "n", "4") == 0  # success: no stale partial
    assert not (out / "ch.failed.ipynb").exists()
    assert json.loads((out / "results" / "ch.json").read_text())["n"] == 4


def _start_qbp(book: Path, *argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qbp", *argv, "--root", str(book)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _kernel_sleeping(folder: Path):
    """True once a notebook executing into ``folder`` has reached its sleeping cell."""
    def check():
        for path in folder.rglob(".*.running.ipynb"):
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:  # being written
                continue
            if any(c.get("execution_count") for c in nb.cells if c.cell_type == "code"):
                return True
        return False
    return check


@pytest.mark.parametrize("signum, status, name", [(signal.SIGINT, 130, "Ctrl-C"),
                                                  (signal.SIGTERM, 143, "SIGTERM")])
def test_interrupted_run_ends_in_one_line_and_keeps_the_good_output(book, signum, status, name):
    assert qbp("run", "ch", "--root", str(book), "-p", "n", "3") == 0
    out = book / "_build" / "run"
    good = (out / "ch.ipynb").read_bytes(), (out / "results" / "ch.json").read_bytes()

    process = _start_qbp(book, "run", "ch", "-p", "n", "4", "-p", "nap", "60")
    _wait_for(_kernel_sleeping(out))
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == status
    lines = [line for line in err.splitlines() if line.startswith("qbp")]
    assert lines == [f"qbp: error: stopped by {name}: notebook ch interrupted; partially "
                     f"executed notebook: {out / 'ch.failed.ipynb'}"]
    assert "Traceback" not in err
    assert ((out / "ch.ipynb").read_bytes(), (out / "results" / "ch.json").read_bytes()) == good
    assert (out / "ch.failed.ipynb").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["ch.failed.ipynb", "ch.ipynb",
                                                     "ch.manifest.json", "results"]


def test_interrupted_build_cleans_up_and_keeps_the_old_book(book):
    old = book / "_build" / "html"
    old.mkdir(parents=True)
    (old / "index.html").write_text("an old book")
    process = _start_qbp(book, "build", "-p", "nap", "60")
    _wait_for(_kernel_sleeping(book / "_build" / "chapters"))
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143
    assert [line for line in err.splitlines() if line.startswith("qbp")] == [
        f"qbp: error: stopped by SIGTERM: interrupted while executing ch; partially executed "
        f"notebooks: {book / '_build' / 'stage' / 'book' / 'ch.failed.ipynb'}"]
    assert (old / "index.html").read_text() == "an old book"
    assert not list((book / "_build").glob("html-*"))
    assert not list((book / "_build" / "chapters").iterdir())  # nothing cached, no scratch
    assert not list(book.rglob(".*.running.ipynb"))


def test_second_build_waits_for_the_first(book):
    """Two builds in one folder: the second says so and waits for the lock; both succeed."""
    first = _start_qbp(book, "build", "-p", "nap", "4")
    _wait_for(lambda: (book / "_build" / ".lock").is_file()
              and (book / "_build" / ".lock").read_text().strip() == str(first.pid))
    second = _start_qbp(book, "build", "-p", "nap", "4")
    _, err_second = second.communicate(timeout=300)
    _, err_first = first.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), err_first + err_second
    assert (f"qbp: another build is running in {book / '_build'} (process {first.pid}); "
            f"waiting for it to finish") in err_second
    manifest = json.loads((book / "_build" / "manifest.json").read_text())
    assert manifest["chapters"]["ch"]["executed"] is False  # the second reused the first's work


def test_build_makes_html_and_leaves_sources_alone(book, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)  # not inside the repository: --root finds it
    before = tree_hashes(book)

    assert qbp("build", "--profile", "quick", "--root", str(book), "--strict", "-p", "label", "built") == 0
    index = book / "_build" / "html" / "index.html"
    assert capsys.readouterr().out.strip() == str(index)
    assert index.is_file()
    assert "3 built" in printed(book / "_build" / "stage" / "book" / "ch.ipynb")
    assert "3 built" in (book / "_build" / "html" / "book" / "ch.html").read_text()
    assert not list((book / "_build").glob("html-*"))  # the scratch folder is gone
    assert {k: v for k, v in tree_hashes(book).items() if not k.startswith("_build")} == before


def test_python_m_qbp_is_the_same_command(book):
    result = subprocess.run(
        [sys.executable, "-m", "qbp", "run", "nope", "--root", str(book)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == "qbp: error: unknown chapter 'nope' (known: ch)\n"


def test_unexpected_errors_are_one_line(book, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("jupyter exploded\n  in detail")

    monkeypatch.setattr(build.papermill, "execute_notebook", broken)
    assert qbp("run", "ch", "--root", str(book)) == 1
    assert capsys.readouterr().err == ("qbp: error: notebook ch could not be executed: "
                                       "RuntimeError: jupyter exploded in detail\n")
    monkeypatch.setattr(build, "inspect_notebook", broken)
    assert qbp("run", "ch", "--root", str(book)) == 1
    assert capsys.readouterr().err == ("qbp: error: RuntimeError: jupyter exploded in detail "
                                       "(QBP_DEBUG=1 shows the traceback)\n")


def test_cache_dir_is_given_a_folder_every_build_keeps(book, monkeypatch):
    """A chapter with a ``cache_dir`` parameter gets <root>/_build/cache (the stage is wiped
    by every build); a relative one from -p is taken from the repository root."""
    nb = chapter_notebook(
        "n: int = 2  # a number\ncache_dir: str = 'cache'  # where saved sweeps go",
        "from pathlib import Path\nseen = Path(cache_dir) / 'runs.txt'\n"
        "seen.parent.mkdir(parents=True, exist_ok=True)\n"
        "seen.write_text(seen.read_text() + 'x' if seen.exists() else 'x')")
    nbformat.write(nb, book / "book" / "ch.ipynb")
    monkeypatch.setattr(build, "_jupyter_book", fake_jupyter_book([]))
    for n in (3, 4):  # two builds that both execute the chapter
        assert qbp("build", "--profile", "quick", "--root", str(book), "-p", "n", str(n)) == 0
    assert (book / "_build" / "cache" / "runs.txt").read_text() == "xx"
    manifest = json.loads((book / "_build" / "manifest.json").read_text())
    assert manifest["chapters"]["ch"]["parameters"]["cache_dir"] == {
        "value": str(book / "_build" / "cache"), "origin": "qbp build", "type": "str",
        "help": "where saved sweeps go", "text": '"_build/cache"'}  # pages name no local folder
    assert qbp("run", "ch", "--root", str(book), "-p", "cache_dir", "mine") == 0
    assert (book / "mine" / "runs.txt").read_text() == "x"
    assert qbp("run", "ch", "--root", str(book)) == 0
    assert (book / "_build" / "cache" / "runs.txt").read_text() == "xxx"
