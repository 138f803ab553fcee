"""Bush-style shaft diagrams (analyzer.shaft): layout and drawing.

The diagrams draw on bare matplotlib Figures, so no GUI backend is involved.
"""

import networkx as nx
import numpy as np
import pytest
from builders import oscillator as harmonic
from matplotlib.figure import Figure
from scipy import special

from analyzer import Circuit, simulate
from analyzer.shaft import MAX_BLOCKS, shaft_diagram, shaft_layout
from circuits import damped_oscillator


def bessel() -> Circuit:
    """Bush's J0 set-up: r = 1/t, L = ln t, p = t y', y integrated with respect to L."""
    c = Circuit()
    c.time("t")
    c.integrator("r", initial=1.0)
    c.integrator("L")
    c.integrator("p", initial=-float(special.j1(1.0)))
    c.integrator("y", initial=float(special.j0(1.0)))
    c.multiplier("rr")
    c.connect("r", "rr", port="a")
    c.connect("r", "rr", port="b")
    c.gain("neg_rr", k=-1.0)
    c.connect("rr", "neg_rr")
    c.connect("neg_rr", "r")
    c.connect("r", "L")
    c.multiplier("ty")
    c.connect("t", "ty", port="a")
    c.connect("y", "ty", port="b")
    c.gain("neg_ty", k=-1.0)
    c.connect("ty", "neg_ty")
    c.connect("neg_ty", "p")
    c.connect("p", "y")
    c.connect("L", "y", port="wrt")
    return c


def falling_body() -> Circuit:
    """Bush's own example: x'' = -g - k x', g from the input table."""
    c = Circuit()
    c.integrator("x")
    c.integrator("xdot")
    c.constant("g", 9.81)
    c.gain("k", k=-0.3)
    c.adder("accel")
    c.connect("xdot", "x")
    c.connect("xdot", "k")
    c.connect("k", "accel")
    c.connect("g", "accel", weight=-1.0)
    c.connect("accel", "xdot")
    return c


CIRCUITS = {
    "harmonic": harmonic,
    "damped": damped_oscillator.build,
    "bessel": bessel,
    "falling": falling_body,
}


def gids(ax):
    artists = [*ax.get_lines(), *ax.patches, *ax.texts]
    return {a.get_gid() for a in artists if a.get_gid()}


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_the_bessel_circuit_computes_j0():
    traj = simulate(bessel(), (1.0, 3.0), rtol=1e-11, atol=1e-12)
    zero = traj.crossings("y", 0.0)[0]
    assert zero == pytest.approx(special.jn_zeros(0, 1)[0], abs=1e-7)


@pytest.mark.parametrize("name", CIRCUITS)
def test_a_shaft_and_a_label_per_signal(name):
    c = CIRCUITS[name]()
    ax = shaft_diagram(c)
    drawn = gids(ax)
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    for block in c.graph:
        assert f"shaft:{block}" in drawn
        assert labels[f"shaft label:{block}"] == str(block)
    layout = shaft_layout(c)
    shafts = [a for a in ax.get_lines() if str(a.get_gid()).startswith("shaft:")]
    assert len(shafts) == len(layout["shafts"])
    for line in shafts:  # horizontal, at the layout's height
        shaft = layout["shafts"][line.get_gid().removeprefix("shaft:")]
        assert set(line.get_ydata()) == {shaft.y}


@pytest.mark.parametrize("name", CIRCUITS)
def test_a_unit_per_block_and_a_cross_shaft_per_wire(name):
    c = CIRCUITS[name]()
    ax = shaft_diagram(c)
    drawn = gids(ax)
    for block in c.graph:
        assert f"unit:{block}" in drawn
    roles = {"in": "integrand", "wrt": "disc"}
    for src, dst, port in c.graph.edges(data="port"):
        role = roles[port] if c.graph.nodes[dst]["kind"] == "integrator" else port
        assert f"connector:{dst}:{role}:{src}" in drawn
    for block, kind in c.graph.nodes(data="kind"):
        if kind not in ("time", "constant"):
            assert f"connector:{block}:output:{block}" in drawn
        if kind == "integrator":
            assert {f"disc:{block}", f"wheel:{block}"} <= drawn


@pytest.mark.parametrize("name", CIRCUITS)
def test_no_two_cross_shafts_share_a_column(name):
    connectors = shaft_layout(CIRCUITS[name]())["connectors"]
    vertical = [k.x for k in connectors if k.y0 != k.y1]
    assert len(set(np.round(vertical, 9))) == len(vertical)
    assert min(np.diff(sorted(vertical))) > 0.1


def test_y_disc_is_turned_by_the_L_shaft():
    c = bessel()
    layout = shaft_layout(c)
    discs = {k.unit: k.shaft for k in layout["connectors"] if k.role == "disc"}
    assert discs == {"L": "t", "p": "t", "r": "t", "y": "L"}
    assert layout["time_shaft"] == "t"
    (k,) = [k for k in layout["connectors"] if k.unit == "y" and k.role == "disc"]
    assert k.y1 == layout["shafts"]["L"].y
    assert k.y0 == layout["units"]["y"].y
    ax = shaft_diagram(c)
    (line,) = [a for a in ax.get_lines() if a.get_gid() == "connector:y:disc:L"]
    assert set(line.get_xdata()) == {k.x}
    assert sorted(line.get_ydata()) == sorted([k.y0, k.y1])
    assert "y = ∫ p dL" in texts(ax)


def test_integrand_and_output_of_the_integrators():
    layout = shaft_layout(bessel())
    wiring = {
        (k.unit, k.role): (k.shaft, k.weight)
        for k in layout["connectors"]
        if layout["units"][k.unit].kind == "integrator"
    }
    assert wiring[("p", "integrand")] == ("neg_ty", 1.0)
    assert wiring[("y", "integrand")] == ("p", 1.0)
    assert wiring[("y", "output")] == ("y", 1.0)


def test_an_implicit_motor_shaft_when_the_circuit_has_no_time_block():
    layout = shaft_layout(harmonic())
    assert list(layout["shafts"]) == ["v", "x", "t", "minus"]
    assert layout["time_shaft"] == "t"
    assert layout["units"]["t"].row == "motor"
    assert layout["output_table"]["shafts"] == ("v", "x", "t")
    # A block named t of another kind keeps its name; the motor gets another.
    g = nx.MultiDiGraph()
    g.add_node("w", kind="integrator", initial=0.0)
    g.add_node("t", kind="gain", k=2.0)
    g.add_edge("w", "t")
    g.add_edge("t", "w")
    layout = shaft_layout(g)
    assert layout["time_shaft"] == "t (motor)"
    assert layout["units"]["t"].text == "2:1"


def test_unit_symbols_tables_and_gear_ratios():
    ax = shaft_diagram(falling_body())
    shown = texts(ax)
    assert "+" in shown  # the differential gear of the adder
    assert "−0.3:1" in shown  # the gear box of the gain
    assert "g = 9.81" in shown  # a line of the input table
    assert "−1:1" in shown  # the weight of the wire g -> accel
    assert {"input table", "output table"} <= gids(ax)
    assert "x = ∫ xdot dt" in shown
    bessel_texts = texts(shaft_diagram(bessel()))
    assert bessel_texts.count("×") == 2
    assert bessel_texts.count("−1:1") == 2


def test_sorted_and_independent_of_node_order():
    c = bessel()
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(c.graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(c.graph.edges(data=True))))
    a, b = shaft_layout(c), shaft_layout(shuffled)
    order = ["L", "p", "r", "y", "t", "neg_rr", "neg_ty", "rr", "ty"]
    assert list(a["shafts"]) == order
    assert a["shafts"] == b["shafts"]
    assert a["units"] == b["units"]
    assert a["connectors"] == b["connectors"]


def test_gear_trains_stand_left_of_the_integrator_they_feed():
    units = shaft_layout(bessel())["units"]
    assert units["ty"].x < units["neg_ty"].x < units["p"].x
    assert units["rr"].x < units["neg_rr"].x < units["r"].x


def test_draws_into_a_given_axes_and_leaves_the_circuit_alone():
    c = bessel()
    before = (list(c.graph.nodes(data=True)), list(c.graph.edges(data=True)))
    ax = Figure().add_subplot()
    assert shaft_diagram(c, ax=ax) is ax
    assert (list(c.graph.nodes(data=True)), list(c.graph.edges(data=True))) == before
    assert "shaft:L" in gids(ax)


def test_a_plain_digraph_with_any_kind_is_drawn():
    g = nx.DiGraph()
    g.add_node(1, kind="integrator", initial=0.0)
    g.add_node(2, kind="tanh")
    g.add_edge(1, 2)
    g.add_edge(2, 1)
    ax = shaft_diagram(g)
    assert {"unit:1", "unit:2", "connector:1:integrand:2"} <= gids(ax)
    assert "tanh" in texts(ax)


def test_up_to_15_blocks_and_no_more():
    c = Circuit()
    c.integrator("x0", initial=1.0)
    for i in range(1, MAX_BLOCKS):
        c.gain(f"g{i}", k=0.5)
        c.connect("x0" if i == 1 else f"g{i - 1}", f"g{i}")
    c.connect(f"g{MAX_BLOCKS - 1}", "x0")
    assert len(shaft_layout(c)["units"]) == MAX_BLOCKS + 1  # and the motor
    c.constant("one_too_many", 1.0)
    with pytest.raises(ValueError, match=r"up to 15 blocks.*has 16.*to_dot"):
        shaft_diagram(c)
    with pytest.raises(ValueError, match='style="gpac"'):
        shaft_layout(c)
