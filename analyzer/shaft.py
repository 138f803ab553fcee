"""Bush-style set-up diagrams: bus shafts, wheel-and-disc integrators, gears.

On Bush's differential analyzer (MIT, 1931) every variable was the angle of a
long horizontal *bus shaft*; the units tapped the shafts through cross shafts
and gears, and his paper drew each problem's set-up that way.
:func:`shaft_layout` places shafts and units as plain data;
:func:`shaft_diagram` draws them with matplotlib.
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch

from analyzer.circuit import Circuit, as_graph
from analyzer.netlist import Netlist
from analyzer.shaft_table import (
    GLASS,
    INK,
    OUT,
    PAPER,
    STEEL,
    draw_line,
    draw_pens,
    draw_table,
    draw_text,
    pen_scales,
    pen_signals,
)
from analyzer.trajectory import Trajectory

MAX_BLOCKS = 15
"""The largest circuit the diagram stays readable for."""

_DY, _GAP = 0.7, 0.75  # between shafts; between the shafts and the rows of units
_INT_H, _BOX_H, _TABLE_W = 1.55, 0.8, 2.4  # integrator frame, gear box, tables
_MOTOR_X, _MOTOR_R = -0.55, 0.22
_SCALE = 0.62  # inches per unit of the layout, for a new figure
_BOLD: dict[str, Any] = {"fontsize": 9, "fontweight": "bold"}
_KEY = (
    "Integrator: the disc turns with the variable of integration (middle cross "
    "shaft), the lead screw (left) sets the wheel by the integrand, the wheel "
    "drives the output (right, red).  • a gear engaging a shaft;  k:1 a gear ratio."
)

Line = tuple[float, str, Any]  # a unit's cross shaft: offset, role, wire (or None)


@dataclass(frozen=True)
class Shaft:
    """A bus shaft at height ``y`` from ``x0`` to ``x1``, named ``label``."""

    key: Hashable
    label: str
    y: float
    x0: float
    x1: float


@dataclass(frozen=True)
class Unit:
    """A block's unit; ``row`` is "integrators", "gears", "motor" or "input table"."""

    block: Hashable
    kind: str
    row: str
    x: float
    y: float
    width: float
    text: str


@dataclass(frozen=True)
class Connector:
    """A cross shaft at ``x`` from a unit (at ``y0``) to a bus shaft (at ``y1``).

    ``role``: "integrand" (the lead screw), "disc" (the variable of
    integration) or "output" for integrators, else the input port or "output".
    """

    unit: Hashable
    shaft: Hashable
    role: str
    x: float
    y0: float
    y1: float
    weight: float = 1.0


def shaft_layout(circuit: Circuit | nx.MultiDiGraph | nx.DiGraph) -> dict[str, Any]:
    """Positions of the shafts, units and cross shafts of a shaft diagram.

    Shafts run top to bottom: integrators, the independent variable (time
    blocks, else an implicit motor shaft ``t`` if an integrator needs one),
    constants, the other blocks, each group sorted by name.  Each unit has its
    own column, every integrator after the gear units that feed it.

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        A circuit of at most 15 blocks; it is not modified.

    Returns
    -------
    dict
        ``shafts`` (key -> :class:`Shaft`, in order), ``units`` (block ->
        :class:`Unit`), ``connectors`` (list of :class:`Connector`),
        ``time_shaft`` (the shaft turning the discs of integrators without a
        ``wrt`` wire), ``input_table`` and ``output_table`` (dicts with ``x``,
        ``y``, ``width``, ``height``, ``shafts``, or None) and ``extent``
        (xmin, xmax, ymin, ymax).

    Raises
    ------
    ValueError
        If the circuit has more than 15 blocks.

    Examples
    --------
    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("minus", k=-1.0)
    'x'
    'v'
    'minus'
    >>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
    >>> layout = shaft_layout(c)
    >>> list(layout["shafts"])  # integrators, the motor's t, then the rest
    ['v', 'x', 't', 'minus']
    >>> [(k.role, k.shaft) for k in layout["connectors"] if k.unit == "x"]
    [('integrand', 'v'), ('disc', 't'), ('output', 'x')]
    """
    graph = as_graph(circuit)
    if graph.number_of_nodes() > MAX_BLOCKS:
        raise ValueError(
            f"the shaft diagram is for circuits of up to {MAX_BLOCKS} blocks, this "
            f"one has {graph.number_of_nodes()}; draw it with "
            'analyzer.draw.to_dot(circuit, style="gpac") or style="electronic" instead'
        )
    net = Netlist.from_graph(graph)
    kinds = {b: str(net.kind(b)) for b in net.blocks}
    integrators = [b for b in net.blocks if kinds[b] == "integrator"]
    motors = [b for b in net.blocks if kinds[b] == "time"]
    constants = [b for b in net.blocks if kinds[b] == "constant"]
    gears = [b for b in net.blocks if b not in {*integrators, *motors, *constants}]
    if not motors and any(
        all(w.port != "wrt" for w in net.wires[b]) for b in integrators
    ):
        motors = [next(k for k in ("t", "t (motor)", "t (motor 2)") if k not in graph)]
    time_shaft = motors[0] if motors else None
    order = [*integrators, *motors, *constants, *gears]
    ys = {key: -i * _DY for i, key in enumerate(order)}

    units: dict[Hashable, Unit] = {}
    connectors: list[Connector] = []
    top, bottom = _GAP, -_DY * (len(order) - 1) - _GAP
    x_end = left = max([1.1] + [0.16 * len(str(k)) + 0.45 for k in order])
    for b, x, half, lines, text in _columns(net, integrators, gears, left):
        row, y0 = ("integrators", top) if b in integrators else ("gears", bottom)
        units[b] = Unit(b, kinds[b], row, x, y0, 2 * half, text)
        for offset, role, w in lines:
            src = b if role == "output" else (time_shaft if w is None else w.src)
            weight = 1.0 if w is None or role == "output" else w.weight
            connectors.append(Connector(b, src, role, x + offset, y0, ys[src], weight))
        x_end = x + half + 0.45

    recorded = [*integrators, *motors[:1]] if integrators else []
    output_table = input_table = None
    if recorded:
        output_table = _table(x_end + 0.45, [ys[k] for k in recorded], recorded)
        output_table.update(against=time_shaft, pens=tuple(integrators))
    if constants:
        input_table = _table(-_TABLE_W - 0.3, [ys[k] for k in constants], constants)
    shafts = {}
    for key in order:
        x0 = -0.3 if key in constants else _MOTOR_X + _MOTOR_R if key in motors else 0.0
        x1 = x_end + 0.45 if key in recorded else x_end
        shafts[key] = Shaft(key, str(key), ys[key], x0, x1)
    for b in motors:
        units[b] = Unit(b, "time", "motor", _MOTOR_X, ys[b], 2 * _MOTOR_R, "M")
    for b in constants:
        value = graph.nodes[b].get("value")
        text = str(b) if value is None else f"{b} = {_g(value)}"
        units[b] = Unit(b, "constant", "input table", -0.3, ys[b], _TABLE_W, text)
        connectors.append(Connector(b, b, "output", -0.3, ys[b], ys[b]))

    xmin = -_TABLE_W - 0.5 if constants else -1.5 if motors else -0.2
    xmax = x_end + 1.15 + _TABLE_W if recorded else x_end + 0.2  # scale labels
    ymax = top + _INT_H + 0.5 if integrators else 0.6
    ymin = bottom - _BOX_H - 0.5 if gears else bottom + _GAP - 1.1
    return {
        "shafts": shafts,
        "units": units,
        "connectors": connectors,
        "time_shaft": time_shaft,
        "input_table": input_table,
        "output_table": output_table,
        "extent": (xmin, xmax, ymin, ymax),
    }


def _table(x: float, ys: list[float], shafts: list[Hashable]) -> dict[str, Any]:
    y, h = min(ys) - 0.35, max(ys) - min(ys) + 0.7
    return {"x": x, "y": y, "width": _TABLE_W, "height": h, "shafts": tuple(shafts)}


def _lines(net: Netlist, b: Hashable) -> list[Line]:
    """A unit's cross shafts, left to right, with the wires they carry."""
    wires = net.wires[b]
    if net.kind(b) == "integrator":  # lead screw(s), disc axle, wheel
        ins = [w for w in wires if w.port != "wrt"]
        wrt: list[Any] = [w for w in wires if w.port == "wrt"] or [None]
        screws = [(-0.6 - 0.18 * j, "integrand", w) for j, w in enumerate(ins)]
        discs = [(0.14 * j, "disc", w) for j, w in enumerate(wrt)]
        return [*reversed(screws), *discs, (0.6, "output", None)]
    h = max(0.42, 0.15 * len(wires))
    offsets = np.linspace(-h, h, len(wires) + 1)
    taps = [(float(o), str(w.port), w) for o, w in zip(offsets, wires, strict=False)]
    return [*taps, (h, "output", None)]


def _columns(
    net: Netlist, integrators: list[Hashable], gears: list[Hashable], left: float
) -> list[tuple[Hashable, float, float, list[Line], str]]:
    """(block, centre, half width, cross shafts, text) of each unit, left to right.

    Each integrator comes after the gear units feeding it (depth first), so a
    gear train reads left to right into its integrator.  Neighbours in
    different rows keep only their cross shafts apart.
    """
    pending, sequence = set(gears), []

    def feed(b: Hashable) -> None:
        pending.discard(b)
        for w in net.wires[b]:
            if w.src in pending:
                feed(w.src)
        sequence.append(b)

    for b in [*integrators, *gears]:
        if b in integrators or b in pending:
            feed(b)
    placed = []
    last_in_row: dict[bool, float] = {}  # row -> right edge of its last box
    reach = left - 0.25  # the rightmost cross shaft so far
    for b in sequence:
        lines, up = _lines(net, b), b in integrators
        text = _integraltext(b, net) if up else _geartext(b, net)
        span = max(abs(o) for o, _, _ in lines) + 0.22
        fit = 0.045 * len(text) + 0.12 if up else 0.075 * len(str(b))
        half = max(0.85 if up else 0.6, span, fit)
        x = max(reach + 0.45 - lines[0][0], left + half)
        x = max(x, last_in_row.get(up, -np.inf) + half + 0.35)
        placed.append((b, x, half, lines, text))
        last_in_row[up], reach = x + half, x + lines[-1][0]
    return placed


def _g(v: Any) -> str:
    return f"{v:g}".replace("-", "−") if isinstance(v, float | int) else str(v)


def _ratio(k: Any) -> str:
    return f"{_g(k)}:1"


def _integraltext(b: Hashable, net: Netlist) -> str:
    terms = {1.0: "{}", -1.0: "−{}"}
    wires = [w for w in net.wires[b] if w.port != "wrt"]
    ins = [terms.get(w.weight, f"{_g(w.weight)}·{{}}").format(w.src) for w in wires]
    wrt = [str(w.src) for w in net.wires[b] if w.port == "wrt"] or ["t"]
    integrand = f"({' + '.join(ins)})" if len(ins) > 1 else (ins or ["0"])[0]
    return f"{b} = ∫ {integrand} d{wrt[0]}"


def _geartext(b: Hashable, net: Netlist) -> str:
    kind, k = net.kind(b), net.attrs[b].get("k")
    if kind == "gain":
        return _ratio(k) if k is not None else "k:1"
    return {"adder": "+", "multiplier": "×"}.get(kind, str(kind))


def shaft_diagram(
    circuit: Circuit | nx.MultiDiGraph | nx.DiGraph,
    ax: Axes | None = None,
    *,
    trajectory: Trajectory | None = None,
) -> Axes:
    """Draw a circuit as a set-up diagram of Bush's differential analyzer.

    Every signal is a horizontal shaft named at its left end.  Above the
    shafts each integrator is a wheel-and-disc unit: the shaft of the
    variable of integration (time, or the block wired to ``wrt``) turns the
    disc, the integrand shaft drives the lead screw that sets the wheel, and
    the wheel drives the integrator's own shaft.  Below, adders are
    differential gears ("+"), gains gear boxes ("k:1"), multipliers "×"
    units (Bush multiplied by parts, x·y = ∫x dy + ∫y dx, with two
    integrators and a differential; drawn here as one unit).  A motor turns
    the independent variable, constants come from the input table (left),
    and the output table (right) is the plotting board on which pens drew
    the integrator shafts against the independent variable.  A dot marks a
    gear engaging a shaft; a weight other than 1 is a gear ratio at its dot.

    The pens draw a real run: given ``trajectory``, each pen's curve is the
    simulated signal, mapped into the board by the affine scale written at
    its corners (the abscissa's ends below it, the common ordinate's ends
    right of it, rounded outwards by :func:`pen_scale`).  Without one the
    board is left blank and says so: the diagram never shows made-up data.

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        A circuit of at most 15 blocks; it is not modified.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new Axes on a new ``Figure`` sized to fit.
    trajectory : Trajectory, keyword-only, optional
        A run of this very circuit, ``simulate(circuit, t_span, t_eval=...)``
        (one run, not a batch); the pens draw its samples as they are, so
        ask for a few hundred output times for smooth curves.

    Returns
    -------
    matplotlib.axes.Axes
        The diagram, drawn as :func:`shaft_layout` places it.  Artists carry
        ids (``get_gid()``): ``shaft:<key>``, ``shaft label:<key>``,
        ``unit:<block>``, ``connector:<unit>:<role>:<shaft>``, and on the
        output table ``pen:<block>`` (a pen's curve), ``pen label:<block>``,
        ``pen scale:x0`` / ``x1`` / ``y0`` / ``y1`` (the scale's ends) and
        ``pen caption``.

    Raises
    ------
    ValueError
        If the circuit has more than 15 blocks: draw those with
        ``analyzer.draw.to_dot(circuit, style="gpac")`` or ``"electronic"``;
        if ``trajectory`` is not a run of this circuit (a block has no
        signal in it), is a batch, or is not finite.

    Examples
    --------
    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("minus", k=-1.0)
    'x'
    'v'
    'minus'
    >>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
    >>> ax = shaft_diagram(c)
    >>> ids = [str(line.get_gid()) for line in ax.get_lines()]
    >>> sorted(i for i in ids if i.startswith("shaft:"))
    ['shaft:minus', 'shaft:t', 'shaft:v', 'shaft:x']
    >>> print(*[t.get_text() for t in ax.texts if t.get_gid() == "pen caption"])
    pens: v, x
    against t
    no run given: board left blank

    With a run, the pens draw x = cos t and v = -sin t:

    >>> import numpy as np
    >>> from analyzer import simulate
    >>> run = simulate(c, (0.0, 6.0), t_eval=np.linspace(0.0, 6.0, 200))
    >>> ax = shaft_diagram(c, trajectory=run)
    >>> sorted(i for i in map(str, (a.get_gid() for a in ax.get_lines()))
    ...        if i.startswith("pen:"))
    ['pen:v', 'pen:x']
    >>> {t.get_gid(): t.get_text() for t in ax.texts if "scale" in str(t.get_gid())}
    {'pen scale:x0': '0', 'pen scale:x1': '6', 'pen scale:y0': '−1.5', 'pen scale:y1': '1.5'}
    >>> ax.figure.savefig("oscillator-setup.png")  # doctest: +SKIP
    """
    graph = as_graph(circuit)
    layout = shaft_layout(graph)
    table = layout["output_table"]
    signals = None
    if trajectory is not None and table is not None:
        signals = pen_signals(layout, trajectory, graph)
    xmin, xmax, ymin, ymax = layout["extent"]
    units, connectors = layout["units"], layout["connectors"]
    key = textwrap.wrap(_KEY, width=max(40, int((xmax - xmin - 0.4) / 0.1)))
    ymin -= 0.25 * len(key)
    if ax is None:
        size = ((xmax - xmin) * _SCALE, (ymax - ymin) * _SCALE)
        ax = Figure(figsize=size).add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), aspect="equal")
    ax.set_axis_off()
    for s in layout["shafts"].values():
        draw_line(ax, [s.x0, s.x1], [s.y, s.y], lw=1.6, zorder=2, gid=f"shaft:{s.key}")
        label = {"ha": "left", "va": "bottom", "gid": f"shaft label:{s.key}"}
        draw_text(ax, 0.08, s.y + 0.06, s.label, **_BOLD, **label)
    for k in connectors:
        _draw_connector(ax, k, units[k.unit].row == "input table")
    for u in units.values():
        draw = {"integrators": _draw_integrator, "gears": _draw_gear_unit}
        draw.get(u.row, _draw_source)(
            ax, u, [k for k in connectors if k.unit == u.block]
        )
    if layout["input_table"]:
        draw_table(ax, layout["input_table"], "input table")
    if table:
        grid = (6, 4)
        if signals is not None:
            (_, _, columns), (_, _, rows) = pen_scales(signals)
            grid = (columns, rows)
        board = draw_table(ax, table, "output table", grid)
        draw_pens(ax, table, board, signals)
    if any(u.row == "integrators" for u in units.values()):
        style = {"ha": "left", "va": "bottom", "linespacing": 1.5, "color": STEEL}
        draw_text(ax, xmin + 0.2, ymin + 0.15, "\n".join(key), 6.5, gid="key", **style)
    return ax


def _box(ax: Axes, x: float, y: float, w: float, h: float, gid: str) -> None:
    style = "round,pad=0.02,rounding_size=0.08"
    box = FancyBboxPatch((x, y), w, h, boxstyle=style, fc=PAPER, ec=INK, zorder=1)
    ax.add_patch(box).set_gid(gid)


def _draw_connector(ax: Axes, k: Connector, end_on: bool) -> None:
    gid = f"connector:{k.unit}:{k.role}:{k.shaft}"
    color = OUT if k.role == "output" else INK
    if not end_on:  # a white halo breaks the shafts the cross shaft passes over
        halo = [patheffects.withStroke(linewidth=3.2, foreground="white")]
        xs, ys = [k.x, k.x], [k.y0, k.y1]
        draw_line(ax, xs, ys, color=color, zorder=3, path_effects=halo, gid=gid)
    dot = gid if end_on else f"gear:{k.unit}:{k.role}:{k.shaft}"
    draw_line(ax, [k.x], [k.y1], marker="o", ms=4.5, color=color, zorder=4, gid=dot)
    if k.weight != 1.0:
        bbox = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"}
        label = {"ha": "left", "va": "bottom", "bbox": bbox, "color": color}
        draw_text(ax, k.x + 0.07, k.y1 + 0.05, _ratio(k.weight), **label)


def _draw_integrator(ax: Axes, u: Unit, ks: list[Connector]) -> None:
    cx, yb = u.x, u.y
    _box(ax, cx - u.width / 2, yb, u.width, _INT_H, f"unit:{u.block}")
    draw_text(ax, cx, yb + _INT_H + 0.08, str(u.block), **_BOLD, va="bottom")
    draw_text(ax, cx, yb + _INT_H - 0.1, u.text, va="top")
    disc_y, wheel_x, wheel_y, screw_y = yb + 0.45, cx + 0.28, yb + 0.72, yb + 1.0
    disc = Ellipse((cx, disc_y), 1.05, 0.34, fc=GLASS, ec=INK, zorder=4)
    ax.add_patch(disc).set_gid(f"disc:{u.block}")
    draw_line(ax, [cx], [disc_y], marker="o", ms=2.5)
    draw_line(ax, [wheel_x, cx + 0.6], [wheel_y, wheel_y], color=OUT, lw=1.3)
    wheel = Ellipse((wheel_x, wheel_y), 0.13, 0.54, fc=STEEL, ec=INK, zorder=6)
    ax.add_patch(wheel).set_gid(f"wheel:{u.block}")
    screw_x = min([cx - 0.6] + [k.x for k in ks if k.role == "integrand"])
    xs = np.linspace(screw_x, wheel_x, max(8, round((wheel_x - screw_x) * 14)))
    draw_line(ax, xs, np.full_like(xs, screw_y), marker="|", ms=4)  # the lead screw
    draw_line(ax, [wheel_x, wheel_x], [wheel_y + 0.27, screw_y])
    heights = {"integrand": screw_y, "disc": disc_y, "output": wheel_y}
    for k in ks:  # the cross shafts inside the frame, from the mechanism
        color = OUT if k.role == "output" else INK
        draw_line(ax, [k.x, k.x], [heights[k.role], yb], color=color, zorder=2)


def _draw_gear_unit(ax: Axes, u: Unit, ks: list[Connector]) -> None:
    cx, mid = u.x, u.y - _BOX_H / 2
    _box(ax, cx - u.width / 2, u.y - _BOX_H, u.width, _BOX_H, f"unit:{u.block}")
    if u.kind == "adder":  # a differential gear: a toothed wheel marked +
        ax.add_patch(Circle((cx, mid), 0.25, fc="white", ec=INK, zorder=2))
        r = np.array([0.25, 0.33])
        for a in np.linspace(0.0, 2 * np.pi, 12, endpoint=False):
            draw_line(ax, cx + r * np.cos(a), mid + r * np.sin(a), lw=1.6, zorder=2)
    draw_text(ax, cx, mid, u.text, 13 if u.text in ("+", "×") else 8.5)
    draw_text(ax, cx, u.y - _BOX_H - 0.08, str(u.block), **_BOLD, va="top")


def _draw_source(ax: Axes, u: Unit, ks: list[Connector]) -> None:
    if u.row == "input table":  # a constant: its line of the table
        draw_text(ax, u.x - 0.2, u.y, u.text, 7.5, ha="right", gid=f"unit:{u.block}")
        return
    motor = Circle((u.x, u.y), _MOTOR_R, fc=PAPER, ec=INK, lw=1.2, zorder=5)
    ax.add_patch(motor).set_gid(f"unit:{u.block}")
    draw_text(ax, u.x, u.y, "M", 8, fontweight="bold")
    draw_text(ax, u.x - 0.3, u.y, "motor", 6.5, ha="right", color=STEEL)
