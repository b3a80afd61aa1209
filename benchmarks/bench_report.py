"""Benchmark the trainability report (measures, never asserts).

    python benchmarks/bench_report.py [--file book/circuits/qaoa_maxcut_ring4_p2.qasm] [--out benchmarks/results/report.json]

Issue 13's speed bar: the report for a 4-qubit, 4-parameter circuit takes at most 2 minutes
on this machine. Measured for the QAOA MaxCut 4-ring file with p = 2 (4 qubits, 4 free
parameters, each read by 4 gates) and the MaxCut observable, with the report's default
settings (:data:`qbp.report.DEFAULTS`):
  (i)  ``qbp report FILE --observable …`` end to end, as a user runs it (a fresh Python:
       imports, checks, the kernel, the analysis, the figures, the HTML export);
  (ii) :func:`qbp.report.trainability_report` alone in this process, with the seconds of each
       stage (draws, grid, flow, optimizers, minimum and slices).
Wall clock, the load average before and after (other jobs share the 2 cores: a load above 2
slows every wall time) and the machine, printed and written to a JSON file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qbp
from bench_engines import machine
from qbp.report import DEFAULTS, trainability_report
from qbp.results import save_results

ROOT = Path(__file__).resolve().parent.parent
MAXCUT_RING4 = "Z0 Z1 + Z1 Z2 + Z2 Z3 + Z0 Z3"


def load() -> list[float]:
    """1, 5 and 15 minute load averages (what `uptime` prints)."""
    return [round(x, 2) for x in os.getloadavg()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=ROOT / "book" / "circuits" / "qaoa_maxcut_ring4_p2.qasm")
    parser.add_argument("--observable", default=MAXCUT_RING4)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "report.json"))
    args = parser.parse_args(argv)

    circuit = qbp.read_qasm(args.file)
    cost = qbp.EnergyCost(qbp.pauli_sum(args.observable, circuit.n_qubits))
    load_before = load()

    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qbp", "report", str(args.file.resolve()),
                               "--observable", args.observable, "-o", folder],
                              capture_output=True, text=True)
        cli_seconds = time.perf_counter() - t0
        page = Path(folder) / f"{args.file.stem}.html"
        cli = {"seconds": cli_seconds, "exit_status": done.returncode,
               "stderr": done.stderr.strip()[-300:], "html_bytes": page.stat().st_size
               if page.is_file() else None,
               "figures": page.read_text(encoding="utf-8").count("<img") if page.is_file() else 0}
    load_cli = load()

    t0 = time.perf_counter()
    report = trainability_report(circuit, cost)
    seconds = time.perf_counter() - t0
    load_after = load()

    result = {
        "circuit": args.file.name, "n_qubits": circuit.n_qubits, "n_params": circuit.n_params,
        "gates": len(circuit.gates), "observable": args.observable, "engine": report.engine,
        "settings": {k: v for k, v in DEFAULTS.items() if k != "lrs"},
        "n_learning_rates": len(report.settings["lrs"]),
        "cli": cli, "load_average_after_cli": load_cli,
        "in_process": {"seconds": seconds, "stages": report.meta["seconds"]},
        "load_average_before": load_before, "load_average_after": load_after,
        "summary": report.summary, "machine": machine(), "measured": time.strftime("%Y-%m-%d"),
    }
    out = save_results(args.out, result, parameters={"file": args.file.name,
                                                     "observable": args.observable})
    print(f"load average before: {load_before} (1, 5, 15 min; 2 cores)")
    print(f"(i)  qbp report {args.file.name}: {cli_seconds:.1f} s wall, exit {done.returncode}, "
          f"{cli['figures']} figures (load after: {load_cli})")
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in report.meta["seconds"].items())
    print(f"(ii) trainability_report: {seconds:.1f} s ({stages}; engine {report.engine}; "
          f"load after: {load_after})")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
