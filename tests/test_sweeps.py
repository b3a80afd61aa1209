"""Success sweeps, their cache, and the gradient-free comparison (SPEC §6)."""

import numpy as np
import pytest

import qbp
from qbp.sweeps import default_learning_rates, gradient_free, refined_minimum, success_sweep

COST = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
CIRCUITS = [qbp.default_circuit(2, L) for L in (1, 2)]


def small_sweep(**kw):
    args = dict(optimizers=("adam", "sgd"), lrs=[0.01, 0.1], n_starts=6, steps=30, seed=3,
                labels=("L=1", "L=2"), c_star_resolution=24, progress=False)
    args.update(kw)
    return success_sweep(CIRCUITS, COST, **args)


def test_default_learning_rates():
    lrs = default_learning_rates()
    assert len(lrs) == 13 and lrs[0] == pytest.approx(1e-3) and lrs[-1] == pytest.approx(3)


def test_sweep_equals_individual_runs():
    sweep = small_sweep()
    assert sweep.final_costs.shape == (2, 2, 2, 6)
    starts = qbp.random_starts(6, 2, 3)
    one = qbp.optimize(CIRCUITS[1], COST, starts, "sgd", 0.1, steps=30)
    np.testing.assert_allclose(sweep.final_costs[1, 1, 1], one.final_costs, atol=1e-12, rtol=0)
    assert list(sweep.degrees) == [2, 4]


def test_success_uses_refined_minimum():
    sweep = small_sweep()
    for j, c in enumerate(CIRCUITS):
        assert sweep.c_star[j] == pytest.approx(refined_minimum(c, COST, 24), abs=1e-12)
        # C* is a true minimum: no run ends below it
        assert np.all(sweep.final_costs[:, j] >= sweep.c_star[j] - 1e-9)
    rate_small, rate_big = sweep.success_rate(1e-6), sweep.success_rate(10.0)
    assert np.all(rate_small <= rate_big) and np.all(rate_big == 1.0)
    with pytest.raises(ValueError, match="tol"):
        sweep.success_rate(-1)


def test_cache_reuse_and_damage(tmp_path):
    first = small_sweep(cache=tmp_path)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1 and not first.meta["cached"]
    again = small_sweep(cache=tmp_path)
    assert again.meta["cached"] and np.array_equal(again.final_costs, first.final_costs)
    # other parameters: another key, another file
    small_sweep(cache=tmp_path, steps=31)
    assert len(list(tmp_path.glob("*.npz"))) == 2
    # damage the first file: detected, recomputed, never used
    raw = bytearray(files[0].read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    files[0].write_bytes(bytes(raw))
    with pytest.warns(UserWarning, match="recomputing"):
        fixed = small_sweep(cache=tmp_path)
    assert not fixed.meta["cached"] and np.array_equal(fixed.final_costs, first.final_costs)
    assert small_sweep(cache=tmp_path).meta["cached"]  # the rewritten file is good again
    assert not list(tmp_path.glob("*.tmp"))


def test_tampered_contents_detected(tmp_path):
    small_sweep(cache=tmp_path)
    path = next(tmp_path.glob("*.npz"))
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["final_costs"] = arrays["final_costs"] + 1.0  # valid file, wrong numbers
    np.savez(path, **arrays)
    with pytest.warns(UserWarning, match="checksum"):
        assert not small_sweep(cache=tmp_path).meta["cached"]


def test_sweep_bad_input():
    with pytest.raises(ValueError, match="optimizer"):
        small_sweep(optimizers=("adam", "newton"))
    with pytest.raises(ValueError, match="lr"):
        small_sweep(lrs=[0.1, -1.0])
    with pytest.raises(ValueError, match="same number"):
        success_sweep([CIRCUITS[0], qbp.default_circuit(2, 1, "layer")], COST, n_starts=2, steps=2)
    with pytest.raises(ValueError, match="labels"):
        small_sweep(labels=("only one",))


def test_gradient_free_budget_and_success():
    res = gradient_free(CIRCUITS, COST, n_starts=4, budget=40, seed=3, progress=False)
    assert res.final_costs.shape == (3, 2, 4)
    assert res.evaluations.max() <= 40 and res.evaluations.min() >= 1
    assert np.all(res.final_costs >= res.c_star[None, :, None] - 1e-9)
    assert np.all(res.success_rate(10.0) == 1.0)
    with pytest.raises(ValueError, match="budget"):
        gradient_free(CIRCUITS, COST, n_starts=2, budget=0)
    with pytest.raises(ValueError, match="methods"):
        gradient_free(CIRCUITS, COST, methods=("BFGS",), n_starts=2, budget=5)


def test_cache_not_reused_when_the_code_changes(tmp_path, monkeypatch):
    import qbp._version

    first = small_sweep(cache=tmp_path)
    assert small_sweep(cache=tmp_path).meta["cached"]
    monkeypatch.setattr(qbp._version, "code_digest", lambda part="science": "0" * 64)
    other_code = small_sweep(cache=tmp_path)
    assert not other_code.meta["cached"]
    assert other_code.meta["provenance"]["code_digest"] == "0" * 64
    assert len(list(tmp_path.glob("*.npz"))) == 2  # kept apart, neither overwritten
    np.testing.assert_array_equal(other_code.final_costs, first.final_costs)


def test_cache_not_reused_when_a_library_version_changes(tmp_path, monkeypatch):
    import qbp._version

    small_sweep(cache=tmp_path)
    real = qbp._version.dependency_versions
    monkeypatch.setattr(qbp._version, "dependency_versions", lambda: {**real(), "numpy": "0.0"})
    assert not small_sweep(cache=tmp_path).meta["cached"]


def test_unseeded_starts_never_reuse_another_draw(tmp_path):
    a = small_sweep(cache=tmp_path, seed=None, n_starts=4)
    b = small_sweep(cache=tmp_path, seed=None, n_starts=4)
    assert not a.meta["cached"] and not b.meta["cached"]
    assert not np.array_equal(a.starts, b.starts)
    assert a.meta["seed"] is None and len(list(tmp_path.glob("*.npz"))) == 2


def test_numpy_integer_seed_is_the_same_seed(tmp_path):
    a = small_sweep(cache=tmp_path, seed=np.int64(3), n_starts=np.int32(6), steps=np.int64(30))
    assert not a.meta["cached"] and a.meta["seed"] == 3 and type(a.meta["seed"]) is int
    b = small_sweep(cache=tmp_path)  # seed=3 as a Python int: the same inputs, cached
    assert b.meta["cached"] and np.array_equal(a.final_costs, b.final_costs)


def test_sweep_refuses_optimizer_objects():
    with pytest.raises(ValueError, match="optimizer names"):
        small_sweep(optimizers=(qbp.adam(0.1),))
