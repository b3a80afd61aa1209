"""The claims scoreboard: claim results and findings gathered from results files, and what the
conclusions page shows of them (one-line reasons, tables, the paper build's record)."""

import json

import numpy as np
import pytest

from qbp import claims
from qbp._io import DamagedFile
from qbp.book import build, manifest, scoreboard
from qbp.book.scoreboard import CLAIMS, NOT_COMPUTED, collect, why
from qbp.claims import Cell, ClaimResult, Verdict
from qbp.results import check_findings, load_results, save_results
from qbp.stats import Effect


# --- hand-made cells -------------------------------------------------------------------------

def c1_cell(n, cost, excess):
    degrees = n * np.arange(1, len(excess) + 1)
    j = claims.c1_rule(degrees, excess)
    return Cell("C1", {"n_qubits": n, "cost": cost}, "sharing degree n·L", degrees,
                "excess energy C* − E₀ (cost units)", {"value": excess}, j.statistic, None,
                j.outcome, j.reason)


def c3_cell(tol, ratios, effect):
    degrees = [2, 4, 6, 8][:len(ratios)]
    j = claims.c3_rule(degrees, ratios, Effect(*effect, "proportion", "Newcombe", 0.95))
    return Cell("C3", {"n_qubits": 2, "cost": "tfim", "tol": tol, "seed": 0},
                "sharing degree n·L", degrees, "flow ratio of random starts", {"value": ratios},
                j.statistic, {"estimate": effect[0], "low": effect[1], "high": effect[2]},
                j.outcome, j.reason)


def c1_result(*cells):
    return ClaimResult.from_cells("C1", cells)


def c1_holds():
    """C1 supported at n = 2 with both costs: F = 1000 and 300."""
    return c1_result(c1_cell(2, "tfim", [1.0, 0.1, 0.001]), c1_cell(2, "infidelity", [0.3, 0.001]))


def save(folder, stem, claims_=None, parameters=None, **data):
    if claims_ is not None:
        data["claims"] = {k: (v.to_dict() if isinstance(v, ClaimResult) else v)
                          for k, v in claims_.items()}
    return save_results(folder / f"{stem}.json", data, parameters or {"resolution": 60})


# --- collect ---------------------------------------------------------------------------------

class TestCollect:
    def test_missing_folder_means_every_claim_not_computed(self, tmp_path):
        board = collect(tmp_path / "nowhere")
        assert [e.claim for e in board.primary()] == list(CLAIMS)
        assert all(e.verdict == NOT_COMPUTED and not e.computed for e in board.entries)
        assert board.counts() == {"holds": 0, "partly": 0, "does not hold": 0, NOT_COMPUTED: 7}
        assert "no results folder" in board.problems[0]
        assert board.entry("C5").why(lambda s: f"<{s}>") == (
            "No results file of <05_success_rates> in this build: the chapter did not run.")

    def test_the_deciding_chapters_result_is_the_verdict(self, tmp_path):
        result = c1_holds()
        save(tmp_path, "01_circuit_landscape", {"C1": result}, {"resolution": 60, "seed": 7})
        board = collect(tmp_path)
        entry = board.entry("C1")
        assert (entry.verdict, entry.chapter, entry.key, entry.primary) == (
            "holds", "01_circuit_landscape", "C1", True)
        assert entry.result == result  # every cell, through JSON
        assert entry.counts() == {"supports": 2, "contradicts": 0, "inconclusive": 0}
        assert entry.sentence == "supports in 2 of 2 settings, contradicts in 0"
        assert entry.parameters == {"resolution": 60, "seed": 7}
        assert [e.verdict for e in board.primary()[1:]] == [NOT_COMPUTED] * 6
        assert board.chapters["01_circuit_landscape"].claims == ("C1",)
        assert board.counts()["holds"] == 1 and not board.problems
        assert board.cell_counts() == {"supports": 2, "contradicts": 0, "inconclusive": 0}

    def test_other_chapters_give_further_evidence_never_the_verdict(self, tmp_path):
        save(tmp_path, "a1_more_qubits", {"C1_beyond_default": c1_holds(), "C1": c1_holds()})
        board = collect(tmp_path)
        assert board.entry("C1").verdict == NOT_COMPUTED  # never filled by another chapter
        assert [(e.claim, e.key, e.chapter, e.primary) for e in board.extra()] == [
            ("C1", "C1_beyond_default", "a1_more_qubits", False),
            ("C1", "C1", "a1_more_qubits", False)]
        order = [e.claim for e in board.entries]
        assert order[:3] == ["C1", "C1", "C1"] and order[3] == "C2"  # listed with its claim

    def test_the_claims_own_key_wins_within_the_deciding_chapter(self, tmp_path):
        other = c1_result(c1_cell(2, "tfim", [1.0, 2.0]))  # does not hold
        save(tmp_path, "01_circuit_landscape", {"C1_variant": other, "C1": c1_holds()})
        board = collect(tmp_path)
        assert board.entry("C1").key == "C1" and board.entry("C1").verdict == "holds"
        assert [(e.key, e.verdict) for e in board.extra()] == [("C1_variant", "does not hold")]

    @pytest.mark.parametrize("stem, content, note", [
        ("01_circuit_landscape", {"C1": Verdict("C1", "holds", "one setting", {})},
         "saved a verdict on one configuration only"),
        ("01_circuit_landscape", {"C1": {"claim": "C1", "verdict": "holds", "cells": []}},
         "the result <01_circuit_landscape> saved for this claim could not be read"),
        ("01_circuit_landscape", {}, "<01_circuit_landscape> saved no result for this claim"),
        ("03_deceptiveness", {"C2": Verdict("C2", "holds", "x", {})},
         "no results file of <01_circuit_landscape> in this build"),
    ], ids=["old format", "broken entry", "no entry", "no file"])
    def test_why_a_claim_is_not_computed(self, tmp_path, stem, content, note):
        save(tmp_path, stem, content)
        entry = collect(tmp_path).entry("C1")
        assert entry.verdict == NOT_COMPUTED and entry.result is None
        assert note in entry.why(lambda s: f"<{s}>").lower()

    def test_unusable_files_and_entries_are_reported_not_fatal(self, tmp_path):
        (tmp_path / "broken.json").write_text("{not json")
        save(tmp_path, "02_resolution", {"C7": {"claim": "C7", "verdict": "maybe"},
                                         "C8": Verdict("C1", "holds", "", {})})
        board = collect(tmp_path)
        text = " | ".join(board.problems)
        assert "broken.json: not a readable results file" in text
        assert "02_resolution: claim entry 'C7' is not a claim result" in text
        assert "'C8' is a single-configuration verdict" in text
        assert board.entry("C7").verdict == NOT_COMPUTED

    def test_altered_file_is_damaged_not_trusted(self, tmp_path):
        path = save(tmp_path, "01_circuit_landscape", {"C1": c1_holds()})
        path.write_text(path.read_text().replace('"F"', '"G"'))  # valid JSON, altered
        board = collect(tmp_path)
        assert board.entry("C1").verdict == NOT_COMPUTED
        assert "could not be read" in board.entry("C1").why()
        assert any("01_circuit_landscape.json" in p and "damaged" in p for p in board.problems)

    def test_findings_are_read_and_the_page_record_skipped(self, tmp_path):
        save(tmp_path, "04_trajectories", {}, findings=["Adam ends where the flow ends."])
        save(tmp_path, "conclusions", verdicts={})
        board = collect(tmp_path)
        assert board.chapters["04_trajectories"].findings == ("Adam ends where the flow ends.",)
        assert "conclusions" not in board.chapters

    def test_entry_of_unknown_claim(self, tmp_path):
        with pytest.raises(KeyError, match="C8"):
            collect(tmp_path).entry("C8")


# --- why -------------------------------------------------------------------------------------

class TestWhy:
    def test_one_outcome_everywhere(self):
        assert why(c1_holds()) == ("Supported in both settings; the improvement factor F over "
                                   "L = 1 is between 300 and 1000 (support needs F ≥ 100, "
                                   "F ≤ 1 contradicts).")

    def test_a_split_along_one_axis(self):
        result = c1_result(c1_cell(2, "tfim", [1.0, 0.001]), c1_cell(2, "infidelity", [1, 0.01]),
                           c1_cell(3, "tfim", [1.0, 0.05]), c1_cell(4, "tfim", [1.0, 0.02]))
        assert why(result) == ("Supported at n = 2, inconclusive at n = 3 and 4; the "
                               "improvement factor F over L = 1 is between 20 and 1000 (support "
                               "needs F ≥ 100, F ≤ 1 contradicts).")

    def test_no_single_axis_separates_the_outcomes(self):
        result = c1_result(c1_cell(2, "tfim", [1.0, 0.005]), c1_cell(2, "infidelity", [1, 0.5]),
                           c1_cell(3, "tfim", [1.0, 2.0]), c1_cell(3, "infidelity", [1, 1e-4]))
        assert why(result) == ("The improvement factor F over L = 1 is between 1 and 10000 "
                               "(support needs F ≥ 100, F ≤ 1 contradicts).")

    def test_a_trend_claim_with_too_few_layer_counts(self):
        result = ClaimResult.from_cells("C3", [
            c3_cell(0.001, [0.1, 0.2, 0.3], (0.2, 0.1, 0.3)),  # rho = 1, p = 1/6: inconclusive
            c3_cell(0.1, [0.3, 0.2, 0.1], (-0.2, -0.3, -0.1))])  # interval below 0: contradicts
        assert [c.outcome for c in result.cells] == ["inconclusive", "contradicts"]
        assert why(result) == ("Inconclusive at tol = 0.001, contradicted at tol = 0.1; the flow "
                               "ratio of random starts rises with sharing in 1 of 2 settings "
                               "(ρ between −1.00 and +1.00); with 3 layer counts no trend test "
                               "can reach p < 0.05.")

    def test_spread_and_halving_ranks(self):
        j = claims.c4_rule([2, 4], [0.02, 0.2])
        c4 = Cell("C4", {"n_qubits": 2, "cost": "tfim", "tol": 0.1}, "d", [2, 4], "spread",
                  {"value": [0.02, 0.2]}, j.statistic, None, j.outcome, j.reason)
        assert why(ClaimResult.from_cells("C4", [c4])) == (
            "Contradicted in the one setting; the flow ratio's largest change over the "
            "resolutions (at its worst layer count) is 0.20 (support needs at most 0.05, more "
            "than 0.15 contradicts).")
        cells = []
        for layers, ranks in ((1, [70.0, 80.0]), (2, [60.0, 75.0])):
            j = claims.c7_rule([90, 180], ranks)
            cells.append(Cell("C7", {"n_qubits": 2, "cost": "tfim", "layers": layers}, "R",
                              [90, 180], "rank", {"value": ranks}, j.statistic, None, j.outcome,
                              j.reason))
        assert why(ClaimResult.from_cells("C7", cells)) == (
            "Supported at L = 1, inconclusive at L = 2; the median at R/2 sits at percentile "
            "ranks between 60 and 80 at R (support needs 62.5 to 87.5 at every halving).")

    def test_undefined_cells_are_counted(self):
        good = c3_cell(0.001, [0.1, 0.2, 0.3, 0.4], (0.3, 0.1, 0.5))
        bad = Cell("C3", {"n_qubits": 2, "cost": "tfim", "tol": 0.1, "seed": 0}, "d", [2, 4],
                   "flow ratio of random starts", {"value": [None, 0.1]},
                   {"name": "undefined", "value": None}, None, "inconclusive", "no flow")
        assert why(ClaimResult.from_cells("C3", [good, bad])) == (
            "Supported at tol = 0.001, inconclusive at tol = 0.1; the flow ratio of random "
            "starts rises with sharing in 1 of 1 settings (ρ = +1.00); the statistic is "
            "undefined in 1 setting (see its cells).")

    def test_type_checked(self):
        with pytest.raises(TypeError, match="result must be a qbp.claims.ClaimResult"):
            why({"claim": "C1"})


# --- what the page shows ---------------------------------------------------------------------

def test_markdown_table_links_by_title_and_escapes_pipes(tmp_path):
    j = claims.c2_rule([2, 4, 6, 8], [0.1, 0.2, 0.3, 0.4], Effect(0.3, 0.2, 0.4, "w", "m"))
    cell = Cell("C2", {"n_qubits": 2, "cost": "tfim"}, "d", [2, 4, 6, 8],
                "median exact |∇C| (cost per radian)", {"value": [0.1, 0.2, 0.3, 0.4]},
                j.statistic, {"estimate": 0.3, "low": 0.2, "high": 0.4}, j.outcome, j.reason)
    save(tmp_path, "03_deceptiveness", {"C2": ClaimResult.from_cells("C2", [cell])})
    table = collect(tmp_path).markdown_table()
    lines = table.splitlines()
    assert lines[0] == "| Claim | Verdict | Settings | Why | Decided in |"
    assert lines[3] == ("| C2 · sharing enlarges gradients | **holds** | supports in 1 of 1 "
                        "setting, contradicts in 0 | Supported in the one setting; the median "
                        "exact \\|∇C\\| rises with sharing in 1 of 1 settings (ρ = +1.00). | "
                        "{doc}`03_deceptiveness` |")
    assert lines[2].startswith("| C1 · sharing improves the global minimum | **not computed** "
                               "| – | No results file of {doc}`01_circuit_landscape`")
    assert len(lines) == 9


def test_admonition_of_a_computed_and_a_missing_claim(tmp_path):
    save(tmp_path, "01_circuit_landscape", {"C1": c1_holds()})
    board = collect(tmp_path)
    text = board.entry("C1").admonition(lambda s: f"[{s}]")
    assert text.splitlines()[:2] == [":::{admonition} C1: holds", ":class: tip"]
    assert "*" + CLAIMS["C1"] + "*" in text
    assert "\n\nAll 2 settings support the claim.\n\n" in text  # the form of every box
    assert text.endswith("contradicts). Decided in [01_circuit_landscape].\n:::")
    missing = board.entry("C7").admonition(lambda s: f"[{s}]")
    assert missing.startswith(":::{admonition} C7: not computed\n:class: note")
    assert "No results file of [02_resolution] in this build" in missing


def test_admonition_of_an_undecided_trend_claim_is_no_finding_against(tmp_path):
    """C3 with every setting inconclusive and too few layer counts: the box says the data do
    not decide and why the test could not, once (not again in the why line)."""
    result = ClaimResult.from_cells("C3", [c3_cell(0.001, [0.1, 0.2, 0.3], (0.2, 0.1, 0.3)),
                                           c3_cell(0.1, [0.1, 0.3, 0.2], (0.1, -0.1, 0.2))])
    save(tmp_path, "03_deceptiveness", {"C3": result})
    box = collect(tmp_path).entry("C3").admonition(lambda s: f"[{s}]")
    assert box.splitlines()[:2] == [":::{admonition} C3: does not hold", ":class: error"]
    assert ("No setting supports the claim and none contradicts it (2 inconclusive): the data "
            "do not decide.") in box
    assert "finding against" not in box and "evidence against" not in box
    assert box.count("1/3! = 0.167, not below the significance level 0.05") == 1
    assert "no trend test can reach" not in box
    assert "no trend test can reach p < 0.05" in why(result)  # the table's line keeps it


def test_summary_counts_claims_and_cells(tmp_path):
    save(tmp_path, "01_circuit_landscape", {"C1": c1_holds()})
    save(tmp_path, "03_deceptiveness", {"C3": ClaimResult.from_cells("C3", [
        c3_cell(0.001, [0.1, 0.2, 0.3], (0.2, 0.1, 0.3)),
        c3_cell(0.1, [0.3, 0.2, 0.1], (-0.2, -0.3, -0.1))])})
    assert scoreboard.summary(collect(tmp_path)) == (
        "Of the paper's 7 claims, 1 (C1) holds, 1 (C3) does not hold and 5 (C2, C4, C5, C6, "
        "C7) are not computed. Over the 4 settings of the computed claims, 2 support their "
        "claim, 1 contradict it and 1 are inconclusive.")
    assert scoreboard.summary(collect(tmp_path / "none")) == (
        "Of the paper's 7 claims, 7 (C1, C2, C3, C4, C5, C6, C7) are not computed.")


PLATEAU_DATA = {
    "scans": [
        {"circuit": "default", "sharing": "none", "layers": "n", "init": "full",
         "verdict": {"global": "exponential", "local": "polynomial"}},
        {"circuit": "default", "sharing": "type", "layers": "n", "init": "full",
         "verdict": {"global": "flat", "local": "flat"}},
        {"circuit": "default", "sharing": "type", "layers": 8, "init": "full",
         "verdict": {"global": "grows", "local": "grows"}},
        {"circuit": "alternating", "sharing": "none", "layers": 1, "init": "full",
         "verdict": {"global": "exponential", "local": "polynomial"}},
        {"circuit": "alternating", "sharing": "none", "layers": 2, "init": "full",
         "verdict": {"global": "exponential", "local": "irregular"}}],
    "sharing_vs_none": {"a": {"differs": True}, "b": {"differs": False}, "c": {"differs": True}},
}


def test_plateau_findings_from_chapter_06s_record():
    assert scoreboard.plateau_findings(PLATEAU_DATA) == [
        "Without sharing at L = n layers, as n grows, the global cost's variance of ∂C/∂θ₀ "
        "falls exponentially and the local cost's falls like a power of n.",
        "With type sharing at L = n layers, as n grows, the variance of ∂C/∂θ₀ of each cost "
        "shows no clear fall.",
        "Sharing changes the fall of the variance per qubit by at least two errors in 2 of 3 "
        "comparisons with the unshared circuit.",
        "In shallow alternating circuits, an exponential fall for the global cost beside a "
        "power-law fall for the local cost appears at 1 of 2 depths."]


def test_plateau_findings_of_the_real_scans():
    """Chapter 06 saves PlateauScan.summary() records: the words are those of its verdicts."""
    from results_fixture import studies
    from qbp.plateaus import DECAY_WORDS

    s = studies()
    found = scoreboard.plateau_findings(s["plateaus"])
    none = s["scans"]["none"]
    g, l = none.verdict["global"], none.verdict["local"]
    assert found[0].startswith("Without sharing at L = n layers, as n grows, ")
    assert found[0].endswith(f"of each cost {DECAY_WORDS[g]}." if g == l else
                             f"{DECAY_WORDS[g]} and the local cost's {DECAY_WORDS[l]}.")
    assert 3 <= len(found) <= 4


def test_chapter_findings_lists_every_chapter(tmp_path):
    save(tmp_path, "01_circuit_landscape", {"C1": c1_holds()}, findings=["Engines agree."])
    save(tmp_path, "03_deceptiveness", {"C2": Verdict("C2", "holds", "old", {})})
    save(tmp_path, "04_trajectories", {})
    save(tmp_path, "06_barren_plateaus", **PLATEAU_DATA)
    save(tmp_path, "a1_more_qubits", {"C1_beyond": c1_holds()})
    board = collect(tmp_path)
    text = scoreboard.chapter_findings(
        board, ["01_circuit_landscape", "02_resolution", "03_deceptiveness", "04_trajectories",
                "06_barren_plateaus", "a1_more_qubits", "conclusions"], link=lambda s: f"[{s}]")
    assert text.splitlines() == [
        "- [01_circuit_landscape]: C1 **holds**, supports in 2 of 2 settings, contradicts in 0.",
        "  - Engines agree.",
        "- [02_resolution]: no results file in this build.",
        "- [03_deceptiveness]: C2 **not computed**; C3 **not computed**; C4 **not computed**.",
        "- [04_trajectories]: no findings saved.",
        "- [06_barren_plateaus]:",
        *(f"  - {f}" for f in scoreboard.plateau_findings(PLATEAU_DATA)),
        "- [a1_more_qubits]: C1 (further evidence) **holds**, supports in 2 of 2 settings, "
        "contradicts in 0."]


def test_plot_entry_draws_the_cells_or_says_not_computed(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    save(tmp_path, "01_circuit_landscape", {"C1": c1_holds()})
    board = collect(tmp_path)
    ax = scoreboard.plot_entry(board.entry("C1"))
    assert len(ax.patches) == 2 and ax.figure.get_figwidth() <= 6.4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["n = 2, tfim", "n = 2, infidelity"]
    plt.close(ax.figure)
    ax = scoreboard.plot_entry(board.entry("C2"))
    assert [t.get_text() for t in ax.texts] == ["C2: not computed in this build"]
    plt.close(ax.figure)
    assert scoreboard.caption(board.entry("C1")) == (
        "C1 (sharing improves the global minimum): the settings matrix, one square per "
        "setting, coloured by what the setting says about the claim; the legend counts them. "
        "Rows: qubits n and cost; one column.")


# --- profiles and the paper build's record ---------------------------------------------------

def run_manifest(tmp_path, profile, overridden=()):
    m = manifest.new("build", profile, {}, "qbp build", {})
    for stem in ("01_circuit_landscape", "03_deceptiveness"):
        origin = "-p" if stem in overridden else "profile"
        m["chapters"][stem] = {"parameters": {"x": {"value": 1, "origin": origin}}}
    manifest.write(tmp_path / manifest.NAME, m)
    return manifest.load(tmp_path)


def test_build_profile(tmp_path):
    stems = ["01_circuit_landscape", "03_deceptiveness", "conclusions"]
    assert scoreboard.build_profile(run_manifest(tmp_path, "quick"), stems) == "quick"
    assert scoreboard.build_profile(
        run_manifest(tmp_path, "quick", ["03_deceptiveness"]), stems) == "custom"
    assert scoreboard.build_profile(None, stems) is None
    assert scoreboard.build_profile(run_manifest(tmp_path, "paper"), ["conclusions"]) is None


def paper_record(tmp_path, board, profile="paper", **changes):
    data = scoreboard.record(board, profile)
    for claim, verdict in changes.items():
        data["verdicts"][claim]["verdict"] = verdict
    return save_results(tmp_path / "paper_verdicts.json", data, {"results_dir": "results"})


class TestPaperRecord:
    @pytest.fixture
    def board(self, tmp_path):
        save(tmp_path / "results", "01_circuit_landscape", {"C1": c1_holds()})
        return collect(tmp_path / "results")

    def test_record_round_trip(self, tmp_path, board):
        path = paper_record(tmp_path, board)
        paper = scoreboard.load_paper_verdicts(path)
        assert paper.verdicts == {c: "holds" if c == "C1" else NOT_COMPUTED for c in CLAIMS}
        assert paper.sentences["C1"] == "supports in 2 of 2 settings, contradicts in 0"
        assert paper.code_digest == load_results(path)["provenance"]["code_digest"]
        assert scoreboard.differences(board, paper) == []
        assert scoreboard.load_paper_verdicts(tmp_path / "absent.json") is None

    def test_a_record_that_is_not_a_paper_builds_is_refused(self, tmp_path, board):
        with pytest.raises(ValueError, match="quick profile, not the paper profile"):
            scoreboard.load_paper_verdicts(paper_record(tmp_path, board, profile="quick"))
        path = paper_record(tmp_path, board)
        document = json.loads(path.read_text())
        del document["data"]["verdicts"]["C7"]
        save_results(path, document["data"], document["parameters"])
        with pytest.raises(ValueError, match="no verdict for C7"):
            scoreboard.load_paper_verdicts(path)
        path.write_text(path.read_text().replace('"holds"', '"partly"'))
        with pytest.raises(DamagedFile):
            scoreboard.load_paper_verdicts(path)

    def test_compare_with_paper(self, tmp_path, board):
        here = save_results(tmp_path / "results" / "conclusions.json",
                            scoreboard.record(board, "quick"), {})
        paper = paper_record(tmp_path, board, C1="partly", C4="holds")
        assert scoreboard.compare_with_paper(here, paper) == ["C1", "C4"]
        assert scoreboard.compare_with_paper(here, paper_record(tmp_path, board)) == []
        # nothing known: no record, no results of this build, a damaged record
        assert scoreboard.compare_with_paper(here, tmp_path / "absent.json") is None
        assert scoreboard.compare_with_paper(tmp_path / "absent.json", paper) is None
        paper.write_text(paper.read_text().replace('"holds"', '"partly"'))
        assert scoreboard.compare_with_paper(here, paper) is None

    def test_profile_notes(self, tmp_path, board):
        paper = scoreboard.load_paper_verdicts(paper_record(tmp_path, board, C1="partly",
                                                            C2="holds"))
        note = scoreboard.profile_note(board, "quick", paper, paper.code_digest)
        assert note == (
            "These verdicts come from the **quick** profile. Under the paper profile the "
            "verdicts differ for 2 of 7 claims (the paper build recorded in "
            "`book/paper_verdicts.json`): C1: **holds** here, **partly** there; C2: **not "
            "computed** here, **holds** there. To see its cells, build it with `bash dev.sh "
            "book --profile paper`.")
        stale = scoreboard.profile_note(board, "quick", paper, "f" * 64)
        assert stale.endswith(f"(digest `{paper.code_digest[:12]}` against `ffffffffffff`), so "
                              f"it may be out of date.")
        same = scoreboard.load_paper_verdicts(paper_record(tmp_path, board))
        assert scoreboard.profile_note(board, "paper", same) == (
            "These verdicts come from the **paper** profile. They agree with the paper build "
            "recorded in `book/paper_verdicts.json`.")
        assert scoreboard.profile_note(board, "classroom") == (
            "These verdicts come from the **classroom** profile. Under the paper profile (the "
            "paper's settings, `bash dev.sh book --profile paper`) verdicts may differ; no "
            "record of a paper build's verdicts is committed to compare with.")
        assert scoreboard.profile_note(board, "paper") == (
            "These verdicts come from the **paper** profile.")
        assert scoreboard.profile_note(board, "custom", problem="bad file").startswith(
            "These results come from chapters run with different profiles or with parameters "
            "changed by `-p`. The committed record of a paper build could not be used: bad file.")


def test_a_committed_paper_record_changes_the_conclusions_cache_key(tmp_path):
    """The page compares its verdicts with book/paper_verdicts.json: committing a new record
    must re-run it, not reuse the cached page."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Conclusions")])
    nb.metadata["qbp"] = {"reads_results": True}
    nbformat.write(nb, tmp_path / "conclusions.ipynb")
    chapter = build.inspect_notebook(tmp_path / "conclusions.ipynb")
    reads = {"keys": {}, "runs": {}}
    key = lambda: build.chapter_key(chapter, {}, tmp_path, {}, reads)  # noqa: E731
    before = key()
    (tmp_path / scoreboard.PAPER_VERDICTS).write_text("{}")
    assert key() != before
    first = key()
    (tmp_path / scoreboard.PAPER_VERDICTS).write_text('{"x": 1}')
    assert key() not in (before, first)
    assert build.chapter_key(chapter, {}, tmp_path, {}) == build.chapter_key(
        chapter, {}, tmp_path, {})  # a chapter that reads nothing: no record in its key


# --- the findings format -----------------------------------------------------------------------

class TestFindingsFormat:
    def test_saved_and_checked(self, tmp_path):
        path = save_results(tmp_path / "ch.json", {"findings": ("  One.  ", "Two $x^2$.")}, {})
        assert load_results(path)["data"]["findings"] == ["One.", "Two $x^2$."]
        assert check_findings(["A {doc}`intro` link."]) == ["A {doc}`intro` link."]

    @pytest.mark.parametrize("findings, error, match", [
        ("one sentence", TypeError, "must be a list of sentences"),
        ([], ValueError, "1 to 8 sentences"),
        (["a"] * 9, ValueError, "1 to 8 sentences, got 9"),
        ([3], TypeError, r"\[0\] must be a string"),
        (["ok", " "], ValueError, r"\[1\] must be one non-empty line"),
        (["two\nlines"], ValueError, "one non-empty line"),
        (["x" * 301], ValueError, "at most 300 characters"),
        (["see {glue:text}`n`"], ValueError, "must not use a glue role"),
    ])
    def test_bad_findings_name_the_key(self, tmp_path, findings, error, match):
        with pytest.raises(error, match=match) as info:
            save_results(tmp_path / "ch.json", {"findings": findings}, {})
        assert "data['findings']" in str(info.value)
        assert not (tmp_path / "ch.json").exists()

    def test_bad_findings_in_a_file_are_a_problem_not_a_crash(self, tmp_path):
        # a file whose findings skipped save_results' check, with a valid checksum
        from qbp._io import digest
        from qbp.results import _canonical

        document = load_results(save_results(tmp_path / "04_trajectories.json", {"x": 1}, {}))
        document["data"]["findings"] = "not a list"
        body = {k: v for k, v in document.items() if k != "checksum"}
        document["checksum"] = digest(_canonical(body))
        (tmp_path / "04_trajectories.json").write_text(json.dumps(document))
        board = collect(tmp_path)
        assert board.chapters["04_trajectories"].findings == ()
        assert any("must be a list of sentences" in p for p in board.problems)


def test_landing_page_names_each_claims_deciding_chapter():
    """book/intro.md lists the claims by hand (a markdown page computes nothing): each bullet
    must link the chapter qbp.claims.REGISTRY says decides the claim, first."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "book" / "intro.md").read_text()
    bullets = dict(re.findall(r"^- \*\*(C\d)\*\* (.*?)(?=^- |^\n)", text, re.M | re.S))
    assert sorted(bullets) == sorted(CLAIMS)
    for claim, bullet in bullets.items():
        first = re.search(r"\{doc\}`([^`]+)`", bullet).group(1)
        assert first == claims.REGISTRY[claim].chapter, claim
