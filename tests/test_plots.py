"""Each plot function runs on a tiny landscape (Agg backend) and labels its axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

import qbp  # noqa: E402
from qbp import plots  # noqa: E402


@pytest.fixture(scope="module")
def cost():
    return qbp.EnergyCost(qbp.tfim_hamiltonian(2))


@pytest.fixture(scope="module")
def landscapes(cost):
    return [qbp.sample_landscape(qbp.default_circuit(2, L), cost, 12) for L in (1, 2, 3)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_draw_circuit_labels_parameters(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(1))
    ax = plots.draw_circuit(qbp.default_circuit(2, 1))
    texts = [t.get_text() for t in ax.texts]
    assert "RY(θ₀)" in texts and "RZ(θ₁)" in texts
    assert not shown  # the renderer's own plt.show() is suppressed
    w, h = ax.figure.get_size_inches()
    assert w > h > 0  # sized to the drawing, not square


def test_draw_circuit_into_given_axes_keeps_figure_size():
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
    out = plots.draw_circuit(qbp.default_circuit(2, 1, "none"), ax=ax2)
    assert out is ax2
    assert tuple(fig.get_size_inches()) == (8, 3)
    assert any(t.get_text() == "RZ(θ₃)" for t in ax2.texts)
    fig.canvas.draw()


def test_plot_landscape(landscapes):
    ls = landscapes[1]
    ax = plots.plot_landscape(ls)
    assert ax.get_xlabel() == "θ₀ (rad)" and ax.get_ylabel() == "θ₁ (rad)"
    assert ax.get_title() == ""  # captions come from the book
    mesh = ax.collections[0]
    assert isinstance(mesh.norm, LogNorm)
    excess = ls.values - ls.meta["cost_minimum"]
    assert mesh.norm.vmax == pytest.approx(excess.max())
    assert mesh.norm.vmin == pytest.approx(excess.min())
    # the grid minimum is marked, and labelled for a legend
    (line,) = ax.get_lines()
    assert np.allclose(line.get_xydata()[0], ls.min_theta)
    assert line.get_label() == "grid minimum"
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert colorbar_axes and "C − E₀" in colorbar_axes[0].get_ylabel()
    ax.figure.canvas.draw()


def test_plot_landscape_linear_raw_values(landscapes):
    ax = plots.plot_landscape(landscapes[0], excess=False, log=False, mark_minimum=False,
                              colorbar=False)
    assert not isinstance(ax.collections[0].norm, LogNorm)
    assert not ax.get_lines()


def test_plot_landscape_cells_are_centred_on_grid_points(landscapes):
    ax = plots.plot_landscape(landscapes[0], colorbar=False)
    r = landscapes[0].resolution
    assert ax.get_xlim() == pytest.approx((-np.pi, np.pi))
    assert ax.get_ylim() == pytest.approx((-np.pi, np.pi))
    mesh = ax.collections[0]
    assert mesh.get_array().shape == (r + 1, r + 1)  # the −π row and column repeated at +π
    corners = mesh.get_coordinates()
    step = 2 * np.pi / r
    np.testing.assert_allclose(corners[0, 0], [-np.pi - step / 2, -np.pi - step / 2])
    np.testing.assert_allclose(corners[0, 1, 0], -np.pi + step / 2)


def test_plot_landscape_needs_two_parameters(cost):
    ls = qbp.sample_landscape(qbp.default_circuit(2, 1, "layer"), cost, 4)
    with pytest.raises(ValueError, match="2-parameter"):
        plots.plot_landscape(ls)


def test_plot_landscape_grid_shares_one_scale(landscapes):
    fig = plots.plot_landscape_grid(landscapes, labels=["L = 1", "L = 2", "L = 3"], ncols=2)
    panels = [a for a in fig.axes if a.collections and a.get_label() != "<colorbar>"]
    assert len(panels) == 3
    norms = {(p.collections[0].norm.vmin, p.collections[0].norm.vmax) for p in panels}
    assert len(norms) == 1
    assert sum(a.get_visible() for a in fig.axes) == 4  # 3 panels + colour bar, 1 hidden
    assert any("C − E₀" in a.get_ylabel() for a in fig.axes if a.get_label() == "<colorbar>")
    assert [t.get_text() for p in panels for t in p.texts] == ["L = 1", "L = 2", "L = 3"]
    fig.canvas.draw()


def test_plot_minima_vs_sharing():
    ax = plots.plot_minima_vs_sharing([2, 4, 6], [0.1, 0.05, 0.2], [0.09, 0.04, 0.19],
                                      layers=[1, 2, 3], threshold=1e-3, threshold_label="C1")
    assert ax.get_yscale() == "log"
    assert "sharing degree" in ax.get_xlabel() and "C − E₀" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["grid minimum $C_{min}$", "refined minimum $C^*$", "C1"]
    assert [t.get_text() for t in ax.texts] == ["L = 1", "L = 2", "L = 3"]
    ax.figure.canvas.draw()
