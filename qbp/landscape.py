"""Landscapes: cost and exact gradient on the periodic grid (SPEC §1, §10), saved with metadata."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._io import DamagedFile, atomic_write, digest
from ._version import provenance
from .circuit import Circuit
from .cost import ObservableCost
from .engines import check_inputs, check_method
from ._checks import check_int
from .grid import check_periods, check_resolution, grid_axis, grid_points

__all__ = ["Landscape", "sample_landscape", "sample_landscapes", "load_landscape"]

#: Largest grid (points) a landscape may have: bounds memory at ~(d+1)·8 bytes per point.
MAX_GRID_POINTS = 1 << 28


@dataclass(frozen=True, eq=False)
class Landscape:
    """Cost ``values`` (R,)*d and exact ``gradient`` (d,)+(R,)*d per radian on the grid ``axes``.

    Axis k spans one period T_k of its parameter (:attr:`periods`; 2π, i.e. [−π, π), for
    the paper's circuits). ``meta`` keeps what made it: circuit, cost, resolution, method,
    periods and provenance (qbp version, code digest, library versions).
    ``circuit`` is None for a synthetic landscape built from a formula (see :meth:`from_function`).
    """

    values: np.ndarray
    gradient: np.ndarray | None
    axes: tuple[np.ndarray, ...]
    circuit: Circuit | None = None
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_function(cls, f, grad, resolution: int, n_params: int,
                      periods=None) -> "Landscape":
        """A synthetic landscape: ``f(*thetas)`` and ``grad(*thetas)`` (a list of d arrays,
        per radian) evaluated on the R^d grid over one period per axis — [−π, π)^d unless
        ``periods`` (d,) says otherwise (e.g. 4π for an axis like a CRX's angle). For tests
        and teaching examples."""
        r = check_resolution(resolution)
        n_params = check_int(n_params, "n_params", minimum=1)
        periods = check_periods(periods, n_params, finite=True)
        axes = tuple(grid_axis(r, t) for t in periods)
        mesh = np.meshgrid(*axes, indexing="ij")
        gradient = None if grad is None else np.stack([np.broadcast_to(g, mesh[0].shape)
                                                       for g in grad(*mesh)])
        values = np.broadcast_to(f(*mesh), mesh[0].shape).astype(float)
        return cls(values, gradient, axes, None,
                   {"resolution": r, "method": "function", "periods": periods.tolist()})

    @property
    def resolution(self) -> int:
        return len(self.axes[0])

    @property
    def n_params(self) -> int:
        return len(self.axes)

    @property
    def periods(self) -> np.ndarray:
        """Period of each axis (radians, shape (d,)): 2π unless the circuit says otherwise."""
        return check_periods(self.meta.get("periods"), self.n_params)

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
        return self.point(self.min_index)

    def point(self, index) -> np.ndarray:
        """Parameters (radians, shape (d,)) of the grid point with multi-index ``index``
        (a tuple of d ints) or flat index (an int)."""
        if np.ndim(index) == 0:
            index = np.unravel_index(int(index), self.values.shape)
        return np.array([ax[i] for ax, i in zip(self.axes, index)])

    def save(self, path) -> Path:
        """Write ``path`` (.npz: arrays, JSON metadata and a SHA-256 checksum of the arrays)
        atomically, with the permissions a plain ``open()`` gives; returns the path."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(".npz")
        arrays = {"values": self.values}
        if self.gradient is not None:
            arrays["gradient"] = self.gradient
        for k, ax in enumerate(self.axes):
            arrays[f"axis{k}"] = ax
        meta = {**self.meta, "circuit": self.circuit.to_dict() if self.circuit else None}
        meta_text = json.dumps(meta)
        checksum = digest({**arrays, "meta": np.frombuffer(meta_text.encode(), np.uint8)})
        with atomic_write(path) as fh:
            np.savez(fh, meta=np.array(meta_text), checksum=np.array(checksum), **arrays)
        return path


def load_landscape(path) -> Landscape:
    """Read a landscape written by :meth:`Landscape.save`.

    Raises :class:`qbp._io.DamagedFile` (a ValueError naming the file) if the file is
    truncated, altered, not a landscape, or its checksum does not match its content;
    FileNotFoundError if it does not exist.
    """
    path = Path(path)
    raw = path.read_bytes()  # FileNotFoundError names the path
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            files = set(data.files)
            arrays = {name: data[name] for name in files if name not in ("meta", "checksum")}
            meta_text = str(data["meta"])
            checksum = str(data["checksum"])
    except Exception as exc:  # zip, pickle, EOF or key errors: not an intact landscape file
        raise DamagedFile(path, f"not a readable qbp landscape ({type(exc).__name__})") from None
    expected = digest({**arrays, "meta": np.frombuffer(meta_text.encode(), np.uint8)})
    if checksum != expected:
        raise DamagedFile(path, "its checksum does not match its content")
    meta = json.loads(meta_text)
    circuit = meta.pop("circuit")
    circuit = Circuit.from_dict(circuit) if circuit else None
    axes = tuple(arrays[name] for name in sorted((f for f in arrays if f.startswith("axis")),
                                                 key=lambda f: int(f[4:])))
    if "values" not in arrays or not axes:
        raise DamagedFile(path, "it holds no values or no grid axes")
    return Landscape(arrays["values"], arrays.get("gradient"), axes, circuit, meta)


def sample_landscape(circuit: Circuit, cost: ObservableCost, resolution: int,
                     method: str = "fourier", with_gradient: bool = True, progress=None) -> Landscape:
    """Cost and exact gradient of ``circuit`` on the R^d periodic grid (SPEC §1).

    Axis k spans one period of θ_k (:attr:`qbp.Circuit.periods`): [−π, π) for a 2π-periodic
    circuit, [−2π, 2π) along a CRX's parameter. A circuit whose landscape does not repeat along
    some parameter has no periodic grid: ValueError. ``method``: ``"fourier"`` (exact series,
    fastest for few parameters; 2π-periodic circuits only), ``"batched"`` (vectorised
    simulation of every grid point) or ``"reference"`` (QuTiP per point; slow, for checking).
    All give the same numbers.
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
    periods = check_periods(circuit.periods, d, finite=True)
    axes = tuple(grid_axis(r, t) for t in periods)
    if method == "fourier":
        from .fourier import fourier_series

        values, grad = fourier_series(circuit, cost.matrix).on_grid(list(axes), with_gradient)
    else:
        from .engines import evaluate

        values, grad = evaluate(circuit, cost, grid_points(axes), method, with_gradient, progress)
        values = values.reshape((r,) * d)
        if grad is not None:
            grad = np.moveaxis(grad, -1, 0).reshape((d,) + (r,) * d)
    meta = {"cost": cost.describe(), "cost_minimum": cost.minimum, "resolution": r,
            "method": method, "periods": periods.tolist(), **provenance()}
    return Landscape(values, grad, axes, circuit, meta)


def _landscape_task(task) -> Landscape:
    circuit, cost, resolution, method, with_gradient = task
    return sample_landscape(circuit, cost, resolution, method, with_gradient, progress=False)


def sample_landscapes(circuits, cost: ObservableCost, resolution: int, method: str = "fourier",
                      with_gradient: bool = True, scheduler=None, progress=None) -> list[Landscape]:
    """:func:`sample_landscape` for each circuit, one task each, through
    :func:`qbp.executors.run_tasks` (here by default; a process pool or a Dask cluster)."""
    from .executors import run_tasks

    check_resolution(resolution)
    check_method(method)
    tasks = [(c, cost, resolution, method, with_gradient) for c in circuits]
    return run_tasks(_landscape_task, tasks, scheduler, desc="landscapes", progress=progress)
