"""The figures of chapters 04 and 05 (qbp.plots.trajectories, qbp.plots.success) run on tiny
records, fit the book's width and label what they draw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qbp import matrix as M  # noqa: E402
from qbp import plots, success  # noqa: E402
from qbp.endpoints import KINDS, trajectory_study  # noqa: E402


@pytest.fixture(scope="module")
def study():
    return trajectory_study(2, "tfim", 3, 12, n_starts=10, steps=40, n_paths=2, progress=False)


@pytest.fixture(scope="module")
def rates():
    return M.success_study((2,), ("tfim",), 2, (0,), n_starts=6, steps=20, lrs=[0.05, 0.5],
                           c_star_resolution=16, n_boot=20, progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    with matplotlib.rc_context(plots.BOOK_RC):  # the book's style, not leaked to other tests
        yield
    plt.close("all")


def test_trajectory_grid(study):
    fig = plots.plot_trajectory_grid(study)
    assert fig.get_size_inches()[0] <= plots.MAX_WIDTH
    assert sum(ax.get_visible() and ax.get_aspect() == 1.0 for ax in fig.axes) == 3
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"L = 1", "L = 2", "L = 3"} <= texts
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["Adam, η = 0.05", "SGD, η = 0.05", "start", "global minimum"]
    # the paths are drawn in the run colours, not white on a light map
    colours = {line.get_color() for ax in fig.axes for line in ax.lines}
    assert {"#d62728", "#1f5fbf"} <= colours


def test_end_kinds_and_agreement(study):
    axes = plots.plot_end_kinds(study)
    assert len(axes) == 3 and axes[0].get_ylabel() == "fraction of runs"
    assert [t.get_text() for t in axes[0].figure.legends[0].get_texts()] == list(KINDS)
    # every fraction is drawn with its error bar
    bars = axes[0].containers
    assert len(bars) == 3 and all(len(b.lines[0].get_xdata()) == 3 for b in bars)
    rates = bars[0].lines[0].get_ydata()
    assert rates == pytest.approx([f.rate for f in study.series("Adam", "global")])
    axes = plots.plot_agreement(study)
    assert [a.texts[0].get_text() for a in axes] == [
        "same end as the flow", "same basin, compass rule", "same basin, steepest rule"]
    assert axes[0].figure.get_size_inches()[0] <= plots.MAX_WIDTH


def test_basin_paths(study):
    ax = plots.plot_basin_paths(study.layer_records[-1], "compass", 1e-3)
    assert ax.get_xlabel() == "θ₀ (rad)"
    assert any(t.get_text() == "compass rule, L = 3" for t in ax.texts)
    axes = plots.plot_basin_paths(study.layer_records[-1], ("compass", "steepest"), 1e-3)
    assert len(axes) == 2 and axes[1].get_ylabel() == ""
    assert axes[0].figure.get_size_inches()[0] <= plots.MAX_WIDTH
    labels = [t.get_text() for t in axes[0].figure.legends[0].get_texts()]
    flow = "end of the gradient flow from the start"
    assert {"Adam path", "start", "Adam end", flow} <= set(labels)
    lines = {line.get_label(): line for line in axes[0].lines}
    # Adam's ends are drawn above the flow's ends, which often lie on the same point
    assert lines["Adam end"].get_zorder() > lines[flow].get_zorder()
    with pytest.raises(ValueError, match="rule"):
        plots.plot_basin_paths(study.layer_records[-1], [], 1e-3)


def test_trend_panels_against_the_flow_ratio_share_one_label():
    """A C6 cell with windows at every degree is drawn against the flow ratio (one label
    under the figure); an inconclusive one beside it keeps its own x label."""
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0])
    setting = {"n_qubits": 1, "cost": "tfim", "tol": 0.1, "steps": 10, "optimizer": "sgd",
               "seed": 0}

    def cell(rates):
        runs = np.arange(4)[None, None, :] < np.asarray(rates)[..., None]
        return M.c6_cell(setting, np.arange(1, len(rates) + 1), lrs, runs, np.array([0, 1, 2]),
                         np.array([4, 4, 4]), 50, [1, 2, 3])

    full = cell([[4, 4, 4, 4], [0, 4, 4, 0], [0, 0, 4, 0]])
    empty = cell([[0, 0, 0, 0], [0, 4, 0, 0], [0, 0, 0, 0]])
    assert full.statistic["x"] == "ratio" and "x" not in empty.statistic
    axes = plots.plot_trends([full, empty])
    assert axes[0].figure.get_supxlabel() == "flow ratio of the same starts"
    assert axes[0].get_xlabel() == "" and axes[1].get_xlabel() != ""


def test_end_kinds_do_not_reuse_run_colours():
    from qbp.plots.trajectories import KIND_COLOURS, RUN_COLOURS

    assert not set(KIND_COLOURS.values()) & set(RUN_COLOURS.values())
    # the last of six layer colours is not a pale yellow: luminance below 0.6 (C1 orange: 0.57)
    from qbp.plots.success import layer_colours

    r, g, b, _ = layer_colours(6)[-1]
    assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.6


def test_success_figures(rates):
    curves = {o: success.success_curves(rates, 2, "tfim", 0.1, 20, o, 0) for o in ("adam", "sgd")}
    axes = plots.plot_success_curves(curves)
    assert len(axes) == 2 and axes[0].get_xscale() == "log"
    assert [t.get_text() for t in axes[0].figure.legends[0].get_texts()] == ["L = 1", "L = 2"]
    assert axes[0].get_ylabel() == "settled success rate"
    cells = [success.cell_for(rates, "C6", 2, "tfim", 0.1, 20, o, 0) for o in ("adam", "sgd")]
    axes = plots.plot_trends(cells)
    assert axes[1].get_ylabel() == ""
    # no run settles at L = 2 (degree 4) in this small study: no window there, so both C6
    # cells end inconclusive before any trend and keep their own x label (no shared one)
    assert all(c.outcome == "inconclusive" and "no run settled at any learning rate at "
               "degrees [4]" in c.reason for c in cells)
    assert axes[0].figure.get_supxlabel() == ""
    pred = success.prediction(rates, 2, "tfim", 0.1, 20, 0)
    ax = plots.plot_prediction(pred)
    assert ax.get_ylabel() == "success rate"
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "1 − flow ratio (prediction)"


def test_budget_figure(rates):
    b = success.budget_comparison(2, "tfim", rates.c_star[0, 0], n_starts=3, budget=20,
                                  lrs=[0.05, 0.5], progress=False)
    ax = plots.plot_budget(b)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["COBYLA", "Nelder-Mead", "Powell", "Adam, best η", "SGD, best η"]
    assert ax.get_ylabel() == "success within 20 evaluations"
    assert np.allclose(ax.containers[3].lines[0].get_ydata(), [f.rate for f in b.gradient["adam"]])
