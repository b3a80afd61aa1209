"""The claims scoreboard (SPEC §8): the verdicts every chapter saved, gathered in one place.

Chapters save their verdicts with :func:`qbp.results.save_results` under ``data["claims"]``,
keyed by the claim id (``"C1"``), or by another key (``"C4_beyond_default"``) when they add
evidence on a claim that another chapter decides; the :class:`qbp.claims.Verdict` inside
always names its claim. :func:`collect` reads a folder of results files and returns a
:class:`Scoreboard` with one *primary* :class:`Entry` per claim C1–C7 — marked
:data:`NOT_COMPUTED` when no file holds it, never left out — and the extra entries.
:func:`key_numbers` and :func:`describe` turn entries into what the conclusions page shows
(which profile a chapter ran with comes from the run manifest, :mod:`qbp.book.manifest`).

**Example** (a folder without results)::

    >>> board = collect("no-such-folder")
    >>> [e.verdict for e in board.primary()] == [NOT_COMPUTED] * 7
    True
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..claims import CLAIMS, EXPECTED_CHAPTER, SHORT, VERDICTS, Verdict
from ..results import load_results

__all__ = ["CLAIMS", "SHORT", "EXPECTED_CHAPTER", "NOT_COMPUTED", "OUTCOMES", "Entry",
           "Scoreboard", "collect", "key_numbers", "format_value",
           "format_parameters", "describe"]

#: The verdict of a claim that no results file holds.
NOT_COMPUTED = "not computed"
#: Every outcome, strongest verdict first.
OUTCOMES = (*VERDICTS, NOT_COMPUTED)

# Headline numbers per claim: (path into Verdict.numbers, label). ``*`` in a path runs over
# the keys of a mapping (tolerances, optimizers); ``{0}`` in the label is that key. Numbers
# are listed grouped by that key, in this order within a group.
_HEADLINE = {
    "C1": [("improvement_factor", "improvement factor"),
           ("orders_of_magnitude", "orders of magnitude"),
           ("spearman_rho", "ρ")],
    "C2": [("first", "median |∇C|, lowest degree"),
           ("last", "highest degree"),
           ("spearman_rho", "ρ")],
    "C3": [("per_tol.*.first", "tol {0}: ratio, lowest degree"),
           ("per_tol.*.last", "highest degree"),
           ("per_tol.*.spearman_rho", "ρ")],
    "C4": [("spread.*", "tol {0}: spread over R"),
           ("groups.*.spread.*", "group {0}, tol {1}: spread over R")],
    "C5": [("per_optimizer.*.first", "{0}: best success, lowest degree"),
           ("per_optimizer.*.last", "highest degree"),
           ("per_optimizer.*.spearman_rho", "ρ")],
    "C6": [("mean_sensitivity", "mean learning-rate sensitivity"),
           ("spearman_rho", "ρ")],
    "C7": [("n_within", "halvings near one quartile"),
           ("n_pairs", "halvings"),
           ("mean_rank", "mean halving rank")],
}
# Thresholds of a verdict rule: part of the rule, not evidence.
_RULE_KEYS = {"factor_holds", "factor_partly", "rho_max", "rho_holds", "spread_holds",
              "spread_partly", "sensitivity_holds", "target", "band", "large_tol"}


@dataclass(frozen=True)
class Entry:
    """One verdict on the scoreboard, with where it comes from.

    ``chapter`` is the stem of the results file (``01_circuit_landscape``) and ``key`` the
    key under its ``data["claims"]``; both are None for a claim that is not computed.
    ``primary`` is True for the one entry per claim that decides it.
    """

    claim: str
    verdict: str
    chapter: str | None = None
    key: str | None = None
    reason: str = ""
    numbers: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    primary: bool = True

    @property
    def statement(self) -> str:
        """The claim as SPEC §8 states it."""
        return CLAIMS[self.claim]

    @property
    def computed(self) -> bool:
        return self.verdict != NOT_COMPUTED


@dataclass(frozen=True)
class Scoreboard:
    """All entries of a results folder: see :func:`collect`."""

    entries: tuple[Entry, ...]
    chapters: dict  # stem -> {"parameters": ..., "qbp_version": ..., "claims": [keys]}
    problems: tuple[str, ...] = ()  # files or entries that could not be used, and why
    results_dir: str = "results"

    def primary(self) -> list[Entry]:
        """One entry per claim, C1 … C7 in order."""
        return [e for e in self.entries if e.primary]

    def extra(self) -> list[Entry]:
        """Further evidence: entries that do not decide their claim."""
        return [e for e in self.entries if not e.primary]

    def entry(self, claim: str) -> Entry:
        """The primary entry of ``claim``."""
        for e in self.primary():
            if e.claim == claim:
                return e
        raise KeyError(f"unknown claim {claim!r} (known: {', '.join(CLAIMS)})")

    def counts(self) -> dict[str, int]:
        """How many claims have each outcome (``holds`` … ``not computed``)."""
        verdicts = [e.verdict for e in self.primary()]
        return {outcome: verdicts.count(outcome) for outcome in OUTCOMES}


def _claim_entries(stem: str, document: dict, problems: list[str]) -> list[Entry]:
    claims = document["data"].get("claims") if isinstance(document["data"], dict) else None
    if claims is None:
        return []
    if not isinstance(claims, dict):
        problems.append(f"{stem}: data['claims'] is not a mapping")
        return []
    entries = []
    for key, raw in claims.items():
        try:
            verdict = Verdict(raw["claim"], raw["verdict"], raw.get("reason", ""),
                              raw.get("numbers") or {})
        except (TypeError, KeyError, ValueError) as err:
            problems.append(f"{stem}: claim entry {key!r} is not a verdict ({err})")
            continue
        if verdict.claim not in CLAIMS:
            problems.append(f"{stem}: claim entry {key!r} names unknown claim "
                            f"{verdict.claim!r}")
            continue
        entries.append(Entry(verdict.claim, verdict.verdict, stem, str(key), verdict.reason,
                             dict(verdict.numbers), dict(document["parameters"]),
                             primary=(key == verdict.claim)))
    return entries


def collect(results_dir="results") -> Scoreboard:
    """Read every ``*.json`` results file in ``results_dir`` and gather the verdicts.

    Each claim C1–C7 gets one primary entry: the verdict saved under its own id (``"C1"``);
    if several files have one, the file of :data:`EXPECTED_CHAPTER` wins, else the first in
    name order, and the others become extra entries. A claim that no file holds is
    :data:`NOT_COMPUTED`. Files that are not results files, or verdicts that do not parse,
    are listed in ``problems`` and otherwise ignored; a missing folder means no results.
    """
    folder = Path(results_dir)
    problems: list[str] = []
    chapters: dict[str, dict] = {}
    found: list[Entry] = []
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not folder.is_dir():
        problems.append(f"no results folder {results_dir}")
    for path in paths:
        try:
            document = load_results(path)
        except (OSError, ValueError) as err:  # json.JSONDecodeError is a ValueError
            problems.append(f"{path.name}: not a readable results file ({err})")
            continue
        stem = path.stem
        entries = _claim_entries(stem, document, problems)
        chapters[stem] = {"parameters": document["parameters"],
                          "qbp_version": document["qbp_version"],
                          "claims": [e.key for e in entries]}
        found += entries

    board: list[Entry] = []
    for claim in CLAIMS:
        own = [e for e in found if e.claim == claim]
        deciding = [e for e in own if e.primary]
        deciding.sort(key=lambda e: e.chapter != EXPECTED_CHAPTER.get(claim))  # stable
        if deciding:
            board.append(deciding[0])
            board += [Entry(**{**e.__dict__, "primary": False}) for e in deciding[1:]]
        else:
            board.append(Entry(claim, NOT_COMPUTED))
        board += [e for e in own if not e.primary]
    return Scoreboard(tuple(board), chapters, tuple(problems), str(results_dir))


# --- what the page shows ---------------------------------------------------------------------


def _lookup(numbers: Any, parts: list[str], matched: tuple = ()):
    """Every (wildcard keys, value) at ``parts`` in nested mappings and lists (a list's
    wildcard keys count from 1)."""
    if not parts:
        yield matched, numbers
        return
    head, rest = parts[0], parts[1:]
    if head == "*" and isinstance(numbers, list):
        for i, value in enumerate(numbers, start=1):
            yield from _lookup(value, rest, (*matched, i))
    elif head == "*" and isinstance(numbers, dict):
        for key, value in numbers.items():
            yield from _lookup(value, rest, (*matched, key))
    elif isinstance(numbers, dict) and head in numbers:
        yield from _lookup(numbers[head], rest, matched)


def _is_number(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _flatten(numbers: dict, prefix: str = ""):
    for key, value in numbers.items():
        if key in _RULE_KEYS:
            continue
        label = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key} ")
        elif _is_number(value):
            yield label, value


def key_numbers(entry: Entry) -> list[tuple[str, Any]]:
    """The headline numbers behind a verdict: (label, value) pairs from ``entry.numbers``.

    Known claims pick a few named numbers (C1: improvement factor, orders of magnitude and
    rank correlation; C7: halvings near one quartile …); if none of them is there, every
    scalar of ``numbers`` except the rule's thresholds. Values may be None (a NaN saved as
    JSON null, e.g. an undefined correlation).
    """
    picked = []
    for path, label in _HEADLINE.get(entry.claim, []):
        for keys, value in _lookup(entry.numbers, path.split(".")):
            if _is_number(value):
                picked.append((keys, label.format(*keys), value))
    picked.sort(key=lambda item: item[0])  # stable: headline order within each group
    return [(label, value) for _, label, value in picked] or list(_flatten(entry.numbers))


def format_value(value) -> str:
    """A number or parameter as the page prints it: 3 significant digits for floats."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "undefined"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = f"{value:.3g}"
        return text.replace("-", "−") if text.startswith("-") else text
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def _parameter_text(value) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_parameter_text(v) for v in value) + "]"
    return repr(value) if isinstance(value, (str, float)) else str(value)


def format_parameters(parameters: dict) -> str:
    """``name = value`` pairs, comma separated, values exactly as saved (``tol_small = 0.001``,
    ``resolutions = [45, 90]``)."""
    return ", ".join(f"{k} = {_parameter_text(v)}" for k, v in parameters.items())


def _doc(stem: str) -> str:
    return f"{{doc}}`{stem}`"


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def describe(entry: Entry, board: Scoreboard | None = None,
             link: Callable[[str], str] = _doc, run: str | None = None) -> str:
    """A short MyST paragraph on one claim: its verdict, the reason its chapter computed,
    where it was computed (``link(stem)``, a ``{doc}`` role by default) and with which
    parameters (``run``, e.g. "the quick profile"; default: the parameters). With ``board``,
    the claim's extra entries follow. Everything comes from the entry: nothing is typed."""
    if not entry.computed:
        expected = EXPECTED_CHAPTER.get(entry.claim)
        where = f" It is decided in chapter `{expected}`." if expected else ""
        folder = board.results_dir if board else "the results folder"
        text = (f"**{entry.claim} not computed.** No results file in `{folder}` holds a verdict "
                f"on this claim.{where} Build the whole book (`qbp build`), or run that chapter "
                f"and then this page, to fill it in.")
    else:
        with_ = run or (format_parameters(entry.parameters) or "its default parameters")
        text = (f"**{entry.claim} {entry.verdict}.** {_sentence(entry.reason)} "
                f"Computed in {link(entry.chapter)} with {with_}.")
    if board is not None:
        for extra in (e for e in board.extra() if e.claim == entry.claim):
            text += (f"\n\nFurther evidence from {link(extra.chapter)} (`{extra.key}`), which "
                     f"does not decide the claim: **{extra.verdict}**. {_sentence(extra.reason)}")
    return text


def chapter_title(notebook) -> str | None:
    """The first ``# `` heading of a notebook's markdown cells, None if there is none or the
    file does not exist (the conclusions table names chapters by it)."""
    path = Path(notebook)
    if not path.is_file():
        return None
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in (source if isinstance(source, str) else "".join(source)).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


__all__ += ["chapter_title"]
