"""Numbers and verdicts as the book's prose prints them.

Chapters glue text made here, so that one quantity is written the same way everywhere (the
same significant digits on every page) and prose never shows e-notation: small and large
numbers are written as ``6.5 × 10⁻⁴``. Each chapter's verdict on a claim becomes a short
admonition (:func:`verdict_admonition`).

**Example**::

    >>> number(0.000648), number(0.0516), number(927000), number(3.0)
    ('6.48 × 10⁻⁴', '0.0516', '9.27 × 10⁵', '3')
    >>> rate(0.51234), interval(0.1, 0.2543, rate)
    ('0.51', '[0.10, 0.25]')
"""

from __future__ import annotations

import math
from typing import Callable

__all__ = ["number", "rate", "count", "seconds", "interval", "signed", "verdict_admonition",
           "VERDICT_CLASS", "factor", "speedup_comment"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MINUS = "−"


def _finite(x) -> float:
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"cannot write {x!r} in prose: not a finite number")
    return value


def number(x, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits, plain between 10⁻³ and 10⁵ and as
    ``m × 10ᵏ`` outside; trailing zeros dropped; a true minus sign. ValueError for NaN/inf."""
    value = _finite(x)
    if value == 0:
        return "0"
    sign = _MINUS if value < 0 else ""
    value = float(f"{abs(value):.{digits - 1}e}")  # rounded to `digits` significant digits
    exponent = math.floor(math.log10(value))
    if -3 <= exponent < 5:
        decimals = max(digits - 1 - exponent, 0)
        text = f"{value:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return sign + text
    mantissa = f"{value / 10 ** exponent:.{digits - 1}f}".rstrip("0").rstrip(".")
    return f"{sign}{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def rate(x) -> str:
    """A rate or fraction in [0, 1] (success rates, deceptiveness ratios): two decimals."""
    return f"{_finite(x):.2f}".replace("-", _MINUS)


def signed(x, fmt: Callable = rate) -> str:
    """A difference with its sign: ``+0.12`` / ``−0.30``."""
    value = _finite(x)
    text = fmt(abs(value))
    return ("+" if value >= 0 else _MINUS) + text


def count(n) -> str:
    """An integer with commas between thousands (``129,600``): glued text is shown through its
    repr, which would escape a thin space."""
    return f"{int(n):,}"


def seconds(x) -> str:
    """A wall time: ``0.8 s``, ``12 s``, ``3 min 20 s``."""
    value = _finite(x)
    if value < 10:
        return f"{value:.1f} s"
    if value < 60:
        return f"{value:.0f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest} s"


def interval(low, high, fmt: Callable = number) -> str:
    """A 95 % interval as ``[low, high]`` in the quantity's own format."""
    return f"[{fmt(low)}, {fmt(high)}]"


#: Admonition class of each verdict (the theme colours them: green, yellow, red, grey).
VERDICT_CLASS = {"holds": "tip", "partly": "warning", "does not hold": "error",
                 "not computed": "note"}


def verdict_admonition(claim: str, verdict: str, sentence: str, statement: str | None = None,
                       detail: str | None = None) -> str:
    """A short MyST admonition for a claim's verdict, to glue with ``{glue:md}``:
    the title names the claim and its verdict, the body gives the counts ``sentence`` and
    optionally the claim's ``statement`` and one line of ``detail``."""
    if verdict not in VERDICT_CLASS:
        raise ValueError(f"verdict must be one of {tuple(VERDICT_CLASS)}, got {verdict!r}")
    body = [sentence.strip()]
    if statement:
        body.insert(0, f"*{statement.strip()}*")
    if detail:
        body.append(detail.strip())
    return "\n".join([f":::{{admonition}} {claim}: {verdict}", f":class: {VERDICT_CLASS[verdict]}",
                      "", "\n\n".join(body), ":::"])


def factor(x) -> str:
    """A ratio of times: ``1.8×``, ``0.76×`` (two significant digits)."""
    return f"{number(x, 2)}×"


def _short(t: float) -> str:
    """A short time: milliseconds below 0.1 s, "under 1 ms" below that."""
    if t < 5e-4:
        return "under 1 ms"
    return seconds(t) if t >= 0.1 else f"{number(1000 * t, 2)} ms"


def speedup_comment(where: str, reading) -> str:
    """A sentence or two on a parallel run (:class:`qbp.executors.SpeedupReading`),
    computed from its measurements: the speed-up as a factor, and why.

    A speed-up of at least 1 is set against the most the workers allow and the start-up
    cost. A speed-up below 1 is called a slow-down and explained: if the measured costs
    (start-up, passing each task's data, slower work in the workers) predict it, by those
    against the work per task, with the work per task above which running in parallel pays
    off; if they predict a speed-up, by other load on the machine during the run.
    ``where``: e.g. "In the process pool".
    """
    o = reading.overhead
    tasks = f"{reading.n_tasks} task{'s' if reading.n_tasks != 1 else ''}"
    if reading.speedup >= 1:
        return (f"{where} the sweep ran {factor(reading.speedup)} as fast as in this process, "
                f"of the at most {reading.best_speedup}× its {o.workers} workers allow for "
                f"{tasks}; getting started took {_short(o.start_seconds)} of its "
                f"{seconds(reading.seconds)}.")
    head = (f"{where} the sweep ran at {factor(reading.speedup)} the speed of this process: a "
            f"slow-down.")
    slower = (f", and the same computation took {factor(o.work_ratio)} as long in a busy "
              f"worker as here" if o.work_ratio >= 1.1 else "")
    costs = (f"getting started took {_short(o.start_seconds)} and each task added "
             f"{_short(o.per_task_seconds)} for passing its data to a worker and back{slower}")
    if reading.predicted_seconds >= reading.seconds_here:
        need = reading.break_even_work
        pays = ("with these tasks no amount of work per task makes it pay off" if
                need == float("inf") else
                f"it pays off once a task holds more than about {_short(need)} of work (more "
                f"starts, steps or starts per task)")
        serial = (f" Of its {seconds(reading.seconds_here)} here, {_short(reading.serial_seconds)} "
                  f"run in this process whatever the scheduler." if reading.serial_seconds else "")
        return (f"{head}{serial} Each of its {tasks} holds {_short(reading.work_per_task)} of "
                f"work, while {costs}; {pays}.")
    return (f"{head} The measured costs — {costs} — predict "
            f"{seconds(reading.predicted_seconds)}, faster than here: the rest is other "
            f"programs using the machine's cores during the run.")
