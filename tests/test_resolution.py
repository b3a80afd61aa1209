"""Resolution study (SPEC §7): per-step differences scale with the step, exact gradients do not."""

import numpy as np
import pytest
from scipy.stats import percentileofscore

import qbp
from qbp.resolution import magnitudes, resolution_study


@pytest.fixture(scope="module")
def study():
    return resolution_study(qbp.default_circuit(2, 3), qbp.EnergyCost(qbp.tfim_hamiltonian(2)),
                            (45, 90, 180, 360))


def test_per_step_median_doubles_per_halving(study):
    med = study.quantiles((50,))[:, 0]
    np.testing.assert_allclose(med[:-1] / med[1:], 2.0, rtol=0.02)


def test_exact_distribution_barely_moves(study):
    q = study.quantiles((25, 50, 75), kind="exact")
    np.testing.assert_allclose(q[:-1], np.broadcast_to(q[-1], q[:-1].shape), rtol=0.05)


def test_halving_rank_is_percentile_of_coarse_median(study):
    circuit = qbp.default_circuit(2, 3)
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    fine, _ = magnitudes(qbp.sample_landscape(circuit, cost, 360))
    coarse, _ = magnitudes(qbp.sample_landscape(circuit, cost, 180))
    i = list(map(tuple, study.halving_pairs)).index((360, 180))
    assert study.halving_rank[i] == pytest.approx(percentileofscore(fine, np.median(coarse), kind="mean"))
    assert study.halving_pairs.tolist() == [[90, 45], [180, 90], [360, 180]]


def test_bad_input(study):
    cost = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
    with pytest.raises(ValueError, match="resolution"):
        resolution_study(qbp.default_circuit(2, 1), cost, (1, 90))
    with pytest.raises(ValueError, match="resolutions"):
        resolution_study(qbp.default_circuit(2, 1), cost, ())
    with pytest.raises(ValueError, match="kind"):
        study.quantiles(kind="median")
    land = qbp.sample_landscape(qbp.default_circuit(2, 1), cost, 8, with_gradient=False)
    with pytest.raises(ValueError, match="gradient"):
        magnitudes(land)


# --- reading a study: ratios, predicted ranks, slopes, words, tables -------------------------

from qbp import resolution as res  # noqa: E402
from qbp.resolution import PERCENTILES, ResolutionStudy  # noqa: E402


def _study(step_at_first, exact, resolutions=(10, 20, 40)):
    """A hand-made study: per-step percentiles ∝ 1/R from ``step_at_first`` (101,) at the
    first R, the same exact percentiles ``exact`` (101,) at every R."""
    r = np.asarray(resolutions, dtype=float)
    step = np.outer(r[0] / r, step_at_first)
    pairs = np.array([(b, a) for a, b in zip(resolutions, resolutions[1:])])
    return ResolutionStudy(r.astype(int), step, np.tile(exact, (len(r), 1)), pairs,
                           np.array([70.0, 80.0]), {})


def test_ratios_and_predicted_ranks_hand_derived():
    # exact percentiles 2^((q − 50)/25): median 1, Q75 = 2 → a halving moves exactly a quartile
    exact = 2.0 ** ((PERCENTILES - 50) / 25)
    study = _study(np.linspace(1, 3, 101), exact)
    np.testing.assert_allclose(res.median_ratios(study), [2.0, 2.0])
    np.testing.assert_allclose(res.quartile_ratios(study), [2.0, 2.0])
    np.testing.assert_allclose(res.predicted_ranks(study), [75.0, 75.0])
    # linear percentiles q: median 50, Q75 = 75 → ratio 1.5, and 2·median = 100 is the top
    linear = _study(np.linspace(1, 3, 101), PERCENTILES.astype(float))
    np.testing.assert_allclose(res.quartile_ratios(linear), [1.5, 1.5])
    np.testing.assert_allclose(res.predicted_ranks(linear), [100.0, 100.0])


def test_loglog_slopes_hand_derived():
    study = _study(np.linspace(1, 3, 101), np.linspace(1, 2, 101))
    np.testing.assert_allclose(res.loglog_slopes(study), [-1] * 5)
    np.testing.assert_allclose(res.loglog_slopes(study, (50,), "exact"), [0.0], atol=1e-12)
    # a quantile ∝ R^(-1/2): slope −1/2
    r = np.array([10.0, 40.0])
    half = ResolutionStudy(r.astype(int), np.outer(r ** -0.5, np.ones(101)),
                           np.ones((2, 101)), np.zeros((0, 2), int), np.zeros(0), {})
    np.testing.assert_allclose(res.loglog_slopes(half, (50,)), [-0.5])
    one = ResolutionStudy(np.array([10]), np.ones((1, 101)), np.ones((1, 101)),
                          np.zeros((0, 2), int), np.zeros(0), {})
    with pytest.raises(ValueError, match="two resolutions"):
        res.loglog_slopes(one)


def test_words():
    assert res.scaling_phrase([-1.01, -0.98]) == "fall as 1/R"
    assert res.scaling_phrase([-1.0, -0.9]) == "fall nearly as 1/R"
    assert res.scaling_phrase([0.01, -0.02]) == "do not move"
    assert res.scaling_phrase([0.0, 0.12]) == "hardly move"
    assert res.scaling_phrase([-1.0, 0.0]) == "change with R at different rates"
    assert res.shift_side([1.3, 1.9]) == "above"
    assert res.shift_side([2.1, 3.0]) == "below"
    assert res.shift_side([1.5, 2.5]) == "on either side of"
    with pytest.raises(ValueError, match="slopes"):
        res.scaling_phrase([np.nan])
    with pytest.raises(ValueError, match="quartile_ratios"):
        res.shift_side([])


def test_single_cosine_has_rank_100():
    """C = cos θ: per-step magnitudes |sin θ|·sin h; the median at R/2 (≈ √2 sin h) exceeds
    every magnitude at R (at most sin h): rank 100, and the exact gradients predict it."""
    import qutip

    study = resolution_study(qbp.Circuit(1, [qbp.Gate("RY", 0, param=0)]),
                             qbp.EnergyCost(qutip.sigmaz()), (60, 120), progress=False)
    np.testing.assert_allclose(study.halving_rank, [100.0])
    np.testing.assert_allclose(res.predicted_ranks(study), [100.0])
    np.testing.assert_allclose(res.median_ratios(study), [np.sin(2 * np.pi / 60) /
                                                          np.sin(2 * np.pi / 120)], rtol=0.02)


def test_halving_table(study):
    table = res.halving_table({3: study})
    assert list(table.columns) == ["rank of median at R/2", "predicted from |∇C|",
                                   "exact Q75 / Q50", "median R/2 ÷ R"]
    assert table.index.names == ["L", "halving"]
    assert table.index.tolist() == [(3, "90 → 45"), (3, "180 → 90"), (3, "360 → 180")]
    np.testing.assert_allclose(table["rank of median at R/2"], study.halving_rank)
    np.testing.assert_allclose(table["median R/2 ÷ R"], [
        study.step[0, 50] / study.step[1, 50], study.step[1, 50] / study.step[2, 50],
        study.step[2, 50] / study.step[3, 50]])
    # the exact gradients predict the measured ranks (the default circuit is smooth)
    np.testing.assert_allclose(table["predicted from |∇C|"], study.halving_rank, atol=2.5)
    with pytest.raises(TypeError, match="studies"):
        res.halving_table([study])


def test_c7_table_values():
    from qbp.claims import Cell, ClaimResult, c7_rule

    def cell(n, cost, layers, ranks):
        jd = c7_rule([180, 360], ranks)
        return Cell("C7", {"n_qubits": n, "cost": cost, "layers": layers}, "R", [180, 360],
                    "rank", {"value": ranks}, jd.statistic, None, jd.outcome, jd.reason)

    result = ClaimResult.from_cells("C7", [cell(2, "tfim", 1, [70.0, 80.25]),
                                           cell(2, "tfim", 2, [90.0, 95.0]),
                                           cell(3, "tfim", 1, [60.0, 75.0]),
                                           cell(3, "tfim", 2, [75.0, 76.0])])
    table = res.c7_table(result)
    assert list(table.columns) == ["n", "cost", "L = 1", "L = 2", "in band"]
    assert table["L = 1"].tolist() == ["70.0–80.2", "60.0–75.0"]
    assert table["L = 2"].tolist() == ["90.0–95.0", "75.0–76.0"]
    assert table["in band"].tolist() == ["1 of 2", "1 of 2"]
    with pytest.raises(ValueError, match="C7"):
        res.c7_table([c for c in result.cells] + [Cell(
            "C1", {"n_qubits": 2, "cost": "tfim"}, "d", [2, 4], "e", {"value": [1, 1]},
            {"name": "F", "value": 1}, None, "contradicts", "r")])
