"""Runs that must end: budgets, the blow-up watch, solver failures, empty circuits.

Each runaway case here used to run for ever (issue 10); it must now end in a
SimulationError that names the states and says what to do.  Tests pass a
small ``max_steps`` where the default (100000 steps, a few seconds) would
only make them slow; the slow test shows the default stops them too.
"""

from __future__ import annotations

import re
import time

import networkx as nx
import numpy as np
import pytest
from builders import add_cube, blow_up, van_der_pol

from analyzer import Circuit, SimulationError, simulate
from analyzer.domain import MAX_STEPS


def blow_up_read_by_sin() -> Circuit:
    """y' = y², y(0) = 1 (y = 1/(1 − t), a blow-up at t = 1), and s = sin(y)."""
    c = blow_up()
    c.add("s", "sin")
    c.connect("y", "s")
    return c


def cos_of_a_fast_ramp(rate: float = 3e15) -> Circuit:
    """c = cos(rate·t): an oscillation at `rate` rad/s."""
    c = Circuit()
    c.time("t")
    c.gain("g", k=rate)
    c.connect("t", "g")
    c.add("c", "cos")
    c.connect("g", "c")
    return c


def oscillator(omega: float = 1e9) -> Circuit:
    """x'' = −omega² x, x(0) = 1."""
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.integrator("v")
    c.gain("k", k=-(omega**2))
    c.connect("v", "x")
    c.connect("x", "k")
    c.connect("k", "v")
    return c


def decay(rate: float) -> Circuit:
    """x' = −rate·x, x(0) = 1."""
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.gain("k", k=-rate)
    c.connect("x", "k")
    c.connect("k", "x")
    return c


# -- the blow-up watch -------------------------------------------------------------


@pytest.mark.parametrize("method", ["auto", "RK45", "Radau"])
def test_a_blow_up_read_by_sin_is_reported_as_a_blow_up(method):
    # max_steps only bounds the test should the watch miss it (the message
    # would then be about the budget, and the match below fails).
    with pytest.raises(SimulationError, match="blows up near t = ") as info:
        simulate(blow_up_read_by_sin(), (0.0, 2.0), method=method, max_steps=20_000)
    assert info.value.states == ("y",)
    # The watch notes y at each doubling from y >= 4 and needs 7 notes, so
    # y >= 4·2^6 = 256 when it raises, by construction, and 1 − t = 1/y to the
    # relative error of y: rtol 1e-8 × growth y/y(0) ≤ 256 × G 100 = 2.6e-4.
    # Bound (1 + 2.6e-4)/256 = 3.9e-3.  Measured 1 − t = 2.8e-3 | 3.0e-3 |
    # 3.6e-3 (auto | RK45 | Radau: y = 355 | 334 | 279); the slack is the
    # overshoot of the last step, not a numerical error.
    y_error = 1e-8 * 256 * 100
    assert 1.0 - (1.0 + y_error) / 256 < info.value.t < 1.0
    # T is extrapolated from τ = y/y' = 1 − t, read to ~rtol (1e-8) relative,
    # and printed to 6 significant digits (rounding <= 5e-7): rtol × G 1000
    # + 5e-7 = 1.05e-5.  Measured 0.0 (printed "1" for all three methods).
    end = float(re.search(r"blows up near t = (\S+) ", str(info.value)).group(1))
    assert abs(end - 1.0) <= 1e-8 * 1000 + 5e-7


def test_a_plain_blow_up_still_ends_at_the_floating_point_limit():
    c = blow_up()
    with pytest.raises(SimulationError, match="blows up near t = 1") as info:
        simulate(c, (0.0, 2.0), max_steps=20_000)
    assert info.value.states == ("y",)


def test_a_solution_that_only_looks_like_a_blow_up_is_not_stopped():
    # y' = y² − y³/K follows the blow-up 1/(1 − t) up to y ~ K, then settles
    # at K: the watch must leave it alone, as it doubles at a steady cost.
    K = 1e6
    c = Circuit()
    c.integrator("y", initial=1.0)
    add_cube(c, "y")
    c.connect("y2", "y")
    c.connect("y3", "y", weight=-1.0 / K)
    traj = simulate(c, (0.0, 2.0), t_eval=[2.0])
    # y(2) = K to the solver's rtol 1e-8 (the fixed point is attracting, rate
    # −K, so the error does not grow): rtol × G 100 = 1e-6 relative.
    # Measured 0.0 (119 steps).
    assert abs(traj["y"][-1] / K - 1.0) <= 1e-6


# -- budgets -----------------------------------------------------------------------


def test_cos_of_a_fast_ramp_stops_at_max_steps_naming_its_states():
    with pytest.raises(SimulationError, match="max_steps = 2000") as info:
        simulate(cos_of_a_fast_ramp(), (0.0, 1.0), max_steps=2000)
    assert set(info.value.states[:2]) == {"c", "c.sin"}
    assert info.value.t < 1.0
    assert "h = " in str(info.value) and "raise max_steps" in str(info.value)


def test_a_gigahertz_oscillator_stops_at_max_steps_naming_its_states():
    with pytest.raises(SimulationError, match="max_steps = 2000") as info:
        simulate(oscillator(1e9), (0.0, 1.0), max_steps=2000)
    assert set(info.value.states) == {"x", "v"}
    message = str(info.value)
    assert "fastest-varying states are" in message and "Radau" in message
    # The error quotes each state's time scale |y|/|y'|, fastest first.  With
    # x' = v and v' = -ω² x the two scales multiply to 1/ω² exactly, so the
    # fastest is ≤ 1/ω = 1e-9 s, up to its 3 printed digits (5e-3 relative).
    # Measured 5.32e-10 (x) × 1.88e-9 (v).  The lower end is an allowance,
    # not a bound: the phase may put a state near 0, which only makes it look
    # faster; 1e-12 leaves it a factor 1e3 (margin 532× here).
    scale = float(re.search(r"time scale (\S+)\)", message).group(1))
    assert 1e-12 < scale <= 1e-9 * (1 + 5e-3)


def test_the_timeout_stops_a_run_between_steps():
    start = time.perf_counter()
    with pytest.raises(SimulationError, match=r"timeout of 0\.3 s"):
        simulate(oscillator(1e9), (0.0, 1.0), max_steps=None, timeout=0.3)
    # The clock is read after every step (~0.1 ms each here); 5 s of margin
    # for a loaded machine.  Measured 0.3006 s (overrun 0.6 ms; margin 8000×).
    assert time.perf_counter() - start < 0.3 + 5.0


def test_a_run_within_its_budget_is_unchanged():
    c = oscillator(1.0)
    free = simulate(c, (0.0, 10.0), max_steps=None)
    steps = free.stats["steps"]
    exact = simulate(c, (0.0, 10.0), max_steps=steps)
    assert np.array_equal(exact["x"], free["x"])
    with pytest.raises(SimulationError, match=f"max_steps = {steps - 1} "):
        simulate(c, (0.0, 10.0), max_steps=steps - 1)


def test_the_budget_spans_all_segments_of_a_schedule():
    c = oscillator(1.0)
    schedule = [(5.0, None, "first"), (5.0, None, "second")]
    free = simulate(c, None, schedule=schedule, max_steps=None)
    total = free.stats["steps"]
    simulate(c, None, schedule=schedule, max_steps=total)
    with pytest.raises(SimulationError, match=f"max_steps = {total - 1} ") as info:
        simulate(c, None, schedule=schedule, max_steps=total - 1)
    assert info.value.t >= 5.0  # the first segment fitted, the second did not


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_steps": 0}, "max_steps must be a positive integer"),
        ({"max_steps": 2.5}, "max_steps must be a positive integer"),
        ({"max_steps": True}, "max_steps must be a positive integer"),
        ({"timeout": 0.0}, "timeout must be a positive number"),
        ({"timeout": float("nan")}, "timeout must be a positive number"),
        ({"timeout": "1"}, "timeout must be a positive number"),
    ],
)
def test_budget_arguments_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        simulate(oscillator(1.0), (0.0, 1.0), **options)


@pytest.mark.slow
@pytest.mark.parametrize(
    "circuit",
    [blow_up_read_by_sin, cos_of_a_fast_ramp, oscillator],
    ids=lambda f: f.__name__,
)
def test_the_default_budget_stops_every_runaway_run(circuit):
    span = (0.0, 2.0) if circuit is blow_up_read_by_sin else (0.0, 1.0)
    with pytest.raises(SimulationError) as info:
        simulate(circuit(), span)
    assert info.value.states
    assert "blows up" in str(info.value) or f"max_steps = {MAX_STEPS}" in str(
        info.value
    )


# -- solver failures ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["auto", "Radau", "BDF", "LSODA"])
def test_a_solver_failure_on_huge_rates_is_our_error_naming_the_state(method):
    # x' = −1e154·x: auto picks Radau, whose LU factor is singular in floating
    # point; BDF's step collapses; LSODA steps by h = 0.
    with pytest.raises(SimulationError, match="rescale the circuit") as info:
        simulate(decay(1e154), (0.0, 1.0), method=method, max_steps=2000)
    assert info.value.states[0] == "x"
    assert info.value.t == 0.0


def test_an_explicit_method_on_huge_rates_stops_at_the_budget():
    with pytest.raises(SimulationError, match="max_steps = 500") as info:
        simulate(decay(1e154), (0.0, 1.0), method="RK45", max_steps=500)
    assert info.value.states == ("x",)


# -- the empty circuit ---------------------------------------------------------------


def test_the_empty_circuit_runs_and_has_time_only():
    traj = simulate(nx.MultiDiGraph(), (0.0, 1.0))
    assert list(traj.t) == [0.0, 1.0]
    assert traj.names == () and traj.final == {}
    sampled = simulate(nx.MultiDiGraph(), (0.0, 1.0), t_eval=[0.0, 0.5, 1.0])
    assert list(sampled.t) == [0.0, 0.5, 1.0]
    assert sampled.states.shape == (0, 3)


def test_a_circuit_of_constants_only_runs():
    c = Circuit()
    c.constant("two", value=2.0)
    traj = simulate(c, (0.0, 1.0), t_eval=[0.0, 1.0])
    assert list(traj["two"]) == [2.0, 2.0]


def test_auto_with_rates_that_overflow_at_t0_is_our_error_naming_the_states():
    """Fuzz repro: van der Pol with v(0) = −1e308 and a wire of weight 64.

    The Jacobian at t0 holds inf; ``auto`` used to raise numpy's LinAlgError
    while judging stiffness.  It now starts Radau, whose failure names the
    states with the largest rates.
    """
    c = van_der_pol(v0=-1e308, w=64.0)
    with pytest.warns(UserWarning), pytest.raises(SimulationError, match="rescale"):
        simulate(c, (0.0, 1.0))


def test_every_function_block_on_a_huge_constant_is_our_error():
    """Fuzz repro: u' = 1e200 feeding every function block; Radau's factor
    was 'exactly singular' and escaped as scipy's RuntimeError."""
    from analyzer.blocks import BLOCKS

    c = Circuit()
    c.integrator("u", initial=1.5)
    c.constant("one", value=1e200)
    c.connect("one", "u")
    c.adder("sum")
    for kind, spec in BLOCKS.items():
        if spec.function:
            c.add(f"f_{kind}", kind, **({"p": 1.5} if kind == "power" else {}))
            c.connect("u", f"f_{kind}")
            c.connect(f"f_{kind}", "sum", weight=0.01)
    c.integrator("z")
    c.connect("sum", "z")
    with pytest.raises(SimulationError):
        simulate(c, (0.0, 1.0), timeout=10.0)
