"""Optimizer trajectories from many starts at once (SPEC §6, §10).

``optimize`` runs one optimizer from B starts in a single batch: every step evaluates the
exact cost and gradient at all B current points (Fourier series or batched simulation,
never interpolated from a grid) and applies the optimizer's update. No loop over starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_reals, check_seed
from ._version import __version__
from .circuit import Circuit
from .cost import ObservableCost
from .engines import check_inputs, value_and_grad
from .grid import check_periods, wrap
from .optim import DEFAULT_LR, make_optimizer

__all__ = ["Trajectories", "optimize", "random_starts"]


@dataclass(frozen=True, eq=False)
class Trajectories:
    """B runs of T steps of one optimizer.

    ``params`` (B, T+1, d) radians, as the optimizer took them (not wrapped); ``costs``
    (B, T+1); ``lr`` (B,) the learning rate each run used and ``optimizer`` its name, both
    read from the :class:`qbp.Optimizer` that ran; ``periods`` (d,) the period of the
    landscape along each parameter (:attr:`qbp.Circuit.periods`: 2π, 4π for a CRX's
    parameter, ``inf`` where it does not repeat); ``meta`` circuit, cost, steps, engine and
    the optimizer's hyper-parameters.
    With ``checkpoints`` (k,) (steps at which runs of those lengths are judged, SPEC §11):
    ``checkpoint_costs`` (B, k), the cost after that many steps, and ``checkpoint_tail_max``
    (B, k), the largest cost over the last 10 % of those steps (the
    :func:`qbp.stats.tail_length` costs ending at the checkpoint); otherwise all three None.
    """

    params: np.ndarray
    costs: np.ndarray
    lr: np.ndarray
    optimizer: str
    periods: np.ndarray
    meta: dict = field(default_factory=dict)
    checkpoints: np.ndarray | None = None
    checkpoint_costs: np.ndarray | None = None
    checkpoint_tail_max: np.ndarray | None = None

    def __post_init__(self):
        d = np.shape(self.params)[-1]
        object.__setattr__(self, "periods", check_periods(self.periods, d))

    @property
    def final_costs(self) -> np.ndarray:
        """The cost at each run's last point, shape (B,)."""
        return self.costs[:, -1]

    @property
    def final_params(self) -> np.ndarray:
        """Each run's last point wrapped into one period per parameter, [−T_k/2, T_k/2)
        (shape (B, d); a parameter with an infinite period is left as it is), so that the
        cost at ``final_params`` is ``final_costs``."""
        return wrap(self.params[:, -1], self.periods)


def random_starts(n_starts: int, n_params: int, seed: int | None, periods=None) -> np.ndarray:
    """``n_starts`` points (shape (n_starts, n_params), radians) uniform on one period per
    parameter, [−T_k/2, T_k/2), from ``np.random.default_rng(seed)``.

    ``periods`` (d,) defaults to 2π for every parameter: SPEC §6's starts on [−π, π)^d. Pass
    :attr:`qbp.Circuit.periods` for a circuit with a 4π-periodic parameter (a CRX); an
    infinite period (no periodic landscape to be uniform over) raises ValueError.
    ``seed`` None draws fresh entropy (not reproducible).
    """
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    n_params = check_int(n_params, "n_params", minimum=1)
    seed = check_seed(seed)
    periods = check_periods(periods, n_params, finite=True)
    rng = np.random.default_rng(seed)
    return rng.uniform(-periods / 2, periods / 2, size=(n_starts, n_params))


def optimize(circuit: Circuit, cost: ObservableCost, starts, optimizer="adam", lr=DEFAULT_LR,
             steps: int = 500, method: str = "auto", record: str = "all", checkpoints=None,
             **hyper) -> Trajectories:
    """Run ``optimizer`` for ``steps`` steps from every row of ``starts`` (B, d), radians.

    ``optimizer``: a name in :data:`qbp.OPTIMIZERS`, with ``lr`` (a number, or one per start,
    shape (B,); default 0.01) and extra keyword arguments for its hyper-parameters (e.g.
    ``b1``, ``b2``, ``eps``, ``beta``); or an :class:`qbp.Optimizer` object such as
    ``qbp.adam(0.5)``, which carries its own learning rate and hyper-parameters — giving
    ``lr`` or hyper-parameters besides it raises ValueError. What is recorded (``lr``,
    ``optimizer``, ``meta["hyper"]``) is read from the optimizer that ran.
    ``record="all"`` keeps every step's parameters and cost; ``"ends"`` keeps only the
    first and last (T+1 → 2 columns), for large sweeps. The circuit's periods are recorded,
    so :attr:`Trajectories.final_params` wraps each parameter with its own period.
    ``checkpoints``: optional increasing step counts in 1 … ``steps`` (e.g. (T/2, T, 2T) in a
    run of 2T steps): for each, the cost after that many steps and the largest cost over the
    last :func:`qbp.stats.tail_length` (10 %) of them are kept, (B, k) each — what
    :func:`qbp.stats.settled` needs to judge runs of every checkpoint's length from one run,
    with O(B·k) memory whatever ``record`` is. Equal to ``costs[:, c]`` and
    ``costs[:, c - m + 1 : c + 1].max(axis=1)`` of ``record="all"`` (m = tail_length(c)).
    Errors: TypeError or ValueError naming the argument (starts, lr, steps, record, …);
    ValueError if a run diverges to non-finite parameters or costs (an lr far too large).
    """
    check_inputs(circuit, cost)
    starts = circuit.check_theta(starts, "starts")
    if starts.ndim != 2:
        raise ValueError(f"starts must have shape (B, {circuit.n_params}), got {starts.shape}")
    steps = check_int(steps, "steps", minimum=1)
    if record not in ("all", "ends"):
        raise ValueError(f"record must be 'all' or 'ends', got {record!r}")
    track = _Checkpoints(checkpoints, steps, len(starts)) if checkpoints is not None else None
    b = len(starts)
    opt = make_optimizer(optimizer, lr, **hyper)
    lr_arr = check_reals(opt.hyper["lr"], "lr", above=0)
    if lr_arr.ndim == 1 and lr_arr.shape != (b,):
        raise ValueError(f"lr must be a number or have one value per start ({b}), got shape {lr_arr.shape}")
    f, used = value_and_grad(circuit, cost, method)

    keep = steps + 1 if record == "all" else 2
    params = np.empty((b, keep, circuit.n_params))
    costs = np.empty((b, keep))
    theta = starts.copy()
    state = opt.init(theta)
    for t in range(steps):
        try:
            value, grad = f(theta)
        except ValueError:  # the engines refuse non-finite points: say why there are some
            if np.all(np.isfinite(theta)):
                raise
            _diverged(theta, None, lr_arr)
        if record == "all" or t == 0:
            params[:, t if record == "all" else 0] = theta
            costs[:, t if record == "all" else 0] = value
        if track is not None:
            track.update(t, value)
        updates, state = opt.update(grad, state)
        theta = theta + updates
    _diverged(theta, None, lr_arr)
    value, _ = f(theta)
    _diverged(theta, value, lr_arr)
    params[:, -1], costs[:, -1] = theta, value
    if track is not None:
        track.update(steps, value)
    meta = {"circuit": circuit.to_dict(), "cost": cost.describe(), "steps": steps,
            "method": used, "hyper": {k: v for k, v in opt.hyper.items() if k != "lr"},
            "record": record, "qbp_version": __version__}
    extra = () if track is None else (track.steps, track.costs, track.tail_max)
    return Trajectories(params, costs, np.broadcast_to(lr_arr, (b,)).copy(), opt.name,
                        np.array(circuit.periods), meta, *extra)


class _Checkpoints:
    """Running record of the cost at each checkpoint and its tail maximum (see optimize)."""

    def __init__(self, checkpoints, steps: int, b: int):
        from .stats import tail_length

        if isinstance(checkpoints, (str, bytes)) or not np.iterable(checkpoints):
            raise TypeError(f"checkpoints must be a sequence of step counts, got {checkpoints!r}")
        cps = [check_int(c, "checkpoints", minimum=1, maximum=steps) for c in checkpoints]
        if not cps or any(b_ <= a for a, b_ in zip(cps, cps[1:])):
            raise ValueError(f"checkpoints must be strictly increasing step counts in 1 … "
                             f"{steps}, got {list(checkpoints)!r}")
        self.steps = np.array(cps, dtype=int)
        self.first = self.steps - np.array([tail_length(c) for c in cps]) + 1
        self.costs = np.empty((b, len(cps)))
        self.tail_max = np.full((b, len(cps)), -np.inf)

    def update(self, t: int, value: np.ndarray) -> None:
        """Take in the costs (B,) after ``t`` steps."""
        inside = np.flatnonzero((self.first <= t) & (t <= self.steps))
        for j in inside:  # k is a handful: a loop over checkpoints, vectorised over starts
            np.maximum(self.tail_max[:, j], value, out=self.tail_max[:, j])
            if self.steps[j] == t:
                self.costs[:, j] = value


def _diverged(theta: np.ndarray, value: np.ndarray | None, lr: np.ndarray) -> None:
    """ValueError if a run reached non-finite parameters or costs: a step so large that it
    overflowed. Checked where an engine refuses a point and at the end, so no NaN cost is
    ever returned unannounced."""
    bad = ~np.all(np.isfinite(theta), axis=1)
    if value is not None:
        bad |= ~np.isfinite(value)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(f"the runs from starts {rows[:10].tolist()} diverged to non-finite "
                         f"parameters or costs (lr {np.broadcast_to(lr, bad.shape)[rows[0]]:g}): "
                         f"use a smaller lr")
