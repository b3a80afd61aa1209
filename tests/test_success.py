"""Success rates read for one setting (qbp.success): the comparison rule, curve shapes,
transients, the flow prediction, the budget comparison and the tables."""

import numpy as np
import pytest

import qbp
from qbp import matrix as M
from qbp import success as S
from qbp.cost import make_cost
from qbp.endpoints import Fraction
from qbp.stats import proportion_difference, wilson_interval

LRS = [0.01, 0.1, 0.5]
SUCC = dict(n_qubits=(2,), costs=("tfim",), max_layers=3, seeds=(0, 1), n_starts=12, steps=40,
            lrs=LRS, tols=(1e-3, 0.1), c_star_resolution=24, n_boot=100, progress=False)


@pytest.fixture(scope="module")
def study():
    return M.success_study(**SUCC)


def test_compare_rates_newcombe_rule():
    # 19 vs 18 of 100: the Newcombe interval of +0.01 straddles 0 — never called a win
    c = S.compare_rates((19, 100), (18, 100))
    assert c.outcome == "unresolved" and c.difference == pytest.approx(0.01)
    assert c.low < 0 < c.high
    e = proportion_difference((18, 100), (19, 100))
    assert (c.low, c.high) == pytest.approx((e.low, e.high))
    assert S.compare_rates((60, 100), (30, 100)).outcome == "higher"
    down = S.compare_rates((30, 100), (60, 100))
    assert down.outcome == "lower" and down.difference == pytest.approx(-0.3)
    # Fractions are accepted as they are
    f = Fraction(5, 10, 0.5, *wilson_interval(5, 10))
    assert S.compare_rates(f, (5, 10)).difference == 0.0
    assert S.compare_rates((10, 10), (0, 10)).outcome == "higher"
    with pytest.raises(TypeError, match="first"):
        S.compare_rates(0.5, (1, 2))
    with pytest.raises(ValueError, match="second trials"):
        S.compare_rates((1, 2), (0, 0))


def _curves(k, n=10):
    k = np.asarray(k)
    lo, hi = wilson_interval(k, n)
    lrs = np.logspace(-2, 0, k.shape[1])
    return S.SuccessCurves({}, "settled", lrs, np.arange(1, len(k) + 1),
                           2 * np.arange(1, len(k) + 1), k, n, k / n, lo, hi)


def test_curve_shapes_by_hand():
    curves = _curves([[0, 5, 10, 5, 0], [0, 2, 10, 10, 10], [10, 10, 10, 2, 0],
                      [5, 5, 6, 5, 5], [0, 0, 0, 0, 0]])
    shapes = S.curve_shapes(curves)
    assert shapes == ["rises and falls", "rises", "falls", "is flat", "is flat"]
    assert S.shape_summary(shapes, curves.layers) == {
        "rises and falls": [1], "rises": [2], "falls": [3], "is flat": [4, 5]}
    # ordered by the first layer count of each word, not by the list of words
    summary = S.shape_summary(["rises", "rises and falls", "rises and falls", "is flat"],
                              [1, 2, 3, 4])
    assert list(summary.items()) == [("rises", [1]), ("rises and falls", [2, 3]),
                                     ("is flat", [4])]
    idx, best = curves.best()
    assert idx.tolist() == [2, 2, 0, 2, 0] and [b.k for b in best] == [10, 10, 10, 6, 0]


def test_success_curves_match_the_study(study):
    c = S.success_curves(study, 2, "tfim", 0.1, 40, "sgd", 1)
    direct = study.settled(0.1, 40)[0, 0, 1, :, 1].sum(-1)
    assert np.array_equal(c.k, direct) and c.n == 12
    assert c.degrees.tolist() == [2, 4, 6] and c.lrs.tolist() == LRS
    lo, hi = wilson_interval(direct, 12)
    assert np.array_equal(c.low, lo) and np.array_equal(c.high, hi)
    f = S.success_curves(study, 2, "tfim", 0.1, 80, "adam", 0, kind="final step")
    assert np.array_equal(f.k, study.final_success(0.1, 80)[0, 0, 0, :, 0].sum(-1))
    with pytest.raises(ValueError, match="seeds"):
        S.success_curves(study, 2, "tfim", 0.1, 40, "sgd", 7)
    with pytest.raises(ValueError, match="kind"):
        S.success_curves(study, 2, "tfim", 0.1, 40, "sgd", 0, kind="final")


def test_transients_against_direct_counts(study):
    t = S.transients(study, 2, "tfim", 1e-3, "adam", 0)
    assert t.steps == 80 and t.n_pairs == 3 * len(LRS)
    final = study.final_success(1e-3, 80)[0, 0, 0, :, 0].sum(-1)
    settled = study.settled(1e-3, 80)[0, 0, 0, :, 0].sum(-1)
    gap = final - settled
    li, lj = np.unravel_index(np.argmax(gap), gap.shape)
    assert (t.layers, t.lr) == (li + 1, LRS[lj])
    assert t.final[80].k == final[li, lj] and t.settled[80].k == settled[li, lj]
    assert t.final[20].k == study.final_success(1e-3, 20)[0, 0, 0, li, 0, lj].sum()
    assert np.all(gap >= 0)  # settled implies within tol at the last step


def test_prediction_uses_the_flow_of_the_same_starts(study):
    p = S.prediction(study, 2, "tfim", 1e-3, 40, 1)
    dec, conv = study.flow_counts(1e-3)
    assert [f.k for f in p.flow] == (conv[0, 0, 1] - dec[0, 0, 1]).tolist()
    assert [f.n for f in p.flow] == conv[0, 0, 1].tolist()
    best = study.settled(1e-3, 40)[0, 0, 1, :, 0].sum(-1).max(-1)
    assert [f.k for f in p.best["adam"]] == best.tolist()
    assert all(c.outcome in S.COMPARISONS for c in p.comparison["sgd"])
    assert p.count("adam", "higher") + p.count("adam", "lower") + p.count(
        "adam", "unresolved") == 3


def test_tables_and_cells(study):
    t = S.best_table(study, 2, "tfim", 1e-3, 40, 0)
    assert list(t.columns) == ["n·L", "Adam settled", "Adam η", "Adam final step",
                               "SGD settled", "SGD η", "SGD final step"]
    assert t.index.tolist() == [1, 2, 3] and len(t.columns) <= 12
    result = study.judge("C5")
    cell = S.cell_for(study, "C5", 2, "tfim", 1e-3, 40, "adam", 0, judged=result)
    assert cell in result.cells
    assert S.cell_for(study, "C5", 2, "tfim", 1e-3, 40, "adam", 0) == cell  # computed
    with pytest.raises(ValueError, match="no C5 cell"):
        S.cell_for(study, "C5", 2, "tfim", 1e-3, 40, "adam", 5)
    counts = S.outcome_table(result)
    assert counts.shape == (1, 6)  # (n, cost) × (tol × T)
    supports = sum(int(v.split(" of ")[0]) for v in counts.to_numpy().ravel())
    assert supports == result.n_supports
    assert all(v.split(" of ")[1].split(",")[0] == "4" for v in counts.to_numpy().ravel())
    c6 = [S.cell_for(study, "C6", 2, "tfim", 1e-3, 40, o, 0) for o in ("adam", "sgd")]
    w = S.window_table(c6)
    assert list(w.columns) == ["flow ratio", "Adam width (decades)", "SGD width (decades)"]
    assert w.index.tolist() == [1, 2, 3]


def test_shift_evaluations():
    # 2 qubits, 3 layers, type sharing: 12 parametrized gates → 1 + 24 evaluations per step
    assert S.shift_evaluations(qbp.default_circuit(2, 3, "type")) == 25
    assert S.shift_evaluations(qbp.default_circuit(3, 1, "none")) == 13


def test_budget_comparison(study):
    b = S.budget_comparison(2, "tfim", study.c_star[0, 0], n_starts=6, budget=30, lrs=LRS,
                            tol=0.1, progress=False)
    assert b.step_evaluations.tolist() == [9, 17, 25]
    assert b.gradient_steps.tolist() == [3, 1, 1]  # (30 − 1) // (1 + 2 × 4L)
    assert b.methods == ("COBYLA", "Nelder-Mead", "Powell")
    assert np.all(b.evaluations <= 30)
    for li in range(3):  # the comparison is best gradient-free − best gradient
        best_free = max(f[li].k for f in b.free)
        best_grad = max(b.gradient[o][li].k for o in ("adam", "sgd"))
        c = b.comparison[li]
        assert (c.first.k, c.second.k) == (best_free, best_grad)
        assert c.difference == pytest.approx((best_free - best_grad) / 6)
    assert b.table().shape == (3, 5)
    assert sum(b.count(w) for w in S.COMPARISONS) == 3
    # Adam from the same starts for 3 steps at the best lr reaches what the record says
    starts = qbp.random_starts(6, 2, 0)
    circuit, cost = qbp.default_circuit(2, 1), make_cost("tfim", 2)
    ok = [(qbp.optimize(circuit, cost, starts, "adam", lr, 3, record="ends").final_costs
           <= study.c_star[0, 0, 0] + 0.1).sum() for lr in LRS]
    assert b.gradient["adam"][0].k == max(ok)
    # a budget too small for one step: the starts themselves are the ends
    none = S.budget_comparison(2, "tfim", study.c_star[0, 0, :1], n_starts=6, budget=5,
                               lrs=LRS, tol=0.1, progress=False)
    assert none.gradient_steps.tolist() == [0]
    values = qbp.value_and_grad(circuit, cost)[0](starts)[0]
    assert none.gradient["sgd"][0].k == int((values <= study.c_star[0, 0, 0] + 0.1).sum())


UP, DOWN, SAME = ((60, 100), (30, 100)), ((30, 100), (60, 100)), ((19, 100), (18, 100))


def _prediction(**outcomes):
    comparison = {o: [S.compare_rates(*pair) for pair in pairs] for o, pairs in outcomes.items()}
    layers = np.arange(1, 5)
    return S.Prediction({}, layers, 2 * layers, [], {}, {}, comparison)


def test_prediction_sentence_says_only_what_occurs():
    quiet = _prediction(adam=[SAME] * 4, sgd=[SAME] * 4)
    assert S.prediction_sentence(quiet) == (
        "Neither optimizer's best rate is resolved from the prediction at any of the 4 layer "
        "counts: within their 95 % intervals the two agree.")
    some = _prediction(adam=[SAME, UP, UP, DOWN], sgd=[SAME] * 4)
    assert S.prediction_sentence(some) == (
        "Adam's best rate is resolved above the prediction at L = 2 and 3 (2 of the 4 layer "
        "counts) and below it at L = 4 (1 of the 4 layer counts); SGD's is not resolved from "
        "it at any.")
    both = _prediction(adam=[UP] * 4, sgd=[SAME, SAME, SAME, DOWN])
    assert S.prediction_sentence(both) == (
        "Adam's best rate is resolved above the prediction at all 4 layer counts; SGD's best "
        "rate is resolved below it at L = 4 (1 of the 4 layer counts).")


def test_budget_and_transient_sentences():
    def budget(*pairs):
        layers = np.arange(1, len(pairs) + 1)
        return S.BudgetComparison({}, layers, layers, 10, 5, (), [], np.zeros(0), {}, {},
                                  layers, layers, [S.compare_rates(*p) for p in pairs])

    assert S.budget_sentence(budget(SAME, SAME, SAME)) == (
        "The best gradient-free method and the better gradient optimizer are not resolved "
        "apart at any of the 3 layer counts.")
    assert S.budget_sentence(budget(UP, SAME, DOWN, SAME)) == (
        "The best gradient-free method is resolved above the better gradient optimizer at "
        "L = 1 (1 of the 4 layer counts) and below it at L = 3 (1 of the 4 layer counts), and "
        "the difference is unresolved at the other 2.")
    assert S.budget_sentence(budget(UP, UP)) == (
        "The best gradient-free method is resolved above the better gradient optimizer at all "
        "2 layer counts.")
    t = S.Transient({"optimizer": "adam"}, 80, 2, 0.1, {}, {}, 0, 52)
    assert S.transient_sentence(t) == ("Adam's final-step rate is resolved above its settled "
                                       "rate at none of the 52 pairs of layer count and "
                                       "learning rate")
    t = S.Transient({"optimizer": "sgd"}, 80, 2, 0.1, {}, {}, 3, 52)
    assert S.transient_sentence(t).startswith("SGD's final-step rate is resolved above its "
                                              "settled rate at 3 of the 52 pairs")
