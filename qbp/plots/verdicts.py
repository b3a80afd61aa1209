"""Figures of verdicts (SPEC §8, §11): the claims scoreboard."""

from __future__ import annotations

import matplotlib.pyplot as plt

#: Colour of each verdict on the scoreboard, and of a claim not computed.
VERDICT_COLOURS = {"holds": "#2e7d32", "partly": "#e0a100", "does not hold": "#c62828",
                   "not computed": "#9e9e9e"}


def plot_scoreboard(claims, verdicts, labels=None, notes=None, extra=(), ax=None):
    """The verdict on each claim as a dot in its outcome's column; returns the axes.

    ``claims``: claim ids top to bottom; ``verdicts``: one of :data:`VERDICT_COLOURS`' keys
    per claim; ``labels``: a few words per claim for the y axis; ``notes``: text beside each
    dot (e.g. the chapter that computed it). ``extra``: (claim, verdict, note) triples drawn
    as hollow diamonds, for further evidence that does not decide the claim.
    """
    outcomes = list(VERDICT_COLOURS)[::-1]  # not computed, does not hold, partly, holds
    unknown = sorted({v for v in verdicts} - set(outcomes))
    if unknown or len(verdicts) != len(claims):
        raise ValueError(f"need one verdict per claim from {outcomes}, got {list(verdicts)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.42 * len(claims) + 1.2), layout="constrained")
    row = {c: i for i, c in enumerate(claims)}
    for i, (claim, verdict) in enumerate(zip(claims, verdicts)):
        x = outcomes.index(verdict)
        ax.scatter(x, i, s=150, color=VERDICT_COLOURS[verdict], zorder=3)
        if notes is not None and notes[i]:
            ax.annotate(notes[i], (x, i), xytext=(11, 0), textcoords="offset points",
                        va="center", fontsize=8, color="0.3")
    for claim, verdict, note in extra:
        x, y = outcomes.index(verdict), row[claim] + 0.32
        ax.scatter(x, y, s=55, marker="D", facecolor="white", zorder=3,
                   edgecolor=VERDICT_COLOURS[verdict], linewidth=1.5)
        if note:
            ax.annotate(note, (x, y), xytext=(9, 0), textcoords="offset points", va="center",
                        fontsize=7, color="0.4")
    wrapped = {"not computed": "not\ncomputed", "does not hold": "does not\nhold"}
    ax.set_xticks(range(len(outcomes)), [wrapped.get(o, o) for o in outcomes])
    for tick, outcome in zip(ax.get_xticklabels(), outcomes):
        tick.set_color(VERDICT_COLOURS[outcome])
    text = [f"{c}  {labels[i]}" if labels is not None else c for i, c in enumerate(claims)]
    ax.set_yticks(range(len(claims)), text)
    ax.set_xlim(-0.5, len(outcomes) - 0.5 + (0.9 if notes is not None or extra else 0.1))
    ax.set_ylim(len(claims) - 0.4, -0.6)
    ax.grid(True, axis="y", alpha=0.3)
    ax.tick_params(length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax
