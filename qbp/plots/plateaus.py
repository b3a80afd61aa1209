"""Figures of barren plateaus (SPEC §9): variance scans and decay rates."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

#: Line style of each fitted model: dashed exponential, dotted power law.
FIT_STYLES = {"exponential": "--", "polynomial": ":"}
_MARKERS = ("o", "s", "^", "D", "v", "P")


def _depth_text(layers) -> str:
    """"L = n" for the depth rule that grows with n, "L = 8" for a fixed depth."""
    return "L = n" if isinstance(layers, str) else f"L = {layers}"


def _best_fit(scan, cost):
    """The model the verdict names, or else the one with the lower χ²."""
    fits = scan.fits[cost]
    if scan.verdict[cost] in fits:
        return fits[scan.verdict[cost]]
    return min(fits.values(), key=lambda f: f.chi2)


def plot_plateau_scan(scan, ax=None, costs=None, fit: bool = True, label: str | None = None,
                      color=None, marker: str = "o", offset: float = 0.0,
                      legend: bool = True):
    """Var(∂C/∂θ₀) of a :class:`qbp.plateaus.PlateauScan` against the qubit count n, on a
    logarithmic variance axis; returns the axes.

    One series per cost in ``costs`` (default: every cost of the scan): the sample variance
    as markers with its 95 % bootstrap interval as error bars and, if ``fit``, one fitted
    curve in the same colour: the model the scan's verdict names, or else the one with the
    lower χ² — dashed for the exponential model, dotted for the power law
    (:data:`FIT_STYLES`). The legend entry is ``label`` (default: the sharing scheme and
    the depth rule; the cost is added when several are drawn). ``color`` (default C0, C1, …
    per cost) and ``marker`` style the series; ``offset`` shifts the markers along n, to
    keep the error bars of several scans on one axes apart (the curve is not shifted).
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
        ax.errorbar(n + offset, var, yerr=[np.maximum(var - lo, 0), np.maximum(hi - var, 0)],
                    fmt=marker, ms=4, color=c, capsize=2, lw=1, label=text)
        if fit:
            best = _best_fit(scan, cost)
            nn = np.linspace(n.min(), n.max(), 100)
            ax.plot(nn, best.variance(nn), FIT_STYLES[best.model], lw=1.2, color=c)
    ax.set_yscale("log")
    ax.set_xticks(n)
    ax.xaxis.set_major_formatter(lambda x, pos: f"{x:g}")
    ax.set_xlabel("qubits n")
    ax.set_ylabel("Var(∂C/∂θ₀) (rad⁻²)")
    ax.grid(True, which="major", alpha=0.3)
    if legend:
        ax.legend(frameon=False)
    return ax


_NOTE_PLACES = {"upper right": (0.97, 0.96, "right", "top"),
                "lower left": (0.03, 0.04, "left", "bottom")}


def plot_plateau_scans(scans, cost: str, ax=None, note: str | None = None,
                       note_loc: str = "upper right", fit: bool = True, legend: bool = True):
    """Several scans' Var(∂C/∂θ₀) for one ``cost`` on one axes; returns the axes.

    ``scans``: {legend label: :class:`qbp.plateaus.PlateauScan`}, drawn in colours C0, C1,
    … with markers o, s, ^, …, their markers spread by up to ±0.12 along n so the error bars
    stay apart (:func:`plot_plateau_scan` draws each). ``note`` names the panel (e.g.
    "global cost, L = n") in the corner ``note_loc`` ("upper right" or "lower left": the
    one the data leave free); ``legend`` puts the legend inside the axes (a multi-panel
    figure draws one legend for all instead: ``fig.legend``).
    """
    if note_loc not in _NOTE_PLACES:
        raise ValueError(f"note_loc must be one of {tuple(_NOTE_PLACES)}, got {note_loc!r}")
    scans = dict(scans)
    if not scans:
        raise ValueError("scans must hold at least one scan")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.4), layout="constrained")
    spread = np.linspace(-0.12, 0.12, len(scans)) if len(scans) > 1 else [0.0]
    for k, (label, scan) in enumerate(scans.items()):
        plot_plateau_scan(scan, ax=ax, costs=[cost], fit=fit, label=label, color=f"C{k}",
                          marker=_MARKERS[k % len(_MARKERS)], offset=float(spread[k]),
                          legend=False)
    if note:
        x, y, ha, va = _NOTE_PLACES[note_loc]
        ax.text(x, y, note, transform=ax.transAxes, ha=ha, va=va,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
    if legend:
        ax.legend(frameon=False)
    return ax


def plot_decay_rates(scans, ax=None, costs=None, n_sigma: float = 2.0, references=None,
                     labels=None):
    """Fitted exponential rates b (ln Var = a − b·n) of several
    :class:`qbp.plateaus.PlateauScan` with error bars of ``n_sigma`` scaled errors (the
    bootstrap error × √(χ²/dof) where that exceeds 1); returns the axes.

    One group of points per scan along the horizontal axis, labelled by ``labels`` (default:
    the sharing scheme and the depth rule), one colour per cost within a group. A solid line
    marks b = 0 (no decay). ``references`` ({label: b}) adds dotted horizontal reference
    rates. A thin vertical rule separates neighbouring scans of different depth rules.
    """
    scans = list(scans)
    if not scans:
        raise ValueError("need at least one scan")
    costs = (list(dict.fromkeys(c for s in scans for c in s.fits)) if costs is None
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
            if cost in s.fits:
                exp = s.fits[cost]["exponential"]
                xs.append(i + (j - (len(costs) - 1) / 2) * width)
                bs.append(exp.rate)
                errs.append(n_sigma * exp.rate_err_scaled)
        ax.errorbar(xs, bs, yerr=errs, fmt="o", ms=5, capsize=3, color=f"C{j}",
                    label=f"{cost} cost (± {n_sigma:g} scaled errors)")
    ax.axhline(0, color="0.2", lw=0.8)
    for i in range(1, len(scans)):  # a thin rule between groups of different depth rules
        if scans[i].layers != scans[i - 1].layers:
            ax.axvline(i - 0.5, color="0.75", lw=0.8)
    for k, (text, value) in enumerate((references or {}).items()):
        ax.axhline(value, ls=(0, (1, 1 + k)), lw=1.2, color="0.35", label=text)
    ax.set_xticks(range(len(scans)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(scans) - 0.4)
    ax.set_ylabel("decay rate b\n(ln Var ≈ a − b·n)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, -0.25))
    return ax
