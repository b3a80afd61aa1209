"""Figures of the resolution study (SPEC §7): magnitude quantiles and boxes against R."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FixedLocator, NullLocator

from .style import _PlainLogFormatter

_MAGNITUDE_LABELS = {
    "step": "per-step |ΔC|\n(cost per grid step)",
    "exact": "exact |∇C|\n(cost per radian)",
}
_RESOLUTION_LABEL = "resolution R (grid points per axis)"


def _log_axes(ax, resolutions) -> None:
    """Log–log axes with ticks at the studied resolutions and plain magnitude labels."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(FixedLocator(resolutions))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(lambda x, pos: f"{x:g}")
    ax.yaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
    ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.4)))


def _quantile_label(level) -> str:
    return "median" if level == 50 else f"{level:g} % quantile"


def _panel_text(ax, text) -> None:
    ax.text(0.03, 0.03, text, transform=ax.transAxes, ha="left", va="bottom", fontsize=9,
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))


def plot_resolution_quantiles(study, ax=None, kind: str = "step", levels=(5, 25, 50, 75, 95),
                              guide: bool = True, legend: bool = True):
    """Quantiles of the gradient-magnitude distribution against the resolution R, log–log;
    returns the axes.

    ``study`` is a :class:`qbp.resolution.ResolutionStudy`; ``kind`` picks the per-step grid
    differences (``"step"``, cost per grid step) or the exact gradients (``"exact"``, energy
    per radian). One line per level in ``levels`` (percent), the median black and bold.
    ``guide`` draws a dotted grey line ∝ 1/R (slope −1) above the top curve: the scaling of
    a per-step difference ≈ h·|∇C| with step h = 2π/R.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.6), layout="constrained")
    res = np.asarray(study.resolutions)
    table = study.quantiles(levels, kind=kind)  # checks the levels: integer percentiles
    levels = [int(q) for q in levels]
    colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.85, len(levels)))
    for j in reversed(range(len(levels))):  # top quantile first in the legend
        median = levels[j] == 50
        ax.plot(res, table[:, j], "o-", color="black" if median else colours[j],
                lw=2.2 if median else 1.3, ms=4, label=_quantile_label(levels[j]))
    if guide and len(res) > 1:
        top = 1.6 * float(table[0].max())
        ax.plot(res, top * res[0] / res, ":", color="0.35", lw=1.5, label="∝ 1/R (slope −1)")
    _log_axes(ax, res)
    ax.set_xlabel(_RESOLUTION_LABEL)
    ax.set_ylabel(_MAGNITUDE_LABELS[kind])
    ax.grid(True, which="both", alpha=0.3)
    if legend:
        ax.legend(frameon=False)
    return ax


def plot_resolution_boxes(study, ax=None, kind: str = "step", mark_halving: bool = True,
                          legend: bool = True, color="C0"):
    """Box plots of the gradient magnitudes at each resolution, from the stored percentiles;
    returns the axes.

    Boxes span the 25–75 % quantiles with the median inside; the whiskers reach the 5 % and
    95 % quantiles (not 1.5 IQR), and no outliers are drawn — say so in the caption. The
    vertical axis is logarithmic; boxes stand at evenly spaced positions labelled by R.
    ``mark_halving`` (per-step only) draws the median at R/2 as a red bar across the box at
    R, so a shift by one quartile shows as the bar on the box's top edge.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.6), layout="constrained")
    res = [int(r) for r in study.resolutions]
    q = study.quantiles((5, 25, 50, 75, 95), kind=kind)
    stats = [{"whislo": a, "q1": b, "med": c, "q3": d, "whishi": e, "label": str(r)}
             for r, (a, b, c, d, e) in zip(res, q)]
    ax.bxp(stats, positions=np.arange(len(res)), widths=0.55, showfliers=False,
           patch_artist=True, boxprops=dict(facecolor=color, alpha=0.35, edgecolor=color),
           medianprops=dict(color="black", lw=1.8), whiskerprops=dict(color=color),
           capprops=dict(color=color))
    pairs = np.asarray(study.halving_pairs, dtype=int).reshape(-1, 2)
    if mark_halving and kind == "step" and len(pairs):
        index = {r: i for i, r in enumerate(res)}
        at = np.array([index[r] for r in pairs[:, 0]])
        ax.hlines([q[index[r], 2] for r in pairs[:, 1]], at - 0.38, at + 0.38, color="C3",
                  lw=2, label="median at R/2", zorder=3)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
    ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.4)))
    ax.set_xlim(-0.6, len(res) - 0.4)
    ax.set_xlabel(_RESOLUTION_LABEL)
    ax.set_ylabel(_MAGNITUDE_LABELS[kind])
    ax.grid(True, axis="y", which="both", alpha=0.3)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, loc="upper right")
    return ax


def plot_resolution_quantile_grid(studies, labels=None, panel_size=(3.2, 2.3)):
    """Quantile curves for several resolution studies: one row per study (``labels`` written
    in its per-step panel, e.g. "L = 3"), per-step differences on the left and exact gradients
    on the right, each column on one vertical scale. ``panel_size`` (inches): the default
    makes the figure :data:`qbp.plots.MAX_WIDTH` wide. Returns the figure."""
    studies = list(studies)
    if not studies:
        raise ValueError("plot_resolution_quantile_grid needs at least one study")
    labels = [None] * len(studies) if labels is None else list(labels)
    fig, axes = plt.subplots(len(studies), 2, sharex=True, sharey="col", squeeze=False,
                             figsize=(2 * panel_size[0], panel_size[1] * len(studies) + 0.5),
                             layout="constrained")
    for i, (row, study, text) in enumerate(zip(axes, studies, labels)):
        plot_resolution_quantiles(study, row[0], "step", legend=False)
        plot_resolution_quantiles(study, row[1], "exact", guide=False, legend=False)
        if text:  # upper right of the per-step panel: its curves fall towards large R
            row[0].text(0.97, 0.95, text, transform=row[0].transAxes, ha="right", va="top",
                        fontsize=9, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none",
                                              alpha=0.85))
        if i < len(studies) - 1:
            for ax in row:
                ax.set_xlabel("")
        if i != len(studies) // 2:  # one label per column, on the middle row: no overlaps
            for ax in row:
                ax.set_ylabel("")
    handles = axes[0, 0].get_legend_handles_labels()
    fig.legend(*handles, loc="outside upper center", ncols=3, frameon=False)
    return fig


def plot_resolution_box_grid(studies, labels=None, kind: str = "step", ncols: int = 3,
                             panel_size=None):
    """Box plots (5–95 % whiskers) for several resolution studies side by side on one vertical
    scale, with the median at R/2 marked on each box at R (per-step only). ``panel_size``
    (width, height in inches) defaults to panels that make the figure
    :data:`qbp.plots.MAX_WIDTH` wide. Returns the figure."""
    from .style import MAX_WIDTH

    studies = list(studies)
    if not studies:
        raise ValueError("plot_resolution_box_grid needs at least one study")
    labels = [None] * len(studies) if labels is None else list(labels)
    ncols = min(ncols, len(studies))
    nrows = -(-len(studies) // ncols)
    if panel_size is None:
        panel_size = (MAX_WIDTH / ncols, 2.8)
    fig, axes = plt.subplots(nrows, ncols, sharey=True, squeeze=False, layout="constrained",
                             figsize=(panel_size[0] * ncols, panel_size[1] * nrows))
    for k, (ax, study, text) in enumerate(zip(axes.flat, studies, labels)):
        plot_resolution_boxes(study, ax, kind, legend=(k == 0))
        if text:
            _panel_text(ax, text)
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
        ax.set_xlabel("")
    for ax in axes.flat[len(studies):]:
        ax.set_visible(False)
    fig.supxlabel(_RESOLUTION_LABEL, fontsize=plt.rcParams["axes.labelsize"])  # one, no overlaps
    return fig


def plot_ratio_vs_resolution(resolutions, ratios, ax=None, tol_label: str = "tol"):
    """Deceptiveness ratio against the resolution R for several circuits and tolerances;
    returns the axes.

    ``ratios`` maps a series label (e.g. ``"L = 3"``) to a dict {tol: ratios, one per R}.
    Colours tell the series apart, line styles the tolerances (largest tol solid, smaller
    ones dashed, dotted, as in the paper's Fig. 2). The vertical axis is the fraction of
    grid points that are deceptive, linear from 0 to 1; R is on a log axis. The legend sits
    to the right of the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    res = np.asarray(resolutions)
    tols = sorted({t for series in ratios.values() for t in series}, reverse=True)
    styles = dict(zip(tols, ["-", "--", ":", "-."] * len(tols)))
    for k, (label, series) in enumerate(ratios.items()):
        for tol in tols:
            if tol in series:
                ax.plot(res, series[tol], styles[tol], marker="o", ms=4, color=f"C{k}",
                        label=f"{label}, {tol_label} = {tol:g}")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(res))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(lambda x, pos: f"{x:g}")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(_RESOLUTION_LABEL)
    ax.set_ylabel("deceptiveness ratio\n(fraction of grid points)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax
