"""Where optimizer runs end (qbp.endpoints): the end-point rule, the fractions with their
Wilson intervals, the agreement with the flow and the grid rules, the global minima."""

import numpy as np
import pytest
import qutip

import qbp
from qbp import endpoints as E
from qbp.cost import make_cost
from qbp.minima import refine_minimum
from qbp.stats import wilson_interval


def test_classify_endpoints_by_hand():
    # C* = 0, tol = 1e-3: settled below the threshold is global (even with a large final
    # gradient), a stop above it with a small gradient a local minimum, the rest not settled
    kinds = E.classify_endpoints(final_values=[0.0, 1.0, 1.0, 0.0, 0.001, 0.5],
                                 tail_max=[0.0, 1.0, 1.0, 0.5, 0.001, 0.5],
                                 grad_norm=[0.3, 0.0, 0.5, 0.0, 0.0, 0.01],
                                 c_star=0.0, tol=1e-3, grad_tol=1e-2)
    # 5th: the tail sits exactly at C* + tol: settled; 6th: |∇C| = grad_tol is not below it
    assert kinds.tolist() == [0, 1, 2, 2, 0, 2]
    assert [E.KINDS[k] for k in kinds[:3]] == ["global", "local minimum", "not settled"]
    fr = E.end_fractions(kinds)
    assert [fr[k].k for k in E.KINDS] == [2, 1, 3] and all(f.n == 6 for f in fr.values())


@pytest.mark.parametrize("kwargs, match", [
    (dict(final_values=[0.0, 1.0], tail_max=[0.0], grad_norm=[0.0, 0.0]), "one shape"),
    (dict(final_values=[1.0], tail_max=[0.5], grad_norm=[0.0]), "tail_max"),
    (dict(final_values=[np.nan], tail_max=[0.5], grad_norm=[0.0]), "final_values"),
])
def test_classify_endpoints_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        E.classify_endpoints(**kwargs, c_star=0.0, tol=0.1)
    with pytest.raises(ValueError, match="grad_tol"):
        E.classify_endpoints([0.0], [0.0], [0.0], 0.0, 0.1, grad_tol=0.0)


def test_fraction_and_wilson():
    f = E.fraction(np.array([True, False, True, True]))
    assert (f.k, f.n, f.rate) == (3, 4, 0.75)
    assert (f.low, f.high) == pytest.approx(wilson_interval(3, 4))
    g = E.fraction(np.array([True, False, True, True]), of=np.array([True, True, False, False]))
    assert (g.k, g.n, g.rate) == (1, 2, 0.5)
    empty = E.fraction(np.array([True]), of=np.array([False]))
    assert empty.n == 0 and np.isnan(empty.rate) and (empty.low, empty.high) == (0, 1)
    assert E.fraction(np.array([True] * 9 + [False])).text() == "0.90 [0.60, 0.98]"
    with pytest.raises(TypeError, match="mask"):
        E.fraction(np.array([1, 0]))


def test_same_end_is_periodic():
    a = np.array([[np.pi - 0.001, 0.0], [0.0, 0.0]])
    b = np.array([[-np.pi + 0.001, 0.0], [0.0, 0.02]])
    assert E.same_end(a, b, [2 * np.pi, 2 * np.pi]).tolist() == [True, False]
    assert E.same_end(a, b, [2 * np.pi, 2 * np.pi], same_point=0.03).tolist() == [True, True]


def test_basin_agreement_by_construction():
    land = qbp.sample_landscape(qbp.default_circuit(2, 2), make_cost("tfim", 2), 16,
                                progress=False)
    basins = qbp.basins(land, "steepest")
    points = np.array([land.point(i) for i in range(land.values.size)])
    sinks = np.array([land.point(i) for i in basins.sink.ravel()])
    # every grid point drains into its own sink: a run from it that ends at that sink agrees
    assert E.basin_agreement(land, basins, points, sinks).all()
    # two different sinks are two different basins
    a, b = basins.sinks[:2]
    pair = np.array([land.point(a)]), np.array([land.point(b)])
    assert E.basin_agreement(land, basins, *pair).tolist() == [False]
    # a point a third of a grid step off still belongs to its nearest grid point
    nudged = pair[0] + (2 * np.pi / 16) / 3
    assert E.basin_agreement(land, basins, pair[0], nudged).tolist() == [True]


def test_global_minima_of_one_qubit_by_hand():
    """RZ(b)RY(a)|0⟩ ∝ cos(a/2)|0⟩ + e^{ib} sin(a/2)|1⟩, and (−a, b + π) gives the same ray:
    the infidelity to ψ(0.3, −0.7) has exactly two global minima in [−π, π)², both 0."""
    circuit = qbp.default_circuit(1, 1, "type")
    target = circuit.unitary(np.array([0.3, -0.7])) * qutip.basis(2, 0)
    cost = qbp.InfidelityCost(target)
    land = qbp.sample_landscape(circuit, cost, 16, progress=False)
    g = E.global_minima(land, cost, 1e-6)
    assert g.c_star == pytest.approx(0.0, abs=1e-12)
    assert g.c_star == refine_minimum(land, cost)[1]  # C* comes from refine_minimum
    expected = np.array([[0.3, -0.7], [-0.3, -0.7 + np.pi]])
    order = np.argsort(g.points[:, 0])[::-1]
    assert g.points[order] == pytest.approx(expected, abs=1e-6)
    assert g.values == pytest.approx([0.0, 0.0], abs=1e-12)
    assert g.n_grid_minima >= 2 and g.lowest >= g.c_star - 1e-12


@pytest.fixture(scope="module")
def tiny():
    return E.trajectory_study(2, "tfim", 2, 16, n_starts=24, steps=150, n_paths=2,
                              tol=1e-3, seed=3, progress=False)


def test_trajectory_study_one_layer_always_global(tiny):
    """At L = 1 every start of the 2-qubit chain flows to a global minimum (both minima of
    the landscape are global), and Adam, SGD and small-step SGD all settle there."""
    one = tiny.layer_records[0]
    assert one.layers == 1 and one.degree == 2 and one.gates == 4
    assert len(one.minima.points) == 2
    assert one.predicted["flow"].all() and one.flow_converged.all()
    for run in tiny.runs:
        assert (one.kinds[run] == 0).all(), run
        # SGD follows the flow into the start's own copy of the minimum; Adam's step of
        # about η per parameter may carry it to the other copy (still global)
        assert one.agreement(run, "flow").rate == 1.0 or run == "Adam"
        escaped, missed = one.escapes(run)
        assert escaped.n == 0 and missed.k == 0
    assert tiny.lrs == {"Adam": 0.05, "SGD": 0.05, "SGD, small steps": 0.0125}
    assert tiny.steps == {"Adam": 150, "SGD": 150, "SGD, small steps": 600}


def test_trajectory_study_against_direct_computation(tiny):
    two = tiny.layer_records[1]
    circuit, cost = qbp.default_circuit(2, 2), make_cost("tfim", 2)
    starts = qbp.random_starts(24, 2, 3)
    run = qbp.optimize(circuit, cost, starts, "sgd", 0.05, 150, record="ends", checkpoints=(150,))
    assert np.array_equal(two.final_values["SGD"], run.final_costs)
    assert np.array_equal(two.ends["SGD"], run.final_params)
    flow = qbp.flow_deceptiveness(circuit, cost, starts, 1e-3, c_star=two.minima.c_star,
                                  progress=False)
    assert np.array_equal(two.flow_ends, flow.end_points)
    assert np.array_equal(two.predicted["flow"], ~flow.deceptive)
    assert two.paths["Adam"].params.shape == (2, 151, 2)
    assert np.array_equal(two.paths["Adam"].params[:, 0], starts[:2])
    kinds = two.kinds["SGD"]
    assert set(np.unique(kinds)) <= {0, 1, 2}
    # settled runs end within tol of C*
    assert np.all(run.final_costs[kinds == 0] <= two.minima.c_star + 1e-3)
    table = tiny.end_table()
    assert table.shape == (2 * 3, 3) and list(table.columns) == list(E.KINDS)
    assert tiny.agreement_table().shape == (6, 6)


def test_trajectory_study_highlights_and_summary(tiny, tmp_path):
    from qbp.results import load_results, save_results

    h = tiny.highlights()
    frac, layer = h["global_first_adam"]
    assert layer == 1 and frac.rate == 1.0
    low, low_l = h["global_low_sgd"]
    series = tiny.series("SGD", "global")
    assert low.rate == min(f.rate for f in series) and series[low_l - 1] == low
    assert h["escaped_high_adam"][1] in (2, None)  # L = 1 has no deceptive flow to escape
    path = save_results(tmp_path / "t.json", tiny.summary(), {"n": 1})
    data = load_results(path)["data"]
    assert data["runs"] == ["Adam", "SGD", "SGD, small steps"]
    assert data["layers"][0]["runs"]["Adam"]["ends"]["global"]["rate"] == 1.0


def test_trajectory_study_findings(tiny):
    from qbp.results import check_findings

    found = tiny.findings()
    assert check_findings(found) == found and len(found) == 4
    g = {run: tiny.series(run, "global") for run in ("Adam", "SGD")}
    assert found[0] == (f"Adam settles at a global minimum in 1.00 of its runs at L = 1 and in "
                        f"{g['Adam'][1].rate:.2f} at L = 2; SGD in 1.00 and "
                        f"{g['SGD'][1].rate:.2f} (tfim on 2 qubits, tol = 0.001).")
    adam, adam_l = tiny.extreme("Adam", "ends as predicted", "flow")
    assert f"{adam.rate:.2f} (L = {adam_l}) of the Adam runs (η = 0.05)" in found[1]
    small = min(f.rate for f in tiny.series("SGD, small steps", "ends as predicted", "flow"))
    assert f"in at least {small:.2f} of the small-step SGD runs" in found[1]
    escaped = tiny.layer_records[1].escapes("Adam")[0]  # L = 1 has no local valley
    expected = "none (no such runs)" if escaped.n == 0 else f"{escaped.rate:.2f} (L = 2)"
    assert f"at most {expected} of Adam's runs end global" in found[2]
    compass, where = tiny.extreme("SGD, small steps", "ends as predicted", "compass")
    assert f"as few as {compass.rate:.2f} (L = {where}) of the runs" in found[3]


def test_trajectory_study_processes_identical(tiny):
    pool = E.trajectory_study(2, "tfim", 2, 16, n_starts=24, steps=150, n_paths=2, tol=1e-3,
                              seed=3, scheduler="processes", progress=False)
    for a, b in zip(tiny.layer_records, pool.layer_records):
        for run in tiny.runs:
            assert np.array_equal(a.kinds[run], b.kinds[run])
            assert np.array_equal(a.flow_agrees[run], b.flow_agrees[run])
        assert np.array_equal(a.flow_ends, b.flow_ends)


@pytest.mark.parametrize("kwargs, match", [
    (dict(cost="energy"), "cost"), (dict(n_qubits=0), "n_qubits"),
    (dict(lr_adam=0.0), "lr_adam"), (dict(n_paths=30, n_starts=10), "n_paths"),
    (dict(seed=None), "seed"), (dict(steps=5), "steps"), (dict(flow_max_steps=0), "flow_max_steps"),
])
def test_trajectory_study_refuses(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        E.trajectory_study(**{"max_layers": 1, "resolution": 8, "n_starts": 10, **kwargs})
