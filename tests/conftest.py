"""Shared test helpers."""

from pathlib import Path

import nbformat


def fixture_book(root: Path, notebook: nbformat.NotebookNode, profiles: str,
                 pages: dict[str, str] | None = None) -> Path:
    """A tiny repository at ``root``: _config.yml, _toc.yml, a landing page, the chapter
    ``book/ch.ipynb`` and ``book/profiles.yml``; ``pages`` (stem -> markdown) follow ``ch``."""
    pages = pages or {}
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text(
        'title: Fixture\nauthor: tests\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: "off"\n'
    )
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n- file: book/ch\n"
                                   + "".join(f"- file: book/{stem}\n" for stem in pages))
    (root / "book" / "intro.md").write_text("# Fixture\n\nA landing page.\n")
    for stem, text in pages.items():
        (root / "book" / f"{stem}.md").write_text(text)
    (root / "book" / "profiles.yml").write_text(profiles)
    nbformat.write(notebook, root / "book" / "ch.ipynb")
    return root


def chapter_notebook(parameters: str, *code: str, metadata: dict | None = None,
                     kernelspec: bool = True) -> nbformat.NotebookNode:
    """A chapter: a title, the ``parameters`` cell ``parameters`` and the cells ``code``."""
    nb = nbformat.v4.new_notebook()
    if kernelspec:
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
    nb.metadata.update(metadata or {})
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Chapter"), cell,
                *(nbformat.v4.new_code_cell(c) for c in code)]
    return nb


def many_chapters_book(root: Path, notebooks: dict[str, nbformat.NotebookNode], profiles: str,
                       pages: dict[str, str] | None = None) -> Path:
    """Like :func:`fixture_book`, with the chapters ``notebooks`` (stem -> notebook, in toc
    order) followed by the markdown ``pages``."""
    pages = pages or {}
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text(
        'title: Fixture\nauthor: tests\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: "off"\n'
    )
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                   + "".join(f"- file: book/{stem}\n" for stem in notebooks)
                                   + "".join(f"- file: book/{stem}\n" for stem in pages))
    (root / "book" / "intro.md").write_text("# Fixture\n\nA landing page.\n")
    for stem, nb in notebooks.items():
        nbformat.write(nb, root / "book" / f"{stem}.ipynb")
    for stem, text in pages.items():
        (root / "book" / f"{stem}.md").write_text(text)
    (root / "book" / "profiles.yml").write_text(profiles)
    return root
