"""Progress bars for long work: in the terminal, never on a book page.

Every progress bar in qbp comes from :func:`bar`. ``progress=True`` shows it, ``False`` hides
it, ``None`` (the default everywhere) shows it only for long work (``n_items`` at least
``minimum``). The environment variable ``QBP_PROGRESS=0`` hides every bar whatever the
argument: ``qbp build`` and ``qbp run`` set it for the notebooks they execute, so progress
goes to their own terminal display (one line per chapter) and no bar lands in a page.
"""

from __future__ import annotations

import os

__all__ = ["bar", "enabled"]


def enabled(progress, n_items: int = 0, minimum: int = 8) -> bool:
    """Whether to show a bar: see the module docstring."""
    if os.environ.get("QBP_PROGRESS", "").strip() == "0":
        return False
    if progress is None:
        return n_items >= minimum
    return bool(progress)


def bar(iterable=None, *, total: int | None = None, desc: str = "", unit: str = "it",
        progress=None, minimum: int = 8):
    """A ``tqdm.auto`` bar (a terminal bar, or a widget in an interactive notebook), disabled
    as :func:`enabled` says; ``total`` defaults to ``len(iterable)``."""
    n = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else 0)
    show = enabled(progress, n, minimum)
    if show:
        from tqdm.auto import tqdm
    else:  # tqdm.auto probes for ipywidgets and warns in a bare kernel, even for a hidden bar
        from tqdm.std import tqdm
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not show)
