"""Damped oscillator: x'' + 2ζω x' + ω² x = 0.

The quick-start program of electronic analog computers (THE ANALOG THING opens
with it) and the shape of most of what Bush's machine was built for: the
transients of electric circuits, power lines and machines are damped
oscillators.  Two integrators in a chain turn the acceleration into the
velocity and the position; two gains (potentiometers on an electronic machine,
gear boxes on a mechanical one) feed back the friction and the spring force.

Equations, with damping ratio ζ = ``zeta`` and natural frequency
ω = ``omega``::

    x'' + 2ζω x' + ω² x = 0,   x(0) = x0,  x'(0) = v0

wired as ``x' = v``, ``v' = damping + spring`` with ``damping = -2ζω v`` and
``spring = -ω² x``.

Reference: the closed form, for any real ζ.  With a = ζω and
Ω² = ω²(1 - ζ²) (Ω may be imaginary)::

    x(t) = exp(-a t) (x0 C(t) + (v0 + a x0) S(t))
    v(t) = exp(-a t) (v0 C(t) - (a v0 + ω² x0) S(t))

where C = cos Ωt and S = sin(Ωt)/Ω when ζ² < 1 (underdamped), C = cosh|Ω|t
and S = sinh(|Ω|t)/|Ω| when ζ² > 1 (overdamped), and C = 1, S = t when
ζ² = 1 (critical damping).  The solver runs at rtol 1e-10 on a solution that
decays from 1; its global error stays near 1e-10, so the tolerance 1e-8 leaves
a margin of about eighty.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Damped oscillator: x'' + 2ζω x' + ω² x = 0"
T_SPAN = (0.0, 30.0)
PROBES = ("x", "v")
PARAMS = {"zeta": 0.1, "omega": 1.0, "x0": 1.0, "v0": 0.0}
CHECK = {
    "t_eval": np.linspace(0.0, 30.0, 121),
    "rtol": 1e-10,
    "atol": 1e-12,
    # rtol 1e-10 × |x|, |v| ≤ 1 × G 100 → 1e-8; measured 1.2e-10, margin 86×
    "tol": 1e-8,
}


def _check(zeta: float, omega: float, x0: float, v0: float) -> None:
    bad = {k: v for k, v in locals().items() if not math.isfinite(v)}
    if bad:
        raise ValueError(f"damped_oscillator: parameters must be finite, got {bad}")
    if omega <= 0.0:
        raise ValueError(
            f"damped_oscillator: omega must be positive, got {omega!r};"
            " it is the natural angular frequency"
        )


def build(
    *, zeta: float = 0.1, omega: float = 1.0, x0: float = 1.0, v0: float = 0.0
) -> Circuit:
    """The damped oscillator x'' + 2ζω x' + ω² x = 0.

    Parameters
    ----------
    zeta : float
        Damping ratio ζ: below 1 underdamped, 1 critical, above 1 overdamped,
        negative for an oscillation that grows.
    omega : float
        Natural angular frequency ω > 0.
    x0, v0 : float
        Initial position and velocity.

    Returns
    -------
    Circuit
        Integrators ``x`` and ``v``, gains ``damping`` and ``spring``.

    Raises
    ------
    ValueError
        If a parameter is not finite or ``omega`` is not positive.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(zeta=1.0), (0.0, 1.0), rtol=1e-10, atol=1e-12)
    >>> round(float(traj["x"][-1]), 8)  # critical damping: (1 + t) exp(-t)
    0.73575888
    """
    _check(zeta, omega, x0, v0)
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v", initial=v0)
    c.gain("damping", k=-2.0 * zeta * omega)
    c.gain("spring", k=-(omega**2))
    c.connect("v", "x")
    c.connect("v", "damping")
    c.connect("x", "spring")
    c.connect("damping", "v")
    c.connect("spring", "v")
    return c


def reference(
    t: np.ndarray,
    *,
    zeta: float = 0.1,
    omega: float = 1.0,
    x0: float = 1.0,
    v0: float = 0.0,
) -> dict[str, np.ndarray]:
    """The closed-form x, v and the two feedback signals at times ``t``."""
    _check(zeta, omega, x0, v0)
    t = np.asarray(t, dtype=float)
    a = zeta * omega
    disc = omega**2 * (1.0 - zeta**2)  # Ω²
    if disc > 0.0:
        w = math.sqrt(disc)
        cc, ss = np.cos(w * t), np.sin(w * t) / w
    elif disc < 0.0:
        w = math.sqrt(-disc)
        cc, ss = np.cosh(w * t), np.sinh(w * t) / w
    else:
        cc, ss = np.ones_like(t), t.copy()
    decay = np.exp(-a * t)
    x = decay * (x0 * cc + (v0 + a * x0) * ss)
    v = decay * (v0 * cc - (a * v0 + omega**2 * x0) * ss)
    return {"x": x, "v": v, "damping": -2.0 * a * v, "spring": -(omega**2) * x}
