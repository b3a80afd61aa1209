"""Barren plateau scans (SPEC §9), their two decay models and the derivative behind them."""

import dataclasses
import re

import numpy as np
import pytest

import qbp
from qbp.plateaus import (CHI2_GATE, DECAY_VERDICTS, DecayFit, compare_rates, decay_table,
                          decay_verdict, fit_decay, fit_model, fit_models, grouped_verdicts,
                          plateau_scan, reduced_half_width, tail_share)
from qbp.statevector import expectation_and_gradient, partial_derivative


@pytest.mark.parametrize("sharing", qbp.SHARING_SCHEMES)
def test_partial_derivative_matches_adjoint_gradient(sharing):
    circuit = qbp.default_circuit(3, 2, sharing)
    observables = [qbp.GlobalCost(3).matrix, qbp.LocalCost(3).matrix, qbp.tfim_hamiltonian(3).full()]
    thetas = qbp.random_starts(5, circuit.n_params, 2)
    for k in (0, circuit.n_params - 1):
        values, derivs = partial_derivative(circuit, observables, thetas, k)
        for i, obs in enumerate(observables):
            v, g = expectation_and_gradient(circuit, obs, thetas)
            np.testing.assert_allclose(values[i], v, atol=1e-12)
            np.testing.assert_allclose(derivs[i], g[:, k], atol=1e-12)
    with pytest.raises(ValueError, match="k must"):
        partial_derivative(circuit, observables, thetas, circuit.n_params)


def test_fit_decay_recovers_exponential():
    n = np.arange(2, 9)
    a, b = fit_decay(n, 3.0 * np.exp(-0.7 * n))
    assert a == pytest.approx(np.log(3.0)) and b == pytest.approx(0.7)


# --- the two models: hand-derived values --------------------------------------------------


def test_exact_exponential_data_gives_its_rate_and_zero_chi2():
    n = np.arange(2, 10)
    sigma = np.linspace(0.05, 0.3, len(n))  # any weights: the line goes through every point
    fit = fit_model(n, np.log(3.0) - 0.7 * n, sigma, "exponential")
    assert fit.rate == pytest.approx(0.7, abs=1e-12)
    assert fit.intercept == pytest.approx(np.log(3.0), abs=1e-12)
    assert fit.chi2 == pytest.approx(0.0, abs=1e-20) and fit.dof == 6 and fit.passes()
    np.testing.assert_allclose(fit.variance(n), 3.0 * np.exp(-0.7 * n), rtol=1e-12)


def test_exact_power_law_is_picked_as_polynomial():
    n = np.arange(2, 13)
    log_var = np.log(5.0 * n ** -2.0)
    sigma = np.full(len(n), 0.05)
    fits = {m: fit_model(n, log_var, sigma, m) for m in ("exponential", "polynomial")}
    assert fits["polynomial"].rate == pytest.approx(2.0, abs=1e-12)
    assert fits["polynomial"].chi2 == pytest.approx(0.0, abs=1e-20)
    assert fits["exponential"].chi2_dof > CHI2_GATE  # a line in n misses the curvature
    assert decay_verdict(fits) == "polynomial"
    # and exact exponential data the other way round
    fits = {m: fit_model(n, -0.5 * n, sigma, m) for m in ("exponential", "polynomial")}
    assert decay_verdict(fits) == "exponential"


def test_chi2_and_rate_error_by_hand():
    # points (1, 0), (2, 1), (3, 0) with σ = 1: the best line is flat at 1/3, residuals
    # −1/3, 2/3, −1/3, so χ² = 6/9 with one degree of freedom
    fit = fit_model([1, 2, 3], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], "exponential")
    assert fit.rate == pytest.approx(0.0, abs=1e-12)
    assert fit.intercept == pytest.approx(1 / 3)
    assert fit.chi2 == pytest.approx(2 / 3) and fit.chi2_dof == pytest.approx(2 / 3)
    # equal σ: the slope's standard error is σ/√Σ(x − x̄)² = 1/√2
    assert fit.rate_err == pytest.approx(1 / np.sqrt(2))
    assert fit.scale == 1.0 and fit.rate_err_scaled == fit.rate_err  # χ²/dof < 1: no scaling
    # the same points with σ = 1/√6: χ² = 4 per degree of freedom, errors scaled by 2
    tight = fit_model([1, 2, 3], [0.0, 1.0, 0.0], np.full(3, 1 / np.sqrt(6)), "exponential")
    assert tight.chi2_dof == pytest.approx(4.0) and tight.scale == pytest.approx(2.0)
    assert tight.rate_err_scaled == pytest.approx(2 * tight.rate_err)
    assert not tight.passes() and tight.passes(gate=4.0 + 1e-9)


def test_fit_models_takes_errors_from_the_bootstrap():
    n = np.array([2.0, 3.0, 4.0, 5.0])
    var = np.exp(-n)
    shifts = np.array([-0.2, 0.0, 0.1, 0.3])  # one factor per replicate, the same at every n
    boot = var[:, None] * np.exp(shifts)[None, :]
    fits = fit_models(n, var, boot)
    for fit in fits.values():  # a common factor moves the intercept, never the rate
        assert fit.rate_err == pytest.approx(0.0, abs=1e-12)
    assert fits["exponential"].rate == pytest.approx(1.0)
    with pytest.raises(ValueError, match="all equal at n = \\[2.0"):
        fit_models(n, var, np.tile(var[:, None], (1, 5)))
    with pytest.raises(ValueError, match="boot_variances"):
        fit_models(n, var, -boot)


def fit(model, rate, err, chi2_dof, dof=5):
    return DecayFit(model, 0.0, rate, err, chi2_dof * dof, dof)


@pytest.mark.parametrize("exp,poly,verdict", [
    (fit("exponential", -0.3, 0.1, 1.0), fit("polynomial", -1.0, 0.3, 1.0), "grows"),
    (fit("exponential", 0.15, 0.1, 1.0), fit("polynomial", 0.5, 0.3, 1.0), "flat"),
    # b = 0.3 ± 0.1 falls, but with χ²/dof = 4 the error doubles: 0.3 − 2·0.2 < 0
    (fit("exponential", 0.3, 0.1, 4.0), fit("polynomial", 1.0, 0.3, 5.0), "flat"),
    (fit("exponential", 1.0, 0.1, 1.0), fit("polynomial", 4.0, 0.3, 3.0), "exponential"),
    (fit("exponential", 1.0, 0.1, 3.0), fit("polynomial", 4.0, 0.3, 1.0), "polynomial"),
    (fit("exponential", 1.0, 0.1, 1.0), fit("polynomial", 4.0, 0.3, 1.3), "undecided"),  # Δχ² 1.5
    (fit("exponential", 1.0, 0.1, 3.5), fit("polynomial", 4.0, 0.3, 9.0), "irregular"),
])
def test_decay_verdict_rules(exp, poly, verdict):
    assert decay_verdict({"exponential": exp, "polynomial": poly}) == verdict
    assert verdict in DECAY_VERDICTS


def test_decay_verdict_bad_input():
    with pytest.raises(ValueError, match="both models"):
        decay_verdict({"exponential": fit("exponential", 1, 0.1, 1)})
    both = {"exponential": fit("exponential", 1, 0.1, 1), "polynomial": fit("polynomial", 1, 0.1, 1)}
    with pytest.raises(ValueError, match="gate"):
        decay_verdict(both, gate=np.nan)


def test_tail_share_by_hand():
    np.testing.assert_allclose(tail_share([[1.0, -1.0, 2.0], [3.0, 0.0, 0.0]]), [4 / 6, 1.0])
    with pytest.raises(ValueError, match="all 0"):
        tail_share([[0.0, 0.0], [1.0, 2.0]])


def test_compare_rates_uses_scaled_errors():
    a, b = fit("exponential", 1.0, 0.1, 0.5), fit("exponential", 0.5, 0.2, 0.5)
    c = compare_rates(a, b)  # 0.5 against 2·√(0.1² + 0.2²) = 0.447
    assert c.difference == pytest.approx(0.5) and c.error == pytest.approx(np.sqrt(0.05))
    assert c.differs
    c = compare_rates(fit("exponential", 1.0, 0.1, 4.0), b)  # 0.1 doubled: 2·√0.08 = 0.566
    assert c.error == pytest.approx(np.sqrt(0.08)) and not c.differs
    assert not compare_rates(a, a).differs
    with pytest.raises(ValueError, match="same model"):
        compare_rates(a, fit("polynomial", 1.0, 0.1, 1.0))


# --- scans against laws derived by hand --------------------------------------------------


def test_one_layer_variances_follow_the_laws_derived_by_hand():
    """One layer, no sharing, every angle uniform on [−π, π).

    Global: ⟨0…0|ψ⟩ = Π e^{iφ_q/2} cos(θ_q/2) (the CNOTs fix |0…0⟩), so ∂C_G/∂θ₀ =
    ½ sin θ₀ Π_{q≥1} cos²(θ_q/2) and Var = E[sin²]/4 · E[cos⁴(θ/2)]^{n−1} = ⅛ (⅜)^{n−1}.
    Local, alternating bricks: Z₀ → Z₀, Z₁ → Z₀Z₁, Z₂ → Z₀Z₁Z₂ and no other Z_i reaches
    qubit 0, so ∂C_L/∂θ₀ = (sin θ₀ / 2n)(1 + cos θ₁ + cos θ₁ cos θ₂) and
    Var = (1/8n²)(1 + ½ + ¼) = 7/(32 n²) for n ≥ 3. Staircase: Z_i → Z₀⋯Z_i, so
    Var = (1/8n²) Σ_{i<n} 2^{−i} = (1 − 2^{−n})/(4n²).
    """
    n = np.arange(3, 9)
    kw = dict(n_draws=2000, n_boot=200, seed=0, progress=False)
    alt = plateau_scan(n, "none", 1, circuit="alternating", **kw)
    stair = plateau_scan(n, "none", 1, **kw)
    for scan, cost, exact in ((alt, "global", 0.125 * 0.375 ** (n - 1)),
                              (alt, "local", 7 / (32 * n ** 2)),
                              (stair, "local", (1 - 2.0 ** -n) / (4 * n ** 2))):
        # within three bootstrap errors of ln Var at every n (the global cost's draws are
        # heavy-tailed: its errors grow from 0.05 at n = 3 to 0.2 at n = 8)
        assert np.all(np.abs(np.log(scan.variance[cost] / exact)) < 3 * scan.log_var_err[cost])
    assert alt.log_var_err["local"].max() < 0.06
    # for the global cost the two circuits are one function at L = 1
    np.testing.assert_allclose(stair.derivatives["global"], alt.derivatives["global"], atol=1e-14)
    # the verdicts: exponential at rate ln(8/3) for the global cost, n^−2 for the local one
    assert alt.verdict == {"global": "exponential", "local": "polynomial"}
    assert alt.shows_cost_contrast() and alt.word("local") == "falls like a power of n"
    from dataclasses import replace
    assert not replace(alt, verdict={"global": "exponential", "local": "undecided"}).shows_cost_contrast()
    b = alt.fits["global"]["exponential"]
    assert abs(b.rate - np.log(8 / 3)) < 2 * b.rate_err_scaled
    p = alt.fits["local"]["polynomial"]
    assert abs(p.rate - 2.0) < 2 * p.rate_err_scaled


def test_reduced_domain_draws_inside_pi_over_root_layers(monkeypatch):
    import qbp.plateaus

    seen = {}

    def record(task):
        circuit, costs, thetas = task
        seen[circuit.n_qubits] = thetas
        return np.random.default_rng(circuit.n_qubits).normal(size=(len(costs), len(thetas)))

    monkeypatch.setattr(qbp.plateaus, "_scan_task", record)
    scan = plateau_scan([2, 4, 9], "type", "n", init="reduced", n_draws=400, n_boot=20,
                        progress=False)
    for n, thetas in seen.items():
        a = np.pi / np.sqrt(n)  # L = n layers
        assert 0.95 * a < np.max(np.abs(thetas)) <= a
    assert scan.meta["half_width"] == pytest.approx([np.pi / np.sqrt(2), np.pi / 2, np.pi / 3])
    assert scan.init == "reduced" and reduced_half_width(4) == pytest.approx(np.pi / 2)
    plateau_scan([2, 4, 9], "none", 3, n_draws=400, n_boot=20, progress=False)
    assert 0.95 * np.pi < np.max(np.abs(seen[9])) <= np.pi  # full domain: one period


def test_circuit_family_by_name_or_callable():
    kw = dict(n_draws=20, seed=4, n_boot=20, progress=False)
    by_name = plateau_scan([2, 3, 4], "layer", 2, circuit="alternating", **kw)
    by_call = plateau_scan([2, 3, 4], "layer", 2, circuit=qbp.alternating_circuit, **kw)
    assert by_name.circuit == "alternating" and by_call.circuit == "alternating_circuit"
    assert np.array_equal(by_name.derivatives["local"], by_call.derivatives["local"])
    default = plateau_scan([2, 3, 4], "layer", 2, **kw)
    assert default.circuit == "default"
    assert default.label == "default circuit, layer sharing, L = 2, full domain"
    assert by_name.summary()["label"] == "alternating circuit, layer sharing, L = 2, full domain"
    assert not np.array_equal(default.derivatives["local"][1:], by_name.derivatives["local"][1:])
    with pytest.raises(ValueError, match="circuit"):
        plateau_scan([2, 3, 4], circuit="brick", **kw)
    with pytest.raises(TypeError, match="circuit"):
        plateau_scan([2, 3, 4], circuit=qbp.default_circuit(2), **kw)
    with pytest.raises(TypeError, match="circuit family"):
        plateau_scan([2, 3, 4], circuit=lambda n, L, s: qbp.default_circuit(2, L, s), **kw)
    with pytest.raises(ValueError, match="init"):
        plateau_scan([2, 3, 4], init="narrow", **kw)


def test_decay_table_columns_and_formats():
    scans = [plateau_scan([2, 3, 4], s, 2, n_draws=30, n_boot=30, progress=False)
             for s in ("none", "type")]
    table = decay_table(scans)
    # circuit, L and domain are the same in every row: left out of the index
    assert table.index.names == ["sharing", "cost"]
    assert len(table.columns) + len(table.index.names) <= 12 and len(table) == 4
    row = table.loc[("none", "global")]
    exp = scans[0].fits["global"]["exponential"]
    assert row["b per qubit"] == f"{exp.rate:.2f} ± {exp.rate_err_scaled:.2f}".replace("-", "−")
    assert row["χ²/dof exp."] == f"{exp.chi2_dof:.1f}"
    assert row["verdict"] == scans[0].verdict["global"]
    assert all(re.fullmatch(r"−?\d+\.\d\d ± \d+\.\d\d", v) for v in table["p (Var ∝ n^−p)"])
    assert all(re.fullmatch(r"0\.\d\d|1\.00", v) for v in table["largest share"])
    with pytest.raises(TypeError, match="scans"):
        decay_table([])
    both = decay_table([*scans, dataclasses.replace(scans[0], circuit="alternating", layers=1)])
    assert both.index.names == ["circuit", "sharing", "L", "cost"]
    assert ("alternating", "none", "1", "local") in both.index


def test_sharing_verdicts_group_equal_verdicts_with_subjects():
    from qbp.plateaus import sharing_verdicts
    irregular = {"global": "irregular", "local": "irregular"}
    out = sharing_verdicts({"none": {"global": "exponential", "local": "irregular"},
                            "layer": irregular, "type": irregular}, " at L = n")
    assert out == [
        "Without sharing at L = n, the global cost's variance falls exponentially and the "
        "local cost's falls, but neither model describes the points.",
        "With layer and type sharing at L = n, the variance of each cost falls, but neither "
        "model describes the points."]
    assert sharing_verdicts({"layer": {"global": "exponential", "local": "polynomial"},
                             "none": {"global": "exponential", "local": "polynomial"},
                             "type": {"global": "flat", "local": "irregular"}},
                            " at the fixed depth L = 8") == [
        "Without sharing and with layer sharing at the fixed depth L = 8, the global cost's "
        "variance falls exponentially and the local cost's falls like a power of n.",
        "With type sharing at the fixed depth L = 8, the global cost's variance shows no "
        "clear fall and the local cost's falls, but neither model describes the points."]
    with pytest.raises(ValueError, match="scheme"):
        sharing_verdicts({"half": irregular})
    with pytest.raises(ValueError, match="verdict"):
        sharing_verdicts({"none": {"global": "falls", "local": "flat"}})


def test_grouped_verdicts_says_each_pair_once():
    scan = plateau_scan([2, 3, 4], "none", 1, n_draws=20, n_boot=20, progress=False)

    def like(circuit, layers, g, l):
        return dataclasses.replace(scan, circuit=circuit, layers=layers,
                                   verdict={"global": g, "local": l})

    same = [like(c, L, "exponential", "polynomial") for c in ("alternating", "default")
            for L in (1, 2)]
    assert grouped_verdicts(same) == ("With both layouts at L = 1 and 2, the global cost "
                                      "falls exponentially and the local cost falls like a "
                                      "power of n.")
    mixed = same[:3] + [like("default", 2, "irregular", "irregular")]
    assert grouped_verdicts(mixed) == (
        "With both layouts at L = 1 and with the alternating ansatz at L = 2, the global cost "
        "falls exponentially and the local cost falls like a power of n; with the staircase "
        "at L = 2, each cost falls, but neither model describes the points.")
    assert grouped_verdicts([same[0]], names={"alternating": "the brickwork"}) == (
        "With the brickwork at L = 1, the global cost falls exponentially and the local cost "
        "falls like a power of n.")
    with pytest.raises(TypeError, match="scans"):
        grouped_verdicts([])


def test_scan_reproducible_and_shaped():
    a = plateau_scan([2, 3, 4], "none", n_draws=20, seed=5, n_boot=50, progress=False)
    b = plateau_scan([2, 3, 4], "none", n_draws=20, seed=5, n_boot=50, progress=False)
    assert a.derivatives["global"].shape == (3, 20)
    assert np.array_equal(a.derivatives["local"], b.derivatives["local"])
    assert a.decay == b.decay and a.decay_err == b.decay_err
    assert np.all(a.ci["global"][0] <= a.variance["global"]) and np.all(a.variance["global"] <= a.ci["global"][1])


def test_unshared_global_cost_has_a_plateau():
    # McClean et al. 2018: for deep random circuits Var ∂C shrinks exponentially with n.
    scan = plateau_scan(range(2, 8), "none", n_draws=200, seed=0, n_boot=200, progress=False)
    assert scan.decay["global"] > 5 * scan.decay_err["global"] > 0


def test_bad_input():
    with pytest.raises(ValueError, match="sharing"):
        plateau_scan([2, 3, 4], "all")
    with pytest.raises(ValueError, match="layers"):
        plateau_scan([2, 3, 4], "none", layers=0)
    with pytest.raises(ValueError, match="costs"):
        plateau_scan([2, 3, 4], costs=("energy",))
    with pytest.raises(ValueError, match="n_values"):
        plateau_scan([3])
    with pytest.raises(ValueError, match="at least three"):
        plateau_scan([2, 3])
    with pytest.raises(ValueError, match="n_draws"):
        plateau_scan([2, 3], n_draws=1)


class TestNoSilentNaN:
    """Issue 9, item 4: fits and bootstrap statistics check their inputs."""

    def test_fit_of_a_zero_variance_is_refused(self):
        with pytest.raises(ValueError, match="variance is <= 0 at n = \\[3.0\\]"):
            fit_decay([2, 3, 4], [0.1, 0.0, 0.01])
        with pytest.raises(ValueError, match="variances"):
            fit_decay([2, 3, 4], [0.1, np.nan, 0.01])
        with pytest.raises(ValueError, match="variances"):
            fit_decay([2, 3, 4], [0.1, -0.2, 0.01])
        with pytest.raises(ValueError, match="distinct"):
            fit_decay([3, 3], [0.1, 0.2])
        with pytest.raises(ValueError, match="one row per qubit count"):
            fit_decay([2, 3, 4], [0.1, 0.2])
        with pytest.raises(TypeError, match="variances"):
            fit_decay([2, 3], [0.1 + 1j, 0.2])

    @pytest.mark.parametrize("kw", [{"n_draws": 2}, {"n_draws": 9}, {"n_boot": 0},
                                    {"n_boot": 1}, {"n_boot": 9}])
    def test_too_few_draws_or_resamples_refused(self, kw):
        with pytest.raises(ValueError, match=next(iter(kw))):
            plateau_scan([2, 3, 4], "none", **{"n_draws": 20, "n_boot": 20, **kw}, progress=False)

    def test_resamples_that_repeat_one_draw_are_left_out(self, monkeypatch):
        import qbp.plateaus

        def nine_equal_draws(task):  # per n: nine draws at 0 and one at 2^-n
            circuit, costs, thetas = task
            d = np.zeros((len(costs), len(thetas)))
            d[:, 0] = 2.0 ** -circuit.n_qubits
            return d

        monkeypatch.setattr(qbp.plateaus, "_scan_task", nine_equal_draws)
        scan = plateau_scan([2, 3, 4], "none", costs=("global",), n_draws=10, n_boot=200,
                            seed=1, progress=False)
        used = scan.meta["n_boot_used"]["global"]
        assert 10 <= used < 200  # about (1 − 0.9^10) of the resamples hold the odd draw
        assert np.isfinite(scan.decay_err["global"])
        # Var = (2^-n)²/10: ln Var falls by 2 ln 2 per qubit, exactly, in every usable resample
        assert scan.decay["global"] == pytest.approx(2 * np.log(2))
        assert scan.decay_err["global"] == pytest.approx(0.0, abs=1e-9)

    def test_derivative_with_one_value_is_refused(self, monkeypatch):
        import qbp.plateaus

        monkeypatch.setattr(qbp.plateaus, "_scan_task",
                            lambda task: np.zeros((len(task[1]), len(task[2]))))
        with pytest.raises(ValueError, match="single value"):
            plateau_scan([2, 3, 4], "none", n_draws=10, n_boot=10, progress=False)
