"""Landscapes: cost and exact gradient on the periodic grid (SPEC §1, §10), saved with metadata."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._version import __version__
from .circuit import Circuit
from .cost import ObservableCost
from .engines import check_inputs, check_method

__all__ = ["Landscape", "grid_axis", "check_resolution", "sample_landscape", "sample_landscapes",
           "load_landscape"]

#: Largest grid (points) a landscape may have: bounds memory at ~(d+1)·8 bytes per point.
MAX_GRID_POINTS = 1 << 28


def check_resolution(resolution) -> int:
    """``resolution`` as an int ≥ 2, or a clear error naming it."""
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise TypeError(f"resolution must be an integer >= 2, got {resolution!r}")
    if resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution}")
    return int(resolution)


def grid_axis(resolution: int) -> np.ndarray:
    """θ_j = −π + 2πj/R for j = 0 … R−1 (periodic, endpoint excluded), radians."""
    r = check_resolution(resolution)
    return -np.pi + 2 * np.pi * np.arange(r) / r


@dataclass(frozen=True, eq=False)
class Landscape:
    """Cost ``values`` (R,)*d and exact ``gradient`` (d,)+(R,)*d per radian on the grid ``axes``.

    ``meta`` keeps what made it: circuit, cost, resolution, method and qbp version.
    ``circuit`` is None for a synthetic landscape built from a formula (see :meth:`from_function`).
    """

    values: np.ndarray
    gradient: np.ndarray | None
    axes: tuple[np.ndarray, ...]
    circuit: Circuit | None = None
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_function(cls, f, grad, resolution: int, n_params: int) -> "Landscape":
        """A synthetic landscape: ``f(*thetas)`` and ``grad(*thetas)`` (a list of d arrays)
        evaluated on the R^d grid — for tests and teaching examples."""
        r = check_resolution(resolution)
        axes = tuple(grid_axis(r) for _ in range(n_params))
        mesh = np.meshgrid(*axes, indexing="ij")
        gradient = None if grad is None else np.stack([np.broadcast_to(g, mesh[0].shape)
                                                       for g in grad(*mesh)])
        values = np.broadcast_to(f(*mesh), mesh[0].shape).astype(float)
        return cls(values, gradient, axes, None, {"resolution": r, "method": "function"})

    @property
    def resolution(self) -> int:
        return len(self.axes[0])

    @property
    def n_params(self) -> int:
        return len(self.axes)

    @property
    def min_index(self) -> tuple[int, ...]:
        """Grid index of the lowest value (first one if tied)."""
        return np.unravel_index(np.argmin(self.values), self.values.shape)

    @property
    def min_value(self) -> float:
        """The grid minimum C_min."""
        return float(self.values[self.min_index])

    @property
    def min_theta(self) -> np.ndarray:
        """Parameters (radians, shape (d,)) of the grid minimum."""
        return np.array([ax[i] for ax, i in zip(self.axes, self.min_index)])

    def save(self, path) -> Path:
        """Write ``path`` (.npz: arrays and JSON metadata) atomically; returns the path."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(".npz")
        meta = {**self.meta, "circuit": self.circuit.to_dict() if self.circuit else None}
        arrays = {"values": self.values, "meta": np.array(json.dumps(meta))}
        if self.gradient is not None:
            arrays["gradient"] = self.gradient
        for k, ax in enumerate(self.axes):
            arrays[f"axis{k}"] = ax
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)  # nothing half-written under the final name
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def load_landscape(path) -> Landscape:
    """Read a landscape written by :meth:`Landscape.save`."""
    with np.load(Path(path), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        circuit = meta.pop("circuit")
        circuit = Circuit.from_dict(circuit) if circuit else None
        axes = tuple(data[name] for name in sorted((f for f in data.files if f.startswith("axis")),
                                                   key=lambda f: int(f[4:])))
        gradient = data["gradient"] if "gradient" in data.files else None
        return Landscape(data["values"], gradient, axes, circuit, meta)


def sample_landscape(circuit: Circuit, cost: ObservableCost, resolution: int,
                     method: str = "fourier", gradient: bool = True, progress=None) -> Landscape:
    """Cost and exact gradient of ``circuit`` on the R^d periodic grid (SPEC §1).

    ``method``: ``"fourier"`` (exact series, fastest for few parameters), ``"batched"``
    (vectorised simulation of every grid point) or ``"reference"`` (QuTiP per point; slow,
    for checking). All give the same numbers.
    """
    check_inputs(circuit, cost)
    check_method(method)
    r = check_resolution(resolution)
    d = circuit.n_params
    if d == 0:
        raise ValueError("circuit has no free parameters: there is no landscape to sample")
    n_points = float(r) ** d
    if n_points > MAX_GRID_POINTS:
        raise ValueError(f"resolution={r} with {d} parameters gives {n_points:.3g} grid points, "
                         f"more than the limit {MAX_GRID_POINTS}")
    axes = tuple(grid_axis(r) for _ in range(d))
    if method == "fourier":
        from .fourier import fourier_series

        values, grad = fourier_series(circuit, cost.matrix).on_grid(list(axes), gradient)
    else:
        from .engines import evaluate

        pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
        values, grad = evaluate(circuit, cost, pts, method, gradient, progress)
        values = values.reshape((r,) * d)
        if grad is not None:
            grad = np.moveaxis(grad, -1, 0).reshape((d,) + (r,) * d)
    meta = {"cost": cost.describe(), "cost_minimum": cost.minimum, "resolution": r,
            "method": method, "qbp_version": __version__}
    return Landscape(values, grad, axes, circuit, meta)


def _landscape_task(task) -> Landscape:
    circuit, cost, resolution, method, gradient = task
    return sample_landscape(circuit, cost, resolution, method, gradient, progress=False)


def sample_landscapes(circuits, cost: ObservableCost, resolution: int, method: str = "fourier",
                      gradient: bool = True, scheduler=None, progress=None) -> list[Landscape]:
    """:func:`sample_landscape` for each circuit, one task each, through
    :func:`qbp.executors.run_tasks` (here by default; a process pool or a Dask cluster)."""
    from .executors import run_tasks

    check_resolution(resolution)
    check_method(method)
    tasks = [(c, cost, resolution, method, gradient) for c in circuits]
    return run_tasks(_landscape_task, tasks, scheduler, desc="landscapes", progress=progress)
