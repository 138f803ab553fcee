"""The Circuit builder: a thin wrapper around a ``networkx.MultiDiGraph``.

A circuit is a graph whose nodes are blocks (attribute ``kind`` plus the kind's
parameters) and whose edges are wires from the block that drives a signal to
the block that reads it (attributes ``port`` and ``weight``).  The builder only
adds nodes and edges; everything else takes the graph, so a graph built by hand
with networkx works the same.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import networkx as nx

from analyzer.blocks import BLOCKS
from analyzer.errors import CircuitError


class Circuit:
    """A differential-analyzer circuit, built block by block.

    Every builder method returns the block's name, so wiring reads in order.
    ``circuit.graph`` is the ``networkx.MultiDiGraph`` underneath; nothing
    compiled or derived is ever stored on it.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or networkx.DiGraph, optional
        A graph to wrap (a DiGraph is copied into a MultiDiGraph).

    Examples
    --------
    The harmonic oscillator x'' = -x:

    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0)
    'x'
    >>> c.integrator("v")
    'v'
    >>> c.gain("minus", k=-1.0)
    'minus'
    >>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
    >>> c
    Circuit(3 blocks, 3 wires)
    """

    def __init__(self, graph: nx.MultiDiGraph | nx.DiGraph | None = None) -> None:
        self.graph: nx.MultiDiGraph = (
            nx.MultiDiGraph() if graph is None else as_graph(graph)
        )

    def __repr__(self) -> str:
        g = self.graph
        return f"Circuit({g.number_of_nodes()} blocks, {g.number_of_edges()} wires)"

    def add(self, name: Hashable, kind: str, **params: Any) -> Hashable:
        """Add a block of any registered kind and return its name.

        Extra keyword arguments that are not parameters of the kind are kept
        on the node as the user's own data, unless one looks like a misspelt
        parameter (``inital=1.0``), which is refused at once.

        Raises
        ------
        CircuitError
            If a keyword looks like a misspelt parameter of the kind (a
            ``ValueError``; the message says "did you mean").
        ValueError
            If a block of that name exists or the kind is not registered.
        TypeError
            If the name is not hashable.

        Examples
        --------
        >>> c = Circuit()
        >>> c.add("x", "integrator", inital=1.0)
        Traceback (most recent call last):
        ...
        analyzer.errors.CircuitError: the circuit has 1 problem:
          - block 'x' (integrator): attribute 'inital' is not a parameter of integrator; did you mean 'initial'? rename it (or remove it)
        """
        from analyzer.validate import known_kind, param_problems

        try:
            hash(name)
        except TypeError:
            raise TypeError(
                f"a block name must be hashable (a str, an int or a tuple), got a "
                f"{type(name).__name__}: {name!r}"
            ) from None
        if name in self.graph:
            raise ValueError(
                f"block {name!r} already exists ({self.graph.nodes[name].get('kind')});"
                " choose another name"
            )
        if not known_kind(kind):
            raise ValueError(
                f"block {name!r}: unknown kind {kind!r}; known kinds: "
                + ", ".join(sorted(BLOCKS))
            )
        misspelt = [
            f"block {name!r} ({kind}): {p}"
            for p in param_problems(BLOCKS[kind], params)
            if "did you mean" in p
        ]
        if misspelt:
            raise CircuitError(misspelt)
        self.graph.add_node(name, kind=kind, **params)
        return name

    def integrator(self, name: Hashable, initial: float = 0.0) -> Hashable:
        """Add an integrator w with w(t0) = initial; dw = (Σ in) d(wrt)."""
        return self.add(name, "integrator", initial=initial)

    def adder(self, name: Hashable) -> Hashable:
        """Add an adder: out = Σ weight·in."""
        return self.add(name, "adder")

    def multiplier(self, name: Hashable) -> Hashable:
        """Add a multiplier: out = a·b."""
        return self.add(name, "multiplier")

    def gain(self, name: Hashable, k: float) -> Hashable:
        """Add a gain: out = k·in."""
        return self.add(name, "gain", k=k)

    def constant(self, name: Hashable, value: float) -> Hashable:
        """Add a constant source: out = value."""
        return self.add(name, "constant", value=value)

    def time(self, name: Hashable) -> Hashable:
        """Add the time source: out = t."""
        return self.add(name, "time")

    def connect(
        self, src: Hashable, dst: Hashable, port: str = "in", weight: float = 1.0
    ) -> None:
        """Wire the output of ``src`` into input ``port`` of ``dst``.

        Raises
        ------
        ValueError
            If either block does not exist yet.
        """
        missing = [n for n in (src, dst) if n not in self.graph]
        if missing:
            raise ValueError(
                "cannot connect "
                f"{src!r} -> {dst!r}: no block named "
                + " or ".join(repr(n) for n in missing)
                + "; add it first"
            )
        self.graph.add_edge(src, dst, port=port, weight=weight)

    def _repr_svg_(self) -> str | None:
        """The circuit as an SVG drawing in Jupyter (None without Graphviz or
        while the circuit is still incomplete)."""
        from analyzer.draw import svg

        try:
            return svg(self)
        except CircuitError:
            return None

    def save(self, path: str | Path) -> None:
        """Write the circuit as JSON (networkx node-link form)."""
        from analyzer.io import save_circuit

        save_circuit(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Circuit:
        """Read a circuit written by :meth:`save`."""
        from analyzer.io import load_circuit

        return load_circuit(path)


def as_graph(circuit: Circuit | nx.MultiDiGraph | nx.DiGraph) -> nx.MultiDiGraph:
    """The MultiDiGraph behind a circuit; a DiGraph is copied into one.

    The argument is never modified.

    Raises
    ------
    TypeError
        For anything that is not a Circuit, MultiDiGraph or DiGraph.
    """
    if isinstance(circuit, Circuit):
        return circuit.graph
    if isinstance(circuit, nx.MultiDiGraph):
        return circuit
    if isinstance(circuit, nx.DiGraph):
        return nx.MultiDiGraph(circuit)
    hint = (
        "; an undirected graph has no signal direction, build a "
        "networkx.MultiDiGraph instead"
        if isinstance(circuit, nx.Graph)
        else ""
    )
    raise TypeError(
        "expected a Circuit, a networkx.MultiDiGraph or a networkx.DiGraph (a "
        "circuit is a directed graph: blocks as nodes with attribute 'kind' and "
        "its parameters, wires as edges with attributes 'port' and 'weight'); "
        f"got {type(circuit).__name__}{hint}"
    )
