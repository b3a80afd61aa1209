"""Progress bars: shown for long work in a terminal, never inside a page (qbp._progress)."""

import nbformat
import pytest

from qbp import _progress
from qbp.book import build


@pytest.mark.parametrize("progress,n,expected", [(None, 3, False), (None, 8, True), (True, 1, True),
                                                 (False, 100, False)])
def test_enabled_by_argument(monkeypatch, progress, n, expected):
    monkeypatch.delenv("QBP_PROGRESS", raising=False)
    assert _progress.enabled(progress, n) is expected


def test_environment_hides_every_bar(monkeypatch):
    monkeypatch.setenv("QBP_PROGRESS", "0")
    assert _progress.enabled(True, 1000) is False
    assert _progress.bar(range(100), progress=True).disable


def test_build_kernels_hide_bars_and_use_ipc(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os; print(os.environ.get('QBP_PROGRESS'))")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    build.execute(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {}, progress=False)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    texts = [o.get("text", "") for c in out.cells for o in c.get("outputs", [])]
    assert texts == ["0\n"]
    assert build.SameInterpreterKernelManager().transport == "ipc"


def test_kernels_side_by_side_in_one_folder(tmp_path):
    """Two kernels at once in one folder (qbp build --jobs 2) must not share IPC sockets."""
    from concurrent.futures import ThreadPoolExecutor

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time; time.sleep(1); print('done')")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    managers = [build.SameInterpreterKernelManager() for _ in range(2)]
    assert managers[0].ip != managers[1].ip

    def run(i):
        build.execute(tmp_path / "in.ipynb", tmp_path / f"out{i}.ipynb", {}, progress=False)
        return nbformat.read(tmp_path / f"out{i}.ipynb", as_version=4).cells[0].outputs[0].text

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(run, range(2))) == ["done\n", "done\n"]


def test_injected_parameters_cell_is_hidden_on_the_page(tmp_path):
    """papermill's '# Parameters' cell must not sit under the chapter's own parameters cell."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("n: int = 1  # a number")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(n)")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    build.execute(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {"n": 2}, progress=False)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    injected = [c for c in out.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"]
    assert out.cells[-1].outputs[0].text == "2\n"
    assert "remove-cell" not in out.cells[0].metadata["tags"]
