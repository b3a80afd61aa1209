"""Results files: JSON round trip, atomic writes, NumPy and dataclass values."""

import json

import numpy as np
import pytest

import qbp
from qbp._io import DamagedFile
from qbp.claims import Verdict
from qbp.results import load_results, save_results, to_json


def test_round_trip(tmp_path):
    path = save_results(tmp_path / "out" / "ch.json", {"x": 1.5, "name": "a", "flag": True},
                        parameters={"resolution": 60, "seed": 7})
    doc = load_results(path)
    assert doc["qbp_version"] == qbp.__version__
    assert doc["parameters"] == {"resolution": 60, "seed": 7}
    assert doc["data"] == {"x": 1.5, "name": "a", "flag": True}


def test_numpy_types_and_verdict_serialise(tmp_path):
    verdict = Verdict("C1", "partly", "because", {"factor": np.float64(12.0)})
    data = {"array": np.arange(3), "matrix": np.eye(2), "f32": np.float32(0.5),
            "i64": np.int64(4), "bool": np.bool_(True), "tuple": (1, 2), "nan": float("nan"),
            "inf": np.inf, "verdict": verdict, 3: "int key"}
    doc = load_results(save_results(tmp_path / "r.json", data, {"n": np.int32(2)}))
    got = doc["data"]
    assert got["array"] == [0, 1, 2]
    assert got["matrix"] == [[1.0, 0.0], [0.0, 1.0]]
    assert got["f32"] == 0.5 and got["i64"] == 4 and got["bool"] is True
    assert got["tuple"] == [1, 2]
    assert got["nan"] is None and got["inf"] is None  # strict JSON
    assert got["verdict"] == {"claim": "C1", "verdict": "partly", "reason": "because",
                              "numbers": {"factor": 12.0}}
    assert got["3"] == "int key"
    assert doc["parameters"] == {"n": 2}


def test_atomic_write_leaves_no_temp_file(tmp_path):
    path = tmp_path / "r.json"
    save_results(path, {"a": 1}, {})
    save_results(path, {"a": 2}, {})  # overwrite in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert load_results(path)["data"] == {"a": 2}


def test_failed_write_keeps_old_file_and_no_temp(tmp_path):
    path = tmp_path / "r.json"
    save_results(path, {"a": 1}, {})
    with pytest.raises(TypeError, match="cannot store"):
        save_results(path, {"a": object()}, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert load_results(path)["data"] == {"a": 1}


def test_file_is_strict_json(tmp_path):
    path = save_results(tmp_path / "r.json", {"x": np.nan}, {})
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"non-standard {c}"))


def test_load_rejects_other_json(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"a": 1}')
    with pytest.raises(ValueError, match="not a qbp results file"):
        load_results(path)


def test_bad_arguments():
    with pytest.raises(TypeError):
        save_results("x.json", [1, 2], {})
    with pytest.raises(TypeError):
        to_json({1, 2})


def test_file_carries_provenance_and_checksum(tmp_path):
    from qbp._io import digest
    from qbp._version import provenance

    path = save_results(tmp_path / "r.json", {"x": 0.1234}, {"seed": 1})
    doc = json.loads(path.read_text())
    assert doc["provenance"] == json.loads(json.dumps(provenance()))
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert doc["checksum"] == digest(canonical)


def test_one_altered_digit_is_detected(tmp_path):
    path = save_results(tmp_path / "r.json", {"x": 0.1234, "claims": []}, {"seed": 1})
    text = path.read_text()
    assert text.count("0.1234") == 1
    path.write_text(text.replace("0.1234", "0.1334"))  # still valid JSON, one digit off
    with pytest.raises(DamagedFile, match="r.json is damaged") as err:
        load_results(path)
    assert isinstance(err.value, ValueError) and err.value.path == path


@pytest.mark.parametrize("content", ["{not json", "", "[1, 2]", "\udcff"])
def test_unreadable_files_are_damaged(tmp_path, content):
    path = tmp_path / "r.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(DamagedFile, match="r.json is damaged"):
        load_results(path)


def test_missing_checksum_is_damaged(tmp_path):
    path = save_results(tmp_path / "r.json", {"x": 1}, {})
    doc = json.loads(path.read_text())
    del doc["checksum"]
    path.write_text(json.dumps(doc))
    with pytest.raises(DamagedFile, match="missing \\['checksum'\\]"):
        load_results(path)
