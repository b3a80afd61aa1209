"""The registry of claims and its cell rules, cells and claim results (SPEC §8, §11), the
superseded Verdict, and the refined minimum on known circuits."""

import json

import numpy as np
import pytest
import qutip

import qbp
from qbp import claims as cl
from qbp.claims import Verdict
from qbp.minima import grid_local_minima, refine_minimum
from qbp.results import load_results, save_results
from qbp.stats import Effect


def test_superseded_verdict_validates():
    with pytest.raises(ValueError, match="verdict must be one of"):
        Verdict("C1", "maybe", "")
    assert Verdict("C1", "holds", "r", {"x": 1}).to_dict()["numbers"] == {"x": 1}


class TestRefineMinimum:
    def test_ry_with_z_cost_reaches_minus_one_at_pi(self):
        # ⟨Z⟩ after RY(θ₀)|0⟩ is cos θ₀: minimum −1 at θ₀ = ±π (wrapped to −π)
        circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0)])
        cost = qbp.ObservableCost(qutip.sigmaz())
        theta, value = refine_minimum(qbp.sample_landscape(circuit, cost, 10), cost)
        assert value == pytest.approx(-1.0, abs=1e-12)
        assert theta[0] == pytest.approx(-np.pi, abs=1e-6)

    def test_minimum_between_grid_points(self):
        # O = cos a Z + sin a X: ⟨O⟩ = cos(θ₀ − a), minimum −1 at θ₀ = a − π, off the grid
        a = 0.3
        circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0)])
        cost = qbp.ObservableCost(np.cos(a) * qutip.sigmaz() + np.sin(a) * qutip.sigmax())
        landscape = qbp.sample_landscape(circuit, cost, 7)
        assert landscape.min_value > -1 + 1e-3  # the grid misses the minimum
        theta, value = refine_minimum(landscape, cost)
        assert value == pytest.approx(-1.0, abs=1e-12)
        assert theta[0] == pytest.approx(a - np.pi, abs=1e-6)
        assert -np.pi <= theta[0] < np.pi

    def test_two_parameters(self):
        # ⟨X⟩ of RY(θ₁)RX(θ₀)|0⟩ = cos θ₀ sin θ₁: minimum −1
        circuit = qbp.Circuit(1, [qbp.Gate("RX", 0, param=0), qbp.Gate("RY", 0, param=1)])
        cost = qbp.ObservableCost(qutip.sigmax())
        theta, value = refine_minimum(qbp.sample_landscape(circuit, cost, 9), cost, n_starts=3)
        assert value == pytest.approx(-1.0, abs=1e-12)
        assert cost(circuit, theta) == pytest.approx(value, abs=1e-12)  # QuTiP reference

    def test_batched_method_agrees(self):
        circuit = qbp.default_circuit(2, 2)
        cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
        landscape = qbp.sample_landscape(circuit, cost, 24)
        _, v_fourier = refine_minimum(landscape, cost)
        _, v_batched = refine_minimum(landscape, cost, method="batched")
        assert v_fourier == pytest.approx(v_batched, abs=1e-10)
        assert v_fourier <= landscape.min_value

    def test_crx_minimum_keeps_its_cost(self):
        # RY(π/2) on qubit 0, then CRX(θ₀ + 0.3) onto qubit 1: ⟨X⊗I⟩ = cos((θ₀ + 0.3)/2),
        # 4π-periodic, one minimum −1 at θ₀ = 2π − 0.3, off the grid. Wrapping θ* by 2π would
        # move it to −0.3, where the cost is +1.
        circuit = qbp.Circuit(2, [qbp.Gate("RY", 0, angle=np.pi / 2),
                                  qbp.Gate("CRX", 1, 0, param=0, offset=0.3)])
        cost = qbp.ObservableCost(qutip.tensor(qutip.sigmax(), qutip.qeye(2)))
        landscape = qbp.sample_landscape(circuit, cost, 9, method="batched")
        np.testing.assert_array_equal(landscape.periods, [4 * np.pi])
        assert landscape.min_value > -1 + 1e-3  # the grid misses the minimum
        theta, value = refine_minimum(landscape, cost, method="batched")
        assert value == pytest.approx(-1.0, abs=1e-12)
        assert theta[0] == pytest.approx(2 * np.pi - 0.3, abs=1e-6)
        assert -2 * np.pi <= theta[0] < 2 * np.pi
        assert abs(cost(circuit, theta) - value) <= 1e-12  # QuTiP reference at θ*: C*
        with pytest.raises(ValueError, match="2π-periodic"):  # the fourier series refuses
            refine_minimum(landscape, cost)

    def test_bad_arguments(self):
        circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0)])
        cost = qbp.ObservableCost(qutip.sigmaz())
        with pytest.raises(TypeError):
            refine_minimum(np.zeros(4), cost)
        with pytest.raises(ValueError, match="n_starts"):
            refine_minimum(qbp.sample_landscape(circuit, cost, 4), cost, n_starts=0)
        with pytest.raises(ValueError, match="method"):
            refine_minimum(qbp.sample_landscape(circuit, cost, 4), cost, method="magic")
        formula = qbp.Landscape.from_function(lambda t: np.cos(t), None, 8, 1)
        with pytest.raises(ValueError, match="no circuit"):
            refine_minimum(formula, cost)


def test_grid_local_minima_periodic():
    values = np.array([3.0, 1.0, 2.0, 0.5, 4.0, 0.0])  # minima at 1, 3 and 5 (5 wraps to 0)
    assert grid_local_minima(values).tolist() == [5, 3, 1]
    grid = 1 + 0.01 * np.arange(16.0).reshape(4, 4)  # every point has a lower neighbour…
    grid[0, 0], grid[2, 3] = -1.0, -2.0  # …except these two
    assert grid_local_minima(grid).tolist() == [11, 0]


# --- The registry and the cell rules of the settings matrix (SPEC §11) ----------------------

SIX = [2, 4, 6, 8, 10, 12]


def effect(estimate, low, high):
    return Effect(estimate, low, high, "proportion", "test", 0.95)


class TestRegistry:
    def test_one_entry_per_claim_with_its_chapter(self):
        assert list(cl.REGISTRY) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
        assert cl.EXPECTED_CHAPTER == {"C1": "01_circuit_landscape", "C2": "03_deceptiveness",
                                       "C3": "03_deceptiveness", "C4": "03_deceptiveness",
                                       "C5": "05_success_rates", "C6": "05_success_rates",
                                       "C7": "02_resolution"}
        assert cl.CLAIMS["C2"] == "More sharing gives larger gradient magnitudes."
        rules = {k: c.rule for k, c in cl.REGISTRY.items()}
        assert rules == {"C1": cl.c1_rule, "C2": cl.c2_rule, "C3": cl.c3_rule, "C4": cl.c4_rule,
                         "C5": cl.c5_rule, "C6": cl.c6_rule, "C7": cl.c7_rule}
        for c in cl.REGISTRY.values():
            assert c.rule_text.startswith("A setting supports the claim") and c.short

    def test_scoreboard_uses_the_registry(self):
        from qbp.book import scoreboard

        assert scoreboard.CLAIMS is cl.CLAIMS and scoreboard.SHORT is cl.SHORT
        assert scoreboard.EXPECTED_CHAPTER is cl.EXPECTED_CHAPTER


class TestCellRules:
    def test_c1_branches(self):
        assert cl.c1_rule(SIX, [1e-1, 3e-2, 1e-2, 2e-3, 8e-4, 5e-4]).outcome == "supports"
        j = cl.c1_rule(SIX, [1e-1, 3e-2, 1e-2, 2e-3, 4e-3, 5e-3])
        assert j.outcome == "inconclusive" and j.statistic["value"] == pytest.approx(50.0)
        assert j.statistic["best_degree"] == 8.0
        # exactly 100: supports (≥); the first is the lowest: F = 1, contradicts
        assert cl.c1_rule([2, 4], [1.0, 0.01]).outcome == "supports"
        j = cl.c1_rule(SIX, [0.05, 0.25, 0.09, 0.19, 0.05, 0.13])
        assert j.outcome == "contradicts" and j.statistic["value"] == 1.0
        assert j.statistic["best_degree"] == 2.0
        # a vanishing excess counts as the floor 1e-12: F = 1e-2 / 1e-12
        j = cl.c1_rule([2, 4], [1e-2, 0.0])
        assert j.statistic["value"] == pytest.approx(1e10) and j.statistic["n_floored"] == 1
        with pytest.raises(ValueError, match="degrees"):
            cl.c1_rule([4, 2], [1.0, 0.1])

    def test_trend_supports(self):
        # six strictly rising points: p = 1/720; the interval above 0
        j = cl.c2_rule(SIX, [1, 2, 3, 4, 5, 6], effect(5, 4, 6))
        assert j.outcome == "supports"
        assert j.statistic["value"] == pytest.approx(1.0)
        assert j.statistic["p_value"] == pytest.approx(1 / 720)
        assert "p < 0.05" in j.reason

    def test_trend_contradicts_whatever_p_says(self):
        # a significant rising rank trend but an effect entirely below 0 (last < first)
        j = cl.c3_rule(SIX, [0.5, 0.1, 0.2, 0.3, 0.4, 0.45], effect(-0.05, -0.09, -0.01))
        assert j.outcome == "contradicts" and "below 0" in j.reason

    def test_trend_inconclusive_branches(self):
        # three points: the smallest possible p is 1/6, never < 0.05
        j = cl.c2_rule([2, 4, 6], [1, 2, 3], effect(2, 1, 3))
        assert j.outcome == "inconclusive" and j.statistic["p_value"] == pytest.approx(1 / 6)
        assert "p ≥ 0.05" in j.reason
        # significant trend, interval touching 0
        j = cl.c3_rule(SIX, [1, 2, 3, 4, 5, 6], effect(0.2, 0.0, 0.4))
        assert j.outcome == "inconclusive" and "includes 0" in j.reason

    def test_c5_is_decreasing(self):
        falling = [0.9, 0.8, 0.6, 0.5, 0.3, 0.1]
        assert cl.c5_rule(SIX, falling, effect(-0.8, -0.9, -0.6)).outcome == "supports"
        assert cl.c5_rule(SIX, falling[::-1], effect(0.8, 0.6, 0.9)).outcome == "contradicts"
        assert cl.c5_rule(SIX, falling, effect(-0.8, -0.9, 0.1)).outcome == "inconclusive"

    def test_c4_thresholds(self):
        assert cl.c4_rule(SIX, [0.0, 0.05, 0.01, 0, 0, 0]).outcome == "supports"
        j = cl.c4_rule(SIX, [0.0, 0.02, 0.15, 0, 0, 0])
        assert j.outcome == "inconclusive" and j.statistic == {
            "name": "spread", "value": 0.15, "worst_degree": 6.0}
        assert cl.c4_rule(SIX, [0.0, 0.02, 0.1500001, 0, 0, 0]).outcome == "contradicts"
        with pytest.raises(ValueError, match="spreads"):
            cl.c4_rule(SIX, [0, 0, 0, 0, 0, 1.5])

    def test_c6_against_the_ratio(self):
        ratios = [0.1, 0.1, 0.5, 0.6, 0.7, 0.8]  # ties in x: average ranks
        widths = [2.0, 1.9, 1.5, 1.0, 0.8, 0.5]
        j = cl.c6_rule(ratios, widths, effect(-1.5, -1.8, -1.1))
        assert j.outcome == "supports"
        # ρ of the average ranks: x ranks (1.5, 1.5, 3, 4, 5, 6) against y ranks (6 … 1)
        rx = np.array([1.5, 1.5, 3, 4, 5, 6]) - 3.5
        ry = np.arange(6, 0, -1) - 3.5
        assert j.statistic["value"] == pytest.approx(rx @ ry / np.sqrt((rx @ rx) * (ry @ ry)))
        # widening with deceptiveness beyond the interval: contradicts
        assert cl.c6_rule(ratios, widths[::-1], effect(1.5, 1.1, 1.8)).outcome == "contradicts"
        # no degree more deceptive than another: inconclusive, whatever the widths do
        j = cl.c6_rule([0.3] * 6, widths, effect(0, 0, 0))
        assert j.outcome == "inconclusive" and j.statistic["p_value"] == 1.0

    def test_c7_band(self):
        res = [180, 360, 720]
        assert cl.c7_rule(res, [62.5, 75, 87.5]).outcome == "supports"  # edges included
        j = cl.c7_rule(res, [50, 88, 99])
        assert j.outcome == "contradicts" and j.statistic["value"] == 0
        j = cl.c7_rule(res, [70, 60, 80])
        assert j.outcome == "inconclusive" and (j.statistic["value"], j.statistic["of"]) == (2, 3)
        with pytest.raises(ValueError, match="ranks"):
            cl.c7_rule(res, [70, 60, 180])


def some_cell(**kw):
    args = dict(claim="C3", setting={"n_qubits": np.int64(2), "cost": "tfim", "tol": 1e-3,
                                     "seed": 0},
                x_name="sharing degree n·L", x=np.array([2, 4]), quantity="flow ratio",
                series={"value": np.array([0.1, np.nan]), "low": [0.05, 0.2], "high": [0.2, 0.9]},
                statistic={"name": "spearman_rho", "value": np.float64(0.5), "p_value": 0.5},
                effect={"estimate": 0.1, "low": -0.1, "high": 0.3}, outcome="inconclusive",
                reason="because", beside={"grid": np.array([[0.1, 0.2]])})
    args.update(kw)
    return cl.Cell(**args)


class TestCellsAndResults:
    def test_cell_json_round_trip(self, tmp_path):
        cell = some_cell()
        assert cell.series["value"] == (0.1, None)  # NaN is stored as None, announced
        assert cell.setting["n_qubits"] == 2 and type(cell.setting["n_qubits"]) is int
        assert cell.label == "n = 2, tfim, tol = 0.001, seed 0"
        back = cl.Cell.from_dict(json.loads(json.dumps(cell.to_dict())))
        assert back == cell
        path = save_results(tmp_path / "r.json", {"cell": cell}, {})
        assert cl.Cell.from_dict(load_results(path)["data"]["cell"]) == cell

    def test_cell_checks(self):
        with pytest.raises(ValueError, match="outcome"):
            some_cell(outcome="maybe")
        with pytest.raises(ValueError, match="claim"):
            some_cell(claim="C9")
        with pytest.raises(ValueError, match="series"):
            some_cell(series={"value": [1.0, 2.0, 3.0]})
        with pytest.raises(ValueError, match="'value'"):
            some_cell(series={"low": [1.0, 2.0]})
        with pytest.raises(ValueError, match="x_name"):
            cl.Cell.from_dict({k: v for k, v in some_cell().to_dict().items() if k != "x_name"})

    def test_claim_result_counts_and_round_trip(self, tmp_path):
        cells = [some_cell(outcome=o) for o in
                 ("supports", "supports", "contradicts", "inconclusive")]
        r = cl.ClaimResult.from_cells("C3", cells)
        assert (r.verdict, r.n_settings, r.n_supports, r.n_contradicts, r.n_inconclusive) == (
            "partly", 4, 2, 1, 1)
        assert r.sentence == "supports in 2 of 4 settings, contradicts in 1"
        assert list(r.to_dict())[:8] == ["claim", "verdict", "n_settings", "n_supports",
                                         "n_contradicts", "n_inconclusive", "sentence", "rule"]
        assert r.as_verdict().numbers == {"n_settings": 4, "n_supports": 2, "n_contradicts": 1,
                                          "n_inconclusive": 1}
        assert r.rule == cl.REGISTRY["C3"].rule_text and r.statement == cl.CLAIMS["C3"]
        assert cl.ClaimResult.from_dict(json.loads(json.dumps(r.to_dict()))) == r
        path = save_results(tmp_path / "r.json", {"C3": r}, {})
        assert cl.ClaimResult.from_dict(load_results(path)["data"]["C3"]) == r
        v = r.as_verdict()
        assert (v.claim, v.verdict, v.numbers["n_supports"]) == ("C3", "partly", 2)
        every = cl.ClaimResult.from_cells("C3", [some_cell(outcome="supports")] * 3)
        assert every.verdict == "holds"
        assert cl.ClaimResult.from_cells("C3", [some_cell()]).verdict == "does not hold"

    def test_claim_result_checks(self):
        with pytest.raises(ValueError, match="empty"):
            cl.ClaimResult.from_cells("C3", [])
        with pytest.raises(ValueError, match="C3"):
            cl.ClaimResult.from_cells("C2", [some_cell()])
        with pytest.raises(TypeError, match="Cell"):
            cl.ClaimResult.from_cells("C3", ["supports"])
        good = cl.ClaimResult.from_cells("C3", [some_cell()]).to_dict()
        with pytest.raises(ValueError, match="verdict must be one of"):
            cl.ClaimResult.from_dict({**good, "verdict": "maybe"})
        with pytest.raises(ValueError, match="'n_supports'"):
            cl.ClaimResult.from_dict({k: v for k, v in good.items() if k != "n_supports"})
        with pytest.raises(ValueError, match="claim must be one of"):
            cl.ClaimResult.from_cells("C9", [some_cell()])
