"""How blocks, wires and states are drawn: the three styles of :mod:`analyzer.draw`.

Every label is an HTML-like label built from :func:`text`, so no block name can
break the DOT source or be read as markup; the plain-text attributes
(tooltips) go through :func:`tooltip`.  Node identifiers are generated (``n0``
for blocks, ``p0`` for potentiometers on wires, ``s0`` for states, ``q0`` for
products), never the user's names, so a name such as ``x:y`` cannot be taken
for a port.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import graphviz

from analyzer.blocks import BLOCKS
from analyzer.functions import formula
from analyzer.netlist import Netlist, Wire
from analyzer.system import QuadraticSystem

FONT = "Helvetica,Arial,sans-serif"
INK = "#333333"
WRT_INK = "#1f5fbf"  # the variable of integration: its own colour as well as dashes
FILLS = {
    "integrator": "#dbeafe",
    "adder": "#fef3c7",
    "multiplier": "#fde2e4",
    "gain": "#dcfce7",
    "constant": "#eeeeee",
    "time": "#ede9fe",
    "lifted": "#ffedd5",
}


def _printable(value: Any) -> str:
    """``str(value)`` with control characters written as escapes (a newline as \\n).

    They are invalid in the XML that Graphviz parses, and a raw newline would
    split a DOT statement over lines.
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(value))


def text(value: Any) -> str:
    """Any block name or value as safe text inside an HTML-like label.

    Examples
    --------
    >>> text('<a"b>&')
    '&lt;a"b&gt;&amp;'
    >>> print(text("two\\nlines"), text(3))
    two\\nlines 3
    """
    return html.escape(_printable(value), quote=False)


NAME_LIMIT = 48
"""Characters of a block or state name shown in a drawing (the tooltip has more)."""

TEXT_LIMIT = 2000
"""Characters of a tooltip; Graphviz refuses strings over 16384."""

CAPTION_LIMIT = 12000
"""Characters of the equations printed under a compiled drawing."""


def _shorten(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    keep = limit - 1
    return value[: keep - keep // 3] + "…" + value[len(value) - keep // 3 :]


def shown_name(value: Any) -> str:
    """A block or state name for a label: escaped, shortened, never empty.

    Graphviz cannot render an empty ``<B></B>`` nor a label over 16384
    characters, so a long name keeps its start and end around an ellipsis,
    and the empty name is drawn as two quotes.

    Examples
    --------
    >>> shown_name(""), shown_name("x<1")
    ('""', 'x&lt;1')
    >>> len(shown_name("a" * 10_000)) <= NAME_LIMIT
    True
    """
    shown = _printable(value)
    if not shown.strip():
        shown = repr(shown) if shown else '""'
    return html.escape(_shorten(shown, NAME_LIMIT), quote=False)


def num(x: Any, digits: int = 6) -> str:
    """A number as a short label, with a true minus sign: ``num(-0.5) == '−0.5'``."""
    return f"{float(x):.{digits}g}".replace("-", "\N{MINUS SIGN}")


def tooltip(value: str) -> str:
    """A plain (non-HTML) attribute value, shown literally.

    Backslashes are doubled (Graphviz reads ``\\N`` or ``\\n`` as escapes) and the
    result is marked as not HTML, so ``<tag>`` stays text.
    """
    return graphviz.escape(_shorten(_printable(value), TEXT_LIMIT))


def new_digraph(comment: str) -> graphviz.Digraph:
    """An empty left-to-right drawing with the shared fonts and colours."""
    return graphviz.Digraph(
        "circuit",
        comment=comment,
        graph_attr={
            "rankdir": "LR",
            "bgcolor": "white",
            "pad": "0.25",
            "nodesep": "0.35",
            "ranksep": "0.55",
            "fontname": FONT,
            "ordering": "in",  # a multiplier's a above its b
        },
        node_attr={"fontname": FONT, "fontsize": "12", "color": INK},
        edge_attr={
            "fontname": FONT,
            "fontsize": "11",
            "color": INK,
            "arrowsize": "0.7",
        },
    )


def _lines(symbol: str, block: Hashable, params: Sequence[str]) -> str:
    """The inside of a block: a large symbol, the name in bold, small parameters.

    The name is left out where it repeats the symbol (a time block named t).
    """
    rows = [f'<FONT POINT-SIZE="20">{symbol}</FONT>']
    if shown_name(block) != symbol:
        rows.append(f"<B>{shown_name(block)}</B>")
    rows += [f'<FONT POINT-SIZE="10">{p}</FONT>' for p in params]
    return "<BR/>".join(rows)


def box_label(body: str, ports: Sequence[str], fill: str) -> str:
    """A box with input port cells down its left side and an ``out`` port on its right.

    Port cells are labelled in small grey type where a block has more than one
    (``a`` and ``b`` of a multiplier; ``d`` for the variable of integration).
    """
    span = max(len(ports), 1)
    cells = []
    for p in ports:
        hint = "d" if p == "wrt" else text(p)
        shown = len(ports) > 1 or p == "wrt"
        inner = f'<FONT POINT-SIZE="8" COLOR="#777777">{hint}</FONT>' if shown else ""
        cells.append(f'<TD PORT="{html.escape(p)}" WIDTH="10" HEIGHT="18">{inner}</TD>')
    main = (
        f'<TD ROWSPAN="{span}" CELLPADDING="4">{body}</TD>'
        f'<TD ROWSPAN="{span}" PORT="out" WIDTH="6"></TD>'
    )
    rows = [(cells[0] if cells else "") + main, *cells[1:]]
    return (
        '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" '
        f'STYLE="rounded" BGCOLOR="{fill}" COLOR="{INK}">'
        + "".join(f"<TR>{r}</TR>" for r in rows)
        + "</TABLE>>"
    )


def _block(
    kind: str,
    name: Hashable,
    attrs: Mapping[str, Any],
    ports: Sequence[str],
    style: str,
) -> tuple[str, dict[str, str]]:
    """The shape (``box``, ``triangle`` or ``circle``) and node attributes of a block."""
    fill = FILLS.get(kind, "#ffffff")
    spec = BLOCKS[kind]
    params = {p: attrs.get(p, d) for p, d in spec.params.items()}
    tip = f"{name} ({kind}): {spec.equation}"
    tip += "".join(f"; {p} = {v}" for p, v in params.items())
    node = {"tooltip": tooltip(tip)}
    if style == "electronic" and kind in ("integrator", "adder"):
        symbol = "∫" if kind == "integrator" else "Σ"
        ic = f"IC = {num(params['initial'])}" if kind == "integrator" else ""
        node |= {
            "shape": "triangle",
            "orientation": "270",
            "fixedsize": "shape",
            "width": "1.2",
            "height": "1.0",
            "style": "filled",
            "fillcolor": fill,
            "label": _triangle_label(symbol, name, ic),
        }
        return "triangle", node
    if style == "electronic" and kind == "gain":
        return "circle", node | _pot(params["k"], name)
    if kind == "integrator":
        symbol, small = "∫", [f"{shown_name(name)}(t₀) = {num(params['initial'])}"]
    elif kind == "constant":
        symbol = num(params["value"])
        small = ["reference" if style == "electronic" else "constant"]
    elif kind == "time" and style == "electronic":
        symbol, small = "╱", ["ramp"]
    else:
        fixed = {"adder": "+", "multiplier": "×", "gain": "k", "time": "t"}
        symbol = fixed.get(kind, text(kind))
        small = [f"{text(p)} = {num(v)}" for p, v in params.items() if v is not None]
    label = box_label(_lines(symbol, name, small), ports, fill)
    return "box", node | {"shape": "plain", "label": label}


def _triangle_label(symbol: str, name: Hashable, ic: str) -> str:
    """An amplifier's label: symbol and name inside the triangle, the IC above it.

    The IC sits above the triangle, where the classic symbol has its IC input.
    The triangle has a fixed size (``fixedsize="shape"``) and the label may
    overhang it: an empty row below balances the IC row, so the symbol stays
    in the middle, and an empty column on the right moves it into the wide
    part of the triangle.
    """
    inner = _lines(symbol, name, [])
    rows = [f'<TR><TD>{inner}</TD><TD WIDTH="14"></TD></TR>']
    if ic:
        top = f'<TD HEIGHT="40" VALIGN="TOP"><FONT POINT-SIZE="10">{ic}</FONT></TD>'
        rows = [f"<TR>{top}</TR>", *rows, '<TR><TD HEIGHT="40"></TD></TR>']
    return (
        '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _pot(value: Any, name: Hashable | None = None) -> dict[str, str]:
    """A coefficient potentiometer: a small circle showing its setting."""
    label = num(value)
    if name is not None:
        label += f'<BR/><FONT POINT-SIZE="9">{shown_name(name)}</FONT>'
    return {
        "shape": "circle",
        "style": "filled",
        "fillcolor": FILLS["gain"],
        "fontsize": "11",
        "width": "0.3",
        "margin": "0.02",
        "label": f"<{label}>",
    }


def _tail(node: str, shape: str) -> str:
    """Where wires leave a block: the right side of its ``out`` port or its tip."""
    return f"{node}:out:e" if shape == "box" else f"{node}:e"


def _head(node: str, shape: str, port: str) -> str:
    """Where a wire into ``port`` arrives: from the left; ``wrt`` from below.

    Fixing the sides makes signals flow left to right, with feedback wires
    looping round, as in the drawings of the differential-analyzer era.
    """
    side = "s" if port == "wrt" else "w"
    return f"{node}:{port}:{side}" if shape == "box" else f"{node}:{side}"


def port_map(netlist: Netlist, block: Hashable) -> list[tuple[Wire, str]]:
    """Each wire into ``block`` with the port it is drawn into, in port order.

    A multiplier's unnamed (``in``) wires take its free ports ``a`` and ``b``
    in order, so x·x from one block shows as two wires into two ports.
    """
    wires = netlist.wires[block]
    order = BLOCKS[netlist.kind(block)].port_names
    if netlist.kind(block) == "multiplier":
        free = [p for p in ("a", "b") if all(w.port != p for w in wires)]
        pairs = [(w, free.pop(0) if w.port == "in" else str(w.port)) for w in wires]
    else:
        pairs = [(w, str(w.port)) for w in wires]
    return sorted(pairs, key=lambda pair: order.index(pair[1]))


def draw_circuit(netlist: Netlist, style: str) -> graphviz.Digraph:
    """The ``gpac`` or ``electronic`` drawing of a validated circuit."""
    dot = new_digraph(f"analyzer circuit, style {style}")
    # Integrators first: dot breaks cycles by a depth-first search in node
    # order, so loops then close with a wire back into an integrator, as in
    # the classic drawings.
    blocks = netlist.integrators()
    blocks += [b for b in netlist.blocks if netlist.kind(b) != "integrator"]
    ids = {name: f"n{i}" for i, name in enumerate(blocks)}
    shapes: dict[Hashable, str] = {}
    for name in blocks:
        kind = netlist.kind(name)
        used = {p for _, p in port_map(netlist, name)}
        ports = [
            p
            for p in BLOCKS[kind].port_names
            if p in used or (p == "in" and kind == "integrator")
        ]  # the ports with wires; an integrator always shows its 'in'
        shapes[name], node = _block(kind, name, netlist.attrs[name], ports, style)
        dot.node(ids[name], **node)
    pots = 0
    for dst in blocks:
        for wire, port in port_map(netlist, dst):
            tail = _tail(ids[wire.src], shapes[wire.src])
            weight = float(wire.weight)
            if style == "electronic" and weight != 1.0:
                # A potentiometer on the wire, as it would be patched on a panel.
                pot = f"p{pots}"
                pots += 1
                tip = f"coefficient {weight:g}: {wire.src} -> {dst} (port {port})"
                dot.node(pot, **_pot(weight), tooltip=tooltip(tip))
                dot.edge(tail, _head(pot, "circle", port))
                tail, weight = _tail(pot, "circle"), 1.0
            head = _head(ids[dst], shapes[dst], port)
            dot.edge(tail, head, **_wire(wire.src, port, weight))
    return dot


def _wire(src: Hashable, port: str, weight: float) -> dict[str, str]:
    """A wire's label and style: its weight, or d(src) dashed for a ``wrt`` wire."""
    if port == "wrt":
        shown = f"d({shown_name(src)})"
        if weight != 1.0:
            shown = f"{num(weight)}·{shown}"
        return {
            "style": "dashed",
            "color": WRT_INK,
            "fontcolor": WRT_INK,
            "label": f"<{shown}>",
        }
    return {} if weight == 1.0 else {"label": f"<{num(weight)}>"}


def draw_system(system: QuadraticSystem) -> graphviz.Digraph:
    """The ``compiled`` drawing: states, linear couplings and products.

    A caption under the drawing lists the equations, so the picture can be
    checked against them term by term.
    """
    dot = new_digraph("analyzer compiled system")
    dot.graph_attr["ranksep"] = "0.8"  # room for couplings both ways
    names = system.names
    made = {s.index: s for s in system.functions}
    for i, name in enumerate(names):
        lifted, clock = i >= system.n_core, i == system.clock
        small = []
        if lifted:
            small.append("= " + _monomial(system.monomials[i], names, markup=True))
            tip = f"{name} = {_monomial(system.monomials[i], names)} (lifted state)"
        elif i in made:
            what = formula(made[i].rule, made[i].p)
            small.append(f"= {text(what)}")
            tip = f"{name} = {what}, u the input of block {made[i].block!r}"
        elif clock:
            tip = f"{name}: the clock, {name}' = 1"
        else:
            small.append(f"y₀ = {num(system.y0[i])}")
            tip = f"{name}: integrator output"
        if system.b[i]:
            small.append(f"b = {num(system.b[i])}")
        rows = [f"<B>{shown_name(name)}</B>"]
        rows += [f'<FONT POINT-SIZE="10">{s}</FONT>' for s in small]
        fill = FILLS[
            "lifted" if lifted or i in made else "time" if clock else "integrator"
        ]
        dot.node(
            f"s{i}",
            label="<" + "<BR/>".join(rows) + ">",
            shape="box",
            style="rounded,filled",
            fillcolor=fill,
            tooltip=tooltip(tip),
        )
    A = system.A.tocoo()
    for i, j, a in sorted(
        zip(A.row.tolist(), A.col.tolist(), A.data.tolist(), strict=True)
    ):
        dot.edge(f"s{j}", f"s{i}", label=None if a == 1.0 else f"<{num(a)}>")
    products: dict[tuple[int, int], str] = {}
    for i, j, k, c in zip(system.I, system.J, system.K, system.C, strict=True):
        key = (int(j), int(k))
        if key not in products:  # one × per product, shared by every state it feeds
            node = products[key] = f"q{len(products)}"
            dot.node(
                node,
                label="×",
                shape="circle",
                width="0.3",
                fixedsize="true",
                fontsize="14",
                style="filled",
                fillcolor=FILLS["multiplier"],
                tooltip=tooltip(f"{names[j]}·{names[k]}"),
            )
            for factor in key:  # bold: the factors of the product
                dot.edge(f"s{factor}", node, style="bold", arrowsize="0.5")
        dot.edge(products[key], f"s{i}", label=None if c == 1.0 else f"<{num(c)}>")
    lines: list[str] = []
    used = 0
    equations = system.equations()
    for k, equation in enumerate(equations):
        line = text(_shorten(equation, 400)) + '<BR ALIGN="LEFT"/>'
        if used + len(line) > CAPTION_LIMIT:  # Graphviz's limit is 16384
            lines.append(f'… ({len(equations) - k} more equations)<BR ALIGN="LEFT"/>')
            break
        lines.append(line)
        used += len(line)
    dot.attr(
        label="<" + "".join(lines) + ">", labelloc="b", labeljust="l", fontsize="12"
    )
    return dot


def _monomial(monomial: Any, names: Sequence[str], markup: bool = False) -> str:
    """A lifted state's monomial in the base states: ``x·x·v``, or x²·v as markup."""
    if not markup:
        return "·".join("·".join([names[v]] * e) for v, e in monomial)
    return "·".join(
        shown_name(names[v]) + (f"<SUP>{e}</SUP>" if e > 1 else "") for v, e in monomial
    )


__all__ = [
    "draw_circuit",
    "draw_system",
    "num",
    "port_map",
    "shown_name",
    "text",
    "tooltip",
]
