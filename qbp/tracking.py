"""Which of Algorithm 1's grid rules tracks the gradient flow (SPEC §5 against §12).

The paper asks where "following the gradient with a very small step" leads; its limit is the
gradient flow, which needs no grid (:mod:`qbp.flow`). Algorithm 1 answers on a grid of
resolution R with one of two rules, ``"compass"`` or ``"steepest"`` (:func:`qbp.basins`).
:func:`tracking_study` measures, for one circuit family over its layer counts and at each R,
how far each rule's deceptiveness ratio lies from the flow's, on the same points:

- the **grid ratio** of each rule over the whole R-grid;
- the **flow ratio of the same grid**: ``n_starts`` uniform random starts (seeded) are moved
  to their nearest grid point (:func:`qbp.grid.nearest_index`) — a uniform sample of the
  R-grid's points, the same draws at every R — and the flow from them classifies each as
  deceptive iff it ends above C* + tol (Wilson interval; unconverged starts are counted and
  left out). Sampling keeps d = 3 affordable, where a whole grid of flows is not;
- the **agreement**: the share of those sampled points where the rule's mask and the flow
  agree (:func:`qbp.flow.compare_with_grid` does this on a whole grid);
- **why** each rule calls its deceptive points deceptive (:func:`qbp.sinks.deceptive_causes`):
  the landscape's local minima, or an artefact of the rule (overshoot, grid error, a stop at a
  stationary point).

The rule whose ratio lies nearer the flow's (on average over layer counts, resolutions and
tols: :meth:`TrackingStudy.closer_rule`) *tracks* the small-step limit. The
C4-style cells (:meth:`TrackingStudy.cells`) judge the flow ratio's spread over R with
:func:`qbp.claims.c4_rule`, the grid rules' ratios beside it: evidence beyond the settings
matrix (e.g. three free parameters), which does not decide C4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_seed, check_tol
from ._version import __version__
from .cost import COST_NAMES, make_cost
from .deceptiveness import RULES
from .sinks import CAUSES

__all__ = ["TrackingStudy", "tracking_study", "grid_readings"]


@dataclass(frozen=True, eq=False)
class TrackingStudy:
    """Algorithm 1's rules against the gradient flow, per layer count and resolution.

    Inputs: ``n_qubits``, ``cost`` (a name of :data:`qbp.cost.COST_NAMES`), ``layers``,
    ``resolutions``, ``tols``, ``n_starts``, ``seed``, ``rotations`` (of the default circuit,
    type sharing: d = len(rotations)), ``target_seed``, ``c_star_resolution``. Results:
    ``c_star`` (L,) the refined global minimum and ``c_star_theta`` (L, d) where it lies
    (radians); ``grid_ratio`` (L, R, rule, tol) each rule's ratio over the whole grid (rules
    in :data:`qbp.deceptiveness.RULES` order);
    ``causes`` and ``heights`` (L, R, rule, tol, cause): :class:`qbp.sinks.DeceptiveCauses`'
    shares and heights (causes in :data:`qbp.sinks.CAUSES` order); ``end_values`` and
    ``converged`` (L, R, n_starts): the flow from the sampled grid points; ``agreement``
    (L, R, rule, tol): the share of converged sampled points where rule and flow agree.
    """

    n_qubits: int
    cost: str
    layers: tuple
    resolutions: tuple
    tols: tuple
    n_starts: int
    seed: int
    rotations: tuple
    target_seed: int
    c_star_resolution: int
    c_star: np.ndarray
    c_star_theta: np.ndarray
    grid_ratio: np.ndarray
    causes: np.ndarray
    heights: np.ndarray
    end_values: np.ndarray
    converged: np.ndarray
    agreement: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def degrees(self) -> np.ndarray:
        """Sharing degrees n·L (type sharing)."""
        return self.n_qubits * np.asarray(self.layers)

    def _tol(self, tol) -> int:
        tol = check_tol(tol)
        if tol not in self.tols:
            raise ValueError(f"tol must be one of the study's tols {list(self.tols)}, got {tol!r}")
        return self.tols.index(tol)

    def _layer(self, layers) -> int:
        if layers not in self.layers:
            raise ValueError(f"layers must be one of {list(self.layers)}, got {layers!r}")
        return self.layers.index(layers)

    def _resolution(self, resolution) -> int:
        if resolution not in self.resolutions:
            raise ValueError(f"resolution must be one of {list(self.resolutions)}, "
                             f"got {resolution!r}")
        return self.resolutions.index(resolution)

    def flow_counts(self, tol: float) -> tuple[np.ndarray, np.ndarray]:
        """(deceptive, converged) counts of the sampled flows at ``tol`` (any tol ≥ 0),
        each (L, R)."""
        tol = check_tol(tol)
        deceptive = self.converged & (self.end_values > self.c_star[:, None, None] + tol)
        return deceptive.sum(-1), self.converged.sum(-1)

    def flow_ratio(self, tol: float) -> np.ndarray:
        """The flow ratio of the sampled grid points, (L, R); NaN where no flow converged."""
        k, m = self.flow_counts(tol)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(m > 0, k / np.maximum(m, 1), np.nan)

    def flow_interval(self, tol: float) -> np.ndarray:
        """Wilson 95 % interval of :meth:`flow_ratio`, (L, R, 2)."""
        from .stats import wilson_interval

        k, m = self.flow_counts(tol)
        low, high = wilson_interval(k, m)
        return np.stack([low, high], axis=-1)

    def distance(self, tol: float) -> np.ndarray:
        """|grid ratio − flow ratio| per layer count, resolution and rule, (L, R, rule)."""
        t = self._tol(tol)
        return np.abs(self.grid_ratio[..., t] - self.flow_ratio(tol)[..., None])

    def mean_distance(self, tol: float | None = None) -> dict:
        """{rule: mean |grid ratio − flow ratio|} over layer counts, resolutions and (default)
        every tol of the study."""
        tols = self.tols if tol is None else (tol,)
        mean = np.nanmean([self.distance(t) for t in tols], axis=(0, 1, 2))
        return {rule: float(m) for rule, m in zip(RULES, mean)}

    def closer_rule(self, tol: float | None = None) -> str:
        """The rule whose ratio lies nearer the flow's on average (:meth:`mean_distance`):
        the rule that tracks the small-step limit."""
        mean = self.mean_distance(tol)
        return min(mean, key=mean.get)

    def largest_artefact(self, tol: float, resolution: int | None = None,
                         rule: str = "compass", cause: str = "overshoot") -> dict:
        """Where ``cause`` makes the largest share of the grid deceptive under ``rule`` at
        ``tol``, at ``resolution`` (default: over every R): {``layers``, ``resolution``,
        ``share`` (of the grid), ``height`` (C(σ) − C_min of its largest sink), ``grid_ratio``,
        ``flow_ratio``}."""
        t = self._tol(tol)
        if rule not in RULES or cause not in CAUSES:
            raise ValueError(f"rule must be one of {RULES} and cause one of {CAUSES}, got "
                             f"{rule!r} and {cause!r}")
        k, c = RULES.index(rule), CAUSES.index(cause)
        share = self.causes[:, :, k, t, c]
        if resolution is not None:
            g = self._resolution(resolution)
            share = np.where(np.arange(len(self.resolutions)) == g, share, -1.0)
        i, g = np.unravel_index(int(np.argmax(share)), share.shape)
        return {"layers": int(self.layers[i]), "resolution": int(self.resolutions[g]),
                "share": float(self.causes[i, g, k, t, c]),
                "height": float(self.heights[i, g, k, t, c]),
                "grid_ratio": float(self.grid_ratio[i, g, k, t]),
                "flow_ratio": float(self.flow_ratio(tol)[i, g])}

    def artefact_share(self, tol: float) -> np.ndarray:
        """Share of the grid deceptive only because of the rule (every cause but the local
        minimum), (L, R, rule)."""
        t = self._tol(tol)
        return self.causes[..., t, 1:].sum(-1)

    def worst_layers(self, tol: float, rule: str = "compass") -> int:
        """The layer count where ``rule``'s ratio lies farthest from the flow's (over R)."""
        k = RULES.index(rule) if rule in RULES else None
        if k is None:
            raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
        return int(self.layers[int(np.nanargmax(np.nanmax(self.distance(tol)[..., k], axis=1)))])

    def drift(self, tol: float, rule: str = "compass") -> dict:
        """Where ``rule``'s ratio changes most between the coarsest and the finest R, at
        ``tol``: {``layers``, ``coarse`` and ``fine`` (its ratio there), ``flow_coarse`` and
        ``flow_fine`` (the flow ratio there), ``resolutions`` (coarsest, finest)}."""
        t = self._tol(tol)
        if rule not in RULES:
            raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
        r = self.grid_ratio[:, :, RULES.index(rule), t]
        i = int(np.argmax(np.abs(r[:, -1] - r[:, 0])))
        flow = self.flow_ratio(tol)[i]
        return {"layers": int(self.layers[i]), "coarse": float(r[i, 0]), "fine": float(r[i, -1]),
                "flow_coarse": float(flow[0]), "flow_fine": float(flow[-1]),
                "resolutions": (self.resolutions[0], self.resolutions[-1])}

    def cause_fraction(self, tol: float, rule: str = "compass",
                       cause: str = "overshoot") -> np.ndarray:
        """The fraction of ``rule``'s deceptive points that ``cause`` makes deceptive, (L, R);
        NaN where the rule calls no point deceptive."""
        t = self._tol(tol)
        if rule not in RULES or cause not in CAUSES:
            raise ValueError(f"rule must be one of {RULES} and cause one of {CAUSES}, got "
                             f"{rule!r} and {cause!r}")
        k = RULES.index(rule)
        ratio = self.grid_ratio[:, :, k, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ratio > 0, self.causes[:, :, k, t, CAUSES.index(cause)]
                            / np.where(ratio > 0, ratio, 1), np.nan)

    def curvature(self) -> np.ndarray:
        """Eigenvalues of the Hessian at each refined minimum θ*, ascending, (L, d), cost per
        rad² (:func:`qbp.minima.hessian_eigenvalues`): an eigenvalue near 0 makes C* the floor
        of a valley, along which a grid sees a chain of sinks at heights set by the grid."""
        from .minima import hessian_eigenvalues

        cost = make_cost(self.cost, self.n_qubits, self.target_seed)
        return np.array([hessian_eigenvalues(_circuit(self.n_qubits, L, self.rotations), cost,
                                             theta)
                         for L, theta in zip(self.layers, self.c_star_theta)])

    def summary(self) -> dict:
        """Every number of the study, JSON-ready (arrays as nested lists; axes named in
        ``axes``): inputs, C*, grid ratios, causes and heights, the flow ratios with their
        Wilson intervals per tol, agreements, mean distances, the closer rule and the
        unconverged counts."""
        return {"n_qubits": self.n_qubits, "cost": self.cost, "layers": list(self.layers),
                "resolutions": list(self.resolutions), "tols": list(self.tols),
                "n_starts": self.n_starts, "seed": self.seed, "rotations": list(self.rotations),
                "target_seed": self.target_seed, "c_star_resolution": self.c_star_resolution,
                "axes": {"grid_ratio": ["layers", "resolution", "rule", "tol"],
                         "causes": ["layers", "resolution", "rule", "tol", "cause"],
                         "flow_ratio": ["tol", "layers", "resolution"]},
                "rules": list(RULES), "causes_order": list(CAUSES), "c_star": self.c_star.tolist(),
                "c_star_theta": self.c_star_theta.tolist(),
                "grid_ratio": self.grid_ratio.tolist(), "causes": self.causes.tolist(),
                "heights": self.heights.tolist(),
                "flow_ratio": [self.flow_ratio(t).tolist() for t in self.tols],
                "flow_interval": [self.flow_interval(t).tolist() for t in self.tols],
                "agreement": self.agreement.tolist(), "mean_distance": self.mean_distance(),
                "closer_rule": self.closer_rule(),
                "n_unconverged": (self.n_starts - self.converged.sum(-1)).tolist()}

    def table(self, tol: float, resolution: int):
        """The readings at ``tol`` and ``resolution``, one column per layer count
        (``"L = 1"`` …) and one row per reading: a :class:`pandas.DataFrame` of text, two
        decimals, transposed so that it stays narrow (9 rows): the sharing degree, the flow
        ratio of the sampled points with its Wilson interval, each rule's ratio and the part
        of it that is an artefact (for the compass rule split into overshoots and the rest),
        and each rule's agreement with the flow point by point (the index, ``reading``, names
        them). ValueError for a tol or resolution the study does not hold."""
        import pandas as pd

        t, g = self._tol(tol), self._resolution(resolution)
        ratio, ci = self.flow_ratio(tol)[:, g], self.flow_interval(tol)[:, g]
        c, s = RULES.index("compass"), RULES.index("steepest")
        over = CAUSES.index("overshoot")

        def f(x):
            return "–" if not np.isfinite(x) else f"{x:.2f}"

        rows = []
        for i, layers in enumerate(self.layers):
            shares = self.causes[i, g, :, t]
            rows.append({
                "L": f"L = {layers}", "sharing degree n·L": str(self.degrees[i]),
                "flow ratio [95 %]": f"{f(ratio[i])} [{f(ci[i, 0])}, {f(ci[i, 1])}]",
                "compass": f(self.grid_ratio[i, g, c, t]),
                "compass: overshoots": f(shares[c, over]),
                "compass: other artefacts": f(shares[c, 1:].sum() - shares[c, over]),
                "steepest": f(self.grid_ratio[i, g, s, t]),
                "steepest: artefacts": f(shares[s, 1:].sum()),
                "agreement, compass": f(self.agreement[i, g, c, t]),
                "agreement, steepest": f(self.agreement[i, g, s, t])})
        return pd.DataFrame(rows).set_index("L").T.rename_axis("reading").rename_axis(
            None, axis=1)

    def cells(self, tols=None) -> list:
        """C4-style cells, one per tol (default the study's): :func:`qbp.claims.c4_rule` on
        the spread over R of the flow ratio of the sampled grid points, per sharing degree.
        Setting: n_qubits, cost, tol and the rotations. Beside: each rule's grid ratios
        (L × R), their spreads, |grid − flow| and the closer rule. Needs at least two layer
        counts (a cell rule compares degrees)."""
        from .claims import Cell, REGISTRY

        if len(self.layers) < 2:
            raise ValueError(f"C4-style cells need at least two layer counts, got "
                             f"{list(self.layers)}")
        tols = self.tols if tols is None else tuple(self.tols[self._tol(t)] for t in tols)
        out = []
        for tol in tols:
            t = self._tol(tol)
            flow = self.flow_ratio(tol)
            series = {f"flow ratio R={r}": flow[:, g] for g, r in enumerate(self.resolutions)}
            dist = self.distance(tol)
            mean = {rule: float(np.nanmean(dist[..., k])) for k, rule in enumerate(RULES)}
            beside = {"resolutions": list(self.resolutions), "n_starts": self.n_starts,
                      "seed": self.seed, "starts": "uniform random starts moved to the "
                                                  "nearest point of each R-grid",
                      "n_unconverged": (self.n_starts - self.converged.sum(-1)).tolist(),
                      **{f"grid_{rule}": self.grid_ratio[..., k, t]
                         for k, rule in enumerate(RULES)},
                      **{f"grid_spread_{rule}": np.ptp(self.grid_ratio[..., k, t], axis=1)
                         for k, rule in enumerate(RULES)},
                      **{f"distance_{rule}": dist[..., k] for k, rule in enumerate(RULES)},
                      "mean_distance": mean, "closer_rule": min(mean, key=mean.get)}
            setting = {"n_qubits": self.n_qubits, "cost": self.cost, "tol": tol,
                       "rotations": " ".join(self.rotations)}
            if not np.all(np.isfinite(flow)):
                spread = np.full(len(self.layers), np.nan)
                from .claims import Judgement

                jd = Judgement("inconclusive", {"name": "undefined", "value": None},
                               "no sampled flow converged at some R: inconclusive")
            else:
                spread = flow.max(axis=1) - flow.min(axis=1)
                jd = REGISTRY["C4"].rule(self.degrees, spread)
            out.append(Cell("C4", setting, "sharing degree n·L", self.degrees,
                            "spread of the flow ratio over R", {"value": spread, **series},
                            jd.statistic, None, jd.outcome, jd.reason, beside))
        return out


def _circuit(n_qubits, layers, rotations):
    from .circuit import default_circuit

    return default_circuit(n_qubits, layers, "type", rotations=rotations)


def _c_star_task(task):
    from .landscape import sample_landscape
    from .minima import refine_minimum

    n, cost_name, layers, rotations, target_seed, resolution = task
    circuit, cost = _circuit(n, layers, rotations), make_cost(cost_name, n, target_seed)
    land = sample_landscape(circuit, cost, resolution, method="fourier", with_gradient=False,
                            progress=False)
    return refine_minimum(land, cost, method="fourier")


def _tracking_task(task):
    """One (L, R): grid ratios, causes and agreement per rule and tol; the sampled flows."""
    from .deceptiveness import basins
    from .flow import flow_deceptiveness
    from .grid import nearest_index
    from .landscape import sample_landscape
    from .sinks import deceptive_causes
    from .trajectories import random_starts

    n, cost_name, layers, rotations, target_seed, resolution, tols, n_starts, seed, c_star = task
    circuit, cost = _circuit(n, layers, rotations), make_cost(cost_name, n, target_seed)
    land = sample_landscape(circuit, cost, resolution, method="fourier", progress=False)
    starts = random_starts(n_starts, circuit.n_params, seed, circuit.periods)
    index = nearest_index(starts, resolution, circuit.periods)
    rule_basins = [basins(land, rule) for rule in RULES]
    # One flow from the sampled points and from every sink either rule calls deceptive at
    # the smallest tol: its slowest start sets its length, so one batch beats several.
    sinks = [b.sinks[b.sink_values > b.threshold(min(tols))] for b in rule_basins]
    flat = np.unique(np.concatenate([index, *sinks]))
    multi = np.unravel_index(flat, land.values.shape)
    points = np.stack([ax[i] for ax, i in zip(land.axes, multi)], axis=1)
    flow = flow_deceptiveness(circuit, cost, points, 0.0, c_star=c_star, progress=False)
    known = (flat, flow.end_values, flow.converged)
    at = np.searchsorted(flat, index)
    ends, keep = flow.end_values[at], flow.converged[at]
    ratio = np.empty((len(RULES), len(tols)))
    causes = np.empty((len(RULES), len(tols), len(CAUSES)))
    heights = np.empty(causes.shape)
    agreement = np.empty(ratio.shape)
    for k, b in enumerate(rule_basins):
        for t, why in enumerate(deceptive_causes(land, b, cost, tols, c_star, known=known)):
            ratio[k, t] = why.ratio
            causes[k, t] = [why.shares[c] for c in CAUSES]
            heights[k, t] = [why.heights[c] for c in CAUSES]
            mask = b.deceptive(tols[t]).ravel()[index]
            flow_dec = ends > c_star + tols[t]
            agreement[k, t] = (float(np.mean(mask[keep] == flow_dec[keep])) if keep.any()
                               else np.nan)
    return ratio, causes, heights, ends, keep, agreement


def tracking_study(n_qubits: int = 2, cost: str = "tfim", layers=(1, 2, 3, 4, 5, 6),
                   resolutions=(90, 180, 360, 720), tols=(1e-3, 0.1), n_starts: int = 200,
                   seed: int = 0, *, rotations=("RY", "RZ"), target_seed: int = 0,
                   c_star_resolution: int = 180, scheduler=None,
                   progress=None) -> TrackingStudy:
    """Algorithm 1's compass and steepest rules against the gradient flow (SPEC §5, §12).

    The circuit: :func:`qbp.default_circuit` (``n_qubits``, L, ``"type"``, ``rotations``)
    for each L in ``layers``, d = len(rotations) free parameters; the cost
    :func:`qbp.cost.make_cost` (``cost``, ``n_qubits``, ``target_seed``). C* per L:
    :func:`qbp.minima.refine_minimum` on a grid of ``c_star_resolution`` (as
    :mod:`qbp.matrix` does). Then per (L, R), R in ``resolutions``: the exact landscape; for
    each rule its ratio and :func:`qbp.sinks.deceptive_causes` at each of ``tols``
    (absolute, cost units); ``random_starts(n_starts, d, seed)`` moved to their nearest
    grid point and the flow from them (:func:`qbp.flow_deceptiveness`, exact gradients,
    default gtol and budget), and each rule's agreement with it point by point. Two rounds of
    tasks through :func:`qbp.executors.run_tasks` (C* per L, then one task per (L, R));
    the split depends on the parameters only, so every scheduler gives the same numbers.
    Cost per task: a landscape of R^d points (memory ~(d + 1)·8 bytes per point), two basin
    computations, ~500 exact evaluations per sampled start and per deceptive sink.
    Errors: TypeError / ValueError naming the argument.
    """
    from .circuit import MAX_QUBITS
    from .executors import run_tasks

    n_qubits = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    if cost not in COST_NAMES:
        raise ValueError(f"cost must be one of {COST_NAMES}, got {cost!r}")
    layers = _distinct(layers, "layers", lambda v: check_int(v, "layers", minimum=1))
    resolutions = _distinct(resolutions, "resolutions",
                            lambda v: check_int(v, "resolutions", minimum=2))
    tols = _distinct(tols, "tols", check_tol)
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    seed = check_seed(seed, "seed")
    target_seed = check_seed(target_seed, "target_seed")
    if seed is None or target_seed is None:
        raise TypeError("seed and target_seed must be integers >= 0 (None is not reproducible)")
    if isinstance(rotations, str):
        raise TypeError(f"rotations must be a sequence of gate names, got {rotations!r}")
    rotations = tuple(rotations)
    _circuit(n_qubits, 1, rotations)  # refuses bad rotations before any work
    c_star_resolution = check_int(c_star_resolution, "c_star_resolution", minimum=2)
    make_cost(cost, n_qubits, target_seed)

    minima = run_tasks(_c_star_task, [(n_qubits, cost, L, rotations, target_seed,
                                       c_star_resolution) for L in layers],
                       scheduler, desc="refined minima", progress=progress)
    c_star_theta = np.array([theta for theta, _ in minima])
    c_star = np.array([value for _, value in minima])
    keys = [(i, g) for i in range(len(layers)) for g in range(len(resolutions))]
    tasks = [(n_qubits, cost, layers[i], rotations, target_seed, resolutions[g], tols, n_starts,
              seed, float(c_star[i])) for i, g in keys]
    out = run_tasks(_tracking_task, tasks, scheduler, desc="grid rules and flows",
                    progress=progress)
    shape = (len(layers), len(resolutions))
    ratio = np.empty(shape + (len(RULES), len(tols)))
    causes = np.empty(ratio.shape + (len(CAUSES),))
    heights = np.empty(causes.shape)
    ends = np.empty(shape + (n_starts,))
    converged = np.empty(ends.shape, dtype=bool)
    agreement = np.empty(ratio.shape)
    for (i, g), (r, c, h, e, v, a) in zip(keys, out):
        ratio[i, g], causes[i, g], heights[i, g] = r, c, h
        ends[i, g], converged[i, g], agreement[i, g] = e, v, a
    meta = {"qbp_version": __version__, "sharing": "type", "rules": list(RULES),
            "causes": list(CAUSES), "grid_threshold": "C_min + tol",
            "flow_threshold": "C* + tol", "c_star": "refine_minimum"}
    return TrackingStudy(n_qubits, cost, layers, resolutions, tols, n_starts, seed, rotations,
                         target_seed, c_star_resolution, c_star, c_star_theta, ratio, causes,
                         heights, ends, converged, agreement, meta)


def _distinct(values, name: str, check) -> tuple:
    if isinstance(values, (str, bytes)) or not np.iterable(values):
        values = (values,)
    out = tuple(check(v) for v in values)
    if not out:
        raise ValueError(f"{name} must name at least one value")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat values, got {list(out)}")
    return tuple(sorted(out))


def grid_readings(landscape, claim: str, rule: str, tols=None) -> list:
    """What a claim's cells would say if judged on Algorithm 1's grid ratios instead of the
    flow: C3 or C4 cells from a :class:`qbp.matrix.LandscapeStudy` (its whole-grid ratios
    for ``rule`` at each of ``tols``, default the study's), judged by the same cell rules.

    C3: :func:`qbp.claims.c3_rule` on the grid ratio at the study's ``resolution`` R per
    degree; a whole-grid ratio has no sampling error, so the effect ratio(last) −
    ratio(first) carries its resolution error (:func:`qbp.stats.resolution_difference`, the
    change from R/2 to R: R/2 must be among the study's grid resolutions).
    C4: :func:`qbp.claims.c4_rule` on the spread of the grid ratio over the study's grid
    resolutions, per degree. Settings as the flow's cells (n_qubits, cost, tol; C3 without
    a seed: nothing is sampled). These readings are shown beside the claims, never judged
    as them. Errors: ValueError naming ``claim``, ``rule``, ``tols`` or a missing R/2.
    """
    from .claims import Cell, REGISTRY
    from .matrix import LandscapeStudy, _effect_dict
    from .stats import resolution_difference

    if not isinstance(landscape, LandscapeStudy):
        raise TypeError(f"landscape must be a qbp.matrix.LandscapeStudy, got "
                        f"{type(landscape).__name__}")
    if claim not in ("C3", "C4"):
        raise ValueError(f"claim must be 'C3' or 'C4' (the deceptiveness claims), got {claim!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    k = RULES.index(rule)
    tols = landscape.tols if tols is None else tuple(tols)
    res = landscape.grid_resolutions
    fine, coarse = landscape.resolution, landscape.resolution // 2
    if claim == "C3" and coarse not in res:
        raise ValueError(f"C3's grid reading needs R/2 = {coarse} among the grid resolutions "
                         f"{res.tolist()} (for the resolution error)")
    out = []
    for tol in tols:
        ratios = landscape.grid_ratios(tol)[..., k]  # (n, cost, L, R)
        for i, n in enumerate(landscape.n_qubits):
            for j, cost in enumerate(landscape.costs):
                degrees = landscape.degrees(n)
                setting = {"n_qubits": n, "cost": cost, "tol": tol}
                r = ratios[i, j]
                if claim == "C3":
                    at = r[:, int(np.flatnonzero(res == fine)[0])]
                    half = r[:, int(np.flatnonzero(res == coarse)[0])]
                    effect = resolution_difference(at[0], at[-1], half[0], half[-1])
                    jd = REGISTRY["C3"].rule(degrees, at, effect)
                    out.append(Cell("C3", setting, "sharing degree n·L", degrees,
                                    f"{rule} rule's grid ratio at R = {fine}",
                                    {"value": at, "coarse": half}, jd.statistic,
                                    _effect_dict(effect), jd.outcome, jd.reason,
                                    {"rule": rule, "reading": "grid"}))
                else:
                    spread = r.max(axis=1) - r.min(axis=1)
                    jd = REGISTRY["C4"].rule(degrees, spread)
                    out.append(Cell("C4", setting, "sharing degree n·L", degrees,
                                    f"spread of the {rule} rule's grid ratio over R",
                                    {"value": spread}, jd.statistic, None, jd.outcome,
                                    jd.reason, {"rule": rule, "reading": "grid",
                                                "resolutions": res.tolist()}))
    return out
