"""Vertical shot with quadratic drag: v' = -g - k v², up to the apex.

Exterior ballistics was the main work of the differential analyzers at the
Aberdeen Proving Ground and the Moore School, though not of MIT's or
Manchester's: Aberdeen ran firing tables on its Bush machine, and the same
workload later motivated ENIAC (K. Kempf, Electronic Computers within the
Ordnance Corps, 1961, ch. 1).  Bush's 1931 paper set up a falling body with
drag as its worked example (J. Franklin Inst. 212, 447-488).  This is the one-dimensional core of such a
problem: a projectile fired straight up, slowed by gravity and by a drag force
proportional to the square of its speed.

Equations, with gravity g = ``g``, drag coefficient per unit mass k = ``k``
(in 1/m) and muzzle velocity v0 = ``v0``, for the upward phase v ≥ 0::

    v' = -g - k v²,   v(0) = v0
    h' = v,           h(0) = 0

Blocks: integrators ``h`` and ``v``; constant ``g``; multiplier ``v2`` = v·v;
gain ``drag`` = -k·v2.  The law -k v² holds while the shot rises; on the way
down drag changes sign (-k v|v|), which is not a polynomial, so the default
span ends at the apex.

Reference: the closed form.  With φ0 = atan(v0 √(k/g)) and φ = φ0 - √(gk) t::

    v(t) = √(g/k) tan φ
    h(t) = ln(cos φ / cos φ0) / k

and the apex is reached at T = φ0 / √(gk).  The solver runs at rtol 1e-11 on
signals up to v0 = 50 m/s, h ≈ 103 m and v² = 2500; its error stays near
1e-9 (on v²), so the tolerance 1e-7 leaves a margin of about eighty.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Vertical shot with quadratic drag: v' = -g - k v², up to the apex"
PARAMS = {"g": 9.81, "k": 0.002, "v0": 50.0}


def _check(g: float, k: float, v0: float) -> None:
    if not all(map(math.isfinite, (g, k, v0))) or g <= 0.0 or k <= 0.0 or v0 < 0.0:
        raise ValueError(
            "vertical_shot: needs finite g > 0, k > 0 and v0 >= 0,"
            f" got g={g!r}, k={k!r}, v0={v0!r}"
        )


def apex_time(*, g: float = 9.81, k: float = 0.002, v0: float = 50.0) -> float:
    """The time T = atan(v0 √(k/g)) / √(gk) at which the shot stops rising.

    Examples
    --------
    >>> round(apex_time(), 6)
    4.426373
    """
    _check(g, k, v0)
    return math.atan(v0 * math.sqrt(k / g)) / math.sqrt(g * k)


T_SPAN = (0.0, apex_time(**PARAMS))
PROBES = ("h", "v")
CHECK = {
    "t_eval": np.linspace(*T_SPAN, 81),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |v²| ≤ 2500 × G 4 → 1e-7; measured 1.3e-9, margin 79×
    "tol": 1e-7,
}


def build(*, g: float = 9.81, k: float = 0.002, v0: float = 50.0) -> Circuit:
    """A shot fired straight up at ``v0`` against gravity and quadratic drag.

    Parameters
    ----------
    g : float
        Gravitational acceleration, > 0.
    k : float
        Drag coefficient per unit mass (1/m), > 0.
    v0 : float
        Muzzle velocity, >= 0.

    Returns
    -------
    Circuit
        Integrators ``h`` and ``v``; constant ``g``; multiplier ``v2``; gain
        ``drag``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), T_SPAN, rtol=1e-11, atol=1e-12)
    >>> abs(float(traj["v"][-1])) < 1e-8  # at rest at the apex: rtol × 50 × G 20; 2.6e-12
    True
    """
    _check(g, k, v0)
    c = Circuit()
    c.integrator("h", initial=0.0)
    c.integrator("v", initial=v0)
    c.constant("g", value=g)
    c.multiplier("v2")
    c.connect("v", "v2", port="a")
    c.connect("v", "v2", port="b")
    c.gain("drag", k=-k)
    c.connect("v2", "drag")
    c.connect("v", "h")
    c.connect("g", "v", weight=-1.0)
    c.connect("drag", "v")
    return c


def reference(
    t: np.ndarray, *, g: float = 9.81, k: float = 0.002, v0: float = 50.0
) -> dict[str, np.ndarray]:
    """The closed-form height and velocity (valid while φ > -π/2)."""
    _check(g, k, v0)
    t = np.asarray(t, dtype=float)
    phi0 = math.atan(v0 * math.sqrt(k / g))
    phi = phi0 - math.sqrt(g * k) * t
    v = math.sqrt(g / k) * np.tan(phi)
    h = np.log(np.cos(phi) / math.cos(phi0)) / k
    return {"h": h, "v": v, "g": np.full_like(t, g), "v2": v * v, "drag": -k * v * v}
