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
import contextlib
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ._progress import bar as progress_bar

from ._checks import check_int

__all__ = ["run_tasks", "TaskError", "dask_client", "local_cluster", "timed", "Overhead",
           "measure_overhead", "SpeedupReading", "speedup", "speed_clause"]

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


#: glibc's trim threshold for Dask workers started by :func:`local_cluster` (1 GB).
MALLOC_TRIM_THRESHOLD = 1 << 30


@contextlib.contextmanager
def local_cluster(n_workers: int = 2, address: str | None = None, preload=("qbp.sweeps",)):
    """A Dask client for a ``with`` block, and how long getting it ready took.

    Yields ``(client, start_seconds)``: a ``dask.distributed.Client`` on ``address`` (a
    running scheduler, e.g. ``"tcp://host:8786"``) or, without one, on a ``LocalCluster``
    of ``n_workers`` single-threaded worker processes on 127.0.0.1 without a dashboard;
    every worker imports the modules of ``preload`` before the clock stops, so a timed
    sweep afterwards does not pay for imports. Workers of a local cluster keep up to
    :data:`MALLOC_TRIM_THRESHOLD` bytes of freed memory (Dask's nannies set glibc's
    ``MALLOC_TRIM_THRESHOLD_`` to 64 KiB, which returns freed memory at once and makes qbp's
    many short-lived arrays page-fault again). Client and cluster are closed on exit.
    ValueError if Dask is not installed.
    """
    import importlib

    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ValueError(DASK_HINT) from None
    n_workers = check_int(n_workers, "n_workers", minimum=1)
    t0 = time.perf_counter()
    cluster = None
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_":
                          MALLOC_TRIM_THRESHOLD}):
        if not address:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, host="127.0.0.1",
                                   dashboard_address=None)
        client = Client(address or cluster, set_as_default=False)
    try:
        for module in preload:
            client.run(importlib.import_module, module)
        yield client, time.perf_counter() - t0
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def timed(fn: Callable, *args, **kwargs) -> tuple[Any, float]:
    """``(fn(*args, **kwargs), wall time in s)``."""
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def run_tasks(fn: Callable, tasks: Sequence, scheduler=None, desc: str = "tasks", progress=None,
              retries: int = 2) -> list:
    """``[fn(t) for t in tasks]``, run by ``scheduler`` (see the module docstring)."""
    tasks = list(tasks)
    retries = check_int(retries, "retries", minimum=0)
    bar = progress_bar(total=len(tasks), desc=desc, unit="task", progress=progress, minimum=2)
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


# --- what parallel runs cost ---------------------------------------------------------------


def _echo(payload):
    """An empty task: its payload goes to a worker and comes back."""
    return payload


def _reference_work(_=None) -> float:
    """A fixed computation (elementwise NumPy over 2·10⁵ numbers, 40 times, like a batched
    optimizer step); returns its own wall time (s), measured where it runs."""
    import numpy as np

    x = np.linspace(0.0, 1.0, 200_000)
    t0 = time.perf_counter()
    for _ in range(40):
        x = np.sin(x) * np.cos(x) + 0.5
    return time.perf_counter() - t0


def _workers(scheduler) -> int:
    if scheduler is None:
        return 1
    if scheduler == "processes":
        return os.cpu_count() or 1
    return max(len(dask_client(scheduler).scheduler_info()["workers"]), 1)


@dataclass(frozen=True)
class Overhead:
    """What handing tasks to a scheduler costs (:func:`measure_overhead`):
    ``start_seconds`` to get going (a process pool starts its workers on every
    :func:`run_tasks` call; a running Dask cluster only takes the first round trip),
    ``per_task_seconds`` of wall time each further task adds (sending ``payload_bytes`` to a
    worker and back, and the bookkeeping), ``workers``, and ``work_ratio``: how much longer
    a fixed computation takes in a worker, all workers busy, than here alone (1: as fast)."""

    scheduler: str
    start_seconds: float
    per_task_seconds: float
    workers: int
    payload_bytes: int
    work_ratio: float = 1.0


def measure_overhead(scheduler, payload_bytes: int = 0, n_tasks: int = 32,
                     repeats: int = 3) -> Overhead:
    """Measure what ``scheduler`` (as for :func:`run_tasks`) costs on this machine.

    Empty tasks carrying ``payload_bytes`` each way: t₁ for one task and t_N for
    ``n_tasks``, the medians of ``repeats`` runs of :func:`run_tasks`;
    ``per_task_seconds`` = (t_N − t₁)/(N − 1), ``start_seconds`` = t₁ − ``per_task_seconds``
    (at least 0). ``work_ratio``: the median time of a fixed computation run by the workers
    (two per worker, at once) over its median time here. Wall times: other load on the
    machine shows in them. Errors: TypeError / ValueError naming the argument.
    """
    import numpy as np

    payload_bytes = check_int(payload_bytes, "payload_bytes", minimum=0)
    n_tasks = check_int(n_tasks, "n_tasks", minimum=2)
    repeats = check_int(repeats, "repeats", minimum=1)
    payload = np.zeros(payload_bytes, dtype=np.uint8)

    def wall(n: int) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run_tasks(_echo, [payload] * n, scheduler, progress=False)
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    one, many = wall(1), wall(n_tasks)
    per_task = max((many - one) / (n_tasks - 1), 0.0)
    workers = _workers(scheduler)
    here = float(np.median([_reference_work() for _ in range(max(repeats, 3))]))
    there = float(np.median(run_tasks(_reference_work, [None] * (2 * workers), scheduler,
                                      progress=False)))
    name = scheduler if isinstance(scheduler, str) or scheduler is None else "dask"
    return Overhead(str(name), max(one - per_task, 0.0), per_task, workers, payload_bytes,
                    there / here)


@dataclass(frozen=True)
class SpeedupReading:
    """One parallel run against the same work in this process.

    ``seconds_here`` and ``seconds``: wall times in this process and with the scheduler;
    ``n_tasks``; ``overhead`` (:class:`Overhead`, measured on the same scheduler);
    ``serial_seconds``: the part of ``seconds_here`` that runs in this process whatever the
    scheduler (e.g. a sweep's refined minima). The model behind :attr:`predicted_seconds`:
    the serial part, start-up, the per-task cost of every task, and ⌈n/w⌉ rounds of one
    task's work, slowed by the workers' ``work_ratio``.
    """

    seconds_here: float
    seconds: float
    n_tasks: int
    overhead: Overhead
    serial_seconds: float = 0.0

    @property
    def speedup(self) -> float:
        """seconds_here / seconds: above 1 faster than this process, below 1 slower."""
        return self.seconds_here / self.seconds

    @property
    def workers(self) -> int:
        return self.overhead.workers

    @property
    def best_speedup(self) -> int:
        """At most one task per worker at a time: min(workers, tasks)."""
        return min(self.workers, self.n_tasks)

    @property
    def work_per_task(self) -> float:
        """(seconds_here − serial_seconds) / n_tasks: the work one task holds (s)."""
        return (self.seconds_here - self.serial_seconds) / self.n_tasks

    @property
    def rounds(self) -> int:
        return math.ceil(self.n_tasks / self.workers)

    @property
    def predicted_seconds(self) -> float:
        """serial + start + n·per_task + ⌈n/w⌉·work_per_task·work_ratio."""
        o = self.overhead
        return (self.serial_seconds + o.start_seconds + self.n_tasks * o.per_task_seconds
                + self.rounds * self.work_per_task * o.work_ratio)

    @property
    def break_even_work(self) -> float:
        """The work per task above which the model predicts a speed-up above 1:
        (start + n·per_task) / (n − ⌈n/w⌉·work_ratio); infinite if that is never reached."""
        spread = self.n_tasks - self.rounds * self.overhead.work_ratio
        o = self.overhead
        cost = o.start_seconds + self.n_tasks * o.per_task_seconds
        return cost / spread if spread > 0 else math.inf


def _factor(x: float) -> str:
    return f"{x:.2g}×"


def speed_clause(readings: dict, fmt: Callable[[float], str] | None = None) -> str:
    """How fast each parallel run was against one process, as a clause (no capital, no full
    stop) that says "slow-down" where a run was slower: ``"the process pool and Dask were
    slow-downs: 0.72× and 0.76× the speed of one process"``, ``"the process pool ran 1.8×
    and Dask 1.6× as fast as one process"``, or both kinds joined by a semicolon.

    ``readings``: {name: :class:`SpeedupReading`} (names as the prose says them), at least
    one; ``fmt``: how a speed ratio is written (default two significant digits and "×",
    as :func:`qbp.book.text.factor`). TypeError / ValueError naming ``readings``."""
    if not isinstance(readings, dict) or not readings:
        raise ValueError("readings must be a non-empty dict {name: SpeedupReading}")
    if not all(isinstance(r, SpeedupReading) for r in readings.values()):
        raise TypeError("readings must map names to SpeedupReading objects")
    fmt = fmt or _factor

    def join(items):
        items = list(items)
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    fast = {k: r for k, r in readings.items() if r.speedup >= 1}
    slow = {k: r for k, r in readings.items() if r.speedup < 1}
    parts = []
    if fast:
        names = list(fast)
        ran = [f"{names[0]} ran {fmt(fast[names[0]].speedup)}"] + [
            f"{k} {fmt(fast[k].speedup)}" for k in names[1:]]
        parts.append(f"{join(ran)} as fast as one process")
    if slow:
        many = len(slow) > 1
        parts.append(f"{join(slow)} {'were slow-downs' if many else 'was a slow-down'}: "
                     f"{join(fmt(r.speedup) for r in slow.values())} the speed of one process")
    return "; ".join(parts)


def speedup(seconds_here: float, seconds: float, n_tasks: int, overhead: Overhead,
            serial_seconds: float = 0.0) -> SpeedupReading:
    """A :class:`SpeedupReading`. ``serial_seconds`` longer than ``seconds_here`` (timed
    apart on a busy machine) counts as ``seconds_here``. ValueError for non-positive times,
    a negative ``serial_seconds`` or task counts below 1; TypeError for ``overhead``."""
    for name, value in (("seconds_here", seconds_here), ("seconds", seconds)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if not (isinstance(serial_seconds, (int, float)) and math.isfinite(serial_seconds)
            and serial_seconds >= 0):
        raise ValueError(f"serial_seconds must be a number of seconds >= 0, got "
                         f"{serial_seconds!r}")
    # timed apart, the serial part can come out longer than the whole run on a busy machine:
    # then the tasks held no measurable work
    serial_seconds = min(serial_seconds, seconds_here)
    n_tasks = check_int(n_tasks, "n_tasks", minimum=1)
    if not isinstance(overhead, Overhead):
        raise TypeError(f"overhead must be an Overhead, got {type(overhead).__name__}")
    return SpeedupReading(float(seconds_here), float(seconds), n_tasks, overhead,
                          float(serial_seconds))
