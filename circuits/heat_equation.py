"""Heat equation by the method of lines: u_t = u_xx on [0, 1], n interior points.

A rod with its ends held at temperature zero, cut into n interior points: each
point's temperature is an integrator fed by its two neighbours and, with
weight -2, by itself.  This is how analog computers attacked partial
differential equations (the "method of lines"), and it shows why they
struggled: the element count grows with the grid, and the finer the grid, the
faster the fastest modes decay, so the problem becomes stiff (an explicit
solver must take steps shorter than h²/2 however smooth the solution).

Equations, on [0, 1] with h = 1/(n+1) and x_i = i h::

    u_t = u_xx,  u(0, t) = u(1, t) = 0,  u(x, 0) = sin(πx)

becomes, for the interior points i = 1, ..., n (u_0 = u_{n+1} = 0)::

    u_i' = (u_{i-1} - 2 u_i + u_{i+1}) / h²,   u_i(0) = sin(π x_i)

Blocks: integrators ``u1`` ... ``u{n}``, each summing three weighted wires.

Reference: the exact solution of this semi-discrete system.  The initial
profile is an eigenvector of the discrete Laplacian, so::

    u_i(t) = sin(π x_i) exp(-λ t),   λ = (4/h²) sin²(πh/2).

It is not the solution exp(-π² t) sin(πx) of the PDE: λ = π² - π⁴h²/12 + ...,
so the two differ by O(h²) (at most about 0.3 h², 1.2e-4 for n = 49).

The solver runs at rtol 1e-10 on values below 1; an implicit method keeps the
error near 1e-11, so the tolerance 1e-9 leaves a margin of about a hundred.
The largest eigenvalue is about 4/h² = 1e4 while the solution decays at rate
π², which makes the problem stiff: ``method="auto"`` picks an implicit method.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Heat equation by the method of lines: u_t = u_xx on [0, 1], n interior points"
T_SPAN = (0.0, 0.5)
PROBES = ("u5", "u15", "u25")
PARAMS = {"n": 49}
CHECK = {
    "t_eval": np.linspace(0.0, 0.5, 51),
    "rtol": 1e-10,
    "atol": 1e-12,
    # rtol 1e-10 × |u| ≤ 1 × G 10 (dissipative) → 1e-9; measured 6.7e-12, margin 150×
    "tol": 1e-9,
}


def _check(n: int) -> None:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"heat_equation: n must be an integer >= 1, got {n!r}")


def build(*, n: int = 49) -> Circuit:
    """The semi-discrete heat equation on ``n`` interior points.

    Parameters
    ----------
    n : int
        Number of interior grid points, >= 1; the spacing is h = 1/(n+1).

    Returns
    -------
    Circuit
        Integrators ``u1`` ... ``u{n}``.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.

    Examples
    --------
    >>> from analyzer import simulate
    >>> traj = simulate(build(n=9), (0.0, 0.1), rtol=1e-10, atol=1e-12)
    >>> abs(float(traj["u5"][-1] - reference([0.1], n=9)["u5"][0])) < 1e-9  # 1.1e-12
    True
    """
    _check(n)
    h = 1.0 / (n + 1)
    c = Circuit()
    for i in range(1, n + 1):
        c.integrator(f"u{i}", initial=math.sin(math.pi * i * h))
    for i in range(1, n + 1):
        for j, weight in ((i - 1, 1.0), (i, -2.0), (i + 1, 1.0)):
            if 1 <= j <= n:  # the ends are held at zero
                c.connect(f"u{j}", f"u{i}", weight=weight / h**2)
    return c


def reference(t: np.ndarray, *, n: int = 49) -> dict[str, np.ndarray]:
    """The exact semi-discrete solution sin(π x_i) exp(-λ t)."""
    _check(n)
    t = np.asarray(t, dtype=float)
    h = 1.0 / (n + 1)
    decay = np.exp(-(4.0 / h**2) * math.sin(math.pi * h / 2.0) ** 2 * t)
    return {f"u{i}": math.sin(math.pi * i * h) * decay for i in range(1, n + 1)}
