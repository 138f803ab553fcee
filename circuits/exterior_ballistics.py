"""Exterior ballistics: a long-range shell in an exponential atmosphere.

A shell that climbs kilometres meets thinner air on the way: the drag
coefficient falls with the air density, ρ(y) = ρ0 exp(-y/H) in an isothermal
atmosphere of scale height H.  Range tables for such fire were the work of the
Ballistic Research Laboratory at Aberdeen, first on its Bush differential
analyzer and later on ENIAC, which was dedicated at the Moore School in
February 1946 and put into operation at Aberdeen in 1947 (K. Kempf,
Electronic Computers within the Ordnance Corps, 1961, ch. 1).  The parameters are the cannon-shell example
of Giordano and Nakanishi's *Computational Physics* (2nd ed., 2006, sec. 2.2):
drag B2/m = 4e-5 per metre at sea level, H = 10 km, muzzle velocity 700 m/s.
The thin air near the apex (8.2 km up) stretches the range from about 21.7 km
(constant density) to 26.6 km.

The circuit works in kilometres and seconds, so that every signal stays of
order one, as an analog programmer would scale it.  Equations, with gravity
g = ``g`` (km/s²), sea-level drag coefficient per unit mass k = ``k`` (1/km),
scale height H = ``scale_height`` (km), muzzle velocity v0 = ``v0`` (km/s) and
elevation α = ``elevation`` (degrees)::

    x' = u,                                  x(0) = 0
    y' = w,                                  y(0) = 0
    u' = -k exp(-y/H) u √(u² + w²),          u(0) = v0 cos α
    w' = -g - k exp(-y/H) w √(u² + w²),      w(0) = v0 sin α

Blocks: integrators ``x``, ``y``, ``u`` and ``w``; gain ``lapse``
(k = -1/H) and exponential block ``density`` (kind ``exp``), the air density
relative to sea level; multipliers ``u2``, ``w2``, adder ``speed2`` and
square-root block ``speed`` (kind ``sqrt``); multiplier ``drag`` (density
times speed) and multipliers ``u_drag``, ``w_drag`` feeding the velocities
through wires of weight -k; constant ``g``.

Reference: scipy's DOP853 at rtol 1e-13, atol 1e-14 on the four hand-written
equations (there is no closed form).  The shell lands after 81.5 s; the span
ends at 80 s.  The solver runs at rtol 1e-11 on signals up to 26 (x, in km);
the error stays near 2e-11 (on x; the reference itself is good to 2e-12), so
the tolerance 1e-9 leaves a margin of about sixty.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.integrate import OdeSolution

from analyzer.circuit import Circuit
from circuits._reference import tight_solve
from circuits.projectile_drag import flight

TITLE = "Exterior ballistics: a long-range shell in an exponential atmosphere"
T_SPAN = (0.0, 80.0)
PROBES = ("x", "y")
PARAMS = {
    "g": 9.81e-3,
    "k": 0.04,
    "scale_height": 10.0,
    "v0": 0.7,
    "elevation": 45.0,
}
CHECK = {
    "t_eval": np.linspace(0.0, 80.0, 81),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |x| ≤ 26 × G 4 → 1e-9; measured 1.5e-11, margin 65×
    "tol": 1e-9,
}


def _check(g: float, k: float, scale_height: float, v0: float, elevation: float):
    ok = all(map(math.isfinite, (g, k, scale_height, v0, elevation)))
    if (
        not ok
        or g <= 0.0
        or k < 0.0
        or scale_height <= 0.0
        or v0 <= 0.0
        or not -90.0 < elevation < 90.0
    ):
        raise ValueError(
            "exterior_ballistics: needs finite g > 0, k >= 0, scale_height > 0,"
            f" v0 > 0 and -90 < elevation < 90 (degrees), got g={g!r}, k={k!r},"
            f" scale_height={scale_height!r}, v0={v0!r}, elevation={elevation!r}"
        )


def build(
    *,
    g: float = 9.81e-3,
    k: float = 0.04,
    scale_height: float = 10.0,
    v0: float = 0.7,
    elevation: float = 45.0,
) -> Circuit:
    """A shell fired at ``v0`` and ``elevation`` into an exponential atmosphere.

    Parameters
    ----------
    g : float
        Gravitational acceleration (km/s²), > 0.
    k : float
        Drag coefficient per unit mass at sea level (1/km), >= 0.
    scale_height : float
        Height over which the air density falls by the factor e (km), > 0.
    v0 : float
        Muzzle velocity (km/s), > 0.
    elevation : float
        Angle of the barrel above the horizontal, in degrees, in (-90, 90)
        (a shell fired straight up stops dead at the apex, where the speed's
        square root leaves its domain).

    Returns
    -------
    Circuit
        Integrators ``x``, ``y``, ``u``, ``w``; gain ``lapse``; exp block
        ``density``; multipliers ``u2``, ``w2``, ``drag``, ``u_drag``,
        ``w_drag``; adder ``speed2``; sqrt block ``speed``; constant ``g``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, 90.0), rtol=1e-10, atol=1e-12)
    >>> print(f"lands after {traj.crossings('y', 0.0, direction=-1)[0]:.2f} s")
    lands after 81.50 s
    >>> print(f"at the apex after {traj.crossings('w', 0.0)[0]:.2f} s")
    at the apex after 38.21 s
    """
    _check(g, k, scale_height, v0, elevation)
    return flight(g=g, k=k, v0=v0, elevation=elevation, scale_height=scale_height)


@lru_cache(maxsize=8)
def _solve(
    g: float, k: float, h: float, u0: float, w0: float, t_end: float
) -> OdeSolution:
    """The dense reference solution on [0, t_end] (cached)."""

    def rhs(_t: float, z: np.ndarray) -> np.ndarray:
        _, y, u, w = z
        drag = k * math.exp(-y / h) * math.hypot(u, w)
        return np.array([u, w, -drag * u, -g - drag * w])

    return tight_solve(
        "exterior_ballistics", rhs, [0.0, 0.0, u0, w0], t_end,
        method="DOP853", rtol=1e-13, atol=1e-14,
    ).sol  # fmt: skip


def reference(
    t: np.ndarray,
    *,
    g: float = 9.81e-3,
    k: float = 0.04,
    scale_height: float = 10.0,
    v0: float = 0.7,
    elevation: float = 45.0,
) -> dict[str, np.ndarray]:
    """A DOP853 solve (rtol 1e-13, atol 1e-14) of the hand-written equations."""
    _check(g, k, scale_height, v0, elevation)
    t = np.asarray(t, dtype=float)
    angle = math.radians(elevation)
    u0, w0 = v0 * math.cos(angle), v0 * math.sin(angle)
    t_end = max(float(t.max(initial=0.0)), 1e-9)
    solution = _solve(g, k, scale_height, u0, w0, t_end)
    x, y, u, w = solution(t.reshape(-1)).reshape(4, *t.shape)
    density = np.exp(-y / scale_height)
    speed = np.hypot(u, w)
    drag = density * speed
    return {
        "x": x,
        "y": y,
        "u": u,
        "w": w,
        "lapse": -y / scale_height,
        "density": density,
        "u2": u * u,
        "w2": w * w,
        "speed2": u * u + w * w,
        "speed": speed,
        "drag": drag,
        "u_drag": u * drag,
        "w_drag": w * drag,
        "g": np.full_like(t, g),
    }
