"""Time a whole book build (measures, never asserts).

    python benchmarks/bench_book.py [--profile paper]

Runs ``qbp build --profile PROFILE`` in this checkout with the interpreter running this
script and records the wall time of the whole build (execution of every chapter and the
HTML) in a JSON file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench_engines import machine
from qbp.results import save_results

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="paper", choices=("quick", "paper"))
    parser.add_argument("--out", default=None, help="default: benchmarks/results/book-PROFILE.json")
    args = parser.parse_args(argv)
    out = args.out or str(ROOT / "benchmarks" / "results" / f"book-{args.profile}.json")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "qbp", "build", "--profile", args.profile],
                          cwd=ROOT)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        print(f"the build failed (exit {proc.returncode}); nothing recorded", file=sys.stderr)
        return proc.returncode
    save_results(out, {"seconds": seconds, "machine": machine(), "measured": time.strftime("%Y-%m-%d")},
                 parameters={"profile": args.profile})
    print(f"qbp build --profile {args.profile}: {seconds:.0f} s; written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
