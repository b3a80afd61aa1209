"""The periodic grid, Landscape results, saving and memory (SPEC §1, §10)."""

import json
import tracemalloc

import numpy as np
import pytest
import qutip

import qbp
import qbp.grid
from qbp._io import DamagedFile


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


# --- periods other than 2π (issue 9, item 1) ------------------------------------------------

CRX_CIRCUIT = qbp.Circuit(2, [qbp.Gate("RY", 0, param=0), qbp.Gate("CRX", 1, 0, param=1)])
X_I = qbp.ObservableCost(qutip.tensor(qutip.sigmax(), qutip.qeye(2)))  # sin θ₀ · cos(θ₁/2)


def test_crx_landscape_values_are_the_costs_at_its_points():
    land = qbp.sample_landscape(CRX_CIRCUIT, X_I, 6, method="batched")
    np.testing.assert_array_equal(land.periods, [2 * np.pi, 4 * np.pi])
    assert land.axes[1][0] == -2 * np.pi and land.axes[1][1] == pytest.approx(-2 * np.pi + 4 * np.pi / 6)
    for i in range(land.values.size):
        theta = land.point(i)
        assert abs(land.values.flat[i] - X_I(CRX_CIRCUIT, theta)) <= 1e-12
        assert land.values.flat[i] == pytest.approx(np.sin(theta[0]) * np.cos(theta[1] / 2), abs=1e-12)


def test_irrational_scale_is_refused_with_a_clear_error():
    circuit = qbp.Circuit(1, [qbp.Gate("RX", 0, param=0, scale=np.sqrt(2)),
                              qbp.Gate("RY", 0, param=0)])
    with pytest.raises(ValueError, match="not periodic along parameters \\[0\\]"):
        qbp.sample_landscape(circuit, qbp.EnergyCost(qutip.sigmaz()), 8, method="batched")


def test_nearest_index_at_the_seam():
    from qbp.grid import nearest_index

    periods = [2 * np.pi, 4 * np.pi]  # R = 8: steps π/4 and π/2
    # just below the upper edge T/2 is nearest to the first point −T/2 (index 0 on each axis)
    assert nearest_index([[np.pi - 0.01, 2 * np.pi - 0.01]], 8, periods).tolist() == [0]
    assert nearest_index([[-np.pi, -2 * np.pi]], 8, periods).tolist() == [0]
    # 0 is grid point 4 on both axes: flat 4·8 + 4; one 2π-period further along θ₁ is not
    # the same point of a 4π-periodic axis (it is point 0 there, θ₁ = −2π ≡ 2π)
    assert nearest_index([[0.0, 0.0], [0.0, 2 * np.pi]], 8, periods).tolist() == [36, 32]
    land = qbp.sample_landscape(CRX_CIRCUIT, X_I, 8, method="batched")
    for theta in ([3.0, 6.2], [-3.1, -6.2], [0.4, -1.6]):
        i = int(nearest_index(np.array([theta]), 8, land.periods)[0])
        gap = qbp.grid.periodic_difference(land.point(i), theta, land.periods)
        assert np.all(np.abs(gap) <= land.periods / 16 + 1e-12)


def test_from_function_on_other_periods():
    land = qbp.Landscape.from_function(lambda a, b: np.cos(b / 2) + 0 * a, None, 4, 2,
                                       periods=[2 * np.pi, 4 * np.pi])
    np.testing.assert_allclose(land.axes[1], [-2 * np.pi, -np.pi, 0, np.pi])
    np.testing.assert_allclose(land.values[0], [-1, 0, 1, 0], atol=1e-15)


# --- damaged files are refused, naming the file (issue 9, item 10) ----------------------------

@pytest.fixture
def saved_landscape(tmp_path):
    land = qbp.sample_landscape(qbp.default_circuit(), qbp.EnergyCost(qbp.tfim_hamiltonian(2)), 8)
    return land.save(tmp_path / "land.npz")


def test_truncated_landscape_is_damaged(saved_landscape):
    raw = saved_landscape.read_bytes()
    saved_landscape.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DamagedFile, match="land.npz is damaged"):
        qbp.load_landscape(saved_landscape)


def test_garbage_landscape_is_damaged(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"this is not a landscape\n" * 10)
    with pytest.raises(DamagedFile, match="garbage.npz is damaged"):
        qbp.load_landscape(path)


def test_one_flipped_byte_is_damaged(saved_landscape):
    # flip one bit of the stored values (inside the uncompressed values.npy member)
    raw = bytearray(saved_landscape.read_bytes())
    start = raw.index(b"values.npy")
    at = raw.index(b"\n", raw.index(b"{'descr'", start)) + 40  # past the .npy header, in the data
    raw[at] ^= 0x01
    saved_landscape.write_bytes(bytes(raw))
    with pytest.raises(DamagedFile, match="land.npz is damaged") as err:
        qbp.load_landscape(saved_landscape)
    assert isinstance(err.value, ValueError) and err.value.path == saved_landscape
