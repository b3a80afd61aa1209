"""Time whole book builds (measures, never asserts).

    python benchmarks/bench_book.py [--profile quick|classroom|paper] [--once]
                                    [--change CHAPTER.PARAMETER=VALUE] [--jobs N]
    python benchmarks/bench_book.py --table     # the README's table from the saved results

Copies the book (``_config.yml``, ``_toc.yml``, ``book/``) into a temporary folder, so the
checkout's ``_build/`` is never touched, and times ``qbp build --profile PROFILE`` there,
run with the interpreter running this script, three times:

1. from an empty ``_build/`` (every chapter executed, HTML built);
2. again with nothing changed (every chapter from the chapter cache, HTML kept);
3. after changing one parameter of one chapter in the copied ``book/profiles.yml`` (default
   ``01_circuit_landscape.seed=8``): that chapter and the pages that read results re-executed.

With ``--once`` only the first build runs (a paper build takes minutes). ``--verdicts FILE``
copies the first build's ``conclusions.json`` to FILE (for a paper build, the record
``book/paper_verdicts.json``). Writes the wall times, each chapter's execution time, the
chapters each build executed and whether it kept the HTML (from the build's run manifest) to
``benchmarks/results/book-PROFILE.json``.

``--table`` prints, from the saved ``book-*.json`` files, the Markdown table of the README:
each chapter's execution time from an empty ``_build/`` under every profile measured, and
the whole build's wall time.
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


PROFILES = ("classroom", "quick", "paper")


def _time(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{seconds:.1f} s" if seconds < 60 else f"{minutes} min {rest:02d} s"


def table(folder: Path = ROOT / "benchmarks" / "results") -> str:
    """The README's Markdown table: chapters × measured profiles (execution time from an
    empty ``_build/``), then the whole build; "–" where a profile has no measurement."""
    runs = {}
    for profile in PROFILES:
        path = folder / f"book-{profile}.json"
        if path.is_file():
            data = json.loads(path.read_text())["data"]
            if "empty" in data:  # files from before per-chapter times hold only a total
                runs[profile] = data
    if not runs:
        return "no measurements in " + str(folder)
    stems = list(dict.fromkeys(s for r in runs.values() for s in r["empty"]["chapter_seconds"]))
    head = "| chapter | " + " | ".join(runs) + " |"
    lines = [head, "|---|" + "---|" * len(runs)]
    for stem in stems:
        cells = [_time(r["empty"]["chapter_seconds"][stem])
                 if stem in r["empty"]["chapter_seconds"] else "–" for r in runs.values()]
        lines.append(f"| {stem} | " + " | ".join(cells) + " |")
    lines.append("| whole build (`--jobs " + "/".join(
        str(r.get("jobs") or "auto") for r in runs.values()) + "`) | "
        + " | ".join(_time(r["empty"]["seconds"]) for r in runs.values()) + " |")
    dates = ", ".join(f"{p} {r['measured']}" for p, r in runs.items())
    return "\n".join(lines) + f"\n\nMeasured: {dates}."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick", choices=PROFILES)
    parser.add_argument("--once", action="store_true",
                        help="only the build from an empty _build/ (no rebuilds)")
    parser.add_argument("--table", action="store_true",
                        help="print the README's table of the saved measurements and exit")
    parser.add_argument("--change", default="01_circuit_landscape.seed=8",
                        help="CHAPTER.PARAMETER=VALUE changed in the profile for the third build")
    parser.add_argument("--jobs", type=int, default=None, help="qbp build --jobs (default: its own)")
    parser.add_argument("--out", default=None, help="default: benchmarks/results/book-PROFILE.json")
    parser.add_argument("--verdicts", default=None, metavar="FILE",
                        help="copy the first build's conclusions.json here (with --profile "
                             "paper: the record book/paper_verdicts.json)")
    args = parser.parse_args(argv)
    if args.table:
        print(table())
        return 0
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
        if args.verdicts:  # the verdicts of this very build, before any rebuild changes them
            shutil.copy2(root / "_build" / "stage" / "book" / "results" / "conclusions.json",
                         args.verdicts)
        if args.once:
            data = {"empty": empty, "jobs": args.jobs, "machine": machine(),
                    "measured": time.strftime("%Y-%m-%d")}
            save_results(out, data, parameters={"profile": args.profile, "jobs": args.jobs})
            print(f"qbp build --profile {args.profile}: empty _build/ "
                  f"{empty['seconds']:.1f} s; written to {out}")
            return 0
        unchanged = _build(root, args.profile, args.jobs)
        profiles_file = root / "book" / "profiles.yml"
        profiles = yaml.safe_load(profiles_file.read_text())
        profiles[args.profile].setdefault(chapter, {})[parameter] = yaml.safe_load(value)
        profiles_file.write_text(yaml.safe_dump(profiles, sort_keys=False))
        changed = _build(root, args.profile, args.jobs)

    data = {"empty": empty, "unchanged": unchanged, "one_parameter": changed, "jobs": args.jobs,
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
