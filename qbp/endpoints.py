"""Where optimizer runs end, and what predicts it (SPEC §5, §6, §12; the book's chapter 04).

A run of Adam or SGD from a start ends in one of three ways (:func:`classify_endpoints`):

- **global**: it has *settled* at the global minimum — its cost stayed within ``tol`` of C*
  over the last 10 % of its steps (the success of SPEC §11, :func:`qbp.stats.settled`);
- **local minimum**: it ends above C* + tol with a small gradient, |∇C| < ``grad_tol``: it
  has stopped at another stationary point;
- **not settled**: neither — its gradient is still large after the last step, or it reached
  the global minimum only within the last 10 % of its steps.

Three predictors of where a run from a start ends, each checked run by run:

- the **gradient flow** from the start (:func:`qbp.flow_deceptiveness`, the small-step limit
  of SPEC §12): the run *ends where the flow ends* if the flow continued from the run's end
  point reaches the same minimum as the flow from its start (:func:`same_end`) — so a run
  that stops a little short of a minimum, or oscillates around it, still counts;
- Algorithm 1's **compass** and **steepest** rules on the grid (SPEC §5,
  :func:`qbp.basins`): the run ends *in the predicted basin* if the grid points nearest to its
  start and to its end drain into the same sink (:func:`basin_agreement`).

Each also predicts the outcome (global or not): the flow's end value against C* + tol, a
grid sink's value against the grid minimum + tol (Algorithm 1's deceptiveness).

:func:`global_minima` lists the distinct global minima of a landscape (the type-shared
circuits have symmetric copies): every grid local minimum (:func:`qbp.minima
.grid_local_minima`, no lower axis neighbour) polished by :func:`qbp.minima.polish`, those
within tol of C* kept; C* itself is :func:`qbp.minima.refine_minimum`'s, the one
computation of C* the book uses. :func:`trajectory_study` runs all of this for the default
circuit with type sharing at L = 1 … max_layers, one task per L through
:func:`qbp.executors.run_tasks`. Every fraction carries its Wilson 95 % interval
(:class:`Fraction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_real, check_seed, check_tol
from ._version import __version__

__all__ = ["KINDS", "PREDICTORS", "DEFAULT_GRAD_TOL", "DEFAULT_SAME_POINT", "Fraction",
           "fraction", "GlobalMinima", "global_minima", "classify_endpoints", "end_fractions",
           "basin_agreement", "same_end", "TrajectoryLayer", "TrajectoryStudy",
           "trajectory_study"]

#: How a run ends, in the order of :func:`classify_endpoints`' codes 0, 1, 2.
KINDS = ("global", "local minimum", "not settled")
#: What predicts where a run ends: the gradient flow and Algorithm 1's two grid rules.
PREDICTORS = ("flow", "compass", "steepest")
#: |∇C| (cost units per radian) below which a run's end is a stationary point.
DEFAULT_GRAD_TOL = 1e-2
#: Two end points closer than this (radians, periodic) are the same point.
DEFAULT_SAME_POINT = 1e-2


# --------------------------------------------------------------------------- fractions
@dataclass(frozen=True)
class Fraction:
    """``k`` of ``n`` with the rate k/n and its Wilson 95 % interval [``low``, ``high``]
    (:func:`qbp.stats.wilson_interval`; n = 0 gives rate NaN and (0, 1))."""

    k: int
    n: int
    rate: float
    low: float
    high: float

    def text(self) -> str:
        """``"0.93 [0.91, 0.95]"``: two decimals, as the book writes rates."""
        return f"{self.rate:.2f} [{self.low:.2f}, {self.high:.2f}]"

    def to_dict(self) -> dict:
        return {"k": self.k, "n": self.n, "rate": self.rate, "low": self.low,
                "high": self.high}


def fraction(mask, of=None) -> Fraction:
    """The fraction of True entries of the bool array ``mask``, counted over the entries
    where ``of`` (a bool array of the same shape, default all) is True, with its Wilson
    interval."""
    from .stats import wilson_interval

    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a bool array, got dtype {mask.dtype}")
    of = np.ones(mask.shape, dtype=bool) if of is None else np.asarray(of)
    if of.dtype != bool or of.shape != mask.shape:
        raise ValueError(f"of must be a bool array of mask's shape {mask.shape}")
    k, n = int((mask & of).sum()), int(of.sum())
    low, high = wilson_interval(k, n)
    return Fraction(k, n, k / n if n else float("nan"), low, high)


# --------------------------------------------------------------------------- global minima
@dataclass(frozen=True, eq=False)
class GlobalMinima:
    """The distinct global minima of a landscape: ``points`` (k, d) radians, wrapped, and
    their ``values`` (k,), all within tol of ``c_star`` (:func:`qbp.minima.refine_minimum`,
    at ``c_star_theta``); ``n_grid_minima`` grid local minima were polished; ``lowest`` is
    the lowest polished value (never below C* by more than round-off: a check of C*)."""

    points: np.ndarray
    values: np.ndarray
    c_star: float
    c_star_theta: np.ndarray
    n_grid_minima: int
    lowest: float
    tol: float


def global_minima(landscape, cost, tol: float, *, same_point: float = DEFAULT_SAME_POINT,
                  method: str = "fourier") -> GlobalMinima:
    """Every distinct global minimum of ``landscape``'s circuit under ``cost``.

    C* = :func:`qbp.minima.refine_minimum` (the lowest grid minima polished by L-BFGS-B).
    Then every grid local minimum (:func:`qbp.minima.grid_local_minima`: no axis neighbour
    lower) is polished (:func:`qbp.minima.polish`, exact gradients, ``method``); the polished
    points with a cost ≤ C* + ``tol`` are global minima, and of points closer than
    ``same_point`` (radians, periodic) only the lowest is kept. Returns a
    :class:`GlobalMinima` (points sorted by value). Cost: a few hundred exact evaluations
    per grid local minimum. Errors: those of :func:`qbp.minima.refine_minimum`; ValueError
    for a bad ``tol`` or ``same_point``.
    """
    from .grid import periodic_distance
    from .minima import grid_local_minima, polish, refine_minimum

    tol = check_tol(tol)
    same_point = check_real(same_point, "same_point", above=0)
    theta_star, c_star = refine_minimum(landscape, cost, method=method)
    flat = grid_local_minima(landscape.values)
    starts = np.array([landscape.point(i) for i in flat])
    points, values = polish(landscape.circuit, cost, starts, method=method)
    order = np.argsort(values, kind="stable")
    kept = []
    for i in order[values[order] <= c_star + tol]:
        if all(periodic_distance(points[i], points[j], landscape.periods) > same_point
               for j in kept):
            kept.append(i)
    kept = np.array(kept, dtype=int)
    return GlobalMinima(points[kept].reshape(-1, landscape.n_params), values[kept],
                        float(c_star), np.asarray(theta_star), len(flat),
                        float(values.min()), tol)


# --------------------------------------------------------------------------- end points
def classify_endpoints(final_values, tail_max, grad_norm, c_star: float, tol: float,
                       grad_tol: float = DEFAULT_GRAD_TOL) -> np.ndarray:
    """How each run ends, as codes into :data:`KINDS` (int array (B,)).

    ``final_values`` (B,): cost after the last step; ``tail_max`` (B,): the largest cost over
    the last 10 % of the steps (:func:`qbp.optimize`'s ``checkpoints``); ``grad_norm`` (B,):
    |∇C| at the end (cost units per radian); ``c_star``: the refined global minimum; ``tol``
    ≥ 0 (cost units); ``grad_tol`` > 0.

    - 0 **global**: ``tail_max`` ≤ C* + tol (settled, SPEC §11);
    - 1 **local minimum**: not global, ``final_values`` > C* + tol and ``grad_norm`` <
      ``grad_tol``;
    - 2 **not settled**: otherwise.

    >>> classify_endpoints([0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.5], [0.0, 0.0, 0.5, 0.0],
    ...                    0.0, 1e-3).tolist()
    [0, 1, 2, 2]
    """
    final, tail, grad = (_finite_1d(v, name) for v, name in (
        (final_values, "final_values"), (tail_max, "tail_max"), (grad_norm, "grad_norm")))
    if not final.shape == tail.shape == grad.shape:
        raise ValueError(f"final_values, tail_max and grad_norm must have one shape, got "
                         f"{final.shape}, {tail.shape}, {grad.shape}")
    if np.any(tail < final - 1e-12 * np.maximum(1.0, np.abs(final))):
        raise ValueError("tail_max must be >= final_values (the final cost is in the tail)")
    threshold = float(c_star) + check_tol(tol)
    grad_tol = check_real(grad_tol, "grad_tol", above=0)
    settled = tail <= threshold
    local = ~settled & (final > threshold) & (grad < grad_tol)
    return np.where(settled, 0, np.where(local, 1, 2))


def end_fractions(kinds) -> dict:
    """{kind: :class:`Fraction`} of the codes ``kinds`` (from :func:`classify_endpoints`)."""
    kinds = np.asarray(kinds)
    return {name: fraction(kinds == code) for code, name in enumerate(KINDS)}


def basin_agreement(landscape, basins, starts, ends) -> np.ndarray:
    """Whether each run ends in the basin its start lies in (bool (B,)): the grid points
    nearest (periodically) to the start and to the end drain into the same sink of
    ``basins`` (:func:`qbp.basins` of ``landscape``). ``starts``, ``ends``: (B, d) radians."""
    from .deceptiveness import Basins
    from .grid import nearest_index

    if not isinstance(basins, Basins) or basins.values.shape != landscape.values.shape:
        raise ValueError("basins must be qbp.basins(landscape, ...) of this landscape")
    r = landscape.values.shape[0]
    sink = basins.sink.ravel()
    a = nearest_index(starts, r, landscape.periods)
    b = nearest_index(ends, r, landscape.periods)
    if a.shape != b.shape:
        raise ValueError(f"starts and ends must have one shape, got {np.shape(starts)} and "
                         f"{np.shape(ends)}")
    return sink[a] == sink[b]


def same_end(a, b, periods, same_point: float = DEFAULT_SAME_POINT) -> np.ndarray:
    """Whether the points ``a`` and ``b`` (B, d), radians, are the same point: periodic
    distance (:func:`qbp.grid.periodic_distance`) < ``same_point``. Bool (B,)."""
    from .grid import periodic_distance

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"a and b must have one shape (B, d), got {a.shape} and {b.shape}")
    return periodic_distance(a, b, periods) < check_real(same_point, "same_point", above=0)


# --------------------------------------------------------------------------- the study
#: The runs of the study: label → (optimizer, which lr, step factor); "small steps" runs SGD
#: at lr / small_step for small_step × steps (the same path length in finer steps).
_RUNS = {"Adam": ("adam", "lr_adam", False), "SGD": ("sgd", "lr_sgd", False),
         "SGD, small steps": ("sgd", "lr_sgd", True)}


@dataclass(frozen=True, eq=False)
class TrajectoryLayer:
    """One layer count of a :class:`TrajectoryStudy`.

    ``layers`` L, ``degree`` n·L, ``gates`` (parametrized gates), ``landscape`` (R-grid,
    with gradient), ``basins`` {rule: :class:`qbp.deceptiveness.Basins`}, ``minima``
    (:class:`GlobalMinima`); ``paths`` {run: :class:`qbp.Trajectories`} of the first
    ``n_paths`` starts, every step recorded; per run (label → array (B,)): ``kinds`` (codes
    of :data:`KINDS`), ``final_values``, ``ends`` (B, d) wrapped end points,
    ``flow_agrees`` (the flow from the end reaches the flow end of the start),
    ``basin_agrees`` {rule: bool (B,)}; per start: ``flow_ends`` (B, d),
    ``flow_converged`` (B,), ``predicted`` {predictor: bool (B,)} (the predicted outcome is
    global); ``grid_ratio`` {rule: Algorithm 1's ratio at tol}.
    """

    layers: int
    degree: int
    gates: int
    landscape: object
    basins: dict
    minima: GlobalMinima
    paths: dict
    kinds: dict
    final_values: dict
    ends: dict
    flow_agrees: dict
    basin_agrees: dict
    flow_ends: np.ndarray
    flow_converged: np.ndarray
    predicted: dict
    grid_ratio: dict

    def agreement(self, run: str, predictor: str) -> Fraction:
        """Fraction of ``run``'s runs that end where ``predictor`` says: at the flow's end
        (over the starts whose flows converged) or in the grid rule's predicted basin."""
        if predictor == "flow":
            return fraction(self.flow_agrees[run], self.flow_converged)
        return fraction(self.basin_agrees[run][predictor])

    def outcome_agreement(self, run: str, predictor: str) -> Fraction:
        """Fraction of ``run``'s runs whose outcome (global or not) ``predictor`` predicts."""
        hit = self.predicted[predictor] == (self.kinds[run] == 0)
        return fraction(hit, self.flow_converged if predictor == "flow" else None)

    def escapes(self, run: str) -> tuple[Fraction, Fraction]:
        """(escaped, missed): of the starts whose flow ends above C* + tol, the fraction
        whose run ends global; of those whose flow ends global, the fraction whose run does
        not."""
        won = self.kinds[run] == 0
        flow_global = self.predicted["flow"] & self.flow_converged
        flow_local = ~self.predicted["flow"] & self.flow_converged
        return fraction(won, flow_local), fraction(~won, flow_global)


@dataclass(frozen=True, eq=False)
class TrajectoryStudy:
    """Runs of Adam, SGD and small-step SGD from the same starts on the default circuit with
    type sharing, L = 1 … max_layers, and where they end (:func:`trajectory_study`).
    ``layer_records``: one :class:`TrajectoryLayer` per L; ``parameters``: the inputs;
    ``runs``: the run labels; ``lrs`` and ``steps`` of each run."""

    parameters: dict
    runs: tuple
    lrs: dict
    steps: dict
    layer_records: tuple
    meta: dict = field(default_factory=dict)

    @property
    def layers(self) -> list:
        return [r.layers for r in self.layer_records]

    @property
    def degrees(self) -> list:
        return [r.degree for r in self.layer_records]

    def end_table(self):
        """Where the runs end: a DataFrame indexed by (L, run) with one column per kind of
        :data:`KINDS`, each ``"rate [low, high]"`` (Wilson 95 %)."""
        import pandas as pd

        rows = {(r.layers, run): {k: f.text() for k, f in end_fractions(r.kinds[run]).items()}
                for r in self.layer_records for run in self.runs}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis(["L", "run"])

    def agreement_table(self):
        """Run by run against the predictors: a DataFrame indexed by (L, run), columns
        "end: <predictor>" (the run ends where the predictor says) and "outcome:
        <predictor>" (the predictor tells whether it ends global) for each of
        :data:`PREDICTORS`, each ``"rate [low, high]"``."""
        import pandas as pd

        rows = {}
        for r in self.layer_records:
            for run in self.runs:
                row = {f"end: {p}": r.agreement(run, p).text() for p in PREDICTORS}
                row.update({f"outcome: {p}": r.outcome_agreement(run, p).text()
                            for p in PREDICTORS})
                rows[r.layers, run] = row
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis(["L", "run"])

    def series(self, run: str, quantity: str, predictor: str | None = None) -> list:
        """One :class:`Fraction` per L: ``quantity`` a kind of :data:`KINDS`, or
        ``"ends as predicted"`` / ``"outcome predicted"`` (with ``predictor``), or
        ``"escaped"`` / ``"missed"`` (see :meth:`TrajectoryLayer.escapes`)."""
        out = []
        for r in self.layer_records:
            if quantity in KINDS:
                out.append(end_fractions(r.kinds[run])[quantity])
            elif quantity == "ends as predicted":
                out.append(r.agreement(run, predictor))
            elif quantity == "outcome predicted":
                out.append(r.outcome_agreement(run, predictor))
            elif quantity in ("escaped", "missed"):
                out.append(r.escapes(run)[quantity == "missed"])
            else:
                raise ValueError(f"quantity must be one of {KINDS} or 'ends as predicted', "
                                 f"'outcome predicted', 'escaped', 'missed', got {quantity!r}")
        return out

    def extreme(self, run: str, quantity: str, predictor: str | None = None,
                lowest: bool = True) -> tuple:
        """(:class:`Fraction`, L) of the lowest (or highest) rate of :meth:`series` over the
        layer counts, ignoring layer counts with no runs to count (n = 0); the first L on
        ties. (None, None) if every count is empty."""
        pairs = [(f, r.layers) for f, r in zip(self.series(run, quantity, predictor),
                                                 self.layer_records) if f.n]
        if not pairs:
            return None, None
        return (min if lowest else max)(pairs, key=lambda p: p[0].rate)

    def highlights(self) -> dict:
        """Named readings for prose: ``"{quantity}_{low|high}_{run}"`` → (:class:`Fraction`,
        L) the lowest / highest over the layer counts (:meth:`extreme`), and
        ``"global_first_{run}"`` / ``"global_last_{run}"`` at L = 1 and the last L. Quantity
        names: ``global``, ``local``, ``unsettled`` (the kinds), ``flow``, ``compass``,
        ``steepest`` (ends as predicted), ``outcome_flow`` … (outcome predicted),
        ``escaped``, ``missed``; run names ``adam``, ``sgd``, ``small``."""
        short = {"Adam": "adam", "SGD": "sgd", "SGD, small steps": "small"}
        quantities = {"global": ("global", None), "local": ("local minimum", None),
                      "unsettled": ("not settled", None), "escaped": ("escaped", None),
                      "missed": ("missed", None)}
        for p in PREDICTORS:
            quantities[p] = ("ends as predicted", p)
            quantities[f"outcome_{p}"] = ("outcome predicted", p)
        out = {}
        for run in self.runs:
            key = short.get(run, run)
            reached = self.series(run, "global")
            out[f"global_first_{key}"] = (reached[0], self.layers[0])
            out[f"global_last_{key}"] = (reached[-1], self.layers[-1])
            for name, (quantity, predictor) in quantities.items():
                for end, lowest in (("low", True), ("high", False)):
                    out[f"{name}_{end}_{key}"] = self.extreme(run, quantity, predictor, lowest)
        return out

    def findings(self) -> list[str]:
        """What the study found, as four one-line sentences for the book's conclusions (the
        chapter saves them under ``data["findings"]``, :func:`qbp.results.check_findings`):
        the global rate at the first and the last L; how often each run ends where the
        gradient flow from its start ends (the lowest over L); how often Adam escapes a
        local valley (the highest over L); and how often the grid rules' basins hold a
        small-step run's end (the lowest over L). Rates with two decimals."""
        p = self.parameters

        def r(pair, where=True):
            fr, layers = pair
            if fr is None:
                return "none (no such runs)"
            return f"{fr.rate:.2f}" + (f" (L = {layers})" if where else "")

        def low(run, quantity, predictor=None):
            return self.extreme(run, quantity, predictor, lowest=True)

        first, last = self.layers[0], self.layers[-1]
        reached = {run: self.series(run, "global") for run in ("Adam", "SGD")}
        setting = f"{p['cost']} on {p['n_qubits']} qubits, tol = {p['tol']:g}"
        return [
            f"Adam settles at a global minimum in {reached['Adam'][0].rate:.2f} of its runs "
            f"at L = {first} and in {reached['Adam'][-1].rate:.2f} at L = {last}; SGD in "
            f"{reached['SGD'][0].rate:.2f} and {reached['SGD'][-1].rate:.2f} ({setting}).",
            f"A run ends where the gradient flow from its start ends in at least "
            f"{r(low('SGD, small steps', 'ends as predicted', 'flow'), False)} of the "
            f"small-step SGD runs, {r(low('SGD', 'ends as predicted', 'flow'), False)} of the "
            f"SGD runs (η = {p['lr_sgd']:g}) and "
            f"{r(low('Adam', 'ends as predicted', 'flow'))} of the Adam runs "
            f"(η = {p['lr_adam']:g}).",
            f"Of the starts whose flow ends in a local minimum, at most "
            f"{r(self.extreme('Adam', 'escaped', lowest=False))} of Adam's runs end global "
            f"anyway.",
            f"The compass rule's basin holds a small-step run's end in as few as "
            f"{r(low('SGD, small steps', 'ends as predicted', 'compass'))} of the runs, the "
            f"steepest rule's in at least "
            f"{r(low('SGD, small steps', 'ends as predicted', 'steepest'))}."]

    def summary(self) -> dict:
        """JSON-ready numbers: per L the global minima, C*, grid ratios, per run the end
        fractions, the agreement with each predictor and the escapes."""
        layers = []
        for r in self.layer_records:
            runs = {}
            for run in self.runs:
                escaped, missed = r.escapes(run)
                ends = end_fractions(r.kinds[run])
                runs[run] = {"ends": {k: f.to_dict() for k, f in ends.items()},
                             "ends_as_predicted": {p: r.agreement(run, p).to_dict()
                                                   for p in PREDICTORS},
                             "outcome_predicted": {p: r.outcome_agreement(run, p).to_dict()
                                                   for p in PREDICTORS},
                             "escaped": escaped.to_dict(), "missed": missed.to_dict(),
                             "mean_final_value": float(np.mean(r.final_values[run]))}
            layers.append({"layers": r.layers, "degree": r.degree, "gates": r.gates,
                           "c_star": r.minima.c_star, "global_minima": r.minima.points,
                           "n_grid_local_minima": r.minima.n_grid_minima,
                           "lowest_polished": r.minima.lowest, "grid_ratio": r.grid_ratio,
                           "n_sinks": {k: b.n_sinks for k, b in r.basins.items()},
                           "flow_converged": int(r.flow_converged.sum()), "runs": runs})
        return {"runs": list(self.runs), "lrs": self.lrs, "steps": self.steps,
                "layers": layers, "meta": self.meta}


def _layer_task(task) -> TrajectoryLayer:
    from .circuit import default_circuit
    from .cost import make_cost
    from .deceptiveness import basins as make_basins, RULES
    from .engines import value_and_grad
    from .flow import flow_deceptiveness
    from .landscape import sample_landscape
    from .trajectories import optimize, random_starts

    p, layers = task
    circuit = default_circuit(p["n_qubits"], layers, "type")
    cost = make_cost(p["cost"], p["n_qubits"], p["target_seed"])
    tol = p["tol"]
    landscape = sample_landscape(circuit, cost, p["resolution"], progress=False)
    basins = {rule: make_basins(landscape, rule) for rule in RULES}
    minima = global_minima(landscape, cost, tol, same_point=p["same_point"])
    c_star = minima.c_star
    starts = random_starts(p["n_starts"], circuit.n_params, p["seed"], circuit.periods)
    flow = flow_deceptiveness(circuit, cost, starts, tol, c_star=c_star, progress=False,
                              max_steps=p["flow_max_steps"])
    f, _ = value_and_grad(circuit, cost)
    predicted = {"flow": ~flow.deceptive}
    predicted.update({rule: ~basins[rule].deceptive(tol).ravel()[_nearest(landscape, starts)]
                      for rule in RULES})
    out = {k: {} for k in ("paths", "kinds", "final", "ends", "flow_agrees", "basin_agrees")}
    for run, (opt, lr_name, small) in _RUNS.items():
        lr = p[lr_name] / (p["small_step"] if small else 1)
        steps = p["steps"] * (p["small_step"] if small else 1)
        tr = optimize(circuit, cost, starts, opt, lr, steps, record="ends", checkpoints=(steps,))
        ends = tr.final_params
        grad = np.linalg.norm(f(ends)[1], axis=1)
        out["kinds"][run] = classify_endpoints(tr.final_costs, tr.checkpoint_tail_max[:, 0],
                                               grad, c_star, tol, p["grad_tol"])
        out["final"][run], out["ends"][run] = tr.final_costs, ends
        onward = flow_deceptiveness(circuit, cost, ends, tol, c_star=c_star, progress=False,
                                    max_steps=p["flow_max_steps"])
        out["flow_agrees"][run] = onward.converged & same_end(
            flow.end_points, onward.end_points, circuit.periods, p["same_point"])
        out["basin_agrees"][run] = {rule: basin_agreement(landscape, basins[rule], starts, ends)
                                    for rule in RULES}
        if not small and p["n_paths"]:
            out["paths"][run] = optimize(circuit, cost, starts[:p["n_paths"]], opt, lr, steps)
    return TrajectoryLayer(layers, int(circuit.sharing_degree.max()),
                           int(circuit.sharing_degree.sum()), landscape, basins, minima,
                           out["paths"], out["kinds"], out["final"], out["ends"],
                           out["flow_agrees"], out["basin_agrees"], flow.end_points,
                           flow.converged, predicted,
                           {rule: basins[rule].ratio(tol) for rule in RULES})


def _nearest(landscape, points) -> np.ndarray:
    from .grid import nearest_index

    return nearest_index(points, landscape.values.shape[0], landscape.periods)


def trajectory_study(n_qubits: int = 2, cost: str = "tfim", max_layers: int = 6,
                     resolution: int = 180, *, target_seed: int = 0, lr_adam: float = 0.05,
                     lr_sgd: float = 0.05, steps: int = 500, n_starts: int = 1000, seed: int = 1,
                     n_paths: int = 6, tol: float = 1e-3, small_step: int = 4,
                     grad_tol: float = DEFAULT_GRAD_TOL,
                     same_point: float = DEFAULT_SAME_POINT, flow_max_steps: int = 10_000,
                     scheduler=None, progress=None) -> TrajectoryStudy:
    """Adam, SGD and small-step SGD from the same starts, and where they end (SPEC §6, §12).

    For L = 1 … ``max_layers``: the default circuit on ``n_qubits`` with type sharing (d = 2)
    and the cost ``cost`` (:func:`qbp.cost.make_cost`, the infidelity's target from
    ``target_seed``); its landscape on the ``resolution`` grid with Algorithm 1's basins for
    both rules; the global minima and C* (:func:`global_minima`); ``n_starts`` starts
    (:func:`qbp.random_starts` with ``seed``), the gradient flow from each
    (:func:`qbp.flow_deceptiveness`, C* given), and from each start three runs: Adam at
    ``lr_adam`` and SGD at ``lr_sgd`` for ``steps`` steps, and SGD at lr_sgd / ``small_step``
    for ``small_step`` × ``steps`` steps. Each run is classified (:func:`classify_endpoints`
    with ``tol`` and ``grad_tol``), the flow is continued from its end and compared with the
    start's (:func:`same_end`, ``same_point``), and the grid rules' basins are checked
    (:func:`basin_agreement`). The first ``n_paths`` starts are also recorded step by step
    (Adam and SGD) for drawing. ``flow_max_steps``: each flow's step budget per start
    (:func:`qbp.flow_deceptiveness`); a start whose flow does not converge is left out of
    the flow's counts (:meth:`TrajectoryLayer.agreement`). One task per L through
    :func:`qbp.executors.run_tasks`
    (``scheduler``); bit-identical on every scheduler.
    Cost per L: (2 + small_step) × steps × n_starts exact gradient evaluations, and 4 flows
    of n_starts. Errors: TypeError / ValueError naming the argument.
    """
    from .circuit import MAX_QUBITS
    from .cost import COST_NAMES
    from .executors import run_tasks
    from .grid import check_resolution

    if cost not in COST_NAMES:
        raise ValueError(f"cost must be one of {COST_NAMES}, got {cost!r}")
    seed_checked = check_seed(seed, "seed")
    target_checked = check_seed(target_seed, "target_seed")
    if seed_checked is None or target_checked is None:
        raise TypeError("seed and target_seed must be integers >= 0 (None is not reproducible)")
    p = {"n_qubits": check_int(n_qubits, "n_qubits", 1, MAX_QUBITS), "cost": cost,
         "target_seed": target_checked, "max_layers": check_int(max_layers, "max_layers", 1),
         "resolution": check_resolution(resolution),
         "lr_adam": check_real(lr_adam, "lr_adam", above=0),
         "lr_sgd": check_real(lr_sgd, "lr_sgd", above=0), "steps": check_int(steps, "steps", 10),
         "n_starts": check_int(n_starts, "n_starts", 1), "seed": seed_checked,
         "n_paths": check_int(n_paths, "n_paths", 0), "tol": check_tol(tol),
         "small_step": check_int(small_step, "small_step", 1),
         "grad_tol": check_real(grad_tol, "grad_tol", above=0),
         "same_point": check_real(same_point, "same_point", above=0),
         "flow_max_steps": check_int(flow_max_steps, "flow_max_steps", 1)}
    if p["n_paths"] > p["n_starts"]:
        raise ValueError(f"n_paths must be <= n_starts ({p['n_starts']}), got {p['n_paths']}")
    tasks = [(p, layers) for layers in range(1, p["max_layers"] + 1)]
    records = run_tasks(_layer_task, tasks, scheduler, desc="layer counts", progress=progress)
    lrs = {run: p[name] / (p["small_step"] if small else 1)
           for run, (_, name, small) in _RUNS.items()}
    steps_of = {run: p["steps"] * (p["small_step"] if small else 1)
                for run, (_, _, small) in _RUNS.items()}
    return TrajectoryStudy(p, tuple(_RUNS), lrs, steps_of, tuple(records),
                           {"qbp_version": __version__, "sharing": "type",
                            "evaluations_per_shift_step": "1 + 2 × parametrized gates"})


# --------------------------------------------------------------------------- checks
def _finite_1d(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers") from None
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be 1-D and finite, got shape {arr.shape}")
    return arr

