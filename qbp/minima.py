"""The refined global minimum C* of a landscape (SPEC §6).

A grid minimum is only as good as the grid: at R = 360 it can sit up to half a degree from the
true minimum. :func:`refine_minimum` polishes the best grid candidates with a local optimizer
using exact values and gradients, so C* does not depend on the resolution.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import minimize

from . import engines
from ._checks import check_int
from .circuit import Circuit
from .cost import ObservableCost
from .engines import check_inputs, check_method, evaluate
from .grid import check_periods, wrap
from .landscape import Landscape

__all__ = ["refine_minimum", "grid_local_minima", "polish", "NEIGHBOURS", "c1_table"]


#: The two neighbourhoods a grid minimum can be defined on (one name per definition).
NEIGHBOURS = ("axis", "all")


def grid_local_minima(values: np.ndarray, neighbours: str = "axis") -> np.ndarray:
    """Flat indices of the periodic grid's local minima, lowest first.

    A grid point is a minimum if no neighbour is strictly lower. ``neighbours`` says which
    points are neighbours — the book names the two definitions after it:

    - ``"axis"`` (*grid minima (axis neighbours)*): the 2d points one step away along an
      axis; the candidates of :func:`refine_minimum`;
    - ``"all"`` (*grid minima (all neighbours)*): all 3^d − 1 points of the surrounding
      box, diagonals included — the definition of a ``"minimum"`` sink in
      :func:`qbp.sinks.classify_sinks`.

    Every all-neighbours minimum is an axis-neighbours minimum, so the second count is never
    below the first. ``values``: a grid of any dimension d (periodic along every axis).
    Errors: ValueError for another ``neighbours``.
    """
    if neighbours not in NEIGHBOURS:
        raise ValueError(f"neighbours must be one of {NEIGHBOURS}, got {neighbours!r}")
    values = np.asarray(values, dtype=float)
    is_min = np.ones(values.shape, dtype=bool)
    if neighbours == "all":
        offsets = [off for off in itertools.product((-1, 0, 1), repeat=values.ndim) if any(off)]
        for off in offsets:
            is_min &= values <= np.roll(values, off, axis=tuple(range(values.ndim)))
    else:
        for k in range(values.ndim):
            for shift in (1, -1):
                is_min &= values <= np.roll(values, shift, axis=k)
    flat = np.flatnonzero(is_min)
    return flat[np.argsort(values.ravel()[flat], kind="stable")]


def refine_minimum(landscape: Landscape, cost: ObservableCost, n_starts: int = 5,
                   method: str = "fourier") -> tuple[np.ndarray, float]:
    """Refined global minimum (θ*, C*) of ``landscape``'s circuit under ``cost``.

    Starts: the ``n_starts`` lowest local minima of the grid (so starts lie in different
    basins), topped up with the lowest remaining grid points if there are fewer. Each is
    polished by ``scipy.optimize.minimize`` (L-BFGS-B, ``jac=True``) with exact values and
    gradients from :func:`qbp.evaluate` with ``method`` (``"fourier"``: the Fourier series is
    computed once and reused; it needs a 2π-periodic circuit: pass ``"batched"`` otherwise;
    see :func:`polish`). Returns θ* (shape (d,), radians) wrapped into one period per
    parameter, [−T_k/2, T_k/2) with T_k the landscape's :attr:`~qbp.Landscape.periods` (4π
    along a CRX's parameter), so that the cost at θ* is C*; and C* = min(best polished value,
    grid minimum). Costs a few hundred exact evaluations per start.
    Errors: TypeError for a landscape that is not a :class:`qbp.Landscape`, ValueError for a
    landscape without a circuit (built from a formula) or a bad ``n_starts`` or ``method``.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a qbp.Landscape, got {type(landscape).__name__}")
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    check_method(method)
    circuit = landscape.circuit
    if circuit is None:
        raise ValueError("landscape has no circuit (it was built from a formula): there is "
                         "nothing to refine its minimum with")
    check_inputs(circuit, cost)
    periods = check_periods(landscape.periods, landscape.n_params)
    if not np.array_equal(periods, circuit.periods):
        raise ValueError(f"landscape's periods {periods.tolist()} are not its circuit's "
                         f"{np.asarray(circuit.periods).tolist()}")
    values = landscape.values
    candidates = list(grid_local_minima(values)[:n_starts])
    if len(candidates) < n_starts:
        taken = set(candidates)
        for i in np.argsort(values.ravel(), kind="stable"):
            if len(candidates) == n_starts:
                break
            if i not in taken:
                candidates.append(i)
    starts = np.array([landscape.point(flat) for flat in candidates])
    thetas, polished = polish(circuit, cost, starts, method=method)
    best = int(np.argmin(polished))  # first of equals: the lowest grid candidate wins ties
    if polished[best] < landscape.min_value:
        return thetas[best], float(polished[best])
    return wrap(landscape.min_theta, circuit.periods), landscape.min_value


def hessian_eigenvalues(circuit: Circuit, cost: ObservableCost, theta, step: float = 1e-4,
                        method: str = "auto") -> np.ndarray:
    """Eigenvalues of the Hessian of C at ``theta`` (d,), ascending, in cost units per rad².

    Central differences of exact gradients (:func:`qbp.engines.value_and_grad` with
    ``method``), H[k] = (∇C(θ + h e_k) − ∇C(θ − h e_k)) / 2h with h = ``step`` radians,
    symmetrised; the truncation error is O(h²) times the third derivatives (below 10⁻⁶ for
    the paper's circuits at the default step). At a minimum all are ≥ 0; one near 0 is a
    direction along which C hardly rises — the minimum is the floor of a long valley, and
    the ratio of the largest to the smallest says how much narrower it is across than along.
    Cost: 2d exact gradient evaluations in one batch.
    Errors: TypeError / ValueError naming ``theta``, ``step`` or ``method``.
    """
    from ._checks import check_real

    check_inputs(circuit, cost)
    theta = circuit.check_theta(theta, "theta")
    if theta.ndim != 1:
        raise ValueError(f"theta must be one point of shape ({circuit.n_params},), got "
                         f"{theta.shape}")
    step = check_real(step, "step", above=0)
    if method not in ("auto", "fourier", "batched"):
        raise ValueError(f"method must be 'auto', 'fourier' or 'batched', got {method!r}")
    f, _ = engines.value_and_grad(circuit, cost, method)
    d = len(theta)
    shifts = np.concatenate([np.eye(d), -np.eye(d)]) * step
    _, grads = f(theta[None, :] + shifts)
    hess = (grads[:d] - grads[d:]) / (2 * step)
    return np.linalg.eigvalsh((hess + hess.T) / 2)


#: Smallest/largest Hessian eigenvalue at or below which a minimum is a valley floor.
VALLEY_RATIO = 1e-3


def is_valley_floor(eigenvalues, ratio: float = VALLEY_RATIO) -> bool:
    """Whether a minimum with these Hessian ``eigenvalues`` (:func:`hessian_eigenvalues`) is
    the floor of a long valley: its smallest eigenvalue is at most ``ratio`` (default
    10⁻³) times its largest, so C rises at least √(1/ratio) ≈ 32 times more slowly along
    one direction than across it. The book's rule for the words "floor of a long valley".
    ValueError for an empty or non-finite input or a ratio outside (0, 1)."""
    from ._checks import check_real, real_array

    e = np.sort(real_array(eigenvalues, "eigenvalues").ravel())
    if e.size == 0 or not np.all(np.isfinite(e)):
        raise ValueError(f"eigenvalues must be finite and not empty, got {e.tolist()}")
    ratio = check_real(ratio, "ratio", above=0, below=1)
    return bool(e[-1] > 0 and e[0] <= ratio * e[-1])


__all__ += ["hessian_eigenvalues", "is_valley_floor", "VALLEY_RATIO"]


def polish(circuit: Circuit, cost: ObservableCost, points, method: str = "auto",
           maxiter: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Local minima reached from each of ``points`` (n, d) by L-BFGS-B with exact gradients.

    Each point is polished by ``scipy.optimize.minimize`` (``jac=True``, ``ftol=1e-15``,
    ``gtol=1e-10``, at most ``maxiter`` iterations) with values and gradients from
    :func:`qbp.engines.value_and_grad` (``method="auto"``: the Fourier series when the
    circuit allows it, built once; ``"fourier"``, ``"batched"``; or ``"reference"``: QuTiP).
    Returns the polished points wrapped with the circuit's periods (:func:`qbp.grid.wrap`),
    shape (n, d), radians, and their costs (n,). A polished cost is never above its start's
    (L-BFGS-B only accepts descent steps), so ``min`` of the result bounds C* from above.
    Costs a few hundred exact evaluations per point; one Python call per point.
    """
    check_inputs(circuit, cost)
    pts = circuit.check_theta(points, "points")
    pts = np.atleast_2d(pts)
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    if method == "reference":
        def value_and_grad(theta):
            value, grad = evaluate(circuit, cost, theta, method=method)
            return float(value), np.asarray(grad, dtype=float)
    else:  # the Fourier series (refuses non-periodic circuits) or the batched engine, built once
        if method not in ("auto", "fourier", "batched"):
            raise ValueError(f"method must be 'auto', 'fourier', 'batched' or 'reference', "
                             f"got {method!r}")
        batch, _ = engines.value_and_grad(circuit, cost, method)

        def value_and_grad(theta):
            values, grads = batch(theta[None, :])
            return float(values[0]), grads[0]

    thetas = np.empty(pts.shape)
    values = np.empty(len(pts))
    for i, start in enumerate(pts):  # a handful of candidates: SciPy's optimizer is sequential
        res = minimize(value_and_grad, start, jac=True, method="L-BFGS-B",
                       options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": int(maxiter)})
        thetas[i], values[i] = res.x, float(res.fun)
    return wrap(thetas, circuit.periods), values


def c1_table(result):
    """C1's cells as a short table (a :class:`pandas.DataFrame`, one row per setting, 8
    columns): ``n``, ``cost``, the excess C* − E₀ at L = 1, the lowest excess over the layer
    counts and the L where it is reached, the improvement factor F (their ratio), the unshared
    baseline's excess (the default circuit without sharing, L = 1, d = 2n; the lowest of its
    polished random starts) and the cell's outcome. For the infidelity E₀ = 0: the excess
    is the infidelity itself. Excess values below 10⁻¹² (numerically zero, the floor of
    :func:`qbp.stats.improvement_factor`) are written as 0.

    ``result``: a :class:`qbp.claims.ClaimResult` of C1 or a sequence of its cells (from
    :meth:`qbp.matrix.MinimumStudy.cells`). Errors: TypeError for other objects, ValueError
    for cells of another claim.
    """
    import pandas as pd

    from .claims import Cell, ClaimResult

    cells = list(result.cells) if isinstance(result, ClaimResult) else list(result)
    if not all(isinstance(c, Cell) for c in cells):
        raise TypeError("result must be a qbp.claims.ClaimResult or a sequence of qbp.claims.Cell")
    if any(c.claim != "C1" for c in cells):
        raise ValueError(f"result must hold C1 cells, got {sorted({c.claim for c in cells})}")
    def excess(x):
        return 0.0 if x < 1e-12 else float(x)

    rows = []
    for c in cells:
        n = c.setting["n_qubits"]
        rows.append({"n": n, "cost": c.setting["cost"],
                     "excess at L = 1": excess(c.series["value"][0]),
                     "lowest excess": excess(min(c.series["value"])),
                     "at L": int(round(c.statistic["best_degree"] / n)),
                     "F": c.statistic["value"],
                     "unshared baseline": excess(c.beside["baseline_excess"]),
                     "outcome": c.outcome})
    return pd.DataFrame(rows, columns=["n", "cost", "excess at L = 1", "lowest excess", "at L",
                                       "F", "unshared baseline", "outcome"])
