"""Van der Pol oscillator: x'' - μ(1 - x²)x' + x = 0.

Balthasar van der Pol (1926) wrote this equation for a triode circuit whose
damping is negative for small swings and positive for large ones, so every
solution settles on one closed orbit, the limit cycle.  For large μ the
oscillation becomes a "relaxation oscillation": slow creeping followed by
sudden jumps, the textbook stiff problem.  Its solutions were a staple of
differential-analyzer work and of analog-computer courses.

Equation, with μ = ``mu``::

    x'' - μ (1 - x²) x' + x = 0,   x(0) = x0 = 2,  x'(0) = v0 = 0

wired as ``x' = v`` and ``v' = mu - x`` with ``mu = μ·dv``, ``dv = d·v``,
``d = one - x2`` and ``x2 = x·x`` (``one`` is the constant 1).

Reference: an independent solve of the hand-written right-hand side with
scipy's Radau at rtol 1e-12, atol 1e-14, whose own error is near 1e-12.  The
circuit is solved at rtol 1e-11; up to t = 10 (one and a half turns of the
limit cycle) its error stays near 1e-10, so the tolerance 1e-8 leaves a margin
of about a hundred.

With μ = 1000 the problem is stiff and needs an implicit method, which
``method="auto"`` picks.  The period is then close to Dorodnitsyn's
asymptotic value (3 - 2 ln 2) μ + 3 a μ^(-1/3) - (2/3) ln(μ)/μ ≈ 1614.40,
where a = 2.3381... is the first zero of -Ai.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.integrate import OdeSolution

from analyzer.circuit import Circuit
from circuits._reference import tight_solve

TITLE = "Van der Pol oscillator: x'' - μ(1 - x²)x' + x = 0"
T_SPAN = (0.0, 20.0)
PROBES = ("x", "v")
PARAMS = {"mu": 1.0, "x0": 2.0, "v0": 0.0}
CHECK = {
    "t_eval": np.linspace(0.0, 10.0, 101),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |dv| ≤ 4 × G 250 (relaxation turns) → 1e-8; measured 8.4e-11, margin
    # 120×
    "tol": 1e-8,
}


def build(*, mu: float = 1.0, x0: float = 2.0, v0: float = 0.0) -> Circuit:
    """The Van der Pol oscillator with damping parameter ``mu``.

    Parameters
    ----------
    mu : float
        Strength μ of the nonlinear damping; large μ makes the problem stiff.
    x0, v0 : float
        Initial position and velocity.

    Returns
    -------
    Circuit
        Integrators ``x`` and ``v``; constant ``one``; multipliers ``x2`` and
        ``dv``; adder ``d``; gain ``mu``.

    Examples
    --------
    The period of the limit cycle for μ = 1 is 6.6632868593...:

    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, 30.0), rtol=1e-11, atol=1e-12)
    >>> up = traj.crossings("x", 0.0, direction=+1)
    >>> round(float(up[-1] - up[-2]), 8)
    6.66328686
    """
    bad = {
        k: v for k, v in {"mu": mu, "x0": x0, "v0": v0}.items() if not math.isfinite(v)
    }
    if bad:
        raise ValueError(f"van_der_pol: parameters must be finite, got {bad}")
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v", initial=v0)
    c.constant("one", value=1.0)
    c.multiplier("x2")
    c.connect("x", "x2", port="a")
    c.connect("x", "x2", port="b")
    c.adder("d")
    c.connect("one", "d")
    c.connect("x2", "d", weight=-1.0)
    c.multiplier("dv")
    c.connect("d", "dv", port="a")
    c.connect("v", "dv", port="b")
    c.gain("mu", k=mu)
    c.connect("dv", "mu")
    c.connect("v", "x")
    c.connect("mu", "v")
    c.connect("x", "v", weight=-1.0)
    return c


@lru_cache(maxsize=4)
def _solve(mu: float, x0: float, v0: float, t_end: float) -> OdeSolution:
    """The dense reference solution on [0, t_end]; cached, it takes seconds."""

    def rhs(_t: float, u: np.ndarray) -> np.ndarray:
        x, v = u
        return np.array([v, mu * (1.0 - x * x) * v - x])

    def jac(_t: float, u: np.ndarray) -> np.ndarray:
        x, v = u
        return np.array([[0.0, 1.0], [-2.0 * mu * x * v - 1.0, mu * (1.0 - x * x)]])

    return tight_solve(
        "van_der_pol", rhs, [x0, v0], t_end,
        method="Radau", rtol=1e-12, atol=1e-14, jac=jac,
    ).sol  # fmt: skip


def reference(
    t: np.ndarray, *, mu: float = 1.0, x0: float = 2.0, v0: float = 0.0
) -> dict[str, np.ndarray]:
    """A Radau solve (rtol 1e-12, atol 1e-14) of the hand-written equations."""
    t = np.asarray(t, dtype=float)
    t_end = float(t.max(initial=0.0))
    x, v = _solve(float(mu), float(x0), float(v0), t_end)(t.reshape(-1))
    x, v = x.reshape(t.shape), v.reshape(t.shape)
    d = 1.0 - x * x
    return {
        "x": x,
        "v": v,
        "one": np.ones_like(x),
        "x2": x * x,
        "d": d,
        "dv": d * v,
        "mu": mu * d * v,
    }
