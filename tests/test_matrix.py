"""The settings matrix (SPEC §11): settled success, the four studies against direct
computation, their cells, JSON round trips and scheduler identity."""


import json

import numpy as np
import pytest

import qbp
from qbp import matrix as M
from qbp import stats
from qbp.claims import Cell, ClaimResult
from qbp.cost import make_cost
from qbp.deceptiveness import deceptiveness_ratio
from qbp.flow import flow_deceptiveness, grid_starts
from qbp.grid import gradient_magnitude
from qbp.minima import polish
from qbp.resolution import resolution_study
from qbp.results import load_results, save_results
from qbp.sweeps import refined_minimum, success_sweep

TFIM2 = make_cost("tfim", 2)

# Tiny configurations: two layers, a handful of starts, small grids.
MIN = dict(n_qubits=(2, 3), costs=("tfim",), max_layers=2, c_star_resolution=24,
           n_baseline_starts=4, progress=False)
LAND = dict(n_qubits=(2,), costs=("tfim", "infidelity"), max_layers=2, resolution=16,
            resolutions=(8, 16, 32), tols=(1e-3, 0.1), progress=False)
FLOW = dict(n_qubits=(2,), costs=("infidelity",), max_layers=2, seeds=(0, 1), n_starts=16,
            flow_resolutions=(6, 12), tols=(1e-3, 0.1), c_star_resolution=24, progress=False)
LRS = [0.01, 0.1, 0.5]
SUCC = dict(n_qubits=(2,), costs=("tfim",), max_layers=2, seeds=(0,), n_starts=12, steps=20,
            lrs=LRS, tols=(1e-3, 0.1), c_star_resolution=24, n_boot=200, progress=False)


@pytest.fixture(scope="module")
def minimum():
    return M.minimum_study(**MIN)


@pytest.fixture(scope="module")
def landscape():
    return M.landscape_study(**LAND)


@pytest.fixture(scope="module")
def flow():
    return M.flow_study(**FLOW)


@pytest.fixture(scope="module")
def success():
    return M.success_study(**SUCC)


# --------------------------------------------------------------------------- settled success
class TestCheckpoints:
    def test_equal_to_the_full_record(self):
        starts = qbp.random_starts(5, 2, 1)
        circuit = qbp.default_circuit(2, 3)
        full = qbp.optimize(circuit, TFIM2, starts, "adam", 0.2, steps=40)
        ends = qbp.optimize(circuit, TFIM2, starts, "adam", 0.2, steps=40, record="ends",
                            checkpoints=(9, 20, 40))
        assert ends.checkpoints.tolist() == [9, 20, 40]
        for j, (c, m) in enumerate(((9, 1), (20, 2), (40, 4))):  # tail_length: ceil(10 %)
            assert stats.tail_length(c) == m
            np.testing.assert_array_equal(ends.checkpoint_costs[:, j], full.costs[:, c])
            np.testing.assert_array_equal(ends.checkpoint_tail_max[:, j],
                                          full.costs[:, c - m + 1:c + 1].max(axis=1))
        np.testing.assert_array_equal(ends.final_costs, full.final_costs)
        assert full.checkpoints is None and full.checkpoint_tail_max is None

    def test_a_transient_is_not_settled(self):
        # SGD at a large lr from many starts: some runs sit within tol at the last step only
        circuit = qbp.default_circuit(2, 6)
        c_star = refined_minimum(circuit, TFIM2, 60)
        tr = qbp.optimize(circuit, TFIM2, qbp.random_starts(200, 2, 0), "sgd", 0.79, steps=100,
                          checkpoints=(100,))
        final = tr.checkpoint_costs[:, 0] <= c_star + 0.1
        ok = stats.settled(tr.costs[:, -10:], c_star, 0.1)
        np.testing.assert_array_equal(tr.checkpoint_tail_max[:, 0] <= c_star + 0.1, ok)
        assert np.all(ok <= final) and ok.sum() < final.sum()

    @pytest.mark.parametrize("bad, match", [((0, 5), "checkpoints"), ((5, 41), "checkpoints"),
                                             ((10, 10), "increasing"), ((), "increasing"),
                                             ("10", "sequence"), ((2.5,), "checkpoints")])
    def test_bad_checkpoints(self, bad, match):
        with pytest.raises((TypeError, ValueError), match=match):
            qbp.optimize(qbp.default_circuit(2, 1), TFIM2, np.zeros((1, 2)), steps=40,
                         checkpoints=bad)

    def test_success_sweep_settled_rate(self, tmp_path):
        circuits = [qbp.default_circuit(2, L) for L in (1, 2)]
        kw = dict(optimizers=("adam",), lrs=[0.05, 0.3], n_starts=8, steps=30, seed=2,
                  c_star_resolution=24, progress=False)
        plain = success_sweep(circuits, TFIM2, **kw)
        sweep = success_sweep(circuits, TFIM2, checkpoints=(15, 30), cache=tmp_path, **kw)
        np.testing.assert_array_equal(sweep.final_costs, plain.final_costs)
        starts = qbp.random_starts(8, 2, 2)
        tr = qbp.optimize(circuits[1], TFIM2, np.tile(starts, (2, 1)), "adam",
                          np.repeat([0.05, 0.3], 8), steps=30)
        for steps, m in ((15, 2), (30, 3)):
            direct = stats.settled(tr.costs[:, steps - m + 1:steps + 1], sweep.c_star[1], 0.05)
            np.testing.assert_array_equal(sweep.settled(0.05, steps)[0, 1].ravel(), direct)
            np.testing.assert_array_equal(sweep.checkpoint_success(0.05, steps)[0, 1].ravel(),
                                          tr.costs[:, steps] <= sweep.c_star[1] + 0.05)
        assert sweep.settled_rate(0.05).shape == (1, 2, 2)
        np.testing.assert_array_equal(sweep.settled(0.05), sweep.settled(0.05, 30))
        again = success_sweep(circuits, TFIM2, checkpoints=(15, 30), cache=tmp_path, **kw)
        assert again.meta["cached"]
        np.testing.assert_array_equal(again.checkpoint_tail_max, sweep.checkpoint_tail_max)
        with pytest.raises(ValueError, match="checkpoints"):
            plain.settled(0.05)
        with pytest.raises(ValueError, match="steps"):
            sweep.settled(0.05, 20)


def test_window_widths_equal_window_width():
    rng = np.random.default_rng(5)
    lrs = np.logspace(-3, np.log10(3), 9)
    curves = rng.integers(0, 5, size=(400, 9)) / 4  # many ties, zeros and plateaus
    curves = np.vstack([curves, np.zeros(9), np.eye(9), rng.random((100, 9))])
    widths = M.window_widths(lrs, curves)
    expected = [stats.window_width(lrs, c).width for c in curves]
    np.testing.assert_array_equal(widths, expected)
    np.testing.assert_array_equal(M.window_widths(lrs, curves.reshape(5, -1, 9)),
                                  widths.reshape(5, -1))


def test_window_widths_undefined_without_success():
    lrs = [1e-3, 1e-2, 1e-1, 1.0]
    widths = M.window_widths(lrs, [[0.0, 0.0, 0.0, 0.0], [0.0, 0.5, 1.0, 0.2]])
    assert np.isnan(widths[0]) and widths[1] == pytest.approx(1.625)


class TestC6CellWithoutSuccess:
    """Hand-made settled runs: 4 lrs (decades apart), 4 starts, 3 degrees."""

    LRS = np.array([1e-3, 1e-2, 1e-1, 1.0])
    SETTING = {"n_qubits": 1, "cost": "tfim", "tol": 0.1, "steps": 10, "optimizer": "sgd",
               "seed": 0}

    @staticmethod
    def runs(*rates):
        """(L, lr, 4) settled runs whose rate per lr is k/4 for k in ``rates`` rows."""
        k = np.asarray(rates)
        return np.arange(4)[None, None, :] < k[..., None]

    def cell(self, success, deceptive=(0, 1, 2), converged=(4, 4, 4), n_boot=200):
        return M.c6_cell(self.SETTING, np.arange(1, len(success) + 1), self.LRS, success,
                         np.array(deceptive), np.array(converged), n_boot, [1, 2, 3])

    def test_no_window_leaves_the_trend(self):
        # Widths 3 (every lr at 4/4, censored both ends) and 1 (a single lr each side of
        # the half crossing: 4/4 at 1e-1, 0 elsewhere → edges ½ decade away: width 1), then
        # nothing settles at the most deceptive degree. Counted as 0, the width would fall
        # 3 → 1 → 0 with the ratio (the old, biased reading); undefined, it leaves two points.
        success = self.runs([4, 4, 4, 4], [0, 0, 4, 0], [0, 0, 0, 0])
        c = self.cell(success)
        # NaN, undefined, is stored as None
        assert c.series["value"] == (3.0, 1.0, None)
        assert c.series["low"][2] is None and c.series["high"][2] is None
        assert c.beside["no_window_degrees"] == [3]
        assert c.beside["n_boot_undefined"][2] == 200 and c.beside["n_boot_undefined"][0] == 0
        assert c.statistic["n"] == 2  # the trend over the two degrees with a window
        assert c.beside["most_deceptive_degree"] == 2
        assert c.beside["least_deceptive_degree"] == 1
        assert c.effect["estimate"] == pytest.approx(-2.0)
        assert c.outcome == "inconclusive"  # two points: p = 1/2
        assert "degrees [3]: no window there, left out of the trend" in c.reason

    def test_too_few_windows_is_inconclusive(self):
        success = self.runs([0, 0, 0, 0], [0, 4, 0, 0], [0, 0, 0, 0])
        c = self.cell(success)
        assert c.outcome == "inconclusive" and c.effect is None
        assert c.statistic["value"] is None
        assert c.reason == ("no run settled at any learning rate at degrees [1, 3]: the window "
                            "is undefined there, and 1 defined width cannot show a trend: "
                            "inconclusive")

    def test_bootstrap_intervals_over_defined_resamples(self):
        # One start of four settles, at one lr: about (3/4)^4 ≈ 32 % of resamples miss it.
        success = self.runs([4, 4, 4, 4], [0, 1, 0, 0], [4, 4, 4, 4])
        c = self.cell(success, n_boot=400)
        undefined = c.beside["n_boot_undefined"]
        assert undefined[0] == undefined[2] == 0 and 80 < undefined[1] < 180
        # every defined resample of degree 2 has the same single-lr window: width 1
        assert c.series["value"][1] == 1.0
        assert (c.series["low"][1], c.series["high"][1]) == (1.0, 1.0)
        assert c.statistic["n"] == 3

    def test_round_trip_of_an_undefined_width(self):
        from qbp.claims import Cell
        success = self.runs([4, 4, 4, 4], [0, 0, 4, 0], [0, 0, 0, 0])
        c = self.cell(success)
        again = Cell.from_dict(json.loads(json.dumps(c.to_dict())))
        assert again.series["value"][2] is None and again.outcome == c.outcome


def test_window_table_says_none_without_success():
    from qbp import success as S
    t = TestC6CellWithoutSuccess()
    c = t.cell(t.runs([4, 4, 4, 4], [0, 0, 4, 0], [0, 0, 0, 0]))
    table = S.window_table([c])
    assert list(table["SGD width (decades)"]) == ["3.00 [3.00, 3.00]", "1.00 [1.00, 1.00]",
                                                   "none (no success)"]


def test_subgrids_are_nested():
    fine = grid_starts(12, [2 * np.pi] * 2)
    for r in (2, 3, 4, 6, 12):
        np.testing.assert_allclose(fine[M.subgrid_index(12, r)], grid_starts(r, [2 * np.pi] * 2),
                                   atol=1e-14, rtol=0)
    with pytest.raises(ValueError, match="sub-grid"):
        M.subgrid_index(12, 5)


# --------------------------------------------------------------------------- studies
class TestMinimumStudy:
    def test_against_refine_minimum(self, minimum):
        for i, n in enumerate((2, 3)):
            cost = make_cost("tfim", n)
            e0 = cost.minimum
            direct = [refined_minimum(qbp.default_circuit(n, L), cost, 24) for L in (1, 2)]
            np.testing.assert_array_equal(minimum.c_star[i, 0], direct)
            assert minimum.ground[i, 0] == e0
            cell = minimum.cells("C1")[i]
            excess = np.array(direct) - e0
            f = excess[0] / max(excess.min(), 1e-12)
            assert cell.statistic["value"] == pytest.approx(f, rel=1e-12)
            assert cell.series["value"] == tuple(excess)
            assert cell.outcome == ("supports" if f >= 100 else "contradicts" if f <= 1
                                    else "inconclusive")
            # the unshared baseline: the default circuit without sharing, d = 2n
            circuit = qbp.default_circuit(n, 1, "none")
            _, values = polish(circuit, cost, qbp.random_starts(4, 2 * n, 0, circuit.periods))
            assert cell.beside["baseline_excess"] == pytest.approx(values.min() - e0, abs=1e-12)
        assert [c.setting for c in minimum.cells("C1")] == [
            {"n_qubits": 2, "cost": "tfim"}, {"n_qubits": 3, "cost": "tfim"}]
        assert minimum.judge("C1").n_settings == 2


class TestLandscapeStudy:
    def test_against_direct_landscapes(self, landscape):
        for j, name in enumerate(("tfim", "infidelity")):
            cost = make_cost(name, 2)
            for l, L in enumerate((1, 2)):
                circuit = qbp.default_circuit(2, L)
                for r, got in ((16, landscape.median_exact), (8, landscape.median_exact_coarse)):
                    land = qbp.sample_landscape(circuit, cost, r)
                    assert got[0, j, l] == np.median(gradient_magnitude(land.gradient))
                rs = resolution_study(circuit, cost, (8, 16, 32), progress=False)
                np.testing.assert_array_equal(landscape.halving_pairs, rs.halving_pairs)
                np.testing.assert_array_equal(landscape.halving_rank[0, j, l], rs.halving_rank)
                land = qbp.sample_landscape(circuit, cost, 32)
                for k, rule in enumerate(M.GRID_RULES):
                    assert landscape.grid_ratios(0.1, 32)[0, j, l, k] == deceptiveness_ratio(
                        land, 0.1, rule=rule)

    def test_cells(self, landscape):
        c2 = landscape.cells("C2")
        assert len(c2) == 2
        fine, coarse = landscape.median_exact[0, 0], landscape.median_exact_coarse[0, 0]
        assert c2[0].effect["estimate"] == fine[1] - fine[0]
        delta = abs((fine[1] - fine[0]) - (coarse[1] - coarse[0]))
        assert c2[0].effect["high"] - c2[0].effect["estimate"] == pytest.approx(delta)
        assert c2[0].series["high"][0] == fine[0] + abs(fine[0] - coarse[0])
        # two degrees: p = 1/2 at best, never supports
        assert all(c.outcome in ("inconclusive", "contradicts") for c in c2)
        c7 = landscape.cells("C7")
        assert [c.setting["layers"] for c in c7] == [1, 2, 1, 2]
        assert c7[0].x == (16, 32)
        assert c7[0].series["value"] == tuple(landscape.halving_rank[0, 0, 0])
        with pytest.raises(ValueError, match="claim"):
            landscape.cells("C3")
        with pytest.raises(ValueError, match="tol"):
            landscape.grid_ratios(0.5)


class TestFlowStudy:
    def test_c3_against_flow_deceptiveness(self, flow):
        cost = make_cost("infidelity", 2)
        cells = flow.cells("C3", tols=(0.1,))
        assert [(c.setting["tol"], c.setting["seed"]) for c in cells] == [(0.1, 0), (0.1, 1)]
        for s, seed in enumerate((0, 1)):
            for l, L in enumerate((1, 2)):
                circuit = qbp.default_circuit(2, L)
                direct = flow_deceptiveness(circuit, cost, qbp.random_starts(16, 2, seed), 0.1,
                                            c_star=float(flow.c_star[0, 0, l]))
                assert cells[s].series["value"][l] == direct.ratio
                assert cells[s].series["n_deceptive"][l] == direct.n_deceptive
                assert (cells[s].series["low"][l], cells[s].series["high"][l]) == tuple(direct.ci)
        # a tol that is not among the study's still classifies (end values are kept)
        assert len(flow.cells("C3", tols=(0.05,))) == 2

    def test_every_seed_flows_in_one_batch(self, flow):
        """The random starts of all seeds are one flow call per (n, cost, L): a call lasts
        as long as its slowest start, so one call beats one per seed; same end values."""
        cost, circuit = make_cost("infidelity", 2), qbp.default_circuit(2, 2)
        starts = np.concatenate([qbp.random_starts(16, 2, seed) for seed in (0, 1)])
        direct = flow_deceptiveness(circuit, cost, starts, 0.0, c_star=float(flow.c_star[0, 0, 1]))
        assert np.array_equal(flow.end_values[0, 0, :, 1].ravel(), direct.end_values)
        assert np.array_equal(flow.converged[0, 0, :, 1].ravel(), direct.converged)

    def test_unconverged_counts(self, flow):
        import dataclasses

        assert flow.unconverged() == {"random": (0, 2 * 2 * 16), "grid": (0, 2 * 144),
                                      "worst": None}
        converged = flow.converged.copy()
        converged[0, 0, 1, 0, :3] = False  # seed 1, L = 1
        grid = flow.grid_converged.copy()
        grid[0, 0, 1, :5] = False  # L = 2
        grid[0, 0, 0, :1] = False  # L = 1
        other = dataclasses.replace(flow, converged=converged, grid_converged=grid)
        assert other.unconverged() == {
            "random": (3, 64), "grid": (6, 288),
            "worst": {"n_qubits": 2, "cost": "infidelity", "layers": 2, "random": 0, "grid": 5}}

    def test_c4_nested_grids(self, flow):
        cost = make_cost("infidelity", 2)
        ratio = flow.grid_flow_ratio(1e-3)
        for l, L in enumerate((1, 2)):
            circuit = qbp.default_circuit(2, L)
            for g, r in enumerate((6, 12)):
                direct = flow_deceptiveness(circuit, cost, grid_starts(r, circuit.periods), 1e-3,
                                            c_star=float(flow.c_star[0, 0, l]))
                assert ratio[0, 0, l, g] == direct.ratio
        cell = flow.cells("C4", tols=(1e-3,))[0]
        spread = ratio[0, 0].max(axis=1) - ratio[0, 0].min(axis=1)
        assert cell.series["value"] == tuple(spread)
        assert cell.statistic["value"] == spread.max()
        # beside: Algorithm 1 at the same R, and its distance to the flow
        land = qbp.sample_landscape(qbp.default_circuit(2, 2), cost, 6)
        grid = deceptiveness_ratio(land, 1e-3, rule="steepest")
        assert cell.beside["grid_steepest"][1][0] == grid
        assert cell.beside["distance_steepest"][1][0] == abs(grid - ratio[0, 0, 1, 0])
        assert cell.beside["closer_rule"] in M.GRID_RULES

    def test_grid_readings_from_a_landscape_study(self, flow):
        land = M.landscape_study(n_qubits=(2,), costs=("infidelity",), max_layers=2,
                                 resolution=12, resolutions=(6, 12), tols=(1e-3,), progress=False)
        c3 = flow.cells("C3", tols=(1e-3,), grid=land)[0]
        assert c3.beside["grid_resolution"] == 12 and c3.beside["grid_source"] == "landscape"
        assert c3.beside["grid_compass"] == land.grid_ratios(1e-3, 12)[0, 0, :, 0].tolist()
        c4 = flow.cells("C4", tols=(1e-3,), grid=land)[0]
        assert c4.beside["landscape_resolutions"] == [6, 12]
        other = M.landscape_study(n_qubits=(2,), costs=("tfim",), max_layers=2, resolution=12,
                                  resolutions=(6, 12), tols=(1e-3,), progress=False)
        with pytest.raises(ValueError, match="costs"):
            flow.cells("C4", grid=other)


class TestSuccessStudy:
    def test_settled_against_optimize(self, success):
        circuit = qbp.default_circuit(2, 2)
        starts = qbp.random_starts(12, 2, 0)
        c_star = success.c_star[0, 0, 1]
        assert c_star == refined_minimum(circuit, TFIM2, 24)
        assert success.checkpoints == (10, 20, 40)
        tr = qbp.optimize(circuit, TFIM2, np.tile(starts, (3, 1)), "sgd", np.repeat(LRS, 12),
                          steps=40)
        for steps in (10, 20, 40):
            m = stats.tail_length(steps)
            direct = stats.settled(tr.costs[:, steps - m + 1:steps + 1], c_star, 0.1)
            got = success.settled(0.1, steps)[0, 0, 0, 1, 1]  # (lrs, starts)
            np.testing.assert_array_equal(got.ravel(), direct)
            final = tr.costs[:, steps] <= c_star + 0.1
            np.testing.assert_array_equal(success.final_success(0.1, steps)[0, 0, 0, 1, 1].ravel(),
                                          final)
        # the C5 cell of (tol 0.1, T = 40, sgd): best settled rate over the lrs per degree
        cell = [c for c in success.cells("C5", tols=(0.1,), steps=40)
                if c.setting["optimizer"] == "sgd"][0]
        rates = stats.settled(tr.costs[:, -4:], c_star, 0.1).reshape(3, 12).mean(axis=1)
        assert cell.series["value"][1] == rates.max()
        assert cell.series["best_lr"][1] == LRS[int(np.argmax(rates))]
        k = round(rates.max() * 12)
        assert (cell.series["low"][1], cell.series["high"][1]) == stats.wilson_interval(k, 12)

    def test_c6_widths_and_ratio(self, success):
        cells = success.cells("C6", tols=(0.1,), steps=20)
        assert [c.setting["optimizer"] for c in cells] == ["adam", "sgd"]
        starts = qbp.random_starts(12, 2, 0)
        for l, L in enumerate((1, 2)):
            circuit = qbp.default_circuit(2, L)
            direct = flow_deceptiveness(circuit, TFIM2, starts, 0.1,
                                        c_star=float(success.c_star[0, 0, l]))
            assert cells[0].series["ratio"][l] == direct.ratio
            rates = success.settled(0.1, 20)[0, 0, 0, l, 0].mean(axis=-1)
            w = stats.window_width(LRS, rates).width
            assert cells[0].series["value"][l] == (None if np.isnan(w) else w)
        for c in cells:
            lo, hi = c.series["low"], c.series["high"]
            assert all(a <= b for a, b in zip(lo, hi))

    def test_c6_bootstrap_is_seeded(self, success):
        a = success.cells("C6", tols=(1e-3,), steps=10)
        b = success.cells("C6", tols=(1e-3,), steps=10)
        assert a == b

    def test_bad_checkpoint(self, success):
        with pytest.raises(ValueError, match="steps"):
            success.settled(0.1, 30)


# --------------------------------------------------------------------------- records
def test_json_round_trip_of_every_cell(tmp_path, minimum, landscape, flow, success):
    results = {c: s.judge(c) for s in (minimum, landscape, flow, success) for c in s.claims}
    assert list(results) == ["C1", "C2", "C7", "C3", "C4", "C5", "C6"]
    path = save_results(tmp_path / "matrix.json", {"claims": results}, {})
    data = load_results(path)["data"]["claims"]
    for claim, result in results.items():
        back = ClaimResult.from_dict(data[claim])
        assert back == result
        assert all(isinstance(c, Cell) for c in back.cells)
    assert len(results["C5"].cells) == 2 * 3 * 2  # tols × run lengths × optimizers (1 seed)
    assert len(results["C3"].cells) == 2 * 2  # tols × seeds


def test_tables(success, flow):
    table = success.table()
    assert len(table.columns) <= 12
    cells = success.cells("C5") + success.cells("C6")
    assert len(table) == len(cells)
    assert table["outcome"].tolist() == [c.outcome for c in cells]
    # a cell whose statistic is undefined (e.g. C6 without two windows) has no p-value
    np.testing.assert_array_equal(table["p_value"].to_numpy(dtype=float),
                                  [c.statistic.get("p_value", np.nan) for c in cells])
    assert table.loc[0, "setting"] == "tol = 0.001, T = 10, adam, seed 0"
    c4 = flow.table("C4")
    assert c4["statistic"].tolist() == ["spread", "spread"]
    assert c4["effect"].isna().all()


def test_claim_table_trend_cells(landscape, flow):
    c2 = landscape.judge("C2")
    table = M.claim_table(c2, fmt=lambda x: f"{x:.4f}")
    assert table.index.names == ["n", "cost"]
    assert list(table.index) == [(2, "tfim"), (2, "infidelity")]
    assert list(table.columns) == ["at L = 1", "at L = 2", "change [95 %]", "ρ",
                                   "p (one-sided)", "outcome"]
    assert table.columns.name == "median exact |∇C| (cost per radian)"
    cell = c2.cells[0]
    first, last = cell.series["value"]
    e = cell.effect
    assert table.iloc[0]["at L = 1"] == f"{first:.4f}"
    assert table.iloc[0]["change [95 %]"] == (f"{'+' if last >= first else '−'}"
                                              f"{abs(e['estimate']):.4f} [{e['low']:.4f}, "
                                              f"{e['high']:.4f}]".replace("+−", "−"))
    assert abs(e["estimate"] - (last - first)) < 1e-12
    # two degrees: Spearman's ρ is ±1, its exact one-sided p 1/2 (one of 2! orders)
    assert table.iloc[0]["ρ"] in ("1.00", "−1.00")
    assert table.iloc[0]["p (one-sided)"] in ("0.5000", "1.0000")
    assert table["outcome"].tolist() == [c.outcome for c in c2.cells]
    c3 = M.claim_table(flow.cells("C3"))  # rates with two decimals, tol as text
    assert c3.index.names == ["n", "cost", "tol", "seed"]
    assert [i[2:] for i in c3.index] == [("0.001", 0), ("0.001", 1), ("0.1", 0), ("0.1", 1)]
    # rows grouped by the axes in order, values in the order the cells first give them
    shuffled = M.claim_table([flow.cells("C3")[k] for k in (3, 0, 2, 1)])
    assert [i[2:] for i in shuffled.index] == [("0.1", 1), ("0.1", 0), ("0.001", 1),
                                               ("0.001", 0)]
    ratio = flow.cells("C3")[0].series["value"][-1]
    assert c3.iloc[0]["at L = 2"] == f"{ratio:.2f}"


def test_claim_table_c4_and_errors(landscape, flow):
    grid = M.landscape_study(**{**LAND, "costs": FLOW["costs"]})
    cells = flow.cells("C4", grid=grid)
    table = M.claim_table(cells)
    assert table.index.names == ["n", "cost", "tol"]
    assert list(table.columns) == ["spread, flow", "at L", "spread, compass", "spread, steepest",
                                   "closer rule", "outcome"]
    c = cells[0]
    assert table.iloc[0]["spread, flow"] == f"{c.statistic['value']:.2f}"
    assert table.iloc[0]["at L"] == str(int(c.statistic["worst_degree"]) // 2)
    assert table.iloc[0]["spread, compass"] == f"{max(c.beside['landscape_spread_compass']):.2f}"
    assert table.iloc[0]["closer rule"] == c.beside["closer_rule"]
    with pytest.raises(ValueError, match="one claim"):
        M.claim_table(cells + flow.cells("C3"))
    with pytest.raises(ValueError, match="one claim"):
        M.claim_table(landscape.cells("C7"))
    with pytest.raises(TypeError, match="result"):
        M.claim_table([1, 2])


def test_processes_give_identical_results(minimum, landscape, flow, success):
    pairs = [(minimum, M.minimum_study(**MIN, scheduler="processes")),
             (landscape, M.landscape_study(**LAND, scheduler="processes")),
             (flow, M.flow_study(**FLOW, scheduler="processes")),
             (success, M.success_study(**SUCC, scheduler="processes"))]
    for here, pool in pairs:
        for name, value in vars(here).items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(value, getattr(pool, name)), name
        for claim in here.claims:
            assert here.cells(claim) == pool.cells(claim)


@pytest.mark.parametrize("call, match", [
    (lambda: M.minimum_study(n_qubits=0), "n_qubits"),
    (lambda: M.minimum_study(costs="energy"), "costs"),
    (lambda: M.minimum_study(max_layers=1), "max_layers"),
    (lambda: M.minimum_study(target_seed=None), "target_seed"),
    (lambda: M.landscape_study(resolution=15), "resolution"),
    (lambda: M.landscape_study(tols=(-1,)), "tol"),
    (lambda: M.flow_study(flow_resolutions=(8, 12)), "flow_resolutions"),
    (lambda: M.flow_study(flow_resolutions=(12,)), "flow_resolutions"),
    (lambda: M.flow_study(seeds=(0, 0)), "seeds"),
    (lambda: M.success_study(lrs=[0.1, 0.01]), "lrs"),
    (lambda: M.success_study(optimizers=("lbfgs",)), "optimizers"),
    (lambda: M.success_study(n_starts=1), "n_starts"),
    (lambda: M.success_study(flow_max_steps=0), "flow_max_steps"),
])
def test_bad_input(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_success_flow_budget(success):
    """flow_max_steps bounds the flow from the success starts: one step converges no start,
    so no degree has a deceptiveness ratio and every C6 cell is inconclusive; the runs are
    untouched. The default budget is the flow's own and is recorded."""
    from qbp.flow import DEFAULT_MAX_STEPS

    assert success.meta["flow_max_steps"] == DEFAULT_MAX_STEPS
    with pytest.warns(RuntimeWarning, match="no start converged"):
        short = M.success_study(**SUCC, flow_max_steps=1)
    assert short.meta["flow_max_steps"] == 1
    assert not short.flow_converged.any() and success.flow_converged.all()
    assert np.array_equal(short.checkpoint_tail_max, success.checkpoint_tail_max)
    assert all(c.outcome == "inconclusive" and "no flow converged" in c.reason
               for c in short.cells("C6"))


# --------------------------------------------------------------------------- figures
class TestPlots:
    @pytest.fixture(autouse=True)
    def agg(self):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from qbp import plots

        plots.use_book_style()
        yield
        plt.close("all")

    def test_plot_cells(self, success):
        from matplotlib.colors import to_hex
        from matplotlib.patches import Rectangle

        from qbp import plots

        result = success.judge("C5")
        ax = plots.plot_cells(result)
        width, _ = ax.figure.get_size_inches()
        assert width <= plots.MAX_WIDTH
        boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(boxes) == len(result.cells) == 12
        colours = sorted(to_hex(p.get_facecolor()) for p in boxes)
        assert colours == sorted(plots.CELL_COLOURS[c.outcome] for c in result.cells)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == [f"supports ({result.n_supports})",
                          f"inconclusive ({result.n_inconclusive})",
                          f"contradicts ({result.n_contradicts})"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["n = 2, tfim"]
        # columns: tol › T › optimizer › seed, the innermost (seed) at the ticks
        assert [t.get_text() for t in ax.get_xticklabels()] == ["0"] * 12
        groups = [t.get_text() for t in ax.texts]
        assert groups.count("tol 0.001") == 1 and groups.count("T = 20") == 2
        assert groups.count("adam") == 6
        assert ax.get_xlabel() == "tol › T › optimizer › seed"
        ax.figure.canvas.draw()

    def test_plot_cells_single_column_and_errors(self, minimum):
        from qbp import plots

        ax = plots.plot_cells(minimum.cells("C1"))
        assert [t.get_text() for t in ax.get_yticklabels()] == ["n = 2, tfim", "n = 3, tfim"]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["all"]
        with pytest.raises(TypeError, match="ClaimResult"):
            plots.plot_cells([])
        with pytest.raises(ValueError, match="one claim"):
            plots.plot_cells(minimum.cells("C1") + _some_c7(minimum))

    def test_plot_trend_error_bars(self, success, landscape):
        from qbp import plots

        cell = success.cells("C5", tols=(0.1,), steps=40)[1]
        ax = plots.plot_trend(cell)
        line = ax.get_lines()[0]
        np.testing.assert_array_equal(line.get_xdata(), cell.x)
        np.testing.assert_array_equal(line.get_ydata(), cell.series["value"])
        bars = ax.containers[0]  # the errorbar container of the judged series
        segments = bars.lines[2][0].get_segments()
        for k, seg in enumerate(segments):
            assert seg[0][1] == pytest.approx(cell.series["low"][k])
            assert seg[1][1] == pytest.approx(cell.series["high"][k])
        labels = ax.get_legend_handles_labels()[1]
        assert labels == ["settled", "final step"]
        assert any(t.get_text() == cell.outcome for t in ax.texts)
        c6 = success.cells("C6", tols=(0.1,), steps=40)[0]
        ax = plots.plot_trend(c6)
        np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), c6.series["ratio"])
        assert ax.get_xlabel().startswith("deceptiveness (flow) ratio")
        c7 = landscape.cells("C7")[0]
        ax = plots.plot_trend(c7)
        assert ax.get_ylim() == (0, 100) and ax.get_xlabel() == c7.x_name
        ax.figure.canvas.draw()
        with pytest.raises(TypeError, match="Cell"):
            plots.plot_trend({"claim": "C5"})


def _some_c7(study):
    cell = study.cells("C1")[0]
    return [Cell("C7", cell.setting, "R", [90], "rank", {"value": [70.0]},
                 {"name": "x", "value": 1}, None, "supports", "r")]


@pytest.mark.parametrize("random, grid, worst, words", [
    ((1, 2160), (0, 9600), {"n_qubits": 4, "cost": "tfim", "layers": 3, "random": 1, "grid": 0},
     "at n = 4, tfim, L = 3"),
    ((3, 2160), (1, 9600), {"n_qubits": 4, "cost": "tfim", "layers": 3, "random": 3, "grid": 1},
     "all at n = 4, tfim, L = 3"),
    ((3, 2160), (1, 9600), {"n_qubits": 2, "cost": "tfim", "layers": 6, "random": 3, "grid": 0},
     "most of them at n = 2, tfim, L = 6"),
    ((4, 2160), (0, 9600), {"n_qubits": 2, "cost": "tfim", "layers": 6, "random": 2, "grid": 0},
     "the most, 2, at n = 2, tfim, L = 6"),
    ((0, 2160), (0, 9600), None, "no setting has any"),
])
def test_unconverged_where(random, grid, worst, words):
    assert M.FlowStudy.unconverged_where({"random": random, "grid": grid, "worst": worst}) == words
