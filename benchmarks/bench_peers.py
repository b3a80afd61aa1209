"""Benchmark qbp side by side with PennyLane (measures, never asserts a time).

    pip install -e '.[peers]'
    python benchmarks/bench_peers.py [--threads 1] [--repeats 5] [--out benchmarks/results/peers.json]

The tool users would pick instead of qbp is PennyLane, on its two CPU simulators
``default.qubit`` and ``lightning.qubit``. Each workload builds the same circuit and cost in
both tools and first checks that they give the same numbers (values and exact gradients within
1e-8; the script stops if they do not, since the times would then compare different work):

1. landscape with gradients: values and exact gradients on the R = 360 grid (129 600 points) of
   the default circuit (SPEC §2: per layer RY, RZ on every qubit, CNOT chain), n = 4, L = 3,
   type sharing, TFIM energy (h = 1). qbp: ``sample_landscape`` with the fourier and the
   batched engine (whole grid).
2. barren-plateau scan: ∂C/∂θ₀ at 200 uniform random draws for n = 2 … 10, L = n, no sharing,
   global cost 1 − |⟨0…0|ψ⟩|², the same draws on both sides. qbp: ``plateaus.plateau_scan``
   with 2 bootstrap resamples, so its time is the derivative sampling (the bootstrap of the
   chapter is NumPy work that PennyLane does not do).
3. batched Adam: 200 starts × 200 steps of Adam (lr 0.05, β₁ = 0.9, β₂ = 0.999, ε = 1e-8)
   on n = 2, L = 3, type sharing, TFIM energy. qbp: ``optimize(..., record="ends")`` with the
   fourier engine (its own choice here) and the batched one.

PennyLane is given its best time: each workload tries the ways a user would write it (a QNode
called once per point in a loop, or one QNode call broadcast over a batch of points, with
``diff_method`` backprop, adjoint or parameter-shift) and keeps the fastest per device; every
candidate's time is printed and saved. Gradients are taken with autograd's ``make_vjp``
(PennyLane's NumPy interface; the same forward pass gives the values). A candidate too slow
to run whole is timed on a sample (of grid points, draws or start-steps) and extrapolated
linearly, which holds for a loop and for broadcasting in batches of the sample's size:
the output says which figures are extrapolated and from what. qbp always runs the whole
workload. Each timing is a warm-up call, then the best of a few repetitions (of 2 for the
PennyLane candidates, the first of which is also the agreement check). The machine, both
tools' versions, the thread settings (one thread for both by default) and the load average
go into the JSON. JAX and Catalyst (PennyLane's
compiled paths) are not tried: they are further installs beyond the ``peers`` extra.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

# Threads are fixed before NumPy (OpenBLAS) and Lightning (OpenMP) load, the same for both
# tools. On a small shared machine Lightning's OpenMP threads slow a 4-qubit circuit several
# times over; one thread is its best there. --threads 0 leaves the environment alone.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_threads = argparse.ArgumentParser(add_help=False)
_threads.add_argument("--threads", type=int, default=1)
THREADS = _threads.parse_known_args()[0].threads
if THREADS > 0:
    os.environ.update({name: str(THREADS) for name in THREAD_VARIABLES})

import numpy as np  # noqa: E402

import qbp  # noqa: E402
from bench_engines import machine  # noqa: E402
from qbp.plateaus import plateau_scan  # noqa: E402
from qbp.results import save_results  # noqa: E402

try:
    import pennylane as qml
    from autograd import make_vjp
    from pennylane import numpy as pnp
except ImportError as exc:  # the optional extra is missing
    raise SystemExit(f"bench_peers.py needs PennyLane: pip install -e '.[peers]' ({exc})")

TOL = 1e-8  # agreement required before anything is timed
DEVICES = ("default.qubit", "lightning.qubit")


# ---------------------------------------------------------------- timing helpers

def best_of(fn, repeats: int) -> float:
    """Smallest wall time (s) of ``repeats`` calls of ``fn()``."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def timed(fn):
    """``(fn(), wall time in s)``."""
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def check_agreement(what: str, diffs: dict) -> None:
    """Stop unless every max |qbp − PennyLane| in ``diffs`` is ≤ TOL."""
    bad = {k: v for k, v in diffs.items() if not v <= TOL}
    if bad:
        raise SystemExit(f"bench_peers.py: {what}: qbp and PennyLane disagree beyond {TOL:g} "
                         f"({bad}); the times would compare different work, so none is taken")


# ---------------------------------------------------------------- PennyLane side

def tfim_pennylane(n: int):
    """H = −Σ Z_i Z_{i+1} − Σ X_i (open chain, h = 1) as a PennyLane operator."""
    terms = [qml.Z(i) @ qml.Z(i + 1) for i in range(n - 1)] + [qml.X(i) for i in range(n)]
    return qml.Hamiltonian([-1.0] * len(terms), terms)


def default_layers(n: int, layers: int, sharing: str, theta) -> None:
    """The default circuit of SPEC §2 in PennyLane (wire 0 is the most significant qubit, as in
    qbp; RY(θ) = exp(−iθY/2) in both). ``theta[k]`` is free parameter k: a number, or a
    (B,) array when broadcasting. Parameter order as ``qbp.default_circuit``."""
    for layer in range(layers):
        for kind, rotation in enumerate((qml.RY, qml.RZ)):
            for q in range(n):
                k = kind if sharing == "type" else layer * 2 * n + kind * n + q
                rotation(theta[k], wires=q)
        for q in range(n - 1):
            qml.CNOT(wires=[q, q + 1])


def energy_qnode(device: str, diff_method: str, n: int, layers: int):
    """QNode θ (2,) or (2, B) → TFIM energy, type sharing."""
    H = tfim_pennylane(n)

    def energy(theta):
        default_layers(n, layers, "type", theta)
        return qml.expval(H)

    return qml.QNode(energy, qml.device(device, wires=n), diff_method=diff_method)


def value_and_grad_loop(qnode, points: np.ndarray):
    """One QNode call with gradient per point: values (B,), gradients (B, d)."""
    values, grads = np.empty(len(points)), np.empty(points.shape)
    for i, p in enumerate(points):
        vjp, value = make_vjp(qnode)(pnp.array(p, requires_grad=True))
        values[i], grads[i] = value, vjp(1.0)
    return values, grads


def value_and_grad_broadcast(qnode, points: np.ndarray):
    """One broadcast QNode call over all points (parameter broadcasting): points are
    independent, so the VJP with a cotangent of ones is every point's gradient."""
    vjp, values = make_vjp(qnode)(pnp.array(points.T, requires_grad=True))
    return np.asarray(values), np.asarray(vjp(np.ones(len(points)))).T


# candidates per workload: (device, diff_method, style)
LANDSCAPE_CANDIDATES = [
    ("default.qubit", "backprop", "broadcast"),
    ("default.qubit", "backprop", "loop"),
    ("default.qubit", "adjoint", "broadcast"),
    ("default.qubit", "adjoint", "loop"),
    ("default.qubit", "parameter-shift", "loop"),  # parameter-shift refuses broadcast parameters
    ("lightning.qubit", "adjoint", "broadcast"),
    ("lightning.qubit", "adjoint", "loop"),
    ("lightning.qubit", "parameter-shift", "loop"),
]


def label(candidate) -> str:
    device, diff_method, style = candidate
    return f"{device} {diff_method} {style}"


# ---------------------------------------------------------------- workload 1: landscape

def landscape(args, out: dict) -> None:
    n, layers, r = 4, 3, 360
    circuit = qbp.default_circuit(n, layers, "type")
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(n))
    n_grid = r ** circuit.n_params
    print(f"\n[1] landscape with gradients: n={n}, L={layers}, type sharing, TFIM, R={r} "
          f"({n_grid} points)")

    qbp_seconds = {}
    for method, repeats in (("fourier", args.repeats), ("batched", max(1, args.repeats - 1))):
        qbp.sample_landscape(circuit, cost, 12, method)  # warm-up
        qbp_seconds[method] = best_of(lambda m=method: qbp.sample_landscape(circuit, cost, r, m),
                                      repeats)
        print(f"  qbp {method:8s} whole grid: {qbp_seconds[method]:9.3f} s")

    # sample points: grid points of the R = 360 grid; qbp's values there are the reference
    rng = np.random.default_rng(1)
    axis = qbp.grid_axis(r)
    sample = axis[rng.integers(0, r, (args.sample_points, circuit.n_params))]
    ref_v, ref_g = qbp.evaluate(circuit, cost, sample, "batched")

    candidates = {}

    def record(cand, points, ref_values, ref_grads, repeats):
        """Time ``cand`` on ``points`` (after a warm-up; the first timed call is the check)."""
        device, diff_method, style = cand
        qnode = energy_qnode(device, diff_method, n, layers)
        run = value_and_grad_broadcast if style == "broadcast" else value_and_grad_loop
        run(qnode, points[:2])  # warm-up
        (v, g), t = timed(lambda: run(qnode, points))
        check_agreement(f"landscape, {label(cand)} on {len(points)} points",
                        {"values": np.abs(v - ref_values).max(), "gradients": np.abs(g - ref_grads).max()})
        if repeats > 1:
            t = min(t, best_of(lambda: run(qnode, points), repeats - 1))
        batch = len(points) if style == "broadcast" else 1
        key = label(cand) + (f", batches of {batch}" if style == "broadcast" else "")
        candidates[key] = {"device": device, "per_point_s": t / len(points), "points_timed": len(points),
                           "points_per_call": batch}
        print(f"  PennyLane {key:52s}: {t / len(points) * 1e3:9.4f} ms/point")

    # Every candidate on a sample of grid points. Loops cost the same per point at any size;
    # a broadcast call over the sample is one way to do the grid (in batches of that size).
    # Parameter shift runs 2 circuits per gate that reads θ (48 here) per point: fewer points.
    for cand in LANDSCAPE_CANDIDATES:
        k = args.slow_points if cand[1] == "parameter-shift" else len(sample)
        record(cand, sample[:k], ref_v[:k], ref_g[:k], 2)
    # Backprop broadcasting gets cheaper per point in larger batches (a fixed cost per call),
    # so it is also timed as one call over the whole R_pl grid. Adjoint broadcasting is not:
    # it splits into one tape per point and grows faster than the batch.
    r_pl = args.pl_resolution
    grid_pts = np.stack([m.ravel() for m in np.meshgrid(qbp.grid_axis(r_pl), qbp.grid_axis(r_pl),
                                                         indexing="ij")], axis=1)
    ref = qbp.sample_landscape(circuit, cost, r_pl, "fourier")
    record(("default.qubit", "backprop", "broadcast"), grid_pts, ref.values.ravel(),
           ref.gradient.reshape(2, -1).T, args.repeats)

    best = {}
    for device in DEVICES:
        name = min((k for k in candidates if candidates[k]["device"] == device),
                   key=lambda k: candidates[k]["per_point_s"])
        per_point = candidates[name]["per_point_s"]
        best[device] = {"method": name, "per_point_s": per_point,
                        "points_timed": candidates[name]["points_timed"],
                        "grid_s_extrapolated": per_point * n_grid, "extrapolated": True}
        print(f"  best on {device}: {name} → {per_point * n_grid:.1f} s for R={r} "
              f"(extrapolated per point from {candidates[name]['points_timed']} points)")

    out["landscape"] = {
        "case": {"n_qubits": n, "layers": layers, "sharing": "type", "cost": "TFIM energy, h=1",
                 "resolution": r, "grid_points": n_grid},
        "qbp_seconds": qbp_seconds,
        "pennylane_candidates": candidates,
        "pennylane_best": best,
        "speedup": {f"qbp {m} vs {d}": best[d]["grid_s_extrapolated"] / qbp_seconds[m]
                    for m in qbp_seconds for d in DEVICES},
        "checked": f"values and gradients within {TOL:g} of qbp at {len(sample)} grid points "
                   f"(every candidate) and on the whole R={r_pl} grid (backprop broadcast)",
    }


# ---------------------------------------------------------------- workload 2: plateau scan

def global_cost_qnode(device: str, diff_method: str, n: int, layers: int):
    """QNode (θ₀, θ₁…) → 1 − |⟨0…0|ψ⟩|², no sharing; only θ₀ is trainable."""
    projector = qml.Projector([0] * n, wires=range(n))

    def prob_zero(theta0, rest):
        default_layers(n, layers, "none", [theta0] + [rest[k] for k in range(len(rest))])
        return qml.expval(projector)

    qnode = qml.QNode(prob_zero, qml.device(device, wires=n), diff_method=diff_method)
    return lambda theta0, rest: 1.0 - qnode(theta0, rest)


def dtheta0_broadcast(cost, thetas: np.ndarray) -> np.ndarray:
    """∂C/∂θ₀ at every draw (B, d) in one broadcast call."""
    vjp, _ = make_vjp(cost, 0)(pnp.array(thetas[:, 0], requires_grad=True),
                               pnp.array(thetas[:, 1:].T, requires_grad=False))
    return np.asarray(vjp(np.ones(len(thetas))))


def dtheta0_loop(cost, thetas: np.ndarray) -> np.ndarray:
    """∂C/∂θ₀ at every draw, one QNode call each."""
    out = np.empty(len(thetas))
    for i, t in enumerate(thetas):
        vjp, _ = make_vjp(cost, 0)(pnp.array(t[0], requires_grad=True),
                                   pnp.array(t[1:], requires_grad=False))
        out[i] = vjp(1.0)
    return out


PLATEAU_CANDIDATES = [
    ("default.qubit", "backprop", "broadcast"),
    ("default.qubit", "adjoint", "loop"),
    ("default.qubit", "parameter-shift", "loop"),
    ("lightning.qubit", "adjoint", "broadcast"),
    ("lightning.qubit", "adjoint", "loop"),
    ("lightning.qubit", "parameter-shift", "loop"),
]


def plateaus(args, out: dict) -> None:
    n_values = list(range(2, args.n_max + 1))
    draws, seed = 200, 0
    print(f"\n[2] barren-plateau scan: ∂C/∂θ₀ at {draws} draws, n = {n_values[0]} … {n_values[-1]}, "
          f"L = n, no sharing, global cost")

    def scan():
        return plateau_scan(n_values, "none", "n", costs=("global",), n_draws=draws, seed=seed,
                            n_boot=2, progress=False)

    plateau_scan([2, 3], "none", "n", costs=("global",), n_draws=draws, n_boot=2, progress=False)
    reference = scan().derivatives["global"]  # (len(n), draws)
    t_qbp = best_of(scan, args.repeats)
    print(f"  qbp plateau_scan (2 bootstrap resamples): {t_qbp:9.3f} s")

    # the same draws as plateau_scan: one generator, drawn in order of n
    rng = np.random.default_rng(seed)
    thetas = {n: rng.uniform(-np.pi, np.pi, (draws, 2 * n * n)) for n in n_values}

    candidates = {}
    for cand in PLATEAU_CANDIDATES:
        device, diff_method, style = cand
        whole = style == "broadcast" and device == "default.qubit"
        k = draws if whole else args.plateau_sample
        run = dtheta0_broadcast if style == "broadcast" else dtheta0_loop
        costs = {n: global_cost_qnode(device, diff_method, n, n) for n in n_values}
        for n in n_values:  # warm-up
            run(costs[n], thetas[n][:2])

        def all_n():
            return [run(costs[n], thetas[n][:k]) for n in n_values]

        derivs, t_first = timed(all_n)
        check_agreement(f"plateau scan, {label(cand)}",
                        {f"n={n}": np.abs(d - reference[i, :k]).max()
                         for i, (n, d) in enumerate(zip(n_values, derivs))})
        t = min(t_first, best_of(all_n, 1)) * draws / k
        key = label(cand) + (f", batches of {k}" if style == "broadcast" and k < draws else "")
        candidates[key] = {"device": device, "scan_s": t, "draws_timed_per_n": k,
                           "extrapolated": k < draws}
        note = "" if k == draws else f"  (extrapolated per draw from {k} draws per n)"
        print(f"  PennyLane {key:52s}: {t:9.3f} s{note}")

    best = {}
    for device in DEVICES:
        name = min((c for c in candidates if candidates[c]["device"] == device),
                   key=lambda c: candidates[c]["scan_s"])
        best[device] = {"method": name, **candidates[name]}
    out["plateaus"] = {
        "case": {"n_values": n_values, "layers": "n", "sharing": "none", "cost": "global",
                 "draws": draws, "seed": seed,
                 "qbp_note": "plateau_scan with n_boot=2: the time is the derivative sampling"},
        "qbp_seconds": t_qbp,
        "pennylane_candidates": candidates,
        "pennylane_best": best,
        "speedup": {f"qbp vs {d}": best[d]["scan_s"] / t_qbp for d in DEVICES},
        "checked": f"∂C/∂θ₀ within {TOL:g} of qbp's at the same draws, every n, every candidate",
    }


# ---------------------------------------------------------------- workload 3: batched Adam

class _AdamState(NamedTuple):
    count: int
    mu: np.ndarray
    nu: np.ndarray


def adam_pennylane_form(lr, b1=0.9, b2=0.999, eps=1e-8) -> qbp.Optimizer:
    """Adam with ε where PennyLane's AdamOptimizer puts it: θ ← θ − η √(1−β₂ᵗ)/(1−β₁ᵗ) ·
    m/(√v + ε), i.e. ε/√(1−β₂ᵗ) against √v̂ (Kingma & Ba's "more efficient" ordering).
    qbp.adam adds ε to √v̂. Used only to check that both tools do the same arithmetic."""

    def init(params):
        return _AdamState(0, np.zeros_like(params), np.zeros_like(params))

    def update(grads, state):
        t = state.count + 1
        mu = b1 * state.mu + (1 - b1) * grads
        nu = b2 * state.nu + (1 - b2) * grads ** 2
        step = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return -step * mu / (np.sqrt(nu) + eps), _AdamState(t, mu, nu)

    return qbp.Optimizer("adam-pennylane-eps", init, update, {"lr": lr, "b1": b1, "b2": b2, "eps": eps})


def pennylane_adam_batched(qnode, starts: np.ndarray, steps: int, lr: float):
    """One AdamOptimizer on the (B, d) array of all starts; the objective is the sum of the
    broadcast energies. Adam acts element-wise and the starts are independent, so this is
    exactly B separate Adam runs. Returns the final parameters (B, d)."""
    opt = qml.AdamOptimizer(lr, beta1=0.9, beta2=0.999, eps=1e-8)  # PennyLane's β₂ default is 0.99
    theta = pnp.array(starts, requires_grad=True)

    def objective(x):
        return qnode(x.T).sum()

    for _ in range(steps):
        theta = opt.step(objective, theta)
    return np.asarray(theta)


def pennylane_adam_loop(qnode, starts: np.ndarray, steps: int, lr: float):
    """One AdamOptimizer per start, as in PennyLane's tutorials. Final parameters (B, d)."""
    ends = np.empty(starts.shape)
    for i, start in enumerate(starts):
        opt = qml.AdamOptimizer(lr, beta1=0.9, beta2=0.999, eps=1e-8)
        theta = pnp.array(start, requires_grad=True)
        for _ in range(steps):
            theta = opt.step(qnode, theta)
        ends[i] = theta
    return ends


ADAM_CANDIDATES = [
    ("default.qubit", "backprop", "broadcast"),
    ("default.qubit", "backprop", "loop"),
    ("default.qubit", "adjoint", "loop"),
    ("lightning.qubit", "adjoint", "broadcast"),
    ("lightning.qubit", "adjoint", "loop"),
]


def adam(args, out: dict) -> None:
    n, layers, lr, n_starts, steps = 2, 3, 0.05, 200, 200
    circuit = qbp.default_circuit(n, layers, "type")
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(n))
    starts = qbp.random_starts(n_starts, circuit.n_params, seed=0)
    print(f"\n[3] batched Adam: {n_starts} starts × {steps} steps, lr={lr}, n={n}, L={layers}, "
          f"type sharing, TFIM")

    # "fourier" is what optimize picks by itself here (method="auto"); "batched" simulates
    # every step, as PennyLane does, and shows how much of the gap the Fourier series makes
    qbp_seconds = {}
    for method in ("fourier", "batched"):
        def run_qbp(m=method):
            return qbp.optimize(circuit, cost, starts, "adam", lr, steps=steps, method=m, record="ends")

        qbp.optimize(circuit, cost, starts[:2], "adam", lr, steps=2, method=method, record="ends")
        ends = run_qbp()
        qbp_seconds[method] = best_of(run_qbp, args.repeats)
        print(f"  qbp optimize (adam, {method} engine): {qbp_seconds[method]:9.3f} s")
        if method == "fourier":
            ends_qbp = ends
        else:
            check_agreement("Adam, qbp engines",
                            {"parameters": np.abs(ends.params - ends_qbp.params).max()})
    ends_pl_form = qbp.optimize(circuit, cost, starts, adam_pennylane_form(lr), steps=steps,
                                record="ends")

    def qbp_params_after(k_starts, k_steps):
        """qbp's end parameters with PennyLane's ε placement after ``k_steps`` steps."""
        return qbp.optimize(circuit, cost, starts[:k_starts], adam_pennylane_form(lr),
                            steps=k_steps, record="ends").params[:, -1]

    candidates, checks = {}, {}
    for cand in ADAM_CANDIDATES:
        device, diff_method, style = cand
        qnode = energy_qnode(device, diff_method, n, layers)
        whole = device == "default.qubit" and style == "broadcast"
        k_starts = n_starts if whole else (args.adam_sample_starts if style == "loop"
                                           else args.adam_broadcast_sample_starts)
        k_steps = steps if whole else args.adam_sample_steps
        run = pennylane_adam_batched if style == "broadcast" else pennylane_adam_loop
        run(qnode, starts[:2], 2, lr)  # warm-up
        ends, t_first = timed(lambda: run(qnode, starts[:k_starts], k_steps, lr))
        check_agreement(f"Adam, {label(cand)}",
                        {"parameters": np.abs(ends - qbp_params_after(k_starts, k_steps)).max()})
        if whole:
            final = np.asarray(qnode(pnp.array(ends.T, requires_grad=False)))
            checks = {"final_cost_vs_qbp_same_eps_placement":
                      float(np.abs(final - ends_pl_form.costs[:, -1]).max()),
                      "final_cost_vs_qbp_adam": float(np.abs(final - ends_qbp.costs[:, -1]).max())}
        t = min(t_first, best_of(lambda: run(qnode, starts[:k_starts], k_steps, lr), 1))
        t_all = t * (n_starts * steps) / (k_starts * k_steps)
        key = label(cand) + (f", batches of {k_starts}" if style == "broadcast" and not whole else "")
        candidates[key] = {"device": device, "runs_s": t_all, "starts_timed": k_starts,
                           "steps_timed": k_steps, "extrapolated": not whole}
        note = "" if whole else (f"  (extrapolated per start-step from {k_starts} starts × "
                                 f"{k_steps} steps)")
        print(f"  PennyLane {key:52s}: {t_all:9.3f} s{note}")
    print(f"  final costs: PennyLane (default.qubit) vs qbp with PennyLane's ε placement: "
          f"max |Δ| = {checks['final_cost_vs_qbp_same_eps_placement']:.1e}; vs qbp.adam "
          f"(ε added to √v̂): max |Δ| = {checks['final_cost_vs_qbp_adam']:.1e}")

    best = {}
    for device in DEVICES:
        name = min((c for c in candidates if candidates[c]["device"] == device),
                   key=lambda c: candidates[c]["runs_s"])
        best[device] = {"method": name, **candidates[name]}
    out["adam"] = {
        "case": {"n_qubits": n, "layers": layers, "sharing": "type", "cost": "TFIM energy, h=1",
                 "starts": n_starts, "steps": steps, "lr": lr, "b1": 0.9, "b2": 0.999, "eps": 1e-8,
                 "qbp_auto_engine": ends_qbp.meta["method"]},
        "qbp_seconds": qbp_seconds,
        "pennylane_candidates": candidates,
        "pennylane_best": best,
        "speedup": {f"qbp {m} vs {d}": best[d]["runs_s"] / qbp_seconds[m]
                    for m in qbp_seconds for d in DEVICES},
        "checked": {
            "parameters": f"every candidate's end parameters within {TOL:g} of qbp run with "
                          "PennyLane's ε placement (same starts, same steps)",
            "eps_placement": "PennyLane's AdamOptimizer adds ε to √v before bias correction "
                             "(effectively ε/√(1−β₂ᵗ) against √v̂); qbp.adam adds ε to √v̂",
            **checks,
        },
    }


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for NumPy and Lightning, set before they load (default 1; "
                             "0: leave OMP_NUM_THREADS etc. as they are)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="repetitions of the qbp timings and of the whole-grid PennyLane one "
                             "(default 5)")
    parser.add_argument("--pl-resolution", type=int, default=60,
                        help="R of the grid that default.qubit's backprop broadcasting is also timed "
                             "on, as one batch (default 60)")
    parser.add_argument("--sample-points", type=int, default=40,
                        help="grid points on which the landscape candidates are timed (default 40)")
    parser.add_argument("--slow-points", type=int, default=8,
                        help="of those, the points timed for parameter-shift loops (default 8)")
    parser.add_argument("--n-max", type=int, default=10, help="largest n of the plateau scan")
    parser.add_argument("--plateau-sample", type=int, default=10,
                        help="draws per n timed for the slower plateau candidates (default 10)")
    parser.add_argument("--adam-sample-starts", type=int, default=2,
                        help="starts timed for the slower per-start Adam loops (default 2)")
    parser.add_argument("--adam-broadcast-sample-starts", type=int, default=8,
                        help="starts timed for the slower broadcast Adam runs (default 8)")
    parser.add_argument("--adam-sample-steps", type=int, default=40,
                        help="steps timed for the slower Adam candidates (default 40)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "peers.json"))
    args = parser.parse_args(argv)
    for name in ("repeats", "pl_resolution", "sample_points", "slow_points", "plateau_sample",
                 "adam_sample_starts", "adam_broadcast_sample_starts", "adam_sample_steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.slow_points > args.sample_points:
        parser.error("--slow-points must be <= --sample-points")
    if args.n_max < 3:
        parser.error("--n-max must be >= 3")

    from importlib.metadata import version

    lightning = version("pennylane-lightning")
    info = machine()
    info.update({"pennylane": qml.__version__, "pennylane_lightning": lightning,
                 "threads": {name: os.environ.get(name) for name in THREAD_VARIABLES},
                 "load_average_start": load_average(), "uptime_start": uptime()})
    print(f"qbp {qbp.__version__}, PennyLane {qml.__version__}, Lightning {lightning}; "
          f"{info['cpu']}, {info['cores']} cores; load average {info['load_average_start']}; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    t_all = time.perf_counter()
    out: dict = {}
    landscape(args, out)
    plateaus(args, out)
    adam(args, out)
    info.update({"load_average_end": load_average(), "uptime_end": uptime()})
    total = time.perf_counter() - t_all

    # one row per workload, PennyLane device and qbp engine: times and qbp's speed-up
    rows = []
    for key, title, field in (("landscape", "landscape R=360", "grid_s_extrapolated"),
                              ("plateaus", "plateau scan", "scan_s"), ("adam", "Adam 200×200", "runs_s")):
        qbp_seconds = out[key]["qbp_seconds"]
        engines = qbp_seconds if isinstance(qbp_seconds, dict) else {"statevector": qbp_seconds}
        for engine, t_qbp in engines.items():
            for d in DEVICES:
                best = out[key]["pennylane_best"][d]
                rows.append({"workload": title, "device": d, "pennylane": best["method"],
                             "pennylane_s": best[field], "extrapolated": best["extrapolated"],
                             "qbp_engine": engine, "qbp_s": t_qbp, "speedup": best[field] / t_qbp})
    print(f"\n{'workload':16s} {'PennyLane, fastest way found':56s} {'seconds':>9s}  "
          f"{'qbp engine':11s} {'seconds':>8s} {'qbp speed-up':>12s}")
    for row in rows:
        ratio = row["speedup"]
        ratio_text = f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
        star = "*" if row["extrapolated"] else " "
        print(f"{row['workload']:16s} {row['pennylane']:56s} {row['pennylane_s']:8.2f}{star}  "
              f"{row['qbp_engine']:11s} {row['qbp_s']:8.3f} {ratio_text:>12s}")
    print("* extrapolated from a sample (see above); qbp times are always the whole workload")
    print(f"\nload average: start {info['load_average_start']}, end {info['load_average_end']} "
          f"on {info['cores']} cores; total {total:.0f} s")

    result = {**out, "table": rows, "total_seconds": total, "machine": info,
              "measured": time.strftime("%Y-%m-%d")}
    path = save_results(args.out, result, parameters=vars(args))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
