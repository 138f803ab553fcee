"""Saving and loading circuits as JSON, in networkx's node-link form.

A file is the ``networkx.node_link_data`` of the circuit's MultiDiGraph with
two more keys that mark it, ``format`` and ``version``::

    {"format": "analyzer-circuit", "version": 1,
     "directed": true, "multigraph": true, "graph": {},
     "nodes": [{"id": "x", "kind": "integrator", "initial": 1.0}, ...],
     "edges": [{"source": "v", "target": "x", "key": 0,
                "port": "in", "weight": 1.0}, ...]}

Loading gives back the same graph: the same block names in the same order, the
same attributes (floats bit for bit, since JSON floats are written with
``repr``), the same wires with their keys, ports and weights, multi-edges
included.  Limits, each refused with a clear error when saving rather than
silently changed: block names must be ``str`` or ``int`` (JSON has no tuples,
they would come back as lists), attribute values must be JSON values (numbers,
strings, booleans, None, lists and str-keyed dicts of them; numpy scalars are
written as the equal Python number), and the names ``id`` on a node and
``source``, ``target``, ``key`` on an edge are taken by the format.  The order
in which wires arrive at a block (``graph.in_edges``) follows the order of the
blocks that drive them after a round trip; the compiler does not depend on it.
Non-finite floats are written as ``NaN`` and ``Infinity``, which Python's json
reads back but strict JSON parsers do not.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import networkx as nx
import numpy as np

from analyzer.circuit import Circuit, as_graph

FORMAT = "analyzer-circuit"
"""The value of the ``format`` key that marks a circuit file."""

VERSION = 1
"""The newest file version this module writes and reads."""

_NODE_RESERVED = ("id",)
_EDGE_RESERVED = ("source", "target", "key")


class CircuitFileError(ValueError):
    """A circuit that cannot be written as JSON, or a file that is not a circuit.

    ``source`` is the file (or ``"<string>"``), ``where`` the field at fault,
    such as ``edges[2].target``; both also lead the message.

    Examples
    --------
    >>> err = CircuitFileError("missing", source="c.json", where="nodes")
    >>> print(err)
    c.json: nodes: missing
    >>> err.where
    'nodes'
    """

    def __init__(
        self, message: str, *, source: str = "<string>", where: str = ""
    ) -> None:
        self.source = str(source)
        self.where = where
        super().__init__(": ".join(p for p in (self.source, where, message) if p))


def circuit_to_json(circuit: Circuit | nx.MultiDiGraph | nx.DiGraph) -> str:
    """The circuit as JSON text in node-link form (see the module docstring).

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        Left untouched.

    Raises
    ------
    CircuitFileError
        For a block name that is not a str or int, an attribute value JSON
        cannot hold, or an attribute name the format reserves.

    Examples
    --------
    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.integrator("x", initial=0.1)
    'x'
    >>> c.connect("x", "x", weight=-1.0)
    >>> print(circuit_to_json(c))
    {
     "format": "analyzer-circuit",
     "version": 1,
     "directed": true,
     "multigraph": true,
     "graph": {},
     "nodes": [
      {
       "id": "x",
       "kind": "integrator",
       "initial": 0.1
      }
     ],
     "edges": [
      {
       "source": "x",
       "target": "x",
       "key": 0,
       "port": "in",
       "weight": -1.0
      }
     ]
    }
    """
    graph = as_graph(circuit)
    _check_savable(graph)
    data = nx.node_link_data(graph, edges="edges")
    # Put the names first so the file reads block by block.
    nodes = [{"id": d.pop("id"), **d} for d in data["nodes"]]
    edges = [
        {"source": d.pop("source"), "target": d.pop("target"), "key": d.pop("key"), **d}
        for d in data["edges"]
    ]
    out = {
        "format": FORMAT,
        "version": VERSION,
        "directed": True,
        "multigraph": True,
        "graph": data["graph"],
        "nodes": nodes,
        "edges": edges,
    }
    return json.dumps(out, indent=1, ensure_ascii=False, default=_plain)


def circuit_from_json(text: str, *, source: str = "<string>") -> Circuit:
    """Read a circuit from JSON text written by :func:`circuit_to_json`.

    Plain networkx node-link data (no ``format`` key, edges under ``edges`` or
    the older ``links``, keys optional) is read too.

    Parameters
    ----------
    text : str
        The JSON text.
    source : str, optional
        Where the text came from, for error messages.

    Raises
    ------
    CircuitFileError
        If the text is not JSON or not a circuit in node-link form; the message
        names the field, e.g. ``edges[0].target: no block named 'y'``.

    Examples
    --------
    >>> c = circuit_from_json('{"nodes": [{"id": "k", "kind": "constant",'
    ...                       ' "value": 2.5}], "edges": []}')
    >>> list(c.graph.nodes(data=True))
    [('k', {'kind': 'constant', 'value': 2.5})]
    >>> circuit_from_json('{"nodes": []}')
    Traceback (most recent call last):
    ...
    analyzer.io.CircuitFileError: <string>: edges: missing; a circuit file needs ...
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CircuitFileError(
            f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})",
            source=source,
        ) from None
    except RecursionError:
        raise CircuitFileError(
            "JSON nested too deeply to read (arrays or objects thousands of "
            "levels deep); a circuit file is an object with flat 'nodes' and "
            "'edges' lists",
            source=source,
        ) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise CircuitFileError(
            f"cannot read a JSON value ({err}); write numbers as floats, or "
            "within 4300 digits",
            source=source,
        ) from None
    return Circuit(_graph_from_data(data, source))


def save_circuit(
    circuit: Circuit | nx.MultiDiGraph | nx.DiGraph, path: str | Path
) -> None:
    """Write the circuit to ``path`` as JSON (UTF-8); see :func:`circuit_to_json`.

    Nothing is written when the circuit cannot be saved.
    """
    text = circuit_to_json(circuit)
    Path(path).write_text(text + "\n", encoding="utf-8")


def load_circuit(path: str | Path) -> Circuit:
    """Read a circuit written by :func:`save_circuit`.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    CircuitFileError
        If the file is not UTF-8 JSON holding a circuit; the message starts
        with the path and the field at fault.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise CircuitFileError(
            f"not a UTF-8 text file (byte {err.start}); is it a circuit saved as JSON?",
            source=str(path),
        ) from None
    return circuit_from_json(text, source=str(path))


def _plain(value: Any) -> Any:
    """json's fallback: numpy scalars become the equal Python number."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _is_name(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _check_savable(graph: nx.MultiDiGraph) -> None:
    def fail(message: str) -> NoReturn:
        raise CircuitFileError(message, source="cannot save")

    _check_attrs(graph.graph, (), "graph attribute", fail)
    for name, attrs in graph.nodes(data=True):
        if not _is_name(name):
            fail(
                f"block {name!r}: its name is a {type(name).__name__}; a saved "
                "name must be a str or an int (JSON turns tuples into lists), "
                "rename the block"
            )
        _check_attrs(attrs, _NODE_RESERVED, f"block {name!r}: attribute", fail)
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        where = f"wire {u!r} -> {v!r} (key {key!r})"
        if not _is_name(key):
            fail(f"{where}: its key is a {type(key).__name__}; use a str or an int")
        _check_attrs(attrs, _EDGE_RESERVED, f"{where}: attribute", fail)


def _check_attrs(
    attrs: Mapping[Any, Any],
    reserved: tuple[str, ...],
    what: str,
    fail: Callable[[str], NoReturn],
) -> None:
    for key, value in attrs.items():
        if not isinstance(key, str):
            fail(f"{what} {key!r} has a name of type {type(key).__name__}; use a str")
        if key in reserved:
            fail(f"{what} {key!r} is reserved by the file format; rename it")
        problem = _json_problem(value)
        if problem:
            fail(f"{what} {key!r} = {value!r}: {problem}")


def _json_problem(value: Any) -> str:
    """Why ``value`` would not come back equal from JSON ('' if it would)."""
    if value is None or isinstance(value, bool | int | float | str):
        return ""
    if isinstance(value, np.generic) and isinstance(value.item(), bool | int | float):
        return ""
    if isinstance(value, list):
        return next((p for p in map(_json_problem, value) if p), "")
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return "dict keys must be str for JSON"
        return next((p for p in map(_json_problem, value.values()) if p), "")
    if isinstance(value, tuple):
        return "JSON would turn the tuple into a list; use a list"
    return f"JSON cannot hold a {type(value).__name__}; use a number, str, list or dict"


def _graph_from_data(data: Any, source: str) -> nx.MultiDiGraph:
    def fail(where: str, message: str) -> NoReturn:
        raise CircuitFileError(message, source=source, where=where)

    if not isinstance(data, dict):
        fail(
            "",
            f"the top level is a JSON {_kind(data)}; a circuit file is an "
            "object with 'nodes' and 'edges' lists",
        )
    if "format" in data and data["format"] != FORMAT:
        fail("format", f"{data['format']!r} is not {FORMAT!r}; not a circuit file")
    version = data.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        fail("version", f"{version!r} is not a positive integer")
    if version > VERSION:
        fail(
            "version",
            f"file version {version} is newer than this analyzer reads "
            f"({VERSION}); upgrade analyzer",
        )
    if data.get("directed", True) is not True:
        fail("directed", "circuits are directed graphs; expected true")
    multigraph = data.get("multigraph", True)
    if not isinstance(multigraph, bool):
        fail("multigraph", f"{multigraph!r} is not true or false")
    if not isinstance(data.get("graph", {}), dict):
        fail("graph", f"a JSON {_kind(data['graph'])}, expected an object")
    edges_field = "links" if "edges" not in data and "links" in data else "edges"
    for field in ("nodes", edges_field):
        if field not in data:
            fail(field, f"missing; a circuit file needs a '{field}' list")
        if not isinstance(data[field], list):
            fail(field, f"a JSON {_kind(data[field])}, expected a list")

    first: dict[Any, int] = {}
    for i, node in enumerate(data["nodes"]):
        where = f"nodes[{i}]"
        if not isinstance(node, dict):
            fail(where, f"a JSON {_kind(node)}, expected an object with an 'id'")
        if "id" not in node:
            fail(where, "no 'id'; every block needs its name in 'id'")
        name = node["id"]
        if not _is_name(name):
            fail(
                f"{where}.id",
                f"{name!r} is a JSON {_kind(name)}; a block name "
                "must be a string or an integer",
            )
        if name in first:
            fail(
                f"{where}.id",
                f"duplicate block name {name!r} (first at nodes[{first[name]}])",
            )
        first[name] = i

    edges = data[edges_field]
    seen: dict[tuple[Any, Any, Any], int] = {}
    for i, edge in enumerate(edges):
        where = f"{edges_field}[{i}]"
        if not isinstance(edge, dict):
            fail(
                where,
                f"a JSON {_kind(edge)}, expected an object with 'source' and 'target'",
            )
        for end in ("source", "target"):
            if end not in edge:
                fail(where, f"no '{end}'; every wire names the blocks at both ends")
            if not _is_name(edge[end]) or edge[end] not in first:
                fail(
                    f"{where}.{end}",
                    f"no block named {edge[end]!r}; add it to 'nodes' or fix the wire",
                )
        key = edge.get("key") if multigraph else None
        if key is not None and not _is_name(key):
            fail(
                f"{where}.key",
                f"{key!r} is a JSON {_kind(key)}; expected an integer or a string",
            )
        # Two wires with one (source, target, key) would merge into one silently.
        ident = (edge["source"], edge["target"], key)
        if (key is not None or not multigraph) and ident in seen:
            with_key = f" with key {key!r}" if multigraph else ""
            fail(
                where,
                f"duplicate wire {ident[0]!r} -> {ident[1]!r}{with_key} "
                f"(first at {edges_field}[{seen[ident]}])",
            )
        seen[ident] = i
    if multigraph:
        # A wire without a key gets the smallest integer key free for its pair.
        filled = []
        for edge in edges:
            if edge.get("key") is None:
                pair = (edge["source"], edge["target"])
                key = next(k for k in itertools.count() if (*pair, k) not in seen)
                seen[(*pair, key)] = -1
                edge = {**edge, "key": key}
            filled.append(edge)
        data = {**data, edges_field: filled}

    graph = nx.node_link_graph(
        data, directed=True, multigraph=multigraph, edges=edges_field
    )
    return as_graph(graph)


def _kind(value: Any) -> str:
    """The JSON name of a decoded value's type."""
    names = {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "number",
        float: "number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
