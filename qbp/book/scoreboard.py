"""The claims scoreboard (SPEC §8, §11): what every chapter computed, gathered for the
conclusions page.

Chapters save, with :func:`qbp.results.save_results`, their judged claims under
``data["claims"]`` — {key: :class:`qbp.claims.ClaimResult`}, every cell of the settings
matrix included — and a few computed sentences under ``data["findings"]``
(:func:`qbp.results.check_findings`). :func:`collect` reads a folder of results files into a
:class:`Scoreboard`: one *primary* :class:`Entry` per claim C1–C7, from the chapter that
:data:`qbp.claims.REGISTRY` says decides it, **not computed** (with the reason) when that
chapter saved none, never left out; results on a claim from other chapters are further
evidence (:meth:`Scoreboard.extra`), never the verdict. Verdicts saved in the superseded
single-configuration format (:class:`qbp.claims.Verdict`, no cells) are not shown as
verdicts: the claim is not computed, and the note says why.

What the page shows is made here, from the saved cells only: :func:`why` (a one-line reason
computed from a claim's cells), :meth:`Scoreboard.markdown_table`, :func:`chapter_findings`,
:func:`summary`, :func:`profile_note` (the profile of this build, compared with the verdicts
of a paper build recorded in ``book/paper_verdicts.json``: :func:`load_paper_verdicts`) and
:func:`plot_entry`.

**Example** (a folder without results)::

    >>> board = collect("no-such-folder")
    >>> [e.verdict for e in board.primary()] == [NOT_COMPUTED] * 7
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..claims import (C1_CONTRADICTS_AT, C1_SUPPORTS_AT, C4_CONTRADICTS_ABOVE, C4_SUPPORTS_AT,
                      C7_BAND, CLAIMS, EXPECTED_CHAPTER, REGISTRY, SHORT, VERDICTS, ClaimResult)
from ..results import FINDINGS, check_findings, load_results
from . import text

__all__ = ["CLAIMS", "SHORT", "EXPECTED_CHAPTER", "NOT_COMPUTED", "OUTCOMES", "PAPER_VERDICTS",
           "Entry", "ChapterResults", "Scoreboard", "PaperVerdicts", "collect", "why", "doc_link", "linker",
           "plateau_findings", "chapter_findings", "summary", "build_profile", "record",
           "load_paper_verdicts", "differences", "compare_with_paper", "profile_note", "plot_entry", "caption"]

#: The verdict of a claim whose deciding chapter saved no result.
NOT_COMPUTED = "not computed"
#: Every outcome, strongest verdict first.
OUTCOMES = (*VERDICTS, NOT_COMPUTED)
#: The committed record of a paper build's verdicts, beside the conclusions page.
PAPER_VERDICTS = "paper_verdicts.json"
#: The conclusions page's own stem: its results file is the record of this build's verdicts.
CONCLUSIONS = "conclusions"

Link = Callable[[str], str]


def doc_link(stem: str) -> str:
    """A MyST link to a chapter that shows its title: ``{doc}`01_circuit_landscape```."""
    return f"{{doc}}`{stem}`"


def linker(folder=".") -> Link:
    """:func:`doc_link` for chapters whose notebook is in ``folder`` (in a book, their page
    exists), the stem in italics for the others (a link would be a broken reference)."""
    folder = Path(folder)
    return lambda stem: doc_link(stem) if (folder / f"{stem}.ipynb").is_file() else f"*{stem}*"


@dataclass(frozen=True)
class Entry:
    """One claim's result on the scoreboard.

    ``result``: the :class:`qbp.claims.ClaimResult` a chapter saved, or None when the claim
    is not computed; ``chapter``: the stem of its results file (for a claim not computed, the
    chapter that should decide it); ``key``: its key under ``data["claims"]``; ``note``: why
    it is not computed, with ``{chapter}`` where the chapter's link goes; ``primary``: True
    for the entry that decides the claim, False for further evidence from another chapter.
    """

    claim: str
    result: ClaimResult | None = None
    chapter: str | None = None
    key: str | None = None
    parameters: dict = field(default_factory=dict)
    note: str = ""
    primary: bool = True

    @property
    def computed(self) -> bool:
        return self.result is not None

    @property
    def verdict(self) -> str:
        """holds / partly / does not hold, or :data:`NOT_COMPUTED`."""
        return self.result.verdict if self.result is not None else NOT_COMPUTED

    @property
    def statement(self) -> str:
        """The claim as SPEC §8 states it."""
        return CLAIMS[self.claim]

    @property
    def short(self) -> str:
        return SHORT[self.claim]

    @property
    def sentence(self) -> str:
        """The counts ("supports in 7 of 12 settings, contradicts in 2"), or "" if not computed."""
        return self.result.sentence if self.result is not None else ""

    def counts(self) -> dict[str, int]:
        """{supports, contradicts, inconclusive: number of cells}; zeros if not computed."""
        r = self.result
        if r is None:
            return {"supports": 0, "contradicts": 0, "inconclusive": 0}
        return {"supports": r.n_supports, "contradicts": r.n_contradicts,
                "inconclusive": r.n_inconclusive}

    def why(self, link: Link = doc_link, power: bool = True) -> str:
        """One line: :func:`why` of the cells (``power``: with its note on too few layer
        counts), or why the claim is not computed."""
        if self.result is not None:
            return why(self.result, power)
        return _sentence(self.note.format(chapter=link(self.chapter) if self.chapter else "?"))

    def admonition(self, link: Link = doc_link) -> str:
        """The claim's verdict box, in the form every chapter's box has
        (:func:`qbp.book.text.claim_admonition`: the statement, what the settings say, the
        trend test's limits), then :meth:`why` and the chapter that decided it."""
        if self.result is None:
            return text.verdict_admonition(self.claim, NOT_COMPUTED, self.why(link),
                                           self.statement)
        return text.claim_admonition(
            self.result, detail=f"{self.why(link, power=False)} Decided in {link(self.chapter)}.")


@dataclass(frozen=True)
class ChapterResults:
    """What one results file holds: ``stem``, ``parameters``, ``qbp_version``,
    ``code_digest`` (of the science code that computed it), ``claims`` (the claim ids of the
    claim results it saved), ``findings`` (its sentences, or those :func:`plateau_findings`
    derives for chapter 06's plateau scans) and ``data`` (everything it saved)."""

    stem: str
    parameters: dict
    qbp_version: str
    code_digest: str | None
    claims: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    data: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Scoreboard:
    """All results of a folder: see :func:`collect`."""

    entries: tuple[Entry, ...]
    chapters: dict  # stem -> ChapterResults, in name order
    problems: tuple[str, ...] = ()  # files or entries that could not be used, and why
    results_dir: str = "results"

    def primary(self) -> list[Entry]:
        """One entry per claim, C1 … C7 in order."""
        return [e for e in self.entries if e.primary]

    def extra(self) -> list[Entry]:
        """Further evidence: claim results from chapters that do not decide the claim."""
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

    def cell_counts(self) -> dict[str, int]:
        """Cells of every computed primary claim: {supports, contradicts, inconclusive}."""
        out = {"supports": 0, "contradicts": 0, "inconclusive": 0}
        for e in self.primary():
            for k, v in e.counts().items():
                out[k] += v
        return out

    def table(self, link: Link = doc_link):
        """The claims as a :class:`pandas.DataFrame`, one row per primary entry: ``claim``
        ("C1 · sharing improves the global minimum"), ``verdict``, ``settings`` (the counts
        sentence, or –), ``why`` (:meth:`Entry.why`) and ``chapter`` (``link`` of the deciding
        chapter)."""
        import pandas as pd

        rows = [{"claim": f"{e.claim} · {e.short}", "verdict": e.verdict,
                 "settings": e.sentence or "–", "why": e.why(link),
                 "chapter": link(e.chapter) if e.chapter else "–"} for e in self.primary()]
        return pd.DataFrame(rows, columns=["claim", "verdict", "settings", "why", "chapter"])

    def markdown_table(self, link: Link = doc_link) -> str:
        """:meth:`table` as a MyST (GitHub-style) table, the verdicts in bold, to glue with
        ``{glue:md}`` and ``:format: myst``; ``|`` in a cell is escaped."""
        table = self.table(link)
        head = ["Claim", "Verdict", "Settings", "Why", "Decided in"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in table.itertuples(index=False):
            cells = [row.claim, f"**{row.verdict}**", row.settings, row.why, row.chapter]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines)


def _cell(value: str) -> str:
    # a "|" inside a role (|∇C| in a quantity) would end the table cell
    return str(value).replace("|", "\\|")


def _sentence(words: str) -> str:
    words = words.strip().rstrip(".")
    return words[:1].upper() + words[1:] + "." if words else ""


# --- reading the results folder --------------------------------------------------------------

_NO_FILE = "no results file of {chapter} in this build: the chapter did not run"
_UNREADABLE = "the results file of {chapter} could not be read"
_OLD_FORMAT = ("{chapter} saved a verdict on one configuration only (the format before the "
               "settings matrix), which this page does not count")
_NO_ENTRY = "{chapter} saved no result for this claim"
_BAD_ENTRY = "the result {chapter} saved for this claim could not be read"


def _is_old_verdict(raw) -> bool:
    """A superseded :class:`qbp.claims.Verdict` dict: claim, verdict, reason, no cells."""
    return isinstance(raw, dict) and "cells" not in raw and {"claim", "verdict"} <= set(raw) \
        and "reason" in raw


def _read_claims(stem: str, data: dict, problems: list[str]):
    """[(key, ClaimResult)], {claim: note} of claims this file could not give."""
    claims = data.get("claims")
    results, notes = [], {}
    if claims is None:
        return results, notes
    if not isinstance(claims, dict):
        problems.append(f"{stem}: data['claims'] is not a mapping")
        return results, notes
    for key, raw in claims.items():
        claim = raw.get("claim") if isinstance(raw, dict) else None
        if _is_old_verdict(raw):
            if claim in CLAIMS:
                notes.setdefault(claim, _OLD_FORMAT)
            problems.append(f"{stem}: {key!r} is a single-configuration verdict (superseded "
                            f"format, no cells): not shown as a verdict")
            continue
        try:
            result = ClaimResult.from_dict(raw)
        except (TypeError, ValueError, KeyError) as err:
            problems.append(f"{stem}: claim entry {key!r} is not a claim result ({err})")
            if claim in CLAIMS:
                notes.setdefault(claim, _BAD_ENTRY)
            continue
        results.append((str(key), result))
    return results, notes


def _findings(stem: str, data: dict, problems: list[str]) -> tuple[str, ...]:
    if FINDINGS in data:
        try:
            return tuple(check_findings(data[FINDINGS]))
        except (TypeError, ValueError) as err:
            problems.append(f"{stem}: {err}")
            return ()
    if "scans" in data:  # chapter 06's plateau scans, saved before findings existed
        try:
            return tuple(plateau_findings(data))
        except (TypeError, ValueError, KeyError, IndexError) as err:
            problems.append(f"{stem}: its plateau scans could not be summarised ({err!r})")
    return ()


def collect(results_dir="results") -> Scoreboard:
    """Read every ``*.json`` results file in ``results_dir`` and gather claims and findings.

    Each claim C1–C7 gets one primary entry: the :class:`qbp.claims.ClaimResult` that its
    deciding chapter (:data:`qbp.claims.EXPECTED_CHAPTER`, the file ``<stem>.json``) saved
    for it — under the claim id if several keys hold that claim. Without one the claim is
    :data:`NOT_COMPUTED`, with a note: no file, an unreadable file, a verdict in the
    superseded single-configuration format, or no entry. Claim results in other files are
    further evidence (``primary=False``), listed after their claim's entry. Unreadable files
    and entries are listed in ``problems``, never fatal; a missing folder means no results.
    The conclusions page's own file (``conclusions.json``) is not a chapter and is skipped.
    """
    folder = Path(results_dir)
    problems: list[str] = []
    chapters: dict[str, ChapterResults] = {}
    found: list[Entry] = []
    unreadable: set[str] = set()
    notes: dict[tuple[str, str], str] = {}  # (stem, claim) -> note
    if not folder.is_dir():
        problems.append(f"no results folder {results_dir}")
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        stem = path.stem
        if stem == CONCLUSIONS:
            continue
        try:
            document = load_results(path)
        except (OSError, ValueError) as err:  # DamagedFile is a ValueError
            problems.append(f"{path.name}: not a readable results file ({err})")
            unreadable.add(stem)
            continue
        data = document["data"] if isinstance(document["data"], dict) else {}
        results, file_notes = _read_claims(stem, data, problems)
        notes.update({(stem, claim): note for claim, note in file_notes.items()})
        chapters[stem] = ChapterResults(
            stem, dict(document["parameters"]), document["qbp_version"],
            (document.get("provenance") or {}).get("code_digest"),
            tuple(dict.fromkeys(r.claim for _, r in results)), _findings(stem, data, problems),
            data)
        for key, result in results:
            found.append(Entry(result.claim, result, stem, key, dict(document["parameters"]),
                               primary=stem == EXPECTED_CHAPTER[result.claim]))

    board: list[Entry] = []
    for claim, chapter in EXPECTED_CHAPTER.items():
        own = [e for e in found if e.claim == claim and e.primary]
        own.sort(key=lambda e: e.key != claim)  # stable: the claim's own key first
        if own:
            board.append(own[0])
            board += [Entry(**{**e.__dict__, "primary": False}) for e in own[1:]]
        else:
            note = (_UNREADABLE if chapter in unreadable else
                    notes.get((chapter, claim), _NO_ENTRY if chapter in chapters else _NO_FILE))
            board.append(Entry(claim, None, chapter, note=note))
        board += [e for e in found if e.claim == claim and not e.primary
                  and e.chapter != chapter]
    return Scoreboard(tuple(board), chapters, tuple(problems), str(results_dir))


# --- a claim's cells in one line --------------------------------------------------------------

_PARTICIPLE = {"supports": "supported", "inconclusive": "inconclusive",
               "contradicts": "contradicted"}
#: Setting axes tried, in this order, for a split of the outcomes ("supported at n = 2, …").
_SPLIT_AXES = ("n_qubits", "cost", "tol", "optimizer", "steps", "layers", "seed")
_COST_TEXT = {"tfim": "the TFIM energy", "infidelity": "the infidelity"}
_OPTIMIZER_TEXT = {"adam": "Adam", "sgd": "SGD"}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _where(axis: str, values: list) -> str:
    """Setting values as words: "at n = 3 and 4", "with the infidelity", "with seeds 0 and 1"."""
    if axis == "cost":
        return "with " + _join([_COST_TEXT.get(v, str(v)) for v in values])
    if axis == "optimizer":
        return "with " + _join([_OPTIMIZER_TEXT.get(v, str(v)) for v in values])
    if axis == "seed":
        return f"with seed{'s' if len(values) > 1 else ''} " + _join([str(v) for v in values])
    if axis == "tol":
        return "at tol = " + _join([text.number(v) for v in values])
    name = {"n_qubits": "n", "layers": "L", "steps": "T"}.get(axis, axis)
    return f"at {name} = " + _join([str(v) for v in values])


def _split(cells) -> str:
    """How the outcomes fall: all one outcome, or a split along one setting axis that
    separates them exactly; "" if no single axis does."""
    outcomes = [c.outcome for c in cells]
    kinds = [o for o in _PARTICIPLE if o in outcomes]
    if len(kinds) == 1:
        n = len(cells)
        where = "the one setting" if n == 1 else "both settings" if n == 2 else f"all {n} settings"
        return f"{_PARTICIPLE[kinds[0]]} in {where}"
    for axis in _SPLIT_AXES:
        values = list(dict.fromkeys(c.setting.get(axis) for c in cells))
        if len(values) < 2 or None in values:
            continue
        by_value = {v: {c.outcome for c in cells if c.setting.get(axis) == v} for v in values}
        if all(len(s) == 1 for s in by_value.values()):
            parts = [f"{_PARTICIPLE[o]} {_where(axis, [v for v in values if by_value[v] == {o}])}"
                     for o in kinds]
            return ", ".join(parts)
    return ""


def _span(values: list[float], fmt: Callable[[float], str], one: str = "{}") -> str:
    """"between a and b", or ``one`` filled with the value when all are written alike."""
    low, high = fmt(min(values)), fmt(max(values))
    return one.format(low) if low == high else f"between {low} and {high}"


def _plain_quantity(quantity: str) -> str:
    """"median exact |∇C| (cost per radian)" → "median exact |∇C|"."""
    return quantity.split(" (")[0].strip()


def _detail(cells, power: bool = True) -> str:
    """What the cells' statistics say, in the rule's own terms (``power``: with a note when
    no trend test can reach its level)."""
    stats = [c.statistic for c in cells]
    names = {s.get("name") for s in stats} - {"undefined"}
    undefined = sum(s.get("name") == "undefined" for s in stats)
    tail = (f"; the statistic is undefined in {undefined} setting{'s' if undefined > 1 else ''} "
            f"(see its cells)" if undefined else "")
    judged = [s for s in stats if s.get("name") != "undefined"]
    if not judged:
        return f"the statistic is undefined in every setting{'' if len(cells) == 1 else 's'}"
    name = names.pop() if len(names) == 1 else None
    values = [float(s["value"]) for s in judged]
    if name == "F":
        return (f"the improvement factor F over L = 1 is {_span(values, text.number)} (support "
                f"needs F ≥ {text.number(C1_SUPPORTS_AT)}, F ≤ {text.number(C1_CONTRADICTS_AT)} "
                f"contradicts){tail}")
    if name == "spread":
        return (f"the flow ratio's largest change over the resolutions (at its worst layer "
                f"count) is {_span(values, text.rate)} (support needs at most "
                f"{text.rate(C4_SUPPORTS_AT)}, more than {text.rate(C4_CONTRADICTS_ABOVE)} "
                f"contradicts){tail}")
    if name == "halvings_in_band":
        low = min(float(s["min_rank"]) for s in judged)
        high = max(float(s["max_rank"]) for s in judged)
        return (f"the median at R/2 sits at percentile ranks {_span([low, high], text.number)} "
                f"at R (support needs {text.number(C7_BAND[0])} to {text.number(C7_BAND[1])} at "
                f"every halving){tail}")
    if name == "spearman_rho":
        direction = judged[0]["direction"]
        claimed = sum((v > 0) if direction == "increasing" else (v < 0) for v in values)
        first = next(c for c in cells if c.statistic.get("name") == "spearman_rho")
        quantity = _plain_quantity(first.quantity)
        verb = "rises" if direction == "increasing" else "falls"
        against = ("as the deceptiveness ratio rises" if first.statistic.get("x") == "ratio"
                   else "with sharing")
        out = (f"the {quantity} {verb} {against} in {claimed} of {len(judged)} settings "
               f"(ρ {_span(values, lambda v: text.signed(v, text.rate), '= {}')})")
        points = max(int(s["n"]) for s in judged)
        alpha = float(judged[0].get("alpha", 0.05))
        if power and 1 / math.factorial(points) >= alpha:
            out += (f"; with {points} layer counts no trend test can reach "
                    f"p < {text.number(alpha)}")
        return out + tail
    return f"{len(judged)} settings judged{tail}"


def why(result: ClaimResult, power: bool = True) -> str:
    """A claim's verdict explained in one line, computed from its cells only.

    The first part says how the outcomes fall: "Supported in all 6 settings", or a split
    along the first setting axis (n, cost, tol, optimizer, T, L, seed) that separates them
    exactly ("Supported at n = 2, inconclusive at n = 3 and 4"), omitted if none does. The
    second part gives the rule's statistic over the cells: C1 the range of the improvement
    factor F, C4 of the spread of the flow ratio over R, C7 of the halving ranks, the trend
    claims how many settings move in the claimed direction and the range of ρ (and, when no
    cell has enough layer counts for p < 0.05, that the test cannot reach it; not with
    ``power=False``, where :func:`qbp.book.text.trend_power` says it). Numbers as
    :mod:`qbp.book.text` writes them.
    """
    if not isinstance(result, ClaimResult):
        raise TypeError(f"result must be a qbp.claims.ClaimResult, got {type(result).__name__}")
    cells = list(result.cells)
    if not cells:
        return "No cells were saved."
    split = _split(cells)
    detail = _detail(cells, power)
    return _sentence(f"{split}; {detail}" if split else detail)


# --- findings of every chapter ----------------------------------------------------------------

def plateau_findings(data: dict) -> list[str]:
    """Findings from chapter 06's saved plateau scans (``data["scans"]``: the
    :meth:`qbp.plateaus.PlateauScan.summary` records, and ``data["sharing_vs_none"]``).

    One sentence per distinct pair of verdicts of the sharing schemes of the default circuit
    at L = n over the full domain (how the variance of ∂C/∂θ₀ falls with n for the global
    and the local cost, :func:`qbp.plateaus.sharing_verdicts`), one on how many rate comparisons with the
    unshared circuit differ, and one on the shallow circuits where Cerezo et al.'s contrast
    (exponential global, power-law local) appears.
    """
    from ..plateaus import sharing_verdicts

    scans = data["scans"]
    verdicts = {}
    for scheme in ("none", "layer", "type"):
        scan = next((s for s in scans if s["circuit"] == "default" and s["sharing"] == scheme
                     and s["layers"] == "n" and s["init"] == "full"), None)
        if scan is not None:
            verdicts[scheme] = scan["verdict"]
    out = (sharing_verdicts(verdicts, " at L = n layers, as n grows",
                            "variance of ∂C/∂θ₀") if verdicts else [])
    comparisons = data.get("sharing_vs_none") or {}
    if comparisons:
        k = sum(bool(c["differs"]) for c in comparisons.values())
        out.append(f"Sharing changes the fall of the variance per qubit by at least two errors "
                   f"in {k} of {len(comparisons)} comparisons with the unshared circuit.")
    shallow = [s for s in scans if s["circuit"] == "alternating"]
    if shallow:
        k = sum(s["verdict"].get("global") == "exponential"
                and s["verdict"].get("local") == "polynomial" for s in shallow)
        out.append(f"In shallow alternating circuits, an exponential fall for the global cost "
                   f"beside a power-law fall for the local cost appears at {k} of "
                   f"{len(shallow)} depth{'s' if len(shallow) > 1 else ''}.")
    return out


def chapter_findings(board: Scoreboard, stems=None, link: Link = doc_link) -> str:
    """Every chapter with its claims and findings, as a MyST list to glue with ``{glue:md}``.

    ``stems``: the chapters to list, in order (e.g. the book's, from the run manifest;
    default: every chapter with a results file); a chapter in ``stems`` without a results
    file says so. A chapter's line names the claims it judged (with their verdicts and
    counts; a claim it decides but did not compute as such) and lists its findings; a
    chapter with neither says that it saved none.
    """
    stems = list(board.chapters) if stems is None else [s for s in stems if s != CONCLUSIONS]
    lines = []
    for stem in stems:
        chapter = board.chapters.get(stem)
        if chapter is None:
            lines.append(f"- {link(stem)}: no results file in this build.")
            continue
        parts = []
        decided = [e for e in board.entries if e.chapter == stem]
        if decided:
            parts.append("; ".join(
                f"{e.claim} {'(further evidence) ' if not e.primary else ''}**{e.verdict}**"
                + (f", {e.sentence}" if e.computed else "") for e in decided) + ".")
        head = f"- {link(stem)}: " + (" ".join(parts) if parts else "")
        if chapter.findings:
            lines.append(head.rstrip())
            lines += [f"  - {f}" for f in chapter.findings]
        else:
            lines.append(head + ("" if parts else "no findings saved."))
    return "\n".join(lines)


def _claims_list(claims: list[str]) -> str:
    return f" ({', '.join(claims)})" if claims else ""


def summary(board: Scoreboard) -> str:
    """The scoreboard in two sentences: how many claims hold, hold partly, do not hold or
    are not computed (with their ids), and how the cells of the computed claims split."""
    primary = board.primary()
    by = {o: [e.claim for e in primary if e.verdict == o] for o in OUTCOMES}
    words = {"holds": ("holds", "hold"), "partly": ("holds partly", "hold partly"),
             "does not hold": ("does not hold", "do not hold"),
             NOT_COMPUTED: ("is not computed", "are not computed")}
    parts = [f"{len(c)}{_claims_list(c)} {words[o][len(c) != 1]}" for o, c in by.items() if c]
    first = f"Of the paper's {len(primary)} claims, {_join(parts)}."
    cells = board.cell_counts()
    total = sum(cells.values())
    if not total:
        return first
    return (first + f" Over the {total} settings of the computed claims, {cells['supports']} "
            f"support their claim, {cells['contradicts']} contradict it and "
            f"{cells['inconclusive']} are inconclusive.")


# --- profiles and the paper build's record ----------------------------------------------------


def build_profile(run_manifest, stems) -> str | None:
    """The one profile every chapter in ``stems`` ran with, per the run manifest
    (:class:`qbp.book.manifest.Manifest`); ``"custom"`` if they differ or one was changed
    with ``-p``; None without a manifest or chapters."""
    stems = [s for s in stems if s != CONCLUSIONS]
    if run_manifest is None or not stems:
        return None
    profiles = {run_manifest.profile_of(s) for s in stems}
    return profiles.pop() if len(profiles) == 1 and None not in profiles else "custom"


def record(board: Scoreboard, profile: str | None) -> dict:
    """What the conclusions page saves (``results/conclusions.json``): the ``profile`` and,
    per claim, its verdict, counts and deciding chapter. A paper build's copy of this file,
    committed as ``book/paper_verdicts.json``, is what :func:`load_paper_verdicts` reads."""
    verdicts = {}
    for e in board.primary():
        verdicts[e.claim] = {"verdict": e.verdict, "sentence": e.sentence,
                             "chapter": e.chapter, **e.counts()}
    digests = sorted({c.code_digest for c in board.chapters.values() if c.code_digest})
    return {"profile": profile, "verdicts": verdicts, "chapter_code_digests": digests}


@dataclass(frozen=True)
class PaperVerdicts:
    """The verdicts of a paper build as committed in ``book/paper_verdicts.json``:
    ``verdicts`` {claim: verdict}, ``sentences`` {claim: counts sentence}, the
    ``code_digest`` of the science code that computed them and the ``qbp_version``."""

    verdicts: dict
    sentences: dict
    code_digest: str | None
    qbp_version: str
    path: str


def load_paper_verdicts(path) -> PaperVerdicts | None:
    """The committed record of a paper build's verdicts, or None if there is no file.

    The file is the conclusions page's own results file from a paper build
    (``_build/stage/book/results/conclusions.json`` after ``bash dev.sh book --profile
    paper``, copied to ``book/paper_verdicts.json``). ValueError (naming the file) if it is
    damaged (:func:`qbp.results.load_results` checks its checksum), was not made with the
    paper profile, or lacks a claim.
    """
    path = Path(path)
    if not path.is_file():
        return None
    document = load_results(path)
    data = document["data"]
    profile = (data or {}).get("profile")
    if profile != "paper":
        raise ValueError(f"{path} was made by a build with the {profile or 'unknown'} profile, "
                         f"not the paper profile")
    raw = data.get("verdicts") or {}
    missing = [c for c in CLAIMS if c not in raw]
    if missing:
        raise ValueError(f"{path} holds no verdict for {', '.join(missing)}")
    return PaperVerdicts({c: raw[c]["verdict"] for c in CLAIMS},
                         {c: raw[c].get("sentence", "") for c in CLAIMS},
                         (document.get("provenance") or {}).get("code_digest"),
                         document["qbp_version"], str(path))


def differences(board: Scoreboard, paper: PaperVerdicts) -> list[tuple[str, str, str]]:
    """(claim, verdict here, verdict of the paper build) for every claim where they differ."""
    return [(e.claim, e.verdict, paper.verdicts[e.claim]) for e in board.primary()
            if e.verdict != paper.verdicts[e.claim]]


def compare_with_paper(record_path, paper_path) -> list[str] | None:
    """The claims whose verdict in a build's record (the conclusions page's results file,
    :func:`record`) differs from the committed paper build's (:func:`load_paper_verdicts`),
    in claim order; None when either file is missing or unusable, so that nothing is known
    (what the profile banner of ``qbp build`` says must agree with :func:`profile_note`)."""
    try:
        paper = load_paper_verdicts(paper_path)
        here = load_results(record_path)["data"]["verdicts"] if Path(record_path).is_file() \
            else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if paper is None or not isinstance(here, dict):
        return None
    return [c for c in CLAIMS
            if (here.get(c) or {}).get("verdict", NOT_COMPUTED) != paper.verdicts[c]]


_PAPER_COMMAND = "`bash dev.sh book --profile paper`"


def profile_note(board: Scoreboard, profile: str | None, paper: PaperVerdicts | None = None,
                 code_digest: str | None = None, problem: str | None = None) -> str:
    """Which profile these verdicts come from and what is known of the paper profile's.

    ``profile``: :func:`build_profile`; ``paper``: the committed record of a paper build
    (:func:`load_paper_verdicts`), or None; ``code_digest``: the science code digest of this
    build (:func:`qbp._version.code_digest`), compared with the record's; ``problem``: why a
    record present could not be used. A build with another profile says that its verdicts
    may differ from the paper profile's, and, with a record, for which claims they do.
    """
    if profile is None:
        head = ("No run manifest was found beside this page, so the profile of these results "
                "is not known.")
    elif profile == "custom":
        head = ("These results come from chapters run with different profiles or with "
                "parameters changed by `-p`.")
    else:
        head = f"These verdicts come from the **{profile}** profile."
    parts = [head]
    if problem:
        parts.append(f"The committed record of a paper build could not be used: {problem}.")
    if paper is None:
        if profile != "paper":
            parts.append(f"Under the paper profile (the paper's settings, {_PAPER_COMMAND}) "
                         f"verdicts may differ; no record of a paper build's verdicts is "
                         f"committed to compare with.")
        return " ".join(parts)
    differ = differences(board, paper)
    where = "the paper build recorded in `book/paper_verdicts.json`"
    if profile == "paper":
        parts.append(f"They {'agree' if not differ else 'do not agree'} with {where}"
                     + ("." if not differ else f" for {', '.join(c for c, _, _ in differ)}: "
                        f"that record is out of date."))
    elif not differ:
        parts.append(f"Every verdict agrees with {where}.")
    else:
        listed = "; ".join(f"{c}: **{here}** here, **{there}** there" for c, here, there in differ)
        parts.append(f"Under the paper profile the verdicts differ for {len(differ)} of "
                     f"{len(paper.verdicts)} claims ({where}): {listed}. To see its "
                     f"cells, build it with {_PAPER_COMMAND}.")
    if code_digest and paper.code_digest and code_digest != paper.code_digest:
        parts.append(f"That record was computed by other science code than this build "
                     f"(digest `{paper.code_digest[:12]}` against `{code_digest[:12]}`), so it "
                     f"may be out of date.")
    return " ".join(parts)


# --- the figure of a claim's cells ------------------------------------------------------------


def plot_entry(entry: Entry, ax=None):
    """The cells of a claim (:func:`qbp.plots.plot_cells`), or for a claim not computed a
    small panel that says so; returns the axes."""
    import matplotlib.pyplot as plt

    from ..plots import MAX_WIDTH, plot_cells

    if entry.computed:
        return plot_cells(entry.result, ax=ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_WIDTH, 0.8), layout="constrained")
    ax.text(0.5, 0.5, f"{entry.claim}: not computed in this build", ha="center", va="center",
            color="0.35", transform=ax.transAxes)
    ax.set_axis_off()
    return ax


def caption(entry: Entry) -> str:
    """The caption text of :func:`plot_entry`'s figure: what the squares are, and the axes."""
    if not entry.computed:
        return f"{entry.claim} ({entry.short}) was not computed in this build: no cells to show."
    cells = entry.result.cells
    axes = [a for a in ("layers", "tol", "steps", "optimizer", "seed")
            if any(a in c.setting for c in cells)]
    names = {"layers": "layers L", "tol": "tolerance", "steps": "run length T",
             "optimizer": "optimizer", "seed": "sampling seed"}
    columns = ("one column" if not axes else f"columns: {names[axes[0]]}" if len(axes) == 1
               else f"columns: {', '.join(names[a] for a in axes)}, outermost first")
    return (f"{entry.claim} ({entry.short}): the settings matrix, one square per setting, "
            f"coloured by what the setting says about the claim; the legend counts them. "
            f"Rows: qubits n and cost; {columns}.")
