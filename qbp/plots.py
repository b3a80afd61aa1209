"""Figures: one function per kind, each taking a result and an optional ``ax``.

No function sets a title: captions come from the book. Angles are in radians, each axis
spanning one period of its parameter: [−π, π) for the paper's circuits, [−2π, 2π) along a
CRX's parameter (:attr:`qbp.Circuit.periods`).
"""

from __future__ import annotations

from unittest import mock

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.ticker import FixedLocator, LogFormatter, NullLocator

from .circuit import Circuit
from .grid import check_periods, wrap
from .landscape import Landscape

__all__ = ["draw_circuit", "excess_norm", "plot_landscape", "plot_landscape_grid",
           "plot_minima_vs_sharing", "plot_resolution_quantiles", "plot_resolution_boxes",
           "plot_resolution_quantile_grid", "plot_resolution_box_grid",
           "plot_ratio_vs_resolution", "plot_basins", "plot_deceptiveness_vs_sharing",
           "wrap_path", "plot_paths", "plot_success_vs_lr", "plot_plateau_scan",
           "plot_decay_rates", "plot_scoreboard", "VERDICT_COLOURS"]

_PI_TICKS = (np.pi * np.array([-1, -0.5, 0, 0.5, 1]), ["−π", "−π/2", "0", "π/2", "π"])
_TWO_PI_TICKS = (np.pi * np.array([-2, -1, 0, 1, 2]), ["−2π", "−π", "0", "π", "2π"])


def _angle_ticks(period: float):
    """Ticks at −T/2, −T/4, 0, T/4, T/2 labelled in multiples of π (or plain numbers)."""
    if period == 2 * np.pi:
        return _PI_TICKS
    if period == 4 * np.pi:
        return _TWO_PI_TICKS
    values = period * np.array([-0.5, -0.25, 0, 0.25, 0.5])
    return values, [f"{v / np.pi:.3g}π" if v else "0" for v in values]


def _angle_axes(ax, periods=None) -> None:
    """The box of two angles, one period T_k each (default 2π: [−π, π)²): ticks at
    multiples of T_k/4, labels in radians."""
    periods = check_periods(periods, 2, finite=True)
    ax.set_xticks(*_angle_ticks(periods[0]))
    ax.set_yticks(*_angle_ticks(periods[1]))
    ax.set_xlim(-periods[0] / 2, periods[0] / 2)
    ax.set_ylim(-periods[1] / 2, periods[1] / 2)
    ax.set_xlabel("θ₀ (rad)")
    ax.set_ylabel("θ₁ (rad)")
    ax.set_aspect("equal")


def draw_circuit(circuit: Circuit, ax=None, theta=None, **style):
    """Draw ``circuit`` with qutip-qip's matplotlib renderer; returns the axes.

    Parametrized gates are labelled by the free parameter they use (``RY(θ₀)``), so shared
    parameters are visible. ``style`` goes to qutip-qip's ``StyleConfig`` (e.g. ``fontsize``).
    The renderer's own ``plt.show()`` is suppressed: the caller (or the notebook) shows the
    figure once. If ``ax`` is None a figure sized to the circuit is made (``dpi`` 150 unless
    given in ``style``).
    """
    from qutip_qip.circuit.mat_renderer import MatRenderer

    theta = np.zeros(circuit.n_params) if theta is None else theta
    qc = circuit.to_qutip(theta, label=True)
    own = ax is None
    style.setdefault("dpi", 150)
    if own:
        fig, ax = plt.subplots(dpi=style["dpi"])
    fig = ax.figure
    style["dpi"] = fig.dpi
    size = fig.get_size_inches().copy()
    # Text widths are measured with style dpi: it must match the figure's.
    renderer = MatRenderer(qc, ax=ax, **style)
    quiet = lambda *args, **kwargs: None  # noqa: E731
    with mock.patch.object(plt, "show", quiet), mock.patch.object(plt, "tight_layout", quiet):
        renderer.canvas_plot()
    if own:  # data units are inches in the renderer: fit the figure to the drawing
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        fig.set_size_inches(x1 - x0, y1 - y0)
        fig.subplots_adjust(0, 0, 1, 1)
    else:  # the renderer resizes the figure; keep the caller's layout
        fig.set_size_inches(size)
    return ax


def _cbar_label(excess: bool, log: bool) -> str:
    return ("C − E₀" if excess else "C") + (" (log scale)" if log else "")


def _excess(landscape: Landscape, excess: bool) -> np.ndarray:
    if landscape.n_params != 2:
        raise ValueError(f"a heat map needs a 2-parameter landscape, got {landscape.n_params} "
                         f"parameters")
    return landscape.values - (landscape.meta["cost_minimum"] if excess else 0.0)


def excess_norm(landscapes, excess: bool = True, log: bool = True, decades: float = 6.0):
    """One colour scale for several landscapes: LogNorm over their excess energies C − E₀
    (at most ``decades`` decades below the largest value), or a linear Normalize."""
    data = [_excess(ls, excess) for ls in landscapes]
    vmax = max(float(d.max()) for d in data)
    vmin = min(float(d.min()) for d in data)
    if not log:
        return Normalize(vmin, vmax)
    if vmax <= 0:
        raise ValueError("a log colour scale needs positive values; use log=False")
    return LogNorm(max(vmin, vmax * 10.0 ** -decades), vmax)


def plot_landscape(landscape: Landscape, ax=None, excess: bool = True, log: bool = True,
                   mark_minimum: bool = True, norm=None, colorbar: bool = True, cmap="viridis",
                   label: str | None = None):
    """Heat map of a 2-parameter landscape on its periodic grid; returns the axes.

    Plots C − E₀ (``excess``, E₀ = ``landscape.meta["cost_minimum"]``) or C, on a log colour
    scale (``log``) unless ``norm`` is given (e.g. :func:`excess_norm` of several landscapes to
    share one scale). Cells are centred on the grid points θ_j = −T/2 + Tj/R (T the axis's
    period, 2π for the paper's circuits); the −T/2 edge is repeated at +T/2 (the landscape is
    periodic), so the map spans [−T/2, T/2] — [−π, π] for 2π. ``mark_minimum``
    marks the grid minimum. ``label`` names the colour bar. The mesh is ``ax.collections[0]``.
    """
    data = _excess(landscape, excess)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.8))
    if norm is None:
        norm = excess_norm([landscape], excess, log)
    # Periodic: repeat the −π row and column at +π so the map covers [−π, π] with each cell
    # centred on its grid point (half cells at the edges).
    periods = landscape.periods
    x, y = (np.append(ax_, t / 2) for ax_, t in zip(landscape.axes, periods))
    wrapped = np.pad(data, ((0, 1), (0, 1)), mode="wrap")
    mesh = ax.pcolormesh(x, y, np.clip(wrapped, norm.vmin, None).T, norm=norm, cmap=cmap,
                         shading="nearest", rasterized=True)
    if mark_minimum:
        tx, ty = landscape.min_theta
        ax.plot(tx, ty, marker="*", ms=11, mfc="white", mec="black", mew=0.8, ls="none",
                label="grid minimum")
    _angle_axes(ax, periods)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label or _cbar_label(excess, log),
                           extend="min" if float(data.min()) < norm.vmin else "neither")
    return ax


def plot_landscape_grid(landscapes, labels=None, ncols: int = 3, excess: bool = True,
                        log: bool = True, mark_minimum: bool = True, panel_size: float = 2.6,
                        label: str | None = None):
    """Heat maps of several 2-parameter landscapes in a grid with one shared colour scale.

    ``labels`` (e.g. ``["L = 1", …]``) are written inside each panel; ``label`` names the
    colour bar. The grid minimum is a white star (say so in the caption). Returns the figure.
    """
    landscapes = list(landscapes)
    if not landscapes:
        raise ValueError("plot_landscape_grid needs at least one landscape")
    labels = [None] * len(landscapes) if labels is None else list(labels)
    ncols = min(ncols, len(landscapes))
    nrows = -(-len(landscapes) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols + 1.0, panel_size * nrows),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    norm = excess_norm(landscapes, excess, log)
    for ax, ls, text in zip(axes.flat, landscapes, labels):
        plot_landscape(ls, ax, excess, log, mark_minimum, norm=norm, colorbar=False)
        if text:
            ax.text(0.03, 0.97, text, transform=ax.transAxes, ha="left", va="top", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
    for ax in axes.flat[len(landscapes):]:
        ax.set_visible(False)
    for ax in axes.flat:
        if not ax.get_subplotspec().is_last_row() and ax.get_visible():
            ax.set_xlabel("")
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
    data_min = min(float(_excess(ls, excess).min()) for ls in landscapes)
    fig.colorbar(axes[0, 0].collections[0], ax=axes, label=label or _cbar_label(excess, log),
                 shrink=0.9,
                 extend="min" if data_min < norm.vmin else "neither")
    return fig


def plot_minima_vs_sharing(degrees, grid_excess, refined_excess=None, ax=None, layers=None,
                           xlabel: str = "sharing degree n·L (gates per free parameter)",
                           ylabel: str = "excess C − E₀", threshold: float | None = None,
                           threshold_label: str | None = None):
    """Excess energy of the global minimum (C_min − E₀ on the grid, C* − E₀ refined) against
    the sharing degree, on a log y axis; returns the axes.

    ``layers`` (optional, same length) writes "L = …" beside each point; ``threshold``
    draws a dashed horizontal line (e.g. the level a claim asks for) labelled ``threshold_label``.
    """
    degrees = np.asarray(degrees, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.6), layout="constrained")
    ax.plot(degrees, grid_excess, "o", mfc="none", ms=8, color="C0", label="grid minimum $C_{min}$")
    if refined_excess is not None:
        ax.plot(degrees, refined_excess, "-x", color="C1", ms=7, label="refined minimum $C^*$")
    if layers is not None:
        top = refined_excess if refined_excess is not None else grid_excess
        for x, y, layer in zip(degrees, top, layers):
            ax.annotate(f"L = {layer}", (x, y), textcoords="offset points", xytext=(8, 0),
                        va="center", fontsize=8, color="0.3")
    if threshold is not None:
        ax.axhline(threshold, ls="--", lw=1, color="0.4", label=threshold_label)
    ax.set_yscale("log")
    ax.margins(x=0.1, y=0.1)
    ax.set_xticks(degrees)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False)
    return ax


# --- resolution study (SPEC §7) ----------------------------------------------------------------

_MAGNITUDE_LABELS = {
    "step": "per-step |ΔC| (energy per grid step)",
    "exact": "exact |∇C| (energy per radian)",
}
_RESOLUTION_LABEL = "resolution R (grid points per axis)"


class _PlainLogFormatter(LogFormatter):
    """Log-axis tick labels as plain numbers (0.2, 3, 0.01) where matplotlib would label."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""


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
    differences (``"step"``, energy per grid step) or the exact gradients (``"exact"``, energy
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
        ax.legend(frameon=False, fontsize=8)
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
        ax.legend(frameon=False, fontsize=8, loc="upper right")
    return ax


def plot_resolution_quantile_grid(studies, labels=None, panel_size=(4.2, 2.7)):
    """Quantile curves for several resolution studies: one row per study (``labels`` written
    in its per-step panel, e.g. "L = 3"), per-step differences on the left and exact gradients
    on the right, each column on one vertical scale. Returns the figure."""
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
    handles = axes[0, 0].get_legend_handles_labels()
    fig.legend(*handles, loc="outside upper center", ncols=len(handles[0]), frameon=False,
               fontsize=8)
    return fig


def plot_resolution_box_grid(studies, labels=None, kind: str = "step", ncols: int = 3,
                             panel_size=(3.4, 3.0)):
    """Box plots (5–95 % whiskers) for several resolution studies side by side on one vertical
    scale, with the median at R/2 marked on each box at R (per-step only). Returns the figure."""
    studies = list(studies)
    if not studies:
        raise ValueError("plot_resolution_box_grid needs at least one study")
    labels = [None] * len(studies) if labels is None else list(labels)
    ncols = min(ncols, len(studies))
    nrows = -(-len(studies) // ncols)
    fig, axes = plt.subplots(nrows, ncols, sharey=True, squeeze=False, layout="constrained",
                             figsize=(panel_size[0] * ncols, panel_size[1] * nrows))
    for k, (ax, study, text) in enumerate(zip(axes.flat, studies, labels)):
        plot_resolution_boxes(study, ax, kind, legend=(k == 0))
        if text:
            _panel_text(ax, text)
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
    for ax in axes.flat[len(studies):]:
        ax.set_visible(False)
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


# --- deceptiveness (SPEC §5) -----------------------------------------------------------------

#: Light, distinct colours for basins; neighbouring basins never share one (greedy colouring).
_BASIN_COLOURS = ("#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99",
                  "#8dd3c7", "#bebada", "#80b1d3", "#fccde5", "#d9d9d9", "#ccebc5")


def _basin_colours(label: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """A palette index per basin such that basins touching across a cell edge (periodic)
    differ where the palette allows; largest basins are coloured first."""
    n = len(sizes)
    pairs = np.concatenate([np.stack([label.ravel(), np.roll(label, -1, axis=k).ravel()], 1)
                            for k in range(label.ndim)])
    pairs = np.unique(np.sort(pairs[pairs[:, 0] != pairs[:, 1]], axis=1), axis=0)
    neighbours = [set() for _ in range(n)]
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    colour = np.full(n, -1)
    for i in np.argsort(-np.asarray(sizes), kind="stable"):
        used = {colour[j] for j in neighbours[i]}
        free = [c for c in range(len(_BASIN_COLOURS)) if c not in used]
        colour[i] = free[0] if free else i % len(_BASIN_COLOURS)
    return colour


def _steps(landscape: Landscape, basins) -> tuple[np.ndarray, np.ndarray]:
    """Per point of a 2-D grid the grid step (Δi, Δj) ∈ {−1, 0, 1}² its basins' rule takes;
    (0, 0) at sinks."""
    values = landscape.values
    target = basins.successor
    taken = target != np.arange(values.size).reshape(values.shape)
    steps = []
    for k, (t, n) in enumerate(zip(np.unravel_index(target, values.shape), values.shape)):
        here = np.arange(n).reshape((-1, 1) if k == 0 else (1, -1))
        steps.append(np.where(taken, (t - here + 1) % n - 1, 0))
    return steps[0], steps[1]


def _tol_text(tol: float, relative: bool, units: str = "energy units") -> str:
    return (f"tol = {tol:g} (relative: × (C_max − C_min))" if relative
            else f"tol = {tol:g} (absolute, {units})")


def plot_basins(landscape: Landscape, basins, tol: float, relative: bool = False, ax=None,
                arrows: str = "step", arrow_step: int | None = None, contours: int = 12,
                legend: bool = True):
    """The descent structure of a 2-parameter landscape; returns the axes.

    Each basin (the points draining into one sink, from :func:`qbp.basins`) is a flat colour,
    neighbouring basins differing; deceptive points (sink above C_min + tol) are hatched.
    Sinks are marked (kinds from :func:`qbp.sinks.classify_sinks`): a star for those within
    tol of the grid minimum (their basins are not deceptive), a dot for other local minima of
    the grid, a diamond for saddles and maxima that fall on a grid point, an open circle where
    the step overshoots (not lower, though another neighbour is). Thin grey lines are
    ``contours`` levels of C. ``arrows``: ``"step"`` draws each point's step to its successor
    under the basins' rule (the compass step of −∇C, or the lowest neighbour; none at sinks),
    ``"gradient"`` the direction of −∇C, ``"none"`` nothing; on every ``arrow_step``-th point
    per axis (default: about 20 arrows per axis).
    """
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    from .deceptiveness import Basins
    from .sinks import classify_sinks

    if landscape.n_params != 2:
        raise ValueError(f"a basin map needs a 2-parameter landscape, got {landscape.n_params} "
                         f"parameters")
    if not isinstance(basins, Basins) or basins.values.shape != landscape.values.shape:
        raise ValueError("basins must be qbp.basins(landscape, ...) of this landscape")
    if arrows not in ("step", "gradient", "none"):
        raise ValueError(f"arrows must be 'step', 'gradient' or 'none', got {arrows!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
    r = landscape.resolution
    periods = landscape.periods
    step = periods / r  # (2,) radians per grid step along each axis
    half = periods / 2
    th0, th1 = landscape.axes
    label = np.searchsorted(basins.sinks, basins.sink)
    palette = np.array([to_rgb(c) for c in _BASIN_COLOURS])
    rgb = palette[_basin_colours(label, basins.sizes)[label]]
    # periodic: repeat the −T/2 row and column at +T/2; cells centred on their grid points
    rgb = np.pad(rgb, ((0, 1), (0, 1), (0, 0)), mode="wrap")
    extent = (-half[0] - step[0] / 2, half[0] + step[0] / 2,
              -half[1] - step[1] / 2, half[1] + step[1] / 2)
    ax.imshow(rgb.transpose(1, 0, 2), origin="lower", extent=extent, interpolation="nearest")

    deceptive = basins.deceptive(tol, relative)
    if deceptive.any():
        k = 4  # sub-cells per cell: contour edges within a quarter cell of the cell edges
        fine = np.kron(np.pad(deceptive, ((0, 1), (0, 1)), mode="wrap").astype(float),
                       np.ones((k, k)))
        cx, cy = (-half[i] - step[i] / 2 + (np.arange(fine.shape[i]) + 0.5) * step[i] / k
                  for i in (0, 1))
        with plt.rc_context({"hatch.color": "0.25", "hatch.linewidth": 0.6}):
            ax.contourf(cx, cy, fine.T, levels=[0.5, 1.5], colors="none", hatches=["////"])
        ax.contour(cx, cy, fine.T, levels=[0.5], colors="0.25", linewidths=0.6)
    if contours:
        x, y = np.append(th0, half[0]), np.append(th1, half[1])
        c = np.pad(landscape.values, ((0, 1), (0, 1)), mode="wrap")
        ax.contour(x, y, c.T, levels=contours, colors="0.45", linewidths=0.5, alpha=0.7)

    if arrows != "none":
        every = arrow_step or max(1, round(r / 20))
        sub = (slice(None, None, every), slice(None, None, every))
        gx, gy = np.meshgrid(th0[sub[0]], th1[sub[1]], indexing="ij")
        if arrows == "step":
            u, v = (o[sub] * h for o, h in zip(_steps(landscape, basins), step))
            ax.quiver(gx, gy, u, v, angles="xy", scale_units="xy", scale=1, width=0.003,
                      headwidth=4, headlength=4, headaxislength=3.5, color="0.15", zorder=3)
        else:
            if landscape.gradient is None:
                raise ValueError("gradient arrows need the landscape's gradient")
            g = -landscape.gradient[(slice(None),) + sub]
            norm = np.hypot(g[0], g[1])
            norm[norm == 0] = np.inf
            length = 0.8 * step.min() * every
            u, v = g[0] / norm * length, g[1] / norm * length
            ax.quiver(gx, gy, u, v, angles="xy", scale_units="xy", scale=1, width=0.003,
                      color="0.15", zorder=3)

    kinds = classify_sinks(landscape, basins)
    good = basins.sink_values <= basins.threshold(tol, relative)
    si, sj = np.unravel_index(basins.sinks, landscape.values.shape)
    sx, sy = th0[si], th1[sj]
    grid_min = kinds == "minimum"
    overshoot = kinds == "overshoot"
    stationary = ~grid_min & ~overshoot
    ax.plot(sx[~good & grid_min], sy[~good & grid_min], "o", ms=5, mfc="black", mec="white",
            mew=0.6, ls="none", zorder=4, label="other sink at a grid minimum")
    if stationary.any():
        ax.plot(sx[stationary], sy[stationary], "D", ms=5, mfc="white", mec="black", mew=0.9,
                ls="none", zorder=4, label="sink at a saddle or maximum (∇C = 0)")
    if overshoot.any():
        ax.plot(sx[overshoot], sy[overshoot], "o", ms=5, mfc="white", mec="black", mew=0.9,
                ls="none", zorder=4, label="sink where the step overshoots")
    ax.plot(sx[good], sy[good], "*", ms=13, mfc="white", mec="black", mew=0.9, ls="none",
            zorder=5, label="sink within tol of C_min")
    _angle_axes(ax, periods)
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        handles.append(Patch(facecolor="white", edgecolor="0.25",
                                                hatch="////",
                                                label=f"deceptive, {_tol_text(tol, relative)}"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.02, -0.1), ncol=1,
                  fontsize=8, frameon=False)
    return ax


def plot_deceptiveness_vs_sharing(degrees, ratios, n_sinks, median_gradient, axes=None,
                                  gradient_band=None, layers=None, styles=None,
                                  xlabel: str = "sharing degree n·L (gates per free parameter)",
                                  gradient_label: str = "|∇C| (energy per radian)"):
    """Deceptiveness ratio, number of sinks and median gradient magnitude against the sharing
    degree, in three stacked panels with a shared x axis; returns the three axes.

    ``ratios`` and ``n_sinks``: mappings {legend label: array over degrees} (say in the label
    which rule and which tol, absolute or relative); ``styles`` optionally maps a label to
    line keyword arguments (``color``, ``ls``, ``marker`` …). ``median_gradient``: array over
    degrees, with an optional ``gradient_band`` (low, high) shaded, e.g. the quartiles. The
    sink counts go on a log axis if they span more than a decade. ``layers`` writes "L = …"
    on the top panel's upper axis.
    """
    degrees = np.asarray(degrees, dtype=float)
    styles = styles or {}
    if axes is None:
        _, axes = plt.subplots(3, 1, figsize=(5.6, 7.6), sharex=True, layout="constrained")
    ax_r, ax_s, ax_g = axes
    for i, (text, r) in enumerate(ratios.items()):
        ax_r.plot(degrees, r, **{"marker": "o", "ms": 5, "color": f"C{i}", **styles.get(text, {})},
                  label=text)
    ax_r.set_ylim(-0.03, 1.03)
    ax_r.set_ylabel("deceptiveness ratio")
    counts = [np.asarray(c, dtype=float) for c in n_sinks.values()]
    for i, (text, c) in enumerate(zip(n_sinks, counts)):
        ax_s.plot(degrees, c, **{"marker": "osD^v"[i % 5], "ms": 5, "color": f"C{i + 4}",
                                 **styles.get(text, {})}, label=text)
    positive = np.concatenate(counts)
    positive = positive[positive > 0]
    if positive.size and positive.max() / positive.min() > 10:
        ax_s.set_yscale("log")
        ax_s.set_ylabel("number of sinks (log scale)")
    else:
        ax_s.set_ylabel("number of sinks")
    if gradient_band is not None:
        ax_g.fill_between(degrees, *gradient_band, color="C9", alpha=0.25,
                          label="25–75 % quantiles")
    ax_g.plot(degrees, median_gradient, "-o", ms=5, color="C9", label="median over the grid")
    ax_g.set_ylabel(gradient_label)
    ax_g.set_xlabel(xlabel)
    ax_g.set_xticks(degrees)
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    if layers is not None:
        top = ax_r.secondary_xaxis("top")
        top.set_xticks(degrees, [f"L = {layer}" for layer in layers], fontsize=8)
    return axes




# --- optimizer paths and success rates (SPEC §6) ---------------------------------------------


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




# --- barren plateaus (SPEC §9) ---------------------------------------------------------------


def _depth_text(layers) -> str:
    """"L = n" for the depth rule that grows with n, "L = 8" for a fixed depth."""
    return "L = n" if isinstance(layers, str) else f"L = {layers}"


def plot_plateau_scan(scan, ax=None, costs=None, fit: bool = True, label: str | None = None,
                      color=None, marker: str = "o", offset: float = 0.0,
                      legend: bool = True):
    """Var(∂C/∂θ₀) of a :class:`qbp.plateaus.PlateauScan` against the qubit count n, on a
    logarithmic variance axis; returns the axes.

    One series per cost in ``costs`` (default: every cost of the scan): the sample variance
    as markers with its 95 % bootstrap interval as error bars and, if ``fit``, the fitted
    line exp(a − b·n) dashed in the same colour. The legend entry is ``label`` (default: the
    sharing scheme and the depth rule; the cost is added when several are drawn) followed by
    "b = … ± …", the fitted decay rate and its bootstrap standard error. ``color`` (default
    C0, C1, … per cost) and ``marker`` style the series; ``offset`` shifts the markers along
    n, to keep the error bars of several scans on one axes apart (the fitted line is not
    shifted).
    """
    costs = list(scan.variance) if costs is None else list(costs)
    missing = [c for c in costs if c not in scan.variance]
    if missing:
        raise ValueError(f"the scan has no cost {missing[0]!r}; it has {list(scan.variance)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.6), layout="constrained")
    n = np.asarray(scan.n_values, dtype=float)
    base = label if label is not None else f"{scan.sharing} sharing, {_depth_text(scan.layers)}"
    for i, cost in enumerate(costs):
        c = color if color is not None else f"C{i}"
        var = np.asarray(scan.variance[cost], dtype=float)
        lo, hi = np.asarray(scan.ci[cost], dtype=float)
        text = base if len(costs) == 1 else f"{base}, {cost} cost"
        b = f"{scan.decay[cost]:.2f}".replace("-", "−")
        text += f": b = {b} ± {scan.decay_err[cost]:.2f}"
        ax.errorbar(n + offset, var, yerr=[np.maximum(var - lo, 0), np.maximum(hi - var, 0)],
                    fmt=marker, ms=4, color=c, capsize=2, lw=1, label=text)
        if fit:
            nn = np.linspace(n.min(), n.max(), 100)
            ax.plot(nn, np.exp(scan.intercept[cost] - scan.decay[cost] * nn), "--", lw=1,
                    color=c)
    ax.set_yscale("log")
    ax.set_xticks(n)
    ax.xaxis.set_major_formatter(lambda x, pos: f"{x:g}")
    ax.set_xlabel("qubits n")
    ax.set_ylabel("Var(∂C/∂θ₀) over random θ")
    ax.grid(True, which="major", alpha=0.3)
    if legend:
        ax.legend(frameon=False, fontsize=8)
    return ax


def plot_decay_rates(scans, ax=None, costs=None, n_sigma: float = 2.0, references=None,
                     labels=None):
    """Fitted decay rates b (ln Var = a − b·n) of several :class:`qbp.plateaus.PlateauScan`
    with error bars of ``n_sigma`` bootstrap standard errors; returns the axes.

    One group of points per scan along the horizontal axis, labelled by ``labels`` (default:
    the sharing scheme and the depth rule), one colour per cost within a group. A solid line
    marks b = 0 (no decay): with ``n_sigma`` = 2, a bar that crosses it is the "consistent
    with no decay" of the chapter's rule. ``references`` ({label: b}) adds dotted horizontal
    reference rates. A thin vertical rule separates neighbouring scans of different depth
    rules.
    """
    scans = list(scans)
    if not scans:
        raise ValueError("need at least one scan")
    costs = (list(dict.fromkeys(c for s in scans for c in s.decay)) if costs is None
             else list(costs))
    labels = ([f"{s.sharing}\n{_depth_text(s.layers)}" for s in scans] if labels is None
              else list(labels))
    if len(labels) != len(scans):
        raise ValueError(f"need one label per scan, got {len(labels)} for {len(scans)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    width = 0.5 / max(len(costs), 1)
    for j, cost in enumerate(costs):
        xs, bs, errs = [], [], []
        for i, s in enumerate(scans):
            if cost in s.decay:
                xs.append(i + (j - (len(costs) - 1) / 2) * width)
                bs.append(s.decay[cost])
                errs.append(n_sigma * s.decay_err[cost])
        ax.errorbar(xs, bs, yerr=errs, fmt="o", ms=5, capsize=3, color=f"C{j}",
                    label=f"{cost} cost (± {n_sigma:g} bootstrap errors)")
    ax.axhline(0, color="0.2", lw=0.8)
    for i in range(1, len(scans)):  # a thin rule between groups of different depth rules
        if scans[i].layers != scans[i - 1].layers:
            ax.axvline(i - 0.5, color="0.75", lw=0.8)
    for k, (text, value) in enumerate((references or {}).items()):
        ax.axhline(value, ls=(0, (1, 1 + k)), lw=1.2, color="0.35", label=text)
    ax.set_xticks(range(len(scans)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_xlim(-0.6, len(scans) - 0.4)
    ax.set_ylabel("decay rate b\n(ln Var ≈ a − b·n)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax




# --- the claims scoreboard (SPEC §8) --------------------------------------------------------

#: Colour of each verdict on the scoreboard, and of a claim not computed.
VERDICT_COLOURS = {"holds": "#2e7d32", "partly": "#e0a100", "does not hold": "#c62828",
                   "not computed": "#9e9e9e"}


def plot_scoreboard(claims, verdicts, labels=None, notes=None, extra=(), ax=None):
    """The verdict on each claim as a dot in its outcome's column; returns the axes.

    ``claims``: claim ids top to bottom; ``verdicts``: one of :data:`VERDICT_COLOURS`' keys
    per claim; ``labels``: a few words per claim for the y axis; ``notes``: text beside each
    dot (e.g. the chapter that computed it). ``extra``: (claim, verdict, note) triples drawn
    as hollow diamonds, for further evidence that does not decide the claim.
    """
    outcomes = list(VERDICT_COLOURS)[::-1]  # not computed, does not hold, partly, holds
    unknown = sorted({v for v in verdicts} - set(outcomes))
    if unknown or len(verdicts) != len(claims):
        raise ValueError(f"need one verdict per claim from {outcomes}, got {list(verdicts)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.42 * len(claims) + 1.2), layout="constrained")
    row = {c: i for i, c in enumerate(claims)}
    for i, (claim, verdict) in enumerate(zip(claims, verdicts)):
        x = outcomes.index(verdict)
        ax.scatter(x, i, s=150, color=VERDICT_COLOURS[verdict], zorder=3)
        if notes is not None and notes[i]:
            ax.annotate(notes[i], (x, i), xytext=(11, 0), textcoords="offset points",
                        va="center", fontsize=8, color="0.3")
    for claim, verdict, note in extra:
        x, y = outcomes.index(verdict), row[claim] + 0.32
        ax.scatter(x, y, s=55, marker="D", facecolor="white", zorder=3,
                   edgecolor=VERDICT_COLOURS[verdict], linewidth=1.5)
        if note:
            ax.annotate(note, (x, y), xytext=(9, 0), textcoords="offset points", va="center",
                        fontsize=7, color="0.4")
    wrapped = {"not computed": "not\ncomputed", "does not hold": "does not\nhold"}
    ax.set_xticks(range(len(outcomes)), [wrapped.get(o, o) for o in outcomes])
    for tick, outcome in zip(ax.get_xticklabels(), outcomes):
        tick.set_color(VERDICT_COLOURS[outcome])
    text = [f"{c}  {labels[i]}" if labels is not None else c for i, c in enumerate(claims)]
    ax.set_yticks(range(len(claims)), text)
    ax.set_xlim(-0.5, len(outcomes) - 0.5 + (0.9 if notes is not None or extra else 0.1))
    ax.set_ylim(len(claims) - 0.4, -0.6)
    ax.grid(True, axis="y", alpha=0.3)
    ax.tick_params(length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax


