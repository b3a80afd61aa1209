"""The periodic parameter grid of SPEC §1, in one place.

Every parameter θ_k is an angle with a period T_k (:attr:`qbp.Circuit.periods`): 2π for the
paper's circuits, 4π for a CRX or a rotation by θ/2, ``inf`` for a parameter along which the
landscape does not repeat. Axis k of a grid of resolution R holds the R points
θ_j = −T_k/2 + T_k·j/R, j = 0 … R−1 (endpoint excluded), so for T = 2π it runs over
[−π, π) with one point per 2π/R. Everything that wraps angles, measures periodic distances,
finds the nearest grid point or takes differences across the seam goes through here, with
each parameter's own period, so that a point qbp returns has the cost qbp reports for it.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_int, real_array

__all__ = ["TWO_PI", "check_resolution", "check_periods", "grid_axis", "grid_points", "wrap",
           "periodic_difference", "periodic_distance", "nearest_index", "shifted_index",
           "grid_difference", "gradient_magnitude"]

TWO_PI = 2 * np.pi


def check_resolution(resolution) -> int:
    """``resolution`` as an int ≥ 2, or a clear error naming it (NumPy integers accepted)."""
    return check_int(resolution, "resolution", minimum=2)


def check_periods(periods, n_params: int | None = None, *, finite: bool = False) -> np.ndarray:
    """``periods`` as a float array (d,) of positive periods (radians); None means 2π for each
    of ``n_params`` parameters. ``finite=True`` refuses an infinite (non-periodic) entry."""
    if periods is None:
        if n_params is None:
            raise ValueError("periods is None and n_params is not given")
        return np.full(int(n_params), TWO_PI)
    arr = np.asarray(periods)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"periods must be real numbers, got {periods!r}")
    arr = np.atleast_1d(arr.astype(float))
    if arr.ndim != 1 or (n_params is not None and len(arr) != n_params):
        raise ValueError(f"periods must have shape ({n_params},), got {arr.shape}")
    if np.any(np.isnan(arr)) or np.any(arr <= 0):
        raise ValueError(f"periods must be > 0 (inf for a non-periodic parameter), got {arr.tolist()}")
    if finite and not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr)).tolist()
        raise ValueError(f"the landscape is not periodic along parameters {bad} (their gates' "
                         f"frequencies have no common period): a periodic grid cannot represent it")
    return arr


def grid_axis(resolution: int, period: float = TWO_PI) -> np.ndarray:
    """θ_j = −T/2 + T·j/R for j = 0 … R−1 (periodic, endpoint excluded), radians, shape (R,).

    With the default T = 2π this is SPEC §1's axis on [−π, π).

    >>> grid_axis(4)
    array([-3.14159265, -1.57079633,  0.        ,  1.57079633])
    """
    r = check_resolution(resolution)
    period = float(check_periods([period], 1, finite=True)[0])
    return -period / 2 + period * np.arange(r) / r


def grid_points(axes) -> np.ndarray:
    """Every point of the product grid of ``axes`` (d arrays), shape (Π len(axes), d), in
    C order (the last axis varies fastest), matching ``values.ravel()``."""
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(axes))


def wrap(theta, periods=None) -> np.ndarray:
    """Angles mapped into [−T_k/2, T_k/2) per parameter (last axis of ``theta``, shape (…, d)).

    ``periods`` (d,) defaults to 2π for every parameter; a parameter with an infinite period is
    left as it is (its landscape does not repeat, so no other point has the same cost).
    """
    theta = real_array(theta, "theta")
    periods = check_periods(periods, theta.shape[-1] if theta.ndim else 1)
    finite = np.isfinite(periods)
    safe = np.where(finite, periods, 1.0)
    out = (theta + safe / 2) % safe - safe / 2
    # An angle a hair below −T/2 rounds to +T/2 in the modulo: keep the interval half-open.
    out = np.where(out >= safe / 2, out - safe, out)
    return out if np.all(finite) else np.where(finite, out, theta)


def periodic_difference(a, b, periods=None) -> np.ndarray:
    """a − b per parameter, wrapped into [−T/2, T/2): the shortest signed difference."""
    return wrap(real_array(a, "a") - real_array(b, "b"), periods)


def periodic_distance(a, b, periods=None) -> np.ndarray:
    """Euclidean length of the shortest periodic difference a − b (radians), shape (…)."""
    return np.linalg.norm(periodic_difference(a, b, periods), axis=-1)


def nearest_index(theta, resolution: int, periods=None) -> np.ndarray:
    """Flat index (into a grid of shape (R,)*d) of the grid point nearest to each row of
    ``theta`` (…, d), periodically: a point just below T/2 maps to index 0. ``theta`` must
    be finite (ValueError): NaN has no nearest grid point."""
    theta = real_array(theta, "theta")
    if theta.ndim == 0 or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be finite points of shape (..., d), got shape "
                         f"{theta.shape}{'' if theta.ndim == 0 else ' with NaN or inf'}")
    r = check_resolution(resolution)
    d = theta.shape[-1]
    periods = check_periods(periods, d, finite=True)
    j = np.rint((wrap(theta, periods) + periods / 2) / (periods / r)).astype(np.int64) % r
    return np.ravel_multi_index(tuple(np.moveaxis(j, -1, 0)), (r,) * d)


def shifted_index(shape, offsets) -> np.ndarray:
    """Flat index of p + offset(p) with periodic wrap, for every grid point p.

    ``offsets``: integer steps per axis, shape (d, *shape) (or broadcastable). Returns an
    int32 (int64 for grids of 2³¹ points or more) array of ``shape``.
    """
    r = np.array(shape)
    dtype = np.int32 if np.prod(r, dtype=float) < 2**31 else np.int64
    flat = np.zeros(shape, dtype=dtype)
    stride = 1
    for k in reversed(range(len(shape))):
        idx = np.arange(shape[k], dtype=dtype).reshape((-1,) + (1,) * (len(shape) - k - 1))
        flat += ((idx + offsets[k]) % shape[k]).astype(dtype) * dtype(stride)
        stride *= shape[k]
    return flat


def grid_difference(values, per: str = "step", periods=None) -> np.ndarray:
    """Periodic central differences of grid values (shape (R,)*d) → shape (d, R, …) (SPEC §4).

    ``per="step"``: (C[j+1] − C[j−1]) / 2, cost units per grid step; ``per="radian"``: the
    same divided by the step T_k/R (``periods`` defaults to 2π per axis). The grid is periodic
    (it spans one period per axis), so the difference at the seam uses the opposite edge.
    """
    values = real_array(values, "values")
    if per not in ("step", "radian"):
        raise ValueError(f"per must be 'step' or 'radian', got {per!r}")
    if values.ndim < 1 or min(values.shape) < 2:
        raise ValueError(f"values must be a grid with at least 2 points per axis, got shape {values.shape}")
    diffs = np.stack([(np.roll(values, -1, axis=k) - np.roll(values, 1, axis=k)) / 2
                      for k in range(values.ndim)])
    if per == "radian":
        periods = check_periods(periods, values.ndim, finite=True)
        step = periods / np.array(values.shape)
        diffs /= step.reshape((-1,) + (1,) * values.ndim)
    return diffs


def gradient_magnitude(gradient) -> np.ndarray:
    """Euclidean norm over the leading component axis: (d, …) → (…)."""
    return np.sqrt(np.sum(real_array(gradient, "gradient") ** 2, axis=0))
