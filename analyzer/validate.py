"""Validation: every problem of a circuit, found at once.

:func:`validate` walks the whole circuit and raises one :class:`CircuitError`
listing every problem, each naming the block, its kind and the port, and saying
what to do.  It never modifies the graph.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Mapping
from numbers import Real
from typing import Any

import networkx as nx
import numpy as np

from analyzer.blocks import BLOCKS, REQUIRED, BlockSpec
from analyzer.errors import CircuitError
from analyzer.netlist import Netlist, node_key, short

LINEAR_KINDS = frozenset({"adder", "gain"})
IMPLICIT_KINDS = LINEAR_KINDS | {"multiplier"}
MAX_IMPLICIT_LOOP = 8  # blocks; the loop is solved by Cramer's rule over polynomials


def validate(circuit: Any) -> Netlist:
    """Check a circuit against the schema; raise one error listing all problems.

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        The circuit; it is not modified.

    Returns
    -------
    Netlist
        The checked circuit, read once, for the compiler passes.

    Raises
    ------
    CircuitError
        If anything is wrong: unknown kind, missing or non-finite parameter,
        unknown port, wrong number of inputs, a wire into a source, more than
        one ``wrt``, an algebraic loop that is neither linear nor an implicit
        division, a singular linear loop, or integrators integrated with
        respect to each other.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("k", kind="gain")
    >>> validate(g)
    Traceback (most recent call last):
    ...
    analyzer.errors.CircuitError: the circuit has 2 problems:
      - block 'k' (gain): parameter 'k' is missing; give it a finite number
      - block 'k' (gain): port 'in' has 0 wires, needs exactly 1; connect one
    """
    from analyzer.circuit import as_graph

    netlist = Netlist.from_graph(as_graph(circuit))
    problems: list[str] = []
    for name in netlist.blocks:
        problems += _name_problems(netlist, name) + _block_problems(netlist, name)
    if not problems:
        problems += algebraic_loop_problems(netlist)
        problems += wrt_cycle_problems(netlist)
    if problems:
        raise CircuitError(problems)
    return netlist


def _name_problems(netlist: Netlist, name: Hashable) -> list[str]:
    """A name that is not equal to itself (a float nan) finds no wire reliably."""
    try:
        equal = bool(name == name)
    except Exception:  # a name type whose == fails or is not a truth value
        equal = False
    if equal:
        return []
    return [
        f"{netlist.label(name)}: its name is not equal to itself, so the wires "
        "into and out of it cannot be told apart; rename the block (a string "
        "is best)"
    ]


def _block_problems(netlist: Netlist, name: Hashable) -> list[str]:
    kind = netlist.kind(name)
    if not known_kind(kind):
        what = "no 'kind' attribute" if kind is None else f"unknown kind {short(kind)}"
        known = ", ".join(sorted(BLOCKS))
        return [f"{netlist.label(name)}: {what}; set 'kind' to one of {known}"]
    spec = BLOCKS[kind]
    label = netlist.label(name)
    problems = [f"{label}: {p}" for p in param_problems(spec, netlist.attrs[name])]
    problems += [f"{label}: {p}" for p in _wire_problems(netlist, name, spec)]
    return problems


def known_kind(kind: object) -> bool:
    """Whether ``kind`` names a registered block (a str key of ``BLOCKS``)."""
    return isinstance(kind, str) and kind in BLOCKS


def param_problems(spec: BlockSpec, attrs: Mapping[Any, Any]) -> Iterable[str]:
    """What is wrong with a block's parameters: missing, not finite, or misspelt.

    An attribute that is not a parameter of the kind but close to one (equal
    ignoring case, or within :func:`close_enough` edits) is a misspelling and a
    problem; any other extra attribute is the user's own data and allowed.
    """
    misspelt = misspellings(spec, attrs)
    for param, default in spec.params.items():
        value = attrs.get(param, default)
        near = [a for a, p in misspelt.items() if p == param]
        if value is REQUIRED:
            if near:
                yield (
                    f"parameter {param!r} is missing, but there is an attribute "
                    f"{short(near[0])}; did you mean {param!r}? rename it"
                )
                near = near[1:]
            else:
                yield f"parameter {param!r} is missing; give it a finite number"
        elif not is_finite_number(value):
            yield f"parameter {param!r} is {short(value)}, {_not_finite(value)}; fix it"
        for attr in near:
            yield (
                f"attribute {short(attr)} is not a parameter of {spec.kind}; "
                f"did you mean {param!r}? rename it (or remove it)"
            )


def misspellings(spec: BlockSpec, attrs: Mapping[Any, Any]) -> dict[str, str]:
    """Attributes of a block that look like misspelt parameters: attribute -> param."""
    found = {}
    for attr in attrs:
        if not isinstance(attr, str) or attr == "kind" or attr in spec.params:
            continue
        near = [p for p in spec.params if close_enough(attr, p)]
        if near:
            found[attr] = min(near, key=lambda p: (edit_distance(attr, p), p))
    return found


def close_enough(attr: str, param: str) -> bool:
    """Whether attribute name ``attr`` looks like a misspelling of ``param``.

    Equal ignoring case, or at most two edits apart (insertions, deletions,
    substitutions or swaps of neighbours); a one-letter parameter (``k``,
    ``p``) matches only by case, so a user's ``x`` or ``y`` on a gain is not
    taken for ``k``, and a two-letter one within one edit.

    Examples
    --------
    >>> close_enough("inital", "initial"), close_enough("K", "k")
    (True, True)
    >>> close_enough("x", "k"), close_enough("label", "value")
    (False, False)
    """
    if attr.casefold() == param.casefold():
        return True
    allowed = min(2, len(param) - 1)
    if abs(len(attr) - len(param)) > allowed:
        return False
    return edit_distance(attr.casefold(), param.casefold()) <= allowed


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) between two names.

    Examples
    --------
    >>> edit_distance("intial", "initial"), edit_distance("initail", "initial")
    (1, 1)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]


def extra_attributes(circuit: Any) -> dict[Hashable, tuple[Hashable, ...]]:
    """The attributes of each block that are neither ``kind`` nor its parameters.

    Users may keep their own data on nodes; the compiler ignores it.  A block
    of unknown kind lists every attribute but ``kind``.

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        The circuit; it is not modified (and need not be valid).

    Returns
    -------
    dict
        Block name -> its extra attribute names (sorted), for the blocks that
        have any, in block order.

    Examples
    --------
    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.add("x", "integrator", initial=1.0, colour="red", note="position")
    'x'
    >>> extra_attributes(c)
    {'x': ('colour', 'note')}
    """
    from analyzer.circuit import as_graph

    graph = as_graph(circuit)
    extras = {}
    for name in sorted(graph.nodes, key=node_key):
        attrs = graph.nodes[name]
        kind = attrs.get("kind")
        params = BLOCKS[kind].params if known_kind(kind) else {}
        extra = [a for a in attrs if a != "kind" and a not in params]
        if extra:
            extras[name] = tuple(sorted(extra, key=node_key))
    return extras


def is_finite_number(value: object) -> bool:
    """Whether ``value`` is a real number (not a bool) that is finite as a float.

    An integer too large for a float (``10**400``) is not.

    Examples
    --------
    >>> is_finite_number(2), is_finite_number(float("inf")), is_finite_number(True)
    (True, False, False)
    >>> is_finite_number(10**400)
    False
    """
    if type(value) is float:  # the common case, first
        return math.isfinite(value)
    if not isinstance(value, Real | np.integer | np.floating) or isinstance(
        value, bool | np.bool_
    ):
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return False


def _not_finite(value: object) -> str:
    """Why a value is not a usable parameter or weight."""
    if isinstance(value, Real | np.integer) and not isinstance(value, bool | np.bool_):
        try:
            float(value)  # type: ignore[arg-type]
        except OverflowError:
            return "too large for a floating-point number"
        except (ValueError, TypeError):
            pass
    return "not a finite number"


def _wire_problems(netlist: Netlist, name: Hashable, spec: BlockSpec) -> Iterable[str]:
    counts = dict.fromkeys(spec.port_names, 0)
    for wire in netlist.wires[name]:
        shown, src = short(wire.port), short(wire.src)
        if not is_finite_number(wire.weight):
            yield (
                f"port {shown}: the wire from {src} has weight "
                f"{short(wire.weight)}, {_not_finite(wire.weight)}; fix it"
            )
        if spec.is_source:
            yield f"takes no input, but has a wire from {src} on port {shown}; remove it"
        elif not isinstance(wire.port, str) or wire.port not in counts:
            ports = ", ".join(repr(p) for p in spec.port_names)
            yield f"unknown port {shown} (wire from {src}); its ports are {ports}"
        else:
            counts[wire.port] += 1
    if spec.is_source:
        return
    port_problem = False
    for port in spec.ports:
        problem = _count_problem(counts[port.name], port.fewest, port.most)
        if problem:
            port_problem = True
            yield f"port {port.name!r} has {problem}"
    problem = _count_problem(sum(counts.values()), *spec.inputs)
    if len(spec.ports) > 1 and problem and not port_problem:
        ports = " or ".join(repr(p) for p in spec.port_names)
        yield f"has, on ports {ports} together, {problem}"


def _count_problem(n: int, fewest: int, most: int | None) -> str | None:
    """What is wrong with n wires where fewest..most are allowed, and the fix."""
    wires = f"{n} wire{'s' * (n != 1)}"
    too_many = most is not None and n > most
    if not too_many and n >= fewest:
        return None
    if too_many:
        fix = "remove the extra wires"
    else:
        fix = "connect one" if fewest - n == 1 else "connect more"
    if most == fewest:
        return f"{wires}, needs exactly {fewest}; {fix}"
    if too_many:
        return f"{wires}, takes at most {most}; {fix}"
    return f"{wires}, needs at least {fewest}; {fix}"


def algebraic_loop_problems(netlist: Netlist) -> list[str]:
    """Loops with no integrator that cannot be solved exactly.

    A loop through adders and gains is linear: it must be non-singular.  A loop
    that also passes through multipliers, each taking one factor from the loop,
    is an implicit division (x·z + y = 0); the compiler solves it with a
    reciprocal state, and checks at t0 that it can.  Any other loop is refused.
    """
    problems = []
    for nodes in netlist.algebraic_order[1]:
        if all(netlist.kind(n) in LINEAR_KINDS for n in nodes):
            matrix = np.eye(len(nodes)) - loop_matrix(netlist, nodes)
            if not np.all(np.isfinite(matrix)):
                problems.append(
                    f"{cycle_text(netlist, nodes)}: a linear algebraic loop whose "
                    "loop gain (gains times weights) overflows a floating-point "
                    "number; scale the gains and weights down"
                )
            elif not np.linalg.cond(matrix) <= 1e12:  # nan counts as singular
                problems.append(
                    f"{cycle_text(netlist, nodes)}: a linear algebraic loop whose loop "
                    "gain makes it singular (its signals are undetermined); change a "
                    "weight or gain, or put an integrator in the loop"
                )
            continue
        inside = set(nodes)
        other = [n for n in nodes if netlist.kind(n) not in IMPLICIT_KINDS]
        squared = [
            n
            for n in nodes
            if netlist.kind(n) == "multiplier"
            and sum(w.src in inside for w in netlist.wires[n]) > 1
        ]
        if other:
            kinds = ", ".join(f"{n!r} ({netlist.kind(n)})" for n in other)
            problems.append(
                f"{cycle_text(netlist, nodes)}: an algebraic loop (a cycle with no "
                f"integrator) through {kinds}; only adders, gains and multipliers "
                "can close a loop without an integrator; put an integrator in it"
            )
        elif squared:
            names = ", ".join(repr(n) for n in squared)
            problems.append(
                f"{cycle_text(netlist, nodes)}: a nonlinear algebraic loop: multiplier "
                f"{names} multiplies two signals of the loop, so the loop is not an "
                "implicit division; feed one factor from outside the loop, or put "
                "an integrator in it"
            )
        elif len(nodes) > MAX_IMPLICIT_LOOP:
            problems.append(
                f"{cycle_text(netlist, nodes)}: an implicit loop (division) of "
                f"{len(nodes)} blocks; at most {MAX_IMPLICIT_LOOP} are supported; "
                "split it with an integrator"
            )
    return problems


def loop_matrix(netlist: Netlist, nodes: list[Hashable]) -> np.ndarray:
    """L with signal_i = sum_j L_ij signal_j + (inputs from outside the loop)."""
    index = {n: i for i, n in enumerate(nodes)}
    matrix = np.zeros((len(nodes), len(nodes)))
    for dst in nodes:
        attrs = netlist.attrs[dst]
        gain = float(attrs["k"]) if attrs["kind"] == "gain" else 1.0
        for wire in netlist.wires[dst]:
            if wire.src in index:
                matrix[index[dst], index[wire.src]] += gain * float(wire.weight)
    return matrix


def cycle_text(netlist: Netlist, nodes: list[Hashable]) -> str:
    """``blocks 'a' (adder) → 'm' (multiplier) → 'a' (adder)``: one cycle of a loop."""
    inside = set(nodes)
    loop = nx.DiGraph(
        (w.src, n) for n in nodes for w in netlist.wires[n] if w.src in inside
    )
    cycle = [u for u, *_ in nx.find_cycle(loop, source=nodes[0])]
    path = " → ".join(f"{n!r} ({netlist.kind(n)})" for n in [*cycle, cycle[0]])
    return f"blocks {path}"


def wrt_source(netlist: Netlist, integrator: Hashable) -> tuple[Hashable, float] | None:
    """The (block, weight) wired into an integrator's ``wrt`` port, if any."""
    for wire in netlist.wires[integrator]:
        if wire.port == "wrt":
            return wire.src, float(wire.weight)
    return None


def wrt_cycle_problems(netlist: Netlist) -> list[str]:
    """Integrators whose variables of integration depend on their own rates."""
    needs = integrator_rate_dependencies(netlist)
    first = itertools.islice(nx.simple_cycles(needs), 10)  # there may be very many
    problems = []
    for cycle in sorted(first, key=lambda c: node_key(min(c, key=node_key))):
        names = " → ".join(repr(n) for n in [*cycle, cycle[0]])
        problems.append(
            f"block {cycle[0]!r} (integrator): port 'wrt': integrators {names} are "
            "integrated with respect to signals that depend on each other's rates, so "
            "the rates are undetermined; drive one 'wrt' from an independent signal"
        )
    return problems


def integrator_rate_dependencies(netlist: Netlist) -> nx.DiGraph:
    """Edge w -> s when w's rate needs s's rate (s feeds w's ``wrt`` signal)."""
    needs = nx.DiGraph()
    for w in netlist.integrators():
        source = wrt_source(netlist, w)
        if source is not None:
            needs.add_node(w)
            needs.add_edges_from(
                (w, s) for s in _integrators_behind(netlist, source[0])
            )
    return needs


def _integrators_behind(netlist: Netlist, block: Hashable) -> set[Hashable]:
    seen, stack, found = {block}, [block], set()
    while stack:
        n = stack.pop()
        if netlist.kind(n) == "integrator":
            found.add(n)
            continue
        for wire in netlist.wires[n]:
            if wire.src not in seen:
                seen.add(wire.src)
                stack.append(wire.src)
    return found
