"""qbp.grid.wrap keeps every angle in the half-open interval [−T/2, T/2)."""

import numpy as np

from qbp.grid import wrap


def test_wrap_is_half_open_at_the_seam():
    below = np.nextafter(-np.pi, -4.0)  # a hair below −π: (θ + π) % 2π rounds to 2π
    out = wrap(np.array([[below], [-np.pi], [np.pi], [3 * np.pi], [0.5]]))
    assert out[:, 0].tolist() == [-np.pi, -np.pi, -np.pi, -np.pi, 0.5]
    out4 = wrap(np.array([[np.nextafter(-2 * np.pi, -7.0), 2 * np.pi]]), [4 * np.pi, 4 * np.pi])
    assert out4.tolist() == [[-2 * np.pi, -2 * np.pi]]


def test_wrap_per_parameter_periods_and_infinite_period():
    theta = np.array([[5.0, 5.0, 5.0]])
    out = wrap(theta, [2 * np.pi, 4 * np.pi, np.inf])
    np.testing.assert_allclose(out, [[5.0 - 2 * np.pi, 5.0, 5.0]], atol=1e-15)
