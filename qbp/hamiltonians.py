"""Hamiltonians as QuTiP operators (SPEC §3)."""

from __future__ import annotations

import numpy as np
import qutip

from ._checks import check_int, check_real
from .circuit import MAX_QUBITS

__all__ = ["tfim_hamiltonian", "ground_energy"]


def tfim_hamiltonian(n_qubits: int, h: float = 1.0) -> qutip.Qobj:
    """Open transverse-field Ising chain H = −Σᵢ ZᵢZᵢ₊₁ − h Σᵢ Xᵢ on ``n_qubits`` (qubit 0 leftmost).

    ``n_qubits``: an integer in 1 … MAX_QUBITS; ``h``: a finite real field. TypeError or
    ValueError naming the argument otherwise.
    """
    n_qubits = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    h = check_real(h, "h")
    dims = [2] * n_qubits

    def on(op, i):
        ops = [qutip.qeye(2)] * n_qubits
        ops[i] = op
        return qutip.tensor(ops)

    H = qutip.qzero(dims)
    for i in range(n_qubits - 1):
        H -= on(qutip.sigmaz(), i) * on(qutip.sigmaz(), i + 1)
    for i in range(n_qubits):
        H -= h * on(qutip.sigmax(), i)
    return H


def ground_energy(H: qutip.Qobj) -> float:
    """Exact lowest eigenvalue of a Hermitian operator (dense diagonalisation)."""
    return float(np.linalg.eigvalsh(H.full())[0])
