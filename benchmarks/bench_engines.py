"""Benchmark the landscape engines (measures, never asserts).

    python benchmarks/bench_engines.py [--reference-points 200] [--out benchmarks/results/engines.json]

Times, for the default circuit with n = 4, L = 3, type sharing, on the R = 360 grid
(129 600 points), values plus exact gradient from
  - the fourier engine (the whole grid),
  - the batched engine (the whole grid),
  - the QuTiP reference (value + parameter-shift gradient) on a sample of grid points,
    extrapolated to the whole grid,
and the fourier engine's time and peak traced memory for a 2-parameter landscape at R = 1440.
Prints the figures and ratios and writes them, with the machine, to a JSON file.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import qbp
from qbp.results import save_results


def best_of(fn, repeats: int) -> float:
    """Smallest wall time (s) of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import qutip
    import scipy

    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "qutip": qutip.__version__, "qbp": qbp.__version__}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-points", type=int, default=200,
                        help="grid points timed with the QuTiP reference (default 200)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats for the fast engines")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "engines.json"))
    args = parser.parse_args(argv)
    if args.reference_points < 1 or args.repeats < 1:
        parser.error("--reference-points and --repeats must be >= 1")

    n, layers, r = 4, 3, 360
    circuit = qbp.default_circuit(n, layers, "type")
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(n))
    n_grid = r ** circuit.n_params

    t_fourier = best_of(lambda: qbp.sample_landscape(circuit, cost, r, "fourier"), args.repeats)
    t_batched = best_of(lambda: qbp.sample_landscape(circuit, cost, r, "batched"), max(1, args.repeats // 2))

    rng = np.random.default_rng(0)
    axis = qbp.grid_axis(r)
    sample = axis[rng.integers(0, r, (args.reference_points, circuit.n_params))]
    t0 = time.perf_counter()
    qbp.evaluate(circuit, cost, sample, "reference", progress=True)
    t_ref_point = (time.perf_counter() - t0) / args.reference_points
    t_reference = t_ref_point * n_grid

    big = qbp.default_circuit(2, 6, "type")
    big_cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    tracemalloc.start()
    t0 = time.perf_counter()
    qbp.sample_landscape(big, big_cost, 1440, "fourier")
    t_1440 = time.perf_counter() - t0
    _, peak_1440 = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    result = {
        "case": {"n_qubits": n, "layers": layers, "sharing": "type", "resolution": r,
                 "grid_points": n_grid, "reference_points_timed": args.reference_points},
        "seconds": {"fourier_grid": t_fourier, "batched_grid": t_batched,
                    "reference_per_point": t_ref_point, "reference_grid_extrapolated": t_reference},
        "speedup": {"fourier_vs_reference": t_reference / t_fourier,
                    "batched_vs_reference": t_reference / t_batched,
                    "fourier_vs_batched": t_batched / t_fourier},
        "r1440_two_params": {"seconds": t_1440, "peak_traced_bytes": peak_1440},
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d"),
    }
    out = save_results(args.out, result, parameters=vars(args))

    print(f"n={n}, L={layers}, type sharing, R={r} ({n_grid} points), values + exact gradient")
    print(f"  fourier  engine, whole grid : {t_fourier:10.4f} s")
    print(f"  batched  engine, whole grid : {t_batched:10.4f} s")
    print(f"  QuTiP reference, per point  : {t_ref_point:10.4f} s  "
          f"(→ {t_reference:.0f} s for the grid, from {args.reference_points} points)")
    print(f"  speed-up fourier/reference  : {t_reference / t_fourier:10.0f}×")
    print(f"  speed-up batched/reference  : {t_reference / t_batched:10.0f}×")
    print(f"  R=1440, 2 params (L=6)      : {t_1440:10.4f} s, peak {peak_1440 / 1e6:.0f} MB traced")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
