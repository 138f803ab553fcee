"""Chain of N coupled oscillators with fixed ends.

N equal masses in a row, each tied to its neighbours by equal springs, the two
end springs fixed to walls: the discrete string, a model of a crystal lattice
and of a transmission line.  Patching one on an analog computer takes two
integrators, an adder and a gain per mass; a hundred masses take four hundred
elements, more than a mechanical differential analyzer ever had (Bush's first
had six integrators: T. Robinson, IEEE Control Systems Magazine 25(3), 2005)
and a large job even for the big electronic installations of the 1950s and
60s.  Here they test how the compiler and the solver scale.

Equations, with spring constant per unit mass k = ``k`` and x_0 = x_{N+1} = 0::

    x_i'' = k (x_{i-1} - 2 x_i + x_{i+1}),   i = 1, ..., N

from rest with the first mass displaced by ``amplitude`` (a blow that excites
every mode).  Blocks, for each i: integrators ``x{i}`` and ``v{i}``; adder
``d{i}`` = x_{i-1} - 2 x_i + x_{i+1}; gain ``a{i}`` = k·d{i}, the acceleration.

Reference: the closed form by normal modes.  Mode j (j = 1, ..., N) has the
shape φ_j(i) = √(2/(N+1)) sin(ijπ/(N+1)) (orthonormal) and the angular
frequency ω_j = 2 √k sin(jπ/(2(N+1))), so::

    x(t) = Σ_j φ_j (φ_j · x(0)) cos(ω_j t),
    v(t) = -Σ_j φ_j (φ_j · x(0)) ω_j sin(ω_j t).

The solver runs at rtol 1e-11; at t = 100 the fastest modes have turned
about thirty times and the error stays near 2e-10, so the tolerance 1e-8
leaves a margin of about fifty.  The same holds for N = 100, checked at
t = 100 to 1e-7.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Chain of N coupled oscillators with fixed ends"
T_SPAN = (0.0, 100.0)
PROBES = ("x1", "x10", "x20")
PARAMS = {"n": 20, "k": 1.0, "amplitude": 1.0}
CHECK = {
    "t_eval": np.linspace(0.0, 100.0, 101),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |a| ≤ 2 × G 500 (the fastest mode turns 200 rad) → 1e-8; measured
    # 1.7e-10, margin 60×
    "tol": 1e-8,
}


def _check(n: int, k: float, amplitude: float) -> None:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"oscillator_chain: n must be an integer >= 1, got {n!r}")
    if not (math.isfinite(k) and k > 0.0 and math.isfinite(amplitude)):
        raise ValueError(
            "oscillator_chain: needs a finite k > 0 and a finite amplitude,"
            f" got k={k!r}, amplitude={amplitude!r}"
        )


def build(*, n: int = 20, k: float = 1.0, amplitude: float = 1.0) -> Circuit:
    """A chain of ``n`` masses, the first displaced by ``amplitude``.

    Parameters
    ----------
    n : int
        Number of masses, >= 1.
    k : float
        Spring constant per unit mass, > 0.
    amplitude : float
        Initial displacement of the first mass.

    Returns
    -------
    Circuit
        For i = 1..n: integrators ``x{i}``, ``v{i}``; adder ``d{i}``; gain
        ``a{i}``.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer or ``k`` is not positive.

    Examples
    --------
    >>> build(n=3)
    Circuit(12 blocks, 16 wires)
    """
    _check(n, k, amplitude)
    c = Circuit()
    for i in range(1, n + 1):
        c.integrator(f"x{i}", initial=amplitude if i == 1 else 0.0)
        c.integrator(f"v{i}", initial=0.0)
        c.adder(f"d{i}")
        c.gain(f"a{i}", k=k)
    for i in range(1, n + 1):
        for j, weight in ((i - 1, 1.0), (i, -2.0), (i + 1, 1.0)):
            if 1 <= j <= n:  # the walls at 0 and n + 1 contribute nothing
                c.connect(f"x{j}", f"d{i}", weight=weight)
        c.connect(f"d{i}", f"a{i}")
        c.connect(f"a{i}", f"v{i}")
        c.connect(f"v{i}", f"x{i}")
    return c


def reference(
    t: np.ndarray, *, n: int = 20, k: float = 1.0, amplitude: float = 1.0
) -> dict[str, np.ndarray]:
    """The exact motion, summed over the normal modes."""
    _check(n, k, amplitude)
    t = np.asarray(t, dtype=float)
    i = np.arange(1, n + 1)
    phi = math.sqrt(2.0 / (n + 1)) * np.sin(np.outer(i, i) * math.pi / (n + 1))
    w = 2.0 * math.sqrt(k) * np.sin(i * math.pi / (2.0 * (n + 1)))
    x0 = np.zeros(n)
    x0[0] = amplitude
    coef = phi.T @ x0  # the amplitude of each mode (phi is symmetric)
    wt = np.multiply.outer(w, t.reshape(-1))
    x = np.tensordot(phi, coef[:, None] * np.cos(wt), axes=1)
    v = -np.tensordot(phi, (coef * w)[:, None] * np.sin(wt), axes=1)
    a = -np.tensordot(phi, (coef * w**2)[:, None] * np.cos(wt), axes=1)
    out: dict[str, np.ndarray] = {}
    for m in range(n):
        out[f"x{m + 1}"] = x[m].reshape(t.shape)
        out[f"v{m + 1}"] = v[m].reshape(t.shape)
        out[f"a{m + 1}"] = a[m].reshape(t.shape)
        out[f"d{m + 1}"] = a[m].reshape(t.shape) / k
    return out
