"""qbp.stats: the statistics of SPEC §11, against hand-computed and textbook values."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from qbp import stats
from qbp.stats import (Effect, bootstrap_interval, claim_verdict, classify_cell, effect_interval,
                       improvement_factor, proportion_difference, resolution_difference,
                       sample_difference, settled, tail_length, trend_test, wilson_interval,
                       window_width)

Z95 = 1.959963984540054


class TestWilson:
    def test_textbook_values(self):
        # k = 0: upper = z²/(n + z²); k = n: lower = n/(n + z²); 5 of 10: (0.2366, 0.7634)
        assert wilson_interval(0, 10) == (0.0, pytest.approx(Z95**2 / (10 + Z95**2), abs=1e-12))
        assert wilson_interval(10, 10) == (pytest.approx(10 / (10 + Z95**2), abs=1e-12), 1.0)
        lo, hi = wilson_interval(5, 10)
        assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
        assert wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)

    def test_matches_scipy_on_many_counts(self):
        cases = [(k, n) for n in range(1, 41) for k in range(n + 1)]
        cases += [(k, 1000) for k in (0, 1, 7, 500, 993, 1000)] + [(3, 129600), (40000, 129600)]
        for conf in (0.95, 0.9, 0.99):
            k, n = np.array(cases).T
            lo, hi = wilson_interval(k, n, conf)
            for i, (kk, nn) in enumerate(cases):
                ref = binomtest(int(kk), int(nn)).proportion_ci(conf, method="wilson")
                assert lo[i] == pytest.approx(ref.low, abs=1e-12), (kk, nn, conf)
                assert hi[i] == pytest.approx(ref.high, abs=1e-12), (kk, nn, conf)

    def test_broadcast_and_no_trials(self):
        lo, hi = wilson_interval([[0], [5]], [10, 20])
        assert lo.shape == (2, 2) and hi[1, 0] == pytest.approx(0.7634, abs=1e-4)
        assert wilson_interval(0, 0) == (0.0, 1.0)

    @pytest.mark.parametrize("k, n, conf, exc, word", [
        (11, 10, 0.95, ValueError, "successes"), (-1, 10, 0.95, ValueError, "successes"),
        (1, -2, 0.95, ValueError, "trials"), (1.5, 10, 0.95, TypeError, "successes"),
        (1, 10, 1.0, ValueError, "confidence"), (1, 10, "high", TypeError, "confidence"),
    ])
    def test_errors(self, k, n, conf, exc, word):
        with pytest.raises(exc, match=word):
            wilson_interval(k, n, conf)


class TestBootstrap:
    def test_two_point_sample_by_hand(self):
        # resampled means of [0, 1] are 0, ½, 1 with probabilities ¼, ½, ¼: 2.5 % → 0, 97.5 % → 1
        assert bootstrap_interval([0.0, 1.0], statistic=np.mean) == (0.0, 1.0)

    def test_degenerate_sample_is_a_point(self):
        assert bootstrap_interval([2.5] * 7) == (2.5, 2.5)
        assert bootstrap_interval([2.5] * 7, method="BCa") == (2.5, 2.5)

    def test_bca_falls_back_with_a_warning(self):
        with pytest.warns(RuntimeWarning, match="percentile"):
            lo, hi = bootstrap_interval(np.r_[np.zeros(30), 1.0], method="BCa")
        assert (lo, hi) == (0.0, 0.0)

    def test_seeded_and_sensible(self):
        x = np.random.default_rng(0).normal(size=400)
        a, b = bootstrap_interval(x, seed=3), bootstrap_interval(x, seed=3)
        assert a == b
        assert a[0] < np.median(x) < a[1] and a[1] - a[0] < 0.4  # ≈ 2·1.96·1.25/√400 = 0.25

    @pytest.mark.parametrize("kwargs, word", [
        ({"samples": [1.0]}, "samples"), ({"samples": [1.0, np.nan]}, "samples"),
        ({"samples": [[1.0, 2.0]]}, "samples"), ({"method": "bias"}, "method"),
        ({"n_resamples": 0}, "n_resamples"), ({"confidence": 0}, "confidence"),
    ])
    def test_errors(self, kwargs, word):
        args = {"samples": [1.0, 2.0, 3.0], **kwargs}
        with pytest.raises(ValueError, match=word):
            bootstrap_interval(**args)


class TestTrend:
    def test_perfectly_monotone_six_points(self):
        res = trend_test([1, 2, 3, 4, 5, 6], [0.1, 0.2, 0.25, 0.4, 0.41, 0.9])
        assert res.rho == 1.0 and res.p_value == pytest.approx(1 / 720, rel=1e-12) and res.exact
        down = trend_test([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], "decreasing")
        assert down.rho == -1.0 and down.p_value == pytest.approx(1 / 720, rel=1e-12)
        wrong_way = trend_test([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], "increasing")
        assert wrong_way.p_value == 1.0

    def test_small_examples_by_hand(self):
        # n = 4, values ranked (1, 3, 2, 4): Σd² = 2, ρ = 1 − 6·2/60 = 0.8; pairings with
        # Σd² ≤ 2: the identity and the 3 adjacent swaps → p = 4/24
        res = trend_test([1, 2, 3, 4], [1, 3, 2, 4])
        assert res.rho == pytest.approx(0.8) and res.p_value == pytest.approx(4 / 24)
        # n = 3, (1, 3, 2): ρ = 0.5; rank orders with ρ ≥ 0.5: 123, 132, 213 → p = 3/6
        res3 = trend_test([1, 2, 3], [1, 3, 2])
        assert res3.rho == pytest.approx(0.5) and res3.p_value == pytest.approx(0.5)
        assert (res3.n, res3.direction) == (3, "increasing")

    def test_constant_values_have_no_trend(self):
        res = trend_test([1, 2, 3, 4, 5], [0.3] * 5)
        assert (res.rho, res.p_value) == (0.0, 1.0)

    def test_many_degrees_use_a_seeded_sample(self):
        res = trend_test(np.arange(12), np.arange(12.0))
        assert not res.exact and res.p_value == pytest.approx(1 / 100000)
        assert trend_test(np.arange(12), np.arange(12.0)) == res

    @pytest.mark.parametrize("args, word", [
        (([1, 2, 3], [1, 2]), "same length"), (([1], [1]), "degrees"),
        (([1, 2, 3], [1, np.nan, 2]), "values"), (([1, 2, 3], [1, 2, 3], "up"), "direction"),
    ])
    def test_errors(self, args, word):
        with pytest.raises(ValueError, match=word):
            trend_test(*args)


class TestEffects:
    def test_newcombe_textbook_examples(self):
        # Newcombe (1998), Table II, method 10: 56/70 − 48/80 → (0.0524, 0.3339);
        # 9/10 − 3/10 → (0.1705, 0.8090). Our convention is last − first.
        e = proportion_difference(first=(48, 80), last=(56, 70))
        assert e.estimate == pytest.approx(0.2)
        assert (round(e.low, 4), round(e.high, 4)) == (0.0524, 0.3339)
        e2 = effect_interval("proportion", (3, 10), (9, 10))
        assert (round(e2.low, 4), round(e2.high, 4)) == (0.1705, 0.8090)
        assert e2.kind == "proportion" and e2.method == "newcombe-wilson"

    def test_newcombe_at_the_edges_stays_inside(self):
        e = proportion_difference((0, 20), (20, 20))
        assert e.estimate == 1.0 and 0 < e.low < 1 and e.high == pytest.approx(1.0)
        same = proportion_difference((0, 20), (0, 20))
        assert same.estimate == 0 and same.low < 0 < same.high

    def test_sample_difference_by_hand(self):
        # first constant 0; resampled means of [0, 1] are 0, ½, 1 → interval (0, 1)
        e = sample_difference([0.0, 0.0], [0.0, 1.0], statistic=np.mean)
        assert (e.estimate, e.low, e.high) == (0.5, 0.0, 1.0)
        point = effect_interval("sample", [1.0, 1.0], [3.0, 3.0, 3.0])
        assert (point.estimate, point.low, point.high) == (2.0, 2.0, 2.0)

    def test_resolution_difference(self):
        e = resolution_difference(0.2, 0.5, first_coarse=0.25, last_coarse=0.45)
        assert (e.estimate, e.low, e.high) == pytest.approx((0.3, 0.2, 0.4))
        assert effect_interval("grid", 0.2, 0.5, first_coarse=0.2, last_coarse=0.5).low == pytest.approx(0.3)

    def test_errors(self):
        with pytest.raises(ValueError, match="kind"):
            effect_interval("median", [1, 2], [3, 4])
        with pytest.raises(ValueError, match="first"):
            proportion_difference((1, 0), (1, 2))
        with pytest.raises(ValueError, match="last"):
            proportion_difference((1, 2), (0, 0))
        with pytest.raises(TypeError, match="last"):
            proportion_difference((1, 2), 3)
        with pytest.raises(ValueError, match="finite"):
            resolution_difference(0.1, np.nan, 0.1, 0.2)


class TestVerdicts:
    @pytest.mark.parametrize("interval, direction, p, expected", [
        ((0.1, 0.3), "increasing", 0.01, "supports"),
        ((0.1, 0.3), "increasing", 0.2, "inconclusive"),      # trend not significant
        ((0.1, 0.3), "increasing", 0.05, "inconclusive"),     # p < 0.05 is strict
        ((-0.1, 0.3), "increasing", 0.001, "inconclusive"),   # interval contains 0
        ((0.0, 0.3), "increasing", 0.001, "inconclusive"),    # touching 0 does not exclude it
        ((-0.3, -0.1), "increasing", 0.5, "contradicts"),
        ((-0.3, -0.1), "increasing", 0.001, "contradicts"),   # the effect decides
        ((-0.3, -0.1), "decreasing", 0.01, "supports"),
        ((0.1, 0.3), "decreasing", 0.9, "contradicts"),
        ((0.1, 0.3), "increasing", None, "supports"),         # no trend test: interval alone
        ((-0.1, 0.1), "decreasing", None, "inconclusive"),
    ])
    def test_classify_cell_branches(self, interval, direction, p, expected):
        assert classify_cell(interval, direction, p) == expected
        eff = Effect(sum(interval) / 2, interval[0], interval[1], "grid", "test")
        assert classify_cell(eff, direction, p) == expected

    def test_classify_cell_errors(self):
        with pytest.raises(ValueError, match="interval"):
            classify_cell((0.3, 0.1))
        with pytest.raises(ValueError, match="p_value"):
            classify_cell((0.1, 0.3), p_value=1.5)
        with pytest.raises(ValueError, match="direction"):
            classify_cell((0.1, 0.3), "up")

    def test_claim_verdict_branches(self):
        assert claim_verdict(["supports"] * 3).verdict == "holds"
        assert claim_verdict(["inconclusive", "contradicts"]).verdict == "does not hold"
        assert claim_verdict(["contradicts"] * 4).verdict == "does not hold"
        assert claim_verdict(["supports", "inconclusive"]).verdict == "partly"
        split = claim_verdict(["supports", "contradicts", "inconclusive"])
        assert split.verdict == "partly"
        assert (split.n_supports, split.n_contradicts, split.n_inconclusive) == (1, 1, 1)

    def test_claim_verdict_sentence_and_cells(self):
        cells = {f"n={n}, seed={s}": ("supports" if i < 7 else "contradicts" if i < 9 else "inconclusive")
                 for i, (n, s) in enumerate((n, s) for n in (2, 3, 4) for s in range(4))}
        v = claim_verdict(cells)
        assert v.sentence == "supports in 7 of 12 settings, contradicts in 2"
        assert v.verdict == "partly" and v.cells == cells and v.n_settings == 12
        assert claim_verdict(["supports"]).sentence == "supports in 1 of 1 setting, contradicts in 0"

    def test_claim_verdict_errors(self):
        with pytest.raises(ValueError, match="empty"):
            claim_verdict([])
        with pytest.raises(ValueError, match="labels"):
            claim_verdict(["holds"])
        with pytest.raises(TypeError, match="cells"):
            claim_verdict("supports")


class TestWindowWidth:
    def test_hand_made_curve(self):
        # η = 1e-3 … 1, rates (0, .5, 1, .2): best 1 at 0.1, half = .5; low edge exactly at
        # 1e-2 (rate .5 = half); high edge between 0.1 and 1 at fraction (1−.5)/(1−.2) = .625
        w = window_width([1e-3, 1e-2, 1e-1, 1.0], [0.0, 0.5, 1.0, 0.2])
        assert w.width == pytest.approx(1.625)
        assert w.low_lr == pytest.approx(1e-2) and w.high_lr == pytest.approx(10 ** -0.375)
        assert (w.best_rate, w.best_lr) == (1.0, 0.1)
        assert not (w.censored_low or w.censored_high or w.no_success)

    def test_censored_edge_is_not_extrapolated(self):
        w = window_width([1e-3, 1e-2, 1e-1], [1.0, 0.8, 0.1])
        assert w.width == pytest.approx(1 + 3 / 7) and w.censored_low and not w.censored_high

    def test_only_the_window_around_the_best_counts(self):
        w = window_width([1e-3, 1e-2, 1e-1, 1.0], [0.9, 0.1, 1.0, 0.1])
        assert w.width == pytest.approx(0.5 / 0.9 + 0.5 / 0.9)
        tie = window_width([1e-3, 1e-2, 1e-1, 1.0], [1.0, 0.0, 1.0, 1.0])
        assert tie.width == pytest.approx(1 + 0.5) and tie.censored_high

    def test_no_success_and_single_lr(self):
        w = window_width([1e-3, 1e-2], [0.0, 0.0])
        assert np.isnan(w.width) and w.no_success and w.best_rate == 0.0
        one = window_width([0.1], [0.4])
        assert one.width == 0.0 and one.censored_low and one.censored_high

    @pytest.mark.parametrize("lrs, rates, word", [
        ([1e-2, 1e-3], [0.1, 0.2], "increasing"), ([0.0, 1e-3], [0.1, 0.2], "positive"),
        ([1e-3, 1e-2], [0.1, 1.2], "success_rates"), ([1e-3], [0.1, 0.2], "same length"),
        ([1e-3, np.nan], [0.1, 0.2], "lrs"),
    ])
    def test_errors(self, lrs, rates, word):
        with pytest.raises(ValueError, match=word):
            window_width(lrs, rates)


class TestImprovementFactor:
    def test_cells(self):
        assert improvement_factor([1e-2, 1e-3, 1e-5]).factor == pytest.approx(1000)
        assert improvement_factor([1e-2, 1e-3, 1e-5]).cell == "supports"
        flat = improvement_factor([1e-3, 1e-2])
        assert (flat.factor, flat.cell, flat.best_position) == (1.0, "contradicts", 0)
        assert improvement_factor([1e-3, 1e-4]).cell == "inconclusive"
        assert improvement_factor({3: 1e-4, 1: 1e-2, 2: 1e-3}).factor == pytest.approx(100)
        assert improvement_factor({3: 1e-4, 1: 1e-2, 2: 1e-3}).cell == "supports"

    def test_floor(self):
        f = improvement_factor([1e-3, 0.0, -1e-10])
        assert f.factor == pytest.approx(1e9) and f.n_floored == 2 and f.best == 1e-12
        assert improvement_factor([1e-3, 0.0], floor=1e-9).factor == pytest.approx(1e6)
        with pytest.raises(ValueError, match="excess"):
            improvement_factor([1e-3, -1e-6])
        with pytest.raises(ValueError, match="floor"):
            improvement_factor([1e-3], floor=0)


class TestSettled:
    def test_tail_length(self):
        assert [tail_length(t) for t in (500, 1000, 250, 15, 10, 5, 1)] == [50, 100, 25, 2, 1, 1, 1]
        with pytest.raises(ValueError, match="steps"):
            tail_length(0)
        with pytest.raises(ValueError, match="fraction"):
            tail_length(10, fraction=0)

    def test_settled_by_hand(self):
        costs = np.array([[-1.0, -1.0005, -0.999], [-1.0, -0.5, -1.0], [-0.9995, -0.9995, -0.9995]])
        assert settled(costs, -1.0, 1e-3).tolist() == [True, False, True]  # ≤ is inclusive
        assert settled(costs, [-1.0, -0.4, -1.0], 1e-3).tolist() == [True, True, True]
        assert settled(costs[1], -1.0, 0.6) is True
        assert settled(costs[:, -1:], -1.0, 0.0).tolist() == [False, True, False]

    @pytest.mark.parametrize("args, word", [
        ((np.zeros((2, 0)), 0.0, 0.1), "costs_tail"), ((np.full((2, 3), np.nan), 0.0, 0.1), "costs_tail"),
        ((np.zeros((2, 3)), [0.0, 0.0, 0.0], 0.1), "c_star"), ((np.zeros((2, 3)), 0.0, -0.1), "tol"),
        ((np.zeros((2, 3)), np.nan, 0.1), "c_star"),
    ])
    def test_errors(self, args, word):
        with pytest.raises(ValueError, match=word):
            settled(*args)


def test_every_public_name_is_exported():
    for name in stats.__all__:
        assert hasattr(stats, name), name
    assert math.isclose(Z95, 1.959963984540054)
