"""One chapter of ``qbp build``, executed in a process of its own: ``python -m qbp.book._worker SPEC``.

SPEC is a JSON file with the arguments of :func:`qbp.book.build.execute` (``source``,
``output``, ``parameters``, ``cwd``, ``failed``) and ``result``, where the outcome is written:
``{"ok": true, "seconds": ..., "executed_at": ...}`` or ``{"ok": false, "error": ...}``.
A process per chapter keeps papermill's working-folder changes and kernels apart, and lets the
build stop a chapter (SIGTERM) without stopping itself.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    from qbp.book import build, manifest

    result = Path(spec["result"])
    executed_at = manifest.now()
    try:
        seconds = build.execute(Path(spec["source"]), Path(spec["output"]), spec["parameters"],
                                progress=False, cwd=Path(spec["cwd"]), failed=Path(spec["failed"]))
        outcome, status = {"ok": True, "seconds": seconds, "executed_at": executed_at}, 0
    except build.BuildFailed as err:
        outcome, status = {"ok": False, "error": str(err)}, 1
    except build.Interrupted as err:
        outcome, status = {"ok": False, "error": str(err), "interrupted": True}, 130
    result.write_text(json.dumps(outcome), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
