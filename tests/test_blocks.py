"""The block registry, and one small check per kind of its lowering.

Each test wires one block into a tiny circuit, compiles it, and compares the
right-hand side and the block's signal at a chosen state with the block's
equation worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from analyzer import BLOCKS, Circuit, compile_circuit, simulate

KINDS = ("integrator", "adder", "multiplier", "gain", "constant", "time")
EPS = np.finfo(float).eps

# Tolerances (issue 10), each a stated bound with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.
#
# A right-hand side or signal at a chosen state: ≤ 4 roundings of ≤ 3 terms
# whose Σ|terms| is at most 1.23 × |result| (x' = 6 - 0.65 + 0.4) → 5 eps
# relative; allowed 16 eps = 3.6e-15 (the compiled route groups the sums its
# own way, and the expected value is rounded too); measured ≤ 1.2e-16 (-1.8,
# half an ulp), margin 29×.  (abs=0 below: pytest.approx(rel=...) keeps a
# hidden abs 1e-12, which would dominate.)
RATE = 16 * EPS
# Runge-Kutta methods integrate constant and linear rates exactly: only
# rounding is left, ≤ 16 operations of size |y| (a DOP853 step's 12 stages and
# its dense output) per step, relative: 16 eps × steps
ROUNDING_PER_STEP = 16 * EPS


def solver_exact(traj):
    """The relative tolerance of a run whose rates Runge-Kutta integrates exactly."""
    return ROUNDING_PER_STEP * traj.stats["steps"]


def test_registry_has_every_kind_of_the_design():
    assert set(KINDS) <= set(BLOCKS)


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_every_spec_is_documented_and_consistent(kind):
    spec = BLOCKS[kind]
    assert spec.kind == kind
    assert isinstance(spec.summary, str) and spec.summary.strip()
    assert isinstance(spec.equation, str) and spec.equation.strip()
    names = [port.name for port in spec.ports]
    assert len(names) == len(set(names)), f"{kind}: duplicate port names {names}"
    assert all(isinstance(n, str) and n for n in names)
    for name in spec.params:
        assert isinstance(name, str) and name


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        BLOCKS["flux"] = BLOCKS["adder"]  # type: ignore[index]


def state(system, **values):
    """The full state vector from named base-state values."""
    base = np.array([values[n] for n in system.names[: system.n_base]])
    return system.embed(base)


def rate(system, y, name):
    return float(system.rhs(0.0, y)[system.names.index(name)])


def test_integrator_sums_its_weighted_inputs():
    # x' = 3·c - 0.5·x + y,  c = 2
    c = Circuit()
    c.integrator("x", initial=0.25)
    c.integrator("y", initial=-1.0)
    c.constant("c", 2.0)
    c.connect("c", "x", weight=3.0)
    c.connect("x", "x", weight=-0.5)
    c.connect("y", "x")
    system = compile_circuit(c)
    assert system.names == ("x", "y")
    np.testing.assert_array_equal(system.y0, [0.25, -1.0])
    y = state(system, x=1.3, y=0.4)
    assert rate(system, y, "x") == pytest.approx(6.0 - 0.65 + 0.4, abs=0, rel=RATE)
    assert rate(system, y, "y") == 0.0
    assert float(system.signals(y)["x"]) == 1.3


def test_integrator_with_wrt():
    # v' = x, w' = (1.5·x)·d(2·v)/dt = 3·x², x' = 0: w(t) = 3·x0²·t
    c = Circuit()
    c.integrator("x", initial=0.5)
    c.integrator("v", initial=0.0)
    c.integrator("w", initial=1.0)
    c.connect("x", "v")
    c.connect("x", "w", weight=1.5)
    c.connect("v", "w", port="wrt", weight=2.0)
    system = compile_circuit(c)
    y = state(system, x=-1.2, v=0.3, w=7.0)
    assert rate(system, y, "w") == pytest.approx(3.0 * 1.44, abs=0, rel=RATE)
    assert rate(system, y, "v") == pytest.approx(-1.2, abs=0, rel=RATE)
    traj = simulate(c, (0.0, 2.0), t_eval=[1.0, 2.0], rtol=1e-10, atol=1e-12)
    # constant rates: 16 eps × 4 steps = 1.4e-14; measured 3.8e-16, margin 37×
    np.testing.assert_allclose(traj["w"], [1.75, 2.5], rtol=solver_exact(traj))


def test_integrator_with_respect_to_a_nonlinear_signal():
    # w = ∫ 1 d(x²) with x' = 1: w' = 2x, so w(t) = x(t)² - x0² + w0
    c = Circuit()
    c.integrator("x", initial=0.5)
    c.integrator("w", initial=0.0)
    c.constant("one", 1.0)
    c.multiplier("sq")
    c.connect("one", "x")
    c.connect("x", "sq", port="a")
    c.connect("x", "sq", port="b")
    c.connect("one", "w")
    c.connect("sq", "w", port="wrt")
    system = compile_circuit(c)
    y = state(system, x=0.8, w=0.0)
    assert rate(system, y, "w") == pytest.approx(1.6, abs=0, rel=RATE)
    traj = simulate(c, (0.0, 1.0), t_eval=[1.0], rtol=1e-10, atol=1e-12)
    # w' = 2x with x linear: 16 eps × 4 steps = 1.4e-14; measured 0
    assert traj["w"][-1] == pytest.approx(
        1.5**2 - 0.5**2, abs=0, rel=solver_exact(traj)
    )


def test_adder_with_weights():
    # a = 2x - 3y + 0.5·c,  c = 1; x' = a
    c = Circuit()
    c.integrator("x")
    c.integrator("y")
    c.constant("c", 1.0)
    c.adder("a")
    c.connect("x", "a", weight=2.0)
    c.connect("y", "a", weight=-3.0)
    c.connect("c", "a", weight=0.5)
    c.connect("a", "x")
    system = compile_circuit(c)
    y = state(system, x=0.7, y=-0.2)
    want = 2 * 0.7 + 0.6 + 0.5
    assert float(system.signals(y)["a"]) == pytest.approx(want, abs=0, rel=RATE)
    assert rate(system, y, "x") == pytest.approx(want, abs=0, rel=RATE)


def test_multiplier_ports_a_and_b():
    # m = (2x)·(-y); x' = m, y' = 0
    c = Circuit()
    c.integrator("x")
    c.integrator("y")
    c.multiplier("m")
    c.connect("x", "m", port="a", weight=2.0)
    c.connect("y", "m", port="b", weight=-1.0)
    c.connect("m", "x")
    system = compile_circuit(c)
    assert system.n == 2  # already quadratic: no lifted state
    y = state(system, x=0.6, y=1.5)
    assert float(system.signals(y)["m"]) == pytest.approx(-1.8, abs=0, rel=RATE)
    assert rate(system, y, "x") == pytest.approx(-1.8, abs=0, rel=RATE)


def test_multiplier_squares_one_block_through_two_unnamed_wires():
    # m = x·x; x' = -m: x = 1/(1 + t) from x0 = 1
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.multiplier("m")
    c.connect("x", "m")
    c.connect("x", "m")
    c.connect("m", "x", weight=-1.0)
    assert c.graph.number_of_edges("x", "m") == 2
    system = compile_circuit(c)
    y = state(system, x=-1.5)
    assert float(system.signals(y)["m"]) == pytest.approx(2.25, abs=0, rel=RATE)
    assert rate(system, y, "x") == pytest.approx(-2.25, abs=0, rel=RATE)
    traj = simulate(c, (0.0, 3.0), t_eval=[1.0, 3.0], rtol=1e-10, atol=1e-12)
    # x' = -x² contracts (∂/∂x = -2x < 0): local errors ≤ rtol |x| add up
    # without growth, 1e-10 × 15 steps = 1.5e-9 relative; measured 1.6e-11,
    # margin 90×
    np.testing.assert_allclose(traj["x"], [0.5, 0.25], rtol=1e-10 * traj.stats["steps"])


def test_gain():
    # g = k·(w·x) with k = -4, w = 0.5; x' = g
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.gain("g", k=-4.0)
    c.connect("x", "g", weight=0.5)
    c.connect("g", "x")
    system = compile_circuit(c)
    y = state(system, x=0.3)
    assert float(system.signals(y)["g"]) == pytest.approx(-0.6, abs=0, rel=RATE)
    assert rate(system, y, "x") == pytest.approx(-0.6, abs=0, rel=RATE)
    traj = simulate(c, (0.0, 1.0), t_eval=[1.0], rtol=1e-10, atol=1e-12)
    # x' = -2x contracts: 1e-10 × 8 steps = 8e-10 relative; measured 1.2e-11,
    # margin 67×
    assert traj["x"][-1] == pytest.approx(
        np.exp(-2.0), abs=0, rel=1e-10 * traj.stats["steps"]
    )


def test_constant():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.constant("c", -2.5)
    c.connect("c", "x")
    system = compile_circuit(c)
    np.testing.assert_array_equal(system.b, [-2.5])
    y = state(system, x=4.0)
    assert float(system.signals(y)["c"]) == -2.5
    assert rate(system, y, "x") == -2.5
    traj = simulate(c, (0.0, 2.0), t_eval=[2.0])
    # a constant rate: 16 eps × 3 steps = 1.1e-14; measured 2.2e-16, margin 48×
    assert traj["x"][-1] == pytest.approx(-4.0, abs=0, rel=solver_exact(traj))
    # the constant's signal is -2.5 + 0·x: exact (assert_allclose's default
    # rtol 1e-7 was hidden here)
    np.testing.assert_array_equal(traj["c"], -2.5)


def test_time_starting_away_from_zero():
    # x' = clock = t from t0 = 2.5: x = x0 + (t² - t0²)/2
    t0 = 2.5
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.time("clock")
    c.connect("clock", "x")
    system = compile_circuit(c, t0=t0)
    assert system.names == ("x", "t")
    assert system.n_base == 2
    np.testing.assert_array_equal(system.y0, [1.0, t0])
    y = state(system, x=0.0, t=3.75)
    assert float(system.signals(y)["clock"]) == 3.75
    # copies of a state and a constant 1: exact (measured 0)
    np.testing.assert_array_equal(system.rhs(0.0, y), [3.75, 1.0])
    t = np.array([2.5, 3.0, 4.0])
    traj = simulate(c, (t0, 4.0), t_eval=t, rtol=1e-10, atol=1e-12)
    # constant and linear rates: 16 eps × 3 steps = 1.1e-14; measured 2.2e-16
    # (clock) and 6e-16 (x), margins 48× and 18×
    np.testing.assert_allclose(traj["clock"], t, rtol=solver_exact(traj))
    np.testing.assert_allclose(
        traj["x"], 1.0 + (t**2 - t0**2) / 2, rtol=solver_exact(traj)
    )
