"""Robertson's chemical kinetics: the classic stiff test problem.

H. H. Robertson (1966) used three reactions of an autocatalytic system, with
rate constants nine orders of magnitude apart, to show why explicit methods
fail on stiff problems.  It became the standard benchmark of stiff solvers
(Hairer & Wanner, *Solving ODEs II*), usually run to t = 4e5 or far beyond.

Equations, with k1 = 0.04, k2 = 3e7, k3 = 1e4::

    y1' = -k1 y1 + k3 y2 y3
    y2' =  k1 y1 - k3 y2 y3 - k2 y2²
    y3' =                     k2 y2²

from (1, 0, 0).  The right-hand sides add up to zero, so y1 + y2 + y3 = 1 for
all time.  Blocks: integrators ``y1``, ``y2``, ``y3`` summing weighted inputs;
multipliers ``y2y3`` and ``y2y2``.

Reference: an independent solve of the hand-written right-hand side with
scipy's Radau (exact Jacobian) at rtol 1e-12 and atol 1e-20, plus the
conservation law.  y2 never exceeds 3.7e-5, so the circuit is solved at
rtol 1e-10 with atol 1e-14, far below y2.  Its error is then about 4e-12, so
the absolute tolerance 1e-9 leaves a margin of about two hundred; y2 is also
right to about 1e-10 of its size, and y1 + y2 + y3 stays 1 to about 1e-15.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.integrate import OdeSolution

from analyzer.circuit import Circuit
from circuits._reference import tight_solve

TITLE = "Robertson's chemical kinetics: the classic stiff test problem"
T_SPAN = (0.0, 4e5)
PROBES = ("y1", "y2", "y3")
PARAMS = {"k1": 0.04, "k2": 3e7, "k3": 1e4}
CHECK = {
    "t_eval": np.concatenate(([0.0], np.geomspace(1e-6, 4e5, 45))),
    "rtol": 1e-10,
    "atol": 1e-14,
    # rtol 1e-10 × |y| ≤ 1 × G 10 (stiff, decaying) → 1e-9; measured 4.2e-12, margin
    # 240×
    "tol": 1e-9,
    "method": "Radau",
}


def build(*, k1: float = 0.04, k2: float = 3e7, k3: float = 1e4) -> Circuit:
    """Robertson's reactions from y = (1, 0, 0).

    Parameters
    ----------
    k1, k2, k3 : float
        Rate constants of A → B, 2B → B + C and B + C → A + C.

    Returns
    -------
    Circuit
        Integrators ``y1``, ``y2``, ``y3``; multipliers ``y2y3`` and ``y2y2``.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), (0.0, 40.0), method="Radau", rtol=1e-8, atol=1e-14)
    >>> round(float(traj["y1"][-1]), 4)  # Hairer & Wanner's table: 0.7158
    0.7158
    """
    bad = {
        k: v for k, v in {"k1": k1, "k2": k2, "k3": k3}.items() if not math.isfinite(v)
    }
    if bad:
        raise ValueError(f"robertson: rate constants must be finite, got {bad}")
    c = Circuit()
    c.integrator("y1", initial=1.0)
    c.integrator("y2", initial=0.0)
    c.integrator("y3", initial=0.0)
    c.multiplier("y2y3")
    c.connect("y2", "y2y3", port="a")
    c.connect("y3", "y2y3", port="b")
    c.multiplier("y2y2")
    c.connect("y2", "y2y2", port="a")
    c.connect("y2", "y2y2", port="b")
    c.connect("y1", "y1", weight=-k1)
    c.connect("y2y3", "y1", weight=k3)
    c.connect("y1", "y2", weight=k1)
    c.connect("y2y3", "y2", weight=-k3)
    c.connect("y2y2", "y2", weight=-k2)
    c.connect("y2y2", "y3", weight=k2)
    return c


@lru_cache(maxsize=4)
def _solve(k1: float, k2: float, k3: float, t_end: float) -> OdeSolution:
    """The dense reference solution on [0, t_end]; cached, it takes seconds."""

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        y1, y2, y3 = y
        return np.array(
            [
                -k1 * y1 + k3 * y2 * y3,
                k1 * y1 - k3 * y2 * y3 - k2 * y2 * y2,
                k2 * y2 * y2,
            ]
        )

    def jac(_t: float, y: np.ndarray) -> np.ndarray:
        _, y2, y3 = y
        return np.array(
            [
                [-k1, k3 * y3, k3 * y2],
                [k1, -k3 * y3 - 2.0 * k2 * y2, -k3 * y2],
                [0.0, 2.0 * k2 * y2, 0.0],
            ]
        )

    return tight_solve(
        "robertson", rhs, [1.0, 0.0, 0.0], t_end,
        method="Radau", rtol=1e-12, atol=1e-20, jac=jac,
    ).sol  # fmt: skip


def reference(
    t: np.ndarray, *, k1: float = 0.04, k2: float = 3e7, k3: float = 1e4
) -> dict[str, np.ndarray]:
    """A Radau solve (rtol 1e-12, atol 1e-20) of the hand-written equations."""
    t = np.asarray(t, dtype=float)
    t_end = float(t.max(initial=0.0))
    y = _solve(float(k1), float(k2), float(k3), t_end)(t.reshape(-1))
    y1, y2, y3 = (row.reshape(t.shape) for row in y)
    return {"y1": y1, "y2": y2, "y3": y3, "y2y3": y2 * y3, "y2y2": y2 * y2}
