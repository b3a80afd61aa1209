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
