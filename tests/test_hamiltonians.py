"""qbp.pauli_sum and qbp.maxcut_hamiltonian (SPEC §13): values built by hand from Kronecker
products (qubit 0 the leftmost factor), both input forms, every refusal."""

import itertools

import numpy as np
import pytest
import qutip

import qbp

I2 = np.eye(2)
P = {"I": I2, "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
     "Z": np.diag([1, -1])}


def kron(*factors):
    out = np.ones((1, 1))
    for f in factors:
        out = np.kron(out, f)
    return out


def dense(op: qutip.Qobj) -> np.ndarray:
    return op.full()


def test_text_example():
    H = qbp.pauli_sum("Z0 Z1 + Z1 Z2 - 0.5 X0", 3)
    expected = (kron(P["Z"], P["Z"], I2) + kron(I2, P["Z"], P["Z"])
                - 0.5 * kron(P["X"], I2, I2))
    np.testing.assert_allclose(dense(H), expected, atol=0)
    assert H.dims == [[2, 2, 2], [2, 2, 2]]
    assert H.isherm


def test_list_and_text_forms_agree():
    text = qbp.pauli_sum("2*Y0 X2 - 1e-3 Z1 + 0.25 + X1", 3)
    pairs = qbp.pauli_sum([(2, "Y0 X2"), (-1e-3, "Z1"), (0.25, ""), (1.0, "X1")], 3)
    np.testing.assert_allclose(dense(text), dense(pairs), atol=0)
    expected = (2 * kron(P["Y"], I2, P["X"]) - 1e-3 * kron(I2, P["Z"], I2)
                + 0.25 * np.eye(8) + kron(I2, P["X"], I2))
    np.testing.assert_allclose(dense(text), expected, atol=1e-15)


def test_qubit_zero_is_leftmost():
    # Z0 on two qubits: +1 on |00⟩, |01⟩ and −1 on |10⟩, |11⟩ (qubit 0 most significant).
    np.testing.assert_allclose(np.diag(dense(qbp.pauli_sum("Z0", 2))).real, [1, 1, -1, -1])
    np.testing.assert_allclose(np.diag(dense(qbp.pauli_sum([(1, "Z1")], 2))).real,
                               [1, -1, 1, -1])


@pytest.mark.parametrize("text,expected", [
    ("Z0", kron(P["Z"], I2)), ("-Z0", -kron(P["Z"], I2)), ("+ 3 X1", 3 * kron(I2, P["X"])),
    ("Z0Z1", kron(P["Z"], P["Z"])), ("Z0*Z1", kron(P["Z"], P["Z"])),
    ("0.5 * X0 Y1", 0.5 * kron(P["X"], P["Y"])), ("1.5", 1.5 * np.eye(4)),
    ("Z0 + Z0", 2 * kron(P["Z"], I2)), ("I0 Z1", kron(I2, P["Z"])),
    ("  .5e1 Y1  - 2Z0", 5 * kron(I2, P["Y"]) - 2 * kron(P["Z"], I2)),
])
def test_text_forms(text, expected):
    np.testing.assert_allclose(dense(qbp.pauli_sum(text, 2)), expected, atol=1e-15)


def test_identity_and_cancellation():
    np.testing.assert_allclose(dense(qbp.pauli_sum([(2.5, "")], 3)), 2.5 * np.eye(8))
    np.testing.assert_allclose(dense(qbp.pauli_sum("Z0 - Z0", 2)), np.zeros((4, 4)))


def test_expectation_through_a_cost():
    # |+⟩ ⊗ |0⟩ from H on qubit 0: ⟨X0⟩ = 1, ⟨Z1⟩ = 1, ⟨Z0⟩ = 0.
    circuit = qbp.Circuit(2, [qbp.Gate("SNOT", (0,))])
    cost = qbp.EnergyCost(qbp.pauli_sum("X0 + 2 Z1 + 7 Z0", 2))
    assert cost(circuit, np.zeros(0)) == pytest.approx(3.0, abs=1e-12)


@pytest.mark.parametrize("terms,message", [
    ("Z0 Z0", r"term 'Z0 Z0': qubit 0 appears twice"),
    ([(1.0, "X1 Y1")], r"term 'X1 Y1': qubit 1 appears twice"),
    ("Z3", r"term 'Z3': qubit 3 is out of range for n_qubits=2"),
    ([(1.0, "Z0 X2")], r"term 'Z0 X2': qubit 2 is out of range"),
    ("Q1", r"term 'Q1': unknown Pauli letter 'Q'"),
    ([(1.0, "z0")], r"term 'z0': unknown Pauli letter 'z'"),
    ("Z", r"term 'Z': factor 'Z' needs a qubit index"),
    ([(1j, "Z0")], r"term 'Z0': coefficient 1j is complex"),
    ("2j Z0", r"term '2j Z0': coefficient is complex"),
    ([(float("nan"), "Z0")], r"term 'Z0': coefficient nan is not finite"),
    ([(np.inf, "X1")], r"term 'X1': coefficient inf is not finite"),
    ("1e999 Z0", r"term '1e999 Z0': coefficient is not finite"),
    ("inf Z0", r"term 'inf Z0': coefficient is not finite"),
    ("Z0 +", r"term '\+' in 'Z0 \+' is empty"),
    ("Z0 0.5", r"term 'Z0 0.5': expected \[coefficient \[\*\]\] Pauli factors"),
    ("2 * ", r"'\*' must be followed by Pauli factors"),
    ("", "empty string"),
    ([], "terms is empty"),
])
def test_pauli_sum_errors_name_the_term(terms, message):
    with pytest.raises(ValueError, match=message):
        qbp.pauli_sum(terms, 2)


@pytest.mark.parametrize("terms,n,exc", [
    (42, 2, TypeError), ([("1", "Z0")], 2, TypeError), ([(True, "Z0")], 2, TypeError),
    ([(1.0, 0)], 2, TypeError), ([1.0], 2, TypeError), ("Z0", 0, ValueError),
    ("Z0", 2.0, TypeError), ("Z0", 17, ValueError),
])
def test_pauli_sum_bad_types(terms, n, exc):
    with pytest.raises(exc):
        qbp.pauli_sum(terms, n)


RING4 = [(0, 1), (1, 2), (2, 3), (3, 0)]


def cut_size(bits, edges):
    return sum(bits[i] != bits[j] for i, j in edges)


def test_maxcut_ring4_ground_energy():
    H = qbp.maxcut_hamiltonian(RING4, 4)
    # The 4-ring is bipartite: 0101 cuts all 4 edges, E0 = |E| − 2·maxcut = 4 − 8 = −4.
    assert qbp.ground_energy(H) == pytest.approx(-4.0, abs=1e-12)
    np.testing.assert_allclose(dense(H), dense(qbp.pauli_sum("Z0 Z1 + Z1 Z2 + Z2 Z3 + Z3 Z0", 4)))


@pytest.mark.parametrize("edges,n", [(RING4, 4), ([(0, 1), (1, 2), (0, 2)], 3),
                                     ([(0, 2), (1, 3), (2, 4), (0, 4)], 5)])
def test_maxcut_diagonal_is_edges_minus_twice_cut(edges, n):
    diag = np.diag(dense(qbp.maxcut_hamiltonian(edges, n))).real
    for index, bits in enumerate(itertools.product((0, 1), repeat=n)):  # qubit 0 leftmost
        assert diag[index] == len(edges) - 2 * cut_size(bits, edges)
    best = max(cut_size(b, edges) for b in itertools.product((0, 1), repeat=n))
    assert diag.min() == len(edges) - 2 * best


@pytest.mark.parametrize("edges,exc,message", [
    ([], ValueError, "edges is empty"), ([(0, 0)], ValueError, "self-loop"),
    ([(0, 1), (1, 0)], ValueError, "appears twice"), ([(0, 4)], ValueError, "outside 0..3"),
    ([(0, 1.5)], TypeError, "pair of qubit indices"), ([(0, 1, 2)], TypeError, "pair"),
    (5, TypeError, "sequence of"),
])
def test_maxcut_errors(edges, exc, message):
    with pytest.raises(exc, match=message):
        qbp.maxcut_hamiltonian(edges, 4)
