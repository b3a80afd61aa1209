"""Costs: expectation values of Hermitian observables (SPEC §3).

Every cost qbp knows is C(θ) = ⟨ψ(θ)|O|ψ(θ)⟩ for a Hermitian ``O``: the energy (O = H),
the infidelity to φ (O = 1 − |φ⟩⟨φ|), and the global and local costs of Cerezo et al.
2021. Engines only need ``O``; the QuTiP path (``cost(circuit, theta)``) is the reference.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import qutip
import scipy.sparse as sp

from ._checks import check_int
from .circuit import MAX_QUBITS, Circuit

__all__ = ["ObservableCost", "EnergyCost", "InfidelityCost", "GlobalCost", "LocalCost",
           "COST_NAMES", "haar_state", "make_cost"]

#: The costs of the settings matrix (SPEC §11), by the names chapters take as a parameter.
COST_NAMES = ("tfim", "infidelity")


def _qubit_dims(op: qutip.Qobj, name: str) -> int:
    """Number of qubits an operator or ket acts on; error if it is not a qubit register."""
    dims = op.dims[0]
    if any(d != 2 for d in dims) or not 1 <= len(dims) <= MAX_QUBITS:
        raise ValueError(f"{name} must act on 1..{MAX_QUBITS} qubits (dims [2, 2, …]), got dims {op.dims}")
    return len(dims)


class ObservableCost:
    """C(θ) = ⟨ψ(θ)|O|ψ(θ)⟩ for a Hermitian QuTiP operator ``observable`` (SPEC §3)."""

    kind = "observable"

    def __init__(self, observable: qutip.Qobj, name: str = "observable"):
        if not isinstance(observable, qutip.Qobj):
            raise TypeError(f"{name} must be a qutip.Qobj, got {type(observable).__name__}")
        if not observable.isoper or observable.shape[0] != observable.shape[1]:
            raise ValueError(f"{name} must be a square operator, got shape {observable.shape}")
        self.n_qubits = _qubit_dims(observable, name)
        if not np.all(np.isfinite(_stored_entries(observable))):
            raise ValueError(f"{name} must have finite entries, got NaN or infinite ones")
        dense_diff = (observable - observable.dag()).norm("max") if observable.shape[0] else 0
        if dense_diff > 1e-10 * max(1.0, observable.norm("max")):
            raise ValueError(f"{name} must be Hermitian (max |O − O†| = {dense_diff:.3g})")
        self.observable = observable

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """O as a SciPy CSR matrix (2**n × 2**n), what the fast engines use."""
        return sp.csr_matrix(self.observable.to("csr").data.as_scipy())

    @cached_property
    def minimum(self) -> float:
        """Exact global minimum over all states: the lowest eigenvalue of O."""
        return float(np.linalg.eigvalsh(self.observable.full())[0])

    def check_circuit(self, circuit: Circuit) -> None:
        if circuit.n_qubits != self.n_qubits:
            raise ValueError(f"circuit has n_qubits={circuit.n_qubits} but the cost acts on "
                             f"{self.n_qubits} qubits (dimension mismatch)")

    def __call__(self, circuit: Circuit, theta) -> float:
        """Reference value: QuTiP unitary of the circuit at ``theta`` (shape (d,)), then ⟨O⟩."""
        self.check_circuit(circuit)
        return float(qutip.expect(self.observable, circuit.state(theta)))

    def describe(self) -> dict:
        """JSON-ready description, stored with every result."""
        return {"kind": self.kind, "n_qubits": self.n_qubits}

    def __repr__(self):
        return f"{type(self).__name__}(n_qubits={self.n_qubits})"


class EnergyCost(ObservableCost):
    """Energy ⟨ψ|H|ψ⟩ of a Hermitian Hamiltonian ``H``; ``minimum`` is the ground energy E₀."""

    kind = "energy"

    def __init__(self, H: qutip.Qobj, label: str = "H"):
        super().__init__(H, name="H")
        self.label = label

    def describe(self) -> dict:
        return {**super().describe(), "label": self.label}


class InfidelityCost(ObservableCost):
    """Infidelity 1 − |⟨φ|ψ(θ)⟩|² to a normalised target ket φ."""

    kind = "infidelity"

    def __init__(self, target: qutip.Qobj, label: str = "target"):
        if not isinstance(target, qutip.Qobj):
            raise TypeError(f"target must be a qutip.Qobj ket, got {type(target).__name__}")
        if not target.isket:
            raise ValueError(f"target must be a ket, got a Qobj of type {target.type!r}")
        _qubit_dims(target, "target")
        if not np.all(np.isfinite(target.full())):
            raise ValueError("target must have finite amplitudes, got NaN or infinite ones")
        norm = target.norm()
        if abs(norm - 1) > 1e-10:
            raise ValueError(f"target must be normalised, got norm {norm:.12g}")
        self.target = target
        self.label = str(label)
        eye = qutip.qeye(target.dims[0])
        super().__init__(eye - target.proj(), name="target")

    def describe(self) -> dict:
        return {**super().describe(), "label": self.label}


class GlobalCost(ObservableCost):
    """Global cost 1 − |⟨0…0|ψ⟩|² (Cerezo et al. 2021)."""

    kind = "global"

    def __init__(self, n_qubits: int):
        n_qubits = _check_n(n_qubits)
        zero = qutip.basis([2] * n_qubits, [0] * n_qubits)
        super().__init__(qutip.qeye([2] * n_qubits) - zero.proj(), name="global cost")


class LocalCost(ObservableCost):
    """Local cost 1 − (1/n) Σᵢ ⟨ψ| |0⟩⟨0|ᵢ |ψ⟩ (Cerezo et al. 2021)."""

    kind = "local"

    def __init__(self, n_qubits: int):
        n_qubits = _check_n(n_qubits)
        p0 = qutip.basis(2, 0).proj()
        terms = [qutip.tensor([p0 if j == i else qutip.qeye(2) for j in range(n_qubits)])
                 for i in range(n_qubits)]
        op = qutip.qeye([2] * n_qubits) - sum(terms[1:], terms[0]) / n_qubits
        super().__init__(op, name="local cost")


def _stored_entries(op: qutip.Qobj) -> np.ndarray:
    """The entries ``op`` stores, in its own format: converting it (to CSR, say) would first
    drop entries qutip takes for zeros — NaN among them — and hide them from a check."""
    data = op.data
    if isinstance(data, qutip.data.Dense):
        return data.to_array()
    if isinstance(data, (qutip.data.CSR, qutip.data.Dia)):
        return data.as_scipy().data
    return op.full()


def _check_n(n_qubits) -> int:
    return check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)


def haar_state(n_qubits: int, seed: int) -> qutip.Qobj:
    """A Haar-random pure state on ``n_qubits`` qubits (a ket with dims [[2]*n, [1]]), drawn by
    ``qutip.rand_ket(..., distribution="haar", seed=seed)``: the same seed gives the same state."""
    from ._checks import check_seed

    n = _check_n(n_qubits)
    seed = check_seed(seed, "seed")
    if seed is None:
        raise TypeError("seed must be an integer >= 0: a target state must be reproducible")
    return qutip.rand_ket([2] * n, distribution="haar", seed=seed)


def make_cost(name: str, n_qubits: int, target_seed: int = 0) -> ObservableCost:
    """A cost of the settings matrix (SPEC §11) by name: ``"tfim"``, the energy of the
    transverse-field Ising chain with h = 1 (:func:`qbp.tfim_hamiltonian`), or
    ``"infidelity"``, the infidelity to the Haar-random target :func:`haar_state` drawn with
    ``target_seed``. ``cost.minimum`` is the exact ground energy E₀, or 0 for the infidelity.

    >>> round(make_cost("tfim", 2).minimum, 6)  # −√5, the ground energy of the 2-qubit chain
    -2.236068
    """
    from .hamiltonians import tfim_hamiltonian

    if name not in COST_NAMES:
        raise ValueError(f"cost must be one of {COST_NAMES}, got {name!r}")
    if name == "tfim":
        return EnergyCost(tfim_hamiltonian(n_qubits), label="TFIM, h = 1")
    return InfidelityCost(haar_state(n_qubits, target_seed),
                          label=f"Haar-random target, seed {target_seed}")

