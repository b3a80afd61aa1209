"""The statistics a verdict needs (SPEC §11): intervals, trend tests and the cell rules.

Small pure functions; :mod:`scipy.stats` does the work wherever it can.

- :func:`wilson_interval`: Wilson score interval of a success rate (closed form, tested
  against ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``);
- :func:`bootstrap_interval`: percentile bootstrap of a statistic of sampled values
  (``scipy.stats.bootstrap``);
- :func:`trend_test`: Spearman ρ over the sharing degrees with an exact one-sided
  permutation p-value (``scipy.stats.permutation_test``, all n! pairings);
- :func:`effect_interval`: the effect "last vs first degree" with its interval — Newcombe's
  hybrid score interval for success rates, a bootstrap for sampled statistics, the
  resolution error for whole-grid quantities;
- :func:`classify_cell` and :func:`claim_verdict`: SPEC §11's supports / contradicts /
  inconclusive per setting, and holds / partly / does not hold per claim, with counts;
- :func:`window_width` (C6), :func:`improvement_factor` (C1), :func:`settled` (success).

References: E. B. Wilson, J. Am. Stat. Assoc. 22, 209 (1927); R. G. Newcombe, Stat. Med.
17, 873 (1998) (method 10, the hybrid score interval); B. Efron and R. Tibshirani, *An
Introduction to the Bootstrap* (1993).
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass, field, fields
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy import stats as _st

from ._checks import check_choice

__all__ = ["CELLS", "VERDICTS", "DIRECTIONS", "wilson_interval", "bootstrap_interval",
           "TrendTest", "trend_test", "Effect", "effect_interval", "proportion_difference",
           "sample_difference", "resolution_difference", "classify_cell", "VerdictCounts",
           "ClaimVerdict", "claim_verdict", "WindowWidth", "window_width", "ImprovementFactor",
           "improvement_factor", "tail_length", "settled"]

#: What one cell of the settings matrix says about a claim (SPEC §11).
CELLS = ("supports", "contradicts", "inconclusive")
#: A claim's verdict over its cells, strongest first (:mod:`qbp.claims` uses these).
VERDICTS = ("holds", "partly", "does not hold")
#: The direction a claim predicts for a trend over the sharing degrees.
DIRECTIONS = ("increasing", "decreasing")

#: Largest number of degrees for which :func:`trend_test` enumerates all n! pairings.
EXACT_MAX_N = 9


# --------------------------------------------------------------------------- checks
def _confidence(confidence) -> float:
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise TypeError(f"confidence must be a number in (0, 1), got {confidence!r}") from None
    if not 0 < c < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return c


def _direction(direction) -> str:
    return check_choice(direction, "direction", DIRECTIONS)


def _finite_1d(x, name: str, min_len: int = 1) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}") from None
    if arr.ndim != 1 or len(arr) < min_len:
        raise ValueError(f"{name} must be 1-D with at least {min_len} values, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _counts(successes, trials) -> tuple[np.ndarray, np.ndarray]:
    k, n = np.asarray(successes), np.asarray(trials)
    for arr, name in ((k, "successes"), (n, "trials")):
        if arr.dtype.kind not in "iub" and not (arr.dtype.kind == "f" and np.all(arr == np.round(arr))):
            raise TypeError(f"{name} must be whole numbers, got {arr!r}")
    k, n = np.broadcast_arrays(k.astype(np.int64), n.astype(np.int64))
    if np.any(n < 0):
        raise ValueError(f"trials must be >= 0, got {n.min()}")
    if np.any((k < 0) | (k > n)):
        raise ValueError("successes must lie in 0 … trials")
    return k, n


def _rng_kwargs(seed) -> dict:
    """``rng=`` (SciPy ≥ 1.15) or ``random_state=`` (older), with a seeded Generator."""
    gen = np.random.default_rng(seed)
    if "rng" in inspect.signature(_st.bootstrap).parameters:
        return {"rng": gen}
    return {"random_state": gen}


# --------------------------------------------------------------------------- intervals
def wilson_interval(successes, trials, confidence: float = 0.95):
    """Wilson score interval of a binomial proportion k/n (Wilson 1927).

    ``successes`` k and ``trials`` n: whole numbers or arrays of them (broadcast together),
    0 ≤ k ≤ n. Returns ``(low, high)``: floats, or arrays of the broadcast shape. Closed form
    ``(k + z²/2)/(n + z²) ∓ z/(n + z²)·√(k(n−k)/n + z²/4)`` with z the normal quantile of
    (1 + confidence)/2; the same numbers as ``scipy.stats.binomtest(k, n)
    .proportion_ci(confidence, method="wilson")`` (tested), with low = 0 exactly at k = 0 and
    high = 1 at k = n. ``n = 0`` (no trials) gives (0, 1): the limit of the formula, no
    information. Errors: TypeError for non-integer counts, ValueError for k ∉ [0, n] or
    confidence ∉ (0, 1).

    >>> [round(x, 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    k, n = _counts(successes, trials)
    z = float(_st.norm.ppf(0.5 + _confidence(confidence) / 2))
    kf, nf = k.astype(float), n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(n > 0, kf * (nf - kf) / np.where(n > 0, nf, 1.0), 0.0)
    center = (kf + z * z / 2) / (nf + z * z)
    half = z / (nf + z * z) * np.sqrt(spread + z * z / 4)
    low = np.where(k == 0, 0.0, np.clip(center - half, 0.0, 1.0))
    high = np.where(k == n, 1.0, np.clip(center + half, 0.0, 1.0))
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def bootstrap_interval(samples, statistic: Callable = np.median, n_resamples: int = 9999,
                       confidence: float = 0.95, seed: int = 0, method: str = "percentile"
                       ) -> tuple[float, float]:
    """Bootstrap interval ``(low, high)`` of ``statistic(samples)``.

    ``samples``: 1-D, finite, at least 2 values. ``statistic``: a NumPy-style reduction that
    accepts ``axis=`` (``np.median``, ``np.mean``, …), so the resamples are evaluated in one
    vectorised call. ``method``: ``"percentile"`` (default: the 2.5 / 97.5 % quantiles of the
    bootstrap distribution; BCa's jackknife acceleration is erratic for medians of samples
    with ties) or ``"BCa"`` / ``"basic"``. Resampling uses ``np.random.default_rng(seed)``:
    the same inputs give bit-identical intervals.

    Degenerate samples (all values equal) give ``(v, v)``: every resample has the same
    statistic, so the interval has zero width; SciPy is not called (its BCa would return NaN).
    If BCa still cannot be computed (a degenerate bootstrap distribution), the percentile
    interval is returned with a RuntimeWarning. Never NaN.
    """
    x = _finite_1d(samples, "samples", min_len=2)
    conf = _confidence(confidence)
    if method not in ("percentile", "BCa", "basic"):
        raise ValueError(f"method must be 'percentile', 'BCa' or 'basic', got {method!r}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"n_resamples must be an int >= 1, got {n_resamples!r}")
    if np.all(x == x[0]):
        v = float(statistic(x))
        return v, v
    return _bootstrap((x,), lambda a, axis=-1: statistic(a, axis=axis), n_resamples, conf,
                      seed, method, paired=False)


def _bootstrap(data, fn, n_resamples, confidence, seed, method, paired) -> tuple[float, float]:
    def run(m):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _st.DegenerateDataWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # BCa's 0/0; handled below
            res = _st.bootstrap(data, fn, n_resamples=int(n_resamples), vectorized=True,
                                paired=paired, confidence_level=confidence, method=m,
                                **_rng_kwargs(seed))
        return float(res.confidence_interval.low), float(res.confidence_interval.high)

    low, high = run(method)
    if not (np.isfinite(low) and np.isfinite(high)):
        warnings.warn(f"bootstrap method {method!r} is undefined for these samples (degenerate "
                      f"bootstrap distribution); returning the percentile interval",
                      RuntimeWarning, stacklevel=3)
        low, high = run("percentile")
    return low, high


# --------------------------------------------------------------------------- trend
@dataclass(frozen=True)
class TrendTest:
    """Spearman ρ of values against degrees and its one-sided permutation p-value.

    ``exact`` says whether all n! pairings were enumerated (n ≤ 9) or a seeded Monte Carlo
    sample of them was used.
    """

    rho: float
    p_value: float
    n: int
    direction: str
    exact: bool = True


def _spearman(x, y, axis=-1):
    """Spearman ρ along ``axis`` (vectorised); 0 where either input is constant (no trend)."""
    rx = _st.rankdata(x, axis=axis)
    ry = _st.rankdata(y, axis=axis)
    rx = rx - rx.mean(axis=axis, keepdims=True)
    ry = ry - ry.mean(axis=axis, keepdims=True)
    den = np.sqrt(np.sum(rx * rx, axis=axis) * np.sum(ry * ry, axis=axis))
    num = np.sum(rx * ry, axis=axis)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def trend_test(degrees, values, direction: str = "increasing", seed: int = 0) -> TrendTest:
    """Spearman ρ between ``degrees`` and ``values`` (1-D, same length n ≥ 2) with an exact
    one-sided permutation p-value (SPEC §11).

    The p-value is the fraction of all n! pairings of values with degrees whose ρ is at least
    the observed one (``direction="increasing"``) or at most it (``"decreasing"``),
    identity included — ``scipy.stats.permutation_test(..., permutation_type="pairings")``.
    So a perfectly monotone series of n points in the claimed direction has p = 1/n!
    (1/720 for 6 degrees). For n > 9 a seeded Monte Carlo sample of 99 999 pairings is used
    (``exact=False``). Ties use average ranks; constant values (or degrees) have no trend:
    ρ = 0 and p = 1.
    """
    x = _finite_1d(degrees, "degrees", min_len=2)
    y = _finite_1d(values, "values", min_len=2)
    if x.shape != y.shape:
        raise ValueError(f"degrees and values must have the same length, got {len(x)} and {len(y)}")
    _direction(direction)
    n = len(x)
    exact = n <= EXACT_MAX_N
    n_resamples = math.factorial(n) if exact else 99999
    # One sample (the values) permuted against fixed degrees: n! distinct pairings (passing
    # both samples would make SciPy count (n!)² and fall back to Monte Carlo).
    res = _st.permutation_test((y,), lambda v, axis=-1: _spearman(x, v, axis=axis),
                               permutation_type="pairings", vectorized=True,
                               n_resamples=n_resamples,
                               alternative="greater" if direction == "increasing" else "less",
                               **_rng_kwargs(seed))
    return TrendTest(float(res.statistic), float(min(1.0, res.pvalue)), n, direction, exact)


# --------------------------------------------------------------------------- effects
@dataclass(frozen=True)
class Effect:
    """An effect "last vs first degree": ``estimate`` = last − first and its interval
    [``low``, ``high``]; ``kind`` says which interval (see :func:`effect_interval`)."""

    estimate: float
    low: float
    high: float
    kind: str
    method: str
    confidence: float | None = None


def proportion_difference(first, last, confidence: float = 0.95) -> Effect:
    """Difference of two success rates, last − first, with Newcombe's hybrid score interval.

    ``first`` and ``last``: ``(successes, trials)`` pairs (trials ≥ 1). Newcombe (1998),
    method 10: with Wilson intervals (l₁, u₁) of p₁ and (l₂, u₂) of p₂, the interval of
    p₂ − p₁ is [δ − √((p₂ − l₂)² + (u₁ − p₁)²), δ + √((u₂ − p₂)² + (p₁ − l₁)²)]. It stays
    inside [−1, 1] and behaves well at rates of 0 and 1, where the Wald interval collapses.
    """
    (k1, n1), (k2, n2) = _pair(first, "first"), _pair(last, "last")
    c = _confidence(confidence)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, c)
    l2, u2 = wilson_interval(k2, n2, c)
    delta = p2 - p1
    low = delta - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = delta + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Effect(delta, low, high, "proportion", "newcombe-wilson", c)


def _pair(pair, name: str) -> tuple[int, int]:
    try:
        k, n = pair
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a (successes, trials) pair, got {pair!r}") from None
    try:
        k, n = _counts(k, n)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None
    if k.ndim or n < 1:
        raise ValueError(f"{name} must be one (successes, trials) pair with trials >= 1, got {pair!r}")
    return int(k), int(n)


def sample_difference(first, last, statistic: Callable = np.median, n_resamples: int = 9999,
                      confidence: float = 0.95, seed: int = 0, method: str = "percentile") -> Effect:
    """statistic(last) − statistic(first) of two independent samples, with a bootstrap
    interval (each sample resampled on its own; :func:`bootstrap_interval`'s conventions).

    Both samples constant: the interval is the point (zero width).
    """
    a = _finite_1d(first, "first", min_len=2)
    b = _finite_1d(last, "last", min_len=2)
    conf = _confidence(confidence)
    if method not in ("percentile", "BCa", "basic"):
        raise ValueError(f"method must be 'percentile', 'BCa' or 'basic', got {method!r}")
    estimate = float(statistic(b) - statistic(a))
    if np.all(a == a[0]) and np.all(b == b[0]):
        return Effect(estimate, estimate, estimate, "sample", f"bootstrap-{method}", conf)

    def diff(x, y, axis=-1):
        return statistic(y, axis=axis) - statistic(x, axis=axis)

    low, high = _bootstrap((a, b), diff, n_resamples, conf, seed, method, paired=False)
    return Effect(estimate, low, high, "sample", f"bootstrap-{method}", conf)


def resolution_difference(first, last, first_coarse, last_coarse) -> Effect:
    """last − first of a whole-grid quantity, with its resolution error (SPEC §11).

    ``first``, ``last``: the quantity at the first and last degree at resolution R;
    ``first_coarse``, ``last_coarse``: the same at R/2. A whole-grid quantity has no sampling
    error; its error is taken as the change of the effect from R/2 to R,
    Δ = |(last − first) − (last_coarse − first_coarse)|, and the interval is
    estimate ± Δ (symmetric around the finer grid's value, so at least as wide as the span
    between the two resolutions' effects).
    """
    vals = [float(v) for v in (first, last, first_coarse, last_coarse)]
    if not all(np.isfinite(vals)):
        raise ValueError("first, last, first_coarse and last_coarse must be finite numbers")
    estimate = vals[1] - vals[0]
    delta = abs(estimate - (vals[3] - vals[2]))
    return Effect(estimate, estimate - delta, estimate + delta, "grid", "resolution R/2 to R", None)


def effect_interval(kind: str, first, last, **options) -> Effect:
    """The effect "last vs first degree" with its interval, by kind of quantity (SPEC §11).

    - ``"proportion"``: success rates, ``first``/``last`` = (successes, trials):
      :func:`proportion_difference` (Newcombe's hybrid Wilson score interval);
    - ``"sample"``: a statistic (median by default) of sampled values, ``first``/``last`` =
      the samples: :func:`sample_difference` (bootstrap);
    - ``"grid"``: a whole-grid quantity, ``first``/``last`` at R plus ``first_coarse`` and
      ``last_coarse`` at R/2 as options: :func:`resolution_difference`.
    """
    if kind == "proportion":
        return proportion_difference(first, last, **options)
    if kind == "sample":
        return sample_difference(first, last, **options)
    if kind == "grid":
        return resolution_difference(first, last, **options)
    raise ValueError(f"kind must be 'proportion', 'sample' or 'grid', got {kind!r}")


# --------------------------------------------------------------------------- verdicts
def classify_cell(interval, direction: str = "increasing", p_value: float | None = None,
                  alpha: float = 0.05) -> str:
    """One setting's verdict on a claim: ``"supports"``, ``"contradicts"`` or
    ``"inconclusive"`` (SPEC §11).

    ``interval``: the effect's interval, an :class:`Effect` or a ``(low, high)`` pair, in
    the sign convention last − first; ``direction``: the claimed sign (``"increasing"``:
    effect > 0). ``p_value``: the one-sided trend p-value in the claimed direction
    (:func:`trend_test`), or None for a cell without a trend (judged on the interval alone).

    - **supports**: p < ``alpha`` (or no trend test) and the interval excludes 0 on the
      claimed side;
    - **contradicts**: the interval lies entirely on the other side of 0 — whatever p says
      (our reading: SPEC §11's two rules overlap when a significant rank trend comes with an
      effect of the opposite sign; the effect decides);
    - **inconclusive**: otherwise (an interval touching 0 included).
    """
    low, high = (interval.low, interval.high) if isinstance(interval, Effect) else interval
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise ValueError(f"interval must be finite with low <= high, got ({low}, {high})")
    _direction(direction)
    if p_value is not None:
        p_value = float(p_value)
        if not 0 <= p_value <= 1:
            raise ValueError(f"p_value must be in [0, 1] or None, got {p_value!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    claimed = low > 0 if direction == "increasing" else high < 0
    opposite = high < 0 if direction == "increasing" else low > 0
    if opposite:
        return "contradicts"
    if claimed and (p_value is None or p_value < alpha):
        return "supports"
    return "inconclusive"


@dataclass(frozen=True)
class VerdictCounts:
    """A claim's verdict over its settings (one of :data:`VERDICTS`), the counts of its
    cells and the sentence that gives them: what :class:`ClaimVerdict` and
    :class:`qbp.claims.ClaimResult` share. ValueError if ``verdict`` is not a verdict."""

    verdict: str
    n_settings: int
    n_supports: int
    n_contradicts: int
    n_inconclusive: int
    sentence: str

    def __post_init__(self):
        check_choice(self.verdict, "verdict", VERDICTS)

    def counts(self) -> dict:
        """These fields as a dict (verdict, the four counts, sentence)."""
        return {f.name: getattr(self, f.name) for f in fields(VerdictCounts)}


@dataclass(frozen=True)
class ClaimVerdict(VerdictCounts):
    """A claim's verdict over its settings, with the counts and the cells themselves
    (setting → label)."""

    cells: dict = field(default_factory=dict)


def claim_verdict(cells: Sequence[str] | Mapping[str, str]) -> ClaimVerdict:
    """Holds / partly / does not hold from the cells of the settings matrix (SPEC §11).

    ``cells``: labels from :data:`CELLS`, a sequence or a mapping setting → label (kept in
    the result; a sequence is keyed by position). **holds**: every cell supports;
    **does not hold**: no cell supports; **partly**: otherwise (some support and none
    contradicts, or the cells split). The sentence reads "supports in 7 of 12 settings,
    contradicts in 2".
    """
    if isinstance(cells, Mapping):
        table = {str(k): v for k, v in cells.items()}
    elif isinstance(cells, str) or not isinstance(cells, Sequence):
        raise TypeError(f"cells must be a sequence or mapping of labels, got {type(cells).__name__}")
    else:
        table = {str(i): v for i, v in enumerate(cells)}
    if not table:
        raise ValueError("cells must not be empty: a verdict needs at least one setting")
    bad = sorted({repr(v) for v in table.values() if v not in CELLS})
    if bad:
        raise ValueError(f"cells must be labels from {CELLS}, got {', '.join(bad)}")
    labels = list(table.values())
    n, s, c = len(labels), labels.count("supports"), labels.count("contradicts")
    verdict = "holds" if s == n else ("does not hold" if s == 0 else "partly")
    sentence = f"supports in {s} of {n} setting{'s' if n != 1 else ''}, contradicts in {c}"
    return ClaimVerdict(verdict, n, s, c, n - s - c, sentence, table)


# --------------------------------------------------------------------------- C6, C1, success
@dataclass(frozen=True)
class WindowWidth:
    """C6's learning-rate window: ``width`` in decades of η where the success rate is at
    least half its best (NaN, undefined, when ``no_success``: the best rate is 0), with the
    window's edges and flags (see :func:`window_width`)."""

    width: float
    best_rate: float
    best_lr: float
    low_lr: float
    high_lr: float
    censored_low: bool
    censored_high: bool
    no_success: bool


def window_width(lrs, success_rates) -> WindowWidth:
    """Width, in decades of η, of the learning-rate window where success ≥ half the best
    (SPEC §11, C6).

    ``lrs``: positive, strictly increasing learning rates (n ≥ 1); ``success_rates``: the
    success rate at each, in [0, 1]. Definition (our reading for a discrete lr grid):

    1. best = max rate, half = best / 2;
    2. the window is the contiguous run of lrs with rate ≥ half that contains a best lr
       (ties between runs: the widest); rates above half elsewhere (a second, separate
       window) are not counted;
    3. each edge is interpolated linearly in log10 η between the last lr inside and the
       first outside, to where the rate crosses half; an edge at the end of the lr grid is
       not extrapolated and is flagged ``censored_low`` / ``censored_high`` (the true window
       may be wider);
    4. width = log10(high edge) − log10(low edge).

    A zero best rate (no run succeeded at any lr) has no window: ``width`` is NaN, meaning
    *undefined*, with ``no_success=True`` (the edges are the grid's ends). A window of no
    success is not a narrow window, so C6 leaves such a curve out of its trend
    (:meth:`qbp.matrix.SuccessStudy.cells`). Otherwise the width is finite, ≥ 0.
    """
    lr = _finite_1d(lrs, "lrs")
    rate = _finite_1d(success_rates, "success_rates")
    if lr.shape != rate.shape:
        raise ValueError(f"lrs and success_rates must have the same length, got {len(lr)} and {len(rate)}")
    if np.any(lr <= 0) or np.any(np.diff(lr) <= 0):
        raise ValueError("lrs must be positive and strictly increasing")
    if np.any((rate < 0) | (rate > 1)):
        raise ValueError("success_rates must lie in [0, 1]")
    x = np.log10(lr)
    best = float(rate.max())
    if best == 0:
        return WindowWidth(float("nan"), 0.0, float(lr[0]), float(lr[0]), float(lr[-1]), False,
                           False, True)
    half = best / 2
    above = rate >= half
    # runs of consecutive lrs above half: [start, stop)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], above.astype(int), [0]])))
    runs = list(zip(edges[::2], edges[1::2]))
    best_idx = np.flatnonzero(rate == best)
    candidates = [(a, b) for a, b in runs if np.any((best_idx >= a) & (best_idx < b))]
    out = None
    for a, b in candidates:
        lo, cens_lo = _edge(x, rate, a, a - 1, half)
        hi, cens_hi = _edge(x, rate, b - 1, b, half)
        w = (hi - lo, lo, hi, cens_lo, cens_hi, int(best_idx[(best_idx >= a) & (best_idx < b)][0]))
        if out is None or w[0] > out[0]:
            out = w
    width, lo, hi, cens_lo, cens_hi, i_best = out
    return WindowWidth(float(width), best, float(lr[i_best]), float(10 ** lo), float(10 ** hi),
                       cens_lo, cens_hi, False)


def _edge(x, rate, inside: int, outside: int, half: float) -> tuple[float, bool]:
    """log10 η of a window edge: interpolated to the crossing of ``half`` between the lr
    ``inside`` the window and its neighbour ``outside``; censored at the grid's end."""
    if outside < 0 or outside >= len(x):
        return float(x[inside]), True
    r_in, r_out = rate[inside], rate[outside]
    frac = (r_in - half) / (r_in - r_out)  # r_in ≥ half > r_out, so 0 ≤ frac < 1
    return float(x[inside] + frac * (x[outside] - x[inside])), False


@dataclass(frozen=True)
class ImprovementFactor:
    """C1's F = excess(first degree) / min excess, with the floor applied and the cell."""

    factor: float
    first: float
    best: float
    best_position: int
    n_floored: int
    floor: float
    cell: str


def improvement_factor(excess_by_degree, floor: float = 1e-12, supports_at: float = 100.0,
                       contradicts_at: float = 1.0) -> ImprovementFactor:
    """C1's improvement factor F = excess(L = 1) / min over L of excess(L) (SPEC §11).

    ``excess_by_degree``: excess values C* − E₀ (or infidelity floors) ordered by sharing
    degree, the first being L = 1 — a sequence, or a mapping degree → excess (sorted by
    degree). Excess values below ``floor`` (default 1e−12, cost units: double precision and
    the refining optimizer's gradient tolerance cannot resolve a smaller excess of an O(1)
    energy) count as ``floor``, so F is at most excess(L = 1)/floor and never infinite;
    values below −1e−8 cannot be an excess (C* < E₀) and raise ValueError. The cell:
    ``"supports"`` if F ≥ ``supports_at`` (100: two orders of magnitude), ``"contradicts"``
    if F ≤ ``contradicts_at`` (1: no degree beats L = 1), else ``"inconclusive"``.
    """
    if isinstance(excess_by_degree, Mapping):
        keys = sorted(excess_by_degree)
        excess_by_degree = [excess_by_degree[k] for k in keys]
    e = _finite_1d(excess_by_degree, "excess_by_degree")
    if not (np.isfinite(floor) and floor > 0):
        raise ValueError(f"floor must be a positive number, got {floor!r}")
    if np.any(e < -1e-8):
        raise ValueError(f"excess_by_degree must be >= 0 (C* − E₀), got min {e.min():.3g}")
    floored = e < floor
    e = np.maximum(e, floor)
    best = int(np.argmin(e))
    factor = float(e[0] / e[best])
    cell = ("supports" if factor >= supports_at else
            "contradicts" if factor <= contradicts_at else "inconclusive")
    return ImprovementFactor(factor, float(e[0]), float(e[best]), best, int(floored.sum()),
                             float(floor), cell)


def tail_length(steps: int, fraction: float = 0.1) -> int:
    """Number of recorded costs that make up the last ``fraction`` of a run of ``steps``
    optimizer steps: ceil(fraction·steps), at least 1 (the costs after the last
    tail_length steps; the final cost is always included)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    return max(1, math.ceil(fraction * steps - 1e-9))


def settled(costs_tail, c_star, tol):
    """Success of runs that have settled (SPEC §11): cost ≤ C* + tol at every recorded step
    of the tail.

    ``costs_tail``: costs over the last 10 % of each run's steps, shape (B, m) (or (m,) for
    one run) — e.g. ``trajectories.costs[:, -tail_length(T):]``; ``c_star``: a number or one
    per run (B,); ``tol`` ≥ 0, cost units. Returns a bool array (B,) (a bool for one run).
    """
    c = np.asarray(costs_tail, dtype=float)
    if c.ndim not in (1, 2) or c.shape[-1] < 1:
        raise ValueError(f"costs_tail must have shape (B, m) or (m,) with m >= 1, got {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError("costs_tail contains NaN or infinite values")
    c_star = np.asarray(c_star, dtype=float)
    if not np.all(np.isfinite(c_star)):
        raise ValueError("c_star must be finite")
    if c.ndim == 2 and c_star.ndim == 1 and c_star.shape != (len(c),):
        raise ValueError(f"c_star must be a number or have one value per run ({len(c)}), "
                         f"got shape {c_star.shape}")
    if c_star.ndim > (c.ndim - 1):
        raise ValueError(f"c_star must be a number or have one value per run, got shape {c_star.shape}")
    tol = float(tol)
    if not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    threshold = c_star[..., None] + tol if c.ndim == 2 else c_star + tol
    ok = np.all(c <= threshold, axis=-1)
    return bool(ok) if c.ndim == 1 else ok
