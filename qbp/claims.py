"""Verdicts on the paper's claims (SPEC §8), computed from a chapter's data.

A :class:`Verdict` is one entry of the claims scoreboard: the claim id (``"C1"`` … ``"C7"``),
one of :data:`VERDICTS`, a one-sentence reason and the numbers it rests on. Each rule is
stated in its function's docstring; chapters repeat it in an "Our reading of the paper" note.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.stats import ConstantInputWarning, spearmanr

from ._checks import real_array

__all__ = ["VERDICTS", "Verdict", "c1_verdict", "c7_verdict"]

#: The three possible verdicts, strongest first.
VERDICTS = ("holds", "partly", "does not hold")


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict with the reason and the numbers behind it."""

    claim: str
    verdict: str
    reason: str
    numbers: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def _paired(x, y, names: str) -> tuple[np.ndarray, np.ndarray]:
    """Two finite 1-D float arrays of equal length >= 2; errors name them as ``names``."""
    x, y = real_array(x, names), real_array(y, names)
    if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
        raise ValueError(f"{names} must be 1-D of equal length >= 2, got shapes {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{names} must be finite")
    return x, y


def c1_verdict(sharing_degrees, excess, *, factor_holds: float = 100.0,
               factor_partly: float = 10.0, rho_max: float = -0.5,
               floor: float = 1e-12) -> Verdict:
    """C1: more sharing at a fixed number of free parameters improves the global minimum by
    orders of magnitude.

    Inputs: the sharing degrees (e.g. n·L for L = 1 … 6 with ``"type"`` sharing) and the
    excess energies C* − E₀ of the refined global minimum at each. Excess energies below
    ``floor`` are treated as ``floor`` (numerically zero); at least two points are needed,
    and with few points the trend says little. The rule:

    - *improvement factor* F = excess at the smallest degree / smallest excess;
    - *trend* ρ = Spearman rank correlation between degree and log excess;
    - **holds** if F ≥ ``factor_holds`` (100: two orders of magnitude) and ρ ≤ ``rho_max``
      (−0.5: excess decreasing with sharing);
    - **partly** if F ≥ ``factor_partly`` (10) or ρ ≤ ``rho_max``, but not both of the above;
    - **does not hold** otherwise.
    """
    degrees, excess = _paired(sharing_degrees, excess, "sharing_degrees and excess")
    if np.any(excess < -1e-9):
        raise ValueError(f"excess energies must be >= 0 (C* − E₀), got min {excess.min():.3g}")
    order = np.argsort(degrees, kind="stable")
    degrees, excess = degrees[order], np.maximum(excess[order], floor)

    baseline = float(excess[0])
    best = int(np.argmin(excess))
    factor = baseline / float(excess[best])
    with warnings.catch_warnings():  # constant excess: ρ is NaN, i.e. no trend
        warnings.simplefilter("ignore", ConstantInputWarning)
        rho = float(spearmanr(degrees, np.log10(excess)).statistic)
    decreasing = bool(np.isfinite(rho) and rho <= rho_max)

    if factor >= factor_holds and decreasing:
        verdict = "holds"
    elif factor >= factor_partly or decreasing:
        verdict = "partly"
    else:
        verdict = "does not hold"
    if best == 0:
        gain = (f"no larger sharing degree improves on the excess energy {baseline:.2g} at "
                f"degree {degrees[0]:g}")
    else:
        gain = (f"the lowest excess energy, {excess[best]:.2g} at sharing degree "
                f"{degrees[best]:g}, improves on the {baseline:.2g} at degree {degrees[0]:g} "
                f"by a factor {factor:.3g} ({np.log10(factor):.2g} orders of magnitude)")
    reason = (f"{gain}; 'holds' needs a factor {factor_holds:g} and a decreasing trend, and the "
              f"rank correlation between degree and log excess is ρ = {rho:.2f} "
              f"(decreasing means ρ ≤ {rho_max:g})")
    numbers = {"sharing_degrees": degrees.tolist(), "excess": excess.tolist(),
               "baseline_excess": baseline, "best_excess": float(excess[best]),
               "best_degree": float(degrees[best]), "improvement_factor": factor,
               "orders_of_magnitude": float(np.log10(factor)), "spearman_rho": rho,
               "factor_holds": factor_holds, "factor_partly": factor_partly, "rho_max": rho_max}
    return Verdict("C1", verdict, reason, numbers)


def c7_verdict(halving_pairs, halving_rank, *, sharing_degrees=None, target: float = 75.0,
               band: float = 12.5) -> Verdict:
    """C7: halving the resolution shifts per-step gradient magnitudes up by about a quartile
    (the median at R/2 sits near the 75 % quantile at R).

    Inputs: the halving pairs (R, R/2), shape (m, 2), and for each the percentile rank (0–100)
    of the median per-step magnitude at R/2 within the per-step distribution at R
    (:attr:`qbp.resolution.ResolutionStudy.halving_rank`), pooled over every circuit studied;
    ``sharing_degrees`` (optional, length m) says which circuit each pair belongs to. The rule:

    - a halving *shifts by about a quartile* if its rank lies in [``target`` − ``band``,
      ``target`` + ``band``] = [62.5, 87.5]: within half a quartile of 75;
    - **holds** if every halving pair does;
    - **partly** if at least half of them do, or the mean rank does;
    - **does not hold** otherwise.
    """
    pairs = real_array(halving_pairs, "halving_pairs").reshape(-1, 2)
    if not np.all(np.isfinite(pairs)) or np.any(pairs != np.round(pairs)):
        raise ValueError(f"halving_pairs must be integer resolutions (R, R/2), got {pairs.tolist()}")
    pairs = pairs.astype(int)
    ranks = real_array(halving_rank, "halving_rank").ravel()
    if len(ranks) == 0:
        raise ValueError("C7 needs at least one halving pair (R, R/2): study resolutions that "
                         "include both some R and R/2")
    if len(pairs) != len(ranks):
        raise ValueError(f"halving_pairs and halving_rank must have the same length, got "
                         f"{len(pairs)} and {len(ranks)}")
    if not np.all(np.isfinite(ranks)) or np.any((ranks < 0) | (ranks > 100)):
        raise ValueError(f"halving ranks must be percentile ranks in [0, 100], got "
                         f"{ranks.tolist()}")
    if np.any(pairs[:, 0] != 2 * pairs[:, 1]):
        raise ValueError(f"each halving pair must be (R, R/2), got {pairs.tolist()}")
    degrees = None
    if sharing_degrees is not None:
        degrees = np.asarray(sharing_degrees).ravel()
        if len(degrees) != len(ranks):
            raise ValueError(f"sharing_degrees must have one entry per halving pair, got "
                             f"{len(degrees)} for {len(ranks)} pairs")
    if not (0 < band < 50 and 0 <= target <= 100):
        raise ValueError(f"need 0 <= target <= 100 and 0 < band < 50, got {target}, {band}")

    low, high = target - band, target + band
    within = (ranks >= low) & (ranks <= high)
    n_within, n_pairs = int(within.sum()), len(ranks)
    fraction = n_within / n_pairs
    mean_rank = float(ranks.mean())
    mean_within = bool(low <= mean_rank <= high)

    if n_within == n_pairs:
        verdict = "holds"
    elif fraction >= 0.5 or mean_within:
        verdict = "partly"
    else:
        verdict = "does not hold"
    reason = (f"in {n_within} of {n_pairs} halvings the median at R/2 has a percentile rank "
              f"within [{low:g}, {high:g}] of the distribution at R (about one quartile above "
              f"its median); the ranks run from {ranks.min():.1f} to {ranks.max():.1f}, mean "
              f"{mean_rank:.1f}")
    numbers = {"halving_pairs": pairs.tolist(), "halving_rank": ranks.tolist(),
               "within": within.tolist(), "n_within": n_within, "n_pairs": n_pairs,
               "fraction_within": fraction, "mean_rank": mean_rank,
               "min_rank": float(ranks.min()), "max_rank": float(ranks.max()),
               "band": [low, high], "target": target}
    if degrees is not None:
        numbers["sharing_degrees"] = degrees.tolist()
    return Verdict("C7", verdict, reason, numbers)


_RHO_HOLDS = 0.8
_TREND_RULE = ("'holds' needs ρ ≥ 0.8 and a higher value at the largest degree than at the "
               "smallest, 'partly' ρ > 0")


def _rising_trend(claim: str, degrees, values, quantity: str, *, rho_holds: float = _RHO_HOLDS):
    """The C2/C3 rule on one series: (verdict, reason, numbers). See :func:`c2_verdict`."""
    degrees, values = _paired(degrees, values, f"{claim}: degrees and {quantity}")
    if len(np.unique(degrees)) != len(degrees):
        raise ValueError(f"{claim}: degrees must be distinct, got {degrees.tolist()}")
    order = np.argsort(degrees, kind="stable")
    degrees, values = degrees[order], values[order]
    with warnings.catch_warnings():  # constant values: ρ is NaN, i.e. no trend
        warnings.simplefilter("ignore", ConstantInputWarning)
        rho = float(spearmanr(degrees, values).statistic)
    rises = bool(values[-1] > values[0])
    if np.isfinite(rho) and rho >= rho_holds and rises:
        verdict = "holds"
    elif np.isfinite(rho) and rho > 0:
        verdict = "partly"
    else:
        verdict = "does not hold"
    reason = (f"the {quantity} goes from {values[0]:.3g} at sharing degree {degrees[0]:g} to "
              f"{values[-1]:.3g} at degree {degrees[-1]:g}, rank correlation ρ = {rho:.2f}")
    numbers = {"sharing_degrees": degrees.tolist(), "values": values.tolist(),
               "spearman_rho": rho, "first": float(values[0]), "last": float(values[-1]),
               "last_exceeds_first": rises, "rho_holds": rho_holds}
    return verdict, reason, numbers


def c2_verdict(degrees, median_magnitudes) -> Verdict:
    """C2: more sharing gives larger gradient magnitudes.

    Inputs: the sharing degrees (e.g. n·L for L = 1 … 6 with ``"type"`` sharing, distinct) and
    the median exact gradient magnitude |∇C| over the grid at each. The rule, with ρ the
    Spearman rank correlation between degree and median magnitude:

    - **holds** if ρ ≥ 0.8 and the median at the largest degree exceeds the one at the smallest;
    - **partly** if ρ > 0 otherwise;
    - **does not hold** if ρ ≤ 0 (or ρ is undefined: constant medians).
    """
    verdict, reason, numbers = _rising_trend("C2", degrees, median_magnitudes,
                                             "median gradient magnitude")
    return Verdict("C2", verdict, f"{reason} ({_TREND_RULE})", numbers)


def c3_verdict(degrees, ratios) -> Verdict:
    """C3: more sharing gives a higher deceptiveness ratio.

    Inputs: the sharing degrees (distinct) and the deceptiveness ratio at each — either one
    sequence, or a mapping {tol: sequence} for several tolerances. For one sequence the rule is
    that of :func:`c2_verdict` on the ratio: **holds** if the Spearman ρ between degree and
    ratio is ≥ 0.8 and the ratio at the largest degree exceeds the one at the smallest;
    **partly** if ρ > 0 otherwise; **does not hold** if ρ ≤ 0 or undefined. With several
    tolerances each is judged alone and the verdict is the weakest of them: the claim holds
    only if it holds whichever tolerance one picks.
    """
    if isinstance(ratios, dict):
        if not ratios:
            raise ValueError("C3: ratios must not be an empty mapping")
        per_tol = {float(tol): _rising_trend("C3", degrees, r, f"ratio at tol {float(tol):g}")
                   for tol, r in sorted(ratios.items())}
        verdict = max((v for v, _, _ in per_tol.values()), key=VERDICTS.index)
        reason = "; ".join(f"{r} ({v})" for v, r, _ in per_tol.values())
        reason += f" ({_TREND_RULE}"
        reason += (f"; the weakest of the {len(per_tol)} tolerances' verdicts counts)"
                   if len(per_tol) > 1 else ")")
        numbers = {"per_tol": {tol: dict(n, verdict=v) for tol, (v, _, n) in per_tol.items()}}
        return Verdict("C3", verdict, reason, numbers)
    verdict, reason, numbers = _rising_trend("C3", degrees, ratios, "deceptiveness ratio")
    return Verdict("C3", verdict, f"{reason} ({_TREND_RULE})", numbers)


def c4_verdict(resolutions, ratios_per_tol, *, rows=None, spread_holds: float = 0.05,
               spread_partly: float = 0.15) -> Verdict:
    """C4: the deceptiveness ratio is largely independent of the resolution.

    Inputs: the resolutions R (at least two) and a mapping {tol: ratios} whose ratios have
    shape (len(resolutions),) or (rows, len(resolutions)) — e.g. one row per layer count L;
    ``rows`` optionally names the rows (e.g. the L values) for the reason. For each tol the
    *spread* is max − min of the ratio over R, taken for the worst row (absolute ratio units).
    The rule:

    - **holds** if every spread ≤ ``spread_holds`` (0.05);
    - **partly** if the spread at the largest tol ≤ 0.05, or every spread ≤ ``spread_partly``
      (0.15) — the paper itself finds larger tolerances more stable across R than small ones;
    - **does not hold** otherwise.
    """
    res = real_array(resolutions, "C4: resolutions")
    if res.ndim != 1 or len(res) < 2:
        raise ValueError(f"C4: need at least two resolutions, got {res.tolist()}")
    if not isinstance(ratios_per_tol, dict) or not ratios_per_tol:
        raise ValueError("C4: ratios_per_tol must be a non-empty mapping {tol: ratios}")
    spreads, worst_row, row_spreads = {}, {}, {}
    n_rows = None
    for tol, ratios in sorted(ratios_per_tol.items()):
        r = real_array(ratios, f"C4: ratios at tol {tol}")
        r = r[None, :] if r.ndim == 1 else r
        if r.ndim != 2 or r.shape[1] != len(res):
            raise ValueError(f"C4: ratios at tol {tol:g} must have shape ({len(res)},) or "
                             f"(rows, {len(res)}), got {np.shape(ratios)}")
        if not np.all(np.isfinite(r)) or np.any((r < 0) | (r > 1)):
            raise ValueError(f"C4: ratios at tol {tol:g} must lie in [0, 1]")
        if n_rows is not None and r.shape[0] != n_rows:
            raise ValueError("C4: every tol needs the same number of rows")
        n_rows = r.shape[0]
        per_row = r.max(axis=1) - r.min(axis=1)
        row_spreads[float(tol)] = per_row.tolist()
        worst_row[float(tol)] = int(np.argmax(per_row))
        spreads[float(tol)] = float(per_row.max())
    names = [f"row {i}" for i in range(n_rows)] if rows is None else list(rows)
    if len(names) != n_rows:
        raise ValueError(f"C4: rows must name the {n_rows} rows, got {len(names)}")
    large = max(spreads)
    if all(s <= spread_holds for s in spreads.values()):
        verdict = "holds"
    elif spreads[large] <= spread_holds or all(s <= spread_partly for s in spreads.values()):
        verdict = "partly"
    else:
        verdict = "does not hold"
    where = "" if rows is None and n_rows == 1 else " (worst: {})"
    parts = [f"at tol {tol:g} the ratio varies by {s:.3g} over R = "
             f"{', '.join(f'{x:g}' for x in res)}" + where.format(names[worst_row[tol]])
             for tol, s in spreads.items()]
    reason = ("; ".join(parts) + f" ('holds' needs every spread ≤ {spread_holds:g}; 'partly' "
              f"the largest tol's ≤ {spread_holds:g} or every spread ≤ {spread_partly:g})")
    numbers = {"resolutions": res.tolist(), "spread": spreads, "row_spreads": row_spreads,
               "worst_row": {tol: names[i] for tol, i in worst_row.items()}, "rows": names,
               "large_tol": large, "spread_holds": spread_holds, "spread_partly": spread_partly}
    return Verdict("C4", verdict, reason, numbers)


__all__ += ["c2_verdict", "c3_verdict", "c4_verdict"]


# --- C5, C6: optimizer success against sharing and learning rate (SPEC §6, §8) ----------------


def _spearman(x, y) -> float:
    """Spearman ρ, NaN when either input is constant."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantInputWarning)
        return float(spearmanr(x, y).statistic)


def _check_rates(claim: str, name: str, rates, n_degrees: int, ndim: tuple) -> np.ndarray:
    r = real_array(rates, f"{claim}: success rates of {name!r}")
    if r.ndim not in ndim or r.shape[0] != n_degrees or r.size == 0:
        raise ValueError(f"{claim}: success rates of {name!r} must have one row per degree "
                         f"({n_degrees}), got shape {r.shape}")
    if not np.all(np.isfinite(r)) or np.any((r < 0) | (r > 1)):
        raise ValueError(f"{claim}: success rates of {name!r} must lie in [0, 1]")
    return r


def _check_degrees(claim: str, degrees) -> np.ndarray:
    degrees = real_array(degrees, f"{claim}: degrees")
    if degrees.ndim != 1 or len(degrees) < 2 or not np.all(np.isfinite(degrees)):
        raise ValueError(f"{claim}: degrees must be 1-D, finite, of length >= 2, got "
                         f"{degrees.tolist()}")
    if len(np.unique(degrees)) != len(degrees):
        raise ValueError(f"{claim}: degrees must be distinct, got {degrees.tolist()}")
    return degrees


def c5_verdict(degrees, success_by_degree, *, rho_holds: float = -0.8) -> Verdict:
    """C5: Adam and SGD converge worse as sharing increases.

    Inputs: the sharing degrees (distinct) and a mapping {optimizer: success rates}, one entry
    per degree: either each optimizer's best-over-learning-rates success rate (1-D), or its
    success curves of shape (degrees, learning rates), of which the best over the learning
    rates (the maximum over the last axis) is taken. The rule, with ρ the Spearman rank
    correlation between degree and best success of one optimizer:

    - **holds** if for every optimizer ρ ≤ ``rho_holds`` (−0.8) and its success at the largest
      degree is below its success at the smallest;
    - **partly** if ρ < 0 for at least one optimizer (but not the above);
    - **does not hold** otherwise (every ρ ≥ 0 or undefined: constant success).
    """
    degrees = _check_degrees("C5", degrees)
    if not isinstance(success_by_degree, dict) or not success_by_degree:
        raise ValueError("C5: success_by_degree must be a non-empty mapping {optimizer: rates}")
    order = np.argsort(degrees, kind="stable")
    per = {}
    for name, rates in success_by_degree.items():
        r = _check_rates("C5", name, rates, len(degrees), (1, 2))
        best = (r if r.ndim == 1 else r.max(axis=-1))[order]
        rho = _spearman(degrees[order], best)
        falls = bool(best[-1] < best[0])
        per[str(name)] = {"best_success": best.tolist(), "spearman_rho": rho,
                          "first": float(best[0]), "last": float(best[-1]),
                          "last_below_first": falls,
                          "strong": bool(np.isfinite(rho) and rho <= rho_holds and falls),
                          "negative": bool(np.isfinite(rho) and rho < 0)}
    if all(p["strong"] for p in per.values()):
        verdict = "holds"
    elif any(p["negative"] for p in per.values()):
        verdict = "partly"
    else:
        verdict = "does not hold"
    d = degrees[order]
    parts = [f"{name}'s best success goes from {p['first']:.3g} at sharing degree {d[0]:g} to "
             f"{p['last']:.3g} at degree {d[-1]:g}, ρ = {p['spearman_rho']:.2f}"
             for name, p in per.items()]
    reason = ("; ".join(parts) + f" ('holds' needs ρ ≤ {rho_holds:g} and a lower success at the "
              f"largest degree than at the smallest for every optimizer, 'partly' ρ < 0 for one)")
    numbers = {"sharing_degrees": d.tolist(), "per_optimizer": per, "rho_holds": rho_holds}
    return Verdict("C5", verdict, reason, numbers)


def c6_verdict(degrees, success_curves, *, deceptiveness=None, sensitivity_holds: float = 0.3,
               rho_holds: float = 0.5) -> Verdict:
    """C6: success depends strongly on the learning rate, more so in more deceptive landscapes.

    Inputs: the sharing degrees (distinct), a mapping {optimizer: success curves} of shape
    (degrees, learning rates), and optionally the deceptiveness ratio at each degree. The
    *learning-rate sensitivity* of one optimizer at one degree is its largest minus its smallest
    success rate over the learning rates. The x variable is the deceptiveness ratio if given,
    else the sharing degree; ρ is the Spearman rank correlation between x and sensitivity,
    pooled over every (degree, optimizer) pair. The rule:

    - *strong* dependence: the mean sensitivity over all pairs is ≥ ``sensitivity_holds`` (0.3);
    - *more so where more deceptive*: ρ ≥ ``rho_holds`` (0.5);
    - **holds** if both; **partly** if one of the two; **does not hold** if neither (an
      undefined ρ, e.g. constant sensitivity, counts as not rising).
    """
    degrees = _check_degrees("C6", degrees)
    if not isinstance(success_curves, dict) or not success_curves:
        raise ValueError("C6: success_curves must be a non-empty mapping {optimizer: curves}")
    if deceptiveness is None:
        x, x_name = degrees, "sharing degree"
    else:
        x = real_array(deceptiveness, "C6: deceptiveness")
        if x.shape != degrees.shape or not np.all(np.isfinite(x)) or np.any((x < 0) | (x > 1)):
            raise ValueError(f"C6: deceptiveness must be one ratio in [0, 1] per degree, got "
                             f"{np.asarray(deceptiveness).tolist()}")
        x_name = "deceptiveness ratio"
    sensitivity = {}
    for name, curves in success_curves.items():
        r = _check_rates("C6", name, curves, len(degrees), (2,))
        sensitivity[str(name)] = (r.max(axis=1) - r.min(axis=1)).tolist()
    pooled_x = np.concatenate([x] * len(sensitivity))
    pooled_s = np.concatenate([np.asarray(s) for s in sensitivity.values()])
    mean = float(pooled_s.mean())
    rho = _spearman(pooled_x, pooled_s)
    strong = mean >= sensitivity_holds
    rising = bool(np.isfinite(rho) and rho >= rho_holds)
    if strong and rising:
        verdict = "holds"
    elif strong or rising:
        verdict = "partly"
    else:
        verdict = "does not hold"
    reason = (f"the learning-rate sensitivity (max − min success over learning rates) averages "
              f"{mean:.3g} over {len(pooled_s)} (degree, optimizer) pairs and ranges from "
              f"{pooled_s.min():.3g} to {pooled_s.max():.3g}; its rank correlation with the "
              f"{x_name} is ρ = {rho:.2f} ('holds' needs a mean ≥ {sensitivity_holds:g} and "
              f"ρ ≥ {rho_holds:g}, 'partly' one of the two)")
    numbers = {"sharing_degrees": degrees.tolist(), "x_variable": x_name, "x": x.tolist(),
               "sensitivity": sensitivity, "mean_sensitivity": mean, "spearman_rho": rho,
               "strong": bool(strong), "rising": rising,
               "sensitivity_holds": sensitivity_holds, "rho_holds": rho_holds}
    return Verdict("C6", verdict, reason, numbers)


__all__ += ["c5_verdict", "c6_verdict"]
