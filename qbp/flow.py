"""Deceptiveness under gradient flow: the small-step limit of Algorithm 1 (SPEC §12).

The paper asks where "following the gradient with a very small step" leads. Its limit is the
gradient flow dθ/dt = −∇C(θ), which needs no grid. :func:`flow_deceptiveness` integrates it
with exact gradients from every start at once and calls a start deceptive iff the flow ends
above C* + tol.

How the integration stays faithful, and fast
---------------------------------------------
- **Scheme.** Dormand–Prince 5(4) (Dormand & Prince 1980; the pair behind MATLAB's ode45 and
  SciPy's RK45), written on (B, d) arrays: one loop over integration steps, each step one
  batched evaluation per stage for all starts still moving. Every start has its own step size
  h; a start leaves the batch when |∇C| < ``gtol`` (per radian) or its step budget runs out.
- **Error control.** A step is accepted iff the embedded error estimate e (5th − 4th order
  solution) satisfies max_k |e_k| ≤ atol + rtol·max_k |Δθ_k|, with Δθ the step's own
  displacement and atol = 1e−15 rad (a floor only). The control is *relative to the
  displacement*: each step follows the exact flow line to a relative accuracy ``rtol``
  (default 1e−4), so the computed path is the exact path of a start displaced by about
  rtol × (path length), ≈ 3e−4 rad for a path of 3 rad (the estimate bounds the 4th-order
  solution; the 5th-order one that is kept is more accurate still) — 60× less than the
  0.0175 rad spacing of a 360-point grid. The flow can only end in another basin if the
  exact path from the start passes that close to a basin boundary (the stable manifold of a
  saddle): a set of starts of measure ~1e−4 per unit of boundary length, far inside the
  Wilson interval of any affordable number of starts. Tested against SciPy's BDF at
  rtol 1e−10 (tests/test_flow.py: same minimum from 100 % of 200 random starts on five
  circuits); rtol = 1e−3 … 1e−6 gave the same end points on 3000 random starts, rtol ≈ 0.1
  without the step cap only on 81 %. An absolute tolerance would not do: near a minimum the
  displacement itself falls below it, the step grows to the explicit scheme's stability limit
  and the iterate hovers at |∇C| ≈ atol·λ instead of converging.
- **Step cap.** No step moves farther than 0.5/|K| rad, K the vector of the circuit's largest
  frequencies per parameter (:attr:`qbp.Circuit.max_frequencies`), i.e. 1/(4π) of the shortest
  wavelength of the landscape: the error estimate is an asymptotic expansion, trusted only on
  steps short against the landscape's features, so a step can never hop over a ridge that the
  estimator would not see.
- **Near a minimum** the flow is slow (time ~ ln(1/gtol)/λ_min) and the explicit steps are
  limited by stability (h ≲ 3.3/λ_max). A **Newton finish** removes that tail without leaving
  the basin (``newton=True``): at a point θ₀ with gradient g₀, let λ be a lower bound of the
  smallest Hessian eigenvalue at θ₀ — central differences of exact gradients with step
  ε = 10⁻³/|K|, minus their error bound ε²/6·‖O − c‖·|K|⁴ (Taylor remainder, with the
  fourth-derivative bound below) plus d·δ/ε for a gradient round-off δ = 10⁻¹⁰·‖O − c‖·|K|
  (assumed; double precision gives ~10⁻¹⁶) — and M = ‖O − c‖·|K|³ a bound on the Lipschitz
  constant of the Hessian (each derivative of ⟨ψ|U†OU|ψ⟩ along a unit direction u brings
  down at most Σ_gates |scale·u_param|·spread ≤ |K|·|u| per factor; c centres O's spectrum,
  ‖O − c‖ = (λ_max(O) − λ_min(O))/2). On the ball B(θ₀, r), r = λ/(2M), every Hessian
  eigenvalue is ≥ μ = λ/2, so C is μ-strongly convex
  there. If |g₀| ≤ λ²/(8M), the flow from θ₀ has |∇C(t)| ≤ |g₀|e^(−μt), so its path is
  shorter than |g₀|/μ ≤ r/2: it stays in the ball and converges to the ball's unique critical
  point θ*. Chord-Newton iterations θ ← θ − H(θ₀)⁻¹∇C(θ) are then accepted only if they end
  inside B(θ₀, r) with |∇C| < gtol; strong convexity gives |θ_N − θ*| ≤ |∇C(θ_N)|/μ, so the
  end point is the flow's own limit to within 2·gtol/λ. Otherwise the flow simply continues.
  Where the Hessian is not positive definite (a saddle, a degenerate minimum) Newton is never
  used.

Our reading of the paper (the unconverged starts): a start whose flow has not reached
|∇C| < gtol within ``max_steps`` steps is neither deceptive nor not: it is reported
(``converged`` False, ``n_unconverged``), its ``deceptive`` entry is False, and the flow
ratio and its Wilson interval are taken over the converged starts only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._progress import bar as progress_bar
from ._io import digest
from ._version import __version__
from .circuit import Circuit
from .cost import ObservableCost
from .deceptiveness import check_tol, deceptive_mask, RULES
from .engines import check_inputs, value_and_grad
from .grid import check_periods, check_resolution, grid_axis, grid_points, wrap

__all__ = ["FlowResult", "flow_deceptiveness", "grid_starts", "compare_with_grid",
           "DEFAULT_MAX_STEPS", "DEFAULT_RTOL"]

#: Step budget per start (attempted integration steps, accepted or rejected).
DEFAULT_MAX_STEPS = 10_000
#: Relative error per step, against the step's displacement (see the module docstring).
DEFAULT_RTOL = 1e-4
#: Floor of the error tolerance (radians): keeps the test finite, far below any real step.
_ATOL = 1e-15
#: Largest move per step, in units of 1/|K| (K: the landscape's largest frequencies).
_MAX_MOVE = 0.5
#: Assumed bound of the round-off of an exact gradient component, relative to a·|K|
#: (its largest possible magnitude): generous against double precision's 1e−16.
_GRAD_ROUNDOFF = 1e-10
#: Chord-Newton iterations per attempt before falling back to the flow.
_NEWTON_ITERATIONS = 12

# Dormand–Prince 5(4): stage coefficients a, 5th-order weights b (= the last stage's row:
# first same as last), and e = b − b̂ (5th − 4th order) for the error estimate.
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_B = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)


@dataclass(frozen=True, eq=False)
class FlowResult:
    """Where the gradient flow from each start ends, and which starts are deceptive (SPEC §12).

    Per start (B of them): ``end_points`` (B, d), radians, wrapped with the circuit's periods
    (:func:`qbp.grid.wrap`); ``end_values`` (B,), the cost there; ``deceptive`` (B,) bool:
    converged and end value > ``c_star`` + ``tol``; ``converged`` (B,) bool: |∇C| < ``gtol``
    reached within ``max_steps``; ``steps`` (B,) integration steps used (accepted and
    rejected); ``grad_norm`` (B,) the final |∇C| per radian; ``newton`` (B,) bool: finished by
    the Newton phase (module docstring).
    Summary: ``ratio`` = deceptive / converged starts, ``ci`` (2,) its Wilson 95 % interval,
    ``c_star`` (and ``c_star_theta``, where it was found, or None if given).
    Inputs kept: ``starts`` (B, d) and their ``starts_digest`` (SHA-256), ``tol``, ``gtol``,
    ``max_steps``, ``rtol``, ``newton_finish``, ``circuit``, ``meta`` (circuit, cost, engine,
    chunking, version).
    ``n_evaluations``: exact (value, gradient) point evaluations of the integration and the
    Newton finish (C*'s polish not included).
    """

    end_points: np.ndarray
    end_values: np.ndarray
    deceptive: np.ndarray
    converged: np.ndarray
    ratio: float
    ci: np.ndarray
    c_star: float
    c_star_theta: np.ndarray | None
    steps: np.ndarray
    grad_norm: np.ndarray
    newton: np.ndarray
    starts: np.ndarray
    starts_digest: str
    tol: float
    gtol: float
    max_steps: int
    rtol: float
    newton_finish: bool
    circuit: Circuit
    n_evaluations: int
    meta: dict = field(default_factory=dict)

    @property
    def n_starts(self) -> int:
        return len(self.starts)

    @property
    def n_converged(self) -> int:
        return int(self.converged.sum())

    @property
    def n_unconverged(self) -> int:
        """Starts whose flow did not reach |∇C| < gtol within the budget (not classified)."""
        return self.n_starts - self.n_converged

    @property
    def n_deceptive(self) -> int:
        return int(self.deceptive.sum())

    @property
    def n_newton(self) -> int:
        return int(self.newton.sum())

    @property
    def threshold(self) -> float:
        """C* + tol: an end value above it is deceptive."""
        return self.c_star + self.tol

    def summary(self) -> dict:
        """The numbers to report, JSON-ready."""
        return {"n_starts": self.n_starts, "n_converged": self.n_converged,
                "n_unconverged": self.n_unconverged, "n_deceptive": self.n_deceptive,
                "ratio": self.ratio, "ci": self.ci.tolist(), "c_star": self.c_star,
                "tol": self.tol, "gtol": self.gtol, "max_steps": self.max_steps,
                "rtol": self.rtol, "n_newton": self.n_newton,
                "steps_median": float(np.median(self.steps)), "steps_max": int(self.steps.max()),
                "n_evaluations": self.n_evaluations, "starts_digest": self.starts_digest}


def grid_starts(resolution: int, periods) -> np.ndarray:
    """Every point of the R^d grid of SPEC §1 as starts, shape (R^d, d), radians.

    ``periods``: the period of each parameter (d,) (e.g. ``circuit.periods``; 2π gives
    [−π, π)), all finite. Same order as ``landscape.values.ravel()`` (C order, last axis
    fastest), so ``flow.deceptive.reshape((R,)*d)`` lines up with
    :func:`qbp.deceptive_mask` of a landscape at the same R.
    """
    r = check_resolution(resolution)
    if periods is None:
        raise ValueError("periods must be given (e.g. circuit.periods)")
    periods = check_periods(periods, finite=True)
    return grid_points([grid_axis(r, t) for t in periods])


def _observable_half_spread(cost: ObservableCost) -> float:
    """a = min_c ‖O − c·1‖ = (λ_max − λ_min)/2 of the cost's observable (exact up to 2¹⁰ states;
    beyond, the row-sum norm ‖O‖_∞ ≥ ‖O‖₂, a valid upper bound)."""
    matrix = cost.matrix
    if matrix.shape[0] <= 1024:
        ev = np.linalg.eigvalsh(matrix.toarray())
        return float(ev[-1] - ev[0]) / 2
    return float(abs(matrix).sum(axis=1).max())


def _check_int(value, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_positive(value, name: str, upper: float | None = None) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(value) or value <= 0 or (upper is not None and value >= upper):
        bound = f" and < {upper:g}" if upper is not None else ""
        raise ValueError(f"{name} must be a finite number > 0{bound}, got {value!r}")
    return value


def flow_deceptiveness(circuit: Circuit, cost: ObservableCost, starts, tol: float, *,
                       c_star: float | None = None, gtol: float = 1e-8,
                       max_steps: int = DEFAULT_MAX_STEPS, rtol: float = DEFAULT_RTOL,
                       newton: bool = True, method: str = "auto", n_polish: int = 5,
                       scheduler=None, chunk_starts: int = 32768, progress=None) -> FlowResult:
    """Integrate dθ/dt = −∇C(θ) from every start; deceptive iff it ends above C* + tol (SPEC §12).

    ``starts``: (B, d) radians, finite — :func:`grid_starts` for a full grid (comparable with
    SPEC §5 at that R) or :func:`qbp.random_starts` for uniform random starts. ``tol`` ≥ 0
    (cost units); ``gtol`` > 0: stop where |∇C| < gtol (per radian; below ~1e−12 the
    gradients' round-off may keep a start from ever getting there); ``max_steps`` ≥ 1
    integration steps per start; ``rtol`` in (0, 0.1): the relative error per step (module
    docstring); ``newton``: allow the Newton finish (proved not to change the end point's
    basin; False integrates all the way). ``method``: the engine, ``"auto"`` (exact Fourier
    series where the circuit allows, else the batched simulator), ``"fourier"``,
    ``"batched"``.

    ``c_star``: the global minimum C*; None refines it as SPEC §6 does: the ``n_polish``
    lowest distinct end values are polished by L-BFGS-B with exact gradients
    (:func:`qbp.minima.polish`) and C* = min(polished values, every end value reached). With
    few starts, none of which reaches the global basin, that C* is too high: pass C* (e.g.
    from :func:`qbp.minima.refine_minimum`) instead.

    Returns a :class:`FlowResult`; ``ratio`` and ``ci`` count converged starts only (module
    docstring); if none converged, ``ratio`` is NaN (with a RuntimeWarning) and ``ci`` (0, 1).
    Cost: one batched exact evaluation of all moving starts per stage, 6 stages per step;
    ~50–300 steps per start for the paper's circuits (up to a few thousand where a minimum is
    badly conditioned), ~500 exact evaluations per start in all.

    The starts are integrated in tasks of ``chunk_starts`` through
    :func:`qbp.executors.run_tasks` with ``scheduler`` (None: here, one after the other;
    ``"processes"``: one worker per core; a Dask client or address). The split depends only
    on ``chunk_starts``, never on the scheduler, so results are bit-identical on each; the
    same inputs always give bit-identical results. ``progress``: a tqdm bar on stderr (None:
    only for 20 000 starts or more).

    Errors: TypeError / ValueError naming the argument (``circuit``, ``cost``, ``starts``
    (shape (B, d), finite), ``tol``, ``gtol``, ``max_steps``, ``rtol``, ``c_star``,
    ``method``, ``n_polish``, ``chunk_starts``).
    """
    check_inputs(circuit, cost)
    starts = circuit.check_theta(starts, "starts")
    if starts.ndim != 2 or len(starts) == 0:
        raise ValueError(f"starts must have shape (B, {circuit.n_params}) with B >= 1, "
                         f"got {starts.shape}")
    tol = check_tol(tol)
    gtol = _check_positive(gtol, "gtol")
    rtol = _check_positive(rtol, "rtol", upper=0.1)
    max_steps = _check_int(max_steps, "max_steps")
    n_polish = _check_int(n_polish, "n_polish", low=0)
    if c_star is not None:
        if isinstance(c_star, bool) or not isinstance(c_star, (int, float, np.integer, np.floating)):
            raise TypeError(f"c_star must be a number or None, got {c_star!r}")
        c_star = float(c_star)
        if not np.isfinite(c_star):
            raise ValueError(f"c_star must be finite, got {c_star!r}")
    if method not in ("auto", "fourier", "batched"):
        raise ValueError(f"method must be 'auto', 'fourier' or 'batched', got {method!r}")
    if not isinstance(newton, bool):
        raise TypeError(f"newton must be True or False, got {newton!r}")

    chunk_starts = _check_int(chunk_starts, "chunk_starts")
    _, used = _gradient_function(circuit, cost, method)  # fails early if the engine refuses
    k_norm, a = _bounds(circuit, cost)

    from .executors import run_tasks

    show = (len(starts) >= 20_000) if progress is None else bool(progress)
    chunks = [starts[i:i + chunk_starts] for i in range(0, len(starts), chunk_starts)]
    settings = {"gtol": gtol, "rtol": rtol, "max_steps": max_steps, "method": used,
                "newton": newton and k_norm > 0 and a > 0, "k_norm": k_norm, "a": a,
                "progress": show and len(chunks) == 1 and scheduler is None}
    tasks = [(circuit, cost, chunk, settings) for chunk in chunks]
    parts = run_tasks(_flow_task, tasks, scheduler, desc="gradient flow",
                      progress=show and len(chunks) > 1)
    y, values, gnorm, converged, steps, finished_newton = (
        np.concatenate([part[i] for part in parts]) for i in range(6))
    n_evals = sum(part[6] for part in parts)
    end_points = wrap(y, circuit.periods)

    c_star_theta = None
    if c_star is None:
        c_star, c_star_theta = _refine_c_star(circuit, cost, end_points, values, n_polish, used)

    deceptive = converged & (values > c_star + tol)
    n_conv, n_dec = int(converged.sum()), int(deceptive.sum())
    if n_conv == 0:
        warnings.warn(f"no start converged to |∇C| < {gtol:g} within max_steps={max_steps}: "
                      f"the flow ratio is undefined (NaN); raise max_steps", RuntimeWarning,
                      stacklevel=2)
        ratio = float("nan")
    else:
        ratio = n_dec / n_conv
    from .stats import wilson_interval  # scipy.stats: imported when needed, not with qbp

    ci = np.array(wilson_interval(n_dec, n_conv))
    meta = {"circuit": circuit.to_dict(), "cost": cost.describe(), "engine": used,
            "qbp_version": __version__,
            "scheme": "Dormand-Prince 5(4)", "atol": _ATOL, "chunk_starts": chunk_starts,
            "max_move": _MAX_MOVE / k_norm if k_norm > 0 else None,
            "hessian_lipschitz": a * k_norm ** 3}
    return FlowResult(end_points, values, deceptive, converged, ratio, ci, float(c_star),
                      c_star_theta, steps, gnorm, finished_newton, starts.copy(),
                      digest({"starts": starts}), tol, gtol, max_steps, rtol, newton,
                      circuit, int(n_evals), meta)


def _gradient_function(circuit, cost, method):
    """The batched f(θ (B, d)) → (C (B,), ∇C (B, d)) and the engine's name."""
    f, used = value_and_grad(circuit, cost, method)
    if used == "batched":  # the same engine without its per-call progress bar
        from .statevector import expectation_and_gradient

        observable = cost.matrix
        f = lambda theta: expectation_and_gradient(circuit, observable, theta, True, False)  # noqa: E731
    return f, used


def _bounds(circuit, cost) -> tuple[float, float]:
    """|K| (largest frequencies' norm, rad⁻¹) and a = ‖O − c‖ (cost units)."""
    return float(np.linalg.norm(circuit.max_frequencies)), _observable_half_spread(cost)


def _flow_task(task):
    """One chunk of starts: (θ, C, |∇C|, converged, steps, newton, evaluations)."""
    circuit, cost, starts, settings = task
    f, _ = _gradient_function(circuit, cost, settings["method"])
    return _integrate(f, starts, gtol=settings["gtol"], rtol=settings["rtol"],
                      max_steps=settings["max_steps"], newton=settings["newton"],
                      k_norm=settings["k_norm"], a=settings["a"], progress=settings["progress"])


def _refine_c_star(circuit, cost, end_points, values, n_polish, method):
    """C* = min(every end value, L-BFGS-B polish of the n_polish lowest distinct end values)."""
    from .minima import polish

    best = int(np.argmin(values))
    c_star, theta = float(values[best]), end_points[best]
    order = np.argsort(values, kind="stable")
    picked: list[int] = []
    for i in order:  # distinct minima: symmetric copies of one minimum need one polish only
        if len(picked) == n_polish:
            break
        if all(abs(values[i] - values[j]) > 1e-9 for j in picked):
            picked.append(int(i))
    if picked:
        thetas, polished = polish(circuit, cost, end_points[picked], method=method)
        j = int(np.argmin(polished))
        if polished[j] < c_star:
            c_star, theta = float(polished[j]), thetas[j]
    return c_star, theta


def _integrate(f, starts, *, gtol, rtol, max_steps, newton, k_norm, a, progress):
    """Batched adaptive Dormand–Prince integration of dθ/dt = −∇C with per-start step sizes
    and the Newton finish. Returns (θ, C, |∇C|, converged, steps, newton, evaluations)."""

    b, d = starts.shape
    y = starts.copy()
    values, grad = f(y)
    n_evals = b
    k1 = -grad
    gnorm = np.linalg.norm(k1, axis=1)
    max_move = _MAX_MOVE / k_norm if k_norm > 0 else np.inf
    lam_cap = a * k_norm ** 2  # ≥ every Hessian eigenvalue's magnitude
    # First step: within the move cap and hλ ≤ 1 for the stiffest possible direction.
    with np.errstate(divide="ignore"):
        h = np.minimum(max_move / gnorm, 1.0 / lam_cap if lam_cap > 0 else np.inf)
    h = np.where(np.isfinite(h), h, 1.0)
    converged = gnorm < gtol
    steps = np.zeros(b, dtype=np.int64)
    finished_newton = np.zeros(b, dtype=bool)
    lipschitz = a * k_norm ** 3  # M: Lipschitz constant of the Hessian (module docstring)
    newton_next = np.full(b, 0.01 * a * k_norm if newton else -np.inf)  # |g| of the next attempt
    active = np.flatnonzero(~converged)

    bar = progress_bar(total=b, desc="gradient flow", unit="start", progress=progress)
    bar.update(b - len(active))
    try:
        while len(active):
            if newton:
                trying = active[gnorm[active] < newton_next[active]]
                if len(trying):
                    done, used = _newton_finish(f, trying, y, values, k1, gnorm, newton_next,
                                                gtol=gtol, a=a, k_norm=k_norm,
                                                lipschitz=lipschitz)
                    n_evals += used
                    finished_newton[done] = True
                    converged[done] = True
                    bar.update(len(done))
                    active = active[~np.isin(active, done)]
                    if not len(active):
                        break
            ya, ha = y[active], h[active][:, None]
            ks = [k1[active]]
            for s in range(1, len(_A)):
                increment = sum(coef * k for coef, k in zip(_A[s], ks) if coef)
                vs, gs = f(ya + ha * increment)
                ks.append(-gs)
            n_evals += (len(_A) - 1) * len(active)
            y_new = ya + ha * sum(coef * k for coef, k in zip(_B, ks) if coef)  # = last stage
            err = ha * sum(coef * k for coef, k in zip(_E, ks) if coef)
            move = np.max(np.abs(y_new - ya), axis=1)
            ratio = np.max(np.abs(err), axis=1) / (_ATOL + rtol * move)
            ok = ratio <= 1.0
            # Standard controller: safety 0.9, exponent 1/5, growth in [0.2, 5]; no growth
            # after a rejection.
            with np.errstate(divide="ignore"):
                factor = np.clip(0.9 * ratio ** -0.2, 0.2, 5.0)
            factor = np.where(ok, factor, np.minimum(factor, 1.0))
            g_new = np.linalg.norm(ks[-1], axis=1)
            h_new = ha[:, 0] * factor
            with np.errstate(divide="ignore"):
                h_new = np.where(ok, np.minimum(h_new, max_move / g_new), h_new)
            accepted = active[ok]
            y[accepted] = y_new[ok]
            values[accepted] = vs[ok]
            k1[accepted] = ks[-1][ok]
            gnorm[accepted] = g_new[ok]
            h[active] = h_new
            steps[active] += 1
            finished = ok & (g_new < gtol)
            converged[active[finished]] = True
            out_of_budget = ~finished & (steps[active] >= max_steps)
            bar.update(int(finished.sum() + out_of_budget.sum()))
            active = active[~(finished | out_of_budget)]
    finally:
        bar.close()
    return y, values, gnorm, converged, steps, finished_newton, n_evals


def _newton_finish(f, idx, y, values, k1, gnorm, newton_next, *, gtol, a, k_norm, lipschitz):
    """Try the Newton finish for starts ``idx`` (updating the state arrays in place for those
    that succeed); returns (their indices, evaluations used). See the module docstring."""
    m, d = len(idx), y.shape[1]
    theta0, g0, gn0 = y[idx], -k1[idx], gnorm[idx]
    # Hessian by central differences of exact gradients, in one batched call.
    eps = 1e-3 / k_norm
    shifts = np.concatenate([np.eye(d) * eps, -np.eye(d) * eps])  # (2d, d)
    _, g_shift = f((theta0[:, None, :] + shifts[None]).reshape(-1, d))
    g_shift = g_shift.reshape(m, 2 * d, d)
    hess = (g_shift[:, :d, :] - g_shift[:, d:, :]) / (2 * eps)  # hess[:, k, :] = ∂_k ∇C
    hess = (hess + np.swapaxes(hess, 1, 2)) / 2
    used = 2 * d * m
    # Rigorous bound of ‖H_fd − H‖₂: truncation ε²/6·a|K|⁴ plus round-off d·δ/ε, δ the
    # assumed gradient round-off.
    err_h = eps ** 2 / 6 * a * k_norm ** 4 + d * _GRAD_ROUNDOFF * a * k_norm / eps
    lam = np.linalg.eigvalsh(hess)[:, 0] - err_h
    positive = lam > 0
    threshold = np.where(positive, lam ** 2 / (8 * lipschitz), 0.0)
    can = positive & (gn0 < threshold)
    # Not yet: try again once |g| has fallen to the predicted threshold (at least 4× lower),
    # or 10× lower where the Hessian is not (yet) positive definite.
    newton_next[idx[~can]] = np.where(positive[~can], np.minimum(threshold[~can], gn0[~can] / 4),
                                      gn0[~can] / 10)
    if not can.any():
        return idx[:0], used
    sel = np.flatnonzero(can)
    theta, g = theta0[sel].copy(), g0[sel].copy()
    h_sel, radius = hess[sel], lam[sel] / (2 * lipschitz)
    val = values[idx[sel]].copy()
    done = np.zeros(len(sel), dtype=bool)
    for _ in range(_NEWTON_ITERATIONS):
        todo = np.flatnonzero(~done)
        if not len(todo):
            break
        theta[todo] -= np.linalg.solve(h_sel[todo], g[todo][..., None])[..., 0]
        v_new, g_new = f(theta[todo])
        used += len(todo)
        val[todo], g[todo] = v_new, g_new
        done[todo] = np.linalg.norm(g_new, axis=1) < gtol
    inside = np.linalg.norm(theta - theta0[sel], axis=1) < radius
    good = done & inside
    fail = idx[sel[~good]]
    newton_next[fail] = gnorm[fail] / 10  # fall back to the flow; maybe later, closer in
    ok_idx = idx[sel[good]]
    y[ok_idx] = theta[good]
    values[ok_idx] = val[good]
    k1[ok_idx] = -g[good]
    gnorm[ok_idx] = np.linalg.norm(g[good], axis=1)
    return ok_idx, used


def compare_with_grid(landscape, flow: FlowResult, tol: float | None = None,
                      rules=RULES) -> dict:
    """How often the grid rule of SPEC §5 agrees with the flow, point by point (SPEC §12).

    ``landscape``: a :class:`qbp.Landscape` at resolution R; ``flow``: the
    :class:`FlowResult` of :func:`flow_deceptiveness` on ``grid_starts(R, periods)`` of the
    same circuit (checked: the starts must be that grid). ``tol`` defaults to the flow's.
    For each rule (``"compass"``, ``"steepest"``; exact gradients), over the converged starts:
    ``agreement`` (fraction of points where :func:`qbp.deceptive_mask` and the flow agree),
    ``grid_ratio`` (the grid rule's ratio over all points, its own threshold C_min + tol),
    ``flow_ratio`` (over the converged starts, threshold C* + tol), ``grid_only`` /
    ``flow_only`` (points deceptive for one only) and ``n_compared``. Returns
    {rule: {...}} (JSON-ready). Which rule tracks the flow is an empirical question: for the
    default circuit (n = 2, L = 6, R = 360, tol = 1e−3) "steepest" agrees on 99 % of points
    and "compass" on 92 % (benchmarks/results/flow.json).
    """
    from .landscape import Landscape

    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a qbp.Landscape, got {type(landscape).__name__}")
    if not isinstance(flow, FlowResult):
        raise TypeError(f"flow must be a qbp.flow.FlowResult, got {type(flow).__name__}")
    if landscape.circuit is not None and landscape.circuit != flow.circuit:
        raise ValueError("landscape and flow must belong to the same circuit")
    expected = grid_starts(landscape.resolution, landscape.periods)
    if flow.starts.shape != expected.shape or not np.array_equal(flow.starts, expected):
        raise ValueError(f"flow must be computed on grid_starts({landscape.resolution}, "
                         f"landscape.periods) (same points, same order)")
    tol = flow.tol if tol is None else check_tol(tol)
    keep = flow.converged
    if not keep.any():
        raise ValueError("flow has no converged start to compare (raise its max_steps)")
    flow_dec = flow.end_values[keep] > flow.c_star + tol
    out = {}
    for rule in rules:
        grid = deceptive_mask(landscape, tol, rule=rule).ravel()
        g = grid[keep]
        out[rule] = {"agreement": float(np.mean(g == flow_dec)),
                     "grid_ratio": float(grid.mean()), "flow_ratio": float(flow_dec.mean()),
                     "grid_only": int(np.sum(g & ~flow_dec)), "flow_only": int(np.sum(~g & flow_dec)),
                     "n_compared": int(keep.sum()), "tol": tol}
    return out
