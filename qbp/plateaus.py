"""Barren plateaus: how the variance of ∂C/∂θ₀ over random parameters falls with n (SPEC §9).

For each qubit count n a circuit of a family (the paper's default circuit, or the alternating
layered ansatz of :mod:`qbp.ansatz`) with L = n layers or a fixed L is evaluated at
``n_draws`` random parameter vectors; ∂C/∂θ₀ is taken for the global and the local cost at once
by forward-mode differentiation (:func:`qbp.statevector.partial_derivative`).

Every scan is fitted two ways (:func:`fit_models`): **exponential**, ln Var = a − b·n, and
**polynomial**, ln Var = a − p·ln n, each by weighted least squares with the bootstrap
standard deviation of ln Var at each n as its error. :func:`decay_verdict` calls a fall
exponential only if that model describes the points (χ²/dof ≤ :data:`CHI2_GATE`) and beats
the polynomial model by at least :data:`MODEL_MARGIN` in χ²; symmetrically for polynomial.
:func:`tail_share` reports heavy tails; :func:`compare_rates` compares two scans' rates.

References: J. R. McClean et al., Nat. Commun. 9, 4812 (2018) (plateaus of random circuits);
M. Cerezo et al., Nat. Commun. 12, 1791 (2021) (global against local costs, polynomial
decay of local costs at shallow depth); Y. Wang, B. Qi, C. Ferrie and D. Dong,
arXiv:2302.06858 (2023), Phys. Rev. Applied 22 (2024) (reduced-domain initialization,
a ∝ 1/√L); K. P. Burnham and D. R. Anderson, *Model Selection and Multimodel Inference*
(2002), §2.6 (a difference of 2 in AIC); Particle Data Group, Rev. Part. Phys.,
"Introduction", §5.2 (scale factor √(χ²/dof)).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from ._checks import check_int, check_names, check_reals
from ._version import __version__
from .ansatz import alternating_circuit
from .circuit import MAX_QUBITS, SHARING_SCHEMES, Circuit, default_circuit
from .cost import GlobalCost, LocalCost
from .statevector import partial_derivative

__all__ = ["PlateauScan", "plateau_scan", "fit_decay", "DecayFit", "fit_model", "fit_models",
           "decay_verdict", "tail_share", "RateComparison", "compare_rates", "decay_table",
           "reduced_half_width", "COSTS", "CIRCUITS", "INITS", "MODELS", "DECAY_VERDICTS",
           "DECAY_WORDS", "CIRCUIT_NAMES", "grouped_verdicts", "sharing_verdicts", "CHI2_GATE", "MODEL_MARGIN",
           "N_SIGMA", "REDUCED_SCALE"]

COSTS = {"global": GlobalCost, "local": LocalCost}
#: Circuit families a scan can use by name: callables (n_qubits, layers, sharing) -> Circuit.
CIRCUITS = {"default": default_circuit, "alternating": alternating_circuit}
#: Initial domains: "full" draws every parameter uniformly over one period ([−π, π) for the
#: default circuit), "reduced" uniformly on [−a, a] with a = :func:`reduced_half_width` (L).
INITS = ("full", "reduced")
#: The two decay models: ln Var linear in n, and ln Var linear in ln n.
MODELS = ("exponential", "polynomial")
#: Largest χ²/dof of a model that "describes" the points (SPEC §9).
CHI2_GATE = 3.0
#: χ² by which the better model must beat the other to be named. Both models have two
#: parameters, so Δχ² is their difference in AIC; below 2 both keep substantial support
#: (Burnham and Anderson 2002, §2.6) and the verdict is "undecided".
MODEL_MARGIN = 2.0
#: Threshold of the rules, in (scaled, combined) standard errors.
N_SIGMA = 2.0
#: a = REDUCED_SCALE / √L. Wang et al. (2023) fix only the scaling a ∝ 1/√L; π is the member
#: of that family that is the full domain at L = 1, so the two initializations coincide for one
#: layer and differ only through the depth.
REDUCED_SCALE = float(np.pi)

#: What :func:`decay_verdict` can say, and the words a text uses for each.
DECAY_VERDICTS = ("exponential", "polynomial", "undecided", "irregular", "flat", "grows")
DECAY_WORDS = {
    "exponential": "falls exponentially",
    "polynomial": "falls like a power of n",
    "undecided": "falls, but the points do not tell an exponential from a power law",
    "irregular": "falls, but neither model describes the points",
    "flat": "shows no clear fall",
    "grows": "grows",
}

#: Fewest draws per qubit count: with k draws a bootstrap resample repeats one draw (variance
#: 0) with probability k^(1−k), 1e−9 at k = 10; such resamples are left out of b's error.
MIN_DRAWS = 10
#: Fewest bootstrap resamples: a standard error and a 95 % interval need a few at least.
MIN_BOOT = 10


def reduced_half_width(layers) -> float:
    """Half-width a = π/√L of the reduced initial domain [−a, a] (Wang et al. 2023; see
    :data:`REDUCED_SCALE`), in radians. ``layers``: an integer >= 1."""
    return REDUCED_SCALE / float(np.sqrt(check_int(layers, "layers", minimum=1)))


# ----------------------------------------------------------------------------- fits
def fit_decay(n_values, variances):
    """Unweighted least-squares fit of ln Var = a − b·n; returns (a, b).

    ``n_values``: at least two distinct finite qubit counts. ``variances`` of shape
    (len(n),) gives floats; (len(n), k) fits k series at once and gives two arrays of shape
    (k,). Every variance must be finite and > 0 (ln Var is undefined otherwise): a zero
    variance — e.g. a derivative that takes one value over every draw — raises ValueError
    rather than giving NaN. :func:`fit_models` is the weighted fit with a χ² the scans use.
    """
    n = check_reals(n_values, "n_values", ndim=(1,))
    if len(np.unique(n)) < 2:
        raise ValueError(f"n_values must hold at least two distinct qubit counts to fit a "
                         f"decay, got {n.tolist()}")
    var = _positive(variances, "variances", n)
    design = np.stack([np.ones_like(n), -n], axis=1)
    coef, *_ = np.linalg.lstsq(design, np.log(var), rcond=None)
    if var.ndim == 1:
        return float(coef[0]), float(coef[1])
    return coef[0], coef[1]


def _positive(values, name: str, n: np.ndarray) -> np.ndarray:
    """Variances (K,) or (K, B), finite and > 0, one row per qubit count in ``n``."""
    var = check_reals(values, name, ndim=(1, 2), allow_inf=False)
    if var.shape[0] != len(n):
        raise ValueError(f"{name} must have one row per qubit count ({len(n)}), got shape "
                         f"{var.shape}")
    bad = np.any(var.reshape(len(n), -1) <= 0, axis=1)
    if bad.any():  # ln Var undefined: say where rather than return NaN
        raise ValueError(f"{name} must be > 0 to fit ln Var, but a variance is <= 0 at "
                         f"n = {n[bad].tolist()}")
    return var


@dataclass(frozen=True)
class DecayFit:
    """One model fitted to ln Var against n (:func:`fit_model`).

    ``model``: "exponential" (ln Var = a − rate·n, rate per qubit) or "polynomial"
    (ln Var = a − rate·ln n, Var ∝ n^−rate). ``rate_err``: its standard error (bootstrap, or
    from the weighted fit); ``chi2`` with ``dof`` = len(n) − 2 degrees of freedom.
    """

    model: str
    intercept: float
    rate: float
    rate_err: float
    chi2: float
    dof: int

    @property
    def chi2_dof(self) -> float:
        return self.chi2 / self.dof

    @property
    def scale(self) -> float:
        """√(χ²/dof) where it exceeds 1, else 1: the factor by which the statistical error
        understates the spread of the points about the model (the PDG scale factor)."""
        return float(np.sqrt(max(1.0, self.chi2_dof)))

    @property
    def rate_err_scaled(self) -> float:
        """``rate_err`` × :attr:`scale`: the error to quote."""
        return self.rate_err * self.scale

    def passes(self, gate: float = CHI2_GATE) -> bool:
        """Whether the model describes the points: χ²/dof ≤ ``gate``."""
        return bool(self.chi2_dof <= gate)

    def variance(self, n) -> np.ndarray:
        """The fitted variance at qubit counts ``n`` (array)."""
        x = np.asarray(n, dtype=float)
        return np.exp(self.intercept - self.rate * (x if self.model == "exponential" else np.log(x)))

    def to_dict(self) -> dict:
        return {**asdict(self), "chi2_dof": self.chi2_dof, "rate_err_scaled": self.rate_err_scaled}


def fit_model(n_values, log_var, sigma, model: str = "exponential", boot_log_var=None) -> DecayFit:
    """Weighted least-squares fit of one decay model to ln Var (SPEC §9).

    ``n_values`` (K,): at least three distinct qubit counts >= 1 (two parameters and at
    least one degree of freedom for χ²). ``log_var`` (K,): ln Var. ``sigma`` (K,): the
    standard error of each ln Var, > 0. ``model``: "exponential" fits ln Var = a − b·n,
    "polynomial" ln Var = a − p·ln n. χ² = Σ ((ln Var − fit)/σ)², minimised by the fit.
    The rate's error: with ``boot_log_var`` (K, B), the standard deviation of the rates
    refitted (same weights) to the B bootstrap columns; without, the weighted fit's own
    √[(XᵀWX)⁻¹]₁₁. ValueError/TypeError naming the argument for bad input.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    n = check_reals(n_values, "n_values", ndim=(1,))
    if len(np.unique(n)) < 3:
        raise ValueError(f"n_values must hold at least three distinct qubit counts (two "
                         f"parameters and one degree of freedom), got {n.tolist()}")
    if np.any(n < 1):
        raise ValueError(f"n_values must be qubit counts >= 1, got {n.tolist()}")
    y = check_reals(log_var, "log_var", ndim=(1,), allow_inf=False)
    s = check_reals(sigma, "sigma", ndim=(1,), allow_inf=False)
    if y.shape != n.shape or s.shape != n.shape:
        raise ValueError(f"log_var and sigma must have one value per qubit count ({len(n)}), "
                         f"got {len(y)} and {len(s)}")
    if np.any(s <= 0):
        raise ValueError(f"sigma must be > 0 at every n, got {s.tolist()}")
    x = n if model == "exponential" else np.log(n)
    design = np.stack([np.ones_like(x), -x], axis=1) / s[:, None]
    coef, *_ = np.linalg.lstsq(design, y / s, rcond=None)
    chi2 = float(np.sum((y / s - design @ coef) ** 2))
    if boot_log_var is None:
        err = float(np.sqrt(np.linalg.inv(design.T @ design)[1, 1]))
    else:
        boot = check_reals(boot_log_var, "boot_log_var", ndim=(2,), allow_inf=False)
        if boot.shape[0] != len(n) or boot.shape[1] < 2:
            raise ValueError(f"boot_log_var must have shape ({len(n)}, B) with B >= 2, got "
                             f"{boot.shape}")
        rates = np.linalg.lstsq(design, boot / s[:, None], rcond=None)[0][1]
        err = float(np.std(rates, ddof=1))
    return DecayFit(model, float(coef[0]), float(coef[1]), err, chi2, len(n) - 2)


def fit_models(n_values, variances, boot_variances) -> dict:
    """Both decay models fitted to sampled variances: {model: :class:`DecayFit`}.

    ``variances`` (K,): the sample variances, > 0; ``boot_variances`` (K, B): their
    bootstrap replicates (the same resample of draws at every n in a column), > 0, B >= 2.
    σ of ln Var at each n is the standard deviation of ln of its replicates; each rate's
    error is the spread of the rates refitted to the replicates (:func:`fit_model`).
    ValueError if some σ is 0 (replicates all equal: no error to weight by).
    """
    n = check_reals(n_values, "n_values", ndim=(1,))
    var = _positive(variances, "variances", n)
    boot = _positive(boot_variances, "boot_variances", n)
    if var.ndim != 1 or boot.ndim != 2:
        raise ValueError(f"variances must be (K,) and boot_variances (K, B), got shapes "
                         f"{var.shape} and {boot.shape}")
    boot_log = np.log(boot)
    sigma = boot_log.std(axis=1, ddof=1)
    if np.any(sigma <= 0):
        raise ValueError(f"boot_variances are all equal at n = {n[sigma <= 0].tolist()}: "
                         f"ln Var has no bootstrap error to weight the fit by")
    return {m: fit_model(n, np.log(var), sigma, m, boot_log) for m in MODELS}


def decay_verdict(fits: dict, gate: float = CHI2_GATE, margin: float = MODEL_MARGIN,
                  n_sigma: float = N_SIGMA) -> str:
    """How ln Var changes with n, from both fitted models: one of :data:`DECAY_VERDICTS`.

    With b ± σ_b the exponential fit's rate and its scaled error (:attr:`DecayFit.scale`):

    - **grows** if b + n_sigma·σ_b < 0; **flat** (no clear fall) if b − n_sigma·σ_b ≤ 0;
    - otherwise ln Var falls, and the model with the lower χ² is named — **exponential** or
      **polynomial** — if it passes the χ²/dof ``gate`` and its χ² is lower than the
      other's by at least ``margin``; **undecided** if it passes but wins by less;
      **irregular** if it does not pass (neither model describes the points).

    ``fits``: {model: :class:`DecayFit`} for both :data:`MODELS` (:func:`fit_models`).
    """
    missing = [m for m in MODELS if m not in fits]
    if missing:
        raise ValueError(f"fits must hold both models {MODELS}, missing {missing}")
    for name, value in (("gate", gate), ("margin", margin), ("n_sigma", n_sigma)):
        if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    exp = fits["exponential"]
    if exp.rate + n_sigma * exp.rate_err_scaled < 0:
        return "grows"
    if exp.rate - n_sigma * exp.rate_err_scaled <= 0:
        return "flat"
    best, other = sorted((fits[m] for m in MODELS), key=lambda f: f.chi2)
    if not best.passes(gate):
        return "irregular"
    if other.chi2 - best.chi2 < margin:
        return "undecided"
    return best.model


def tail_share(derivatives) -> np.ndarray:
    """The largest draw's share of the sum of squares at each n: max dᵢ² / Σ dᵢ², shape (K,).

    ``derivatives`` (K, N): N draws per qubit count. An even spread gives 1/N; a value near
    1 means one draw carries the variance (a heavy tail, or a spike), and the sample
    variance then rests on very few draws. ValueError for a row of zeros (no share).
    """
    d = check_reals(derivatives, "derivatives", ndim=(2,), allow_inf=False)
    squares = d ** 2
    total = squares.sum(axis=1)
    if np.any(total <= 0):
        raise ValueError(f"derivatives are all 0 in row(s) {np.flatnonzero(total <= 0).tolist()}: "
                         f"no share of a sum of squares")
    return squares.max(axis=1) / total


@dataclass(frozen=True)
class RateComparison:
    """``difference`` = rate(a) − rate(b) of one model, ``error`` = √(σ_a² + σ_b²) from the
    scaled errors, ``differs``: |difference| ≥ n_sigma·error (and difference ≠ 0)."""

    model: str
    difference: float
    error: float
    differs: bool

    def to_dict(self) -> dict:
        return asdict(self)


def compare_rates(fit_a: DecayFit, fit_b: DecayFit, n_sigma: float = N_SIGMA) -> RateComparison:
    """Whether two scans' rates of one model differ by at least ``n_sigma`` combined errors.

    The errors are the scaled ones (:attr:`DecayFit.rate_err_scaled`), so a fit that does not
    describe its points carries a wider error into the comparison. The rate of a model
    that does not describe the points is still the least-squares mean fall of ln Var per
    qubit (or per unit of ln n), which is what is compared.
    """
    if not (isinstance(fit_a, DecayFit) and isinstance(fit_b, DecayFit)):
        raise TypeError("fit_a and fit_b must be DecayFit objects")
    if fit_a.model != fit_b.model:
        raise ValueError(f"fit_a and fit_b must fit the same model, got {fit_a.model!r} and "
                         f"{fit_b.model!r}")
    diff = fit_a.rate - fit_b.rate
    err = float(np.hypot(fit_a.rate_err_scaled, fit_b.rate_err_scaled))
    return RateComparison(fit_a.model, diff, err, bool(diff != 0 and abs(diff) >= n_sigma * err))


# ----------------------------------------------------------------------------- scans
@dataclass(frozen=True, eq=False)
class PlateauScan:
    """Var(∂C/∂θ₀) against n for one circuit family, sharing scheme, depth rule and initial
    domain, for each cost.

    ``derivatives[cost]``: (len(n_values), n_draws) samples of ∂C/∂θ₀ (per radian);
    ``variance[cost]``: (len(n_values),); ``ci[cost]``: (2, len(n_values)) 95 % bootstrap
    interval of the variance; ``fits[cost]``: {model: :class:`DecayFit`};
    ``verdict[cost]``: :func:`decay_verdict`; ``tail[cost]``: :func:`tail_share`, (len(n),);
    ``log_var_err[cost]``: (len(n),) the bootstrap standard deviation of ln Var that
    weights the fits.
    ``intercept``, ``decay`` and ``decay_err`` give the exponential fit's a, b and b's
    (unscaled) bootstrap error per cost.
    """

    n_values: np.ndarray
    circuit: str
    sharing: str
    layers: str | int
    init: str
    derivatives: dict
    variance: dict
    ci: dict
    fits: dict
    verdict: dict
    tail: dict
    log_var_err: dict
    meta: dict = field(default_factory=dict)

    @property
    def intercept(self) -> dict:
        return {c: f["exponential"].intercept for c, f in self.fits.items()}

    @property
    def decay(self) -> dict:
        return {c: f["exponential"].rate for c, f in self.fits.items()}

    @property
    def decay_err(self) -> dict:
        return {c: f["exponential"].rate_err for c, f in self.fits.items()}

    @property
    def depth_text(self) -> str:
        """"L = n" or "L = 8"."""
        return "L = n" if self.layers == "n" else f"L = {self.layers}"

    @property
    def sharing_text(self) -> str:
        """"no sharing", "layer sharing" or "type sharing"."""
        return "no sharing" if self.sharing == "none" else f"{self.sharing} sharing"

    @property
    def label(self) -> str:
        """E.g. "default circuit, no sharing, L = n, full domain"."""
        return f"{self.circuit} circuit, {self.sharing_text}, {self.depth_text}, {self.init} domain"

    def shows_cost_contrast(self) -> bool:
        """Cerezo et al.'s contrast: the global cost's variance falls exponentially and the
        local cost's like a power of n (both verdicts named, :func:`decay_verdict`)."""
        return (self.verdict.get("global") == "exponential"
                and self.verdict.get("local") == "polynomial")

    def word(self, cost: str) -> str:
        """The verdict for ``cost`` in words (:data:`DECAY_WORDS`)."""
        return DECAY_WORDS[self.verdict[cost]]

    def summary(self) -> dict:
        """JSON-ready record of the scan without the raw draws."""
        return {"label": self.label, "n_values": self.n_values, "circuit": self.circuit,
                "sharing": self.sharing,
                "layers": self.layers, "init": self.init, "variance": self.variance,
                "ci95": self.ci, "log_var_err": self.log_var_err, "verdict": self.verdict,
                "tail_share": self.tail,
                "fits": {c: {m: f.to_dict() for m, f in fits.items()}
                         for c, fits in self.fits.items()},
                "meta": self.meta}


def _scan_task(task):
    """∂C/∂θ₀ of every cost at the given draws: (n_costs, n_draws)."""
    circuit, costs, thetas = task
    observables = [COSTS[c](circuit.n_qubits).matrix for c in costs]
    return partial_derivative(circuit, observables, thetas, 0)[1]


def _family(circuit) -> tuple[str, Callable]:
    if isinstance(circuit, str):
        if circuit not in CIRCUITS:
            raise ValueError(f"circuit must be one of {tuple(CIRCUITS)} or a callable "
                             f"(n_qubits, layers, sharing) -> Circuit, got {circuit!r}")
        return circuit, CIRCUITS[circuit]
    if callable(circuit):
        return getattr(circuit, "__name__", type(circuit).__name__), circuit
    raise TypeError(f"circuit must be a family name or a callable, got {type(circuit).__name__}")


def _draws(rng, circuit: Circuit, layers: int, init: str, n_draws: int) -> np.ndarray:
    """(n_draws, d) parameter vectors: uniform over one period, or on [−a, a]."""
    if init == "reduced":
        a = reduced_half_width(layers)
        return rng.uniform(-a, a, (n_draws, circuit.n_params))
    periods = np.asarray(circuit.periods, dtype=float)
    if not np.all(np.isfinite(periods)):
        raise ValueError("circuit has a parameter whose landscape is not periodic: the full "
                         "domain is undefined (use init='reduced')")
    return rng.uniform(-periods / 2, periods / 2, (n_draws, circuit.n_params))


def plateau_scan(n_values, sharing: str = "none", layers="n", costs=("global", "local"),
                 n_draws: int = 200, seed: int = 0, n_boot: int = 1000, progress=None,
                 scheduler=None, circuit="default", init: str = "full") -> PlateauScan:
    """Sample ∂C/∂θ₀ at ``n_draws`` random points for every n in ``n_values`` and fit both
    decay models (SPEC §9).

    ``n_values``: at least three qubit counts (integers in 1 … MAX_QUBITS). ``circuit``: a
    family name in :data:`CIRCUITS` ("default": :func:`qbp.default_circuit`, "alternating":
    :func:`qbp.alternating_circuit`) or a callable (n_qubits, layers, sharing) -> Circuit.
    ``layers``: ``"n"`` (L = n) or a fixed integer >= 1. ``init``: ``"full"`` draws every
    parameter uniformly over one period ([−π, π) here), ``"reduced"`` on [−a, a] with
    a = π/√L (:func:`reduced_half_width`, Wang et al. 2023). ``n_draws`` >= 10 and
    ``n_boot`` >= 10; ``seed`` an integer >= 0 (the draws use ``seed``, the bootstrap
    ``seed + 1``).

    The bootstrap resamples the draws (the same resample at every n); resamples that repeat
    one draw have variance 0 and are left out (``meta["n_boot_used"]`` per cost). They give
    the 95 % interval of each variance, the σ of ln Var that weights the fits and the errors
    of the rates (:func:`fit_models`). A derivative that takes one value over all draws at
    some n (variance 0) raises ValueError. One task per n, run through
    :func:`qbp.executors.run_tasks` with ``scheduler``. Cost ≈ 2 forward simulations of
    n_draws states of 2**n amplitudes per n; the largest n dominates.
    """
    from .executors import run_tasks

    name, family = _family(circuit)
    if sharing not in SHARING_SCHEMES:
        raise ValueError(f"sharing must be one of {SHARING_SCHEMES}, got {sharing!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    if not (isinstance(layers, str) and layers == "n"):
        if isinstance(layers, str):
            raise ValueError(f"layers must be 'n' or an integer >= 1, got {layers!r}")
        layers = check_int(layers, "layers", minimum=1)
    costs = check_names(costs, "costs", COSTS)
    n_draws = check_int(n_draws, "n_draws", minimum=MIN_DRAWS)
    n_boot = check_int(n_boot, "n_boot", minimum=MIN_BOOT)
    seed = check_int(seed, "seed", minimum=0)
    if isinstance(n_values, (str, bytes)) or not np.iterable(n_values):
        raise TypeError(f"n_values must be a sequence of qubit counts, got {n_values!r}")
    n_values = np.array(sorted({check_int(n, "n_values", 1, MAX_QUBITS) for n in n_values}))
    if len(n_values) < 3:
        raise ValueError(f"n_values must hold at least three qubit counts >= 1 (two fit "
                         f"parameters and one degree of freedom), got {n_values.tolist()}")
    rng = np.random.default_rng(seed)
    tasks = []
    for n in n_values:  # draws made here, in order, so tasks are independent and deterministic
        depth = int(n) if layers == "n" else layers
        circ = family(int(n), depth, sharing)
        if not isinstance(circ, Circuit) or circ.n_qubits != n:
            raise TypeError(f"circuit family {name!r} must return a qbp.Circuit on n qubits")
        tasks.append((circ, costs, _draws(rng, circ, depth, init, n_draws)))
    results = run_tasks(_scan_task, tasks, scheduler,
                        desc=f"plateau scan ({name}, {sharing}, L={layers})", progress=progress)
    derivs = {c: np.stack([r[j] for r in results]) for j, c in enumerate(costs)}

    boot = np.random.default_rng(seed + 1).integers(0, n_draws, (n_boot, n_draws))
    variance, ci, fits, verdict, tail, sigma, boot_used = {}, {}, {}, {}, {}, {}, {}
    for c in costs:
        if not np.all(np.isfinite(derivs[c])):
            raise ValueError(f"the derivatives of the {c} cost are not all finite")
        variance[c] = derivs[c].var(axis=1, ddof=1)
        flat = variance[c] <= 0
        if flat.any():  # ln Var undefined: say where, never fit a NaN
            raise ValueError(f"∂C/∂θ₀ of the {c} cost takes a single value over all {n_draws} "
                             f"draws at n = {n_values[flat].tolist()} (variance 0): ln Var is "
                             f"undefined, no decay can be fitted")
        boot_var = derivs[c][:, boot].var(axis=2, ddof=1)  # (len(n), n_boot)
        ci[c] = np.percentile(boot_var, [2.5, 97.5], axis=1)
        # A resample that repeats one draw has variance 0 (ln 0 = −inf): it carries no
        # information on ln Var and is left out; how many were used is recorded.
        usable = np.all(boot_var > 0, axis=0)
        boot_used[c] = int(usable.sum())
        if boot_used[c] < MIN_BOOT:
            raise ValueError(f"only {boot_used[c]} of {n_boot} bootstrap resamples of the {c} "
                             f"cost have a positive variance at every n (at least {MIN_BOOT} "
                             f"are needed): use more draws (n_draws={n_draws})")
        fits[c] = fit_models(n_values, variance[c], boot_var[:, usable])
        sigma[c] = np.log(boot_var[:, usable]).std(axis=1, ddof=1)
        verdict[c] = decay_verdict(fits[c])
        tail[c] = tail_share(derivs[c])
    meta = {"n_draws": n_draws, "seed": seed, "n_boot": n_boot, "n_boot_used": boot_used,
            "half_width": ([reduced_half_width(int(n) if layers == "n" else layers)
                            for n in n_values] if init == "reduced" else None),
            "qbp_version": __version__}
    return PlateauScan(n_values, name, sharing, layers, init, derivs, variance, ci, fits,
                       verdict, tail, sigma, meta)


def decay_table(scans, costs=None):
    """One row per scan and cost: both fitted rates with their scaled errors, χ²/dof, the
    verdict and the largest draw's share; a :class:`pandas.DataFrame` indexed by the scans'
    circuit, sharing, L, domain and cost — an index level whose value is the same in every
    row is left out (the prose or caption names it), ``cost`` always stays — so the table
    has at most 11 columns with the index.

    ``scans``: an iterable of :class:`PlateauScan` (or a dict whose values are scans).
    Columns: "b per qubit" and "p (Var ∝ n^−p)" as text "1.41 ± 0.05" (two decimals, the
    error scaled by √(χ²/dof) where that exceeds 1), "χ²/dof exp." and "χ²/dof power" (one
    decimal), "verdict" (:data:`DECAY_VERDICTS`) and "largest share" (the maximum over n of
    :func:`tail_share`, two decimals). Every column is text in one format, ready to show.
    """
    import pandas as pd

    scans = list(scans.values()) if isinstance(scans, dict) else list(scans)
    if not scans or not all(isinstance(s, PlateauScan) for s in scans):
        raise TypeError("scans must be a non-empty iterable of PlateauScan")

    def pm(fit):
        return f"{fit.rate:.2f} ± {fit.rate_err_scaled:.2f}".replace("-", "−")

    rows = []
    for s in scans:
        for c in (s.fits if costs is None else costs):
            if c not in s.fits:
                raise ValueError(f"costs: the scan {s.circuit}, {s.sharing} has no cost {c!r}")
            exp, pw = s.fits[c]["exponential"], s.fits[c]["polynomial"]
            rows.append({"circuit": s.circuit, "sharing": s.sharing, "L": s.depth_text[4:],
                         "domain": s.init, "cost": c, "b per qubit": pm(exp),
                         "χ²/dof exp.": f"{exp.chi2_dof:.1f}", "p (Var ∝ n^−p)": pm(pw),
                         "χ²/dof power": f"{pw.chi2_dof:.1f}", "verdict": s.verdict[c],
                         "largest share": f"{s.tail[c].max():.2f}"})
    table = pd.DataFrame(rows)
    levels = [k for k in ("circuit", "sharing", "L", "domain") if table[k].nunique() > 1]
    return table.drop(columns=[k for k in ("circuit", "sharing", "L", "domain")
                               if k not in levels]).set_index(levels + ["cost"])


#: How :func:`grouped_verdicts` names the circuit families of the shallow scans.
CIRCUIT_NAMES = {"default": "the staircase", "alternating": "the alternating ansatz"}


def _and(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def sharing_verdicts(verdicts: dict, context: str = "", quantity: str = "variance") -> list[str]:
    """The decay verdicts of several sharing schemes as sentences, each distinct pair of
    (global, local) verdicts once, every clause with its subject:
    ``["Without sharing at L = n, the global cost's variance falls exponentially and the
    local cost's falls like a power of n.", "With layer and type sharing at L = n, the
    variance of each cost grows."]``.

    ``verdicts``: {scheme: {"global": verdict, "local": verdict}} in the order to tell, a
    scheme one of ``"none"``, ``"layer"``, ``"type"`` and a verdict one of
    :data:`DECAY_VERDICTS` (e.g. :attr:`PlateauScan.verdict` or its saved summary);
    ``context``: words after the schemes (``" at L = n"``); ``quantity``: what falls.
    Groups follow the first scheme of each. ValueError for an unknown scheme or verdict."""
    if not isinstance(verdicts, dict) or not verdicts:
        raise TypeError("verdicts must be a non-empty dict {scheme: {'global': …, 'local': …}}")
    groups: dict = {}  # (global, local) -> [schemes]
    for scheme, v in verdicts.items():
        if scheme not in ("none", "layer", "type"):
            raise ValueError(f"verdicts: scheme must be none, layer or type, got {scheme!r}")
        pair = (v["global"], v["local"])
        bad = [x for x in pair if x not in DECAY_WORDS]
        if bad:
            raise ValueError(f"verdicts: unknown verdict {bad[0]!r} for {scheme!r}")
        groups.setdefault(pair, []).append(scheme)
    out = []
    for (g, l), schemes in groups.items():
        leads = (["without sharing"] if "none" in schemes else []) + (
            [f"with {_and(x for x in schemes if x != 'none')} sharing"]
            if any(x != "none" for x in schemes) else [])
        lead = " and ".join(leads)
        clause = (f"the {quantity} of each cost {DECAY_WORDS[g]}" if g == l else
                  f"the global cost's {quantity} {DECAY_WORDS[g]} and the local cost's "
                  f"{DECAY_WORDS[l]}")
        out.append(f"{lead[0].upper()}{lead[1:]}{context}, {clause}.")
    return out


def grouped_verdicts(scans, names=None) -> str:
    """The global and the local cost's verdicts (:meth:`PlateauScan.word`) of several scans
    as one sentence that says each distinct pair of verdicts once, with the circuits and
    depths it holds for: ``"With both layouts at L = 1 and 2, the global cost falls
    exponentially and the local cost falls like a power of n."`` Clauses follow the scans'
    order, joined by semicolons; "each cost …" where the two verdicts agree; a family of
    circuits that holds at every depth of the clause is named once.

    ``scans``: an iterable of :class:`PlateauScan` (or a dict whose values are scans), each
    with a global and a local cost; ``names``: {circuit: words} (default
    :data:`CIRCUIT_NAMES`; a circuit not in it is written "the <name> circuit"). TypeError
    for an empty iterable or other objects."""
    scans = list(scans.values()) if isinstance(scans, dict) else list(scans)
    if not scans or not all(isinstance(s, PlateauScan) for s in scans):
        raise TypeError("scans must be a non-empty iterable of PlateauScan")
    names = {**CIRCUIT_NAMES, **(names or {})}
    every = list(dict.fromkeys(s.circuit for s in scans))
    groups: dict = {}  # (global word, local word) -> {layers: [circuits]}
    for s in scans:
        depths = groups.setdefault((s.word("global"), s.word("local")), {})
        depths.setdefault(s.layers, []).append(s.circuit)
    clauses = []
    for (g, l), depths in groups.items():
        where: dict = {}  # circuits -> [layers]
        for layers, circuits in depths.items():
            where.setdefault(tuple(dict.fromkeys(circuits)), []).append(layers)
        parts = []
        for circuits, layers in where.items():
            if len(every) > 1 and set(circuits) == set(every):
                who = "both layouts" if len(every) == 2 else "every layout"
            else:
                who = _and(names.get(c, f"the {c} circuit") for c in circuits)
            parts.append(f"with {who} at L = {_and(layers)}")
        costs = (f"each cost {g}" if g == l else
                 f"the global cost {g} and the local cost {l}")
        clauses.append(f"{_and(parts)}, {costs}")
    text = "; ".join(clauses) + "."
    return text[0].upper() + text[1:]
