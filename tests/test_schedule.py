"""Programs with modes: segments of OPERATE/HOLD, potentiometer settings, switches."""

import numpy as np
import pytest

from analyzer import Circuit, simulate
from analyzer.schedule import Segment, compile_schedule

TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}
LOOSE = {"method": "RK45", "rtol": 1e-6, "atol": 1e-9}
EPS = np.finfo(float).eps

# Tolerances (issue 10), each a stated bound with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  Where the flow does not
# amplify errors (it contracts, or is a rotation), the global error is at most
# the sum of the local ones: rtol × max|y| × steps.  Runge-Kutta integrates
# constant and linear rates exactly: only rounding is left, ≤ 16 operations
# of size |y| per step (a DOP853 step's 12 stages and its dense output).
ROUNDING_PER_STEP = 16 * EPS


def reciprocal_tol(s, rtol=TIGHT["rtol"]):
    """|out - 1/s| after w' = -w² from w0 = s - 1: rtol × max|w, out| × G.

    δw' = -2w δw: the Riccati flow amplifies errors by (w(1)/w(0))² = 1/s²
    when s < 1 (w grows towards 1 - 1/s) and contracts when s > 1.
    """
    return rtol * max(abs(s - 1.0), 1.0 / s) * max(1.0, s**-2)


def tanh_circuit():
    """u' = x - u v, v' = x² - v² with x held: u(1) = tanh x (one segment)."""
    c = Circuit()
    for name in ("x", "u", "v"):
        c.integrator(name)
    c.graph.nodes["x"]["group"] = "input"
    c.graph.nodes["u"]["group"] = c.graph.nodes["v"]["group"] = "tanh"
    for name, a, b in (("uv", "u", "v"), ("xx", "x", "x"), ("vv", "v", "v")):
        c.multiplier(name)
        c.connect(a, name)
        c.connect(b, name)
    c.connect("x", "u")
    c.connect("uv", "u", weight=-1.0)
    c.connect("xx", "v")
    c.connect("vv", "v", weight=-1.0)
    return c


def reciprocal_circuit():
    """Load w = s - 1, then w' = -w² for one unit: 1 - w = 1/s (checklist item 4).

    The load and the Riccati paths run through gains whose settings change
    between the segments, like a hybrid computer's digital potentiometers.
    """
    c = Circuit()
    c.integrator("s")
    c.integrator("w")
    c.constant("one", value=1.0)
    c.adder("s_minus_1")
    c.connect("s", "s_minus_1")
    c.connect("one", "s_minus_1", weight=-1.0)
    c.gain("load", k=1.0)
    c.connect("s_minus_1", "load")
    c.multiplier("ww")
    c.connect("w", "ww")
    c.connect("w", "ww")
    c.gain("riccati", k=-1.0)
    c.connect("ww", "riccati")
    c.connect("load", "w")
    c.connect("riccati", "w")
    c.adder("out")  # 1/s = 1 - w
    c.connect("one", "out")
    c.connect("w", "out", weight=-1.0)
    return c


RECIPROCAL = [
    Segment(1.0, ["w"], "load", settings={"riccati": {"k": 0.0}}),
    Segment(1.0, ["w"], "riccati", settings={"load": {"k": 0.0}}),
]


# tests/test_elementary.py's tanh bound for the same circuit: |u| ≤ 1, the
# Riccati v → |x| contracts: tight rtol 1e-10 × G 1, loose rtol 1e-6 × G 10.
# Measured 2.6e-12 | 8.2e-8 here (7.4e-12 | 8.7e-8 for x = -2 alone), margins
# 13× | 115×
@pytest.mark.parametrize(("tol", "opts"), [(1e-10, TIGHT), (1e-5, LOOSE)])
def test_tanh_in_one_segment_matches_the_paper_checklist(tol, opts):
    x = np.array([-2.0, 0.3, 5.0])
    expected = [-0.9640275800758169, 0.2913126124515909, 0.9999092042625951]
    traj = simulate(
        tanh_circuit(), None, schedule=[(1.0, ["tanh"])], initial={"x": x}, **opts
    )
    assert np.max(np.abs(traj["u"][:, -1] - expected)) <= tol
    assert np.all(traj["x"] == x[:, None])  # held: never moves


@pytest.mark.parametrize("s", [0.2, 10.0])
def test_reciprocal_by_settings_per_segment(s):
    traj = simulate(
        reciprocal_circuit(), None, schedule=RECIPROCAL, initial={"s": s}, **TIGHT
    )
    # 1e-10 × 5 × G 25 = 1.25e-8 (s = 0.2), 1e-10 × 9 = 9e-10 (s = 10);
    # measured 1.3e-10 and 1.3e-12, margins 96× and 680×
    assert abs(traj["out"][-1] - 1.0 / s) <= reciprocal_tol(s)
    assert traj.stats["segments"] == [(0.0, 1.0, "load"), (1.0, 2.0, "riccati")]
    mid = np.argmin(np.abs(traj.t - 1.0))
    # after the load segment, which integrates the constant s - 1: rounding only,
    # 16 eps × |s - 1| × steps → 6.3e-14 | 9.9e-13; measured 3.3e-16 | 1.8e-15
    tol = ROUNDING_PER_STEP * abs(s - 1.0) * traj.stats["steps"]
    assert abs(traj["w"][mid] - (s - 1.0)) <= tol


def test_segments_compile_to_different_systems_over_the_same_base_states():
    program = compile_schedule(reciprocal_circuit(), RECIPROCAL)
    (_, load), (_, riccati) = program.segments
    assert load.names == riccati.names == ("s", "w")
    assert str(load) == "s' = 0\nw' = -1 + s"
    assert str(riccati) == "s' = 0\nw' = -w·w"
    assert (program.width, program.depth, program.duration) == (2, 2, 2.0)


def test_lifted_states_restart_from_the_base_states_at_each_switch():
    # x' = -x³ needs the lift w = x² in the segment where x operates;
    # a preceding segment moves x, so w must be re-initialised from x.
    c = Circuit()
    c.integrator("x", initial=3.0)
    c.integrator("k")  # a counter that runs in the first segment only
    c.constant("one", value=1.0)
    c.connect("one", "k")
    c.multiplier("x2")
    c.connect("x", "x2")
    c.connect("x", "x2")
    c.multiplier("x3")
    c.connect("x2", "x3")
    c.connect("x", "x3")
    c.connect("x3", "x", weight=-1.0)
    c.connect("one", "x", weight=0.0)
    traj = simulate(c, (0.0, 3.0), schedule=[(1.0, ["k"]), (2.0, ["x"])], **TIGHT)
    # checklist 14.  x' = -x³ contracts: an error made at x_n reaches the end
    # scaled by (x_end/x_n)³, so the local ones (≤ rtol |x_n|) add up to at most
    # rtol |x_end| × steps = 2.1e-9; measured 1.6e-13
    exact = 3.0 / np.sqrt(37.0)
    tol = TIGHT["rtol"] * exact * traj.stats["steps"]
    assert traj["x"][-1] == pytest.approx(exact, abs=tol)
    # the counter integrates a constant: 16 eps × 43 steps = 1.5e-13; measured
    # 4.4e-16, margin 340×
    tol = ROUNDING_PER_STEP * traj.stats["steps"]
    assert traj["k"][-1] == pytest.approx(1.0, abs=tol)


def test_one_dimensional_flow_is_monotone():
    # no ancillas, one segment: x1 < x2 must give y1(T) < y2(T)
    c = Circuit()
    c.integrator("y")
    c.multiplier("yy")
    c.connect("y", "yy")
    c.connect("y", "yy")
    c.constant("c", value=0.3)
    c.connect("yy", "y", weight=-0.5)
    c.connect("c", "y")
    x = np.linspace(-1.0, 1.5, 11)
    traj = simulate(c, None, schedule=[(1.0, None)], initial={"y": x}, **TIGHT)
    assert np.all(np.diff(traj["y"][:, -1]) > 0)


def test_crossings_and_dense_output_across_segments():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.integrator("v")
    c.gain("k", k=-1.0)
    c.connect("v", "x")
    c.connect("x", "k")
    c.connect("k", "v")
    schedule = [(1.0, None, "a"), (2.0, None, "b"), (4.0, None, "c")]
    traj = simulate(c, None, schedule=schedule, t_eval=np.linspace(0, 7, 29), **TIGHT)
    # a rotation: rtol 1e-10 × |x| ≤ 1 × 27 steps = 2.7e-9; measured 1.2e-10
    # (the former 1e-9 had 8×), margin 22×
    tol = TIGHT["rtol"] * traj.stats["steps"]
    assert np.max(np.abs(traj["x"] - np.cos(traj.t))) <= tol
    # a crossing moves by δx / |x'| = δx (|sin| = 1 there); measured 3.5e-11,
    # margin 77× (np.allclose's hidden rtol 1e-5 allowed 4.7e-5 here)
    np.testing.assert_allclose(
        traj.crossings("x"), [np.pi / 2, 3 * np.pi / 2], rtol=0, atol=tol
    )
    assert [label for *_, label in traj.stats["segments"]] == ["a", "b", "c"]


def test_schedule_errors_are_listed_together():
    with pytest.raises(ValueError) as info:
        compile_schedule(
            tanh_circuit(),
            [
                (0.0, ["u"]),
                (1.0, ["nope"]),
                (float("nan"), None),
                Segment(1.0, None, settings={"zz": {"k": 1.0}, "uv": {"k": 2.0}}),
            ],
        )
    message = str(info.value)
    assert "segment 1: duration 0.0 is not a positive finite number" in message
    assert (
        "segment 2: 'nope' is neither an integrator nor a group; groups: input, tanh"
        in message
    )
    assert "segment 3: duration nan" in message
    assert "'zz', which is not a block" in message
    assert "block 'uv' (multiplier): no parameter 'k'" in message
    with pytest.raises(ValueError, match="no segments"):
        compile_schedule(tanh_circuit(), [])


def test_t_span_must_match_the_schedule():
    with pytest.raises(
        ValueError, match=r"the schedule lasts 1\.0, so t_span must end at 1\.0"
    ):
        simulate(tanh_circuit(), (0.0, 2.0), schedule=[(1.0, ["tanh"])])
    traj = simulate(
        tanh_circuit(), (5.0, 6.0), schedule=[(1.0, ["tanh"])], initial={"x": 0.5}
    )
    assert traj.t[0] == 5.0 and traj.t[-1] == 6.0


def test_signals_are_read_with_each_segments_settings():
    # the gains' settings change between segments, so their signals jump
    traj = simulate(
        reciprocal_circuit(), None, schedule=RECIPROCAL, initial={"s": 0.5},
        t_eval=[0.5, 1.0, 1.5], **TIGHT,
    )  # fmt: skip
    w = traj["w"]
    # on, then off at the switch: 1·(0.5 - 1) and 0·(...) are exact (measured
    # so; np.allclose's hidden defaults allowed 1e-8 + 1e-5 relative)
    np.testing.assert_array_equal(traj["load"], [-0.5, 0.0, 0.0])
    # -1·(w·w) against the test's -(w²): ≤ 2 roundings, exact zeros when off;
    # measured 0
    np.testing.assert_allclose(
        traj["riccati"], [0.0, -(w[1] ** 2), -(w[2] ** 2)], rtol=2 * EPS, atol=0
    )
    # s is held, so its dense output is constant: exact (measured 0); allowed 2 eps
    assert traj.at(0.25, "load")["load"] == pytest.approx(-0.5, abs=0, rel=2 * EPS)
    assert traj.at(1.75, "riccati")["riccati"] == pytest.approx(
        -(traj.at(1.75, "w")["w"] ** 2), abs=0, rel=2 * EPS
    )


def test_a_schedule_without_dense_output_samples_each_segment():
    t = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    opts = {"schedule": RECIPROCAL, "initial": {"s": [0.5, 4.0]}, "t_eval": t, **TIGHT}
    dense = simulate(reciprocal_circuit(), None, **opts)
    lean = simulate(reciprocal_circuit(), None, dense_output=False, **opts)
    # the same steps, interpolated at the same points: ≤ 16 eps × |w| ≤ 3
    # = 1.1e-14; measured 0
    assert np.max(np.abs(lean["w"] - dense["w"])) <= ROUNDING_PER_STEP * 3.0
    # reciprocal_tol: 8e-10 (s = 0.5), 3e-10 (s = 4); measured 8.9e-13, margin
    # 340× (np.allclose's hidden rtol 1e-5 allowed 2e-5 here)
    np.testing.assert_allclose(
        lean["out"][:, -1], [2.0, 0.25], rtol=0, atol=reciprocal_tol(0.5)
    )
    # t = 1 belongs to the second segment, where the load's gain is 0: exactly 0
    np.testing.assert_array_equal(lean["load"][:, 2], 0.0)


def test_a_segment_in_which_everything_holds():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.integrator("v")
    c.gain("k", k=-1.0)
    c.connect("v", "x")
    c.connect("x", "k")
    c.connect("k", "v")
    schedule = [(1.0, None, "run"), (5.0, [], "hold"), (1.0, None, "run")]
    traj = simulate(c, None, schedule=schedule, t_eval=[1.0, 3.0, 6.0, 7.0], **TIGHT)
    assert traj["x"][1] == traj["x"][0] == traj["x"][2]  # held for 5 time units
    # a rotation: rtol 1e-10 × 11 steps = 1.1e-9; measured 1.1e-11, margin 100×
    tol = TIGHT["rtol"] * traj.stats["steps"]
    assert traj["x"][-1] == pytest.approx(np.cos(2.0), abs=tol)
    lean = simulate(c, None, schedule=schedule, t_eval=[3.0, 7.0], dense_output=False)
    # simulate's default rtol 1e-8 × 8 steps = 8e-8; measured 4.3e-10, margin 190×
    assert lean["x"][0] == pytest.approx(np.cos(1.0), abs=1e-8 * lean.stats["steps"])
