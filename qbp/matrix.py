"""The settings matrix of SPEC §11: four studies whose cells judge the claims C1–C7.

A verdict is only as good as its weakest setting, so every claim is judged on a matrix of
settings — qubits n, cost (TFIM energy or infidelity to a seeded Haar-random target), and
where relevant sampling seed, tolerance and run length — never on one configuration. Inside
every cell runs the sharing axis of the paper: the default circuit with ``"type"`` sharing
(d = 2 free parameters for every n) and L = 1 … ``max_layers`` layers, sharing degree n·L.

Four studies compute the raw measurements, one per group of chapters, each through
:func:`qbp.executors.run_tasks` (here, ``"processes"`` or Dask; one task per setting and
layer count, the split fixed by the parameters alone, so every scheduler gives bit-identical
results):

- :func:`minimum_study` → C1: the refined global minimum C*(L) per setting, and the unshared
  baseline;
- :func:`landscape_study` → C2 (median exact |∇C| at R and R/2), C7 (halving ranks over the
  resolutions) and Algorithm 1's grid ratios (both rules) beside C3/C4;
- :func:`flow_study` → C3 (flow ratio of seeded random starts) and C4 (flow ratio on nested
  grids of starts), with Algorithm 1's grid ratios at the same R beside;
- :func:`success_study` → C5 (best settled success over the learning rates) and C6
  (learning-rate window width against the flow ratio of the same starts).

Each returns a frozen record that keeps its inputs and enough raw numbers (end values,
checkpoint costs) to make the cells for any of its tolerances; ``.cells(claim)`` gives the
:class:`qbp.claims.Cell` list, ``.judge(claim)`` the :class:`qbp.claims.ClaimResult`,
``.table()`` a tidy :class:`pandas.DataFrame` of the cells. The cell rules themselves live
in :data:`qbp.claims.REGISTRY`.

Our readings where the design leaves a choice (stated again in the functions):

- C* of every study is :func:`qbp.minima.refine_minimum` on a grid of ``c_star_resolution``
  (the 5 lowest grid minima polished by L-BFGS-B with exact gradients), the same function
  with the same resolution everywhere, so the studies agree on C*.
- A flow start that does not converge is not classified (SPEC §12): ratios are over the
  converged starts, and a degree where none converged makes its cell inconclusive.
- C5 and C6 judge Adam and SGD in separate cells (``optimizer`` is a setting axis): the
  claim names both.
- C6's x is the flow ratio of the success runs' own starts at the cell's tol; "most" /
  "least deceptive" degree = the largest / smallest ratio (ties: the highest / the lowest
  degree).
- A trend over n degrees has an exact one-sided p ≥ 1/n!: with ``max_layers`` ≤ 3 no trend
  cell (C2, C3, C5, C6) can support its claim, and with 4 only a perfectly monotone series
  (p = 1/24) can. Profiles that want trend verdicts keep ``max_layers`` ≥ 5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_seed, check_tol
from ._version import __version__
from .claims import Cell, ClaimResult, Judgement, REGISTRY, setting_label
from .cost import COST_NAMES, make_cost

__all__ = ["minimum_study", "landscape_study", "flow_study", "success_study", "MinimumStudy",
           "LandscapeStudy", "FlowStudy", "SuccessStudy", "cells_table", "claim_table",
           "window_widths", "c6_cell",
           "subgrid_index",
           "DEFAULT_TOLS", "DEFAULT_C_STAR_RESOLUTION", "GRID_RULES", "SETTING_NAMES"]

#: The small and the large tolerance of the matrix (cost units).
DEFAULT_TOLS = (1e-3, 0.1)
#: Grid on which C* is found before it is polished (2° spacing).
DEFAULT_C_STAR_RESOLUTION = 180
#: Algorithm 1's two rules, in the order the grid readings are stored.
GRID_RULES = ("compass", "steepest")

_X_NAME = "sharing degree n·L"


# --------------------------------------------------------------------------- checks
def _tuple_of(value, name: str, check, *, min_len: int = 1) -> tuple:
    if isinstance(value, (str, bytes)) or not np.iterable(value):
        value = (value,)
    out = tuple(check(v) for v in value)
    if len(out) < min_len:
        raise ValueError(f"{name} must name at least {min_len} value(s), got {list(value)!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat values, got {list(value)!r}")
    return out


def _axes(n_qubits, costs, max_layers, target_seed):
    from .circuit import MAX_QUBITS

    n_qubits = _tuple_of(n_qubits, "n_qubits", lambda v: check_int(v, "n_qubits", 1, MAX_QUBITS))
    def cost_name(v):
        if v not in COST_NAMES:
            raise ValueError(f"costs must be names from {COST_NAMES}, got {v!r}")
        return v
    costs = _tuple_of(costs, "costs", cost_name)
    max_layers = check_int(max_layers, "max_layers", minimum=2)  # a trend needs two degrees
    target_seed = check_seed(target_seed, "target_seed")
    if target_seed is None:
        raise TypeError("target_seed must be an integer >= 0: the target must be reproducible")
    return n_qubits, costs, max_layers, target_seed


def _tols(tols) -> tuple:
    return _tuple_of(tols, "tols", check_tol)


def _seeds(seeds) -> tuple:
    def one(v):
        s = check_seed(v, "seeds")
        if s is None:
            raise TypeError("seeds must be integers >= 0 (None is not reproducible)")
        return s
    return _tuple_of(seeds, "seeds", one)


def _resolutions(values, name: str, even: bool = False) -> tuple:
    def one(v):
        r = check_int(v, name, minimum=2)
        if even and r % 2:
            raise ValueError(f"{name} must be even (its half R/2 is sampled too), got {r}")
        return r
    return tuple(sorted(_tuple_of(values, name, one)))


# --------------------------------------------------------------------------- shared pieces
@dataclass(frozen=True, eq=False)
class _Study:
    """Axes shared by the four studies (n_qubits, costs, max_layers, each study's first three
    fields), their ``meta`` (keyword-only, after every study's own fields) and the cell
    helpers."""

    n_qubits: tuple
    costs: tuple
    max_layers: int
    meta: dict = field(default_factory=dict, kw_only=True)

    claims = ()

    @property
    def layers(self) -> np.ndarray:
        """L = 1 … max_layers."""
        return np.arange(1, self.max_layers + 1)

    def degrees(self, n_qubits: int) -> np.ndarray:
        """Sharing degrees n·L of the default circuit with type sharing."""
        return n_qubits * self.layers

    def _claim(self, claim: str) -> str:
        if claim not in self.claims:
            raise ValueError(f"claim must be one of {self.claims} for a {type(self).__name__}, "
                             f"got {claim!r}")
        return claim

    def judge(self, claim: str, **options) -> ClaimResult:
        """The claim's verdict over this study's cells (:meth:`cells` with ``options``)."""
        return ClaimResult.from_cells(claim, self.cells(claim, **options))

    def judge_all(self, **options) -> dict:
        """{claim: :class:`ClaimResult`} for every claim this study decides."""
        return {c: self.judge(c, **options) for c in self.claims}

    def table(self, claim: str | None = None, **options):
        """The cells of ``claim`` (default: every claim of the study) as a tidy DataFrame:
        see :func:`cells_table`."""
        claims = self.claims if claim is None else (self._claim(claim),)
        return cells_table([c for name in claims for c in self.cells(name, **options)])

    def _tol_index(self, tol) -> int:
        tol = check_tol(tol)
        if tol not in self.tols:
            raise ValueError(f"tol must be one of the study's tols {list(self.tols)}, got {tol!r}")
        return self.tols.index(tol)


def _cost_label(cost_name: str) -> str:
    return "excess energy C* − E₀" if cost_name == "tfim" else "infidelity floor C*"


def cells_table(cells):
    """A tidy :class:`pandas.DataFrame`, one row per cell, 11 columns: ``claim``,
    ``n_qubits``, ``cost``, ``setting`` (the other axes as text), ``statistic`` (its name),
    ``value``, ``p_value`` (trend cells; else None), ``effect``, ``effect_low``,
    ``effect_high`` (None where the rule has no effect) and ``outcome``."""
    import pandas as pd

    rows = []
    for c in cells:
        rest = {k: v for k, v in c.setting.items() if k not in ("n_qubits", "cost")}
        e = c.effect or {}
        rows.append({"claim": c.claim, "n_qubits": c.setting.get("n_qubits"),
                     "cost": c.setting.get("cost"), "setting": setting_label(rest),
                     "statistic": c.statistic.get("name"), "value": c.statistic.get("value"),
                     "p_value": c.statistic.get("p_value"), "effect": e.get("estimate"),
                     "effect_low": e.get("low"), "effect_high": e.get("high"),
                     "outcome": c.outcome})
    columns = ["claim", "n_qubits", "cost", "setting", "statistic", "value", "p_value",
               "effect", "effect_low", "effect_high", "outcome"]
    return pd.DataFrame(rows, columns=columns)


#: Index names of :func:`claim_table` for the setting axes, in the order of the labels.
SETTING_NAMES = {"n_qubits": "n", "cost": "cost", "layers": "L", "tol": "tol", "steps": "T",
                 "optimizer": "optimizer", "seed": "seed"}


def _sig3(x) -> str:
    return f"{x:.3g}".replace("-", "−")


def claim_table(result, fmt=None):
    """One claim's cells as a table to show (:class:`pandas.DataFrame` of text, at most 8
    columns), one row per cell, indexed by the setting axes (``n``, ``cost``, ``tol``,
    ``seed``, … in the order of :func:`qbp.claims.setting_label`; rows grouped by them in
    that order, each axis's values in the order the cells give them), every column in one
    format.
    The columns' name (``columns.name``) is the cells' measured quantity, with its units.

    Trend cells (C2, C3, C5, C6): the quantity at the first and the last layer count
    (``"at L = 1"``, ``"at L = 6"``), ``"change [95 %]"`` (the effect, last − first, with its
    interval: ``"+0.12 [0.05, 0.2]"``), ``"ρ"`` (Spearman's ρ against the sharing degree, two
    decimals), ``"p (one-sided)"`` and ``"outcome"``. C4 cells: ``"spread, flow"`` (the
    statistic: the largest spread of the flow ratio over R), ``"at L"`` (where), and, where
    the cells carry the grid rules' readings on the landscape's resolutions, ``"spread,
    compass"`` / ``"spread, steepest"`` (their largest spread over R) and ``"closer rule"``
    (the rule whose ratio lies nearer the flow's); then ``"outcome"``. Values are written
    with ``fmt`` (default three significant digits; rates and spreads with two decimals);
    undefined values as ``"–"``.

    ``result``: a :class:`qbp.claims.ClaimResult` or a sequence of cells of one claim among
    C2–C6. TypeError for other objects; ValueError for an empty sequence, cells of several
    claims, or of C1/C7 (see :func:`qbp.minima.c1_table`, :func:`qbp.resolution.c7_table`).
    """
    import pandas as pd

    cells = list(result.cells) if isinstance(result, ClaimResult) else list(result)
    if not all(isinstance(c, Cell) for c in cells):
        raise TypeError("result must be a qbp.claims.ClaimResult or a sequence of qbp.claims.Cell")
    claims = sorted({c.claim for c in cells})
    if len(claims) != 1 or claims[0] not in ("C2", "C3", "C4", "C5", "C6"):
        raise ValueError(f"result must hold the cells of one claim among C2–C6, got "
                         f"{claims or 'no cells'}")
    fmt = fmt or _sig3
    claim = claims[0]

    def show(x, how=fmt):
        return "–" if x is None or not np.isfinite(x) else how(x)

    def two(x):
        return f"{x:.2f}".replace("-", "−")

    axes = [k for k in SETTING_NAMES if any(k in c.setting for c in cells)]
    rows, index = [], []
    for c in cells:
        n = c.setting["n_qubits"]
        index.append(tuple(f"{v:g}" if isinstance(v, float) else v
                           for v in (c.setting.get(k) for k in axes)))
        row = {}
        if claim == "C4":
            worst = c.statistic.get("worst_degree")
            row["spread, flow"] = show(c.statistic.get("value"), two)
            row["at L"] = "–" if worst is None else str(int(round(worst / n)))
            for rule in GRID_RULES:
                spread = c.beside.get(f"landscape_spread_{rule}")
                if spread is not None:
                    row[f"spread, {rule}"] = show(np.nanmax(np.asarray(spread, float)), two)
            if "closer_rule" in c.beside:
                row["closer rule"] = c.beside["closer_rule"]
        else:
            value = c.series["value"]
            how = two if claim in ("C3", "C5") else fmt  # rates: two decimals
            row[f"at L = {int(round(c.x[0] / n))}"] = show(value[0], how)
            row[f"at L = {int(round(c.x[-1] / n))}"] = show(value[-1], how)
            e = c.effect
            if e is None or e.get("estimate") is None:
                row["change [95 %]"] = "–"
            else:
                sign = "+" if e["estimate"] >= 0 else ""
                row["change [95 %]"] = (f"{sign}{show(e['estimate'], how)} "
                                        f"[{show(e['low'], how)}, {show(e['high'], how)}]")
            row["ρ"] = show(c.statistic.get("value"), two)
            row["p (one-sided)"] = show(c.statistic.get("p_value"))
        row["outcome"] = c.outcome
        rows.append(row)
    # rows grouped by the axes in order (n, then cost, …), each axis's values in the order
    # the cells first show them, so that the index reads as nested groups
    first = [{v: k for k, v in reversed(list(enumerate(col)))} for col in zip(*index)]
    order = sorted(range(len(index)), key=lambda i: [f[v] for f, v in zip(first, index[i])])
    table = pd.DataFrame([rows[i] for i in order], index=pd.MultiIndex.from_tuples(
        [index[i] for i in order], names=[SETTING_NAMES[k] for k in axes])).fillna("–")
    table.columns.name = cells[0].quantity
    return table


def _effect_dict(effect) -> dict:
    return {"estimate": effect.estimate, "low": effect.low, "high": effect.high,
            "kind": effect.kind, "method": effect.method, "confidence": effect.confidence}


def _undefined(claim: str, reason: str) -> Judgement:
    """An inconclusive judgement where the statistic cannot be computed."""
    return Judgement("inconclusive", {"name": "undefined", "value": None}, reason)


def _circuit(n_qubits: int, layers: int, sharing: str = "type"):
    from .circuit import default_circuit

    return default_circuit(n_qubits, layers, sharing)


def _c_star_task(task):
    """C* (and θ*) of the default circuit: refine_minimum on the c_star_resolution grid."""
    from .landscape import sample_landscape
    from .minima import refine_minimum

    n, cost_name, layers, target_seed, resolution = task
    circuit, cost = _circuit(n, layers), make_cost(cost_name, n, target_seed)
    land = sample_landscape(circuit, cost, resolution, method="fourier", with_gradient=False,
                            progress=False)
    theta, value = refine_minimum(land, cost, method="fourier")
    return value, theta


def _c_star_table(n_qubits, costs, max_layers, target_seed, resolution, scheduler, progress):
    from .executors import run_tasks

    keys = [(i, j, l) for i in range(len(n_qubits)) for j in range(len(costs))
            for l in range(max_layers)]
    tasks = [(n_qubits[i], costs[j], l + 1, target_seed, resolution) for i, j, l in keys]
    out = run_tasks(_c_star_task, tasks, scheduler, desc="refined minima", progress=progress)
    c_star = np.empty((len(n_qubits), len(costs), max_layers))
    theta = np.empty(c_star.shape + (2,))
    for (i, j, l), (value, th) in zip(keys, out):
        c_star[i, j, l], theta[i, j, l] = value, th
    return c_star, theta


# --------------------------------------------------------------------------- C1: minima
@dataclass(frozen=True, eq=False)
class MinimumStudy(_Study):
    """The refined global minimum per setting and layer count (C1), with the unshared
    baseline.

    Inputs: ``n_qubits``, ``costs``, ``max_layers``, ``c_star_resolution``,
    ``target_seed``, ``n_baseline_starts``, ``baseline_seed``. Results: ``c_star``
    (n_qubits, costs, max_layers) the refined minimum, ``c_star_theta`` (…, 2) where,
    ``ground`` (n_qubits, costs) the exact minimum over all states (E₀; 0 for the
    infidelity), ``baseline_c_star`` (n_qubits, costs) the lowest cost of the unshared
    circuit (``"none"`` sharing, L = 1, d = 2n) from ``n_baseline_starts`` polished random
    starts. ``excess`` = C* − ground.
    """

    c_star_resolution: int
    target_seed: int
    n_baseline_starts: int
    baseline_seed: int
    c_star: np.ndarray
    c_star_theta: np.ndarray
    ground: np.ndarray
    baseline_c_star: np.ndarray

    claims = ("C1",)

    @property
    def excess(self) -> np.ndarray:
        """C* − E₀ (or the infidelity floor), (n_qubits, costs, max_layers)."""
        return self.c_star - self.ground[..., None]

    @property
    def baseline_excess(self) -> np.ndarray:
        """The unshared circuit's excess, (n_qubits, costs)."""
        return self.baseline_c_star - self.ground

    def cells(self, claim: str = "C1") -> list:
        """C1's cells, one per (n_qubits, cost): :func:`qbp.claims.c1_rule` on the excess
        per degree. Beside: the unshared baseline's excess (same n, L = 1, d = 2n)."""
        self._claim(claim)
        rule = REGISTRY["C1"].rule
        out = []
        for i, n in enumerate(self.n_qubits):
            for j, cost in enumerate(self.costs):
                degrees = self.degrees(n)
                excess = self.excess[i, j]
                judgement = rule(degrees, excess)
                beside = {"baseline_excess": float(self.baseline_excess[i, j]),
                          "baseline": f"default circuit, sharing 'none', L = 1 (d = {2 * n}): "
                                      f"lowest of {self.n_baseline_starts} polished random "
                                      f"starts (seed {self.baseline_seed})",
                          "ground": float(self.ground[i, j]),
                          "c_star_resolution": self.c_star_resolution}
                out.append(Cell("C1", {"n_qubits": n, "cost": cost}, _X_NAME, degrees,
                                f"{_cost_label(cost)} (cost units)",
                                {"value": excess, "c_star": self.c_star[i, j]},
                                judgement.statistic, None, judgement.outcome, judgement.reason,
                                beside))
        return out


def _baseline_task(task):
    """Lowest cost of the unshared default circuit (L = 1) from polished random starts."""
    from .minima import polish
    from .trajectories import random_starts

    n, cost_name, target_seed, n_starts, seed = task
    circuit, cost = _circuit(n, 1, "none"), make_cost(cost_name, n, target_seed)
    starts = random_starts(n_starts, circuit.n_params, seed, circuit.periods)
    _, values = polish(circuit, cost, starts)
    return float(values.min())


def minimum_study(n_qubits=(2, 3, 4), costs=COST_NAMES, max_layers: int = 6,
                  c_star_resolution: int = DEFAULT_C_STAR_RESOLUTION, target_seed: int = 0,
                  scheduler=None, *, n_baseline_starts: int = 64, baseline_seed: int = 0,
                  progress=None) -> MinimumStudy:
    """C* per (n_qubits, cost, L) and the unshared baseline (C1; SPEC §8, §11).

    For every n in ``n_qubits``, cost name in ``costs`` (:func:`qbp.cost.make_cost`, the
    infidelity's Haar target drawn with ``target_seed``) and L = 1 … ``max_layers``: the
    default circuit with type sharing; C* = :func:`qbp.minima.refine_minimum` of its landscape
    at ``c_star_resolution`` (the lowest grid minima polished by L-BFGS-B, exact gradients).
    Baseline per (n, cost): the default circuit with sharing ``"none"`` and L = 1 (d = 2n
    parameters, the same gates without sharing), its lowest cost from ``n_baseline_starts``
    seeded random starts (``baseline_seed``) polished by :func:`qbp.minima.polish`.
    Tasks (one per (n, cost, L) and per baseline) run through
    :func:`qbp.executors.run_tasks` with ``scheduler``. Cost: one landscape of
    ``c_star_resolution``² points and ~5 polishes per (n, cost, L).
    Errors: TypeError / ValueError naming the argument.
    """
    from .executors import run_tasks
    from .grid import check_resolution

    n_qubits, costs, max_layers, target_seed = _axes(n_qubits, costs, max_layers, target_seed)
    c_star_resolution = check_resolution(c_star_resolution)
    n_baseline_starts = check_int(n_baseline_starts, "n_baseline_starts", minimum=1)
    baseline_seed = check_seed(baseline_seed, "baseline_seed")
    if baseline_seed is None:
        raise TypeError("baseline_seed must be an integer >= 0 (None is not reproducible)")
    c_star, theta = _c_star_table(n_qubits, costs, max_layers, target_seed, c_star_resolution,
                                  scheduler, progress)
    pairs = [(i, j) for i in range(len(n_qubits)) for j in range(len(costs))]
    tasks = [(n_qubits[i], costs[j], target_seed, n_baseline_starts, baseline_seed)
             for i, j in pairs]
    base = run_tasks(_baseline_task, tasks, scheduler, desc="unshared baseline", progress=progress)
    ground = np.array([[make_cost(c, n, target_seed).minimum for c in costs] for n in n_qubits])
    baseline = np.empty(ground.shape)
    for (i, j), value in zip(pairs, base):
        baseline[i, j] = value
    meta = {"qbp_version": __version__, "sharing": "type", "refine": "refine_minimum, 5 starts"}
    return MinimumStudy(n_qubits, costs, max_layers, c_star_resolution, target_seed,
                        n_baseline_starts, baseline_seed, c_star, theta, ground, baseline,
                        meta=meta)


# --------------------------------------------------------------------------- C2, C7: grids
@dataclass(frozen=True, eq=False)
class LandscapeStudy(_Study):
    """Whole-grid measurements per setting and layer count (C2, C7, grid readings).

    Inputs: ``n_qubits``, ``costs``, ``max_layers``, ``resolution`` (R of C2), ``resolutions``
    (C7's halvings and the grid readings), ``tols``, ``target_seed``. Results, each
    (n_qubits, costs, max_layers, …): ``median_exact`` and ``median_exact_coarse``, the median
    exact |∇C| (per radian) over the grid at R and at R/2; ``halving_pairs`` (m, 2) the
    (R, R/2) pairs within ``resolutions`` and ``halving_rank`` (…, m) the percentile rank of
    the median per-step magnitude at R/2 within the one at R; ``grid_resolutions`` (g,) =
    ``resolutions`` ∪ {``resolution``} and ``grid_ratio`` (…, g, 2, len(tols)): Algorithm 1's
    deceptiveness ratio (rules :data:`GRID_RULES`, exact gradients, threshold C_min + tol).
    """

    resolution: int
    resolutions: tuple
    tols: tuple
    target_seed: int
    median_exact: np.ndarray
    median_exact_coarse: np.ndarray
    halving_pairs: np.ndarray
    halving_rank: np.ndarray
    grid_resolutions: np.ndarray
    grid_ratio: np.ndarray

    claims = ("C2", "C7")

    def grid_ratios(self, tol: float, resolution: int | None = None) -> np.ndarray:
        """Algorithm 1's ratio at ``tol`` (one of ``tols``): (n_qubits, costs, max_layers,
        len(grid_resolutions), 2), or without the resolution axis at ``resolution``."""
        out = self.grid_ratio[..., self._tol_index(tol)]
        if resolution is None:
            return out
        hit = np.flatnonzero(self.grid_resolutions == resolution)
        if not len(hit):
            raise ValueError(f"resolution must be one of {self.grid_resolutions.tolist()}, "
                             f"got {resolution!r}")
        return out[..., hit[0], :]

    def cells(self, claim: str) -> list:
        """C2's cells (one per (n_qubits, cost)): :func:`qbp.claims.c2_rule` on the median
        exact |∇C| per degree, the effect last − first with the resolution error
        (:func:`qbp.stats.resolution_difference`); each degree's value carries ± its own
        change from R/2 to R. C7's cells (one per (n_qubits, cost, L)):
        :func:`qbp.claims.c7_rule` on the halving ranks."""
        from .stats import resolution_difference

        self._claim(claim)
        out = []
        for i, n in enumerate(self.n_qubits):
            for j, cost in enumerate(self.costs):
                if claim == "C2":
                    fine, coarse = self.median_exact[i, j], self.median_exact_coarse[i, j]
                    effect = resolution_difference(fine[0], fine[-1], coarse[0], coarse[-1])
                    jd = REGISTRY["C2"].rule(self.degrees(n), fine, effect)
                    err = np.abs(fine - coarse)
                    out.append(Cell("C2", {"n_qubits": n, "cost": cost}, _X_NAME,
                                    self.degrees(n), "median exact |∇C| (cost per radian)",
                                    {"value": fine, "low": fine - err, "high": fine + err,
                                     "coarse": coarse}, jd.statistic, _effect_dict(effect),
                                    jd.outcome, jd.reason,
                                    {"resolution": self.resolution,
                                     "coarse_resolution": self.resolution // 2}))
                    continue
                if not len(self.halving_pairs):
                    raise ValueError(f"C7 needs resolutions with a halving pair (R and R/2), "
                                     f"got {list(self.resolutions)}")
                for l, layers in enumerate(self.layers):
                    ranks = self.halving_rank[i, j, l]
                    jd = REGISTRY["C7"].rule(self.halving_pairs[:, 0], ranks)
                    out.append(Cell("C7", {"n_qubits": n, "cost": cost, "layers": int(layers)},
                                    "resolution R (halved to R/2)", self.halving_pairs[:, 0],
                                    "percentile rank at R of the median at R/2 (%)",
                                    {"value": ranks}, jd.statistic, None, jd.outcome,
                                    jd.reason, {"sharing_degree": int(n * layers)}))
        return out


def _landscape_task(task):
    """One (n, cost, L): medians at R and R/2, per-step distributions for the halvings and
    Algorithm 1's ratios at the grid resolutions."""
    from .deceptiveness import basins
    from .landscape import sample_landscape
    from .resolution import halving_rank, magnitudes

    n, cost_name, layers, target_seed, resolution, resolutions, grid_res, tols = task
    circuit, cost = _circuit(n, layers), make_cost(cost_name, n, target_seed)
    pairs = [(r, r // 2) for r in resolutions if r % 2 == 0 and r // 2 in resolutions]
    wanted = sorted(set(resolutions) | set(grid_res) | {resolution, resolution // 2})
    medians, step_sorted, step_median = {}, {}, {}
    ratios = np.empty((len(grid_res), len(GRID_RULES), len(tols)))
    for r in wanted:
        land = sample_landscape(circuit, cost, r, method="fourier", progress=False)
        step, exact = magnitudes(land)
        medians[r] = float(np.median(exact))
        if r in resolutions:
            step_sorted[r] = np.sort(step)
            step_median[r] = float(np.median(step))
        if r in grid_res:
            g = grid_res.index(r)
            for k, rule in enumerate(GRID_RULES):
                b = basins(land, rule)
                ratios[g, k] = [b.ratio(tol) for tol in tols]
    ranks = np.array([halving_rank(step_sorted[r], step_median[h]) for r, h in pairs])
    return medians[resolution], medians[resolution // 2], ranks, ratios


def landscape_study(n_qubits=(2, 3, 4), costs=COST_NAMES, max_layers: int = 6,
                    resolution: int = 360, resolutions=(90, 180, 360, 720),
                    tols=DEFAULT_TOLS, target_seed: int = 0, scheduler=None, *,
                    progress=None) -> LandscapeStudy:
    """Whole-grid measurements for C2 and C7, and Algorithm 1's ratios beside C3/C4.

    Per (n, cost, L) (default circuit, type sharing; exact Fourier landscapes): the median
    exact |∇C| over the R-grid at ``resolution`` R (even) and at R/2 (C2; the change from R/2
    to R is the resolution error of SPEC §11); for every pair (R, R/2) within
    ``resolutions``, the percentile rank of the median per-step grid magnitude at R/2 within
    the distribution at R (C7, :func:`qbp.resolution.halving_rank`); and at every R in
    ``resolutions`` ∪ {``resolution``} Algorithm 1's ratio for both rules
    (:data:`GRID_RULES`) at each of ``tols``. One task per (n, cost, L) through
    :func:`qbp.executors.run_tasks`. Cost per task: a Fourier landscape and 2 basin
    computations per resolution (R² points each).
    Errors: TypeError / ValueError naming the argument.
    """
    from .executors import run_tasks

    n_qubits, costs, max_layers, target_seed = _axes(n_qubits, costs, max_layers, target_seed)
    resolution = _resolutions(resolution, "resolution", even=True)[0]
    resolutions = _resolutions(resolutions, "resolutions")
    tols = _tols(tols)
    grid_res = tuple(sorted(set(resolutions) | {resolution}))
    pairs = np.array([(r, r // 2) for r in resolutions if r % 2 == 0 and r // 2 in resolutions],
                     dtype=int).reshape(-1, 2)
    keys = [(i, j, l) for i in range(len(n_qubits)) for j in range(len(costs))
            for l in range(max_layers)]
    tasks = [(n_qubits[i], costs[j], l + 1, target_seed, resolution, resolutions, grid_res, tols)
             for i, j, l in keys]
    out = run_tasks(_landscape_task, tasks, scheduler, desc="landscapes", progress=progress)
    shape = (len(n_qubits), len(costs), max_layers)
    fine, coarse = np.empty(shape), np.empty(shape)
    ranks = np.empty(shape + (len(pairs),))
    ratio = np.empty(shape + (len(grid_res), len(GRID_RULES), len(tols)))
    for (i, j, l), (f, c, r, g) in zip(keys, out):
        fine[i, j, l], coarse[i, j, l], ranks[i, j, l], ratio[i, j, l] = f, c, r, g
    meta = {"qbp_version": __version__, "sharing": "type", "derivatives": "exact",
            "grid_threshold": "C_min + tol"}
    return LandscapeStudy(n_qubits, costs, max_layers, resolution, resolutions, tols,
                          target_seed, fine, coarse, pairs, ranks, np.array(grid_res), ratio,
                          meta=meta)


# --------------------------------------------------------------------------- C3, C4: flows
def subgrid_index(fine: int, coarse: int) -> np.ndarray:
    """Flat indices, into :func:`qbp.flow.grid_starts` (``fine``, 2π-periods; d = 2, C
    order), of the points of the ``coarse`` grid (``fine`` a multiple of ``coarse``), in the
    coarse grid's own order: axis point j of R' is point j·R/R' of R."""
    if fine % coarse:
        raise ValueError(f"resolution {coarse} does not divide {fine}: its grid is not a sub-grid")
    axis = np.arange(coarse) * (fine // coarse)
    return (axis[:, None] * fine + axis[None, :]).ravel()


@dataclass(frozen=True, eq=False)
class FlowStudy(_Study):
    """Where the gradient flow ends (SPEC §12), per setting, layer count and start (C3, C4).

    Inputs: ``n_qubits``, ``costs``, ``max_layers``, ``seeds``, ``n_starts``,
    ``flow_resolutions``, ``tols``, ``c_star_resolution``, ``target_seed``. Results:
    ``c_star`` (n_qubits, costs, max_layers); from ``random_starts(n_starts, 2, seed)``:
    ``end_values`` and ``converged`` (n_qubits, costs, seeds, max_layers, n_starts); from
    the grid of the finest flow resolution R_f (:func:`qbp.flow.grid_starts`):
    ``grid_end_values`` and ``grid_converged`` (n_qubits, costs, max_layers, R_f²) — the
    coarser grids are its sub-grids (:func:`subgrid_index`); ``grid_ratio`` (n_qubits,
    costs, max_layers, len(flow_resolutions), 2, len(tols)): Algorithm 1's ratio at the same
    resolutions (both rules, threshold C_min + tol). A start is deceptive iff converged and
    its end value > C* + tol.
    """

    seeds: tuple
    n_starts: int
    flow_resolutions: tuple
    tols: tuple
    c_star_resolution: int
    target_seed: int
    c_star: np.ndarray
    end_values: np.ndarray
    converged: np.ndarray
    grid_end_values: np.ndarray
    grid_converged: np.ndarray
    grid_ratio: np.ndarray

    claims = ("C3", "C4")

    def random_counts(self, tol: float) -> tuple[np.ndarray, np.ndarray]:
        """(deceptive, converged) counts of the random starts at ``tol`` (any tol ≥ 0),
        each (n_qubits, costs, seeds, max_layers)."""
        tol = check_tol(tol)
        threshold = self.c_star[:, :, None, :, None] + tol
        deceptive = self.converged & (self.end_values > threshold)
        return deceptive.sum(-1), self.converged.sum(-1)

    def unconverged(self) -> dict:
        """The starts whose flow did not reach gtol within its budget (SPEC §12: counted,
        never classified): {``"random"``: (unconverged, all) over the random starts,
        ``"grid"``: the same over the finest grid's starts, ``"worst"``: {n_qubits, cost,
        layers, random, grid} of the (n, cost, L) with the most unconverged starts, or None
        if every flow converged}."""
        per_random = (~self.converged).sum(axis=(2, 4))  # (n, cost, L)
        per_grid = (~self.grid_converged).sum(-1)
        total = per_random + per_grid
        worst = None
        if total.any():
            i, j, l = np.unravel_index(int(total.argmax()), total.shape)
            worst = {"n_qubits": self.n_qubits[i], "cost": self.costs[j], "layers": l + 1,
                     "random": int(per_random[i, j, l]), "grid": int(per_grid[i, j, l])}
        return {"random": (int(per_random.sum()), int(self.converged.size)),
                "grid": (int(per_grid.sum()), int(self.grid_converged.size)), "worst": worst}

    @staticmethod
    def unconverged_where(unconverged: dict) -> str:
        """Where the unconverged starts of :meth:`unconverged` lie, as words for a sentence
        on them: ``"at n = 4, tfim, L = 3"`` for a single start, ``"all at …"`` when one
        (n, cost, L) holds them all, ``"most of them at …"`` when it holds more than half,
        ``"the most, 5, at …"`` otherwise, and ``"no setting has any"`` when every flow
        converged."""
        worst = unconverged["worst"]
        total = unconverged["random"][0] + unconverged["grid"][0]
        if worst is None or total == 0:
            return "no setting has any"
        where = "n = {n_qubits}, {cost}, L = {layers}".format(**worst)
        k = worst["random"] + worst["grid"]
        if total == 1:
            return f"at {where}"
        if k == total:
            return f"all at {where}"
        return f"most of them at {where}" if 2 * k > total else f"the most, {k}, at {where}"

    def grid_flow_ratio(self, tol: float) -> np.ndarray:
        """Flow ratio on each nested grid of starts at ``tol``: (n_qubits, costs, max_layers,
        len(flow_resolutions)), over the converged starts (NaN where none converged)."""
        tol = check_tol(tol)
        fine = self.flow_resolutions[-1]
        deceptive = self.grid_converged & (self.grid_end_values > self.c_star[..., None] + tol)
        out = np.empty(self.c_star.shape + (len(self.flow_resolutions),))
        for g, r in enumerate(self.flow_resolutions):
            idx = subgrid_index(fine, r)
            k, m = deceptive[..., idx].sum(-1), self.grid_converged[..., idx].sum(-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[..., g] = np.where(m > 0, k / np.maximum(m, 1), np.nan)
        return out

    def cells(self, claim: str, tols=None, grid: LandscapeStudy | None = None) -> list:
        """C3's cells (n_qubits × cost × tol × seed) or C4's (n_qubits × cost × tol), at
        ``tols`` (default the study's; any tol ≥ 0 works for the flows).

        C3: :func:`qbp.claims.c3_rule` on the flow ratio of the random starts per degree
        (Wilson intervals), effect ratio(last) − ratio(first) with Newcombe's interval on
        (deceptive, converged) counts. Beside: Algorithm 1's whole-grid ratios (both rules)
        at ``grid.resolution`` if a :class:`LandscapeStudy` of the same axes is given, else
        at the finest flow resolution.
        C4: :func:`qbp.claims.c4_rule` on the spread over the flow resolutions of the nested
        grid flow ratio, per degree. Beside: Algorithm 1's ratio at the same resolutions for
        both rules, their spreads and |grid − flow| (which rule tracks the small-step limit),
        and with ``grid`` its ratios and spreads at ``grid.resolutions``.
        """
        from .stats import proportion_difference, wilson_interval

        self._claim(claim)
        tols = self.tols if tols is None else _tols(tols)
        if grid is not None:
            _check_same_axes(self, grid)
        out = []
        for t, tol in enumerate(tols):
            own_t = self.tols.index(tol) if tol in self.tols else None
            readings = None
            if grid is not None:
                readings = ("landscape", grid.resolution, grid.grid_ratios(tol, grid.resolution))
            elif own_t is not None:
                readings = ("flow study", self.flow_resolutions[-1],
                            self.grid_ratio[..., -1, :, own_t])
            if claim == "C3":
                dec, conv = self.random_counts(tol)
                for i, n in enumerate(self.n_qubits):
                    for j, cost in enumerate(self.costs):
                        for s, seed in enumerate(self.seeds):
                            out.append(self._c3_cell(n, cost, tol, seed, dec[i, j, s],
                                                     conv[i, j, s], None if readings is None else
                                                     (readings[0], readings[1],
                                                      readings[2][i, j]),
                                                     proportion_difference, wilson_interval))
                continue
            flow = self.grid_flow_ratio(tol)
            for i, n in enumerate(self.n_qubits):
                for j, cost in enumerate(self.costs):
                    own = None if own_t is None else self.grid_ratio[i, j, :, :, :, own_t]
                    land = None if grid is None else grid.grid_ratios(tol)[i, j]
                    out.append(self._c4_cell(n, cost, tol, flow[i, j], own,
                                             land, None if grid is None else grid))
        return out

    def _c3_cell(self, n, cost, tol, seed, dec, conv, readings, newcombe, wilson) -> Cell:
        degrees = self.degrees(n)
        setting = {"n_qubits": n, "cost": cost, "tol": tol, "seed": seed}
        ok = conv > 0
        ratio = np.where(ok, dec / np.maximum(conv, 1), np.nan)
        low, high = wilson(dec, conv)
        series = {"value": ratio, "low": np.where(ok, low, np.nan),
                  "high": np.where(ok, high, np.nan), "n_deceptive": dec, "n_converged": conv}
        beside = {"n_starts": self.n_starts, "n_unconverged": (self.n_starts - conv).tolist()}
        if readings is not None:
            source, r, values = readings
            beside.update({"grid_source": source, "grid_resolution": int(r),
                           **{f"grid_{rule}": values[:, k] for k, rule in enumerate(GRID_RULES)}})
        if not ok.all():
            bad = degrees[~ok].tolist()
            jd = _undefined("C3", f"no flow converged at degrees {bad}: the ratio is undefined "
                                  f"there: inconclusive")
            return Cell("C3", setting, _X_NAME, degrees, "flow ratio of random starts", series,
                        jd.statistic, None, jd.outcome, jd.reason, beside)
        effect = newcombe((int(dec[0]), int(conv[0])), (int(dec[-1]), int(conv[-1])))
        jd = REGISTRY["C3"].rule(degrees, ratio, effect)
        return Cell("C3", setting, _X_NAME, degrees, "flow ratio of random starts", series,
                    jd.statistic, _effect_dict(effect), jd.outcome, jd.reason, beside)

    def _c4_cell(self, n, cost, tol, flow, own, land, grid) -> Cell:
        degrees = self.degrees(n)
        setting = {"n_qubits": n, "cost": cost, "tol": tol}
        res = list(self.flow_resolutions)
        series = {f"flow ratio R={r}": flow[:, g] for g, r in enumerate(res)}
        beside = {"flow_resolutions": res}
        if own is not None:
            dist = {rule: np.abs(own[:, :, k] - flow) for k, rule in enumerate(GRID_RULES)}
            mean = {rule: float(np.nanmean(d)) for rule, d in dist.items()}
            beside.update({
                **{f"grid_{rule}": own[:, :, k] for k, rule in enumerate(GRID_RULES)},
                **{f"grid_spread_{rule}": np.ptp(own[:, :, k], axis=1)
                   for k, rule in enumerate(GRID_RULES)},
                **{f"distance_{rule}": d for rule, d in dist.items()},
                "mean_distance": mean, "closer_rule": min(mean, key=mean.get)})
        if land is not None:
            beside.update({"landscape_resolutions": grid.grid_resolutions,
                           **{f"landscape_{rule}": land[:, :, k]
                              for k, rule in enumerate(GRID_RULES)},
                           **{f"landscape_spread_{rule}": np.ptp(land[:, :, k], axis=1)
                              for k, rule in enumerate(GRID_RULES)}})
        if not np.all(np.isfinite(flow)):
            bad = degrees[~np.all(np.isfinite(flow), axis=1)].tolist()
            jd = _undefined("C4", f"no flow converged on some grid at degrees {bad}: inconclusive")
            spread = np.full(len(degrees), np.nan)
            return Cell("C4", setting, _X_NAME, degrees, "spread of the flow ratio over R",
                        {"value": spread, **series}, jd.statistic, None, jd.outcome, jd.reason,
                        beside)
        spread = flow.max(axis=1) - flow.min(axis=1)
        jd = REGISTRY["C4"].rule(degrees, spread)
        return Cell("C4", setting, _X_NAME, degrees, "spread of the flow ratio over R",
                    {"value": spread, **series}, jd.statistic, None, jd.outcome, jd.reason,
                    beside)


def _check_same_axes(study, other) -> None:
    for name in ("n_qubits", "costs", "max_layers", "target_seed"):
        if getattr(study, name) != getattr(other, name):
            raise ValueError(f"grid must have the same {name} as this study: "
                             f"{getattr(other, name)!r} vs {getattr(study, name)!r}")


def _flow_end(circuit, cost, starts, c_star, max_steps=None):
    """End values and converged flags of the flow from ``starts`` (C* given: no polish;
    ``max_steps`` None: the flow's default budget)."""
    from .flow import DEFAULT_MAX_STEPS, flow_deceptiveness

    fr = flow_deceptiveness(circuit, cost, starts, 0.0, c_star=float(c_star), progress=False,
                            max_steps=DEFAULT_MAX_STEPS if max_steps is None else max_steps)
    return fr.end_values, fr.converged


def _flow_task(task):
    """The random-start flows of every seed (kind "random") or a grid flow with Algorithm 1's
    ratios ("grid")."""
    from .trajectories import random_starts

    kind, n, cost_name, layers, target_seed, c_star, spec = task
    circuit, cost = _circuit(n, layers), make_cost(cost_name, n, target_seed)
    if kind == "random":
        # Every seed's starts in one batch: a flow call lasts as long as its slowest start
        # (thousands of steps near a degenerate minimum), so one call beats one per seed.
        seeds, n_starts = spec
        starts = np.concatenate([random_starts(n_starts, circuit.n_params, seed,
                                               circuit.periods) for seed in seeds])
        values, converged = _flow_end(circuit, cost, starts, c_star)
        return values.reshape(len(seeds), n_starts), converged.reshape(len(seeds), n_starts)
    from .deceptiveness import basins
    from .flow import grid_starts
    from .landscape import sample_landscape

    resolutions, tols = spec
    values, converged = _flow_end(circuit, cost, grid_starts(resolutions[-1], circuit.periods),
                                  c_star)
    ratios = np.empty((len(resolutions), len(GRID_RULES), len(tols)))
    for g, r in enumerate(resolutions):
        land = sample_landscape(circuit, cost, r, method="fourier", progress=False)
        for k, rule in enumerate(GRID_RULES):
            b = basins(land, rule)
            ratios[g, k] = [b.ratio(tol) for tol in tols]
    return values, converged, ratios


def flow_study(n_qubits=(2, 3, 4), costs=COST_NAMES, max_layers: int = 6, seeds=(0, 1, 2),
               n_starts: int = 200, flow_resolutions=(30, 60, 120), target_seed: int = 0,
               scheduler=None, *, tols=DEFAULT_TOLS,
               c_star_resolution: int = DEFAULT_C_STAR_RESOLUTION, progress=None) -> FlowStudy:
    """Gradient-flow deceptiveness (SPEC §12) on the settings matrix: C3 and C4.

    Per (n, cost, L) (default circuit, type sharing): C* as in :func:`minimum_study`; the
    flow (:func:`qbp.flow_deceptiveness`, exact gradients, default gtol and budget) from
    ``random_starts(n_starts, 2, seed)`` for each of ``seeds`` (C3), and from every point of
    the grid of the finest of ``flow_resolutions`` (C4; each coarser resolution must divide
    it, and its grid is then a sub-grid: one flow serves every R); Algorithm 1's ratio at
    each flow resolution for both rules and each of ``tols``, beside C4. End values are
    kept, so cells can be made for any tol. Two rounds of tasks through
    :func:`qbp.executors.run_tasks`: C* per (n, cost, L), then per (n, cost, L) one task for
    the random-start flows of all seeds (one batch) and one for the grid flow. Cost: ~500
    exact evaluations per start, (len(seeds)·n_starts + R_f²) starts per (n, cost, L).
    Errors: TypeError / ValueError naming the argument.
    """
    from .executors import run_tasks
    from .grid import check_resolution

    n_qubits, costs, max_layers, target_seed = _axes(n_qubits, costs, max_layers, target_seed)
    seeds = _seeds(seeds)
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    flow_resolutions = _resolutions(flow_resolutions, "flow_resolutions")
    if len(flow_resolutions) < 2:
        raise ValueError(f"flow_resolutions must name at least two resolutions (C4 compares "
                         f"them), got {list(flow_resolutions)}")
    fine = flow_resolutions[-1]
    bad = [r for r in flow_resolutions if fine % r]
    if bad:
        raise ValueError(f"flow_resolutions must each divide the finest ({fine}) so that their "
                         f"grids are sub-grids of it, got {bad}")
    tols = _tols(tols)
    c_star_resolution = check_resolution(c_star_resolution)
    c_star, _ = _c_star_table(n_qubits, costs, max_layers, target_seed, c_star_resolution,
                              scheduler, progress)
    keys = [(i, j, l) for i in range(len(n_qubits)) for j in range(len(costs))
            for l in range(max_layers)]
    tasks, where = [], []
    for i, j, l in keys:
        head = (n_qubits[i], costs[j], l + 1, target_seed, float(c_star[i, j, l]))
        tasks.append(("grid", *head, (flow_resolutions, tols)))
        where.append((i, j, l, None))
        tasks.append(("random", *head, (seeds, n_starts)))
        where.append((i, j, l, "random"))
    out = run_tasks(_flow_task, tasks, scheduler, desc="gradient flows", progress=progress)
    shape = (len(n_qubits), len(costs), max_layers)
    end = np.empty((len(n_qubits), len(costs), len(seeds), max_layers, n_starts))
    conv = np.empty(end.shape, dtype=bool)
    g_end = np.empty(shape + (fine * fine,))
    g_conv = np.empty(g_end.shape, dtype=bool)
    ratio = np.empty(shape + (len(flow_resolutions), len(GRID_RULES), len(tols)))
    for (i, j, l, s), result in zip(where, out):
        if s is None:
            g_end[i, j, l], g_conv[i, j, l], ratio[i, j, l] = result
        else:
            end[i, j, :, l], conv[i, j, :, l] = result
    from .flow import DEFAULT_MAX_STEPS

    meta = {"qbp_version": __version__, "sharing": "type", "gtol": 1e-8,
            "max_steps": DEFAULT_MAX_STEPS, "grid_threshold": "C_min + tol",
            "flow_threshold": "C* + tol"}
    return FlowStudy(n_qubits, costs, max_layers, seeds, n_starts, flow_resolutions, tols,
                     c_star_resolution, target_seed, c_star, end, conv, g_end, g_conv, ratio,
                     meta=meta)


# --------------------------------------------------------------------------- C5, C6: success
def window_widths(lrs, rates) -> np.ndarray:
    """:func:`qbp.stats.window_width`'s width for many success curves at once.

    ``lrs`` (m,) positive, increasing; ``rates`` (…, m) in [0, 1]. Returns the widths (…),
    decades of η, the same numbers as ``window_width(lrs, curve).width`` for each curve
    (tested): the contiguous run of rates ≥ half the best that holds a best lr (the widest
    if several do), each edge interpolated in log10 η to the half crossing or censored at the
    grid's end; NaN (undefined: no window) where the best rate is 0. Vectorised over curves
    (the bootstrap of C6).
    """
    x = np.log10(np.asarray(lrs, dtype=float))
    r = np.asarray(rates, dtype=float)
    m = len(x)
    if r.shape[-1] != m:
        raise ValueError(f"rates must have {m} entries (one per lr) on the last axis, got {r.shape}")
    best = r.max(axis=-1, keepdims=True)
    half = best / 2
    above = r >= half
    idx = np.arange(m)
    # For every position, the first and last index of the run of 'above' holding it.
    start = np.maximum.accumulate(np.where(above, -1, idx), axis=-1) + 1
    stop = np.minimum.accumulate(np.where(above, m, idx)[..., ::-1], axis=-1)[..., ::-1] - 1
    start, stop = np.minimum(start, m - 1), np.maximum(stop, 0)  # harmless outside runs
    r_lo_in = np.take_along_axis(r, start, axis=-1)
    r_lo_out = np.take_along_axis(r, np.maximum(start - 1, 0), axis=-1)
    r_hi_in = np.take_along_axis(r, stop, axis=-1)
    r_hi_out = np.take_along_axis(r, np.minimum(stop + 1, m - 1), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_lo = (r_lo_in - half) / (r_lo_in - r_lo_out)
        frac_hi = (r_hi_in - half) / (r_hi_in - r_hi_out)
        lo = np.where(start == 0, x[start],
                      x[start] + frac_lo * (x[np.maximum(start - 1, 0)] - x[start]))
        hi = np.where(stop == m - 1, x[stop],
                      x[stop] + frac_hi * (x[np.minimum(stop + 1, m - 1)] - x[stop]))
    width = np.where(above & (r == best), hi - lo, -np.inf).max(axis=-1)
    return np.where(best[..., 0] > 0, width, np.nan)


@dataclass(frozen=True, eq=False)
class SuccessStudy(_Study):
    """Optimizer runs on the settings matrix, judged as settled runs (C5, C6).

    Inputs: ``n_qubits``, ``costs``, ``max_layers``, ``seeds``, ``n_starts``, ``steps`` T,
    ``checkpoints`` (the run lengths judged: T/2, T, 2T), ``lrs``, ``optimizers``, ``tols``,
    ``c_star_resolution``, ``target_seed``, ``n_boot``. Results: ``c_star`` (n_qubits,
    costs, max_layers); ``checkpoint_costs`` and ``checkpoint_tail_max`` (n_qubits, costs,
    seeds, max_layers, optimizers, lrs, n_starts, checkpoints): the cost after each
    checkpoint's number of steps and the largest cost over its last 10 % of steps (one run of
    max(checkpoints) steps per start, :func:`qbp.optimize`'s ``checkpoints``);
    ``flow_end_values`` and ``flow_converged`` (n_qubits, costs, seeds, max_layers,
    n_starts): the gradient flow from the same starts (C6's deceptiveness ratio).
    """

    seeds: tuple
    n_starts: int
    steps: int
    checkpoints: tuple
    lrs: np.ndarray
    optimizers: tuple
    tols: tuple
    c_star_resolution: int
    target_seed: int
    n_boot: int
    c_star: np.ndarray
    checkpoint_costs: np.ndarray
    checkpoint_tail_max: np.ndarray
    flow_end_values: np.ndarray
    flow_converged: np.ndarray

    claims = ("C5", "C6")

    def _threshold(self, tol) -> np.ndarray:
        return self.c_star[:, :, None, :, None, None, None] + check_tol(tol)

    def _checkpoint(self, steps) -> int:
        if steps not in self.checkpoints:
            raise ValueError(f"steps must be one of the checkpoints {list(self.checkpoints)}, "
                             f"got {steps!r}")
        return self.checkpoints.index(steps)

    def settled(self, tol: float, steps: int) -> np.ndarray:
        """Runs of ``steps`` steps (a checkpoint) that have settled: cost ≤ C* + tol over
        their last 10 % of steps (SPEC §11). Bool (n_qubits, costs, seeds, max_layers,
        optimizers, lrs, n_starts)."""
        return self.checkpoint_tail_max[..., self._checkpoint(steps)] <= self._threshold(tol)

    def final_success(self, tol: float, steps: int) -> np.ndarray:
        """Final-step success of runs of ``steps`` steps: cost at the checkpoint ≤ C* + tol."""
        return self.checkpoint_costs[..., self._checkpoint(steps)] <= self._threshold(tol)

    def flow_counts(self, tol: float) -> tuple[np.ndarray, np.ndarray]:
        """(deceptive, converged) counts of the flow from the success starts at ``tol``,
        each (n_qubits, costs, seeds, max_layers)."""
        tol = check_tol(tol)
        dec = self.flow_converged & (self.flow_end_values > self.c_star[:, :, None, :, None] + tol)
        return dec.sum(-1), self.flow_converged.sum(-1)

    def cells(self, claim: str, tols=None, steps=None) -> list:
        """C5's or C6's cells: n_qubits × cost × tol × run length × optimizer × seed, at
        ``tols`` (default the study's) and run lengths ``steps`` (default every checkpoint).

        C5: per degree the best settled success rate over the learning rates (k of n_starts,
        Wilson interval; the lr that gives it and the final-step best rate with its Wilson
        interval beside); :func:`qbp.claims.c5_rule`, effect best(last) − best(first) with
        Newcombe's interval.
        C6: per degree the window width of the settled success curve over the lrs
        (:func:`qbp.stats.window_width`) with a percentile bootstrap interval over starts
        (``n_boot`` resamples of the starts, the same resamples for every degree, seeded by
        the cell's setting), against the flow ratio of the same starts at tol (Wilson);
        :func:`qbp.claims.c6_rule`, effect width(most deceptive) − width(least deceptive)
        with the paired bootstrap interval. A degree where no run settled at any lr has no
        window (width NaN, stored as None): it is left out of the trend and of the choice of
        the most and least deceptive degrees; with fewer than two defined widths the cell is
        inconclusive. A resample without success at a degree has no width either: each
        interval is over the resamples where its widths are defined (the undefined ones are
        counted in ``beside["n_boot_undefined"]``).
        """
        from .stats import proportion_difference, wilson_interval

        self._claim(claim)
        tols = self.tols if tols is None else _tols(tols)
        run_lengths = self.checkpoints if steps is None else tuple(
            self.checkpoints[self._checkpoint(s)] for s in _tuple_of(steps, "steps", int))
        b = self.n_starts
        out = []
        for tol in tols:
            t_index = tols.index(tol)
            dec, conv = self.flow_counts(tol)
            for run in run_lengths:
                settled = self.settled(tol, run)
                ok = settled.sum(-1)  # (n, c, s, L, o, lr)
                fin = self.final_success(tol, run).sum(-1)
                for i, n in enumerate(self.n_qubits):
                    for j, cost in enumerate(self.costs):
                        degrees = self.degrees(n)
                        for o, opt in enumerate(self.optimizers):
                            for s, seed in enumerate(self.seeds):
                                setting = {"n_qubits": n, "cost": cost, "tol": tol,
                                           "steps": run, "optimizer": opt, "seed": seed}
                                k = ok[i, j, s, :, o]  # (L, lr)
                                if claim == "C5":
                                    out.append(self._c5_cell(setting, degrees, k, fin[i, j, s, :, o],
                                                             b, proportion_difference,
                                                             wilson_interval))
                                    continue
                                success = settled[i, j, s, :, o]  # (L, lr, B)
                                rng_seed = [i, j, s, o, t_index,
                                            self.checkpoints.index(run), 6]
                                out.append(c6_cell(setting, degrees, self.lrs, success,
                                                   dec[i, j, s], conv[i, j, s], self.n_boot,
                                                   rng_seed))
        return out

    def _c5_cell(self, setting, degrees, k, fin, b, newcombe, wilson) -> Cell:
        best = k.argmax(axis=1)  # first best lr on ties
        kb = k[np.arange(len(k)), best]
        fb = fin.max(axis=1)
        low, high = wilson(kb, b)
        f_low, f_high = wilson(fb, b)
        effect = newcombe((int(kb[0]), b), (int(kb[-1]), b))
        jd = REGISTRY["C5"].rule(degrees, kb / b, effect)
        series = {"value": kb / b, "low": low, "high": high, "best_lr": self.lrs[best],
                  "final": fb / b, "final_low": f_low, "final_high": f_high}
        return Cell("C5", setting, _X_NAME, degrees,
                    "best settled success rate over the learning rates", series, jd.statistic,
                    _effect_dict(effect), jd.outcome, jd.reason, {"n_starts": b})

def c6_cell(setting: dict, degrees, lrs, success, deceptive, converged, n_boot: int,
            rng_seed) -> Cell:
    """One C6 cell (:meth:`SuccessStudy.cells`) from its runs' outcomes.

    ``setting``: the cell's axes; ``degrees`` (L,): sharing degrees n·L; ``lrs`` (m,):
    increasing learning rates; ``success`` (L, m, B) bool: settled runs per degree, lr and
    start; ``deceptive``, ``converged`` (L,): the flow's counts from the same B starts;
    ``n_boot``: bootstrap resamples of the starts (the same for every degree), drawn with
    ``numpy.random.default_rng(rng_seed)``. The width per degree is
    :func:`qbp.stats.window_width`'s; a degree with no settled run at any lr has no window
    (NaN): it is left out of the trend and of the choice of the most and least deceptive
    degrees, and with fewer than two defined widths the cell is inconclusive. Each bootstrap
    interval is over the resamples where its widths are defined (the others counted per
    degree in ``beside["n_boot_undefined"]``).
    """
    from .stats import Effect, wilson_interval as wilson, window_width

    dec, conv = np.asarray(deceptive), np.asarray(converged)
    degrees = np.asarray(degrees)
    success = np.asarray(success, dtype=bool)
    b = success.shape[-1]
    rates = success.mean(axis=-1)  # (L, lr)
    fits = [window_width(lrs, curve) for curve in rates]
    width = np.array([w.width for w in fits])
    # Bootstrap over starts: one multinomial resample of the starts for all degrees.
    rng = np.random.default_rng(rng_seed)
    picks = rng.integers(0, b, size=(n_boot, b))
    weights = np.bincount((picks + b * np.arange(n_boot)[:, None]).ravel(),
                          minlength=n_boot * b).reshape(n_boot, b).astype(float)
    # successes of each resample: one BLAS product (float, 2-D: ~6× faster than int64)
    counts = success.reshape(-1, b).astype(float) @ weights.T
    boot_rates = counts.reshape(success.shape[:2] + (n_boot,)) / b  # (L, lr, n_boot)
    boot = window_widths(lrs, np.moveaxis(boot_rates, -1, 1))  # (L, n_boot), NaN: none
    defined = np.isfinite(width)
    w_low, w_high = _percentiles(boot)
    ok = conv > 0
    ratio = np.where(ok, dec / np.maximum(conv, 1), np.nan)
    r_low, r_high = wilson(dec, conv)
    series = {"value": width, "low": w_low, "high": w_high, "ratio": ratio,
              "ratio_low": np.where(ok, r_low, np.nan),
              "ratio_high": np.where(ok, r_high, np.nan),
              "best_rate": [w.best_rate for w in fits]}
    beside = {"censored_low": [w.censored_low for w in fits],
              "censored_high": [w.censored_high for w in fits],
              "best_lr": [w.best_lr for w in fits], "n_boot": n_boot,
              "n_unconverged": (b - conv).tolist(),
              "no_window_degrees": degrees[~defined].tolist(),
              "n_boot_undefined": np.isnan(boot).sum(axis=1).tolist()}
    if not ok.all():
        jd = _undefined("C6", f"no flow converged at degrees {degrees[~ok].tolist()}: "
                              f"the deceptiveness ratio is undefined there: inconclusive")
        return Cell("C6", setting, _X_NAME, degrees, "learning-rate window width (decades)",
                    series, jd.statistic, None, jd.outcome, jd.reason, beside)
    if defined.sum() < 2:
        jd = _undefined("C6", f"no run settled at any learning rate at degrees "
                              f"{degrees[~defined].tolist()}: the window is undefined there, "
                              f"and {int(defined.sum())} defined width"
                              f"{'' if defined.sum() == 1 else 's'} cannot show a trend: "
                              f"inconclusive")
        return Cell("C6", setting, _X_NAME, degrees, "learning-rate window width (decades)",
                    series, jd.statistic, None, jd.outcome, jd.reason, beside)
    # The trend over the degrees with a window only (a width of no success is undefined,
    # not narrow); the most and least deceptive degrees are chosen among them.
    keep = np.flatnonzero(defined)
    r_kept = ratio[keep]
    most = int(keep[len(keep) - 1 - int(np.argmax(r_kept[::-1]))])  # ties: highest degree
    least = int(keep[int(np.argmin(r_kept))])  # ties: the lowest degree
    diff = boot[most] - boot[least]
    diff = diff[np.isfinite(diff)]
    if diff.size == 0:
        jd = _undefined("C6", f"no resample of the starts has a window at both degrees "
                              f"{int(degrees[least])} and {int(degrees[most])}: the effect's "
                              f"interval is undefined: inconclusive")
        return Cell("C6", setting, _X_NAME, degrees, "learning-rate window width (decades)",
                    series, jd.statistic, None, jd.outcome, jd.reason, beside)
    lo, hi = np.percentile(diff, [2.5, 97.5])
    effect = Effect(float(width[most] - width[least]), float(lo), float(hi), "sample",
                    "paired bootstrap over starts (percentile)", 0.95)
    jd = REGISTRY["C6"].rule(r_kept, width[keep], effect)
    if not defined.all():
        jd = Judgement(jd.outcome, jd.statistic,
                       f"{jd.reason}; no run settled at any learning rate at degrees "
                       f"{degrees[~defined].tolist()}: no window there, left out of the trend")
    beside.update({"most_deceptive_degree": int(degrees[most]),
                   "least_deceptive_degree": int(degrees[least])})
    return Cell("C6", setting, _X_NAME, degrees, "learning-rate window width (decades)",
                series, {**jd.statistic, "x": "ratio"}, _effect_dict(effect), jd.outcome,
                jd.reason, beside)


def _percentiles(boot) -> tuple[np.ndarray, np.ndarray]:
    """The 2.5 and 97.5 percentiles of each row of ``boot`` (rows, n_boot) over its finite
    entries (a resample without a window is NaN); NaN for a row with none."""
    low = np.full(boot.shape[0], np.nan)
    high = np.full(boot.shape[0], np.nan)
    for i, row in enumerate(boot):  # a few degrees
        row = row[np.isfinite(row)]
        if row.size:
            low[i], high[i] = np.percentile(row, [2.5, 97.5])
    return low, high


def _success_task(task):
    """Kind "run": every lr × start of one optimizer on one circuit, to max(checkpoints)
    steps, recording the checkpoints; kind "flow": the flow from the same starts."""
    from .trajectories import optimize, random_starts

    kind, n, cost_name, layers, target_seed, seed, n_starts, spec = task
    circuit, cost = _circuit(n, layers), make_cost(cost_name, n, target_seed)
    starts = random_starts(n_starts, circuit.n_params, seed, circuit.periods)
    if kind == "flow":
        return _flow_end(circuit, cost, starts, *spec)
    optimizer, lrs, checkpoints = spec
    batch_starts = np.tile(starts, (len(lrs), 1))  # lr-major, as qbp.sweeps does
    batch_lr = np.repeat(lrs, n_starts)
    tr = optimize(circuit, cost, batch_starts, optimizer, batch_lr, steps=checkpoints[-1],
                  record="ends", checkpoints=checkpoints)
    shape = (len(lrs), n_starts, len(checkpoints))
    return tr.checkpoint_costs.reshape(shape), tr.checkpoint_tail_max.reshape(shape)


def success_study(n_qubits=(2, 3, 4), costs=COST_NAMES, max_layers: int = 6, seeds=(0, 1, 2),
                  n_starts: int = 200, steps: int = 500, lrs=None, optimizers=("adam", "sgd"),
                  target_seed: int = 0, scheduler=None, *, tols=DEFAULT_TOLS,
                  c_star_resolution: int = DEFAULT_C_STAR_RESOLUTION, n_boot: int = 1000,
                  flow_max_steps: int | None = None, progress=None) -> SuccessStudy:
    """Settled success on the settings matrix (SPEC §11): C5 and C6.

    Per (n, cost, seed, L, optimizer) (default circuit, type sharing): every learning rate of
    ``lrs`` (default :func:`qbp.sweeps.default_learning_rates`, 13 from 1e−3 to 3) from the
    same ``random_starts(n_starts, 2, seed)``, one run of 2·``steps`` steps recording the
    checkpoints T/2, T and 2T (T = ``steps``): the cost there and the largest cost over the
    last 10 % of the steps before it. A run of length T' has *settled* if that maximum is
    ≤ C* + tol (C* as in :func:`minimum_study`); the final-step success is kept beside. Per
    (n, cost, seed, L) also the gradient flow from the same starts (C6's deceptiveness
    ratio). Two rounds of tasks through :func:`qbp.executors.run_tasks`: C* per (n, cost, L),
    then one task per run batch (n, cost, seed, L, optimizer) and per flow (n, cost, seed,
    L). Cost: len(lrs)·n_starts runs of 2T exact gradient evaluations per run task.
    ``n_boot``: bootstrap resamples of C6's width intervals. ``flow_max_steps``: the flow's
    step budget per start (None: :data:`qbp.flow.DEFAULT_MAX_STEPS`); a start whose flow
    does not converge within it is not classified (it leaves the ratio's denominator), so a
    smaller budget trades C6's x for time — a few slow starts near badly conditioned minima
    otherwise dominate the cost of small studies.
    Errors: TypeError / ValueError naming the argument.
    """
    from .executors import run_tasks
    from .grid import check_resolution
    from .optim import OPTIMIZERS
    from .sweeps import default_learning_rates

    n_qubits, costs, max_layers, target_seed = _axes(n_qubits, costs, max_layers, target_seed)
    seeds = _seeds(seeds)
    n_starts = check_int(n_starts, "n_starts", minimum=2)
    steps = check_int(steps, "steps", minimum=2)
    checkpoints = (steps // 2, steps, 2 * steps)
    if lrs is None:
        lrs = default_learning_rates()
    else:
        from ._checks import check_reals

        lrs = check_reals(lrs, "lrs", above=0, ndim=(1,))
        if np.any(np.diff(lrs) <= 0):
            raise ValueError(f"lrs must be strictly increasing, got {lrs.tolist()}")

    def opt_name(v):
        if v not in OPTIMIZERS:
            raise ValueError(f"optimizers must be names from {tuple(OPTIMIZERS)}, got {v!r}")
        return v
    optimizers = _tuple_of(optimizers, "optimizers", opt_name)
    tols = _tols(tols)
    c_star_resolution = check_resolution(c_star_resolution)
    n_boot = check_int(n_boot, "n_boot", minimum=1)
    if flow_max_steps is not None:
        flow_max_steps = check_int(flow_max_steps, "flow_max_steps", minimum=1)
    c_star, _ = _c_star_table(n_qubits, costs, max_layers, target_seed, c_star_resolution,
                              scheduler, progress)
    tasks, where = [], []
    for i, n in enumerate(n_qubits):
        for j, cost in enumerate(costs):
            for s, seed in enumerate(seeds):
                for l in range(max_layers):
                    head = (n, cost, l + 1, target_seed, seed, n_starts)
                    for o, opt in enumerate(optimizers):
                        tasks.append(("run", *head, (opt, lrs, checkpoints)))
                        where.append((i, j, s, l, o))
                    tasks.append(("flow", *head, (float(c_star[i, j, l]), flow_max_steps)))
                    where.append((i, j, s, l, None))
    out = run_tasks(_success_task, tasks, scheduler, desc="optimizer runs", progress=progress)
    base = (len(n_qubits), len(costs), len(seeds), max_layers)
    cp_cost = np.empty(base + (len(optimizers), len(lrs), n_starts, len(checkpoints)))
    cp_tail = np.empty(cp_cost.shape)
    f_end = np.empty(base + (n_starts,))
    f_conv = np.empty(f_end.shape, dtype=bool)
    for (i, j, s, l, o), result in zip(where, out):
        if o is None:
            f_end[i, j, s, l], f_conv[i, j, s, l] = result
        else:
            cp_cost[i, j, s, l, o], cp_tail[i, j, s, l, o] = result
    from .flow import DEFAULT_MAX_STEPS

    meta = {"qbp_version": __version__, "sharing": "type", "record": "checkpoints",
            "settled": "cost ≤ C* + tol over the last tail_length(T') costs",
            "flow_max_steps": DEFAULT_MAX_STEPS if flow_max_steps is None else flow_max_steps}
    return SuccessStudy(n_qubits, costs, max_layers, seeds, n_starts, steps, checkpoints,
                        np.asarray(lrs, dtype=float), optimizers, tols, c_star_resolution,
                        target_seed, n_boot, c_star, cp_cost, cp_tail, f_end, f_conv, meta=meta)
