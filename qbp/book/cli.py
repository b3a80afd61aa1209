"""The ``qbp`` command line: ``qbp build`` makes the book, ``qbp run`` re-executes one chapter.

Usage errors print one line and exit with status 2 before anything is written; a failing
notebook or HTML build exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (``qbp: error: ...``) like the rest of qbp's errors."""

    def error(self, message: str):
        self.exit(2, f"qbp: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a notebook parameter; VALUE is read as YAML (180, 0.5, true, [90, 180])",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``qbp`` console script and ``python -m qbp``; returns the exit status."""
    args = _parser().parse_args(argv)
    from qbp.book import build  # after parsing, so that --help stays quick

    try:
        root = build.find_root() if args.root is None else build.check_root(args.root)
        if args.command == "build":
            index = build.build(root, args.profile, args.parameter, strict=args.strict,
                                repository_url=args.repository_url,
                                repository_branch=args.repository_branch)
            print(index)
        else:
            print(build.run(root, args.chapter, args.profile, args.parameter, args.output))
    except build.UsageError as err:
        print(f"qbp: error: {err}", file=sys.stderr)
        return 2
    except build.BuildFailed as err:
        print(f"qbp: error: {err}", file=sys.stderr)
        return 1
    return 0
