"""Optimizer trajectories from many starts at once (SPEC §6, §10).

``optimize`` runs one optimizer from B starts in a single batch: every step evaluates the
exact cost and gradient at all B current points (Fourier series or batched simulation,
never interpolated from a grid) and applies the optimizer's update. No loop over starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._version import __version__
from .circuit import Circuit
from .cost import ObservableCost
from .engines import value_and_grad
from .optim import make_optimizer

__all__ = ["Trajectories", "optimize", "random_starts"]


@dataclass(frozen=True, eq=False)
class Trajectories:
    """``params`` (B, T+1, d) and ``costs`` (B, T+1) of B runs of T steps; ``lr`` (B,)."""

    params: np.ndarray
    costs: np.ndarray
    lr: np.ndarray
    optimizer: str
    meta: dict = field(default_factory=dict)

    @property
    def final_costs(self) -> np.ndarray:
        return self.costs[:, -1]

    @property
    def final_params(self) -> np.ndarray:
        """Final parameters wrapped to [−π, π) (the landscape is periodic)."""
        return wrap(self.params[:, -1])


def wrap(theta: np.ndarray) -> np.ndarray:
    """Angles mapped to [−π, π)."""
    return (np.asarray(theta) + np.pi) % (2 * np.pi) - np.pi


def random_starts(n_starts: int, n_params: int, seed: int) -> np.ndarray:
    """``n_starts`` points uniform on [−π, π)^d from ``np.random.default_rng(seed)``."""
    if isinstance(n_starts, bool) or not isinstance(n_starts, (int, np.integer)) or n_starts < 1:
        raise ValueError(f"n_starts must be an int >= 1, got {n_starts!r}")
    rng = np.random.default_rng(seed)
    return rng.uniform(-np.pi, np.pi, size=(int(n_starts), int(n_params)))


def optimize(circuit: Circuit, cost: ObservableCost, starts, optimizer="adam", lr=0.01,
             steps: int = 500, method: str = "auto", record: str = "all", **hyper) -> Trajectories:
    """Run ``optimizer`` for ``steps`` steps from every row of ``starts`` (B, d).

    ``lr`` is a number or one per start (B,). ``record="all"`` keeps every step's parameters
    and cost; ``"ends"`` keeps only the first and last (T+1 → 2 columns), for large sweeps.
    Extra keyword arguments go to the optimizer (e.g. ``b1``, ``b2``, ``eps``, ``beta``).
    """
    starts = circuit.check_theta(starts, "starts")
    if starts.ndim != 2:
        raise ValueError(f"starts must have shape (B, {circuit.n_params}), got {starts.shape}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if record not in ("all", "ends"):
        raise ValueError(f"record must be 'all' or 'ends', got {record!r}")
    b = len(starts)
    lr_arr = np.asarray(lr, dtype=float)
    if lr_arr.ndim == 1 and lr_arr.shape != (b,):
        raise ValueError(f"lr must be a number or have one value per start ({b}), got shape {lr_arr.shape}")
    opt = make_optimizer(optimizer, lr, **hyper)
    f, used = value_and_grad(circuit, cost, method)

    keep = steps + 1 if record == "all" else 2
    params = np.empty((b, keep, circuit.n_params))
    costs = np.empty((b, keep))
    theta = starts.copy()
    state = opt.init(theta)
    for t in range(steps):
        value, grad = f(theta)
        if record == "all" or t == 0:
            params[:, t if record == "all" else 0] = theta
            costs[:, t if record == "all" else 0] = value
        updates, state = opt.update(grad, state)
        theta = theta + updates
    value, _ = f(theta)
    params[:, -1], costs[:, -1] = theta, value
    meta = {"circuit": circuit.to_dict(), "cost": cost.describe(), "steps": int(steps),
            "method": used, "hyper": {k: v for k, v in opt.hyper.items() if k != "lr"},
            "record": record, "qbp_version": __version__}
    return Trajectories(params, costs, np.broadcast_to(lr_arr, (b,)).copy(), opt.name, meta)
