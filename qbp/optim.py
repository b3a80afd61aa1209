"""Gradient optimizers as pure (init, update) pairs over a batch of starts (SPEC §6).

Shaped after optax: an :class:`Optimizer` is a name and two pure functions; the state is
explicit and returned. Everything works on arrays of shape (B, d), B starts at once, and
the learning rate may differ per start (shape (B,)), so a learning-rate sweep is one batch.
``update`` returns the *change* to add to the parameters.

References: SGD (Robbins & Monro 1951); momentum (Polyak 1964); Adagrad (Duchi et al.
2011); RMSProp (Tieleman & Hinton 2012); Adam (Kingma & Ba 2014).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._checks import check_reals, check_real

__all__ = ["Optimizer", "sgd", "momentum", "rmsprop", "adagrad", "adam", "OPTIMIZERS",
           "make_optimizer", "DEFAULT_LR"]


class Optimizer(NamedTuple):
    """``init(params) -> state``; ``update(grads, state) -> (updates, state)``; params += updates."""

    name: str
    init: Callable
    update: Callable
    hyper: dict


def _check_lr(lr) -> np.ndarray:
    arr = check_reals(lr, "lr", above=0)  # a number, or one per start
    return arr[:, None] if arr.ndim == 1 else arr  # (B, 1) broadcasts over parameters


def _check_unit(value, name: str) -> float:
    return check_real(value, name, minimum=0, below=1)


def _check_eps(eps) -> float:
    return check_real(eps, "eps", above=0)


class EmptyState(NamedTuple):
    pass


def sgd(lr=0.01) -> Optimizer:
    """θ ← θ − η g."""
    eta = _check_lr(lr)

    def init(params):
        return EmptyState()

    def update(grads, state):
        return -eta * grads, state

    return Optimizer("sgd", init, update, {"lr": lr})


class MomentumState(NamedTuple):
    velocity: np.ndarray


def momentum(lr=0.01, beta=0.9) -> Optimizer:
    """Heavy ball: v ← βv + g, θ ← θ − ηv."""
    eta, beta = _check_lr(lr), _check_unit(beta, "beta")

    def init(params):
        return MomentumState(np.zeros_like(params))

    def update(grads, state):
        v = beta * state.velocity + grads
        return -eta * v, MomentumState(v)

    return Optimizer("momentum", init, update, {"lr": lr, "beta": beta})


class RMSPropState(NamedTuple):
    nu: np.ndarray


def rmsprop(lr=0.01, decay=0.9, eps=1e-8) -> Optimizer:
    """ν ← ρν + (1−ρ)g², θ ← θ − η g / (√ν + ε)."""
    eta, decay, eps = _check_lr(lr), _check_unit(decay, "decay"), _check_eps(eps)

    def init(params):
        return RMSPropState(np.zeros_like(params))

    def update(grads, state):
        nu = decay * state.nu + (1 - decay) * grads ** 2
        return -eta * grads / (np.sqrt(nu) + eps), RMSPropState(nu)

    return Optimizer("rmsprop", init, update, {"lr": lr, "decay": decay, "eps": eps})


class AdagradState(NamedTuple):
    sum_sq: np.ndarray


def adagrad(lr=0.01, eps=1e-8) -> Optimizer:
    """s ← s + g², θ ← θ − η g / (√s + ε)."""
    eta, eps = _check_lr(lr), _check_eps(eps)

    def init(params):
        return AdagradState(np.zeros_like(params))

    def update(grads, state):
        s = state.sum_sq + grads ** 2
        return -eta * grads / (np.sqrt(s) + eps), AdagradState(s)

    return Optimizer("adagrad", init, update, {"lr": lr, "eps": eps})


class AdamState(NamedTuple):
    count: int
    mu: np.ndarray
    nu: np.ndarray


def adam(lr=0.01, b1=0.9, b2=0.999, eps=1e-8) -> Optimizer:
    """m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η m̂ / (√v̂ + ε), with bias-corrected
    m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) (Kingma & Ba 2014, Algorithm 1)."""
    eta, b1, b2, eps = _check_lr(lr), _check_unit(b1, "b1"), _check_unit(b2, "b2"), _check_eps(eps)

    def init(params):
        return AdamState(0, np.zeros_like(params), np.zeros_like(params))

    def update(grads, state):
        t = state.count + 1
        mu = b1 * state.mu + (1 - b1) * grads
        nu = b2 * state.nu + (1 - b2) * grads ** 2
        mu_hat = mu / (1 - b1 ** t)
        nu_hat = nu / (1 - b2 ** t)
        return -eta * mu_hat / (np.sqrt(nu_hat) + eps), AdamState(t, mu, nu)

    return Optimizer("adam", init, update, {"lr": lr, "b1": b1, "b2": b2, "eps": eps})


OPTIMIZERS = {"sgd": sgd, "momentum": momentum, "rmsprop": rmsprop, "adagrad": adagrad, "adam": adam}


class _DefaultLR(float):
    """The default learning rate, told apart from an explicit ``lr=0.01`` by identity."""

    def __repr__(self):
        return repr(float(self))


#: The learning rate used when none is given (SPEC §10). An :class:`Optimizer` object carries
#: its own; giving one together with an explicit ``lr`` is refused.
DEFAULT_LR = _DefaultLR(0.01)


def make_optimizer(optimizer, lr=DEFAULT_LR, **hyper) -> Optimizer:
    """An :class:`Optimizer` from a name in :data:`OPTIMIZERS` with ``lr`` and ``hyper``, or
    an :class:`Optimizer` object passed through.

    An object already holds its learning rate and hyper-parameters (in ``hyper``, which is
    what results record): giving it together with an explicit ``lr`` or hyper-parameters is
    ambiguous and raises ValueError, as does an object whose ``hyper`` does not record
    its ``lr``.
    """
    if isinstance(optimizer, Optimizer):
        if lr is not DEFAULT_LR or hyper:
            given = (["lr"] if lr is not DEFAULT_LR else []) + sorted(hyper)
            raise ValueError(f"optimizer is an Optimizer object ({optimizer.name!r}, which "
                             f"carries its own learning rate and hyper-parameters), and "
                             f"{', '.join(given)} was given too: give either the object "
                             f"(e.g. qbp.adam(0.5)) or the optimizer's name with lr=…")
        if not isinstance(optimizer.hyper, dict) or "lr" not in optimizer.hyper:
            raise ValueError(f"optimizer {optimizer.name!r} must record its learning rate "
                             f"in hyper['lr']")
        return optimizer
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)} or a qbp.Optimizer, "
                         f"got {optimizer!r}")
    try:
        return OPTIMIZERS[optimizer](float(lr) if lr is DEFAULT_LR else lr, **hyper)
    except TypeError as exc:
        if "unexpected keyword" not in str(exc):
            raise
        raise TypeError(f"optimizer {optimizer!r}: {exc}") from None
