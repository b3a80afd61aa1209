"""Success rates read for one setting of the settings matrix (SPEC §6, §11; chapter 05).

:func:`qbp.matrix.success_study` measures, on the whole matrix, how often Adam and SGD runs
*settle* within tol of C* (SPEC §11). This module reads one setting of it for the book's
narrative, each reading with its Wilson 95 % interval, and holds the rules that turn
comparisons into words:

- :func:`compare_rates`: two success rates, and the word for their difference — "higher" or
  "lower" only where Newcombe's interval of the difference excludes 0, else "unresolved";
- :func:`success_curves` and :func:`curve_shapes`: the success rate against the learning
  rate per layer count, and whether each curve rises from the smallest learning rate and
  falls again towards the largest (each end compared with the best rate);
- :func:`transients`: runs that are within tol at their last step without having settled
  (final-step rate against settled rate);
- :func:`prediction`: the best settled rate against 1 − the flow ratio of the same starts
  (the deceptiveness ratio read as a prediction of success);
- :func:`budget_comparison`: SciPy's gradient-free optimizers (:func:`qbp.sweeps
  .gradient_free`) against Adam and SGD at an equal budget of cost evaluations, a gradient
  step priced by the parameter-shift rule at 1 + 2 × (parametrized gates) evaluations;
- tables of these readings (:func:`best_table`, :func:`window_table`,
  :class:`BudgetComparison.table`), ≤ 12 columns, rates written ``"0.93 [0.91, 0.95]"``.

References: R. G. Newcombe, Stat. Med. 17, 873 (1998); G. E. Crooks, arXiv:1905.13311
(parameter shift with 2 evaluations per gate occurrence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_seed, check_tol
from ._version import __version__
from .endpoints import Fraction

__all__ = ["COMPARISONS", "RateComparison", "compare_rates", "SuccessCurves",
           "success_curves", "curve_shapes", "SHAPES", "Transient", "transients",
           "Prediction", "prediction", "BudgetComparison", "budget_comparison", "best_table",
           "window_table", "cell_for", "outcome_table", "shape_summary", "shift_evaluations",
           "prediction_sentence", "budget_sentence", "transient_sentence"]

#: The words :func:`compare_rates` returns.
COMPARISONS = ("higher", "lower", "unresolved")
#: The shape of a success curve over the learning rates: (rises from the smallest lr,
#: falls towards the largest) → word.
SHAPES = {(True, True): "rises and falls", (True, False): "rises",
          (False, True): "falls", (False, False): "is flat"}


# --------------------------------------------------------------------------- comparisons
def _fraction(k: int, n: int) -> Fraction:
    from .stats import wilson_interval

    low, high = wilson_interval(int(k), int(n))
    return Fraction(int(k), int(n), k / n if n else float("nan"), low, high)


@dataclass(frozen=True)
class RateComparison:
    """``first`` − ``second`` (two :class:`qbp.endpoints.Fraction`), its Newcombe 95 %
    interval [``low``, ``high``] and the ``outcome``: ``"higher"`` (the interval lies above
    0), ``"lower"`` (below 0) or ``"unresolved"``."""

    first: Fraction
    second: Fraction
    difference: float
    low: float
    high: float
    outcome: str

    def to_dict(self) -> dict:
        return {"first": self.first.to_dict(), "second": self.second.to_dict(),
                "difference": self.difference, "low": self.low, "high": self.high,
                "outcome": self.outcome}


def compare_rates(first, second) -> RateComparison:
    """Compare two success rates, each a ``(successes, trials)`` pair or a
    :class:`~qbp.endpoints.Fraction`: the difference first − second with Newcombe's hybrid
    score interval (:func:`qbp.stats.proportion_difference`; the two samples are treated
    as independent). The rule: first is **higher** only if the interval lies above 0,
    **lower** only if it lies below 0; otherwise the difference is **unresolved** — a
    difference that its interval does not resolve is never called a win.

    >>> compare_rates((19, 100), (18, 100)).outcome
    'unresolved'
    >>> compare_rates((60, 100), (30, 100)).outcome
    'higher'
    """
    from .stats import proportion_difference

    a, b = (x if isinstance(x, Fraction) else _fraction(*_pair(x, name))
            for x, name in ((first, "first"), (second, "second")))
    effect = proportion_difference((b.k, b.n), (a.k, a.n))  # last − first = a − b
    outcome = "higher" if effect.low > 0 else "lower" if effect.high < 0 else "unresolved"
    return RateComparison(a, b, effect.estimate, effect.low, effect.high, outcome)


def _pair(pair, name: str) -> tuple[int, int]:
    try:
        k, n = pair
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a (successes, trials) pair or a Fraction, got "
                        f"{pair!r}") from None
    return check_int(k, f"{name} successes", 0), check_int(n, f"{name} trials", 1)


# --------------------------------------------------------------------------- one setting
def _index(study, n_qubits, cost, optimizer, seed):
    where = []
    for axis, value in (("n_qubits", n_qubits), ("costs", cost), ("optimizers", optimizer),
                        ("seeds", seed)):
        values = getattr(study, axis)
        if value not in values:
            raise ValueError(f"{axis} of the study are {list(values)}: {value!r} is not one")
        where.append(values.index(value))
    return where


@dataclass(frozen=True)
class SuccessCurves:
    """Success against the learning rate, one curve per layer count, for one setting.

    ``setting`` (n_qubits, cost, tol, steps, optimizer, seed), ``kind`` ("settled" or
    "final step"), ``lrs`` (m,), ``layers`` (L,), ``degrees`` (L,), ``k`` (L, m) successes
    of ``n`` starts, ``rate``, ``low``, ``high`` (L, m): rates and Wilson 95 % intervals.
    """

    setting: dict
    kind: str
    lrs: np.ndarray
    layers: np.ndarray
    degrees: np.ndarray
    k: np.ndarray
    n: int
    rate: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def fraction(self, layer_index: int, lr_index: int) -> Fraction:
        return _fraction(self.k[layer_index, lr_index], self.n)

    def best(self) -> tuple[np.ndarray, list]:
        """Per layer count the index of the best lr (the first of equals) and its
        :class:`~qbp.endpoints.Fraction`."""
        idx = self.k.argmax(axis=1)
        return idx, [self.fraction(i, j) for i, j in enumerate(idx)]


def success_curves(study, n_qubits: int, cost: str, tol: float, steps: int, optimizer: str,
                   seed: int, kind: str = "settled") -> SuccessCurves:
    """The success curves of one setting of a :class:`qbp.matrix.SuccessStudy`: for each
    layer count, the rate at each learning rate of the runs of ``steps`` steps (a checkpoint
    of the study) that have settled within ``tol`` of C* (``kind="settled"``, SPEC §11) or
    are within it at their last step (``"final step"``). ValueError for a setting the study
    does not hold."""
    if kind not in ("settled", "final step"):
        raise ValueError(f"kind must be 'settled' or 'final step', got {kind!r}")
    i, j, o, s = _index(study, n_qubits, cost, optimizer, seed)
    mask = (study.settled if kind == "settled" else study.final_success)(tol, steps)
    k = mask[i, j, s, :, o].sum(axis=-1)  # (L, lr)
    from .stats import wilson_interval

    low, high = wilson_interval(k, study.n_starts)
    setting = {"n_qubits": n_qubits, "cost": cost, "tol": float(tol), "steps": steps,
               "optimizer": optimizer, "seed": seed}
    return SuccessCurves(setting, kind, np.asarray(study.lrs), study.layers,
                         study.degrees(n_qubits), k, study.n_starts, k / study.n_starts,
                         np.asarray(low), np.asarray(high))


def curve_shapes(curves: SuccessCurves) -> list[str]:
    """Per layer count a word of :data:`SHAPES`: the curve *rises* if its best rate is
    higher (:func:`compare_rates`) than its rate at the smallest learning rate, and *falls*
    if it is higher than its rate at the largest one; "is flat" if neither difference is
    resolved. (The best rate is a maximum over the learning rates, so it is optimistic.)"""
    idx, best = curves.best()
    out = []
    for li, b in enumerate(best):
        rises = compare_rates(b, curves.fraction(li, 0)).outcome == "higher"
        falls = compare_rates(b, curves.fraction(li, -1)).outcome == "higher"
        out.append(SHAPES[rises, falls])
    return out


@dataclass(frozen=True)
class Transient:
    """Runs within tol at the last step that have not settled, for one setting: at the
    checkpoint ``steps``, the (``layers``, ``lr``) where the final-step rate exceeds the
    settled rate by most, with its rates at every checkpoint, ``final`` {steps: Fraction}
    and ``settled`` {steps: Fraction}; ``n_resolved`` of ``n_pairs`` (L, lr) pairs where the
    final-step rate at ``steps`` is higher than the settled one (:func:`compare_rates`)."""

    setting: dict
    steps: int
    layers: int
    lr: float
    final: dict
    settled: dict
    n_resolved: int
    n_pairs: int

    def to_dict(self) -> dict:
        return {"setting": self.setting, "steps": self.steps, "layers": self.layers,
                "lr": self.lr, "final": {str(k): v.to_dict() for k, v in self.final.items()},
                "settled": {str(k): v.to_dict() for k, v in self.settled.items()},
                "n_resolved": self.n_resolved, "n_pairs": self.n_pairs}


def transients(study, n_qubits: int, cost: str, tol: float, optimizer: str, seed: int,
               steps: int | None = None) -> Transient:
    """Success that counts transients, for one setting, at the checkpoint ``steps``
    (default the longest, 2T, where a run that is still arriving has had most time): see
    :class:`Transient`. A run within tol at its last step but not over its last 10 % of
    steps has arrived late, passes by the global minimum, or oscillates across it."""
    steps = study.checkpoints[-1] if steps is None else steps
    final = {c: success_curves(study, n_qubits, cost, tol, c, optimizer, seed, "final step")
             for c in study.checkpoints}
    settled = {c: success_curves(study, n_qubits, cost, tol, c, optimizer, seed)
               for c in study.checkpoints}
    gap = final[steps].k - settled[steps].k
    li, lj = np.unravel_index(int(np.argmax(gap)), gap.shape)
    resolved = sum(compare_rates(final[steps].fraction(a, b),
                                 settled[steps].fraction(a, b)).outcome == "higher"
                   for a in range(gap.shape[0]) for b in range(gap.shape[1]))
    setting = {k: v for k, v in final[steps].setting.items() if k != "steps"}
    return Transient(setting, int(steps), int(study.layers[li]), float(study.lrs[lj]),
                     {c: f.fraction(li, lj) for c, f in final.items()},
                     {c: f.fraction(li, lj) for c, f in settled.items()}, int(resolved),
                     int(gap.size))


@dataclass(frozen=True)
class Prediction:
    """The flow ratio as a prediction of success, per layer count: ``flow`` (Fraction of
    converged flows from the study's starts that end within tol of C*: 1 − the flow ratio),
    ``best`` {optimizer: [Fraction]} (the best settled rate over the lrs) with ``best_lr``,
    and ``comparison`` {optimizer: [RateComparison]} (best − flow)."""

    setting: dict
    layers: np.ndarray
    degrees: np.ndarray
    flow: list
    best: dict
    best_lr: dict
    comparison: dict

    def count(self, optimizer: str, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.comparison[optimizer])

    def to_dict(self) -> dict:
        return {"setting": self.setting, "layers": self.layers.tolist(),
                "flow_success": [f.to_dict() for f in self.flow],
                "best": {o: [f.to_dict() for f in v] for o, v in self.best.items()},
                "best_lr": {o: list(v) for o, v in self.best_lr.items()},
                "comparison": {o: [c.to_dict() for c in v] for o, v in self.comparison.items()}}


def prediction(study, n_qubits: int, cost: str, tol: float, steps: int,
               seed: int) -> Prediction:
    """1 − the flow ratio of the starts of ``seed`` (SPEC §12: the fraction whose gradient
    flow ends within ``tol`` of C*, over the converged flows) against each optimizer's best
    settled rate over the learning rates, per layer count (:class:`Prediction`). If the
    deceptiveness ratio tells how often a small-step run fails, the two agree; a best rate
    resolved *higher* than the prediction means runs with finite steps leave the basin their
    start lies in."""
    i, j, _, s = _index(study, n_qubits, cost, study.optimizers[0], seed)
    dec, conv = study.flow_counts(tol)
    flow = [_fraction(c - d, c) for d, c in zip(dec[i, j, s], conv[i, j, s])]
    best, best_lr, comparison = {}, {}, {}
    for opt in study.optimizers:
        idx, fr = success_curves(study, n_qubits, cost, tol, steps, opt, seed).best()
        best[opt], best_lr[opt] = fr, [float(study.lrs[k]) for k in idx]
        comparison[opt] = [compare_rates(b, f) if f.n else  # no flow converged: no prediction
                           RateComparison(b, f, float("nan"), -1.0, 1.0, "unresolved")
                           for b, f in zip(fr, flow)]
    setting = {"n_qubits": n_qubits, "cost": cost, "tol": float(tol), "steps": steps,
               "seed": seed}
    return Prediction(setting, study.layers, study.degrees(n_qubits), flow, best, best_lr,
                      comparison)


# --------------------------------------------------------------------------- sentences
def _and(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _at(layers, total: int) -> str:
    """``"at L = 2 and 3 (2 of the 4 layer counts)"``; ``"at every layer count"``."""
    if len(layers) == total:
        return f"at all {total} layer counts" if total > 1 else "at its one layer count"
    return f"at L = {_and(layers)} ({len(layers)} of the {total} layer counts)"


def prediction_sentence(pred: Prediction) -> str:
    """Where each optimizer's best settled rate is resolved above or below the flow's
    prediction (:class:`Prediction`, :func:`compare_rates`), saying only what occurs:
    ``"Adam's best rate is resolved above the prediction at L = 2 (1 of the 4 layer
    counts); SGD's is not resolved from it at any."``, or, where no difference is
    resolved, ``"Neither optimizer's best rate is resolved from the prediction at any of
    the 4 layer counts: within their 95 % intervals the two agree."``"""
    total = len(pred.layers)
    said, quiet = [], []
    for opt, comparisons in pred.comparison.items():
        found = {w: [int(L) for L, c in zip(pred.layers, comparisons) if c.outcome == w]
                 for w in ("higher", "lower")}
        bits = [f"{where} {_at(found[w], total)}" for w, where in
                (("higher", "above the prediction"), ("lower", "below it")) if found[w]]
        if bits:
            said.append(f"{_names(opt)}'s best rate is resolved {' and '.join(bits)}")
        else:
            quiet.append(_names(opt))
    if not said:
        who = ("neither optimizer's best rate" if len(quiet) == 2 else
               f"{_and(quiet)}'s best rate" if len(quiet) == 1 else "no optimizer's best rate")
        text = (f"{who} is resolved from the prediction at any of the {total} layer counts: "
                f"within their 95 % intervals the two agree.")
        return text[0].upper() + text[1:]
    if quiet:
        whose = _and(name + "'s" for name in quiet)
        said.append(f"{whose} {'is' if len(quiet) == 1 else 'are'} not resolved from it at any")
    return "; ".join(said) + "."


def budget_sentence(comparison: BudgetComparison) -> str:
    """How the best gradient-free method compares with the better gradient optimizer per
    layer count (:class:`BudgetComparison`), saying only what occurs: ``"The best
    gradient-free method is resolved above the better gradient optimizer at L = 1 (1 of
    the 4 layer counts), and the difference is unresolved at the other 3."``, or ``"… are
    not resolved apart at any of the 4 layer counts."``"""
    total = len(comparison.layers)
    found = {w: [int(L) for L, c in zip(comparison.layers, comparison.comparison)
                 if c.outcome == w] for w in COMPARISONS}
    if not found["higher"] and not found["lower"]:
        return (f"The best gradient-free method and the better gradient optimizer are not "
                f"resolved apart at any of the {total} layer counts.")
    bits = [f"{where} {_at(found[w], total)}" for w, where in
            (("higher", "above the better gradient optimizer"), ("lower", "below it"))
            if found[w]]
    rest = len(found["unresolved"])
    tail = (f", and the difference is unresolved at the other {rest}" if rest else "")
    return f"The best gradient-free method is resolved {' and '.join(bits)}{tail}."


def transient_sentence(t: Transient) -> str:
    """How often the final-step rate is resolved above the settled rate
    (:class:`Transient`): ``"Adam's final-step rate is resolved above its settled rate at 3
    of the 52 pairs of layer count and learning rate"`` ("at none of the 52 …" if never); no
    full stop, to sit inside a sentence."""
    name = _names(t.setting.get("optimizer", "the optimizer"))
    k = t.n_resolved if t.n_resolved else "none"
    return (f"{name}'s final-step rate is resolved above its settled rate at {k} of the "
            f"{t.n_pairs} pairs of layer count and learning rate")


# --------------------------------------------------------------------------- tables
def _names(optimizer: str) -> str:
    return {"adam": "Adam", "sgd": "SGD"}.get(optimizer, optimizer)


def best_table(study, n_qubits: int, cost: str, tol: float, steps: int, seed: int):
    """Per layer count and optimizer: the best settled rate over the learning rates, the
    learning rate that gives it, and the final-step rate at that learning rate, each rate
    ``"rate [low, high]"``. A DataFrame indexed by L with 1 + 3 × optimizers columns."""
    import pandas as pd

    table = pd.DataFrame(index=pd.Index(study.layers, name="L"))
    table["n·L"] = study.degrees(n_qubits)
    for opt in study.optimizers:
        settled = success_curves(study, n_qubits, cost, tol, steps, opt, seed)
        final = success_curves(study, n_qubits, cost, tol, steps, opt, seed, "final step")
        idx, best = settled.best()
        table[f"{_names(opt)} settled"] = [b.text() for b in best]
        table[f"{_names(opt)} η"] = [f"{study.lrs[k]:.3g}" for k in idx]
        table[f"{_names(opt)} final step"] = [final.fraction(li, k).text()
                                             for li, k in enumerate(idx)]
    return table


def cell_for(study, claim: str, n_qubits: int, cost: str, tol: float, steps: int,
             optimizer: str, seed: int, judged=None):
    """The :class:`qbp.claims.Cell` of ``claim`` (C5 or C6) for one setting: taken from
    ``judged`` (a :class:`qbp.claims.ClaimResult`) if it holds that setting, else computed
    from the :class:`qbp.matrix.SuccessStudy` ``study`` (for that tol and run length only).
    ValueError if neither has it."""
    setting = {"n_qubits": n_qubits, "cost": cost, "tol": float(tol), "steps": steps,
               "optimizer": optimizer, "seed": seed}

    def matches(cell):
        return cell.claim == claim and all(cell.setting.get(k) == v for k, v in setting.items())

    found = [c for c in (judged.cells if judged is not None else ()) if matches(c)]
    if not found:  # not among the judged cells: compute this tol and run length only
        found = [c for c in study.cells(claim, tols=[tol], steps=[steps]) if matches(c)]
    if found:
        return found[0]
    raise ValueError(f"the study has no {claim} cell for {setting}")


def outcome_table(result, columns=("tol", "steps")):
    """A claim's cells counted: rows (n_qubits, cost), one column per combination of the
    setting axes ``columns`` (e.g. tol and run length T), each entry ``"k of m"`` supporting
    cells of the m in that group, with ``", c against"`` where c of them contradict.
    ``result``: a :class:`qbp.claims.ClaimResult` (or a sequence of its cells)."""
    import pandas as pd

    cells = list(getattr(result, "cells", result))
    if not cells:
        raise ValueError("result has no cells")
    names = {"tol": "tol {:g}", "steps": "T = {}", "optimizer": "{}", "seed": "seed {}"}
    groups = {}
    for c in cells:
        row = (c.setting.get("n_qubits"), c.setting.get("cost"))
        col = ", ".join(names.get(a, a + " {}").format(c.setting.get(a)) for a in columns)
        groups.setdefault((row, col), []).append(c.outcome)
    rows = list(dict.fromkeys(r for r, _ in groups))
    cols = list(dict.fromkeys(c for _, c in groups))
    if len(cols) > 11:
        raise ValueError(f"{len(cols)} column groups: a table keeps at most 11 (choose "
                         f"fewer columns axes)")
    table = pd.DataFrame(index=pd.MultiIndex.from_tuples(rows, names=["n", "cost"]),
                         columns=cols, dtype=object)
    for (row, col), outcomes in groups.items():
        s, c = outcomes.count("supports"), outcomes.count("contradicts")
        table.loc[row, col] = f"{s} of {len(outcomes)}" + (f", {c} against" if c else "")
    return table.fillna("")


def shape_summary(shapes, layers) -> dict:
    """{word: [L, …]}: the layer counts at which each shape word of :func:`curve_shapes`
    occurs, the words ordered by the first layer count they occur at (so a sentence reads
    "rises at L = 1; rises and falls at L = 2, 3")."""
    out = {}
    for layer, word in zip(layers, shapes):
        out.setdefault(word, []).append(int(layer))
    return out


def window_table(cells):
    """C6 cells of one setting, one per optimizer: per layer count the flow ratio of the
    starts (Wilson) and each optimizer's learning-rate window width in decades with its
    bootstrap 95 % interval ("none (no success)" where no run settled at any lr: no
    window, left out of C6's trend). A DataFrame indexed by L."""
    import pandas as pd

    cells = list(cells)
    first = cells[0]
    n = first.setting["n_qubits"]
    table = pd.DataFrame(index=pd.Index([int(x) // n for x in first.x], name="L"))
    s = first.series
    table["flow ratio"] = [f"{r:.2f} [{a:.2f}, {b:.2f}]" if r is not None else "undefined"
                           for r, a, b in zip(s["ratio"], s["ratio_low"], s["ratio_high"])]
    for cell in cells:
        w = cell.series
        table[f"{_names(cell.setting['optimizer'])} width (decades)"] = [
            "none (no success)" if _undefined(v) else f"{v:.2f} [{a:.2f}, {b:.2f}]"
            for v, a, b in zip(w["value"], w["low"], w["high"])]
    return table


def _undefined(value) -> bool:
    """A cell's series entry that is undefined: NaN, or None once stored as JSON."""
    return value is None or not np.isfinite(value)


# --------------------------------------------------------------------------- budget
def shift_evaluations(circuit) -> int:
    """Cost evaluations of one gradient step by the parameter-shift rule on a quantum
    computer: 2 per parametrized gate (a shared parameter sums over its gates, SPEC §4)
    plus 1 for the cost itself."""
    return 1 + 2 * int(np.asarray(circuit.sharing_degree).sum())


@dataclass(frozen=True, eq=False)
class BudgetComparison:
    """Gradient-free optimizers against Adam and SGD within one budget of cost evaluations,
    per layer count (:func:`budget_comparison`).

    ``methods`` and their ``free`` [[Fraction per L]] success; ``evaluations`` (methods, L)
    mean evaluations used; ``gradient`` {optimizer: [Fraction per L]} best over the lrs
    within the budget, ``gradient_lr`` the lr; ``gradient_steps`` (L,) the steps the budget
    buys; ``comparison`` [RateComparison per L]: best gradient-free − best gradient.
    """

    setting: dict
    layers: np.ndarray
    degrees: np.ndarray
    budget: int
    n_starts: int
    methods: tuple
    free: list
    evaluations: np.ndarray
    gradient: dict
    gradient_lr: dict
    gradient_steps: np.ndarray
    step_evaluations: np.ndarray
    comparison: list
    meta: dict = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.comparison)

    def table(self):
        """Per L: the gradient steps the budget buys, the best gradient-free method and
        rate, the best gradient optimizer's rate, their difference with Newcombe's interval
        and the outcome. A DataFrame indexed by L (6 columns)."""
        import pandas as pd

        rows = {}
        for li, layer in enumerate(self.layers):
            c = self.comparison[li]
            m = int(np.argmax([f[li].k for f in self.free]))
            rows[int(layer)] = {"gradient steps": int(self.gradient_steps[li]),
                                "best gradient-free": f"{self.methods[m]} {c.first.text()}",
                                "best Adam/SGD": c.second.text(),
                                "difference": f"{c.difference:+.2f} [{c.low:+.2f}, {c.high:+.2f}]",
                                "gradient-free is": c.outcome}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("L")

    def to_dict(self) -> dict:
        return {"setting": self.setting, "layers": self.layers.tolist(), "budget": self.budget,
                "n_starts": self.n_starts, "methods": list(self.methods),
                "free": {m: [f.to_dict() for f in self.free[k]]
                         for k, m in enumerate(self.methods)},
                "mean_evaluations": self.evaluations.tolist(),
                "gradient": {o: [f.to_dict() for f in v] for o, v in self.gradient.items()},
                "gradient_lr": self.gradient_lr, "gradient_steps": self.gradient_steps.tolist(),
                "step_evaluations": self.step_evaluations.tolist(),
                "comparison": [c.to_dict() for c in self.comparison], "meta": self.meta}


def budget_comparison(n_qubits: int, cost: str, c_star, *, target_seed: int = 0,
                      n_starts: int = 100, budget: int = 300, seed: int = 0, lrs=None,
                      optimizers=("adam", "sgd"), tol: float = 1e-3, scheduler=None,
                      progress=None) -> BudgetComparison:
    """SciPy's COBYLA, Nelder–Mead and Powell against Adam and SGD at an equal budget of
    ``budget`` cost evaluations per run, on the default circuit with type sharing at
    L = 1 … len(``c_star``) (``c_star``: the refined global minimum per L, e.g. a success
    study's), from the first ``n_starts`` starts of ``seed`` (:func:`qbp.random_starts`:
    the success study's starts).

    The gradient-free runs (:func:`qbp.sweeps.gradient_free`) keep the best cost they
    evaluated. A gradient step costs :func:`shift_evaluations` evaluations, so Adam and SGD
    get ⌊(budget − 1) / that⌋ steps (the last evaluation reads the final cost) at each of
    ``lrs`` (default the 13 of :func:`qbp.sweeps.default_learning_rates`). Success: cost ≤
    C* + ``tol`` at the end (final step for both: a run of a few steps has no tail to
    settle). Per L the best gradient-free method is compared with the best gradient
    optimizer and lr (:func:`compare_rates`); both are maxima over the same starts, so both
    rates are optimistic. Errors: TypeError / ValueError naming the argument.
    """
    from .circuit import default_circuit
    from .cost import make_cost
    from .engines import value_and_grad
    from .sweeps import default_learning_rates, gradient_free
    from .trajectories import optimize, random_starts

    c_star = np.asarray(c_star, dtype=float)
    if c_star.ndim != 1 or len(c_star) < 1 or not np.all(np.isfinite(c_star)):
        raise ValueError(f"c_star must be one finite value per layer count, got {c_star!r}")
    n_starts = check_int(n_starts, "n_starts", 1)
    budget = check_int(budget, "budget", 1)
    seed = check_seed(seed)
    tol = check_tol(tol)
    lrs = default_learning_rates() if lrs is None else np.asarray(lrs, dtype=float)
    objective = make_cost(cost, n_qubits, target_seed)
    circuits = [default_circuit(n_qubits, layer, "type") for layer in range(1, len(c_star) + 1)]
    free = gradient_free(circuits, objective, n_starts=n_starts, budget=budget, seed=seed,
                         c_star=c_star, scheduler=scheduler, progress=progress)
    ok = free.final_costs <= c_star[None, :, None] + tol  # (methods, L, starts)
    free_rates = [[_fraction(k, n_starts) for k in ok[m].sum(-1)] for m in range(len(free.methods))]
    starts = random_starts(n_starts, 2, seed, circuits[0].periods)
    step_evals = np.array([shift_evaluations(c) for c in circuits])
    steps = np.maximum((budget - 1) // step_evals, 0)
    gradient = {o: [] for o in optimizers}
    gradient_lr = {o: [] for o in optimizers}
    for li, circuit in enumerate(circuits):
        for opt in optimizers:
            if steps[li] == 0:  # not one step fits: the start itself is the end
                k = np.full(len(lrs), int((value_and_grad(circuit, objective)[0](starts)[0]
                                           <= c_star[li] + tol).sum()))
            else:
                run = optimize(circuit, objective, np.tile(starts, (len(lrs), 1)), opt,
                               np.repeat(lrs, n_starts), int(steps[li]), record="ends")
                k = (run.final_costs <= c_star[li] + tol).reshape(len(lrs), n_starts).sum(1)
            gradient[opt].append(_fraction(k.max(), n_starts))
            gradient_lr[opt].append(float(lrs[int(k.argmax())]))
    comparison = []
    for li in range(len(circuits)):
        best_free = max((free_rates[m][li] for m in range(len(free.methods))), key=lambda f: f.k)
        best_grad = max((gradient[o][li] for o in optimizers), key=lambda f: f.k)
        comparison.append(compare_rates(best_free, best_grad))
    layers = np.arange(1, len(circuits) + 1)
    return BudgetComparison(
        {"n_qubits": n_qubits, "cost": cost, "tol": tol, "seed": seed}, layers,
        n_qubits * layers, budget, n_starts, tuple(free.methods), free_rates,
        free.evaluations.mean(axis=-1), gradient, gradient_lr, steps, step_evals, comparison,
        {"qbp_version": __version__, "success": "final cost ≤ C* + tol (both families)",
         "step_evaluations": "1 + 2 × parametrized gates (parameter shift)"})
