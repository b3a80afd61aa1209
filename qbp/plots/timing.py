"""Figures of wall times: one computation run several ways (here, a process pool, Dask)."""

from __future__ import annotations

import matplotlib.pyplot as plt


def plot_wall_times(seconds: dict, ax=None):
    """Wall time of each way of running one computation as a horizontal bar, labelled with
    the time and its factor against the first entry (the reference: above 1× faster, below
    1× slower); returns the axes.

    ``seconds``: {label: wall time in s}, at least one entry, all positive; the first is the
    reference. Fits :data:`qbp.plots.MAX_WIDTH`. ValueError for an empty mapping or a
    non-positive time.
    """
    from .style import MAX_WIDTH

    if not isinstance(seconds, dict) or not seconds:
        raise ValueError("seconds must be a non-empty mapping {label: wall time in s}")
    labels, times = list(seconds), [float(t) for t in seconds.values()]
    if not all(t > 0 for t in times):
        raise ValueError(f"seconds must all be positive, got {times}")
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_WIDTH, 0.55 * len(times) + 1.0), layout="constrained")
    colours = ["0.55"] + [f"C{k}" for k in range(len(times) - 1)]
    ax.barh(range(len(times)), times, color=colours, height=0.6)
    for y, t in enumerate(times):
        ax.annotate(f"{t:.2g} s ({times[0] / t:.2g}×)" if t < 10 else f"{t:.0f} s "
                    f"({times[0] / t:.2g}×)", (t, y), xytext=(4, 0),
                    textcoords="offset points", va="center")
    ax.set_yticks(range(len(times)), labels)
    ax.set_xlabel("wall time (s)")
    ax.set_xlim(0, max(times) * 1.3)
    ax.set_ylim(len(times) - 0.5, -0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
