"""Barren plateau scans (SPEC §9) and the forward-mode derivative behind them."""

import numpy as np
import pytest

import qbp
from qbp.plateaus import fit_decay, plateau_scan
from qbp.statevector import expectation_and_gradient, partial_derivative


@pytest.mark.parametrize("sharing", qbp.SHARING_SCHEMES)
def test_partial_derivative_matches_adjoint_gradient(sharing):
    circuit = qbp.default_circuit(3, 2, sharing)
    observables = [qbp.GlobalCost(3).matrix, qbp.LocalCost(3).matrix, qbp.tfim_hamiltonian(3).full()]
    thetas = qbp.random_starts(5, circuit.n_params, 2)
    for k in (0, circuit.n_params - 1):
        values, derivs = partial_derivative(circuit, observables, thetas, k)
        for i, obs in enumerate(observables):
            v, g = expectation_and_gradient(circuit, obs, thetas)
            np.testing.assert_allclose(values[i], v, atol=1e-12)
            np.testing.assert_allclose(derivs[i], g[:, k], atol=1e-12)
    with pytest.raises(ValueError, match="k must"):
        partial_derivative(circuit, observables, thetas, circuit.n_params)


def test_fit_decay_recovers_exponential():
    n = np.arange(2, 9)
    a, b = fit_decay(n, 3.0 * np.exp(-0.7 * n))
    assert a == pytest.approx(np.log(3.0)) and b == pytest.approx(0.7)


def test_scan_reproducible_and_shaped():
    a = plateau_scan([2, 3, 4], "none", n_draws=20, seed=5, n_boot=50, progress=False)
    b = plateau_scan([2, 3, 4], "none", n_draws=20, seed=5, n_boot=50, progress=False)
    assert a.derivatives["global"].shape == (3, 20)
    assert np.array_equal(a.derivatives["local"], b.derivatives["local"])
    assert a.decay == b.decay and a.decay_err == b.decay_err
    assert np.all(a.ci["global"][0] <= a.variance["global"]) and np.all(a.variance["global"] <= a.ci["global"][1])


def test_unshared_global_cost_has_a_plateau():
    # McClean et al. 2018: for deep random circuits Var ∂C shrinks exponentially with n.
    scan = plateau_scan(range(2, 8), "none", n_draws=200, seed=0, n_boot=200, progress=False)
    assert scan.decay["global"] > 5 * scan.decay_err["global"] > 0


def test_bad_input():
    with pytest.raises(ValueError, match="sharing"):
        plateau_scan([2, 3], "all")
    with pytest.raises(ValueError, match="layers"):
        plateau_scan([2, 3], "none", layers=0)
    with pytest.raises(ValueError, match="costs"):
        plateau_scan([2, 3], costs=("energy",))
    with pytest.raises(ValueError, match="n_values"):
        plateau_scan([3])
    with pytest.raises(ValueError, match="n_draws"):
        plateau_scan([2, 3], n_draws=1)
