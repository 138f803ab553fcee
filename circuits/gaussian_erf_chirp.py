"""Gaussian, error function and chirp: exp and sin blocks driven by t².

Three signals from one squared clock.  The Gaussian exp(-t²) and its integral,
the error function, are the bread of probability and of heat conduction;
tables of erf were computed by hand long before any analyzer existed (the
first is usually credited to Kramp, 1799), and a differential analyzer makes
one by integrating the Gaussian.  The chirp
sin(t²), a sine whose frequency 2t grows with time, is the test signal of
radar and sonar (pulse compression).  A function block of a function of t is
lowered to a state by the chain rule: e = exp(u) obeys e' = e·u', and sin u
comes with its companion cos u (s' = c·u', c' = -s·u'), here with u' = ±2t.

Equations::

    t2    = t·t
    gauss = exp(-t2)
    erf'  = (2/√π) gauss,   erf(0) = 0
    chirp = sin(t2)

Blocks: time block ``t``; multiplier ``t2``; exponential block ``gauss``
(kind ``exp``, fed through a wire of weight -1); integrator ``erf`` (input
weight 2/√π); sine block ``chirp`` (kind ``sin``).

Reference: numpy's exp and sin for the Gaussian and the chirp, and
``scipy.special.erf`` for erf(t) = (2/√π) ∫₀ᵗ exp(-s²) ds (Abramowitz and
Stegun 7.1.1; DLMF 7.2.1), accurate to a few ulp.  The signals of function
blocks are read from the clock, so the check rests on the integrator ``erf``,
which integrates the Gaussian's state; the tests also compare the function
states themselves.  The solver runs at rtol 1e-12, atol 1e-14 over [0, 4]
(the chirp's frequency reaches 8); the error stays near 2e-13 (on erf; 2e-12
on the states of the chirp), so the tolerance 1e-11 leaves a margin of about
fifty.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from analyzer.circuit import Circuit

TITLE = "Gaussian, error function and chirp: exp and sin blocks driven by t²"
T_SPAN = (0.0, 4.0)
PROBES = ("gauss", "erf", "chirp")
PARAMS: dict[str, float] = {}
CHECK = {
    "t_eval": np.linspace(0.0, 4.0, 81),
    "rtol": 1e-12,
    "atol": 1e-14,
    # rtol 1e-12 × |erf|, |gauss| ≤ 1 × G 10 → 1e-11; measured 2.0e-13, margin 49×
    "tol": 1e-11,
}


def build() -> Circuit:
    """exp(-t²), erf(t) and sin(t²) from one squared clock.

    Returns
    -------
    Circuit
        Time block ``t``; multiplier ``t2``; exp block ``gauss``; integrator
        ``erf``; sin block ``chirp``.

    Examples
    --------
    >>> from analyzer import compile_circuit, simulate
    >>> print(compile_circuit(build()))
    erf' = 1.1283791671·gauss
    t' = 1
    chirp' = 2·t·chirp.cos
    chirp.cos' = -2·t·chirp
    gauss' = -2·t·gauss
    >>> traj = simulate(build(), (0.0, 1.0), t_eval=[1.0], rtol=1e-12, atol=1e-14)
    >>> print(f"erf(1) = {traj['erf'][0]:.12f}")
    erf(1) = 0.842700792950
    """
    c = Circuit()
    c.time("t")
    c.multiplier("t2")
    c.connect("t", "t2", port="a")
    c.connect("t", "t2", port="b")
    c.add("gauss", "exp")
    c.connect("t2", "gauss", weight=-1.0)
    c.integrator("erf", initial=0.0)
    c.connect("gauss", "erf", weight=2.0 / math.sqrt(math.pi))
    c.add("chirp", "sin")
    c.connect("t2", "chirp")
    return c


def reference(t: np.ndarray) -> dict[str, np.ndarray]:
    """exp(-t²), erf(t) (scipy.special.erf) and sin(t²)."""
    t = np.asarray(t, dtype=float)
    return {
        "t": t,
        "t2": t * t,
        "gauss": np.exp(-t * t),
        "erf": special.erf(t),
        "chirp": np.sin(t * t),
    }
