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
from analyzer.shaft_table import pen_scale
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
    # A crossing is off by the state error over the slope |J0'| = J1 = 0.52
    # there: (rtol 1e-11 × |y| ≤ 1 + atol 1e-12) × G 100 (≥ the 16 steps
    # here) / 0.52 = 4.2e-9.  Measured 9.5e-14; margin 4e4×.
    j0_zero = special.jn_zeros(0, 1)[0]
    bound = (1e-11 * 1.0 + 1e-12) * 100 / special.j1(j0_zero)
    assert zero == pytest.approx(j0_zero, rel=0, abs=bound)


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


# ----- the output table: the pens draw the run ---------------------------------


def board(ax):
    """The output table's rectangle and the scale written at its corners."""
    (rect,) = [p for p in ax.patches if p.get_gid() == "output table"]
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    ends = {
        k: float(labels[f"pen scale:{k}"].replace("−", "-"))
        for k in ("x0", "x1", "y0", "y1")
    }
    return rect, ends


def pen(ax, block):
    (line,) = [a for a in ax.get_lines() if a.get_gid() == f"pen:{block}"]
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def mapped(rect, ends, x, v):
    """The affine map the board states: its corner labels to its edges."""
    X = rect.get_x() + (x - ends["x0"]) / (ends["x1"] - ends["x0"]) * rect.get_width()
    Y = rect.get_y() + (v - ends["y0"]) / (ends["y1"] - ends["y0"]) * rect.get_height()
    return X, Y


def assert_drawn(ax, rect, ends, block, x, v):
    X, Y = pen(ax, block)
    want_x, want_y = mapped(rect, ends, x, v)
    # The same affine map computed twice: at most a few roundings of the board's
    # coordinates (|coordinate| < 30), so 8 ulps of 32 bound it.  Measured 0
    # ulps (lorenz, bessel).
    ulps = 8 * np.spacing(32.0)
    np.testing.assert_allclose(X, want_x, rtol=0, atol=ulps)
    np.testing.assert_allclose(Y, want_y, rtol=0, atol=ulps)


def test_pens_draw_simulated_lorenz_x_y_z_against_t_at_the_stated_scale():
    from circuits import CATALOG

    entry = CATALOG["lorenz"]
    c = entry.build(**entry.params)
    traj = simulate(c, entry.t_span, t_eval=np.linspace(*entry.t_span, 400))
    ax = shaft_diagram(c, trajectory=traj)
    rect, ends = board(ax)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "pen axis"] == ["t"]
    for block in ("x", "y", "z"):
        assert_drawn(ax, rect, ends, block, traj.t, traj[block])
        # the stated scale holds every curve inside the board
        assert ends["y0"] <= traj[block].min() and traj[block].max() <= ends["y1"]
        label = [t for t in ax.texts if t.get_gid() == f"pen label:{block}"]
        assert label[0].get_color() == pen_color(ax, block)
    assert (ends["x0"], ends["x1"]) == entry.t_span
    assert {g for g in gids(ax) if g.startswith("pen:")} == {"pen:x", "pen:y", "pen:z"}


def pen_color(ax, block):
    (line,) = [a for a in ax.get_lines() if a.get_gid() == f"pen:{block}"]
    return line.get_color()


def test_pens_draw_bessel_shafts_against_its_time_block_from_t_1():
    c = bessel()
    traj = simulate(c, (1.0, 3.0), t_eval=np.linspace(1.0, 3.0, 50), rtol=1e-10)
    ax = shaft_diagram(c, trajectory=traj)
    rect, ends = board(ax)
    for block in ("L", "p", "r", "y"):  # the integrators, against the block t
        assert_drawn(ax, rect, ends, block, traj["t"], traj[block])
    assert ends["x0"] <= 1.0 and ends["x1"] >= 3.0


def test_pen_of_the_harmonic_oscillator_draws_x_equal_cos_t():
    # Reading the picture back through its stated scale gives cos t, to the
    # solver's tolerance (rtol 1e-10 on |x| <= 1 over one period: 1e-8 is
    # 100x the global error of 1e-10 that DOP853 reaches here).
    c = harmonic()
    t = np.linspace(0.0, 2 * np.pi, 100)
    traj = simulate(c, (0.0, 2 * np.pi), t_eval=t, rtol=1e-10, atol=1e-12)
    ax = shaft_diagram(c, trajectory=traj)
    rect, ends = board(ax)
    X, Y = pen(ax, "x")
    ts = ends["x0"] + (X - rect.get_x()) / rect.get_width() * (ends["x1"] - ends["x0"])
    span = ends["y1"] - ends["y0"]
    xs = ends["y0"] + (Y - rect.get_y()) / rect.get_height() * span
    # Read back through the board: its coordinates carry ≤ 8 ulps of 32
    # (as in assert_drawn), scaled by data units per board unit.  Measured
    # 3.6e-15 for t against a bound of 1.9e-13 (margin 53×); for x the
    # solver's rtol 1e-10 × |x| ≤ 1 × G 100 (≥ the 22 steps here) adds 1e-8,
    # measured 1.9e-10 (margin 53×).
    board_ulps = 8 * np.spacing(32.0)
    t_units = (ends["x1"] - ends["x0"]) / rect.get_width()
    x_units = span / rect.get_height()
    np.testing.assert_allclose(ts, t, rtol=0, atol=board_ulps * t_units)
    solver = 1e-10 * 1.0 * 100
    np.testing.assert_allclose(
        xs, np.cos(t), rtol=0, atol=solver + board_ulps * x_units
    )


@pytest.mark.parametrize("name", CIRCUITS)
def test_without_a_run_the_output_table_is_blank_and_says_so(name):
    ax = shaft_diagram(CIRCUITS[name]())
    assert not {g for g in gids(ax) if g.startswith(("pen:", "pen scale:"))}
    (caption,) = [t.get_text() for t in ax.texts if t.get_gid() == "pen caption"]
    assert "no run given" in caption
    assert caption.startswith("pens: ")


def test_a_run_of_another_circuit_is_refused_naming_the_missing_blocks():
    traj = simulate(harmonic(), (0.0, 1.0))
    with pytest.raises(ValueError, match=r"not a run of this circuit.*'r', 'L', 'p'"):
        shaft_diagram(bessel(), trajectory=traj)
    with pytest.raises(ValueError, match=r"must be a Trajectory.*got ndarray"):
        shaft_diagram(harmonic(), trajectory=np.zeros(3))


def test_a_batch_run_is_refused():
    c = harmonic()
    traj = simulate(c, (0.0, 1.0), initial={"x": np.array([1.0, 2.0])})
    with pytest.raises(ValueError, match="batch of 2 runs"):
        shaft_diagram(c, trajectory=traj)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        (0.0, 40.0),
        (-17.3, 46.1),
        (1.0, 1.0),
        (0.1, 0.7),
        (-1e-9, 3e-7),
        (1234.5, 1234.6),
    ],
)
def test_pen_scale_covers_the_data_with_round_ends_that_read_back(lo, hi):
    a, b, steps = pen_scale(lo, hi)
    assert a <= lo and hi <= b and 2 <= steps <= 6
    step = (b - a) / steps
    mantissa = step / 10 ** np.floor(np.log10(step))
    # b − a cancels max(|a|, |b|)/(b − a) of its digits; with ≤ 4 roundings
    # and a mantissa ≤ 10 the error is 40 EPS × that ratio.  Measured 1.8e-12
    # for (1234.5, 1234.6) against 1.1e-10 (margin 60×), ≤ 4.4e-16 against
    # ≥ 8.9e-15 for the others (margin ≥ 20×).
    cancellation = max(abs(a), abs(b), b - a) / (b - a)
    bound = 40 * np.finfo(float).eps * cancellation
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) <= bound
    assert float(repr(a)) == a and float(repr(b)) == b
