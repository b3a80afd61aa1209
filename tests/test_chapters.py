"""The chapters run: each executed with papermill at tiny parameters into a temporary folder.

They run through ``qbp.book.build.execute``, as in ``qbp build``: the kernel is named "python3" but
always started with this interpreter, so no installed kernelspec is needed.
"""

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest

from qbp.book import build
from qbp.claims import VERDICTS

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTER_01 = BOOK / "01_circuit_landscape.ipynb"
TINY_01 = {"resolution": 16, "max_layers": 2, "matrix_qubits": [2], "c_star_resolution": 16,
           "n_baseline_starts": 2, "check_layers": [1], "n_check_points": 3}


def execute(source: Path, folder: Path, parameters: dict) -> nbformat.NotebookNode:
    output = folder / source.name
    build.execute(source, output, parameters, progress=False)  # on this Python, in ``folder``
    return nbformat.read(output, as_version=4)


def run_checked(source: Path, folder: Path, parameters: dict, figures: int | None = None):
    """Execute a chapter and check what every chapter owes: no error, every number the prose
    refers to glued, and (if given) ``figures`` captioned figures of one image each."""
    nb = execute(source, folder, parameters)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert glue_references(nb) <= glued_names(nb), "prose refers to a number never glued"
    if figures is not None:
        images = [c for c in nb.cells if "figure" in c.metadata.get("mystnb", {})]
        assert len(images) == figures and all(
            sum("image/png" in o.get("data", {}) for o in c.outputs) == 1 for c in images)
    return nb


def glued_names(nb) -> set[str]:
    return {o.metadata["scrapbook"]["name"] for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if "scrapbook" in o.get("metadata", {})}


def glue_references(nb) -> set[str]:
    pattern = re.compile(r"\{glue:(?:text|any|figure|math)?\}`([^`:]+)")
    return {m for c in nb.cells if c.cell_type == "markdown" for m in pattern.findall(c.source)}


@pytest.mark.parametrize("source", [CHAPTER_01], ids=lambda p: p.stem)
def test_committed_without_outputs(source):
    nb = nbformat.read(source, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1


def test_chapter_01_parameters():
    params = papermill.inspect_notebook(str(CHAPTER_01))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_qubits": ("int", "2"), "cost": ("str", '"tfim"'), "target_seed": ("int", "0"),
        "resolution": ("int", "360"), "max_layers": ("int", "6"),
        "matrix_qubits": ("list[int]", "[2, 3, 4]"),
        "matrix_costs": ("list[str]", '["tfim", "infidelity"]'),
        "c_star_resolution": ("int", "180"), "n_baseline_starts": ("int", "64"),
        "check_layers": ("list[int]", "[1, 3]"), "n_check_points": ("int", "200"),
        "seed": ("int", "7"), "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def _claim_result(data, claim):
    from qbp.claims import ClaimResult

    result = ClaimResult.from_dict(data["claims"][claim])
    assert result.claim == claim and result.verdict in VERDICTS
    assert result.n_settings == len(result.cells) == (
        result.n_supports + result.n_contradicts + result.n_inconclusive)
    return result


def test_chapter_01_runs_and_saves_verdict(tmp_path):
    nb = run_checked(CHAPTER_01, tmp_path, TINY_01, figures=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "stream"], "a cell printed or warned"

    results = json.loads((tmp_path / "results" / "01_circuit_landscape.json").read_text())
    assert results["parameters"]["resolution"] == 16
    assert results["parameters"]["matrix_qubits"] == [2]
    data = results["data"]
    assert data["layers"] == [1, 2] and len(data["grid_minima_all_neighbours"]) == 2
    c1 = _claim_result(data, "C1")
    assert [c.setting for c in c1.cells] == [{"n_qubits": 2, "cost": "tfim"},
                                             {"n_qubits": 2, "cost": "infidelity"}]
    assert all(c.x == (2.0, 4.0) and c.statistic["name"] == "F" for c in c1.cells)
    engines = data["engine_check"]
    assert len(engines["circuits"]) == 4 and engines["n_points"] == 3
    assert engines["worst_value"] < 1e-9 and engines["worst_gradient"] < 1e-9


CHAPTER_02 = BOOK / "02_resolution.ipynb"
TINY_02 = {"resolutions": [16, 32], "layers": [1, 2], "matrix_qubits": [2], "max_layers": 2,
           "matrix_resolutions": [16, 32]}


def test_chapter_02_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_02)
    params = papermill.inspect_notebook(str(CHAPTER_02))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_qubits": ("int", "2"), "cost": ("str", '"tfim"'), "target_seed": ("int", "0"),
        "resolutions": ("list[int]", "[90, 180, 360, 720, 1440]"),
        "layers": ("list[int]", "[1, 3, 6]"), "matrix_qubits": ("list[int]", "[2, 3, 4]"),
        "matrix_costs": ("list[str]", '["tfim", "infidelity"]'), "max_layers": ("int", "6"),
        "matrix_resolutions": ("list[int]", "[90, 180, 360, 720]"), "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def test_chapter_02_runs_and_saves_verdict(tmp_path):
    nb = run_checked(CHAPTER_02, tmp_path, TINY_02, figures=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "stream"], "a cell printed or warned"

    results = json.loads((tmp_path / "results" / "02_resolution.json").read_text())
    assert results["parameters"]["resolutions"] == [16, 32]
    data = results["data"]
    assert set(data["quantiles"]) == {"1", "2"}
    assert all(len(q["step"]) == 2 and len(q["step"][0]) == 5 for q in data["quantiles"].values())
    assert [h["halving"] for h in data["halvings"]] == ["32 → 16", "32 → 16"]
    c7 = _claim_result(data, "C7")
    assert [c.setting["layers"] for c in c7.cells] == [1, 2, 1, 2]  # tfim, then infidelity
    assert all(c.x == (32.0,) for c in c7.cells)


CHAPTER_03 = BOOK / "03_deceptiveness.ipynb"
TINY_03 = {"worked_resolution": 12, "matrix_qubits": [2], "matrix_costs": ["tfim"],
           "max_layers": 2, "resolution": 16, "resolutions": [8, 16], "flow_resolutions": [4, 8],
           "seeds": [0, 1], "n_starts": 8, "c_star_resolution": 16}


def test_chapter_03_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_03)
    params = papermill.inspect_notebook(str(CHAPTER_03))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_qubits": ("int", "2"), "cost": ("str", '"tfim"'), "target_seed": ("int", "0"),
        "worked_layers": ("int", "2"), "worked_resolution": ("int", "24"),
        "matrix_qubits": ("list", "[2, 3, 4]"),
        "matrix_costs": ("list", '["tfim", "infidelity"]'), "max_layers": ("int", "6"),
        "resolution": ("int", "360"), "resolutions": ("list", "[90, 180, 360, 720]"),
        "flow_resolutions": ("list", "[15, 30, 60]"), "seeds": ("list", "[0, 1, 2]"),
        "n_starts": ("int", "200"), "tol_small": ("float", "1e-3"),
        "tol_large": ("float", "0.1"), "c_star_resolution": ("int", "180"),
        "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def test_chapter_03_runs_and_saves_verdicts(tmp_path):
    nb = run_checked(CHAPTER_03, tmp_path, TINY_03, figures=5)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(o.get("name") == "stderr" for c in code for o in c.outputs)

    results = json.loads((tmp_path / "results" / "03_deceptiveness.json").read_text())
    assert results["parameters"]["flow_resolutions"] == [4, 8]
    data = results["data"]
    for claim, n_cells in (("C2", 1), ("C3", 4), ("C4", 2)):  # n × cost (× tol (× seed))
        result = data["claims"][claim]
        assert result["claim"] == claim and result["verdict"] in VERDICTS
        assert len(result["cells"]) == n_cells and result["sentence"].startswith("supports in")
    assert set(data["grid_readings"]) == {"C3_compass", "C3_steepest", "C4_compass",
                                          "C4_steepest"}
    tracking = data["tracking"]
    assert tracking["layers"] == [1, 2] and tracking["resolutions"] == [8, 16]
    assert tracking["closer_rule"] in ("compass", "steepest")
    assert np.asarray(tracking["grid_ratio"]).shape == (2, 2, 2, 2)


CHAPTER_04 = BOOK / "04_trajectories.ipynb"
TINY_04 = {"n_qubits": 3, "cost": "infidelity", "resolution": 16, "max_layers": 2,
           "n_starts": 12, "steps": 20, "small_step": 2, "n_paths": 2, "flow_max_steps": 2000}


def test_chapter_04_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_04)
    params = papermill.inspect_notebook(str(CHAPTER_04))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_qubits": ("int", "2"), "cost": ("str", '"tfim"'), "target_seed": ("int", "0"),
        "resolution": ("int", "180"), "max_layers": ("int", "6"), "n_starts": ("int", "1000"),
        "seed": ("int", "1"), "lr_adam": ("float", "0.05"), "lr_sgd": ("float", "0.05"),
        "steps": ("int", "500"), "small_step": ("int", "4"), "tol": ("float", "1e-3"),
        "n_paths": ("int", "6"), "flow_max_steps": ("int", "10000"), "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def test_chapter_04_runs_on_another_circuit_and_saves(tmp_path):
    """Issue 11: the chapter runs with -p n_qubits 3 -p cost infidelity and records both."""
    nb = run_checked(CHAPTER_04, tmp_path, TINY_04, figures=4)
    noise = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "stream"]
    assert not noise  # no progress bars, warnings or "saved …" lines on the page

    results = json.loads((tmp_path / "results" / "04_trajectories.json").read_text())
    assert results["parameters"]["n_qubits"] == 3
    assert results["parameters"]["cost"] == "infidelity"
    data = results["data"]
    assert data["runs"] == ["Adam", "SGD", "SGD, small steps"]
    assert [r["degree"] for r in data["layers"]] == [3, 6]
    assert [r["gates"] for r in data["layers"]] == [6, 12]  # RY and RZ on 3 qubits per layer
    for layer in data["layers"]:
        assert layer["c_star"] >= 0  # an infidelity
        for run in data["runs"]:
            ends = layer["runs"][run]["ends"]
            assert sum(ends[k]["k"] for k in ("global", "local minimum", "not settled")) == 12
            for p in ("flow", "compass", "steepest"):
                f = layer["runs"][run]["ends_as_predicted"][p]
                assert f["low"] <= f["rate"] <= f["high"]
    assert data["claims"] == {}
    # its findings, for the conclusions page (it decides no claim)
    assert len(data["findings"]) == 4
    assert data["findings"][0].startswith("Adam settles at a global minimum in ")
    assert "(infidelity on 3 qubits, tol = 0.001)" in data["findings"][0]


CHAPTER_05 = BOOK / "05_success_rates.ipynb"
TINY_05 = {"n_qubits": 3, "cost": "infidelity", "matrix_qubits": [2], "matrix_costs": ["tfim"],
           "seeds": [0], "max_layers": 2, "n_starts": 6, "steps": 20, "c_star_resolution": 16,
           "n_boot": 20, "flow_max_steps": 2000, "n_starts_gradient_free": 3, "budget": 30}


def test_chapter_05_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_05)
    params = papermill.inspect_notebook(str(CHAPTER_05))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_qubits": ("int", "2"), "cost": ("str", '"tfim"'), "target_seed": ("int", "0"),
        "matrix_qubits": ("list", "[2, 3, 4]"),
        "matrix_costs": ("list", '["tfim", "infidelity"]'), "seeds": ("list", "[0, 1, 2]"),
        "max_layers": ("int", "6"), "n_starts": ("int", "100"), "steps": ("int", "500"),
        "tol_small": ("float", "1e-3"), "tol_large": ("float", "1e-1"),
        "c_star_resolution": ("int", "180"), "n_boot": ("int", "1000"),
        "flow_max_steps": ("int", "10000"), "n_starts_gradient_free": ("int", "60"),
        "budget": ("int", "300"), "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def test_chapter_05_runs_on_another_circuit_and_saves_verdicts(tmp_path):
    """Issue 11: the narrative setting (3 qubits, infidelity) lies outside this tiny matrix
    (2 qubits, tfim): the chapter runs it on its own and records both."""
    from qbp.claims import ClaimResult

    nb = run_checked(CHAPTER_05, tmp_path, TINY_05, figures=7)
    noise = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "stream"]
    assert not noise

    results = json.loads((tmp_path / "results" / "05_success_rates.json").read_text())
    assert results["parameters"]["n_qubits"] == 3
    assert results["parameters"]["cost"] == "infidelity"
    data = results["data"]
    assert data["narrative"] == {"n_qubits": 3, "cost": "infidelity", "tol": 0.001,
                                 "steps": 20, "seed": 0}
    assert len(data["learning_rates"]) == 13 and data["checkpoints"] == [10, 20, 40]
    for claim in ("C5", "C6"):
        result = ClaimResult.from_dict(data["claims"][claim])
        assert result.verdict in VERDICTS
        # the matrix: 1 qubit number × 1 cost × 2 tols × 3 run lengths × 2 optimizers × 1 seed
        assert result.n_settings == 12
        assert {c.setting["n_qubits"] for c in result.cells} == {2}
    assert data["prediction"]["setting"]["n_qubits"] == 3
    budget = data["budget"]
    assert budget["step_evaluations"] == [13, 25]  # 1 + 2 × (6L parametrized gates)
    assert budget["gradient_steps"] == [2, 1]  # (30 − 1) // (1 + 2 × gates)
    assert all(c["outcome"] in ("higher", "lower", "unresolved") for c in budget["comparison"])


CHAPTER_A1 = BOOK / "a1_more_qubits.ipynb"
TINY_A1 = {"costs": ["tfim"], "layers": [1, 2], "resolutions": [6, 12], "n_starts": 8,
           "c_star_resolution": 8}


def test_appendix_a1_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_A1)
    params = papermill.inspect_notebook(str(CHAPTER_A1))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_qubits": ("int", "2"), "costs": ("list", '["tfim", "infidelity"]'),
        "target_seed": ("int", "0"), "layers": ("list", "[1, 2]"),
        "resolutions": ("list", "[45, 90, 180]"), "n_starts": ("int", "500"),
        "seed": ("int", "0"), "tol_small": ("float", "1e-3"), "tol_large": ("float", "0.1"),
        "c_star_resolution": ("int", "60"), "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def test_appendix_a1_runs_and_saves_verdict(tmp_path):
    nb = run_checked(CHAPTER_A1, tmp_path, TINY_A1, figures=3)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(o.get("name") == "stderr" for c in code for o in c.outputs)

    results = json.loads((tmp_path / "results" / "a1_more_qubits.json").read_text())
    assert results["parameters"]["resolutions"] == [6, 12]
    data = results["data"]
    assert "C4" not in data["claims"]  # further evidence, not the deciding chapter's C4
    c4 = data["claims"]["C4_beyond_default"]
    assert c4["claim"] == "C4" and c4["verdict"] in VERDICTS and len(c4["cells"]) == 2
    assert all(c["setting"]["rotations"] == "RX RY RZ" for c in c4["cells"])
    study = data["studies"]["tfim"]
    assert study["rotations"] == ["RX", "RY", "RZ"] and len(study["c_star_theta"][0]) == 3


CHAPTER_A2 = BOOK / "a2_cluster.ipynb"


def test_appendix_a2_runs_and_is_identical_on_dask(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    run_checked(CHAPTER_A2, tmp_path, {"n_starts": 8, "steps": 10, "max_layers": 2, "chunk_starts": 4})
    assert all(not c.outputs and c.execution_count is None
               for c in nbformat.read(CHAPTER_A2, as_version=4).cells if c.cell_type == "code")
    data = json.loads((tmp_path / "results" / "a2_cluster.json").read_text())["data"]
    assert data["identical"] is True and data["workers"] == 2 and data["tasks"] == 2 * 2 * 2
    assert data["findings"][0].startswith("One sweep gave bit-identical results in one process")
    assert data["findings"][0].endswith("one process.")  # "as fast as" or "the speed of"


CHAPTER_06 = BOOK / "06_barren_plateaus.ipynb"
TINY_06 = {"n_max": 4, "fixed_layers": 3, "shallow_layers": [1], "n_draws": 20, "n_boot": 20}


def test_chapter_06_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_06)
    params = papermill.inspect_notebook(str(CHAPTER_06))
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "n_min": ("int", "2"), "n_max": ("int", "12"), "fixed_layers": ("int", "8"),
        "shallow_layers": ("list", "[1, 2]"), "n_draws": ("int", "200"),
        "n_boot": ("int", "1000"), "seed": ("int", "0"), "scheduler": ("str", '""')}
    assert all(v["help"] for v in params.values())


def test_chapter_06_runs_and_saves_fits(tmp_path):
    from qbp.plateaus import DECAY_VERDICTS

    nb = run_checked(CHAPTER_06, tmp_path, TINY_06, figures=3)
    noise = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "stream"]
    assert not noise  # no progress bars, warnings or "saved …" lines on the page

    results = json.loads((tmp_path / "results" / "06_barren_plateaus.json").read_text())
    assert results["parameters"] == {"n_min": 2, "n_max": 4, "fixed_layers": 3,
                                     "shallow_layers": [1], "n_draws": 20, "n_boot": 20,
                                     "seed": 0, "scheduler": ""}
    data = results["data"]
    # 3 schemes × 2 depths, 2 layouts × 1 shallow depth, 2 schemes with the reduced domain
    assert len(data["scans"]) == 10 and len(data["sharing_vs_none"]) == 8
    labels = [s["label"] for s in data["scans"]]
    assert "alternating circuit, no sharing, L = 1, full domain" in labels
    assert "default circuit, type sharing, L = n, reduced domain" in labels
    for scan in data["scans"]:
        assert scan["n_values"] == [2, 3, 4]
        for cost in ("global", "local"):
            assert scan["verdict"][cost] in DECAY_VERDICTS
            lo, hi = scan["ci95"][cost]
            assert all(a <= v <= b for a, v, b in zip(lo, scan["variance"][cost], hi))
            fits = scan["fits"][cost]
            assert set(fits) == {"exponential", "polynomial"}
            assert all(f["dof"] == 1 and f["rate_err_scaled"] >= f["rate_err"] > 0
                       for f in fits.values())
    reduced = [s for s in data["scans"] if s["init"] == "reduced"]
    assert reduced[0]["meta"]["half_width"] == pytest.approx([np.pi / np.sqrt(n) for n in (2, 3, 4)])
    assert data["sweep_seconds"] > 0


CHAPTER_A3 = BOOK / "a3_your_circuit.ipynb"
TINY_A3 = {"resolution": 12, "n_starts": 4, "steps": 20, "n_flow": 6, "flow_steps": 100,
           "n_draws": 30, "n_boot": 20}


def test_appendix_a3_committed_and_parameters():
    test_committed_without_outputs(CHAPTER_A3)
    declared = build.inspect_notebook(CHAPTER_A3).parameters
    assert set(TINY_A3) <= set(declared) and all(p.help for p in declared.values())


def test_appendix_a3_runs_and_saves_the_comparisons(tmp_path):
    nb = run_checked(CHAPTER_A3, tmp_path, TINY_A3, figures=3)
    glued = {o.metadata["scrapbook"]["name"]: o.data for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if "scrapbook" in o.get("metadata", {})}
    # Fig. 13 is glued with a computed caption: MaxCut on the 4-ring repeats 4 times in 2π
    assert "application/papermill.record/image/png" in glued["fig_landscape_p1"]
    assert glued["span_p1"]["application/papermill.record/text/markdown"] == (
        "over 2π per parameter, which holds 4 repetitions of the landscape along each (its own "
        "period is π/2)")
    data = json.loads((tmp_path / "results" / "a3_your_circuit.json").read_text())["data"]
    assert [row["circuit"] for row in data["table"]] == [
        "QAOA p = 1", "QAOA p = 1, unshared", "QAOA p = 2", "QAOA p = 2, unshared", "EfficientSU2"]
    assert [row["parameters"] for row in data["table"]] == [2, 8, 4, 16, 8]
    assert data["story"]["total"] == 15
    # two rounds of QAOA reach the ground state of the 4-ring; one round stops at ⟨H⟩ = −2
    assert data["reports"]["QAOA p = 2"]["excess"] == 0
    assert abs(data["reports"]["QAOA p = 1"]["excess"] - 2) < 1e-8
    # the findings the conclusions page lists: one line per report, then the story's counts
    assert len(data["findings"]) == 6
    assert data["findings"][2].startswith("QAOA p = 2: reaches the ground state, ")
    assert data["findings"][0].startswith("QAOA p = 1: stays above the ground state, ")
    story = data["story"]
    assert data["findings"][-1] == (
        f"Sharing against its unshared version: {story['agrees']} of 15 aspects agree with the "
        f"paper's story, {story['disagrees']} disagree.")
