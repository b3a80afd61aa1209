"""qbp.tracking: the grid rules against the gradient flow, every number against a direct
computation (landscapes, basins, flows, causes), the C4-style cells and the grid readings."""

import numpy as np
import pytest

import qbp
from qbp import matrix as M
from qbp.claims import c3_rule, c4_rule
from qbp.cost import make_cost
from qbp.deceptiveness import RULES, deceptiveness_ratio
from qbp.flow import flow_deceptiveness
from qbp.grid import nearest_index
from qbp.minima import hessian_eigenvalues, refine_minimum
from qbp.results import load_results, save_results
from qbp.sinks import CAUSES, deceptive_causes
from qbp.stats import resolution_difference
from qbp.tracking import TrackingStudy, grid_readings, tracking_study

SMALL = dict(n_qubits=2, cost="tfim", layers=(1, 2), resolutions=(8, 16), tols=(1e-3, 0.1),
             n_starts=12, seed=3, c_star_resolution=16, progress=False)


@pytest.fixture(scope="module")
def study():
    return tracking_study(**SMALL)


def _direct(layers, resolution, rotations=("RY", "RZ"), cost_name="tfim"):
    circuit = qbp.default_circuit(2, layers, "type", rotations=rotations)
    cost = make_cost(cost_name, 2, 0)
    land = qbp.sample_landscape(circuit, cost, resolution, progress=False)
    return circuit, cost, land


def test_c_star_and_grid_ratios(study):
    for i, L in enumerate((1, 2)):
        circuit, cost, _ = _direct(L, 16)
        coarse = qbp.sample_landscape(circuit, cost, 16, with_gradient=False, progress=False)
        theta, value = refine_minimum(coarse, cost)
        assert study.c_star[i] == value and np.array_equal(study.c_star_theta[i], theta)
        for g, R in enumerate((8, 16)):
            _, _, land = _direct(L, R)
            for k, rule in enumerate(RULES):
                for t, tol in enumerate((1e-3, 0.1)):
                    assert study.grid_ratio[i, g, k, t] == deceptiveness_ratio(land, tol, rule=rule)


def test_flows_from_the_sampled_grid_points(study):
    starts = qbp.random_starts(12, 2, 3)
    for i, L in enumerate((1, 2)):
        for g, R in enumerate((8, 16)):
            circuit, cost, land = _direct(L, R)
            index = nearest_index(starts, R)
            points = np.array([land.point(j) for j in index])
            for t, tol in enumerate((1e-3, 0.1)):
                flow = flow_deceptiveness(circuit, cost, points, tol, c_star=float(study.c_star[i]))
                k, m = study.flow_counts(tol)
                assert (k[i, g], m[i, g]) == (flow.n_deceptive, flow.n_converged)
                assert study.flow_ratio(tol)[i, g] == pytest.approx(flow.ratio, abs=1e-15)
                np.testing.assert_allclose(study.flow_interval(tol)[i, g], flow.ci)
                for r, rule in enumerate(RULES):  # point-by-point agreement on those points
                    mask = qbp.deceptive_mask(land, tol, rule=rule).ravel()[index]
                    keep = flow.converged
                    agree = np.mean(mask[keep] == flow.deceptive[keep])
                    assert study.agreement[i, g, r, t] == agree


def test_causes_add_up_and_match_deceptive_causes(study):
    assert study.causes.shape == (2, 2, len(RULES), 2, len(CAUSES))
    np.testing.assert_allclose(study.causes.sum(-1), study.grid_ratio, atol=1e-15)
    circuit, cost, land = _direct(2, 16)
    for k, rule in enumerate(RULES):
        why = deceptive_causes(land, qbp.basins(land, rule), cost, 1e-3, float(study.c_star[1]))
        np.testing.assert_allclose(study.causes[1, 1, k, 0], [why.shares[c] for c in CAUSES],
                                   atol=1e-15)
        np.testing.assert_allclose(study.heights[1, 1, k, 0], [why.heights[c] for c in CAUSES])
    assert np.all(study.causes[:, :, RULES.index("steepest"), :, CAUSES.index("overshoot")] == 0)
    np.testing.assert_allclose(study.artefact_share(1e-3), study.causes[..., 0, 1:].sum(-1))


def test_distances_and_the_closer_rule(study):
    flow = study.flow_ratio(0.1)
    np.testing.assert_allclose(study.distance(0.1), np.abs(study.grid_ratio[..., 1]
                                                           - flow[..., None]))
    mean = study.mean_distance()
    both = np.nanmean([study.distance(1e-3), study.distance(0.1)], axis=(0, 1, 2))
    assert [mean[r] for r in RULES] == pytest.approx(list(both))
    assert study.closer_rule() == min(mean, key=mean.get)
    assert study.closer_rule(0.1) in RULES
    worst = study.worst_layers(1e-3)
    d = np.nanmax(study.distance(1e-3)[..., 0], axis=1)
    assert d[list(study.layers).index(worst)] == d.max()


def test_summaries_of_one_reading(study):
    over = study.largest_artefact(1e-3, 16)
    i = int(np.argmax(study.causes[:, 1, 0, 0, 1]))
    assert over == {"layers": study.layers[i], "resolution": 16,
                    "share": study.causes[i, 1, 0, 0, 1],
                    "height": study.heights[i, 1, 0, 0, 1],
                    "grid_ratio": study.grid_ratio[i, 1, 0, 0],
                    "flow_ratio": study.flow_ratio(1e-3)[i, 1]}
    anywhere = study.largest_artefact(1e-3, rule="steepest", cause="grid error")
    share = study.causes[:, :, 1, 0, 2]
    i, g = np.unravel_index(np.argmax(share), share.shape)
    assert (anywhere["share"], anywhere["resolution"]) == (share.max(), study.resolutions[g])
    with pytest.raises(ValueError, match="cause"):
        study.largest_artefact(1e-3, 16, cause="noise")
    drift = study.drift(0.1, "steepest")
    r = study.grid_ratio[:, :, 1, 1]
    j = int(np.argmax(np.abs(r[:, -1] - r[:, 0])))
    assert (drift["layers"], drift["coarse"], drift["fine"]) == (study.layers[j], r[j, 0], r[j, -1])
    assert drift["resolutions"] == (8, 16)
    fraction = study.cause_fraction(1e-3, "compass", "overshoot")
    ratio = study.grid_ratio[:, :, 0, 0]
    expected = np.where(ratio > 0, study.causes[:, :, 0, 0, 1] / np.where(ratio > 0, ratio, 1),
                        np.nan)
    np.testing.assert_array_equal(fraction, expected)
    curvature = study.curvature()
    for i, L in enumerate((1, 2)):
        circuit, cost, _ = _direct(L, 8)
        np.testing.assert_allclose(curvature[i], hessian_eigenvalues(circuit, cost,
                                                                     study.c_star_theta[i]))
    assert np.all(curvature > -1e-6)  # a minimum: no negative curvature


def test_table(study):
    table = study.table(1e-3, 16)  # one column per layer count, one row per reading
    assert list(table.columns) == ["L = 1", "L = 2"] and len(table.index) == 9
    assert table.index.name == "reading"
    assert list(table.index[:3]) == ["sharing degree n·L", "flow ratio [95 %]", "compass"]
    assert table.loc["sharing degree n·L"].tolist() == ["2", "4"]
    ci = study.flow_interval(1e-3)[0, 1]
    assert table.loc["flow ratio [95 %]", "L = 1"] == (f"{study.flow_ratio(1e-3)[0, 1]:.2f} "
                                                      f"[{ci[0]:.2f}, {ci[1]:.2f}]")
    assert table.loc["steepest", "L = 2"] == f"{study.grid_ratio[1, 1, 1, 0]:.2f}"
    assert table.loc["agreement, compass", "L = 2"] == f"{study.agreement[1, 1, 0, 0]:.2f}"
    with pytest.raises(ValueError, match="resolution"):
        study.table(1e-3, 12)
    with pytest.raises(ValueError, match="tol"):
        study.table(0.5, 16)


def test_c4_style_cells(study):
    cells = study.cells()
    assert [c.setting for c in cells] == [
        {"n_qubits": 2, "cost": "tfim", "tol": tol, "rotations": "RY RZ"} for tol in (1e-3, 0.1)]
    for cell, tol in zip(cells, (1e-3, 0.1)):
        flow = study.flow_ratio(tol)
        spread = flow.max(axis=1) - flow.min(axis=1)
        judged = c4_rule([2, 4], spread)
        assert cell.claim == "C4" and cell.series["value"] == tuple(spread)
        assert cell.series["flow ratio R=16"] == tuple(flow[:, 1])
        assert (cell.outcome, cell.reason) == (judged.outcome, judged.reason)
        assert cell.beside["closer_rule"] in RULES
        t = (1e-3, 0.1).index(tol)
        assert cell.beside["grid_compass"] == study.grid_ratio[..., 0, t].tolist()
    one = tracking_study(**{**SMALL, "layers": (2,), "resolutions": (8,)})
    with pytest.raises(ValueError, match="two layer counts"):
        one.cells()


def test_summary_round_trip(study, tmp_path):
    path = save_results(tmp_path / "t.json", {"tracking": study.summary()}, {})
    data = load_results(path)["data"]["tracking"]
    assert data["grid_ratio"] == study.grid_ratio.tolist()
    assert data["closer_rule"] == study.closer_rule() and data["rules"] == list(RULES)
    assert data["n_unconverged"] == (12 - study.converged.sum(-1)).tolist()


def test_three_parameters():
    """d = 3: the same numbers on an R³ grid."""
    rotations = ("RX", "RY", "RZ")
    st = tracking_study(2, "infidelity", (1, 2), (4, 8), (0.1,), 8, 0, rotations=rotations,
                        c_star_resolution=6, progress=False)
    assert st.c_star_theta.shape == (2, 3) and st.curvature().shape == (2, 3)
    circuit, cost, land = _direct(2, 8, rotations, "infidelity")
    assert land.values.shape == (8, 8, 8)
    assert st.grid_ratio[1, 1, 1, 0] == deceptiveness_ratio(land, 0.1, rule="steepest")
    np.testing.assert_allclose(st.causes.sum(-1), st.grid_ratio, atol=1e-15)
    assert st.cells()[0].setting["rotations"] == "RX RY RZ"


def test_processes_give_identical_results(study):
    other = tracking_study(**SMALL, scheduler="processes")
    for name in ("c_star", "grid_ratio", "causes", "heights", "end_values", "converged",
                 "agreement"):
        assert np.array_equal(getattr(other, name), getattr(study, name), equal_nan=True), name


@pytest.mark.parametrize("change, match", [
    ({"cost": "energy"}, "cost"), ({"layers": (1, 1)}, "layers"), ({"layers": ()}, "layers"),
    ({"resolutions": (1,)}, "resolutions"), ({"tols": (-1,)}, "tol"),
    ({"n_starts": 0}, "n_starts"), ({"seed": None}, "seed"), ({"rotations": "RX"}, "rotations"),
    ({"c_star_resolution": 1}, "c_star_resolution"), ({"n_qubits": 0}, "n_qubits")])
def test_bad_input(change, match):
    with pytest.raises((TypeError, ValueError), match=match):
        tracking_study(**{**SMALL, **change})


# --------------------------------------------------------------------------- grid readings
@pytest.fixture(scope="module")
def land():
    return M.landscape_study(n_qubits=(2,), costs=("tfim", "infidelity"), max_layers=2,
                             resolution=16, resolutions=(8, 16), tols=(1e-3, 0.1), progress=False)


def test_grid_readings_against_the_cell_rules(land):
    for k, rule in enumerate(RULES):
        c3 = grid_readings(land, "C3", rule)
        c4 = grid_readings(land, "C4", rule, tols=(0.1,))
        assert [c.setting for c in c4] == [{"n_qubits": 2, "cost": c, "tol": 0.1}
                                          for c in ("tfim", "infidelity")]
        assert len(c3) == 4 and all(c.beside == {"rule": rule, "reading": "grid"} for c in c3)
        for cell in c3:
            t = land.tols.index(cell.setting["tol"])
            j = land.costs.index(cell.setting["cost"])
            at, half = land.grid_ratio[0, j, :, 1, k, t], land.grid_ratio[0, j, :, 0, k, t]
            effect = resolution_difference(at[0], at[-1], half[0], half[-1])
            judged = c3_rule([2, 4], at, effect)
            assert cell.series["value"] == tuple(at) and cell.outcome == judged.outcome
            assert cell.effect["low"] == effect.low
        for cell in c4:
            r = land.grid_ratio[0, land.costs.index(cell.setting["cost"]), :, :, k, 1]
            assert cell.series["value"] == tuple(np.ptp(r, axis=1))
            assert cell.outcome == c4_rule([2, 4], np.ptp(r, axis=1)).outcome


def test_grid_readings_errors(land):
    with pytest.raises(ValueError, match="claim"):
        grid_readings(land, "C2", "compass")
    with pytest.raises(ValueError, match="rule"):
        grid_readings(land, "C3", "gradient")
    with pytest.raises(TypeError, match="LandscapeStudy"):
        grid_readings(object(), "C3", "compass")
    no_half = M.landscape_study(n_qubits=(2,), costs=("tfim",), max_layers=2, resolution=16,
                                resolutions=(16, 32), tols=(0.1,), progress=False)
    with pytest.raises(ValueError, match="R/2"):
        grid_readings(no_half, "C3", "compass")
    assert len(grid_readings(no_half, "C4", "compass")) == 1


def test_plot_tracking(study):
    import matplotlib.pyplot as plt

    from qbp import plots

    ax = plots.plot_tracking(study, 2, 0.1, note="tfim")
    assert ax.get_xscale() == "log" and ax.get_title() == ""
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), study.grid_ratio[1, :, 0, 1])
    np.testing.assert_array_equal(lines[1].get_ydata(), study.grid_ratio[1, :, 1, 1])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["grid, compass rule", "grid, steepest rule",
                      "flow from the same grid (95 %)"]
    assert any(t.get_text() == "L = 2, tol = 0.1, tfim" for t in ax.texts)
    ax.figure.canvas.draw()
    plt.close("all")
    with pytest.raises(ValueError, match="layers"):
        plots.plot_tracking(study, 5, 0.1)
    with pytest.raises(TypeError, match="TrackingStudy"):
        plots.plot_tracking(object(), 1, 0.1)
    assert isinstance(study, TrackingStudy)
