"""qbp.report and `qbp report`: the report's numbers against direct computation on tiny
settings, the summary's rules branch by branch, the figures, and the command line (a real
run writes HTML with figures; every bad input is one line, exit 2, nothing written)."""

import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import qbp  # noqa: E402
from qbp import plots, report as rp  # noqa: E402
from qbp.book import cli, text  # noqa: E402
from qbp.book import report as book_report  # noqa: E402
from qbp.stats import wilson_interval  # noqa: E402

CIRCUITS = Path(__file__).parent.parent / "book" / "circuits"
P1, P2 = CIRCUITS / "qaoa_maxcut_ring4_p1.qasm", CIRCUITS / "qaoa_maxcut_ring4_p2.qasm"
RING = "Z0 Z1 + Z1 Z2 + Z2 Z3 + Z0 Z3"
TINY = dict(resolution=24, n_starts=8, steps=40, n_flow=16, n_draws=40, n_slices=2,
            n_boot=50, tol=1e-3, seed=3, lrs=[0.01, 0.1, 1.0])
TINY_CLI = ["-p", "resolution", "16", "-p", "n_starts", "4", "-p", "steps", "20", "-p",
            "n_flow", "8", "-p", "n_draws", "20", "-p", "n_boot", "20"]


@pytest.fixture(scope="module")
def ring():
    return qbp.EnergyCost(qbp.maxcut_hamiltonian([(0, 1), (1, 2), (2, 3), (0, 3)], 4))


@pytest.fixture(scope="module")
def p1(ring):
    return rp.trainability_report(qbp.read_qasm(P1), ring, **TINY)


@pytest.fixture(scope="module")
def p2(ring):
    return rp.trainability_report(qbp.read_qasm(P2), ring, **TINY)


@pytest.fixture(scope="module")
def three():
    """d = 3: the default circuit's layer with RX, RY, RZ under type sharing, TFIM energy."""
    circuit = qbp.default_circuit(2, 1, "type", rotations=("RX", "RY", "RZ"))
    return rp.trainability_report(circuit, qbp.EnergyCost(qbp.tfim_hamiltonian(2)),
                                  **{**TINY, "resolution": 8})


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ the numbers
def test_structure_and_ground_energy(p1, p2):
    # Every rzz(2*γ) is one RZ reading γ and every rx(2*β) one RX: four of each per round.
    assert p1.sharing_degree.tolist() == [4, 4] and p1.param_names == ("_β_0_", "_γ_0_")
    assert p2.sharing_degree.tolist() == [4, 4, 4, 4]
    # MaxCut on the 4-ring: E₀ = |E| − 2·maxcut = 4 − 8; the spectrum spans −4 … 4.
    assert p1.e0 == pytest.approx(-4, abs=1e-12) and p1.spectral_width == pytest.approx(8)
    assert (p1.engine, p2.engine) == ("fourier", "batched")


def test_variance_equals_np_var_of_reference_derivatives(p1, ring):
    circuit = p1.circuit
    _, grads = qbp.evaluate(circuit, ring, p1.draws, method="reference")  # parameter shift
    np.testing.assert_allclose(p1.variance, np.var(grads, axis=0, ddof=1), rtol=1e-9)
    lo, hi = p1.variance_ci.T
    assert np.all(lo <= p1.variance) and np.all(p1.variance <= hi)
    # draws are uniform on one period per parameter
    assert np.all(np.abs(p1.draws) <= np.pi) and p1.draws.shape == (TINY["n_draws"], 2)


def test_flow_ratio_equals_flow_deceptiveness(p1, p2, ring):
    for report in (p1, p2):
        direct = qbp.flow_deceptiveness(report.circuit, ring, report.flow.starts, TINY["tol"],
                                        c_star=report.c_star, method=report.engine)
        assert report.flow.ratio == direct.ratio
        np.testing.assert_array_equal(report.flow.deceptive, direct.deceptive)
        np.testing.assert_array_equal(report.flow.ci, direct.ci)


def test_c_star_is_below_every_sampled_value(p1, p2, three, ring):
    for report in (p1, p2, three):
        sampled = [report.draw_values, report.flow.end_values]
        sampled += [s.values.ravel() for s in report.slices]
        if report.landscape is not None:
            sampled.append(report.landscape.values.ravel())
        assert report.c_star <= min(float(np.min(v)) for v in sampled)
        assert report.c_star >= report.e0 - 1e-9
        value, _ = qbp.evaluate(report.circuit, report.cost, report.c_star_theta, "batched")
        assert value == pytest.approx(report.c_star, abs=1e-10)
    # QAOA p = 1 on the 4-ring reaches ⟨H⟩ = −2 at best; p = 2 reaches the ground state −4.
    assert p1.c_star == pytest.approx(-2, abs=1e-8) and p2.c_star == pytest.approx(-4, abs=1e-8)
    assert (p1.words["ground"], p2.words["ground"]) == ("stays above the ground state",
                                                        "reaches the ground state")


def test_settled_success_matches_direct_runs(p1, ring):
    m = math.ceil(0.1 * TINY["steps"])  # the last 10 % of the steps: 4 recorded costs
    for name, rates in p1.success.items():
        for k, lr in enumerate(TINY["lrs"]):
            tr = qbp.optimize(p1.circuit, ring, rates.starts, name, lr, steps=TINY["steps"],
                              method=p1.engine)
            threshold = p1.c_star + TINY["tol"]
            assert rates.settled[k] == np.sum(np.all(tr.costs[:, -m:] <= threshold, axis=1))
            assert rates.final[k] == np.sum(tr.costs[:, -1] <= threshold)
        assert np.all(rates.settled <= rates.final)
        np.testing.assert_array_equal(rates.settled_ci, wilson_interval(rates.settled, 8))


def test_grid_numbers_for_up_to_three_parameters(p1, three, p2, ring):
    landscape = qbp.sample_landscape(p1.circuit, ring, TINY["resolution"])
    assert p1.grid_ratio == qbp.deceptiveness_ratio(landscape, TINY["tol"])
    assert p1.grid_sinks == qbp.basins(landscape).n_sinks
    np.testing.assert_allclose(p1.gradient_norms,
                               qbp.gradient_magnitude(landscape.gradient).ravel(), atol=1e-12)
    assert p1.gradient_source == "grid" and p1.slices == ()
    assert three.landscape.values.shape == (8, 8, 8) and len(three.slices) == 3
    assert [s.axes for s in three.slices] == [(0, 1), (0, 2), (1, 2)]
    # d > 3: no grid; |∇C| at the uniform draws
    assert p2.landscape is None and p2.grid_ratio is None and p2.gradient_source == "draws"
    np.testing.assert_allclose(p2.gradient_norms, np.linalg.norm(p2.derivatives, axis=1))
    assert len(p2.slices) == TINY["n_slices"]


@pytest.mark.parametrize("resolution, repeats, expected", [
    (90, [4, 4], 92), (92, [4, 4], 92), (90, [1, 0], 90), (90, [4, 6], 96), (3, [2], 4)])
def test_grid_resolution_is_a_multiple_of_the_repeats(resolution, repeats, expected):
    assert rp.grid_resolution(resolution, repeats) == expected


def test_grid_aligned_with_the_repeats(ring):
    """The 4-ring's landscape repeats 4 times in 2π: a 90-point grid would sample the four
    copies of its minimum at different offsets and count three as deceptive sinks (ratio
    0.77, the flow finds none); the report samples 92 points and says why."""
    circuit = qbp.read_qasm(P1)
    report = rp.trainability_report(circuit, ring, **{**TINY, "resolution": 90})
    assert report.landscape.resolution == 92
    assert report.grid_ratio == qbp.deceptiveness_ratio(
        qbp.sample_landscape(circuit, ring, 92), TINY["tol"])
    assert qbp.deceptiveness_ratio(qbp.sample_landscape(circuit, ring, 90), TINY["tol"]) > 0.5
    assert report.grid_ratio < 0.1
    assert report.numbers()["grid"] == {"ratio": report.grid_ratio, "n_sinks": report.grid_sinks,
                                        "resolution": 92, "requested": 90}
    assert "92-point grid (90 rounded up to a multiple of the landscape's repeats" \
        in report.summary


def test_slices_pass_through_c_star(p2, three):
    for report in (p2, three):
        for s in report.slices:
            np.testing.assert_array_equal(s.center, report.c_star_theta)
            assert s.center_value == pytest.approx(report.c_star, abs=1e-10)
    for s in three.slices:  # each axis plane spans one period of both parameters
        assert [len(o) for o in s.offsets] == [8, 8]
        assert s.offsets[0][-1] - s.offsets[0][0] == pytest.approx(2 * np.pi * 7 / 8)


def test_random_slice_at_origin_is_the_centre_value(p2, ring):
    circuit = p2.circuit
    center = np.array([0.3, -1.2, 2.0, 0.7])
    s = rp.random_slice(circuit, ring, center, 9, seed=11)
    value, _ = qbp.evaluate(circuit, ring, center, "reference")
    assert s.center_index == (4, 4) and s.center_value == pytest.approx(value, abs=1e-12)
    u = s.directions
    np.testing.assert_allclose(u @ u.T, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(u, rp.random_directions(4, 11))
    assert not np.allclose(u, rp.random_directions(4, 12))
    # a point off the origin: C(center + s u + t v) directly
    i, j = 1, 6
    point = center + s.offsets[0][i] * u[0] + s.offsets[1][j] * u[1]
    assert s.values[i, j] == pytest.approx(qbp.evaluate(circuit, ring, point, "reference")[0],
                                           abs=1e-12)


def test_same_inputs_same_numbers(p1, ring):
    again = rp.trainability_report(qbp.read_qasm(P1), ring, **TINY)
    assert json.dumps(again.numbers()) == json.dumps(p1.numbers())
    assert again.summary == p1.summary


def test_non_2pi_periodic_circuit_uses_each_period():
    # RX(θ/2): frequencies ½, so the landscape repeats every 4π along θ.
    circuit = qbp.Circuit(1, [qbp.Gate("RX", (0,), param=0, scale=0.5),
                              qbp.Gate("RY", (0,), param=1)])
    cost = qbp.EnergyCost(qbp.pauli_sum("Z0", 1))
    report = rp.trainability_report(circuit, cost, **{**TINY, "resolution": 16})
    assert report.engine == "batched" and report.periods.tolist() == [4 * np.pi, 2 * np.pi]
    assert report.landscape.axes[0][0] == pytest.approx(-2 * np.pi)
    assert np.abs(report.draws[:, 0]).max() > np.pi  # draws cover the whole 4π period
    assert report.c_star == pytest.approx(-1, abs=1e-9)  # ⟨Z⟩ = cos(θ/2)·cos(φ) reaches −1


def test_choose_engine():
    assert rp.choose_engine(qbp.read_qasm(P1)) == "fourier"
    assert rp.choose_engine(qbp.read_qasm(P2)) == "batched"  # 17⁴ coefficients: simulate
    crx = qbp.Circuit(2, [qbp.Gate("CRX", (1,), (0,), param=0)])
    assert rp.choose_engine(crx) == "batched"


@pytest.mark.parametrize("change, error, words", [
    ({"resolution": 1}, ValueError, "resolution"),
    ({"n_draws": 5}, ValueError, "n_draws"),
    ({"tol": -1.0}, ValueError, "tol"),
    ({"seed": None}, TypeError, "seed"),
    ({"steps": 2.5}, TypeError, "steps"),
    ({"lrs": [0.1, 0.01]}, ValueError, "lrs"),
    ({"resolution": 5000}, ValueError, "resolution=5000"),
])
def test_check_settings_names_the_argument(change, error, words):
    with pytest.raises(error, match=words):
        rp.check_settings(qbp.read_qasm(P1), **{**TINY, **change})


def test_check_settings_refuses_circuits_without_a_report():
    fixed = qbp.read_qasm('OPENQASM 3.0; include "stdgates.inc"; qubit[1] q; h q[0];')
    with pytest.raises(ValueError, match="no free parameters"):
        rp.check_settings(fixed)
    irrational = qbp.Circuit(1, [qbp.Gate("RX", (0,), param=0),
                                 qbp.Gate("RY", (0,), param=0, scale=2 ** 0.5)])
    with pytest.raises(ValueError, match="does not repeat along θ₀"):
        rp.check_settings(irrational)


# ------------------------------------------------------------------ the summary's rules
def numbers_with(base, **changes):
    out = copy.deepcopy(base)
    for path, value in changes.items():
        node = out
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return out


def test_ground_rule(p1):
    base = p1.numbers()  # spectral width 8: the threshold is 8e-6
    assert rp.describe(numbers_with(base, excess=7.9e-6))["ground"] == "reaches the ground state"
    assert rp.describe(numbers_with(base, excess=8.1e-6))["ground"] == "stays above the ground state"




def NOT_SEEN(n):
    return (f"not seen to be deceptive (none of {n} converged flows ends deceptive, too few to "
            f"bound the deceptive fraction below 0.10)")



@pytest.mark.parametrize("ci, converged, deceptive, word", [
    ([0.0, 0.09], 40, 0, "not deceptive under the flow"),
    ([0.0, 0.09], 40, 1, "hardly deceptive"),
    ([0.0, 0.1], 36, 0, NOT_SEEN(36)),  # hi = DECEPTIVE_LOW is not below it
    ([0.0, 0.16], 20, 0, NOT_SEEN(20)),  # the review's 0.00 [0.00, 0.16]: not "somewhat"
    ([0.0, 0.1], 36, 1, "somewhat deceptive"),
    ([0.51, 0.9], 16, 12, "mostly deceptive"),
    ([0.5, 0.9], 16, 11, "often deceptive"),  # lo = DECEPTIVE_HIGH is not above it
    ([0.11, 0.6], 16, 5, "often deceptive"),
    ([0.1, 0.6], 16, 4, "somewhat deceptive"),  # lo = DECEPTIVE_LOW is not above it
    ([0.05, 0.3], 16, 2, "somewhat deceptive"),
    ([0.0, 1.0], 0, 0, "of undetermined deceptiveness"),
])
def test_deceptiveness_rule(p1, ci, converged, deceptive, word):
    n = numbers_with(p1.numbers(), flow__ci=ci, flow__n_converged=converged,
                     flow__n_deceptive=deceptive)
    assert rp.describe(n)["deceptive"] == word
    if converged == 0:
        assert "No gradient flow converged" in rp.summarize(n)
    else:
        assert f"the landscape is {word}." in rp.summarize(n)


@pytest.mark.parametrize("converged, word", [
    # Wilson upper end of 0 of n: z²/(n + z²) = 0.161, 0.1015
    (20, NOT_SEEN(20)), (34, NOT_SEEN(34)),
    (35, "not deceptive under the flow"),  # 3.8415 / 38.8415 = 0.0989 < 0.1
])
def test_no_deceptive_start_words_follow_the_interval(p1, converged, word):
    ci = list(wilson_interval(0, converged))
    n = numbers_with(p1.numbers(), flow__ci=ci, flow__n_converged=converged, flow__n_deceptive=0,
                     flow__ratio=0.0)
    assert rp.describe(n)["deceptive"] == word
    assert "somewhat" not in rp.summarize(n)


@pytest.mark.parametrize("high, word, flat", [
    ([1e-2, 1e-2], "no parameter is flat", []),
    ([1e-4, 1e-2], "1 of 2 parameters is flat", ["_β_0_"]),
    ([1e-4, 9e-4], "every parameter is flat", ["_β_0_", "_γ_0_"]),
])
def test_plateau_rule(p1, high, word, flat):
    words = rp.describe(numbers_with(p1.numbers(), normalised_variance_high=high))
    assert words["plateau"] == word and words["flat"] == flat


@pytest.mark.parametrize("rate, ci, word", [
    (0.95, [0.9, 1.0], "almost always"), (0.7, [0.5, 0.85], "mostly"),
    (0.02, [0.01, 0.09], "rarely"), (0.0, [0.0, 0.09], "never"),
    (0.3, [0.1, 0.5], "sometimes"),
])
def test_success_rule(p1, rate, ci, word):
    n = numbers_with(p1.numbers(), success__adam__best__rate=rate, success__adam__best__ci=ci)
    assert rp.describe(n)["success_adam"] == word


@pytest.mark.parametrize("adam, sgd, word", [
    ([0.6, 0.9], [0.1, 0.5], "Adam does better than SGD"),
    ([0.1, 0.5], [0.6, 0.9], "SGD does better than Adam"),
    ([0.3, 0.7], [0.6, 0.9], "Adam and SGD cannot be told apart"),
])
def test_comparison_rule(p1, adam, sgd, word):
    n = numbers_with(p1.numbers(), success__adam__best__ci=adam, success__sgd__best__ci=sgd)
    assert rp.describe(n)["comparison"] == word
    assert f"{word} at their best learning rates." in rp.summarize(n)


@pytest.mark.parametrize("decades, censored, none, word", [
    (0.5, False, False, "narrow"), (0.5, True, False, "wide"), (1.0, False, False, "wide"),
    (0.0, False, True, "none"),
])
def test_window_rule(p1, decades, censored, none, word):
    n = numbers_with(p1.numbers(), success__sgd__window={"decades": decades,
                                                          "censored": censored,
                                                          "no_success": none})
    assert rp.describe(n)["window_sgd"] == word


def test_summary_states_the_numbers_in_prose(p1, p2):
    text_p1 = p1.summary
    assert "2 free parameters on 4 qubits; each is read by 4 gates" in text_p1
    assert "C* = −2 stays above the ground state (E₀ = −4" in text_p1
    assert f"the landscape is {p1.words['deceptive']}" in text_p1
    assert "Algorithm 1 on the 24-point grid" in text_p1 and "Algorithm 1" not in p2.summary
    for paragraph in (text_p1, p2.summary):
        assert "e-" not in paragraph and "e+" not in paragraph and "nan" not in paragraph.lower()


def test_prose_formats_agree_with_the_book():
    values = [0, 3.0, -2, 0.000648, 0.0516, 927000, 1.23456e-7, -4.000000000000004, 99999.4,
              0.00099996, 12.5, 2.6e5]
    assert [rp._prose_number(v) for v in values] == [text.number(v) for v in values]
    assert [rp._prose_rate(v) for v in (0, 0.5, 0.125, 1)] == [text.rate(v) for v in (0, 0.5, 0.125, 1)]


# ------------------------------------------------------------------ periods and names
def test_landscape_repeats_hand_derived():
    z = qbp.EnergyCost(qbp.pauli_sum("Z0", 1))
    # RZ on |0⟩ changes only a phase: C does not depend on θ₀ (0); ⟨Z⟩ = cos 3θ₁: 3 repeats
    one = qbp.Circuit(1, [qbp.Gate("RZ", 0, param=0), qbp.Gate("RY", 0, param=1, scale=3)])
    assert rp.landscape_repeats(one, z).tolist() == [0, 3]
    # RY(φ) on the control, CRX(θ): ⟨Z₁⟩ = cos²(φ/2) + sin²(φ/2) cos θ. The CRX's period is
    # 4π (frequencies ½ and 1), but this observable sees only cos θ: 2 repeats in 4π.
    crx = qbp.Circuit(2, [qbp.Gate("RY", 0, param=0), qbp.Gate("CRX", 1, controls=0, param=1)])
    assert crx.periods.tolist() == [2 * np.pi, 4 * np.pi]
    assert rp.landscape_repeats(crx, qbp.EnergyCost(qbp.pauli_sum("Z1", 2))).tolist() == [1, 2]


def test_landscape_repeats_agree_with_the_fourier_series(p1, ring):
    """QAOA on the 4-ring: the exact series holds only the frequencies 0 and ±4 per angle."""
    circuit = qbp.read_qasm(P1)
    series = qbp.fourier_series(circuit, ring.matrix)
    nonzero = np.argwhere(np.abs(series.coefficients) > 1e-9) - np.array(series.max_frequencies)
    gcd = [int(np.gcd.reduce(np.abs(nonzero[:, k]))) for k in range(circuit.n_params)]
    assert gcd == [4, 4] == p1.repeats.tolist() == p1.numbers()["repeats"]
    for method in ("fourier", "reference"):
        assert rp.landscape_repeats(circuit, ring, method=method).tolist() == [4, 4]
    assert rp.landscape_repeats(rp.unshared(circuit), ring).tolist() == [2] * 8  # e^{−iγZ}: ±2


def test_landscape_repeats_refuses_a_non_periodic_parameter():
    circuit = qbp.Circuit(1, [qbp.Gate("RY", 0, param=0, scale=math.sqrt(2)),
                              qbp.Gate("RX", 0, param=0)])
    with pytest.raises(ValueError, match="period"):
        rp.landscape_repeats(circuit, qbp.EnergyCost(qbp.pauli_sum("Z0", 1)))


def test_span_text(p1):
    assert rp.span_text(p1) == ("over 2π per parameter, which holds 4 repetitions of the "
                                "landscape along each (its own period is π/2)")
    fake = lambda periods, repeats: type("R", (), {  # noqa: E731
        "n_params": len(periods), "periods": np.array(periods), "repeats": np.array(repeats),
        "display_names": ("a", "b", "c")[:len(periods)]})()
    two = 2 * np.pi
    assert rp.span_text(fake([two, two], [1, 1])) == "over one period of each parameter, 2π"
    assert rp.span_text(fake([two, 2 * two], [1, 1])) == (
        "over one period of each parameter: 2π along a and 4π along b")
    assert rp.span_text(fake([two, two], [4, 2])) == (
        "over 2π per parameter, which holds 4 repetitions of the landscape along a "
        "(period π/2) and 2 along b (period π)")
    assert rp.span_text(fake([two, two], [0, 3])) == (
        "over 2π per parameter, which holds 3 repetitions of the landscape along b "
        "(period 2π/3); C does not depend on a")
    assert rp.span_text(fake([two], [1])) == "over one period of a, 2π"
    assert rp.span_text(fake([two, two, two], [1, 3, 3]), axes=[1, 2]) == (
        "over 2π per parameter, which holds 3 repetitions of the landscape along each "
        "(its own period is 2π/3)")


def test_parameter_table_keeps_the_file_names(p2):
    table = p2.parameter_table()
    assert table.index.tolist() == ["_β_0_", "_β_1_", "_γ_0_", "_γ_1_"]  # as the file has them
    assert table["in figures"].tolist() == ["β₀", "β₁", "γ₀", "γ₁"]
    assert table["repeats"].tolist() == [4, 4, 4, 4]
    assert p2.numbers()["param_names"] == ["_β_0_", "_β_1_", "_γ_0_", "_γ_1_"]


# ------------------------------------------------------------------ figures
def test_report_figures_fit_the_page(p1, p2, three):
    for report in (p1, p2, three):
        figures = [plots.plot_report_landscape(report), plots.plot_gradient_histogram(report).figure,
                   plots.plot_gradient_variance(report).figure, plots.plot_report_success(report).figure]
        for fig in figures:
            assert fig.get_size_inches()[0] <= plots.MAX_WIDTH + 1e-9
            assert all(ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>")
    ax = plots.plot_gradient_variance(p2)
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "β₀\n(4 gates)"  # _β_0_ in the file
    ax = plots.plot_report_success(p1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Adam, settled", "SGD, settled", "Adam, final step", "SGD, final step"]


def test_circuit_rows_fit_and_keep_every_gate():
    circuit = qbp.read_qasm(P2)
    fig = plots.draw_circuit_rows(circuit)
    assert fig.get_size_inches()[0] <= plots.MAX_WIDTH
    assert len(fig.axes) >= 3  # 36 gates do not fit one row at 10 pt
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert sum(label in ("RZ(2·γ₀)", "RZ(2·γ₁)") for label in labels) == 8  # γ[k] as Qiskit
    assert sum(label in ("RX(2·β₀)", "RX(2·β₁)") for label in labels) == 8  # wrote _γ_k_
    assert labels.count("H") == 4 and "SNOT" not in labels


# ------------------------------------------------------------------ the command line
def test_template_defaults_are_the_modules():
    declared = qbp.book.build.inspect_notebook(book_report.TEMPLATE).parameters
    for name, value in rp.DEFAULTS.items():
        if value is not None:
            assert declared[name].default == value, name
    assert {"circuit_file", "observable"} <= set(declared)


def test_output_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert book_report.output_paths(Path("a/b.qasm")) == (tmp_path / "report-b" / "b.html",
                                                          tmp_path / "report-b" / "b.ipynb")
    assert book_report.output_paths(Path("b.qasm"), Path("out/page.html")) == (
        tmp_path / "out" / "page.html", tmp_path / "out" / "page.ipynb")
    assert book_report.output_paths(Path("b.qasm"), Path("folder")) == (
        tmp_path / "folder" / "b.html", tmp_path / "folder" / "b.ipynb")
    (tmp_path / "plain").write_text("x")
    for bad in ("plain", "x.ipynb"):
        with pytest.raises(qbp.book.build.UsageError):
            book_report.output_paths(Path("b.qasm"), Path(bad))


def test_qbp_report_writes_html_with_figures(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "qbp", "report", str(P1), "--observable", RING,
                           "-o", str(out), *TINY_CLI], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "QBP_PROGRESS": "0"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out / "qaoa_maxcut_ring4_p1.html")
    assert sorted(p.name for p in out.iterdir()) == ["qaoa_maxcut_ring4_p1.html",
                                                     "qaoa_maxcut_ring4_p1.ipynb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no scratch left behind
    page = (out / "qaoa_maxcut_ring4_p1.html").read_text(encoding="utf-8")
    assert page.count("<img") >= 2 and page.count("data:image/png;base64") >= 2
    assert "Trainability report: qaoa_maxcut_ring4_p1.qasm" in page
    for noise in (str(tmp_path), str(CIRCUITS), "Traceback", "Warning", "trainability_report("):
        assert noise not in page
    nb = json.loads((out / "qaoa_maxcut_ring4_p1.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert str(tmp_path) not in json.dumps(nb)


BROKEN = {
    "syntax": ('OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nqubit[1] q;\n'
               'rx(a q[0];\n', "line 5"),
    "unknown gate": ('OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nqubit[1] q;\n'
                     'rx(a) q[0];\nfoo q[0];\n', "line 6"),
    "mid-circuit measurement": ('OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\n'
                                'qubit[1] q;\nbit[1] c;\nc[0] = measure q[0];\nrx(a) q[0];\n',
                                "line 7"),
}


def run_cli(tmp_path, monkeypatch, capsys, *args):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    try:
        status = cli.main(list(args))
    except SystemExit as exc:  # argparse's own errors exit from inside the parser
        status = exc.code
    err = capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    return status, err


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_file_is_one_line_exit_2(kind, tmp_path, monkeypatch, capsys):
    source, where = BROKEN[kind]
    (tmp_path / "broken.qasm").write_text(source)
    status, err = run_cli(tmp_path, monkeypatch, capsys, "report", "broken.qasm",
                          "--observable", "Z0", "-o", "out")
    assert status == 2 and err.count("\n") == 1 and err.startswith("qbp: error: broken.qasm, ")
    assert where in err


@pytest.mark.parametrize("observable, words", [
    ("Z0 Z7", "qubit 7 is out of range"),
    ("Q0 Z1", "unknown Pauli letter"),
    ("-Z0 Z9", "qubit 9"),
])
def test_bad_observable_is_one_line_exit_2(observable, words, tmp_path, monkeypatch, capsys):
    status, err = run_cli(tmp_path, monkeypatch, capsys, "report", str(P1), "--observable",
                          observable)
    assert status == 2 and err.count("\n") == 1 and words in err
    assert err.startswith(f"qbp: error: --observable '{observable}' for 4 qubits: ")


@pytest.mark.parametrize("args, words", [
    (["missing.qasm", "--observable", "Z0"], "no such OpenQASM file: 'missing.qasm'"),
    ([str(P1), "--observable", "Z0", "-p", "n_starts", "0"], "n_starts must be an integer >= 1"),
    ([str(P1), "--observable", "Z0", "-p", "tol", "small"], "parameter 'tol' of qbp report"),
    ([str(P1), "--observable", "Z0", "-p", "speed", "1"], "unknown parameter 'speed'"),
    ([str(P1), "--observable", "Z0", "-p", "observable", "Z1"], "set by --observable"),
    ([str(P1), "--observable", "Z0", "-o", "page.ipynb"], "must be a folder or an .html path"),
    ([str(P1)], "the following arguments are required: --observable"),
])
def test_bad_command_line_is_one_line_exit_2(args, words, tmp_path, monkeypatch, capsys):
    status, err = run_cli(tmp_path, monkeypatch, capsys, "report", *args)
    assert status == 2 and err.count("\n") == 1 and words in err


# ------------------------------------------------------------------ sharing compared
def test_unshared_circuit_contains_the_shared_one(ring):
    shared = qbp.read_qasm(P1)
    free = rp.unshared(shared)
    assert free.n_params == 8 and free.sharing_degree.tolist() == [1] * 8
    assert free.param_names[:2] == ("_γ_0_·1", "_γ_0_·2")  # gate order: the first rzz first
    index = rp.shared_index(shared)
    assert sorted(index.tolist()) == [0] * 4 + [1] * 4
    theta = qbp.random_starts(5, 2, 0)
    np.testing.assert_allclose(qbp.evaluate(free, ring, theta[:, index], "batched")[0],
                               qbp.evaluate(shared, ring, theta, "batched")[0], atol=1e-12)


@pytest.mark.parametrize("low, high, word", [(0.1, 0.3, "up"), (-0.3, -0.1, "down"),
                                              (-0.1, 0.3, "neither"), (0.0, 0.2, "neither")])
def test_direction_rule(low, high, word):
    assert rp._direction(low, high, "up", "down", "neither") == word


def test_compare_reports(p1, p2):
    same = rp.compare(p1, p1)
    assert same["minimum"]["word"] == "the same minimum" and same["gradient"]["difference"] == 0
    assert same["story"] == {"minimum": "agrees", "deceptive": "undecided", "gradient": "undecided",
                             "success_adam": "undecided", "success_sgd": "undecided"}
    # p = 1 stops at −2, p = 2 reaches −4: a higher minimum goes against the story
    other = rp.compare(p1, p2)
    assert other["minimum"]["word"] == "a higher minimum" and other["story"]["minimum"] == "disagrees"
    assert other["minimum"]["difference"] == pytest.approx(2, abs=1e-8)
    g1, g2 = (np.median(np.linalg.norm(r.derivatives, axis=1)) for r in (p1, p2))
    assert (other["gradient"]["first"], other["gradient"]["second"]) == (g1, g2)
    low, high = other["gradient"]["interval"]
    assert other["gradient"]["word"] == ("larger gradients" if low > 0 else "smaller gradients"
                                         if high < 0 else "no clear difference in gradient size")


def test_comparison_table(p1, p2):
    table = rp.comparison_table({"p = 1": p1, "p = 2": p2})
    assert table.shape == (2, 10)
    assert table.loc["p = 2", "parameters"] == 4 and table.loc["p = 1", "gates per parameter"] == 4
    assert table.loc["p = 1", "C* − E₀"] == pytest.approx(2, abs=1e-8)
    assert table.loc["p = 2", "flow ratio"] == p2.flow.ratio
    assert table.loc["p = 1", "Adam best settled"] == p1.success["adam"].settled_rate.max()
    words = rp.comparison_table({"p = 1": p1}, as_text=True).loc["p = 1"]
    assert (words["parameters"], words["C* − E₀"], words["gates per parameter"]) == ("2", "2", "4")
    assert words["flow ratio"] == text.rate(p1.flow.ratio)
    assert words["flow 95 % interval"] == text.interval(*p1.flow.ci, text.rate)
    assert words["median |∇C|"] == text.number(table.loc["p = 1", "median |∇C|"])


def test_unconverged_flow_starts_are_reported(ring):
    report = rp.trainability_report(qbp.read_qasm(P1), ring, **{**TINY, "flow_steps": 20})
    flow = report.flow
    assert 0 < flow.n_unconverged < flow.n_starts  # 10 of 16 for this seed
    within = np.sum(~flow.converged & (flow.end_values <= report.c_star + TINY["tol"]))
    assert report.unconverged_within_tol == within
    assert f"({flow.n_unconverged} did not converge within 20 steps and are not counted; " \
           f"{within} of them" in report.summary
    assert within > 0  # 9 of the 10: already at C* + tol, still moving along a flat valley


def test_story_table_and_counts(p1, p2):
    comparisons = {"p1 vs p2": rp.compare(p1, p2), "p1 vs p1": rp.compare(p1, p1)}
    table = rp.story_table(comparisons)
    assert table.shape == (5, 2)
    assert table.loc["minimum (C* − E₀)", "p1 vs p2"] == "a higher minimum: 2 vs 0 — disagrees"
    assert table.loc["minimum (C* − E₀)", "p1 vs p1"] == "the same minimum: 2 vs 2 — agrees"
    rate = rp._prose_rate(p1.flow.ratio)
    assert table.loc["deceptiveness (flow ratio)", "p1 vs p1"] == (
        f"no clear difference in deceptiveness: {rate} vs {rate} — undecided")
    counts = rp.story_counts(comparisons)
    assert counts["total"] == 10 and counts["agrees"] + counts["disagrees"] + counts["undecided"] == 10
    assert counts["undecided"] >= 4  # the report against itself decides nothing but its minimum


def test_circuits_folder_is_found_from_the_page_the_root_and_elsewhere(tmp_path):
    root = Path(__file__).parent.parent
    assert book_report.circuits_folder(root / "book") == CIRCUITS
    assert book_report.circuits_folder(root / "_build" / "run" / "x") == CIRCUITS
    assert book_report.circuits_folder(tmp_path) == CIRCUITS  # the checkout qbp came from
    stage = tmp_path / "stage" / "book"
    (stage / "circuits").mkdir(parents=True)
    (stage / "circuits" / "reference.json").write_text("{}")
    assert book_report.circuits_folder(stage) == stage / "circuits"


def test_compare_without_converged_flow(p1, ring):
    with pytest.warns(RuntimeWarning, match="no start converged"):  # flow's announcement
        stuck = rp.trainability_report(qbp.read_qasm(P1), ring, **{**TINY, "flow_steps": 5})
    assert stuck.flow.n_converged == 0 and "No gradient flow converged" in stuck.summary
    out = rp.compare(stuck, p1)
    assert out["deceptive"]["first"] is None and out["deceptive"]["interval"] is None
    assert out["story"]["deceptive"] == "undecided"
    cell = rp.story_table({"x": out}).loc["deceptiveness (flow ratio)", "x"]
    assert cell.startswith("no clear difference in deceptiveness (a flow ratio is undefined): undefined vs")
    assert json.dumps(out, allow_nan=False)  # JSON-ready: no NaN


def test_summary_of_a_one_parameter_circuit():
    circuit = qbp.Circuit(1, [qbp.Gate("RX", (0,), param=0)])
    report = rp.trainability_report(circuit, qbp.EnergyCost(qbp.pauli_sum("Z0", 1)), **TINY)
    assert report.summary.startswith("This circuit has 1 free parameter on 1 qubit; it is read "
                                     "by 1 gate. Its refined minimum C* = −1 reaches")
    # ∂⟨Z⟩/∂θ = −sin θ: Var over uniform θ is 1/2; one parameter, one variance
    assert f"(Var ∂C/∂θ = {text.number(report.variance[0])} over 40" in report.summary
    assert report.variance[0] == pytest.approx(0.5, abs=0.15)
    fig = plots.plot_report_landscape(report)
    assert fig.axes[0].get_xlabel() == "θ₀ (rad)"


def test_a_warning_stays_on_the_page_without_local_paths(tmp_path):
    done = subprocess.run([sys.executable, "-m", "qbp", "report", str(P1), "--observable", RING,
                           "-o", str(tmp_path / "page.html"), *TINY_CLI, "-p", "flow_steps", "3"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "RuntimeWarning: no start converged" in page and "no ratio can be given" in page
    assert str(Path(qbp.__file__).parent) not in page and str(tmp_path) not in page
    assert (tmp_path / "page.ipynb").is_file()
