"""Bad input across the public science API (issue 9, items 11 and 12).

Every argument is checked where it enters: NumPy numbers are accepted wherever Python numbers
are and give the same result; bool, None, strings and complex numbers are refused with a
TypeError, NaN, ±inf and out-of-range numbers with a ValueError — both naming the argument.
"""

import re

import numpy as np
import pytest
import qutip

import qbp
from qbp._checks import (check_choice, check_int, check_names, check_real, check_reals,
                         check_seed, check_tol)
from qbp.executors import run_tasks
from qbp.gradients import finite_difference
from qbp.grid import nearest_index
from qbp.minima import refine_minimum
from qbp.plateaus import fit_decay, plateau_scan
from qbp.resolution import resolution_study
from qbp.statevector import partial_derivative
from qbp.sweeps import default_learning_rates, gradient_free, success_sweep

COST = qbp.EnergyCost(qbp.tfim_hamiltonian(2))
CIRCUIT = qbp.default_circuit(2, 1)
LAND = qbp.sample_landscape(CIRCUIT, COST, 8)
STARTS = qbp.random_starts(3, 2, 0)

# (value, the error it must raise) for each kind of argument
COUNT_BAD = [(True, TypeError), (None, TypeError), (2.5, TypeError), (np.float64(3.0), TypeError),
             (3 + 0j, TypeError), (np.nan, TypeError), (np.inf, TypeError), ("3", TypeError),
             (0, ValueError), (-1, ValueError)]
INDEX_BAD = [(True, TypeError), (None, TypeError), (1.5, TypeError), (1j, TypeError),
             (np.nan, TypeError), ("1", TypeError), (-1, ValueError)]  # 0 is a valid index
POSITIVE_BAD = [(True, TypeError), (None, TypeError), (0.1j, TypeError),
                (np.complex128(0.1), TypeError), ("0.1", TypeError), (np.nan, ValueError),
                (np.inf, ValueError), (-np.inf, ValueError), (0, ValueError), (-0.1, ValueError)]
UNIT_BAD = [(True, TypeError), (None, TypeError), (0.5j, TypeError), ("0.5", TypeError),
            (np.nan, ValueError), (np.inf, ValueError), (1.0, ValueError), (-0.1, ValueError)]
TOL_BAD = [(True, TypeError), (None, TypeError), (0.1j, TypeError), ("0.1", TypeError),
           (np.nan, ValueError), (np.inf, ValueError), (-0.1, ValueError)]
REAL_BAD = [(True, TypeError), (None, TypeError), (1j, TypeError), ("1", TypeError),
            (np.nan, ValueError), (np.inf, ValueError), (-np.inf, ValueError)]
SEED_BAD = [(True, TypeError), (2.5, TypeError), (1j, TypeError), (np.nan, TypeError),
            ("3", TypeError), (-1, ValueError)]
POINTS_BAD = [(np.array([[0.1 + 0.2j, 0.3]]), TypeError), (np.array([[np.nan, 0.3]]), ValueError),
              (np.array([[np.inf, 0.3]]), ValueError), ([["a", "b"]], TypeError),
              (np.array([[True, False]]), TypeError), (None, TypeError)]


def sweep(**kw):
    args = dict(optimizers=("sgd",), lrs=[0.1], n_starts=2, steps=2, c_star_resolution=8,
                progress=False)
    return success_sweep([CIRCUIT], COST, **{**args, **kw})


def free(**kw):
    args = dict(methods=("COBYLA",), n_starts=1, budget=3, c_star=[-2.0], progress=False)
    return gradient_free([CIRCUIT], COST, **{**args, **kw})


def scan(**kw):
    args = dict(n_values=[2, 3, 4], sharing="none", n_draws=10, n_boot=10, progress=False)
    return plateau_scan(**{**args, **kw})


# (call taking the value, the argument's name in the message, its bad values)
CASES = {
    "default_circuit n_qubits": (lambda v: qbp.default_circuit(v), "n_qubits", COUNT_BAD),
    "default_circuit layers": (lambda v: qbp.default_circuit(2, v), "layers", COUNT_BAD),
    "Circuit n_qubits": (lambda v: qbp.Circuit(v, []), "n_qubits", COUNT_BAD),
    "Circuit n_params": (lambda v: qbp.Circuit(1, [], n_params=v), "n_params",  # None: default
                         [c for c in COUNT_BAD if c[0] is not None and c[0] != 0]),
    "Gate param": (lambda v: qbp.Gate("RY", 0, param=v), "param",  # None: a fixed gate
                   [c for c in INDEX_BAD if c[0] is not None]),
    "Gate targets": (lambda v: qbp.Gate("RY", v, param=0), "targets", INDEX_BAD),
    "Gate scale": (lambda v: qbp.Gate("RY", 0, param=0, scale=v), "scale", REAL_BAD),
    "Gate offset": (lambda v: qbp.Gate("RY", 0, param=0, offset=v), "offset", REAL_BAD),
    "Gate angle": (lambda v: qbp.Gate("RY", 0, angle=v), "angle",
                   [(1j, TypeError), ("1", TypeError), (np.nan, ValueError), (np.inf, ValueError)]),
    "tfim_hamiltonian n_qubits": (lambda v: qbp.tfim_hamiltonian(v), "n_qubits", COUNT_BAD),
    "tfim_hamiltonian h": (lambda v: qbp.tfim_hamiltonian(2, v), "h", REAL_BAD),
    "GlobalCost n_qubits": (lambda v: qbp.GlobalCost(v), "n_qubits", COUNT_BAD),
    "LocalCost n_qubits": (lambda v: qbp.LocalCost(v), "n_qubits", COUNT_BAD),
    "grid_axis resolution": (lambda v: qbp.grid_axis(v), "resolution", COUNT_BAD + [(1, ValueError)]),
    "sample_landscape resolution": (lambda v: qbp.sample_landscape(CIRCUIT, COST, v),
                                    "resolution", COUNT_BAD),
    "Landscape.from_function n_params": (
        lambda v: qbp.Landscape.from_function(lambda *t: t[0], None, 4, v), "n_params", COUNT_BAD),
    "random_starts n_starts": (lambda v: qbp.random_starts(v, 2, 0), "n_starts", COUNT_BAD),
    "random_starts n_params": (lambda v: qbp.random_starts(2, v, 0), "n_params", COUNT_BAD),
    "random_starts seed": (lambda v: qbp.random_starts(2, 2, v), "seed", SEED_BAD),
    "optimize steps": (lambda v: qbp.optimize(CIRCUIT, COST, STARTS, "sgd", 0.1, v), "steps", COUNT_BAD),
    "optimize lr": (lambda v: qbp.optimize(CIRCUIT, COST, STARTS, "sgd", v, 2), "lr", POSITIVE_BAD),
    "optimize starts": (lambda v: qbp.optimize(CIRCUIT, COST, v, "sgd", 0.1, 2), "starts", POINTS_BAD),
    "optimize b1": (lambda v: qbp.optimize(CIRCUIT, COST, STARTS, "adam", 0.1, 2, b1=v), "b1", UNIT_BAD),
    "adam lr": (lambda v: qbp.adam(v), "lr", POSITIVE_BAD),
    "adam b2": (lambda v: qbp.adam(0.1, b2=v), "b2", UNIT_BAD),
    "adam eps": (lambda v: qbp.adam(0.1, eps=v), "eps", POSITIVE_BAD),
    "sgd lr": (lambda v: qbp.sgd(v), "lr", POSITIVE_BAD),
    "momentum beta": (lambda v: qbp.momentum(0.1, beta=v), "beta", UNIT_BAD),
    "rmsprop decay": (lambda v: qbp.rmsprop(0.1, decay=v), "decay", UNIT_BAD),
    "adagrad eps": (lambda v: qbp.adagrad(0.1, eps=v), "eps", POSITIVE_BAD),
    "evaluate theta": (lambda v: qbp.evaluate(CIRCUIT, COST, v), "theta", POINTS_BAD),
    "evaluate fourier theta": (lambda v: qbp.evaluate(CIRCUIT, COST, v, method="fourier"),
                               "theta", POINTS_BAD),
    "value_and_grad theta": (lambda v: qbp.value_and_grad(CIRCUIT, COST)[0](v), "theta", POINTS_BAD),
    "parameter_shift theta": (lambda v: qbp.parameter_shift(CIRCUIT, COST, v), "theta",
                              [(np.array([0.1j, 0.2]), TypeError), (np.array([np.nan, 0.2]), ValueError)]),
    "finite_difference h": (lambda v: finite_difference(CIRCUIT, COST, [0.1, 0.2], v), "h", POSITIVE_BAD),
    "nearest_index theta": (lambda v: nearest_index(v, 8), "theta", POINTS_BAD[:-1]),
    "deceptiveness_ratio tol": (lambda v: qbp.deceptiveness_ratio(LAND, v), "tol", TOL_BAD),
    "deceptive_mask tol": (lambda v: qbp.deceptive_mask(LAND, v), "tol", TOL_BAD),
    "Basins.ratio tol": (lambda v: qbp.basins(LAND).ratio(v), "tol", TOL_BAD),
    "refine_minimum n_starts": (lambda v: refine_minimum(LAND, COST, v), "n_starts", COUNT_BAD),
    "success_sweep n_starts": (lambda v: sweep(n_starts=v), "n_starts", COUNT_BAD),
    "success_sweep steps": (lambda v: sweep(steps=v), "steps", COUNT_BAD),
    "success_sweep seed": (lambda v: sweep(seed=v), "seed", SEED_BAD),
    "success_sweep lrs": (lambda v: sweep(lrs=[0.1, v]), "lrs", POSITIVE_BAD[2:]),
    "success_sweep chunk_starts": (lambda v: sweep(chunk_starts=v), "chunk_starts", COUNT_BAD),
    "success_sweep c_star_resolution": (lambda v: sweep(c_star_resolution=v), "resolution", COUNT_BAD),
    "gradient_free budget": (lambda v: free(budget=v), "budget", COUNT_BAD),
    "gradient_free n_starts": (lambda v: free(n_starts=v), "n_starts", COUNT_BAD),
    "gradient_free seed": (lambda v: free(seed=v), "seed", SEED_BAD),
    "gradient_free c_star": (lambda v: free(c_star=[v]), "c_star", REAL_BAD[1:]),
    "default_learning_rates count": (lambda v: default_learning_rates(v), "count", COUNT_BAD),
    "resolution_study resolutions": (lambda v: resolution_study(CIRCUIT, COST, (8, v), progress=False),
                                     "resolution", COUNT_BAD),
    "plateau_scan n_draws": (lambda v: scan(n_draws=v), "n_draws", COUNT_BAD),
    "plateau_scan n_boot": (lambda v: scan(n_boot=v), "n_boot", COUNT_BAD),
    "plateau_scan seed": (lambda v: scan(seed=v), "seed", SEED_BAD),
    "plateau_scan layers": (lambda v: scan(layers=v), "layers",  # a string other than "n"
                            [c if c[0] != "3" else ("3", ValueError) for c in COUNT_BAD]),
    "plateau_scan n_values": (lambda v: scan(n_values=[2, v]), "n_values", COUNT_BAD),
    "fit_decay variances": (lambda v: fit_decay([2, 3], [0.5, v]), "variances", REAL_BAD[2:]),
    "partial_derivative k": (lambda v: partial_derivative(CIRCUIT, [COST.matrix], STARTS, v), "k",
                             INDEX_BAD + [(2, ValueError)]),
    "run_tasks retries": (lambda v: run_tasks(abs, [1], retries=v, progress=False), "retries",
                          INDEX_BAD),
    "fourier_series max_coefficients": (lambda v: qbp.fourier_series(CIRCUIT, COST.matrix, v),
                                        "max_coefficients", COUNT_BAD),
}

PARAMS = [pytest.param(call, name, value, error, id=f"{case}={value!r}")
          for case, (call, name, bad) in CASES.items() for value, error in bad]


@pytest.mark.parametrize("call,name,value,error", PARAMS)
def test_refused_naming_the_argument(call, name, value, error):
    with pytest.raises(error, match=re.escape(name)):
        call(value)


# --- observables, targets: finite entries only ------------------------------------------------

@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_observable_with_a_non_finite_entry_refused(bad):
    H = qutip.Qobj(np.diag([1.0, bad, 0.0, 2.0]), dims=[[2, 2], [2, 2]])
    with pytest.raises(ValueError, match="H must have finite entries"):
        qbp.EnergyCost(H)
    with pytest.raises(ValueError, match="observable must have finite entries"):
        qbp.ObservableCost(H)


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_target_with_a_non_finite_amplitude_refused(bad):
    with pytest.raises(ValueError, match="target"):
        qbp.InfidelityCost(qutip.Qobj(np.array([[1.0], [bad]])))


def test_complex_field_refused():
    with pytest.raises(TypeError, match="h must be a real number"):
        qbp.tfim_hamiltonian(2, 1 + 0j)


# --- NumPy numbers are Python numbers ---------------------------------------------------------

I64, I32, F64 = np.int64, np.int32, np.float64


def test_numpy_counts_give_the_same_circuits_and_grids():
    assert qbp.default_circuit(I64(3), I32(2), "layer") == qbp.default_circuit(3, 2, "layer")
    assert qbp.Gate("RY", I64(1), param=np.uint8(0)) == qbp.Gate("RY", 1, param=0)
    assert (qbp.tfim_hamiltonian(I64(3), F64(0.5)) - qbp.tfim_hamiltonian(3, 0.5)).norm() == 0
    assert (qbp.LocalCost(I64(3)).observable - qbp.LocalCost(3).observable).norm() == 0
    np.testing.assert_array_equal(qbp.grid_axis(I32(12)), qbp.grid_axis(12))
    np.testing.assert_array_equal(qbp.grid_axis(np.array(12)), qbp.grid_axis(12))  # 0-d array
    np.testing.assert_array_equal(qbp.sample_landscape(CIRCUIT, COST, I64(8)).values, LAND.values)
    np.testing.assert_array_equal(default_learning_rates(I64(4)), default_learning_rates(4))


def test_numpy_numbers_give_the_same_runs():
    np.testing.assert_array_equal(qbp.random_starts(I64(5), I32(2), I64(3)), qbp.random_starts(5, 2, 3))
    a = qbp.optimize(CIRCUIT, COST, STARTS, "adam", F64(0.1), I64(5), b1=F64(0.8))
    b = qbp.optimize(CIRCUIT, COST, STARTS, "adam", 0.1, 5, b1=0.8)
    np.testing.assert_array_equal(a.params, b.params)
    c = qbp.optimize(CIRCUIT, COST, STARTS, "sgd", I64(1), 3)  # an integer learning rate
    np.testing.assert_array_equal(c.params, qbp.optimize(CIRCUIT, COST, STARTS, "sgd", 1.0, 3).params)
    (theta_a, c_a), (theta_b, c_b) = refine_minimum(LAND, COST, I64(2)), refine_minimum(LAND, COST, 2)
    np.testing.assert_array_equal(theta_a, theta_b)
    assert c_a == c_b


def test_numpy_numbers_give_the_same_ratios_and_rates():
    assert qbp.deceptiveness_ratio(LAND, F64(0.1)) == qbp.deceptiveness_ratio(LAND, 0.1)
    assert qbp.deceptiveness_ratio(LAND, np.float32(0.5)) == qbp.deceptiveness_ratio(LAND, 0.5)
    assert qbp.deceptiveness_ratio(LAND, I64(0)) == qbp.deceptiveness_ratio(LAND, 0.0)
    s = sweep(seed=I64(2), n_starts=I32(3), steps=I64(4))
    t = sweep(seed=2, n_starts=3, steps=4)
    np.testing.assert_array_equal(s.final_costs, t.final_costs)
    np.testing.assert_array_equal(s.success_rate(F64(0.5)), t.success_rate(0.5))
    f, g = free(seed=I64(1), budget=I64(4)), free(seed=1, budget=4)
    np.testing.assert_array_equal(f.final_costs, g.final_costs)


def test_numpy_numbers_give_the_same_scans():
    a = scan(n_values=np.arange(2, 5), n_draws=I64(10), n_boot=I32(10), seed=I64(1), layers=I64(2))
    b = scan(n_values=[2, 3, 4], n_draws=10, n_boot=10, seed=1, layers=2)
    np.testing.assert_array_equal(a.derivatives["global"], b.derivatives["global"])
    assert a.decay == b.decay and a.decay_err == b.decay_err
    assert isinstance(a.meta["seed"], int) and a.layers == 2
    study = resolution_study(CIRCUIT, COST, np.array([8, 16]), progress=False)
    assert study.resolutions.tolist() == [8, 16]


# --- the checks themselves --------------------------------------------------------------------

def test_check_helpers():
    assert check_int(np.uint16(7), "n") == 7 and type(check_int(np.int64(7), "n")) is int
    assert check_real(np.float32(0.25), "x") == 0.25 and type(check_real(I64(2), "x")) is float
    assert check_real(np.inf, "x", allow_inf=True) == np.inf
    assert check_tol(0) == 0.0 and check_seed(None) is None and check_seed(I64(4)) == 4
    np.testing.assert_array_equal(check_reals([1, 2.5], "xs", above=0), [1.0, 2.5])
    with pytest.raises(ValueError, match="x must be a finite real number >= 0 and < 1, got 1"):
        check_real(1, "x", minimum=0, below=1)
    with pytest.raises(ValueError, match="xs must have 1 dimension"):
        check_reals([[1.0]], "xs", ndim=(1,))
    with pytest.raises(ValueError, match="xs must not be empty"):
        check_reals([], "xs")
    with pytest.raises(TypeError, match="n must be an integer >= 1, got the bool"):
        check_int(np.bool_(True), "n", minimum=1)
    assert check_choice("b", "rule", ("a", "b")) == "b"
    with pytest.raises(ValueError, match=r"rule must be one of \['a', 'b'\], got 'c'"):
        check_choice("c", "rule", ["a", "b"])
    assert check_names("b", "names", ("a", "b")) == ("b",)
    assert check_names(["b", "a"], "names", {"a": 1, "b": 2}) == ("b", "a")  # order kept
    with pytest.raises(ValueError, match=r"names must name at least one of \('a', 'b'\)"):
        check_names([], "names", ("a", "b"))
    with pytest.raises(ValueError, match=r"names must be among \('a', 'b'\), got 'c'"):
        check_names(("a", "c"), "names", ("a", "b"))
