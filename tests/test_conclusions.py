"""The conclusions page: executed with papermill on folders of results files in the format the
chapters save on the settings matrix, it shows what they hold and changes when they change;
built into HTML inside a small book, it renders the table, the figures and the links.

Notebooks run through qbp.book.build.execute: kernel "python3", started with this interpreter.
"""

import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from conftest import many_chapters_book
from qbp.book import build, manifest
from qbp.claims import ClaimResult, CLAIMS
from qbp.results import load_results, save_results
from results_fixture import studies, write_results

CONCLUSIONS = Path(__file__).resolve().parents[1] / "book" / "conclusions.ipynb"
DEFINITIONS = Path(__file__).resolve().parents[1] / "book" / "definitions.md"


def execute(folder: Path, **parameters) -> nbformat.NotebookNode:
    output = folder / "conclusions.ipynb"
    build.execute(CONCLUSIONS, output, parameters, progress=False)  # on this Python, in ``folder``
    return nbformat.read(output, as_version=4)


def glued(nb) -> dict[str, dict]:
    """Every glued value: name -> its output data (mime type -> content)."""
    prefix = "application/papermill.record/"
    return {o.metadata["scrapbook"]["name"]: {k.removeprefix(prefix): v for k, v in o.data.items()}
            for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if "scrapbook" in o.get("metadata", {})}


def md(values, name) -> str:
    return values[name]["text/markdown"]


def glue_references(nb) -> set[str]:
    role = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")
    directive = re.compile(r"```\{glue(?::\w+)?\}\s+(\S+)")
    return {m for c in nb.cells if c.cell_type == "markdown"
            for pattern in (role, directive) for m in pattern.findall(c.source)}


def visible_outputs(nb) -> list:
    """Outputs a reader would see: everything but glue records."""
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "scrapbook" not in o.get("metadata", {})]


def test_committed_without_outputs_thin_and_with_its_parameters():
    nb = nbformat.read(CONCLUSIONS, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["qbp"] == {"reads_results": True}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum(len(c.source.splitlines()) for c in code) <= 60
    assert max(len(c.source.splitlines()) for c in code) <= 25
    assert all("def " not in c.source for c in code)
    params = papermill.inspect_notebook(str(CONCLUSIONS))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "results_dir": ("str", '"results"'), "paper_verdicts": ("str", '"paper_verdicts.json"')}
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown"
                     and "How to read a verdict" not in c.source)
    assert not re.search(r"\b(holds|does not hold)\b", prose)  # no verdict is typed
    assert not re.search(r"C\d_[a-z]", prose) and "SPEC" not in prose  # no raw keys
    first = nb.cells[0].source.split("## Overview", 1)[1].strip().split("\n\n")[0]
    assert first.startswith("Which of the paper's seven claims hold")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page executed on the fixture's results of every chapter."""
    folder = tmp_path_factory.mktemp("conclusions")
    write_results(folder / "results")
    return folder, execute(folder)


def test_every_claim_shown_with_the_verdict_and_counts_its_chapter_computed(page):
    folder, nb = page
    assert not visible_outputs(nb)  # no print, no warning, no stray figure
    values = glued(nb)
    assert glue_references(nb) <= set(values), "prose refers to a value never glued"
    results = studies()["claims"]
    table = md(values, "claims_table")
    rows = table.splitlines()[2:]
    assert len(rows) == 7
    for claim, row in zip(CLAIMS, rows):
        r = results[claim]
        assert row.startswith(f"| {claim} · ") and f"| **{r.verdict}** |" in row
        assert f"| {r.sentence} |" in row
        text = md(values, f"text_{claim}")
        assert text.startswith(f":::{{admonition}} {claim}: {r.verdict}")
        assert f"Decided in *{_chapter(claim)}*." in text  # no notebook beside: no link
        assert "image/png" in values[f"cells_{claim}"]
    assert "\\|∇C\\|" in table  # a pipe inside a cell is escaped
    saved = load_results(folder / "results" / "conclusions.json")
    assert {c: v["verdict"] for c, v in saved["data"]["verdicts"].items()} == {
        c: r.verdict for c, r in results.items()}
    assert saved["data"]["profile"] is None  # no run manifest beside the page


def _chapter(claim):
    from qbp.claims import EXPECTED_CHAPTER
    return EXPECTED_CHAPTER[claim]


def test_chapters_without_claims_show_their_findings(page):
    _, nb = page
    chapters = md(glued(nb), "chapters")
    assert "- *04_trajectories*:\n  - Adam ends in the basin the flow predicts" in chapters
    assert "- *06_barren_plateaus*:\n  - Without sharing" in chapters
    assert "at L = n layers, as n grows, the" in chapters  # one sentence per verdict pair
    assert "*a1_more_qubits*: C4 (further evidence)" in chapters


def test_profile_note_without_manifest_or_paper_record(page):
    _, nb = page
    note = md(glued(nb), "profile_note")
    assert note.startswith("No run manifest was found beside this page")
    assert "no record of a paper build's verdicts is committed" in note


def test_the_page_follows_a_changed_result_and_degrades_without_it(tmp_path):
    """C1 flipped by hand-made cells, then its file gone: the page shows what is there."""
    results = tmp_path / "results"
    write_results(results)
    c1 = studies()["claims"]["C1"]
    flipped = [dict(c.to_dict(), outcome="supports") for c in c1.cells]
    judged = ClaimResult.from_cells("C1", [type(c1.cells[0]).from_dict(d) for d in flipped])
    save_results(results / "01_circuit_landscape.json", {"claims": {"C1": judged.to_dict()}}, {})
    values = glued(execute(tmp_path))
    assert md(values, "text_C1").startswith(":::{admonition} C1: holds")
    (results / "01_circuit_landscape.json").unlink()
    values = glued(execute(tmp_path))
    text = md(values, "text_C1")
    assert text.startswith(":::{admonition} C1: not computed")
    assert "No results file of *01_circuit_landscape* in this build" in text
    assert "| C1 · sharing improves the global minimum | **not computed** | – |" in md(
        values, "claims_table")
    assert "1 (C1) is not computed" in md(values, "summary")


def test_old_format_verdicts_are_not_shown_as_verdicts(tmp_path):
    """A chapter that still saves a single-configuration Verdict: the claim is not computed,
    and the page says why."""
    from qbp.claims import Verdict

    save_results(tmp_path / "results" / "02_resolution.json",
                 {"claims": {"C7": Verdict("C7", "holds", "one configuration", {})}}, {})
    values = glued(execute(tmp_path))
    assert "saved a verdict on one configuration only" in md(values, "text_C7")
    assert "Of the paper's 7 claims, 7 (C1, C2, C3, C4, C5, C6, C7) are not computed." == md(
        values, "summary")


def test_quick_build_compared_with_a_committed_paper_record(tmp_path):
    """The paper build's record (its conclusions.json) beside the page: the quick build names
    the claims whose verdicts differ."""
    paper_dir = tmp_path / "paper"
    write_results(paper_dir / "results")
    write_manifest(paper_dir, "paper")
    execute(paper_dir)  # the paper build's page writes its record
    record = load_results(paper_dir / "results" / "conclusions.json")
    assert record["data"]["profile"] == "paper"
    here = tmp_path / "quick"
    write_results(here / "results")
    write_manifest(here, "quick")
    data = record["data"]
    data["verdicts"]["C3"]["verdict"] = "holds"  # the paper build says otherwise on C3
    save_results(here / "paper_verdicts.json", data, record["parameters"])
    note = md(glued(execute(here)), "profile_note")
    mine = studies()["claims"]["C3"].verdict
    assert note.startswith("These verdicts come from the **quick** profile.")
    assert f"differ for 1 of 7 claims" in note and f"C3: **{mine}** here, **holds** there" in note


def write_manifest(folder: Path, profile: str) -> None:
    m = manifest.new("build", profile, {}, f"qbp build --profile {profile}", {})
    for stem in ("01_circuit_landscape", "02_resolution", "03_deceptiveness", "04_trajectories",
                 "05_success_rates", "06_barren_plateaus", "a1_more_qubits", "conclusions"):
        m["chapters"][stem] = {"parameters": {"x": {"value": 1, "origin": "profile"}}}
    manifest.write(folder / manifest.NAME, m)


# --- the page in a built book ------------------------------------------------------------------

STEMS = ("01_circuit_landscape", "02_resolution", "03_deceptiveness", "04_trajectories",
         "05_success_rates", "06_barren_plateaus", "a1_more_qubits")


def copying_chapter(stem: str, source: Path, title: str) -> nbformat.NotebookNode:
    """A chapter whose run 'computes' by copying a prepared results file."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = (f"import os, shutil\nos.makedirs('results', exist_ok=True)\n"
            f"shutil.copy({str(source)!r}, 'results/{stem}.json')")
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell(code)]
    return nb


def test_built_page_links_chapters_by_title_and_renders_every_figure(tmp_path):
    prepared = write_results(tmp_path / "prepared")
    notebooks = {stem: copying_chapter(stem, prepared[stem], f"Chapter {stem[:2]} title")
                 for stem in STEMS}
    notebooks["conclusions"] = nbformat.read(CONCLUSIONS, as_version=4)
    root = many_chapters_book(tmp_path / "repo", notebooks, "quick: {}\n",
                              {"definitions": DEFINITIONS.read_text()})
    build.build(root, "quick", strict=True, jobs=2)
    page = (root / "_build" / "html" / "book" / "conclusions.html").read_text()
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for stem in ("01_circuit_landscape", "04_trajectories", "06_barren_plateaus"):
        assert f'href="{stem}.html"' in page  # linked by {doc}, the text is its title
    assert "Chapter 01 title" in plain and "01_circuit_landscape" not in plain
    assert page.count("<table") == 1 and plain.count(" C1 · sharing improves") == 1
    assert page.count('<img alt="_images/') + page.count("<img ") >= 7
    for claim in CLAIMS:
        assert f'id="fig-cells-{claim.lower()}"' in page
    assert "These verdicts come from the quick profile." in plain
    assert "C4_beyond_default" not in plain and "SPEC" not in plain
