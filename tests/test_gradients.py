"""Parameter shift, finite differences and grid differences (SPEC §4)."""

import numpy as np
import pytest
import qutip

import qbp
from qbp import Circuit, Gate


@pytest.mark.parametrize("n,layers,sharing", [(1, 3, "type"), (2, 2, "type"), (2, 2, "layer"),
                                              (3, 1, "none"), (2, 4, "type")])
def test_parameter_shift_equals_fourier_gradient(n, layers, sharing):
    circuit = qbp.default_circuit(n, layers, sharing)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(n))
    pts = np.random.default_rng(3).uniform(-np.pi, np.pi, (3, circuit.n_params))
    _, g_fourier = qbp.evaluate(circuit, cost, pts, "fourier")
    for p, g in zip(pts, g_fourier):
        np.testing.assert_allclose(qbp.parameter_shift(circuit, cost, p), g, atol=1e-10, rtol=0)


def test_parameter_shift_sums_over_shared_gates():
    # ⟨Z⟩ after RY(θ)RY(θ) is cos 2θ: the shared derivative is −2 sin 2θ, twice one gate's share.
    circuit = Circuit(1, [Gate("RY", (0,), param=0), Gate("RY", (0,), param=0)])
    cost = qbp.EnergyCost(qutip.sigmaz())
    assert qbp.parameter_shift(circuit, cost, [0.4])[0] == pytest.approx(-2 * np.sin(0.8), abs=1e-13)


def test_parameter_shift_refuses_three_eigenvalue_generators():
    circuit = Circuit(2, [Gate("CRX", (1,), (0,), param=0)])
    with pytest.raises(ValueError, match="CRX"):
        qbp.parameter_shift(circuit, qbp.GlobalCost(2), [0.3])


def test_central_differences_converge_at_order_h_squared():
    circuit = qbp.default_circuit(2, 3)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    theta = np.array([0.4, -1.1])
    exact = qbp.parameter_shift(circuit, cost, theta)
    hs = np.array([0.08, 0.04, 0.02, 0.01])
    errors = np.array([np.linalg.norm(qbp.finite_difference(circuit, cost, theta, h) - exact) for h in hs])
    orders = np.log2(errors[:-1] / errors[1:])
    assert np.all(np.abs(orders - 2) < 0.1), orders


def test_finite_difference_rejects_bad_step():
    circuit = qbp.default_circuit(1, 1)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(1))
    for h in (0, -1e-3, np.nan):
        with pytest.raises(ValueError, match="h must"):
            qbp.finite_difference(circuit, cost, [0.1, 0.2], h)


class TestGridDifference:
    def test_cosine_per_step_and_per_radian(self):
        r = 36
        theta = qbp.grid_axis(r)
        step = 2 * np.pi / r
        d_step = qbp.grid_difference(np.cos(theta), per="step")
        # (cos(θ+h) − cos(θ−h)) / 2 = −sin θ sin h, exactly
        np.testing.assert_allclose(d_step[0], -np.sin(theta) * np.sin(step), atol=1e-14)
        d_rad = qbp.grid_difference(np.cos(theta), per="radian")
        np.testing.assert_allclose(d_rad[0], d_step[0] / step, atol=1e-13)

    def test_periodic_wrap_and_shape(self):
        values = np.arange(12.0).reshape(3, 4)
        diff = qbp.grid_difference(values)
        assert diff.shape == (2, 3, 4)
        assert diff[1, 0, 0] == (values[0, 1] - values[0, 3]) / 2  # wraps to the last column

    def test_halving_resolution_doubles_per_step_differences_of_smooth_landscapes(self):
        land = {r: qbp.sample_landscape(qbp.default_circuit(2, 1), qbp.EnergyCost(qbp.tfim_hamiltonian(2)), r,
                                        with_gradient=False) for r in (720, 360)}
        m = {r: np.median(qbp.gradient_magnitude(qbp.grid_difference(l.values))) for r, l in land.items()}
        assert m[360] / m[720] == pytest.approx(2, rel=1e-3)

    def test_per_radian_differences_approach_exact_gradient(self):
        circuit = qbp.default_circuit(2, 2)
        cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
        errs = []
        for r in (90, 180):
            land = qbp.sample_landscape(circuit, cost, r)
            errs.append(np.abs(qbp.grid_difference(land.values, per="radian") - land.gradient).max())
        assert errs[0] / errs[1] == pytest.approx(4, rel=0.05)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="per"):
            qbp.grid_difference(np.zeros((4, 4)), per="metre")
        with pytest.raises(ValueError, match="values"):
            qbp.grid_difference(np.zeros((1, 4)))


def test_gradient_magnitude_is_euclidean_norm():
    g = np.stack([np.full((2, 2), 3.0), np.full((2, 2), 4.0)])
    np.testing.assert_allclose(qbp.gradient_magnitude(g), 5.0)
