"""Costs and Hamiltonians (SPEC §3)."""

import numpy as np
import pytest
import qutip

import qbp


def test_tfim_two_qubits_by_hand():
    z, x, i = qutip.sigmaz(), qutip.sigmax(), qutip.qeye(2)
    expected = -qutip.tensor(z, z) - 0.7 * (qutip.tensor(x, i) + qutip.tensor(i, x))
    assert (qbp.tfim_hamiltonian(2, h=0.7) - expected).norm("max") < 1e-14


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_tfim_ground_energy_matches_free_fermions(n):
    # open chain, h = 1: E0 = −Σ_k ε_k with ε_k = 2|1 + e^{ik}|... use the exact numerics of QuTiP instead
    H = qbp.tfim_hamiltonian(n)
    assert qbp.ground_energy(H) == pytest.approx(H.eigenenergies()[0], abs=1e-12)
    assert qbp.EnergyCost(H).minimum == pytest.approx(H.eigenenergies()[0], abs=1e-12)


def test_infidelity_zero_at_target():
    circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0)])
    target = (qutip.basis(2, 0) + qutip.basis(2, 1)).unit()  # RY(π/2)|0⟩
    cost = qbp.InfidelityCost(target)
    assert cost(circuit, [np.pi / 2]) == pytest.approx(0, abs=1e-14)
    assert cost(circuit, [0.0]) == pytest.approx(0.5, abs=1e-14)


def test_global_and_local_costs():
    circuit = qbp.Circuit(2, [qbp.Gate("RX", 0, param=0)])
    # RX(π) on qubit 0 → |10⟩: global cost 1, local cost 1 − (0 + 1)/2 = 1/2
    assert qbp.GlobalCost(2)(circuit, [np.pi]) == pytest.approx(1)
    assert qbp.LocalCost(2)(circuit, [np.pi]) == pytest.approx(0.5)
    assert qbp.GlobalCost(2)(circuit, [0.0]) == pytest.approx(0)
    assert qbp.LocalCost(2).minimum == pytest.approx(0)


class TestBadInput:
    def test_non_hermitian(self):
        with pytest.raises(ValueError, match="Hermitian"):
            qbp.EnergyCost(qutip.sigmap())

    def test_not_a_qobj(self):
        with pytest.raises(TypeError, match="H must be a qutip.Qobj"):
            qbp.EnergyCost(np.eye(2))

    def test_dimension_mismatch(self):
        cost = qbp.EnergyCost(qbp.tfim_hamiltonian(3))
        with pytest.raises(ValueError, match="dimension mismatch"):
            cost(qbp.default_circuit(2), [0.1, 0.2])
        with pytest.raises(ValueError, match="dimension mismatch"):
            qbp.sample_landscape(qbp.default_circuit(2), cost, 8)

    def test_not_qubits(self):
        with pytest.raises(ValueError, match="qubits"):
            qbp.EnergyCost(qutip.num(3))

    def test_unnormalised_target(self):
        with pytest.raises(ValueError, match="normalised"):
            qbp.InfidelityCost(qutip.basis(2, 0) * 2)
        with pytest.raises(ValueError, match="ket"):
            qbp.InfidelityCost(qutip.sigmaz())

    def test_tfim_arguments(self):
        with pytest.raises(ValueError, match="n_qubits"):
            qbp.tfim_hamiltonian(0)
        with pytest.raises(ValueError, match="h must"):
            qbp.tfim_hamiltonian(2, h=np.nan)


class TestMatrixCosts:
    """The two costs of the settings matrix (SPEC §11), by name."""

    def test_tfim_is_the_chain_energy(self):
        cost = qbp.cost.make_cost("tfim", 3)
        assert cost.minimum == pytest.approx(qbp.ground_energy(qbp.tfim_hamiltonian(3)), abs=1e-12)

    def test_infidelity_target_is_seeded_and_normalised(self):
        a = qbp.cost.make_cost("infidelity", 2, target_seed=4)
        b = qbp.cost.make_cost("infidelity", 2, target_seed=4)
        c = qbp.cost.make_cost("infidelity", 2, target_seed=5)
        assert (a.target - b.target).norm() == 0
        assert (a.target - c.target).norm() > 0.1
        assert a.target.norm() == pytest.approx(1.0, abs=1e-12)
        assert a.minimum == pytest.approx(0.0, abs=1e-12)
        # the cost of the target itself is zero: ⟨φ|1 − |φ⟩⟨φ||φ⟩ = 0
        assert float(qutip.expect(a.observable, a.target)) == pytest.approx(0.0, abs=1e-12)
        assert "seed 4" in a.describe()["label"]

    @pytest.mark.parametrize("name,error", [("energy", ValueError), (None, ValueError)])
    def test_unknown_name(self, name, error):
        with pytest.raises(error, match="cost must be one of"):
            qbp.cost.make_cost(name, 2)
