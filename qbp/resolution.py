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

__all__ = ["ResolutionStudy", "resolution_study", "magnitudes", "halving_rank", "PERCENTILES"]

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
