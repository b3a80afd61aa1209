"""Chapter results as JSON: the numbers and verdicts a chapter computed, with its parameters.

Each chapter ends with :func:`save_results`; the conclusions page reads the files back with
:func:`load_results`. A file is ``{"qbp_version": ..., "parameters": {...}, "data": {...}}``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__

__all__ = ["save_results", "load_results", "to_json"]


def to_json(value: Any) -> Any:
    """``value`` as plain JSON types: NumPy scalars and arrays, tuples, paths and dataclasses
    (e.g. :class:`qbp.claims.Verdict`) are converted; dict keys become strings.

    Non-finite floats (NaN, ±inf) become ``None``, so the file is strict JSON.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, np.generic):  # NumPy scalar: bool_, integer, floating, str_
        return to_json(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a results file: {value!r}")


def save_results(path, data: dict, parameters: dict) -> Path:
    """Write ``data`` and the ``parameters`` that produced it to ``path`` (JSON), atomically.

    The file is written to a temporary file in the same folder and moved into place with
    ``os.replace``, so a reader never sees a half-written file. Folders are created as
    needed. Returns the path.
    """
    if not isinstance(data, dict) or not isinstance(parameters, dict):
        raise TypeError("data and parameters must be dicts")
    path = Path(path)
    document = {"qbp_version": __version__, "parameters": to_json(parameters), "data": to_json(data)}
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_results(path) -> dict:
    """Read a file written by :func:`save_results`: a dict with ``qbp_version``,
    ``parameters`` and ``data``."""
    path = Path(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    missing = {"qbp_version", "parameters", "data"} - set(document)
    if missing:
        raise ValueError(f"{path} is not a qbp results file (missing {sorted(missing)})")
    return document
