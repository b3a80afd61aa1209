"""Deceptiveness under gradient flow (SPEC §12): qbp.flow against an independent ODE solver,
hand-derived landscapes, periodicity, bad input and reproducibility."""

import numpy as np
import pytest
import qutip
import scipy.sparse as sp
from scipy.integrate import solve_ivp

import qbp
from qbp import stats
from qbp.flow import FlowResult, _newton_finish, compare_with_grid, flow_deceptiveness, grid_starts
from qbp.grid import periodic_distance, wrap

TFIM2 = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
Z, X, I2 = qutip.sigmaz(), qutip.sigmax(), qutip.qeye(2)


# ----------------------------------------------------------------------------- reference
def reference_end_points(circuit, cost, starts, t_end=1e5):
    """End points of dθ/dt = −∇C from every start by SciPy's BDF (rtol 1e−10, atol 1e−12).

    The B independent flows are integrated as one system of B·d equations (block-diagonal
    Jacobian −H from central differences of exact gradients) so that one solver call
    serves all starts; a shared step is at least as small as each start's own would be.
    BDF is implicit and multistep: nothing in common with qbp's explicit Dormand–Prince
    and Newton finish but the gradients. t_end = 1e5 is ~100 times the slowest relaxation
    time of these landscapes (smallest Hessian eigenvalue at a minimum ~0.01).
    """
    f, _ = qbp.value_and_grad(circuit, cost)
    b, d = starts.shape

    def rhs(t, y):
        return -f(y.reshape(b, d))[1].ravel()

    def jac(t, y):
        theta, eps = y.reshape(b, d), 1e-6
        hess = np.empty((b, d, d))
        for k in range(d):
            e = np.zeros(d)
            e[k] = eps
            hess[:, :, k] = (f(theta + e)[1] - f(theta - e)[1]) / (2 * eps)
        return -sp.block_diag(list((hess + hess.transpose(0, 2, 1)) / 2), format="csc")

    sol = solve_ivp(rhs, (0.0, t_end), starts.ravel(), method="BDF", rtol=1e-10, atol=1e-12, jac=jac)
    assert sol.status == 0, sol.message
    ends = sol.y[:, -1].reshape(b, d)
    return wrap(ends, circuit.periods), f(ends)[0]


CIRCUITS = [
    pytest.param(qbp.default_circuit(2, 1), id="type-L1"),
    pytest.param(qbp.default_circuit(2, 2), id="type-L2"),
    pytest.param(qbp.default_circuit(2, 3), id="type-L3"),
    pytest.param(qbp.default_circuit(2, 4), id="type-L4"),
    pytest.param(qbp.default_circuit(2, 2, "layer"), id="layer-L2-d4"),
]


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_agrees_with_scipy_bdf(circuit):
    starts = qbp.random_starts(200, circuit.n_params, seed=7)
    ref_points, ref_values = reference_end_points(circuit, TFIM2, starts)
    res = flow_deceptiveness(circuit, TFIM2, starts, tol=1e-3, progress=False)
    assert res.n_unconverged == 0
    same = (periodic_distance(res.end_points, ref_points, circuit.periods) < 1e-5) | (
        np.abs(res.end_values - ref_values) < 1e-6)
    assert same.mean() >= 0.97, f"same minimum on {same.mean():.1%} of starts"
    ref_deceptive = ref_values > res.c_star + res.tol
    assert np.mean(ref_deceptive == res.deceptive) >= 0.97
    # the reference never ends below qbp's refined C*
    assert ref_values.min() >= res.c_star - 1e-9


def test_newton_finish_keeps_the_end_point():
    """With and without the Newton finish, every start ends at the same point (to gtol/λ)."""
    circuit = qbp.default_circuit(2, 4)
    starts = qbp.random_starts(1000, 2, seed=3)
    with_newton = flow_deceptiveness(circuit, TFIM2, starts, 1e-3, c_star=-3.0)
    without = flow_deceptiveness(circuit, TFIM2, starts, 1e-3, c_star=-3.0, newton=False)
    assert with_newton.n_newton > 900 and without.n_newton == 0
    dist = periodic_distance(with_newton.end_points, without.end_points)
    assert dist.max() < 1e-6
    assert with_newton.n_evaluations < without.n_evaluations


def test_newton_finish_rule():
    """C = cos θ − cos 2θ − 1: C' = −sin θ + 2 sin 2θ, C'' = −cos θ + 4 cos 2θ; observable
    Z₀ − 2 Z₀Z₁ has half-spread a = 3 and |K| = 2, so M = a|K|³ = 24.
    At θ₀ = 0.3 the Hessian is positive (2.35) but |g| = 0.834 > λ²/(8M) ≈ 0.029: refused,
    state untouched, next attempt at the predicted threshold. At θ₀ = 0.01 (|g| ≈ 0.03,
    threshold 9/192 ≈ 0.047) it runs and lands on the minimum θ = 0."""
    circuit, cost = one_param_circuit(a=1.0, b=1.0)
    f, _ = qbp.value_and_grad(circuit, cost)
    for theta0, accepted in ((0.3, False), (0.01, True)):
        y = np.array([[theta0]])
        values, grad = f(y)
        assert grad[0, 0] == pytest.approx(-np.sin(theta0) + 2 * np.sin(2 * theta0), abs=1e-12)
        k1, gnorm, nxt = -grad, np.abs(grad[:, 0]), np.array([np.inf])
        before = y.copy()
        done, used = _newton_finish(f, np.array([0]), y, values, k1, gnorm, nxt, gtol=1e-8,
                                    a=3.0, k_norm=2.0, lipschitz=24.0)
        hess = -np.cos(theta0) + 4 * np.cos(2 * theta0)
        if accepted:
            assert done.tolist() == [0] and used > 2
            assert abs(y[0, 0]) < 1e-8 and gnorm[0] < 1e-8
            assert values[0] == pytest.approx(-1.0, abs=1e-15)
        else:
            assert len(done) == 0 and used == 2  # only the Hessian's two gradients
            assert np.array_equal(y, before)
            assert nxt[0] == pytest.approx(hess ** 2 / (8 * 24.0), rel=1e-3)


# ----------------------------------------------------------------------------- hand-derived
def test_cos_theta_flows_to_pi():
    """C(θ) = ⟨Z⟩ after RY(θ) = cos θ: every start flows to θ = ±π (C = −1); only the maximum
    θ = 0 itself (a grid point, ∇C = 0 exactly) stays and is deceptive."""
    circuit = qbp.Circuit(1, [qbp.Gate("RY", (0,), param=0)])
    cost = qbp.ObservableCost(Z)
    starts = grid_starts(36, circuit.periods)
    res = flow_deceptiveness(circuit, cost, starts, tol=1e-3)
    assert res.converged.all()
    at_max = np.isclose(starts[:, 0], 0.0, atol=1e-15)
    assert at_max.sum() == 1
    assert res.deceptive.tolist() == at_max.tolist()
    np.testing.assert_allclose(res.end_values[~at_max], -1.0, atol=1e-14)
    np.testing.assert_allclose(np.abs(res.end_points[~at_max, 0]), np.pi, atol=1e-7)
    assert res.end_values[at_max][0] == pytest.approx(1.0, abs=1e-15)
    assert res.c_star == pytest.approx(-1.0, abs=1e-14)
    assert res.ratio == pytest.approx(1 / 36)
    lo, hi = stats.wilson_interval(1, 36)
    assert res.ci.tolist() == [lo, hi]
    random = flow_deceptiveness(circuit, cost, qbp.random_starts(500, 1, seed=1), tol=1e-3)
    assert random.n_deceptive == 0 and random.ratio == 0.0


def one_param_circuit(a: float, b: float):
    """C(θ) = b cos θ − a cos 2θ − a on two qubits: RY(θ) on both (one shared parameter),
    observable b·Z₀ − 2a·Z₀Z₁ (⟨Z₀⟩ = cos θ, ⟨Z₀Z₁⟩ = cos²θ = (1 + cos 2θ)/2)."""
    circuit = qbp.Circuit(2, [qbp.Gate("RY", (0,), param=0), qbp.Gate("RY", (1,), param=0)])
    obs = b * qutip.tensor(Z, I2) - 2 * a * qutip.tensor(Z, Z)
    return circuit, qbp.ObservableCost(obs)


@pytest.mark.parametrize("resolution", [90, 360, 1001])
def test_two_minima_exact_fraction(resolution):
    """C = cos θ − cos 2θ − 1 (a = b = 1): C'(θ) = sin θ (4 cos θ − 1). Minima at θ = 0
    (C = −1, local) and θ = π (C = −3, global), maxima at cos θ = 1/4. The local basin is
    |θ| < arccos(1/4) = 1.3181 rad, so of a uniform grid exactly the points with
    |θ_j| < arccos(1/4) are deceptive (for 0 ≤ tol < 2)."""
    circuit, cost = one_param_circuit(a=1.0, b=1.0)
    starts = grid_starts(resolution, circuit.periods)
    res = flow_deceptiveness(circuit, cost, starts, tol=0.5)
    boundary = np.arccos(0.25)
    expected = np.abs(starts[:, 0]) < boundary
    assert np.min(np.abs(np.abs(starts[:, 0]) - boundary)) > 1e-3  # no start on the knife edge
    assert res.converged.all()
    assert res.deceptive.tolist() == expected.tolist()
    assert res.ratio == pytest.approx(expected.mean())
    assert res.c_star == pytest.approx(-3.0, abs=1e-12)
    np.testing.assert_allclose(res.end_values[expected], -1.0, atol=1e-12)
    np.testing.assert_allclose(res.end_values[~expected], -3.0, atol=1e-12)


def test_ratio_tends_to_basin_measure():
    """From uniform random starts the flow ratio estimates arccos(1/4)/π = 0.41957…"""
    circuit, cost = one_param_circuit(a=1.0, b=1.0)
    res = flow_deceptiveness(circuit, cost, qbp.random_starts(4000, 1, seed=5), tol=0.5)
    exact = np.arccos(0.25) / np.pi
    assert res.ci[0] <= exact <= res.ci[1]
    assert abs(res.ratio - exact) < 0.03


# ----------------------------------------------------------------------------- periodicity
def crx_circuit():
    """RY(π/2) on qubit 0, CRX(θ₀) 0 → 1, RY(θ₁) on qubit 1: period 4π along θ₀ (CRX's
    frequencies are ½ and 1), 2π along θ₁. ⟨X₀⟩ carries cos(θ₀/2)."""
    gates = [qbp.Gate("RY", (0,), angle=np.pi / 2), qbp.Gate("CRX", (1,), (0,), param=0),
             qbp.Gate("RY", (1,), param=1)]
    cost = qbp.ObservableCost(qutip.tensor(X, I2) + 0.7 * qutip.tensor(I2, Z) + 0.3 * qutip.tensor(X, X))
    return qbp.Circuit(2, gates), cost


def test_crx_end_points_carry_their_cost():
    circuit, cost = crx_circuit()
    assert circuit.periods.tolist() == [4 * np.pi, 2 * np.pi]
    rng = np.random.default_rng(11)
    starts = rng.uniform([-2 * np.pi, -np.pi], [2 * np.pi, np.pi], size=(60, 2))
    res = flow_deceptiveness(circuit, cost, starts, tol=1e-3)
    assert res.meta["engine"] == "batched"
    assert np.all(np.abs(res.end_points[:, 0]) <= 2 * np.pi) and np.all(np.abs(res.end_points[:, 1]) <= np.pi)
    values, _ = qbp.evaluate(circuit, cost, res.end_points, method="batched")
    np.testing.assert_allclose(values, res.end_values, atol=1e-12)
    reference = np.array([cost(circuit, p) for p in res.end_points[:5]])  # QuTiP
    np.testing.assert_allclose(reference, res.end_values[:5], atol=1e-10)
    # The test can fail: wrapping θ₀ with 2π instead of 4π changes the cost somewhere.
    wrong, _ = qbp.evaluate(circuit, cost, wrap(res.end_points, [2 * np.pi, 2 * np.pi]), method="batched")
    assert np.max(np.abs(wrong - res.end_values)) > 0.1


# ----------------------------------------------------------------------------- input checks
@pytest.mark.parametrize("kwargs, exc, word", [
    ({"tol": -1e-3}, ValueError, "tol"),
    ({"tol": float("nan")}, ValueError, "tol"),
    ({"tol": "small"}, TypeError, "tol"),
    ({"gtol": 0.0}, ValueError, "gtol"),
    ({"gtol": -1e-8}, ValueError, "gtol"),
    ({"gtol": float("inf")}, ValueError, "gtol"),
    ({"max_steps": 0}, ValueError, "max_steps"),
    ({"max_steps": 2.5}, ValueError, "max_steps"),
    ({"max_steps": True}, ValueError, "max_steps"),
    ({"rtol": 0.5}, ValueError, "rtol"),
    ({"c_star": float("nan")}, ValueError, "c_star"),
    ({"c_star": "low"}, TypeError, "c_star"),
    ({"method": "reference"}, ValueError, "method"),
    ({"newton": 1}, TypeError, "newton"),
    ({"starts": np.array([[0.1, np.nan]])}, ValueError, "starts"),
    ({"starts": np.array([[0.1, np.inf]])}, ValueError, "starts"),
    ({"starts": np.zeros((4, 3))}, ValueError, "starts"),
    ({"starts": np.zeros(2)}, ValueError, "starts"),
    ({"starts": np.zeros((0, 2))}, ValueError, "starts"),
    ({"starts": [["a", "b"]]}, TypeError, "starts"),
])
def test_bad_input_names_the_argument(kwargs, exc, word):
    args = {"starts": np.zeros((3, 2)), "tol": 1e-3, **kwargs}
    with pytest.raises(exc, match=word):
        flow_deceptiveness(qbp.default_circuit(2, 1), TFIM2, **args)


def test_bad_circuit_and_cost():
    with pytest.raises(TypeError, match="circuit"):
        flow_deceptiveness("circuit", TFIM2, np.zeros((1, 2)), 1e-3)
    with pytest.raises(TypeError, match="cost"):
        flow_deceptiveness(qbp.default_circuit(2, 1), "energy", np.zeros((1, 2)), 1e-3)


def test_grid_starts_order_and_errors():
    pts = grid_starts(4, [2 * np.pi, 4 * np.pi])
    axis0, axis1 = qbp.grid_axis(4), qbp.grid_axis(4, 4 * np.pi)
    assert pts.shape == (16, 2)
    assert pts[:, 0].tolist() == np.repeat(axis0, 4).tolist()  # C order: last axis fastest
    assert pts[:, 1].tolist() == np.tile(axis1, 4).tolist()
    with pytest.raises(ValueError, match="resolution"):
        grid_starts(1, [2 * np.pi])
    with pytest.raises(ValueError, match="periods"):
        grid_starts(4, None)
    with pytest.raises(ValueError, match="not periodic"):
        grid_starts(4, [np.inf])


# ----------------------------------------------------------------------------- budget, determinism
def test_unconverged_starts_are_reported_not_classified():
    circuit = qbp.default_circuit(2, 4)
    starts = qbp.random_starts(50, 2, seed=2)
    res = flow_deceptiveness(circuit, TFIM2, starts, 1e-3, max_steps=60, c_star=-2.2)
    assert 10 < res.n_unconverged < 40 and res.n_unconverged == (~res.converged).sum()
    assert not res.deceptive[~res.converged].any()
    assert res.deceptive[res.converged].any()
    assert np.all(res.steps[~res.converged] == 60) and np.all(res.steps <= 60)
    assert np.all(res.grad_norm[~res.converged] >= res.gtol)
    assert res.ratio == pytest.approx(res.deceptive.sum() / res.converged.sum())
    lo, hi = stats.wilson_interval(res.n_deceptive, res.n_converged)
    assert res.ci.tolist() == [lo, hi]
    summary = res.summary()
    assert summary["n_unconverged"] == res.n_unconverged and summary["max_steps"] == 60


def test_nothing_converged_warns_and_gives_nan():
    starts = qbp.random_starts(5, 2, seed=4)
    with pytest.warns(RuntimeWarning, match="no start converged"):
        res = flow_deceptiveness(qbp.default_circuit(2, 3), TFIM2, starts, 1e-3, max_steps=1, c_star=-2.2)
    assert np.isnan(res.ratio) and res.ci.tolist() == [0.0, 1.0]


def test_bit_identical_on_repeat():
    circuit = qbp.default_circuit(2, 3)
    starts = qbp.random_starts(300, 2, seed=9)
    a = flow_deceptiveness(circuit, TFIM2, starts, 1e-3)
    b = flow_deceptiveness(circuit, TFIM2, starts.copy(), 1e-3)
    for name in ("end_points", "end_values", "deceptive", "converged", "steps", "grad_norm", "newton", "ci"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.ratio == b.ratio and a.c_star == b.c_star and a.starts_digest == b.starts_digest
    assert a.n_evaluations == b.n_evaluations


def test_result_keeps_its_inputs():
    circuit = qbp.default_circuit(2, 2)
    starts = qbp.random_starts(20, 2, seed=1)
    res = flow_deceptiveness(circuit, TFIM2, starts, 0.01, gtol=1e-9, max_steps=3000, rtol=1e-5)
    assert isinstance(res, FlowResult)
    assert (res.tol, res.gtol, res.max_steps, res.rtol) == (0.01, 1e-9, 3000, 1e-5)
    assert np.array_equal(res.starts, starts) and res.circuit == circuit
    assert res.meta["circuit"] == circuit.to_dict() and res.meta["cost"]["kind"] == "energy"
    assert res.meta["engine"] == "fourier"
    assert np.all(res.grad_norm[res.converged] < 1e-9)
    with pytest.raises(AttributeError):
        res.ratio = 0.5  # frozen


def test_c_star_refined_below_the_end_values():
    """C* is polished from the best end points: for L = 2 it matches refine_minimum."""
    from qbp.minima import refine_minimum

    circuit = qbp.default_circuit(2, 2)
    res = flow_deceptiveness(circuit, TFIM2, qbp.random_starts(100, 2, seed=0), 1e-3)
    _, c_ref = refine_minimum(qbp.sample_landscape(circuit, TFIM2, 90), TFIM2)
    assert res.c_star == pytest.approx(c_ref, abs=1e-10)
    assert res.c_star <= res.end_values.min() + 1e-15
    value, _ = qbp.evaluate(circuit, TFIM2, res.c_star_theta)
    assert value == pytest.approx(res.c_star, abs=1e-12)


# ----------------------------------------------------------------------------- grid comparison
def test_compare_with_grid_on_the_two_minima_landscape():
    """On C = cos θ − cos 2θ − 1 both grid rules find the same two basins as the flow, up to
    the grid points next to the basin boundary."""
    circuit, cost = one_param_circuit(a=1.0, b=1.0)
    landscape = qbp.sample_landscape(circuit, cost, 360)
    res = flow_deceptiveness(circuit, cost, grid_starts(360, circuit.periods), tol=0.5)
    table = compare_with_grid(landscape, res)
    for rule in ("compass", "steepest"):
        row = table[rule]
        assert row["n_compared"] == 360
        assert row["agreement"] >= 1 - 2 / 360
        assert row["flow_ratio"] == pytest.approx(res.ratio)
        assert row["grid_only"] + row["flow_only"] == round((1 - row["agreement"]) * 360)
    with pytest.raises(ValueError, match="grid_starts"):
        compare_with_grid(qbp.sample_landscape(circuit, cost, 180), res)
    with pytest.raises(TypeError, match="landscape"):
        compare_with_grid(np.zeros(3), res)
    other = qbp.Circuit(2, [qbp.Gate("RX", (0,), param=0), qbp.Gate("RY", (1,), param=0)])
    with pytest.raises(ValueError, match="same circuit"):
        compare_with_grid(qbp.sample_landscape(other, cost, 360), res)


def test_chunks_and_schedulers_give_identical_results():
    """The split into tasks depends on chunk_starts only: here and in a process pool the
    results are bit-identical; one big chunk ends every start at the same minimum."""
    circuit = qbp.default_circuit(2, 3)
    starts = qbp.random_starts(120, 2, seed=12)
    here = flow_deceptiveness(circuit, TFIM2, starts, 1e-3, chunk_starts=50)
    pool = flow_deceptiveness(circuit, TFIM2, starts, 1e-3, chunk_starts=50, scheduler="processes")
    for name in ("end_points", "end_values", "deceptive", "steps", "newton"):
        assert np.array_equal(getattr(here, name), getattr(pool, name)), name
    assert here.n_evaluations == pool.n_evaluations and here.meta["chunk_starts"] == 50
    whole = flow_deceptiveness(circuit, TFIM2, starts, 1e-3)
    assert periodic_distance(whole.end_points, here.end_points).max() < 1e-6
    assert np.array_equal(whole.deceptive, here.deceptive)
    with pytest.raises(ValueError, match="chunk_starts"):
        flow_deceptiveness(circuit, TFIM2, starts, 1e-3, chunk_starts=0)
