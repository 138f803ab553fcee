"""Every way a circuit or a run can be wrong, and the edge cases that must work.

A bad graph gets one ``CircuitError`` that lists every problem, each naming the
block in quotes, its kind in parentheses and, where a port is involved, the port
as ``port 'in'``.  Bad arguments to ``simulate`` and the ``Circuit`` builder get a
``ValueError`` that says what was wrong; a blow-up gets a ``SimulationError``.
"""

from __future__ import annotations

import math
import re

import networkx as nx
import numpy as np
import pytest

from analyzer import Circuit, CircuitError, SimulationError, compile_circuit, simulate

NAN, INF = float("nan"), float("inf")
EPS = np.finfo(float).eps
DEFAULT_RTOL = 1e-8  # simulate()'s default

# Tolerances (issue 10), each a stated bound with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  Solver bounds read
# rtol × signal size × G.
#
# A decay (x' = -2x) contracts: the relative error is at most the sum of the
# local ones, rtol 1e-10 × G 100 (≥ the 14 steps here) = 1e-8.  Measured
# 1.2e-10 (x and a); margin 82×.
DECAY_REL = 1e-10 * 100
# A rotation (|x| ≤ 1): the local errors add, rtol 1e-10 × G 100 (≥ the 11
# steps here) = 1e-8.  Measured 3.5e-11; margin 284×.
ROTATION_TOL = 1e-10 * 1.0 * 100
# A growing solution e^(λ t) amplifies old errors by at most e^(λ T):
# relative error ≤ rtol × e^(λ T) × G 10 (≥ the 5 | 7 steps here).  Measured
# 2.6e-12 (x' = x) | 2.7e-12 (x'' = 0.4x' + 1.2x); margins 100× | 137×.


def growth_rel(rtol: float, rate: float, t_end: float) -> float:
    return rtol * math.exp(rate * t_end) * 10


# The loop-solved signals are sums without cancellation through a loop gain
# of condition 1: ≤ 64 roundings (the solve, the lifts, the readout).
# Measured 5.6e-16 (2.5 EPS); margin 25×.
LOOP_SOLVE_REL = 64 * EPS
# Runge-Kutta integrates a constant rate exactly: only rounding is left,
# ≤ 16 operations of size |y| per step (DOP853's 12 stages and its output).
# A zero rate leaves y bit for bit.
ROUNDING_PER_STEP = 16 * EPS
# y' = y² from 1 blows up at t = 1; the time the run stops at is off by the
# relative error of y: default rtol × t ≤ 1 × G 1000 = 1e-5.  Measured
# 1.2e-9 (auto), 8.3e-10 (RK45), 2.2e-11 (Radau); margin 8400×.
BLOW_UP_TOL = DEFAULT_RTOL * 1.0 * 1000
# Up to t = 0.9, y = 1/(1 - t) grows the relative error by y(0.9)/y(0) = 10:
# rtol 1e-10 × 10 × G 100 (≥ the 21 steps here) = 1e-7; m = y² doubles it.
# Measured 7.4e-11 | 1.5e-10; margins 1350× | 1350×.
BEFORE_BLOW_UP_REL = 1e-10 * 10 * 100


def problems(circuit):
    """The problems of a circuit that must not compile (and must not simulate)."""
    with pytest.raises(CircuitError) as info:
        compile_circuit(circuit)
    assert isinstance(info.value, ValueError)
    found = info.value.problems
    assert isinstance(found, tuple) and found
    assert all(isinstance(p, str) for p in found)
    for p in found:  # the message lists every problem
        assert p in str(info.value)
    with pytest.raises(CircuitError):
        simulate(circuit, (0.0, 1.0))
    return found


def problem(found, block, kind=None, port=None, *words):
    """The problem that names ``block`` (and kind, port, words); fail if none does."""
    hits = [
        p
        for p in found
        if f"'{block}'" in p
        and (kind is None or f"({kind})" in p or f"kind '{kind}'" in p)
        and (port is None or f"port '{port}'" in p)
        and all(w.lower() in p.lower() for w in words)
    ]
    assert hits, (
        f"no problem names block '{block}' ({kind}) port {port!r} with {words}: {found}"
    )
    return hits[0]


def graph(*nodes, edges=()):
    """A MultiDiGraph from (name, attrs) nodes and (src, dst, attrs) edges."""
    g = nx.MultiDiGraph()
    for name, attrs in nodes:
        g.add_node(name, **attrs)
    for src, dst, attrs in edges:
        g.add_edge(src, dst, **attrs)
    return g


X = ("x", {"kind": "integrator", "initial": 1.0})
Y = ("y", {"kind": "integrator", "initial": 0.5})


# ----- one problem at a time ----------------------------------------------------


def test_unknown_kind():
    g = graph(X, ("b", {"kind": "flux"}), edges=[("x", "b", {}), ("b", "x", {})])
    problem(problems(g), "b", "flux", None, "unknown")


def test_node_without_kind():
    g = graph(X, ("b", {}), edges=[("x", "b", {})])
    problem(problems(g), "b", None, None, "kind")


@pytest.mark.parametrize(("kind", "param"), [("gain", "k"), ("constant", "value")])
def test_missing_required_parameter(kind, param):
    edges = [("x", "b", {})] if kind == "gain" else []
    g = graph(X, ("b", {"kind": kind}), edges=[*edges, ("b", "x", {})])
    p = problem(problems(g), "b", kind)
    assert re.search(rf"\b{param}\b", p), p


# A complex number is not a real parameter, even numpy's: never drop its
# imaginary part silently.
NOT_REAL = [NAN, INF, -INF, "abc", None, True, np.complex128(2 + 3j), 2 + 3j]
NOT_REAL_IDS = ["nan", "inf", "-inf", "str", "None", "bool", "np.complex128", "complex"]


@pytest.mark.parametrize("bad", NOT_REAL, ids=NOT_REAL_IDS)
@pytest.mark.parametrize(
    ("kind", "param"), [("gain", "k"), ("constant", "value"), ("integrator", "initial")]
)
def test_non_finite_or_non_numeric_parameter(kind, param, bad):
    edges = [("x", "b", {})] if kind in ("gain", "integrator") else []
    g = graph(X, ("b", {"kind": kind, param: bad}), edges=[*edges, ("b", "x", {})])
    p = problem(problems(g), "b", kind)
    assert re.search(rf"\b{param}\b", p), p


@pytest.mark.parametrize("bad", NOT_REAL, ids=NOT_REAL_IDS)
def test_non_finite_edge_weight(bad):
    g = graph(
        X, ("a", {"kind": "adder"}), edges=[("x", "a", {"weight": bad}), ("a", "x", {})]
    )
    problem(problems(g), "a", "adder", "in", "weight")


def test_numpy_numbers_are_accepted():
    g = graph(
        ("x", {"kind": "integrator", "initial": np.float32(0.5)}),
        ("g", {"kind": "gain", "k": np.int64(-2)}),
        edges=[("x", "g", {"weight": np.float64(1.5)}), ("g", "x", {})],
    )
    system = compile_circuit(g)
    assert system.y0[0] == 0.5
    assert system.rhs(0.0, np.array([2.0]))[0] == pytest.approx(
        -6.0, rel=2 * EPS, abs=0
    )  # two products of small dyadic numbers: exact here


def test_non_finite_weight_on_wrt():
    g = graph(X, Y, edges=[("x", "y", {}), ("x", "y", {"port": "wrt", "weight": INF})])
    problem(problems(g), "y", "integrator", "wrt", "weight")


@pytest.mark.parametrize(
    ("kind", "wires", "port"),
    [
        ("gain", 0, "in"),
        ("gain", 2, "in"),
        ("adder", 0, "in"),
        ("multiplier", 1, None),
        ("multiplier", 3, None),
    ],
)
def test_wrong_number_of_inputs(kind, wires, port):
    attrs = {"kind": kind, "k": 2.0} if kind == "gain" else {"kind": kind}
    g = graph(X, ("b", attrs), edges=[("b", "x", {})] + [("x", "b", {})] * wires)
    found = problems(g)
    p = problem(found, "b", kind, port, str(wires))
    # Say what to do: connect the missing wires, remove the extra ones.
    needed = {"gain": 1, "adder": 1, "multiplier": 2}[kind]
    advice = ["remove" if wires > needed else "connect"]
    if kind == "multiplier":  # a count over all its ports: "fix the wiring" will do
        advice.append("fix")
    assert any(a in p.lower() for a in advice), p


def test_multiplier_with_two_wires_on_port_a():
    g = graph(
        X,
        ("m", {"kind": "multiplier"}),
        edges=[("x", "m", {"port": "a"}), ("x", "m", {"port": "a"}), ("m", "x", {})],
    )
    problem(problems(g), "m", "multiplier", "a")


@pytest.mark.parametrize(
    ("kind", "port"),
    [("multiplier", "c"), ("adder", "wrt"), ("gain", "b"), ("integrator", "out")],
)
def test_unknown_port(kind, port):
    attrs = {"kind": kind, "k": 2.0} if kind == "gain" else {"kind": kind}
    first = "a" if kind == "multiplier" else "in"
    g = graph(
        X,
        ("b", attrs),
        edges=[("x", "b", {"port": first}), ("x", "b", {"port": port}), ("b", "x", {})],
    )
    problem(problems(g), "b", kind, port)


@pytest.mark.parametrize(
    ("kind", "attrs"), [("constant", {"value": 1.0}), ("time", {})]
)
def test_edge_into_a_source(kind, attrs):
    g = graph(X, ("s", {"kind": kind, **attrs}), edges=[("x", "s", {}), ("s", "x", {})])
    problem(problems(g), "s", kind)


def test_more_than_one_wrt():
    g = graph(
        X,
        Y,
        ("w", {"kind": "integrator"}),
        edges=[
            ("x", "w", {}),
            ("x", "w", {"port": "wrt"}),
            ("y", "w", {"port": "wrt"}),
        ],
    )
    p = problem(problems(g), "w", "integrator", "wrt")
    assert "2" in p, p


def test_algebraic_loop_through_a_multiplier_is_listed_block_by_block():
    g = graph(
        X,
        ("m", {"kind": "multiplier"}),
        ("a", {"kind": "adder"}),
        edges=[
            ("x", "m", {"port": "a"}),
            ("a", "m", {"port": "b"}),
            ("m", "a", {}),
            ("x", "a", {}),
            ("a", "x", {}),
        ],
    )
    found = problems(g)
    text = "\n".join(found)
    arrow = r"\s*(?:→|->)\s*"
    m, a = r"'?m'? \(multiplier\)", r"'?a'? \(adder\)"
    cycle = [rf"{m}{arrow}{a}{arrow}'?m'?\b", rf"{a}{arrow}{m}{arrow}'?a'?\b"]
    assert any(re.search(c, text) for c in cycle), text
    assert "loop" in text.lower() or "cycle" in text.lower(), text


def test_algebraic_loop_where_a_multiplier_squares_a_loop_signal():
    # m = g·g with g = 2m: not an implicit division, so refused with the cycle.
    g = graph(
        X,
        ("m", {"kind": "multiplier"}),
        ("g", {"kind": "gain", "k": 2.0}),
        edges=[("g", "m", {}), ("g", "m", {}), ("m", "g", {}), ("g", "x", {})],
    )
    text = "\n".join(problems(g))
    assert "(multiplier)" in text and "(gain)" in text, text
    assert "nonlinear algebraic loop" in text and "'m'" in text, text


def test_algebraic_loop_through_a_function_block():
    g = graph(
        X,
        ("e", {"kind": "exp"}),
        ("a", {"kind": "adder"}),
        edges=[("e", "a", {}), ("x", "a", {}), ("a", "e", {}), ("a", "x", {})],
    )
    text = "\n".join(problems(g))
    assert "'e' (exp)" in text and "put an integrator in it" in text, text


def test_singular_linear_loop():
    g = graph(
        X,
        ("a", {"kind": "adder"}),
        edges=[("x", "a", {}), ("a", "a", {"weight": 1.0}), ("a", "x", {})],
    )
    problem(problems(g), "a", "adder", None, "singular")


def test_singular_loop_through_adder_and_gain():
    # a = x + g, g = 1·a: a = x + a has no solution.
    g = graph(
        X,
        ("a", {"kind": "adder"}),
        ("g", {"kind": "gain", "k": 1.0}),
        edges=[("x", "a", {}), ("g", "a", {}), ("a", "g", {}), ("a", "x", {})],
    )
    text = "\n".join(problems(g))
    assert "singular" in text.lower() and "'a'" in text and "'g'" in text, text


def test_one_error_lists_every_problem():
    g = graph(
        X,
        ("u", {"kind": "flux"}),
        ("g", {"kind": "gain"}),
        ("m", {"kind": "multiplier"}),
        ("k", {"kind": "constant", "value": NAN}),
        ("s", {"kind": "adder"}),
        edges=[
            ("x", "u", {}),
            ("x", "g", {}),
            ("x", "m", {}),
            ("x", "k", {}),
            ("x", "s", {"port": "wrt"}),
            ("u", "x", {}),
            ("g", "x", {}),
            ("m", "x", {}),
            ("k", "x", {}),
            ("s", "x", {}),
        ],
    )
    found = problems(g)
    problem(found, "u", "flux")
    problem(found, "g", "gain")
    problem(found, "m", "multiplier")
    problem(found, "k", "constant")
    problem(found, "s", "adder", "wrt")
    assert len(found) >= 5


def test_graph_is_left_untouched_by_a_failed_compile():
    g = graph(X, ("g", {"kind": "gain"}), edges=[("x", "g", {}), ("g", "x", {})])
    before = (list(g.nodes(data=True)), list(g.edges(data=True, keys=True)))
    problems(g)
    assert (list(g.nodes(data=True)), list(g.edges(data=True, keys=True))) == before


# ----- what must work ---------------------------------------------------------


def test_linear_loop_through_one_adder_is_solved_exactly():
    # a = x + a/2, so a = 2x and x' = -a: x = e^(-2t).
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.adder("a")
    c.gain("minus", k=-1.0)
    c.connect("x", "a")
    c.connect("a", "a", weight=0.5)
    c.connect("a", "minus")
    c.connect("minus", "x")
    t = np.linspace(0.0, 2.0, 9)
    traj = simulate(c, (0.0, 2.0), t_eval=t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(traj["x"], np.exp(-2 * t), rtol=DECAY_REL, atol=0)
    np.testing.assert_allclose(traj["a"], 2 * np.exp(-2 * t), rtol=DECAY_REL, atol=0)
    system = compile_circuit(c)
    x_rate = system.rhs(0.0, system.embed(np.array([0.75])))[0]
    assert x_rate == pytest.approx(-1.5, rel=LOOP_SOLVE_REL, abs=0)  # measured 0.0


def test_linear_loop_through_adders_and_gains_is_solved_exactly():
    # a = x + g, g = -3·b, b = a/2 + y: a = (x - 3y)/2.5, x' = a, y' = -x.
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.integrator("y", initial=0.0)
    c.adder("a")
    c.adder("b")
    c.gain("g", k=-3.0)
    c.connect("x", "a")
    c.connect("g", "a")
    c.connect("a", "b", weight=0.5)
    c.connect("y", "b")
    c.connect("b", "g")
    c.connect("a", "x")
    c.connect("x", "y", weight=-1.0)
    system = compile_circuit(c)
    x, y = 0.3, -0.7
    f = system.rhs(0.0, system.embed(np.array([x, y])))
    assert f[0] == pytest.approx((x - 3 * y) / 2.5, rel=LOOP_SOLVE_REL, abs=0)
    assert f[1] == pytest.approx(-x, rel=LOOP_SOLVE_REL, abs=0)
    s = system.signals(system.embed(np.array([x, y])))
    a = (x - 3 * y) / 2.5
    assert float(s["a"]) == pytest.approx(a, rel=LOOP_SOLVE_REL, abs=0)
    assert float(s["b"]) == pytest.approx(a / 2 + y, rel=LOOP_SOLVE_REL, abs=0)
    assert float(s["g"]) == pytest.approx(-3 * (a / 2 + y), rel=LOOP_SOLVE_REL, abs=0)
    # x'' = (x' - 3y')/2.5 = 0.4x' + 1.2x: roots r = 0.2 ± sqrt(1.24).
    t = np.linspace(0.0, 1.0, 5)
    traj = simulate(c, (0.0, 1.0), t_eval=t, rtol=1e-11, atol=1e-13)
    r1, r2 = 0.2 + math.sqrt(1.24), 0.2 - math.sqrt(1.24)
    c1 = (0.4 - r2) / (r1 - r2)  # x(0) = 1, x'(0) = 0.4
    want = c1 * np.exp(r1 * t) + (1 - c1) * np.exp(r2 * t)
    rel = growth_rel(1e-11, r1, 1.0)
    np.testing.assert_allclose(traj["x"], want, rtol=rel, atol=0)


def test_digraph_input():
    g = nx.DiGraph()
    g.add_node("x", kind="integrator", initial=1.0)
    g.add_node("v", kind="integrator", initial=0.0)
    g.add_node("minus", kind="gain", k=-1.0)
    g.add_edge("v", "x")
    g.add_edge("x", "minus", port="in", weight=1.0)
    g.add_edge("minus", "v")
    t = np.linspace(0.0, 3.0, 7)
    traj = simulate(g, (0.0, 3.0), t_eval=t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(traj["x"], np.cos(t), rtol=0, atol=ROTATION_TOL)
    np.testing.assert_allclose(traj["minus"], -np.cos(t), rtol=0, atol=ROTATION_TOL)
    assert isinstance(g, nx.DiGraph) and not isinstance(g, nx.MultiDiGraph)
    assert compile_circuit(g).names == ("v", "x")


def test_self_loop_on_an_integrator():
    g = graph(X, edges=[("x", "x", {})])
    traj = simulate(g, (0.0, 1.0), t_eval=[0.0, 0.5, 1.0], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(
        traj["x"], np.exp([0.0, 0.5, 1.0]), rtol=growth_rel(1e-11, 1.0, 1.0), atol=0
    )


def test_integrator_without_input_holds_its_initial_value():
    c = Circuit()
    c.integrator("x", initial=2.5)
    c.integrator("y", initial=0.0)
    c.connect("x", "y")  # y' = x = 2.5
    traj = simulate(c, (0.0, 2.0), t_eval=[0.0, 1.0, 2.0])
    np.testing.assert_allclose(traj["x"], 2.5, rtol=0, atol=0)  # x' = 0: exact
    # y' = 2.5: rounding only, 16 EPS × |y| ≤ 5 × steps (6 here: 1.1e-13).
    # Measured 8.9e-16; margin 120×.
    rounding = ROUNDING_PER_STEP * 5.0 * traj.stats["steps"]
    np.testing.assert_allclose(traj["y"], [0.0, 2.5, 5.0], rtol=0, atol=rounding)


# ----- the builder ---------------------------------------------------------------


def test_builder_rejects_a_duplicate_name():
    c = Circuit()
    c.integrator("x")
    with pytest.raises(ValueError, match=r"'x'.*already exists"):
        c.adder("x")


def test_builder_rejects_an_unknown_kind():
    c = Circuit()
    with pytest.raises(ValueError, match=r"'b'.*unknown kind 'flux'.*integrator"):
        c.add("b", "flux")


def test_builder_rejects_a_wire_to_a_missing_block():
    c = Circuit()
    c.integrator("x")
    with pytest.raises(ValueError, match=r"'y'.*add it first"):
        c.connect("x", "y")
    with pytest.raises(ValueError, match=r"'nope'"):
        c.connect("nope", "x")
    assert c.graph.number_of_edges() == 0


# ----- simulate's arguments ------------------------------------------------------


def decay():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.connect("x", "x", weight=-1.0)
    return c


@pytest.mark.parametrize("t_span", [(1.0, 0.0), (0.0, 0.0), (0.0, NAN), (NAN, 1.0)])
def test_t_span_must_increase(t_span):
    with pytest.raises(ValueError, match="t_span") as info:
        simulate(decay(), t_span)
    assert not isinstance(info.value, CircuitError)


@pytest.mark.parametrize(
    ("option", "value"),
    [("rtol", NAN), ("rtol", INF), ("atol", NAN), ("atol", INF), ("atol", -INF)],
)
def test_tolerances_must_be_finite(option, value):
    with pytest.raises(ValueError, match=option):
        simulate(decay(), (0.0, 1.0), **{option: value})


def test_unknown_method():
    with pytest.raises(ValueError, match="Euler") as info:
        simulate(decay(), (0.0, 1.0), method="Euler")
    assert "RK45" in str(info.value) or "auto" in str(info.value)


@pytest.mark.parametrize("t_eval", [[-0.5, 0.5], [0.5, 1.5], [2.0]])
def test_t_eval_outside_t_span(t_eval):
    with pytest.raises(ValueError, match="t_eval"):
        simulate(decay(), (0.0, 1.0), t_eval=t_eval)


def blow_up():
    """y' = y², y(0) = 1: y = 1/(1 - t), infinite at t = 1."""
    c = Circuit()
    c.integrator("y", initial=1.0)
    c.multiplier("m")
    c.connect("y", "m")
    c.connect("y", "m")
    c.connect("m", "y")
    return c


@pytest.mark.parametrize("method", ["auto", "RK45", "Radau"])
def test_blow_up_raises_simulation_error(method):
    with pytest.raises(SimulationError) as info:
        simulate(blow_up(), (0.0, 2.0), method=method)
    err = info.value
    assert err.t is not None and abs(err.t - 1.0) < BLOW_UP_TOL, err.t
    assert "y" in err.states
    assert isinstance(err, RuntimeError)


def test_up_to_the_blow_up_is_fine():
    traj = simulate(blow_up(), (0.0, 0.9), t_eval=[0.5, 0.9], rtol=1e-10, atol=1e-12)
    rel = BEFORE_BLOW_UP_REL
    np.testing.assert_allclose(traj["y"], [2.0, 10.0], rtol=rel, atol=0)
    np.testing.assert_allclose(traj["m"], [4.0, 100.0], rtol=2 * rel, atol=0)


# ----- misspelt parameters and the user's own attributes --------------------------


@pytest.mark.parametrize(
    "kind, attr, param",
    [
        ("integrator", "inital", "initial"),
        ("integrator", "intial", "initial"),
        ("integrator", "initail", "initial"),
        ("integrator", "Initial", "initial"),
        ("integrator", "INITIAL", "initial"),
        ("constant", "vale", "value"),
        ("constant", "Value", "value"),
    ],
)
def test_a_misspelt_parameter_on_a_raw_node_is_a_problem(kind, attr, param):
    g = graph(
        X,
        (
            "b",
            {"kind": kind, attr: 2.0, "value": 1.0}
            if kind == "constant"
            else {"kind": kind, attr: 2.0},
        ),
    )
    if kind == "integrator":
        g.add_edge("x", "b")
        g.add_edge("b", "x")
    found = problems(g)
    hit = problem(found, "b", kind, None, f"did you mean '{param}'?", f"'{attr}'")
    assert "rename it" in hit


def test_a_misspelt_parameter_to_the_builder_is_refused_at_once():
    c = Circuit()
    with pytest.raises(CircuitError, match="did you mean 'initial'") as info:
        c.add("x", "integrator", inital=1.0)
    assert isinstance(info.value, ValueError)
    assert "block 'x' (integrator)" in str(info.value) and "'inital'" in str(info.value)
    assert "x" not in c.graph  # nothing was added


def test_a_missing_parameter_mentions_the_attribute_that_looks_like_it():
    c = Circuit()
    with pytest.raises(CircuitError, match="did you mean 'k'") as info:
        c.add("g", "gain", K=2.0)
    assert "'K'" in str(info.value) and "parameter 'k' is missing" in str(info.value)
    g = graph(
        X, ("g", {"kind": "gain", "K": 2.0}), edges=[("x", "g", {}), ("g", "x", {})]
    )
    hit = problem(problems(g), "g", "gain", None, "parameter 'k' is missing", "'K'")
    assert "did you mean 'k'?" in hit


def test_every_misspelling_is_listed_with_the_other_problems():
    g = graph(
        ("x", {"kind": "integrator", "inital": 1.0}),
        ("c", {"kind": "constant", "valeu": 1.0}),
        ("g", {"kind": "gain", "k": 1.0}),
    )
    found = problems(g)
    problem(found, "x", "integrator", None, "did you mean 'initial'")
    problem(found, "c", "constant", None, "'valeu'", "did you mean 'value'")
    problem(found, "g", "gain", "in", "needs exactly 1")


@pytest.mark.parametrize(
    "attrs",
    [
        {"label": "position", "colour": "red", "note": None},
        {"x": 1.0, "y": 2.0, "pos": "1,2"},  # layout data on a gain: not 'k'
        {"units": "V", "description": "the velocity", 3: "non-str key"},
    ],
)
def test_other_extra_attributes_are_allowed_and_listed(attrs):
    from analyzer.validate import extra_attributes

    c = Circuit()
    c.add(
        "x",
        "integrator",
        initial=1.0,
        **{k: v for k, v in attrs.items() if isinstance(k, str)},
    )
    c.graph.nodes["x"].update(attrs)
    c.add("g", "gain", k=-1.0, **{k: v for k, v in attrs.items() if isinstance(k, str)})
    c.graph.nodes["g"].update(attrs)
    c.connect("x", "g")
    c.connect("g", "x")
    assert compile_circuit(c).names == ("x",)
    extras = extra_attributes(c)
    assert set(extras) == {"g", "x"}
    assert set(extras["x"]) == set(attrs) == set(extras["g"])
    assert extra_attributes(graph(X)) == {}


def test_extra_attributes_of_an_invalid_circuit_list_everything_but_kind():
    from analyzer.validate import extra_attributes

    g = graph(("b", {"kind": "flux", "k": 1.0}), ("c", {"value": 1.0}))
    assert extra_attributes(g) == {"b": ("k",), "c": ("value",)}
