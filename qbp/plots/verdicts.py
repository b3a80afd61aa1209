"""Figures of verdicts (SPEC §8, §11): the claims scoreboard, the cells of the settings matrix
and one cell's series with its intervals."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

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


# --- The settings matrix (SPEC §11): cells and their series ----------------------------------

#: Colour of each cell outcome (contradicting cells are also hatched: readable without colour).
CELL_COLOURS = {"supports": "#2e7d32", "inconclusive": "#d0d0d0", "contradicts": "#c62828"}
_CELL_HATCH = {"contradicts": "////"}
#: Setting axes that make the columns of :func:`plot_cells`, outermost first.
_COLUMN_AXES = ("layers", "tol", "steps", "optimizer", "seed")
_LEVEL_TEXT = {"layers": "L = {}", "tol": "tol {:g}", "steps": "T = {}", "optimizer": "{}",
               "seed": "seed {}"}


def _cells_of(result):
    from ..claims import Cell, ClaimResult

    cells = list(result.cells) if isinstance(result, ClaimResult) else list(result)
    if not cells or not all(isinstance(c, Cell) for c in cells):
        raise TypeError("result must be a qbp.claims.ClaimResult or a non-empty sequence of "
                        "qbp.claims.Cell")
    if len({c.claim for c in cells}) != 1:
        raise ValueError(f"cells must all belong to one claim, got {sorted({c.claim for c in cells})}")
    return cells


def _level_text(axis: str, value) -> str:
    fmt = _LEVEL_TEXT.get(axis, axis + " {}")
    try:
        return fmt.format(value)
    except (TypeError, ValueError):
        return f"{axis} {value}"


def plot_cells(result, ax=None):
    """The cells of one claim as a compact grid coloured by outcome; returns the axes.

    ``result``: a :class:`qbp.claims.ClaimResult` or a sequence of its
    :class:`qbp.claims.Cell`. Rows: (n_qubits, cost) settings; columns: the other setting
    axes nested in the order L, tol, T, optimizer, seed (the innermost labelled at the
    ticks, the outer ones as group labels below them). Colours :data:`CELL_COLOURS`
    (supports green, inconclusive grey, contradicts red and hatched); the legend counts
    each outcome. Fits :data:`qbp.plots.MAX_WIDTH` with up to ~40 columns.
    """
    from matplotlib.patches import Patch, Rectangle

    from .style import MAX_WIDTH

    cells = _cells_of(result)
    rows = list(dict.fromkeys((c.setting.get("n_qubits"), c.setting.get("cost")) for c in cells))
    axes = [a for a in _COLUMN_AXES if any(a in c.setting for c in cells)]
    extra = sorted({k for c in cells for k in c.setting} - set(axes) - {"n_qubits", "cost"})
    axes += extra
    values = {a: list(dict.fromkeys(c.setting.get(a) for c in cells)) for a in axes}
    columns = sorted({tuple(c.setting.get(a) for a in axes) for c in cells},
                     key=lambda col: [values[a].index(v) for a, v in zip(axes, col)])
    if ax is None:
        height = 0.30 * len(rows) + 0.75 + 0.2 * max(len(axes) - 1, 0)
        _, ax = plt.subplots(figsize=(MAX_WIDTH, max(height, 1.6)), layout="constrained")
    col_index = {col: k for k, col in enumerate(columns)}
    for c in cells:
        y = rows.index((c.setting.get("n_qubits"), c.setting.get("cost")))
        x = col_index[tuple(c.setting.get(a) for a in axes)]
        ax.add_patch(Rectangle((x - 0.45, y - 0.42), 0.9, 0.84, facecolor=CELL_COLOURS[c.outcome],
                               hatch=_CELL_HATCH.get(c.outcome), edgecolor="white",
                               linewidth=0.5))
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), [f"n = {n}, {cost}" for n, cost in rows])
    if axes:
        inner = axes[-1]
        labels = [str(col[-1]) if inner in ("seed", "layers") else _level_text(inner, col[-1])
                  for col in columns]
        ax.set_xticks(range(len(columns)), labels)
        if len(columns) > 12:
            ax.tick_params(axis="x", labelsize=8)
        for depth, axis in enumerate(axes[:-1]):  # outer levels: one label per group
            start = 0
            for k in range(1, len(columns) + 1):
                if k == len(columns) or columns[k][:depth + 1] != columns[start][:depth + 1]:
                    ax.annotate(_level_text(axis, columns[start][depth]),
                                xy=((start + k - 1) / 2, 0), xycoords=("data", "axes fraction"),
                                xytext=(0, -16 - 12 * (len(axes) - 2 - depth)),
                                textcoords="offset points", ha="center", va="top", fontsize=9,
                                annotation_clip=False)
                    if k < len(columns) and depth < 2:  # group separators, outer ones bolder
                        ax.axvline(k - 0.5, color="0.3" if depth == 0 else "0.65",
                                   linewidth=0.9 if depth == 0 else 0.6)
                    start = k
        names = {"layers": "L", "tol": "tol", "steps": "T", "optimizer": "optimizer",
                 "seed": "seed"}
        ax.set_xlabel(" › ".join(names.get(a, a) for a in axes), labelpad=4 + 12 * (len(axes) - 1))
    else:
        ax.set_xticks([0], ["all"])
    counts = {o: sum(c.outcome == o for c in cells) for o in CELL_COLOURS}
    handles = [Patch(facecolor=CELL_COLOURS[o], hatch=_CELL_HATCH.get(o), edgecolor="white",
                     label=f"{o} ({counts[o]})") for o in CELL_COLOURS]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3,
              frameon=False, handlelength=1.2, borderaxespad=0.2)
    ax.tick_params(length=0)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    return ax


_SERIES_LABEL = {"C1": "type sharing", "C2": "at R", "C3": "flow, random starts",
                 "C5": "settled", "C6": "window width", "C7": "halvings"}


def _numbers(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _yerr(series, value, low="low", high="high"):
    if low not in series or high not in series:
        return None
    lo, hi = _numbers(series[low]), _numbers(series[high])
    return np.vstack([np.clip(value - lo, 0, None), np.clip(hi - value, 0, None)])


#: C1's excess below this is numerically 0 (the floor of C1's factor F).
_C1_FLOOR = 1e-12
#: C1's y label per cost, on one line with its unit (the infidelity has none).
_C1_LABELS = {"tfim": "excess C* − E₀ (energy units)", "infidelity": "infidelity floor C*"}


def _tex_number(x: float) -> str:
    """A positive number for a figure: plain from 10⁻³ to 10⁴, else mathtext m × 10ᵏ."""
    if 1e-3 <= x < 1e4:
        return f"{x:.3g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    return rf"${mantissa}\times10^{{{int(exponent)}}}$"


def _c1_axis(ax, cell, y) -> None:
    """C1's log axis: the excess series, and the unshared baseline beside it. A baseline
    more than two decades below the series (typically an exact 0: the unshared circuit
    reaches E₀) would squash the series into the top of the axis, so the axis then spans
    the series only and the baseline is written at the bottom with an arrow pointing down,
    its value stated (< 10⁻¹² where it is numerically 0)."""
    ax.set_yscale("log")
    ax.set_ylabel(_C1_LABELS.get(cell.setting.get("cost"), cell.quantity))
    base = cell.beside.get("baseline_excess")
    shown = y[np.isfinite(y) & (y > 0)]
    if base is None or not shown.size:
        return
    low, high = float(shown.min()), float(shown.max())
    if max(base, _C1_FLOOR) >= low / 100:  # one axis holds both
        ax.axhline(max(base, _C1_FLOOR), color="0.5", linestyle="--", label="unshared baseline")
        return
    top = high * 10 ** 0.3
    # Room for the note: the lowest point sits a quarter of the way up (at least half a
    # decade above the bottom).
    ax.set_ylim(low / 10 ** max(np.log10(top / low) / 3, 0.5), top)
    if ax.get_ylim()[0] >= 1e-3:  # plain tick labels (0.2, 0.05) where they need no exponent
        from .style import _PlainLogFormatter

        ax.yaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
        ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False,
                                                        minor_thresholds=(2, 0.5)))
    value = r"$<10^{-12}$" if base < _C1_FLOOR else _tex_number(base)
    ax.annotate(f"unshared baseline, below this axis: {value}", xy=(0.03, 0.0),
                xycoords="axes fraction", xytext=(0.03, 0.1), textcoords="axes fraction",
                fontsize=9, color="0.3", ha="left", va="bottom",
                arrowprops=dict(arrowstyle="->", color="0.4", lw=1, relpos=(0, 0), shrinkA=0,
                                shrinkB=0))


def plot_trend(cell, ax=None):
    """One cell's measured series with its 95 % intervals as error bars; returns the axes.

    Against the sharing degree (C6: against the flow ratio of the same starts, with its
    Wilson interval as horizontal bars; C7: against the resolution R, with the "about a
    quartile" band shaded). Readings beside the judged series are drawn lighter: C2 the
    median at R/2, C3 Algorithm 1's grid ratios, C5 the final-step success, C1 the unshared
    baseline. C4 shows the flow ratio at each resolution. The outcome is written in the
    corner in its colour. Log y for C1's excess.
    """
    from ..claims import C7_BAND, Cell

    if not isinstance(cell, Cell):
        raise TypeError(f"cell must be a qbp.claims.Cell, got {type(cell).__name__}")
    if ax is None:
        from .style import MAX_WIDTH

        _, ax = plt.subplots(figsize=(MAX_WIDTH * 0.62, 2.8), layout="constrained")
    s = cell.series
    x = _numbers(cell.x)
    y = _numbers(s["value"])
    xlabel = cell.x_name
    xerr = None
    if cell.statistic.get("x") == "ratio":
        x = _numbers(s["ratio"])
        xerr = _yerr(s, x, "ratio_low", "ratio_high")
        xlabel = "deceptiveness (flow) ratio of the same starts"
    if cell.claim == "C4":
        for k, name in enumerate(n for n in s if n.startswith("flow ratio")):
            ax.plot(x, _numbers(s[name]), marker="o", color=f"C{k}", label=name.replace(
                "flow ratio ", ""))
        ax.set_ylabel("flow ratio (grid of starts)")
    else:
        ax.errorbar(x, y, yerr=_yerr(s, y), xerr=xerr, marker="o", capsize=3, color="C0",
                    linestyle="-" if xerr is None else "none",
                    label=_SERIES_LABEL.get(cell.claim, "judged"))
        ax.set_ylabel(textwrap.fill(cell.quantity, 30))
    if cell.claim == "C2" and "coarse" in s:
        ax.plot(x, _numbers(s["coarse"]), marker="o", mfc="none", color="0.5", linestyle="--",
                label="at R/2")
    if cell.claim == "C3":
        for k, rule in enumerate(("compass", "steepest")):
            if f"grid_{rule}" in cell.beside:
                ax.plot(x, _numbers(cell.beside[f"grid_{rule}"]), linestyle="--",
                        color=f"C{k + 1}", label=f"grid, {rule}")
    if cell.claim == "C5" and "final" in s:
        f = _numbers(s["final"])
        ax.errorbar(x + 0.12 * np.ptp(x) / max(len(x) - 1, 1), f, yerr=_yerr(s, f, "final_low",
                                                                              "final_high"),
                    marker="s", mfc="none", capsize=2, color="0.5", linestyle="none",
                    label="final step")
        ax.set_ylim(-0.03, 1.03)
    if cell.claim == "C1":
        _c1_axis(ax, cell, y)
    if cell.claim == "C7":
        ax.axhspan(*C7_BAND, color="0.9", zorder=0, label="about a quartile")
        ax.set_ylim(0, 100)
    ax.set_xlabel(xlabel)
    if len(ax.get_legend_handles_labels()[0]) > 1:
        ax.legend(fontsize=9)
    ax.annotate(cell.outcome, xy=(1, 1), xycoords="axes fraction", xytext=(0, 3),
                textcoords="offset points", ha="right", va="bottom", fontsize=9,
                color=CELL_COLOURS[cell.outcome] if cell.outcome != "inconclusive" else "0.35")
    return ax
