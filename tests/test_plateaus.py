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


class TestNoSilentNaN:
    """Issue 9, item 4: fits and bootstrap statistics check their inputs."""

    def test_fit_of_a_zero_variance_is_refused(self):
        with pytest.raises(ValueError, match="variance is 0 at n = \\[3.0\\]"):
            fit_decay([2, 3, 4], [0.1, 0.0, 0.01])
        with pytest.raises(ValueError, match="variances"):
            fit_decay([2, 3, 4], [0.1, np.nan, 0.01])
        with pytest.raises(ValueError, match="variances"):
            fit_decay([2, 3, 4], [0.1, -0.2, 0.01])
        with pytest.raises(ValueError, match="distinct"):
            fit_decay([3, 3], [0.1, 0.2])
        with pytest.raises(ValueError, match="one row per qubit count"):
            fit_decay([2, 3, 4], [0.1, 0.2])
        with pytest.raises(TypeError, match="variances"):
            fit_decay([2, 3], [0.1 + 1j, 0.2])

    @pytest.mark.parametrize("kw", [{"n_draws": 2}, {"n_draws": 9}, {"n_boot": 0},
                                    {"n_boot": 1}, {"n_boot": 9}])
    def test_too_few_draws_or_resamples_refused(self, kw):
        with pytest.raises(ValueError, match=next(iter(kw))):
            plateau_scan([2, 3], "none", **{"n_draws": 20, "n_boot": 20, **kw}, progress=False)

    def test_resamples_that_repeat_one_draw_are_left_out(self, monkeypatch):
        import qbp.plateaus

        def nine_equal_draws(task):  # per n: nine draws at 0 and one at 2^-n
            circuit, costs, thetas = task
            d = np.zeros((len(costs), len(thetas)))
            d[:, 0] = 2.0 ** -circuit.n_qubits
            return d

        monkeypatch.setattr(qbp.plateaus, "_scan_task", nine_equal_draws)
        scan = plateau_scan([2, 3, 4], "none", costs=("global",), n_draws=10, n_boot=200,
                            seed=1, progress=False)
        used = scan.meta["n_boot_used"]["global"]
        assert 10 <= used < 200  # about (1 − 0.9^10) of the resamples hold the odd draw
        assert np.isfinite(scan.decay_err["global"])
        # Var = (2^-n)²/10: ln Var falls by 2 ln 2 per qubit, exactly, in every usable resample
        assert scan.decay["global"] == pytest.approx(2 * np.log(2))
        assert scan.decay_err["global"] == pytest.approx(0.0, abs=1e-9)

    def test_derivative_with_one_value_is_refused(self, monkeypatch):
        import qbp.plateaus

        monkeypatch.setattr(qbp.plateaus, "_scan_task",
                            lambda task: np.zeros((len(task[1]), len(task[2]))))
        with pytest.raises(ValueError, match="single value"):
            plateau_scan([2, 3], "none", n_draws=10, n_boot=10, progress=False)
