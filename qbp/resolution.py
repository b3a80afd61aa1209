"""How the sampling resolution shapes measured gradient magnitudes (SPEC §7, paper §3.1).

For each resolution R the landscape is sampled exactly (fourier engine) and two gradient
magnitudes are taken at every grid point: the per-step grid difference |ΔC| (cost per grid
step, what a sampled landscape shows) and the exact |∇C| (cost per radian). Their
distributions are kept as percentiles, enough for quantile curves and box plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._progress import bar
from .circuit import Circuit
from ._checks import check_int
from .cost import ObservableCost
from .engines import check_inputs, check_method
from .grid import check_resolution, gradient_magnitude, grid_difference
from .landscape import Landscape, sample_landscape

__all__ = ["ResolutionStudy", "resolution_study", "magnitudes", "halving_rank", "PERCENTILES",
           "median_ratios", "quartile_ratios", "predicted_ranks", "loglog_slopes", "scaling_phrase",
           "shift_side", "halving_table", "c7_table"]

#: Percentiles kept per distribution (0, 1, …, 100).
PERCENTILES = np.arange(101)


def magnitudes(landscape: Landscape) -> tuple[np.ndarray, np.ndarray]:
    """Per-step grid-difference magnitudes and exact gradient magnitudes, both flat (R^d,)."""
    if landscape.gradient is None:
        raise ValueError("landscape has no gradient: sample it with with_gradient=True")
    step = gradient_magnitude(grid_difference(landscape.values, per="step")).ravel()
    exact = gradient_magnitude(landscape.gradient).ravel()
    return step, exact


def halving_rank(fine_sorted: np.ndarray, coarse_median: float) -> float:
    """Percentile rank (0–100) of ``coarse_median`` (the median per-step magnitude at R/2)
    within the per-step magnitudes at R, ``fine_sorted`` (sorted ascending): the share of
    values below it, ties counted half. The paper's claim (C7) is a rank of about 75."""
    below = np.searchsorted(fine_sorted, coarse_median, side="left")
    upto = np.searchsorted(fine_sorted, coarse_median, side="right")
    return 100.0 * (below + upto) / 2 / len(fine_sorted)


@dataclass(frozen=True)
class ResolutionStudy:
    """Gradient-magnitude percentiles against resolution.

    ``step``: percentiles 0…100 of per-step differences (cost units per grid step),
    shape (len(resolutions), 101); ``exact``: the same for |∇C| (cost units per radian).
    ``halving_rank``: for each R whose half R/2 is also studied, the percentile rank (0–100)
    of the median at R/2 within the distribution at R — the paper says about 75.
    """

    resolutions: np.ndarray
    step: np.ndarray
    exact: np.ndarray
    halving_pairs: np.ndarray  # (m, 2): (R, R/2)
    halving_rank: np.ndarray  # (m,)
    meta: dict

    def quantiles(self, levels=(5, 25, 50, 75, 95), kind: str = "step") -> np.ndarray:
        """Percentiles at ``levels`` (shape (len(resolutions), len(levels)))."""
        table = {"step": self.step, "exact": self.exact}.get(kind)
        if table is None:
            raise ValueError(f"kind must be 'step' or 'exact', got {kind!r}")
        if isinstance(levels, (str, bytes)) or not np.iterable(levels):
            levels = [levels]
        index = [check_int(q, "levels (integer percentiles)", 0, 100) for q in levels]
        return table[:, index]


def resolution_study(circuit: Circuit, cost: ObservableCost, resolutions=(90, 180, 360, 720, 1440),
                     progress=None, method: str = "auto") -> ResolutionStudy:
    """Sample ``circuit``'s landscape at every resolution and compare the magnitude distributions.

    Each axis spans one period of its parameter (:attr:`qbp.Circuit.periods`), so a grid step
    is T_k/R: per-step differences are in cost per step of that axis, exact gradients per
    radian. ``method``: ``"auto"`` (the exact Fourier series for a 2π-periodic circuit, else
    batched simulation) or any of :data:`qbp.METHODS`. Each landscape costs one evaluation on
    R^d points (d + 1 arrays of R^d floats). A circuit whose landscape is not periodic has
    no grid: ValueError (from :func:`qbp.sample_landscape`).
    """
    check_inputs(circuit, cost)
    if method == "auto":
        method = "fourier" if circuit.is_periodic() else "batched"
    check_method(method)
    if isinstance(resolutions, (str, bytes)) or not np.iterable(resolutions):
        raise TypeError(f"resolutions must be a sequence of integers >= 2, got {resolutions!r}")
    res = sorted({check_resolution(r) for r in resolutions})
    if not res:
        raise ValueError("resolutions must name at least one resolution")
    step_pct, exact_pct, medians, rank_pairs, ranks = [], [], {}, [], []
    dists = {}
    for r in bar(res, desc="resolutions", progress=progress, minimum=3):
        land = sample_landscape(circuit, cost, r, method=method)
        step, exact = magnitudes(land)
        step_pct.append(np.percentile(step, PERCENTILES))
        exact_pct.append(np.percentile(exact, PERCENTILES))
        dists[r] = np.sort(step)
        medians[r] = float(np.median(step))
    for r in res:
        if r % 2 == 0 and r // 2 in medians:
            ranks.append(halving_rank(dists[r], medians[r // 2]))
            rank_pairs.append((r, r // 2))
    meta = {"circuit": circuit.to_dict(), "cost": cost.describe(), "resolutions": res,
            "method": method, "periods": np.asarray(circuit.periods).tolist()}
    return ResolutionStudy(np.array(res), np.array(step_pct), np.array(exact_pct),
                           np.array(rank_pairs, dtype=int).reshape(-1, 2), np.array(ranks), meta)


# --- reading a study: why the halving rank is what it is (paper §3.1) -------------------------


def _check_study(study) -> ResolutionStudy:
    if not isinstance(study, ResolutionStudy):
        raise TypeError(f"study must be a qbp.resolution.ResolutionStudy, got "
                        f"{type(study).__name__}")
    return study


def _pair_rows(study) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (into the study's resolutions) of R and of R/2 for each halving pair."""
    index = {int(r): i for i, r in enumerate(study.resolutions)}
    pairs = np.asarray(study.halving_pairs, dtype=int).reshape(-1, 2)
    return (np.array([index[r] for r in pairs[:, 0]], dtype=int),
            np.array([index[h] for h in pairs[:, 1]], dtype=int))


def median_ratios(study: ResolutionStudy) -> np.ndarray:
    """Per halving pair (R, R/2) of ``study``: the median per-step magnitude at R/2 divided by
    the one at R, shape (m,). A per-step difference is ≈ h·|∇C| with the step h = T/R, so a
    smooth landscape gives 2 (the O(h³) term of the central difference lowers it where the
    step is large against the landscape's wiggles)."""
    fine, coarse = _pair_rows(_check_study(study))
    return study.step[coarse, 50] / study.step[fine, 50]


def quartile_ratios(study: ResolutionStudy) -> np.ndarray:
    """Per halving pair (R, R/2): the exact |∇C|'s 75 % quantile divided by its median, at R,
    shape (m,). A halving moves the per-step median up by exactly one quartile (rank 75) iff
    this is 2."""
    fine, _ = _pair_rows(_check_study(study))
    return study.exact[fine, 75] / study.exact[fine, 50]


def predicted_ranks(study: ResolutionStudy) -> np.ndarray:
    """The halving ranks the exact gradients predict, per halving pair (R, R/2), shape (m,).

    If per-step magnitudes were exactly h·|∇C|, the median at R/2 would be 2h·median|∇C|
    and its rank within the distribution at R would be 100·F(2·median|∇C|), F the
    distribution function of the exact magnitudes at R: computed here from the study's
    exact percentiles 0…100 at R by linear interpolation (100 above the largest)."""
    fine, _ = _pair_rows(_check_study(study))
    out = np.empty(len(fine))
    for k, i in enumerate(fine):
        exact = study.exact[i]
        out[k] = np.interp(2 * exact[50], exact, PERCENTILES)
    return out


def loglog_slopes(study: ResolutionStudy, levels=(5, 25, 50, 75, 95),
                  kind: str = "step") -> np.ndarray:
    """Least-squares slope of log(quantile) against log(R) for each of ``levels`` (integer
    percentiles), shape (len(levels),): −1 for a quantile ∝ 1/R, 0 for one that does not
    move. ``kind``: ``"step"`` or ``"exact"``. Needs two resolutions or more (ValueError)."""
    study = _check_study(study)
    if len(study.resolutions) < 2:
        raise ValueError(f"a slope needs at least two resolutions, got "
                         f"{np.asarray(study.resolutions).tolist()}")
    q = study.quantiles(levels, kind)
    x = np.log(np.asarray(study.resolutions, dtype=float))
    return np.polyfit(x, np.log(q), 1)[0]


def scaling_phrase(slopes, tolerance: float = 0.05) -> str:
    """How quantiles move with R, from their log–log ``slopes`` (plural subject: "the
    quantiles …"): ``"fall as 1/R"`` if every slope is within ``tolerance`` of −1, ``"fall
    nearly as 1/R"`` if every slope is within 3·``tolerance`` of it; ``"do not move"`` if every
    slope is within ``tolerance`` of 0, ``"hardly move"`` within 3·``tolerance``; else
    ``"change with R at different rates"``."""
    s = np.asarray(slopes, dtype=float).ravel()
    if s.size == 0 or not np.all(np.isfinite(s)):
        raise ValueError(f"slopes must be finite numbers, got {s.tolist()}")
    if not (np.isfinite(tolerance) and tolerance > 0):
        raise ValueError(f"tolerance must be a positive number, got {tolerance!r}")
    for distance, phrases in ((np.abs(s + 1).max(), ("fall as 1/R", "fall nearly as 1/R")),
                              (np.abs(s).max(), ("do not move", "hardly move"))):
        if distance <= tolerance:
            return phrases[0]
        if distance <= 3 * tolerance:
            return phrases[1]
    return "change with R at different rates"


def shift_side(quartile_ratios) -> str:
    """Where the median at R/2 lands relative to the 75 % quantile at R, from the exact
    Q75/Q50 ratios (:func:`quartile_ratios`): ``"above"`` if every ratio is below 2 (the
    distribution is narrow: doubling the median passes Q75), ``"below"`` if every ratio is
    above 2, else ``"on either side of"``."""
    q = np.asarray(quartile_ratios, dtype=float).ravel()
    if q.size == 0 or not np.all(np.isfinite(q)):
        raise ValueError(f"quartile_ratios must be finite numbers, got {q.tolist()}")
    if np.all(q < 2):
        return "above"
    if np.all(q > 2):
        return "below"
    return "on either side of"


def halving_table(studies, label: str = "L"):
    """The halvings of several studies as a table (:class:`pandas.DataFrame`), one row per
    (study, halving), indexed by (``label``, ``"halving"``); 4 columns: the measured
    ``"rank of median at R/2"``, the ``"predicted from |∇C|"`` (:func:`predicted_ranks`),
    the ``"exact Q75 / Q50"`` at R (:func:`quartile_ratios`) and the ``"median R/2 ÷ R"``
    (:func:`median_ratios`). ``studies``: a mapping key → :class:`ResolutionStudy` (e.g.
    layer count → study)."""
    import pandas as pd

    if not isinstance(studies, dict) or not studies:
        raise TypeError("studies must be a non-empty dict key -> ResolutionStudy")
    frames = []
    for key, study in studies.items():
        pairs = np.asarray(_check_study(study).halving_pairs, dtype=int).reshape(-1, 2)
        index = pd.MultiIndex.from_tuples([(key, f"{r} → {h}") for r, h in pairs],
                                          names=[label, "halving"])
        frames.append(pd.DataFrame({"rank of median at R/2": study.halving_rank,
                                    "predicted from |∇C|": predicted_ranks(study),
                                    "exact Q75 / Q50": quartile_ratios(study),
                                    "median R/2 ÷ R": median_ratios(study)}, index=index))
    return pd.concat(frames)


def c7_table(result):
    """C7's cells as a short table (:class:`pandas.DataFrame`), one row per (n, cost): ``n``,
    ``cost``, then per layer count ``"L = k"`` the lowest and highest halving rank of that
    cell as text (``"83.6–84.2"``, percentile ranks), and ``"in band"``: how many of the
    row's cells support the claim (every rank within :data:`qbp.claims.C7_BAND`), as
    ``"4 of 6"``. ``result``: a :class:`qbp.claims.ClaimResult` of C7 or its cells (from
    :meth:`qbp.matrix.LandscapeStudy.cells`). Errors: TypeError for other objects,
    ValueError for cells of another claim."""
    import pandas as pd

    from .claims import Cell, ClaimResult

    cells = list(result.cells) if isinstance(result, ClaimResult) else list(result)
    if not all(isinstance(c, Cell) for c in cells):
        raise TypeError("result must be a qbp.claims.ClaimResult or a sequence of qbp.claims.Cell")
    if any(c.claim != "C7" for c in cells):
        raise ValueError(f"result must hold C7 cells, got {sorted({c.claim for c in cells})}")
    rows = {}
    for c in cells:
        key = (c.setting["n_qubits"], c.setting["cost"])
        row = rows.setdefault(key, {"n": key[0], "cost": key[1], "_k": 0, "_m": 0})
        ranks = c.series["value"]
        row[f"L = {c.setting['layers']}"] = f"{min(ranks):.1f}–{max(ranks):.1f}"
        row["_k"] += c.outcome == "supports"
        row["_m"] += 1
    for row in rows.values():
        row["in band"] = f"{row.pop('_k')} of {row.pop('_m')}"
    return pd.DataFrame(list(rows.values()))
