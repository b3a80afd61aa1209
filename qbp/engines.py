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

import numpy as np

from ._progress import bar
from .circuit import Circuit
from .cost import ObservableCost

__all__ = ["METHODS", "evaluate", "check_method", "value_and_grad"]

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
