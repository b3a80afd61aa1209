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
