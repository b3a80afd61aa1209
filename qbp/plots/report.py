"""Figures of the trainability report (:mod:`qbp.report`): the landscape or its slices, the
distribution of gradient magnitudes, the gradient variance per parameter, success against the
learning rate with Wilson error bars. Each fits :data:`MAX_WIDTH` at the book's fonts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize

from .landscape import _drawn_gates, plot_landscape
from .style import MAX_WIDTH, _angle_ticks, _PlainLogFormatter

__all__ = ["draw_circuit_rows", "plot_sharing_comparison", "plot_report_landscape", "plot_gradient_histogram", "plot_gradient_variance",
           "plot_report_success"]

_NAMES = {"adam": "Adam", "sgd": "SGD"}
_STYLE = {"adam": ("C3", "^"), "sgd": ("C0", "s")}


def _render(circuit, gates, ax, style) -> tuple[float, float]:
    """Draw ``gates`` (qutip-qip gate objects) on ``circuit``'s wires into ``ax`` with
    qutip-qip's renderer (its own plt.show() and tight_layout() suppressed); returns the
    drawing's width and height in inches (the renderer's data units)."""
    from unittest import mock

    from qutip_qip.circuit import QubitCircuit
    from qutip_qip.circuit.mat_renderer import MatRenderer

    qc = QubitCircuit(circuit.n_qubits)
    for gate in gates:
        qc.add_gate(gate)
    quiet = lambda *args, **kwargs: None  # noqa: E731
    with mock.patch.object(plt, "show", quiet), mock.patch.object(plt, "tight_layout", quiet):
        MatRenderer(qc, ax=ax, **{**style, "dpi": ax.figure.dpi}).canvas_plot()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return x1 - x0, y1 - y0


def _names(report) -> list[str]:
    """The report's parameter names for axes and ticks: display names (``γ₀`` for Qiskit's
    ``_γ_0_``) with ``$`` escaped, so matplotlib never reads them as mathtext."""
    return [name.replace("$", r"\$") for name in report.display_names]


def _moments(circuit) -> list[int]:
    """ASAP layer of each gate: one more than the last layer used on the wires it spans (a
    multi-qubit gate is drawn across every wire between its qubits)."""
    last = np.zeros(circuit.n_qubits, dtype=int)
    layers = []
    for gate in circuit.gates:
        span = slice(min(gate.qubits), max(gate.qubits) + 1)
        layer = int(last[span].max()) + 1
        last[span] = layer
        layers.append(layer)
    return layers


def draw_circuit_rows(circuit, max_width: float = MAX_WIDTH, theta=None, **style):
    """``circuit`` drawn by qutip-qip's renderer, broken into rows no wider than
    ``max_width`` inches so that its labels keep their size on the page; returns the figure.

    Gates are grouped into moments (each gate as early as the gates before it on its wires
    allow; gates of one moment act on disjoint wires, so the order within it does not
    matter) and a row holds as many consecutive moments as fit (at least one), found by
    bisection on the drawn width. Gates carry their usual names (``H``, not qutip-qip's
    ``SNOT``) and parametrized gates their angle in the parameters' display names
    (``RZ(2·γ₀)`` for a Qiskit file's ``_γ_0_``; :func:`qbp.plots.landscape.gate_labels`).
    ``style`` goes to qutip-qip's ``StyleConfig``
    (``fontsize`` 10 by default).
    """
    layers = _moments(circuit)
    order = sorted(range(len(layers)), key=lambda i: (layers[i], i))
    drawn = _drawn_gates(circuit, theta)
    gates = [drawn[i] for i in order]
    ends = [k + 1 for k in range(len(order))  # a row may end only where a moment ends
            if k + 1 == len(order) or layers[order[k + 1]] != layers[order[k]]]

    def size(a, b):
        scratch = plt.figure(layout="none")
        out = _render(circuit, gates[a:b], scratch.add_subplot(), style)
        plt.close(scratch)
        return out

    rows, start = [], 0
    while start < len(gates):
        options = [e for e in ends if e > start]
        lo, hi = 0, len(options) - 1  # the largest index whose row fits; at least the first
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if size(start, options[mid])[0] <= max_width:
                lo = mid
            else:
                hi = mid - 1
        rows.append((start, options[lo]))
        start = options[lo]
    sizes = [size(a, b) for a, b in rows]
    total_w = max(w for w, _ in sizes)
    total_h = sum(h for _, h in sizes)
    fig = plt.figure(layout="none")
    top = total_h
    for (a, b), (w, h) in zip(rows, sizes):  # axes placed in inches: the drawing's own scale
        top -= h
        _render(circuit, gates[a:b], fig.add_axes((0, top / total_h, w / total_w, h / total_h)),
                style)
    fig.set_size_inches(total_w, total_h)
    return fig


def plot_report_landscape(report):
    """The report's landscape; returns the figure.

    d = 1: C against the parameter over its period. d = 2: the heat map of C on the grid
    (:func:`plot_landscape`, linear colour scale, grid minimum starred). d ≥ 3: the report's
    slices through θ* (the axis planes for d = 3, random planes for d > 3), at most three
    panels per row with one colour scale, θ* starred at each centre. The span is the period
    of :attr:`qbp.Circuit.periods`, which may hold several repetitions of the landscape
    (:func:`qbp.report.span_text` says so for a caption). Axes name the parameters by their
    display names (``γ₀`` for Qiskit's ``_γ_0_``).
    """
    d = report.n_params
    names = _names(report)
    if d == 1:
        fig, ax = plt.subplots(figsize=(MAX_WIDTH * 0.75, 3.0), layout="constrained")
        ls = report.landscape
        ax.plot(ls.axes[0], ls.values, color="C0")
        ax.axhline(report.c_star, ls="--", lw=1, color="0.4", label="C*")
        ax.set_xticks(*_angle_ticks(ls.periods[0]))
        ax.set_xlabel(f"{names[0]} (rad)")
        ax.set_ylabel("C (cost units)")
        ax.legend(frameon=False)
        return fig
    if d == 2:
        fig, ax = plt.subplots(figsize=(4.8, 3.9), layout="constrained")
        plot_landscape(report.landscape, ax, excess=False, log=False, label="C (cost units)")
        ax.set_xlabel(f"{names[0]} (rad)")
        ax.set_ylabel(f"{names[1]} (rad)")
        return fig
    slices = report.slices
    ncols = min(3, len(slices))
    nrows = -(-len(slices) // ncols)
    panel = (MAX_WIDTH - 0.9) / ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(MAX_WIDTH, panel * nrows + 0.5),
                             squeeze=False, layout="constrained")
    norm = Normalize(min(float(s.values.min()) for s in slices),
                     max(float(s.values.max()) for s in slices))
    for ax, s in zip(axes.flat, slices):
        x, y = s.offsets
        mesh = ax.pcolormesh(x, y, s.values.T, norm=norm, cmap="viridis", shading="nearest",
                             rasterized=True)
        ax.plot(0, 0, marker="*", ms=10, mfc="white", mec="black", mew=0.8, ls="none")
        if s.kind == "axes":
            i, j = s.axes
            ax.set_xlabel(f"Δ{names[i]} (rad)")
            ax.set_ylabel(f"Δ{names[j]} (rad)")
        else:
            ax.set_xlabel("s along u (rad)")
            ax.set_ylabel("t along v (rad)")
        ax.set_aspect("equal")
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
    for ax in axes.flat[len(slices):]:
        ax.set_visible(False)
    fig.colorbar(mesh, ax=axes, label="C (cost units)", shrink=0.9)
    return fig


def plot_gradient_histogram(report, ax=None, bins: int = 40):
    """Histogram of |∇C| (per radian) as fractions of the points, with the 5, 25, 50, 75 and
    95 % quantiles as vertical lines; a logarithmic |∇C| axis where the 5–95 % range spans
    more than two decades (magnitudes below 10⁻⁸ of the largest are then counted in the
    first bin). Returns the axes."""
    norms = np.asarray(report.gradient_norms, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.4, 3.3), layout="constrained")
    q = report.gradient_quantiles
    top = float(norms.max()) if norms.size else 1.0
    log = q[5] > 0 and q[95] / q[5] > 100 or (q[5] == 0 and top > 0)
    if log and top > 0:
        floor = max(float(norms[norms > 0].min()) if np.any(norms > 0) else top, top * 1e-8)
        edges = np.geomspace(floor, top, bins + 1)
        data = np.clip(norms, floor, top)
        ax.set_xscale("log")
    else:
        edges, data = bins, norms
    weights = np.full(norms.shape, 1.0 / max(norms.size, 1))
    ax.hist(data, bins=edges, weights=weights, color="C0", alpha=0.8)
    for level, style in ((5, ":"), (25, "--"), (50, "-"), (75, "--"), (95, ":")):
        ax.axvline(q[level], color="0.2", ls=style, lw=1,
                   label="median" if level == 50 else ("25 / 75 %" if level == 25 else
                                                      "5 / 95 %" if level == 5 else None))
    where = "grid points" if report.gradient_source == "grid" else "uniform draws"
    ax.set_xlabel("|∇C| (cost units per radian)" + (", log scale" if log else ""))
    ax.set_ylabel(f"fraction of {where}")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def plot_gradient_variance(report, ax=None):
    """Var ∂C/∂θ_k over the uniform draws for every parameter k, with the 95 % bootstrap
    interval as error bars, on a logarithmic axis; each tick names the parameter (display
    name) and the number of gates that read it. Returns the axes."""
    var = np.asarray(report.variance, dtype=float)
    lo, hi = np.asarray(report.variance_ci, dtype=float).T
    d = len(var)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(MAX_WIDTH, 2.6 + 0.45 * d), 3.3), layout="constrained")
    x = np.arange(d)
    ax.errorbar(x, var, yerr=[np.maximum(var - lo, 0), np.maximum(hi - var, 0)], fmt="o",
                ms=5, color="C2", capsize=3, lw=1)
    labels = [f"{name}\n({deg} gate{'s' if deg != 1 else ''})" if d <= 6 else name
              for name, deg in zip(_names(report), report.sharing_degree)]
    ax.set_xticks(x, labels, rotation=0 if d <= 6 else 90, fontsize=9 if d <= 6 else 8)
    ax.set_xlim(-0.6, d - 0.4)
    positive = np.concatenate([var[var > 0], lo[lo > 0], hi[hi > 0]])
    if positive.size:
        ax.set_yscale("log")
        ax.set_ylim(positive.min() / 2, positive.max() * 2)
        ax.yaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
        ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    ax.set_xlabel("free parameter" + (" (gates reading it)" if d <= 6 else ""))
    ax.set_ylabel("Var ∂C/∂θ ((cost/rad)²)")
    ax.grid(True, axis="y", which="major", alpha=0.3)
    return ax


def plot_report_success(report, ax=None):
    """Settled success rate (cost within tol of C* over the last 10 % of the steps) of Adam
    and SGD against the learning rate, with Wilson 95 % error bars; the final-step rate as
    open markers on a dotted line. Logarithmic learning-rate axis. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_WIDTH, 3.4), layout="constrained")
    for name, s in report.success.items():
        colour, marker = _STYLE.get(name, ("C1", "o"))
        label = _NAMES.get(name, name)
        rate, (lo, hi) = s.settled_rate, s.settled_ci
        ax.errorbar(s.lrs, rate, yerr=[rate - lo, hi - rate], color=colour, marker=marker,
                    ms=5, capsize=2.5, lw=1.2, label=f"{label}, settled")
        ax.plot(s.lrs, s.final_rate, ls=":", marker=marker, mfc="white", color=colour, ms=5,
                lw=1, label=f"{label}, final step")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(_PlainLogFormatter(labelOnlyBase=False))
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("learning rate η (log scale)")
    ax.set_ylabel("success rate (fraction of starts)")
    ax.grid(True, which="major", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: ("final" in labels[i], i))  # settled first
    ax.legend([handles[i] for i in order], [labels[i] for i in order], frameon=False,
              fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


_PANELS = {
    "excess": "C* − E₀ (cost units)",
    "gradient": "|∇C| at uniform draws:\nmedian and quartiles",
    "flow": "flow ratio (deceptive\nfraction of starts)",
    "success": "best settled success\n(fraction of starts)",
}


def plot_sharing_comparison(reports, panels=("excess", "gradient", "flow")):
    """Several reports side by side ({label: TrainabilityReport}), one row per report (top to
    bottom in the given order) and one panel per quantity in ``panels`` (at most 3):
    ``"excess"`` C* − E₀; ``"gradient"`` the median |∇C| over the uniform draws with its
    quartiles; ``"flow"`` the flow ratio with its Wilson 95 % interval; ``"success"`` the best
    settled success rate of each optimizer with its Wilson interval. Returns the figure."""
    panels = tuple(panels)
    if not 1 <= len(panels) <= 3 or any(p not in _PANELS for p in panels):
        raise ValueError(f"panels must be 1 to 3 of {tuple(_PANELS)}, got {panels!r}")
    labels = list(reports)
    y = np.arange(len(labels))[::-1]
    fig, axes = plt.subplots(1, len(panels), figsize=(MAX_WIDTH, 0.45 * len(labels) + 1.3),
                             sharey=True, squeeze=False, layout="constrained")
    for ax, panel in zip(axes[0], panels):
        for row, label in zip(y, labels):
            r = reports[label]
            if panel == "excess":
                ax.plot(r.excess, row, "o", color="C0")
            elif panel == "gradient":
                q = np.quantile(np.linalg.norm(r.derivatives, axis=1), [0.25, 0.5, 0.75])
                ax.errorbar(q[1], row, xerr=[[q[1] - q[0]], [q[2] - q[1]]], fmt="o", color="C2",
                            capsize=3)
            elif panel == "flow":
                lo, hi = r.flow.ci
                ax.errorbar(r.flow.ratio, row, xerr=[[r.flow.ratio - lo], [hi - r.flow.ratio]],
                            fmt="o", color="C4", capsize=3)
            else:
                for shift, (name, s) in zip((0.12, -0.12), r.success.items()):
                    colour, marker = _STYLE.get(name, ("C1", "o"))
                    k = s.best
                    rate, (lo, hi) = s.settled_rate[k], s.settled_ci[:, k]
                    ax.errorbar(rate, row + shift, xerr=[[rate - lo], [hi - rate]], fmt=marker,
                                color=colour, capsize=3, ms=5,
                                label=_NAMES.get(name, name) if row == y[0] else None)
        ax.set_xlabel(_PANELS[panel])
        ax.grid(True, axis="x", alpha=0.3)
        if panel in ("flow", "success"):
            ax.set_xlim(-0.05, 1.05)
        if panel == "success":
            ax.legend(frameon=False, fontsize=8, loc="lower left")
    axes[0, 0].set_yticks(y, labels)
    axes[0, 0].set_ylim(-0.6, len(labels) - 0.4)
    return fig
