"""Sphinx extension: the appendix is numbered A1, A2, … instead of continuing the chapters.

Jupyter Book numbers every ``numbered`` part of _toc.yml on from the one before
(sphinx-multitoc-numbering), so the appendix's pages would be chapters 8, 9, … and their
figures "Fig. 8.1". Left unnumbered, their figures would share one count with every other
unnumbered page ("Fig. 1", clashing with chapter 1's). This extension renames the numbers of
the pages in the toc part captioned ``qbp_appendix_caption`` (default "Appendix", numbered in
_toc.yml): the k-th page's number becomes ``A<k>`` (``qbp_appendix_prefix``) in its title, its
sections (A1.2), the sidebar and its figures and tables (Fig. A1.3), so every number names one
thing.

It runs after Sphinx assigned the numbers (``env-get-updated``, after the toctree collector)
and rewrites only the first component of each number, which Sphinx prints joined by dots.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes

__all__ = ["setup", "appendix_docs", "relabel"]


def appendix_docs(env, caption: str) -> list[str]:
    """The pages of the root document's toctree captioned ``caption``, in order."""
    root = env.config.root_doc
    if root not in env.found_docs:
        return []
    doctree = env.get_doctree(root)
    for toctree in doctree.findall(addnodes.toctree):
        if toctree.get("caption") == caption:
            return [ref for _title, ref in toctree["entries"] if ref in env.found_docs]
    return []


def _renamed(number, old, new):
    """``number`` (a tuple or list of ints) with its first component ``old`` renamed."""
    if number and number[0] == old:
        return type(number)([new, *number[1:]])
    return number


def relabel(app, env) -> list[str]:
    """Rename the appendix pages' numbers; returns the pages to write again."""
    caption = app.config.qbp_appendix_caption
    prefix = app.config.qbp_appendix_prefix
    changed = []
    for k, doc in enumerate(appendix_docs(env, caption), start=1):
        secnumbers = env.toc_secnumbers.get(doc) or {}
        own = secnumbers.get("")
        if not own:  # the part is not numbered in _toc.yml: nothing to rename
            continue
        old, new = own[0], f"{prefix}{k}"
        if old == new:
            continue
        env.toc_secnumbers[doc] = {a: _renamed(n, old, new) for a, n in secnumbers.items()}
        for reference in env.tocs[doc].findall(nodes.reference):
            if reference.get("secnumber"):
                reference["secnumber"] = _renamed(reference["secnumber"], old, new)
        title = env.titles.get(doc)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = _renamed(title["secnumber"], old, new)
        for numbers in (env.toc_fignumbers.get(doc) or {}).values():
            for target, number in numbers.items():
                numbers[target] = _renamed(number, old, new)
        changed.append(doc)
    return changed


def setup(app):
    app.add_config_value("qbp_appendix_caption", "Appendix", "env")
    app.add_config_value("qbp_appendix_prefix", "A", "env")
    # after the toctree collector (priority 500) has assigned section and figure numbers
    app.connect("env-get-updated", relabel, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
