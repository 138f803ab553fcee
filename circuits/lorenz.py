"""Lorenz attractor: x' = σ(y - x), y' = x(ρ - z) - y, z' = xy - βz.

Edward Lorenz (1963) cut a model of convection down to three equations and
found that their solutions never settle and never repeat, and that a tiny
change in the initial state grows until it changes everything.  The system is
the standard worked example of amplitude scaling in the application notes of
electronic analog computers, where the butterfly appears live on an
oscilloscope.

Equations, with σ = ``sigma``, ρ = ``rho``, β = ``beta`` (Lorenz's values
10, 28, 8/3)::

    x' = σ (y - x)
    y' = x (ρ - z) - y
    z' = x y - β z

Blocks: integrators ``x``, ``y``, ``z`` summing weighted inputs, and the
multipliers ``xz`` and ``xy``.

Reference: an independent solve of a hand-written numpy right-hand side with
scipy's DOP853 at rtol = atol = 1e-13.  Nearby solutions separate like
exp(0.9 t), so the check stops at t = 5: the circuit, solved at rtol 1e-12,
is off by about 1e-9 there (on the product xz, of size up to about 900), so
the tolerance 1e-7 leaves a margin of about seventy.  Beyond t ≈ 30 no two double-precision solves agree on the
trajectory, only on the attractor; the default span (0, 40) is for plotting.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit
from circuits._reference import tight_solve

TITLE = "Lorenz attractor: x' = σ(y - x), y' = x(ρ - z) - y, z' = xy - βz"
T_SPAN = (0.0, 40.0)
PROBES = ("x", "y", "z")
PARAMS = {
    "sigma": 10.0,
    "rho": 28.0,
    "beta": 8.0 / 3.0,
    "x0": 1.0,
    "y0": 1.0,
    "z0": 1.0,
}
CHECK = {
    "t_eval": np.linspace(0.0, 5.0, 101),
    "rtol": 1e-12,
    "atol": 1e-12,
    # rtol 1e-12 × |xz| ≤ 860 × G e^(0.9·5) = 90 → 7.7e-8 ≈ 1e-7; measured 1.3e-9,
    # margin 76×
    "tol": 1e-7,
    "method": "DOP853",
}


def build(
    *,
    sigma: float = 10.0,
    rho: float = 28.0,
    beta: float = 8.0 / 3.0,
    x0: float = 1.0,
    y0: float = 1.0,
    z0: float = 1.0,
) -> Circuit:
    """The Lorenz system from (x0, y0, z0).

    Parameters
    ----------
    sigma, rho, beta : float
        Prandtl number σ, Rayleigh-number ratio ρ, geometry factor β.
    x0, y0, z0 : float
        Initial state.

    Returns
    -------
    Circuit
        Integrators ``x``, ``y``, ``z``; multipliers ``xz`` and ``xy``.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, 1.0), rtol=1e-12, atol=1e-12)
    >>> ref = reference([1.0])
    >>> abs(float(traj["z"][-1] - ref["z"][0])) < 1e-8  # rtol × |z| 30 × G 30; 2.5e-12
    True
    """
    params = {"sigma": sigma, "rho": rho, "beta": beta, "x0": x0, "y0": y0, "z0": z0}
    bad = {k: v for k, v in params.items() if not math.isfinite(v)}
    if bad:
        raise ValueError(f"lorenz: parameters must be finite, got {bad}")
    c = Circuit()
    for name, value in (("x", x0), ("y", y0), ("z", z0)):
        c.integrator(name, initial=value)
    c.multiplier("xz")
    c.multiplier("xy")
    c.connect("x", "xz", port="a")
    c.connect("z", "xz", port="b")
    c.connect("x", "xy", port="a")
    c.connect("y", "xy", port="b")
    c.connect("y", "x", weight=sigma)
    c.connect("x", "x", weight=-sigma)
    c.connect("x", "y", weight=rho)
    c.connect("xz", "y", weight=-1.0)
    c.connect("y", "y", weight=-1.0)
    c.connect("xy", "z")
    c.connect("z", "z", weight=-beta)
    return c


def reference(
    t: np.ndarray,
    *,
    sigma: float = 10.0,
    rho: float = 28.0,
    beta: float = 8.0 / 3.0,
    x0: float = 1.0,
    y0: float = 1.0,
    z0: float = 1.0,
) -> dict[str, np.ndarray]:
    """A DOP853 solve (rtol = atol = 1e-13) of the hand-written equations."""

    def rhs(_t: float, u: np.ndarray) -> np.ndarray:
        x, y, z = u
        return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])

    t = np.asarray(t, dtype=float)
    t_eval, where = np.unique(t, return_inverse=True)
    sol = tight_solve(
        "lorenz", rhs, [x0, y0, z0], t_eval[-1],
        method="DOP853", rtol=1e-13, atol=1e-13, t_eval=t_eval,
    )  # fmt: skip
    x, y, z = sol.y[:, where.reshape(t.shape)]
    return {"x": x, "y": y, "z": z, "xz": x * z, "xy": x * y}
