"""Square root of 1 + t and its integral: the smallest circuit with a sqrt block.

Square roots were a standing nuisance on analog machines: the mechanical
analyzer read them from an input table, the electronic one put a multiplier
in the feedback path of an amplifier (finding y with y² = u) or used a diode
function generator.  Here a ``sqrt`` block takes its input from the clock, and
the compiler makes it a state by the chain rule: w = u^(1/2) obeys
w' = (1/2)·w·(1/u)·u', with 1/u a second new state (r' = -r²·u').  An
integrator sums the root up, so that the integrated state, not only the
block's formula, shows in the result.

Equations::

    u    = 1 + t
    root = √u
    area' = root,   area(0) = 0

Blocks: time block ``t``, constant ``one``, adder ``u``, square-root block
``root`` (kind ``sqrt``) and integrator ``area``.

Reference: the closed forms √(1 + t) and area = (2/3)((1 + t)^(3/2) - 1).
The solver runs at rtol 1e-12, atol 1e-14 on signals up to 23.7 (the area);
the error stays near 4e-12 (on the area; the root, read from the clock, is
exact to round-off), so the tolerance 1e-10 leaves a margin of about thirty.
"""

from __future__ import annotations

import numpy as np

from analyzer.circuit import Circuit

TITLE = "Square root of 1 + t and its integral: the smallest circuit with a sqrt block"
T_SPAN = (0.0, 10.0)
PROBES = ("root", "area")
PARAMS: dict[str, float] = {}
CHECK = {
    "t_eval": np.linspace(0.0, 10.0, 101),
    "rtol": 1e-12,
    "atol": 1e-14,
    # rtol 1e-12 × |area| ≤ 24 × G 4 → 1e-10; measured 3.5e-12, margin 29×
    "tol": 1e-10,
}


def build() -> Circuit:
    """√(1 + t) from a time block, a constant, an adder and a sqrt block.

    Returns
    -------
    Circuit
        Time block ``t``; constant ``one``; adder ``u``; sqrt block ``root``;
        integrator ``area``.

    Examples
    --------
    >>> from analyzer import compile_circuit, simulate
    >>> print(compile_circuit(build()))
    area' = root
    t' = 1
    root' = 0.5·root·root.reciprocal
    root.reciprocal' = -root.reciprocal·root.reciprocal
    >>> traj = simulate(build(), (0.0, 3.0), t_eval=[3.0])
    >>> round(float(traj["root"][0]), 9)
    2.0
    """
    c = Circuit()
    c.time("t")
    c.constant("one", value=1.0)
    c.adder("u")
    c.connect("one", "u")
    c.connect("t", "u")
    c.add("root", "sqrt")
    c.connect("u", "root")
    c.integrator("area", initial=0.0)
    c.connect("root", "area")
    return c


def reference(t: np.ndarray) -> dict[str, np.ndarray]:
    """The closed forms √(1 + t) and (2/3)((1 + t)^(3/2) - 1)."""
    t = np.asarray(t, dtype=float)
    root = np.sqrt(1.0 + t)
    area = (2.0 / 3.0) * ((1.0 + t) * root - 1.0)
    return {"t": t, "one": np.ones_like(t), "u": 1.0 + t, "root": root, "area": area}
