"""The conclusions page: executed with papermill on folders of results files, it shows what
they hold, and changes when they change.

Notebooks run through qbp.book.build.execute: kernel "python3", started with this interpreter.
"""

import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from qbp.book import build, manifest
from qbp.claims import Verdict
from qbp.results import save_results
from qbp.book.scoreboard import CLAIMS

CONCLUSIONS = Path(__file__).resolve().parents[1] / "book" / "conclusions.ipynb"


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


def glue_references(nb) -> set[str]:
    role = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")
    directive = re.compile(r"```\{glue(?::\w+)?\}\s+(\S+)")
    return {m for c in nb.cells if c.cell_type == "markdown"
            for pattern in (role, directive) for m in pattern.findall(c.source)}


def figure_png(nb) -> str:
    (cell,) = [c for c in nb.cells if "figure" in c.metadata.get("mystnb", {})]
    (png,) = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
    return png


def table_html(nb) -> str:
    return "".join(o.data.get("text/html", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "execute_result")


def c1(verdict: str) -> Verdict:
    return Verdict("C1", verdict, f"the test says {verdict}",
                   {"improvement_factor": 123.0, "orders_of_magnitude": 2.09,
                    "spearman_rho": -1.0})


def test_committed_without_outputs_with_one_parameter():
    nb = nbformat.read(CONCLUSIONS, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(nb.cells))]
    params = papermill.inspect_notebook(str(CONCLUSIONS))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "results_dir": ("str", '"results"')}
    assert params["results_dir"]["help"]
    # no verdict is typed: the words appear in markdown only inside the reading note
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown"
                     and "How to read a verdict" not in c.source)
    assert not re.search(r"\b(holds|does not hold)\b", prose)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The page executed twice on one results file: C1 holds, then the same file flipped."""
    folder = tmp_path_factory.mktemp("conclusions")
    path = save_results(folder / "results" / "01_circuit_landscape.json",
                        {"claims": {"C1": c1("holds")}}, {"resolution": 60, "seed": 7})
    before = execute(folder)
    document = json.loads(path.read_text())
    document["data"]["claims"]["C1"]["verdict"] = "does not hold"
    document["data"]["claims"]["C1"]["reason"] = "the test says does not hold"
    # results files carry a checksum: a changed result is saved again, not edited in place
    save_results(path, document["data"], document["parameters"])
    after = execute(folder)
    return before, after


def test_every_claim_is_shown_computed_or_not(runs):
    before, _ = runs
    errors = [o for c in before.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    values = glued(before)
    assert glue_references(before) <= set(values), "prose refers to a value never glued"
    text = {claim: values[f"{claim}_text"]["text/markdown"] for claim in CLAIMS}
    assert text["C1"].startswith("**C1 holds.** The test says holds.")
    assert "{doc}" not in text["C1"]  # no chapter notebook beside the results: no link
    assert "resolution = 60, seed = 7" in text["C1"]  # no run manifest: every parameter
    for claim in set(CLAIMS) - {"C1"}:
        assert text[claim].startswith(f"**{claim} not computed.**")
    summary = values["summary"]["text/markdown"]
    assert "1 (C1) holds" in summary and "6 (C2, C3, C4, C5, C6, C7) are not computed" in summary
    html = table_html(before)
    assert "improvement factor = 123" in html and html.count("not computed") == 6


def test_the_page_follows_a_changed_result(runs):
    before, after = runs
    b, a = glued(before), glued(after)
    assert a["C1_text"]["text/markdown"].startswith(
        "**C1 does not hold.** The test says does not hold.")
    assert "1 (C1) does not hold" in a["summary"]["text/markdown"]
    assert {k: v for k, v in a.items() if k not in ("C1_text", "summary")} == {
        k: v for k, v in b.items() if k not in ("C1_text", "summary")}
    assert figure_png(after) != figure_png(before)  # the dot moved
    assert "does not hold" in table_html(after) and "does not hold" not in table_html(before)


def write_manifest(folder: Path, name: str, origin: str) -> None:
    m = manifest.new("build", "quick", {}, "qbp build", {})
    m["chapters"]["01_circuit_landscape"] = {"parameters": {
        "resolution": {"value": 60, "origin": origin}, "seed": {"value": 7, "origin": "profile"}}}
    manifest.write(folder / name, m)


def test_profile_named_and_chapter_linked_inside_a_book(tmp_path):
    """Beside chapter notebooks and the build's run manifest (as in the staged book) the page
    links the chapter and names the profile the manifest says it ran with."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# The circuit")])
    nbformat.write(nb, tmp_path / "01_circuit_landscape.ipynb")
    write_manifest(tmp_path, "manifest.json", "profile")
    save_results(tmp_path / "results" / "01_circuit_landscape.json",
                 {"claims": {"C1": c1("partly")}}, {"resolution": 60, "seed": 7})
    values = glued(execute(tmp_path))
    assert ("Computed in {doc}`01_circuit_landscape` with the quick profile."
            in values["C1_text"]["text/markdown"])
    assert "{doc}`01_circuit_landscape`" in values["sources_text"]["text/markdown"]
    assert values["profile_note"]["text/markdown"].startswith("The verdicts come from the quick profile;")


def test_a_p_override_makes_the_run_custom(tmp_path):
    """Nothing is guessed from the saved parameters: the manifest says resolution came from -p."""
    write_manifest(tmp_path, "01_circuit_landscape.manifest.json", "-p")  # as qbp run writes it
    save_results(tmp_path / "results" / "01_circuit_landscape.json",
                 {"claims": {"C1": c1("partly")}}, {"resolution": 60, "seed": 7})
    values = glued(execute(tmp_path))
    assert "with the parameters resolution = 60, seed = 7." in values["C1_text"]["text/markdown"]
    assert "custom parameters" in values["profile_note"]["text/markdown"]
