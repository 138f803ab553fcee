"""Pendulum at large amplitude: θ'' = -(g/L) sin θ with sin, cos as integrators.

The pendulum equation θ'' = -(g/L) sin θ needs the sine of a signal, and a
differential analyzer has no sine block.  The way round it is to make sin θ
and cos θ as states: they obey s' = c θ' and c' = -s θ', which are products of
signals the machine already has.  This was how an analyzer's operators made
such functions; Shannon's theory of the machine (J. Math. Phys. 20, 1941,
337-354) explains why it always works for the functions it generates.  This is the sin/cos loop of
``sine_cosine`` driven by the pendulum's angular velocity instead of the
clock, and it makes the whole system polynomial.

Equations, with ω0² = g/L (g = ``g``, L = ``length``), released from rest at
θ0 = ``theta0``::

    theta' = omega,       theta(0) = θ0
    omega' = -ω0² s,      omega(0) = 0
    s'     =  c omega,    s(0) = sin θ0
    c'     = -s omega,    c(0) = cos θ0

Blocks: integrators ``theta``, ``omega``, ``s`` and ``c``; multipliers
``c_omega`` and ``s_omega``; gain ``torque`` (k = -g/L).

Reference: the exact solution by Jacobi elliptic functions.  With modulus
k = sin(θ0/2), parameter m = k², quarter period K = K(m) and u = K - ω0 t::

    sin(θ/2) = k sn(u | m),   omega = -2 k ω0 cn(u | m),
    s = 2 k sn dn,            c = 1 - 2 k² sn²,

and the period is 4 K / ω0 (see :func:`period`); scipy.special.ellipj is
accurate to about 1e-15 here.  The solver runs at rtol 1e-11 over about four
periods; the error stays near 2e-9 (on the torque, of size up to 9), so the
tolerance 1e-7 leaves a margin of about sixty.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from analyzer.circuit import Circuit

TITLE = "Pendulum at large amplitude: θ'' = -(g/L) sin θ with sin, cos as integrators"
T_SPAN = (0.0, 10.0)
PROBES = ("theta", "omega")
PARAMS = {"g": 9.81, "length": 1.0, "theta0": 2.0}
CHECK = {
    "t_eval": np.linspace(0.0, 10.0, 101),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |torque| ≤ 9.8 × G 1000 (four periods) → 1e-7; measured 1.6e-9,
    # margin 62×
    "tol": 1e-7,
}


def _check(g: float, length: float, theta0: float, name: str = "pendulum") -> None:
    ok = all(map(math.isfinite, (g, length, theta0)))
    if not ok or g <= 0.0 or length <= 0.0 or not abs(theta0) < math.pi:
        raise ValueError(
            f"{name}: needs finite g > 0, length > 0 and |theta0| < pi"
            f" (release from rest below the top), got g={g!r}, length={length!r},"
            f" theta0={theta0!r}"
        )


def period(*, g: float = 9.81, length: float = 1.0, theta0: float = 2.0) -> float:
    """The exact period 4 K(sin²(θ0/2)) / √(g/L).

    Examples
    --------
    >>> round(period(theta0=1e-6) / (2 * math.pi * math.sqrt(1.0 / 9.81)), 9)
    1.0
    """
    _check(g, length, theta0)
    return (
        4.0 * float(special.ellipk(math.sin(theta0 / 2.0) ** 2)) / math.sqrt(g / length)
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
        Integrators ``theta``, ``omega``, ``s`` (sin θ), ``c`` (cos θ);
        multipliers ``c_omega`` and ``s_omega``; gain ``torque``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, 4.0), rtol=1e-11, atol=1e-12)
    >>> down = traj.crossings("theta", 0.0, direction=-1)  # at T/4 and 5T/4
    >>> bool(abs((down[1] - down[0]) - period()) < 1e-8)  # rtol × θ0 2 × G 500; 3e-12
    True
    """
    _check(g, length, theta0)
    c = Circuit()
    c.integrator("theta", initial=theta0)
    c.integrator("omega", initial=0.0)
    c.integrator("s", initial=math.sin(theta0))
    c.integrator("c", initial=math.cos(theta0))
    c.multiplier("c_omega")
    c.connect("c", "c_omega", port="a")
    c.connect("omega", "c_omega", port="b")
    c.multiplier("s_omega")
    c.connect("s", "s_omega", port="a")
    c.connect("omega", "s_omega", port="b")
    c.gain("torque", k=-g / length)
    c.connect("s", "torque")
    c.connect("omega", "theta")
    c.connect("torque", "omega")
    c.connect("c_omega", "s")
    c.connect("s_omega", "c", weight=-1.0)
    return c


def reference(
    t: np.ndarray, *, g: float = 9.81, length: float = 1.0, theta0: float = 2.0
) -> dict[str, np.ndarray]:
    """The exact motion from Jacobi's elliptic functions."""
    _check(g, length, theta0)
    t = np.asarray(t, dtype=float)
    k = math.sin(theta0 / 2.0)
    m = k * k
    w0 = math.sqrt(g / length)
    sn, cn, dn, _ = special.ellipj(float(special.ellipk(m)) - w0 * t, m)
    theta = 2.0 * np.arcsin(k * sn)
    omega = -2.0 * k * w0 * cn
    s = 2.0 * k * sn * dn
    c = 1.0 - 2.0 * m * sn * sn
    return {
        "theta": theta,
        "omega": omega,
        "s": s,
        "c": c,
        "c_omega": c * omega,
        "s_omega": s * omega,
        "torque": -(w0**2) * s,
    }
