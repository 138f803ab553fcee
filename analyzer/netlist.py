"""A netlist: one plain, ordered snapshot of a circuit graph for the compiler passes.

Reading a networkx graph through its views is slow for large circuits, and
every pass needs the same facts: each block's kind and attributes, and the
wires into it.  :class:`Netlist` reads the graph once, in a deterministic order
(blocks and wires sorted by name), so that the passes after it are plain Python
over dicts and lists and give the same result whatever the graph's node order.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import networkx as nx


def node_key(name: Hashable) -> tuple[tuple[tuple[int, str, int], ...], str, str]:
    """A total order on block names of any type, natural for numbered names.

    ``u2`` comes before ``u10``; ties (``u01`` and ``u1``) fall back to the text,
    then to the type's name, so the order is total and deterministic.
    """
    text = safe_str(name)
    chunks = tuple(
        (1, "", int(part)) if part.isdecimal() else (0, part, 0)
        for part in _DIGITS.split(text)
        if part
    )
    return (chunks, text, type(name).__name__)


_DIGITS = re.compile(r"(\d+)")


def safe_str(value: object) -> str:
    """``str(value)``, even for an int too long to print or a broken ``__str__``."""
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__} object at {id(value):#x}>"


def short(value: object, limit: int = 80) -> str:
    """``repr(value)`` for messages, cut to about ``limit`` characters.

    Examples
    --------
    >>> short("x"), short(10**5000)[:12]
    ("'x'", '<int of 5001')
    """
    try:
        text = repr(value)
    except ValueError:  # an int beyond sys.get_int_max_str_digits()
        text = f"<int of {value.bit_length() * 0.30103 + 1:.0f} digits>"  # type: ignore[attr-defined]
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 12] + "…" + text[-10:]


class Wire(NamedTuple):
    """One wire into a block: where it comes from, which port, its weight."""

    src: Hashable
    port: Any
    weight: Any


def _wire_order(wire: Wire) -> tuple[Any, str, str]:
    return (node_key(wire.src), safe_str(wire.port), short(wire.weight))


@dataclass(frozen=True)
class Netlist:
    """Blocks and the wires into each, sorted by name.

    Parameters
    ----------
    blocks : tuple
        Block names sorted by :func:`node_key`.
    attrs : mapping
        Block name -> its node attributes (``kind`` and parameters).
    wires : mapping
        Block name -> the wires into it, sorted by source, port and weight.
    """

    blocks: tuple[Hashable, ...]
    attrs: Mapping[Hashable, Mapping[str, Any]]
    wires: Mapping[Hashable, tuple[Wire, ...]]

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph) -> Netlist:
        """Read a circuit graph once; the graph is not modified."""
        blocks = tuple(sorted(graph.nodes, key=node_key))
        incoming: dict[Hashable, list[Wire]] = {name: [] for name in blocks}
        for src, dst, data in graph.edges(data=True):
            incoming[dst].append(
                Wire(src, data.get("port", "in"), data.get("weight", 1.0))
            )
        wires = {
            name: tuple(sorted(ws, key=_wire_order) if len(ws) > 1 else ws)
            for name, ws in incoming.items()
        }
        return cls(blocks, {name: graph.nodes[name] for name in blocks}, wires)

    def kind(self, name: Hashable) -> Any:
        """The block's ``kind`` attribute (None if missing)."""
        return self.attrs[name].get("kind")

    def label(self, name: Hashable) -> str:
        """``block 'x' (integrator)``: how every message names a block."""
        kind = self.kind(name)
        if kind is None:
            kind = "no kind"
        elif not isinstance(kind, str) or len(kind) > 40:
            kind = f"kind {short(kind, 40)}"
        return f"block {short(name, 200)} ({kind})"

    def integrators(self) -> list[Hashable]:
        """Integrator names, sorted."""
        return [n for n in self.blocks if self.kind(n) == "integrator"]

    @cached_property
    def algebraic_order(self) -> tuple[list[list[Hashable]], list[list[Hashable]]]:
        """Non-integrator blocks in dependency order, and the loops among them.

        Returns ``(units, loops)``: ``units`` is a list of groups in an order
        where every group's inputs come from integrators or earlier groups; a
        group is one block, or a whole loop (a strongly connected set of blocks
        with no integrator).  ``loops`` lists those loops, each sorted.
        """
        algebraic = {n for n in self.blocks if self.kind(n) != "integrator"}
        preds = {  # in block order, so that the order below is deterministic
            n: {w.src for w in self.wires[n] if w.src in algebraic}
            for n in self.blocks
            if n in algebraic
        }
        succs: dict[Hashable, list[Hashable]] = {n: [] for n in algebraic}
        for n, ps in preds.items():
            for p in ps:
                succs[p].append(n)
        waiting = {n: len(ps) for n, ps in preds.items()}
        ready = deque(n for n in self.blocks if n in algebraic and not waiting[n])
        units: list[list[Hashable]] = []
        while ready:  # Kahn's algorithm: the acyclic part, in linear time
            n = ready.popleft()
            units.append([n])
            for s in succs[n]:
                waiting[s] -= 1
                if not waiting[s]:
                    ready.append(s)
        rest = [n for n in self.blocks if n in algebraic and waiting[n]]
        if not rest:
            return units, []
        leftover = nx.DiGraph()  # loops, and whatever they feed
        leftover.add_nodes_from(rest)
        leftover.add_edges_from((p, n) for n in rest for p in preds[n] if p in leftover)
        condensed = nx.condensation(leftover)
        loops = []
        for c in nx.topological_sort(condensed):
            group = sorted(condensed.nodes[c]["members"], key=node_key)
            units.append(group)
            if len(group) > 1 or leftover.has_edge(group[0], group[0]):
                loops.append(group)
        return units, sorted(loops, key=lambda g: node_key(g[0]))
