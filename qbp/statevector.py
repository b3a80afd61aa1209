"""Batched state-vector simulation with exact (adjoint) gradients, vectorised over points.

The "batched" engine: B parameter points are simulated at once as a (B, 2, …, 2) array;
the only Python loop is over gates. A parametrized gate is applied in its eigenbasis,
U(θ_b) = V diag(exp(−iθ_b λ)) V†, so one fixed matrix product serves all B angles. Gradients
come from the adjoint method (one backward sweep, ≈3× the cost of the values), exact for
any one-parameter gate, not only Pauli rotations.
"""

from __future__ import annotations

import numpy as np

from .circuit import Circuit

__all__ = ["simulate", "expectation_and_gradient"]

#: Amplitudes held per chunk (points × 2**n); bounds memory at ~16 MB per state array.
CHUNK_AMPLITUDES = 1 << 20


def _apply(psi: np.ndarray, qubits: tuple[int, ...], matrix: np.ndarray | None,
           phases: np.ndarray | None = None) -> np.ndarray:
    """Apply ``matrix`` (m × m, fixed) and/or per-point diagonal ``phases`` (B, m) to ``qubits``.

    ``psi`` has shape (B, 2, …, 2); the gate's qubits are moved last, acted on, moved back.
    """
    k = len(qubits)
    axes = [1 + q for q in qubits]
    moved = np.moveaxis(psi, axes, range(-k, 0))
    shape = moved.shape
    flat = moved.reshape(shape[0], -1, 2 ** k)
    if matrix is not None:
        flat = flat @ matrix.T
    if phases is not None:
        flat = flat * phases[:, None, :]
    return np.moveaxis(flat.reshape(shape), range(-k, 0), axes)


class _Program:
    """Per-gate data the sweeps need: fixed matrices, eigenbases and generators."""

    def __init__(self, circuit: Circuit):
        self.steps = []
        for gate, spec in zip(circuit.gates, circuit.spectra):
            if spec is None:
                u = gate.matrix()
                self.steps.append((gate.qubits, None, u, None, None))
            else:
                v = spec.eigvecs
                if np.allclose(np.abs(v).max(axis=1), 1):
                    # V is a permutation up to phases: U is diagonal, so skip V and give each
                    # computational basis state the eigenvalue of its column.
                    lam = spec.eigvals[np.argmax(np.abs(v), axis=1)]
                    v = None
                else:
                    lam = spec.eigvals
                self.steps.append((gate.qubits, gate.param, None, v, lam))

    def forward(self, psi: np.ndarray, theta: np.ndarray) -> np.ndarray:
        for qubits, p, u, v, lam in self.steps:
            if p is None:
                psi = _apply(psi, qubits, u)
            else:
                psi = self._rotate(psi, qubits, v, np.exp(-1j * np.outer(theta[:, p], lam)))
        return psi

    @staticmethod
    def _rotate(psi, qubits, v, phases):
        if v is None:
            return _apply(psi, qubits, None, phases)
        psi = _apply(psi, qubits, v.conj().T)
        psi = _apply(psi, qubits, None, phases)
        return _apply(psi, qubits, v)


def _initial(batch: int, n_qubits: int) -> np.ndarray:
    psi = np.zeros((batch,) + (2,) * n_qubits, dtype=complex)
    psi[(slice(None),) + (0,) * n_qubits] = 1.0
    return psi


def _chunks(circuit: Circuit, n_points: int):
    step = max(1, CHUNK_AMPLITUDES // circuit.dim)
    for start in range(0, n_points, step):
        yield slice(start, min(start + step, n_points))


def simulate(circuit: Circuit, thetas) -> np.ndarray:
    """States ψ(θ_b) for every row of ``thetas`` (shape (B, d)); returns (B, 2**n) complex."""
    thetas = np.atleast_2d(circuit.check_theta(thetas, "thetas"))
    program = _Program(circuit)
    out = np.empty((len(thetas), circuit.dim), dtype=complex)
    for sl in _chunks(circuit, len(thetas)):
        psi = program.forward(_initial(sl.stop - sl.start, circuit.n_qubits), thetas[sl])
        out[sl] = psi.reshape(len(psi), -1)
    return out


def expectation_and_gradient(circuit: Circuit, observable, thetas, gradient: bool = True,
                             progress=None):
    """⟨ψ(θ_b)|O|ψ(θ_b)⟩ and its exact gradient for each row of ``thetas`` (shape (B, d)).

    ``observable``: SciPy sparse or dense (2**n, 2**n) Hermitian matrix.
    Returns ``values`` (B,) and ``grad`` (B, d) per radian (None if ``gradient`` is False).
    """
    from tqdm.auto import tqdm

    thetas = np.atleast_2d(circuit.check_theta(thetas, "thetas"))
    n_points, d = thetas.shape
    program = _Program(circuit)
    values = np.empty(n_points)
    grad = np.zeros((n_points, d)) if gradient else None
    chunks = list(_chunks(circuit, n_points))
    for sl in tqdm(chunks, desc="batched engine", unit="chunk", disable=_quiet(progress, len(chunks))):
        th = thetas[sl]
        b = len(th)
        psi = program.forward(_initial(b, circuit.n_qubits), th)
        flat = psi.reshape(b, -1)
        o_psi = np.asarray((observable @ flat.T).T)
        values[sl] = np.einsum("bi,bi->b", flat.conj(), o_psi).real
        if not gradient:
            continue
        # Adjoint sweep: phi = ψ_g (state after gate g), lam = U_{g+1}†…U_N† O ψ.
        phi, lam = psi, o_psi.reshape(psi.shape)
        for qubits, p, u, v, lam_g in reversed(program.steps):
            if p is None:
                phi = _apply(phi, qubits, u.conj().T)
                lam = _apply(lam, qubits, u.conj().T)
                continue
            # dC/dθ (this gate) = 2 Re⟨lam| −iA |phi⟩ = 2 Im⟨lam|A|phi⟩, A = V diag(λ) V†
            a_phi = _generator(phi, qubits, v, lam_g)
            grad[sl, p] += 2 * np.einsum("bi,bi->b", lam.reshape(b, -1).conj(),
                                         a_phi.reshape(b, -1)).imag
            back = np.exp(1j * np.outer(th[:, p], lam_g))
            phi = _Program._rotate(phi, qubits, v, back)
            lam = _Program._rotate(lam, qubits, v, back)
    return values, grad


def _generator(psi, qubits, v, lam):
    if v is None:
        return _apply(psi, qubits, None, np.broadcast_to(lam, (len(psi), len(lam))))
    return _apply(psi, qubits, (v * lam) @ v.conj().T)


def _quiet(progress, n_items: int) -> bool:
    """tqdm ``disable`` flag: show a bar if asked, or by default for long work only."""
    if progress is None:
        return n_items < 8
    return not progress
