"""Gradients at a point by the QuTiP reference path: parameter shift, finite differences (SPEC §4).

Grid differences of sampled landscapes live in :mod:`qbp.grid`.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_real
from .circuit import Circuit

__all__ = ["parameter_shift", "finite_difference"]


def parameter_shift(circuit: Circuit, cost, theta) -> np.ndarray:
    """Exact ∂C/∂θ_k (shape (d,)) by the two-term shift rule, summed over every gate using θ_k.

    For a gate whose generator has two eigenvalues Δ apart, ∂C/∂(its angle) =
    (Δ/2)[C(angle + π/(2Δ)) − C(angle − π/(2Δ))]; for Pauli rotations (Δ = 1) this is
    ½[C(+π/2) − C(−π/2)]. A gate whose angle is scale·θ_k + offset contributes scale times
    its angle derivative. Costs 2 × (parametrized gates) reference evaluations. Gates with
    more than two generator eigenvalues (e.g. CRX) are refused: use the batched engine.
    """
    theta = circuit.check_theta(theta)
    if theta.ndim != 1:
        raise ValueError(f"theta must have shape ({circuit.n_params},), got {theta.shape}")
    angles = circuit.gate_angles(theta)
    grad = np.zeros(circuit.n_params)
    for i, (gate, spec) in enumerate(zip(circuit.gates, circuit.spectra)):
        if spec is None:
            continue
        freqs = spec.frequencies  # of the gate's own angle (unscaled)
        if len(freqs) > 1:
            raise ValueError(f"parameter_shift: gate {gate.name} has frequencies {freqs.tolist()}; "
                             f"the two-term rule needs one (use qbp.evaluate(method='batched'))")
        if len(freqs) == 0:  # the angle only sets a global phase
            continue
        delta = float(freqs[0])
        shift = np.pi / (2 * delta)
        plus = _with_gate_angle(circuit, angles, i, angles[i] + shift)
        minus = _with_gate_angle(circuit, angles, i, angles[i] - shift)
        # chain rule: the gate's angle is scale·θ_k + offset
        grad[gate.param] += gate.scale * delta / 2 * (cost(plus, np.zeros(0)) - cost(minus, np.zeros(0)))
    return grad


def _with_gate_angle(circuit: Circuit, angles, index: int, value: float) -> Circuit:
    """The circuit with every angle fixed and gate ``index`` at ``value`` (no free parameters)."""
    from .circuit import Gate

    gates = [Gate(g.name, g.targets, g.controls, angle=(value if j == index else a))
             for j, (g, a) in enumerate(zip(circuit.gates, angles))]
    return Circuit(circuit.n_qubits, gates)


def finite_difference(circuit: Circuit, cost, theta, h: float = 1e-5) -> np.ndarray:
    """Central difference [C(θ + h e_k) − C(θ − h e_k)] / 2h per parameter (error O(h²))."""
    theta = circuit.check_theta(theta)
    if theta.ndim != 1:
        raise ValueError(f"theta must have shape ({circuit.n_params},), got {theta.shape}")
    h = check_real(h, "h", above=0)
    eye = np.eye(circuit.n_params) * h
    return np.array([(cost(circuit, theta + e) - cost(circuit, theta - e)) / (2 * h) for e in eye])
