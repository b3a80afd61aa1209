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


QISKIT_STYLE = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] _γ_0_;
qubit[2] q;
h q[0];
sdg q[1];
cz q[0], q[1];
rz(2*_γ_0_) q[1];
cp(_γ_0_/2 + 1) q[0], q[1];
sx q[0];
U(0.1, 0.2, pi) q[1];
"""


def test_gate_labels_use_the_usual_names_and_display_names():
    from qbp.plots.landscape import gate_labels

    circuit = qbp.read_qasm(QISKIT_STYLE)  # qutip-qip: SNOT, PHASEGATE, CZ, RZ, CPHASE, …
    assert [g.name for g in circuit.gates][:2] == ["SNOT", "PHASEGATE"]
    assert gate_labels(circuit) == ["H", "P(−π/2)", "CZ", "RZ(2·γ₀)", "CP(0.5·γ₀ + 1)", "√X",
                                    "U(0.1, 0.2, π)"]
    csign = qbp.Circuit(2, [qbp.Gate("CSIGN", 1, controls=0), qbp.Gate("ISWAP", (0, 1))])
    assert gate_labels(csign) == ["CZ", "iSWAP"]
    dollar = qbp.Circuit(1, [qbp.Gate("RX", 0, param=0)], param_names=["$a$"])
    assert gate_labels(dollar) == [r"RX(\$a\$)"]  # never read as mathtext


def test_draw_circuit_writes_the_labels():
    ax = plots.draw_circuit(qbp.read_qasm(QISKIT_STYLE))
    texts = {t.get_text() for t in ax.texts}
    assert {"H", "P(−π/2)", "RZ(2·γ₀)", "√X"} <= texts
    assert not {"SNOT", "PHASEGATE", "SQRTNOT"} & texts
    assert not any("_γ_0_" in t for t in texts)


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
    # by default the figure fits the book's column
    assert fig.get_size_inches()[0] == pytest.approx(plots.MAX_WIDTH)
    assert plots.plot_landscape_grid(landscapes).get_size_inches()[0] == pytest.approx(plots.MAX_WIDTH)


def test_plot_minima_vs_sharing():
    ax = plots.plot_minima_vs_sharing([2, 4, 6], [0.1, 0.05, 0.2], [0.09, 0.04, 0.19],
                                      layers=[1, 2, 3], threshold=1e-3, threshold_label="C1")
    assert ax.get_yscale() == "log"
    assert "sharing degree" in ax.get_xlabel() and "C − E₀" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["grid minimum $C_{min}$", "refined minimum $C^*$", "C1"]
    assert [t.get_text() for t in ax.texts] == ["L = 1", "L = 2", "L = 3"]
    ax.figure.canvas.draw()


@pytest.fixture(scope="module")
def resolution_studies(cost):
    from qbp.resolution import resolution_study

    return [resolution_study(qbp.default_circuit(2, L), cost, (8, 16, 32)) for L in (1, 2)]


def test_plot_resolution_quantiles(resolution_studies):
    study = resolution_studies[0]
    ax = plots.plot_resolution_quantiles(study)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "grid step" in ax.get_ylabel() and "resolution R" in ax.get_xlabel()
    assert ax.get_title() == ""
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["95 % quantile", "75 % quantile", "median", "25 % quantile",
                      "5 % quantile", "∝ 1/R (slope −1)"]
    median = next(l for l in ax.get_lines() if l.get_label() == "median")
    np.testing.assert_allclose(median.get_xdata(), [8, 16, 32])
    np.testing.assert_allclose(median.get_ydata(), study.step[:, 50])
    guide = ax.get_lines()[-1].get_ydata()
    np.testing.assert_allclose(guide[:-1] / guide[1:], 2.0)  # slope −1: halves per doubling
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "16", "32"]
    ax.figure.canvas.draw()


def test_plot_resolution_quantiles_exact(resolution_studies):
    ax = plots.plot_resolution_quantiles(resolution_studies[0], kind="exact", levels=(25, 50),
                                         guide=False)
    assert "radian" in ax.get_ylabel()
    assert [l.get_label() for l in ax.get_lines()] == ["median", "25 % quantile"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), resolution_studies[0].exact[:, 50])
    with pytest.raises(ValueError, match="kind"):
        plots.plot_resolution_quantiles(resolution_studies[0], kind="median")


def test_plot_resolution_boxes_from_percentiles(resolution_studies):
    study = resolution_studies[1]
    ax = plots.plot_resolution_boxes(study)
    assert ax.get_yscale() == "log" and "grid step" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "16", "32"]
    medians = [l for l in ax.get_lines() if l.get_color() == "black"]
    np.testing.assert_allclose([m.get_ydata()[0] for m in medians], study.step[:, 50])
    # whiskers end at the 5 % and 95 % quantiles; no fliers
    ys = np.concatenate([l.get_ydata() for l in ax.get_lines()])
    assert ys.min() == pytest.approx(study.step[:, 5].min())
    assert ys.max() == pytest.approx(study.step[:, 95].max())
    # the median at R/2 drawn across the box at R, once per halving pair
    (bars,) = [c for c in ax.collections if c.get_label() == "median at R/2"]
    segments = bars.get_segments()
    assert len(segments) == len(study.halving_pairs) == 2
    np.testing.assert_allclose([s[0, 1] for s in segments], study.step[:2, 50])
    np.testing.assert_allclose([s[:, 0].mean() for s in segments], [1, 2])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["median at R/2"]
    ax.figure.canvas.draw()


def test_plot_resolution_boxes_exact_has_no_halving_marks(resolution_studies):
    ax = plots.plot_resolution_boxes(resolution_studies[0], kind="exact")
    assert "radian" in ax.get_ylabel()
    assert not any(c.get_label() == "median at R/2" for c in ax.collections)
    assert ax.get_legend() is None


def test_resolution_grids(resolution_studies):
    fig = plots.plot_resolution_quantile_grid(resolution_studies * 2, ["L = 1", "L = 2"] * 2)
    assert len(fig.axes) == 8
    assert [t.get_text() for a in fig.axes for t in a.texts] == ["L = 1", "L = 2"] * 2
    assert len(fig.legends) == 1
    assert fig.get_size_inches()[0] <= plots.MAX_WIDTH
    # one y label per column, on the middle row (index 2 of 4); x labels on the bottom row
    assert [bool(a.get_ylabel()) for a in fig.axes] == [False] * 4 + [True] * 2 + [False] * 2
    assert [bool(a.get_xlabel()) for a in fig.axes] == [False] * 6 + [True] * 2
    fig.canvas.draw()
    fig = plots.plot_resolution_box_grid(resolution_studies * 2, ["L = 1", "L = 2"] * 2, ncols=3)
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == 4 and visible[1].get_ylabel() == ""
    assert fig.get_size_inches()[0] == pytest.approx(plots.MAX_WIDTH)
    # one x label for the figure
    assert [bool(a.get_xlabel()) for a in visible] == [False] * 4
    assert "resolution R" in fig.get_supxlabel()
    fig.canvas.draw()
    with pytest.raises(ValueError):
        plots.plot_resolution_quantile_grid([])
    with pytest.raises(ValueError):
        plots.plot_resolution_box_grid([])


def test_plot_ratio_vs_resolution():
    ratios = {"L = 1": {0.1: [0.1, 0.2, 0.3], 0.001: [0.4, 0.5, 0.6]},
              "L = 2": {0.1: [0.7, 0.8, 0.9]}}
    ax = plots.plot_ratio_vs_resolution([90, 180, 360], ratios)
    assert ax.get_xscale() == "log" and ax.get_ylim() == pytest.approx((-0.02, 1.02))
    assert "deceptiveness ratio" in ax.get_ylabel()
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["L = 1, tol = 0.1", "L = 1, tol = 0.001",
                                              "L = 2, tol = 0.1"]
    assert [l.get_linestyle() for l in lines] == ["-", "--", "-"]  # largest tol solid
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    ax.figure.canvas.draw()


@pytest.fixture(scope="module")
def worked(cost):
    return qbp.sample_landscape(qbp.default_circuit(2, 2), cost, 20)


class TestDeceptivenessPlots:
    """plot_basins and plot_deceptiveness_vs_sharing (chapter 03)."""

    def test_plot_basins(self, worked):
        b = qbp.basins(worked)
        ax = plots.plot_basins(worked, b, 0.1)
        assert ax.get_xlabel() == "θ₀ (rad)" and ax.get_ylabel() == "θ₁ (rad)"
        assert ax.get_title() == ""
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "deceptive, tol = 0.1 (absolute, cost units)" in texts
        assert "sink within tol of C_min" in texts
        (image,) = ax.get_images()
        assert image.get_array().shape == (21, 21, 3)  # periodic edge repeated
        stars = [l for l in ax.get_lines() if l.get_marker() == "*"]
        good = b.sink_values <= b.threshold(0.1)
        points = set(zip(stars[0].get_xdata(), stars[0].get_ydata()))
        si, sj = np.unravel_index(b.sinks[good], worked.values.shape)
        assert len(stars) == 1 and set(zip(worked.axes[0][si], worked.axes[1][sj])) <= points
        assert ax.collections  # hatches, contours, arrows
        ax.figure.canvas.draw()

    @pytest.mark.parametrize("resolution, layers", [(20, 2), (40, 2), (24, 6)])
    def test_touching_basins_always_differ(self, cost, resolution, layers):
        """Across a cell edge or a corner, and across the periodic seam; and the colours
        spread over the palette (24 basins do not share 5 colours)."""
        land = qbp.sample_landscape(qbp.default_circuit(2, layers), cost, resolution)
        b = qbp.basins(land)
        label = np.searchsorted(b.sinks, b.sink)
        colour = plots.deceptiveness._basin_colours(label, b.sizes)[label]
        for shift in ((1, 0), (0, 1), (1, 1), (1, -1)):
            other_label, other = (np.roll(a, shift, axis=(0, 1)) for a in (label, colour))
            differ = label != other_label
            assert np.all(colour[differ] != other[differ])
        palette = len(plots.deceptiveness._BASIN_COLOURS)
        assert len(np.unique(colour)) == min(b.n_sinks, palette)

    def test_more_colours_when_a_map_needs_them(self):
        """A 3×3 block of 9 basins on a 3×3 torus: each touches all others (edges, corners
        and the seam), so 9 colours are needed; with a palette cut to 4, more are made."""
        from matplotlib.colors import to_rgb

        label = np.arange(9).reshape(3, 3)
        colour = plots.deceptiveness._basin_colours(label, np.ones(9))
        assert sorted(colour) == list(range(9))
        saved = plots.deceptiveness._BASIN_COLOURS
        try:
            plots.deceptiveness._BASIN_COLOURS = saved[:4]
            colour = plots.deceptiveness._basin_colours(label, np.ones(9))
            assert sorted(colour) == list(range(9))
            rgb = plots.deceptiveness._palette(9)
            assert rgb.shape == (9, 3) and len({tuple(c) for c in rgb}) == 9
            assert tuple(rgb[0]) == to_rgb(saved[0])
        finally:
            plots.deceptiveness._BASIN_COLOURS = saved

    def test_boundaries_enclose_every_basin(self, worked):
        """One segment per cell edge between two basins (the seam excluded)."""
        b = qbp.basins(worked)
        label = np.searchsorted(b.sinks, b.sink)
        step = worked.periods / worked.resolution
        segments = plots.deceptiveness._boundaries(label, worked.axes, step)
        expected = (label[:-1] != label[1:]).sum() + (label[:, :-1] != label[:, 1:]).sum()
        assert segments.shape == (expected, 2, 2)
        lengths = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1)
        np.testing.assert_allclose(lengths, step[0])

    def test_every_sink_is_marked(self, cost):
        """Sinks on the seam θ = −π are drawn on both edges, unclipped."""
        land = qbp.sample_landscape(qbp.default_circuit(2, 2), cost, 12)
        b = qbp.basins(land)
        ax = plots.plot_basins(land, b, 0.1)
        marks = [l for l in ax.get_lines() if l.get_marker() in ("*", "o", "D")]
        x = np.concatenate([l.get_xdata() for l in marks])
        y = np.concatenate([l.get_ydata() for l in marks])
        si, sj = np.unravel_index(b.sinks, land.values.shape)
        for xs, ys in zip(land.axes[0][si], land.axes[1][sj]):
            assert np.any((x == xs) & (y == ys))
            if xs == -np.pi:
                assert np.any((x == np.pi) & (y == ys))
        assert not any(l.get_clip_on() for l in marks)
        assert len(ax.collections) > 0

    def test_no_empty_marks_to_stretch_the_layout(self, worked):
        """With a tol so large that every sink is within it, no sink kind is empty: an empty
        unclipped line would pull the constrained layout to the figure's origin and collapse
        the axes (a warning on the page)."""
        import warnings

        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(plots.MAX_WIDTH, 3.6), layout="constrained")
        for ax in axes:
            plots.plot_basins(worked, qbp.basins(worked), 10.0, ax=ax, legend=False)
            assert all(len(line.get_xdata()) for line in ax.get_lines())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()
        assert axes[0].get_position().width > 0.25
        plt.close(fig)

    def test_step_arrows_follow_the_rule(self, worked):
        for rule in ("compass", "steepest"):
            b = qbp.basins(worked, rule=rule)
            di, dj = plots.deceptiveness._steps(worked, b)
            r = worked.resolution
            i, j = np.meshgrid(np.arange(r), np.arange(r), indexing="ij")
            target = ((i + di) % r) * r + (j + dj) % r
            moved = (di != 0) | (dj != 0)
            flat = worked.values.ravel()
            assert np.all(flat[target[moved]] < worked.values[moved])  # every step goes down
            sinks = np.zeros(r * r, bool)
            sinks[b.sinks] = True
            assert np.array_equal(~moved.ravel(), sinks)  # no step exactly at the sinks

    def test_plot_basins_relative_and_options(self, worked):
        b = qbp.basins(worked, rule="steepest")
        ax = plots.plot_basins(worked, b, 0.05, relative=True, arrows="gradient", contours=0)
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("relative" in t for t in texts)
        ax = plots.plot_basins(worked, b, 0.05, arrows="none", legend=False)
        assert ax.get_legend() is None

    def test_plot_basins_bad_input(self, worked, cost):
        b = qbp.basins(worked)
        with pytest.raises(ValueError, match="arrows"):
            plots.plot_basins(worked, b, 0.1, arrows="compass")
        three = qbp.sample_landscape(qbp.default_circuit(2, 1, "layer"), cost, 4)
        with pytest.raises(ValueError, match="2-parameter"):
            plots.plot_basins(three, qbp.basins(three), 0.1)
        other = qbp.sample_landscape(qbp.default_circuit(2, 1), cost, 8)
        with pytest.raises(ValueError, match="basins"):
            plots.plot_basins(other, b, 0.1)

    def test_plot_deceptiveness_vs_sharing(self):
        degrees = [2, 4, 6]
        axes = plots.plot_deceptiveness_vs_sharing(
            degrees, {"gradient rule, tol = 0.1 (absolute)": [0.0, 0.5, 0.7]},
            {"sinks, gradient rule": [6, 26, 204], "sinks, steepest rule": [2, 9, 24]},
            [0.97, 1.26, 2.02], gradient_band=([0.6, 0.7, 1.1], [1.3, 2.0, 3.0]),
            layers=[1, 2, 3], styles={"sinks, steepest rule": {"ls": ":"}})
        ax_r, ax_s, ax_g = axes
        assert ax_r.get_ylabel() == "deceptiveness ratio"
        assert ax_s.get_yscale() == "log" and "log scale" in ax_s.get_ylabel()
        assert "energy per radian" in ax_g.get_ylabel() and "sharing degree" in ax_g.get_xlabel()
        assert [t.get_text() for t in ax_r.get_legend().get_texts()] == [
            "gradient rule, tol = 0.1 (absolute)"]
        assert ax_s.get_lines()[1].get_linestyle() == ":"
        ax_g.figure.canvas.draw()

    def test_sink_counts_within_a_decade_stay_linear(self):
        axes = plots.plot_deceptiveness_vs_sharing([2, 4], {"r": [0.1, 0.2]}, {"s": [3, 9]},
                                                   [1.0, 2.0])
        assert axes[1].get_yscale() == "linear"


class TestPathsAndSuccess:
    def test_wrap_path_inside_the_box_is_unchanged(self):
        path = np.array([[0.0, 0.0], [0.5, -0.2], [1.0, -0.4]])
        assert np.array_equal(plots.wrap_path(path), path)

    def test_wrap_path_breaks_at_the_edge(self):
        out = plots.wrap_path(np.array([[3.0, 0.0], [3.3, 0.1], [3.5, 0.2]]))
        gap = np.flatnonzero(np.isnan(out[:, 0]))
        assert len(gap) == 1
        before, after = out[gap[0] - 1], out[gap[0] + 1]
        assert before[0] == pytest.approx(np.pi) and after[0] == pytest.approx(-np.pi)
        assert before[1] == pytest.approx(after[1])  # cut at the same θ₁ on both sides
        assert out[-1] == pytest.approx([3.5 - 2 * np.pi, 0.2])
        finite = out[~np.isnan(out[:, 0])]
        assert np.all((finite >= -np.pi - 1e-12) & (finite <= np.pi + 1e-12))

    def test_wrap_path_through_a_corner_and_a_long_jump(self):
        corner = plots.wrap_path(np.array([[-3.0, 3.0], [-3.3, 3.3]]))
        assert np.isnan(corner[:, 0]).sum() == 1
        assert corner[-1] == pytest.approx([-3.3 + 2 * np.pi, 3.3 - 2 * np.pi])
        jump = plots.wrap_path(np.array([[0.0, 0.0], [14.0, 0.0]]))  # crosses two edges
        assert np.isnan(jump[:, 0]).sum() == 2
        assert jump[-1, 0] == pytest.approx(14.0 - 4 * np.pi)

    def test_wrap_path_jitter_across_an_edge_draws_no_long_line(self):
        # a run that settled on the edge θ₁ = π, rounding errors flipping it across
        eps = 1e-12
        path = np.array([[-1.0, np.pi - eps], [-1.0, np.pi + eps]] * 5)
        out = plots.wrap_path(path)
        assert np.nanmax(np.abs(np.diff(out, axis=0))) < 1e-9

    def test_wrap_path_bad_shape(self):
        with pytest.raises(ValueError):
            plots.wrap_path(np.zeros(3))

    def test_plot_paths_on_a_landscape(self, landscapes, cost):
        circuit = qbp.default_circuit(2, 1)
        tr = qbp.optimize(circuit, cost, np.array([[3.0, 3.0], [-1.0, 0.5]]), "sgd", 0.3, 20)
        ax = plots.plot_landscape(landscapes[0], mark_minimum=False)
        plots.plot_paths(tr, ax, color="C1", label="SGD")
        handles, texts = ax.get_legend_handles_labels()
        assert texts == ["SGD", "SGD end"]
        assert ax.get_xlim() == (-np.pi, np.pi)
        ends = ax.get_lines()[-2].get_xydata()
        assert ends == pytest.approx(tr.final_params)
        with pytest.raises(ValueError):
            plots.plot_paths(np.zeros((2, 5, 3)), ax)

    def test_wrap_path_with_a_4pi_axis(self):
        # θ₁ 4π-periodic: crossing π is no edge, crossing 2π is
        inside = np.array([[0.0, 3.0], [0.1, 3.3], [0.2, 6.0]])
        assert np.array_equal(plots.wrap_path(inside, [2 * np.pi, 4 * np.pi]), inside)
        out = plots.wrap_path(np.array([[0.0, 6.0], [0.0, 6.5]]), [2 * np.pi, 4 * np.pi])
        assert np.isnan(out[:, 1]).sum() == 1
        assert out[-1] == pytest.approx([0.0, 6.5 - 4 * np.pi])

    def test_wrap_path_leaves_a_non_periodic_axis(self):
        path = np.array([[0.0, 3.0], [0.0, 9.0], [0.0, 30.0]])
        assert np.array_equal(plots.wrap_path(path, [2 * np.pi, np.inf]), path)

    def test_plot_paths_uses_the_trajectories_periods(self):
        # the CRX circuit: ⟨X⊗I⟩ = sin θ₀ · cos(θ₁/2), θ₁ 4π-periodic
        import qutip

        circuit = qbp.Circuit(2, [qbp.Gate("RY", 0, param=0), qbp.Gate("CRX", 1, 0, param=1)])
        cost = qbp.ObservableCost(qutip.tensor(qutip.sigmax(), qutip.qeye(2)))
        tr = qbp.optimize(circuit, cost, [[np.pi / 2, 2.5]], "sgd", 1.0, steps=60)
        ax = plots.plot_paths(tr)
        drawn = ax.get_lines()[0].get_xydata()
        assert not np.isnan(drawn).any()  # θ₁ from 2.5 to ≈ 2π: no edge crossed at π
        ends = ax.get_lines()[1].get_xydata()
        assert ends == pytest.approx(tr.final_params)
        assert ax.get_ylim() == pytest.approx((-2 * np.pi, 2 * np.pi))
        with pytest.raises(ValueError, match="differ"):
            plots.plot_paths(tr, periods=[2 * np.pi, 2 * np.pi])

    def test_landscape_and_basin_maps_span_one_period_per_axis(self):
        import qutip

        circuit = qbp.Circuit(2, [qbp.Gate("RY", 0, param=0), qbp.Gate("CRX", 1, 0, param=1)])
        cost = qbp.ObservableCost(qutip.tensor(qutip.sigmax(), qutip.qeye(2)))
        land = qbp.sample_landscape(circuit, cost, 12, method="batched")
        ax = plots.plot_landscape(land, excess=False, log=False)
        assert ax.get_xlim() == pytest.approx((-np.pi, np.pi))
        assert ax.get_ylim() == pytest.approx((-2 * np.pi, 2 * np.pi))
        ax = plots.plot_basins(land, qbp.basins(land), 0.1)
        assert ax.get_ylim() == pytest.approx((-2 * np.pi, 2 * np.pi))
        image = ax.get_images()[0]
        step = 4 * np.pi / 12
        assert image.get_extent()[2:] == pytest.approx([-2 * np.pi - step / 2, 2 * np.pi + step / 2])

    def test_plot_success_vs_lr(self):
        lrs = [1e-3, 1e-2, 1e-1, 1.0]
        ax = plots.plot_success_vs_lr(lrs, {"L = 1": [0.1, 0.9, 1.0, 0.2],
                                            "L = 2": [0.0, 0.1, 0.2, 0.0]},
                                      styles={"L = 2": {"ls": "--"}})
        assert ax.get_xscale() == "log" and "learning rate" in ax.get_xlabel()
        assert "success" in ax.get_ylabel()
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["L = 1", "L = 2"]
        assert ax.get_lines()[1].get_linestyle() == "--"
        with pytest.raises(ValueError):
            plots.plot_success_vs_lr(lrs, {"bad": [0.1, 0.2]})


# --- barren plateaus (SPEC §9) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def plateau_scans():
    from qbp.plateaus import plateau_scan
    return [plateau_scan([2, 3, 4], s, layers, n_draws=20, seed=1, n_boot=20, progress=False)
            for layers in ("n", 3) for s in ("none", "type")]


def test_plot_plateau_scan(plateau_scans):
    scan = plateau_scans[0]
    ax = plots.plot_plateau_scan(scan)
    assert ax.get_yscale() == "log" and ax.get_title() == ""
    assert ax.get_xlabel() == "qubits n" and "Var" in ax.get_ylabel()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["none sharing, L = n, global cost", "none sharing, L = n, local cost"]
    curves = [line for line in ax.get_lines() if line.get_linestyle() in ("--", ":")]
    assert len(curves) == 2  # one fitted curve per cost
    x, y = curves[0].get_data()  # the named model, or the one with the lower χ²
    assert x[0] == 2 and x[-1] == 4
    fits = scan.fits["global"]
    best = (fits[scan.verdict["global"]] if scan.verdict["global"] in fits
            else min(fits.values(), key=lambda f: f.chi2))
    assert curves[0].get_linestyle() == {"exponential": "--", "polynomial": ":"}[best.model]
    x_model = x if best.model == "exponential" else np.log(x)
    np.testing.assert_allclose(np.log(y), best.intercept - best.rate * x_model)
    ax.figure.canvas.draw()


def test_plot_plateau_scans_one_cost_several_scans(plateau_scans):
    fig, ax = plt.subplots()
    out = plots.plot_plateau_scans({"no sharing": plateau_scans[0], "type": plateau_scans[1]},
                                   "local", ax=ax, note="local cost, L = n")
    assert out is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no sharing", "type"]
    assert [t.get_text() for t in ax.texts] == ["local cost, L = n"]
    markers = [c[0].get_marker() for c in ax.containers]  # error-bar containers, in order
    assert markers == ["o", "s"]
    xs = [np.asarray(c[0].get_xdata(), dtype=float) for c in ax.containers]
    np.testing.assert_allclose(xs[0], [1.88, 2.88, 3.88])  # spread ±0.12 along n
    np.testing.assert_allclose(xs[1], [2.12, 3.12, 4.12])
    ax = plots.plot_plateau_scans({"no sharing": plateau_scans[0]}, "global", note="a",
                                  note_loc="lower left", legend=False)
    assert ax.texts[0].get_position() == (0.03, 0.04) and ax.get_legend() is None
    with pytest.raises(ValueError, match="at least one"):
        plots.plot_plateau_scans({}, "local")
    with pytest.raises(ValueError, match="note_loc"):
        plots.plot_plateau_scans({"a": plateau_scans[0]}, "local", note_loc="centre")


def test_plot_plateau_scan_one_cost_into_given_axes(plateau_scans):
    fig, ax = plt.subplots()
    for k, scan in enumerate(plateau_scans[:2]):
        out = plots.plot_plateau_scan(scan, ax=ax, costs=["local"], color=f"C{k}",
                                      label=scan.sharing, offset=0.1 * k, fit=False)
        assert out is ax
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.split(":")[0] for t in texts] == ["none", "type"]
    assert not [line for line in ax.get_lines() if line.get_linestyle() in ("--", ":")]
    with pytest.raises(ValueError, match="no cost"):
        plots.plot_plateau_scan(plateau_scans[0], costs=["energy"])


def test_plot_decay_rates(plateau_scans):
    ax = plots.plot_decay_rates(plateau_scans, references={"ln 4": np.log(4)})
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["none\nL = n", "type\nL = n", "none\nL = 3", "type\nL = 3"]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["ln 4", "global cost (± 2 scaled errors)",
                     "local cost (± 2 scaled errors)"]
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(points) == 2
    np.testing.assert_allclose(np.asarray(points[0].get_ydata(), dtype=float),
                               [s.decay["global"] for s in plateau_scans])
    assert ax.get_title() == ""
    rules = [line for line in ax.get_lines() if line.get_xdata()[0] == 1.5]
    assert len(rules) == 1  # between the L = n and the L = 3 groups
    ax.figure.canvas.draw()
    with pytest.raises(ValueError, match="label"):
        plots.plot_decay_rates(plateau_scans, labels=["a"])
    with pytest.raises(ValueError, match="at least one"):
        plots.plot_decay_rates([])


def test_plot_wall_times_labels_each_bar_with_its_factor():
    import matplotlib.pyplot as plt

    from qbp.plots import MAX_WIDTH, plot_wall_times

    ax = plot_wall_times({"here": 2.0, "pool": 1.0, "dask": 4.0})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["here", "pool", "dask"]
    assert [t.get_text() for t in ax.texts] == ["2 s (1×)", "1 s (2×)", "4 s (0.5×)"]
    assert [p.get_width() for p in ax.patches] == [2.0, 1.0, 4.0]
    assert ax.figure.get_figwidth() <= MAX_WIDTH
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="positive"):
        plot_wall_times({"here": 0.0})
    with pytest.raises(ValueError, match="non-empty"):
        plot_wall_times({})


def _c1_cell(values, baseline, cost="tfim"):
    from qbp.claims import Cell

    return Cell("C1", {"n_qubits": 2, "cost": cost}, "sharing degree n·L", [2, 4],
                "excess energy C* − E₀ (cost units)", {"value": values}, {"name": "F", "value": 1},
                None, "inconclusive", "r", {"baseline_excess": baseline})


def test_c1_trend_keeps_the_series_readable_above_a_zero_baseline():
    ax = plots.plot_trend(_c1_cell([0.1, 1.0], 3e-14))  # the unshared circuit reaches E₀
    # top: a third of a decade above 1.0; the lowest point a quarter of the way up, at least
    # half a decade above the bottom: span log10(10^0.3 / 0.1) = 1.3, 1.3 / 3 < 0.5
    np.testing.assert_allclose(ax.get_ylim(), (0.1 / 10 ** 0.5, 10 ** 0.3))
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "excess C* − E₀ (energy units)"  # one line, with its unit
    assert len(ax.get_lines()) == 1  # no baseline line dragging the axis to 1e-12
    notes = [t.get_text() for t in ax.texts if "baseline" in t.get_text()]
    assert notes == ["unshared baseline, below this axis: $<10^{-12}$"]
    ax = plots.plot_trend(_c1_cell([1e-2, 1e-5], 2e-9, cost="infidelity"))
    assert ax.get_ylabel() == "infidelity floor C*"
    assert [t.get_text() for t in ax.texts if "baseline" in t.get_text()] == [
        r"unshared baseline, below this axis: $2.0\times10^{-9}$"]
    bottom, top = ax.get_ylim()  # span log10(10^0.3 · 1e-2 / 1e-5) = 3.3: 1.1 decades below
    assert bottom == pytest.approx(1e-5 / 10 ** 1.1) and top == pytest.approx(1e-2 * 10 ** 0.3)


def test_c1_trend_draws_a_baseline_within_two_decades():
    ax = plots.plot_trend(_c1_cell([0.1, 1.0], 2e-3))
    baseline = [line for line in ax.get_lines() if line.get_label() == "unshared baseline"]
    assert len(baseline) == 1 and baseline[0].get_ydata()[0] == 2e-3
    assert ax.get_ylim()[0] < 2e-3
    assert not [t for t in ax.texts if "baseline" in t.get_text()]
    ax.figure.canvas.draw()
    edge = plots.plot_trend(_c1_cell([0.1, 1.0], 1e-3))  # exactly two decades: still drawn
    assert [line.get_label() for line in edge.get_lines()][-1] == "unshared baseline"
    below = plots.plot_trend(_c1_cell([0.1, 1.0], 0.99e-3))  # just beyond: written instead
    assert len(below.get_lines()) == 1 and below.get_ylim()[0] > 0.99e-3
