"""Deceptiveness of a sampled landscape: where does a tiny gradient step lead? (SPEC §5)

Our reading of the paper's Algorithm 1. Every grid point p gets a successor: the
neighbour one grid step along the descent direction (the compass direction nearest to
−∇C, in d dimensions each axis whose |g_k| ≥ tan(π/8)·max|g| moves by −sign g_k), if that
neighbour is strictly lower; otherwise p is a sink, a local minimum of the gradient flow at
this resolution. Following successors leads every point to its sink σ(p) — computed for the
whole grid at once by pointer jumping (σ ← σ[σ], ~log₂ of the longest path rounds), with
no Python loop over points or paths. p is deceptive iff C(σ(p)) > C_min + tol.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_tol
from .grid import check_periods, grid_difference, shifted_index
from .landscape import Landscape

__all__ = ["Basins", "basins", "deceptive_mask", "deceptiveness_ratio", "step_gradient",
           "RULES", "DERIVATIVES"]

RULES = ("compass", "steepest")
DERIVATIVES = ("exact", "grid")
_TAN_PI_8 = np.tan(np.pi / 8)


@dataclass(frozen=True, eq=False)
class Basins:
    """The descent structure of a landscape: each point's sink and the basins they drain.

    ``successor``: flat grid index of each point's one-step successor s(p) (itself at a
    sink), shape (R,)*d.
    ``sink``: flat grid index of σ(p) for every point, shape (R,)*d.
    ``sinks``: flat indices of the sinks (local minima at this resolution), sorted.
    ``sizes``: points draining into each sink, aligned with ``sinks``.
    ``sink_values``: C at each sink, aligned with ``sinks``.
    """

    successor: np.ndarray
    sink: np.ndarray
    sinks: np.ndarray
    sizes: np.ndarray
    sink_values: np.ndarray
    values: np.ndarray
    rule: str
    derivatives: str

    @property
    def n_sinks(self) -> int:
        return len(self.sinks)

    def threshold(self, tol: float, relative: bool = False) -> float:
        """C_min + tol (absolute, cost units) or C_min + tol·(C_max − C_min) (relative)."""
        tol = check_tol(tol)
        c_min, c_max = float(self.values.min()), float(self.values.max())
        return c_min + (tol * (c_max - c_min) if relative else tol)

    def deceptive(self, tol: float, relative: bool = False) -> np.ndarray:
        """Boolean mask (R,)*d: True where the descent path ends above C_min + tol."""
        good = self.sink_values <= self.threshold(tol, relative)
        label = np.searchsorted(self.sinks, self.sink.ravel())
        return ~good[label].reshape(self.values.shape)

    def ratio(self, tol: float, relative: bool = False) -> float:
        """Deceptive points / all points, in [0, 1]."""
        good = self.sink_values <= self.threshold(tol, relative)
        return float(self.sizes[~good].sum() / self.values.size)


#: A gradient below this fraction of the landscape's largest is zero (round-off at
#: stationary points would otherwise pick a random direction at saddles).
ZERO_GRADIENT = 1e-12


def step_gradient(landscape: Landscape, derivatives: str = "exact") -> np.ndarray:
    """The gradient in grid steps, shape (d,)+(R,)*d: what the compass rule compares.

    ``"exact"``: the landscape's exact gradient (per radian) times the grid step T_k/R of
    each axis — axes with different periods (a 4π-periodic CRX parameter beside 2π ones) have
    steps of different lengths in radians, and the step that best follows −∇C is the one
    nearest −∇C measured in steps. ``"grid"``: periodic central differences per step.
    Where every axis has the same period the exact gradient is returned as it is (a common
    factor changes no direction), with no copy.
    """
    if derivatives not in DERIVATIVES:
        raise ValueError(f"derivatives must be one of {DERIVATIVES}, got {derivatives!r}")
    if derivatives == "grid":
        return grid_difference(landscape.values, per="step")
    if landscape.gradient is None:
        raise ValueError("landscape has no gradient (sampled with with_gradient=False); "
                         "sample it with its gradient or pass derivatives='grid'")
    periods = check_periods(landscape.periods, landscape.n_params, finite=True)
    if np.all(periods == periods[0]):
        return landscape.gradient
    scale = periods / periods.max()  # relative step lengths; directions are all that count
    return landscape.gradient * scale.reshape((-1,) + (1,) * landscape.n_params)


def _successor_offsets(g: np.ndarray) -> np.ndarray:
    """Per point the step in {−1, 0, 1}^d nearest to −g (shape (d, …), int8); 0 where g = 0.

    Works one axis at a time so that the temporaries stay at one float array of the grid.
    """
    gmax = np.abs(g[0])
    for gk in g[1:]:
        np.maximum(gmax, np.abs(gk), out=gmax)
    threshold = _TAN_PI_8 * gmax
    threshold[gmax <= ZERO_GRADIENT * gmax.max()] = np.inf  # stationary: no move
    del gmax
    offsets = np.zeros(g.shape, dtype=np.int8)
    for k, gk in enumerate(g):
        move = np.abs(gk) >= threshold
        offsets[k][move & (gk > 0)] = -1
        offsets[k][move & (gk < 0)] = 1
    return offsets


def _steepest_successor(values: np.ndarray) -> np.ndarray:
    """Flat index of the lowest of the 3^d − 1 neighbours (ties: first in offset order)."""
    d = values.ndim
    best_val = np.full(values.shape, np.inf)
    best_idx = None
    for off in np.ndindex(*(3,) * d):
        off = np.array(off) - 1
        if not off.any():
            continue
        offsets = np.broadcast_to(off.reshape((d,) + (1,) * d), (d,) + values.shape).astype(np.int8)
        idx = shifted_index(values.shape, offsets)
        val = values.ravel()[idx]
        better = val < best_val
        best_val = np.where(better, val, best_val)
        best_idx = idx if best_idx is None else np.where(better, idx, best_idx)
    return best_idx


def basins(landscape: Landscape, rule: str = "compass", derivatives: str = "exact") -> Basins:
    """Successors, sinks and basin sizes of ``landscape`` (SPEC §5).

    ``rule``: ``"compass"`` (step along the compass direction of −∇C, measured in grid
    steps: see :func:`step_gradient`) or ``"steepest"`` (step to the lowest neighbour).
    ``derivatives``: ``"exact"`` (the landscape's exact gradient) or ``"grid"`` (periodic
    central differences of the values). Every axis spans one period of its parameter
    (:attr:`qbp.Landscape.periods`), so steps across the seam wrap to the opposite edge.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a qbp.Landscape, got {type(landscape).__name__}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if derivatives not in DERIVATIVES:
        raise ValueError(f"derivatives must be one of {DERIVATIVES}, got {derivatives!r}")
    values = landscape.values
    if rule == "steepest":
        target = _steepest_successor(values)
    else:
        target = shifted_index(values.shape, _successor_offsets(step_gradient(landscape, derivatives)))
    flat_values = values.ravel()
    here = np.arange(values.size, dtype=target.dtype)
    # A step is taken only if it strictly lowers C: paths strictly decrease, so they end.
    succ = np.where(flat_values[target.ravel()] < flat_values, target.ravel(), here)
    successor = succ.reshape(values.shape)
    while True:  # pointer jumping: after m rounds succ points 2**m steps ahead (or to the sink)
        nxt = succ[succ]
        if np.array_equal(nxt, succ):
            break
        succ = nxt
    sinks = np.flatnonzero(succ == here)  # sorted; a sink is its own successor
    sizes = np.bincount(succ, minlength=values.size)[sinks]
    return Basins(successor, succ.reshape(values.shape), sinks, sizes, flat_values[sinks], values, rule, derivatives)


def deceptive_mask(landscape: Landscape, tol: float, relative: bool = False, *,
                   rule: str = "compass", derivatives: str = "exact") -> np.ndarray:
    """Boolean mask (R,)*d of deceptive points: descent ends above C_min + tol (SPEC §5)."""
    check_tol(tol)
    return basins(landscape, rule, derivatives).deceptive(tol, relative)


def deceptiveness_ratio(landscape: Landscape, tol: float, relative: bool = False, *,
                        rule: str = "compass", derivatives: str = "exact") -> float:
    """Fraction of grid points that are deceptive, in [0, 1] (SPEC §5)."""
    check_tol(tol)
    return basins(landscape, rule, derivatives).ratio(tol, relative)
