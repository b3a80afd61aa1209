"""The run manifest: written atomically, read back, and what pages ask of it."""

import importlib.metadata
import json

import pytest

from qbp._version import code_digest, installed_versions
from qbp.book import manifest


def written(folder, name, profile, parameters: dict, kind="run"):
    m = manifest.new(kind, profile, {}, "qbp ...", {"git": "unknown"})
    m["chapters"]["ch"] = {"parameters": {k: {"value": v, "origin": o}
                                          for k, (v, o) in parameters.items()}}
    return manifest.write(folder / name, m)


def test_new_records_code_digest_and_versions():
    m = manifest.new("build", "quick", {"seed": 3}, "qbp build -p seed 3", {"git": "x"}, jobs=2)
    assert m["code_digest"] == code_digest("all") and m["jobs"] == 2
    assert {"python", "numpy", "qutip", "papermill", "jupyter-book"} <= set(m["versions"])
    assert m["format"] == manifest.FORMAT and m["finished"] is None


def test_installed_versions_names_the_absent():
    assert installed_versions(["numpy", "no-such-distribution-qbp"]) == {
        "numpy": importlib.metadata.version("numpy"), "no-such-distribution-qbp": "not installed"}
    v = manifest.versions()
    assert v["papermill"] == importlib.metadata.version("papermill")
    assert v["numpy"] == importlib.metadata.version("numpy")


def test_profile_of_and_describe(tmp_path):
    written(tmp_path, "manifest.json", "quick",
            {"n": (3, "profile"), "seed": (7, "notebook default"),
             "cache_dir": ("/r/_build/cache", "qbp build")})
    runs = manifest.load(tmp_path)
    assert "ch" in runs and "other" not in runs
    assert runs.profile_of("ch") == "quick" and runs.describe("ch") == "the quick profile"
    assert runs.profile_of("other") is None and runs.describe("other") is None

    written(tmp_path, "manifest.json", "quick", {"n": (3, "profile"), "seed": (8, "-p")})
    runs = manifest.load(tmp_path)
    assert runs.profile_of("ch") is None  # a -p value: not the profile's run
    assert runs.overridden("ch") == {"seed": 8}
    assert runs.describe("ch") == "the quick profile with seed = 8 set by -p"

    written(tmp_path, "manifest.json", None, {"n": (2, "notebook default")})
    assert manifest.load(tmp_path).profile_of("ch") is None
    assert manifest.load(tmp_path).describe("ch") == "the notebook's defaults"


def test_run_manifests_are_merged_when_no_build_manifest(tmp_path):
    assert manifest.load(tmp_path) is None
    written(tmp_path, "a.manifest.json", "paper", {"n": (3, "profile")})
    m = manifest.new("run", "quick", {}, "qbp run b", {})
    m["chapters"]["b"] = {"parameters": {}}
    manifest.write(tmp_path / "b.manifest.json", m)
    runs = manifest.load(tmp_path)
    assert (runs.profile_of("ch"), runs.profile_of("b")) == ("paper", "quick")
    assert [p.rsplit("/", 1)[-1] for p in runs.sources] == ["a.manifest.json", "b.manifest.json"]
    written(tmp_path, "manifest.json", "quick", {"n": (3, "profile")}, kind="build")
    assert manifest.load(tmp_path).profile_of("b") is None  # the build's manifest wins


def test_damaged_manifest_is_named(tmp_path):
    (tmp_path / "manifest.json").write_text("{half")
    with pytest.raises(ValueError, match="cannot read the run manifest .*manifest.json"):
        manifest.load(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(ValueError, match="is not a qbp run manifest"):
        manifest.load(tmp_path)
