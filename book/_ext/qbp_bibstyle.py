"""Sphinx extension: bibliography labels that match the book's author–year citations.

sphinxcontrib-bibtex prints the reference list with pybtex's *alpha* labels ([MBS+18]) while
the text cites author–year ("McClean et al., 2018"). This registers a pybtex formatting style
``qbp_author_year`` whose labels are the same author–year text as sphinxcontrib-bibtex's
``author_year`` citations ("Kingma and Ba, 2014", "McClean et al., 2018"), so a reader finds
an in-text citation in the list under the words it was cited with. Selected in _config.yml with
``bibtex_default_style: qbp_author_year``.
"""

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle


def _surname(person) -> str:
    return " ".join(person.prelast_names + person.last_names) or " ".join(person.first_names)


class AuthorYearLabels(BaseLabelStyle):
    """"Author, 2018", "Author and Other, 2018", "Author et al., 2018" (as the text cites);
    a or b appended to distinguish equal labels."""

    def format_labels(self, sorted_entries):
        labels = []
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [_surname(p) for p in people]
            if not names:
                who = entry.fields.get("title", entry.key)[:20]
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            labels.append(f"{who}, {entry.fields.get('year', 'n.d.')}")
        seen, original = {}, list(labels)
        for i, label in enumerate(original):
            if original.count(label) > 1:  # count the labels before any got its letter
                seen[label] = seen.get(label, 0) + 1
                labels[i] = label + "abcdefghij"[seen[label] - 1]
        yield from (label.replace("{", "").replace("}", "") for label in labels)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = SortingStyle


def setup(app):
    register_plugin("pybtex.style.formatting", "qbp_author_year", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
