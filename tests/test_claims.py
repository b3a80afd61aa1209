"""The C1 decision rule on synthetic inputs, and the refined minimum on known circuits."""

import numpy as np
import pytest
import qutip

import qbp
from qbp.claims import VERDICTS, Verdict, c1_verdict, c7_verdict
from qbp.minima import grid_local_minima, refine_minimum

DEGREES = [2, 4, 6, 8, 10, 12]


class TestC1Rule:
    def test_holds_orders_of_magnitude_and_decreasing(self):
        v = c1_verdict(DEGREES, [1e-1, 3e-2, 1e-2, 2e-3, 8e-4, 5e-4])
        assert v.claim == "C1" and v.verdict == "holds"
        assert v.numbers["improvement_factor"] == pytest.approx(200)
        assert v.numbers["spearman_rho"] == pytest.approx(-1.0)

    def test_large_factor_without_trend_is_partly(self):
        # one deep outlier: factor 1000 but no monotone trend (ρ > −0.5)
        v = c1_verdict(DEGREES, [1e-1, 2e-1, 1e-4, 3e-1, 2e-1, 4e-1])
        assert v.numbers["improvement_factor"] == pytest.approx(1000)
        assert v.numbers["spearman_rho"] > -0.5
        assert v.verdict == "partly"

    def test_decreasing_but_small_factor_is_partly(self):
        v = c1_verdict(DEGREES, [1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
        assert v.numbers["improvement_factor"] == pytest.approx(2)
        assert v.verdict == "partly"

    def test_factor_ten_alone_is_partly(self):
        v = c1_verdict(DEGREES, [1.0, 2.0, 0.05, 3.0, 2.0, 4.0])
        assert v.numbers["improvement_factor"] == pytest.approx(20)
        assert v.numbers["spearman_rho"] > -0.5
        assert v.verdict == "partly"

    def test_no_improvement_does_not_hold(self):
        v = c1_verdict(DEGREES, [0.07, 0.25, 0.09, 0.19, 0.05, 0.13])
        assert v.verdict == "does not hold"
        assert "factor" in v.reason and "ρ" in v.reason

    def test_best_at_smallest_degree(self):
        v = c1_verdict(DEGREES, [0.01, 0.2, 0.3, 0.4, 0.5, 0.6])
        assert v.verdict == "does not hold"
        assert v.numbers["improvement_factor"] == 1.0
        assert "no larger sharing degree" in v.reason

    def test_every_branch_reachable(self):
        seen = {c1_verdict(DEGREES, e).verdict for e in (
            [1e-1, 3e-2, 1e-2, 2e-3, 8e-4, 5e-4], [1.0, 0.9, 0.8, 0.7, 0.6, 0.5],
            [0.01, 0.2, 0.3, 0.4, 0.5, 0.6])}
        assert seen == set(VERDICTS)

    def test_unsorted_input_is_sorted_by_degree(self):
        a = c1_verdict(DEGREES, [1e-1, 3e-2, 1e-2, 2e-3, 8e-4, 5e-4])
        b = c1_verdict(DEGREES[::-1], [5e-4, 8e-4, 2e-3, 1e-2, 3e-2, 1e-1])
        assert a == b

    def test_constant_excess_has_no_trend(self, recwarn):
        v = c1_verdict(DEGREES, [0.1] * 6)
        assert v.verdict == "does not hold" and np.isnan(v.numbers["spearman_rho"])
        assert not recwarn.list

    def test_zero_excess_uses_floor(self):
        v = c1_verdict(DEGREES, [1e-1, 1e-2, 1e-4, 1e-8, 0.0, -1e-15])
        assert v.verdict == "holds"
        assert np.isfinite(v.numbers["improvement_factor"])

    @pytest.mark.parametrize("degrees, excess", [
        ([1], [0.1]),                            # too short
        ([1, 2, 3], [0.1, 0.01]),                # length mismatch
        ([1, 2, 3], [0.1, np.nan, 0.01]),        # not finite
        ([1, 2, 3], [0.1, -0.5, 0.01]),          # below the ground energy
    ])
    def test_bad_input(self, degrees, excess):
        with pytest.raises(ValueError):
            c1_verdict(degrees, excess)

    def test_verdict_validates(self):
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


PAIRS = [[180, 90], [360, 180], [720, 360], [1440, 720]]


class TestC7Rule:
    def test_every_halving_a_quartile_holds(self):
        v = c7_verdict(PAIRS, [74.0, 76.5, 70.0, 80.0])
        assert v.claim == "C7" and v.verdict == "holds"
        assert v.numbers["fraction_within"] == 1.0 and v.numbers["n_pairs"] == 4
        assert v.numbers["mean_rank"] == pytest.approx(75.125)

    def test_band_edges_are_inside(self):
        assert c7_verdict(PAIRS[:2], [62.5, 87.5]).verdict == "holds"

    def test_half_within_is_partly(self):
        v = c7_verdict(PAIRS, [75.0, 80.0, 99.0, 99.0])
        assert v.numbers["fraction_within"] == 0.5
        assert not 62.5 <= v.numbers["mean_rank"] <= 87.5
        assert v.verdict == "partly"

    def test_mean_within_alone_is_partly(self):
        # no single halving is a quartile, but they straddle it: mean 75
        v = c7_verdict(PAIRS, [55.0, 95.0, 60.0, 90.0])
        assert v.numbers["n_within"] == 0 and v.numbers["mean_rank"] == pytest.approx(75)
        assert v.verdict == "partly"

    def test_more_than_a_quartile_does_not_hold(self):
        v = c7_verdict(PAIRS * 3, [90.5] * 4 + [95.8] * 4 + [86.0] * 4,
                       sharing_degrees=[2] * 4 + [6] * 4 + [12] * 4)
        assert v.verdict == "does not hold"
        assert v.numbers["n_within"] == 4 and v.numbers["fraction_within"] == pytest.approx(1 / 3)
        assert v.numbers["sharing_degrees"] == [2] * 4 + [6] * 4 + [12] * 4
        assert "4 of 12" in v.reason and "[62.5, 87.5]" in v.reason

    def test_every_branch_reachable(self):
        seen = {c7_verdict(PAIRS, r).verdict for r in (
            [75.0] * 4, [75.0, 75.0, 99.0, 99.0], [99.0] * 4)}
        assert seen == set(VERDICTS)

    def test_from_a_resolution_study(self):
        from qbp.resolution import resolution_study

        study = resolution_study(qbp.default_circuit(2, 1), qbp.EnergyCost(qbp.tfim_hamiltonian(2)),
                                 (16, 32, 64))
        v = c7_verdict(study.halving_pairs, study.halving_rank)
        assert v.numbers["halving_pairs"] == [[32, 16], [64, 32]]
        assert v.verdict in VERDICTS

    @pytest.mark.parametrize("pairs, ranks, kwargs", [
        ([], [], {}),                                         # no halving pair
        (PAIRS, [75.0, 75.0], {}),                            # length mismatch
        (PAIRS[:2], [75.0, np.nan], {}),                      # not finite
        (PAIRS[:2], [75.0, 101.0], {}),                       # not a percentile rank
        ([[360, 90], [720, 360]], [75.0, 75.0], {}),          # not a halving
        (PAIRS[:2], [75.0, 75.0], {"sharing_degrees": [2]}),  # degrees mismatch
        (PAIRS[:2], [75.0, 75.0], {"band": 0}),               # empty band
    ])
    def test_bad_input(self, pairs, ranks, kwargs):
        with pytest.raises(ValueError):
            c7_verdict(pairs, ranks, **kwargs)


class TestC2C3Rule:
    """C2 and C3 share one rule: Spearman ρ ≥ 0.8 and last > first holds; ρ > 0 partly."""

    def test_rising_holds(self):
        from qbp.claims import c2_verdict

        v = c2_verdict(DEGREES, [0.97, 1.26, 2.02, 1.87, 2.0, 2.37])
        assert v.claim == "C2" and v.verdict == "holds"
        assert v.numbers["spearman_rho"] == pytest.approx(1 - 6 * 6 / 210)  # ≈ 0.83
        assert v.numbers["last_exceeds_first"] and "ρ = 0.83" in v.reason

    def test_weak_rise_is_partly(self):
        from qbp.claims import c2_verdict

        v = c2_verdict(DEGREES, [0.8, 3.0, 0.5, 2.0, 1.0, 1.5])
        assert 0 < v.numbers["spearman_rho"] < 0.8
        assert v.verdict == "partly"

    def test_strong_rank_trend_but_last_not_higher_is_partly(self):
        # 30 degrees, rising except the last, which is the lowest: ρ ≈ 0.81 ≥ 0.8 yet last < first
        from qbp.claims import c2_verdict

        values = list(range(1, 30)) + [0]
        v = c2_verdict(range(30), values)
        assert v.numbers["spearman_rho"] >= 0.8 and not v.numbers["last_exceeds_first"]
        assert v.verdict == "partly"

    def test_falling_or_constant_does_not_hold(self, recwarn):
        from qbp.claims import c2_verdict

        assert c2_verdict(DEGREES, [6, 5, 4, 3, 2, 1]).verdict == "does not hold"
        flat = c2_verdict(DEGREES, [1.0] * 6)
        assert flat.verdict == "does not hold" and np.isnan(flat.numbers["spearman_rho"])
        assert not recwarn.list

    def test_every_branch_reachable_c3(self):
        from qbp.claims import c3_verdict

        seen = {c3_verdict(DEGREES, r).verdict for r in (
            [0.0, 0.2, 0.4, 0.5, 0.7, 0.9], [0.2, 0.9, 0.1, 0.8, 0.5, 0.6], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])}
        assert seen == set(VERDICTS)

    def test_c3_several_tolerances_takes_the_weakest(self):
        from qbp.claims import c3_verdict

        rising, flat_ish = [0.0, 0.2, 0.4, 0.5, 0.7, 0.9], [0.2, 0.9, 0.1, 0.8, 0.5, 0.6]
        v = c3_verdict(DEGREES, {1e-3: rising, 1e-1: flat_ish})
        assert v.claim == "C3" and v.verdict == "partly"
        assert v.numbers["per_tol"][1e-3]["verdict"] == "holds"
        assert v.numbers["per_tol"][0.1]["verdict"] == "partly"
        assert "weakest" in v.reason and "tol 0.001" in v.reason
        assert c3_verdict(DEGREES, {1e-3: rising}).verdict == "holds"

    def test_unsorted_input_is_sorted(self):
        from qbp.claims import c3_verdict

        a = c3_verdict(DEGREES, [0.0, 0.2, 0.4, 0.5, 0.7, 0.9])
        b = c3_verdict(DEGREES[::-1], [0.9, 0.7, 0.5, 0.4, 0.2, 0.0])
        assert a == b

    @pytest.mark.parametrize("degrees, values", [
        ([2], [0.1]),                       # too short
        ([2, 4, 6], [0.1, 0.2]),            # length mismatch
        ([2, 4, 6], [0.1, np.inf, 0.2]),    # not finite
        ([2, 2, 6], [0.1, 0.2, 0.3]),       # repeated degree
    ])
    def test_bad_input(self, degrees, values):
        from qbp.claims import c2_verdict, c3_verdict

        with pytest.raises(ValueError):
            c2_verdict(degrees, values)
        with pytest.raises(ValueError):
            c3_verdict(degrees, values)
        with pytest.raises(ValueError):
            c3_verdict(degrees, {})


class TestC4Rule:
    RES = [90, 180, 360, 720]

    def test_steady_ratios_hold(self):
        from qbp.claims import c4_verdict

        v = c4_verdict(self.RES, {1e-3: [[0.50, 0.52, 0.53, 0.51], [0.8, 0.8, 0.81, 0.8]],
                                  1e-1: [[0.40, 0.41, 0.40, 0.40], [0.7, 0.7, 0.7, 0.7]]},
                       rows=["L = 1", "L = 2"])
        assert v.claim == "C4" and v.verdict == "holds"
        assert v.numbers["spread"][1e-3] == pytest.approx(0.03)
        assert v.numbers["worst_row"][1e-3] == "L = 1"
        assert v.numbers["large_tol"] == 0.1

    def test_only_large_tol_steady_is_partly(self):
        from qbp.claims import c4_verdict

        v = c4_verdict(self.RES, {1e-3: [0.5, 0.9, 0.6, 0.55], 1e-1: [0.4, 0.42, 0.41, 0.4]})
        assert v.numbers["spread"][1e-3] == pytest.approx(0.4)
        assert v.verdict == "partly"

    def test_every_spread_moderate_is_partly(self):
        from qbp.claims import c4_verdict

        v = c4_verdict(self.RES, {1e-3: [0.5, 0.55, 0.6, 0.5], 1e-1: [0.4, 0.5, 0.45, 0.4]})
        assert v.numbers["spread"][0.1] == pytest.approx(0.1)
        assert v.verdict == "partly"

    def test_large_spread_does_not_hold(self):
        from qbp.claims import c4_verdict

        v = c4_verdict(self.RES, {1e-3: [[0.7, 0.99, 0.76, 0.68]], 1e-1: [[0.92, 0.82, 0.73, 0.72]]},
                       rows=["L = 6"])
        assert v.verdict == "does not hold"
        assert v.numbers["spread"][0.1] == pytest.approx(0.2)
        assert "(worst: L = 6)" in v.reason and "0.05" in v.reason

    def test_every_branch_reachable(self):
        from qbp.claims import c4_verdict

        seen = {c4_verdict(self.RES, {1e-3: s, 1e-1: l}).verdict for s, l in (
            ([0.5] * 4, [0.4] * 4), ([0.5, 0.9, 0.5, 0.5], [0.4] * 4), ([0.1, 0.9, 0.5, 0.5], [0.1, 0.9, 0.4, 0.4]))}
        assert seen == set(VERDICTS)

    @pytest.mark.parametrize("resolutions, ratios, kwargs", [
        ([90], {0.1: [0.5]}, {}),                             # one resolution
        ([90, 180], {}, {}),                                  # no tolerance
        ([90, 180], [0.5, 0.5], {}),                          # not a mapping
        ([90, 180], {0.1: [0.5, 0.5, 0.5]}, {}),              # wrong length
        ([90, 180], {0.1: [0.5, 1.5]}, {}),                   # not a fraction
        ([90, 180], {0.1: [[0.5, 0.5]], 0.2: [[0.5, 0.5], [0.4, 0.4]]}, {}),  # rows differ
        ([90, 180], {0.1: [[0.5, 0.5], [0.4, 0.4]]}, {"rows": ["L = 1"]}),  # rows unnamed
    ])
    def test_bad_input(self, resolutions, ratios, kwargs):
        from qbp.claims import c4_verdict

        with pytest.raises(ValueError):
            c4_verdict(resolutions, ratios, **kwargs)


class TestC5C6Rules:
    """C5 (success falls with sharing) and C6 (learning-rate sensitivity) on synthetic rates."""

    @staticmethod
    def curves(best, floor=0.0, n_lrs=5):
        # success curves (degrees, lrs) peaking at `best` with minimum `floor`
        best = np.asarray(best, dtype=float)
        shape = np.array([0.0, 0.5, 1.0, 0.5, 0.0])[:n_lrs]
        return floor + (best - floor)[:, None] * shape[None, :]

    def test_c5_holds_when_every_optimizer_falls(self):
        from qbp.claims import c5_verdict
        v = c5_verdict(DEGREES, {"adam": [0.9, 0.8, 0.6, 0.5, 0.3, 0.2],
                                 "sgd": [0.8, 0.85, 0.5, 0.4, 0.2, 0.1]})
        assert v.claim == "C5" and v.verdict == "holds"
        assert v.numbers["per_optimizer"]["adam"]["spearman_rho"] == pytest.approx(-1.0)
        assert v.numbers["per_optimizer"]["sgd"]["spearman_rho"] <= -0.8

    def test_c5_takes_the_best_learning_rate_of_curves(self):
        from qbp.claims import c5_verdict
        best = [0.9, 0.8, 0.6, 0.5, 0.3, 0.2]
        v = c5_verdict(DEGREES, {"adam": self.curves(best), "sgd": best})
        assert v.verdict == "holds"
        assert v.numbers["per_optimizer"]["adam"]["best_success"] == pytest.approx(best)

    def test_c5_one_falling_optimizer_is_partly(self):
        from qbp.claims import c5_verdict
        v = c5_verdict(DEGREES, {"adam": [0.9, 0.8, 0.6, 0.5, 0.3, 0.2],
                                 "sgd": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]})
        assert v.verdict == "partly"

    def test_c5_strong_rank_trend_but_last_not_below_first_is_partly(self):
        from qbp.claims import c5_verdict
        # many degrees, success falling from the second on, but the largest degree is no
        # worse than the smallest: ρ ≤ −0.8, yet not 'holds'
        v = c5_verdict(np.arange(1, 61), {"adam": np.r_[0.0, np.linspace(1, 0, 59)]})
        p = v.numbers["per_optimizer"]["adam"]
        assert p["spearman_rho"] < -0.8 and not p["last_below_first"]
        assert v.verdict == "partly"

    def test_c5_weak_negative_trend_is_partly(self):
        from qbp.claims import c5_verdict
        v = c5_verdict(DEGREES, {"adam": [1.0, 0.12, 0.13, 0.05, 0.23, 0.51]})
        assert -0.8 < v.numbers["per_optimizer"]["adam"]["spearman_rho"] < 0
        assert v.verdict == "partly"

    def test_c5_rising_or_constant_does_not_hold(self):
        from qbp.claims import c5_verdict
        v = c5_verdict(DEGREES, {"adam": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "sgd": [0.3] * 6})
        assert v.verdict == "does not hold"
        assert np.isnan(v.numbers["per_optimizer"]["sgd"]["spearman_rho"])

    def test_c5_sorts_by_degree(self):
        from qbp.claims import c5_verdict
        v = c5_verdict([12, 2, 6], {"adam": [0.1, 0.9, 0.5]})
        assert v.numbers["sharing_degrees"] == [2, 6, 12]
        assert v.numbers["per_optimizer"]["adam"]["best_success"] == [0.9, 0.5, 0.1]
        assert v.verdict == "holds"

    @pytest.mark.parametrize("degrees, rates", [
        ([2, 4, 6], {}),
        ([2, 4, 6], [0.1, 0.2, 0.3]),
        ([2, 4, 6], {"adam": [0.1, 0.2]}),
        ([2, 4, 6], {"adam": [0.1, 0.2, 1.5]}),
        ([2, 4, 6], {"adam": [0.1, np.nan, 0.2]}),
        ([2, 2, 6], {"adam": [0.1, 0.2, 0.3]}),
        ([2], {"adam": [0.1]}),
        ([2, 4, 6], {"adam": np.zeros((3, 2, 2))}),
    ])
    def test_c5_bad_input(self, degrees, rates):
        from qbp.claims import c5_verdict
        with pytest.raises(ValueError):
            c5_verdict(degrees, rates)

    def test_c6_holds_strong_and_rising_with_deceptiveness(self):
        from qbp.claims import c6_verdict
        ratio = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        v = c6_verdict(DEGREES, {"adam": self.curves([0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
                                 "sgd": self.curves([0.3, 0.45, 0.5, 0.6, 0.7, 0.9])},
                       deceptiveness=ratio)
        assert v.claim == "C6" and v.verdict == "holds"
        assert v.numbers["x_variable"] == "deceptiveness ratio" and v.numbers["x"] == ratio
        assert v.numbers["sensitivity"]["adam"] == pytest.approx([0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        assert v.numbers["spearman_rho"] >= 0.5

    def test_c6_uses_the_degree_without_deceptiveness(self):
        from qbp.claims import c6_verdict
        v = c6_verdict(DEGREES, {"adam": self.curves([0.4, 0.5, 0.6, 0.7, 0.8, 0.9])})
        assert v.numbers["x_variable"] == "sharing degree"
        assert v.numbers["spearman_rho"] == pytest.approx(1.0)
        assert v.verdict == "holds"

    def test_c6_strong_but_not_rising_is_partly(self):
        from qbp.claims import c6_verdict
        # large sensitivity, but largest where the landscape is least deceptive
        v = c6_verdict(DEGREES, {"adam": self.curves([0.98, 0.12, 0.13, 0.05, 0.23, 0.5]),
                                 "sgd": self.curves([1.0, 0.11, 0.12, 0.04, 0.22, 0.34])},
                       deceptiveness=[0.001, 0.9, 0.998, 0.966, 0.995, 0.9951])
        assert v.numbers["mean_sensitivity"] >= 0.3 and v.numbers["spearman_rho"] < 0.5
        assert v.verdict == "partly"

    def test_c6_rising_but_weak_is_partly(self):
        from qbp.claims import c6_verdict
        v = c6_verdict(DEGREES, {"adam": self.curves([0.01, 0.02, 0.03, 0.04, 0.05, 0.06])})
        assert v.numbers["mean_sensitivity"] < 0.3 and v.numbers["spearman_rho"] >= 0.5
        assert v.verdict == "partly"

    def test_c6_weak_and_flat_does_not_hold(self):
        from qbp.claims import c6_verdict
        v = c6_verdict(DEGREES, {"adam": self.curves([0.05] * 6, floor=0.01)})
        assert np.isnan(v.numbers["spearman_rho"])
        assert v.verdict == "does not hold"

    @pytest.mark.parametrize("curves, deceptiveness", [
        ({}, None),
        ({"adam": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}, None),  # 1-D: not curves over lrs
        ({"adam": np.full((6, 3), 1.2)}, None),
        ({"adam": np.zeros((5, 3))}, None),
        ({"adam": np.zeros((6, 3))}, [0.1] * 5),
        ({"adam": np.zeros((6, 3))}, [0.1, 0.2, 0.3, 0.4, 0.5, 1.5]),
    ])
    def test_c6_bad_input(self, curves, deceptiveness):
        from qbp.claims import c6_verdict
        with pytest.raises(ValueError):
            c6_verdict(DEGREES, curves, deceptiveness=deceptiveness)


# --- The registry and the cell rules of the settings matrix (SPEC §11) ----------------------

import json  # noqa: E402

from qbp import claims as cl  # noqa: E402
from qbp.results import load_results, save_results  # noqa: E402
from qbp.stats import Effect  # noqa: E402

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
