"""Figures of deceptiveness (SPEC §5): basin maps, ratios and sinks against sharing."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..landscape import Landscape
from .style import _angle_axes

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

    from ..deceptiveness import Basins
    from ..sinks import classify_sinks

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
