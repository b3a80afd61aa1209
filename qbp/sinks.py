"""What the sinks of a descent structure are (SPEC §5): true grid minima, or artefacts.

Under the ``"compass"`` rule a grid point is a sink when its compass step does not lower C.
That happens at a local minimum of the grid, but also where the gradient vanishes at a
saddle or a maximum that falls on a grid point, and where the step along the compass
direction nearest −∇C lands higher although another neighbour is lower: the step
*overshoots* (across a narrow valley, or past a nearby minimum). :func:`classify_sinks`
tells these apart, so a chapter can say how much of the deceptiveness ratio they carry.

:func:`deceptive_causes` goes one step further and asks, for every deceptive sink, where the
gradient flow (SPEC §12) from the sink itself ends. If it ends in the global minimum (within
tol of the refined C*), the grid rule called the sink's basin deceptive because of the grid,
not because of the landscape: an overshoot, a stop on a saddle, or a *grid error* — a grid
minimum next to a copy of the global minimum (the landscape's symmetries make several) that
sits more than tol above the lowest grid value only because the grid points fall at other
offsets from the copies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .deceptiveness import ZERO_GRADIENT, Basins, step_gradient
from .landscape import Landscape

__all__ = ["SINK_KINDS", "CAUSES", "DeceptiveCauses", "classify_sinks", "deceptive_causes",
           "lower_neighbours"]

#: The kinds of sink, in the order chapters list them.
SINK_KINDS = ("minimum", "saddle", "maximum", "overshoot")
#: Why a grid point is deceptive (:func:`deceptive_causes`): the landscape's own local
#: minimum, or one of three artefacts of the grid rule.
CAUSES = ("local minimum", "overshoot", "grid error", "stationary point")


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


@dataclass(frozen=True)
class DeceptiveCauses:
    """The deceptive share of a grid split by cause (:func:`deceptive_causes`).

    ``shares``: {cause: fraction of all R^d grid points} for each of :data:`CAUSES`; they
    add up to ``ratio``, the basins' deceptiveness ratio at ``tol``. ``heights``: {cause:
    C(σ) − C_min of the sink with the largest basin of that cause} (0 where the cause has no
    sink): for an artefact, how far above the lowest grid value the rule stopped short of the
    global minimum — more than tol, or the basin would not be deceptive.
    ``n_deceptive_sinks``: sinks above C_min + tol; ``n_unconverged``: of those, sinks whose
    flow did not converge (counted as "local minimum": never called an artefact unproved).
    """

    ratio: float
    shares: dict
    heights: dict
    n_deceptive_sinks: int
    n_unconverged: int
    tol: float
    c_star: float
    rule: str

    @property
    def artefact(self) -> float:
        """Share of the grid deceptive only because of the grid rule (all but local minima)."""
        return float(sum(v for k, v in self.shares.items() if k != "local minimum"))


def deceptive_causes(landscape: Landscape, basins: Basins, cost, tol, c_star: float, *,
                     known=None):
    """Why the grid rule calls each deceptive point deceptive (SPEC §5 against §12).

    A point is deceptive (at absolute ``tol``, cost units) when its sink σ lies above
    C_min + tol. From every such sink the gradient flow is integrated
    (:func:`qbp.flow_deceptiveness` with ``c_star``, the refined global minimum, exact
    gradients). If the flow from σ ends above C* + tol, σ drains to a genuine local minimum:
    cause ``"local minimum"``. Otherwise σ lies in the global minimum's basin of the flow and
    the rule's verdict is an artefact, by σ's kind (:func:`classify_sinks`): ``"overshoot"``
    (the step went up although a neighbour was lower), ``"stationary point"`` (a saddle or
    maximum on a grid point) or ``"grid error"`` (a grid minimum next to a copy of the
    global minimum whose grid value exceeds C_min + tol: tol is below the grid's error).
    A sink whose flow does not converge counts as ``"local minimum"``.

    ``landscape``: a :class:`qbp.Landscape` of a circuit (not built from a formula);
    ``basins``: :func:`qbp.basins` of it (either rule); ``cost``: the landscape's cost;
    ``tol`` ≥ 0, or a sequence of them (one flow serves all; a tuple of results is
    returned); ``c_star``: finite, ≤ C_min (e.g. :func:`qbp.minima.refine_minimum`).
    ``known``: optional flows already computed from grid points, ``(flat, end_values,
    converged)`` with ``flat`` sorted flat grid indices (each array (m,)); deceptive sinks
    among them are not integrated again (a study that flows from sampled grid points and
    both rules' sinks at once passes them here).
    Returns a :class:`DeceptiveCauses` (a tuple of them for a sequence of tols). Cost: one
    batched flow from the deceptive sinks not in ``known`` (~500 exact evaluations each).
    Errors: TypeError / ValueError naming the argument.
    """
    from ._checks import check_real, check_tol
    from .flow import flow_deceptiveness

    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a qbp.Landscape, got {type(landscape).__name__}")
    if landscape.circuit is None:
        raise ValueError("landscape has no circuit (built from a formula): the flow from its "
                         "sinks needs one")
    if not isinstance(basins, Basins) or basins.values.shape != landscape.values.shape:
        raise ValueError("basins must be qbp.basins(landscape, ...) of this landscape")
    several = not isinstance(tol, (int, float, np.integer, np.floating)) and np.iterable(tol)
    tols = [check_tol(t) for t in (tol if several else (tol,))]
    if not tols:
        raise ValueError("tol must be a number >= 0 or a non-empty sequence of them")
    c_star = check_real(c_star, "c_star")
    if c_star > landscape.min_value + 1e-12:
        raise ValueError(f"c_star must be at most the grid minimum {landscape.min_value!r} "
                         f"(it is the refined global minimum), got {c_star!r}")
    # Flow once from every sink deceptive at the smallest tol (a superset of the others').
    candidates = basins.sink_values > basins.threshold(min(tols))
    flat = basins.sinks[candidates]
    end = np.empty(len(flat))
    conv = np.zeros(len(flat), dtype=bool)
    todo = np.ones(len(flat), dtype=bool)
    if known is not None:
        k_flat, k_end, k_conv = (np.asarray(a) for a in known)
        if not (k_flat.ndim == 1 and k_flat.shape == k_end.shape == k_conv.shape):
            raise ValueError("known must be (flat, end_values, converged), three arrays (m,)")
        pos = np.clip(np.searchsorted(k_flat, flat), 0, max(len(k_flat) - 1, 0))
        hit = (k_flat[pos] == flat) if len(k_flat) else np.zeros(len(flat), dtype=bool)
        end[hit], conv[hit], todo = k_end[pos[hit]], k_conv[pos[hit]].astype(bool), ~hit
    if todo.any():
        index = np.unravel_index(flat[todo], landscape.values.shape)
        points = np.stack([ax[i] for ax, i in zip(landscape.axes, index)], axis=1)
        flow = flow_deceptiveness(landscape.circuit, cost, points, 0.0, c_star=c_star,
                                  progress=False)
        end[todo], conv[todo] = flow.end_values, flow.converged
    kinds = classify_sinks(landscape, basins)[candidates]
    artefact = np.where(kinds == "minimum", "grid error",
                        np.where(kinds == "overshoot", "overshoot", "stationary point"))
    sizes, values = basins.sizes[candidates], basins.sink_values[candidates]
    total = landscape.values.size
    out = []
    for t in tols:
        deceptive = values > basins.threshold(t)
        reached = conv & (end <= c_star + t)  # the flow from σ ends within tol of C*
        cause = np.where(reached, artefact, "local minimum")
        shares, heights = {}, {}
        for c in CAUSES:
            mine = np.flatnonzero(deceptive & (cause == c))
            shares[c] = float(sizes[mine].sum() / total)
            heights[c] = (float(values[mine[np.argmax(sizes[mine])]] - landscape.min_value)
                          if len(mine) else 0.0)
        out.append(DeceptiveCauses(basins.ratio(t), shares, heights, int(deceptive.sum()),
                                   int((deceptive & ~conv).sum()), t, c_star, basins.rule))
    return tuple(out) if several else out[0]
