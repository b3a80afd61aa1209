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
           "VERDICT_CLASS", "evidence_sentence", "trend_power", "claim_admonition", "factor",
           "speedup_comment"]

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


def _of(k: int, noun: str = "setting") -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def evidence_sentence(n_supports: int, n_contradicts: int, n_inconclusive: int) -> str:
    """What a claim's settings say, in one sentence of one form for every claim: how many
    support it, how many contradict it, how many are inconclusive, and what that means.

    Only a contradicting setting is evidence against a claim (the rule of
    :func:`qbp.stats.classify_cell`): an inconclusive one is not, so a claim that no setting
    supports and none contradicts is undecided, not refuted::

        >>> evidence_sentence(0, 0, 6)
        'No setting supports the claim and none contradicts it (6 inconclusive): the data do not decide.'

    ValueError for negative counts or none at all.
    """
    s, c, i = (int(n_supports), int(n_contradicts), int(n_inconclusive))
    if min(s, c, i) < 0 or s + c + i == 0:
        raise ValueError(f"counts must be >= 0 with at least one setting, got "
                         f"supports={s}, contradicts={c}, inconclusive={i}")
    n = s + c + i
    undecided = f" ({i} inconclusive)" if i else ""
    if s == n:
        return ("The one setting supports the claim." if n == 1
                else f"All {n} settings support the claim.")
    if s == 0 and c == 0:
        return (f"No setting supports the claim and none contradicts it{undecided}: the data "
                f"do not decide.")
    if s == 0 and c == n:
        return ("The one setting contradicts the claim: evidence against it, under our reading."
                if n == 1 else f"All {n} settings contradict the claim: evidence against it, "
                               f"under our reading.")
    if s == 0:
        return (f"No setting supports the claim and {c} of {n} "
                f"{'contradicts' if c == 1 else 'contradict'} it{undecided}: only "
                f"{'that one is' if c == 1 else f'those {c} are'} evidence against it, under "
                f"our reading.")
    support = f"{s} of {_of(n)} {'supports' if s == 1 else 'support'} the claim"
    if c == 0:
        return (f"{support} and none contradicts it{undecided}: the inconclusive "
                f"{'one is' if i == 1 else 'ones are'} no evidence against it.")
    return (f"{support} and {c} {'contradicts' if c == 1 else 'contradict'} it{undecided}: "
            f"only the {'one' if c == 1 else c} that {'contradicts' if c == 1 else 'contradict'} "
            f"it {'is' if c == 1 else 'are'} evidence against it, under our reading.")


def trend_power(cells) -> str | None:
    """For a trend claim (cells judged by Spearman's ρ with the exact permutation test,
    :func:`qbp.claims.trend_rule`): a sentence when the settings have so few layer counts
    that the test can barely or never reach its significance level; None otherwise (and for
    other claims).

    Over k layer counts the smallest one-sided p the exact test can give is 1/k! (a
    perfectly ordered series); the next smallest, with one neighbouring pair swapped, is
    k/k! = 1/(k−1)! (the identity and the k − 1 adjacent swaps have the two largest ρ). So
    if 1/k! ≥ α no setting can support the claim, and if 1/(k−1)! ≥ α only a perfectly
    ordered one can. Both read from the cells' statistics (``n``, ``alpha``); with several
    k the largest decides (the best chance any setting had).
    """
    stats = [c.statistic for c in cells if c.statistic.get("name") == "spearman_rho"]
    if not stats:
        return None
    k = max(int(st["n"]) for st in stats)
    alpha = float(stats[0].get("alpha", 0.05))
    if k > 9:  # Monte Carlo p-values: a perfect order reaches about 1e-5
        return None
    smallest = 1 / math.factorial(k)
    per = f"{'at most ' if len({int(st['n']) for st in stats}) > 1 else ''}{k} layer counts"
    level = f"the significance level {number(alpha)}"
    if smallest >= alpha:
        return (f"With {per} per setting, the smallest p-value the trend test can give is "
                f"1/{k}! = {number(smallest)}, not below {level}: no setting can support "
                f"this claim, so this matrix cannot decide in its favour.")
    if 1 / math.factorial(k - 1) >= alpha:
        return (f"With {per} per setting, the smallest p-value the trend test can give is "
                f"1/{k}! = {number(smallest)}, just below {level}: only a perfectly ordered "
                f"series can support this claim, and one pair out of order leaves a setting "
                f"inconclusive. More layer counts give the test room.")
    return None


def claim_admonition(result, title: str | None = None, statement: bool = True,
                     detail: str | None = None) -> str:
    """A claim's verdict box, to glue with ``{glue:md}``: the same form for every claim.

    ``result``: a :class:`qbp.claims.ClaimResult`. The title is "C3: partly" (``title``
    replaces the claim id, e.g. "C4, further evidence"); the body gives the claim's
    statement in italics (unless ``statement`` is False), :func:`evidence_sentence` of its
    counts, :func:`trend_power` when its settings have too few layer counts for the trend
    test, and ``detail``.
    """
    for name in ("claim", "verdict", "n_supports", "n_contradicts", "n_inconclusive", "cells"):
        if not hasattr(result, name):
            raise TypeError(f"result must be a qbp.claims.ClaimResult, got "
                            f"{type(result).__name__}")
    sentence = evidence_sentence(result.n_supports, result.n_contradicts, result.n_inconclusive)
    extra = [t for t in (trend_power(result.cells), detail) if t]
    return verdict_admonition(title or result.claim, result.verdict, sentence,
                              result.statement if statement else None,
                              "\n\n".join(extra) or None)


def factor(x) -> str:
    """A ratio of times: ``1.8×``, ``0.76×`` (two significant digits)."""
    return f"{number(x, 2)}×"


def _short(t: float) -> str:
    """A short time: milliseconds below 0.1 s, "under 1 ms" below that."""
    if t < 5e-4:
        return "under 1 ms"
    return seconds(t) if t >= 0.1 else f"{number(1000 * t, 2)} ms"


def speedup_comment(where: str, reading, about_sweep: bool = True) -> str:
    """A sentence or two on a parallel run (:class:`qbp.executors.SpeedupReading`),
    computed from its measurements: the speed-up as a factor, and why.

    A speed-up of at least 1 is set against the most the workers allow and the start-up
    cost. A speed-up below 1 is called a slow-down and explained: if the measured costs
    (start-up, passing each task's data, slower work in the workers) predict it, by those
    against the work per task, with the work per task above which running in parallel pays
    off; if they predict a speed-up, by other load on the machine during the run.
    ``where``: e.g. "In the process pool". ``about_sweep=False`` leaves out what belongs to
    the sweep rather than to this run (the work per task and the part that runs in this
    process), for a second comment on the same sweep.
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
        if not about_sweep:
            return f"{head} Here {costs}; {pays}."
        return (f"{head}{serial} Each of its {tasks} holds {_short(reading.work_per_task)} of "
                f"work, while {costs}; {pays}.")
    return (f"{head} The measured costs — {costs} — predict "
            f"{seconds(reading.predicted_seconds)}, faster than here: the rest is other "
            f"programs using the machine's cores during the run.")
