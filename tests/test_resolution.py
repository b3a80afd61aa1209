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
