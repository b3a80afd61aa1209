"""Checks of arguments where they enter the science wing: one home for each kind.

Every public function checks its numbers here, so that Python and NumPy numbers are accepted
alike (``3`` and ``np.int64(3)``, ``0.1`` and ``np.float32(0.1)``) and everything else is
refused with an error that names the argument:

- TypeError for the wrong kind of value: ``bool`` where a number is meant, complex numbers
  (a silent cast would drop the imaginary part), strings, None, a float where a count is meant;
- ValueError for a number of the right kind outside its range: NaN, ±inf (unless allowed),
  zero or negative counts, a negative tolerance.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

__all__ = ["check_int", "check_real", "check_reals", "real_array", "check_tol", "check_seed",
           "check_choice", "check_names"]


def _range_text(minimum, maximum, above, below) -> str:
    parts = []
    if minimum is not None:
        parts.append(f">= {minimum:g}")
    if above is not None:
        parts.append(f"> {above:g}")
    if maximum is not None:
        parts.append(f"<= {maximum:g}")
    if below is not None:
        parts.append(f"< {below:g}")
    return " and ".join(parts)


def _describe(kind: str, minimum, maximum, above=None, below=None) -> str:
    limits = _range_text(minimum, maximum, above, below)
    return f"{kind} {limits}" if limits else kind


def check_int(value, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as a Python int in [``minimum``, ``maximum``] (either bound optional).

    Accepts ``int``, NumPy integers and 0-d integer arrays. TypeError for bool, floats
    (even ``3.0``), complex, strings and None; ValueError outside the bounds.
    """
    what = _describe("an integer", minimum, maximum)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {what}, got the bool {value!r}")
    try:
        out = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {what}, got {value!r} "
                        f"({type(value).__name__})") from None
    if (minimum is not None and out < minimum) or (maximum is not None and out > maximum):
        raise ValueError(f"{name} must be {what}, got {out}")
    return int(out)


def _real_scalar(value, name: str, what: str) -> float:
    """A real number as a float; TypeError for anything else (bool and complex included)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {what}, got the bool {value!r}")
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return float(value)
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number ({what}), got the complex {value!r}")
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
    return float(value)


def check_real(value, name: str, minimum: float | None = None, maximum: float | None = None, *,
               above: float | None = None, below: float | None = None,
               allow_inf: bool = False) -> float:
    """``value`` as a float: a real number, finite unless ``allow_inf``, with
    ``minimum <= value <= maximum`` and ``above < value < below`` (every bound optional).

    Accepts Python and NumPy integers and floats and 0-d real arrays. TypeError for bool,
    complex, strings and None; ValueError for NaN, ±inf (unless ``allow_inf``) and values
    outside the bounds.
    """
    kind = "a real number" if allow_inf else "a finite real number"
    what = _describe(kind, minimum, maximum, above, below)
    out = _real_scalar(value, name, what)
    if np.isnan(out) or (not allow_inf and np.isinf(out)):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if ((minimum is not None and out < minimum) or (maximum is not None and out > maximum)
            or (above is not None and out <= above) or (below is not None and out >= below)):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return out


def real_array(value, name: str, what: str = "real numbers") -> np.ndarray:
    """``value`` as a float array of any shape, if its entries are real numbers: TypeError
    (naming ``name``) for complex, bool, string or object entries and ragged nesting. NaN
    and ±inf pass: callers that need finite values check them (:func:`check_reals`)."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):  # ragged lists and the like
        raise TypeError(f"{name} must be {what}, got {value!r}") from None
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex values {value!r}")
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be {what}, got {value!r} (dtype {raw.dtype})")
    return raw.astype(float)


def check_reals(value, name: str, minimum: float | None = None, maximum: float | None = None, *,
                above: float | None = None, below: float | None = None,
                ndim: tuple[int, ...] = (0, 1), allow_inf: bool = False) -> np.ndarray:
    """``value`` (a number or an array of them) as a float array whose number of dimensions
    is in ``ndim``, every entry real, finite unless ``allow_inf`` and within the bounds of
    :func:`check_real`.

    TypeError for bool, complex, string or object entries; ValueError for a wrong number of
    dimensions, an empty array, NaN, ±inf or entries out of bounds.
    """
    kind = "real numbers" if allow_inf else "finite real numbers"
    what = _describe(kind, minimum, maximum, above, below)
    arr = real_array(value, name, what)
    if arr.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimension(s), "
                         f"got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(np.isnan(arr)) or (not allow_inf and not np.all(np.isfinite(arr))):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if ((minimum is not None and np.any(arr < minimum))
            or (maximum is not None and np.any(arr > maximum))
            or (above is not None and np.any(arr <= above))
            or (below is not None and np.any(arr >= below))):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return arr


def check_tol(tol, name: str = "tol") -> float:
    """A tolerance in cost units: a finite real number >= 0."""
    return check_real(tol, name, minimum=0)


def check_seed(seed, name: str = "seed") -> int | None:
    """A seed for ``np.random.default_rng``: an integer >= 0 (Python or NumPy), or None for
    fresh entropy (results then differ from run to run)."""
    return None if seed is None else check_int(seed, name, minimum=0)


def check_choice(value, name: str, choices):
    """``value`` itself if it is one of ``choices`` (a tuple or list, shown in the message as
    given); ValueError naming ``name`` otherwise."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def check_names(value, name: str, allowed) -> tuple:
    """``value`` (one name, or a sequence of names) as a non-empty tuple of names from
    ``allowed`` (any iterable of names, e.g. a registry dict's keys), in the given order.

    ValueError naming ``name`` if there is no name or one is not among ``allowed``.
    """
    allowed = tuple(allowed)
    names = (value,) if isinstance(value, str) else tuple(value)
    if not names:
        raise ValueError(f"{name} must name at least one of {allowed}")
    for v in names:
        if v not in allowed:
            raise ValueError(f"{name} must be among {allowed}, got {v!r}")
    return names
