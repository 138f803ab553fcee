"""Projectile with quadratic drag in the plane: a square-root block for the speed.

Bush's first differential analyzer grew out of power-line transient problems
(T. Robinson, IEEE Control Systems Magazine 25(3), 2005), but the analyzers
built to its design at the Moore School and the Aberdeen Proving Ground worked
on the Army's firing tables, integrating shell trajectories through the Second
World War (S. Augarten, Bit by Bit, 1984, ch. 4; K. Kempf, Electronic Computers
within the Ordnance Corps, 1961, ch. 1).  In two dimensions the drag force points
against the velocity and grows with the square of the speed, so each
component is slowed by k·(component)·speed, and the speed √(u² + w²) needs a
square root, which Bush's machine took from an input table or a servo loop
and this circuit takes from a ``sqrt`` block.

Equations, with gravity g = ``g``, drag coefficient per unit mass k = ``k``
(1/m), muzzle velocity v0 = ``v0`` and elevation α = ``elevation`` (degrees)::

    x' = u,                     x(0) = 0
    y' = w,                     y(0) = 0
    u' = -k u √(u² + w²),       u(0) = v0 cos α
    w' = -g - k w √(u² + w²),   w(0) = v0 sin α

Blocks: integrators ``x``, ``y``, ``u`` and ``w``; multipliers ``u2`` and
``w2`` (the squares), adder ``speed2``, square-root block ``speed`` (kind
``sqrt``); multipliers ``u_speed`` and ``w_speed``; constant ``g``.  The drag
enters the integrators through wires of weight -k.  With k = 0 the shell
flies the vacuum parabola.  The square root's input must stay positive: the
shell may not stop dead, which it does only when fired straight up (so
|elevation| < 90).

Reference: scipy's DOP853 at rtol 1e-13, atol 1e-12 on the four hand-written
equations (there is no closed form, only a quadrature along the hodograph).
The default shell lands after about 6.6 s, 195 m away.  The solver runs at
rtol 1e-12 on signals up to 2500 (u² + w²); the error stays near 3e-9 (on
that sum; 4e-11 on the positions and velocities), so the tolerance 1e-7
leaves a margin of about thirty.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.integrate import OdeSolution

from analyzer.circuit import Circuit
from circuits._reference import tight_solve

TITLE = "Projectile with quadratic drag in the plane: a square-root block for the speed"
T_SPAN = (0.0, 6.0)
PROBES = ("x", "y")
PARAMS = {"g": 9.81, "k": 0.002, "v0": 50.0, "elevation": 45.0}
CHECK = {
    "t_eval": np.linspace(0.0, 6.0, 61),
    "rtol": 1e-12,
    "atol": 1e-12,
    # rtol 1e-12 × |u² + w²| ≤ 2500 × G 40 → 1e-7; measured 3.4e-9, margin 29×
    "tol": 1e-7,
}


def _check(g: float, k: float, v0: float, elevation: float) -> None:
    ok = all(map(math.isfinite, (g, k, v0, elevation)))
    if not ok or g <= 0.0 or k < 0.0 or v0 <= 0.0 or not -90 < elevation < 90:
        raise ValueError(
            "projectile_drag: needs finite g > 0, k >= 0, v0 > 0 and"
            f" -90 < elevation < 90 (degrees), got g={g!r}, k={k!r}, v0={v0!r},"
            f" elevation={elevation!r}"
        )


def build(
    *, g: float = 9.81, k: float = 0.002, v0: float = 50.0, elevation: float = 45.0
) -> Circuit:
    """A shell fired at ``v0`` and ``elevation`` against gravity and drag.

    Parameters
    ----------
    g : float
        Gravitational acceleration, > 0.
    k : float
        Drag coefficient per unit mass (1/m), >= 0 (0: no air).
    v0 : float
        Muzzle velocity, > 0.
    elevation : float
        Angle of the barrel above the horizontal, in degrees, in (-90, 90).

    Returns
    -------
    Circuit
        Integrators ``x``, ``y``, ``u``, ``w``; multipliers ``u2``, ``w2``,
        ``u_speed``, ``w_speed``; adder ``speed2``; sqrt block ``speed``;
        constant ``g``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, 7.0), rtol=1e-10, atol=1e-12)
    >>> landing = traj.crossings("y", 0.0, direction=-1)
    >>> print(f"lands after {landing[0]:.2f} s")
    lands after 6.58 s
    """
    _check(g, k, v0, elevation)
    return flight(g=g, k=k, v0=v0, elevation=elevation)


def flight(
    *,
    g: float,
    k: float,
    v0: float,
    elevation: float,
    scale_height: float | None = None,
) -> Circuit:
    """The shell's equations as a circuit, shared with ``exterior_ballistics``.

    The drag on each velocity component is k·ρ·speed·component, the speed
    coming from a ``sqrt`` block on u² + w²; ρ = 1, or the exponential
    atmosphere ρ = exp(-y/H) (an ``exp`` block ``density``) for
    ``scale_height`` H.
    """
    angle = math.radians(elevation)
    c = Circuit()
    c.integrator("x", initial=0.0)
    c.integrator("y", initial=0.0)
    c.integrator("u", initial=v0 * math.cos(angle))
    c.integrator("w", initial=v0 * math.sin(angle))
    for v in ("u", "w"):
        c.multiplier(f"{v}2")
        c.connect(v, f"{v}2", port="a")
        c.connect(v, f"{v}2", port="b")
    c.adder("speed2")
    c.connect("u2", "speed2")
    c.connect("w2", "speed2")
    c.add("speed", "sqrt")
    c.connect("speed2", "speed")
    drag = "speed"
    if scale_height is not None:
        c.gain("lapse", k=-1.0 / scale_height)
        c.connect("y", "lapse")
        c.add("density", "exp")
        c.connect("lapse", "density")
        drag = "drag"
        c.multiplier("drag")
        c.connect("density", "drag", port="a")
        c.connect("speed", "drag", port="b")
    for v in ("u", "w"):
        c.multiplier(f"{v}_{drag}")
        c.connect(v, f"{v}_{drag}", port="a")
        c.connect(drag, f"{v}_{drag}", port="b")
        c.connect(f"{v}_{drag}", v, weight=-k)
    c.constant("g", value=g)
    c.connect("g", "w", weight=-1.0)
    c.connect("u", "x")
    c.connect("w", "y")
    return c


@lru_cache(maxsize=8)
def _solve(g: float, k: float, u0: float, w0: float, t_end: float) -> OdeSolution:
    """The dense reference solution on [0, t_end] (cached)."""

    def rhs(_t: float, z: np.ndarray) -> np.ndarray:
        _, _, u, w = z
        speed = math.hypot(u, w)
        return np.array([u, w, -k * u * speed, -g - k * w * speed])

    return tight_solve(
        "projectile_drag", rhs, [0.0, 0.0, u0, w0], t_end,
        method="DOP853", rtol=1e-13, atol=1e-12,
    ).sol  # fmt: skip


def reference(
    t: np.ndarray,
    *,
    g: float = 9.81,
    k: float = 0.002,
    v0: float = 50.0,
    elevation: float = 45.0,
) -> dict[str, np.ndarray]:
    """A DOP853 solve (rtol 1e-13, atol 1e-12) of the hand-written equations."""
    _check(g, k, v0, elevation)
    t = np.asarray(t, dtype=float)
    angle = math.radians(elevation)
    u0, w0 = v0 * math.cos(angle), v0 * math.sin(angle)
    t_end = max(float(t.max(initial=0.0)), 1e-9)
    x, y, u, w = _solve(g, k, u0, w0, t_end)(t.reshape(-1)).reshape(4, *t.shape)
    speed = np.hypot(u, w)
    return {
        "x": x,
        "y": y,
        "u": u,
        "w": w,
        "u2": u * u,
        "w2": w * w,
        "speed2": u * u + w * w,
        "speed": speed,
        "u_speed": u * speed,
        "w_speed": w * speed,
        "g": np.full_like(t, g),
    }
