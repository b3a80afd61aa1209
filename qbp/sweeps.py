"""Success-rate sweeps: optimizer × learning rate × circuit × start (SPEC §6).

A run succeeds when its final cost is within ``tol`` of C*, the circuit's global minimum
refined by a local optimizer from the best grid points (:func:`qbp.minima.refine_minimum`),
so the grid's coarseness does not bias success. All learning rates and starts of one
optimizer and circuit run as one batch. Results can be cached on disk, keyed by the actual
inputs — the circuits, the observable's matrix, the starts themselves (not the seed that
drew them), every other parameter — and by the provenance of the code
(:func:`qbp._version.provenance`: the digest of qbp's science sources and the numerical
libraries' versions); a damaged or mismatched file is detected (checksum and key) and
recomputed, never used.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import check_int, check_names, check_reals, check_seed, check_tol
from ._io import atomic_write, digest
from ._version import __version__, provenance
from .circuit import Circuit
from .cost import ObservableCost
from .engines import check_inputs, value_and_grad
from .optim import Optimizer, make_optimizer
from .trajectories import optimize, random_starts

__all__ = ["SuccessSweep", "success_sweep", "GradientFreeResult", "gradient_free",
           "default_learning_rates", "refined_minimum", "GRADIENT_FREE_METHODS"]

GRADIENT_FREE_METHODS = ("COBYLA", "Nelder-Mead", "Powell")


def default_learning_rates(count: int = 13) -> np.ndarray:
    """``count`` (>= 1) learning rates log-spaced from 1e−3 to 3 (SPEC §6)."""
    return np.logspace(-3, np.log10(3), check_int(count, "count", minimum=1))


def refined_minimum(circuit: Circuit, cost: ObservableCost, resolution: int = 90) -> float:
    """C*: the grid minimum at ``resolution`` polished by L-BFGS-B with exact gradients."""
    from .landscape import sample_landscape
    from .minima import refine_minimum

    check_inputs(circuit, cost)
    method = "fourier" if circuit.is_periodic() else "batched"
    landscape = sample_landscape(circuit, cost, resolution, method=method, with_gradient=False)
    return refine_minimum(landscape, cost, method=method)[1]


def _check_circuits(circuits, cost: ObservableCost) -> tuple[list, int]:
    """The circuits of a sweep as a list, and their common number of free parameters d:
    TypeError / ValueError naming ``circuits`` (or the engines' check of circuit and cost)."""
    circuits = list(circuits)
    if not circuits or not all(isinstance(c, Circuit) for c in circuits):
        raise TypeError("circuits must be a non-empty sequence of qbp.Circuit")
    for c in circuits:
        check_inputs(c, cost)
    d = circuits[0].n_params
    if any(c.n_params != d for c in circuits):
        raise ValueError("circuits must all have the same number of free parameters")
    return circuits, d


def _labels(labels, n_circuits: int) -> tuple:
    """One label per circuit (default "circuit i"); ValueError naming ``labels``."""
    labels = tuple(labels) if labels is not None else tuple(f"circuit {i}"
                                                            for i in range(n_circuits))
    if len(labels) != n_circuits:
        raise ValueError(f"labels must name each of the {n_circuits} circuits")
    return labels


@dataclass(frozen=True, eq=False)
class SuccessSweep:
    """Final costs of every run: ``final_costs`` (optimizers, circuits, lrs, starts).

    ``c_star`` (circuits,) is each circuit's refined global minimum; ``labels`` and
    ``degrees`` name the circuits and their sharing degree (gates per free parameter).
    With ``checkpoints`` (k,) step counts (see :func:`success_sweep`): ``checkpoint_costs``
    and ``checkpoint_tail_max`` (optimizers, circuits, lrs, starts, k), the cost after that
    many steps and the largest cost over the last 10 % of them; otherwise None.
    """

    labels: tuple[str, ...]
    degrees: np.ndarray
    optimizers: tuple[str, ...]
    lrs: np.ndarray
    starts: np.ndarray
    final_costs: np.ndarray
    c_star: np.ndarray
    meta: dict = field(default_factory=dict)
    checkpoints: np.ndarray | None = None
    checkpoint_costs: np.ndarray | None = None
    checkpoint_tail_max: np.ndarray | None = None

    def success(self, tol: float) -> np.ndarray:
        """Boolean array like ``final_costs``: final cost ≤ C* + tol."""
        tol = check_tol(tol)
        return self.final_costs <= self.c_star[None, :, None, None] + tol

    def success_rate(self, tol: float) -> np.ndarray:
        """Fraction of starts that succeed, shape (optimizers, circuits, lrs)."""
        return self.success(tol).mean(axis=-1)

    def _checkpoint(self, steps) -> int:
        if self.checkpoints is None:
            raise ValueError("this sweep recorded no checkpoints: run success_sweep with "
                             "checkpoints=(...)")
        if steps is None:
            return len(self.checkpoints) - 1
        hit = np.flatnonzero(self.checkpoints == steps)
        if not len(hit):
            raise ValueError(f"steps must be one of the checkpoints "
                             f"{self.checkpoints.tolist()}, got {steps!r}")
        return int(hit[0])

    def settled(self, tol: float, steps: int | None = None) -> np.ndarray:
        """Boolean (optimizers, circuits, lrs, starts): the run of ``steps`` steps (a
        checkpoint; default the last) has settled — cost ≤ C* + tol over the last 10 % of
        its steps (SPEC §11, :func:`qbp.stats.settled`)."""
        tol = check_tol(tol)
        j = self._checkpoint(steps)
        return self.checkpoint_tail_max[..., j] <= self.c_star[None, :, None, None] + tol

    def settled_rate(self, tol: float, steps: int | None = None) -> np.ndarray:
        """Fraction of starts that have settled, (optimizers, circuits, lrs)."""
        return self.settled(tol, steps).mean(axis=-1)

    def checkpoint_success(self, tol: float, steps: int | None = None) -> np.ndarray:
        """Boolean like :meth:`settled` for the cost at the checkpoint alone (final-step
        success of a run of ``steps`` steps)."""
        tol = check_tol(tol)
        j = self._checkpoint(steps)
        return self.checkpoint_costs[..., j] <= self.c_star[None, :, None, None] + tol


def _observable_digest(cost: ObservableCost) -> str:
    m = cost.matrix.tocoo()
    return digest({"row": m.row, "col": m.col, "data": np.round(m.data, 12)})


def _key(document: dict) -> str:
    return digest(json.dumps(document, sort_keys=True))


def _save(path: Path, arrays: dict, meta: dict) -> None:
    meta = {**meta, "checksum": digest(arrays)}
    with atomic_write(path) as fh:
        np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)


def _load(path: Path, key: str):
    """(arrays, meta) if ``path`` holds an intact result for ``key``, else None (with a warning)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {name: data[name] for name in data.files if name != "meta"}
        if meta.get("key") != key:
            raise ValueError("its inputs, code or library versions differ")
        if meta.get("checksum") != digest(arrays):
            raise ValueError("its checksum does not match its contents")
        return arrays, meta
    except Exception as exc:  # damaged file of any kind: recompute, never use
        warnings.warn(f"ignoring saved result {path} ({exc}); recomputing", stacklevel=3)
        return None


def _sweep_task(task):
    """One task of a sweep: every learning rate from a chunk of starts on one circuit."""
    circuit, cost, optimizer, lrs, starts, steps, *rest = task
    checkpoints = rest[0] if rest else None
    batch_starts = np.tile(starts, (len(lrs), 1))  # lr-major: row = lr index × starts + start
    batch_lr = np.repeat(lrs, len(starts))
    tr = optimize(circuit, cost, batch_starts, optimizer, batch_lr, steps=steps, record="ends",
                  checkpoints=checkpoints)
    final = tr.final_costs.reshape(len(lrs), len(starts))
    if checkpoints is None:
        return final
    shape = (len(lrs), len(starts), len(checkpoints))
    return final, tr.checkpoint_costs.reshape(shape), tr.checkpoint_tail_max.reshape(shape)


def success_sweep(circuits, cost: ObservableCost, optimizers=("adam", "sgd"), lrs=None,
                  n_starts: int = 1000, steps: int = 500, seed: int = 0, labels=None,
                  c_star_resolution: int = 90, cache=None, progress=None, scheduler=None,
                  chunk_starts: int = 500, checkpoints=None) -> SuccessSweep:
    """Run every optimizer at every learning rate from the same ``n_starts`` seeded starts on
    every circuit (all with the same number of free parameters); keep the final costs.

    ``optimizers``: names in :data:`qbp.OPTIMIZERS` (each runs at every one of ``lrs``, a
    1-D array of positive learning rates, default :func:`default_learning_rates`).
    The work is split into tasks of all learning rates × ``chunk_starts`` starts for one
    optimizer and circuit, run through :func:`qbp.executors.run_tasks` with ``scheduler``
    (None: here; ``"processes"``; a Dask client or address). The split does not depend on
    the scheduler, so results are bit-identical on each. ``cache``: a folder; the result is
    stored there under a key of the actual inputs (the starts themselves, not the ``seed``
    that drew them, so ``seed=None`` never reuses another draw's result), every other
    parameter and :func:`qbp._version.provenance` (code digest, library versions), and
    reused when asked for again. ``checkpoints``: optional increasing step counts in 1 …
    ``steps`` (e.g. (T/2, T, 2T) with ``steps`` = 2T): each run also records the cost after
    that many steps and the largest cost over the last 10 % of them
    (:func:`qbp.optimize`'s ``checkpoints``), so :meth:`SuccessSweep.settled_rate` judges runs
    of every checkpoint's length from one run (SPEC §11); they are part of the cache key only
    when given. Cost: optimizers × circuits × len(lrs) · n_starts runs of ``steps`` exact
    gradient evaluations.
    Errors: TypeError or ValueError naming the argument.
    """
    from .executors import run_tasks
    from .grid import check_resolution

    circuits, d = _check_circuits(circuits, cost)
    if isinstance(optimizers, (str, Optimizer)):
        optimizers = (optimizers,)
    optimizers = tuple(optimizers)
    if not optimizers or any(isinstance(o, Optimizer) for o in optimizers):
        raise ValueError("optimizers must be one or more optimizer names (each runs at every "
                         "learning rate in lrs), not Optimizer objects")
    lrs = default_learning_rates() if lrs is None else check_reals(lrs, "lrs", above=0).ravel()
    labels = _labels(labels, len(circuits))
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    seed = check_seed(seed)
    c_star_resolution = check_resolution(c_star_resolution)
    chunk_starts = check_int(chunk_starts, "chunk_starts", minimum=1)
    if checkpoints is not None:
        from .trajectories import _Checkpoints

        checkpoints = _Checkpoints(checkpoints, steps, 0).steps  # checked: 1 … steps, increasing
    starts = random_starts(n_starts, d, seed)
    params = {"circuits": [c.to_dict() for c in circuits], "cost": cost.describe(),
              "observable": _observable_digest(cost), "optimizers": list(optimizers),
              "lrs": lrs.tolist(), "n_starts": n_starts, "steps": steps,
              "starts": digest({"starts": starts}), "c_star_resolution": c_star_resolution,
              "chunk_starts": chunk_starts, "provenance": provenance()}
    if checkpoints is not None:  # absent otherwise: the keys of earlier sweeps stay valid
        params["checkpoints"] = checkpoints.tolist()
    key = _key(params)  # the inputs themselves: the seed only says how the starts were drawn
    params["seed"] = seed
    path = Path(cache) / f"success-sweep-{key[:20]}.npz" if cache is not None else None
    saved = _load(path, key) if path is not None else None
    degrees = np.array([int(c.sharing_degree.max()) if c.n_params else 0 for c in circuits])
    if saved is not None:
        arrays, meta = saved
        extra = () if checkpoints is None else (
            checkpoints, arrays["checkpoint_costs"], arrays["checkpoint_tail_max"])
        return SuccessSweep(labels, degrees, optimizers, lrs, starts, arrays["final_costs"],
                            arrays["c_star"], {**params, "cached": True}, *extra)

    for name in optimizers:  # optimizer names and learning rates checked before any work
        make_optimizer(name, lrs)
    c_star = np.array([refined_minimum(c, cost, c_star_resolution) for c in circuits])
    chunks = [slice(a, min(a + chunk_starts, n_starts)) for a in range(0, n_starts, chunk_starts)]
    jobs = [(i, j, sl) for i in range(len(optimizers)) for j in range(len(circuits)) for sl in chunks]
    tail = () if checkpoints is None else (checkpoints,)
    tasks = [(circuits[j], cost, optimizers[i], lrs, starts[sl], steps, *tail)
             for i, j, sl in jobs]
    results = run_tasks(_sweep_task, tasks, scheduler, desc="success sweep", progress=progress)
    shape = (len(optimizers), len(circuits), len(lrs), n_starts)
    final = np.empty(shape)
    arrays = {"final_costs": final, "c_star": c_star}
    if checkpoints is not None:
        arrays["checkpoint_costs"] = np.empty(shape + (len(checkpoints),))
        arrays["checkpoint_tail_max"] = np.empty(shape + (len(checkpoints),))
    for (i, j, sl), block in zip(jobs, results):
        if checkpoints is None:
            final[i, j, :, sl] = block
        else:
            final[i, j, :, sl] = block[0]
            arrays["checkpoint_costs"][i, j, :, sl] = block[1]
            arrays["checkpoint_tail_max"][i, j, :, sl] = block[2]
    if path is not None:
        _save(path, arrays, {"key": key, "parameters": params})
    extra = () if checkpoints is None else (
        checkpoints, arrays["checkpoint_costs"], arrays["checkpoint_tail_max"])
    return SuccessSweep(labels, degrees, optimizers, lrs, starts, final, c_star,
                        {**params, "cached": False}, *extra)


@dataclass(frozen=True, eq=False)
class GradientFreeResult:
    """Final costs (methods, circuits, starts) of SciPy's gradient-free optimizers within a
    budget of cost evaluations; ``evaluations`` counts what each run used."""

    labels: tuple[str, ...]
    methods: tuple[str, ...]
    final_costs: np.ndarray
    evaluations: np.ndarray
    c_star: np.ndarray
    budget: int
    meta: dict = field(default_factory=dict)

    def success_rate(self, tol: float) -> np.ndarray:
        """Fraction of starts within ``tol`` of C*, shape (methods, circuits)."""
        tol = check_tol(tol)
        return (self.final_costs <= self.c_star[None, :, None] + tol).mean(axis=-1)


def _gradient_free_task(task):
    """One method on one circuit from a chunk of starts: (final costs, evaluations used)."""
    from scipy.optimize import minimize

    circuit, cost, method, starts, budget = task
    f, _ = value_and_grad(circuit, cost)
    final = np.empty(len(starts))
    used = np.zeros(len(starts), dtype=int)

    class Budget(Exception):
        pass

    for s, start in enumerate(starts):
        count, best = 0, np.inf

        def fun(x):
            nonlocal count, best
            if count >= budget:
                raise Budget
            count += 1
            value = float(f(np.asarray(x, dtype=float)[None, :])[0][0])
            best = min(best, value)
            return value

        options = {"maxiter": budget} if method == "COBYLA" else {"maxfev": budget}
        try:
            res = minimize(fun, start, method=method, options=options)
            final[s] = min(best, float(res.fun))
        except Budget:
            final[s] = best  # the best point seen within the budget
        used[s] = count
    return final, used


def gradient_free(circuits, cost: ObservableCost, methods=GRADIENT_FREE_METHODS, n_starts: int = 100,
                  budget: int = 500, seed: int = 0, labels=None, c_star=None,
                  progress=None, scheduler=None, chunk_starts: int = 50) -> GradientFreeResult:
    """SciPy's COBYLA / Nelder–Mead / Powell from the same seeded starts as :func:`success_sweep`,
    each run stopped after ``budget`` cost evaluations (counted, not trusted to SciPy).

    SciPy optimizes one start at a time, so each task loops over its ``chunk_starts`` starts
    (a comparison, not a hot path); tasks run through :func:`qbp.executors.run_tasks`.
    Cost ≈ methods × circuits × n_starts × budget exact evaluations.
    """
    from .executors import run_tasks

    circuits, d = _check_circuits(circuits, cost)
    methods = check_names(methods, "methods", GRADIENT_FREE_METHODS)
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    budget = check_int(budget, "budget", minimum=1)
    seed = check_seed(seed)
    chunk_starts = check_int(chunk_starts, "chunk_starts", minimum=1)
    starts = random_starts(n_starts, d, seed)
    labels = _labels(labels, len(circuits))
    if c_star is None:
        c_star = [refined_minimum(c, cost) for c in circuits]
    c_star = check_reals(c_star, "c_star", ndim=(1,))
    if len(c_star) != len(circuits):
        raise ValueError(f"c_star must give one value per circuit ({len(circuits)}), got {len(c_star)}")
    chunks = [slice(a, min(a + chunk_starts, n_starts)) for a in range(0, n_starts, chunk_starts)]
    jobs = [(i, j, sl) for i in range(len(methods)) for j in range(len(circuits)) for sl in chunks]
    tasks = [(circuits[j], cost, methods[i], starts[sl], budget) for i, j, sl in jobs]
    results = run_tasks(_gradient_free_task, tasks, scheduler, desc="gradient-free", progress=progress)
    final = np.empty((len(methods), len(circuits), n_starts))
    used = np.zeros(final.shape, dtype=int)
    for (i, j, sl), (f_block, u_block) in zip(jobs, results):
        final[i, j, sl], used[i, j, sl] = f_block, u_block
    meta = {"n_starts": n_starts, "budget": budget, "seed": seed, "qbp_version": __version__}
    return GradientFreeResult(labels, methods, final, used, c_star, budget, meta)
