"""Saving and loading circuits as JSON: exact round trips and clear errors."""

from __future__ import annotations

import json
import math
import struct

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import circuits
from analyzer import Circuit, compile_circuit, simulate
from analyzer.io import (
    FORMAT,
    VERSION,
    CircuitFileError,
    circuit_from_json,
    circuit_to_json,
    load_circuit,
    save_circuit,
)

TRICKY_FLOATS = [
    0.1,
    1 / 3,
    math.pi,
    -0.0,
    5e-324,  # the smallest subnormal
    2.2250738585072014e-308,
    1.7976931348623157e308,
    math.nextafter(1.0, 2.0),
    -123456789.123456789,
    1e22,
]


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def assert_same_graph(g: nx.MultiDiGraph, h: nx.MultiDiGraph) -> None:
    """Same nodes in the same order, same edges with keys, same attributes."""
    assert isinstance(h, nx.MultiDiGraph)
    assert list(g.nodes(data=True)) == list(h.nodes(data=True))
    assert list(g.edges(keys=True, data=True)) == list(h.edges(keys=True, data=True))
    assert g.graph == h.graph
    # == treats -0.0 and 0.0 alike: compare every float attribute bit for bit.
    assert float_bits(g) == float_bits(h)


def float_bits(g: nx.MultiDiGraph) -> list[tuple[str, bytes]]:
    attrs = [d for _, d in g.nodes(data=True)]
    attrs += [d for *_, d in g.edges(keys=True, data=True)]
    return [(k, bits(v)) for d in attrs for k, v in d.items() if isinstance(v, float)]


def roundtrip(circuit) -> nx.MultiDiGraph:
    return circuit_from_json(circuit_to_json(circuit)).graph


@pytest.mark.parametrize("name", list(circuits.CATALOG))
def test_catalog_circuits_round_trip_and_compile_the_same(name):
    entry = circuits.CATALOG[name]
    circuit = entry.build(**entry.params)
    loaded = roundtrip(circuit)
    assert_same_graph(circuit.graph, loaded)
    a, b = compile_circuit(circuit), compile_circuit(loaded)
    assert str(a) == str(b)
    assert a.names == b.names
    assert np.array_equal(a.y0, b.y0)
    assert (a.A != b.A).nnz == 0
    assert np.array_equal(a.C, b.C)


names = st.one_of(st.text(max_size=6), st.integers(-(2**70), 2**70))
values = st.one_of(
    st.floats(allow_nan=False), st.integers(), st.booleans(), st.none(), st.text()
)


@st.composite
def graphs(draw):
    g = nx.MultiDiGraph(
        **draw(st.dictionaries(st.text(max_size=4), values, max_size=2))
    )
    nodes = draw(st.lists(names, min_size=1, max_size=8, unique=True))
    for node in nodes:
        attrs = draw(st.dictionaries(st.sampled_from(["kind", "k", "initial"]), values))
        g.add_node(node, **attrs)
    for _ in range(draw(st.integers(0, 12))):
        u, v = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        port = draw(st.sampled_from(["in", "a", "b", "wrt"]))
        g.add_edge(u, v, port=port, weight=draw(st.floats(allow_nan=False)))
    return g


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_graphs_round_trip_exactly(g):
    assert_same_graph(g, roundtrip(g))


def test_multi_edges_into_a_multiplier_survive():
    c = Circuit()
    c.integrator("x", initial=0.5)
    c.multiplier("sq")
    c.gain("minus", k=-1.0)
    c.connect("x", "sq")
    c.connect("x", "sq")  # x * x: two parallel wires, keys 0 and 1
    c.connect("sq", "minus")
    c.connect("minus", "x")
    loaded = roundtrip(c)
    assert_same_graph(c.graph, loaded)
    assert loaded.number_of_edges("x", "sq") == 2
    assert sorted(loaded["x"]["sq"]) == [0, 1]
    # The loaded circuit runs exactly as the original: x' = -x², x = 0.5/(1+0.5t).
    t = [0.0, 1.0, 2.0]
    before = simulate(c, (0.0, 2.0), t_eval=t, rtol=1e-10, atol=1e-12)
    after = simulate(loaded, (0.0, 2.0), t_eval=t, rtol=1e-10, atol=1e-12)
    assert np.array_equal(before.states, after.states)
    # x' = -x² contracts (δ' = -2x δ): relative error ≤ rtol 1e-10 × G 100
    # (≥ the 8 steps here) = 1e-8.  Measured 8.2e-13; margin 12000×.
    assert after["x"][-1] == pytest.approx(0.25, rel=1e-10 * 100, abs=0)


def test_ports_weights_and_wrt_survive():
    c = Circuit()
    c.time("t")
    c.integrator("u", initial=0.0)
    c.integrator("w", initial=1.0)
    c.multiplier("m")
    c.connect("w", "u", weight=0.7)
    c.connect("t", "u", port="wrt")
    c.connect("u", "m", port="a")
    c.connect("t", "m", port="b", weight=-2.5)
    c.connect("m", "w")
    loaded = roundtrip(c)
    assert_same_graph(c.graph, loaded)
    assert loaded.edges["t", "u", 0] == {"port": "wrt", "weight": 1.0}
    assert loaded.edges["t", "m", 0] == {"port": "b", "weight": -2.5}


def test_floats_are_bit_exact():
    c = Circuit()
    for i, x in enumerate(TRICKY_FLOATS):
        c.constant(f"k{i}", value=x)
        c.gain(f"g{i}", k=-x)
        c.connect(f"k{i}", f"g{i}", weight=x)
    loaded = roundtrip(c)
    assert_same_graph(c.graph, loaded)
    values = [loaded.nodes[f"k{i}"]["value"] for i in range(len(TRICKY_FLOATS))]
    assert list(map(bits, values)) == list(map(bits, TRICKY_FLOATS))


def test_non_finite_and_numpy_values():
    c = Circuit()
    c.add("a", "constant", value=math.inf, spare=math.nan)
    c.add("b", "constant", value=np.float64(0.1), flag=np.bool_(True), n=np.int64(3))
    loaded = roundtrip(c)
    assert loaded.nodes["a"]["value"] == math.inf
    assert math.isnan(loaded.nodes["a"]["spare"])
    b = loaded.nodes["b"]
    assert bits(b["value"]) == bits(0.1)
    assert b["flag"] is True and b["n"] == 3 and type(b["n"]) is int


def test_digraph_input_comes_back_as_multidigraph():
    g = nx.DiGraph()
    g.add_node("x", kind="integrator", initial=1.0)
    g.add_node("g", kind="gain", k=-0.5)
    g.add_edge("x", "g", port="in", weight=1.0)
    g.add_edge("g", "x", port="in", weight=2.0)
    loaded = roundtrip(g)
    assert_same_graph(nx.MultiDiGraph(g), loaded)
    assert list(loaded.edges(keys=True)) == [("x", "g", 0), ("g", "x", 0)]


def test_names_order_keys_and_graph_attributes():
    g = nx.MultiDiGraph(title="hand made", t_span=[0.0, 2.0])
    for name in ["z", 3, "a", "β"]:  # not sorted: the order must survive
        g.add_node(name, kind="adder", note=[1, {"deep": None}])
    g.add_edge("z", 3, key="first", weight=1.0)
    g.add_edge("z", 3, key=7, weight=2.0)
    g.add_edge("β", "a")
    loaded = roundtrip(g)
    assert_same_graph(g, loaded)
    assert list(loaded) == ["z", 3, "a", "β"]


def test_saving_leaves_the_circuit_untouched():
    c = circuits.CATALOG["sine_cosine"].build()
    before = json.dumps(nx.node_link_data(c.graph, edges="edges"), sort_keys=True)
    circuit_to_json(c)
    assert (
        json.dumps(nx.node_link_data(c.graph, edges="edges"), sort_keys=True) == before
    )


def test_file_round_trip_and_circuit_methods(tmp_path):
    c = circuits.CATALOG["bessel"].build()
    path = tmp_path / "bessel.json"
    save_circuit(c, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert_same_graph(c.graph, load_circuit(path).graph)
    c.save(tmp_path / "again.json")
    assert isinstance(Circuit.load(tmp_path / "again.json"), Circuit)
    assert (tmp_path / "again.json").read_text() == path.read_text()
    assert_same_graph(c.graph, load_circuit(str(path)).graph)


def test_plain_node_link_data_with_links_and_no_keys():
    # Older networkx writes "links"; a hand-written file may omit keys.  A keyless
    # wire takes a free key, never merging with a keyed one.
    text = json.dumps(
        {
            "nodes": [
                {"id": "x", "kind": "integrator"},
                {"id": "m", "kind": "multiplier"},
            ],
            "links": [
                {"source": "x", "target": "m", "weight": 2.0},
                {"source": "x", "target": "m", "key": 0, "weight": 3.0},
                {"source": "m", "target": "x"},
            ],
        }
    )
    g = circuit_from_json(text).graph
    assert g.number_of_edges("x", "m") == 2
    assert dict(g["x"]["m"]) == {1: {"weight": 2.0}, 0: {"weight": 3.0}}


def node_link(**changes):
    data = {
        "format": FORMAT,
        "version": VERSION,
        "nodes": [
            {"id": "x", "kind": "integrator"},
            {"id": "g", "kind": "gain", "k": 1},
        ],
        "edges": [{"source": "x", "target": "g", "key": 0}],
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not ...})


MALFORMED = {
    "not json": ("{'nodes': []}", "not valid JSON (Expecting property name"),
    "empty": ("", "not valid JSON"),
    "top level array": ("[1, 2]", "the top level is a JSON array"),
    "other format": (node_link(format="png"), "format: 'png' is not"),
    "newer version": (node_link(version=VERSION + 1), "version: file version"),
    "bad version": (node_link(version="1"), "version: '1' is not a positive"),
    "undirected": (node_link(directed=False), "directed: circuits are directed"),
    "multigraph": (node_link(multigraph="yes"), "multigraph: 'yes' is not true"),
    "graph": (node_link(graph=[]), "graph: a JSON array, expected an object"),
    "no nodes": (node_link(nodes=...), "nodes: missing; a circuit file needs"),
    "no edges": (node_link(edges=...), "edges: missing; a circuit file needs"),
    "nodes object": (node_link(nodes={}), "nodes: a JSON object, expected a list"),
    "node not object": (node_link(nodes=["x"]), "nodes[0]: a JSON string"),
    "node no id": (node_link(nodes=[{"kind": "adder"}]), "nodes[0]: no 'id'"),
    "tuple name": (node_link(nodes=[{"id": ["a", 1]}]), "nodes[0].id: ['a', 1] is"),
    "float name": (node_link(nodes=[{"id": 1.5}]), "nodes[0].id: 1.5 is a JSON number"),
    "duplicate name": (
        node_link(nodes=[{"id": "x"}, {"id": "g"}, {"id": "x"}]),
        "nodes[2].id: duplicate block name 'x' (first at nodes[0])",
    ),
    "edge not object": (node_link(edges=[["x", "g"]]), "edges[0]: a JSON array"),
    "edge no source": (node_link(edges=[{"target": "g"}]), "edges[0]: no 'source'"),
    "edge no target": (node_link(edges=[{"source": "x"}]), "edges[0]: no 'target'"),
    "missing node": (
        node_link(
            edges=[{"source": "x", "target": "g"}, {"source": "x", "target": "y"}]
        ),
        "edges[1].target: no block named 'y'",
    ),
    "missing source": (
        node_link(edges=[{"source": "q", "target": "g"}]),
        "edges[0].source: no block named 'q'",
    ),
    "bad key": (
        node_link(edges=[{"source": "x", "target": "g", "key": [0]}]),
        "edges[0].key: [0] is a JSON array",
    ),
    "duplicate key": (
        node_link(edges=[{"source": "x", "target": "g", "key": 0}] * 2),
        "edges[1]: duplicate wire 'x' -> 'g' with key 0 (first at edges[0])",
    ),
}


@pytest.mark.parametrize("text, message", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_files_name_the_file_and_the_field(tmp_path, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CircuitFileError) as info:
        load_circuit(path)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)
    assert info.value.source == str(path)
    # No raw KeyError or JSONDecodeError shows through in a traceback.
    err = info.value
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__


def test_a_string_without_a_file_is_named_string():
    with pytest.raises(CircuitFileError, match=r"^<string>: nodes: missing"):
        circuit_from_json('{"edges": []}')


def test_binary_and_missing_files(tmp_path):
    path = tmp_path / "image.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(CircuitFileError, match="not a UTF-8 text file"):
        load_circuit(path)
    with pytest.raises(FileNotFoundError):
        load_circuit(tmp_path / "nowhere.json")


def circuit_with(**attrs):
    c = Circuit()
    c.add("k", "constant", value=1.0, **attrs)
    return c


UNSAVABLE = {
    "tuple name": (
        nx.MultiDiGraph([(("a", 1), "b")]),
        "block ('a', 1): its name is a tuple",
    ),
    "float name": (nx.MultiDiGraph([(0.5, "b")]), "block 0.5: its name is a float"),
    "bool name": (nx.MultiDiGraph([(True, "b")]), "block True: its name is a bool"),
    "tuple value": (circuit_with(v=(1, 2)), "'v' = (1, 2): JSON would turn the tuple"),
    "set value": (circuit_with(v={1}), "'v' = {1}: JSON cannot hold a set"),
    "nested tuple": (circuit_with(v=[1, (2,)]), "'v' = [1, (2,)]: JSON would turn"),
    "int dict key": (circuit_with(v={1: 2}), "dict keys must be str"),
    "reserved id": (circuit_with(id="x"), "block 'k': attribute 'id' is reserved"),
    "tuple key": (nx.MultiDiGraph([("a", "b", (0, 1))]), "its key is a tuple"),
    "reserved edge": (
        nx.MultiDiGraph([("a", "b", {"source": 1})]),
        "'source' is reserved",
    ),
}


@pytest.mark.parametrize("circuit, message", UNSAVABLE.values(), ids=list(UNSAVABLE))
def test_unsavable_circuits_are_refused_before_writing(tmp_path, circuit, message):
    path = tmp_path / "out.json"
    with pytest.raises(CircuitFileError) as info:
        save_circuit(circuit, path)
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)
    assert not path.exists()


def test_non_str_attribute_name_is_refused():
    g = nx.MultiDiGraph()
    g.add_node("k", kind="constant", value=1.0)
    g.nodes["k"][3] = "x"
    with pytest.raises(CircuitFileError, match="attribute 3 has a name of type int"):
        circuit_to_json(g)


def test_anything_else_is_a_type_error():
    with pytest.raises(TypeError, match="expected a Circuit"):
        circuit_to_json({"nodes": []})
