"""The executor seam: the same sweep in this process, in local processes and on Dask."""

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

import qbp
from qbp.executors import TaskError, dask_client, run_tasks
from qbp.plateaus import plateau_scan
from qbp.sweeps import success_sweep

COST = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
CIRCUITS = [qbp.default_circuit(2, L) for L in (1, 3)]
SWEEP = dict(optimizers=("adam", "sgd"), lrs=[0.01, 0.3], n_starts=40, steps=40, seed=11,
             c_star_resolution=24, chunk_starts=10, progress=False)


def _fails_on_three(x):
    if x == 3:
        raise ValueError("three is not allowed")
    return x * x


def test_embedded_runs_in_order_and_reports_failures():
    assert run_tasks(abs, [-1, 2, -3], progress=False) == [1, 2, 3]
    with pytest.raises(TaskError, match="task 3 failed: ValueError: three.*parameters: 3"):
        run_tasks(_fails_on_three, range(5), progress=False)


def test_no_progress_never_imports_the_notebook_bar():
    # tqdm.auto probes for ipywidgets and warns ("IProgress not found") in a kernel without
    # them: a chapter that asks for no progress bar must not trigger that warning
    import subprocess

    code = ("import sys; from qbp.executors import run_tasks; "
            "assert run_tasks(abs, [-1, 2], progress=False) == [1, 2]; "
            "print('tqdm.autonotebook' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_process_pool_gives_identical_results():
    local = success_sweep(CIRCUITS, COST, **SWEEP)
    pool = success_sweep(CIRCUITS, COST, scheduler="processes", **SWEEP)
    assert np.array_equal(local.final_costs, pool.final_costs)


def test_missing_dask_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(ValueError, match=r"pip install 'qbp\[dask\]'"):
        dask_client("tcp://127.0.0.1:1")
    with pytest.raises(ValueError, match="qbp\\[dask\\]"):
        success_sweep(CIRCUITS, COST, scheduler="tcp://127.0.0.1:1", **SWEEP)
    # everything else still works without it
    assert success_sweep(CIRCUITS, COST, **SWEEP).final_costs.shape == (2, 2, 2, 40)


def test_bad_scheduler_type():
    pytest.importorskip("distributed")
    with pytest.raises(TypeError, match="scheduler"):
        run_tasks(abs, [1], scheduler=42, progress=False)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cl, \
            distributed.Client(cl, set_as_default=False) as client:
        yield cl, client


def test_dask_gives_bit_identical_results(cluster):
    _, client = cluster
    local = success_sweep(CIRCUITS, COST, **SWEEP)
    remote = success_sweep(CIRCUITS, COST, scheduler=client, **SWEEP)
    assert np.array_equal(local.final_costs, remote.final_costs)
    by_address = plateau_scan([2, 3, 4], "layer", n_draws=30, seed=2, n_boot=20, progress=False,
                              scheduler=client.scheduler.address)
    here = plateau_scan([2, 3, 4], "layer", n_draws=30, seed=2, n_boot=20, progress=False)
    assert np.array_equal(by_address.derivatives["global"], here.derivatives["global"])


def test_dask_reports_failed_task_with_parameters(cluster):
    _, client = cluster
    with pytest.raises(TaskError, match="parameters: 3"):
        run_tasks(_fails_on_three, range(5), scheduler=client, progress=False, retries=0)


def test_sweep_survives_a_killed_worker(cluster):
    _, client = cluster
    params = dict(SWEEP, n_starts=60, steps=300, chunk_starts=5)
    expected = success_sweep(CIRCUITS, COST, **params)
    pids = client.run(os.getpid)  # worker address -> pid
    out = {}

    def sweep():
        out["result"] = success_sweep(CIRCUITS, COST, scheduler=client, **params)

    thread = threading.Thread(target=sweep)
    thread.start()
    deadline = time.time() + 60
    while time.time() < deadline and not any(client.processing().values()):
        time.sleep(0.05)
    busy = [addr for addr, tasks in client.processing().items() if tasks]
    assert busy, "no task started within a minute"
    os.kill(pids[busy[0]], signal.SIGKILL)  # a worker dies mid-sweep
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert np.array_equal(out["result"].final_costs, expected.final_costs)


def test_landscape_batches_through_the_seam(cluster):
    _, client = cluster
    circuits = [qbp.default_circuit(2, L) for L in (1, 2, 3)]
    here = qbp.sample_landscapes(circuits, COST, 20, progress=False)
    there = qbp.sample_landscapes(circuits, COST, 20, scheduler=client, progress=False)
    for a, b in zip(here, there):
        assert np.array_equal(a.values, b.values) and np.array_equal(a.gradient, b.gradient)
        assert a.circuit == b.circuit


# --- what parallel runs cost -------------------------------------------------------------------

def test_measure_overhead_here_and_in_processes():
    from qbp.executors import measure_overhead

    here = measure_overhead(None, payload_bytes=800, n_tasks=4, repeats=1)
    assert (here.scheduler, here.workers, here.payload_bytes) == ("None", 1, 800)
    assert 0 <= here.start_seconds < 0.5 and 0 <= here.per_task_seconds < 0.05
    assert 0.2 < here.work_ratio < 5  # the same computation, here both times
    pool = measure_overhead("processes", n_tasks=4, repeats=1)
    assert pool.workers == (os.cpu_count() or 1) and pool.start_seconds > here.start_seconds
    with pytest.raises(ValueError, match="n_tasks"):
        measure_overhead(None, n_tasks=1)


def test_speedup_model_by_hand():
    from qbp.executors import Overhead, speedup

    o = Overhead("processes", start_seconds=0.2, per_task_seconds=0.01, workers=2,
                 payload_bytes=0, work_ratio=1.5)
    r = speedup(seconds_here=5.0, seconds=4.0, n_tasks=10, overhead=o, serial_seconds=1.0)
    assert r.speedup == 1.25 and r.best_speedup == 2 and r.rounds == 5
    assert r.work_per_task == pytest.approx(0.4)  # (5 − 1) / 10
    assert r.predicted_seconds == pytest.approx(1.0 + 0.2 + 0.1 + 5 * 0.4 * 1.5)  # 4.3
    assert r.break_even_work == pytest.approx((0.2 + 0.1) / (10 - 5 * 1.5))  # 0.12
    slow = Overhead("dask", 0.0, 0.0, 2, 0, work_ratio=2.5)
    assert speedup(1.0, 2.0, 4, slow).break_even_work == float("inf")  # 4 − 2·2.5 < 0
    assert speedup(1.0, 2.0, 4, o, serial_seconds=3.0).work_per_task == 0  # clamped
    with pytest.raises(ValueError, match="seconds must be a positive"):
        speedup(1.0, 0.0, 4, o)
    with pytest.raises(ValueError, match="serial_seconds"):
        speedup(1.0, 1.0, 4, o, serial_seconds=-1)
    with pytest.raises(TypeError, match="overhead must be an Overhead"):
        speedup(1.0, 1.0, 4, {"workers": 2})


def test_speed_clause_names_slow_downs():
    from qbp.executors import Overhead, speed_clause, speedup

    o = Overhead("processes", 0.1, 0.01, 2, 0)
    slow, slower = speedup(0.72, 1.0, 4, o), speedup(0.76, 1.0, 4, o)
    fast, faster = speedup(1.8, 1.0, 4, o), speedup(1.6, 1.0, 4, o)
    assert speed_clause({"the process pool": slow, "Dask": slower}) == (
        "the process pool and Dask were slow-downs: 0.72× and 0.76× the speed of one process")
    assert speed_clause({"the process pool": fast, "Dask": faster}) == (
        "the process pool ran 1.8× and Dask 1.6× as fast as one process")
    assert speed_clause({"the pool": fast, "Dask": slow}, fmt=lambda x: f"{x:.1f} times") == (
        "the pool ran 1.8 times as fast as one process; Dask was a slow-down: 0.7 times the "
        "speed of one process")
    with pytest.raises(ValueError, match="readings"):
        speed_clause({})
    with pytest.raises(TypeError, match="readings"):
        speed_clause({"Dask": 0.7})


def test_local_cluster_and_timed():
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from qbp.executors import local_cluster, timed

    with local_cluster(1, preload=("qbp.sweeps",)) as (client, started):
        assert len(client.scheduler_info()["workers"]) == 1 and started > 0
        squares, seconds = timed(run_tasks, abs, [-1, 2, -3], client, progress=False)
        assert squares == [1, 2, 3] and seconds > 0
    assert client.status == "closed"
