"""Figures of optimizers (SPEC §6): paths over the angle square, success against learning rate."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..grid import check_periods, wrap
from .style import _PlainLogFormatter


def wrap_path(points, periods=None) -> np.ndarray:
    """A path of parameters (T+1, d), unwrapped as the optimizer took it, mapped into the
    periodic box Π_k [−T_k/2, T_k/2) for drawing (``periods`` (d,), default 2π each:
    [−π, π)^d): where it crosses an edge it is cut at the edge and continues from the
    opposite edge, with a row of NaN between the pieces (matplotlib breaks the line there).
    A parameter with an infinite period is drawn as it is. Returns an array (N, d), N ≥ T+1."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or len(pts) == 0:
        raise ValueError(f"points must have shape (T+1, d), got {pts.shape}")
    periods = check_periods(periods, pts.shape[1])
    finite = np.isfinite(periods)
    period = np.where(finite, periods, 1.0)  # a non-periodic axis stays in cell 0

    def cell(x):
        return np.where(finite, np.floor((x + period / 2) / period), 0.0)

    cells = cell(pts)
    current = cells[0]  # the periodic copy the line is being drawn in
    out = [pts[0] - period * current]
    gap = np.full(pts.shape[1], np.nan)
    for i in range(1, len(pts)):
        a, b = pts[i - 1], pts[i]
        if np.array_equal(cells[i], current) and np.array_equal(cells[i - 1], current):
            out.append(b - period * current)
            continue
        cuts = set()
        for k in np.flatnonzero(finite):  # every edge −T/2 + T·m the step crosses along axis k
            if a[k] == b[k]:
                continue
            lo, hi = sorted((a[k], b[k]))
            t_k = period[k]
            for m in range(int(np.ceil((lo + t_k / 2) / t_k)), int(np.floor((hi + t_k / 2) / t_k)) + 1):
                t = (-t_k / 2 + t_k * m - a[k]) / (b[k] - a[k])
                if 0 < t < 1:
                    cuts.add(t)
        bounds = [0.0, *sorted(cuts), 1.0]
        for t0, t1 in zip(bounds[:-1], bounds[1:]):
            here = cell(a + 0.5 * (t0 + t1) * (b - a))
            if not np.array_equal(here, current):  # into another copy: break the line
                current = here
                out += [gap, a + t0 * (b - a) - period * current]
            out.append(a + t1 * (b - a) - period * current)
    return np.array(out)


def plot_paths(params, ax=None, color="C3", label=None, lw=1.2, start_marker="o",
               end_marker="s", marker_size=5.5, alpha=0.95, periods=None):
    """Optimizer paths over a 2-parameter landscape, wrapped into one period per axis (the
    angles are periodic: a path leaving one edge re-enters at the opposite one, the line
    broken there); returns the axes.

    ``params``: a :class:`qbp.Trajectories` (recorded with ``record="all"``), whose periods
    are used (4π along a CRX's parameter), or an array (B, T+1, 2) with ``periods`` (2,)
    (default 2π each: [−π, π)²; giving ``periods`` with a Trajectories raises ValueError if
    they differ from its own). Each start is drawn as ``start_marker`` (white, black edge)
    unless None, each end as ``end_marker`` filled with ``color``; ``label`` names the paths
    in the legend (once). Draw on top of :func:`plot_landscape`.
    """
    own = getattr(params, "periods", None)
    if own is not None:
        if periods is not None and not np.array_equal(check_periods(periods, len(own)), own):
            raise ValueError(f"periods {np.asarray(periods).tolist()} differ from the "
                             f"trajectories' own {np.asarray(own).tolist()}")
        periods = own
    params = np.asarray(getattr(params, "params", params), dtype=float)
    if params.ndim != 3 or params.shape[2] != 2:
        raise ValueError(f"paths must have shape (B, T+1, 2), got {params.shape}")
    periods = check_periods(periods, 2)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.8))
    for b, path in enumerate(params):
        drawn = wrap_path(path, periods)
        ax.plot(drawn[:, 0], drawn[:, 1], "-", color=color, lw=lw, alpha=alpha,
                label=label if b == 0 else None, zorder=3)
    ends = wrap(params[:, -1], periods)
    if end_marker:
        ax.plot(ends[:, 0], ends[:, 1], end_marker, ms=marker_size, mfc=color, mec="black",
                mew=0.7, ls="none", zorder=5, label=f"{label} end" if label else None)
    if start_marker:
        starts = wrap(params[:, 0], periods)
        ax.plot(starts[:, 0], starts[:, 1], start_marker, ms=marker_size, mfc="white",
                mec="black", mew=0.7, ls="none", zorder=5)
    if np.all(np.isfinite(periods)):
        ax.set_xlim(-periods[0] / 2, periods[0] / 2)
        ax.set_ylim(-periods[1] / 2, periods[1] / 2)
    return ax


def plot_success_vs_lr(lrs, curves, ax=None, styles=None, legend: bool = True,
                       xlabel: str = "learning rate η (log scale)",
                       ylabel: str = "success rate (fraction of starts)"):
    """Success rate against the learning rate, one line per entry of ``curves``
    ({label: rates, one per learning rate}), on a logarithmic learning-rate axis and a linear
    success axis from 0 to 1; returns the axes. ``styles`` optionally maps a label to line
    keyword arguments (``color``, ``ls``, ``marker`` …)."""
    lrs = np.asarray(lrs, dtype=float)
    styles = styles or {}
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.6), layout="constrained")
    for i, (text, rates) in enumerate(curves.items()):
        rates = np.asarray(rates, dtype=float)
        if rates.shape != lrs.shape:
            raise ValueError(f"curve {text!r} has {rates.shape} rates for {lrs.shape} learning rates")
        ax.plot(lrs, rates, **{"marker": "o", "ms": 4, "color": f"C{i}", **styles.get(text, {})},
                label=text)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if legend:
        ax.legend(frameon=False, fontsize=8)
    return ax
