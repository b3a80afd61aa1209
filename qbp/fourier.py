"""Exact Fourier series of a circuit's cost, and the landscape on any grid from it (SPEC §4).

With only gates of integer frequency, C(θ) = Σ_ω c_ω exp(iω·θ) with integer |ω_k| ≤ K_k,
K_k the summed frequency spread of the gates that use θ_k (Wierichs et al. 2022). Sampling
C on the (2K_k+1)-point grid per axis and one FFT give every c_ω exactly; values and exact
gradients at any points or on any grid then follow by summing the series, without aliasing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .circuit import Circuit
from .statevector import expectation_and_gradient

__all__ = ["FourierSeries", "fourier_series", "MAX_COEFFICIENTS"]

#: Largest number of coefficients Π(2K_k+1) qbp computes (each is one circuit evaluation).
MAX_COEFFICIENTS = 1 << 20


@dataclass(frozen=True)
class FourierSeries:
    """C(θ) = Re Σ_ω c_ω exp(iω·θ); ``coefficients`` has shape (2K_0+1, …), index j ↔ ω = j − K."""

    coefficients: np.ndarray
    max_frequencies: tuple[int, ...]

    @property
    def n_params(self) -> int:
        return len(self.max_frequencies)

    def frequencies(self, k: int) -> np.ndarray:
        """Integer frequencies −K_k … K_k along axis ``k``."""
        kk = self.max_frequencies[k]
        return np.arange(-kk, kk + 1)

    def _bases(self, angles: list[np.ndarray], axis_derivative: int | None):
        """Per axis the matrix exp(iωθ) (points × frequencies), times iω on the derivative axis."""
        mats = []
        for k, theta in enumerate(angles):
            w = self.frequencies(k)
            e = np.exp(1j * np.outer(theta, w))
            if k == axis_derivative:
                e = e * (1j * w)
            mats.append(e)
        return mats

    def evaluate(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """Values (B,) and exact gradients (B, d) at arbitrary points ``theta`` (B, d)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        if theta.shape[-1] != self.n_params:
            raise ValueError(f"theta must have shape (B, {self.n_params}), got {theta.shape}")
        values = np.empty(len(theta))
        grad = np.empty(theta.shape)
        # Points per chunk: the first contraction holds (points × coefficients / 2K_0+1) numbers.
        step = max(1, (1 << 21) * self.coefficients.shape[0] // self.coefficients.size)
        for start in range(0, len(theta), step):
            chunk = theta[start:start + step]
            for deriv in (None, *range(self.n_params)):
                mats = self._bases(list(chunk.T), deriv)
                # Contract the leading coefficient axis with its per-point basis, keeping points.
                acc = np.einsum("bi,i...->b...", mats[0], self.coefficients)
                for e in mats[1:]:
                    acc = np.einsum("bi,bi...->b...", e, acc)
                if deriv is None:
                    values[start:start + step] = acc.real
                else:
                    grad[start:start + step, deriv] = acc.real
        return values, grad

    def on_grid(self, axes: list[np.ndarray], gradient: bool = True):
        """Values (R_0, …) and gradient (d, R_0, …) per radian on the product grid ``axes``.

        Costs about (d+1)·R^d·2(2K_last+1) flops; outputs are written in place (no copies).
        """
        shape = tuple(len(a) for a in axes)
        derivs = (None, *range(self.n_params)) if gradient else (None,)
        out = np.empty((len(derivs),) + shape)
        for slot, deriv in enumerate(derivs):
            mats = self._bases(axes, deriv)
            acc = self.coefficients
            for e in mats[:-1]:  # contract the leading axis, append the grid axis at the end
                acc = np.tensordot(acc, e, axes=([0], [1]))
            # The last contraction in real arithmetic: Re(a·e) = Re a Re e − Im a Im e.
            e = mats[-1]
            acc = np.moveaxis(acc, 0, -1)
            stacked = np.concatenate([acc.real, -acc.imag], axis=-1)
            np.matmul(stacked, np.concatenate([e.real, e.imag], axis=1).T, out=out[slot])
        return out[0], (out[1:] if gradient else None)


def fourier_series(circuit: Circuit, observable, max_coefficients: int = MAX_COEFFICIENTS
                   ) -> FourierSeries:
    """Exact Fourier coefficients of ⟨O⟩ over the circuit's parameters.

    Costs Π(2K_k+1) circuit evaluations (batched engine) and one FFT. Refuses (ValueError)
    a circuit whose landscape is not 2π-periodic (a gate with non-integer frequencies, e.g.
    CRX) or one needing more than ``max_coefficients`` coefficients: never a wrong landscape.
    """
    if circuit.n_params == 0:
        raise ValueError("circuit has no free parameters; the fourier method needs at least one")
    if not circuit.is_periodic():
        bad = sorted({g.name for g, s in zip(circuit.gates, circuit.spectra)
                      if s is not None and not s.is_integer()})
        raise ValueError(f"method='fourier' needs a 2π-periodic landscape, but gates {bad} have "
                         f"non-integer frequencies; use method='batched'")
    kmax = tuple(int(round(k)) for k in circuit.max_frequencies)
    sizes = [2 * k + 1 for k in kmax]
    total = int(np.prod(sizes, dtype=float))
    if total > max_coefficients:
        raise ValueError(f"method='fourier' would need {total} coefficients (frequencies K={kmax}), "
                         f"more than max_coefficients={max_coefficients}; use method='batched'")
    grids = [2 * np.pi * np.arange(n) / n for n in sizes]
    points = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, len(sizes))
    samples, _ = expectation_and_gradient(circuit, observable, points, gradient=False)
    coeffs = np.fft.fftn(samples.reshape(sizes)) / total
    return FourierSeries(np.fft.fftshift(coeffs), kmax)
