"""Pendulum at large amplitude: θ'' = -(g/L) sin θ with a sine block.

The same pendulum as ``pendulum``, written the way an electronic analog
computer with a sine-cosine generator (a resolver, or a diode function
generator) would patch it: the angle goes into a ``sin`` block and the block's
output, scaled by -g/L, drives the angular velocity.  The compiler lowers the
block by Shannon's construction, the one ``pendulum`` wires by hand: sin θ and
its companion cos θ become states with s' = c θ' and c' = -s θ'.  Both
circuits compile to the same four equations, which is the point of comparing
them.

Equations, with ω0² = g/L (g = ``g``, L = ``length``), released from rest at
θ0 = ``theta0``::

    theta' = omega,              theta(0) = θ0
    omega' = -ω0² sin(theta),    omega(0) = 0

Blocks: integrators ``theta`` and ``omega``; the function block ``sin_theta``
(kind ``sin``); gain ``torque`` (k = -g/L).

Reference: the exact solution by Jacobi elliptic functions, taken from
:func:`circuits.pendulum.reference` (sin(θ/2) = k sn(K - ω0 t | k²) with
k = sin(θ0/2)).  The solver runs at rtol 1e-11 over about four periods; the
error stays near 2e-9 (on the torque, of size up to 9), so the tolerance 1e-7
leaves a margin of about fifty.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit
from circuits import pendulum

TITLE = "Pendulum at large amplitude: θ'' = -(g/L) sin θ with a sine block"
T_SPAN = (0.0, 10.0)
PROBES = ("theta", "omega")
PARAMS = {"g": 9.81, "length": 1.0, "theta0": 2.0}
CHECK = {
    "t_eval": np.linspace(0.0, 10.0, 101),
    "rtol": 1e-11,
    "atol": 1e-12,
    "tol": 1e-7,
}


def _check(g: float, length: float, theta0: float) -> None:
    ok = all(map(math.isfinite, (g, length, theta0)))
    if not ok or g <= 0.0 or length <= 0.0 or not abs(theta0) < math.pi:
        raise ValueError(
            "pendulum_sin: needs finite g > 0, length > 0 and |theta0| < pi"
            f" (release from rest below the top), got g={g!r}, length={length!r},"
            f" theta0={theta0!r}"
        )


def build(*, g: float = 9.81, length: float = 1.0, theta0: float = 2.0) -> Circuit:
    """A pendulum of length ``length`` released from rest at angle ``theta0``.

    Parameters
    ----------
    g : float
        Gravitational acceleration, > 0.
    length : float
        Length of the pendulum, > 0.
    theta0 : float
        Release angle in radians, |theta0| < π.

    Returns
    -------
    Circuit
        Integrators ``theta`` and ``omega``; sine block ``sin_theta``; gain
        ``torque``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> from analyzer import compile_circuit, simulate
    >>> print(compile_circuit(build()))
    omega' = -9.81·sin_theta
    theta' = omega
    sin_theta' = omega·sin_theta.cos
    sin_theta.cos' = -omega·sin_theta
    >>> traj = simulate(build(), (0.0, 4.0), rtol=1e-11, atol=1e-12)
    >>> down = traj.crossings("theta", 0.0, direction=-1)  # at T/4 and 5T/4
    >>> bool(abs((down[1] - down[0]) - pendulum.period()) < 1e-8)
    True
    """
    _check(g, length, theta0)
    c = Circuit()
    c.integrator("theta", initial=theta0)
    c.integrator("omega", initial=0.0)
    c.add("sin_theta", "sin")
    c.connect("theta", "sin_theta")
    c.gain("torque", k=-g / length)
    c.connect("sin_theta", "torque")
    c.connect("omega", "theta")
    c.connect("torque", "omega")
    return c


def reference(
    t: np.ndarray, *, g: float = 9.81, length: float = 1.0, theta0: float = 2.0
) -> dict[str, np.ndarray]:
    """The exact motion from Jacobi's elliptic functions (as in ``pendulum``)."""
    _check(g, length, theta0)
    exact = pendulum.reference(t, g=g, length=length, theta0=theta0)
    return {
        "theta": exact["theta"],
        "omega": exact["omega"],
        "sin_theta": exact["s"],
        "torque": exact["torque"],
    }
