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
    loaded = speedup(10.0, 12.0, 48, Overhead("dask", 0.01, 0.0002, 2, 0, 1.0))
    assert speedup_comment("On Dask", loaded) == (
        "On Dask the sweep ran at 0.83× the speed of this process: a slow-down. The measured "
        "costs — getting started took 10 ms and each task added under 1 ms for passing its data "
        "to a worker and back — predict 5.0 s, faster than here: the rest is other programs "
        "using the machine's cores during the run.")
