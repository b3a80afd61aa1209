"""qbp.minima.polish and the periods of refine_minimum's θ*."""

import numpy as np
import pytest
import qutip

import qbp
from qbp.minima import polish, refine_minimum

Z, X, I2 = qutip.sigmaz(), qutip.sigmax(), qutip.qeye(2)


def test_polish_reaches_the_hand_derived_minima():
    """C = cos θ − cos 2θ − 1 (RY(θ) on two qubits, observable Z₀ − 2Z₀Z₁): minima at θ = 0
    (C = −1) and θ = π (C = −3); each start polishes to its own basin's minimum."""
    circuit = qbp.Circuit(2, [qbp.Gate("RY", (0,), param=0), qbp.Gate("RY", (1,), param=0)])
    cost = qbp.ObservableCost(qutip.tensor(Z, I2) - 2 * qutip.tensor(Z, Z))
    thetas, values = polish(circuit, cost, [[0.4], [-0.7], [2.0], [-3.0]])
    np.testing.assert_allclose(values, [-1, -1, -3, -3], atol=1e-12)
    np.testing.assert_allclose(np.abs(thetas[:, 0]), [0, 0, np.pi, np.pi], atol=1e-6)
    assert np.all(thetas >= -np.pi) and np.all(thetas < np.pi)


def test_polish_input_errors():
    circuit = qbp.default_circuit(2, 1)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    with pytest.raises(ValueError, match="points"):
        polish(circuit, cost, [[0.1, np.nan]])
    with pytest.raises(ValueError, match="points"):
        polish(circuit, cost, [[0.1, 0.2, 0.3]])
    with pytest.raises(ValueError, match="maxiter"):
        polish(circuit, cost, [[0.1, 0.2]], maxiter=0)
    with pytest.raises(ValueError, match="method"):
        polish(circuit, cost, [[0.1, 0.2]], method="exact")


def test_hessian_eigenvalues_by_hand():
    """One qubit, RY(θ₀) then RZ(θ₁): with X, C = sin θ₀ cos θ₁ and at its minimum
    (−π/2, 0) the Hessian is diag(1, 1); with Z, C = cos θ₀ does not depend on θ₁, so at
    θ₀ = π the eigenvalues are 0 (a flat valley floor) and 1."""
    from qbp.minima import hessian_eigenvalues

    circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0), qbp.Gate("RZ", 0, param=1)])
    np.testing.assert_allclose(hessian_eigenvalues(circuit, qbp.ObservableCost(X),
                                                   [-np.pi / 2, 0.0]), [1, 1], atol=1e-7)
    np.testing.assert_allclose(hessian_eigenvalues(circuit, qbp.ObservableCost(Z),
                                                   [np.pi, 0.3]), [0, 1], atol=1e-7)
    # off a minimum, at (π/4, π/4): H = [[−sin θ₀ cos θ₁, −cos θ₀ sin θ₁], [same, same]]
    # = −½ [[1, 1], [1, 1]], eigenvalues −1 and 0
    np.testing.assert_allclose(hessian_eigenvalues(circuit, qbp.ObservableCost(X),
                                                   [np.pi / 4, np.pi / 4], method="batched"),
                               [-1, 0], atol=1e-7)
    with pytest.raises(ValueError, match="theta"):
        hessian_eigenvalues(circuit, qbp.ObservableCost(X), [[0.1, 0.2]])
    with pytest.raises(ValueError, match="step"):
        hessian_eigenvalues(circuit, qbp.ObservableCost(X), [0.1, 0.2], step=0)
    with pytest.raises(ValueError, match="method"):
        hessian_eigenvalues(circuit, qbp.ObservableCost(X), [0.1, 0.2], method="exact")


def test_is_valley_floor():
    from qbp.minima import is_valley_floor

    assert is_valley_floor([0.0, 1.0]) and is_valley_floor([1e-3, 1.0])  # C = cos θ₀: a line
    assert not is_valley_floor([1.0, 1.0]) and not is_valley_floor([2e-3, 1.0])
    assert is_valley_floor([0.5, 5e-4, 1.0])  # sorted first
    assert not is_valley_floor([-1.0, 0.0])  # not a minimum's curvature
    assert is_valley_floor([0.01, 1.0], ratio=0.05)
    for bad, match in (([], "eigenvalues"), ([np.nan, 1.0], "eigenvalues")):
        with pytest.raises(ValueError, match=match):
            is_valley_floor(bad)
    with pytest.raises(ValueError, match="ratio"):
        is_valley_floor([0.0, 1.0], ratio=1.0)


def test_refine_minimum_wraps_with_the_circuit_periods():
    """A CRX parameter has period 4π: θ* must be wrapped into [−2π, 2π), not [−π, π), or its
    cost is not C* (here the minimum sits at |θ₀| > π)."""
    gates = [qbp.Gate("RY", (0,), angle=np.pi / 2), qbp.Gate("CRX", (1,), (0,), param=0),
             qbp.Gate("RY", (1,), param=1)]
    circuit = qbp.Circuit(2, gates)
    cost = qbp.ObservableCost(qutip.tensor(X, I2) + 0.7 * qutip.tensor(I2, Z) + 0.3 * qutip.tensor(X, X))
    landscape = qbp.sample_landscape(circuit, cost, 40, method="batched")
    theta, c_star = refine_minimum(landscape, cost, method="batched")
    value, _ = qbp.evaluate(circuit, cost, theta)
    assert value == pytest.approx(c_star, abs=1e-12)
    assert c_star <= landscape.min_value
    assert -2 * np.pi <= theta[0] < 2 * np.pi
    assert abs(theta[0]) > np.pi  # the case a 2π wrap gets wrong
    wrong = (theta + np.pi) % (2 * np.pi) - np.pi
    wrong_value, _ = qbp.evaluate(circuit, cost, wrong)
    assert abs(wrong_value - c_star) > 0.1


def test_grid_minima_axis_and_all_neighbours():
    """A point below its four axis neighbours but above a diagonal one is a minimum for the
    axis definition only; the all-neighbours minima are a subset of the axis ones."""
    from qbp.minima import grid_local_minima

    grid = 1 + 0.01 * np.arange(16.0).reshape(4, 4)  # every point has a lower axis neighbour…
    grid[0, 0], grid[1, 1] = -1.0, -2.0  # …except these; (1, 1) is (0, 0)'s diagonal neighbour
    assert grid_local_minima(grid, "axis").tolist() == [5, 0]
    assert grid_local_minima(grid, "all").tolist() == [5]
    grid = 1 + 0.01 * np.arange(16.0).reshape(4, 4)
    grid[0, 0], grid[3, 3] = -1.0, -2.0  # diagonal neighbours across the periodic corner
    assert grid_local_minima(grid, "axis").tolist() == [15, 0]
    assert grid_local_minima(grid, "all").tolist() == [15]
    rng = np.random.default_rng(3)
    values = rng.normal(size=(9, 7))
    axis, every = set(grid_local_minima(values, "axis")), grid_local_minima(values, "all")
    assert set(every) <= axis and len(every) < len(axis)
    from qbp.sinks import lower_neighbours  # the sinks' definition: no lower point of 3^d − 1

    assert sorted(every) == sorted(np.flatnonzero(lower_neighbours(values) == 0))
    with pytest.raises(ValueError, match="neighbours"):
        grid_local_minima(values, "diagonal")


def _c1_cell(n, cost, excess, baseline):
    from qbp.claims import Cell, c1_rule

    degrees = n * np.arange(1, len(excess) + 1)
    jd = c1_rule(degrees, excess)
    return Cell("C1", {"n_qubits": n, "cost": cost}, "degree", degrees, "excess",
                {"value": excess, "c_star": excess}, jd.statistic, None, jd.outcome, jd.reason,
                {"baseline_excess": baseline})


def test_c1_table_values():
    from qbp.claims import ClaimResult
    from qbp.minima import c1_table

    cells = [_c1_cell(2, "tfim", [0.1, 0.001, 0.01], 1e-15),
             _c1_cell(3, "infidelity", [0.2, 0.4, 0.3], 0.05)]
    table = c1_table(ClaimResult.from_cells("C1", cells))
    assert list(table.columns) == ["n", "cost", "excess at L = 1", "lowest excess", "at L", "F",
                                   "unshared baseline", "outcome"]
    assert table["n"].tolist() == [2, 3] and table["cost"].tolist() == ["tfim", "infidelity"]
    np.testing.assert_allclose(table["excess at L = 1"], [0.1, 0.2])
    np.testing.assert_allclose(table["lowest excess"], [0.001, 0.2])
    assert table["at L"].tolist() == [2, 1]  # degree 4 of n = 2 is L = 2
    np.testing.assert_allclose(table["F"], [100.0, 1.0])
    assert table["unshared baseline"].tolist() == [0.0, 0.05]  # below 1e-12: numerically 0
    assert table["outcome"].tolist() == ["supports", "contradicts"]
    with pytest.raises(TypeError, match="result"):
        c1_table([1, 2])
