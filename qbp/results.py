"""Chapter results as JSON: the numbers and verdicts a chapter computed, with its parameters.

Each chapter ends with :func:`save_results`; the conclusions page reads the files back with
:func:`load_results`. A file is ``{"qbp_version": ..., "provenance": {...}, "parameters":
{...}, "data": {...}, "checksum": ...}``; a file that does not read back intact raises
:class:`qbp._io.DamagedFile` instead of being trusted.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ._io import DamagedFile, atomic_write, digest
from ._version import __version__, provenance

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


def _canonical(document: dict) -> str:
    """The text the checksum is taken of: sorted keys, no whitespace, strict JSON."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def save_results(path, data: dict, parameters: dict) -> Path:
    """Write ``data`` and the ``parameters`` that produced it to ``path`` (JSON), atomically.

    The file holds ``qbp_version``, ``provenance`` (:func:`qbp._version.provenance`: the
    digest of qbp's science code and the numerical libraries' versions), ``parameters``,
    ``data`` and ``checksum``: the SHA-256 of the canonical JSON (sorted keys, no
    whitespace) of everything else, which :func:`load_results` verifies. It is written with
    :func:`qbp._io.atomic_write` (no reader sees half a file; the mode a plain ``open()``
    gives). Folders are created as needed. Returns the path. TypeError for values JSON
    cannot hold (see :func:`to_json`).
    """
    if not isinstance(data, dict) or not isinstance(parameters, dict):
        raise TypeError("data and parameters must be dicts")
    path = Path(path)
    document = {"qbp_version": __version__, "provenance": provenance(),
                "parameters": to_json(parameters), "data": to_json(data)}
    document["checksum"] = digest(_canonical(document))
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return path


def load_results(path) -> dict:
    """Read a file written by :func:`save_results`: a dict with ``qbp_version``,
    ``provenance``, ``parameters``, ``data`` and ``checksum``.

    Raises :class:`qbp._io.DamagedFile` (a ValueError naming the file and saying it is
    damaged) if the file is not JSON, not a qbp results file, or its checksum does not
    match its content (one altered digit is enough); FileNotFoundError if it is missing.
    """
    path = Path(path)
    raw = path.read_bytes()  # FileNotFoundError names the path
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedFile(path, f"not readable JSON ({exc})") from None
    if not isinstance(document, dict):
        raise DamagedFile(path, "not a qbp results file (not a JSON object)")
    missing = {"qbp_version", "provenance", "parameters", "data", "checksum"} - set(document)
    if missing:
        raise DamagedFile(path, f"not a qbp results file (missing {sorted(missing)})")
    body = {k: v for k, v in document.items() if k != "checksum"}
    try:
        expected = digest(_canonical(body))
    except ValueError:  # NaN or infinity written into the file by hand
        expected = None
    if document["checksum"] != expected:
        raise DamagedFile(path, "its checksum does not match its content")
    return document
