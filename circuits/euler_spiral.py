"""Euler spiral: the Fresnel integrals C(t), S(t) from cos and sin blocks.

The curve whose curvature grows in proportion to its length: Euler met it in
1744 (the elastica), Fresnel (1818) in the diffraction of light at a straight
edge, Cornu (1874) drew it to read diffraction patterns off it, and railway
engineers lay it as the transition curve between a straight track and an arc.
Its coordinates are the Fresnel integrals, classic tables of the
pre-electronic era and a textbook program for the differential analyzer.  The
pen traces the spiral as (x, y) and winds into the point (1/2, 1/2).

Equations, with arc length t and curvature κ = π t::

    phase = (π/2) t²
    x' = cos(phase),   x(0) = 0
    y' = sin(phase),   y(0) = 0

Blocks: time block ``t``; multiplier ``t2``; gain ``phase`` (k = π/2);
function blocks ``cosine`` (kind ``cos``) and ``sine`` (kind ``sin``) of the
one phase, which the compiler lowers to one pair of states (``cosine`` and
its companion ``cosine.sin``, which the block ``sine`` reads); integrators
``x`` and ``y``.

Reference: ``scipy.special.fresnel``, with the normalisation of DLMF 7.2.7 and
7.2.8, C(z) = ∫₀ᶻ cos(πt²/2) dt and S(z) = ∫₀ᶻ sin(πt²/2) dt (Abramowitz and
Stegun 7.3.1, 7.3.2), so x = C(t) and y = S(t).  The solver runs at
rtol 1e-12, atol 1e-14 over [0, 5] (about six turns of the spiral, the phase
turning at up to 5π rad per unit length); the error stays near 6e-13 (on x
and y; 3e-12 on the sin/cos states), so the tolerance 1e-11 leaves a margin
of about fifteen.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from analyzer.circuit import Circuit

TITLE = "Euler spiral: the Fresnel integrals C(t), S(t) from cos and sin blocks"
T_SPAN = (0.0, 5.0)
PROBES = ("x", "y")
PARAMS: dict[str, float] = {}
CHECK = {
    "t_eval": np.linspace(0.0, 5.0, 101),
    "rtol": 1e-12,
    "atol": 1e-14,
    # rtol 1e-12 × |x|, |y| ≤ 1 × G 10 → 1e-11; measured 5.7e-13, margin 17×
    "tol": 1e-11,
}


def build() -> Circuit:
    """The Euler spiral x = C(t), y = S(t) traced from arc length t.

    Returns
    -------
    Circuit
        Time block ``t``; multiplier ``t2``; gain ``phase``; cos block
        ``cosine`` and sin block ``sine``; integrators ``x`` and ``y``.

    Examples
    --------
    >>> from analyzer import compile_circuit, simulate
    >>> print(compile_circuit(build()))
    x' = cosine
    y' = cosine.sin
    t' = 1
    cosine' = -3.14159265359·t·cosine.sin
    cosine.sin' = 3.14159265359·t·cosine
    >>> traj = simulate(build(), T_SPAN, rtol=1e-12, atol=1e-14)
    >>> print(f"({traj.final['x']:.6f}, {traj.final['y']:.6f})")
    (0.563631, 0.499191)
    >>> S, C = special.fresnel(5.0)
    >>> print(f"({C:.6f}, {S:.6f})")
    (0.563631, 0.499191)
    """
    c = Circuit()
    c.time("t")
    c.multiplier("t2")
    c.connect("t", "t2", port="a")
    c.connect("t", "t2", port="b")
    c.gain("phase", k=math.pi / 2.0)
    c.connect("t2", "phase")
    c.add("cosine", "cos")
    c.connect("phase", "cosine")
    c.add("sine", "sin")
    c.connect("phase", "sine")
    c.integrator("x", initial=0.0)
    c.connect("cosine", "x")
    c.integrator("y", initial=0.0)
    c.connect("sine", "y")
    return c


def reference(t: np.ndarray) -> dict[str, np.ndarray]:
    """x = C(t) and y = S(t) from scipy.special.fresnel (DLMF 7.2.7, 7.2.8)."""
    t = np.asarray(t, dtype=float)
    s, c = special.fresnel(t)
    phase = 0.5 * math.pi * t * t
    return {
        "t": t,
        "t2": t * t,
        "phase": phase,
        "cosine": np.cos(phase),
        "sine": np.sin(phase),
        "x": c,
        "y": s,
    }
