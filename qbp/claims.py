"""The paper's claims (SPEC §8) and the rules that judge them (SPEC §11), in one registry.

:data:`REGISTRY` holds one :class:`Claim` per claim C1–C7: its statement (SPEC §8's wording),
a short label for figures, the chapter that decides it, the **cell rule** — the function that
turns one setting's measurements into ``"supports"``, ``"contradicts"`` or
``"inconclusive"`` — and a one-line plain statement of that rule for readers.
:data:`CLAIMS`, :data:`SHORT` and :data:`EXPECTED_CHAPTER` are the same registry as plain
dicts (the book's scoreboard imports them from here).

A :class:`Cell` is one setting of the settings matrix (qubits, cost, and where relevant seed,
tol, run length, optimizer, layers) with its measured series, the statistic, the effect with
its interval, the outcome and a one-line reason; a :class:`ClaimResult` is a claim's verdict
over its cells (:func:`qbp.stats.claim_verdict`: holds / partly / does not hold, with
counts). Both are frozen and round-trip through JSON (``to_dict`` / ``from_dict``).
:mod:`qbp.matrix` computes the cells.

Superseded: :class:`Verdict`, the single-configuration verdict that results files from
before the settings matrix hold (the scoreboard recognises it and does not count it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Callable

import numpy as np

from ._checks import check_choice, real_array
from .stats import CELLS, VERDICTS, VerdictCounts

__all__ = ["VERDICTS", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict on one configuration, with the reason and the numbers behind it
    (superseded by :class:`ClaimResult`: the format of results files from before the settings
    matrix)."""

    claim: str
    verdict: str
    reason: str
    numbers: dict = field(default_factory=dict)

    def __post_init__(self):
        check_choice(self.verdict, "verdict", VERDICTS)

    def to_dict(self) -> dict:
        return asdict(self)


# --- The settings matrix (SPEC §11): cells, claim results, cell rules, the registry ----------

#: C1: F at or above this supports "orders of magnitude" (two of them).
C1_SUPPORTS_AT = 100.0
#: C1: F at or below this contradicts (no sharing degree beats L = 1).
C1_CONTRADICTS_AT = 1.0
#: C4: a spread of the flow ratio over R (worst L) at most this supports "largely independent".
C4_SUPPORTS_AT = 0.05
#: C4: a spread above this contradicts.
C4_CONTRADICTS_ABOVE = 0.15
#: C7: the band of percentile ranks that counts as "about a quartile" (75 ± half a quartile).
C7_BAND = (62.5, 87.5)
#: Significance level of the one-sided trend tests.
ALPHA = 0.05


def _plain(value):
    """``value`` as plain JSON types (numpy → Python, tuples → lists, NaN → None)."""
    from .results import to_json

    return to_json(value)


def _series_tuple(values, name: str) -> tuple:
    if isinstance(values, (str, bytes)) or not np.iterable(values):
        raise TypeError(f"{name} must be a sequence, got {values!r}")
    return tuple(_plain(list(values)))


@dataclass(frozen=True)
class Judgement:
    """What a cell rule returns: the ``outcome`` (one of :data:`CELLS`), the
    ``statistic`` it rests on (a JSON-ready dict with at least ``name`` and ``value``) and a
    one-line ``reason``."""

    outcome: str
    statistic: dict
    reason: str

    def __post_init__(self):
        check_choice(self.outcome, "outcome", CELLS)
        object.__setattr__(self, "statistic", _plain(dict(self.statistic)))


@dataclass(frozen=True)
class Cell:
    """One setting of the settings matrix and what it says about a claim (SPEC §11).

    ``claim``: ``"C1"`` … ``"C7"``; ``setting``: the axes that fix the cell (``n_qubits``,
    ``cost`` and where relevant ``seed``, ``tol``, ``steps``, ``optimizer``, ``layers``);
    ``x_name`` and ``x``: what the measured series runs over (the sharing degrees n·L, or the
    resolutions R of C7's halvings); ``quantity``: what ``series["value"]`` measures, with
    units; ``series``: name → tuple aligned with ``x`` — ``"value"`` always, ``"low"`` and
    ``"high"`` its 95 % interval where it has one, other readings beside; ``statistic``:
    the number the rule judges (``name``, ``value``, and e.g. ``p_value``); ``effect``: the
    effect with its 95 % interval (``estimate``, ``low``, ``high``, ``method``) or None;
    ``outcome``: supports / contradicts / inconclusive; ``reason``: one line; ``beside``:
    readings shown next to the cell but not judged. Every number is plain JSON (NaN is
    stored as None), so ``Cell.from_dict(json.loads(json.dumps(cell.to_dict()))) == cell``.
    """

    claim: str
    setting: dict
    x_name: str
    x: tuple
    quantity: str
    series: dict
    statistic: dict
    effect: dict | None
    outcome: str
    reason: str
    beside: dict = field(default_factory=dict)

    def __post_init__(self):
        check_choice(self.claim, "claim", list(CLAIMS))
        check_choice(self.outcome, "outcome", CELLS)
        x = _series_tuple(self.x, "x")
        if not isinstance(self.series, dict) or "value" not in self.series:
            raise ValueError("series must be a dict with a 'value' entry")
        series = {str(k): _series_tuple(v, f"series[{k!r}]") for k, v in self.series.items()}
        bad = [k for k, v in series.items() if len(v) != len(x)]
        if bad:
            raise ValueError(f"series {bad} must have one entry per x ({len(x)})")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "series", series)
        object.__setattr__(self, "setting", _plain(dict(self.setting)))
        object.__setattr__(self, "statistic", _plain(dict(self.statistic)))
        object.__setattr__(self, "effect", None if self.effect is None else _plain(dict(self.effect)))
        object.__setattr__(self, "beside", _plain(dict(self.beside)))

    @property
    def label(self) -> str:
        """The setting as short text: ``"n = 2, tfim, tol = 0.001, seed 0"``."""
        return setting_label(self.setting)

    def to_dict(self) -> dict:
        """Plain JSON types (lists for tuples)."""
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, d: dict) -> "Cell":
        """The cell :meth:`to_dict` (or :func:`qbp.results.to_json`) wrote."""
        if not isinstance(d, dict):
            raise TypeError(f"a cell must be a dict, got {type(d).__name__}")
        try:
            return cls(d["claim"], d["setting"], d["x_name"], tuple(d["x"]), d["quantity"],
                       {k: tuple(v) for k, v in d["series"].items()}, d["statistic"],
                       d["effect"], d["outcome"], d["reason"], d.get("beside") or {})
        except KeyError as err:
            raise ValueError(f"a cell needs the key {err.args[0]!r}") from None


#: Order and wording of the setting axes in labels.
_AXES = ("n_qubits", "cost", "layers", "tol", "steps", "optimizer", "seed")


def setting_label(setting: dict) -> str:
    """A setting as short text, axes in a fixed order: ``"n = 2, tfim, tol = 0.001, T = 500,
    adam, seed 0"`` (``layers`` as ``L = 3``)."""
    parts = []
    for key in sorted(setting, key=lambda k: (_AXES.index(k) if k in _AXES else len(_AXES), k)):
        v = setting[key]
        parts.append({"n_qubits": f"n = {v}", "cost": f"{v}", "layers": f"L = {v}",
                      "tol": f"tol = {v:g}" if isinstance(v, (int, float)) else f"tol = {v}",
                      "steps": f"T = {v}", "optimizer": f"{v}", "seed": f"seed {v}"}
                     .get(key, f"{key} = {v}"))
    return ", ".join(parts)


@dataclass(frozen=True)
class ClaimResult(VerdictCounts):
    """A claim's verdict over its cells (SPEC §11): ``verdict`` (holds / partly / does not
    hold, from :func:`qbp.stats.claim_verdict`), the counts, the ``sentence`` ("supports in
    7 of 12 settings, contradicts in 2") — the fields of :class:`qbp.stats.VerdictCounts` —
    and, keyword-only, the ``claim``, the plain statement of the cell ``rule`` and the
    ``cells`` themselves. JSON round trip: :meth:`to_dict` / :meth:`from_dict`."""

    claim: str = field(kw_only=True)
    rule: str = field(kw_only=True)
    cells: tuple = field(default=(), kw_only=True)

    @classmethod
    def from_cells(cls, claim: str, cells) -> "ClaimResult":
        """Judge ``claim`` on ``cells`` (at least one, all of that claim)."""
        from .stats import claim_verdict

        check_choice(claim, "claim", list(REGISTRY))
        cells = tuple(cells)
        if not cells:
            raise ValueError(f"{claim}: cells must not be empty (a verdict needs a setting)")
        if not all(isinstance(c, Cell) for c in cells):
            raise TypeError("cells must be qbp.claims.Cell objects")
        other = sorted({c.claim for c in cells} - {claim})
        if other:
            raise ValueError(f"cells of claims {other} cannot decide {claim}")
        counts = claim_verdict([c.outcome for c in cells]).counts()
        return cls(**counts, claim=claim, rule=REGISTRY[claim].rule_text, cells=cells)

    @property
    def statement(self) -> str:
        return CLAIMS[self.claim]

    def as_verdict(self) -> Verdict:
        """The result as the scoreboard's :class:`Verdict` (reason: the counts sentence and
        the rule; numbers: the counts), for results files read by the current scoreboard."""
        numbers = {k: v for k, v in self.counts().items() if k.startswith("n_")}
        return Verdict(self.claim, self.verdict, f"{self.sentence} ({self.rule})", numbers)

    def to_dict(self) -> dict:
        return {"claim": self.claim, **self.counts(), "rule": self.rule,
                "cells": [c.to_dict() for c in self.cells]}

    @classmethod
    def from_dict(cls, d: dict) -> "ClaimResult":
        """The result :meth:`to_dict` wrote; ValueError if a key is missing or the verdict is
        not one of :data:`VERDICTS`."""
        if not isinstance(d, dict):
            raise TypeError(f"a claim result must be a dict, got {type(d).__name__}")
        try:
            counts = {f.name: int(d[f.name]) if f.name.startswith("n_") else d[f.name]
                      for f in fields(VerdictCounts)}
            return cls(**counts, claim=d["claim"], rule=d["rule"],
                       cells=tuple(Cell.from_dict(c) for c in d["cells"]))
        except KeyError as err:
            raise ValueError(f"a claim result needs the key {err.args[0]!r}") from None


# --- cell rules ------------------------------------------------------------------------------


def _degrees(degrees, n: int | None = None, name: str = "degrees") -> np.ndarray:
    d = real_array(degrees, name)
    if d.ndim != 1 or len(d) < 2 or not np.all(np.isfinite(d)):
        raise ValueError(f"{name} must be 1-D, finite, with at least 2 entries, got {d.tolist()}")
    if np.any(np.diff(d) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {d.tolist()}")
    if n is not None and len(d) != n:
        raise ValueError(f"{name} must have one entry per value ({n}), got {len(d)}")
    return d


def _effect_text(effect) -> str:
    return f"{effect.estimate:+.3g} [{effect.low:+.3g}, {effect.high:+.3g}]"


def trend_rule(x, values, effect, direction: str, *, alpha: float = ALPHA) -> Judgement:
    """The trend rule of SPEC §11 (C2, C3, C5, C6): Spearman ρ of ``values`` against ``x``
    with the exact one-sided permutation p-value (:func:`qbp.stats.trend_test`), and the
    effect with its 95 % interval (a :class:`qbp.stats.Effect`, sign convention of the
    claim's x: last − first); :func:`qbp.stats.classify_cell` decides:

    - **supports**: p < ``alpha`` (0.05) in ``direction`` and the interval excludes 0 on the
      claimed side;
    - **contradicts**: the interval lies entirely on the other side of 0;
    - **inconclusive**: otherwise.

    Over n points the exact p is at least 1/n! (a perfectly monotone series): with 3 points
    or fewer no cell can support (1/6 > 0.05), with 4 only a perfectly monotone one.
    """
    from .stats import Effect, classify_cell, trend_test

    if not isinstance(effect, Effect):
        raise TypeError(f"effect must be a qbp.stats.Effect, got {type(effect).__name__}")
    t = trend_test(x, values, direction)
    outcome = classify_cell(effect, direction, t.p_value, alpha)
    claimed = effect.low > 0 if direction == "increasing" else effect.high < 0
    if outcome == "supports":
        why = f"p < {alpha:g} and the interval excludes 0"
    elif outcome == "contradicts":
        why = f"the interval lies {'below' if direction == 'increasing' else 'above'} 0"
    elif not claimed:
        why = "the interval includes 0"
    else:
        why = f"p ≥ {alpha:g}"
    reason = (f"ρ = {t.rho:+.2f}, one-sided p = {t.p_value:.2g} ({direction}); effect "
              f"{_effect_text(effect)}: {outcome} ({why})")
    statistic = {"name": "spearman_rho", "value": t.rho, "p_value": t.p_value, "n": t.n,
                 "direction": direction, "exact": t.exact, "alpha": alpha}
    return Judgement(outcome, statistic, reason)


def c1_rule(degrees, excess, *, floor: float = 1e-12) -> Judgement:
    """C1's cell rule: F = excess(first degree) / min excess (:func:`qbp.stats
    .improvement_factor`, excess = C* − E₀ ordered by increasing sharing degree, values below
    ``floor`` counted as ``floor``). **supports** if F ≥ 100 (two orders of magnitude),
    **contradicts** if F ≤ 1 (no degree beats the first), else **inconclusive**. A refined
    minimum has no sampling error: F carries no interval."""
    from .stats import improvement_factor

    e = real_array(excess, "excess")
    d = _degrees(degrees, e.size)
    f = improvement_factor(e, floor, C1_SUPPORTS_AT, C1_CONTRADICTS_AT)
    reason = (f"F = {f.first:.3g} / {f.best:.3g} = {f.factor:.3g} (lowest excess at degree "
              f"{d[f.best_position]:g}): {f.cell} (supports needs F ≥ {C1_SUPPORTS_AT:g}, "
              f"contradicts F ≤ {C1_CONTRADICTS_AT:g})")
    statistic = {"name": "F", "value": f.factor, "first": f.first, "best": f.best,
                 "best_degree": float(d[f.best_position]), "n_floored": f.n_floored,
                 "floor": f.floor, "orders_of_magnitude": float(np.log10(f.factor))}
    return Judgement(f.cell, statistic, reason)


def c2_rule(degrees, medians, effect) -> Judgement:
    """C2's cell rule: :func:`trend_rule` ``"increasing"`` on the median exact |∇C| over the
    whole grid per degree; the effect is median(last) − median(first) with the resolution
    error (:func:`qbp.stats.resolution_difference`: ± its change from R/2 to R)."""
    return trend_rule(degrees, medians, effect, "increasing")


def c3_rule(degrees, ratios, effect) -> Judgement:
    """C3's cell rule: :func:`trend_rule` ``"increasing"`` on the flow ratio from random
    starts per degree; the effect is ratio(last) − ratio(first) with Newcombe's interval
    (:func:`qbp.stats.proportion_difference` on deceptive / converged counts)."""
    return trend_rule(degrees, ratios, effect, "increasing")


def c4_rule(degrees, spreads) -> Judgement:
    """C4's cell rule: the spread (max − min over the resolutions R) of the flow ratio on the
    nested R-grids, per degree; the statistic is the worst degree's spread.
    **supports** if it is ≤ 0.05, **contradicts** if it is > 0.15, else **inconclusive**
    (absolute ratio units)."""
    s = real_array(spreads, "spreads")
    d = _degrees(degrees, s.size)
    if not np.all(np.isfinite(s)) or np.any((s < 0) | (s > 1)):
        raise ValueError(f"spreads must lie in [0, 1], got {s.tolist()}")
    worst = int(np.argmax(s))
    value = float(s[worst])
    outcome = ("supports" if value <= C4_SUPPORTS_AT else
               "contradicts" if value > C4_CONTRADICTS_ABOVE else "inconclusive")
    reason = (f"the flow ratio varies by at most {value:.3g} over R (worst at degree "
              f"{d[worst]:g}): {outcome} (supports needs ≤ {C4_SUPPORTS_AT:g}, contradicts "
              f"> {C4_CONTRADICTS_ABOVE:g})")
    statistic = {"name": "spread", "value": value, "worst_degree": float(d[worst])}
    return Judgement(outcome, statistic, reason)


def c5_rule(degrees, best_rates, effect) -> Judgement:
    """C5's cell rule: :func:`trend_rule` ``"decreasing"`` on the best settled success rate
    over the learning rates per degree; the effect is best(last) − best(first) with
    Newcombe's interval (:func:`qbp.stats.proportion_difference`)."""
    return trend_rule(degrees, best_rates, effect, "decreasing")


def c6_rule(ratios, widths, effect) -> Judgement:
    """C6's cell rule: :func:`trend_rule` ``"decreasing"`` of the learning-rate window width
    (decades of η, :func:`qbp.stats.window_width`) against the deceptiveness (flow) ratio of
    the same starts, over the degrees; the effect is width(most deceptive degree) −
    width(least deceptive degree) with a paired bootstrap interval over starts. Ties in the
    ratio take average ranks. If the ratio is the same at every degree there is no "more
    deceptive" landscape to compare: **inconclusive**. Only degrees with a window enter
    (a width is NaN where no run settled, and :func:`qbp.matrix.c6_cell` leaves it out):
    ``widths`` must be finite."""
    r = real_array(ratios, "ratios")
    if r.ndim != 1 or not np.all(np.isfinite(r)):
        raise ValueError(f"ratios must be 1-D and finite, got {r.tolist()}")
    if r.size >= 2 and np.all(r == r[0]):
        reason = (f"the deceptiveness ratio is {r[0]:.3g} at every degree: no landscape is "
                  f"more deceptive than another, so the trend is undefined: inconclusive")
        return Judgement("inconclusive", {"name": "spearman_rho", "value": 0.0, "p_value": 1.0,
                                          "n": int(r.size), "direction": "decreasing",
                                          "exact": True, "alpha": ALPHA}, reason)
    return trend_rule(r, widths, effect, "decreasing")


def c7_rule(resolutions, ranks, *, band=C7_BAND) -> Judgement:
    """C7's cell rule: for each halving (R → R/2) the percentile rank of the median per-step
    magnitude at R/2 within the distribution at R (:mod:`qbp.resolution`). A rank in
    ``band`` = [62.5, 87.5] (75 ± half a quartile) is "about a quartile up".
    **supports** if every rank is in the band, **contradicts** if none is, else
    **inconclusive**. Whole grids: no sampling error."""
    q = real_array(ranks, "ranks")
    res = real_array(resolutions, "resolutions")
    if q.ndim != 1 or q.size < 1 or res.shape != q.shape:
        raise ValueError(f"resolutions and ranks must be 1-D of one length >= 1, got "
                         f"{res.shape} and {q.shape}")
    if not np.all(np.isfinite(q)) or np.any((q < 0) | (q > 100)):
        raise ValueError(f"ranks must be percentile ranks in [0, 100], got {q.tolist()}")
    low, high = float(band[0]), float(band[1])
    within = (q >= low) & (q <= high)
    k, m = int(within.sum()), int(q.size)
    outcome = "supports" if k == m else "contradicts" if k == 0 else "inconclusive"
    reason = (f"{k} of {m} halvings have the median at R/2 at a rank within [{low:g}, "
              f"{high:g}] of the distribution at R (ranks {q.min():.1f} to {q.max():.1f}): "
              f"{outcome}")
    statistic = {"name": "halvings_in_band", "value": k, "of": m, "band": [low, high],
                 "min_rank": float(q.min()), "max_rank": float(q.max())}
    return Judgement(outcome, statistic, reason)


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: ``id`` (``"C1"``), ``statement`` (SPEC §8), ``short`` (a few
    words for figures), ``chapter`` (the notebook stem that decides it), ``rule`` (its cell
    rule: measurements → :class:`Judgement`), ``rule_text`` (the rule in one plain line) and
    ``axes`` (the setting axes of its cells)."""

    id: str
    statement: str
    short: str
    chapter: str
    rule: Callable[..., Judgement]
    rule_text: str
    axes: tuple[str, ...]


#: The one registry of the paper's claims, C1 … C7 in order.
REGISTRY = {c.id: c for c in (
    Claim("C1", "More sharing at a fixed number of free parameters improves the global minimum "
                "by orders of magnitude.",
          "sharing improves the global minimum", "01_circuit_landscape", c1_rule,
          "A setting supports the claim if the lowest excess energy over the layer counts is "
          "at least 100 times below the one at L = 1 (F ≥ 100), contradicts it if no layer "
          "count beats L = 1 (F ≤ 1), and is inconclusive otherwise.",
          ("n_qubits", "cost")),
    Claim("C2", "More sharing gives larger gradient magnitudes.",
          "sharing enlarges gradients", "03_deceptiveness", c2_rule,
          "A setting supports the claim if the median gradient magnitude rises with the sharing "
          "degree (one-sided exact p < 0.05) and its change from the first to the last degree "
          "is above 0 beyond the resolution error; it contradicts it if that change is below 0 "
          "beyond the error; otherwise it is inconclusive.",
          ("n_qubits", "cost")),
    Claim("C3", "More sharing gives a higher deceptiveness ratio.",
          "sharing raises deceptiveness", "03_deceptiveness", c3_rule,
          "A setting supports the claim if the flow ratio of random starts rises with the "
          "sharing degree (one-sided exact p < 0.05) and its change from the first to the last "
          "degree has a 95 % interval above 0; it contradicts it if that interval is below 0; "
          "otherwise it is inconclusive.",
          ("n_qubits", "cost", "tol", "seed")),
    Claim("C4", "The deceptiveness ratio is largely independent of the resolution.",
          "deceptiveness independent of R", "03_deceptiveness", c4_rule,
          "A setting supports the claim if the flow ratio on nested grids of starts changes by "
          "at most 0.05 over the resolutions at every layer count, contradicts it if it changes "
          "by more than 0.15 at some layer count, and is inconclusive otherwise.",
          ("n_qubits", "cost", "tol")),
    Claim("C5", "Adam and SGD converge worse as sharing increases.",
          "Adam/SGD converge worse with sharing", "05_success_rates", c5_rule,
          "A setting supports the claim if the best settled success rate over the learning "
          "rates falls with the sharing degree (one-sided exact p < 0.05) and its change from "
          "the first to the last degree has a 95 % interval below 0; it contradicts it if that "
          "interval is above 0; otherwise it is inconclusive.",
          ("n_qubits", "cost", "tol", "steps", "optimizer", "seed")),
    Claim("C6", "Success depends strongly on the learning rate, more so in more deceptive "
                "landscapes.",
          "learning rate matters, more if deceptive", "05_success_rates", c6_rule,
          "A setting supports the claim if the learning-rate window (decades of η where the "
          "settled success rate is at least half its best) narrows as the deceptiveness ratio "
          "rises (one-sided exact p < 0.05) and the width difference between the most and the "
          "least deceptive layer count has a 95 % interval below 0; it contradicts it if that "
          "interval is above 0; otherwise it is inconclusive. A layer count where no run "
          "settled has no window and is left out.",
          ("n_qubits", "cost", "tol", "steps", "optimizer", "seed")),
    Claim("C7", "Halving the resolution shifts per-step gradient magnitudes up by about a "
                "quartile.",
          "halving R shifts gradients a quartile", "02_resolution", c7_rule,
          "A setting supports the claim if at every halving R → R/2 the median per-step "
          "magnitude at R/2 sits at a percentile rank between 62.5 and 87.5 of the "
          "distribution at R, contradicts it if it does at none, and is inconclusive otherwise.",
          ("n_qubits", "cost", "layers")),
)}

#: The paper's claims as SPEC §8 states them.
CLAIMS = {k: c.statement for k, c in REGISTRY.items()}
#: A few words per claim, for figure labels.
SHORT = {k: c.short for k, c in REGISTRY.items()}
#: The chapter (notebook stem) that decides each claim.
EXPECTED_CHAPTER = {k: c.chapter for k, c in REGISTRY.items()}

__all__ += ["CELLS", "REGISTRY", "CLAIMS", "SHORT", "EXPECTED_CHAPTER", "Claim", "Cell",
            "ClaimResult", "Judgement", "setting_label", "trend_rule", "c1_rule", "c2_rule",
            "c3_rule", "c4_rule", "c5_rule", "c6_rule", "c7_rule", "C1_SUPPORTS_AT",
            "C1_CONTRADICTS_AT", "C4_SUPPORTS_AT", "C4_CONTRADICTS_ABOVE", "C7_BAND", "ALPHA"]
