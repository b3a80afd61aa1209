"""Circuits, sharing schemes and their validation (SPEC §2, §10)."""

import numpy as np
import pytest
import qutip

import qbp
from qbp import Circuit, Gate


@pytest.mark.parametrize("sharing,d,degree", [("type", 2, 6), ("layer", 6, 2), ("none", 12, 1)])
def test_sharing_schemes(sharing, d, degree):
    circuit = qbp.default_circuit(3, 2, sharing)
    assert circuit.n_params == d
    assert np.all(circuit.sharing_degree == degree)
    assert len(circuit.gates) == 2 * (3 + 3 + 2)


def test_default_layer_structure():
    circuit = qbp.default_circuit(3, 1)
    names = [(g.name, g.targets, g.controls, g.param) for g in circuit.gates]
    assert names == [("RY", (0,), (), 0), ("RY", (1,), (), 0), ("RY", (2,), (), 0),
                     ("RZ", (0,), (), 1), ("RZ", (1,), (), 1), ("RZ", (2,), (), 1),
                     ("CNOT", (1,), (0,), None), ("CNOT", (2,), (1,), None)]


def test_three_rotation_types():
    circuit = qbp.default_circuit(2, 2, "type", rotations=("RX", "RY", "RZ"))
    assert circuit.n_params == 3
    assert [g.name for g in circuit.gates[:7]] == ["RX", "RX", "RY", "RY", "RZ", "RZ", "CNOT"]
    assert circuit.sharing_degree.tolist() == [4, 4, 4]
    assert qbp.default_circuit(2, 2, "none", rotations=("RX", "RY", "RZ")).n_params == 12
    with pytest.raises(TypeError, match="rotations"):
        qbp.default_circuit(2, 1, rotations="RX")


def test_unitary_matches_qutip_qip_circuit():
    circuit = qbp.default_circuit(3, 2, "layer")
    theta = np.random.default_rng(1).uniform(-np.pi, np.pi, circuit.n_params)
    ours = circuit.unitary(theta)
    theirs = circuit.to_qutip(theta).compute_unitary()
    assert (ours - theirs).norm("max") < 1e-12
    assert (ours * ours.dag() - qutip.qeye([2] * 3)).norm("max") < 1e-12


def test_to_qutip_labels_parameters():
    qc = qbp.default_circuit(2, 1).to_qutip([0.1, 0.2], label=True)
    labels = [g.arg_label for g in qc.gates]
    assert labels[:4] == ["RY(θ₀)", "RY(θ₀)", "RZ(θ₁)", "RZ(θ₁)"]
    assert labels[4] is None


def test_fixed_angle_gate():
    circuit = Circuit(1, [Gate("RX", (0,), angle=np.pi)])
    assert circuit.n_params == 0
    state = circuit.state(np.zeros(0)).full().ravel()
    assert abs(state[1]) == pytest.approx(1)


def test_round_trip_dict():
    circuit = Circuit(2, [Gate("RX", 0, angle=0.3), Gate("CZ", 1, 0), Gate("RY", 1, param=0)])
    assert Circuit.from_dict(circuit.to_dict()) == circuit


class TestBadInput:
    def test_n_qubits(self):
        with pytest.raises(ValueError, match="n_qubits"):
            qbp.default_circuit(0)
        with pytest.raises(ValueError, match="n_qubits"):
            qbp.default_circuit(qbp.MAX_QUBITS + 1)
        with pytest.raises(TypeError, match="n_qubits"):
            qbp.default_circuit(2.0)

    def test_layers_and_sharing(self):
        with pytest.raises(ValueError, match="layers"):
            qbp.default_circuit(2, 0)
        with pytest.raises(ValueError, match="sharing"):
            qbp.default_circuit(2, 1, "some")

    def test_param_index_out_of_range(self):
        with pytest.raises(ValueError, match="n_params"):
            Circuit(1, [Gate("RY", 0, param=3)], n_params=2)
        with pytest.raises(ValueError, match="used by no gate"):
            Circuit(1, [Gate("RY", 0, param=1)])
        with pytest.raises(ValueError, match="param"):
            Gate("RY", 0, param=-1)

    def test_gate_errors(self):
        with pytest.raises(ValueError, match="not a valid qutip-qip gate"):
            Circuit(1, [Gate("NOPE", 0)])
        with pytest.raises(ValueError, match="qubit 3"):
            Circuit(2, [Gate("X", 3)])
        with pytest.raises(ValueError, match="both param and angle"):
            Gate("RY", 0, param=0, angle=1.0)
        with pytest.raises(ValueError, match="distinct"):
            Gate("CNOT", 0, 0)
        with pytest.raises(ValueError, match="QASMU"):  # three angles: cannot take one parameter
            Gate("QASMU", 0, param=0)

    @pytest.mark.parametrize("theta,match", [([0.1], "shape"), ([0.1, np.nan], "NaN"),
                                             ([[0.1, 0.2, 0.3]], "shape"), ("ab", "real numbers"),
                                             ([0.1 + 1j, 0.2], "complex")])
    def test_theta(self, theta, match):
        circuit = qbp.default_circuit()
        cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
        with pytest.raises((ValueError, TypeError), match=match):
            cost(circuit, theta)
        with pytest.raises((ValueError, TypeError), match=match):
            qbp.evaluate(circuit, cost, theta)


class TestAffineAngles:
    """A gate's angle may be scale·θ_k + offset (SPEC §13): every engine applies it."""

    def circuit(self):
        # RZZ(2γ) after H on both qubits, RX(−β/2 + 0.3) on qubit 1: two parameters, one
        # of them with a non-integer multiplier
        return Circuit(2, [Gate("SNOT", 0), Gate("SNOT", 1),
                           Gate("CPHASE", 1, 0, param=0, scale=2.0),
                           Gate("RX", 1, param=1, scale=-0.5, offset=0.3),
                           Gate("RY", 0, param=0, scale=3.0, offset=-1.0)])

    def test_angles_follow_the_expression(self):
        c = self.circuit()
        assert c.gate_angles([0.25, 0.5])[2:] == [0.5, -0.25 + 0.3, 0.75 - 1.0]

    def test_unitary_equals_fixed_angle_circuit(self):
        c = self.circuit()
        theta = np.array([0.7, -1.9])
        fixed = Circuit(2, [Gate(g.name, g.targets, g.controls, angle=a) if g.param is not None
                            else g for g, a in zip(c.gates, c.gate_angles(theta))])
        assert (c.unitary(theta) - fixed.unitary(np.zeros(0))).norm("max") < 1e-13

    def test_engines_agree_and_gradient_has_chain_rule(self):
        c = self.circuit()
        cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
        pts = np.random.default_rng(3).uniform(-4, 4, (5, 2))
        v_ref, g_ref = qbp.evaluate(c, cost, pts, "batched")
        fd = np.array([qbp.finite_difference(c, cost, p, h=1e-6) for p in pts])
        np.testing.assert_allclose(g_ref, fd, atol=1e-7)
        for p, v in zip(pts, v_ref):
            assert abs(cost(c, p) - v) < 1e-12
        with pytest.raises(ValueError, match="2π-periodic"):
            qbp.evaluate(c, cost, pts, "fourier")

    def test_periods(self):
        c = self.circuit()
        # θ0: CPHASE(2θ) frequency 2, RY(3θ) frequency 3: integer, 2π; θ1: RX(θ/2) → 4π
        np.testing.assert_allclose(c.periods, [2 * np.pi, 4 * np.pi])
        assert not c.is_periodic()
        crx = Circuit(2, [Gate("RY", 0, param=0), Gate("CRX", 1, 0, param=1)])
        np.testing.assert_allclose(crx.periods, [2 * np.pi, 4 * np.pi])
        odd = Circuit(1, [Gate("RX", 0, param=0, scale=np.sqrt(2)), Gate("RY", 0, param=0)])
        assert odd.periods[0] == np.inf
        # a period is a period: the cost repeats after it
        cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
        theta = np.array([0.4, 1.1])
        shifted = theta + c.periods
        assert abs(cost(c, theta) - cost(c, shifted)) < 1e-12
        assert abs(cost(c, theta) - cost(c, theta + [0, 2 * np.pi])) > 1e-3

    def test_round_trip_and_names(self):
        c = Circuit(1, [Gate("RX", 0, param=0, scale=2.0, offset=np.pi)], param_names=["γ"])
        again = Circuit.from_dict(c.to_dict())
        assert again == c and again.param_names == ("γ",)
        assert qbp.default_circuit(2, 1).param_names == ("θ₀", "θ₁")

    @pytest.mark.parametrize("kwargs,error,match", [
        ({"scale": 0.0}, ValueError, "scale must not be 0"),
        ({"scale": np.inf}, ValueError, "finite"),
        ({"offset": 1j}, TypeError, "real number"),
        ({"scale": True}, TypeError, "real number"),
    ])
    def test_bad_affine(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            Gate("RX", 0, param=0, **kwargs)

    def test_scale_needs_param(self):
        with pytest.raises(ValueError, match="need a param"):
            Gate("RX", 0, angle=0.1, scale=2.0)


def test_sharing_table_counts_parameters_and_degrees():
    """Type sharing: d = 2, degree nL; layer: d = 2n, degree L; none: d = 2nL, degree 1."""
    from qbp.circuit import sharing_table

    table = sharing_table(3, 4)
    L = np.arange(1, 5)
    assert table.index.tolist() == L.tolist() and table.index.name == "L"
    assert table[("type", "free parameters d")].tolist() == [2] * 4
    assert table[("type", "sharing degree")].tolist() == (3 * L).tolist()
    assert table[("layer", "free parameters d")].tolist() == [6] * 4
    assert table[("layer", "sharing degree")].tolist() == L.tolist()
    assert table[("none", "free parameters d")].tolist() == (6 * L).tolist()
    assert table[("none", "sharing degree")].tolist() == [1] * 4
    with pytest.raises(ValueError, match="max_layers"):
        sharing_table(2, 0)
