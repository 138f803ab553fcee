"""Lowering: a validated circuit becomes a polynomial ODE system.

Every integrator output (and the clock, when the circuit reads time) is a
state.  Every other block's signal becomes a polynomial in the states, block by
block in dependency order; a linear algebraic loop through adders and gains is
solved exactly as one linear system.  Each state's derivative is then a
polynomial: for an integrator dw = u dv, so w' = u · v' with v' from the chain
and product rules (v' = 1 when v is time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from analyzer.blocks import BLOCKS
from analyzer.errors import CircuitError
from analyzer.netlist import Netlist, node_key
from analyzer.polynomial import Monomial, Poly, total
from analyzer.validate import integrator_rate_dependencies, loop_matrix, wrt_source


@dataclass(frozen=True)
class PolynomialSystem:
    """y' = P(y) of any degree, with every block's signal as a polynomial in y.

    Parameters
    ----------
    names : tuple of str
        Base states: the integrators sorted by name, then the clock ``t``.
    y0 : tuple of float
        Initial values at ``t0``.
    rates : tuple of Poly
        ``rates[i]`` is y_i' as a polynomial in the states.
    signals : mapping
        Block name -> its signal as a polynomial in the states.
    t0 : float
        Start time (the clock's initial value).
    clock : int or None
        Index of the clock state, if the circuit reads time.
    """

    names: tuple[str, ...]
    y0: tuple[float, ...]
    rates: tuple[Poly, ...]
    signals: Mapping[Hashable, Poly]
    t0: float = 0.0
    clock: int | None = None


def lower(
    netlist: Netlist, *, t0: float = 0.0, hold: Collection[Hashable] = ()
) -> PolynomialSystem:
    """Lower a validated circuit to a polynomial system (pure).

    Integrators named in ``hold`` are in HOLD mode: their rate is zero, so they
    keep their value (and count as constants in every chain rule).

    Examples
    --------
    x' = x·x·x (a multiplier chain) lowers to one cubic rate:

    >>> from analyzer import Circuit
    >>> from analyzer.validate import validate
    >>> c = Circuit()
    >>> c.integrator("x", initial=0.5); c.multiplier("x2"); c.multiplier("x3")
    'x'
    'x2'
    'x3'
    >>> c.connect("x", "x2"); c.connect("x", "x2")
    >>> c.connect("x2", "x3"); c.connect("x", "x3"); c.connect("x3", "x")
    >>> lower(validate(c)).rates[0].terms
    {((0, 3),): 1.0}
    """
    integrators = netlist.integrators()
    names = [str(n) for n in integrators]
    y0 = [float(netlist.attrs[n].get("initial", 0.0)) for n in integrators]
    clock = None
    if any(netlist.kind(n) == "time" for n in netlist.blocks):
        clock = len(names)
        names.append(fresh_name("t", set(names)))
        y0.append(float(t0))
    if len(set(names)) != len(names):
        clashes = sorted({n for n in names if names.count(n) > 1})
        raise CircuitError(
            f"integrators named {n!r} with different types clash as state names; "
            "rename one"
            for n in clashes
        )
    signals: dict[Hashable, Poly] = {w: Poly.var(i) for i, w in enumerate(integrators)}
    clock_signal = Poly.var(clock) if clock is not None else None
    for group in netlist.algebraic_order[0]:
        if len(group) > 1 or any(w.src == group[0] for w in netlist.wires[group[0]]):
            signals.update(_solve_linear_loop(netlist, group, signals))
        else:
            signals[group[0]] = _lower_block(netlist, group[0], signals, clock_signal)
    rates = _rates(netlist, integrators, signals, clock, frozenset(hold))
    ordered = {n: signals[n] for n in netlist.blocks}
    return PolynomialSystem(
        tuple(names), tuple(y0), tuple(rates), ordered, float(t0), clock
    )


def fresh_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name#2``, ``name#3``, ... whichever is not taken yet."""
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name}#{k}"
    return candidate


def _inputs(
    netlist: Netlist, block: Hashable, signals: Mapping[Hashable, Poly]
) -> dict[str, list[Poly]]:
    """The block's input polynomials by port, weights applied, in a fixed order."""
    by_port: dict[str, list[Poly]] = defaultdict(list)
    for wire in netlist.wires[block]:
        poly, weight = signals[wire.src], float(wire.weight)
        by_port[wire.port].append(poly if weight == 1.0 else poly.scale(weight))
    return by_port


def _lower_block(
    netlist: Netlist,
    block: Hashable,
    signals: Mapping[Hashable, Poly],
    clock: Poly | None,
) -> Poly:
    attrs = netlist.attrs[block]
    spec = BLOCKS[attrs["kind"]]
    assert spec.lower is not None
    params = {p: float(attrs.get(p, default)) for p, default in spec.params.items()}  # type: ignore[arg-type]
    return spec.lower(params, _inputs(netlist, block, signals), clock)


def _solve_linear_loop(
    netlist: Netlist, nodes: list[Hashable], signals: Mapping[Hashable, Poly]
) -> dict[Hashable, Poly]:
    """Signals of a non-singular loop of adders and gains: (I - L) s = e, solved."""
    inside = set(nodes)
    outside: list[Poly] = []
    for block in nodes:
        attrs = netlist.attrs[block]
        gain = float(attrs["k"]) if attrs["kind"] == "gain" else 1.0
        feeds = [
            signals[w.src].scale(gain * float(w.weight))
            for w in netlist.wires[block]
            if w.src not in inside
        ]
        outside.append(total(feeds))
    monomials: list[Monomial] = sorted({m for p in outside for m in p.terms})
    e = np.array([[p.terms.get(m, 0.0) for m in monomials] for p in outside])
    solved = np.linalg.solve(np.eye(len(nodes)) - loop_matrix(netlist, nodes), e)
    return {
        block: Poly(dict(zip(monomials, row.tolist(), strict=True)))
        for block, row in zip(nodes, solved.reshape(len(nodes), -1), strict=True)
    }


def _rates(
    netlist: Netlist,
    integrators: list[Hashable],
    signals: Mapping[Hashable, Poly],
    clock: int | None,
    hold: frozenset[Hashable],
) -> list[Poly]:
    """Each state's rate: w' = (Σ in)·v' for integrators, t' = 1 for the clock,
    0 for integrators in HOLD.

    An integrator whose variable v depends on other integrators comes after them,
    since v' needs their rates.
    """
    index = {w: i for i, w in enumerate(integrators)}
    rates: dict[int, Poly] = {index[w]: Poly() for w in integrators if w in hold}
    if clock is not None:
        rates[clock] = Poly.const(1.0)
    needs = integrator_rate_dependencies(netlist)
    after = list(
        reversed(list(nx.lexicographical_topological_sort(needs, key=node_key)))
    )
    for w in [w for w in integrators if w not in needs] + after:
        if w in hold:
            continue
        integrand = total(_inputs(netlist, w, signals).get("in", []))
        source = wrt_source(netlist, w)
        if source is not None:
            variable = signals[source[0]].scale(source[1])
            integrand = integrand * variable.time_derivative(rates)
        rates[index[w]] = integrand
    return [rates[i] for i in range(len(rates))]
