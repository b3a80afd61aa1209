"""Barren plateaus: how the variance of ∂C/∂θ₀ over random parameters decays with n (SPEC §9).

For each qubit count n the default circuit (depth L = n, or a fixed L) is evaluated at
``n_draws`` parameter vectors uniform on [−π, π)^d; ∂C/∂θ₀ is taken for the global and the
local cost at once by forward-mode differentiation (:func:`qbp.statevector.partial_derivative`).
log Var = a − b·n is fitted by least squares; the uncertainty of b comes from a bootstrap
over the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_reals
from ._version import __version__
from .circuit import MAX_QUBITS, SHARING_SCHEMES, default_circuit
from .cost import GlobalCost, LocalCost
from .statevector import partial_derivative

__all__ = ["PlateauScan", "plateau_scan", "fit_decay", "COSTS"]

COSTS = {"global": GlobalCost, "local": LocalCost}

#: Fewest draws per qubit count: with k draws a bootstrap resample repeats one draw (variance
#: 0) with probability k^(1−k), 1e−9 at k = 10; such resamples are left out of b's error.
MIN_DRAWS = 10
#: Fewest bootstrap resamples: a standard error and a 95 % interval need a few at least.
MIN_BOOT = 10


def fit_decay(n_values, variances):
    """Least-squares fit of ln Var = a − b·n; returns (a, b).

    ``n_values``: at least two distinct finite qubit counts. ``variances`` of shape
    (len(n),) gives floats; (len(n), k) fits k series at once and gives two arrays of shape
    (k,). Every variance must be finite and > 0 (ln Var is undefined otherwise): a zero
    variance — e.g. a derivative that takes one value over every draw — raises ValueError
    rather than giving NaN.
    """
    n = check_reals(n_values, "n_values", ndim=(1,))
    if len(np.unique(n)) < 2:
        raise ValueError(f"n_values must hold at least two distinct qubit counts to fit a "
                         f"decay, got {n.tolist()}")
    var = check_reals(variances, "variances", ndim=(1, 2), allow_inf=False)
    if var.shape[0] != len(n):
        raise ValueError(f"variances must have one row per qubit count ({len(n)}), got shape "
                         f"{var.shape}")
    if np.any(var <= 0):
        bad = sorted({float(x) for x in n[np.any(var.reshape(len(n), -1) <= 0, axis=1)]})
        raise ValueError(f"variances must be > 0 to fit ln Var, but a variance is 0 at "
                         f"n = {bad}")
    design = np.stack([np.ones_like(n), -n], axis=1)
    coef, *_ = np.linalg.lstsq(design, np.log(var), rcond=None)
    if var.ndim == 1:
        return float(coef[0]), float(coef[1])
    return coef[0], coef[1]


@dataclass(frozen=True, eq=False)
class PlateauScan:
    """Var(∂C/∂θ₀) against n for one sharing scheme and depth rule, for each cost.

    ``derivatives[cost]``: (len(n_values), n_draws) samples of ∂C/∂θ₀ (per radian);
    ``variance[cost]``: (len(n_values),); ``decay[cost]``: fitted b of ln Var = a − b·n,
    ``decay_err[cost]``: its bootstrap standard error; ``ci[cost]``: (2, len(n_values)) 95 %
    bootstrap interval of the variance.
    """

    n_values: np.ndarray
    sharing: str
    layers: str | int
    derivatives: dict
    variance: dict
    ci: dict
    intercept: dict
    decay: dict
    decay_err: dict
    meta: dict = field(default_factory=dict)


def _scan_task(task):
    """∂C/∂θ₀ of every cost at the given draws: (n_costs, n_draws)."""
    circuit, costs, thetas = task
    observables = [COSTS[c](circuit.n_qubits).matrix for c in costs]
    return partial_derivative(circuit, observables, thetas, 0)[1]


def plateau_scan(n_values, sharing: str = "none", layers="n", costs=("global", "local"),
                 n_draws: int = 200, seed: int = 0, n_boot: int = 1000, progress=None,
                 scheduler=None) -> PlateauScan:
    """Sample ∂C/∂θ₀ at ``n_draws`` random points for every n in ``n_values``.

    ``n_values``: at least two qubit counts (integers in 1 … MAX_QUBITS). ``layers``:
    ``"n"`` (L = n) or a fixed integer >= 1. ``n_draws`` >= :data:`MIN_DRAWS` and
    ``n_boot`` >= :data:`MIN_BOOT`; ``seed`` an integer >= 0 (the draws use ``seed``, the
    bootstrap ``seed + 1``). The error of b is the standard deviation of b over the bootstrap
    resamples whose variance is positive at every n (a resample repeating one draw has none);
    ``meta["n_boot_used"]`` says how many per cost. A derivative that takes one value over
    all draws at some n (variance 0) raises ValueError. One task per n, run through
    :func:`qbp.executors.run_tasks` with ``scheduler``. Cost ≈ 2 forward simulations of
    n_draws states of 2**n amplitudes per n; the largest n dominates.
    """
    from .executors import run_tasks

    if sharing not in SHARING_SCHEMES:
        raise ValueError(f"sharing must be one of {SHARING_SCHEMES}, got {sharing!r}")
    if not (isinstance(layers, str) and layers == "n"):
        if isinstance(layers, str):
            raise ValueError(f"layers must be 'n' or an integer >= 1, got {layers!r}")
        layers = check_int(layers, "layers", minimum=1)
    costs = (costs,) if isinstance(costs, str) else tuple(costs)
    if not costs:
        raise ValueError(f"costs must name at least one of {tuple(COSTS)}")
    for c in costs:
        if c not in COSTS:
            raise ValueError(f"costs must be among {tuple(COSTS)}, got {c!r}")
    if isinstance(n_values, (str, bytes)) or not np.iterable(n_values):
        raise TypeError(f"n_values must be a sequence of qubit counts, got {n_values!r}")
    n_values = np.array(sorted({check_int(n, "n_values", 1, MAX_QUBITS) for n in n_values}))
    if len(n_values) < 2:
        raise ValueError(f"n_values must hold at least two qubit counts >= 1, got {n_values.tolist()}")
    n_draws = check_int(n_draws, "n_draws", minimum=MIN_DRAWS)
    n_boot = check_int(n_boot, "n_boot", minimum=MIN_BOOT)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    tasks = []
    for n in n_values:  # draws made here, in order, so tasks are independent and deterministic
        circuit = default_circuit(int(n), int(n) if layers == "n" else layers, sharing)
        thetas = rng.uniform(-np.pi, np.pi, (n_draws, circuit.n_params))
        tasks.append((circuit, costs, thetas))
    results = run_tasks(_scan_task, tasks, scheduler, desc=f"plateau scan ({sharing}, L={layers})",
                        progress=progress)
    derivs = {c: np.stack([r[j] for r in results]) for j, c in enumerate(costs)}

    boot = np.random.default_rng(seed + 1).integers(0, n_draws, (n_boot, n_draws))
    variance, ci, intercept, decay, decay_err, boot_used = {}, {}, {}, {}, {}, {}
    for c in costs:
        if not np.all(np.isfinite(derivs[c])):
            raise ValueError(f"the derivatives of the {c} cost are not all finite")
        variance[c] = derivs[c].var(axis=1, ddof=1)
        flat = variance[c] <= 0
        if flat.any():  # ln Var undefined: say where, never fit a NaN
            raise ValueError(f"∂C/∂θ₀ of the {c} cost takes a single value over all {n_draws} "
                             f"draws at n = {n_values[flat].tolist()} (variance 0): ln Var is "
                             f"undefined, no decay can be fitted")
        boot_var = derivs[c][:, boot].var(axis=2, ddof=1)  # (len(n), n_boot)
        ci[c] = np.percentile(boot_var, [2.5, 97.5], axis=1)
        intercept[c], decay[c] = fit_decay(n_values, variance[c])
        # A resample that repeats one draw has variance 0 (ln 0 = −inf): it carries no
        # information on b and is left out of b's spread; how many were used is recorded.
        usable = np.all(boot_var > 0, axis=0)
        boot_used[c] = int(usable.sum())
        if boot_used[c] < MIN_BOOT:
            raise ValueError(f"only {boot_used[c]} of {n_boot} bootstrap resamples of the {c} "
                             f"cost have a positive variance at every n (at least {MIN_BOOT} "
                             f"are needed): use more draws (n_draws={n_draws})")
        decay_err[c] = float(np.std(fit_decay(n_values, boot_var[:, usable])[1], ddof=1))
    meta = {"n_draws": n_draws, "seed": seed, "n_boot": n_boot, "n_boot_used": boot_used,
            "qbp_version": __version__}
    return PlateauScan(n_values, sharing, layers, derivs, variance, ci, intercept, decay, decay_err, meta)
