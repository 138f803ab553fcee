"""Kepler orbit: r'' = -μ r/|r|³ in the plane, with a power block for |r|^-3.

Newton's inverse-square law gives Kepler's ellipses; orbit and trajectory
problems (satellites, re-entry, the lunar missions) were standing work for
the large electronic analog installations of the 1950s and 60s, whose function
generators supplied the awkward |r|^-3.  Here a ``power`` block with
p = -1.5 applied to x² + y² supplies it, and the compiler turns it into states
(w = u^p with w' = p·w·(1/u)·u').

Equations, with gravitational parameter μ = ``mu``, semi-major axis
a = ``a`` and eccentricity e = ``e``, starting at perihelion::

    x'  = vx,                     x(0)  = a (1 - e)
    y'  = vy,                     y(0)  = 0
    vx' = -μ x (x² + y²)^(-3/2),  vx(0) = 0
    vy' = -μ y (x² + y²)^(-3/2),  vy(0) = √(μ (1 + e) / (a (1 - e)))

Blocks: integrators ``x``, ``y``, ``vx`` and ``vy``; multipliers ``x2`` and
``y2``, adder ``r2``; power block ``inv_r3`` (kind ``power``, p = -1.5);
multipliers ``x_inv_r3`` and ``y_inv_r3`` feeding the velocities through
wires of weight -μ.

Reference: the closed-form orbit.  With mean motion n = √(μ/a³), the mean
anomaly M = n t, the eccentric anomaly E from Kepler's equation
M = E - e sin E (solved by Newton's method to machine precision, see
:func:`eccentric_anomaly`) and b = a √(1 - e²)::

    x = a (cos E - e),   y = b sin E,   r = a (1 - e cos E),
    vx = -a n sin E / (1 - e cos E),    vy = b n cos E / (1 - e cos E).

The energy v²/2 - μ/r = -μ/(2a) and the angular momentum
x vy - y vx = √(μ a (1 - e²)) are conserved.  The solver runs at rtol 1e-12,
atol 1e-14 over two periods of an ellipse of eccentricity 0.5, on signals up
to 8 (|r|^-3 at perihelion, which magnifies an error in r 48-fold); the error
stays near 5e-10 on that signal (5e-11 on positions and velocities), so the
tolerance 1e-8 leaves a margin of about twenty.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Kepler orbit: r'' = -μ r/|r|³ in the plane, with a power block for |r|^-3"
PARAMS = {"mu": 1.0, "a": 1.0, "e": 0.5}
T_SPAN = (0.0, 4.0 * math.pi)  # two periods 2π √(a³/μ)
PROBES = ("x", "y")
CHECK = {
    "t_eval": np.linspace(0.0, 4.0 * math.pi, 161),
    "rtol": 1e-12,
    "atol": 1e-14,
    # rtol 1e-12 × |1/r³| ≤ 8 × 3 (1/r³ triples r's relative error) × G 400 (two orbits)
    # → 1e-8; measured 4.0e-10, margin 25×
    "tol": 1e-8,
}


def _check(mu: float, a: float, e: float) -> None:
    if not all(map(math.isfinite, (mu, a, e))) or mu <= 0.0 or a <= 0.0:
        raise ValueError(
            f"kepler: needs finite mu > 0 and a > 0, got mu={mu!r}, a={a!r}"
        )
    if not 0.0 <= e < 1.0:
        raise ValueError(
            f"kepler: needs an ellipse, eccentricity 0 <= e < 1, got e={e!r}"
        )


def period(*, mu: float = 1.0, a: float = 1.0, e: float = 0.5) -> float:
    """The orbital period 2π √(a³/μ) (Kepler's third law).

    Examples
    --------
    >>> period() == 2 * math.pi
    True
    """
    _check(mu, a, e)
    return 2.0 * math.pi * math.sqrt(a**3 / mu)


def eccentric_anomaly(mean_anomaly: np.ndarray, e: float) -> np.ndarray:
    """E solving Kepler's equation M = E - e sin E, by Newton's method.

    The start E = M + e sin M (or π for large e) converges for every M and
    0 <= e < 1; iteration stops when no step exceeds 4 ulp of 2π.

    Examples
    --------
    >>> E = eccentric_anomaly(np.array([0.3, 2.0, 5.0]), 0.9)
    >>> residual = np.abs(E - 0.9 * np.sin(E) - [0.3, 2.0, 5.0])  # 4 roundings
    >>> bool(np.all(residual <= 4 * np.spacing(5.0)))  # 3.6e-15; measured 6e-17
    True
    """
    m = np.asarray(mean_anomaly, dtype=float)
    # reduce to [-π, π) so that the iteration works on small numbers
    turns = np.floor((m + math.pi) / (2.0 * math.pi))
    m = m - 2.0 * math.pi * turns
    big = np.full_like(m, math.pi) * np.sign(m)
    E = m + e * np.sin(m) if e < 0.8 else big
    for _ in range(60):
        step = (E - e * np.sin(E) - m) / (1.0 - e * np.cos(E))
        E = E - step
        if np.all(np.abs(step) <= 4.0 * np.spacing(2.0 * math.pi)):
            break
    else:  # pragma: no cover - Newton converges in a few steps here
        raise RuntimeError(f"kepler: Newton's method did not converge for e={e}")
    return E + 2.0 * math.pi * turns


def build(*, mu: float = 1.0, a: float = 1.0, e: float = 0.5) -> Circuit:
    """A body on a Kepler ellipse, released at perihelion.

    Parameters
    ----------
    mu : float
        Gravitational parameter G·M of the central body, > 0.
    a : float
        Semi-major axis, > 0.
    e : float
        Eccentricity, 0 <= e < 1.

    Returns
    -------
    Circuit
        Integrators ``x``, ``y``, ``vx``, ``vy``; multipliers ``x2``, ``y2``,
        ``x_inv_r3``, ``y_inv_r3``; adder ``r2``; power block ``inv_r3``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), T_SPAN, rtol=1e-12, atol=1e-12)
    >>> perihelia = traj.crossings("y", 0.0, direction=+1)
    >>> bool(abs(perihelia[1] - perihelia[0] - period()) < 1e-8)  # 2 tol/v_p; 4e-12
    True
    """
    _check(mu, a, e)
    c = Circuit()
    c.integrator("x", initial=a * (1.0 - e))
    c.integrator("y", initial=0.0)
    c.integrator("vx", initial=0.0)
    c.integrator("vy", initial=math.sqrt(mu * (1.0 + e) / (a * (1.0 - e))))
    c.adder("r2")
    for v in ("x", "y"):
        c.multiplier(f"{v}2")
        c.connect(v, f"{v}2", port="a")
        c.connect(v, f"{v}2", port="b")
        c.connect(f"{v}2", "r2")
    c.add("inv_r3", "power", p=-1.5)
    c.connect("r2", "inv_r3")
    for v in ("x", "y"):
        c.multiplier(f"{v}_inv_r3")
        c.connect(v, f"{v}_inv_r3", port="a")
        c.connect("inv_r3", f"{v}_inv_r3", port="b")
        c.connect(f"{v}_inv_r3", f"v{v}", weight=-mu)
        c.connect(f"v{v}", v)
    return c


def invariants(
    x: np.ndarray, y: np.ndarray, vx: np.ndarray, vy: np.ndarray, *, mu: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """The energy v²/2 - μ/r and the angular momentum x vy - y vx."""
    energy = 0.5 * (vx * vx + vy * vy) - mu / np.hypot(x, y)
    return energy, x * vy - y * vx


def reference(
    t: np.ndarray, *, mu: float = 1.0, a: float = 1.0, e: float = 0.5
) -> dict[str, np.ndarray]:
    """The closed-form orbit from Kepler's equation."""
    _check(mu, a, e)
    t = np.asarray(t, dtype=float)
    n = math.sqrt(mu / a**3)
    b = a * math.sqrt(1.0 - e * e)
    E = eccentric_anomaly(n * t, e)
    cos_e, sin_e = np.cos(E), np.sin(E)
    ratio = 1.0 - e * cos_e  # r / a
    x, y = a * (cos_e - e), b * sin_e
    inv_r3 = (a * ratio) ** -3.0
    return {
        "x": x,
        "y": y,
        "vx": -a * n * sin_e / ratio,
        "vy": b * n * cos_e / ratio,
        "x2": x * x,
        "y2": y * y,
        "r2": (a * ratio) ** 2,
        "inv_r3": inv_r3,
        "x_inv_r3": x * inv_r3,
        "y_inv_r3": y * inv_r3,
    }
