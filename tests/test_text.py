"""Numbers and verdicts in prose (qbp.book.text): one format per quantity, no e-notation."""

import math

import pytest

from qbp.book import text


@pytest.mark.parametrize("value,expected", [
    (0.000648, "6.48 × 10⁻⁴"), (0.0516, "0.0516"), (0.052, "0.052"), (927000, "9.27 × 10⁵"),
    (3.0, "3"), (-2.2360679, "−2.24"), (12345.6, "12300"), (0.001, "0.001"), (1e-12, "1 × 10⁻¹²"),
    (0, "0"), (9.9996e-4, "0.001"), (99999.7, "1 × 10⁵"),
])
def test_number(value, expected):
    assert text.number(value) == expected
    assert "e" not in text.number(value)


def test_rate_interval_signed_count_seconds():
    assert text.rate(0.51234) == "0.51"
    assert text.interval(0.1, 0.2543, text.rate) == "[0.10, 0.25]"
    assert text.signed(-0.3) == "−0.30" and text.signed(0.125) == "+0.12"
    assert text.count(129600) == "129,600"
    assert [text.seconds(s) for s in (0.84, 12.4, 200)] == ["0.8 s", "12 s", "3 min 20 s"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        text.number(bad)


def test_verdict_admonition():
    box = text.verdict_admonition("C3", "partly", "supports in 7 of 12 settings, contradicts in 0")
    assert box.splitlines()[0] == ":::{admonition} C3: partly"
    assert ":class: warning" in box and box.endswith(":::")
    with pytest.raises(ValueError, match="verdict"):
        text.verdict_admonition("C3", "maybe", "x")


@pytest.mark.parametrize("counts, expected", [
    ((0, 0, 6), "No setting supports the claim and none contradicts it (6 inconclusive): the "
                "data do not decide."),
    ((9, 0, 27), "9 of 36 settings support the claim and none contradicts it (27 inconclusive): "
                 "the inconclusive ones are no evidence against it."),
    ((7, 2, 3), "7 of 12 settings support the claim and 2 contradict it (3 inconclusive): only "
                "the 2 that contradict it are evidence against it, under our reading."),
    ((0, 1, 4), "No setting supports the claim and 1 of 5 contradicts it (4 inconclusive): only "
                "that one is evidence against it, under our reading."),
    ((0, 6, 0), "All 6 settings contradict the claim: evidence against it, under our reading."),
    ((3, 0, 0), "All 3 settings support the claim."),
    ((1, 0, 0), "The one setting supports the claim."),
])
def test_evidence_sentence_counts_only_contradicting_settings_against(counts, expected):
    assert text.evidence_sentence(*counts) == expected
    if counts[1] == 0:  # undecided or partly supported: never called a finding against
        assert "evidence against it, under" not in expected


def test_evidence_sentence_refuses_no_settings():
    with pytest.raises(ValueError, match="counts"):
        text.evidence_sentence(0, 0, 0)
    with pytest.raises(ValueError, match="counts"):
        text.evidence_sentence(-1, 2, 0)


class _Cell:
    def __init__(self, n, alpha=0.05, name="spearman_rho"):
        self.statistic = {"name": name, "n": n, "alpha": alpha}


def test_trend_power_from_the_number_of_layer_counts():
    # 3 degrees: the smallest exact p is 1/3! = 1/6 = 0.167 >= 0.05: no setting can support
    assert text.trend_power([_Cell(3), _Cell(3)]) == (
        "With 3 layer counts per setting, the smallest p-value the trend test can give is "
        "1/3! = 0.167, not below the significance level 0.05: no setting can support this "
        "claim, so this matrix cannot decide in its favour.")
    # 4: 1/24 = 0.0417 < 0.05, but one swapped pair gives 4/24 = 0.167: only a perfect order
    assert text.trend_power([_Cell(4), _Cell(3)]) == (
        "With at most 4 layer counts per setting, the smallest p-value the trend test can give "
        "is 1/4! = 0.0417, just below the significance level 0.05: only a perfectly ordered "
        "series can support this claim, and one pair out of order leaves a setting "
        "inconclusive. More layer counts give the test room.")
    # 5: one swapped pair gives 5/120 = 0.0417 < 0.05: the test has room
    assert text.trend_power([_Cell(5)]) is None
    # a stricter level makes 5 degrees tight again: 1/120 < 0.01 <= 1/24
    assert "1/5! = 0.00833, just below the significance level 0.01" in text.trend_power(
        [_Cell(5, alpha=0.01)])
    assert text.trend_power([_Cell(2, name="F")]) is None  # not a trend claim


def test_the_smallest_p_values_are_those_of_the_exact_test():
    """1/k! and k/k! are what qbp.stats.trend_test gives a perfect and a one-swap series."""
    import math

    from qbp.stats import trend_test

    assert trend_test([1, 2, 3, 4], [1, 2, 3, 4]).p_value == pytest.approx(1 / math.factorial(4))
    assert trend_test([1, 2, 3, 4], [1, 3, 2, 4]).p_value == pytest.approx(4 / math.factorial(4))
    assert trend_test(range(5), [0, 2, 1, 3, 4]).p_value == pytest.approx(5 / math.factorial(5))


def test_claim_admonition_has_one_form_for_every_claim():
    from qbp import claims
    from qbp.claims import Cell, ClaimResult
    from qbp.stats import Effect

    def cell(values, effect):
        j = claims.c2_rule([2, 4, 6, 8], values, Effect(*effect, "sample", "bootstrap", 0.95))
        return Cell("C2", {"n_qubits": 2, "cost": "tfim"}, "d", [2, 4, 6, 8], "median |∇C|",
                    {"value": values}, j.statistic, None, j.outcome, j.reason)

    result = ClaimResult.from_cells("C2", [cell([1, 2, 4, 3], (2, 1, 3)),  # one swap: p = 1/6
                                           cell([1, 2, 3, 4], (3, -1, 4))])  # interval has 0
    assert (result.verdict, result.n_inconclusive) == ("does not hold", 2)
    box = text.claim_admonition(result, detail="More in §3.")
    assert box == "\n".join([
        ":::{admonition} C2: does not hold", ":class: error", "",
        f"*{claims.CLAIMS['C2']}*", "",
        "No setting supports the claim and none contradicts it (2 inconclusive): the data do "
        "not decide.", "",
        "With 4 layer counts per setting, the smallest p-value the trend test can give is "
        "1/4! = 0.0417, just below the significance level 0.05: only a perfectly ordered "
        "series can support this claim, and one pair out of order leaves a setting "
        "inconclusive. More layer counts give the test room.", "",
        "More in §3.", ":::"])
    further = text.claim_admonition(result, title="C2, further evidence", statement=False)
    assert further.splitlines()[0] == ":::{admonition} C2, further evidence: does not hold"
    assert claims.CLAIMS["C2"] not in further
    with pytest.raises(TypeError, match="ClaimResult"):
        text.claim_admonition({"claim": "C2"})


def test_speedup_comments_say_why():
    from qbp.book.text import factor, speedup_comment
    from qbp.executors import Overhead, speedup

    assert (factor(0.7634), factor(1.8), factor(12.3)) == ("0.76×", "1.8×", "12×")
    fast = speedup(10.0, 5.5, 48, Overhead("processes", 0.08, 0.0001, 2, 0, 1.0))
    assert speedup_comment("In the process pool", fast) == (
        "In the process pool the sweep ran 1.8× as fast as in this process, of the at most 2× "
        "its 2 workers allow for 48 tasks; getting started took 80 ms of its 5.5 s.")
    costly = Overhead("processes", 0.4, 0.02, 2, 2600, 1.2)
    slow = speedup(1.0, 1.3, 12, costly, serial_seconds=0.4)  # predicted 0.4+0.4+0.24+6·0.05·1.2
    assert slow.predicted_seconds == pytest.approx(1.4)
    assert speedup_comment("In the process pool", slow) == (
        "In the process pool the sweep ran at 0.77× the speed of this process: a slow-down. Of "
        "its 1.0 s here, 0.4 s run in this process whatever the scheduler. Each of its 12 tasks "
        "holds 50 ms of work, while getting started took 0.4 s and each task added 20 ms for "
        "passing its data to a worker and back, and the same computation took 1.2× as long in "
        "a busy worker as here; it pays off once a task holds more than about 0.1 s of work "
        "(more starts, steps or starts per task).")
    # a second comment on the same sweep leaves out what the first said of the sweep
    assert speedup_comment("On Dask", slow, about_sweep=False) == (
        "On Dask the sweep ran at 0.77× the speed of this process: a slow-down. Here getting "
        "started took 0.4 s and each task added 20 ms for passing its data to a worker and "
        "back, and the same computation took 1.2× as long in a busy worker as here; it pays "
        "off once a task holds more than about 0.1 s of work (more starts, steps or starts per "
        "task).")
    loaded = speedup(10.0, 12.0, 48, Overhead("dask", 0.01, 0.0002, 2, 0, 1.0))
    assert speedup_comment("On Dask", loaded) == (
        "On Dask the sweep ran at 0.83× the speed of this process: a slow-down. The measured "
        "costs — getting started took 10 ms and each task added under 1 ms for passing its data "
        "to a worker and back — predict 5.0 s, faster than here: the rest is other programs "
        "using the machine's cores during the run.")
