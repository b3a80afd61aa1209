"""Benchmark the paper-profile barren plateau sweep (measures, never asserts).

    python benchmarks/bench_plateaus.py [--n-max 12] [--fixed-layers 8] [--draws 200]

Times :func:`qbp.plateaus.plateau_scan` for the three sharing schemes × two depth rules
(L = n, and a fixed L) over n = 2 … n_max with ``--draws`` random draws each, both costs at
once — the sweep of the "Barren plateaus" chapter. Writes a JSON file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_engines import machine
from qbp.circuit import SHARING_SCHEMES
from qbp.plateaus import plateau_scan
from qbp.results import save_results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-max", type=int, default=12)
    parser.add_argument("--fixed-layers", type=int, default=8)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "plateaus.json"))
    args = parser.parse_args(argv)

    seconds = {}
    t_all = time.perf_counter()
    for sharing in SHARING_SCHEMES:
        for layers in ("n", args.fixed_layers):
            t0 = time.perf_counter()
            plateau_scan(range(2, args.n_max + 1), sharing, layers, n_draws=args.draws, seed=0,
                         n_boot=1000, progress=False)
            seconds[f"{sharing}, L={layers}"] = time.perf_counter() - t0
            print(f"  {sharing:5s} L={layers!s:2s}: {seconds[f'{sharing}, L={layers}']:6.1f} s")
    total = time.perf_counter() - t_all
    out = save_results(args.out, {"seconds": seconds, "total_seconds": total, "machine": machine(),
                                  "measured": time.strftime("%Y-%m-%d")}, parameters=vars(args))
    print(f"barren plateau sweep, n = 2 … {args.n_max}, {args.draws} draws: {total:.1f} s")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
