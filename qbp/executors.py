"""One seam through which every sweep runs its tasks: here, in local processes, or on Dask.

``run_tasks(fn, tasks, scheduler)`` applies a module-level function to each task and returns
the results in task order, whatever ran them:

- ``scheduler=None`` (default): in this process, one task after the other;
- ``"processes"``: a local process pool (``concurrent.futures``), one worker per core;
- a ``dask.distributed.Client``, or a scheduler address such as ``"tcp://host:8786"``: the
  tasks go to that Dask cluster (``pip install qbp[dask]``).

Tasks are deterministic and the split into tasks depends only on the sweep's parameters,
never on the scheduler, so the same seeds give bit-identical results everywhere. Results
are gathered as they finish (progress bar); a failed task is retried (Dask: ``retries``,
also when its worker dies) and, if it still fails, reported with its parameters.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from ._checks import check_int

__all__ = ["run_tasks", "TaskError", "dask_client"]

DASK_HINT = "Dask is not installed: pip install 'qbp[dask]' (or dask[distributed])"


class TaskError(RuntimeError):
    """A sweep task failed (after its retries); ``task`` holds its parameters."""

    def __init__(self, task: Any, index: int, cause: BaseException):
        self.task, self.index, self.cause = task, index, cause
        super().__init__(f"task {index} failed: {type(cause).__name__}: {cause} "
                         f"(parameters: {_describe(task)})")


def _describe(task: Any, limit: int = 300) -> str:
    text = repr(task)
    return text if len(text) <= limit else text[:limit] + "…"


def dask_client(scheduler):
    """A ``dask.distributed.Client`` for ``scheduler`` (a Client or an address string)."""
    try:
        from distributed import Client
    except ImportError:
        raise ValueError(DASK_HINT) from None
    if isinstance(scheduler, Client):
        return scheduler
    if isinstance(scheduler, str):
        return Client(scheduler, set_as_default=False)
    raise TypeError(f"scheduler must be None, 'processes', a dask Client or an address string, "
                    f"got {type(scheduler).__name__}")


def run_tasks(fn: Callable, tasks: Sequence, scheduler=None, desc: str = "tasks", progress=None,
              retries: int = 2) -> list:
    """``[fn(t) for t in tasks]``, run by ``scheduler`` (see the module docstring)."""
    if progress is False:  # tqdm.auto would probe for ipywidgets and warn in a bare kernel
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm

    tasks = list(tasks)
    retries = check_int(retries, "retries", minimum=0)
    bar = tqdm(total=len(tasks), desc=desc, unit="task", disable=progress is False)
    try:
        if scheduler is None:
            results = []
            for i, task in enumerate(tasks):
                try:
                    results.append(fn(task))
                except Exception as exc:
                    raise TaskError(task, i, exc) from exc
                bar.update()
            return results
        if scheduler == "processes":
            return _run_processes(fn, tasks, bar)
        client = dask_client(scheduler)
        try:
            return _run_dask(fn, tasks, client, bar, retries)
        finally:
            if client is not scheduler:  # we opened it from an address: close it
                client.close()
    finally:
        bar.close()


def _run_processes(fn, tasks, bar) -> list:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:
                raise TaskError(tasks[i], i, exc) from exc
            bar.update()
    return results


def _run_dask(fn, tasks, client, bar, retries: int) -> list:
    from distributed import as_completed

    futures = client.map(fn, tasks, retries=retries, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(tasks)
    try:
        for future in as_completed(futures, loop=client.loop):
            i = index[future.key]
            try:
                results[i] = future.result()
            except Exception as exc:
                raise TaskError(tasks[i], i, exc) from exc
            bar.update()
    finally:
        for f in futures:
            f.release()
    return results
