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
