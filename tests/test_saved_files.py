"""Every file qbp saves gets the mode a plain open() would give it (issue 9, item 6).

Landscapes, results JSON and sweep caches are all written through qbp._io.atomic_write, so
under umask 022 they are 0644 (readable by the group and others, like any file the user
makes), under umask 077 0600 — never the 0600 of a bare tempfile.mkstemp whatever the umask.
"""

import os
import stat

import numpy as np
import pytest

import qbp
from qbp.results import save_results
from qbp.sweeps import success_sweep

COST = qbp.EnergyCost(qbp.tfim_hamiltonian(2))


@pytest.fixture(params=[0o022, 0o077])
def umask(request):
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def landscape_file(folder):
    return qbp.sample_landscape(qbp.default_circuit(), COST, 8).save(folder / "land.npz")


def results_file(folder):
    return save_results(folder / "r.json", {"x": np.float64(0.5)}, {"seed": 1})


def cache_file(folder):
    success_sweep([qbp.default_circuit()], COST, ("sgd",), [0.1], n_starts=2, steps=2,
                  c_star_resolution=8, cache=folder, progress=False)
    (path,) = folder.glob("*.npz")
    return path


@pytest.mark.parametrize("write", [landscape_file, results_file, cache_file])
def test_mode_follows_the_umask(tmp_path, umask, write):
    path = write(tmp_path / "out")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_no_module_keeps_its_own_temporary_files():
    # one shared helper: no science module writes through tempfile on its own
    import pathlib

    root = pathlib.Path(qbp.__file__).parent
    users = sorted(p.name for p in root.glob("*.py") if "tempfile" in p.read_text())
    assert users == ["_io.py"]
