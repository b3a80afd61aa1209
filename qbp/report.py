"""A trainability report for any circuit and observable (SPEC §13; issue 13, item 3).

:func:`trainability_report` runs every analysis of the book on one circuit — typically read
from OpenQASM with :func:`qbp.read_qasm` — and one observable, and returns a frozen
:class:`TrainabilityReport` that keeps its inputs and every number the report page shows:

- **structure**: the number of free parameters and the sharing degree of each (the
  parametrized gates of the circuit that read it; a Qiskit ``rzz(2*γ)`` is one RZ reading γ),
  and how many times the landscape repeats along each parameter within the period it is
  sampled over (:func:`landscape_repeats`: QAOA's MaxCut landscape repeats 4 times in 2π);
- **minimum**: C*, refined as SPEC §6 says (L-BFGS-B with exact gradients from the lowest
  points of every sample below), and the exact ground energy E₀ of the observable;
- **landscape**: the whole grid for d ≤ 3 (shown in full for d ≤ 2, as the three axis planes
  through θ* for d = 3), random 2-D planes through θ* for d > 3 (:func:`random_slice`);
- **gradient magnitudes** |∇C|: on the whole grid for d ≤ 3 (the paper's distribution),
  at the uniform draws otherwise;
- **deceptiveness**: the grid rule of Algorithm 1 for d ≤ 3 (:func:`qbp.basins`) and the flow
  ratio with its Wilson interval for any d (:func:`qbp.flow_deceptiveness`, SPEC §12);
- **barren-plateau indicator**: Var ∂C/∂θ_k over uniform draws, for every k, with bootstrap
  intervals (SPEC §9 measures the same variance for θ₀ against n);
- **success**: Adam and SGD at every default learning rate from the same seeded starts, the
  *settled* rate (cost ≤ C* + tol over the last 10 % of steps, SPEC §11) with its Wilson
  interval and the final-step rate beside it;
- **summary**: one paragraph made by :func:`summarize` from these numbers, each qualitative
  word chosen by a rule stated in :func:`describe`.

Engines. Where the landscape is 2π-periodic and its Fourier series is small the exact series
is fastest, otherwise the batched simulator (:func:`choose_engine`); both give the same numbers
to ~1e−13. A landscape that is not 2π-periodic (a CRX, a ``θ/2`` angle) is sampled over each
parameter's own period (:attr:`qbp.Circuit.periods`); one that does not repeat at all has no
grid and no uniform draws, and is refused.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_real, check_reals, check_seed, check_tol
from ._version import __version__
from .circuit import Circuit
from .cost import ObservableCost
from .engines import check_inputs, evaluate
from .grid import check_periods, wrap
from .landscape import Landscape

__all__ = ["TrainabilityReport", "PlaneSlice", "SuccessRates", "trainability_report",
           "check_settings", "choose_engine", "random_directions", "plane_slice",
           "random_slice", "axis_slices", "landscape_repeats", "grid_resolution", "span_text",
           "describe", "summarize",
           "unshared", "compare",
           "comparison_table", "shared_index", "story_table", "story_counts", "DEFAULTS",
           "OPTIMIZERS", "GROUND_TOL", "DECEPTIVE_LOW", "DECEPTIVE_HIGH", "FLAT_VARIANCE",
           "NARROW_WINDOW"]

#: The report's default settings (the ``qbp report`` notebook uses the same): a 4-qubit,
#: 4-parameter circuit takes well under 2 minutes on 2 cores (benchmarks/bench_report.py).
DEFAULTS = {"resolution": 90, "n_starts": 100, "steps": 500, "n_flow": 200,
            "flow_steps": 2000, "n_draws": 1000, "n_slices": 3, "n_boot": 1000, "tol": 1e-3,
            "seed": 0, "lrs": None}
#: The optimizers whose success the report measures (SPEC §6).
OPTIMIZERS = ("adam", "sgd")
#: Largest grid (points) the report samples for d ≤ 3: 16.8 M points, ~0.5 GB with gradients.
MAX_REPORT_GRID = 1 << 24
#: Fourier series vs batched simulation: measured cost per point ≈ 0.1 × coefficients /
#: (gates × 2ⁿ) times the simulator's (QAOA 4-ring p = 1: 0.07, p = 2: 15).
_FOURIER_COST = 0.1

# --- the rules behind the summary's words (see :func:`describe`) ---------------------------
#: C* "reaches the ground state" when C* − E₀ ≤ GROUND_TOL × (λ_max − λ_min) of the observable.
GROUND_TOL = 1e-6
#: Flow ratio: "not deceptive under the flow" (no converged start deceptive) or "hardly
#: deceptive" if its Wilson interval lies below DECEPTIVE_LOW, "mostly deceptive" if above
#: DECEPTIVE_HIGH, "often deceptive" if above DECEPTIVE_LOW only; with no deceptive start but
#: an interval reaching DECEPTIVE_LOW (too few converged starts), "not seen to be deceptive";
#: else "somewhat deceptive". See :func:`describe`.
DECEPTIVE_LOW = 0.1
DECEPTIVE_HIGH = 0.5
#: A parameter is "flat" when the upper end of the 95 % interval of Var ∂C/∂θ_k is below
#: FLAT_VARIANCE × a², a = (λ_max − λ_min)/2 the observable's half-width (the largest
#: |C − c| any state can have, so a² bounds the variance of C itself).
FLAT_VARIANCE = 1e-3
#: A learning-rate window (decades where settled success ≥ half its best) is "narrow" below
#: NARROW_WINDOW decades, "wide" otherwise.
NARROW_WINDOW = 1.0


# ---------------------------------------------------------------------------- records
@dataclass(frozen=True, eq=False)
class PlaneSlice:
    """The cost on a 2-D plane through ``center``: C(center + s·u + t·v).

    ``directions`` (2, d): u and v, orthonormal; ``offsets``: the s and t axes (radians along
    u and v), each with 0 at index ``len // 2``; ``values`` (len(s), len(t)). ``kind`` is
    ``"random"`` (seeded random directions, ``seed``) or ``"axes"`` (two coordinate axes
    ``axes``, the plane of parameters i and j).
    """

    center: np.ndarray
    directions: np.ndarray
    offsets: tuple[np.ndarray, np.ndarray]
    values: np.ndarray
    kind: str
    axes: tuple[int, int] | None = None
    seed: int | None = None

    @property
    def center_index(self) -> tuple[int, int]:
        """Index of the plane's origin (s = t = 0) in ``values``."""
        return len(self.offsets[0]) // 2, len(self.offsets[1]) // 2

    @property
    def center_value(self) -> float:
        """C at the plane's origin, i.e. at ``center``."""
        return float(self.values[self.center_index])

    def points(self) -> np.ndarray:
        """Every point of the plane, shape (len(s)·len(t), d), in ``values.ravel()`` order."""
        s, t = np.meshgrid(*self.offsets, indexing="ij")
        return (self.center + s.reshape(-1, 1) * self.directions[0]
                + t.reshape(-1, 1) * self.directions[1])


@dataclass(frozen=True, eq=False)
class SuccessRates:
    """One optimizer at each learning rate: how many of ``n_starts`` runs succeeded.

    ``starts`` (n_starts, d): the seeded uniform starts every learning rate used;
    ``settled`` (L,): runs with cost ≤ C* + tol at every recorded step of the last 10 % of
    the run (SPEC §11); ``final`` (L,): runs with final cost ≤ C* + tol. Rates and Wilson
    95 % intervals are properties.
    """

    optimizer: str
    lrs: np.ndarray
    starts: np.ndarray
    settled: np.ndarray
    final: np.ndarray

    @property
    def n_starts(self) -> int:
        return len(self.starts)

    @property
    def settled_rate(self) -> np.ndarray:
        return self.settled / self.n_starts

    @property
    def final_rate(self) -> np.ndarray:
        return self.final / self.n_starts

    @property
    def settled_ci(self) -> np.ndarray:
        """Wilson 95 % interval of the settled rate, shape (2, L)."""
        from .stats import wilson_interval

        return np.array(wilson_interval(self.settled, self.n_starts))

    @property
    def final_ci(self) -> np.ndarray:
        from .stats import wilson_interval

        return np.array(wilson_interval(self.final, self.n_starts))

    @property
    def best(self) -> int:
        """Index of the learning rate with the highest settled rate (the smallest such lr)."""
        return int(np.argmax(self.settled))

    def window(self):
        """:func:`qbp.stats.window_width` of the settled rates (decades of η)."""
        from .stats import window_width

        return window_width(self.lrs, self.settled_rate)


@dataclass(frozen=True, eq=False)
class TrainabilityReport:
    """Everything the trainability report shows, with its inputs (see the module docstring).

    Inputs: ``circuit``, ``cost``, ``settings`` (resolution, n_starts, steps, n_flow,
    n_draws, n_slices, n_boot, tol, seed, lrs) and ``engine`` ("fourier" or "batched").
    Structure: ``sharing_degree`` (d,), ``periods`` (d,) the period each parameter is sampled
    over (:attr:`qbp.Circuit.periods`), ``repeats`` (d,) how many times the landscape repeats
    within it (:func:`landscape_repeats`). Minimum: ``c_star``,
    ``c_star_theta`` (d,), ``e0``, ``spectral_width`` λ_max − λ_min. Landscape:
    ``landscape`` (the grid, d ≤ 3, else None), ``slices`` (d = 3: the three axis planes
    through θ*; d > 3: ``n_slices`` random planes; d ≤ 2: none). Gradients:
    ``gradient_norms`` |∇C| per radian and ``gradient_source`` ("grid" or "draws").
    Deceptiveness: ``grid_ratio`` and ``grid_sinks`` (d ≤ 3, else None; Algorithm 1 at
    ``resolution``, against the grid minimum), ``flow`` (a :class:`qbp.FlowResult` from
    ``n_flow`` uniform starts, classified against ``c_star``). Plateau: ``draws`` (n_draws, d),
    ``draw_values`` (n_draws,), ``derivatives`` (n_draws, d), ``variance`` (d,) with ddof 1,
    ``variance_ci`` (d, 2) bootstrap 95 %. Success: ``success`` {optimizer: SuccessRates}.
    ``words`` (:func:`describe`) and ``summary`` (:func:`summarize`). ``meta``: version and
    seconds per stage.
    """

    circuit: Circuit
    cost: ObservableCost
    settings: dict
    engine: str
    sharing_degree: np.ndarray
    periods: np.ndarray
    repeats: np.ndarray
    c_star: float
    c_star_theta: np.ndarray
    e0: float
    spectral_width: float
    landscape: Landscape | None
    slices: tuple[PlaneSlice, ...]
    gradient_norms: np.ndarray
    gradient_source: str
    grid_ratio: float | None
    grid_sinks: int | None
    flow: object
    draws: np.ndarray
    draw_values: np.ndarray
    derivatives: np.ndarray
    variance: np.ndarray
    variance_ci: np.ndarray
    success: dict
    words: dict
    summary: str
    meta: dict = field(default_factory=dict)

    @property
    def n_params(self) -> int:
        return self.circuit.n_params

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameters' names as the circuit (its file) has them: the data's names."""
        return self.circuit.param_names

    @property
    def display_names(self) -> tuple[str, ...]:
        """The names figures show (:func:`qbp.qasm.display_names`: ``γ₀`` for Qiskit's
        ``_γ_0_``)."""
        from .qasm import display_names

        return display_names(self.circuit.param_names)

    @property
    def excess(self) -> float:
        """C* − E₀ (cost units): 0 where it is round-off (below 10⁻¹² of the spectral width;
        C* is never below E₀ but for round-off)."""
        excess = self.c_star - self.e0
        return 0.0 if excess <= 1e-12 * max(self.spectral_width, 1.0) else excess

    @property
    def unconverged_within_tol(self) -> int:
        """Flow starts that did not converge but already sit at C ≤ C* + tol: the flow only
        lowers C, so they cannot end deceptive (they are still not counted in the ratio)."""
        f = self.flow
        return int(np.sum(~f.converged & (f.end_values <= self.c_star + self.settings["tol"])))

    @property
    def gradient_quantiles(self) -> dict[int, float]:
        """5, 25, 50, 75 and 95 % quantiles of |∇C| (per radian)."""
        q = np.quantile(self.gradient_norms, [0.05, 0.25, 0.5, 0.75, 0.95])
        return dict(zip((5, 25, 50, 75, 95), q.tolist()))

    def parameter_table(self):
        """One row per free parameter: its name as the file writes it (the index), the name
        figures show (:attr:`display_names`), sharing degree, the sampled period, the
        landscape's repeats within it, and Var ∂C/∂θ_k with its interval (a pandas
        DataFrame)."""
        import pandas as pd

        return pd.DataFrame({
            "in figures": self.display_names,
            "gates reading it": self.sharing_degree,
            "period (rad)": self.periods,
            "repeats": self.repeats,
            "Var ∂C/∂θ": self.variance,
            "95 % low": self.variance_ci[:, 0],
            "95 % high": self.variance_ci[:, 1],
        }, index=pd.Index(self.param_names, name="parameter"))

    def success_table(self):
        """One row per learning rate: settled and final-step success of each optimizer with
        the settled rate's Wilson interval (a pandas DataFrame, index = η)."""
        import pandas as pd

        columns = {}
        for name, s in self.success.items():
            label = _NAMES.get(name, name)
            ci = s.settled_ci
            columns[f"{label} settled"] = s.settled_rate
            columns[f"{label} 95 % low"] = ci[0]
            columns[f"{label} 95 % high"] = ci[1]
            columns[f"{label} final step"] = s.final_rate
        lrs = next(iter(self.success.values())).lrs
        return pd.DataFrame(columns, index=pd.Index(lrs, name="learning rate η"))

    def numbers(self) -> dict:
        """The report's numbers as a JSON-ready dict (what :func:`describe` and
        :func:`summarize` read)."""
        return _numbers(self)


_NAMES = {"adam": "Adam", "sgd": "SGD"}


# ---------------------------------------------------------------------------- checks
def check_settings(circuit: Circuit, *, resolution: int = DEFAULTS["resolution"],
                   n_starts: int = DEFAULTS["n_starts"], steps: int = DEFAULTS["steps"],
                   n_flow: int = DEFAULTS["n_flow"], flow_steps: int = DEFAULTS["flow_steps"],
                   n_draws: int = DEFAULTS["n_draws"], n_slices: int = DEFAULTS["n_slices"],
                   n_boot: int = DEFAULTS["n_boot"], tol: float = DEFAULTS["tol"],
                   seed: int = DEFAULTS["seed"], lrs=DEFAULTS["lrs"]) -> dict:
    """The report's settings checked against ``circuit``, as a dict (``lrs`` an array).

    Raises TypeError or ValueError naming the argument: ``circuit`` not a qbp.Circuit or
    without free parameters, or with a parameter along which the landscape does not repeat
    (no grid, no uniform draws); ``resolution`` < 2, or R^d grid points above
    :data:`MAX_REPORT_GRID` for d ≤ 3; counts < 1 (``n_draws`` and ``n_boot`` < 10);
    ``tol`` < 0; ``seed`` < 0; ``lrs`` not positive. Nothing is computed: ``qbp report``
    calls this before it starts a notebook.
    """
    if not isinstance(circuit, Circuit):
        raise TypeError(f"circuit must be a qbp.Circuit, got {type(circuit).__name__}")
    d = circuit.n_params
    if d == 0:
        raise ValueError("circuit has no free parameters (no 'input float' declarations): "
                         "there is nothing to train")
    if not np.all(np.isfinite(circuit.periods)):
        bad = [circuit.param_names[k] for k in np.flatnonzero(~np.isfinite(circuit.periods))]
        raise ValueError(f"circuit: the landscape does not repeat along {', '.join(bad)} (its "
                         f"gates' frequencies have no common period), so it has no grid and no "
                         f"uniform draws to report on")
    resolution = check_int(resolution, "resolution", minimum=2)
    if d <= 3 and float(resolution) ** d > MAX_REPORT_GRID:
        raise ValueError(f"resolution={resolution} gives {resolution}^{d} = "
                         f"{resolution ** d} grid points for {d} parameters, more than "
                         f"{MAX_REPORT_GRID}; use resolution <= "
                         f"{int(MAX_REPORT_GRID ** (1 / d) + 1e-9)}")
    from .sweeps import default_learning_rates

    lrs = default_learning_rates() if lrs is None else check_reals(lrs, "lrs", above=0).ravel()
    if len(lrs) == 0 or np.any(np.diff(lrs) <= 0):
        raise ValueError("lrs must be one or more strictly increasing learning rates")
    return {"resolution": resolution,
            "n_starts": check_int(n_starts, "n_starts", minimum=1),
            "steps": check_int(steps, "steps", minimum=1),
            "n_flow": check_int(n_flow, "n_flow", minimum=1),
            "flow_steps": check_int(flow_steps, "flow_steps", minimum=1),
            "n_draws": check_int(n_draws, "n_draws", minimum=10),
            "n_slices": check_int(n_slices, "n_slices", minimum=1),
            "n_boot": check_int(n_boot, "n_boot", minimum=10),
            "tol": check_tol(tol), "seed": _check_report_seed(seed), "lrs": lrs}


def _check_report_seed(seed) -> int:
    if seed is None:
        raise TypeError("seed must be an integer >= 0 (not None): a report must be reproducible")
    return check_seed(seed, "seed")


def choose_engine(circuit: Circuit) -> str:
    """``"fourier"`` where the exact series applies and is cheaper than simulation, else
    ``"batched"``.

    The series needs a 2π-periodic landscape (:meth:`qbp.Circuit.is_periodic`); per point it
    costs about 0.1 × Π_k(2K_k + 1) / (gates × 2ⁿ) of a batched simulation (measured on the
    QAOA 4-ring files: 0.07 for p = 1, 15 for p = 2), so it is chosen where that is below 1.
    """
    from .fourier import MAX_COEFFICIENTS

    if not circuit.is_periodic():
        return "batched"
    coefficients = float(np.prod(2 * np.round(circuit.max_frequencies) + 1))
    work = _FOURIER_COST * coefficients / (max(len(circuit.gates), 1) * circuit.dim)
    return "fourier" if coefficients <= MAX_COEFFICIENTS and work < 1 else "batched"


# ---------------------------------------------------------------------------- slices
def random_directions(n_params: int, seed: int) -> np.ndarray:
    """Two random orthonormal directions in R^d, shape (2, d): the Q factor of a seeded
    (d, 2) standard-normal matrix (uniform on the Stiefel manifold, with signs fixed so that
    the same seed gives the same plane). Needs d ≥ 2."""
    d = check_int(n_params, "n_params", minimum=2)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((d, 2)))
    return (q * np.sign(np.diag(r))).T  # sign convention: diag(R) > 0 makes Q unique


def _centred_axis(resolution: int, span: float) -> np.ndarray:
    """``resolution`` offsets spaced span/resolution apart with 0 at index resolution // 2."""
    return span * (np.arange(resolution) - resolution // 2) / resolution


def plane_slice(circuit: Circuit, cost: ObservableCost, center, directions, offsets,
                method: str = "batched", kind: str = "random", axes=None,
                seed: int | None = None) -> PlaneSlice:
    """C(center + s·u + t·v) for every s in ``offsets[0]`` and t in ``offsets[1]``.

    ``center`` (d,) radians; ``directions`` (2, d) (u, v); ``offsets`` two 1-D arrays of
    radians. One batched evaluation of all points (``method``: ``"batched"``, ``"fourier"``
    or ``"reference"``). Returns a :class:`PlaneSlice`.
    """
    check_inputs(circuit, cost)
    center = circuit.check_theta(center, "center")
    if center.ndim != 1:
        raise ValueError(f"center must have shape ({circuit.n_params},), got {center.shape}")
    directions = check_reals(directions, "directions", ndim=(2,))
    if directions.shape != (2, circuit.n_params):
        raise ValueError(f"directions must have shape (2, {circuit.n_params}), got "
                         f"{directions.shape}")
    offsets = tuple(check_reals(o, f"offsets[{i}]", ndim=(1,)) for i, o in enumerate(offsets))
    if len(offsets) != 2:
        raise ValueError("offsets must be two 1-D arrays (the s and t axes)")
    plane = PlaneSlice(center, directions, offsets, np.empty(0), kind, axes, seed)
    values, _ = evaluate(circuit, cost, plane.points(), method, with_gradient=False)
    return dataclasses.replace(plane, values=values.reshape(len(offsets[0]), len(offsets[1])))


def random_slice(circuit: Circuit, cost: ObservableCost, center, resolution: int, seed: int,
                 extent: float = np.pi, method: str = "batched") -> PlaneSlice:
    """A random 2-D slice through ``center``: C on a ``resolution`` × ``resolution`` grid of
    offsets in [−extent, extent) along two random orthonormal directions
    (:func:`random_directions` with ``seed``). The origin (s = t = 0) is a grid point, so the
    slice through θ* shows C* at its centre. ``extent`` in radians (default π).
    """
    resolution = check_int(resolution, "resolution", minimum=2)
    extent = check_real(extent, "extent", above=0)
    axis = _centred_axis(resolution, 2 * extent)
    return plane_slice(circuit, cost, center, random_directions(circuit.n_params, seed),
                       (axis, axis), method, "random", None, seed)


def axis_slices(circuit: Circuit, cost: ObservableCost, center, resolution: int,
                method: str = "batched") -> tuple[PlaneSlice, ...]:
    """The planes of every pair of parameters (i < j) through ``center``, each spanning one
    period of both parameters (``resolution`` points per axis, the centre at index R // 2)."""
    resolution = check_int(resolution, "resolution", minimum=2)
    periods = check_periods(circuit.periods, circuit.n_params, finite=True)
    eye = np.eye(circuit.n_params)
    out = []
    for i in range(circuit.n_params):
        for j in range(i + 1, circuit.n_params):
            offsets = (_centred_axis(resolution, periods[i]), _centred_axis(resolution, periods[j]))
            out.append(plane_slice(circuit, cost, center, eye[[i, j]], offsets, method,
                                   "axes", (i, j)))
    return tuple(out)


#: Most repeats :func:`landscape_repeats` looks for along one parameter.
MAX_REPEATS = 256


def grid_resolution(resolution: int, repeats) -> int:
    """The grid's points per axis: ``resolution`` rounded up to a multiple of every
    parameter's repeats (:func:`landscape_repeats`; 0, a parameter C does not depend on,
    counts as 1).

    Why: a landscape that repeats m times within the sampled period holds m copies of each
    minimum. On a grid whose resolution is not a multiple of m the copies are sampled at
    different offsets, their grid values differ, and Algorithm 1 counts every copy but the
    lowest as a deceptive sink (QAOA on the 4-ring at p = 1, m = 4: R = 90 gives a grid ratio
    of 0.77 where the flow finds no start deceptive; R = 92 gives 0.04, the rule's own grid
    error).

    >>> grid_resolution(90, [4, 4]), grid_resolution(90, [1, 0]), grid_resolution(90, [4, 6])
    (92, 90, 96)
    """
    step = int(np.lcm.reduce(np.maximum(np.asarray(repeats, dtype=int), 1)))
    return -(-int(resolution) // step) * step


def landscape_repeats(circuit: Circuit, cost: ObservableCost, method: str = "batched",
                      n_points: int = 8, seed: int = 0) -> np.ndarray:
    """How many times the landscape repeats along each parameter within its period
    T_k (:attr:`qbp.Circuit.periods`, the span a report samples), shape (d,) integers.

    ``periods`` is a true period of C built from the gates' frequencies; the landscape's own
    smallest period can be shorter when every frequency it holds shares a divisor (QAOA for
    MaxCut on a 4-ring: C holds only the frequencies 0 and ±4 in γ and in β, so it repeats
    4 times in 2π). r_k is the largest m ≤ min(K_k T_k / 2π, :data:`MAX_REPEATS`) (K_k:
    :attr:`qbp.Circuit.max_frequencies`) with C(θ + (T_k/m) e_k) = C(θ) at ``n_points``
    seeded uniform points θ (to 10⁻⁹ × max(1, max |C|)): the shifts T_k/m that leave C
    unchanged are exactly the multiples of its smallest period, so the largest such m is
    the number of repeats. 0 where C does not depend on θ_k at all (a shift by the
    irrational fraction (√5 − 1)/2 of T_k leaves it unchanged, or no gate reads θ_k).
    One batch of n_points × Σ_k (m_k + 2) evaluations with ``method`` ("batched",
    "fourier" or "reference").

    Raises ValueError for a parameter with an infinite period (no repeats to count) and
    the errors of :func:`qbp.engines.evaluate`.
    """
    check_inputs(circuit, cost)
    n_points = check_int(n_points, "n_points", minimum=1)
    d = circuit.n_params
    periods = check_periods(circuit.periods, d, finite=True)
    from .trajectories import random_starts

    base = random_starts(n_points, d, seed, periods)
    top = np.minimum(np.round(circuit.max_frequencies * periods / (2 * np.pi)), MAX_REPEATS)
    golden = (math.sqrt(5) - 1) / 2
    # Per parameter: the shifts T_k/m for m = 1 … top_k, then the irrational one.
    shifts = [(k, np.append(periods[k] / np.arange(1, int(top[k]) + 1), golden * periods[k]))
              for k in range(d)]
    points = [base]
    for k, steps in shifts:
        moved = np.repeat(base[None], len(steps), axis=0)
        moved[:, :, k] += steps[:, None]
        points.append(moved.reshape(-1, d))
    values, _ = evaluate(circuit, cost, np.concatenate(points), method, with_gradient=False)
    here, rest = values[:n_points], values[n_points:]
    atol = 1e-9 * max(1.0, float(np.abs(values).max()))
    out = np.zeros(d, dtype=int)
    start = 0
    for k, steps in shifts:
        same = np.all(np.abs(rest[start:start + len(steps) * n_points].reshape(len(steps), -1)
                             - here) <= atol, axis=1)
        start += len(steps) * n_points
        if top[k] >= 1 and not same[-1]:  # same[-1]: unchanged by an irrational shift
            out[k] = int(np.flatnonzero(same[:-1]).max()) + 1  # m = 1 (shift T_k) always holds
    return out


# ---------------------------------------------------------------------------- the report
def trainability_report(circuit: Circuit, cost: ObservableCost, *,
                        resolution: int = DEFAULTS["resolution"],
                        n_starts: int = DEFAULTS["n_starts"], steps: int = DEFAULTS["steps"],
                        n_flow: int = DEFAULTS["n_flow"],
                        flow_steps: int = DEFAULTS["flow_steps"],
                        n_draws: int = DEFAULTS["n_draws"], n_slices: int = DEFAULTS["n_slices"],
                        n_boot: int = DEFAULTS["n_boot"], tol: float = DEFAULTS["tol"],
                        seed: int = DEFAULTS["seed"], lrs=DEFAULTS["lrs"],
                        method: str = "auto") -> TrainabilityReport:
    """Every number of the trainability report of ``circuit`` under ``cost``.

    Settings (checked by :func:`check_settings`; errors name the argument):
    ``resolution`` grid points per axis (the d ≤ 3 grid, the slices); ``n_starts`` seeded
    uniform starts per optimizer and learning rate; ``steps`` optimizer steps per run;
    ``n_flow`` uniform starts of the gradient flow, each integrated for at most ``flow_steps``
    steps (a start that has not reached |∇C| < 10⁻⁸ by then is reported as unconverged and
    not classified: degenerate minima, as in an unshared QAOA circuit, converge slowly);
    ``n_draws`` uniform draws for the
    gradient variance (and |∇C| for d > 3); ``n_slices`` random planes for d > 3;
    ``n_boot`` bootstrap resamples; ``tol`` ≥ 0 the success and deceptiveness tolerance (cost
    units, absolute); ``seed`` the root of every random choice (the draws, the flow's and the
    optimizers' starts and the planes each get their own stream from
    ``np.random.SeedSequence(seed)``); ``lrs`` the learning rates (default 13 log-spaced from
    1e−3 to 3, SPEC §6); ``method`` "auto" (:func:`choose_engine`), "fourier" or "batched".

    C* is refined as SPEC §6 asks, from everything sampled: of the lowest grid local minima
    (d ≤ 3), draws, flow end points and optimizer end points, the five lowest with distinct
    values are polished by L-BFGS-B with exact gradients (:func:`qbp.minima.polish`), and C*
    is the lowest value found, so C* ≤ every value the report sampled. The flow and the success rates are then
    classified against that C*.

    Cost (d = 4, 4 qubits, defaults): 2 × 13 × n_starts × steps gradient evaluations for the
    optimizers dominate; ~40 s here (benchmarks/results/report.json).
    Same inputs, same numbers: every stream is seeded.
    """
    from .deceptiveness import basins
    from .flow import flow_deceptiveness
    from .landscape import sample_landscape
    from .minima import grid_local_minima
    from .trajectories import random_starts

    check_inputs(circuit, cost)
    settings = check_settings(circuit, resolution=resolution, n_starts=n_starts, steps=steps,
                              n_flow=n_flow, flow_steps=flow_steps, n_draws=n_draws,
                              n_slices=n_slices, n_boot=n_boot, tol=tol, seed=seed, lrs=lrs)
    if method not in ("auto", "fourier", "batched"):
        raise ValueError(f"method must be 'auto', 'fourier' or 'batched', got {method!r}")
    engine = choose_engine(circuit) if method == "auto" else method
    d, r, tol = circuit.n_params, settings["resolution"], settings["tol"]
    periods = np.array(circuit.periods, dtype=float)
    repeats = landscape_repeats(circuit, cost, method=engine, seed=settings["seed"])
    seeds = [int(s) for s in np.random.SeedSequence(settings["seed"]).generate_state(4)]
    seconds = {}
    clock = time.perf_counter()

    def lap(stage):
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = now - clock
        clock = now

    eigenvalues = np.linalg.eigvalsh(cost.matrix.toarray())
    e0, width = float(eigenvalues[0]), float(eigenvalues[-1] - eigenvalues[0])

    # Uniform draws: the plateau indicator (and |∇C| where there is no grid).
    draws = random_starts(settings["n_draws"], d, seeds[0], periods)
    draw_values, derivatives = evaluate(circuit, cost, draws, engine)
    variance, variance_ci = _variance(derivatives, settings["n_boot"], seeds[0])
    candidates = [draws[np.argsort(draw_values)[:5]]]
    lap("draws")

    # The grid (d ≤ 3): landscape, Algorithm 1, |∇C|, local minima as C* candidates.
    landscape = grid_ratio = grid_sinks = None
    if d <= 3:
        landscape = sample_landscape(circuit, cost, grid_resolution(r, repeats), method=engine,
                                     progress=False)
        found = basins(landscape)
        grid_ratio, grid_sinks = found.ratio(tol), found.n_sinks
        norms = np.sqrt(np.sum(landscape.gradient ** 2, axis=0)).ravel()
        source = "grid"
        candidates.append(np.array([landscape.point(i)
                                    for i in grid_local_minima(landscape.values)[:5]]))
    else:
        norms, source = np.linalg.norm(derivatives, axis=1), "draws"
    lap("grid")

    # Gradient flow from uniform starts (classified against the final C* below).
    flow_starts = random_starts(settings["n_flow"], d, seeds[1], periods)
    low = min(float(draw_values.min()), landscape.min_value if landscape else np.inf)
    flow = flow_deceptiveness(circuit, cost, flow_starts, tol, c_star=low, method=engine,
                              max_steps=settings["flow_steps"], progress=False)
    lowest_ends = np.argsort(np.where(flow.converged, flow.end_values, np.inf))[:5]
    candidates.append(flow.end_points[lowest_ends])
    lap("flow")

    # Adam and SGD at every learning rate from the same starts, every step recorded.
    opt_starts = random_starts(settings["n_starts"], d, seeds[2], periods)
    runs = {name: _run(circuit, cost, opt_starts, name, settings, engine) for name in OPTIMIZERS}
    for costs, ends in runs.values():
        candidates.append(ends[np.argsort(costs[:, -1])[:5]])
    lap("optimizers")

    sampled = [draw_values.min(), flow.end_values.min()] + [c.min() for c, _ in runs.values()]
    if landscape is not None:
        sampled.append(landscape.min_value)
    c_star, theta_star = _refine(circuit, cost, np.concatenate(candidates), engine)
    if min(sampled) < c_star:  # a sample below every polished point (never seen; kept honest)
        c_star = float(min(sampled))
    slices: tuple[PlaneSlice, ...] = ()
    if d >= 3:
        for _ in range(3):  # a plane may pass below C*: polish there and cut the planes again
            slices = _slices(circuit, cost, theta_star, r, settings["n_slices"], seeds[3], engine)
            low_value, low_point = _lowest(slices)
            if low_value >= c_star:
                break
            c_star, theta_star = _refine(circuit, cost, low_point[None, :], engine)
            c_star = min(c_star, low_value)
    lap("minimum and slices")

    flow = _classify_flow(flow, c_star, tol)
    success = {name: _success(name, opt_starts, costs, c_star, settings)
               for name, (costs, _) in runs.items()}
    report = TrainabilityReport(
        circuit, cost, settings, engine, np.asarray(circuit.sharing_degree), periods, repeats,
        c_star,
        theta_star, e0, width, landscape, slices, norms, source, grid_ratio, grid_sinks, flow,
        draws, draw_values, derivatives, variance, variance_ci, success, {}, "",
        {"qbp_version": __version__, "seconds": seconds})
    numbers = report.numbers()
    words = describe(numbers)
    return dataclasses.replace(report, words=words, summary=summarize(numbers, words))


def _variance(derivatives: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Var ∂C/∂θ_k (ddof 1, as qbp.plateaus) per column and its percentile bootstrap 95 %
    interval (qbp.stats.bootstrap_interval), shape (d,) and (d, 2)."""
    from .stats import bootstrap_interval

    def var(a, axis=-1):
        return np.var(a, axis=axis, ddof=1)

    variance = derivatives.var(axis=0, ddof=1)
    ci = np.array([bootstrap_interval(derivatives[:, k], var, n_resamples=n_boot, seed=seed)
                   for k in range(derivatives.shape[1])])
    return variance, ci


def _run(circuit, cost, starts, optimizer, settings, engine):
    """Every learning rate from every start in one batch (lr-major rows); returns the costs
    (L·B, T+1) of every step and the end points (L·B, d)."""
    from .trajectories import optimize

    lrs, b = settings["lrs"], len(starts)
    tr = optimize(circuit, cost, np.tile(starts, (len(lrs), 1)), optimizer, np.repeat(lrs, b),
                  steps=settings["steps"], method=engine, record="all")
    return tr.costs, tr.final_params


def _success(optimizer, starts, costs, c_star, settings) -> SuccessRates:
    from .stats import settled, tail_length

    lrs, steps = settings["lrs"], settings["steps"]
    b = len(starts)
    ok = settled(costs[:, -tail_length(steps):], c_star, settings["tol"]).reshape(len(lrs), b)
    final = (costs[:, -1] <= c_star + settings["tol"]).reshape(len(lrs), b)
    return SuccessRates(optimizer, lrs.copy(), starts, ok.sum(axis=1), final.sum(axis=1))


def _refine(circuit, cost, points, engine, n_polish: int = 5) -> tuple[float, np.ndarray]:
    """(C*, θ*): the lowest of ``points`` after L-BFGS-B polish (:func:`qbp.minima.polish`)
    of the ``n_polish`` lowest with distinct values (symmetric copies of one minimum need one
    polish only), or the lowest point itself if polishing does not go lower."""
    from .minima import polish

    values, _ = evaluate(circuit, cost, points, engine, with_gradient=False)
    order = np.argsort(values, kind="stable")
    picked, seen = [], set()
    for i in order:
        key = round(float(values[i]), 9)
        if key not in seen:
            seen.add(key)
            picked.append(i)
        if len(picked) == n_polish:
            break
    thetas, polished = polish(circuit, cost, points[picked], method=engine)
    j, i = int(np.argmin(polished)), int(order[0])
    if polished[j] <= values[i]:
        return float(polished[j]), thetas[j]
    return float(values[i]), wrap(points[i], circuit.periods)


def _slices(circuit, cost, center, resolution, n_slices, seed, engine):
    if circuit.n_params == 3:
        return axis_slices(circuit, cost, center, resolution, engine)
    seeds = np.random.SeedSequence(seed).generate_state(n_slices)
    return tuple(random_slice(circuit, cost, center, resolution, int(s), method=engine)
                 for s in seeds)


def _lowest(slices) -> tuple[float, np.ndarray]:
    best = min(slices, key=lambda s: float(s.values.min()))
    return float(best.values.min()), best.points()[int(np.argmin(best.values))]


def _classify_flow(flow, c_star: float, tol: float):
    """The flow's end points classified against ``c_star``: what
    ``flow_deceptiveness(..., c_star=c_star)`` returns (the integration does not depend on C*)."""
    from .stats import wilson_interval

    deceptive = flow.converged & (flow.end_values > c_star + tol)
    n_conv, n_dec = int(flow.converged.sum()), int(deceptive.sum())
    ratio = n_dec / n_conv if n_conv else float("nan")
    return dataclasses.replace(flow, deceptive=deceptive, ratio=ratio, c_star=float(c_star),
                               ci=np.array(wilson_interval(n_dec, n_conv)))


# ---------------------------------------------------------------------------- numbers and words
def _numbers(report: TrainabilityReport) -> dict:
    s = report.settings
    flow = report.flow
    half = report.spectral_width / 2
    success = {}
    for name, rates in report.success.items():
        w = rates.window()
        ci = rates.settled_ci
        k = rates.best
        success[name] = {
            "lrs": rates.lrs.tolist(), "n_starts": rates.n_starts,
            "settled": rates.settled.tolist(), "final": rates.final.tolist(),
            "settled_rate": rates.settled_rate.tolist(), "settled_ci": ci.T.tolist(),
            "final_rate": rates.final_rate.tolist(),
            "best": {"lr": float(rates.lrs[k]), "rate": float(rates.settled_rate[k]),
                     "ci": [float(ci[0, k]), float(ci[1, k])],
                     "final_rate": float(rates.final_rate[k])},
            # no success: no window (width NaN), stored as None, worded "none"
            "window": {"decades": None if w.no_success else w.width, "censored": bool(w.censored_low or w.censored_high),
                       "no_success": w.no_success},
        }
    return {
        "n_qubits": report.circuit.n_qubits, "n_params": report.n_params,
        "param_names": list(report.param_names),
        "sharing_degree": report.sharing_degree.tolist(), "periods": report.periods.tolist(),
        "repeats": report.repeats.tolist(),
        "engine": report.engine,
        "c_star": report.c_star, "e0": report.e0, "excess": report.excess,
        "spectral_width": report.spectral_width,
        "gradient": {"source": report.gradient_source,
                     "quantiles": {str(q): v for q, v in report.gradient_quantiles.items()}},
        "grid": None if report.grid_ratio is None else
        {"ratio": report.grid_ratio, "n_sinks": report.grid_sinks,
         "resolution": report.landscape.resolution, "requested": s["resolution"]},
        "flow": {"ratio": flow.ratio, "ci": flow.ci.tolist(), "n_starts": flow.n_starts,
                 "n_converged": flow.n_converged, "n_deceptive": flow.n_deceptive,
                 "n_unconverged_within_tol": report.unconverged_within_tol},
        "variance": report.variance.tolist(), "variance_ci": report.variance_ci.tolist(),
        "normalised_variance_high": (report.variance_ci[:, 1] / half ** 2).tolist()
        if half > 0 else [math.inf] * report.n_params,
        "success": success,
        "settings": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in s.items()},
    }


def describe(numbers: dict) -> dict:
    """The qualitative words of the summary, each chosen by a stated rule from ``numbers``
    (:meth:`TrainabilityReport.numbers`).

    - ``ground``: "reaches the ground state" if C* − E₀ ≤ :data:`GROUND_TOL` × (λ_max −
      λ_min), else "stays above the ground state";
    - ``deceptive`` (the flow's deceptive starts k of the n converged, Wilson interval
      [lo, hi]): "of undetermined deceptiveness" if n = 0; if hi < :data:`DECEPTIVE_LOW`,
      "not deceptive under the flow" when k = 0, else "hardly deceptive"; "mostly
      deceptive" if lo > :data:`DECEPTIVE_HIGH`; "often deceptive" if lo > DECEPTIVE_LOW;
      when k = 0 but hi ≥ DECEPTIVE_LOW (too few converged starts to bound the fraction),
      "not seen to be deceptive (none of n converged flows ends deceptive, too few to bound
      the deceptive fraction below 0.10)"; "somewhat deceptive" otherwise (some starts deceptive, the interval
      reaching both sides of DECEPTIVE_LOW);
    - ``flat``: the parameters whose variance's upper 95 % bound is below
      :data:`FLAT_VARIANCE` × a² (a the observable's half-width); ``plateau``: "no parameter
      is flat", "every parameter is flat" or "k of d parameters are flat";
    - ``success_<optimizer>`` from the best settled rate's Wilson interval [lo, hi]: "almost
      always" if lo ≥ 0.9, "mostly" if lo ≥ 0.5, "never" if the best rate is 0, "rarely" if
      hi < 0.1 and the best rate > 0, else "sometimes";
    - ``comparison``: "Adam does better than SGD" (or the reverse) if the best settled rates'
      intervals do not overlap, else "Adam and SGD cannot be told apart";
    - ``window_<optimizer>``: "narrow" if the learning-rate window is below
      :data:`NARROW_WINDOW` decades and not censored at the grid's ends, "wide" if at least
      that, "none" without success.
    """
    words = {}
    width = numbers["spectral_width"]
    words["ground"] = ("reaches the ground state" if numbers["excess"] <= GROUND_TOL * width
                       else "stays above the ground state")
    flow = numbers["flow"]
    lo, hi = flow["ci"]
    if flow["n_converged"] == 0:
        words["deceptive"] = "of undetermined deceptiveness"
    elif hi < DECEPTIVE_LOW:
        words["deceptive"] = ("not deceptive under the flow" if flow["n_deceptive"] == 0
                              else "hardly deceptive")
    elif lo > DECEPTIVE_HIGH:
        words["deceptive"] = "mostly deceptive"
    elif lo > DECEPTIVE_LOW:
        words["deceptive"] = "often deceptive"
    elif flow["n_deceptive"] == 0:  # 0 of n, but n too small for hi < DECEPTIVE_LOW
        # the limit is the number of flows, converged or not: say how many there were
        words["deceptive"] = (f"not seen to be deceptive (none of {flow['n_converged']} "
                              f"converged flows ends deceptive, too few to bound the deceptive "
                              f"fraction below {_prose_rate(DECEPTIVE_LOW)})")
    else:
        words["deceptive"] = "somewhat deceptive"
    flat = [name for name, v in zip(numbers["param_names"], numbers["normalised_variance_high"])
            if v < FLAT_VARIANCE]
    d = numbers["n_params"]
    words["flat"] = flat
    if not flat:
        words["plateau"] = "no parameter is flat"
    elif len(flat) == d:
        words["plateau"] = "the parameter is flat" if d == 1 else "every parameter is flat"
    else:
        words["plateau"] = f"{len(flat)} of {d} parameters {'is' if len(flat) == 1 else 'are'} flat"
    best = {}
    for name, s in numbers["success"].items():
        b = s["best"]
        best[name] = b
        lo, hi = b["ci"]
        words[f"success_{name}"] = ("never" if b["rate"] == 0 else "almost always" if lo >= 0.9
                                    else "mostly" if lo >= 0.5 else "rarely" if hi < 0.1
                                    else "sometimes")
        w = s["window"]
        words[f"window_{name}"] = ("none" if w["no_success"] else
                                   "narrow" if w["decades"] < NARROW_WINDOW and not w["censored"]
                                   else "wide")
    if "adam" in best and "sgd" in best:
        a, g = best["adam"]["ci"], best["sgd"]["ci"]
        words["comparison"] = ("Adam does better than SGD" if a[0] > g[1] else
                               "SGD does better than Adam" if g[0] > a[1] else
                               "Adam and SGD cannot be told apart")
    return words


def _prose_number(x, digits: int = 3) -> str:
    """``x`` with 3 significant digits, plain between 10⁻³ and 10⁵, ``m × 10ᵏ`` outside: the
    format of :func:`qbp.book.text.number` (the science wing does not import the book wing;
    tests/test_report.py checks that the two agree)."""
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"cannot write {x!r} in prose: not a finite number")
    if value == 0:
        return "0"
    sign = "−" if value < 0 else ""
    value = float(f"{abs(value):.{digits - 1}e}")
    exponent = math.floor(math.log10(value))
    if -3 <= exponent < 5:
        text = f"{value:.{max(digits - 1 - exponent, 0)}f}"
        return sign + (text.rstrip("0").rstrip(".") if "." in text else text)
    mantissa = f"{value / 10 ** exponent:.{digits - 1}f}".rstrip("0").rstrip(".")
    return f"{sign}{mantissa} × 10{str(exponent).translate(str.maketrans('-0123456789', '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'))}"


def _prose_rate(x) -> str:
    """Two decimals, as :func:`qbp.book.text.rate`."""
    return f"{float(x):.2f}".replace("-", "−")


def _pi_text(angle: float) -> str:
    """An angle (rad) as a multiple of π for prose: ``2π``, ``π/2``, ``2π/3``; three
    significant digits of the multiple where it is no simple fraction."""
    from fractions import Fraction

    ratio = Fraction(angle / math.pi).limit_denominator(24)
    if abs(float(ratio) - angle / math.pi) > 1e-9:
        return f"{_prose_number(angle / math.pi)}π"
    top = "π" if ratio.numerator == 1 else f"{ratio.numerator}π"
    return top if ratio.denominator == 1 else f"{top}/{ratio.denominator}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def span_text(report: "TrainabilityReport", axes=None) -> str:
    """What range a landscape figure covers, as a phrase for its caption: "over one period
    of each parameter, 2π", or where the landscape's own period is shorter than the period
    sampled, "over 2π per parameter, which holds 4 repetitions of the landscape along each
    (its own period is π/2)".

    ``axes``: the parameters the figure shows (default all; figures of d > 3 parameters
    show random planes, not axes, so give the axes explicitly). The period sampled is
    :attr:`TrainabilityReport.periods`, the repetitions :attr:`TrainabilityReport.repeats`
    (:func:`landscape_repeats`); parameters appear by their display names.
    """
    axes = list(range(report.n_params)) if axes is None else [int(k) for k in axes]
    names = [report.display_names[k] for k in axes]
    periods = [float(report.periods[k]) for k in axes]
    repeats = [int(report.repeats[k]) for k in axes]
    one = len(axes) == 1
    same = len(set(periods)) == 1
    if all(r == 1 for r in repeats):
        if one:
            return f"over one period of {names[0]}, {_pi_text(periods[0])}"
        return "over one period of each parameter" + (
            f", {_pi_text(periods[0])}" if same
            else ": " + _join([f"{_pi_text(t)} along {n}" for n, t in zip(names, periods)]))
    span = (f"{_pi_text(periods[0])} of {names[0]}" if one else
            f"{_pi_text(periods[0])} per parameter" if same else
            _join([f"{_pi_text(t)} along {n}" for n, t in zip(names, periods)]))
    periodic = [(n, r, t) for n, r, t in zip(names, repeats, periods) if r > 0]
    flat = [n for n, r in zip(names, repeats) if r == 0]
    parts = []
    if periodic and not flat and same and len(set(repeats)) == 1:
        r = repeats[0]
        parts.append(f"which holds {r} repetitions of the landscape{'' if one else ' along each'} "
                     f"(its own period is {_pi_text(periods[0] / r)})")
    elif periodic:
        listed = [(f"{r} repetition{'s' if r != 1 else ''} of the landscape" if i == 0
                   else str(r)) + f" along {n}" + (f" (period {_pi_text(t / r)})" if r > 1 else "")
                  for i, (n, r, t) in enumerate(periodic)]
        parts.append("which holds " + _join(listed))
    if flat:
        parts.append(f"C does not depend on {_join(flat)}")
    return f"over {span}" + "".join((", " if p.startswith("which") else "; ") + p for p in parts)


def summarize(numbers: dict, words: dict | None = None) -> str:
    """One paragraph summarising the report from its ``numbers`` (and the ``words`` of
    :func:`describe`, computed if not given): structure, minimum, deceptiveness, plateau
    indicator, optimizers. Numbers are written as :mod:`qbp.book.text` writes them (three
    significant digits, rates with two decimals, no e-notation)."""
    words = describe(numbers) if words is None else words
    num, rate = _prose_number, _prose_rate
    d, degrees = numbers["n_params"], numbers["sharing_degree"]
    lo_deg, hi_deg = min(degrees), max(degrees)
    subject = "it is" if d == 1 else "each is"
    shared = (f"{subject} read by {lo_deg} gate{'s' if lo_deg != 1 else ''}" if lo_deg == hi_deg
              else f"{subject} read by {lo_deg} to {hi_deg} gates")
    parts = [f"This circuit has {d} free parameter{'s' if d != 1 else ''} on "
             f"{numbers['n_qubits']} qubit{'s' if numbers['n_qubits'] != 1 else ''}; {shared}."]
    parts.append(f"Its refined minimum C* = {num(numbers['c_star'])} {words['ground']} "
                 f"(E₀ = {num(numbers['e0'])}, C* − E₀ = {num(numbers['excess'])}).")
    flow = numbers["flow"]
    if flow["n_converged"]:
        lo, hi = flow["ci"]
        unconverged = flow["n_starts"] - flow["n_converged"]
        within = flow.get("n_unconverged_within_tol", 0)
        note = (f" ({unconverged} did not converge within {numbers['settings']['flow_steps']} "
                f"steps and are not counted; {within} of them already lie within tol of C*, "
                f"where no flow can end deceptive)" if unconverged else "")
        parts.append(f"Gradient flow from {flow['n_starts']} uniform starts ends above C* + tol "
                     f"from a fraction {rate(flow['ratio'])} [{rate(lo)}, {rate(hi)}] of "
                     f"them{note}: the landscape is {words['deceptive']}.")
    else:
        parts.append("No gradient flow converged within its step budget, so the landscape is "
                     f"{words['deceptive']}.")
    grid = numbers.get("grid")
    if grid is not None:
        aligned = (f" ({grid['requested']} rounded up to a multiple of the landscape's "
                   f"repeats, so that the copies of a minimum fall on the grid alike)"
                   if grid.get("requested", grid["resolution"]) != grid["resolution"] else "")
        parts.append(f"Algorithm 1 on the {grid['resolution']}-point grid{aligned} finds a "
                     f"deceptiveness ratio of {rate(grid['ratio'])} with {grid['n_sinks']} "
                     f"sink{'s' if grid['n_sinks'] != 1 else ''}.")
    var = numbers["variance"]
    spread = (f"= {num(var[0])}" if num(min(var)) == num(max(var))
              else f"from {num(min(var))} to {num(max(var))}")
    parts.append(f"Barren-plateau indicator: {words['plateau']} (Var ∂C/∂θ {spread} over "
                 f"{numbers['settings']['n_draws']} uniform draws).")
    for name, label in (("adam", "Adam"), ("sgd", "SGD")):
        s = numbers["success"].get(name)
        if s is None:
            continue
        b = s["best"]
        lo, hi = b["ci"]
        sentence = (f"{label} {words[f'success_{name}']} settles within tol of C*: at best from "
                    f"a fraction {rate(b['rate'])} [{rate(lo)}, {rate(hi)}] of the starts "
                    f"(η = {num(b['lr'])})")
        window = words[f"window_{name}"]
        if window != "none":
            w = s["window"]
            sentence += (f", with a {window} learning-rate window of "
                         f"{'at least ' if w['censored'] else ''}{num(w['decades'])} decades")
        parts.append(sentence + ".")
    if "comparison" in words:
        parts.append(f"{words['comparison']} at their best learning rates.")
    return " ".join(parts)


# ---------------------------------------------------------------------------- sharing compared
def unshared(circuit: Circuit) -> Circuit:
    """The same gates with every parametrized gate reading a parameter of its own (sharing
    degree 1): the circuit as it would be without parameter sharing. Parameters are numbered
    in gate order and named after the shared one (``γ·1``, ``γ·2``, …); fixed gates, scales
    and offsets are kept. At θ' = θ[:, :attr:`shared_index`] it computes what ``circuit``
    computes at θ, so its landscape contains the shared one as a subspace.
    """
    if not isinstance(circuit, Circuit):
        raise TypeError(f"circuit must be a qbp.Circuit, got {type(circuit).__name__}")
    gates, names, seen = [], [], {}
    for gate in circuit.gates:
        if gate.param is None:
            gates.append(gate)
            continue
        seen[gate.param] = seen.get(gate.param, 0) + 1
        names.append(f"{circuit.param_names[gate.param]}·{seen[gate.param]}")
        gates.append(dataclasses.replace(gate, param=len(names) - 1))
    return Circuit(circuit.n_qubits, gates, param_names=names)


def shared_index(circuit: Circuit) -> np.ndarray:
    """For :func:`unshared` of ``circuit``: the shared parameter each of its parameters
    copies, shape (number of parametrized gates,)."""
    return np.array([g.param for g in circuit.gates if g.param is not None], dtype=int)


def _direction(low: float, high: float, more: str, less: str, neither: str) -> str:
    """``more`` if the interval of a difference lies above 0, ``less`` if below, else
    ``neither``."""
    return more if low > 0 else less if high < 0 else neither


def compare(first: TrainabilityReport, second: TrainabilityReport, n_resamples: int = 2000,
            seed: int = 0) -> dict:
    """How ``first`` differs from ``second`` (e.g. a circuit with shared parameters against
    its :func:`unshared` version), in the terms of the paper's story (SPEC §0: more sharing
    gives better optima with fewer parameters, larger gradient magnitudes, more deceptive
    landscapes and worse convergence of Adam and SGD). Each difference is first − second
    with a 95 % interval, and each word follows from its sign:

    - ``minimum``: C* − E₀ of each; "the same minimum" if they differ by at most
      :data:`GROUND_TOL` × the observable's spectral width, else "a lower minimum" /
      "a higher minimum" (no interval: C* is refined, not sampled);
    - ``deceptive``: flow ratios, Newcombe's interval of the difference
      (:func:`qbp.stats.proportion_difference`): "more deceptive", "less deceptive" or
      "no clear difference in deceptiveness" (also, with the reason, when a flow has no
      converged start: its ratio is then None);
    - ``gradient``: median |∇C| over each report's uniform draws, bootstrap interval of the
      difference (:func:`qbp.stats.sample_difference`): "larger gradients", "smaller
      gradients" or "no clear difference in gradient size";
    - ``success_<optimizer>``: best settled rates, Newcombe's interval: "succeeds more
      often", "succeeds less often" or "no clear difference in success".

    ``story``: for each aspect "agrees", "disagrees" or "undecided" with the story read as
    "``first`` shares more": the minimum agrees when it is the same or lower (as good with
    fewer parameters), the rest when the word points the story's way.
    Returns a JSON-ready dict {aspect: {"word", "first", "second", "difference", "interval"}}
    plus "story".
    """
    from .stats import proportion_difference, sample_difference

    out = {}
    width = max(first.spectral_width, second.spectral_width)
    a, b = first.excess, second.excess
    out["minimum"] = {"word": "the same minimum" if abs(a - b) <= GROUND_TOL * width else
                      "a lower minimum" if a < b else "a higher minimum",
                      "first": a, "second": b, "difference": a - b, "interval": None}
    f, s = first.flow, second.flow
    if f.n_converged and s.n_converged:
        eff = proportion_difference((s.n_deceptive, s.n_converged), (f.n_deceptive, f.n_converged))
        out["deceptive"] = {"word": _direction(eff.low, eff.high, "more deceptive",
                                               "less deceptive",
                                               "no clear difference in deceptiveness"),
                            "first": f.ratio, "second": s.ratio, "difference": eff.estimate,
                            "interval": [eff.low, eff.high]}
    else:  # a flow ratio over no converged start is undefined: nothing to compare
        out["deceptive"] = {"word": "no clear difference in deceptiveness (a flow ratio is "
                                    "undefined)",
                            "first": f.ratio if f.n_converged else None,
                            "second": s.ratio if s.n_converged else None,
                            "difference": None, "interval": None}
    g1 = np.linalg.norm(first.derivatives, axis=1)
    g2 = np.linalg.norm(second.derivatives, axis=1)
    eff = sample_difference(g2, g1, np.median, n_resamples=n_resamples, seed=seed)
    out["gradient"] = {"word": _direction(eff.low, eff.high, "larger gradients",
                                          "smaller gradients",
                                          "no clear difference in gradient size"),
                       "first": float(np.median(g1)), "second": float(np.median(g2)),
                       "difference": eff.estimate, "interval": [eff.low, eff.high]}
    for name in first.success:
        r1, r2 = first.success[name], second.success[name]
        k1, k2 = r1.best, r2.best
        eff = proportion_difference((int(r2.settled[k2]), r2.n_starts),
                                    (int(r1.settled[k1]), r1.n_starts))
        out[f"success_{name}"] = {
            "word": _direction(eff.low, eff.high, "succeeds more often", "succeeds less often",
                               "no clear difference in success"),
            "first": float(r1.settled_rate[k1]), "second": float(r2.settled_rate[k2]),
            "difference": eff.estimate, "interval": [eff.low, eff.high]}
    expected = {"deceptive": "more deceptive", "gradient": "larger gradients",
                **{f"success_{n}": "succeeds less often" for n in first.success}}
    story = {"minimum": "disagrees" if out["minimum"]["word"] == "a higher minimum" else "agrees"}
    for aspect, word in expected.items():
        got = out[aspect]["word"]
        story[aspect] = ("agrees" if got == word else
                         "undecided" if got.startswith("no clear") else "disagrees")
    out["story"] = story
    return out


def comparison_table(reports: dict, as_text: bool = False):
    """One row per report ({label: TrainabilityReport}): qubits, free parameters, gates per
    parameter (mean sharing degree), C* − E₀, median |∇C| over the uniform draws, mean
    Var ∂C/∂θ_k, the flow ratio with its Wilson interval and the best settled success of
    each optimizer (a pandas DataFrame, index = label; 10 columns). ``as_text``: the same as
    prose writes it, one format per column (three significant digits; rates and intervals of
    rates with two decimals; "undefined" for a flow ratio over no converged start)."""
    import pandas as pd

    rows = {}
    for label, r in reports.items():
        row = {"qubits": r.circuit.n_qubits, "parameters": r.n_params,
               "gates per parameter": float(np.mean(r.sharing_degree)),
               "C* − E₀": r.excess,
               "median |∇C|": float(np.median(np.linalg.norm(r.derivatives, axis=1))),
               "mean Var ∂C/∂θ": float(np.mean(r.variance)),
               "flow ratio": r.flow.ratio, "flow 95 % interval": tuple(r.flow.ci.tolist())}
        for name, s in r.success.items():
            row[f"{_NAMES.get(name, name)} best settled"] = float(s.settled_rate[s.best])
        if as_text:
            rate = (lambda x: "undefined" if not np.isfinite(x) else _prose_rate(x))
            row = {k: (str(v) if k in ("qubits", "parameters") else
                       rate(v) if k == "flow ratio" or k.endswith("settled") else
                       ("undefined" if not np.isfinite(r.flow.ratio) else
                        f"[{_prose_rate(v[0])}, {_prose_rate(v[1])}]") if k.endswith("interval")
                       else _prose_number(v)) for k, v in row.items()}
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("circuit")


_ASPECTS = {"minimum": "minimum (C* − E₀)", "gradient": "gradient size (median |∇C|)",
            "deceptive": "deceptiveness (flow ratio)", "success_adam": "Adam (best settled rate)",
            "success_sgd": "SGD (best settled rate)"}


def story_table(comparisons: dict):
    """The results of :func:`compare` side by side ({label: comparison}): one row per aspect,
    one column per comparison; each cell reads "word: first vs second — agrees" (numbers as
    :mod:`qbp.book.text` writes them, rates with two decimals). A pandas DataFrame of str."""
    import pandas as pd

    columns = {}
    for label, comparison in comparisons.items():
        cells = {}
        for aspect, title in _ASPECTS.items():
            if aspect not in comparison:
                continue
            row = comparison[aspect]
            fmt = _prose_number if aspect in ("minimum", "gradient") else _prose_rate
            first, second = ("undefined" if row[k] is None else fmt(row[k])
                             for k in ("first", "second"))
            cells[title] = (f"{row['word']}: {first} vs {second} — "
                            f"{comparison['story'][aspect]}")
        columns[label] = cells
    return pd.DataFrame(columns).rename_axis("aspect")


def story_counts(comparisons: dict) -> dict:
    """How many aspects of all ``comparisons`` (from :func:`compare`) agree with the story,
    disagree with it or leave it undecided: {"agrees": …, "disagrees": …, "undecided": …,
    "total": …}."""
    verdicts = [v for c in comparisons.values() for v in c["story"].values()]
    out = {word: verdicts.count(word) for word in ("agrees", "disagrees", "undecided")}
    out["total"] = len(verdicts)
    return out
