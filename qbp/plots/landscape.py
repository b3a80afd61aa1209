"""Figures of landscapes: the circuit, cost landscapes on the angle square, minima against sharing."""

from __future__ import annotations

from fractions import Fraction
from unittest import mock

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm, Normalize

from ..circuit import Circuit
from ..landscape import Landscape
from .style import _angle_axes


#: qutip-qip's gate names where the usual name (OpenQASM's, the textbooks') differs: a
#: drawing shows the usual one. TOFFOLI, CNOT and SWAP are drawn as symbols, not boxes.
GATE_LABELS = {"SNOT": "H", "SQRTNOT": "√X", "PHASEGATE": "P", "CPHASE": "CP", "CSIGN": "CZ",
               "ISWAP": "iSWAP", "SQRTSWAP": "√SWAP", "SQRTISWAP": "√iSWAP",
               "SWAPALPHA": "SWAPα", "BERKELEY": "B", "TOFFOLI": "CCX", "FREDKIN": "CSWAP",
               "QASMU": "U", "GLOBALPHASE": "GPHASE", "IDLE": "I"}


def _angle_text(value) -> str:
    """A fixed angle (rad) as text: a multiple of π with a denominator up to 12 where it is
    one (``−π/2``, ``3π/4``), else three significant digits; a tuple of angles joined by
    commas."""
    if isinstance(value, (tuple, list)):
        return ", ".join(_angle_text(v) for v in value)
    ratio = Fraction(float(value) / np.pi).limit_denominator(12)
    if abs(float(ratio) * np.pi - float(value)) > 1e-9:
        return f"{float(value):.3g}".replace("-", "−")
    if ratio == 0:
        return "0"
    top = {1: "π", -1: "−π"}.get(ratio.numerator, f"{ratio.numerator}π".replace("-", "−"))
    return top if ratio.denominator == 1 else f"{top}/{ratio.denominator}"


def gate_labels(circuit: Circuit) -> list[str]:
    """The text a drawing writes on each gate of ``circuit``, in gate order.

    The usual gate name (:data:`GATE_LABELS`: ``H`` for qutip-qip's ``SNOT``, ``CZ`` for
    ``CSIGN``, …); a parametrized gate adds its angle in the parameter's display name
    (:func:`qbp.qasm.display_names`: ``RZ(2·γ₀)`` for a Qiskit file's ``rz(2*_γ_0_)``), a
    fixed rotation its angle (``P(−π/2)``). Plain text: a ``$`` is escaped, so matplotlib
    never reads a label as mathtext.
    """
    from ..qasm import display_names

    names = display_names(circuit.param_names)
    out = []
    for gate in circuit.gates:
        label = GATE_LABELS.get(gate.name, gate.name)
        if gate.param is not None:
            label += f"({gate.expression(names[gate.param])})"
        elif gate.angle is not None:
            label += f"({_angle_text(gate.angle)})"
        out.append(label.replace("$", r"\$"))
    return out


def _drawn_gates(circuit: Circuit, theta=None) -> list:
    """qutip-qip gate objects of ``circuit`` at ``theta`` (default 0) labelled for drawing
    (:func:`gate_labels`; the renderer writes a gate's ``arg_label`` where it has one)."""
    theta = np.zeros(circuit.n_params) if theta is None else theta
    gates = circuit.to_qutip(theta).gates
    for gate, label in zip(gates, gate_labels(circuit)):
        gate.arg_label = label
    return gates


def draw_circuit(circuit: Circuit, ax=None, theta=None, **style):
    """Draw ``circuit`` with qutip-qip's matplotlib renderer; returns the axes.

    Gates carry their usual names and parametrized gates the free parameter they use
    (``RY(θ₀)``, :func:`gate_labels`), so shared parameters are visible. ``style`` goes to
    qutip-qip's ``StyleConfig`` (e.g. ``fontsize``).
    The renderer's own ``plt.show()`` is suppressed: the caller (or the notebook) shows the
    figure once. If ``ax`` is None a figure sized to the circuit is made (``dpi`` 150 unless
    given in ``style``).
    """
    from qutip_qip.circuit import QubitCircuit
    from qutip_qip.circuit.mat_renderer import MatRenderer

    qc = QubitCircuit(circuit.n_qubits)
    for gate in _drawn_gates(circuit, theta):
        qc.add_gate(gate)
    own = ax is None
    style.setdefault("dpi", 150)
    if own:
        fig, ax = plt.subplots(dpi=style["dpi"], layout="none")  # sized by hand below
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
                        log: bool = True, mark_minimum: bool = True,
                        panel_size: float | None = None, label: str | None = None):
    """Heat maps of several 2-parameter landscapes in a grid with one shared colour scale.

    ``labels`` (e.g. ``["L = 1", …]``) are written inside each panel; ``label`` names the
    colour bar. The grid minimum is a white star (say so in the caption). ``panel_size``
    (inches) defaults to the size that makes the figure :data:`qbp.plots.MAX_WIDTH` wide
    with its colour bar. Returns the figure.
    """
    from .style import MAX_WIDTH

    landscapes = list(landscapes)
    if not landscapes:
        raise ValueError("plot_landscape_grid needs at least one landscape")
    labels = [None] * len(landscapes) if labels is None else list(labels)
    ncols = min(ncols, len(landscapes))
    nrows = -(-len(landscapes) // ncols)
    if panel_size is None:
        panel_size = (MAX_WIDTH - 1.0) / ncols
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
