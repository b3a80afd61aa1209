"""Figures of deceptiveness (SPEC §5): basin maps, ratios and sinks against sharing."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..landscape import Landscape
from .style import _angle_axes

#: Light, distinct colours for basins (ColorBrewer Set3 and pastels: black marks, dark
#: arrows and hatching stay legible on every one). More are made if a map needs them.
_BASIN_COLOURS = ("#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99",
                  "#8dd3c7", "#bebada", "#80b1d3", "#fccde5", "#d9d9d9", "#ccebc5",
                  "#fb8072", "#fdb462", "#b3de69", "#bc80bd", "#ffed6f", "#e5d8bd",
                  "#66c2a5", "#f4cae4")


def _basin_adjacency(label: np.ndarray) -> np.ndarray:
    """Pairs (a, b), a < b, of basins of a 2-D map whose points touch across an edge or a
    corner of a grid cell, periodically (the map wraps around): shape (m, 2), unique."""
    pairs = np.concatenate([
        np.stack([label.ravel(), np.roll(label, shift, axis=(0, 1)).ravel()], 1)
        for shift in ((1, 0), (0, 1), (1, 1), (1, -1))])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(np.sort(pairs, axis=1), axis=0).reshape(-1, 2)


def _basin_colours(label: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """A palette index per basin such that basins touching across a cell edge or corner
    (periodically) always differ: greedy colouring, the most constrained basin first
    (DSATUR; ties: the largest basin, then the lowest index), each taking the least used of
    the colours its coloured neighbours leave free, so that colours spread over the whole
    palette. Indices beyond ``len(_BASIN_COLOURS)`` ask for extra colours (:func:`_palette`)."""
    n = len(sizes)
    neighbours = [[] for _ in range(n)]
    for a, b in _basin_adjacency(label):
        neighbours[a].append(b)
        neighbours[b].append(a)
    colour = np.full(n, -1)
    seen = [set() for _ in range(n)]  # colours among each basin's coloured neighbours
    saturation = np.zeros(n, dtype=int)
    used = [0] * len(_BASIN_COLOURS)
    order_size = -np.asarray(sizes, dtype=float)
    for _ in range(n):
        todo = np.flatnonzero(colour < 0)
        i = todo[np.lexsort((todo, order_size[todo], -saturation[todo]))[0]]
        free = [c for c in range(len(used)) if c not in seen[i]]
        if not free:  # every colour is taken by a neighbour: one more colour
            used.append(0)
            free = [len(used) - 1]
        c = min(free, key=lambda k: (used[k], k))
        colour[i] = c
        used[c] += 1
        for j in neighbours[i]:
            if c not in seen[j]:
                seen[j].add(c)
                saturation[j] += 1
    return colour


def _palette(n: int) -> np.ndarray:
    """``n`` RGB colours: :data:`_BASIN_COLOURS`, then light tones of a hue circle."""
    from matplotlib.colors import hsv_to_rgb, to_rgb

    base = [to_rgb(c) for c in _BASIN_COLOURS]
    extra = max(n - len(base), 0)
    hues = (np.arange(extra) * 0.618034) % 1.0  # golden-ratio steps: neighbours far apart
    more = hsv_to_rgb(np.stack([hues, np.full(extra, 0.35), np.full(extra, 0.95)], 1))
    return np.array(base + [tuple(c) for c in more])[:max(n, 1)]


def _boundaries(label: np.ndarray, axes, step) -> np.ndarray:
    """Segments ((x0, y0), (x1, y1)) of the cell edges between two basins, shape (m, 2, 2):
    the lines :func:`plot_basins` draws so that every basin is a closed region."""
    th0, th1 = axes
    segments = []
    i, j = np.nonzero(label[:-1, :] != label[1:, :])  # vertical edges between rows i, i + 1
    x = th0[i] + step[0] / 2
    segments.append(np.stack([np.stack([x, th1[j] - step[1] / 2], 1),
                              np.stack([x, th1[j] + step[1] / 2], 1)], 1))
    i, j = np.nonzero(label[:, :-1] != label[:, 1:])  # horizontal edges between j, j + 1
    y = th1[j] + step[1] / 2
    segments.append(np.stack([np.stack([th0[i] - step[0] / 2, y], 1),
                              np.stack([th0[i] + step[0] / 2, y], 1)], 1))
    return np.concatenate(segments)


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


def _tol_text(tol: float, relative: bool, units: str = "cost units") -> str:
    return (f"tol = {tol:g} (relative: × (C_max − C_min))" if relative
            else f"tol = {tol:g} (absolute, {units})")


def plot_basins(landscape: Landscape, basins, tol: float, relative: bool = False, ax=None,
                arrows: str = "step", arrow_step: int | None = None, contours: int = 12,
                legend: bool = True, fade: float = 0.0):
    """The descent structure of a 2-parameter landscape; returns the axes.

    Each basin (the points draining into one sink, from :func:`qbp.basins`) is a flat colour
    inside dark boundary lines; basins that touch, across a cell edge or corner and across
    the periodic seam, always differ in colour, and the colours spread over a palette of 20
    (more are made if a map needs them). Deceptive points (sink above C_min + tol) are
    hatched. Every sink is marked (kinds from :func:`qbp.sinks.classify_sinks`), those on the
    seam at both edges: a star for those within tol of the grid minimum (their basins are not
    deceptive), a dot for other local minima of the grid, a diamond for saddles and maxima
    that fall on a grid point, an open circle where the step overshoots (not lower, though
    another neighbour is). The legend (``legend=True``: below the axes) has an entry for the
    hatching too, also in ``ax.get_legend_handles_labels()`` for a figure legend. Thin grey
    lines are
    ``contours`` levels of C. ``arrows``: ``"step"`` draws each point's step to its successor
    under the basins' rule (the compass step of −∇C, or the lowest neighbour; none at sinks),
    ``"gradient"`` the direction of −∇C, ``"none"`` nothing; on every ``arrow_step``-th point
    per axis (default: about 20 arrows per axis). ``fade`` in [0, 1) blends the basin
    colours towards white (0: as they are), for maps with paths drawn on top.
    """
    from matplotlib.collections import LineCollection

    from ..deceptiveness import Basins
    from ..sinks import classify_sinks

    if landscape.n_params != 2:
        raise ValueError(f"a basin map needs a 2-parameter landscape, got {landscape.n_params} "
                         f"parameters")
    if not isinstance(basins, Basins) or basins.values.shape != landscape.values.shape:
        raise ValueError("basins must be qbp.basins(landscape, ...) of this landscape")
    if arrows not in ("step", "gradient", "none"):
        raise ValueError(f"arrows must be 'step', 'gradient' or 'none', got {arrows!r}")
    if not (isinstance(fade, (int, float)) and 0 <= fade < 1):
        raise ValueError(f"fade must be a number in [0, 1), got {fade!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 5.2), layout="constrained")
    r = landscape.resolution
    periods = landscape.periods
    step = periods / r  # (2,) radians per grid step along each axis
    half = periods / 2
    th0, th1 = landscape.axes
    label = np.searchsorted(basins.sinks, basins.sink)
    colour = _basin_colours(label, basins.sizes)
    rgb = _palette(colour.max() + 1)[colour[label]]
    rgb = 1 - (1 - rgb) * (1 - fade)
    # periodic: repeat the −T/2 row and column at +T/2; cells centred on their grid points
    rgb = np.pad(rgb, ((0, 1), (0, 1), (0, 0)), mode="wrap")
    extent = (-half[0] - step[0] / 2, half[0] + step[0] / 2,
              -half[1] - step[1] / 2, half[1] + step[1] / 2)
    ax.imshow(rgb.transpose(1, 0, 2), origin="lower", extent=extent, interpolation="nearest")
    ax.add_collection(LineCollection(_boundaries(label, (th0, th1), step), colors="0.15",
                                     linewidths=0.9, zorder=2))

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

    def mark(which, *args, **kwargs):
        # every sink is drawn, also on the edge: a sink at −T/2 is shown at +T/2 as well
        x, y = sx[which], sy[which]
        if not x.size:  # an empty unclipped line would stretch the layout to the origin
            return
        x = np.concatenate([x, x[x == -half[0]] + periods[0]])
        y = np.concatenate([y, y[sx[which] == -half[0]]])
        edge = y == -half[1]
        x, y = np.concatenate([x, x[edge]]), np.concatenate([y, y[edge] + periods[1]])
        ax.plot(x, y, *args, ls="none", clip_on=False, **kwargs)

    mark(~good & grid_min, "o", ms=5, mfc="black", mec="white", mew=0.6, zorder=4,
         label="other sink at a grid minimum")
    if stationary.any():
        mark(stationary, "D", ms=5, mfc="white", mec="black", mew=0.9, zorder=4,
             label="sink at a saddle or maximum (∇C = 0)")
    if overshoot.any():
        mark(overshoot, "o", ms=5, mfc="white", mec="black", mew=0.9, zorder=4,
             label="sink where the step overshoots")
    mark(good, "*", ms=13, mfc="white", mec="black", mew=0.9, zorder=5,
         label="sink within tol of C_min")
    # an empty patch, so that the hatching has a legend entry (also for a figure legend
    # made from ax.get_legend_handles_labels())
    ax.fill([], [], facecolor="white", edgecolor="0.25", hatch="////",
            label=f"deceptive, {_tol_text(tol, relative)}")
    _angle_axes(ax, periods)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.16), ncol=1, fontsize=8,
                  frameon=False)
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


#: Look of each reading in :func:`plot_tracking`.
_TRACK_STYLE = {"compass": {"marker": "o", "ls": "-", "color": "C1"},
                "steepest": {"marker": "s", "ls": "--", "color": "C2", "mfc": "white"}}


def plot_tracking(study, layers: int, tol: float, ax=None, legend: bool = True,
                  note: str | None = None):
    """Algorithm 1's two rules against the gradient flow, at one layer count and tol, over
    the resolutions of a :class:`qbp.tracking.TrackingStudy`; returns the axes.

    The x axis is the resolution R (log scale, ticks at the study's R); each rule's ratio
    over the whole grid is a line (compass: orange circles, steepest: green squares, dashed),
    the flow ratio of the sampled grid points black diamonds with their Wilson 95 % error
    bars. "L = …, tol = …" (and ``note``, e.g. the cost) is written above the axes, at the
    left; the legend goes below.
    """
    from ..deceptiveness import RULES
    from ..tracking import TrackingStudy

    if not isinstance(study, TrackingStudy):
        raise TypeError(f"study must be a qbp.tracking.TrackingStudy, got {type(study).__name__}")
    i, t = study._layer(layers), study._tol(tol)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.0, 3.0), layout="constrained")
    r = np.asarray(study.resolutions, dtype=float)
    for k, rule in enumerate(RULES):
        ax.plot(r, study.grid_ratio[i, :, k, t], ms=5, label=f"grid, {rule} rule",
                **_TRACK_STYLE[rule])
    flow = study.flow_ratio(tol)[i]
    ci = study.flow_interval(tol)[i]
    ax.errorbar(r, flow, yerr=np.vstack([np.clip(flow - ci[:, 0], 0, None),
                                         np.clip(ci[:, 1] - flow, 0, None)]),
                marker="D", ms=5, color="black", ls="none", capsize=3,
                label="flow from the same grid (95 %)")
    ax.set_xscale("log")
    ax.set_xticks(r, [f"{v:g}" for v in r])
    ax.minorticks_off()
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("resolution R (points per axis)")
    ax.set_ylabel("deceptiveness ratio")
    ax.grid(True, alpha=0.3)
    ax.annotate(f"L = {layers}, tol = {tol:g}" + (f", {note}" if note else ""), (0, 1.02),
                xycoords="axes fraction", ha="left", va="bottom", fontsize=9)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)
    return ax
