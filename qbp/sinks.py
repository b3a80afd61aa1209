"""What the sinks of a descent structure are (SPEC §5): true grid minima, or artefacts.

Under the ``"compass"`` rule a grid point is a sink when its compass step does not lower C.
That happens at a local minimum of the grid, but also where the gradient vanishes at a
saddle or a maximum that falls on a grid point, and where the step along the compass
direction nearest −∇C lands higher although another neighbour is lower: the step
*overshoots* (across a narrow valley, or past a nearby minimum). :func:`classify_sinks`
tells these apart, so a chapter can say how much of the deceptiveness ratio they carry.
"""

from __future__ import annotations

import itertools

import numpy as np

from .deceptiveness import ZERO_GRADIENT, Basins, step_gradient
from .landscape import Landscape

__all__ = ["SINK_KINDS", "classify_sinks", "lower_neighbours"]

#: The kinds of sink, in the order chapters list them.
SINK_KINDS = ("minimum", "saddle", "maximum", "overshoot")


def lower_neighbours(values: np.ndarray) -> np.ndarray:
    """Per grid point, how many of its 3^d − 1 neighbours (periodic) are strictly lower."""
    values = np.asarray(values, dtype=float)
    count = np.zeros(values.shape, dtype=np.int16)
    for off in itertools.product((-1, 0, 1), repeat=values.ndim):
        if any(off):
            count += np.roll(values, off, axis=tuple(range(values.ndim))) < values
    return count


def classify_sinks(landscape: Landscape, basins: Basins) -> np.ndarray:
    """The kind of each sink of ``basins`` (aligned with ``basins.sinks``), one of
    :data:`SINK_KINDS`:

    - ``"minimum"``: no neighbour (of the 3^d − 1, diagonals included) is lower — a local
      minimum of the grid, whatever the gradient there;
    - ``"saddle"``: the gradient is zero (below ``ZERO_GRADIENT`` of the largest, as in
      :func:`qbp.basins`) and some but not all neighbours are lower;
    - ``"maximum"``: the gradient is zero and every neighbour is lower;
    - ``"overshoot"``: the gradient is not zero and some neighbour is lower, but not the one
      the compass step goes to.

    The gradient is the one the basins were computed with (exact, or grid differences).
    Under the ``"steepest"`` rule every sink is a ``"minimum"``.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a qbp.Landscape, got {type(landscape).__name__}")
    if not isinstance(basins, Basins):
        raise TypeError(f"basins must be a qbp.Basins, got {type(basins).__name__}")
    if basins.values.shape != landscape.values.shape:
        raise ValueError(f"basins of a grid of shape {basins.values.shape} do not belong to a "
                         f"landscape of shape {landscape.values.shape}")
    n_lower = lower_neighbours(landscape.values).ravel()[basins.sinks]
    kinds = np.where(n_lower == 0, "minimum", "overshoot").astype(object)
    if basins.rule == "compass":
        if basins.derivatives == "exact" and landscape.gradient is None:
            raise ValueError("landscape has no gradient: classify basins computed with "
                             "gradient='grid', or sample the landscape with its gradient")
        g = step_gradient(landscape, basins.derivatives)  # in grid steps, as the basins used it
        gmax = np.abs(g).max(axis=0)
        stationary = (gmax <= ZERO_GRADIENT * gmax.max()).ravel()[basins.sinks]
        n_all = 3 ** landscape.n_params - 1
        kinds[stationary & (n_lower > 0)] = "saddle"
        kinds[stationary & (n_lower == n_all)] = "maximum"
    return kinds.astype(str)
