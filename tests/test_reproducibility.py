"""The reproducibility page that ``qbp build`` generates: parameters with their origin,
versions, machine, wall times."""

import datetime
import platform

import numpy
import pytest

from qbp import __version__
from qbp.book import reproducibility
from qbp.book.reproducibility import ChapterRun, parameter_rows, render

DEFAULTS = {"resolution": {"default": "360"}, "tols": {"default": "[1e-3, 0.1]"},
            "label": {"default": "'x'"}}


def test_parameter_rows_say_where_each_value_came_from():
    rows = parameter_rows(DEFAULTS, "quick", {"resolution": 60, "tols": [0.001, 0.1]},
                          {"tols": [0.5], "label": "a b"})
    assert rows == [("resolution", "60", "profile quick"), ("tols", "[0.5]", "-p"),
                    ("label", '"a b"', "-p")]
    assert parameter_rows(DEFAULTS, "paper", {}, {}) == [
        ("resolution", "360", "notebook default"), ("tols", "[1e-3, 0.1]", "notebook default"),
        ("label", "'x'", "notebook default")]


def test_environment_lists_versions_and_machine(tmp_path):
    env = reproducibility.environment(tmp_path)
    assert env["packages"]["qbp"] == __version__
    assert env["packages"]["numpy"] == numpy.__version__
    assert set(reproducibility.PACKAGES) == set(env["packages"])
    assert env["python"].startswith(platform.python_version())
    assert env["cores"] >= 1 and 1 <= env["usable_cores"] <= env["cores"]
    assert env["cpu"] and env["platform"]
    assert env["git"] == "not a git checkout"  # tmp_path is no repository


def test_render_has_every_chapter_parameter_and_time():
    env = reproducibility.environment()
    runs = [ChapterRun("01_a", [("resolution", "60", "profile quick")], 12.25),
            ChapterRun("conclusions", [], 65.0)]
    started = datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)
    text = render(runs, "quick", {"resolution": 60, "tols": [0.5, 1]}, env, started)
    assert text.startswith("(reproducibility)=\n# Reproducibility\n")
    assert "- Command: `qbp build --profile quick -p resolution 60 -p tols \"[0.5, 1]\"`" in text
    assert "- Started: 2026-01-02 03:04 UTC" in text
    assert f"| numpy | {numpy.__version__} |" in text
    assert f"| Python | {platform.python_version()}" in text
    assert "| {doc}`01_a` | 12.2 s |" in text and "| {doc}`conclusions` | 1 min 5 s |" in text
    assert "| total | 1 min 17 s |" in text
    assert "| `resolution` | `60` | profile quick |" in text
    assert "This notebook has no parameters." in text
    assert f"- Cores: {env['cores']}" in text


@pytest.mark.parametrize("seconds, text", [(0.04, "0.0 s"), (59.9, "59.9 s"), (61, "1 min 1 s")])
def test_durations(seconds, text):
    assert reproducibility._duration(seconds) == text
