"""The alternating layered ansatz and light cones (SPEC §9)."""

import numpy as np
import pytest
import qutip

import qbp
from qbp.ansatz import alternating_circuit, light_cone
from qbp.statevector import partial_derivative


def z_on(qubit, n):
    return qutip.tensor([qutip.sigmaz() if q == qubit else qutip.qeye(2) for q in range(n)]).full()


def test_gate_list_by_hand():
    circuit = alternating_circuit(5, 1)
    gates = [(g.name, g.targets, g.controls, g.param) for g in circuit.gates]
    rotations = [("RY", (q,), (), q) for q in range(5)] + [("RZ", (q,), (), 5 + q) for q in range(5)]
    # even bricks (0,1), (2,3), then odd bricks (1,2), (3,4); control first qubit of the pair
    cnots = [("CNOT", (1,), (0,), None), ("CNOT", (3,), (2,), None),
             ("CNOT", (2,), (1,), None), ("CNOT", (4,), (3,), None)]
    assert gates == rotations + cnots
    assert len(alternating_circuit(5, 3).gates) == 3 * len(gates)


@pytest.mark.parametrize("sharing,d,degree", [("type", 2, 12), ("layer", 8, 3), ("none", 24, 1)])
def test_sharing_numbers_parameters_like_the_default_circuit(sharing, d, degree):
    circuit = alternating_circuit(4, 3, sharing)
    assert circuit.n_params == d and circuit.sharing_degree[0] == degree
    first = circuit.gates[0]
    assert (first.name, first.targets, first.param) == ("RY", (0,), 0)  # θ₀: RY on qubit 0
    default = qbp.default_circuit(4, 3, sharing)
    ours = [(g.name, g.targets, g.param) for g in circuit.gates if g.param is not None]
    theirs = [(g.name, g.targets, g.param) for g in default.gates if g.param is not None]
    assert ours == theirs  # only the entanglers differ


def test_two_qubits_equal_the_default_circuit():
    a, b = alternating_circuit(2, 3), qbp.default_circuit(2, 3, "none")
    assert [g.to_dict() for g in a.gates] == [g.to_dict() for g in b.gates]


@pytest.mark.parametrize("layers", [1, 2, 3, 4, 5])
def test_light_cone_of_theta0_grows_by_two_qubits_per_layer(layers):
    n = 9
    assert light_cone(alternating_circuit(n, layers), 0) == tuple(range(min(2 * layers + 1, n)))
    # the staircase carries qubit 0's rotation to every qubit within one layer
    assert light_cone(qbp.default_circuit(n, layers, "none"), 0) == tuple(range(n))


def test_light_cone_of_a_middle_qubit_by_hand():
    # RY on qubit 3: even brick (2,3) gives {2,3}; odd bricks (1,2), (3,4) give {1,2,3,4}
    assert light_cone(alternating_circuit(8, 1), 3) == (1, 2, 3, 4)
    # RY on qubit 4 (even): (4,5) then (3,4), (5,6)
    assert light_cone(alternating_circuit(8, 1), 4) == (3, 4, 5, 6)
    # type sharing: θ₀ is on every qubit, so it reaches all of them
    assert light_cone(alternating_circuit(8, 1, "type"), 0) == tuple(range(8))


@pytest.mark.parametrize("layers", [1, 2])
def test_derivatives_vanish_exactly_outside_the_light_cone(layers):
    n = 7
    circuit = alternating_circuit(n, layers)
    thetas = np.random.default_rng(3).uniform(-np.pi, np.pi, (4, circuit.n_params))
    _, d = partial_derivative(circuit, [z_on(q, n) for q in range(n)], thetas, 0)
    cone = light_cone(circuit, 0)
    assert cone == tuple(range(2 * layers + 1))
    outside = [q for q in range(n) if q not in cone]
    assert np.max(np.abs(d[outside])) < 1e-13
    assert np.min(np.max(np.abs(d[list(cone)]), axis=1)) > 1e-3  # inside it does depend
    # the staircase: every ⟨Z_q⟩ depends on θ₀ already at one layer
    staircase = qbp.default_circuit(n, 1, "none")
    _, d = partial_derivative(staircase, [z_on(q, n) for q in range(n)],
                              thetas[:, :staircase.n_params], 0)
    assert np.min(np.max(np.abs(d), axis=1)) > 1e-6


def test_bad_input():
    with pytest.raises(ValueError, match="n_qubits"):
        alternating_circuit(0, 1)
    with pytest.raises(ValueError, match="layers"):
        alternating_circuit(3, 0)
    with pytest.raises(TypeError, match="layers"):
        alternating_circuit(3, 1.5)
    with pytest.raises(ValueError, match="sharing"):
        alternating_circuit(3, 1, "all")
    with pytest.raises(ValueError, match="param"):
        light_cone(alternating_circuit(3, 1), 6)
    with pytest.raises(TypeError, match="circuit"):
        light_cone("circuit", 0)
    with pytest.raises(ValueError, match="no free parameters"):
        light_cone(qbp.Circuit(2, [qbp.Gate("CNOT", (1,), (0,))]), 0)
