"""``qbp build`` on a fixture book of three tiny chapters and a page that reads their results:
the chapter cache, ``--jobs``, the order of pages that read results, and the run manifest.

Jupyter Book is replaced by a stand-in that counts its calls, except in the timing test.
"""

import json
from pathlib import Path

import nbformat
import pytest

from conftest import chapter_notebook, many_chapters_book
from qbp._version import code_digest, dependency_versions
from qbp.book import build, manifest
from qbp.book.cli import main

# Each chapter saves when it started and ended, so the tests can see what ran when.
SAVE = ("import json, pathlib, time\nstart = time.time()\ntime.sleep(nap)\n"
        "pathlib.Path('results').mkdir(exist_ok=True)\n"
        "pathlib.Path(f'results/{stem}.json').write_text(json.dumps("
        "{'value': value, 'start': start, 'end': time.time()}))")
READ = ("import json, pathlib, time\nstart = time.time()\nseen = sorted(p.name for p in pathlib.Path('results').glob('*.json'))\n"
        "runs = json.loads(pathlib.Path('manifest.json').read_text())\n"
        "pathlib.Path('results/summary.json').write_text(json.dumps({'start': start, 'seen': seen, "
        "'profiles': {s: r['profile'] for s, r in runs['chapters'].items()}, "
        "'values': {s: r['parameters'].get('value', {}).get('value') "
        "for s, r in runs['chapters'].items()}}))")


def chapter(stem: str, value: str = "1", nap: str = "0", **metadata) -> nbformat.NotebookNode:
    return chapter_notebook(f"value: int = {value}  # a number\nnap: float = {nap}  # seconds\n"
                            f"stem: str = '{stem}'  # this chapter", SAVE,
                            metadata={"qbp": metadata} if metadata else None)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    notebooks = {"a": chapter("a"), "b": chapter("b"), "c": chapter("c"),
                 "summary": chapter_notebook("results_dir: str = 'results'  # where", READ,
                                             metadata={"qbp": {"reads_results": True}})}
    profiles = "quick:\n  a: {value: 10}\n  b: {value: 20}\n  c: {value: 30}\n"
    return many_chapters_book(tmp_path / "repo", notebooks, profiles,
                              {"reproducibility": "# Reproducibility\n\nA stub.\n"})


@pytest.fixture
def html_calls(monkeypatch) -> list:
    calls = []

    def fake(source, output, strict, log):
        calls.append(source)
        (output / "_build" / "html").mkdir(parents=True)
        (output / "_build" / "html" / "index.html").write_text(f"book {len(calls)}")
        return 0

    monkeypatch.setattr(build, "_jupyter_book", fake)
    return calls


def qbp(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exit:
        return exit.code


def built(book: Path) -> dict:
    return json.loads((book / "_build" / "manifest.json").read_text())


def executed(book: Path) -> dict[str, bool]:
    return {stem: r["executed"] for stem, r in built(book)["chapters"].items()}


def results(book: Path, stem: str) -> dict:
    return json.loads((book / "_build" / "stage" / "book" / "results" / f"{stem}.json").read_text())


def test_unchanged_rebuild_executes_nothing_and_keeps_the_html(book, html_calls):
    assert qbp("build", "--root", str(book)) == 0
    assert executed(book) == {"a": True, "b": True, "c": True, "summary": True}
    first = built(book)
    assert first["html"]["reused"] is False and len(html_calls) == 1

    assert qbp("build", "--root", str(book)) == 0
    assert executed(book) == {"a": False, "b": False, "c": False, "summary": False}
    second = built(book)
    assert second["html"] == {**first["html"], "reused": True, "seconds": second["html"]["seconds"]}
    assert len(html_calls) == 1  # the stage is the same: Jupyter Book is not run again
    for stem in "abc":  # the reused chapter's time is that of its execution
        assert second["chapters"][stem]["executed_at"] == first["chapters"][stem]["executed_at"]
        assert results(book, stem)["value"] == {"a": 10, "b": 20, "c": 30}[stem]


def test_one_changed_parameter_reexecutes_its_chapter_and_the_readers(book, html_calls):
    assert qbp("build", "--root", str(book)) == 0
    (book / "book" / "profiles.yml").write_text(
        "quick:\n  a: {value: 10}\n  b: {value: 21}\n  c: {value: 30}\n")
    assert qbp("build", "--root", str(book)) == 0
    assert executed(book) == {"a": False, "b": True, "c": False, "summary": True}
    summary = results(book, "summary")
    assert summary["values"] == {"a": 10, "b": 21, "c": 30, "summary": None}
    assert len(html_calls) == 2
    # back to the first value: every chapter comes from the cache, the page too
    (book / "book" / "profiles.yml").write_text(
        "quick:\n  a: {value: 10}\n  b: {value: 20}\n  c: {value: 30}\n")
    assert qbp("build", "--root", str(book)) == 0
    assert executed(book) == {"a": False, "b": False, "c": False, "summary": False}
    assert results(book, "summary")["values"]["b"] == 20


def test_a_changed_notebook_or_override_reexecutes_it(book, html_calls):
    assert qbp("build", "--root", str(book)) == 0
    nbformat.write(chapter("c", value="2"), book / "book" / "c.ipynb")  # a new default only
    assert qbp("build", "--root", str(book)) == 0
    assert executed(book) == {"a": False, "b": False, "c": True, "summary": True}
    assert qbp("build", "--root", str(book), "-p", "nap", "0.01") == 0  # every chapter has nap
    assert executed(book) == {"a": True, "b": True, "c": True, "summary": True}


def test_pages_that_read_results_run_after_every_chapter(book, html_calls):
    assert qbp("build", "--root", str(book), "--jobs", "2") == 0
    summary = results(book, "summary")
    assert summary["seen"] == ["a.json", "b.json", "c.json"]
    assert summary["profiles"] == {"a": "quick", "b": "quick", "c": "quick", "summary": "quick"}
    ends = [results(book, s)["end"] for s in "abc"]
    assert max(ends) <= results(book, "summary")["start"]


def test_jobs_run_chapters_side_by_side_and_runs_alone_runs_alone(book, html_calls):
    nbformat.write(chapter("a", nap="1.5"), book / "book" / "a.ipynb")
    nbformat.write(chapter("b", nap="1.5"), book / "book" / "b.ipynb")
    nbformat.write(chapter("c", nap="1.5", runs_alone=True), book / "book" / "c.ipynb")
    assert qbp("build", "--root", str(book), "--jobs", "2") == 0
    spans = {s: (results(book, s)["start"], results(book, s)["end"]) for s in "abc"}
    assert spans["a"][0] < spans["b"][1] and spans["b"][0] < spans["a"][1]  # a and b overlap
    for other in "ab":  # c shares the machine with neither
        assert spans["c"][0] >= spans[other][1] or spans["c"][1] <= spans[other][0]
    assert built(book)["jobs"] == 2


def test_the_manifest_records_origins_versions_and_times(book, html_calls):
    assert qbp("build", "--root", str(book), "-p", "nap", "0.01") == 0
    m = built(book)
    assert m["format"] == manifest.FORMAT and m["kind"] == "build" and m["profile"] == "quick"
    assert m["command"] == "qbp build --profile quick -p nap 0.01"
    assert m["code_digest"] == code_digest("all")
    assert {k: m["versions"][k] for k in dependency_versions()} == dependency_versions()
    assert m["versions"]["jupyter-book"][0].isdigit()
    a = m["chapters"]["a"]
    assert a["path"] == "book/a.ipynb" and len(a["key"]) == 64 and a["seconds"] > 0.01
    assert {n: (p["value"], p["origin"]) for n, p in a["parameters"].items()} == {
        "value": (10, "profile"), "nap": (0.01, "-p"), "stem": ("a", "notebook default")}
    assert a["parameters"]["nap"]["type"] == "float" and a["parameters"]["nap"]["help"] == "seconds"
    assert m["chapters"]["summary"]["reads_results"] is True
    # the reproducibility page is the manifest, read
    page = (book / "_build" / "stage" / "book" / "reproducibility.md").read_text()
    assert "| `value` | `10` | profile quick |" in page and "| `nap` | `0.01` | -p |" in page
    assert "| `stem` | `\"a\"` | notebook default |" in page
    assert "- Command: `qbp build --profile quick -p nap 0.01`" in page
    # the conclusions page reads it through qbp.book.manifest
    runs = manifest.load(book / "_build" / "stage" / "book")
    assert runs.profile_of("a") is None and runs.describe("a") == (
        "the quick profile with nap = 0.01 set by -p")


def test_each_notebook_is_inspected_once_per_build(book, html_calls, monkeypatch):
    seen = []
    inspect = build.inspect_notebook

    def counting(path):
        seen.append(Path(path).stem)
        return inspect(path)

    monkeypatch.setattr(build, "inspect_notebook", counting)
    assert qbp("build", "--root", str(book)) == 0
    assert sorted(seen) == ["a", "b", "c", "summary"]
    # the reproducibility page takes the origins from the manifest, not from a new inspection
    page = (book / "_build" / "stage" / "book" / "reproducibility.md").read_text()
    assert "| `results_dir` | `\"results\"` | notebook default |" in page


WRITE_RECORD = ("import pathlib\nfrom qbp.claims import CLAIMS\nfrom qbp.results import save_results\n"
                "pathlib.Path('results').mkdir(exist_ok=True)\n"
                "save_results('results/conclusions.json', {'profile': 'quick', 'verdicts': {c: {"
                "'verdict': 'holds' if c in ('C1', 'C2') else 'not computed'} for c in CLAIMS}}, {})")


def test_the_banner_says_what_is_known_of_the_paper_builds_verdicts(tmp_path, html_calls):
    """Without a committed paper record the banner says verdicts *may* differ; with one, it
    names the claims whose verdicts differ (as the conclusions page does)."""
    from qbp.claims import CLAIMS
    from qbp.results import save_results

    notebooks = {"a": chapter("a"),
                 "conclusions": chapter_notebook(
                     "results_dir: str = 'results'  # where\n"
                     "paper_verdicts: str = 'paper_verdicts.json'  # the record", WRITE_RECORD,
                     metadata={"qbp": {"reads_results": True}})}
    book = many_chapters_book(tmp_path / "repo", notebooks, "quick:\n  a: {value: 10}\n")

    def banner() -> str:
        import yaml

        staged = yaml.safe_load((book / "_build" / "stage" / build.CONFIG).read_text())
        return staged["html"]["announcement"]

    assert qbp("build", "--root", str(book)) == 0
    assert "Its numbers and verdicts may differ from a build with the paper's settings" in banner()
    paper = {c: {"verdict": "partly" if c in ("C1", "C3") else "holds" if c == "C2" else
                 "not computed"} for c in CLAIMS}
    save_results(book / "book" / "paper_verdicts.json", {"profile": "paper", "verdicts": paper}, {})
    assert qbp("build", "--root", str(book)) == 0
    assert ("Its verdicts on C1 and C3 differ from the recorded paper build (see the "
            "conclusions). For the paper's settings: <code>qbp build --profile paper</code>."
            in banner())
    assert "may differ" not in banner()
    paper.update(C1={"verdict": "holds"}, C3={"verdict": "not computed"})
    save_results(book / "book" / "paper_verdicts.json", {"profile": "paper", "verdicts": paper}, {})
    assert qbp("build", "--root", str(book)) == 0
    assert "Its verdicts agree with the recorded paper build" in banner()
    assert executed(book)["conclusions"] is True  # the record is part of the page's key


def test_profile_banner_wording():
    assert build.profile_banner("paper") == (
        "This copy was built with the <b>paper</b> profile: the paper's settings. A fast copy "
        "for experiments: <code>qbp build --profile quick</code>.")
    assert build.profile_banner("classroom", {"seed": 3}, ["C5"]) == (
        "This copy was built with the <b>classroom</b> profile: every chapter runs in under a "
        "minute, so numbers are rough. Its verdicts on C5 differ from the recorded paper build "
        "(see the conclusions). For the paper's settings: <code>qbp build --profile "
        "paper</code>. Parameters changed with -p: <code>seed</code>.")
