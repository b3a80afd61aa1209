"""Time whole book builds (measures, never asserts).

    python benchmarks/bench_book.py [--profile quick|paper] [--change CHAPTER.PARAMETER=VALUE]
                                    [--jobs N]

Copies the book (``_config.yml``, ``_toc.yml``, ``book/``) into a temporary folder, so the
checkout's ``_build/`` is never touched, and times ``qbp build --profile PROFILE`` there,
run with the interpreter running this script, three times:

1. from an empty ``_build/`` (every chapter executed, HTML built);
2. again with nothing changed (every chapter from the chapter cache, HTML kept);
3. after changing one parameter of one chapter in the copied ``book/profiles.yml`` (default
   ``01_circuit_landscape.seed=8``): that chapter and the pages that read results re-executed.

Writes the wall times, the chapters each build executed and whether it kept the HTML (from
the build's run manifest) to ``benchmarks/results/book-PROFILE.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_engines import machine
from qbp.results import save_results

ROOT = Path(__file__).resolve().parents[1]


def _build(root: Path, profile: str, jobs: int | None) -> dict:
    command = [sys.executable, "-m", "qbp", "build", "--profile", profile, "--root", str(root)]
    if jobs:
        command += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.run(command, cwd=root)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"the build failed (exit {proc.returncode}); nothing recorded")
    manifest = json.loads((root / "_build" / "manifest.json").read_text())
    return {"seconds": seconds,
            "executed": [s for s, r in manifest["chapters"].items() if r["executed"]],
            "html_reused": manifest["html"]["reused"],
            "chapter_seconds": {s: r["seconds"] for s, r in manifest["chapters"].items()}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick", choices=("quick", "paper"))
    parser.add_argument("--change", default="01_circuit_landscape.seed=8",
                        help="CHAPTER.PARAMETER=VALUE changed in the profile for the third build")
    parser.add_argument("--jobs", type=int, default=None, help="qbp build --jobs (default: its own)")
    parser.add_argument("--out", default=None, help="default: benchmarks/results/book-PROFILE.json")
    args = parser.parse_args(argv)
    out = args.out or str(ROOT / "benchmarks" / "results" / f"book-{args.profile}.json")
    target, value = args.change.split("=", 1)
    chapter, parameter = target.split(".", 1)

    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        root = Path(tmp)
        for name in ("_config.yml", "_toc.yml"):
            shutil.copy2(ROOT / name, root / name)
        shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns(
            "results", "cache", "_build", ".ipynb_checkpoints", "__pycache__"))
        empty = _build(root, args.profile, args.jobs)
        unchanged = _build(root, args.profile, args.jobs)
        profiles_file = root / "book" / "profiles.yml"
        profiles = yaml.safe_load(profiles_file.read_text())
        profiles[args.profile].setdefault(chapter, {})[parameter] = yaml.safe_load(value)
        profiles_file.write_text(yaml.safe_dump(profiles, sort_keys=False))
        changed = _build(root, args.profile, args.jobs)

    data = {"empty": empty, "unchanged": unchanged, "one_parameter": changed,
            "change": args.change, "unchanged_fraction": unchanged["seconds"] / empty["seconds"],
            "machine": machine(), "measured": time.strftime("%Y-%m-%d")}
    save_results(out, data, parameters={"profile": args.profile, "jobs": args.jobs})
    print(f"qbp build --profile {args.profile}: empty _build/ {empty['seconds']:.1f} s; "
          f"unchanged {unchanged['seconds']:.1f} s ({100 * data['unchanged_fraction']:.0f} %); "
          f"after {args.change} {changed['seconds']:.1f} s "
          f"(re-executed {', '.join(changed['executed'])}); written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
