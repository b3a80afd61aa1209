"""Figures of where optimizer runs end (chapter 04).

Each takes a :class:`qbp.endpoints.TrajectoryStudy` (or one of its layer records) and optional
axes; none sets a title. Rates are drawn with their Wilson 95 % intervals as error bars.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D

from ..grid import wrap
from .style import MAX_WIDTH

#: Path colours of each run: saturated hues that stand out on the grey landscape maps.
RUN_COLOURS = {"Adam": "#d62728", "SGD": "#1f5fbf", "SGD, small steps": "#2ca02c"}
RUN_MARKERS = {"Adam": "^", "SGD": "s", "SGD, small steps": "o"}
#: Colours and markers of the end kinds of :data:`qbp.endpoints.KINDS`: hues that no run
#: uses (red, blue and green mean Adam, SGD and small-step SGD in every figure).
KIND_COLOURS = {"global": "#762a83", "local minimum": "#7f7f7f", "not settled": "#e08214"}
KIND_MARKERS = {"global": "o", "local minimum": "v", "not settled": "D"}
#: A light grey map for landscapes under coloured paths: low cost white, high cost mid grey.
LANDSCAPE_GREYS = LinearSegmentedColormap.from_list("qbp_greys", ["#ffffff", "#707070"])
OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD"}


def _cost_label(cost: str) -> str:
    return "excess energy C − E₀" if cost == "tfim" else "infidelity C"


def _errorbar(ax, x, fractions, **style):
    rate = np.array([f.rate for f in fractions], dtype=float)
    low = np.array([f.low for f in fractions], dtype=float)
    high = np.array([f.high for f in fractions], dtype=float)
    err = np.vstack([np.clip(rate - low, 0, None), np.clip(high - rate, 0, None)])
    return ax.errorbar(x, rate, yerr=err, capsize=2.5, **{"marker": "o", "ms": 4, **style})


def _offsets(k: int, width: float = 0.24) -> np.ndarray:
    """Small x shifts that keep k error-bar series apart."""
    return (np.arange(k) - (k - 1) / 2) * width / max(k - 1, 1)


def _rate_axes(ax, degrees, ylabel="fraction of runs"):
    ax.set_xticks(degrees)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("sharing degree n·L")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)


# --------------------------------------------------------------------------- chapter 04
def plot_trajectory_grid(study, ncols: int = 3):
    """The first paths of Adam and SGD over the landscape of every layer count of a
    :class:`qbp.endpoints.TrajectoryStudy`, one panel per L, ``ncols`` per row, on one
    logarithmic grey colour scale (low cost white); starts white circles, ends the run's
    marker, global minima black stars. Legend and colour bar below. Returns the figure."""
    from .landscape import excess_norm, plot_landscape
    from .optimizers import plot_paths

    records = study.layer_records
    nrows = -(-len(records) // ncols)
    ncols = min(ncols, len(records))
    width = min(MAX_WIDTH, 2.1 * ncols + 0.3)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 2.05 * nrows + 1.3), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    norm = excess_norm([r.landscape for r in records])
    for ax, r in zip(axes.flat, records):
        plot_landscape(r.landscape, ax, norm=norm, colorbar=False, mark_minimum=False,
                       cmap=LANDSCAPE_GREYS)
        for run, tr in r.paths.items():
            plot_paths(tr, ax, color=RUN_COLOURS[run], end_marker=RUN_MARKERS[run],
                       start_marker="o", lw=1.0, marker_size=4.5)
        stars = r.minima.points
        ax.plot(stars[:, 0], stars[:, 1], "*", ms=9, color="black", ls="none", zorder=6)
        ax.annotate(f"L = {r.layers}", xy=(0.5, 1), xycoords="axes fraction", xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9)
    for ax in axes.flat[len(records):]:
        ax.set_visible(False)
    for ax in axes.flat:
        if not ax.get_subplotspec().is_last_row():
            ax.set_xlabel("")
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
    handles = [Line2D([], [], color=RUN_COLOURS[run], marker=RUN_MARKERS[run], mec="black",
                      label=f"{run}, η = {study.lrs[run]:g}") for run in records[0].paths]
    handles += [Line2D([], [], ls="none", marker="o", mfc="white", mec="black", label="start"),
                Line2D([], [], ls="none", marker="*", ms=9, color="black",
                       label="global minimum")]
    fig.colorbar(axes.flat[0].collections[0], ax=axes, location="bottom", shrink=0.6,
                 label=f"{_cost_label(study.parameters['cost'])} (log scale)")
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)))
    return fig


def plot_end_kinds(study, axes=None):
    """Where the runs end: per run kind (one panel each, at most 3) the fractions of
    :data:`qbp.endpoints.KINDS` against the sharing degree, with Wilson error bars.
    Returns the axes."""
    from ..endpoints import KINDS, end_fractions

    runs = study.runs
    if axes is None:
        _, axes = plt.subplots(1, len(runs), figsize=(MAX_WIDTH, 2.9), sharey=True,
                               layout="constrained")
    degrees = np.array(study.degrees)
    shift = _offsets(len(KINDS)) * np.ptp(degrees) / max(len(degrees) - 1, 1)
    for ax, run in zip(np.atleast_1d(axes), runs):
        for k, kind in enumerate(KINDS):
            fr = [end_fractions(r.kinds[run])[kind] for r in study.layer_records]
            _errorbar(ax, degrees + shift[k], fr, color=KIND_COLOURS[kind],
                      marker=KIND_MARKERS[kind], label=kind)
        _rate_axes(ax, degrees)
        ax.annotate(run, xy=(0.5, 1), xycoords="axes fraction", xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9)
    for ax in np.atleast_1d(axes)[1:]:
        ax.set_ylabel("")
    ax0 = np.atleast_1d(axes)[0]
    ax0.figure.legend(*ax0.get_legend_handles_labels(), loc="outside lower center",
                      ncols=len(KINDS))
    return axes


def plot_agreement(study, axes=None):
    """How often a run ends where each predictor says (:data:`qbp.endpoints.PREDICTORS`:
    the flow's end, the compass or the steepest rule's basin), one panel per predictor, one
    series per run kind, with Wilson error bars. Returns the axes."""
    from ..endpoints import PREDICTORS

    if axes is None:
        _, axes = plt.subplots(1, len(PREDICTORS), figsize=(MAX_WIDTH, 2.9), sharey=True,
                               layout="constrained")
    degrees = np.array(study.degrees)
    shift = _offsets(len(study.runs)) * np.ptp(degrees) / max(len(degrees) - 1, 1)
    titles = {"flow": "same end as the flow", "compass": "same basin, compass rule",
              "steepest": "same basin, steepest rule"}
    for ax, predictor in zip(np.atleast_1d(axes), PREDICTORS):
        for k, run in enumerate(study.runs):
            fr = [r.agreement(run, predictor) for r in study.layer_records]
            _errorbar(ax, degrees + shift[k], fr, color=RUN_COLOURS[run],
                      marker=RUN_MARKERS[run], label=run)
        _rate_axes(ax, degrees)
        ax.annotate(titles[predictor], xy=(0.5, 1), xycoords="axes fraction", xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9)
    for ax in np.atleast_1d(axes)[1:]:
        ax.set_ylabel("")
    ax0 = np.atleast_1d(axes)[0]
    ax0.figure.legend(*ax0.get_legend_handles_labels(), loc="outside lower center",
                      ncols=len(study.runs))
    return axes


def plot_basin_paths(record, rule, tol: float, ax=None, run: str = "Adam",
                     fade: float = 0.35):
    """One layer count's basins under ``rule`` (:func:`qbp.plots.plot_basins`, no arrows, no
    contours, colours faded towards white by ``fade`` so that the paths stand out) with the
    drawn paths of ``run`` (black lines, cyan circles at the starts, the run's marker at the
    ends) and where the gradient flow from each of those starts ends (white crosses, drawn
    under the run's ends so that an end on the flow's end stays visible). Every artist is
    labelled for a legend.

    ``rule``: one rule (returns the axes), or a sequence of at most 3 rules drawn side by
    side at the book's width with one legend below (returns the list of axes; ``ax``, if
    given, one axes per rule)."""
    from .deceptiveness import plot_basins
    from .optimizers import plot_paths

    if not isinstance(rule, str):
        rules = list(rule)
        if not 1 <= len(rules) <= 3:
            raise ValueError(f"rule must be one rule or 1 to 3 rules, got {rules!r}")
        if ax is None:
            _, ax = plt.subplots(1, len(rules), figsize=(MAX_WIDTH, 4.3), sharey=True,
                                 squeeze=False, layout="constrained")
        axes = list(np.ravel(ax))
        legend = {}
        for a, name in zip(axes, rules):
            plot_basin_paths(record, name, tol, a, run, fade)
            legend.update({lab: h for h, lab in zip(*a.get_legend_handles_labels())})
        for a in axes[1:]:
            a.set_ylabel("")
        axes[0].figure.legend(list(legend.values()), list(legend), loc="outside lower center",
                              ncols=2)
        return axes
    ax = plot_basins(record.landscape, record.basins[rule], tol, ax=ax, arrows="none",
                     contours=0, legend=False, fade=fade)
    tr = record.paths[run]
    periods = record.landscape.periods
    plot_paths(tr, ax, color="black", end_marker=None, lw=1.1, start_marker=None,
               label=f"{run} path")
    starts, ends = (wrap(tr.params[:, i], periods) for i in (0, -1))
    ax.plot(starts[:, 0], starts[:, 1], "o", ms=6, mfc="#17becf", mec="black", mew=0.7,
            ls="none", zorder=6, label="start")
    flow_ends = wrap(record.flow_ends[:len(tr.params)], periods)
    ax.plot(flow_ends[:, 0], flow_ends[:, 1], "X", ms=10, mfc="white", mec="black", mew=0.8,
            ls="none", zorder=7, label="end of the gradient flow from the start")
    ax.plot(ends[:, 0], ends[:, 1], RUN_MARKERS[run], ms=6.5, mfc=RUN_COLOURS[run],
            mec="black", mew=0.7, ls="none", zorder=8, label=f"{run} end")
    ax.annotate(f"{rule} rule, L = {record.layers}", xy=(0.5, 1), xycoords="axes fraction",
                xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                fontsize=9)
    return ax
