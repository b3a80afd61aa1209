"""Parameter-shared circuits: n qubits and an ordered gate list (SPEC §2, §10).

A parametrized gate names the index of the free parameter it uses, so sharing is
simply several gates naming one index. Gates are qutip-qip gates, addressed by name;
qubit 0 is the leftmost (most significant) tensor factor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Sequence

import numpy as np
import qutip
from qutip_qip.circuit import QubitCircuit

from ._checks import check_int, check_real, check_reals

__all__ = ["Gate", "Circuit", "default_circuit", "sharing_table", "MAX_QUBITS", "SHARING_SCHEMES",
           "GateSpectrum"]

#: Largest register qbp simulates (state vectors of 2**MAX_QUBITS amplitudes per point).
MAX_QUBITS = 16

#: Sharing schemes of the default circuit (SPEC §2).
SHARING_SCHEMES = ("type", "layer", "none")

_PARAM_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Gate:
    """One gate: a qutip-qip gate ``name`` on ``targets`` (and ``controls``).

    ``param`` is the index of the free parameter the gate's angle depends on; the angle is
    ``scale * theta[param] + offset`` (rad), an affine expression such as ``2*γ`` or
    ``pi + θ`` (SPEC §13). ``angle`` is a fixed angle instead (a float, or a list for
    multi-angle gates). A gate has at most one of ``param`` and ``angle``; ``scale`` and
    ``offset`` belong to ``param``.

    A non-integer ``scale`` scales the gate's frequencies, so the landscape along that
    parameter may not be 2π-periodic: :attr:`Circuit.periods` gives each parameter's period.
    """

    name: str
    targets: tuple[int, ...]
    controls: tuple[int, ...] = ()
    param: int | None = None
    angle: float | tuple[float, ...] | None = None
    scale: float = 1.0
    offset: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a qutip-qip gate name (str), got {self.name!r}")
        object.__setattr__(self, "targets", _qubit_tuple(self.targets, "targets"))
        object.__setattr__(self, "controls", _qubit_tuple(self.controls, "controls"))
        if not self.targets:
            raise ValueError(f"targets of gate {self.name} must name at least one qubit")
        if set(self.targets) & set(self.controls) or len(set(self.qubits)) != len(self.qubits):
            raise ValueError(f"targets and controls of gate {self.name} must be distinct qubits")
        if self.param is not None:
            object.__setattr__(self, "param",
                               check_int(self.param, f"param of gate {self.name}", minimum=0))
            if self.angle is not None:
                raise ValueError(f"gate {self.name} has both param and angle; give one")
        for field_name in ("scale", "offset"):
            object.__setattr__(self, field_name, check_real(getattr(self, field_name),
                                                            f"{field_name} of gate {self.name}"))
        if self.param is None and (self.scale != 1.0 or self.offset != 0.0):
            raise ValueError(f"gate {self.name}: scale and offset need a param (the angle "
                             f"is scale·θ[param] + offset)")
        if self.param is not None and self.scale == 0.0:
            raise ValueError(f"gate {self.name}: scale must not be 0 (the gate would not "
                             f"depend on parameter {self.param}; give a fixed angle instead)")
        if self.angle is not None:
            angle = check_reals(self.angle, f"angle of gate {self.name}")
            value = float(angle) if angle.ndim == 0 else tuple(float(a) for a in angle.ravel())
            object.__setattr__(self, "angle", value)
        try:  # fail early on names qutip-qip does not know, or wrong qubit counts
            self.matrix(0.0 if self.param is not None else None)
        except ValueError:
            raise
        except Exception as exc:
            raise ValueError(f"gate {self.name!r} on targets={self.targets}, controls="
                             f"{self.controls} is not a valid qutip-qip gate: {exc}") from exc

    @property
    def qubits(self) -> tuple[int, ...]:
        """The qubits the gate acts on, controls first (qutip-qip's compact-matrix order)."""
        return self.controls + self.targets

    def angle_at(self, theta) -> float | tuple[float, ...] | None:
        """The gate's angle at parameters ``theta`` (shape (d,)): ``scale·θ[param] + offset``,
        or the fixed ``angle``."""
        if self.param is None:
            return self.angle
        return self.scale * float(theta[self.param]) + self.offset

    def expression(self, name: str | None = None) -> str:
        """The angle as text, e.g. ``2·γ + 0.5`` (``name`` defaults to θₖ)."""
        if name is None:
            name = f"θ{str(self.param).translate(_PARAM_SUB)}"
        text = name if self.scale == 1 else (f"−{name}" if self.scale == -1
                                              else f"{self.scale:g}·{name}")
        if self.offset:
            text += f" {'+' if self.offset > 0 else '−'} {abs(self.offset):.4g}"
        return text

    def to_qutip(self, angle=None, label: bool | str = False):
        """This gate as a qutip-qip gate object, with ``angle`` (the gate's own angle, rad)
        for a parametrized gate. ``label``: True labels the gate with its angle expression,
        a string labels it with that parameter name."""
        value = self.angle if self.param is None else angle
        arg_label = None
        if label and self.param is not None:
            arg_label = f"{self.name}({self.expression(label if isinstance(label, str) else None)})"
        qc = QubitCircuit(max(self.qubits) + 1)
        try:
            qc.add_gate(
                self.name,
                targets=list(self.targets),
                controls=list(self.controls) or None,
                arg_value=list(value) if isinstance(value, tuple) else value,
                arg_label=arg_label,
            )
        except Exception as exc:  # qutip-qip raises assorted types for bad gates
            raise ValueError(f"gate {self.name!r} on targets={self.targets}, "
                             f"controls={self.controls} is not a valid qutip-qip gate: {exc}") from exc
        return qc.gates[0]

    def matrix(self, angle=None) -> np.ndarray:
        """Dense compact matrix on ``self.qubits`` (shape (2**k, 2**k)), via qutip-qip."""
        return self.to_qutip(angle).get_compact_qobj().full()

    def to_dict(self) -> dict:
        """JSON-ready description (see :meth:`from_dict`); ``scale`` and ``offset`` only when
        they differ from 1 and 0."""
        d = {"name": self.name, "targets": list(self.targets), "controls": list(self.controls),
             "param": self.param,
             "angle": list(self.angle) if isinstance(self.angle, tuple) else self.angle}
        if self.scale != 1.0:
            d["scale"] = self.scale
        if self.offset != 0.0:
            d["offset"] = self.offset
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Gate":
        return cls(d["name"], tuple(d["targets"]), tuple(d.get("controls", ())),
                   d.get("param"), d.get("angle"), d.get("scale", 1.0), d.get("offset", 0.0))


@dataclass(frozen=True)
class GateSpectrum:
    """A parametrized gate written as U(θ) = V diag(exp(−iθλ)) V† (λ: generator eigenvalues)."""

    eigvals: np.ndarray  # (m,) real
    eigvecs: np.ndarray  # (m, m) unitary

    @property
    def spread(self) -> float:
        """Largest frequency the gate adds to its parameter: max λ − min λ."""
        return float(self.eigvals.max() - self.eigvals.min())

    @property
    def frequencies(self) -> np.ndarray:
        """Distinct positive differences of eigenvalues (the gate's frequencies, rad⁻¹)."""
        diffs = np.abs(self.eigvals[:, None] - self.eigvals[None, :]).ravel()
        diffs = np.unique(np.round(diffs, 9))
        return diffs[diffs > 1e-9]

    def is_integer(self) -> bool:
        """True if every frequency is an integer, i.e. the gate is 2π-periodic up to phase."""
        freqs = self.frequencies
        return bool(np.all(np.abs(freqs - np.round(freqs)) < 1e-9))


@functools.lru_cache(maxsize=None)
def _spectrum(name: str, n_controls: int, n_targets: int) -> GateSpectrum:
    """The generator spectrum of a gate kind (name and qubit counts), computed once per process:
    the compact matrix, and so the spectrum, does not depend on which qubits the gate acts on."""
    gate = Gate(name, tuple(range(n_controls, n_controls + n_targets)), tuple(range(n_controls)),
                param=0)
    return _gate_spectrum(gate)


def _gate_spectrum(gate: Gate) -> GateSpectrum:
    """Generator of a one-angle gate, from qutip-qip matrices, verified at several angles.

    U(θ) = exp(−iθA) is assumed; A = i·log U(θ₀)/θ₀ at a small θ₀ (no branch cut for
    |λ| < π/θ₀) and the family is then checked against qutip-qip at other angles.
    """
    from scipy.linalg import eigh, logm

    theta0 = 0.25
    u0 = gate.matrix(theta0)
    a = 1j * logm(u0) / theta0
    a = (a + a.conj().T) / 2
    eigvals, eigvecs = eigh(a)
    # Snap round-off: generators of standard gates have eigenvalues like 0, ±1/2, ±1, ±1/4.
    snapped = np.round(eigvals * 48) / 48
    eigvals = np.where(np.abs(snapped - eigvals) < 1e-9, snapped, eigvals)
    for theta in (1.3, -2.2, 3.0, 0.0):
        model = (eigvecs * np.exp(-1j * theta * eigvals)) @ eigvecs.conj().T
        if not np.allclose(model, gate.matrix(theta), atol=1e-10, rtol=0):
            raise ValueError(
                f"gate {gate.name!r} with param={gate.param} is not a one-parameter rotation "
                f"exp(−iθA); qbp can use it only with a fixed angle")
    return GateSpectrum(eigvals, eigvecs)


class Circuit:
    """An n-qubit circuit: an ordered list of :class:`Gate`, started from |0…0⟩.

    ``n_params`` is one more than the largest parameter index; every index below it must
    be used by at least one gate (a free parameter that nothing uses is almost always a bug).
    ``param_names`` names the free parameters (default ``θ₀``, ``θ₁``, …); a circuit read
    from OpenQASM keeps the names of its ``input`` declarations.
    """

    def __init__(self, n_qubits: int, gates: Sequence[Gate], n_params: int | None = None,
                 param_names: Sequence[str] | None = None):
        self.n_qubits = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
        gates = tuple(gates)
        for g in gates:
            if not isinstance(g, Gate):
                raise TypeError(f"gates must be qbp.Gate objects, got {type(g).__name__}")
            if max(g.qubits) >= self.n_qubits:
                raise ValueError(f"gate {g.name} acts on qubit {max(g.qubits)} but the circuit "
                                 f"has n_qubits={self.n_qubits}")
        self.gates = gates
        used = sorted({g.param for g in gates if g.param is not None})
        n_used = used[-1] + 1 if used else 0
        n_params = n_used if n_params is None else check_int(n_params, "n_params", minimum=0)
        if n_params < n_used:
            raise ValueError(f"a gate names parameter index {n_used - 1}, but n_params={n_params}")
        missing = sorted(set(range(n_params)) - set(used))
        if missing:
            raise ValueError(f"parameter indices {missing} are used by no gate; indices must be "
                             f"0..n_params-1 with each one used")
        self.n_params = int(n_params)
        if param_names is None:
            param_names = _default_names(self.n_params)
        if isinstance(param_names, str) or not all(isinstance(p, str) and p for p in param_names):
            raise TypeError(f"param_names must be a sequence of non-empty strings, got {param_names!r}")
        param_names = tuple(param_names)
        if len(param_names) != self.n_params or len(set(param_names)) != self.n_params:
            raise ValueError(f"param_names must give {self.n_params} distinct names, got {param_names!r}")
        self.param_names = param_names
        _ = self.spectra  # fail early on parametrized gates that are not rotations

    # ----------------------------------------------------------------- structure
    @property
    def dim(self) -> int:
        return 2 ** self.n_qubits

    @cached_property
    def spectra(self) -> tuple[GateSpectrum | None, ...]:
        """Per gate: its generator spectrum if parametrized, else None."""
        return tuple(None if g.param is None else _spectrum(g.name, len(g.controls), len(g.targets))
                     for g in self.gates)

    def param_gates(self, k: int) -> list[int]:
        """Indices of the gates that use free parameter ``k``."""
        return [i for i, g in enumerate(self.gates) if g.param == k]

    @property
    def sharing_degree(self) -> np.ndarray:
        """Parametrized gates per free parameter, shape (n_params,)."""
        return np.bincount([g.param for g in self.gates if g.param is not None],
                           minlength=self.n_params)

    @property
    def max_frequencies(self) -> np.ndarray:
        """K_k: the largest frequency of the landscape along each parameter, shape (d,)
        (rad⁻¹): the sum over the gates using θ_k of |scale| × their eigenvalue spread."""
        k = np.zeros(self.n_params)
        for g, s in zip(self.gates, self.spectra):
            if s is not None:
                k[g.param] += abs(g.scale) * s.spread
        return k

    def gate_frequencies(self, index: int) -> np.ndarray:
        """The frequencies (rad⁻¹) gate ``index`` adds to its parameter: its generator's
        eigenvalue differences times |scale|; empty for a fixed gate."""
        gate, spec = self.gates[index], self.spectra[index]
        if spec is None:
            return np.zeros(0)
        return abs(gate.scale) * spec.frequencies

    @cached_property
    def periods(self) -> np.ndarray:
        """The period of the landscape along each parameter, shape (d,), in radians.

        2π where every gate using θ_k has integer frequencies (SPEC §1: the grid spans
        [−π, π)); otherwise 2π / G with G the greatest common divisor of the gates'
        (rational) frequencies — 4π for a CRX, whose frequencies are ½ and 1; ``inf`` when the
        frequencies have no common divisor (an irrational ratio): the landscape along θ_k
        is then not periodic at all. A period is a true period of the cost; it need not be
        the smallest one.
        """
        out = np.full(self.n_params, 2 * np.pi)
        for k in range(self.n_params):
            freqs = np.concatenate([self.gate_frequencies(i) for i in self.param_gates(k)])
            freqs = freqs[freqs > 1e-9]
            if np.all(np.abs(freqs - np.round(freqs)) < 1e-9):
                continue
            fractions = []
            for f in freqs:
                frac = Fraction(float(f)).limit_denominator(720)
                if abs(float(frac) - f) > 1e-9:
                    out[k] = np.inf
                    break
                fractions.append(frac)
            else:
                common = fractions[0]
                for frac in fractions[1:]:
                    common = _fraction_gcd(common, frac)
                out[k] = 2 * np.pi / float(common)
        out.setflags(write=False)
        return out

    def is_periodic(self) -> bool:
        """True if the landscape is 2π-periodic in every parameter (every gate's frequencies,
        scaled by its ``scale``, are integers): what the fourier engine and SPEC §1's grid
        on [−π, π) assume."""
        return bool(np.all(self.periods == 2 * np.pi))

    # --------------------------------------------------------------- evaluation
    def check_theta(self, theta, name: str = "theta") -> np.ndarray:
        """``theta`` as a float array of shape (d,) or (B, d); clear errors otherwise."""
        try:
            raw = np.asarray(theta)
            if raw.dtype.kind == "c":  # a silent cast would drop the imaginary part
                raise TypeError(f"{name} must be real, got complex values")
            if raw.dtype.kind not in "iuf":
                raise ValueError
            arr = raw.astype(float)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, TypeError) and "complex" in str(exc):
                raise
            raise TypeError(f"{name} must be an array of real numbers, got "
                            f"{type(theta).__name__}") from None
        if arr.ndim not in (1, 2) or arr.shape[-1] != self.n_params:
            raise ValueError(f"{name} must have shape ({self.n_params},) or (B, {self.n_params}) "
                             f"for this circuit, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values")
        return arr

    def gate_angles(self, theta) -> list:
        """The angle of every gate at parameters ``theta`` (shape (d,))."""
        theta = self.check_theta(theta)
        if theta.ndim != 1:
            raise ValueError(f"theta must have shape ({self.n_params},), got {theta.shape}")
        return [g.angle_at(theta) for g in self.gates]

    def to_qutip(self, theta, label: bool = False) -> QubitCircuit:
        """The circuit at parameters ``theta`` as a qutip-qip ``QubitCircuit``; ``label``
        labels parametrized gates with their angle expressions in the parameter names."""
        qc = QubitCircuit(self.n_qubits)
        for g, a in zip(self.gates, self.gate_angles(theta)):
            name = self.param_names[g.param] if label and g.param is not None else False
            qc.add_gate(g.to_qutip(a, label=name))
        return qc

    def unitary(self, theta) -> qutip.Qobj:
        """The circuit's unitary at ``theta`` (QuTiP reference: product of qutip-qip gates)."""
        u = qutip.qeye([2] * self.n_qubits)
        for g, a in zip(self.gates, self.gate_angles(theta)):
            u = _expand(g.to_qutip(a).get_compact_qobj(), g.qubits, self.n_qubits) * u
        return u

    def state(self, theta) -> qutip.Qobj:
        """|ψ(θ)⟩ = U(θ)|0…0⟩ as a QuTiP ket (reference path)."""
        return self.unitary(theta) * qutip.basis([2] * self.n_qubits, [0] * self.n_qubits)

    # ---------------------------------------------------------------- metadata
    def to_dict(self) -> dict:
        d = {"n_qubits": self.n_qubits, "n_params": self.n_params,
             "gates": [g.to_dict() for g in self.gates]}
        if self.param_names != _default_names(self.n_params):
            d["param_names"] = list(self.param_names)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Circuit":
        return cls(d["n_qubits"], [Gate.from_dict(g) for g in d["gates"]], d.get("n_params"),
                   d.get("param_names"))

    def __eq__(self, other):
        return isinstance(other, Circuit) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash((self.n_qubits, self.n_params, self.gates, self.param_names))

    def __repr__(self):
        return (f"Circuit(n_qubits={self.n_qubits}, n_params={self.n_params}, "
                f"gates={len(self.gates)})")


def _expand(op: qutip.Qobj, qubits: tuple[int, ...], n_qubits: int) -> qutip.Qobj:
    """Compact operator on ``qubits`` expanded to the full register (qutip-qip)."""
    from qutip_qip.operations import expand_operator

    return expand_operator(op, dims=[2] * n_qubits, targets=list(qubits))


def default_circuit(n_qubits: int = 2, layers: int = 1, sharing: str = "type",
                    rotations: Sequence[str] = ("RY", "RZ")) -> Circuit:
    """The paper's default circuit (SPEC §2): per layer RY on all qubits, RZ on all, CNOT chain.

    ``sharing``: ``"type"`` (every RY uses θ₀, every RZ θ₁; d = 2), ``"layer"`` (gate position
    shared across layers; d = 2n) or ``"none"`` (d = 2nL). ``rotations`` replaces the
    rotation types of a layer, e.g. ``("RX", "RY", "RZ")`` for a three-parameter circuit
    under type sharing (d = 3).
    """
    layers = check_int(layers, "layers", minimum=1)
    if sharing not in SHARING_SCHEMES:
        raise ValueError(f"sharing must be one of {SHARING_SCHEMES}, got {sharing!r}")
    n_qubits = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    if isinstance(rotations, str) or not rotations or not all(isinstance(r, str) for r in rotations):
        raise TypeError(f"rotations must be a non-empty sequence of gate names, got {rotations!r}")
    n, kinds = int(n_qubits), len(rotations)
    gates = []
    for layer in range(layers):
        for kind, name in enumerate(rotations):
            for q in range(n):
                if sharing == "type":
                    p = kind
                elif sharing == "layer":
                    p = kind * n + q
                else:
                    p = layer * kinds * n + kind * n + q
                gates.append(Gate(name, (q,), param=p))
        gates.extend(Gate("CNOT", (q + 1,), (q,)) for q in range(n - 1))
    return Circuit(n, gates)


def sharing_table(n_qubits: int, max_layers: int):
    """Free parameters d and sharing degree of the default circuit under each sharing scheme,
    for L = 1 … ``max_layers`` layers (SPEC §2): a :class:`pandas.DataFrame` indexed by L
    with two columns per scheme of :data:`SHARING_SCHEMES` — ``(scheme, "free parameters
    d")`` and ``(scheme, "sharing degree")`` — read from the circuits themselves
    (:attr:`Circuit.n_params`, and the largest :attr:`Circuit.sharing_degree`: every
    parameter of the default circuit is read by the same number of gates). Type sharing
    gives d = 2 and degree nL, layer sharing d = 2n and degree L, no sharing d = 2nL and
    degree 1. Errors: ValueError / TypeError naming the argument."""
    import pandas as pd

    n_qubits = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    max_layers = check_int(max_layers, "max_layers", minimum=1)
    rows = {}
    for layers in range(1, max_layers + 1):
        row = {}
        for sharing in SHARING_SCHEMES:
            circuit = default_circuit(n_qubits, layers, sharing)
            row[(sharing, "free parameters d")] = circuit.n_params
            row[(sharing, "sharing degree")] = int(circuit.sharing_degree.max())
        rows[layers] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["sharing", ""])
    table.index.name = "L"
    return table


def _default_names(n_params: int) -> tuple[str, ...]:
    return tuple(f"θ{str(k).translate(_PARAM_SUB)}" for k in range(n_params))


def _fraction_gcd(a: Fraction, b: Fraction) -> Fraction:
    """Greatest common divisor of two positive rationals: gcd(p/q, r/s) = gcd(ps, rq)/(qs)."""
    from math import gcd

    return Fraction(gcd(a.numerator * b.denominator, b.numerator * a.denominator),
                    a.denominator * b.denominator)


def _qubit_tuple(value, name: str) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = (value,)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a qubit index or a sequence of them, got {value!r}")
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f"{name} must be a qubit index or a sequence of them, got {value!r}") from None
    return tuple(check_int(v, f"{name} (qubit indices)", minimum=0) for v in items)
