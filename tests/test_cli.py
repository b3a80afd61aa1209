"""The ``qbp`` command line on a tiny fixture book, so these tests never run the physics chapters.

Only ``test_build_makes_html_and_leaves_sources_alone`` runs Jupyter Book (a few seconds).
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import fixture_book
from qbp.book import build
from qbp.book.cli import main

REPO = Path(__file__).resolve().parents[1]


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("n = 2  # a number\nlabel = 'x'  # a word")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Chapter"),
        parameters,
        nbformat.v4.new_code_cell("import sys\nprint(sys.executable)\nprint(n, label)"),
        nbformat.v4.new_code_cell("if n > 5:\n    raise ValueError(f'n too big: {n}')"),
    ]
    return nb


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
    "text, value",
    [
        ("180", 180),
        ("0.5", 0.5),
        ("true", True),
        ("[90, 180]", [90, 180]),
        ("hello", "hello"),
        ("'007'", "007"),
        ("2024-01-01", "2024-01-01"),
        ("", ""),
    ],
)
def test_parse_value_reads_yaml(text, value):
    assert build.parse_value(text) == value
    assert type(build.parse_value(text)) is type(value)


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
    assert capsys.readouterr().err == "qbp: error: unknown parameter 'foo' for chapter ch (known: n, label)\n"


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


def test_failing_notebook_exits_1_names_cell_and_leaves_no_html(book, capsys):
    stale = book / "_build" / "html"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("an old book")

    assert qbp("build", "--root", str(book), "-p", "n", "9") == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("qbp: error: notebook ch failed in cell In [")
    assert "ValueError: n too big: 9" in last
    partial = book / "_build" / "stage" / "book" / "ch.ipynb"
    assert str(partial.relative_to(book)) in last or str(partial) in last
    assert partial.is_file()
    assert not stale.exists()


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


def test_repository_profiles_match_its_chapters():
    """book/profiles.yml names only parameters that the chapters' ``parameters`` cells have."""
    notebooks = build.chapters(REPO, strict=False)
    if not notebooks:
        pytest.skip("no chapter notebook in the repository yet")
    for name in ("quick", "paper"):
        profile = build.load_profile(REPO, name)
        build.resolve_parameters(notebooks, {k: v for k, v in profile.items() if k in notebooks}, {})


def test_build_keeps_chapter_caches_between_builds(book, monkeypatch):
    """A chapter with a ``cache_dir`` parameter gets _build/cache, which outlives the stage."""
    import qbp.book.build as build_module

    nb = _notebook()
    nb.cells[1].source += "\ncache_dir = 'cache'  # where saved sweeps go"
    nb.cells[3].source = ("from pathlib import Path\nseen = Path(cache_dir) / 'runs.txt'\n"
                          "seen.parent.mkdir(parents=True, exist_ok=True)\n"
                          "seen.write_text(seen.read_text() + 'x' if seen.exists() else 'x')")
    nbformat.write(nb, book / "book" / "ch.ipynb")

    def fake_jupyter_book(source, output, strict, log):
        (output / "_build" / "html").mkdir(parents=True)
        (output / "_build" / "html" / "index.html").write_text("ok")
        return 0

    monkeypatch.setattr(build_module, "_jupyter_book", fake_jupyter_book)
    for _ in range(2):
        assert qbp("build", "--profile", "quick", "--root", str(book)) == 0
    assert (book / "_build" / "cache" / "runs.txt").read_text() == "xx"
