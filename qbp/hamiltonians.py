"""Hamiltonians and observables as QuTiP operators (SPEC §3, §13).

Qubit 0 is the leftmost tensor factor (qbp's convention throughout); a Pauli factor ``Z3``
acts on qubit 3, which :func:`qbp.read_qasm` maps to qubit 3 of the file.
"""

from __future__ import annotations

import math
import re
from numbers import Real

import numpy as np
import qutip

from ._checks import check_int, check_real
from .circuit import MAX_QUBITS

__all__ = ["tfim_hamiltonian", "ground_energy", "pauli_sum", "maxcut_hamiltonian"]


def tfim_hamiltonian(n_qubits: int, h: float = 1.0) -> qutip.Qobj:
    """Open transverse-field Ising chain H = −Σᵢ ZᵢZᵢ₊₁ − h Σᵢ Xᵢ on ``n_qubits`` (qubit 0 leftmost).

    ``n_qubits``: an integer in 1 … MAX_QUBITS; ``h``: a finite real field. TypeError or
    ValueError naming the argument otherwise.
    """
    n_qubits = check_int(n_qubits, "n_qubits", 1, MAX_QUBITS)
    h = check_real(h, "h")
    dims = [2] * n_qubits

    def on(op, i):
        ops = [qutip.qeye(2)] * n_qubits
        ops[i] = op
        return qutip.tensor(ops)

    H = qutip.qzero(dims)
    for i in range(n_qubits - 1):
        H -= on(qutip.sigmaz(), i) * on(qutip.sigmaz(), i + 1)
    for i in range(n_qubits):
        H -= h * on(qutip.sigmax(), i)
    return H


def ground_energy(H: qutip.Qobj) -> float:
    """Exact lowest eigenvalue of a Hermitian operator (dense diagonalisation)."""
    return float(np.linalg.eigvalsh(H.full())[0])


_PAULIS = {"I": lambda: qutip.qeye(2), "X": qutip.sigmax, "Y": qutip.sigmay, "Z": qutip.sigmaz}
# Tokens of the text form: a number, a sign, '*', or a word (Pauli factors such as Z0 or Z0Z1).
_TOKEN = re.compile(r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
                    r"|(?P<sign>[+-])|(?P<star>\*)|(?P<word>[^\s+*-]+))")
_FACTOR = re.compile(r"([A-Za-z]+)(\d*)")


def _check_n_qubits(n_qubits) -> int:
    if isinstance(n_qubits, bool) or not isinstance(n_qubits, (int, np.integer)):
        raise TypeError(f"n_qubits must be an int, got {n_qubits!r}")
    if not 1 <= n_qubits <= MAX_QUBITS:
        raise ValueError(f"n_qubits must be in 1..{MAX_QUBITS}, got {n_qubits}")
    return int(n_qubits)


def _factors(term: str, n_qubits: int, label: str) -> dict[int, str]:
    """``"Z0 X2"`` (or ``"Z0X2"``) → {0: "Z", 2: "X"}; ValueError naming ``label``."""
    out: dict[int, str] = {}
    for word in term.split():
        pos = 0
        while pos < len(word):
            m = _FACTOR.match(word, pos)
            if m is None or not m.group(1):
                raise ValueError(f"term {label!r}: cannot read {word[pos:]!r} as a Pauli factor "
                                 f"(a letter X, Y, Z or I and a qubit index, e.g. Z0)")
            letters, digits = m.group(1), m.group(2)
            if letters not in _PAULIS:
                raise ValueError(f"term {label!r}: unknown Pauli letter {letters!r} in "
                                 f"{m.group(0)!r} (use X, Y, Z or I)")
            if not digits:
                raise ValueError(f"term {label!r}: factor {letters!r} needs a qubit index, "
                                 f"e.g. {letters}0")
            q = int(digits)
            if q >= n_qubits:
                raise ValueError(f"term {label!r}: qubit {q} is out of range for "
                                 f"n_qubits={n_qubits}")
            if q in out:
                raise ValueError(f"term {label!r}: qubit {q} appears twice (write one "
                                 f"Pauli per qubit)")
            out[q] = letters
            pos = m.end()
    return out


def _parse_pauli_text(text: str, n_qubits: int) -> list[tuple[float, dict[int, str]]]:
    """``"Z0 Z1 + Z1 Z2 - 0.5 X0"`` → [(coefficient, factors), …]."""
    tokens = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        tokens.append((m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup)))
        pos = m.end()
    if not tokens:
        raise ValueError("terms is an empty string; give at least one term, e.g. 'Z0 Z1'")
    # Split at signs into terms; the first term's sign is optional.
    terms = []  # [sign, [(kind, value), …], start offset]
    for kind, value, at in tokens:
        if kind == "sign":
            terms.append([value, [], at])
            continue
        if not terms:
            terms.append(["+", [], at])
        terms[-1][1].append((kind, value))
    ends = [t[2] for t in terms[1:]] + [len(text)]
    terms = [(sign, parts, text[at:end].strip()) for (sign, parts, at), end in zip(terms, ends)]
    out = []
    for sign, rest, label in terms:
        if not rest:
            raise ValueError(f"term {label or text!r} in {text!r} is empty (a sign with "
                             f"nothing after it)")
        coeff = 1.0
        if rest[0][0] == "number":
            coeff = float(rest[0][1])
            rest = rest[1:]
            if rest and rest[0] in (("word", "j"), ("word", "J")):
                raise ValueError(f"term {label!r}: coefficient is complex; the observable "
                                 f"must be Hermitian (real coefficients)")
            if not math.isfinite(coeff):
                raise ValueError(f"term {label!r}: coefficient is not finite")
            if rest and rest[0][0] == "star":
                rest = rest[1:]
                if not rest:
                    raise ValueError(f"term {label!r}: '*' must be followed by Pauli factors")
        # '*' may also join factors ("Z0*Z1"), but not begin, end or double up.
        kinds = "".join("s" if kind == "star" else "w" if kind == "word" else "n"
                        for kind, _ in rest)
        if "n" in kinds or kinds.startswith("s") or kinds.endswith("s") or "ss" in kinds:
            raise ValueError(f"term {label!r}: expected [coefficient [*]] Pauli factors such "
                             f"as '0.5 Z0 Z1' or '2*X3'")
        rest = [t for t in rest if t[0] == "word"]
        if any(v.lower() in ("inf", "infinity", "nan") for _, v in rest):
            raise ValueError(f"term {label!r}: coefficient is not finite")
        factors = _factors(" ".join(v for _, v in rest), n_qubits, label)
        out.append((-coeff if sign == "-" else coeff, factors))
    return out


def pauli_sum(terms, n_qubits: int) -> qutip.Qobj:
    """The Hermitian operator Σ cₖ Pₖ of a sum of Pauli strings on ``n_qubits`` (SPEC §13).

    ``terms``: a list of ``(coefficient, "Z0 Z1")`` pairs, where a factor is a Pauli letter
    (X, Y, Z, or I for the identity) and a qubit index, factors are separated by spaces (or
    written together, ``"Z0Z1"``), and the empty string is the identity; or the same as one
    string, ``"Z0 Z1 + Z1 Z2 - 0.5 X0"``: terms separated by ``+``/``-``, each an optional
    real coefficient (``0.5``, ``2``, ``1e-3``; implicit 1), an optional ``*``, and its factors
    (a coefficient alone is a multiple of the identity).

    Returns a ``qutip.Qobj`` of dims ``[[2]*n, [2]*n]``, qubit 0 the leftmost factor; like
    terms add up. Raises TypeError (``terms`` neither a list nor a string, a coefficient that
    is not a real number), ValueError naming the offending term (a repeated qubit, an index
    ≥ n_qubits, an unknown letter, a complex or non-finite coefficient, empty ``terms``).
    """
    n = _check_n_qubits(n_qubits)
    if isinstance(terms, str):
        parsed = _parse_pauli_text(terms, n)
    else:
        if isinstance(terms, (bytes, dict)) or not hasattr(terms, "__iter__"):
            raise TypeError(f"terms must be a list of (coefficient, 'Z0 Z1') pairs or one "
                            f"string, got {type(terms).__name__}")
        parsed = []
        for item in terms:
            try:
                coeff, term = item
            except (TypeError, ValueError):
                raise TypeError(f"each term must be a (coefficient, 'Z0 Z1') pair, got "
                                f"{item!r}") from None
            if not isinstance(term, str):
                raise TypeError(f"term {item!r}: the Pauli string must be a str, got "
                                f"{type(term).__name__}")
            if isinstance(coeff, (complex, np.complexfloating)):
                if coeff.imag != 0:
                    raise ValueError(f"term {term!r}: coefficient {coeff!r} is complex; the "
                                     f"observable must be Hermitian (real coefficients)")
                coeff = coeff.real
            if isinstance(coeff, bool) or not isinstance(coeff, Real):
                raise TypeError(f"term {term!r}: coefficient must be a real number, got "
                                f"{coeff!r}")
            if not math.isfinite(coeff):
                raise ValueError(f"term {term!r}: coefficient {coeff!r} is not finite")
            parsed.append((float(coeff), _factors(term, n, term)))
        if not parsed:
            raise ValueError("terms is empty; give at least one (coefficient, 'Z0 Z1') pair")
    H = qutip.qzero([2] * n)
    for coeff, factors in parsed:
        if coeff == 0.0:
            continue
        ops = [_PAULIS[factors[q]]() if q in factors else qutip.qeye(2) for q in range(n)]
        H += coeff * qutip.tensor(ops)
    return H


def maxcut_hamiltonian(edges, n_qubits: int) -> qutip.Qobj:
    """H = Σ_{(i,j) ∈ edges} Zᵢ Zⱼ, the QAOA MaxCut observable (Farhi et al. 2014, SPEC §13).

    A bit string z (zᵢ = ±1 the eigenvalue of Zᵢ) cuts edge (i, j) when zᵢ ≠ zⱼ, so the cut
    size is C(z) = Σ (1 − zᵢ zⱼ)/2 = (|E| − H)/2: minimising this energy maximises the cut,
    and the ground energy is E₀ = |E| − 2·maxcut (a 4-ring: E₀ = −4, max cut 4). This is the
    operator that ``shared/circuits/reference.json`` uses for its QAOA files.

    ``edges``: pairs (i, j) of distinct qubit indices < ``n_qubits``, no edge twice (in either
    order). Returns a diagonal ``qutip.Qobj`` of dims ``[[2]*n, [2]*n]``. Raises TypeError
    (an edge that is not a pair of ints) and ValueError (no edges, a self-loop, a repeated
    edge, an index out of range).
    """
    n = _check_n_qubits(n_qubits)
    try:
        pairs = [tuple(e) for e in edges]
    except TypeError:
        raise TypeError(f"edges must be a sequence of (i, j) pairs, got {edges!r}") from None
    if not pairs:
        raise ValueError("edges is empty; give at least one (i, j) pair")
    seen = set()
    terms = []
    for e in pairs:
        if len(e) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                  for v in e):
            raise TypeError(f"edge {e!r} must be a pair of qubit indices (ints)")
        i, j = int(e[0]), int(e[1])
        if i == j:
            raise ValueError(f"edge {e!r} is a self-loop")
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"edge {e!r} names a qubit outside 0..{n - 1}")
        if frozenset((i, j)) in seen:
            raise ValueError(f"edge {e!r} appears twice")
        seen.add(frozenset((i, j)))
        terms.append((1.0, f"Z{i} Z{j}"))
    return pauli_sum(terms, n)
