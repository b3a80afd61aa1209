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

from ._version import __version__
from .circuit import SHARING_SCHEMES, default_circuit
from .cost import GlobalCost, LocalCost
from .statevector import partial_derivative

__all__ = ["PlateauScan", "plateau_scan", "fit_decay", "COSTS"]

COSTS = {"global": GlobalCost, "local": LocalCost}


def fit_decay(n_values, variances):
    """Least-squares fit of ln Var = a − b·n; returns (a, b).

    ``variances`` of shape (len(n),) gives floats; (len(n), k) fits k series at once and
    gives two arrays of shape (k,).
    """
    n = np.asarray(n_values, dtype=float)
    design = np.stack([np.ones_like(n), -n], axis=1)
    log_var = np.log(np.asarray(variances, dtype=float))
    coef, *_ = np.linalg.lstsq(design, log_var, rcond=None)
    if log_var.ndim == 1:
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

    ``layers``: ``"n"`` (L = n) or a fixed int. One task per n, run through
    :func:`qbp.executors.run_tasks` with ``scheduler``. Cost ≈ 2 forward simulations of
    n_draws states of 2**n amplitudes per n; the largest n dominates.
    """
    from .executors import run_tasks

    if sharing not in SHARING_SCHEMES:
        raise ValueError(f"sharing must be one of {SHARING_SCHEMES}, got {sharing!r}")
    if layers != "n" and (isinstance(layers, bool) or not isinstance(layers, (int, np.integer)) or layers < 1):
        raise ValueError(f"layers must be 'n' or an int >= 1, got {layers!r}")
    for c in costs:
        if c not in COSTS:
            raise ValueError(f"costs must be among {tuple(COSTS)}, got {c!r}")
    n_values = np.array(sorted({int(n) for n in n_values}))
    if len(n_values) < 2 or n_values[0] < 1:
        raise ValueError(f"n_values must hold at least two qubit counts >= 1, got {n_values.tolist()}")
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 2:
        raise ValueError(f"n_draws must be an int >= 2, got {n_draws!r}")
    rng = np.random.default_rng(seed)
    tasks = []
    for n in n_values:  # draws made here, in order, so tasks are independent and deterministic
        circuit = default_circuit(int(n), int(n) if layers == "n" else int(layers), sharing)
        thetas = rng.uniform(-np.pi, np.pi, (n_draws, circuit.n_params))
        tasks.append((circuit, tuple(costs), thetas))
    results = run_tasks(_scan_task, tasks, scheduler, desc=f"plateau scan ({sharing}, L={layers})",
                        progress=progress)
    derivs = {c: np.stack([r[j] for r in results]) for j, c in enumerate(costs)}

    boot = np.random.default_rng(seed + 1).integers(0, n_draws, (n_boot, n_draws))
    variance, ci, intercept, decay, decay_err = {}, {}, {}, {}, {}
    for c in costs:
        variance[c] = derivs[c].var(axis=1, ddof=1)
        boot_var = derivs[c][:, boot].var(axis=2, ddof=1)  # (len(n), n_boot)
        ci[c] = np.percentile(boot_var, [2.5, 97.5], axis=1)
        intercept[c], decay[c] = fit_decay(n_values, variance[c])
        decay_err[c] = float(np.std(fit_decay(n_values, boot_var)[1], ddof=1))
    meta = {"n_draws": int(n_draws), "seed": seed, "n_boot": int(n_boot), "qbp_version": __version__}
    return PlateauScan(n_values, sharing, layers, derivs, variance, ci, intercept, decay, decay_err, meta)
