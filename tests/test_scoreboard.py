"""The claims scoreboard: verdicts gathered from results files, what the conclusions page shows."""

import json

import pytest

from qbp import claims
from qbp.book import scoreboard
from qbp.claims import Verdict
from qbp.results import save_results
from qbp.book.scoreboard import CLAIMS, NOT_COMPUTED, collect, describe, key_numbers


def save(folder, stem, verdicts: dict, parameters=None, **data):
    return save_results(folder / f"{stem}.json", {**data, "claims": verdicts},
                        parameters or {"resolution": 60})


def c1(verdict="holds", factor=300.0):
    return Verdict("C1", verdict, "the minimum got better",
                   {"improvement_factor": factor, "orders_of_magnitude": 2.48,
                    "spearman_rho": -0.9, "factor_holds": 100.0, "excess": [0.1, 0.001]})


class TestCollect:
    def test_missing_folder_means_every_claim_not_computed(self, tmp_path):
        board = collect(tmp_path / "nowhere")
        assert [e.claim for e in board.primary()] == list(CLAIMS)
        assert all(e.verdict == NOT_COMPUTED and not e.computed for e in board.entries)
        assert board.counts() == {"holds": 0, "partly": 0, "does not hold": 0,
                                  NOT_COMPUTED: 7}
        assert "no results folder" in board.problems[0]

    def test_a_saved_verdict_fills_its_claim_and_only_it(self, tmp_path):
        save(tmp_path, "01_circuit_landscape", {"C1": c1()}, {"resolution": 60, "seed": 7})
        board = collect(tmp_path)
        entry = board.entry("C1")
        assert (entry.verdict, entry.chapter, entry.key) == ("holds", "01_circuit_landscape", "C1")
        assert entry.reason == "the minimum got better"
        assert entry.parameters == {"resolution": 60, "seed": 7}
        assert entry.numbers["improvement_factor"] == 300.0
        assert entry.statement == CLAIMS["C1"]
        assert [e.verdict for e in board.primary()[1:]] == [NOT_COMPUTED] * 6
        assert board.chapters["01_circuit_landscape"]["claims"] == ["C1"]
        assert board.counts()["holds"] == 1 and not board.problems

    def test_extra_evidence_does_not_decide_the_claim(self, tmp_path):
        extra = Verdict("C4", "partly", "beyond the default circuit", {})
        save(tmp_path, "a1_more_qubits", {"C4_beyond_default": extra})
        board = collect(tmp_path)
        assert board.entry("C4").verdict == NOT_COMPUTED  # never silently filled by extras
        (only,) = board.extra()
        assert (only.claim, only.key, only.chapter, only.primary) == (
            "C4", "C4_beyond_default", "a1_more_qubits", False)
        claims_order = [e.claim for e in board.entries]
        assert claims_order.index("C4") < claims_order.index("C5")  # listed with its claim

    def test_expected_chapter_wins_when_two_files_decide_a_claim(self, tmp_path):
        save(tmp_path, "00_other", {"C2": Verdict("C2", "does not hold", "other", {})})
        save(tmp_path, "03_deceptiveness", {"C2": Verdict("C2", "holds", "main", {})})
        board = collect(tmp_path)
        assert board.entry("C2").chapter == "03_deceptiveness"
        assert [(e.chapter, e.primary) for e in board.extra()] == [("00_other", False)]

    def test_unusable_files_and_entries_are_reported_not_fatal(self, tmp_path):
        (tmp_path / "broken.json").write_text("{not json")
        (tmp_path / "foreign.json").write_text(json.dumps({"hello": 1}))
        save(tmp_path, "bad", {"C1": {"claim": "C1", "verdict": "maybe", "reason": "",
                                      "numbers": {}},
                               "C9": Verdict("C1", "holds", "", {}).__dict__ | {"claim": "C9"},
                               "C7": Verdict("C7", "partly", "fine", {})})
        save_results(tmp_path / "no_claims.json", {"seconds": 3.0}, {})
        board = collect(tmp_path)
        text = " | ".join(board.problems)
        assert "broken.json" in text and "foreign.json" in text
        assert "'maybe'" in text and "unknown claim 'C9'" in text
        assert board.entry("C7").verdict == "partly"
        assert board.entry("C1").verdict == NOT_COMPUTED
        assert board.chapters["no_claims"]["claims"] == []

    def test_altered_file_is_reported_damaged_not_trusted(self, tmp_path):
        path = save(tmp_path, "01_circuit_landscape", {"C1": c1("holds", factor=300.0)})
        path.write_text(path.read_text().replace("300.0", "3000.0"))  # valid JSON, altered
        board = collect(tmp_path)
        assert board.entry("C1").verdict == NOT_COMPUTED
        assert any("01_circuit_landscape.json" in p and "is damaged" in p for p in board.problems)

    def test_entry_of_unknown_claim(self, tmp_path):
        with pytest.raises(KeyError, match="C8"):
            collect(tmp_path).entry("C8")


class TestKeyNumbers:
    def test_headline_numbers_skip_rule_thresholds(self):
        numbers = key_numbers(scoreboard.Entry("C1", "holds", "01", "C1", numbers=c1().numbers))
        assert numbers == [("improvement factor", 300.0), ("orders of magnitude", 2.48),
                           ("ρ", -0.9)]

    def test_grouped_by_tolerance(self, tmp_path):
        verdict = claims.c3_verdict([2, 4, 6], {0.001: [0.1, 0.2, 0.3], 0.1: [0.3, 0.2, 0.1]})
        save(tmp_path, "03_deceptiveness", {"C3": verdict})  # through JSON, as chapters do
        picked = key_numbers(collect(tmp_path).entry("C3"))
        assert [label for label, _ in picked] == [
            "tol 0.001: ratio, lowest degree", "highest degree", "ρ",
            "tol 0.1: ratio, lowest degree", "highest degree", "ρ"]
        assert [value for _, value in picked][:2] == [0.1, 0.3]

    def test_wildcard_runs_over_lists(self):
        numbers = {"groups": [{"spread": {"0.1": 0.02}}, {"spread": {"0.1": 0.3}}]}
        entry = scoreboard.Entry("C4", "partly", numbers=numbers)
        assert key_numbers(entry) == [("group 1, tol 0.1: spread over R", 0.02),
                                      ("group 2, tol 0.1: spread over R", 0.3)]

    def test_unknown_layout_falls_back_to_every_scalar(self):
        numbers = {"a_b": 1.5, "flag": True, "rho_holds": 0.8, "nested": {"x": 2, "y": [1]},
                   "undefined": None, "name": "text"}
        entry = scoreboard.Entry("C6", "partly", numbers=numbers)
        assert key_numbers(entry) == [("a b", 1.5), ("nested x", 2), ("undefined", None)]

    @pytest.mark.parametrize("verdict, label", [
        (claims.c1_verdict([2, 4, 6], [1.0, 0.1, 0.001]), "improvement factor"),
        (claims.c2_verdict([2, 4, 6], [1.0, 2.0, 3.0]), "median |∇C|, lowest degree"),
        (claims.c3_verdict([2, 4, 6], {0.1: [0.1, 0.2, 0.3]}), "tol 0.1: ratio, lowest degree"),
        (claims.c4_verdict([45, 90], {0.1: [[0.2, 0.21]]}), "tol 0.1: spread over R"),
        (claims.c5_verdict([2, 4, 6], {"adam": [1.0, 0.5, 0.2]}),
         "adam: best success, lowest degree"),
        (claims.c6_verdict([2, 4], {"adam": [[0.0, 1.0], [0.5, 0.6]]}),
         "mean learning-rate sensitivity"),
        (claims.c7_verdict([[90, 45]], [80.0]), "halvings near one quartile"),
    ], ids=lambda v: getattr(v, "claim", ""))
    def test_every_claim_rule_has_headline_numbers(self, verdict, label, tmp_path):
        """What each qbp.claims rule saves (after the JSON round trip) has its headline."""
        save(tmp_path, "ch", {verdict.claim: verdict})
        picked = key_numbers(collect(tmp_path).entry(verdict.claim))
        assert picked[0][0] == label
        assert all(isinstance(v, (int, float)) or v is None for _, v in picked)


class TestText:
    @pytest.mark.parametrize("value, text", [
        (0.0123456, "0.0123"), (-0.0857, "−0.0857"), (1234567.0, "1.23e+06"), (3, "3"),
        (None, "undefined"), (float("nan"), "undefined"), (True, "true"), ([1, 0.5], "[1, 0.5]"),
    ])
    def test_format_value(self, value, text):
        assert scoreboard.format_value(value) == text

    def test_format_parameters_keeps_values_as_saved(self):
        text = scoreboard.format_parameters({"tol": 0.001, "resolutions": [45, 90],
                                             "cache_dir": "cache", "flag": False})
        assert text == "tol = 0.001, resolutions = [45, 90], cache_dir = 'cache', flag = false"

    def test_describe_a_computed_claim_with_extra_evidence(self, tmp_path):
        save(tmp_path, "03_deceptiveness",
             {"C4": Verdict("C4", "does not hold", "the ratio varies by 0.5.", {})})
        save(tmp_path, "a1_more_qubits",
             {"C4_beyond_default": Verdict("C4", "partly", "at R = 45, 90 it varies", {})})
        board = collect(tmp_path)
        text = describe(board.entry("C4"), board, run="the quick profile")
        assert text.startswith("**C4 does not hold.** The ratio varies by 0.5. ")
        assert "Computed in {doc}`03_deceptiveness` with the quick profile." in text
        assert ("Further evidence from {doc}`a1_more_qubits` (`C4_beyond_default`), which does "
                "not decide the claim: **partly**. At R = 45, 90 it varies.") in text
        plain = describe(board.entry("C4"), link=lambda s: f"<{s}>")
        assert "Computed in <03_deceptiveness> with resolution = 60." in plain
        assert "Further evidence" not in plain

    def test_describe_a_claim_not_computed(self, tmp_path):
        board = collect(tmp_path)
        text = describe(board.entry("C5"), board)
        assert text.startswith("**C5 not computed.**")
        assert "`05_success_rates`" in text and f"`{tmp_path}`" in text

    def test_chapter_title(self, tmp_path):
        import nbformat
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("(label)=\n# Title\n"),
                                             nbformat.v4.new_markdown_cell("# Other")])
        nbformat.write(nb, tmp_path / "ch.ipynb")
        assert scoreboard.chapter_title(tmp_path / "ch.ipynb") == "Title"
        assert scoreboard.chapter_title(tmp_path / "missing.ipynb") is None


class TestPlot:
    def test_one_dot_per_claim_in_its_outcome_column(self):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from qbp import plots

        ax = plots.plot_scoreboard(["C1", "C2"], ["holds", NOT_COMPUTED], labels=["a", "b"],
                                   notes=["01", None], extra=[("C1", "partly", "a1")])
        dots = [tuple(c.get_offsets()[0]) for c in ax.collections]
        assert dots == [(3.0, 0.0), (0.0, 1.0), (2.0, 0.32)]  # holds, not computed, extra
        assert [t.get_text() for t in ax.get_yticklabels()] == ["C1  a", "C2  b"]
        assert [t.get_text() for t in ax.texts] == ["01", "a1"]
        plt.close(ax.figure)

    def test_rejects_unknown_verdicts(self):
        from qbp import plots

        with pytest.raises(ValueError, match="one verdict per claim"):
            plots.plot_scoreboard(["C1"], ["maybe"])
        with pytest.raises(ValueError, match="one verdict per claim"):
            plots.plot_scoreboard(["C1", "C2"], ["holds"])
