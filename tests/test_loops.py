"""Implicit loops (division): lowered exactly with a reciprocal state.

The electronic analog computer divides by putting a multiplier in the feedback
path of a high-gain amplifier: the loop settles where x·z + y = 0.  Here the
loop z = -y - (x - 1)·z has the same solution z = -y/x, and the compiler
solves it by Cramer's rule with 1/det(I - L) as one state.
"""

from __future__ import annotations

import numpy as np
import pytest
from naive import Naive

from analyzer import Circuit, CircuitError, SimulationError, compile_circuit, simulate

EPS = np.finfo(float).eps
# Tolerances (issue 10): each a stated bound, with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.


def divider(x0=1.0, slope=1.0):
    """x = x0 + slope·t, y' = x/2 from y = 2, and z with x·z + y = 0."""
    c = Circuit()
    c.integrator("x", initial=x0)
    c.constant("one", 1.0)
    c.connect("one", "x", weight=slope)
    c.integrator("y", initial=2.0)
    c.connect("x", "y", weight=0.5)
    c.constant("minus_one", -1.0)
    c.adder("x_minus_1")
    c.connect("x", "x_minus_1")
    c.connect("minus_one", "x_minus_1")
    c.multiplier("m")
    c.connect("x_minus_1", "m")
    c.adder("z")
    c.connect("z", "m")
    c.connect("y", "z", weight=-1.0)
    c.connect("m", "z", weight=-1.0)
    return c


def test_the_divider_matches_its_closed_form():
    t = np.linspace(0.0, 3.0, 13)
    traj = simulate(divider(), (0.0, 3.0), t_eval=t, rtol=1e-12, atol=1e-13)
    x = 1.0 + t
    y = 2.0 + (t + t**2 / 2) / 2
    # x and y have constant and linear rates (exact for Runge-Kutta); the state
    # 1/x decays (G 1): rtol 1e-12 × |1/x| ≤ 1, times |y| ≤ 5.75 in z = -y/x →
    # 5.75e-12; and |x| ≤ 4 times that in x·z + y → 2.3e-11.  Measured 6.7e-16
    # and 8.9e-16, margin 8600×
    z_tol = 1e-12 * 5.75
    assert np.max(np.abs(traj["z"] - (-y / x))) <= z_tol
    assert np.max(np.abs(traj["x"] * traj["z"] + traj["y"])) <= 4.0 * z_tol


def test_the_divider_state_is_the_reciprocal_of_the_determinant():
    system = compile_circuit(divider())
    assert system.names[: system.n_core] == ("x", "y", "inv(loop m)")
    # det(I - L) = 1 + (x - 1) = x, so the state is 1/x, consistent at t0.
    assert system.y0[2] == 1.0
    lines = system.report.lines()
    assert "block 'm' (implicit loop) introduced inv(loop m) = 1/in" in lines


def test_a_loop_that_cannot_be_solved_at_t0_is_an_error_naming_the_cycle():
    with pytest.raises(CircuitError) as err:
        compile_circuit(divider(x0=0.0))
    (problem,) = err.value.problems
    assert "'m' (multiplier) → 'z' (adder)" in problem
    assert "cannot be solved at t0" in problem and "is 0 there" in problem


def test_a_divisor_that_reaches_zero_stops_the_run():
    with pytest.raises(SimulationError, match=r"'m' \(multiplier\) → 'z'") as err:
        simulate(divider(x0=1.0, slope=-1.0), (0.0, 2.0))
    # the determinant x = 1 - t is 0 at t = 1.  The guard checks each step's end,
    # and the step that crosses is short, as the rates grow like 1/x²: measured
    # 2.8e-10 past it; 1e-6 is an allowance (3600×), not a derived bound
    assert 0.99 < err.value.t <= 1.0 + 1e-6


def test_a_loop_with_two_multipliers_against_the_naive_interpreter():
    # z = u - x·w and w = z·y: (1 + x·y) z = u, a 2-block determinant.
    c = Circuit()
    for name, x0 in [("x", 0.5), ("y", -0.3), ("u", 1.5)]:
        c.integrator(name, initial=x0)
    c.connect("y", "x")
    c.connect("x", "y", weight=-1.0)
    c.connect("x", "u", weight=0.2)
    c.multiplier("xw")
    c.multiplier("w")
    c.adder("z")
    c.connect("x", "xw")
    c.connect("w", "xw")
    c.connect("z", "w")
    c.connect("y", "w")
    c.connect("u", "z")
    c.connect("xw", "z", weight=-1.0)
    c.connect("z", "u", weight=-0.1)
    system = compile_circuit(c)
    naive = Naive(c)
    rng = np.random.default_rng(1)
    for point in rng.uniform(-0.8, 0.8, size=(5, 3)):
        state = dict(zip(("u", "x", "y"), point, strict=True))
        y = system.embed([state[n] for n in system.names[: system.n_base]])
        rates = dict(zip(system.names, system.rhs(0.0, y), strict=True))
        expected = naive.derivatives(state, 0.0)
        signals = system.signals(y)
        values = naive.signals(state, 0.0)
        # Cramer's rule against the interpreter's solve: a few roundings each,
        # amplified by 1/det ≤ 1/(1 - 0.64) = 2.8, of values ≤ 2.2 → 8 eps ×
        # 2.8 × 2.2 = 1.1e-14, allowed 64 eps = 1.4e-14; measured 1.1e-16,
        # margin 128×
        for name in expected:
            assert abs(rates[name] - expected[name]) <= 64 * EPS, name
        for block in ("z", "w", "xw"):
            assert abs(signals[block] - values[block]) <= 64 * EPS, block
