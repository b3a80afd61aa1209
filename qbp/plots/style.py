"""Shared look of the book's figures: angle axes in multiples of π, and the book style."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.ticker import LogFormatter

from ..grid import check_periods

#: Widest figure (inches) that fits the book's text column at :data:`DPI` without being
#: scaled down, so fonts keep their size on the page (the column is about 700 px wide).
MAX_WIDTH = 6.4
#: Dots per inch of the figures on the page: 10 pt fonts come out about 15 px tall.
DPI = 110
#: The book's matplotlib settings: readable fonts (≥ 9 pt everywhere), thin frames.
BOOK_RC = {
    "figure.dpi": DPI, "savefig.dpi": DPI, "figure.figsize": (MAX_WIDTH, 3.6),
    "figure.constrained_layout.use": True,
    "font.size": 10, "axes.labelsize": 10, "axes.titlesize": 10, "legend.fontsize": 9,
    "legend.title_fontsize": 9, "xtick.labelsize": 9, "ytick.labelsize": 9,
    "figure.titlesize": 10, "axes.grid": False, "legend.frameon": False,
}


def use_book_style() -> None:
    """Apply :data:`BOOK_RC` to matplotlib (a chapter calls it once, after its imports)."""
    mpl.rcParams.update(BOOK_RC)


class _PlainLogFormatter(LogFormatter):
    """Log-axis tick labels as plain numbers (0.2, 3, 0.01) where matplotlib would label."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""

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
