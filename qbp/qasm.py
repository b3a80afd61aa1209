"""Circuits from OpenQASM 3 (and 2) programs (SPEC §13).

:func:`read_qasm` turns a program into a :class:`~qbp.circuit.Circuit`: each
``input float[…] NAME;`` / ``input angle[…] NAME;`` declaration is one free parameter (in
declaration order, ``Circuit.param_names`` keeps the names as written, non-ASCII included),
gate angles are affine expressions ``a·NAME + b`` of one parameter (evaluated exactly from the
syntax tree, so ``2*γ``, ``pi + θ``, ``-θ/2``, ``2*(θ+1)`` all work), ``gate`` definitions are
expanded, and qubit k of the file is qbp's qubit k (several registers: concatenated in
declaration order; physical qubits ``$k`` are qubit k).

**Parser.** The OpenQASM reference parser, ``openqasm3[parser]`` (the OpenQASM project's own
ANTLR grammar and AST), was chosen over ``pyqasm``. Both install from PyPI here and both parse
non-ASCII identifiers, but pyqasm (which itself builds on ``openqasm3``) validates and unrolls
only circuits whose angles are numbers: on the shipped Qiskit files it refuses every
``ry(_θ_0_)`` with an ``input`` parameter ("Invalid parameter '_θ_0_' for gate 'ry'"), which is
exactly what qbp needs to read. The reference parser gives the plain AST with line numbers,
keeps ``input`` declarations, ``gate`` definitions and symbolic expressions, is maintained by the
OpenQASM technical steering committee, and its grammar also accepts OpenQASM 2 syntax, so this
module walks the AST itself: the gate library, affine angle evaluation and the refusals below
are qbp's.

**OpenQASM 2.** Read by the same parser: ``qreg``/``creg``, ``measure a -> b``,
``include "qelib1.inc"``, ``U``/``CX`` and the qelib1 names (``u1``, ``u2``, ``u3``, ``cu1``…)
are part of the grammar and of the gate table below. OpenQASM 2 cannot declare free
parameters, so an OpenQASM 2 program is a circuit with fixed angles (``n_params == 0``); an
unknown name in an angle is refused. (``input`` declarations are accepted whatever the version
header says, since the grammar is shared.)

**Gates** (OpenQASM 3 ``stdgates.inc``, OpenQASM 2 ``qelib1.inc`` and Qiskit's extras) and the
qutip-qip gates they become; "≃" means equal up to a global phase, which changes no
expectation value:

=========================  ====================================================
``U``, ``u``, ``u3``         fixed angles: QASMU; with a parameter:
                             RZ(λ), RY(θ), RZ(φ) (U(θ,φ,λ) ≃ Rz(φ)Ry(θ)Rz(λ))
``u2(φ,λ)``                  ``u(π/2, φ, λ)``
``p``, ``phase``, ``u1``     PHASEGATE
``x y z h s t``              X Y Z SNOT S T
``sdg``, ``tdg``             PHASEGATE(−π/2), PHASEGATE(−π/4)
``sx``, ``sxdg``             SQRTNOT, RX(−π/2) (≃ sx†)
``rx ry rz``                 RX RY RZ
``cx CX cnot cy cz``         CNOT CY CZ
``ch``                       RY(−π/4), CZ, RY(π/4) on the target (exact)
``cp cphase cu1``            CPHASE
``crx cry crz``              CRX CRY CRZ
``swap ccx cswap``           SWAP TOFFOLI FREDKIN
``rzz(θ)``                   CNOT, RZ(θ), CNOT (exact)
``rxx(θ)``, ``ryy(θ)``       ``rzz`` between H (resp. RX(±π/2)) layers (exact)
``rzx``                      RZX
``id i u0 gphase``           ignored (identity or a global phase), as are ``barrier``, ``delay``
=========================  ====================================================

A ``gate`` definition in the file takes precedence over this table. The mappings are checked
against the OpenQASM 3 definitions in ``tests/test_qasm.py``.

**Refused** (ValueError naming the line and the construct): classical control (``if``),
loops, subroutines, gate modifiers (``ctrl @``, ``inv @``…), a gate on a qubit after its
measurement (mid-circuit measurement), ``reset`` after gates on that qubit, an angle using two
parameters or a non-affine expression (``θ*θ``, ``sin(θ)``), an unknown gate, a parameter in a
place other than a gate angle, an ``input`` that no gate uses, ``output`` declarations,
classical variables other than bit registers and ``const`` numbers, includes other than
``stdgates.inc`` / ``qelib1.inc``. Measurements after the last gate on their qubits are
ignored (qbp computes state-vector expectation values), as is ``reset`` of a qubit no gate has
touched (it is already in state 0).

**Parameter names.** ``Circuit.param_names`` keeps every name exactly as the file writes it.
Qiskit's OpenQASM 3 exporter writes the element ``γ[0]`` of a ``ParameterVector`` as
``_γ_0_`` (an identifier cannot hold brackets; a leading ``_`` where the name does not start
with an ASCII letter); :func:`display_names` turns such names back into ``γ₀`` for figures
and tables, which then say which name the file uses.

A non-integer multiplier (``0.5*θ``, ``θ/3``) is allowed: the landscape along that parameter
is then not 2π-periodic (see :attr:`Circuit.periods`); the fourier engine refuses such circuits
and the batched and reference engines handle them.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .circuit import MAX_QUBITS, Circuit, Gate

__all__ = ["read_qasm", "QasmError", "SUPPORTED_GATES", "display_names"]


class QasmError(ValueError):
    """A program qbp cannot read: ``source`` (file path or ``<qasm text>``), ``line`` (1-based,
    or None) and the reason, all on one line (fit for a ``qbp: error: …`` message)."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.reason = source, line, message
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}".replace("\n", " "))

    def __reduce__(self):  # picklable across processes despite the three-argument __init__
        return type(self), (self.source, self.line, self.reason)


class _Refusal(Exception):
    """Raised inside the walker; :func:`read_qasm` adds the source and turns it into QasmError."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


# --------------------------------------------------------------------- affine angles
@dataclass(frozen=True)
class _Affine:
    """Σ_k coeffs[k]·θ_k + const, the value of an angle expression (exact up to float)."""

    coeffs: tuple[tuple[int, float], ...] = ()
    const: float = 0.0

    @staticmethod
    def of(coeffs: dict, const: float) -> "_Affine":
        return _Affine(tuple(sorted((k, float(v)) for k, v in coeffs.items() if v != 0.0)),
                       float(const))

    @property
    def is_constant(self) -> bool:
        return not self.coeffs

    def __add__(self, other: "_Affine") -> "_Affine":
        c = dict(self.coeffs)
        for k, v in other.coeffs:
            c[k] = c.get(k, 0.0) + v
        return _Affine.of(c, self.const + other.const)

    def scaled(self, factor: float) -> "_Affine":
        return _Affine.of({k: v * factor for k, v in self.coeffs}, self.const * factor)

    def __neg__(self) -> "_Affine":
        return self.scaled(-1.0)

    def __sub__(self, other: "_Affine") -> "_Affine":
        return self + (-other)

    def render(self, names) -> str:
        parts = [f"{v:g}·{names[k]}" for k, v in self.coeffs]
        if self.const or not parts:
            parts.append(f"{self.const:.6g}")
        return " + ".join(parts).replace("+ -", "- ")


def _const(value: float) -> _Affine:
    return _Affine((), float(value))


_CONSTANTS = {"pi": math.pi, "π": math.pi, "tau": math.tau, "τ": math.tau,
              "euler": math.e, "ℇ": math.e}

# OpenQASM 3 built-in math functions of real arguments (only ever on constants here).
_FUNCTIONS = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "arcsin": math.asin,
    "arccos": math.acos, "arctan": math.atan, "exp": math.exp, "log": math.log,
    "sqrt": math.sqrt, "floor": math.floor, "ceiling": math.ceil,
    "pow": math.pow, "mod": math.fmod,
}


# ------------------------------------------------------------------------ gate table
@dataclass(frozen=True)
class _Op:
    """One qutip-qip gate: name, targets, controls, and an _Affine angle / fixed tuple / None."""

    name: str
    targets: tuple[int, ...]
    controls: tuple[int, ...] = ()
    angle: object = None


_HALF_PI = _const(math.pi / 2)


def _single(qname):
    return lambda a, q: [_Op(qname, (q[0],))]


def _rot(qname):
    return lambda a, q: [_Op(qname, (q[0],), angle=a[0])]


def _ctrl(qname, angled=False):
    return lambda a, q: [_Op(qname, (q[1],), (q[0],), a[0] if angled else None)]


def _u(a, q):
    theta, phi, lam = a
    if all(x.is_constant for x in a):
        return [_Op("QASMU", (q[0],), angle=(theta.const, phi.const, lam.const))]
    # U(θ,φ,λ) = e^{i(φ+λ)/2} Rz(φ) Ry(θ) Rz(λ): rightmost factor first in circuit order;
    # rotations by a constant 0 are left out.
    ops = [_Op("RZ", (q[0],), angle=lam), _Op("RY", (q[0],), angle=theta),
           _Op("RZ", (q[0],), angle=phi)]
    return [op for op in ops if not (op.angle.is_constant and op.angle.const == 0.0)]


def _rzz(a, q):
    return [_Op("CNOT", (q[1],), (q[0],)), _Op("RZ", (q[1],), angle=a[0]),
            _Op("CNOT", (q[1],), (q[0],))]


def _rxx(a, q):
    h = [_Op("SNOT", (q[0],)), _Op("SNOT", (q[1],))]
    return h + _rzz(a, q) + h


def _ryy(a, q):
    # RX(−π/2)·Z·RX(π/2) = Y, so RX(−π/2)⊗² · RZZ(θ) · RX(π/2)⊗² = exp(−iθ/2 Y⊗Y).
    into = [_Op("RX", (q[0],), angle=_HALF_PI), _Op("RX", (q[1],), angle=_HALF_PI)]
    back = [_Op("RX", (q[0],), angle=-_HALF_PI), _Op("RX", (q[1],), angle=-_HALF_PI)]
    return into + _rzz(a, q) + back


def _ch(a, q):
    # RY(π/4)·Z·RY(−π/4) = (X + Z)/√2 = H, and conjugating CZ's target conjugates its Z.
    return [_Op("RY", (q[1],), angle=_const(-math.pi / 4)), _Op("CZ", (q[1],), (q[0],)),
            _Op("RY", (q[1],), angle=_const(math.pi / 4))]


def _phase(value):
    return lambda a, q: [_Op("PHASEGATE", (q[0],), angle=_const(value))]


def _nothing(a, q):
    return []


#: name → (number of angles, number of qubits, expansion into qutip-qip gates).
_BUILTINS = {
    "U": (3, 1, _u), "u": (3, 1, _u), "u3": (3, 1, _u),
    "u2": (2, 1, lambda a, q: _u([_HALF_PI, a[0], a[1]], q)),
    "p": (1, 1, _rot("PHASEGATE")), "phase": (1, 1, _rot("PHASEGATE")),
    "u1": (1, 1, _rot("PHASEGATE")),
    "x": (0, 1, _single("X")), "y": (0, 1, _single("Y")), "z": (0, 1, _single("Z")),
    "h": (0, 1, _single("SNOT")), "s": (0, 1, _single("S")), "t": (0, 1, _single("T")),
    "sdg": (0, 1, _phase(-math.pi / 2)), "tdg": (0, 1, _phase(-math.pi / 4)),
    "sx": (0, 1, _single("SQRTNOT")),
    "sxdg": (0, 1, lambda a, q: [_Op("RX", (q[0],), angle=_const(-math.pi / 2))]),
    "rx": (1, 1, _rot("RX")), "ry": (1, 1, _rot("RY")), "rz": (1, 1, _rot("RZ")),
    "cx": (0, 2, _ctrl("CNOT")), "CX": (0, 2, _ctrl("CNOT")), "cnot": (0, 2, _ctrl("CNOT")),
    "cy": (0, 2, _ctrl("CY")), "cz": (0, 2, _ctrl("CZ")), "ch": (0, 2, _ch),
    "cp": (1, 2, _ctrl("CPHASE", True)), "cphase": (1, 2, _ctrl("CPHASE", True)),
    "cu1": (1, 2, _ctrl("CPHASE", True)),
    "crx": (1, 2, _ctrl("CRX", True)), "cry": (1, 2, _ctrl("CRY", True)),
    "crz": (1, 2, _ctrl("CRZ", True)),
    "swap": (0, 2, lambda a, q: [_Op("SWAP", (q[0], q[1]))]),
    "ccx": (0, 3, lambda a, q: [_Op("TOFFOLI", (q[2],), (q[0], q[1]))]),
    "cswap": (0, 3, lambda a, q: [_Op("FREDKIN", (q[1], q[2]), (q[0],))]),
    "rzz": (1, 2, _rzz), "rxx": (1, 2, _rxx), "ryy": (1, 2, _ryy),
    "rzx": (1, 2, lambda a, q: [_Op("RZX", (q[0], q[1]), angle=a[0])]),
    "id": (0, 1, _nothing), "i": (0, 1, _nothing), "u0": (1, 1, _nothing),
}

#: The gate names read_qasm knows without a ``gate`` definition in the file.
SUPPORTED_GATES = tuple(sorted(_BUILTINS))

_INCLUDES = ("stdgates.inc", "qelib1.inc")


# ------------------------------------------------------------------------- the walker
@dataclass
class _GateDef:
    params: list[str]
    qubits: list[str]
    body: list
    line: int


@dataclass
class _Walker:
    """Walks the openqasm3 AST of one program and collects qbp gates."""

    params: dict = field(default_factory=dict)        # input name -> index
    param_lines: list = field(default_factory=list)
    constants: dict = field(default_factory=dict)     # const name -> float
    registers: dict = field(default_factory=dict)     # qubit register -> (offset, size|None)
    n_declared: int = 0
    physical: int = -1                                # largest $k used
    bits: set = field(default_factory=set)
    gate_defs: dict = field(default_factory=dict)
    gates: list = field(default_factory=list)         # (qbp Gate, line)
    touched: set = field(default_factory=set)
    measured: dict = field(default_factory=dict)      # qubit -> line of its measurement

    # ------------------------------------------------------------------ statements
    def run(self, program) -> None:
        from openqasm3 import ast

        handlers = {
            ast.Include: self._include, ast.IODeclaration: self._io,
            ast.QubitDeclaration: self._qubits_decl, ast.ClassicalDeclaration: self._classical,
            ast.ConstantDeclaration: self._constant, ast.QuantumGateDefinition: self._gate_def,
            ast.QuantumGate: self._gate_call, ast.QuantumMeasurementStatement: self._measure,
            ast.QuantumReset: self._reset, ast.QuantumBarrier: self._ignore,
            ast.QuantumPhase: self._phase, ast.DelayInstruction: self._ignore,
            ast.Pragma: self._ignore,
        }
        for stmt in program.statements:
            handler = handlers.get(type(stmt))
            if handler is None:
                raise _Refusal(_line(stmt), f"{_describe(stmt)} is not supported (qbp reads "
                                            f"straight-line circuits of gates)")
            handler(stmt)

    def _ignore(self, stmt) -> None:
        pass

    def _phase(self, stmt) -> None:
        # A global phase changes no expectation value; a controlled one would.
        if stmt.modifiers:
            raise _Refusal(_line(stmt), "gate modifiers on gphase are not supported")

    def _include(self, stmt) -> None:
        if stmt.filename not in _INCLUDES:
            raise _Refusal(_line(stmt), f'include "{stmt.filename}" is not supported (only '
                                        f'{" and ".join(_INCLUDES)}, whose gates qbp knows)')

    def _declare(self, name: str, stmt) -> None:
        taken = (name in self.params or name in self.constants or name in self.registers
                 or name in self.bits or name in _CONSTANTS)
        if taken:
            raise _Refusal(_line(stmt), f"name {name!r} is declared twice (or is a built-in "
                                        f"constant)")

    def _io(self, stmt) -> None:
        from openqasm3 import ast

        name = stmt.identifier.name
        if stmt.io_identifier != ast.IOKeyword.input:
            raise _Refusal(_line(stmt), f"output declaration {name!r} is not supported")
        if not isinstance(stmt.type, (ast.FloatType, ast.AngleType)):
            raise _Refusal(_line(stmt), f"input {name!r} has type {_type_name(stmt.type)}; a "
                                        f"free parameter is `input float[64] {name};` or "
                                        f"`input angle[…] {name};`")
        self._declare(name, stmt)
        self.params[name] = len(self.params)
        self.param_lines.append(_line(stmt))

    def _qubits_decl(self, stmt) -> None:
        name = stmt.qubit.name
        self._declare(name, stmt)
        size = None
        if stmt.size is not None:
            size = self._integer(stmt.size, "register size")
            if size < 1:
                raise _Refusal(_line(stmt), f"qubit register {name!r} has size {size}")
        self.registers[name] = (self.n_declared, size)
        self.n_declared += 1 if size is None else size
        if self.n_declared > MAX_QUBITS:
            raise _Refusal(_line(stmt), f"the program declares {self.n_declared} qubits; qbp "
                                        f"simulates at most {MAX_QUBITS}")

    def _classical(self, stmt) -> None:
        from openqasm3 import ast

        name = stmt.identifier.name
        if not isinstance(stmt.type, ast.BitType):
            raise _Refusal(_line(stmt), f"classical variable {name!r} of type "
                                        f"{_type_name(stmt.type)} is not supported (only bit "
                                        f"registers for final measurements, and `const` numbers)")
        self._declare(name, stmt)
        self.bits.add(name)
        init = stmt.init_expression
        if isinstance(init, ast.QuantumMeasurement):
            self._measured(init.qubit, _line(stmt))
        elif init is not None:
            raise _Refusal(_line(stmt), f"bit register {name!r} with an initial value is not "
                                        f"supported")

    def _constant(self, stmt) -> None:
        name = stmt.identifier.name
        self._declare(name, stmt)
        self.constants[name] = self._number(stmt.init_expression, f"const {name}")

    def _gate_def(self, stmt) -> None:
        from openqasm3 import ast

        name = stmt.name.name
        if name in self.gate_defs:
            raise _Refusal(_line(stmt), f"gate {name!r} is defined twice")
        params = [a.name for a in stmt.arguments]
        qubits = [q.name for q in stmt.qubits]
        for stmt_in in stmt.body:
            if isinstance(stmt_in, ast.QuantumBarrier) or (
                    isinstance(stmt_in, ast.QuantumPhase) and not stmt_in.modifiers):
                continue  # no effect on expectation values
            if not isinstance(stmt_in, ast.QuantumGate):
                raise _Refusal(_line(stmt_in), f"{_describe(stmt_in)} inside gate {name!r} is "
                                               f"not supported")
            called = stmt_in.name.name
            # Gates must be defined before use, which also rules out recursion.
            if called not in self.gate_defs and called not in _BUILTINS:
                raise _Refusal(_line(stmt_in), _unknown_gate(called))
        self.gate_defs[name] = _GateDef(params, qubits, list(stmt.body), _line(stmt))

    def _gate_call(self, stmt) -> None:
        line = _line(stmt)
        self._check_plain_call(stmt, line)
        env = self._env()
        angles = [self._expr(a, env) for a in stmt.arguments]
        operands = [self._operand(q, line) for q in stmt.qubits]
        sizes = {len(qs) for qs, is_register in operands if is_register}
        if len(sizes) > 1:
            raise _Refusal(line, f"gate {stmt.name.name!r} broadcasts over registers of "
                                 f"different sizes {sorted(sizes)}")
        count = sizes.pop() if sizes else 1
        for i in range(count):
            qubits = [qs[i] if is_register else qs[0] for qs, is_register in operands]
            self._apply(stmt.name.name, angles, qubits, line, ())

    def _check_plain_call(self, stmt, line) -> None:
        if stmt.modifiers:
            mods = ", ".join(f"{m.modifier.name} @" for m in stmt.modifiers)
            raise _Refusal(line, f"gate modifier {mods} on {stmt.name.name!r} is not supported")
        if stmt.duration is not None:
            raise _Refusal(line, f"a duration on gate {stmt.name.name!r} is not supported")

    def _apply(self, name, angles, qubits, line, stack) -> None:
        """Gate ``name`` with _Affine ``angles`` on qbp ``qubits``; ``stack``: enclosing
        definitions as (gate, body line) pairs, for messages."""
        where = line if not stack else stack[-1][1]
        if len(set(qubits)) != len(qubits):
            raise _Refusal(where, f"gate {name!r} is given the same qubit twice {qubits}"
                           + _called(stack, line))
        for q in qubits:
            if q in self.measured:
                raise _Refusal(where, f"gate {name!r} acts on qubit {q} after its measurement "
                                      f"at line {self.measured[q]}: mid-circuit measurement is "
                                      f"not supported" + _called(stack, line))
        if name in self.gate_defs:
            self._expand(name, angles, qubits, line, stack)
            return
        if name not in _BUILTINS:
            raise _Refusal(where, _unknown_gate(name) + _called(stack, line))
        n_angles, n_qubits, expansion = _BUILTINS[name]
        if len(angles) != n_angles or len(qubits) != n_qubits:
            raise _Refusal(where, f"gate {name!r} takes {n_angles} angle(s) and {n_qubits} "
                                  f"qubit(s), got {len(angles)} and {len(qubits)}"
                           + _called(stack, line))
        self.touched.update(qubits)
        for op in expansion(angles, qubits):
            self.gates.append((self._to_gate(op, name, where, stack, line), where))

    def _expand(self, name, angles, qubits, line, stack) -> None:
        from openqasm3 import ast

        d = self.gate_defs[name]
        where = line if not stack else stack[-1][1]
        if len(angles) != len(d.params) or len(qubits) != len(d.qubits):
            raise _Refusal(where, f"gate {name!r} (defined at line {d.line}) takes "
                                  f"{len(d.params)} angle(s) and {len(d.qubits)} qubit(s), got "
                                  f"{len(angles)} and {len(qubits)}" + _called(stack, line))
        env = {k: _const(v) for k, v in self.constants.items()}
        env.update(zip(d.params, angles))
        env_qubits = dict(zip(d.qubits, qubits))
        for stmt in d.body:
            if not isinstance(stmt, ast.QuantumGate):
                continue  # barrier, gphase: no effect on expectation values
            inner = stack + ((name, _line(stmt)),)
            try:
                self._check_plain_call(stmt, _line(stmt))
                sub_angles = [self._expr(a, env, in_gate=name) for a in stmt.arguments]
                sub_qubits = []
                for q in stmt.qubits:
                    if not isinstance(q, ast.Identifier) or q.name not in env_qubits:
                        raise _Refusal(_line(stmt), f"qubit {_text(q)!r} in gate {name!r} is "
                                                    f"not one of its qubit arguments {d.qubits}")
                    sub_qubits.append(env_qubits[q.name])
            except _Refusal as exc:
                raise _Refusal(exc.line, exc.message + _called(inner, line)) from None
            self._apply(stmt.name.name, sub_angles, sub_qubits, line, inner)

    def _to_gate(self, op: _Op, called: str, where, stack, line) -> Gate:
        names = list(self.params)
        kwargs = {}
        if isinstance(op.angle, _Affine):
            a = op.angle
            if a.is_constant:
                kwargs["angle"] = a.const
            elif len(a.coeffs) > 1:
                used = ", ".join(names[k] for k, _ in a.coeffs)
                raise _Refusal(where, f"the angle {a.render(names)} of gate {called!r} depends "
                                      f"on several parameters ({used}); qbp needs a·NAME + b "
                                      f"with one parameter" + _called(stack, line))
            else:
                (k, scale), = a.coeffs
                kwargs.update(param=k, scale=scale, offset=a.const)
        elif op.angle is not None:
            kwargs["angle"] = op.angle
        try:
            return Gate(op.name, op.targets, op.controls, **kwargs)
        except (TypeError, ValueError) as exc:
            raise _Refusal(where, f"gate {called!r}: {exc}" + _called(stack, line)) from None

    def _measure(self, stmt) -> None:
        self._measured(stmt.measure.qubit, _line(stmt))

    def _measured(self, operand, line) -> None:
        qubits, _ = self._operand(operand, line)
        for q in qubits:
            self.measured.setdefault(q, line)

    def _reset(self, stmt) -> None:
        line = _line(stmt)
        qubits, _ = self._operand(stmt.qubits, line)
        for q in qubits:
            if q in self.touched or q in self.measured:
                raise _Refusal(line, f"reset of qubit {q} after gates or a measurement on it "
                                     f"(mid-circuit reset) is not supported")

    # ------------------------------------------------------------------- operands
    def _operand(self, node, line) -> tuple[list[int], bool]:
        """Qubits a top-level operand names, and whether it is a whole register/slice
        (broadcast) rather than one qubit."""
        from openqasm3 import ast

        if isinstance(node, ast.Identifier):
            name, indices = node.name, None
        elif isinstance(node, ast.IndexedIdentifier):
            name, indices = node.name.name, node.indices
        else:
            raise _Refusal(line, f"qubit operand {_text(node)!r} is not supported")
        if name.startswith("$"):
            if self.registers:
                raise _Refusal(line, f"physical qubit {name} in a program that also declares "
                                     f"qubit registers is not supported")
            k = int(name[1:])
            if k >= MAX_QUBITS:
                raise _Refusal(line, f"physical qubit {name}: qbp simulates at most "
                                     f"{MAX_QUBITS} qubits")
            self.physical = max(self.physical, k)
            return [k], False
        if name not in self.registers:
            raise _Refusal(line, f"unknown qubit register {name!r}")
        if self.physical >= 0:
            raise _Refusal(line, "declared qubit registers in a program that also uses "
                                 "physical qubits ($k) are not supported")
        offset, size = self.registers[name]
        if indices is None:
            return ([offset], False) if size is None else (list(range(offset, offset + size)), True)
        if size is None or len(indices) != 1:
            raise _Refusal(line, f"qubit operand {_text(node)!r}: index a qubit register once, "
                                 f"as in q[0]")
        picked = self._index(indices[0], size, line)
        return [offset + i for i in picked[0]], picked[1]

    def _index(self, index, size, line) -> tuple[list[int], bool]:
        from openqasm3 import ast

        if isinstance(index, ast.DiscreteSet):
            return [self._position(v, size, line) for v in index.values], True
        if len(index) != 1:
            raise _Refusal(line, "multi-dimensional qubit indices are not supported")
        item = index[0]
        if isinstance(item, ast.RangeDefinition):
            start = 0 if item.start is None else self._integer(item.start, "range start")
            end = size - 1 if item.end is None else self._integer(item.end, "range end")
            step = 1 if item.step is None else self._integer(item.step, "range step")
            if step == 0:
                raise _Refusal(line, "a qubit range with step 0")
            start, end = (p + size if p < 0 else p for p in (start, end))
            values = list(range(start, end + (1 if step > 0 else -1), step))  # end inclusive
            return [self._position(v, size, line) for v in values], True
        return [self._position(item, size, line)], False

    def _position(self, node, size, line) -> int:
        i = node if isinstance(node, int) else self._integer(node, "qubit index")
        if not -size <= i < size:
            raise _Refusal(line, f"qubit index {i} is out of range for a register of {size}")
        return i % size

    # ---------------------------------------------------------------- expressions
    def _env(self) -> dict:
        env = {name: _Affine(((k, 1.0),), 0.0) for name, k in self.params.items()}
        env.update((k, _const(v)) for k, v in self.constants.items())
        return env

    def _number(self, node, what) -> float:
        value = self._expr(node, self._env())
        if not value.is_constant:
            raise _Refusal(_line(node), f"{what} = {_text(node)} depends on an input "
                                        f"parameter; parameters may appear only in gate angles")
        return value.const

    def _integer(self, node, what) -> int:
        value = self._number(node, what)
        if value != int(value):
            raise _Refusal(_line(node), f"{what} {_text(node)} is not an integer")
        return int(value)

    def _expr(self, node, env, in_gate: str | None = None) -> _Affine:
        """The value of an angle expression as an _Affine in the input parameters."""
        from openqasm3 import ast

        line = _line(node)
        if isinstance(node, (ast.IntegerLiteral, ast.FloatLiteral)):
            return _const(node.value)
        if isinstance(node, ast.Identifier):
            if node.name in env:
                return env[node.name]
            if node.name in _CONSTANTS:
                return _const(_CONSTANTS[node.name])
            if in_gate is not None and node.name in self.params:
                raise _Refusal(line, f"gate {in_gate!r} uses input {node.name!r} in its body; "
                                     f"a gate body may use only its own parameters")
            raise _Refusal(line, f"unknown identifier {node.name!r} in an angle (free "
                                 f"parameters are declared `input float[64] {node.name};`, "
                                 f"which OpenQASM 2 cannot do)")
        if isinstance(node, ast.UnaryExpression):
            inner = self._expr(node.expression, env, in_gate)
            if node.op == ast.UnaryOperator["-"]:
                return -inner
            raise _Refusal(line, f"operator {node.op.name} in angle {_text(node)!r} is not "
                                 f"supported")
        if isinstance(node, ast.BinaryExpression):
            lhs = self._expr(node.lhs, env, in_gate)
            rhs = self._expr(node.rhs, env, in_gate)
            op = node.op.name
            if op == "+":
                return lhs + rhs
            if op == "-":
                return lhs - rhs
            if op == "*":
                if lhs.is_constant:
                    return rhs.scaled(lhs.const)
                if rhs.is_constant:
                    return lhs.scaled(rhs.const)
                raise _Refusal(line, f"{_text(node)!r} multiplies parameters: an angle must "
                                     f"be affine, a·NAME + b")
            if op == "/":
                if not rhs.is_constant:
                    raise _Refusal(line, f"{_text(node)!r} divides by a parameter: an angle "
                                         f"must be affine, a·NAME + b")
                if rhs.const == 0:
                    raise _Refusal(line, f"division by zero in {_text(node)!r}")
                return lhs.scaled(1.0 / rhs.const)
            if op == "**":
                if lhs.is_constant and rhs.is_constant:
                    return _const(_finite(lambda: lhs.const ** rhs.const, node))
                raise _Refusal(line, f"{_text(node)!r} raises a parameter to a power: an angle "
                                     f"must be affine, a·NAME + b")
            raise _Refusal(line, f"operator {op} in angle {_text(node)!r} is not supported")
        if isinstance(node, ast.FunctionCall):
            fname = node.name.name
            args = [self._expr(a, env, in_gate) for a in node.arguments]
            if fname not in _FUNCTIONS:
                raise _Refusal(line, f"function {fname!r} in {_text(node)!r} is not supported")
            if not all(a.is_constant for a in args):
                raise _Refusal(line, f"{_text(node)!r} is a non-affine function of a "
                                     f"parameter: an angle must be a·NAME + b")
            return _const(_finite(lambda: _FUNCTIONS[fname](*(a.const for a in args)), node))
        if isinstance(node, ast.Cast) and isinstance(node.type, (ast.FloatType, ast.AngleType)):
            return self._expr(node.argument, env, in_gate)
        raise _Refusal(line, f"expression {_text(node)!r} ({type(node).__name__}) is not "
                             f"supported in an angle")

    # ------------------------------------------------------------------- circuit
    def circuit(self) -> Circuit:
        names = list(self.params)
        used = {g.param for g, _ in self.gates if g.param is not None}
        for name, k in self.params.items():
            if k not in used:
                raise _Refusal(self.param_lines[k], f"input {name!r} is used by no gate angle "
                                                    f"(the cost would not depend on it)")
        n_qubits = self.n_declared if self.physical < 0 else self.physical + 1
        if n_qubits == 0:
            raise _Refusal(None, "the program declares no qubits")
        return Circuit(n_qubits, [g for g, _ in self.gates], n_params=len(names),
                       param_names=names)


def _finite(compute, node) -> float:
    try:
        value = float(compute())
    except (ValueError, OverflowError, ZeroDivisionError, TypeError) as exc:
        raise _Refusal(_line(node), f"{_text(node)!r} cannot be evaluated: {exc}") from None
    if not math.isfinite(value):
        raise _Refusal(_line(node), f"{_text(node)!r} is not finite")
    return value


def _called(stack, line) -> str:
    if not stack:
        return ""
    chain = " in ".join(f"gate {g!r}" for g, _ in reversed(stack))
    return f" (in {chain}, called at line {line})"


def _unknown_gate(name: str) -> str:
    return (f"unknown gate {name!r}: define it with a `gate` definition, or use one of "
            f"{', '.join(SUPPORTED_GATES)}")


def _line(node) -> int | None:
    span = getattr(node, "span", None)
    return None if span is None else span.start_line


def _text(node) -> str:
    import openqasm3

    try:
        return openqasm3.dumps(node).strip().rstrip(";")
    except Exception:  # the printer does not know every node; the type name still helps
        return type(node).__name__


def _type_name(node) -> str:
    return _text(node) if node is not None else "none"


_STATEMENT_NAMES = {
    "BranchingStatement": "classical control (if)", "WhileLoop": "a while loop",
    "ForInLoop": "a for loop", "SwitchStatement": "a switch statement",
    "SubroutineDefinition": "a subroutine definition", "ClassicalAssignment":
    "a classical assignment", "ExternDeclaration": "an extern declaration",
    "AliasStatement": "an alias (let)", "Box": "a box", "CalibrationStatement": "a calibration",
    "CalibrationDefinition": "a calibration definition", "CalibrationGrammarDeclaration":
    "a calibration grammar", "ExpressionStatement": "an expression statement",
    "EndStatement": "an end statement",
}


def _describe(stmt) -> str:
    kind = type(stmt).__name__
    return _STATEMENT_NAMES.get(kind, f"statement {kind}")


# ------------------------------------------------------------------------- parsing
_ANTLR_LINE = re.compile(r"^line (\d+):(\d+) (.*)$", re.MULTILINE)
_PARSER_LINE = re.compile(r"^L(\d+):C(\d+): (.*)$", re.DOTALL)


def _parse(text: str, source: str):
    """openqasm3's AST; a syntax error becomes QasmError with ANTLR's line and message
    (ANTLR prints them to stderr, which is captured so nothing leaks onto the terminal)."""
    import openqasm3

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            return openqasm3.parse(text)
    except Exception as exc:  # QASM3ParsingError, ParseCancellationException, …
        failure = exc
    found = _ANTLR_LINE.search(captured.getvalue())
    if found is None:
        match = _PARSER_LINE.match(str(failure))
        if match:  # the AST builder's own errors carry "L<line>:C<col>: message"
            raise QasmError(source, int(match[1]), f"syntax error: {match[3]}") from None
        # The strict parser bails out without reporting where; a permissive parse reports
        # the first error through ANTLR's listener.
        captured = io.StringIO()
        with contextlib.suppress(Exception), contextlib.redirect_stderr(captured):
            openqasm3.parse(text, permissive=True)
        found = _ANTLR_LINE.search(captured.getvalue())
    if found is None:
        raise QasmError(source, None, f"syntax error: {str(failure) or type(failure).__name__}") \
            from None
    raise QasmError(source, int(found[1]), f"syntax error: {found[3]}") from None


def _source_text(path_or_text) -> tuple[str, str]:
    """(program text, source name for messages) from a path or the program itself."""
    if isinstance(path_or_text, os.PathLike):
        path = Path(path_or_text)
    elif isinstance(path_or_text, str):
        text = path_or_text
        try:
            is_file = "\n" not in text and Path(text).is_file()
        except (OSError, ValueError):  # e.g. a name too long for the file system
            is_file = False
        if not is_file and ("\n" in text or ";" in text):
            return text, "<qasm text>"
        path = Path(text)
    else:
        raise TypeError(f"path_or_text must be a path or the program text (str), got "
                        f"{type(path_or_text).__name__}")
    if not path.is_file():
        raise FileNotFoundError(f"no such OpenQASM file: {str(path)!r}")
    try:
        return path.read_text(encoding="utf-8-sig"), str(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_qasm(path_or_text) -> Circuit:
    """A :class:`Circuit` from an OpenQASM 3 (or 2) program (SPEC §13).

    ``path_or_text``: a path (``str`` or ``os.PathLike``) or the program itself. A ``str`` is
    the program text when it contains a newline or a ``;`` and is not the name of an
    existing file; otherwise it is a path. Every OpenQASM program has a ``;``, every sane path
    has neither.

    Returns a Circuit with one free parameter per ``input float``/``input angle`` declaration,
    in declaration order (``param_names`` as written), and n_qubits the qubits declared (or
    1 + the largest physical qubit ``$k``). A gate angle ``a·NAME + b`` becomes
    ``Gate(…, param=k, scale=a, offset=b)``; a constant angle ``Gate(…, angle=…)``. See the
    module docstring for the gate table and what is refused.

    Raises FileNotFoundError (a path that is not a file, named in the message), TypeError
    (neither a str nor a path) and :class:`QasmError`, a ValueError whose one-line message
    names the file and line: syntax errors (ANTLR's message), unsupported constructs, an angle
    with two parameters or a non-affine one, unknown gates, an unused input.
    """
    text, source = _source_text(path_or_text)
    program = _parse(text, source)
    walker = _Walker()
    try:
        walker.run(program)
        return walker.circuit()
    except _Refusal as exc:
        raise QasmError(source, exc.line, exc.message) from None


# --------------------------------------------------------------------- names for display
#: An escaped vector element as Qiskit's OpenQASM 3 exporter writes it: ``_γ_0_`` for
#: ``γ[0]``, ``theta_12_`` for ``theta[12]`` (optional leading "_", a name that starts with
#: a letter, "_", the index, "_"), standing alone or inside a longer name (``_γ_0_·2``).
_ESCAPED_ELEMENT = re.compile(r"(?<!\w)_?([^\W\d_]\w*?)_(\d+)_(?!\w)")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def display_names(names) -> tuple[str, ...]:
    """Parameter names as figures and tables show them: each Qiskit-escaped vector element
    (``_γ_0_``, ``theta_12_``) written as the element with a subscript index (``γ₀``,
    ``theta₁₂``), also inside longer names (``_γ_0_·2`` → ``γ₀·2``); other names unchanged.

    ``names``: a sequence of strings (e.g. ``Circuit.param_names``); returns a tuple of the
    same length. Unicode subscripts, not TeX markup: the names stay plain text (a figure
    must not read ``_x_`` as mathtext). If two names would be shown alike (``_γ_0_`` and
    ``γ_0_`` both read ``γ₀``), every name is returned unchanged: the display must not merge
    two parameters. Raises TypeError if ``names`` is a string or holds a non-string.
    """
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"names must be a sequence of strings, got {names!r}")
    names = tuple(names)
    shown = tuple(_ESCAPED_ELEMENT.sub(lambda m: m[1] + m[2].translate(_SUBSCRIPT), n)
                  for n in names)
    return names if len(set(shown)) < len(set(names)) else shown
