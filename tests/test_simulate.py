"""simulate(): methods, auto switching, dense output, crossings, batches, failures."""

import numpy as np
import pytest
from builders import blow_up
from scipy.integrate import solve_ivp

from analyzer import Circuit, SimulationError, compile_circuit, simulate

EPS = np.finfo(float).eps
DEFAULT_RTOL = 1e-8  # simulate()'s default (atol 1e-10)

# Tolerances (issue 10), each a stated bound with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  Solver bounds read
# rtol × signal size × G, G the growth of the global over the local error.
# The oscillator is a rotation (|x|, |v| ≤ 1): errors add, they do not grow,
# so G counts steps.  Van der Pol with mu = 1 sits on its limit cycle
# (|x| ≤ 2.1): errors along the cycle stay, phase errors grow with t, over
# ≤ 3 periods G = 10.  Van der Pol with mu ≥ 10 jumps between relaxation
# branches, where a time error becomes a state error times |x'| (≤ mu):
# G = 500 there.
#
# Every method on the oscillator, rtol 1e-9 × |x| ≤ 1 × G 1000 (≥ the step
# count of all but RK23, whose local errors sit far below rtol): 1e-6.
# Measured 7.1e-9 (BDF), 1.1e-9 (RK23); margin 141×.
EVERY_METHOD_TOL = 1e-9 * 1.0 * 1000


# Radau with the default rtol against a reference: the two runs' errors add,
# (rtol + ref rtol) × |x| ≤ 2 × G 500.  Measured 3.0e-12 (mu 50), 1.2e-10
# (mu 100, switching), 2.3e-12 (mu 10, batched); margins ≥ 8e4×.
def relaxation_tol(ref_rtol: float) -> float:
    return (DEFAULT_RTOL + ref_rtol) * 2.0 * 500


# Two runs on the limit cycle with rtol 1e-10: 2 × rtol × |x| ≤ 2 × G 10.
# Measured 1.3e-10 (t_eval against solve_ivp), 6.1e-11 (batch against single
# runs); margins 31× | 66×.
LIMIT_CYCLE_TOL = 2 * 1e-10 * 2.0 * 10
# The oscillator over [0, 6] with rtol 1e-10 in DOP853 (21 steps here) plus
# its dense interpolant between steps: rtol × |x| ≤ 1 × G 100.  Measured
# 1.6e-10; margin 62×.
DENSE_TOL = 1e-10 * 1.0 * 100
# A crossing time is off by the state error over the slope |x'|, ≥ √3/2 at
# the crossings tested: rtol 1e-10 × |x| ≤ 1 × G 1000 / (√3/2) = 1.2e-7.
# Measured 1.1e-9 (BDF, 885 steps), 1.3e-10 (DOP853); margin 109×.
CROSSING_TOL = 1e-10 * 1.0 * 1000 / (np.sqrt(3) / 2)
# The two-directional crossings are found by the same root finder on the same
# brackets as the one-directional ones: equal up to a few roundings of t ≤ 20
# (4 here).  Measured 0.0.
SAME_ROOTS_ATOL = 4 * EPS * 20.0
# Runge-Kutta integrates a rate linear in t exactly: only rounding is left,
# ≤ 16 operations of size |y| per step (a DOP853 step's 12 stages and its
# output), times the step count (3 here).
ROUNDING_PER_STEP = 16 * EPS
# y' = y² from 1 blows up at t = 1; the time the run stops at is off by the
# relative error of y: default rtol × t ≤ 1 × G 1000 = 1e-5.  Measured
# 1.2e-9 (auto), 8.3e-10 (RK45), 2.2e-11 (Radau); margin 8400×.
BLOW_UP_TOL = DEFAULT_RTOL * 1.0 * 1000
# The heat equation contracts (eigenvalues ≤ -lam): old errors decay, the
# last steps' local errors dominate, where atol 1e-10 ≥ rtol × |u| (≤ 5.2e-5
# at t = 1): atol × G 10 = 1e-9.  The reference uses the discrete
# eigenvalue, exact for the semi-discrete system.  Measured 1.4e-13; margin
# 7000×.
HEAT_TOL = 1e-10 * 10
# A batch's error norm must not be diluted by 99 members at rest.  Diluted
# 10× (an RMS over 100 members), DOP853 (order 8) would take steps 10^(1/8)
# longer, its error growing ≈ 10^(7/8) = 7.5×; 1.5 separates the two.
# Measured ratio 1 + 8e-9.
DILUTION_RATIO = 1.5
# Without dense output the requested times come from the same step
# interpolants; a time on a step boundary may come from either neighbour,
# equal there up to the dense polynomial's roundings: 16 × EPS × |x| ≤ 2.1.
# Measured 0.0 (all three methods).
SAME_INTERPOLANT_TOL = 16 * EPS * 2.1


def oscillator(x0=1.0, omega=1.0):
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v")
    c.gain("k", k=-(omega**2))
    c.connect("v", "x")
    c.connect("x", "k")
    c.connect("k", "v")
    return c


def van_der_pol(mu, x0=2.0):
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v")
    c.multiplier("x2")
    c.multiplier("x2v")
    c.connect("x", "x2")
    c.connect("x", "x2")
    c.connect("x2", "x2v")
    c.connect("v", "x2v")
    c.connect("v", "x")
    c.connect("v", "v", weight=mu)
    c.connect("x2v", "v", weight=-mu)
    c.connect("x", "v", weight=-1.0)
    return c


def vdp_rhs(mu):
    return lambda t, u: [u[1], mu * (1 - u[0] ** 2) * u[1] - u[0]]


@pytest.mark.parametrize("method", ["RK23", "RK45", "DOP853", "Radau", "BDF", "LSODA"])
def test_every_scipy_method_solves_the_oscillator(method):
    traj = simulate(
        oscillator(), (0.0, 5.0), t_eval=[5.0], method=method, rtol=1e-9, atol=1e-12
    )
    assert traj.stats["method"] == method
    assert abs(traj["x"][-1] - np.cos(5.0)) < EVERY_METHOD_TOL
    assert (
        abs(traj["k"][-1] + np.cos(5.0)) < EVERY_METHOD_TOL
    )  # a non-integrator block's signal


def test_implicit_methods_get_the_exact_jacobian():
    traj = simulate(van_der_pol(50.0), (0.0, 20.0), method="Radau")
    assert traj.stats["njev"] > 0
    # scipy falls back to finite differences (extra fevals, njev counted) only
    # without a jac; with it, nfev stays close to the Newton iterations.
    reference = solve_ivp(
        vdp_rhs(50.0), (0, 20), [2.0, 0.0], method="Radau", rtol=1e-8, atol=1e-10
    )
    assert abs(traj["x"][-1] - reference.y[0, -1]) < relaxation_tol(1e-8)


def test_auto_uses_an_explicit_method_on_a_non_stiff_problem():
    traj = simulate(oscillator(), (0.0, 10.0))
    assert traj.stats["method"] == "DOP853"
    assert traj.stats["njev"] == 0


def test_auto_starts_implicit_when_the_start_is_stiff():
    traj = simulate(van_der_pol(1000.0), (0.0, 100.0), t_eval=[100.0])
    assert traj.stats["method"] == "Radau"


def test_auto_switches_to_an_implicit_method_when_the_run_turns_stiff():
    # Van der Pol with mu = 100 from x = 0.5 < 1: the start is anti-damped, so
    # nothing looks stiff, until the relaxation branch (|x| > 1) is reached.
    c = van_der_pol(100.0, x0=0.5)
    traj = simulate(c, (0.0, 50.0), t_eval=[50.0])
    assert traj.stats["method"] == "DOP853→Radau"
    ref = solve_ivp(
        vdp_rhs(100.0), (0, 50), [0.5, 0.0], method="Radau", rtol=1e-11, atol=1e-13
    )
    assert abs(traj["x"][-1] - ref.y[0, -1]) < relaxation_tol(1e-11)


def test_t_eval_matches_solve_ivp_with_the_same_solver():
    c = van_der_pol(1.0)
    t = np.linspace(0.0, 10.0, 37)
    traj = simulate(c, (0.0, 10.0), t_eval=t, method="DOP853", rtol=1e-10, atol=1e-12)
    ref = solve_ivp(
        vdp_rhs(1.0),
        (0, 10),
        [2.0, 0.0],
        method="DOP853",
        t_eval=t,
        rtol=1e-10,
        atol=1e-12,
        dense_output=True,
    )
    assert np.max(np.abs(traj["x"] - ref.y[0])) < LIMIT_CYCLE_TOL
    assert traj.t.shape == t.shape


def test_without_t_eval_the_steps_are_returned():
    traj = simulate(oscillator(), (0.0, 3.0), method="RK45")
    assert traj.t[0] == 0.0 and traj.t[-1] == 3.0
    assert len(traj.t) == traj.stats["steps"] + 1
    # A rotation: the local errors add, default rtol × |x| ≤ 1 × steps
    # (39 here, 3.9e-7).  Measured 3.7e-9; margin 104×.
    bound = DEFAULT_RTOL * 1.0 * traj.stats["steps"]
    assert np.max(np.abs(traj["x"] - np.cos(traj.t))) < bound


def test_dense_output_between_steps():
    traj = simulate(oscillator(), (0.0, 6.0), rtol=1e-10, atol=1e-12)
    t = np.linspace(0.0, 6.0, 101)
    assert np.max(np.abs(traj(t)[0] - (-np.sin(t)))) < DENSE_TOL  # states: v, x
    assert np.max(np.abs(traj(t)[1] - np.cos(t))) < DENSE_TOL


@pytest.mark.parametrize("method", ["DOP853", "RK45", "Radau", "BDF"])
def test_crossings_are_root_found_on_the_dense_output(method):
    traj = simulate(oscillator(), (0.0, 20.0), method=method, rtol=1e-10, atol=1e-12)
    up = traj.crossings("x", 0.0, direction=+1)
    down = traj.crossings("x", 0.0, direction=-1)
    both = traj.crossings("x", 0.0)
    k = np.arange(4)
    assert np.max(np.abs(up - (1.5 * np.pi + 2 * np.pi * k[:3]))) < CROSSING_TOL
    assert np.max(np.abs(down - (0.5 * np.pi + 2 * np.pi * k[:3]))) < CROSSING_TOL
    assert np.allclose(
        both, np.sort(np.concatenate([up, down])), rtol=0, atol=SAME_ROOTS_ATOL
    )
    level = traj.crossings("x", 0.5, direction=-1)
    assert abs(level[0] - np.arccos(0.5)) < CROSSING_TOL


def test_crossings_of_an_unknown_block():
    traj = simulate(oscillator(), (0.0, 1.0))
    with pytest.raises(KeyError, match="no block named 'nope'"):
        traj.crossings("nope")
    with pytest.raises(ValueError, match="direction"):
        traj.crossings("x", direction=2)


def test_a_batch_is_one_run_that_matches_single_runs():
    x0 = np.array([0.5, 1.0, 2.0, -1.5])
    t = [1.0, 4.0]
    batch = simulate(
        van_der_pol(1.0),
        (0.0, 4.0),
        t_eval=t,
        initial={"x": x0},
        rtol=1e-10,
        atol=1e-12,
    )
    assert batch["x"].shape == (4, 2)
    assert batch["x2v"].shape == (4, 2)
    for i, value in enumerate(x0):
        single = simulate(
            van_der_pol(1.0),
            (0.0, 4.0),
            t_eval=t,
            initial={"x": value},
            rtol=1e-10,
            atol=1e-12,
        )
        assert np.max(np.abs(batch["x"][i] - single["x"])) < LIMIT_CYCLE_TOL
    crossings = batch.crossings("x", 0.0)
    assert len(crossings) == 4


def test_batched_jacobian_with_an_implicit_method():
    x0 = np.array([1.0, 2.0])
    batch = simulate(
        van_der_pol(10.0), (0.0, 5.0), t_eval=[5.0], initial={"x": x0}, method="Radau"
    )
    for i, value in enumerate(x0):
        ref = solve_ivp(
            vdp_rhs(10.0), (0, 5), [value, 0.0], method="Radau", rtol=1e-10, atol=1e-12
        )
        assert abs(batch["x"][i, -1] - ref.y[0, -1]) < relaxation_tol(1e-10)


def test_initial_overrides_are_checked():
    with pytest.raises(ValueError, match=r"integrators only.*'k'"):
        simulate(oscillator(), (0.0, 1.0), initial={"k": 1.0})
    with pytest.raises(ValueError, match="one common length"):
        simulate(
            oscillator(), (0.0, 1.0), initial={"x": [1.0, 2.0], "v": [1.0, 2.0, 3.0]}
        )
    with pytest.raises(
        ValueError, match="initial value of integrator 'x' is not finite: nan"
    ):
        simulate(oscillator(), (0.0, 1.0), initial={"x": np.nan})
    with pytest.raises(
        ValueError, match=r"'v' is not finite: \[inf\] \(members \[1\]\)"
    ):
        simulate(oscillator(), (0.0, 1.0), initial={"x": 1.0, "v": [0.0, np.inf]})


@pytest.mark.parametrize(
    ("rtol", "atol", "message"),
    [
        (0.0, 1e-10, "rtol must be a number with 0 < rtol < 1, got 0.0"),
        (1.0, 1e-10, "rtol must be a number with 0 < rtol < 1, got 1.0"),
        (np.nan, 1e-10, "rtol must be"),
        (1e-8, 0.0, "atol must be a finite number > 0, got 0.0"),
        (1e-8, -1.0, "atol must be a finite number > 0"),
        (1e-8, np.inf, "atol must be a finite number > 0"),
        ("1e-8", 1e-10, "rtol must be"),
    ],
)
def test_tolerances_follow_one_rule_with_the_command_line(rtol, atol, message):
    with pytest.raises(ValueError, match=message):
        simulate(oscillator(), (0.0, 1.0), rtol=rtol, atol=atol)


def test_time_block_starts_at_t0():
    c = Circuit()
    c.time("t")
    c.integrator("y", initial=0.5)  # y' = t, y(1) = 0.5  =>  y = t²/2
    c.connect("t", "y")
    traj = simulate(c, (1.0, 3.0), t_eval=[3.0])
    # Rounding only: 4.8e-14 for y, 3.2e-14 for t; measured 0.0 | 8.9e-16
    # (margin 36× for t).
    steps = traj.stats["steps"]
    assert abs(traj["y"][-1] - 4.5) <= ROUNDING_PER_STEP * 4.5 * steps
    assert abs(traj["t"][-1] - 3.0) <= ROUNDING_PER_STEP * 3.0 * steps
    system = compile_circuit(c)  # compiled for t0 = 0
    with pytest.raises(ValueError, match=r"compiled for t0 = 0\.0"):
        simulate(system, (1.0, 3.0))


def test_blow_up_names_the_time_and_the_state():
    c = blow_up()
    for method in ("auto", "RK45", "Radau"):
        with pytest.raises(SimulationError, match="blows up near t = 1") as info:
            simulate(c, (0.0, 2.0), method=method)
        assert abs(info.value.t - 1.0) < BLOW_UP_TOL
        assert info.value.states == ("y",)


def test_stiff_heat_equation_with_auto_is_fast_and_exact():
    n = 60
    h = 1.0 / (n + 1)
    x = h * np.arange(1, n + 1)
    c = Circuit()
    for i in range(n):
        c.integrator(f"u{i}", initial=np.sin(np.pi * x[i]))
    for i in range(n):
        c.connect(f"u{i}", f"u{i}", weight=-2.0 / h**2)
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                c.connect(f"u{j}", f"u{i}", weight=1.0 / h**2)
    traj = simulate(c, (0.0, 1.0), t_eval=[1.0])
    assert traj.stats["method"] == "Radau"
    lam = 4.0 / h**2 * np.sin(np.pi * h / 2) ** 2
    assert abs(traj["u29"][-1] - np.sin(np.pi * x[29]) * np.exp(-lam)) < HEAT_TOL


def test_every_member_of_a_batch_is_as_accurate_as_a_single_run():
    # 99 members at rest must not dilute the error estimate of the moving one
    t = np.linspace(0.0, 20.0, 41)
    opts = {"rtol": 1e-6, "atol": 1e-9, "method": "DOP853", "t_eval": t}
    exact = solve_ivp(
        vdp_rhs(1.0),
        (0, 20),
        [2.0, 0.0],
        t_eval=t,
        rtol=1e-12,
        atol=1e-12,
        method="DOP853",
    )
    single = simulate(van_der_pol(1.0), (0.0, 20.0), **opts)
    batch = simulate(
        van_der_pol(1.0), (0.0, 20.0), initial={"x": [2.0] + [0.0] * 99}, **opts
    )
    error_single = np.max(np.abs(single["x"] - exact.y[0]))
    error_batch = np.max(np.abs(batch["x"][0] - exact.y[0]))
    assert error_batch <= DILUTION_RATIO * error_single


@pytest.mark.parametrize("method", ["DOP853", "RK45", "Radau"])
def test_without_dense_output_only_the_requested_times_are_kept(method):
    t = np.array([0.0, 0.37, 2.0, 5.5, 10.0])
    opts = {"t_eval": t, "method": method, "rtol": 1e-10, "atol": 1e-12}
    dense = simulate(van_der_pol(1.0), (0.0, 10.0), **opts)
    lean = simulate(van_der_pol(1.0), (0.0, 10.0), dense_output=False, **opts)
    assert np.array_equal(lean.t, t)
    assert np.max(np.abs(lean["x"] - dense["x"])) <= SAME_INTERPOLANT_TOL
    assert lean.stats["steps"] == dense.stats["steps"]
    with pytest.raises(ValueError, match="dense_output=True"):
        lean.crossings("x")
    with pytest.raises(ValueError, match="dense_output=True"):
        lean.at(1.0)
    batch = simulate(
        van_der_pol(1.0),
        (0.0, 10.0),
        dense_output=False,
        initial={"x": [2.0, 1.0]},
        **opts,
    )
    assert batch["x"].shape == (2, len(t))
