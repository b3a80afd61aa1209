"""The periodic grid, Landscape results, saving and memory (SPEC §1, §10)."""

import json
import tracemalloc

import numpy as np
import pytest

import qbp


def test_grid_axis_excludes_endpoint():
    axis = qbp.grid_axis(360)
    assert len(axis) == 360 and axis[0] == -np.pi
    assert np.allclose(np.diff(axis), 2 * np.pi / 360)
    assert axis[-1] == pytest.approx(np.pi - 2 * np.pi / 360)


@pytest.mark.parametrize("bad", [1, 0, -5])
def test_resolution_below_two_rejected(bad):
    with pytest.raises(ValueError, match="resolution"):
        qbp.grid_axis(bad)


@pytest.mark.parametrize("bad", [2.5, "360", None, True])
def test_resolution_not_integer_rejected(bad):
    with pytest.raises(TypeError, match="resolution"):
        qbp.sample_landscape(qbp.default_circuit(), qbp.EnergyCost(qbp.tfim_hamiltonian(2)), bad)


def test_landscape_fields_and_minimum():
    circuit = qbp.default_circuit(2, 2)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    land = qbp.sample_landscape(circuit, cost, 24)
    assert land.resolution == 24 and land.n_params == 2
    assert land.min_value == land.values.min()
    assert cost(circuit, land.min_theta) == pytest.approx(land.min_value, abs=1e-12)
    assert land.meta["qbp_version"] == qbp.__version__
    assert land.meta["method"] == "fourier" and land.meta["resolution"] == 24
    assert land.meta["cost_minimum"] == pytest.approx(qbp.ground_energy(qbp.tfim_hamiltonian(2)))
    assert land.min_value >= land.meta["cost_minimum"] - 1e-12  # variational principle


def test_unknown_method_rejected():
    with pytest.raises(ValueError, match="method"):
        qbp.sample_landscape(qbp.default_circuit(), qbp.EnergyCost(qbp.tfim_hamiltonian(2)), 8, method="magic")


def test_too_large_grid_rejected_before_allocating():
    circuit = qbp.default_circuit(2, 1, "none")  # d = 4
    with pytest.raises(ValueError, match="grid points"):
        qbp.sample_landscape(circuit, qbp.EnergyCost(qbp.tfim_hamiltonian(2)), 1000)


def test_save_load_round_trip(tmp_path):
    circuit = qbp.default_circuit(2, 3, "type")
    land = qbp.sample_landscape(circuit, qbp.EnergyCost(qbp.tfim_hamiltonian(2)), 16)
    path = land.save(tmp_path / "sub" / "land")
    assert path.name == "land.npz"
    assert [p.name for p in path.parent.iterdir()] == ["land.npz"]  # no temp files left
    back = qbp.load_landscape(path)
    assert np.array_equal(back.values, land.values) and np.array_equal(back.gradient, land.gradient)
    assert all(np.array_equal(a, b) for a, b in zip(back.axes, land.axes))
    assert back.circuit == circuit
    assert back.meta == json.loads(json.dumps(land.meta))


def test_failed_save_leaves_nothing(tmp_path, monkeypatch):
    land = qbp.sample_landscape(qbp.default_circuit(), qbp.EnergyCost(qbp.tfim_hamiltonian(2)), 8)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError):
        land.save(tmp_path / "land.npz")
    assert list(tmp_path.iterdir()) == []


def test_two_parameter_landscape_at_1440_fits_in_1gb():
    circuit = qbp.default_circuit(2, 6)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    tracemalloc.start()
    try:
        land = qbp.sample_landscape(circuit, cost, 1440)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert land.values.shape == (1440, 1440)
    assert peak < 1e9, f"peak {peak / 1e6:.0f} MB"
