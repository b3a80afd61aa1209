"""Circuit families beyond the paper's default circuit, and their light cones (SPEC §9).

The paper's default circuit (:func:`qbp.default_circuit`) entangles with a CNOT *staircase*
0→1, 1→2, …, n−2→n−1 applied in order, so one layer already carries qubit 0's influence to
every qubit. Cerezo et al. (2021) prove their global-versus-local contrast for an *alternating
layered* ansatz, whose light cone grows by a constant per layer. :func:`alternating_circuit`
is that layout with the default circuit's gates: per layer RY on every qubit, RZ on every
qubit, CNOTs on the pairs (0,1), (2,3), … and then on (1,2), (3,4), ….
:func:`light_cone` says which qubits a parameter can reach.

Reference: M. Cerezo, A. Sone, T. Volkoff, L. Cincio and P. J. Coles, "Cost function
dependent barren plateaus in shallow parametrized quantum circuits", Nat. Commun. 12, 1791
(2021), Fig. 2 (the alternating layered ansatz).
"""

from __future__ import annotations

from ._checks import check_int
from .circuit import MAX_QUBITS, SHARING_SCHEMES, Circuit, Gate

__all__ = ["alternating_circuit", "light_cone"]


def alternating_circuit(n_qubits: int, layers: int = 1, sharing: str = "none") -> Circuit:
    """The alternating layered ansatz with the default circuit's gates (SPEC §9).

    Per layer: RY on every qubit, RZ on every qubit, then CNOT (control 2k, target 2k+1) on
    the pairs (0,1), (2,3), … and CNOT (control 2k+1, target 2k+2) on (1,2), (3,4), ….
    Forward, a parameter's light cone widens by at most two qubits on each side per layer
    (:func:`light_cone`): the first RY on qubit 0 reaches qubits 0 … min(2L, n−1) after L
    layers, whatever n.

    ``sharing`` numbers the parameters as :func:`qbp.default_circuit` does: ``"none"``
    (d = 2nL; the default here, the setting of Cerezo et al.), ``"layer"`` (d = 2n) or
    ``"type"`` (every RY uses θ₀, every RZ θ₁; d = 2). θ₀ is the first RY on qubit 0 in every
    scheme. ``n_qubits`` in 1 … MAX_QUBITS, ``layers`` >= 1 (integers); ValueError or
    TypeError naming the argument otherwise.
    """
    n = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    layers = check_int(layers, "layers", minimum=1)
    if sharing not in SHARING_SCHEMES:
        raise ValueError(f"sharing must be one of {SHARING_SCHEMES}, got {sharing!r}")
    gates = []
    for layer in range(layers):
        for kind, name in enumerate(("RY", "RZ")):
            for q in range(n):
                p = {"type": kind, "layer": kind * n + q, "none": (2 * layer + kind) * n + q}
                gates.append(Gate(name, (q,), param=p[sharing]))
        for first in (0, 1):  # the even bricks, then the odd ones
            gates.extend(Gate("CNOT", (q + 1,), (q,)) for q in range(first, n - 1, 2))
    return Circuit(n, gates)


def light_cone(circuit: Circuit, param: int = 0) -> tuple[int, ...]:
    """The qubits whose reduced state can depend on θ_param: the forward light cone of the
    gates that use it, as a sorted tuple of qubit indices.

    Walks the gate list once: a gate that uses θ_param adds its qubits, and a later gate
    touching a qubit already reached adds all of its own. It is a structural bound: the
    expectation of an observable on qubits outside the cone does not depend on θ_param at
    all (its derivative is exactly 0); inside, it may. ``param``: an index 0 … d−1.
    """
    if not isinstance(circuit, Circuit):
        raise TypeError(f"circuit must be a qbp.Circuit, got {type(circuit).__name__}")
    if circuit.n_params == 0:
        raise ValueError("circuit has no free parameters: there is no light cone to follow")
    param = check_int(param, "param", 0, circuit.n_params - 1)
    reached: set[int] = set()
    for gate in circuit.gates:
        if gate.param == param or reached.intersection(gate.qubits):
            reached.update(gate.qubits)
    return tuple(sorted(reached))
