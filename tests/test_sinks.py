"""Sink kinds (qbp.sinks) on a landscape with known stationary points and against their
definitions point by point."""

import itertools

import numpy as np
import pytest

import qbp
from qbp import Landscape
from qbp.deceptiveness import basins
from qbp.sinks import SINK_KINDS, classify_sinks, lower_neighbours


def egg_crate(resolution):
    """cos θ₀ + cos θ₁: minimum at (−π, −π), maximum at (0, 0), saddles at (0, −π), (−π, 0)."""
    return Landscape.from_function(lambda x, y: np.cos(x) + np.cos(y),
                                   lambda x, y: [-np.sin(x), -np.sin(y)], resolution, 2)


def random_trig(resolution, seed):
    rng = np.random.default_rng(seed)
    freqs = rng.integers(-4, 5, (8, 2))
    amps, phases = rng.normal(size=8), rng.uniform(0, 2 * np.pi, 8)

    def f(x, y):
        return sum(a * np.cos(w[0] * x + w[1] * y + p) for w, a, p in zip(freqs, amps, phases))

    def grad(x, y):
        return [sum(-a * w[k] * np.sin(w[0] * x + w[1] * y + p)
                    for w, a, p in zip(freqs, amps, phases)) for k in range(2)]

    return Landscape.from_function(f, grad, resolution, 2)


def test_egg_crate_kinds():
    land = egg_crate(8)  # grid points at −π, −3π/4, …: every stationary point is on the grid
    b = basins(land)
    kinds = dict(zip(b.sinks.tolist(), classify_sinks(land, b).tolist()))
    index = lambda i, j: np.ravel_multi_index((i, j), (8, 8))  # noqa: E731  θ = −π + 2πi/8
    assert kinds == {index(0, 0): "minimum", index(4, 4): "maximum",
                     index(0, 4): "saddle", index(4, 0): "saddle"}
    steepest = basins(land, rule="steepest")
    assert classify_sinks(land, steepest).tolist() == ["minimum"]


def test_lower_neighbours_counts_diagonals_and_wraps():
    values = np.zeros((3, 4))
    values[0, 0] = 1.0
    counts = lower_neighbours(values)
    assert counts[0, 0] == 8 and counts.sum() == 8
    assert lower_neighbours(np.array([2.0, 0.0, 1.0])).tolist() == [2, 0, 1]


@pytest.mark.parametrize("seed", range(5))
def test_kinds_match_their_definitions(seed):
    land = random_trig(20, seed)
    b = basins(land)
    kinds = classify_sinks(land, b)
    assert set(kinds) <= set(SINK_KINDS)
    values, g = land.values, land.gradient
    gmax_all = np.abs(g).max()
    seen = set()
    for flat, kind in zip(b.sinks, kinds):
        p = np.unravel_index(flat, values.shape)
        nbrs = [values[tuple((np.array(p) + o) % 20)] for o in itertools.product((-1, 0, 1), repeat=2)
                if any(o)]
        n_lower = sum(v < values[p] for v in nbrs)
        gp = g[(slice(None),) + p]
        stationary = np.abs(gp).max() <= 1e-12 * gmax_all
        expected = ("minimum" if n_lower == 0 else
                    ("maximum" if n_lower == 8 else "saddle") if stationary else "overshoot")
        assert kind == expected
        if kind == "overshoot":  # the compass step's target is not lower
            off = [-int(np.sign(c)) if abs(c) >= np.tan(np.pi / 8) * np.abs(gp).max() else 0
                   for c in gp]
            assert values[tuple((np.array(p) + off) % 20)] >= values[p]
        seen.add(kind)
    assert "minimum" in seen


def test_overshoot_happens_in_a_narrow_valley():
    # a steep valley along the diagonal θ₀ = θ₁, gently sloping along it: on a coarse grid the
    # compass step across the valley lands on the far wall
    land = Landscape.from_function(
        lambda x, y: 20 * (1 - np.cos(x - y)) - np.cos((x + y) / 2) ** 2,
        lambda x, y: [20 * np.sin(x - y) + np.sin(x + y) / 2, -20 * np.sin(x - y) + np.sin(x + y) / 2],
        24, 2)
    kinds = classify_sinks(land, basins(land))
    assert "overshoot" in kinds.tolist()


def test_grid_gradient_and_errors():
    land = egg_crate(8)
    b = basins(land, derivatives="grid")
    assert sorted(classify_sinks(land, b).tolist()) == ["maximum", "minimum", "saddle", "saddle"]
    no_grad = Landscape(land.values, None, land.axes)
    with pytest.raises(ValueError, match="no gradient"):
        classify_sinks(no_grad, basins(land))
    with pytest.raises(TypeError):
        classify_sinks(land.values, b)
    with pytest.raises(TypeError):
        classify_sinks(land, "basins")
    with pytest.raises(ValueError, match="shape"):
        classify_sinks(egg_crate(6), b)


def test_default_circuit_has_saddles_on_the_grid():
    # θ₀ = 0 leaves |00⟩ untouched by the RZ gates: stationary points land on grid points
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    land = qbp.sample_landscape(qbp.default_circuit(2, 2), cost, 40)
    kinds = classify_sinks(land, basins(land))
    assert "saddle" in kinds.tolist() and "minimum" in kinds.tolist()


# --------------------------------------------------------------------------- deceptive_causes
def sin_cos():
    """One qubit, RY(θ₀) then RZ(θ₁), cost ⟨X⟩ = sin θ₀ cos θ₁: global minima (−π/2, 0) and
    (π/2, π), copies of each other, no other minimum."""
    import qutip

    circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0), qbp.Gate("RZ", 0, param=1)])
    return circuit, qbp.ObservableCost(qutip.sigmax())


def test_grid_error_by_hand():
    """R = 9: θ_j = −π + 2πj/9. The copy (π/2, π) has grid points θ₀ = 5π/9 (j = 7) and
    θ₁ = −π (j = 0): C = −sin(5π/9) = −0.985, the grid minimum. The copy (−π/2, 0) is missed
    on both axes: (−5π/9, π/9) (j = 2, 5) gives −sin(5π/9) cos(π/9), higher by
    sin(5π/9)(1 − cos(π/9)) = 0.0594. At tol 0.01 its basin is deceptive, but the flow from
    it reaches C* = −1: a grid error, and no local minimum at all."""
    from qbp.sinks import CAUSES, deceptive_causes

    circuit, cost = sin_cos()
    land = qbp.sample_landscape(circuit, cost, 9, method="batched", progress=False)
    b = basins(land, "steepest")
    high = np.ravel_multi_index((2, 5), (9, 9))
    assert b.sinks.tolist() == [high, np.ravel_multi_index((7, 0), (9, 9))]
    np.testing.assert_allclose(b.sink_values, [-np.sin(5 * np.pi / 9) * np.cos(np.pi / 9),
                                               -np.sin(5 * np.pi / 9)], atol=1e-12)
    why = deceptive_causes(land, b, cost, 0.01, c_star=-1.0)
    assert set(why.shares) == set(CAUSES)
    assert why.shares["grid error"] == b.sizes[0] / 81 == why.ratio
    assert why.shares["local minimum"] == why.shares["overshoot"] == 0
    assert why.artefact == why.ratio
    assert why.heights["grid error"] == pytest.approx(
        np.sin(5 * np.pi / 9) * (1 - np.cos(np.pi / 9)), abs=1e-12)
    assert why.n_deceptive_sinks == 1 and why.n_unconverged == 0 and why.rule == "steepest"
    # above the height, nothing is deceptive; several tols at once give the same results
    small, large = deceptive_causes(land, b, cost, [0.01, 0.1], c_star=-1.0)
    assert small == why and large.ratio == 0 and sum(large.shares.values()) == 0


def test_compass_overshoots_add_up_to_the_ratio():
    """Under the compass rule the same grid also stops at overshoots; every cause's share is
    the basin sizes of its sinks, and the shares add up to the ratio."""
    from qbp.sinks import deceptive_causes

    circuit, cost = sin_cos()
    land = qbp.sample_landscape(circuit, cost, 9, method="batched", progress=False)
    b = basins(land, "compass")
    kinds = classify_sinks(land, b)
    why = deceptive_causes(land, b, cost, 0.01, c_star=-1.0)
    deceptive = b.sink_values > land.min_value + 0.01
    assert why.shares["overshoot"] == b.sizes[deceptive & (kinds == "overshoot")].sum() / 81 > 0
    assert why.shares["grid error"] == b.sizes[deceptive & (kinds == "minimum")].sum() / 81 > 0
    assert sum(why.shares.values()) == pytest.approx(why.ratio, abs=1e-15)


def test_local_minima_and_known_flows():
    """A landscape with genuine local minima (default circuit, L = 3): the flow from each
    deceptive sink decides its cause, checked against an independent L-BFGS polish; flows
    passed in ``known`` are used instead of integrating again."""
    from qbp.minima import polish, refine_minimum
    from qbp.sinks import deceptive_causes

    circuit, cost = qbp.default_circuit(2, 3), qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    land = qbp.sample_landscape(circuit, cost, 24, progress=False)
    _, c_star = refine_minimum(land, cost)
    b = basins(land, "steepest")
    why = deceptive_causes(land, b, cost, 1e-3, c_star)
    deceptive = b.sink_values > land.min_value + 1e-3
    points = np.array([land.point(i) for i in b.sinks[deceptive]])
    _, polished = polish(circuit, cost, points)
    genuine = polished > c_star + 1e-3
    assert why.shares["local minimum"] == pytest.approx(b.sizes[deceptive][genuine].sum() / 576)
    assert why.shares["local minimum"] > 0
    fake = (b.sinks[deceptive], np.full(deceptive.sum(), c_star), np.ones(deceptive.sum(), bool))
    told = deceptive_causes(land, b, cost, 1e-3, c_star, known=fake)
    assert told.shares["local minimum"] == 0 and told.shares["grid error"] == why.ratio


def test_deceptive_causes_errors():
    from qbp.sinks import deceptive_causes

    circuit, cost = sin_cos()
    land = qbp.sample_landscape(circuit, cost, 9, method="batched", progress=False)
    b = basins(land)
    with pytest.raises(ValueError, match="c_star"):
        deceptive_causes(land, b, cost, 0.01, c_star=0.0)  # above the grid minimum
    with pytest.raises(ValueError, match="tol"):
        deceptive_causes(land, b, cost, -0.1, c_star=-1.0)
    with pytest.raises(ValueError, match="tol"):
        deceptive_causes(land, b, cost, [], c_star=-1.0)
    with pytest.raises(ValueError, match="circuit"):
        deceptive_causes(egg_crate(8), basins(egg_crate(8)), cost, 0.01, c_star=-2.0)
    with pytest.raises(ValueError, match="basins"):
        other = qbp.sample_landscape(circuit, cost, 8, method="batched", progress=False)
        deceptive_causes(land, basins(other), cost, 0.01, c_star=-1.0)
    with pytest.raises(ValueError, match="known"):
        deceptive_causes(land, b, cost, 0.01, c_star=-1.0, known=([1, 2], [0.0], [True]))
