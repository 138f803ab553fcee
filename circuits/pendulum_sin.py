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

import numpy as np

from analyzer.circuit import Circuit
from circuits import pendulum

TITLE = "Pendulum at large amplitude: θ'' = -(g/L) sin θ with a sine block"
# The same pendulum as the hand-wired entry: same span, parameters and check.
T_SPAN, PROBES, PARAMS = pendulum.T_SPAN, pendulum.PROBES, pendulum.PARAMS
CHECK = pendulum.CHECK  # its derivation holds; measured 1.6e-9, margin 62×


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
    >>> bool(abs((down[1] - down[0]) - pendulum.period()) < 1e-8)  # as there; 3e-12
    True
    """
    pendulum._check(g, length, theta0, "pendulum_sin")
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
    pendulum._check(g, length, theta0, "pendulum_sin")
    exact = pendulum.reference(t, g=g, length=length, theta0=theta0)
    return {
        "theta": exact["theta"],
        "omega": exact["omega"],
        "sin_theta": exact["s"],
        "torque": exact["torque"],
    }
