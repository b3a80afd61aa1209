"""Benchmark the settings matrix of SPEC §11 (measures, never asserts).

    python benchmarks/bench_matrix.py [--profile quick|paper|both] [--scheduler processes|none]
                                      [--out benchmarks/results/matrix.json]

Times each study of :mod:`qbp.matrix` (C* and flows, landscapes, optimizer runs) at the quick
and the paper configuration below, with ``scheduler="processes"`` (one worker per core), and
then the cells and verdicts made from it (C6's bootstrap included). The wall clock depends on
the load: other jobs share the 2 cores, so the load average before and after each study is
recorded. Also written: the number of tasks, the verdict and counts of every claim (what the
conclusions page would show at that configuration), the machine. Printed as a table.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench_engines import machine
from qbp import matrix as M
from qbp.results import save_results

AXES = dict(n_qubits=(2, 3, 4), costs=("tfim", "infidelity"))
#: Each study's parameters per profile. Paper: the design note's sizes.
CONFIGS = {
    "quick": {
        "minimum": dict(max_layers=4, c_star_resolution=60, n_baseline_starts=16),
        "landscape": dict(max_layers=4, resolution=90, resolutions=(45, 90, 180)),
        "flow": dict(max_layers=4, seeds=(0, 1, 2), n_starts=50, flow_resolutions=(15, 30),
                     c_star_resolution=60),
        "success": dict(max_layers=4, seeds=(0, 1, 2), n_starts=50, steps=200,
                        c_star_resolution=60, n_boot=500),
    },
    "paper": {
        "minimum": dict(max_layers=6, c_star_resolution=360, n_baseline_starts=64),
        "landscape": dict(max_layers=6, resolution=360, resolutions=(90, 180, 360, 720)),
        "flow": dict(max_layers=6, seeds=(0, 1, 2), n_starts=200,
                     flow_resolutions=(30, 60, 120)),
        "success": dict(max_layers=6, seeds=(0, 1, 2), n_starts=200, steps=500, n_boot=2000),
    },
}
STUDIES = {"minimum": M.minimum_study, "landscape": M.landscape_study, "flow": M.flow_study,
           "success": M.success_study}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_profile(name: str, scheduler) -> dict:
    out = {}
    for study, fn in STUDIES.items():
        params = {**AXES, **CONFIGS[name][study]}
        before = load()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(**params, scheduler=scheduler, progress=False)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        t1 = time.perf_counter()
        verdicts = result.judge_all()
        judge_seconds = time.perf_counter() - t1
        out[study] = {"parameters": params, "seconds": seconds, "main_process_cpu_seconds": cpu,
                      "judge_seconds": judge_seconds, "load_before": before,
                      "load_after": load(),
                      "verdicts": {c: {"verdict": r.verdict, "sentence": r.sentence,
                                       "n_settings": r.n_settings} for c, r in verdicts.items()}}
        print(f"{name:6s} {study:10s} {seconds:8.1f} s  (+ {judge_seconds:5.1f} s cells)  "
              f"load {before[0]:.2f} → {out[study]['load_after'][0]:.2f}  " +
              "; ".join(f"{c} {r.verdict}: {r.sentence}" for c, r in verdicts.items()),
              flush=True)
    out["total_seconds"] = sum(v["seconds"] + v["judge_seconds"] for v in out.values())
    print(f"{name:6s} {'total':10s} {out['total_seconds']:8.1f} s", flush=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("quick", "paper", "both"), default="both")
    parser.add_argument("--scheduler", choices=("processes", "none"), default="processes")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "matrix.json"))
    args = parser.parse_args(argv)
    scheduler = None if args.scheduler == "none" else "processes"
    profiles = ("quick", "paper") if args.profile == "both" else (args.profile,)
    data = {p: run_profile(p, scheduler) for p in profiles}
    data["machine"] = machine()
    data["measured"] = time.strftime("%Y-%m-%d")
    save_results(args.out, data, {"profiles": list(profiles), "scheduler": args.scheduler})
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
