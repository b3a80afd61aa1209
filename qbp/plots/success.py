"""Figures of success rates (chapter 05): success against the learning rate, cells' trends
side by side, the flow ratio's prediction and the equal-budget comparison.

Each takes a result record of :mod:`qbp.success` (or :class:`qbp.claims.Cell` objects) and
optional axes; none sets a title. Rates are drawn with their Wilson 95 % intervals.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import MAX_WIDTH, _PlainLogFormatter
from .trajectories import (OPTIMIZER_NAMES, RUN_COLOURS, RUN_MARKERS, _errorbar, _offsets,
                           _rate_axes)


def _label_above(ax, label: str) -> None:
    ax.annotate(label, xy=(0, 1), xycoords="axes fraction", xytext=(0, 3),
                textcoords="offset points", ha="left", va="bottom", fontsize=10)


def layer_colours(n: int) -> np.ndarray:
    """``n`` colours (RGBA rows) for the layer counts 1 … n in order, dark blue through
    magenta to orange: matplotlib's "plasma" map cut before its pale yellow end, so that
    the last curve stays readable on white."""
    return plt.get_cmap("plasma")(np.linspace(0.0, 0.7, n))


def plot_success_curves(curves, axes=None):
    """Success against the learning rate, one curve per layer count, with Wilson error bars
    (curves shifted slightly along η so the bars do not overlap); log η axis.

    ``curves``: a :class:`qbp.success.SuccessCurves`, or a mapping {optimizer: curves} drawn
    side by side (at most 3 panels, the optimizer's name above each, one legend below).
    ``axes``: one axes per panel (default: a new figure). Returns the axes (a list)."""
    panels = curves if isinstance(curves, dict) else {"": curves}
    if axes is None:
        _, axes = plt.subplots(1, len(panels), figsize=(MAX_WIDTH, 3.3), sharey=True,
                               squeeze=False, layout="constrained")
        axes = list(axes.flat)
    axes = list(np.atleast_1d(axes))
    for ax, (name, c) in zip(axes, panels.items()):
        colours = layer_colours(len(c.layers))
        step = np.log10(c.lrs[1] / c.lrs[0]) if len(c.lrs) > 1 else 0.1
        shift = 10 ** (_offsets(len(c.layers), 0.5 * step))
        for li, layer in enumerate(c.layers):
            err = np.vstack([c.rate[li] - c.low[li], c.high[li] - c.rate[li]])
            ax.errorbar(c.lrs * shift[li], c.rate[li], yerr=np.clip(err, 0, None), marker="o",
                        ms=3.5, lw=1.2, capsize=2, color=colours[li], label=f"L = {layer}")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("learning rate η (log scale)")
        ax.grid(True, which="major", alpha=0.3)
        _label_above(ax, OPTIMIZER_NAMES.get(name, name))
    axes[0].set_ylabel(f"{c.kind} success rate")
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
                          ncols=min(6, len(c.layers)))
    return axes


def plot_trends(cells, axes=None):
    """:func:`qbp.plots.plot_trend` of each cell side by side (at most 3), the cell's
    optimizer (or its setting) written above each panel; C6 cells share one x label.
    Returns the axes (a list)."""
    from .verdicts import plot_trend

    cells = list(cells)
    if axes is None:
        _, axes = plt.subplots(1, len(cells), figsize=(MAX_WIDTH, 3.0), sharey=True,
                               squeeze=False, layout="constrained")
        axes = list(axes.flat)
    for ax, cell in zip(axes, cells):
        plot_trend(cell, ax=ax)
        opt = cell.setting.get("optimizer")
        _label_above(ax, OPTIMIZER_NAMES.get(opt, opt) if opt else cell.label)
    for ax in axes[1:]:
        ax.set_ylabel("")
    # C6 cells plot against the flow ratio; one that ended early (inconclusive: no window at
    # enough layer counts) keeps its own x label
    against_ratio = [cell.statistic.get("x") == "ratio" for cell in cells]
    if any(against_ratio):
        for ax, ratio in zip(axes, against_ratio):
            if ratio:
                ax.set_xlabel("")
        axes[0].figure.supxlabel("flow ratio of the same starts", fontsize=10)
    return axes


def plot_prediction(pred, ax=None):
    """1 − the flow ratio of the starts (the deceptiveness ratio's prediction of success)
    and each optimizer's best settled rate against the sharing degree, with Wilson error
    bars (:class:`qbp.success.Prediction`). Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_WIDTH * 0.75, 3.0), layout="constrained")
    degrees = np.asarray(pred.degrees, dtype=float)
    shift = _offsets(1 + len(pred.best)) * np.ptp(degrees) / max(len(degrees) - 1, 1)
    _errorbar(ax, degrees + shift[0], pred.flow, color="black", ls="--",
              label="1 − flow ratio (prediction)")
    for k, (opt, fr) in enumerate(pred.best.items(), start=1):
        name = OPTIMIZER_NAMES.get(opt, opt)
        _errorbar(ax, degrees + shift[k], fr, color=RUN_COLOURS.get(name, f"C{k}"),
                  marker=RUN_MARKERS.get(name, "o"), label=f"{name}, best settled")
    _rate_axes(ax, degrees, "success rate")
    ax.legend(fontsize=9, loc="best")
    return ax


def plot_budget(comparison, ax=None):
    """Success within one budget of cost evaluations (:class:`qbp.success
    .BudgetComparison`): each gradient-free method (open markers) and Adam and SGD at their
    best learning rate within the budget (filled), against the sharing degree, with Wilson
    error bars. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_WIDTH, 3.0), layout="constrained")
    degrees = np.asarray(comparison.degrees, dtype=float)
    series = [(m, comparison.free[k], dict(marker="osD"[k % 3], mfc="white", color=f"C{k + 4}"))
              for k, m in enumerate(comparison.methods)]
    series += [(f"{OPTIMIZER_NAMES.get(o, o)}, best η", fr,
                dict(marker=RUN_MARKERS.get(OPTIMIZER_NAMES.get(o, o), "o"),
                     color=RUN_COLOURS.get(OPTIMIZER_NAMES.get(o, o), "k")))
               for o, fr in comparison.gradient.items()]
    shift = _offsets(len(series), 0.4) * np.ptp(degrees) / max(len(degrees) - 1, 1)
    for k, (label, fr, style) in enumerate(series):
        _errorbar(ax, degrees + shift[k], fr, label=label, **style)
    _rate_axes(ax, degrees, f"success within {comparison.budget} evaluations")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax
