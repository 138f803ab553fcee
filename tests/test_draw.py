"""Circuit drawings: the DOT source of every style, escaping, and real rendering.

Most tests read the DOT text (no Graphviz program needed).  Tests marked
``needs_dot`` run the real ``dot`` and skip cleanly where it is not installed
(tests/conftest.py; under ``CI=true`` that is an error instead);
the missing-program path is tested by emptying PATH, which makes the real
``graphviz`` backend fail exactly as on a machine without Graphviz.
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import graphviz
import networkx as nx
import pytest
from builders import oscillator

from analyzer import Circuit, CircuitError, compile_circuit
from analyzer.draw import FORMATS, STYLES, DotNotFoundError, render, svg, to_dot
from analyzer.draw_styles import FILLS
from circuits.bessel import build as bessel

needs_dot = pytest.mark.needs_dot
"""Runs the real Graphviz dot: tests/conftest.py skips it where dot is missing."""


NODE = re.compile(r"^\t([nspq]\d+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\t(\S+) -> (\S+)(?: \[(.*)\])?$", re.M)


# -- circuits: the shared oscillator and the catalog's Bessel set-up, plus --


def van_der_pol(mu=1.5):
    """x'' = mu (1 - x²) x' - x; x² from one block through two unnamed ports."""
    c = Circuit()
    c.integrator("x", initial=2.0)
    c.integrator("v")
    c.multiplier("x2")
    c.multiplier("x2v")
    c.adder("acc")
    c.connect("x", "x2")
    c.connect("x", "x2")
    c.connect("x2", "x2v", port="a")
    c.connect("v", "x2v", port="b")
    c.connect("v", "x")
    c.connect("v", "acc", weight=mu)
    c.connect("x2v", "acc", weight=-mu)
    c.connect("x", "acc", weight=-1.0)
    c.connect("acc", "v")
    return c


CIRCUITS = {"oscillator": oscillator, "van_der_pol": van_der_pol, "bessel": bessel}


# -- reading the DOT text -----------------------------------------------------


def nodes(source):
    """Node id -> its attribute text."""
    return dict(NODE.findall(source))


def edges(source):
    """Every edge as (tail, head, attribute text), in order."""
    return EDGE.findall(source)


def ids(source):
    """Block name -> node id, read from the tooltips ``name (kind): ...``."""
    found = re.findall(r'^\t(n\d+) \[.*tooltip="([^"(]+) \(', source, re.M)
    return {name: node for node, name in found}


def attr(text, key):
    """One attribute value (HTML label or quoted or bare) from an attribute list."""
    m = re.search(rf"\b{key}=(<.*?>|\"[^\"]*\"|\S+)(?= \w+=|$)", text)
    return m.group(1) if m else None


# -- styles and arguments ---------------------------------------------------------


def test_styles_are_listed_and_a_bad_style_is_refused():
    assert STYLES == ("gpac", "electronic", "compiled")
    with pytest.raises(ValueError, match="'gpac', 'electronic', 'compiled'") as info:
        to_dot(oscillator(), "shannon")
    assert "'shannon'" in str(info.value)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("build", CIRCUITS.values(), ids=CIRCUITS.keys())
def test_every_style_is_a_left_to_right_digraph(build, style):
    dot = to_dot(build(), style)
    assert isinstance(dot, graphviz.Digraph)
    assert "rankdir=LR" in dot.source
    assert dot.source == to_dot(build(), style).source


@pytest.mark.parametrize("style", STYLES)
def test_a_bad_circuit_gets_the_circuit_error(style):
    c = Circuit()
    c.gain("g", k=2.0)  # no input
    with pytest.raises(CircuitError, match=r"block 'g' \(gain\): port 'in'"):
        to_dot(c, style)


def test_networkx_graphs_are_drawn_and_left_untouched():
    g = nx.DiGraph()
    g.add_node("x", kind="integrator", initial=1.0)
    g.add_node("c", kind="constant", value=0.5)
    g.add_edge("c", "x", weight=3.0)
    before = (list(g.nodes(data=True)), list(g.edges(data=True)))
    multi = nx.MultiDiGraph(g)
    for style in STYLES:
        assert to_dot(g, style).source == to_dot(multi, style).source
    assert (list(g.nodes(data=True)), list(g.edges(data=True))) == before
    with pytest.raises(TypeError, match="Circuit"):
        to_dot({"x": "integrator"})


@pytest.mark.parametrize("style", STYLES)
def test_source_does_not_depend_on_insertion_order(style):
    forward = van_der_pol().graph
    backward = nx.MultiDiGraph()
    backward.add_nodes_from(reversed(list(forward.nodes(data=True))))
    backward.add_edges_from(reversed(list(forward.edges(data=True))))
    assert list(backward.nodes) != list(forward.nodes)
    assert to_dot(backward, style).source == to_dot(forward, style).source


# -- gpac ------------------------------------------------------------------------


def test_gpac_oscillator_boxes_and_wires():
    src = to_dot(oscillator(), "gpac").source
    n = ids(src)
    assert set(n) == {"x", "v", "minus"}
    labels = nodes(src)
    assert "∫" in labels[n["x"]] and "x(t₀) = 1" in labels[n["x"]]
    assert "∫" in labels[n["v"]] and "v(t₀) = 0" in labels[n["v"]]
    assert ">k<" in labels[n["minus"]] and "k = −1" in labels[n["minus"]]
    for block in n.values():
        assert 'PORT="out"' in labels[block] and "shape=plain" in labels[block]
    assert edges(src) == [
        (f"{n['minus']}:out:e", f"{n['v']}:in:w", ""),
        (f"{n['v']}:out:e", f"{n['x']}:in:w", ""),
        (f"{n['x']}:out:e", f"{n['minus']}:in:w", ""),
    ]  # weight 1 wires carry no label; integrators are emitted first
    assert list(labels)[:2] == [n["v"], n["x"]]


def test_gpac_x_times_x_is_two_wires_into_two_ports():
    src = to_dot(van_der_pol(mu=1.5), "gpac").source
    n = ids(src)
    labels = nodes(src)
    assert 'PORT="a"' in labels[n["x2"]] and 'PORT="b"' in labels[n["x2"]]
    assert ">×<" in labels[n["x2"]] and ">+<" in labels[n["acc"]]
    into_x2 = [(t, h) for t, h, _ in edges(src) if h.startswith(n["x2"] + ":")]
    assert into_x2 == [
        (f"{n['x']}:out:e", f"{n['x2']}:a:w"),
        (f"{n['x']}:out:e", f"{n['x2']}:b:w"),
    ]
    into_acc = {t.split(":")[0]: a for t, h, a in edges(src) if h.startswith(n["acc"])}
    assert into_acc == {
        n["v"]: "label=<1.5>",
        n["x2v"]: "label=<−1.5>",
        n["x"]: "label=<−1>",
    }


def test_gpac_multiplier_ports_named_and_unnamed():
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.integrator("y", initial=2.0)
    c.multiplier("m")
    c.connect("y", "m", port="b")
    c.connect("x", "m")  # unnamed: takes the free port a
    c.connect("m", "x")
    heads = {t.split(":")[0]: h for t, h, _ in edges(to_dot(c).source)}
    n = ids(to_dot(c).source)
    assert heads[n["x"]] == f"{n['m']}:a:w" and heads[n["y"]] == f"{n['m']}:b:w"


def test_gpac_bessel_integrates_y_with_respect_to_L():
    src = to_dot(bessel(), "gpac").source
    n = ids(src)
    labels = nodes(src)
    assert 'PORT="wrt"' in labels[n["y"]] and 'PORT="in"' in labels[n["y"]]
    assert 'PORT="wrt"' not in labels[n["p"]]
    assert "y(t₀) = 0.765198" in labels[n["y"]]
    assert "p(t₀) = −0.440051" in labels[n["p"]]
    (wrt,) = [e for e in edges(src) if e[1].startswith(f"{n['y']}:wrt")]
    assert wrt[:2] == (f"{n['L']}:out:e", f"{n['y']}:wrt:s")
    assert "style=dashed" in wrt[2] and "label=<d(L)>" in wrt[2]
    assert "style=dashed" not in "".join(a for t, h, a in edges(src) if h != wrt[1])
    assert ">t<" in labels[n["t"]]  # the time block, named t: shown once
    assert labels[n["t"]].count(">t<") == 1


def test_a_weighted_wrt_wire_shows_its_weight():
    c = Circuit()
    c.time("t")
    c.integrator("w")
    c.constant("one", value=1.0)
    c.connect("one", "w")
    c.connect("t", "w", port="wrt", weight=2.0)
    src = to_dot(c).source
    assert "label=<2·d(t)>" in src
    assert "constant" in nodes(src)[ids(src)["one"]]


# -- electronic -------------------------------------------------------------------


def test_electronic_oscillator_triangles_and_potentiometer():
    src = to_dot(oscillator(), "electronic").source
    n = ids(src)
    labels = nodes(src)
    for name, ic in (("x", "IC = 1"), ("v", "IC = 0")):
        assert "shape=triangle" in labels[n[name]]
        assert "orientation=270" in labels[n[name]]
        assert "∫" in labels[n[name]] and ic in labels[n[name]]
    assert "shape=circle" in labels[n["minus"]] and "−1" in labels[n["minus"]]
    assert (f"{n['v']}:e", f"{n['x']}:w", "") in edges(src)  # tip to input side
    assert (f"{n['x']}:e", f"{n['minus']}:w", "") in edges(src)


def test_electronic_weights_become_potentiometers_on_the_wires():
    src = to_dot(van_der_pol(mu=1.5), "electronic").source
    n = ids(src)
    labels = nodes(src)
    assert "shape=triangle" in labels[n["acc"]] and "Σ" in labels[n["acc"]]
    assert "shape=plain" in labels[n["x2"]] and 'PORT="b"' in labels[n["x2"]]
    pots = {p: attr(a, "label") for p, a in labels.items() if p.startswith("p")}
    assert sorted(pots.values()) == ["<1.5>", "<−1.5>", "<−1>"]
    for pot in pots:
        assert "shape=circle" in labels[pot]
        (into,) = [t for t, h, _ in edges(src) if h.split(":")[0] == pot]
        (out,) = [h for t, h, _ in edges(src) if t.split(":")[0] == pot]
        assert out == f"{n['acc']}:w"
        assert into.split(":")[0] in (n["v"], n["x2v"], n["x"])
    assert all("label" not in a for _, _, a in edges(src))  # weights are pots only
    into_x2 = [h for _, h, _ in edges(src) if h.startswith(n["x2"] + ":")]
    assert into_x2 == [f"{n['x2']}:a:w", f"{n['x2']}:b:w"]


def test_electronic_bessel_ramp_and_dashed_wrt():
    src = to_dot(bessel(), "electronic").source
    n = ids(src)
    labels = nodes(src)
    assert "╱" in labels[n["t"]] and "ramp" in labels[n["t"]]
    (wrt,) = [e for e in edges(src) if "dashed" in e[2]]
    assert wrt[:2] == (f"{n['L']}:e", f"{n['y']}:s")
    assert "d(L)" in wrt[2]
    assert "IC = 0.765198" in labels[n["y"]]


def test_electronic_constant_is_a_reference_box():
    c = Circuit()
    c.constant("one", value=0.25)
    c.integrator("x")
    c.connect("one", "x")
    src = to_dot(c, "electronic").source
    label = nodes(src)[ids(src)["one"]]
    assert "0.25" in label and "reference" in label and "shape=plain" in label


# -- compiled ---------------------------------------------------------------------


def expected_compiled_edges(system):
    """What the compiled drawing must show: linear and product edges."""
    A = system.A.tocoo()
    linear = sorted(
        (f"s{j}", f"s{i}", a) for i, j, a in zip(A.row, A.col, A.data, strict=True)
    )
    products = sorted(
        (int(j), int(k), int(i), c)
        for i, j, k, c in zip(system.I, system.J, system.K, system.C, strict=True)
    )
    return linear, products


@pytest.mark.parametrize("build", CIRCUITS.values(), ids=CIRCUITS.keys())
def test_compiled_shows_every_term_of_the_system(build):
    system = compile_circuit(build())
    src = to_dot(build(), "compiled").source
    labels = nodes(src)
    states = {
        attr(a, "tooltip").strip('"').split(":")[0].split(" = ")[0]: s
        for s, a in labels.items()
        if s.startswith("s")
    }
    assert states == {name: f"s{i}" for i, name in enumerate(system.names)}
    all_edges = edges(src)
    linear, products = expected_compiled_edges(system)
    drawn = sorted((t, h, a) for t, h, a in all_edges if t[0] == "s" and h[0] == "s")
    assert [(t, h) for t, h, _ in drawn] == [(t, h) for t, h, _ in linear]
    for (_, _, a), (_, _, value) in zip(drawn, linear, strict=True):
        assert a == ("" if value == 1.0 else f"label=<{value:g}>".replace("-", "−"))
    factors = {}  # product node -> the states wired into it
    for t, h, _ in all_edges:
        if h.startswith("q"):
            factors.setdefault(h, []).append(t)
    for j, k, i, c in products:
        (q,) = [
            q for q, tails in factors.items() if sorted(tails) == [f"s{j}", f"s{k}"]
        ]
        (out,) = [a for t, h, a in all_edges if t == q and h == f"s{i}"]
        assert out == ("" if c == 1.0 else f"label=<{c:g}>".replace("-", "−"))
    assert len([s for s in labels if s.startswith("q")]) == len(
        {(j, k) for j, k, _, _ in products}
    )  # one product node per distinct product


def test_compiled_van_der_pol_marks_the_lifted_state():
    src = to_dot(van_der_pol(), "compiled").source
    labels = nodes(src)
    system = compile_circuit(van_der_pol())
    assert system.names == ("v", "x", "x^2")
    lifted = labels["s2"]
    assert FILLS["lifted"] in lifted and FILLS["lifted"] not in labels["s0"]
    assert "= x<SUP>2</SUP>" in lifted
    assert 'tooltip="x^2 = x·x (lifted state)"' in lifted
    assert "y₀ = 2" in labels["s1"]
    assert "x^2&#x27;" not in src and "x^2' = 2·v·x" in src  # the caption


def test_compiled_bessel_clock_constant_and_square():
    src = to_dot(bessel(), "compiled").source
    system = compile_circuit(bessel())
    clock = f"s{system.names.index('t')}"
    assert "b = 1" in nodes(src)[clock] and FILLS["time"] in nodes(src)[clock]
    r = f"s{system.names.index('r')}"
    into = {}
    for t, h, _ in edges(src):
        into.setdefault(h, []).append(t)
    (square,) = [q for q, tails in into.items() if tails == [r, r]]  # r·r: two wires
    assert square.startswith("q")
    assert [a for t, h, a in edges(src) if t == square] == ["label=<−1>"]  # r' = -r·r


# -- awkward names ----------------------------------------------------------------

AWKWARD = [
    'a"b',
    "x:y",
    "<tag>",
    "a\\b",
    "with space",
    "ünï∫",
    7,
    "end\\",
    "&amp;",
    "node",
    "->",
    "line\nbreak",
]


def awkward():
    c = Circuit()
    for i, name in enumerate(AWKWARD):
        c.integrator(name, initial=0.5 * i)
    c.multiplier("m")
    c.connect(AWKWARD[0], "m")
    c.connect(AWKWARD[0], "m")
    for a, b in zip(AWKWARD, AWKWARD[1:] + AWKWARD[:1], strict=True):
        c.connect(a, b, weight=2.0)
    c.connect("m", "a\\b", port="wrt")
    return c


@pytest.mark.parametrize("style", STYLES)
def test_awkward_names_are_escaped(style):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # graphviz warns on a broken quoted string
        src = to_dot(awkward(), style).source
    for tail, head, _ in edges(src):  # ids only, so ':' in a name is no port
        assert re.fullmatch(r"[nspq]\d+(:\w+)*", tail), tail
        assert re.fullmatch(r"[nspq]\d+(:\w+)*", head), head
    assert "<B>&lt;tag&gt;</B>" in src and 'tooltip="<tag>' in src  # quoted: not HTML
    assert re.search(r"[<>]<tag>", src) is None
    assert "&amp;amp;" in src  # the name "&amp;" shown literally
    assert "line\\nbreak" in src and "line\nbreak" not in src
    assert "ünï∫" in src and "<B>7</B>" in src
    if style != "compiled":
        assert "d(a\\b)" not in src and "d(m)" in src  # wrt label names the source
        assert 'tooltip="a\\\\b (integrator)' in src  # plain attribute: \\ doubled
        assert 'tooltip="a\\"b (integrator)' in src


@needs_dot
@pytest.mark.parametrize("style", STYLES)
def test_awkward_names_render(style):
    src = to_dot(awkward(), style).source
    text = graphviz.Source(src).pipe(format="svg", encoding="utf-8")
    root = ET.fromstring(text)
    shown = "".join(el.text or "" for el in root.iter())
    for name in AWKWARD:  # shown literally; a newline as the two characters \n
        assert str(name).replace("\n", "\\n") in shown.replace("\n", "")


# -- rendering through the real dot --------------------------------------------------


@needs_dot
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_render_writes_each_format(tmp_path, fmt, style):
    out = render(bessel(), str(tmp_path / f"bessel.{fmt}"), style=style)
    assert out == tmp_path / f"bessel.{fmt}" and out.stat().st_size > 500
    data = out.read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    elif fmt == "pdf":
        assert data[:5] == b"%PDF-"
    else:
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        shown = {el.text for el in root.iter() if el.text}
        assert {"y", "p", "r", "L"} <= shown
    assert not (tmp_path / "bessel.dot").exists()


def test_render_refuses_an_unknown_suffix(tmp_path):
    for name in ("c.jpg", "c.dot", "c"):
        with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf"):
            render(oscillator(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_svg_text():
    text = svg(oscillator(), "electronic")
    assert text.lstrip().startswith("<?xml") and "minus" in text
    ET.fromstring(text.encode())


def test_without_dot_the_source_is_written_and_the_hint_given(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")  # the real backend then cannot find dot
    assert svg(oscillator()) is None
    target = tmp_path / "osc.svg"
    with pytest.raises(DotNotFoundError) as info:
        render(oscillator(), target)
    assert isinstance(info.value, RuntimeError)
    message = str(info.value)
    for hint in (
        "sudo apt-get install graphviz",
        "conda install -c conda-forge graphviz",
        "brew install graphviz",
    ):
        assert hint in message
    source = tmp_path / "osc.dot"
    assert info.value.source_path == source and str(source) in message
    assert source.read_text(encoding="utf-8") == to_dot(oscillator()).source
    assert not target.exists()
    with pytest.raises(DotNotFoundError):
        render(bessel(), tmp_path / "bessel.png", style="compiled")
    assert "dpi=192" in (tmp_path / "bessel.dot").read_text(encoding="utf-8")


# -- the catalog --------------------------------------------------------------------


def test_every_catalog_circuit_draws_every_wire():
    from circuits import CATALOG

    for name, entry in CATALOG.items():
        graph = entry.build(**entry.params).graph
        gpac = to_dot(graph, "gpac").source
        assert len(edges(gpac)) == graph.number_of_edges(), name
        electronic = to_dot(graph, "electronic").source
        weighted = sum(1 for *_, w in graph.edges(data="weight", default=1.0) if w != 1)
        assert len(edges(electronic)) == graph.number_of_edges() + weighted, name
        assert to_dot(graph, "compiled").source.startswith("// analyzer compiled")


@pytest.mark.needs_dot
def test_a_circuit_shows_itself_as_svg_in_jupyter():
    from analyzer import Circuit

    c = Circuit()
    c.integrator("x", initial=1.0)
    c.gain("g", k=-1.0)
    assert c._repr_svg_() is None  # incomplete: the gain has no input yet
    c.connect("x", "g")
    c.connect("g", "x")
    drawing = c._repr_svg_()
    assert (
        drawing is not None
        and drawing.lstrip().startswith("<?xml")
        and "<svg" in drawing
    )
