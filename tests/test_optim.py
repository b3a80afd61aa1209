"""Optimizers: textbook update equations, convergence, batching, determinism (SPEC §6)."""

import numpy as np
import pytest
import qutip

import qbp
from qbp import optim


def run(opt, grad_fn, x0, steps):
    x = np.array(x0, dtype=float)
    state = opt.init(x)
    path = [x.copy()]
    for _ in range(steps):
        upd, state = opt.update(grad_fn(x), state)
        x = x + upd
        path.append(x.copy())
    return np.array(path)


def quad_grad(x):  # f(x) = x², f'(x) = 2x
    return 2 * x


class TestByHand:
    """Three steps of each optimizer on f(x) = x² from x₀ = 1, written out from the papers."""

    def test_sgd(self):
        path = run(optim.sgd(0.1), quad_grad, [[1.0]], 3)
        np.testing.assert_allclose(path[:, 0, 0], [1, 0.8, 0.64, 0.512], rtol=1e-15)

    def test_adam(self):
        lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
        x, m, v, expected = 1.0, 0.0, 0.0, [1.0]
        for t in (1, 2, 3):
            g = 2 * x
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            x = x - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
            expected.append(x)
        path = run(optim.adam(lr, b1, b2, eps), quad_grad, [[1.0]], 3)
        np.testing.assert_allclose(path[:, 0, 0], expected, rtol=1e-14)
        # first Adam step is lr·sign(g) (up to ε): m̂ = g, v̂ = g²
        assert path[1, 0, 0] == pytest.approx(1 - lr, abs=1e-8)

    def test_momentum(self):
        # v1 = 2, x1 = 0.8; v2 = 0.9·2 + 1.6 = 3.4, x2 = 0.46; v3 = 3.06 + 0.92 = 3.98, x3 = 0.062
        path = run(optim.momentum(0.1, 0.9), quad_grad, [[1.0]], 3)
        np.testing.assert_allclose(path[:, 0, 0], [1, 0.8, 0.46, 0.062], rtol=1e-13)

    def test_adagrad_and_rmsprop(self):
        # adagrad: s1 = 4, x1 = 1 − 0.1·2/2 = 0.9
        assert run(optim.adagrad(0.1, eps=0.0 + 1e-300), quad_grad, [[1.0]], 1)[1, 0, 0] == pytest.approx(0.9)
        # rmsprop: ν1 = 0.1·4 = 0.4, x1 = 1 − 0.1·2/√0.4
        assert run(optim.rmsprop(0.1, 0.9, 1e-300), quad_grad, [[1.0]], 1)[1, 0, 0] == \
            pytest.approx(1 - 0.2 / np.sqrt(0.4))


@pytest.mark.parametrize("name,lr", [("sgd", 0.1), ("momentum", 0.05), ("rmsprop", 0.01),
                                     ("adagrad", 0.5), ("adam", 0.05)])
def test_converges_on_convex_quadratic(name, lr):
    a = np.array([1.0, 4.0])  # f(x) = Σ a_k x_k²
    path = run(qbp.OPTIMIZERS[name](lr), lambda x: 2 * a * x, np.array([[1.0, -2.0], [-3.0, 0.5]]), 2000)
    assert np.max(np.abs(path[-1])) < 1e-2


def test_per_start_learning_rates_equal_separate_runs():
    x0 = np.array([[1.0, 2.0], [1.0, 2.0], [-1.0, 0.5]])
    lrs = np.array([0.01, 0.1, 0.3])
    batched = run(optim.adam(lrs), quad_grad, x0, 20)
    for i in range(3):
        alone = run(optim.adam(lrs[i]), quad_grad, x0[i:i + 1], 20)
        np.testing.assert_array_equal(batched[:, i], alone[:, 0])


class TestOptimize:
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    circuit = qbp.default_circuit(2, 3)

    def test_shapes_and_first_cost(self):
        starts = qbp.random_starts(5, 2, seed=1)
        tr = qbp.optimize(self.circuit, self.cost, starts, "adam", 0.05, steps=10)
        assert tr.params.shape == (5, 11, 2) and tr.costs.shape == (5, 11)
        np.testing.assert_array_equal(tr.params[:, 0], starts)
        np.testing.assert_allclose(tr.costs[:, 0], [self.cost(self.circuit, s) for s in starts], atol=1e-12)
        assert tr.meta["method"] == "fourier" and tr.meta["qbp_version"] == qbp.__version__

    def test_batched_equals_one_by_one(self):
        starts = qbp.random_starts(4, 2, seed=2)
        lrs = np.array([0.01, 0.05, 0.2, 1.0])
        tr = qbp.optimize(self.circuit, self.cost, starts, "adam", lrs, steps=30)
        for i in range(4):
            one = qbp.optimize(self.circuit, self.cost, starts[i:i + 1], "adam", lrs[i], steps=30)
            np.testing.assert_allclose(tr.params[i], one.params[0], atol=1e-12, rtol=0)

    def test_same_seed_bit_identical(self):
        a = qbp.optimize(self.circuit, self.cost, qbp.random_starts(50, 2, 9), "sgd", 0.1, steps=40)
        b = qbp.optimize(self.circuit, self.cost, qbp.random_starts(50, 2, 9), "sgd", 0.1, steps=40)
        assert np.array_equal(a.params, b.params) and np.array_equal(a.costs, b.costs)

    def test_fourier_and_batched_paths_agree_with_qutip_reference(self):
        starts = qbp.random_starts(2, 2, seed=4)
        fou = qbp.optimize(self.circuit, self.cost, starts, "adam", 0.1, steps=5, method="fourier")
        bat = qbp.optimize(self.circuit, self.cost, starts, "adam", 0.1, steps=5, method="batched")
        np.testing.assert_allclose(fou.params, bat.params, atol=1e-12, rtol=0)
        # the same steps with QuTiP values and parameter-shift gradients
        opt = qbp.adam(0.1)
        theta = starts.copy()
        state = opt.init(theta)
        for _ in range(5):
            grad = np.array([qbp.parameter_shift(self.circuit, self.cost, t) for t in theta])
            upd, state = opt.update(grad, state)
            theta = theta + upd
        np.testing.assert_allclose(fou.params[:, -1], theta, atol=1e-10, rtol=0)

    def test_descends_and_records_ends(self):
        starts = qbp.random_starts(20, 2, seed=3)
        tr = qbp.optimize(self.circuit, self.cost, starts, "adam", 0.02, steps=200, record="ends")
        assert tr.params.shape == (20, 2, 2)
        assert np.all(tr.final_costs <= tr.costs[:, 0] + 1e-9)
        full = qbp.optimize(self.circuit, self.cost, starts, "adam", 0.02, steps=200)
        np.testing.assert_array_equal(tr.final_costs, full.final_costs)

    def test_non_periodic_circuit_uses_batched(self):
        circuit = qbp.Circuit(2, [qbp.Gate("RY", 0, param=0), qbp.Gate("CRX", 1, 0, param=0)])
        tr = qbp.optimize(circuit, self.cost, [[0.3]], "sgd", 0.1, steps=3)
        assert tr.meta["method"] == "batched"
        with pytest.raises(ValueError, match="2π-periodic"):
            qbp.optimize(circuit, self.cost, [[0.3]], "sgd", 0.1, steps=3, method="fourier")


class TestBadInput:
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    circuit = qbp.default_circuit(2, 1)
    starts = np.zeros((3, 2))

    @pytest.mark.parametrize("lr", [0, -0.1, np.nan, np.inf, [0.1, -1, 0.1]])
    def test_lr(self, lr):
        with pytest.raises(ValueError, match="lr"):
            qbp.optimize(self.circuit, self.cost, self.starts, "adam", lr, steps=2)

    @pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow itself
    @pytest.mark.parametrize("method", ["fourier", "batched"])
    def test_diverging_run_is_announced_not_returned_as_nan(self, method):
        lrs = [0.1, 1.7e308, 0.1]  # finite, but the first step overflows to inf
        with pytest.raises(ValueError, match=r"starts \[1\] diverged.*smaller lr"):
            qbp.optimize(self.circuit, self.cost, qbp.random_starts(3, 2, 0), "sgd", lrs,
                         steps=4, method=method)

    def test_lr_wrong_length(self):
        with pytest.raises(ValueError, match="lr"):
            qbp.optimize(self.circuit, self.cost, self.starts, "adam", [0.1, 0.2], steps=2)

    @pytest.mark.parametrize("steps,error", [(0, ValueError), (-1, ValueError),
                                             (2.5, TypeError), (True, TypeError)])
    def test_steps(self, steps, error):
        # a count out of range is a ValueError, a value that is no integer a TypeError
        with pytest.raises(error, match="steps"):
            qbp.optimize(self.circuit, self.cost, self.starts, "adam", 0.1, steps=steps)

    @pytest.mark.parametrize("starts", [np.zeros((3, 3)), np.zeros(2), np.full((2, 2), np.nan)])
    def test_starts(self, starts):
        with pytest.raises(ValueError, match="starts"):
            qbp.optimize(self.circuit, self.cost, starts, "adam", 0.1, steps=2)

    def test_unknown_optimizer_and_hyper(self):
        with pytest.raises(ValueError, match="optimizer"):
            qbp.optimize(self.circuit, self.cost, self.starts, "lbfgs", 0.1, steps=2)
        with pytest.raises(TypeError, match="adam"):
            qbp.optimize(self.circuit, self.cost, self.starts, "adam", 0.1, steps=2, beta3=0.5)

    @pytest.mark.parametrize("kw", [{"b1": 1.0}, {"b1": -0.1}, {"b2": 1.5}, {"b2": np.nan}])
    def test_betas(self, kw):
        with pytest.raises(ValueError, match="b1|b2"):
            qbp.optimize(self.circuit, self.cost, self.starts, "adam", 0.1, steps=2, **kw)

    def test_eps_and_momentum(self):
        with pytest.raises(ValueError, match="eps"):
            qbp.adam(0.1, eps=0)
        with pytest.raises(ValueError, match="beta"):
            qbp.momentum(0.1, beta=1.0)

    def test_random_starts(self):
        with pytest.raises(ValueError, match="n_starts"):
            qbp.random_starts(0, 2, seed=1)
        a, b = qbp.random_starts(10, 2, 5), qbp.random_starts(10, 2, 5)
        assert np.array_equal(a, b) and np.all((a >= -np.pi) & (a < np.pi))


class TestPeriods:
    """Issue 9, item 1: a point qbp returns has the cost qbp reports for it."""

    # RY(θ₀) on qubit 0, CRX(θ₁) controlled by 0 on 1: ⟨X⊗I⟩ = sin θ₀ · cos(θ₁/2), 4π-periodic in θ₁
    circuit = qbp.Circuit(2, [qbp.Gate("RY", 0, param=0), qbp.Gate("CRX", 1, 0, param=1)])
    cost = qbp.ObservableCost(qutip.tensor(qutip.sigmax(), qutip.qeye(2)))

    def test_cost_formula_and_periods(self):
        theta = np.array([0.7, 2.0])
        assert self.cost(self.circuit, theta) == pytest.approx(np.sin(0.7) * np.cos(1.0), abs=1e-14)
        np.testing.assert_array_equal(self.circuit.periods, [2 * np.pi, 4 * np.pi])

    def test_final_params_have_the_final_cost_after_crossing_pi(self):
        tr = qbp.optimize(self.circuit, self.cost, [[np.pi / 2, 2.5]], "sgd", 1.0, steps=200)
        path = tr.params[0, :, 1]
        assert path[0] < np.pi < path[-1]  # the run crosses θ₁ = π ...
        assert path[-1] == pytest.approx(2 * np.pi, abs=1e-6)  # ... to the minimum at θ₁ = 2π
        assert tr.final_costs[0] == pytest.approx(-1.0, abs=1e-9)
        np.testing.assert_array_equal(tr.periods, [2 * np.pi, 4 * np.pi])
        final = tr.final_params[0]
        assert -2 * np.pi <= final[1] < 2 * np.pi  # wrapped into one 4π period
        assert abs(self.cost(self.circuit, final) - tr.final_costs[0]) <= 1e-12
        # wrapping θ₁ by 2π (the old behaviour) would land on the maximum: cos 0 = +1
        two_pi = (tr.params[0, -1] + np.pi) % (2 * np.pi) - np.pi
        assert self.cost(self.circuit, two_pi) == pytest.approx(1.0, abs=1e-9)

    def test_non_periodic_parameter_is_not_wrapped(self):
        # frequencies √2/2 and 1/2 have no common period: the landscape never repeats
        circuit = qbp.Circuit(1, [qbp.Gate("RX", 0, param=0, scale=np.sqrt(2)),
                                  qbp.Gate("RY", 0, param=0)])
        cost = qbp.EnergyCost(qutip.sigmaz())
        assert circuit.periods[0] == np.inf
        tr = qbp.optimize(circuit, cost, [[10.0], [-7.5]], "adam", 0.1, steps=20)
        np.testing.assert_array_equal(tr.final_params, tr.params[:, -1])
        assert tr.final_params[0, 0] > np.pi  # outside any [−π, π) box, left as it is
        for theta, value in zip(tr.final_params, tr.final_costs):
            assert abs(cost(circuit, theta) - value) <= 1e-12

    def test_random_starts_over_one_period(self):
        starts = qbp.random_starts(2000, 2, 4, periods=self.circuit.periods)
        assert np.all((starts[:, 1] >= -2 * np.pi) & (starts[:, 1] < 2 * np.pi))
        assert starts[:, 1].min() < -np.pi and starts[:, 1].max() > np.pi
        # 2π periods (the default) draw exactly what SPEC §6's starts on [−π, π)^d were
        expected = np.random.default_rng(4).uniform(-np.pi, np.pi, size=(5, 2))
        np.testing.assert_array_equal(qbp.random_starts(5, 2, 4), expected)
        with pytest.raises(ValueError, match="not periodic"):
            qbp.random_starts(5, 1, 0, periods=[np.inf])


class TestRecordedOptimizer:
    """Issue 9, item 8: what a result records comes from the optimizer that ran."""

    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    circuit = qbp.default_circuit(2, 1)
    starts = qbp.random_starts(3, 2, 0)

    def test_optimizer_object_records_its_own_lr_and_hyper(self):
        tr = qbp.optimize(self.circuit, self.cost, self.starts, qbp.adam(0.5, b1=0.8), steps=3)
        np.testing.assert_array_equal(tr.lr, [0.5, 0.5, 0.5])
        assert tr.optimizer == "adam" and tr.meta["hyper"]["b1"] == 0.8
        by_name = qbp.optimize(self.circuit, self.cost, self.starts, "adam", 0.5, steps=3, b1=0.8)
        np.testing.assert_array_equal(tr.params, by_name.params)  # it ran at 0.5

    def test_default_lr_is_documented_value(self):
        tr = qbp.optimize(self.circuit, self.cost, self.starts, "sgd", steps=2)
        np.testing.assert_array_equal(tr.lr, [0.01] * 3)
        assert repr(optim.DEFAULT_LR) == "0.01"

    def test_object_with_explicit_lr_or_hyper_refused(self):
        with pytest.raises(ValueError, match="lr"):
            qbp.optimize(self.circuit, self.cost, self.starts, qbp.adam(0.5), 0.5, steps=2)
        with pytest.raises(ValueError, match="lr"):  # even an lr equal to the default
            qbp.optimize(self.circuit, self.cost, self.starts, qbp.adam(0.5), lr=0.01, steps=2)
        with pytest.raises(ValueError, match="b1"):
            qbp.optimize(self.circuit, self.cost, self.starts, qbp.adam(0.5), steps=2, b1=0.5)

    def test_object_lr_per_start_checked_against_starts(self):
        with pytest.raises(ValueError, match="lr"):
            qbp.optimize(self.circuit, self.cost, self.starts, qbp.sgd([0.1, 0.2]), steps=2)
