"""Benchmark the paper-profile success sweep (measures, never asserts).

    python benchmarks/bench_optimizers.py [--starts 1000] [--steps 500] [--reference-steps 3]

Times 2 optimizers (Adam, SGD) × 13 learning rates × 6 sharing degrees (default circuit,
n = 2, type sharing, L = 1 … 6) × ``--starts`` starts × ``--steps`` steps with
:func:`qbp.sweeps.success_sweep` (C* refinement included), and, for contrast, stepping a
sample of the same trajectories one at a time through the QuTiP reference (values and
parameter-shift gradients), extrapolated to the whole sweep. Writes a JSON file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import qbp
from bench_engines import machine
from qbp.results import save_results
from qbp.sweeps import default_learning_rates, success_sweep


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--reference-steps", type=int, default=3,
                        help="reference steps timed per sample trajectory (one per degree)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "optimizers.json"))
    args = parser.parse_args(argv)

    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    layers = range(1, 7)
    circuits = [qbp.default_circuit(2, L) for L in layers]
    lrs = default_learning_rates()
    runs = 2 * len(lrs) * len(circuits) * args.starts

    t0 = time.perf_counter()
    sweep = success_sweep(circuits, cost, ("adam", "sgd"), lrs, n_starts=args.starts,
                          steps=args.steps, seed=0, progress=True)
    t_sweep = time.perf_counter() - t0

    # The same kind of step through QuTiP: cost + parameter-shift gradient, one start at a time.
    start = qbp.random_starts(1, 2, 0)[0]
    per_step = []
    for circuit in circuits:
        opt = qbp.adam(0.01)
        theta = start[None, :].copy()
        state = opt.init(theta)
        t0 = time.perf_counter()
        for _ in range(args.reference_steps):
            cost(circuit, theta[0])
            grad = qbp.parameter_shift(circuit, cost, theta[0])[None, :]
            upd, state = opt.update(grad, state)
            theta = theta + upd
        per_step.append((time.perf_counter() - t0) / args.reference_steps)
    # every run of the sweep at degree L costs per_step[L] per step, for both optimizers
    t_reference = float(np.sum(per_step) * 2 * len(lrs) * args.starts * args.steps)

    result = {
        "case": {"optimizers": ["adam", "sgd"], "learning_rates": len(lrs), "layers": list(layers),
                 "starts": args.starts, "steps": args.steps, "runs": runs,
                 "gradient_evaluations": runs * args.steps},
        "seconds": {"sweep": t_sweep, "reference_step_per_degree": per_step,
                    "reference_sweep_extrapolated": t_reference},
        "speedup_vs_reference": t_reference / t_sweep,
        "best_success_at_tol_1e-3": sweep.success_rate(1e-3).max(axis=-1).tolist(),
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d"),
    }
    out = save_results(args.out, result, parameters=vars(args))
    print(f"sweep: {runs} runs × {args.steps} steps ({runs * args.steps:.3g} exact gradients) "
          f"in {t_sweep:.1f} s")
    print(f"QuTiP reference, one run at a time: {np.mean(per_step) * 1e3:.0f} ms per step on "
          f"average → {t_reference:.3g} s for the sweep ({t_reference / t_sweep:.0f}× slower)")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
