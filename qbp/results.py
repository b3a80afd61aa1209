"""Chapter results as JSON: the numbers and verdicts a chapter computed, with its parameters.

Each chapter ends with :func:`save_results`; the conclusions page reads the files back with
:func:`load_results`. A file is ``{"qbp_version": ..., "provenance": {...}, "parameters":
{...}, "data": {...}, "checksum": ...}``; a file that does not read back intact raises
:class:`qbp._io.DamagedFile` instead of being trusted.

Two keys of ``data`` are read by the conclusions page (:mod:`qbp.book.scoreboard`):

- ``data["claims"]``: {claim id: :class:`qbp.claims.ClaimResult`} (or its ``to_dict()``), the
  verdicts the chapter judged on the settings matrix;
- ``data["findings"]`` (:data:`FINDINGS`): what the chapter found, as a list of 1 to
  :data:`MAX_FINDINGS` short sentences computed by the chapter (each one line of at most
  :data:`MAX_FINDING_LENGTH` characters, plain MyST text: math and ``{doc}``/``{ref}``
  roles are fine, ``{glue}`` roles are not, since the page that shows them is another one).
  :func:`save_results` checks them with :func:`check_findings`.
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

__all__ = ["save_results", "load_results", "to_json", "check_findings", "FINDINGS",
           "MAX_FINDINGS", "MAX_FINDING_LENGTH"]

#: Key of ``data`` under which a chapter saves its findings (see :func:`check_findings`).
FINDINGS = "findings"
#: At most this many findings per chapter: the conclusions page lists them all.
MAX_FINDINGS = 8
#: At most this many characters per finding: one short sentence.
MAX_FINDING_LENGTH = 300


def check_findings(findings) -> list[str]:
    """``data["findings"]`` checked: a list (or tuple) of 1 to :data:`MAX_FINDINGS` strings,
    each a non-empty single line of at most :data:`MAX_FINDING_LENGTH` characters without a
    ``{glue`` role. Returns them as a list of stripped strings.

    TypeError / ValueError naming ``data['findings']`` otherwise. Example::

        save_results("results/04_trajectories.json",
                     {"findings": ["Adam ends in the basin the flow predicts for 93 % of starts."]},
                     parameters)
    """
    name = f"data[{FINDINGS!r}]"
    if isinstance(findings, (str, bytes)) or not isinstance(findings, (list, tuple)):
        raise TypeError(f"{name} must be a list of sentences, got {type(findings).__name__}")
    if not 1 <= len(findings) <= MAX_FINDINGS:
        raise ValueError(f"{name} must hold 1 to {MAX_FINDINGS} sentences, got {len(findings)}")
    out = []
    for i, text in enumerate(findings):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] must be a string, got {type(text).__name__}")
        text = text.strip()
        if not text or "\n" in text or len(text) > MAX_FINDING_LENGTH:
            raise ValueError(f"{name}[{i}] must be one non-empty line of at most "
                             f"{MAX_FINDING_LENGTH} characters, got {text[:60]!r}"
                             f"{'…' if len(text) > 60 else ''} ({len(text)} characters)")
        if "{glue" in text:
            raise ValueError(f"{name}[{i}] must not use a glue role (the conclusions page cannot "
                             f"resolve another page's glue): put the computed text in the string")
        out.append(text)
    return out


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
    cannot hold (see :func:`to_json`); ``data["findings"]``, if present, must pass
    :func:`check_findings`.
    """
    if not isinstance(data, dict) or not isinstance(parameters, dict):
        raise TypeError("data and parameters must be dicts")
    if FINDINGS in data:
        data = {**data, FINDINGS: check_findings(data[FINDINGS])}
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
