"""Malformed input gets our errors: one test per case the fuzzer found (issue 10).

Each test is named after what it checks.  A bad graph gets a ``CircuitError``
naming the block, its kind and, where one is involved, the port; a bad file a
``CircuitFileError``; input that is not a graph a ``TypeError`` that says what
a circuit is.  Compiling refuses at once what it cannot do quickly, no name can
crash Graphviz, and the garbage-collector pause is safe across threads.
"""

from __future__ import annotations

import gc
import json
import shutil
import threading
import time
import warnings

import networkx as nx
import pytest
from builders import add_cube

from analyzer import Circuit, CircuitError, QuadraticSystem, compile_circuit
from analyzer.compile import MAX_LIFT_WORK
from analyzer.compile.quadratize import no_cyclic_gc
from analyzer.draw import STYLES, to_dot
from analyzer.errors import StabilityWarning
from analyzer.io import CircuitFileError, circuit_from_json, load_circuit
from analyzer.validate import validate

needs_dot = pytest.mark.needs_dot


def one_problem(circuit, *words):
    """The circuit's problems (compile raises CircuitError); one has every word."""
    with pytest.raises(CircuitError) as info:
        compile_circuit(circuit)
    found = info.value.problems
    hits = [p for p in found if all(w in p for w in words)]
    assert hits, f"no problem has {words}: {found}"
    return hits[0]


def decay(weight=-1.0, **attrs):
    """x' = weight·x as a raw graph, with extra attributes on x."""
    g = nx.MultiDiGraph()
    g.add_node("x", kind="integrator", initial=1.0, **attrs)
    g.add_edge("x", "x", weight=weight)
    return g


def power_loop(p, initial=1.0):
    """x' = x^p."""
    c = Circuit()
    c.integrator("x", initial=initial)
    c.add("p", "power", p=p)
    c.connect("x", "p")
    c.connect("p", "x")
    return c


def compile_quickly(circuit, seconds=2.0):
    """Compile (StabilityWarnings allowed) and check it took under ``seconds``."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StabilityWarning)
        system = compile_circuit(circuit)
    assert time.perf_counter() - start < seconds
    return system


# ----- values of the wrong type -------------------------------------------------


@pytest.mark.parametrize("port", [["in"], {"in": 1}, 7, None])
def test_a_port_that_is_a_list_dict_or_not_a_string_is_an_unknown_port(port):
    g = decay()
    g.add_edge("x", "x", port=port)
    problem = one_problem(g, "'x' (integrator)", "unknown port", "'in', 'wrt'")
    assert repr(port) in problem


@pytest.mark.parametrize("kind", [["integrator"], {"kind": "gain"}, 3, b"gain"])
def test_a_kind_that_is_a_list_dict_or_not_a_string_is_an_unknown_kind(kind):
    g = decay()
    g.add_node("b", kind=kind)
    g.add_edge("x", "b")
    problem = one_problem(g, "'b'", "unknown kind", "set 'kind' to one of")
    assert repr(kind) in problem


@pytest.mark.parametrize(
    "where", ["weight", "initial", "gain k", "constant value", "power p"]
)
def test_a_number_too_large_for_a_float_is_a_circuit_error(where):
    huge = 10**400
    g = decay()
    if where == "weight":
        g.add_edge("x", "x", weight=huge)
    elif where == "initial":
        g.nodes["x"]["initial"] = huge
    else:
        kind, param = where.split()
        g.add_node("b", kind=kind, **{param: huge})
        if kind != "constant":
            g.add_edge("x", "b")
    problem = one_problem(g, "too large for a floating-point number")
    assert "'x' (integrator)" in problem or "'b' (" in problem


def test_a_weight_of_a_5000_digit_integer_is_named_without_printing_it():
    g = decay(weight=10**5000)  # repr() of it raises ValueError in Python >= 3.11
    problem = one_problem(g, "'x' (integrator)", "port 'in'", "digits")
    assert len(problem) < 400


def test_input_that_is_not_a_graph_is_a_type_error_saying_what_a_circuit_is():
    for bad in ([("x", "y")], {"x": {"kind": "integrator"}}, "circuit.json", None):
        with pytest.raises(TypeError, match="a circuit is a directed graph"):
            validate(bad)
        with pytest.raises(TypeError, match="a circuit is a directed graph"):
            compile_circuit(bad)
        with pytest.raises(TypeError, match="a circuit is a directed graph"):
            to_dot(bad)
    with pytest.raises(TypeError, match="undirected"):
        compile_circuit(nx.Graph())


# ----- powers too large for a polynomial ------------------------------------------


@pytest.mark.parametrize("p", [1e308, -1e308, 2.0**31, 1e6, -(10.0**6), 65.0])
def test_a_huge_integer_power_is_a_state_and_compiles_at_once(p):
    system = compile_quickly(power_loop(p))
    assert "p" in system.names or "p.reciprocal" in system.names
    assert max(len(m) for m in system.monomials) <= 2  # no x^(10^6) anywhere


def test_a_huge_integer_power_of_a_signal_starting_at_zero_names_the_block():
    problem = one_problem(power_loop(2.0**31, initial=0.0), "'p' (power)", "port 'in'")
    assert "nonzero" in problem


def test_a_power_of_a_sum_too_costly_to_quadratize_is_refused_with_the_limit():
    c = Circuit()
    c.adder("s")
    for i, name in enumerate("xyz"):
        c.integrator(name, initial=0.1 * (i + 1))
        c.connect(name, "s")
    c.add("p", "power", p=12)
    c.connect("s", "p")
    for name in "xyz":
        c.connect("p", name, weight=-1.0)
    start = time.perf_counter()
    problem = one_problem(c, "'p' (power)", "port 'in'", f"limit of {MAX_LIFT_WORK}")
    assert time.perf_counter() - start < 2.0
    assert "lower the degree" in problem


def test_a_multiplier_chain_of_degree_beyond_the_limit_names_the_block():
    c = Circuit()
    c.integrator("x", initial=0.5)
    previous = "x"
    for i in range(12):  # x^(2^12): far beyond the degree limit
        c.multiplier(f"m{i}")
        c.connect(previous, f"m{i}")
        c.connect(previous, f"m{i}")
        previous = f"m{i}"
    c.connect(previous, "x", weight=-1.0)
    one_problem(c, "'m6' (multiplier)", "degree 128", "limit of 64")


# ----- values at the ends of the float range --------------------------------------


def test_power_1_5_of_an_integrator_starting_at_1e_308_compiles_with_a_warning():
    with pytest.warns(StabilityWarning, match="could not be checked"):
        system = compile_circuit(power_loop(1.5, initial=1e-308))
    assert isinstance(system, QuadraticSystem)


def test_the_reciprocal_of_the_sqrt_of_a_subnormal_start_names_the_block():
    c = Circuit()
    c.integrator("x", initial=5e-324)
    c.add("s", "sqrt")
    c.add("r", "reciprocal")
    c.connect("x", "s")
    c.connect("s", "r")
    c.connect("r", "x")
    one_problem(c, "'s' (sqrt)", "port 'in'", "beyond the float range")


def test_gains_whose_product_overflows_name_the_block_not_the_system():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.gain("g1", k=1e200)
    c.gain("g2", k=1e200)
    c.connect("x", "g1")
    c.connect("g1", "g2")
    c.connect("g2", "x")
    problem = one_problem(c, "'g2' (gain)", "overflows the float range")
    assert "invalid QuadraticSystem" not in problem


def test_an_initial_value_whose_lifted_square_overflows_names_the_block():
    c = Circuit()
    c.integrator("x", initial=1e200)
    c.connect(add_cube(c, "x"), "x", weight=-1.0)
    one_problem(c, "block 'x'", "x^2", "overflows the float range")


def test_an_exp_that_overflows_at_t0_names_the_block():
    c = Circuit()
    c.integrator("x", initial=1000.0)
    c.add("e", "exp")
    c.connect("x", "e")
    c.connect("e", "x", weight=-1.0)
    one_problem(c, "'e' (exp)", "port 'in'", "exp(u) = inf")


def test_a_linear_loop_whose_gain_overflows_is_a_circuit_error():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.adder("a")
    c.gain("g", k=1e200)
    c.connect("x", "a")
    c.connect("a", "g", weight=1e200)  # loop gain 1e200·1e200
    c.connect("g", "a")
    c.connect("a", "x")
    one_problem(c, "'a' (adder)", "'g' (gain)", "overflows")


# ----- files ------------------------------------------------------------------------


def test_json_nested_5000_deep_is_a_circuit_file_error(tmp_path):
    text = '{"nodes": ' + "[" * 5000 + "]" * 5000 + ', "edges": []}'
    with pytest.raises(CircuitFileError, match="nested too deeply"):
        circuit_from_json(text)
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CircuitFileError, match=r"deep\.json"):
        load_circuit(path)


def test_a_5000_digit_integer_in_json_is_a_circuit_file_error(tmp_path):
    text = json.dumps(
        {"nodes": [{"id": "x", "kind": "integrator", "initial": 0}], "edges": []}
    ).replace('"initial": 0', '"initial": ' + "7" * 5000)
    path = tmp_path / "digits.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CircuitFileError, match="4300 digits"):
        load_circuit(path)


# ----- drawings ----------------------------------------------------------------------


def named(name):
    c = Circuit()
    c.integrator(name, initial=1.0)
    c.gain((name, "g"), k=-1.0)
    c.connect(name, (name, "g"))
    c.connect((name, "g"), name, weight=2.0)
    return c


@needs_dot
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    "name", ["", " ", "a" * 17_000, "<B>" * 6000, "\n\t\x00", "é" * 9000]
)
def test_a_name_graphviz_cannot_render_is_shortened_or_escaped(name, style):
    svg = to_dot(named(name), style).pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg


@needs_dot
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
def test_the_equations_of_a_large_compiled_drawing_are_cut_to_what_graphviz_reads():
    c = Circuit()
    for i in range(400):
        c.integrator(f"state_with_a_rather_long_name_{i}", initial=1.0)
        c.connect(
            f"state_with_a_rather_long_name_{i}", f"state_with_a_rather_long_name_{i}"
        )
    dot = to_dot(c, "compiled")
    assert "more equations" in dot.source
    assert "<svg" in dot.pipe(format="svg", encoding="utf-8")


# ----- the garbage-collector pause -------------------------------------------------


def test_the_gc_pause_is_shared_by_two_threads_and_ends_with_the_last():
    entered, leave_first, first_left = (threading.Event() for _ in range(3))
    seen = {}

    def first():
        with no_cyclic_gc():
            entered.set()
            leave_first.wait(10)
        first_left.set()

    def second():
        entered.wait(10)
        with no_cyclic_gc():
            leave_first.set()
            first_left.wait(10)
            seen["after the first left"] = gc.isenabled()
        seen["after both left"] = gc.isenabled()

    assert gc.isenabled()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert seen == {"after the first left": False, "after both left": True}
    finally:
        gc.enable()


def test_a_collector_turned_off_by_the_user_stays_off_after_compiles_in_two_threads():
    circuit = power_loop(3.0)
    errors = []

    def compile_many():
        try:
            for _ in range(20):
                compile_circuit(circuit)
        except Exception as err:
            errors.append(err)

    gc.disable()
    try:
        threads = [threading.Thread(target=compile_many) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_block_names_with_superscript_or_other_script_digits_sort_and_validate():
    # Fuzz find: '²' is a digit to str.isdigit but not to int(); the natural
    # order of names read it as a number and raised ValueError.
    c = Circuit()
    for name in ("x²", "x2", "x١٠", "x10"):  # ١٠ = 10 in Arabic-Indic digits
        c.integrator(name, initial=1.0)
    netlist = validate(c)
    # numbers in any script's decimal digits sort as numbers; '²' as text
    assert list(netlist.blocks) == ["x2", "x10", "x١٠", "x²"]


def test_a_block_named_nan_is_a_circuit_error_not_a_networkx_one():
    # Fuzz find (networkx 3.4): an implicit loop through a block named
    # float('nan') made cycle_text's find_cycle raise NetworkXNoCycle, since
    # nan != nan.
    nan = float("nan")
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.integrator("y", initial=2.0)
    c.multiplier("m")
    c.add(nan, "adder")
    c.connect("y", nan)
    c.connect("m", nan)
    c.connect(nan, "m", port="a", weight=-1.0)
    c.connect("x", "m", port="b")
    c.connect(nan, "x", weight=0.01)
    one_problem(c, "block nan (adder)", "not equal to itself", "rename")


@pytest.mark.parametrize("p", [0.0, 2.0])
def test_an_integer_power_of_a_signal_wired_with_weight_zero_compiles(p):
    # Fuzz find: power(p = 0) of a wire of weight 0 (the zero polynomial)
    # asked math.comb for a negative count of terms and raised ValueError.
    c = Circuit()
    c.integrator("u", initial=1.5)
    c.add("w", "power", p=p)
    c.connect("u", "w", weight=0.0)
    c.integrator("z")
    c.connect("w", "z")
    system = compile_quickly(c)
    assert system.rhs(0.0, system.y0)[system.names.index("z")] == 0.0**p  # 0^0 = 1
