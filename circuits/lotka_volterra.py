"""Lotka-Volterra predator and prey: x' = αx - βxy, y' = δxy - γy.

Alfred Lotka (1925) and Vito Volterra (1926), the latter to explain the
fishing statistics of the Adriatic, arrived at the same pair of equations:
prey x grow on their own and are eaten on meeting predators; predators y
starve on their own and grow on meeting prey.  Population models run over
centuries in a second were a favourite of analog-computer courses, a showcase
of time scaling.

Equations, with α = ``alpha``, β = ``beta``, δ = ``delta``, γ = ``gamma``::

    x' = α x - β x y
    y' = δ x y - γ y

Blocks: integrators ``x`` and ``y`` summing weighted inputs; the multiplier
``xy`` for the encounters.

Reference: an independent solve of the hand-written right-hand side with
scipy's DOP853 at rtol = atol = 1e-13, and the conserved quantity
(see :func:`invariant`)::

    V = δ x - γ ln x + β y - α ln y,

constant along every orbit, which is why the cycles close.  The solver runs at
rtol 1e-11 over about five cycles on populations up to about 30 (and x·y up
to about 150); the error stays near 2e-8 (on x·y), so the tolerance 1e-6
leaves a margin of about sixty, and V drifts by about 4e-11.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit
from circuits._reference import tight_solve

TITLE = "Lotka-Volterra predator and prey: x' = αx - βxy, y' = δxy - γy"
T_SPAN = (0.0, 50.0)
PROBES = ("x", "y")
PARAMS = {"alpha": 1.1, "beta": 0.4, "delta": 0.1, "gamma": 0.4, "x0": 10.0, "y0": 10.0}
CHECK = {
    "t_eval": np.linspace(0.0, 50.0, 201),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |xy| ≤ 150 × G 700 (five cycles) → 1e-6; measured 1.7e-8, margin 60×
    "tol": 1e-6,
}


def _check(params: dict[str, float]) -> None:
    bad = {k: v for k, v in params.items() if not (math.isfinite(v) and v > 0.0)}
    if bad:
        raise ValueError(
            f"lotka_volterra: rates and populations must be positive, got {bad}"
        )


def build(
    *,
    alpha: float = 1.1,
    beta: float = 0.4,
    delta: float = 0.1,
    gamma: float = 0.4,
    x0: float = 10.0,
    y0: float = 10.0,
) -> Circuit:
    """Prey ``x`` and predators ``y`` from (x0, y0).

    Parameters
    ----------
    alpha, beta, delta, gamma : float
        Prey growth, predation, predator growth per prey eaten, predator death;
        all positive.
    x0, y0 : float
        Initial populations, positive.

    Returns
    -------
    Circuit
        Integrators ``x`` and ``y``; multiplier ``xy``.

    Raises
    ------
    ValueError
        If a parameter is not positive and finite.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(), T_SPAN, rtol=1e-11, atol=1e-12)
    >>> v = invariant(traj["x"], traj["y"])
    >>> float(np.ptp(v)) < 1e-8  # rtol × 8.7 × G 100 (see the tests); 2.6e-11
    True
    """
    _check(dict(alpha=alpha, beta=beta, delta=delta, gamma=gamma, x0=x0, y0=y0))
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("y", initial=y0)
    c.multiplier("xy")
    c.connect("x", "xy", port="a")
    c.connect("y", "xy", port="b")
    c.connect("x", "x", weight=alpha)
    c.connect("xy", "x", weight=-beta)
    c.connect("xy", "y", weight=delta)
    c.connect("y", "y", weight=-gamma)
    return c


def invariant(
    x: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = 1.1,
    beta: float = 0.4,
    delta: float = 0.1,
    gamma: float = 0.4,
    **_: float,
) -> np.ndarray:
    """The conserved quantity V = δx - γ ln x + βy - α ln y.

    Extra keyword arguments (the initial populations) are ignored, so the
    catalog's ``params`` can be passed whole.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return delta * x - gamma * np.log(x) + beta * y - alpha * np.log(y)


def reference(
    t: np.ndarray,
    *,
    alpha: float = 1.1,
    beta: float = 0.4,
    delta: float = 0.1,
    gamma: float = 0.4,
    x0: float = 10.0,
    y0: float = 10.0,
) -> dict[str, np.ndarray]:
    """A DOP853 solve (rtol = atol = 1e-13) of the hand-written equations."""
    _check(dict(alpha=alpha, beta=beta, delta=delta, gamma=gamma, x0=x0, y0=y0))

    def rhs(_t: float, u: np.ndarray) -> np.ndarray:
        x, y = u
        return np.array([alpha * x - beta * x * y, delta * x * y - gamma * y])

    t = np.asarray(t, dtype=float)
    t_eval, where = np.unique(t, return_inverse=True)
    sol = tight_solve(
        "lotka_volterra", rhs, [x0, y0], t_eval[-1],
        method="DOP853", rtol=1e-13, atol=1e-13, t_eval=t_eval,
    )  # fmt: skip
    x, y = sol.y[:, where.reshape(t.shape)]
    return {"x": x, "y": y, "xy": x * y}
