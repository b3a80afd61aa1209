"""Benchmark deceptiveness under gradient flow (measures, never asserts).

    python benchmarks/bench_flow.py [--resolution 360] [--starts 10000] [--out benchmarks/results/flow.json]

Times, each in this one process (goal: ≤ 60 s each on the 2-core machine):
  (i)  the flow ratio of a 2-parameter landscape (default circuit, n = 2, L = 6, type sharing,
       TFIM energy) from every point of a 360 × 360 grid (129 600 starts), and beside it the
       grid rules of SPEC §5 on the same grid (their agreement with the flow, point by point);
  (ii) the flow ratio from 10 000 uniform random starts in 4 parameters (default circuit,
       n = 2, L = 2, sharing "layer": d = 4), with its Wilson interval.
Each is timed twice: in this process (scheduler None) and split over a process pool
(``scheduler="processes"``, chunks of 32 768 starts; bit-identical results), wall clock and
this process's CPU time. Also the integration statistics (steps per start, Newton finishes,
exact evaluations) and the load average (other jobs share the 2 cores: a load above 2 slows
every wall time), printed and written with the machine to a JSON file.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

import qbp
from bench_engines import machine
from qbp.flow import compare_with_grid, flow_deceptiveness, grid_starts
from qbp.results import save_results


def load() -> list[float]:
    """1, 5 and 15 minute load averages (what `uptime` prints)."""
    return [round(x, 2) for x in os.getloadavg()]


def timed(fn):
    """(result, wall seconds, CPU seconds of this process)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def describe(res, seconds: float) -> dict:
    return {**res.summary(), "seconds": seconds,
            "evaluations_per_start": res.n_evaluations / res.n_starts,
            "steps_quantiles": {str(q): float(np.percentile(res.steps, q)) for q in (50, 90, 99, 100)}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolution", type=int, default=360, help="grid of starts for (i)")
    parser.add_argument("--starts", type=int, default=10_000, help="random starts for (ii)")
    parser.add_argument("--tol", type=float, default=1e-3, help="absolute tol (cost units)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "flow.json"))
    args = parser.parse_args(argv)
    if args.resolution < 2 or args.starts < 1:
        parser.error("--resolution must be >= 2 and --starts >= 1")

    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    load_before = load()

    circuit2 = qbp.default_circuit(2, 6, "type")
    starts2 = grid_starts(args.resolution, circuit2.periods)
    res2, t2, cpu2 = timed(lambda: flow_deceptiveness(circuit2, cost, starts2, args.tol, progress=False))
    load_2 = load()
    res2p, t2p, _ = timed(lambda: flow_deceptiveness(circuit2, cost, starts2, args.tol, progress=False,
                                                     scheduler="processes"))
    load_2p = load()
    landscape = qbp.sample_landscape(circuit2, cost, args.resolution)
    grid, t_grid, _ = timed(lambda: compare_with_grid(landscape, res2))

    circuit4 = qbp.default_circuit(2, 2, "layer")
    starts4 = qbp.random_starts(args.starts, circuit4.n_params, args.seed)
    res4, t4, cpu4 = timed(lambda: flow_deceptiveness(circuit4, cost, starts4, args.tol, progress=False))
    load_4 = load()
    res4p, t4p, _ = timed(lambda: flow_deceptiveness(circuit4, cost, starts4, args.tol, progress=False,
                                                     scheduler="processes", chunk_starts=5000))
    load_4p = load()
    same2 = bool(np.array_equal(res2.end_points, res2p.end_points))

    result = {
        "two_params_grid": {"circuit": "default n=2 L=6 type", "resolution": args.resolution,
                            **describe(res2, t2), "cpu_seconds": cpu2, "load_average_after": load_2,
                            "processes_seconds": t2p, "processes_load_average_after": load_2p,
                            "processes_identical": same2,
                            "grid_rules": grid, "grid_rules_seconds": t_grid},
        "four_params_random": {"circuit": "default n=2 L=2 layer", "seed": args.seed,
                               **describe(res4, t4), "cpu_seconds": cpu4, "load_average_after": load_4,
                               "processes_seconds": t4p, "processes_chunk_starts": 5000,
                               "processes_load_average_after": load_4p,
                               "processes_same_ratio": res4p.ratio == res4.ratio},
        "load_average_before": load_before,
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d"),
    }
    out = save_results(args.out, result, parameters=vars(args))

    print(f"load average before: {load_before} (1, 5, 15 min; 2 cores)")
    print(f"(i)  {len(starts2)} grid starts, d = 2: {t2:.1f} s wall ({cpu2:.1f} s CPU; load {load_2}), "
          f"processes {t2p:.1f} s (load {load_2p}, identical: {same2})")
    print(f"     flow ratio {res2.ratio:.4f} [{res2.ci[0]:.4f}, {res2.ci[1]:.4f}], unconverged "
          f"{res2.n_unconverged}, {res2.n_evaluations / res2.n_starts:.0f} evaluations/start, "
          f"median steps {np.median(res2.steps):.0f} (max {res2.steps.max()}), Newton {res2.n_newton}")
    for rule, row in grid.items():
        print(f"     grid rule {rule!r}: ratio {row['grid_ratio']:.4f}, agrees with the flow on "
              f"{row['agreement']:.2%} of points")
    print(f"(ii) {len(starts4)} random starts, d = 4: {t4:.1f} s wall ({cpu4:.1f} s CPU; load {load_4}), "
          f"processes {t4p:.1f} s (load {load_4p})")
    print(f"     flow ratio {res4.ratio:.4f} [{res4.ci[0]:.4f}, {res4.ci[1]:.4f}], unconverged "
          f"{res4.n_unconverged}, {res4.n_evaluations / res4.n_starts:.0f} evaluations/start, "
          f"median steps {np.median(res4.steps):.0f} (max {res4.steps.max()}), Newton {res4.n_newton}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
