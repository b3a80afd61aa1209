"""Three engines for cost values and exact gradients at parameter points (SPEC §4, §10).

- ``"reference"``: QuTiP unitaries from qutip-qip gates, one point at a time, gradient by
  the parameter-shift rule. The physics truth; slow.
- ``"batched"``: vectorised NumPy state vectors over all points, adjoint gradients
  (:mod:`qbp.statevector`). Works for any one-parameter gate, periodic or not.
- ``"fourier"``: the exact Fourier series of the cost (:mod:`qbp.fourier`); needs a
  2π-periodic landscape and few enough coefficients, and refuses otherwise.
All three return the same numbers (tested to 1e−10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._progress import bar
from .circuit import Circuit
from .cost import ObservableCost

__all__ = ["METHODS", "evaluate", "check_method", "value_and_grad", "cross_check", "check_circuits",
           "CrossCheck", "ENGINE_PAIRS"]

METHODS = ("fourier", "batched", "reference")


def check_method(method) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


def check_inputs(circuit, cost) -> None:
    if not isinstance(circuit, Circuit):
        raise TypeError(f"circuit must be a qbp.Circuit, got {type(circuit).__name__}")
    if not isinstance(cost, ObservableCost):
        raise TypeError(f"cost must be a qbp cost (e.g. qbp.EnergyCost), got {type(cost).__name__}")
    cost.check_circuit(circuit)


def evaluate(circuit: Circuit, cost: ObservableCost, theta, method: str = "batched",
             with_gradient: bool = True, progress=None):
    """Cost values (B,) and exact gradients (B, d) per radian at points ``theta`` (B, d) or (d,).

    ``with_gradient=False`` returns None for the gradient. A (d,) input gives a scalar value and
    a (d,) gradient.
    """
    check_inputs(circuit, cost)
    check_method(method)
    theta = circuit.check_theta(theta)
    single = theta.ndim == 1
    pts = np.atleast_2d(theta)
    if method == "batched":
        from .statevector import expectation_and_gradient

        values, grad = expectation_and_gradient(circuit, cost.matrix, pts, with_gradient, progress)
    elif method == "fourier":
        from .fourier import fourier_series

        values, grad = fourier_series(circuit, cost.matrix).evaluate(pts)
        grad = grad if with_gradient else None
    else:
        values, grad = _reference(circuit, cost, pts, with_gradient, progress)
    if single:
        return values[0], (grad[0] if grad is not None else None)
    return values, grad


def _reference(circuit, cost, pts, with_gradient, progress):

    from .gradients import parameter_shift

    values = np.empty(len(pts))
    grad = np.empty(pts.shape) if with_gradient else None
    for b in bar(range(len(pts)), desc="QuTiP reference", unit="point", progress=progress,
                 minimum=50):
        values[b] = cost(circuit, pts[b])
        if with_gradient:
            grad[b] = parameter_shift(circuit, cost, pts[b])
    return values, grad


def value_and_grad(circuit: Circuit, cost: ObservableCost, method: str = "auto"):
    """A function ``f(theta (B, d)) -> (values (B,), grads (B, d))`` for repeated calls.

    ``"auto"`` picks the exact Fourier series when the landscape is 2π-periodic and its
    series small enough (built once, then each call only sums it), else the batched engine.
    ``f`` checks its points as every entry point does (real, finite, shape (B, d) or (d,)):
    ValueError or TypeError naming ``theta``. Returns ``(f, method_used)``.
    """
    check_inputs(circuit, cost)
    if method not in ("auto", "fourier", "batched"):
        raise ValueError(f"method must be 'auto', 'fourier' or 'batched', got {method!r}")
    if method in ("auto", "fourier"):
        from .fourier import fourier_series

        try:
            series = fourier_series(circuit, cost.matrix)
        except ValueError:
            if method == "fourier":
                raise
        else:  # the check costs ~0.3 % of an evaluation of 13 000 points
            return (lambda theta: series.evaluate(circuit.check_theta(theta))), "fourier"
    from .statevector import expectation_and_gradient

    observable = cost.matrix
    return (lambda theta: expectation_and_gradient(circuit, observable, theta)), "batched"


#: The engine pairs :func:`cross_check` compares, in its table's order.
ENGINE_PAIRS = (("reference", "batched"), ("reference", "fourier"), ("batched", "fourier"))


def check_circuits(n_qubits: int, layers=(1, 3)) -> dict:
    """The circuits the book's engine cross-check runs on, by name: the default circuit with
    each of ``layers`` (default 1 and 3) under each sharing scheme (:func:`qbp.default_circuit`;
    with 3 layers and no sharing d = 6n, whose Fourier series is large), and a custom
    circuit unlike it — Hadamards, RX(θ₀) on every qubit, a CZ chain, a fixed RY(0.7) on
    qubit 0, RX(θ₁) on every qubit — in which both parameters are shared across qubits.
    ``n_qubits`` in 1 … MAX_QUBITS, ``layers`` integers >= 1 (ValueError / TypeError naming
    the argument otherwise)."""
    from ._checks import check_int
    from .circuit import MAX_QUBITS, SHARING_SCHEMES, Gate, default_circuit

    n = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    if isinstance(layers, (str, bytes)) or not np.iterable(layers):
        raise TypeError(f"layers must be a sequence of integers >= 1, got {layers!r}")
    layers = [check_int(L, "layers", minimum=1) for L in layers]
    out = {f"default, L = {L}, {sharing}": default_circuit(n, L, sharing)
           for L in layers for sharing in SHARING_SCHEMES}
    gates = [Gate("H", q) for q in range(n)]
    gates += [Gate("RX", q, param=0) for q in range(n)]
    gates += [Gate("CZ", q + 1, controls=q) for q in range(n - 1)]
    gates += [Gate("RY", 0, angle=0.7)]
    gates += [Gate("RX", q, param=1) for q in range(n)]
    out["custom (H, RX, CZ, fixed RY)"] = Circuit(n, gates)
    return out


@dataclass(frozen=True, eq=False)
class CrossCheck:
    """What :func:`cross_check` found: per circuit, the largest absolute difference between
    each pair of engines (:data:`ENGINE_PAIRS`) in values (cost units) and in gradients
    (cost units per radian).

    ``names`` (c,), ``n_params`` (c,), ``differences`` (c, 2, 3): [circuit, value/gradient,
    pair], NaN where an engine of the pair refused the circuit; ``refused`` (c,): per circuit
    a dict engine → the reason it refused (empty where all three ran: the Fourier engine
    refuses a landscape that is not 2π-periodic or needs too many coefficients, the
    reference engine's parameter-shift rule a gate with more than one frequency — its values
    are then still compared, its gradients not);
    ``n_points`` and ``n_reference``: the points compared per circuit (the reference engine
    sees only the first ``n_reference``); ``seed``: the seed of the points.
    """

    names: tuple
    n_params: tuple
    differences: np.ndarray
    refused: tuple
    n_points: int
    n_reference: int
    seed: int

    @property
    def worst_value(self) -> float:
        """Largest value difference over every circuit and pair compared (cost units)."""
        return float(np.nanmax(self.differences[:, 0]))

    @property
    def worst_gradient(self) -> float:
        """Largest gradient difference over every circuit and pair compared (per radian)."""
        return float(np.nanmax(self.differences[:, 1]))

    def n_refused(self, engine: str = "fourier") -> int:
        """How many circuits ``engine`` refused."""
        check_method(engine)
        return sum(engine in r for r in self.refused)

    def table(self):
        """One row per circuit (index ``circuit``), 7 columns: ``("", "d")`` and the six
        largest differences under two-level names — ``("value", "reference vs batched")``
        … ``("gradient", "batched vs fourier")`` (values in cost units, gradients per
        radian; NaN where an engine of the pair refused; the reference engine's gradient is
        its parameter-shift gradient)."""
        import pandas as pd

        columns = {("", "d"): list(self.n_params)}
        for k, kind in enumerate(("value", "gradient")):
            for p, (a, b) in enumerate(ENGINE_PAIRS):
                columns[(kind, f"{a} vs {b}")] = self.differences[:, k, p]
        table = pd.DataFrame(columns, index=pd.Index(self.names, name="circuit"))
        table.columns = pd.MultiIndex.from_tuples(table.columns)
        return table

    def to_dict(self) -> dict:
        return {"circuits": list(self.names), "n_params": list(self.n_params),
                "pairs": [list(p) for p in ENGINE_PAIRS], "differences": self.differences,
                "refused": [dict(r) for r in self.refused], "n_points": self.n_points,
                "n_reference": self.n_reference, "seed": self.seed,
                "worst_value": self.worst_value, "worst_gradient": self.worst_gradient}


def cross_check(circuits, cost: ObservableCost, n_points: int = 200, seed: int = 0, *,
                n_reference: int = 20, chunk: int = 50, progress=None) -> CrossCheck:
    """Do the three engines agree? Values and exact gradients of every circuit at seeded
    random points, compared engine against engine (SPEC §10).

    ``circuits``: a mapping name → :class:`qbp.Circuit` (e.g. :func:`check_circuits`), each
    checked against ``cost``. Per circuit, ``n_points`` points uniform on one period per
    parameter (:attr:`qbp.Circuit.periods`; [−π, π) for an axis without a period), drawn in
    turn from ``np.random.default_rng(seed)``; the slow reference engine (QuTiP, parameter-
    shift gradients) sees the first ``min(n_points, n_reference)`` of them, the batched and
    Fourier engines all of them, evaluated ``chunk`` points at a time (the Fourier series of a
    circuit with many parameters is large). An engine that refuses a circuit (ValueError:
    the Fourier engine for a landscape that is not 2π-periodic or too many coefficients, the
    reference engine for a gate the two-term shift rule cannot differentiate: its values are
    still compared) leaves NaN differences, and its reason is kept. Returns a :class:`CrossCheck`. Cost: ~2d + 1 QuTiP
    simulations per reference point (more for shared parameters).
    Errors: TypeError / ValueError naming the argument.
    """
    from ._checks import check_int, check_seed

    if not isinstance(circuits, dict) or not circuits:
        raise TypeError(f"circuits must be a non-empty dict name -> qbp.Circuit, got "
                        f"{type(circuits).__name__}")
    n_points = check_int(n_points, "n_points", minimum=1)
    n_reference = min(check_int(n_reference, "n_reference", minimum=1), n_points)
    chunk = check_int(chunk, "chunk", minimum=1)
    seed = check_seed(seed, "seed")
    if seed is None:
        raise TypeError("seed must be an integer >= 0: the points must be reproducible")
    for circuit in circuits.values():
        check_inputs(circuit, cost)

    def run(circuit, points, method, with_gradient=True):
        parts = [evaluate(circuit, cost, points[i:i + chunk], method=method,
                          with_gradient=with_gradient, progress=False)
                 for i in range(0, len(points), chunk)]
        values = np.concatenate([v for v, _ in parts])
        return values, (np.concatenate([g for _, g in parts]) if with_gradient else None)

    rng = np.random.default_rng(seed)
    diffs = np.full((len(circuits), 2, len(ENGINE_PAIRS)), np.nan)
    refused = []
    for c, circuit in enumerate(bar(list(circuits.values()), desc="engine check",
                                    unit="circuit", progress=progress, minimum=2)):
        periods = np.where(np.isfinite(circuit.periods), circuit.periods, 2 * np.pi)
        points = rng.uniform(-periods / 2, periods / 2, size=(n_points, circuit.n_params))
        out, reasons = {}, {}
        for method, pts in (("reference", points[:n_reference]), ("batched", points),
                            ("fourier", points)):
            try:
                out[method] = run(circuit, pts, method)
            except ValueError as err:
                reasons[method] = str(err)
                if method == "reference":  # the shift rule refused a gate: values still compare
                    out[method] = run(circuit, pts, method, with_gradient=False)
        refused.append(reasons)
        for p, (a, b) in enumerate(ENGINE_PAIRS):
            if a in out and b in out:
                m = min(len(out[a][0]), len(out[b][0]))
                for k in range(2):
                    if out[a][k] is not None and out[b][k] is not None:
                        diffs[c, k, p] = np.max(np.abs(out[a][k][:m] - out[b][k][:m]))
    return CrossCheck(tuple(circuits), tuple(int(c.n_params) for c in circuits.values()), diffs,
                      tuple(refused), n_points, n_reference, seed)
