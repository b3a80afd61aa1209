"""The reproducibility page that ``qbp build`` generates from its run manifest: parameters with
their origin, versions, machine, when each chapter was executed and for how long."""

import platform

import numpy
import pytest

from qbp import __version__
from qbp.book import manifest, reproducibility
from qbp.book.reproducibility import parameter_rows, render


def record(parameters: dict, seconds: float, executed_at: str, title: str = "") -> dict:
    return {"path": "book/x.ipynb", "title": title, "profile": "quick", "reads_results": False,
            "parameters": parameters, "executed": True, "seconds": seconds,
            "executed_at": executed_at}


def book_manifest() -> dict:
    m = manifest.new("build", "quick", {"resolution": 60, "tols": [0.5, 1]},
                     "qbp build --profile quick -p resolution 60 -p tols \"[0.5, 1]\"",
                     reproducibility.environment())
    m["chapters"] = {
        "01_a": record({"resolution": {"value": 60, "origin": "profile"},
                        "tols": {"value": [0.5, 1.0], "origin": "-p"},
                        "label": {"value": "a b", "origin": "notebook default"},
                        "angle": {"value": None, "text": "np.pi / 2",
                                  "origin": "notebook default"},
                        "cache_dir": {"value": "/r/_build/cache", "origin": "qbp build"}},
                       12.25, "2026-01-02T03:04:05+00:00", "The first chapter"),
        "conclusions": record({}, 65.0, "2026-01-02T03:10:00+00:00"),
    }
    return m


def test_parameter_rows_say_where_each_value_came_from():
    rows = parameter_rows(book_manifest()["chapters"]["01_a"], "quick")
    assert rows == [("resolution", "60", "profile quick"), ("tols", "[0.5, 1.0]", "-p"),
                    ("label", '"a b"', "notebook default"),
                    ("angle", "np.pi / 2", "notebook default"),
                    ("cache_dir", '"/r/_build/cache"', "qbp build")]


def test_environment_lists_the_machine(tmp_path):
    env = reproducibility.environment(tmp_path)
    # version and implementation, never the interpreter's (local) path
    assert env["python"] == f"{platform.python_version()} ({platform.python_implementation()})"
    assert env["cores"] >= 1 and 1 <= env["usable_cores"] <= env["cores"]
    assert env["cpu"] and env["platform"]
    assert env["git"] == "not a git checkout"  # tmp_path is no repository


def test_render_is_the_manifest_read():
    m = book_manifest()
    text = render(m)
    assert text.startswith("(reproducibility)=\n# Reproducibility\n")
    assert "- Command: `qbp build --profile quick -p resolution 60 -p tols \"[0.5, 1]\"`" in text
    assert ("- Chapters executed between 2026-01-02 03:04:05 UTC and 2026-01-02 03:10:00 UTC"
            in text)
    assert f"| numpy | {numpy.__version__} |" in text and f"| qbp | {__version__} |" in text
    assert f"| Python | {platform.python_version()}" in text
    assert "| {doc}`01_a` | 2026-01-02 03:04:05 UTC | 12.2 s |" in text
    assert "| {doc}`conclusions` | 2026-01-02 03:10:00 UTC | 1 min 5 s |" in text
    assert "| total | | 1 min 17 s |" in text
    assert "(reproducibility-runtimes)=\n## Chapters\n\nHow long each chapter took to execute in this build (quick profile, one chapter at a time" in text
    assert "| `resolution` | `60` | profile quick |" in text
    assert "| `cache_dir` | `\"/r/_build/cache\"` | qbp build |" in text
    # headings hold titles (the page's contents list shows headings unresolved); the file
    # name only where the notebook has no title
    assert ("\n### The first chapter\n\n{doc}`01_a` was executed in 12.2 s with these "
            "parameters:\n") in text
    assert "\n### conclusions\n\n{doc}`conclusions` has no parameters.\n" in text
    assert "### {doc}" not in text
    assert f"- Cores: {m['environment']['cores']}" in text


def test_render_does_not_change_when_a_rebuild_reuses_every_chapter():
    """The page says when chapters were executed, not when the build started or whether it
    re-executed them: the same chapters give the same page (and the HTML can be kept)."""
    first, second = book_manifest(), book_manifest()
    second["started"] = "2030-01-01T00:00:00+00:00"
    for r in second["chapters"].values():
        r["executed"] = False
    assert render(first) == render(second)


@pytest.mark.parametrize("seconds, text", [(0.04, "0.0 s"), (59.9, "59.9 s"), (61, "1 min 1 s")])
def test_durations(seconds, text):
    assert reproducibility._duration(seconds) == text
