"""The three engines agree with each other and with hand-derived answers (SPEC §4, §10)."""

import numpy as np
import pytest
import qutip

import qbp
from qbp import Circuit, Gate

TOL = 1e-10


def energy(n):
    return qbp.EnergyCost(qbp.tfim_hamiltonian(n))


def random_points(circuit, count, seed=0):
    return np.random.default_rng(seed).uniform(-np.pi, np.pi, (count, circuit.n_params))


def fourier_applies(circuit):
    sizes = 2 * circuit.max_frequencies + 1
    return np.prod(sizes) <= qbp.fourier.MAX_COEFFICIENTS


DEFAULTS = [(n, L, s) for n in range(1, 5) for L in range(1, 5) for s in qbp.SHARING_SCHEMES]


@pytest.mark.parametrize("n,layers,sharing", DEFAULTS)
def test_default_circuits_engines_agree(n, layers, sharing):
    circuit = qbp.default_circuit(n, layers, sharing)
    cost = energy(n)
    pts = random_points(circuit, 2, seed=n * 100 + layers)
    v_ref, g_ref = qbp.evaluate(circuit, cost, pts, "reference")
    v_bat, g_bat = qbp.evaluate(circuit, cost, pts, "batched")
    assert np.max(np.abs(v_ref - v_bat)) <= TOL
    assert np.max(np.abs(g_ref - g_bat)) <= TOL
    if fourier_applies(circuit):
        v_fou, g_fou = qbp.evaluate(circuit, cost, pts, "fourier")
        assert np.max(np.abs(v_ref - v_fou)) <= TOL
        assert np.max(np.abs(g_ref - g_fou)) <= TOL
    else:  # too many coefficients: refused with a clear error, never a wrong answer
        with pytest.raises(ValueError, match="coefficients"):
            qbp.evaluate(circuit, cost, pts, "fourier")


@pytest.mark.parametrize("n,layers,sharing", [(2, 3, "type"), (3, 2, "layer"), (2, 1, "none")])
def test_landscapes_agree_on_grid(n, layers, sharing):
    circuit = qbp.default_circuit(n, layers, sharing)
    cost = energy(n)
    r = 5 if circuit.n_params > 2 else 7
    fou = qbp.sample_landscape(circuit, cost, r, "fourier")
    bat = qbp.sample_landscape(circuit, cost, r, "batched")
    assert fou.values.shape == (r,) * circuit.n_params
    assert fou.gradient.shape == (circuit.n_params,) + (r,) * circuit.n_params
    np.testing.assert_allclose(fou.values, bat.values, atol=TOL, rtol=0)
    np.testing.assert_allclose(fou.gradient, bat.gradient, atol=TOL, rtol=0)
    if circuit.n_params == 2:
        ref = qbp.sample_landscape(circuit, cost, 3, "reference")
        fou3 = qbp.sample_landscape(circuit, cost, 3, "fourier")
        np.testing.assert_allclose(fou3.values, ref.values, atol=TOL, rtol=0)
        np.testing.assert_allclose(fou3.gradient, ref.gradient, atol=TOL, rtol=0)


def random_circuit(seed):
    """A random circuit mixing parametrized RX/RY/RZ/PHASE-like gates, CZ, CNOT, H, fixed angles."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4))
    d = int(rng.integers(1, 4))
    gates = [Gate("RX", (q,), param=int(q % d)) for q in range(n)]  # every index used
    gates += [Gate("RY", (0,), param=k) for k in range(d)]
    for _ in range(8):
        kind = rng.choice(["RX", "RY", "RZ", "CZ", "CNOT", "H", "RXfixed", "CPHASE"])
        q = int(rng.integers(n))
        if kind in ("CZ", "CNOT", "CPHASE") and n < 2:
            continue
        other = int((q + 1 + rng.integers(n - 1)) % n) if n > 1 else q
        if kind == "RXfixed":
            gates.append(Gate("RX", (q,), angle=float(rng.uniform(-3, 3))))
        elif kind == "H":
            gates.append(Gate("SNOT", (q,)))
        elif kind in ("CZ", "CNOT"):
            gates.append(Gate(kind, (q,), (other,)))
        elif kind == "CPHASE":
            gates.append(Gate("CPHASE", (q,), (other,), param=int(rng.integers(d))))
        else:
            gates.append(Gate(kind, (q,), param=int(rng.integers(d))))
    return Circuit(n, gates)


def random_cost(circuit, seed):
    """Energy of a random Hermitian matrix, or infidelity to a random target."""
    dims = [2] * circuit.n_qubits
    if seed % 2:
        return qbp.InfidelityCost(qutip.rand_ket(dims, seed=seed))
    return qbp.EnergyCost(qutip.rand_herm(dims, seed=seed))


@pytest.mark.parametrize("seed", range(12))
def test_random_circuits_engines_agree(seed):
    circuit = random_circuit(seed)
    cost = random_cost(circuit, seed)
    pts = random_points(circuit, 3, seed)
    v_ref, g_ref = qbp.evaluate(circuit, cost, pts, "reference")
    for method in ("batched", "fourier"):
        v, g = qbp.evaluate(circuit, cost, pts, method)
        assert np.max(np.abs(v - v_ref)) <= TOL, method
        assert np.max(np.abs(g - g_ref)) <= TOL, method


def test_non_periodic_gate_is_refused_by_fourier_but_batched_is_exact():
    # CRX has generator eigenvalues {0, 0, ±1/2}: frequency 1/2, so the landscape is 4π-periodic.
    circuit = Circuit(2, [Gate("RY", (0,), param=0), Gate("CRX", (1,), (0,), param=0)])
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    assert not circuit.is_periodic()
    with pytest.raises(ValueError, match="2π-periodic"):
        qbp.sample_landscape(circuit, cost, 8, method="fourier")
    with pytest.raises(ValueError, match="2π-periodic"):
        qbp.evaluate(circuit, cost, [0.3], method="fourier")
    v_bat, g_bat = qbp.evaluate(circuit, cost, [0.3], method="batched")
    assert v_bat == pytest.approx(cost(circuit, [0.3]), abs=TOL)
    fd = qbp.finite_difference(circuit, cost, [0.3], h=1e-5)
    assert g_bat == pytest.approx(fd, abs=1e-8)


class TestHandDerived:
    """Circuits whose answers are known on paper."""

    def test_ry_expectation_z_is_cos(self):
        circuit = Circuit(1, [Gate("RY", (0,), param=0)])
        cost = qbp.EnergyCost(qutip.sigmaz())
        theta = np.linspace(-3, 3, 7)[:, None]
        for method in qbp.METHODS:
            v, g = qbp.evaluate(circuit, cost, theta, method)
            np.testing.assert_allclose(v, np.cos(theta[:, 0]), atol=1e-12)
            np.testing.assert_allclose(g[:, 0], -np.sin(theta[:, 0]), atol=1e-12)

    def test_fourier_coefficients_of_cos(self):
        circuit = Circuit(1, [Gate("RY", (0,), param=0)])
        series = qbp.fourier_series(circuit, qbp.EnergyCost(qutip.sigmaz()).matrix)
        np.testing.assert_allclose(series.coefficients, [0.5, 0, 0.5], atol=1e-14)

    def test_shared_parameter_doubles_frequency(self):
        # RY(θ)RY(θ) = RY(2θ): ⟨Z⟩ = cos 2θ, K = 2.
        circuit = Circuit(1, [Gate("RY", (0,), param=0), Gate("RY", (0,), param=0)])
        assert circuit.max_frequencies.tolist() == [2]
        land = qbp.sample_landscape(circuit, qbp.EnergyCost(qutip.sigmaz()), 12)
        np.testing.assert_allclose(land.values, np.cos(2 * land.axes[0]), atol=1e-12)
        np.testing.assert_allclose(land.gradient[0], -2 * np.sin(2 * land.axes[0]), atol=1e-12)

    def test_qubit_zero_is_leftmost(self):
        circuit = Circuit(2, [Gate("X", (0,))])
        state = qbp.statevector.simulate(circuit, np.zeros((1, 0)))[0]
        assert np.argmax(np.abs(state)) == 2  # |10⟩
        ref = circuit.state(np.zeros(0)).full().ravel()
        np.testing.assert_allclose(state, ref, atol=1e-14)

    def test_rotation_convention(self):
        # qutip-qip: RY(θ) = exp(−iθY/2)
        u = Circuit(1, [Gate("RY", (0,), param=0)]).unitary([0.7]).full()
        expected = (-1j * 0.7 / 2 * qutip.sigmay()).expm().full()
        np.testing.assert_allclose(u, expected, atol=1e-14)

    def test_resolution_can_be_below_twice_the_frequency(self):
        # No aliasing: the series is summed at the grid points, not folded into an FFT of length R.
        circuit = qbp.default_circuit(2, 3)
        cost = energy(2)
        for r in (2, 3, 4):
            fou = qbp.sample_landscape(circuit, cost, r, "fourier")
            bat = qbp.sample_landscape(circuit, cost, r, "batched")
            np.testing.assert_allclose(fou.values, bat.values, atol=TOL)
            np.testing.assert_allclose(fou.gradient, bat.gradient, atol=TOL)


def test_batched_is_chunked_consistently(monkeypatch):
    circuit = qbp.default_circuit(2, 2, "none")
    cost = energy(2)
    pts = random_points(circuit, 50)
    whole = qbp.evaluate(circuit, cost, pts, "batched")
    monkeypatch.setattr(qbp.statevector, "CHUNK_AMPLITUDES", 8)  # 2 points per chunk
    chunked = qbp.evaluate(circuit, cost, pts, "batched")
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_array_equal(whole[1], chunked[1])


def test_single_point_shapes():
    circuit = qbp.default_circuit(2, 1)
    v, g = qbp.evaluate(circuit, energy(2), [0.1, 0.2])
    assert np.ndim(v) == 0 and g.shape == (2,)
    v, g = qbp.evaluate(circuit, energy(2), [0.1, 0.2], with_gradient=False)
    assert g is None


def test_same_input_gives_bit_identical_output():
    circuit = qbp.default_circuit(3, 2, "layer")
    cost = energy(3)
    pts = random_points(circuit, 20)
    a = qbp.evaluate(circuit, cost, pts, "batched")
    b = qbp.evaluate(circuit, cost, pts, "batched")
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


# --- the cross-check the book runs (qbp.engines.cross_check) ---------------------------------

from qbp.engines import ENGINE_PAIRS, check_circuits, cross_check  # noqa: E402


def test_check_circuits():
    circuits = check_circuits(2, (1, 2))
    assert list(circuits) == [f"default, L = {L}, {s}" for L in (1, 2)
                              for s in ("type", "layer", "none")] + ["custom (H, RX, CZ, fixed RY)"]
    assert [c.n_params for c in circuits.values()] == [2, 4, 4, 2, 4, 8, 2]
    custom = circuits["custom (H, RX, CZ, fixed RY)"]
    assert custom.sharing_degree.tolist() == [2, 2]  # both parameters shared by the 2 qubits
    with pytest.raises(TypeError, match="layers"):
        check_circuits(2, 3)
    with pytest.raises(ValueError, match="n_qubits"):
        check_circuits(0)


def test_cross_check_reports_the_largest_differences():
    """The differences are the largest |a − b| over the same seeded points, recomputed here."""
    circuits = {"type": qbp.default_circuit(2, 2, "type"), "none": qbp.default_circuit(2, 1, "none")}
    cost = energy(2)
    check = cross_check(circuits, cost, n_points=6, seed=5, n_reference=3, chunk=4, progress=False)
    rng = np.random.default_rng(5)
    for c, circuit in enumerate(circuits.values()):
        pts = rng.uniform(-np.pi, np.pi, (6, circuit.n_params))
        out = {m: qbp.evaluate(circuit, cost, pts, m) for m in ("batched", "fourier")}
        out["reference"] = qbp.evaluate(circuit, cost, pts[:3], "reference")
        for p, (a, b) in enumerate(ENGINE_PAIRS):
            for k in range(2):
                expected = np.max(np.abs(out[a][k][:3 if "reference" in (a, b) else 6]
                                         - out[b][k][:3 if "reference" in (a, b) else 6]))
                assert check.differences[c, k, p] == pytest.approx(expected, abs=1e-15)
    assert check.worst_value <= TOL and check.worst_gradient <= TOL
    assert check.worst_value == np.max(check.differences[:, 0])
    assert check.refused == ({}, {}) and check.n_refused() == 0
    table = check.table()
    assert table.index.tolist() == ["type", "none"] and table[("", "d")].tolist() == [2, 4]
    assert list(table.columns[1:]) == [(k, f"{a} vs {b}") for k in ("value", "gradient")
                                       for a, b in ENGINE_PAIRS]
    assert check.to_dict()["n_reference"] == 3


def test_cross_check_records_refusals():
    """A CRX has frequencies 1/2 and 1: the Fourier engine and the reference engine's
    two-term shift rule refuse it; the reference values are still compared."""
    circuit = Circuit(2, [Gate("RY", 0, param=0), Gate("CRX", 1, controls=0, param=1)])
    check = cross_check({"crx": circuit}, energy(2), n_points=4, seed=0, progress=False)
    assert set(check.refused[0]) == {"fourier", "reference"}
    assert "2π-periodic" in check.refused[0]["fourier"]
    assert check.n_refused("fourier") == 1 and check.n_refused("batched") == 0
    value, gradient = check.differences[0]
    assert value[0] <= TOL and np.isnan(value[1:]).all() and np.isnan(gradient).all()
    # points span the CRX parameter's period 4π
    assert circuit.periods.tolist() == [2 * np.pi, 4 * np.pi]


def test_cross_check_bad_input():
    cost = energy(2)
    with pytest.raises(TypeError, match="circuits"):
        cross_check([qbp.default_circuit(2)], cost)
    with pytest.raises(ValueError, match="n_points"):
        cross_check({"a": qbp.default_circuit(2)}, cost, n_points=0)
    with pytest.raises(TypeError, match="seed"):
        cross_check({"a": qbp.default_circuit(2)}, cost, seed=None)
    with pytest.raises(ValueError):  # the cost acts on 2 qubits, the circuit on 3
        cross_check({"a": qbp.default_circuit(3)}, cost)
