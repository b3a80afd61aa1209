"""Figures: one function per kind, each taking a result and an optional ``ax``.

No function sets a title: captions come from the book. Angles are in radians, each axis
spanning one period of its parameter: [−π, π) for the paper's circuits, [−2π, 2π) along a
CRX's parameter (:attr:`qbp.Circuit.periods`). One module per subject; this package
only re-exports. :func:`use_book_style` sets the fonts and sizes every book figure uses.
"""

from .deceptiveness import plot_basins, plot_deceptiveness_vs_sharing, plot_tracking
from .landscape import (
    draw_circuit,
    excess_norm,
    plot_landscape,
    plot_landscape_grid,
    plot_minima_vs_sharing,
)
from .optimizers import plot_paths, plot_success_vs_lr, wrap_path
from .plateaus import plot_decay_rates, plot_plateau_scan, plot_plateau_scans
from .report import (
    draw_circuit_rows,
    plot_sharing_comparison,
    plot_gradient_histogram,
    plot_gradient_variance,
    plot_report_landscape,
    plot_report_success,
)
from .resolution import (
    plot_ratio_vs_resolution,
    plot_resolution_box_grid,
    plot_resolution_boxes,
    plot_resolution_quantile_grid,
    plot_resolution_quantiles,
)
from .success import plot_budget, plot_prediction, plot_success_curves, plot_trends
from .trajectories import plot_agreement, plot_basin_paths, plot_end_kinds, plot_trajectory_grid
from .style import BOOK_RC, DPI, MAX_WIDTH, use_book_style
from .timing import plot_wall_times
from .verdicts import CELL_COLOURS, VERDICT_COLOURS, plot_cells, plot_scoreboard, plot_trend

__all__ = [
    "BOOK_RC",
    "DPI",
    "MAX_WIDTH",
    "use_book_style",
    "draw_circuit",
    "excess_norm",
    "plot_landscape",
    "plot_landscape_grid",
    "plot_minima_vs_sharing",
    "plot_resolution_quantiles",
    "plot_resolution_boxes",
    "plot_resolution_quantile_grid",
    "plot_resolution_box_grid",
    "plot_ratio_vs_resolution",
    "plot_basins",
    "plot_deceptiveness_vs_sharing",
    "plot_tracking",
    "wrap_path",
    "plot_paths",
    "plot_success_vs_lr",
    "plot_plateau_scan",
    "plot_plateau_scans",
    "plot_decay_rates",
    "draw_circuit_rows",
    "plot_sharing_comparison",
    "plot_report_landscape",
    "plot_gradient_histogram",
    "plot_gradient_variance",
    "plot_report_success",
    "plot_scoreboard",
    "VERDICT_COLOURS",
    "plot_cells",
    "plot_trend",
    "CELL_COLOURS",
    "plot_wall_times",
    "plot_trajectory_grid",
    "plot_end_kinds",
    "plot_agreement",
    "plot_basin_paths",
    "plot_success_curves",
    "plot_prediction",
    "plot_budget",
    "plot_trends",
]
