"""The ``qbp`` command line: ``qbp build`` makes the book, ``qbp run`` re-executes one chapter,
``qbp report`` writes the trainability report of an OpenQASM circuit.

Usage errors print one line and exit with status 2 before anything is written; a failing
notebook, kernel or HTML build exits with status 1, Ctrl-C with 130 and SIGTERM with 143,
each with one line ``qbp: error: ...``. ``QBP_DEBUG=1`` shows the traceback of an
unexpected error instead.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

_PARAMETER_FLAGS = ("-p", "--parameter")


def _take_parameters(argv: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split ``-p NAME VALUE`` triples off ``argv`` before argparse sees them.

    argparse would read a VALUE like ``-1e-3`` as an option ("expected 2 arguments"); the two
    words after ``-p`` are always NAME and VALUE. An incomplete ``-p`` at the end stays for
    argparse to report. Nothing after ``--`` is taken.
    """
    rest, pairs, i = [], [], 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            rest += argv[i:]
            break
        if word in _PARAMETER_FLAGS and len(argv) - i >= 3:
            pairs.append((argv[i + 1], argv[i + 2]))
            i += 3
            continue
        rest.append(word)
        i += 1
    return rest, pairs


def _take_observable(argv: list[str]) -> list[str]:
    """``--observable TEXT`` as ``--observable=TEXT``: an observable may start with a minus
    sign (``-Z0 Z1``), which argparse would take for an option. Nothing after ``--``."""
    out, i = [], 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return out + argv[i:]
        if word == "--observable" and i + 1 < len(argv):
            out.append(f"--observable={argv[i + 1]}")
            i += 2
            continue
        out.append(word)
        i += 1
    return out


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (``qbp: error: ...``) like the rest of qbp's errors."""

    def error(self, message: str):
        self.exit(2, f"qbp: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a notebook parameter; VALUE is read as YAML with Python's numbers (180, 1e-3, "
             "true, [90, 180]) and checked against the type the notebook declares",
    )
    common.add_argument("--root", type=Path, help="repository root (default: the folder with _toc.yml above cwd)")

    parser = _Parser(prog="qbp", description="Build the qbp book or re-execute one of its chapters.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build", parents=[common], help="execute every chapter and build the HTML book",
        description="Execute every chapter notebook of _toc.yml into _build/stage and build _build/html.",
    )
    build.add_argument("--profile", default="quick", help="parameter profile from book/profiles.yml (default: quick)")
    build.add_argument("--strict", action="store_true", help="treat Sphinx warnings as errors")
    build.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                       help="chapters executed at a time (default: the number of usable cores)")
    build.add_argument(
        "--repository-url", metavar="URL", default=os.environ.get("QBP_REPOSITORY_URL") or None,
        help="public repository (https://github.com/ORG/REPO) for a repository button and Binder "
             "launch buttons; default: $QBP_REPOSITORY_URL, else none",
    )
    build.add_argument(
        "--repository-branch", metavar="BRANCH",
        default=os.environ.get("QBP_REPOSITORY_BRANCH") or "main",
        help="branch Binder launches (default: $QBP_REPOSITORY_BRANCH, else main)",
    )

    run = commands.add_parser(
        "run", parents=[common], help="execute one chapter",
        description="Execute one chapter notebook, by default into _build/run/CHAPTER.ipynb.",
    )
    run.add_argument("chapter", metavar="CHAPTER", help="chapter stem (01_circuit_landscape) or notebook path")
    run.add_argument("--profile", help="parameter profile (default: the notebook's own defaults)")
    run.add_argument("-o", "--output", type=Path, help="executed notebook (default: _build/run/CHAPTER.ipynb)")

    report = commands.add_parser(
        "report", help="the trainability report of an OpenQASM circuit (an HTML page)",
        description="Execute qbp's report notebook for the circuit in FILE (OpenQASM 3 or 2; each "
                    "'input float' is a free parameter) and the observable TEXT, and write a "
                    "standalone HTML page and the executed notebook. Everything is checked "
                    "before the notebook runs: a bad file, observable or parameter is one line "
                    "on stderr, exit status 2, and nothing written. Works from any folder.",
    )
    report.add_argument("file", metavar="FILE", type=Path, help="the OpenQASM file")
    report.add_argument("--observable", required=True, metavar="TEXT",
                        help="the observable as a Pauli sum on the circuit's qubits, e.g. "
                             "'Z0 Z1 + Z1 Z2 - 0.5 X0' (qubit k of the file is qubit k)")
    report.add_argument("-o", "--output", type=Path, metavar="OUT",
                        help="a folder (gets STEM.html and STEM.ipynb, STEM the file's name "
                             "without suffix) or an .html path (the .ipynb beside it); "
                             "default: the folder report-STEM in the current folder")
    report.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="a report setting: resolution, n_starts, steps, n_flow, flow_steps, n_draws, "
             "n_slices, n_boot, tol, seed (e.g. -p n_starts 20 -p steps 200)",
    )
    return parser


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got '{text}'")
    return value


_TERMINATED = []  # SIGTERM received (handled like Ctrl-C, reported as such)


def _on_sigterm(signum, frame):
    _TERMINATED.append(signum)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``qbp`` console script and ``python -m qbp``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, pairs = _take_parameters(argv)
    args = _parser().parse_args(_take_observable(argv))
    args.parameter = pairs + [tuple(p) for p in args.parameter]
    from qbp.book import build  # after parsing, so that --help stays quick

    import threading

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main else None
    _TERMINATED.clear()
    try:
        if args.command == "report":  # needs no repository: the notebook ships with qbp
            from qbp.book import report

            print(report.make_report(args.file, args.observable, args.parameter, args.output))
            return 0
        root = build.find_root() if args.root is None else build.check_root(args.root)
        if args.command == "build":
            index = build.build(root, args.profile, args.parameter, strict=args.strict,
                                repository_url=args.repository_url,
                                repository_branch=args.repository_branch, jobs=args.jobs)
            print(index)
        else:
            print(build.run(root, args.chapter, args.profile, args.parameter, args.output))
    except build.UsageError as err:
        print(f"qbp: error: {err}", file=sys.stderr)
        return 2
    except build.BuildFailed as err:
        print(f"qbp: error: {err}", file=sys.stderr)
        return 1
    except (build.Interrupted, KeyboardInterrupt) as err:
        signum = signal.SIGTERM if _TERMINATED else signal.SIGINT
        name = "SIGTERM" if _TERMINATED else "Ctrl-C"
        detail = f": {err}" if isinstance(err, build.Interrupted) else ""
        print(f"qbp: error: stopped by {name}{detail}", file=sys.stderr)
        return 128 + signum
    except Exception as err:  # an error of papermill, nbclient, Jupyter Book or qbp itself
        if os.environ.get("QBP_DEBUG"):
            raise
        message = " ".join(str(err).split())[:300]
        print(f"qbp: error: {type(err).__name__}: {message} (QBP_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return 0
