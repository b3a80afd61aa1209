"""qbp.read_qasm (SPEC §13): real Qiskit files against Qiskit's numbers, hand-derived snippets,
every gate mapping against the OpenQASM 3 definitions, and every refusal with its line."""

import functools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.linalg import expm

import qbp
from qbp.qasm import QasmError, display_names

DATA = Path(__file__).parent.parent / "book" / "circuits"
REFERENCE = json.loads((DATA / "reference.json").read_text(encoding="utf-8"))
FILES = sorted(REFERENCE)
TOL = 1e-10


def cost_from_reference(entry) -> qbp.EnergyCost:
    """reference.json's observable ({"coeff", "paulis": {qubit: letter}}) through pauli_sum."""
    terms = [(t["coeff"], " ".join(f"{p}{q}" for q, p in t["paulis"].items()))
             for t in entry["observable"]]
    return qbp.EnergyCost(qbp.pauli_sum(terms, entry["n_qubits"]))


def points_in_declaration_order(circuit, entry) -> np.ndarray:
    """reference.json keys columns by name, Qiskit-sorted (_θ_10_ before _θ_2_): reorder them
    into the circuit's declaration order, by name."""
    columns = [entry["parameters_by_name"].index(name) for name in circuit.param_names]
    return np.asarray(entry["points_by_name"], dtype=float)[:, columns]


@functools.cache
def loaded(name):
    """(circuit, cost, points in declaration order, exact Fourier series) of a shipped file;
    the series of the 12-parameter file takes seconds, so it is built once."""
    entry = REFERENCE[name]
    circuit = qbp.read_qasm(DATA / name)
    cost = cost_from_reference(entry)
    return circuit, cost, points_in_declaration_order(circuit, entry), \
        qbp.fourier_series(circuit, cost.matrix)


def fourier_applies(circuit) -> bool:
    return circuit.is_periodic() and np.prod(2 * circuit.max_frequencies + 1) <= \
        qbp.fourier.MAX_COEFFICIENTS


def expectation(text, theta, observable, n_qubits=1):
    circuit = qbp.read_qasm(text)
    return qbp.EnergyCost(qbp.pauli_sum(observable, n_qubits))(circuit, np.atleast_1d(theta))


# ------------------------------------------------------------------ the Qiskit files
@pytest.mark.parametrize("name", FILES)
def test_reference_files_reproduce_qiskit(name):
    entry = REFERENCE[name]
    text = (DATA / name).read_text(encoding="utf-8")
    circuit = qbp.read_qasm(DATA / name)
    # Parameters in declaration order, names exactly as written (non-ASCII included).
    declared = re.findall(r"^input float\[64\] (\S+);", text, re.MULTILINE)
    assert circuit.param_names == tuple(declared)
    assert sorted(declared) == sorted(entry["parameters_by_name"])
    assert circuit.n_qubits == entry["n_qubits"]
    _, cost, points, series = loaded(name)
    expected = np.asarray(entry["expectation"])
    # Every shipped circuit is 2π-periodic with a small enough series: all three engines apply
    # (the fourier engine is qbp.evaluate(..., "fourier"), i.e. this series).
    assert fourier_applies(circuit)
    for method in ("reference", "batched"):
        values, _ = qbp.evaluate(circuit, cost, points, method, with_gradient=False)
        np.testing.assert_allclose(values, expected, atol=TOL, rtol=0, err_msg=method)
    np.testing.assert_allclose(series.evaluate(points)[0], expected, atol=TOL, rtol=0)
    if series.coefficients.size <= 20_000:  # the engine API too, where it is cheap
        values, _ = qbp.evaluate(circuit, cost, points, "fourier", with_gradient=False)
        np.testing.assert_allclose(values, expected, atol=TOL, rtol=0)


def test_reference_columns_are_not_in_declaration_order():
    # The mapping by name matters: Qiskit's string sort puts _θ_10_ before _θ_2_.
    entry = REFERENCE["two_local_ry_cz_4q_reps2.qasm"]
    circuit = qbp.read_qasm(DATA / "two_local_ry_cz_4q_reps2.qasm")
    assert list(circuit.param_names) != entry["parameters_by_name"]
    cost = cost_from_reference(entry)
    wrong = np.asarray(entry["points_by_name"], dtype=float)
    values, _ = qbp.evaluate(circuit, cost, wrong, "batched", with_gradient=False)
    assert np.max(np.abs(values - entry["expectation"])) > 1e-3


@pytest.mark.parametrize("name", FILES)
def test_reference_files_gradients_agree(name):
    circuit, cost, points, series = loaded(name)
    points = points[:2]
    _, g_ref = qbp.evaluate(circuit, cost, points, "reference")
    _, g_bat = qbp.evaluate(circuit, cost, points, "batched")
    _, g_fou = series.evaluate(points)
    np.testing.assert_allclose(g_bat, g_ref, atol=TOL, rtol=0)
    np.testing.assert_allclose(g_fou, g_ref, atol=TOL, rtol=0)
    for point, grad in zip(points, g_ref):
        fd = qbp.finite_difference(circuit, cost, point, h=1e-5)
        np.testing.assert_allclose(grad, fd, atol=1e-7, rtol=0)
    assert np.max(np.abs(g_ref)) > 1e-2  # not trivially zero


def test_qaoa_shares_parameters_with_scale_two():
    circuit = qbp.read_qasm(DATA / "qaoa_maxcut_ring4_p1.qasm")
    assert circuit.param_names == ("_β_0_", "_γ_0_")
    rz = [g for g in circuit.gates if g.name == "RZ"]
    rx = [g for g in circuit.gates if g.name == "RX"]
    # Four rzz(2*γ), each CNOT · RZ(2γ) · CNOT; four rx(2*β).
    assert [(g.param, g.scale, g.offset) for g in rz] == [(1, 2.0, 0.0)] * 4
    assert [(g.param, g.scale, g.offset) for g in rx] == [(0, 2.0, 0.0)] * 4
    assert sum(g.name == "CNOT" for g in circuit.gates) == 8
    assert [g.targets for g in rz] == [(1,), (2,), (3,), (3,)]
    np.testing.assert_array_equal(circuit.sharing_degree, [4, 4])
    # rzz(2γ) on an edge = exp(−iγ Z⊗Z): max frequency 2 per gate, 8 per parameter.
    np.testing.assert_array_equal(circuit.max_frequencies, [8, 8])


def test_qaoa_ring_energy_is_maxcut_hamiltonian():
    entry = REFERENCE["qaoa_maxcut_ring4_p1.qasm"]
    H = qbp.maxcut_hamiltonian([(0, 1), (1, 2), (2, 3), (3, 0)], 4)
    assert (H - cost_from_reference(entry).observable).norm("max") < 1e-14


# ----------------------------------------------------------------- hand-derived values
HEADER = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


@pytest.mark.parametrize("theta", [-2.5, 0.0, 0.4, 3.0])
def test_ry_expectation_is_cos(theta):
    text = HEADER + "input float[64] θ;\nqubit[1] q;\nry(θ) q[0];\n"
    assert expectation(text, theta, "Z0") == pytest.approx(np.cos(theta), abs=1e-12)
    assert expectation(text, theta, "X0") == pytest.approx(np.sin(theta), abs=1e-12)


@pytest.mark.parametrize("theta", [-1.1, 0.3, 2.0])
def test_affine_angle_rx(theta):
    text = HEADER + "input float[64] θ;\nqubit[1] q;\nrx(2*θ + pi/2) q[0];\n"
    circuit = qbp.read_qasm(text)
    (gate,) = circuit.gates
    assert (gate.name, gate.param, gate.scale, gate.offset) == ("RX", 0, 2.0, np.pi / 2)
    # RX(a)|0⟩: ⟨Z⟩ = cos a, ⟨Y⟩ = −sin a.
    assert expectation(text, theta, "Z0") == pytest.approx(np.cos(2 * theta + np.pi / 2), abs=1e-12)
    assert expectation(text, theta, "Y0") == pytest.approx(-np.sin(2 * theta + np.pi / 2), abs=1e-12)


@pytest.mark.parametrize("expr,scale,offset", [
    ("2*γ", 2.0, 0.0), ("pi + γ", 1.0, np.pi), ("-γ/2", -0.5, 0.0), ("2*(γ+1)", 2.0, 2.0),
    ("γ*2 - pi/4", 2.0, -np.pi / 4), ("γ", 1.0, 0.0), ("(γ - 3)/4", 0.25, -0.75),
    ("τ - γ", -1.0, 2 * np.pi), ("euler*γ", np.e, 0.0), ("float[64](γ) + 2**3", 1.0, 8.0),
    ("cos(0)*γ + π", 1.0, np.pi), ("-(-γ)", 1.0, 0.0), ("γ + γ", 2.0, 0.0),
])
def test_affine_expressions_evaluated_exactly(expr, scale, offset):
    circuit = qbp.read_qasm(HEADER + f"input angle[32] γ;\nqubit[1] q;\nrz({expr}) q[0];\n")
    (gate,) = circuit.gates
    assert gate.param == 0
    assert gate.scale == pytest.approx(scale, abs=1e-15)
    assert gate.offset == pytest.approx(offset, abs=1e-15)


@pytest.mark.parametrize("expr,value", [
    ("pi/2", np.pi / 2), ("π", np.pi), ("τ", 2 * np.pi), ("euler", np.e), ("-pi", -np.pi),
    ("2*(1+0.5)", 3.0), ("sqrt(2)", np.sqrt(2)), ("1e-3", 1e-3),
])
def test_constant_angles(expr, value):
    circuit = qbp.read_qasm(HEADER + f"qubit[1] q;\nrz({expr}) q[0];\n")
    (gate,) = circuit.gates
    assert gate.param is None and gate.angle == pytest.approx(value, abs=1e-15)


def test_non_integer_multiplier_is_not_2pi_periodic():
    text = HEADER + "input float[64] θ;\nqubit[1] q;\nrx(0.5*θ) q[0];\n"
    circuit = qbp.read_qasm(text)
    assert circuit.periods[0] == pytest.approx(4 * np.pi)
    assert not circuit.is_periodic()
    cost = qbp.EnergyCost(qbp.pauli_sum("Z0", 1))
    theta = np.array([[0.7], [-2.9], [5.0]])
    expected = np.cos(theta[:, 0] / 2)  # ⟨Z⟩ after RX(θ/2)
    for method in ("reference", "batched"):
        values, grads = qbp.evaluate(circuit, cost, theta, method)
        np.testing.assert_allclose(values, expected, atol=1e-12)
        np.testing.assert_allclose(grads[:, 0], -0.5 * np.sin(theta[:, 0] / 2), atol=1e-10)
    with pytest.raises(ValueError, match="2π-periodic"):
        qbp.evaluate(circuit, cost, theta, "fourier")
    # An irrational multiplier: no period at all.
    assert np.isinf(qbp.read_qasm(text.replace("0.5*θ", "sqrt(2)*θ")).periods[0])


def test_gate_definition_inside_gate_definition():
    text = HEADER + """input float[64] θ;
gate inner(a) x { rz(a) x; }
gate outer(b) x, y { h y; inner(2*b + pi) y; cx x, y; }
qubit[2] q;
outer(-θ/4) q[1], q[0];
"""
    circuit = qbp.read_qasm(text)
    names = [(g.name, g.targets, g.controls, g.param, g.scale, g.offset) for g in circuit.gates]
    # outer's y is q[0], x is q[1]; inner's a = 2·(−θ/4) + π = −θ/2 + π.
    assert names == [("SNOT", (0,), (), None, 1.0, 0.0), ("RZ", (0,), (), 0, -0.5, np.pi),
                     ("CNOT", (0,), (1,), None, 1.0, 0.0)]
    # ⟨X0⟩ before the CNOT: H then RZ(a) on |0⟩ gives ⟨X⟩ = cos a; the CNOT (control q1 = |0⟩)
    # does nothing.
    theta = 1.3
    assert expectation(text, theta, "X0", 2) == pytest.approx(np.cos(-theta / 2 + np.pi), abs=1e-12)


def test_file_definition_shadows_builtin():
    # A file may define its own rzz (Qiskit does); its definition is the one used.
    text = HEADER + "gate rzz(p) a, b { rx(p) b; }\ninput float[64] t;\nqubit[2] q;\nrzz(t) q[0], q[1];\n"
    (gate,) = qbp.read_qasm(text).gates
    assert (gate.name, gate.targets) == ("RX", (1,))


def test_non_ascii_names_kept():
    text = HEADER + "input float[64] _β_0_;\ninput angle[16] φ;\ninput float ψ_2;\n" \
        "qubit[1] q;\nrx(_β_0_) q[0];\nrz(φ) q[0];\nry(ψ_2) q[0];\n"
    circuit = qbp.read_qasm(text)
    assert circuit.param_names == ("_β_0_", "φ", "ψ_2")
    assert [g.param for g in circuit.gates] == [0, 1, 2]


def test_declaration_order_not_use_order():
    text = HEADER + "input float[64] b;\ninput float[64] a;\nqubit[1] q;\nrx(a) q[0];\nry(b) q[0];\n"
    circuit = qbp.read_qasm(text)
    assert circuit.param_names == ("b", "a")
    assert [(g.name, g.param) for g in circuit.gates] == [("RX", 1), ("RY", 0)]


def test_registers_concatenate_in_declaration_order():
    text = HEADER + "qubit[1] a;\nqubit[2] b;\nqubit c;\nx b[1];\nx c;\n"
    circuit = qbp.read_qasm(text)
    assert circuit.n_qubits == 4
    assert [g.targets for g in circuit.gates] == [(2,), (3,)]
    z = qbp.EnergyCost(qbp.pauli_sum("Z0 + 2 Z1 + 4 Z2 + 8 Z3", 4))
    assert z(circuit, np.zeros(0)) == pytest.approx(1 + 2 - 4 - 8, abs=1e-12)


def test_broadcast_slices_and_negative_index():
    text = HEADER + "qubit[3] q;\nh q;\nx q[0:1];\nz q[{0, 2}];\ny q[-1];\n"
    gates = [(g.name, g.targets) for g in qbp.read_qasm(text).gates]
    assert gates == [("SNOT", (0,)), ("SNOT", (1,)), ("SNOT", (2,)), ("X", (0,)), ("X", (1,)),
                     ("Z", (0,)), ("Z", (2,)), ("Y", (2,))]
    pairs = [g.controls + g.targets for g in qbp.read_qasm(
        HEADER + "qubit[2] a;\nqubit[2] b;\ncx a, b;\ncx a[0], b;\n").gates]
    assert pairs == [(0, 2), (1, 3), (0, 2), (0, 3)]


def test_physical_qubits():
    circuit = qbp.read_qasm("OPENQASM 3.0;\nx $2;\ncx $2, $0;\n")
    assert circuit.n_qubits == 3
    assert [(g.name, g.controls, g.targets) for g in circuit.gates] == \
        [("X", (), (2,)), ("CNOT", (2,), (0,))]


def test_final_measurements_barriers_and_initial_reset_ignored():
    text = HEADER + """input float[64] θ;
qubit[2] q;
bit[2] c;
reset q;
ry(θ) q[0];
barrier q;
c[0] = measure q[0];
x q[1];
measure q[1] -> c[1];
bit d = measure q[1];
gphase(θ);
"""
    circuit = qbp.read_qasm(text)
    assert [g.name for g in circuit.gates] == ["RY", "X"]
    assert expectation(text, 0.8, "Z0 + Z1", 2) == pytest.approx(np.cos(0.8) - 1, abs=1e-12)


def test_openqasm2():
    text = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
u3(0.3, 0.2, -0.1) q[0];
u2(0.5, 0.7) q[1];
cu1(pi/2) q[0], q[1];
CX q[1], q[0];
U(0.1, 0.2, 0.3) q[1];
measure q -> c;
"""
    circuit = qbp.read_qasm(text)
    assert circuit.n_params == 0 and circuit.n_qubits == 2
    u = lambda t, p, l: np.array([[np.cos(t / 2), -np.exp(1j * l) * np.sin(t / 2)],
                                  [np.exp(1j * p) * np.sin(t / 2),
                                   np.exp(1j * (p + l)) * np.cos(t / 2)]])
    cx10 = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]])
    expected = (np.kron(np.eye(2), u(0.1, 0.2, 0.3)) @ cx10 @ np.diag([1, 1, 1, 1j])
                @ np.kron(u(0.3, 0.2, -0.1), u(np.pi / 2, 0.5, 0.7)))
    assert_equal_up_to_phase(circuit.unitary(np.zeros(0)).full(), expected)


def test_openqasm2_has_no_free_parameters():
    text = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nrx(theta) q[0];\n'
    with pytest.raises(ValueError, match=r"line 4: unknown identifier 'theta'.*OpenQASM 2"):
        qbp.read_qasm(text)


# -------------------------------------------------------------- gate table vs OpenQASM 3
I2 = np.eye(2)
X = np.array([[0, 1], [1, 0]], complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0 + 0j, -1.0])
H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
SX = np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]]) / 2
SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], complex)


def rot(pauli, t):
    return expm(-0.5j * t * pauli)


def phase(lam):
    return np.diag([1, np.exp(1j * lam)])


def U(t, p, l):  # OpenQASM 3 built-in U
    return np.array([[np.cos(t / 2), -np.exp(1j * l) * np.sin(t / 2)],
                     [np.exp(1j * p) * np.sin(t / 2), np.exp(1j * (p + l)) * np.cos(t / 2)]])


def ctrl(u, n_controls=1):
    d = u.shape[0] * 2 ** n_controls
    out = np.eye(d, dtype=complex)
    out[d - u.shape[0]:, d - u.shape[0]:] = u
    return out


# name, angles, expected matrix (first operand = leftmost factor) per the stdgates.inc
# definitions (OpenQASM 3 spec) and Qiskit's rzz/rxx/ryy/rzx.
GATES = [
    ("x", [], X), ("y", [], Y), ("z", [], Z), ("h", [], H), ("s", [], phase(np.pi / 2)),
    ("sdg", [], phase(-np.pi / 2)), ("t", [], phase(np.pi / 4)), ("tdg", [], phase(-np.pi / 4)),
    ("sx", [], SX), ("sxdg", [], SX.conj().T), ("id", [], I2),
    ("rx", [0.7], rot(X, 0.7)), ("ry", [-1.2], rot(Y, -1.2)), ("rz", [2.5], rot(Z, 2.5)),
    ("p", [0.9], phase(0.9)), ("phase", [-0.4], phase(-0.4)), ("u1", [1.1], phase(1.1)),
    ("U", [0.3, -0.8, 1.9], U(0.3, -0.8, 1.9)), ("u", [2.1, 0.4, -0.6], U(2.1, 0.4, -0.6)),
    ("u3", [-0.5, 1.0, 0.2], U(-0.5, 1.0, 0.2)), ("u2", [0.3, 0.8], U(np.pi / 2, 0.3, 0.8)),
    ("cx", [], ctrl(X)), ("CX", [], ctrl(X)), ("cy", [], ctrl(Y)), ("cz", [], ctrl(Z)),
    ("ch", [], ctrl(H)), ("swap", [], SWAP),
    ("cp", [0.6], ctrl(phase(0.6))), ("cphase", [-1.3], ctrl(phase(-1.3))),
    ("cu1", [2.2], ctrl(phase(2.2))),
    ("crx", [0.8], ctrl(rot(X, 0.8))), ("cry", [-2.0], ctrl(rot(Y, -2.0))),
    ("crz", [1.4], ctrl(rot(Z, 1.4))),
    ("rzz", [0.9], rot(np.kron(Z, Z), 0.9)), ("rxx", [-0.7], rot(np.kron(X, X), -0.7)),
    ("ryy", [1.6], rot(np.kron(Y, Y), 1.6)), ("rzx", [0.5], rot(np.kron(Z, X), 0.5)),
    ("ccx", [], ctrl(X, 2)), ("cswap", [], ctrl(SWAP)),
]


def assert_equal_up_to_phase(actual, expected):
    """Equal up to a global phase (which changes no expectation value)."""
    k = np.argmax(np.abs(expected))
    ph = actual.flat[k] / expected.flat[k]
    assert abs(abs(ph) - 1) < 1e-12
    np.testing.assert_allclose(actual, ph * expected, atol=1e-12, rtol=0)


def _snippet(name, angles, n_qubits, declare=""):
    args = f"({', '.join(angles)})" if angles else ""
    ops = ", ".join(f"q[{k}]" for k in range(n_qubits))
    return HEADER + declare + f"qubit[{n_qubits}] q;\n{name}{args} {ops};\n"


@pytest.mark.parametrize("name,angles,expected", GATES, ids=[g[0] for g in GATES])
def test_gate_matches_openqasm_definition(name, angles, expected):
    n = int(np.log2(expected.shape[0]))
    circuit = qbp.read_qasm(_snippet(name, [repr(a) for a in angles], n))
    assert_equal_up_to_phase(circuit.unitary(np.zeros(0)).full(), expected)


PARAMETRIZED = [(name, angles) for name, angles, _ in GATES if angles]


@pytest.mark.parametrize("name,angles", PARAMETRIZED, ids=[g[0] for g in PARAMETRIZED])
def test_parametrized_gate_matches_openqasm_definition(name, angles):
    # Every angle slot in turn holds the parameter as 2*t - 0.3 (the others fixed).
    expected_of = {g[0]: g for g in GATES}
    n = int(np.log2(expected_of[name][2].shape[0]))
    builder = {"rx": lambda a: rot(X, a[0]), "ry": lambda a: rot(Y, a[0]),
               "rz": lambda a: rot(Z, a[0]), "p": lambda a: phase(a[0]),
               "phase": lambda a: phase(a[0]), "u1": lambda a: phase(a[0]),
               "U": lambda a: U(*a), "u": lambda a: U(*a), "u3": lambda a: U(*a),
               "u2": lambda a: U(np.pi / 2, *a), "cp": lambda a: ctrl(phase(a[0])),
               "cphase": lambda a: ctrl(phase(a[0])), "cu1": lambda a: ctrl(phase(a[0])),
               "crx": lambda a: ctrl(rot(X, a[0])), "cry": lambda a: ctrl(rot(Y, a[0])),
               "crz": lambda a: ctrl(rot(Z, a[0])), "rzz": lambda a: rot(np.kron(Z, Z), a[0]),
               "rxx": lambda a: rot(np.kron(X, X), a[0]),
               "ryy": lambda a: rot(np.kron(Y, Y), a[0]),
               "rzx": lambda a: rot(np.kron(Z, X), a[0])}[name]
    for slot in range(len(angles)):
        texts = [repr(a) for a in angles]
        texts[slot] = "2*t - 0.3"
        circuit = qbp.read_qasm(_snippet(name, texts, n, "input float[64] t;\n"))
        assert circuit.n_params == 1
        for t in (0.45, -1.7):
            values = list(angles)
            values[slot] = 2 * t - 0.3
            assert_equal_up_to_phase(circuit.unitary([t]).full(), builder(values))


def test_u_with_one_parameter_in_every_slot():
    text = HEADER + "input float[64] t;\nqubit[1] q;\nu(t, 2*t, -t) q[0];\n"
    circuit = qbp.read_qasm(text)
    assert [(g.name, g.scale) for g in circuit.gates] == [("RZ", -1.0), ("RY", 1.0), ("RZ", 2.0)]
    assert_equal_up_to_phase(circuit.unitary([0.9]).full(), U(0.9, 1.8, -0.9))
    # Constant zero rotations are left out: u(t, 0, 0) = RY(t).
    ry_only = qbp.read_qasm(HEADER + "input float[64] t;\nqubit[1] q;\nu(t, 0, 0) q[0];\n")
    assert [(g.name, g.param) for g in ry_only.gates] == [("RY", 0)]


def test_reversed_operands():
    circuit = qbp.read_qasm(HEADER + "qubit[2] q;\ncx q[1], q[0];\n")
    assert_equal_up_to_phase(circuit.unitary(np.zeros(0)).full(), SWAP @ ctrl(X) @ SWAP)


# -------------------------------------------------------------------------- refusals
REFUSALS = [
    ("bit[1] c;\nmeasure q[0] -> c[0];\nx q[0];\n", 8, "mid-circuit measurement"),
    ("bit[1] c;\nc[0] = measure q[1];\ncx q[0], q[1];\n", 8, "mid-circuit measurement"),
    ("bit[1] c;\nc[0] = measure q[0];\nif (c[0]) x q[1];\n", 8, r"classical control \(if\)"),
    ("while (true) { x q[0]; }\n", 6, "while loop"),
    ("for int i in [0:1] { x q[i]; }\n", 6, "for loop"),
    ("x q[0];\nreset q[0];\n", 7, "mid-circuit reset"),
    ("rx(θ + φ) q[0];\n", 6, r"angle 1·θ \+ 1·φ of gate 'rx' depends on several parameters"),
    ("rx(θ*θ) q[0];\n", 6, r"'θ \* θ' multiplies parameters"),
    ("rx(sin(θ)) q[0];\n", 6, r"'sin\(θ\)' is a non-affine function"),
    ("rx(θ**2) q[0];\n", 6, "raises a parameter to a power"),
    ("rx(1/θ) q[0];\n", 6, "divides by a parameter"),
    ("rx(1/0) q[0];\n", 6, "division by zero"),
    ("foo q[0];\n", 6, "unknown gate 'foo'"),
    ("rx q[0];\n", 6, r"gate 'rx' takes 1 angle\(s\) and 1 qubit\(s\), got 0 and 1"),
    ("cx q[0];\n", 6, r"takes 0 angle\(s\) and 2 qubit\(s\)"),
    ("cx q[0], q[0];\n", 6, "same qubit twice"),
    ("h q[7];\n", 6, "qubit index 7 is out of range"),
    ("h r[0];\n", 6, "unknown qubit register 'r'"),
    ("ctrl @ rx(θ) q[0], q[1];\n", 6, r"gate modifier ctrl @"),
    ("inv @ h q[0];\n", 6, r"gate modifier inv @"),
    ("const float c = 2*θ;\n", 6, r"const c = 2 \* θ depends on an input parameter"),
    ("int[32] k = 1;\n", 6, "classical variable 'k' of type int"),
    ("output float[64] y;\n", 6, "output declaration 'y'"),
    ('include "mygates.inc";\n', 6, r'include "mygates.inc" is not supported'),
    ("rx(1im) q[0];\n", 6, "not supported in an angle"),
    ("gate g(a) x { rx(a + θ) x; }\ng(θ) q[0];\n", 6, "gate 'g' uses input 'θ' in its body"),
    ("gate g x { foo x; }\n", 6, "unknown gate 'foo'"),
    ("input int[8] n;\n", 6, "input 'n' has type int"),
    ("qubit[2] q;\n", 6, "declared twice"),
    ("def f() { }\n", 6, "subroutine definition"),
    ("h q[θ];\n", 6, r"qubit index = θ depends on an input parameter"),
    ("qubit[2*φ] r;\n", 6, r"register size = 2 \* φ depends on an input parameter"),
]


@pytest.mark.parametrize("body,line,message", REFUSALS, ids=[r[2][:30] for r in REFUSALS])
def test_refusals_name_the_line(body, line, message):
    text = HEADER + "input float[64] θ;\ninput float[64] φ;\nqubit[2] q;\n" + body
    # The inputs are used, so only the construct under test is wrong.
    text += "rx(θ) q[1];\nry(φ) q[1];\n"
    with pytest.raises(ValueError) as info:
        qbp.read_qasm(text)
    msg = str(info.value)
    assert isinstance(info.value, QasmError) and info.value.line == line
    assert msg.startswith(f"<qasm text>, line {line}: ")
    assert re.search(message, msg), msg
    assert "\n" not in msg


def test_two_parameters_through_a_gate_definition():
    text = HEADER + """input float[64] a;
input float[64] b;
gate g(x, y) r { rz(x + y) r; }
qubit[1] q;
g(a, pi) q[0];
g(a, b) q[0];
"""
    with pytest.raises(ValueError, match=r"line 5: the angle 1·a \+ 1·b of gate 'rz' depends on "
                                         r"several parameters \(a, b\).*\(in gate 'g', called "
                                         r"at line 8\)"):
        qbp.read_qasm(text)


def test_unused_input_refused():
    text = HEADER + "input float[64] a;\ninput float[64] b;\nqubit[1] q;\nrx(a) q[0];\n"
    with pytest.raises(ValueError, match=r"line 4: input 'b' is used by no gate angle"):
        qbp.read_qasm(text)
    # A parameter that cancels out is unused too.
    with pytest.raises(ValueError, match="input 'a' is used by no gate"):
        qbp.read_qasm(HEADER + "input float[64] a;\nqubit[1] q;\nrx(a - a + 1) q[0];\n")


def test_no_qubits_refused():
    with pytest.raises(ValueError, match="declares no qubits"):
        qbp.read_qasm(HEADER)


def test_too_many_qubits_refused():
    with pytest.raises(ValueError, match=r"line 3: .*declares 17 qubits"):
        qbp.read_qasm(HEADER + "qubit[17] q;\n")


@pytest.mark.parametrize("text,line,message", [
    ("OPENQASM 3.0;\nqubit[2] q;\nh q[0]\nx q[1];\n", 4, "missing ';'"),
    ("OPENQASM 3.0;\nqubit[2] q;\nh q[0] $ ;\n", 3, "token recognition error"),
    ("OPENQASM 3.0;\nqubit[1] q;\nrx(0.1 q[0];\n", 3, "no viable alternative"),
    ("OPENQASM 3.0;\nqubit[1] q;\ngate g a { measure a; }\n", 3, "measure"),
])
def test_syntax_errors_are_value_errors_with_line_and_no_stderr(text, line, message, capfd):
    with pytest.raises(ValueError) as info:
        qbp.read_qasm(text)
    msg = str(info.value)
    assert msg.startswith(f"<qasm text>, line {line}: syntax error")
    assert message in msg and "\n" not in msg
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # ANTLR's console listener output was captured


# ------------------------------------------------------------------- path or text
def test_path_forms(tmp_path):
    text = HEADER + "input float[64] θ;\nqubit[1] q;\nry(θ) q[0];\n"
    path = tmp_path / "c.qasm"
    path.write_text(text, encoding="utf-8")
    expected = qbp.read_qasm(text)
    assert qbp.read_qasm(path) == expected
    assert qbp.read_qasm(str(path)) == expected
    other = tmp_path / "circuit.txt"  # an existing file is a path whatever its suffix
    other.write_text(text, encoding="utf-8")
    assert qbp.read_qasm(str(other)) == expected


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.qasm"
    path.write_text(HEADER + "qubit[1] q;\nfoo q[0];\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 4: unknown gate 'foo'")):
        qbp.read_qasm(path)


@pytest.mark.parametrize("name", ["missing.qasm", "some/dir/circuit", "x.QASM"])
def test_missing_file(tmp_path, name):
    path = str(tmp_path / name)
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        qbp.read_qasm(path)


def test_error_survives_pickling():
    import pickle

    with pytest.raises(QasmError) as info:
        qbp.read_qasm(HEADER + "qubit[1] q;\nfoo q[0];\n")
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value) and again.line == 4


def test_not_text_or_path():
    with pytest.raises(TypeError, match="path_or_text"):
        qbp.read_qasm(b"OPENQASM 3.0;")


# ------------------------------------------------------------------ names for display
@pytest.mark.parametrize("names, shown", [
    (["_γ_0_", "_β_1_"], ("γ₀", "β₁")),  # Qiskit's escape of γ[0], β[1]
    (["_θ_10_", "theta_12_"], ("θ₁₀", "theta₁₂")),  # two digits; ASCII names keep no "_"
    (["_γ_0_·2", "_γ_0_·1"], ("γ₀·2", "γ₀·1")),  # qbp.report.unshared's names
    (["theta_1_2_"], ("theta_1₂",)),  # Qiskit's escape of theta_1[2]
    (["x", "a_b", "x_1_y", "_1_", "θ0"], ("x", "a_b", "x_1_y", "_1_", "θ0")),  # not escapes
    (["_γ_0_", "γ_0_"], ("_γ_0_", "γ_0_")),  # both would read γ₀: shown as written
    ([], ()),
])
def test_display_names(names, shown):
    assert display_names(names) == shown


def test_display_names_of_a_qiskit_file_keep_the_circuit_names():
    circuit = qbp.read_qasm(DATA / "qaoa_maxcut_ring4_p2.qasm")
    assert circuit.param_names == ("_β_0_", "_β_1_", "_γ_0_", "_γ_1_")  # the data: as written
    assert display_names(circuit.param_names) == ("β₀", "β₁", "γ₀", "γ₁")


@pytest.mark.parametrize("bad", ["_γ_0_", ["a", 1]])
def test_display_names_bad_input(bad):
    with pytest.raises(TypeError, match="names"):
        display_names(bad)
