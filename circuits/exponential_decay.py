"""Exponential decay: one integrator fed back on itself.

The smallest circuit with feedback.  An integrator whose input is its own
output, through a gain, makes an exponential: with a positive loop gain it
grows (Shannon's e^x generator of 1941), with a negative one it decays, as a
radioactive sample, a discharging capacitor or a cooling body does.

Equation, with rate k = ``k``::

    x' = -k x,   x(0) = x0

Blocks: the integrator ``x`` and the gain ``rate`` (k = -k) in its feedback
loop.

Reference: the closed form x = x0 exp(-k t).  The solver runs at rtol 1e-10 on
a solution bounded by |x0| = 1; the error stays near 1e-10, so the tolerance
1e-8 leaves a margin of about a hundred.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Exponential decay: one integrator fed back on itself"
T_SPAN = (0.0, 5.0)
PROBES = ("x",)
PARAMS = {"k": 1.0, "x0": 1.0}
CHECK = {
    "t_eval": np.linspace(0.0, 5.0, 51),
    "rtol": 1e-10,
    "atol": 1e-12,
    # rtol 1e-10 × |x| ≤ 1 × G 100 → 1e-8; measured 1.1e-10, margin 95×
    "tol": 1e-8,
}


def build(*, k: float = 1.0, x0: float = 1.0) -> Circuit:
    """The decay x' = -k x from x(0) = x0.

    Parameters
    ----------
    k : float
        Decay rate (a negative k makes exponential growth).
    x0 : float
        Initial value.

    Returns
    -------
    Circuit
        The integrator ``x`` and the gain ``rate``.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(k=2.0), (0.0, 1.0), rtol=1e-10, atol=1e-12)
    >>> round(float(traj["x"][-1]), 8)  # exp(-2)
    0.13533528
    """
    if not (math.isfinite(k) and math.isfinite(x0)):
        raise ValueError(
            f"exponential_decay: k and x0 must be finite, got {k!r}, {x0!r}"
        )
    c = Circuit()
    c.integrator("x", initial=x0)
    c.gain("rate", k=-k)
    c.connect("x", "rate")
    c.connect("rate", "x")
    return c


def reference(
    t: np.ndarray, *, k: float = 1.0, x0: float = 1.0
) -> dict[str, np.ndarray]:
    """The exact x = x0 exp(-k t) and the loop signal -k x."""
    x = x0 * np.exp(-k * np.asarray(t, dtype=float))
    return {"x": x, "rate": -k * x}
