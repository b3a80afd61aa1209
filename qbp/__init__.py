"""qbp: parameter-shared variational circuits, their landscapes and gradients.

Data flows one way: :class:`Circuit` → cost → :class:`Landscape` → analyses → figures.
"""

from ._version import __version__

from .circuit import MAX_QUBITS, SHARING_SCHEMES, Circuit, Gate, default_circuit
from .ansatz import alternating_circuit, light_cone
from .cost import EnergyCost, GlobalCost, InfidelityCost, LocalCost, ObservableCost
from .deceptiveness import Basins, basins, deceptive_mask, deceptiveness_ratio
from .engines import METHODS, evaluate, value_and_grad
from .flow import FlowResult, flow_deceptiveness
from .fourier import FourierSeries, fourier_series
from .gradients import finite_difference, parameter_shift
from .grid import gradient_magnitude, grid_axis, grid_difference
from .hamiltonians import ground_energy, maxcut_hamiltonian, pauli_sum, tfim_hamiltonian
from .landscape import Landscape, load_landscape, sample_landscape, sample_landscapes
from .optim import OPTIMIZERS, Optimizer, adagrad, adam, momentum, rmsprop, sgd
from .qasm import read_qasm
from .trajectories import Trajectories, optimize, random_starts

__all__ = [
    "__version__", "MAX_QUBITS", "SHARING_SCHEMES", "METHODS",
    "Gate", "Circuit", "default_circuit", "alternating_circuit", "light_cone",
    "tfim_hamiltonian", "ground_energy", "pauli_sum", "maxcut_hamiltonian", "read_qasm",
    "ObservableCost", "EnergyCost", "InfidelityCost", "GlobalCost", "LocalCost",
    "evaluate", "FourierSeries", "fourier_series",
    "parameter_shift", "finite_difference", "grid_difference", "gradient_magnitude",
    "Landscape", "grid_axis", "sample_landscape", "sample_landscapes", "load_landscape",
    "Basins", "basins", "deceptive_mask", "deceptiveness_ratio", "value_and_grad",
    "Optimizer", "OPTIMIZERS", "sgd", "momentum", "rmsprop", "adagrad", "adam",
    "Trajectories", "optimize", "random_starts",
    "FlowResult", "flow_deceptiveness",
]
