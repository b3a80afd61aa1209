"""Benchmark deceptiveness detection (measures, never asserts).

    python benchmarks/bench_deceptiveness.py [--out benchmarks/results/deceptiveness.json]

Times, each in this one process:
  - the deceptive mask (basins by pointer jumping) of a 2-parameter landscape at R = 1440
    (2.07 million points; default circuit, n = 2, L = 6, type sharing);
  - a 3-parameter landscape at R = 360 (46.7 million points; RX/RY/RZ type sharing, n = 2,
    L = 1) with exact gradients from the fourier engine, then its basins and mask;
and reports the process's peak resident memory after each.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import qbp
from bench_engines import machine
from qbp.results import save_results


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "deceptiveness.json"))
    parser.add_argument("--tol", type=float, default=1e-3, help="absolute tol for the mask")
    args = parser.parse_args(argv)

    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    land2, t_land2 = timed(lambda: qbp.sample_landscape(qbp.default_circuit(2, 6), cost, 1440))
    mask2, t_mask2 = timed(lambda: qbp.deceptive_mask(land2, args.tol))
    ratio2 = float(mask2.mean())
    del land2, mask2
    rss2 = peak_rss_bytes()

    circuit3 = qbp.default_circuit(2, 1, "type", rotations=("RX", "RY", "RZ"))
    land3, t_land3 = timed(lambda: qbp.sample_landscape(circuit3, cost, 360))
    b3, t_basins3 = timed(lambda: qbp.basins(land3))
    mask3, t_mask3 = timed(lambda: b3.deceptive(args.tol))
    rss3 = peak_rss_bytes()

    result = {
        "two_params_r1440": {"points": 1440 ** 2, "landscape_seconds": t_land2,
                             "mask_seconds": t_mask2, "ratio": ratio2, "peak_rss_bytes": rss2},
        "three_params_r360": {"points": 360 ** 3, "landscape_seconds": t_land3,
                              "basins_seconds": t_basins3, "mask_seconds": t_mask3,
                              "total_seconds": t_land3 + t_basins3 + t_mask3,
                              "sinks": b3.n_sinks, "ratio": float(mask3.mean()),
                              "peak_rss_bytes": rss3},
        "tol": args.tol,
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d"),
    }
    out = save_results(args.out, result, parameters=vars(args))

    print(f"2 parameters, R=1440: landscape {t_land2:.2f} s, mask {t_mask2:.2f} s, "
          f"peak RSS {rss2 / 1e9:.2f} GB")
    print(f"3 parameters, R=360 : landscape {t_land3:.1f} s, basins {t_basins3:.1f} s, "
          f"mask {t_mask3:.1f} s, total {t_land3 + t_basins3 + t_mask3:.1f} s, "
          f"peak RSS {rss3 / 1e9:.2f} GB, {b3.n_sinks} sinks")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
